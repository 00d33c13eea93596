/* test_flow.c - flow table: direction, collisions, retransmissions, wrap, out-of-order, kinds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "flow.h"

#include "flowtab.h"

#define MS (1000000LL)


static void feed(struct flow_table *ft, struct dec_pkt p, mm_ns ts)
{
	struct flow_verdict v;

	assert_int_equal(flow_account(ft, &p, 0, ts, &v), 0);
}

/* Handshake, data in order, close: every counter. */
static void test_handshake_and_counters(void **state)
{
	struct flow_table *ft = table(0);
	struct flow_info fi;
	struct flow_totals t;
	uint32_t isn = 1000, seq;
	int i;

	(void)state;
	memcpy(payload_buf, "QEVM\0\0\0\3", 8);
	feed(ft, tcp(1, 40000, 2, 49152, isn, DEC_TCP_SYN, 0), 0);
	feed(ft, tcp(2, 49152, 1, 40000, 5000, DEC_TCP_SYN | DEC_TCP_ACK, 0), 1 * MS);
	feed(ft, tcp(1, 40000, 2, 49152, isn + 1, DEC_TCP_ACK, 0), 2 * MS);
	seq = isn + 1;
	for (i = 0; i < 10; i++) {
		feed(ft, tcp(1, 40000, 2, 49152, seq, DEC_TCP_ACK, 1000), (3 + i) * MS);
		seq += 1000;
	}
	feed(ft, tcp(1, 40000, 2, 49152, seq, DEC_TCP_ACK | DEC_TCP_FIN, 0), 20 * MS);
	feed(ft, tcp(2, 49152, 1, 40000, 5001, DEC_TCP_ACK | DEC_TCP_FIN, 0), 21 * MS);

	assert_int_equal(flow_count(ft), 1);
	assert_int_equal(flow_get(ft, 0, &fi), 0);
	assert_int_equal(fi.cls, FLOW_MIGRATION);
	assert_int_equal(fi.kind, KIND_QEMU);
	assert_int_equal(fi.direction_inferred, 0);
	assert_int_equal(fi.client_port, 40000);
	assert_int_equal(fi.server_port, 49152);
	assert_int_equal(fi.fwd.packets, 13);
	assert_int_equal(fi.rev.packets, 2);
	assert_int_equal(fi.fwd.payload_bytes, 10000);
	assert_int_equal(fi.fwd.unique_payload_bytes, 10000);
	assert_int_equal(fi.fwd.retrans_bytes, 0);
	assert_int_equal(fi.fwd.ip_bytes, 13 * 40 + 10000);
	assert_int_equal(fi.fwd.wire_bytes, 13 * 54 + 10000);
	assert_true(fi.fwd.syn && fi.fwd.fin && !fi.fwd.rst);
	assert_true(fi.rev.syn && fi.rev.fin);
	assert_int_equal(fi.first_ts, 0);
	assert_int_equal(fi.last_ts, 21 * MS);
	assert_int_equal(fi.fwd.first_ts, 0);
	assert_int_equal(fi.fwd.last_ts, 20 * MS);

	flow_get_totals(ft, &t);
	assert_int_equal(t.flows, 1);
	assert_int_equal(t.collisions, 0);
	assert_int_equal(t.start, 0);
	assert_int_equal(t.end, 21 * MS);
	assert_int_equal(t.unique_payload_bytes, 10000);
	assert_int_equal(t.packets, 15);
	assert_int_equal(flow_get(ft, 1, &fi), -1);
	flow_table_free(ft);
}

/* A retransmission is payload and retrans, not unique; out-of-order fills count once. */
static void test_retrans_and_out_of_order(void **state)
{
	struct flow_table *ft = table(0);
	struct flow_info fi;

	(void)state;
	memset(payload_buf, 0, 16);
	feed(ft, tcp(1, 40000, 2, 49152, 100, DEC_TCP_SYN, 0), 0);
	feed(ft, tcp(1, 40000, 2, 49152, 101, DEC_TCP_ACK, 1000), 1);
	feed(ft, tcp(1, 40000, 2, 49152, 2101, DEC_TCP_ACK, 1000), 2);	/* hole 1101..2101 */
	feed(ft, tcp(1, 40000, 2, 49152, 1101, DEC_TCP_ACK, 1000), 3);	/* fills it */
	feed(ft, tcp(1, 40000, 2, 49152, 1101, DEC_TCP_ACK, 1000), 4);	/* exact retransmission */
	feed(ft, tcp(1, 40000, 2, 49152, 2601, DEC_TCP_ACK, 1000), 5);	/* half old, half new */
	flow_get(ft, 0, &fi);
	assert_int_equal(fi.fwd.payload_bytes, 5000);
	assert_int_equal(fi.fwd.unique_payload_bytes, 3500);
	/* bytes seen before: the repeat (1000) and the overlap (500); the late fill is new */
	assert_int_equal(fi.fwd.retrans_bytes, 1500);
	assert_int_equal(fi.fwd.payload_bytes, fi.fwd.unique_payload_bytes + fi.fwd.retrans_bytes);
	flow_table_free(ft);
}

/* 32-bit sequence wrap: a flow crossing 2^32 keeps counting exactly. */
static void test_sequence_wrap(void **state)
{
	struct flow_table *ft = table(0);
	struct flow_info fi;
	uint32_t seq = 0xFFFFF000u;
	int i;

	(void)state;
	feed(ft, tcp(1, 40000, 2, 49152, seq - 1, DEC_TCP_SYN, 0), 0);
	for (i = 0; i < 20; i++) {
		feed(ft, tcp(1, 40000, 2, 49152, seq, DEC_TCP_ACK, 1000), i + 1);
		seq += 1000;
	}
	/* retransmit one segment from before the wrap */
	feed(ft, tcp(1, 40000, 2, 49152, 0xFFFFF000u, DEC_TCP_ACK, 1000), 100);
	flow_get(ft, 0, &fi);
	assert_int_equal(fi.fwd.unique_payload_bytes, 20000);
	assert_int_equal(fi.fwd.retrans_bytes, 1000);
	flow_table_free(ft);
}

/* More than 4 GiB in one direction (big VM): unique keeps counting past 2^32. */
static void test_more_than_4g(void **state)
{
	struct flow_table *ft = table(0);
	struct flow_info fi;
	uint32_t seq = 7;
	uint64_t i, n = 5ULL * 1024 * 1024 * 1024 / 65000;

	(void)state;
	feed(ft, tcp(1, 40000, 2, 49152, seq - 1, DEC_TCP_SYN, 0), 0);
	for (i = 0; i < n; i++) {
		feed(ft, tcp(1, 40000, 2, 49152, seq, DEC_TCP_ACK, 65000), (mm_ns)i + 1);
		seq += 65000;
	}
	flow_get(ft, 0, &fi);
	assert_int_equal(fi.fwd.unique_payload_bytes, n * 65000);
	assert_true(fi.fwd.unique_payload_bytes > (1ULL << 32));
	assert_int_equal(fi.fwd.retrans_bytes, 0);
	flow_table_free(ft);
}

/* Client port in range, server port not: a port collision, outside the totals. */
static void test_collision(void **state)
{
	struct flow_table *ft = table(0);
	struct flow_info fi;
	struct flow_totals t;
	struct flow_verdict v;
	struct dec_pkt p;

	(void)state;
	memset(payload_buf, 'x', 16);
	feed(ft, tcp(1, 49200, 9, 5201, 1, DEC_TCP_SYN, 0), 0);
	p = tcp(1, 49200, 9, 5201, 2, DEC_TCP_ACK, 1000);
	assert_int_equal(flow_account(ft, &p, 0, 1, &v), 0);
	assert_int_equal(v.counted, 0);
	feed(ft, tcp(3, 40000, 4, 49160, 1, DEC_TCP_SYN, 0), 2);
	p = tcp(3, 40000, 4, 49160, 2, DEC_TCP_ACK, 700);
	assert_int_equal(flow_account(ft, &p, 0, 3, &v), 0);
	assert_int_equal(v.counted, 1);
	assert_int_equal(v.forward, 1);
	assert_int_equal(v.new_unique, 700);

	flow_get(ft, 0, &fi);
	assert_int_equal(fi.cls, FLOW_COLLISION);
	assert_int_equal(fi.server_port, 5201);
	assert_int_equal(fi.fwd.unique_payload_bytes, 1000);
	flow_get_totals(ft, &t);
	assert_int_equal(t.flows, 1);
	assert_int_equal(t.collisions, 1);
	assert_int_equal(t.unique_payload_bytes, 700);
	assert_int_equal(t.start, 2);
	flow_table_free(ft);
}

/* Both ports in range, client's the higher one: the SYN decides, not the numbers. */
static void test_both_ports_in_range(void **state)
{
	struct flow_table *ft = table(0);
	struct flow_info fi;

	(void)state;
	feed(ft, tcp(1, 49155, 2, 49200, 1, DEC_TCP_SYN, 0), 0);
	flow_get(ft, 0, &fi);
	assert_int_equal(fi.server_port, 49200);
	assert_int_equal(fi.client_port, 49155);
	assert_int_equal(fi.direction_inferred, 0);
	flow_table_free(ft);
}

/* No handshake: the stream kind decides which side listens, and says so. */
static void test_inferred_from_kind(void **state)
{
	struct flow_table *ft = table(0);
	struct flow_info fi;
	static const uint8_t nbd[] = "NBDMAGICIHAVEOPT";

	(void)state;
	/* NBD server 10.0.0.6:49154 talks first to a client whose port is also in range. */
	memcpy(payload_buf, nbd, 16);
	feed(ft, tcp(6, 49154, 5, 49250, 77, DEC_TCP_ACK | DEC_TCP_PSH, 18), 0);
	flow_get(ft, 0, &fi);
	assert_int_equal(fi.kind, KIND_NBD);
	assert_int_equal(fi.server_port, 49154);
	assert_int_equal(fi.direction_inferred, 1);
	assert_int_equal(fi.rev.unique_payload_bytes, 18);

	/* multifd from 10.0.0.5:51000: sender is the client, so 49153 listens. */
	memcpy(payload_buf, "\x11\x22\x33\x44\x00\x00\x00\x01", 8);
	feed(ft, tcp(6, 49153, 5, 51000, 1, DEC_TCP_ACK, 0), 1);
	feed(ft, tcp(5, 51000, 6, 49153, 9, DEC_TCP_ACK, 100), 2);
	flow_get(ft, 1, &fi);
	assert_int_equal(fi.kind, KIND_MULTIFD);
	assert_int_equal(fi.server_port, 49153);
	assert_int_equal(fi.fwd.unique_payload_bytes, 100);
	assert_int_equal(fi.direction_inferred, 1);
	flow_table_free(ft);
}

/* The same connection in two captures: kept apart, only the first in the totals. */
static void test_two_captures(void **state)
{
	struct flow_table *ft = table(0);
	struct flow_info fi;
	struct flow_totals t;
	struct flow_verdict v;
	struct dec_pkt p = tcp(1, 40000, 2, 49152, 1, DEC_TCP_ACK, 500);

	(void)state;
	assert_int_equal(flow_account(ft, &p, 0, 1, &v), 0);
	assert_int_equal(v.counted, 1);
	assert_int_equal(flow_account(ft, &p, 1, 2, &v), 0);
	assert_int_equal(v.counted, 0);
	assert_int_equal(flow_count(ft), 2);
	flow_get(ft, 1, &fi);
	assert_int_equal(fi.secondary, 1);
	assert_int_equal(fi.src, 1);
	flow_get_totals(ft, &t);
	assert_int_equal(t.flows, 1);
	assert_int_equal(t.unique_payload_bytes, 500);
	flow_table_free(ft);
}

/* The table is capped; what does not fit is counted. */
static void test_cap(void **state)
{
	struct flow_table *ft = table(2);
	struct flow_verdict v;
	struct dec_pkt p;
	uint16_t port;

	(void)state;
	for (port = 0; port < 2; port++)
		feed(ft, tcp(1, (uint16_t)(40000 + port), 2, 49152, 1, DEC_TCP_SYN, 0), port);
	p = tcp(1, 40010, 2, 49152, 1, DEC_TCP_SYN, 0);
	assert_int_equal(flow_account(ft, &p, 0, 5, &v), -1);
	assert_int_equal(flow_dropped(ft), 1);
	assert_int_equal(flow_count(ft), 2);
	flow_table_free(ft);
	flow_table_free(NULL);
}

/* A retired flow keeps its figures, leaves the lookup and frees its place under the cap. */
static void test_retire(void **state)
{
	struct flow_table *ft = table(2);
	struct flow_info before, after;
	struct flow_totals t0, t1;
	struct flow_verdict v;
	struct dec_pkt p;

	(void)state;
	feed(ft, tcp(1, 40000, 2, 49152, 1, DEC_TCP_SYN, 0), 1);
	feed(ft, tcp(1, 40000, 2, 49152, 2, DEC_TCP_ACK, 1000), 2);
	feed(ft, tcp(1, 40000, 2, 49152, 1002, DEC_TCP_ACK, 1000), 3);
	feed(ft, tcp(1, 40001, 2, 49153, 1, DEC_TCP_SYN, 0), 4);
	assert_int_equal(flow_get(ft, 0, &before), 0);
	flow_get_totals(ft, &t0);
	/* full: a third flow does not fit */
	p = tcp(1, 40002, 2, 49154, 1, DEC_TCP_SYN, 0);
	assert_int_equal(flow_account(ft, &p, 0, 5, &v), -1);

	assert_int_equal(flow_retire(ft, 0), 0);
	assert_int_equal(flow_retire(ft, 0), 1);
	assert_int_equal(flow_retire(ft, 2), -1);
	assert_int_equal(flow_retired(ft), 1);
	assert_int_equal(flow_get(ft, 0, &after), 0);
	/* the same figures, now marked retired */
	assert_int_equal(before.retired, 0);
	assert_int_equal(after.retired, 1);
	after.retired = 0;
	assert_memory_equal(&before, &after, sizeof(before));
	flow_get_totals(ft, &t1);
	assert_int_equal(t1.unique_payload_bytes, 2000);
	assert_int_equal(t1.unique_payload_bytes, t0.unique_payload_bytes);
	assert_int_equal(t1.packets, t0.packets);
	assert_int_equal(t1.flows, t0.flows);

	/* its place is free: the third flow fits now */
	feed(ft, tcp(1, 40002, 2, 49154, 1, DEC_TCP_SYN, 0), 6);
	assert_int_equal(flow_count(ft), 3);
	/* the second flow is still found (not a new one) */
	feed(ft, tcp(1, 40001, 2, 49153, 2, DEC_TCP_ACK, 10), 7);
	assert_int_equal(flow_count(ft), 3);
	assert_int_equal(flow_get(ft, 1, &after), 0);
	assert_int_equal(after.fwd.unique_payload_bytes, 10);
	/* a frame of the retired 5-tuple is a new flow; it does not change the retired one */
	assert_int_equal(flow_retire(ft, 2), 0);
	feed(ft, tcp(1, 40000, 2, 49152, 2002, DEC_TCP_ACK, 500), 8);
	assert_int_equal(flow_count(ft), 4);
	assert_int_equal(flow_get(ft, 0, &after), 0);
	assert_int_equal(after.retired, 1);
	after.retired = 0;
	assert_memory_equal(&before, &after, sizeof(before));
	assert_int_equal(flow_get(ft, 3, &after), 0);
	assert_int_equal(after.fwd.unique_payload_bytes, 500);
	assert_int_equal(after.client_port, 40000);
	flow_table_free(ft);
}

/* Retiring out of a crowded lookup (linear probing) loses none of the flows left in it. */
static void test_retire_many(void **state)
{
	struct flow_table *ft = table(64);
	struct flow_info fi;
	unsigned i, round;

	(void)state;
	for (i = 0; i < 64; i++)
		feed(ft, tcp((uint8_t)(1 + i % 7), (uint16_t)(40000 + i), 2, (uint16_t)(49152 + i % 100), 1,
			     DEC_TCP_SYN, 0), i);
	for (i = 0; i < 64; i += 3)
		assert_int_equal(flow_retire(ft, i), 0);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 64; i++) {
			if (i % 3 == 0)
				continue;
			feed(ft, tcp((uint8_t)(1 + i % 7), (uint16_t)(40000 + i), 2,
				     (uint16_t)(49152 + i % 100), 2 + 100 * round, DEC_TCP_ACK, 100), 100 + i);
		}
	}
	assert_int_equal(flow_count(ft), 64);
	for (i = 0; i < 64; i++) {
		assert_int_equal(flow_get(ft, i, &fi), 0);
		assert_int_equal(fi.fwd.unique_payload_bytes, i % 3 == 0 ? 0 : 200);
	}
	/* the retired ones' places: 22 new flows fit, a 23rd does not */
	for (i = 0; i < 22; i++)
		feed(ft, tcp(9, (uint16_t)(41000 + i), 2, 49152, 1, DEC_TCP_SYN, 0), 300 + i);
	{
		struct dec_pkt p = tcp(9, 42000, 2, 49152, 1, DEC_TCP_SYN, 0);
		struct flow_verdict v;

		assert_int_equal(flow_account(ft, &p, 0, 400, &v), -1);
	}
	assert_int_equal(flow_count(ft), 86);
	flow_table_free(ft);
}

/* Frames outside the range and non-TCP frames are ignored. */
/* Distinct flows that did not fit are counted once each, however many frames they send. */
static void test_not_fitted(void **state)
{
	struct flow_table *ft = table(4);
	struct flow_verdict v;
	struct dec_pkt p;
	unsigned i, k;

	(void)state;
	assert_int_equal(flow_not_fitted(ft), 0);
	for (i = 0; i < 1000; i++) {
		for (k = 0; k < 3; k++) {
			p = tcp((uint8_t)(1 + i % 200), (uint16_t)(40000 + i), 2, 49152, k, DEC_TCP_ACK, 10);
			flow_account(ft, &p, 0, (mm_ns)i * MS, &v);
		}
	}
	assert_int_equal(flow_count(ft), 4);
	assert_int_equal(flow_dropped(ft), 996 * 3);
	/* linear counting: exact for few flows, within 1% here */
	assert_true(flow_not_fitted(ft) >= 986 && flow_not_fitted(ft) <= 1006);
	flow_table_free(ft);
}

/* Sequence holes in many flows: the table-wide interval budget folds instead of growing. */
static void test_interval_budget(void **state)
{
	struct flow_table *ft = table(1024);
	struct flow_info fi;
	struct dec_pkt p;
	unsigned i, k;

	(void)state;
	/* 1024 flows x 200 holes each = 204800 intervals wanted, over the 65536 budget */
	for (i = 0; i < 1024; i++) {
		for (k = 0; k < 200; k++) {
			p = tcp(1, (uint16_t)(40000 + i), 2, 49152, 1000 + k * 20, DEC_TCP_ACK, 10);
			feed(ft, p, (mm_ns)k * MS);
		}
	}
	assert_int_equal(flow_count(ft), 1024);
	assert_int_equal(flow_get(ft, 0, &fi), 0);
	assert_int_equal(fi.fwd.unique_payload_bytes, 2000);
	assert_false(fi.unique_approx);
	assert_int_equal(flow_get(ft, 1023, &fi), 0);
	/* late flows ran out of budget: still every byte counted once, marked approximate */
	assert_int_equal(fi.fwd.unique_payload_bytes, 2000);
	assert_true(fi.unique_approx);
	flow_table_free(ft);
}

static void test_ignored(void **state)
{
	struct flow_table *ft = table(0);
	struct flow_verdict v;
	struct dec_pkt p = tcp(1, 40000, 2, 22, 1, DEC_TCP_SYN, 0);

	(void)state;
	assert_int_equal(flow_account(ft, &p, 0, 0, &v), 0);
	assert_int_equal(v.counted, 0);
	p = tcp(1, 40000, 2, 49152, 1, DEC_TCP_SYN, 0);
	p.proto = 17;
	assert_int_equal(flow_account(ft, &p, 0, 0, &v), 0);
	p.proto = 6;
	p.status = DEC_TRUNCATED;
	assert_int_equal(flow_account(ft, &p, 0, 0, &v), 0);
	assert_int_equal(flow_count(ft), 0);
	flow_table_free(ft);
}

/* IPv6 flows hash and compare on all 16 bytes. */
static void test_ipv6_flows_apart(void **state)
{
	struct flow_table *ft = table(0);
	struct dec_pkt p = tcp(1, 40000, 2, 49152, 1, DEC_TCP_SYN, 0);
	struct flow_info fi;

	(void)state;
	p.ip_ver = 6;
	p.src.family = p.dst.family = 6;
	memset(p.src.a, 0, 16);
	memset(p.dst.a, 0, 16);
	p.src.a[0] = 0xfd;
	p.dst.a[0] = 0xfd;
	p.src.a[15] = 1;
	p.dst.a[15] = 2;
	feed(ft, p, 0);
	p.src.a[14] = 1;
	feed(ft, p, 1);
	assert_int_equal(flow_count(ft), 2);
	flow_get(ft, 1, &fi);
	assert_int_equal(fi.client.family, 6);
	assert_int_equal(fi.client.a[14], 1);
	flow_table_free(ft);
}

/* A multifd channel's MultiFDInit_t gives the flow its UUID and channel id; payload times are kept. */
static void test_multifd_uuid(void **state)
{
	struct flow_table *ft = table(0);
	struct flow_info fi;
	int i;

	(void)state;
	memset(payload_buf, 0, 64);
	memcpy(payload_buf, "\x11\x22\x33\x44\0\0\0\1", 8);
	for (i = 0; i < 16; i++)
		payload_buf[8 + i] = (uint8_t)(0x10 + i);
	payload_buf[24] = 3;
	feed(ft, tcp(1, 40001, 2, 49153, 700, DEC_TCP_SYN, 0), 0);
	feed(ft, tcp(2, 49153, 1, 40001, 900, DEC_TCP_SYN | DEC_TCP_ACK, 0), 1 * MS);
	feed(ft, tcp(1, 40001, 2, 49153, 701, DEC_TCP_ACK, 64), 2 * MS);
	feed(ft, tcp(1, 40001, 2, 49153, 765, DEC_TCP_ACK, 1000), 3 * MS);
	feed(ft, tcp(1, 40001, 2, 49153, 1765, DEC_TCP_ACK | DEC_TCP_FIN, 0), 9 * MS);
	flow_get(ft, 0, &fi);
	assert_int_equal(fi.kind, KIND_MULTIFD);
	assert_int_equal(fi.unreadable, KIND_READ);
	assert_int_equal(fi.has_uuid, 1);
	assert_int_equal(fi.channel, 3);
	assert_int_equal(fi.uuid[0], 0x10);
	assert_int_equal(fi.uuid[15], 0x1f);
	assert_int_equal(fi.fwd.first_payload_ts, 2 * MS);
	assert_int_equal(fi.fwd.last_payload_ts, 3 * MS);
	assert_int_equal(fi.rev.first_payload_ts, MM_NS_NONE);
	flow_table_free(ft);
}

/* Why a kind stays unread: snap length, first payload not captured, none at all, unrecognised, TLS. */
static void test_unreadable_reasons(void **state)
{
	struct flow_table *ft = table(0);
	struct flow_info fi;
	struct dec_pkt p;

	(void)state;
	memcpy(payload_buf, "QEVM\0\0\0\3", 8);
	/* 0: the first payload cut to 3 bytes by the snap length */
	feed(ft, tcp(1, 40000, 2, 49152, 10, DEC_TCP_SYN, 0), 0);
	p = tcp(1, 40000, 2, 49152, 11, DEC_TCP_ACK, 1000);
	p.tcp.payload_cap = 3;
	feed(ft, p, 1);
	/* 1: the first payload segment missed (the second is seen) */
	feed(ft, tcp(1, 40001, 2, 49153, 10, DEC_TCP_SYN, 0), 2);
	feed(ft, tcp(1, 40001, 2, 49153, 1011, DEC_TCP_ACK, 1000), 3);
	/* 2: a handshake and a reset, no payload */
	feed(ft, tcp(1, 40002, 2, 49154, 10, DEC_TCP_SYN, 0), 4);
	feed(ft, tcp(2, 49154, 1, 40002, 0, DEC_TCP_RST | DEC_TCP_ACK, 0), 5);
	/* 3: the true first bytes, matching nothing */
	feed(ft, tcp(1, 40003, 2, 49155, 10, DEC_TCP_SYN, 0), 6);
	memcpy(payload_buf, "GET / HTTP/1.1\r\n", 16);
	feed(ft, tcp(1, 40003, 2, 49155, 11, DEC_TCP_ACK, 100), 7);
	/* 4: no handshake, mid-stream bytes */
	feed(ft, tcp(1, 40004, 2, 49156, 5000, DEC_TCP_ACK, 100), 8);
	/* 5: TLS */
	memcpy(payload_buf, "\x16\x03\x01\x02\x00\x01", 6);
	feed(ft, tcp(1, 40005, 2, 49157, 10, DEC_TCP_SYN, 0), 9);
	feed(ft, tcp(1, 40005, 2, 49157, 11, DEC_TCP_ACK, 100), 10);
	flow_get(ft, 0, &fi);
	assert_int_equal(fi.unreadable, KIND_UNREAD_SNAPLEN);
	flow_get(ft, 1, &fi);
	assert_int_equal(fi.unreadable, KIND_UNREAD_NO_FIRST_PAYLOAD);
	flow_get(ft, 2, &fi);
	assert_int_equal(fi.unreadable, KIND_UNREAD_NO_PAYLOAD);
	flow_get(ft, 3, &fi);
	assert_int_equal(fi.unreadable, KIND_UNREAD_UNRECOGNISED);
	flow_get(ft, 4, &fi);
	assert_int_equal(fi.unreadable, KIND_UNREAD_NO_FIRST_PAYLOAD);
	flow_get(ft, 5, &fi);
	assert_int_equal(fi.kind, KIND_TLS);
	assert_int_equal(fi.unreadable, KIND_UNREAD_TLS);
	flow_table_free(ft);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_and_counters),
		cmocka_unit_test(test_retrans_and_out_of_order),
		cmocka_unit_test(test_sequence_wrap),
		cmocka_unit_test(test_more_than_4g),
		cmocka_unit_test(test_collision),
		cmocka_unit_test(test_both_ports_in_range),
		cmocka_unit_test(test_inferred_from_kind),
		cmocka_unit_test(test_two_captures),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_retire),
		cmocka_unit_test(test_retire_many),
		cmocka_unit_test(test_ignored),
		cmocka_unit_test(test_not_fitted),
		cmocka_unit_test(test_interval_budget),
		cmocka_unit_test(test_ipv6_flows_apart),
		cmocka_unit_test(test_multifd_uuid),
		cmocka_unit_test(test_unreadable_reasons),
	};

	return cmocka_run_group_tests_name("flow", tests, NULL, NULL);
}
