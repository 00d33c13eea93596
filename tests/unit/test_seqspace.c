/* test_seqspace.c - unwrapped sequence coverage: fresh bytes, holes, the interval cap. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "seqspace.h"

static uint64_t add(struct seqspace *s, uint32_t seq, uint32_t len)
{
	struct seq_result r;

	assert_int_equal(seq_add(s, seq, len, &r), 0);
	return r.fresh;
}

/* Holes filled in any order count each byte once. */
static void test_holes(void **state)
{
	struct seqspace s;

	(void)state;
	seq_init(&s, 0);
	assert_int_equal(add(&s, 1000, 100), 100);
	assert_int_equal(add(&s, 1300, 100), 100);	/* hole 1100..1300 */
	assert_int_equal(add(&s, 1500, 100), 100);	/* hole 1400..1500 */
	assert_int_equal(s.n, 3);
	assert_int_equal(add(&s, 1050, 400), 250);	/* fills the first hole, half the second */
	assert_int_equal(add(&s, 1000, 600), 50);	/* the rest */
	assert_int_equal(s.n, 1);
	assert_int_equal(add(&s, 900, 50), 50);	/* before the first byte seen: new */
	assert_int_equal(add(&s, 0, 0), 0);
	assert_int_equal(s.approx, 0);
	seq_release(&s);
}

/* Across 2^32: the unwrapped space keeps growing. */
static void test_wrap(void **state)
{
	struct seqspace s;
	uint32_t seq = 0xFFFFFF00u;
	int i;

	(void)state;
	seq_init(&s, 0);
	for (i = 0; i < 4; i++, seq += 0x80)
		assert_int_equal(add(&s, seq, 0x80), 0x80);
	assert_int_equal(add(&s, 0xFFFFFF80u, 0x100), 0);	/* straddles the wrap, all seen */
	assert_int_equal(s.n, 1);
	assert_int_equal(s.iv[0].hi - s.iv[0].lo, 0x200);
	seq_release(&s);
}

/* Past the cap the lowest interval folds into the floor: never over-counts, says approx. */
static void test_cap(void **state)
{
	struct seqspace s;
	uint32_t i;
	uint64_t fresh = 0;

	(void)state;
	seq_init(&s, 4);
	for (i = 0; i < 10; i++)
		fresh += add(&s, i * 200, 100);		/* ten islands, nine holes */
	assert_int_equal(fresh, 1000);
	assert_true(s.n <= 4);
	assert_int_equal(s.approx, 1);
	/* a fill of a folded hole is below the floor: counted as seen (a lower bound) */
	assert_int_equal(add(&s, 100, 100), 0);
	/* a fill of a hole still listed is new */
	assert_int_equal(add(&s, 1700, 100), 100);
	seq_release(&s);
	seq_release(&s);	/* twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_holes),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests_name("seqspace", tests, NULL, NULL);
}
