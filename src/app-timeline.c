/* app-timeline.c - the application stage's timeline: kept turns, stalls and gaps, bins, the cumulative curve, the VM's frame spacing. */
#include "app.h"
#include "app-int.h"

#include <stdlib.h>
#include <string.h>

/* Appends one element to a capped array; 0, or -1 when at the cap or out of memory. */
int app_grow(void **arr, size_t *n, size_t *cap, size_t max, size_t size)
{
	void *na;
	size_t ncap;

	if (*n < *cap)
		return 0;
	if (*n >= max)
		return -1;
	ncap = *cap ? *cap * 2 : 64;
	if (ncap > max)
		ncap = max;
	na = realloc(*arr, ncap * size);
	if (!na)
		return -1;
	*arr = na;
	*cap = ncap;
	return 0;
}

int app_addr_eq(const struct dec_addr *x, const struct dec_addr *y)
{
	return x->family == y->family && memcmp(x->a, y->a, 16) == 0;
}

/* The bin with series index i, created in index order (frames come nearly in time order). */
struct app_bin *app_bin_at(struct app_table *a, uint64_t i)
{
	size_t lo = 0, hi = a->nbins;

	if (a->nbins && a->bins[a->nbins - 1].index == i)
		return &a->bins[a->nbins - 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->bins[mid].index < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < a->nbins && a->bins[lo].index == i)
		return &a->bins[lo];
	if (app_grow((void **)&a->bins, &a->nbins, &a->cap_bins, APP_MAX_BINS, sizeof(*a->bins)) < 0) {
		a->t.bins_dropped++;
		return NULL;
	}
	memmove(&a->bins[lo + 1], &a->bins[lo], (a->nbins - lo) * sizeof(*a->bins));
	memset(&a->bins[lo], 0, sizeof(*a->bins));
	a->bins[lo].index = i;
	a->nbins++;
	return &a->bins[lo];
}

const struct app_bin *app_bin_get(const struct app_table *a, uint64_t i)
{
	size_t lo = 0, hi = a ? a->nbins : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->bins[mid].index < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return a && lo < a->nbins && a->bins[lo].index == i ? &a->bins[lo] : NULL;
}

/* Halves the curve's resolution: cumulative points, so every other one can go. */
static void coarsen(struct app_table *a)
{
	size_t i, n = 0;

	a->granule *= 2;
	for (i = 0; i < a->npts; i++) {
		struct app_point p = a->pts[i];

		p.g /= 2;
		if (n && a->pts[n - 1].g == p.g) {
			if (a->pts[n - 1].stall_max > p.stall_max)
				p.stall_max = a->pts[n - 1].stall_max;
			a->pts[n - 1] = p;
		} else
			a->pts[n++] = p;
	}
	a->npts = n;
}

/* The cumulative counters after an event at ts, and the longest stall it ended: one point per granule. */
void app_note_point(struct app_table *a, mm_ns ts)
{
	int64_t g = ts / a->granule;
	mm_ns stall = a->frame_stall;

	a->frame_stall = -1;
	if (a->npts && a->pts[a->npts - 1].g >= g) {
		struct app_point *p = &a->pts[a->npts - 1];
		int64_t keep = p->g;
		mm_ns mx = p->stall_max > stall ? p->stall_max : stall;

		*p = a->cum;
		p->g = keep;	/* out of order: counted in the latest granule */
		p->stall_max = mx;
		return;
	}
	if (a->npts == APP_MAX_POINTS) {
		coarsen(a);
		g = ts / a->granule;
		if (a->pts[a->npts - 1].g >= g) {
			a->frame_stall = stall;
			app_note_point(a, ts);
			return;
		}
	}
	if (app_grow((void **)&a->pts, &a->npts, &a->cap_pts, APP_MAX_POINTS, sizeof(*a->pts)) < 0) {
		a->oom = 1;
		return;
	}
	a->pts[a->npts] = a->cum;
	a->pts[a->npts].g = g;
	a->pts[a->npts].stall_max = stall;
	a->npts++;
}

mm_ns app_longest_stall_in(const struct app_table *a, mm_ns lo, mm_ns hi)
{
	int64_t glo = lo / a->granule, ghi = hi / a->granule;
	mm_ns best = MM_NS_NONE;
	size_t i;

	/* The kept ones by their exact end: after the phase's start, at its end at the latest. */
	for (i = 0; i < a->nstalls; i++) {
		mm_ns len = mm_sub(a->stalls[i].end, a->stalls[i].start);

		if (a->stalls[i].end > lo && a->stalls[i].end <= hi && (best == MM_NS_NONE || len > best))
			best = len;
	}

	for (i = 0; i < a->npts; i++)
		if (a->pts[i].g >= glo && a->pts[i].g < ghi && a->pts[i].stall_max >= 0 &&
		    (best == MM_NS_NONE || a->pts[i].stall_max > best))
			best = a->pts[i].stall_max;
	return best;
}

void app_counters_before(const struct app_table *a, mm_ns t, struct app_point *out)
{
	int64_t g = t / a->granule;
	size_t lo = 0, hi = a->npts;

	/* The last point of a granule before t's. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->pts[mid].g < g)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		memset(out, 0, sizeof(*out));
	else
		*out = a->pts[lo - 1];
}

void app_add_stall(struct app_table *a, mm_ns start, mm_ns end, int open)
{
	mm_ns len = mm_sub(end, start);

	if (len <= 0)
		return;
	if (len > a->frame_stall_bin)
		a->frame_stall_bin = len;
	if (a->t.longest.start == MM_NS_NONE || len > mm_sub(a->t.longest.end, a->t.longest.start)) {
		a->t.longest.start = start;
		a->t.longest.end = end;
		a->t.longest.open = (uint8_t)open;
	}
	/*
	 * A stall of 1 ms or more is kept with its exact end (the phases need
	 * it: one ending with the response that ends the switchover is the
	 * switchover's); a shorter one, or one past the cap, only in the
	 * curve's point of its granule.
	 */
	if (len < APP_STALL_MIN ||
	    app_grow((void **)&a->stalls, &a->nstalls, &a->cap_stalls, APP_MAX_STALLS, sizeof(*a->stalls)) < 0) {
		if (len >= APP_STALL_MIN)
			a->t.stalls_not_kept++;
		if (len > a->frame_stall)
			a->frame_stall = len;
		return;
	}
	a->stalls[a->nstalls].start = start;
	a->stalls[a->nstalls].end = end;
	a->stalls[a->nstalls].open = (uint8_t)open;
	a->nstalls++;
}

static void add_gap(struct app_table *a, unsigned host, mm_ns from, mm_ns to)
{
	if (app_grow((void **)&a->gaps, &a->ngaps, &a->cap_gaps, APP_MAX_GAPS, sizeof(*a->gaps)) < 0) {
		a->t.gaps_not_kept++;
		return;
	}
	a->gaps[a->ngaps].from = from;
	a->gaps[a->ngaps].to = to;
	a->gaps[a->ngaps].host = host;
	a->ngaps++;
}

/* One spacing between a source's frames: the median's sample, and a gap when long. */
void app_spacing_add(struct app_table *a, struct medset *ms, unsigned host, mm_ns *last, mm_ns ts)
{
	if (*last != MM_NS_NONE && ts > *last) {
		mm_ns d = ts - *last;

		medset_add(ms, &a->medset_used, APP_MEDSET_BUDGET, d);
		if (d >= APP_GAP_MIN)
			add_gap(a, host, *last, ts);
	}
	if (*last == MM_NS_NONE || ts > *last)
		*last = ts;
}

void app_host_frame(struct app_table *a, const struct dec_addr *src, mm_ns ts)
{
	size_t i;

	if (!a->cfg.enabled || !src->family)
		return;
	for (i = 0; i < a->nhosts; i++)
		if (app_addr_eq(&a->hosts[i].ip, src))
			break;
	if (i == a->nhosts) {
		if (a->nhosts == APP_MAX_HOSTS)
			return;
		memset(&a->hosts[i], 0, sizeof(a->hosts[i]));
		a->hosts[i].ip = *src;
		a->hosts[i].last = MM_NS_NONE;
		a->nhosts++;
	}
	app_spacing_add(a, &a->hosts[i].spacing, (unsigned)i, &a->hosts[i].last, ts);
}

int app_host_find(const struct app_table *a, const struct dec_addr *ip)
{
	size_t i;

	for (i = 0; ip->family && i < a->nhosts; i++)
		if (app_addr_eq(&a->hosts[i].ip, ip))
			return (int)i;
	return -1;
}

mm_ns app_spacing(const struct app_table *a, unsigned host)
{
	int oom = 0;
	const struct medset *ms = host == APP_HOST_SERVICE ? &a->svc_spacing :
				  host < a->nhosts ? &a->hosts[host].spacing : NULL;

	return ms ? medset_median_with(ms, NULL, 0, &oom) : MM_NS_NONE;
}

size_t app_turn_count(const struct app_table *a)
{
	return a->nturns;
}

const struct app_turn *app_turn_get(const struct app_table *a, size_t i)
{
	return i < a->nturns ? &a->turns[i] : NULL;
}

size_t app_stall_count(const struct app_table *a)
{
	return a->nstalls;
}

const struct app_stall *app_stall_get(const struct app_table *a, size_t i)
{
	return i < a->nstalls ? &a->stalls[i] : NULL;
}

size_t app_gap_count(const struct app_table *a)
{
	return a->ngaps;
}

const struct app_gap *app_gap_get(const struct app_table *a, size_t i)
{
	return i < a->ngaps ? &a->gaps[i] : NULL;
}

void app_get_totals(const struct app_table *a, struct app_totals *t)
{
	*t = a->t;
	t->connections_not_fitted = a->t.connections_not_fitted;
}
