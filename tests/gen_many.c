/*
 * gen_many.c - a long experiment as one capture: N live migrations of one
 * VM back and forth between two hosts, 3 s apart, each a QEMU main stream
 * ("QEVM", 4 KiB over 8 segments, closed by FIN), the destination's
 * RARP announces (3 rounds) after the final burst, and the VM pinged every
 * 100 ms throughout; every 10th switchover loses the 2 requests around it.
 * Frames are written as they are made (no capture in memory), so N may be
 * large: the test that replay memory stays bounded uses N = 10,000.
 * For days of capture time (tests/e2e/test_longrun.sh), the spacing and
 * the ping interval can be set, and every Kth migration followed by a
 * port collision (a client's ephemeral port inside 49152-49261 to a
 * server's 443: listed, never a migration) and a SYN nobody answers.
 *
 * Usage: gen_many [-s SPACING_MS] [-p PING_MS] [-k K] [-e E] N OUT.pcap
 *        (prints: migrations N, unique bytes each, episodes E, lost requests L)
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_MS 1000000LL
#define T0 (1700000000LL * 1000000000LL)
static int64_t SPACING = 3000 * NS_PER_MS;
static int64_t PING_EVERY = 100 * NS_PER_MS;
#define SEGS 8
#define SEG_LEN 512

static pcap_dumper_t *out;
static uint8_t host_mac[2][6] = { { 0x02, 0, 0, 0, 0, 0x0a }, { 0x02, 0, 0, 0, 0, 0x0b } };
static const uint8_t vm_mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
static const uint8_t pinger_mac[6] = { 0x02, 0, 0, 0, 0, 0x0c };
static const uint8_t host_ip[2][4] = { { 10, 7, 0, 1 }, { 10, 7, 0, 2 } };
static const uint8_t vm_ip[4] = { 10, 7, 1, 10 }, pinger_ip[4] = { 10, 7, 1, 1 };

static void emit(int64_t ts, const uint8_t *f, size_t n)
{
	struct pcap_pkthdr h;

	h.ts.tv_sec = (time_t)(ts / 1000000000LL);
	h.ts.tv_usec = (suseconds_t)(ts % 1000000000LL / 1000);
	h.caplen = h.len = (uint32_t)n;
	pcap_dump((u_char *)out, &h, f);
}

static void be16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
	be16(p, v >> 16);
	be16(p + 2, v & 0xffff);
}

static unsigned csum(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* Ethernet + IPv4 header for an L4 payload of l4len bytes (already at f + 34). */
static size_t ip_frame(uint8_t *f, const uint8_t dmac[6], const uint8_t smac[6], const uint8_t s[4],
		       const uint8_t d[4], uint8_t proto, size_t l4len)
{
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	be16(f + 12, 0x0800);
	f[14] = 0x45;
	f[15] = 0;
	be16(f + 16, (unsigned)(20 + l4len));
	be16(f + 18, 0);
	be16(f + 20, 0x4000);
	f[22] = 64;
	f[23] = proto;
	be16(f + 24, 0);
	memcpy(f + 26, s, 4);
	memcpy(f + 30, d, 4);
	be16(f + 24, csum(f + 14, 20, 0));
	return 34 + l4len;
}

static const uint8_t web_ip[4] = { 10, 7, 2, 5 };

/* One TCP segment between a client port and a server port; `to_server` its direction. */
static void segment(int64_t ts, const uint8_t cip[4], const uint8_t sip[4], const uint8_t cmac[6],
		    const uint8_t smac[6], int to_server, uint16_t cport, uint16_t sport, uint32_t seq,
		    uint32_t ack, uint8_t flags, const uint8_t *pl, size_t plen)
{
	static uint8_t f[64 + SEG_LEN];
	uint8_t *t = f + 34;

	be16(t, to_server ? cport : sport);
	be16(t + 2, to_server ? sport : cport);
	be32(t + 4, seq);
	be32(t + 8, ack);
	t[12] = 5 << 4;
	t[13] = flags;
	be16(t + 14, 65535);
	be16(t + 16, 0);
	be16(t + 18, 0);
	if (plen)
		memcpy(t + 20, pl, plen);
	if (to_server)
		emit(ts, f, ip_frame(f, smac, cmac, cip, sip, 6, 20 + plen));
	else
		emit(ts, f, ip_frame(f, cmac, smac, sip, cip, 6, 20 + plen));
}

/* One TCP segment from host `from` (0/1) of migration flow (cport -> 49152). */
static void tcp(int64_t ts, int from, int src_host, uint16_t cport, uint32_t seq, uint32_t ack, uint8_t flags,
		const uint8_t *pl, size_t plen)
{
	int d = !src_host;

	segment(ts, host_ip[src_host], host_ip[d], host_mac[src_host], host_mac[d], from == src_host, cport,
		49152, seq, ack, flags, pl, plen);
}

/*
 * Host 0's HTTPS fetch from an ephemeral port inside the migration range
 * (a port collision), then a SYN of its to a migration port nobody answers.
 */
static void strays(int64_t t, long i)
{
	static const uint8_t web_mac[6] = { 0x02, 0, 0, 0, 0, 0x0d };
	static uint8_t req[200];
	uint16_t cport = (uint16_t)(49200 + i % 60);

	memset(req, 'g', sizeof(req));
	segment(t, host_ip[0], web_ip, host_mac[0], web_mac, 1, cport, 443, 100, 0, 0x02, NULL, 0);
	segment(t + 100000, host_ip[0], web_ip, host_mac[0], web_mac, 0, cport, 443, 500, 101, 0x12, NULL, 0);
	segment(t + 200000, host_ip[0], web_ip, host_mac[0], web_mac, 1, cport, 443, 101, 501, 0x18, req,
		sizeof(req));
	segment(t + 300000, host_ip[0], web_ip, host_mac[0], web_mac, 0, cport, 443, 501, 301, 0x11, NULL, 0);
	segment(t + 400000, host_ip[0], web_ip, host_mac[0], web_mac, 1, cport, 443, 301, 502, 0x11, NULL, 0);
	segment(t + 500000, host_ip[0], host_ip[1], host_mac[0], host_mac[1], 1, (uint16_t)(40000 + i % 20000),
		49160, 7, 0, 0x02, NULL, 0);
}

static void echo(int64_t ts, int reply, uint16_t seq)
{
	uint8_t f[34 + 8 + 56];
	uint8_t *e = f + 34;

	e[0] = reply ? 0 : 8;
	e[1] = 0;
	be16(e + 2, 0);
	be16(e + 4, 0x4242);
	be16(e + 6, seq);
	memset(e + 8, 0xa5, 56);
	be16(e + 2, csum(e, 64, 0));
	if (reply)
		ip_frame(f, pinger_mac, vm_mac, vm_ip, pinger_ip, 1, 64);
	else
		ip_frame(f, vm_mac, pinger_mac, pinger_ip, vm_ip, 1, 64);
	emit(ts, f, sizeof(f));
}

static void rarp(int64_t ts)
{
	uint8_t f[60] = { 0 };

	memset(f, 0xff, 6);
	memcpy(f + 6, vm_mac, 6);
	be16(f + 12, 0x8035);
	be16(f + 14, 1);
	be16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	be16(f + 20, 3);
	memcpy(f + 22, vm_mac, 6);
	memcpy(f + 32, vm_mac, 6);
	emit(ts, f, sizeof(f));
}

/* Pings due before `until`: a request every PING_EVERY, its reply 0.3 ms later unless lost. */
static void pings_until(int64_t until, int64_t *next, uint16_t *seq, int64_t lose_from, int64_t lose_to,
			unsigned long *lost)
{
	while (*next < until) {
		int64_t t = *next;

		echo(t, 0, *seq);
		if (t >= lose_from && t < lose_to)
			(*lost)++;
		else
			echo(t + 300000, 1, *seq);
		(*seq)++;
		*next += PING_EVERY;
	}
}

int main(int argc, char **argv)
{
	static uint8_t pl[SEG_LEN];
	pcap_t *dead;
	long n, i;
	int64_t next_ping = T0 - 50 * NS_PER_MS;
	uint16_t ping_seq = 1;
	unsigned long lost = 0, episodes = 0;
	long stray_every = 0, outage_every = 10;
	int opt;

	while ((opt = getopt(argc, argv, "s:p:k:e:")) != -1) {
		long v = strtol(optarg, NULL, 10);

		if (v <= 0)
			opt = '?';
		if (opt == 's' && v >= 1000)
			SPACING = v * NS_PER_MS;
		else if (opt == 'p' && v >= 10 && v <= 1000)
			PING_EVERY = v * NS_PER_MS;
		else if (opt == 'k')
			stray_every = v;
		else if (opt == 'e')
			outage_every = v;
		else
			argc = 0;	/* usage */
	}
	if (argc - optind != 2 || (n = strtol(argv[optind], NULL, 10)) <= 0 || n > 1000000) {
		fprintf(stderr, "usage: gen_many [-s SPACING_MS (>= 1000)] [-p PING_MS (10..1000)] [-k K] [-e E] N OUT.pcap "
			"(1 <= N <= 1000000)\n");
		return 2;
	}
	dead = pcap_open_dead(DLT_EN10MB, 65535);
	out = dead ? pcap_dump_open(dead, argv[optind + 1]) : NULL;
	if (!out) {
		fprintf(stderr, "gen_many: %s: %s\n", argv[optind + 1], dead ? pcap_geterr(dead) : "pcap_open_dead failed");
		return 1;
	}
	memset(pl, 'm', sizeof(pl));
	for (i = 0; i < n; i++) {
		int64_t t = T0 + i * SPACING, burst_end, lf = 0, lt = 0;
		int s = (int)(i % 2), d = !s;
		uint16_t cport = (uint16_t)(32768 + i % 28000);
		uint32_t cs = 1000, ss = 9000, off = 0;
		int k;

		/* the final burst ends with the last segment; the 2 requests around every 10th are lost */
		burst_end = t + 1000000 + (int64_t)(SEGS - 1) * 200000;
		if (i % outage_every == outage_every - 1) {
			lf = burst_end - 150 * NS_PER_MS;
			lt = burst_end + 50 * NS_PER_MS;
			episodes++;
		}
		pings_until(t, &next_ping, &ping_seq, lf, lt, &lost);
		tcp(t, s, s, cport, cs - 1, 0, 0x02, NULL, 0);
		tcp(t + 100000, d, s, cport, ss - 1, cs, 0x12, NULL, 0);
		tcp(t + 200000, s, s, cport, cs, ss, 0x10, NULL, 0);
		for (k = 0; k < SEGS; k++) {
			int64_t ts = t + 1000000 + (int64_t)k * 200000;

			pings_until(ts, &next_ping, &ping_seq, lf, lt, &lost);
			/* QEMU's stream opens with QEMU_VM_FILE_MAGIC and version 3 */
			memcpy(pl, k == 0 ? "QEVM\0\0\0\3" : "mmmmmmmm", 8);
			tcp(ts, s, s, cport, cs + off, ss, 0x18, pl, SEG_LEN);
			off += SEG_LEN;
			tcp(ts + 50000, d, s, cport, ss, cs + off, 0x10, NULL, 0);
		}
		tcp(burst_end + 1000000, s, s, cport, cs + off, ss, 0x11, NULL, 0);
		tcp(burst_end + 1100000, d, s, cport, ss, cs + off + 1, 0x11, NULL, 0);
		tcp(burst_end + 1200000, s, s, cport, cs + off + 1, ss + 1, 0x10, NULL, 0);
		pings_until(burst_end + 25 * NS_PER_MS, &next_ping, &ping_seq, lf, lt, &lost);
		rarp(burst_end + 25 * NS_PER_MS);
		pings_until(burst_end + 75 * NS_PER_MS, &next_ping, &ping_seq, lf, lt, &lost);
		rarp(burst_end + 75 * NS_PER_MS);
		pings_until(burst_end + 175 * NS_PER_MS, &next_ping, &ping_seq, lf, lt, &lost);
		rarp(burst_end + 175 * NS_PER_MS);
		if (stray_every && i % stray_every == stray_every - 1) {
			pings_until(burst_end + 1000 * NS_PER_MS, &next_ping, &ping_seq, lf, lt, &lost);
			strays(burst_end + 1000 * NS_PER_MS, i);
		}
	}
	pings_until(T0 + n * SPACING, &next_ping, &ping_seq, 0, 0, &lost);
	if (pcap_dump_flush(out) < 0) {
		fprintf(stderr, "gen_many: %s: write failed\n", argv[optind + 1]);
		return 1;
	}
	pcap_dump_close(out);
	pcap_close(dead);
	printf("migrations %ld, unique %d each, episodes %lu, lost %lu\n", n, SEGS * SEG_LEN, episodes, lost);
	return 0;
}
