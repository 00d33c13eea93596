/* out.c - the table of report writers and file output (atomic, or in place for streams). */
#include "out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outpath.h"

static const struct out_writer writers[] = {
	{ "text", out_text },
	{ "csv", out_csv_flows },
	{ "json", out_json },
};

const struct out_writer *out_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(writers) / sizeof(writers[0]); i++)
		if (strcmp(writers[i].name, name) == 0)
			return &writers[i];
	return NULL;
}

void out_si(char *buf, size_t n, double v, const char *unit)
{
	static const char *const prefix[] = { "", "k", "M", "G", "T" };
	int u = 0;

	while (v >= 1000.0 && u < 4) {
		v /= 1000.0;
		u++;
	}
	snprintf(buf, n, "%.3g %s%s", v, prefix[u], unit);
}

const char *out_names(void)
{
	return "text, csv, json";
}

/* Where out_atomic sends its files once privileges are dropped; -1: write them here. */
static int relay_fd = -1;

void out_set_relay(int fd)
{
	relay_fd = fd;
}

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);	/* the relay is a socket: EPIPE, not SIGPIPE */

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Renders in memory and has the privileged process write the file. */
static int relay_atomic(const char *path, int (*fn)(FILE *fp, void *ctx), void *ctx, char *err,
			size_t errlen)
{
	struct out_relay_req req;
	struct out_relay_rep rep;
	char *buf = NULL;
	size_t len = 0, got = 0;
	FILE *fp = open_memstream(&buf, &len);
	int rc = -1;

	if (!fp) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (fn(fp, ctx) < 0 || fclose(fp) != 0) {
		snprintf(err, errlen, "cannot write %s: out of memory", path);
		goto out;
	}
	req.magic = OUT_RELAY_MAGIC;
	req.pathlen = (uint32_t)strlen(path);
	req.datalen = len;
	if (write_all(relay_fd, &req, sizeof(req)) < 0 || write_all(relay_fd, path, req.pathlen) < 0 ||
	    write_all(relay_fd, buf, len) < 0) {
		snprintf(err, errlen, "cannot write %s: the privileged process is gone", path);
		goto out;
	}
	while (got < sizeof(rep)) {
		ssize_t r = read(relay_fd, (char *)&rep + got, sizeof(rep) - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "cannot write %s: the privileged process is gone", path);
			goto out;
		}
		got += (size_t)r;
	}
	rep.err[sizeof(rep.err) - 1] = '\0';
	if (rep.rc != 0)
		snprintf(err, errlen, "%s", rep.err);
	rc = rep.rc == 0 ? 0 : -1;
out:
	free(buf);
	return rc;
}

int out_atomic(const char *path, int (*fn)(FILE *fp, void *ctx), void *ctx, char *err, size_t errlen)
{
	struct outpath op;
	int rc;

	/* Standard output is this process's own, with or without a relay. */
	if (relay_fd >= 0 && strcmp(path, "-") != 0)
		return relay_atomic(path, fn, ctx, err, errlen);
	if (outpath_resolve(&op, path, err, errlen) < 0)
		return -1;
	rc = outpath_write(&op, fn, ctx, err, errlen);
	outpath_release(&op);
	return rc;
}
