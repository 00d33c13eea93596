/* test_view_libvirt.c - virsh domjobinfo output and QMP query-migrate replies with their events; hostile input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "view-libvirt.h"
#include "viewbuf.h"

static const char dom[] =
	"Job type:         Completed\n"
	"Operation:        Outgoing migration\n"
	"Time elapsed:     10412        ms\n"
	"Time elapsed w/o network: 10398        ms\n"
	"Data processed:   1.500 GiB\n"
	"Memory bandwidth: 100.000 MiB/s\n"
	"Iteration:        5\n"
	"Postcopy requests: 0\n"
	"Total downtime:   87           ms\n"
	"Downtime w/o network: 71           ms\n"
	"\n"
	"Job type:         Failed\n"
	"Time elapsed:     12           ms\n";

static void test_domjobinfo(void **state)
{
	struct vjobs v;
	struct view_file f;
	char err[VIEW_ERR];

	(void)state;
	VIEWBUF(&f, dom);
	assert_int_equal(vjob_parse_domjobinfo(&v, &f, err, VIEW_ERR), 0);
	view_file_close(&f);
	assert_int_equal(v.n, 2);
	assert_string_equal(v.j[0].status, "Completed");
	assert_string_equal(v.j[0].operation, "Outgoing migration");
	assert_int_equal(v.j[0].fig[VJ_ELAPSED_MS], 10412);
	assert_int_equal(v.j[0].fig[VJ_ELAPSED_WO_NET_MS], 10398);
	assert_int_equal(v.j[0].fig[VJ_DATA_PROCESSED], 1610612736);
	assert_int_equal(v.j[0].fig[VJ_MEM_BPS], 100LL * 1048576 * 8);
	assert_int_equal(v.j[0].fig[VJ_ITERATIONS], 5);
	assert_int_equal(v.j[0].fig[VJ_DOWNTIME_MS], 87);
	assert_int_equal(v.j[0].fig[VJ_DOWNTIME_WO_NET_MS], 71);
	assert_int_equal(v.j[0].fig[VJ_SETUP_MS], VJOB_NONE);
	assert_int_equal(v.unknown, 1);	/* Postcopy requests */
	assert_string_equal(v.j[1].status, "Failed");
	vjobs_free(&v);
}

static void test_domjobinfo_hostile(void **state)
{
	static const char *const bad[] = {
		"Job type: Completed\nTime elapsed: 12 s\n",
		"Job type: Completed\nData processed: 1.5 ZiB\n",
		"Job type: Completed\nData processed: 99999999999999999999 EiB\n",
		"Job type: Completed\nTotal downtime: -5 ms\n",
		"Job type: Completed\nMemory bandwidth: 5 MiB\n",
	};
	struct vjobs v;
	struct view_file f;
	char err[VIEW_ERR];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		viewbuf(&f, bad[i], strlen(bad[i]));
		assert_int_equal(vjob_parse_domjobinfo(&v, &f, err, VIEW_ERR), -1);
		assert_non_null(strstr(err, "t.log:2: "));
		view_file_close(&f);
		vjobs_free(&v);
	}
	VIEWBUF(&f, "Time elapsed: 5 ms\n:\n::::\n\0:\0\n");
	assert_int_equal(vjob_parse_domjobinfo(&v, &f, err, VIEW_ERR), -1);
	assert_non_null(strstr(err, "no domjobinfo output"));
	view_file_close(&f);
	vjobs_free(&v);
	vjobs_free(NULL);
}

static const char qmp[] =
	"{\"timestamp\": {\"seconds\": 100, \"microseconds\": 250000}, \"event\": \"MIGRATION\", \"data\": {\"status\": \"setup\"}}\n"
	"{\"return\": {\"status\": \"active\", \"total-time\": 500, \"ram\": {\"transferred\": 10}}}\n"
	"{\"timestamp\": {\"seconds\": 101, \"microseconds\": 0}, \"event\": \"STOP\"}\n"
	"{\"return\": {\"status\": \"completed\", \"total-time\": 1000, \"downtime\": 40, \"setup-time\": 3,"
	" \"ram\": {\"transferred\": 123456, \"total\": 999, \"mbps\": 1.5}}}\n"
	"{\"timestamp\": {\"seconds\": 101, \"microseconds\": 260000}, \"event\": \"MIGRATION\", \"data\": {\"status\": \"completed\"}}\n"
	"[{\"return\": {\"status\": \"failed\", \"total-time\": 7}}, 5, \"x\", null]\n"
	"{\"status\": \"completed\", \"total-time\": 9, \"ram\": {}}\n";

static void test_qmp(void **state)
{
	struct vjobs v;
	struct view_file f;
	char err[VIEW_ERR];
	mm_ns a, b;

	(void)state;
	VIEWBUF(&f, qmp);
	assert_int_equal(vjob_parse_qmp(&v, &f, err, VIEW_ERR), 0);
	view_file_close(&f);
	assert_int_equal(v.n, 3);
	assert_string_equal(v.j[0].status, "completed");
	assert_int_equal(v.j[0].fig[VJ_ELAPSED_MS], 1000);
	assert_int_equal(v.j[0].fig[VJ_MEM_PROCESSED], 123456);
	assert_int_equal(v.j[0].fig[VJ_MEM_BPS], 1500000);
	assert_int_equal(v.j[0].t_setup, 100250000000LL);
	assert_int_equal(v.j[0].t_stop, 101 * MM_NS_PER_S);
	/* The completed event came after the reply: it still times the job. */
	assert_int_equal(v.j[0].t_done, 101260000000LL);
	vjob_span(&v.j[0], &a, &b);
	assert_int_equal(a, 100250000000LL);
	assert_int_equal(b, 101260000000LL);
	assert_string_equal(v.j[1].status, "failed");
	assert_int_equal(v.j[1].t_setup, MM_NS_NONE);
	assert_int_equal(v.j[2].fig[VJ_ELAPSED_MS], 9);
	vjob_span(&v.j[2], &a, &b);
	assert_int_equal(a, MM_NS_NONE);
	vjobs_free(&v);
}

static void test_qmp_hostile(void **state)
{
	struct vjobs v;
	struct view_file f;
	char err[VIEW_ERR];
	char deep[200];
	size_t i;

	(void)state;
	VIEWBUF(&f, "{\"return\": {\"status\": \"completed\"}}\n{\"return\": [1, 2\n");
	assert_int_equal(vjob_parse_qmp(&v, &f, err, VIEW_ERR), -1);
	assert_non_null(strstr(err, "t.log:2: not JSON"));
	view_file_close(&f);
	vjobs_free(&v);
	VIEWBUF(&f, "{\"event\": \"STOP\", \"timestamp\": {\"seconds\": -5, \"microseconds\": 99999999}}\n");
	assert_int_equal(vjob_parse_qmp(&v, &f, err, VIEW_ERR), -1);
	assert_non_null(strstr(err, "no query-migrate reply"));
	view_file_close(&f);
	vjobs_free(&v);
	/* Nesting past json-c's depth: an error, not a crash. */
	for (i = 0; i < sizeof(deep) - 1; i++)
		deep[i] = '[';
	viewbuf(&f, deep, sizeof(deep) - 1);
	assert_int_equal(vjob_parse_qmp(&v, &f, err, VIEW_ERR), -1);
	view_file_close(&f);
	vjobs_free(&v);
	/* Wrong types everywhere: figures stay unknown. */
	VIEWBUF(&f, "{\"return\": {\"status\": \"completed\", \"total-time\": \"x\", \"ram\": [1], \"downtime\": null}}\n");
	assert_int_equal(vjob_parse_qmp(&v, &f, err, VIEW_ERR), 0);
	assert_int_equal(v.j[0].fig[VJ_ELAPSED_MS], VJOB_NONE);
	assert_int_equal(v.j[0].fig[VJ_DOWNTIME_MS], VJOB_NONE);
	view_file_close(&f);
	vjobs_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domjobinfo),
		cmocka_unit_test(test_domjobinfo_hostile),
		cmocka_unit_test(test_qmp),
		cmocka_unit_test(test_qmp_hostile),
	};

	return cmocka_run_group_tests_name("view_libvirt", tests, NULL, NULL);
}
