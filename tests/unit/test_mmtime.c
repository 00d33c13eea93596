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

/* Every unit the help and the manual list: ns, us, ms, s, m or min, h; no unit is seconds. */
static void test_duration_units(void **state)
{
	static const struct {
		const char *text;
		mm_ns ns;
	} ok[] = {
		{ "7ns", 7 }, { "7us", 7000 }, { "7ms", 7000000 }, { "7s", 7 * MM_NS_PER_S },
		{ "7m", 420 * MM_NS_PER_S }, { "7min", 420 * MM_NS_PER_S }, { "7h", 25200 * MM_NS_PER_S },
		{ "7", 7 * MM_NS_PER_S },
		{ "1.5ms", 1500000 }, { "0.5us", 500 }, { "1.5m", 90 * MM_NS_PER_S },
		{ "1.25min", 75 * MM_NS_PER_S }, { "0.5h", 1800 * MM_NS_PER_S }, { ".5s", MM_NS_PER_S / 2 },
		{ "2.", 2 * MM_NS_PER_S }, { "0.000000001", 1 }, { "1.5ns", 1 },
		{ "100000h", 100000LL * 3600 * MM_NS_PER_S },
	};
	static const char *const bad[] = {
		"1 s", " 1s", "1s ", "+1s", "1S", "1MS", "1sec", "1hr", "1mn", "1.2.3", "ms", ".",
		"1e3", "0.4ns", "0s", "0min", "1,5s", "1..5", "9999999999h", "1s1",
	};
	size_t i;
	mm_ns d;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		d = -1;
		if (mm_parse_duration(ok[i].text, &d) != 0 || d != ok[i].ns)
			fail_msg("'%s': got %lld, want %lld", ok[i].text, (long long)d, (long long)ok[i].ns);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mm_parse_duration(bad[i], &d) != -1)
			fail_msg("'%s' accepted as %lld ns", bad[i], (long long)d);
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

/* Reproducers: three replies at epoch 0, 1700000000 and 1700000000.01 s make an interval of 54 years. */
static void test_saturating(void **state)
{
	const mm_ns year54 = 1700000000LL * MM_NS_PER_S, t = 1700000000LL * MM_NS_PER_S + 10000000;

	(void)state;
	assert_true(mm_mul(7, year54) == MM_NS_MAX);		/* 7 lost x the interval */
	assert_true(mm_mul(6, -year54) == MM_NS_MIN);
	assert_true(mm_mul(0, MM_NS_MAX) == 0);
	assert_true(mm_mul(UINT64_MAX, 1) == MM_NS_MAX);
	assert_true(mm_mul(3, 10000000) == 30000000);
	assert_true(mm_add(t, year54) == t + year54);		/* fits: 2077 */
	assert_true(mm_add(MM_NS_MAX, 1) == MM_NS_MAX);
	assert_true(mm_add(MM_NS_MIN, -1) == MM_NS_MIN);
	assert_true(mm_sub(MM_NS_MIN, 5) == MM_NS_MIN);
	assert_true(mm_sub(MM_NS_MAX, MM_NS_MIN) == MM_NS_MAX);
	assert_true(mm_sub(0, MM_NS_MAX) == MM_NS_MIN);
	assert_true(mm_sub(MM_NS_MIN, MM_NS_MIN) == 0);
	assert_true(mm_sub(t, 0) == t);
	/* never MM_NS_NONE, whatever the arguments */
	assert_true(mm_sub(MM_NS_MIN, MM_NS_MAX) != MM_NS_NONE);
	assert_true(mm_mul(2, MM_NS_MIN) != MM_NS_NONE);
	assert_true(mm_mid(MM_NS_MIN, MM_NS_MAX) == 0);
	assert_true(mm_mid(MM_NS_MAX - 1, MM_NS_MAX) == MM_NS_MAX - 1);
	assert_true(mm_mid(10, 20) == 15);
	assert_true(mm_mid(20, 10) == 15);
	assert_true(mm_mid(-3, 0) == -2);		/* as a + (b - a) / 2 */
	assert_true(mm_clamp(5, 0, 3) == 3);
	assert_true(mm_clamp(-5, 0, 3) == 0);
	assert_true(mm_clamp(2, 0, 3) == 2);
	assert_true(mm_nonneg(-99990000000LL) == 0);
	assert_true(mm_nonneg(7) == 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_duration_units),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_saturating),
	};

	return cmocka_run_group_tests_name("mmtime", tests, NULL, NULL);
}
