/* test_echo_bounded.c - cmocka tests: an echo stream running for days, and many coming and going, stay within their budgets. */
#include "echo_gen.h"

/* ---- three days of a ping a second: nothing grows with capture time ---- */

static void medset_bounded(const struct medset *m)
{
	assert_true(m->n <= MEDSET_MAX);
	assert_true(m->cap <= 2 * MEDSET_MAX);
}

static void test_three_days_bounded(void **state)
{
	struct gen *g = calloc(1, sizeof(*g));
	const struct echo_stream_info *s;
	const struct stream *st;
	const unsigned days3 = 3 * 86400;
	size_t peak_pool = 0, peak_vmap = 0;

	(void)state;
	assert_non_null(g);
	gen_init(g, 1);
	for (unsigned i = 0; i < days3; i++) {
		/* an outage of 5 requests every 1000, a late reply every 777: both kinds over and over */
		gen_ping(g, i % 1000 < 5 && i > 10 ? NO_REPLY : i % 777 == 0 ? 1500 * MS : 1 * MS);
		if (g->t[0]->pool.used > peak_pool)
			peak_pool = g->t[0]->pool.used;
		if (g->t[0]->vmap_used > peak_vmap)
			peak_vmap = g->t[0]->vmap_used;
		if (i % 36000 == 35999) {   /* the live path: a record due every 10 hours */
			assert_int_equal(echo_finish(g->t[0], g->last), 0);
			(void)echo_forget_before(g->t[0], g->last - 3600 * SEC);
		}
	}
	gen_ping(g, 1 * MS);
	flush(g, MM_NS_MAX);
	assert_int_equal(echo_finish(g->t[0], g->last), 0);
	s = only(g->t[0]);
	st = g->t[0]->streams[0];
	/* one stream across the wraps, every number in it */
	assert_int_equal(s->requests, days3 + 1);
	assert_int_equal(s->replies, days3 + 1 - g->lost);
	assert_int_equal(st->w.umax - st->w.umin + 1, days3 + 1);
	assert_int_equal(echo_dropped(g->t[0]), 0);
	assert_int_equal(s->n_episodes + s->episodes_not_listed, 259);
	assert_int_equal(s->lost, g->lost);
	assert_true(s->downtime_total == g->total);
	assert_int_equal(s->episodes[s->n_episodes - 1].first_seq, 259000);   /* unwrapped over 3 wraps */
	/* the window and the medians stayed within their budgets all along */
	assert_true(peak_pool <= SEQWIN_MAX + SEQWIN_MAX / 2 + SEQWIN_FRONT_SLACK);
	assert_true(st->w.alloc <= SEQWIN_MAX + SEQWIN_MAX / 2 + SEQWIN_FRONT_SLACK);
	assert_true(peak_vmap <= VMAP_BUDGET);
	for (int f = 0; f < 2; f++)
		for (int k = 0; k < 2; k++)
			medset_bounded(&st->r.gap[f][k]);
	medset_bounded(&st->r.rtt);
	/* forgetting the last hour's: the retired listings are empty, their memory given back */
	assert_true(echo_forget_before(g->t[0], g->last - 3600 * SEC) > 0);
	assert_int_equal(echo_finish(g->t[0], g->last), 0);
	assert_int_equal(st->r.n_eps, 0);
	assert_int_equal(st->r.ureps.n, 0);
	assert_true(st->r.eps == NULL && st->r.ureps.v == NULL);
	assert_true(st->cap_eps <= 4 * st->n_eps + 8);
	assert_int_equal(only(g->t[0])->n_episodes + only(g->t[0])->episodes_not_listed, 259);
	echo_free(g->t[0]);
	free(g);
}

/*
 * Twenty pings of 11 hours each, one after the other: more windows than
 * the slot pool holds.  The windows of the pings that ended give their
 * slots back, so every later one is measured (before, they were all
 * dropped), with the figures of a table whose pool holds them all.
 */
static void test_idle_windows_reclaimed(void **state)
{
	struct gen *g = calloc(1, sizeof(*g));
	struct echo_cfg big = { 0 };
	const unsigned n = 40000;

	(void)state;
	assert_non_null(g);
	gen_init(g, 2);
	g->jitter = 0;
	echo_free(g->t[0]);
	big.max_requests = (size_t)64 << 20;
	g->t[0] = echo_new(&big);
	assert_non_null(g->t[0]);
	for (unsigned k = 0; k < 20; k++) {
		g->id = (uint16_t)(100 + k);
		g->seq = 0;
		g->t0 = T0 + (mm_ns)k * (n + 100) * SEC;
		for (unsigned i = 0; i < n; i++)
			gen_ping(g, i % 500 < 3 && i > 10 ? NO_REPLY : 1 * MS);
		assert_true(g->t[1]->pool.used <= g->t[1]->pool.cap);
	}
	assert_int_equal(echo_dropped(g->t[0]), 0);
	assert_int_equal(echo_dropped(g->t[1]), 0);
	assert_true(g->t[0]->pool.used > g->t[1]->pool.cap);   /* A really needed more than B's pool */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(echo_finish(g->t[i], g->last), 0);
		assert_int_equal(echo_stream_count(g->t[i]), 20);
	}
	for (size_t i = 0; i < 20; i++) {
		const struct echo_stream_info *a = echo_stream(g->t[0], i), *b = echo_stream(g->t[1], i);

		assert_int_equal(b->id, 100 + i);
		assert_int_equal(b->requests, n);
		assert_int_equal(b->n_episodes + b->episodes_not_listed, 79);
		assert_int_equal(b->lost, 79 * 3);
		assert_true(b->downtime_total == 79 * 3 * SEC);
		assert_true(b->interval == SEC);
		same_figures(a, b);
	}
	echo_free(g->t[0]);
	echo_free(g->t[1]);
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_days_bounded),
		cmocka_unit_test(test_idle_windows_reclaimed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
