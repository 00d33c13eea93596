/* echo-retire.c - an echo stream's oldest slots folded into running figures once its window is full. */
#include <stdlib.h>
#include <string.h>

#include "arr.h"
#include "echo-int.h"

/*
 * One loss episode of retired slots counted, not listed: valued with the
 * interval `iv` of now (an inferred one without an interval only counts);
 * an inferred one's lost requests go to the lost sink (no slot holds them).
 */
static void count_unlisted(struct echo_table *et, struct retired *r, const struct episode *ep, mm_ns iv)
{
	r->unlisted++;
	r->unlisted_lost += ep->lost;
	if (ep->inferred && iv == MM_NS_NONE)
		return;
	r->unlisted_total = mm_add(r->unlisted_total, ep->estimate);
	if (ep->estimate > r->unlisted_longest)
		r->unlisted_longest = ep->estimate;
	if (ep->inferred && et->lost_fn)
		for (uint64_t j = 0; j < ep->lost; j++)
			et->lost_fn(et->lost_ctx, episode_lost_ts(ep, j));
}

/* A closed loss run of retired slots: listed as edges (built at finish), or past the cap counted now. */
static void keep_run(struct echo_table *et, struct stream *s, const struct episode_edges *e, mm_ns iv)
{
	struct retired *r = &s->r;
	struct episode ep;

	if (et->listed < ECHO_MAX_LISTED &&
	    (r->n_eps < r->cap_eps || !arr_grow((void **)&r->eps, &r->cap_eps, sizeof(*r->eps), 8))) {
		r->eps[r->n_eps++] = *e;
		et->listed++;
		et->listed_retired++;
		return;
	}
	/* past the listing cap: counted, with the interval measured so far */
	episode_build(&ep, e, iv, s->first_ts, s->last_ts);
	count_unlisted(et, r, &ep, iv);
}

/* The medians' multisets, the RTT and the late count take retired slot i (sequence number u). */
static void fold_figures(struct echo_table *et, struct retired *r, const struct seqwin_slot *v, size_t i,
			 size_t n, int64_t u)
{
	const struct seqwin_slot *sl = &v[i];
	size_t L = et->cfg.late_after;

	for (int fi = 0; fi < 2; fi++) {
		uint8_t flag = fi ? SL_REP : SL_REQ;
		mm_ns t = fi ? sl->rep : sl->t;

		if (!(sl->flags & flag))
			continue;
		if (i > 0 ? (v[i - 1].flags & flag) : (r->last_flag_u[fi] == u - 1))
			medset_add(&r->gap[fi][0], &et->vmap_used, VMAP_BUDGET,
				   mm_sub(t, i > 0 ? echo_slot_time(&v[i - 1], fi) : r->last_flag_t[fi]));
		if (r->last_flag_u[fi] != INT64_MIN)
			medset_add(&r->gap[fi][1], &et->vmap_used, VMAP_BUDGET,
				   mm_sub(t, r->last_flag_t[fi]) / (mm_ns)(u - r->last_flag_u[fi]));
		r->last_flag_u[fi] = u;
		r->last_flag_t[fi] = t;
	}
	if ((sl->flags & (SL_REQ | SL_REP)) == (SL_REQ | SL_REP) && sl->rep >= sl->t) {
		mm_ns rt = mm_sub(sl->rep, sl->t);

		medset_add(&r->rtt, &et->vmap_used, VMAP_BUDGET, rt);
		if (rt > r->rtt_max)
			r->rtt_max = rt;
	}
	if ((sl->flags & SL_REP) && i + L < n && v[i + L].t < sl->rep)
		r->late++;
}

/*
 * Retires the slots before sequence number `want` (or fewer: the cut goes
 * to an answered slot at or before it when there is one, so no outage is
 * split), folding into s->r everything stream_finish would have drawn
 * from them.  Lost requests of closed runs are told to the lost sink now.
 * Unresponsive runs are judged by the threshold of now (the median RTT so
 * far).  Returns 0, or -1 when out of memory (the stream then keeps its slots).
 */
int echo_retire(struct echo_table *et, struct stream *s, int64_t want)
{
	size_t n = seqwin_len(&s->w), cut, L = et->cfg.late_after;
	struct seqwin_slot *v = seqwin_first(&s->w);
	struct retired *r = &s->r;
	int req_mode = s->requests > 0, oom = 0;
	uint8_t anchor = req_mode ? (SL_REQ | SL_REP) : SL_REP;
	mm_ns *tmp, rtt = MM_NS_NONE, iv = MM_NS_NONE, thr;
	size_t nr = 0;

	if (want <= s->w.base)
		return 0;
	cut = (size_t)(want - s->w.base);
	if (cut > n)
		cut = n;
	/* an answered slot to start the new window at, leaving room for the late check */
	for (size_t c = cut; c > 0; c--) {
		if (c < n && c + L <= n && (v[c].flags & anchor) == anchor) {
			cut = c;
			break;
		}
	}
	if (cut == 0)
		return 0;
	if (!r->any) {
		r->any = 1;
		r->last_flag_u[0] = r->last_flag_u[1] = INT64_MIN;
		r->ans_t = MM_NS_NONE;
	}

	/* send times for the window as stream_finish would set them, with the RTT so far */
	tmp = malloc((n + 1) * sizeof(*tmp));
	if (!tmp)
		return -1;
	for (size_t i = 0; i < n; i++) {
		v[i].flags &= (uint8_t)~SL_EST;
		if ((v[i].flags & (SL_REQ | SL_REP)) == (SL_REQ | SL_REP) && v[i].rep >= v[i].t)
			tmp[nr++] = mm_sub(v[i].rep, v[i].t);
	}
	rtt = medset_median_with(&r->rtt, tmp, nr, &oom);
	if (!oom)
		iv = echo_stream_interval(s, v, n, req_mode ? SL_REQ : SL_REP, tmp, &oom);
	free(tmp);
	if (oom)
		return -1;
	echo_estimate_times(v, n, rtt);
	thr = req_mode ? echo_threshold(et, rtt, iv) : MM_NS_NONE;
	if (thr != MM_NS_NONE) {
		if (r->ur_on) {
			unresp_retune(&r->ur, thr, iv);
		} else {
			unresp_init(&r->ur, thr, iv);
			r->ur_on = 1;
		}
	}

	for (size_t i = 0; i < cut; i++) {
		const struct seqwin_slot *sl = &v[i];
		int64_t u = s->w.base + (int64_t)i;
		struct unresp_episode ue;

		fold_figures(et, r, v, i, n, u);
		if (r->ur_on && unresp_feed(&r->ur, (uint64_t)u, sl->t, (sl->flags & SL_REP) ? sl->rep : MM_NS_NONE,
					    &ue) && echo_unresp_push(et, &r->ureps, &ue, 1) < 0)
			return -1;
		if (!(sl->flags & SL_REP)) {
			if (!r->open) {
				r->open = 1;
				r->open_k = u;
				r->open_first_t = sl->t;
				r->open_began = u > s->w.umin;
				r->open_before_t = r->ans_t;	/* replies only: its on-time reply time */
			}
			r->open_last_t = sl->t;
			if (req_mode && et->lost_fn && s->replies > 0)
				et->lost_fn(et->lost_ctx, sl->t);
			continue;
		}
		if (r->open) {
			struct episode_edges e;

			memset(&e, 0, sizeof(e));
			e.first_seq = (uint64_t)r->open_k;	/* unshifted until stream_finish */
			e.last_seq = (uint64_t)(u - 1);
			e.first_lost = r->open_first_t;
			e.last_lost = r->open_last_t;
			e.before = r->open_began ? r->open_before_t : MM_NS_NONE;
			e.after = sl->t;
			e.inferred = (uint8_t)!req_mode;
			r->open = 0;
			keep_run(et, s, &e, iv);
		}
		r->ans_t = sl->t;
	}
	r->last_flags = v[cut - 1].flags;
	r->last_t = v[cut - 1].t;
	r->last_rep = v[cut - 1].rep;

	/* the new window starts at the cut; its first slot keeps the time it was given */
	if (v[cut].flags & (SL_EST | SL_FIX))
		v[cut].flags |= SL_FIX;
	seqwin_advance(&s->w, &et->pool, cut);
	return 0;
}

/* The stream's interval as echo_finish would measure it now; *oom set when out of memory. */
static mm_ns interval_now(const struct stream *s, int *oom)
{
	size_t n = seqwin_len(&s->w);
	mm_ns *tmp = malloc((n + 1) * sizeof(*tmp)), iv;

	if (!tmp) {
		*oom = 1;
		return MM_NS_NONE;
	}
	iv = echo_stream_interval(s, seqwin_first(&s->w), n, s->requests ? SL_REQ : SL_REP, tmp, oom);
	free(tmp);
	return iv;
}

/* The stream's retired loss episodes ended before `before` counted as not listed; how many. */
static size_t forget_loss(struct echo_table *et, struct stream *s, mm_ns before)
{
	struct retired *r = &s->r;
	size_t keep = 0, nf = 0;
	mm_ns iv = MM_NS_NONE;
	int have_iv = 0, oom = 0;

	for (size_t k = 0; k < r->n_eps; k++) {
		const struct episode_edges ed = r->eps[k];
		struct episode ep;
		mm_ns end;

		if (ed.after == MM_NS_NONE || ed.after >= before || oom) {
			r->eps[keep++] = ed;
			continue;
		}
		if (!have_iv) {
			iv = interval_now(s, &oom);
			have_iv = 1;
			if (oom) {
				r->eps[keep++] = ed;
				continue;
			}
		}
		episode_build(&ep, &ed, iv, s->first_ts, s->last_ts);
		end = mm_add(ep.first_lost_ts, ep.estimate);
		if (end < ed.after)
			end = ed.after;
		if ((ed.inferred && iv == MM_NS_NONE) || end >= before) {
			r->eps[keep++] = ed;
			continue;
		}
		count_unlisted(et, r, &ep, iv);
		nf++;
	}
	r->n_eps = keep;
	arr_shrink((void **)&r->eps, &r->cap_eps, r->n_eps, sizeof(*r->eps), 0);
	return nf;
}

/* The same for the retired unresponsive episodes (final as they are). */
static size_t forget_unresp(struct stream *s, mm_ns before)
{
	struct eplist *l = &s->r.ureps;
	struct unresp_episode *v = l->v;
	size_t keep = 0, nf = 0;

	for (size_t k = 0; k < l->n; k++) {
		const struct unresp_episode e = v[k];

		if (e.end == MM_NS_NONE || e.end >= before) {
			v[keep++] = e;
			continue;
		}
		echo_eplist_count(l, &e);
		nf++;
	}
	l->n = keep;
	arr_shrink(&l->v, &l->cap, l->n, sizeof(*v), 0);
	return nf;
}

size_t echo_forget_before(struct echo_table *et, mm_ns before)
{
	size_t loss = 0, un = 0;

	if (before == MM_NS_NONE)
		return 0;
	for (size_t i = 0; i < et->n_streams; i++) {
		struct stream *s = et->streams[i];

		loss += forget_loss(et, s, before);
		un += forget_unresp(s, before);
	}
	/* their places under the listing cap are free again */
	et->listed_retired -= loss <= et->listed_retired ? loss : et->listed_retired;
	et->listed -= loss <= et->listed ? loss : et->listed;
	et->ulisted_retired -= un <= et->ulisted_retired ? un : et->ulisted_retired;
	et->ulisted -= un <= et->ulisted ? un : et->ulisted;
	return loss + un;
}

/*
 * A stream this long without a message is idle: its window can be
 * retired down to its last few slots when the slot pool is short, so the
 * windows of pings that ended do not keep later ones out (a capture of
 * weeks sees many come and go).
 */
#define ECHO_IDLE_NS      (60 * MM_NS_PER_S)
#define ECHO_IDLE_KEEP    16   /* slots an idle window keeps: room for the late check */

int echo_reclaim(struct echo_table *et, mm_ns now, const struct stream *except)
{
	struct stream *best = NULL;
	size_t before = et->pool.used;
	mm_ns idle_before = mm_sub(now, ECHO_IDLE_NS);

	for (size_t i = 0; i < et->n_streams; i++) {
		struct stream *s = et->streams[i];

		if (s == except || s->w.alloc <= 2 * ECHO_IDLE_KEEP || s->last_ts == MM_NS_NONE ||
		    s->last_ts >= idle_before || s->reclaimed)
			continue;
		if (!best || s->last_ts < best->last_ts)
			best = s;
	}
	if (!best)
		return -1;
	best->reclaimed = 1;	/* until it is heard again */
	if (seqwin_len(&best->w) > ECHO_IDLE_KEEP &&
	    echo_retire(et, best, best->w.umax - ECHO_IDLE_KEEP + 1) < 0)
		return -1;
	seqwin_trim(&best->w, &et->pool);
	return et->pool.used < before ? 0 : -1;
}
