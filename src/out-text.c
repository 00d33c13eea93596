/* out-text.c - the short human report: what iptraf showed, plus downtime. */
#include "out.h"

#include <stdlib.h>
#include <string.h>

#include "out-migration.h"
#include "report.h"

static void dir_line(FILE *fp, const char *label, json_object *d)
{
	fprintf(fp, "  %-9s %llu packets, %llu wire bytes, %llu IP bytes, %llu payload bytes, "
		"%llu unique, %llu retransmitted\n", label,
		(unsigned long long)report_u64(d, "packets"),
		(unsigned long long)report_u64(d, "wire_bytes"),
		(unsigned long long)report_u64(d, "ip_bytes"),
		(unsigned long long)report_u64(d, "payload_bytes"),
		(unsigned long long)report_u64(d, "unique_payload_bytes"),
		(unsigned long long)report_u64(d, "retrans_bytes"));
}

/* A live capture: what the kernel counted and the link's own counters beside it. */
static void text_live_input(FILE *fp, json_object *f)
{
	fprintf(fp, "capture %s (%s): %s, snaplen %llu, %llu frames; kernel received %llu, dropped %llu, "
		"interface dropped %llu%s%s\n",
		report_str(f, "interface", "?"), report_str(f, "role", "?"),
		report_str(f, "link_type", "?"), (unsigned long long)report_u64(f, "snaplen"),
		(unsigned long long)report_u64(f, "frames"),
		(unsigned long long)report_u64(f, "kernel.received"),
		(unsigned long long)report_u64(f, "kernel.dropped"),
		(unsigned long long)report_u64(f, "kernel.ifdropped"),
		report_bool(f, "complete") ? "" : ", INCOMPLETE: ",
		report_bool(f, "complete") ? "" : report_str(f, "error", "capture error"));
	if (report_get(f, "link_counters.delta"))
		fprintf(fp, "  captured %llu bytes; link counters during the capture: rx %llu bytes %llu "
			"packets, tx %llu bytes %llu packets\n",
			(unsigned long long)report_u64(f, "wire_bytes"),
			(unsigned long long)report_u64(f, "link_counters.delta.rx_bytes"),
			(unsigned long long)report_u64(f, "link_counters.delta.rx_packets"),
			(unsigned long long)report_u64(f, "link_counters.delta.tx_bytes"),
			(unsigned long long)report_u64(f, "link_counters.delta.tx_packets"));
}

/* Where a file is one part of a rotated capture, and a pcapng file's interfaces when it has several. */
static void text_input_parts(FILE *fp, json_object *f)
{
	json_object *ifs = report_get(f, "interfaces");
	size_t i, n = ifs ? report_len(ifs) : 0;

	if (report_u64(f, "parts") > 1)
		fprintf(fp, "  part %llu of %llu of capture %llu (read as one vantage point)\n",
			(unsigned long long)report_u64(f, "part"), (unsigned long long)report_u64(f, "parts"),
			(unsigned long long)report_u64(f, "capture"));
	for (i = 0; n > 1 && i < n; i++) {
		json_object *x = report_at(ifs, i);

		fprintf(fp, "  interface %llu%s%s: %s, snaplen %llu, %s timestamps, %llu frames%s\n",
			(unsigned long long)report_u64(x, "id"), report_get(x, "name") ? " " : "",
			report_str(x, "name", ""), report_str(x, "link_type", "?"),
			(unsigned long long)report_u64(x, "snaplen"), report_str(x, "precision", "?"),
			(unsigned long long)report_u64(x, "frames"),
			report_bool(x, "supported") ? "" : " (link type not supported: skipped)");
	}
}

static void text_inputs(FILE *fp, json_object *r)
{
	json_object *in = report_get(r, "inputs");
	size_t i;

	for (i = 0; in && i < report_len(in); i++) {
		json_object *f = report_at(in, i);

		if (strcmp(report_str(f, "format", ""), "live") == 0) {
			text_live_input(fp, f);
			continue;
		}
		fprintf(fp, "input %s: %s %s, %s timestamps, %llu frames%s%s\n",
			report_str(f, "file", "?"), report_str(f, "format", "?"),
			report_str(f, "link_type", "?"), report_str(f, "precision", "?"),
			(unsigned long long)report_u64(f, "frames"),
			report_bool(f, "complete") ? "" : ", INCOMPLETE: ",
			report_bool(f, "complete") ? "" : report_str(f, "error", "read error"));
		text_input_parts(fp, f);
	}
	if (report_bool(r, "counts_are_lower_bounds"))
		fprintf(fp, "WARNING: %llu frames were dropped before migmeter saw them: every count below "
			"is a lower bound\n", (unsigned long long)report_u64(r, "dropped_frames"));
}

static void text_migration(FILE *fp, json_object *r)
{
	json_object *m = report_get(r, "migration");
	char mean[32], peak[32];

	fprintf(fp, "\nall migration traffic (ports %s)\n", report_str(m, "ports", "?"));
	if (report_u64(report_get(r, "capture"), "flows_not_migration"))
		fprintf(fp, "  other TCP flows, not migration and not counted: %llu\n",
			(unsigned long long)report_u64(report_get(r, "capture"), "flows_not_migration"));
	if (report_u64(m, "flows") == 0) {
		fprintf(fp, "  no migration flow seen");
		if (report_u64(m, "collisions"))
			fprintf(fp, " (%llu port collisions, not counted)",
				(unsigned long long)report_u64(m, "collisions"));
		fputc('\n', fp);
		return;
	}
	fprintf(fp, "  start     %s (%s)\n  end       %s (%s)\n  duration  %s s\n",
		report_str(m, "start", "-"), report_str(m, "start_utc", "-"),
		report_str(m, "end", "-"), report_str(m, "end_utc", "-"),
		report_str(m, "duration_s", "-"));
	fprintf(fp, "  flows     %llu", (unsigned long long)report_u64(m, "flows"));
	if (report_u64(m, "collisions"))
		fprintf(fp, " (+%llu port collisions, not counted)",
			(unsigned long long)report_u64(m, "collisions"));
	fputc('\n', fp);
	dir_line(fp, "forward", report_get(m, "forward"));
	dir_line(fp, "reverse", report_get(m, "reverse"));
	out_si(mean, sizeof(mean), report_num(m, "mean_throughput_bps"), "bit/s");
	out_si(peak, sizeof(peak), report_num(m, "peak_throughput_bps"), "bit/s");
	fprintf(fp, "  throughput mean %s, peak %s over %s s bins%s\n", mean, peak,
		report_str(m, "bin_s", "?"),
		report_num(m, "duration_s") < report_num(m, "bin_s") ?
		" (the migration is shorter than one bin: a shorter --bin gives a finer peak)" : "");
}

static void text_flows(FILE *fp, json_object *r)
{
	json_object *fl = report_get(r, "flows");
	size_t i, n = fl ? report_len(fl) : 0;

	if (n == 0)
		return;
	fprintf(fp, "\nflows (forward = towards the listening port)\n");
	for (i = 0; i < n; i++) {
		json_object *f = report_at(fl, i);
		char c[80], s[80];

		snprintf(c, sizeof(c), "%s:%s", report_str(f, "client", "?"), report_str(f, "client_port", "?"));
		snprintf(s, sizeof(s), "%s:%s", report_str(f, "server", "?"), report_str(f, "server_port", "?"));
		fprintf(fp, "  #%-3s %-9s %-7s %s -> %s%s%s%s\n", report_str(f, "id", "?"),
			report_str(f, "class", "?"), report_str(f, "kind", "?"), c, s,
			report_bool(f, "direction_inferred") ? "  (direction inferred)" : "",
			report_bool(f, "counted") || strcmp(report_str(f, "class", ""), "collision") == 0 ?
			"" : "  (seen in an earlier capture too: not counted)",
			report_bool(f, "unique_approx") ? "  (unique bytes: lower bound)" : "");
		fprintf(fp, "       %s s .. %s s (%s s)\n", report_str(f, "first_ts", "-"),
			report_str(f, "last_ts", "-"), report_str(f, "duration_s", "-"));
		dir_line(fp, "forward", report_get(f, "forward"));
		dir_line(fp, "reverse", report_get(f, "reverse"));
	}
}

/* The stream's unresponsive time: its threshold, total and episodes. */
static void text_stream_unresp(FILE *fp, json_object *s)
{
	json_object *eps = report_get(s, "unresponsive_episodes");
	size_t k, n = eps ? report_len(eps) : 0;

	if (!report_get(s, "unresponsive_threshold_s"))
		return;
	fprintf(fp, "    unresponsive (no reply within %s s, %s): %zu episode%s, total %s s, longest %s s\n",
		report_str(s, "unresponsive_threshold_s", "-"), report_str(s, "unresponsive_threshold_rule", "-"),
		n, n == 1 ? "" : "s", report_str(s, "unresponsive_total_s", "-"),
		report_str(s, "unresponsive_longest_s", "-"));
	for (k = 0; k < n; k++) {
		json_object *e = report_at(eps, k);

		fprintf(fp, "    unresponsive %zu: %s .. %s, gap %s s [%s, %s], %llu late, %llu lost, worst RTT %s s%s\n",
			k + 1, report_str(e, "start", "-"), report_str(e, "end", "-"), report_str(e, "gap_s", "-"),
			report_str(e, "lower_s", "-"), report_str(e, "upper_s", "open"),
			(unsigned long long)report_u64(e, "late"), (unsigned long long)report_u64(e, "lost"),
			report_str(e, "worst_rtt_s", "-"),
			report_bool(e, "ended_in_capture") ? "" : " (still going at the end)");
	}
}

static void text_stream(FILE *fp, json_object *s)
{
	json_object *eps = report_get(s, "episodes");
	size_t k, n = eps ? report_len(eps) : 0;

	fprintf(fp, "  stream %s -> %s id %s: %llu requests, %llu replies, %llu lost, %llu pending, "
		"%llu duplicate, %llu late; interval %s s, median RTT %s s\n",
		report_str(s, "pinger", "?"), report_str(s, "target", "?"), report_str(s, "id", "?"),
		(unsigned long long)report_u64(s, "requests"),
		(unsigned long long)report_u64(s, "replies"),
		(unsigned long long)report_u64(s, "lost"),
		(unsigned long long)report_u64(s, "pending"),
		(unsigned long long)report_u64(s, "duplicates"),
		(unsigned long long)report_u64(s, "late"),
		report_str(s, "interval_s", "-"), report_str(s, "rtt_median_s", "-"));
	if (report_bool(s, "never_answered")) {
		fprintf(fp, "    never answered: no reply at all, so no downtime can be told\n");
		return;
	}
	if (report_bool(s, "replies_only"))
		fprintf(fp, "    only replies seen: episodes inferred from reply sequence gaps\n");
	if (report_u64(s, "follows_stream"))
		fprintf(fp, "    ping restarted: the run after stream %llu (same identifier, its sequence begun again)\n",
			(unsigned long long)report_u64(s, "follows_stream"));
	for (k = 0; k < n; k++) {
		json_object *e = report_at(eps, k);

		fprintf(fp, "    episode %zu: %s s, %llu lost, downtime %s s [%s, %s]%s%s%s\n", k + 1,
			report_str(e, "first_lost_ts", "-"), (unsigned long long)report_u64(e, "lost"),
			report_str(e, "estimate_s", "-"), report_str(e, "lower_s", "-"),
			report_str(e, "upper_s", "open"),
			report_bool(e, "began_in_capture") ? "" : " (began before the capture)",
			report_bool(e, "ended_in_capture") ? "" : " (still going at the end)",
			report_bool(e, "by_interval") ? " (clock stepped back: lost x interval)" : "");
	}
	if (report_u64(s, "clock_steps_back"))
		fprintf(fp, "    WARNING: the capture's clock stepped back %llu time(s) in this stream\n",
			(unsigned long long)report_u64(s, "clock_steps_back"));
	fprintf(fp, "    downtime total %s s, longest %s s; classic: lost x interval %s s, "
		"duration x loss rate %s s", report_str(s, "downtime_total_s", "-"),
		report_str(s, "downtime_longest_s", "-"), report_str(s, "lost_x_interval_s", "-"),
		report_str(s, "duration_x_loss_s", "-"));
	if (report_get(s, "lost_x_nominal_interval_s"))
		fprintf(fp, ", lost x the interval asked for %s s",
			report_str(s, "lost_x_nominal_interval_s", "-"));
	fputc('\n', fp);
	text_stream_unresp(fp, s);
}

static void text_downtime(FILE *fp, json_object *r)
{
	json_object *d = report_get(r, "downtime");
	json_object *st = report_get(d, "streams");
	size_t i, n = st ? report_len(st) : 0;

	fprintf(fp, "\ndowntime (ICMP echo)\n");
	if (n == 0) {
		fprintf(fp, "  no echo traffic seen\n");
		return;
	}
	for (i = 0; i < n; i++)
		text_stream(fp, report_at(st, i));
	if (report_get(d, "total.reason")) {
		/* no figure rather than a 0 that reads as "no downtime" */
		fprintf(fp, "  total over %s: no downtime figures: %s\n", report_str(d, "target", "all streams"),
			report_str(d, "total.reason", "?"));
		return;
	}
	fprintf(fp, "  total over %s: %llu episodes, downtime %s s, longest %s s, "
		"lost x interval %s s\n",
		report_str(d, "target", "all streams"),
		(unsigned long long)report_u64(d, "total.episodes"),
		report_str(d, "total.downtime_total_s", "-"),
		report_str(d, "total.downtime_longest_s", "-"),
		report_str(d, "total.lost_x_interval_s", "-"));
	if (report_get(d, "total.unresponsive_total_s"))
		fprintf(fp, "  unresponsive over %s: %llu episodes, total %s s, longest %s s\n",
			report_str(d, "target", "all streams"),
			(unsigned long long)report_u64(d, "total.unresponsive_episodes"),
			report_str(d, "total.unresponsive_total_s", "-"),
			report_str(d, "total.unresponsive_longest_s", "-"));
}

int out_text(FILE *fp, json_object *r)
{
	json_object *c = report_get(r, "capture");

	fprintf(fp, "migmeter %s report%s\n", report_str(r, "tool.version", "?"),
		report_bool(r, "complete") ? "" : " (INCOMPLETE: an input was damaged; figures cover what was read)");
	text_inputs(fp, r);
	fprintf(fp, "frames matched %llu; undecodable: %llu truncated, %llu invalid, %llu fragments\n",
		(unsigned long long)(report_u64(c, "frames")),
		(unsigned long long)report_u64(c, "decode.truncated"),
		(unsigned long long)report_u64(c, "decode.invalid"),
		(unsigned long long)report_u64(c, "decode.fragment"));
	if (report_u64(c, "flows_dropped") || report_u64(c, "echo_dropped") ||
	    report_u64(c, "bins_dropped"))
		fprintf(fp, "WARNING: tables full, counts are lower bounds: %llu frames of new flows, "
			"%llu echo messages, %llu time-series events not stored\n",
			(unsigned long long)report_u64(c, "flows_dropped"),
			(unsigned long long)report_u64(c, "echo_dropped"),
			(unsigned long long)report_u64(c, "bins_dropped"));
	out_text_migrations(fp, r);
	text_migration(fp, r);
	text_flows(fp, r);
	text_downtime(fp, r);
	return ferror(fp) ? -1 : 0;
}
