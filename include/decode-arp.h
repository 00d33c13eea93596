/* decode-arp.h - the VM's announces in a decoded frame: RARP (QEMU) and gratuitous ARP (the guest). */
#ifndef MM_DECODE_ARP_H
#define MM_DECODE_ARP_H

#include <stdint.h>

#include "decode.h"

#define DEC_ETH_ARP  0x0806
#define DEC_ETH_RARP 0x8035

/* What dec_arp found; negative values are damage, counted by the caller. */
enum dec_arp_result {
	DEC_ARP_TRUNCATED = -2,  /* the capture ends inside the ARP header or its addresses */
	DEC_ARP_INVALID = -1,    /* an Ethernet/IPv4 ARP whose address lengths lie */
	DEC_ARP_NONE = 0,        /* not ARP/RARP, or an ordinary request/reply */
	DEC_ARP_RARP = 1,        /* RARP reverse request (opcode 3): QEMU's announce */
	DEC_ARP_GARP = 2,        /* gratuitous ARP: sender IP == target IP, not 0 */
};

struct dec_arp {
	uint16_t op;
	uint8_t sha[6];          /* sender hardware address: the VM's MAC */
	struct dec_addr ip;      /* GARP: the address announced (family 4); RARP: family 0 */
};

/*
 * Reads the ARP or RARP message (RFC 826, RFC 903) of a frame that
 * dec_frame decoded into *p (`frame` is the same buffer; only
 * frame[p->l2_off .. p->cap_len) is read, through the cursor).  An
 * announce is a RARP reverse request (QEMU's qemu_announce_self), or a
 * gratuitous ARP (RFC 5227 section 3: sender and target protocol address
 * equal and not 0) whose sender hardware address is the frame's source
 * MAC when the link layer names one.  Fills *out for RARP and GARP.
 */
enum dec_arp_result dec_arp(const struct dec_pkt *p, const uint8_t *frame, struct dec_arp *out);

#endif
