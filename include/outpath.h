/* outpath.h - where an output goes, checked before anything is read, and how it is written. */
#ifndef MM_OUTPATH_H
#define MM_OUTPATH_H

#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>

/*
 * What an output path names.  "-" is standard output; so is any path that
 * names the file standard output already is (/dev/stdout on a pipe, a
 * socket or a regular file) -- except a character device, which is a
 * stream any number of outputs may share (a terminal, /dev/null).
 */
enum outpath_kind {
	OUTPATH_STDOUT,		/* written to stdout (the stdio stream), in place */
	OUTPATH_STREAM,		/* an existing device, FIFO or socket: opened and written in place */
	OUTPATH_REPLACE,	/* an existing regular file: a temporary file beside it, renamed over */
	OUTPATH_CREATE,		/* nothing there yet: a temporary file in its directory, renamed */
};

struct outpath {
	char *arg;		/* the path as given (owned) */
	enum outpath_kind kind;
	char *dir;		/* REPLACE/CREATE: the final target's directory, symlinks resolved */
	char *name;		/* REPLACE/CREATE: the final target's name in dir */
	int dirfd;		/* REPLACE/CREATE: dir, held open until outpath_release; else -1 */
	dev_t dir_dev;		/* REPLACE/CREATE: dir's identity */
	ino_t dir_ino;
	struct stat st;		/* the target as resolved (REPLACE, STREAM; STDOUT: fd 1) */
	int have_st;
};

/*
 * Resolves `arg` and checks that it can be written, without writing
 * anything: symlinks are followed to their final target (existing or
 * not; a link owned by someone else in a sticky world-writable directory
 * is not followed, as the kernel's protected_symlinks); the directory of
 * a new or regular file must exist and be writable; an existing file must
 * be writable by the effective ids (faccessat AT_EACCESS), and one with
 * no write permission bit at all is refused even for root, who passes
 * every permission check.  Returns 0 (release with outpath_release), or
 * -1 with a one-line reason in err that names `arg` (op is then empty).
 */
int outpath_resolve(struct outpath *op, const char *arg, char *err, size_t errlen);

/* Frees what outpath_resolve took (closes dirfd). Safe on a zeroed or released op. */
void outpath_release(struct outpath *op);

/* 1 when a and b are one file that one output would overwrite with another's; never for char devices. */
int outpath_same(const struct outpath *a, const struct outpath *b);

/* 1 when op names the existing file `in` (same st_dev and st_ino); never for char devices. */
int outpath_names(const struct outpath *op, const struct stat *in);

/*
 * Writes what fn renders to the target op resolved.  Regular files are
 * atomic: fn renders into a temporary file beside the final target, which
 * is flushed, synced and renamed over it (keeping an old file's mode and,
 * where the process may, its owner; a new file gets 0666 less the umask);
 * on any failure the temporary file is removed and the target untouched.
 * STREAM targets are opened and written in place, STDOUT through stdout.
 *
 * The target is checked again first and must still be what op resolved:
 * a new or regular file must not have become a symlink, device, FIFO or
 * directory, a stream target must be the same file (device and inode),
 * and the write-permission check is made again.  So an op resolved at
 * start and written much later (privsep.c) never writes where it did not
 * mean to.  Returns 0, or -1 with a one-line reason in err that names
 * op->arg, never a temporary name.
 */
int outpath_write(struct outpath *op, int (*fn)(FILE *fp, void *ctx), void *ctx, char *err,
		  size_t errlen);

/*
 * For output written as it goes (capture -w): opens the target in place,
 * truncating a regular file (created 0666 less the umask when new), with
 * the same checks as outpath_write.  STDOUT gets a duplicate of fd 1.
 * Returns the stream, or NULL with a one-line reason in err.
 */
FILE *outpath_open_stream(struct outpath *op, char *err, size_t errlen);

/* "standard output" for "-", else the path as given: how messages name an output. */
const char *outpath_label(const char *arg);

#endif
