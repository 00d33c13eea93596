/* test_bpfmemo.c - the memoised filter answers exactly what pcap_offline_filter answers, frame by frame. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bpfmemo.h"

/* The shipped filters as migmeter builds them (the files in bpf/, alternatives ORed). */
#define MIG "(tcp portrange 49152-49261) or (ip6 protochain 6 and not ip6 proto 6) or " \
	    "(vlan and tcp portrange 49152-49261) or (vlan and tcp portrange 49152-49261) or " \
	    "(vlan and tcp portrange 49152-49261)"
#define ICMP "(icmp[icmptype] == icmp-echo or icmp[icmptype] == icmp-echoreply) or " \
	     "(icmp6 and (icmp6[icmp6type] == icmp6-echo or icmp6[icmp6type] == icmp6-echoreply)) or " \
	     "(ip6 protochain 58 and not ip6 proto 58) or " \
	     "(udp port 4789 or udp port 6081 or ip proto gre or ip6 proto gre) or " \
	     "(vlan and (icmp[icmptype] == icmp-echo or icmp[icmptype] == icmp-echoreply or icmp6 or " \
	     "udp port 4789 or udp port 6081 or ip proto gre))"

static const char *const exprs[] = {
	MIG, ICMP, "tcp portrange 49152-49261", "len > 100 and tcp", "tcp[tcpflags] & tcp-syn != 0",
	"ip[2:2] > 60 or ip6", "udp and ip[6:2] & 0x1fff = 0",
};

static uint64_t rng = 0x2545F4914F6CDD1DULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Base frames: IPv4 TCP into the range and out of it, IPv6 TCP with a hop-by-hop header, VLAN TCP, ICMP echo, VXLAN. */
static size_t base(unsigned which, uint8_t *f)
{
	static const uint8_t eth4[] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00 };
	static const uint8_t eth6[] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd };
	size_t o;

	memset(f, 0, 160);
	switch (which % 6) {
	case 0:
	case 1:
		memcpy(f, eth4, 14);
		f[14] = 0x45, f[16] = 0, f[17] = 140, f[23] = 6;
		f[34] = 0x9c, f[35] = 0x40;			/* 40000 */
		f[36] = 0xc0, f[37] = which % 6 ? 0x10 : 0x00;	/* 49168 / 49152 */
		f[46] = 0x50, f[47] = 0x10;
		return 154;
	case 2:
		memcpy(f, eth6, 14);
		f[14] = 0x60, f[18] = 0, f[19] = 100, f[20] = 0;	/* hop-by-hop */
		f[54] = 6, f[55] = 0;					/* next TCP, 8 bytes */
		o = 62;
		f[o] = 0x9c, f[o + 2] = 0xc0, f[o + 3] = 0x05, f[o + 12] = 0x50;
		return 154;
	case 3:
		memcpy(f, eth4, 12);
		f[12] = 0x81, f[13] = 0x00, f[16] = 0x08, f[17] = 0x00;
		f[18] = 0x45, f[21] = 120, f[27] = 6;
		f[38] = 0xc0, f[39] = 0x01, f[40] = 0x9c, f[50] = 0x50;
		return 138;
	case 4:
		memcpy(f, eth4, 14);
		f[14] = 0x45, f[17] = 84, f[23] = 1, f[34] = 8;
		return 98;
	default:
		memcpy(f, eth4, 14);
		f[14] = 0x45, f[17] = 120, f[23] = 17, f[36] = 0x12, f[37] = 0xb5;	/* 4789 */
		f[42] = 0x08;
		return 134;
	}
}

/* Random frames near real ones (a few bytes flipped, caplen and len cut): both answers agree. */
static void test_agrees_with_libpcap(void **state)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	size_t e;

	(void)state;
	assert_non_null(dead);
	for (e = 0; e < sizeof(exprs) / sizeof(exprs[0]); e++) {
		struct bpf_program prog;
		struct bpfmemo *m;
		uint64_t hits, misses;
		unsigned i;

		assert_int_equal(pcap_compile(dead, &prog, exprs[e], 1, PCAP_NETMASK_UNKNOWN), 0);
		m = bpfmemo_new(&prog);
		assert_non_null(m);
		for (i = 0; i < 200000; i++) {
			uint8_t f[160];
			struct pcap_pkthdr h;
			size_t n = base(rnd(), f);
			unsigned flips = rnd() % 4, k;

			/* most frames untouched (the memo's hits), some damaged (its misses) */
			for (k = 0; k < flips && rnd() % 3 == 0; k++)
				f[rnd() % 72] = (uint8_t)rnd();
			memset(&h, 0, sizeof(h));
			h.len = (uint32_t)n + (rnd() % 8 == 0 ? rnd() % 1000 : 0);
			h.caplen = rnd() % 6 == 0 ? rnd() % (uint32_t)(n + 1) : (uint32_t)n;
			assert_int_equal(bpfmemo_filter(m, &h, f) != 0, pcap_offline_filter(&prog, &h, f) != 0);
		}
		bpfmemo_stats(m, &hits, &misses);
		assert_true(hits > misses);	/* it does remember */
		bpfmemo_free(m);
		pcap_freecode(&prog);
	}
	pcap_close(dead);
}

/* A scan (every frame new) makes the memo step aside; answers stay right. */
static void test_scan_steps_aside(void **state)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	struct bpf_program prog;
	struct bpfmemo *m;
	uint64_t hits, misses;
	unsigned i;

	(void)state;
	assert_int_equal(pcap_compile(dead, &prog, MIG, 1, PCAP_NETMASK_UNKNOWN), 0);
	m = bpfmemo_new(&prog);
	assert_non_null(m);
	for (i = 0; i < 200000; i++) {
		uint8_t f[160];
		struct pcap_pkthdr h;

		memset(&h, 0, sizeof(h));
		h.len = h.caplen = (uint32_t)base(0, f);
		f[34] = (uint8_t)(i >> 8), f[35] = (uint8_t)i;
		f[36] = (uint8_t)(0xbf + (i >> 16) % 2);
		assert_int_equal(bpfmemo_filter(m, &h, f) != 0, pcap_offline_filter(&prog, &h, f) != 0);
	}
	bpfmemo_stats(m, &hits, &misses);
	assert_true(misses < 40000);	/* most of the scan went straight to libpcap */
	bpfmemo_free(m);
	pcap_freecode(&prog);
	pcap_close(dead);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agrees_with_libpcap),
		cmocka_unit_test(test_scan_steps_aside),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
