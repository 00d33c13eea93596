/* out-csv-migration.c - migrations as CSV (one row each, fixed header) and the timeline events CSV. */
#include "out-migration.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "report.h"

/* The fixed header: these columns, in this order, whatever the data. */
static const struct csv_col cols[] = {
	OUT_CSV_COL("id", "id"),
	OUT_CSV_COL("status", "status"),
	OUT_CSV_COL("status_reason", "status_reason"),
	OUT_CSV_COL("inferred", "inferred"),
	OUT_CSV_COL("inferred_reason", "inferred_reason"),
	OUT_CSV_COL("source", "source"),
	OUT_CSV_COL("destination", "destination"),
	OUT_CSV_COL("vm_mac", "vm.mac"),
	OUT_CSV_COL("vm_ip", "vm.ip"),
	OUT_CSV_COL("uuid", "uuid"),
	{ "flows", "flows", OUT_CSV_COUNT },
	{ "multifd_channels", "multifd", OUT_CSV_ROLE },
	{ "nbd_flows", "nbd", OUT_CSV_ROLE },
	{ "other_flows", "other", OUT_CSV_ROLE },
	OUT_CSV_COL("start", "start"),
	OUT_CSV_COL("start_utc", "start_utc"),
	OUT_CSV_COL("connect", "connect"),
	OUT_CSV_COL("first_payload", "first_payload"),
	OUT_CSV_COL("end", "end"),
	OUT_CSV_COL("end_utc", "end_utc"),
	OUT_CSV_COL("duration_s", "duration_s"),
	OUT_CSV_COL("setup_s", "setup_s"),
	OUT_CSV_COL("unique_payload_bytes", "unique_payload_bytes"),
	OUT_CSV_COL("wire_bytes", "wire_bytes"),
	OUT_CSV_COL("retrans_bytes", "retrans_bytes"),
	OUT_CSV_COL("main_unique_payload_bytes", "bytes_by_role.main"),
	OUT_CSV_COL("main_wire_bytes", "wire_bytes_by_role.main"),
	OUT_CSV_COL("multifd_unique_payload_bytes", "bytes_by_role.multifd"),
	OUT_CSV_COL("multifd_wire_bytes", "wire_bytes_by_role.multifd"),
	OUT_CSV_COL("nbd_unique_payload_bytes", "bytes_by_role.nbd"),
	OUT_CSV_COL("nbd_wire_bytes", "wire_bytes_by_role.nbd"),
	OUT_CSV_COL("other_unique_payload_bytes", "bytes_by_role.other"),
	OUT_CSV_COL("other_wire_bytes", "wire_bytes_by_role.other"),
	OUT_CSV_COL("mean_bps", "mean_bps"),
	OUT_CSV_COL("peak_bps", "peak_bps"),
	OUT_CSV_COL("peak_shared", "peak_shared"),
	OUT_CSV_COL("final_burst_end", "switchover.final_burst_end"),
	OUT_CSV_COL("resumed", "switchover.resumed"),
	OUT_CSV_COL("resumed_by", "switchover.resumed_by"),
	OUT_CSV_COL("burst_to_resumed_s", "switchover.burst_to_resumed_s"),
	OUT_CSV_COL("announces", "switchover.announces"),
	OUT_CSV_COL("vm_first_frame", "switchover.vm_first_frame"),
	OUT_CSV_COL("first_reply_after", "switchover.first_reply_after"),
	OUT_CSV_COL("last_reply_before", "switchover.last_reply_before"),
	{ "episodes", "episodes", OUT_CSV_COUNT },
	OUT_CSV_COL("downtime_total_s", "downtime_total_s"),
	OUT_CSV_COL("announce_bound_s", "announce_bound_s"),
	/* unresponsive time (README "Unresponsive time") */
	OUT_CSV_COL("unresponsive_threshold_s", "unresponsive.threshold_s"),
	OUT_CSV_COL("unresponsive_total_s", "unresponsive.total_s"),
	{ "unresponsive_episodes", "unresponsive.episodes", OUT_CSV_COUNT },
	OUT_CSV_COL("worst_rtt_s", "unresponsive.worst_rtt_s"),
	OUT_CSV_COL("downtime_source", "downtime_source"),
	OUT_CSV_COL("app_longest_stall_s", "app.longest_stall_s"),
	OUT_CSV_COL("app_switchover_goodput_vs_before", "app.switchover_goodput_vs_before"),
	OUT_CSV_COL("app_switchover_response_median_vs_before", "app.switchover_response_median_vs_before"),
	OUT_CSV_COL("app_blackout_source", "app.blackout.source"),
	OUT_CSV_COL("app_blackout_s", "app.blackout.gap_s"),
};

int out_csv_migrations(FILE *fp, json_object *r)
{
	return out_csv_table(fp, r, "migrations", cols, sizeof(cols) / sizeof(cols[0]));
}

/* ---- the events CSV ---------------------------------------------------- */

struct event {
	double t;		/* for ordering only; the text is what is written */
	char time[40];		/* the report's own decimal text */
	unsigned long mig;	/* 0: outside every migration */
	const char *event;
	char detail[96];
	size_t order;
};

struct events {
	struct event *e;
	size_t n, cap;
	size_t seq;		/* insertion order: ties keep it */
	int oom;
};

static struct event *ev_add(struct events *es, json_object *t, unsigned long mig, const char *what)
{
	struct event *e;

	if (!t || es->oom)
		return NULL;
	if (es->n == es->cap) {
		size_t ncap = es->cap ? es->cap * 2 : 64;
		struct event *ne = realloc(es->e, ncap * sizeof(*ne));

		if (!ne) {
			es->oom = 1;
			return NULL;
		}
		es->e = ne;
		es->cap = ncap;
	}
	e = &es->e[es->n++];
	e->t = json_object_get_double(t);
	snprintf(e->time, sizeof(e->time), "%s", json_object_get_string(t));
	e->mig = mig;
	e->event = what;
	e->detail[0] = '\0';
	e->order = es->seq++;
	return e;
}

static int ev_cmp(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

/*
 * Each episode's start and end events (loss: first lost request, end;
 * unresponsive: the last timely reply before and the first after, its end
 * naming the late and lost requests and the worst RTT).
 */
static void episode_events(struct events *es, json_object *eps, unsigned long mig, int unresp)
{
	size_t i;

	for (i = 0; eps && i < report_len(eps); i++) {
		json_object *e = report_at(eps, i);
		struct event *a = ev_add(es, report_get(e, unresp ? "start" : "first_lost_ts"), mig,
					 unresp ? "unresponsive_start" : "outage_start");
		struct event *b = ev_add(es, report_get(e, unresp ? "end" : "end_ts"), mig,
					 unresp ? "unresponsive_end" : "outage_end");
		const char *st = report_str(e, "stream", "?"), *tg = report_str(e, "target", "?");

		if (a)
			snprintf(a->detail, sizeof(a->detail), "stream %s %s", st, tg);
		if (b && unresp)
			snprintf(b->detail, sizeof(b->detail), "stream %s %s: %s late, %s lost, worst RTT %s s", st,
				 tg, report_str(e, "late", "?"), report_str(e, "lost", "?"),
				 report_str(e, "worst_rtt_s", "-"));
		else if (b)
			snprintf(b->detail, sizeof(b->detail), "stream %s %s", st, tg);
	}
}

static void outages(struct events *es, json_object *eps, unsigned long mig)
{
	episode_events(es, eps, mig, 0);
}

static void unresponsive(struct events *es, json_object *eps, unsigned long mig)
{
	episode_events(es, eps, mig, 1);
}

/* Each announce time in the array at `path`, with its kind and the VM's MAC. */
static void announces(struct events *es, json_object *mg, unsigned long id, const char *path, const char *how)
{
	json_object *an = report_get(mg, path);
	size_t i;

	for (i = 0; an && i < report_len(an); i++) {
		struct event *e = ev_add(es, report_at(an, i), id, "announce");

		if (e)
			snprintf(e->detail, sizeof(e->detail), "%s %s", how, report_str(mg, "vm.mac", "?"));
	}
}

static void one_migration(struct events *es, json_object *r, json_object *mg)
{
	unsigned long id = (unsigned long)report_u64(mg, "id");
	json_object *fl = report_get(mg, "flows"), *all = report_get(r, "flows");
	size_t i;

	for (i = 0; fl && i < report_len(fl); i++) {
		json_object *f = report_at(fl, i);
		/* the flows are listed in id order, from the first not let go (README "Running for days") */
		uint64_t first = all && report_len(all) ? report_u64(report_at(all, 0), "id") : 1;
		uint64_t k = report_u64(f, "flow");
		json_object *t = all && k >= first && k - first < report_len(all) ?
				 report_get(report_at(all, (size_t)(k - first)), "first_ts") : NULL;
		struct event *e = ev_add(es, t, id, "connect");

		if (e)
			snprintf(e->detail, sizeof(e->detail), "%s%s%s %s->%s", report_str(f, "role", "?"),
				 report_get(f, "channel") ? " " : "", report_str(f, "channel", ""),
				 report_str(f, "client_port", "?"), report_str(f, "server_port", "?"));
	}
	ev_add(es, report_get(mg, "first_payload"), id, "first_payload");
	ev_add(es, report_get(mg, "switchover.final_burst_end"), id, "final_burst_end");
	announces(es, mg, id, "switchover.rarp_times", "rarp");
	announces(es, mg, id, "switchover.garp_times", "garp");
	outages(es, report_get(mg, "episodes"), id);
	unresponsive(es, report_get(mg, "unresponsive.episodes"), id);
	ev_add(es, report_get(mg, "end"), id, "end");
}

static void ev_write(FILE *fp, const struct event *e)
{
	fprintf(fp, "%s,", e->time);
	if (e->mig)
		fprintf(fp, "%lu", e->mig);
	fprintf(fp, ",%s,", e->event);
	out_csv_field(fp, e->detail);
	fputc('\n', fp);
}

/*
 * Writes, in time order, the held events before `until` (all with
 * until = +inf), merged with the outside-migration events `out` (sorted;
 * *next is the first not written yet).
 */
static void ev_flush(FILE *fp, struct events *es, const struct events *out, size_t *next, double until)
{
	size_t i = 0, k;

	if (es->n)
		qsort(es->e, es->n, sizeof(*es->e), ev_cmp);
	for (;;) {
		const struct event *a = i < es->n && es->e[i].t < until ? &es->e[i] : NULL;
		const struct event *b = *next < out->n && out->e[*next].t < until ? &out->e[*next] : NULL;

		if (!a && !b)
			break;
		if (a && (!b || ev_cmp(a, b) < 0)) {
			ev_write(fp, a);
			i++;
		} else {
			ev_write(fp, b);
			(*next)++;
		}
	}
	for (k = i; k < es->n; k++)
		es->e[k - i] = es->e[k];
	es->n -= i;
}

/* Migration mg's earliest event: its start, or an episode of its (loss or unresponsive) that began before it. */
static double earliest(json_object *mg)
{
	json_object *eps = report_get(mg, "episodes"), *st = report_get(mg, "start");
	double t = st ? json_object_get_double(st) : HUGE_VAL;
	size_t i;

	for (i = 0; i < report_len(eps); i++) {
		json_object *f = report_get(report_at(eps, i), "first_lost_ts");

		if (f && json_object_get_double(f) < t)
			t = json_object_get_double(f);
	}
	eps = report_get(mg, "unresponsive.episodes");
	for (i = 0; i < report_len(eps); i++) {
		json_object *f = report_get(report_at(eps, i), "start");

		if (f && json_object_get_double(f) < t)
			t = json_object_get_double(f);
	}
	return t;
}

/*
 * Every event of every migration in time order.  Before migration i's
 * events are taken, those before the earliest event of migration i and
 * all after it (a suffix minimum, one pass ahead) are final and written:
 * memory follows the migrations that overlap, not the capture.
 */
int out_csv_events(FILE *fp, json_object *r)
{
	json_object *arr = report_get(r, "migrations");
	struct events es = { NULL, 0, 0, 0, 0 }, out = { NULL, 0, 0, 0, 0 };
	size_t i, n, next = 0;
	double *after;
	int rc;

	/* Outside events sort after a migration's at the same time, as when they were added last. */
	out.seq = (size_t)-1 / 2;
	outages(&out, report_get(r, "episodes_outside_migrations"), 0);
	unresponsive(&out, report_get(r, "unresponsive_outside_migrations"), 0);
	if (out.n)
		qsort(out.e, out.n, sizeof(*out.e), ev_cmp);
	fputs("time,migration,event,detail\n", fp);
	n = report_len(arr);
	after = malloc((n + 1) * sizeof(*after));
	if (!after)
		es.oom = 1;
	for (i = n; after && i > 0; i--) {
		double t = earliest(report_at(arr, i - 1));

		after[i - 1] = i == n || t < after[i] ? t : after[i];
	}
	for (i = 0; !es.oom && !out.oom && i < n; i++) {
		ev_flush(fp, &es, &out, &next, after[i]);
		one_migration(&es, r, report_at(arr, i));
	}
	free(after);
	if (!es.oom && !out.oom)
		ev_flush(fp, &es, &out, &next, HUGE_VAL);
	rc = es.oom || out.oom || ferror(fp) ? -1 : 0;
	free(es.e);
	free(out.e);
	return rc;
}
