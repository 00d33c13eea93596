/* capture-dump.c - the capture command's -w files: one, or the ICMP capture's apart when the link types differ; rotated (-G, -C, -W) and the opener of their next parts. */
#include "capture-int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dump.h"
#include "outpath.h"
#include "privsep.h"
#include "recfile.h"
#include "rotate.h"

/*
 * One -w file: as dump_open, or with -G/-C the first part of its
 * rotation (c->rot[which]), whose later parts capture_file_op makes.
 */
static struct dump *open_one(struct cap *c, const struct cli_opts *o, unsigned which, const char *path,
			     int pcapng, int dlt, int snap, const char *const *ifn, size_t nif, char *err,
			     size_t errlen)
{
	struct rot_cfg rc;
	char name[4096];
	FILE *fp;

	if (!o->rotate_secs && !o->rotate_bytes)
		return dump_open(path, pcapng, dlt, snap, ifn, nif, err, errlen);
	rc.secs = o->rotate_secs;
	rc.bytes = o->rotate_bytes;
	rc.files = o->rotate_files;
	c->rot[which] = rot_new(path, &rc);
	if (!c->rot[which]) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* the first part is named (and -G counted) from now, or from --from FILE's first frame */
	c->part_start = c->clock_start ? c->clock_start : (int64_t)time(NULL);
	c->rotate_secs = o->rotate_secs;
	c->rotate_bytes = o->rotate_bytes;
	fp = rot_open_first(c->rot[which], c->part_start, err, errlen);
	if (!fp)
		return NULL;
	if (rot_name(c->rot[which], 0, c->part_start, name, sizeof(name)) < 0)
		snprintf(name, sizeof(name), "%s", path);
	return dump_open_fp(fp, name, pcapng, dlt, snap, ifn, nif, err, errlen);
}

/* -w names a file (new or regular), not stdout, a FIFO or a device: a second file can go beside it. */
static int dump_is_file(const char *path)
{
	struct outpath op;
	char err[512];
	int file;

	if (outpath_resolve(&op, path, err, sizeof(err)) < 0)
		return 1;	/* dump_open says why */
	file = op.kind == OUTPATH_REPLACE || op.kind == OUTPATH_CREATE;
	outpath_release(&op);
	return file;
}

/*
 * -w: one file; or, when the two captures' link types differ (a file has
 * one, for libpcap), the ICMP capture in a second "-icmp" file beside it
 * (refused when -w is stdout, a FIFO or a device: a stream has no beside).
 */
int capture_open_dumps(struct cap *c, const struct cli_opts *o, const char *const ifn[LIVE_N])
{
	const char *dot = strrchr(o->write, '.');
	int pcapng = dot && strcmp(dot, ".pcapng") == 0;
	int same_if = strcmp(ifn[LIVE_MIG], ifn[LIVE_ICMP]) == 0;
	int snap = c->snap[LIVE_MIG];
	char err[512];

	if (c->dlt[LIVE_MIG] == c->dlt[LIVE_ICMP] && snap == c->snap[LIVE_ICMP]) {
		/* pcapng names each interface; pcap has no names. */
		c->dump[LIVE_MIG] = open_one(c, o, LIVE_MIG, o->write, pcapng, c->dlt[LIVE_MIG], snap, ifn,
					     same_if ? 1 : 2, err, sizeof(err));
		c->dump[LIVE_ICMP] = c->dump[LIVE_MIG];
		c->dump_if[LIVE_ICMP] = same_if ? 0 : 1;
	} else {
		size_t n = strlen(o->write) + 16;
		char *icmp;

		if (!dump_is_file(o->write)) {
			fprintf(stderr, "migmeter: -w %s: the two captures have different link types (%s on "
				"%s, %s on %s) and need two files; give -w a file name\n",
				o->write, c->in[LIVE_MIG].dlt_name,
				ifn[LIVE_MIG], c->in[LIVE_ICMP].dlt_name, ifn[LIVE_ICMP]);
			return -1;
		}
		icmp = malloc(n);
		if (!icmp) {
			fprintf(stderr, "migmeter: out of memory\n");
			return -1;
		}
		if (dot && dot != o->write)
			snprintf(icmp, n, "%.*s-icmp%s", (int)(dot - o->write), o->write, dot);
		else
			snprintf(icmp, n, "%s-icmp", o->write);
		c->dump[LIVE_MIG] = open_one(c, o, LIVE_MIG, o->write, pcapng, c->dlt[LIVE_MIG], snap,
					     &ifn[LIVE_MIG], 1, err, sizeof(err));
		if (c->dump[LIVE_MIG]) {
			c->dump[LIVE_ICMP] = open_one(c, o, LIVE_ICMP, icmp, pcapng, c->dlt[LIVE_ICMP],
						      c->snap[LIVE_ICMP], &ifn[LIVE_ICMP],
						      1, err, sizeof(err));
			if (c->dump[LIVE_ICMP] && !o->quiet)
				fprintf(stderr, "migmeter: the ICMP capture (%s, link type %s) is saved "
					"apart in %s\n", ifn[LIVE_ICMP], c->in[LIVE_ICMP].dlt_name,
					icmp);
		}
		free(icmp);
	}
	if (!c->dump[LIVE_MIG] || !c->dump[LIVE_ICMP]) {
		fprintf(stderr, "migmeter: %s\n", err);
		return -1;
	}
	return 0;
}

/* Closes the -w streams (flushing). 0, or -1 after saying why. */
static int close_streams(struct cap *c)
{
	char err[512];
	int rc = 0;

	if (c->dump[LIVE_ICMP] && c->dump[LIVE_ICMP] != c->dump[LIVE_MIG]) {
		if (dump_close(c->dump[LIVE_ICMP], err, sizeof(err)) < 0) {
			fprintf(stderr, "migmeter: %s\n", err);
			rc = -1;
		}
	}
	if (dump_close(c->dump[LIVE_MIG], err, sizeof(err)) < 0) {
		fprintf(stderr, "migmeter: %s\n", err);
		rc = -1;
	}
	c->dump[LIVE_MIG] = c->dump[LIVE_ICMP] = NULL;
	return rc;
}

int capture_close_dumps(struct cap *c)
{
	unsigned role;
	int rc = close_streams(c);

	for (role = 0; role < LIVE_N; role++) {
		rot_free(c->rot[role]);
		c->rot[role] = NULL;
	}
	if (c->rot_failed) {
		fprintf(stderr, "migmeter: -w: %u rotation%s refused (see above): a part went on past its "
			"-G/-C limit\n", c->rot_failed, c->rot_failed == 1 ? " was" : "s were");
		c->rot_failed = 0;
		rc = -1;
	}
	return rc;
}

int capture_file_op(void *ctx, unsigned op, unsigned which, int64_t t, char *err, size_t errlen)
{
	struct cap *c = ctx;
	int fd;

	switch (op) {
	case PRIVSEP_OP_ENTER:
		/* The root parent: the child writes these; its copies would keep removed parts on disk. */
		close_streams(c);
		capture_records_close(c);
		return 0;
	case CAPTURE_OP_DUMP_NEXT:
		if (which >= LIVE_N || !c->rot[which])
			break;
		return rot_open_next(c->rot[which], t, err, errlen);
	case CAPTURE_OP_REC_ROTATE:
	case CAPTURE_OP_REC_OPEN:
		if (!c->rec_path)
			break;
		if (op == CAPTURE_OP_REC_ROTATE &&
		    recfile_move_aside(c->rec_path, &c->rec_st, t, err, errlen) < 0)
			return -1;
		fd = recfile_open_path(c->rec_path, &c->rec_st, err, errlen);
		return fd;
	}
	snprintf(err, errlen, "no such file to open");
	return -1;
}

/* Is a new part due before this frame? */
static int part_due(struct cap *c, const struct pcap_pkthdr *h)
{
	uint64_t b;

	if (c->rotate_now)
		return 1;
	if (c->rotate_secs && h->ts.tv_sec >= 0 && c->part_start <= INT64_MAX - c->rotate_secs &&
	    (int64_t)h->ts.tv_sec >= c->part_start + c->rotate_secs)
		return 1;
	if (!c->rotate_bytes)
		return 0;
	b = dump_bytes(c->dump[LIVE_MIG]);
	if (c->dump[LIVE_ICMP] != c->dump[LIVE_MIG] && dump_bytes(c->dump[LIVE_ICMP]) > b)
		b = dump_bytes(c->dump[LIVE_ICMP]);
	return b > c->rotate_bytes && b > c->retry_bytes;
}

/* Every -w file goes on in its next part (through the root parent under -Z). */
static void next_part(struct cap *c, int64_t t)
{
	unsigned role;
	char err[512];

	c->rotate_now = 0;
	c->part_start = t;
	c->parts++;
	c->retry_bytes = 0;
	for (role = 0; role < LIVE_N; role++) {
		struct dump *d = c->dump[role];
		char label[64];
		FILE *fp;
		int fd;

		if (!c->rot[role] || !d || (role == LIVE_ICMP && d == c->dump[LIVE_MIG]))
			continue;
		err[0] = '\0';
		fd = privsep_open(CAPTURE_OP_DUMP_NEXT, role, t, err, sizeof(err));
		if (fd >= 0 && err[0])
			fprintf(stderr, "%smigmeter: %s\n", c->show ? "\r\033[K" : "", err);
		fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
		if (!fp) {
			if (fd >= 0) {
				snprintf(err, sizeof(err), "-w: out of memory");
				close(fd);
			}
			fprintf(stderr, "%smigmeter: %s\n", c->show ? "\r\033[K" : "", err);
			c->rot_failed++;
			/* Tried again after another -C's worth, or at the next -G time. */
			c->retry_bytes = dump_bytes(d) + c->rotate_bytes;
			continue;
		}
		snprintf(label, sizeof(label), "-w part %llu", (unsigned long long)c->parts + 1);
		if (dump_switch(d, fp, label, err, sizeof(err)) < 0) {
			fprintf(stderr, "%smigmeter: %s\n", c->show ? "\r\033[K" : "", err);
			c->dump_failed = 1;
		}
	}
}

void capture_dump_frame(struct cap *c, unsigned role, const struct pcap_pkthdr *h, const uint8_t *data)
{
	if ((c->rot[LIVE_MIG] || c->rot[LIVE_ICMP]) && part_due(c, h)) {
		int64_t now = (int64_t)time(NULL), t = h->ts.tv_sec >= 0 ? (int64_t)h->ts.tv_sec : now;

		/* A frame stamped absurdly late must not hold -G back until then. */
		next_part(c, t > now + 1 ? now : t);
	}
	if (!c->dump_failed && dump_frame(c->dump[role], c->dump_if[role], h, data) < 0)
		c->dump_failed = 1;
}
