/* test_echo_unresp.c - unresponsive time of echo streams (src/echo-unresp.c), live and final, across retired windows. */
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

static struct dec_pkt mk(int is_req, uint16_t id, uint16_t seq)
{
	struct dec_pkt p;

	memset(&p, 0, sizeof(p));
	p.status = DEC_OK;
	p.ip_ver = 4;
	p.proto = 1;
	p.src.family = p.dst.family = 4;
	p.src.a[0] = p.dst.a[0] = 10;
	p.src.a[3] = is_req ? 1 : 2;
	p.dst.a[3] = is_req ? 2 : 1;
	p.icmp.type = is_req ? 8 : 0;
	p.icmp.echo = is_req ? DEC_ECHO_REQUEST : DEC_ECHO_REPLY;
	p.icmp.id = id;
	p.icmp.seq = seq;
	return p;
}

/* A time-ordered message list: requests and replies interleaved as they would be captured. */
struct msg {
	mm_ns ts;
	uint32_t seq;
	int is_req;
};

static int cmp_msg(const void *a, const void *b)
{
	const struct msg *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/*
 * The post-copy shape: pings every 10 ms with 0.3 ms replies; requests
 * `sw` and `sw + 1` are lost; from `sw + 2` the reply time decays
 * linearly from 400 ms to 0.3 ms over 450 ms; n pings in all.
 */
static mm_ns pc_rtt(size_t i, size_t sw)
{
	mm_ns since;

	if (i < sw)
		return 300 * US;
	if (i < sw + 2)
		return NO_REPLY;
	since = (mm_ns)(i - sw - 2) * 10 * MS;
	if (since >= 450 * MS)
		return 300 * US;
	return 400 * MS - (400 * MS - 300 * US) * since / (450 * MS);
}

static size_t postcopy(struct msg *m, size_t n, size_t sw, mm_ns t0)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		mm_ns t = t0 + (mm_ns)i * 10 * MS, r = pc_rtt(i, sw);

		m[k++] = (struct msg){ t, (uint32_t)i, 1 };
		if (r != NO_REPLY)
			m[k++] = (struct msg){ t + r, (uint32_t)i, 0 };
	}
	qsort(m, k, sizeof(*m), cmp_msg);
	return k;
}

static void feed(struct echo_table *et, const struct msg *m, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		struct dec_pkt p = mk(m[i].is_req, 7, (uint16_t)m[i].seq);

		assert_true(echo_account(et, &p, 0, m[i].ts) > 0);
	}
}

/* The first request (from sw + 2) whose reply is within thr. */
static size_t first_timely(size_t sw, mm_ns thr)
{
	size_t j = sw + 2;

	while (pc_rtt(j, sw) > thr)
		j++;
	return j;
}

static void test_postcopy(void **state)
{
	static struct msg m[2 * 400];
	struct echo_table *et = echo_new(NULL);
	const struct echo_stream_info *s;
	const struct unresp_episode *u;
	size_t k = postcopy(m, 400, 100, T0), j = first_timely(100, 10 * MS);
	mm_ns t99 = T0 + 99 * 10 * MS, tj = T0 + (mm_ns)j * 10 * MS;

	(void)state;
	feed(et, m, 0, k);
	assert_int_equal(echo_finish(et, m[k - 1].ts), 0);
	s = echo_stream(et, 0);
	/* the classic loss-based episode stays short: two requests, 20 ms */
	assert_int_equal(s->n_episodes, 1);
	assert_int_equal(s->episodes[0].lost, 2);
	assert_true(s->episodes[0].estimate == 20 * MS);
	/* threshold: max(10 x 0.3 ms, 10 ms) */
	assert_true(s->rtt_median == 300 * US && s->interval == 10 * MS);
	assert_true(s->unresp_threshold == 10 * MS);
	assert_int_equal(s->unresp_fixed, 0);
	assert_int_equal(s->n_unresp, 1);
	u = &s->unresp[0];
	assert_int_equal(u->first, 100);
	assert_int_equal(u->last, j - 1);
	assert_int_equal(u->lost, 2);
	assert_int_equal(u->late, j - 102);
	assert_true(u->worst_rtt == 400 * MS);
	/* the reply gap: the reply to 99 to the reply to j (sent 440 ms after the lost ones, 9.2 ms RTT), exactly */
	assert_true(u->start == t99 + 300 * US);
	assert_true(u->end == tj + pc_rtt(j, 100));
	assert_true(u->gap == u->end - u->start);
	assert_true(u->gap > 470 * MS && u->gap < 490 * MS);
	assert_true(u->lower == (mm_ns)(j - 1 - 100) * 10 * MS);
	assert_true(u->upper == u->end - t99);
	assert_true(s->unresp_total == u->gap && s->unresp_longest == u->gap);
	assert_true(s->unresp_worst_rtt == 400 * MS);
	echo_free(et);

	/* --late-threshold 500ms: no reply is late, only the two lost requests are unanswered in time */
	{
		struct echo_cfg cfg = { 0 };

		cfg.late_threshold = 500 * MS;
		et = echo_new(&cfg);
		feed(et, m, 0, k);
		assert_int_equal(echo_finish(et, m[k - 1].ts), 0);
		s = echo_stream(et, 0);
		assert_true(s->unresp_threshold == 500 * MS);
		assert_int_equal(s->unresp_fixed, 1);
		assert_int_equal(s->n_unresp, 1);
		assert_int_equal(s->unresp[0].late, 0);
		assert_int_equal(s->unresp[0].lost, 2);
		assert_true(s->unresp[0].worst_rtt == MM_NS_NONE);
		echo_free(et);
	}
}

/* A finish while the capture runs gives the episodes closed by then as the final one does. */
static void test_live_equals_final(void **state)
{
	static struct msg m[2 * 600];
	struct echo_table *et = echo_new(NULL);
	const struct echo_stream_info *s;
	struct unresp_episode u;
	struct episode e;
	size_t k = postcopy(m, 600, 100, T0), half = 0;

	(void)state;
	/* up to 1 s after the switchover: both episodes closed, the stream goes on */
	while (m[half].ts < T0 + 2000 * MS)
		half++;
	feed(et, m, 0, half);
	assert_int_equal(echo_finish(et, m[half - 1].ts), 0);
	s = echo_stream(et, 0);
	assert_int_equal(s->n_episodes, 1);
	assert_int_equal(s->n_unresp, 1);
	assert_int_equal(s->unresp[0].ended_in_capture, 1);
	assert_int_equal(s->pending, 0);
	e = s->episodes[0];
	u = s->unresp[0];
	feed(et, m, half, k);
	assert_int_equal(echo_finish(et, m[k - 1].ts), 0);
	s = echo_stream(et, 0);
	assert_int_equal(s->n_episodes, 1);
	assert_int_equal(s->n_unresp, 1);
	assert_memory_equal(&e, &s->episodes[0], sizeof(e));
	assert_memory_equal(&u, &s->unresp[0], sizeof(u));
	assert_int_equal(s->requests, 600);
	echo_free(et);
}

/* Many windows: runs closed in retired slots are the ones a short stream gives. */
static void test_across_windows(void **state)
{
	struct echo_table *et = echo_new(NULL);
	const struct echo_stream_info *s;
	const size_t n = 100000, every = 20000;
	size_t j = first_timely(1000, 10 * MS) - 1000;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		mm_ns t = T0 + (mm_ns)i * 10 * MS, r = pc_rtt(i % every, 1000);
		struct dec_pkt q = mk(1, 9, (uint16_t)i), p = mk(0, 9, (uint16_t)i);

		/* a switchover at 1000, 21000, ... (the reply of a late one comes out of order; fine here) */
		assert_true(echo_account(et, &q, 0, t) > 0);
		if (r != NO_REPLY)
			assert_true(echo_account(et, &p, 0, t + r) > 0);
	}
	assert_int_equal(echo_finish(et, T0 + (mm_ns)n * 10 * MS), 0);
	s = echo_stream(et, 0);
	assert_int_equal(echo_dropped(et), 0);
	assert_int_equal(s->n_episodes, n / every);
	assert_int_equal(s->n_unresp, n / every);
	for (size_t e = 0; e < s->n_unresp; e++) {
		const struct unresp_episode *u = &s->unresp[e];

		assert_int_equal(u->first, e * every + 1000);
		assert_int_equal(u->last, e * every + 1000 + j - 1);
		assert_int_equal(u->lost, 2);
		assert_true(u->worst_rtt == 400 * MS);
		assert_true(u->gap == s->unresp[0].gap);
	}
	echo_free(et);
}

static void sane(const struct echo_stream_info *s)
{
	assert_true(s->unresp_total >= 0 && s->unresp_longest >= 0);
	for (size_t e = 0; e < s->n_unresp; e++) {
		const struct unresp_episode *u = &s->unresp[e];

		assert_true(u->lower >= 0 && u->gap >= u->lower);
		assert_true(u->upper == MM_NS_NONE || u->upper >= u->gap);
		assert_true(u->worst_rtt == MM_NS_NONE || u->worst_rtt >= 0);
		assert_true(u->last >= u->first);
	}
}

/* Absurd timestamps, replies before their requests, RTTs that overflow: sane figures, no crash. */
static void test_hostile(void **state)
{
	static const mm_ns ts[][2] = {
		{ 0, 1 }, { T0, T0 - 5 * MS }, { MM_NS_MIN + 1, MM_NS_MAX }, { MM_NS_MAX, MM_NS_MAX },
		{ T0, T0 + 1 }, { 1, MM_NS_MAX }, { T0 + 20 * MS, T0 + 20 * MS + US }, { -T0, T0 },
		{ T0 + 40 * MS, NO_REPLY }, { T0 + 50 * MS, T0 + 50 * MS + US },
	};
	struct echo_table *et = echo_new(NULL);

	(void)state;
	for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		struct dec_pkt q = mk(1, 3, (uint16_t)i), p = mk(0, 3, (uint16_t)i);

		echo_account(et, &q, 0, ts[i][0]);
		if (ts[i][1] != NO_REPLY)
			echo_account(et, &p, 0, ts[i][1]);
	}
	assert_int_equal(echo_finish(et, MM_NS_MAX), 0);
	sane(echo_stream(et, 0));
	/* the same with a threshold given, and a live finish at an absurd time in between */
	echo_free(et);
	{
		struct echo_cfg cfg = { 0 };

		cfg.late_threshold = MM_NS_MAX;
		et = echo_new(&cfg);
		for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
			struct dec_pkt q = mk(1, 3, (uint16_t)i), p = mk(0, 3, (uint16_t)i);

			echo_account(et, &q, 0, ts[i][0]);
			if (ts[i][1] != NO_REPLY)
				echo_account(et, &p, 0, ts[i][1]);
			assert_int_equal(echo_finish(et, MM_NS_MIN + 1), 0);
			sane(echo_stream(et, 0));
		}
		echo_free(et);
	}
	/* replies only: no RTT, so no unresponsive figures (null, not 0) */
	et = echo_new(NULL);
	for (uint16_t i = 0; i < 50; i++) {
		struct dec_pkt p = mk(0, 4, i);

		if (i < 20 || i > 25)
			echo_account(et, &p, 0, T0 + (mm_ns)i * 10 * MS);
	}
	assert_int_equal(echo_finish(et, T0 + 500 * MS), 0);
	assert_true(echo_stream(et, 0)->unresp_threshold == MM_NS_NONE);
	assert_int_equal(echo_stream(et, 0)->n_unresp, 0);
	assert_int_equal(echo_stream(et, 0)->n_episodes, 1);
	echo_free(et);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_postcopy),
		cmocka_unit_test(test_live_equals_final),
		cmocka_unit_test(test_across_windows),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
