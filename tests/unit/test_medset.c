/* test_medset.c - multisets of durations and their medians (src/medset.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "medset.h"

static void test_exact(void **state)
{
	struct medset m = { 0 };
	size_t used = 0;
	mm_ns extra[3] = { 30, 10, 20 };
	int oom = 0;

	(void)state;
	assert_true(medset_median_with(&m, extra, 0, &oom) == MM_NS_NONE);
	assert_true(medset_median_with(&m, extra, 3, &oom) == 20);
	for (int i = 0; i < 5; i++)
		medset_add(&m, &used, 1 << 20, 100);
	medset_add(&m, &used, 1 << 20, 1);
	assert_int_equal(medset_count(&m), 6);
	/* {1, 100 x5} + {10, 20, 30}: 9 values, the 5th is 100 */
	assert_true(medset_median_with(&m, extra, 3, &oom) == 100);
	assert_int_equal(oom, 0);
	/* even count: the midpoint, exact even at the ends of the range */
	{
		mm_ns v[2] = { MM_NS_MIN, MM_NS_MAX };

		assert_true(medset_median(v, 2) == 0);
	}
	medset_free(&m);
	assert_int_equal(medset_count(&m), 0);
}

static void test_coarsens(void **state)
{
	struct medset m = { 0 };
	size_t used = 0;
	int oom = 0;
	mm_ns med;

	(void)state;
	/* 3 x MEDSET_MAX distinct values: rounded, counted, the median still close */
	for (mm_ns i = 0; i < 3 * MEDSET_MAX; i++)
		medset_add(&m, &used, 1 << 20, 1000000 + i * 7);
	assert_int_equal(medset_count(&m), 3 * MEDSET_MAX);
	assert_true(m.n <= MEDSET_MAX);
	med = medset_median_with(&m, NULL, 0, &oom);
	assert_true(med > 1000000 + 3 * MEDSET_MAX * 7 / 2 - 64 && med < 1000000 + 3 * MEDSET_MAX * 7 / 2 + 64);
	medset_free(&m);
	/* no budget at all: the value is left out, nothing breaks */
	used = 0;
	medset_add(&m, &used, 10, 5);
	assert_int_equal(medset_count(&m), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_coarsens),
	};

	return cmocka_run_group_tests_name("medset", tests, NULL, NULL);
}
