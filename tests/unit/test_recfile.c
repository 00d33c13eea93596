/* test_recfile.c - the records file of a long capture: rotated between whole lines, reopened after logrotate, moved aside never over a file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "recfile.h"

static char dir[64], path[128];
static struct stat cur;		/* what the opener opened last, as the capture's server side keeps it */
static int opens, fail_next;

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mm-test-recfile-XXXXXX");
	umask(022);
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/r.jsonl", dir);
	opens = fail_next = 0;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The opener as capture_file_op does it. */
static int opener(void *ctx, int rotate, char *err, size_t errlen)
{
	(void)ctx;
	opens++;
	if (fail_next) {
		fail_next = 0;
		snprintf(err, errlen, "refused for the test");
		return -1;
	}
	if (rotate && recfile_move_aside(path, &cur, (int64_t)time(NULL), err, errlen) < 0)
		return -1;
	return recfile_open_path(path, &cur, err, errlen);
}

static struct recfile *start(uint64_t max_bytes, mm_ns max_age)
{
	char err[256];
	int fd = recfile_open_path(path, &cur, err, sizeof(err));
	FILE *fp;
	struct recfile *rf;

	assert_true(fd >= 0);
	fp = fdopen(fd, "a");
	assert_non_null(fp);
	rf = recfile_new(fp, (uint64_t)cur.st_size, max_bytes, max_age, opener, NULL);
	assert_non_null(rf);
	return rf;
}

/* Lines of every file in dir, in one string per file appended in name order; returns the file count. */
static int files(char names[][400], int max)
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, versionsort), i, k = 0;

	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		if (list[i]->d_name[0] != '.' && k < max)
			snprintf(names[k++], 400, "%s/%s", dir, list[i]->d_name);
		free(list[i]);
	}
	free(list);
	return k;
}

static void slurp(const char *p, char *buf, size_t n)
{
	FILE *fp = fopen(p, "r");
	size_t got;

	assert_non_null(fp);
	got = fread(buf, 1, n - 1, fp);
	buf[got] = '\0';
	fclose(fp);
}

static void test_size_rotation_whole_lines(void **state)
{
	char err[256], line[64], names[64][400], buf[4096], all[8192] = "", want[8192] = "";
	struct recfile *rf;
	uint64_t rot;
	int i, n;

	(void)state;
	rf = start(100, MM_NS_NONE);
	for (i = 0; i < 20; i++) {
		snprintf(line, sizeof(line), "{\"id\":%d,\"pad\":\"%.*s\"}", i, i % 7 * 5,
			 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		assert_int_equal(recfile_line(rf, line, err, sizeof(err)), 0);
		strcat(want, line);
		strcat(want, "\n");
	}
	rot = recfile_rotations(rf);
	assert_true(rot >= 5);
	recfile_free(rf);
	n = files(names, 64);
	assert_int_equal(n, (int)rot + 1);
	/* Every file ends with a whole line and is within the limit; together they are every line once, in order. */
	for (i = 0; i < n; i++) {
		struct stat st;

		assert_int_equal(stat(names[i], &st), 0);
		assert_true(st.st_size <= 100);
		slurp(names[i], buf, sizeof(buf));
		assert_true(buf[0] != '\0' && buf[strlen(buf) - 1] == '\n');
	}
	/* r.jsonl sorts before r.jsonl.<stamp>: the current file holds the last lines. */
	for (i = 1; i < n; i++) {
		slurp(names[i], buf, sizeof(buf));
		strcat(all, buf);
	}
	slurp(names[0], buf, sizeof(buf));
	strcat(all, buf);
	assert_string_equal(all, want);
}

static void test_line_larger_than_limit(void **state)
{
	char err[256], big[300];
	struct recfile *rf;

	(void)state;
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	rf = start(100, MM_NS_NONE);
	/* An empty file is never rotated: the big line goes in whole. */
	assert_int_equal(recfile_line(rf, big, err, sizeof(err)), 0);
	assert_int_equal(recfile_rotations(rf), 0);
	assert_int_equal(recfile_line(rf, "{}", err, sizeof(err)), 0);
	assert_int_equal(recfile_rotations(rf), 1);
	recfile_free(rf);
}

static void test_age_rotation(void **state)
{
	char err[256];
	struct recfile *rf;

	(void)state;
	rf = start(0, MM_NS_PER_S / 10);
	assert_int_equal(recfile_line(rf, "{\"a\":1}", err, sizeof(err)), 0);
	assert_int_equal(recfile_line(rf, "{\"a\":2}", err, sizeof(err)), 0);
	assert_int_equal(recfile_rotations(rf), 0);
	usleep(150000);
	assert_int_equal(recfile_line(rf, "{\"a\":3}", err, sizeof(err)), 0);
	assert_int_equal(recfile_rotations(rf), 1);
	recfile_free(rf);
}

/* A capture's own clock (capture --from): the age is its time, not the wall clock's. */
static mm_ns fake_now;

static mm_ns fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static void test_age_by_given_clock(void **state)
{
	char err[256], names[8][400];
	struct recfile *rf;

	(void)state;
	rf = start(0, 3600 * MM_NS_PER_S);
	fake_now = MM_NS_NONE;	/* no frame yet */
	recfile_set_clock(rf, fake_clock, NULL);
	fake_now = 1700000000 * MM_NS_PER_S;
	assert_int_equal(recfile_line(rf, "{\"a\":1}", err, sizeof(err)), 0);	/* the age counts from here */
	fake_now += 3599 * MM_NS_PER_S;
	assert_int_equal(recfile_line(rf, "{\"a\":2}", err, sizeof(err)), 0);
	assert_int_equal(recfile_rotations(rf), 0);
	fake_now += MM_NS_PER_S;	/* an hour of the capture's time, a moment of the wall clock's */
	assert_int_equal(recfile_line(rf, "{\"a\":3}", err, sizeof(err)), 0);
	assert_int_equal(recfile_rotations(rf), 1);
	fake_now += 3599 * MM_NS_PER_S;
	assert_int_equal(recfile_line(rf, "{\"a\":4}", err, sizeof(err)), 0);
	assert_int_equal(recfile_rotations(rf), 1);
	assert_int_equal(files(names, 8), 2);
	recfile_free(rf);
}

static void test_failed_rotation_keeps_line(void **state)
{
	char err[256], buf[256];
	struct recfile *rf;

	(void)state;
	rf = start(10, MM_NS_NONE);
	assert_int_equal(recfile_line(rf, "{\"a\":1}", err, sizeof(err)), 0);
	fail_next = 1;
	/* Warned (1), and the line is in the current file. */
	assert_int_equal(recfile_line(rf, "{\"a\":2}", err, sizeof(err)), 1);
	assert_non_null(strstr(err, "refused"));
	recfile_free(rf);
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "{\"a\":1}\n{\"a\":2}\n");
}

static void test_reopen_after_logrotate(void **state)
{
	char err[256], moved[160], buf[256];
	struct recfile *rf;

	(void)state;
	rf = start(0, MM_NS_NONE);
	assert_int_equal(recfile_line(rf, "{\"a\":1}", err, sizeof(err)), 0);
	snprintf(moved, sizeof(moved), "%s.1", path);
	assert_int_equal(rename(path, moved), 0);
	/* Before SIGHUP, a line still goes to the moved file (the open one). */
	assert_int_equal(recfile_line(rf, "{\"a\":2}", err, sizeof(err)), 0);
	assert_int_equal(recfile_reopen(rf, err, sizeof(err)), 0);
	assert_int_equal(recfile_line(rf, "{\"a\":3}", err, sizeof(err)), 0);
	/* A failed reopen keeps the file open before. */
	fail_next = 1;
	assert_int_equal(recfile_reopen(rf, err, sizeof(err)), -1);
	assert_int_equal(recfile_line(rf, "{\"a\":4}", err, sizeof(err)), 0);
	recfile_free(rf);
	slurp(moved, buf, sizeof(buf));
	assert_string_equal(buf, "{\"a\":1}\n{\"a\":2}\n");
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "{\"a\":3}\n{\"a\":4}\n");
}

static void test_move_aside(void **state)
{
	char err[256], stamp[32], p1[200], p2[200];
	struct stat st, other;
	struct tm tm;
	time_t t = 86400;
	int fd;
	FILE *fp;

	(void)state;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	assert_string_equal(stamp, "19700102T000000Z");
	snprintf(p1, sizeof(p1), "%s.%s", path, stamp);
	snprintf(p2, sizeof(p2), "%s.%s.1", path, stamp);
	/* The stamped name taken: ".1" after it, never over it. */
	fp = fopen(p1, "w");
	assert_non_null(fp);
	fputs("older", fp);
	fclose(fp);
	fd = recfile_open_path(path, &st, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(recfile_move_aside(path, &st, 86400, err, sizeof(err)), 0);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(access(p2, F_OK), 0);
	assert_int_equal(stat(p1, &other), 0);
	assert_int_equal(other.st_size, 5);
	/* FILE is no longer the file opened (logrotate's "create" made a new one): left alone. */
	fd = recfile_open_path(path, &other, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(recfile_move_aside(path, &st, 86400, err, sizeof(err)), 0);
	assert_int_equal(access(path, F_OK), 0);
	/* Nothing there: nothing to move. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(recfile_move_aside(path, &st, 86400, err, sizeof(err)), 0);
	recfile_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_size_rotation_whole_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_larger_than_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_age_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_age_by_given_clock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_rotation_keeps_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_after_logrotate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_move_aside, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
