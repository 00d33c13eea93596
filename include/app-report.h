/* app-report.h - the application stage in the report tree (top-level "app", migrations[].app) and its CSV tables. */
#ifndef MM_APP_REPORT_H
#define MM_APP_REPORT_H

#include <stdio.h>
#include <json-c/json.h>

#include "meter.h"
#include "migration.h"

/* The top-level "app" object, or NULL (JSON null) without --app/--app-filter. */
json_object *app_report_totals(const struct meter *m, int digits);

/* Migration r's "app" object (phases, blackout, summary figures), or NULL without --app or out of memory. */
json_object *app_report_migration(const struct meter *m, const struct mig_record *r, int digits);

/*
 * Where the record's downtime figure comes from: "echo" when echo replies
 * were seen around its switchover, else the blackout's source in its
 * "app" object ("app" or "vm-frames"), else NULL.
 */
const char *app_downtime_source(const struct mig_record *r, json_object *app);

/* X-app.csv: one row per migration phase (fixed header). Returns 0 or -1. */
int out_csv_app(FILE *fp, json_object *report);

#endif
