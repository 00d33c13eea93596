/* report-views.c - the other views as JSON: ping runs with their episodes and the classic figures, nova, the migration list, libvirt, QEMU. */
#include "view-set.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

static void put(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

static void put_u64(json_object *o, const char *k, uint64_t v)
{
	put(o, k, json_object_new_uint64(v));
}

static void put_str(json_object *o, const char *k, const char *v)
{
	put(o, k, v && *v ? json_object_new_string(v) : NULL);
}

static json_object *jdec(double v, int decimals)
{
	char buf[64];

	if (v < 0 || !isfinite(v))
		return NULL;
	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	return json_object_new_double_s(v, buf);
}

/* An absolute time and its ISO 8601 UTC form beside it ("start", "start_utc"). */
static void put_time(json_object *o, const char *k, mm_ns t, int digits)
{
	char k2[64];

	put(o, k, report_jtime(t, digits));
	snprintf(k2, sizeof(k2), "%s_utc", k);
	put(o, k2, report_jutc(t, digits));
}

static mm_ns span(mm_ns a, mm_ns b)
{
	return a == MM_NS_NONE || b == MM_NS_NONE ? MM_NS_NONE : mm_sub(b, a);
}

static json_object *file_obj(const char *path, unsigned long lines, unsigned long unknown, unsigned long overlong)
{
	json_object *j = json_object_new_object();

	put_str(j, "file", path);
	put_u64(j, "lines", lines);
	put_u64(j, "unknown_lines", unknown);
	put_u64(j, "overlong_lines", overlong);
	return j;
}

/* ---- ping --------------------------------------------------------------- */

static json_object *ping_episode(const struct vping_run *r, const struct vping_episode *e, int digits)
{
	json_object *j = json_object_new_object();

	put_u64(j, "first_seq", e->first_seq);
	put_u64(j, "last_seq", e->last_seq);
	put_u64(j, "lost", e->lost);
	if (r->timestamps) {
		put_time(j, "start", e->start, digits);
		put_time(j, "end", e->end, digits);
	} else {
		/* Without -D only the sequence numbers: times from the run's first request. */
		put(j, "start_rel_s", report_jtime(e->start, digits));
		put(j, "end_rel_s", report_jtime(e->end, digits));
	}
	put(j, "estimate_s", report_jtime(e->estimate, digits));
	put(j, "lower_s", report_jtime(e->lower, digits));
	put(j, "upper_s", report_jtime(e->upper, digits));
	put(j, "began_in_log", json_object_new_boolean(e->began));
	put(j, "ended_in_log", json_object_new_boolean(e->ended));
	return j;
}

/* Where the classic figures mislead, in words. */
static json_object *ping_notes(const struct vping_run *r, mm_ns asked, size_t outages, mm_ns longest, int digits)
{
	json_object *a = json_object_new_array();
	char buf[512], l[48], iv[48], as[48];
	size_t i, tail = 0;

	for (i = 0; i < r->nep; i++)
		if (!r->ep[i].ended)
			tail += (size_t)r->ep[i].lost;
	if (outages > 1) {
		mm_fmt_seconds(l, sizeof(l), longest, 3);
		snprintf(buf, sizeof(buf), "%zu separate outages: lost x interval and time x loss %% add them into "
			 "one figure, not the downtime of any one (the longest was %s s)", outages, l);
		json_object_array_add(a, json_object_new_string(buf));
	}
	/* In doubles: a damaged log's times are anything. */
	if (asked != MM_NS_NONE && r->interval != MM_NS_NONE && r->timestamps &&
	    fabs((double)r->interval - (double)asked) * 20 > (double)asked) {
		mm_fmt_seconds(iv, sizeof(iv), r->interval, 6);
		mm_fmt_seconds(as, sizeof(as), asked, 6);
		snprintf(buf, sizeof(buf), "ping was asked for every %s s but sent every %s s (its timer): lost x "
			 "the asked interval is off by %.0f%%", as, iv,
			 100.0 * ((double)r->interval - (double)asked) / (double)asked);
		json_object_array_add(a, json_object_new_string(buf));
	}
	if (asked != MM_NS_NONE && !r->timestamps && r->summary_interval != MM_NS_NONE &&
	    fabs((double)r->summary_interval - (double)asked) * 20 > (double)asked) {
		mm_fmt_seconds(iv, sizeof(iv), r->summary_interval, 6);
		mm_fmt_seconds(as, sizeof(as), asked, 6);
		snprintf(buf, sizeof(buf), "the statistics' time over the requests' intervals gives %s s a request, not the asked "
			 "%s s: ping's timer, or the wait after the last request, stretches it", iv, as);
		json_object_array_add(a, json_object_new_string(buf));
	}
	if (tail) {
		snprintf(buf, sizeof(buf), "%zu request%s at the end got no reply in the log (pending when ping "
			 "stopped, or an outage not over): counted lost by ping, in no outage here", tail,
			 tail == 1 ? "" : "s");
		json_object_array_add(a, json_object_new_string(buf));
	}
	if (r->dup_lines) {
		snprintf(buf, sizeof(buf), "%llu duplicate replies (DUP!): ping counts each request once",
			 (unsigned long long)r->dup_lines);
		json_object_array_add(a, json_object_new_string(buf));
	}
	(void)digits;
	return a;
}

static json_object *ping_run(const struct vping_run *r, mm_ns asked, int digits)
{
	json_object *j = json_object_new_object(), *eps = json_object_new_array(), *c = json_object_new_object();
	json_object *rtt = NULL;
	mm_ns longest, total = 0;
	size_t i, outages = vping_outages(r, &longest);
	double lxi = vping_lost_x_interval(r, MM_NS_NONE), lxa = -1.0, txl = vping_time_x_loss(r);

	if (asked != MM_NS_NONE)
		lxa = vping_lost_x_interval(r, asked);
	put_str(j, "target", r->target);
	put_u64(j, "first_line", r->first_line);
	put_str(j, "times", r->timestamps ? "absolute (-D)" : "sequence numbers only");
	put(j, "transmitted", r->have_summary ? json_object_new_uint64(r->transmitted) : NULL);
	put(j, "received", r->have_summary ? json_object_new_uint64(r->received) : NULL);
	put(j, "duplicates", r->have_summary ? json_object_new_uint64(r->duplicates) : NULL);
	put(j, "errors", r->have_summary ? json_object_new_uint64(r->errors) : NULL);
	put(j, "loss_pct", r->have_summary ? jdec((double)r->loss_pct_nano / 1e9, 4) : NULL);
	put(j, "time_ms", r->have_summary && r->time_ms >= 0 ? json_object_new_int64(r->time_ms) : NULL);
	if (r->have_rtt) {
		rtt = json_object_new_object();
		put(rtt, "min_s", report_jtime(r->rtt_min, 6));
		put(rtt, "avg_s", report_jtime(r->rtt_avg, 6));
		put(rtt, "max_s", report_jtime(r->rtt_max, 6));
		put(rtt, "mdev_s", report_jtime(r->rtt_mdev, 6));
	}
	put(j, "rtt", rtt);
	put_u64(j, "reply_lines", r->reply_lines);
	put_u64(j, "dup_lines", r->dup_lines);
	put_u64(j, "no_answer_lines", r->noans_lines);
	put_u64(j, "error_lines", r->error_lines);
	put_u64(j, "replies_not_kept", r->dropped);
	put_u64(j, "first_seq", r->first_seq);
	put_u64(j, "last_seq", r->last_seq);
	put_u64(j, "lost", r->lost);
	/* ns: the hand formulas (lost x interval) work from the figure shown. */
	put(j, "interval_s", report_jtime(r->interval, 9));
	put_str(j, "interval_from", r->interval_from);
	put(j, "summary_interval_s", report_jtime(r->summary_interval, 9));
	put(j, "asked_interval_s", report_jtime(asked, digits));
	if (r->timestamps) {
		put_time(j, "first_request", r->first_t, digits);
		put_time(j, "last_request", r->last_t, digits);
	}
	for (i = 0; i < r->nep; i++) {
		json_object_array_add(eps, ping_episode(r, &r->ep[i], digits));
		if (r->ep[i].ended && r->ep[i].estimate != MM_NS_NONE)
			total = mm_add(total, r->ep[i].estimate);
	}
	put(j, "episodes", eps);
	put_u64(j, "outages", outages);
	put(j, "downtime_total_s", outages ? report_jtime(total, digits) : report_jtime(0, digits));
	put(j, "longest_s", report_jtime(longest, digits));
	/* The classic hand methods, worked as a hand does. */
	put(c, "lost_x_interval_s", jdec(lxi, 6));
	put(c, "lost_x_asked_interval_s", jdec(lxa, 6));
	put(c, "time_x_loss_s", jdec(txl, 6));
	put_str(c, "continuity", outages == 0 ? "no outage" : outages == 1 ? "one outage" : "several outages");
	put(c, "misleading", ping_notes(r, asked, outages, longest, digits));
	put(j, "classic", c);
	return j;
}

static json_object *ping_json(const struct view_set *s, int digits)
{
	json_object *j = file_obj(s->o.ping, s->ping.lines, s->ping.unknown, s->ping.overlong);
	json_object *runs = json_object_new_array();
	size_t i;

	for (i = 0; i < s->ping.nruns; i++)
		json_object_array_add(runs, ping_run(&s->ping.runs[i], s->o.asked, digits));
	put_u64(j, "runs_not_kept", s->ping.runs_dropped);
	put(j, "runs", runs);
	return j;
}

/* ---- nova --------------------------------------------------------------- */

static json_object *nova_mig(const struct vnova_mig *m, int digits)
{
	json_object *j = json_object_new_object(), *st = json_object_new_array(), *pr = json_object_new_array();
	size_t i;

	put_str(j, "instance", m->instance);
	put_str(j, "request", m->req);
	put_str(j, "status", vnova_status_name(m->status));
	put_u64(j, "first_line", m->first_line);
	put_u64(j, "last_line", m->last_line);
	put_time(j, "start", m->start, digits);
	put_time(j, "end", m->end, digits);
	put(j, "duration_s", report_jtime(span(m->start, m->end), digits));
	put(j, "monitor_start", report_jtime(m->monitor_start, digits));
	put(j, "first_message", report_jtime(m->first_t, digits));
	put(j, "paused", report_jtime(m->paused, digits));
	put(j, "resumed", report_jtime(m->resumed, digits));
	put(j, "stopped", report_jtime(m->stopped, digits));
	put(j, "started", report_jtime(m->started, digits));
	for (i = 0; i < m->nsteps; i++) {
		json_object *o = json_object_new_object();

		put(o, "t", report_jtime(m->steps[i].t, digits));
		put(o, "downtime_s", report_jtime(mm_mul(m->steps[i].downtime_ms, 1000000), 3));
		put_u64(o, "after_s", m->steps[i].after_s);
		json_object_array_add(st, o);
	}
	put(j, "downtime_steps", st);
	for (i = 0; i < m->nsamples; i++) {
		const struct vnova_sample *p = &m->samples[i];
		json_object *o = json_object_new_object();

		put(o, "t", report_jtime(p->t, digits));
		put_u64(o, "elapsed_s", p->secs);
		put_u64(o, "memory_remaining_pct", p->mem_pct);
		put_u64(o, "memory_processed_bytes", p->mem_processed);
		put_u64(o, "memory_remaining_bytes", p->mem_remaining);
		put_u64(o, "memory_total_bytes", p->mem_total);
		put(o, "disk_remaining_pct", p->has_disk ? json_object_new_uint64(p->disk_pct) : NULL);
		put(o, "disk_processed_bytes", p->has_disk ? json_object_new_uint64(p->disk_processed) : NULL);
		put(o, "disk_total_bytes", p->has_disk ? json_object_new_uint64(p->disk_total) : NULL);
		json_object_array_add(pr, o);
	}
	put(j, "progress", pr);
	put_u64(j, "steps_not_kept", m->steps_dropped);
	put_u64(j, "progress_not_kept", m->samples_dropped);
	return j;
}

static json_object *nova_json(const struct view_set *s, int digits)
{
	json_object *j = file_obj(s->o.nova, s->nova.lines, s->nova.unknown, s->nova.overlong);
	json_object *ms = json_object_new_array(), *ev = json_object_new_array();
	size_t i;

	for (i = 0; i < s->nova.n; i++)
		json_object_array_add(ms, nova_mig(&s->nova.m[i], digits));
	for (i = 0; i < s->nova.nev; i++) {
		json_object *o = json_object_new_object();

		put(o, "t", report_jtime(s->nova.ev[i].t, digits));
		put_str(o, "instance", s->nova.ev[i].instance);
		put_str(o, "event", s->nova.ev[i].what);
		json_object_array_add(ev, o);
	}
	put_u64(j, "lines_without_instance", s->nova.no_instance);
	/* lines that would have opened a migration past VNOVA_MAX_MIGS */
	put_u64(j, "lines_over_migration_cap", s->nova.migs_dropped);
	put(j, "migrations", ms);
	put(j, "lifecycle_events", ev);
	return j;
}

static json_object *mlist_json(const struct view_set *s, int digits)
{
	json_object *j = file_obj(s->o.mlist, s->mlist.lines, s->mlist.unknown, s->mlist.overlong);
	json_object *rows = json_object_new_array();
	size_t i;

	for (i = 0; i < s->mlist.n; i++) {
		const struct vnlist_row *r = &s->mlist.rows[i];
		json_object *o = json_object_new_object();

		put_u64(o, "line", r->line);
		put_str(o, "id", r->id);
		put_str(o, "instance", r->instance);
		put_str(o, "source_compute", r->source_compute);
		put_str(o, "dest_compute", r->dest_compute);
		put_str(o, "dest_host", r->dest_host);
		put_str(o, "source_node", r->source_node);
		put_str(o, "dest_node", r->dest_node);
		put_str(o, "status", r->status);
		put_str(o, "type", r->type);
		put_time(o, "created", r->created, digits);
		put_time(o, "updated", r->updated, digits);
		put(o, "span_s", report_jtime(span(r->created, r->updated), digits));
		json_object_array_add(rows, o);
	}
	put_u64(j, "rows_not_kept", s->mlist.rows_dropped);
	put(j, "rows", rows);
	return j;
}

static json_object *job_obj(const struct vjob *jb, int digits)
{
	json_object *j = json_object_new_object();
	mm_ns a, b;
	unsigned f;

	put_u64(j, "line", jb->line);
	put_str(j, "status", jb->status);
	put_str(j, "operation", jb->operation);
	for (f = 0; f < VJ_COUNT; f++) {
		int64_t v = jb->fig[f];

		if (vjob_fig_is_ms(f))
			put(j, vjob_fig_name(f), v == VJOB_NONE || v < 0 ? NULL : report_jtime(mm_mul((uint64_t)v,
										       1000000), 3));
		else
			put(j, vjob_fig_name(f), v == VJOB_NONE ? NULL : json_object_new_int64(v));
	}
	put(j, "sizes_rounded", json_object_new_boolean(jb->rounded));
	if (jb->kind == VJOB_QMP) {
		vjob_span(jb, &a, &b);
		put(j, "setup_event", report_jtime(jb->t_setup, digits));
		put(j, "completed_event", report_jtime(jb->t_done, digits));
		put(j, "stop_event", report_jtime(jb->t_stop, digits));
		put(j, "resume_event", report_jtime(jb->t_resume, digits));
		put(j, "stop_to_resume_s", report_jtime(span(jb->t_stop, jb->t_resume), digits));
		put_time(j, "start", a, digits);
		put_time(j, "end", b, digits);
	}
	return j;
}

static json_object *jobs_json(const char *path, const struct vjobs *v, int digits)
{
	json_object *j = file_obj(path, v->lines, v->unknown, v->overlong), *a = json_object_new_array();
	size_t i;

	for (i = 0; i < v->n; i++)
		json_object_array_add(a, job_obj(&v->j[i], digits));
	put_u64(j, "jobs_not_kept", v->dropped);
	put(j, "jobs", a);
	return j;
}

json_object *view_set_json(const struct view_set *s, int digits)
{
	json_object *j = json_object_new_object(), *tz = NULL;

	if (!j)
		return NULL;
	if (s->o.nova) {
		tz = json_object_new_object();
		put_str(tz, "zone", s->tz.name);
		put_str(tz, "from", s->tz.from);
	}
	put(j, "log_tz", tz);
	put(j, "ping", s->o.ping ? ping_json(s, digits) : NULL);
	put(j, "nova", s->o.nova ? nova_json(s, digits) : NULL);
	put(j, "migration_list", s->o.mlist ? mlist_json(s, digits) : NULL);
	put(j, "domjobinfo", s->o.domjobinfo ? jobs_json(s->o.domjobinfo, &s->dom, digits) : NULL);
	put(j, "query_migrate", s->o.qmp ? jobs_json(s->o.qmp, &s->qmp, digits) : NULL);
	return j;
}

/* ---- the logs command's report ------------------------------------------ */

/* One CSV row: view, entry, instance, status, times, duration, downtime, bytes. */
static void row(json_object *rows, const char *view, size_t idx, json_object *e, const char *inst,
		const char *status, const char *start, const char *end, const char *dur, const char *down,
		const char *bytes, const char *lost)
{
	json_object *o = json_object_new_object();

	put_str(o, "view", view);
	put_u64(o, "entry", idx + 1);
	put(o, "instance", json_object_get(report_get(e, inst)));
	put(o, "status", json_object_get(report_get(e, status)));
	put(o, "start", json_object_get(report_get(e, start)));
	put(o, "end", json_object_get(report_get(e, end)));
	put(o, "duration_s", json_object_get(report_get(e, dur)));
	put(o, "downtime_s", json_object_get(report_get(e, down)));
	put(o, "bytes", json_object_get(report_get(e, bytes)));
	put(o, "lost", json_object_get(report_get(e, lost)));
	json_object_array_add(rows, o);
}

/* Every element of array `path` of v as rows of `view`. */
static void rows_of(json_object *rows, json_object *v, const char *path, const char *view, const char *inst,
		    const char *status, const char *start, const char *end, const char *dur, const char *down,
		    const char *bytes, const char *lost)
{
	json_object *a = report_get(v, path);
	size_t i, n = a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;

	for (i = 0; i < n; i++)
		row(rows, view, i, json_object_array_get_idx(a, i), inst, status, start, end, dur, down, bytes,
		    lost);
}

json_object *view_logs_report(json_object *v)
{
	json_object *r = json_object_new_object(), *tool = json_object_new_object(), *rows = json_object_new_array();
	json_object *runs = report_get(v, "ping.runs");
	size_t i, k, n = runs ? json_object_array_length(runs) : 0;

	if (!r || !tool || !rows) {
		json_object_put(r);
		json_object_put(tool);
		json_object_put(rows);
		json_object_put(v);
		return NULL;
	}
	put_str(r, "schema", "migmeter-logs/1");
	put_str(tool, "name", "migmeter");
	put_str(tool, "version", MM_VERSION);
	put(r, "tool", tool);
	/* Ping: one row per episode, "run.episode" in entry order. */
	for (i = 0; i < n; i++) {
		json_object *eps = report_get(json_object_array_get_idx(runs, i), "episodes");
		int abs = report_get(json_object_array_get_idx(runs, i), "first_request") != NULL;

		for (k = 0; eps && k < json_object_array_length(eps); k++)
			row(rows, "ping", json_object_array_length(rows), json_object_array_get_idx(eps, k), "-", "-",
			    abs ? "start" : "start_rel_s", abs ? "end" : "end_rel_s", "-", "estimate_s", "-", "lost");
	}
	rows_of(rows, v, "nova.migrations", "nova", "instance", "status", "start", "end", "duration_s", "-",
		"-", "-");
	rows_of(rows, v, "migration_list.rows", "migration_list", "instance", "status", "created", "updated",
		"span_s", "-", "-", "-");
	rows_of(rows, v, "domjobinfo.jobs", "domjobinfo", "-", "status", "-", "-", "time_elapsed_s",
		"downtime_s", "data_processed_bytes", "-");
	rows_of(rows, v, "query_migrate.jobs", "query_migrate", "-", "status", "start", "end", "time_elapsed_s",
		"downtime_s", "memory_processed_bytes", "-");
	put(r, "views", v);
	put(r, "rows", rows);
	return r;
}
