/* test_join.c - which files are one rotated capture: the decision, and the record-time scan it rests on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../bytebuf.h"
#include "join.h"

#define S(x) ((mm_ns)(x) * MM_NS_PER_S)
#define MS(x) ((mm_ns)(x) * 1000000)

static int decide(const struct join_item *it, size_t n, enum join_mode mode, unsigned *g, unsigned *p)
{
	size_t bad = 0;

	return join_decide(it, n, mode, g, p, &bad);
}

/* Parts of one capture given in any order: one capture, parts by first record time. */
static void test_rotated_parts(void **state)
{
	const struct join_item it[3] = {
		{ "1:/", S(20), S(30), 1 },
		{ "1:/", S(0), S(10), 1 },
		{ "1:/", S(10), S(20) - 1, 1 },
	};
	unsigned g[3], p[3];

	(void)state;
	assert_int_equal(decide(it, 3, JOIN_AUTO, g, p), 1);
	assert_int_equal(g[0], 0);
	assert_int_equal(g[1], 0);
	assert_int_equal(g[2], 0);
	assert_int_equal(p[1], 0);
	assert_int_equal(p[2], 1);
	assert_int_equal(p[0], 2);
	/* Forced apart: three vantage points in command-line order. */
	assert_int_equal(decide(it, 3, JOIN_SEPARATE, g, p), 3);
	assert_int_equal(g[0], 0);
	assert_int_equal(g[1], 1);
	assert_int_equal(g[2], 2);
	assert_int_equal(p[0] + p[1] + p[2], 0);
}

/* Overlapping times, other link types, unknown ranges: separate vantage points. */
static void test_separate(void **state)
{
	const struct join_item overlap[2] = { { "1:/", S(0), S(10), 1 }, { "1:/", S(5), S(15), 1 } };
	const struct join_item other[2] = { { "1:/", S(0), S(10), 1 }, { "113:/", S(11), S(15), 1 } };
	const struct join_item pipe[2] = { { "1:/", S(0), S(10), 1 }, { "1:/", S(11), MM_NS_NONE, 0 } };
	const struct join_item empty[2] = { { "1:/", S(0), S(10), 1 },
					    { "1:/", MM_NS_NONE, MM_NS_NONE, 1 } };
	const struct join_item touch[2] = { { "1:/", S(0), S(10), 1 }, { "1:/", S(10), S(15), 1 } };
	unsigned g[2], p[2];

	(void)state;
	assert_int_equal(decide(overlap, 2, JOIN_AUTO, g, p), 2);
	assert_int_equal(decide(other, 2, JOIN_AUTO, g, p), 2);
	assert_int_equal(decide(pipe, 2, JOIN_AUTO, g, p), 2);
	assert_int_equal(decide(empty, 2, JOIN_AUTO, g, p), 2);
	/* The next part may start at the very time the last one ended. */
	assert_int_equal(decide(touch, 2, JOIN_AUTO, g, p), 1);
	/* Forced together, in time order, even overlapping. */
	assert_int_equal(decide(overlap, 2, JOIN_ONE, g, p), 1);
	assert_int_equal(p[0], 0);
	assert_int_equal(p[1], 1);
}

/* Two nodes' rotated captures side by side: each part follows its own node's. */
static void test_two_rotations(void **state)
{
	const struct join_item it[4] = {
		{ "1:/", S(0), S(10), 1 },			/* src part 0 */
		{ "1:/", S(10) + MS(3), S(20), 1 },		/* dst part 1 */
		{ "1:/", MS(1), S(10) + MS(2), 1 },		/* dst part 0 */
		{ "1:/", S(10) + MS(1) / 10, S(20) + MS(1), 1 },	/* src part 1 */
	};
	unsigned g[4], p[4];

	(void)state;
	assert_int_equal(decide(it, 4, JOIN_AUTO, g, p), 2);
	assert_int_equal(g[0], 0);
	assert_int_equal(g[3], 0);
	assert_int_equal(g[1], 1);
	assert_int_equal(g[2], 1);
	assert_int_equal(p[0], 0);
	assert_int_equal(p[3], 1);
	assert_int_equal(p[2], 0);
	assert_int_equal(p[1], 1);
}

/* Captures are numbered by their lowest input index; one-capture refuses other link types. */
static void test_numbering_and_refusal(void **state)
{
	const struct join_item it[3] = {
		{ "1:/", S(10), S(20), 1 },
		{ "113:/", S(0), S(5), 1 },
		{ "1:/", S(0), S(9), 1 },
	};
	unsigned g[3], p[3];
	size_t bad = 0;

	(void)state;
	assert_int_equal(decide(it, 3, JOIN_AUTO, g, p), 2);
	assert_int_equal(g[0], 0);
	assert_int_equal(g[2], 0);
	assert_int_equal(g[1], 1);
	assert_int_equal(p[2], 0);
	assert_int_equal(p[0], 1);
	assert_int_equal(join_decide(it, 3, JOIN_ONE, g, p, &bad), -1);
	assert_int_equal(bad, 1);
}

/* ---- the scan ------------------------------------------------------------ */

static char *write_tmp(const struct buf *b)
{
	char *path = strdup("/tmp/mm-test-join.XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b->p, b->n), (ssize_t)b->n);
	close(fd);
	return path;
}

static void scan(const struct buf *b, mm_ns *first, mm_ns *last)
{
	char *path = write_tmp(b), err[256];
	struct instream *s = instream_open(path, err, sizeof(err));

	assert_non_null(s);
	assert_int_equal(join_scan(s, 0, S(7258118400LL), first, last), 0);
	instream_close(s);
	unlink(path);
	free(path);
}

static void pcap_rec(struct buf *b, int big, uint32_t sec, uint32_t frac, uint32_t caplen)
{
	void (*w)(struct buf *, uint32_t) = big ? b_be32 : b_le32;

	w(b, sec);
	w(b, frac);
	w(b, caplen);
	w(b, caplen);
	b_zero(b, caplen);
}

/* Classic pcap in both byte orders and precisions: bad times passed over, a lying length ends the range. */
static void test_scan_pcap(void **state)
{
	int big;

	(void)state;
	for (big = 0; big <= 1; big++) {
		void (*w)(struct buf *, uint32_t) = big ? b_be32 : b_le32;
		struct buf b = { 0 };
		mm_ns first, last;

		w(&b, big ? 0xa1b23c4dU : 0xa1b2c3d4U);		/* big: nanoseconds */
		w(&b, 0x00040002U);
		w(&b, 0);
		w(&b, 0);
		w(&b, 65535);
		w(&b, 1);
		pcap_rec(&b, big, 0x80000000U, 0, 60);		/* before 1970 (libpcap reads it signed) */
		pcap_rec(&b, big, 1700000000, 5, 60);
		pcap_rec(&b, big, 1700000001, 2000000000U, 60);	/* a fraction past one second */
		pcap_rec(&b, big, 1700000009, 7, 1500);
		w(&b, 1700000020);				/* a captured length libpcap refuses */
		w(&b, 0);
		w(&b, 300000);
		w(&b, 300000);
		pcap_rec(&b, big, 1700000030, 0, 60);
		scan(&b, &first, &last);
		assert_int_equal(first, S(1700000000) + (big ? 5 : 5000));
		assert_int_equal(last, S(1700000009) + (big ? 7 : 7000));
		b_free(&b);
	}
}

/* pcapng: the times its packet blocks carry, every other block passed over. */
static void test_scan_pcapng(void **state)
{
	struct buf b = { 0 };
	mm_ns first, last;
	int k;

	(void)state;
	b_le32(&b, 0x0A0D0D0AU);
	b_le32(&b, 28);
	b_le32(&b, 0x1A2B3C4DU);
	b_le16(&b, 1);
	b_le16(&b, 0);
	b_le32(&b, 0xffffffffU);
	b_le32(&b, 0xffffffffU);
	b_le32(&b, 28);
	b_le32(&b, 1);			/* IDB, nanoseconds */
	b_le32(&b, 32);
	b_le16(&b, 1);
	b_le16(&b, 0);
	b_le32(&b, 0);
	b_le16(&b, 9);
	b_le16(&b, 1);
	b_u8(&b, 9);
	b_zero(&b, 3);
	b_le32(&b, 0);
	b_le32(&b, 32);
	for (k = 0; k < 3; k++) {
		uint64_t ts = (uint64_t)S(1700000000 + k) + 42;

		b_le32(&b, 6);
		b_le32(&b, 32 + 64);
		b_le32(&b, 0);
		b_le32(&b, (uint32_t)(ts >> 32));
		b_le32(&b, (uint32_t)ts);
		b_le32(&b, 64);
		b_le32(&b, 64);
		b_zero(&b, 64);
		b_le32(&b, 32 + 64);
	}
	scan(&b, &first, &last);
	assert_int_equal(first, S(1700000000) + 42);
	assert_int_equal(last, S(1700000002) + 42);
	b_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rotated_parts),
		cmocka_unit_test(test_separate),
		cmocka_unit_test(test_two_rotations),
		cmocka_unit_test(test_numbering_and_refusal),
		cmocka_unit_test(test_scan_pcap),
		cmocka_unit_test(test_scan_pcapng),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
