/* fuzz_replay.c - libFuzzer harness for whole-file replay: source -> meter -> report -> every writer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "filter.h"
#include "meter.h"
#include "out.h"
#include "report.h"
#include "source.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct filter_spec mig, icmp;
static int memfd = -1;
static char path[64];
static FILE *sink;

/* The filters come from bpf/ (or $MIGMETER_BPF_DIR) once; the input is a memfd named by /proc. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("MIGMETER_BPF_DIR");
	char p[4096], err[512];

	(void)argc;
	(void)argv;
	if (!dir)
		dir = "bpf";
	snprintf(p, sizeof(p), "%s/migration.bpf", dir);
	if (filter_load(&mig, p, "49152-49261", err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz_replay: %s\n", err);
		exit(1);
	}
	snprintf(p, sizeof(p), "%s/icmp.bpf", dir);
	if (filter_load(&icmp, p, "49152-49261", err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz_replay: %s\n", err);
		exit(1);
	}
	/* As cli.c does: the announces join the ICMP filter. */
	snprintf(p, sizeof(p), "%s/announce.bpf", dir);
	if (filter_prepend_file(&icmp, p, "49152-49261", err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz_replay: %s\n", err);
		exit(1);
	}
	memfd = memfd_create("fuzz-capture", 0);
	if (memfd < 0) {
		perror("fuzz_replay: memfd_create");
		exit(1);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	sink = fopen("/dev/null", "w");
	if (!sink) {
		perror("fuzz_replay: /dev/null");
		exit(1);
	}
	return 0;
}

static int load(const uint8_t *data, size_t size)
{
	size_t done = 0;

	if (ftruncate(memfd, 0) < 0 || lseek(memfd, 0, SEEK_SET) < 0)
		return -1;
	while (done < size) {
		ssize_t n = write(memfd, data + done, size - done);

		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/*
 * What must hold in any report, whatever the input (README "What is
 * counted"): per direction IP bytes within wire bytes, payload within IP
 * bytes, and payload = unique + retransmitted unless unique is approximate.
 */
static void check_dir(json_object *flow, const char *dir)
{
	char k[64];
	uint64_t wire, ip, pl, un, re;

	snprintf(k, sizeof(k), "%s.wire_bytes", dir);
	wire = report_u64(flow, k);
	snprintf(k, sizeof(k), "%s.ip_bytes", dir);
	ip = report_u64(flow, k);
	snprintf(k, sizeof(k), "%s.payload_bytes", dir);
	pl = report_u64(flow, k);
	snprintf(k, sizeof(k), "%s.unique_payload_bytes", dir);
	un = report_u64(flow, k);
	snprintf(k, sizeof(k), "%s.retrans_bytes", dir);
	re = report_u64(flow, k);
	if (ip > wire || pl > ip || un > pl)
		abort();
	if (!report_bool(flow, "unique_approx") && pl != un + re)
		abort();
}

static void check_report(json_object *r)
{
	json_object *flows = report_get(r, "flows");
	size_t i, n = flows ? json_object_array_length(flows) : 0;

	for (i = 0; i < n; i++) {
		json_object *f = json_object_array_get_idx(flows, i);

		check_dir(f, "forward");
		check_dir(f, "reverse");
	}
	if (report_u64(r, "migration.packets") > report_u64(r, "capture.frames"))
		abort();
}

/* The same sequence as cmd_replay in src/main.c, without the command line. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *paths[1] = { path };
	struct source *src;
	struct source_frame fr;
	struct meter m;
	struct meter_cfg cfg;
	struct report_opts ro;
	struct source_input in;
	json_object *r;
	char err[1024];
	int digits = 6;

	if (size > 4u << 20 || load(data, size) < 0)
		return 0;
	src = source_open_files(paths, 1, &mig, &icmp, err, sizeof(err));
	if (!src)
		return 0;
	memset(&cfg, 0, sizeof(cfg));
	cfg.flow.port_lo = 49152;
	cfg.flow.port_hi = 49261;
	cfg.flow.max_flows = 1024;
	cfg.bin = 1000000000LL;
	if (meter_init(&m, &cfg) < 0)
		goto out_src;
	while (source_next(src, &fr) == 1)
		meter_frame(&m, fr.dlt, fr.data, fr.caplen, fr.len, fr.ts, fr.src,
			    ((fr.match & SOURCE_MATCH_MIG) ? METER_MIG : 0) |
			    ((fr.match & SOURCE_MATCH_ICMP) ? METER_ICMP : 0));
	if (meter_finish(&m) < 0)
		goto out_meter;
	in = *source_input(src, 0);
	if (in.digits > digits)
		digits = in.digits;
	memset(&ro, 0, sizeof(ro));
	ro.ports = "49152-49261";
	ro.digits = digits > 9 ? 9 : digits;
	ro.inputs = &in;
	ro.ninputs = 1;
	ro.filtered_out = source_filtered_out(src);
	ro.nominal_interval = MM_NS_NONE;
	r = report_build(&m, &ro);
	if (r) {
		check_report(r);
		out_text(sink, r);
		out_csv_flows(sink, r);
		out_json(sink, r);
		out_csv_streams(sink, r);
		out_csv_episodes(sink, r);
		out_csv_series(sink, m.series, ro.digits);
		json_object_put(r);
	}
out_meter:
	meter_release(&m);
out_src:
	source_close(src);
	return 0;
}
