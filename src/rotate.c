/* rotate.c - the parts of a rotated -w capture: tcpdump's names, exclusive creation, a ring that removes only its own files. */
#include "rotate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outpath.h"

/* One part this rotation made: where (the directory resolved) and which file. */
struct rot_part {
	char *dir, *name;
	dev_t dir_dev, dev;
	ino_t dir_ino, ino;
	int have_btime;		/* birth time known: tells a file apart from a later one on a reused inode */
	struct statx_timestamp btime;
};

/* The file's birth time, where the file system keeps one. 1 (in *bt) or 0. */
static int birth(int dirfd, const char *name, int flags, struct statx_timestamp *bt)
{
	struct statx sx;

	if (statx(dirfd, name, flags | AT_SYMLINK_NOFOLLOW, STATX_BTIME, &sx) != 0 ||
	    !(sx.stx_mask & STATX_BTIME))
		return 0;
	*bt = sx.stx_btime;
	return 1;
}

struct rot {
	char *tmpl;
	struct rot_cfg cfg;
	int numbered;		/* a number follows the name (-C, or -G on a name with no conversion) */
	int width;		/* -W: the number's digits */
	uint64_t k;		/* the next part's number */
	struct rot_part *ring;	/* -W: the parts kept, oldest at ring[head] */
	unsigned head, used;
};

struct rot *rot_new(const char *tmpl, const struct rot_cfg *cfg)
{
	struct rot *r = calloc(1, sizeof(*r));
	unsigned x;

	if (!r)
		return NULL;
	r->tmpl = strdup(tmpl);
	r->ring = cfg->files ? calloc(cfg->files, sizeof(*r->ring)) : NULL;
	if (!r->tmpl || (cfg->files && !r->ring)) {
		rot_free(r);
		return NULL;
	}
	r->cfg = *cfg;
	r->numbered = cfg->bytes > 0 || (cfg->secs > 0 && !strchr(tmpl, '%'));
	/* tcpdump's getWflagChars: the digits of files - 1. */
	for (x = cfg->files ? cfg->files - 1 : 0; x > 0; x /= 10)
		r->width++;
	return r;
}

static void part_clear(struct rot_part *p)
{
	free(p->dir);
	free(p->name);
	memset(p, 0, sizeof(*p));
}

void rot_free(struct rot *r)
{
	unsigned i;

	if (!r)
		return;
	for (i = 0; r->ring && i < r->cfg.files; i++)
		part_clear(&r->ring[i]);
	free(r->ring);
	free(r->tmpl);
	free(r);
}

uint64_t rot_parts(const struct rot *r)
{
	return r->k;
}

int rot_name(const struct rot *r, uint64_t k, int64_t t, char *buf, size_t n)
{
	char base[4096];
	size_t len;
	uint64_t idx;

	if (r->cfg.secs > 0) {
		time_t tt = (time_t)t;
		struct tm tm;

		if (!localtime_r(&tt, &tm))
			return -1;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		/* The -w name is the format, as tcpdump -G takes it (strftime writes no arguments). */
		len = strftime(base, sizeof(base), r->tmpl, &tm);
#pragma GCC diagnostic pop
		if (len == 0 && r->tmpl[0])
			return -1;	/* too long, or a name that is all empty conversions */
	} else {
		len = strlen(r->tmpl);
		if (len >= sizeof(base))
			return -1;
		memcpy(base, r->tmpl, len + 1);
	}
	idx = r->cfg.files && (r->cfg.bytes > 0 || !strchr(r->tmpl, '%')) ? k % r->cfg.files : k;
	if (!r->numbered || (idx == 0 && r->width == 0))
		return (size_t)snprintf(buf, n, "%s", base) < n ? 0 : -1;
	return (size_t)snprintf(buf, n, "%s%0*llu", base, r->width, (unsigned long long)idx) < n ? 0 : -1;
}

/* Keeps part p (taken over) in the ring, whose oldest entry the caller made room for. */
static void keep(struct rot *r, struct rot_part *p)
{
	unsigned at;

	if (!r->cfg.files) {
		part_clear(p);
		return;
	}
	at = (r->head + r->used) % r->cfg.files;
	part_clear(&r->ring[at]);
	r->ring[at] = *p;
	r->used++;
	memset(p, 0, sizeof(*p));
}

/* Where op put the file opened as fd: the ring's record of it. 0 or -1. */
static int note_part(struct rot_part *p, const struct outpath *op, int fd)
{
	struct stat st;

	memset(p, 0, sizeof(*p));
	if (op->kind != OUTPATH_CREATE && op->kind != OUTPATH_REPLACE)
		return -1;
	if (fstat(fd, &st) != 0)
		return -1;
	p->dir = strdup(op->dir);
	p->name = strdup(op->name);
	if (!p->dir || !p->name) {
		part_clear(p);
		return -1;
	}
	p->dir_dev = op->dir_dev;
	p->dir_ino = op->dir_ino;
	p->dev = st.st_dev;
	p->ino = st.st_ino;
	p->have_btime = birth(fd, "", AT_EMPTY_PATH, &p->btime);
	return 0;
}

/* Removes the ring's oldest part if its name still holds that very file; drops it from the ring either way. */
static void remove_oldest(struct rot *r)
{
	struct rot_part *p = &r->ring[r->head];
	struct stat dst, st;
	struct statx_timestamp bt;
	int dfd;

	dfd = open(p->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0 && fstat(dfd, &dst) == 0 && dst.st_dev == p->dir_dev && dst.st_ino == p->dir_ino &&
	    fstatat(dfd, p->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	    st.st_dev == p->dev && st.st_ino == p->ino &&
	    (!p->have_btime || (birth(dfd, p->name, 0, &bt) && bt.tv_sec == p->btime.tv_sec &&
				bt.tv_nsec == p->btime.tv_nsec))) {
		if (unlinkat(dfd, p->name, 0) != 0) {
			/* it stays; the new part is still made exclusively */
		}
	}
	if (dfd >= 0)
		close(dfd);
	part_clear(p);
	r->head = (r->head + 1) % r->cfg.files;
	r->used--;
}

FILE *rot_open_first(struct rot *r, int64_t t, char *err, size_t errlen)
{
	struct outpath op;
	struct rot_part p;
	char name[4096];
	FILE *fp;

	if (rot_name(r, 0, t, name, sizeof(name)) < 0) {
		snprintf(err, errlen, "-w %s: the file name is too long once made", r->tmpl);
		return NULL;
	}
	if (outpath_resolve(&op, name, err, errlen) < 0)
		return NULL;
	if (op.kind != OUTPATH_CREATE && op.kind != OUTPATH_REPLACE) {
		snprintf(err, errlen, "-w %s: a rotated capture (-G, -C) needs a file name, not %s", name,
			 op.kind == OUTPATH_STDOUT ? "standard output" : "a FIFO or a device");
		outpath_release(&op);
		return NULL;
	}
	fp = outpath_open_stream(&op, err, errlen);
	if (fp && note_part(&p, &op, fileno(fp)) == 0)
		keep(r, &p);
	outpath_release(&op);
	if (fp)
		r->k = 1;
	return fp;
}

int rot_open_next(struct rot *r, int64_t t, char *err, size_t errlen)
{
	struct outpath op;
	struct rot_part p;
	char name[4096];
	int fd;

	if (rot_name(r, r->k, t, name, sizeof(name)) < 0) {
		snprintf(err, errlen, "-w %s: part %llu: the file name is too long", r->tmpl,
			 (unsigned long long)r->k);
		return -1;
	}
	if (r->cfg.files && r->used >= r->cfg.files)
		remove_oldest(r);
	if (outpath_resolve(&op, name, err, errlen) < 0)
		return -1;
	if (op.kind != OUTPATH_CREATE) {
		snprintf(err, errlen, "-w: not starting the next part %s: it already exists and is not one "
			 "this capture made (never written over); the current part goes on", name);
		outpath_release(&op);
		return -1;
	}
	fd = openat(op.dirfd, op.name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0) {
		snprintf(err, errlen, "-w: cannot create the next part %s: %s%s", name, strerror(errno),
			 errno == EEXIST ? " (never written over; the current part goes on)" : "");
		outpath_release(&op);
		return -1;
	}
	if (note_part(&p, &op, fd) == 0)
		keep(r, &p);
	outpath_release(&op);
	r->k++;
	return fd;
}
