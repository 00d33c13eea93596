/* capture-prom.h - the capture's metrics outputs: --prom-textfile and --metrics-listen, fed by the records as they complete. */
#ifndef MM_CAPTURE_PROM_H
#define MM_CAPTURE_PROM_H

#include <json-c/json.h>

#include "cli.h"
#include "live.h"
#include "mmtime.h"

/*
 * The metrics (prom.h) of one capture and where they go.  Each record
 * the capture writes (caprec's observer, with or without --records) is
 * counted; the metrics are published after the poll that completed it,
 * and every CAPPROM_HTTP_NS (the drop counters, to the HTTP snapshot) and
 * CAPPROM_FILE_NS (the textfile), and once more at the end.  These
 * functions print their own one-line messages (the capture command's).
 */
struct capprom;

/* How often the HTTP snapshot and the textfile are refreshed when no record completed. */
#define CAPPROM_HTTP_NS (5 * MM_NS_PER_S)
#define CAPPROM_FILE_NS (15 * MM_NS_PER_S)

/*
 * Before the capture starts, as root: *out is NULL when neither
 * --prom-textfile nor --metrics-listen is given; else the metrics, with
 * the --metrics-listen socket bound.  Returns 0 or the exit status after
 * saying why (2 for a malformed ADDR:PORT, 1 for a bind that failed).
 */
int capprom_open(struct capprom **out, const struct cli_opts *o);

/* In the process that captures, once privileges are dropped: starts the HTTP thread. Returns 0 or the exit status. */
int capprom_start(struct capprom *cp);

/* caprec's observer: counts one record as it is written (ctx is the struct capprom). */
void capprom_record(void *ctx, json_object *rec);

/* From the capture loop (now: the monotonic clock): publishes what changed or is due. NULL is a no-op. */
void capprom_tick(struct capprom *cp, struct live *live, mm_ns now);

/* At the end, after the last records: publishes once more. Returns 0, or the exit status when the textfile failed. NULL: 0. */
int capprom_finish(struct capprom *cp, struct live *live);

/* Stops the HTTP thread (if started) and frees everything. NULL is a no-op. */
void capprom_free(struct capprom *cp);

#endif
