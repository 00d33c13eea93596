/* series.h - fixed-width time bins for the --timeseries CSV and the peak throughput. */
#ifndef MM_SERIES_H
#define MM_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "mmtime.h"

struct series_bin {
	uint64_t fwd_bytes, rev_bytes;   /* wire bytes of migration flows */
	uint64_t unique_bytes;           /* unique payload bytes added */
	uint64_t packets;                /* migration frames */
	uint64_t ping_requests, ping_replies, ping_lost;
};

struct series;

/*
 * Default bin cap: 2^20 bins of 56 bytes, 56 MiB (12 days at 1 s, 17 min at
 * 1 ms).  One frame with a damaged clock months after the rest must not
 * make the empty bins in between cost half a gigabyte.
 */
#define SERIES_DEFAULT_MAX ((size_t)1 << 20)

/*
 * A new series with bins of `bin` ns (> 0), holding at most max_bins
 * (0 = SERIES_DEFAULT_MAX).  The first event fixes t0 (the start of bin 0).
 * Returns NULL when out of memory or bin <= 0.
 */
struct series *series_new(mm_ns bin, size_t max_bins);
void series_free(struct series *s);   /* NULL is a no-op */

/* Sets t0 explicitly (before any event); later events before t0 go to bin 0. */
void series_set_t0(struct series *s, mm_ns t0);

/* Adds a migration frame. Returns 0, or -1 when past the bin cap (counted in series_dropped). */
int series_add_mig(struct series *s, mm_ns ts, int forward, uint32_t wire_bytes, uint64_t new_unique);

enum series_ping { SERIES_PING_REQUEST, SERIES_PING_REPLY, SERIES_PING_LOST };
int series_add_ping(struct series *s, mm_ns ts, enum series_ping what);

/* Marks that the timeline reaches `ts` (so trailing empty bins are emitted). */
void series_extend(struct series *s, mm_ns ts);

mm_ns series_bin_width(const struct series *s);
mm_ns series_t0(const struct series *s);      /* MM_NS_NONE before the first event */
size_t series_len(const struct series *s);    /* bins from t0 to the last event */
/* Bin i (i < series_len), or NULL. */
const struct series_bin *series_get(const struct series *s, size_t i);
uint64_t series_dropped(const struct series *s);

/*
 * The largest unique-payload rate over one bin, in bits per second, for
 * activity spanning [start, end].  A bin the span only partly covers is
 * measured over the covered part, and only when that is at least half a
 * bin (a sliver would give a meaningless rate).  Returns -1 when no bin
 * qualifies (the span is shorter than half a bin): the caller then has
 * no peak finer than the mean.
 */
double series_peak_bps(const struct series *s, mm_ns start, mm_ns end);

#endif
