/* tcppkt.h - a decoded IPv4/TCP frame 10.0.0.a:sport -> 10.0.0.b:dport for the flow-table tests; included, not linked. */
#ifndef MM_TEST_TCPPKT_H
#define MM_TEST_TCPPKT_H

#include <string.h>

#include "decode.h"

/* `len` payload bytes (the first 64 captured, from `payload`), as dec_frame would give them. */
static inline struct dec_pkt tcppkt(uint8_t a, uint16_t sport, uint8_t b, uint16_t dport, uint32_t seq,
				    uint8_t flags, uint32_t len, const uint8_t *payload)
{
	struct dec_pkt p;

	memset(&p, 0, sizeof(p));
	p.status = DEC_OK;
	p.ip_ver = 4;
	p.proto = 6;
	p.src.family = p.dst.family = 4;
	p.src.a[0] = 10;
	p.src.a[3] = a;
	p.dst.a[0] = 10;
	p.dst.a[3] = b;
	p.tcp.sport = sport;
	p.tcp.dport = dport;
	p.tcp.seq = seq;
	p.tcp.flags = flags;
	p.tcp.hdr_len = 20;
	p.tcp.payload_len = len;
	p.tcp.payload = payload;
	p.tcp.payload_cap = len < 64 ? len : 64;
	p.ip_hdr_len = 20;
	p.ip_len = 40 + len;
	p.wire_len = 14 + 40 + len;
	p.cap_len = p.wire_len;
	return p;
}

#endif
