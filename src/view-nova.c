/* view-nova.c - nova-compute.log: oslo.log lines, the libvirt driver's migration messages, grouped per instance into migrations. */
#include "view-nova.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long after a migration ended a lifecycle event still belongs to it. */
#define VNOVA_AFTER_NS (120 * MM_NS_PER_S)

const char *vnova_status_name(enum vnova_status s)
{
	static const char *const names[] = { "running", "completed", "aborted", "failed" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

void vnova_free(struct vnova *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++)
		free(v->m[i].samples);
	free(v->m);
	free(v->ev);
	v->m = NULL;
	v->ev = NULL;
	v->n = v->nev = v->cap = 0;
	memset(v->last, 0, sizeof(v->last));
}

/* One oslo.log line: "DATE TIME.mmm PID LEVEL module [context] [instance: UUID] message". */
struct oslo_line {
	mm_ns t;
	char instance[40];
	char req[80];
	struct cur msg;
};

static int is_uuid(const uint8_t *p, size_t n)
{
	size_t i;

	if (n != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (p[i] != '-')
				return 0;
		} else if (!isxdigit(p[i])) {
			return 0;
		}
	}
	return 1;
}

/* A word of non-blank bytes. */
static int word(struct cur *c)
{
	size_t n = 0, left = cur_left(c);

	while (n < left && c->p[n] != ' ' && c->p[n] != '\t')
		n++;
	if (n == 0)
		return 0;
	c->p += n;
	return 1;
}

static int oslo(struct cur *c, const struct view_tz *z, struct oslo_line *o)
{
	struct tm tm;
	mm_ns frac;
	uint64_t pid;
	struct cur peek;

	memset(o, 0, sizeof(*o));
	if (!vt_datetime(c, &tm, &frac))
		return 0;
	o->t = view_tz_epoch(z, &tm, frac);
	if (o->t == MM_NS_NONE)
		return 0;
	vt_ws(c);
	if (!vt_u64(c, &pid))
		return 0;
	vt_ws(c);
	if (!word(c))	/* LEVEL */
		return 0;
	vt_ws(c);
	if (!word(c))	/* module */
		return 0;
	vt_ws(c);
	/* The request context: "[req-... - - - - -]", "[None req-...]", "[-]". */
	peek = *c;
	if (cur_left(c) && c->p[0] == '[' && !vt_lit(&peek, "[instance: ")) {
		const uint8_t *e = memchr(c->p, ']', cur_left(c));
		const uint8_t *r, *q;

		if (!e)
			return 0;
		/* Its first word, or the second after "None": the request id. */
		r = c->p + 1;
		q = memchr(r, ' ', (size_t)(e - r));
		if (q && q - r == 4 && memcmp(r, "None", 4) == 0) {
			r = q + 1;
			q = memchr(r, ' ', (size_t)(e - r));
		}
		vt_copy(o->req, sizeof(o->req), r, q ? q : e);
		c->p = e + 1;
		vt_ws(c);
	}
	if (vt_lit(c, "[instance: ")) {
		const uint8_t *e = memchr(c->p, ']', cur_left(c));

		if (!e || !is_uuid(c->p, (size_t)(e - c->p)))
			return 0;
		vt_copy(o->instance, sizeof(o->instance), c->p, e);
		c->p = e + 1;
		vt_ws(c);
	}
	o->msg = *c;
	return 1;
}

/* The instance's slot in v->last: its own, or the empty one it would take. */
static size_t slot_of(const struct vnova *v, const char *inst)
{
	uint32_t h = 2166136261u;
	const char *p;
	size_t i;

	for (p = inst; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (i = h % VNOVA_SLOTS;; i = (i + 1) % VNOVA_SLOTS)
		if (!v->last[i] || strcmp(v->m[v->last[i] - 1].instance, inst) == 0)
			return i;
}

/* The instance's last migration, or NULL. */
static struct vnova_mig *last_mig(struct vnova *v, const char *inst)
{
	size_t i = slot_of(v, inst);

	return v->last[i] ? &v->m[v->last[i] - 1] : NULL;
}

/* The instance's migration still running, else NULL. */
static struct vnova_mig *open_mig(struct vnova *v, const char *inst)
{
	struct vnova_mig *m = last_mig(v, inst);

	return m && m->status == VNOVA_RUNNING ? m : NULL;
}

/* The instance's last migration, when it ended at most VNOVA_AFTER_NS before t. */
static struct vnova_mig *recent_mig(struct vnova *v, const char *inst, mm_ns t)
{
	struct vnova_mig *m = last_mig(v, inst);

	if (!m)
		return NULL;
	if (m->status == VNOVA_RUNNING || m->end == MM_NS_NONE)
		return m;
	return mm_sub(t, m->end) <= VNOVA_AFTER_NS && t >= m->first_t ? m : NULL;
}

static struct vnova_mig *new_mig(struct vnova *v, const struct oslo_line *o, unsigned long line)
{
	struct vnova_mig *nm, *m;

	if (v->n >= VNOVA_MAX_MIGS) {
		v->migs_dropped++;
		return NULL;
	}
	if (v->n >= v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 16;

		nm = realloc(v->m, nc * sizeof(*nm));
		if (!nm)
			return NULL;
		v->m = nm;
		v->cap = nc;
	}
	v->last[slot_of(v, o->instance)] = (int32_t)(v->n + 1);
	m = &v->m[v->n++];
	memset(m, 0, sizeof(*m));
	snprintf(m->instance, sizeof(m->instance), "%s", o->instance);
	snprintf(m->req, sizeof(m->req), "%s", o->req);
	m->first_line = line;
	m->first_t = o->t;
	m->status = VNOVA_RUNNING;
	m->monitor_start = m->start = m->end = MM_NS_NONE;
	m->paused = m->resumed = m->stopped = m->started = MM_NS_NONE;
	return m;
}

/* The running migration of the line's instance, or a new one. */
static struct vnova_mig *mig_for(struct vnova *v, const struct oslo_line *o, unsigned long line, int *oom)
{
	struct vnova_mig *m = open_mig(v, o->instance);

	if (!m) {
		m = new_mig(v, o, line);
		if (!m && v->n < VNOVA_MAX_MIGS)
			*oom = 1;
	}
	if (m)
		m->last_line = line;
	return m;
}

/* nova's start: the earliest "time minus elapsed" any message implies. */
static void implied_start(struct vnova_mig *m, mm_ns t, uint64_t secs)
{
	mm_ns s;

	if (secs > (uint64_t)(INT64_MAX / MM_NS_PER_S))
		return;
	s = mm_sub(t, (mm_ns)secs * MM_NS_PER_S);
	if (m->start == MM_NS_NONE || s < m->start)
		m->start = s;
}

static int lifecycle(struct vnova *v, const struct oslo_line *o, struct cur *c)
{
	static const char *const names[] = { "Paused", "Resumed", "Stopped", "Started" };
	struct vnova_mig *m;
	size_t i;
	mm_ns *slot;

	for (i = 0; i < 4; i++) {
		struct cur s = *c;

		if (vt_lit(&s, names[i]) && vt_lit(&s, " (Lifecycle Event)"))
			break;
	}
	if (i == 4)
		return 0;
	m = recent_mig(v, o->instance, o->t);
	if (m) {
		slot = i == 0 ? &m->paused : i == 1 ? &m->resumed : i == 2 ? &m->stopped : &m->started;
		if (*slot == MM_NS_NONE)
			*slot = o->t;
		return 1;
	}
	if (v->nev >= VNOVA_MAX_EVENTS) {
		v->events_dropped++;
		return 1;
	}
	{
		struct vnova_event *ne = realloc(v->ev, (v->nev + 1) * sizeof(*ne));

		if (!ne)
			return -1;
		v->ev = ne;
		ne[v->nev].t = o->t;
		snprintf(ne[v->nev].instance, sizeof(ne[v->nev].instance), "%s", o->instance);
		snprintf(ne[v->nev].what, sizeof(ne[v->nev].what), "%s", names[i]);
		v->nev++;
	}
	return 1;
}

/* "(bytes processed=N, remaining=N, total=N)". */
static int byte_triple(struct cur *c, uint64_t *p, uint64_t *r, uint64_t *t)
{
	return vt_lit(c, " remaining (bytes processed=") && vt_u64(c, p) && vt_lit(c, ", remaining=") &&
	       vt_u64(c, r) && vt_lit(c, ", total=") && vt_u64(c, t) && vt_lit(c, ")");
}

static int sample(struct vnova_mig *m, const struct oslo_line *o, struct cur *c)
{
	struct vnova_sample s, *ns;

	memset(&s, 0, sizeof(s));
	s.t = o->t;
	if (!vt_u64(c, &s.secs) || !vt_lit(c, " secs, memory ") || !vt_u64(c, &s.mem_pct) || !vt_lit(c, "%") ||
	    !byte_triple(c, &s.mem_processed, &s.mem_remaining, &s.mem_total))
		return 0;
	if (vt_lit(c, "; disk ") && vt_u64(c, &s.disk_pct) && vt_lit(c, "%") &&
	    byte_triple(c, &s.disk_processed, &s.disk_remaining, &s.disk_total))
		s.has_disk = 1;
	implied_start(m, o->t, s.secs);
	if (m->nsamples >= VNOVA_MAX_SAMPLES) {
		/* Keep the last: it is the nearest to the end. */
		m->samples[VNOVA_MAX_SAMPLES - 1] = s;
		m->samples_dropped++;
		return 1;
	}
	if (m->nsamples >= m->samples_cap) {
		size_t nc = m->samples_cap ? m->samples_cap * 2 : 16;

		ns = realloc(m->samples, nc * sizeof(*ns));
		if (!ns)
			return -1;
		m->samples = ns;
		m->samples_cap = nc;
	}
	m->samples[m->nsamples++] = s;
	return 1;
}

/* A message of the driver's: 1 used, 0 not one of them, -1 out of memory. */
static int message(struct vnova *v, const struct oslo_line *o, unsigned long line)
{
	struct cur c = o->msg;
	struct vnova_mig *m;
	int oom = 0;

	if (vt_lit(&c, "VM "))
		return o->instance[0] ? lifecycle(v, o, &c) : 0;
	if (vt_lit(&c, "Increasing downtime to ")) {
		struct vnova_step st;

		st.t = o->t;
		if (!vt_u64(&c, &st.downtime_ms) || !vt_lit(&c, " ms after ") || !vt_u64(&c, &st.after_s) ||
		    !vt_lit(&c, " sec elapsed time"))
			return 0;
		m = mig_for(v, o, line, &oom);
		if (!m)
			return oom ? -1 : 1;
		implied_start(m, o->t, st.after_s);
		if (m->nsteps < VNOVA_MAX_STEPS)
			m->steps[m->nsteps++] = st;
		else
			m->steps_dropped++;
		return 1;
	}
	if (vt_lit(&c, "Migration running for ")) {
		struct cur s = c;
		struct oslo_line probe = *o;
		uint64_t x;

		/* Parse first: a damaged sample opens no migration. */
		if (!vt_u64(&s, &x))
			return 0;
		m = mig_for(v, &probe, line, &oom);
		if (!m)
			return oom ? -1 : 1;
		return sample(m, o, &c);
	}
	if (vt_lit(&c, "Starting monitoring of live migration")) {
		m = mig_for(v, o, line, &oom);
		if (!m)
			return oom ? -1 : 1;
		if (m->monitor_start == MM_NS_NONE)
			m->monitor_start = o->t;
		if (m->start == MM_NS_NONE || o->t < m->start)
			m->start = o->t;
		return 1;
	}
	{
		struct cur s = c;
		enum vnova_status st;

		if (vt_lit(&s, "Migration operation has completed"))
			st = VNOVA_COMPLETED;
		else if (vt_lit(&s, "Migration operation has aborted"))
			st = VNOVA_ABORTED;
		else if (vt_lit(&s, "Live Migration failure"))
			st = VNOVA_FAILED;
		else
			return 0;
		m = mig_for(v, o, line, &oom);
		if (!m)
			return oom ? -1 : 1;
		m->status = st;
		m->end = o->t;
		return 1;
	}
	return 0;
}

int vnova_parse(struct vnova *v, struct view_file *f, const struct view_tz *z, char *err, size_t errlen)
{
	struct cur line;
	unsigned long oslo_lines = 0;
	size_t i;

	memset(v, 0, sizeof(*v));
	while (view_file_line(f, &line)) {
		struct oslo_line o;
		int rc;

		if (!oslo(&line, z, &o)) {
			if (!vt_blank(&line))
				v->unknown++;
			continue;
		}
		oslo_lines++;
		if (!o.instance[0]) {
			struct cur c = o.msg;

			/* The driver's messages all name their instance; other lines are nova's business. */
			if (vt_lit(&c, "Migration ") || vt_lit(&c, "Increasing downtime") || vt_lit(&c, "VM "))
				v->no_instance++;
			continue;
		}
		rc = message(v, &o, f->lineno);
		if (rc < 0) {
			snprintf(err, errlen, "%s: out of memory", f->path);
			return -1;
		}
		if (rc)
			v->used++;
	}
	v->lines = f->lines;
	v->overlong = f->overlong;
	if (oslo_lines == 0) {
		snprintf(err, errlen, "%s: no nova-compute.log line in it (%lu lines; none 'YYYY-MM-DD HH:MM:SS.mmm "
			 "PID LEVEL module ...')", f->path, f->lines);
		return -1;
	}
	for (i = 0; i < v->n; i++)
		if (v->m[i].start == MM_NS_NONE)
			v->m[i].start = v->m[i].first_t;
	return 0;
}
