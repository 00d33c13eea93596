/* echo-episodes.c - an echo stream's loss episodes: runs of unanswered requests in its window (SPEC "Downtime from ICMP echo"). */
#include <string.h>

#include "arr.h"
#include "echo-int.h"

#define ECHO_PENDING_MIN   (10 * 1000 * 1000)   /* 10 ms */

/* Lists an episode while the table's listing cap allows, else only counts it. Returns 0 or -1 (memory). */
static int push_episode(struct echo_table *et, struct stream *s, const struct episode *ep)
{
	if (et->listed >= ECHO_MAX_LISTED) {
		s->ul_n++;
		s->ul_lost += ep->lost;
		s->ul_total = mm_add(s->ul_total, ep->estimate);
		if (ep->estimate > s->ul_longest)
			s->ul_longest = ep->estimate;
		return 0;
	}
	if (s->n_eps == s->cap_eps && arr_grow((void **)&s->eps, &s->cap_eps, sizeof(*s->eps), 8) < 0)
		return -1;
	s->eps[s->n_eps++] = *ep;
	et->listed++;
	return 0;
}

/*
 * Builds the episode of `e` (unshifted sequence numbers) with the
 * stream's interval and span into *ep, and lists it.  Returns 0 or -1.
 */
static int add_episode(struct echo_table *et, struct stream *s, struct episode_edges e, mm_ns iv,
		       struct episode *ep)
{
	e.first_seq += (uint64_t)s->shift;
	e.last_seq += (uint64_t)s->shift;
	episode_build(ep, &e, iv, s->first_ts, s->last_ts);
	return push_episode(et, s, ep);
}

/* Edges of a request run [k, m] of the window; i is the slot after it (answered) or n. */
static struct episode_edges request_run(const struct stream *s, const struct seqwin_slot *v, size_t k, size_t m,
					size_t i, size_t n, int carried)
{
	struct episode_edges e;

	memset(&e, 0, sizeof(e));
	e.first_seq = (uint64_t)(carried ? s->r.open_k : s->w.base + (int64_t)k);
	e.last_seq = (uint64_t)(s->w.base + (int64_t)m);
	e.first_lost = carried ? s->r.open_first_t : v[k].t;
	e.last_lost = v[m].t;
	if (carried)
		e.before = s->r.open_began ? s->r.open_before_t : MM_NS_NONE;
	else
		e.before = k > 0 ? v[k - 1].t : MM_NS_NONE;
	e.after = i < n ? v[i].t : MM_NS_NONE;
	return e;
}

size_t echo_pending_from(const struct seqwin_slot *v, size_t n, mm_ns iv, mm_ns rtt_max, mm_ns capture_end)
{
	mm_ns window = ECHO_PENDING_MIN, cutoff;
	size_t last_ans = 0, pend_from = n;

	for (size_t j = 0; j < n; j++) {
		if (v[j].flags & SL_REP)
			last_ans = j;
	}
	if (iv != MM_NS_NONE && mm_mul(2, iv) > window)
		window = mm_mul(2, iv);
	if (mm_mul(2, rtt_max) > window)
		window = mm_mul(2, rtt_max);
	cutoff = mm_sub(capture_end, window);
	while (pend_from > last_ans + 1 && v[pend_from - 1].t >= cutoff)
		pend_from--;
	return pend_from;
}


/*
 * The next run of slots with no reply in [*i, end): its first and last
 * slot in *k, *m, and *i just past it (the answered slot that ends it, or
 * end).  Returns 0 when there is none.
 */
static int unanswered_run(const struct seqwin_slot *v, size_t *i, size_t end, size_t *k, size_t *m)
{
	while (*i < end && (v[*i].flags & SL_REP))
		(*i)++;
	if (*i >= end)
		return 0;
	*k = *i;
	while (*i < end && !(v[*i].flags & SL_REP))
		(*i)++;
	*m = *i - 1;
	return 1;
}
/*
 * Episodes from unanswered requests; the ones from pend_from on are
 * pending.  v[0] is sequence number s->w.base; a run the retired slots
 * left open (s->r.open) continues at v[0].
 */
int echo_request_episodes(struct echo_table *et, struct stream *s, struct seqwin_slot *v, size_t n, mm_ns iv,
			  size_t pend_from)
{
	struct episode ep;
	size_t i = 0;

	s->info.pending = n - pend_from;
	if (s->r.open && (v[0].flags & SL_REP)) {
		/* the run the retired slots left open ended just before the window */
		struct episode_edges e;

		memset(&e, 0, sizeof(e));
		e.first_seq = (uint64_t)s->r.open_k;
		e.last_seq = (uint64_t)(s->w.base - 1);
		e.first_lost = s->r.open_first_t;
		e.last_lost = s->r.open_last_t;
		e.before = s->r.open_began ? s->r.open_before_t : MM_NS_NONE;
		e.after = v[0].t;
		if (add_episode(et, s, e, iv, &ep) < 0)
			return -1;
	}

	for (;;) {
		size_t k, m;
		int carried;

		if (!unanswered_run(v, &i, pend_from, &k, &m))
			break;
		carried = k == 0 && s->r.open;
		for (size_t j = k; j <= m; j++)
			v[j].flags |= SL_LOST;
		/* slot i is answered when i < pend_from; past it the run ran into the pending ones */
		if (add_episode(et, s, request_run(s, v, k, m, i < pend_from ? i : n, n, carried), iv, &ep) < 0)
			return -1;
	}
	return 0;
}

/* Edges of a reply-gap run between on-time reply times ta and tb (unshifted sequence numbers). */
static struct episode_edges reply_run(int64_t k_seq, int64_t m_seq, mm_ns ta, mm_ns tb)
{
	struct episode_edges e;

	memset(&e, 0, sizeof(e));
	e.first_seq = (uint64_t)k_seq;
	e.last_seq = (uint64_t)m_seq;
	e.before = ta;
	e.after = tb;
	e.inferred = 1;
	return e;
}

/*
 * Episodes inferred from gaps in the reply sequence (no request
 * captured).  The edges are the answered slots' times: their replies, or
 * for a late reply the time its neighbours say it was due.
 */
int echo_reply_episodes(struct echo_table *et, struct stream *s, struct seqwin_slot *v, size_t n, mm_ns iv)
{
	struct episode ep;
	int64_t base = s->w.base;
	size_t i = 0;

	if (iv == MM_NS_NONE)
		return 0;
	if (s->r.open && (v[0].flags & SL_REP)) {
		/* the run the retired slots left open ended just before the window */
		if (add_episode(et, s, reply_run(s->r.open_k, base - 1, s->r.open_before_t, v[0].t), iv, &ep) < 0)
			return -1;
	}
	for (;;) {
		size_t k, m;
		int carried;

		/* range ends are replies, so k > 0 (or the run is carried in) and i < n after it */
		if (!unanswered_run(v, &i, n, &k, &m))
			break;
		carried = k == 0 && s->r.open;
		if (add_episode(et, s, reply_run(carried ? s->r.open_k : base + (int64_t)k, base + (int64_t)m,
						 carried ? s->r.open_before_t : v[k - 1].t, v[i].t), iv, &ep) < 0)
			return -1;
		/* spread the lost requests over [first, last] for echo_visit_lost */
		for (size_t j = k; j <= m; j++) {
			v[j].t = episode_lost_ts(&ep, (uint64_t)(base + (int64_t)j + s->shift) - ep.first_seq);
			v[j].flags |= SL_EST | SL_LOST;
		}
	}
	return 0;
}
