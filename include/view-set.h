/* view-set.h - every other view of the migrations given on the command line: loaded together, rendered as one JSON object, matched to the records. */
#ifndef MM_VIEW_SET_H
#define MM_VIEW_SET_H

#include <json-c/json.h>

#include "view-libvirt.h"
#include "view-nova.h"
#include "view-ping.h"

/* The files (NULL: not given), the zone nova's times are in, the interval ping was asked for. */
struct view_opts {
	const char *ping, *nova, *mlist, *domjobinfo, *qmp;
	const char *log_tz;		/* NULL: the machine's */
	mm_ns asked;			/* MM_NS_NONE when not given */
};

struct view_set {
	struct view_opts o;
	struct view_tz tz;
	struct vping ping;
	struct vnova nova;
	struct vnlist mlist;
	struct vjobs dom, qmp;
	unsigned long overlong;		/* lines skipped over all files */
};

/* Whether any view file is given. */
int view_opts_any(const struct view_opts *o);

/*
 * Reads and parses every file given.  Returns 0, or -1 with one line in
 * err (the first file that fails: FILE:LINE or FILE and why; an unknown
 * --log-tz).  view_set_free releases whatever was read (also after -1).
 */
int view_set_load(struct view_set *s, const struct view_opts *o, char *err, size_t errlen);
void view_set_free(struct view_set *s);

/*
 * The views as one JSON object (report-views.c): "log_tz", "ping",
 * "nova", "migration_list", "domjobinfo", "query_migrate" (each null when
 * not given), with `digits` decimals on times.  NULL when out of memory.
 */
json_object *view_set_json(const struct view_set *s, int digits);

/*
 * Side by side (view-match.c): matches the entries of views object `v`
 * (view_set_json, which this takes over) to report r's "migrations" by
 * time and instance/host, and adds to each migration a "views" object
 * (what nova, the migration list, libvirt, QEMU and ping's log say, the
 * wire's figures, and "differences" explaining them in words) and to r
 * the top-level "views" with every entry and an "unmatched" list.
 * Returns 0, or -1 when out of memory.
 */
int view_match(json_object *r, json_object *v, int digits);

/*
 * Adds to one migration's "views" object (view_match builds it) the
 * "differences" array: each view's figures against the wire's, and why
 * they differ, in words (view-diff.c).
 */
void view_differences(json_object *views, int digits);

/* The logs command's tree: {"schema", "tool", "views", "rows"} ("rows": one per entry, for CSV). NULL when out of memory. */
json_object *view_logs_report(json_object *v);

#endif
