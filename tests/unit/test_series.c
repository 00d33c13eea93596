/* test_series.c - time-series binning, the sparse store, caps and the peak rate. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "series.h"

#define S MM_NS_PER_S
#define MS 1000000LL

/* Unique payload by role: one counter each, a role past the last is other. */
static void test_roles(void **state)
{
	struct series *s = series_new(S, 0);
	const struct series_bin *b;

	(void)state;
	assert_non_null(s);
	assert_int_equal(series_add_mig_role(s, 10 * S, 1, 1500, 1000, SERIES_ROLE_MAIN), 0);
	assert_int_equal(series_add_mig_role(s, 10 * S + 1, 1, 1500, 200, SERIES_ROLE_MULTIFD), 0);
	assert_int_equal(series_add_mig_role(s, 10 * S + 2, 0, 1500, 30, SERIES_ROLE_NBD), 0);
	assert_int_equal(series_add_mig_role(s, 10 * S + 3, 1, 1500, 4, SERIES_ROLE_OTHER), 0);
	assert_int_equal(series_add_mig_role(s, 10 * S + 4, 1, 66, 5, 99), 0);
	assert_int_equal(series_add_mig_role(s, 11 * S, 1, 1500, 600, SERIES_ROLE_MAIN), 0);
	b = series_get(s, 0);
	assert_int_equal(b->role_bytes[SERIES_ROLE_MAIN], 1000);
	assert_int_equal(b->role_bytes[SERIES_ROLE_MULTIFD], 200);
	assert_int_equal(b->role_bytes[SERIES_ROLE_NBD], 30);
	assert_int_equal(b->role_bytes[SERIES_ROLE_OTHER], 9);
	assert_int_equal(b->unique_bytes, 1239);
	assert_int_equal(b->packets, 5);
	b = series_get(s, 1);
	assert_int_equal(b->role_bytes[SERIES_ROLE_MAIN], 600);
	assert_int_equal(b->unique_bytes, 600);
	series_free(s);
}

static void test_binning(void **state)
{
	struct series *s = series_new(250 * MS, 0);
	const struct series_bin *b;
	mm_ns t0 = 1700000000LL * S + 123;

	(void)state;
	assert_non_null(s);
	assert_int_equal(series_t0(s), MM_NS_NONE);
	assert_true(series_peak_bps(s) < 0);
	assert_int_equal(series_add_mig(s, t0, 1, 1500, 1448), 0);
	assert_int_equal(series_add_mig(s, t0 + 249 * MS, 0, 66, 0), 0);	/* same bin */
	assert_int_equal(series_add_mig(s, t0 + 250 * MS, 1, 1500, 2896), 0);	/* bin 1 starts */
	assert_int_equal(series_add_ping(s, t0 + 1000 * MS, SERIES_PING_REQUEST), 0);
	assert_int_equal(series_add_ping(s, t0 + 1001 * MS, SERIES_PING_REPLY), 0);
	assert_int_equal(series_add_ping(s, t0 + 1100 * MS, SERIES_PING_LOST), 0);
	assert_int_equal(series_t0(s), t0);
	assert_int_equal(series_len(s), 5);
	b = series_get(s, 0);
	assert_int_equal(b->fwd_bytes, 1500);
	assert_int_equal(b->rev_bytes, 66);
	assert_int_equal(b->unique_bytes, 1448);
	assert_int_equal(b->packets, 2);
	/* series_add_mig: role other */
	assert_int_equal(b->role_bytes[SERIES_ROLE_OTHER], 1448);
	assert_int_equal(b->role_bytes[SERIES_ROLE_MAIN], 0);
	b = series_get(s, 1);
	assert_int_equal(b->fwd_bytes, 1500);
	assert_int_equal(b->packets, 1);
	b = series_get(s, 2);
	assert_int_equal(b->packets, 0);
	b = series_get(s, 4);
	assert_int_equal(b->ping_requests, 1);
	assert_int_equal(b->ping_replies, 1);
	assert_int_equal(b->ping_lost, 1);
	assert_null(series_get(s, 5));
	/* the busiest bin, over the whole bin: 2896 B in 250 ms = 92672 bit/s */
	assert_true(series_peak_bps(s) > 92671.9 && series_peak_bps(s) < 92672.1);
	series_extend(s, t0 + 2 * S);
	assert_int_equal(series_len(s), 9);
	assert_int_equal(series_get(s, 8)->packets, 0);
	series_free(s);
	series_free(NULL);
}

static void test_before_t0_and_cap(void **state)
{
	struct series *s = series_new(S, 4);

	(void)state;
	series_set_t0(s, 10 * S);
	assert_int_equal(series_add_mig(s, 9 * S, 1, 100, 100), 0);	/* clamps to bin 0 */
	assert_int_equal(series_get(s, 0)->fwd_bytes, 100);
	/* a run header and three bins: the cap of 4 */
	assert_int_equal(series_add_mig(s, 12 * S + 5, 1, 100, 100), 0);
	assert_int_equal(series_held(s), 4);
	assert_int_equal(series_add_mig(s, 13 * S, 1, 100, 100), -1);	/* past the cap */
	assert_int_equal(series_add_ping(s, 1000 * S, SERIES_PING_REQUEST), -1);
	assert_int_equal(series_dropped(s), 2);
	assert_int_equal(series_len(s), 3);
	assert_int_equal(series_add_mig(s, 11 * S, 1, 100, 100), 0);	/* bins held still count */
	series_free(s);
	assert_null(series_new(0, 0));
}

/*
 * The capture: 174 frames spanning 14 days took 62 MB because
 * every bin of the span was allocated.  Held bins now follow the frames.
 */
static void test_sparse_span(void **state)
{
	mm_ns t0 = 1700000000LL * S, span = 14LL * 86400 * S;
	struct series *s = series_new(1 * MS, 0);
	struct series_iter it = { 0, 0 };
	const struct series_bin *b;
	uint64_t i, n = 0, reqs = 0, prev = 0;

	(void)state;
	for (int k = 0; k < 174; k++) {
		mm_ns t = t0 + span / 173 * k;

		assert_int_equal(series_add_ping(s, t, (k & 1) ? SERIES_PING_REPLY : SERIES_PING_REQUEST), 0);
	}
	assert_int_equal(series_dropped(s), 0);
	assert_true(series_len(s) > (uint64_t)1200000000);	/* 14 days of 1 ms bins */
	assert_true(series_held(s) <= 2 * 174);			/* one bin and one run header a frame */
	while (series_next(s, &it, &i, &b)) {
		assert_true(n == 0 || i > prev);
		prev = i;
		n++;
		reqs += b->ping_requests;
	}
	assert_int_equal(n, 174);
	assert_int_equal(reqs, 87);
	assert_int_equal(series_get(s, series_len(s) - 1)->ping_replies, 1);
	assert_int_equal(series_get(s, 12345)->ping_replies, 0);	/* implicit: all zero */
	series_free(s);
}

/* A far jump is held as a run of its own, not as every bin in between. */
static void test_far_jump(void **state)
{
	struct series *s = series_new(S, 0);
	mm_ns t0 = 1700000000LL * S;

	(void)state;
	assert_int_equal(series_add_ping(s, t0, SERIES_PING_REQUEST), 0);
	assert_int_equal(series_add_ping(s, t0 + (mm_ns)SERIES_DEFAULT_MAX * 100 * S, SERIES_PING_REQUEST), 0);
	assert_int_equal(series_dropped(s), 0);
	assert_int_equal(series_len(s), (uint64_t)SERIES_DEFAULT_MAX * 100 + 1);
	assert_true(series_held(s) <= 4);
	/* a frame at the end of time: its bin index fits, its start is not cached */
	assert_int_equal(series_add_ping(s, INT64_MAX, SERIES_PING_REPLY), 0);
	assert_int_equal(series_get(s, series_len(s) - 1)->ping_replies, 1);
	series_free(s);
}

static uint64_t lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return *x >> 33;
}

/* Events in any order (lost pings come at the end, times anywhere) give the bins a dense array gives. */
/* A migration's peak: the busiest of the bins its span touches, not another migration's. */
static void test_peak_in_span(void **state)
{
	struct series *s = series_new(MM_NS_PER_S, 0);

	(void)state;
	assert_non_null(s);
	series_add_mig(s, 10 * MM_NS_PER_S, 1, 1500, 1000);		/* bin 0 */
	series_add_mig(s, 12 * MM_NS_PER_S + 5, 1, 1500, 4000);	/* bin 2 */
	series_add_mig(s, 20 * MM_NS_PER_S, 1, 1500, 9000);		/* bin 10 */
	assert_true(series_peak_bps(s) == 9000.0 * 8.0);
	assert_true(series_peak_bps_in(s, 10 * MM_NS_PER_S, 13 * MM_NS_PER_S) == 4000.0 * 8.0);
	assert_true(series_peak_bps_in(s, 10 * MM_NS_PER_S, 10 * MM_NS_PER_S + 5) == 1000.0 * 8.0);
	assert_true(series_peak_bps_in(s, 14 * MM_NS_PER_S, 19 * MM_NS_PER_S) < 0);
	assert_true(series_peak_bps_in(s, MM_NS_NONE, 19 * MM_NS_PER_S) < 0);
	series_free(s);
}

static void test_any_order_matches_dense(void **state)
{
	enum { NB = 20000, NEV = 30000 };
	uint64_t *ref = calloc(NB, sizeof(*ref)), x = 42, peak = 0;
	struct series *s = series_new(MS, 0);
	mm_ns t0 = 1700000000LL * S;

	(void)state;
	assert_non_null(ref);
	assert_int_equal(series_add_mig(s, t0, 1, 1, 1), 0);	/* fixes t0 */
	ref[0] = 1;
	for (int k = 0; k < NEV; k++) {
		/* clusters, long quiet stretches and strays, in and out of order */
		uint64_t r = lcg(&x);
		uint64_t bin = (k < NEV / 2) ? (uint64_t)k / 3 : (r % 7 == 0 ? r % NB : (r % 40) * 500 + r % 30);
		mm_ns t = t0 + (mm_ns)bin * MS + (mm_ns)(r % MS);

		assert_int_equal(series_add_mig(s, t, (int)(r & 1), 1, 1), 0);
		ref[bin]++;
	}
	assert_int_equal(series_dropped(s), 0);
	for (uint64_t i = 0; i < NB; i++) {
		const struct series_bin *b = series_get(s, i);

		if (i < series_len(s)) {
			assert_non_null(b);
			assert_int_equal(b->packets, ref[i]);
			assert_int_equal(b->unique_bytes, ref[i]);
			assert_int_equal(b->fwd_bytes + b->rev_bytes, ref[i]);
		} else {
			assert_int_equal(ref[i], 0);
		}
		if (ref[i] > peak)
			peak = ref[i];
	}
	assert_true(series_peak_bps(s) == (double)peak * 8.0 * 1000.0);
	free(ref);
	series_free(s);
}

/*
 * Retention: days of 1 s bins, the ones an hour old let go: held bins
 * stay bounded, the capture's peak is still the peak of every bin (an old
 * one), a span over kept bins has its own, and events for a bin let go
 * are passed over.
 */
static void test_forget_before(void **state)
{
	struct series *s = series_new(MM_NS_PER_S, 0);
	mm_ns t0 = 1700000000LL * MM_NS_PER_S, t;
	size_t max_held = 0, freed = 0, held;
	int64_t i;

	(void)state;
	assert_non_null(s);
	assert_int_equal(series_forget_before(s, t0), 0);
	for (i = 0; i < 3 * 86400; i++) {
		t = t0 + i * MM_NS_PER_S;
		/* the day's peak at 01:00 on day 1: 1 MB in one second */
		assert_int_equal(series_add_mig(s, t, 1, 1500, i == 3600 ? 1000000 : 1000), 0);
		series_add_ping(s, t, SERIES_PING_REQUEST);
		if (i % 600 == 0)
			freed += series_forget_before(s, t - 3600 * MM_NS_PER_S);
		if (series_held(s) > max_held)
			max_held = series_held(s);
	}
	assert_true(freed > 2 * 86400);
	assert_true(max_held < 3600 + 600 + 2 * 4096);
	assert_true(series_peak_bps(s) == 1000000.0 * 8);
	/* the last hour's span: its own peak */
	assert_true(series_peak_bps_in(s, t - 1800 * MM_NS_PER_S, t) == 1000.0 * 8);
	/* an event for a bin let go is passed over: not a new run, not dropped */
	held = series_held(s);
	assert_int_equal(series_add_ping(s, t0 + 10 * MM_NS_PER_S, SERIES_PING_LOST), -1);
	assert_int_equal(series_held(s), held);
	assert_int_equal(series_dropped(s), 0);
	series_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forget_before),
		cmocka_unit_test(test_binning),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_before_t0_and_cap),
		cmocka_unit_test(test_sparse_span),
		cmocka_unit_test(test_far_jump),
		cmocka_unit_test(test_any_order_matches_dense),
		cmocka_unit_test(test_peak_in_span),
	};

	return cmocka_run_group_tests_name("series", tests, NULL, NULL);
}
