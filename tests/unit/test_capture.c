/* test_capture.c - the live-capture helpers: -w writer, kernel-safe filters, capture options, output relay. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli.h"
#include "dump.h"
#include "filter.h"
#include "out.h"

/* A frame of n bytes whose bytes count up from `seed`. */
static void frame(uint8_t *b, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i);
}

/* Writes three frames (odd lengths: pcapng padding) and reads them back with libpcap. */
static void roundtrip(int pcapng)
{
	static const char *const ifn[] = { "veth-a", "br-ex" };
	char path[] = "/tmp/mm-test-dump-XXXXXX", err[512], ebuf[PCAP_ERRBUF_SIZE];
	uint8_t buf[3][100];
	const uint32_t caplen[3] = { 60, 97, 99 };
	const uint32_t len[3] = { 60, 1514, 65226 };
	struct pcap_pkthdr h, *rh;
	const u_char *data;
	struct dump *d;
	pcap_t *p;
	int fd = mkstemp(path), i;

	assert_true(fd >= 0);
	close(fd);
	d = dump_open(path, pcapng, DLT_EN10MB, 256, ifn, 2, err, sizeof(err));
	assert_non_null(d);
	for (i = 0; i < 3; i++) {
		frame(buf[i], caplen[i], (uint8_t)(i * 7));
		h.ts.tv_sec = 1795847682 + i;
		h.ts.tv_usec = 123456789 + i;	/* nanoseconds */
		h.caplen = caplen[i];
		h.len = len[i];
		assert_int_equal(dump_frame(d, (unsigned)(i & 1), &h, buf[i]), 0);
	}
	assert_int_equal(dump_frames(d), 3);
	assert_int_equal(dump_close(d, err, sizeof(err)), 0);

	p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	assert_non_null(p);
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	assert_int_equal(pcap_snapshot(p), 256);
	for (i = 0; i < 3; i++) {
		assert_int_equal(pcap_next_ex(p, &rh, &data), 1);
		assert_int_equal(rh->ts.tv_sec, 1795847682 + i);
		assert_int_equal(rh->ts.tv_usec, 123456789 + i);
		assert_int_equal(rh->caplen, caplen[i]);
		assert_int_equal(rh->len, len[i]);
		assert_memory_equal(data, buf[i], caplen[i]);
	}
	assert_int_equal(pcap_next_ex(p, &rh, &data), PCAP_ERROR_BREAK);
	pcap_close(p);
	unlink(path);
}

static void test_dump_pcap(void **state)
{
	(void)state;
	roundtrip(0);
}

static void test_dump_pcapng(void **state)
{
	(void)state;
	roundtrip(1);
}

static void test_dump_unwritable(void **state)
{
	static const char *const ifn[] = { "x" };
	char err[512] = "";

	(void)state;
	assert_null(dump_open("/nonexistent-dir/x.pcap", 0, DLT_EN10MB, 256, ifn, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent-dir/x.pcap"));
}

/* The kernel check: protochain (a backward jump) is left out live, kept offline. */
static void test_filter_kernel(void **state)
{
	char path[] = "/tmp/mm-test-bpf-XXXXXX", err[512];
	struct filter_spec f;
	struct bpf_program prog;
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 256);
	size_t left_out = 99;
	FILE *fp;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs("# test\ntcp portrange @PORTS@\n\nip6 protochain 6 and not ip6 proto 6\n", fp);
	fclose(fp);
	assert_int_equal(filter_load(&f, path, "49152-49261", err, sizeof(err)), 0);
	assert_int_equal(f.n, 2);
	/* Each alternative knows its line, for the -v notes. */
	assert_int_equal(f.line[0], 2);
	assert_int_equal(f.line[1], 4);
	assert_int_equal(filter_compile_kernel(&f, p, &prog, &left_out, err, sizeof(err)), 0);
	assert_int_equal(left_out, 1);
	pcap_freecode(&prog);
	/* Which one, and why: the kernel cannot run protochain. */
	assert_int_equal(filter_alt_fit(&f, 0, p, 1), FILTER_FITS);
	assert_int_equal(filter_alt_fit(&f, 1, p, 1), FILTER_NO_KERNEL);
	assert_int_equal(filter_alt_fit(&f, 1, p, 0), FILTER_FITS);
	assert_int_equal(filter_alt_fit(&f, 2, p, 0), FILTER_NO_LINK);	/* no such line */
	filter_release(&f);
	/* A line the link type cannot express (no vlan on Linux cooked v2). */
	assert_int_equal(filter_from_expr(&f, "t", "vlan and tcp", err, sizeof(err)), 0);
	{
		pcap_t *sll2 = pcap_open_dead(DLT_LINUX_SLL2, 256);

		assert_int_equal(filter_alt_fit(&f, 0, sll2, 0), FILTER_NO_LINK);
		assert_int_equal(filter_alt_fit(&f, 0, p, 1), FILTER_FITS);
		pcap_close(sll2);
	}
	filter_release(&f);
	assert_int_equal(filter_load(&f, path, "49152-49261", err, sizeof(err)), 0);
	/* Offline, libpcap's interpreter runs it all. */
	assert_int_equal(filter_compile(&f, p, &prog, err, sizeof(err)), 0);
	pcap_freecode(&prog);
	filter_release(&f);
	/* --app joins the file's alternatives: its file, or its expression, goes first (vlan offsets). */
	assert_int_equal(filter_load(&f, path, "49152-49261", err, sizeof(err)), 0);
	assert_int_equal(filter_prepend_expr(&f, "--app-filter", "tcp port 80", err, sizeof(err)), 0);
	assert_int_equal(f.n, 3);
	assert_string_equal(f.alts[0], "tcp port 80");
	assert_string_equal(f.alts[1], "tcp portrange 49152-49261");
	assert_string_equal(filter_alt_origin(&f, 0), "--app-filter");
	assert_string_equal(filter_alt_origin(&f, 1), path);
	assert_int_equal(filter_prepend_file(&f, path, "port 80 or port 443", err, sizeof(err)), 0);
	assert_int_equal(f.n, 5);
	assert_string_equal(f.alts[0], "tcp portrange port 80 or port 443");
	assert_string_equal(f.alts[2], "tcp port 80");
	assert_int_equal(f.n_pre, 3);
	assert_non_null(strstr(filter_alt_origin(&f, 2), "--app-filter"));
	assert_int_equal(filter_compile(&f, p, &prog, err, sizeof(err)), 0);
	pcap_freecode(&prog);
	filter_release(&f);
	/* A user's expression is kept as it is, even one the kernel cannot run. */
	assert_int_equal(filter_from_expr(&f, "--filter", "ip6 protochain 6", err, sizeof(err)), 0);
	assert_int_equal(filter_compile_kernel(&f, p, &prog, &left_out, err, sizeof(err)), 0);
	assert_int_equal(left_out, 0);
	pcap_freecode(&prog);
	filter_release(&f);
	pcap_close(p);
	unlink(path);
}

static int parse(enum cli_cmd cmd, struct cli_opts *o, ...)
{
	char *argv[32];
	int argc = 0, done;
	va_list ap;
	char *a;

	va_start(ap, o);
	while ((a = va_arg(ap, char *)) != NULL && argc < 31)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	return cli_parse(cmd, argc, argv, o, &done);
}

static void test_cli_capture(void **state)
{
	struct cli_opts o;
	char **paths;

	(void)state;
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "eth1", "--icmp-iface", "br-ex",
			       "-w", "run.pcapng", "--idle-stop", "5s", "--duration", "90",
			       "--snaplen", "128", "--buffer-size", "256", "-Z", "nobody",
			       "--format", "csv", "-o", "run.csv", "--timeseries", "ts.csv", NULL), 0);
	assert_string_equal(o.iface, "eth1");
	assert_string_equal(o.icmp_iface, "br-ex");
	assert_string_equal(o.write, "run.pcapng");
	assert_int_equal(o.idle_stop, 5 * MM_NS_PER_S);
	assert_int_equal(o.duration, 90 * MM_NS_PER_S);
	assert_int_equal(o.snaplen, 128);
	assert_int_equal(o.buffer_mib, 256);
	assert_string_equal(o.user, "nobody");
	/* What the root side may write: the report, its CSV siblings, the time series. */
	paths = cli_output_paths(&o);
	assert_non_null(paths);
	assert_string_equal(paths[0], "run.csv");
	assert_string_equal(paths[1], "run-episodes.csv");
	assert_string_equal(paths[2], "run-streams.csv");
	assert_string_equal(paths[3], "run-totals.csv");
	assert_string_equal(paths[4], "run-migrations.csv");
	assert_string_equal(paths[5], "ts.csv");
	assert_null(paths[6]);
	cli_free_paths(paths);
}

static void test_cli_errors(void **state)
{
	struct cli_opts o;

	(void)state;
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "auto", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "auto", "--peer", "nonsense", NULL),
			 CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "eth0", "--peer", "10.0.0.1", NULL),
			 CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "eth0", "file.pcap", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "eth0", "--snaplen", "20", NULL),
			 CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "eth0", "--idle-stop", "0", NULL),
			 CLI_EXIT_USAGE);
	/* libpcap takes the ring size as an int of bytes */
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "eth0", "--buffer-size", "2048", NULL),
			 CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "eth0", "--buffer-size", "2047", NULL), 0);
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_REPLAY, &o, "replay", "-w", "x.pcap", "f.pcap", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_REPLAY, &o, "replay", "--idle-stop", "1s", "f.pcap", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "auto", "--peer", "fd00::2", NULL), 0);
}

/* What a tcpdump user types: -r among the files, -s 0, -B in KiB, -c, a trailing filter, -q/-v. */
static void test_cli_tcpdump(void **state)
{
	struct cli_opts o;

	(void)state;
	assert_int_equal(parse(CLI_REPLAY, &o, "replay", "a.pcap", "-r", "b.pcap", "--format", "json",
			       "-rc.pcap", "d.pcap", "--", "-e.pcap", NULL), 0);
	assert_int_equal(o.nargs, 5);
	assert_string_equal(o.args[0], "a.pcap");
	assert_string_equal(o.args[1], "b.pcap");
	assert_string_equal(o.args[2], "c.pcap");
	assert_string_equal(o.args[3], "d.pcap");
	assert_string_equal(o.args[4], "-e.pcap");
	assert_string_equal(o.format, "json");
	assert_int_equal(parse(CLI_REPLAY, &o, "replay", "-", NULL), 0);
	assert_string_equal(o.args[0], "-");

	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "eth0", "tcp", "port", "5000", "-s", "0",
			       "-B", "4097", "-c", "10", "-q", "-w", "-", NULL), 0);
	assert_string_equal(o.filter, "tcp port 5000");
	assert_int_equal(o.nargs, 0);
	assert_int_equal(o.snaplen, 262144);
	assert_int_equal(o.buffer_mib, 5);
	assert_int_equal(o.count, 10);
	assert_int_equal(o.quiet, 1);
	assert_int_equal(o.progress, 0);
	assert_string_equal(o.write, "-");
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-vv", "-i", "eth0", "--", "not", "icmp", NULL), 0);
	assert_int_equal(o.verbose, 2);
	assert_string_equal(o.filter, "not icmp");

	/* Single-valued options given twice, in any spelling, are errors. */
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "a", "-i", "b", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "a", "--interface=b", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "a", "-s", "100", "--snaplen", "100", NULL),
			 CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "a", "-B", "1024", "--buffer-size", "1",
			       NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_REPLAY, &o, "replay", "--bin", "1s", "--bin", "1s", "f", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "a", "--filter", "tcp", "udp", NULL),
			 CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "a", "-q", "-v", NULL), CLI_EXIT_USAGE);
	/* The progress pair: the last one given wins (a wrapper's default is overridden). */
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "a", "--no-progress", "--progress", NULL), 0);
	assert_int_equal(o.progress, 1);
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "a", "--progress", "-q", NULL), 0);
	assert_int_equal(o.progress, 0);
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "a", "-c", "0", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "a", "-B", "0", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "a", "-B", "2096129", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_REPLAY, &o, "replay", "-c", "3", "f", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_INTERFACES, &o, "interfaces", "--ports", "1-2", NULL), CLI_EXIT_USAGE);
	/* --ports any: every TCP port in the filter, classification by opening bytes. */
	assert_int_equal(parse(CLI_REPLAY, &o, "replay", "--ports", "any", "f", NULL), 0);
	assert_true(o.ports_any && o.port_lo == 1 && o.port_hi == 65535);
	assert_string_equal(o.ports, "1-65535");
	assert_int_equal(parse(CLI_REPLAY, &o, "replay", "--ports", "49152", "f", NULL), 0);
	assert_false(o.ports_any);
	assert_int_equal(parse(CLI_REPLAY, &o, "replay", "--ports", "Any", "f", NULL), CLI_EXIT_USAGE);
	/* Flags may repeat. */
	assert_int_equal(parse(CLI_CAPTURE, &o, "capture", "-i", "a", "--no-promisc", "--no-promisc",
			       "--no-progress", "-q", "-q", NULL), 0);
}

static int write_text(FILE *fp, void *ctx)
{
	return fputs(ctx, fp) >= 0 ? 0 : -1;
}

/*
 * The relay: out_atomic in a child with a relay set is written by the
 * parent (here: a loop like privsep's, through the same wire format).
 */
static void test_relay(void **state)
{
	char dir[] = "/tmp/mm-test-relay-XXXXXX", path[128], err[256], buf[64];
	struct out_relay_req req;
	struct out_relay_rep rep;
	int sv[2], st;
	pid_t pid;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/report.txt", dir);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		out_set_relay(sv[1]);
		_exit(out_atomic(path, write_text, (void *)"hello relay\n", err, sizeof(err)) == 0 ? 0 : 3);
	}
	close(sv[1]);
	assert_int_equal(read(sv[0], &req, sizeof(req)), (ssize_t)sizeof(req));
	assert_int_equal(req.magic, OUT_RELAY_MAGIC);
	assert_int_equal(req.pathlen, strlen(path));
	assert_int_equal(req.datalen, 12);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(read(sv[0], buf, req.pathlen), (ssize_t)req.pathlen);
	assert_string_equal(buf, path);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(read(sv[0], buf, req.datalen), 12);
	assert_string_equal(buf, "hello relay\n");
	memset(&rep, 0, sizeof(rep));
	rep.rc = 0;
	assert_int_equal(write(sv[0], &rep, sizeof(rep)), (ssize_t)sizeof(rep));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	close(sv[0]);
	/* The child wrote nothing itself. */
	fp = fopen(path, "r");
	assert_null(fp);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_pcap),
		cmocka_unit_test(test_dump_pcapng),
		cmocka_unit_test(test_dump_unwritable),
		cmocka_unit_test(test_filter_kernel),
		cmocka_unit_test(test_cli_capture),
		cmocka_unit_test(test_cli_errors),
		cmocka_unit_test(test_cli_tcpdump),
		cmocka_unit_test(test_relay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
