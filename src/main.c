/* main.c - the commands and their exit codes; replay is source -> meter -> report. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture.h"
#include "cli.h"
#include "cli-logs.h"
#include "cli-usage.h"
#include "iflist.h"
#include "merge.h"
#include "meter.h"
#include "plot.h"
#include "report.h"
#include "source.h"

/* Set by SIGINT/SIGTERM: stop reading, still write the report. */
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/*
 * The frames of the capture input i starts when none of them passed the
 * filters, else 0 (a rotated capture's parts count together).
 */
static uint64_t unmatched_capture(const struct source *src, size_t i)
{
	const struct source_input *in = source_input(src, i);
	uint64_t frames = 0, matched = 0;
	size_t k;

	if (in->part > 1 || in->failed)
		return 0;
	for (k = 0; k < source_count(src); k++) {
		const struct source_input *p = source_input(src, k);

		if (p->capture == in->capture) {
			frames += p->frames;
			matched += p->matched;
		}
	}
	return matched == 0 ? frames : 0;
}

/* Replays o's files with the filters loaded (released here): what replay and plot (plot.h) run. */
static int replay_opts(const struct cli_opts *op, struct filter_spec *mig_f, struct filter_spec *icmp_f)
{
	struct cli_opts o = *op;
	struct filter_spec mig = *mig_f, icmp = *icmp_f;
	struct meter m;
	struct meter_cfg cfg;
	struct source *src = NULL;
	struct source_frame fr;
	struct report_opts ro;
	struct source_input *inputs = NULL;
	struct view_set views;
	json_object *r = NULL;
	char err[1024];
	int rc, digits = 6, meter_ok = 0;
	size_t i;

	/* Every output checked before anything is read: nothing read is then lost at the end. */
	memset(&views, 0, sizeof(views));
	rc = cli_check_outputs(&o);
	if (rc)
		goto out;
	/* The other views (ping, nova, libvirt, QEMU) are read first: a bad log costs nothing measured. */
	rc = cli_views_load(&o, &views);
	if (rc)
		goto out;

	rc = CLI_EXIT_RUNTIME;
	src = source_open_files(o.args, o.nargs, o.inputs, &mig, &icmp, err, sizeof(err));
	if (!src) {
		fprintf(stderr, "migmeter: %s\n", err);
		/* A filter the user typed that libpcap refuses is a usage error. */
		if ((o.filter || o.icmp_filter) && strstr(err, "filter for"))
			rc = CLI_EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < source_count(src); i++) {
		const struct source_input *in = source_input(src, i);

		cli_note_left_out(&o, &mig, in->path, in->dlt, 0, 0);
		cli_note_left_out(&o, &icmp, in->path, in->dlt, 0, 0);
		if (cli_check_bin(&o, in->path, in->digits) != 0) {
			rc = CLI_EXIT_USAGE;
			goto out;
		}
	}
	cli_meter_cfg(&o, &cfg);
	if (meter_init(&m, &cfg) < 0) {
		fprintf(stderr, "migmeter: out of memory\n");
		goto out;
	}
	meter_ok = 1;
	/* Completed migrations leave the flow table as it fills: any number of them fit. */
	meter_set_retire(&m, 1);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop_requested && source_next(src, &fr) == 1)
		meter_frame(&m, fr.dlt, fr.data, fr.caplen, fr.len, fr.ts, fr.src, fr.ifid,
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
		uint64_t unmatched = unmatched_capture(src, i);

		inputs[i] = *source_input(src, i);
		if (inputs[i].digits > digits)
			digits = inputs[i].digits;
		if (unmatched > 0)
			fprintf(stderr, "migmeter: %s: none of its %llu frames passed the filters (%s link "
				"type; ports %s): wrong link type, ports or filter?\n", inputs[i].path,
				(unsigned long long)unmatched, inputs[i].dlt_name, o.ports);
		if (inputs[i].failed) {
			fprintf(stderr, "migmeter: %s: %s; the report covers the %llu frames read before it\n",
				inputs[i].path, inputs[i].err, (unsigned long long)inputs[i].frames);
			rc = CLI_EXIT_RUNTIME;
		}
	}
	if (stop_requested) {
		fprintf(stderr, "migmeter: interrupted; the report covers the frames read so far\n");
		for (i = 0; i < source_count(src); i++) {
			inputs[i].failed = 1;
			snprintf(inputs[i].err, sizeof(inputs[i].err), "interrupted");
		}
		rc = CLI_EXIT_RUNTIME;
	}
	cli_report_opts(&o, &ro);
	ro.digits = digits > 9 ? 9 : digits;
	ro.inputs = inputs;
	ro.ninputs = source_count(src);
	ro.filtered_out = source_filtered_out(src);
	r = report_build(&m, &ro);
	if (!r) {
		fprintf(stderr, "migmeter: out of memory while building the report\n");
		rc = CLI_EXIT_RUNTIME;
		goto out;
	}
	if (cli_views_attach(&o, &views, r, ro.digits) != 0)
		rc = CLI_EXIT_RUNTIME;
	cli_warn_report(&o, r);
	if (o.with_series && plot_add_series(r, m.series, ro.digits) < 0) {
		fprintf(stderr, "migmeter: out of memory while adding the time series to the report\n");
		rc = CLI_EXIT_RUNTIME;
		goto out;
	}
	if (cli_emit(&o, &m, r, ro.digits) != 0)
		rc = CLI_EXIT_RUNTIME;
out:
	json_object_put(r);
	view_set_free(&views);
	free(inputs);
	if (meter_ok)
		meter_release(&m);
	source_close(src);
	filter_release(&mig);
	filter_release(&icmp);
	return rc;
}

static int cmd_replay(int argc, char **argv)
{
	struct cli_opts o;
	struct filter_spec mig, icmp;
	int done, rc;

	rc = cli_setup(CLI_REPLAY, argc, argv, &o, &mig, &icmp, &done);
	if (rc || done)
		return rc;
	return replay_opts(&o, &mig, &icmp);
}

/* A flag's letter (takes no value) in cli_options. */
static int is_flag_letter(char c)
{
	const struct cli_option *r;

	for (r = cli_options; r->id; r++)
		if (r->letter == c)
			return r->arg == NULL;
	return 0;
}

/* Whether argv holds -r FILE (tcpdump's read; "-qr FILE" too) before any "--": then it means replay. */
static int has_read(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *p = argv[i];

		if (strncmp(p, "--read", 6) == 0)
			return 1;
		if (p[0] != '-' || p[1] == '-')
			continue;
		for (p++; *p && is_flag_letter(*p); p++)
			;
		if (*p == 'r')
			return 1;
	}
	return 0;
}

/* A capture file's name where a command should be: an existing file or a capture's extension. */
static int looks_like_capture(const char *s)
{
	static const char *const ext[] = { ".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz" };
	size_t n = strlen(s), i;
	struct stat st;

	if (strcmp(s, "-") == 0)
		return 1;
	if (stat(s, &st) == 0 && S_ISREG(st.st_mode))
		return 1;
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (n > strlen(ext[i]) && strcmp(s + n - strlen(ext[i]), ext[i]) == 0)
			return 1;
	return 0;
}

/* The command options without one were meant for: -i captures, a capture file is replayed. */
static const char *suggest(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "-i") == 0 || strncmp(argv[i], "--interface", 11) == 0)
			return "capture";
	for (i = 1; i < argc; i++)
		if (argv[i][0] != '-' && looks_like_capture(argv[i]))
			return "replay";
	return NULL;
}

/* One line: "did you mean: migmeter CMD ARGS..." (arguments with blanks or quotes quoted). */
static int did_you_mean(const char *why, const char *cmd, int argc, char **argv)
{
	int i;

	fprintf(stderr, "migmeter: %s; did you mean: migmeter %s", why, cmd);
	for (i = 1; i < argc; i++) {
		if (argv[i][strcspn(argv[i], " \t'\"\\$*?;&|<>()")] || !argv[i][0]) {
			const char *p;

			fputs(" '", stderr);
			for (p = argv[i]; *p; p++)
				*p == '\'' ? fputs("'\\''", stderr) : fputc(*p, stderr);
			fputc('\'', stderr);
		} else {
			fprintf(stderr, " %s", argv[i]);
		}
	}
	fputc('\n', stderr);
	return CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	char why[160];

	if (argc < 2) {
		cli_usage_short(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		cli_usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("migmeter %s\n", MM_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "replay") == 0)
		return cmd_replay(argc - 1, argv + 1);
	if (strcmp(argv[1], "capture") == 0)
		return capture_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "interfaces") == 0)
		return iflist_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "merge") == 0)
		return merge_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "plot") == 0)
		return plot_main(argc - 1, argv + 1, replay_opts);
	if (strcmp(argv[1], "logs") == 0)
		return cli_logs_main(argc - 1, argv + 1);
	/* tcpdump's way: `migmeter -r FILE` reads FILE, as replay does. */
	if (argv[1][0] == '-' && has_read(argc, argv))
		return cmd_replay(argc, argv);
	if (argv[1][0] == '-' && argv[1][1]) {
		const char *cmd = suggest(argc, argv);

		snprintf(why, sizeof(why), "no command before %.60s", argv[1]);
		if (cmd)
			return did_you_mean(why, cmd, argc, argv);
		fprintf(stderr, "migmeter: %s: options come after a command: replay, capture, interfaces, merge, plot or logs "
			"(see 'migmeter --help')\n", why);
		return CLI_EXIT_USAGE;
	}
	if (looks_like_capture(argv[1])) {
		snprintf(why, sizeof(why), "'%.100s' is not a command", argv[1]);
		return did_you_mean(why, "replay", argc, argv);
	}
	fprintf(stderr, "migmeter: unknown command '%s': replay, capture, interfaces, merge, plot or logs (see 'migmeter "
		"--help')\n", argv[1]);
	return CLI_EXIT_USAGE;
}
