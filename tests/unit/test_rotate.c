/* test_rotate.c - rotated -w parts: tcpdump's names, exclusive creation, a ring that removes only its own files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "rotate.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mm-test-rotate-XXXXXX");
	umask(022);
	setenv("TZ", "UTC", 1);
	tzset();
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *at(const char *name)
{
	static char buf[4][160];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

static int exists(const char *name)
{
	struct stat st;

	return lstat(at(name), &st) == 0;
}

static struct rot *make(const char *tmpl, int64_t secs, uint64_t bytes, unsigned files)
{
	struct rot_cfg c = { secs, bytes, files };
	struct rot *r = rot_new(tmpl, &c);

	assert_non_null(r);
	return r;
}

static void name_is(const struct rot *r, uint64_t k, int64_t t, const char *want)
{
	char buf[256];

	assert_int_equal(rot_name(r, k, t, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

static void test_names(void **state)
{
	struct rot *r;
	char small[8];

	(void)state;
	/* -C: FILE, FILE1, FILE2 (tcpdump). */
	r = make("c.pcap", 0, 1000, 0);
	name_is(r, 0, 0, "c.pcap");
	name_is(r, 1, 0, "c.pcap1");
	name_is(r, 12, 0, "c.pcap12");
	assert_int_equal(rot_name(r, 12, 0, small, sizeof(small)), -1);
	rot_free(r);
	/* -C -W 3: FILE0, FILE1, FILE2, FILE0 (tcpdump's ring, padded to the digits of 2). */
	r = make("c.pcap", 0, 1000, 3);
	name_is(r, 0, 0, "c.pcap0");
	name_is(r, 2, 0, "c.pcap2");
	name_is(r, 3, 0, "c.pcap0");
	rot_free(r);
	r = make("c.pcap", 0, 1000, 11);
	name_is(r, 0, 0, "c.pcap00");
	name_is(r, 10, 0, "c.pcap10");
	name_is(r, 11, 0, "c.pcap00");
	rot_free(r);
	/* -W 1: always the name itself. */
	r = make("c.pcap", 0, 1000, 1);
	name_is(r, 0, 0, "c.pcap");
	name_is(r, 5, 0, "c.pcap");
	rot_free(r);
	/* -G: strftime on the name, no number. */
	r = make("g-%Y%m%d-%H%M%S.pcap", 60, 0, 0);
	name_is(r, 0, 86400 + 3661, "g-19700102-010101.pcap");
	name_is(r, 7, 86400 + 3661, "g-19700102-010101.pcap");
	rot_free(r);
	/* -G on a name with no conversion: numbered, so no part replaces the one before. */
	r = make("g.pcap", 60, 0, 0);
	name_is(r, 0, 0, "g.pcap");
	name_is(r, 1, 0, "g.pcap1");
	rot_free(r);
	/* -G and -C: strftime, then the part number. */
	r = make("g-%H.pcap", 3600, 1000, 0);
	name_is(r, 0, 7200, "g-02.pcap");
	name_is(r, 4, 7200, "g-02.pcap4");
	rot_free(r);
}

static void test_ring_size(void **state)
{
	struct rot *r;
	char err[512];
	FILE *fp;
	int fd, i;

	(void)state;
	r = make(at("c.pcap"), 0, 1000, 2);
	fp = rot_open_first(r, 0, err, sizeof(err));
	assert_non_null(fp);
	fputs("part0", fp);
	fclose(fp);
	assert_true(exists("c.pcap0"));
	for (i = 1; i <= 5; i++) {
		fd = rot_open_next(r, 0, err, sizeof(err));
		assert_true(fd >= 0);
		close(fd);
		assert_true(exists("c.pcap0") && exists("c.pcap1"));
	}
	assert_int_equal(rot_parts(r), 6);
	assert_false(exists("c.pcap2"));
	rot_free(r);
}

static void test_ring_time_removes_own_only(void **state)
{
	struct rot *r;
	char err[512];
	FILE *fp;
	int fd;

	(void)state;
	r = make(at("g-%S.pcap"), 1, 0, 2);
	fp = rot_open_first(r, 1, err, sizeof(err));
	assert_non_null(fp);
	fclose(fp);
	fd = rot_open_next(r, 2, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
	/* Someone replaces the oldest part with a file of their own: the ring leaves it. */
	assert_int_equal(unlink(at("g-01.pcap")), 0);
	fp = fopen(at("g-01.pcap"), "w");
	assert_non_null(fp);
	fputs("mine", fp);
	fclose(fp);
	fd = rot_open_next(r, 3, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
	assert_true(exists("g-01.pcap"));
	assert_true(exists("g-02.pcap") && exists("g-03.pcap"));
	/* The next one removes g-02, its own. */
	fd = rot_open_next(r, 4, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
	assert_false(exists("g-02.pcap"));
	assert_true(exists("g-03.pcap") && exists("g-04.pcap") && exists("g-01.pcap"));
	rot_free(r);
}

static void write_file(const char *name, const void *data, size_t n)
{
	FILE *fp = fopen(at(name), "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, n, fp), n);
	fclose(fp);
}

static void content_is(const char *name, const char *want)
{
	char buf[64] = "";
	FILE *fp = fopen(at(name), "r");

	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, want);
}

static void test_taken_never_written(void **state)
{
	struct rot *r;
	char err[512];
	FILE *fp;
	int fd;

	(void)state;
	/* Plain -C numbering: names taken (an earlier run's file, a symlink to root's) are passed over. */
	write_file("d.pcap1", "theirs", 6);
	assert_int_equal(symlink("/etc/passwd", at("d.pcap2")), 0);
	r = make(at("d.pcap"), 0, 1000, 0);
	fp = rot_open_first(r, 0, err, sizeof(err));
	assert_non_null(fp);
	fclose(fp);
	fd = rot_open_next(r, 0, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
	assert_non_null(strstr(err, "2 names from"));
	assert_non_null(strstr(err, "the next part is"));
	assert_true(exists("d.pcap3"));
	content_is("d.pcap1", "theirs");
	assert_int_equal(rot_parts(r), 4);
	fd = rot_open_next(r, 0, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
	assert_string_equal(err, "");
	assert_true(exists("d.pcap4"));
	rot_free(r);
	/* A strftime name taken: the part is refused, the file untouched. */
	write_file("g-00.pcap", "theirs", 6);
	r = make(at("g-%S.pcap"), 1, 0, 0);
	fp = rot_open_first(r, 59, err, sizeof(err));
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(rot_open_next(r, 60, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "already exists"));
	content_is("g-00.pcap", "theirs");
	assert_int_equal(rot_parts(r), 1);
	rot_free(r);
}

static void test_ring_restart_adopts_own_parts(void **state)
{
	static const unsigned char pcap_magic[] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
	struct rot *r;
	char err[512];
	FILE *fp;
	int fd, i;

	(void)state;
	/* An earlier run of -C -W 3 left c.pcap1 (a capture); c.pcap2 is someone's text. */
	write_file("c.pcap0", pcap_magic, sizeof(pcap_magic));
	write_file("c.pcap1", pcap_magic, sizeof(pcap_magic));
	write_file("c.pcap2", "notes", 5);
	r = make(at("c.pcap"), 0, 1000, 3);
	fp = rot_open_first(r, 0, err, sizeof(err));
	assert_non_null(fp);
	fclose(fp);
	/* c.pcap1 is reused (the earlier run's part), c.pcap2 refused and kept. */
	fd = rot_open_next(r, 0, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "new", 3), 3);
	close(fd);
	content_is("c.pcap1", "new");
	assert_int_equal(rot_open_next(r, 0, err, sizeof(err)), -1);
	content_is("c.pcap2", "notes");
	rot_free(r);
	/* Once c.pcap2 is gone the ring goes round: three files, never a fourth. */
	assert_int_equal(unlink(at("c.pcap2")), 0);
	write_file("c.pcap1", pcap_magic, sizeof(pcap_magic));
	r = make(at("c.pcap"), 0, 1000, 3);
	fp = rot_open_first(r, 0, err, sizeof(err));
	assert_non_null(fp);
	fclose(fp);
	for (i = 0; i < 7; i++) {
		fd = rot_open_next(r, 0, err, sizeof(err));
		assert_true(fd >= 0);
		close(fd);
	}
	assert_true(exists("c.pcap0") && exists("c.pcap1") && exists("c.pcap2"));
	assert_false(exists("c.pcap3") || exists("c.pcap"));
	rot_free(r);
}

static void test_first_not_a_stream(void **state)
{
	struct rot *r;
	char err[512];

	(void)state;
	assert_int_equal(mkfifo(at("fifo"), 0600), 0);
	r = make(at("fifo"), 0, 1000, 0);
	assert_null(rot_open_first(r, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "needs a file name"));
	rot_free(r);
	rot_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_time_removes_own_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_taken_never_written, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_restart_adopts_own_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_not_a_stream, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
