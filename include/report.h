/* report.h - the one description of a report: a json-c tree every writer renders. */
#ifndef MM_REPORT_H
#define MM_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "meter.h"
#include "source.h"

#define REPORT_SCHEMA "migmeter-report/2"

struct report_opts {
	const char *ports;		/* "49152-49261" */
	const char *ping_target;	/* normalised address, or NULL for all streams */
	int digits;			/* timestamp decimals: 6 or 9 */
	const struct source_input *inputs;
	size_t ninputs;
	uint64_t filtered_out;		/* frames no filter accepted */
	mm_ns nominal_interval;		/* what ping was asked for (--ping-interval), or MM_NS_NONE */
};

/*
 * Builds the report of a finished meter (meter_finish called).  Every
 * writer (text, csv, json) renders this tree and nothing else, so the
 * formats cannot drift apart.  Returns a new object the caller releases
 * with json_object_put, or NULL when out of memory.
 */
json_object *report_build(const struct meter *m, const struct report_opts *o);

/* A link's counters (netif.h) as a JSON object; also the interfaces command's. */
json_object *report_link_counters(const struct netif_counters *c);

/* For report builders: a time or duration with exactly `digits` decimals, an absolute time as ISO 8601 UTC; NULL (JSON null) when MM_NS_NONE. */
json_object *report_jtime(mm_ns t, int digits);
json_object *report_jutc(mm_ns t, int digits);

/* Small readers for writers: the member's value or a fallback when absent/null. */
json_object *report_get(json_object *o, const char *path);	/* "migration.forward.packets" */
const char *report_str(json_object *o, const char *path, const char *fallback);
uint64_t report_u64(json_object *o, const char *path);
double report_num(json_object *o, const char *path);	/* 0 when absent or null */
int report_bool(json_object *o, const char *path);

/*
 * Lazy arrays: the records, flows and other arrays that grow with the
 * capture are not held as json-c objects; a writer's report_at() makes
 * element i when it is reached (report-lazy.c).  Writers read every array
 * with report_len/report_at (an ordinary array works the same); the object
 * report_at returns is valid until the next report_at on the same array.
 */
typedef json_object *(*report_make_fn)(void *ctx, size_t i);
json_object *report_lazy_array(size_t n, report_make_fn make, void *ctx, void (*free_ctx)(void *ctx));

/* A lazy array of n elements of `owner`'s list (a stream's episodes, say): make(owner, i, digits) each. */
typedef json_object *(*report_list_fn)(const void *owner, size_t i, int digits);
json_object *report_lazy_list(const void *owner, size_t n, int digits, report_list_fn make);
size_t report_len(json_object *arr);		/* 0 for NULL or not an array */
json_object *report_at(json_object *arr, size_t i);	/* NULL past the end */
int report_is_lazy(json_object *arr);
/*
 * Makes parent's lazy array `key` an ordinary one, every element made now
 * (for a stage that edits the records: the side-by-side views).  0, or -1
 * out of memory (the lazy array is left).
 */
int report_materialize(json_object *parent, const char *key);

#endif
