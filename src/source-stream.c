/* source-stream.c - a capture input opened once and read through one buffer: files, stdin, FIFOs, /dev/fd/N. */
#include "instream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INSTREAM_BUF (64u << 10)

struct instream {
	int fd;
	int owned;		/* 0 for standard input */
	int regular;
	dev_t dev;
	ino_t ino;
	uint8_t *buf;		/* [pos, len) not yet taken */
	size_t pos, len;
};

struct instream *instream_open(const char *path, char *err, size_t errlen)
{
	struct instream *s = calloc(1, sizeof(*s));
	struct stat st;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (strcmp(path, "-") == 0) {
		s->fd = STDIN_FILENO;
	} else {
		s->fd = open(path, O_RDONLY | O_CLOEXEC);
		s->owned = 1;
		if (s->fd < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			free(s);
			return NULL;
		}
	}
	if (fstat(s->fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		instream_close(s);
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a capture", path);
		instream_close(s);
		return NULL;
	}
	/* Standard input is read as a stream even when it is a file: its offset is the shell's. */
	s->regular = s->owned && S_ISREG(st.st_mode);
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	return s;
}

void instream_close(struct instream *s)
{
	if (!s)
		return;
	if (s->owned && s->fd >= 0)
		close(s->fd);
	free(s->buf);
	free(s);
}

int instream_seekable(const struct instream *s)
{
	return s->regular;
}

void instream_id(const struct instream *s, dev_t *dev, ino_t *ino)
{
	*dev = s->dev;
	*ino = s->ino;
}

/*
 * read(2), or pread(2) from `off` when off >= 0, until n bytes or the end;
 * -1 only when nothing could be read.
 */
static ssize_t read_full(int fd, uint8_t *dst, size_t n, int64_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t k = off < 0 ? read(fd, dst + done, n - done) :
			    pread(fd, dst + done, n - done, (off_t)(off + (int64_t)done));

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return done ? (ssize_t)done : -1;
		if (k == 0)
			break;
		done += (size_t)k;
	}
	return (ssize_t)done;
}

/* At least `want` bytes buffered (fewer at the end). Returns what is buffered, or -1. */
static ssize_t fill(struct instream *s, size_t want)
{
	if (!s->buf) {
		s->buf = malloc(INSTREAM_BUF);
		if (!s->buf)
			return -1;
		s->pos = s->len = 0;
	}
	if (s->len - s->pos >= want)
		return (ssize_t)(s->len - s->pos);
	if (s->pos > 0) {
		memmove(s->buf, s->buf + s->pos, s->len - s->pos);
		s->len -= s->pos;
		s->pos = 0;
	}
	while (s->len < want) {
		ssize_t k = read(s->fd, s->buf + s->len, INSTREAM_BUF - s->len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		s->len += (size_t)k;
	}
	return (ssize_t)(s->len - s->pos);
}

ssize_t instream_peek(struct instream *s, void *dst, size_t n)
{
	ssize_t have;

	if (n > INSTREAM_BUF)
		n = INSTREAM_BUF;
	have = fill(s, n);
	if (have < 0)
		return -1;
	if ((size_t)have < n)
		n = (size_t)have;
	memcpy(dst, s->buf + s->pos, n);
	return (ssize_t)n;
}

ssize_t instream_read(struct instream *s, void *dst, size_t n)
{
	uint8_t *d = dst;
	size_t done = 0;

	while (done < n) {
		size_t left = n - done, have = s->buf ? s->len - s->pos : 0;
		ssize_t k;

		if (have > 0) {
			size_t step = have < left ? have : left;

			memcpy(d + done, s->buf + s->pos, step);
			s->pos += step;
			done += step;
			continue;
		}
		if (left >= INSTREAM_BUF) {
			/* Big reads go straight to the caller. */
			k = read_full(s->fd, d + done, left, -1);
			if (k < 0)
				return done ? (ssize_t)done : -1;
			done += (size_t)k;
			break;
		}
		k = fill(s, 1);
		if (k < 0)
			return done ? (ssize_t)done : -1;
		if (k == 0)
			break;
	}
	return (ssize_t)done;
}

int instream_skip(struct instream *s, uint64_t n)
{
	uint8_t tmp[4096];
	size_t have = s->buf ? s->len - s->pos : 0;

	if (n <= have) {
		s->pos += (size_t)n;
		return 0;
	}
	n -= have;
	if (s->buf)
		s->pos = s->len;
	if (s->regular && n <= (uint64_t)INT64_MAX)
		return lseek(s->fd, (off_t)n, SEEK_CUR) < 0 ? -1 : 0;
	while (n > 0) {
		size_t step = n < sizeof(tmp) ? (size_t)n : sizeof(tmp);
		ssize_t k = instream_read(s, tmp, step);

		if (k < 0)
			return -1;
		if ((size_t)k < step)
			return 0;	/* the end: the next read finds it */
		n -= step;
	}
	return 0;
}

ssize_t instream_pread(struct instream *s, void *dst, size_t n, uint64_t off)
{
	if (!s->regular || off > (uint64_t)INT64_MAX - n) {
		errno = ESPIPE;
		return -1;
	}
	return read_full(s->fd, dst, n, (int64_t)off);
}

int instream_rewind(struct instream *s)
{
	if (!s->regular) {
		errno = ESPIPE;
		return -1;
	}
	if (lseek(s->fd, 0, SEEK_SET) < 0)
		return -1;
	free(s->buf);
	s->buf = NULL;
	s->pos = s->len = 0;
	return 0;
}

static ssize_t cookie_read(void *c, char *buf, size_t n)
{
	return instream_read(c, buf, n);
}

static int cookie_close(void *c)
{
	(void)c;
	return 0;
}

FILE *instream_fopen(struct instream *s)
{
	cookie_io_functions_t io = { .read = cookie_read, .close = cookie_close };

	return fopencookie(s, "rb", io);
}
