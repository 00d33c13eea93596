/* out-migration.h - the migration records as text blocks and as CSV (rendered from the report tree). */
#ifndef MM_OUT_MIGRATION_H
#define MM_OUT_MIGRATION_H

#include <stdio.h>
#include <json-c/json.h>

/* One text block per migration, then the downtime episodes outside every migration. Returns 0 or -1. */
int out_text_migrations(FILE *fp, json_object *report);

/*
 * The migrations as CSV: one row per migration, every scalar of its
 * record, under a fixed header (OUT_MIG_COLUMNS below; the header does
 * not depend on the data).  Returns 0 or -1 (write error).
 */
int out_csv_migrations(FILE *fp, json_object *report);

/*
 * The timeline as CSV for plot markers: time,migration,event,detail, one
 * row per event (connect, first_payload, final_burst_end, announce,
 * outage_start, outage_end, end) in time order; outages outside every
 * migration have an empty migration.  Returns 0 or -1.
 */
int out_csv_events(FILE *fp, json_object *report);

#endif
