/* meter-keep.c - a live capture's retention: what only migrations written long ago need leaves memory for good. */
#include "meter-keep.h"

#include <string.h>

void meter_keep_start(struct meter *m, int bins)
{
	memset(&m->kept, 0, sizeof(m->kept));
	m->kept.on = 1;
	m->keep_bins_go = bins;
}

void meter_keep_record(struct meter *m)
{
	if (m->kept.on)
		m->keep_batch = flow_retire_batch(m->flows);
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
	mm_ns horizon;

	if (!m->kept.on || now == MM_NS_NONE)
		return;
	flow_retire_idle_collisions(m->flows, mm_sub(now, METER_KEEP_STRAY_IDLE));
	if (m->keep_batch > METER_KEEP_RECORDS) {
		uint64_t before = m->keep_batch - METER_KEEP_RECORDS + 1;

		if (before > m->keep_forgot_upto) {
			m->kept.flows_not_listed += flow_forget(m->flows, before);
			m->kept.records_not_listed = before - 1;
			m->keep_forgot_upto = before;
		}
	}
	/* Nothing before the oldest flow held can belong to a migration still to be reported. */
	horizon = oldest_held(m);
	if (horizon == MM_NS_NONE || horizon > now)
		horizon = now;
	horizon = mm_sub(horizon, METER_KEEP_MARGIN);
	if (m->keep_horizon != MM_NS_NONE && horizon <= m->keep_horizon)
		return;
	m->keep_horizon = horizon;
	m->kept.announces_not_listed += ann_forget_before(m->announce, horizon);
	m->kept.episodes_not_listed += echo_forget_before(m->echo, horizon);
	if (m->keep_bins_go)
		m->kept.bins_let_go += series_forget_before(m->series, mm_sub(horizon, series_bin_width(m->series)));
}
