/* recfile.c - the --records file of a long capture: rotated between lines, reopened on SIGHUP. */
#include "recfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct recfile {
	FILE *fp;
	uint64_t size;		/* bytes in the current file */
	uint64_t max_bytes;
	mm_ns max_age, opened;	/* opened: by the clock (MM_NS_NONE: at the first line) */
	recfile_open_fn open;
	void *ctx;
	recfile_clock_fn clock;	/* NULL: CLOCK_REALTIME */
	void *clock_ctx;
	uint64_t rotations;
};

static mm_ns wall_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (mm_ns)t.tv_sec * MM_NS_PER_S + t.tv_nsec;
}

/* Now by the file's clock: the wall clock, or the one set (MM_NS_NONE while it has no time yet). */
static mm_ns rf_now(const struct recfile *rf)
{
	return rf->clock ? rf->clock(rf->clock_ctx) : wall_now();
}

void recfile_set_clock(struct recfile *rf, recfile_clock_fn fn, void *ctx)
{
	rf->clock = fn;
	rf->clock_ctx = ctx;
	rf->opened = MM_NS_NONE;	/* its age counts from the first line */
}

struct recfile *recfile_new(FILE *fp, uint64_t size, uint64_t max_bytes, mm_ns max_age,
			    recfile_open_fn open, void *ctx)
{
	struct recfile *rf = calloc(1, sizeof(*rf));

	if (!rf) {
		fclose(fp);
		return NULL;
	}
	rf->fp = fp;
	rf->size = size;
	rf->max_bytes = max_bytes;
	rf->max_age = max_age;
	rf->opened = wall_now();
	rf->open = open;
	rf->ctx = ctx;
	return rf;
}

void recfile_free(struct recfile *rf)
{
	if (!rf)
		return;
	if (rf->fp)
		fclose(rf->fp);
	free(rf);
}

uint64_t recfile_rotations(const struct recfile *rf)
{
	return rf->rotations;
}

/* Goes on in a file the opener gives. 0, or -1 (err; the current file kept). */
static int go_on(struct recfile *rf, int rotate, char *err, size_t errlen)
{
	struct stat st;
	FILE *fp;
	int fd;

	if (fflush(rf->fp) != 0) {
		snprintf(err, errlen, "--records: %s", strerror(errno));
		return -1;
	}
	fd = rf->open(rf->ctx, rotate, err, errlen);
	if (fd < 0)
		return -1;
	fp = fdopen(fd, "a");
	if (!fp) {
		snprintf(err, errlen, "--records: %s", strerror(errno));
		close(fd);
		return -1;
	}
	fclose(rf->fp);
	rf->fp = fp;
	rf->size = fstat(fd, &st) == 0 && st.st_size > 0 ? (uint64_t)st.st_size : 0;
	rf->opened = rf_now(rf);
	return 0;
}

int recfile_reopen(struct recfile *rf, char *err, size_t errlen)
{
	return go_on(rf, 0, err, errlen);
}

int recfile_line(struct recfile *rf, const char *line, char *err, size_t errlen)
{
	size_t n = strlen(line);
	int warned = 0;
	mm_ns now = rf_now(rf);

	if (rf->opened == MM_NS_NONE)
		rf->opened = now;
	if (rf->size > 0 && ((rf->max_bytes && rf->size + n + 1 > rf->max_bytes) ||
			     (rf->max_age != MM_NS_NONE && now != MM_NS_NONE && mm_sub(now, rf->opened) >= rf->max_age))) {
		if (go_on(rf, 1, err, errlen) == 0)
			rf->rotations++;
		else
			warned = 1;
		if (warned)
			rf->opened = now;	/* tried again after another max_age, not at every line */
	}
	errno = 0;
	if (fwrite(line, 1, n, rf->fp) != n || fputc('\n', rf->fp) == EOF || fflush(rf->fp) == EOF) {
		snprintf(err, errlen, "--records: %s", errno ? strerror(errno) : "write failed");
		return -1;
	}
	rf->size += n + 1;
	return warned;
}

int recfile_open_path(const char *path, struct stat *st, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);

	if (fd < 0 || fstat(fd, st) != 0) {
		snprintf(err, errlen, "--records %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int recfile_move_aside(const char *path, const struct stat *cur, int64_t t, char *err, size_t errlen)
{
	struct stat now;
	struct tm tm;
	time_t tt = (time_t)t;
	char stamp[32], *to = NULL;
	int i;

	if (lstat(path, &now) != 0 || !S_ISREG(now.st_mode) || now.st_dev != cur->st_dev ||
	    now.st_ino != cur->st_ino)
		return 0;	/* moved away already (logrotate): a new FILE is all that is needed */
	if (!gmtime_r(&tt, &tm) || strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0) {
		snprintf(err, errlen, "--records %s: no time to name the rotated file by", path);
		return -1;
	}
	for (i = 0; i < 1000; i++) {
		free(to);
		to = NULL;
		if ((i ? asprintf(&to, "%s.%s.%d", path, stamp, i) : asprintf(&to, "%s.%s", path, stamp)) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (renameat2(AT_FDCWD, path, AT_FDCWD, to, RENAME_NOREPLACE) == 0) {
			free(to);
			return 0;
		}
		if (errno != EEXIST)
			break;
	}
	snprintf(err, errlen, "--records: cannot move %s aside to %s: %s", path, to ? to : "?",
		 strerror(errno));
	free(to);
	return -1;
}
