/* genbig.c - writes large synthetic captures for the benchmarks and the memory checks (deterministic). */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Modes:
 *   big  FILE FRAMES    a migration: a QEMU memory stream and 7 multifd channels
 *                       (handshake, 64 KB GSO/TSO frames and 1514-byte frames,
 *                       ACKs in reverse), an echo stream every 1 ms with a 300 ms
 *                       outage, and noise (HTTPS, DNS, SSH) outside the port range;
 *                       one frame every 10 us.
 *   scan FILE FLOWS     a port scan: one SYN per distinct flow, all to port 49152.
 *   ping FILE REQUESTS  a long `ping -i 0.001`: request + reply every 1 ms, one
 *                       2 s outage every 10 minutes; the sequence wraps every 65 s.
 * Every frame is written with snap length 128, as `tcpdump -s 128` would.
 */

#define SNAP 128
#define NMIG 8

struct gen {
	pcap_dumper_t *d;
	uint8_t f[SNAP];
	uint64_t t_us;		/* current time, microseconds since the epoch */
	unsigned long frames;
};

static void be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
	be16(p, (uint16_t)(v >> 16));
	be16(p + 2, (uint16_t)v);
}

/* Ethernet + IPv4 header for protocol `proto` carrying `l4len` bytes; returns the L4 offset. */
static size_t ip4(struct gen *g, uint32_t src, uint32_t dst, uint8_t proto, uint32_t l4len, int tso)
{
	uint8_t *f = g->f;

	memset(f, 0, SNAP);
	memcpy(f, "\x52\x54\0\0\0\x02\x52\x54\0\0\0\x01\x08\x00", 14);
	f[14] = 0x45;
	/* A GSO/TSO super-frame larger than 64 KB says total length 0 (as Linux big TCP). */
	be16(f + 16, tso && 20 + l4len > 0xffff ? 0 : (uint16_t)(20 + l4len));
	f[20] = 0x40;		/* DF */
	f[22] = 64;
	f[23] = proto;
	be32(f + 26, src);
	be32(f + 30, dst);
	return 34;
}

static void emit(struct gen *g, uint32_t wire_len)
{
	struct pcap_pkthdr h;

	h.ts.tv_sec = (time_t)(g->t_us / 1000000);
	h.ts.tv_usec = (suseconds_t)(g->t_us % 1000000);
	h.len = wire_len;
	h.caplen = wire_len < SNAP ? wire_len : SNAP;
	pcap_dump((u_char *)g->d, &h, g->f);
	g->frames++;
}

/* A TCP segment with the timestamp option (32-byte header, as Linux sends). */
static void tcp(struct gen *g, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		uint32_t seq, uint32_t ack, uint8_t flags, uint32_t payload, const char *magic)
{
	size_t o = ip4(g, src, dst, 6, 32 + payload, 1);
	uint8_t *f = g->f;

	be16(f + o, sport);
	be16(f + o + 2, dport);
	be32(f + o + 4, seq);
	be32(f + o + 8, ack);
	f[o + 12] = 0x80;
	f[o + 13] = flags;
	be16(f + o + 14, 502);
	memcpy(f + o + 20, "\x01\x01\x08\x0a", 4);
	be32(f + o + 24, (uint32_t)(g->t_us / 1000));
	if (magic)
		memcpy(f + o + 32, magic, 8);
	emit(g, (uint32_t)(o + 32 + payload));
}

static void icmp(struct gen *g, uint32_t src, uint32_t dst, int reply, uint16_t id, uint16_t seq)
{
	size_t o = ip4(g, src, dst, 1, 64, 0);

	g->f[o] = reply ? 0 : 8;
	be16(g->f + o + 4, id);
	be16(g->f + o + 6, seq);
	emit(g, (uint32_t)(o + 64));
}

static void udp(struct gen *g, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint32_t len)
{
	size_t o = ip4(g, src, dst, 17, 8 + len, 0);

	be16(g->f + o, sport);
	be16(g->f + o + 2, dport);
	be16(g->f + o + 4, (uint16_t)(8 + len));
	emit(g, (uint32_t)(o + 8 + len));
}

#define SRC_HOST 0x0a000001u	/* 10.0.0.1: the migration source */
#define DST_HOST 0x0a000002u	/* 10.0.0.2: the destination, listening */
#define VM       0x0a000164u	/* 10.0.1.100: the VM being pinged */
#define PINGER   0x0a000105u

static void gen_big(struct gen *g, unsigned long n)
{
	uint32_t seq[NMIG];
	unsigned data[NMIG] = { 0 };
	uint16_t ping_seq = 0;
	unsigned k;
	unsigned long i = 0;
	uint64_t t0 = g->t_us;

	/* Handshakes: the memory stream first, then the multifd channels. */
	for (k = 0; k < NMIG && g->frames + 3 <= n; k++) {
		uint16_t cport = (uint16_t)(41000 + k), lport = (uint16_t)(49152 + k);

		seq[k] = 1000000u * (k + 1);
		tcp(g, SRC_HOST, DST_HOST, cport, lport, seq[k] - 1, 0, 0x02, 0, NULL);
		g->t_us += 10;
		tcp(g, DST_HOST, SRC_HOST, lport, cport, 7, seq[k], 0x12, 0, NULL);
		g->t_us += 10;
		tcp(g, SRC_HOST, DST_HOST, cport, lport, seq[k], 8, 0x10, 0, NULL);
		g->t_us += 10;
	}
	while (g->frames < n) {
		unsigned slot = (unsigned)(i % 100);
		uint64_t rel = g->t_us - t0;

		if (slot == 0) {
			icmp(g, PINGER, VM, 0, 0x4d4d, ping_seq);
		} else if (slot == 20) {
			/* 300 ms outage 8 s in: the VM is paused and moved. */
			if (rel < 8000000 || rel >= 8300000)
				icmp(g, VM, PINGER, 1, 0x4d4d, ping_seq);
			ping_seq++;
		} else if (slot % 25 == 7) {
			/* noise: HTTPS and SSH outside the range, both ways */
			tcp(g, 0x0a000009u, 0x0a000001u, (uint16_t)(slot & 1 ? 443 : 22), 52000,
			    (uint32_t)i * 100u, 1, 0x18, 100, NULL);
		} else if (slot % 25 == 13) {
			udp(g, 0x0a000001u, 0x0a000035u, (uint16_t)(33000 + (i / 100) % 1000), 53, 40);
		} else {
			k = (unsigned)(i % NMIG);
			if (data[k] % 3 == 2) {
				/* the receiver's ACK */
				tcp(g, DST_HOST, SRC_HOST, (uint16_t)(49152 + k), (uint16_t)(41000 + k),
				    8, seq[k], 0x10, 0, NULL);
			} else {
				/* GSO/TSO super-frames (64 KB) and wire-sized 1514-byte frames alternate */
				uint32_t len = (data[k] & 1) ? 1448 : 65160;
				const char *magic = NULL;

				if (seq[k] == 1000000u * (k + 1))
					magic = k == 0 ? "QEVM\0\0\0\3" : "\x11\x22\x33\x44\0\0\0\1";
				tcp(g, SRC_HOST, DST_HOST, (uint16_t)(41000 + k), (uint16_t)(49152 + k),
				    seq[k], 8, 0x10, len, magic);
				seq[k] += len;
			}
			data[k]++;
		}
		g->t_us += 10;
		i++;
	}
}

static void gen_scan(struct gen *g, unsigned long n)
{
	unsigned long i;

	/* 1M scanners hitting one listening port: every SYN is a new flow. */
	for (i = 0; i < n; i++) {
		uint32_t src = 0x0b000000u + (uint32_t)(i / 16);

		tcp(g, src, DST_HOST, (uint16_t)(40000 + i % 16), 49152, (uint32_t)i, 0, 0x02, 0, NULL);
		g->t_us += 1;
	}
}

static void gen_ping(struct gen *g, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		uint64_t t = g->t_us;

		icmp(g, PINGER, VM, 0, 0x1234, (uint16_t)i);
		/* a 2 s outage every 10 minutes, 5 minutes in */
		if ((i + 300000) % 600000 >= 2000) {
			g->t_us += 150;
			icmp(g, VM, PINGER, 1, 0x1234, (uint16_t)i);
		}
		g->t_us = t + 1000;
	}
}

int main(int argc, char **argv)
{
	struct gen g;
	pcap_t *p;
	unsigned long n;

	if (argc != 4 || (strcmp(argv[1], "big") && strcmp(argv[1], "scan") && strcmp(argv[1], "ping"))) {
		fprintf(stderr, "usage: genbig big|scan|ping FILE COUNT\n");
		return 2;
	}
	n = strtoul(argv[3], NULL, 10);
	memset(&g, 0, sizeof(g));
	g.t_us = 1700000000ULL * 1000000ULL;
	p = pcap_open_dead(DLT_EN10MB, SNAP);
	g.d = pcap_dump_open(p, argv[2]);
	if (!g.d) {
		fprintf(stderr, "genbig: %s\n", pcap_geterr(p));
		return 1;
	}
	if (!strcmp(argv[1], "big"))
		gen_big(&g, n);
	else if (!strcmp(argv[1], "scan"))
		gen_scan(&g, n);
	else
		gen_ping(&g, n);
	pcap_dump_close(g.d);
	pcap_close(p);
	return 0;
}
