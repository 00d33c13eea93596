/* flow-totals.c - the flow table's sums over its flows and its counters of what it did not take. */
#include "flow.h"
#include "flow-int.h"

#include <math.h>
#include <string.h>

static void add_dir(struct flow_dir *sum, const struct flow_dir *d)
{
	sum->packets += d->packets;
	sum->wire_bytes += d->wire_bytes;
	sum->ip_bytes += d->ip_bytes;
	sum->payload_bytes += d->payload_bytes;
	sum->unique_payload_bytes += d->unique_payload_bytes;
	sum->retrans_bytes += d->retrans_bytes;
	if (d->first_ts != MM_NS_NONE && (sum->first_ts == MM_NS_NONE || d->first_ts < sum->first_ts))
		sum->first_ts = d->first_ts;
	if (d->last_ts != MM_NS_NONE && (sum->last_ts == MM_NS_NONE || d->last_ts > sum->last_ts))
		sum->last_ts = d->last_ts;
	if (d->first_payload_ts != MM_NS_NONE &&
	    (sum->first_payload_ts == MM_NS_NONE || d->first_payload_ts < sum->first_payload_ts))
		sum->first_payload_ts = d->first_payload_ts;
	if (d->last_payload_ts != MM_NS_NONE &&
	    (sum->last_payload_ts == MM_NS_NONE || d->last_payload_ts > sum->last_payload_ts))
		sum->last_payload_ts = d->last_payload_ts;
	sum->syn |= d->syn;
	sum->fin |= d->fin;
	sum->rst |= d->rst;
}

void flow_get_totals(const struct flow_table *ft, struct flow_totals *t)
{
	struct flow_info fi;
	size_t i;

	memset(t, 0, sizeof(*t));
	t->start = t->end = MM_NS_NONE;
	flow_dir_init(&t->fwd);
	flow_dir_init(&t->rev);
	for (i = 0; i < flow_count(ft); i++) {
		flow_get(ft, i, &fi);
		if (fi.cls == FLOW_COLLISION) {
			t->collisions++;
			continue;
		}
		if (fi.secondary)
			continue;
		t->flows++;
		add_dir(&t->fwd, &fi.fwd);
		add_dir(&t->rev, &fi.rev);
		if (t->start == MM_NS_NONE || fi.first_ts < t->start)
			t->start = fi.first_ts;
		if (t->end == MM_NS_NONE || fi.last_ts > t->end)
			t->end = fi.last_ts;
	}
	t->packets = t->fwd.packets + t->rev.packets;
	t->wire_bytes = t->fwd.wire_bytes + t->rev.wire_bytes;
	t->unique_payload_bytes = t->fwd.unique_payload_bytes + t->rev.unique_payload_bytes;
}

size_t flow_capacity(const struct flow_table *ft)
{
	return ft->cfg.max_flows;
}

uint64_t flow_dropped(const struct flow_table *ft)
{
	return ft->dropped;
}

uint64_t flow_not_migration(const struct flow_table *ft)
{
	return ft->not_migration + ft->pending;
}

uint64_t flow_not_fitted(const struct flow_table *ft)
{
	double m = FLOW_MISS_BITS, zero = m - (double)ft->miss_set;

	if (ft->miss_set == 0)
		return 0;
	if (zero < 1)
		zero = 1;
	/* Linear counting (Whang et al. 1990): n = -m ln(V), V the fraction of bits still zero. */
	return (uint64_t)(-m * log(zero / m) + 0.5);
}
