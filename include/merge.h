/* merge.h - migmeter merge: migration records of many nodes (reports and --records files) paired into one table. */
#ifndef MM_MERGE_H
#define MM_MERGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

#include "mmtime.h"

/* Which end of its migration the node that wrote a record is. */
enum merge_vantage { MERGE_V_UNKNOWN, MERGE_V_SOURCE, MERGE_V_DESTINATION };

/* How a pair was found. */
enum merge_by { MERGE_BY_NONE, MERGE_BY_TUPLE, MERGE_BY_UUID };

/* Which record of a pair is the source's: by their vantage, or (neither told) the earlier start. */
enum merge_rule { MERGE_RULE_VANTAGE, MERGE_RULE_START };

#define MERGE_ADDR_LEN 48
#define MERGE_WORD_LEN 24
#define MERGE_ROLES 4		/* main, multifd, nbd, other (bytes_by_role) */

/* One migration record as one node saw it: the figures the table shows, a few hundred bytes. */
struct merge_rec {
	uint32_t input;			/* index of the file it came from */
	uint32_t node;			/* index into the node names */
	uint64_t line;			/* its line in that file (a report: the line its document starts on) */
	uint64_t id;
	char status[MERGE_WORD_LEN], status_reason[MERGE_WORD_LEN];
	char source[MERGE_ADDR_LEN], destination[MERGE_ADDR_LEN];
	char vm_mac[MERGE_WORD_LEN], vm_ip[MERGE_ADDR_LEN];
	char uuid[40];			/* "" when none */
	char downtime_source[MERGE_WORD_LEN];	/* "" when none */
	int has_tuple;			/* cport/sport are the main flow's (else its first flow's) */
	uint16_t cport, sport;
	int inferred;
	enum merge_vantage vantage;
	uint32_t flows;
	mm_ns start, end, duration, resumed, final_burst_end, downtime, unresponsive;	/* MM_NS_NONE: null */
	int has_bytes;
	uint64_t unique_bytes, wire_bytes, retrans_bytes;
	uint64_t role_bytes[MERGE_ROLES];
	double mean_bps;		/* < 0: null */
	/* Set by merge_pair. */
	int dup;			/* the same record as an earlier one (same node, key and start) */
	size_t mate;			/* the other end's index, or MERGE_NONE */
	enum merge_by by;
};

#define MERGE_NONE ((size_t)-1)

/* One input file. */
struct merge_input {
	const char *path;
	const char *node_opt;		/* --node FILE=NAME, or NULL */
	int report;			/* a report (one JSON document), else JSON Lines */
	uint64_t records, duplicates, skipped;
	size_t first_rec;		/* its records are recs[first_rec .. first_rec + records) */
	uint64_t first_skipped_line;
	char error[256];		/* "" unless the file could not be read (or its report was refused) */
};

/* Everything read, and the pairing. */
struct merge_set {
	struct merge_rec *recs;
	size_t n, cap, max;		/* max: records held at most (beyond: an error) */
	char **nodes;			/* node names, interned */
	size_t nnodes, nodes_cap;
	size_t *hash, hash_cap;		/* node name -> index + 1 (open addressing) */
	struct merge_input *inputs;
	size_t ninputs;
	mm_ns window;			/* two records pair only when their starts are at most this far apart */
	size_t line_max;		/* a JSON Lines line longer than this is skipped */
	size_t doc_max;			/* a report document longer than this is refused */
};

/* Called for each line skipped (file, line, why), so the command can say it; may be NULL. */
typedef void (*merge_skip_fn)(void *ctx, const char *path, uint64_t line, const char *why);

#define MERGE_LINE_MAX (1u << 20)
#define MERGE_DOC_MAX (256u << 20)
#define MERGE_RECS_MAX (2u << 20)	/* ~450 bytes each: about 1 GB at most */

void merge_init(struct merge_set *s, struct merge_input *inputs, size_t ninputs, mm_ns window);
void merge_release(struct merge_set *s);

/*
 * Reads input i (fp: its opened stream) into s: a report's `migrations`
 * or one record per JSON Lines line.  A bad line of a JSON Lines file
 * (not JSON, not an object, not a migration record, longer than
 * line_max) is skipped and counted (skip is called); a report that is
 * not valid JSON or not migmeter-report/2 is refused whole (the input's
 * error says file:line and why).  Returns 0, or -1 when the input could
 * not be read or was refused (error set), -2 when out of memory or over
 * the cap of records.
 */
int merge_read(struct merge_set *s, size_t i, FILE *fp, merge_skip_fn skip, void *ctx);

/*
 * Fills r from one record object j (a report's migrations[] entry or a
 * --records line); node_name is the name carried (NULL: none), addrs the
 * report's node_addresses (NULL: none) for its vantage.  Returns 0, or -1
 * when j is not a migration record (why says what is missing).
 */
int merge_rec_from_json(struct merge_rec *r, json_object *j, json_object *addrs, char *why, size_t whylen);

/* The index of node name `name` (added when new), or -1 when out of memory. */
long merge_node(struct merge_set *s, const char *name);

/* Adds a copy of r. Returns 0, -1 when out of memory or over the cap. */
int merge_add(struct merge_set *s, const struct merge_rec *r);

/*
 * Marks duplicates (README "Merging records from many nodes": the same
 * node and vantage, the same main 5-tuple and UUID, the same start: kept
 * once, counted in its input's duplicates) and pairs the rest: two
 * records of different files, and of different nodes (or of one node
 * name but the two known vantages), with the same main-stream 5-tuple (source,
 * destination, client and server port), else the same UUID between the
 * same source and destination (when their 5-tuples do not differ), starts
 * at most `window` apart; each with the nearest-starting eligible one
 * after it, or the first of the other known vantage.  Returns 0 or -1
 * when out of memory.
 */
int merge_pair(struct merge_set *s);

/*
 * The table's rows in order of start: each pair once (source first) and
 * each unpaired record; *nrows their count.  rows[k] is a record index;
 * the caller frees the array.  NULL when out of memory (or no rows).
 */
size_t *merge_rows(const struct merge_set *s, size_t *nrows);

/* For a pair (a, b): which is the source's; sets *rule. */
void merge_sides(const struct merge_set *s, size_t a, size_t b, size_t *src, size_t *dst, enum merge_rule *rule);

/* A time in a record ("1700000001.123456789", "-2", "1e9") as ns. Returns 0, or -1 when not a number in range. */
int merge_parse_ns(const char *s, mm_ns *out);

/* The table (merge-out.c): fmt "csv" or "json"; fp left open. Returns 0 or -1 on a write error. */
int merge_write(const struct merge_set *s, const char *fmt, FILE *fp);

/* migmeter merge ARGS (merge-cmd.c): reads, pairs, writes the table; the exit status. */
int merge_main(int argc, char **argv);

/* The CSV header's columns, in order, NULL-terminated (for tests and the man page). */
extern const char *const merge_columns[];

#endif
