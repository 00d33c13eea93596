/* out-csv-migration.c - migrations as CSV (one row each, fixed header) and the timeline events CSV. */
#include "out-migration.h"

#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "report.h"

/* How a column is read from a migration object. */
enum col_how {
	COL_VALUE,	/* the scalar at path */
	COL_COUNT,	/* the length of the array at path */
	COL_ROLE,	/* flows whose role is `path` */
};

struct col {
	const char *name;
	const char *path;
	enum col_how how;
};

/* The fixed header: these columns, in this order, whatever the data. */
static const struct col cols[] = {
	{ "id", "id", COL_VALUE },
	{ "status", "status", COL_VALUE },
	{ "status_reason", "status_reason", COL_VALUE },
	{ "inferred", "inferred", COL_VALUE },
	{ "inferred_reason", "inferred_reason", COL_VALUE },
	{ "source", "source", COL_VALUE },
	{ "destination", "destination", COL_VALUE },
	{ "vm_mac", "vm.mac", COL_VALUE },
	{ "vm_ip", "vm.ip", COL_VALUE },
	{ "uuid", "uuid", COL_VALUE },
	{ "flows", "flows", COL_COUNT },
	{ "multifd_channels", "multifd", COL_ROLE },
	{ "nbd_flows", "nbd", COL_ROLE },
	{ "other_flows", "other", COL_ROLE },
	{ "start", "start", COL_VALUE },
	{ "start_utc", "start_utc", COL_VALUE },
	{ "connect", "connect", COL_VALUE },
	{ "first_payload", "first_payload", COL_VALUE },
	{ "end", "end", COL_VALUE },
	{ "end_utc", "end_utc", COL_VALUE },
	{ "duration_s", "duration_s", COL_VALUE },
	{ "setup_s", "setup_s", COL_VALUE },
	{ "unique_payload_bytes", "unique_payload_bytes", COL_VALUE },
	{ "wire_bytes", "wire_bytes", COL_VALUE },
	{ "retrans_bytes", "retrans_bytes", COL_VALUE },
	{ "main_unique_payload_bytes", "bytes_by_role.main", COL_VALUE },
	{ "main_wire_bytes", "wire_bytes_by_role.main", COL_VALUE },
	{ "multifd_unique_payload_bytes", "bytes_by_role.multifd", COL_VALUE },
	{ "multifd_wire_bytes", "wire_bytes_by_role.multifd", COL_VALUE },
	{ "nbd_unique_payload_bytes", "bytes_by_role.nbd", COL_VALUE },
	{ "nbd_wire_bytes", "wire_bytes_by_role.nbd", COL_VALUE },
	{ "other_unique_payload_bytes", "bytes_by_role.other", COL_VALUE },
	{ "other_wire_bytes", "wire_bytes_by_role.other", COL_VALUE },
	{ "mean_bps", "mean_bps", COL_VALUE },
	{ "peak_bps", "peak_bps", COL_VALUE },
	{ "peak_shared", "peak_shared", COL_VALUE },
	{ "final_burst_end", "switchover.final_burst_end", COL_VALUE },
	{ "resumed", "switchover.resumed", COL_VALUE },
	{ "resumed_by", "switchover.resumed_by", COL_VALUE },
	{ "burst_to_resumed_s", "switchover.burst_to_resumed_s", COL_VALUE },
	{ "announces", "switchover.announces", COL_VALUE },
	{ "vm_first_frame", "switchover.vm_first_frame", COL_VALUE },
	{ "first_reply_after", "switchover.first_reply_after", COL_VALUE },
	{ "last_reply_before", "switchover.last_reply_before", COL_VALUE },
	{ "episodes", "episodes", COL_COUNT },
	{ "downtime_total_s", "downtime_total_s", COL_VALUE },
	{ "announce_bound_s", "announce_bound_s", COL_VALUE },
};

static size_t role_count(json_object *mg, const char *role)
{
	json_object *fl = report_get(mg, "flows");
	size_t i, n = 0;

	for (i = 0; fl && i < json_object_array_length(fl); i++)
		if (strcmp(report_str(json_object_array_get_idx(fl, i), "role", ""), role) == 0)
			n++;
	return n;
}

int out_csv_migrations(FILE *fp, json_object *r)
{
	json_object *arr = report_get(r, "migrations");
	size_t i, c, n = arr ? json_object_array_length(arr) : 0;

	for (c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
		fprintf(fp, "%s%s", c ? "," : "", cols[c].name);
	fputc('\n', fp);
	for (i = 0; i < n; i++) {
		json_object *mg = json_object_array_get_idx(arr, i);

		for (c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
			json_object *v;

			if (c)
				fputc(',', fp);
			switch (cols[c].how) {
			case COL_COUNT:
				v = report_get(mg, cols[c].path);
				fprintf(fp, "%zu", v ? json_object_array_length(v) : 0);
				break;
			case COL_ROLE:
				fprintf(fp, "%zu", role_count(mg, cols[c].path));
				break;
			default:
				v = report_get(mg, cols[c].path);
				if (v)
					out_csv_field(fp, json_object_get_string(v));
				break;
			}
		}
		fputc('\n', fp);
	}
	return ferror(fp) ? -1 : 0;
}

/* ---- the events CSV ---------------------------------------------------- */

struct event {
	double t;		/* for ordering only; the text is what is written */
	const char *time;	/* the report's own decimal text */
	unsigned long mig;	/* 0: outside every migration */
	const char *event;
	char detail[96];
	size_t order;
};

struct events {
	struct event *e;
	size_t n, cap;
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
	e = &es->e[es->n];
	e->t = json_object_get_double(t);
	e->time = json_object_get_string(t);
	e->mig = mig;
	e->event = what;
	e->detail[0] = '\0';
	e->order = es->n++;
	return e;
}

static int ev_cmp(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

static void outages(struct events *es, json_object *eps, unsigned long mig)
{
	size_t i;

	for (i = 0; eps && i < json_object_array_length(eps); i++) {
		json_object *e = json_object_array_get_idx(eps, i);
		struct event *a = ev_add(es, report_get(e, "first_lost_ts"), mig, "outage_start");
		struct event *b = ev_add(es, report_get(e, "end_ts"), mig, "outage_end");

		if (a)
			snprintf(a->detail, sizeof(a->detail), "stream %s %s", report_str(e, "stream", "?"),
				 report_str(e, "target", "?"));
		if (b)
			snprintf(b->detail, sizeof(b->detail), "stream %s %s", report_str(e, "stream", "?"),
				 report_str(e, "target", "?"));
	}
}

/* Each announce time in the array at `path`, with its kind and the VM's MAC. */
static void announces(struct events *es, json_object *mg, unsigned long id, const char *path, const char *how)
{
	json_object *an = report_get(mg, path);
	size_t i;

	for (i = 0; an && i < json_object_array_length(an); i++) {
		struct event *e = ev_add(es, json_object_array_get_idx(an, i), id, "announce");

		if (e)
			snprintf(e->detail, sizeof(e->detail), "%s %s", how, report_str(mg, "vm.mac", "?"));
	}
}

static void one_migration(struct events *es, json_object *r, json_object *mg)
{
	unsigned long id = (unsigned long)report_u64(mg, "id");
	json_object *fl = report_get(mg, "flows"), *all = report_get(r, "flows");
	size_t i;

	for (i = 0; fl && i < json_object_array_length(fl); i++) {
		json_object *f = json_object_array_get_idx(fl, i);
		size_t k = (size_t)report_u64(f, "flow");
		json_object *t = all && k >= 1 && k <= json_object_array_length(all) ?
				 report_get(json_object_array_get_idx(all, k - 1), "first_ts") : NULL;
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
	ev_add(es, report_get(mg, "end"), id, "end");
}

int out_csv_events(FILE *fp, json_object *r)
{
	json_object *arr = report_get(r, "migrations");
	struct events es = { NULL, 0, 0, 0 };
	size_t i;
	int rc;

	for (i = 0; arr && i < json_object_array_length(arr); i++)
		one_migration(&es, r, json_object_array_get_idx(arr, i));
	outages(&es, report_get(r, "episodes_outside_migrations"), 0);
	if (es.oom) {
		free(es.e);
		return -1;
	}
	qsort(es.e, es.n, sizeof(*es.e), ev_cmp);
	fputs("time,migration,event,detail\n", fp);
	for (i = 0; i < es.n; i++) {
		fprintf(fp, "%s,", es.e[i].time);
		if (es.e[i].mig)
			fprintf(fp, "%lu", es.e[i].mig);
		fprintf(fp, ",%s,", es.e[i].event);
		out_csv_field(fp, es.e[i].detail);
		fputc('\n', fp);
	}
	rc = ferror(fp) ? -1 : 0;
	free(es.e);
	return rc;
}
