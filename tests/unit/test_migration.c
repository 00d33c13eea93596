/* test_migration.c - the grouping rules (README "Migrations"): flows, announces and episodes into migration records. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "migration.h"

#define MS (1000000LL)
#define S (1000000000LL)

/* A flow 10.0.0.c:cport -> 10.0.0.s:sport living [t0, t1] ms, payload 1 ms in from each end. */
static struct flow_info fl(uint8_t c, uint16_t cport, uint8_t s, uint16_t sport, enum kind k, int64_t t0,
			   int64_t t1)
{
	struct flow_info f;

	memset(&f, 0, sizeof(f));
	f.client.family = f.server.family = 4;
	f.client.a[0] = f.server.a[0] = 10;
	f.client.a[3] = c;
	f.server.a[3] = s;
	f.client_port = cport;
	f.server_port = sport;
	f.cls = FLOW_MIGRATION;
	f.kind = k;
	f.unreadable = k == KIND_TLS ? KIND_UNREAD_TLS : k == KIND_UNKNOWN ? KIND_UNREAD_UNRECOGNISED : KIND_READ;
	f.first_ts = f.fwd.first_ts = t0 * MS;
	f.last_ts = f.fwd.last_ts = t1 * MS;
	f.rev.first_ts = f.rev.last_ts = MM_NS_NONE;
	f.fwd.first_payload_ts = (t0 + 1) * MS;
	f.fwd.last_payload_ts = (t1 - 1) * MS;
	f.rev.first_payload_ts = f.rev.last_payload_ts = MM_NS_NONE;
	f.fwd.syn = f.rev.syn = 1;
	f.fwd.fin = f.rev.fin = 1;
	f.fwd.unique_payload_bytes = 1000;
	f.fwd.wire_bytes = 1100;
	return f;
}

static struct flow_info mfd(uint8_t c, uint16_t cport, uint8_t s, uint16_t sport, uint8_t uuid, uint8_t ch,
			    int64_t t0, int64_t t1)
{
	struct flow_info f = fl(c, cport, s, sport, KIND_MULTIFD, t0, t1);

	f.has_uuid = 1;
	memset(f.uuid, uuid, 16);
	f.channel = ch;
	return f;
}

static struct mig_table *table(void)
{
	struct mig_cfg cfg;
	struct mig_table *mt;

	memset(&cfg, 0, sizeof(cfg));
	mt = mig_new(&cfg);
	assert_non_null(mt);
	return mt;
}

static void add(struct mig_table *mt, size_t i, struct flow_info f)
{
	assert_int_equal(mig_add_flow(mt, i, &f), 0);
}

/* The role and migration of flow i. */
static unsigned of(const struct mig_table *mt, size_t i, unsigned *role)
{
	const struct mig_member *m;
	unsigned id = mig_of_flow(mt, i, &m);

	*role = m ? m->role : 99;
	return id;
}

static void check(const struct mig_table *mt, size_t i, unsigned id, unsigned role, int channel)
{
	const struct mig_member *m;

	assert_int_equal(mig_of_flow(mt, i, &m), id);
	if (!id)
		return;
	assert_non_null(m);
	assert_int_equal(m->role, role);
	assert_int_equal(m->channel, channel);
}

/* Rule 2: two concurrent migrations of one host pair, their channels split by UUID, interleaved. */
static void test_multifd_by_uuid(void **state)
{
	struct mig_table *mt = table();

	(void)state;
	add(mt, 0, fl(1, 40000, 2, 49152, KIND_QEMU, 1000, 2000));
	add(mt, 1, fl(1, 40100, 2, 49160, KIND_QEMU, 1005, 2500));
	add(mt, 2, mfd(1, 40001, 2, 49153, 0xaa, 0, 1002, 1990));
	add(mt, 3, mfd(1, 40101, 2, 49161, 0xbb, 0, 1006, 2490));
	add(mt, 4, mfd(1, 40002, 2, 49154, 0xaa, 1, 1007, 1990));
	add(mt, 5, mfd(1, 40102, 2, 49162, 0xbb, 1, 1008, 2490));
	assert_int_equal(mig_poll(mt, 10 * S, MIG_POLL_FINAL), 2);
	check(mt, 0, 1, MIG_ROLE_MAIN, -1);
	check(mt, 1, 2, MIG_ROLE_MAIN, -1);
	check(mt, 2, 1, MIG_ROLE_MULTIFD, 0);
	check(mt, 4, 1, MIG_ROLE_MULTIFD, 1);
	check(mt, 3, 2, MIG_ROLE_MULTIFD, 0);
	check(mt, 5, 2, MIG_ROLE_MULTIFD, 1);
	assert_int_equal(mig_get(mt, 0)->uuid[0], 0xaa);
	assert_int_equal(mig_get(mt, 1)->uuid[0], 0xbb);
	assert_int_equal(mig_get(mt, 0)->nmembers, 3);
	assert_int_equal(mig_get(mt, 0)->overlaps, 1);
	mig_free(mt);
}

/* A live stage goes on numbering after the records already written (mig_set_id_base). */
static void test_id_base(void **state)
{
	struct mig_table *mt = table();

	(void)state;
	mig_set_id_base(mt, 7);
	add(mt, 0, fl(1, 40000, 2, 49152, KIND_QEMU, 1000, 2000));
	add(mt, 1, mfd(1, 40001, 2, 49153, 0xaa, 0, 1002, 1990));
	add(mt, 2, fl(1, 40100, 2, 49160, KIND_QEMU, 3000, 4000));
	assert_int_equal(mig_poll(mt, 10 * S, MIG_POLL_FINAL), 2);
	assert_int_equal(mig_get(mt, 0)->id, 8);
	assert_int_equal(mig_get(mt, 1)->id, 9);
	check(mt, 0, 8, MIG_ROLE_MAIN, -1);
	check(mt, 1, 8, MIG_ROLE_MULTIFD, 0);
	check(mt, 2, 9, MIG_ROLE_MAIN, -1);
	mig_free(mt);
}

/* Same UUID (no -uuid given: zeros) for both: a migration takes each channel id once. */
static void test_multifd_same_uuid(void **state)
{
	struct mig_table *mt = table();
	size_t i;

	(void)state;
	add(mt, 0, fl(1, 40000, 2, 49152, KIND_QEMU, 1000, 2000));
	add(mt, 1, fl(1, 40100, 2, 49160, KIND_QEMU, 1001, 2000));
	for (i = 0; i < 4; i++)
		add(mt, 2 + i, mfd(1, (uint16_t)(40001 + i), 2, (uint16_t)(49153 + i), 0, (uint8_t)(i % 2),
				   1002 + (int64_t)i, 1990));
	assert_int_equal(mig_poll(mt, 10 * S, MIG_POLL_FINAL), 2);
	check(mt, 2, 1, MIG_ROLE_MULTIFD, 0);
	check(mt, 3, 1, MIG_ROLE_MULTIFD, 1);
	check(mt, 4, 2, MIG_ROLE_MULTIFD, 0);
	check(mt, 5, 2, MIG_ROLE_MULTIFD, 1);
	mig_free(mt);
}

/* A channel joins only its own host pair's main stream, open when it connects (or 1 s before it opens). */
static void test_multifd_open_main(void **state)
{
	struct mig_table *mt = table();
	unsigned role;

	(void)state;
	add(mt, 0, mfd(1, 40001, 2, 49153, 1, 0, 500, 1900));	/* 0.5 s before the main: joins */
	add(mt, 1, fl(1, 40000, 2, 49152, KIND_QEMU, 1000, 2000));
	add(mt, 2, mfd(2, 40001, 1, 49153, 1, 1, 1100, 1900));	/* the other way round: inside, not a channel */
	add(mt, 3, mfd(1, 40002, 2, 49154, 1, 1, 3000, 3100));	/* after the main closed: not this one's */
	assert_int_equal(mig_poll(mt, 10 * S, MIG_POLL_FINAL), 2);
	check(mt, 0, 1, MIG_ROLE_MULTIFD, 0);
	check(mt, 1, 1, MIG_ROLE_MAIN, -1);
	check(mt, 2, 1, MIG_ROLE_OTHER, -1);
	/* The orphan is a migration of its own, inferred, with no main stream. */
	assert_int_equal(of(mt, 3, &role), 2);
	assert_int_equal(role, MIG_ROLE_MAIN);
	assert_int_equal(mig_get(mt, 1)->inferred, 1);
	assert_int_equal(mig_get(mt, 1)->unreadable, KIND_READ);
	assert_int_equal(mig_get(mt, 1)->has_uuid, 1);
	mig_free(mt);
}

/* Rule 3: NBD before the memory stream joins it; one whose main starts too late does not. */
static void test_nbd(void **state)
{
	struct mig_table *mt = table();
	const struct mig_record *r;
	unsigned role;

	(void)state;
	add(mt, 0, fl(1, 40020, 2, 49160, KIND_NBD, 700, 2100));
	add(mt, 1, fl(1, 40000, 2, 49152, KIND_QEMU, 1000, 2000));
	add(mt, 2, fl(1, 40021, 2, 49161, KIND_NBD, 3000, 3500));	/* the next main starts 5.5 s after it */
	add(mt, 3, fl(1, 40100, 2, 49170, KIND_QEMU, 9000, 9500));
	add(mt, 4, fl(1, 40022, 2, 49162, KIND_NBD, 9100, 9600));	/* after the main started: inside, nbd */
	assert_int_equal(mig_poll(mt, 20 * S, MIG_POLL_FINAL), 3);
	check(mt, 0, 1, MIG_ROLE_NBD, -1);
	r = mig_get(mt, 0);
	assert_int_equal(r->start, 700 * MS);
	assert_int_equal(r->end, 1999 * MS);
	assert_int_equal(r->unique[MIG_ROLE_NBD], 1000);
	assert_int_equal(r->unique_total, 2000);
	assert_int_equal(of(mt, 2, &role), 2);
	assert_int_equal(mig_get(mt, 1)->inferred, 1);
	check(mt, 4, 3, MIG_ROLE_NBD, -1);
	mig_free(mt);
}

/* Rule 4 and 5: a flow inside the migration is "other"; outside it, unreadable flows cluster by pair and time. */
static void test_other_and_unreadable(void **state)
{
	struct mig_table *mt = table();
	struct flow_info col;
	unsigned role;

	(void)state;
	add(mt, 0, fl(1, 40000, 2, 49152, KIND_QEMU, 1000, 3000));
	add(mt, 1, fl(2, 40001, 1, 49153, KIND_UNKNOWN, 1500, 2500));	/* inside, either way round */
	add(mt, 2, fl(1, 40002, 2, 49154, KIND_UNKNOWN, 2500, 4500));	/* ends 1.5 s after: not inside */
	add(mt, 3, fl(3, 40000, 4, 49152, KIND_TLS, 5000, 6000));
	add(mt, 4, fl(3, 40001, 4, 49153, KIND_TLS, 5001, 6000));	/* overlaps: same migration */
	add(mt, 5, fl(3, 40002, 4, 49154, KIND_TLS, 7500, 8000));	/* 1.5 s after: another one */
	col = fl(1, 49200, 9, 5201, KIND_UNKNOWN, 1200, 1300);
	col.cls = FLOW_COLLISION;
	add(mt, 6, col);
	col = fl(1, 40000, 2, 49152, KIND_QEMU, 1000, 3000);
	col.secondary = 1;		/* the same flow seen from a second capture */
	add(mt, 7, col);
	col = fl(5, 40000, 6, 49152, KIND_UNKNOWN, 9000, 9001);
	col.unreadable = KIND_UNREAD_NO_PAYLOAD;	/* a SYN and a reset: no migration */
	add(mt, 8, col);
	assert_int_equal(mig_poll(mt, 20 * S, MIG_POLL_FINAL), 4);
	assert_int_equal(mig_of_flow(mt, 8, NULL), 0);
	check(mt, 1, 1, MIG_ROLE_OTHER, -1);
	assert_int_equal(of(mt, 2, &role), 2);
	assert_int_equal(role, MIG_ROLE_MAIN);
	check(mt, 3, 3, MIG_ROLE_MAIN, -1);
	check(mt, 4, 3, MIG_ROLE_OTHER, -1);
	check(mt, 5, 4, MIG_ROLE_MAIN, -1);
	assert_int_equal(mig_get(mt, 2)->inferred, 1);
	assert_int_equal(mig_get(mt, 2)->unreadable, KIND_UNREAD_TLS);
	assert_int_equal(mig_of_flow(mt, 6, NULL), 0);
	assert_int_equal(mig_of_flow(mt, 7, NULL), 0);
	mig_free(mt);
}

/* Status: FIN, RST, no SYN, still open at the capture's end, stopped long before it. */
static void test_status(void **state)
{
	struct mig_table *mt = table();
	struct flow_info f;

	(void)state;
	add(mt, 0, fl(1, 40000, 2, 49152, KIND_QEMU, 1000, 2000));
	f = fl(1, 40001, 2, 49153, KIND_QEMU, 3000, 4000);
	f.fwd.fin = f.rev.fin = 0;
	f.rev.rst = 1;
	add(mt, 1, f);
	f = fl(1, 40002, 2, 49154, KIND_QEMU, 5000, 6000);
	f.fwd.syn = f.rev.syn = 0;
	add(mt, 2, f);
	f = fl(1, 40003, 2, 49155, KIND_QEMU, 7000, 8000);
	f.fwd.fin = f.rev.fin = 0;
	add(mt, 3, f);
	f = fl(1, 40004, 2, 49156, KIND_QEMU, 9000, 19000);
	f.fwd.fin = f.rev.fin = 0;
	add(mt, 4, f);
	assert_int_equal(mig_poll(mt, 20 * S, MIG_POLL_FINAL), 5);
	assert_int_equal(mig_get(mt, 0)->status, MIG_COMPLETED);
	assert_int_equal(mig_get(mt, 0)->why, MIG_WHY_FIN);
	assert_int_equal(mig_get(mt, 1)->status, MIG_FAILED);
	assert_int_equal(mig_get(mt, 1)->why, MIG_WHY_RST);
	assert_int_equal(mig_get(mt, 2)->status, MIG_INCOMPLETE);
	assert_int_equal(mig_get(mt, 2)->why, MIG_WHY_NO_SYN);
	assert_int_equal(mig_get(mt, 2)->connect, MM_NS_NONE);
	assert_int_equal(mig_get(mt, 3)->status, MIG_FAILED);
	assert_int_equal(mig_get(mt, 3)->why, MIG_WHY_NO_SWITCHOVER);
	assert_int_equal(mig_get(mt, 4)->status, MIG_INCOMPLETE);
	assert_int_equal(mig_get(mt, 4)->why, MIG_WHY_CAPTURE_END);
	assert_string_equal(mig_status_name(MIG_INCOMPLETE), "incomplete");
	assert_string_equal(mig_why_name(MIG_WHY_CAPTURE_END), "capture_end");
	assert_string_equal(mig_role_name(MIG_ROLE_MULTIFD), "multifd");
	mig_free(mt);
}

static struct ann_event ann(uint8_t mac, int64_t ms, uint8_t ip, int64_t before_ms, int64_t reply_ms)
{
	struct ann_event e;

	memset(&e, 0, sizeof(e));
	e.ts = ms * MS;
	memset(e.mac, mac, 6);
	e.how = ANN_RARP;
	e.last_reply_before = before_ms < 0 ? MM_NS_NONE : before_ms * MS;
	e.first_reply_after = e.first_frame_after = reply_ms < 0 ? MM_NS_NONE : reply_ms * MS;
	if (ip) {
		e.reply_ip.family = 4;
		e.reply_ip.a[0] = 10;
		e.reply_ip.a[3] = ip;
	}
	return e;
}

static struct episode episode(int64_t first_ms, int64_t dur_ms)
{
	struct episode e;

	memset(&e, 0, sizeof(e));
	e.first_lost_ts = first_ms * MS;
	e.last_lost_ts = (first_ms + dur_ms - 10) * MS;
	e.estimate = dur_ms * MS;
	e.lower = (dur_ms - 10) * MS;
	e.upper = (dur_ms + 10) * MS;
	e.lost = (uint64_t)dur_ms / 10;
	e.ended_in_capture = 1;
	return e;
}

/* An unresponsive episode: reply gap [start, start + gap], its worst RTT. */
static struct unresp_episode unresp(int64_t start_ms, int64_t gap_ms, int64_t worst_ms)
{
	struct unresp_episode u;

	memset(&u, 0, sizeof(u));
	u.start = start_ms * MS;
	u.end = (start_ms + gap_ms) * MS;
	u.first_req = (start_ms + 10) * MS;
	u.last_req = (start_ms + gap_ms - 20) * MS;
	u.gap = gap_ms * MS;
	u.lower = u.last_req - u.first_req;
	u.upper = u.gap + 1;
	u.lost = 2;
	u.late = 3;
	u.worst_rtt = worst_ms * MS;
	u.threshold = 10 * MS;
	u.began_in_capture = u.ended_in_capture = 1;
	return u;
}

static void add_rounds(struct mig_table *mt, uint8_t mac, int64_t first_ms, uint8_t ip)
{
	static const int64_t rounds[5] = { 0, 50, 150, 300, 500 };
	struct ann_event e;
	int k;

	for (k = 0; k < 5; k++) {
		e = ann(mac, first_ms + rounds[k], ip, first_ms - 60, first_ms + 40);
		assert_int_equal(mig_add_announce(mt, &e), 0);
	}
}

/*
 * The switchover: concurrent migrations of different VMs take their own
 * announces (not the other VM's later rounds); a VM's next migration
 * takes its MAC again; episodes go to their VM's migration.
 */
static void test_switchover_and_downtime(void **state)
{
	struct mig_table *mt = table();
	struct dec_addr t1, t2;
	struct episode e;
	struct unresp_episode u;
	const struct mig_record *r;
	size_t i;

	(void)state;
	add(mt, 0, fl(1, 40000, 2, 49152, KIND_QEMU, 1000, 1301));	/* final burst end 1300 */
	add(mt, 1, fl(1, 40100, 2, 49160, KIND_QEMU, 1005, 1401));	/* 1400 */
	add(mt, 2, fl(2, 40200, 1, 49170, KIND_QEMU, 2000, 2401));	/* VM 1 back: 2400 */
	add_rounds(mt, 1, 1325, 11);
	add_rounds(mt, 2, 1425, 12);
	add_rounds(mt, 1, 2425, 11);
	memset(&t1, 0, sizeof(t1));
	t1.family = 4;
	t1.a[0] = 10;
	t2 = t1;
	t1.a[3] = 11;
	t2.a[3] = 12;
	e = episode(1380, 100);		/* VM 2's outage: inside every window of the first two */
	assert_int_equal(mig_add_episode(mt, 1, &t2, &e), 0);
	e = episode(1260, 100);		/* VM 1's */
	assert_int_equal(mig_add_episode(mt, 0, &t1, &e), 0);
	e = episode(2360, 100);
	assert_int_equal(mig_add_episode(mt, 0, &t1, &e), 0);
	e = episode(9000, 500);		/* a network problem */
	assert_int_equal(mig_add_episode(mt, 0, &t1, &e), 0);
	/* unresponsive episodes by the same rule: VM 1's two at its first switchover, VM 2's, one outside */
	u = unresp(1250, 480, 400);
	assert_int_equal(mig_add_unresp(mt, 0, &t1, &u), 0);
	u = unresp(1900, 50, 30);		/* past the first window (1325 + 1000), in VM 1 second one */
	u.start = MM_NS_NONE;			/* no timely reply before: from its first request */
	u.first_req = 2400 * MS;
	u.end = 2450 * MS;
	assert_int_equal(mig_add_unresp(mt, 0, &t1, &u), 0);
	u = unresp(1370, 200, 150);
	assert_int_equal(mig_add_unresp(mt, 1, &t2, &u), 0);
	u = unresp(9000, 600, 500);
	assert_int_equal(mig_add_unresp(mt, 0, &t1, &u), 0);
	assert_int_equal(mig_poll(mt, 20 * S, MIG_POLL_FINAL), 3);
	r = mig_get(mt, 0);
	assert_int_equal(r->resumed, 1325 * MS);
	assert_int_equal(r->mac[0], 1);
	assert_int_equal(r->announces, 5);
	assert_int_equal(r->vm_ip.a[3], 11);
	assert_int_equal(r->first_reply_after, 1365 * MS);
	assert_int_equal(r->announce_bound, 60 * MS);
	assert_int_equal(r->episodes, 1);
	assert_int_equal(r->downtime_total, 100 * MS);
	/* the loss figures count loss episodes only; the unresponsive ones beside them */
	assert_int_equal(r->unresp_episodes, 1);
	assert_int_equal(r->unresp_total, 480 * MS);
	assert_int_equal(r->unresp_worst_rtt, 400 * MS);
	assert_int_equal(r->status, MIG_COMPLETED);
	assert_int_equal(r->why, MIG_WHY_SWITCHOVER);
	r = mig_get(mt, 1);
	assert_int_equal(r->resumed, 1425 * MS);
	assert_int_equal(r->mac[0], 2);
	assert_int_equal(r->announces, 5);
	assert_int_equal(r->episodes, 1);
	assert_int_equal(r->unresp_episodes, 1);
	assert_int_equal(r->unresp_worst_rtt, 150 * MS);
	r = mig_get(mt, 2);
	assert_int_equal(r->resumed, 2425 * MS);
	assert_int_equal(r->mac[0], 1);
	assert_int_equal(r->announces, 5);
	assert_int_equal(r->episodes, 1);
	assert_int_equal(mig_episode_get(mt, 0)->migration, 2);
	assert_int_equal(mig_episode_get(mt, 1)->migration, 1);
	assert_int_equal(mig_episode_get(mt, 2)->migration, 3);
	assert_int_equal(mig_episode_get(mt, 3)->migration, 0);
	assert_int_equal(mig_episode_get(mt, 4)->kind, MIG_EP_UNRESP);
	assert_int_equal(mig_episode_get(mt, 4)->migration, 1);
	assert_int_equal(mig_episode_get(mt, 5)->migration, 3);	/* [2400, 2450]: VM 1 second switchover */
	assert_int_equal(mig_episode_get(mt, 6)->migration, 2);
	assert_int_equal(mig_episode_get(mt, 7)->migration, 0);
	assert_int_equal(mig_get(mt, 2)->unresp_episodes, 1);
	assert_int_equal(mig_get(mt, 2)->unresp_total, 50 * MS);
	for (i = 0; i < 15; i++)
		assert_int_equal(mig_announce_get(mt, i)->migration, i / 5 == 0 ? 1 : i / 5 == 1 ? 2 : 3);
	mig_free(mt);
}

/*
 * The same VM migrated back sooner than announce_span after its last
 * switchover: each migration takes its own first announce and rounds,
 * though the first falls in the previous switchover's span.
 */
static void test_back_within_span(void **state)
{
	struct mig_table *mt = table();
	const struct mig_record *r;
	size_t i;

	(void)state;
	for (i = 0; i < 6; i++) {
		/* 2.95 s apart: the next first rounds fall in the 3 s span, its later ones past it */
		int64_t t = 1000 + (int64_t)i * 2950;

		add(mt, i, fl(i % 2 ? 2 : 1, (uint16_t)(40000 + i), i % 2 ? 1 : 2, 49152, KIND_QEMU, t, t + 11));
		add_rounds(mt, 7, t + 35, 11);
	}
	assert_int_equal(mig_poll(mt, 60 * S, MIG_POLL_FINAL), 6);
	for (i = 0; i < 6; i++) {
		r = mig_get(mt, i);
		assert_int_equal(r->resumed, (1035 + (int64_t)i * 2950) * MS);
		/* rounds at +0, 50, 150, 300, 500 ms: all before the next migration's final burst */
		assert_int_equal(r->announces, 5);
	}
	mig_free(mt);
}

/* An announce later than the window is not a switchover; a failed migration takes none. */
static void test_no_switchover(void **state)
{
	struct mig_table *mt = table();
	struct ann_event e = ann(1, 3500, 0, -1, -1);
	struct flow_info f = fl(1, 40000, 2, 49152, KIND_QEMU, 1000, 2001);

	(void)state;
	f.fwd.fin = f.rev.fin = 0;
	f.rev.rst = 1;
	add(mt, 0, f);
	assert_int_equal(mig_add_announce(mt, &e), 0);
	assert_int_equal(mig_poll(mt, 20 * S, MIG_POLL_FINAL), 1);
	assert_int_equal(mig_get(mt, 0)->resumed, MM_NS_NONE);
	assert_int_equal(mig_get(mt, 0)->status, MIG_FAILED);
	assert_int_equal(mig_get(mt, 0)->has_mac, 0);
	assert_int_equal(mig_announce_get(mt, 0)->migration, 0);
	mig_free(mt);
}

/* Fed as it goes: a migration becomes a record once quiet and past its windows, with the next id. */
static void test_poll_incremental(void **state)
{
	struct mig_table *mt = table();
	struct flow_info f = fl(1, 40000, 2, 49152, KIND_QEMU, 1000, 2001);

	(void)state;
	add(mt, 0, f);
	assert_int_equal(mig_poll(mt, 2500 * MS, 0), 0);	/* not quiet for 2 s yet */
	assert_int_equal(mig_count(mt), 0);
	assert_int_equal(mig_poll(mt, 10 * S, 0), 1);
	assert_int_equal(mig_get(mt, 0)->id, 1);
	f = fl(1, 40000, 2, 49152, KIND_QEMU, 1000, 5000);
	add(mt, 0, f);				/* in a record already: left as it was */
	assert_int_equal(mig_get(mt, 0)->last_frame, 2001 * MS);
	add(mt, 1, fl(2, 40001, 1, 49153, KIND_QEMU, 11000, 12000));
	assert_int_equal(mig_poll(mt, 30 * S, MIG_POLL_FINAL), 1);
	assert_int_equal(mig_get(mt, 1)->id, 2);
	assert_int_equal(mig_of_flow(mt, 1, NULL), 2);
	/* New flows come in index order. */
	f = fl(1, 1, 2, 49152, KIND_QEMU, 1, 2);
	assert_int_equal(mig_add_flow(mt, 0, &f), 0);
	mig_free(mt);
	mig_free(NULL);
}

/* Caps: what does not fit is counted; absurd times do not wrap. */
static void test_caps_and_absurd_times(void **state)
{
	struct mig_cfg cfg;
	struct mig_table *mt;
	struct mig_stats st;
	struct flow_info f = fl(1, 40000, 2, 49152, KIND_QEMU, 0, 0);
	struct episode e = episode(0, 10);
	struct dec_addr t;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.max_flows = 1;
	mt = mig_new(&cfg);
	assert_non_null(mt);
	f.first_ts = INT64_MAX - 5;
	f.last_ts = f.fwd.last_payload_ts = INT64_MAX - 1;
	f.fwd.first_payload_ts = INT64_MAX - 4;
	assert_int_equal(mig_add_flow(mt, 0, &f), 0);
	assert_int_equal(mig_add_flow(mt, 1, &f), -1);
	memset(&t, 0, sizeof(t));
	e.first_lost_ts = INT64_MAX - 3;
	e.estimate = INT64_MAX;
	assert_int_equal(mig_add_episode(mt, 0, &t, &e), 0);
	assert_int_equal(mig_poll(mt, INT64_MAX, MIG_POLL_FINAL), 1);
	mig_get_stats(mt, &st);
	assert_int_equal(st.flows_not_held, 1);
	assert_int_equal(mig_get(mt, 0)->episodes, 1);
	mig_free(mt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multifd_by_uuid),
		cmocka_unit_test(test_id_base),
		cmocka_unit_test(test_multifd_same_uuid),
		cmocka_unit_test(test_multifd_open_main),
		cmocka_unit_test(test_nbd),
		cmocka_unit_test(test_other_and_unreadable),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_switchover_and_downtime),
		cmocka_unit_test(test_back_within_span),
		cmocka_unit_test(test_no_switchover),
		cmocka_unit_test(test_poll_incremental),
		cmocka_unit_test(test_caps_and_absurd_times),
	};

	return cmocka_run_group_tests_name("migration", tests, NULL, NULL);
}
