/* test_plot.c - migmeter plot's data: the report's "timeseries" both ways, exact times, the migrations and episodes read, the script. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "plot.h"

#define S MM_NS_PER_S
#define MS 1000000LL
#define T0 (1700000000LL * S)

/* A report with two migrations (one unresponsive record, one app phase), an episode outside them. */
static const char report_text[] =
	"{\"schema\":\"migmeter-report/2\",\"timestamp_precision\":\"us\","
	"\"inputs\":[{\"file\":\"dir/run_1.pcap\",\"part\":1},{\"file\":\"run_1b.pcap\",\"part\":2}],"
	"\"capture\":{\"first_ts\":1700000000.000000,\"last_ts\":1700000009.500000},"
	"\"migrations\":["
	"{\"id\":1,\"start\":1700000001.000100,\"end\":1700000002.000000,"
	"\"switchover\":{\"final_burst_end\":1700000002.100000,\"resumed\":1700000002.200000},"
	"\"duration_s\":1.0,\"downtime_total_s\":0.1,\"unique_payload_bytes\":2000000,"
	"\"episodes\":[{\"first_lost_ts\":1700000002.100000,\"end_ts\":1700000002.200000}],"
	"\"unresponsive\":{\"total_s\":0.25,\"episodes\":[{\"start\":1700000002.0,\"end\":1700000002.25}]},"
	"\"app\":{\"phases\":[{\"phase\":\"before\",\"start\":1700000000.0,\"end\":1700000001.0,"
	"\"goodput_bps\":8000000,\"response_median_s\":0.002}]}},"
	"{\"id\":2,\"start\":1700000005.000000,\"end\":null,\"switchover\":{\"resumed\":null},"
	"\"duration_s\":null,\"downtime_total_s\":null,\"unique_payload_bytes\":0,\"episodes\":[]}],"
	"\"episodes_outside_migrations\":[{\"first_lost_ts\":1700000008.0,\"end_ts\":1700000008.5}]}";

static json_object *report(void)
{
	json_object *r = json_tokener_parse(report_text);

	assert_non_null(r);
	return r;
}

/* Times as the report writes them come back to the nanosecond, whatever a double holds. */
static void test_time(void **state)
{
	json_object *r = json_tokener_parse("[1700000001.000100, 1795845992.521713123, 3, -0.5, null, \"1\"]");
	mm_ns t;

	(void)state;
	assert_int_equal(plot_time(json_object_array_get_idx(r, 0), &t), 0);
	assert_true(t == 1700000001000100000LL);
	assert_int_equal(plot_time(json_object_array_get_idx(r, 1), &t), 0);
	assert_true(t == 1795845992521713123LL);
	assert_int_equal(plot_time(json_object_array_get_idx(r, 2), &t), 0);
	assert_true(t == 3 * S);
	assert_int_equal(plot_time(json_object_array_get_idx(r, 3), &t), 0);
	assert_true(t == -500 * MS);
	assert_int_equal(plot_time(json_object_array_get_idx(r, 4), &t), -1);
	assert_int_equal(plot_time(json_object_array_get_idx(r, 5), &t), -1);
	json_object_put(r);
}

/* A series written into the report and read back (through JSON text) is the same, bin for bin. */
static void test_series_round_trip(void **state)
{
	struct series *s = series_new(100 * MS, 0);
	json_object *r = report(), *back;
	struct plot_data d;
	char err[256], *csv = NULL;
	size_t len = 0;
	uint64_t i;
	FILE *fp;

	(void)state;
	series_set_t0(s, T0);
	assert_int_equal(series_add_mig_role(s, T0 + 1 * S, 1, 1500, 1448, SERIES_ROLE_MAIN), 0);
	assert_int_equal(series_add_mig_role(s, T0 + 1 * S + 5, 0, 66, 0, SERIES_ROLE_MAIN), 0);
	assert_int_equal(series_add_mig_role(s, T0 + 1200 * MS, 1, 9000, 8948, SERIES_ROLE_MULTIFD), 0);
	assert_int_equal(series_add_mig_role(s, T0 + 1300 * MS, 1, 1000, 948, SERIES_ROLE_NBD), 0);
	assert_int_equal(series_add_ping(s, T0 + 2 * S, SERIES_PING_REQUEST), 0);
	assert_int_equal(series_add_ping(s, T0 + 2 * S, SERIES_PING_LOST), 0);
	assert_int_equal(series_add_rtt(s, T0 + 3 * S, 300000), 0);
	assert_int_equal(series_add_rtt(s, T0 + 3 * S + 1, 500000), 0);
	series_extend(s, T0 + 9 * S + 400 * MS);
	assert_int_equal(plot_add_series(r, s, 6), 0);
	back = json_tokener_parse(json_object_to_json_string(r));
	assert_non_null(back);
	assert_int_equal(plot_data_load(back, &d, err, sizeof(err)), 0);
	assert_non_null(d.series);
	assert_true(series_t0(d.series) == T0);
	assert_true(series_bin_width(d.series) == 100 * MS);
	assert_int_equal(series_len(d.series), series_len(s));
	for (i = 0; i < series_len(s); i++)
		assert_memory_equal(series_get(s, i), series_get(d.series, i), sizeof(struct series_bin));
	assert_int_equal(series_get(d.series, 30)->rtt_n, 2);
	assert_int_equal(series_get(d.series, 30)->rtt_sum, 800000);
	assert_int_equal(series_get(d.series, 30)->rtt_max, 500000);
	/* Written out as the --timeseries CSV and scanned: what the figure needs, nothing kept. */
	fp = open_memstream(&csv, &len);
	assert_int_equal(plot_write_series(fp, &d), 0);
	fclose(fp);
	assert_false(d.has_series || d.has_rtt);
	fp = fmemopen(csv, len, "r");
	assert_int_equal(plot_scan_series(fp, &d, err, sizeof(err)), 0);
	fclose(fp);
	assert_true(d.has_series && d.has_rtt);
	assert_true(d.has_role[SERIES_ROLE_MAIN] && d.has_role[SERIES_ROLE_MULTIFD] && d.has_role[SERIES_ROLE_NBD]);
	assert_false(d.has_role[SERIES_ROLE_OTHER]);
	assert_true(d.t0 == T0);
	assert_true(d.t_end == T0 + 9500 * MS);	/* the last bin's end (the capture's last_ts too) */
	/* migration 1 is active from 1.0001 s: bin 10 starts 0.0001 s before it */
	assert_non_null(strstr(csv, "\n1.000000,1700000001.000000,1500,66,1448,2,0,0,0,1448,0,0,0,0.100000,-0.000100,1,"
			       "115840,115840,0,0,,,,,,,,,,,,\n"));
	free(csv);
	plot_data_free(&d);
	json_object_put(back);
	json_object_put(r);
	series_free(s);
}

/* The migrations, their episodes and phases, the capture names and time 0, from the report. */
static void test_load_report(void **state)
{
	json_object *r = report();
	struct plot_data d;
	char err[256];

	(void)state;
	assert_int_equal(plot_data_load(r, &d, err, sizeof(err)), 0);
	assert_null(d.series);
	assert_string_equal(d.inputs, "run_1.pcap");
	assert_true(d.t0 == T0);
	assert_true(d.t_end == T0 + 9500 * MS);
	assert_int_equal(d.nmigs, 2);
	assert_int_equal(d.migs[0].id, 1);
	assert_true(d.migs[0].start == T0 + 1 * S + 100000);
	assert_true(d.migs[0].end == T0 + 2200 * MS);	/* the latest of end, final burst, resumed */
	assert_true(d.migs[0].resumed == T0 + 2200 * MS);
	assert_true(d.migs[0].mbytes == 2.0);
	assert_true(d.migs[0].downtime_s == 0.1 && d.migs[0].unresponsive_s == 0.25);
	assert_true(d.migs[1].end == MM_NS_NONE && d.migs[1].duration_s < 0 && d.migs[1].downtime_s < 0);
	assert_true(d.migs[1].unresponsive_s < 0);
	assert_int_equal(d.nbands, 3);
	assert_true(d.bands[0].kind == 0 && d.bands[0].mig == 1 && d.bands[0].start == T0 + 2100 * MS);
	assert_true(d.bands[1].kind == 1 && d.bands[1].end == T0 + 2250 * MS);
	assert_true(d.bands[2].mig == 0 && d.bands[2].start == T0 + 8 * S);
	assert_int_equal(d.nphases, 1);
	assert_string_equal(d.phases[0].name, "before");
	assert_true(d.phases[0].goodput_bps == 8e6);
	assert_true(d.has_unresponsive);
	plot_data_free(&d);
	json_object_put(r);
}

/* A damaged or foreign document: one reason, nothing kept. */
static void test_bad_reports(void **state)
{
	static const char *const bad[] = {
		"{\"schema\":\"other/1\"}",
		"[1,2]",
		"{\"schema\":\"migmeter-report/2\",\"timeseries\":{\"bin_s\":0.1}}",
		"{\"schema\":\"migmeter-report/2\",\"timeseries\":{\"bin_s\":0,\"t0\":1,\"len\":1,\"columns\":[],"
		"\"data\":[]}}",
		"{\"schema\":\"migmeter-report/2\",\"timeseries\":{\"bin_s\":1,\"len\":2,\"columns\":[\"bin\"],"
		"\"data\":[[0]]}}",
		"{\"schema\":\"migmeter-report/2\",\"timeseries\":{\"bin_s\":1,\"t0\":1,\"len\":2,"
		"\"columns\":[\"bin\",\"packets\"],\"data\":[[2,1]]}}",
		"{\"schema\":\"migmeter-report/2\",\"timeseries\":{\"bin_s\":1,\"t0\":1,\"len\":2,"
		"\"columns\":[\"bin\",\"packets\"],\"data\":[[0,-1]]}}",
		"{\"schema\":\"migmeter-report/2\",\"timeseries\":{\"bin_s\":1,\"t0\":1,\"len\":2,"
		"\"columns\":[\"bin\",\"packets\"],\"data\":[[0]]}}",
		"{\"schema\":\"migmeter-report/2\",\"timeseries\":{\"bin_s\":1,\"t0\":9000000000,"
		"\"len\":18446744073709551615,\"columns\":[\"bin\"],\"data\":[]}}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_object *r = json_tokener_parse(bad[i]);
		struct plot_data d;
		char err[256] = "";

		assert_non_null(r);
		assert_int_equal(plot_data_load(r, &d, err, sizeof(err)), -1);
		assert_true(err[0] != '\0' && strchr(err, '\n') == NULL);
		assert_null(d.series);
		assert_null(d.migs);
		json_object_put(r);
	}
}

/* Not a time series: one reason. */
static void test_scan_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"a,b,c\n1,2,3\n",
		OUT_SERIES_HEADER "\n0.0,17x,0\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct plot_data d;
		char err[256] = "";
		FILE *fp = fmemopen((void *)bad[i], strlen(bad[i]) + 1, "r");

		memset(&d, 0, sizeof(d));
		assert_non_null(fp);
		assert_int_equal(plot_scan_series(fp, &d, err, sizeof(err)), -1);
		assert_true(err[0] != '\0');
		assert_false(d.has_series);
		fclose(fp);
	}
}

static void test_quote(void **state)
{
	char buf[32];

	(void)state;
	plot_quote(buf, sizeof(buf), "it's a/b.png");
	assert_string_equal(buf, "'it''s a/b.png'");
	plot_quote(buf, 8, "much too long for it");
	assert_string_equal(buf, "''");
}

/* The script names the terminal, the panels and their series; the summary only with several migrations. */
static void test_script(void **state)
{
	json_object *r = report();
	struct plot_data d;
	struct plot_fig f = { "svg", 600, 450, CLI_ALIGN_CAPTURE, "out/fig.svg", "out/fig-series.csv" };
	char err[256], *buf = NULL;
	size_t len = 0;
	FILE *fp;

	(void)state;
	assert_int_equal(plot_data_load(r, &d, err, sizeof(err)), 0);
	fp = open_memstream(&buf, &len);
	assert_int_equal(plot_script_write(fp, &d, &f), 0);
	fclose(fp);
	assert_non_null(strstr(buf, "set terminal svg size 600,450"));
	assert_non_null(strstr(buf, "if (!exists('out')) out = 'out/fig.svg'"));
	assert_non_null(strstr(buf, "if (!exists('data')) data = 'out/fig-series.csv'"));
	assert_non_null(strstr(buf, "set multiplot title 'run_1.pcap: migrations 1, 2'"));
	assert_non_null(strstr(buf, "set label '#1' at first 1.000100"));
	assert_non_null(strstr(buf, "set arrow from first 2.200000, graph 0 to first 2.200000"));
	assert_non_null(strstr(buf, "mean per migration"));	/* no time series in this report */
	assert_non_null(strstr(buf, "$app << EOD"));
	assert_non_null(strstr(buf, "0.000000,1.000000,8.000000,2.000000,1\n"));
	assert_non_null(strstr(buf, "$summary << EOD"));
	assert_non_null(strstr(buf, "1,1.000000,100.000000,250.000000,2.000000\n"));
	assert_non_null(strstr(buf, "2,NaN,NaN,NaN,0.000000\n"));
	assert_non_null(strstr(buf, "title 'unresponsive'"));
	free(buf);
	plot_data_free(&d);
	json_object_put(r);
}

/* The time series CSV: the migration active in each bin and the time from its start. */
static void test_series_spans(void **state)
{
	struct series *s = series_new(S, 0);
	struct out_span sp[2] = { { 1, T0 + 1500 * MS, T0 + 2500 * MS }, { 2, T0 + 4 * S, MM_NS_NONE } };
	char *buf = NULL, line[512];
	size_t len = 0;
	FILE *fp;
	int row = 0;

	(void)state;
	series_set_t0(s, T0);
	series_add_mig_role(s, T0 + 1600 * MS, 1, 1000, 1000, SERIES_ROLE_MAIN);
	series_add_rtt(s, T0 + 3 * S, 250000);
	series_extend(s, T0 + 5 * S);
	fp = open_memstream(&buf, &len);
	assert_int_equal(out_csv_series_spans(fp, s, sp, 2, NULL, 6), 0);
	fclose(fp);
	fp = fmemopen(buf, len, "r");
	while (fgets(line, sizeof(line), fp)) {
		static const char *const want[] = {
			OUT_SERIES_HEADER "\n",
			"0.000000,1700000000.000000,0,0,0,0,0,0,0,0,0,0,0,1.000000,,,0,0,0,0,,,,,,,,,,,,\n",
			"1.000000,1700000001.000000,1000,0,1000,1,0,0,0,1000,0,0,0,1.000000,-0.500000,1,8000,8000,0,0,,,,,,,,,,,,\n",
			"2.000000,1700000002.000000,0,0,0,0,0,0,0,0,0,0,0,1.000000,0.500000,1,0,0,0,0,,,,,,,,,,,,\n",
			"3.000000,1700000003.000000,0,0,0,0,0,0,0,0,0,0,0,1.000000,,,0,0,0,0,0.000250000,0.000250000,,,,,,,,,,\n",
			"4.000000,1700000004.000000,0,0,0,0,0,0,0,0,0,0,0,1.000000,0.000000,2,0,0,0,0,,,,,,,,,,,,\n",
			"5.000000,1700000005.000000,0,0,0,0,0,0,0,0,0,0,0,1.000000,,,0,0,0,0,,,,,,,,,,,,\n",
		};

		assert_true(row < 7);
		assert_string_equal(line, want[row]);
		row++;
	}
	assert_int_equal(row, 7);
	fclose(fp);
	free(buf);
	series_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_series_round_trip),
		cmocka_unit_test(test_load_report),
		cmocka_unit_test(test_bad_reports),
		cmocka_unit_test(test_scan_bad),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_script),
		cmocka_unit_test(test_series_spans),
	};

	return cmocka_run_group_tests_name("plot", tests, NULL, NULL);
}
