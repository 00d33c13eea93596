/* test_flow_any.c - --ports any: flows found by their opening bytes, others dropped, TLS by bulk. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "flow.h"

#include "tcppkt.h"

#define MS (1000000LL)

/* One payload buffer per frame kind: the first 64 bytes are what detection sees. */
static struct dec_pkt tcp(uint8_t a, uint16_t sport, uint8_t b, uint16_t dport, uint32_t seq,
			  uint8_t flags, uint32_t len, const uint8_t *payload)
{
	return tcppkt(a, sport, b, dport, seq, flags, len, payload);
}

static struct flow_table *any_table(size_t max)
{
	struct flow_cfg cfg = { .port_lo = 1, .port_hi = 65535, .max_flows = max, .any = 1 };
	struct flow_table *ft = flow_table_new(&cfg);

	assert_non_null(ft);
	return ft;
}

static int feed(struct flow_table *ft, struct dec_pkt p, mm_ns ts)
{
	struct flow_verdict v;

	assert_int_equal(flow_account(ft, &p, 0, ts, &v), 0);
	return v.counted;
}

static const uint8_t qevm[64] = "QEVM\0\0\0\3";
static const uint8_t nbd[64] = "NBDMAGIC";
static const uint8_t http[64] = "GET / HTTP/1.1\r\n";
static const uint8_t ssh[64] = "SSH-2.0-OpenSSH_9.2\r\n";
static const uint8_t tls_hello[64] = { 22, 3, 1, 0, 200, 1 };
static const uint8_t junk[64] = { 0x17, 3, 3, 0x40, 0 };

/* Handshake a->b: SYN, SYN-ACK, ACK (client ISN 1000, server 5000). */
static void handshake(struct flow_table *ft, uint8_t a, uint16_t sp, uint8_t b, uint16_t dp, mm_ns ts)
{
	assert_int_equal(feed(ft, tcp(a, sp, b, dp, 1000, DEC_TCP_SYN, 0, NULL), ts), 0);
	feed(ft, tcp(b, dp, a, sp, 5000, DEC_TCP_SYN | DEC_TCP_ACK, 0, NULL), ts + 1);
	feed(ft, tcp(a, sp, b, dp, 1001, DEC_TCP_ACK, 0, NULL), ts + 2);
}

static const struct flow_info *find(const struct flow_table *ft, uint16_t server_port, struct flow_info *fi)
{
	size_t i;

	for (i = 0; i < flow_count(ft); i++)
		if (flow_get(ft, i, fi) == 0 && fi->server_port == server_port)
			return fi;
	return NULL;
}

/* QEMU and NBD on ports outside any range are migration; HTTP, ssh and a refused SYN are not. */
static void test_any_kinds(void **state)
{
	struct flow_table *ft = any_table(0);
	struct flow_info fi;
	int i;

	(void)state;
	handshake(ft, 1, 40000, 2, 80, 0);
	handshake(ft, 1, 40001, 2, 8443, 10 * MS);
	handshake(ft, 1, 40002, 2, 22, 20 * MS);
	handshake(ft, 1, 40003, 2, 10809, 30 * MS);
	feed(ft, tcp(1, 40004, 2, 9999, 1, DEC_TCP_SYN, 0, NULL), 35 * MS);
	feed(ft, tcp(2, 9999, 1, 40004, 0, DEC_TCP_RST | DEC_TCP_ACK, 0, NULL), 36 * MS);
	assert_int_equal(flow_count(ft), 0);	/* nothing classified yet: nothing listed */
	assert_int_equal(feed(ft, tcp(1, 40000, 2, 80, 1001, DEC_TCP_ACK, 16, http), 40 * MS), 0);
	assert_int_equal(feed(ft, tcp(1, 40001, 2, 8443, 1001, DEC_TCP_ACK, 1000, qevm), 41 * MS), 1);
	assert_int_equal(feed(ft, tcp(2, 22, 1, 40002, 5001, DEC_TCP_ACK, 21, ssh), 42 * MS), 0);
	/* NBD: the server speaks first. */
	assert_int_equal(feed(ft, tcp(2, 10809, 1, 40003, 5001, DEC_TCP_ACK, 152, nbd), 43 * MS), 1);
	/* The HTTP flow's later frames are ignored, not a new entry. */
	for (i = 0; i < 5; i++)
		assert_int_equal(feed(ft, tcp(2, 80, 1, 40000, 5001 + 500u * (unsigned)i, DEC_TCP_ACK, 500, junk),
				      (50 + i) * MS), 0);
	feed(ft, tcp(1, 40000, 2, 80, 1017, DEC_TCP_ACK | DEC_TCP_FIN, 0, NULL), 60 * MS);
	assert_int_equal(feed(ft, tcp(1, 40001, 2, 8443, 2001, DEC_TCP_ACK, 1000, junk), 61 * MS), 1);

	assert_int_equal(flow_count(ft), 2);
	assert_int_equal(flow_not_migration(ft), 3);
	assert_non_null(find(ft, 8443, &fi));
	assert_int_equal(fi.kind, KIND_QEMU);
	assert_int_equal(fi.cls, FLOW_MIGRATION);
	assert_int_equal(fi.client_port, 40001);
	assert_int_equal(fi.fwd.packets, 4);
	assert_int_equal(fi.fwd.unique_payload_bytes, 2000);
	assert_int_equal(fi.unreadable, KIND_READ);
	assert_non_null(find(ft, 10809, &fi));
	assert_int_equal(fi.kind, KIND_NBD);
	assert_int_equal(fi.rev.unique_payload_bytes, 152);
	assert_int_equal(flow_get(ft, 2, &fi), -1);
	flow_table_free(ft);
}

/* TLS: listed once 1 MiB went one way (tls_bulk); a short TLS flow that closes is dropped. */
static void test_any_tls_bulk(void **state)
{
	struct flow_table *ft = any_table(0);
	struct flow_info fi;
	struct flow_totals t;
	uint32_t seq = 1001;
	int i, counted = 0;

	(void)state;
	handshake(ft, 1, 41000, 2, 443, 0);
	feed(ft, tcp(1, 41000, 2, 443, 1001, DEC_TCP_ACK, 200, tls_hello), 1 * MS);
	feed(ft, tcp(2, 443, 1, 41000, 5001, DEC_TCP_ACK, 100, junk), 2 * MS);
	feed(ft, tcp(1, 41000, 2, 443, 1201, DEC_TCP_ACK | DEC_TCP_FIN, 0, NULL), 3 * MS);
	feed(ft, tcp(2, 443, 1, 41000, 5101, DEC_TCP_ACK | DEC_TCP_FIN, 0, NULL), 4 * MS);
	assert_int_equal(flow_not_migration(ft), 1);

	handshake(ft, 3, 42000, 4, 31337, 10 * MS);
	feed(ft, tcp(3, 42000, 4, 31337, seq, DEC_TCP_ACK, 200, tls_hello), 11 * MS);
	seq += 200;
	for (i = 0; i < 1100; i++) {
		counted += feed(ft, tcp(3, 42000, 4, 31337, seq, DEC_TCP_ACK, 1000, junk), 12 * MS + i);
		seq += 1000;
		if (i == 1000)
			assert_int_equal(flow_count(ft), 0);	/* 1,001,200 bytes: not yet */
	}
	assert_int_equal(flow_count(ft), 1);
	assert_int_equal(counted, 1100 - 1048);	/* counted from the frame that crossed 1 MiB */
	assert_int_equal(flow_get(ft, 0, &fi), 0);
	assert_int_equal(fi.kind, KIND_TLS);
	assert_int_equal(fi.unreadable, KIND_UNREAD_TLS_BULK);
	assert_int_equal(fi.server_port, 31337);
	assert_int_equal(fi.fwd.unique_payload_bytes, 200 + 1100 * 1000);
	flow_get_totals(ft, &t);
	assert_int_equal(t.flows, 1);
	assert_int_equal(flow_not_migration(ft), 1);
	flow_table_free(ft);
}

/* A full table: the oldest unclassified flow makes room; drops keep the others findable. */
static void test_any_evict_and_drop(void **state)
{
	struct flow_table *ft = any_table(8);
	struct flow_info fi;
	uint16_t p;

	(void)state;
	/* Six migrations and many short HTTP flows between them: the table never fills with HTTP. */
	for (p = 0; p < 6; p++) {
		handshake(ft, 1, (uint16_t)(43000 + p), 2, (uint16_t)(2000 + p), p * 10 * MS);
		feed(ft, tcp(1, (uint16_t)(43000 + p), 2, (uint16_t)(2000 + p), 1001, DEC_TCP_ACK, 100, qevm),
		     p * 10 * MS + 3);
		handshake(ft, 5, (uint16_t)(44000 + p), 6, 80, p * 10 * MS + 4);
		feed(ft, tcp(5, (uint16_t)(44000 + p), 6, 80, 1001, DEC_TCP_ACK, 16, http), p * 10 * MS + 5);
	}
	/* Two idle SYNs fill the table; a third evicts the first of them. */
	feed(ft, tcp(7, 45000, 8, 7000, 1, DEC_TCP_SYN, 0, NULL), 100 * MS);
	feed(ft, tcp(7, 45001, 8, 7000, 1, DEC_TCP_SYN, 0, NULL), 101 * MS);
	feed(ft, tcp(7, 45002, 8, 7000, 1, DEC_TCP_SYN, 0, NULL), 102 * MS);
	assert_int_equal(flow_dropped(ft), 0);
	assert_int_equal(flow_not_migration(ft), 6 + 1 + 2);	/* HTTP, the evicted SYN, two pending */
	/* Every migration flow is still found after the drops and moves. */
	for (p = 0; p < 6; p++)
		feed(ft, tcp(1, (uint16_t)(43000 + p), 2, (uint16_t)(2000 + p), 1101, DEC_TCP_ACK, 100, junk),
		     200 * MS + p);
	assert_int_equal(flow_count(ft), 6);
	for (p = 0; p < 6; p++) {
		assert_int_equal(flow_get(ft, p, &fi), 0);
		assert_int_equal(fi.server_port, 2000 + p);
		assert_int_equal(fi.fwd.unique_payload_bytes, 200);
		assert_int_equal(fi.fwd.packets, 4);
	}
	flow_table_free(ft);
}

/* flow_retire takes flow_get's index: a held (unlisted) flow before it is not the one retired. */
static void test_any_retire_listed(void **state)
{
	struct flow_table *ft = any_table(0);
	struct flow_info fi;

	(void)state;
	handshake(ft, 1, 40000, 2, 443, 0);			/* held: no payload yet */
	handshake(ft, 1, 40001, 2, 8443, 10 * MS);
	assert_int_equal(feed(ft, tcp(1, 40001, 2, 8443, 1001, DEC_TCP_ACK, 1000, qevm), 11 * MS), 1);
	assert_int_equal(flow_count(ft), 1);
	assert_int_equal(flow_retire(ft, 0), 0);
	assert_int_equal(flow_get(ft, 0, &fi), 0);
	assert_int_equal(fi.server_port, 8443);
	assert_int_equal(fi.retired, 1);
	assert_int_equal(flow_retire(ft, 1), -1);
	/* the held flow is still in the lookup: its first payload still classifies it */
	assert_int_equal(feed(ft, tcp(1, 40000, 2, 443, 1001, DEC_TCP_ACK, 1000, qevm), 12 * MS), 1);
	assert_int_equal(flow_count(ft), 2);
	flow_table_free(ft);
}

/*
 * Ids with flows held unlisted: the numbering is flow_get's index + 1 as
 * before (a flow listed late takes its place in order of first frame), and
 * forgetting retired flows changes no id.
 */
static void test_any_ids(void **state)
{
	struct flow_table *ft = any_table(0);
	struct flow_info fi;

	(void)state;
	handshake(ft, 1, 40000, 2, 443, 0);			/* A: held */
	handshake(ft, 1, 40001, 2, 8443, 10 * MS);		/* B */
	feed(ft, tcp(1, 40001, 2, 8443, 1001, DEC_TCP_ACK, 1000, qevm), 11 * MS);
	handshake(ft, 1, 40002, 2, 9443, 20 * MS);		/* C */
	feed(ft, tcp(1, 40002, 2, 9443, 1001, DEC_TCP_ACK, 1000, nbd), 21 * MS);
	assert_int_equal(flow_count(ft), 2);
	assert_int_equal(flow_get(ft, 0, &fi), 0);
	assert_int_equal(fi.server_port, 8443);
	assert_int_equal(fi.id, 1);
	assert_int_equal(flow_get(ft, 1, &fi), 0);
	assert_int_equal(fi.id, 2);
	/* A listed now: first by its first frame, so id 1; B and C move up */
	feed(ft, tcp(1, 40000, 2, 443, 1001, DEC_TCP_ACK, 1000, qevm), 30 * MS);
	assert_int_equal(flow_count(ft), 3);
	assert_int_equal(flow_get(ft, 0, &fi), 0);
	assert_int_equal(fi.server_port, 443);
	assert_int_equal(fi.id, 1);
	assert_int_equal(flow_get(ft, 1, &fi), 0);
	assert_int_equal(fi.id, 2);
	assert_int_equal(flow_get(ft, 2, &fi), 0);
	assert_int_equal(fi.id, 3);
	/* D held; A and B retired and forgotten: C keeps id 3, the watermark stops at D */
	handshake(ft, 1, 40003, 2, 7443, 40 * MS);
	assert_int_equal(flow_retire_batch(ft), 1);
	assert_int_equal(flow_retire(ft, 0), 0);
	assert_int_equal(flow_retire(ft, 1), 0);
	assert_int_equal(flow_first_open(ft), 2);
	assert_int_equal(flow_forget(ft, 2), 2);
	assert_int_equal(flow_count(ft), 1);
	assert_int_equal(flow_first_open(ft), 0);
	assert_int_equal(flow_get(ft, 0, &fi), 0);
	assert_int_equal(fi.server_port, 9443);
	assert_int_equal(fi.id, 3);
	/* C retired: D, held, is where the open part begins; listed, it takes id 4 */
	assert_int_equal(flow_retire(ft, 0), 0);
	assert_int_equal(flow_first_open(ft), 1);
	feed(ft, tcp(1, 40003, 2, 7443, 1001, DEC_TCP_ACK, 1000, qevm), 50 * MS);
	assert_int_equal(flow_get(ft, 1, &fi), 0);
	assert_int_equal(fi.server_port, 7443);
	assert_int_equal(fi.id, 4);
	assert_int_equal(fi.fwd.unique_payload_bytes, 1000);
	{
		struct flow_totals t;

		flow_get_totals(ft, &t);
		assert_int_equal(t.flows, 4);
		assert_int_equal(t.fwd.unique_payload_bytes, 4000);
	}
	flow_table_free(ft);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_any_kinds),
		cmocka_unit_test(test_any_tls_bulk),
		cmocka_unit_test(test_any_evict_and_drop),
		cmocka_unit_test(test_any_retire_listed),
		cmocka_unit_test(test_any_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
