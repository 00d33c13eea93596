/* test_medset.c - multisets of durations and their medians (src/medset.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
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

static int cmp(const void *a, const void *b)
{
	mm_ns x = *(const mm_ns *)a, y = *(const mm_ns *)b;

	return (x > y) - (x < y);
}

/* The median by sorting a copy: what the selection must give. */
static mm_ns sorted_median(const mm_ns *v, size_t n)
{
	mm_ns *c = malloc(n * sizeof(*c)), m;

	assert_non_null(c);
	for (size_t i = 0; i < n; i++)
		c[i] = v[i];
	qsort(c, n, sizeof(*c), cmp);
	m = n % 2 ? c[n / 2] : mm_mid(c[n / 2 - 1], c[n / 2]);
	free(c);
	return m;
}

/*
 * The selection (no sort) against a sort, on the shapes that break a
 * naive quickselect: sorted, reversed, all equal, organ pipe, two values,
 * random; odd and even counts, with a multiset beside; v is left as given.
 */
static void test_select_shapes(void **state)
{
	static mm_ns v[20001], keep[20001];
	size_t sizes[] = { 1, 2, 3, 10, 999, 1000, 20001 };
	unsigned seed = 7;

	(void)state;
	for (int shape = 0; shape < 6; shape++) {
		for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
			size_t n = sizes[z];
			struct medset m = { 0 };
			size_t used = 0;
			int oom = 0;
			mm_ns *all;

			for (size_t i = 0; i < n; i++) {
				seed = seed * 1103515245u + 12345u;
				v[i] = shape == 0 ? (mm_ns)i : shape == 1 ? (mm_ns)(n - i) : shape == 2 ? 5 :
				       shape == 3 ? (mm_ns)(i < n / 2 ? i : n - i) : shape == 4 ? (mm_ns)(i % 2) * 1000 :
				       (mm_ns)(seed >> 8) - (1 << 22);
				keep[i] = v[i];
			}
			assert_true(medset_median(v, n) == sorted_median(keep, n));
			for (size_t i = 0; i < n; i++)
				assert_true(v[i] == keep[i]);
			/* with a multiset: the median of both together */
			for (size_t i = 0; i < 50; i++)
				medset_add(&m, &used, 1 << 20, (mm_ns)(i * 37 % 11));
			all = malloc((n + 50) * sizeof(*all));
			assert_non_null(all);
			for (size_t i = 0; i < n; i++)
				all[i] = keep[i];
			for (size_t i = 0; i < 50; i++)
				all[n + i] = (mm_ns)(i * 37 % 11);
			assert_true(medset_median_with(&m, v, n, &oom) == sorted_median(all, n + 50));
			assert_int_equal(oom, 0);
			free(all);
			medset_free(&m);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_coarsens),
		cmocka_unit_test(test_select_shapes),
	};

	return cmocka_run_group_tests_name("medset", tests, NULL, NULL);
}
