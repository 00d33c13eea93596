/* test_report.c - the report tree and its writers: JSON parsed back, CSV shape and quoting, atomic files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "out.h"
#include "report.h"

#define MS 1000000LL
#define T0 (1764307152LL * MM_NS_PER_S + 123456789LL)

static struct dec_pkt pkt(uint8_t a, uint8_t b, uint8_t proto)
{
	struct dec_pkt p;

	memset(&p, 0, sizeof(p));
	p.status = DEC_OK;
	p.ip_ver = 4;
	p.proto = proto;
	p.src.family = p.dst.family = 4;
	p.src.a[0] = p.dst.a[0] = 10;
	p.src.a[3] = a;
	p.dst.a[3] = b;
	return p;
}

static void add_tcp(struct meter *m, uint8_t a, uint16_t sp, uint8_t b, uint16_t dp, uint32_t seq,
		    uint8_t flags, uint32_t len, mm_ns ts)
{
	static const uint8_t qevm[] = "QEVM\0\0\0\3";
	struct dec_pkt p = pkt(a, b, 6);
	struct flow_verdict v;

	p.tcp.sport = sp;
	p.tcp.dport = dp;
	p.tcp.seq = seq;
	p.tcp.flags = flags;
	p.tcp.payload_len = len;
	p.tcp.payload = qevm;
	p.tcp.payload_cap = len ? 8 : 0;
	p.ip_len = 40 + len;
	p.wire_len = 54 + len;
	assert_int_equal(flow_account(m->flows, &p, 0, ts, &v), 0);
	if (v.counted)
		series_add_mig(m->series, ts, v.forward, p.wire_len, v.new_unique);
	m->frames++;
	if (m->first_ts == MM_NS_NONE)
		m->first_ts = ts;
	m->last_ts = ts;
}

static void add_echo(struct meter *m, int reply, uint16_t seq, mm_ns ts)
{
	struct dec_pkt p = pkt(reply ? 20 : 10, reply ? 10 : 20, 1);

	p.icmp.echo = reply ? DEC_ECHO_REPLY : DEC_ECHO_REQUEST;
	p.icmp.type = reply ? 0 : 8;
	p.icmp.id = 42;
	p.icmp.seq = seq;
	assert_int_equal(echo_account(m->echo, &p, 0, ts), 1);
	series_add_ping(m->series, ts, reply ? SERIES_PING_REPLY : SERIES_PING_REQUEST);
	m->frames++;
	m->last_ts = ts;
}

/* A meter with one migration flow (10000 bytes), one collision, one ping outage. */
static int setup(void **state)
{
	static struct meter m;
	struct meter_cfg cfg;
	uint16_t s;

	memset(&cfg, 0, sizeof(cfg));
	cfg.flow.port_lo = 49152;
	cfg.flow.port_hi = 49261;
	cfg.bin = 100 * MS;
	if (meter_init(&m, &cfg) < 0)
		return -1;
	/* frames below are fed straight to the tables as view 0: input 0, no interface */
	m.nviews = 1;
	add_tcp(&m, 1, 40000, 2, 49152, 99, DEC_TCP_SYN, 0, T0);
	add_tcp(&m, 1, 40000, 2, 49152, 100, DEC_TCP_ACK, 6000, T0 + 10 * MS);
	add_tcp(&m, 1, 40000, 2, 49152, 6100, DEC_TCP_ACK, 4000, T0 + 150 * MS);
	add_tcp(&m, 1, 49200, 9, 5201, 1, DEC_TCP_SYN, 0, T0 + 160 * MS);
	add_tcp(&m, 1, 49200, 9, 5201, 2, DEC_TCP_ACK, 777, T0 + 170 * MS);
	for (s = 0; s < 100; s++) {
		add_echo(&m, 0, s, T0 + s * 10 * MS);
		if (s < 40 || s >= 60)
			add_echo(&m, 1, s, T0 + s * 10 * MS + 1 * MS);
	}
	if (meter_finish(&m) < 0)
		return -1;
	*state = &m;
	return 0;
}

static int teardown(void **state)
{
	meter_release(*state);
	return 0;
}

static json_object *build(struct meter *m)
{
	static struct source_input in = { .path = "a,\"b\".pcap", .dlt = 1, .dlt_name = "EN10MB",
					  .digits = 9, .frames = 205, .matched = 205 };
	struct report_opts o = { .ports = "49152-49261", .digits = 9, .inputs = &in, .ninputs = 1,
				 .filtered_out = 3, .nominal_interval = 8 * MS };

	return report_build(m, &o);
}

/* Renders with fn into memory. The caller frees. */
static char *render(int (*fn)(FILE *, json_object *), json_object *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	assert_int_equal(fn(fp, r), 0);
	fclose(fp);
	return buf;
}

static void test_json_round_trip(void **state)
{
	json_object *r = build(*state), *back, *flows, *f, *eps;
	char *text = render(out_json, r);

	back = json_tokener_parse(text);
	assert_non_null(back);
	assert_string_equal(report_str(back, "schema", ""), REPORT_SCHEMA);
	assert_true(report_bool(back, "complete"));
	assert_string_equal(report_str(back, "timestamp_precision", ""), "ns");
	assert_int_equal(report_u64(back, "migration.flows"), 1);
	assert_int_equal(report_u64(back, "migration.collisions"), 1);
	assert_int_equal(report_u64(back, "migration.unique_payload_bytes"), 10000);
	assert_int_equal(report_u64(back, "migration.forward.unique_payload_bytes"), 10000);
	/* nanosecond timestamps survive exactly as text */
	assert_non_null(strstr(text, "\"start\": 1764307152.123456789"));
	assert_string_equal(report_str(back, "migration.duration_s", ""), "0.150000000");
	flows = report_get(back, "flows");
	assert_int_equal(json_object_array_length(flows), 2);
	f = json_object_array_get_idx(flows, 0);
	assert_string_equal(report_str(f, "kind", ""), "qemu");
	assert_string_equal(report_str(f, "class", ""), "migration");
	assert_string_equal(report_str(f, "server", ""), "10.0.0.2");
	assert_int_equal(report_u64(f, "server_port"), 49152);
	f = json_object_array_get_idx(flows, 1);
	assert_string_equal(report_str(f, "class", ""), "collision");
	assert_false(report_bool(f, "counted"));
	/* one outage of 20 requests at 10 ms: 0.2 s */
	assert_int_equal(report_u64(back, "downtime.total.episodes"), 1);
	assert_int_equal(report_u64(back, "downtime.total.lost"), 20);
	eps = report_get(json_object_array_get_idx(report_get(back, "downtime.streams"), 0), "episodes");
	assert_int_equal(json_object_array_length(eps), 1);
	assert_string_equal(report_str(json_object_array_get_idx(eps, 0), "estimate_s", ""), "0.200000000");
	/* the hand method with the interval asked for: 20 lost x 8 ms */
	assert_string_equal(report_str(back, "downtime.total.lost_x_nominal_interval_s", ""), "0.160000000");
	assert_string_equal(report_str(back, "downtime.total.lost_x_interval_s", ""), "0.200000000");
	assert_string_equal(report_str(back, "migration.start_utc", ""), "2025-11-28T05:19:12.123456789Z");
	assert_null(report_get(back, "no.such.key"));
	json_object_put(back);
	json_object_put(r);
	free(text);
}

/* A lazy array: elements made on demand, the same text as an ordinary array, the writer's output json-c's. */
static json_object *make_sq(void *ctx, size_t i)
{
	json_object *o = json_object_new_object();

	(*(int *)ctx)++;
	json_object_object_add(o, "i", json_object_new_uint64(i));
	json_object_object_add(o, "sq", json_object_new_uint64(i * i));
	json_object_object_add(o, "none", NULL);
	json_object_object_add(o, "empty", json_object_new_array());
	json_object_object_add(o, "obj", json_object_new_object());
	return o;
}

static void test_lazy_array(void **state)
{
	int made = 0;
	json_object *lazy = report_lazy_array(3, make_sq, &made, NULL);
	json_object *plain = json_object_new_array(), *a = json_object_new_object(), *b = json_object_new_object();
	char *t1, *t2;
	const char *ref;
	size_t i;

	(void)state;
	assert_true(report_is_lazy(lazy));
	assert_int_equal(report_len(lazy), 3);
	assert_int_equal(report_u64(report_at(lazy, 2), "sq"), 4);
	assert_int_equal(report_u64(report_at(lazy, 2), "sq"), 4);
	assert_int_equal(made, 1);	/* the element made last is kept */
	assert_null(report_at(lazy, 3));
	for (i = 0; i < 3; i++)
		json_object_array_add(plain, make_sq(&made, i));
	assert_false(report_is_lazy(plain));
	assert_int_equal(report_len(plain), 3);
	json_object_object_add(a, "xs", lazy);
	json_object_object_add(a, "s", json_object_new_string("a/\"b\""));
	json_object_object_add(b, "xs", plain);
	json_object_object_add(b, "s", json_object_new_string("a/\"b\""));
	t1 = render(out_json, a);
	t2 = render(out_json, b);
	assert_string_equal(t1, t2);
	ref = json_object_to_json_string_ext(b, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					     JSON_C_TO_STRING_NOSLASHESCAPE);
	assert_int_equal(strlen(t2), strlen(ref) + 1);
	assert_memory_equal(t2, ref, strlen(ref));
	assert_int_equal(report_len(NULL), 0);
	assert_null(report_at(NULL, 0));
	free(t1);
	free(t2);
	json_object_put(a);
	json_object_put(b);
}

static size_t lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_csv_shapes(void **state)
{
	json_object *r = build(*state);
	char *flows = render(out_csv_flows, r);
	char *eps = render(out_csv_episodes, r);
	char *streams = render(out_csv_streams, r);
	char *text = render(out_text, r);
	char *series = NULL;
	size_t len = 0;
	FILE *fp;

	/* header + one row per flow; nested forward/reverse flattened */
	assert_int_equal(lines(flows), 3);
	assert_true(strncmp(flows, "id,class,kind,client,client_port,server,server_port,", 52) == 0);
	assert_non_null(strstr(flows, "forward_unique_payload_bytes"));
	assert_non_null(strstr(flows, "reverse_rst"));
	/* the capture path holds a comma and quotes: RFC 4180 quoting */
	assert_non_null(strstr(flows, "\"a,\"\"b\"\".pcap\""));
	assert_int_equal(lines(eps), 2);
	assert_true(strncmp(eps, "stream,pinger,target,id,interval_s,episode,first_lost_ts", 56) == 0);
	/* one row per echo stream, the episodes array left out */
	assert_int_equal(lines(streams), 2);
	assert_true(strncmp(streams, "stream,pinger,target,id,requests,replies,lost,", 46) == 0);
	assert_non_null(strstr(streams, "\n1,10.0.0.10,10.0.0.20,42,100,80,20,"));
	assert_null(strstr(streams, ",episodes"));
	assert_non_null(strstr(streams, ",n_episodes,"));
	assert_non_null(strstr(text, "10000 unique"));
	assert_non_null(strstr(text, "episode 1"));

	fp = open_memstream(&series, &len);
	assert_int_equal(out_csv_series(fp, ((struct meter *)*state)->series, 9), 0);
	fclose(fp);
	assert_true(strncmp(series, OUT_SERIES_HEADER "\n", strlen(OUT_SERIES_HEADER) + 1) == 0);
	assert_true(strncmp(series, "t_rel_s,t_abs,fwd_bytes,rev_bytes,unique_payload_bytes,packets,"
			    "ping_requests,ping_replies,ping_lost,main_bytes,multifd_bytes,nbd_bytes,other_bytes,"
			    "bin_s,t_mig_s,migration,bps,main_bps,multifd_bps,nbd_bps,rtt_mean_s,rtt_max_s,", 225) == 0);
	/* 100 pings over 990 ms at 100 ms bins: 10 bins */
	assert_int_equal(lines(series), 11);
	/* requests 40..59 lost: bins 4 and 5 */
	assert_non_null(strstr(series, "\n0.400000000,1764307152.523456789,0,0,0,0,10,0,10,0,0,0,0,0.100000000,,,"
			       "0,0,0,0,,,,,,,,,,,,\n"));
	/* 6000 unique bytes in a 100 ms bin: 480000 bit/s, all of role other; no migration without spans */
	assert_non_null(strstr(series, "\n0.000000000,1764307152.123456789,6108,0,6000,2,10,10,0,0,0,0,6000,"
			       "0.100000000,,,480000,0,0,0,"));
	free(flows);
	free(eps);
	free(streams);
	free(text);
	free(series);
	json_object_put(r);
}

/* Every scalar member of o (one level of nesting flattened as a_b) is a column of the header line. */
static void covers(const char *csv, json_object *o, const char *prefix)
{
	char hdr[4096], key[160];
	size_t n = strcspn(csv, "\n");

	assert_true(n + 2 < sizeof(hdr));
	hdr[0] = ',';
	memcpy(hdr + 1, csv, n);
	hdr[n + 1] = ',';
	hdr[n + 2] = '\0';
	json_object_object_foreach(o, k, v) {
		if (v && json_object_is_type(v, json_type_array))
			continue;
		snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "_" : "", k);
		if (v && json_object_is_type(v, json_type_object)) {
			covers(csv, v, key);
			continue;
		}
		{
			char want[170];

			snprintf(want, sizeof(want), ",%s,", key);
			if (!strstr(hdr, want))
				fail_msg("report member %s has no CSV column", key);
		}
	}
}

/* The fixed column lists cover the report: a member added to the tree without a column fails here. */
static void test_csv_columns_cover_report(void **state)
{
	json_object *r = build(*state), *empty;
	json_object *s0 = json_object_array_get_idx(report_get(r, "downtime.streams"), 0);
	char *flows = render(out_csv_flows, r), *eps = render(out_csv_episodes, r);
	char *streams = render(out_csv_streams, r), *totals = render(out_csv_totals, r);
	char *e_flows, *e_eps, *e_streams, *e_totals;

	covers(flows, report_at(report_get(r, "flows"), 0), "");
	covers(streams, s0, "");
	covers(eps, report_at(report_get(s0, "episodes"), 0), "");
	/* the ping outage is unresponsive time too: its CSV covers the episode objects */
	{
		char *un = render(out_csv_unresp, r);
		json_object *u0 = report_at(report_get(s0, "unresponsive_episodes"), 0);

		assert_non_null(u0);
		covers(un, u0, "");
		assert_int_equal(lines(un), 2);
		assert_true(strncmp(un, "stream,pinger,target,id,interval_s,rtt_median_s,threshold_s,threshold_rule,"
				    "episode,first_seq", 92) == 0);
		free(un);
	}
	covers(totals, report_get(r, "migration"), "");
	assert_int_equal(lines(totals), 2);
	/* an empty report: the same headers, no rows */
	empty = json_object_new_object();
	e_flows = render(out_csv_flows, empty);
	e_eps = render(out_csv_episodes, empty);
	e_streams = render(out_csv_streams, empty);
	e_totals = render(out_csv_totals, empty);
	assert_int_equal(lines(e_flows), 1);
	assert_int_equal(lines(e_eps), 1);
	assert_int_equal(lines(e_streams), 1);
	assert_int_equal(lines(e_totals), 2);
	assert_true(strncmp(e_flows, flows, strcspn(flows, "\n") + 1) == 0);
	assert_true(strncmp(e_eps, eps, strcspn(eps, "\n") + 1) == 0);
	assert_true(strncmp(e_streams, streams, strcspn(streams, "\n") + 1) == 0);
	assert_true(strncmp(e_totals, totals, strcspn(totals, "\n") + 1) == 0);
	free(flows);
	free(eps);
	free(streams);
	free(totals);
	free(e_flows);
	free(e_eps);
	free(e_streams);
	free(e_totals);
	json_object_put(empty);
	json_object_put(r);
}

static int write_hello(FILE *fp, void *ctx)
{
	(void)ctx;
	return fputs("hello\n", fp) < 0 ? -1 : 0;
}

static int write_fail(FILE *fp, void *ctx)
{
	(void)fp;
	(void)ctx;
	return -1;
}

static void test_atomic_output(void **state)
{
	char dir[] = "/tmp/mm-test-XXXXXX", path[64], err[256], buf[16];
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.json", dir);
	assert_int_equal(out_atomic(path, write_hello, NULL, err, sizeof(err)), 0);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, "hello\n");
	/* a failing writer leaves the old file alone and no temporary behind */
	assert_int_equal(out_atomic(path, write_fail, NULL, err, sizeof(err)), -1);
	fp = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, "hello\n");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);	/* empty: no temporary left */
	assert_int_equal(out_atomic("/nonexistent-dir/x.json", write_hello, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent-dir/x.json"));
	assert_non_null(out_find("json"));
	assert_null(out_find("xml"));
}

/* A live capture that dropped frames: its counts are lower bounds, in JSON and in text. */
static void test_live_drops(void **state)
{
	struct source_input in[2] = {
		{ .path = "eth1", .live = 1, .role = "migration", .dlt = 1, .dlt_name = "EN10MB",
		  .digits = 9, .snaplen = 256, .frames = 200, .matched = 200, .k_received = 205,
		  .k_dropped = 5, .have_link = 1, .wire_bytes = 880000,
		  .link_start = { .rx_bytes = 1000, .tx_bytes = 5000 },
		  .link_stop = { .rx_bytes = 1600, .tx_bytes = 905000 } },
		{ .path = "br-ex", .live = 1, .role = "icmp", .dlt = 1, .dlt_name = "EN10MB",
		  .digits = 9, .snaplen = 256, .frames = 5, .matched = 5, .k_received = 5,
		  .k_ifdropped = 2 },
	};
	struct report_opts o = { .ports = "49152-49261", .digits = 9, .inputs = in, .ninputs = 2,
				 .nominal_interval = MM_NS_NONE };
	json_object *r = report_build(*state, &o);
	char *text;

	assert_non_null(r);
	assert_true(report_bool(r, "counts_are_lower_bounds"));
	assert_int_equal(report_u64(r, "dropped_frames"), 7);
	assert_true(report_bool(r, "complete"));
	assert_string_equal(report_str(json_object_array_get_idx(report_get(r, "inputs"), 0), "interface", ""),
			    "eth1");
	assert_int_equal(report_u64(json_object_array_get_idx(report_get(r, "inputs"), 0),
				    "link_counters.delta.tx_bytes"), 900000);
	assert_null(report_get(json_object_array_get_idx(report_get(r, "inputs"), 1),
			       "link_counters.delta"));
	text = render(out_text, r);
	assert_non_null(strstr(text, "WARNING: 7 frames were dropped"));
	assert_non_null(strstr(text, "capture eth1 (migration): EN10MB, snaplen 256, 200 frames; kernel "
				     "received 205, dropped 5"));
	assert_non_null(strstr(text, "captured 880000 bytes; link counters during the capture: rx 600 bytes"));
	assert_non_null(strstr(text, "tx 900000 bytes"));
	assert_int_equal(report_u64(json_object_array_get_idx(report_get(r, "inputs"), 0), "wire_bytes"),
			 880000);
	free(text);
	json_object_put(r);
	/* No drops: not lower bounds; a file replay has neither field. */
	in[0].k_dropped = 0;
	in[1].k_ifdropped = 0;
	r = report_build(*state, &o);
	assert_false(report_bool(r, "counts_are_lower_bounds"));
	text = render(out_text, r);
	assert_null(strstr(text, "WARNING"));
	free(text);
	json_object_put(r);
	r = build(*state);
	assert_null(report_get(r, "counts_are_lower_bounds"));
	json_object_put(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_json_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv_shapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv_columns_cover_report, setup, teardown),
		cmocka_unit_test(test_atomic_output),
		cmocka_unit_test(test_lazy_array),
		cmocka_unit_test_setup_teardown(test_live_drops, setup, teardown),
	};

	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
