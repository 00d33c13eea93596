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

static int cycling(const struct rot *r);

/*
 * Keeps part p (number k, taken over) in the ring.  A ring whose names
 * repeat keeps part k in slot k % files (the slot of its name); another
 * keeps its parts in order, oldest at ring[head], the caller having made
 * room.
 */
static void keep(struct rot *r, struct rot_part *p, uint64_t k)
{
	unsigned at;

	if (!r->cfg.files) {
		part_clear(p);
		return;
	}
	if (cycling(r)) {
		at = (unsigned)(k % r->cfg.files);
	} else {
		at = (r->head + r->used) % r->cfg.files;
		r->used++;
	}
	part_clear(&r->ring[at]);
	r->ring[at] = *p;
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

/* Removes ring[at]'s file if its name still holds that very file; drops it from the ring either way. */
static void remove_part(struct rot *r, unsigned at)
{
	struct rot_part *p = &r->ring[at];
	struct stat dst, st;
	struct statx_timestamp bt;
	int dfd;

	if (!p->name)
		return;
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
}

/* Makes room for part k: the part at its name (names that repeat), or the oldest when the ring is full. */
static void make_room(struct rot *r, uint64_t k)
{
	if (!r->cfg.files)
		return;
	if (cycling(r)) {
		if (r->ring[k % r->cfg.files].name)
			remove_part(r, (unsigned)(k % r->cfg.files));
		return;
	}
	if (r->used < r->cfg.files)
		return;
	remove_part(r, r->head);
	r->head = (r->head + 1) % r->cfg.files;
	r->used--;
}

/* Names repeat (-W with a number that is the only thing that varies): the ring reuses them in turn. */
static int cycling(const struct rot *r)
{
	return r->cfg.files && r->numbered && (r->cfg.bytes > 0 || !strchr(r->tmpl, '%'));
}

/* A pcap (either byte order, micro or nano) or pcapng file begins so. */
static int capture_magic(const uint8_t m[4])
{
	static const uint8_t magic[][4] = {
		{ 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xc3, 0xd4 }, { 0x4d, 0x3c, 0xb2, 0xa1 },
		{ 0xa1, 0xb2, 0x3c, 0x4d }, { 0x0a, 0x0d, 0x0d, 0x0a },
	};
	size_t i;

	for (i = 0; i < sizeof(magic) / sizeof(magic[0]); i++)
		if (memcmp(m, magic[i], 4) == 0)
			return 1;
	return 0;
}

/*
 * A restarted ring (-C with -W): a part of an earlier run at ring name k
 * -- a regular file of this user that is a capture -- is taken into the
 * ring, so it is reused in turn instead of refusing every name after the
 * first.  Anything else there stays untouched.
 */
static void adopt(struct rot *r, uint64_t k, int64_t t)
{
	struct outpath op;
	struct rot_part p;
	struct stat st;
	char name[4096], err[256];
	uint8_t m[4];
	int fd;

	if (rot_name(r, k, t, name, sizeof(name)) < 0 || outpath_resolve(&op, name, err, sizeof(err)) < 0)
		return;
	fd = op.kind == OUTPATH_REPLACE ? openat(op.dirfd, op.name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	    read(fd, m, 4) == 4 && capture_magic(m) && note_part(&p, &op, fd) == 0)
		keep(r, &p, k);
	if (fd >= 0)
		close(fd);
	outpath_release(&op);
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
	if (fp && cycling(r)) {
		uint64_t k;

		/* Oldest first: the names after part 0, which the ring reuses next. */
		for (k = 1; k < r->cfg.files; k++)
			adopt(r, k, t);
	}
	if (fp && note_part(&p, &op, fileno(fp)) == 0)
		keep(r, &p, 0);
	outpath_release(&op);
	if (fp)
		r->k = 1;
	return fp;
}

/* Creates `name` exclusively. The fd, or -1: *taken when the name is someone else's (err says so). */
static int create_part(struct rot *r, const char *name, int *taken, char *err, size_t errlen)
{
	struct outpath op;
	struct rot_part p;
	int fd;

	*taken = 0;
	if (outpath_resolve(&op, name, err, errlen) < 0)
		return -1;
	if (op.kind != OUTPATH_CREATE) {
		snprintf(err, errlen, "-w: not starting the next part %s: it already exists and is not one "
			 "this capture made (never written over); the current part goes on", name);
		*taken = 1;
		outpath_release(&op);
		return -1;
	}
	fd = openat(op.dirfd, op.name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0) {
		*taken = errno == EEXIST;
		snprintf(err, errlen, "-w: cannot create the next part %s: %s%s", name, strerror(errno),
			 errno == EEXIST ? " (never written over; the current part goes on)" : "");
		outpath_release(&op);
		return -1;
	}
	if (note_part(&p, &op, fd) == 0)
		keep(r, &p, r->k);
	outpath_release(&op);
	return fd;
}

/* Plain -C numbering skips at most this many names taken by others before giving up. */
#define ROT_MAX_SKIP 1000

int rot_open_next(struct rot *r, int64_t t, char *err, size_t errlen)
{
	char name[4096], first[4096];
	uint64_t skipped = 0;
	int fd, taken;

	make_room(r, r->k);
	for (;;) {
		if (rot_name(r, r->k, t, name, sizeof(name)) < 0) {
			snprintf(err, errlen, "-w %s: part %llu: the file name is too long", r->tmpl,
				 (unsigned long long)r->k);
			return -1;
		}
		fd = create_part(r, name, &taken, err, errlen);
		if (fd >= 0)
			break;
		/* Numbered names that never repeat: one taken (an earlier run's) is passed over. */
		if (!taken || !r->numbered || cycling(r) || skipped >= ROT_MAX_SKIP)
			return -1;
		if (!skipped)
			snprintf(first, sizeof(first), "%s", name);
		skipped++;
		r->k++;
	}
	r->k++;
	err[0] = '\0';
	if (skipped)
		snprintf(err, errlen, "-w: %llu name%s from %s on taken by files this capture did not make "
			 "(left as they are); the next part is %s", (unsigned long long)skipped,
			 skipped == 1 ? "" : "s", first, name);
	return fd;
}
