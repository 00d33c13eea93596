/* out-views.h - the other views (ping logs, nova, libvirt, QEMU) as text: the logs command's report, and each migration's side-by-side table. */
#ifndef MM_OUT_VIEWS_H
#define MM_OUT_VIEWS_H

#include <stdio.h>
#include <json-c/json.h>

/* The logs command's report (view_logs_report) as text, view by view. Returns 0 or -1. */
int out_text_logs(FILE *fp, json_object *report);

/* The logs command's report as CSV: one row per entry (its "rows"). Returns 0 or -1. */
int out_csv_logs(FILE *fp, json_object *report);

/* A migration record's "views" as one table (wire, nova, migration list, libvirt, QEMU, ping log) and the differences in words; nothing without views. */
void out_text_migration_views(FILE *fp, json_object *mg);

/* The zone nova's times were read in, and the report's view entries no migration took, one line each; nothing without views. */
void out_text_views_unmatched(FILE *fp, json_object *report);

#endif
