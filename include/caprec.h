/* caprec.h - a live capture's migration records, each appended to --records the moment it completes. */
#ifndef MM_CAPREC_H
#define MM_CAPREC_H

#include <stddef.h>
#include <stdio.h>
#include <json-c/json.h>

#include "meter.h"
#include "migration.h"

/*
 * While the capture runs, caprec_poll groups the flows and announces
 * taken so far (a stage of its own, fed from the meter: the meter's own
 * stage is fed once, by meter_finish, as in replay) and appends every
 * record complete by then that was not written yet: one JSON object per
 * line (JSON Lines), flushed.  When a record is due, the echo episodes
 * (loss and unresponsive) closed by then are built (meter_live_episodes)
 * and attributed as replay does, so the line carries its episodes and
 * downtime total (README "Records, live").  caprec_finish then appends
 * the records of the final report not written live.
 */
struct caprec;

/* Called once per record written, with a one-line summary (no newline). */
typedef void (*caprec_said_fn)(void *ctx, const char *line);

/* A writer to fp (left open: the caller owns it; NULL: records counted, not written), or NULL when out of memory. */
struct caprec *caprec_new(FILE *fp, const struct mig_cfg *cfg, int digits, caprec_said_fn said, void *ctx);
void caprec_free(struct caprec *cr);	/* NULL is a no-op */

/*
 * Lines go to fn instead of the FILE (a records file that rotates,
 * recfile.h): fn writes one whole line (it adds the newline) and returns
 * 0, or -1 with a reason in err (later records are then not written).
 */
typedef int (*caprec_write_fn)(void *ctx, const char *line, char *err, size_t errlen);
void caprec_set_writer(struct caprec *cr, caprec_write_fn fn, void *ctx);

/*
 * Writes the records complete at `now` (every frame up to it taken), and
 * retires each written record's flows from m's flow table (flow_retire).
 * Returns the number written, or -1 when out of memory or the file
 * could not be written (err says why; later calls write nothing).
 */
int caprec_poll(struct caprec *cr, struct meter *m, mm_ns now, char *err, size_t errlen);

/* After meter_finish: writes m's records not written yet. Returns the number written or -1. */
int caprec_finish(struct caprec *cr, const struct meter *m, char *err, size_t errlen);

/*
 * Has fn called with each record as it is written (the object written,
 * borrowed for the call), also when no file is (fp NULL): the metrics
 * (capture-prom.h) count the same records --records holds.
 */
typedef void (*caprec_seen_fn)(void *ctx, json_object *rec);
void caprec_set_observer(struct caprec *cr, caprec_seen_fn fn, void *ctx);

/*
 * Retention (meter-keep.h): only the newest n written records' flows stay
 * in the table, so only their keys are kept (0, the default: all).
 */
void caprec_keep_keys(struct caprec *cr, size_t n);

/* Records written so far with status completed (for -c). */
unsigned caprec_completed(const struct caprec *cr);

#endif
