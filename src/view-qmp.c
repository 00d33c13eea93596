/* view-qmp.c - QEMU's own view: saved QMP query-migrate replies and the MIGRATION/STOP/RESUME events that time them (json-c). */
#include "view-libvirt.h"

#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

/* The pending job's times, kept until a reply takes them. */
struct pending {
	mm_ns setup, done, stop, resume;
};

static int64_t jint(json_object *o, const char *k)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, k, &v) || !v)
		return VJOB_NONE;
	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
		return VJOB_NONE;
	return json_object_get_int64(v);
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static json_object *jobj(json_object *o, const char *k)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

/* QMP's {"seconds": S, "microseconds": U} as epoch ns; MM_NS_NONE when absent or absurd. */
static mm_ns event_ts(json_object *ev)
{
	json_object *t = jobj(ev, "timestamp");
	int64_t s = jint(t, "seconds"), us = jint(t, "microseconds");

	if (s == VJOB_NONE || us == VJOB_NONE || s < 0 || s > INT64_MAX / MM_NS_PER_S - 1 || us < 0 ||
	    us >= 1000000)
		return MM_NS_NONE;
	return s * MM_NS_PER_S + us * 1000;
}

static int terminal(const char *st)
{
	return strcmp(st, "completed") == 0 || strcmp(st, "failed") == 0 || strcmp(st, "cancelled") == 0;
}

/* The figures of a query-migrate return into j. */
static void figures(struct vjob *j, json_object *r)
{
	json_object *ram = jobj(r, "ram"), *disk = jobj(r, "disk");
	int64_t mbps;
	json_object *m;

	snprintf(j->status, sizeof(j->status), "%s", jstr(r, "status"));
	j->fig[VJ_ELAPSED_MS] = jint(r, "total-time");
	j->fig[VJ_DOWNTIME_MS] = jint(r, "downtime");
	j->fig[VJ_SETUP_MS] = jint(r, "setup-time");
	j->fig[VJ_EXPECTED_DOWNTIME_MS] = jint(r, "expected-downtime");
	j->fig[VJ_MEM_PROCESSED] = jint(ram, "transferred");
	j->fig[VJ_MEM_REMAINING] = jint(ram, "remaining");
	j->fig[VJ_MEM_TOTAL] = jint(ram, "total");
	j->fig[VJ_NORMAL_BYTES] = jint(ram, "normal-bytes");
	j->fig[VJ_MULTIFD_BYTES] = jint(ram, "multifd-bytes");
	j->fig[VJ_ITERATIONS] = jint(ram, "dirty-sync-count");
	j->fig[VJ_DIRTY_RATE] = jint(ram, "dirty-pages-rate");
	j->fig[VJ_DISK_PROCESSED] = jint(disk, "transferred");
	j->fig[VJ_DISK_TOTAL] = jint(disk, "total");
	/* ram.mbps: megabits per second, a double. */
	if (ram && json_object_object_get_ex(ram, "mbps", &m) && m &&
	    (json_object_is_type(m, json_type_double) || json_object_is_type(m, json_type_int))) {
		double d = json_object_get_double(m);

		mbps = d >= 0 && d < 9e12 ? (int64_t)(d * 1e6 + 0.5) : VJOB_NONE;
		j->fig[VJ_MEM_BPS] = mbps;
	}
	if (j->fig[VJ_MEM_PROCESSED] != VJOB_NONE) {
		int64_t d = j->fig[VJ_DISK_PROCESSED] != VJOB_NONE ? j->fig[VJ_DISK_PROCESSED] : 0;

		j->fig[VJ_DATA_PROCESSED] = j->fig[VJ_MEM_PROCESSED] > INT64_MAX - d ? VJOB_NONE :
					    j->fig[VJ_MEM_PROCESSED] + d;
	}
}

struct qctx {
	struct vjobs *v;
	struct pending p;
	struct vjob *active;		/* the last non-terminal reply's job, replaced by the next */
	struct vjob *last_done;		/* the last terminal one: a late MIGRATION completed event still times it */
	unsigned long line;
	int replies;
};

static int message(struct qctx *q, json_object *o)
{
	const char *ev = jstr(o, "event");
	json_object *ret = jobj(o, "return");
	struct vjob *j;

	if (ev) {
		mm_ns t = event_ts(o);
		const char *st = jstr(jobj(o, "data"), "status");

		if (strcmp(ev, "STOP") == 0 && q->p.stop == MM_NS_NONE)
			q->p.stop = t;
		else if (strcmp(ev, "RESUME") == 0 && q->p.resume == MM_NS_NONE)
			q->p.resume = t;
		else if (strcmp(ev, "MIGRATION") == 0 && st) {
			if (strcmp(st, "setup") == 0)
				q->p.setup = t;
			else if (terminal(st)) {
				if (q->last_done && q->last_done->t_done == MM_NS_NONE)
					q->last_done->t_done = t;
				else
					q->p.done = t;
			}
		}
		return 0;
	}
	if (!ret && jstr(o, "status") && (jobj(o, "ram") || jint(o, "total-time") != VJOB_NONE))
		ret = o;
	if (!ret || !jstr(ret, "status"))
		return 0;
	q->replies++;
	j = q->active;
	if (!j) {
		j = vjob_new(q->v, VJOB_QMP, q->line);
		if (!j)
			return q->v->n < VJOB_MAX ? -1 : 0;
	}
	figures(j, ret);
	j->t_setup = q->p.setup;
	j->t_done = q->p.done;
	j->t_stop = q->p.stop;
	j->t_resume = q->p.resume;
	if (terminal(j->status)) {
		q->active = NULL;
		q->last_done = j;
		q->p.setup = q->p.done = q->p.stop = q->p.resume = MM_NS_NONE;
	} else {
		q->active = j;
	}
	return 0;
}

static int one_value(struct qctx *q, json_object *o)
{
	size_t i;

	if (json_object_is_type(o, json_type_array)) {
		for (i = 0; i < json_object_array_length(o); i++)
			if (one_value(q, json_object_array_get_idx(o, i)) < 0)
				return -1;
		return 0;
	}
	if (!json_object_is_type(o, json_type_object)) {
		q->v->unknown++;
		return 0;
	}
	return message(q, o);
}

/* The line of byte `off`, counting on from the last call's (offsets only grow). */
struct lines {
	size_t at;
	unsigned long n;
};

static unsigned long line_of(struct lines *l, const uint8_t *buf, size_t off)
{
	for (; l->at < off; l->at++)
		l->n += buf[l->at] == '\n';
	return l->n;
}

int vjob_parse_qmp(struct vjobs *v, struct view_file *f, char *err, size_t errlen)
{
	struct json_tokener *tok = json_tokener_new();
	struct qctx q;
	size_t off = 0;
	struct lines ln = { 0, 1 };
	int rc = -1;

	memset(v, 0, sizeof(*v));
	memset(&q, 0, sizeof(q));
	q.v = v;
	q.p.setup = q.p.done = q.p.stop = q.p.resume = MM_NS_NONE;
	if (!tok) {
		snprintf(err, errlen, "%s: out of memory", f->path);
		return -1;
	}
	while (off < f->len) {
		json_object *o;
		enum json_tokener_error je;
		size_t chunk;

		/* Blanks between values. */
		while (off < f->len && (f->buf[off] == ' ' || f->buf[off] == '\n' || f->buf[off] == '\r' ||
					f->buf[off] == '\t'))
			off++;
		if (off >= f->len)
			break;
		chunk = f->len - off > (size_t)INT32_MAX ? (size_t)INT32_MAX : f->len - off;
		q.line = line_of(&ln, f->buf, off);
		o = json_tokener_parse_ex(tok, (const char *)f->buf + off, (int)chunk);
		je = json_tokener_get_error(tok);
		if (!o && je == json_tokener_continue)
			je = json_tokener_error_parse_eof;
		if (je != json_tokener_success) {
			/* The line the broken value starts on. */
			snprintf(err, errlen, "%s:%lu: not JSON (%s): not saved QMP replies", f->path, q.line,
				 json_tokener_error_desc(je));
			json_object_put(o);
			goto out;
		}
		off += json_tokener_get_parse_end(tok);
		json_tokener_reset(tok);
		if (one_value(&q, o) < 0) {
			json_object_put(o);
			snprintf(err, errlen, "%s: out of memory", f->path);
			goto out;
		}
		json_object_put(o);
	}
	v->lines = line_of(&ln, f->buf, f->len);
	if (q.replies == 0) {
		snprintf(err, errlen, "%s: no query-migrate reply in it (no object with a \"status\" in its "
			 "\"return\")", f->path);
		goto out;
	}
	rc = 0;
out:
	json_tokener_free(tok);
	return rc;
}
