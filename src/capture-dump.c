/* capture-dump.c - the capture command's -w files: one, or the ICMP capture's apart when the link types differ. */
#include "capture-int.h"

#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "outpath.h"

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
	int snap = live_snaplen(c->live, LIVE_MIG);
	char err[512];

	if (c->dlt[LIVE_MIG] == c->dlt[LIVE_ICMP] && snap == live_snaplen(c->live, LIVE_ICMP)) {
		/* pcapng names each interface; pcap has no names. */
		c->dump[LIVE_MIG] = dump_open(o->write, pcapng, c->dlt[LIVE_MIG], snap, ifn,
					      same_if ? 1 : 2, err, sizeof(err));
		c->dump[LIVE_ICMP] = c->dump[LIVE_MIG];
		c->dump_if[LIVE_ICMP] = same_if ? 0 : 1;
	} else {
		size_t n = strlen(o->write) + 16;
		char *icmp;

		if (!dump_is_file(o->write)) {
			fprintf(stderr, "migmeter: -w %s: the two captures have different link types (%s on "
				"%s, %s on %s) and need two files; give -w a file name\n",
				o->write, live_dlt_name(c->live, LIVE_MIG),
				ifn[LIVE_MIG], live_dlt_name(c->live, LIVE_ICMP), ifn[LIVE_ICMP]);
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
		c->dump[LIVE_MIG] = dump_open(o->write, pcapng, c->dlt[LIVE_MIG], snap, &ifn[LIVE_MIG],
					      1, err, sizeof(err));
		if (c->dump[LIVE_MIG]) {
			c->dump[LIVE_ICMP] = dump_open(icmp, pcapng, c->dlt[LIVE_ICMP],
						       live_snaplen(c->live, LIVE_ICMP), &ifn[LIVE_ICMP],
						       1, err, sizeof(err));
			if (c->dump[LIVE_ICMP] && !o->quiet)
				fprintf(stderr, "migmeter: the ICMP capture (%s, link type %s) is saved "
					"apart in %s\n", ifn[LIVE_ICMP], live_dlt_name(c->live, LIVE_ICMP),
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

int capture_close_dumps(struct cap *c)
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
