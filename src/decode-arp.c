/* decode-arp.c - RARP and gratuitous ARP announces (RFC 826, RFC 903, RFC 5227 section 3). */
#include "decode-arp.h"

#include <string.h>

#include "cursor.h"

/* RFC 826: hardware type Ethernet, protocol type IPv4; RFC 903: reverse request. */
#define ARP_HTYPE_ETH 1
#define ARP_PTYPE_IP 0x0800
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2
#define ARP_OP_REQUEST_REV 3

enum dec_arp_result dec_arp(const struct dec_pkt *p, const uint8_t *frame, struct dec_arp *out)
{
	struct cur c;
	uint16_t htype, ptype, op;
	uint8_t hlen, plen, spa[4], tha[6], tpa[4];

	memset(out, 0, sizeof(*out));
	if (p->l2_type != DEC_ETH_ARP && p->l2_type != DEC_ETH_RARP)
		return DEC_ARP_NONE;
	if (!frame || p->l2_off > p->cap_len)
		return DEC_ARP_TRUNCATED;
	cur_init(&c, frame + p->l2_off, p->cap_len - p->l2_off);
	/* Fixed part: htype, ptype, hlen, plen, op. */
	htype = cur_be16(&c);
	ptype = cur_be16(&c);
	hlen = cur_u8(&c);
	plen = cur_u8(&c);
	op = cur_be16(&c);
	if (c.err)
		return DEC_ARP_TRUNCATED;
	if (htype != ARP_HTYPE_ETH || ptype != ARP_PTYPE_IP)
		return DEC_ARP_NONE;
	if (hlen != 6 || plen != 4)
		return DEC_ARP_INVALID;
	cur_copy(&c, out->sha, 6);
	cur_copy(&c, spa, 4);
	cur_copy(&c, tha, 6);
	cur_copy(&c, tpa, 4);
	if (c.err) {
		memset(out, 0, sizeof(*out));
		return DEC_ARP_TRUNCATED;
	}
	out->op = op;
	if (p->l2_type == DEC_ETH_RARP)
		return op == ARP_OP_REQUEST_REV ? DEC_ARP_RARP : DEC_ARP_NONE;
	if ((op != ARP_OP_REQUEST && op != ARP_OP_REPLY) || memcmp(spa, tpa, 4) != 0 ||
	    (spa[0] | spa[1] | spa[2] | spa[3]) == 0)
		return DEC_ARP_NONE;
	/* A GARP sent for someone else (a proxy) does not name the VM. */
	if (p->has_mac && memcmp(p->smac, out->sha, 6) != 0)
		return DEC_ARP_NONE;
	out->ip.family = 4;
	memcpy(out->ip.a, spa, 4);
	return DEC_ARP_GARP;
}
