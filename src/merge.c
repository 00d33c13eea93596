/* merge.c - migmeter merge's rules: duplicates, pairs of a migration's two ends, the rows of the table. */
#include "merge.h"

#include <stdlib.h>
#include <string.h>

void merge_init(struct merge_set *s, struct merge_input *inputs, size_t ninputs, mm_ns window)
{
	memset(s, 0, sizeof(*s));
	s->inputs = inputs;
	s->ninputs = ninputs;
	s->window = window;
	s->line_max = MERGE_LINE_MAX;
	s->doc_max = MERGE_DOC_MAX;
	s->max = MERGE_RECS_MAX;
}

void merge_release(struct merge_set *s)
{
	size_t i;

	for (i = 0; i < s->nnodes; i++)
		free(s->nodes[i]);
	free(s->nodes);
	free(s->hash);
	free(s->recs);
	s->nodes = NULL;
	s->hash = NULL;
	s->recs = NULL;
	s->n = s->nnodes = s->nodes_cap = s->hash_cap = s->cap = 0;
}

static uint64_t hash_name(const char *name)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ULL;
	return h;
}

/* Doubles the node hash (slots hold index + 1; 0 is empty). Returns 0 or -1. */
static int grow_hash(struct merge_set *s)
{
	size_t n = s->hash_cap ? s->hash_cap * 2 : 64, i;
	size_t *h = calloc(n, sizeof(*h));

	if (!h)
		return -1;
	for (i = 0; i < s->nnodes; i++) {
		size_t at = (size_t)hash_name(s->nodes[i]) & (n - 1);

		while (h[at])
			at = (at + 1) & (n - 1);
		h[at] = i + 1;
	}
	free(s->hash);
	s->hash = h;
	s->hash_cap = n;
	return 0;
}

long merge_node(struct merge_set *s, const char *name)
{
	size_t at;

	if ((s->nnodes + 1) * 2 > s->hash_cap && grow_hash(s) < 0)
		return -1;
	for (at = (size_t)hash_name(name) & (s->hash_cap - 1); s->hash[at]; at = (at + 1) & (s->hash_cap - 1))
		if (strcmp(s->nodes[s->hash[at] - 1], name) == 0)
			return (long)(s->hash[at] - 1);
	if (s->nnodes == s->nodes_cap) {
		size_t n = s->nodes_cap ? s->nodes_cap * 2 : 16;
		char **p = realloc(s->nodes, n * sizeof(*p));

		if (!p)
			return -1;
		s->nodes = p;
		s->nodes_cap = n;
	}
	s->nodes[s->nnodes] = strdup(name);
	if (!s->nodes[s->nnodes])
		return -1;
	s->hash[at] = s->nnodes + 1;
	return (long)s->nnodes++;
}

int merge_add(struct merge_set *s, const struct merge_rec *r)
{
	if (s->n >= s->max)
		return -1;
	if (s->n == s->cap) {
		size_t n = s->cap ? s->cap * 2 : 256;
		struct merge_rec *p;

		if (n > s->max)
			n = s->max;
		p = realloc(s->recs, n * sizeof(*p));
		if (!p)
			return -1;
		s->recs = p;
		s->cap = n;
	}
	s->recs[s->n] = *r;
	s->recs[s->n].dup = 0;
	s->recs[s->n].mate = MERGE_NONE;
	s->recs[s->n].by = MERGE_BY_NONE;
	s->n++;
	return 0;
}

static int cmp_ns(mm_ns a, mm_ns b)
{
	return a < b ? -1 : a > b;
}

static int cmp_u(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* The main 5-tuple (TCP always): source, destination, client port, server port. */
static int cmp_tuple(const struct merge_rec *a, const struct merge_rec *b)
{
	int c = a->has_tuple - b->has_tuple;

	if (!c)
		c = strcmp(a->source, b->source);
	if (!c)
		c = strcmp(a->destination, b->destination);
	if (!c)
		c = cmp_u(a->cport, b->cport);
	if (!c)
		c = cmp_u(a->sport, b->sport);
	return c;
}

/* The UUID between the same two hosts. */
static int cmp_uuid(const struct merge_rec *a, const struct merge_rec *b)
{
	int c = strcmp(a->uuid, b->uuid);

	if (!c)
		c = strcmp(a->source, b->source);
	if (!c)
		c = strcmp(a->destination, b->destination);
	return c;
}

/* Node, tuple, UUID, start; then the order read (the first read is the one kept). */
static int by_dup(const void *x, const void *y, void *ctx)
{
	const struct merge_set *set = ctx;
	const struct merge_rec *a = &set->recs[*(const size_t *)x], *b = &set->recs[*(const size_t *)y];
	int c = cmp_u(a->node, b->node);

	if (!c)
		c = cmp_u(a->vantage, b->vantage);
	if (!c)
		c = cmp_tuple(a, b);
	if (!c)
		c = cmp_uuid(a, b);
	if (!c)
		c = cmp_ns(a->start, b->start);
	if (!c)
		c = cmp_u(*(const size_t *)x, *(const size_t *)y);
	return c;
}

static int by_tuple(const void *x, const void *y, void *ctx)
{
	const struct merge_set *set = ctx;
	const struct merge_rec *a = &set->recs[*(const size_t *)x], *b = &set->recs[*(const size_t *)y];
	int c = cmp_tuple(a, b);

	if (!c)
		c = cmp_ns(a->start, b->start);
	if (!c)
		c = cmp_u(*(const size_t *)x, *(const size_t *)y);
	return c;
}

static int by_uuid(const void *x, const void *y, void *ctx)
{
	const struct merge_set *set = ctx;
	const struct merge_rec *a = &set->recs[*(const size_t *)x], *b = &set->recs[*(const size_t *)y];
	int c = cmp_uuid(a, b);

	if (!c)
		c = cmp_ns(a->start, b->start);
	if (!c)
		c = cmp_u(*(const size_t *)x, *(const size_t *)y);
	return c;
}

/* |a - b| <= w, without overflow. */
static int near(mm_ns a, mm_ns b, mm_ns w)
{
	mm_ns lo = a < b ? a : b, hi = a < b ? b : a;

	return w >= 0 && (uint64_t)hi - (uint64_t)lo <= (uint64_t)w;
}

/* Whether b may be a's other end (besides the key and the window). */
static int eligible(const struct merge_rec *a, const struct merge_rec *b, enum merge_by by)
{
	if (b->mate != MERGE_NONE || b->input == a->input)
		return 0;
	if (b->node == a->node && (!a->vantage || !b->vantage || a->vantage == b->vantage))
		return 0;
	/* By UUID only when a 5-tuple does not tell them apart: two main streams of other ports are two migrations. */
	return by != MERGE_BY_UUID || !a->has_tuple || !b->has_tuple || cmp_tuple(a, b) == 0;
}

/*
 * Pairs, within each run of idx[] equal under `same`, each unpaired
 * record with the first eligible one after it in the window, or with the
 * first there of the other known vantage when there is one (a mirror's
 * record between the two ends does not take the source's place).
 */
static void pair_runs(struct merge_set *s, const size_t *idx, size_t n,
		      int (*same)(const struct merge_rec *, const struct merge_rec *), enum merge_by by)
{
	size_t i, j, pick;

	for (i = 0; i < n; i++) {
		struct merge_rec *a = &s->recs[idx[i]];

		if (a->mate != MERGE_NONE)
			continue;
		pick = n;
		for (j = i + 1; j < n; j++) {
			struct merge_rec *b = &s->recs[idx[j]];

			if (same(a, b) != 0 || !near(a->start, b->start, s->window))
				break;
			if (!eligible(a, b, by))
				continue;
			if (pick == n)
				pick = j;
			if (a->vantage && b->vantage && a->vantage != b->vantage) {
				pick = j;
				break;
			}
		}
		if (pick == n)
			continue;
		a->mate = idx[pick];
		s->recs[idx[pick]].mate = idx[i];
		a->by = s->recs[idx[pick]].by = by;
	}
}

int merge_pair(struct merge_set *s)
{
	size_t *idx = malloc((s->n ? s->n : 1) * sizeof(*idx));
	size_t i, n;

	if (!idx)
		return -1;
	for (i = 0; i < s->n; i++) {
		idx[i] = i;
		s->recs[i].dup = 0;
		s->recs[i].mate = MERGE_NONE;
		s->recs[i].by = MERGE_BY_NONE;
	}
	for (i = 0; i < s->ninputs; i++)
		s->inputs[i].duplicates = 0;
	qsort_r(idx, s->n, sizeof(*idx), by_dup, s);
	for (i = 1; i < s->n; i++) {
		const struct merge_rec *a = &s->recs[idx[i - 1]];
		struct merge_rec *b = &s->recs[idx[i]];

		if (a->node == b->node && a->vantage == b->vantage && cmp_tuple(a, b) == 0 && cmp_uuid(a, b) == 0 &&
		    a->start == b->start) {
			b->dup = 1;
			s->inputs[b->input].duplicates++;
		}
	}
	/* The 5-tuple first: those with one. */
	for (i = n = 0; i < s->n; i++)
		if (!s->recs[i].dup && s->recs[i].has_tuple)
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), by_tuple, s);
	pair_runs(s, idx, n, cmp_tuple, MERGE_BY_TUPLE);
	/* Then the UUID, for those still alone. */
	for (i = n = 0; i < s->n; i++)
		if (!s->recs[i].dup && s->recs[i].mate == MERGE_NONE && s->recs[i].uuid[0])
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), by_uuid, s);
	pair_runs(s, idx, n, cmp_uuid, MERGE_BY_UUID);
	free(idx);
	return 0;
}

void merge_sides(const struct merge_set *s, size_t a, size_t b, size_t *src, size_t *dst, enum merge_rule *rule)
{
	const struct merge_rec *ra = &s->recs[a], *rb = &s->recs[b];
	int a_src;

	if (ra->vantage != rb->vantage && (ra->vantage == MERGE_V_SOURCE || rb->vantage == MERGE_V_DESTINATION)) {
		a_src = 1;
		*rule = MERGE_RULE_VANTAGE;
	} else if (ra->vantage != rb->vantage) {
		a_src = 0;
		*rule = MERGE_RULE_VANTAGE;
	} else {
		/* The source connects: its clock sees the start first (unless the clocks are apart by more). */
		a_src = ra->start < rb->start || (ra->start == rb->start && a < b);
		*rule = MERGE_RULE_START;
	}
	*src = a_src ? a : b;
	*dst = a_src ? b : a;
}

/* A row's start: its earlier end's. */
static mm_ns row_start(const struct merge_set *s, size_t k)
{
	const struct merge_rec *r = &s->recs[k];

	return r->mate != MERGE_NONE && s->recs[r->mate].start < r->start ? s->recs[r->mate].start : r->start;
}

static int by_row(const void *x, const void *y, void *ctx)
{
	const struct merge_set *set = ctx;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int c = cmp_ns(row_start(set, a), row_start(set, b));

	return c ? c : cmp_u(a, b);
}

size_t *merge_rows(const struct merge_set *s, size_t *nrows)
{
	size_t *rows = malloc((s->n ? s->n : 1) * sizeof(*rows));
	size_t i, n = 0;

	*nrows = 0;
	if (!rows)
		return NULL;
	for (i = 0; i < s->n; i++) {
		const struct merge_rec *r = &s->recs[i];

		/* A pair once: by its lower index. */
		if (!r->dup && (r->mate == MERGE_NONE || r->mate > i))
			rows[n++] = i;
	}
	qsort_r(rows, n, sizeof(*rows), by_row, (void *)s);
	*nrows = n;
	return rows;
}
