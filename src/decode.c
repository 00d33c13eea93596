/* decode.c - one frame into a dec_pkt: link layers, IPv4/IPv6, TCP/UDP/ICMP, VXLAN/GENEVE/GRE. */
#include <string.h>
#include <pcap/dlt.h>

#include "cursor.h"
#include "decode.h"
#include "decode-fast.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
/* LINKTYPE_RAW as written in files; libpcap maps it to DLT_RAW, other readers may not. */
#define LINKTYPE_RAW_FILE 101

enum {
	MAX_VLAN = 8,     /* tags per Ethernet header; deeper stacks are hostile, not real */
	MAX_TUNNEL = 4,   /* tunnels followed; one more is DEC_OTHER_PROTO */

	ETH_IPV4 = 0x0800,
	ETH_IPV6 = 0x86dd,
	ETH_8021Q = 0x8100,
	ETH_8021AD = 0x88a8,
	ETH_QINQ_OLD = 0x9100,  /* pre-802.1ad vendor S-tag */
	ETH_TEB = 0x6558,       /* transparent Ethernet bridging */

	IPP_ICMP = 1,
	IPP_TCP = 6,
	IPP_UDP = 17,
	IPP_GRE = 47,
	IPP_ICMPV6 = 58,

	PORT_VXLAN = 4789,
	PORT_GENEVE = 6081,
};

/* Internal outcome of a UDP tunnel parser: the port lied, decode as plain UDP. */
#define NOT_TUNNEL DEC_STATUS_COUNT

/*
 * Decoding state.  The layers only ever narrow the frame (an IP length
 * ends the packet, a tunnel's inner frame ends where its outer packet
 * does), so one cursor and one wire end serve every layer.
 */
struct dctx {
	struct cur c;          /* captured bytes of the current packet */
	const uint8_t *base;   /* frame start: offsets are reported from here */
	uint32_t wend;         /* offset where the current packet ends on the wire */
	struct dec_pkt *out;
};

static enum dec_status ethertype(struct dctx *x, uint16_t type);

static uint32_t off(const struct dctx *x)
{
	return (uint32_t)(x->c.p - x->base);
}

/*
 * DEC_OK when the next n bytes were captured.  Otherwise the capture is
 * truncated, unless the packet on the wire is too short for them anyway:
 * then a length field (or the frame) lies.  cap <= wire always holds, so
 * checking the capture first is enough.
 */
static enum dec_status need(const struct dctx *x, uint32_t n)
{
	if (cur_left(&x->c) >= n)
		return DEC_OK;
	return x->wend - off(x) < n ? DEC_INVALID : DEC_TRUNCATED;
}

/* Ends the current packet at frame offset `end`: Ethernet padding and
 * whatever trails the IP length is not part of it. */
static void clamp(struct dctx *x, uint32_t end)
{
	x->wend = end;
	if ((size_t)(x->c.end - x->base) > end)
		x->c.end = x->base + end;
}

static void take_addr(struct cur *c, struct dec_addr *a, uint8_t family)
{
	a->family = family;
	memset(a->a, 0, sizeof(a->a));
	cur_copy(c, a->a, family == 6 ? 16 : 4);
}

/* TCP header, RFC 9293 section 3.1.  Options may lie beyond the capture:
 * only the fixed header is needed. */
static enum dec_status tcp(struct dctx *x)
{
	struct dec_tcp *t = &x->out->tcp;
	uint32_t left = x->wend - off(x);   /* IP payload length */
	enum dec_status st = need(x, 20);
	uint8_t doff;

	if (st != DEC_OK)
		return st;
	t->sport = cur_be16(&x->c);
	t->dport = cur_be16(&x->c);
	t->seq = cur_be32(&x->c);
	t->ack = cur_be32(&x->c);
	doff = cur_u8(&x->c) >> 4;
	t->flags = cur_u8(&x->c);
	cur_skip(&x->c, 6);                 /* window, checksum, urgent pointer */
	t->hdr_len = (uint16_t)(doff * 4u);
	if (doff < 5 || t->hdr_len > left)
		return DEC_INVALID;
	t->payload_len = left - t->hdr_len;
	if (cur_left(&x->c) >= t->hdr_len - 20u) {
		cur_skip(&x->c, t->hdr_len - 20u);
		t->payload_cap = (uint32_t)cur_left(&x->c);
		t->payload = t->payload_cap ? x->c.p : NULL;
	}
	return DEC_OK;
}

/* ICMP (RFC 792) and ICMPv6 (RFC 4443 section 2.1; echo: section 4):
 * type, code, checksum, then identifier and sequence for echo. */
static enum dec_status icmp(struct dctx *x, uint8_t proto)
{
	struct dec_icmp *m = &x->out->icmp;
	enum dec_status st = need(x, 8);
	uint8_t req = proto == IPP_ICMP ? 8 : 128;
	uint8_t rep = proto == IPP_ICMP ? 0 : 129;

	if (st != DEC_OK)
		return st;
	m->type = cur_u8(&x->c);
	m->code = cur_u8(&x->c);
	cur_skip(&x->c, 2);                 /* checksum */
	if (m->type == req)
		m->echo = DEC_ECHO_REQUEST;
	else if (m->type == rep)
		m->echo = DEC_ECHO_REPLY;
	else
		return DEC_OK;
	m->id = cur_be16(&x->c);
	m->seq = cur_be16(&x->c);
	return DEC_OK;
}

/* Crosses one tunnel header, or refuses past MAX_TUNNEL so a hostile
 * nest cannot recurse without end. */
static enum dec_status enter(struct dctx *x, enum dec_tunnel t)
{
	struct dec_pkt *p = x->out;

	if (p->tunnel_depth >= MAX_TUNNEL)
		return DEC_OTHER_PROTO;
	if (p->tunnel_depth == 0)
		p->tunnel = (uint8_t)t;
	p->tunnel_depth++;
	return DEC_OK;
}

/* The frame is IP even when its tunnel carries something else (ARP, ...):
 * that is an IP payload we do not decode, described by the outer packet. */
static enum dec_status inner(enum dec_status st)
{
	return st == DEC_NOT_IP ? DEC_OTHER_PROTO : st;
}

/* IEEE 802.3 Ethernet II header: destination, source, ethertype. */
static enum dec_status eth(struct dctx *x)
{
	enum dec_status st = need(x, 14);

	if (st != DEC_OK)
		return st;
	cur_skip(&x->c, 6);
	cur_copy(&x->c, x->out->smac, 6);   /* the source: announces and echo replies name the VM by it */
	x->out->has_mac = 1;
	return ethertype(x, cur_be16(&x->c));
}

/* VXLAN header, RFC 7348 section 5: flags (I = VNI valid), VNI; an
 * Ethernet frame follows. */
static enum dec_status vxlan(struct dctx *x)
{
	enum dec_status st = need(x, 8);

	if (st == DEC_INVALID)
		return NOT_TUNNEL;              /* too short to be VXLAN at all */
	if (st != DEC_OK)
		return st;
	if (!(cur_peek_u8(&x->c, 0) & 0x08))
		return NOT_TUNNEL;
	cur_skip(&x->c, 8);
	st = enter(x, DEC_TUN_VXLAN);
	if (st != DEC_OK)
		return st;
	return inner(eth(x));
}

/* GENEVE header, RFC 8926 section 3.4: Ver(2) OptLen(6), O C Rsvd,
 * protocol type, VNI, reserved; then OptLen * 4 bytes of options. */
static enum dec_status geneve(struct dctx *x)
{
	enum dec_status st = need(x, 8);
	uint16_t type;
	uint8_t b0;

	if (st == DEC_INVALID)
		return NOT_TUNNEL;
	if (st != DEC_OK)
		return st;
	b0 = cur_peek_u8(&x->c, 0);
	if (b0 >> 6)
		return NOT_TUNNEL;              /* only version 0 is defined */
	cur_skip(&x->c, 2);
	type = cur_be16(&x->c);
	cur_skip(&x->c, 4);                 /* VNI, reserved */
	st = need(x, (b0 & 0x3fu) * 4u);
	if (st != DEC_OK)
		return st;
	cur_skip(&x->c, (b0 & 0x3fu) * 4u);
	st = enter(x, DEC_TUN_GENEVE);
	if (st != DEC_OK)
		return st;
	return inner(type == ETH_TEB ? eth(x) : ethertype(x, type));
}

/* UDP header, RFC 768.  The tunnel ports are tried destination first. */
static enum dec_status udp(struct dctx *x)
{
	enum dec_status st = need(x, 8);
	uint16_t sport, dport, port;

	if (st != DEC_OK)
		return st;
	sport = cur_be16(&x->c);
	dport = cur_be16(&x->c);
	cur_skip(&x->c, 4);                 /* length, checksum: the IP length rules */
	port = (dport == PORT_VXLAN || dport == PORT_GENEVE) ? dport : sport;
	if (port == PORT_VXLAN)
		st = vxlan(x);
	else if (port == PORT_GENEVE)
		st = geneve(x);
	else
		st = NOT_TUNNEL;
	if (st != NOT_TUNNEL)
		return st;
	x->out->udp.sport = sport;
	x->out->udp.dport = dport;
	return DEC_OK;
}

/* GRE header, RFC 2784 section 2.1, with the key and sequence number of
 * RFC 2890 section 2: C, K and S each add 4 bytes. */
static enum dec_status gre(struct dctx *x)
{
	enum dec_status st = need(x, 4);
	uint16_t fv, type;
	uint32_t opt;

	if (st != DEC_OK)
		return st;
	fv = cur_be16(&x->c);
	type = cur_be16(&x->c);
	/* Version 1 is PPTP (RFC 2637); R is RFC 1701 source routing. */
	if (fv & 0x4007)
		return DEC_OTHER_PROTO;
	opt = 4u * (!!(fv & 0x8000) + !!(fv & 0x2000) + !!(fv & 0x1000));
	st = need(x, opt);
	if (st != DEC_OK)
		return st;
	cur_skip(&x->c, opt);
	st = enter(x, DEC_TUN_GRE);
	if (st != DEC_OK)
		return st;
	return inner(type == ETH_TEB ? eth(x) : ethertype(x, type));
}

static enum dec_status l4(struct dctx *x, uint8_t proto)
{
	x->out->proto = proto;
	switch (proto) {
	case IPP_TCP:
		return tcp(x);
	case IPP_UDP:
		return udp(x);
	case IPP_ICMP:
	case IPP_ICMPV6:
		return icmp(x, proto);
	case IPP_GRE:
		return gre(x);
	default:
		return DEC_OTHER_PROTO;
	}
}

/* IPv4 header, RFC 791 section 3.1. */
static enum dec_status ip4(struct dctx *x)
{
	struct dec_pkt *p = x->out;
	uint32_t start = off(x), left = x->wend - start, hlen, len;
	enum dec_status st = need(x, 20);
	uint16_t tot, frag;
	uint8_t vihl, proto;

	if (st != DEC_OK)
		return st;
	vihl = cur_u8(&x->c);
	cur_skip(&x->c, 1);                 /* DSCP, ECN */
	tot = cur_be16(&x->c);
	cur_skip(&x->c, 2);                 /* identification */
	frag = cur_be16(&x->c);
	cur_skip(&x->c, 1);                 /* TTL */
	proto = cur_u8(&x->c);
	cur_skip(&x->c, 2);                 /* checksum: offload leaves it unset */
	take_addr(&x->c, &p->src, 4);
	take_addr(&x->c, &p->dst, 4);
	hlen = (vihl & 0x0fu) * 4u;
	if ((vihl >> 4) != 4 || hlen < 20)
		return DEC_INVALID;
	p->ip_ver = 4;
	p->proto = proto;
	p->ip_off = start;
	p->ip_hdr_len = hlen;
	/* Total length 0: TSO / big TCP, the length is the frame's (as tcpdump). */
	p->ip_len_derived = tot == 0;
	len = tot ? tot : left;
	p->ip_len = len;
	if (tot && (tot < hlen || tot > left))
		return DEC_INVALID;
	clamp(x, start + len);
	if (frag & 0x3fff)                  /* MF or a fragment offset */
		return DEC_FRAGMENT;
	st = need(x, hlen - 20);
	if (st != DEC_OK)
		return st;
	cur_skip(&x->c, hlen - 20);         /* options, RFC 791 section 3.1 */
	return l4(x, proto);
}

/* IPv6 header, RFC 8200 section 3, then its extension headers (section 4). */
static enum dec_status ip6(struct dctx *x)
{
	struct dec_pkt *p = x->out;
	uint32_t start = off(x), left = x->wend - start, hl;
	enum dec_status st = need(x, 40);
	uint16_t plen, fo;
	uint8_t ver, nh;

	if (st != DEC_OK)
		return st;
	ver = cur_u8(&x->c) >> 4;
	cur_skip(&x->c, 3);                 /* traffic class, flow label */
	plen = cur_be16(&x->c);
	nh = cur_u8(&x->c);
	cur_skip(&x->c, 1);                 /* hop limit */
	take_addr(&x->c, &p->src, 6);
	take_addr(&x->c, &p->dst, 6);
	if (ver != 6)
		return DEC_INVALID;
	p->ip_ver = 6;
	p->proto = nh;
	p->ip_off = start;
	/* Payload length 0: jumbogram (RFC 2675) or big TCP; use the frame's. */
	p->ip_len_derived = plen == 0;
	p->ip_len = plen ? plen + 40u : left;
	if (p->ip_len > left)
		return DEC_INVALID;
	clamp(x, start + p->ip_len);
	for (;;) {
		p->ip_hdr_len = off(x) - start;
		switch (nh) {
		case 0:     /* hop-by-hop options, RFC 8200 section 4.3 */
		case 43:    /* routing, section 4.4 */
		case 60:    /* destination options, section 4.6 */
		case 135:   /* mobility, RFC 6275 section 6.1 */
			st = need(x, 2);
			if (st != DEC_OK)
				return st;
			hl = (cur_peek_u8(&x->c, 1) + 1u) * 8u;
			break;
		case 51:    /* AH, RFC 4302 section 2.2: 4-byte units minus 2 */
			st = need(x, 2);
			if (st != DEC_OK)
				return st;
			hl = (cur_peek_u8(&x->c, 1) + 2u) * 4u;
			break;
		case 44:    /* fragment, RFC 8200 section 4.5 */
			st = need(x, 8);
			if (st != DEC_OK)
				return st;
			nh = cur_u8(&x->c);
			cur_skip(&x->c, 1);
			fo = cur_be16(&x->c);       /* offset(13) res(2) M(1) */
			cur_skip(&x->c, 4);         /* identification */
			p->proto = nh;
			/* An atomic fragment (offset 0, M 0) is a whole datagram. */
			if (fo & 0xfff9) {
				p->ip_hdr_len = off(x) - start;
				return DEC_FRAGMENT;
			}
			continue;
		default:    /* upper layer, ESP (50), no next header (59) */
			return l4(x, nh);
		}
		st = need(x, hl);
		if (st != DEC_OK)
			return st;
		nh = cur_u8(&x->c);
		cur_skip(&x->c, hl - 1);
	}
}

/* Ethertype dispatch after any stack of IEEE 802.1Q / 802.1ad tags
 * (TCI, then the next ethertype). */
static enum dec_status ethertype(struct dctx *x, uint16_t type)
{
	enum dec_status st;
	unsigned n = 0;

	while (type == ETH_8021Q || type == ETH_8021AD || type == ETH_QINQ_OLD) {
		if (++n > MAX_VLAN)
			return DEC_INVALID;
		st = need(x, 4);
		if (st != DEC_OK)
			return st;
		cur_skip(&x->c, 2);             /* PCP, DEI, VID */
		type = cur_be16(&x->c);
		x->out->vlan_depth++;
	}
	switch (type) {
	case ETH_IPV4:
		return ip4(x);
	case ETH_IPV6:
		return ip6(x);
	default:
		x->out->l2_type = type;     /* ARP, RARP, ...: decode-arp.c reads it from here */
		x->out->l2_off = off(x);
		return DEC_NOT_IP;
	}
}

/* A cooked header's address (sender's link-layer address) when it is 6 bytes long. */
static void cooked_addr(struct dctx *x, unsigned halen)
{
	uint8_t a[8];

	cur_copy(&x->c, a, 8);
	if (halen == 6) {
		memcpy(x->out->smac, a, 6);
		x->out->has_mac = 1;
	}
}

/* Raw IP: the version nibble says which. */
static enum dec_status raw_ip(struct dctx *x)
{
	enum dec_status st = need(x, 1);

	if (st != DEC_OK)
		return st;
	switch (cur_peek_u8(&x->c, 0) >> 4) {
	case 4:
		return ip4(x);
	case 6:
		return ip6(x);
	default:
		return DEC_INVALID;
	}
}

/* BSD loopback address family: AF_INET is 2 everywhere, AF_INET6 is
 * 10 (Linux), 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (Darwin). */
static enum dec_status loop_family(struct dctx *x, uint32_t fam)
{
	switch (fam) {
	case 2:
		return ip4(x);
	case 10:
	case 24:
	case 28:
	case 30:
		return ip6(x);
	default:
		return DEC_NOT_IP;
	}
}

static enum dec_status link_layer(struct dctx *x, int dlt)
{
	enum dec_status st;
	uint16_t type;
	uint32_t fam;

	switch (dlt) {
	case DLT_EN10MB:
		return eth(x);
	case DLT_LINUX_SLL:     /* cooked v1: 16 bytes, protocol at offset 14 */
		st = need(x, 16);
		if (st != DEC_OK)
			return st;
		cur_skip(&x->c, 4);     /* packet type, ARPHRD type */
		cooked_addr(x, cur_be16(&x->c));
		return ethertype(x, cur_be16(&x->c));
	case DLT_LINUX_SLL2:    /* cooked v2: 20 bytes: protocol, reserved, ifindex, ... */
		st = need(x, 20);
		if (st != DEC_OK)
			return st;
		type = cur_be16(&x->c);
		cur_skip(&x->c, 2);
		x->out->ifindex = cur_be32(&x->c);
		cur_skip(&x->c, 3);     /* ARPHRD type, packet type */
		cooked_addr(x, cur_u8(&x->c));
		return ethertype(x, type);
	case DLT_RAW:
	case LINKTYPE_RAW_FILE:
		return raw_ip(x);
	case DLT_IPV4:
		return ip4(x);
	case DLT_IPV6:
		return ip6(x);
	case DLT_NULL:          /* family in the capturing host's byte order */
		st = need(x, 4);
		if (st != DEC_OK)
			return st;
		fam = cur_le32(&x->c);
		if (fam > 0xffff)       /* written big-endian: the family sits high */
			fam = (fam >> 24) | ((fam >> 8) & 0xff00);
		return loop_family(x, fam);
	case DLT_LOOP:          /* family in network byte order */
		st = need(x, 4);
		if (st != DEC_OK)
			return st;
		return loop_family(x, cur_be32(&x->c));
	default:
		return DEC_UNSUPPORTED_LINK;
	}
}

int dec_link_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case LINKTYPE_RAW_FILE:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return 1;
	default:
		return 0;
	}
}

enum dec_status dec_frame(int dlt, const uint8_t *data, uint32_t caplen,
			  uint32_t wire_len, struct dec_pkt *out)
{
	struct dctx x;
	enum dec_status st;

	memset(out, 0, sizeof(*out));
	out->wire_len = wire_len;
	out->cap_len = caplen;
	if (dlt == DLT_EN10MB && caplen >= 54 && caplen <= wire_len && wire_len <= DEC_MAX_WIRE_LEN && data &&
	    dec_fast_eth_ip4_tcp(data, caplen, wire_len, out))
		return DEC_OK;
	if (!dec_link_supported(dlt))
		st = DEC_UNSUPPORTED_LINK;
	else if (caplen > wire_len || wire_len > DEC_MAX_WIRE_LEN || (caplen && !data))
		st = DEC_INVALID;
	else if (caplen == 0)   /* every link needs a byte; data may be NULL */
		st = wire_len ? DEC_TRUNCATED : DEC_INVALID;
	else {
		x.base = data;
		x.wend = wire_len;
		x.out = out;
		cur_init(&x.c, data, caplen);
		st = link_layer(&x, dlt);
	}
	out->status = st;
	return st;
}

const char *dec_status_name(enum dec_status s)
{
	static const char *const names[DEC_STATUS_COUNT] = {
		[DEC_OK] = "ok",
		[DEC_TRUNCATED] = "truncated",
		[DEC_INVALID] = "invalid",
		[DEC_NOT_IP] = "not_ip",
		[DEC_FRAGMENT] = "fragment",
		[DEC_OTHER_PROTO] = "other_proto",
		[DEC_UNSUPPORTED_LINK] = "unsupported_link",
	};

	if ((unsigned)s >= DEC_STATUS_COUNT)
		return "?";
	return names[s];
}
