/* test_merge.c - migmeter merge: times read exactly, records read, duplicates, the pairing rules, hostile lines, the table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "merge.h"

/* ---- helpers ---------------------------------------------------------------- */

static struct merge_input inputs[8];
static struct merge_set set;

static void fresh(size_t ninputs)
{
	size_t i;

	merge_release(&set);
	memset(inputs, 0, sizeof(inputs));
	for (i = 0; i < ninputs; i++) {
		static char names[8][32];

		snprintf(names[i], sizeof(names[i]), "in%zu", i);
		inputs[i].path = names[i];
	}
	merge_init(&set, inputs, ninputs, 60 * MM_NS_PER_S);
}

/* A record: tuple src:cport -> dst:sport, start in seconds (+ ns), node name, vantage. */
static size_t add(uint32_t input, const char *node, const char *src, const char *dst, uint16_t cport,
		  uint16_t sport, mm_ns start, enum merge_vantage v, const char *uuid)
{
	struct merge_rec r;

	memset(&r, 0, sizeof(r));
	r.input = input;
	r.node = (uint32_t)merge_node(&set, node);
	snprintf(r.source, sizeof(r.source), "%s", src);
	snprintf(r.destination, sizeof(r.destination), "%s", dst);
	r.has_tuple = cport != 0;
	r.cport = cport;
	r.sport = sport;
	r.start = start;
	r.end = start + 2 * MM_NS_PER_S;
	r.duration = 2 * MM_NS_PER_S;
	r.resumed = r.final_burst_end = r.downtime = r.unresponsive = MM_NS_NONE;
	r.vantage = v;
	r.mean_bps = -1;
	snprintf(r.uuid, sizeof(r.uuid), "%s", uuid ? uuid : "");
	if (!inputs[input].records)
		inputs[input].first_rec = set.n;
	assert_int_equal(merge_add(&set, &r), 0);
	inputs[input].records++;
	return set.n - 1;
}

#define T0 ((mm_ns)1700000000 * MM_NS_PER_S)

static int teardown(void **state)
{
	(void)state;
	merge_release(&set);
	return 0;
}

/* ---- times ------------------------------------------------------------------ */

static void test_parse_ns(void **state)
{
	mm_ns t;

	(void)state;
	assert_int_equal(merge_parse_ns("1700000001.123456789", &t), 0);
	assert_true(t == 1700000001123456789LL);
	assert_int_equal(merge_parse_ns("1700000001.003", &t), 0);
	assert_true(t == 1700000001003000000LL);
	assert_int_equal(merge_parse_ns("-2", &t), 0);
	assert_true(t == -2 * MM_NS_PER_S);
	assert_int_equal(merge_parse_ns("0.0000000019", &t), 0);	/* past 9 decimals: dropped */
	assert_true(t == 1);
	assert_int_equal(merge_parse_ns("1.5e3", &t), 0);
	assert_true(t == 1500 * MM_NS_PER_S);
	assert_int_equal(merge_parse_ns("", &t), -1);
	assert_int_equal(merge_parse_ns("abc", &t), -1);
	assert_int_equal(merge_parse_ns("1.2.3", &t), -1);
	assert_int_equal(merge_parse_ns("-", &t), -1);
	assert_int_equal(merge_parse_ns("99999999999999999999", &t), -1);	/* beyond int64 ns */
	assert_int_equal(merge_parse_ns("1e300", &t), -1);
}

/* ---- one record from JSON --------------------------------------------------- */

static const char rec_json[] =
	"{\"id\":3,\"status\":\"completed\",\"status_reason\":\"switchover\",\"inferred\":false,"
	"\"source\":\"10.0.0.1\",\"destination\":\"10.0.0.2\",\"vm\":{\"mac\":\"52:54:00:00:00:01\",\"ip\":null},"
	"\"uuid\":\"a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf\",\"start\":1700000001.000000001,\"end\":1700000003.5,"
	"\"duration_s\":2.499999999,\"unique_payload_bytes\":1000,\"wire_bytes\":1100,\"retrans_bytes\":7,"
	"\"bytes_by_role\":{\"main\":600,\"multifd\":400,\"nbd\":0,\"other\":0},\"mean_bps\":3200,"
	"\"flows\":[{\"flow\":2,\"role\":\"multifd\",\"client_port\":41000,\"server_port\":49152},"
	"{\"flow\":1,\"role\":\"main\",\"client_port\":40000,\"server_port\":49152}],"
	"\"switchover\":{\"final_burst_end\":1700000003.4,\"resumed\":1700000003.45},"
	"\"downtime_total_s\":0.1,\"downtime_source\":\"echo\",\"unresponsive\":{\"total_s\":0.2},"
	"\"node\":\"h1\",\"vantage\":\"destination\"}";

static void test_rec_from_json(void **state)
{
	struct merge_rec r;
	json_object *j = json_tokener_parse(rec_json), *addrs;
	char why[128];

	(void)state;
	assert_non_null(j);
	assert_int_equal(merge_rec_from_json(&r, j, NULL, why, sizeof(why)), 0);
	assert_true(r.id == 3);
	assert_string_equal(r.status, "completed");
	assert_string_equal(r.source, "10.0.0.1");
	assert_string_equal(r.vm_mac, "52:54:00:00:00:01");
	assert_string_equal(r.vm_ip, "");
	assert_true(r.start == 1700000001000000001LL);
	assert_true(r.end == 1700000003500000000LL);
	assert_true(r.duration == 2499999999LL);
	/* The main flow's ports, not the first flow's. */
	assert_int_equal(r.has_tuple, 1);
	assert_int_equal(r.cport, 40000);
	assert_int_equal(r.sport, 49152);
	assert_int_equal(r.flows, 2);
	assert_true(r.unique_bytes == 1000 && r.wire_bytes == 1100 && r.retrans_bytes == 7);
	assert_true(r.role_bytes[0] == 600 && r.role_bytes[1] == 400);
	assert_true(r.resumed == 1700000003450000000LL);
	assert_true(r.downtime == 100000000 && r.unresponsive == 200000000);
	assert_string_equal(r.downtime_source, "echo");
	assert_int_equal(r.vantage, MERGE_V_DESTINATION);
	assert_true(r.mean_bps == 3200);
	json_object_put(j);

	/* Without a vantage: from the report's node_addresses. */
	j = json_tokener_parse("{\"start\":5,\"source\":\"10.0.0.1\",\"destination\":\"10.0.0.2\",\"flows\":[]}");
	addrs = json_tokener_parse("[\"127.0.0.1\",\"10.0.0.1\"]");
	assert_int_equal(merge_rec_from_json(&r, j, addrs, why, sizeof(why)), 0);
	assert_int_equal(r.vantage, MERGE_V_SOURCE);
	assert_int_equal(r.has_tuple, 0);
	assert_int_equal(r.has_bytes, 0);	/* absent: null, never 0 */
	assert_true(r.end == MM_NS_NONE && r.mean_bps < 0);
	json_object_put(addrs);
	json_object_put(j);

	/* Not records: no flows, no start, a string start, not an object. */
	j = json_tokener_parse("{\"start\":5}");
	assert_int_equal(merge_rec_from_json(&r, j, NULL, why, sizeof(why)), -1);
	json_object_put(j);
	j = json_tokener_parse("{\"start\":\"5\",\"flows\":[]}");
	assert_int_equal(merge_rec_from_json(&r, j, NULL, why, sizeof(why)), -1);
	json_object_put(j);
	j = json_tokener_parse("[1]");
	assert_int_equal(merge_rec_from_json(&r, j, NULL, why, sizeof(why)), -1);
	json_object_put(j);
	/* Hostile figures: ports out of range, negative bytes, wrong types are null, not a crash. */
	j = json_tokener_parse("{\"start\":1,\"flows\":[{\"role\":\"main\",\"client_port\":70000,\"server_port\":-1}],"
			       "\"unique_payload_bytes\":-5,\"end\":\"x\",\"vm\":7,\"mean_bps\":\"y\"}");
	assert_int_equal(merge_rec_from_json(&r, j, NULL, why, sizeof(why)), 0);
	assert_int_equal(r.has_tuple, 0);
	assert_int_equal(r.has_bytes, 0);
	assert_true(r.end == MM_NS_NONE && r.mean_bps < 0);
	json_object_put(j);
}

/* ---- pairing ---------------------------------------------------------------- */

static void test_pair_two_nodes(void **state)
{
	size_t a, b, src, dst, n, *rows;
	enum merge_rule rule;

	(void)state;
	fresh(2);
	a = add(0, "h2", "10.0.0.1", "10.0.0.2", 40000, 49152, T0 + 250000, MERGE_V_DESTINATION, NULL);
	b = add(1, "h1", "10.0.0.1", "10.0.0.2", 40000, 49152, T0, MERGE_V_SOURCE, NULL);
	assert_int_equal(merge_pair(&set), 0);
	assert_true(set.recs[a].mate == b && set.recs[b].mate == a);
	assert_int_equal(set.recs[a].by, MERGE_BY_TUPLE);
	merge_sides(&set, a, b, &src, &dst, &rule);
	assert_true(src == b && dst == a);
	assert_int_equal(rule, MERGE_RULE_VANTAGE);
	rows = merge_rows(&set, &n);
	assert_true(n == 1);
	free(rows);
}

static void test_sides_by_start(void **state)
{
	size_t a, b, src, dst;
	enum merge_rule rule;

	(void)state;
	fresh(2);
	/* Neither tells its vantage: the earlier start is the source's. */
	a = add(0, "x", "10.0.0.1", "10.0.0.2", 40000, 49152, T0 + 1000, MERGE_V_UNKNOWN, NULL);
	b = add(1, "y", "10.0.0.1", "10.0.0.2", 40000, 49152, T0, MERGE_V_UNKNOWN, NULL);
	assert_int_equal(merge_pair(&set), 0);
	assert_true(set.recs[a].mate == b);
	merge_sides(&set, a, b, &src, &dst, &rule);
	assert_true(src == b && dst == a);
	assert_int_equal(rule, MERGE_RULE_START);
	/* One tells it: the other is the other end, whatever the clocks say. */
	set.recs[a].vantage = MERGE_V_SOURCE;
	merge_sides(&set, a, b, &src, &dst, &rule);
	assert_true(src == a && dst == b);
	assert_int_equal(rule, MERGE_RULE_VANTAGE);
}

static void test_same_file_never_pairs(void **state)
{
	size_t a, b;

	(void)state;
	fresh(1);
	/* One file holding both ends under two names: still never a pair. */
	a = add(0, "h1", "10.0.0.1", "10.0.0.2", 40000, 49152, T0, MERGE_V_SOURCE, NULL);
	b = add(0, "h2", "10.0.0.1", "10.0.0.2", 40000, 49152, T0 + 1000, MERGE_V_DESTINATION, NULL);
	assert_int_equal(merge_pair(&set), 0);
	assert_true(set.recs[a].mate == MERGE_NONE && set.recs[b].mate == MERGE_NONE);
	assert_int_equal(set.recs[a].dup + set.recs[b].dup, 0);
}

static void test_same_node(void **state)
{
	size_t a, b;

	(void)state;
	fresh(2);
	/* One node, two files, the same migration at two starts, vantage unknown: no pair, no duplicate. */
	a = add(0, "h1", "10.0.0.1", "10.0.0.2", 40000, 49152, T0, MERGE_V_UNKNOWN, NULL);
	b = add(1, "h1", "10.0.0.1", "10.0.0.2", 40000, 49152, T0 + 1000, MERGE_V_UNKNOWN, NULL);
	assert_int_equal(merge_pair(&set), 0);
	assert_true(set.recs[a].mate == MERGE_NONE && set.recs[b].mate == MERGE_NONE);
	/* One host name, both vantages known and different (namespaces, containers): a pair. */
	set.recs[a].vantage = MERGE_V_SOURCE;
	set.recs[b].vantage = MERGE_V_DESTINATION;
	assert_int_equal(merge_pair(&set), 0);
	assert_true(set.recs[a].mate == b);
}

static void test_duplicates(void **state)
{
	size_t a, b, c, d, n, *rows;

	(void)state;
	fresh(3);
	/* The same file twice (node named by file: one name), and the other end once. */
	a = add(0, "h1", "10.0.0.1", "10.0.0.2", 40000, 49152, T0, MERGE_V_UNKNOWN, NULL);
	b = add(1, "h1", "10.0.0.1", "10.0.0.2", 40000, 49152, T0, MERGE_V_UNKNOWN, NULL);
	c = add(2, "h2", "10.0.0.1", "10.0.0.2", 40000, 49152, T0 + 300, MERGE_V_UNKNOWN, NULL);
	/* The same line twice in one file is a duplicate too. */
	d = add(2, "h2", "10.0.0.1", "10.0.0.2", 40000, 49152, T0 + 300, MERGE_V_UNKNOWN, NULL);
	assert_int_equal(merge_pair(&set), 0);
	assert_int_equal(set.recs[a].dup, 0);	/* the first read is kept */
	assert_int_equal(set.recs[b].dup, 1);
	assert_int_equal(set.recs[c].dup, 0);
	assert_int_equal(set.recs[d].dup, 1);
	assert_true(inputs[0].duplicates == 0 && inputs[1].duplicates == 1 && inputs[2].duplicates == 1);
	assert_true(set.recs[a].mate == c);
	rows = merge_rows(&set, &n);
	assert_true(n == 1);
	free(rows);
	/* Merged again: counted once more, not twice. */
	assert_int_equal(merge_pair(&set), 0);
	assert_true(inputs[1].duplicates == 1);
}

static void test_window_and_port_reuse(void **state)
{
	size_t a1, a2, b1, b2, x, y;

	(void)state;
	fresh(4);
	/* A 5-tuple used again an hour later: each end pairs with its own. */
	a1 = add(0, "h1", "10.0.0.1", "10.0.0.2", 40000, 49152, T0, MERGE_V_UNKNOWN, NULL);
	a2 = add(0, "h1", "10.0.0.1", "10.0.0.2", 40000, 49152, T0 + 3600 * MM_NS_PER_S, MERGE_V_UNKNOWN, NULL);
	b2 = add(1, "h2", "10.0.0.1", "10.0.0.2", 40000, 49152, T0 + 3600 * MM_NS_PER_S + 500, MERGE_V_UNKNOWN, NULL);
	b1 = add(1, "h2", "10.0.0.1", "10.0.0.2", 40000, 49152, T0 + 700, MERGE_V_UNKNOWN, NULL);
	/* Past the window (61 s): no pair. */
	x = add(2, "h3", "10.0.0.3", "10.0.0.4", 40000, 49152, T0, MERGE_V_UNKNOWN, NULL);
	y = add(3, "h4", "10.0.0.3", "10.0.0.4", 40000, 49152, T0 + 61 * MM_NS_PER_S, MERGE_V_UNKNOWN, NULL);
	assert_int_equal(merge_pair(&set), 0);
	assert_true(set.recs[a1].mate == b1 && set.recs[a2].mate == b2);
	assert_true(set.recs[x].mate == MERGE_NONE && set.recs[y].mate == MERGE_NONE);
	/* A wider window pairs them. */
	set.window = 120 * MM_NS_PER_S;
	assert_int_equal(merge_pair(&set), 0);
	assert_true(set.recs[x].mate == y);
}

static void test_uuid(void **state)
{
	size_t a, b, c;

	(void)state;
	fresh(3);
	/* No main flow on one side (other ports): the same UUID between the same hosts pairs them. */
	a = add(0, "h1", "10.0.0.1", "10.0.0.2", 40000, 49152, T0, MERGE_V_UNKNOWN, "u-1");
	b = add(1, "h2", "10.0.0.1", "10.0.0.2", 0, 0, T0 + 100, MERGE_V_UNKNOWN, "u-1");
	/* The same VM (UUID) going back, the other way: not this migration's other end. */
	c = add(2, "h3", "10.0.0.2", "10.0.0.1", 0, 0, T0 + 50, MERGE_V_UNKNOWN, "u-1");
	assert_int_equal(merge_pair(&set), 0);
	assert_true(set.recs[a].mate == b);
	assert_int_equal(set.recs[a].by, MERGE_BY_UUID);
	assert_true(set.recs[c].mate == MERGE_NONE);
}

static void test_mirror_between(void **state)
{
	size_t a, m, b;

	(void)state;
	fresh(3);
	/* A mirror's record (vantage unknown) starts between the source's and the destination's. */
	a = add(0, "h1", "10.0.0.1", "10.0.0.2", 40000, 49152, T0, MERGE_V_SOURCE, NULL);
	m = add(1, "tap", "10.0.0.1", "10.0.0.2", 40000, 49152, T0 + 100, MERGE_V_UNKNOWN, NULL);
	b = add(2, "h2", "10.0.0.1", "10.0.0.2", 40000, 49152, T0 + 200, MERGE_V_DESTINATION, NULL);
	assert_int_equal(merge_pair(&set), 0);
	assert_true(set.recs[a].mate == b);
	assert_true(set.recs[m].mate == MERGE_NONE);
}

static void test_uuid_not_across_tuples(void **state)
{
	size_t a, b;

	(void)state;
	fresh(2);
	/* The same UUID and hosts, but two main streams of other ports: two migrations (a retry). */
	a = add(0, "h1", "10.0.0.1", "10.0.0.2", 40000, 49152, T0, MERGE_V_UNKNOWN, "u-1");
	b = add(1, "h2", "10.0.0.1", "10.0.0.2", 40001, 49152, T0 + 5 * MM_NS_PER_S, MERGE_V_UNKNOWN, "u-1");
	assert_int_equal(merge_pair(&set), 0);
	assert_true(set.recs[a].mate == MERGE_NONE && set.recs[b].mate == MERGE_NONE);
}

static void test_tuple_differs(void **state)
{
	size_t a, b;

	(void)state;
	fresh(2);
	/* Another client port: another migration. */
	a = add(0, "h1", "10.0.0.1", "10.0.0.2", 40000, 49152, T0, MERGE_V_UNKNOWN, NULL);
	b = add(1, "h2", "10.0.0.1", "10.0.0.2", 40001, 49152, T0, MERGE_V_UNKNOWN, NULL);
	assert_int_equal(merge_pair(&set), 0);
	assert_true(set.recs[a].mate == MERGE_NONE && set.recs[b].mate == MERGE_NONE);
}

static void test_many_nodes(void **state)
{
	char name[32];
	long i;

	(void)state;
	fresh(1);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "n%ld", i);
		assert_int_equal(merge_node(&set, name), i);
	}
	assert_int_equal(merge_node(&set, "n123"), 123);
	assert_int_equal(merge_node(&set, "n4999"), 4999);
	assert_int_equal(merge_node(&set, "new"), 5000);
	assert_true(set.nnodes == 5001);
}

/* ---- reading files ---------------------------------------------------------- */

static int read_text(size_t i, const char *text)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int rc;

	assert_non_null(fp);
	rc = merge_read(&set, i, fp, NULL, NULL);
	fclose(fp);
	return rc;
}

static void test_read_jsonl(void **state)
{
	char *text = malloc(8192);

	(void)state;
	fresh(1);
	snprintf(text, 8192, "%s\n\n{\"start\":1,\"flows\":[\n[1,2]\n42\nnot json\n{} {}\n%s\n"
		 "{\"start\":2,\"flows\":[],\"node\":\"other\"}\n{\"start\":3,\"flows\":[]}",
		 rec_json, "{\"start\":9,\"flows\":[]," /* a line longer than the limit below */
		 "\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}");
	set.line_max = 1000;
	assert_int_equal(read_text(0, text), 0);
	/* Kept: line 1, the "other" line, the last (no newline); skipped: truncated, array, number, not json, two values, too long. */
	assert_true(inputs[0].records == 3);
	assert_true(inputs[0].skipped == 6);
	assert_true(inputs[0].first_skipped_line == 3);
	assert_int_equal(inputs[0].report, 0);
	assert_true(set.recs[0].line == 1 && set.recs[1].line == 9 && set.recs[2].line == 10);
	/* The node: carried by the line, else the file's name. */
	assert_string_equal(set.nodes[set.recs[0].node], "h1");
	assert_string_equal(set.nodes[set.recs[1].node], "other");
	assert_string_equal(set.nodes[set.recs[2].node], "in0");
	free(text);

	/* --node names every record of the file. */
	fresh(1);
	inputs[0].node_opt = "named";
	assert_int_equal(read_text(0, "{\"start\":2,\"flows\":[],\"node\":\"other\"}\n"), 0);
	assert_string_equal(set.nodes[set.recs[0].node], "named");
}

static void test_read_report(void **state)
{
	(void)state;
	fresh(4);
	/* A pretty report: its migrations, with the node and the vantage from node_addresses. */
	assert_int_equal(read_text(0, "{\n  \"schema\": \"migmeter-report/2\",\n  \"node\": \"h9\",\n"
				   "  \"node_addresses\": [\"10.0.0.2\"],\n  \"migrations\": [\n"
				   "    {\"start\": 1, \"source\": \"10.0.0.1\", \"destination\": \"10.0.0.2\", \"flows\": []},\n"
				   "    {\"start\": 2, \"flows\": []}, 7\n  ]\n}\n"), 0);
	assert_int_equal(inputs[0].report, 1);
	assert_true(inputs[0].records == 2 && inputs[0].skipped == 1);
	assert_string_equal(set.nodes[set.recs[0].node], "h9");
	assert_int_equal(set.recs[0].vantage, MERGE_V_DESTINATION);
	/* Another schema: refused whole, naming file:line. */
	assert_int_equal(read_text(1, "{\"schema\": \"migmeter-report/1\",\n\"migrations\": []}\n"), -1);
	assert_string_equal(inputs[1].error, "in1:1: schema 'migmeter-report/1', not migmeter-report/2");
	/* Truncated: refused, nothing of it kept. */
	assert_int_equal(read_text(2, "{\n\"schema\": \"migmeter-report/2\",\n\"migrations\": [\n{\"start\": 1, \"flows\": []}\n"), -1);
	assert_non_null(strstr(inputs[2].error, "in2:4: truncated report"));
	assert_true(inputs[2].records == 0);
	/* Broken inside: the line is named. */
	assert_int_equal(read_text(3, "{\n\"schema\": \"migmeter-report/2\",\n\"migrations\": ]\n}\n"), -1);
	assert_non_null(strstr(inputs[3].error, "in3:3: "));
	assert_true(set.n == 2);
}

/* ---- the table -------------------------------------------------------------- */

static void test_write_csv(void **state)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0, ncols = 0, i, lines = 0;
	FILE *fp;

	(void)state;
	for (ncols = 0; merge_columns[ncols]; ncols++)
		;
	fresh(2);
	add(0, "h1", "10.0.0.1", "10.0.0.2", 40000, 49152, T0, MERGE_V_SOURCE, NULL);
	add(1, "h2", "10.0.0.1", "10.0.0.2", 40000, 49152, T0 + 250000, MERGE_V_DESTINATION, NULL);
	add(1, "h2,\"odd\"", "10.0.0.5", "10.0.0.6", 40000, 49152, T0 + 5000, MERGE_V_DESTINATION, NULL);
	assert_int_equal(merge_pair(&set), 0);
	fp = open_memstream(&buf, &len);
	assert_int_equal(merge_write(&set, "csv", fp), 0);
	fclose(fp);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save), lines++) {
		size_t commas = 0;
		int quoted = 0;

		for (i = 0; line[i]; i++) {
			if (line[i] == '"')
				quoted = !quoted;
			commas += line[i] == ',' && !quoted;
		}
		assert_int_equal(commas, ncols - 1);
		if (lines == 0)
			assert_true(strncmp(line, "row,paired,paired_by,side_rule,seen_on,", 39) == 0);
		if (lines == 1)	/* the pair first (its start is earlier), source's vantage first */
			assert_non_null(strstr(line, "1,true,tuple,vantage,both,10.0.0.1,10.0.0.2,40000,49152,,,,h1,in0,"));
		if (lines == 1)	/* dst - src: 250 us */
			assert_non_null(strstr(line, ",0.000250,0.000250,0.000000,,,,"));
		if (lines == 2)	/* alone, destination's columns; the name quoted */
			assert_non_null(strstr(line, "2,false,,,destination,10.0.0.5,"));
		if (lines == 2)
			assert_non_null(strstr(line, ",\"h2,\"\"odd\"\"\",in1,"));
	}
	assert_int_equal(lines, 3);
	free(buf);
}

static void test_write_json(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;
	json_object *j, *rows, *row;

	(void)state;
	fresh(2);
	add(0, "h1", "10.0.0.1", "10.0.0.2", 40000, 49152, T0, MERGE_V_SOURCE, NULL);
	add(1, "h2", "10.0.0.1", "10.0.0.2", 40000, 49152, T0 + 250000, MERGE_V_DESTINATION, NULL);
	add(1, "h2", "10.0.0.7", "10.0.0.8", 40000, 49152, T0 + 9, MERGE_V_UNKNOWN, NULL);
	assert_int_equal(merge_pair(&set), 0);
	fp = open_memstream(&buf, &len);
	assert_int_equal(merge_write(&set, "json", fp), 0);
	fclose(fp);
	j = json_tokener_parse(buf);
	assert_non_null(j);
	assert_string_equal(json_object_get_string(json_object_object_get(j, "schema")), "migmeter-merge/1");
	rows = json_object_object_get(j, "migrations");
	assert_int_equal(json_object_array_length(rows), 2);
	row = json_object_array_get_idx(rows, 1);
	assert_false(json_object_get_boolean(json_object_object_get(row, "paired")));
	assert_string_equal(json_object_get_string(json_object_object_get(row, "seen_on")), "unknown");
	assert_null(json_object_object_get(row, "dst_node"));
	assert_true(json_object_object_get_ex(row, "dst_node", NULL));
	row = json_object_array_get_idx(rows, 0);
	assert_true(json_object_get_double(json_object_object_get(row, "start_diff_s")) == 0.00025);
	assert_int_equal(json_object_get_int(json_object_object_get(json_object_object_get(j, "totals"),
								      "paired_rows")), 1);
	json_object_put(j);
	free(buf);

	/* No records at all: still a valid document with an empty array. */
	fresh(1);
	buf = NULL;
	fp = open_memstream(&buf, &len);
	assert_int_equal(merge_write(&set, "json", fp), 0);
	fclose(fp);
	j = json_tokener_parse(buf);
	assert_non_null(j);
	assert_int_equal(json_object_array_length(json_object_object_get(j, "migrations")), 0);
	json_object_put(j);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ns),
		cmocka_unit_test(test_rec_from_json),
		cmocka_unit_test_teardown(test_pair_two_nodes, teardown),
		cmocka_unit_test_teardown(test_sides_by_start, teardown),
		cmocka_unit_test_teardown(test_same_file_never_pairs, teardown),
		cmocka_unit_test_teardown(test_same_node, teardown),
		cmocka_unit_test_teardown(test_duplicates, teardown),
		cmocka_unit_test_teardown(test_window_and_port_reuse, teardown),
		cmocka_unit_test_teardown(test_uuid, teardown),
		cmocka_unit_test_teardown(test_tuple_differs, teardown),
		cmocka_unit_test_teardown(test_mirror_between, teardown),
		cmocka_unit_test_teardown(test_uuid_not_across_tuples, teardown),
		cmocka_unit_test_teardown(test_many_nodes, teardown),
		cmocka_unit_test_teardown(test_read_jsonl, teardown),
		cmocka_unit_test_teardown(test_read_report, teardown),
		cmocka_unit_test_teardown(test_write_csv, teardown),
		cmocka_unit_test_teardown(test_write_json, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
