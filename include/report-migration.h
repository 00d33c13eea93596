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

/* Adds to flow object `j` (flow index `flow`) its unread-kind reason, UUID, channel and migration. */
void report_flow_migration(json_object *j, const struct meter *m, size_t flow);

#endif
