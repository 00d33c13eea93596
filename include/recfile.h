/* recfile.h - the --records file of a capture that runs for days: rotated by size or age, reopened on SIGHUP, whole lines only. */
#ifndef MM_RECFILE_H
#define MM_RECFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "mmtime.h"

/*
 * Asks for the records file again: `rotate` 0 opens FILE anew (after
 * logrotate moved it away), 1 first moves the current FILE aside
 * (recfile_move_aside) and then opens a new one.  Returns a descriptor
 * opened for appending, or -1 with a one-line reason in err.
 */
typedef int (*recfile_open_fn)(void *ctx, int rotate, char *err, size_t errlen);

struct recfile;

/*
 * Writes record lines to fp (taken over; closed by recfile_free), which
 * holds `size` bytes already.  Before a line is written, the file is
 * rotated when it is not empty and the line would take it past
 * max_bytes (0: no size limit), or when it was opened max_age or more
 * ago (MM_NS_NONE: no age limit) -- so a rotation falls between lines,
 * never inside one, and never leaves an empty file behind.  NULL when
 * out of memory (fp is then closed).
 */
struct recfile *recfile_new(FILE *fp, uint64_t size, uint64_t max_bytes, mm_ns max_age,
			    recfile_open_fn open, void *ctx);
void recfile_free(struct recfile *rf);	/* NULL is a no-op */

/*
 * The clock max_age is judged by (and the file's open time taken from),
 * instead of CLOCK_REALTIME: capture --from gives the saved capture's
 * time.  The file's age then counts from its first line (the clock may
 * have no time before: MM_NS_NONE).
 */
typedef mm_ns (*recfile_clock_fn)(void *ctx);
void recfile_set_clock(struct recfile *rf, recfile_clock_fn fn, void *ctx);

/*
 * One record line (no newline; one is added), written whole and flushed,
 * after a rotation when one is due.  A rotation that fails is said in
 * err's place once and the line goes to the current file: 1 is returned
 * then (a line written, with a warning in err), 0 when all went well, -1
 * when the line could not be written (err says why).
 */
int recfile_line(struct recfile *rf, const char *line, char *err, size_t errlen);

/*
 * SIGHUP: opens FILE again and goes on there; the old stream is closed
 * only once the new one is open, so a line goes to exactly one of them.
 * Returns 0, or -1 (err; the old file is kept).
 */
int recfile_reopen(struct recfile *rf, char *err, size_t errlen);

/* Rotations made so far. */
uint64_t recfile_rotations(const struct recfile *rf);

/* ---- the file operations, run where files may be created (the root parent under -Z) ---- */

/*
 * Opens `path` for appending, created (0644 less the umask) when missing,
 * never truncated; *st gets what it opened.  Returns the fd or -1 (err).
 */
int recfile_open_path(const char *path, struct stat *st, char *err, size_t errlen);

/*
 * Renames `path` to path.YYYYMMDDTHHMMSSZ (UTC time t; ".1", ".2", ...
 * after it when taken: never over an existing file), but only when path
 * is still the file `cur` (device and inode): a FILE someone moved away
 * and replaced is left alone.  Returns 0 (moved, or nothing to move) or
 * -1 (err).
 */
int recfile_move_aside(const char *path, const struct stat *cur, int64_t t, char *err, size_t errlen);

#endif
