/* test_prom.c - the Prometheus exposition text: values, label escaping, cumulative buckets, _sum/_count; the metrics over records. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "prom.h"
#include "prom-text.h"

static void value_is(double v, const char *want)
{
	char buf[40];

	prom_text_value(buf, sizeof(buf), v);
	assert_string_equal(buf, want);
}

static void test_values(void **state)
{
	(void)state;
	value_is(0, "0");
	value_is(1, "1");
	value_is(0.001, "0.001");
	value_is(0.0025, "0.0025");
	value_is(2.5e9, "2.5e+09");
	value_is(4e11, "4e+11");
	value_is(1e6, "1e+06");
	value_is(999999, "999999");
	value_is(3600, "3600");
	value_is(0.0001, "0.0001");
	value_is(0.00001, "1e-05");
	value_is(-2.5, "-2.5");
	value_is(12.431, "12.431");
	value_is(1700000200.25, "1.70000020025e+09");
	value_is(0.1 + 0.2, "0.30000000000000004");	/* reads back as the same double */
	value_is(1e300, "1e+300");
	value_is(INFINITY, "+Inf");
	value_is(-INFINITY, "-Inf");
	value_is(NAN, "NaN");
}

/* Label values: backslash, double quote and line feed escaped; HELP: backslash and line feed only. */
static void test_escaping(void **state)
{
	struct prom_text t;
	struct prom_label l[2] = { { "node", "a\"b\\c\nd" }, { "peer", "" } };

	(void)state;
	prom_text_init(&t);
	prom_text_family(&t, "m_total", "counter", "say \"x\" \\ then\nmore");
	prom_text_sample(&t, "m_total", "", l, 2, NULL, NULL, 3);
	prom_text_sample(&t, "m_total", "", NULL, 0, NULL, NULL, 4);
	prom_text_sample(&t, "m", "_bucket", NULL, 0, "le", "+Inf", 5);
	assert_false(t.failed);
	assert_string_equal(t.s, "# HELP m_total say \"x\" \\\\ then\\nmore\n"
			    "# TYPE m_total counter\n"
			    "m_total{node=\"a\\\"b\\\\c\\nd\",peer=\"\"} 3\n"
			    "m_total 4\n"
			    "m_bucket{le=\"+Inf\"} 5\n");
	prom_text_release(&t);
	prom_text_release(&t);	/* twice is safe */
}

/* Buckets are cumulative, le is inclusive, +Inf equals _count; NaN, infinities and negatives are no observation. */
static void test_histogram(void **state)
{
	static const double le[] = { 1, 2, 5 };
	uint64_t b[4] = { 0 };
	struct prom_hist h = { le, 3, b, 0, 0 };
	struct prom_label l = { "node", "n" };
	struct prom_text t;

	(void)state;
	prom_text_observe(&h, 0.5);
	prom_text_observe(&h, 1);
	prom_text_observe(&h, 1.5);
	prom_text_observe(&h, 7);
	prom_text_observe(&h, NAN);
	prom_text_observe(&h, INFINITY);
	prom_text_observe(&h, -1);
	assert_int_equal(h.count, 4);
	assert_true(h.sum == 10.0);
	prom_text_init(&t);
	prom_text_hist(&t, "d_seconds", &l, 1, &h);
	assert_string_equal(t.s, "d_seconds_bucket{node=\"n\",le=\"1\"} 2\n"
			    "d_seconds_bucket{node=\"n\",le=\"2\"} 3\n"
			    "d_seconds_bucket{node=\"n\",le=\"5\"} 3\n"
			    "d_seconds_bucket{node=\"n\",le=\"+Inf\"} 4\n"
			    "d_seconds_sum{node=\"n\"} 10\n"
			    "d_seconds_count{node=\"n\"} 4\n");
	prom_text_release(&t);
}

/* The text has a cap: past it, the text is marked failed and never grows further. */
static void test_text_cap(void **state)
{
	struct prom_text t;
	char help[4096];
	size_t last = 0;

	(void)state;
	memset(help, 'x', sizeof(help) - 1);
	help[sizeof(help) - 1] = '\0';
	prom_text_init(&t);
	while (!t.failed) {
		last = t.len;
		prom_text_family(&t, "m", "gauge", help);
	}
	assert_true(t.len <= PROM_TEXT_MAX);
	assert_true(t.len >= last);
	prom_text_family(&t, "m", "gauge", "more");
	assert_true(t.failed);
	prom_text_release(&t);
}

static int fake_local(void *ctx, const char *addr)
{
	(void)ctx;
	return strcmp(addr, "10.0.0.1") == 0;
}

static void observe(struct prom *p, const char *json)
{
	json_object *j = json_tokener_parse(json);

	assert_non_null(j);
	assert_int_equal(prom_observe(p, j), 0);
	json_object_put(j);
}

static char *render(const struct prom *p)
{
	struct prom_text t;

	prom_text_init(&t);
	assert_int_equal(prom_render(p, &t), 0);
	return t.s;
}

static void has(const char *text, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (!strstr(text, want))
		fail_msg("missing line: %s\n--- in:\n%s", line, text);
}

static unsigned count_of(const char *text, const char *needle)
{
	unsigned n = 0;

	for (; (text = strstr(text, needle)); text++)
		n++;
	return n;
}

#define REC(src, dst, status, dur, down, unresp, end) \
	"{\"status\":\"" status "\",\"source\":\"" src "\",\"destination\":\"" dst "\"," \
	"\"duration_s\":" dur ",\"downtime_total_s\":" down unresp ",\"mean_bps\":800000000," \
	"\"end\":" end ",\"bytes_by_role\":{\"main\":1000,\"multifd\":20,\"nbd\":3,\"other\":0}}"

static void test_metrics(void **state)
{
	struct prom *p = prom_new("n1", fake_local, NULL);
	char *s;

	(void)state;
	assert_non_null(p);
	/* Outgoing twice (one with downtime and unresponsive time), incoming, transit, one failed. */
	observe(p, REC("10.0.0.1", "10.0.0.2", "completed", "12.5", "0.03",
		       ",\"unresponsive\":{\"total_s\":0.2}", "1700000100.5"));
	observe(p, REC("10.0.0.1", "10.0.0.2", "completed", "0.7", "null", "", "1700000200.25"));
	observe(p, REC("10.0.0.3", "10.0.0.1", "completed", "3", "null",
		       ",\"unresponsive\":{\"total_s\":null}", "1700000050"));
	observe(p, REC("10.0.0.7", "10.0.0.8", "completed", "40", "2", "", "1700000000"));
	observe(p, REC("10.0.0.1", "10.0.0.2", "failed", "1", "null", "", "1800000000"));
	assert_int_equal(prom_observed(p), 5);
	prom_set_dropped(p, PROM_CAP_MIGRATION, 7);
	prom_set_dropped(p, PROM_CAP_MIGRATION, 3);	/* a counter never goes down */
	prom_set_dropped(p, PROM_CAP_ICMP, 2);
	s = render(p);
	has(s, "migmeter_migrations_total{node=\"n1\",peer=\"10.0.0.2\",direction=\"outgoing\",status=\"completed\"} 2");
	has(s, "migmeter_migrations_total{node=\"n1\",peer=\"10.0.0.2\",direction=\"outgoing\",status=\"failed\"} 1");
	has(s, "migmeter_migrations_total{node=\"n1\",peer=\"10.0.0.2\",direction=\"outgoing\",status=\"incomplete\"} 0");
	has(s, "migmeter_migrations_total{node=\"n1\",peer=\"10.0.0.3\",direction=\"incoming\",status=\"completed\"} 1");
	has(s, "migmeter_migrations_total{node=\"n1\",peer=\"10.0.0.7->10.0.0.8\",direction=\"transit\",status=\"completed\"} 1");
	assert_int_equal(count_of(s, "status=\"other\""), 0);
	/* Bytes of every record, failed ones too. */
	has(s, "migmeter_migration_bytes_total{node=\"n1\",peer=\"10.0.0.2\",direction=\"outgoing\",role=\"main\"} 3000");
	has(s, "migmeter_migration_bytes_total{node=\"n1\",peer=\"10.0.0.2\",direction=\"outgoing\",role=\"multifd\"} 60");
	has(s, "migmeter_migration_bytes_total{node=\"n1\",peer=\"10.0.0.3\",direction=\"incoming\",role=\"nbd\"} 3");
	/* Histograms of completed migrations only: 12.5 and 0.7 s. */
	has(s, "# TYPE migmeter_migration_duration_seconds histogram");
	has(s, "migmeter_migration_duration_seconds_bucket{node=\"n1\",peer=\"10.0.0.2\",direction=\"outgoing\",le=\"0.5\"} 0");
	has(s, "migmeter_migration_duration_seconds_bucket{node=\"n1\",peer=\"10.0.0.2\",direction=\"outgoing\",le=\"1\"} 1");
	has(s, "migmeter_migration_duration_seconds_bucket{node=\"n1\",peer=\"10.0.0.2\",direction=\"outgoing\",le=\"10\"} 1");
	has(s, "migmeter_migration_duration_seconds_bucket{node=\"n1\",peer=\"10.0.0.2\",direction=\"outgoing\",le=\"20\"} 2");
	has(s, "migmeter_migration_duration_seconds_bucket{node=\"n1\",peer=\"10.0.0.2\",direction=\"outgoing\",le=\"+Inf\"} 2");
	has(s, "migmeter_migration_duration_seconds_sum{node=\"n1\",peer=\"10.0.0.2\",direction=\"outgoing\"} 13.2");
	has(s, "migmeter_migration_duration_seconds_count{node=\"n1\",peer=\"10.0.0.2\",direction=\"outgoing\"} 2");
	/* null downtime, absent or null unresponsive time: no observation. */
	has(s, "migmeter_migration_downtime_seconds_count{node=\"n1\",peer=\"10.0.0.2\",direction=\"outgoing\"} 1");
	has(s, "migmeter_migration_downtime_seconds_bucket{node=\"n1\",peer=\"10.0.0.2\",direction=\"outgoing\",le=\"0.025\"} 0");
	has(s, "migmeter_migration_downtime_seconds_bucket{node=\"n1\",peer=\"10.0.0.2\",direction=\"outgoing\",le=\"0.05\"} 1");
	has(s, "migmeter_migration_downtime_seconds_count{node=\"n1\",peer=\"10.0.0.3\",direction=\"incoming\"} 0");
	has(s, "migmeter_migration_unresponsive_seconds_count{node=\"n1\",peer=\"10.0.0.2\",direction=\"outgoing\"} 1");
	has(s, "migmeter_migration_unresponsive_seconds_sum{node=\"n1\",peer=\"10.0.0.2\",direction=\"outgoing\"} 0.2");
	has(s, "migmeter_migration_unresponsive_seconds_count{node=\"n1\",peer=\"10.0.0.3\",direction=\"incoming\"} 0");
	has(s, "migmeter_migration_throughput_bits_per_second_bucket{node=\"n1\",peer=\"10.0.0.2\",direction=\"outgoing\",le=\"5e+08\"} 0");
	has(s, "migmeter_migration_throughput_bits_per_second_bucket{node=\"n1\",peer=\"10.0.0.2\",direction=\"outgoing\",le=\"1e+09\"} 2");
	has(s, "migmeter_capture_dropped_frames_total{node=\"n1\",capture=\"migration\"} 7");
	has(s, "migmeter_capture_dropped_frames_total{node=\"n1\",capture=\"icmp\"} 2");
	/* The newest completed migration's end, not the failed one's. */
	has(s, "migmeter_last_migration_timestamp_seconds{node=\"n1\"} 1.70000020025e+09");
	/* No timestamps: every sample line is "name{labels} value". */
	assert_int_equal(count_of(s, "} 1.70000020025e+09 "), 0);
	free(s);
	prom_free(p);
	prom_free(NULL);
}

/* Before any record: every family is declared, the drop counters are 0, there is no gauge sample yet. */
static void test_empty(void **state)
{
	struct prom *p = prom_new("n", NULL, NULL);
	char *s;

	(void)state;
	s = render(p);
	has(s, "# TYPE migmeter_migrations_total counter");
	has(s, "# TYPE migmeter_migration_unresponsive_seconds histogram");
	has(s, "migmeter_capture_dropped_frames_total{node=\"n\",capture=\"icmp\"} 0");
	assert_null(strstr(s, "migmeter_last_migration_timestamp_seconds{"));
	free(s);
	prom_free(p);
}

/* Labels stay bounded: past PROM_MAX_PEERS pairs, records count under peer="other". */
static void test_peer_cap(void **state)
{
	struct prom *p = prom_new("n", fake_local, NULL);
	char rec[512], *s, line[256];
	unsigned i;

	(void)state;
	for (i = 0; i < PROM_MAX_PEERS + 44; i++) {
		snprintf(rec, sizeof(rec), "{\"status\":\"completed\",\"source\":\"10.0.0.1\",\"destination\":"
			 "\"10.1.%u.%u\",\"duration_s\":1}", i / 256, i % 256);
		observe(p, rec);
	}
	/* An unknown status and a record with nothing in it still count. */
	observe(p, "{\"status\":\"weird\",\"source\":\"10.0.0.1\",\"destination\":\"10.1.0.0\"}");
	observe(p, "{}");
	s = render(p);
	assert_int_equal(count_of(s, "status=\"completed\""), PROM_MAX_PEERS + 2);
	has(s, "migmeter_migrations_total{node=\"n\",peer=\"other\",direction=\"outgoing\",status=\"completed\"} 44");
	has(s, "migmeter_migrations_total{node=\"n\",peer=\"10.1.0.0\",direction=\"outgoing\",status=\"other\"} 1");
	/* (the empty one is transit between unknown ends, a new pair past the cap: peer="other") */
	has(s, "migmeter_migrations_total{node=\"n\",peer=\"other\",direction=\"transit\",status=\"completed\"} 0");
	has(s, "migmeter_migrations_total{node=\"n\",peer=\"other\",direction=\"transit\",status=\"other\"} 1");
	snprintf(line, sizeof(line), "migmeter_migration_duration_seconds_count{node=\"n\",peer=\"other\","
		 "direction=\"outgoing\"} 44");
	has(s, line);
	free(s);
	prom_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_text_cap),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_peer_cap),
	};

	return cmocka_run_group_tests_name("prom", tests, NULL, NULL);
}
