/* gen_hostile.c - writes hostile captures (lying lengths, link types, times, pcapng blocks) and what a replay must still count. */
/*
 * Usage: build/gen_hostile DIR
 *
 * Every capture mixes known-good traffic -- one migration TCP flow
 * (10.9.0.1:40001 -> 10.9.0.2:49152, 1000-byte segments, each acked) and
 * one ping stream (10.9.1.1 -> 10.9.1.2, id 4242) -- with hostile records
 * in the middle.  DIR/expect.json says, per file, the exit status the
 * replay must end with, how many stderr lines it may print (and a word
 * they must contain), and the exact report values of the good traffic:
 * every good record read before the damage counts, nothing hostile does.
 * The records are written byte by byte (no libpcap) so that they can lie.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytebuf.h"

#define T0 1700000000u		/* seconds of the first record */
#define SNAP 65535u
#define MSS 1000u
#define ROUNDS 10		/* good rounds before and after the hostile records */

enum { LT_NULL = 0, LT_EN10MB = 1, LT_RAW = 101 };

static _Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static _Noreturn void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("gen_hostile: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* ---- packets (checksums are left 0: migmeter does not check them) ---- */

static const uint8_t mig_c[4] = { 10, 9, 0, 1 }, mig_s[4] = { 10, 9, 0, 2 };
static const uint8_t png_a[4] = { 10, 9, 1, 1 }, png_b[4] = { 10, 9, 1, 2 };

static void eth(struct buf *b, uint16_t type)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 0xb, 2, 0, 0, 0, 0, 0xa };

	b_mem(b, macs, sizeof(macs));
	b_be16(b, type);
}

/* IPv4 header, RFC 791: `tot` is written as given (it may lie). */
static void ip4(struct buf *b, uint8_t vihl, uint16_t tot, uint8_t proto, const uint8_t *s, const uint8_t *d)
{
	b_u8(b, vihl);
	b_u8(b, 0);
	b_be16(b, tot);
	b_be16(b, 1);
	b_be16(b, 0x4000);
	b_u8(b, 64);
	b_u8(b, proto);
	b_be16(b, 0);
	b_mem(b, s, 4);
	b_mem(b, d, 4);
}

static void tcp(struct buf *b, uint16_t sp, uint16_t dp, uint32_t seq, uint32_t ack, uint8_t doff,
		uint8_t flags)
{
	b_be16(b, sp);
	b_be16(b, dp);
	b_be32(b, seq);
	b_be32(b, ack);
	b_u8(b, (uint8_t)(doff << 4));
	b_u8(b, flags);
	b_be16(b, 65535);
	b_be32(b, 0);
}

/* A migration segment as an IPv4 packet (no link header). */
static void mig_ip(struct buf *b, int fwd, uint32_t seq, uint32_t ack, uint8_t flags, size_t plen)
{
	ip4(b, 0x45, (uint16_t)(40 + plen), 6, fwd ? mig_c : mig_s, fwd ? mig_s : mig_c);
	tcp(b, fwd ? 40001 : 49152, fwd ? 49152 : 40001, seq, ack, 5, flags);
	while (plen--)
		b_u8(b, (uint8_t)(0x41 + plen % 26));
}

static void ping_ip(struct buf *b, int reply, uint16_t seq)
{
	int i;

	ip4(b, 0x45, 84, 1, reply ? png_b : png_a, reply ? png_a : png_b);
	b_u8(b, reply ? 0 : 8);
	b_u8(b, 0);
	b_be16(b, 0);
	b_be16(b, 4242);
	b_be16(b, seq);
	for (i = 0; i < 56; i++)
		b_u8(b, (uint8_t)i);
}

/* ---- records and files ---------------------------------------------- */

enum what { GOOD_FWD, GOOD_REV, GOOD_REQ, GOOD_REP, HOSTILE };

struct rec {
	uint32_t sec, usec, caplen, len;	/* pcap record header as written */
	struct buf data;
	enum what what;
	uint32_t payload;			/* GOOD_FWD/REV: TCP payload bytes */
	int stops;				/* the reader gives up at this record */
	int skipped;				/* read, but a replay must not count it (bad time) */
	int raw;				/* pcapng: this record is a whole block, written as is */
};

struct capf {
	struct rec *r;
	size_t n, cap;
	uint32_t t_us;				/* running time of the next good record */
	uint32_t seq_c, seq_s;
	uint16_t ping_seq;
};

static struct rec *add(struct capf *c, enum what w)
{
	struct rec *r;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->r = realloc(c->r, c->cap * sizeof(*c->r));
		if (!c->r)
			die("out of memory");
	}
	r = &c->r[c->n++];
	memset(r, 0, sizeof(*r));
	r->what = w;
	c->t_us += 1000;
	r->sec = T0 + c->t_us / 1000000u;
	r->usec = c->t_us % 1000000u;
	return r;
}

/* The frame is complete: caplen = len = its size. */
static void whole(struct rec *r)
{
	r->caplen = r->len = (uint32_t)r->data.n;
}

/* Good records: link type decides the link header (Ethernet, or none for RAW). */
static void good_seg(struct capf *c, int lt, int fwd, uint8_t flags, size_t plen)
{
	struct rec *r = add(c, fwd ? GOOD_FWD : GOOD_REV);
	uint32_t *seq = fwd ? &c->seq_c : &c->seq_s, *ack = fwd ? &c->seq_s : &c->seq_c;

	if (lt == LT_EN10MB)
		eth(&r->data, 0x0800);
	mig_ip(&r->data, fwd, *seq, *ack, flags, plen);
	*seq += (uint32_t)plen + ((flags & 0x03) ? 1u : 0u);
	r->payload = (uint32_t)plen;
	whole(r);
}

static void good_ping(struct capf *c, int lt)
{
	struct rec *r = add(c, GOOD_REQ);

	if (lt == LT_EN10MB)
		eth(&r->data, 0x0800);
	ping_ip(&r->data, 0, c->ping_seq);
	whole(r);
	r = add(c, GOOD_REP);
	if (lt == LT_EN10MB)
		eth(&r->data, 0x0800);
	ping_ip(&r->data, 1, c->ping_seq);
	whole(r);
	c->ping_seq++;
}

static void handshake(struct capf *c, int lt)
{
	c->seq_c = 1000;
	c->seq_s = 5000;
	c->ping_seq = 1;
	good_seg(c, lt, 1, 0x02, 0);
	good_seg(c, lt, 0, 0x12, 0);
	good_seg(c, lt, 1, 0x10, 0);
}

static void rounds(struct capf *c, int lt, int n)
{
	while (n--) {
		good_seg(c, lt, 1, 0x18, MSS);
		good_seg(c, lt, 0, 0x10, 0);
		good_ping(c, lt);
	}
}

static void cap_free(struct capf *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		b_free(&c->r[i].data);
	free(c->r);
	memset(c, 0, sizeof(*c));
}

static const char *outdir;
static FILE *xf;
static int x_first = 1;

static FILE *open_out(const char *name)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	fp = fopen(path, "wb");
	if (!fp)
		die("%s: cannot create", path);
	return fp;
}

static void put(FILE *fp, const struct buf *b)
{
	if (b->n && fwrite(b->p, 1, b->n, fp) != b->n)
		die("write error");
}

/* Classic pcap, little-endian, microseconds (pcap-savefile(5)). */
static void write_pcap(const struct capf *c, const char *name, uint32_t lt, uint32_t snap)
{
	FILE *fp = open_out(name);
	struct buf b = { 0 };
	size_t i;

	b_le32(&b, 0xa1b2c3d4u);
	b_le16(&b, 2);
	b_le16(&b, 4);
	b_le32(&b, 0);
	b_le32(&b, 0);
	b_le32(&b, snap);
	b_le32(&b, lt);
	for (i = 0; i < c->n; i++) {
		const struct rec *r = &c->r[i];

		b_le32(&b, r->sec);
		b_le32(&b, r->usec);
		b_le32(&b, r->caplen);
		b_le32(&b, r->len);
		b_mem(&b, r->data.p, r->data.n);
	}
	put(fp, &b);
	b_free(&b);
	if (fclose(fp) != 0)
		die("%s: write error", name);
}

/* pcapng block: type, total length, body padded to 4, total length again. */
static void ng_block(struct buf *b, uint32_t type, const struct buf *body)
{
	uint32_t tot = (uint32_t)(12 + ((body->n + 3) & ~(size_t)3));

	b_le32(b, type);
	b_le32(b, tot);
	b_mem(b, body->p, body->n);
	b_zero(b, ((body->n + 3) & ~(size_t)3) - body->n);
	b_le32(b, tot);
}

/* pcapng (draft-ietf-opsawg-pcapng): SHB, one Ethernet IDB (microseconds), an EPB per record. */
static void write_pcapng(const struct capf *c, const char *name)
{
	FILE *fp = open_out(name);
	struct buf b = { 0 }, body = { 0 };
	size_t i;

	b_le32(&body, 0x1a2b3c4du);
	b_le16(&body, 1);
	b_le16(&body, 0);
	b_le32(&body, 0xffffffffu);
	b_le32(&body, 0xffffffffu);
	ng_block(&b, 0x0a0d0d0au, &body);
	body.n = 0;
	b_le16(&body, LT_EN10MB);
	b_le16(&body, 0);
	b_le32(&body, SNAP);
	ng_block(&b, 1, &body);
	for (i = 0; i < c->n; i++) {
		const struct rec *r = &c->r[i];
		uint64_t ts = (uint64_t)r->sec * 1000000u + r->usec;

		if (r->raw) {
			b_mem(&b, r->data.p, r->data.n);
			continue;
		}
		body.n = 0;
		b_le32(&body, 0);
		b_le32(&body, (uint32_t)(ts >> 32));
		b_le32(&body, (uint32_t)ts);
		b_le32(&body, r->caplen);
		b_le32(&body, r->len);
		b_mem(&body, r->data.p, r->data.n);
		ng_block(&b, 6, &body);
	}
	put(fp, &b);
	b_free(&b);
	b_free(&body);
	if (fclose(fp) != 0)
		die("%s: write error", name);
}

/*
 * expect.json entry: the good traffic read before the first record that
 * stops the reader; `exit` the status, `stderr_max` the lines allowed,
 * `stderr_word` a word the first line must hold (NULL: none).
 */
static void expect(const struct capf *c, const char *name, int exit_code, int stderr_max,
		   const char *stderr_word, int lt_valid)
{
	uint64_t fp = 0, fw = 0, fpl = 0, rp = 0, rw = 0, req = 0, rep = 0, frames = 0;
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct rec *r = &c->r[i];

		if (r->stops)
			break;
		frames++;
		if (!lt_valid || r->skipped)
			continue;
		switch (r->what) {
		case GOOD_FWD:
			fp++;
			fw += r->len;
			fpl += r->payload;
			break;
		case GOOD_REV:
			rp++;
			rw += r->len;
			break;
		case GOOD_REQ:
			req++;
			break;
		case GOOD_REP:
			rep++;
			break;
		case HOSTILE:
			break;
		}
	}
	fprintf(xf, "%s\n  \"%s\": {\"exit\": %d, \"stderr_max\": %d, \"stderr_word\": %s%s%s,\n"
		"    \"values\": {\"migration.forward.packets\": %llu, \"migration.forward.wire_bytes\": %llu,\n"
		"      \"migration.forward.payload_bytes\": %llu, \"migration.forward.unique_payload_bytes\": %llu,\n"
		"      \"migration.reverse.packets\": %llu, \"migration.reverse.wire_bytes\": %llu,\n"
		"      \"migration.flows\": %d, \"downtime.total.requests\": %llu, \"downtime.total.replies\": %llu,\n"
		"      \"capture.decode.ok\": %llu}}",
		x_first ? "{" : ",", name, exit_code, stderr_max,
		stderr_word ? "\"" : "", stderr_word ? stderr_word : "null", stderr_word ? "\"" : "",
		(unsigned long long)fp, (unsigned long long)fw, (unsigned long long)fpl,
		(unsigned long long)fpl, (unsigned long long)rp, (unsigned long long)rw,
		fp + rp ? 1 : 0, (unsigned long long)req, (unsigned long long)rep,
		(unsigned long long)(fp + rp + req + rep));
	if (frames > c->n)
		die("impossible");
	x_first = 0;
}

/* ---- the hostile records -------------------------------------------- */

/* A hostile record holding bytes `p` with a chosen record header. */
static struct rec *hostile(struct capf *c, const struct buf *p, uint32_t caplen, uint32_t len)
{
	struct rec *r = add(c, HOSTILE);

	b_mem(&r->data, p->p, p->n);
	r->caplen = caplen;
	r->len = len;
	return r;
}

/* Zero-length records: caplen 0 with a length, and nothing at all. */
static void fx_caplen_zero(void)
{
	struct capf c = { 0 };
	struct buf e = { 0 };

	handshake(&c, LT_EN10MB);
	rounds(&c, LT_EN10MB, ROUNDS);
	hostile(&c, &e, 0, 60);
	hostile(&c, &e, 0, 0);
	hostile(&c, &e, 0, 1054);
	rounds(&c, LT_EN10MB, ROUNDS);
	write_pcap(&c, "caplen-zero.pcap", LT_EN10MB, SNAP);
	expect(&c, "caplen-zero.pcap", 0, 0, NULL, 1);
	cap_free(&c);
}

/* caplen beyond the file's snap length (but within libpcap's 256 KiB): a
 * lying record header that libpcap cuts to the snap length, so reading goes on. */
static void fx_caplen_over_snap(void)
{
	struct capf c = { 0 };
	struct buf e = { 0 };

	eth(&e, 0x88b5);
	b_zero(&e, 2000 - e.n);
	handshake(&c, LT_EN10MB);
	rounds(&c, LT_EN10MB, ROUNDS);
	hostile(&c, &e, 2000, 2000);
	rounds(&c, LT_EN10MB, ROUNDS);
	write_pcap(&c, "caplen-over-snaplen.pcap", LT_EN10MB, 1500);
	expect(&c, "caplen-over-snaplen.pcap", 0, 0, NULL, 1);
	cap_free(&c);
	b_free(&e);
}

/* caplen beyond 256 KiB with the file ending inside it. */
static void fx_caplen_huge(void)
{
	struct capf c = { 0 };
	struct buf e = { 0 };
	struct rec *r;

	eth(&e, 0x88b5);
	b_zero(&e, 100);
	handshake(&c, LT_EN10MB);
	rounds(&c, LT_EN10MB, ROUNDS);
	r = hostile(&c, &e, 300000, 300000);
	r->stops = 1;
	write_pcap(&c, "caplen-over-256k.pcap", LT_EN10MB, SNAP);
	expect(&c, "caplen-over-256k.pcap", 1, 1, "caplen-over-256k", 1);
	cap_free(&c);
	b_free(&e);
}

/* caplen > len: a migration segment that says it was shorter on the wire than captured. */
static void fx_caplen_gt_len(void)
{
	struct capf c = { 0 };
	struct buf e = { 0 };

	eth(&e, 0x0800);
	mig_ip(&e, 1, 999999, 0, 0x18, MSS);
	handshake(&c, LT_EN10MB);
	rounds(&c, LT_EN10MB, ROUNDS);
	hostile(&c, &e, (uint32_t)e.n, 60);
	hostile(&c, &e, (uint32_t)e.n, 0);
	rounds(&c, LT_EN10MB, ROUNDS);
	write_pcap(&c, "caplen-gt-len.pcap", LT_EN10MB, SNAP);
	expect(&c, "caplen-gt-len.pcap", 0, 0, NULL, 1);
	cap_free(&c);
	b_free(&e);
}

/* Timestamps going backwards (good frames, still counted), a microsecond
 * field past one second (skipped as a bad time), a time before... nothing:
 * pcap seconds are unsigned. */
static void fx_time_backwards(void)
{
	struct capf c = { 0 };
	size_t i, n0;

	handshake(&c, LT_EN10MB);
	rounds(&c, LT_EN10MB, ROUNDS);
	n0 = c.n;
	rounds(&c, LT_EN10MB, ROUNDS);
	for (i = n0; i < c.n; i++)	/* these went back an hour, and run backwards too */
		c.r[i].sec -= 3600 + (uint32_t)(i - n0);
	good_seg(&c, LT_EN10MB, 1, 0x18, MSS);
	c.r[c.n - 1].usec = 1500000;	/* not a time: skipped and counted as bad */
	c.r[c.n - 1].skipped = 1;
	rounds(&c, LT_EN10MB, ROUNDS);
	write_pcap(&c, "time-backwards.pcap", LT_EN10MB, SNAP);
	expect(&c, "time-backwards.pcap", 0, 1, "clock stepped back", 1);	/* the echo stream says so */
	cap_free(&c);
}

/* One ping months after the rest: the empty time bins in between must not cost half a gigabyte. */
static void fx_time_jump(void)
{
	struct capf c = { 0 };

	handshake(&c, LT_EN10MB);
	rounds(&c, LT_EN10MB, ROUNDS);
	good_ping(&c, LT_EN10MB);
	c.r[c.n - 1].sec = T0 + 9000000u;	/* 104 days later: a damaged clock, still a time */
	c.r[c.n - 2].sec = T0 + 9000000u;
	write_pcap(&c, "time-jump.pcap", LT_EN10MB, SNAP);
	expect(&c, "time-jump.pcap", 0, 0, NULL, 1);
	cap_free(&c);
}

/* The file header lies about the link type: RAW over Ethernet frames, and the reverse. */
static void fx_link_lies(void)
{
	struct capf c = { 0 };

	handshake(&c, LT_EN10MB);
	rounds(&c, LT_EN10MB, ROUNDS);
	write_pcap(&c, "link-raw-carries-eth.pcap", LT_RAW, SNAP);
	expect(&c, "link-raw-carries-eth.pcap", 0, 1, "wrong link type", 0);
	cap_free(&c);

	handshake(&c, LT_RAW);
	rounds(&c, LT_RAW, ROUNDS);
	write_pcap(&c, "link-eth-carries-raw.pcap", LT_EN10MB, SNAP);
	expect(&c, "link-eth-carries-raw.pcap", 0, 1, "wrong link type", 0);
	cap_free(&c);
}

/* Raw IP migration segments among Ethernet frames in an Ethernet file. */
static void fx_link_some_raw(void)
{
	struct capf c = { 0 };
	struct buf e = { 0 };
	int i;

	handshake(&c, LT_EN10MB);
	rounds(&c, LT_EN10MB, ROUNDS);
	for (i = 0; i < 5; i++) {
		e.n = 0;
		mig_ip(&e, 1, 777777u + (uint32_t)i * MSS, 0, 0x18, MSS);
		hostile(&c, &e, (uint32_t)e.n, (uint32_t)e.n);
	}
	rounds(&c, LT_EN10MB, ROUNDS);
	write_pcap(&c, "link-eth-some-raw.pcap", LT_EN10MB, SNAP);
	expect(&c, "link-eth-some-raw.pcap", 0, 0, NULL, 1);
	cap_free(&c);
	b_free(&e);
}

/* A big-TCP segment (IPv4 total length 0) captured headers only: caplen 54, len `len`. */
static struct rec *tso_seg(struct capf *c, enum what w, uint32_t seq, uint32_t len)
{
	struct rec *r = add(c, w);

	eth(&r->data, 0x0800);
	ip4(&r->data, 0x45, 0, 6, mig_c, mig_s);
	tcp(&r->data, 40001, 49152, seq, c->seq_s, 5, 0x10);
	r->caplen = (uint32_t)r->data.n;
	r->len = len;
	r->payload = len - (uint32_t)r->data.n;
	return r;
}

/* Record lengths claiming gigabytes on TSO-looking segments: invalid, never
 * payload; a real 300 KB big-TCP segment among them still counts. */
static void fx_len_absurd(void)
{
	struct capf c = { 0 };

	handshake(&c, LT_EN10MB);
	rounds(&c, LT_EN10MB, ROUNDS);
	tso_seg(&c, HOSTILE, c.seq_c, 0xffffffffu);
	tso_seg(&c, HOSTILE, c.seq_c + 0x80000000u, 0x90000000u);
	tso_seg(&c, HOSTILE, c.seq_c, 2u << 20);
	tso_seg(&c, GOOD_FWD, c.seq_c, 300000);
	c.seq_c += c.r[c.n - 1].payload;
	rounds(&c, LT_EN10MB, ROUNDS);
	write_pcap(&c, "len-absurd.pcap", LT_EN10MB, SNAP);
	expect(&c, "len-absurd.pcap", 0, 0, NULL, 1);
	cap_free(&c);
}

/* Appends a frame whose headers lie, as it was captured (caplen = len = its bytes). */
static void lie(struct capf *c, const struct buf *e)
{
	hostile(c, e, (uint32_t)e->n, (uint32_t)e->n);
}

/* Frames where every header claims more length than exists. */
static void fx_lying_headers(void)
{
	struct capf c = { 0 };
	struct buf e = { 0 };
	int i;

	handshake(&c, LT_EN10MB);
	rounds(&c, LT_EN10MB, ROUNDS);

	/* IPv4 IHL 15 (60 bytes) in a 54-byte frame. */
	e.n = 0;
	eth(&e, 0x0800);
	ip4(&e, 0x4f, 40, 6, mig_c, mig_s);
	tcp(&e, 40001, 49152, 1, 0, 5, 0x18);
	lie(&c, &e);
	/* IPv4 IHL 4 (< 5). */
	e.n = 0;
	eth(&e, 0x0800);
	ip4(&e, 0x44, 40, 6, mig_c, mig_s);
	tcp(&e, 40001, 49152, 1, 0, 5, 0x18);
	lie(&c, &e);
	/* IPv4 total length 1500 in a 54-byte frame. */
	e.n = 0;
	eth(&e, 0x0800);
	ip4(&e, 0x45, 1500, 6, mig_c, mig_s);
	tcp(&e, 40001, 49152, 1, 0, 5, 0x18);
	lie(&c, &e);
	/* IPv4 total length 10, below its own header. */
	e.n = 0;
	eth(&e, 0x0800);
	ip4(&e, 0x45, 10, 6, mig_c, mig_s);
	tcp(&e, 40001, 49152, 1, 0, 5, 0x18);
	lie(&c, &e);
	/* TCP data offset 15 (60 bytes) with 20 bytes of TCP. */
	e.n = 0;
	eth(&e, 0x0800);
	ip4(&e, 0x45, 40, 6, mig_c, mig_s);
	tcp(&e, 40001, 49152, 1, 0, 15, 0x18);
	lie(&c, &e);
	/* TCP data offset 2 (< 5). */
	e.n = 0;
	eth(&e, 0x0800);
	ip4(&e, 0x45, 40, 6, mig_c, mig_s);
	tcp(&e, 40001, 49152, 1, 0, 2, 0x18);
	lie(&c, &e);
	/* IPv6 payload length 2000 with a 20-byte TCP header behind it. */
	e.n = 0;
	eth(&e, 0x86dd);
	b_be32(&e, 0x60000000);
	b_be16(&e, 2000);
	b_u8(&e, 6);
	b_u8(&e, 64);
	b_zero(&e, 32);
	tcp(&e, 40001, 49152, 1, 0, 5, 0x18);
	lie(&c, &e);
	/* IPv6 destination options claiming 2048 bytes. */
	e.n = 0;
	eth(&e, 0x86dd);
	b_be32(&e, 0x60000000);
	b_be16(&e, 28);
	b_u8(&e, 60);
	b_u8(&e, 64);
	b_zero(&e, 32);
	b_u8(&e, 6);
	b_u8(&e, 255);
	b_zero(&e, 26);
	lie(&c, &e);
	/* Twelve VLAN tags, and a stack cut inside a tag. */
	e.n = 0;
	eth(&e, 0x8100);
	for (i = 0; i < 12; i++) {
		b_be16(&e, 100);
		b_be16(&e, i < 11 ? 0x8100 : 0x0800);
	}
	mig_ip(&e, 1, 1, 0, 0x18, 0);
	lie(&c, &e);
	e.n = 0;
	eth(&e, 0x88a8);
	b_be16(&e, 100);
	b_be16(&e, 0x8100);
	b_u8(&e, 0);
	lie(&c, &e);
	/* VXLAN whose inner IPv4 claims 1400 bytes inside a short outer packet. */
	e.n = 0;
	eth(&e, 0x0800);
	ip4(&e, 0x45, 20 + 8 + 8 + 14 + 20 + 8, 17, png_a, png_b);
	b_be16(&e, 55555);
	b_be16(&e, 4789);
	b_be16(&e, 8 + 8 + 14 + 20 + 8);
	b_be16(&e, 0);
	b_be32(&e, 0x08000000);
	b_be32(&e, 0x00000100);
	eth(&e, 0x0800);
	ip4(&e, 0x45, 1400, 1, png_a, png_b);
	b_u8(&e, 8);
	b_zero(&e, 7);
	lie(&c, &e);
	/* VXLAN cut inside the inner Ethernet header. */
	e.n = 0;
	eth(&e, 0x0800);
	ip4(&e, 0x45, 20 + 8 + 8 + 6, 17, png_a, png_b);
	b_be16(&e, 55555);
	b_be16(&e, 4789);
	b_be16(&e, 8 + 8 + 6);
	b_be16(&e, 0);
	b_be32(&e, 0x08000000);
	b_be32(&e, 0x00000100);
	b_zero(&e, 6);
	lie(&c, &e);
	/* GRE with checksum, key and sequence flags but no room for them. */
	e.n = 0;
	eth(&e, 0x0800);
	ip4(&e, 0x45, 20 + 4 + 2, 47, png_a, png_b);
	b_be16(&e, 0xb000);
	b_be16(&e, 0x0800);
	b_zero(&e, 2);
	lie(&c, &e);
	/* GRE carrying an IPv4 packet that claims 60000 bytes. */
	e.n = 0;
	eth(&e, 0x0800);
	ip4(&e, 0x45, 20 + 4 + 20 + 8, 47, png_a, png_b);
	b_be16(&e, 0);
	b_be16(&e, 0x0800);
	ip4(&e, 0x45, 60000, 1, png_a, png_b);
	b_u8(&e, 8);
	b_zero(&e, 7);
	lie(&c, &e);
	/* GENEVE with 63 words of options promised. */
	e.n = 0;
	eth(&e, 0x0800);
	ip4(&e, 0x45, 20 + 8 + 8 + 4, 17, png_a, png_b);
	b_be16(&e, 55555);
	b_be16(&e, 6081);
	b_be16(&e, 8 + 8 + 4);
	b_be16(&e, 0);
	b_u8(&e, 0x3f);
	b_u8(&e, 0);
	b_be16(&e, 0x6558);
	b_be32(&e, 0x00000100);
	b_zero(&e, 4);
	lie(&c, &e);

	rounds(&c, LT_EN10MB, ROUNDS);
	write_pcap(&c, "lying-headers.pcap", LT_EN10MB, SNAP);
	expect(&c, "lying-headers.pcap", 0, 0, NULL, 1);
	cap_free(&c);
	b_free(&e);
}

/* A raw pcapng block as a stopping record. */
static struct rec *ng_raw(struct capf *c, const struct buf *blk)
{
	struct rec *r = add(c, HOSTILE);

	r->raw = 1;
	r->stops = 1;
	b_mem(&r->data, blk->p, blk->n);
	return r;
}

/* A raw pcapng block the reader passes over (or skips the packet of): counted as nothing. */
static struct rec *ng_raw_kept(struct capf *c, const struct buf *blk)
{
	struct rec *r = ng_raw(c, blk);

	r->stops = 0;
	return r;
}

/* A whole little-endian block of `type` whose body is `body` (padded to 4). */
static void ng_whole(struct buf *b, uint32_t type, const struct buf *body)
{
	b->n = 0;
	ng_block(b, type, body);
}

/* An EPB whose header says `tot` and whose trailer says `trail`, with `body` bytes of body. */
static void ng_bad_epb(struct buf *b, uint32_t tot, uint32_t trail, size_t body, uint32_t caplen)
{
	size_t i;

	b->n = 0;
	b_le32(b, 6);
	b_le32(b, tot);
	b_le32(b, 0);
	b_le32(b, 0);
	b_le32(b, T0);
	b_le32(b, caplen);
	b_le32(b, caplen);
	for (i = 20; i < body; i++)
		b_u8(b, 0);
	if (trail)
		b_le32(b, trail);
}

/* Truncated and inconsistent pcapng blocks among good ones. */
static void fx_pcapng(void)
{
	static const struct {
		const char *name;
		uint32_t tot, trail;
		size_t body;
		uint32_t caplen;
		int after;		/* good rounds after the bad block */
	} cases[] = {
		/* the block length points 4000 bytes past the end of the file */
		{ "ng-block-past-end.pcapng", 4096, 0, 60, 40, 0 },
		/* total length not a multiple of 4 */
		{ "ng-len-not-mult4.pcapng", 90, 90, 76, 40, ROUNDS },
		/* the trailer length differs from the header's */
		{ "ng-trailer-mismatch.pcapng", 88, 92, 76, 40, ROUNDS },
		/* total length shorter than an empty block */
		{ "ng-len-too-short.pcapng", 8, 8, 20, 0, ROUNDS },
		/* the packet's caplen runs past its block */
		{ "ng-caplen-past-block.pcapng", 88, 88, 76, 1000, ROUNDS },
	};
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct capf c = { 0 };
		struct buf blk = { 0 };

		handshake(&c, LT_EN10MB);
		rounds(&c, LT_EN10MB, ROUNDS);
		ng_bad_epb(&blk, cases[k].tot, cases[k].trail, cases[k].body, cases[k].caplen);
		ng_raw(&c, &blk);
		rounds(&c, LT_EN10MB, cases[k].after);
		write_pcapng(&c, cases[k].name);
		expect(&c, cases[k].name, 1, 1, "pcapng", 1);
		cap_free(&c);
		b_free(&blk);
	}
}

/* A packet on an interface no description names; an if_tsresol no 64-bit time holds; a skipped block past the end. */
static void fx_pcapng_lies(void)
{
	static const char *const names[] = {
		"ng-unknown-interface.pcapng", "ng-bad-tsresol.pcapng", "ng-skip-past-end.pcapng",
	};
	size_t k;

	for (k = 0; k < 3; k++) {
		struct capf c = { 0 };
		struct buf blk = { 0 }, body = { 0 };

		handshake(&c, LT_EN10MB);
		rounds(&c, LT_EN10MB, ROUNDS);
		if (k == 0) {
			ng_bad_epb(&blk, 88, 88, 76, 40);
			blk.p[8] = 7;				/* interface 7 of 1 */
		} else if (k == 1) {
			b_le16(&body, LT_EN10MB);
			b_le16(&body, 0);
			b_le32(&body, SNAP);
			b_le16(&body, 9);			/* if_tsresol 10^-25 */
			b_le16(&body, 1);
			b_u8(&body, 25);
			b_zero(&body, 3);
			ng_whole(&blk, 1, &body);
		} else {
			b_le32(&blk, 0x777);			/* unknown type: skipped, but 1 MiB long */
			b_le32(&blk, 1u << 20);
			b_zero(&blk, 40);
		}
		ng_raw(&c, &blk);
		rounds(&c, LT_EN10MB, k == 2 ? 0 : ROUNDS);
		write_pcapng(&c, names[k]);
		expect(&c, names[k], 1, 1, "pcapng", 1);
		cap_free(&c);
		b_free(&blk);
		b_free(&body);
	}
}

/*
 * Blocks a replay passes over among good ones: name resolution,
 * statistics, a custom and an unknown block, and a second interface of a
 * link type migmeter does not decode (USER0) with a packet on it.
 */
static void fx_pcapng_extra(void)
{
	struct capf c = { 0 };
	struct buf blk = { 0 }, body = { 0 };
	static const uint32_t skipped[] = { 4, 5, 0x00000BADU, 0x40000BADU, 0x12345678U };
	size_t k;

	handshake(&c, LT_EN10MB);
	rounds(&c, LT_EN10MB, ROUNDS);
	for (k = 0; k < sizeof(skipped) / sizeof(skipped[0]); k++) {
		body.n = 0;
		b_zero(&body, 16 + 4 * k);	/* an ISB needs 12 bytes of body */
		ng_whole(&blk, skipped[k], &body);
		ng_raw_kept(&c, &blk);
		rounds(&c, LT_EN10MB, 1);
	}
	body.n = 0;
	b_le16(&body, 147);
	b_le16(&body, 0);
	b_le32(&body, 128);
	ng_whole(&blk, 1, &body);
	ng_raw_kept(&c, &blk);
	ng_bad_epb(&blk, 88, 88, 76, 40);
	blk.p[8] = 1;					/* on the USER0 interface */
	ng_raw_kept(&c, &blk);
	rounds(&c, LT_EN10MB, ROUNDS);
	write_pcapng(&c, "ng-extra-blocks.pcapng");
	expect(&c, "ng-extra-blocks.pcapng", 0, 0, NULL, 1);
	cap_free(&c);
	b_free(&blk);
	b_free(&body);
}

/* ---- announces and multifd headers ---------------------------------- */

/* An ARP/RARP frame: Ethernet (with `tags` VLAN tags), htype, ptype, hlen, plen, op, then 20 address bytes. */
static void arp_frame(struct buf *b, uint16_t type, int tags, uint16_t htype, uint8_t hlen, uint8_t plen,
		      uint16_t op, const uint8_t *src, const uint8_t *sha, const uint8_t ip[4])
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	int i;

	b->n = 0;
	b_mem(b, bcast, 6);
	b_mem(b, src, 6);
	for (i = 0; i < tags; i++) {
		b_be16(b, i == 0 && tags == 2 ? 0x88a8 : 0x8100);
		b_be16(b, 100);
	}
	b_be16(b, type);
	b_be16(b, htype);
	b_be16(b, 0x0800);
	b_u8(b, hlen);
	b_u8(b, plen);
	b_be16(b, op);
	b_mem(b, sha, 6);
	b_mem(b, ip, 4);
	b_mem(b, sha, 6);
	b_mem(b, ip, 4);
	while (b->n < 60)
		b_u8(b, 0);
}

/* A short TCP flow 10.9.0.1:cport -> 10.9.0.2:sport: handshake, one payload segment, ACK, FIN. */
static void side_flow(struct capf *c, uint16_t cport, uint16_t sport, const uint8_t *pl, size_t plen,
		      uint32_t caplen_cut, uint16_t tot_lie)
{
	struct rec *r;
	int k;

	for (k = 0; k < 4; k++) {
		int fwd = k != 1;
		uint8_t flags = k == 0 ? 0x02 : k == 1 ? 0x12 : k == 2 ? 0x18 : 0x11;
		size_t n = k == 2 ? plen : 0;

		r = add(c, HOSTILE);
		eth(&r->data, 0x0800);
		ip4(&r->data, 0x45, k == 2 && tot_lie ? tot_lie : (uint16_t)(40 + n), 6, fwd ? mig_c : mig_s,
		    fwd ? mig_s : mig_c);
		tcp(&r->data, fwd ? cport : sport, fwd ? sport : cport, fwd ? 100u + (k >= 2) + (k == 3 ? (uint32_t)plen : 0) : 900u,
		    fwd ? 901u : 101u, 5, flags);
		b_mem(&r->data, pl, n);
		whole(r);
		if (k == 2 && caplen_cut) {	/* the snap length cut it: caplen < len */
			r->caplen = caplen_cut;
			r->data.n = caplen_cut;
		}
	}
}

/*
 * Damaged announces (cut after the opcode, lying address lengths, cut
 * behind two VLAN tags) and damaged multifd openings (wrong version, cut
 * by the snap length, an IP length shorter than the header) beside a
 * good RARP, a good GARP and the good traffic.  The announce damage is
 * counted, never read past; a multifd channel whose MultiFDInit_t is cut
 * has no UUID, one that is whole gives its UUID and channel.
 */
static void fx_announce_damaged(void)
{
	static const uint8_t vm[6] = { 0x52, 0x54, 0, 0, 0, 0x42 }, other[6] = { 2, 0, 0, 0, 0, 0x99 };
	static const uint8_t ip[4] = { 10, 9, 1, 2 }, zero[4] = { 0 };
	struct capf c = { 0 };
	struct buf e = { 0 };
	uint8_t init[64];

	handshake(&c, LT_EN10MB);
	rounds(&c, LT_EN10MB, ROUNDS);
	/* RARP cut inside the sender address (past the opcode, so the filter lets it through). */
	arp_frame(&e, 0x8035, 0, 1, 6, 4, 3, vm, vm, zero);
	e.n = 26;
	hostile(&c, &e, 26, 60);
	/* RARP whose hardware address length says 255, and one whose protocol length says 16. */
	arp_frame(&e, 0x8035, 0, 1, 255, 4, 3, vm, vm, zero);
	lie(&c, &e);
	arp_frame(&e, 0x8035, 0, 1, 6, 16, 3, vm, vm, zero);
	lie(&c, &e);
	/* Behind 802.1ad + 802.1Q, cut after the opcode. */
	arp_frame(&e, 0x8035, 2, 1, 6, 4, 3, vm, vm, zero);
	e.n = 32;
	hostile(&c, &e, 32, 68);
	/* Not damage, not announces: IEEE 802 hardware type; a GARP sent by a proxy for the VM. */
	arp_frame(&e, 0x8035, 0, 6, 6, 4, 3, vm, vm, zero);
	lie(&c, &e);
	arp_frame(&e, 0x0806, 0, 1, 6, 4, 1, other, vm, ip);
	lie(&c, &e);
	/* The good ones. */
	arp_frame(&e, 0x8035, 0, 1, 6, 4, 3, vm, vm, zero);
	lie(&c, &e);
	arp_frame(&e, 0x0806, 0, 1, 6, 4, 1, vm, vm, ip);
	lie(&c, &e);

	/* multifd openings: wrong version; cut at 20 payload bytes; IP length 10 bytes into the payload; whole. */
	memset(init, 0, sizeof(init));
	init[0] = 0x11, init[1] = 0x22, init[2] = 0x33, init[3] = 0x44, init[7] = 7;
	side_flow(&c, 40011, 49153, init, sizeof(init), 0, 0);
	init[7] = 1;
	memset(init + 8, 0xab, 16);
	init[24] = 3;
	side_flow(&c, 40012, 49154, init, sizeof(init), 14 + 40 + 20, 0);
	side_flow(&c, 40013, 49155, init, sizeof(init), 0, 40 + 10);
	memset(init + 8, 0xff, 16);
	init[24] = 255;
	side_flow(&c, 40014, 49156, init, sizeof(init), 0, 0);

	rounds(&c, LT_EN10MB, ROUNDS);
	write_pcap(&c, "announce-damaged.pcap", LT_EN10MB, SNAP);
	fprintf(xf, ",\n  \"announce-damaged.pcap\": {\"exit\": 0, \"stderr_max\": 0, \"stderr_word\": null,\n"
		"    \"values\": {\"announces.rarp\": 1, \"announces.garp\": 1, \"announces.damaged\": 4,\n"
		"      \"migration.flows\": 5, \"downtime.total.requests\": %d, \"downtime.total.replies\": %d,\n"
		"      \"flows.1.kind\": \"unknown\", \"flows.1.kind_unreadable\": \"unrecognised\",\n"
		"      \"flows.2.kind\": \"multifd\", \"flows.2.uuid\": null, \"flows.3.kind\": \"multifd\",\n"
		"      \"flows.3.uuid\": null, \"flows.4.uuid\": \"ffffffff-ffff-ffff-ffff-ffffffffffff\",\n"
		"      \"flows.4.channel\": 255, \"flows.4.migration\": 1}}", 2 * ROUNDS, 2 * ROUNDS);
	cap_free(&c);
	b_free(&e);
}

int main(int argc, char **argv)
{
	char path[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: gen_hostile DIR\n");
		return 2;
	}
	outdir = argv[1];
	snprintf(path, sizeof(path), "%s/expect.json", outdir);
	xf = fopen(path, "w");
	if (!xf)
		die("%s: cannot create", path);
	fx_caplen_zero();
	fx_caplen_over_snap();
	fx_caplen_huge();
	fx_caplen_gt_len();
	fx_len_absurd();
	fx_time_backwards();
	fx_time_jump();
	fx_link_lies();
	fx_link_some_raw();
	fx_lying_headers();
	fx_pcapng();
	fx_pcapng_lies();
	fx_pcapng_extra();
	fx_announce_damaged();
	fprintf(xf, "\n}\n");
	if (fclose(xf) != 0)
		die("%s: write error", path);
	printf("hostile captures written to %s\n", outdir);
	return 0;
}
