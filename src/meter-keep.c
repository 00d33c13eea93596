/* meter-keep.c - a live capture's retention: what only migrations written long ago need leaves memory for good. */
#include "meter-keep.h"

#include <string.h>

_Static_assert(sizeof(((struct meter *)0)->keep_when) / sizeof(mm_ns) == METER_KEEP_RING,
	       "struct meter's keep_when holds METER_KEEP_RING times");
_Static_assert(METER_KEEP_RING > 2 * METER_KEEP_RECORDS, "the ring outlives the records kept");

void meter_keep_start(struct meter *m, int bins)
{
	memset(&m->kept, 0, sizeof(m->kept));
	m->kept.on = 1;
	m->keep_bins_go = bins;
}

void meter_keep_record(struct meter *m, mm_ns now)
{
	if (!m->kept.on)
		return;
	m->keep_batch = flow_retire_batch(m->flows);
	m->keep_when[m->keep_batch % METER_KEEP_RING] = now;
}

/*
 * The first batch to keep: none of the newest METER_KEEP_RECORDS goes,
 * nor one written within METER_KEEP_AGE of `now`... unless it is past the
 * count.  Batches older than the ring are past the count already.
 */
static uint64_t first_kept(const struct meter *m, mm_ns now)
{
	uint64_t b = m->keep_batch > METER_KEEP_RECORDS ? m->keep_batch - METER_KEEP_RECORDS + 1 : 1;
	mm_ns old = mm_sub(now, METER_KEEP_AGE);

	if (b < m->keep_forgot_upto)
		b = m->keep_forgot_upto;
	while (b <= m->keep_batch && m->keep_when[b % METER_KEEP_RING] < old)
		b++;
	return b;
}

const struct meter_kept *meter_kept(const struct meter *m)
{
	return &m->kept;
}

/* The first frame of the oldest flow still held, or MM_NS_NONE when none is. */
static mm_ns oldest_held(const struct meter *m)
{
	struct flow_info fi;

	/* flows are held in order of their first frame */
	if (flow_count(m->flows) == 0 || flow_get(m->flows, 0, &fi) < 0)
		return MM_NS_NONE;
	return fi.first_ts;
}

void meter_keep(struct meter *m, mm_ns now)
{
	mm_ns horizon, held, old;
	uint64_t before;

	if (!m->kept.on || now == MM_NS_NONE)
		return;
	flow_retire_idle_collisions(m->flows, mm_sub(now, METER_KEEP_STRAY_IDLE));
	before = first_kept(m, now);
	if (before > 1 && before > m->keep_forgot_upto) {
		m->kept.flows_not_listed += flow_forget(m->flows, before);
		m->kept.records_not_listed = before - 1;
		m->keep_forgot_upto = before;
	}
	/*
	 * Announces, episodes and bins: those before the oldest flow held can
	 * belong to no migration the report lists (once some were let go);
	 * and nothing older than METER_KEEP_AGE stays for the report.
	 */
	held = oldest_held(m);
	old = mm_sub(now, METER_KEEP_AGE);
	if (held == MM_NS_NONE)
		horizon = old;
	else if (m->kept.records_not_listed)
		horizon = mm_sub(held, METER_KEEP_MARGIN);
	else
		horizon = mm_sub(held, METER_KEEP_MARGIN) < old ? mm_sub(held, METER_KEEP_MARGIN) : old;
	if (m->keep_horizon != MM_NS_NONE && horizon <= m->keep_horizon)
		return;
	m->keep_horizon = horizon;
	m->kept.announces_not_listed += ann_forget_before(m->announce, horizon);
	m->kept.episodes_not_listed += echo_forget_before(m->echo, horizon);
	if (m->keep_bins_go)
		m->kept.bins_let_go += series_forget_before(m->series, mm_sub(horizon, series_bin_width(m->series)));
}
