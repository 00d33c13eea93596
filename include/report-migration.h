/* report-migration.h - the migration records in the report tree (schema migmeter-report/2). */
#ifndef MM_REPORT_MIGRATION_H
#define MM_REPORT_MIGRATION_H

#include <stddef.h>
#include <json-c/json.h>

#include "meter.h"
#include "report.h"

/*
 * Adds to report `r` the members "migrations" (one object per record of
 * the migration stage, README "Migrations"), "episodes_outside_migrations",
 * "announces" (what the announce stage saw) and "grouping" (what did not
 * fit).  Times have `digits` decimals.
 */
void report_add_migrations(json_object *r, const struct meter *m, int digits);

/*
 * Record `r` of migration stage `mt` (m->migs, or a stage fed from m as a
 * live capture does) as the object the report's "migrations" array holds,
 * with its announce times and episodes from `mt`.  NULL when out of memory.
 */
json_object *report_migration_record(const struct meter *m, const struct mig_table *mt,
				    const struct mig_record *r, int digits);

/* Adds to flow object `j` (flow index `flow`) its unread-kind reason, UUID, channel and migration. */
void report_flow_migration(json_object *j, const struct meter *m, size_t flow);

#endif
