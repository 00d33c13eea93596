/* flow-retire.c - flows leaving the lookup (retired), then the table for good (forgotten), by batch. */
#include "flow.h"
#include "flow-int.h"

#include "arr.h"

#include <stdlib.h>
#include <string.h>

/* The array never shrinks below this many flows. */
#define FLOW_MIN_CAP 64

void flow_advance_open(struct flow_table *ft)
{
	while (ft->open_lo < ft->n && ft->flows[ft->open_lo].retired)
		ft->open_lo++;
}

void flow_leave_lookup(struct flow_table *ft, struct flow *f)
{
	size_t s, idx = (size_t)(f - ft->flows);
	int k;

	s = flow_find_slot(ft, f->addr, f->port, f->src);
	if (ft->slots[s] == idx + 1)
		flow_slot_remove(ft, s);
	for (k = 0; k < 2; k++) {
		uint8_t approx = f->side[k].seq.approx;
		size_t cap = f->side[k].seq.cap;

		seq_release(&f->side[k].seq);
		f->side[k].seq.approx = approx;
		ft->ivals = ft->ivals >= cap ? ft->ivals - cap : 0;
	}
}

int flow_retire_flow(struct flow_table *ft, struct flow *f)
{
	size_t idx = (size_t)(f - ft->flows);

	if (f->retired)
		return 1;
	flow_leave_lookup(ft, f);
	f->retired = 1;
	f->batch = ft->batch;
	if (ft->retired++ == 0 || f->batch < ft->min_batch)
		ft->min_batch = f->batch;
	if (f->coll) {
		f->coll = 0;
		ft->open_coll--;
	}
	if (idx == ft->open_lo)
		flow_advance_open(ft);
	return 0;
}

int flow_retire(struct flow_table *ft, size_t i)
{
	struct flow *f = flow_listed(ft, i);

	/* i is a listed index (flow_get's), as the migration records name flows. */
	return f ? flow_retire_flow(ft, f) : -1;
}

size_t flow_retired(const struct flow_table *ft)
{
	return ft->retired;
}

uint64_t flow_retire_batch(struct flow_table *ft)
{
	return ++ft->batch;
}

size_t flow_forgotten(const struct flow_table *ft)
{
	return ft->forgotten;
}

size_t flow_first_open(const struct flow_table *ft)
{
	return ft->open_lo;
}

/* Puts every flow still in the lookup (not retired) back in an emptied one: their indices moved. */
static void rebuild_lookup(struct flow_table *ft)
{
	size_t i;

	memset(ft->slots, 0, ft->nslots * sizeof(*ft->slots));
	for (i = ft->open_lo; i < ft->n; i++) {
		const struct flow *f = &ft->flows[i];

		/* a reused flow's 5-tuple is the new connection's */
		if (!f->retired && !f->reused)
			ft->slots[flow_find_slot(ft, f->addr, f->port, f->src)] = (uint32_t)(i + 1);
	}
}

size_t flow_forget(struct flow_table *ft, uint64_t before_batch)
{
	struct flow_info fi;
	size_t i, kept = 0, open_lo = ft->open_lo, gone;
	uint64_t min_batch = UINT64_MAX;

	/* Called on every poll: nothing to forget costs nothing. */
	if (ft->retired == 0 || before_batch <= ft->min_batch)
		return 0;
	/* One pass: forgotten flows go into the totals, the others move down in order. */
	for (i = 0; i < ft->n; i++) {
		struct flow *f = &ft->flows[i];

		if (i == ft->open_lo)
			open_lo = kept;
		if (f->retired && f->batch < before_batch) {
			flow_info_of(ft, f, &fi);
			flow_totals_add(&ft->gone_totals, &fi);
			continue;
		}
		if (f->retired && f->batch < min_batch)
			min_batch = f->batch;
		if (kept != i)
			ft->flows[kept] = *f;
		kept++;
	}
	if (ft->open_lo >= ft->n)
		open_lo = kept;
	gone = ft->n - kept;
	if (gone == 0)
		return 0;
	ft->n = kept;
	ft->open_lo = open_lo;
	ft->min_batch = min_batch;
	ft->retired -= gone;
	ft->forgotten += gone;
	rebuild_lookup(ft);
	/* Memory really goes down: an array under a quarter used shrinks to twice what it holds. */
	arr_shrink((void **)&ft->flows, &ft->cap, ft->n, sizeof(*ft->flows), FLOW_MIN_CAP);
	return gone;
}

size_t flow_retire_idle_collisions(struct flow_table *ft, mm_ns before)
{
	mm_ns low = INT64_MAX;
	size_t i, n = 0, left = ft->open_coll;

	/* Nothing to do unless some open collision's last frame may be before `before`. */
	if (left == 0 || before <= ft->coll_low)
		return 0;
	/* Open ones are at open_lo or later; the scan ends at the last of them. */
	for (i = ft->open_lo; i < ft->n && left > 0; i++) {
		struct flow *f = &ft->flows[i];

		if (!f->coll)
			continue;
		left--;
		if (f->last_ts < before) {
			flow_retire_flow(ft, f);
			n++;
		} else if (f->last_ts < low) {
			low = f->last_ts;
		}
	}
	/* `low` covers every open collision left. */
	ft->coll_low = low;
	return n;
}
