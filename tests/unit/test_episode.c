/* test_episode.c - one episode's figures from its edges (src/episode.c): saturating, clamped, never negative. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "episode.h"

#define MS ((mm_ns)1000000)
#define T0 ((mm_ns)1700000000 * MM_NS_PER_S)

static struct episode_edges req_edges(uint64_t k, uint64_t m, mm_ns first, mm_ns last, mm_ns before, mm_ns after)
{
	struct episode_edges e = { k, m, first, last, before, after, 0 };

	return e;
}

static void test_requests(void **state)
{
	struct episode ep;
	struct episode_edges e = req_edges(40, 49, T0 + 400 * MS, T0 + 490 * MS, T0 + 390 * MS, T0 + 500 * MS);

	(void)state;
	episode_build(&ep, &e, 10 * MS, T0, T0 + 991 * MS);
	assert_int_equal(ep.lost, 10);
	assert_true(ep.estimate == 100 * MS && ep.lower == 90 * MS && ep.upper == 110 * MS);
	assert_int_equal(ep.began_in_capture, 1);
	assert_int_equal(ep.ended_in_capture, 1);
	assert_int_equal(ep.by_interval, 0);
	/* still going at the end: what was seen plus one interval, no upper bound */
	e.after = MM_NS_NONE;
	episode_build(&ep, &e, 10 * MS, T0, T0 + 491 * MS);
	assert_true(ep.estimate == 100 * MS && ep.upper == MM_NS_NONE);
	assert_int_equal(ep.ended_in_capture, 0);
	/* out of order (the clock stepped back): lost x interval, one less and one more */
	e = req_edges(45, 55, T0 + 450 * MS, T0 + 550 * MS - 100 * MM_NS_PER_S, T0 + 440 * MS,
		      T0 + 560 * MS - 100 * MM_NS_PER_S);
	episode_build(&ep, &e, 10 * MS, T0 - 100 * MM_NS_PER_S, T0 + 491 * MS);
	assert_int_equal(ep.by_interval, 1);
	assert_true(ep.estimate == 110 * MS && ep.lower == 100 * MS && ep.upper == 120 * MS);
	assert_true(ep.first_lost_ts == T0 + 450 * MS && ep.last_lost_ts == T0 + 491 * MS);	/* clamped */
	/* and with no interval known: zero, never negative */
	episode_build(&ep, &e, MM_NS_NONE, T0 - 100 * MM_NS_PER_S, T0 + 491 * MS);
	assert_true(ep.estimate == 0 && ep.lower == 0 && ep.upper == 0);
}

static void test_replies(void **state)
{
	struct episode ep;
	struct episode_edges e = { 301, 350, 0, 0, T0 + 3000 * MS, T0 + 3510 * MS, 1 };

	(void)state;
	episode_build(&ep, &e, 10 * MS, T0, T0 + 9990 * MS);
	assert_int_equal(ep.lost, 50);
	assert_true(ep.first_lost_ts == T0 + 3010 * MS && ep.last_lost_ts == T0 + 3500 * MS);
	assert_true(ep.estimate == 500 * MS && ep.lower == 490 * MS && ep.upper == 510 * MS);
	assert_true(episode_lost_ts(&ep, 49) == T0 + 3500 * MS);
	/* an interval measured longer than the gap: bounds kept in order */
	e.after = T0 + 3100 * MS;
	episode_build(&ep, &e, 10 * MS, T0, T0 + 9990 * MS);
	assert_true(ep.upper == 100 * MS && ep.lower == 100 * MS && ep.estimate == 100 * MS);
	assert_true(ep.last_lost_ts <= e.after);
	/* a 54-year interval, 7 lost between replies 10 ms apart: nothing wraps, nothing leaves the gap */
	e = (struct episode_edges){ 3, 9, 0, 0, T0, T0 + 10 * MS, 1 };
	episode_build(&ep, &e, T0, 0, T0 + 10 * MS);
	assert_true(ep.lower == 10 * MS && ep.estimate == 10 * MS && ep.upper == 10 * MS);
	assert_true(ep.first_lost_ts >= T0 && ep.last_lost_ts <= T0 + 10 * MS);
	/* reply times out of order: by interval */
	e = (struct episode_edges){ 3, 4, 0, 0, T0 + 10 * MS, T0, 1 };
	episode_build(&ep, &e, 10 * MS, T0, T0 + 10 * MS);
	assert_int_equal(ep.by_interval, 1);
	assert_true(ep.estimate == 20 * MS && ep.upper == 30 * MS && ep.lower == 10 * MS);
	assert_true(ep.first_lost_ts >= T0 && ep.last_lost_ts <= T0 + 10 * MS);
}

static void test_lerp(void **state)
{
	(void)state;
	assert_true(episode_lerp(MM_NS_MIN, MM_NS_MAX, 1, 2) == 0);
	assert_true(episode_lerp(10, 20, 3, 10) == 13);
	assert_true(episode_lerp(10, 20, 0, 0) == 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_lerp),
	};

	return cmocka_run_group_tests_name("episode", tests, NULL, NULL);
}
