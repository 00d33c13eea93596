/* series.c - fixed-width time bins over the merged timeline, held as sorted runs: memory follows the data, not the span. */
#include "series.h"

#include "arr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * A run is a stretch of consecutive bins held in one array.  Frames come
 * in time order, so nearly every event lands in the last run or just
 * after it; a run stops growing at RUN_MAX bins (an append then copies at
 * most 224 KiB) and bridges a gap of fewer than RUN_GAP empty bins rather
 * than start another.  An event far from every run (a frame days later,
 * a lost ping inside a quiet stretch) starts a run of its own.
 */
#define RUN_MAX 4096u
#define RUN_GAP 16u

struct run {
	uint64_t start;			/* bin index of b[0] */
	uint32_t len, cap;
	struct series_bin *b;
};

struct series {
	mm_ns bin;
	mm_ns t0;
	size_t max;			/* bins held (run capacities, one per run header) at most */
	size_t held;
	struct run *runs;		/* sorted by start, never overlapping */
	size_t nruns, cap_runs;
	uint64_t len;			/* bins from t0 to the last event */
	uint64_t dropped;
	/* series_forget_before: bins below forgot_upto are gone; the largest unique bytes among them */
	uint64_t forgot_upto, forgot_best, forgot_late;
	int forgot_any;
	/* The last bin used and its span [c_lo, c_hi): saves a search and a division a frame. */
	size_t c_run;
	uint32_t c_off;
	mm_ns c_lo, c_hi;
};

static const struct series_bin zero_bin;

struct series *series_new(mm_ns bin, size_t max_bins)
{
	struct series *s;

	if (bin <= 0)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->bin = bin;
	s->t0 = MM_NS_NONE;
	s->max = max_bins ? max_bins : SERIES_DEFAULT_MAX;
	s->c_lo = s->c_hi = 0;	/* empty span: nothing cached */
	return s;
}

void series_free(struct series *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nruns; i++)
		free(s->runs[i].b);
	free(s->runs);
	free(s);
}

void series_set_t0(struct series *s, mm_ns t0)
{
	if (s->len == 0 && s->nruns == 0) {
		s->t0 = t0;
		s->c_lo = s->c_hi = 0;
	}
}

/* Bin index of ts; t0 is set. Times at or before t0 are bin 0. */
static uint64_t index_of(const struct series *s, mm_ns ts)
{
	if (ts <= s->t0)
		return 0;
	return ((uint64_t)ts - (uint64_t)s->t0) / (uint64_t)s->bin;
}

/* Start of bin i, or MM_NS_NONE when it does not fit in a timestamp. */
static mm_ns bin_start(const struct series *s, uint64_t i)
{
	__int128 lo = (__int128)s->t0 + (__int128)i * s->bin;

	return lo > INT64_MAX - s->bin ? MM_NS_NONE : (mm_ns)lo;
}

/* The last run whose start is <= i, or SIZE_MAX. */
static size_t find_run(const struct series *s, uint64_t i)
{
	size_t lo = 0, hi = s->nruns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->runs[mid].start <= i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? lo - 1 : SIZE_MAX;
}

/* Room for `len` bins in run r (len <= RUN_MAX), new bins zeroed. Returns 0 or -1 (cap, memory). */
static int run_reserve(struct series *s, struct run *r, uint32_t len)
{
	uint32_t ncap;
	struct series_bin *nb;

	if (len <= r->cap)
		return 0;
	ncap = r->cap ? r->cap * 2 : 1;
	if (ncap < len)
		ncap = len;
	if (ncap > RUN_MAX)
		ncap = RUN_MAX;
	if (s->held + (ncap - r->cap) > s->max) {
		ncap = len;	/* the last bins under the cap, without slack */
		if (s->held + (ncap - r->cap) > s->max)
			return -1;
	}
	nb = realloc(r->b, (size_t)ncap * sizeof(*nb));
	if (!nb)
		return -1;
	memset(nb + r->cap, 0, (size_t)(ncap - r->cap) * sizeof(*nb));
	s->held += ncap - r->cap;
	r->b = nb;
	r->cap = ncap;
	return 0;
}

/* A new one-bin run for bin i at position k of the directory. */
static int run_insert(struct series *s, size_t k, uint64_t i)
{
	struct run r = { i, 0, 0, NULL };

	if (s->held + 1 > s->max)	/* the run's own header */
		return -1;
	if (s->nruns == s->cap_runs) {
		size_t ncap = s->cap_runs ? s->cap_runs * 2 : 16;
		struct run *nr = realloc(s->runs, ncap * sizeof(*nr));

		if (!nr)
			return -1;
		s->runs = nr;
		s->cap_runs = ncap;
	}
	s->held++;
	if (run_reserve(s, &r, 1) < 0) {
		s->held--;
		return -1;
	}
	r.len = 1;
	memmove(s->runs + k + 1, s->runs + k, (s->nruns - k) * sizeof(*s->runs));
	s->runs[k] = r;
	s->nruns++;
	return 0;
}

/* The bin for ts, held on demand; NULL past the cap or out of memory (counted). */
static struct series_bin *bin_at(struct series *s, mm_ns ts)
{
	size_t k;
	uint64_t i;
	struct run *r;

	if (ts >= s->c_lo && ts < s->c_hi)
		return &s->runs[s->c_run].b[s->c_off];
	if (s->t0 == MM_NS_NONE)
		s->t0 = ts;
	i = index_of(s, ts);
	if (i < s->forgot_upto) {
		s->forgot_late++;	/* a bin let go already: no output shows it */
		return NULL;
	}
	k = s->nruns ? s->nruns - 1 : SIZE_MAX;
	if (k != SIZE_MAX && i < s->runs[k].start)
		k = find_run(s, i);
	if (k != SIZE_MAX && i < s->runs[k].start + s->runs[k].len)
		goto hit;
	if (k != SIZE_MAX) {
		/* just after run k: grow it over the gap, if the next run is not in the way */
		r = &s->runs[k];
		if (i - (r->start + r->len) < RUN_GAP && i - r->start < RUN_MAX &&
		    (k + 1 == s->nruns || i < s->runs[k + 1].start)) {
			uint32_t nlen = (uint32_t)(i - r->start + 1);

			if (run_reserve(s, r, nlen) < 0)
				goto full;
			r->len = nlen;
			goto hit;
		}
	}
	k = k == SIZE_MAX ? 0 : k + 1;
	if (run_insert(s, k, i) < 0)
		goto full;
hit:
	if (i >= s->len)
		s->len = i + 1;
	s->c_run = k;
	s->c_off = (uint32_t)(i - s->runs[k].start);
	{
		mm_ns lo = bin_start(s, i);

		if (lo != MM_NS_NONE) {
			s->c_lo = lo;
			s->c_hi = lo + s->bin;
		} else {
			s->c_lo = s->c_hi = 0;
		}
	}
	return &s->runs[k].b[s->c_off];
full:
	s->dropped++;
	return NULL;
}

int series_add_mig(struct series *s, mm_ns ts, int forward, uint32_t wire_bytes, uint64_t new_unique)
{
	return series_add_mig_role(s, ts, forward, wire_bytes, new_unique, SERIES_ROLE_OTHER);
}

int series_add_mig_role(struct series *s, mm_ns ts, int forward, uint32_t wire_bytes, uint64_t new_unique,
			unsigned role)
{
	struct series_bin *b = bin_at(s, ts);

	if (!b)
		return -1;
	b->role_bytes[role <= SERIES_ROLE_OTHER ? role : SERIES_ROLE_OTHER] += new_unique;
	if (forward)
		b->fwd_bytes += wire_bytes;
	else
		b->rev_bytes += wire_bytes;
	b->unique_bytes += new_unique;
	b->packets++;
	return 0;
}

int series_add_ping(struct series *s, mm_ns ts, enum series_ping what)
{
	struct series_bin *b = bin_at(s, ts);

	if (!b)
		return -1;
	switch (what) {
	case SERIES_PING_REQUEST:
		b->ping_requests++;
		break;
	case SERIES_PING_REPLY:
		b->ping_replies++;
		break;
	case SERIES_PING_LOST:
		b->ping_lost++;
		break;
	}
	return 0;
}

int series_add_rtt(struct series *s, mm_ns ts, mm_ns rtt)
{
	struct series_bin *b;
	uint64_t r = rtt > 0 ? (uint64_t)rtt : 0;

	b = bin_at(s, ts);
	if (!b)
		return -1;
	b->rtt_n++;
	b->rtt_sum = b->rtt_sum > UINT64_MAX - r ? UINT64_MAX : b->rtt_sum + r;
	if (r > b->rtt_max)
		b->rtt_max = r;
	return 0;
}

/* a + b, stuck at UINT64_MAX (counts from an untrusted report). */
static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

int series_add_bin(struct series *s, uint64_t index, const struct series_bin *in)
{
	struct series_bin *b;
	__int128 t;
	size_t k;

	if (s->t0 == MM_NS_NONE)
		return -1;
	t = (__int128)s->t0 + (__int128)index * s->bin;
	if (index > (uint64_t)INT64_MAX || t > INT64_MAX - s->bin) {
		s->dropped++;
		return -1;
	}
	b = bin_at(s, (mm_ns)t);
	if (!b)
		return -1;
	b->fwd_bytes = sat_add(b->fwd_bytes, in->fwd_bytes);
	b->rev_bytes = sat_add(b->rev_bytes, in->rev_bytes);
	b->unique_bytes = sat_add(b->unique_bytes, in->unique_bytes);
	b->packets = sat_add(b->packets, in->packets);
	for (k = 0; k < 4; k++)
		b->role_bytes[k] = sat_add(b->role_bytes[k], in->role_bytes[k]);
	b->ping_requests = sat_add(b->ping_requests, in->ping_requests);
	b->ping_replies = sat_add(b->ping_replies, in->ping_replies);
	b->ping_lost = sat_add(b->ping_lost, in->ping_lost);
	b->rtt_n = sat_add(b->rtt_n, in->rtt_n);
	b->rtt_sum = sat_add(b->rtt_sum, in->rtt_sum);
	if (in->rtt_max > b->rtt_max)
		b->rtt_max = in->rtt_max;
	return 0;
}

void series_extend(struct series *s, mm_ns ts)
{
	uint64_t i;

	if (s->t0 == MM_NS_NONE)
		s->t0 = ts;
	i = index_of(s, ts);
	if (i >= s->len)
		s->len = i + 1;
}

mm_ns series_bin_width(const struct series *s)
{
	return s->bin;
}

mm_ns series_t0(const struct series *s)
{
	return s->t0;
}

uint64_t series_len(const struct series *s)
{
	return s->len;
}

const struct series_bin *series_get(const struct series *s, uint64_t i)
{
	size_t k;

	if (i >= s->len)
		return NULL;
	k = find_run(s, i);
	if (k != SIZE_MAX && i < s->runs[k].start + s->runs[k].len)
		return &s->runs[k].b[i - s->runs[k].start];
	return &zero_bin;
}

uint64_t series_dropped(const struct series *s)
{
	return s->dropped;
}

size_t series_held(const struct series *s)
{
	return s->held;
}

static int bin_empty(const struct series_bin *b)
{
	return memcmp(b, &zero_bin, sizeof(*b)) == 0;
}

int series_next(const struct series *s, struct series_iter *it, uint64_t *index,
		const struct series_bin **bin)
{
	while (it->run < s->nruns) {
		const struct run *r = &s->runs[it->run];

		while (it->off < r->len) {
			const struct series_bin *b = &r->b[it->off++];

			if (!bin_empty(b)) {
				*index = r->start + it->off - 1;
				*bin = b;
				return 1;
			}
		}
		it->run++;
		it->off = 0;
	}
	return 0;
}

/* An iterator at the first bin at or after index `first` (runs are sorted: a binary search). */
static struct series_iter iter_at(const struct series *s, uint64_t first)
{
	struct series_iter it = { 0, 0 };
	size_t lo = 0, hi = s->nruns;

	/* the first run that ends after `first` */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct run *r = &s->runs[mid];

		if (r->start + r->len <= first)
			lo = mid + 1;
		else
			hi = mid;
	}
	it.run = lo;
	if (lo < s->nruns && s->runs[lo].start < first)
		it.off = (uint32_t)(first - s->runs[lo].start);
	return it;
}

size_t series_forget_before(struct series *s, mm_ns before)
{
	uint64_t hi;
	size_t k = 0, freed = 0;

	if (s->t0 == MM_NS_NONE || before == MM_NS_NONE || before <= s->t0)
		return 0;
	hi = index_of(s, before);
	while (k < s->nruns && s->runs[k].start + s->runs[k].len <= hi) {
		struct run *r = &s->runs[k];

		for (uint32_t j = 0; j < r->len; j++) {
			if (!bin_empty(&r->b[j]))
				s->forgot_any = 1;
			if (r->b[j].unique_bytes > s->forgot_best)
				s->forgot_best = r->b[j].unique_bytes;
		}
		freed += r->cap;
		s->held -= (size_t)r->cap + 1;
		if (r->start + r->len > s->forgot_upto)
			s->forgot_upto = r->start + r->len;
		free(r->b);
		k++;
	}
	if (k == 0)
		return 0;
	memmove(s->runs, s->runs + k, (s->nruns - k) * sizeof(*s->runs));
	s->nruns -= k;
	s->c_lo = s->c_hi = 0;	/* the cached bin may have moved */
	arr_shrink((void **)&s->runs, &s->cap_runs, s->nruns, sizeof(*s->runs), 16);
	return freed;
}

double series_peak_bps(const struct series *s)
{
	return series_peak_bps_in(s, s->t0, INT64_MAX);
}

double series_peak_bps_in(const struct series *s, mm_ns start, mm_ns end)
{
	struct series_iter it;
	const struct series_bin *b;
	uint64_t i, first, last, best = 0;
	int any = 0;

	if (s->t0 == MM_NS_NONE || start == MM_NS_NONE || end == MM_NS_NONE || end < start)
		return -1.0;
	first = start <= s->t0 ? 0 : (uint64_t)(mm_sub(start, s->t0) / s->bin);
	last = end <= s->t0 ? 0 : (uint64_t)(mm_sub(end, s->t0) / s->bin);
	/* a span reaching into forgotten bins: their largest is a candidate (the capture's peak stays exact) */
	if (s->forgot_any && first < s->forgot_upto) {
		any = 1;
		best = s->forgot_best;
	}
	it = iter_at(s, first);
	while (series_next(s, &it, &i, &b)) {
		if (i < first)
			continue;
		if (i > last)
			break;
		any = 1;
		if (b->unique_bytes > best)
			best = b->unique_bytes;
	}
	if (!any)
		return -1.0;
	return (double)best * 8.0 * (double)MM_NS_PER_S / (double)s->bin;
}
