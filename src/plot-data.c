/* plot-data.c - what migmeter plot draws, read from a JSON report; the report's optional "timeseries" section. */
#include "plot.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* The "timeseries" columns after the bin index, in the order plot_add_series writes them. */
static const char *const ts_cols[] = {
	"fwd_bytes", "rev_bytes", "unique_payload_bytes", "packets", "ping_requests", "ping_replies",
	"ping_lost", "main_bytes", "multifd_bytes", "nbd_bytes", "other_bytes", "rtt_n", "rtt_sum_ns",
	"rtt_max_ns",
};
#define NTS (sizeof(ts_cols) / sizeof(ts_cols[0]))

/* The counters of b in ts_cols order (pointers, so reading and writing share the one list). */
static void bin_fields(struct series_bin *b, uint64_t *f[NTS])
{
	uint64_t *v[NTS] = { &b->fwd_bytes, &b->rev_bytes, &b->unique_bytes, &b->packets, &b->ping_requests,
			     &b->ping_replies, &b->ping_lost, &b->role_bytes[SERIES_ROLE_MAIN],
			     &b->role_bytes[SERIES_ROLE_MULTIFD], &b->role_bytes[SERIES_ROLE_NBD],
			     &b->role_bytes[SERIES_ROLE_OTHER], &b->rtt_n, &b->rtt_sum, &b->rtt_max };

	memcpy(f, v, sizeof(v));
}

static int put_or_fail(json_object *o, const char *k, json_object *v)
{
	if (!v)
		return -1;
	return json_object_object_add(o, k, v) == 0 ? 0 : -1;
}

int plot_add_series(json_object *report, const struct series *s, int digits)
{
	json_object *ts = json_object_new_object(), *cols = json_object_new_array(), *data = json_object_new_array();
	struct series_iter it = { 0, 0 };
	const struct series_bin *b;
	uint64_t i;
	size_t k;

	if (!ts || !cols || !data)
		goto fail;
	json_object_array_add(cols, json_object_new_string("bin"));
	for (k = 0; k < NTS; k++)
		json_object_array_add(cols, json_object_new_string(ts_cols[k]));
	while (series_next(s, &it, &i, &b)) {
		struct series_bin copy = *b;
		uint64_t *f[NTS];
		json_object *row = json_object_new_array_ext((int)NTS + 1);

		if (!row)
			goto fail;
		bin_fields(&copy, f);
		json_object_array_add(row, json_object_new_uint64(i));
		for (k = 0; k < NTS; k++)
			json_object_array_add(row, json_object_new_uint64(*f[k]));
		if (json_object_array_add(data, row) != 0) {
			json_object_put(row);
			goto fail;
		}
	}
	if (put_or_fail(ts, "bin_s", report_jtime(series_bin_width(s), digits)) < 0)
		goto fail;
	if (series_t0(s) != MM_NS_NONE && put_or_fail(ts, "t0", report_jtime(series_t0(s), digits)) < 0)
		goto fail;
	if (put_or_fail(ts, "len", json_object_new_uint64(series_len(s))) < 0)
		goto fail;
	json_object_object_add(ts, "columns", cols);
	json_object_object_add(ts, "data", data);
	return json_object_object_add(report, "timeseries", ts) == 0 ? 0 : -1;
fail:
	json_object_put(ts);
	json_object_put(cols);
	json_object_put(data);
	return -1;
}

/* "1700000001.000100" -> ns, exactly; -1 when the text is not such a decimal (or out of range). */
static int parse_decimal(const char *s, mm_ns *out)
{
	__int128 v = 0;
	int neg = 0, digits = 0, frac = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	for (; isdigit((unsigned char)*s); s++, digits++) {
		v = v * 10 + (*s - '0');
		if (v > (__int128)INT64_MAX)
			return -1;
	}
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++, frac++)
			if (frac < 9)
				v = v * 10 + (*s - '0');
	if (*s || digits == 0)
		return -1;
	for (; frac < 9; frac++)
		v *= 10;
	if (v > (__int128)INT64_MAX)
		return -1;
	*out = neg ? -(mm_ns)v : (mm_ns)v;
	return 0;
}

int plot_time(json_object *v, mm_ns *out)
{
	double d;

	if (!v || !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		return -1;
	if (parse_decimal(json_object_get_string(v), out) == 0)
		return 0;
	d = json_object_get_double(v) * 1e9;
	if (!isfinite(d) || d > 9.2e18 || d < -9.2e18)
		return -1;
	*out = (mm_ns)llround(d);
	return 0;
}

static void set_err(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
}

/* A non-negative integer member of a row; -1 otherwise. */
static int get_count(json_object *v, uint64_t *out)
{
	if (!v || !json_object_is_type(v, json_type_int))
		return -1;
	errno = 0;
	if (json_object_get_int64(v) < 0)
		return -1;
	*out = json_object_get_uint64(v);
	return errno ? -1 : 0;
}

/* The "timeseries" section back into a series. Returns 0 (d->series NULL when absent) or -1 with err. */
static int load_series(json_object *report, struct plot_data *d, char *err, size_t n)
{
	json_object *ts = report_get(report, "timeseries"), *cols, *data;
	int where[NTS];
	mm_ns bin, t0;
	uint64_t len;
	size_t i, k, ncols;

	if (!ts)
		return 0;
	cols = report_get(ts, "columns");
	data = report_get(ts, "data");
	if (plot_time(report_get(ts, "bin_s"), &bin) < 0 || bin <= 0 || get_count(report_get(ts, "len"), &len) < 0 ||
	    !cols || !json_object_is_type(cols, json_type_array) || !data ||
	    !json_object_is_type(data, json_type_array)) {
		set_err(err, n, "its \"timeseries\" is damaged (bin_s, len, columns and data are needed)");
		return -1;
	}
	if (plot_time(report_get(ts, "t0"), &t0) < 0) {
		if (report_len(data) > 0 || len > 0) {
			set_err(err, n, "its \"timeseries\" has bins but no t0");
			return -1;
		}
		return 0;
	}
	ncols = report_len(cols);
	for (k = 0; k < NTS; k++) {
		where[k] = -1;
		for (i = 1; i < ncols; i++) {
			const char *c = json_object_get_string(report_at(cols, i));

			if (c && strcmp(c, ts_cols[k]) == 0)
				where[k] = (int)i;
		}
	}
	if ((__int128)t0 + (__int128)len * bin > INT64_MAX || !(d->series = series_new(bin, 0))) {
		set_err(err, n, len > 0 ? "its \"timeseries\" is out of range or too large" : "out of memory");
		return -1;
	}
	series_set_t0(d->series, t0);
	for (i = 0; i < report_len(data); i++) {
		json_object *row = report_at(data, i);
		struct series_bin b;
		uint64_t *f[NTS], index;

		memset(&b, 0, sizeof(b));
		bin_fields(&b, f);
		if (!row || !json_object_is_type(row, json_type_array) || report_len(row) != ncols ||
		    get_count(report_at(row, 0), &index) < 0 || index >= len)
			goto bad;
		for (k = 0; k < NTS; k++)
			if (where[k] >= 0 && get_count(report_at(row, (size_t)where[k]), f[k]) < 0)
				goto bad;
		if (series_add_bin(d->series, index, &b) < 0) {
			set_err(err, n, "its \"timeseries\" holds more bins than a series keeps (%zu)",
				(size_t)SERIES_DEFAULT_MAX);
			return -1;
		}
	}
	if (len > 0)
		series_extend(d->series, (mm_ns)((__int128)t0 + (__int128)(len - 1) * bin));
	return 0;
bad:
	set_err(err, n, "its \"timeseries\" row %zu is damaged (bin index, then a count per column)", i + 1);
	return -1;
}

/* A number member, or -1 when absent or null. */
static double num_or(json_object *o, const char *path)
{
	json_object *v = report_get(o, path);

	if (!v || !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		return -1.0;
	return json_object_get_double(v);
}

static mm_ns time_or_none(json_object *o, const char *path)
{
	mm_ns t;

	return plot_time(report_get(o, path), &t) == 0 ? t : MM_NS_NONE;
}

static mm_ns later(mm_ns a, mm_ns b)
{
	return a == MM_NS_NONE ? b : b == MM_NS_NONE ? a : a > b ? a : b;
}

/* Appends one band; -1 when out of memory. */
static int add_band(struct plot_data *d, mm_ns start, mm_ns end, int kind, unsigned mig)
{
	struct plot_band *nb;

	if (start == MM_NS_NONE || end == MM_NS_NONE || end < start)
		return 0;
	nb = realloc(d->bands, (d->nbands + 1) * sizeof(*nb));
	if (!nb)
		return -1;
	d->bands = nb;
	nb[d->nbands].start = start;
	nb[d->nbands].end = end;
	nb[d->nbands].kind = kind;
	nb[d->nbands++].mig = mig;
	return 0;
}

/* The loss-based episodes of an array (first_lost_ts .. end_ts). */
static int add_episodes(struct plot_data *d, json_object *eps, unsigned mig)
{
	size_t i;

	for (i = 0; eps && json_object_is_type(eps, json_type_array) && i < report_len(eps); i++) {
		json_object *e = report_at(eps, i);

		if (add_band(d, time_or_none(e, "first_lost_ts"), time_or_none(e, "end_ts"), 0, mig) < 0)
			return -1;
	}
	return 0;
}

/* migrations[].app.phases[] (issue 11's app record), when the report has them. */
static int add_phases(struct plot_data *d, json_object *phases, unsigned mig)
{
	size_t i;

	for (i = 0; phases && json_object_is_type(phases, json_type_array) && i < report_len(phases);
	     i++) {
		json_object *p = report_at(phases, i);
		struct plot_phase *np, *ph;
		mm_ns s = time_or_none(p, "start"), e = time_or_none(p, "end");

		if (s == MM_NS_NONE || e == MM_NS_NONE || e < s)
			continue;
		np = realloc(d->phases, (d->nphases + 1) * sizeof(*np));
		if (!np)
			return -1;
		d->phases = np;
		ph = &np[d->nphases++];
		ph->mig = mig;
		ph->start = s;
		ph->end = e;
		ph->goodput_bps = num_or(p, "goodput_bps");
		ph->response_median_s = num_or(p, "response_median_s");
		snprintf(ph->name, sizeof(ph->name), "%s", report_str(p, "phase", ""));
	}
	return 0;
}

static int load_migration(struct plot_data *d, json_object *j)
{
	struct plot_mig *m = &d->migs[d->nmigs];
	json_object *un = report_get(j, "unresponsive.episodes");
	double bytes = num_or(j, "unique_payload_bytes");
	size_t i;

	memset(m, 0, sizeof(*m));
	m->id = (unsigned)report_u64(j, "id");
	m->start = time_or_none(j, "start");
	m->resumed = time_or_none(j, "switchover.resumed");
	m->end = later(later(time_or_none(j, "end"), time_or_none(j, "switchover.final_burst_end")), m->resumed);
	m->duration_s = num_or(j, "duration_s");
	m->downtime_s = num_or(j, "downtime_total_s");
	m->unresponsive_s = num_or(j, "unresponsive.total_s");
	m->mbytes = bytes >= 0 ? bytes / 1e6 : -1.0;
	d->has_unresponsive |= m->unresponsive_s >= 0;
	if (m->start == MM_NS_NONE)
		return 0;	/* nothing to place on the timeline */
	d->nmigs++;
	if (add_episodes(d, report_get(j, "episodes"), m->id) < 0)
		return -1;
	for (i = 0; un && json_object_is_type(un, json_type_array) && i < report_len(un); i++) {
		json_object *e = report_at(un, i);

		if (add_band(d, time_or_none(e, "start"), time_or_none(e, "end"), 1, m->id) < 0)
			return -1;
	}
	return add_phases(d, report_get(j, "app.phases"), m->id);
}

/* The capture files' base names, once each (a rotated capture's parts are listed by their first). */
static void input_names(json_object *report, struct plot_data *d)
{
	json_object *in = report_get(report, "inputs");
	size_t i, at = 0, n = in && json_object_is_type(in, json_type_array) ? report_len(in) : 0;

	d->inputs[0] = '\0';
	for (i = 0; i < n && at < sizeof(d->inputs); i++) {
		const char *f = report_str(report_at(in, i), "file", "?");
		const char *slash = strrchr(f, '/');

		if (report_u64(report_at(in, i), "part") > 1)
			continue;
		at += (size_t)snprintf(d->inputs + at, sizeof(d->inputs) - at, "%s%s", at ? ", " : "",
				       slash ? slash + 1 : f);
	}
	if (at >= sizeof(d->inputs))
		memcpy(d->inputs + sizeof(d->inputs) - 4, "...", 4);
}

int plot_data_load(json_object *report, struct plot_data *d, char *err, size_t errlen)
{
	json_object *migs = report_get(report, "migrations");
	const char *schema = report_str(report, "schema", "");
	const char *prec = report_str(report, "timestamp_precision", "us");
	size_t i, n;

	memset(d, 0, sizeof(*d));
	if (!json_object_is_type(report, json_type_object) || strncmp(schema, "migmeter-report/", 16) != 0) {
		set_err(err, errlen, "not a migmeter JSON report (no \"schema\": \"migmeter-report/...\")");
		return -1;
	}
	d->digits = strcmp(prec, "ns") == 0 ? 9 : strcmp(prec, "ms") == 0 ? 3 : 6;
	if (load_series(report, d, err, errlen) < 0)
		goto fail;
	n = migs && json_object_is_type(migs, json_type_array) ? report_len(migs) : 0;
	d->migs = n ? calloc(n, sizeof(*d->migs)) : NULL;
	if (n && !d->migs)
		goto oom;
	for (i = 0; i < n; i++)
		if (load_migration(d, report_at(migs, i)) < 0)
			goto oom;
	if (add_episodes(d, report_get(report, "episodes_outside_migrations"), 0) < 0)
		goto oom;
	input_names(report, d);
	d->t0 = time_or_none(report, "capture.first_ts");
	if (d->t0 == MM_NS_NONE)
		d->t0 = d->nmigs ? d->migs[0].start : 0;
	d->t_end = later(time_or_none(report, "capture.last_ts"), d->t0);
	return 0;
oom:
	set_err(err, errlen, "out of memory");
fail:
	plot_data_free(d);
	return -1;
}

void plot_data_free(struct plot_data *d)
{
	series_free(d->series);
	free(d->migs);
	free(d->bands);
	free(d->phases);
	memset(d, 0, sizeof(*d));
}

int plot_write_series(FILE *fp, const struct plot_data *d)
{
	struct out_span *sp = d->nmigs ? calloc(d->nmigs, sizeof(*sp)) : NULL;
	size_t i;
	int rc;

	if (!d->series || (d->nmigs && !sp)) {
		free(sp);
		return -1;
	}
	for (i = 0; i < d->nmigs; i++) {
		sp[i].id = d->migs[i].id;
		sp[i].start = d->migs[i].start;
		sp[i].end = d->migs[i].end;
	}
	rc = out_csv_series_spans(fp, d->series, sp, d->nmigs, NULL, d->digits);
	free(sp);
	return rc;
}

/* Column `name`'s index in a CSV header line, or -1. */
static int col_index(const char *header, const char *name)
{
	size_t n = strlen(name);
	const char *p = header;
	int i = 0;

	for (;;) {
		size_t len = strcspn(p, ",\r\n");

		if (len == n && strncmp(p, name, n) == 0)
			return i;
		if (p[len] != ',')
			return -1;
		p += len + 1;
		i++;
	}
}

/* Field i of a CSV line (no quoting: the time series has none), copied into buf. */
static const char *field(const char *line, int i, char *buf, size_t n)
{
	const char *p = line;
	size_t len;

	for (; i > 0; i--) {
		p = strchr(p, ',');
		if (!p)
			return NULL;
		p++;
	}
	len = strcspn(p, ",\r\n");
	if (len >= n)
		return NULL;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return buf;
}

/* The larger of m and field i of the line as a number (an empty or odd field: m). */
static double biggest(double m, const char *line, int i)
{
	char buf[64], *end;
	double v;

	if (!field(line, i, buf, sizeof(buf)) || !buf[0])
		return m;
	v = strtod(buf, &end);
	return *end || !isfinite(v) || v <= m ? m : v;
}

int plot_scan_series(FILE *fp, struct plot_data *d, char *err, size_t errlen)
{
	static const char *const roles[4] = { "main_bytes", "multifd_bytes", "nbd_bytes", "other_bytes" };
	char *line = NULL, buf[64];
	size_t cap = 0;
	int t_abs, bin_s, rtt, rmax, bps, lost, role[4], k, rc = -1;
	mm_ns first = MM_NS_NONE, last = MM_NS_NONE, bin = 0;

	if (getline(&line, &cap, fp) < 0) {
		set_err(err, errlen, "the time series is empty");
		goto out;
	}
	t_abs = col_index(line, "t_abs");
	bin_s = col_index(line, "bin_s");
	rtt = col_index(line, "rtt_mean_s");
	rmax = col_index(line, "rtt_max_s");
	bps = col_index(line, "bps");
	lost = col_index(line, "ping_lost");
	for (k = 0; k < 4; k++)
		role[k] = col_index(line, roles[k]);
	if (t_abs < 0 || bin_s < 0 || rtt < 0 || rmax < 0 || bps < 0 || lost < 0 || role[0] < 0 || role[1] < 0 || role[2] < 0 || role[3] < 0) {
		set_err(err, errlen, "not a migmeter time series (its header lacks t_abs, bin_s, rtt_mean_s or a "
			"role's bytes)");
		goto out;
	}
	while (getline(&line, &cap, fp) > 0) {
		mm_ns t;

		if (!field(line, t_abs, buf, sizeof(buf)) || parse_decimal(buf, &t) < 0 ||
		    !field(line, bin_s, buf, sizeof(buf)) || parse_decimal(buf, &bin) < 0) {
			set_err(err, errlen, "a damaged time-series row (t_abs, bin_s)");
			goto out;
		}
		if (first == MM_NS_NONE)
			first = t;
		last = t;
		d->has_rtt |= field(line, rtt, buf, sizeof(buf)) && buf[0];
		d->max_bps = biggest(d->max_bps, line, bps);
		d->max_rtt_s = biggest(d->max_rtt_s, line, rmax);
		d->max_lost = biggest(d->max_lost, line, lost);
		for (k = 0; k < 4; k++)
			d->has_role[k] |= field(line, role[k], buf, sizeof(buf)) && strcmp(buf, "0") != 0 && buf[0];
	}
	if (ferror(fp)) {
		set_err(err, errlen, "cannot read the time series: %s", strerror(errno));
		goto out;
	}
	if (first != MM_NS_NONE) {
		d->has_series = 1;
		d->t0 = first;
		d->t_end = later(d->t_end, mm_add(last, bin));
	}
	rc = 0;
out:
	free(line);
	return rc;
}
