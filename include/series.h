/* series.h - fixed-width time bins for the --timeseries CSV and the peak throughput, kept sparse. */
#ifndef MM_SERIES_H
#define MM_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "mmtime.h"

struct series_bin {
	uint64_t fwd_bytes, rev_bytes;   /* wire bytes of migration flows */
	uint64_t unique_bytes;           /* unique payload bytes added */
	uint64_t packets;                /* migration frames */
	uint64_t role_bytes[4];          /* unique_bytes by the flow's role (enum series_role) */
	uint64_t ping_requests, ping_replies, ping_lost;
	uint64_t rtt_n, rtt_sum, rtt_max;    /* echo replies whose request was sent in the bin: count, ns sum, ns max */
};

struct series;

/*
 * Memory follows the data, not the time span: empty bins are implicit
 * (bins are held in sorted runs of consecutive bins), so a capture whose
 * few frames span weeks costs a few bins per frame.  Default cap: 2^20
 * bins held (112 MiB: twelve days of 1 s bins or 17 min of 1 ms bins each
 * holding something); an event that needs a bin past it is dropped and
 * counted (series_dropped).
 */
#define SERIES_DEFAULT_MAX ((size_t)1 << 20)

/*
 * The CSV shows every bin from t0 to the last event, except that a quiet
 * stretch of more than this many empty bins is written as its first and
 * last (empty) bin only: a plot still drops to zero and comes back, and
 * 174 frames over 14 days at 1 ms bins do not make 1.2 billion rows.
 */
#define SERIES_GAP_ROWS 3600u

/*
 * A new series with bins of `bin` ns (> 0), holding at most max_bins
 * (0 = SERIES_DEFAULT_MAX).  The first event fixes t0 (the start of bin 0).
 * Returns NULL when out of memory or bin <= 0.
 */
struct series *series_new(mm_ns bin, size_t max_bins);
void series_free(struct series *s);   /* NULL is a no-op */

/* Sets t0 explicitly (before any event); later events before t0 go to bin 0. */
void series_set_t0(struct series *s, mm_ns t0);

/* Adds a migration frame (role other). Returns 0, or -1 when past the bin cap (counted in series_dropped). */
int series_add_mig(struct series *s, mm_ns ts, int forward, uint32_t wire_bytes, uint64_t new_unique);

/*
 * Which flow a migration frame's unique payload is added to, by the flow's
 * kind when the frame came: a QEMU main stream, a multifd channel, an NBD
 * stream, anything else.
 */
enum series_role { SERIES_ROLE_MAIN = 0, SERIES_ROLE_MULTIFD, SERIES_ROLE_NBD, SERIES_ROLE_OTHER };

/* series_add_mig, its unique payload under `role` (enum series_role; past the last: other). */
int series_add_mig_role(struct series *s, mm_ns ts, int forward, uint32_t wire_bytes, uint64_t new_unique,
			unsigned role);

enum series_ping { SERIES_PING_REQUEST, SERIES_PING_REPLY, SERIES_PING_LOST };
int series_add_ping(struct series *s, mm_ns ts, enum series_ping what);

/*
 * The round trip `rtt` (ns, >= 0) of an echo request sent at `ts`: summed
 * into its bin (mean and largest per bin).  Returns 0 or -1 (cap, counted).
 */
int series_add_rtt(struct series *s, mm_ns ts, mm_ns rtt);

/*
 * Adds every counter of `b` into bin `index` (t0 must be set): rebuilds a
 * series from a report's "timeseries" section.  Returns 0 or -1 (cap, counted).
 */
int series_add_bin(struct series *s, uint64_t index, const struct series_bin *b);

/* Marks that the timeline reaches `ts` (trailing empty bins are shown); holds no bin. */
void series_extend(struct series *s, mm_ns ts);

mm_ns series_bin_width(const struct series *s);
mm_ns series_t0(const struct series *s);      /* MM_NS_NONE before the first event */
uint64_t series_len(const struct series *s);  /* bins from t0 to the last event (or extend) */
/* Bin i (i < series_len: all zero when nothing fell in it), or NULL past the end. */
const struct series_bin *series_get(const struct series *s, uint64_t i);
uint64_t series_dropped(const struct series *s);
size_t series_held(const struct series *s);   /* bins in memory (for tests and the memory bound) */

/*
 * Walks the bins that hold something, in time order: start with a zeroed
 * iterator; each call gives the next bin's index and counters and returns
 * 1, or returns 0 after the last.
 */
struct series_iter {
	size_t run;
	uint32_t off;
};
int series_next(const struct series *s, struct series_iter *it, uint64_t *index,
		const struct series_bin **bin);

/*
 * A live capture's retention, when no output shows the series: the runs
 * of bins that end before `before` (the oldest migration still held) are
 * let go, so a capture running for weeks holds hours of bins, not weeks.
 * The capture's peak (series_peak_bps) stays exact: the largest bin let
 * go is kept.  Later events for a bin let go are passed over (a lost ping
 * told at the end).  Returns the bins freed.
 */
size_t series_forget_before(struct series *s, mm_ns before);

/*
 * The peak throughput: the largest unique-payload rate over one bin,
 * unique_payload_bytes x 8 / bin, in bits per second -- the figure a user
 * recomputes from the --timeseries CSV with the same --bin.  0 when no
 * bin holds unique bytes, -1 when the series holds nothing at all.
 */
double series_peak_bps(const struct series *s);

/*
 * The same over the bins that [start, end] touches (a migration's span):
 * -1 when none of them holds anything or the span is unknown.
 */
double series_peak_bps_in(const struct series *s, mm_ns start, mm_ns end);

#endif
