/* test_view_ping.c - ping output: reply lines, -D times, -O, DUP!, statistics, episodes, hostile lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "view-ping.h"
#include "viewbuf.h"

static int parse(struct vping *v, const char *s, size_t n, mm_ns asked, char *err)
{
	struct view_file f;
	int rc;

	viewbuf(&f, s, n);
	err[0] = '\0';
	rc = vping_parse(v, &f, asked, err, VIEW_ERR);
	view_file_close(&f);
	return rc;
}

/* -D: times from the replies less their RTT; -O lines time the lost requests. */
static void test_timestamps(void **state)
{
	static const char log[] =
		"PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n"
		"[100.000500] 64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.500 ms\n"
		"[100.010500] 64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=0.500 ms\n"
		"[100.030000] no answer yet for icmp_seq=3\n"
		"[100.040000] no answer yet for icmp_seq=4\n"
		"[100.050000] no answer yet for icmp_seq=5\n"
		"[100.050700] 64 bytes from 10.0.0.2: icmp_seq=6 ttl=64 time=0.700 ms\n"
		"[100.050900] 64 bytes from 10.0.0.2: icmp_seq=6 ttl=64 time=0.900 ms (DUP!)\n"
		"[100.060500] 64 bytes from 10.0.0.2: icmp_seq=7 ttl=64 time=0.500 ms\n"
		"\n--- 10.0.0.2 ping statistics ---\n"
		"7 packets transmitted, 4 received, +1 duplicates, 42.8571% packet loss, time 60ms\n"
		"rtt min/avg/max/mdev = 0.500/0.550/0.700/0.086 ms\n";
	struct vping v;
	char err[VIEW_ERR];
	const struct vping_run *r;

	(void)state;
	assert_int_equal(parse(&v, log, sizeof(log) - 1, 10000000, err), 0);
	assert_int_equal(v.nruns, 1);
	r = &v.runs[0];
	assert_string_equal(r->target, "10.0.0.2");
	assert_true(r->timestamps);
	assert_int_equal(r->reply_lines, 4);
	assert_int_equal(r->dup_lines, 1);
	assert_int_equal(r->noans_lines, 3);
	assert_int_equal(r->transmitted, 7);
	assert_int_equal(r->received, 4);
	assert_int_equal(r->duplicates, 1);
	assert_int_equal(r->time_ms, 60);
	assert_int_equal(r->rtt_max, 700000);
	assert_int_equal(r->lost, 3);
	assert_int_equal(r->interval, 10000000);
	assert_int_equal(r->nep, 1);
	assert_int_equal(r->ep[0].first_seq, 3);
	assert_int_equal(r->ep[0].last_seq, 5);
	assert_int_equal(r->ep[0].lost, 3);
	/* request 3 left when "no answer yet for icmp_seq=2"... none: interpolated 100.020; 6 left at 100.050 */
	assert_int_equal(r->ep[0].start, 100 * MM_NS_PER_S + 20000000);
	assert_int_equal(r->ep[0].end, 100 * MM_NS_PER_S + 50000000);
	assert_int_equal(r->ep[0].estimate, 30000000);
	assert_int_equal(r->ep[0].upper, 40000000);
	assert_true(r->ep[0].ended);
	assert_int_equal(vping_lost_x_interval(r, MM_NS_NONE) * 1e6 + 0.5, 30000);
	assert_true(vping_time_x_loss(r) > 0.0257 && vping_time_x_loss(r) < 0.0258);
	vping_free(&v);
}

/* Sequence numbers only: the interval from the statistics; two outages; a run still going at the end. */
static void test_plain(void **state)
{
	char log[8192];
	size_t n = 0;
	struct vping v;
	char err[VIEW_ERR];
	const struct vping_run *r;
	mm_ns longest;
	int s;

	(void)state;
	n += (size_t)snprintf(log + n, sizeof(log) - n, "PING h (10.0.0.2) 56(84) bytes of data.\n");
	for (s = 1; s <= 50; s++)
		if ((s < 10 || s > 19) && (s < 30 || s > 34) && s < 48)
			n += (size_t)snprintf(log + n, sizeof(log) - n,
					      "64 bytes from 10.0.0.2: icmp_seq=%d ttl=64 time=0.1 ms\n", s);
	n += (size_t)snprintf(log + n, sizeof(log) - n,
			      "50 packets transmitted, 32 received, 36%% packet loss, time 490ms\n");
	assert_int_equal(parse(&v, log, n, MM_NS_NONE, err), 0);
	r = &v.runs[0];
	assert_false(r->timestamps);
	assert_int_equal(r->interval, 10000000);	/* 490 ms over 49 intervals */
	assert_int_equal(r->nep, 3);
	assert_int_equal(r->ep[0].lost, 10);
	assert_int_equal(r->ep[0].estimate, 100000000);
	assert_int_equal(r->ep[1].lost, 5);
	assert_true(r->ep[1].ended);
	assert_int_equal(r->ep[2].first_seq, 48);
	assert_false(r->ep[2].ended);
	assert_int_equal(vping_outages(r, &longest), 2);
	assert_int_equal(longest, 100000000);
	assert_int_equal(r->lost, 18);
	vping_free(&v);
}

/* icmp_seq wraps at 65536: unwrapped, no false outage. */
static void test_wrap(void **state)
{
	static const char log[] =
		"64 bytes from 10.0.0.2: icmp_seq=65534 ttl=64 time=0.1 ms\n"
		"64 bytes from 10.0.0.2: icmp_seq=65535 ttl=64 time=0.1 ms\n"
		"64 bytes from 10.0.0.2: icmp_seq=0 ttl=64 time=0.1 ms\n"
		"64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=0.1 ms\n";
	struct vping v;
	char err[VIEW_ERR];

	(void)state;
	assert_int_equal(parse(&v, log, sizeof(log) - 1, 10000000, err), 0);
	assert_int_equal(v.runs[0].nep, 1);
	assert_int_equal(v.runs[0].ep[0].first_seq, 65537);
	assert_int_equal(v.runs[0].ep[0].lost, 1);
	vping_free(&v);
}

/* Hostile lines: never fatal unless the statistics lie; overlong lines counted. */
static void test_hostile(void **state)
{
	char big[VIEW_MAX_LINE + 64];
	static const char junk[] =
		"PING x (\n"
		"64 bytes from : icmp_seq=\n"
		"64 bytes from x: icmp_seq=184467440737095516161 ttl=1 time=1 ms\n"
		"[99999999999999999999.1] 64 bytes from x: icmp_seq=3 ttl=1 time=1 ms\n"
		"[12.5 64 bytes from x: icmp_seq=3\n"
		"\0\0\0 bytes from \0: icmp_seq=4 time=\0\n"
		"64 bytes from x: icmp_seq=5 ttl=1 time=-3 ms\n"
		"rtt min/avg/max/mdev = /// ms\n"
		"5 packets transmitted, received\n"
		"64 bytes from x: icmp_seq=6 ttl=1 time=99999999999999999999 ms\n";
	static const char lie[] = "PING x (1.2.3.4)\n3 packets transmitted, 5 received, 0% packet loss\n";
	static const char lie2[] = "PING x (1.2.3.4)\n3 packets transmitted, 1 received, 250% packet loss\n";
	struct vping v;
	char err[VIEW_ERR];
	size_t n;

	(void)state;
	assert_int_equal(parse(&v, junk, sizeof(junk) - 1, MM_NS_NONE, err), 0);
	assert_int_equal(v.runs[0].reply_lines, 3);	/* seq 4 (NULs around it), 5 and 6 */
	assert_true(v.unknown >= 5);
	vping_free(&v);
	assert_int_equal(parse(&v, lie, sizeof(lie) - 1, MM_NS_NONE, err), -1);
	assert_string_equal(err, "t.log:2: 5 received of 3 transmitted: not ping's statistics");
	vping_free(&v);
	assert_int_equal(parse(&v, lie2, sizeof(lie2) - 1, MM_NS_NONE, err), -1);
	assert_non_null(strstr(err, "t.log:2:"));
	vping_free(&v);
	assert_int_equal(parse(&v, "nothing\n", 8, MM_NS_NONE, err), -1);
	assert_non_null(strstr(err, "no ping output"));
	vping_free(&v);
	/* An overlong line between two replies: skipped and counted. */
	n = (size_t)snprintf(big, sizeof(big), "64 bytes from x: icmp_seq=1 ttl=1 time=1 ms\n");
	memset(big + n, 'A', VIEW_MAX_LINE + 1);
	n += VIEW_MAX_LINE + 1;
	big[n++] = '\n';
	assert_int_equal(parse(&v, big, n, MM_NS_NONE, err), 0);
	assert_int_equal(v.overlong, 1);
	assert_int_equal(v.runs[0].reply_lines, 1);
	vping_free(&v);
	/* Empty input, and a last line without its newline. */
	assert_int_equal(parse(&v, "", 0, MM_NS_NONE, err), -1);
	vping_free(&v);
	assert_int_equal(parse(&v, "64 bytes from x: icmp_seq=9", 27, MM_NS_NONE, err), 0);
	assert_int_equal(v.runs[0].reply_lines, 1);
	vping_free(&v);
	vping_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests_name("view_ping", tests, NULL, NULL);
}
