/* source-pcapng.c - the pcapng block reader: sections, interfaces, packets; every length checked against its block. */
#include "pcapng.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"

/* Block types (draft-ietf-opsawg-pcapng section 4, 11.1). */
#define BT_SHB 0x0A0D0D0AU
#define BT_IDB 0x00000001U
#define BT_PB  0x00000002U	/* obsolete packet block (appendix A) */
#define BT_SPB 0x00000003U
#define BT_EPB 0x00000006U
#define BOM    0x1A2B3C4DU

/* Options (section 3.5, 4.2). */
#define OPT_END      0
#define IF_NAME      2
#define IF_TSRESOL   9
#define IF_TSOFFSET 14

struct pcapng_rd {
	struct pcapng_io io;
	int headers_only;
	int big;			/* the current section is big-endian */
	unsigned sections;
	size_t sec_base;		/* first interface of the current section */
	struct pcapng_if *ifs;
	size_t nifs, ifcap;
	uint8_t *buf;			/* the block being read (body only) */
	size_t bufcap;
	uint64_t off;			/* stream offset of the next block */
	mm_ns last_ts;			/* for simple packet blocks, which carry none */
	int stopped;
	char err[256];
};

struct pcapng_rd *pcapng_new(const struct pcapng_io *io, int headers_only)
{
	struct pcapng_rd *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->io = *io;
	r->headers_only = headers_only;
	r->last_ts = MM_NS_NONE;
	return r;
}

void pcapng_free(struct pcapng_rd *r)
{
	if (!r)
		return;
	free(r->ifs);
	free(r->buf);
	free(r);
}

const char *pcapng_error(const struct pcapng_rd *r)
{
	return r->err;
}

size_t pcapng_iface_count(const struct pcapng_rd *r)
{
	return r->nifs;
}

const struct pcapng_if *pcapng_iface(const struct pcapng_rd *r, size_t i)
{
	return i < r->nifs ? &r->ifs[i] : NULL;
}

unsigned pcapng_sections(const struct pcapng_rd *r)
{
	return r->sections;
}

/* Stops the reader with a reason naming the block's offset. Returns -1. */
static int damaged(struct pcapng_rd *r, uint64_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int damaged(struct pcapng_rd *r, uint64_t at, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(r->err, sizeof(r->err), "pcapng block at byte %llu: %s", (unsigned long long)at, why);
	r->stopped = 1;
	return -1;
}

/* Reads exactly n bytes: 1, 0 when the stream ends first (*got says how many came), -1 on an I/O error. */
static int get(struct pcapng_rd *r, void *dst, size_t n, size_t *got)
{
	ssize_t k = n ? r->io.read(r->io.ctx, dst, n) : 0;

	*got = 0;
	if (k < 0) {
		snprintf(r->err, sizeof(r->err), "read error: %s", strerror(errno));
		r->stopped = 1;
		return -1;
	}
	*got = (size_t)k;
	r->off += (uint64_t)k;
	return (size_t)k == n ? 1 : 0;
}

static int skip(struct pcapng_rd *r, uint64_t n)
{
	uint8_t tmp[4096];
	size_t got;

	if (r->io.skip) {
		if (r->io.skip(r->io.ctx, n) < 0) {
			snprintf(r->err, sizeof(r->err), "read error: %s", strerror(errno));
			r->stopped = 1;
			return -1;
		}
		r->off += n;
		return 1;
	}
	while (n > 0) {
		size_t step = n < sizeof(tmp) ? (size_t)n : sizeof(tmp);
		int rc = get(r, tmp, step, &got);

		if (rc <= 0)
			return rc;
		n -= step;
	}
	return 1;
}

static uint16_t u16(const struct pcapng_rd *r, struct cur *c)
{
	return r->big ? cur_be16(c) : cur_le16(c);
}

static uint32_t u32(const struct pcapng_rd *r, struct cur *c)
{
	return r->big ? cur_be32(c) : cur_le32(c);
}

static uint32_t u32_at(const struct pcapng_rd *r, const uint8_t *p)
{
	struct cur c;

	cur_init(&c, p, 4);
	return u32(r, &c);
}

int pcapng_resol_digits(uint8_t tsresol)
{
	unsigned k = tsresol & 0x7fu;
	int d = 0;
	uint64_t p10 = 1;

	if (!(tsresol & 0x80u))
		return k > 19 ? -1 : (k > 9 ? 9 : (int)k);
	if (k > 63)
		return -1;
	/* The fewest decimals with 10^d >= 2^k: every tick gets its own value. */
	while (d < 9 && (k >= 64 || p10 < (1ULL << k))) {
		p10 *= 10;
		d++;
	}
	return d;
}

mm_ns pcapng_ts_ns(uint64_t ts, uint8_t tsresol, int64_t offset_s)
{
	const uint64_t ns_per_s = (uint64_t)MM_NS_PER_S;
	unsigned k = tsresol & 0x7fu;
	uint64_t ns;
	int64_t off, v;

	if (tsresol & 0x80u) {
		uint64_t whole, frac;

		if (k > 63)
			return MM_NS_NONE;
		whole = k ? ts >> k : ts;
		frac = k ? ts & ((1ULL << k) - 1) : 0;
		if (whole > (uint64_t)INT64_MAX / ns_per_s)
			return MM_NS_NONE;
		/* frac * 10^9 must stay below 2^64: keep at most 33 bits of the fraction. */
		if (k > 33) {
			frac >>= k - 33;
			k = 33;
		}
		ns = whole * ns_per_s + ((frac * ns_per_s) >> k);
	} else {
		uint64_t p = 1;
		unsigned i;

		if (k > 19)
			return MM_NS_NONE;
		if (k <= 9) {
			for (i = k; i < 9; i++)
				p *= 10;
			if (ts > (uint64_t)INT64_MAX / p)
				return MM_NS_NONE;
			ns = ts * p;
		} else {
			for (i = 9; i < k; i++)
				p *= 10;
			ns = ts / p;
		}
	}
	if (ns > (uint64_t)INT64_MAX)
		return MM_NS_NONE;
	v = (int64_t)ns;
	if (offset_s == 0)
		return v;
	if (offset_s > INT64_MAX / MM_NS_PER_S || offset_s < -(INT64_MAX / MM_NS_PER_S))
		return MM_NS_NONE;
	off = offset_s * MM_NS_PER_S;
	if (off > 0 && v > INT64_MAX - off)
		return MM_NS_NONE;
	return v + off;	/* v >= 0 and off > -INT64_MAX: no overflow below */
}

/* Options of a block body from c on. Returns 0, or -1 (damaged) when one runs past the block. */
static int idb_options(struct pcapng_rd *r, struct cur *c, struct pcapng_if *f, uint64_t at)
{
	while (cur_left(c) >= 4) {
		uint16_t code = u16(r, c), len = u16(r, c);
		const uint8_t *v = cur_take(c, ((size_t)len + 3u) & ~(size_t)3u);
		struct cur o;
		size_t i, n;

		if (!v)
			return damaged(r, at, "interface option %u of %u bytes runs past its block", code, len);
		if (code == OPT_END)
			break;
		cur_init(&o, v, len);
		switch (code) {
		case IF_NAME:
			n = len < PCAPNG_NAME_MAX - 1 ? len : PCAPNG_NAME_MAX - 1;
			for (i = 0; i < n && v[i]; i++)
				f->name[i] = (v[i] >= 0x20 && v[i] < 0x7f) ? (char)v[i] : '?';
			f->name[i] = '\0';
			break;
		case IF_TSRESOL:
			if (len < 1)
				return damaged(r, at, "empty if_tsresol option");
			f->tsresol = v[0];
			if (pcapng_resol_digits(f->tsresol) < 0)
				return damaged(r, at, "if_tsresol %s%u is out of range",
					       (v[0] & 0x80) ? "2^-" : "10^-", v[0] & 0x7fu);
			break;
		case IF_TSOFFSET:
			if (len != 8)
				return damaged(r, at, "if_tsoffset of %u bytes (8 expected)", len);
			{
				uint64_t hi = u32(r, &o), lo = u32(r, &o);
				uint64_t x = r->big ? (hi << 32 | lo) : (lo << 32 | hi);

				f->tsoffset = (int64_t)x;
			}
			break;
		default:
			break;
		}
	}
	return 0;
}

static int take_idb(struct pcapng_rd *r, const uint8_t *b, size_t n, uint64_t at)
{
	struct pcapng_if f;
	struct cur c;

	if (r->sections == 0)
		return damaged(r, at, "interface description before any section header");
	if (n < 8)
		return damaged(r, at, "interface description of %zu bytes (at least 8 needed)", n);
	memset(&f, 0, sizeof(f));
	f.tsresol = 6;
	f.section = r->sections - 1;
	cur_init(&c, b, n);
	f.linktype = u16(r, &c);
	cur_skip(&c, 2);
	f.snaplen = u32(r, &c);
	if (idb_options(r, &c, &f, at) < 0)
		return -1;
	f.digits = pcapng_resol_digits(f.tsresol);
	if (r->nifs == PCAPNG_MAX_IFACES)
		return damaged(r, at, "more than %u interface descriptions", PCAPNG_MAX_IFACES);
	if (r->nifs == r->ifcap) {
		size_t cap = r->ifcap ? r->ifcap * 2 : 4;
		struct pcapng_if *p = realloc(r->ifs, cap * sizeof(*p));

		if (!p) {
			snprintf(r->err, sizeof(r->err), "out of memory");
			r->stopped = 1;
			return -1;
		}
		r->ifs = p;
		r->ifcap = cap;
	}
	r->ifs[r->nifs++] = f;
	return 0;
}

/* Makes room for a block body of n bytes. */
static int room(struct pcapng_rd *r, size_t n)
{
	uint8_t *p;
	size_t cap;

	if (n <= r->bufcap)
		return 0;
	cap = r->bufcap ? r->bufcap : 4096;
	while (cap < n)
		cap *= 2;
	p = realloc(r->buf, cap);
	if (!p) {
		snprintf(r->err, sizeof(r->err), "out of memory");
		r->stopped = 1;
		return -1;
	}
	r->buf = p;
	r->bufcap = cap;
	return 0;
}

/* The interface a packet names, by its number within the section; NULL (damaged) when none. */
static const struct pcapng_if *packet_if(struct pcapng_rd *r, uint32_t local, uint64_t at, uint32_t *ifid)
{
	if (local >= r->nifs - r->sec_base) {
		damaged(r, at, "packet on interface %u, which no interface description in its section names",
			local);
		return NULL;
	}
	*ifid = (uint32_t)(r->sec_base + local);
	return &r->ifs[*ifid];
}

/* Enhanced (EPB) and obsolete (PB) packet blocks: same fields, the interface id 32 or 16 bits. */
static int take_packet(struct pcapng_rd *r, uint32_t type, const uint8_t *b, size_t have, size_t body,
		       uint64_t at, struct pcapng_pkt *p)
{
	const struct pcapng_if *f;
	struct cur c;
	uint32_t local, hi, lo;

	if (body < 20)
		return damaged(r, at, "packet block of %zu bytes (at least 20 needed)", body);
	cur_init(&c, b, have);
	if (type == BT_EPB) {
		local = u32(r, &c);
	} else {
		local = u16(r, &c);
		cur_skip(&c, 2);	/* drops count */
	}
	hi = u32(r, &c);
	lo = u32(r, &c);
	p->caplen = u32(r, &c);
	p->len = u32(r, &c);
	if (p->caplen > body - 20)
		return damaged(r, at, "captured length %u runs past its %zu-byte block", p->caplen, body);
	f = packet_if(r, local, at, &p->ifid);
	if (!f)
		return -1;
	p->ts = pcapng_ts_ns((uint64_t)hi << 32 | lo, f->tsresol, f->tsoffset);
	p->data = r->headers_only ? NULL : b + 20;
	return 1;
}

/* Simple packet block: original length only; captured as much as the block and snap length hold. */
static int take_spb(struct pcapng_rd *r, const uint8_t *b, size_t body, uint64_t at, struct pcapng_pkt *p)
{
	const struct pcapng_if *f;
	uint32_t cap;

	if (body < 4)
		return damaged(r, at, "simple packet block of %zu bytes (at least 4 needed)", body);
	f = packet_if(r, 0, at, &p->ifid);
	if (!f)
		return -1;
	p->len = u32_at(r, b);
	cap = (uint32_t)(body - 4);
	if (p->len < cap)
		cap = p->len;
	if (f->snaplen && f->snaplen < cap)
		cap = f->snaplen;
	p->caplen = cap;
	p->ts = r->last_ts;
	p->data = r->headers_only ? NULL : b + 4;
	return 1;
}

static int take_shb(struct pcapng_rd *r, const uint8_t *b, size_t n, uint64_t at)
{
	struct cur c;
	uint16_t major, minor;

	if (n < 12)
		return damaged(r, at, "section header of %zu bytes (at least 16 needed)", n + 4);
	cur_init(&c, b, n);
	major = u16(r, &c);
	minor = u16(r, &c);
	if (major != 1)
		return damaged(r, at, "pcapng version %u.%u (only 1.x is defined)", major, minor);
	r->sections++;
	r->sec_base = r->nifs;
	return 0;
}

/*
 * Reads one block header and its length.  For a section header, the
 * byte-order magic after the length decides how every later number of
 * the section reads.  Returns 1, 0 at a clean end, -1 damaged.
 */
static int block_head(struct pcapng_rd *r, uint32_t *type, uint32_t *total, uint64_t at)
{
	uint8_t h[12];
	size_t got;
	int rc = get(r, h, 8, &got);

	if (rc < 0)
		return -1;
	if (rc == 0) {
		if (got == 0 && r->sections > 0)
			return 0;
		if (got == 0)
			return damaged(r, at, "empty stream");
		return damaged(r, at, "truncated: the stream ends %zu bytes into a block header", got);
	}
	*type = u32_at(r, h);
	if (r->sections == 0 && *type != BT_SHB)
		return damaged(r, at, "the stream does not start with a section header");
	if (*type == BT_SHB) {
		rc = get(r, h + 8, 4, &got);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return damaged(r, at, "truncated section header");
		if (h[8] == 0x4D && h[9] == 0x3C && h[10] == 0x2B && h[11] == 0x1A)
			r->big = 0;
		else if (h[8] == 0x1A && h[9] == 0x2B && h[10] == 0x3C && h[11] == 0x4D)
			r->big = 1;
		else
			return damaged(r, at, "section header with an unknown byte-order magic");
	}
	*total = u32_at(r, h + 4);
	if (*total < 12 || (*type == BT_SHB && *total < 28))
		return damaged(r, at, "block length %u is shorter than an empty block", *total);
	if (*total % 4)
		return damaged(r, at, "block length %u is not a multiple of 4", *total);
	return 1;
}

/* The trailing copy of the length must match the leading one. */
static int block_tail(struct pcapng_rd *r, uint32_t total, uint64_t at)
{
	uint8_t t[4];
	size_t got;
	int rc = get(r, t, 4, &got);

	if (rc < 0)
		return -1;
	if (rc == 0)
		return damaged(r, at, "truncated: the stream ends inside a %u-byte block", total);
	if (u32_at(r, t) != total)
		return damaged(r, at, "trailing block length %u differs from the leading %u",
			       u32_at(r, t), total);
	return 1;
}

/* Reads n body bytes into the buffer. 1, or -1 (damaged / I/O error). */
static int body(struct pcapng_rd *r, size_t n, uint32_t total, uint64_t at)
{
	size_t got;
	int rc;

	if (room(r, n) < 0)
		return -1;
	rc = get(r, r->buf, n, &got);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return damaged(r, at, "truncated: the stream ends %zu bytes into a %u-byte block",
			       got + 8, total);
	return 1;
}

int pcapng_next(struct pcapng_rd *r, struct pcapng_pkt *p)
{
	for (;;) {
		uint64_t at = r->off;
		uint32_t type = 0, total = 0;
		size_t n, have;
		int rc;

		if (r->stopped)
			return -1;
		rc = block_head(r, &type, &total, at);
		if (rc <= 0)
			return rc;
		n = total - 12;		/* body: between the two lengths */
		if (type == BT_SHB)
			n -= 4;		/* the byte-order magic is read */
		if (type != BT_SHB && type != BT_IDB && type != BT_EPB && type != BT_PB && type != BT_SPB) {
			/* Name resolution, statistics, secrets, custom and unknown blocks. */
			if (skip(r, n) <= 0)
				return r->stopped ? -1 : damaged(r, at, "truncated block");
			if (block_tail(r, total, at) < 0)
				return -1;
			continue;
		}
		if (total > PCAPNG_MAX_BLOCK)
			return damaged(r, at, "block length %u is over the %u-byte limit", total,
				       PCAPNG_MAX_BLOCK);
		have = n;
		if (r->headers_only && (type == BT_EPB || type == BT_PB))
			have = n < 20 ? n : 20;
		else if (r->headers_only && type == BT_SPB)
			have = n < 4 ? n : 4;
		if (body(r, have, total, at) < 0)
			return -1;
		if (have < n && skip(r, n - have) <= 0)
			return r->stopped ? -1 : damaged(r, at, "truncated block");
		if (block_tail(r, total, at) < 0)
			return -1;
		switch (type) {
		case BT_SHB:
			rc = take_shb(r, r->buf, n, at);
			break;
		case BT_IDB:
			rc = take_idb(r, r->buf, n, at);
			break;
		case BT_SPB:
			rc = take_spb(r, r->buf, n, at, p);
			break;
		default:
			rc = take_packet(r, type, r->buf, have, n, at, p);
			break;
		}
		if (rc < 0)
			return -1;
		if (rc == 1) {
			if (p->ts != MM_NS_NONE)
				r->last_ts = p->ts;
			return 1;
		}
	}
}
