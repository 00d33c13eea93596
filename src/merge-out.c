/* merge-out.c - migmeter merge's table: one row per migration, both vantage points, as CSV or JSON. */
#include "merge.h"

#include <stdlib.h>
#include <string.h>

/* Per vantage (src_, dst_): the columns of one record. */
#define SIDE(p) \
	p "node", p "file", p "line", p "id", p "vantage", p "status", p "status_reason", p "inferred", \
	p "start", p "start_utc", p "end", p "end_utc", p "duration_s", p "final_burst_end", \
	p "resumed", p "resumed_utc", p "unique_payload_bytes", p "wire_bytes", p "retrans_bytes", \
	p "main_bytes", p "multifd_bytes", p "nbd_bytes", p "other_bytes", p "flows", p "mean_bps", \
	p "downtime_s", p "downtime_source", p "unresponsive_s"
#define SIDE_COLS 28

const char *const merge_columns[] = {
	"row", "paired", "paired_by", "side_rule", "seen_on", "source", "destination", "client_port",
	"server_port", "uuid", "vm_mac", "vm_ip",
	SIDE("src_"),
	SIDE("dst_"),
	"start_diff_s", "end_diff_s", "duration_diff_s", "resumed_diff_s", "unique_payload_bytes_diff",
	"wire_bytes_diff", "downtime_diff_s",
	NULL
};

#define HEAD_COLS 12
#define DIFF_COLS 7
#define NCOLS (HEAD_COLS + 2 * SIDE_COLS + DIFF_COLS)

enum cell_type { CELL_NULL, CELL_NUM, CELL_STR, CELL_BOOL };

struct cell {
	enum cell_type t;
	const char *s;		/* CELL_STR: the text (not owned) */
	char num[48];		/* CELL_NUM: the number as written; CELL_BOOL: "true"/"false" */
};

struct row {
	struct cell c[NCOLS];
	size_t at;
	int digits;
};

static void c_null(struct row *w)
{
	w->c[w->at++].t = CELL_NULL;
}

static void c_str(struct row *w, const char *s)
{
	struct cell *c = &w->c[w->at++];

	c->t = s && *s ? CELL_STR : CELL_NULL;
	c->s = s;
}

static void c_u64(struct row *w, uint64_t v)
{
	struct cell *c = &w->c[w->at++];

	c->t = CELL_NUM;
	snprintf(c->num, sizeof(c->num), "%llu", (unsigned long long)v);
}

static void c_i128(struct row *w, __int128 v)
{
	struct cell *c = &w->c[w->at++];

	if (v > INT64_MAX || v < -INT64_MAX) {
		c->t = CELL_NULL;
		return;
	}
	c->t = CELL_NUM;
	snprintf(c->num, sizeof(c->num), "%lld", (long long)v);
}

static void c_bool(struct row *w, int v)
{
	struct cell *c = &w->c[w->at++];

	c->t = CELL_BOOL;
	snprintf(c->num, sizeof(c->num), "%s", v ? "true" : "false");
}

static void c_secs(struct row *w, mm_ns t)
{
	struct cell *c = &w->c[w->at++];

	if (t == MM_NS_NONE) {
		c->t = CELL_NULL;
		return;
	}
	c->t = CELL_NUM;
	mm_fmt_seconds(c->num, sizeof(c->num), t, w->digits);
}

static void c_utc(struct row *w, mm_ns t, char *buf, size_t n)
{
	if (t == MM_NS_NONE) {
		c_null(w);
		return;
	}
	mm_fmt_iso(buf, n, t, w->digits);
	c_str(w, buf);
}

/* b - a as seconds; null when either is unknown or it does not fit. */
static void c_diff(struct row *w, mm_ns b, mm_ns a)
{
	__int128 d = (__int128)b - a;

	if (a == MM_NS_NONE || b == MM_NS_NONE || d > INT64_MAX || d < -INT64_MAX)
		c_null(w);
	else
		c_secs(w, (mm_ns)d);
}

static const char *vantage_name(enum merge_vantage v)
{
	return v == MERGE_V_SOURCE ? "source" : v == MERGE_V_DESTINATION ? "destination" : NULL;
}

/* The times of one side, formatted in place (the row's cells point at them). */
struct side_text {
	char start[48], end[48], resumed[48];
};

static void side_cells(struct row *w, const struct merge_set *s, const struct merge_rec *r, struct side_text *t)
{
	unsigned k;

	if (!r) {
		for (k = 0; k < SIDE_COLS; k++)
			c_null(w);
		return;
	}
	c_str(w, s->nodes[r->node]);
	c_str(w, s->inputs[r->input].path);
	c_u64(w, r->line);
	c_u64(w, r->id);
	c_str(w, vantage_name(r->vantage));
	c_str(w, r->status);
	c_str(w, r->status_reason);
	c_bool(w, r->inferred);
	c_secs(w, r->start);
	c_utc(w, r->start, t->start, sizeof(t->start));
	c_secs(w, r->end);
	c_utc(w, r->end, t->end, sizeof(t->end));
	c_secs(w, r->duration);
	c_secs(w, r->final_burst_end);
	c_secs(w, r->resumed);
	c_utc(w, r->resumed, t->resumed, sizeof(t->resumed));
	if (r->has_bytes) {
		c_u64(w, r->unique_bytes);
		c_u64(w, r->wire_bytes);
		c_u64(w, r->retrans_bytes);
		for (k = 0; k < MERGE_ROLES; k++)
			c_u64(w, r->role_bytes[k]);
	} else {
		for (k = 0; k < 3 + MERGE_ROLES; k++)
			c_null(w);
	}
	c_u64(w, r->flows);
	if (r->mean_bps >= 0) {
		struct cell *c = &w->c[w->at++];

		c->t = CELL_NUM;
		snprintf(c->num, sizeof(c->num), "%.0f", r->mean_bps);
	} else {
		c_null(w);
	}
	c_secs(w, r->downtime);
	c_str(w, r->downtime_source);
	c_secs(w, r->unresponsive);
}

/* One row: record k and its mate (if any). */
static void build(struct row *w, const struct merge_set *s, size_t k, uint64_t rowno,
		  struct side_text *ts, struct side_text *td)
{
	const struct merge_rec *r = &s->recs[k], *src = NULL, *dst = NULL, *one;
	enum merge_rule rule = MERGE_RULE_START;
	size_t a, b;

	w->at = 0;
	if (r->mate != MERGE_NONE) {
		merge_sides(s, k, r->mate, &a, &b, &rule);
		src = &s->recs[a];
		dst = &s->recs[b];
	} else if (r->vantage == MERGE_V_DESTINATION) {
		dst = r;
	} else {
		src = r;
	}
	one = src ? src : dst;
	c_u64(w, rowno);
	c_bool(w, r->mate != MERGE_NONE);
	c_str(w, r->by == MERGE_BY_TUPLE ? "tuple" : r->by == MERGE_BY_UUID ? "uuid" : NULL);
	c_str(w, r->mate == MERGE_NONE ? NULL : rule == MERGE_RULE_VANTAGE ? "vantage" : "start");
	c_str(w, r->mate != MERGE_NONE ? "both" : r->vantage == MERGE_V_SOURCE ? "source" :
	      r->vantage == MERGE_V_DESTINATION ? "destination" : "unknown");
	c_str(w, one->source);
	c_str(w, one->destination);
	if (one->has_tuple) {
		c_u64(w, one->cport);
		c_u64(w, one->sport);
	} else {
		c_null(w);
		c_null(w);
	}
	c_str(w, one->uuid[0] || !dst ? one->uuid : dst->uuid);
	c_str(w, one->vm_mac[0] || !dst ? one->vm_mac : dst->vm_mac);
	c_str(w, one->vm_ip[0] || !dst ? one->vm_ip : dst->vm_ip);
	side_cells(w, s, src, ts);
	side_cells(w, s, dst, td);
	if (src && dst) {
		c_diff(w, dst->start, src->start);
		c_diff(w, dst->end, src->end);
		c_diff(w, dst->duration, src->duration);
		c_diff(w, dst->resumed, src->resumed);
		if (src->has_bytes && dst->has_bytes) {
			c_i128(w, (__int128)dst->unique_bytes - src->unique_bytes);
			c_i128(w, (__int128)dst->wire_bytes - src->wire_bytes);
		} else {
			c_null(w);
			c_null(w);
		}
		c_diff(w, dst->downtime, src->downtime);
	} else {
		unsigned i;

		for (i = 0; i < DIFF_COLS; i++)
			c_null(w);
	}
}

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void csv_field(FILE *fp, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

static void csv_row(FILE *fp, const struct row *w)
{
	size_t i;

	for (i = 0; i < NCOLS; i++) {
		const struct cell *c = &w->c[i];

		if (i)
			fputc(',', fp);
		if (c->t == CELL_STR)
			csv_field(fp, c->s);
		else if (c->t != CELL_NULL)
			fputs(c->num, fp);
	}
	fputc('\n', fp);
}

static json_object *cell_json(const struct cell *c)
{
	switch (c->t) {
	case CELL_STR:
		return json_object_new_string(c->s);
	case CELL_NUM:
		return strchr(c->num, '.') ? json_object_new_double_s(strtod(c->num, NULL), c->num) :
		       json_object_new_int64(strtoll(c->num, NULL, 10));
	case CELL_BOOL:
		return json_object_new_boolean(c->num[0] == 't');
	default:
		return NULL;
	}
}

static int json_row(FILE *fp, const struct row *w, int first)
{
	json_object *o = json_object_new_object();
	const char *txt;
	size_t i;
	int rc;

	if (!o)
		return -1;
	for (i = 0; i < NCOLS; i++)
		json_object_object_add(o, merge_columns[i], cell_json(&w->c[i]));
	txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = txt && fprintf(fp, "%s\n    %s", first ? "" : ",", txt) > 0 ? 0 : -1;
	json_object_put(o);
	return rc;
}

/* The node names input i's records were given, each once (seen: nnodes bytes of 0, left so). */
static json_object *nodes_of(const struct merge_set *s, size_t i, unsigned char *seen)
{
	json_object *arr = json_object_new_array();
	const struct merge_input *in = &s->inputs[i];
	size_t k, end = in->first_rec + in->records;

	/* An input's records were added one after the other: recs[first_rec..]. */
	for (k = in->first_rec; seen && k < end && k < s->n; k++) {
		const struct merge_rec *r = &s->recs[k];

		if (!seen[r->node]) {
			seen[r->node] = 1;
			json_object_array_add(arr, json_object_new_string(s->nodes[r->node]));
		}
	}
	for (k = in->first_rec; seen && k < end && k < s->n; k++)
		seen[s->recs[k].node] = 0;
	return arr;
}

/* Inputs and totals: everything before the rows. */
static int json_head(FILE *fp, const struct merge_set *s, size_t nrows)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array(), *t = json_object_new_object();
	uint64_t dups = 0, skipped = 0, paired = 0;
	const char *txt, *end;
	unsigned char *seen = calloc(s->nnodes ? s->nnodes : 1, 1);
	size_t i;
	int rc;

	for (i = 0; i < s->ninputs; i++) {
		const struct merge_input *in = &s->inputs[i];
		json_object *j = json_object_new_object();

		json_object_object_add(j, "file", json_object_new_string(in->path));
		json_object_object_add(j, "nodes", nodes_of(s, i, seen));
		json_object_object_add(j, "format", json_object_new_string(in->report ? "report" : "records"));
		json_object_object_add(j, "records", json_object_new_uint64(in->records));
		json_object_object_add(j, "duplicates", json_object_new_uint64(in->duplicates));
		json_object_object_add(j, "skipped_lines", json_object_new_uint64(in->skipped));
		json_object_object_add(j, "first_skipped_line",
				       in->skipped ? json_object_new_uint64(in->first_skipped_line) : NULL);
		json_object_object_add(j, "error", in->error[0] ? json_object_new_string(in->error) : NULL);
		json_object_array_add(arr, j);
		dups += in->duplicates;
		skipped += in->skipped;
	}
	free(seen);
	for (i = 0; i < s->n; i++)
		paired += !s->recs[i].dup && s->recs[i].mate != MERGE_NONE;
	json_object_object_add(o, "schema", json_object_new_string("migmeter-merge/1"));
	json_object_object_add(o, "inputs", arr);
	json_object_object_add(t, "records", json_object_new_uint64(s->n));
	json_object_object_add(t, "duplicates", json_object_new_uint64(dups));
	json_object_object_add(t, "skipped_lines", json_object_new_uint64(skipped));
	json_object_object_add(t, "rows", json_object_new_uint64(nrows));
	json_object_object_add(t, "paired_rows", json_object_new_uint64(paired / 2));
	json_object_object_add(t, "unpaired_rows", json_object_new_uint64(nrows - paired / 2));
	json_object_object_add(o, "totals", t);
	json_object_object_add(o, "migrations", json_object_new_array());
	/* Written up to the migrations array's "[": the rows follow one by one. */
	txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	end = txt ? strstr(txt, "\"migrations\":[") : NULL;
	rc = end && fprintf(fp, "%.*s\"migrations\": [", (int)(end - txt), txt) > 0 ? 0 : -1;
	json_object_put(o);
	return rc;
}

/* 9 decimals when any time has a part below the microsecond, else 6. */
static int digits_of(const struct merge_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct merge_rec *r = &s->recs[i];
		const mm_ns t[] = { r->start, r->end, r->duration, r->resumed, r->final_burst_end, r->downtime,
				    r->unresponsive };
		size_t k;

		for (k = 0; k < sizeof(t) / sizeof(t[0]); k++)
			if (t[k] != MM_NS_NONE && t[k] % 1000 != 0)
				return 9;
	}
	return 6;
}

int merge_write(const struct merge_set *s, const char *fmt, FILE *fp)
{
	int json = strcmp(fmt, "json") == 0;
	struct side_text ts, td;
	struct row w;
	size_t nrows = 0, i, *rows = merge_rows(s, &nrows);

	if (!rows)
		return -1;
	w.digits = digits_of(s);
	if (json) {
		if (json_head(fp, s, nrows) < 0) {
			free(rows);
			return -1;
		}
	} else {
		for (i = 0; i < NCOLS; i++)
			fprintf(fp, "%s%s", i ? "," : "", merge_columns[i]);
		fputc('\n', fp);
	}
	for (i = 0; i < nrows; i++) {
		build(&w, s, rows[i], i + 1, &ts, &td);
		if (json ? json_row(fp, &w, i == 0) < 0 : (csv_row(fp, &w), 0))
			break;
	}
	if (json)
		fprintf(fp, "%s]\n}\n", nrows ? "\n  " : "");
	free(rows);
	return fflush(fp) == EOF || ferror(fp) ? -1 : 0;
}
