/* view-novalist.c - the table of `nova migration-list` / `openstack server migration list`, columns found by name. */
#include "view-nova.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VNLIST_MAX_COLS 32

enum col { C_ID, C_SNODE, C_DNODE, C_SCOMP, C_DCOMP, C_DHOST, C_STATUS, C_INST, C_TYPE, C_CREATED, C_UPDATED,
	   C_COUNT };

static const struct {
	enum col col;
	const char *name;
} col_names[] = {
	{ C_ID, "Id" }, { C_SNODE, "Source Node" }, { C_DNODE, "Dest Node" },
	{ C_SCOMP, "Source Compute" }, { C_DCOMP, "Dest Compute" }, { C_DHOST, "Dest Host" },
	{ C_STATUS, "Status" }, { C_INST, "Instance UUID" }, { C_INST, "Server UUID" },
	{ C_TYPE, "Type" }, { C_TYPE, "Migration Type" }, { C_CREATED, "Created At" },
	{ C_UPDATED, "Updated At" },
};

struct cell {
	const uint8_t *p, *e;
};

void vnlist_free(struct vnlist *v)
{
	if (!v)
		return;
	free(v->rows);
	v->rows = NULL;
	v->n = v->cap = 0;
}

/* "| a | b |" -> trimmed cells; the count, or -1 when not a table row. */
static int cells(struct cur *c, struct cell *out, int max)
{
	const uint8_t *p = c->p, *end = c->end;
	int n = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || *p != '|')
		return -1;
	p++;
	while (p < end) {
		const uint8_t *bar = memchr(p, '|', (size_t)(end - p)), *a = p, *e;

		if (!bar)
			break;
		e = bar;
		while (a < e && (*a == ' ' || *a == '\t'))
			a++;
		while (e > a && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (n >= max)
			return max + 1;
		out[n].p = a;
		out[n].e = e;
		n++;
		p = bar + 1;
	}
	return n;
}

static int cell_is(const struct cell *c, const char *s)
{
	size_t n = strlen(s), i;

	if ((size_t)(c->e - c->p) != n)
		return 0;
	for (i = 0; i < n; i++) {
		int a = c->p[i], b = (unsigned char)s[i];

		if ((a | 0x20) != (b | 0x20))
			return 0;
	}
	return 1;
}

/* ISO time of the API (UTC), with an optional "Z" or "+HH:MM". */
static mm_ns cell_time(const struct cell *c)
{
	struct cur k;
	struct tm tm;
	mm_ns frac, t;
	uint64_t h, m = 0;
	int sign;

	cur_init(&k, c->p, (size_t)(c->e - c->p));
	if (!vt_datetime(&k, &tm, &frac))
		return MM_NS_NONE;
	t = view_utc_epoch(&tm, frac);
	if (t == MM_NS_NONE || !cur_left(&k) || vt_lit(&k, "Z"))
		return t;
	sign = k.p[0] == '-' ? -1 : k.p[0] == '+' ? 1 : 0;
	if (!sign)
		return MM_NS_NONE;
	k.p++;
	if (!vt_u64(&k, &h) || (vt_lit(&k, ":") && !vt_u64(&k, &m)) || h > 14 || m > 59)
		return MM_NS_NONE;
	return mm_sub(t, sign * (mm_ns)(h * 3600 + m * 60) * MM_NS_PER_S);
}

static void put_cell(char *dst, size_t n, const struct cell *c)
{
	vt_copy(dst, n, c->p, c->e);
}

int vnlist_parse(struct vnlist *v, struct view_file *f, char *err, size_t errlen)
{
	struct cell cl[VNLIST_MAX_COLS];
	int map[C_COUNT], ncols = 0, have_header = 0, headers = 0;
	struct cur line;
	size_t i;

	memset(v, 0, sizeof(*v));
	while (view_file_line(f, &line)) {
		int n = cells(&line, cl, VNLIST_MAX_COLS), k;
		struct vnlist_row *r, *nr;

		if (n < 0) {
			struct cur s = line;

			vt_ws(&s);
			if (!vt_lit(&s, "+") && !vt_blank(&line))
				v->unknown++;
			continue;
		}
		if (n > VNLIST_MAX_COLS) {
			snprintf(err, errlen, "%s:%lu: more than %d columns: not a migration list", f->path, f->lineno,
				 VNLIST_MAX_COLS);
			return -1;
		}
		/* A header line: it names Created At. */
		for (k = 0; k < n && !cell_is(&cl[k], "Created At"); k++)
			;
		if (k < n) {
			int c;

			for (c = 0; c < C_COUNT; c++)
				map[c] = -1;
			for (k = 0; k < n; k++)
				for (i = 0; i < sizeof(col_names) / sizeof(col_names[0]); i++)
					if (cell_is(&cl[k], col_names[i].name) && map[col_names[i].col] < 0)
						map[col_names[i].col] = k;
			ncols = n;
			have_header = 1;
			headers++;
			continue;
		}
		if (!have_header) {
			v->unknown++;
			continue;
		}
		if (n != ncols) {
			snprintf(err, errlen, "%s:%lu: %d cells where the header has %d: a damaged table", f->path,
				 f->lineno, n, ncols);
			return -1;
		}
		if (v->n >= VNLIST_MAX_ROWS) {
			v->rows_dropped++;
			continue;
		}
		if (v->n >= v->cap) {
			size_t nc = v->cap ? v->cap * 2 : 16;

			nr = realloc(v->rows, nc * sizeof(*nr));
			if (!nr) {
				snprintf(err, errlen, "%s: out of memory", f->path);
				return -1;
			}
			v->rows = nr;
			v->cap = nc;
		}
		r = &v->rows[v->n++];
		memset(r, 0, sizeof(*r));
		r->line = f->lineno;
		if (map[C_ID] >= 0)
			put_cell(r->id, sizeof(r->id), &cl[map[C_ID]]);
		if (map[C_INST] >= 0)
			put_cell(r->instance, sizeof(r->instance), &cl[map[C_INST]]);
		if (map[C_SCOMP] >= 0)
			put_cell(r->source_compute, sizeof(r->source_compute), &cl[map[C_SCOMP]]);
		if (map[C_DCOMP] >= 0)
			put_cell(r->dest_compute, sizeof(r->dest_compute), &cl[map[C_DCOMP]]);
		if (map[C_DHOST] >= 0)
			put_cell(r->dest_host, sizeof(r->dest_host), &cl[map[C_DHOST]]);
		if (map[C_SNODE] >= 0)
			put_cell(r->source_node, sizeof(r->source_node), &cl[map[C_SNODE]]);
		if (map[C_DNODE] >= 0)
			put_cell(r->dest_node, sizeof(r->dest_node), &cl[map[C_DNODE]]);
		if (map[C_STATUS] >= 0)
			put_cell(r->status, sizeof(r->status), &cl[map[C_STATUS]]);
		if (map[C_TYPE] >= 0)
			put_cell(r->type, sizeof(r->type), &cl[map[C_TYPE]]);
		r->created = map[C_CREATED] >= 0 ? cell_time(&cl[map[C_CREATED]]) : MM_NS_NONE;
		r->updated = map[C_UPDATED] >= 0 ? cell_time(&cl[map[C_UPDATED]]) : MM_NS_NONE;
	}
	v->lines = f->lines;
	v->overlong = f->overlong;
	if (!headers) {
		snprintf(err, errlen, "%s: no migration-list table in it (no header line naming Created At)", f->path);
		return -1;
	}
	return 0;
}
