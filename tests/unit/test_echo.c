/* test_echo.c - cmocka tests for the ICMP echo streams and downtime episodes (src/echo.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "echo.h"

#define MS ((mm_ns)1000000)
#define US ((mm_ns)1000)
#define T0 ((mm_ns)1764307152 * MM_NS_PER_S)
#define NO_REPLY ((mm_ns)-1)

/* A decoded echo message; pinger/target are the last address byte (10.0.0.x or fd00::x). */
static struct dec_pkt mk(int v6, uint8_t pinger, uint8_t target, int is_req, uint16_t id, uint16_t seq)
{
	struct dec_pkt p;
	struct dec_addr a, b;

	memset(&p, 0, sizeof(p));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.family = b.family = v6 ? 6 : 4;
	if (v6) {
		a.a[0] = b.a[0] = 0xfd;
		a.a[15] = pinger;
		b.a[15] = target;
	} else {
		a.a[0] = b.a[0] = 10;
		a.a[3] = pinger;
		b.a[3] = target;
	}
	p.status = DEC_OK;
	p.ip_ver = v6 ? 6 : 4;
	p.proto = v6 ? 58 : 1;
	p.src = is_req ? a : b;
	p.dst = is_req ? b : a;
	p.icmp.type = v6 ? (is_req ? 128 : 129) : (is_req ? 8 : 0);
	p.icmp.echo = is_req ? DEC_ECHO_REQUEST : DEC_ECHO_REPLY;
	p.icmp.id = id;
	p.icmp.seq = seq;
	return p;
}

static void req(struct echo_table *et, int v6, uint16_t id, uint16_t seq, mm_ns ts)
{
	struct dec_pkt p = mk(v6, 1, 2, 1, id, seq);

	assert_true(echo_account(et, &p, 0, ts) > 0);
}

static void rep(struct echo_table *et, int v6, uint16_t id, uint16_t seq, mm_ns ts)
{
	struct dec_pkt p = mk(v6, 1, 2, 0, id, seq);

	assert_true(echo_account(et, &p, 0, ts) > 0);
}

/* One ping: the request at ts and, unless rtt is NO_REPLY, its reply rtt later. */
static void ping(struct echo_table *et, int v6, uint16_t id, uint16_t seq, mm_ns ts, mm_ns rtt)
{
	req(et, v6, id, seq, ts);
	if (rtt != NO_REPLY)
		rep(et, v6, id, seq, ts + rtt);
}

static struct echo_table *table(void)
{
	struct echo_table *et = echo_new(NULL);

	assert_non_null(et);
	return et;
}

static void count_cb(void *ctx, mm_ns ts)
{
	(void)ts;
	(*(uint64_t *)ctx)++;
}

static uint64_t visit_count(const struct echo_table *et)
{
	uint64_t n = 0;

	echo_visit_lost(et, count_cb, &n);
	return n;
}

struct ts_list {
	mm_ns ts[64];
	size_t n;
};

static void list_cb(void *ctx, mm_ns ts)
{
	struct ts_list *l = ctx;

	if (l->n < 64)
		l->ts[l->n] = ts;
	l->n++;
}

/* seqs 0..99 every 10 ms, RTT 1 ms; 40..49 unanswered. */
static void test_one_outage(void **state)
{
	struct echo_table *et = table();
	const struct echo_stream_info *s;
	const struct episode *e;

	(void)state;
	for (uint16_t i = 0; i < 100; i++)
		ping(et, 0, 7, i, T0 + i * 10 * MS, (i >= 40 && i < 50) ? NO_REPLY : 1 * MS);
	assert_int_equal(echo_finish(et, T0 + 991 * MS), 0);
	assert_int_equal(echo_stream_count(et), 1);
	s = echo_stream(et, 0);
	assert_non_null(s);
	assert_int_equal(s->pinger.family, 4);
	assert_int_equal(s->pinger.a[3], 1);
	assert_int_equal(s->target.a[3], 2);
	assert_int_equal(s->id, 7);
	assert_int_equal(s->requests, 100);
	assert_int_equal(s->replies, 90);
	assert_int_equal(s->lost, 10);
	assert_int_equal(s->pending, 0);
	assert_int_equal(s->duplicates, 0);
	assert_int_equal(s->late, 0);
	assert_int_equal(s->replies_only, 0);
	assert_int_equal(s->never_answered, 0);
	assert_true(s->interval == 10 * MS);
	assert_true(s->rtt_median == 1 * MS);
	assert_true(s->first_ts == T0);
	assert_true(s->last_ts == T0 + 991 * MS);
	assert_int_equal(s->n_episodes, 1);
	e = &s->episodes[0];
	assert_int_equal(e->first_seq, 40);
	assert_int_equal(e->last_seq, 49);
	assert_int_equal(e->lost, 10);
	assert_true(e->first_lost_ts == T0 + 400 * MS);
	assert_true(e->last_lost_ts == T0 + 490 * MS);
	assert_true(e->estimate == 100 * MS);
	assert_true(e->lower == 90 * MS);
	assert_true(e->upper == 110 * MS);
	assert_int_equal(e->began_in_capture, 1);
	assert_int_equal(e->ended_in_capture, 1);
	assert_int_equal(e->inferred, 0);
	assert_true(s->downtime_total == 100 * MS);
	assert_true(s->downtime_longest == 100 * MS);
	assert_true(s->lost_x_interval == 100 * MS);
	/* 991 ms * 10 / 100 */
	assert_true(s->duration_x_loss == 99100 * US);
	assert_int_equal(visit_count(et), 10);
	assert_int_equal(echo_dropped(et), 0);
	echo_free(et);
}

/* 70000 pings at 1 ms from seq 60000: wraps 65535 -> 0 and passes 60000 again. */
/* The live progress count: closed outages from replies, one still open, before echo_finish. */
static void test_episodes_so_far(void **state)
{
	struct echo_table *et = table();
	uint64_t ongoing = 99;
	uint16_t q;

	(void)state;
	assert_int_equal(echo_episodes_so_far(et, &ongoing), 0);
	assert_int_equal(ongoing, 0);
	for (q = 0; q < 20; q++)	/* 5..9 unanswered: one outage, over */
		ping(et, 0, 7, q, T0 + q * 10 * MS, (q >= 5 && q <= 9) ? NO_REPLY : 1 * MS);
	assert_int_equal(echo_episodes_so_far(et, &ongoing), 1);
	assert_int_equal(ongoing, 0);
	req(et, 0, 7, 20, T0 + 200 * MS);	/* one or two requests past the answer: maybe late */
	req(et, 0, 7, 21, T0 + 210 * MS);
	assert_int_equal(echo_episodes_so_far(et, &ongoing), 1);
	assert_int_equal(ongoing, 0);
	req(et, 0, 7, 22, T0 + 220 * MS);	/* three: an outage now */
	assert_int_equal(echo_episodes_so_far(et, &ongoing), 2);
	assert_int_equal(ongoing, 1);
	ping(et, 0, 7, 23, T0 + 230 * MS, 1 * MS);	/* it ends: still two, none open */
	assert_int_equal(echo_episodes_so_far(et, &ongoing), 2);
	assert_int_equal(ongoing, 0);
	/* The report agrees once the capture is over. */
	assert_int_equal(echo_finish(et, T0 + 300 * MS), 0);
	assert_int_equal(echo_stream(et, 0)->n_episodes, 2);
	echo_free(et);
}

/*
 * Hostile: sequence numbers leaping half the 16-bit space each time.  Each
 * leaping request starts a new run (a restarted ping), so the stream cap
 * bounds them; so do ECHO_MAX_BIG_JUMPS leaping replies of one stream.
 */
/* N messages (requests or replies) of stream id 9, each leaping 32767 numbers on; how many were dropped. */
static int leaps(struct echo_table *et, int is_req, int n)
{
	uint16_t q = 0;
	int dropped = 0;

	for (int i = 0; i < n; i++) {
		struct dec_pkt p;

		q = (uint16_t)(q + 32767);
		p = mk(0, 1, 2, is_req, 9, q);
		if (echo_account(et, &p, 0, T0 + i * MS) < 0)
			dropped++;
	}
	return dropped;
}

static void test_big_jumps(void **state)
{
	struct echo_table *et = table();
	uint16_t q;
	int dropped, i;

	(void)state;
	dropped = leaps(et, 1, 3000);
	/* once the cap is hit every other one is dropped (the rest lie just behind the last run's start) */
	assert_int_equal(echo_stream_count(et), 1024);
	assert_true(dropped >= (3000 - 1024) / 2);
	assert_int_equal(echo_dropped(et), (uint64_t)dropped);
	assert_int_equal(echo_finish(et, T0 + 4000 * MS), 0);
	echo_free(et);
	et = table();
	req(et, 0, 9, 0, T0);	/* replies of a stream with requests are not judged: they leap */
	dropped = leaps(et, 0, 1000);
	assert_int_equal(echo_stream_count(et), 1);
	assert_true(dropped >= 400);
	assert_int_equal(echo_dropped(et), (uint64_t)dropped);
	assert_int_equal(echo_finish(et, T0 + 2000 * MS), 0);
	echo_free(et);
	/* A real stream with a few capture gaps of 20000 requests loses nothing (each gap: a new run). */
	et = table();
	q = 0;
	for (i = 0; i < 5; i++) {
		ping(et, 0, 9, q, T0 + i * 1000 * MS, 1 * MS);
		ping(et, 0, 9, (uint16_t)(q + 1), T0 + i * 1000 * MS + 10 * MS, 1 * MS);
		q = (uint16_t)(q + 20000);
	}
	assert_int_equal(echo_dropped(et), 0);
	echo_free(et);
}

/*
 * A ping restarted with the same identifier begins a new stream that
 * follows the old one: the old run keeps its outage, the new run's pings
 * are neither duplicates nor late replies of the old ones.  A request seen
 * again by another vantage point (within their clock offset) is not a
 * restart.
 */
static void test_restart(void **state)
{
	struct echo_table *et = table();
	const struct echo_stream_info *a, *b;
	mm_ns t1 = T0 + 8000 * MS;

	(void)state;
	for (uint16_t q = 1; q <= 300; q++)
		ping(et, 0, 7, q, T0 + q * 10 * MS, (q >= 100 && q < 120) ? NO_REPLY : 300 * US);
	for (uint16_t q = 1; q <= 300; q += 50)
		req(et, 0, 7, q, T0 + q * 10 * MS + 400 * MS);	/* a second capture, 0.4 s off */
	for (uint16_t q = 1; q <= 300; q++)
		ping(et, 0, 7, q, t1 + q * 10 * MS, 300 * US);
	assert_int_equal(echo_finish(et, t1 + 4000 * MS), 0);
	assert_int_equal(echo_stream_count(et), 2);
	a = echo_stream(et, 0);
	b = echo_stream(et, 1);
	assert_int_equal(a->requests, 300);
	assert_int_equal(a->lost, 20);
	assert_int_equal(a->n_episodes, 1);
	assert_int_equal(a->duplicates + a->late, 0);
	assert_int_equal(a->follows, 0);
	assert_int_equal(b->requests, 300);
	assert_int_equal(b->replies, 300);
	assert_int_equal(b->n_episodes, 0);
	assert_int_equal(b->follows, 1);
	assert_int_equal(b->first_ts, t1 + 10 * MS);
	echo_free(et);

	/* A run longer than the window (40000 pings) restarted: its new numbers lie below the window. */
	et = table();
	for (uint32_t q = 1; q <= 40000; q++)
		ping(et, 0, 7, (uint16_t)q, T0 + (mm_ns)q * MS, 300 * US);
	for (uint16_t q = 1; q <= 100; q++)
		ping(et, 0, 7, q, T0 + 45000 * MS + q * MS, (q >= 50 && q < 60) ? NO_REPLY : 300 * US);
	assert_int_equal(echo_finish(et, T0 + 50000 * MS), 0);
	assert_int_equal(echo_stream_count(et), 2);
	assert_int_equal(echo_stream(et, 0)->lost, 0);
	assert_int_equal(echo_stream(et, 1)->lost, 10);
	assert_int_equal(echo_stream(et, 1)->follows, 1);
	assert_int_equal(echo_dropped(et), 0);
	echo_free(et);

	/* The capture began mid-run (seq 50 first): the restart at 1 lies below anything seen. */
	et = table();
	for (uint16_t q = 50; q <= 80; q++)
		ping(et, 0, 7, q, T0 + q * 10 * MS, 300 * US);
	for (uint16_t q = 1; q <= 30; q++)
		ping(et, 0, 7, q, T0 + 2000 * MS + q * 10 * MS, 300 * US);
	assert_int_equal(echo_finish(et, T0 + 3000 * MS), 0);
	assert_int_equal(echo_stream_count(et), 2);
	assert_int_equal(echo_stream(et, 0)->requests, 31);
	assert_int_equal(echo_stream(et, 0)->lost, 0);
	assert_int_equal(echo_stream(et, 1)->requests, 30);
	assert_int_equal(echo_stream(et, 1)->follows, 1);
	echo_free(et);
}

static void test_wrap(void **state)
{
	struct echo_table *et = table();
	const struct echo_stream_info *s;
	const struct episode *e;
	uint64_t told = 0;

	(void)state;
	/* 70000 slots are more than a window: the outage is retired, its losses told as it goes */
	echo_set_lost_sink(et, count_cb, &told);
	for (uint32_t i = 0; i < 70000; i++) {
		uint16_t seq = (uint16_t)(60000 + i);
		/* outage over the wrap: seqs 65530..65535, 0..9 */
		int lost = i >= 5530 && i < 5546;

		ping(et, 0, 1, seq, T0 + (mm_ns)i * MS, lost ? NO_REPLY : 300 * US);
	}
	assert_int_equal(echo_finish(et, T0 + 69999 * MS + 300 * US), 0);
	assert_int_equal(echo_stream_count(et), 1);
	s = echo_stream(et, 0);
	assert_int_equal(s->requests, 70000);
	assert_int_equal(s->replies, 70000 - 16);
	assert_int_equal(s->lost, 16);
	assert_int_equal(s->duplicates, 0);
	assert_true(s->interval == 1 * MS);
	assert_int_equal(s->n_episodes, 1);
	e = &s->episodes[0];
	assert_int_equal(e->first_seq, 65530);
	assert_int_equal(e->last_seq, 65545);
	assert_int_equal((uint16_t)e->last_seq, 9);
	assert_true(e->first_lost_ts == T0 + 5530 * MS);
	assert_true(e->estimate == 16 * MS);
	assert_true(e->lower == 15 * MS);
	assert_true(e->upper == 17 * MS);
	assert_int_equal(told + visit_count(et), 16);
	echo_free(et);
}

/* Jittered 16 ms pings with outliers: the median is exact, the mean is not. */
static void test_median_interval(void **state)
{
	static const int gaps[8] = { 14, 15, 16, 16, 17, 18, 16, 40 };
	struct echo_table *et = table();
	const struct echo_stream_info *s;
	mm_ns t = T0;

	(void)state;
	for (uint16_t i = 0; i < 200; i++) {
		ping(et, 0, 1, i, t, 2 * MS);
		t += gaps[i % 8] * MS;
	}
	assert_int_equal(echo_finish(et, t), 0);
	s = echo_stream(et, 0);
	assert_true(s->interval == 16 * MS);
	assert_true(s->rtt_median == 2 * MS);
	assert_int_equal(s->n_episodes, 0);
	assert_int_equal(s->lost, 0);
	assert_true(s->lost_x_interval == 0);
	echo_free(et);
}

/* Three outages of 5, 20 and 2 requests at 10 ms. */
static void test_several_outages(void **state)
{
	struct echo_table *et = table();
	const struct echo_stream_info *s;

	(void)state;
	for (uint16_t i = 0; i < 300; i++) {
		int lost = (i >= 50 && i < 55) || (i >= 100 && i < 120) || (i >= 200 && i < 202);

		ping(et, 0, 1, i, T0 + i * 10 * MS, lost ? NO_REPLY : 1 * MS);
	}
	assert_int_equal(echo_finish(et, T0 + 2991 * MS), 0);
	s = echo_stream(et, 0);
	assert_int_equal(s->n_episodes, 3);
	assert_int_equal(s->lost, 27);
	assert_int_equal(s->episodes[0].first_seq, 50);
	assert_int_equal(s->episodes[0].lost, 5);
	assert_true(s->episodes[0].estimate == 50 * MS);
	assert_int_equal(s->episodes[1].first_seq, 100);
	assert_int_equal(s->episodes[1].last_seq, 119);
	assert_int_equal(s->episodes[1].lost, 20);
	assert_true(s->episodes[1].estimate == 200 * MS);
	assert_true(s->episodes[1].upper == 210 * MS);
	assert_int_equal(s->episodes[2].lost, 2);
	assert_true(s->episodes[2].estimate == 20 * MS);
	assert_true(s->episodes[2].lower == 10 * MS);
	assert_true(s->downtime_total == 270 * MS);
	assert_true(s->downtime_longest == 200 * MS);
	assert_true(s->lost_x_interval == 270 * MS);
	assert_int_equal(visit_count(et), 27);
	echo_free(et);
}

/* The capture starts inside the outage. */
static void test_outage_at_start(void **state)
{
	struct echo_table *et = table();
	const struct echo_stream_info *s;
	const struct episode *e;

	(void)state;
	for (uint16_t i = 0; i < 50; i++)
		ping(et, 0, 1, i, T0 + i * 10 * MS, i < 10 ? NO_REPLY : 1 * MS);
	assert_int_equal(echo_finish(et, T0 + 491 * MS), 0);
	s = echo_stream(et, 0);
	assert_int_equal(s->n_episodes, 1);
	e = &s->episodes[0];
	assert_int_equal(e->began_in_capture, 0);
	assert_int_equal(e->ended_in_capture, 1);
	assert_int_equal(e->lost, 10);
	assert_true(e->estimate == 100 * MS);
	assert_true(e->lower == 90 * MS);
	assert_true(e->upper == MM_NS_NONE);
	echo_free(et);
}

/* The capture ends inside the outage; the last two requests are pending. */
static void test_outage_at_end(void **state)
{
	struct echo_table *et = table();
	const struct echo_stream_info *s;
	const struct episode *e;

	(void)state;
	for (uint16_t i = 0; i < 100; i++)
		ping(et, 0, 1, i, T0 + i * 10 * MS, i >= 50 ? NO_REPLY : 1 * MS);
	/* window = max(2 x 10 ms, 2 x 1 ms, 10 ms) = 20 ms before 991 ms: 980, 990 pending */
	assert_int_equal(echo_finish(et, T0 + 991 * MS), 0);
	s = echo_stream(et, 0);
	assert_int_equal(s->pending, 2);
	assert_int_equal(s->lost, 48);
	assert_int_equal(s->n_episodes, 1);
	e = &s->episodes[0];
	assert_int_equal(e->first_seq, 50);
	assert_int_equal(e->last_seq, 97);
	assert_int_equal(e->began_in_capture, 1);
	assert_int_equal(e->ended_in_capture, 0);
	assert_true(e->lower == 470 * MS);
	assert_true(e->estimate == 480 * MS);
	assert_true(e->upper == MM_NS_NONE);
	assert_int_equal(visit_count(et), 48);
	echo_free(et);
}

/* The last request is still in flight when the capture stops. */
static void test_pending_not_lost(void **state)
{
	struct echo_table *et = table();
	const struct echo_stream_info *s;

	(void)state;
	for (uint16_t i = 0; i < 50; i++)
		ping(et, 0, 1, i, T0 + i * 10 * MS, 1 * MS);
	req(et, 0, 1, 50, T0 + 500 * MS);
	assert_int_equal(echo_finish(et, T0 + 502 * MS), 0);
	s = echo_stream(et, 0);
	assert_int_equal(s->requests, 51);
	assert_int_equal(s->pending, 1);
	assert_int_equal(s->lost, 0);
	assert_int_equal(s->n_episodes, 0);
	assert_int_equal(visit_count(et), 0);
	echo_free(et);
}

/* Only replies visible: seqs 10..14 missing between replies at 90 ms and 150 ms. */
static void test_replies_only(void **state)
{
	struct echo_table *et = table();
	const struct echo_stream_info *s;
	const struct episode *e;
	struct ts_list l = { .n = 0 };

	(void)state;
	for (uint16_t i = 0; i < 30; i++) {
		if (i < 10 || i > 14)
			rep(et, 0, 1, i, T0 + i * 10 * MS);
	}
	assert_int_equal(echo_finish(et, T0 + 290 * MS), 0);
	s = echo_stream(et, 0);
	assert_int_equal(s->replies_only, 1);
	assert_int_equal(s->requests, 0);
	assert_int_equal(s->replies, 25);
	assert_true(s->interval == 10 * MS);
	assert_true(s->rtt_median == MM_NS_NONE);
	assert_int_equal(s->n_episodes, 1);
	assert_int_equal(s->lost, 5);
	e = &s->episodes[0];
	assert_int_equal(e->inferred, 1);
	assert_int_equal(e->first_seq, 10);
	assert_int_equal(e->last_seq, 14);
	assert_int_equal(e->lost, 5);
	assert_true(e->first_lost_ts == T0 + 100 * MS);
	assert_true(e->last_lost_ts == T0 + 140 * MS);
	assert_true(e->estimate == 50 * MS);
	assert_true(e->lower == 40 * MS);
	assert_true(e->upper == 60 * MS);
	echo_visit_lost(et, list_cb, &l);
	assert_int_equal(l.n, 5);
	for (size_t i = 0; i < 5; i++)
		assert_true(l.ts[i] == T0 + (mm_ns)(100 + 10 * i) * MS);
	echo_free(et);
}

/* Requests that never get any reply are reported as such, not as downtime. */
static void test_never_answered(void **state)
{
	struct echo_table *et = table();
	const struct echo_stream_info *s;

	(void)state;
	for (uint16_t i = 0; i < 20; i++)
		req(et, 0, 1, i, T0 + i * 10 * MS);
	assert_int_equal(echo_finish(et, T0 + 5 * MM_NS_PER_S), 0);
	s = echo_stream(et, 0);
	assert_int_equal(s->never_answered, 1);
	assert_int_equal(s->requests, 20);
	assert_int_equal(s->replies, 0);
	assert_int_equal(s->lost, 0);
	assert_int_equal(s->n_episodes, 0);
	assert_true(s->downtime_total == 0);
	assert_int_equal(visit_count(et), 0);
	echo_free(et);
}

/* Duplicate replies are counted; duplicate requests (two interfaces) count once. */
static void test_duplicates(void **state)
{
	struct echo_table *et = table();
	const struct echo_stream_info *s;

	(void)state;
	for (uint16_t i = 0; i < 20; i++) {
		ping(et, 0, 1, i, T0 + i * 10 * MS, 1 * MS);
		if (i % 5 == 0)
			rep(et, 0, 1, i, T0 + i * 10 * MS + 2 * MS);
		if (i == 7)
			req(et, 0, 1, i, T0 + i * 10 * MS + 5 * US);
	}
	assert_int_equal(echo_finish(et, T0 + 200 * MS), 0);
	s = echo_stream(et, 0);
	assert_int_equal(s->requests, 20);
	assert_int_equal(s->replies, 20);
	assert_int_equal(s->duplicates, 4);
	assert_int_equal(s->lost, 0);
	assert_true(s->rtt_median == 1 * MS);
	echo_free(et);
}

/* Two captures (source and destination node) of the same pings: nothing doubles. */
static void test_two_captures(void **state)
{
	struct echo_table *et = table();
	const struct echo_stream_info *s;
	struct dec_pkt p;

	(void)state;
	for (uint16_t i = 0; i < 10; i++) {
		for (unsigned src = 0; src < 2; src++) {
			/* the first sighting counts (ECHO_NEW), the other vantage point's copy not */
			p = mk(0, 1, 2, 1, 1, i);
			assert_int_equal(echo_account(et, &p, src, T0 + i * 10 * MS + src * US),
					 src ? ECHO_SEEN : ECHO_NEW);
			p = mk(0, 1, 2, 0, 1, i);
			assert_int_equal(echo_account(et, &p, src, T0 + i * 10 * MS + MS + src * US),
					 src ? ECHO_SEEN : ECHO_NEW);
		}
	}
	/* a real duplicate, seen by capture 1 twice */
	p = mk(0, 1, 2, 0, 1, 3);
	assert_int_equal(echo_account(et, &p, 1, T0 + 35 * MS), ECHO_SEEN);
	assert_int_equal(echo_finish(et, T0 + 100 * MS), 0);
	s = echo_stream(et, 0);
	assert_int_equal(s->requests, 10);
	assert_int_equal(s->replies, 10);
	assert_int_equal(s->duplicates, 0);
	assert_int_equal(s->lost, 0);
	assert_true(s->rtt_median == 1 * MS);
	echo_free(et);
}

/* Replies out of order, and a reply seen before any request (older seqs later). */
static void test_reordered(void **state)
{
	struct echo_table *et = table();
	const struct echo_stream_info *s;

	(void)state;
	/* first message of the stream: the reply to seq 10, then seqs 0..20 */
	rep(et, 0, 1, 10, T0 + 101 * MS);
	for (uint16_t i = 0; i <= 20; i++)
		req(et, 0, 1, i, T0 + i * 10 * MS);
	for (uint16_t i = 0; i < 20; i += 2) {
		rep(et, 0, 1, (uint16_t)(i + 1), T0 + (i + 1) * 10 * MS + 1 * MS);
		if (i != 10)
			rep(et, 0, 1, i, T0 + i * 10 * MS + 1 * MS);
	}
	rep(et, 0, 1, 20, T0 + 201 * MS);
	assert_int_equal(echo_finish(et, T0 + 201 * MS), 0);
	s = echo_stream(et, 0);
	assert_int_equal(s->requests, 21);
	assert_int_equal(s->replies, 21);
	assert_int_equal(s->duplicates, 0);
	assert_int_equal(s->lost, 0);
	assert_int_equal(s->n_episodes, 0);
	assert_true(s->first_ts == T0);
	assert_true(s->interval == 10 * MS);

	/* a request just below seq 0 (65535) unwraps to -1 and is reported as 65535 */
	echo_free(et);
	et = table();
	for (uint16_t i = 0; i < 10; i++)
		ping(et, 0, 1, i, T0 + (i + 1) * 10 * MS, i == 0 ? NO_REPLY : 1 * MS);
	ping(et, 0, 1, 65535, T0, 1 * MS);
	assert_int_equal(echo_finish(et, T0 + 101 * MS), 0);
	s = echo_stream(et, 0);
	assert_int_equal(s->requests, 11);
	assert_int_equal(s->n_episodes, 1);
	assert_int_equal((uint16_t)s->episodes[0].first_seq, 0);
	assert_int_equal(s->episodes[0].first_seq, s->episodes[0].last_seq);
	assert_true(s->episodes[0].first_lost_ts == T0 + 10 * MS);
	assert_int_equal(s->episodes[0].began_in_capture, 1);
	echo_free(et);
}

/* A reply after late_after (3) later requests is late but answered. */
static void test_late(void **state)
{
	struct echo_table *et = table();
	const struct echo_stream_info *s;

	(void)state;
	for (uint16_t i = 0; i < 50; i++) {
		mm_ns rtt = 1 * MS;

		if (i == 20)
			rtt = 45 * MS;   /* after request 23 (230 ms): late */
		if (i == 30)
			rtt = 25 * MS;   /* before request 33: not late */
		ping(et, 0, 1, i, T0 + i * 10 * MS, rtt);
	}
	assert_int_equal(echo_finish(et, T0 + 491 * MS), 0);
	s = echo_stream(et, 0);
	assert_int_equal(s->late, 1);
	assert_int_equal(s->replies, 50);
	assert_int_equal(s->lost, 0);
	assert_int_equal(s->n_episodes, 0);
	echo_free(et);
}

/* A request and its reply never captured in the middle count as lost, interpolated. */
static void test_missing_seqs(void **state)
{
	struct echo_table *et = table();
	const struct echo_stream_info *s;
	struct ts_list l = { .n = 0 };

	(void)state;
	for (uint16_t i = 0; i < 60; i++) {
		if (i >= 30 && i < 33)
			continue;
		ping(et, 0, 1, i, T0 + i * 10 * MS, 1 * MS);
	}
	assert_int_equal(echo_finish(et, T0 + 591 * MS), 0);
	s = echo_stream(et, 0);
	assert_int_equal(s->requests, 57);
	assert_int_equal(s->lost, 3);
	assert_int_equal(s->n_episodes, 1);
	assert_true(s->episodes[0].first_lost_ts == T0 + 300 * MS);
	assert_true(s->episodes[0].estimate == 30 * MS);
	echo_visit_lost(et, list_cb, &l);
	assert_int_equal(l.n, 3);
	assert_true(l.ts[0] == T0 + 300 * MS);
	assert_true(l.ts[1] == T0 + 310 * MS);
	assert_true(l.ts[2] == T0 + 320 * MS);
	echo_free(et);
}

static void test_ipv6(void **state)
{
	struct echo_table *et = table();
	const struct echo_stream_info *s;

	(void)state;
	for (uint16_t i = 0; i < 100; i++)
		ping(et, 1, 0x1234, i, T0 + i * 20 * MS, 500 * US);
	/* an IPv4 stream with the same id and last address bytes stays apart */
	ping(et, 0, 0x1234, 0, T0 + 5 * MS, 500 * US);
	assert_int_equal(echo_finish(et, T0 + 1981 * MS), 0);
	assert_int_equal(echo_stream_count(et), 2);
	s = echo_stream(et, 0);
	assert_int_equal(s->pinger.family, 6);
	assert_int_equal(s->pinger.a[0], 0xfd);
	assert_int_equal(s->pinger.a[15], 1);
	assert_int_equal(s->target.a[15], 2);
	assert_int_equal(s->id, 0x1234);
	assert_int_equal(s->requests, 100);
	assert_int_equal(s->replies, 100);
	assert_true(s->interval == 20 * MS);
	assert_true(s->rtt_median == 500 * US);
	assert_int_equal(echo_stream(et, 1)->pinger.family, 4);
	assert_int_equal(echo_stream(et, 1)->requests, 1);
	assert_null(echo_stream(et, 2));
	echo_free(et);
}

/* Two identifiers between the same hosts are two streams, in order of first message. */
static void test_two_streams(void **state)
{
	struct echo_table *et = table();
	const struct echo_stream_info *a, *b;

	(void)state;
	for (uint16_t i = 0; i < 100; i++) {
		ping(et, 0, 2, i, T0 + i * 10 * MS + 5 * MS, 1 * MS);
		ping(et, 0, 1, i, T0 + i * 10 * MS + 6 * MS, (i >= 20 && i < 30) ? NO_REPLY : 1 * MS);
	}
	assert_int_equal(echo_finish(et, T0 + 998 * MS), 0);
	assert_int_equal(echo_stream_count(et), 2);
	a = echo_stream(et, 0);
	b = echo_stream(et, 1);
	assert_int_equal(a->id, 2);
	assert_int_equal(b->id, 1);
	assert_int_equal(a->requests, 100);
	assert_int_equal(b->requests, 100);
	assert_int_equal(a->lost, 0);
	assert_int_equal(a->n_episodes, 0);
	assert_int_equal(b->lost, 10);
	assert_int_equal(b->n_episodes, 1);
	assert_int_equal(visit_count(et), 10);
	echo_free(et);
}

static void test_caps(void **state)
{
	struct echo_cfg cfg = { .max_streams = 1 };
	struct echo_table *et = echo_new(&cfg);
	struct dec_pkt p;

	(void)state;
	assert_non_null(et);
	ping(et, 0, 1, 0, T0, 1 * MS);
	p = mk(0, 1, 2, 1, 2, 0);
	assert_int_equal(echo_account(et, &p, 0, T0 + 2 * MS), -1);
	p = mk(0, 3, 2, 0, 1, 0);
	assert_int_equal(echo_account(et, &p, 0, T0 + 3 * MS), -1);
	assert_int_equal(echo_dropped(et), 2);
	assert_int_equal(echo_finish(et, T0 + 3 * MS), 0);
	assert_int_equal(echo_stream_count(et), 1);
	echo_free(et);

	/* request slots: 100 over all streams; a longer stream retires its oldest and takes all */
	cfg.max_streams = 0;
	cfg.max_requests = 100;
	et = echo_new(&cfg);
	assert_non_null(et);
	for (uint16_t i = 0; i < 500; i++) {
		p = mk(0, 1, 2, 1, 1, i);
		assert_int_equal(echo_account(et, &p, 0, T0 + i * MS), 1);
	}
	assert_int_equal(echo_dropped(et), 0);
	/* a new stream does not fit either */
	p = mk(0, 1, 2, 1, 9, 0);
	assert_int_equal(echo_account(et, &p, 0, T0), -1);
	assert_int_equal(echo_finish(et, T0 + 500 * MS), 0);
	assert_int_equal(echo_stream_count(et), 1);
	assert_int_equal(echo_stream(et, 0)->requests, 500);
	assert_int_equal(echo_stream(et, 0)->never_answered, 1);
	echo_free(et);
}

/* Thousands of streams (hash growth): each keeps its own counts, in order of first message. */
static void test_many_streams(void **state)
{
	struct echo_cfg cfg = { .max_streams = 4096 };
	struct echo_table *et = echo_new(&cfg);

	(void)state;
	assert_non_null(et);
	for (uint16_t i = 0; i < 20; i++) {
		for (uint16_t id = 0; id < 3000; id++) {
			struct dec_pkt p = mk(0, (uint8_t)(1 + id % 7), 2, 1, id, i);
			mm_ns t = T0 + i * 10 * MS + id * US;

			assert_int_equal(echo_account(et, &p, 0, t), 1);
			/* stream id 42 loses seqs 5..9 */
			if (id == 42 && i >= 5 && i < 10)
				continue;
			p = mk(0, (uint8_t)(1 + id % 7), 2, 0, id, i);
			assert_int_equal(echo_account(et, &p, 0, t + 1 * MS), 1);
		}
	}
	assert_int_equal(echo_finish(et, T0 + 200 * MS), 0);
	assert_int_equal(echo_stream_count(et), 3000);
	for (size_t i = 0; i < 3000; i++) {
		const struct echo_stream_info *s = echo_stream(et, i);

		assert_int_equal(s->id, i);
		assert_int_equal(s->pinger.a[3], 1 + i % 7);
		assert_int_equal(s->requests, 20);
		assert_int_equal(s->replies, i == 42 ? 15 : 20);
		assert_int_equal(s->lost, i == 42 ? 5 : 0);
	}
	assert_int_equal(visit_count(et), 5);
	assert_int_equal(echo_dropped(et), 0);
	echo_free(et);
}

/* Non-echo frames are ignored; NULL is a no-op for echo_free. */
static void test_ignored(void **state)
{
	struct echo_table *et = table();
	struct dec_pkt p = mk(0, 1, 2, 1, 1, 0);

	(void)state;
	echo_free(NULL);
	p.icmp.echo = DEC_ECHO_NONE;
	assert_int_equal(echo_account(et, &p, 0, T0), 0);
	p = mk(0, 1, 2, 1, 1, 0);
	p.proto = 6;
	assert_int_equal(echo_account(et, &p, 0, T0), 0);
	p = mk(0, 1, 2, 1, 1, 0);
	p.status = DEC_TRUNCATED;
	assert_int_equal(echo_account(et, &p, 0, T0), 0);
	assert_int_equal(echo_finish(et, T0), 0);
	assert_int_equal(echo_stream_count(et), 0);
	assert_int_equal(echo_dropped(et), 0);
	assert_int_equal(visit_count(et), 0);
	echo_free(et);
}

/* ---- streaming: a table that retires slots all the time reports what one that keeps them all does ---- */

struct msg {
	int is_req;
	uint16_t seq;
	mm_ns ts;
};

static uint64_t erng = 88172645463325252ULL;

static unsigned erand(unsigned n)
{
	erng ^= erng << 13;
	erng ^= erng >> 7;
	erng ^= erng << 17;
	return (unsigned)((erng >> 11) % n);
}

static int cmp_msg(const void *a, const void *b)
{
	const struct msg *x = a, *y = b;

	return (x->ts > y->ts) - (x->ts < y->ts);
}

/*
 * n pings from seq 65000 (so it wraps), every 10 ms +- 300 us, RTT 1-3 ms;
 * outages of 3 to 200 requests, a reply now and then 6 pings late, a
 * duplicate reply; with `replies_only` the requests are not captured.
 */
static size_t scenario(struct msg *m, size_t n, int replies_only, int start_down)
{
	size_t k = 0;
	int down = start_down ? 40 : 0;

	for (size_t i = 0; i < n; i++) {
		mm_ns t = T0 + (mm_ns)i * 10 * MS + (mm_ns)erand(600) * US;
		uint16_t seq = (uint16_t)(65000 + i);
		mm_ns rtt = (mm_ns)(1000 + erand(2000)) * US;

		if (!down && erand(100) == 0)
			down = 3 + (int)erand(198);
		if (!replies_only)
			m[k++] = (struct msg){ 1, seq, t };
		if (down) {
			down--;
			continue;
		}
		if (erand(200) == 0)
			rtt += 60 * MS;		/* late */
		m[k++] = (struct msg){ 0, seq, t + rtt };
		if (erand(300) == 0)
			m[k++] = (struct msg){ 0, seq, t + rtt + 5 * US };	/* duplicate */
	}
	qsort(m, k, sizeof(*m), cmp_msg);
	return k;
}

static void sink(void *ctx, mm_ns ts)
{
	struct ts_list *l = ctx;

	/* order-free fingerprint of the lost times: count and sum */
	l->n++;
	l->ts[0] = (mm_ns)((uint64_t)l->ts[0] + (uint64_t)ts);   /* wraps: a fingerprint, not a sum */
}

static void same_streams(const struct msg *m, size_t k, mm_ns end)
{
	struct echo_cfg small = { .max_requests = 64 };
	struct echo_table *a = table(), *b = echo_new(&small);
	struct ts_list la, lb;
	const struct echo_stream_info *x, *y;

	assert_non_null(b);
	memset(&la, 0, sizeof(la));
	memset(&lb, 0, sizeof(lb));
	echo_set_lost_sink(a, sink, &la);
	echo_set_lost_sink(b, sink, &lb);
	for (size_t i = 0; i < k; i++) {
		struct dec_pkt p = mk(0, 1, 2, m[i].is_req, 77, m[i].seq);

		int ra = echo_account(a, &p, 0, m[i].ts);

		assert_true(ra > 0);
		assert_int_equal(echo_account(b, &p, 0, m[i].ts), ra);
	}
	assert_int_equal(echo_finish(a, end), 0);
	assert_int_equal(echo_finish(b, end), 0);
	echo_visit_lost(a, sink, &la);
	echo_visit_lost(b, sink, &lb);
	x = echo_stream(a, 0);
	y = echo_stream(b, 0);
	assert_int_equal(x->requests, y->requests);
	assert_int_equal(x->replies, y->replies);
	assert_int_equal(x->lost, y->lost);
	assert_int_equal(x->pending, y->pending);
	assert_int_equal(x->duplicates, y->duplicates);
	assert_int_equal(x->late, y->late);
	assert_true(x->interval == y->interval);
	assert_true(x->rtt_median == y->rtt_median);
	assert_int_equal(x->n_episodes, y->n_episodes);
	assert_true(x->n_episodes > 3);
	for (size_t e = 0; e < x->n_episodes; e++)
		assert_memory_equal(&x->episodes[e], &y->episodes[e], sizeof(x->episodes[e]));
	assert_true(x->downtime_total == y->downtime_total);
	assert_true(x->downtime_longest == y->downtime_longest);
	assert_true(x->lost_x_interval == y->lost_x_interval);
	assert_true(x->duration_x_loss == y->duration_x_loss);
	assert_int_equal(la.n, lb.n);
	assert_true(la.ts[0] == lb.ts[0]);
	assert_true(la.n > 0);
	/*
	 * Unresponsive time: the same runs, though the retired ones were judged
	 * by the threshold of their moment (RTTs of 1-3 ms or 60 ms more are
	 * far from max(10 x ~2 ms, 10 ms) either way).
	 */
	assert_true(x->unresp_threshold == y->unresp_threshold);
	assert_int_equal(x->n_unresp, y->n_unresp);
	assert_true(x->n_unresp >= (x->replies_only ? 0 : x->n_episodes));
	for (size_t e = 0; e < x->n_unresp; e++) {
		struct unresp_episode ux = x->unresp[e], uy = y->unresp[e];

		ux.threshold = uy.threshold = 0;
		assert_memory_equal(&ux, &uy, sizeof(ux));
	}
	assert_true(x->unresp_total == y->unresp_total);
	assert_true(x->unresp_worst_rtt == y->unresp_worst_rtt);
	echo_free(a);
	echo_free(b);
}

static void test_streaming_same(void **state)
{
	static struct msg m[3 * 6000];
	size_t k;

	(void)state;
	k = scenario(m, 6000, 0, 0);
	same_streams(m, k, m[k - 1].ts);
	k = scenario(m, 6000, 0, 1);
	same_streams(m, k, m[k - 1].ts + 5 * MS);
	k = scenario(m, 6000, 1, 0);
	same_streams(m, k, m[k - 1].ts);
}

/* Hours of 1 ms pings keep a bounded window: memory does not grow with the capture. */
static void test_streaming_bounded(void **state)
{
	struct echo_table *et = table();
	const struct echo_stream_info *s;
	uint64_t told = 0;

	(void)state;
	echo_set_lost_sink(et, count_cb, &told);
	for (uint32_t i = 0; i < 2000000; i++) {
		int lost = i % 500000 >= 100000 && i % 500000 < 100500;

		ping(et, 0, 3, (uint16_t)i, T0 + (mm_ns)i * MS, lost ? NO_REPLY : 200 * US);
	}
	assert_int_equal(echo_finish(et, T0 + 1999999 * MS + 200 * US), 0);
	s = echo_stream(et, 0);
	assert_int_equal(s->requests, 2000000);
	assert_int_equal(s->lost, 4 * 500);
	assert_int_equal(s->n_episodes, 4);
	assert_true(s->interval == 1 * MS);
	assert_true(s->rtt_median == 200 * US);
	assert_true(s->episodes[3].first_seq == 1600000);
	assert_true(s->episodes[3].estimate == 500 * MS);
	assert_int_equal(told + visit_count(et), 2000);
	assert_int_equal(echo_dropped(et), 0);
	echo_free(et);
}

/* ---- odd timestamps (found by fuzzing): nothing overflows, nothing is negative ---- */

/* What must hold of every stream and episode, whatever the timestamps. */
static void check_sane(const struct echo_stream_info *s)
{
	assert_true(s->interval == MM_NS_NONE || s->interval >= 0);
	assert_true(s->downtime_total >= 0);
	assert_true(s->downtime_longest >= 0 && s->downtime_longest <= s->downtime_total);
	assert_true(s->lost_x_interval == MM_NS_NONE || s->lost_x_interval >= 0);
	assert_true(s->duration_x_loss >= 0);
	for (size_t e = 0; e < s->n_episodes; e++) {
		const struct episode *ep = &s->episodes[e];

		assert_true(ep->lower >= 0);
		assert_true(ep->estimate >= ep->lower);
		assert_true(ep->upper == MM_NS_NONE || ep->upper >= ep->estimate);
		assert_true(ep->first_lost_ts >= s->first_ts && ep->first_lost_ts <= s->last_ts);
		assert_true(ep->last_lost_ts >= ep->first_lost_ts && ep->last_lost_ts <= s->last_ts);
		assert_true(ep->lost == ep->last_seq - ep->first_seq + 1);
	}
}

/*
 * Three replies stamped at epoch 0, 1700000000 and 1700000000.01 s: the
 * interval is 54 years, (m_seq - k_seq) x interval and lost x interval
 * overflowed (a negative lower bound and lost_x_interval, an episode
 * dated 2077).
 */
static void test_odd_timestamps(void **state)
{
	const mm_ns t1 = 1700000000LL * MM_NS_PER_S;
	struct echo_table *et = table();
	const struct echo_stream_info *s;
	const struct episode *e;

	(void)state;
	rep(et, 0, 9, 1, 0);
	rep(et, 0, 9, 2, t1);
	rep(et, 0, 9, 10, t1 + 10 * MS);
	assert_int_equal(echo_finish(et, t1 + 10 * MS), 0);
	s = echo_stream(et, 0);
	assert_true(s->interval == t1);
	assert_int_equal(s->n_episodes, 1);
	e = &s->episodes[0];
	assert_int_equal(e->lost, 7);
	/* 7 requests lost between replies 10 ms apart: at most 10 ms, inside that gap */
	assert_true(e->upper == 10 * MS);
	assert_true(e->lower == 10 * MS && e->estimate == 10 * MS);
	assert_true(e->first_lost_ts >= t1 && e->last_lost_ts <= t1 + 10 * MS);
	assert_true(s->lost_x_interval == MM_NS_MAX);	/* 7 x 54 years, saturated */
	check_sane(s);
	echo_free(et);
}

/*
 * A clock stepping back 100 s inside one stream, in the middle of an
 * outage (requests 45..55 unanswered): the estimate was -99.99 s.
 */
static void test_clock_step_back(void **state)
{
	struct echo_table *et = table();
	const struct echo_stream_info *s;
	const struct episode *e;

	(void)state;
	for (uint16_t i = 0; i < 100; i++) {
		mm_ns t = T0 + i * 10 * MS - (i >= 50 ? 100 * MM_NS_PER_S : 0);

		ping(et, 0, 7, i, t, (i >= 45 && i <= 55) ? NO_REPLY : 1 * MS);
	}
	assert_int_equal(echo_finish(et, T0 + 491 * MS), 0);
	s = echo_stream(et, 0);
	assert_int_equal(s->clock_steps_back, 1);
	assert_true(s->interval == 10 * MS);
	assert_int_equal(s->n_episodes, 1);
	e = &s->episodes[0];
	assert_int_equal(e->lost, 11);
	assert_int_equal(e->by_interval, 1);
	assert_true(e->estimate == 110 * MS);
	assert_true(e->lower == 100 * MS);
	assert_true(e->upper == 120 * MS);
	assert_true(s->downtime_total == 110 * MS);
	/* the duration leaves the step out: 0.49 s before it, 0.491 s after */
	assert_true(s->duration_x_loss == 981 * MS * 11 / 100);
	check_sane(s);
	echo_free(et);

	/* an ordinary stream: no step, episodes timed by their requests */
	et = table();
	for (uint16_t i = 0; i < 100; i++)
		ping(et, 0, 7, i, T0 + i * 10 * MS, (i >= 45 && i <= 55) ? NO_REPLY : 1 * MS);
	assert_int_equal(echo_finish(et, T0 + 991 * MS), 0);
	assert_int_equal(echo_stream(et, 0)->clock_steps_back, 0);
	assert_int_equal(echo_stream(et, 0)->episodes[0].by_interval, 0);
	echo_free(et);
}

/*
 * Replies only, 1..10 and 13..20 every 10 ms, then the reply to `late`
 * (11 or 12) at +0.25 s.  The late reply was taken as the episode's edge:
 * an episode after the capture's end with a negative upper bound (11
 * late), or 0.14 s of downtime for a 0.02 s gap (12 late).
 */
static void late_reply_case(uint16_t late)
{
	struct echo_table *et = table();
	const struct echo_stream_info *s;
	const struct episode *e;
	uint16_t lost = late == 11 ? 12 : 11;

	for (uint16_t q = 1; q <= 20; q++)
		if (q != 11 && q != 12)
			rep(et, 0, 3, q, T0 + q * 10 * MS);
	rep(et, 0, 3, late, T0 + 250 * MS);
	assert_int_equal(echo_finish(et, T0 + 250 * MS), 0);
	s = echo_stream(et, 0);
	assert_int_equal(s->replies_only, 1);
	assert_true(s->interval == 10 * MS);
	assert_int_equal(s->late, 1);
	assert_int_equal(s->n_episodes, 1);
	e = &s->episodes[0];
	assert_int_equal(e->first_seq, lost);
	assert_int_equal(e->lost, 1);
	assert_int_equal(e->by_interval, 0);
	/* as with the requests seen: sent at +lost x 10 ms, the next one answered 10 ms later */
	assert_true(e->first_lost_ts == T0 + lost * 10 * MS);
	assert_true(e->estimate == 10 * MS);
	assert_true(e->lower == 0);
	assert_true(e->upper == 20 * MS);
	assert_true(s->downtime_total == 10 * MS);
	check_sane(s);
	echo_free(et);
}

static void test_late_reply_not_an_edge(void **state)
{
	(void)state;
	late_reply_case(11);
	late_reply_case(12);
}

/* Hostile timestamps of every kind, kept and streamed: the invariants hold. */
static void test_odd_timestamps_random(void **state)
{
	static const mm_ns odd[] = { 0, 1, T0, T0 + 1, INT64_MAX / 2, INT64_MAX - 1, MM_NS_MIN + 1, -T0 };
	struct echo_cfg small = { .max_requests = 64 };

	(void)state;
	for (int round = 0; round < 200; round++) {
		struct echo_table *et = round & 1 ? echo_new(&small) : table();
		size_t n = 5 + erand(3000);
		uint16_t seq = (uint16_t)erand(65536);
		mm_ns t = odd[erand(8)];

		assert_non_null(et);
		for (size_t i = 0; i < n; i++) {
			struct dec_pkt p;
			unsigned what = erand(10);

			if (what == 0)
				t = odd[erand(8)];			/* a jump anywhere */
			else
				t = mm_add(t, (mm_ns)erand(20) * MS - (erand(50) == 0 ? 100 * MM_NS_PER_S : 0));
			seq = (uint16_t)(seq + (erand(30) == 0 ? erand(200) : erand(8) == 0 ? 0 : 1));
			p = mk(0, 1, 2, (round & 2) ? 0 : (int)(erand(2)), 5, (uint16_t)(seq - (erand(20) == 0)));
			(void)echo_account(et, &p, erand(3), t);
		}
		assert_int_equal(echo_finish(et, t), 0);
		for (size_t i = 0; i < echo_stream_count(et); i++)
			check_sane(echo_stream(et, i));
		(void)visit_count(et);
		echo_free(et);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_outage),
		cmocka_unit_test(test_episodes_so_far),
		cmocka_unit_test(test_big_jumps),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_median_interval),
		cmocka_unit_test(test_several_outages),
		cmocka_unit_test(test_outage_at_start),
		cmocka_unit_test(test_outage_at_end),
		cmocka_unit_test(test_pending_not_lost),
		cmocka_unit_test(test_replies_only),
		cmocka_unit_test(test_never_answered),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_two_captures),
		cmocka_unit_test(test_reordered),
		cmocka_unit_test(test_late),
		cmocka_unit_test(test_missing_seqs),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_two_streams),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_many_streams),
		cmocka_unit_test(test_ignored),
		cmocka_unit_test(test_streaming_same),
		cmocka_unit_test(test_streaming_bounded),
		cmocka_unit_test(test_odd_timestamps),
		cmocka_unit_test(test_clock_step_back),
		cmocka_unit_test(test_late_reply_not_an_edge),
		cmocka_unit_test(test_odd_timestamps_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
