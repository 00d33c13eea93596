/* cli.c - the command line shared by replay and capture: options, filters, report outputs. */
#include "cli.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"
#include "out-migration.h"

void cli_usage(FILE *fp)
{
	fprintf(fp,
		"usage: migmeter replay [OPTIONS] FILE...\n"
		"       migmeter capture [OPTIONS] -i IFACE|auto [--icmp-iface IFACE]\n"
		"       migmeter interfaces [--format text|json] [IFACE...]\n"
		"       migmeter --help | --version\n"
		"\n"
		"Reports live-migration traffic per TCP flow and VM downtime from ICMP echo\n"
		"traffic: from saved pcap/pcapng captures (replay, merged by timestamp) or\n"
		"live from network interfaces (capture).\n"
		"\n"
		"Report options (replay and capture):\n"
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
		"  --migrations FILE     migrations as CSV, one row per migration (with\n"
		"                        --format csv -o X.csv: X-migrations.csv)\n"
		"  --events FILE         timeline events as CSV (connect, first payload, final\n"
		"                        burst end, announce, outage start/end, end)\n"
		"  --timeseries FILE     per-bin CSV: bytes, unique payload, packets, pings\n"
		"  --bin DURATION        time-series bin (default 1s; 250ms, 2s, 1.5 accepted)\n"
		"  --max-flows N         cap on the flow table (default 2048)\n"
		"\n"
		"Capture options:\n"
		"  -i IFACE              interface of the migration traffic ('any' for all;\n"
		"                        'auto' with --peer: the one the routing table uses)\n"
		"  --peer ADDR           the other compute node (for -i auto)\n"
		"  --icmp-iface IFACE    interface of the ping traffic (default: -i)\n"
		"  -w FILE               also save what was captured (.pcapng: pcapng, else pcap)\n"
		"  --duration DUR        stop after this long\n"
		"  --idle-stop DUR       stop once migration traffic has started and then been\n"
		"                        idle this long\n"
		"  --snaplen N           bytes kept of each frame (default 256: headers plus\n"
		"                        the first payload bytes)\n"
		"  --buffer-size MIB     kernel ring per capture (default 64, at most 2047)\n"
		"  --no-promisc          do not put the interfaces in promiscuous mode\n"
		"  -Z USER               drop root to USER once the captures are open\n"
		"                        (default nobody; -Z root keeps root)\n"
		"  --progress, --no-progress   the progress line on stderr (default: when it\n"
		"                        is a terminal)\n"
		"\n"
		"  -h, --help            this text\n"
		"  -V, --version         the version\n"
		"\n"
		"Capture stops on SIGINT/SIGTERM, --duration or --idle-stop and writes the\n"
		"report either way. Exit status: 0 success, 1 runtime failure (the report\n"
		"is still written when anything was read), 2 usage error.\n");
}

static int parse_ports(const char *s, struct cli_opts *o)
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

static int parse_target(const char *s, struct cli_opts *o)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1)
		return inet_ntop(AF_INET, buf, o->ping_target, sizeof(o->ping_target)) ? 0 : -1;
	if (inet_pton(AF_INET6, s, buf) == 1)
		return inet_ntop(AF_INET6, buf, o->ping_target, sizeof(o->ping_target)) ? 0 : -1;
	return -1;
}

/* A decimal in [lo, hi]; 0 or -1. */
static int parse_ulong(const char *s, unsigned long lo, unsigned long hi, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return (end == s || *end || errno || *v < lo || *v > hi || *s == '-') ? -1 : 0;
}

static int is_addr(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

enum { OPT_PORTS = 256, OPT_FILTER, OPT_ICMP_FILTER, OPT_BPF_DIR, OPT_TARGET, OPT_FORMAT,
       OPT_EPISODES, OPT_STREAMS, OPT_SERIES, OPT_BIN, OPT_MAX_FLOWS, OPT_PING_INTERVAL,
       OPT_ICMP_IFACE, OPT_PEER, OPT_DURATION, OPT_IDLE_STOP, OPT_SNAPLEN, OPT_BUFFER,
       OPT_NO_PROMISC, OPT_PROGRESS, OPT_NO_PROGRESS,
       OPT_MIGRATIONS, OPT_EVENTS };

/* Options that only mean something to capture. */
static int capture_only(int c)
{
	return c == 'i' || c == 'w' || c == 'Z' || (c >= OPT_ICMP_IFACE && c <= OPT_NO_PROGRESS);
}

/* Checks that need every option seen. Returns 0 or CLI_EXIT_USAGE after one line. */
static int check_opts(struct cli_opts *o)
{
	if (o->cmd == CLI_REPLAY && o->nargs == 0) {
		fprintf(stderr, "migmeter: replay needs at least one capture file (see --help)\n");
		return CLI_EXIT_USAGE;
	}
	if (o->cmd != CLI_CAPTURE)
		return 0;
	if (o->nargs > 0) {
		fprintf(stderr, "migmeter: capture takes no file argument ('%s'); use -w to save "
			"the capture\n", o->args[0]);
		return CLI_EXIT_USAGE;
	}
	if (!o->iface) {
		fprintf(stderr, "migmeter: capture needs -i IFACE (see 'migmeter interfaces')\n");
		return CLI_EXIT_USAGE;
	}
	if (strcmp(o->iface, "auto") == 0 && !o->peer) {
		fprintf(stderr, "migmeter: -i auto needs --peer ADDR (the other compute node)\n");
		return CLI_EXIT_USAGE;
	}
	if (o->peer && strcmp(o->iface, "auto") != 0) {
		fprintf(stderr, "migmeter: --peer only goes with -i auto\n");
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* "--ports", or "-i" for an option with a letter. */
static const char *opt_name(const struct option *lopts, int c, char name[40])
{
	size_t i;

	for (i = 0; lopts[i].name && lopts[i].val != c; i++)
		;
	if (c < 256)
		snprintf(name, 40, "-%c", c);
	else
		snprintf(name, 40, "--%s", lopts[i].name ? lopts[i].name : "?");
	return name;
}

int cli_parse(enum cli_cmd cmd, int argc, char **argv, struct cli_opts *o, int *done)
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
		{ "interface", required_argument, NULL, 'i' },
		{ "icmp-iface", required_argument, NULL, OPT_ICMP_IFACE },
		{ "peer", required_argument, NULL, OPT_PEER },
		{ "write", required_argument, NULL, 'w' },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "idle-stop", required_argument, NULL, OPT_IDLE_STOP },
		{ "snaplen", required_argument, NULL, OPT_SNAPLEN },
		{ "buffer-size", required_argument, NULL, OPT_BUFFER },
		{ "no-promisc", no_argument, NULL, OPT_NO_PROMISC },
		{ "user", required_argument, NULL, 'Z' },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
		{ "migrations", required_argument, NULL, OPT_MIGRATIONS },
		{ "events", required_argument, NULL, OPT_EVENTS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	char name[40];
	int c;

	*done = 0;
	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	parse_ports("49152-49261", o);
	o->format = "text";
	o->bin = MM_NS_PER_S;
	o->ping_interval = MM_NS_NONE;
	o->duration = o->idle_stop = MM_NS_NONE;
	o->snaplen = 256;
	o->buffer_mib = 64;
	o->promisc = 1;
	o->progress = -1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":hi:o:Vw:Z:", lopts, NULL)) != -1) {
		if (capture_only(c) && cmd != CLI_CAPTURE) {
			fprintf(stderr, "migmeter: %s is a capture option (see --help)\n",
				opt_name(lopts, c, name));
			return CLI_EXIT_USAGE;
		}
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
				return CLI_EXIT_USAGE;
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
		case OPT_MIGRATIONS:
			o->migrations = optarg;
			break;
		case OPT_EVENTS:
			o->events = optarg;
			break;
		case OPT_BIN:
			if (mm_parse_duration(optarg, &o->bin) < 0)
				goto bad_value;
			break;
		case OPT_PING_INTERVAL:
			if (mm_parse_duration(optarg, &o->ping_interval) < 0)
				goto bad_value;
			break;
		case OPT_MAX_FLOWS:
			if (parse_ulong(optarg, 1, 1UL << 24, &v) < 0)
				goto bad_value;
			o->max_flows = v;
			break;
		case 'i':
			if (!*optarg)
				goto bad_value;
			o->iface = optarg;
			break;
		case OPT_ICMP_IFACE:
			if (!*optarg)
				goto bad_value;
			o->icmp_iface = optarg;
			break;
		case OPT_PEER:
			if (!is_addr(optarg))
				goto bad_value;
			o->peer = optarg;
			break;
		case 'w':
			o->write = optarg;
			break;
		case OPT_DURATION:
			if (mm_parse_duration(optarg, &o->duration) < 0 || o->duration <= 0)
				goto bad_value;
			break;
		case OPT_IDLE_STOP:
			if (mm_parse_duration(optarg, &o->idle_stop) < 0 || o->idle_stop <= 0)
				goto bad_value;
			break;
		case OPT_SNAPLEN:
			/* Enough for Ethernet + VLANs + IPv6 + TCP with options; at most 256 KiB. */
			if (parse_ulong(optarg, 96, 262144, &v) < 0)
				goto bad_value;
			o->snaplen = (int)v;
			break;
		case OPT_BUFFER:
			if (parse_ulong(optarg, 1, 2047, &v) < 0)
				goto bad_value;
			o->buffer_mib = (int)v;
			break;
		case OPT_NO_PROMISC:
			o->promisc = 0;
			break;
		case 'Z':
			if (!*optarg)
				goto bad_value;
			o->user = optarg;
			break;
		case OPT_PROGRESS:
			o->progress = 1;
			break;
		case OPT_NO_PROGRESS:
			o->progress = 0;
			break;
		case 'h':
			cli_usage(stdout);
			*done = 1;
			return 0;
		case 'V':
			printf("migmeter %s\n", MM_VERSION);
			*done = 1;
			return 0;
		case ':':
			fprintf(stderr, "migmeter: option %s needs a value (see --help)\n", argv[optind - 1]);
			return CLI_EXIT_USAGE;
		default:
			fprintf(stderr, "migmeter: unknown option %s (see --help)\n", argv[optind - 1]);
			return CLI_EXIT_USAGE;
		}
	}
	o->args = argv + optind;
	o->nargs = (size_t)(argc - optind);
	return check_opts(o);
bad_value:
	fprintf(stderr, "migmeter: bad value '%s' for %s (see --help)\n", optarg, opt_name(lopts, c, name));
	return CLI_EXIT_USAGE;
}

/* The bpf/ directory: --bpf-dir, $MIGMETER_BPF_DIR, beside the binary, then the installed one. */
static void find_bpf_dir(const struct cli_opts *o, char *dir, size_t n)
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

/* bpf/announce.bpf before the ICMP filter file's lines (README "Migrations"). */
static int add_announce_filter(struct filter_spec *icmp, const char *dir, const char *ports)
{
	char path[PATH_MAX + 128], err[512];

	snprintf(path, sizeof(path), "%s/announce.bpf", dir);
	if (filter_prepend_file(icmp, path, ports, err, sizeof(err)) < 0) {
		fprintf(stderr, "migmeter: %s\n", err);
		return -1;
	}
	return 0;
}

int cli_load_filters(const struct cli_opts *o, struct filter_spec *mig, struct filter_spec *icmp)
{
	char dir[PATH_MAX + 64];

	find_bpf_dir(o, dir, sizeof(dir));
	if (load_filter(mig, o->filter, "--filter", dir, "migration.bpf", o->ports) < 0)
		return -1;
	if (load_filter(icmp, o->icmp_filter, "--icmp-filter", dir, "icmp.bpf", o->ports) < 0) {
		filter_release(mig);
		return -1;
	}
	/* The VM's announces travel beside its pings: the ICMP capture takes them too. */
	if (!o->icmp_filter && add_announce_filter(icmp, dir, o->ports) < 0) {
		filter_release(mig);
		filter_release(icmp);
		return -1;
	}
	return 0;
}

int cli_setup(enum cli_cmd cmd, int argc, char **argv, struct cli_opts *o, struct filter_spec *mig,
	      struct filter_spec *icmp, int *done)
{
	int rc = cli_parse(cmd, argc, argv, o, done);

	if (rc || *done)
		return rc;
	return cli_load_filters(o, mig, icmp) < 0 ? CLI_EXIT_USAGE : 0;
}

void cli_meter_cfg(const struct cli_opts *o, struct meter_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->flow.port_lo = o->port_lo;
	cfg->flow.port_hi = o->port_hi;
	cfg->flow.max_flows = o->max_flows;
	cfg->bin = o->bin;
}

void cli_report_opts(const struct cli_opts *o, struct report_opts *ro)
{
	memset(ro, 0, sizeof(*ro));
	ro->ports = o->ports;
	ro->ping_target = o->have_target ? o->ping_target : NULL;
	ro->nominal_interval = o->ping_interval;
}

struct series_ctx {
	const struct series *s;
	int digits;
};

struct report_ctx {
	int (*write)(FILE *fp, json_object *r);
	json_object *r;
};

static int write_report(FILE *fp, void *ctx)
{
	const struct report_ctx *rc = ctx;

	return rc->write(fp, rc->r);
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

/* The episodes and streams CSV paths: given, beside a CSV report, or none (NULL). */
static void side_paths(const struct cli_opts *o, char **ep, char **st)
{
	*ep = o->episodes ? strdup(o->episodes) : NULL;
	*st = o->streams ? strdup(o->streams) : NULL;
	/* A CSV report comes with its downtime tables beside it. */
	if (o->out && strcmp(o->format, "csv") == 0) {
		if (!*ep)
			*ep = sibling_name(o->out, "-episodes");
		if (!*st)
			*st = sibling_name(o->out, "-streams");
	}
}

/* Writes one file atomically. Returns 0 or CLI_EXIT_RUNTIME after saying why. */
static int emit_file(const char *path, int (*fn)(FILE *, void *), void *ctx)
{
	char err[512];

	if (out_atomic(path, fn, ctx, err, sizeof(err)) < 0) {
		fprintf(stderr, "migmeter: %s\n", err);
		return CLI_EXIT_RUNTIME;
	}
	return 0;
}

/* The migrations CSV path: --migrations, X-migrations.csv beside a CSV report, or none (NULL). */
static char *migrations_path(const struct cli_opts *o)
{
	if (o->migrations)
		return strdup(o->migrations);
	if (o->out && strcmp(o->format, "csv") == 0)
		return sibling_name(o->out, "-migrations");
	return NULL;
}

/* The migrations and events CSVs. Returns 0 or CLI_EXIT_RUNTIME after saying why. */
static int emit_migrations(const struct cli_opts *o, json_object *r)
{
	struct report_ctx mg_ctx = { out_csv_migrations, r }, ev_ctx = { out_csv_events, r };
	char *mp = migrations_path(o);
	int rc = 0;

	if (mp)
		rc |= emit_file(mp, write_report, &mg_ctx);
	if (o->events)
		rc |= emit_file(o->events, write_report, &ev_ctx);
	free(mp);
	return rc;
}

int cli_emit(const struct cli_opts *o, const struct meter *m, json_object *r, int digits)
{
	const struct out_writer *w = out_find(o->format);
	struct series_ctx sc = { m->series, digits };
	struct report_ctx main_ctx = { w->write, r };
	struct report_ctx ep_ctx = { out_csv_episodes, r }, st_ctx = { out_csv_streams, r };
	char *ep, *st;
	int rc = 0;

	if (o->out) {
		rc |= emit_file(o->out, write_report, &main_ctx);
	} else if (w->write(stdout, r) < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "migmeter: cannot write the report to standard output\n");
		rc = CLI_EXIT_RUNTIME;
	}
	side_paths(o, &ep, &st);
	if (ep)
		rc |= emit_file(ep, write_report, &ep_ctx);
	if (st)
		rc |= emit_file(st, write_report, &st_ctx);
	if (o->timeseries)
		rc |= emit_file(o->timeseries, write_series, &sc);
	rc |= emit_migrations(o, r);
	free(ep);
	free(st);
	return rc ? CLI_EXIT_RUNTIME : 0;
}

char **cli_output_paths(const struct cli_opts *o)
{
	char **p = calloc(7, sizeof(*p));
	char *ep, *st;
	size_t n = 0;

	if (!p)
		return NULL;
	side_paths(o, &ep, &st);
	if (o->out)
		p[n++] = strdup(o->out);
	if (ep)
		p[n++] = ep;
	if (st)
		p[n++] = st;
	if (o->timeseries)
		p[n++] = strdup(o->timeseries);
	p[n] = migrations_path(o);
	if (p[n])
		n++;
	if (o->events)
		p[n++] = strdup(o->events);
	return p;
}

void cli_free_paths(char **paths)
{
	size_t i;

	if (!paths)
		return;
	for (i = 0; paths[i]; i++)
		free(paths[i]);
	free(paths);
}
