/* flow-totals.c - the flow table's read side: each flow's figures, their sums, its counters of what it did not take. */
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

void flow_totals_init(struct flow_totals *t)
{
	memset(t, 0, sizeof(*t));
	t->start = t->end = MM_NS_NONE;
	flow_dir_init(&t->fwd);
	flow_dir_init(&t->rev);
}

void flow_totals_add(struct flow_totals *t, const struct flow_info *fi)
{
	if (fi->cls == FLOW_COLLISION) {
		t->collisions++;
		return;
	}
	if (fi->secondary)
		return;
	t->flows++;
	add_dir(&t->fwd, &fi->fwd);
	add_dir(&t->rev, &fi->rev);
	if (t->start == MM_NS_NONE || fi->first_ts < t->start)
		t->start = fi->first_ts;
	if (t->end == MM_NS_NONE || fi->last_ts > t->end)
		t->end = fi->last_ts;
}

void flow_get_totals(const struct flow_table *ft, struct flow_totals *t)
{
	struct flow_info fi;
	size_t i;

	/* The forgotten flows' part, then every flow still listed (sums, minima, maxima: any order). */
	*t = ft->gone_totals;
	for (i = 0; i < ft->n; i++) {
		if (ft->flows[i].found == FOUND_PENDING)
			continue;
		flow_info_of(ft, &ft->flows[i], &fi);
		flow_totals_add(t, &fi);
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

/* Why the flow's kind is not known (kind.h), from what each side's first payload showed. */
static enum kind_unreadable unreadable(const struct flow *f)
{
	uint8_t n0 = f->side[0].note, n1 = f->side[1].note;

	if (f->kind == KIND_TLS)
		return f->found == FOUND_TLS_BULK ? KIND_UNREAD_TLS_BULK : KIND_UNREAD_TLS;
	if (f->kind != KIND_UNKNOWN)
		return KIND_READ;
	if (n0 == NOTE_SHORT || n1 == NOTE_SHORT)
		return KIND_UNREAD_SNAPLEN;
	if (n0 == NOTE_NONE && n1 == NOTE_NONE)
		return KIND_UNREAD_NO_PAYLOAD;
	if (n0 == NOTE_FIRST || n1 == NOTE_FIRST)
		return KIND_UNREAD_UNRECOGNISED;
	return KIND_UNREAD_NO_FIRST_PAYLOAD;
}

/*
 * The i-th listed flow: with --ports any, flows not yet classified are
 * passed over (none before open_lo: those are all retired, so listed).
 */
struct flow *flow_listed(const struct flow_table *ft, size_t i)
{
	size_t k;

	if (ft->pending == 0 || i < ft->open_lo)
		return i < ft->n ? &ft->flows[i] : NULL;
	i -= ft->open_lo;
	for (k = ft->open_lo; k < ft->n; k++)
		if (ft->flows[k].found != FOUND_PENDING && i-- == 0)
			return &ft->flows[k];
	return NULL;
}

size_t flow_count(const struct flow_table *ft)
{
	return ft->n - ft->pending;
}

int flow_get(const struct flow_table *ft, size_t i, struct flow_info *out)
{
	const struct flow *f = flow_listed(ft, i);

	if (!f)
		return -1;
	flow_info_of(ft, f, out);
	return 0;
}

void flow_info_of(const struct flow_table *ft, const struct flow *f, struct flow_info *out)
{
	int l, c;

	l = f->listener;
	c = 1 - l;
	memset(out, 0, sizeof(*out));
	out->id = f->id;
	out->client = f->addr[c];
	out->server = f->addr[l];
	out->client_port = f->port[c];
	out->server_port = f->port[l];
	out->cls = flow_is_collision(ft, f) ? FLOW_COLLISION : FLOW_MIGRATION;
	out->kind = f->kind;
	out->direction_inferred = f->how != DIR_HANDSHAKE;
	out->unique_approx = f->side[0].seq.approx || f->side[1].seq.approx;
	out->secondary = f->secondary;
	out->retired = f->retired;
	out->reused = f->reused;
	out->src = f->src;
	out->fwd = f->side[c].d;
	out->rev = f->side[l].d;
	out->first_ts = f->first_ts;
	out->last_ts = f->last_ts;
	out->unreadable = unreadable(f);
	out->has_uuid = f->has_uuid;
	memcpy(out->uuid, f->uuid, sizeof(out->uuid));
	out->channel = f->channel;
}
