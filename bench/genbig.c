/* genbig.c - writes a large synthetic migration capture for the benchmarks (deterministic). */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int main(int argc, char **argv)
{
	uint8_t f[128];
	struct pcap_pkthdr h;
	pcap_t *p;
	pcap_dumper_t *d;
	unsigned long i, n;
	uint32_t seq[8];
	unsigned k;

	if (argc != 3) {
		fprintf(stderr, "usage: genbig FILE FRAMES\n");
		return 2;
	}
	n = strtoul(argv[2], NULL, 10);
	p = pcap_open_dead(DLT_EN10MB, 128);
	d = pcap_dump_open(p, argv[1]);
	if (!d) {
		fprintf(stderr, "genbig: %s\n", pcap_geterr(p));
		return 1;
	}
	for (k = 0; k < 8; k++)
		seq[k] = 1000u * k;
	for (i = 0; i < n; i++) {
		/* 8 flows (a memory stream and 7 multifd channels), 1448-byte segments, an ACK every 4th frame */
		int ack = (i % 4) == 3;
		uint32_t len = ack ? 0 : 1448;

		k = (unsigned)(i % 8);
		memset(f, 0, sizeof(f));
		memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00", 14);
		f[14] = 0x45;
		be16(f + 16, (uint16_t)(40 + len));
		f[22] = 64;
		f[23] = 6;
		be32(f + 26, ack ? 0x0a000002 : 0x0a000001);
		be32(f + 30, ack ? 0x0a000001 : 0x0a000002);
		be16(f + 34, ack ? (uint16_t)(49152 + k) : (uint16_t)(40000 + k));
		be16(f + 36, ack ? (uint16_t)(40000 + k) : (uint16_t)(49152 + k));
		be32(f + 38, ack ? 1 : seq[k]);
		f[46] = 0x50;
		f[47] = 0x10;
		if (!ack)
			seq[k] += len;
		h.ts.tv_sec = 1700000000 + (time_t)(i / 1000000);
		h.ts.tv_usec = (suseconds_t)(i % 1000000);
		h.len = 14 + 40 + len;
		h.caplen = h.len < 128 ? h.len : 128;
		pcap_dump((u_char *)d, &h, f);
	}
	pcap_dump_close(d);
	pcap_close(p);
	return 0;
}
