/* out.h - report writers (one table of them) and file output (outpath.h's rules). */
#ifndef MM_OUT_H
#define MM_OUT_H

#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

#include "series.h"

/* A report format: renders the report tree to a stream. Returns 0 or -1 (write error). */
struct out_writer {
	const char *name;
	int (*write)(FILE *fp, json_object *report);
};

/* The writer called `name` ("text", "csv", "json"), or NULL. */
const struct out_writer *out_find(const char *name);

/* "12.3 Mbit/s", "1.07 GB": three significant digits and an SI prefix before `unit`. */
void out_si(char *buf, size_t n, double v, const char *unit);

/* Comma-separated names of every writer, for --help and errors. */
const char *out_names(void);

int out_text(FILE *fp, json_object *report);
int out_csv_flows(FILE *fp, json_object *report);
int out_json(FILE *fp, json_object *report);

/*
 * The CSV tables: one header line (a fixed column list: the same whatever
 * the data, an empty table included) and one row per record.
 */

/* The capture totals as CSV: one row (migration start, end, duration, bytes, throughput; echo totals). */
int out_csv_totals(FILE *fp, json_object *report);

/* The echo streams as CSV, one row per stream with every per-stream figure. */
int out_csv_streams(FILE *fp, json_object *report);

/* The downtime episodes as CSV, one row per episode (SPEC "Output"). */
int out_csv_episodes(FILE *fp, json_object *report);

/* The unresponsive episodes as CSV (--unresponsive), one row per episode. */
int out_csv_unresp(FILE *fp, json_object *report);

/*
 * The time series as CSV, one row per bin from t0 to the last event
 * (a quiet stretch over SERIES_GAP_ROWS bins: its first and last bin);
 * `digits` decimals on times.
 */
int out_csv_series(FILE *fp, const struct series *s, int digits);

/* The time series' fixed header (README "Time series"; man FILES lists every column). */
#define OUT_SERIES_HEADER "t_rel_s,t_abs,fwd_bytes,rev_bytes,unique_payload_bytes,packets," \
	"ping_requests,ping_replies,ping_lost,main_bytes,multifd_bytes,nbd_bytes,other_bytes," \
	"bin_s,t_mig_s,migration,bps,main_bps,multifd_bps,nbd_bps,rtt_mean_s,rtt_max_s," \
	"app_goodput_bytes,app_client_bytes,app_turns,app_response_mean_s,app_response_max_s," \
	"app_conns_opened,app_conns_refused,app_conns_reset,app_retrans_bytes,app_longest_stall_s"

/* A migration's span on the timeline: the bins it touches carry its id and the time from its start. */
struct out_span {
	unsigned id;
	mm_ns start, end;	/* end: MM_NS_NONE for a migration of one instant */
};

/*
 * out_csv_series with the migrations' spans (in order of id): a bin that
 * touches a span gets that migration's id and its start's offset from the
 * migration's start (t_mig_s); a bin that touches several, the first's.
 * The app_* columns are stage `app`'s (NULL or disabled: empty fields).
 */
struct app_table;
int out_csv_series_spans(FILE *fp, const struct series *s, const struct out_span *spans, size_t nspans,
			 const struct app_table *app, int digits);

/*
 * A CSV column: its header name and where its value is in a row's object
 * of the report tree.  Tables have fixed column lists, so a header never
 * depends on the data (an empty table has the full header).
 */
enum out_csv_how {
	OUT_CSV_VALUE = 0,	/* the scalar at path; absent or null: an empty field */
	OUT_CSV_COUNT,		/* the length of the array at path (0 when absent) */
	OUT_CSV_ROLE,		/* the row's "flows" entries whose role is `path` */
};

struct csv_col {
	const char *name, *path;
	enum out_csv_how how;
};

/* A column holding the scalar at `path`. */
#define OUT_CSV_COL(name, path) { (name), (path), OUT_CSV_VALUE }

/* One header line and one row per element of the array at `path` of the report. Returns 0 or -1. */
int out_csv_table(FILE *fp, json_object *report, const char *path, const struct csv_col *cols, size_t ncols);

/* Writes one CSV field per RFC 4180 (quoted when it holds , " CR or LF). */
void out_csv_field(FILE *fp, const char *s);

/*
 * Writes an output file by outpath.h's rules: "-" (or the file standard
 * output already is) to stdout; an existing device, FIFO or socket in
 * place; a regular file atomically (fn renders into a temporary file
 * beside the final target, symlinks followed, which is flushed, synced
 * and renamed over it, keeping an old file's mode; on any failure it is
 * removed and the target untouched).  Returns 0 or -1 with a one-line
 * reason in err that never names the temporary file.
 */
int out_atomic(const char *path, int (*fn)(FILE *fp, void *ctx), void *ctx, char *err, size_t errlen);

/*
 * Privilege separation (privsep.c): after out_set_relay(fd), out_atomic
 * renders in memory and asks the process at the other end of fd to write
 * the file, and returns its answer ("-" is still written here, to this
 * process's stdout).  The wire format is below.
 */
void out_set_relay(int fd);

#define OUT_RELAY_MAGIC 0x4d4d5731u	/* "MMW1" */

struct out_relay_req {
	uint32_t magic;
	uint32_t pathlen;	/* path bytes follow, then data bytes */
	uint64_t datalen;
};

struct out_relay_rep {
	int32_t rc;		/* 0 written, -1 failed */
	char err[252];		/* why, when failed */
};

#endif
