/* view-ping.c - iputils ping output: reply lines, -D times, -O "no answer yet", (DUP!), the statistics; episodes from the sequence numbers. */
#include "view-ping.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vping_free(struct vping *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->nruns; i++) {
		free(v->runs[i].r);
		free(v->runs[i].na);
		free(v->runs[i].ep);
	}
	free(v->runs);
	v->runs = NULL;
	v->nruns = 0;
}

/* A new run (a "PING" line, or reply lines before any). NULL when full or out of memory. */
static struct vping_run *new_run(struct vping *v, unsigned long line)
{
	struct vping_run *nr, *r;

	if (v->nruns >= VPING_MAX_RUNS) {
		v->runs_dropped++;
		return NULL;
	}
	nr = realloc(v->runs, (v->nruns + 1) * sizeof(*nr));
	if (!nr)
		return NULL;
	v->runs = nr;
	r = &v->runs[v->nruns++];
	memset(r, 0, sizeof(*r));
	r->first_line = line;
	r->interval = r->summary_interval = MM_NS_NONE;
	r->first_t = r->last_t = MM_NS_NONE;
	r->rtt_min = r->rtt_avg = r->rtt_max = r->rtt_mdev = MM_NS_NONE;
	return r;
}

/* ping's 16-bit icmp_seq carried past 65535 (and back over small reorderings). */
static uint64_t unwrap(struct vping_run *r, uint64_t raw)
{
	int64_t d;
	uint64_t v;

	if (raw > 65535)
		return raw;	/* a ping that prints wider numbers */
	if (!r->have_last) {
		r->have_last = 1;
		r->last_raw = raw;
		return raw;
	}
	d = (int16_t)(uint16_t)(raw - (r->last_raw & 0xffff));
	if (d < 0 && (uint64_t)-d > r->last_raw)
		return raw;
	v = r->last_raw + (uint64_t)d;
	if (d > 0)
		r->last_raw = v;
	return v;
}

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *np;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 256;
	np = realloc(*p, nc * size);
	if (!np)
		return -1;
	*p = np;
	*cap = nc;
	return 0;
}

/* "icmp_seq=N" (or old iputils' icmp_req=N, BSD's "icmp_seq N") anywhere ahead. */
static int find_seq(struct cur *c, uint64_t *seq)
{
	struct cur s = *c;

	/* A token not found leaves the cursor where it was. */
	if (vt_find(&s, "icmp_seq=") || vt_find(&s, "icmp_req=") || vt_find(&s, "icmp_seq "))
		if (vt_u64(&s, seq)) {
			*c = s;
			return 1;
		}
	return 0;
}

/* A reply line: "64 bytes from X: icmp_seq=N ttl=T time=R ms [(DUP!)]". */
static int reply_line(struct vping_run *r, struct cur *c, mm_ns ts)
{
	uint64_t seq;
	struct cur s = *c, t;
	int64_t rtt_nano;
	mm_ns rtt = MM_NS_NONE;
	struct vping_reply *rp;

	if (!find_seq(&s, &seq))
		return 0;
	t = s;
	if (vt_find(&t, "time=") || vt_find(&t, "time<")) {
		if (vt_nano(&t, &rtt_nano) && rtt_nano >= 0)
			rtt = rtt_nano / 1000;	/* ms x 10^9 -> ns */
	}
	t = s;
	if (vt_find(&t, "(DUP!)")) {
		r->dup_lines++;
		return 1;
	}
	r->reply_lines++;
	if (r->nr >= VPING_MAX_REPLIES) {
		r->dropped++;
		return 1;
	}
	if (grow((void **)&r->r, &r->rcap, r->nr, sizeof(*r->r)) < 0)
		return -1;
	rp = &r->r[r->nr++];
	rp->seq = unwrap(r, seq);
	rp->rtt = rtt;
	rp->t_req = ts == MM_NS_NONE ? MM_NS_NONE : rtt == MM_NS_NONE ? ts : mm_sub(ts, rtt);
	return 1;
}

/* "N packets transmitted, M received, [+D duplicates, ][+E errors, ]P% packet loss, time Tms". */
static int summary_line(struct vping_run *r, struct cur *c, const char *path, unsigned long line, char *err,
			size_t errlen)
{
	uint64_t tx, rx, n;
	int64_t pct = 0, ms = -1;

	if (!vt_u64(c, &tx) || !vt_lit(c, " packets transmitted, ") || !vt_u64(c, &rx) ||
	    !vt_lit(c, " received"))
		return 0;
	r->duplicates = r->errors = 0;
	while (vt_lit(c, ", +")) {
		if (!vt_u64(c, &n))
			return 0;
		if (vt_lit(c, " duplicates") || vt_lit(c, " duplicate"))
			r->duplicates = n;
		else if (vt_lit(c, " errors") || vt_lit(c, " error"))
			r->errors = n;
		else if (vt_lit(c, " corrupted"))
			;
		else
			return 0;
	}
	if (vt_lit(c, ", ") && vt_nano(c, &pct) && vt_lit(c, "% packet loss")) {
		if (vt_lit(c, ", time ") && vt_i64(c, &ms))
			(void)vt_lit(c, "ms");
	}
	if (rx > tx) {
		snprintf(err, errlen, "%s:%lu: %llu received of %llu transmitted: not ping's statistics", path,
			 line, (unsigned long long)rx, (unsigned long long)tx);
		return -1;
	}
	if (pct < 0 || pct > 100 * MM_NS_PER_S || ms < -1) {
		snprintf(err, errlen, "%s:%lu: a packet loss of over 100%% or a negative time", path, line);
		return -1;
	}
	r->have_summary = 1;
	r->transmitted = tx;
	r->received = rx;
	r->loss_pct_nano = pct;
	r->time_ms = ms;
	return 1;
}

/* "rtt min/avg/max/mdev = a/b/c/d ms" (busybox, BSD: round-trip ... stddev). */
static int rtt_line(struct vping_run *r, struct cur *c)
{
	int64_t v[4];
	int i;

	if (!vt_lit(c, "rtt min/avg/max/mdev = ") && !vt_lit(c, "round-trip min/avg/max = ") &&
	    !vt_lit(c, "round-trip min/avg/max/stddev = "))
		return 0;
	v[3] = -1;
	for (i = 0; i < 4; i++) {
		if (!vt_nano(c, &v[i]))
			break;
		if (!vt_lit(c, "/"))
			break;
	}
	if (i < 2)
		return 0;
	r->have_rtt = 1;
	r->rtt_min = v[0] / 1000;
	r->rtt_avg = v[1] / 1000;
	r->rtt_max = v[2] / 1000;
	r->rtt_mdev = i >= 3 && v[3] >= 0 ? v[3] / 1000 : MM_NS_NONE;
	return 1;
}

/* One line; returns 1 used, 0 unknown, -1 fatal (err set). */
static int one_line(struct vping *v, struct view_file *f, struct cur *c, struct vping_run **cur_run, char *err,
		    size_t errlen)
{
	struct vping_run *r = *cur_run;
	mm_ns ts = MM_NS_NONE;
	struct cur s;
	uint64_t seq;
	int rc;

	/* -D: "[1700000000.123456] " before the line. */
	if (vt_lit(c, "[")) {
		int64_t t;

		if (!vt_nano(c, &t) || !vt_lit(c, "]"))
			return 0;
		ts = t;
		vt_ws(c);
	}
	if (vt_lit(c, "PING ")) {
		struct cur t = *c;
		const uint8_t *a = c->p, *e;

		r = new_run(v, f->lineno);
		if (!r)
			return v->runs_dropped ? 1 : -1;
		/* "PING host (addr) ...": the address in parentheses, else the first word. */
		if (vt_find(&t, "(")) {
			a = t.p;
			e = memchr(a, ')', cur_left(&t));
		} else {
			e = memchr(a, ' ', cur_left(c));
		}
		vt_copy(r->target, sizeof(r->target), a, e ? e : c->end);
		*cur_run = r;
		return 1;
	}
	if (vt_lit(c, "--- ") && vt_find(c, " statistics ---"))
		return 1;
	if (!r) {
		/* Output without its PING line (cut from the middle of a log). */
		r = new_run(v, f->lineno);
		if (!r)
			return v->runs_dropped ? 1 : -1;
		*cur_run = r;
	}
	if (ts != MM_NS_NONE)
		r->timestamps = 1;
	s = *c;
	if (vt_lit(&s, "no answer yet for icmp_seq=") || vt_lit(&s, "Request timeout for icmp_seq ")) {
		if (!vt_u64(&s, &seq))
			return 0;
		r->noans_lines++;
		if (ts == MM_NS_NONE || r->nna >= VPING_MAX_REPLIES)
			return 1;
		if (grow((void **)&r->na, &r->nacap, r->nna, sizeof(*r->na)) < 0)
			return -1;
		r->na[r->nna].seq = unwrap(r, seq);
		r->na[r->nna++].t = ts;
		return 1;
	}
	s = *c;
	if (vt_lit(&s, "From ")) {
		if (!find_seq(&s, &seq))
			return 0;
		r->error_lines++;
		return 1;
	}
	s = *c;
	rc = summary_line(r, &s, f->path, f->lineno, err, errlen);
	if (rc)
		return rc;
	s = *c;
	if (rtt_line(r, &s))
		return 1;
	s = *c;
	if (vt_find(&s, " bytes from ")) {
		s = *c;
		return reply_line(r, &s, ts);
	}
	return 0;
}

static int by_seq(const void *a, const void *b)
{
	const struct vping_reply *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int by_noans(const void *a, const void *b)
{
	const struct vping_noans *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int by_ns(const void *a, const void *b)
{
	mm_ns x = *(const mm_ns *)a, y = *(const mm_ns *)b;

	return x < y ? -1 : x > y;
}

/* The median gap between requests one sequence number apart (-D). */
static mm_ns median_gap(const struct vping_run *r)
{
	mm_ns *g, m = MM_NS_NONE;
	size_t i, n = 0;

	if (r->nr < 2)
		return MM_NS_NONE;
	g = malloc((r->nr - 1) * sizeof(*g));
	if (!g)
		return MM_NS_NONE;
	for (i = 1; i < r->nr; i++)
		if (r->r[i].seq == r->r[i - 1].seq + 1 && r->r[i].t_req != MM_NS_NONE &&
		    r->r[i - 1].t_req != MM_NS_NONE)
			g[n++] = mm_sub(r->r[i].t_req, r->r[i - 1].t_req);
	if (n) {
		qsort(g, n, sizeof(*g), by_ns);
		m = n % 2 ? g[n / 2] : mm_mid(g[n / 2 - 1], g[n / 2]);
	}
	free(g);
	return m;
}

/* When request `seq` left: from a -O line, a reply, or between the answered neighbours a < seq < b. */
static mm_ns req_time(const struct vping_run *r, uint64_t seq, size_t ia, size_t ib)
{
	if (!r->timestamps) {
		if (r->interval == MM_NS_NONE)
			return MM_NS_NONE;
		return mm_mul(seq - r->first_seq, r->interval);
	}
	/* -O: "no answer yet for icmp_seq=N" is printed just before request N+1 leaves (na sorted by seq). */
	if (seq > 0 && r->nna) {
		size_t lo = 0, hi = r->nna;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (r->na[mid].seq < seq - 1)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < r->nna && r->na[lo].seq == seq - 1)
			return r->na[lo].t;
	}
	if (ia < r->nr && r->r[ia].seq == seq)
		return r->r[ia].t_req;
	if (ia < r->nr && ib < r->nr && r->r[ib].seq > r->r[ia].seq) {
		mm_ns span = mm_sub(r->r[ib].t_req, r->r[ia].t_req);
		double k = (double)(seq - r->r[ia].seq) / (double)(r->r[ib].seq - r->r[ia].seq);

		return mm_add(r->r[ia].t_req, (mm_ns)llround((double)span * k));
	}
	if (ia < r->nr && r->interval != MM_NS_NONE)
		return mm_add(r->r[ia].t_req, mm_mul(seq - r->r[ia].seq, r->interval));
	if (ib < r->nr && r->interval != MM_NS_NONE)
		return mm_sub(r->r[ib].t_req, mm_mul(r->r[ib].seq - seq, r->interval));
	return MM_NS_NONE;
}

static mm_ns span(mm_ns a, mm_ns b)
{
	return a == MM_NS_NONE || b == MM_NS_NONE ? MM_NS_NONE : mm_sub(b, a);
}

/* Adds the episode of requests [lo, hi] without a reply; ia/ib: the answered replies around it (nr if none). */
static int add_episode(struct vping_run *r, uint64_t lo, uint64_t hi, size_t ia, size_t ib)
{
	struct vping_episode *e;

	if (grow((void **)&r->ep, &r->epcap, r->nep, sizeof(*r->ep)) < 0)
		return -1;
	e = &r->ep[r->nep++];
	e->first_seq = lo;
	e->last_seq = hi;
	e->lost = hi - lo + 1;
	e->began = ia < r->nr;
	e->ended = ib < r->nr;
	e->start = req_time(r, lo, ia, ib);
	e->end = e->ended ? req_time(r, r->r[ib].seq, ib, ib) : MM_NS_NONE;
	e->estimate = span(e->start, e->end);
	e->lower = span(e->start, req_time(r, hi, ia, ib));
	e->upper = e->began && e->ended ? span(r->r[ia].t_req == MM_NS_NONE ? req_time(r, r->r[ia].seq, ia, ia) :
					       r->r[ia].t_req, e->end) : MM_NS_NONE;
	if (!r->timestamps && e->began && e->ended && r->interval != MM_NS_NONE)
		e->upper = mm_mul(e->lost + 1, r->interval);
	return 0;
}

/* Sorts and de-duplicates the replies, then the interval, the requests' span and the episodes. */
static int reckon(struct vping_run *r, mm_ns asked)
{
	size_t i, k;
	uint64_t distinct;

	if (r->nr)
		qsort(r->r, r->nr, sizeof(*r->r), by_seq);
	for (i = k = 0; i < r->nr; i++)
		if (k == 0 || r->r[i].seq != r->r[k - 1].seq)
			r->r[k++] = r->r[i];
	r->nr = k;
	distinct = k;
	if (r->nna)
		qsort(r->na, r->nna, sizeof(*r->na), by_noans);
	/* iputils' time runs from the first request to the end: N requests span N - 1 intervals. */
	if (r->have_summary && r->transmitted > 1 && r->time_ms >= 0)
		r->summary_interval = (mm_ns)llround(((double)r->time_ms * 1e6) / (double)(r->transmitted - 1));
	if (r->timestamps) {
		r->interval = median_gap(r);
		r->interval_from = "-D times (median gap)";
		if (r->interval != MM_NS_NONE && r->interval <= 0)
			r->interval = MM_NS_NONE;	/* times that run backwards: no interval from them */
	}
	if (r->interval == MM_NS_NONE && r->summary_interval != MM_NS_NONE) {
		r->interval = r->summary_interval;
		r->interval_from = "time / (transmitted - 1)";
	}
	if (r->interval == MM_NS_NONE && asked != MM_NS_NONE) {
		r->interval = asked;
		r->interval_from = "--ping-interval";
	}
	/* iputils numbers requests from 1; a log cut from the middle starts at its first reply. */
	r->first_seq = 1;
	if (r->nr && (r->r[0].seq < 1 || !r->target[0]))
		r->first_seq = r->r[0].seq;	/* busybox counts from 0 */
	r->last_seq = r->nr ? r->r[r->nr - 1].seq : 0;
	for (i = 0; i < r->nna; i++)
		if (r->na[i].seq > r->last_seq)
			r->last_seq = r->na[i].seq;
	if (r->have_summary && r->transmitted + r->first_seq - 1 > r->last_seq)
		r->last_seq = r->transmitted + r->first_seq - 1;
	if (r->last_seq < r->first_seq)
		return 0;
	r->lost = r->have_summary ? r->transmitted - r->received :
		  (r->last_seq - r->first_seq + 1) - distinct;
	r->first_t = req_time(r, r->first_seq, 0, 0);
	r->last_t = req_time(r, r->last_seq, r->nr ? r->nr - 1 : 0, r->nr);
	if (r->nr == 0)
		return add_episode(r, r->first_seq, r->last_seq, r->nr, r->nr);
	if (r->r[0].seq > r->first_seq && add_episode(r, r->first_seq, r->r[0].seq - 1, r->nr, 0) < 0)
		return -1;
	for (i = 1; i < r->nr; i++)
		if (r->r[i].seq > r->r[i - 1].seq + 1 &&
		    add_episode(r, r->r[i - 1].seq + 1, r->r[i].seq - 1, i - 1, i) < 0)
			return -1;
	if (r->last_seq > r->r[r->nr - 1].seq &&
	    add_episode(r, r->r[r->nr - 1].seq + 1, r->last_seq, r->nr - 1, r->nr) < 0)
		return -1;
	return 0;
}

int vping_parse(struct vping *v, struct view_file *f, mm_ns asked, char *err, size_t errlen)
{
	struct vping_run *run = NULL;
	struct cur line;
	size_t i;
	int rc;

	memset(v, 0, sizeof(*v));
	v->asked = asked;
	while (view_file_line(f, &line)) {
		rc = one_line(v, f, &line, &run, err, errlen);
		if (rc < 0) {
			if (!*err)
				snprintf(err, errlen, "%s: out of memory", f->path);
			return -1;
		}
		if (rc)
			v->used++;
		else if (!vt_blank(&line))
			v->unknown++;
	}
	v->lines = f->lines;
	v->overlong = f->overlong;
	if (v->nruns == 0 || (v->used == 0)) {
		snprintf(err, errlen, "%s: no ping output in it (%lu lines; none a PING, reply or statistics line)",
			 f->path, f->lines);
		return -1;
	}
	for (i = 0; i < v->nruns; i++) {
		if (reckon(&v->runs[i], asked) < 0) {
			snprintf(err, errlen, "%s: out of memory", f->path);
			return -1;
		}
	}
	return 0;
}

double vping_lost_x_interval(const struct vping_run *r, mm_ns interval)
{
	if (interval != MM_NS_NONE)
		return (double)r->lost * ((double)interval / 1e9);
	if (r->interval == MM_NS_NONE)
		return -1.0;
	/* The interval from the statistics: lost x time / (transmitted - 1), as a hand works it. */
	if (r->interval == r->summary_interval && !r->timestamps)
		return (double)r->lost * ((double)r->time_ms / 1000.0) / (double)(r->transmitted - 1);
	return (double)r->lost * ((double)r->interval / 1e9);
}

double vping_time_x_loss(const struct vping_run *r)
{
	if (!r->have_summary || r->time_ms < 0)
		return -1.0;
	return ((double)r->time_ms / 1000.0) * (((double)r->loss_pct_nano / 1e9) / 100.0);
}

size_t vping_outages(const struct vping_run *r, mm_ns *longest)
{
	size_t i, n = 0;

	*longest = MM_NS_NONE;
	for (i = 0; i < r->nep; i++) {
		if (!r->ep[i].ended)
			continue;
		n++;
		if (r->ep[i].estimate != MM_NS_NONE && (*longest == MM_NS_NONE || r->ep[i].estimate > *longest))
			*longest = r->ep[i].estimate;
	}
	return n;
}
