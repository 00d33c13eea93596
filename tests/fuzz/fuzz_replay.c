/*
 * fuzz_replay.c - libFuzzer harness for whole-file replay: source -> meter -> report -> every writer.
 *
 * Built twice (Makefile): fuzz_replay with the default ports and filter
 * files, and fuzz_replay_wide (-DFUZZ_WIDE) with the widest settings, the
 * worst case of both filters: --ports 1-65535 (every TCP frame is a
 * migration candidate, real-world TCP included), an ICMP filter that
 * passes every frame (the echo decoder sees everything, tunnels and junk
 * alike) and 1 us time bins.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "filter.h"
#include "meter.h"
#include "out.h"
#include "app-report.h"
#include "report.h"
#include "source.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef FUZZ_WIDE
#define FUZZ_PORTS "1-65535"
#define FUZZ_LO 1
#define FUZZ_HI 65535
#define FUZZ_BIN 1000LL
#else
#define FUZZ_PORTS "49152-49261"
#define FUZZ_LO 49152
#define FUZZ_HI 49261
#define FUZZ_BIN 1000000000LL
#endif

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
	if (filter_load(&mig, p, FUZZ_PORTS, err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz_replay: %s\n", err);
		exit(1);
	}
#ifdef FUZZ_WIDE
	if (filter_from_expr(&icmp, "--icmp-filter", "len >= 0", err, sizeof(err)) < 0) {
#else
	snprintf(p, sizeof(p), "%s/icmp.bpf", dir);
	if (filter_load(&icmp, p, FUZZ_PORTS, err, sizeof(err)) < 0) {
#endif
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

/* A duration member: absent or null, or not negative (a figure never is). */
static double dur(json_object *o, const char *k)
{
	json_object *v = report_get(o, k);
	double d = v ? json_object_get_double(v) : 0.0;

	if (d < 0)
		abort();
	return d;
}

/*
 * Downtime figures (README "Downtime from ICMP echo"): nothing negative,
 * lower <= estimate <= upper, episodes inside their stream's span; and the
 * time series counts each ping once, as the report does.
 */
static void check_downtime(json_object *r, const struct series *sr)
{
	json_object *st = report_get(r, "downtime.streams");
	size_t i, k, n = st ? json_object_array_length(st) : 0;
	struct series_iter it = { 0, 0 };
	const struct series_bin *b;
	uint64_t idx, req = 0, rep = 0;

	for (i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(st, i), *eps = report_get(s, "episodes");
		double first = dur(s, "first_ts"), last = dur(s, "last_ts");

		dur(s, "interval_s");
		dur(s, "downtime_total_s");
		dur(s, "downtime_longest_s");
		dur(s, "lost_x_interval_s");
		dur(s, "duration_x_loss_s");
		for (k = 0; eps && k < json_object_array_length(eps); k++) {
			json_object *e = json_object_array_get_idx(eps, k);
			double lo = dur(e, "lower_s"), est = dur(e, "estimate_s");
			double t0 = dur(e, "first_lost_ts"), t1 = dur(e, "last_lost_ts");

			if (est < lo || (report_get(e, "upper_s") && dur(e, "upper_s") < est))
				abort();
			if (t0 < first || t1 < t0 || t1 > last)
				abort();
		}
	}
	dur(r, "downtime.total.downtime_total_s");
	dur(r, "downtime.total.lost_x_interval_s");
	if (series_dropped(sr))
		return;
	while (series_next(sr, &it, &idx, &b)) {
		req += b->ping_requests;
		rep += b->ping_replies;
	}
	if (req != report_u64(r, "downtime.total.requests") || rep != report_u64(r, "downtime.total.replies"))
		abort();
}

static void check_report(json_object *r, const struct series *sr)
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
	check_downtime(r, sr);
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
	src = source_open_files(paths, 1, JOIN_AUTO, &mig, &icmp, err, sizeof(err));
	if (!src)
		return 0;
	memset(&cfg, 0, sizeof(cfg));
	cfg.flow.port_lo = FUZZ_LO;
	cfg.flow.port_hi = FUZZ_HI;
	cfg.flow.max_flows = 1024;
	cfg.bin = FUZZ_BIN;
#ifdef FUZZ_WIDE
	/* As --app-filter 'len >= 0' would: every TCP frame is the VM's service. */
	cfg.app.enabled = 1;
	cfg.app.window = 1000000000LL;
#endif
	if (meter_init(&m, &cfg) < 0)
		goto out_src;
	while (source_next(src, &fr) == 1)
		meter_frame(&m, fr.dlt, fr.data, fr.caplen, fr.len, fr.ts, fr.src, fr.ifid,
			    ((fr.match & SOURCE_MATCH_MIG) ? METER_MIG : 0) |
			    ((fr.match & SOURCE_MATCH_ICMP) ? METER_ICMP : 0));
	if (meter_finish(&m) < 0)
		goto out_meter;
	in = *source_input(src, 0);
	if (in.digits > digits)
		digits = in.digits;
	memset(&ro, 0, sizeof(ro));
	ro.ports = FUZZ_PORTS;
	ro.digits = digits > 9 ? 9 : digits;
	ro.inputs = &in;
	ro.ninputs = 1;
	ro.filtered_out = source_filtered_out(src);
	ro.nominal_interval = MM_NS_NONE;
	r = report_build(&m, &ro);
	if (r) {
		check_report(r, m.series);
		out_text(sink, r);
		out_csv_flows(sink, r);
		out_csv_totals(sink, r);
		out_json(sink, r);
		out_csv_streams(sink, r);
		out_csv_episodes(sink, r);
		out_csv_series_spans(sink, m.series, NULL, 0, m.app, ro.digits);
		out_csv_app(sink, r);
		json_object_put(r);
	}
out_meter:
	meter_release(&m);
out_src:
	source_close(src);
	return 0;
}
