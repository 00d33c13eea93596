/* main.c - command line, exit codes and the replay pipeline: source -> meter -> report. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filter.h"
#include "meter.h"
#include "mmtime.h"
#include "out.h"
#include "report.h"
#include "source.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

/* Set by SIGINT/SIGTERM: stop reading, still write the report. */
static volatile sig_atomic_t stop_requested;

struct opts {
	uint16_t port_lo, port_hi;
	char ports[24];
	const char *filter, *icmp_filter, *bpf_dir;
	char ping_target[64];
	int have_target;
	const char *format, *out, *episodes, *streams, *timeseries;
	mm_ns bin;
	mm_ns ping_interval;		/* --ping-interval, MM_NS_NONE if not given */
	size_t max_flows;
	char **files;
	size_t nfiles;
};

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: migmeter replay [OPTIONS] FILE...\n"
		"       migmeter --help | --version\n"
		"\n"
		"Replays pcap/pcapng captures (merged by timestamp) and reports live-migration\n"
		"traffic per TCP flow and VM downtime from ICMP echo traffic.\n"
		"\n"
		"  --ports LO-HI         migration listening ports (default 49152-49261)\n"
		"  --filter EXPR         migration capture filter (default: bpf/migration.bpf)\n"
		"  --icmp-filter EXPR    echo capture filter (default: bpf/icmp.bpf)\n"
		"  --bpf-dir DIR         where the filter files are\n"
		"  --ping-target ADDR    downtime total over the echo streams to ADDR only\n"
		"  --ping-interval DUR   the interval ping was asked for (-i); adds the classic\n"
		"                        lost x that interval beside the measured one\n"
		"  --format FMT          text, csv or json (default text)\n"
		"  -o FILE               write the report to FILE (atomically) instead of stdout\n"
		"  --episodes FILE       downtime episodes as CSV, one row per episode\n"
		"  --streams FILE        echo streams as CSV, one row per stream\n"
		"                        (with --format csv -o X.csv both default to\n"
		"                        X-episodes.csv and X-streams.csv)\n"
		"  --timeseries FILE     per-bin CSV: bytes, unique payload, packets, pings\n"
		"  --bin DURATION        time-series bin (default 1s; 250ms, 2s, 1.5 accepted)\n"
		"  --max-flows N         cap on the flow table (default 2048)\n"
		"  -h, --help            this text\n"
		"  -V, --version         the version\n"
		"\n"
		"Exit status: 0 success, 1 runtime failure (the report is still written when\n"
		"anything was read), 2 usage error.\n");
}

static int parse_ports(const char *s, struct opts *o)
{
	char *end;
	unsigned long lo, hi;

	errno = 0;
	lo = strtoul(s, &end, 10);
	if (end == s || errno)
		return -1;
	hi = lo;
	if (*end == '-') {
		const char *h = end + 1;

		hi = strtoul(h, &end, 10);
		if (end == h || errno)
			return -1;
	}
	if (*end || lo == 0 || hi > 65535 || lo > hi)
		return -1;
	o->port_lo = (uint16_t)lo;
	o->port_hi = (uint16_t)hi;
	snprintf(o->ports, sizeof(o->ports), "%u-%u", (unsigned)o->port_lo, (unsigned)o->port_hi);
	return 0;
}

static int parse_target(const char *s, struct opts *o)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1)
		return inet_ntop(AF_INET, buf, o->ping_target, sizeof(o->ping_target)) ? 0 : -1;
	if (inet_pton(AF_INET6, s, buf) == 1)
		return inet_ntop(AF_INET6, buf, o->ping_target, sizeof(o->ping_target)) ? 0 : -1;
	return -1;
}

enum { OPT_PORTS = 256, OPT_FILTER, OPT_ICMP_FILTER, OPT_BPF_DIR, OPT_TARGET, OPT_FORMAT,
       OPT_EPISODES, OPT_STREAMS, OPT_SERIES, OPT_BIN, OPT_MAX_FLOWS, OPT_PING_INTERVAL };

/* Returns 0, or EXIT_USAGE after printing one line; 1 with *done set for --help/--version. */
static int parse_args(int argc, char **argv, struct opts *o, int *done)
{
	static const struct option lopts[] = {
		{ "ports", required_argument, NULL, OPT_PORTS },
		{ "filter", required_argument, NULL, OPT_FILTER },
		{ "icmp-filter", required_argument, NULL, OPT_ICMP_FILTER },
		{ "bpf-dir", required_argument, NULL, OPT_BPF_DIR },
		{ "ping-target", required_argument, NULL, OPT_TARGET },
		{ "ping-interval", required_argument, NULL, OPT_PING_INTERVAL },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "episodes", required_argument, NULL, OPT_EPISODES },
		{ "streams", required_argument, NULL, OPT_STREAMS },
		{ "timeseries", required_argument, NULL, OPT_SERIES },
		{ "bin", required_argument, NULL, OPT_BIN },
		{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*done = 0;
	memset(o, 0, sizeof(*o));
	parse_ports("49152-49261", o);
	o->format = "text";
	o->bin = MM_NS_PER_S;
	o->ping_interval = MM_NS_NONE;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ho:V", lopts, NULL)) != -1) {
		switch (c) {
		case OPT_PORTS:
			if (parse_ports(optarg, o) < 0)
				goto bad_value;
			break;
		case OPT_FILTER:
			o->filter = optarg;
			break;
		case OPT_ICMP_FILTER:
			o->icmp_filter = optarg;
			break;
		case OPT_BPF_DIR:
			o->bpf_dir = optarg;
			break;
		case OPT_TARGET:
			if (parse_target(optarg, o) < 0)
				goto bad_value;
			o->have_target = 1;
			break;
		case OPT_FORMAT:
			if (!out_find(optarg)) {
				fprintf(stderr, "migmeter: unknown format '%s' (one of %s)\n", optarg,
					out_names());
				return EXIT_USAGE;
			}
			o->format = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case OPT_EPISODES:
			o->episodes = optarg;
			break;
		case OPT_STREAMS:
			o->streams = optarg;
			break;
		case OPT_SERIES:
			o->timeseries = optarg;
			break;
		case OPT_BIN:
			if (mm_parse_duration(optarg, &o->bin) < 0)
				goto bad_value;
			break;
		case OPT_PING_INTERVAL:
			if (mm_parse_duration(optarg, &o->ping_interval) < 0)
				goto bad_value;
			break;
		case OPT_MAX_FLOWS: {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (*end || end == optarg || errno || v == 0 || v > (1UL << 24))
				goto bad_value;
			o->max_flows = v;
			break;
		}
		case 'h':
			usage(stdout);
			*done = 1;
			return 0;
		case 'V':
			printf("migmeter %s\n", MM_VERSION);
			*done = 1;
			return 0;
		case ':':
			fprintf(stderr, "migmeter: option %s needs a value (see --help)\n", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			fprintf(stderr, "migmeter: unknown option %s (see --help)\n", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	o->files = argv + optind;
	o->nfiles = (size_t)(argc - optind);
	if (o->nfiles == 0) {
		fprintf(stderr, "migmeter: replay needs at least one capture file (see --help)\n");
		return EXIT_USAGE;
	}
	return 0;
bad_value:
	fprintf(stderr, "migmeter: bad value '%s' for %s (see --help)\n", optarg, argv[optind - 1]);
	return EXIT_USAGE;
}

/* The bpf/ directory: --bpf-dir, $MIGMETER_BPF_DIR, beside the binary, then the installed one. */
static void find_bpf_dir(const struct opts *o, char *dir, size_t n)
{
	char exe[PATH_MAX], probe[PATH_MAX + 64];
	const char *env = getenv("MIGMETER_BPF_DIR");
	ssize_t len;

	if (o->bpf_dir) {
		snprintf(dir, n, "%s", o->bpf_dir);
		return;
	}
	if (env && *env) {
		snprintf(dir, n, "%s", env);
		return;
	}
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		char *slash;

		exe[len] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			/* In the source tree, or installed under any PREFIX (bin/ beside share/). */
			static const char *const rel[] = { "bpf", "../share/migmeter/bpf" };
			size_t i;

			*slash = '\0';
			for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
				snprintf(probe, sizeof(probe), "%s/%s/migration.bpf", exe, rel[i]);
				if (access(probe, R_OK) == 0) {
					snprintf(dir, n, "%s/%s", exe, rel[i]);
					return;
				}
			}
		}
	}
	snprintf(dir, n, "%s", MM_BPFDIR);
}

static int load_filter(struct filter_spec *f, const char *user, const char *opt, const char *dir,
		       const char *file, const char *ports)
{
	char path[PATH_MAX + 64], err[512];
	int rc;

	if (user)
		rc = filter_from_expr(f, opt, user, err, sizeof(err));
	else {
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		rc = filter_load(f, path, ports, err, sizeof(err));
	}
	if (rc < 0)
		fprintf(stderr, "migmeter: %s\n", err);
	return rc;
}

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct series_ctx {
	const struct series *s;
	int digits;
};

struct report_ctx {
	const struct out_writer *w;
	json_object *r;
};

static int write_report(FILE *fp, void *ctx)
{
	const struct report_ctx *rc = ctx;

	return rc->w->write(fp, rc->r);
}


static int write_series(FILE *fp, void *ctx)
{
	const struct series_ctx *sc = ctx;

	return out_csv_series(fp, sc->s, sc->digits);
}

/* "run.csv" + "-episodes" -> "run-episodes.csv"; the caller frees. */
static char *sibling_name(const char *out, const char *suffix)
{
	size_t n = strlen(out), len = n + strlen(suffix) + 8;
	char *s = malloc(len);

	if (!s)
		return NULL;
	if (n > 4 && strcmp(out + n - 4, ".csv") == 0)
		snprintf(s, len, "%.*s%s.csv", (int)(n - 4), out, suffix);
	else
		snprintf(s, len, "%s%s.csv", out, suffix);
	return s;
}

/* Writes one side CSV (episodes, streams) atomically. Returns 0 or EXIT_RUNTIME after saying why. */
static int emit_side(const char *path, int (*fn)(FILE *, json_object *), json_object *r)
{
	struct report_ctx ctx;
	struct out_writer w = { "csv", fn };
	char err[512];

	ctx.w = &w;
	ctx.r = r;
	if (out_atomic(path, write_report, &ctx, err, sizeof(err)) < 0) {
		fprintf(stderr, "migmeter: %s\n", err);
		return EXIT_RUNTIME;
	}
	return 0;
}

/* Writes every requested output. Returns 0 or EXIT_RUNTIME after saying why. */
static int emit(const struct opts *o, const struct meter *m, json_object *r, int digits)
{
	const struct out_writer *w = out_find(o->format);
	char err[512];
	char *ep_auto = NULL, *st_auto = NULL;
	const char *ep = o->episodes, *st = o->streams;
	struct series_ctx sc = { m->series, digits };
	int rc = 0;

	if (o->out) {
		struct report_ctx ctx = { w, r };

		if (out_atomic(o->out, write_report, &ctx, err, sizeof(err)) < 0) {
			fprintf(stderr, "migmeter: %s\n", err);
			rc = EXIT_RUNTIME;
		}
		/* A CSV report comes with its downtime tables beside it. */
		if (strcmp(o->format, "csv") == 0) {
			if (!ep)
				ep = ep_auto = sibling_name(o->out, "-episodes");
			if (!st)
				st = st_auto = sibling_name(o->out, "-streams");
		}
	} else if (w->write(stdout, r) < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "migmeter: cannot write the report to standard output\n");
		rc = EXIT_RUNTIME;
	}
	if (ep && emit_side(ep, out_csv_episodes, r) != 0)
		rc = EXIT_RUNTIME;
	if (st && emit_side(st, out_csv_streams, r) != 0)
		rc = EXIT_RUNTIME;
	if (o->timeseries && out_atomic(o->timeseries, write_series, &sc, err, sizeof(err)) < 0) {
		fprintf(stderr, "migmeter: %s\n", err);
		rc = EXIT_RUNTIME;
	}
	free(ep_auto);
	free(st_auto);
	return rc;
}

static int cmd_replay(int argc, char **argv)
{
	struct opts o;
	struct filter_spec mig, icmp;
	struct meter m;
	struct meter_cfg cfg;
	struct source *src = NULL;
	struct source_frame fr;
	struct report_opts ro;
	struct source_input *inputs = NULL;
	json_object *r = NULL;
	char dir[PATH_MAX + 64], err[1024];
	int done, rc, digits = 6, have_mig = 0, have_icmp = 0, meter_ok = 0;
	size_t i;

	rc = parse_args(argc, argv, &o, &done);
	if (rc || done)
		return rc;
	find_bpf_dir(&o, dir, sizeof(dir));
	rc = EXIT_USAGE;
	if (load_filter(&mig, o.filter, "--filter", dir, "migration.bpf", o.ports) < 0)
		goto out;
	have_mig = 1;
	if (load_filter(&icmp, o.icmp_filter, "--icmp-filter", dir, "icmp.bpf", o.ports) < 0)
		goto out;
	have_icmp = 1;

	rc = EXIT_RUNTIME;
	src = source_open_files(o.files, o.nfiles, &mig, &icmp, err, sizeof(err));
	if (!src) {
		fprintf(stderr, "migmeter: %s\n", err);
		/* A filter the user typed that libpcap refuses is a usage error. */
		if ((o.filter || o.icmp_filter) && strstr(err, "filter for"))
			rc = EXIT_USAGE;
		goto out;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.flow.port_lo = o.port_lo;
	cfg.flow.port_hi = o.port_hi;
	cfg.flow.max_flows = o.max_flows;
	cfg.bin = o.bin;
	if (meter_init(&m, &cfg) < 0) {
		fprintf(stderr, "migmeter: out of memory\n");
		goto out;
	}
	meter_ok = 1;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop_requested && source_next(src, &fr) == 1)
		meter_frame(&m, fr.dlt, fr.data, fr.caplen, fr.len, fr.ts, fr.src,
			    ((fr.match & SOURCE_MATCH_MIG) ? METER_MIG : 0) |
			    ((fr.match & SOURCE_MATCH_ICMP) ? METER_ICMP : 0));
	if (meter_finish(&m) < 0) {
		fprintf(stderr, "migmeter: out of memory while building downtime episodes\n");
		goto out;
	}

	inputs = calloc(source_count(src), sizeof(*inputs));
	if (!inputs) {
		fprintf(stderr, "migmeter: out of memory\n");
		goto out;
	}
	rc = 0;
	for (i = 0; i < source_count(src); i++) {
		inputs[i] = *source_input(src, i);
		if (inputs[i].digits > digits)
			digits = inputs[i].digits;
		if (inputs[i].failed) {
			fprintf(stderr, "migmeter: %s: %s; the report covers the %llu frames read before it\n",
				inputs[i].path, inputs[i].err, (unsigned long long)inputs[i].frames);
			rc = EXIT_RUNTIME;
		}
	}
	if (stop_requested) {
		fprintf(stderr, "migmeter: interrupted; the report covers the frames read so far\n");
		for (i = 0; i < source_count(src); i++) {
			inputs[i].failed = 1;
			snprintf(inputs[i].err, sizeof(inputs[i].err), "interrupted");
		}
		rc = EXIT_RUNTIME;
	}
	memset(&ro, 0, sizeof(ro));
	ro.ports = o.ports;
	ro.ping_target = o.have_target ? o.ping_target : NULL;
	ro.digits = digits > 9 ? 9 : digits;
	ro.inputs = inputs;
	ro.ninputs = source_count(src);
	ro.filtered_out = source_filtered_out(src);
	ro.nominal_interval = o.ping_interval;
	r = report_build(&m, &ro);
	if (!r) {
		fprintf(stderr, "migmeter: out of memory while building the report\n");
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (emit(&o, &m, r, ro.digits) != 0)
		rc = EXIT_RUNTIME;
out:
	json_object_put(r);
	free(inputs);
	if (meter_ok)
		meter_release(&m);
	source_close(src);
	if (have_mig)
		filter_release(&mig);
	if (have_icmp)
		filter_release(&icmp);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("migmeter %s\n", MM_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "replay") == 0)
		return cmd_replay(argc - 1, argv + 1);
	if (strcmp(argv[1], "capture") == 0 || strcmp(argv[1], "interfaces") == 0) {
		fprintf(stderr, "migmeter: '%s' is not built yet in this version; use tcpdump -w and "
			"'migmeter replay'\n", argv[1]);
		return EXIT_RUNTIME;
	}
	fprintf(stderr, "migmeter: unknown command '%s' (see --help)\n", argv[1]);
	return EXIT_USAGE;
}
