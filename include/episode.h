/* episode.h - one downtime episode's figures from the times around it, overflow-safe and never negative. */
#ifndef MM_EPISODE_H
#define MM_EPISODE_H

#include <stdint.h>

#include "mmtime.h"

/*
 * One downtime episode: a maximal run of consecutive requests (by
 * their numbers: an echo stream's unwrapped sequence numbers) that got no
 * reply (SPEC "Downtime from ICMP echo").  Times are absolute; MM_NS_NONE
 * where the capture does not say.
 */
struct episode {
	uint64_t first_seq, last_seq;  /* unwrapped sequence numbers of the run */
	uint64_t lost;                 /* requests in the run */
	mm_ns first_lost_ts;           /* first unanswered request */
	mm_ns last_lost_ts;            /* last unanswered request */
	mm_ns estimate;                /* t(first answered after) - t(first unanswered) */
	mm_ns lower;                   /* span of the unanswered requests (last - first) */
	mm_ns upper;                   /* t(first answered after) - t(last answered before); MM_NS_NONE if open */
	uint8_t began_in_capture;      /* 0: no answered request before it */
	uint8_t ended_in_capture;      /* 0: no answered request after it */
	uint8_t inferred;              /* 1: built from reply sequence gaps (requests not seen) */
	uint8_t by_interval;           /* 1: the times around it are out of order (the clock stepped
	                                  back inside it): estimate, bounds = lost x interval (-1, +1) */
};

/*
 * What the echo table knows of a run of unanswered requests: its
 * sequence numbers and the times around it.  Request episodes (inferred
 * 0) carry the send times of the first and last unanswered request and
 * of the answered requests just before and after; reply-gap episodes
 * (inferred 1, no request captured) only the on-time reply times before
 * and after (a late reply is not an edge: the echo table gives it the
 * time its neighbours say it was due).  MM_NS_NONE: no answered request
 * before (the outage began before the capture) or after (still going on
 * at its end).
 */
struct episode_edges {
	uint64_t first_seq, last_seq;	/* unwrapped sequence numbers, first <= last */
	mm_ns first_lost, last_lost;	/* request episodes only */
	mm_ns before, after;
	uint8_t inferred;
};

/*
 * Fills *ep from the edges, `iv` the stream's measured interval
 * (MM_NS_NONE when unknown) and [span_lo, span_hi] the stream's first and
 * last message.  Every figure is computed with saturating arithmetic;
 * the times are clamped into the span (and, for reply gaps, between the
 * replies around it); no bound or estimate is negative, lower <= estimate
 * <= upper.  When the times around the run are out of order (the
 * capture's clock stepped back inside the outage) the time differences
 * mean nothing: the figures are then lost x interval (lower: one interval
 * less, upper: one more) and ep->by_interval is set.
 */
void episode_build(struct episode *ep, const struct episode_edges *e, mm_ns iv, mm_ns span_lo,
		   mm_ns span_hi);

/* Send time of the j-th (from 0) of an inferred episode's lost requests, spread over [first, last]. */
mm_ns episode_lost_ts(const struct episode *ep, uint64_t j);

/* ta + (tb - ta) * num / den, for num <= den, without overflow. */
mm_ns episode_lerp(mm_ns ta, mm_ns tb, uint64_t num, uint64_t den);

#endif
