/* out-csv.c - flows, downtime episodes and time bins as RFC 4180 CSV. */
#include "out.h"

#include <string.h>

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

/* Header names of a flat or one-level-nested object: "forward.packets" -> "forward_packets". */
static void header_of(FILE *fp, json_object *o, const char *prefix, int *first)
{
	json_object_object_foreach(o, key, val) {
		char name[160];

		if (json_object_is_type(val, json_type_array))
			continue;
		snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "_" : "", key);
		if (json_object_is_type(val, json_type_object)) {
			header_of(fp, val, name, first);
			continue;
		}
		if (!*first)
			fputc(',', fp);
		*first = 0;
		out_csv_field(fp, name);
	}
}

static void row_of(FILE *fp, json_object *o, int *first)
{
	json_object_object_foreach(o, key, val) {
		(void)key;
		if (val && json_object_is_type(val, json_type_array))
			continue;
		if (val && json_object_is_type(val, json_type_object)) {
			row_of(fp, val, first);
			continue;
		}
		if (!*first)
			fputc(',', fp);
		*first = 0;
		if (val)
			out_csv_field(fp, json_object_get_string(val));
	}
}

/* One header line and one row per element of the array at `path` (nested arrays left out). */
static int csv_table(FILE *fp, json_object *report, const char *path, const char *empty_header)
{
	json_object *rows = report_get(report, path);
	size_t i, n = rows ? json_object_array_length(rows) : 0;
	int first = 1;

	if (n == 0) {
		/* Still one header line, so a script can read an empty table. */
		fprintf(fp, "%s\n", empty_header);
		return ferror(fp) ? -1 : 0;
	}
	header_of(fp, json_object_array_get_idx(rows, 0), "", &first);
	fputc('\n', fp);
	for (i = 0; i < n; i++) {
		first = 1;
		row_of(fp, json_object_array_get_idx(rows, i), &first);
		fputc('\n', fp);
	}
	return ferror(fp) ? -1 : 0;
}

int out_csv_flows(FILE *fp, json_object *report)
{
	return csv_table(fp, report, "flows", "id,class,kind,client,client_port,server,server_port");
}

int out_csv_streams(FILE *fp, json_object *report)
{
	return csv_table(fp, report, "downtime.streams",
			 "stream,pinger,target,id,requests,replies,lost,pending,duplicates,late");
}

int out_csv_episodes(FILE *fp, json_object *report)
{
	static const char *const stream_cols[] = { "stream", "pinger", "target", "id", "interval_s" };
	json_object *streams = report_get(report, "downtime.streams");
	size_t i, k, c, n = streams ? json_object_array_length(streams) : 0;
	int header = 0, first;

	for (i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(streams, i);
		json_object *eps = report_get(s, "episodes");

		for (k = 0; eps && k < json_object_array_length(eps); k++) {
			json_object *e = json_object_array_get_idx(eps, k);

			if (!header) {
				for (c = 0; c < 5; c++)
					fprintf(fp, "%s,", stream_cols[c]);
				fputs("episode,", fp);
				first = 1;
				header_of(fp, e, "", &first);
				fputc('\n', fp);
				header = 1;
			}
			for (c = 0; c < 5; c++) {
				out_csv_field(fp, report_str(s, stream_cols[c], ""));
				fputc(',', fp);
			}
			fprintf(fp, "%zu,", k + 1);
			first = 1;
			row_of(fp, e, &first);
			fputc('\n', fp);
		}
	}
	if (!header)
		fputs("stream,pinger,target,id,interval_s,episode,first_lost_ts,last_lost_ts,first_seq,"
		      "last_seq,lost,estimate_s,lower_s,upper_s,began_in_capture,ended_in_capture,"
		      "inferred\n", fp);
	return ferror(fp) ? -1 : 0;
}

int out_csv_series(FILE *fp, const struct series *s, int digits)
{
	mm_ns t0 = series_t0(s), w = series_bin_width(s);
	size_t i;

	fputs("t_rel_s,t_abs,fwd_bytes,rev_bytes,unique_payload_bytes,packets,"
	      "ping_requests,ping_replies,ping_lost\n", fp);
	for (i = 0; i < series_len(s); i++) {
		const struct series_bin *b = series_get(s, i);
		char rel[48], abs[48];

		mm_fmt_seconds(rel, sizeof(rel), (mm_ns)i * w, digits);
		mm_fmt_seconds(abs, sizeof(abs), t0 + (mm_ns)i * w, digits);
		fprintf(fp, "%s,%s,%llu,%llu,%llu,%llu,%llu,%llu,%llu\n", rel, abs,
			(unsigned long long)b->fwd_bytes, (unsigned long long)b->rev_bytes,
			(unsigned long long)b->unique_bytes, (unsigned long long)b->packets,
			(unsigned long long)b->ping_requests, (unsigned long long)b->ping_replies,
			(unsigned long long)b->ping_lost);
	}
	return ferror(fp) ? -1 : 0;
}
