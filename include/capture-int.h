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
	struct source *from;		/* --from FILE: its frames instead of the live captures' */
	struct source_input in[LIVE_N];
	int dlt[LIVE_N];
	int snap[LIVE_N];		/* snap length of each role's frames (-w's header) */
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
	int64_t clock_start;		/* --from: the first frame's time, Unix seconds (0: the clock's) */
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

/* Set by SIGINT/SIGTERM (stop, still write everything) and SIGHUP (reopen the outputs). */
extern volatile sig_atomic_t capture_stop, capture_hup;

/* How a frame came: its link type, vantage point (live: the role; --from: input and interface), filters. */
struct capture_via {
	int dlt;
	unsigned src;
	uint32_t ifid;
	unsigned match;		/* METER_* bits */
};

/*
 * One frame in timestamp order: saved (-w, role's file) first, then
 * accounted.  h->ts.tv_usec holds nanoseconds.
 */
void capture_take(struct cap *c, unsigned role, const struct pcap_pkthdr *h, const uint8_t *data,
		  const struct capture_via *via);

/* --records: the records complete by capture time `now`; -c counts them. Returns 0 or -1 (err). */
int capture_poll_records(struct cap *c, mm_ns now, char *err, size_t errlen);

/* The one-line progress display on stderr (`elapsed` of wall time). */
void capture_progress(struct cap *c, mm_ns elapsed, uint64_t *last_bytes, mm_ns *last_at);

/*
 * --from FILE (capture-from.c): opens FILE as replay does, for both
 * roles, and fills c->in, c->dlt, c->snap.  Prints why not. Returns 0 or
 * the exit status.
 */
int capture_from_open(struct cap *c, const struct cli_opts *o, const struct filter_spec *mig,
		      const struct filter_spec *icmp);
/*
 * Takes FILE's frames through the capture path at FILE's own times: the
 * records, metrics, -G and --duration/--idle-stop all go by frame time.
 * Returns 0, or -1 when FILE could not be read whole (err says why).
 */
int capture_from_loop(struct cap *c, const struct cli_opts *o, int show, char *err, size_t errlen);
/* After the loop: what the reader counted, into c->in[0] for the report. */
void capture_from_inputs(struct cap *c);

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
