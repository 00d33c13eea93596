/* mmtime.h - timestamps (nanoseconds since the epoch) and duration parsing. */
#ifndef MM_TIME_H
#define MM_TIME_H

#include <stdint.h>
#include <stddef.h>

/* Every timestamp and duration in migmeter: signed nanoseconds. */
typedef int64_t mm_ns;

#define MM_NS_PER_S 1000000000LL
#define MM_NS_NONE INT64_MIN /* "no such time" */

/*
 * Parses a duration: a decimal number and one unit, ns, us, ms, s, m or
 * min, h, or no unit for seconds ("250ms", "2s", "1.5", "3m", "1h",
 * "500us", "20ns").  Returns 0 and stores a positive value in *out, or -1
 * when the text is not a duration or is not positive.
 */
int mm_parse_duration(const char *s, mm_ns *out);

/*
 * Formats t as seconds with `digits` decimals (6 for microsecond, 9 for
 * nanosecond captures): "1764307152.123456".  Negative values keep their
 * sign.  Returns the length written (snprintf semantics).
 */
int mm_fmt_seconds(char *buf, size_t n, mm_ns t, int digits);

/* Formats an absolute time as ISO 8601 UTC with `digits` decimals. */
int mm_fmt_iso(char *buf, size_t n, mm_ns t, int digits);

/*
 * Saturating arithmetic on times and durations: captures carry absurd
 * timestamps (epoch 0 beside 2023, clocks stepping back), and a count
 * times an interval or a difference of two times must never wrap.
 * Results stay within [MM_NS_MIN, MM_NS_MAX], so they are never
 * MM_NS_NONE.  Arguments must not be MM_NS_NONE.
 */
#define MM_NS_MAX INT64_MAX
#define MM_NS_MIN (-INT64_MAX)

mm_ns mm_add(mm_ns a, mm_ns b);		/* a + b */
mm_ns mm_sub(mm_ns a, mm_ns b);		/* a - b */
mm_ns mm_mul(uint64_t n, mm_ns d);	/* n x d (a count times an interval) */
mm_ns mm_mid(mm_ns a, mm_ns b);		/* a + (b - a) / 2, exact, never overflows */
mm_ns mm_clamp(mm_ns v, mm_ns lo, mm_ns hi);	/* v within [lo, hi] (lo <= hi) */
mm_ns mm_nonneg(mm_ns v);		/* max(v, 0): a duration is never negative */

#endif
