/* test_app.c - the application stage (src/app.c, src/app-phase.c): turns, stalls, connections, phases, blackout. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "app.h"
#include "tcppkt.h"

#define MS (MM_NS_PER_S / 1000)
#define S MM_NS_PER_S

/* One connection 10.0.0.1:cport -> 10.0.0.2:80 and its next sequence numbers. */
struct conv {
	struct app_table *a;
	uint16_t cport;
	uint32_t nxt[2];
};

static struct app_table *new_table(size_t max_conns)
{
	struct app_cfg c;

	memset(&c, 0, sizeof(c));
	c.enabled = 1;
	c.ports[0] = 80;
	c.nports = 1;
	c.max_conns = max_conns;
	c.window = 10 * S;
	c.bin = S;
	return app_new(&c);
}

/* dir 0: client -> server. */
static void seg(struct conv *v, mm_ns ts, int dir, uint8_t flags, uint32_t len)
{
	static const uint8_t body[64];
	struct dec_pkt p = dir ? tcppkt(2, 80, 1, v->cport, v->nxt[1], flags, len, body)
			       : tcppkt(1, v->cport, 2, 80, v->nxt[0], flags, len, body);

	app_frame(v->a, &p, 0, ts, 0);
	v->nxt[dir] += len + ((flags & (DEC_TCP_SYN | DEC_TCP_FIN)) ? 1u : 0u);
}

static void handshake(struct conv *v, mm_ns ts)
{
	seg(v, ts, 0, DEC_TCP_SYN, 0);
	seg(v, ts + 100000, 1, DEC_TCP_SYN | DEC_TCP_ACK, 0);
	seg(v, ts + 200000, 0, DEC_TCP_ACK, 0);
}

static void conv_init(struct conv *v, struct app_table *a, uint16_t cport)
{
	v->a = a;
	v->cport = cport;
	v->nxt[0] = 1000;
	v->nxt[1] = 500000;
}

static void test_keepalive(void **state)
{
	struct app_table *a = new_table(0);
	struct conv v;
	struct app_totals t;
	int k;

	(void)state;
	conv_init(&v, a, 40000);
	handshake(&v, S);
	/* Three turns on one connection, idle 100 ms between them: the idle time is no stall. */
	for (k = 0; k < 3; k++) {
		mm_ns t0 = S + MS + k * 100 * MS;

		seg(&v, t0, 0, DEC_TCP_PSH | DEC_TCP_ACK, 100);
		seg(&v, t0 + (k + 1) * MS, 1, DEC_TCP_PSH | DEC_TCP_ACK, 1000);
		seg(&v, t0 + (k + 1) * MS + 100000, 0, DEC_TCP_ACK, 0);
	}
	assert_int_equal(app_finish(a, 2 * S), 0);
	app_get_totals(a, &t);
	assert_int_equal(t.turns, 3);
	assert_int_equal(t.opened, 1);
	assert_int_equal(t.goodput, 3000);
	assert_int_equal(t.client_bytes, 300);
	assert_int_equal(t.unanswered, 0);
	assert_true(t.rt_median == 2 * MS);
	assert_true(t.rt_p99 == 3 * MS);
	assert_true(t.rt_mean == 2 * MS);
	assert_true(mm_sub(t.longest.end, t.longest.start) == 3 * MS);
	assert_int_equal(app_turn_count(a), 3);
	assert_true(app_turn_get(a, 0)->rt == MS);
	app_free(a);
}

static void test_split_response(void **state)
{
	struct app_table *a = new_table(0);
	struct conv v;
	struct app_totals t;
	int k;

	(void)state;
	conv_init(&v, a, 40001);
	handshake(&v, S);
	seg(&v, S + MS, 0, DEC_TCP_PSH | DEC_TCP_ACK, 200);
	/* The response in five segments, 1 ms apart, with 50 ms between the second and third. */
	for (k = 0; k < 5; k++)
		seg(&v, S + 3 * MS + k * MS + (k >= 2 ? 50 * MS : 0), 1, DEC_TCP_ACK, 1448);
	assert_int_equal(app_finish(a, 2 * S), 0);
	app_get_totals(a, &t);
	assert_int_equal(t.turns, 1);
	assert_true(t.rt_median == 2 * MS);
	assert_int_equal(t.goodput, 5 * 1448);
	/* The longest stall is the gap inside the response. */
	assert_true(mm_sub(t.longest.end, t.longest.start) == 51 * MS);
	assert_true(t.longest.start == S + 4 * MS);
	app_free(a);
}

static void test_pipelined(void **state)
{
	struct app_table *a = new_table(0);
	struct conv v;
	struct app_totals t;

	(void)state;
	conv_init(&v, a, 40002);
	handshake(&v, S);
	/* Two requests back to back before any answer: one turn, timed from the first. */
	seg(&v, S + MS, 0, DEC_TCP_PSH | DEC_TCP_ACK, 100);
	seg(&v, S + 2 * MS, 0, DEC_TCP_PSH | DEC_TCP_ACK, 100);
	seg(&v, S + 5 * MS, 1, DEC_TCP_PSH | DEC_TCP_ACK, 500);
	seg(&v, S + 6 * MS, 1, DEC_TCP_PSH | DEC_TCP_ACK, 500);
	/* A third request after the answers began is a turn of its own. */
	seg(&v, S + 7 * MS, 0, DEC_TCP_PSH | DEC_TCP_ACK, 100);
	seg(&v, S + 8 * MS, 1, DEC_TCP_PSH | DEC_TCP_ACK, 500);
	assert_int_equal(app_finish(a, 2 * S), 0);
	app_get_totals(a, &t);
	assert_int_equal(t.turns, 2);
	assert_true(app_turn_get(a, 0)->rt == 4 * MS);
	assert_true(app_turn_get(a, 1)->rt == MS);
	app_free(a);
}

static void test_service_stall(void **state)
{
	struct app_table *a = new_table(0);
	struct conv v1, v2;
	struct app_totals t;

	(void)state;
	conv_init(&v1, a, 40100);
	conv_init(&v2, a, 40101);
	handshake(&v1, S);
	handshake(&v2, S);
	/* Both wait through a pause; the service is stalled from the first request to the first answer. */
	seg(&v1, S + 10 * MS, 0, DEC_TCP_PSH | DEC_TCP_ACK, 100);
	seg(&v2, S + 11 * MS, 0, DEC_TCP_PSH | DEC_TCP_ACK, 100);
	seg(&v2, S + 110 * MS, 1, DEC_TCP_PSH | DEC_TCP_ACK, 100);
	seg(&v1, S + 112 * MS, 1, DEC_TCP_PSH | DEC_TCP_ACK, 100);
	/* v1 waits 102 ms while v2 is served at 202 ms: the service answered nothing from 202 to 301 ms. */
	seg(&v1, S + 200 * MS, 0, DEC_TCP_PSH | DEC_TCP_ACK, 100);
	seg(&v2, S + 201 * MS, 0, DEC_TCP_PSH | DEC_TCP_ACK, 100);
	seg(&v2, S + 202 * MS, 1, DEC_TCP_PSH | DEC_TCP_ACK, 100);
	seg(&v2, S + 300 * MS, 0, DEC_TCP_PSH | DEC_TCP_ACK, 100);
	seg(&v2, S + 301 * MS, 1, DEC_TCP_PSH | DEC_TCP_ACK, 100);
	seg(&v1, S + 302 * MS, 1, DEC_TCP_PSH | DEC_TCP_ACK, 100);
	assert_int_equal(app_finish(a, 2 * S), 0);
	app_get_totals(a, &t);
	assert_int_equal(t.turns, 5);
	assert_true(t.longest.start == S + 10 * MS);
	assert_true(t.longest.end == S + 110 * MS);
	assert_true(app_turn_get(a, 1)->rt == 102 * MS);
	assert_true(app_turn_get(a, 4)->rt == 102 * MS);
	/* By phase: the stall that ended in [S + 100 ms, S + 250 ms) is the pause's; after it, 99 ms at most. */
	assert_true(app_longest_stall_in(a, S + 100 * MS, S + 250 * MS) == 100 * MS);
	assert_true(app_longest_stall_in(a, S + 250 * MS, 2 * S) == 99 * MS);
	assert_true(app_longest_stall_in(a, 0, S) == MM_NS_NONE);
	/* A stall belongs to the phase it ended in, a phase's end included (the response that ends it). */
	assert_true(app_longest_stall_in(a, S + 10 * MS, S + 110 * MS) == 100 * MS);
	assert_true(app_longest_stall_in(a, S + 110 * MS, S + 200 * MS) == 2 * MS);
	app_free(a);
}

static void test_retrans_and_open_stall(void **state)
{
	struct app_table *a = new_table(0);
	struct conv v;
	struct app_totals t;
	uint32_t req;

	(void)state;
	conv_init(&v, a, 40003);
	handshake(&v, S);
	req = v.nxt[0];
	seg(&v, S + MS, 0, DEC_TCP_PSH | DEC_TCP_ACK, 100);
	/* The request again (the server is paused): a retransmission, not a new turn. */
	v.nxt[0] = req;
	seg(&v, S + 200 * MS, 0, DEC_TCP_PSH | DEC_TCP_ACK, 100);
	assert_int_equal(app_finish(a, 3 * S), 0);
	app_get_totals(a, &t);
	assert_int_equal(t.turns, 0);
	assert_int_equal(t.retrans, 100);
	assert_int_equal(t.client_bytes, 100);
	assert_int_equal(t.unanswered, 1);
	/* Still waiting at the end: a stall from the request to the capture's end. */
	assert_true(t.longest.start == S + MS);
	assert_true(t.longest.end == 3 * S);
	assert_int_equal(t.longest.open, 1);
	assert_true(t.rt_median == MM_NS_NONE);
	app_free(a);
}

static void test_refused_reset_cap(void **state)
{
	struct app_table *a = new_table(2);
	struct conv v1, v2, v3;
	struct app_totals t;

	(void)state;
	conv_init(&v1, a, 40010);
	conv_init(&v2, a, 40011);
	conv_init(&v3, a, 40012);
	/* Refused: the SYN answered by RST. */
	seg(&v1, S, 0, DEC_TCP_SYN, 0);
	seg(&v1, S + MS, 1, DEC_TCP_RST | DEC_TCP_ACK, 0);
	/* Reset: an established connection. */
	handshake(&v2, 2 * S);
	seg(&v2, 2 * S + MS, 0, DEC_TCP_PSH | DEC_TCP_ACK, 10);
	seg(&v2, 2 * S + 2 * MS, 1, DEC_TCP_PSH | DEC_TCP_ACK, 10);
	/* A third connection fits: the refused one left the table. */
	handshake(&v3, 3 * S);
	seg(&v2, 3 * S + MS, 1, DEC_TCP_RST, 0);
	app_get_totals(a, &t);
	assert_int_equal(t.refused, 1);
	assert_int_equal(t.reset, 1);
	assert_int_equal(t.opened, 3);
	assert_int_equal(t.connections_not_fitted, 0);
	app_free(a);

	/* Two open connections at once fill a table of two: the third is counted, not followed. */
	a = new_table(2);
	conv_init(&v1, a, 40020);
	conv_init(&v2, a, 40021);
	conv_init(&v3, a, 40022);
	handshake(&v1, S);
	handshake(&v2, S);
	handshake(&v3, S);
	app_get_totals(a, &t);
	assert_int_equal(t.connections, 2);
	assert_int_equal(t.connections_not_fitted, 1);
	/* Its SYN and SYN-ACK; the ACK after them starts nothing and is passed over. */
	assert_int_equal(t.frames_not_fitted, 2);
	app_free(a);
}

/* A service answering every 10 ms, paused over [pause_from, pause_to), one late answer when it resumes. */
static struct app_table *service_with_pause(mm_ns pause_from, mm_ns pause_to)
{
	struct app_table *a = new_table(0);
	struct conv v;
	mm_ns t;

	conv_init(&v, a, 41000);
	handshake(&v, 0);
	for (t = MS; t < 40 * S; t += 10 * MS) {
		if (t >= pause_from && t < pause_to) {
			/* A request waits through the pause; the answer comes when it ends. */
			if (t < pause_from + 10 * MS) {
				seg(&v, t, 0, DEC_TCP_PSH | DEC_TCP_ACK, 100);
				seg(&v, pause_to, 1, DEC_TCP_PSH | DEC_TCP_ACK, 1000);
			}
			continue;
		}
		seg(&v, t, 0, DEC_TCP_PSH | DEC_TCP_ACK, 100);
		seg(&v, t + MS, 1, DEC_TCP_PSH | DEC_TCP_ACK, 1000);
	}
	app_finish(a, 40 * S);
	return a;
}

static void test_phases(void **state)
{
	struct app_table *a;
	struct app_mig_times mt;
	struct app_mig m;

	(void)state;
	/* Paused from 19.9 s to 20.5 s; the final burst ends at 20 s, the announce at 20.45 s. */
	a = service_with_pause(19901 * MS, 20501 * MS);
	memset(&mt, 0, sizeof(mt));
	mt.start = 15 * S;
	mt.final_burst_end = 20 * S;
	mt.resumed = 20450 * MS;
	mt.end = 20 * S;
	mt.before_burst = S;
	mt.after_resume = S;
	mt.vm_ip.family = 0;
	assert_int_equal(app_migration(a, &mt, &m), 0);
	assert_true(m.ph[APP_BEFORE].start == 5 * S);
	assert_true(m.ph[APP_BEFORE].end == 15 * S);
	assert_true(m.ph[APP_PRECOPY].start == 15 * S);
	assert_true(m.ph[APP_PRECOPY].end == 20 * S);
	assert_true(m.ph[APP_SWITCHOVER].start == 20 * S);
	/* The late answer at 20.501 s is not timely (600 ms); the next one (1 ms) at 20.502 s is. */
	assert_true(m.switchover_end_timely == 20502 * MS);
	assert_true(m.ph[APP_SWITCHOVER].end == 20502 * MS);
	assert_true(m.ph[APP_AFTER].start == 20502 * MS);
	assert_true(m.ph[APP_AFTER].end == 30502 * MS);
	/* Before: 1000 turns of 1 ms, 1000 B each 10 ms = 800 kbit/s. */
	assert_int_equal(m.ph[APP_BEFORE].turns, 1000);
	assert_true(m.ph[APP_BEFORE].rt_median == MS);
	assert_true(m.ph[APP_BEFORE].goodput_bps > 799000 && m.ph[APP_BEFORE].goodput_bps < 801000);
	assert_true(m.ph[APP_BEFORE].goodput_vs_before == 1.0);
	/* The pause's wait ends in the switchover phase. */
	assert_true(m.ph[APP_SWITCHOVER].longest_stall == 600 * MS);
	assert_true(m.ph[APP_SWITCHOVER].rt_median_vs_before > 1.0);
	assert_true(m.ph[APP_PRECOPY].longest_stall == MS);
	assert_true(m.ph[APP_AFTER].rt_median == MS);
	assert_true(m.ph[APP_AFTER].rt_median_vs_before == 1.0);
	/* The blackout: the service's payload stopped for 600 ms around the switchover. */
	assert_string_equal(m.blackout.source, "app");
	assert_true(m.blackout.gap == 609 * MS);
	assert_true(m.blackout.start == 19892 * MS);
	assert_true(m.blackout.resolution == 10 * MS);
	assert_true(m.blackout.lower == 589 * MS);
	assert_true(m.blackout.upper == 609 * MS);
	app_free(a);
}

static void test_phase_windows_edges(void **state)
{
	struct app_table *a = new_table(0);
	struct app_mig_times mt;
	struct app_mig m;

	(void)state;
	app_finish(a, MM_NS_NONE);
	/* No final burst, no announce: pre-copy to the end, no switchover, and no blackout figure. */
	memset(&mt, 0, sizeof(mt));
	mt.start = 100 * S;
	mt.final_burst_end = MM_NS_NONE;
	mt.resumed = MM_NS_NONE;
	mt.end = 130 * S;
	assert_int_equal(app_migration(a, &mt, &m), 0);
	assert_true(m.ph[APP_PRECOPY].end == 130 * S);
	assert_true(m.ph[APP_SWITCHOVER].start == 130 * S);
	assert_true(m.ph[APP_SWITCHOVER].end == 130 * S);
	assert_true(m.ph[APP_AFTER].end == 140 * S);
	assert_true(m.ph[APP_SWITCHOVER].goodput_bps < 0);
	assert_true(m.ph[APP_AFTER].rt_median == MM_NS_NONE);
	assert_true(m.ph[APP_AFTER].longest_stall == MM_NS_NONE);
	assert_true(m.ph[APP_AFTER].goodput_vs_before < 0);
	assert_null(m.blackout.source);
	/* Absurd times saturate instead of wrapping. */
	mt.start = MM_NS_MIN + 5;
	mt.final_burst_end = MM_NS_MAX - 5;
	mt.resumed = MM_NS_MAX;
	assert_int_equal(app_migration(a, &mt, &m), 0);
	assert_true(m.ph[APP_BEFORE].start == MM_NS_MIN);
	assert_true(m.ph[APP_AFTER].end == MM_NS_MAX);
	app_free(a);
}

static void test_vm_frames(void **state)
{
	struct app_table *a = new_table(0);
	struct app_mig_times mt;
	struct app_mig m;
	struct dec_addr vm;
	mm_ns t;

	(void)state;
	memset(&vm, 0, sizeof(vm));
	vm.family = 4;
	vm.a[0] = 10;
	vm.a[3] = 9;
	/* Only the VM's own frames, every 20 ms, silent from 9.9 s to 10.3 s. */
	for (t = 0; t < 20 * S; t += 20 * MS)
		if (t < 9900 * MS || t >= 10300 * MS)
			app_host_frame(a, &vm, t);
	app_finish(a, 20 * S);
	memset(&mt, 0, sizeof(mt));
	mt.start = 5 * S;
	mt.final_burst_end = 10 * S;
	mt.resumed = 10100 * MS;
	mt.end = 10 * S;
	mt.before_burst = mt.after_resume = S;
	mt.vm_ip = vm;
	assert_int_equal(app_migration(a, &mt, &m), 0);
	assert_string_equal(m.blackout.source, "vm-frames");
	assert_true(m.blackout.gap == 420 * MS);
	assert_true(m.blackout.resolution == 20 * MS);
	assert_true(m.blackout.lower == 380 * MS);
	app_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_split_response),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_service_stall),
		cmocka_unit_test(test_retrans_and_open_stall),
		cmocka_unit_test(test_refused_reset_cap),
		cmocka_unit_test(test_phases),
		cmocka_unit_test(test_phase_windows_edges),
		cmocka_unit_test(test_vm_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
