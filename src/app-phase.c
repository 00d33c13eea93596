/* app-phase.c - one migration's phases (before, pre-copy, switchover, after) and the blackout from the VM's own traffic. */
#include "app.h"

#include <stdlib.h>
#include <string.h>

#include "medset.h"

/* A response is timely when it takes at most this many times the "before" median ... */
#define APP_TIMELY_FACTOR 10
/* ... and never less than this (a fast LAN service's median is microseconds). */
#define APP_TIMELY_FLOOR (10 * MM_NS_PER_S / 1000)
/* Without turns before the migration: any response within this is timely. */
#define APP_TIMELY_DEFAULT (MM_NS_PER_S)

static const char *const names[APP_PHASES] = { "before", "pre-copy", "switchover", "after" };

const char *app_phase_name(unsigned ph)
{
	return ph < APP_PHASES ? names[ph] : "?";
}

static int cmp_ns(const void *x, const void *y)
{
	mm_ns a = *(const mm_ns *)x, b = *(const mm_ns *)y;

	return (a > b) - (a < b);
}

long app_rt_figures(const struct app_table *a, mm_ns lo, mm_ns hi, mm_ns *median, mm_ns *p99, mm_ns *mean)
{
	size_t i, n = 0, total = app_turn_count(a);
	mm_ns *v;
	__int128 sum = 0;

	*median = *p99 = *mean = MM_NS_NONE;
	for (i = 0; i < total; i++) {
		const struct app_turn *t = app_turn_get(a, i);

		n += t->done >= lo && t->done < hi;
	}
	if (n == 0)
		return 0;
	v = malloc(n * sizeof(*v));
	if (!v)
		return -1;
	n = 0;
	for (i = 0; i < total; i++) {
		const struct app_turn *t = app_turn_get(a, i);

		if (t->done >= lo && t->done < hi) {
			v[n++] = t->rt;
			sum += t->rt;
		}
	}
	qsort(v, n, sizeof(*v), cmp_ns);
	*median = medset_median(v, n);
	/* Nearest rank: the smallest value with at least 99 % of them at or below it. */
	*p99 = v[(n * 99 + 99) / 100 - 1];
	*mean = (mm_ns)(sum / (__int128)n);
	free(v);
	return (long)n;
}

/* The first turn completed at or after `from` that took at most `limit`; MM_NS_NONE if none. */
static mm_ns first_timely(const struct app_table *a, mm_ns from, mm_ns limit)
{
	mm_ns best = MM_NS_NONE;
	size_t i;

	for (i = 0; i < app_turn_count(a); i++) {
		const struct app_turn *t = app_turn_get(a, i);

		if (t->done >= from && t->rt <= limit && (best == MM_NS_NONE || t->done < best))
			best = t->done;
	}
	return best;
}

void app_phase_windows(const struct app_table *a, const struct app_mig_times *mt, struct app_mig *out)
{
	mm_ns w = app_window(a), start = mt->start, fbe, resumed, sw_end, med, p99, mean, limit;

	memset(out, 0, sizeof(*out));
	fbe = mt->final_burst_end != MM_NS_NONE ? mt->final_burst_end : mt->end != MM_NS_NONE ? mt->end : start;
	if (fbe < start)
		fbe = start;
	resumed = mt->resumed != MM_NS_NONE && mt->resumed >= fbe ? mt->resumed : fbe;
	out->ph[APP_BEFORE].start = mm_sub(start, w);
	out->ph[APP_BEFORE].end = start;
	out->ph[APP_PRECOPY].start = start;
	out->ph[APP_PRECOPY].end = fbe;
	/* The switchover lasts until the service answers in its usual time again. */
	if (app_rt_figures(a, out->ph[APP_BEFORE].start, start, &med, &p99, &mean) > 0) {
		limit = med > MM_NS_MAX / APP_TIMELY_FACTOR ? MM_NS_MAX : med * APP_TIMELY_FACTOR;
		if (limit < APP_TIMELY_FLOOR)
			limit = APP_TIMELY_FLOOR;
	} else {
		limit = APP_TIMELY_DEFAULT;
	}
	out->switchover_end_timely = first_timely(a, resumed, limit);
	sw_end = out->switchover_end_timely != MM_NS_NONE ? out->switchover_end_timely : resumed;
	out->ph[APP_SWITCHOVER].start = fbe;
	out->ph[APP_SWITCHOVER].end = sw_end;
	out->ph[APP_AFTER].start = sw_end;
	out->ph[APP_AFTER].end = mm_add(sw_end, w);
}

static double ratio(double x, double base)
{
	return x >= 0 && base > 0 ? x / base : -1.0;
}

/*
 * The longest silence of `host` overlapping [lo, hi]; 1 when found.  The
 * VM was silent from the last frame before to the first after: at most
 * that long, and at least that less twice its usual spacing.
 */
static int longest_gap(const struct app_table *a, unsigned host, mm_ns lo, mm_ns hi, struct app_blackout *b)
{
	mm_ns best = -1, res;
	size_t i;

	for (i = 0; i < app_gap_count(a); i++) {
		const struct app_gap *g = app_gap_get(a, i);
		mm_ns len = mm_sub(g->to, g->from);

		if (g->host != host || g->from > hi || g->to < lo || len <= best)
			continue;
		best = len;
		b->start = g->from;
		b->end = g->to;
	}
	if (best < 0)
		return 0;
	res = app_spacing(a, host);
	b->gap = best;
	b->upper = best;
	b->resolution = res;
	b->lower = res == MM_NS_NONE ? best : mm_nonneg(mm_sub(best, mm_mul(2, res)));
	return 1;
}

static void blackout(const struct app_table *a, const struct app_mig_times *mt, const struct app_mig *m,
		     struct app_blackout *b)
{
	mm_ns fbe = m->ph[APP_SWITCHOVER].start;
	mm_ns back = mt->resumed != MM_NS_NONE && mt->resumed >= fbe ? mt->resumed : fbe;
	mm_ns lo = mm_sub(fbe, mt->before_burst), hi = mm_add(back, mt->after_resume);
	int host;

	memset(b, 0, sizeof(*b));
	b->start = b->end = b->gap = b->lower = b->upper = b->resolution = MM_NS_NONE;
	if (mt->final_burst_end == MM_NS_NONE)
		return;
	if (longest_gap(a, APP_HOST_SERVICE, lo, hi, b)) {
		b->source = "app";
		return;
	}
	host = app_host_find(a, &mt->vm_ip);
	if (host >= 0 && longest_gap(a, (unsigned)host, lo, hi, b))
		b->source = "vm-frames";
}

int app_migration(const struct app_table *a, const struct app_mig_times *mt, struct app_mig *out)
{
	unsigned k;

	app_phase_windows(a, mt, out);
	for (k = 0; k < APP_PHASES; k++) {
		struct app_phase_fig *f = &out->ph[k];
		struct app_point lo, hi;
		mm_ns len = mm_sub(f->end, f->start), mean;

		app_counters_before(a, f->start, &lo);
		app_counters_before(a, f->end, &hi);
		f->goodput = hi.goodput - lo.goodput;
		f->turns = hi.turns - lo.turns;
		f->opened = hi.opened - lo.opened;
		f->refused = hi.refused - lo.refused;
		f->reset = hi.reset - lo.reset;
		f->retrans = hi.retrans - lo.retrans;
		f->goodput_bps = len > 0 ? (double)f->goodput * 8.0 / ((double)len / (double)MM_NS_PER_S) : -1.0;
		if (app_rt_figures(a, f->start, f->end, &f->rt_median, &f->rt_p99, &mean) < 0)
			return -1;
		f->longest_stall = app_longest_stall_in(a, f->start, f->end);
	}
	for (k = 0; k < APP_PHASES; k++) {
		struct app_phase_fig *f = &out->ph[k];
		const struct app_phase_fig *b = &out->ph[APP_BEFORE];

		f->goodput_vs_before = ratio(f->goodput_bps, b->goodput_bps);
		f->rt_median_vs_before = f->rt_median == MM_NS_NONE || b->rt_median == MM_NS_NONE ? -1.0 :
					 ratio((double)f->rt_median, (double)b->rt_median);
	}
	blackout(a, mt, out, &out->blackout);
	return 0;
}
