/* prom.c - a capture's Prometheus metrics: counters and histograms over the migration records, by bounded labels. */
#include "prom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Bucket bounds for the range real migrations span: a small VM on a fast
 * link moves in well under a second, a large or busy one takes many
 * minutes; downtime is milliseconds when all goes well and seconds when
 * not; throughput from a throttled 1 Mbit/s to a 400 Gbit/s link.
 */
static const double le_duration[] = { 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60,
				       120, 300, 600, 1800, 3600 };
static const double le_outage[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
				    5, 10, 30, 60, 300 };
static const double le_bps[] = { 1e6, 1e7, 1e8, 2.5e8, 5e8, 1e9, 2.5e9, 5e9, 1e10, 2.5e10, 5e10,
				  1e11, 4e11 };

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define PROM_MAX_LE 18

struct hist_def {
	const char *name, *help;
	const char *field, *sub;	/* the record's figure: rec.field, or rec.field.sub */
	const double *le;
	size_t nle;
};

static const struct hist_def hists[] = {
	{ "migmeter_migration_duration_seconds",
	  "Completed migrations by duration_s (first frame to last payload), seconds.",
	  "duration_s", NULL, le_duration, N_OF(le_duration) },
	{ "migmeter_migration_downtime_seconds",
	  "Completed migrations by loss-based downtime (downtime_total_s, from ICMP echo), seconds; "
	  "records without it are not observed.", "downtime_total_s", NULL, le_outage, N_OF(le_outage) },
	{ "migmeter_migration_unresponsive_seconds",
	  "Completed migrations by unresponsive time (unresponsive.total_s: no timely echo reply), "
	  "seconds; records without it are not observed.", "unresponsive", "total_s", le_outage,
	  N_OF(le_outage) },
	{ "migmeter_migration_throughput_bits_per_second",
	  "Completed migrations by mean throughput (mean_bps: unique payload bits / duration), bits per second.",
	  "mean_bps", NULL, le_bps, N_OF(le_bps) },
};
#define N_HIST N_OF(hists)

static const char *const statuses[] = { "completed", "failed", "incomplete", "other" };
#define N_STATUS N_OF(statuses)
#define STATUS_OTHER (N_STATUS - 1)
static const char *const roles[] = { "main", "multifd", "nbd", "other" };
#define N_ROLE N_OF(roles)
static const char *const directions[] = { "outgoing", "incoming", "transit" };
#define N_DIR N_OF(directions)
static const char *const captures[PROM_CAP_N] = { "migration", "icmp" };

/* One (peer, direction): every per-migration figure under those labels. */
struct series {
	char peer[112];
	unsigned dir;
	uint64_t migrations[N_STATUS];
	uint64_t bytes[N_ROLE];
	uint64_t buckets[N_HIST][PROM_MAX_LE + 1];
	struct prom_hist hist[N_HIST];
};

struct prom {
	char *node;
	prom_local_fn is_local;
	void *ctx;
	struct series *s;
	size_t n, cap;
	uint64_t dropped[PROM_CAP_N];
	uint64_t observed;
	double last_end;	/* end of the newest completed migration, Unix seconds; < 0: none */
};

struct prom *prom_new(const char *node, prom_local_fn is_local, void *ctx)
{
	struct prom *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->node = strdup(node ? node : "");
	if (!p->node) {
		free(p);
		return NULL;
	}
	p->is_local = is_local;
	p->ctx = ctx;
	p->last_end = -1;
	return p;
}

void prom_free(struct prom *p)
{
	if (!p)
		return;
	free(p->s);
	free(p->node);
	free(p);
}

uint64_t prom_observed(const struct prom *p)
{
	return p->observed;
}

void prom_set_dropped(struct prom *p, enum prom_capture cap, uint64_t frames)
{
	if ((unsigned)cap < PROM_CAP_N && frames > p->dropped[cap])
		p->dropped[cap] = frames;
}

static const char *str_of(json_object *rec, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(rec, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* rec.field (or rec.field.sub) as a number; 0 when absent, null or not a number. */
static int num_of(json_object *rec, const char *field, const char *sub, double *out)
{
	json_object *v;

	if (!json_object_object_get_ex(rec, field, &v))
		return 0;
	if (sub && (!json_object_is_type(v, json_type_object) || !json_object_object_get_ex(v, sub, &v)))
		return 0;
	if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
		return 0;
	*out = json_object_get_double(v);
	return 1;
}

/* rec.bytes_by_role.ROLE as an unsigned count; 0 when absent (or negative). */
static uint64_t bytes_of(json_object *rec, const char *role)
{
	json_object *b, *v;

	if (!json_object_object_get_ex(rec, "bytes_by_role", &b) || !json_object_object_get_ex(b, role, &v) ||
	    !json_object_is_type(v, json_type_int))
		return 0;
	return json_object_get_uint64(v);
}

/* The record's series, created when new; NULL when out of memory. */
static struct series *series_for(struct prom *p, const char *peer, unsigned dir)
{
	struct series *s;
	size_t i, k;

	for (;;) {
		for (i = 0; i < p->n; i++)
			if (p->s[i].dir == dir && strcmp(p->s[i].peer, peer) == 0)
				return &p->s[i];
		if (p->n < PROM_MAX_PEERS || strcmp(peer, "other") == 0)
			break;
		peer = "other";
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;

		s = realloc(p->s, cap * sizeof(*s));
		if (!s)
			return NULL;
		/* The histograms point into their own series: fix them up after the move. */
		for (i = 0; i < p->n; i++)
			for (k = 0; k < N_HIST; k++)
				s[i].hist[k].bucket = s[i].buckets[k];
		p->s = s;
		p->cap = cap;
	}
	s = &p->s[p->n++];
	memset(s, 0, sizeof(*s));
	snprintf(s->peer, sizeof(s->peer), "%s", peer);
	s->dir = dir;
	for (k = 0; k < N_HIST; k++) {
		s->hist[k].le = hists[k].le;
		s->hist[k].nle = hists[k].nle;
		s->hist[k].bucket = s->buckets[k];
	}
	return s;
}

int prom_observe(struct prom *p, json_object *rec)
{
	const char *src = str_of(rec, "source"), *dst = str_of(rec, "destination");
	const char *status = str_of(rec, "status");
	char peer[112];
	struct series *s;
	unsigned dir, st, k;
	double v;

	if (src && p->is_local && p->is_local(p->ctx, src)) {
		dir = 0;
		snprintf(peer, sizeof(peer), "%s", dst ? dst : "unknown");
	} else if (dst && p->is_local && p->is_local(p->ctx, dst)) {
		dir = 1;
		snprintf(peer, sizeof(peer), "%s", src ? src : "unknown");
	} else {
		dir = 2;
		snprintf(peer, sizeof(peer), "%s->%s", src ? src : "unknown", dst ? dst : "unknown");
	}
	s = series_for(p, peer, dir);
	if (!s)
		return -1;
	for (st = 0; st < STATUS_OTHER && !(status && strcmp(status, statuses[st]) == 0); st++)
		;
	s->migrations[st]++;
	for (k = 0; k < N_ROLE; k++)
		s->bytes[k] += bytes_of(rec, roles[k]);
	p->observed++;
	if (st != 0)
		return 0;
	for (k = 0; k < N_HIST; k++)
		if (num_of(rec, hists[k].field, hists[k].sub, &v))
			prom_text_observe(&s->hist[k], v);
	if (num_of(rec, "end", NULL, &v) && v > p->last_end)
		p->last_end = v;
	return 0;
}

int prom_render(const struct prom *p, struct prom_text *t)
{
	struct prom_label l[4];
	size_t i;
	unsigned k;

	l[0].name = "node";
	l[0].value = p->node;
	l[1].name = "peer";
	l[2].name = "direction";
	prom_text_family(t, "migmeter_migrations_total", "counter",
			 "Migrations recorded, by status (completed, failed, incomplete).");
	l[3].name = "status";
	for (i = 0; i < p->n; i++) {
		l[1].value = p->s[i].peer;
		l[2].value = directions[p->s[i].dir];
		for (k = 0; k < N_STATUS; k++) {
			if (k == STATUS_OTHER && !p->s[i].migrations[k])
				continue;
			l[3].value = statuses[k];
			prom_text_sample(t, "migmeter_migrations_total", "", l, 4, NULL, NULL,
					 (double)p->s[i].migrations[k]);
		}
	}
	prom_text_family(t, "migmeter_migration_bytes_total", "counter",
			 "Unique payload bytes of the migrations recorded (both directions), by stream role.");
	l[3].name = "role";
	for (i = 0; i < p->n; i++) {
		l[1].value = p->s[i].peer;
		l[2].value = directions[p->s[i].dir];
		for (k = 0; k < N_ROLE; k++) {
			l[3].value = roles[k];
			prom_text_sample(t, "migmeter_migration_bytes_total", "", l, 4, NULL, NULL,
					 (double)p->s[i].bytes[k]);
		}
	}
	for (k = 0; k < N_HIST; k++) {
		prom_text_family(t, hists[k].name, "histogram", hists[k].help);
		for (i = 0; i < p->n; i++) {
			l[1].value = p->s[i].peer;
			l[2].value = directions[p->s[i].dir];
			prom_text_hist(t, hists[k].name, l, 3, &p->s[i].hist[k]);
		}
	}
	prom_text_family(t, "migmeter_capture_dropped_frames_total", "counter",
			 "Frames the capture lost (pcap_stats: dropped by the kernel ring or the interface).");
	l[1].name = "capture";
	for (k = 0; k < PROM_CAP_N; k++) {
		l[1].value = captures[k];
		prom_text_sample(t, "migmeter_capture_dropped_frames_total", "", l, 2, NULL, NULL,
				 (double)p->dropped[k]);
	}
	prom_text_family(t, "migmeter_last_migration_timestamp_seconds", "gauge",
			 "End (last payload) of the newest completed migration, Unix time in seconds.");
	if (p->last_end >= 0)
		prom_text_sample(t, "migmeter_last_migration_timestamp_seconds", "", l, 1, NULL, NULL,
				 p->last_end);
	return t->failed ? -1 : 0;
}
