/* test_flow_keep.c - flow table over days: stable ids, forgetting retired flows, reused 5-tuples, idle collisions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "flow.h"
#include "flow-int.h"	/* the array's capacity, to check memory goes down */

#include "flowtab.h"

#define MS (1000000LL)
#define SEC (1000000000LL)


/* Feeds one frame from view src; returns verdict.created. */
static int feed_src(struct flow_table *ft, struct dec_pkt p, unsigned src, mm_ns ts)
{
	struct flow_verdict v;

	assert_int_equal(flow_account(ft, &p, src, ts, &v), 0);
	return v.created;
}

static int feed(struct flow_table *ft, struct dec_pkt p, mm_ns ts)
{
	return feed_src(ft, p, 0, ts);
}

/* A whole connection a:sp -> b:dp: SYN (isn), SYN-ACK, `len` bytes, FIN both ways. */
static void connection(struct flow_table *ft, uint8_t a, uint16_t sp, uint8_t b, uint16_t dp, uint32_t isn,
		       uint32_t len, mm_ns ts)
{
	feed(ft, tcp(a, sp, b, dp, isn, DEC_TCP_SYN, 0), ts);
	feed(ft, tcp(b, dp, a, sp, 7000, DEC_TCP_SYN | DEC_TCP_ACK, 0), ts + 1);
	feed(ft, tcp(a, sp, b, dp, isn + 1, DEC_TCP_ACK, len), ts + 2);
	feed(ft, tcp(a, sp, b, dp, isn + 1 + len, DEC_TCP_ACK | DEC_TCP_FIN, 0), ts + 3);
	feed(ft, tcp(b, dp, a, sp, 7001, DEC_TCP_ACK | DEC_TCP_FIN, 0), ts + 4);
}

static void same_totals(const struct flow_table *x, const struct flow_table *y)
{
	struct flow_totals tx, ty;

	flow_get_totals(x, &tx);
	flow_get_totals(y, &ty);
	assert_int_equal(tx.flows, ty.flows);
	assert_int_equal(tx.collisions, ty.collisions);
	assert_int_equal(tx.start, ty.start);
	assert_int_equal(tx.end, ty.end);
	assert_int_equal(tx.packets, ty.packets);
	assert_int_equal(tx.wire_bytes, ty.wire_bytes);
	assert_int_equal(tx.unique_payload_bytes, ty.unique_payload_bytes);
	assert_memory_equal(&tx, &ty, sizeof(tx));
}

#define OPEN 20		/* long-lived flows, open the whole time */
#define BATCHES 1000
#define PER 100		/* flows a batch: 100k in all */

/*
 * 100k flows retired in 1000 batches, the table forgetting all but the
 * last two batches each time, beside a reference table that forgets
 * nothing: the same totals, the same ids, the open flows still found, and
 * the array never more than four times what it holds.
 */
static void test_forget_100k(void **state)
{
	struct flow_table *ft = table(0), *ref = table(0);
	struct flow_info fi, rf;
	size_t i, forgot = 0;
	unsigned b, j;

	(void)state;
	for (j = 0; j < OPEN; j++) {
		feed(ft, tcp(3, (uint16_t)(30000 + j), 2, 49152, 0, DEC_TCP_SYN, 0), j);
		feed(ref, tcp(3, (uint16_t)(30000 + j), 2, 49152, 0, DEC_TCP_SYN, 0), j);
	}
	for (b = 1; b <= BATCHES; b++) {
		mm_ns t0 = (mm_ns)b * SEC;
		struct flow_table *two[2] = { ft, ref };
		int k;

		for (k = 0; k < 2; k++) {
			struct flow_table *t = two[k];
			size_t n0;

			assert_int_equal(flow_retire_batch(t), b);
			n0 = flow_count(t);
			for (j = 0; j < PER; j++) {
				/* every 10th a port collision (its client port in range, listening on 443) */
				if (j % 10 == 0)
					connection(t, 1, (uint16_t)(49152 + j / 10), 2, 443, 100, 10, t0 + j * 10);
				else
					connection(t, 1, (uint16_t)(40000 + j), 2, (uint16_t)(49152 + j % 100), 100,
						   (b % 7 + 1) * 100, t0 + j * 10);
			}
			assert_int_equal(flow_count(t), n0 + PER);
			for (i = n0; i < n0 + PER; i++)
				assert_int_equal(flow_retire(t, i), 0);
			/* the open flows: still found, not new */
			for (j = 0; j < OPEN; j++)
				assert_int_equal(feed(t, tcp(3, (uint16_t)(30000 + j), 2, 49152, 1 + (b - 1) * 100,
							      DEC_TCP_ACK, 100), t0 + 2000 + j), 0);
		}
		forgot += flow_forget(ft, b - 1);
		assert_int_equal(flow_forgotten(ft), forgot);
		assert_int_equal(flow_count(ft), OPEN + (b >= 2 ? 2 : 1) * PER);
		assert_true(ft->cap <= 4 * ft->n || ft->cap <= 64);
		if (b % 250 == 0)
			same_totals(ft, ref);
	}
	assert_int_equal(forgot, (BATCHES - 2) * PER);
	assert_int_equal(flow_count(ref), OPEN + BATCHES * PER);
	assert_int_equal(flow_retired(ft), 2 * PER);
	assert_true(ref->cap >= OPEN + BATCHES * PER);
	assert_true(ft->cap <= 4 * (OPEN + 2 * PER));
	same_totals(ft, ref);
	{
		struct flow_totals t;

		flow_get_totals(ft, &t);
		assert_int_equal(t.flows, OPEN + BATCHES * 90);
		assert_int_equal(t.collisions, BATCHES * 10);
	}
	/* every flow left: its id names the same flow in the reference */
	for (i = 0; i < flow_count(ft); i++) {
		assert_int_equal(flow_get(ft, i, &fi), 0);
		assert_int_equal(flow_get(ref, fi.id - 1, &rf), 0);
		assert_int_equal(rf.id, fi.id);
		assert_memory_equal(&fi, &rf, sizeof(fi));
	}
	assert_int_equal(flow_get(ft, OPEN, &fi), 0);
	assert_int_equal(fi.id, OPEN + (BATCHES - 2) * PER + 1);
	/* the open flows got every frame */
	for (j = 0; j < OPEN; j++) {
		assert_int_equal(flow_get(ft, j, &fi), 0);
		assert_int_equal(fi.id, j + 1);
		assert_int_equal(fi.retired, 0);
		assert_int_equal(fi.fwd.packets, 1 + BATCHES);
		assert_int_equal(fi.fwd.unique_payload_bytes, BATCHES * 100);
	}
	assert_int_equal(flow_first_open(ft), 0);
	flow_table_free(ft);
	flow_table_free(ref);
}

/* A table that once held 100k flows and now holds 2k keeps no 100k array; forget(0) forgets none. */
static void test_forget_shrinks(void **state)
{
	struct flow_table *ft = table(0);
	struct flow_totals t0, t1;
	struct flow_info fi;
	size_t i;
	unsigned k;

	(void)state;
	for (k = 0; k < 100000; k++) {
		feed(ft, tcp((uint8_t)(10 + k / 50000), (uint16_t)(1024 + k % 50000), 2, 49152, 1, DEC_TCP_ACK, 50),
		     (mm_ns)k * MS);
		assert_int_equal(flow_retire(ft, k), 0);	/* before any batch: batch 0 */
	}
	assert_int_equal(flow_retire_batch(ft), 1);
	for (k = 0; k < 2000; k++) {
		feed(ft, tcp(30, (uint16_t)(1024 + k), 2, 49153, 1, DEC_TCP_ACK, 70), 200 * SEC + k);
		assert_int_equal(flow_retire(ft, 100000 + k), 0);
	}
	assert_true(ft->cap >= 102000);
	flow_get_totals(ft, &t0);
	assert_int_equal(t0.unique_payload_bytes, 100000ULL * 50 + 2000 * 70);
	assert_int_equal(flow_forget(ft, 0), 0);
	assert_int_equal(flow_count(ft), 102000);
	assert_int_equal(flow_forget(ft, 1), 100000);
	assert_int_equal(ft->min_batch, 1);	/* a later forget(1) returns at once */
	assert_int_equal(flow_forget(ft, 1), 0);
	assert_int_equal(flow_count(ft), 2000);
	assert_int_equal(flow_retired(ft), 2000);
	assert_int_equal(flow_forgotten(ft), 100000);
	assert_true(ft->cap <= 4 * 2000);
	flow_get_totals(ft, &t1);
	assert_memory_equal(&t0, &t1, sizeof(t0));
	for (i = 0; i < 2000; i++) {
		assert_int_equal(flow_get(ft, i, &fi), 0);
		assert_int_equal(fi.id, 100001 + i);
		assert_int_equal(fi.client_port, 1024 + i);
	}
	assert_int_equal(flow_get(ft, 2000, &fi), -1);
	/* everything is retired: first open is the count; a new flow is open there */
	assert_int_equal(flow_first_open(ft), 2000);
	assert_int_equal(flow_forget(ft, 2), 2000);
	assert_int_equal(flow_count(ft), 0);
	assert_int_equal(flow_first_open(ft), 0);
	assert_true(ft->cap <= 64);
	feed(ft, tcp(31, 5000, 2, 49152, 1, DEC_TCP_SYN, 0), 300 * SEC);
	assert_int_equal(flow_get(ft, 0, &fi), 0);
	assert_int_equal(fi.id, 102001);
	flow_get_totals(ft, &t1);
	assert_int_equal(t1.flows, 102001);
	assert_int_equal(t1.unique_payload_bytes, t0.unique_payload_bytes);
	assert_int_equal(t1.end, 300 * SEC);
	flow_table_free(ft);
}

/* flow_first_open: the watermark over retired flows, kept through retire, new flows and forget. */
static void test_first_open(void **state)
{
	struct flow_table *ft = table(0);
	unsigned k;

	(void)state;
	for (k = 0; k < 10; k++)
		feed(ft, tcp(1, (uint16_t)(40000 + k), 2, 49152, 1, DEC_TCP_SYN, 0), k);
	assert_int_equal(flow_first_open(ft), 0);
	flow_retire(ft, 1);
	flow_retire(ft, 2);
	assert_int_equal(flow_first_open(ft), 0);
	flow_retire(ft, 0);
	assert_int_equal(flow_first_open(ft), 3);
	flow_retire_batch(ft);		/* 1 */
	for (k = 3; k < 10; k++)
		flow_retire(ft, k);
	assert_int_equal(flow_first_open(ft), 10);
	feed(ft, tcp(1, 41000, 2, 49152, 1, DEC_TCP_SYN, 0), 20);
	assert_int_equal(flow_first_open(ft), 10);
	/* batch 0 (flows 0, 1, 2) forgotten: the rest move down three */
	assert_int_equal(flow_forget(ft, 1), 3);
	assert_int_equal(flow_first_open(ft), 7);
	assert_int_equal(flow_count(ft), 8);
	/* the open flow is still found at its new place */
	assert_int_equal(feed(ft, tcp(1, 41000, 2, 49152, 2, DEC_TCP_ACK, 10), 21), 0);
	{
		struct flow_info fi;

		assert_int_equal(flow_get(ft, 7, &fi), 0);
		assert_int_equal(fi.id, 11);
		assert_int_equal(fi.fwd.unique_payload_bytes, 10);
	}
	flow_table_free(ft);
}

/* A new connection (new ISN) after FIN both ways on the same 5-tuple: two flows, their bytes apart. */
static void test_reuse_after_fin(void **state)
{
	struct flow_table *ft = table(0);
	struct flow_info a, b;
	struct flow_totals t;

	(void)state;
	connection(ft, 1, 49204 - 9000, 2, 49204, 1000, 10000, 0);
	/* the new connection's sequence range overlaps the old one's: 6001..14001 against 1001..11001 */
	assert_int_equal(feed(ft, tcp(1, 49204 - 9000, 2, 49204, 6000, DEC_TCP_SYN, 0), 300 * SEC), 1);
	feed(ft, tcp(2, 49204, 1, 49204 - 9000, 9000, DEC_TCP_SYN | DEC_TCP_ACK, 0), 300 * SEC + 1);
	feed(ft, tcp(1, 49204 - 9000, 2, 49204, 6001, DEC_TCP_ACK, 8000), 300 * SEC + 2);
	assert_int_equal(flow_count(ft), 2);
	assert_int_equal(flow_retired(ft), 0);	/* out of the lookup, not retired: its record takes it */
	assert_int_equal(flow_get(ft, 0, &a), 0);
	assert_int_equal(flow_get(ft, 1, &b), 0);
	assert_int_equal(a.id, 1);
	assert_int_equal(b.id, 2);
	assert_int_equal(a.retired, 0);
	assert_int_equal(a.reused, 1);
	assert_int_equal(b.retired, 0);
	assert_int_equal(b.reused, 0);
	assert_int_equal(a.fwd.packets, 3);
	assert_int_equal(a.fwd.unique_payload_bytes, 10000);
	assert_int_equal(a.last_ts, 4);
	assert_int_equal(b.fwd.packets, 2);
	assert_int_equal(b.rev.packets, 1);
	assert_int_equal(b.fwd.unique_payload_bytes, 8000);
	assert_int_equal(b.fwd.retrans_bytes, 0);
	assert_int_equal(b.first_ts, 300 * SEC);
	assert_int_equal(b.direction_inferred, 0);
	flow_get_totals(ft, &t);
	assert_int_equal(t.flows, 2);
	assert_int_equal(t.unique_payload_bytes, 18000);
	flow_table_free(ft);
}

/* After an RST, a SYN with a new ISN is a new flow too; a SYN-ACK or data is not. */
static void test_reuse_after_rst(void **state)
{
	struct flow_table *ft = table(0);
	struct flow_info fi;

	(void)state;
	feed(ft, tcp(1, 40000, 2, 49152, 500, DEC_TCP_SYN, 0), 0);
	feed(ft, tcp(2, 49152, 1, 40000, 0, DEC_TCP_RST | DEC_TCP_ACK, 0), 1);
	/* a late data frame and a stray SYN-ACK of the old connection stay in it */
	assert_int_equal(feed(ft, tcp(1, 40000, 2, 49152, 501, DEC_TCP_ACK, 100), 2), 0);
	assert_int_equal(feed(ft, tcp(2, 49152, 1, 40000, 9, DEC_TCP_SYN | DEC_TCP_ACK, 0), 3), 0);
	assert_int_equal(flow_count(ft), 1);
	assert_int_equal(feed(ft, tcp(1, 40000, 2, 49152, 90000, DEC_TCP_SYN, 0), 4), 1);
	assert_int_equal(flow_count(ft), 2);
	assert_int_equal(flow_get(ft, 0, &fi), 0);
	assert_int_equal(fi.fwd.packets, 2);
	assert_int_equal(fi.fwd.unique_payload_bytes, 100);
	assert_true(fi.rev.rst);
	assert_int_equal(fi.retired, 0);
	assert_int_equal(flow_get(ft, 1, &fi), 0);
	assert_int_equal(fi.fwd.packets, 1);
	assert_false(fi.rev.rst);
	flow_table_free(ft);
}

/* A retransmitted SYN (same ISN) after RST or FIN/FIN, or a new SYN before the end: one flow; the same ISN minutes later: two. */
static void test_reuse_same_isn(void **state)
{
	struct flow_table *ft = table(0);
	struct flow_info fi;

	(void)state;
	/* refused, then the SYN again (a retransmission seen late, or a duplicate) */
	feed(ft, tcp(1, 40000, 2, 49152, 500, DEC_TCP_SYN, 0), 0);
	feed(ft, tcp(2, 49152, 1, 40000, 0, DEC_TCP_RST | DEC_TCP_ACK, 0), 1);
	assert_int_equal(feed(ft, tcp(1, 40000, 2, 49152, 500, DEC_TCP_SYN, 0), 2), 0);
	assert_int_equal(flow_count(ft), 1);
	assert_int_equal(flow_get(ft, 0, &fi), 0);
	assert_int_equal(fi.fwd.packets, 2);
	assert_int_equal(fi.retired, 0);
	/* closed both ways, then its SYN once more */
	connection(ft, 1, 40001, 2, 49152, 3000, 1000, 10);
	assert_int_equal(feed(ft, tcp(1, 40001, 2, 49152, 3000, DEC_TCP_SYN, 0), 20), 0);
	assert_int_equal(flow_count(ft), 2);
	assert_int_equal(flow_get(ft, 1, &fi), 0);
	assert_int_equal(fi.fwd.packets, 4);
	assert_int_equal(fi.fwd.unique_payload_bytes, 1000);
	/* still the same ISN 170 s later: past TIME_WAIT but not past SYN retries and margin (180 s) */
	assert_int_equal(feed(ft, tcp(1, 40001, 2, 49152, 3000, DEC_TCP_SYN, 0), 170 * SEC), 0);
	/* the same ISN 180 s and 1 ns after the last frame (a generator's fixed ISN): a new connection */
	assert_int_equal(feed(ft, tcp(1, 40001, 2, 49152, 3000, DEC_TCP_SYN, 0), 350 * SEC + 1), 1);
	assert_int_equal(flow_get(ft, 1, &fi), 0);
	assert_int_equal(fi.fwd.packets, 5);
	assert_int_equal(fi.retired, 0);
	assert_int_equal(fi.reused, 1);
	assert_int_equal(flow_get(ft, 2, &fi), 0);
	assert_int_equal(fi.fwd.packets, 1);
	assert_int_equal(fi.client_port, 40001);
	assert_int_equal(flow_retire(ft, 2), 0);
	/* one FIN only: not ended, a SYN with a new ISN stays in the flow */
	feed(ft, tcp(1, 40002, 2, 49152, 100, DEC_TCP_SYN, 0), 400 * SEC - 2);
	feed(ft, tcp(1, 40002, 2, 49152, 101, DEC_TCP_ACK | DEC_TCP_FIN, 0), 400 * SEC - 1);
	assert_int_equal(feed(ft, tcp(1, 40002, 2, 49152, 77777, DEC_TCP_SYN, 0), 400 * SEC), 0);
	assert_int_equal(flow_count(ft), 4);
	assert_int_equal(flow_retired(ft), 1);	/* flow 2; flow 1 was only reused */
	flow_table_free(ft);
}

/* Two captures of a reused 5-tuple: each connection counted once (the first view), never lost. */
static void test_reuse_two_captures(void **state)
{
	struct flow_table *ft = table(0);
	struct flow_info fi;
	struct flow_totals t;
	unsigned s, k;
	size_t i;

	(void)state;
	for (k = 0; k < 2; k++) {
		uint32_t isn = 1000 + 50000 * k;
		mm_ns t0 = (mm_ns)k * 100 * SEC;

		/* the source node's view (0) sees every frame 1 ms before the destination's (1) */
		for (s = 0; s < 2; s++) {
			mm_ns d = (mm_ns)s * MS;

			feed_src(ft, tcp(1, 40000, 2, 49152, isn, DEC_TCP_SYN, 0), s, t0 + d);
		}
		for (s = 0; s < 2; s++) {
			mm_ns d = (mm_ns)s * MS;

			feed_src(ft, tcp(1, 40000, 2, 49152, isn + 1, DEC_TCP_ACK, 3000 + 1000 * k), s, t0 + 10 + d);
			feed_src(ft, tcp(1, 40000, 2, 49152, isn + 3001 + 1000 * k, DEC_TCP_ACK | DEC_TCP_FIN, 0), s,
				 t0 + 20 + d);
			feed_src(ft, tcp(2, 49152, 1, 40000, 5, DEC_TCP_ACK | DEC_TCP_FIN, 0), s, t0 + 30 + d);
		}
	}
	assert_int_equal(flow_count(ft), 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(flow_get(ft, i, &fi), 0);
		assert_int_equal(fi.src, i % 2);
		assert_int_equal(fi.secondary, i % 2);
		assert_int_equal(fi.fwd.unique_payload_bytes, i < 2 ? 3000 : 4000);
	}
	flow_get_totals(ft, &t);
	assert_int_equal(t.flows, 2);
	assert_int_equal(t.unique_payload_bytes, 7000);
	flow_table_free(ft);
}

/* Idle collisions are retired (current batch) once their last frame is old; migrations are not. */
static void test_idle_collisions(void **state)
{
	struct flow_table *ft = table(0);
	struct flow_info fi;

	(void)state;
	assert_int_equal(flow_retire_idle_collisions(ft, 100 * SEC), 0);
	connection(ft, 1, 49204, 2, 443, 1, 10, 0);			/* collision 0: last frame at 4 ns */
	connection(ft, 1, 40000, 2, 49152, 1, 1000, 1 * SEC);		/* a migration, idle as well */
	connection(ft, 1, 49205, 2, 443, 1, 10, 10 * SEC);		/* collision 2 */
	feed(ft, tcp(1, 49206, 2, 8443, 1, DEC_TCP_SYN, 0), 20 * SEC);	/* collision 3, open */
	assert_int_equal(flow_retire_batch(ft), 1);
	assert_int_equal(flow_retire_idle_collisions(ft, 0), 0);
	assert_int_equal(flow_retire_idle_collisions(ft, 5 * SEC), 1);
	assert_int_equal(flow_get(ft, 0, &fi), 0);
	assert_int_equal(fi.cls, FLOW_COLLISION);
	assert_int_equal(fi.retired, 1);
	assert_int_equal(flow_first_open(ft), 1);
	/* nothing is older than 10 s now: the cheap answer, no flow touched */
	assert_int_equal(ft->coll_low, 10 * SEC + 4);
	assert_int_equal(flow_retire_idle_collisions(ft, 5 * SEC), 0);
	assert_int_equal(flow_retire_idle_collisions(ft, 10 * SEC + 4), 0);
	/* collision 3 gets a frame late: not idle at 25 s */
	feed(ft, tcp(1, 49206, 2, 8443, 1, DEC_TCP_SYN, 0), 30 * SEC);
	assert_int_equal(flow_retire_idle_collisions(ft, 25 * SEC), 1);
	assert_int_equal(flow_get(ft, 2, &fi), 0);
	assert_int_equal(fi.retired, 1);
	assert_int_equal(flow_get(ft, 3, &fi), 0);
	assert_int_equal(fi.retired, 0);
	assert_int_equal(flow_get(ft, 1, &fi), 0);
	assert_int_equal(fi.cls, FLOW_MIGRATION);
	assert_int_equal(fi.retired, 0);
	assert_int_equal(flow_retire_idle_collisions(ft, 40 * SEC), 1);
	assert_int_equal(ft->open_coll, 0);
	assert_int_equal(flow_retire_idle_collisions(ft, 1000 * SEC), 0);
	assert_int_equal(flow_retired(ft), 3);
	/* all in batch 1: forgotten together; the totals still count three collisions */
	assert_int_equal(flow_forget(ft, 2), 3);
	assert_int_equal(flow_count(ft), 1);
	assert_int_equal(flow_first_open(ft), 0);
	{
		struct flow_totals t;

		flow_get_totals(ft, &t);
		assert_int_equal(t.collisions, 3);
		assert_int_equal(t.flows, 1);
		assert_int_equal(t.unique_payload_bytes, 1000);
	}
	flow_table_free(ft);
}

/* A flow that turns out to be a collision (its direction learnt late) is counted as one. */
static void test_collision_learnt_late(void **state)
{
	struct flow_table *ft = table(0);
	struct flow_info fi;

	(void)state;
	/* mid-stream: no handshake, the in-range port taken for the listener */
	feed(ft, tcp(1, 49210, 2, 443, 5, DEC_TCP_ACK, 0), 0);
	assert_int_equal(flow_get(ft, 0, &fi), 0);
	assert_int_equal(fi.cls, FLOW_MIGRATION);
	assert_int_equal(ft->open_coll, 0);
	/* a SYN-ACK from port 443 says 443 listens: a collision */
	feed(ft, tcp(2, 443, 1, 49210, 9, DEC_TCP_SYN | DEC_TCP_ACK, 0), 1 * SEC);
	assert_int_equal(flow_get(ft, 0, &fi), 0);
	assert_int_equal(fi.cls, FLOW_COLLISION);
	assert_int_equal(ft->open_coll, 1);
	assert_int_equal(flow_retire_idle_collisions(ft, 1 * SEC), 0);
	assert_int_equal(flow_retire_idle_collisions(ft, 1 * SEC + 1), 1);
	assert_int_equal(ft->open_coll, 0);
	flow_table_free(ft);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forget_100k),
		cmocka_unit_test(test_forget_shrinks),
		cmocka_unit_test(test_first_open),
		cmocka_unit_test(test_reuse_after_fin),
		cmocka_unit_test(test_reuse_after_rst),
		cmocka_unit_test(test_reuse_same_isn),
		cmocka_unit_test(test_reuse_two_captures),
		cmocka_unit_test(test_idle_collisions),
		cmocka_unit_test(test_collision_learnt_late),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
