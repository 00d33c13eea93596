/* meter-keep.h - a live capture's retention: what only migrations written long ago need leaves memory for good. */
#ifndef MM_METER_KEEP_H
#define MM_METER_KEEP_H

#include <stdint.h>

#include "meter.h"

/*
 * The written migrations whose flows a capture keeps for its final report
 * (the --records file holds every one): memory stays flat past them.
 */
#define METER_KEEP_RECORDS 1000u

/* A written migration older than this is let go even under the count (a quiet node's day). */
#define METER_KEEP_AGE (24 * 3600 * MM_NS_PER_S)

/* When each of the newest batches was written (more than METER_KEEP_RECORDS). */
#define METER_KEEP_RING 2048u

/* Collision flows (never a migration) quiet this long are retired from the live lookup. */
#define METER_KEEP_STRAY_IDLE (60 * MM_NS_PER_S)

/*
 * How far before the oldest flow still held announces, episodes and bins
 * are kept: more than any grouping window reaches back from a flow.
 */
#define METER_KEEP_MARGIN (10 * MM_NS_PER_S)

/*
 * Turns retention on for m (a capture writing --records FILE): from now
 * on meter_keep lets old things go; `bins` 1 lets old time-series bins
 * go too (no --timeseries asks for them).
 */
void meter_keep_start(struct meter *m, int bins);

/* Before retiring one record's flows, written at capture time `now`: they are one batch (let go together). */
void meter_keep_record(struct meter *m, mm_ns now);

/*
 * After records were written at capture time `now`: retires idle
 * collision flows, lets go the flows of written migrations past the
 * newest METER_KEEP_RECORDS or older than METER_KEEP_AGE, and the
 * announces, listed episodes and (if allowed) bins from before the
 * oldest flow still held (less METER_KEEP_MARGIN) or older than
 * METER_KEEP_AGE, whichever lets less go while nothing was let go yet.
 */
void meter_keep(struct meter *m, mm_ns now);

/* What was let go so far (all zero when retention is off). */
const struct meter_kept *meter_kept(const struct meter *m);

#endif
