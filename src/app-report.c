/* app-report.c - the application stage in the report tree and its CSV columns and table. */
#include "app-report.h"

#include <stdio.h>
#include <string.h>

#include "out.h"
#include "report.h"

/* The migration stage's switchover windows (migration.h's defaults): where the blackout is looked for. */
#define APP_BLACKOUT_BEFORE MM_NS_PER_S
#define APP_BLACKOUT_AFTER MM_NS_PER_S

static void put(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

static void put_u64(json_object *o, const char *k, uint64_t v)
{
	put(o, k, json_object_new_uint64(v));
}

/* A rate or ratio with `dec` decimals; null when negative (no figure). */
static json_object *jnum(double v, int dec)
{
	char buf[64];

	if (v < 0)
		return NULL;
	snprintf(buf, sizeof(buf), "%.*f", dec, v);
	return json_object_new_double_s(v, buf);
}

static void ports_text(const struct app_cfg *c, char *buf, size_t n)
{
	size_t i, at = 0;

	buf[0] = '\0';
	for (i = 0; i < c->nports && at < n; i++)
		at += (size_t)snprintf(buf + at, n - at, "%s%u", i ? "," : "", (unsigned)c->ports[i]);
}

json_object *app_report_totals(const struct meter *m, int digits)
{
	const struct app_cfg *c;
	struct app_totals t;
	json_object *j, *ls;
	char ports[APP_MAX_PORTS * 6 + 1];

	if (!app_enabled(m->app))
		return NULL;
	c = app_config(m->app);
	app_get_totals(m->app, &t);
	j = json_object_new_object();
	ports_text(c, ports, sizeof(ports));
	put(j, "ports", c->nports ? json_object_new_string(ports) : NULL);
	put(j, "filter", json_object_new_string(c->filter ? c->filter : "bpf/app.bpf"));
	put_u64(j, "connections", t.connections);
	put_u64(j, "connections_not_fitted", t.connections_not_fitted);
	put_u64(j, "frames", t.frames);
	put_u64(j, "frames_not_fitted", t.frames_not_fitted);
	put(j, "first_ts", report_jtime(t.first_ts, digits));
	put(j, "last_ts", report_jtime(t.last_ts, digits));
	put_u64(j, "turns", t.turns);
	put_u64(j, "unanswered", t.unanswered);
	put(j, "response_median_s", report_jtime(t.rt_median, digits));
	put(j, "response_p99_s", report_jtime(t.rt_p99, digits));
	put(j, "response_mean_s", report_jtime(t.rt_mean, digits));
	put_u64(j, "goodput_bytes", t.goodput);
	put_u64(j, "client_bytes", t.client_bytes);
	put_u64(j, "retrans_bytes", t.retrans);
	put_u64(j, "conns_opened", t.opened);
	put_u64(j, "conns_refused", t.refused);
	put_u64(j, "conns_reset", t.reset);
	if (t.longest.start != MM_NS_NONE) {
		ls = json_object_new_object();
		put(ls, "start", report_jtime(t.longest.start, digits));
		put(ls, "end", report_jtime(t.longest.end, digits));
		put(ls, "stall_s", report_jtime(mm_sub(t.longest.end, t.longest.start), digits));
		put(ls, "ended_in_capture", json_object_new_boolean(!t.longest.open));
		put(j, "longest_stall", ls);
	} else {
		put(j, "longest_stall", NULL);
	}
	put(j, "timely_factor", json_object_new_int(10));
	put(j, "window_s", report_jtime(app_window(m->app), digits));
	put_u64(j, "turns_not_kept", t.turns_not_kept);
	put_u64(j, "stalls_not_kept", t.stalls_not_kept);
	put_u64(j, "gaps_not_kept", t.gaps_not_kept);
	put_u64(j, "bins_dropped", t.bins_dropped);
	return j;
}

static json_object *phase_obj(const struct app_phase_fig *f, unsigned k, int digits)
{
	json_object *j = json_object_new_object();

	put(j, "phase", json_object_new_string(app_phase_name(k)));
	put(j, "start", report_jtime(f->start, digits));
	put(j, "end", report_jtime(f->end, digits));
	put(j, "goodput_bps", jnum(f->goodput_bps, 0));
	put_u64(j, "turns", f->turns);
	put(j, "response_median_s", report_jtime(f->rt_median, digits));
	put(j, "response_p99_s", report_jtime(f->rt_p99, digits));
	put_u64(j, "conns_opened", f->opened);
	put_u64(j, "conns_refused", f->refused);
	put_u64(j, "conns_reset", f->reset);
	put_u64(j, "retrans_bytes", f->retrans);
	put(j, "longest_stall_s", report_jtime(f->longest_stall, digits));
	put(j, "goodput_vs_before", k == APP_BEFORE ? NULL : jnum(f->goodput_vs_before, 3));
	put(j, "response_median_vs_before", k == APP_BEFORE ? NULL : jnum(f->rt_median_vs_before, 3));
	return j;
}

static json_object *blackout_obj(const struct app_blackout *b, int digits)
{
	json_object *j;

	if (!b->source)
		return NULL;
	j = json_object_new_object();
	put(j, "source", json_object_new_string(b->source));
	put(j, "start", report_jtime(b->start, digits));
	put(j, "end", report_jtime(b->end, digits));
	put(j, "gap_s", report_jtime(b->gap, digits));
	put(j, "lower_s", report_jtime(b->lower, digits));
	put(j, "upper_s", report_jtime(b->upper, digits));
	put(j, "resolution_s", report_jtime(b->resolution, digits));
	return j;
}

json_object *app_report_migration(const struct meter *m, const struct mig_record *r, int digits)
{
	struct app_mig_times mt;
	struct app_mig am;
	json_object *j, *arr;
	mm_ns longest = MM_NS_NONE;
	unsigned k;

	if (!app_enabled(m->app))
		return NULL;
	mt.start = r->start;
	mt.final_burst_end = r->final_burst_end;
	mt.resumed = r->resumed;
	mt.end = r->end;
	mt.before_burst = APP_BLACKOUT_BEFORE;
	mt.after_resume = APP_BLACKOUT_AFTER;
	mt.vm_ip = r->vm_ip;
	if (app_migration(m->app, &mt, &am) < 0)
		return NULL;
	j = json_object_new_object();
	arr = json_object_new_array();
	for (k = 0; k < APP_PHASES; k++) {
		json_object_array_add(arr, phase_obj(&am.ph[k], k, digits));
		if (k != APP_BEFORE && am.ph[k].longest_stall != MM_NS_NONE &&
		    (longest == MM_NS_NONE || am.ph[k].longest_stall > longest))
			longest = am.ph[k].longest_stall;
	}
	put(j, "phases", arr);
	put(j, "blackout", blackout_obj(&am.blackout, digits));
	/* Flat figures for the migrations CSV. */
	put(j, "longest_stall_s", report_jtime(longest, digits));
	put(j, "switchover_end_timely", report_jtime(am.switchover_end_timely, digits));
	put(j, "switchover_goodput_vs_before", jnum(am.ph[APP_SWITCHOVER].goodput_vs_before, 3));
	put(j, "switchover_response_median_vs_before", jnum(am.ph[APP_SWITCHOVER].rt_median_vs_before, 3));
	return j;
}

const char *app_downtime_source(const struct mig_record *r, json_object *app)
{
	if (r->episodes > 0 || r->last_reply_before != MM_NS_NONE || r->first_reply_after != MM_NS_NONE)
		return "echo";
	return report_str(app, "blackout.source", NULL);
}

/* ---- CSV ----------------------------------------------------------------- */

static const char *const phase_cols[][2] = {
	{ "phase", "phase" }, { "start", "start" }, { "end", "end" }, { "goodput_bps", "goodput_bps" },
	{ "turns", "turns" }, { "response_median_s", "response_median_s" },
	{ "response_p99_s", "response_p99_s" }, { "conns_opened", "conns_opened" },
	{ "conns_refused", "conns_refused" }, { "conns_reset", "conns_reset" },
	{ "retrans_bytes", "retrans_bytes" }, { "longest_stall_s", "longest_stall_s" },
	{ "goodput_vs_before", "goodput_vs_before" },
	{ "response_median_vs_before", "response_median_vs_before" },
};

#define NPHASE_COLS (sizeof(phase_cols) / sizeof(phase_cols[0]))

int out_csv_app(FILE *fp, json_object *report)
{
	json_object *migs = report_get(report, "migrations");
	size_t i, k, c, n = migs && json_object_is_type(migs, json_type_array) ? report_len(migs) : 0;

	fputs("migration", fp);
	for (c = 0; c < NPHASE_COLS; c++)
		fprintf(fp, ",%s", phase_cols[c][0]);
	fputs(",blackout_source,blackout_s\n", fp);
	for (i = 0; i < n; i++) {
		json_object *mg = report_at(migs, i);
		json_object *ph = report_get(mg, "app.phases");

		for (k = 0; ph && k < report_len(ph); k++) {
			json_object *row = report_at(ph, k);

			fprintf(fp, "%llu", (unsigned long long)report_u64(mg, "id"));
			for (c = 0; c < NPHASE_COLS; c++) {
				json_object *v = report_get(row, phase_cols[c][1]);

				fputc(',', fp);
				if (v)
					out_csv_field(fp, json_object_get_string(v));
			}
			fputc(',', fp);
			out_csv_field(fp, report_str(mg, "app.blackout.source", ""));
			fputc(',', fp);
			out_csv_field(fp, report_str(mg, "app.blackout.gap_s", ""));
			fputc('\n', fp);
		}
	}
	return ferror(fp) ? -1 : 0;
}

void app_csv_series_header(FILE *fp)
{
	fputs(",app_goodput_bytes,app_client_bytes,app_turns,app_response_mean_s,app_response_max_s,"
	      "app_conns_opened,app_conns_refused,app_conns_reset,app_retrans_bytes,app_longest_stall_s", fp);
}

void app_csv_series_row(FILE *fp, const struct app_table *a, uint64_t bin, int digits)
{
	static const struct app_bin none;
	const struct app_bin *b;
	char mean[48], mx[48], st[48];

	if (!app_enabled(a)) {
		fputs(",,,,,,,,,,", fp);
		return;
	}
	b = app_bin_get(a, bin);
	if (!b)
		b = &none;
	mean[0] = mx[0] = st[0] = '\0';
	if (b->stall_max > 0)
		mm_fmt_seconds(st, sizeof(st), b->stall_max, digits);
	if (b->turns) {
		mm_fmt_seconds(mean, sizeof(mean), b->rt_sum / (mm_ns)b->turns, digits);
		mm_fmt_seconds(mx, sizeof(mx), b->rt_max, digits);
	}
	fprintf(fp, ",%llu,%llu,%llu,%s,%s,%llu,%llu,%llu,%llu,%s", (unsigned long long)b->goodput,
		(unsigned long long)b->client_bytes, (unsigned long long)b->turns, mean, mx,
		(unsigned long long)b->opened, (unsigned long long)b->refused, (unsigned long long)b->reset,
		(unsigned long long)b->retrans, st);
}
