/* gen_fixtures.c - writes the known-answer capture files the golden tests replay. */
/*
 * Usage: build/gen_fixtures OUTDIR
 *
 * Every fixture is built frame by frame from small header builders
 * (Ethernet, 802.1Q/802.1ad, Linux cooked v1/v2, raw IP, BSD loopback,
 * IPv4 with a correct header checksum, IPv6 with a destination-options
 * header, TCP, ICMP/ICMPv6 echo, UDP+VXLAN/GENEVE, GRE) and written with
 * pcap_open_dead + pcap_dump at fixed timestamps, so the output is the same
 * byte for byte at every run.  The addresses (10.0.0.0/8, fd00::/8,
 * 192.0.2.0/24) are only bytes in a file.
 *
 * Besides the captures, OUTDIR/expect.json holds what the generator knows
 * it wrote for each TCP flow (per direction: packets, wire/IP/payload/
 * unique/retransmitted bytes, SYN/FIN/RST, first/last timestamps in ns),
 * and the record counts of the damaged files, so tests/golden.sh compares
 * migmeter's report with answers that do not come from migmeter.
 *
 * Exit status: 0, or 1 with a message on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "bytebuf.h"

#define NS_PER_S 1000000000LL
#define NS_PER_MS 1000000LL
#define NS_PER_US 1000LL

/* 2023-11-14T22:13:20Z: every fixture's time is an offset from here. */
#define T0 (1700000000LL * NS_PER_S)

/* ---- byte buffers ------------------------------------------------------- */

static _Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static _Noreturn void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("gen_fixtures: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* ---- checksums (RFC 1071) ----------------------------------------------- */

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ---- addresses ---------------------------------------------------------- */

struct ip {
	int fam;		/* 4 or 6 */
	uint8_t a[16];
};

static struct ip ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct ip x;

	memset(&x, 0, sizeof(x));
	x.fam = 4;
	x.a[0] = a;
	x.a[1] = b;
	x.a[2] = c;
	x.a[3] = d;
	return x;
}

/* fd00::HI:LO */
static struct ip ip6(uint16_t hi, uint16_t lo)
{
	struct ip x;

	memset(&x, 0, sizeof(x));
	x.fam = 6;
	x.a[0] = 0xfd;
	x.a[12] = (uint8_t)(hi >> 8);
	x.a[13] = (uint8_t)hi;
	x.a[14] = (uint8_t)(lo >> 8);
	x.a[15] = (uint8_t)lo;
	return x;
}

static size_t ip_alen(const struct ip *x)
{
	return x->fam == 4 ? 4 : 16;
}

static void ip_str(const struct ip *x, char *out, size_t n)
{
	if (x->fam == 4) {
		snprintf(out, n, "%u.%u.%u.%u", x->a[0], x->a[1], x->a[2], x->a[3]);
		return;
	}
	/* Only the fd00::HI:LO shapes above are ever printed. */
	snprintf(out, n, "fd00::%x:%x", (unsigned)(x->a[12] << 8 | x->a[13]),
		 (unsigned)(x->a[14] << 8 | x->a[15]));
}

/* Pseudo-header sum for TCP/UDP/ICMPv6 checksums (RFC 9293 3.1, RFC 8200 8.1). */
static uint32_t pseudo_sum(const struct ip *s, const struct ip *d, uint8_t proto, size_t len)
{
	uint32_t sum = 0;

	sum = csum_add(sum, s->a, ip_alen(s));
	sum = csum_add(sum, d->a, ip_alen(d));
	sum += proto;
	sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
	return sum;
}

/* ---- L4 builders -------------------------------------------------------- */

/* TCP header + options + payload, checksum included (RFC 9293). */
static struct buf tcp_seg(const struct ip *s, const struct ip *d, uint16_t sport, uint16_t dport,
			  uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *opt, size_t optlen,
			  const uint8_t *pl, size_t plen)
{
	struct buf b = { 0 };
	size_t hl = 20 + optlen;

	if (optlen % 4)
		die("tcp options must be padded to 4 bytes");
	b_be16(&b, sport);
	b_be16(&b, dport);
	b_be32(&b, seq);
	b_be32(&b, ack);
	b_u8(&b, (uint8_t)((hl / 4) << 4));
	b_u8(&b, flags);
	b_be16(&b, 65535);	/* window */
	b_be16(&b, 0);		/* checksum, below */
	b_be16(&b, 0);		/* urgent */
	b_mem(&b, opt, optlen);
	b_mem(&b, pl, plen);
	set_be16(&b, 16, csum_fold(csum_add(pseudo_sum(s, d, 6, b.n), b.p, b.n)));
	return b;
}

/* ICMP (RFC 792) or ICMPv6 (RFC 4443) echo with a 56-byte ping payload. */
static struct buf icmp_echo(const struct ip *s, const struct ip *d, int reply, uint16_t id,
			    uint16_t seq, int64_t ts)
{
	struct buf b = { 0 };
	uint32_t sum = 0;
	int i;

	if (s->fam == 4)
		b_u8(&b, reply ? 0 : 8);
	else
		b_u8(&b, reply ? 129 : 128);
	b_u8(&b, 0);
	b_be16(&b, 0);
	b_be16(&b, id);
	b_be16(&b, seq);
	/* ping's payload: its send time, then a counting pattern. */
	b_be32(&b, (uint32_t)(ts / NS_PER_S));
	b_be32(&b, (uint32_t)(ts % NS_PER_S / NS_PER_US));
	for (i = 0; i < 48; i++)
		b_u8(&b, (uint8_t)(0x10 + i));
	if (s->fam == 6)
		sum = pseudo_sum(s, d, 58, b.n);
	set_be16(&b, 2, csum_fold(csum_add(sum, b.p, b.n)));
	return b;
}

/* UDP header (RFC 768) around `inner`; checksum 0 as tunnel endpoints send it over IPv4. */
static struct buf udp_dgram(uint16_t sport, uint16_t dport, const struct buf *inner)
{
	struct buf b = { 0 };

	b_be16(&b, sport);
	b_be16(&b, dport);
	b_be16(&b, (uint16_t)(8 + inner->n));
	b_be16(&b, 0);
	b_mem(&b, inner->p, inner->n);
	return b;
}

/* ---- IP ----------------------------------------------------------------- */

static uint16_t ipv4_id = 1;

/*
 * IPv4 (RFC 791) around an L4 buffer.  `totlen0`: write total length 0
 * as a big-TCP (>64 KiB GSO) frame does.
 */
static struct buf ipv4_pkt(const struct ip *s, const struct ip *d, uint8_t proto,
			   const struct buf *l4, int totlen0)
{
	struct buf b = { 0 };
	size_t tot = 20 + l4->n;

	if (!totlen0 && tot > 65535)
		die("IPv4 packet too long");
	b_u8(&b, 0x45);
	b_u8(&b, 0);
	b_be16(&b, totlen0 ? 0 : (uint16_t)tot);
	b_be16(&b, ipv4_id++);
	b_be16(&b, 0x4000);	/* DF */
	b_u8(&b, 64);
	b_u8(&b, proto);
	b_be16(&b, 0);
	b_mem(&b, s->a, 4);
	b_mem(&b, d->a, 4);
	set_be16(&b, 10, csum_fold(csum_add(0, b.p, 20)));
	b_mem(&b, l4->p, l4->n);
	return b;
}

/*
 * IPv6 (RFC 8200) around an L4 buffer; `dstopts` adds an 8-byte
 * destination-options header (one PadN option) before it.
 */
static struct buf ipv6_pkt(const struct ip *s, const struct ip *d, uint8_t proto,
			   const struct buf *l4, int dstopts)
{
	struct buf b = { 0 };
	size_t plen = l4->n + (dstopts ? 8 : 0);

	if (plen > 65535)
		die("IPv6 packet too long");
	b_be32(&b, 0x60000000);
	b_be16(&b, (uint16_t)plen);
	b_u8(&b, dstopts ? 60 : proto);
	b_u8(&b, 64);
	b_mem(&b, s->a, 16);
	b_mem(&b, d->a, 16);
	if (dstopts) {
		static const uint8_t padn[6] = { 1, 4, 0, 0, 0, 0 };

		b_u8(&b, proto);
		b_u8(&b, 0);	/* (0 + 1) * 8 bytes */
		b_mem(&b, padn, sizeof(padn));
	}
	b_mem(&b, l4->p, l4->n);
	return b;
}

static struct buf ip_pkt(const struct ip *s, const struct ip *d, uint8_t proto,
			 const struct buf *l4, int opt)
{
	return s->fam == 4 ? ipv4_pkt(s, d, proto, l4, opt) : ipv6_pkt(s, d, proto, l4, opt);
}

/* ---- link layers -------------------------------------------------------- */

enum link {
	L_ETH,		/* DLT_EN10MB */
	L_VLAN1,	/* DLT_EN10MB, one 802.1Q tag */
	L_VLAN2,	/* DLT_EN10MB, 802.1ad outer + 802.1Q inner */
	L_SLL,		/* DLT_LINUX_SLL */
	L_SLL2,		/* DLT_LINUX_SLL2 */
	L_RAW,		/* DLT_RAW */
	L_NULL,		/* DLT_NULL */
};

static int link_dlt(enum link l)
{
	switch (l) {
	case L_SLL:
		return DLT_LINUX_SLL;
	case L_SLL2:
		return DLT_LINUX_SLL2;
	case L_RAW:
		return DLT_RAW;
	case L_NULL:
		return DLT_NULL;
	default:
		return DLT_EN10MB;
	}
}

static const uint8_t mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };

static void eth_hdr(struct buf *b, int a_to_b, uint16_t type)
{
	b_mem(b, a_to_b ? mac_b : mac_a, 6);
	b_mem(b, a_to_b ? mac_a : mac_b, 6);
	b_be16(b, type);
}

/* Wraps an IP packet of family `fam` in link layer `l`; `out` 1 when sent by the capturing host. */
static struct buf link_wrap(enum link l, int fam, const struct buf *pkt, int out)
{
	struct buf b = { 0 };
	uint16_t et = fam == 4 ? 0x0800 : 0x86dd;
	uint32_t af;

	switch (l) {
	case L_ETH:
		eth_hdr(&b, out, et);
		break;
	case L_VLAN1:		/* IEEE 802.1Q */
		eth_hdr(&b, out, 0x8100);
		b_be16(&b, 100);
		b_be16(&b, et);
		break;
	case L_VLAN2:		/* IEEE 802.1ad S-tag, then C-tag */
		eth_hdr(&b, out, 0x88a8);
		b_be16(&b, 200);
		b_be16(&b, 0x8100);
		b_be16(&b, 100);
		b_be16(&b, et);
		break;
	case L_SLL:		/* https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html */
		b_be16(&b, out ? 4 : 0);
		b_be16(&b, 1);	/* ARPHRD_ETHER */
		b_be16(&b, 6);
		b_mem(&b, out ? mac_a : mac_b, 6);
		b_zero(&b, 2);
		b_be16(&b, et);
		break;
	case L_SLL2:		/* https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html */
		b_be16(&b, et);
		b_be16(&b, 0);
		b_be32(&b, 3);	/* ifindex */
		b_be16(&b, 1);
		b_u8(&b, out ? 4 : 0);
		b_u8(&b, 6);
		b_mem(&b, out ? mac_a : mac_b, 6);
		b_zero(&b, 2);
		break;
	case L_RAW:
		break;
	case L_NULL:		/* AF_ value in the capturing host's byte order (little endian here) */
		af = fam == 4 ? 2 : 30;
		b_u8(&b, (uint8_t)af);
		b_u8(&b, (uint8_t)(af >> 8));
		b_u8(&b, (uint8_t)(af >> 16));
		b_u8(&b, (uint8_t)(af >> 24));
		break;
	}
	b_mem(&b, pkt->p, pkt->n);
	/* Short frames arrive padded to the 60-byte Ethernet minimum (the IP length excludes it). */
	if (!out && (l == L_ETH || l == L_VLAN1 || l == L_VLAN2) && b.n < 60)
		b_zero(&b, 60 - b.n);
	return b;
}

/* ---- a capture being built ---------------------------------------------- */

struct frame {
	int64_t ts;
	size_t order;		/* insertion order: ties keep it */
	struct buf data;
};

struct cap {
	struct frame *f;
	size_t n, cap;
};

static void cap_add(struct cap *c, int64_t ts, struct buf data)
{
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 1024;
		struct frame *nf = realloc(c->f, ncap * sizeof(*nf));

		if (!nf)
			die("out of memory");
		c->f = nf;
		c->cap = ncap;
	}
	c->f[c->n].ts = ts;
	c->f[c->n].order = c->n;
	c->f[c->n].data = data;
	c->n++;
}

static void cap_free(struct cap *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		b_free(&c->f[i].data);
	free(c->f);
	memset(c, 0, sizeof(*c));
}

static int frame_cmp(const void *a, const void *b)
{
	const struct frame *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static const char *outdir;

static void path_of(char *out, size_t n, const char *name)
{
	if ((size_t)snprintf(out, n, "%s/%s", outdir, name) >= n)
		die("path too long: %s/%s", outdir, name);
}

/* The on-disk size of each record written by the last cap_write (header + caplen). */
static size_t *rec_size;
static size_t rec_count;

/*
 * Writes the frames in timestamp order.  snaplen limits caplen (pkthdr.len
 * stays the frame length); nano selects a nanosecond file.  Stops after
 * `limit` records when limit is not 0.  Returns the open dumper when
 * `keep` (the caller appends and closes it), else NULL.
 */
static pcap_dumper_t *cap_write_ex(struct cap *c, const char *name, int dlt, int snaplen, int nano,
				   size_t limit, int keep, pcap_t **pout)
{
	char path[4096];
	pcap_t *p;
	pcap_dumper_t *d;
	size_t i;

	path_of(path, sizeof(path), name);
	qsort(c->f, c->n, sizeof(*c->f), frame_cmp);
	p = pcap_open_dead_with_tstamp_precision(dlt, snaplen,
						 nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
	if (!p)
		die("pcap_open_dead failed");
	d = pcap_dump_open(p, path);
	if (!d)
		die("%s: %s", path, pcap_geterr(p));
	free(rec_size);
	rec_size = calloc(c->n + 1, sizeof(*rec_size));
	if (!rec_size)
		die("out of memory");
	rec_count = 0;
	for (i = 0; i < c->n && (limit == 0 || i < limit); i++) {
		struct pcap_pkthdr h;
		int64_t ts = c->f[i].ts;

		memset(&h, 0, sizeof(h));
		if (!nano && ts % NS_PER_US)
			die("%s: timestamp %" PRId64 " is not whole microseconds", name, ts);
		h.ts.tv_sec = (time_t)(ts / NS_PER_S);
		h.ts.tv_usec = (suseconds_t)(nano ? ts % NS_PER_S : ts % NS_PER_S / NS_PER_US);
		h.len = (bpf_u_int32)c->f[i].data.n;
		h.caplen = h.len < (bpf_u_int32)snaplen ? h.len : (bpf_u_int32)snaplen;
		pcap_dump((u_char *)d, &h, c->f[i].data.p);
		rec_size[rec_count++] = 16 + h.caplen;
	}
	if (keep) {
		*pout = p;
		return d;
	}
	pcap_dump_close(d);
	pcap_close(p);
	return NULL;
}

static void cap_write(struct cap *c, const char *name, int dlt, int snaplen, int nano)
{
	(void)cap_write_ex(c, name, dlt, snaplen, nano, 0, 0, NULL);
}

/* ---- expectations (OUTDIR/expect.json) ---------------------------------- */

struct xdir {
	uint64_t packets, wire, ipb, payload, unique, retrans;
	int64_t first, last;
	int syn, fin, rst;
};

static FILE *xf;		/* expect.json */
static int x_first_fixture = 1;

static void x_begin(const char *fixture)
{
	fprintf(xf, "%s\n  \"%s\": {\"flows\": [", x_first_fixture ? "" : ",", fixture);
	x_first_fixture = 0;
}

static void x_dir(const char *name, const struct xdir *d)
{
	fprintf(xf, "\"%s\": {\"packets\": %" PRIu64 ", \"wire_bytes\": %" PRIu64
		", \"ip_bytes\": %" PRIu64 ", \"payload_bytes\": %" PRIu64
		", \"unique_payload_bytes\": %" PRIu64 ", \"retrans_bytes\": %" PRIu64
		", \"first_ts_ns\": %" PRId64 ", \"last_ts_ns\": %" PRId64
		", \"syn\": %s, \"fin\": %s, \"rst\": %s}",
		name, d->packets, d->wire, d->ipb, d->payload, d->unique, d->retrans,
		d->first, d->last, d->syn ? "true" : "false", d->fin ? "true" : "false",
		d->rst ? "true" : "false");
}

/* Closes the flows array and adds `extra` (already JSON members, may be ""). */
static void x_end(const char *extra)
{
	fprintf(xf, "]%s%s}", *extra ? ", " : "", extra);
}

/* ---- TCP flows ---------------------------------------------------------- */

/* One TCP connection being written; dir 0 = client -> server (forward). */
struct tflow {
	struct cap *cap;
	enum link link;
	struct ip c, s;
	uint16_t cport, sport;
	uint32_t nxt[2];	/* next sequence number per direction */
	struct xdir x[2];
	int nflows_written;	/* for x_flow's comma */
	const uint8_t *opt;	/* TCP options on payload segments */
	size_t optlen;
	int ext_every;		/* IPv6: destination options on every n-th payload segment */
	int nseg;
	int jitter;		/* add 1..997 ns to every timestamp (nanosecond files) */
};

static void tf_init(struct tflow *f, struct cap *cap, enum link l, struct ip c, uint16_t cport,
		    struct ip s, uint16_t sport, uint32_t isn_c, uint32_t isn_s)
{
	memset(f, 0, sizeof(*f));
	f->cap = cap;
	f->link = l;
	f->c = c;
	f->s = s;
	f->cport = cport;
	f->sport = sport;
	f->nxt[0] = isn_c;
	f->nxt[1] = isn_s;
	f->x[0].first = f->x[1].first = -1;
}

/*
 * One segment.  `seq` is absolute; `retrans` says how many of the payload
 * bytes the sender had already sent (0 for new data).  `mode`: 0 normal,
 * 1 big-TCP frame (IPv4 total length 0).
 */
static void tf_seg_ex(struct tflow *f, int64_t ts, int dir, uint8_t flags, uint32_t seq,
		      const uint8_t *pl, size_t plen, size_t retrans, int mode)
{
	const struct ip *src = dir ? &f->s : &f->c, *dst = dir ? &f->c : &f->s;
	struct buf l4, pkt, fr;
	struct xdir *x = &f->x[dir];
	int ext = 0;
	uint32_t ack = (flags & 0x10) ? f->nxt[!dir] : 0;

	if (f->jitter)
		ts += (int64_t)((f->x[0].packets + f->x[1].packets) * 379 % 997 + 1);

	l4 = tcp_seg(src, dst, dir ? f->sport : f->cport, dir ? f->cport : f->sport, seq, ack, flags,
		     plen ? f->opt : NULL, plen ? f->optlen : 0, pl, plen);
	if (plen && f->c.fam == 6 && f->ext_every && f->nseg++ % f->ext_every == 0)
		ext = 1;
	pkt = ip_pkt(src, dst, 6, &l4, f->c.fam == 4 ? mode == 1 : ext);
	fr = link_wrap(f->link, f->c.fam, &pkt, dir == 0);
	x->packets++;
	x->wire += fr.n;
	x->ipb += pkt.n;
	x->payload += plen;
	x->unique += plen - retrans;
	x->retrans += retrans;
	if (x->first < 0)
		x->first = ts;
	x->last = ts;
	x->syn |= !!(flags & 0x02);
	x->fin |= !!(flags & 0x01);
	x->rst |= !!(flags & 0x04);
	cap_add(f->cap, ts, fr);
	b_free(&l4);
	b_free(&pkt);
}

static void tf_seg(struct tflow *f, int64_t ts, int dir, uint8_t flags, uint32_t seq,
		   const uint8_t *pl, size_t plen, size_t retrans)
{
	tf_seg_ex(f, ts, dir, flags, seq, pl, plen, retrans, 0);
}

/* Sends new data in direction dir at the next sequence number. */
static void tf_data(struct tflow *f, int64_t ts, int dir, const uint8_t *pl, size_t plen)
{
	tf_seg(f, ts, dir, 0x18, f->nxt[dir], pl, plen, 0);
	f->nxt[dir] += (uint32_t)plen;
}

static void tf_ack(struct tflow *f, int64_t ts, int dir)
{
	tf_seg(f, ts, dir, 0x10, f->nxt[dir], NULL, 0, 0);
}

/* SYN, SYN-ACK, ACK starting at ts (100 us apart). */
static void tf_handshake(struct tflow *f, int64_t ts)
{
	tf_seg(f, ts, 0, 0x02, f->nxt[0], NULL, 0, 0);
	f->nxt[0]++;
	tf_seg(f, ts + 100 * NS_PER_US, 1, 0x12, f->nxt[1], NULL, 0, 0);
	f->nxt[1]++;
	tf_ack(f, ts + 200 * NS_PER_US, 0);
}

/* FIN from the client, FIN from the server, last ACK (100 us apart). */
static void tf_close(struct tflow *f, int64_t ts)
{
	tf_seg(f, ts, 0, 0x11, f->nxt[0], NULL, 0, 0);
	f->nxt[0]++;
	tf_seg(f, ts + 100 * NS_PER_US, 1, 0x11, f->nxt[1], NULL, 0, 0);
	f->nxt[1]++;
	tf_ack(f, ts + 200 * NS_PER_US, 0);
}

/* Appends the flow's expectations to the current fixture in expect.json. */
static void x_flow(struct tflow *f, int *nth, const char *cls, const char *kind, int inferred)
{
	char c[64], s[64];

	ip_str(&f->c, c, sizeof(c));
	ip_str(&f->s, s, sizeof(s));
	fprintf(xf, "%s\n    {\"class\": \"%s\", \"kind\": \"%s\", \"direction_inferred\": %s, "
		"\"client\": \"%s\", \"client_port\": %u, \"server\": \"%s\", \"server_port\": %u,\n     ",
		(*nth)++ ? "," : "", cls, kind, inferred ? "true" : "false", c, f->cport, s, f->sport);
	x_dir("forward", &f->x[0]);
	fputs(",\n     ", xf);
	x_dir("reverse", &f->x[1]);
	fputc('}', xf);
}

/* Deterministic stream content; the first bytes are the stream's opening `magic`. */
static uint8_t *stream_bytes(size_t n, const uint8_t *magic, size_t mlen)
{
	uint8_t *p = malloc(n ? n : 1);
	size_t i;

	if (!p)
		die("out of memory");
	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + (i >> 9) + 0x5a);
	memcpy(p, magic, mlen < n ? mlen : n);
	return p;
}

static const uint8_t qevm[8] = { 'Q', 'E', 'V', 'M', 0, 0, 0, 3 };

/* Parameters of the migration flow the link-type fixtures share. */
#define MIG_N 1000000u		/* bytes the source writes */
#define MIG_MSS 1448u
#define MIG_GAP (5 * NS_PER_MS)	/* one data segment every 5 ms */
#define MIG_RETRANS 100		/* segment 100 is sent again after segment 102 */
#define MIG_OOO 200		/* segments 200 and 201 go out swapped */
#define MIG_START (T0 + 2 * NS_PER_S)

/*
 * The migration stream 10.0.0.1:40000 -> 10.0.0.2:49152 (fd00::1:1 ->
 * fd00::1:2 for IPv6): handshake, MIG_N bytes starting "QEVM" v3 in
 * MIG_MSS segments (one retransmitted, one pair swapped), an ACK from the
 * server after every second data segment, FIN both ways.  `jitter` adds
 * sub-microsecond digits to every timestamp (nanosecond files).
 */
static void mig_flow(struct tflow *f, struct cap *cap, enum link l, int fam, int jitter)
{
	uint8_t *data = stream_bytes(MIG_N, qevm, sizeof(qevm));
	size_t nseg = (MIG_N + MIG_MSS - 1) / MIG_MSS, k, slot;
	char *sent = calloc(nseg, 1);
	size_t contig = 0;	/* segments acknowledged in order */
	int64_t t;
	uint32_t base;

	if (!sent)
		die("out of memory");
	if (fam == 4)
		tf_init(f, cap, l, ip4(10, 0, 0, 1), 40000, ip4(10, 0, 0, 2), 49152, 1000000000u, 3000000000u);
	else
		tf_init(f, cap, l, ip6(1, 1), 40000, ip6(1, 2), 49152, 1000000000u, 3000000000u);
	if (fam == 6)
		f->ext_every = 3;
	f->jitter = jitter;
	tf_handshake(f, MIG_START);
	base = f->nxt[0];
	for (slot = 0; slot < nseg; slot++) {
		size_t off, len;

		k = slot;
		if (slot == MIG_OOO)
			k = MIG_OOO + 1;
		else if (slot == MIG_OOO + 1)
			k = MIG_OOO;
		off = k * MIG_MSS;
		len = off + MIG_MSS <= MIG_N ? MIG_MSS : MIG_N - off;
		t = MIG_START + NS_PER_MS + (int64_t)slot * MIG_GAP;
		tf_seg(f, t, 0, 0x18, base + (uint32_t)off, data + off, len, 0);
		sent[k] = 1;
		if (slot == MIG_RETRANS + 2) {
			off = (size_t)MIG_RETRANS * MIG_MSS;
			tf_seg(f, t + 2 * NS_PER_MS, 0, 0x18, base + (uint32_t)off, data + off,
			       MIG_MSS, MIG_MSS);
		}
		while (contig < nseg && sent[contig])
			contig++;
		f->nxt[0] = base + (uint32_t)(contig * MIG_MSS < MIG_N ? contig * MIG_MSS : MIG_N);
		if (slot % 2 == 1 || slot == nseg - 1)
			tf_ack(f, t + 50 * NS_PER_US, 1);
	}
	t = MIG_START + NS_PER_MS + (int64_t)nseg * MIG_GAP;
	tf_close(f, t);
	free(sent);
	free(data);
}

/* Writes one fixture holding only the migration flow. */
static void fx_mig(const char *name, enum link l, int fam, int nano, int snaplen)
{
	struct cap cap = { 0 };
	struct tflow f;
	int nth = 0;

	mig_flow(&f, &cap, l, fam, nano);
	cap_write(&cap, name, link_dlt(l), snaplen, nano);
	x_begin(name);
	x_flow(&f, &nth, "migration", "qemu", 0);
	x_end("");
	cap_free(&cap);
}

/* 300000 bytes from ISN 0xFFFF0000 (the sequence wraps), TCP timestamps on, one retransmission across the wrap. */
static void fx_wrap(void)
{
	static const uint8_t ts_opt[12] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0 };
	struct cap cap = { 0 };
	struct tflow f;
	const size_t n = 300000, mss = 1448;
	uint8_t *data = stream_bytes(n, qevm, sizeof(qevm));
	size_t off, k = 0, wrapseg = 0;
	int64_t t = T0 + NS_PER_S;
	int nth = 0;
	uint32_t base;

	tf_init(&f, &cap, L_ETH, ip4(10, 0, 0, 1), 40001, ip4(10, 0, 0, 2), 49152, 0xFFFF0000u, 7u);
	f.opt = ts_opt;
	f.optlen = sizeof(ts_opt);
	tf_handshake(&f, t);
	base = f.nxt[0];
	for (off = 0; off < n; off += mss, k++) {
		size_t len = off + mss <= n ? mss : n - off;
		uint32_t seq = base + (uint32_t)off;

		t += NS_PER_MS;
		tf_data(&f, t, 0, data + off, len);
		if ((uint32_t)(seq + len) < seq) {
			/* This segment straddles 2^32: resend it, a retransmission across the wrap. */
			wrapseg = k;
			tf_seg(&f, t + 200 * NS_PER_US, 0, 0x18, seq, data + off, len, len);
		}
		if (k % 2)
			tf_ack(&f, t + 50 * NS_PER_US, 1);
	}
	if (wrapseg == 0)
		die("wrap fixture did not wrap");
	tf_ack(&f, t + 60 * NS_PER_US, 1);
	tf_close(&f, t + NS_PER_MS);
	cap_write(&cap, "wrap.pcap", DLT_EN10MB, 65535, 0);
	x_begin("wrap.pcap");
	x_flow(&f, &nth, "migration", "qemu", 0);
	x_end("");
	cap_free(&cap);
	free(data);
}

/*
 * Capture started mid-flow: no SYN anywhere.
 *  1. multifd 10.0.0.5:51000 -> 10.0.0.6:49153 (first frame a server ACK)
 *  2. NBD 10.0.0.6:49154 sends "NBDMAGIC" first to 10.0.0.5:50000
 *  3. NBD again, but both ports in range (client 49210, server 49155), so
 *     only the NBD greeting says which side listens.
 */
static void fx_nohandshake(void)
{
	static const uint8_t mfd[8] = { 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 1 };
	static const uint8_t nbd[18] = { 'N', 'B', 'D', 'M', 'A', 'G', 'I', 'C',
					 'I', 'H', 'A', 'V', 'E', 'O', 'P', 'T', 0, 3 };
	struct cap cap = { 0 };
	struct tflow a, b, c;
	uint8_t *d1 = stream_bytes(100000, mfd, sizeof(mfd));
	uint8_t *d2 = stream_bytes(65536, NULL, 0);
	size_t off;
	int64_t t = T0 + 3 * NS_PER_S;
	int nth = 0;

	tf_init(&a, &cap, L_ETH, ip4(10, 0, 0, 5), 51000, ip4(10, 0, 0, 6), 49153, 200000u, 900000u);
	tf_ack(&a, t, 1);
	for (off = 0; off < 100000; off += 1448) {
		t += NS_PER_MS;
		tf_data(&a, t, 0, d1 + off, off + 1448 <= 100000 ? 1448 : 100000 - off);
		tf_ack(&a, t + 40 * NS_PER_US, 1);
	}

	t = T0 + 3 * NS_PER_S + 500 * NS_PER_US;
	tf_init(&b, &cap, L_ETH, ip4(10, 0, 0, 5), 50000, ip4(10, 0, 0, 6), 49154, 400000u, 800000u);
	tf_init(&c, &cap, L_ETH, ip4(10, 0, 0, 5), 49210, ip4(10, 0, 0, 6), 49155, 500000u, 700000u);
	tf_data(&b, t, 1, nbd, sizeof(nbd));
	tf_data(&c, t + 10 * NS_PER_US, 1, nbd, sizeof(nbd));
	for (off = 0; off < 65536; off += 4096) {
		t += 2 * NS_PER_MS;
		tf_data(&b, t, 0, d2 + off, 4096);
		tf_data(&c, t + 10 * NS_PER_US, 0, d2 + off, 4096);
		tf_ack(&b, t + 100 * NS_PER_US, 1);
		tf_ack(&c, t + 110 * NS_PER_US, 1);
	}
	cap_write(&cap, "nohandshake.pcap", DLT_EN10MB, 65535, 0);
	x_begin("nohandshake.pcap");
	x_flow(&a, &nth, "migration", "multifd", 1);
	x_flow(&b, &nth, "migration", "nbd", 1);
	x_flow(&c, &nth, "migration", "nbd", 1);
	x_end("");
	cap_free(&cap);
	free(d1);
	free(d2);
}

/* Sends n bytes of `data` in mss segments from ts, one every `gap`; returns the time after. */
static int64_t tf_stream(struct tflow *f, int64_t ts, int64_t gap, const uint8_t *data, size_t n, size_t mss)
{
	size_t off;

	for (off = 0; off < n; off += mss) {
		tf_data(f, ts, 0, data + off, off + mss <= n ? mss : n - off);
		ts += gap;
	}
	tf_ack(f, ts, 1);
	return ts + gap;
}

/* iperf3-like 10.0.0.1:49200 -> 10.0.0.9:5201 (a port collision) beside a real migration flow. */
static void fx_collision(void)
{
	struct cap cap = { 0 };
	struct tflow a, b;
	uint8_t *d1 = stream_bytes(50000, NULL, 0);
	uint8_t *d2 = stream_bytes(200000, qevm, sizeof(qevm));
	int64_t t;
	int nth = 0;

	tf_init(&a, &cap, L_ETH, ip4(10, 0, 0, 1), 49200, ip4(10, 0, 0, 9), 5201, 11111u, 22222u);
	tf_handshake(&a, T0 + NS_PER_S);
	t = tf_stream(&a, T0 + NS_PER_S + NS_PER_MS, NS_PER_MS, d1, 50000, 1448);
	tf_close(&a, t);

	tf_init(&b, &cap, L_ETH, ip4(10, 0, 0, 3), 40001, ip4(10, 0, 0, 4), 49153, 33333u, 44444u);
	tf_handshake(&b, T0 + NS_PER_S + 20 * NS_PER_MS);
	t = tf_stream(&b, T0 + NS_PER_S + 21 * NS_PER_MS, 500 * NS_PER_US, d2, 200000, 1448);
	tf_close(&b, t);

	cap_write(&cap, "collision.pcap", DLT_EN10MB, 65535, 0);
	x_begin("collision.pcap");
	x_flow(&a, &nth, "collision", "unknown", 0);
	x_flow(&b, &nth, "migration", "qemu", 0);
	x_end("");
	cap_free(&cap);
	free(d1);
	free(d2);
}

/* GSO/TSO: five 64000-byte segments with their real IPv4 length, then one 100000-byte big-TCP frame (tot_len 0). */
static void fx_tso(void)
{
	struct cap cap = { 0 };
	struct tflow f;
	const size_t n = 5 * 64000 + 100000;
	uint8_t *data = stream_bytes(n, qevm, sizeof(qevm));
	size_t off;
	int64_t t = T0 + NS_PER_S;
	int nth = 0;

	tf_init(&f, &cap, L_ETH, ip4(10, 0, 0, 1), 40010, ip4(10, 0, 0, 2), 49155, 5000u, 6000u);
	tf_handshake(&f, t);
	for (off = 0; off < 5 * 64000; off += 64000) {
		t += 10 * NS_PER_MS;
		tf_data(&f, t, 0, data + off, 64000);
		tf_ack(&f, t + 100 * NS_PER_US, 1);
	}
	t += 10 * NS_PER_MS;
	tf_seg_ex(&f, t, 0, 0x18, f.nxt[0], data + off, 100000, 0, 1);
	f.nxt[0] += 100000;
	tf_ack(&f, t + 100 * NS_PER_US, 1);
	tf_close(&f, t + NS_PER_MS);
	cap_write(&cap, "tso.pcap", DLT_EN10MB, 262144, 0);
	x_begin("tso.pcap");
	x_flow(&f, &nth, "migration", "qemu", 0);
	x_end("");
	cap_free(&cap);
	free(data);
}

/* ---- ICMP echo ---------------------------------------------------------- */

enum pwrap {
	PW_PLAIN,	/* Ethernet */
	PW_VLAN,	/* one 802.1Q tag */
	PW_VXLAN,	/* outer IPv4 192.0.2.x, UDP 4789, VXLAN (RFC 7348), inner Ethernet */
	PW_GENEVE,	/* UDP 6081, GENEVE (RFC 8926) with one 4-byte option, inner Ethernet */
	PW_GRE,		/* IPv4 proto 47, GRE (RFC 2784) carrying IPv4 */
	PW_GRETAP,	/* GRE with a key (RFC 2890) carrying Ethernet (0x6558) */
};

#define PING_N 1000
#define PING_GAP (10 * NS_PER_MS)
#define PING_RTT (300 * NS_PER_US)
#define PING_ID 777

static int ping_lost(int i)
{
	return (i >= 300 && i < 400) || (i >= 700 && i < 750);
}

/* One echo message from a to b inside wrapping `w`. */
static struct buf ping_frame(enum pwrap w, const struct ip *a, const struct ip *b, int reply,
			     uint16_t seq, int64_t ts, int a_is_pinger)
{
	struct buf icmp = icmp_echo(a, b, reply, PING_ID, seq, ts), pkt, inner, tun = { 0 }, l4, outer, fr;
	struct ip va = ip4(192, 0, 2, 1), vb = ip4(192, 0, 2, 2);
	const struct ip *os = a_is_pinger ? &va : &vb, *od = a_is_pinger ? &vb : &va;

	pkt = ip_pkt(a, b, a->fam == 4 ? 1 : 58, &icmp, 0);
	b_free(&icmp);
	switch (w) {
	case PW_PLAIN:
		fr = link_wrap(L_ETH, a->fam, &pkt, a_is_pinger);
		break;
	case PW_VLAN:
		fr = link_wrap(L_VLAN1, a->fam, &pkt, a_is_pinger);
		break;
	case PW_VXLAN:
	case PW_GENEVE:
		inner = link_wrap(L_ETH, a->fam, &pkt, a_is_pinger);
		if (w == PW_VXLAN) {
			b_be32(&tun, 0x08000000);	/* I flag */
			b_be32(&tun, 1001u << 8);	/* VNI */
		} else {
			b_u8(&tun, 2);			/* version 0, options 2 x 4 bytes */
			b_u8(&tun, 0);
			b_be16(&tun, 0x6558);
			b_be32(&tun, 1001u << 8);
			b_be16(&tun, 0x0102);		/* option class */
			b_u8(&tun, 0x01);		/* type */
			b_u8(&tun, 1);			/* 1 x 4 bytes of data */
			b_be32(&tun, 0xdeadbeef);
		}
		b_mem(&tun, inner.p, inner.n);
		b_free(&inner);
		l4 = udp_dgram((uint16_t)(49999 + (seq & 0xff)), w == PW_VXLAN ? 4789 : 6081, &tun);
		outer = ipv4_pkt(os, od, 17, &l4, 0);
		fr = link_wrap(L_ETH, 4, &outer, a_is_pinger);
		b_free(&l4);
		b_free(&outer);
		break;
	case PW_GRE:
	case PW_GRETAP:
		if (w == PW_GRE) {
			b_be16(&tun, 0);
			b_be16(&tun, a->fam == 4 ? 0x0800 : 0x86dd);
			b_mem(&tun, pkt.p, pkt.n);
		} else {
			inner = link_wrap(L_ETH, a->fam, &pkt, a_is_pinger);
			b_be16(&tun, 0x2000);		/* K */
			b_be16(&tun, 0x6558);
			b_be32(&tun, 42);
			b_mem(&tun, inner.p, inner.n);
			b_free(&inner);
		}
		outer = ipv4_pkt(os, od, 47, &tun, 0);
		fr = link_wrap(L_ETH, 4, &outer, a_is_pinger);
		b_free(&outer);
		break;
	default:
		die("bad wrapping");
	}
	b_free(&tun);
	b_free(&pkt);
	return fr;
}

/*
 * 10.0.1.1 pings 10.0.1.2 (fd00::2:1 -> fd00::2:2) with id 777, sequence
 * 1..1000 every 10 ms from T0; replies 0.3 ms later except for requests
 * 300..399 and 700..749 (0-based).  `replies_only`: only replies, all
 * answered except requests 300..349.
 */
static void ping_stream(struct cap *cap, enum pwrap w, int fam, int replies_only)
{
	struct ip a = fam == 4 ? ip4(10, 0, 1, 1) : ip6(2, 1), b = fam == 4 ? ip4(10, 0, 1, 2) : ip6(2, 2);
	int i;

	for (i = 0; i < PING_N; i++) {
		int64_t t = T0 + (int64_t)i * PING_GAP;
		uint16_t seq = (uint16_t)(i + 1);
		int lost = replies_only ? (i >= 300 && i < 350) : ping_lost(i);

		if (!replies_only)
			cap_add(cap, t, ping_frame(w, &a, &b, 0, seq, t, 1));
		if (!lost)
			cap_add(cap, t + PING_RTT, ping_frame(w, &b, &a, 1, seq, t, 0));
	}
}

static void fx_ping(const char *name, enum pwrap w, int fam, int replies_only)
{
	struct cap cap = { 0 };

	ping_stream(&cap, w, fam, replies_only);
	cap_write(&cap, name, DLT_EN10MB, 65535, 0);
	cap_free(&cap);
}

/* mixed.pcap: migration + ping in one file; mig_src.pcap + ping_dst.pcap: the same split over two files. */
static void fx_mixed(void)
{
	struct cap cap = { 0 };
	struct tflow f;
	int nth = 0;

	mig_flow(&f, &cap, L_ETH, 4, 0);
	cap_write(&cap, "mig_src.pcap", DLT_EN10MB, 65535, 0);
	ping_stream(&cap, PW_PLAIN, 4, 0);
	cap_write(&cap, "mixed.pcap", DLT_EN10MB, 65535, 0);
	cap_free(&cap);
	fx_ping("ping_dst.pcap", PW_PLAIN, 4, 0);
	x_begin("mixed.pcap");
	x_flow(&f, &nth, "migration", "qemu", 0);
	x_end("");
}

/* ---- odd timestamps, clock steps, late replies, two vantage points, a sparse span ---- */

/* One echo message of 10.0.3.1 -> 10.0.3.2 id `id` over Ethernet, sent (or answered) at ts. */
static void echo_at(struct cap *cap, int reply, uint16_t id, uint16_t seq, int64_t ts)
{
	struct ip a = ip4(10, 0, 3, 1), b = ip4(10, 0, 3, 2);
	struct buf icmp = reply ? icmp_echo(&b, &a, 1, id, seq, ts) : icmp_echo(&a, &b, 0, id, seq, ts);
	struct buf pkt = reply ? ip_pkt(&b, &a, 1, &icmp, 0) : ip_pkt(&a, &b, 1, &icmp, 0);

	cap_add(cap, ts, link_wrap(L_ETH, 4, &pkt, !reply));
	b_free(&icmp);
	b_free(&pkt);
}

/*
 * ping_oddts.pcap: three replies stamped at epoch 0 (seq 1), 1700000000
 * (seq 2) and 1700000000.01 (seq 10): a 54-year interval; 7 requests lost
 * between replies 10 ms apart.  ping_stepback.pcap: 100 pings every 10 ms
 * whose clock steps back 100 s at seq 50, requests 45..55 unanswered.
 * ping_late11/12.pcap: replies only, 1..10 and 13..20 every 10 ms, then the
 * reply to 11 (or 12) at +0.25 s.
 */
static void fx_odd_echo(void)
{
	struct cap cap = { 0 };
	uint16_t q;

	echo_at(&cap, 1, 31, 1, 0);
	echo_at(&cap, 1, 31, 2, T0);
	echo_at(&cap, 1, 31, 10, T0 + 10 * NS_PER_MS);
	cap_write(&cap, "ping_oddts.pcap", DLT_EN10MB, 65535, 0);
	cap_free(&cap);

	for (q = 0; q < 100; q++) {
		int64_t t = T0 + (int64_t)q * 10 * NS_PER_MS - (q >= 50 ? 100 * NS_PER_S : 0);

		echo_at(&cap, 0, 32, q, t);
		if (q < 45 || q > 55)
			echo_at(&cap, 1, 32, q, t + NS_PER_MS);
	}
	/* written in capture order, not sorted: the step back is in the file */
	{
		pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
		char path[4096];
		pcap_dumper_t *d;
		size_t i;

		path_of(path, sizeof(path), "ping_stepback.pcap");
		d = p ? pcap_dump_open(p, path) : NULL;
		if (!d)
			die("%s: cannot write", path);
		for (i = 0; i < cap.n; i++) {
			struct pcap_pkthdr h;

			memset(&h, 0, sizeof(h));
			h.ts.tv_sec = (time_t)(cap.f[i].ts / NS_PER_S);
			h.ts.tv_usec = (suseconds_t)(cap.f[i].ts % NS_PER_S / NS_PER_US);
			h.len = h.caplen = (bpf_u_int32)cap.f[i].data.n;
			pcap_dump((u_char *)d, &h, cap.f[i].data.p);
		}
		pcap_dump_close(d);
		pcap_close(p);
	}
	cap_free(&cap);

	for (int late = 11; late <= 12; late++) {
		char name[64];

		for (q = 1; q <= 20; q++)
			if (q != 11 && q != 12)
				echo_at(&cap, 1, 33, q, T0 + (int64_t)q * 10 * NS_PER_MS);
		echo_at(&cap, 1, 33, (uint16_t)late, T0 + 250 * NS_PER_MS);
		snprintf(name, sizeof(name), "ping_late%d.pcap", late);
		cap_write(&cap, name, DLT_EN10MB, 65535, 0);
		cap_free(&cap);
	}
}

/* vp_src.pcap, vp_dst.pcap: the same migration and pings seen by two nodes (the second 150 us later). */
static void fx_two_views(void)
{
	struct cap cap = { 0 };
	struct tflow f;
	size_t i;

	mig_flow(&f, &cap, L_ETH, 4, 0);
	ping_stream(&cap, PW_PLAIN, 4, 0);
	cap_write(&cap, "vp_src.pcap", DLT_EN10MB, 65535, 0);
	for (i = 0; i < cap.n; i++)
		cap.f[i].ts += 150 * NS_PER_US;
	cap_write(&cap, "vp_dst.pcap", DLT_EN10MB, 65535, 0);
	cap_free(&cap);
}

/*
 * sparse_14d.pcap: 174 frames spanning 14 days (85 pings 4 hours apart and
 * their replies, those at 8 h and 12 h lost; a short migration flow on day
 * 7): with every bin of the span allocated it took 62 MB.
 */
static void fx_sparse(void)
{
	struct cap cap = { 0 };
	struct ip c = ip4(10, 0, 4, 1), s = ip4(10, 0, 4, 2);
	struct tflow f;
	int64_t t7 = T0 + 7 * 86400 * NS_PER_S;
	uint8_t pl[1000];
	uint16_t q;
	int k;

	for (q = 0; q < 85; q++) {
		int64_t t = T0 + (int64_t)q * 4 * 3600 * NS_PER_S;

		echo_at(&cap, 0, 34, q, t);
		if (q != 2 && q != 3)
			echo_at(&cap, 1, 34, q, t + 2 * NS_PER_MS);
	}
	memset(pl, 0x5a, sizeof(pl));
	memcpy(pl, qevm, sizeof(qevm));
	tf_init(&f, &cap, L_ETH, c, 40100, s, 49152, 5000u, 7000u);
	tf_handshake(&f, t7);
	for (k = 0; k < 2; k++)
		tf_data(&f, t7 + (int64_t)(k + 1) * NS_PER_MS, 0, pl, sizeof(pl));
	tf_ack(&f, t7 + 3 * NS_PER_MS, 1);
	if (cap.n != 174)
		die("sparse_14d: %zu frames, not 174", cap.n);
	cap_write(&cap, "sparse_14d.pcap", DLT_EN10MB, 65535, 0);
	cap_free(&cap);
}

/* ---- damaged files ------------------------------------------------------ */

#define CUT_RECORD 500

/*
 * truncated.pcap: mig_eth.pcap cut in the middle of record CUT_RECORD's
 * data; truncated_hdr.pcap: cut inside that record's header.
 */
static void fx_truncated(void)
{
	struct cap cap = { 0 };
	struct tflow f;
	char path[4096], extra[128];
	size_t off = 24, i;
	int fd;

	mig_flow(&f, &cap, L_ETH, 4, 0);
	cap_write(&cap, "truncated.pcap", DLT_EN10MB, 65535, 0);
	cap_write(&cap, "truncated_hdr.pcap", DLT_EN10MB, 65535, 0);
	cap_free(&cap);
	for (i = 0; i < CUT_RECORD; i++)
		off += rec_size[i];

	path_of(path, sizeof(path), "truncated.pcap");
	fd = open(path, O_WRONLY);
	if (fd < 0 || ftruncate(fd, (off_t)(off + 16 + (rec_size[CUT_RECORD] - 16) / 2)) != 0)
		die("%s: %s", path, strerror(errno));
	close(fd);
	path_of(path, sizeof(path), "truncated_hdr.pcap");
	fd = open(path, O_WRONLY);
	if (fd < 0 || ftruncate(fd, (off_t)(off + 8)) != 0)
		die("%s: %s", path, strerror(errno));
	close(fd);

	snprintf(extra, sizeof(extra), "\"frames_before_cut\": %d", CUT_RECORD);
	x_begin("truncated.pcap");
	x_end(extra);
	x_begin("truncated_hdr.pcap");
	x_end(extra);
}

/* corrupt.pcap: 300 good records of the migration flow, then a record header claiming caplen 0x40000000. */
static void fx_corrupt(void)
{
	struct cap cap = { 0 };
	struct tflow f;
	pcap_t *p;
	pcap_dumper_t *d;
	uint32_t hdr[4] = { 1700000010u, 0, 0x40000000u, 0x40000000u };
	static const uint8_t junk[64] = { 0xde, 0xad };
	FILE *fp;

	mig_flow(&f, &cap, L_ETH, 4, 0);
	d = cap_write_ex(&cap, "corrupt.pcap", DLT_EN10MB, 65535, 0, 300, 1, &p);
	fp = pcap_dump_file(d);
	if (fwrite(hdr, sizeof(hdr), 1, fp) != 1 || fwrite(junk, sizeof(junk), 1, fp) != 1)
		die("corrupt.pcap: write failed");
	pcap_dump_close(d);
	pcap_close(p);
	cap_free(&cap);
	x_begin("corrupt.pcap");
	x_end("\"frames_before_cut\": 300");
}

/* badlink.pcap: three frames of DLT_IEEE802_11 (105), which migmeter does not decode. */
static void fx_badlink(void)
{
	struct cap cap = { 0 };
	int i;

	for (i = 0; i < 3; i++) {
		struct buf b = { 0 };

		b_be16(&b, 0x0801);	/* data frame, to DS */
		b_zero(&b, 22);
		b_zero(&b, 40);
		cap_add(&cap, T0 + i * NS_PER_MS, b);
	}
	cap_write(&cap, "badlink.pcap", DLT_IEEE802_11, 65535, 0);
	cap_free(&cap);
}

/* The migration-record fixtures (many migrations per capture, announces, outages). */
#include "gen_fixtures_mig.c"

/* The post-copy-like switchover (late replies after it: unresponsive time). */
#include "gen_fixtures_postcopy.c"

/* The --ports any fixture (migrations on any port among ordinary TCP). */
#include "gen_fixtures_any.c"

/* The --app fixture (HTTP-like turns around a migration; README "Application impact"). */
#include "gen_fixtures_app.c"

int main(int argc, char **argv)
{
	char path[4096];
	static const int snaps[] = { 20, 40, 54, 64, 80, 96, 128 };
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) != 0 && errno != EEXIST)
		die("%s: %s", outdir, strerror(errno));
	path_of(path, sizeof(path), "expect.json.tmp");
	xf = fopen(path, "w");
	if (!xf)
		die("%s: %s", path, strerror(errno));
	fputs("{", xf);

	fx_mig("mig_eth.pcap", L_ETH, 4, 0, 65535);
	fx_mig("mig_sll.pcap", L_SLL, 4, 0, 65535);
	fx_mig("mig_sll2.pcap", L_SLL2, 4, 0, 65535);
	fx_mig("mig_raw.pcap", L_RAW, 4, 0, 65535);
	fx_mig("mig_null.pcap", L_NULL, 4, 0, 65535);
	fx_mig("mig_vlan2.pcap", L_VLAN2, 4, 0, 65535);
	fx_mig("mig_v6.pcap", L_ETH, 6, 0, 65535);
	fx_mig("mig_ns.pcap", L_ETH, 4, 1, 65535);
	for (i = 0; i < sizeof(snaps) / sizeof(snaps[0]); i++) {
		char name[64];

		snprintf(name, sizeof(name), "mig_eth_s%d.pcap", snaps[i]);
		fx_mig(name, L_ETH, 4, 0, snaps[i]);
	}
	fx_wrap();
	fx_nohandshake();
	fx_collision();
	fx_tso();
	fx_ping("ping_plain.pcap", PW_PLAIN, 4, 0);
	fx_ping("ping_vxlan.pcap", PW_VXLAN, 4, 0);
	fx_ping("ping_geneve.pcap", PW_GENEVE, 4, 0);
	fx_ping("ping_gre.pcap", PW_GRE, 4, 0);
	fx_ping("ping_gretap.pcap", PW_GRETAP, 4, 0);
	fx_ping("ping_vlan.pcap", PW_VLAN, 4, 0);
	fx_ping("ping_v6.pcap", PW_PLAIN, 6, 0);
	fx_ping("ping_replyonly.pcap", PW_PLAIN, 4, 1);
	fx_mixed();
	fx_truncated();
	fx_corrupt();
	fx_badlink();
	fx_odd_echo();
	fx_two_views();
	fx_sparse();
	fx_migrations();
	fx_mig_postcopy();
	fx_mig_anyport();
	fx_app();

	fputs("\n}\n", xf);
	if (fclose(xf) != 0)
		die("expect.json: write failed");
	{
		char final[4096];

		path_of(final, sizeof(final), "expect.json");
		if (rename(path, final) != 0)
			die("%s: %s", final, strerror(errno));
	}
	free(rec_size);
	return 0;
}
