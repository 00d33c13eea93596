/* echo-times.c - an echo stream's measured interval and every slot's send time (seen, interpolated or estimated). */
#include <stdlib.h>

#include "echo-int.h"

mm_ns echo_slot_time(const struct seqwin_slot *sl, int use_rep)
{
	return use_rep ? sl->rep : sl->t;
}

/*
 * Median gap between consecutive sequence numbers both carrying `flag`.
 * Without any such pair (only every other one captured) the gaps between
 * neighbours are divided by their sequence distance instead.
 */
static mm_ns median_gap(const struct seqwin_slot *v, size_t n, uint8_t flag, mm_ns *tmp)
{
	int use_rep = flag == SL_REP;
	size_t k = 0, prev = SIZE_MAX;

	for (size_t i = 1; i < n; i++) {
		if ((v[i].flags & flag) && (v[i - 1].flags & flag))
			tmp[k++] = mm_sub(echo_slot_time(&v[i], use_rep), echo_slot_time(&v[i - 1], use_rep));
	}
	if (k == 0) {
		for (size_t i = 0; i < n; i++) {
			if (!(v[i].flags & flag))
				continue;
			if (prev != SIZE_MAX)
				tmp[k++] = mm_sub(echo_slot_time(&v[i], use_rep), echo_slot_time(&v[prev], use_rep)) /
					   (mm_ns)(i - prev);
			prev = i;
		}
	}
	return k ? medset_median(tmp, k) : MM_NS_NONE;
}

/* Gives every unknown slot lying between two known ones an interpolated send time. */
static void interpolate(struct seqwin_slot *v, size_t n)
{
	size_t prev = SIZE_MAX;

	for (size_t i = 0; i < n; i++) {
		if (!(v[i].flags & SL_KNOWN))
			continue;
		if (prev != SIZE_MAX) {
			for (size_t j = prev + 1; j < i; j++) {
				v[j].t = episode_lerp(v[prev].t, v[i].t, j - prev, i - prev);
				v[j].flags |= SL_EST;
			}
		}
		prev = i;
	}
}

/*
 * Send times for every slot: seen requests, then interpolation between
 * them; at the edges (requests not captured yet / any more) the reply
 * time minus the median RTT, then interpolation again.  A reply that
 * came after the reply to a later request is late: its own time says
 * nothing about when it was sent, so it is interpolated from its
 * neighbours like a lost one (unless nothing before it has a time).  The
 * range ends are seen messages, so every slot ends up with a time.
 */
void echo_estimate_times(struct seqwin_slot *v, size_t n, mm_ns rtt)
{
	mm_ns after = MM_NS_MAX, r = rtt == MM_NS_NONE ? 0 : rtt;
	size_t i;

	interpolate(v, n);
	for (i = n; i-- > 0;) {
		if (!(v[i].flags & SL_KNOWN) && (v[i].flags & SL_REP) && v[i].rep <= after) {
			v[i].t = mm_sub(v[i].rep, r);
			v[i].flags |= SL_EST;
		}
		if ((v[i].flags & SL_REP) && v[i].rep < after)
			after = v[i].rep;
	}
	for (i = 0; i < n && !(v[i].flags & SL_KNOWN); i++) {
		if (v[i].flags & SL_REP) {
			v[i].t = mm_sub(v[i].rep, r);
			v[i].flags |= SL_EST;
		}
	}
	interpolate(v, n);
}

/*
 * Gaps between sequence-neighbours both carrying `flag` in the window,
 * and the pair across the window's start (the last retired slot and
 * v[0]); into tmp.  `spread`: gaps between flagged slots of any
 * distance, divided by it (the fallback when no neighbours exist).
 */
static size_t window_gaps(const struct stream *s, const struct seqwin_slot *v, size_t n, uint8_t flag,
			  int spread, mm_ns *tmp)
{
	int use_rep = flag == SL_REP, fi = use_rep;
	size_t k = 0, prev = SIZE_MAX;

	if (!spread) {
		if (s->r.any && (s->r.last_flags & flag) && (v[0].flags & flag))
			tmp[k++] = mm_sub(echo_slot_time(&v[0], use_rep), use_rep ? s->r.last_rep : s->r.last_t);
		for (size_t i = 1; i < n; i++)
			if ((v[i].flags & flag) && (v[i - 1].flags & flag))
				tmp[k++] = mm_sub(echo_slot_time(&v[i], use_rep), echo_slot_time(&v[i - 1], use_rep));
		return k;
	}
	for (size_t i = 0; i < n; i++) {
		if (!(v[i].flags & flag))
			continue;
		if (prev != SIZE_MAX)
			tmp[k++] = mm_sub(echo_slot_time(&v[i], use_rep), echo_slot_time(&v[prev], use_rep)) /
				   (mm_ns)(i - prev);
		else if (s->r.any && s->r.last_flag_u[fi] != INT64_MIN)
			tmp[k++] = mm_sub(echo_slot_time(&v[i], use_rep), s->r.last_flag_t[fi]) /
				   (mm_ns)(s->w.base + (int64_t)i - s->r.last_flag_u[fi]);
		prev = i;
	}
	return k;
}

/*
 * The measured interval: median_gap over the retired slots and the
 * window together; never negative (a median gap below zero is a clock
 * running backwards, not an interval).  *oom set when out of memory.
 */
mm_ns echo_stream_interval(const struct stream *s, const struct seqwin_slot *v, size_t n, uint8_t flag,
			   mm_ns *tmp, int *oom)
{
	int fi = flag == SL_REP;
	size_t k;
	mm_ns iv;

	if (!s->r.any) {
		iv = median_gap(v, n, flag, tmp);
	} else {
		k = window_gaps(s, v, n, flag, 0, tmp);
		if (k || medset_count(&s->r.gap[fi][0])) {
			iv = medset_median_with(&s->r.gap[fi][0], tmp, k, oom);
		} else {
			k = window_gaps(s, v, n, flag, 1, tmp);
			iv = medset_median_with(&s->r.gap[fi][1], tmp, k, oom);
		}
	}
	return iv == MM_NS_NONE ? iv : mm_nonneg(iv);
}
