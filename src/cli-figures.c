/* cli-figures.c - what the command line says about the figures: warnings from a built report, the --bin check. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* "10.0.1.2, fd00::2" of the streams' targets, distinct, into buf. */
static void stream_targets(json_object *streams, char *buf, size_t n)
{
	size_t i, len = 0, cnt = streams ? report_len(streams) : 0;

	buf[0] = '\0';
	for (i = 0; i < cnt && len + 1 < n; i++) {
		const char *t = report_str(report_at(streams, i), "target", "?");
		size_t j;
		int seen = 0;

		for (j = 0; j < i && !seen; j++)
			seen = strcmp(report_str(report_at(streams, j), "target", ""), t) == 0;
		if (!seen)
			len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "", t);
	}
	if (len >= n && n > 4)
		memcpy(buf + n - 4, "...", 4);
}

void cli_warn_report(const struct cli_opts *o, json_object *r)
{
	json_object *streams = report_get(r, "downtime.streams");
	size_t i, n = streams ? report_len(streams) : 0;

	if (o->have_target && report_u64(r, "downtime.total.streams") == 0) {
		char others[256];

		stream_targets(streams, others, sizeof(others));
		fprintf(stderr, "migmeter: --ping-target %s: no echo stream to it in the capture (%s%s); "
			"the downtime totals are null\n", o->ping_target, n ? "streams to " : "no echo traffic",
			others);
	}
	/* one line however many streams: the first one named, the others counted */
	{
		json_object *first = NULL;
		size_t with = 0;

		for (i = 0; i < n; i++) {
			json_object *s = report_at(streams, i);

			if (report_u64(s, "clock_steps_back") && !with++)
				first = s;
		}
		if (first) {
			uint64_t steps = report_u64(first, "clock_steps_back");
			char more[64] = "";

			if (with > 1)
				snprintf(more, sizeof(more), " (and in %zu other stream%s)", with - 1, with > 2 ? "s" : "");
			fprintf(stderr, "migmeter: echo stream %s -> %s id %s: the capture's clock stepped back "
				"%llu time%s%s; an episode across a step is timed by lost x interval\n",
				report_str(first, "pinger", "?"), report_str(first, "target", "?"),
				report_str(first, "id", "?"), (unsigned long long)steps, steps == 1 ? "" : "s", more);
		}
	}
}

/* "500ns", "1us", "250ms", "2s": the largest unit that holds d exactly. */
static void short_duration(char *buf, size_t n, mm_ns d)
{
	static const struct {
		mm_ns scale;
		const char *unit;
	} u[] = { { MM_NS_PER_S, "s" }, { 1000000, "ms" }, { 1000, "us" }, { 1, "ns" } };
	size_t i = 0;

	while (i + 1 < sizeof(u) / sizeof(u[0]) && d % u[i].scale != 0)
		i++;
	snprintf(buf, n, "%lld%s", (long long)(d / u[i].scale), u[i].unit);
}

int cli_check_bin(const struct cli_opts *o, const char *input, int digits)
{
	mm_ns res = 1;
	char b[48], rs[48];

	for (int d = digits < 0 ? 0 : digits; d < 9; d++)
		res *= 10;
	if (o->bin >= res)
		return 0;
	short_duration(b, sizeof(b), o->bin);
	short_duration(rs, sizeof(rs), res);
	fprintf(stderr, "migmeter: --bin %s is shorter than the timestamp resolution of %s (%s)\n", b,
		input, rs);
	return CLI_EXIT_USAGE;
}
