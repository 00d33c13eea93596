/* cli-usage.c - the option table (what cli_parse accepts and --help lists) and the usage texts. */
#include "cli-usage.h"

#include <string.h>

#define R CLI_FOR_REPLAY
#define C CLI_FOR_CAPTURE
#define M CLI_FOR_METER
#define P CLI_FOR_PLOT
#define L CLI_FOR_LOGS

const struct cli_option cli_options[] = {
	{ CLI_OPT_READ, 'r', "read", "FILE", R | P, CLI_SEC_INPUT,
	  "read FILE, as a FILE operand does (tcpdump -r); once\nfor each file" },
	{ CLI_OPT_INPUTS, 0, "inputs", "MODE", R | P, CLI_SEC_INPUT,
	  "how several files are read: auto (default): the files\nof one rotated capture (same link types and\ninterfaces, times that follow each other) are one\nvantage point; one-capture: all files are; separate:\neach file is its own (FILE may be - for stdin, a FIFO\nor <(zcat run.pcap.gz))" },

	{ CLI_OPT_PORTS, 0, "ports", "LO-HI", M | P, CLI_SEC_REPORT,
	  "migration listening ports (default 49152-49261), or any: by opening bytes" },
	{ CLI_OPT_FILTER, 0, "filter", "EXPR", M | P, CLI_SEC_REPORT,
	  "migration capture filter (default: bpf/migration.bpf)" },
	{ CLI_OPT_ICMP_FILTER, 0, "icmp-filter", "EXPR", M | P, CLI_SEC_REPORT,
	  "echo capture filter (default: bpf/icmp.bpf)" },
	{ CLI_OPT_BPF_DIR, 0, "bpf-dir", "DIR", M | P, CLI_SEC_REPORT,
	  "where the filter files are (default: $MIGMETER_BPF_DIR,\nthen bpf/ beside the binary, then the installed ones)" },
	{ CLI_OPT_TARGET, 0, "ping-target", "ADDR", M | P, CLI_SEC_REPORT,
	  "downtime total over the echo streams to ADDR only" },
	{ CLI_OPT_PING_INTERVAL, 0, "ping-interval", "DUR", M | P | L, CLI_SEC_REPORT,
	  "the interval ping was asked for (-i); adds the classic\nlost x that interval beside the measured one" },
	{ CLI_OPT_LATE_THRESHOLD, 0, "late-threshold", "DUR", M, CLI_SEC_REPORT,
	  "a reply later than DUR is no answer in time (unresponsive\ntime; default: max(10 x the stream's median RTT,\nits interval))" },
	{ CLI_OPT_FORMAT, 0, "format", "FMT", M | L, CLI_SEC_REPORT,
	  "text, csv or json (default text)" },
	{ CLI_OPT_FORMAT, 0, "format", "FMT", CLI_FOR_IFACES, CLI_SEC_REPORT,
	  "text or json (default text)" },
	{ CLI_OPT_FORMAT, 0, "format", "FMT", P, CLI_SEC_REPORT,
	  "png, svg or pdf: the figure's format when -o has no\nsuch extension (- for stdout; default png)" },
	{ CLI_OPT_OUTPUT, 'o', "output", "FILE", M | L, CLI_SEC_REPORT,
	  "write the report to FILE instead of stdout; any\noutput FILE may be - (stdout, one output at most)" },
	{ CLI_OPT_OUTPUT, 'o', "output", "FILE", P, CLI_SEC_REPORT,
	  "the figure: FILE.png, FILE.svg or FILE.pdf, by its\nextension (- for stdout; default: the first input's\nname with .png)" },
	{ CLI_OPT_PLOT_SCRIPT, 0, "plot-script", "FILE", P, CLI_SEC_REPORT,
	  "also keep the gnuplot script and its data beside it\n(fig.gp: fig-series.csv) to edit and run: gnuplot FILE" },
	{ CLI_OPT_ALIGN, 0, "align", "HOW", P, CLI_SEC_REPORT,
	  "capture (default): time from the capture's start;\nmigration: the migrations overlaid, time from each\none's start" },
	{ CLI_OPT_SIZE, 0, "size", "WxH", P, CLI_SEC_REPORT,
	  "figure size in pixels, 320x240..8000x8000 (default\n1200x800; a paper column: 600x450)" },
	{ CLI_OPT_EPISODES, 0, "episodes", "FILE", M, CLI_SEC_REPORT,
	  "downtime episodes as CSV, one row per episode" },
	{ CLI_OPT_STREAMS, 0, "streams", "FILE", M, CLI_SEC_REPORT,
	  "echo streams as CSV, one row per stream\n(with --format csv -o X.csv both default to\nX-episodes.csv and X-streams.csv)" },
	{ CLI_OPT_MIGRATIONS, 0, "migrations", "FILE", M, CLI_SEC_REPORT,
	  "migrations as CSV, one row per migration (with\n--format csv -o X.csv: X-migrations.csv)" },
	{ CLI_OPT_UNRESPONSIVE, 0, "unresponsive", "FILE", M, CLI_SEC_REPORT,
	  "unresponsive episodes (no reply within the threshold)\nas CSV, one row per episode" },
	{ CLI_OPT_EVENTS, 0, "events", "FILE", M, CLI_SEC_REPORT,
	  "timeline events as CSV (connect, first payload, final\nburst end, announce, outage start/end, end)" },
	{ CLI_OPT_SERIES, 0, "timeseries", "FILE", M, CLI_SEC_REPORT,
	  "per-bin CSV: bytes, unique payload, packets, pings" },
	{ CLI_OPT_BIN, 0, "bin", "DUR", M, CLI_SEC_REPORT,
	  "time-series bin and peak-throughput window (default 1s)" },
	{ CLI_OPT_BIN, 0, "bin", "DUR", P, CLI_SEC_REPORT,
	  "time-series bin of the replay: the figure's time\nresolution (default 100ms)" },
	{ CLI_OPT_WITH_SERIES, 0, "with-series", NULL, R, CLI_SEC_REPORT,
	  "JSON report: add the time series (\"timeseries\", its\nnon-empty bins): what migmeter plot REPORT.json\ndraws throughput and RTT from" },
	{ CLI_OPT_MAX_FLOWS, 0, "max-flows", "N", M | P, CLI_SEC_REPORT,
	  "cap on the flows held at once: 1..16777216 (default 2048; completed migrations leave as it fills)" },
	{ CLI_OPT_APP, 0, "app", "PORT[,PORT...]", M, CLI_SEC_REPORT,
	  "the VM's TCP service ports: goodput, response times and\nstalls per migration phase (README \"Application impact\")" },
	{ CLI_OPT_APP_FILTER, 0, "app-filter", "EXPR", M, CLI_SEC_REPORT,
	  "the VM's service traffic as a filter expression instead\nof --app (default: bpf/app.bpf with the --app ports)" },
	{ CLI_OPT_APP_WINDOW, 0, "app-window", "DUR", M, CLI_SEC_REPORT,
	  "length of the before and after phases (default 10s)" },
	{ CLI_OPT_APP_CSV, 0, "app-csv", "FILE", M, CLI_SEC_REPORT,
	  "the phases as CSV, one row per migration phase (with\n--format csv -o X.csv: X-app.csv)" },

	{ CLI_OPT_IFACE, 'i', "interface", "IFACE", C, CLI_SEC_CAPTURE,
	  "interface of the migration traffic ('any' for all;\n'auto' with --peer: the one the routing table uses)" },
	{ CLI_OPT_PEER, 0, "peer", "ADDR", C, CLI_SEC_CAPTURE,
	  "the other compute node (for -i auto)" },
	{ CLI_OPT_ICMP_IFACE, 0, "icmp-iface", "IFACE", C, CLI_SEC_CAPTURE,
	  "interface of the ping traffic (default: -i)" },
	{ CLI_OPT_FROM, 0, "from", "FILE", C, CLI_SEC_CAPTURE,
	  "instead of -i: a saved capture (pcap, pcapng; - is\nstdin) through everything capture does, at its own\ntimes (README \"Running for days\")" },
	{ CLI_OPT_WRITE, 'w', "write", "FILE", C, CLI_SEC_CAPTURE,
	  "also save what was captured (.pcapng: pcapng, else pcap)" },
	{ CLI_OPT_RECORDS, 0, "records", "FILE", C, CLI_SEC_CAPTURE,
	  "append each migration's record to FILE the moment it\ncompletes (JSON Lines, flushed; - is stdout)" },
	{ CLI_OPT_ROTATE_SECS, 'G', "rotate-seconds", "SECONDS", C, CLI_SEC_CAPTURE,
	  "-w: a new file every SECONDS of capture, named by\nstrftime(3) on the -w name, as tcpdump -G" },
	{ CLI_OPT_ROTATE_SIZE, 'C', "rotate-size", "MB", C, CLI_SEC_CAPTURE,
	  "-w: a new file (FILE, FILE1, FILE2, ...) once the\ncurrent one is over MB million bytes (k, m, g: KiB, MiB, GiB)" },
	{ CLI_OPT_ROTATE_FILES, 'W', "rotate-files", "N", C, CLI_SEC_CAPTURE,
	  "with -G or -C: keep the newest N -w files, removing\nthe oldest of this capture's own" },
	{ CLI_OPT_RECORDS_ROTATE, 0, "records-rotate", "SIZE|DUR", C, CLI_SEC_CAPTURE,
	  "move --records FILE aside to FILE.<UTC time> before a\nrecord that would take it past SIZE (10M), or once\nit is DUR old (1h); between whole lines" },
	{ CLI_OPT_PROM_TEXTFILE, 0, "prom-textfile", "FILE", C, CLI_SEC_CAPTURE,
	  "Prometheus metrics for node_exporter's textfile\ncollector, rewritten atomically after each\nmigration, every 15 s and at the end" },
	{ CLI_OPT_METRICS_LISTEN, 0, "metrics-listen", "ADDR:PORT", C, CLI_SEC_CAPTURE,
	  "serve Prometheus metrics over HTTP at\nhttp://ADDR:PORT/metrics (default: off)" },
	{ CLI_OPT_NODE, 0, "node", "NAME", C, CLI_SEC_CAPTURE,
	  "the metrics' node label (default: the host name)" },
	{ CLI_OPT_COUNT, 'c', "count", "N", C, CLI_SEC_CAPTURE,
	  "stop after N completed migrations" },
	{ CLI_OPT_DURATION, 0, "duration", "DUR", C, CLI_SEC_CAPTURE,
	  "stop after this long" },
	{ CLI_OPT_IDLE_STOP, 0, "idle-stop", "DUR", C, CLI_SEC_CAPTURE,
	  "stop once migration traffic has started and then been\nidle this long" },
	{ CLI_OPT_SNAPLEN, 's', "snaplen", "N", C, CLI_SEC_CAPTURE,
	  "bytes kept of each frame: 96..262144, 0 for 262144\n(default 256: headers plus the first payload bytes)" },
	{ CLI_OPT_BUFFER_KIB, 'B', NULL, "KIB", C, CLI_SEC_CAPTURE,
	  "kernel ring per capture in KiB, as tcpdump -B\n(rounded up to whole MiB)" },
	{ CLI_OPT_BUFFER, 0, "buffer-size", "MIB", C, CLI_SEC_CAPTURE,
	  "kernel ring per capture in MiB: 1..2047 (default 64)" },
	{ CLI_OPT_NO_PROMISC, 0, "no-promisc", NULL, C, CLI_SEC_CAPTURE,
	  "do not put the interfaces in promiscuous mode" },
	{ CLI_OPT_USER, 'Z', "user", "USER", C, CLI_SEC_CAPTURE,
	  "drop root to USER once the captures are open\n(default nobody; -Z root keeps root)" },

	{ CLI_OPT_PING, 0, "ping", "FILE", L, CLI_SEC_VIEWS,
	  "iputils ping output (plain, -D, -O): episodes and the\nclassic hand figures (as --ping-log)" },
	{ CLI_OPT_PING_LOG, 0, "ping-log", "FILE", R | L, CLI_SEC_VIEWS,
	  "iputils ping output saved during the migrations" },
	{ CLI_OPT_NOVA_LOG, 0, "nova-log", "FILE", R | L, CLI_SEC_VIEWS,
	  "nova-compute.log (oslo.log lines of the libvirt driver)" },
	{ CLI_OPT_MLIST, 0, "migration-list", "FILE", R | L, CLI_SEC_VIEWS,
	  "the table of nova migration-list / openstack server\nmigration list" },
	{ CLI_OPT_DOMJOBINFO, 0, "domjobinfo", "FILE", R | L, CLI_SEC_VIEWS,
	  "virsh domjobinfo --completed output (one block a job)" },
	{ CLI_OPT_QUERY_MIGRATE, 0, "query-migrate", "FILE", R | L, CLI_SEC_VIEWS,
	  "QEMU's QMP query-migrate replies (and the MIGRATION,\nSTOP, RESUME events that time them)" },
	{ CLI_OPT_LOG_TZ, 0, "log-tz", "ZONE", R | L, CLI_SEC_VIEWS,
	  "the zone of nova-compute.log's local times: a zoneinfo\nname, UTC or +HH:MM (default: the machine's, TZ)" },

	{ CLI_OPT_QUIET, 'q', "quiet", NULL, M | P, CLI_SEC_MESSAGES,
	  "only the report: no progress line and no notes on\nstderr (warnings and errors still)" },
	{ CLI_OPT_VERBOSE, 'v', "verbose", NULL, M | P, CLI_SEC_MESSAGES,
	  "notes on stderr: the filter files used and each filter\nline left out, with why" },
	{ CLI_OPT_PROGRESS, 0, "progress", NULL, C, CLI_SEC_MESSAGES,
	  "the progress line on stderr (default: when stderr is\na terminal)" },
	{ CLI_OPT_NO_PROGRESS, 0, "no-progress", NULL, C, CLI_SEC_MESSAGES,
	  "no progress line" },

	{ CLI_OPT_FORMAT, 0, "format", "FMT", CLI_FOR_MERGE, CLI_SEC_MERGE,
	  "csv or json (default csv)" },
	{ CLI_OPT_OUTPUT, 'o', "output", "FILE", CLI_FOR_MERGE, CLI_SEC_MERGE,
	  "write the table to FILE instead of stdout (- is stdout)" },
	{ CLI_OPT_NODE, 0, "node", "FILE=NAME", CLI_FOR_MERGE, CLI_SEC_MERGE,
	  "the records of FILE are node NAME's (instead of the\nnode they carry, or the file name); once per FILE" },
	{ CLI_OPT_PAIR_WINDOW, 0, "pair-window", "DUR", CLI_FOR_MERGE, CLI_SEC_MERGE,
	  "two nodes' records pair only when their starts are at\nmost DUR apart (default 60s)" },

	{ CLI_OPT_HELP, 'h', "help", NULL, CLI_FOR_ALL, CLI_SEC_GENERAL,
	  "this text" },
	{ CLI_OPT_VERSION, 'V', "version", NULL, CLI_FOR_ALL, CLI_SEC_GENERAL,
	  "the version" },
	{ 0, 0, NULL, NULL, 0, 0, NULL },
};

#undef R
#undef C
#undef M
#undef P
#undef L

static const char *const cmd_names[] = { "replay", "capture", "interfaces", "merge", "plot", "logs" };

const char *cli_cmd_name(enum cli_cmd cmd)
{
	return (unsigned)cmd < sizeof(cmd_names) / sizeof(cmd_names[0]) ? cmd_names[cmd] : "?";
}

/* Each command's synopsis lines, without the "usage: " that starts the first. */
static const char synopsis_replay[] =
	"migmeter replay [OPTIONS] FILE...\n"
	"migmeter -r FILE [OPTIONS]\n";
static const char synopsis_capture[] =
	"migmeter capture [OPTIONS] -i IFACE|auto [EXPRESSION]\n"
	"migmeter capture [OPTIONS] --from FILE\n";
static const char synopsis_ifaces[] =
	"migmeter interfaces [--format text|json] [IFACE...]\n";
static const char synopsis_merge[] =
	"migmeter merge [--format csv|json] [-o FILE] [--node FILE=NAME] FILE...\n";
static const char synopsis_plot[] =
	"migmeter plot [-o FIG.png|.svg|.pdf] [OPTIONS] REPORT.json\n"
	"migmeter plot [-o FIG.png|.svg|.pdf] [OPTIONS] FILE...\n";
static const char synopsis_logs[] =
	"migmeter logs [--ping FILE] [--nova-log FILE] [--migration-list FILE]\n"
	"              [--domjobinfo FILE] [--query-migrate FILE] [OPTIONS]\n";

/* Prints synopsis lines, "usage: " before the first line of all and 7 spaces before the others. */
static void print_synopsis(FILE *fp, const char *lines, int *first)
{
	const char *nl;

	for (; *lines; lines = nl + 1) {
		nl = strchr(lines, '\n');
		fprintf(fp, "%s%.*s\n", *first ? "usage: " : "       ", (int)(nl - lines), lines);
		*first = 0;
	}
}

static const char about_replay[] =
	"Reports live-migration traffic per TCP flow and VM downtime from ICMP echo\n"
	"traffic in saved pcap/pcapng captures, several files merged by timestamp.\n";
static const char about_capture[] =
	"Reports live-migration traffic per TCP flow and VM downtime from ICMP echo\n"
	"traffic, live from network interfaces. EXPRESSION, the words after the\n"
	"options (as tcpdump takes them), is the migration filter, as --filter is.\n";
static const char about_plot[] =
	"Draws a migration report (a JSON report, from replay --format json\n"
	"--with-series) or capture files (replayed first, with replay's options) as\n"
	"a figure, rendered by gnuplot: throughput by role, echo RTT with the\n"
	"downtime, application figures when present, a summary of several migrations.\n";
static const char about_logs[] =
	"Reads the other views of migrations: ping's output (episodes and the classic\n"
	"hand figures), nova-compute.log, nova's migration list, virsh domjobinfo and\n"
	"QEMU's query-migrate. replay takes the same files and puts them side by side\n"
	"with each migration the capture shows.\n";
static const char about_ifaces[] =
	"Lists the network interfaces (all, or the IFACEs named) with their state,\n"
	"addresses and counters.\n";
static const char about_merge[] =
	"Merges migration records of many nodes (JSON reports and --records files)\n"
	"into one table, one row per migration: the source's and the destination's\n"
	"records of a migration (same main 5-tuple or UUID) side by side.\n";

static const char footer_durations[] =
	"DUR is a duration: a number with a unit ns, us, ms, s, m or min, h (no unit:\n"
	"seconds), e.g. 250ms, 1.5s, 2m.\n";
static const char footer_capture[] =
	"Capture stops on SIGINT/SIGTERM, -c, --duration or --idle-stop and writes the\n"
	"report either way.\n";
static const char footer_exit[] =
	"Exit status: 0 success, 1 runtime failure (the report is still written when\n"
	"anything was read), 2 usage error.\n";

static const char footer_exit_merge[] =
	"Exit status: 0 success, 1 an input not read or a line skipped (the table is\n"
	"still written from the rest), 2 usage error.\n";

static const char *const section_titles[] = {
	[CLI_SEC_INPUT] = "Input",
	[CLI_SEC_REPORT] = "Report",
	[CLI_SEC_CAPTURE] = "Capture",
	[CLI_SEC_VIEWS] = "Other views",
	[CLI_SEC_MESSAGES] = "Messages",
	[CLI_SEC_MERGE] = "Merge",
	[CLI_SEC_GENERAL] = "General",
};

/* Where the help text starts: the option forms are padded to this column. */
#define HELP_COLUMN 24

/* "  -o, --output FILE     write ..." and its continuation lines. */
static void print_option(FILE *fp, const struct cli_option *o)
{
	char left[80];
	const char *line, *nl;
	int n;

	if (o->letter && o->name)
		n = snprintf(left, sizeof(left), "-%c, --%s", o->letter, o->name);
	else if (o->letter)
		n = snprintf(left, sizeof(left), "-%c", o->letter);
	else
		n = snprintf(left, sizeof(left), "    --%s", o->name);
	if (o->arg && n > 0 && (size_t)n < sizeof(left))
		snprintf(left + n, sizeof(left) - (size_t)n, " %s", o->arg);
	n = fprintf(fp, "  %s", left);
	if (n > HELP_COLUMN - 2) {
		fputc('\n', fp);
		n = 0;
	}
	for (line = o->help; line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		fprintf(fp, "%*s%.*s\n", HELP_COLUMN - n, "", nl ? (int)(nl - line) : (int)strlen(line), line);
		n = 0;
	}
}

/* Whether a row is listed for `cmds`: the first row of its id that applies. */
static int listed(const struct cli_option *o, unsigned cmds)
{
	const struct cli_option *p;

	if (!(o->cmds & cmds))
		return 0;
	for (p = cli_options; p < o; p++)
		if (p->id == o->id && (p->cmds & cmds))
			return 0;
	return 1;
}

/* The options of `cmds`, section by section. */
static void print_options(FILE *fp, unsigned cmds, int all)
{
	unsigned sec;
	const struct cli_option *o;

	for (sec = CLI_SEC_INPUT; sec <= CLI_SEC_GENERAL; sec++) {
		int title = 0;

		for (o = cli_options; o->id; o++) {
			if (o->sec != sec || !listed(o, cmds))
				continue;
			if (!title) {
				fprintf(fp, "\n%s%s:\n", cmds == CLI_FOR_IFACES ? "Options" : section_titles[sec],
					all && sec == CLI_SEC_INPUT ? " (replay, plot)" :
					all && sec == CLI_SEC_CAPTURE ? " (capture only)" :
					all && sec == CLI_SEC_MERGE ? " (merge only)" : "");
				title = 1;
			}
			print_option(fp, o);
		}
	}
}

void cli_usage_cmd(FILE *fp, enum cli_cmd cmd)
{
	static const char *const synopsis[] = { synopsis_replay, synopsis_capture, synopsis_ifaces, synopsis_merge,
						synopsis_plot, synopsis_logs };
	static const char *const about[] = { about_replay, about_capture, about_ifaces, about_merge, about_plot,
					      about_logs };
	int first = 1;

	print_synopsis(fp, synopsis[cmd], &first);
	fprintf(fp, "\n%s", about[cmd]);
	print_options(fp, 1u << cmd, 0);
	if (cmd == CLI_INTERFACES || cmd == CLI_LOGS) {
		if (cmd == CLI_LOGS)
			fprintf(fp, "\n%s%s", footer_durations, footer_exit);
		return;
	}
	if (cmd == CLI_MERGE) {
		fprintf(fp, "\n%s%s", footer_durations, footer_exit_merge);
		return;
	}
	fprintf(fp, "\n%s", footer_durations);
	if (cmd == CLI_CAPTURE)
		fprintf(fp, "%s", footer_capture);
	fprintf(fp, "%s", footer_exit);
}

void cli_usage(FILE *fp)
{
	int first = 1;

	print_synopsis(fp, synopsis_replay, &first);
	print_synopsis(fp, synopsis_capture, &first);
	print_synopsis(fp, synopsis_ifaces, &first);
	print_synopsis(fp, synopsis_merge, &first);
	print_synopsis(fp, synopsis_plot, &first);
	print_synopsis(fp, synopsis_logs, &first);
	print_synopsis(fp, "migmeter COMMAND --help | --help | --version\n", &first);
	fprintf(fp, "\n%s%s", about_replay,
		"Live, the same from network interfaces (capture): EXPRESSION, the words\n"
		"after the options, is the migration filter, as --filter is. Each command's\n"
		"--help lists only its own options.\n");
	print_options(fp, CLI_FOR_ALL, 1);
	fprintf(fp, "\n%s%s%s", footer_durations, footer_capture, footer_exit);
}

void cli_usage_short(FILE *fp)
{
	fputs("usage: migmeter replay [OPTIONS] FILE...        (or: migmeter -r FILE)\n"
	      "       migmeter capture [OPTIONS] -i IFACE [EXPRESSION]\n"
	      "       migmeter interfaces [IFACE...]\n"
	      "       migmeter merge [--format csv|json] FILE...\n"
	      "       migmeter plot [-o FIG.png] REPORT.json|FILE...\n"
	      "       migmeter logs --ping FILE [--nova-log FILE] ...\n"
	      "'migmeter COMMAND --help' lists a command's options, 'migmeter --help' all.\n", fp);
}
