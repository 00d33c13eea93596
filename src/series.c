/* series.c - fixed-width time bins over the merged timeline. */
#include "series.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct series {
	mm_ns bin;
	mm_ns t0;
	size_t max;
	struct series_bin *bins;
	size_t len, cap;
	uint64_t dropped;
	/* The last bin used and its span [c_lo, c_hi): saves a 64-bit division a frame. */
	size_t c_i;
	mm_ns c_lo, c_hi;
};

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
	free(s->bins);
	free(s);
}

void series_set_t0(struct series *s, mm_ns t0)
{
	if (s->len == 0) {
		s->t0 = t0;
		s->c_lo = s->c_hi = 0;
	}
}

/* The bin for ts, grown on demand; NULL past the cap or out of memory. */
static struct series_bin *bin_at(struct series *s, mm_ns ts)
{
	size_t i;

	if (ts >= s->c_lo && ts < s->c_hi)
		return &s->bins[s->c_i];
	if (s->t0 == MM_NS_NONE)
		s->t0 = ts;
	i = ts <= s->t0 ? 0 : (size_t)((ts - s->t0) / s->bin);
	if (i >= s->max) {
		s->dropped++;
		return NULL;
	}
	if (i >= s->cap) {
		size_t ncap = s->cap ? s->cap : 64;
		struct series_bin *nb;

		while (ncap <= i)
			ncap *= 2;
		if (ncap > s->max)
			ncap = s->max;
		nb = realloc(s->bins, ncap * sizeof(*nb));
		if (!nb) {
			s->dropped++;
			return NULL;
		}
		memset(nb + s->cap, 0, (ncap - s->cap) * sizeof(*nb));
		s->bins = nb;
		s->cap = ncap;
	}
	if (i >= s->len)
		s->len = i + 1;
	if (ts > s->t0) {
		/* ts > t0 here, so t0 + i * bin <= ts: no overflow below; the end may not fit */
		mm_ns lo = s->t0 + (mm_ns)i * s->bin;

		if (lo <= INT64_MAX - s->bin) {
			s->c_i = i;
			s->c_lo = lo > s->t0 ? lo : s->t0 + 1;
			s->c_hi = lo + s->bin;
		}
	}
	return &s->bins[i];
}

int series_add_mig(struct series *s, mm_ns ts, int forward, uint32_t wire_bytes, uint64_t new_unique)
{
	struct series_bin *b = bin_at(s, ts);

	if (!b)
		return -1;
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

void series_extend(struct series *s, mm_ns ts)
{
	(void)bin_at(s, ts);
}

mm_ns series_bin_width(const struct series *s)
{
	return s->bin;
}

mm_ns series_t0(const struct series *s)
{
	return s->t0;
}

size_t series_len(const struct series *s)
{
	return s->len;
}

const struct series_bin *series_get(const struct series *s, size_t i)
{
	return i < s->len ? &s->bins[i] : NULL;
}

uint64_t series_dropped(const struct series *s)
{
	return s->dropped;
}

double series_peak_bps(const struct series *s, mm_ns start, mm_ns end)
{
	double best = -1.0;
	size_t i;

	if (s->t0 == MM_NS_NONE || start == MM_NS_NONE || end == MM_NS_NONE)
		return -1.0;
	for (i = 0; i < s->len; i++) {
		mm_ns lo = s->t0 + (mm_ns)i * s->bin, hi = lo + s->bin;
		mm_ns width = (hi < end ? hi : end) - (lo > start ? lo : start);
		double bps;

		if (width * 2 < s->bin)
			continue;
		bps = (double)s->bins[i].unique_bytes * 8.0 * (double)MM_NS_PER_S / (double)width;
		if (bps > best)
			best = bps;
	}
	return best;
}
