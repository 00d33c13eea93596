/* rotate.h - the parts of a rotated -w capture (-G, -C, -W): their names, as tcpdump makes them, and the ring. */
#ifndef MM_ROTATE_H
#define MM_ROTATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct rot_cfg {
	int64_t secs;		/* -G: a new part every secs seconds of frame time; 0: not by time */
	uint64_t bytes;		/* -C: a new part once the current one is larger; 0: not by size */
	unsigned files;		/* -W: keep this many parts, removing the oldest; 0: keep every part */
};

struct rot;

/* A rotation of the -w name `tmpl` (copied), or NULL when out of memory. */
struct rot *rot_new(const char *tmpl, const struct rot_cfg *cfg);
void rot_free(struct rot *r);	/* NULL is a no-op; closes nothing */

/*
 * The name of part k made at Unix time t: with -G, tmpl through
 * strftime(3) in local time; then, with -C or when tmpl has no '%'
 * (a -G name that would repeat), a number after it as tcpdump -C
 * numbers: none for part 0, then 1, 2, ...; with -W the number is
 * k modulo the file count, zero-padded to the digits of count - 1
 * (file0, file1, file2, file0, ...).  Returns 0, or -1 when the name
 * does not fit in n bytes.
 */
int rot_name(const struct rot *r, uint64_t k, int64_t t, char *buf, size_t n);

/*
 * Opens part 0 at time t by -w's rules (outpath.h: a writable regular
 * file is truncated, a new one created; no stream: a rotated capture
 * has no part 1 beside a FIFO).  Returns the stream, or NULL with a
 * one-line reason in err.
 */
FILE *rot_open_first(struct rot *r, int64_t t, char *err, size_t errlen);

/*
 * Creates the next part at time t and returns its descriptor.  With -W
 * and the ring full, the oldest part is removed first -- only if the
 * name still holds the very file this rotation created (device, inode
 * and, where the file system keeps one, birth time, so a file made later
 * on a reused inode is not taken for it) -- so the ring removes only its
 * own files.  A new part is created exclusively: a name already taken by
 * anything else (a file of an earlier run, someone's symlink) is never
 * written over.  With plain -C numbering the part takes the next free
 * number instead (err then holds a note on success, else err[0] is 0);
 * a taken strftime or ring name refuses the part (-1, err says why) and
 * the caller goes on in the current one.  Returns the fd (close-on-exec)
 * or -1.
 *
 * rot_open_first of a ring whose names repeat (-C with -W) takes the
 * files at its other names into the ring when they are parts of an
 * earlier run (regular files of this user holding a pcap or pcapng
 * magic), so a restarted capture reuses them in turn; anything else at
 * those names is never touched.
 */
int rot_open_next(struct rot *r, int64_t t, char *err, size_t errlen);

/* Parts made so far (part 0 included). */
uint64_t rot_parts(const struct rot *r);

#endif
