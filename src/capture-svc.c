/* capture-svc.c - the capture command run as a service: its --records file rotated and reopened (SIGHUP). */
#include "capture-int.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "caprec.h"
#include "privsep.h"
#include "recfile.h"

/* --from: the saved capture's time (its newest frame so far) runs the records file's clock. */
static mm_ns rec_clock(void *ctx)
{
	const struct cap *c = ctx;

	return c->m.last_ts;
}

/* The records file again, from wherever files are opened (the root parent under -Z). */
static int rec_open(void *ctx, int rotate, char *err, size_t errlen)
{
	struct cap *c = ctx;
	mm_ns t = c->from ? rec_clock(c) : MM_NS_NONE;

	/* the file moved aside is named by that clock's time (FILE.<UTC time>) */
	return privsep_open(rotate ? CAPTURE_OP_REC_ROTATE : CAPTURE_OP_REC_OPEN, 0,
			    t != MM_NS_NONE ? (int64_t)(t / MM_NS_PER_S) : (int64_t)time(NULL), err, errlen);
}

/* caprec's writer: a whole line to the records file; a failed rotation is a warning, not a lost record. */
static int rec_write(void *ctx, const char *line, char *err, size_t errlen)
{
	struct cap *c = ctx;
	int rc = recfile_line(c->recf, line, err, errlen);

	if (rc == 1) {
		fprintf(stderr, "%smigmeter: %s; the records go on in the current file\n",
			c->show ? "\r\033[K" : "", err);
		c->rec_warned++;
		return 0;
	}
	return rc;
}

int capture_records_open(struct cap *c, const struct cli_opts *o)
{
	char err[512];
	FILE *fp;
	int fd;

	if (!o->records)
		return 0;
	if (strcmp(o->records, "-") == 0) {
		c->rec_fp = stdout;
		return 0;
	}
	fd = recfile_open_path(o->records, &c->rec_st, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "migmeter: %s\n", err);
		return -1;
	}
	fp = fdopen(fd, "a");
	if (!fp) {
		close(fd);
		fprintf(stderr, "migmeter: out of memory\n");
		return -1;
	}
	c->rec_path = o->records;
	c->recf = recfile_new(fp, (uint64_t)c->rec_st.st_size, o->records_max_bytes, o->records_max_age,
			      rec_open, c);
	if (!c->recf) {
		fprintf(stderr, "migmeter: out of memory\n");
		return -1;
	}
	if (o->from)
		recfile_set_clock(c->recf, rec_clock, c);
	return 0;
}

void capture_records_attach(struct cap *c)
{
	if (c->rec && c->recf)
		caprec_set_writer(c->rec, rec_write, c);
}

void capture_reopen(struct cap *c)
{
	char err[512];

	if (c->recf && recfile_reopen(c->recf, err, sizeof(err)) < 0) {
		fprintf(stderr, "%smigmeter: SIGHUP: %s; the records go on in the file open before\n",
			c->show ? "\r\033[K" : "", err);
		c->rec_warned++;
	}
	if (c->rot[LIVE_MIG] || c->rot[LIVE_ICMP])
		c->rotate_now = 1;
}

void capture_records_close(struct cap *c)
{
	recfile_free(c->recf);
	c->recf = NULL;
	if (c->rec_fp && c->rec_fp != stdout)
		fclose(c->rec_fp);
	c->rec_fp = NULL;
}
