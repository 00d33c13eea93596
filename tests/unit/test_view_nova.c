/* test_view_nova.c - nova-compute.log lines (oslo.log), grouped into migrations; the migration-list table; zones; hostile lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "view-nova.h"
#include "viewbuf.h"

#define I1 "[instance: 8e1c2f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6] "
#define I2 "[instance: 1b2c3d4e-0000-4fff-8eee-abcdefabcdef] "
#define REQ "[None req-5f1c8a7e-1234-4abc-9def-0123456789ab admin admin] "

static const char nova_log[] =
	"2026-03-14 10:15:21.338 2817 DEBUG nova.virt.libvirt.driver " REQ I1 "Starting monitoring of live migration x.py:1\n"
	"2026-03-14 10:15:21.840 2817 INFO nova.virt.libvirt.migration [-] " I1 "Increasing downtime to 50 ms after 0 sec elapsed time\n"
	"2026-03-14 10:15:26.852 2817 INFO nova.virt.libvirt.driver [-] " I1 "Migration running for 5 secs, memory 41% remaining "
	"(bytes processed=611516416, remaining=440401920, total=1074532352); disk 3% remaining (bytes processed=5, remaining=6, total=7).\n"
	"2026-03-14 10:15:27.000 2817 INFO nova.virt.libvirt.driver [-] " I2 "Migration running for 1 secs, memory 90% remaining "
	"(bytes processed=1, remaining=2, total=3)\n"
	"2026-03-14 10:15:31.410 2817 INFO nova.compute.manager [None req-0b5e - - - - - -] " I1 "VM Paused (Lifecycle Event)\n"
	"2026-03-14 10:15:31.905 2817 INFO nova.virt.libvirt.driver [-] " I1 "Migration operation has completed\n"
	"2026-03-14 10:15:33.020 2817 INFO nova.compute.manager [-] " I1 "VM Stopped (Lifecycle Event)\n"
	"2026-03-14 10:15:40.000 2817 INFO nova.virt.libvirt.driver [-] " I2 "Migration operation has aborted\n"
	"Traceback (most recent call last):\n"
	"2026-03-14 10:20:00.000 2817 INFO nova.compute.manager [-] [instance: 0f0f0f0f-1111-4222-8333-444444444444] VM Resumed (Lifecycle Event)\n";

static int parse(struct vnova *v, const char *s, size_t n, const char *zone, char *err)
{
	struct view_file f;
	struct view_tz z;
	int rc;

	assert_int_equal(view_tz_init(&z, zone, err, VIEW_ERR), 0);
	viewbuf(&f, s, n);
	rc = vnova_parse(v, &f, &z, err, VIEW_ERR);
	view_file_close(&f);
	return rc;
}

static void test_migrations(void **state)
{
	struct vnova v;
	char err[VIEW_ERR];
	const struct vnova_mig *m;
	/* 2026-03-14 09:15:21.338 UTC */
	const mm_ns t0 = 1773479721338000000LL;

	(void)state;
	assert_int_equal(parse(&v, nova_log, sizeof(nova_log) - 1, "Europe/Berlin", err), 0);
	assert_int_equal(v.n, 2);
	m = &v.m[0];
	assert_string_equal(m->instance, "8e1c2f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6");
	assert_string_equal(m->req, "req-5f1c8a7e-1234-4abc-9def-0123456789ab");
	assert_int_equal(m->status, VNOVA_COMPLETED);
	assert_int_equal(m->monitor_start, t0);
	assert_int_equal(m->start, t0);	/* earlier than 10:15:26.852 - 5 s */
	assert_int_equal(m->end, t0 + 10567000000LL);
	assert_int_equal(m->nsteps, 1);
	assert_int_equal(m->steps[0].downtime_ms, 50);
	assert_int_equal(m->nsamples, 1);
	assert_int_equal(m->samples[0].mem_processed, 611516416);
	assert_true(m->samples[0].has_disk);
	assert_int_equal(m->samples[0].disk_total, 7);
	assert_int_equal(m->paused, t0 + 10072000000LL);
	assert_int_equal(m->stopped, t0 + 11682000000LL);
	m = &v.m[1];
	assert_int_equal(m->status, VNOVA_ABORTED);
	assert_int_equal(m->start, t0 + 4662000000LL);	/* 10:15:27.000 - 1 s */
	assert_int_equal(v.nev, 1);
	assert_string_equal(v.ev[0].what, "Resumed");
	assert_int_equal(v.unknown, 1);
	vnova_free(&v);
	/* The same log in UTC: one hour later. */
	assert_int_equal(parse(&v, nova_log, sizeof(nova_log) - 1, "UTC", err), 0);
	assert_int_equal(v.m[0].start, t0 + 3600 * MM_NS_PER_S);
	vnova_free(&v);
	assert_int_equal(parse(&v, nova_log, sizeof(nova_log) - 1, "-05:30", err), 0);
	assert_int_equal(v.m[0].start, t0 + 3600 * MM_NS_PER_S + 5 * 3600 * MM_NS_PER_S + 1800 * MM_NS_PER_S);
	vnova_free(&v);
}

static void test_hostile(void **state)
{
	static const char junk[] =
		"2026-13-14 10:15:21.338 2817 INFO m [-] " I1 "Migration operation has completed\n"
		"2026-03-14 10:15:21.338 x INFO m [-] " I1 "Migration operation has completed\n"
		"2026-03-14 10:15:21.338 1 INFO m [req-unclosed " I1 "Migration operation has completed\n"
		"2026-03-14 10:15:21.338 1 INFO m [-] [instance: not-a-uuid] Migration operation has completed\n"
		"2026-03-14 10:15:21.338 1 INFO m [-] " I1 "Migration running for 99999999999999999999999 secs\n"
		"2026-03-14 10:15:21.338 1 INFO m [-] " I1 "Increasing downtime to ms after sec\n"
		"2026-03-14 10:15:21.338 1 INFO m [-] Migration operation has completed\n"
		"2026-03-14 10:15:21\0 1 INFO\n"
		"2200-12-31 23:59:59.999 1 INFO m [-] " I1 "Migration running for 18446744073709551615 secs, memory 1% remaining (bytes processed=1, remaining=1, total=1)\n";
	struct vnova v;
	char err[VIEW_ERR];
	struct view_tz z;

	(void)state;
	assert_int_equal(parse(&v, junk, sizeof(junk) - 1, "UTC", err), 0);
	/* Only the last line opens a migration (its absurd elapsed time gives no start). */
	assert_int_equal(v.n, 1);
	/* "[-] Migration ...", and the unclosed context that swallowed its [instance: ...] */
	assert_int_equal(v.no_instance, 2);
	vnova_free(&v);
	assert_int_equal(parse(&v, "no oslo here\n", 13, "UTC", err), -1);
	assert_non_null(strstr(err, "no nova-compute.log line"));
	vnova_free(&v);
	assert_int_equal(view_tz_init(&z, "../etc/passwd", err, VIEW_ERR), -1);
	assert_int_equal(view_tz_init(&z, "Nowhere/Land", err, VIEW_ERR), -1);
	assert_int_equal(view_tz_init(&z, "+25:00", err, VIEW_ERR), -1);
	assert_int_equal(view_tz_init(&z, "+0530", err, VIEW_ERR), 0);
	assert_int_equal(z.offset_s, 19800);
	vnova_free(NULL);
}

static const char table[] =
	"+----+----------------+--------------+-----------+-----------+--------------------------------------+----------------------------+----------------------------+----------------+\n"
	"| Id | Source Compute | Dest Compute | Dest Host | Status    | Instance UUID                        | Created At                 | Updated At                 | Type           |\n"
	"+----+----------------+--------------+-----------+-----------+--------------------------------------+----------------------------+----------------------------+----------------+\n"
	"| 31 | cmp-a          | cmp-b        | 10.0.0.12 | completed | 8e1c2f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6 | 2026-03-14T09:15:18.000000 | 2026-03-14T09:15:34.500000 | live-migration |\n"
	"| 32 | cmp-a          | cmp-b        | -         | error     | 1b2c3d4e-0000-4fff-8eee-abcdefabcdef | 2026-03-14T10:16:59+01:00  | -                          | live-migration |\n"
	"+----+----------------+--------------+-----------+-----------+--------------------------------------+----------------------------+----------------------------+----------------+\n";

static void test_table(void **state)
{
	struct vnlist v;
	struct view_file f;
	char err[VIEW_ERR];

	(void)state;
	VIEWBUF(&f, table);
	assert_int_equal(vnlist_parse(&v, &f, err, VIEW_ERR), 0);
	view_file_close(&f);
	assert_int_equal(v.n, 2);
	assert_string_equal(v.rows[0].id, "31");
	assert_string_equal(v.rows[0].dest_host, "10.0.0.12");
	assert_string_equal(v.rows[0].type, "live-migration");
	assert_int_equal(v.rows[0].created, 1773479718LL * MM_NS_PER_S);
	assert_int_equal(v.rows[0].updated, 1773479734LL * MM_NS_PER_S + 500000000);
	assert_int_equal(v.rows[1].created, 1773479819LL * MM_NS_PER_S);
	assert_int_equal(v.rows[1].updated, MM_NS_NONE);
	vnlist_free(&v);
	VIEWBUF(&f, "| Id | Created At |\n| 1 |\n");
	assert_int_equal(vnlist_parse(&v, &f, err, VIEW_ERR), -1);
	view_file_close(&f);
	assert_string_equal(err, "t.log:2: 1 cells where the header has 2: a damaged table");
	vnlist_free(&v);
	VIEWBUF(&f, "| a | b |\n");
	assert_int_equal(vnlist_parse(&v, &f, err, VIEW_ERR), -1);
	view_file_close(&f);
	vnlist_free(&v);
	vnlist_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrations),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests_name("view_nova", tests, NULL, NULL);
}
