/* privsep.c - the capture parses packets unprivileged; a root parent writes its output files. */
#include "privsep.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "out.h"
#include "outpath.h"

/* The child the parent forwards SIGINT/SIGTERM/SIGHUP to (a signal handler needs it). */
static volatile pid_t privsep_child;

/* What opens a long capture's next files (privsep_set_opener); in the child, the socket to ask on. */
static privsep_open_fn privsep_opener;
static void *privsep_opener_ctx;
static int privsep_fd = -1;

void privsep_set_opener(privsep_open_fn fn, void *ctx)
{
	privsep_opener = fn;
	privsep_opener_ctx = ctx;
}

static void forward(int sig)
{
	if (privsep_child > 0)
		kill(privsep_child, sig);
}

static int read_full(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

struct blob {
	const char *data;
	size_t len;
};

static int write_blob(FILE *fp, void *ctx)
{
	const struct blob *b = ctx;

	return fwrite(b->data, 1, b->len, fp) == b->len ? 0 : -1;
}

/*
 * The outputs the command line names, resolved once by the root parent
 * when the capture starts: a request is written where its path pointed
 * then, and only if the target is still what it was (outpath_write), so
 * that nothing swapped in meanwhile -- a device node, a symlink to a file
 * of root's -- is written by root.
 */
struct target {
	struct outpath op;
	int ok;
	char err[252];		/* why it cannot be written, when !ok */
};

static struct target *resolve_all(char *const *allowed, size_t *n)
{
	struct target *t;
	size_t i;

	for (*n = 0; allowed && allowed[*n]; (*n)++)
		;
	t = calloc(*n ? *n : 1, sizeof(*t));
	if (!t)
		return NULL;
	for (i = 0; i < *n; i++)
		t[i].ok = outpath_resolve(&t[i].op, allowed[i], t[i].err, sizeof(t[i].err)) == 0;
	return t;
}

static void release_all(struct target *t, size_t n)
{
	size_t i;

	for (i = 0; t && i < n; i++)
		outpath_release(&t[i].op);
	free(t);
}

static struct target *find_target(struct target *t, size_t n, char *const *allowed, const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(allowed[i], path) == 0)
			return &t[i];
	return NULL;
}

/* Largest output the parent accepts in one request (a report or a time series). */
#define PRIVSEP_MAX_BLOB (1024ULL * 1024 * 1024)

_Static_assert(sizeof(struct privsep_open_req) == sizeof(struct out_relay_req),
	       "the open request is read as a write request's header");

/* Sends the answer, and the descriptor with it when there is one. 0, or -1 when the child is gone. */
static int send_rep(int sock, const struct out_relay_rep *rep, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { (void *)rep, sizeof(*rep) };
	struct msghdr mh;
	ssize_t w;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd >= 0) {
		struct cmsghdr *cm;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	do
		w = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	return w == (ssize_t)sizeof(*rep) ? 0 : -1;
}

/* One open request: the opener decides the file; its descriptor goes to the child, none stays here. */
static int serve_open(int sock, const struct privsep_open_req *req)
{
	struct out_relay_rep rep;
	int fd = -1, rc;

	memset(&rep, 0, sizeof(rep));
	rep.rc = -1;
	if (!privsep_opener || req->op == PRIVSEP_OP_ENTER)
		snprintf(rep.err, sizeof(rep.err), "the privileged process opens no such file");
	else
		fd = privsep_opener(privsep_opener_ctx, req->op, req->which, req->t, rep.err,
				    sizeof(rep.err));
	if (fd >= 0)
		rep.rc = 0;	/* rep.err: the opener's note, if any */
	rc = send_rep(sock, &rep, fd);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The child's side: asks the parent, receives the answer and the descriptor. */
static int remote_open(unsigned op, unsigned which, int64_t t, char *err, size_t errlen)
{
	struct privsep_open_req req;
	struct out_relay_rep rep;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *cm;
	size_t got = 0;
	int fd = -1;

	memset(&req, 0, sizeof(req));
	req.magic = PRIVSEP_OPEN_MAGIC;
	req.op = (uint16_t)op;
	req.which = (uint16_t)which;
	req.t = t;
	if (send(privsep_fd, &req, sizeof(req), MSG_NOSIGNAL) != (ssize_t)sizeof(req))
		goto gone;
	while (got < sizeof(rep)) {
		ssize_t r;

		iov.iov_base = (char *)&rep + got;
		iov.iov_len = sizeof(rep) - got;
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		r = recvmsg(privsep_fd, &mh, MSG_CMSG_CLOEXEC);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			goto gone;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS && fd < 0)
				memcpy(&fd, CMSG_DATA(cm), sizeof(int));
		got += (size_t)r;
	}
	rep.err[sizeof(rep.err) - 1] = '\0';
	if (rep.rc == 0 && fd >= 0) {
		snprintf(err, errlen, "%s", rep.err);	/* a note, or empty */
		return fd;
	}
	if (fd >= 0)
		close(fd);
	snprintf(err, errlen, "%s", rep.rc == 0 ? "the privileged process sent no file" : rep.err);
	return -1;
gone:
	if (fd >= 0)
		close(fd);
	snprintf(err, errlen, "the privileged process is gone");
	return -1;
}

int privsep_open(unsigned op, unsigned which, int64_t t, char *err, size_t errlen)
{
	if (op == PRIVSEP_OP_ENTER) {
		snprintf(err, errlen, "no such file");
		return -1;
	}
	if (privsep_fd >= 0)
		return remote_open(op, which, t, err, errlen);
	if (!privsep_opener) {
		snprintf(err, errlen, "nothing opens that file");
		return -1;
	}
	return privsep_opener(privsep_opener_ctx, op, which, t, err, errlen);
}

/* Serves write requests until the child closes its end. */
static void serve(int fd, char *const *allowed, struct target *targets, size_t ntargets)
{
	for (;;) {
		struct out_relay_req req;
		struct out_relay_rep rep;
		char *path = NULL, *data = NULL;
		struct blob b;
		struct target *t;

		if (read_full(fd, &req, sizeof(req)) < 0)
			return;
		if (req.magic == PRIVSEP_OPEN_MAGIC) {
			struct privsep_open_req oreq;

			memcpy(&oreq, &req, sizeof(oreq));
			if (serve_open(fd, &oreq) < 0)
				return;
			continue;
		}
		memset(&rep, 0, sizeof(rep));
		rep.rc = -1;
		if (req.magic != OUT_RELAY_MAGIC || req.pathlen == 0 || req.pathlen > 4096 ||
		    req.datalen > PRIVSEP_MAX_BLOB)
			return;
		path = calloc(1, req.pathlen + 1);
		data = malloc(req.datalen ? req.datalen : 1);
		if (!path || !data || read_full(fd, path, req.pathlen) < 0 ||
		    read_full(fd, data, req.datalen) < 0) {
			free(path);
			free(data);
			return;
		}
		b.data = data;
		b.len = req.datalen;
		t = find_target(targets, ntargets, allowed, path);
		if (!t)
			snprintf(rep.err, sizeof(rep.err), "refusing to write %.180s: not an output "
				 "named on the command line", path);
		else if (!t->ok)
			snprintf(rep.err, sizeof(rep.err), "%s", t->err);
		else if (outpath_write(&t->op, write_blob, &b, rep.err, sizeof(rep.err)) == 0)
			rep.rc = 0;
		free(path);
		free(data);
		if (write(fd, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
			return;
	}
}

static int drop_to(const struct passwd *pw, char *err, size_t errlen)
{
	if (setgroups(0, NULL) != 0 || initgroups(pw->pw_name, pw->pw_gid) != 0 ||
	    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		snprintf(err, errlen, "cannot drop privileges to %s: %s", pw->pw_name, strerror(errno));
		return -1;
	}
	if (pw->pw_uid != 0 && setuid(0) == 0) {
		snprintf(err, errlen, "dropped to %s but could regain root", pw->pw_name);
		return -1;
	}
	return 0;
}

int privsep_drop_caps(char *err, size_t errlen)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	/* No capability effective, permitted or inheritable; and none to gain by exec either. */
	if (syscall(SYS_capset, &h, d) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int privsep_start(const char *user, char *const *allowed, int *status, char *err, size_t errlen)
{
	struct passwd *pw = getpwnam(user);
	struct sigaction sa;
	struct target *targets;
	size_t ntargets;
	sigset_t block, old;
	int sv[2], wst;
	pid_t pid;

	*status = 1;
	if (!pw) {
		snprintf(err, errlen, "no user '%s' to drop root to; name one with -Z USER (or -Z root "
			 "to keep root)", user);
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return -1;
	}
	/* Nothing buffered may be written twice, once by each process. */
	fflush(NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (drop_to(pw, err, errlen) < 0) {
			close(sv[1]);
			return -1;
		}
		out_set_relay(sv[1]);
		privsep_fd = sv[1];
		return 1;
	}
	close(sv[1]);
	privsep_child = pid;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (privsep_opener) {
		char why[64];

		privsep_opener(privsep_opener_ctx, PRIVSEP_OP_ENTER, 0, 0, why, sizeof(why));
	}
	/* Resolved here, as root, once: the child never holds the directories open. */
	targets = resolve_all(allowed, &ntargets);
	if (targets)
		serve(sv[0], allowed, targets, ntargets);
	release_all(targets, ntargets);
	close(sv[0]);
	while (waitpid(pid, &wst, 0) < 0) {
		if (errno != EINTR) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
	}
	privsep_child = 0;
	if (WIFEXITED(wst)) {
		*status = WEXITSTATUS(wst);
		return 0;
	}
	snprintf(err, errlen, "the capture process died of signal %d",
		 WIFSIGNALED(wst) ? WTERMSIG(wst) : 0);
	return -1;
}
