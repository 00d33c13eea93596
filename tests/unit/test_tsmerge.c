/* test_tsmerge.c - two captures' frames back into one timeline. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tsmerge.h"

#define T0 ((mm_ns)1795847682 * MM_NS_PER_S)

struct seen {
	mm_ns ts[64];
	unsigned src[64];
	uint8_t first[64];
	size_t n;
};

static void collect(void *ctx, unsigned src, const struct pcap_pkthdr *h, const uint8_t *data)
{
	struct seen *s = ctx;

	assert_true(s->n < 64);
	s->ts[s->n] = (mm_ns)h->ts.tv_sec * MM_NS_PER_S + h->ts.tv_usec;
	s->src[s->n] = src;
	s->first[s->n] = h->caplen ? data[0] : 0;
	s->n++;
}

static void push(struct tsm *q, unsigned src, mm_ns ts, uint32_t caplen, uint8_t tag)
{
	struct pcap_pkthdr h;
	uint8_t data[300];

	memset(data, tag, sizeof(data));
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)(ts / MM_NS_PER_S);
	h.ts.tv_usec = (suseconds_t)(ts % MM_NS_PER_S);
	h.caplen = caplen;
	h.len = caplen + 1000;
	assert_int_equal(tsm_push(q, src, &h, data), 0);
}

static void test_order(void **state)
{
	struct tsm *q = tsm_new(2, 1 << 20);
	struct seen s = { .n = 0 };

	(void)state;
	assert_non_null(q);
	/* Source 0 hands over a block with t = 10, 20, 30; source 1 a block with t = 15, 25. */
	push(q, 0, T0 + 10, 60, 'a');
	push(q, 0, T0 + 20, 61, 'b');
	push(q, 0, T0 + 30, 0, 'c');
	push(q, 1, T0 + 15, 99, 'x');
	push(q, 1, T0 + 25, 255, 'y');
	/* Nothing is old enough to pass the watermark alone: only what both queues settle goes. */
	tsm_emit(q, T0, collect, &s);
	assert_int_equal(s.n, 4);		/* 10, 15, 20, 25; then source 1 is empty and 30 waits */
	assert_int_equal(s.ts[0], T0 + 10);
	assert_int_equal(s.ts[1], T0 + 15);
	assert_int_equal(s.ts[2], T0 + 20);
	assert_int_equal(s.ts[3], T0 + 25);
	assert_int_equal(s.src[1], 1);
	assert_int_equal(s.first[3], 'y');
	assert_int_equal(tsm_queued(q, 0), 1);
	/* Source 1 delivers an older frame late (its block came later): it still goes first. */
	push(q, 1, T0 + 28, 10, 'z');
	tsm_emit(q, T0, collect, &s);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.ts[4], T0 + 28);
	/* Past the watermark the lone frame goes. */
	tsm_emit(q, T0 + 30, collect, &s);
	assert_int_equal(s.n, 6);
	assert_int_equal(s.ts[5], T0 + 30);
	assert_int_equal(s.first[5], 0);	/* caplen 0 */
	assert_int_equal(tsm_queued(q, 0) + tsm_queued(q, 1), 0);
	tsm_free(q);
}

static void test_budget_and_flush(void **state)
{
	struct tsm *q = tsm_new(2, 1000);	/* about three 300-byte frames */
	struct seen s = { .n = 0 };
	int i;

	(void)state;
	/* Source 1 is silent: source 0's queue outgrows its budget and its oldest go anyway. */
	for (i = 0; i < 10; i++)
		push(q, 0, T0 + i, 300, (uint8_t)i);
	tsm_emit(q, T0 - 1, collect, &s);
	assert_true(s.n >= 6);
	assert_true(tsm_queued(q, 0) <= 4);
	for (i = 0; i < (int)s.n; i++)
		assert_int_equal(s.first[i], i);	/* still FIFO */
	/* An impossible time goes first; everything goes at the end. */
	{
		struct pcap_pkthdr h;
		uint8_t d = 'q';

		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = -5;
		h.caplen = h.len = 1;
		assert_int_equal(tsm_push(q, 1, &h, &d), 0);
	}
	i = (int)s.n;
	tsm_emit(q, INT64_MAX, collect, &s);
	assert_int_equal(s.src[i], 1);
	assert_int_equal(s.first[i], 'q');
	assert_int_equal(s.n, 11);
	tsm_free(q);
	tsm_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_budget_and_flush),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
