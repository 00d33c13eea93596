/* view-match.c - side by side: each view's entries matched to the report's migration records by time, instance and host. */
#include "view-set.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"


/* How far (s) an entry's span may lie from a migration's and still be its. */
#define SLACK_NOVA 30.0
#define SLACK_LIST 120.0	/* the API's times: the request before, the clean-up after */
#define SLACK_QEMU 5.0
#define SLACK_PING_BEFORE 1.0
#define SLACK_PING_AFTER 10.0
/* Untimed entries: bytes and duration each within this factor of the wire's. */
#define SIMILAR 2.0

static void put(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

/* The number at path: 1 when present and not null. */
static int num(json_object *o, const char *path, double *v)
{
	json_object *x = report_get(o, path);

	if (!x || (!json_object_is_type(x, json_type_double) && !json_object_is_type(x, json_type_int)))
		return 0;
	*v = json_object_get_double(x);
	return 1;
}

static const char *str(json_object *o, const char *path)
{
	json_object *x = report_get(o, path);

	return x && json_object_is_type(x, json_type_string) ? json_object_get_string(x) : NULL;
}

/* One migration as the matcher sees it. */
struct mig {
	json_object *rec, *views;
	double start, end, dur, bytes;
	int has_span, has_dur, has_bytes;
	const char *uuid, *dest;
	unsigned id;
};

struct cand {
	size_t entry, mig;
	double score;
	const char *how;
};

static int by_score(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return x->score < y->score ? -1 : x->score > y->score;
}

/* Distance (s) between spans [a0,a1] and [b0,b1]; 0 when they overlap. */
static double gap(double a0, double a1, double b0, double b1)
{
	if (a1 < b0)
		return b0 - a1;
	if (b1 < a0)
		return a0 - b1;
	return 0.0;
}

static void unmatched(json_object *list, const char *view, size_t entry, const char *why)
{
	json_object *o = json_object_new_object();

	put(o, "view", json_object_new_string(view));
	put(o, "entry", json_object_new_uint64(entry + 1));
	put(o, "why", json_object_new_string(why));
	json_object_array_add(list, o);
}

/* The entry's own span: start/end members (either may be missing). */
static int entry_span(json_object *e, const char *ks, const char *ke, double *s, double *t)
{
	int hs = num(e, ks, s), he = num(e, ke, t);

	if (!hs && !he)
		return 0;
	if (!hs)
		*s = *t;
	if (!he)
		*t = *s;
	return 1;
}

struct vkind {
	const char *view;		/* name in unmatched */
	const char *slot;		/* member of the migration's views */
	const char *arr;		/* array in the views object */
	const char *ks, *ke;		/* its span's members; NULL: untimed */
	double slack;
	const char *inst;		/* instance member, or NULL */
	const char *host;		/* destination host member, or NULL */
	const char *dur, *bytes;	/* for untimed matching */
};

/* Whether entry e may be migration m's; *why says why not. */
static int eligible(const struct vkind *k, json_object *e, const struct mig *m, double *score, const char **why,
		    const char **how)
{
	double s, t, d, v;
	const char *inst = k->inst ? str(e, k->inst) : NULL, *host = k->host ? str(e, k->host) : NULL;

	if (inst && m->uuid && strcasecmp(inst, m->uuid) != 0) {
		*why = "its instance is not the VM (UUID) the wire saw in any migration near it";
		return 0;
	}
	if (host && m->dest && strchr(host, '.') && strcmp(host, m->dest) != 0 && strchr(m->dest, '.')) {
		*why = "its destination host is no migration's destination on the wire";
		return 0;
	}
	if (k->ks && entry_span(e, k->ks, k->ke, &s, &t)) {
		if (!m->has_span)
			return 0;
		d = gap(s, t, m->start, m->end);
		if (d > k->slack) {
			*why = "no migration on the wire near its time";
			return 0;
		}
		*score = d - 1e-9 * (fmin(t, m->end) - fmax(s, m->start));
		*how = inst && m->uuid ? "time and instance" : host && m->dest ? "time and destination host" : "time";
		return 1;
	}
	/* No times: bytes and duration alike. */
	*score = 0;
	if (k->dur && num(e, k->dur, &v) && m->has_dur && v > 0 && m->dur > 0) {
		if (v > m->dur * SIMILAR || v < m->dur / SIMILAR) {
			*why = "no times in it, and no migration of a similar duration and size";
			return 0;
		}
		*score += fabs(log(v / m->dur));
	} else {
		*why = "no times in it and no duration to compare";
		return 0;
	}
	if (k->bytes && num(e, k->bytes, &v) && m->has_bytes && v > 0 && m->bytes > 0) {
		if (v > m->bytes * SIMILAR || v < m->bytes / SIMILAR) {
			*why = "no times in it, and no migration of a similar duration and size";
			return 0;
		}
		*score += fabs(log(v / m->bytes));
	}
	*how = "bytes and duration (no times in it)";
	return 2;
}

/* Matches every entry of one kind, one per migration, closest first. */
static int match_kind(const struct vkind *k, json_object *v, struct mig *ms, size_t nm, json_object *list)
{
	json_object *arr = report_get(v, k->arr);
	size_t n = arr ? json_object_array_length(arr) : 0, nc = 0, i, j;
	struct cand *c;
	const char **why;
	unsigned char *done, *taken;
	int rc = -1;

	if (n == 0)
		return 0;
	c = calloc(n * (nm ? nm : 1), sizeof(*c));
	why = calloc(n, sizeof(*why));
	done = calloc(n, 1);
	taken = calloc(nm ? nm : 1, 1);
	if (!c || !why || !done || !taken)
		goto out;
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		const char *type = str(e, "type");

		why[i] = nm ? "no migration on the wire near its time" : "the capture holds no migration";
		if (type && !strstr(type, "live")) {
			why[i] = "not a live migration (its type)";
			continue;
		}
		for (j = 0; j < nm; j++) {
			double sc;

			int el = eligible(k, e, &ms[j], &sc, &why[i], &c[nc].how);

			if (el) {
				/* Untimed entries alike in size: their order in the file is the migrations' order. */
				if (el == 2)
					sc += 1e-3 * fabs((double)i / (double)n - (double)j / (double)nm);
				c[nc].entry = i;
				c[nc].mig = j;
				c[nc].score = sc;
				nc++;
			}
		}
	}
	qsort(c, nc, sizeof(*c), by_score);
	for (i = 0; i < nc; i++) {
		json_object *e;

		if (done[c[i].entry])
			continue;
		if (taken[c[i].mig]) {
			why[c[i].entry] = "another entry matched the migration near it more closely";
			continue;
		}
		done[c[i].entry] = 1;
		taken[c[i].mig] = 1;
		e = json_object_array_get_idx(arr, c[i].entry);
		put(e, "migration", json_object_new_uint64(ms[c[i].mig].id));
		put(e, "matched_by", json_object_new_string(c[i].how));
		put(ms[c[i].mig].views, k->slot, json_object_get(e));
	}
	for (i = 0; i < n; i++) {
		if (!done[i]) {
			put(json_object_array_get_idx(arr, i), "migration", NULL);
			unmatched(list, k->view, i, why[i]);
		}
	}
	rc = 0;
out:
	free(c);
	free(why);
	free(done);
	free(taken);
	return rc;
}

/* The per-migration ping view: created on its first episode. */
static json_object *ping_slot(struct mig *m, json_object *run, size_t ri, const char *how)
{
	json_object *p = report_get(m->views, "ping");

	if (p)
		return p;
	p = json_object_new_object();
	put(p, "run", json_object_new_uint64(ri + 1));
	put(p, "target", json_object_get(report_get(run, "target")));
	put(p, "interval_s", json_object_get(report_get(run, "interval_s")));
	put(p, "interval_from", json_object_get(report_get(run, "interval_from")));
	put(p, "asked_interval_s", json_object_get(report_get(run, "asked_interval_s")));
	put(p, "matched_by", json_object_new_string(how));
	put(p, "episodes", json_object_new_array());
	put(m->views, "ping", p);
	return p;
}

static json_object *jsec(double v, int digits)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.*f", digits, v);
	return json_object_new_double_s(v, buf);
}

/* The sums over a migration's ping episodes, and the hand method applied to them. */
static void ping_sums(struct mig *m, int digits)
{
	json_object *p = report_get(m->views, "ping"), *eps;
	double lost = 0, down = 0, v, iv, asked;
	size_t i, n, outages = 0;

	if (!p)
		return;
	eps = report_get(p, "episodes");
	n = json_object_array_length(eps);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(eps, i);

		if (num(e, "lost", &v))
			lost += v;
		if (report_bool(e, "ended_in_log") && num(e, "estimate_s", &v)) {
			down += v;
			outages++;
		}
	}
	put(p, "outages", json_object_new_uint64(outages));
	put(p, "lost", json_object_new_uint64((uint64_t)lost));
	put(p, "downtime_s", outages ? jsec(down, digits) : NULL);
	put(p, "lost_x_interval_s", num(p, "interval_s", &iv) ? jsec(lost * iv, 6) : NULL);
	put(p, "lost_x_asked_interval_s", num(p, "asked_interval_s", &asked) ? jsec(lost * asked, 6) : NULL);
}

static void match_ping(json_object *v, struct mig *ms, size_t nm, json_object *list, int digits)
{
	json_object *runs = report_get(v, "ping.runs");
	size_t r, i, j, nr = runs ? json_object_array_length(runs) : 0, entry = 0;

	for (r = 0; r < nr; r++) {
		json_object *run = json_object_array_get_idx(runs, r), *eps = report_get(run, "episodes");
		int timed = report_get(run, "first_request") != NULL;
		size_t ne = eps ? json_object_array_length(eps) : 0;

		for (i = 0; i < ne; i++, entry++) {
			json_object *e = json_object_array_get_idx(eps, i);
			double s, t, best = INFINITY;
			size_t bj = nm;
			const char *how = "time (-D)";

			if (!timed) {
				if (nm == 1) {
					bj = 0;
					how = "the only migration (no -D times in the log)";
				}
			} else if (entry_span(e, "start", "end", &s, &t)) {
				for (j = 0; j < nm; j++) {
					double d;

					if (!ms[j].has_span || s < ms[j].start - SLACK_PING_BEFORE ||
					    s > ms[j].end + SLACK_PING_AFTER)
						continue;
					d = gap(s, t, ms[j].start, ms[j].end);
					if (d < best) {
						best = d;
						bj = j;
					}
				}
			}
			if (bj == nm) {
				put(e, "migration", NULL);
				unmatched(list, "ping", entry, !timed ? "no -D times in the log, and the capture holds "
					  "several migrations (or none)" : "outside every migration: an outage of the "
					  "network, not of a migration");
				continue;
			}
			put(e, "migration", json_object_new_uint64(ms[bj].id));
			put(e, "run", json_object_new_uint64(r + 1));
			json_object_array_add(report_get(ping_slot(&ms[bj], run, r, how), "episodes"),
					      json_object_get(e));
		}
	}
	for (j = 0; j < nm; j++)
		ping_sums(&ms[j], digits);
}

/*
 * Lifecycle events of no migration in nova's log (the destination's log:
 * VM Resumed / Started) go to the migration they fall in (from 1 s before
 * its first frame to 30 s after its last; the VM's UUID when the record
 * has it), several per migration.
 */
static void match_lifecycle(json_object *v, struct mig *ms, size_t nm, json_object *list)
{
	json_object *evs = report_get(v, "nova.lifecycle_events");
	size_t i, j, n = evs ? json_object_array_length(evs) : 0;

	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(evs, i), *slot;
		const char *inst = str(e, "instance");
		double t, best = INFINITY;
		size_t bj = nm;

		if (num(e, "t", &t)) {
			for (j = 0; j < nm; j++) {
				double d;

				if (!ms[j].has_span || t < ms[j].start - SLACK_PING_BEFORE || t > ms[j].end + SLACK_NOVA ||
				    (inst && ms[j].uuid && strcasecmp(inst, ms[j].uuid) != 0))
					continue;
				d = gap(t, t, ms[j].start, ms[j].end);
				if (d < best) {
					best = d;
					bj = j;
				}
			}
		}
		if (bj == nm) {
			put(e, "migration", NULL);
			unmatched(list, "nova_lifecycle_event", i, "no migration on the wire near its time");
			continue;
		}
		put(e, "migration", json_object_new_uint64(ms[bj].id));
		slot = report_get(ms[bj].views, "nova_lifecycle_events");
		if (!slot) {
			slot = json_object_new_array();
			put(ms[bj].views, "nova_lifecycle_events", slot);
		}
		json_object_array_add(slot, json_object_get(e));
	}
}

/* The wire's own figures beside the others. */
static json_object *wire_obj(json_object *rec)
{
	json_object *w = json_object_new_object();
	static const char *const keys[] = { "start", "end", "duration_s", "setup_s", "downtime_total_s",
					    "unique_payload_bytes", "wire_bytes" };
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		put(w, keys[i], json_object_get(report_get(rec, keys[i])));
	put(w, "resumed", json_object_get(report_get(rec, "switchover.resumed")));
	put(w, "final_burst_end", json_object_get(report_get(rec, "switchover.final_burst_end")));
	put(w, "episodes", json_object_new_uint64(json_object_array_length(report_get(rec, "episodes"))));
	return w;
}

int view_match(json_object *r, json_object *v, int digits)
{
	static const struct vkind kinds[] = {
		{ "nova", "nova", "nova.migrations", "start", "end", SLACK_NOVA, "instance", NULL, NULL, NULL },
		{ "migration_list", "migration_list", "migration_list.rows", "created", "updated", SLACK_LIST,
		  "instance", "dest_host", NULL, NULL },
		{ "domjobinfo", "libvirt", "domjobinfo.jobs", NULL, NULL, 0, NULL, NULL, "time_elapsed_s",
		  "data_processed_bytes" },
		{ "query_migrate", "qemu", "query_migrate.jobs", "start", "end", SLACK_QEMU, NULL, NULL,
		  "time_elapsed_s", "memory_processed_bytes" },
	};
	json_object *arr = report_get(r, "migrations"), *list = json_object_new_array();
	size_t nm = arr ? json_object_array_length(arr) : 0, i;
	struct mig *ms = calloc(nm ? nm : 1, sizeof(*ms));

	if (!ms || !list) {
		free(ms);
		json_object_put(list);
		json_object_put(v);
		return -1;
	}
	for (i = 0; i < nm; i++) {
		struct mig *m = &ms[i];
		double id = 0;

		m->rec = json_object_array_get_idx(arr, i);
		m->has_span = num(m->rec, "start", &m->start) && num(m->rec, "end", &m->end);
		m->has_dur = num(m->rec, "duration_s", &m->dur);
		m->has_bytes = num(m->rec, "unique_payload_bytes", &m->bytes);
		m->uuid = str(m->rec, "uuid");
		m->dest = str(m->rec, "destination");
		num(m->rec, "id", &id);
		m->id = (unsigned)id;
		m->views = json_object_new_object();
		put(m->views, "wire", wire_obj(m->rec));
		put(m->views, "nova", NULL);
		put(m->views, "migration_list", NULL);
		put(m->views, "libvirt", NULL);
		put(m->views, "qemu", NULL);
		put(m->views, "ping", NULL);
		put(m->rec, "views", m->views);
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (match_kind(&kinds[i], v, ms, nm, list) < 0) {
			free(ms);
			json_object_put(list);
			json_object_put(v);
			return -1;
		}
	}
	match_ping(v, ms, nm, list, digits);
	match_lifecycle(v, ms, nm, list);
	for (i = 0; i < nm; i++)
		view_differences(ms[i].views, digits);
	put(v, "unmatched", list);
	put(r, "views", v);
	free(ms);
	return 0;
}
