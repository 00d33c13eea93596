/* test_unresp.c - the threshold rule and unresponsive episodes from request/reply times (src/unresp.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "unresp.h"

#define US ((mm_ns)1000)
#define MS ((mm_ns)1000000)
#define T0 ((mm_ns)1700000000 * MM_NS_PER_S)

static void test_threshold_rule(void **state)
{
	(void)state;
	/* max(10 x median RTT, interval) */
	assert_true(unresp_threshold(300 * US, 10 * MS) == 10 * MS);
	assert_true(unresp_threshold(2 * MS, 10 * MS) == 20 * MS);
	assert_true(unresp_threshold(MM_NS_NONE, 10 * MS) == 10 * MS);
	assert_true(unresp_threshold(2 * MS, MM_NS_NONE) == 20 * MS);
	assert_true(unresp_threshold(MM_NS_NONE, MM_NS_NONE) == MM_NS_NONE);
	/* absurd: saturates, never negative */
	assert_true(unresp_threshold(MM_NS_MAX / 2, 1) == MM_NS_MAX);
	assert_true(unresp_threshold(-5 * MS, -1) == 0);
}

/* Feeds n requests every 10 ms from T0 with the given RTTs (-1: lost); returns the episodes closed (at most max). */
static size_t feed(struct unresp_run *r, const mm_ns *rtt, size_t n, struct unresp_episode *out, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		mm_ns t = T0 + (mm_ns)i * 10 * MS;

		if (unresp_feed(r, i, t, rtt[i] < 0 ? MM_NS_NONE : t + rtt[i], &out[k]) && k + 1 < max)
			k++;
	}
	if (unresp_end(r, &out[k]) && k + 1 < max)
		k++;
	return k;
}

static void test_postcopy_run(void **state)
{
	/* 0-4 timely, 5 lost, 6-9 late (400, 300, 200, 100 ms), 10-14 timely */
	mm_ns rtt[15] = { US, US, US, US, US, -1, 400 * MS, 300 * MS, 200 * MS, 100 * MS, US, US, US, US, US };
	struct unresp_run r;
	struct unresp_episode e[4];
	size_t n;

	(void)state;
	unresp_init(&r, 10 * MS, 10 * MS);
	n = feed(&r, rtt, 15, e, 4);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].first, 5);
	assert_int_equal(e[0].last, 9);
	assert_int_equal(e[0].lost, 1);
	assert_int_equal(e[0].late, 4);
	assert_true(e[0].worst_rtt == 400 * MS);
	/* the reply gap: reply of 4 (T0 + 40 ms + 1 us) to reply of 10 (T0 + 100 ms + 1 us) */
	assert_true(e[0].start == T0 + 40 * MS + US);
	assert_true(e[0].end == T0 + 100 * MS + US);
	assert_true(e[0].gap == 60 * MS);
	/* lower: requests 5..9 not answered in time; upper: request 4 to the reply of 10 */
	assert_true(e[0].lower == 40 * MS);
	assert_true(e[0].upper == 60 * MS + US);
	assert_true(e[0].threshold == 10 * MS);
	assert_int_equal(e[0].began_in_capture, 1);
	assert_int_equal(e[0].ended_in_capture, 1);
}

static void test_edges(void **state)
{
	/* late at the start (no timely reply before), then one at the end still going */
	mm_ns rtt[8] = { 50 * MS, 20 * MS, US, US, US, US, -1, -1 };
	struct unresp_run r;
	struct unresp_episode e[4];
	size_t n;

	(void)state;
	unresp_init(&r, 10 * MS, 10 * MS);
	n = feed(&r, rtt, 8, e, 4);
	assert_int_equal(n, 2);
	assert_int_equal(e[0].began_in_capture, 0);
	assert_true(e[0].start == MM_NS_NONE && e[0].upper == MM_NS_NONE);
	/* from the first late request to the first timely reply */
	assert_true(e[0].gap == 20 * MS + US);
	assert_int_equal(e[1].ended_in_capture, 0);
	assert_true(e[1].end == MM_NS_NONE && e[1].upper == MM_NS_NONE);
	/* open: from the last timely reply to the last request, plus one interval */
	assert_true(e[1].gap == 70 * MS - (50 * MS + US) + 10 * MS);
	assert_int_equal(e[1].lost, 2);
	assert_true(e[1].worst_rtt == MM_NS_NONE);
	/* just at the threshold is timely; one ns more is late */
	unresp_init(&r, 10 * MS, 10 * MS);
	assert_int_equal(unresp_feed(&r, 0, T0, T0 + US, &e[0]), 0);
	assert_int_equal(unresp_feed(&r, 1, T0 + 10 * MS, T0 + 20 * MS, &e[0]), 0);
	assert_int_equal(r.open, 0);
	assert_int_equal(unresp_feed(&r, 2, T0 + 20 * MS, T0 + 30 * MS + 1, &e[0]), 0);
	assert_int_equal(r.open, 1);
	assert_int_equal(unresp_feed(&r, 3, T0 + 30 * MS, T0 + 30 * MS + US, &e[0]), 1);
	assert_int_equal(e[0].late, 1);
	/* retune: later requests judged by the new threshold */
	unresp_retune(&r, 100 * MS, 10 * MS);
	assert_int_equal(unresp_feed(&r, 4, T0 + 40 * MS, T0 + 90 * MS, &e[0]), 0);
	assert_int_equal(r.open, 0);
}

static void test_hostile(void **state)
{
	struct unresp_run r;
	struct unresp_episode e;

	(void)state;
	unresp_init(&r, 10 * MS, MM_NS_MAX);
	/* a reply before its request (merged clocks): answered, timely */
	assert_int_equal(unresp_feed(&r, 0, T0, T0 - 5 * MS, &e), 0);
	assert_int_equal(r.open, 0);
	/* RTT overflow: a reply at the end of time for a request at the start */
	assert_int_equal(unresp_feed(&r, 1, MM_NS_MIN, MM_NS_MAX, &e), 0);
	assert_int_equal(r.open, 1);
	assert_true(r.cur.worst_rtt == MM_NS_MAX);
	/* absurd times around it: every figure saturated, none negative, lower <= gap <= upper */
	assert_int_equal(unresp_feed(&r, 2, MM_NS_MAX, MM_NS_MAX, &e), 1);
	assert_true(e.gap >= 0 && e.lower >= 0 && e.upper >= 0);
	assert_true(e.lower <= e.gap && e.gap <= e.upper);
	/* open with an interval of MM_NS_MAX: saturates */
	assert_int_equal(unresp_feed(&r, 3, MM_NS_MIN + 1, MM_NS_NONE, &e), 0);
	assert_int_equal(unresp_end(&r, &e), 1);
	assert_true(e.gap == MM_NS_MAX && e.lower >= 0);
	/* a request time unknown and no reply: nothing to judge */
	unresp_init(&r, 10 * MS, 10 * MS);
	assert_int_equal(unresp_feed(&r, 0, MM_NS_NONE, MM_NS_NONE, &e), 0);
	assert_int_equal(r.open, 0);
	assert_int_equal(unresp_end(&r, &e), 0);
	/* no threshold given: zero (every reply with a positive RTT is late), not negative */
	unresp_init(&r, MM_NS_NONE, MM_NS_NONE);
	assert_true(r.threshold == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threshold_rule),
		cmocka_unit_test(test_postcopy_run),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
