/* out-text-migration.c - one text block per migration: hosts, VM, flows, bytes, switchover, downtime. */
#include "out-migration.h"

#include <string.h>

#include "out.h"
#include "out-views.h"
#include "report.h"

static const char *str(json_object *o, const char *path)
{
	return report_str(o, path, "-");
}

static void text_flows(FILE *fp, json_object *mg)
{
	json_object *fl = report_get(mg, "flows");
	size_t i, n = fl ? report_len(fl) : 0;

	fprintf(fp, "  flows   ");
	for (i = 0; i < n; i++) {
		json_object *f = report_at(fl, i);

		fprintf(fp, "%s #%s %s", i ? ";" : "", str(f, "flow"), str(f, "role"));
		if (report_get(f, "channel"))
			fprintf(fp, " %s", str(f, "channel"));
		fprintf(fp, " %s %s->%s", str(f, "kind"), str(f, "client_port"), str(f, "server_port"));
		if (report_get(f, "kind_unreadable"))
			fprintf(fp, " (kind unread: %s)", str(f, "kind_unreadable"));
	}
	fputc('\n', fp);
}

static void text_episode(FILE *fp, json_object *e)
{
	fprintf(fp, "    episode stream %s -> %s: %s s, %llu lost, downtime %s s [%s, %s]%s\n",
		str(e, "stream"), str(e, "target"), str(e, "first_lost_ts"),
		(unsigned long long)report_u64(e, "lost"), str(e, "estimate_s"), str(e, "lower_s"),
		report_str(e, "upper_s", "open"),
		report_bool(e, "ended_in_capture") ? "" : " (still going at the end)");
}

static void text_unresp_episode(FILE *fp, json_object *e)
{
	fprintf(fp, "    unresponsive stream %s -> %s: %s .. %s, gap %s s [%s, %s], %llu late, %llu lost, "
		"worst RTT %s s%s\n", str(e, "stream"), str(e, "target"), str(e, "start"), str(e, "end"),
		str(e, "gap_s"), str(e, "lower_s"), report_str(e, "upper_s", "open"),
		(unsigned long long)report_u64(e, "late"), (unsigned long long)report_u64(e, "lost"),
		str(e, "worst_rtt_s"), report_bool(e, "ended_in_capture") ? "" : " (still going at the end)");
}

/* Unresponsive time beside the loss-based downtime (README "Unresponsive time"). */
static void text_unresp(FILE *fp, json_object *mg)
{
	json_object *eps = report_get(mg, "unresponsive.episodes");
	size_t k, n = eps ? report_len(eps) : 0;

	if (!report_get(mg, "unresponsive.threshold_s") && n == 0)
		return;
	fprintf(fp, "  unresp   %zu episode%s, total %s s, worst RTT %s s (no reply within %s s: %s)\n", n,
		n == 1 ? "" : "s", str(mg, "unresponsive.total_s"), str(mg, "unresponsive.worst_rtt_s"),
		str(mg, "unresponsive.threshold_s"), str(mg, "unresponsive.threshold_rule"));
	for (k = 0; k < n; k++)
		text_unresp_episode(fp, report_at(eps, k));
}

/* --app (README "Application impact"): one line per phase, then the blackout. */
static void text_app(FILE *fp, json_object *mg)
{
	json_object *ph = report_get(mg, "app.phases");
	size_t k;

	if (!ph)
		return;
	fprintf(fp, "  app      longest stall %s s; downtime source %s\n", str(mg, "app.longest_stall_s"),
		str(mg, "downtime_source"));
	for (k = 0; k < report_len(ph); k++) {
		json_object *p = report_at(ph, k);

		fprintf(fp, "    %-10s %s turns, median %s s, p99 %s s, goodput %s bit/s (x%s), stall %s s\n",
			str(p, "phase"), str(p, "turns"), str(p, "response_median_s"), str(p, "response_p99_s"),
			str(p, "goodput_bps"), str(p, "goodput_vs_before"), str(p, "longest_stall_s"));
	}
	if (report_get(mg, "app.blackout"))
		fprintf(fp, "    blackout %s s [%s, %s] from %s traffic, resolution %s s\n", str(mg, "app.blackout.gap_s"),
			str(mg, "app.blackout.lower_s"), str(mg, "app.blackout.upper_s"), str(mg, "app.blackout.source"),
			str(mg, "app.blackout.resolution_s"));
}

static void text_one(FILE *fp, json_object *mg, double bin_s)
{
	json_object *eps = report_get(mg, "episodes");
	size_t k, ne = eps ? report_len(eps) : 0;
	char mean[32], peak[32];

	fprintf(fp, "\nmigration %s: %s (%s), %s -> %s", str(mg, "id"), str(mg, "status"),
		str(mg, "status_reason"), str(mg, "source"), str(mg, "destination"));
	if (report_bool(mg, "inferred"))
		fprintf(fp, ", inferred (%s)", str(mg, "inferred_reason"));
	fputc('\n', fp);
	fprintf(fp, "  VM       MAC %s, IP %s, UUID %s\n", str(mg, "vm.mac"), str(mg, "vm.ip"), str(mg, "uuid"));
	fprintf(fp, "  start    %s (%s), first payload %s (setup %s s)\n", str(mg, "start"),
		str(mg, "start_utc"), str(mg, "first_payload"), str(mg, "setup_s"));
	fprintf(fp, "  end      %s (%s), duration %s s\n", str(mg, "end"), str(mg, "end_utc"),
		str(mg, "duration_s"));
	text_flows(fp, mg);
	fprintf(fp, "  bytes    %llu unique payload (main %llu, multifd %llu, nbd %llu, other %llu), "
		"%llu wire, %llu retransmitted\n",
		(unsigned long long)report_u64(mg, "unique_payload_bytes"),
		(unsigned long long)report_u64(mg, "bytes_by_role.main"),
		(unsigned long long)report_u64(mg, "bytes_by_role.multifd"),
		(unsigned long long)report_u64(mg, "bytes_by_role.nbd"),
		(unsigned long long)report_u64(mg, "bytes_by_role.other"),
		(unsigned long long)report_u64(mg, "wire_bytes"),
		(unsigned long long)report_u64(mg, "retrans_bytes"));
	out_si(mean, sizeof(mean), report_num(mg, "mean_bps"), "bit/s");
	out_si(peak, sizeof(peak), report_num(mg, "peak_bps"), "bit/s");
	fprintf(fp, "  rate     mean %s, peak %s (busiest bin)%s%s\n", mean, peak,
		report_bool(mg, "peak_shared") ? "; its bins also hold another migration's bytes" : "",
		report_num(mg, "duration_s") < bin_s ?
		"; shorter than one bin: a shorter --bin gives a finer peak" : "");
	fprintf(fp, "  switch   final burst end %s, resumed %s", str(mg, "switchover.final_burst_end"),
		str(mg, "switchover.resumed"));
	if (report_get(mg, "switchover.resumed"))
		fprintf(fp, " (%s s later, %s, %llu announces)", str(mg, "switchover.burst_to_resumed_s"),
			str(mg, "switchover.resumed_by"),
			(unsigned long long)report_u64(mg, "switchover.announces"));
	fprintf(fp, "\n           VM's first frame %s, first reply after %s, last reply before %s\n",
		str(mg, "switchover.vm_first_frame"), str(mg, "switchover.first_reply_after"),
		str(mg, "switchover.last_reply_before"));
	fprintf(fp, "  downtime %zu episode%s, total %s s; announce bound %s s\n", ne, ne == 1 ? "" : "s",
		str(mg, "downtime_total_s"), str(mg, "announce_bound_s"));
	for (k = 0; k < ne; k++)
		text_episode(fp, report_at(eps, k));
	text_unresp(fp, mg);
	text_app(fp, mg);
	out_text_migration_views(fp, mg);
}

int out_text_migrations(FILE *fp, json_object *r)
{
	json_object *arr = report_get(r, "migrations"), *out = report_get(r, "episodes_outside_migrations");
	size_t i, n = arr ? report_len(arr) : 0, no = out ? report_len(out) : 0;

	for (i = 0; i < n; i++)
		text_one(fp, report_at(arr, i), report_num(r, "migration.bin_s"));
	if (no) {
		fprintf(fp, "\noutside any migration: %zu downtime episode%s (a network problem, not a "
			"migration)\n", no, no == 1 ? "" : "s");
		for (i = 0; i < no; i++)
			text_episode(fp, report_at(out, i));
	}
	out = report_get(r, "unresponsive_outside_migrations");
	no = out ? report_len(out) : 0;
	if (no) {
		fprintf(fp, "\noutside any migration: %zu unresponsive episode%s\n", no, no == 1 ? "" : "s");
		for (i = 0; i < no; i++)
			text_unresp_episode(fp, report_at(out, i));
	}
	out_text_views_unmatched(fp, r);
	if (report_u64(r, "announces.damaged"))
		fprintf(fp, "\n%llu damaged announce frames (truncated or lying ARP headers) not used\n",
			(unsigned long long)report_u64(r, "announces.damaged"));
	return ferror(fp) ? -1 : 0;
}
