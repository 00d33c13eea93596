/* test_source_order.c - the reorder buffer of multi-interface pcapng files: time order back, bounded. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "source-order.h"

#define MS ((mm_ns)1000 * 1000)
#define T0 ((mm_ns)1700000000 * MM_NS_PER_S)

/* A frame whose one data byte is `tag` (so where it came from shows after the copy). */
static void push(struct source_order *o, mm_ns ts, uint8_t tag, uint32_t ifid)
{
	static uint8_t buf[64];
	struct source_frame f;

	memset(&f, 0, sizeof(f));
	memset(buf, tag, sizeof(buf));
	f.data = buf;
	f.caplen = f.len = sizeof(buf);
	f.ts = ts;
	f.ifid = ifid;
	f.match = 1;
	assert_int_equal(source_order_push(o, &f), 0);
	memset(buf, 0xee, sizeof(buf));	/* the caller's buffer is reused: the copy must not change */
}

/* Two interfaces written in turns of a few frames, up to 230 ms apart: out in time order. */
static void test_time_order(void **state)
{
	struct source_order *o = source_order_new();
	struct source_frame f;
	mm_ns last = 0;
	int n = 0;

	(void)state;
	assert_non_null(o);
	for (int turn = 0; turn < 40; turn++)
		for (int k = 0; k < 23; k++) {
			int ifid = turn % 2;
			mm_ns ts = T0 + (mm_ns)(turn / 2) * 230 * MS + k * 10 * MS + ifid * MS;

			push(o, ts, (uint8_t)(ifid + 1), (uint32_t)ifid);
			while (source_order_pop(o, 0, &f) == 1) {
				assert_true(f.ts >= last);
				assert_int_equal(f.data[0], f.ifid + 1);
				assert_int_equal(f.data[63], f.ifid + 1);
				last = f.ts;
				n++;
			}
		}
	assert_true(n < 40 * 23);	/* the newest 2 s stay until the end */
	while (source_order_pop(o, 1, &f) == 1) {
		assert_true(f.ts >= last);
		last = f.ts;
		n++;
	}
	assert_int_equal(n, 40 * 23);
	assert_int_equal(source_order_pop(o, 1, &f), 0);
	source_order_free(o);
}

/* Equal times keep the file's order; a frame older than the window goes out as it comes. */
static void test_ties_and_stragglers(void **state)
{
	struct source_order *o = source_order_new();
	struct source_frame f;

	(void)state;
	push(o, T0, 1, 0);
	push(o, T0, 2, 1);
	push(o, T0, 3, 0);
	assert_int_equal(source_order_pop(o, 0, &f), 0);	/* not 2 s old yet */
	push(o, T0 + 3 * MM_NS_PER_S, 4, 0);
	for (uint8_t want = 1; want <= 3; want++) {
		assert_int_equal(source_order_pop(o, 0, &f), 1);
		assert_int_equal(f.data[0], want);
	}
	assert_int_equal(source_order_pop(o, 0, &f), 0);
	push(o, T0 + 500 * MS, 5, 1);	/* behind what went out already */
	assert_int_equal(source_order_pop(o, 0, &f), 1);
	assert_int_equal(f.data[0], 5);
	assert_int_equal(source_order_pop(o, 1, &f), 1);
	assert_int_equal(f.data[0], 4);
	source_order_free(o);
}

/* Past SOURCE_ORDER_BYTES held, the oldest go out whatever their age: memory stays bounded. */
static void test_bytes_bound(void **state)
{
	struct source_order *o = source_order_new();
	struct source_frame f;
	size_t most = 0, held = 0;

	(void)state;
	for (int i = 0; i < 2 * (int)(SOURCE_ORDER_BYTES / 64); i++) {
		push(o, T0 + i, 1, 0);	/* 1 ns apart: never 2 s old */
		held++;
		while (source_order_pop(o, 0, &f) == 1)
			held--;
		if (held > most)
			most = held;
	}
	assert_true(most * 64 <= SOURCE_ORDER_BYTES);	/* each costs more than its 64 bytes */
	assert_true(most * 200 >= SOURCE_ORDER_BYTES);	/* and less than 200 */
	source_order_free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_order),
		cmocka_unit_test(test_ties_and_stragglers),
		cmocka_unit_test(test_bytes_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
