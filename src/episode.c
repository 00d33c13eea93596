/* episode.c - a downtime episode's estimate and bounds from the times around it (SPEC "Downtime from ICMP echo"). */
#include "episode.h"

#include <string.h>

mm_ns episode_lerp(mm_ns ta, mm_ns tb, uint64_t num, uint64_t den)
{
	/* long double holds every int64 exactly; (tb - ta) * num may not fit in one */
	long double d = (long double)tb - (long double)ta;

	if (den == 0)
		return ta;
	return (mm_ns)((long double)ta + d * (long double)num / (long double)den);
}

mm_ns episode_lost_ts(const struct episode *ep, uint64_t j)
{
	return ep->lost > 1 ? episode_lerp(ep->first_lost_ts, ep->last_lost_ts, j, ep->lost - 1)
			    : ep->first_lost_ts;
}

/* Request episode: the SPEC's figures when the times are in order; 0 when they are not. */
static int from_requests(struct episode *ep, const struct episode_edges *e, mm_ns iv)
{
	if (e->first_lost > e->last_lost || (e->before != MM_NS_NONE && e->before > e->first_lost) ||
	    (e->after != MM_NS_NONE && e->last_lost > e->after))
		return 0;
	ep->first_lost_ts = e->first_lost;
	ep->last_lost_ts = e->last_lost;
	ep->lower = mm_sub(e->last_lost, e->first_lost);
	if (e->after != MM_NS_NONE) {
		ep->estimate = mm_sub(e->after, e->first_lost);
		ep->upper = e->before != MM_NS_NONE ? mm_sub(e->after, e->before) : MM_NS_NONE;
	} else {
		/* the capture ends inside the outage: what was seen plus one interval */
		ep->estimate = mm_add(ep->lower, iv);
		ep->upper = MM_NS_NONE;
	}
	return 1;
}

/*
 * Reply-gap episode between on-time replies at ta and tb: the lost
 * requests were sent from one interval after ta to one before tb.
 */
static int from_replies(struct episode *ep, const struct episode_edges *e, mm_ns iv)
{
	mm_ns ta = e->before, tb = e->after;

	if (ta > tb)
		return 0;
	ep->first_lost_ts = mm_clamp(mm_add(ta, iv), ta, tb);
	ep->last_lost_ts = mm_clamp(mm_sub(tb, iv), ep->first_lost_ts, tb);	/* jitter on a short gap */
	ep->estimate = mm_sub(mm_sub(tb, ta), iv);
	ep->lower = mm_mul(e->last_seq - e->first_seq, iv);
	ep->upper = mm_sub(tb, ta);
	return 1;
}

void episode_build(struct episode *ep, const struct episode_edges *e, mm_ns iv, mm_ns span_lo,
		   mm_ns span_hi)
{
	mm_ns step = iv == MM_NS_NONE ? 0 : mm_nonneg(iv);
	int ok;

	memset(ep, 0, sizeof(*ep));
	ep->first_seq = e->first_seq;
	ep->last_seq = e->last_seq >= e->first_seq ? e->last_seq : e->first_seq;
	ep->lost = ep->last_seq - ep->first_seq + 1;
	ep->inferred = e->inferred;
	ep->began_in_capture = e->before != MM_NS_NONE;
	ep->ended_in_capture = e->after != MM_NS_NONE;
	ok = e->inferred ? ep->began_in_capture && ep->ended_in_capture && from_replies(ep, e, step)
			 : from_requests(ep, e, step);
	if (!ok) {
		/* the clock stepped back inside the outage: count x interval is all that is left */
		ep->by_interval = 1;
		ep->lower = mm_mul(ep->lost - 1, step);
		ep->estimate = mm_mul(ep->lost, step);
		ep->upper = ep->began_in_capture && ep->ended_in_capture ? mm_mul(ep->lost + 1, step)
									  : MM_NS_NONE;
		if (e->inferred) {
			mm_ns t = e->before != MM_NS_NONE ? e->before : e->after;

			ep->first_lost_ts = t == MM_NS_NONE ? span_lo : mm_add(t, step);
		} else {
			ep->first_lost_ts = e->first_lost;
		}
		ep->last_lost_ts = mm_add(ep->first_lost_ts, ep->lower);
	}
	if (span_lo != MM_NS_NONE && span_hi != MM_NS_NONE && span_lo <= span_hi) {
		ep->first_lost_ts = mm_clamp(ep->first_lost_ts, span_lo, span_hi);
		ep->last_lost_ts = mm_clamp(ep->last_lost_ts, ep->first_lost_ts, span_hi);
	}
	ep->lower = mm_nonneg(ep->lower);
	ep->estimate = mm_nonneg(ep->estimate);
	if (ep->upper != MM_NS_NONE) {
		ep->upper = mm_nonneg(ep->upper);
		if (ep->lower > ep->upper)
			ep->lower = ep->upper;	/* an interval measured longer than this gap */
		if (ep->estimate > ep->upper)
			ep->estimate = ep->upper;
	}
	if (ep->estimate < ep->lower)
		ep->estimate = ep->lower;
}
