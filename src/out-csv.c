/* out-csv.c - flows, totals, echo streams, downtime episodes and time bins as RFC 4180 CSV. */
#include "out.h"

#include <string.h>

#include "app.h"
#include "report.h"

void out_csv_field(FILE *fp, const char *s)
{
	const char *p;

	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (p = s; *p; p++) {
		if (*p == '"')
			fputc('"', fp);
		fputc(*p, fp);
	}
	fputc('"', fp);
}

/*
 * A CSV column: its header name and where its value is in the report
 * tree (relative to the row's object).  The column lists are fixed, so a
 * table's header never depends on the data: an empty table has the same
 * header as a full one.  (tests/unit/test_report.c checks that every
 * scalar member of the report's flow, stream and episode objects has a
 * column.)
 */

#define DIR_COLS(d)                                                                     \
	OUT_CSV_COL(d "_packets", d ".packets"), OUT_CSV_COL(d "_wire_bytes", d ".wire_bytes"),  \
	OUT_CSV_COL(d "_ip_bytes", d ".ip_bytes"),                                              \
	OUT_CSV_COL(d "_payload_bytes", d ".payload_bytes"),                                    \
	OUT_CSV_COL(d "_unique_payload_bytes", d ".unique_payload_bytes"),                      \
	OUT_CSV_COL(d "_retrans_bytes", d ".retrans_bytes"),                                    \
	OUT_CSV_COL(d "_first_ts", d ".first_ts"), OUT_CSV_COL(d "_last_ts", d ".last_ts"),     \
	OUT_CSV_COL(d "_syn", d ".syn"), OUT_CSV_COL(d "_fin", d ".fin"), OUT_CSV_COL(d "_rst", d ".rst")

static const struct csv_col flow_cols[] = {
	OUT_CSV_COL("id", "id"), OUT_CSV_COL("class", "class"), OUT_CSV_COL("kind", "kind"),
	OUT_CSV_COL("client", "client"), OUT_CSV_COL("client_port", "client_port"),
	OUT_CSV_COL("server", "server"), OUT_CSV_COL("server_port", "server_port"),
	OUT_CSV_COL("direction_inferred", "direction_inferred"), OUT_CSV_COL("counted", "counted"),
	OUT_CSV_COL("capture", "capture"), OUT_CSV_COL("ifindex", "ifindex"),
	OUT_CSV_COL("interface", "interface"), OUT_CSV_COL("unique_approx", "unique_approx"),
	OUT_CSV_COL("kind_unreadable", "kind_unreadable"), OUT_CSV_COL("uuid", "uuid"),
	OUT_CSV_COL("channel", "channel"), OUT_CSV_COL("migration", "migration"),
	OUT_CSV_COL("first_ts", "first_ts"), OUT_CSV_COL("last_ts", "last_ts"),
	OUT_CSV_COL("duration_s", "duration_s"), DIR_COLS("forward"), DIR_COLS("reverse"),
};

static const struct csv_col stream_cols[] = {
	OUT_CSV_COL("stream", "stream"), OUT_CSV_COL("pinger", "pinger"),
	OUT_CSV_COL("target", "target"), OUT_CSV_COL("id", "id"),
	OUT_CSV_COL("requests", "requests"), OUT_CSV_COL("replies", "replies"),
	OUT_CSV_COL("lost", "lost"), OUT_CSV_COL("pending", "pending"),
	OUT_CSV_COL("duplicates", "duplicates"), OUT_CSV_COL("late", "late"),
	OUT_CSV_COL("replies_only", "replies_only"),
	OUT_CSV_COL("never_answered", "never_answered"), OUT_CSV_COL("first_ts", "first_ts"),
	OUT_CSV_COL("last_ts", "last_ts"), OUT_CSV_COL("interval_s", "interval_s"),
	OUT_CSV_COL("rtt_median_s", "rtt_median_s"), OUT_CSV_COL("n_episodes", "n_episodes"),
	OUT_CSV_COL("unlisted_episodes", "unlisted_episodes"),
	OUT_CSV_COL("downtime_total_s", "downtime_total_s"),
	OUT_CSV_COL("downtime_longest_s", "downtime_longest_s"),
	OUT_CSV_COL("lost_x_interval_s", "lost_x_interval_s"),
	OUT_CSV_COL("duration_x_loss_s", "duration_x_loss_s"),
	OUT_CSV_COL("lost_x_nominal_interval_s", "lost_x_nominal_interval_s"),
	OUT_CSV_COL("clock_steps_back", "clock_steps_back"),
	OUT_CSV_COL("unresponsive_threshold_s", "unresponsive_threshold_s"),
	OUT_CSV_COL("unresponsive_threshold_rule", "unresponsive_threshold_rule"),
	OUT_CSV_COL("unresponsive_total_s", "unresponsive_total_s"),
	OUT_CSV_COL("unresponsive_longest_s", "unresponsive_longest_s"),
	OUT_CSV_COL("unresponsive_worst_rtt_s", "unresponsive_worst_rtt_s"),
	OUT_CSV_COL("n_unresponsive_episodes", "n_unresponsive_episodes"),
	OUT_CSV_COL("unlisted_unresponsive_episodes", "unlisted_unresponsive_episodes"),
	OUT_CSV_COL("follows_stream", "follows_stream"),
};

/* An episode row starts with its stream's identity (paths into the stream object). */
static const struct csv_col episode_stream_cols[] = {
	OUT_CSV_COL("stream", "stream"), OUT_CSV_COL("pinger", "pinger"),
	OUT_CSV_COL("target", "target"), OUT_CSV_COL("id", "id"),
	OUT_CSV_COL("interval_s", "interval_s"),
};

static const struct csv_col episode_cols[] = {
	OUT_CSV_COL("first_lost_ts", "first_lost_ts"), OUT_CSV_COL("last_lost_ts", "last_lost_ts"),
	OUT_CSV_COL("first_seq", "first_seq"), OUT_CSV_COL("last_seq", "last_seq"),
	OUT_CSV_COL("lost", "lost"), OUT_CSV_COL("estimate_s", "estimate_s"),
	OUT_CSV_COL("lower_s", "lower_s"), OUT_CSV_COL("upper_s", "upper_s"),
	OUT_CSV_COL("began_in_capture", "began_in_capture"),
	OUT_CSV_COL("ended_in_capture", "ended_in_capture"), OUT_CSV_COL("inferred", "inferred"),
	OUT_CSV_COL("by_interval", "by_interval"),
};

/* The capture totals: one row, paths from the report's root. */
static const struct csv_col totals_cols[] = {
	OUT_CSV_COL("ports", "migration.ports"), OUT_CSV_COL("flows", "migration.flows"),
	OUT_CSV_COL("collisions", "migration.collisions"), OUT_CSV_COL("start", "migration.start"),
	OUT_CSV_COL("end", "migration.end"), OUT_CSV_COL("start_utc", "migration.start_utc"),
	OUT_CSV_COL("end_utc", "migration.end_utc"),
	OUT_CSV_COL("duration_s", "migration.duration_s"),
	OUT_CSV_COL("packets", "migration.packets"),
	OUT_CSV_COL("wire_bytes", "migration.wire_bytes"),
	OUT_CSV_COL("unique_payload_bytes", "migration.unique_payload_bytes"),
	DIR_COLS("migration.forward"), DIR_COLS("migration.reverse"),
	OUT_CSV_COL("mean_throughput_bps", "migration.mean_throughput_bps"),
	OUT_CSV_COL("peak_throughput_bps", "migration.peak_throughput_bps"),
	OUT_CSV_COL("bin_s", "migration.bin_s"), OUT_CSV_COL("capture_frames", "capture.frames"),
	OUT_CSV_COL("capture_first_ts", "capture.first_ts"),
	OUT_CSV_COL("capture_last_ts", "capture.last_ts"),
	OUT_CSV_COL("echo_streams", "downtime.total.streams"),
	OUT_CSV_COL("echo_lost", "downtime.total.lost"),
	OUT_CSV_COL("downtime_episodes", "downtime.total.episodes"),
	OUT_CSV_COL("downtime_total_s", "downtime.total.downtime_total_s"),
	OUT_CSV_COL("downtime_longest_s", "downtime.total.downtime_longest_s"),
	OUT_CSV_COL("lost_x_interval_s", "downtime.total.lost_x_interval_s"),
	OUT_CSV_COL("downtime_reason", "downtime.total.reason"),
	OUT_CSV_COL("unresponsive_episodes", "downtime.total.unresponsive_episodes"),
	OUT_CSV_COL("unresponsive_total_s", "downtime.total.unresponsive_total_s"),
};

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

/* The totals' direction columns are named forward_*, reverse_* (the path's last dot part). */
static const char *col_name(const struct csv_col *c)
{
	static const char pre[] = "migration.";

	return strncmp(c->name, pre, sizeof(pre) - 1) == 0 ? c->name + sizeof(pre) - 1 : c->name;
}

static void header(FILE *fp, const struct csv_col *cols, size_t n, int *first)
{
	for (size_t i = 0; i < n; i++) {
		if (!*first)
			fputc(',', fp);
		*first = 0;
		out_csv_field(fp, col_name(&cols[i]));
	}
}

/* The entries of o's "flows" whose role is `role`. */
static size_t role_count(json_object *o, const char *role)
{
	json_object *fl = report_get(o, "flows");
	size_t i, n = 0;

	for (i = 0; fl && i < report_len(fl); i++)
		if (strcmp(report_str(report_at(fl, i), "role", ""), role) == 0)
			n++;
	return n;
}

/* The columns' values of object o; a member that is absent or null is an empty field. */
static void row(FILE *fp, json_object *o, const struct csv_col *cols, size_t n, int *first)
{
	for (size_t i = 0; i < n; i++) {
		json_object *v = report_get(o, cols[i].path);

		if (!*first)
			fputc(',', fp);
		*first = 0;
		if (cols[i].how == OUT_CSV_COUNT)
			fprintf(fp, "%zu", v && json_object_is_type(v, json_type_array) ?
				report_len(v) : 0);
		else if (cols[i].how == OUT_CSV_ROLE)
			fprintf(fp, "%zu", role_count(o, cols[i].path));
		else if (v)
			out_csv_field(fp, json_object_get_string(v));
	}
}

/* One header line and one row per element of the array at `path`. */
int out_csv_table(FILE *fp, json_object *report, const char *path, const struct csv_col *cols, size_t ncols)
{
	json_object *rows = report_get(report, path);
	size_t i, n = rows && json_object_is_type(rows, json_type_array) ? report_len(rows) : 0;
	int first = 1;

	header(fp, cols, ncols, &first);
	fputc('\n', fp);
	for (i = 0; i < n; i++) {
		first = 1;
		row(fp, report_at(rows, i), cols, ncols, &first);
		fputc('\n', fp);
	}
	return ferror(fp) ? -1 : 0;
}

int out_csv_flows(FILE *fp, json_object *report)
{
	return out_csv_table(fp, report, "flows", flow_cols, NCOLS(flow_cols));
}

int out_csv_streams(FILE *fp, json_object *report)
{
	return out_csv_table(fp, report, "downtime.streams", stream_cols, NCOLS(stream_cols));
}

int out_csv_totals(FILE *fp, json_object *report)
{
	int first = 1;

	header(fp, totals_cols, NCOLS(totals_cols), &first);
	fputc('\n', fp);
	first = 1;
	row(fp, report, totals_cols, NCOLS(totals_cols), &first);
	fputc('\n', fp);
	return ferror(fp) ? -1 : 0;
}

/*
 * One row per episode of every echo stream: the stream's columns `sc`, its
 * episode number, the episode's columns `ec` (the stream's list at `list`).
 */
static int stream_episode_rows(FILE *fp, json_object *report, const char *list, const struct csv_col *sc,
			       size_t nsc, const struct csv_col *ec, size_t nec)
{
	json_object *streams = report_get(report, "downtime.streams");
	size_t i, k, n = report_len(streams);
	int first = 1;

	header(fp, sc, nsc, &first);
	fputs(",episode", fp);
	header(fp, ec, nec, &first);
	fputc('\n', fp);
	for (i = 0; i < n; i++) {
		json_object *s = report_at(streams, i);
		json_object *eps = report_get(s, list);

		for (k = 0; eps && k < report_len(eps); k++) {
			first = 1;
			row(fp, s, sc, nsc, &first);
			fprintf(fp, ",%zu", k + 1);
			row(fp, report_at(eps, k), ec, nec, &first);
			fputc('\n', fp);
		}
	}
	return ferror(fp) ? -1 : 0;
}

int out_csv_episodes(FILE *fp, json_object *report)
{
	return stream_episode_rows(fp, report, "episodes", episode_stream_cols, NCOLS(episode_stream_cols),
				   episode_cols, NCOLS(episode_cols));
}

/* The unresponsive episodes (README "Unresponsive time"): the stream's identity, then the episode. */
static const struct csv_col unresp_cols[] = {
	OUT_CSV_COL("first_seq", "first_seq"), OUT_CSV_COL("last_seq", "last_seq"),
	OUT_CSV_COL("first_request_ts", "first_request_ts"), OUT_CSV_COL("last_request_ts", "last_request_ts"),
	OUT_CSV_COL("start", "start"), OUT_CSV_COL("end", "end"), OUT_CSV_COL("gap_s", "gap_s"),
	OUT_CSV_COL("lower_s", "lower_s"), OUT_CSV_COL("upper_s", "upper_s"), OUT_CSV_COL("late", "late"),
	OUT_CSV_COL("lost", "lost"), OUT_CSV_COL("worst_rtt_s", "worst_rtt_s"),
	OUT_CSV_COL("began_in_capture", "began_in_capture"),
	OUT_CSV_COL("ended_in_capture", "ended_in_capture"),
};

static const struct csv_col unresp_stream_cols[] = {
	OUT_CSV_COL("stream", "stream"), OUT_CSV_COL("pinger", "pinger"),
	OUT_CSV_COL("target", "target"), OUT_CSV_COL("id", "id"),
	OUT_CSV_COL("interval_s", "interval_s"), OUT_CSV_COL("rtt_median_s", "rtt_median_s"),
	OUT_CSV_COL("threshold_s", "unresponsive_threshold_s"),
	OUT_CSV_COL("threshold_rule", "unresponsive_threshold_rule"),
};

int out_csv_unresp(FILE *fp, json_object *report)
{
	return stream_episode_rows(fp, report, "unresponsive_episodes", unresp_stream_cols,
				   NCOLS(unresp_stream_cols), unresp_cols, NCOLS(unresp_cols));
}

/* What one time-series row needs besides its bin. */
struct series_out {
	const struct series *s;
	const struct app_table *app;	/* its app_* columns; NULL: empty */
	const struct out_span *spans;
	size_t nspans;
	int digits;
	char bin_s[48];
};

/* The first migration (in the order given) whose span touches [lo, lo + bin); NULL when none. */
static const struct out_span *active_span(const struct series_out *so, mm_ns lo)
{
	mm_ns hi = mm_add(lo, series_bin_width(so->s));
	size_t k;

	for (k = 0; k < so->nspans; k++) {
		const struct out_span *sp = &so->spans[k];

		if (sp->start != MM_NS_NONE && sp->start < hi && (sp->end == MM_NS_NONE ? sp->start : sp->end) >= lo)
			return sp;
	}
	return NULL;
}

/* bytes x 8 / bin in bit/s, rounded to a whole bit/s. */
static void put_bps(FILE *fp, uint64_t bytes, mm_ns bin)
{
	fprintf(fp, ",%.0f", (double)bytes * 8.0 * (double)MM_NS_PER_S / (double)bin);
}

static void series_row(FILE *fp, const struct series_out *so, uint64_t i, const struct series_bin *b)
{
	static const struct series_bin none;
	const struct series *s = so->s;
	mm_ns bin = series_bin_width(s), rel = mm_mul(i, bin), lo = mm_add(series_t0(s), rel);
	const struct out_span *sp = active_span(so, lo);
	char trel[48], tabs[48], tmig[48] = "", mig[16] = "", rtt[48] = "", rmax[48] = "";
	int digits = so->digits;

	if (!b)
		b = &none;
	mm_fmt_seconds(trel, sizeof(trel), rel, digits);
	mm_fmt_seconds(tabs, sizeof(tabs), lo, digits);
	if (sp) {
		mm_fmt_seconds(tmig, sizeof(tmig), mm_sub(lo, sp->start), digits);
		snprintf(mig, sizeof(mig), "%u", sp->id);
	}
	if (b->rtt_n > 0) {
		mm_fmt_seconds(rtt, sizeof(rtt), (mm_ns)(b->rtt_sum / b->rtt_n), 9);
		mm_fmt_seconds(rmax, sizeof(rmax), b->rtt_max > INT64_MAX ? INT64_MAX : (mm_ns)b->rtt_max, 9);
	}
	fprintf(fp, "%s,%s,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%s,%s,%s", trel, tabs,
		(unsigned long long)b->fwd_bytes, (unsigned long long)b->rev_bytes,
		(unsigned long long)b->unique_bytes, (unsigned long long)b->packets,
		(unsigned long long)b->ping_requests, (unsigned long long)b->ping_replies,
		(unsigned long long)b->ping_lost,
		(unsigned long long)b->role_bytes[SERIES_ROLE_MAIN],
		(unsigned long long)b->role_bytes[SERIES_ROLE_MULTIFD],
		(unsigned long long)b->role_bytes[SERIES_ROLE_NBD],
		(unsigned long long)b->role_bytes[SERIES_ROLE_OTHER], so->bin_s, tmig, mig);
	put_bps(fp, b->unique_bytes, bin);
	put_bps(fp, b->role_bytes[SERIES_ROLE_MAIN], bin);
	put_bps(fp, b->role_bytes[SERIES_ROLE_MULTIFD], bin);
	put_bps(fp, b->role_bytes[SERIES_ROLE_NBD], bin);
	fprintf(fp, ",%s,%s", rtt, rmax);
	/* The app_* columns come last (README "Application impact"). */
	app_csv_series_row(fp, so->app, i, digits);
	fputc('\n', fp);
}

/* The empty bins [from, to): every one, or the first and the last of a long quiet stretch. */
static void series_gap(FILE *fp, const struct series_out *so, uint64_t from, uint64_t to)
{
	if (to <= from)
		return;
	if (to - from > SERIES_GAP_ROWS) {
		series_row(fp, so, from, NULL);
		series_row(fp, so, to - 1, NULL);
		return;
	}
	for (uint64_t i = from; i < to; i++)
		series_row(fp, so, i, NULL);
}

int out_csv_series_spans(FILE *fp, const struct series *s, const struct out_span *spans, size_t nspans,
			 const struct app_table *app, int digits)
{
	struct series_iter it = { 0, 0 };
	struct series_out so = { s, app, spans, nspans, digits, "" };
	const struct series_bin *b;
	uint64_t i, next = 0, len = series_len(s);

	mm_fmt_seconds(so.bin_s, sizeof(so.bin_s), series_bin_width(s), digits);
	fputs(OUT_SERIES_HEADER "\n", fp);
	while (series_next(s, &it, &i, &b) && !ferror(fp)) {
		series_gap(fp, &so, next, i);
		series_row(fp, &so, i, b);
		next = i + 1;
	}
	series_gap(fp, &so, next, len);
	return ferror(fp) ? -1 : 0;
}

int out_csv_series(FILE *fp, const struct series *s, int digits)
{
	return out_csv_series_spans(fp, s, NULL, 0, NULL, digits);
}
