/* cli-values.c - the command line's values: ports, addresses, numbers, durations, names (one line each when refused). */
#include "cli-values.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_val_ports(const char *s, struct cli_opts *o)
{
	char *end;
	unsigned long lo, hi;

	o->ports_any = strcmp(s, "any") == 0;
	if (o->ports_any)
		s = "1-65535";	/* the filter lets every TCP port through (README "Migrations on any port") */
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	lo = strtoul(s, &end, 10);
	if (end == s || errno)
		return -1;
	hi = lo;
	if (*end == '-') {
		const char *h = end + 1;

		if (!isdigit((unsigned char)*h))
			return -1;
		hi = strtoul(h, &end, 10);
		if (end == h || errno)
			return -1;
	}
	if (*end || lo == 0 || hi > 65535 || lo > hi)
		return -1;
	o->port_lo = (uint16_t)lo;
	o->port_hi = (uint16_t)hi;
	snprintf(o->ports, sizeof(o->ports), "%u-%u", (unsigned)o->port_lo, (unsigned)o->port_hi);
	return 0;
}

int cli_val_target(const char *s, struct cli_opts *o)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1)
		return inet_ntop(AF_INET, buf, o->ping_target, sizeof(o->ping_target)) ? 0 : -1;
	if (inet_pton(AF_INET6, s, buf) == 1)
		return inet_ntop(AF_INET6, buf, o->ping_target, sizeof(o->ping_target)) ? 0 : -1;
	return -1;
}

int cli_val_is_addr(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* A decimal in [lo, hi]; else one line that names the range. */
int cli_val_num(const char *opt, const char *s, unsigned long long lo, unsigned long long hi,
	       unsigned long long *v)
{
	char *end = NULL;

	errno = 0;
	*v = isdigit((unsigned char)*s) ? strtoull(s, &end, 10) : 0;
	if (!end || *end) {
		fprintf(stderr, "migmeter: %s '%s': not a number (must be %llu..%llu)\n", opt, s, lo, hi);
		return CLI_EXIT_USAGE;
	}
	if (errno == ERANGE || *v < lo || *v > hi) {
		fprintf(stderr, "migmeter: %s %s: must be %llu..%llu\n", opt, s, lo, hi);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* A positive duration; else one line that says what a duration is. */
int cli_val_dur(const char *opt, const char *s, mm_ns *v)
{
	if (mm_parse_duration(s, v) == 0)
		return 0;
	fprintf(stderr, "migmeter: %s '%s': not a positive duration (a number and a unit: ns, us, ms, s, "
		"m or min, h; no unit: seconds)\n", opt, s);
	return CLI_EXIT_USAGE;
}

/* A value that must not be empty (an interface, a user). */
int cli_val_nonempty(const char *opt, const char *s, const char *what, const char **out)
{
	if (!*s) {
		fprintf(stderr, "migmeter: %s needs %s, not an empty word\n", opt, what);
		return CLI_EXIT_USAGE;
	}
	*out = s;
	return 0;
}

/* --node: a label value, so 1..255 bytes and no control characters. */
int cli_val_node(const char *opt, const char *s, const char **out)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p && *p >= 0x20 && *p != 0x7f; p++)
		;
	if (!*s || *p || p - (const unsigned char *)s > 255) {
		fprintf(stderr, "migmeter: %s '%.60s': must be 1..255 characters, none a control character\n",
			opt, s);
		return CLI_EXIT_USAGE;
	}
	*out = s;
	return 0;
}

/* merge --node FILE=NAME: names FILE's node; once per FILE. */
int cli_val_merge_node(const char *opt, const char *v, struct cli_opts *o)
{
	if (!strrchr(v, '=') || v == strrchr(v, '=') || !strrchr(v, '=')[1]) {
		fprintf(stderr, "migmeter: %s '%s': must be FILE=NAME (the file as given, a name)\n", opt, v);
		return CLI_EXIT_USAGE;
	}
	if (o->nnode_args == CLI_MAX_NODE_ARGS) {
		fprintf(stderr, "migmeter: %s: at most %d of them\n", opt, CLI_MAX_NODE_ARGS);
		return CLI_EXIT_USAGE;
	}
	o->node_args[o->nnode_args++] = v;
	return 0;
}
