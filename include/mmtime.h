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

#endif
