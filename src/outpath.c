/* outpath.c - output paths: "-" and streams written in place, regular files replaced atomically. */
#include "outpath.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* As the kernel's own limit on symlinks followed in one lookup. */
#define OUTPATH_MAX_LINKS 40

const char *outpath_label(const char *arg)
{
	return strcmp(arg, "-") == 0 ? "standard output" : arg;
}

static const char *type_name(mode_t m)
{
	if (S_ISREG(m))
		return "a regular file";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISLNK(m))
		return "a symlink";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	return "a special file";
}

static int same_id(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* path's directory ("." when it has none) and last component, both malloc'ed; 0 or -1. */
static int split(const char *path, char **dir, char **name)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		*dir = strdup(".");
	else if (slash == path)
		*dir = strdup("/");
	else
		*dir = strndup(path, (size_t)(slash - path));
	*name = strdup(slash ? slash + 1 : path);
	if (!*dir || !*name) {
		free(*dir);
		free(*name);
		*dir = *name = NULL;
		return -1;
	}
	return 0;
}

static void oom(char *err, size_t errlen)
{
	snprintf(err, errlen, "out of memory");
}

/*
 * The kernel's protected_symlinks rule, applied whatever the sysctl says
 * (root follows links on another user's say otherwise): a symlink in a
 * sticky world-writable directory is followed only when it belongs to
 * the follower or to the directory's owner.
 */
static int link_protected(const char *link, const struct stat *lst)
{
	struct stat dst;
	char *dir, *name;
	int prot = 0;

	if (split(link, &dir, &name) < 0)
		return 0;
	if (stat(dir, &dst) == 0 && (dst.st_mode & S_ISVTX) && (dst.st_mode & S_IWOTH) &&
	    lst->st_uid != geteuid() && lst->st_uid != dst.st_uid)
		prot = 1;
	free(dir);
	free(name);
	return prot;
}

/*
 * Follows `arg` while it is a symlink.  Returns the malloc'ed path of what
 * the chain ends at (which need not exist), or NULL with the reason.
 */
static char *follow_links(const char *arg, char *err, size_t errlen)
{
	char *cur = strdup(arg), target[PATH_MAX];
	int hops;

	for (hops = 0; cur; hops++) {
		struct stat lst;
		char *dir, *name, *next;
		ssize_t n;

		if (lstat(cur, &lst) != 0) {
			if (errno == ENOENT)
				return cur;
			snprintf(err, errlen, "cannot write %s: %s", arg, strerror(errno));
			free(cur);
			return NULL;
		}
		if (!S_ISLNK(lst.st_mode))
			return cur;
		if (hops >= OUTPATH_MAX_LINKS) {
			snprintf(err, errlen, "cannot write %s: %s", arg, strerror(ELOOP));
			free(cur);
			return NULL;
		}
		if (link_protected(cur, &lst)) {
			snprintf(err, errlen, "cannot write %s: not following the symlink %s, which belongs "
				 "to another user in a sticky world-writable directory", arg, cur);
			free(cur);
			return NULL;
		}
		n = readlink(cur, target, sizeof(target) - 1);
		if (n < 0) {
			snprintf(err, errlen, "cannot write %s: %s", arg, strerror(errno));
			free(cur);
			return NULL;
		}
		target[n] = '\0';
		next = NULL;
		if (target[0] == '/') {
			next = strdup(target);
		} else if (split(cur, &dir, &name) == 0) {
			if (asprintf(&next, "%s/%s", dir, target) < 0)
				next = NULL;
			free(dir);
			free(name);
		}
		free(cur);
		cur = next;
	}
	oom(err, errlen);
	return NULL;
}

/*
 * The check the shell makes for `>` (the effective ids, ACLs included),
 * and one root would pass: a file with no write bit for anyone is meant
 * to stay as it is.  0, or -1 with the reason.
 */
static int check_writable(int dirfd, const char *name, const struct stat *st, const char *arg,
			  char *err, size_t errlen)
{
	if (faccessat(dirfd, name, W_OK, AT_EACCESS) != 0) {
		snprintf(err, errlen, "cannot write %s: %s (mode %04o); not replaced", arg, strerror(errno),
			 (unsigned)(st->st_mode & 07777));
		return -1;
	}
	if (geteuid() == 0 && !(st->st_mode & (S_IWUSR | S_IWGRP | S_IWOTH))) {
		snprintf(err, errlen, "cannot write %s: it is read-only (mode %04o, no write permission "
			 "for anyone), so it is not replaced even by root", arg,
			 (unsigned)(st->st_mode & 07777));
		return -1;
	}
	return 0;
}

void outpath_release(struct outpath *op)
{
	if (!op)
		return;
	if (op->arg && op->dirfd >= 0)
		close(op->dirfd);
	free(op->arg);
	free(op->dir);
	free(op->name);
	memset(op, 0, sizeof(*op));
	op->dirfd = -1;
}

/* The directory a new or regular target is made in: resolved, held open, writable. */
static int resolve_dir(struct outpath *op, const char *final, char *err, size_t errlen)
{
	struct stat dst;
	char *dir;

	if (split(final, &dir, &op->name) < 0) {
		oom(err, errlen);
		return -1;
	}
	if (!*op->name || strcmp(op->name, ".") == 0 || strcmp(op->name, "..") == 0) {
		snprintf(err, errlen, "cannot write %s: it is a directory", op->arg);
		free(dir);
		return -1;
	}
	op->dir = realpath(dir, NULL);
	if (!op->dir) {
		if (errno == ENOENT)
			snprintf(err, errlen, "cannot write %s: directory %s does not exist", op->arg, dir);
		else
			snprintf(err, errlen, "cannot write %s: %s: %s", op->arg, dir, strerror(errno));
		free(dir);
		return -1;
	}
	free(dir);
	op->dirfd = open(op->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (op->dirfd < 0 && errno == EACCES)
		op->dirfd = open(op->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);	/* no fsync then */
	if (op->dirfd < 0 || fstat(op->dirfd, &dst) != 0) {
		snprintf(err, errlen, "cannot write %s: %s: %s", op->arg, op->dir, strerror(errno));
		return -1;
	}
	op->dir_dev = dst.st_dev;
	op->dir_ino = dst.st_ino;
	return 0;
}

/* The temporary file is made there and renamed: the directory must be writable. */
static int check_dir(const struct outpath *op, char *err, size_t errlen)
{
	if (faccessat(AT_FDCWD, op->dir, W_OK | X_OK, AT_EACCESS) != 0) {
		snprintf(err, errlen, "cannot write %s: cannot create files in %s: %s", op->arg, op->dir,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* What is at dir/name now: nothing (0, *exists 0), a writable regular file (0, *exists 1), or -1. */
static int check_final(struct outpath *op, struct stat *now, int *exists, char *err, size_t errlen)
{
	*exists = 0;
	if (fstatat(op->dirfd, op->name, now, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot write %s: %s", op->arg, strerror(errno));
		return -1;
	}
	if (!S_ISREG(now->st_mode)) {
		snprintf(err, errlen, "cannot write %s: %s/%s is now %s (it was %s when checked); "
			 "not written", op->arg, op->dir, op->name, type_name(now->st_mode),
			 op->kind == OUTPATH_CREATE ? "not there" : "a regular file");
		return -1;
	}
	*exists = 1;
	return check_writable(op->dirfd, op->name, now, op->arg, err, errlen);
}

int outpath_resolve(struct outpath *op, const char *arg, char *err, size_t errlen)
{
	struct stat st, out1;
	char *final = NULL;
	int exists;
	size_t n = strlen(arg);

	memset(op, 0, sizeof(*op));
	op->dirfd = -1;
	op->arg = strdup(arg);
	if (!op->arg) {
		oom(err, errlen);
		return -1;
	}
	if (strcmp(arg, "-") == 0) {
		op->kind = OUTPATH_STDOUT;
		if (fstat(STDOUT_FILENO, &op->st) != 0) {
			snprintf(err, errlen, "cannot write to standard output: it is closed");
			goto fail;
		}
		op->have_st = 1;
		return 0;
	}
	if (n == 0 || arg[n - 1] == '/') {
		snprintf(err, errlen, "cannot write '%s': %s", arg, n ? "it is a directory" : "empty path");
		goto fail;
	}
	if (stat(arg, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "cannot write %s: it is a directory", arg);
			goto fail;
		}
		if (!S_ISCHR(st.st_mode) && fstat(STDOUT_FILENO, &out1) == 0 && same_id(&st, &out1)) {
			op->kind = OUTPATH_STDOUT;
			op->st = out1;
			op->have_st = 1;
			return 0;
		}
		/* The chain's links are checked even though realpath names the target. */
		final = follow_links(arg, err, errlen);
		if (!final)
			goto fail;
		free(final);
		final = NULL;
		if (!S_ISREG(st.st_mode)) {
			op->kind = OUTPATH_STREAM;
			op->st = st;
			op->have_st = 1;
			if (check_writable(AT_FDCWD, arg, &st, arg, err, errlen) < 0)
				goto fail;
			return 0;
		}
		op->kind = OUTPATH_REPLACE;
		final = realpath(arg, NULL);
	} else if (errno == ENOENT) {
		op->kind = OUTPATH_CREATE;
		final = follow_links(arg, err, errlen);
		if (!final)
			goto fail;
	} else {
		snprintf(err, errlen, "cannot write %s: %s", arg, strerror(errno));
		goto fail;
	}
	if (!final) {
		snprintf(err, errlen, "cannot write %s: %s", arg, strerror(errno));
		goto fail;
	}
	if (resolve_dir(op, final, err, errlen) < 0 || check_final(op, &op->st, &exists, err, errlen) < 0 ||
	    check_dir(op, err, errlen) < 0)
		goto fail;
	if (op->kind == OUTPATH_REPLACE && (!exists || !same_id(&op->st, &st))) {
		snprintf(err, errlen, "cannot write %s: it changed while being checked", arg);
		goto fail;
	}
	op->kind = exists ? OUTPATH_REPLACE : OUTPATH_CREATE;
	op->have_st = exists;
	free(final);
	return 0;
fail:
	free(final);
	outpath_release(op);
	return -1;
}

int outpath_same(const struct outpath *a, const struct outpath *b)
{
	if (a->kind == OUTPATH_STDOUT && b->kind == OUTPATH_STDOUT)
		return 1;
	if (a->kind == OUTPATH_CREATE || b->kind == OUTPATH_CREATE)
		return a->kind == b->kind && a->dir_dev == b->dir_dev && a->dir_ino == b->dir_ino &&
		       strcmp(a->name, b->name) == 0;
	if (!a->have_st || !b->have_st || S_ISCHR(a->st.st_mode) || S_ISCHR(b->st.st_mode))
		return 0;
	return same_id(&a->st, &b->st);
}

int outpath_names(const struct outpath *op, const struct stat *in)
{
	if (!op->have_st || S_ISCHR(in->st_mode) || S_ISCHR(op->st.st_mode))
		return 0;
	return same_id(&op->st, in);
}

/* A Unix socket path is written by connecting to it. */
static int connect_unix(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Opens a STREAM target in place, if it is still the file op resolved. Returns the fd or -1. */
static int open_in_place(struct outpath *op, char *err, size_t errlen)
{
	struct stat now;
	int fd;

	if (stat(op->arg, &now) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", op->arg, strerror(errno));
		return -1;
	}
	if (!same_id(&now, &op->st) || (now.st_mode & S_IFMT) != (op->st.st_mode & S_IFMT))
		goto changed;
	if (check_writable(AT_FDCWD, op->arg, &now, op->arg, err, errlen) < 0)
		return -1;
	if (S_ISSOCK(now.st_mode))
		fd = connect_unix(op->arg);
	else
		fd = open(op->arg, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", op->arg, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(now.st_mode) && (fstat(fd, &now) != 0 || !same_id(&now, &op->st))) {
		close(fd);
		goto changed;
	}
	return fd;
changed:
	snprintf(err, errlen, "cannot write %s: it is no longer the %s it was when checked; not written",
		 op->arg, type_name(op->st.st_mode) + 2);
	return -1;
}

/* A fresh name beside the target, created exclusively; the fd, or -1 with errno. */
static int make_temp(struct outpath *op, mode_t mode, char *tmp, size_t n)
{
	static const char al[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	int i, j;

	for (i = 0; i < 100; i++) {
		unsigned char r[8];
		char suf[sizeof(r) + 1];
		int fd;

		if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
			unsigned long v = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16) ^
					  (unsigned long)i * 2654435761UL;

			for (j = 0; j < (int)sizeof(r); j++, v >>= 5)
				r[j] = (unsigned char)v;
		}
		for (j = 0; j < (int)sizeof(r); j++)
			suf[j] = al[r[j] % (sizeof(al) - 1)];
		suf[sizeof(r)] = '\0';
		snprintf(tmp, n, ".%.200s.%s", op->name, suf);
		fd = openat(op->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

/* Renders into a temporary file beside the target and renames it over. */
static int write_replace(struct outpath *op, int (*fn)(FILE *fp, void *ctx), void *ctx, char *err,
			 size_t errlen)
{
	struct stat now;
	char tmp[256];
	FILE *fp;
	int exists, fd;

	if (check_final(op, &now, &exists, err, errlen) < 0)
		return -1;
	fd = make_temp(op, exists ? 0600 : 0666, tmp, sizeof(tmp));
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", op->arg, strerror(errno));
		return -1;
	}
	/* The old file's owner where this process may (chown clears set-id bits), then its mode. */
	if (exists) {
		if (fchown(fd, now.st_uid, now.st_gid) != 0 && fchown(fd, (uid_t)-1, now.st_gid) != 0) {
			/* an ordinary user keeps the file as their own */
		}
		if (fchmod(fd, now.st_mode & 01777) != 0) {
			snprintf(err, errlen, "cannot write %s: %s", op->arg, strerror(errno));
			close(fd);
			goto fail;
		}
	}
	fp = fdopen(fd, "w");
	if (!fp) {
		snprintf(err, errlen, "cannot write %s: %s", op->arg, strerror(errno));
		close(fd);
		goto fail;
	}
	errno = 0;
	if (fn(fp, ctx) < 0 || fflush(fp) != 0 || ferror(fp) || fsync(fd) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", op->arg, errno ? strerror(errno) : "write error");
		fclose(fp);
		goto fail;
	}
	if (fclose(fp) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", op->arg, strerror(errno));
		goto fail;
	}
	if (renameat(op->dirfd, tmp, op->dirfd, op->name) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", op->arg, strerror(errno));
		goto fail;
	}
	/* The rename itself on disk too; an O_PATH directory (not readable) cannot be synced. */
	if (fsync(op->dirfd) != 0) {
		/* the file's data is synced; only the rename may be lost on a crash */
	}
	return 0;
fail:
	unlinkat(op->dirfd, tmp, 0);
	return -1;
}

static int write_stream(struct outpath *op, int (*fn)(FILE *fp, void *ctx), void *ctx, char *err,
			size_t errlen)
{
	int fd = open_in_place(op, err, errlen);
	FILE *fp;

	if (fd < 0)
		return -1;
	fp = fdopen(fd, "w");
	if (!fp) {
		snprintf(err, errlen, "cannot write %s: %s", op->arg, strerror(errno));
		close(fd);
		return -1;
	}
	errno = 0;
	if (fn(fp, ctx) < 0 || fflush(fp) != 0 || ferror(fp)) {
		snprintf(err, errlen, "cannot write %s: %s", op->arg, errno ? strerror(errno) : "write error");
		fclose(fp);
		return -1;
	}
	if (fclose(fp) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", op->arg, strerror(errno));
		return -1;
	}
	return 0;
}

int outpath_write(struct outpath *op, int (*fn)(FILE *fp, void *ctx), void *ctx, char *err,
		  size_t errlen)
{
	switch (op->kind) {
	case OUTPATH_STDOUT:
		errno = 0;
		if (fn(stdout, ctx) < 0 || fflush(stdout) != 0 || ferror(stdout)) {
			snprintf(err, errlen, "cannot write to standard output: %s",
				 errno ? strerror(errno) : "write error");
			clearerr(stdout);
			return -1;
		}
		return 0;
	case OUTPATH_STREAM:
		return write_stream(op, fn, ctx, err, errlen);
	case OUTPATH_REPLACE:
	case OUTPATH_CREATE:
		return write_replace(op, fn, ctx, err, errlen);
	}
	snprintf(err, errlen, "cannot write %s: unresolved", op->arg);
	return -1;
}

FILE *outpath_open_stream(struct outpath *op, char *err, size_t errlen)
{
	struct stat now;
	FILE *fp;
	int exists, fd = -1;

	switch (op->kind) {
	case OUTPATH_STDOUT:
		fflush(stdout);
		fd = dup(STDOUT_FILENO);
		break;
	case OUTPATH_STREAM:
		fd = open_in_place(op, err, errlen);
		if (fd < 0)
			return NULL;
		break;
	case OUTPATH_REPLACE:
	case OUTPATH_CREATE:
		if (check_final(op, &now, &exists, err, errlen) < 0)
			return NULL;
		fd = openat(op->dirfd, op->name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
			    0666);
		if (fd >= 0 && (fstat(fd, &now) != 0 || !S_ISREG(now.st_mode))) {
			close(fd);
			snprintf(err, errlen, "cannot write %s: it changed while being opened", op->arg);
			return NULL;
		}
		break;
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", outpath_label(op->arg), strerror(errno));
		return NULL;
	}
	fp = fdopen(fd, "wb");
	if (!fp) {
		snprintf(err, errlen, "cannot write %s: %s", outpath_label(op->arg), strerror(errno));
		close(fd);
	}
	return fp;
}
