/* test_decode.c - cmocka tests of the frame decoder on hand-built frames. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pcap/dlt.h>

#include "decode.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

/* ---- frame builder ---------------------------------------------------- */

struct fb {
	uint8_t b[2048];
	size_t n;
};

static void put(struct fb *f, const void *p, size_t n)
{
	assert_true(f->n + n <= sizeof(f->b));
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void u8(struct fb *f, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(f, &b, 1);
}

static void be16(struct fb *f, unsigned v)
{
	u8(f, v >> 8);
	u8(f, v);
}

static void be32(struct fb *f, uint32_t v)
{
	be16(f, v >> 16);
	be16(f, v & 0xffff);
}

static void zeros(struct fb *f, size_t n)
{
	while (n--)
		u8(f, 0);
}

static void set16(struct fb *f, size_t at, unsigned v)
{
	f->b[at] = (uint8_t)(v >> 8);
	f->b[at + 1] = (uint8_t)v;
}

static const uint8_t A4[4] = { 10, 0, 0, 1 }, B4[4] = { 10, 0, 0, 2 };
static const uint8_t A6[16] = { 0xfd, 0, [15] = 1 }, B6[16] = { 0xfd, 0, [15] = 2 };

static void eth(struct fb *f, unsigned type)
{
	static const uint8_t mac[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };

	put(f, mac, sizeof(mac));
	be16(f, type);
}

/* A tag: TCI, then the ethertype that follows it. */
static void vlan(struct fb *f, unsigned vid, unsigned next)
{
	be16(f, vid);
	be16(f, next);
}

/* IPv4 header with `optlen` bytes of options; returns its offset for ip4_fix. */
static size_t ip4(struct fb *f, unsigned proto, size_t optlen, const uint8_t *s,
		  const uint8_t *d)
{
	size_t at = f->n;

	u8(f, 0x40 | (unsigned)(5 + optlen / 4));
	u8(f, 0);
	be16(f, 0);                 /* total length: ip4_fix */
	be16(f, 0x1234);
	be16(f, 0x4000);            /* DF */
	u8(f, 64);
	u8(f, proto);
	be16(f, 0);
	put(f, s, 4);
	put(f, d, 4);
	for (size_t i = 0; i < optlen; i++)
		u8(f, 1);               /* NOP options */
	return at;
}

static void ip4_fix(struct fb *f, size_t at)
{
	set16(f, at + 2, (unsigned)(f->n - at));
}

static size_t ip6(struct fb *f, unsigned nh, const uint8_t *s, const uint8_t *d)
{
	size_t at = f->n;

	be32(f, 0x60000000);
	be16(f, 0);                 /* payload length: ip6_fix */
	u8(f, nh);
	u8(f, 64);
	put(f, s, 16);
	put(f, d, 16);
	return at;
}

static void ip6_fix(struct fb *f, size_t at)
{
	set16(f, at + 4, (unsigned)(f->n - at - 40));
}

/* Generic IPv6 extension header of (len + 1) * 8 bytes. */
static void ext6(struct fb *f, unsigned nh, unsigned len)
{
	u8(f, nh);
	u8(f, len);
	zeros(f, 6 + len * 8u);
}

static void frag6(struct fb *f, unsigned nh, unsigned offset, unsigned more)
{
	u8(f, nh);
	u8(f, 0);
	be16(f, (offset << 3) | more);
	be32(f, 0xabcd);
}

static void tcp(struct fb *f, unsigned sport, unsigned dport, uint32_t seq,
		uint32_t ack, unsigned flags, size_t optlen)
{
	be16(f, sport);
	be16(f, dport);
	be32(f, seq);
	be32(f, ack);
	u8(f, (unsigned)((5 + optlen / 4) << 4));
	u8(f, flags);
	be16(f, 65535);
	be16(f, 0);
	be16(f, 0);
	for (size_t i = 0; i < optlen; i++)
		u8(f, 1);
}

static void payload(struct fb *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		u8(f, 0xa0 + (unsigned)i);
}

static size_t udp(struct fb *f, unsigned sport, unsigned dport)
{
	size_t at = f->n;

	be16(f, sport);
	be16(f, dport);
	be16(f, 0);
	be16(f, 0);
	return at;
}

static void udp_fix(struct fb *f, size_t at)
{
	set16(f, at + 4, (unsigned)(f->n - at));
}

static void icmp(struct fb *f, unsigned type, unsigned id, unsigned seq)
{
	u8(f, type);
	u8(f, 0);
	be16(f, 0);
	be16(f, id);
	be16(f, seq);
	payload(f, 8);
}

static void vxlan(struct fb *f, uint32_t vni)
{
	be32(f, 0x08000000);
	be32(f, vni << 8);
}

static void geneve(struct fb *f, unsigned optwords, unsigned proto)
{
	u8(f, optwords);
	u8(f, 0);
	be16(f, proto);
	be32(f, 42u << 8);
	for (unsigned i = 0; i < optwords; i++)
		be32(f, 0x01020300 + i);
}

/* GRE with key (K) and sequence number (S) when asked. */
static void gre(struct fb *f, int key, int seq, unsigned proto)
{
	be16(f, (key ? 0x2000u : 0) | (seq ? 0x1000u : 0));
	be16(f, proto);
	if (key)
		be32(f, 0x11223344);
	if (seq)
		be32(f, 7);
}

/* ---- assertion helpers ------------------------------------------------ */

static enum dec_status dec(int dlt, const struct fb *f, struct dec_pkt *p)
{
	return dec_frame(dlt, f->b, (uint32_t)f->n, (uint32_t)f->n, p);
}

static void assert_addrs(const struct dec_pkt *p, const char *s, const char *d)
{
	char buf[64];

	assert_string_equal(dec_addr_str(&p->src, buf, sizeof(buf)), s);
	assert_string_equal(dec_addr_str(&p->dst, buf, sizeof(buf)), d);
}

/* The reference TCP segment most tests carry: 40000 -> 49152, 10 bytes. */
static void ref_tcp(struct fb *f)
{
	tcp(f, 40000, 49152, 1000, 2000, DEC_TCP_ACK | DEC_TCP_PSH, 0);
	payload(f, 10);
}

static void assert_ref_tcp(const struct fb *f, const struct dec_pkt *p,
			   size_t tcp_off)
{
	assert_int_equal(p->status, DEC_OK);
	assert_int_equal(p->proto, 6);
	assert_int_equal(p->tcp.sport, 40000);
	assert_int_equal(p->tcp.dport, 49152);
	assert_int_equal(p->tcp.seq, 1000);
	assert_int_equal(p->tcp.ack, 2000);
	assert_int_equal(p->tcp.flags, DEC_TCP_ACK | DEC_TCP_PSH);
	assert_int_equal(p->tcp.hdr_len, 20);
	assert_int_equal(p->tcp.payload_len, 10);
	assert_int_equal(p->tcp.payload_cap, 10);
	assert_ptr_equal(p->tcp.payload, f->b + tcp_off + 20);
	assert_int_equal(p->tcp.payload[0], 0xa0);
}

static void v4_tcp_frame(struct fb *f)
{
	size_t ip = ip4(f, 6, 0, A4, B4);

	ref_tcp(f);
	ip4_fix(f, ip);
}

static void v6_tcp_frame(struct fb *f)
{
	size_t ip = ip6(f, 6, A6, B6);

	ref_tcp(f);
	ip6_fix(f, ip);
}

static void assert_v4_ref(const struct fb *f, const struct dec_pkt *p, size_t ip_off)
{
	assert_ref_tcp(f, p, ip_off + 20);
	assert_int_equal(p->ip_ver, 4);
	assert_addrs(p, "10.0.0.1", "10.0.0.2");
	assert_int_equal(p->ip_off, ip_off);
	assert_int_equal(p->ip_len, 50);
	assert_int_equal(p->ip_hdr_len, 20);
	assert_int_equal(p->ip_len_derived, 0);
	assert_int_equal(p->wire_len, f->n);
	assert_int_equal(p->cap_len, f->n);
}

static void assert_v6_ref(const struct fb *f, const struct dec_pkt *p, size_t ip_off)
{
	assert_ref_tcp(f, p, ip_off + 40);
	assert_int_equal(p->ip_ver, 6);
	assert_addrs(p, "fd00::1", "fd00::2");
	assert_int_equal(p->ip_off, ip_off);
	assert_int_equal(p->ip_len, 70);
	assert_int_equal(p->ip_hdr_len, 40);
}

/* ---- link layers ------------------------------------------------------ */

static void test_link_en10mb(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;

	(void)state;
	eth(&f, 0x0800);
	v4_tcp_frame(&f);
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);
	assert_v4_ref(&f, &p, 14);
	assert_int_equal(p.vlan_depth, 0);
	assert_int_equal(p.tunnel, DEC_TUN_NONE);
	assert_int_equal(p.tunnel_depth, 0);

	f.n = 0;
	eth(&f, 0x86dd);
	v6_tcp_frame(&f);
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);
	assert_v6_ref(&f, &p, 14);

	f.n = 0;
	eth(&f, 0x0806);            /* ARP */
	zeros(&f, 28);
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_NOT_IP);
	assert_int_equal(p.ip_ver, 0);
}

static void test_link_sll(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;

	(void)state;
	be16(&f, 0);                /* packet type: to us */
	be16(&f, 1);                /* ARPHRD_ETHER */
	be16(&f, 6);
	zeros(&f, 8);
	be16(&f, 0x0800);
	v4_tcp_frame(&f);
	assert_int_equal(dec(DLT_LINUX_SLL, &f, &p), DEC_OK);
	assert_v4_ref(&f, &p, 16);
}

static void test_link_sll2(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;

	(void)state;
	be16(&f, 0x86dd);
	be16(&f, 0);
	be32(&f, 3);                /* ifindex */
	be16(&f, 1);
	u8(&f, 4);                  /* outgoing */
	u8(&f, 6);
	zeros(&f, 8);
	v6_tcp_frame(&f);
	assert_int_equal(dec(DLT_LINUX_SLL2, &f, &p), DEC_OK);
	assert_v6_ref(&f, &p, 20);
	assert_int_equal(p.ifindex, 3);
}

static void test_link_raw(void **state)
{
	struct fb f4 = { .n = 0 }, f6 = { .n = 0 };
	struct dec_pkt p;

	(void)state;
	v4_tcp_frame(&f4);
	v6_tcp_frame(&f6);
	assert_int_equal(dec(DLT_RAW, &f4, &p), DEC_OK);
	assert_v4_ref(&f4, &p, 0);
	assert_int_equal(dec(101, &f4, &p), DEC_OK);
	assert_v4_ref(&f4, &p, 0);
	assert_int_equal(dec(DLT_RAW, &f6, &p), DEC_OK);
	assert_v6_ref(&f6, &p, 0);
	assert_int_equal(dec(101, &f6, &p), DEC_OK);
	assert_v6_ref(&f6, &p, 0);

	f4.b[0] = 0x55;             /* version 5 */
	assert_int_equal(dec(DLT_RAW, &f4, &p), DEC_INVALID);
}

static void test_link_ipv4_ipv6(void **state)
{
	struct fb f4 = { .n = 0 }, f6 = { .n = 0 };
	struct dec_pkt p;

	(void)state;
	v4_tcp_frame(&f4);
	v6_tcp_frame(&f6);
	assert_int_equal(dec(DLT_IPV4, &f4, &p), DEC_OK);
	assert_v4_ref(&f4, &p, 0);
	assert_int_equal(dec(DLT_IPV6, &f6, &p), DEC_OK);
	assert_v6_ref(&f6, &p, 0);
	/* The DLT promises a version; a header of the other one lies. */
	assert_int_equal(dec(DLT_IPV4, &f6, &p), DEC_INVALID);
	assert_int_equal(dec(DLT_IPV6, &f4, &p), DEC_INVALID);
}

static void null_frame(struct fb *f, uint32_t fam, int big, int v6)
{
	f->n = 0;
	if (big)
		be32(f, fam);
	else
		be32(f, ((fam & 0xff) << 24) | ((fam & 0xff00) << 8));
	if (v6)
		v6_tcp_frame(f);
	else
		v4_tcp_frame(f);
}

static void test_link_null(void **state)
{
	static const uint32_t fam6[] = { 10, 24, 28, 30 };
	struct fb f = { .n = 0 };
	struct dec_pkt p;

	(void)state;
	for (int big = 0; big <= 1; big++) {
		null_frame(&f, 2, big, 0);
		assert_int_equal(dec(DLT_NULL, &f, &p), DEC_OK);
		assert_v4_ref(&f, &p, 4);
		for (size_t i = 0; i < sizeof(fam6) / sizeof(fam6[0]); i++) {
			null_frame(&f, fam6[i], big, 1);
			assert_int_equal(dec(DLT_NULL, &f, &p), DEC_OK);
			assert_v6_ref(&f, &p, 4);
		}
		null_frame(&f, 7, big, 0);
		assert_int_equal(dec(DLT_NULL, &f, &p), DEC_NOT_IP);
	}
}

static void test_link_loop(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;

	(void)state;
	null_frame(&f, 2, 1, 0);
	assert_int_equal(dec(DLT_LOOP, &f, &p), DEC_OK);
	assert_v4_ref(&f, &p, 4);
	null_frame(&f, 24, 1, 1);
	assert_int_equal(dec(DLT_LOOP, &f, &p), DEC_OK);
	assert_v6_ref(&f, &p, 4);
	/* Network order only: a little-endian family is no family. */
	null_frame(&f, 2, 0, 0);
	assert_int_equal(dec(DLT_LOOP, &f, &p), DEC_NOT_IP);
}

static void test_link_unsupported(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;

	(void)state;
	v4_tcp_frame(&f);
	assert_int_equal(dec(DLT_USER0, &f, &p), DEC_UNSUPPORTED_LINK);
	assert_int_equal(p.status, DEC_UNSUPPORTED_LINK);
	assert_int_equal(p.ip_ver, 0);
	assert_int_equal(dec_link_supported(DLT_USER0), 0);
	assert_int_equal(dec_link_supported(DLT_IEEE802_11), 0);
	assert_int_equal(dec_link_supported(DLT_EN10MB), 1);
	assert_int_equal(dec_link_supported(DLT_LINUX_SLL), 1);
	assert_int_equal(dec_link_supported(DLT_LINUX_SLL2), 1);
	assert_int_equal(dec_link_supported(DLT_RAW), 1);
	assert_int_equal(dec_link_supported(101), 1);
	assert_int_equal(dec_link_supported(DLT_IPV4), 1);
	assert_int_equal(dec_link_supported(DLT_IPV6), 1);
	assert_int_equal(dec_link_supported(DLT_NULL), 1);
	assert_int_equal(dec_link_supported(DLT_LOOP), 1);
}

/* ---- Ethernet --------------------------------------------------------- */

static void test_vlan_stacks(void **state)
{
	static const unsigned tpid[] = { 0x88a8, 0x8100, 0x8100 };
	struct fb f;
	struct dec_pkt p;

	(void)state;
	for (unsigned tags = 1; tags <= 3; tags++) {
		f.n = 0;
		/* Outermost is an S-tag when stacked, as 802.1ad puts it. */
		eth(&f, tags == 1 ? 0x8100 : tpid[0]);
		for (unsigned i = 1; i < tags; i++)
			vlan(&f, 100 + i, tpid[i]);
		vlan(&f, 100 + tags, 0x0800);
		v4_tcp_frame(&f);
		assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);
		assert_int_equal(p.vlan_depth, tags);
		assert_v4_ref(&f, &p, 14 + 4 * tags);
	}

	/* 0x9100 counts too; nine tags is more than any real network stacks. */
	f.n = 0;
	eth(&f, 0x9100);
	for (int i = 0; i < 8; i++)
		vlan(&f, 1, 0x8100);
	vlan(&f, 1, 0x0800);
	v4_tcp_frame(&f);
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_INVALID);

	f.n = 0;
	eth(&f, 0x9100);
	vlan(&f, 5, 0x8100);
	vlan(&f, 6, 0x86dd);
	v6_tcp_frame(&f);
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);
	assert_int_equal(p.vlan_depth, 2);
	assert_v6_ref(&f, &p, 22);
}

static void test_eth_padding(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;
	size_t ip;

	(void)state;
	eth(&f, 0x0800);
	ip = ip4(&f, 6, 0, A4, B4);
	tcp(&f, 40000, 49152, 1, 2, DEC_TCP_ACK, 0);
	ip4_fix(&f, ip);
	zeros(&f, 6);               /* padding to the 60-byte minimum */
	assert_int_equal(f.n, 60);
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);
	assert_int_equal(p.ip_len, 40);
	assert_int_equal(p.ip_len_derived, 0);
	assert_int_equal(p.tcp.payload_len, 0);
	assert_int_equal(p.tcp.payload_cap, 0);
	assert_null(p.tcp.payload);

	/* Same for IPv6: 8 bytes of payload, 14 of padding. */
	f.n = 0;
	eth(&f, 0x86dd);
	ip = ip6(&f, 58, A6, B6);
	be32(&f, 0x80000000);
	be32(&f, 0x00010002);
	ip6_fix(&f, ip);
	zeros(&f, 14);
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);
	assert_int_equal(p.ip_len, 48);
	assert_int_equal(p.icmp.echo, DEC_ECHO_REQUEST);
}

/* ---- IPv4 ------------------------------------------------------------- */

static void test_ipv4_options(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;
	size_t ip;

	(void)state;
	eth(&f, 0x0800);
	ip = ip4(&f, 6, 12, A4, B4);
	ref_tcp(&f);
	ip4_fix(&f, ip);
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);
	assert_ref_tcp(&f, &p, 14 + 32);
	assert_int_equal(p.ip_hdr_len, 32);
	assert_int_equal(p.ip_len, 62);
}

static void test_ipv4_len_zero(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;

	(void)state;
	/* A TSO/big-TCP frame captured with a 100-byte snap length. */
	eth(&f, 0x0800);
	ip4(&f, 6, 0, A4, B4);      /* total length stays 0 */
	tcp(&f, 40000, 49152, 5, 6, DEC_TCP_ACK, 0);
	payload(&f, 46);
	assert_int_equal(f.n, 100);
	assert_int_equal(dec_frame(DLT_EN10MB, f.b, 100, 70000, &p), DEC_OK);
	assert_int_equal(p.ip_len_derived, 1);
	assert_int_equal(p.ip_len, 70000 - 14);
	assert_int_equal(p.tcp.payload_len, 70000 - 54);
	assert_int_equal(p.tcp.payload_cap, 46);
	assert_ptr_equal(p.tcp.payload, f.b + 54);
	assert_int_equal(p.wire_len, 70000);
	assert_int_equal(p.cap_len, 100);

	/* IPv6 payload length 0 likewise. */
	f.n = 0;
	eth(&f, 0x86dd);
	ip6(&f, 6, A6, B6);
	tcp(&f, 40000, 49152, 5, 6, DEC_TCP_ACK, 0);
	assert_int_equal(dec_frame(DLT_EN10MB, f.b, (uint32_t)f.n, 100000, &p), DEC_OK);
	assert_int_equal(p.ip_len_derived, 1);
	assert_int_equal(p.ip_len, 100000 - 14);
	assert_int_equal(p.tcp.payload_len, 100000 - 74);
	assert_int_equal(p.tcp.payload_cap, 0);
	assert_null(p.tcp.payload);
}

static void test_ipv4_lies(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;

	(void)state;
	eth(&f, 0x0800);
	v4_tcp_frame(&f);
	set16(&f, 16, 19);          /* total length < IHL*4 */
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_INVALID);
	set16(&f, 16, 51);          /* one byte more than the frame holds */
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_INVALID);
	set16(&f, 16, 50);
	f.b[14] = 0x44;             /* IHL 4 */
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_INVALID);
	f.b[14] = 0x4f;             /* IHL 15: 60 bytes > total length 50 */
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_INVALID);
	f.b[14] = 0x45;
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);

	/* pcap record sanity: caplen > len, caplen 0. */
	assert_int_equal(dec_frame(DLT_EN10MB, f.b, 64, 63, &p), DEC_INVALID);
	assert_int_equal(dec_frame(DLT_EN10MB, f.b, 0, 64, &p), DEC_TRUNCATED);
	assert_int_equal(dec_frame(DLT_EN10MB, NULL, 0, 64, &p), DEC_TRUNCATED);
	assert_int_equal(dec_frame(DLT_EN10MB, f.b, 0, 0, &p), DEC_INVALID);
	/* A runt: the frame on the wire cannot hold an Ethernet header. */
	assert_int_equal(dec_frame(DLT_EN10MB, f.b, 10, 10, &p), DEC_INVALID);
}

/* Regression (tests/hostile len-absurd.pcap): a record whose length claims
 * gigabytes is invalid, not a big-TCP frame of 4 GiB of payload. */
static void test_absurd_wire_len(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;

	(void)state;
	eth(&f, 0x0800);
	ip4(&f, 6, 0, A4, B4);      /* total length 0: length from the frame */
	tcp(&f, 40000, 49152, 5, 6, DEC_TCP_ACK, 0);
	assert_int_equal(dec_frame(DLT_EN10MB, f.b, (uint32_t)f.n, 0xffffffffu, &p), DEC_INVALID);
	assert_int_equal(dec_frame(DLT_EN10MB, f.b, (uint32_t)f.n, DEC_MAX_WIRE_LEN + 1, &p),
			 DEC_INVALID);
	/* The largest BIG TCP frame Linux sends still decodes. */
	assert_int_equal(dec_frame(DLT_EN10MB, f.b, (uint32_t)f.n, 512 * 1024, &p), DEC_OK);
	assert_int_equal(p.tcp.payload_len, 512 * 1024 - 54);
	assert_int_equal(dec_frame(DLT_EN10MB, f.b, (uint32_t)f.n, DEC_MAX_WIRE_LEN, &p), DEC_OK);
}

static void test_ipv4_fragment(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;

	(void)state;
	eth(&f, 0x0800);
	v4_tcp_frame(&f);
	set16(&f, 14 + 6, 0x2000);  /* MF, offset 0: first fragment */
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_FRAGMENT);
	assert_addrs(&p, "10.0.0.1", "10.0.0.2");
	assert_int_equal(p.ip_len, 50);
	assert_int_equal(p.proto, 6);
	set16(&f, 14 + 6, 0x0010);  /* last fragment at offset 128 */
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_FRAGMENT);
	assert_int_equal(p.ip_ver, 4);
	set16(&f, 14 + 6, 0x4000);  /* DF only: whole */
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);
}

/* ---- IPv6 ------------------------------------------------------------- */

static void test_ipv6_ext_headers(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;
	size_t ip;

	(void)state;
	eth(&f, 0x86dd);
	ip = ip6(&f, 0, A6, B6);
	ext6(&f, 60, 0);            /* hop-by-hop, 8 bytes */
	ext6(&f, 43, 1);            /* destination options, 16 */
	ext6(&f, 51, 2);            /* routing, 24 */
	u8(&f, 6);                  /* AH: 12 + 12 ICV = 24 bytes, len 4 */
	u8(&f, 4);
	zeros(&f, 22);
	ref_tcp(&f);
	ip6_fix(&f, ip);
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);
	assert_ref_tcp(&f, &p, 14 + 40 + 72);
	assert_int_equal(p.ip_hdr_len, 40 + 72);
	assert_int_equal(p.ip_len, 40 + 72 + 30);
	assert_addrs(&p, "fd00::1", "fd00::2");

	/* A routing header whose length runs past the packet lies. */
	f.b[14 + 40 + 8 + 16 + 1] = 20;
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_INVALID);

	/* ESP and no-next-header end the walk. */
	f.n = 0;
	ip = ip6(&f, 0, A6, B6);
	ext6(&f, 50, 0);
	zeros(&f, 16);
	ip6_fix(&f, ip);
	assert_int_equal(dec(DLT_RAW, &f, &p), DEC_OTHER_PROTO);
	assert_int_equal(p.proto, 50);
	assert_int_equal(p.ip_hdr_len, 48);
	f.b[40] = 59;
	assert_int_equal(dec(DLT_RAW, &f, &p), DEC_OTHER_PROTO);
	assert_int_equal(p.proto, 59);
}

static void test_ipv6_fragment(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;
	size_t ip;

	(void)state;
	ip = ip6(&f, 44, A6, B6);
	frag6(&f, 6, 0, 0);         /* atomic fragment: decoded on */
	ref_tcp(&f);
	ip6_fix(&f, ip);
	assert_int_equal(dec(DLT_RAW, &f, &p), DEC_OK);
	assert_ref_tcp(&f, &p, 48);
	assert_int_equal(p.ip_hdr_len, 48);
	assert_int_equal(p.ip_len, 78);

	f.b[40 + 3] = 1;            /* M: first fragment */
	assert_int_equal(dec(DLT_RAW, &f, &p), DEC_FRAGMENT);
	assert_addrs(&p, "fd00::1", "fd00::2");
	assert_int_equal(p.ip_len, 78);
	assert_int_equal(p.ip_hdr_len, 48);
	set16(&f, 40 + 2, 100 << 3); /* offset 800, last fragment */
	assert_int_equal(dec(DLT_RAW, &f, &p), DEC_FRAGMENT);
	assert_int_equal(p.ip_ver, 6);
}

/* ---- L4 --------------------------------------------------------------- */

static void test_tcp_options(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;
	size_t ip;

	(void)state;
	eth(&f, 0x0800);
	ip = ip4(&f, 6, 0, A4, B4);
	tcp(&f, 49152, 51000, 0xfffffff0u, 0x80000000u, DEC_TCP_SYN | DEC_TCP_ACK, 12);
	payload(&f, 5);
	ip4_fix(&f, ip);
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);
	assert_int_equal(p.tcp.sport, 49152);
	assert_int_equal(p.tcp.dport, 51000);
	assert_int_equal(p.tcp.seq, 0xfffffff0u);
	assert_int_equal(p.tcp.ack, 0x80000000u);
	assert_int_equal(p.tcp.flags, DEC_TCP_SYN | DEC_TCP_ACK);
	assert_int_equal(p.tcp.hdr_len, 32);
	assert_int_equal(p.tcp.payload_len, 5);
	assert_int_equal(p.tcp.payload_cap, 5);
	assert_ptr_equal(p.tcp.payload, f.b + 14 + 20 + 32);
	assert_int_equal(p.tcp.payload[4], 0xa4);

	/* Snap length inside the options: the fixed header is all we need. */
	assert_int_equal(dec_frame(DLT_EN10MB, f.b, 14 + 20 + 24, (uint32_t)f.n, &p),
			 DEC_OK);
	assert_int_equal(p.tcp.payload_len, 5);
	assert_int_equal(p.tcp.payload_cap, 0);
	assert_null(p.tcp.payload);
	/* ... and inside the payload. */
	assert_int_equal(dec_frame(DLT_EN10MB, f.b, 14 + 20 + 32 + 2, (uint32_t)f.n, &p),
			 DEC_OK);
	assert_int_equal(p.tcp.payload_cap, 2);
	assert_ptr_equal(p.tcp.payload, f.b + 66);
}

static void test_tcp_doff_invalid(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;

	(void)state;
	eth(&f, 0x0800);
	v4_tcp_frame(&f);
	f.b[14 + 20 + 12] = 4 << 4;
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_INVALID);
	f.b[14 + 20 + 12] = 0;
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_INVALID);
	f.b[14 + 20 + 12] = 8 << 4;  /* 32 bytes > 30-byte IP payload */
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_INVALID);
	f.b[14 + 20 + 12] = 7 << 4;  /* 28 <= 30: two bytes of payload */
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);
	assert_int_equal(p.tcp.payload_len, 2);

	/* An IP payload shorter than a TCP header is a lie, not a truncation. */
	f.n = 0;
	size_t ip = ip4(&f, 6, 0, A4, B4);
	zeros(&f, 10);
	ip4_fix(&f, ip);
	assert_int_equal(dec(DLT_RAW, &f, &p), DEC_INVALID);
}

static void test_other_proto(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;
	size_t ip;

	(void)state;
	eth(&f, 0x0800);
	ip = ip4(&f, 89, 0, A4, B4); /* OSPF */
	zeros(&f, 24);
	ip4_fix(&f, ip);
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OTHER_PROTO);
	assert_int_equal(p.proto, 89);
	assert_int_equal(p.ip_ver, 4);
	assert_addrs(&p, "10.0.0.1", "10.0.0.2");

	/* GRE version 1 (PPTP) is not followed. */
	f.n = 0;
	ip = ip4(&f, 47, 0, A4, B4);
	be16(&f, 0x3001);
	be16(&f, 0x880b);
	zeros(&f, 8);
	ip4_fix(&f, ip);
	assert_int_equal(dec(DLT_RAW, &f, &p), DEC_OTHER_PROTO);
	assert_int_equal(p.proto, 47);
	assert_int_equal(p.tunnel_depth, 0);
}

static void test_udp_plain(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;
	size_t ip, u;

	(void)state;
	ip = ip4(&f, 17, 0, A4, B4);
	u = udp(&f, 5353, 53);
	payload(&f, 8);             /* first byte 0xa0: VXLAN I flag clear */
	udp_fix(&f, u);
	ip4_fix(&f, ip);
	assert_int_equal(dec(DLT_RAW, &f, &p), DEC_OK);
	assert_int_equal(p.proto, 17);
	assert_int_equal(p.udp.sport, 5353);
	assert_int_equal(p.udp.dport, 53);
	assert_int_equal(p.tunnel, DEC_TUN_NONE);

	/* Port 4789 without the VXLAN I flag is just UDP. */
	set16(&f, 22, 4789);
	assert_int_equal(dec(DLT_RAW, &f, &p), DEC_OK);
	assert_int_equal(p.udp.dport, 4789);
	assert_int_equal(p.tunnel_depth, 0);

	/* ... and so is a 4789 datagram too short to hold a VXLAN header. */
	f.n = 0;
	ip = ip4(&f, 17, 0, A4, B4);
	u = udp(&f, 4789, 4789);
	payload(&f, 4);
	udp_fix(&f, u);
	ip4_fix(&f, ip);
	assert_int_equal(dec(DLT_RAW, &f, &p), DEC_OK);
	assert_int_equal(p.udp.sport, 4789);
	assert_int_equal(p.udp.dport, 4789);
	assert_int_equal(p.tunnel_depth, 0);
}

static void test_icmp_v4(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;
	size_t ip;

	(void)state;
	eth(&f, 0x0800);
	ip = ip4(&f, 1, 0, A4, B4);
	icmp(&f, 8, 0x1234, 77);
	ip4_fix(&f, ip);
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);
	assert_int_equal(p.proto, 1);
	assert_int_equal(p.icmp.type, 8);
	assert_int_equal(p.icmp.code, 0);
	assert_int_equal(p.icmp.echo, DEC_ECHO_REQUEST);
	assert_int_equal(p.icmp.id, 0x1234);
	assert_int_equal(p.icmp.seq, 77);
	assert_addrs(&p, "10.0.0.1", "10.0.0.2");

	f.b[34] = 0;
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);
	assert_int_equal(p.icmp.echo, DEC_ECHO_REPLY);
	assert_int_equal(p.icmp.seq, 77);

	f.b[34] = 3;                /* destination unreachable */
	f.b[35] = 1;
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);
	assert_int_equal(p.icmp.echo, DEC_ECHO_NONE);
	assert_int_equal(p.icmp.type, 3);
	assert_int_equal(p.icmp.code, 1);
	/* ICMPv4 type 128 means nothing in v4. */
	f.b[34] = 128;
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);
	assert_int_equal(p.icmp.echo, DEC_ECHO_NONE);
}

static void test_icmp_v6(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;
	size_t ip;

	(void)state;
	ip = ip6(&f, 58, A6, B6);
	icmp(&f, 128, 0xbeef, 65535);
	ip6_fix(&f, ip);
	assert_int_equal(dec(DLT_IPV6, &f, &p), DEC_OK);
	assert_int_equal(p.proto, 58);
	assert_int_equal(p.icmp.echo, DEC_ECHO_REQUEST);
	assert_int_equal(p.icmp.id, 0xbeef);
	assert_int_equal(p.icmp.seq, 65535);
	f.b[40] = 129;
	assert_int_equal(dec(DLT_IPV6, &f, &p), DEC_OK);
	assert_int_equal(p.icmp.echo, DEC_ECHO_REPLY);
	f.b[40] = 8;                /* v4's request type is not v6's */
	assert_int_equal(dec(DLT_IPV6, &f, &p), DEC_OK);
	assert_int_equal(p.icmp.echo, DEC_ECHO_NONE);
}

/* ---- tunnels ---------------------------------------------------------- */

static const uint8_t O1[4] = { 192, 168, 1, 1 }, O2[4] = { 192, 168, 1, 2 };

/* Eth / IPv4 / UDP -> 4789 / VXLAN / Eth [tags] / IPv4 / TCP; *inner_ip set. */
static void vxlan_frame(struct fb *f, unsigned inner_tags, size_t *inner_ip)
{
	size_t oip, u, ip;

	f->n = 0;
	eth(f, 0x8100);
	vlan(f, 10, 0x0800);
	oip = ip4(f, 17, 0, O1, O2);
	u = udp(f, 51234, 4789);
	vxlan(f, 5001);
	eth(f, inner_tags ? 0x8100 : 0x0800);
	for (unsigned i = 0; i < inner_tags; i++)
		vlan(f, 20 + i, i + 1 < inner_tags ? 0x8100 : 0x0800);
	*inner_ip = f->n;
	ip = ip4(f, 6, 0, A4, B4);
	ref_tcp(f);
	ip4_fix(f, ip);
	udp_fix(f, u);
	ip4_fix(f, oip);
}

static void test_vxlan(void **state)
{
	struct fb f;
	struct dec_pkt p;
	size_t in;

	(void)state;
	vxlan_frame(&f, 0, &in);
	assert_int_equal(in, 18 + 20 + 8 + 8 + 14);
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);
	assert_ref_tcp(&f, &p, in + 20);
	assert_int_equal(p.tunnel, DEC_TUN_VXLAN);
	assert_int_equal(p.tunnel_depth, 1);
	assert_int_equal(p.vlan_depth, 1);
	assert_int_equal(p.ip_off, in);
	assert_int_equal(p.ip_len, 50);
	assert_addrs(&p, "10.0.0.1", "10.0.0.2");

	/* The inner frame is ARP: IP, but nothing we decode. */
	f.b[in - 2] = 0x08;
	f.b[in - 1] = 0x06;
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OTHER_PROTO);
	assert_addrs(&p, "192.168.1.1", "192.168.1.2");
	assert_int_equal(p.proto, 17);
}

static void test_vlan_inside_vxlan(void **state)
{
	struct fb f;
	struct dec_pkt p;
	size_t in;

	(void)state;
	vxlan_frame(&f, 2, &in);
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);
	assert_int_equal(p.vlan_depth, 3);
	assert_int_equal(p.ip_off, in);
	assert_ref_tcp(&f, &p, in + 20);
	assert_int_equal(p.tunnel, DEC_TUN_VXLAN);
}

static void test_geneve(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;
	size_t oip, u, ip;

	(void)state;
	/* IPv6 outer, 2 words of options, inner Ethernet / IPv6 / ICMPv6. */
	eth(&f, 0x86dd);
	oip = ip6(&f, 17, B6, A6);
	u = udp(&f, 40000, 6081);
	geneve(&f, 2, 0x6558);
	eth(&f, 0x86dd);
	ip = ip6(&f, 58, A6, B6);
	icmp(&f, 129, 9, 10);
	ip6_fix(&f, ip);
	udp_fix(&f, u);
	ip6_fix(&f, oip);
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);
	assert_int_equal(p.tunnel, DEC_TUN_GENEVE);
	assert_int_equal(p.tunnel_depth, 1);
	assert_int_equal(p.ip_off, 14 + 40 + 8 + 16 + 14);
	assert_int_equal(p.ip_ver, 6);
	assert_int_equal(p.ip_len, 56);
	assert_addrs(&p, "fd00::1", "fd00::2");
	assert_int_equal(p.icmp.echo, DEC_ECHO_REPLY);
	assert_int_equal(p.icmp.id, 9);
	assert_int_equal(p.icmp.seq, 10);

	/* Options running past the packet lie. */
	f.b[14 + 40 + 8] = 0x3f;
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_INVALID);

	/* Protocol 0x0800: IPv4 right after the header, no inner Ethernet. */
	f.n = 0;
	oip = ip4(&f, 17, 0, O1, O2);
	u = udp(&f, 40000, 6081);
	geneve(&f, 1, 0x0800);
	ip = ip4(&f, 6, 0, A4, B4);
	ref_tcp(&f);
	ip4_fix(&f, ip);
	udp_fix(&f, u);
	ip4_fix(&f, oip);
	assert_int_equal(dec(DLT_RAW, &f, &p), DEC_OK);
	assert_int_equal(p.ip_off, 20 + 8 + 12);
	assert_ref_tcp(&f, &p, 60);
	assert_int_equal(p.tunnel, DEC_TUN_GENEVE);
}

static void test_gre_key_seq(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;
	size_t oip, ip, u;

	(void)state;
	eth(&f, 0x0800);
	oip = ip4(&f, 47, 0, O1, O2);
	gre(&f, 1, 1, 0x0800);
	ip = ip4(&f, 17, 0, A4, B4);
	u = udp(&f, 1111, 2222);
	payload(&f, 3);
	udp_fix(&f, u);
	ip4_fix(&f, ip);
	ip4_fix(&f, oip);
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);
	assert_int_equal(p.tunnel, DEC_TUN_GRE);
	assert_int_equal(p.tunnel_depth, 1);
	assert_int_equal(p.ip_off, 14 + 20 + 12);
	assert_int_equal(p.ip_len, 31);
	assert_int_equal(p.proto, 17);
	assert_int_equal(p.udp.sport, 1111);
	assert_int_equal(p.udp.dport, 2222);
	assert_addrs(&p, "10.0.0.1", "10.0.0.2");

	/* Checksum present too: 4 more bytes the decoder must skip. */
	f.n = 0;
	oip = ip4(&f, 47, 0, O1, O2);
	be16(&f, 0xa000);           /* C, K */
	be16(&f, 0x86dd);
	be32(&f, 0);
	be32(&f, 99);
	ip = ip6(&f, 6, A6, B6);
	ref_tcp(&f);
	ip6_fix(&f, ip);
	ip4_fix(&f, oip);
	assert_int_equal(dec(DLT_RAW, &f, &p), DEC_OK);
	assert_v6_ref(&f, &p, 32);
}

static void test_gre_ethernet(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;
	size_t oip, ip;

	(void)state;
	eth(&f, 0x0800);
	oip = ip4(&f, 47, 0, O1, O2);
	gre(&f, 1, 0, 0x6558);
	eth(&f, 0x8100);
	vlan(&f, 300, 0x0800);
	ip = ip4(&f, 6, 0, A4, B4);
	ref_tcp(&f);
	ip4_fix(&f, ip);
	ip4_fix(&f, oip);
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);
	assert_int_equal(p.tunnel, DEC_TUN_GRE);
	assert_int_equal(p.vlan_depth, 1);
	assert_int_equal(p.ip_off, 14 + 20 + 8 + 18);
	assert_ref_tcp(&f, &p, 60 + 20);

	/* A VLAN ethertype straight in GRE: the tag comes first. */
	f.n = 0;
	oip = ip4(&f, 47, 0, O1, O2);
	gre(&f, 0, 0, 0x8100);
	vlan(&f, 7, 0x0800);
	v4_tcp_frame(&f);
	ip4_fix(&f, oip);
	assert_int_equal(dec(DLT_RAW, &f, &p), DEC_OK);
	assert_int_equal(p.vlan_depth, 1);
	assert_int_equal(p.tunnel, DEC_TUN_GRE);
	assert_v4_ref(&f, &p, 28);
}

/* Inner length 0 is derived from what is left of the outer packet,
 * not from the frame: trailing Ethernet padding is not part of it. */
static void test_tunnel_inner_derived(void **state)
{
	struct fb f = { .n = 0 };
	struct dec_pkt p;
	size_t oip;

	(void)state;
	eth(&f, 0x0800);
	oip = ip4(&f, 47, 0, O1, O2);
	gre(&f, 0, 0, 0x0800);
	ip4(&f, 6, 0, A4, B4);      /* inner total length 0 */
	ref_tcp(&f);
	ip4_fix(&f, oip);
	zeros(&f, 16);              /* outer padding */
	assert_int_equal(dec(DLT_EN10MB, &f, &p), DEC_OK);
	assert_int_equal(p.ip_len_derived, 1);
	assert_int_equal(p.ip_off, 38);
	assert_int_equal(p.ip_len, 50);
	assert_int_equal(p.tcp.payload_len, 10);
	assert_int_equal(p.tcp.payload_cap, 10);
}

static void test_tunnel_depth_cap(void **state)
{
	struct fb f;
	struct dec_pkt p;
	size_t oip[5];

	(void)state;
	for (int depth = 4; depth <= 5; depth++) {
		f.n = 0;
		for (int i = 0; i < depth; i++) {
			oip[i] = ip4(&f, 47, 0, O1, O2);
			gre(&f, 0, 0, 0x0800);
		}
		size_t ip = ip4(&f, 6, 0, A4, B4);
		ref_tcp(&f);
		ip4_fix(&f, ip);
		for (int i = depth - 1; i >= 0; i--)
			ip4_fix(&f, oip[i]);
		if (depth == 4) {
			assert_int_equal(dec(DLT_RAW, &f, &p), DEC_OK);
			assert_int_equal(p.tunnel_depth, 4);
			assert_v4_ref(&f, &p, 4 * 24);
		} else {
			assert_int_equal(dec(DLT_RAW, &f, &p), DEC_OTHER_PROTO);
			assert_int_equal(p.tunnel_depth, 4);
		}
	}
}

/* ---- truncation sweep ------------------------------------------------- */

/*
 * Decodes f at every caplen 0..n from a heap copy of exactly caplen bytes
 * (so ASan/valgrind catch any over-read).  Below `need` (the end of the
 * last header the decoder needs) the result must be DEC_TRUNCATED; from
 * there on DEC_OK with the same view as the full frame.
 */
static void sweep(int dlt, const struct fb *f, size_t need)
{
	struct dec_pkt full, p;

	assert_int_equal(dec(dlt, f, &full), DEC_OK);
	for (size_t cap = 0; cap <= f->n; cap++) {
		uint8_t *buf = malloc(cap);

		assert_true(cap == 0 || buf);
		if (cap)
			memcpy(buf, f->b, cap);
		dec_frame(dlt, buf, (uint32_t)cap, (uint32_t)f->n, &p);
		if (cap < need) {
			assert_int_equal(p.status, DEC_TRUNCATED);
		} else {
			assert_int_equal(p.status, DEC_OK);
			assert_int_equal(p.proto, full.proto);
			assert_int_equal(p.ip_off, full.ip_off);
			assert_int_equal(p.ip_len, full.ip_len);
			assert_int_equal(p.vlan_depth, full.vlan_depth);
			assert_int_equal(p.tunnel_depth, full.tunnel_depth);
			assert_int_equal(dec_addr_cmp(&p.src, &full.src), 0);
			assert_int_equal(dec_addr_cmp(&p.dst, &full.dst), 0);
			if (p.proto == 6) {
				uint32_t at = full.ip_off + full.ip_hdr_len + full.tcp.hdr_len;
				uint32_t want = cap > at ? (uint32_t)cap - at : 0;

				if (want > full.tcp.payload_len)
					want = full.tcp.payload_len;
				assert_int_equal(p.tcp.seq, full.tcp.seq);
				assert_int_equal(p.tcp.payload_len, full.tcp.payload_len);
				assert_int_equal(p.tcp.payload_cap, want);
				if (want)
					assert_ptr_equal(p.tcp.payload, buf + at);
				else
					assert_null(p.tcp.payload);
			}
			if (p.proto == 1 || p.proto == 58)
				assert_int_equal(p.icmp.seq, full.icmp.seq);
			if (p.proto == 17)
				assert_int_equal(p.udp.dport, full.udp.dport);
		}
		free(buf);
	}
}

static void test_truncation_sweep(void **state)
{
	struct fb f = { .n = 0 };
	size_t ip, oip, u, in;

	(void)state;
	/* TCP with options and padding over three VLAN tags, IPv4 options. */
	eth(&f, 0x88a8);
	vlan(&f, 1, 0x8100);
	vlan(&f, 2, 0x8100);
	vlan(&f, 3, 0x0800);
	ip = ip4(&f, 6, 8, A4, B4);
	tcp(&f, 1, 49152, 42, 43, DEC_TCP_ACK, 12);
	payload(&f, 20);
	ip4_fix(&f, ip);
	zeros(&f, 4);
	sweep(DLT_EN10MB, &f, 26 + 28 + 20);

	/* IPv6 extension headers and an atomic fragment, cooked v1. */
	f.n = 0;
	be16(&f, 0);
	be16(&f, 1);
	be16(&f, 6);
	zeros(&f, 8);
	be16(&f, 0x86dd);
	ip = ip6(&f, 0, A6, B6);
	ext6(&f, 43, 0);
	ext6(&f, 44, 1);
	frag6(&f, 60, 0, 0);
	ext6(&f, 6, 0);
	ref_tcp(&f);
	ip6_fix(&f, ip);
	sweep(DLT_LINUX_SLL, &f, 16 + 40 + 40 + 20);

	/* VXLAN carrying ICMP echo, inner VLAN. */
	f.n = 0;
	eth(&f, 0x0800);
	oip = ip4(&f, 17, 0, O1, O2);
	u = udp(&f, 1234, 4789);
	vxlan(&f, 77);
	eth(&f, 0x8100);
	vlan(&f, 9, 0x0800);
	in = f.n;
	ip = ip4(&f, 1, 0, A4, B4);
	icmp(&f, 8, 1, 2);
	ip4_fix(&f, ip);
	udp_fix(&f, u);
	ip4_fix(&f, oip);
	sweep(DLT_EN10MB, &f, in + 20 + 8);

	/* GRE with key and sequence, IPv4 / UDP inside, BSD loopback. */
	f.n = 0;
	be32(&f, 0x02000000);
	oip = ip4(&f, 47, 0, O1, O2);
	gre(&f, 1, 1, 0x0800);
	in = f.n;
	ip = ip4(&f, 17, 0, A4, B4);
	u = udp(&f, 3, 4);
	payload(&f, 6);
	udp_fix(&f, u);
	ip4_fix(&f, ip);
	ip4_fix(&f, oip);
	sweep(DLT_NULL, &f, in + 28);

	/* GENEVE with options, Ethernet over GRE, cooked v2 around it all. */
	f.n = 0;
	be16(&f, 0x86dd);
	zeros(&f, 18);
	oip = ip6(&f, 17, B6, A6);
	u = udp(&f, 6081, 999);
	geneve(&f, 3, 0x6558);
	eth(&f, 0x0800);
	ip = ip4(&f, 47, 0, O1, O2);
	gre(&f, 0, 1, 0x6558);
	eth(&f, 0x86dd);
	in = f.n;
	size_t ip2 = ip6(&f, 6, A6, B6);
	ref_tcp(&f);
	ip6_fix(&f, ip2);
	ip4_fix(&f, ip);
	udp_fix(&f, u);
	ip6_fix(&f, oip);
	sweep(DLT_LINUX_SLL2, &f, in + 40 + 20);
}

/* Mutated frames at random lengths: whatever the bytes, no over-read
 * (ASan/valgrind) and a consistent view. */
static void test_mutation_fuzz(void **state)
{
	static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2,
				    DLT_RAW, DLT_IPV4, DLT_IPV6, DLT_NULL, DLT_LOOP };
	struct fb f;
	struct dec_pkt p;
	size_t in;
	uint32_t rnd = 12345;

	(void)state;
	vxlan_frame(&f, 1, &in);
	for (int i = 0; i < 20000; i++) {
		struct fb m = f;
		uint32_t cap, wire;
		uint8_t *buf;

		for (int k = 0; k < 4; k++) {
			rnd = rnd * 1103515245u + 12345u;
			m.b[(rnd >> 8) % m.n] = (uint8_t)(rnd >> 20);
		}
		rnd = rnd * 1103515245u + 12345u;
		cap = (rnd >> 8) % (uint32_t)(m.n + 1);
		wire = cap + (rnd >> 24) % 3 * (rnd >> 28);
		buf = malloc(cap ? cap : 1);
		assert_non_null(buf);
		memcpy(buf, m.b, cap);
		dec_frame(dlts[i % 8], buf, cap, wire, &p);
		assert_true(p.status < DEC_STATUS_COUNT);
		if (p.status == DEC_OK && p.proto == 6) {
			assert_true(p.tcp.payload_cap <= p.tcp.payload_len);
			if (p.tcp.payload_cap)
				assert_true(p.tcp.payload >= buf &&
					    p.tcp.payload + p.tcp.payload_cap <= buf + cap);
		}
		if (p.status == DEC_OK)
			assert_true(p.ip_off + p.ip_len <= wire);
		free(buf);
	}
}

/* ---- names and addresses ---------------------------------------------- */

static void test_names_and_addrs(void **state)
{
	struct dec_addr a = { .family = 4, .a = { 10, 0, 0, 1 } };
	struct dec_addr b = { .family = 4, .a = { 10, 0, 0, 2 } };
	struct dec_addr c = { .family = 6, .a = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	struct dec_addr z = { .family = 0 };
	char buf[64], tiny[4];

	(void)state;
	assert_string_equal(dec_status_name(DEC_OK), "ok");
	assert_string_equal(dec_status_name(DEC_TRUNCATED), "truncated");
	assert_string_equal(dec_status_name(DEC_INVALID), "invalid");
	assert_string_equal(dec_status_name(DEC_NOT_IP), "not_ip");
	assert_string_equal(dec_status_name(DEC_FRAGMENT), "fragment");
	assert_string_equal(dec_status_name(DEC_OTHER_PROTO), "other_proto");
	assert_string_equal(dec_status_name(DEC_UNSUPPORTED_LINK), "unsupported_link");
	assert_string_equal(dec_status_name(DEC_STATUS_COUNT), "?");

	assert_string_equal(dec_addr_str(&c, buf, sizeof(buf)), "2001:db8::1");
	assert_string_equal(dec_addr_str(&z, buf, sizeof(buf)), "?");
	assert_string_equal(dec_addr_str(&a, tiny, sizeof(tiny)), "?");
	assert_true(dec_addr_cmp(&a, &b) < 0);
	assert_true(dec_addr_cmp(&b, &a) > 0);
	assert_int_equal(dec_addr_cmp(&a, &a), 0);
	assert_true(dec_addr_cmp(&a, &c) < 0);
	assert_true(dec_addr_cmp(&c, &a) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_en10mb),
		cmocka_unit_test(test_link_sll),
		cmocka_unit_test(test_link_sll2),
		cmocka_unit_test(test_link_raw),
		cmocka_unit_test(test_link_ipv4_ipv6),
		cmocka_unit_test(test_link_null),
		cmocka_unit_test(test_link_loop),
		cmocka_unit_test(test_link_unsupported),
		cmocka_unit_test(test_vlan_stacks),
		cmocka_unit_test(test_eth_padding),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_ipv4_len_zero),
		cmocka_unit_test(test_ipv4_lies),
		cmocka_unit_test(test_ipv4_fragment),
		cmocka_unit_test(test_ipv6_ext_headers),
		cmocka_unit_test(test_ipv6_fragment),
		cmocka_unit_test(test_tcp_options),
		cmocka_unit_test(test_tcp_doff_invalid),
		cmocka_unit_test(test_other_proto),
		cmocka_unit_test(test_udp_plain),
		cmocka_unit_test(test_icmp_v4),
		cmocka_unit_test(test_icmp_v6),
		cmocka_unit_test(test_vxlan),
		cmocka_unit_test(test_vlan_inside_vxlan),
		cmocka_unit_test(test_geneve),
		cmocka_unit_test(test_gre_key_seq),
		cmocka_unit_test(test_gre_ethernet),
		cmocka_unit_test(test_tunnel_inner_derived),
		cmocka_unit_test(test_tunnel_depth_cap),
		cmocka_unit_test(test_truncation_sweep),
		cmocka_unit_test(test_mutation_fuzz),
		cmocka_unit_test(test_names_and_addrs),
		cmocka_unit_test(test_absurd_wire_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
