/* cli-service.c - the options of a capture run for days: -G, -C, -W, --records-rotate (README "Running for days"). */
#include "cli-service.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-usage.h"

/*
 * A size: digits and an optional unit, k/K, M, G (KiB, MiB, GiB; "B" or
 * "iB" may follow); a bare number is `unit` bytes (-C: tcpdump's
 * millions of bytes).  0, or -1 when it is not one or is 0 or absurd.
 */
static int parse_size(const char *s, uint64_t unit, uint64_t *v)
{
	unsigned long long n;
	char *end = NULL;
	uint64_t mul = unit;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno == ERANGE || n == 0)
		return -1;
	if (*end == 'k' || *end == 'K')
		mul = 1ULL << 10;
	else if (*end == 'M')
		mul = 1ULL << 20;
	else if (*end == 'G' || *end == 'g')
		mul = 1ULL << 30;
	else if (*end == 'm' && unit != 1)
		mul = 1ULL << 20;	/* -C 10m, as tcpdump takes it */
	if (mul != unit)
		end++;
	if (strcmp(end, "B") == 0 || (mul != unit && strcmp(end, "iB") == 0))
		end += strlen(end);
	if (*end || n > (1ULL << 50) / mul)
		return -1;
	*v = n * mul;
	return 0;
}

/* --records-rotate: a size (10M, 500k, 1G) or a duration with its unit (30s, 10min, 1h). */
static int records_rotate(const char *opt, const char *v, struct cli_opts *o)
{
	size_t n = strlen(v);

	if (n > 1 && v[n - 1] == 'm' && isdigit((unsigned char)v[n - 2])) {
		fprintf(stderr, "migmeter: %s %s: ambiguous; write 10M for a size (MiB) or 10min for a "
			"duration\n", opt, v);
		return CLI_EXIT_USAGE;
	}
	if (parse_size(v, 1, &o->records_max_bytes) == 0)
		return 0;
	if (n > 0 && isalpha((unsigned char)v[n - 1]) && mm_parse_duration(v, &o->records_max_age) == 0 &&
	    o->records_max_age >= MM_NS_PER_S)
		return 0;
	o->records_max_age = MM_NS_NONE;
	fprintf(stderr, "migmeter: %s '%s': not a size (a number of bytes, or with k, M, G) nor a "
		"duration of 1 s or more with its unit (s, min, h)\n", opt, v);
	return CLI_EXIT_USAGE;
}

/* A whole number lo..hi. 0, or CLI_EXIT_USAGE after one line. */
static int whole(const char *opt, const char *s, unsigned long long lo, unsigned long long hi,
		 unsigned long long *v)
{
	char *end = NULL;

	errno = 0;
	*v = isdigit((unsigned char)*s) ? strtoull(s, &end, 10) : 0;
	if (!end || *end || errno == ERANGE || *v < lo || *v > hi) {
		fprintf(stderr, "migmeter: %s '%s': must be a whole number, %llu..%llu\n", opt, s, lo, hi);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

int cli_service_value(struct cli_opts *o, int id, const char *opt, const char *v)
{
	unsigned long long n;
	int rc;

	switch (id) {
	case CLI_OPT_ROTATE_SECS:
		rc = whole(opt, v, 1, 100ULL * 366 * 86400, &n);
		o->rotate_secs = (int64_t)n;
		return rc;
	case CLI_OPT_ROTATE_SIZE:
		if (parse_size(v, 1000000, &o->rotate_bytes) < 0) {
			fprintf(stderr, "migmeter: %s '%s': must be a positive size: millions of bytes, or a "
				"number with k, m or g (KiB, MiB, GiB)\n", opt, v);
			return CLI_EXIT_USAGE;
		}
		return 0;
	case CLI_OPT_ROTATE_FILES:
		rc = whole(opt, v, 1, 1000000, &n);
		o->rotate_files = (unsigned)n;
		return rc;
	case CLI_OPT_RECORDS_ROTATE:
		return records_rotate(opt, v, o);
	}
	fprintf(stderr, "migmeter: %s: not handled\n", opt);
	return CLI_EXIT_USAGE;
}

/* -G, -C, -W and --records-rotate need a file to rotate. 0 or CLI_EXIT_USAGE after one line. */
int cli_service_check(const struct cli_opts *o)
{
	int rot = o->rotate_secs > 0 || o->rotate_bytes > 0;

	if (o->rotate_files && !rot) {
		fprintf(stderr, "migmeter: -W N keeps N rotated -w files: it needs -G SECONDS or -C MB\n");
		return CLI_EXIT_USAGE;
	}
	if (rot && !o->write) {
		fprintf(stderr, "migmeter: -G and -C rotate the -w file: give -w FILE\n");
		return CLI_EXIT_USAGE;
	}
	if (rot && strcmp(o->write, "-") == 0) {
		fprintf(stderr, "migmeter: -G and -C need -w to name a file, not standard output\n");
		return CLI_EXIT_USAGE;
	}
	if ((o->records_max_bytes || o->records_max_age != MM_NS_NONE) &&
	    (!o->records || strcmp(o->records, "-") == 0)) {
		fprintf(stderr, "migmeter: --records-rotate needs --records FILE (a file, not "
			"standard output)\n");
		return CLI_EXIT_USAGE;
	}
	return 0;
}
