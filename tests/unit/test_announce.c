/* test_announce.c - RARP/GARP decoding (decode-arp.c) and the announce stage (announce.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <pcap/dlt.h>

#include "announce.h"
#include "decode-arp.h"

#define MS (1000000LL)

static const uint8_t vm_mac[6] = { 0x52, 0x54, 0, 0, 0, 1 };
static const uint8_t other_mac[6] = { 0x02, 0, 0, 0, 0, 9 };

struct frame {
	uint8_t b[128];
	size_t n;
};

static void put(struct frame *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void put16(struct frame *f, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(f, x, 2);
}

/* Ethernet with `tags` VLAN tags, then an ARP/RARP body (RFC 826 layout). */
static struct frame arp_frame(uint16_t type, int tags, const uint8_t *src, uint16_t op, const uint8_t *sha,
			      const uint8_t spa[4], const uint8_t tpa[4], uint8_t hlen)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct frame f;
	int i;

	memset(&f, 0, sizeof(f));
	put(&f, bcast, 6);
	put(&f, src, 6);
	for (i = 0; i < tags; i++) {
		put16(&f, i == 0 && tags == 2 ? 0x88a8 : 0x8100);
		put16(&f, 100);
	}
	put16(&f, type);
	put16(&f, 1);
	put16(&f, 0x0800);
	f.b[f.n++] = hlen;
	f.b[f.n++] = 4;
	put16(&f, op);
	put(&f, sha, 6);
	put(&f, spa, 4);
	put(&f, sha, 6);
	put(&f, tpa, 4);
	return f;
}

static int arp_of(const struct frame *f, uint32_t caplen, struct dec_arp *a, struct dec_pkt *p)
{
	dec_frame(DLT_EN10MB, f->b, caplen, (uint32_t)(f->n < 60 ? 60 : f->n), p);
	return dec_arp(p, f->b, a);
}

static void test_rarp_garp(void **state)
{
	static const uint8_t ip[4] = { 10, 1, 1, 11 }, zero[4] = { 0 }, ip2[4] = { 10, 1, 1, 12 };
	struct dec_arp a;
	struct dec_pkt p;
	struct frame f;

	(void)state;
	/* QEMU's announce: RARP reverse request, addresses 0. */
	f = arp_frame(0x8035, 0, vm_mac, 3, vm_mac, zero, zero, 6);
	assert_int_equal(arp_of(&f, (uint32_t)f.n, &a, &p), DEC_ARP_RARP);
	assert_int_equal(p.status, DEC_NOT_IP);
	assert_memory_equal(a.sha, vm_mac, 6);
	assert_memory_equal(p.smac, vm_mac, 6);
	assert_int_equal(a.ip.family, 0);
	/* A RARP reply is not an announce; nor is an ordinary ARP request, nor a probe (sender 0). */
	f = arp_frame(0x8035, 0, vm_mac, 4, vm_mac, zero, zero, 6);
	assert_int_equal(arp_of(&f, (uint32_t)f.n, &a, &p), DEC_ARP_NONE);
	f = arp_frame(0x0806, 0, vm_mac, 1, vm_mac, ip, ip2, 6);
	assert_int_equal(arp_of(&f, (uint32_t)f.n, &a, &p), DEC_ARP_NONE);
	f = arp_frame(0x0806, 0, vm_mac, 1, vm_mac, zero, zero, 6);
	assert_int_equal(arp_of(&f, (uint32_t)f.n, &a, &p), DEC_ARP_NONE);
	/* Gratuitous: sender IP == target IP, request or reply, from the VM's own MAC. */
	f = arp_frame(0x0806, 0, vm_mac, 1, vm_mac, ip, ip, 6);
	assert_int_equal(arp_of(&f, (uint32_t)f.n, &a, &p), DEC_ARP_GARP);
	assert_int_equal(a.ip.family, 4);
	assert_memory_equal(a.ip.a, ip, 4);
	f = arp_frame(0x0806, 0, vm_mac, 2, vm_mac, ip, ip, 6);
	assert_int_equal(arp_of(&f, (uint32_t)f.n, &a, &p), DEC_ARP_GARP);
	/* ... sent by someone else for it (a proxy): not the VM's. */
	f = arp_frame(0x0806, 0, other_mac, 1, vm_mac, ip, ip, 6);
	assert_int_equal(arp_of(&f, (uint32_t)f.n, &a, &p), DEC_ARP_NONE);
}

static void test_vlan_and_cooked(void **state)
{
	static const uint8_t zero[4] = { 0 };
	struct dec_arp a;
	struct dec_pkt p;
	struct frame f, c;

	(void)state;
	f = arp_frame(0x8035, 1, vm_mac, 3, vm_mac, zero, zero, 6);
	assert_int_equal(arp_of(&f, (uint32_t)f.n, &a, &p), DEC_ARP_RARP);
	assert_int_equal(p.vlan_depth, 1);
	f = arp_frame(0x8035, 2, vm_mac, 3, vm_mac, zero, zero, 6);
	assert_int_equal(arp_of(&f, (uint32_t)f.n, &a, &p), DEC_ARP_RARP);
	assert_int_equal(p.vlan_depth, 2);
	assert_memory_equal(a.sha, vm_mac, 6);
	/* Linux cooked v2 (-i any): protocol, ifindex, the sender's address, then the RARP. */
	memset(&c, 0, sizeof(c));
	put16(&c, 0x8035);
	put16(&c, 0);
	c.b[c.n + 3] = 7;
	c.n += 4;
	put16(&c, 1);
	c.b[c.n++] = 0;
	c.b[c.n++] = 6;
	put(&c, vm_mac, 6);
	c.n += 2;
	put(&c, f.b + 22, 28);
	dec_frame(DLT_LINUX_SLL2, c.b, (uint32_t)c.n, (uint32_t)c.n, &p);
	assert_int_equal(p.ifindex, 7);
	assert_int_equal(p.has_mac, 1);
	assert_memory_equal(p.smac, vm_mac, 6);
	assert_int_equal(dec_arp(&p, c.b, &a), DEC_ARP_RARP);

	/* Inside VXLAN (RFC 7348): the inner frame's source MAC and RARP. */
	memset(&c, 0, sizeof(c));
	put(&c, other_mac, 6);
	put(&c, other_mac, 6);
	put16(&c, 0x0800);
	put16(&c, 0x4500);
	put16(&c, (uint16_t)(20 + 8 + 8 + 14 + 28));
	c.n += 4;
	put16(&c, 0x4011);	/* TTL 64, UDP */
	c.n += 10;		/* checksum, addresses */
	put16(&c, 55555);
	put16(&c, 4789);
	put16(&c, (uint16_t)(8 + 8 + 14 + 28));
	c.n += 2;
	put16(&c, 0x0800);
	c.n += 6;
	f = arp_frame(0x8035, 0, vm_mac, 3, vm_mac, zero, zero, 6);
	put(&c, f.b, 14 + 28);
	dec_frame(DLT_EN10MB, c.b, (uint32_t)c.n, (uint32_t)c.n, &p);
	assert_int_equal(p.tunnel, DEC_TUN_VXLAN);
	assert_memory_equal(p.smac, vm_mac, 6);
	assert_int_equal(dec_arp(&p, c.b, &a), DEC_ARP_RARP);
	assert_memory_equal(a.sha, vm_mac, 6);
}

/* Damage: cut inside the header or the addresses, address lengths that lie, an offset past the capture. */
static void test_damaged(void **state)
{
	static const uint8_t zero[4] = { 0 };
	struct dec_arp a;
	struct dec_pkt p;
	struct frame f;

	(void)state;
	f = arp_frame(0x8035, 0, vm_mac, 3, vm_mac, zero, zero, 6);
	assert_int_equal(arp_of(&f, 14 + 5, &a, &p), DEC_ARP_TRUNCATED);
	assert_int_equal(arp_of(&f, 14 + 27, &a, &p), DEC_ARP_TRUNCATED);
	f = arp_frame(0x8035, 0, vm_mac, 3, vm_mac, zero, zero, 200);
	assert_int_equal(arp_of(&f, (uint32_t)f.n, &a, &p), DEC_ARP_INVALID);
	f = arp_frame(0x8035, 0, vm_mac, 3, vm_mac, zero, zero, 6);
	arp_of(&f, (uint32_t)f.n, &a, &p);
	p.l2_off = 1000;
	assert_int_equal(dec_arp(&p, f.b, &a), DEC_ARP_TRUNCATED);
	assert_int_equal(dec_arp(&p, NULL, &a), DEC_ARP_TRUNCATED);
	p.l2_type = 0x0800;
	assert_int_equal(dec_arp(&p, f.b, &a), DEC_ARP_NONE);
}

/* An echo reply from the VM's MAC, as decode would give it. */
static struct dec_pkt reply_from(const uint8_t mac[6], uint8_t ip)
{
	struct dec_pkt p;

	memset(&p, 0, sizeof(p));
	p.status = DEC_OK;
	p.proto = 1;
	p.icmp.echo = DEC_ECHO_REPLY;
	p.has_mac = 1;
	memcpy(p.smac, mac, 6);
	p.src.family = 4;
	p.src.a[0] = 10;
	p.src.a[3] = ip;
	return p;
}

static void feed_arp(struct ann_table *at, uint16_t type, uint16_t op, int64_t ts)
{
	static const uint8_t ip[4] = { 10, 1, 1, 11 }, zero[4] = { 0 };
	struct frame f = type == 0x8035 ? arp_frame(type, 0, vm_mac, op, vm_mac, zero, zero, 6) :
					  arp_frame(type, 0, vm_mac, op, vm_mac, ip, ip, 6);
	struct dec_pkt p;

	dec_frame(DLT_EN10MB, f.b, (uint32_t)f.n, (uint32_t)f.n, &p);
	ann_frame(at, &p, f.b, 3, ts);
}

/* The stage: the VM's last reply before each announce, its first reply and frame after. */
static void test_stage(void **state)
{
	struct ann_cfg cfg = { 0, 0 };
	struct ann_table *at = ann_new(&cfg);
	struct dec_pkt r = reply_from(vm_mac, 11), o = reply_from(other_mac, 99);
	const struct ann_event *e;
	struct ann_stats st;
	struct frame bad;

	(void)state;
	assert_non_null(at);
	ann_frame(at, &r, NULL, 0, 100 * MS);
	ann_frame(at, &o, NULL, 0, 150 * MS);
	feed_arp(at, 0x8035, 3, 200 * MS);
	feed_arp(at, 0x8035, 3, 250 * MS);
	feed_arp(at, 0x0806, 1, 260 * MS);	/* the guest's GARP: its first frame */
	ann_frame(at, &o, NULL, 0, 270 * MS);
	ann_frame(at, &r, NULL, 0, 300 * MS);
	ann_frame(at, &r, NULL, 0, 310 * MS);
	bad = arp_frame(0x8035, 0, vm_mac, 3, vm_mac, (const uint8_t *)"\0\0\0", (const uint8_t *)"\0\0\0", 6);
	{
		struct dec_pkt p;

		dec_frame(DLT_EN10MB, bad.b, 20, 60, &p);
		ann_frame(at, &p, bad.b, 0, 320 * MS);
	}
	assert_int_equal(ann_count(at), 3);
	e = ann_get(at, 0);
	assert_int_equal(e->ts, 200 * MS);
	assert_int_equal(e->how, ANN_RARP);
	assert_int_equal(e->view, 3);
	assert_memory_equal(e->mac, vm_mac, 6);
	assert_int_equal(e->last_reply_before, 100 * MS);
	assert_int_equal(e->reply_ip.a[3], 11);
	assert_int_equal(e->first_frame_after, 260 * MS);
	assert_int_equal(e->first_reply_after, 300 * MS);
	e = ann_get(at, 2);
	assert_int_equal(e->how, ANN_GARP);
	assert_int_equal(e->ip.a[3], 11);
	assert_int_equal(e->first_frame_after, 300 * MS);
	assert_null(ann_get(at, 3));
	ann_get_stats(at, &st);
	assert_int_equal(st.rarp, 2);
	assert_int_equal(st.garp, 1);
	assert_int_equal(st.damaged, 1);
	assert_string_equal(ann_how_name(ANN_GARP), "garp");
	ann_free(at);
	ann_free(NULL);
}

/* Caps: announces past max_events are counted, MACs past max_macs are not followed. */
static void test_caps(void **state)
{
	struct ann_cfg cfg = { 2, 1 };
	struct ann_table *at = ann_new(&cfg);
	struct dec_pkt o = reply_from(other_mac, 99);
	struct ann_stats st;
	int i;

	(void)state;
	assert_non_null(at);
	for (i = 0; i < 4; i++)
		feed_arp(at, 0x8035, 3, (100 + i) * MS);
	ann_frame(at, &o, NULL, 0, 200 * MS);
	/* A frame far back in time fills nothing. */
	feed_arp(at, 0x0806, 1, 1 * MS);
	ann_get_stats(at, &st);
	assert_int_equal(ann_count(at), 2);
	assert_int_equal(st.not_kept, 3);
	assert_int_equal(st.macs_not_followed, 1);
	assert_int_equal(ann_get(at, 0)->first_frame_after, MM_NS_NONE);
	ann_free(at);
}

/*
 * Retention: 200,000 announces (3 times the old cap) fed in rounds, the
 * ones before each round let go: every later one kept, chains intact
 * (the VM's frames after an announce still fill it), memory shrinks.
 */
static void test_forget_before(void **state)
{
	struct ann_cfg cfg = { 0, 0 };
	struct ann_table *at = ann_new(&cfg);
	struct dec_pkt r = reply_from(vm_mac, 11);
	struct ann_stats st;
	int64_t t = 1000 * MS;
	size_t total = 0, forgot = 0;
	int round, i;

	(void)state;
	assert_non_null(at);
	assert_int_equal(ann_forget_before(at, 5 * MS), 0);
	for (round = 0; round < 2000; round++) {
		for (i = 0; i < 100; i++, t += 10 * MS)
			feed_arp(at, 0x8035, 3, t);
		total += 100;
		/* keep the last 50 announces of the round */
		forgot += ann_forget_before(at, t - 50 * 10 * MS);
		assert_int_equal(ann_count(at), 50);
		assert_int_equal(ann_get(at, 0)->ts, t - 50 * 10 * MS);
	}
	assert_int_equal(forgot, total - 50);
	/* the latest chain still works: a reply fills every kept announce not filled yet */
	ann_frame(at, &r, NULL, 0, t);
	for (i = 0; i < 50; i++)
		assert_int_equal(ann_get(at, (size_t)i)->first_reply_after, t);
	ann_get_stats(at, &st);
	assert_int_equal(st.rarp, total);
	assert_int_equal(st.not_kept, 0);
	assert_int_equal(st.forgotten, forgot);
	/* later announces are kept again, none past a cap */
	feed_arp(at, 0x8035, 3, t + MS);
	assert_int_equal(ann_count(at), 51);
	assert_int_equal(ann_get(at, 50)->first_reply_after, MM_NS_NONE);
	assert_int_equal(ann_forget_before(at, t + 2 * MS), 51);
	assert_int_equal(ann_count(at), 0);
	ann_free(at);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forget_before),
		cmocka_unit_test(test_rarp_garp),
		cmocka_unit_test(test_vlan_and_cooked),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_stage),
		cmocka_unit_test(test_caps),
	};

	return cmocka_run_group_tests_name("announce", tests, NULL, NULL);
}
