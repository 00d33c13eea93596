/* out-text-views.c - the other views as text: the logs report view by view, and each migration's side-by-side table. */
#include "out-views.h"

#include <math.h>
#include <string.h>

#include "out.h"
#include "report.h"

static const char *str(json_object *o, const char *path)
{
	return report_str(o, path, "-");
}

static size_t len(json_object *o, const char *path)
{
	json_object *a = report_get(o, path);

	return a && json_object_is_type(a, json_type_array) ? report_len(a) : 0;
}

static void file_line(FILE *fp, const char *what, json_object *v, size_t n, const char *things)
{
	fprintf(fp, "\n%s %s: %zu %s; %s lines, %s unknown, %s overlong (skipped)\n", what, str(v, "file"), n,
		things, str(v, "lines"), str(v, "unknown_lines"), str(v, "overlong_lines"));
}

static void text_ping_run(FILE *fp, json_object *run, size_t i)
{
	json_object *eps = report_get(run, "episodes"), *notes = report_get(run, "classic.misleading");
	size_t k, n = len(run, "episodes");
	int abs = report_get(run, "first_request") != NULL;

	fprintf(fp, "  run %zu (line %s): PING %s, times %s\n", i + 1, str(run, "first_line"), str(run, "target"),
		str(run, "times"));
	if (report_get(run, "transmitted"))
		fprintf(fp, "    statistics: %s transmitted, %s received, +%s duplicates, %s%% loss, time %s ms\n",
			str(run, "transmitted"), str(run, "received"), str(run, "duplicates"), str(run, "loss_pct"),
			str(run, "time_ms"));
	else
		fprintf(fp, "    no statistics lines (ping did not end, or they were cut off)\n");
	fprintf(fp, "    %s reply lines, %s DUP!, %s 'no answer yet', %s errors; requests %s..%s, %s lost; "
		"interval %s s (%s)\n", str(run, "reply_lines"), str(run, "dup_lines"), str(run, "no_answer_lines"),
		str(run, "error_lines"), str(run, "first_seq"), str(run, "last_seq"), str(run, "lost"),
		str(run, "interval_s"), str(run, "interval_from"));
	for (k = 0; k < n; k++) {
		json_object *e = report_at(eps, k);

		fprintf(fp, "    episode %zu: seq %s-%s, %s lost, from %s%s s, downtime %s s [%s, %s]%s%s\n", k + 1,
			str(e, "first_seq"), str(e, "last_seq"), str(e, "lost"), abs ? "" : "+",
			str(e, abs ? "start" : "start_rel_s"), str(e, "estimate_s"), str(e, "lower_s"),
			report_str(e, "upper_s", "open"),
			report_bool(e, "ended_in_log") ? "" : " (no reply after it in the log)",
			report_bool(e, "began_in_log") ? "" : " (from the first request)");
	}
	fprintf(fp, "    outages %s, downtime total %s s, longest %s s\n", str(run, "outages"),
		str(run, "downtime_total_s"), str(run, "longest_s"));
	fprintf(fp, "    classic: lost x interval %s s; lost x asked interval %s s; time x loss %% %s s; "
		"continuity: %s\n", str(run, "classic.lost_x_interval_s"), str(run, "classic.lost_x_asked_interval_s"),
		str(run, "classic.time_x_loss_s"), str(run, "classic.continuity"));
	for (k = 0; k < len(run, "classic.misleading"); k++)
		fprintf(fp, "    misleading: %s\n", json_object_get_string(report_at(notes, k)));
}

static void text_nova(FILE *fp, json_object *v)
{
	json_object *ms = report_get(v, "migrations"), *ev = report_get(v, "lifecycle_events");
	size_t i, n = len(v, "migrations");

	for (i = 0; i < n; i++) {
		json_object *m = report_at(ms, i);
		size_t ns = len(m, "downtime_steps");

		fprintf(fp, "  instance %s (line %s): %s, start %s (%s), end %s, duration %s s\n", str(m, "instance"),
			str(m, "first_line"), str(m, "status"), str(m, "start"), str(m, "start_utc"), str(m, "end"),
			str(m, "duration_s"));
		fprintf(fp, "    %zu downtime steps", ns);
		if (ns)
			fprintf(fp, " (last %s s after %s s)",
				str(report_at(report_get(m, "downtime_steps"), ns - 1), "downtime_s"),
				str(report_at(report_get(m, "downtime_steps"), ns - 1), "after_s"));
		fprintf(fp, ", %zu progress lines; paused %s, resumed %s, stopped %s, started %s\n",
			len(m, "progress"), str(m, "paused"), str(m, "resumed"), str(m, "stopped"), str(m, "started"));
	}
	for (i = 0; i < len(v, "lifecycle_events"); i++) {
		json_object *e = report_at(ev, i);

		fprintf(fp, "  lifecycle event outside a migration: %s VM %s at %s\n", str(e, "instance"),
			str(e, "event"), str(e, "t"));
	}
}

static void text_jobs(FILE *fp, json_object *v)
{
	json_object *js = report_get(v, "jobs");
	size_t i;

	for (i = 0; i < len(v, "jobs"); i++) {
		json_object *j = report_at(js, i);

		fprintf(fp, "  job %zu (line %s): %s%s%s: elapsed %s s, downtime %s s, setup %s s, memory %s bytes "
			"of %s, data %s bytes%s\n", i + 1, str(j, "line"), str(j, "status"),
			report_get(j, "operation") ? ", " : "", report_str(j, "operation", ""), str(j, "time_elapsed_s"),
			str(j, "downtime_s"), str(j, "setup_s"), str(j, "memory_processed_bytes"),
			str(j, "memory_total_bytes"), str(j, "data_processed_bytes"),
			report_bool(j, "sizes_rounded") ? " (sizes rounded by virsh)" : "");
		if (report_get(j, "start") || report_get(j, "stop_to_resume_s"))
			fprintf(fp, "    start %s, end %s, STOP to RESUME %s s\n", str(j, "start"), str(j, "end"),
				str(j, "stop_to_resume_s"));
	}
}

int out_text_logs(FILE *fp, json_object *r)
{
	json_object *v = report_get(r, "views"), *x;
	size_t i;

	fprintf(fp, "migmeter %s logs report\n", str(r, "tool.version"));
	x = report_get(v, "ping");
	if (x) {
		file_line(fp, "ping log", x, len(x, "runs"), "runs");
		for (i = 0; i < len(x, "runs"); i++)
			text_ping_run(fp, report_at(report_get(x, "runs"), i), i);
	}
	x = report_get(v, "nova");
	if (x) {
		file_line(fp, "nova-compute.log", x, len(x, "migrations"), "migrations");
		fprintf(fp, "  times read as local time in %s (from %s)\n", str(v, "log_tz.zone"),
			str(v, "log_tz.from"));
		text_nova(fp, x);
	}
	x = report_get(v, "migration_list");
	if (x) {
		json_object *rows = report_get(x, "rows");

		file_line(fp, "migration list", x, len(x, "rows"), "rows");
		for (i = 0; i < len(x, "rows"); i++) {
			json_object *w = report_at(rows, i);

			fprintf(fp, "  id %s: %s %s -> %s (%s), %s, %s: created %s, updated %s (UTC), span %s s\n",
				str(w, "id"), str(w, "instance"), str(w, "source_compute"), str(w, "dest_compute"),
				str(w, "dest_host"), str(w, "status"), str(w, "type"), str(w, "created_utc"),
				str(w, "updated_utc"), str(w, "span_s"));
		}
	}
	x = report_get(v, "domjobinfo");
	if (x) {
		file_line(fp, "domjobinfo", x, len(x, "jobs"), "jobs");
		text_jobs(fp, x);
	}
	x = report_get(v, "query_migrate");
	if (x) {
		file_line(fp, "query-migrate", x, len(x, "jobs"), "jobs");
		text_jobs(fp, x);
	}
	return ferror(fp) ? -1 : 0;
}

/* One row of the side-by-side table: start and end as offsets from the wire's start. */
static void table_row(FILE *fp, const char *name, json_object *o, double w0, const char *ks, const char *ke,
		      const char *dur, const char *down, const char *bytes)
{
	json_object *s = ks ? report_get(o, ks) : NULL, *e = ke ? report_get(o, ke) : NULL;
	char sb[32] = "-", eb[32] = "-", db[40] = "-";

	/* Offsets under half a millisecond are +0.000, never -0.000. */
	if (s)
		snprintf(sb, sizeof(sb), "%+.3f", fabs(json_object_get_double(s) - w0) < 0.0005 ? 0.0 :
			 json_object_get_double(s) - w0);
	if (e)
		snprintf(eb, sizeof(eb), "%+.3f", fabs(json_object_get_double(e) - w0) < 0.0005 ? 0.0 :
			 json_object_get_double(e) - w0);
	if (bytes && report_get(o, bytes))
		out_si(db, sizeof(db), report_num(o, bytes), "B");
	fprintf(fp, "    %-22s %10s %10s %12s %12s %10s\n", name, sb, eb, dur ? str(o, dur) : "-",
		down ? str(o, down) : "-", db);
}

void out_text_migration_views(FILE *fp, json_object *mg)
{
	json_object *v = report_get(mg, "views"), *w, *x, *d;
	double w0;
	size_t i;

	if (!v)
		return;
	w = report_get(v, "wire");
	w0 = report_num(w, "start");
	fprintf(fp, "  views side by side (start, end: s from the wire's first frame)\n");
	fprintf(fp, "    %-22s %10s %10s %12s %12s %10s\n", "view", "start", "end", "duration s", "downtime s",
		"data");
	table_row(fp, "wire (this capture)", w, w0, "start", "end", "duration_s", "downtime_total_s",
		  "unique_payload_bytes");
	x = report_get(v, "nova");
	if (x)
		table_row(fp, "nova-compute.log", x, w0, "start", "end", "duration_s", NULL, NULL);
	x = report_get(v, "migration_list");
	if (x)
		table_row(fp, "nova migration-list", x, w0, "created", "updated", "span_s", NULL, NULL);
	x = report_get(v, "libvirt");
	if (x)
		table_row(fp, "libvirt domjobinfo", x, w0, NULL, NULL, "time_elapsed_s", "downtime_s",
			  "data_processed_bytes");
	x = report_get(v, "qemu");
	if (x)
		table_row(fp, "QEMU query-migrate", x, w0, "start", "end", "time_elapsed_s", "downtime_s",
			  "memory_processed_bytes");
	x = report_get(v, "ping");
	if (x) {
		table_row(fp, "ping log", x, w0, NULL, NULL, NULL, "downtime_s", NULL);
		fprintf(fp, "    %-22s %s lost; x interval %s s = %s s", "  hand method", str(x, "lost"),
			str(x, "interval_s"), str(x, "lost_x_interval_s"));
		if (report_get(x, "asked_interval_s"))
			fprintf(fp, "; x asked %s s = %s s\n", str(x, "asked_interval_s"),
				str(x, "lost_x_asked_interval_s"));
		else
			fprintf(fp, " (--ping-interval: lost x the asked interval)\n");
	}
	d = report_get(v, "differences");
	for (i = 0; i < len(v, "differences"); i++)
		fprintf(fp, "    - %s\n", json_object_get_string(report_at(d, i)));
}

void out_text_views_unmatched(FILE *fp, json_object *r)
{
	json_object *u = report_get(r, "views.unmatched");
	size_t i, n = len(r, "views.unmatched");

	if (report_get(r, "views.log_tz"))
		fprintf(fp, "\nnova-compute.log's times read as local time in %s (from %s)\n", str(r, "views.log_tz.zone"),
			str(r, "views.log_tz.from"));
	if (!n)
		return;
	fprintf(fp, "\nview entries no migration took: %zu\n", n);
	for (i = 0; i < n; i++) {
		json_object *e = report_at(u, i);

		fprintf(fp, "  %s entry %s: %s\n", str(e, "view"), str(e, "entry"), str(e, "why"));
	}
}

int out_csv_logs(FILE *fp, json_object *r)
{
	static const struct csv_col cols[] = {
		OUT_CSV_COL("view", "view"), OUT_CSV_COL("entry", "entry"), OUT_CSV_COL("instance", "instance"),
		OUT_CSV_COL("status", "status"), OUT_CSV_COL("start", "start"), OUT_CSV_COL("end", "end"),
		OUT_CSV_COL("duration_s", "duration_s"), OUT_CSV_COL("downtime_s", "downtime_s"),
		OUT_CSV_COL("bytes", "bytes"), OUT_CSV_COL("lost", "lost"),
	};

	return out_csv_table(fp, r, "rows", cols, sizeof(cols) / sizeof(cols[0]));
}
