/* mmtime.c - duration parsing, timestamp formatting and saturating time arithmetic. */
#include "mmtime.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const struct {
	const char *suffix;
	mm_ns scale;
} units[] = {
	{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", MM_NS_PER_S },
	{ "m", 60 * MM_NS_PER_S }, { "min", 60 * MM_NS_PER_S }, { "h", 3600 * MM_NS_PER_S },
	{ "", MM_NS_PER_S },
};

int mm_parse_duration(const char *s, mm_ns *out)
{
	const char *p = s;
	__int128 whole = 0, frac = 0, fscale = 1, v;
	int digits = 0;
	size_t i;

	if (!s)
		return -1;
	while (isdigit((unsigned char)*p) && digits < 15) {
		whole = whole * 10 + (*p++ - '0');
		digits++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			if (fscale < 1000000000000LL) {
				frac = frac * 10 + (*p - '0');
				fscale *= 10;
			}
			p++;
			digits++;
		}
	}
	if (digits == 0)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].suffix) == 0)
			break;
	}
	if (i == sizeof(units) / sizeof(units[0]))
		return -1;
	v = whole * units[i].scale + frac * units[i].scale / fscale;
	if (v <= 0 || v > (__int128)INT64_MAX / 2)
		return -1;
	*out = (mm_ns)v;
	return 0;
}

static const long long pow10_tab[10] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
};

int mm_fmt_seconds(char *buf, size_t n, mm_ns t, int digits)
{
	unsigned long long mag = t < 0 ? (unsigned long long)-(t + 1) + 1 : (unsigned long long)t;
	unsigned long long sec = mag / MM_NS_PER_S, ns = mag % MM_NS_PER_S;

	if (digits < 0)
		digits = 0;
	if (digits > 9)
		digits = 9;
	if (digits == 0)
		return snprintf(buf, n, "%s%llu", t < 0 ? "-" : "", sec);
	return snprintf(buf, n, "%s%llu.%0*llu", t < 0 ? "-" : "", sec, digits,
			ns / (unsigned long long)pow10_tab[9 - digits]);
}

int mm_fmt_iso(char *buf, size_t n, mm_ns t, int digits)
{
	/* Floor division and a remainder in [0, 1 s) that cannot overflow, down to MM_NS_MIN. */
	time_t sec = (time_t)(t >= 0 ? t / MM_NS_PER_S : -1 - (-(t + 1)) / MM_NS_PER_S);
	long long ns = t >= 0 ? t % MM_NS_PER_S : (t % MM_NS_PER_S + MM_NS_PER_S) % MM_NS_PER_S;
	struct tm tm;
	char date[32];

	if (!gmtime_r(&sec, &tm))
		return snprintf(buf, n, "?");
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	if (digits <= 0)
		return snprintf(buf, n, "%sZ", date);
	if (digits > 9)
		digits = 9;
	return snprintf(buf, n, "%s.%0*lldZ", date, digits, ns / pow10_tab[9 - digits]);
}

/* ---- saturating arithmetic ---- */

static mm_ns sat(__int128 v)
{
	if (v > MM_NS_MAX)
		return MM_NS_MAX;
	if (v < MM_NS_MIN)
		return MM_NS_MIN;
	return (mm_ns)v;
}

mm_ns mm_add(mm_ns a, mm_ns b)
{
	return sat((__int128)a + b);
}

mm_ns mm_sub(mm_ns a, mm_ns b)
{
	return sat((__int128)a - b);
}

mm_ns mm_mul(uint64_t n, mm_ns d)
{
	return sat((__int128)n * d);
}

mm_ns mm_mid(mm_ns a, mm_ns b)
{
	/* the exact midpoint lies between a and b, so it always fits */
	return (mm_ns)(a + ((__int128)b - a) / 2);
}

mm_ns mm_clamp(mm_ns v, mm_ns lo, mm_ns hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

mm_ns mm_nonneg(mm_ns v)
{
	return v < 0 ? 0 : v;
}
