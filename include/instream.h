/* instream.h - one capture input opened once (a file, "-" for stdin, a FIFO, /dev/fd/N) and read through one buffer. */
#ifndef MM_INSTREAM_H
#define MM_INSTREAM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * Everything reads an input through this one buffer, so bytes looked at
 * to tell the format (instream_peek) are still there for the reader that
 * follows, on a pipe as on a file.  A regular file may also be read at
 * any offset (instream_pread, for a scan of its record times) and from
 * the start again (instream_rewind) without being opened twice.
 */
struct instream;

/*
 * Opens `path` for reading; "-" is standard input (left open by
 * instream_close).  Returns NULL with a one-line reason in err.
 */
struct instream *instream_open(const char *path, char *err, size_t errlen);

/* Closes what instream_open opened; NULL is a no-op. */
void instream_close(struct instream *s);

/* 1 for a regular file (pread, rewind and a scan are possible), 0 for a pipe, FIFO or device. */
int instream_seekable(const struct instream *s);

/* Device and inode of what was opened. */
void instream_id(const struct instream *s, dev_t *dev, ino_t *ino);

/* Copies up to n bytes from the current position without taking them. Returns the count (< n at the end), or -1. */
ssize_t instream_peek(struct instream *s, void *dst, size_t n);

/* Reads n bytes: returns n, fewer only at the end of the input, or -1 (errno set). */
ssize_t instream_read(struct instream *s, void *dst, size_t n);

/* Passes over n bytes (seeks in a regular file). 0, or -1 (errno set). */
int instream_skip(struct instream *s, uint64_t n);

/* Regular files: n bytes at `off`, the current position untouched. Returns the count, or -1. */
ssize_t instream_pread(struct instream *s, void *dst, size_t n, uint64_t off);

/* Regular files: back to the first byte, the buffer released until the next read. 0 or -1. */
int instream_rewind(struct instream *s);

/*
 * A stdio stream that reads s from its current position (for libpcap's
 * pcap_fopen_offline).  Closing it leaves s open; it must be closed
 * before s.  NULL when out of memory.
 */
FILE *instream_fopen(struct instream *s);

#endif
