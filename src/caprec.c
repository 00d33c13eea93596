/* caprec.c - a live capture's migration records, each appended to --records the moment it completes. */
#include "caprec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "meter-keep.h"
#include "nodeinfo.h"
#include "out.h"
#include "report-migration.h"

/* A record already written: its main flow's id (flow_info.id, kept when flows are let go) and start. */
struct caprec_key {
	uint64_t flow;
	mm_ns start;
};

struct caprec {
	FILE *fp;
	struct mig_cfg cfg;
	int digits;
	caprec_said_fn said;
	void *ctx;
	caprec_seen_fn seen;
	void *seen_ctx;
	struct caprec_key *done;
	size_t ndone, cap;
	uint64_t nwritten;	/* records written (ndone: the keys kept of them) */
	unsigned completed;
	int failed;
	caprec_write_fn write;	/* when set, lines go here instead of fp */
	void *wctx;
	size_t keep_keys;	/* 0: every key; else only the newest this many matter (meter-keep.h) */
};

void caprec_keep_keys(struct caprec *cr, size_t n)
{
	cr->keep_keys = n;
}

void caprec_set_writer(struct caprec *cr, caprec_write_fn fn, void *ctx)
{
	cr->write = fn;
	cr->wctx = ctx;
}

struct caprec *caprec_new(FILE *fp, const struct mig_cfg *cfg, int digits, caprec_said_fn said, void *ctx)
{
	struct caprec *cr = calloc(1, sizeof(*cr));

	if (!cr)
		return NULL;
	cr->fp = fp;
	cr->cfg = *cfg;
	cr->digits = digits;
	cr->said = said;
	cr->ctx = ctx;
	return cr;
}

void caprec_free(struct caprec *cr)
{
	if (!cr)
		return;
	free(cr->done);
	free(cr);
}

void caprec_set_observer(struct caprec *cr, caprec_seen_fn fn, void *ctx)
{
	cr->seen = fn;
	cr->seen_ctx = ctx;
}

unsigned caprec_completed(const struct caprec *cr)
{
	return cr->completed;
}

static struct caprec_key key_of(const struct meter *m, const struct mig_record *r)
{
	struct caprec_key k;
	struct flow_info fi;

	k.flow = r->nmembers && flow_get(m->flows, r->members[0].flow, &fi) == 0 ? fi.id : UINT64_MAX;
	k.start = r->start;
	return k;
}

static int written(const struct caprec *cr, const struct caprec_key *k)
{
	size_t i;

	for (i = cr->ndone; i-- > 0;)
		if (cr->done[i].flow == k->flow && cr->done[i].start == k->start)
			return 1;
	return 0;
}

static void summary(struct caprec *cr, const struct mig_record *r)
{
	char src[64], dst[64], bytes[32], line[320];
	mm_ns dur = r->end != MM_NS_NONE && r->start != MM_NS_NONE && r->end >= r->start ?
		    r->end - r->start : MM_NS_NONE;

	if (!cr->said)
		return;
	dec_addr_str(&r->source, src, sizeof(src));
	dec_addr_str(&r->destination, dst, sizeof(dst));
	out_si(bytes, sizeof(bytes), (double)r->unique_total, "B");
	snprintf(line, sizeof(line), "migration %u %s (%s): %s -> %s, %.3f s, %s in %zu flows%s%s",
		 r->id, mig_status_name(r->status), mig_why_name(r->why), src, dst,
		 dur == MM_NS_NONE ? 0.0 : (double)dur / 1e9, bytes, r->nmembers,
		 r->resumed != MM_NS_NONE ? ", announce seen" : ", no announce",
		 r->inferred ? ", inferred" : "");
	cr->said(cr->ctx, line);
}

/* Appends record r of stage mt as one line. Returns 0 or -1 (err). */
static int write_one(struct caprec *cr, const struct meter *m, const struct mig_table *mt,
		     const struct mig_record *r, char *err, size_t errlen)
{
	struct caprec_key k = key_of(m, r);
	json_object *j;
	const char *s;
	int bad;

	/* Retention: the keys of records whose flows were let go can never match again. */
	if (cr->keep_keys && cr->ndone >= 2 * cr->keep_keys) {
		memmove(cr->done, cr->done + cr->ndone - cr->keep_keys, cr->keep_keys * sizeof(*cr->done));
		cr->ndone = cr->keep_keys;
	}
	if (cr->ndone == cr->cap) {
		size_t n = cr->cap ? cr->cap * 2 : 64;
		struct caprec_key *d = realloc(cr->done, n * sizeof(*d));

		if (!d) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		cr->done = d;
		cr->cap = n;
	}
	j = report_migration_record(m, mt, r, cr->digits);
	if (j)
		nodeinfo_stamp_record(j, &r->source, &r->destination);	/* node, vantage: for merge */
	s = j ? json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;
	if (!s) {
		json_object_put(j);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	errno = 0;
	if (cr->write) {
		bad = cr->write(cr->wctx, s, err, errlen) < 0;
	} else {
		bad = cr->fp && (fputs(s, cr->fp) == EOF || fputc('\n', cr->fp) == EOF || fflush(cr->fp) == EOF);
		if (bad)
			snprintf(err, errlen, "--records: %s", errno ? strerror(errno) : "write failed");
	}
	/* The metrics count each record written (or each record, without --records). */
	if (!bad && cr->seen)
		cr->seen(cr->seen_ctx, j);
	json_object_put(j);
	if (bad) {
		cr->failed = 1;
		return -1;
	}
	cr->done[cr->ndone++] = k;
	cr->nwritten++;
	if (r->status == MIG_COMPLETED)
		cr->completed++;
	summary(cr, r);
	return 0;
}

/* A record of mt not written yet. */
static int any_due(const struct caprec *cr, const struct meter *m, const struct mig_table *mt)
{
	size_t i;

	for (i = 0; i < mig_count(mt); i++) {
		struct caprec_key k = key_of(m, mig_get(mt, i));

		if (!written(cr, &k))
			return 1;
	}
	return 0;
}

/*
 * The stage of the records complete at `now`; when one is due, grouped
 * again with the episodes closed by now (built only then: echo_finish
 * costs the whole echo window).  NULL when out of memory.
 */
static struct mig_table *stage_at(struct caprec *cr, struct meter *m, mm_ns now)
{
	struct mig_table *mt = NULL;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		mig_free(mt);
		mt = mig_new(&cr->cfg);
		if (!mt || (pass && meter_live_episodes(m, now) < 0))
			break;
		mig_set_id_base(mt, (unsigned)cr->nwritten);
		meter_feed_migrations(m, mt, 1);
		if (pass)
			meter_feed_episodes(m, mt, 1);
		if (mig_poll(mt, now, 0) < 0)
			break;
		if (pass || !any_due(cr, m, mt))
			return mt;
	}
	mig_free(mt);
	return NULL;
}

int caprec_poll(struct caprec *cr, struct meter *m, mm_ns now, char *err, size_t errlen)
{
	struct mig_table *mt;
	size_t i;
	int n = 0;

	if (cr->failed)
		return 0;
	mt = stage_at(cr, m, now);
	if (!mt) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < mig_count(mt); i++) {
		const struct mig_record *r = mig_get(mt, i);
		struct caprec_key k = key_of(m, r);
		size_t f;

		if (written(cr, &k))
			continue;
		if (write_one(cr, m, mt, r, err, errlen) < 0) {
			n = -1;
			break;
		}
		/* Written: its flows leave the lookup (their figures stay for the report), one batch. */
		meter_keep_record(m, now);
		for (f = 0; f < r->nmembers; f++)
			flow_retire(m->flows, r->members[f].flow);
		n++;
	}
	mig_free(mt);
	return n;
}

int caprec_finish(struct caprec *cr, const struct meter *m, char *err, size_t errlen)
{
	size_t i;
	int n = 0;

	for (i = 0; !cr->failed && i < mig_count(m->migs); i++) {
		const struct mig_record *r = mig_get(m->migs, i);
		struct caprec_key k = key_of(m, r);

		if (written(cr, &k))
			continue;
		if (write_one(cr, m, m->migs, r, err, errlen) < 0)
			return -1;
		n++;
	}
	return n;
}
