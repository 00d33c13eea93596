/* capture-int.h - the capture command's state, shared by its files (capture.c, capture-dump.c). */
#ifndef MIGMETER_CAPTURE_INT_H
#define MIGMETER_CAPTURE_INT_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "live.h"
#include "meter.h"
#include "source.h"

struct caprec;
struct capprom;
struct dump;
struct tsm;

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
};

/* -w: opens the file(s) the frames are saved to; prints why not. Returns 0 or -1. */
int capture_open_dumps(struct cap *c, const struct cli_opts *o, const char *const ifn[LIVE_N]);
/* Closes them (flushing); prints why one failed. Returns 0 or -1. */
int capture_close_dumps(struct cap *c);

#endif
