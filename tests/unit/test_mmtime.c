/* test_mmtime.c - duration parsing and timestamp formatting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "mmtime.h"

static void test_durations(void **state)
{
	mm_ns d;

	(void)state;
	assert_int_equal(mm_parse_duration("250ms", &d), 0);
	assert_int_equal(d, 250000000);
	assert_int_equal(mm_parse_duration("2s", &d), 0);
	assert_int_equal(d, 2000000000);
	assert_int_equal(mm_parse_duration("1.5", &d), 0);
	assert_int_equal(d, 1500000000);
	assert_int_equal(mm_parse_duration("0.001", &d), 0);
	assert_int_equal(d, 1000000);
	assert_int_equal(mm_parse_duration("500us", &d), 0);
	assert_int_equal(d, 500000);
	assert_int_equal(mm_parse_duration("3m", &d), 0);
	assert_int_equal(d, 180 * MM_NS_PER_S);
	assert_int_equal(mm_parse_duration("1h", &d), 0);
	assert_int_equal(mm_parse_duration("20ns", &d), 0);
	assert_int_equal(d, 20);
	assert_int_equal(mm_parse_duration("", &d), -1);
	assert_int_equal(mm_parse_duration("0", &d), -1);
	assert_int_equal(mm_parse_duration("-1s", &d), -1);
	assert_int_equal(mm_parse_duration("1x", &d), -1);
	assert_int_equal(mm_parse_duration("s", &d), -1);
	assert_int_equal(mm_parse_duration("99999999999999999999", &d), -1);
	assert_int_equal(mm_parse_duration(NULL, &d), -1);
}

static void test_formats(void **state)
{
	char b[64];

	(void)state;
	mm_fmt_seconds(b, sizeof(b), 1764307152123456789LL, 9);
	assert_string_equal(b, "1764307152.123456789");
	mm_fmt_seconds(b, sizeof(b), 1764307152123456789LL, 6);
	assert_string_equal(b, "1764307152.123456");
	mm_fmt_seconds(b, sizeof(b), 5000, 6);
	assert_string_equal(b, "0.000005");
	mm_fmt_seconds(b, sizeof(b), -1500000000LL, 3);
	assert_string_equal(b, "-1.500");
	mm_fmt_seconds(b, sizeof(b), 7 * MM_NS_PER_S, 0);
	assert_string_equal(b, "7");
	mm_fmt_iso(b, sizeof(b), 1764307152123456789LL, 6);
	assert_string_equal(b, "2025-11-28T05:19:12.123456Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_formats),
	};

	return cmocka_run_group_tests_name("mmtime", tests, NULL, NULL);
}
