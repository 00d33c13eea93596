/* test_series.c - time-series binning, caps and the peak rate. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "series.h"

#define S MM_NS_PER_S
#define MS 1000000LL

static void test_binning(void **state)
{
	struct series *s = series_new(250 * MS, 0);
	const struct series_bin *b;
	mm_ns t0 = 1700000000LL * S + 123;

	(void)state;
	assert_non_null(s);
	assert_int_equal(series_t0(s), MM_NS_NONE);
	assert_int_equal(series_add_mig(s, t0, 1, 1500, 1448), 0);
	assert_int_equal(series_add_mig(s, t0 + 249 * MS, 0, 66, 0), 0);	/* same bin */
	assert_int_equal(series_add_mig(s, t0 + 250 * MS, 1, 1500, 1448), 0);	/* bin 1 starts */
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
	/* 1448 bytes in 250 ms = 46336 bit/s */
	assert_true(series_peak_bps(s, t0, t0 + S) > 46335.9 && series_peak_bps(s, t0, t0 + S) < 46336.1);
	/* activity over 300 ms: bin 1 is covered for 50 ms only and is left out */
	assert_true(series_peak_bps(s, t0, t0 + 300 * MS) > 46335.9);
	/* the second bin measured over the 150 ms it is covered: 1448 B / 150 ms */
	assert_true(series_peak_bps(s, t0 + 100 * MS, t0 + 400 * MS) > 77226.6 &&
		    series_peak_bps(s, t0 + 100 * MS, t0 + 400 * MS) < 77226.7);
	/* shorter than half a bin: no peak */
	assert_true(series_peak_bps(s, t0, t0 + 100 * MS) < 0);
	series_extend(s, t0 + 2 * S);
	assert_int_equal(series_len(s), 9);
	series_free(s);
	series_free(NULL);
}

static void test_before_t0_and_cap(void **state)
{
	struct series *s = series_new(S, 3);

	(void)state;
	series_set_t0(s, 10 * S);
	assert_int_equal(series_add_mig(s, 9 * S, 1, 100, 100), 0);	/* clamps to bin 0 */
	assert_int_equal(series_get(s, 0)->fwd_bytes, 100);
	assert_int_equal(series_add_mig(s, 12 * S + 5, 1, 100, 100), 0);	/* bin 2, last allowed */
	assert_int_equal(series_add_mig(s, 13 * S, 1, 100, 100), -1);	/* past the cap */
	assert_int_equal(series_dropped(s), 1);
	assert_int_equal(series_len(s), 3);
	series_free(s);
	assert_null(series_new(0, 0));
}

/* Regression (tests/hostile time-jump.pcap): a frame months after the rest
 * is dropped at the default cap instead of allocating every bin in between. */
static void test_default_cap_far_jump(void **state)
{
	struct series *s = series_new(S, 0);
	mm_ns t0 = 1700000000LL * S;

	(void)state;
	assert_int_equal(series_add_ping(s, t0, SERIES_PING_REQUEST), 0);
	assert_int_equal(series_add_ping(s, t0 + (mm_ns)SERIES_DEFAULT_MAX * S, SERIES_PING_REQUEST), -1);
	assert_int_equal(series_dropped(s), 1);
	assert_int_equal(series_len(s), 1);
	assert_int_equal(series_add_ping(s, t0 + ((mm_ns)SERIES_DEFAULT_MAX - 1) * S,
					 SERIES_PING_REPLY), 0);
	assert_int_equal(series_len(s), SERIES_DEFAULT_MAX);
	assert_true(SERIES_DEFAULT_MAX * sizeof(struct series_bin) <= 64u << 20);
	series_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_binning),
		cmocka_unit_test(test_before_t0_and_cap),
		cmocka_unit_test(test_default_cap_far_jump),
	};

	return cmocka_run_group_tests_name("series", tests, NULL, NULL);
}
