/* test_pcapng.c - the pcapng block reader: both byte orders, sections, resolutions, and blocks that lie about their lengths. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../bytebuf.h"
#include "pcapng.h"

#define T0 ((mm_ns)1700000000 * MM_NS_PER_S)

/* ---- writing pcapng in either byte order ---------------------------------- */

struct ng {
	struct buf b;
	int big;
};

static void w16(struct ng *g, struct buf *b, uint16_t v)
{
	if (g->big)
		b_be16(b, v);
	else
		b_le16(b, v);
}

static void w32(struct ng *g, struct buf *b, uint32_t v)
{
	if (g->big)
		b_be32(b, v);
	else
		b_le32(b, v);
}

/* A block: type, total length, body padded to 4, total length. */
static void block(struct ng *g, uint32_t type, const struct buf *body)
{
	uint32_t tot = (uint32_t)(12 + ((body->n + 3) & ~(size_t)3));

	w32(g, &g->b, type);
	w32(g, &g->b, tot);
	b_mem(&g->b, body->p, body->n);
	b_zero(&g->b, ((body->n + 3) & ~(size_t)3) - body->n);
	w32(g, &g->b, tot);
}

static void opt(struct ng *g, struct buf *b, uint16_t code, const void *v, uint16_t len)
{
	w16(g, b, code);
	w16(g, b, len);
	b_mem(b, v, len);
	b_zero(b, (4u - len % 4u) % 4u);
}

static void shb(struct ng *g, int big)
{
	struct buf body = { 0 };

	g->big = big;
	w32(g, &body, 0x1A2B3C4DU);
	w16(g, &body, 1);
	w16(g, &body, 0);
	w32(g, &body, 0xffffffffU);
	w32(g, &body, 0xffffffffU);
	block(g, 0x0A0D0D0AU, &body);
	b_free(&body);
}

/* An interface: link type, snap length, and when given its name, if_tsresol and if_tsoffset. */
static void idb(struct ng *g, uint16_t lt, uint32_t snap, const char *name, int resol, int64_t offset)
{
	struct buf body = { 0 };
	uint8_t r = (uint8_t)resol;

	w16(g, &body, lt);
	w16(g, &body, 0);
	w32(g, &body, snap);
	if (name)
		opt(g, &body, 2, name, (uint16_t)strlen(name));
	if (resol >= 0)
		opt(g, &body, 9, &r, 1);
	if (offset) {
		struct buf v = { 0 };

		/* A 64-bit option value: in the section's byte order. */
		if (g->big) {
			b_be32(&v, (uint32_t)((uint64_t)offset >> 32));
			b_be32(&v, (uint32_t)offset);
		} else {
			b_le32(&v, (uint32_t)offset);
			b_le32(&v, (uint32_t)((uint64_t)offset >> 32));
		}
		opt(g, &body, 14, v.p, 8);
		b_free(&v);
	}
	if (name || resol >= 0 || offset)
		opt(g, &body, 0, NULL, 0);
	block(g, 1, &body);
	b_free(&body);
}

static void epb(struct ng *g, uint32_t ifid, uint64_t ts, const uint8_t *data, uint32_t caplen, uint32_t len)
{
	struct buf body = { 0 };

	w32(g, &body, ifid);
	w32(g, &body, (uint32_t)(ts >> 32));
	w32(g, &body, (uint32_t)ts);
	w32(g, &body, caplen);
	w32(g, &body, len);
	b_mem(&body, data, caplen);
	block(g, 6, &body);
	b_free(&body);
}

/* ---- reading from memory ---------------------------------------------------- */

struct mem {
	const uint8_t *p;
	size_t n, off;
};

static ssize_t mem_read(void *ctx, void *buf, size_t n)
{
	struct mem *m = ctx;
	size_t k = m->n - m->off < n ? m->n - m->off : n;

	if (k)
		memcpy(buf, m->p + m->off, k);
	m->off += k;
	return (ssize_t)k;
}

static int mem_skip(void *ctx, uint64_t n)
{
	struct mem *m = ctx;

	m->off = n > m->n - m->off ? m->n : m->off + (size_t)n;
	return 0;
}

static struct pcapng_rd *reader(struct mem *m, const struct buf *b, int headers_only, int with_skip)
{
	struct pcapng_io io = { mem_read, with_skip ? mem_skip : NULL, m };
	struct pcapng_rd *r;

	m->p = b->p;
	m->n = b->n;
	m->off = 0;
	r = pcapng_new(&io, headers_only);
	assert_non_null(r);
	return r;
}

static const uint8_t frame[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

/* One section in each byte order: the same packets come out. */
static void test_byte_orders(void **state)
{
	int big;

	(void)state;
	for (big = 0; big <= 1; big++) {
		struct ng g = { { 0 }, 0 };
		struct mem m;
		struct pcapng_rd *r;
		struct pcapng_pkt p;
		const struct pcapng_if *f;

		shb(&g, big);
		idb(&g, 1, 128, "eth0", 9, 0);
		epb(&g, 0, (uint64_t)T0 + 123456789, frame, 10, 1514);
		r = reader(&m, &g.b, 0, 1);
		assert_int_equal(pcapng_next(r, &p), 1);
		assert_int_equal(p.ts, T0 + 123456789);
		assert_int_equal(p.caplen, 10);
		assert_int_equal(p.len, 1514);
		assert_int_equal(p.ifid, 0);
		assert_memory_equal(p.data, frame, 10);
		assert_int_equal(pcapng_iface_count(r), 1);
		f = pcapng_iface(r, 0);
		assert_int_equal(f->linktype, 1);
		assert_int_equal(f->snaplen, 128);
		assert_string_equal(f->name, "eth0");
		assert_int_equal(f->digits, 9);
		assert_int_equal(pcapng_next(r, &p), 0);
		assert_int_equal(pcapng_sections(r), 1);
		pcapng_free(r);
		b_free(&g.b);
	}
}

/* Two sections of different byte orders: interfaces numbered across the file, ids per section. */
static void test_sections(void **state)
{
	struct ng g = { { 0 }, 0 };
	struct mem m;
	struct pcapng_rd *r;
	struct pcapng_pkt p;
	struct buf nrb = { 0 }, isb = { 0 };

	(void)state;
	shb(&g, 0);
	idb(&g, 1, 262144, "eth0", -1, 0);
	/* Blocks to pass over: name resolution, statistics, custom, one of an unknown type. */
	b_zero(&nrb, 8);
	block(&g, 4, &nrb);
	b_zero(&isb, 24);
	block(&g, 5, &isb);
	block(&g, 0x00000BADU, &isb);
	block(&g, 0x12345678U, &nrb);
	epb(&g, 0, (uint64_t)(T0 / 1000) + 5, frame, 10, 10);	/* default: microseconds */
	shb(&g, 1);
	idb(&g, 113, 96, "any", 6, 0);
	idb(&g, 276, 65535, NULL, 3, 0);
	epb(&g, 1, (uint64_t)(T0 / 1000000) + 7, frame, 4, 60);
	epb(&g, 0, (uint64_t)(T0 / 1000) + 9, frame, 10, 10);
	r = reader(&m, &g.b, 0, 0);
	assert_int_equal(pcapng_next(r, &p), 1);
	assert_int_equal(p.ifid, 0);
	assert_int_equal(p.ts, T0 + 5000);
	assert_int_equal(pcapng_next(r, &p), 1);
	assert_int_equal(p.ifid, 2);		/* the second section's interface 1 */
	assert_int_equal(p.ts, T0 + 7000000);
	assert_int_equal(p.caplen, 4);
	assert_int_equal(p.len, 60);
	assert_int_equal(pcapng_next(r, &p), 1);
	assert_int_equal(p.ifid, 1);
	assert_int_equal(p.ts, T0 + 9000);
	assert_int_equal(pcapng_next(r, &p), 0);
	assert_int_equal(pcapng_sections(r), 2);
	assert_int_equal(pcapng_iface_count(r), 3);
	assert_int_equal(pcapng_iface(r, 1)->linktype, 113);
	assert_int_equal(pcapng_iface(r, 1)->section, 1);
	assert_int_equal(pcapng_iface(r, 2)->digits, 3);
	assert_string_equal(pcapng_iface(r, 2)->name, "");
	pcapng_free(r);
	b_free(&g.b);
	b_free(&nrb);
	b_free(&isb);
}

/* Every resolution: powers of 10 and of 2, offsets, and what does not fit. */
static void test_tsresol(void **state)
{
	(void)state;
	assert_int_equal(pcapng_ts_ns(1700000000123456ULL, 6, 0), T0 + 123456000);
	assert_int_equal(pcapng_ts_ns(1700000000123456789ULL, 9, 0), T0 + 123456789);
	assert_int_equal(pcapng_ts_ns(1700000000123ULL, 3, 0), T0 + 123000000);
	assert_int_equal(pcapng_ts_ns(1700000000ULL, 0, 0), T0);
	/* Finer than a nanosecond: rounded down. */
	assert_int_equal(pcapng_ts_ns(123456789012ULL, 12, 1700000000), T0 + 123456789);
	assert_int_equal(pcapng_ts_ns(1700000000ULL << 10 | 512, 0x80 | 10, 0), T0 + 500000000);
	assert_int_equal(pcapng_ts_ns(1700000000ULL << 30 | (1u << 29), 0x80 | 30, 0), T0 + 500000000);
	assert_int_equal(pcapng_ts_ns(3ULL << 39, 0x80 | 40, 0), 1500000000);	/* 1.5 s at 2^-40 */
	assert_int_equal(pcapng_ts_ns(1ULL << 63, 0x80 | 63, 0), MM_NS_PER_S);
	assert_int_equal(pcapng_ts_ns(1700000000ULL, 0x80, 0), T0);
	/* if_tsoffset: seconds, either sign. */
	assert_int_equal(pcapng_ts_ns(123456, 6, 1700000000), T0 + 123456000);
	assert_int_equal(pcapng_ts_ns(1700000010ULL * 1000000, 6, -10), T0);
	/* Out of range: too fine a resolution, a time past int64 nanoseconds, an absurd offset. */
	assert_int_equal(pcapng_ts_ns(1, 20, 0), MM_NS_NONE);
	assert_int_equal(pcapng_ts_ns(1, 0x80 | 64, 0), MM_NS_NONE);
	assert_int_equal(pcapng_ts_ns(UINT64_MAX, 6, 0), MM_NS_NONE);
	assert_int_equal(pcapng_ts_ns(UINT64_MAX, 0, 0), MM_NS_NONE);
	assert_int_equal(pcapng_ts_ns(UINT64_MAX >> 1, 9, 0), INT64_MAX);
	assert_int_equal(pcapng_ts_ns(UINT64_MAX >> 1, 9, 1), MM_NS_NONE);
	assert_int_equal(pcapng_ts_ns(1, 6, INT64_MAX), MM_NS_NONE);
	assert_int_equal(pcapng_ts_ns(1, 6, INT64_MIN), MM_NS_NONE);
	/* Decimals the resolution needs. */
	assert_int_equal(pcapng_resol_digits(6), 6);
	assert_int_equal(pcapng_resol_digits(9), 9);
	assert_int_equal(pcapng_resol_digits(12), 9);
	assert_int_equal(pcapng_resol_digits(0), 0);
	assert_int_equal(pcapng_resol_digits(0x80 | 10), 4);	/* 1/1024 s */
	assert_int_equal(pcapng_resol_digits(0x80 | 20), 7);
	assert_int_equal(pcapng_resol_digits(0x80 | 30), 9);
	assert_int_equal(pcapng_resol_digits(20), -1);
	assert_int_equal(pcapng_resol_digits(0x80 | 64), -1);
}

/* if_tsresol and if_tsoffset from the interface description, in a big-endian section. */
static void test_idb_resolution(void **state)
{
	struct ng g = { { 0 }, 0 };
	struct mem m;
	struct pcapng_rd *r;
	struct pcapng_pkt p;

	(void)state;
	shb(&g, 1);
	idb(&g, 1, 0, "eth1", 0x80 | 20, 1700000000);
	epb(&g, 0, 3ULL << 19, frame, 10, 10);		/* 1.5 s after the offset */
	r = reader(&m, &g.b, 0, 1);
	assert_int_equal(pcapng_next(r, &p), 1);
	assert_int_equal(p.ts, T0 + 1500000000);
	assert_int_equal(pcapng_iface(r, 0)->tsoffset, 1700000000);
	assert_int_equal(pcapng_iface(r, 0)->digits, 7);
	pcapng_free(r);
	b_free(&g.b);
}

/* Simple packet blocks (no time: the one before) and the obsolete packet block. */
static void test_spb_pb(void **state)
{
	struct ng g = { { 0 }, 0 };
	struct buf body = { 0 };
	struct mem m;
	struct pcapng_rd *r;
	struct pcapng_pkt p;

	(void)state;
	shb(&g, 0);
	idb(&g, 1, 6, NULL, -1, 0);			/* snap length 6 */
	w32(&g, &body, 1514);
	b_mem(&body, frame, 10);			/* more than the snap length was written */
	block(&g, 3, &body);				/* before any timed packet: no time */
	body.n = 0;
	w16(&g, &body, 0);				/* obsolete PB: 16-bit interface, drops */
	w16(&g, &body, 3);
	w32(&g, &body, 0);
	w32(&g, &body, 1700000000u);			/* microseconds since the epoch... */
	w32(&g, &body, 4);
	w32(&g, &body, 4);
	b_mem(&body, frame, 4);
	block(&g, 2, &body);
	body.n = 0;
	w32(&g, &body, 3);
	b_mem(&body, frame, 3);
	block(&g, 3, &body);
	r = reader(&m, &g.b, 0, 1);
	assert_int_equal(pcapng_next(r, &p), 1);
	assert_int_equal(p.ts, MM_NS_NONE);
	assert_int_equal(p.len, 1514);
	assert_int_equal(p.caplen, 6);
	assert_memory_equal(p.data, frame, 6);
	assert_int_equal(pcapng_next(r, &p), 1);
	assert_int_equal(p.ts, (mm_ns)1700000000 * 1000);
	assert_int_equal(p.caplen, 4);
	assert_int_equal(pcapng_next(r, &p), 1);
	assert_int_equal(p.ts, (mm_ns)1700000000 * 1000);	/* the time of the packet before */
	assert_int_equal(p.caplen, 3);				/* the block's 3 bytes, not its padding */
	assert_int_equal(pcapng_next(r, &p), 0);
	pcapng_free(r);
	b_free(&g.b);
	b_free(&body);
}

/* Headers only (the time scan): no data, lengths as written, with or without a skip function. */
static void test_headers_only(void **state)
{
	int with_skip;

	(void)state;
	for (with_skip = 0; with_skip <= 1; with_skip++) {
		struct ng g = { { 0 }, 0 };
		struct mem m;
		struct pcapng_rd *r;
		struct pcapng_pkt p;
		uint8_t big[5000];

		memset(big, 7, sizeof(big));
		shb(&g, 0);
		idb(&g, 1, 262144, NULL, 9, 0);
		epb(&g, 0, (uint64_t)T0, big, sizeof(big), sizeof(big));
		epb(&g, 0, (uint64_t)T0 + 1, frame, 10, 10);
		r = reader(&m, &g.b, 1, with_skip);
		assert_int_equal(pcapng_next(r, &p), 1);
		assert_null(p.data);
		assert_int_equal(p.caplen, sizeof(big));
		assert_int_equal(pcapng_next(r, &p), 1);
		assert_int_equal(p.ts, T0 + 1);
		assert_int_equal(pcapng_next(r, &p), 0);
		pcapng_free(r);
		b_free(&g.b);
	}
}

/* A good file with its last block replaced by `tail`; the reader must stop there with a reason holding `word`. */
static void expect_damage(const struct buf *tail, const char *word)
{
	struct ng g = { { 0 }, 0 };
	struct mem m;
	struct pcapng_rd *r;
	struct pcapng_pkt p;

	shb(&g, 0);
	idb(&g, 1, 262144, NULL, -1, 0);
	epb(&g, 0, 1, frame, 10, 10);
	b_mem(&g.b, tail->p, tail->n);
	r = reader(&m, &g.b, 0, 1);
	assert_int_equal(pcapng_next(r, &p), 1);
	assert_int_equal(pcapng_next(r, &p), -1);
	assert_non_null(strstr(pcapng_error(r), "pcapng block at byte 92"));
	if (!strstr(pcapng_error(r), word))
		fail_msg("'%s' does not say '%s'", pcapng_error(r), word);
	assert_int_equal(pcapng_next(r, &p), -1);	/* stays stopped */
	pcapng_free(r);
	b_free(&g.b);
}

/* An EPB with chosen lengths: leading, trailing, caplen, and body bytes between the lengths. */
static void bad_epb(struct buf *b, uint32_t tot, uint32_t trail, uint32_t caplen, size_t body, uint32_t ifid)
{
	b->n = 0;
	b_le32(b, 6);
	b_le32(b, tot);
	b_le32(b, ifid);
	b_le32(b, 0);
	b_le32(b, 1);
	b_le32(b, caplen);
	b_le32(b, caplen);
	b_zero(b, body > 20 ? body - 20 : 0);
	if (trail)
		b_le32(b, trail);
}

static void test_lying_lengths(void **state)
{
	struct buf b = { 0 };

	(void)state;
	bad_epb(&b, 4096, 0, 40, 60, 0);
	expect_damage(&b, "truncated");
	bad_epb(&b, 90, 90, 40, 76, 0);
	expect_damage(&b, "not a multiple of 4");
	bad_epb(&b, 88, 92, 40, 76, 0);
	expect_damage(&b, "trailing block length 92");
	bad_epb(&b, 8, 8, 0, 20, 0);
	expect_damage(&b, "shorter than an empty block");
	bad_epb(&b, 88, 88, 1000, 76, 0);
	expect_damage(&b, "captured length 1000");
	bad_epb(&b, 0x7ffffff0U, 0x7ffffff0U, 40, 76, 0);
	expect_damage(&b, "limit");
	bad_epb(&b, 88, 88, 40, 76, 5);
	expect_damage(&b, "interface 5");
	/* A body shorter than its own fields. */
	b.n = 0;
	b_le32(&b, 6);
	b_le32(&b, 28);
	b_zero(&b, 16);
	b_le32(&b, 28);
	expect_damage(&b, "at least 20");
	/* A header cut short by the end of the stream. */
	b.n = 0;
	b_le32(&b, 6);
	b_le16(&b, 1);
	expect_damage(&b, "truncated");
	/* An interface option running past its block. */
	b.n = 0;
	b_le32(&b, 1);
	b_le32(&b, 28);
	b_le16(&b, 1);
	b_le16(&b, 0);
	b_le32(&b, 0);
	b_le16(&b, 2);
	b_le16(&b, 200);
	b_zero(&b, 4);
	b_le32(&b, 28);
	expect_damage(&b, "runs past its block");
	/* An if_tsresol no 64-bit time can carry. */
	b.n = 0;
	b_le32(&b, 1);
	b_le32(&b, 28);
	b_le16(&b, 1);
	b_le16(&b, 0);
	b_le32(&b, 0);
	b_le16(&b, 9);
	b_le16(&b, 1);
	b_u8(&b, 25);
	b_zero(&b, 3);
	b_le32(&b, 28);
	expect_damage(&b, "if_tsresol");
	/* A section header with a byte-order magic of neither order. */
	b.n = 0;
	b_le32(&b, 0x0A0D0D0AU);
	b_le32(&b, 28);
	b_le32(&b, 0x11223344U);
	b_zero(&b, 12);
	b_le32(&b, 28);
	expect_damage(&b, "byte-order magic");
	b_free(&b);
}

/* Not pcapng at all, empty, and a packet before any interface was described. */
static void test_bad_starts(void **state)
{
	struct ng g = { { 0 }, 0 };
	struct mem m;
	struct pcapng_rd *r;
	struct pcapng_pkt p;

	(void)state;
	r = reader(&m, &g.b, 0, 1);
	assert_int_equal(pcapng_next(r, &p), -1);
	assert_non_null(strstr(pcapng_error(r), "empty"));
	assert_int_equal(pcapng_sections(r), 0);
	pcapng_free(r);
	epb(&g, 0, 1, frame, 10, 10);
	r = reader(&m, &g.b, 0, 1);
	assert_int_equal(pcapng_next(r, &p), -1);
	assert_non_null(strstr(pcapng_error(r), "section header"));
	pcapng_free(r);
	g.b.n = 0;
	shb(&g, 1);
	epb(&g, 0, 1, frame, 10, 10);
	r = reader(&m, &g.b, 0, 1);
	assert_int_equal(pcapng_next(r, &p), -1);
	assert_non_null(strstr(pcapng_error(r), "interface 0"));
	pcapng_free(r);
	b_free(&g.b);
	pcapng_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_byte_orders),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_tsresol),
		cmocka_unit_test(test_idb_resolution),
		cmocka_unit_test(test_spb_pb),
		cmocka_unit_test(test_headers_only),
		cmocka_unit_test(test_lying_lengths),
		cmocka_unit_test(test_bad_starts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
