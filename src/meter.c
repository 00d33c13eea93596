/* meter.c - the accounting stage: decode once, then feed flows, echo streams and time bins. */
#include "meter.h"

#include <string.h>

static void add_lost(void *ctx, mm_ns ts)
{
	series_add_ping(ctx, ts, SERIES_PING_LOST);
}

static void add_rtt(void *ctx, mm_ns sent, mm_ns rtt)
{
	series_add_rtt(ctx, sent, rtt);
}

int meter_init(struct meter *m, const struct meter_cfg *cfg)
{
	memset(m, 0, sizeof(*m));
	m->first_ts = m->last_ts = m->next_retire = m->keep_horizon = MM_NS_NONE;
	m->mig_cfg = cfg->migration;
	m->flows = flow_table_new(&cfg->flow);
	m->echo = echo_new(&cfg->echo);
	m->series = series_new(cfg->bin, 0);
	m->announce = ann_new(&cfg->announce);
	m->migs = mig_new(&cfg->migration);
	{
		struct app_cfg ac = cfg->app;

		ac.bin = cfg->bin;
		m->app = app_new(&ac);
	}
	if (!m->flows || !m->echo || !m->series || !m->announce || !m->migs || !m->app) {
		meter_release(m);
		return -1;
	}
	echo_set_lost_sink(m->echo, add_lost, m->series);
	echo_set_rtt_sink(m->echo, add_rtt, m->series);
	return 0;
}

void meter_release(struct meter *m)
{
	flow_table_free(m->flows);
	echo_free(m->echo);
	series_free(m->series);
	ann_free(m->announce);
	mig_free(m->migs);
	app_free(m->app);
	m->app = NULL;
	m->flows = NULL;
	m->echo = NULL;
	m->series = NULL;
	m->announce = NULL;
	m->migs = NULL;
}

/* Dense id of (input, interface); the table is small and the last answer is cached. */
static unsigned view_of(struct meter *m, unsigned src, uint32_t ifid, uint32_t ifindex)
{
	const struct meter_view *v = &m->views[m->last_view];
	size_t i;

	if (m->nviews > 0 && v->src == src && v->ifid == ifid && v->ifindex == ifindex)
		return m->last_view;
	for (i = 0; i < m->nviews; i++) {
		if (m->views[i].src == src && m->views[i].ifid == ifid && m->views[i].ifindex == ifindex) {
			m->last_view = (unsigned)i;
			return m->last_view;
		}
	}
	if (m->nviews == METER_MAX_VIEWS) {
		m->views_merged++;
		return METER_MAX_VIEWS - 1;
	}
	m->views[m->nviews].src = src;
	m->views[m->nviews].ifid = ifid;
	m->views[m->nviews].ifindex = ifindex;
	m->last_view = (unsigned)m->nviews++;
	return m->last_view;
}

const struct meter_view *meter_view(const struct meter *m, unsigned id)
{
	return id < m->nviews ? &m->views[id] : NULL;
}

/* The time series' role of a flow of this kind. */
static unsigned series_role_of(enum kind k)
{
	switch (k) {
	case KIND_QEMU:
		return SERIES_ROLE_MAIN;
	case KIND_MULTIFD:
		return SERIES_ROLE_MULTIFD;
	case KIND_NBD:
		return SERIES_ROLE_NBD;
	default:
		return SERIES_ROLE_OTHER;
	}
}

static void retire_if_filling(struct meter *m);
/* The VM's own traffic: its service's TCP, and every frame's source for the blackout. */
static void meter_app(struct meter *m, const struct dec_pkt *p, unsigned view, mm_ns ts)
{
	app_host_frame(m->app, &p->src, ts);
	if (p->proto != 6)
		return;
	series_extend(m->series, ts);	/* the time series' rows cover the app traffic */
	app_frame(m->app, p, view, ts, series_t0(m->series));
}

void meter_frame(struct meter *m, int dlt, const uint8_t *data, uint32_t caplen, uint32_t len,
		 mm_ns ts, unsigned src, uint32_t ifid, unsigned match)
{
	struct dec_pkt p;
	struct flow_verdict v;
	enum dec_status st;
	unsigned view;

	m->frames++;
	if (m->first_ts == MM_NS_NONE || ts < m->first_ts)
		m->first_ts = ts;
	if (m->last_ts == MM_NS_NONE || ts > m->last_ts)
		m->last_ts = ts;

	st = dec_frame(dlt, data, caplen, len, &p);
	m->decode[st < DEC_STATUS_COUNT ? st : DEC_INVALID]++;
	view = view_of(m, src, ifid, p.ifindex);

	if (match & METER_MIG) {
		if (st == DEC_OK && p.proto == 6) {
			if (flow_account(m->flows, &p, view, ts, &v) == 0 && v.counted) {
				m->mig_frames++;
				series_add_mig_role(m->series, ts, v.forward, len, v.new_unique,
						    series_role_of(v.kind));
			}
			if (v.created)
				retire_if_filling(m);
		} else {
			m->non_tcp_mig++;
		}
	}
	if (match & METER_ICMP)
		ann_frame(m->announce, &p, data, view, ts);
	/* The app filter joins the ICMP capture's (README "Application impact"). */
	if ((match & METER_ICMP) && st == DEC_OK && app_enabled(m->app))
		meter_app(m, &p, view, ts);
	if ((match & METER_ICMP) && st == DEC_OK && (p.proto == 1 || p.proto == 58) &&
	    p.icmp.echo != DEC_ECHO_NONE) {
		int taken = echo_account(m->echo, &p, view, ts);

		if (taken > 0)
			m->echo_frames++;
		/* counted once, as in the report: not the same ping seen by another vantage point */
		if (taken == ECHO_NEW)
			series_add_ping(m->series, ts, p.icmp.echo == DEC_ECHO_REQUEST ?
					SERIES_PING_REQUEST : SERIES_PING_REPLY);
	}
}

/*
 * The first announce at or after `t`, as far as arrival order is time
 * order (the merged timeline): where a live feed starts, so each poll
 * costs the announces of the open migrations, not the capture's.
 */
static size_t first_announce_from(const struct ann_table *at, mm_ns t)
{
	size_t lo = 0, hi = ann_count(at);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ann_get(at, mid)->ts < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* a clock that stepped back: an earlier announce may still come later; look a few back */
	return lo > 16 ? lo - 16 : 0;
}

int meter_feed_migrations(const struct meter *m, struct mig_table *mt, int live)
{
	struct flow_info fi;
	mm_ns oldest = MM_NS_NONE;
	size_t i;

	if (!live)
		mig_reserve(mt, flow_count(m->flows), ann_count(m->announce));
	/* Live: every flow before the first open one is retired (its record written). */
	for (i = live ? flow_first_open(m->flows) : 0; i < flow_count(m->flows); i++) {
		if (flow_get(m->flows, i, &fi) < 0 || (live && fi.retired))
			continue;
		mig_add_flow(mt, i, &fi);
		if (fi.first_ts != MM_NS_NONE && (oldest == MM_NS_NONE || fi.first_ts < oldest))
			oldest = fi.first_ts;
	}
	/* Live, an announce before every open flow cannot be any open migration's switchover. */
	if (live && oldest == MM_NS_NONE)
		return 0;
	for (i = live ? first_announce_from(m->announce, oldest) : 0; i < ann_count(m->announce); i++) {
		const struct ann_event *e = ann_get(m->announce, i);

		if (live && e->ts < oldest)
			continue;
		mig_add_announce(mt, e);
	}
	if (!live)
		meter_feed_episodes(m, mt, 0);	/* live: after meter_live_episodes */
	return 0;
}

void meter_feed_episodes(const struct meter *m, struct mig_table *mt, int closed_only)
{
	size_t i, k;

	for (i = 0; i < echo_stream_count(m->echo); i++) {
		const struct echo_stream_info *s = echo_stream(m->echo, i);

		for (k = 0; k < s->n_episodes; k++)
			if (!closed_only || s->episodes[k].ended_in_capture)
				mig_add_episode(mt, i, &s->target, &s->episodes[k]);
		for (k = 0; k < s->n_unresp; k++)
			if (!closed_only || s->unresp[k].ended_in_capture)
				mig_add_unresp(mt, i, &s->target, &s->unresp[k]);
	}
}

int meter_live_episodes(struct meter *m, mm_ns now)
{
	return m->finished ? 0 : echo_finish(m->echo, now);
}

/* How often (capture time) a filling table is looked at again. */
#define METER_RETIRE_EVERY (MM_NS_PER_S / 2)

void meter_set_retire(struct meter *m, int on)
{
	m->self_retire = on;
}

int meter_retire(struct meter *m, unsigned id_base, mm_ns now, meter_done_fn fn, void *ctx)
{
	struct mig_table *mt = mig_new(&m->mig_cfg);
	size_t i, f;
	int n = 0;

	if (!mt)
		return -1;
	mig_set_id_base(mt, id_base);
	meter_feed_migrations(m, mt, 1);
	if (mig_poll(mt, now, 0) < 0) {
		mig_free(mt);
		return -1;
	}
	for (i = 0; i < mig_count(mt); i++) {
		const struct mig_record *r = mig_get(mt, i);
		/* Alone, only completed migrations leave: a scan's failed SYNs stay within --max-flows. */
		int rc = fn ? fn(ctx, m, mt, r) : r->status == MIG_COMPLETED ? 0 : 1;

		if (rc < 0) {
			n = -1;
			break;
		}
		if (rc > 0)
			continue;
		for (f = 0; f < r->nmembers; f++)
			flow_retire(m->flows, r->members[f].flow);
		n++;
	}
	mig_free(mt);
	return n;
}

/*
 * Self-retiring: once half the table is taken, at most every
 * retire_every of capture time; a round that frees nothing (flows that
 * are no completed migration: a scan, a long stream) doubles the wait, up
 * to METER_RETIRE_MAX, so such a table costs no grouping a frame.
 */
#define METER_RETIRE_MAX (60 * MM_NS_PER_S)

static void retire_if_filling(struct meter *m)
{
	size_t open = flow_count(m->flows) - flow_retired(m->flows);
	int n;

	if (!m->self_retire || open < flow_capacity(m->flows) / 2 ||
	    (m->next_retire != MM_NS_NONE && m->last_ts < m->next_retire))
		return;
	m->retire_rounds++;
	n = meter_retire(m, 0, m->last_ts, NULL, NULL);
	if (n > 0 || m->retire_every == 0)
		m->retire_every = METER_RETIRE_EVERY;
	else if (m->retire_every < METER_RETIRE_MAX)
		m->retire_every *= 2;
	m->next_retire = mm_add(m->last_ts, m->retire_every);
}

int meter_finish(struct meter *m)
{
	if (m->finished)
		return 0;
	m->finished = 1;
	if (m->last_ts != MM_NS_NONE)
		series_extend(m->series, m->last_ts);
	if (echo_finish(m->echo, m->last_ts) < 0)
		return -1;
	echo_visit_lost(m->echo, add_lost, m->series);
	if (app_finish(m->app, m->last_ts) < 0)
		return -1;
	/* after retention, the records keep the ids --records gave them */
	mig_set_id_base(m->migs, (unsigned)m->kept.records_not_listed);
	meter_feed_migrations(m, m->migs, 0);
	/* the stage holds its copies: the announce table's go (a long capture holds many) */
	ann_release_events(m->announce);
	return mig_poll(m->migs, m->last_ts, MIG_POLL_FINAL) < 0 ? -1 : 0;
}
