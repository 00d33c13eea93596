/* test_echo_keep.c - cmocka tests for live retention of echo episodes (echo_forget_before). */
#include "echo_gen.h"

/* The listing counters agree with what the streams list (right after echo_finish). */
static void counters_right(const struct echo_table *et)
{
	size_t n = 0, u = 0, r = 0, ur = 0;

	for (size_t i = 0; i < et->n_streams; i++) {
		n += et->streams[i]->info.n_episodes;
		u += et->streams[i]->info.n_unresp;
		r += et->streams[i]->r.n_eps;
		ur += et->streams[i]->r.ureps.n;
	}
	assert_int_equal(et->listed, n);
	assert_int_equal(et->ulisted, u);
	assert_int_equal(et->listed_retired, r);
	assert_int_equal(et->ulisted_retired, ur);
	assert_true(n <= ECHO_MAX_LISTED && u <= ECHO_MAX_LISTED);
}

/* A listed episode, as compared across a forget. */
struct seen {
	uint64_t first;
	mm_ns end;
};

static struct seen *snap_loss(const struct echo_stream_info *s)
{
	struct seen *v = calloc(s->n_episodes + 1, sizeof(*v));

	assert_non_null(v);
	for (size_t k = 0; k < s->n_episodes; k++) {
		v[k].first = s->episodes[k].first_seq;
		v[k].end = s->episodes[k].first_lost_ts + s->episodes[k].estimate;
	}
	return v;
}

static struct seen *snap_unresp(const struct echo_stream_info *s)
{
	struct seen *v = calloc(s->n_unresp + 1, sizeof(*v));

	assert_non_null(v);
	for (size_t k = 0; k < s->n_unresp; k++) {
		v[k].first = s->unresp[k].first;
		v[k].end = s->unresp[k].end;
	}
	return v;
}

/*
 * a[0..na) listed before a forget, b[0..nb) after (both in sequence
 * order): every one that left ended before `before` and was closed by a
 * retired slot (its end before the window's first request); every one
 * ending at or after `before` stayed.  Returns how many left.
 */
static size_t check_left(const struct seen *a, size_t na, const struct seen *b, size_t nb, mm_ns before,
			 mm_ns window_t)
{
	size_t i = 0, j = 0, left = 0;

	for (i = 0; i < na; i++) {
		while (j < nb && b[j].first < a[i].first)
			j++;
		if (j < nb && b[j].first == a[i].first)
			continue;
		assert_true(a[i].end < before);
		assert_true(a[i].end < window_t);
		left++;
	}
	return left;
}

/* Send time of the window's first slot: anything closed before it was closed by retired slots. */
static mm_ns window_start(const struct echo_table *et)
{
	const struct stream *s = et->streams[0];

	return seqwin_first(&s->w)->t;
}

/*
 * 10,000 loss episodes (and 20,000 unresponsive ones) over 2.3 days of a
 * ping a second, sequence numbers wrapping three times.  Table A never
 * forgets: past 4096 it only counts.  Table B, like the live path, calls
 * echo_finish, then forgets, then echo_finish again, every 500 cycles:
 * its later episodes are still listed, and every figure is A's.
 */
static void test_forget_long_run(void **state)
{
	struct gen *g = calloc(1, sizeof(*g));
	const struct echo_stream_info *a, *b;
	size_t forgotten = 0, rounds = 0;

	(void)state;
	assert_non_null(g);
	gen_init(g, 2);
	for (unsigned k = 0; k < NEPS; k++) {
		gen_cycle(g, k);
		if (k % 500 == 499) {
			struct echo_table *et = g->t[1];
			/* alternately inside the window and far back in the retired slots */
			mm_ns before = g->last - (rounds % 2 ? 3000 : 40000) * SEC, wt;
			struct seen *l1, *u1, *l2, *u2;
			size_t n1, nu1, nf, left;
			struct echo_stream_info s1;

			assert_int_equal(echo_finish(et, g->last), 0);
			counters_right(et);
			s1 = *only(et);
			n1 = s1.n_episodes;
			nu1 = s1.n_unresp;
			l1 = snap_loss(&s1);
			u1 = snap_unresp(&s1);
			wt = window_start(et);
			nf = echo_forget_before(et, before);
			assert_int_equal(echo_finish(et, g->last), 0);
			counters_right(et);
			b = only(et);
			/* the same figures before and after the forget */
			same_figures(&s1, b);
			l2 = snap_loss(b);
			u2 = snap_unresp(b);
			left = check_left(l1, n1, l2, b->n_episodes, before, wt);
			left += check_left(u1, nu1, u2, b->n_unresp, before, wt);
			assert_int_equal(left, nf);
			forgotten += nf;
			rounds++;
			free(l1);
			free(u1);
			free(l2);
			free(u2);
		}
	}
	gen_ping(g, 1 * MS);
	flush(g, MM_NS_MAX);
	assert_int_equal(g->n_eps, NEPS);
	assert_true(forgotten > 2 * 4096);   /* the cap was freed over and over */
	for (int i = 0; i < 2; i++)
		assert_int_equal(echo_finish(g->t[i], g->last), 0);
	a = only(g->t[0]);
	b = only(g->t[1]);
	same_figures(a, b);
	counters_right(g->t[0]);
	counters_right(g->t[1]);
	/* the real figures */
	assert_int_equal(a->n_episodes + a->episodes_not_listed, NEPS);
	assert_int_equal(a->lost, g->lost);
	assert_true(a->downtime_total == g->total);
	assert_true(a->downtime_longest == g->longest);
	assert_true(a->downtime_longest > 60 * SEC && a->downtime_longest < 60 * SEC + 2 * MS);
	assert_int_equal(a->n_unresp + a->unresp_not_listed, 2 * NEPS);
	assert_true(a->unresp_worst_rtt >= 2900 * MS && a->unresp_worst_rtt < 2900 * MS + 200 * US);
	assert_true(a->interval > SEC - 2 * MS && a->interval < SEC + 2 * MS);
	/* A lists the first 4096 and only counts the rest; B lists the latest ones */
	assert_int_equal(a->n_episodes, ECHO_MAX_LISTED);
	assert_int_equal(a->episodes[a->n_episodes - 1].first_seq, (uint64_t)g->firsts[ECHO_MAX_LISTED - 1]);
	assert_true(b->n_episodes > 0 && b->n_episodes < ECHO_MAX_LISTED);
	assert_int_equal(b->episodes_not_listed, NEPS - b->n_episodes);
	for (size_t k = 0; k < b->n_episodes; k++) {
		size_t e = NEPS - b->n_episodes + k;   /* a suffix of the episodes, none missing */

		assert_int_equal(b->episodes[k].first_seq, (uint64_t)g->firsts[e]);
		assert_true(b->episodes[k].first_lost_ts + b->episodes[k].estimate == g->ends[e]);
	}
	assert_int_equal(b->episodes[b->n_episodes - 1].first_seq, (uint64_t)g->firsts[NEPS - 1]);
	assert_true(b->n_unresp > 0 && b->n_unresp < ECHO_MAX_LISTED);
	assert_true(b->unresp[b->n_unresp - 1].end > g->ends[NEPS - 1]);
	/* memory: what was forgotten was given back */
	assert_true(g->t[1]->streams[0]->r.cap_eps <= 4 * g->t[1]->streams[0]->r.n_eps + 8);
	assert_true(g->t[1]->streams[0]->r.ureps.cap <= 4 * g->t[1]->streams[0]->r.ureps.n + 8);
	echo_free(g->t[0]);
	echo_free(g->t[1]);
	free(g);
}

/* Forgetting everything (before = the end of time) keeps every episode the window closes, and only those. */
static void test_forget_keeps_window(void **state)
{
	struct gen *g = calloc(1, sizeof(*g));
	const struct echo_stream_info *b;
	const struct stream *s;
	size_t nf, in_window = 0;
	mm_ns wt;

	(void)state;
	assert_non_null(g);
	gen_init(g, 1);
	assert_int_equal(echo_forget_before(g->t[0], MM_NS_MAX), 0);   /* empty table */
	for (unsigned k = 0; k < 3000; k++)
		gen_cycle(g, k);
	gen_ping(g, 1 * MS);
	flush(g, MM_NS_MAX);
	/* no echo_finish before: forgetting does not need one */
	nf = echo_forget_before(g->t[0], MM_NS_MAX);
	assert_int_equal(echo_finish(g->t[0], g->last), 0);
	counters_right(g->t[0]);
	b = only(g->t[0]);
	s = g->t[0]->streams[0];
	wt = window_start(g->t[0]);
	for (size_t e = 0; e < g->n_eps; e++)
		if (g->ends[e] >= wt)
			in_window++;
	assert_true(in_window > 1000);   /* the window holds 24K-32K requests: over 1000 cycles */
	assert_int_equal(b->n_episodes, in_window);
	assert_int_equal(b->episodes_not_listed, 3000 - in_window);
	assert_int_equal(s->r.n_eps, 0);
	assert_int_equal(s->r.ureps.n, 0);
	for (size_t k = 0; k < b->n_episodes; k++)
		assert_true(b->episodes[k].first_lost_ts + b->episodes[k].estimate >= wt);
	for (size_t k = 0; k < b->n_unresp; k++)
		assert_true(b->unresp[k].end >= wt);
	assert_true(nf >= 2 * (3000 - in_window));   /* both kinds */
	assert_int_equal(b->lost, g->lost);
	assert_true(b->downtime_total == g->total);
	assert_true(b->downtime_longest == g->longest);
	/* again: nothing more to forget; a before earlier than everything forgets nothing */
	assert_int_equal(echo_forget_before(g->t[0], MM_NS_MAX), 0);
	assert_int_equal(echo_forget_before(g->t[0], T0), 0);
	echo_free(g->t[0]);
	free(g);
}

/* Forgetting nothing older than `before`: a before earlier than every episode's end leaves all listed. */
static void test_forget_before_is_kept(void **state)
{
	struct gen *g = calloc(1, sizeof(*g));
	const struct echo_stream_info *b;
	size_t n1, u1;
	uint64_t last_u1;
	mm_ns before;

	(void)state;
	assert_non_null(g);
	gen_init(g, 1);
	for (unsigned k = 0; k < 3000; k++)
		gen_cycle(g, k);
	gen_ping(g, 1 * MS);
	assert_int_equal(echo_finish(g->t[0], g->last), 0);
	b = only(g->t[0]);
	n1 = b->n_episodes;
	u1 = b->n_unresp;
	last_u1 = b->unresp[u1 - 1].first;
	assert_int_equal(n1, 3000);
	/* just after the 10th episode's end: the first ten leave, and the unresponsive ones ended by then */
	before = g->ends[9] + 1;
	assert_int_equal(echo_forget_before(g->t[0], before), 10 + 19);   /* 10 loss; unresp: 10 late-only, 9 loss */
	assert_int_equal(echo_finish(g->t[0], g->last), 0);
	b = only(g->t[0]);
	assert_int_equal(b->n_episodes, n1 - 10);
	assert_int_equal(b->episodes_not_listed, 10);
	assert_int_equal(b->episodes[0].first_seq, (uint64_t)g->firsts[10]);
	/* 6000 unresponsive ones, 4096 listed: the 19 places freed went to 19 later ones past the cap */
	assert_int_equal(u1, ECHO_MAX_LISTED);
	assert_int_equal(b->n_unresp, ECHO_MAX_LISTED);
	assert_int_equal(b->n_unresp + b->unresp_not_listed, 2 * 3000);
	assert_true(b->unresp[b->n_unresp - 1].first > last_u1);
	for (size_t k = 0; k < b->n_unresp; k++)
		assert_true(b->unresp[k].end >= before);
	echo_free(g->t[0]);
	free(g);
}

/* ---- replies only: inferred episodes, valued with the interval of then ---- */

struct told {
	uint64_t n;
	__int128 sum;   /* of the send times told, less T0 */
};

static void told_cb(void *ctx, mm_ns ts)
{
	struct told *t = ctx;

	t->n++;
	t->sum += ts - T0;
}

/* Replies of a ping a second (no jitter: one interval throughout), 5000 gaps; A keeps, B forgets. */
static void test_forget_replies_only(void **state)
{
	struct gen *g = calloc(1, sizeof(*g));
	struct told ta = { 0, 0 }, tb = { 0, 0 };
	const struct echo_stream_info *a, *b;
	size_t nf = 0;

	(void)state;
	assert_non_null(g);
	gen_init(g, 2);
	g->replies_only = 1;
	g->jitter = 0;
	echo_set_lost_sink(g->t[0], told_cb, &ta);
	echo_set_lost_sink(g->t[1], told_cb, &tb);
	for (unsigned k = 0; k < 5000; k++) {
		for (unsigned i = 0; i < CYCLE; i++)
			gen_ping(g, (i >= 10 && i < 11 + k % 3) ? NO_REPLY : 1 * MS);
		if (k % 400 == 399) {
			assert_int_equal(echo_finish(g->t[1], g->last), 0);
			nf += echo_forget_before(g->t[1], g->last - 2000 * SEC);
		}
	}
	gen_ping(g, 1 * MS);
	assert_true(nf > 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(echo_finish(g->t[i], g->last), 0);
	a = only(g->t[0]);
	b = only(g->t[1]);
	assert_int_equal(a->replies_only, 1);
	same_figures(a, b);
	assert_int_equal(a->n_episodes + a->episodes_not_listed, 5000);
	assert_int_equal(a->lost, g->lost);
	assert_true(a->interval == SEC);
	/* estimate = reply gap - interval = lost x 1 s */
	assert_true(a->downtime_total == (mm_ns)g->lost * SEC);
	assert_true(a->downtime_longest == 3 * SEC);
	assert_int_equal(b->episodes[b->n_episodes - 1].first_seq, (uint64_t)g->firsts[4999]);
	/* every lost request told once, at the same times: forgotten ones when forgotten */
	echo_visit_lost(g->t[0], told_cb, &ta);
	echo_visit_lost(g->t[1], told_cb, &tb);
	assert_int_equal(ta.n, g->lost);
	assert_int_equal(tb.n, g->lost);
	assert_true(ta.sum == tb.sum);
	echo_free(g->t[0]);
	echo_free(g->t[1]);
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forget_long_run),
		cmocka_unit_test(test_forget_keeps_window),
		cmocka_unit_test(test_forget_before_is_kept),
		cmocka_unit_test(test_forget_replies_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
