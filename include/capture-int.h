/* capture-int.h - the capture command's state, shared by its files (capture.c, capture-dump.c, capture-svc.c). */
#ifndef MIGMETER_CAPTURE_INT_H
#define MIGMETER_CAPTURE_INT_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "cli.h"
#include "live.h"
#include "meter.h"
#include "source.h"

struct caprec;
struct capprom;
struct dump;
struct recfile;
struct rot;
struct tsm;

/* What the capture asks privsep_open for (the opener is capture_file_op). */
enum capture_file_op { CAPTURE_OP_DUMP_NEXT = 1, CAPTURE_OP_REC_OPEN, CAPTURE_OP_REC_ROTATE };

struct cap {
	struct meter m;
	struct live *live;
	struct tsm *merge;		/* both captures into one timeline before anything else */
	struct dump *dump[LIVE_N];	/* the file each role's frames go to (may be shared) */
	unsigned dump_if[LIVE_N];	/* interface number within that file */
	struct source_input in[LIVE_N];
	int dlt[LIVE_N];
	mm_ns last_mig_ts;		/* newest frame of a migration flow (idle stop) */
	uint64_t bad_time;
	int dump_failed;
	uint64_t count;			/* -c: stop after this many completed migrations (0: no limit) */
	int count_done;			/* -c reached: later frames are neither taken nor saved */
	struct caprec *rec;		/* records as they complete (--records, -c); NULL: neither */
	FILE *rec_fp;			/* --records, opened before the privilege drop */
	struct capprom *prom;		/* --prom-textfile, --metrics-listen; NULL: neither */
	int show, quiet;		/* the progress line is up; -q */
	/* running for days (capture-dump.c, capture-svc.c) */
	struct rot *rot[LIVE_N];	/* -G/-C: each -w file's parts (ICMP: only when apart) */
	int64_t part_start;		/* -G: the current part's start, Unix seconds of frame time */
	int64_t rotate_secs;
	uint64_t rotate_bytes, retry_bytes;	/* -C; after a refused part, the size to try again at */
	int rotate_now;			/* SIGHUP: a new part before the next frame */
	unsigned rot_failed;		/* parts refused (exit 1 at the end) */
	uint64_t parts;			/* parts started after the first */
	struct recfile *recf;		/* --records FILE (not stdout): rotated, reopened */
	const char *rec_path;
	struct stat rec_st;		/* the records file last opened (where files are opened) */
	unsigned rec_warned;		/* records rotations or reopenings that failed */
};

/* -w: opens the file(s) the frames are saved to; prints why not. Returns 0 or -1. */
int capture_open_dumps(struct cap *c, const struct cli_opts *o, const char *const ifn[LIVE_N]);
/* Closes them (flushing); prints why one failed. Returns 0 or -1 (also when a rotation was refused). */
int capture_close_dumps(struct cap *c);

/* Saves one frame (-w), first starting the next part when -G, -C or SIGHUP says so. */
void capture_dump_frame(struct cap *c, unsigned role, const struct pcap_pkthdr *h, const uint8_t *data);

/* privsep_open's opener: the next -w part, the records file again (privsep.h). */
int capture_file_op(void *ctx, unsigned op, unsigned which, int64_t t, char *err, size_t errlen);

/*
 * --records FILE as a service keeps it (capture-svc.c): opened before the
 * privilege drop, then written through a recfile (rotation, SIGHUP).
 * Prints why not. Returns 0 or -1.
 */
int capture_records_open(struct cap *c, const struct cli_opts *o);
/* After caprec_new: its lines go through the recfile. */
void capture_records_attach(struct cap *c);

/* SIGHUP: --records FILE opened again, and with -G/-C a new -w part. Warns on stderr if it fails. */
void capture_reopen(struct cap *c);

/* Closes the records file (the recfile or the stream). */
void capture_records_close(struct cap *c);

#endif
