/* test_outpath.c - output paths: stdout, streams in place, symlinks followed, atomic replacement, refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include "outpath.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mm-test-outpath-XXXXXX");
	umask(022);
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* dir/name */
static const char *at(const char *name)
{
	static char buf[4][160];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

static int write_text(FILE *fp, void *ctx)
{
	return fputs(ctx, fp) >= 0 ? 0 : -1;
}

static int write_fail(FILE *fp, void *ctx)
{
	(void)ctx;
	fputs("partial", fp);
	return -1;
}

static void put(const char *path, const char *text, mode_t mode)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(chmod(path, mode), 0);
}

static char *slurp(const char *path)
{
	static char buf[256];
	FILE *fp = fopen(path, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* Entries in dir whose names start with '.', other than . and .. (a temporary file left behind). */
static int hidden_entries(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *e;
	int n = 0;

	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL)
		if (e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(dp);
	return n;
}

/* Resolves and writes in one go; returns what outpath_write returned. */
static int write_path(const char *path, int (*fn)(FILE *, void *), const char *text, char *err,
		      size_t errlen)
{
	struct outpath op;
	int rc;

	if (outpath_resolve(&op, path, err, errlen) < 0)
		return -2;
	rc = outpath_write(&op, fn, (void *)text, err, errlen);
	outpath_release(&op);
	return rc;
}

static void test_stdout_and_create(void **state)
{
	struct outpath op;
	struct stat st;
	char err[512];

	(void)state;
	assert_int_equal(outpath_resolve(&op, "-", err, sizeof(err)), 0);
	assert_int_equal(op.kind, OUTPATH_STDOUT);
	outpath_release(&op);
	assert_string_equal(outpath_label("-"), "standard output");

	assert_int_equal(outpath_resolve(&op, at("new.json"), err, sizeof(err)), 0);
	assert_int_equal(op.kind, OUTPATH_CREATE);
	assert_int_equal(outpath_write(&op, write_text, (void *)"one\n", err, sizeof(err)), 0);
	outpath_release(&op);
	assert_string_equal(slurp(at("new.json")), "one\n");
	assert_int_equal(stat(at("new.json"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);	/* 0666 less the umask, as the shell's > */
	assert_int_equal(hidden_entries(dir), 0);
}

/* A replacement keeps the mode; a failed write leaves the old file and no temporary. */
static void test_replace(void **state)
{
	struct stat before, after;
	char err[512];

	(void)state;
	put(at("r.json"), "old\n", 0640);
	assert_int_equal(stat(at("r.json"), &before), 0);
	assert_int_equal(write_path(at("r.json"), write_text, "new\n", err, sizeof(err)), 0);
	assert_int_equal(stat(at("r.json"), &after), 0);
	assert_string_equal(slurp(at("r.json")), "new\n");
	assert_int_equal(after.st_mode & 07777, 0640);
	assert_int_equal(after.st_uid, before.st_uid);
	assert_true(after.st_ino != before.st_ino);	/* renamed over, not rewritten */

	assert_int_equal(write_path(at("r.json"), write_fail, NULL, err, sizeof(err)), -1);
	assert_string_equal(slurp(at("r.json")), "new\n");
	assert_int_equal(hidden_entries(dir), 0);
	assert_non_null(strstr(err, at("r.json")));
	assert_null(strstr(err, "/.r.json"));		/* never the temporary name */
}

static void test_refusals(void **state)
{
	struct outpath op;
	char err[512];

	(void)state;
	/* Mode 0444: refused for everyone, root included (who passes access(2)). */
	put(at("ro.json"), "keep\n", 0444);
	assert_int_equal(outpath_resolve(&op, at("ro.json"), err, sizeof(err)), -1);
	assert_non_null(strstr(err, at("ro.json")));
	assert_non_null(strstr(err, "0444"));
	assert_string_equal(slurp(at("ro.json")), "keep\n");
	assert_null(strchr(err, '\n'));

	assert_int_equal(outpath_resolve(&op, "/nonexistent-dir/x/r.json", err, sizeof(err)), -1);
	assert_string_equal(err, "cannot write /nonexistent-dir/x/r.json: directory /nonexistent-dir/x "
			    "does not exist");
	assert_int_equal(outpath_resolve(&op, dir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is a directory"));
	assert_int_equal(outpath_resolve(&op, at("nosuch/"), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is a directory"));
	put(at("plain"), "x", 0644);
	assert_int_equal(outpath_resolve(&op, at("plain/r.json"), err, sizeof(err)), -1);
	assert_int_equal(outpath_resolve(&op, "", err, sizeof(err)), -1);
}

/* A symlink is followed: the link stays a link, its final target is replaced and keeps its mode. */
static void test_symlinks(void **state)
{
	struct outpath op;
	struct stat st;
	char err[512], buf[64];
	ssize_t n;

	(void)state;
	assert_int_equal(mkdir(at("sub"), 0755), 0);
	put(at("sub/target.json"), "old\n", 0600);
	assert_int_equal(symlink("sub/target.json", at("hop2")), 0);
	assert_int_equal(symlink("hop2", at("link.json")), 0);
	assert_int_equal(outpath_resolve(&op, at("link.json"), err, sizeof(err)), 0);
	assert_int_equal(op.kind, OUTPATH_REPLACE);
	assert_string_equal(op.name, "target.json");
	assert_int_equal(outpath_write(&op, write_text, (void *)"new\n", err, sizeof(err)), 0);
	outpath_release(&op);
	assert_int_equal(lstat(at("link.json"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_string_equal(slurp(at("sub/target.json")), "new\n");
	assert_int_equal(stat(at("sub/target.json"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(hidden_entries(dir), 0);
	assert_int_equal(hidden_entries(at("sub")), 0);

	/* A dangling link: its target is created where the link points. */
	assert_int_equal(symlink("sub/fresh.json", at("dangling")), 0);
	assert_int_equal(write_path(at("dangling"), write_text, "fresh\n", err, sizeof(err)), 0);
	assert_string_equal(slurp(at("sub/fresh.json")), "fresh\n");
	n = readlink(at("dangling"), buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "sub/fresh.json");

	/* A loop is an error, not a hang. */
	assert_int_equal(symlink("loop-b", at("loop-a")), 0);
	assert_int_equal(symlink("loop-a", at("loop-b")), 0);
	assert_int_equal(outpath_resolve(&op, at("loop-a"), err, sizeof(err)), -1);
}

/* As the kernel's protected_symlinks: another user's link in a sticky world-writable directory. */
static void test_protected_symlink(void **state)
{
	struct outpath op;
	char err[512];

	(void)state;
	if (geteuid() != 0) {
		print_message("not root: another user's symlink cannot be made; checked as root in CI\n");
		return;
	}
	assert_int_equal(mkdir(at("tmp"), 0777), 0);
	assert_int_equal(chmod(at("tmp"), 01777), 0);
	put(at("secret"), "root's\n", 0644);
	assert_int_equal(symlink(at("secret"), at("tmp/r.json")), 0);
	assert_int_equal(lchown(at("tmp/r.json"), 65534, 65534), 0);
	assert_int_equal(outpath_resolve(&op, at("tmp/r.json"), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "sticky"));
	assert_string_equal(slurp(at("secret")), "root's\n");
	/* One's own link there is followed. */
	assert_int_equal(lchown(at("tmp/r.json"), 0, 0), 0);
	assert_int_equal(outpath_resolve(&op, at("tmp/r.json"), err, sizeof(err)), 0);
	outpath_release(&op);
}

/* A FIFO is written in place and stays a FIFO; a character device too. */
static void test_streams(void **state)
{
	struct outpath op;
	struct stat st;
	char err[512], buf[64];
	ssize_t n;
	int rd;

	(void)state;
	assert_int_equal(mkfifo(at("fifo"), 0644), 0);
	rd = open(at("fifo"), O_RDONLY | O_NONBLOCK);
	assert_true(rd >= 0);
	assert_int_equal(outpath_resolve(&op, at("fifo"), err, sizeof(err)), 0);
	assert_int_equal(op.kind, OUTPATH_STREAM);
	assert_int_equal(outpath_write(&op, write_text, (void *)"through the fifo\n", err, sizeof(err)), 0);
	outpath_release(&op);
	n = read(rd, buf, sizeof(buf) - 1);
	assert_int_equal(n, 17);
	buf[n] = '\0';
	assert_string_equal(buf, "through the fifo\n");
	close(rd);
	assert_int_equal(lstat(at("fifo"), &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(hidden_entries(dir), 0);

	if (geteuid() != 0) {
		print_message("not root: no mknod; the device case is checked as root in CI\n");
		return;
	}
	assert_int_equal(mknod(at("null"), S_IFCHR | 0666, makedev(1, 3)), 0);
	assert_int_equal(write_path(at("null"), write_text, "gone\n", err, sizeof(err)), 0);
	assert_int_equal(lstat(at("null"), &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(1, 3));
}

/*
 * An op resolved early and written late (the privileged writer): the
 * target must still be what it was.
 */
static void test_held_target_swapped(void **state)
{
	struct outpath op;
	struct stat st;
	char err[512];

	(void)state;
	/* Absent when resolved, a FIFO when written: refused, the FIFO untouched. */
	assert_int_equal(outpath_resolve(&op, at("late.json"), err, sizeof(err)), 0);
	assert_int_equal(mkfifo(at("late.json"), 0666), 0);
	assert_int_equal(outpath_write(&op, write_text, (void *)"x\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "now a FIFO"));
	assert_int_equal(lstat(at("late.json"), &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	outpath_release(&op);

	/* Regular when resolved, a symlink to someone's file when written: refused. */
	put(at("r2.json"), "old\n", 0644);
	put(at("precious"), "precious\n", 0644);
	assert_int_equal(outpath_resolve(&op, at("r2.json"), err, sizeof(err)), 0);
	assert_int_equal(unlink(at("r2.json")), 0);
	assert_int_equal(symlink(at("precious"), at("r2.json")), 0);
	assert_int_equal(outpath_write(&op, write_text, (void *)"x\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "now a symlink"));
	assert_string_equal(slurp(at("precious")), "precious\n");
	outpath_release(&op);

	/* A FIFO replaced by another file (another FIFO): refused. */
	assert_int_equal(mkfifo(at("f1"), 0666), 0);
	assert_int_equal(outpath_resolve(&op, at("f1"), err, sizeof(err)), 0);
	/* made before the old one goes, so that its inode number cannot be the old one's */
	assert_int_equal(mkfifo(at("f2"), 0666), 0);
	assert_int_equal(rename(at("f2"), at("f1")), 0);
	assert_int_equal(outpath_write(&op, write_text, (void *)"x\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no longer"));
	outpath_release(&op);

	/* Made read-only meanwhile: refused. */
	put(at("r3.json"), "old\n", 0644);
	assert_int_equal(outpath_resolve(&op, at("r3.json"), err, sizeof(err)), 0);
	assert_int_equal(chmod(at("r3.json"), 0444), 0);
	assert_int_equal(outpath_write(&op, write_text, (void *)"x\n", err, sizeof(err)), -1);
	assert_string_equal(slurp(at("r3.json")), "old\n");
	outpath_release(&op);
	assert_int_equal(hidden_entries(dir), 0);
}

static void test_same_and_names(void **state)
{
	struct outpath a, b;
	struct stat st;
	char err[512];

	(void)state;
	/* Two spellings of one new file. */
	assert_int_equal(mkdir(at("d"), 0755), 0);
	assert_int_equal(symlink("d", at("dlink")), 0);
	assert_int_equal(outpath_resolve(&a, at("d/x.csv"), err, sizeof(err)), 0);
	assert_int_equal(outpath_resolve(&b, at("dlink/./x.csv"), err, sizeof(err)), 0);
	assert_true(outpath_same(&a, &b));
	outpath_release(&b);
	assert_int_equal(outpath_resolve(&b, at("d/y.csv"), err, sizeof(err)), 0);
	assert_false(outpath_same(&a, &b));
	outpath_release(&a);
	outpath_release(&b);

	/* Hard links are one file; an op names the input it resolves to. */
	put(at("in.pcap"), "capture", 0644);
	assert_int_equal(link(at("in.pcap"), at("alias.pcap")), 0);
	assert_int_equal(outpath_resolve(&a, at("alias.pcap"), err, sizeof(err)), 0);
	assert_int_equal(outpath_resolve(&b, at("in.pcap"), err, sizeof(err)), 0);
	assert_true(outpath_same(&a, &b));
	assert_int_equal(stat(at("in.pcap"), &st), 0);
	assert_true(outpath_names(&a, &st));
	outpath_release(&a);
	outpath_release(&b);

	/* Two "-" are one stdout; character devices are shared streams, never "the same file". */
	assert_int_equal(outpath_resolve(&a, "-", err, sizeof(err)), 0);
	assert_int_equal(outpath_resolve(&b, "-", err, sizeof(err)), 0);
	assert_true(outpath_same(&a, &b));
	outpath_release(&a);
	outpath_release(&b);
	assert_int_equal(outpath_resolve(&a, "/dev/null", err, sizeof(err)), 0);
	assert_int_equal(outpath_resolve(&b, "/dev/null", err, sizeof(err)), 0);
	assert_false(outpath_same(&a, &b));
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_false(outpath_names(&a, &st));
	outpath_release(&a);
	outpath_release(&b);
}

/* -w: a regular file truncated in place (same inode, mode kept); a new one created. */
static void test_open_stream(void **state)
{
	struct outpath op;
	struct stat before, after;
	char err[512];
	FILE *fp;

	(void)state;
	put(at("cap.pcap"), "old old old\n", 0600);
	assert_int_equal(stat(at("cap.pcap"), &before), 0);
	assert_int_equal(outpath_resolve(&op, at("cap.pcap"), err, sizeof(err)), 0);
	fp = outpath_open_stream(&op, err, sizeof(err));
	outpath_release(&op);
	assert_non_null(fp);
	fputs("new\n", fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(stat(at("cap.pcap"), &after), 0);
	assert_string_equal(slurp(at("cap.pcap")), "new\n");
	assert_int_equal(after.st_ino, before.st_ino);
	assert_int_equal(after.st_mode & 07777, 0600);

	assert_int_equal(outpath_resolve(&op, at("fresh.pcap"), err, sizeof(err)), 0);
	fp = outpath_open_stream(&op, err, sizeof(err));
	outpath_release(&op);
	assert_non_null(fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(stat(at("fresh.pcap"), &after), 0);
	assert_true(S_ISREG(after.st_mode));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stdout_and_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protected_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_streams, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_target_swapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_and_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_stream, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
