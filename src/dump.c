/* dump.c - saving a live capture (-w): pcap through libpcap, or pcapng blocks written here. */
#include "dump.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outpath.h"

#define DUMP_MAX_IFS 8

struct dump {
	FILE *fp;
	char path[512];
	int pcapng;
	pcap_t *dead;		/* pcap: the handle pcap_dump writes for */
	pcap_dumper_t *dumper;
	unsigned nif;
	int dlt, snaplen;
	char ifnames[DUMP_MAX_IFS][64];	/* pcapng: each new part describes them again */
	uint64_t frames;
	int failed;
	char err[768];
};

/* pcapng (draft-ietf-opsawg-pcapng): block types and options used here. */
#define PCAPNG_SHB 0x0A0D0D0AU
#define PCAPNG_IDB 0x00000001U
#define PCAPNG_EPB 0x00000006U
#define PCAPNG_OPT_END 0
#define PCAPNG_SHB_USERAPPL 4
#define PCAPNG_IF_NAME 2
#define PCAPNG_IF_TSRESOL 9

/* Blocks are built in host byte order, which the section header's byte-order magic declares. */
struct blk {
	uint8_t buf[512];
	size_t len;
};

static void put(struct blk *b, const void *p, size_t n)
{
	if (n > 0 && b->len + n <= sizeof(b->buf)) {
		memcpy(b->buf + b->len, p, n);
		b->len += n;
	}
}

static void put32(struct blk *b, uint32_t v)
{
	put(b, &v, 4);
}

static void put16(struct blk *b, uint16_t v)
{
	put(b, &v, 2);
}

/* An option: code, length, value padded to 32 bits. */
static void put_opt(struct blk *b, uint16_t code, const void *v, size_t n)
{
	static const uint8_t zero[4];

	if (n > 200)
		n = 200;
	put16(b, code);
	put16(b, (uint16_t)n);
	put(b, v, n);
	put(b, zero, (4 - n % 4) % 4);
}

/* Writes a block: type, total length, body, total length again. */
static int write_block(FILE *fp, uint32_t type, const struct blk *body)
{
	uint32_t total = (uint32_t)(body->len + 12);

	return fwrite(&type, 4, 1, fp) == 1 && fwrite(&total, 4, 1, fp) == 1 &&
	       fwrite(body->buf, 1, body->len, fp) == body->len &&
	       fwrite(&total, 4, 1, fp) == 1 ? 0 : -1;
}

/*
 * The LINKTYPE_ value a file carries for a DLT_ value: equal for every
 * link type a live capture gives, except raw IP, whose DLT differs
 * between systems (libpcap maps it the same way when it writes).
 */
static uint16_t linktype(int dlt)
{
	if (dlt == DLT_RAW)
		return 101;	/* LINKTYPE_RAW */
	return (uint16_t)dlt;
}

static int pcapng_header(struct dump *d, int dlt, int snaplen, const char *const *ifnames, size_t nif)
{
	static const char app[] = "migmeter " MM_VERSION;
	struct blk b;
	uint8_t resol = 9;	/* 10^-9 s */
	size_t i;

	memset(&b, 0, sizeof(b));
	put32(&b, 0x1A2B3C4DU);		/* byte-order magic */
	put16(&b, 1);			/* version 1.0 */
	put16(&b, 0);
	put32(&b, 0xFFFFFFFFU);		/* section length unknown (-1) */
	put32(&b, 0xFFFFFFFFU);
	put_opt(&b, PCAPNG_SHB_USERAPPL, app, strlen(app));
	put_opt(&b, PCAPNG_OPT_END, NULL, 0);
	if (write_block(d->fp, PCAPNG_SHB, &b) < 0)
		return -1;
	for (i = 0; i < nif; i++) {
		memset(&b, 0, sizeof(b));
		put16(&b, linktype(dlt));
		put16(&b, 0);
		put32(&b, (uint32_t)snaplen);
		put_opt(&b, PCAPNG_IF_NAME, ifnames[i], strlen(ifnames[i]));
		put_opt(&b, PCAPNG_IF_TSRESOL, &resol, 1);
		put_opt(&b, PCAPNG_OPT_END, NULL, 0);
		if (write_block(d->fp, PCAPNG_IDB, &b) < 0)
			return -1;
	}
	return 0;
}

/* Writes the file header to d->fp (pcapng blocks, or libpcap's dumper on it). 0, or -1 with err. */
static int start(struct dump *d, const char *path, char *err, size_t errlen)
{
	const char *names[DUMP_MAX_IFS];
	unsigned i;

	if (d->pcapng) {
		for (i = 0; i < d->nif; i++)
			names[i] = d->ifnames[i];
		if (pcapng_header(d, d->dlt, d->snaplen, names, d->nif) < 0 || fflush(d->fp) != 0) {
			snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (!d->dead)
		d->dead = pcap_open_dead_with_tstamp_precision(d->dlt, d->snaplen, PCAP_TSTAMP_PRECISION_NANO);
	d->dumper = d->dead ? pcap_dump_fopen(d->dead, d->fp) : NULL;
	if (!d->dumper) {
		snprintf(err, errlen, "cannot write %s: %s", path,
			 d->dead ? pcap_geterr(d->dead) : "out of memory");
		return -1;
	}
	return 0;
}

struct dump *dump_open_fp(FILE *fp, const char *label, int pcapng, int dlt, int snaplen,
			  const char *const *ifnames, size_t nif, char *err, size_t errlen)
{
	struct dump *d = calloc(1, sizeof(*d));
	size_t i;

	if (!d) {
		snprintf(err, errlen, "out of memory");
		fclose(fp);
		return NULL;
	}
	snprintf(d->path, sizeof(d->path), "%s", outpath_label(label));
	d->fp = fp;
	d->pcapng = pcapng;
	d->dlt = dlt;
	d->snaplen = snaplen;
	d->nif = (unsigned)(nif < DUMP_MAX_IFS ? nif : DUMP_MAX_IFS);
	for (i = 0; i < d->nif; i++)
		snprintf(d->ifnames[i], sizeof(d->ifnames[i]), "%s", ifnames[i]);
	if (start(d, label, err, errlen) < 0) {
		if (d->dead)
			pcap_close(d->dead);
		fclose(d->fp);
		free(d);
		return NULL;
	}
	return d;
}

struct dump *dump_open(const char *path, int pcapng, int dlt, int snaplen,
		       const char *const *ifnames, size_t nif, char *err, size_t errlen)
{
	struct outpath op;
	FILE *fp = NULL;

	/* "-", a FIFO or a device is written in place; a regular file truncated, as tcpdump -w does. */
	if (outpath_resolve(&op, path, err, errlen) == 0) {
		fp = outpath_open_stream(&op, err, errlen);
		outpath_release(&op);
	}
	if (!fp)
		return NULL;
	return dump_open_fp(fp, path, pcapng, dlt, snaplen, ifnames, nif, err, errlen);
}

static int pcapng_frame(struct dump *d, unsigned ifno, const struct pcap_pkthdr *h, const uint8_t *data)
{
	static const uint8_t zero[4];
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ULL + (uint64_t)h->ts.tv_usec;
	uint32_t pad = (4 - h->caplen % 4) % 4;
	uint32_t hdr[7], total = 32 + h->caplen + pad;

	hdr[0] = PCAPNG_EPB;
	hdr[1] = total;
	hdr[2] = ifno < d->nif ? ifno : 0;
	hdr[3] = (uint32_t)(ts >> 32);
	hdr[4] = (uint32_t)ts;
	hdr[5] = h->caplen;
	hdr[6] = h->len;
	return fwrite(hdr, sizeof(hdr), 1, d->fp) == 1 &&
	       fwrite(data, 1, h->caplen, d->fp) == h->caplen &&
	       fwrite(zero, 1, pad, d->fp) == pad &&
	       fwrite(&total, 4, 1, d->fp) == 1 ? 0 : -1;
}

int dump_frame(struct dump *d, unsigned ifno, const struct pcap_pkthdr *h, const uint8_t *data)
{
	if (d->failed)
		return -1;
	if (d->pcapng) {
		if (pcapng_frame(d, ifno, h, data) < 0)
			d->failed = 1;
	} else {
		pcap_dump((u_char *)d->dumper, h, data);
		if (ferror(d->fp))
			d->failed = 1;
	}
	if (d->failed) {
		snprintf(d->err, sizeof(d->err), "cannot write %s: %s", d->path,
			 errno ? strerror(errno) : "write error");
		return -1;
	}
	d->frames++;
	return 0;
}

uint64_t dump_frames(const struct dump *d)
{
	return d->frames;
}

/* Flushes and closes the current file (the dumper closes it too); keeps the first error. */
static void end_file(struct dump *d)
{
	if (d->dumper) {
		if (pcap_dump_flush(d->dumper) != 0 && !d->failed) {
			d->failed = 1;
			snprintf(d->err, sizeof(d->err), "cannot write %s: %s", d->path, strerror(errno));
		}
		pcap_dump_close(d->dumper);
		d->dumper = NULL;
	} else if (d->fp && fclose(d->fp) != 0 && !d->failed) {
		d->failed = 1;
		snprintf(d->err, sizeof(d->err), "cannot write %s: %s", d->path, strerror(errno));
	}
	d->fp = NULL;
}

uint64_t dump_bytes(const struct dump *d)
{
	off_t at = d->fp ? ftello(d->fp) : -1;

	return at > 0 ? (uint64_t)at : 0;
}

int dump_switch(struct dump *d, FILE *fp, const char *label, char *err, size_t errlen)
{
	end_file(d);
	d->fp = fp;
	snprintf(d->path, sizeof(d->path), "%s", label);
	if (d->failed) {
		snprintf(err, errlen, "%s", d->err);
		return -1;
	}
	if (start(d, label, err, errlen) < 0) {
		d->failed = 1;
		snprintf(d->err, sizeof(d->err), "%s", err);
		return -1;
	}
	return 0;
}

int dump_close(struct dump *d, char *err, size_t errlen)
{
	int rc;

	if (!d)
		return 0;
	end_file(d);
	if (d->dead)
		pcap_close(d->dead);
	rc = d->failed ? -1 : 0;
	if (rc)
		snprintf(err, errlen, "%s", d->err);
	free(d);
	return rc;
}
