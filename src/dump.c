/* dump.c - saving a live capture (-w): pcap through libpcap, or pcapng blocks written here. */
#include "dump.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outpath.h"

struct dump {
	FILE *fp;
	char path[512];
	int pcapng;
	pcap_t *dead;		/* pcap: the handle pcap_dump writes for */
	pcap_dumper_t *dumper;
	unsigned nif;
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

struct dump *dump_open(const char *path, int pcapng, int dlt, int snaplen,
		       const char *const *ifnames, size_t nif, char *err, size_t errlen)
{
	struct dump *d = calloc(1, sizeof(*d));
	struct outpath op;

	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(d->path, sizeof(d->path), "%s", outpath_label(path));
	d->pcapng = pcapng;
	d->nif = (unsigned)nif;
	/* "-", a FIFO or a device is written in place; a regular file truncated, as tcpdump -w does. */
	if (outpath_resolve(&op, path, err, errlen) == 0) {
		d->fp = outpath_open_stream(&op, err, errlen);
		outpath_release(&op);
	}
	if (!d->fp) {
		free(d);
		return NULL;
	}
	if (pcapng) {
		if (pcapng_header(d, dlt, snaplen, ifnames, nif) < 0 || fflush(d->fp) != 0) {
			snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
			goto fail;
		}
		return d;
	}
	d->dead = pcap_open_dead_with_tstamp_precision(dlt, snaplen, PCAP_TSTAMP_PRECISION_NANO);
	d->dumper = d->dead ? pcap_dump_fopen(d->dead, d->fp) : NULL;
	if (!d->dumper) {
		snprintf(err, errlen, "cannot write %s: %s", path,
			 d->dead ? pcap_geterr(d->dead) : "out of memory");
		goto fail;
	}
	return d;
fail:
	if (d->dead)
		pcap_close(d->dead);
	fclose(d->fp);
	free(d);
	return NULL;
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

int dump_close(struct dump *d, char *err, size_t errlen)
{
	int rc;

	if (!d)
		return 0;
	if (d->dumper) {
		/* pcap_dump_close closes the FILE too. */
		if (pcap_dump_flush(d->dumper) != 0 && !d->failed) {
			d->failed = 1;
			snprintf(d->err, sizeof(d->err), "cannot write %s: %s", d->path, strerror(errno));
		}
		pcap_dump_close(d->dumper);
		pcap_close(d->dead);
	} else if (fclose(d->fp) != 0 && !d->failed) {
		d->failed = 1;
		snprintf(d->err, sizeof(d->err), "cannot write %s: %s", d->path, strerror(errno));
	}
	rc = d->failed ? -1 : 0;
	if (rc)
		snprintf(err, errlen, "%s", d->err);
	free(d);
	return rc;
}
