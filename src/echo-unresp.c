/* echo-unresp.c - an echo stream's unresponsive time: runs of requests with no reply within the threshold (README "Unresponsive time"). */
#include <stdlib.h>
#include <string.h>

#include "arr.h"
#include "echo-int.h"

mm_ns echo_threshold(const struct echo_table *et, mm_ns rtt_median, mm_ns iv)
{
	if (et->cfg.late_threshold > 0)
		return et->cfg.late_threshold;
	/* no RTT: nothing was ever answered, so nothing tells what "in time" is */
	if (rtt_median == MM_NS_NONE)
		return MM_NS_NONE;
	return unresp_threshold(rtt_median, iv);
}

void echo_eplist_free(struct eplist *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void echo_eplist_count(struct eplist *l, const struct unresp_episode *e)
{
	l->unlisted++;
	l->unlisted_lost += e->lost;
	l->unlisted_total = mm_add(l->unlisted_total, e->gap);
	if (e->gap > l->unlisted_longest)
		l->unlisted_longest = e->gap;
	if (e->worst_rtt != MM_NS_NONE && e->worst_rtt > l->unlisted_worst_rtt)
		l->unlisted_worst_rtt = e->worst_rtt;
}

int echo_unresp_push(struct echo_table *et, struct eplist *l, const struct unresp_episode *e, int retired)
{
	struct unresp_episode *v;

	if (et->ulisted >= ECHO_MAX_LISTED) {
		echo_eplist_count(l, e);
		return 0;
	}
	if (l->n == l->cap && arr_grow(&l->v, &l->cap, sizeof(*e), 8) < 0)
		return -1;
	v = l->v;
	v[l->n++] = *e;
	et->ulisted++;
	if (retired)
		et->ulisted_retired++;
	return 0;
}

/* Reported numbers are >= 0 yet congruent to the wire value (the stream's shift). */
static void shifted(struct unresp_episode *e, int64_t shift)
{
	e->first += (uint64_t)shift;
	e->last += (uint64_t)shift;
}

int echo_unresp_finish(struct echo_table *et, struct stream *s, const struct seqwin_slot *v, size_t pend_from,
		       mm_ns threshold, mm_ns iv)
{
	struct echo_stream_info *in = &s->info;
	const struct unresp_episode *rv = s->r.ureps.v;
	struct unresp_run run;
	struct unresp_episode e;
	struct unresp_episode *all;

	s->ureps.n = 0;
	s->ureps.unlisted = s->ureps.unlisted_lost = 0;
	s->ureps.unlisted_total = s->ureps.unlisted_longest = s->ureps.unlisted_worst_rtt = 0;
	in->unresp_threshold = threshold;
	in->unresp_fixed = et->cfg.late_threshold > 0;
	if (threshold == MM_NS_NONE)
		return 0;
	/* what the retired slots closed first (already in the listing cap) */
	for (size_t k = 0; k < s->r.ureps.n; k++) {
		if (s->ureps.n == s->ureps.cap && arr_grow(&s->ureps.v, &s->ureps.cap, sizeof(e), 8) < 0)
			return -1;
		all = s->ureps.v;
		all[s->ureps.n] = rv[k];
		shifted(&all[s->ureps.n++], s->shift);
	}
	if (s->r.ur_on) {
		run = s->r.ur;
		unresp_retune(&run, threshold, iv);
	} else {
		unresp_init(&run, threshold, iv);
	}
	for (size_t i = 0; i <= pend_from; i++) {
		int closed = i < pend_from ? unresp_feed(&run, (uint64_t)(s->w.base + (int64_t)i), v[i].t,
							 (v[i].flags & SL_REP) ? v[i].rep : MM_NS_NONE, &e)
					   : unresp_end(&run, &e);

		if (!closed)
			continue;
		shifted(&e, s->shift);
		if (echo_unresp_push(et, &s->ureps, &e, 0) < 0)
			return -1;
	}
	arr_shrink(&s->ureps.v, &s->ureps.cap, s->ureps.n, sizeof(e), 0);	/* room left by forgotten ones */
	all = s->ureps.v;
	in->n_unresp = s->ureps.n;
	in->unresp = all;
	in->unresp_not_listed = s->ureps.unlisted + s->r.ureps.unlisted;
	in->unresp_total = mm_add(s->ureps.unlisted_total, s->r.ureps.unlisted_total);
	in->unresp_longest = s->ureps.unlisted_longest > s->r.ureps.unlisted_longest ? s->ureps.unlisted_longest
										      : s->r.ureps.unlisted_longest;
	in->unresp_worst_rtt = s->ureps.unlisted_worst_rtt > s->r.ureps.unlisted_worst_rtt ? s->ureps.unlisted_worst_rtt
											  : s->r.ureps.unlisted_worst_rtt;
	if (in->unresp_worst_rtt == 0)
		in->unresp_worst_rtt = MM_NS_NONE;	/* none of the unlisted had a late reply */
	for (size_t k = 0; k < s->ureps.n; k++) {
		in->unresp_total = mm_add(in->unresp_total, all[k].gap);
		if (all[k].gap > in->unresp_longest)
			in->unresp_longest = all[k].gap;
		if (all[k].worst_rtt != MM_NS_NONE &&
		    (in->unresp_worst_rtt == MM_NS_NONE || all[k].worst_rtt > in->unresp_worst_rtt))
			in->unresp_worst_rtt = all[k].worst_rtt;
	}
	return 0;
}
