/* test_seqwin.c - the sequence window: growth both ways, the shared budget, retirement and jumps (src/seqwin.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "seqwin.h"

struct ret_ctx {
	struct seqwin *w;
	struct seqwin_pool *p;
	unsigned calls;
	int64_t last_want;
	int refuse;
};

/* Retires everything before want (as the echo table does, less its figures). */
static int retire(void *ctx, int64_t want)
{
	struct ret_ctx *c = ctx;

	c->calls++;
	c->last_want = want;
	if (c->refuse)
		return -1;
	if (want > c->w->base)
		seqwin_advance(c->w, c->p, (size_t)(want - c->w->base));
	return 0;
}

static void put(struct seqwin *w, struct seqwin_pool *p, int64_t u, mm_ns t, struct ret_ctx *c)
{
	assert_int_equal(seqwin_reserve(w, p, u, retire, c), 0);
	seqwin_note(w, u);
	seqwin_at(w, u)->t = t;
	seqwin_at(w, u)->flags |= SEQWIN_REQ;
}

static void test_grow(void **state)
{
	struct seqwin w = { 0 };
	struct seqwin_pool p = { 0, 1 << 20 };
	struct ret_ctx c = { &w, &p, 0, 0, 0 };

	(void)state;
	assert_int_equal(seqwin_start(&w, &p, 100), 0);
	for (int64_t u = 100; u < 1100; u++)
		put(&w, &p, u, u * 10, &c);
	/* older than anything seen: the front grows */
	put(&w, &p, 50, 500, &c);
	assert_true(w.umin == 50 && w.umax == 1099 && w.base == 50);
	assert_int_equal(seqwin_len(&w), 1050);
	assert_true(seqwin_first(&w)->t == 500);
	assert_true(seqwin_at(&w, 777)->t == 7770);
	assert_int_equal(c.calls, 0);
	assert_true(p.used == w.alloc);
	seqwin_free(&w, &p);
	assert_int_equal(p.used, 0);
}

static void test_retire_bounded(void **state)
{
	struct seqwin w = { 0 };
	struct seqwin_pool p = { 0, 1 << 20 };
	struct ret_ctx c = { &w, &p, 0, 0, 0 };

	(void)state;
	assert_int_equal(seqwin_start(&w, &p, 0), 0);
	for (int64_t u = 0; u < 200000; u++)
		put(&w, &p, u, u, &c);
	/* the window never holds more than SEQWIN_MAX slots (plus the front slack) */
	assert_true(w.alloc <= SEQWIN_MAX + SEQWIN_FRONT_SLACK);
	assert_true(c.calls > 0 && w.retired);
	assert_true(seqwin_first(&w)->t == w.base);
	assert_true(seqwin_at(&w, 199999)->t == 199999);
	assert_true(seqwin_len(&w) <= SEQWIN_MAX);
	seqwin_free(&w, &p);
}

static void test_budget_and_jumps(void **state)
{
	struct seqwin w = { 0 };
	struct seqwin_pool p = { 0, 1000 };
	struct ret_ctx c = { &w, &p, 0, 0, 1 };

	(void)state;
	/* too small a pool to start */
	{
		struct seqwin_pool tiny = { 0, 4 };
		struct seqwin x = { 0 };

		assert_int_equal(seqwin_start(&x, &tiny, 0), -1);
		assert_int_equal(tiny.used, 0);
	}
	assert_int_equal(seqwin_start(&w, &p, 0), 0);
	for (int64_t u = 0; u < 900; u++)
		put(&w, &p, u, u, &c);
	/* the pool is full and the retirement refuses: the reserve fails, nothing moves */
	assert_int_equal(seqwin_reserve(&w, &p, 5000, retire, &c), -1);
	assert_true(c.calls > 0 && w.base == 0);
	assert_true(p.used <= p.cap);
	/* no retirement at all: fails too */
	assert_int_equal(seqwin_reserve(&w, &p, 5000, NULL, NULL), -1);
	/* a jump longer than a window, retirement allowed: fails rather than allocating it */
	c.refuse = 0;
	assert_int_equal(seqwin_reserve(&w, &p, (int64_t)SEQWIN_MAX * 4, retire, &c), -1);
	/* a jump the pool allows after retiring */
	assert_int_equal(seqwin_reserve(&w, &p, 1500, retire, &c), 0);
	seqwin_note(&w, 1500);
	assert_true(w.base > 0 && w.umax == 1500);
	seqwin_free(&w, &p);
	assert_int_equal(p.used, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_retire_bounded),
		cmocka_unit_test(test_budget_and_jumps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
