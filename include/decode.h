/* decode.h - one captured frame into a parsed view: link layer, IP, TCP, ICMP, tunnels. */
#ifndef MM_DECODE_H
#define MM_DECODE_H

#include <stdint.h>
#include <stddef.h>

/*
 * Outcome of decoding one frame.  Only DEC_OK frames carry a usable L4
 * view; every other outcome is counted by the caller under its own name.
 */
enum dec_status {
	DEC_OK = 0,      /* TCP, UDP or ICMP header decoded (see proto) */
	DEC_TRUNCATED,   /* caplen ends inside a header we needed */
	DEC_INVALID,     /* a header lies: bad version, IHL < 5, doff < 5, length field out of range */
	DEC_NOT_IP,      /* ARP, LLDP, ... : no IP header at all */
	DEC_FRAGMENT,    /* IPv4/IPv6 fragment other than a complete datagram: not decoded further */
	DEC_OTHER_PROTO, /* IP, but an L4 protocol we do not decode (OSPF, ESP, ...) */
	DEC_UNSUPPORTED_LINK, /* a DLT the decoder does not know */
	DEC_STATUS_COUNT
};

/* Stable lower-case name of a status ("ok", "truncated", ...), for reports. */
const char *dec_status_name(enum dec_status s);

enum dec_tunnel {
	DEC_TUN_NONE = 0,
	DEC_TUN_VXLAN,   /* UDP 4789, RFC 7348 */
	DEC_TUN_GENEVE,  /* UDP 6081, RFC 8926 */
	DEC_TUN_GRE,     /* IP proto 47, RFC 2784/2890, incl. Ethernet-over-GRE (0x6558) */
};

/* An IPv4 or IPv6 address; IPv4 lives in a[0..3], the rest is zero. */
struct dec_addr {
	uint8_t family;  /* 4 or 6 */
	uint8_t a[16];
};

/* TCP flag bits as on the wire (RFC 9293). */
#define DEC_TCP_FIN 0x01
#define DEC_TCP_SYN 0x02
#define DEC_TCP_RST 0x04
#define DEC_TCP_PSH 0x08
#define DEC_TCP_ACK 0x10

struct dec_tcp {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t hdr_len;        /* data offset * 4 */
	uint32_t payload_len;    /* from the IP length: what was on the wire */
	const uint8_t *payload;  /* first payload byte inside the captured data */
	uint32_t payload_cap;    /* payload bytes actually captured (<= payload_len) */
};

struct dec_udp {
	uint16_t sport, dport;
};

enum dec_echo {
	DEC_ECHO_NONE = 0,   /* ICMP, but not an echo message */
	DEC_ECHO_REQUEST,    /* ICMP type 8 / ICMPv6 type 128 */
	DEC_ECHO_REPLY,      /* ICMP type 0 / ICMPv6 type 129 */
};

struct dec_icmp {
	uint8_t type, code;
	enum dec_echo echo;
	uint16_t id, seq;        /* valid when echo != DEC_ECHO_NONE */
};

/*
 * The parsed view of a frame.  Addresses, lengths and L4 fields describe
 * the innermost IP packet (the one inside any tunnel); `tunnel` names the
 * outermost tunnel that was crossed.  Pointers point into the caller's
 * frame buffer and live as long as it does.
 */
struct dec_pkt {
	enum dec_status status;
	uint32_t wire_len;       /* pkthdr.len */
	uint32_t cap_len;        /* pkthdr.caplen */
	uint16_t vlan_depth;     /* 802.1Q/802.1ad tags crossed (all layers) */
	uint8_t tunnel;          /* enum dec_tunnel */
	uint8_t tunnel_depth;
	uint8_t ip_ver;          /* 4 or 6; 0 when status is NOT_IP/UNSUPPORTED_LINK */
	uint8_t proto;           /* final L4 protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6) */
	uint8_t ip_len_derived;  /* 1: IP length 0 or TSO/jumbo, derived from the frame length */
	uint32_t ifindex;        /* interface index from a Linux cooked v2 header (-i any); 0 when none */
	uint8_t has_mac;         /* 1: the innermost link header named a 6-byte source address */
	uint8_t smac[6];         /* that address: Ethernet source, or a cooked v1/v2 header's address */
	uint16_t l2_type;        /* the innermost ethertype when it is not IP (ARP, RARP, ...); 0 otherwise */
	uint32_t l2_off;         /* frame offset of the payload of that ethertype (decode-arp.h reads it) */
	struct dec_addr src, dst;
	uint32_t ip_off;         /* offset of the innermost IP header in the frame */
	uint32_t ip_len;         /* IPv4 total length / IPv6 payload length + 40 (incl. ext headers) */
	uint32_t ip_hdr_len;     /* IPv4 IHL*4 / 40 + extension headers */
	struct dec_tcp tcp;      /* proto == 6 */
	struct dec_udp udp;      /* proto == 17 and not a tunnel we followed */
	struct dec_icmp icmp;    /* proto == 1 or 58 */
};

/*
 * Longest frame length (pkthdr.len) believed: Linux BIG TCP sends GSO
 * frames of up to 512 KiB; a record claiming more is lying, and would
 * otherwise add gigabytes of "payload" from a 54-byte capture.
 */
#define DEC_MAX_WIRE_LEN (1u << 20)

/*
 * Decodes one frame of link type `dlt` (a DLT_* value: EN10MB, LINUX_SLL,
 * LINUX_SLL2, RAW, IPV4, IPV6, NULL, LOOP).  Reads only data[0..caplen);
 * wire_len is pkthdr.len (over DEC_MAX_WIRE_LEN: DEC_INVALID).  Fills *out completely (status included) and
 * returns out->status.  Never fails otherwise; never reads past caplen.
 * Tunnels (VXLAN, GENEVE, GRE) are followed up to a fixed depth.
 */
enum dec_status dec_frame(int dlt, const uint8_t *data, uint32_t caplen,
			  uint32_t wire_len, struct dec_pkt *out);

/* 1 when the decoder knows link type `dlt`. */
int dec_link_supported(int dlt);

/* Formats an address ("10.0.0.1", "fd00::1") into buf (>= 46 bytes). */
const char *dec_addr_str(const struct dec_addr *a, char *buf, size_t n);

/* Total order on addresses (family first); 0 when equal. */
int dec_addr_cmp(const struct dec_addr *a, const struct dec_addr *b);

#endif
