/* merge-read.c - migmeter merge's inputs: a report's migrations or one --records line at a time, into compact records. */
#include "merge.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int merge_parse_ns(const char *s, mm_ns *out)
{
	const char *p = s;
	int neg = 0, digits = 0;
	int64_t sec = 0, frac = 0, scale = 100000000;

	if (!s || !*s)
		return -1;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	for (; isdigit((unsigned char)*p); p++, digits++) {
		if (sec > (INT64_MAX / MM_NS_PER_S - 1) / 10)
			return -1;
		sec = sec * 10 + (*p - '0');
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++, digits++) {
			frac += scale * (*p - '0');
			scale /= 10;	/* past 9 decimals the digits are dropped */
		}
	}
	if (*p == 'e' || *p == 'E') {
		/* An exponent (not what migmeter writes): through a double, range-checked. */
		char *end;
		double v;

		errno = 0;
		v = strtod(s, &end);
		if (errno || *end || !isfinite(v) || fabs(v) >= 9.2e9)
			return -1;
		*out = (mm_ns)llround(v * 1e9);
		return 0;
	}
	if (*p || !digits)
		return -1;
	sec = sec * MM_NS_PER_S + frac;
	*out = neg ? -sec : sec;
	return 0;
}

/* Member `path` ("a.b") of j, or NULL. */
static json_object *get(json_object *j, const char *k1, const char *k2)
{
	json_object *v = NULL;

	if (!json_object_is_type(j, json_type_object) || !json_object_object_get_ex(j, k1, &v))
		return NULL;
	if (k2 && (!json_object_is_type(v, json_type_object) || !json_object_object_get_ex(v, k2, &v)))
		return NULL;
	return v;
}

/* A time member as ns; MM_NS_NONE when null, missing or not a number. */
static mm_ns get_ns(json_object *j, const char *k1, const char *k2)
{
	json_object *v = get(j, k1, k2);
	mm_ns t;

	if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
		return MM_NS_NONE;
	if (merge_parse_ns(json_object_get_string(v), &t) < 0 || t == MM_NS_NONE)
		return MM_NS_NONE;
	return t;
}

/* A count member; -1 when missing, negative or not an integer. */
static int get_u64(json_object *j, const char *k1, const char *k2, uint64_t *out)
{
	json_object *v = get(j, k1, k2);

	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0) {
		*out = 0;
		return -1;
	}
	*out = json_object_get_uint64(v);
	return 0;
}

/* A string member copied into buf (truncated to fit); "" when missing or not a string. */
static void get_str(json_object *j, const char *k1, const char *k2, char *buf, size_t n)
{
	json_object *v = get(j, k1, k2);

	snprintf(buf, n, "%s", json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "");
}

/* Whether addr is in the array of address strings addrs. */
static int in_addrs(json_object *addrs, const char *addr)
{
	size_t i;

	if (!*addr || !json_object_is_type(addrs, json_type_array))
		return 0;
	for (i = 0; i < json_object_array_length(addrs); i++) {
		json_object *a = json_object_array_get_idx(addrs, i);

		if (json_object_is_type(a, json_type_string) && strcmp(json_object_get_string(a), addr) == 0)
			return 1;
	}
	return 0;
}

/* The main flow's ports (else the first flow's): 0 when there is no flow with both. */
static void tuple_of(struct merge_rec *r, json_object *flows)
{
	size_t i, n = json_object_array_length(flows), pick = n;
	uint64_t c, s;

	for (i = 0; i < n && pick == n; i++) {
		json_object *role = get(json_object_array_get_idx(flows, i), "role", NULL);

		if (json_object_is_type(role, json_type_string) && strcmp(json_object_get_string(role), "main") == 0)
			pick = i;
	}
	if (pick == n && n > 0)
		pick = 0;
	if (pick == n)
		return;
	if (get_u64(json_object_array_get_idx(flows, pick), "client_port", NULL, &c) == 0 &&
	    get_u64(json_object_array_get_idx(flows, pick), "server_port", NULL, &s) == 0 &&
	    c > 0 && c <= 65535 && s > 0 && s <= 65535) {
		r->has_tuple = 1;
		r->cport = (uint16_t)c;
		r->sport = (uint16_t)s;
	}
}

int merge_rec_from_json(struct merge_rec *r, json_object *j, json_object *addrs, char *why, size_t whylen)
{
	static const char *const roles[MERGE_ROLES] = { "main", "multifd", "nbd", "other" };
	json_object *flows = get(j, "flows", NULL), *v;
	char vant[MERGE_WORD_LEN];
	unsigned k;

	memset(r, 0, sizeof(*r));
	r->mate = MERGE_NONE;
	if (!json_object_is_type(j, json_type_object)) {
		snprintf(why, whylen, "not a JSON object");
		return -1;
	}
	if (!json_object_is_type(flows, json_type_array)) {
		snprintf(why, whylen, "not a migration record (no flows array)");
		return -1;
	}
	r->start = get_ns(j, "start", NULL);
	if (r->start == MM_NS_NONE) {
		snprintf(why, whylen, "not a migration record (no start time)");
		return -1;
	}
	get_u64(j, "id", NULL, &r->id);
	get_str(j, "status", NULL, r->status, sizeof(r->status));
	get_str(j, "status_reason", NULL, r->status_reason, sizeof(r->status_reason));
	get_str(j, "source", NULL, r->source, sizeof(r->source));
	get_str(j, "destination", NULL, r->destination, sizeof(r->destination));
	get_str(j, "vm", "mac", r->vm_mac, sizeof(r->vm_mac));
	get_str(j, "vm", "ip", r->vm_ip, sizeof(r->vm_ip));
	get_str(j, "uuid", NULL, r->uuid, sizeof(r->uuid));
	get_str(j, "downtime_source", NULL, r->downtime_source, sizeof(r->downtime_source));
	v = get(j, "inferred", NULL);
	r->inferred = json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
	r->end = get_ns(j, "end", NULL);
	r->duration = get_ns(j, "duration_s", NULL);
	r->resumed = get_ns(j, "switchover", "resumed");
	r->final_burst_end = get_ns(j, "switchover", "final_burst_end");
	r->downtime = get_ns(j, "downtime_total_s", NULL);
	r->unresponsive = get_ns(j, "unresponsive", "total_s");
	r->has_bytes = get_u64(j, "unique_payload_bytes", NULL, &r->unique_bytes) == 0;
	get_u64(j, "wire_bytes", NULL, &r->wire_bytes);
	get_u64(j, "retrans_bytes", NULL, &r->retrans_bytes);
	for (k = 0; k < MERGE_ROLES; k++)
		get_u64(j, "bytes_by_role", roles[k], &r->role_bytes[k]);
	v = get(j, "mean_bps", NULL);
	r->mean_bps = json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int) ?
		      json_object_get_double(v) : -1.0;
	if (!isfinite(r->mean_bps) || r->mean_bps < 0 || r->mean_bps >= 1e20)
		r->mean_bps = -1.0;
	r->flows = json_object_array_length(flows) > UINT32_MAX ? UINT32_MAX :
		   (uint32_t)json_object_array_length(flows);
	tuple_of(r, flows);
	get_str(j, "vantage", NULL, vant, sizeof(vant));
	if (strcmp(vant, "source") == 0 || in_addrs(addrs, r->source))
		r->vantage = MERGE_V_SOURCE;
	else if (strcmp(vant, "destination") == 0 || in_addrs(addrs, r->destination))
		r->vantage = MERGE_V_DESTINATION;
	return 0;
}

/* ---- reading a file --------------------------------------------------------- */

struct reader {
	struct merge_set *s;
	size_t i;
	struct merge_input *in;
	merge_skip_fn skip;
	void *ctx;
	long last_node;			/* the last name's index (a file's records are usually one node's) */
	char last_name[256];
};

static void skipped(struct reader *rd, uint64_t line, const char *why)
{
	if (!rd->in->skipped++)
		rd->in->first_skipped_line = line;
	if (rd->skip)
		rd->skip(rd->ctx, rd->in->path, line, why);
}

/* The node index of a record: --node, else the name it carries, else the file's name. */
static long node_of(struct reader *rd, json_object *carried)
{
	const char *name = rd->in->node_opt;

	if (!name && json_object_is_type(carried, json_type_string) && json_object_get_string_len(carried) > 0)
		name = json_object_get_string(carried);
	if (!name)
		name = rd->in->path;
	if (rd->last_node >= 0 && strcmp(name, rd->last_name) == 0)
		return rd->last_node;
	rd->last_node = merge_node(rd->s, name);
	snprintf(rd->last_name, sizeof(rd->last_name), "%s", name);
	if (strlen(name) >= sizeof(rd->last_name))
		rd->last_node = -1;	/* too long to cache: looked up each time */
	return rd->last_node >= 0 ? rd->last_node : merge_node(rd->s, name);
}

/* One record object: added, or skipped and counted. Returns 0 or -2 (out of memory / cap). */
static int take(struct reader *rd, json_object *j, json_object *carried, json_object *addrs, uint64_t line)
{
	struct merge_rec r;
	char why[160];
	long node;

	if (merge_rec_from_json(&r, j, addrs, why, sizeof(why)) < 0) {
		skipped(rd, line, why);
		return 0;
	}
	node = node_of(rd, carried ? carried : get(j, "node", NULL));
	if (node < 0)
		return -2;
	r.input = (uint32_t)rd->i;
	r.node = (uint32_t)node;
	r.line = line;
	if (merge_add(rd->s, &r) < 0)
		return -2;
	rd->in->records++;
	return 0;
}

/* A whole report document: its migrations. Returns 0, -1 (refused: error set) or -2. */
static int take_report(struct reader *rd, json_object *doc, uint64_t line)
{
	json_object *schema = get(doc, "schema", NULL), *migs = get(doc, "migrations", NULL);
	size_t k;
	int rc;

	if (!json_object_is_type(schema, json_type_string) ||
	    strcmp(json_object_get_string(schema), "migmeter-report/2") != 0) {
		snprintf(rd->in->error, sizeof(rd->in->error), "%s:%llu: schema %.60s%s%s, not migmeter-report/2",
			 rd->in->path, (unsigned long long)line, schema ? "'" : "",
			 schema ? json_object_get_string(schema) : "missing", schema ? "'" : "");
		return -1;
	}
	if (!json_object_is_type(migs, json_type_array)) {
		snprintf(rd->in->error, sizeof(rd->in->error), "%s:%llu: report without a migrations array",
			 rd->in->path, (unsigned long long)line);
		return -1;
	}
	rd->in->report = 1;
	for (k = 0; k < json_object_array_length(migs); k++) {
		rc = take(rd, json_object_array_get_idx(migs, k), get(doc, "node", NULL),
			  get(doc, "node_addresses", NULL), line);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * The next line into *buf (without its newline); a line longer than max
 * is read to its end and dropped (*over set).  Returns 1, 0 at the end,
 * -1 on a read error.
 */
static int next_line(FILE *fp, char **buf, size_t *cap, size_t *len, size_t max, int *over)
{
	int c;

	*len = 0;
	*over = 0;
	while ((c = getc_unlocked(fp)) != EOF && c != '\n') {
		if (*over)
			continue;
		if (*len + 2 > *cap) {
			size_t n = *cap ? *cap * 2 : 4096;
			char *p;

			if (n > max + 2)
				n = max + 2;
			if (*len + 2 > n) {
				*over = 1;
				continue;
			}
			p = realloc(*buf, n);
			if (!p)
				return -2;
			*buf = p;
			*cap = n;
		}
		(*buf)[(*len)++] = (char)c;
	}
	if (ferror(fp))
		return -1;
	if (c == EOF && *len == 0 && !*over)
		return 0;
	if (*buf)
		(*buf)[*len] = '\0';
	return 1;
}

static int blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isspace((unsigned char)p[i]))
			return 0;
	return 1;
}

int merge_read(struct merge_set *s, size_t i, FILE *fp, merge_skip_fn skip, void *ctx)
{
	struct reader rd = { s, i, &s->inputs[i], skip, ctx, -1, "" };
	struct json_tokener *tok = json_tokener_new_ex(64);
	json_object *j = NULL;
	char *buf = NULL;
	size_t cap = 0, len = 0, doc_bytes = 0;
	uint64_t line = 0, doc_line = 0;
	int mode = 0;	/* 0 not known yet, 1 JSON Lines, 2 in a report document, 3 report done */
	int over, rc = 0, got;

	if (!tok)
		return -2;
	rd.in->first_rec = s->n;
	rd.in->records = 0;
	while ((got = next_line(fp, &buf, &cap, &len, mode == 2 ? s->doc_max : s->line_max, &over)) == 1) {
		enum json_tokener_error e;
		size_t end;

		line++;
		if (mode != 2 && !over && blank(buf, len))
			continue;
		if (mode == 3) {
			snprintf(rd.in->error, sizeof(rd.in->error), "%s:%llu: more after the report's end",
				 rd.in->path, (unsigned long long)line);
			rc = -1;
			break;
		}
		if (mode == 2)
			doc_bytes += len + 1;
		if (mode == 2 && (over || doc_bytes > s->doc_max)) {
			snprintf(rd.in->error, sizeof(rd.in->error), "%s:%llu: report larger than %zu MiB",
				 rd.in->path, (unsigned long long)line, s->doc_max >> 20);
			rc = -1;
			break;
		}
		if (over) {
			skipped(&rd, line, "line longer than the limit (1 MiB)");
			mode = 1;
			continue;
		}
		/* With its newline: a number at the end of a line ends there. */
		buf[len++] = '\n';
		if (mode != 2)
			json_tokener_reset(tok);
		j = json_tokener_parse_ex(tok, buf, (int)len);
		e = json_tokener_get_error(tok);
		if (e == json_tokener_continue) {
			if (mode == 0) {
				mode = 2;	/* the first line does not end a value: one document, a report */
				doc_line = line;
				doc_bytes = len;
			} else if (mode == 1) {
				skipped(&rd, line, "truncated JSON");
			}
			continue;
		}
		end = e == json_tokener_success ? json_tokener_get_parse_end(tok) : 0;
		if (e != json_tokener_success || (end < len && !blank(buf + end, len - end))) {
			json_object_put(j);
			j = NULL;
			if (mode == 2) {
				snprintf(rd.in->error, sizeof(rd.in->error), "%s:%llu: %s", rd.in->path,
					 (unsigned long long)line, e != json_tokener_success ?
					 json_tokener_error_desc(e) : "more after the report's end");
				rc = -1;
				break;
			}
			skipped(&rd, line, e != json_tokener_success ? json_tokener_error_desc(e) :
				"more after the JSON value");
			mode = 1;
			continue;
		}
		if (mode == 2 || (mode == 0 && get(j, "schema", NULL))) {
			rc = take_report(&rd, j, mode == 2 ? doc_line : line);
			mode = 3;
		} else {
			mode = 1;
			rc = take(&rd, j, NULL, NULL, line);
		}
		json_object_put(j);
		j = NULL;
		if (rc < 0)
			break;
	}
	if (got == -2)
		rc = -2;
	else if (got < 0 && rc == 0) {
		snprintf(rd.in->error, sizeof(rd.in->error), "%s: %s", rd.in->path, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && mode == 2) {
		snprintf(rd.in->error, sizeof(rd.in->error), "%s:%llu: truncated report (the JSON document "
			 "starting on line %llu does not end)", rd.in->path, (unsigned long long)line,
			 (unsigned long long)doc_line);
		rc = -1;
	}
	json_tokener_free(tok);
	free(buf);
	return rc;
}
