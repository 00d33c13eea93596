/*
 * decode-fast.h - dec_frame's fast path (Ethernet II + IPv4 + TCP), inline
 * in dec_frame's own file: it runs for nearly every frame, and a call into
 * another object would cost that on the per-frame path.
 */
#ifndef MIGMETER_DECODE_FAST_H
#define MIGMETER_DECODE_FAST_H

#include <stdint.h>
#include <string.h>

#include "decode.h"

static inline uint16_t fast_be16(const uint8_t *b)
{
	return (uint16_t)((b[0] << 8) | b[1]);
}

static inline uint32_t fast_be32(const uint8_t *b)
{
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

/*
 * The frame nearly every migration capture is made of, Ethernet II +
 * IPv4 without options + TCP, decoded in one place: the same checks and
 * the same result as eth -> ethertype -> ip4 -> l4 -> tcp, for frames
 * where none of them fails.  Returns 0 (out untouched beyond what
 * dec_frame set) for anything else, which then takes the general path.
 * Needs caplen >= 54 and caplen <= wire_len.
 */
static inline int dec_fast_eth_ip4_tcp(const uint8_t *d, uint32_t caplen, uint32_t wire_len, struct dec_pkt *p)
{
	uint32_t left = wire_len - 14, len, cend, hlen;
	uint16_t tot = fast_be16(d + 16);
	struct dec_tcp *t = &p->tcp;

	/* ethertype IPv4, version 4 with IHL 5, protocol TCP, not a fragment (RFC 791 section 3.1) */
	if (d[12] != 0x08 || d[13] != 0x00 || d[14] != 0x45 || d[23] != 6 /* TCP */ ||
	    (fast_be16(d + 20) & 0x3fff))
		return 0;
	if (tot && (tot < 20 || tot > left))
		return 0;
	len = tot ? tot : left;
	/* the packet ends at the IP length: the TCP header (RFC 9293 section 3.1) must fit */
	cend = caplen < 14 + len ? caplen : 14 + len;
	if (cend < 54)
		return 0;
	hlen = (d[46] >> 4) * 4u;
	if (hlen < 20 || hlen > len - 20)
		return 0;
	p->ip_ver = 4;
	p->proto = 6 /* TCP */;
	memcpy(p->smac, d + 6, 6);
	p->has_mac = 1;
	p->ip_len_derived = tot == 0;
	p->src.family = p->dst.family = 4;
	memcpy(p->src.a, d + 26, 4);
	memcpy(p->dst.a, d + 30, 4);
	p->ip_off = 14;
	p->ip_len = len;
	p->ip_hdr_len = 20;
	t->sport = fast_be16(d + 34);
	t->dport = fast_be16(d + 36);
	t->seq = fast_be32(d + 38);
	t->ack = fast_be32(d + 42);
	t->flags = d[47];
	t->hdr_len = (uint16_t)hlen;
	t->payload_len = len - 20 - hlen;
	if (cend - 34 >= hlen) {
		t->payload_cap = cend - 34 - hlen;
		t->payload = t->payload_cap ? d + 34 + hlen : NULL;
	}
	p->status = DEC_OK;
	return 1;
}

#endif
