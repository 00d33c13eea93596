/* main.c - the commands and their exit codes; replay is source -> meter -> report. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "cli.h"
#include "iflist.h"
#include "meter.h"
#include "report.h"
#include "source.h"

/* Set by SIGINT/SIGTERM: stop reading, still write the report. */
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int cmd_replay(int argc, char **argv)
{
	struct cli_opts o;
	struct filter_spec mig, icmp;
	struct meter m;
	struct meter_cfg cfg;
	struct source *src = NULL;
	struct source_frame fr;
	struct report_opts ro;
	struct source_input *inputs = NULL;
	json_object *r = NULL;
	char err[1024];
	int done, rc, digits = 6, have_filters = 0, meter_ok = 0;
	size_t i;

	rc = cli_setup(CLI_REPLAY, argc, argv, &o, &mig, &icmp, &done);
	if (rc || done)
		return rc;
	have_filters = 1;

	rc = CLI_EXIT_RUNTIME;
	src = source_open_files(o.args, o.nargs, &mig, &icmp, err, sizeof(err));
	if (!src) {
		fprintf(stderr, "migmeter: %s\n", err);
		/* A filter the user typed that libpcap refuses is a usage error. */
		if ((o.filter || o.icmp_filter) && strstr(err, "filter for"))
			rc = CLI_EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < source_count(src); i++) {
		if (cli_check_bin(&o, source_input(src, i)->path, source_input(src, i)->digits) != 0) {
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
		if (inputs[i].frames > 0 && inputs[i].matched == 0 && !inputs[i].failed)
			fprintf(stderr, "migmeter: %s: none of its %llu frames passed the filters (%s link "
				"type; ports %s): wrong link type, ports or filter?\n", inputs[i].path,
				(unsigned long long)inputs[i].frames, inputs[i].dlt_name, o.ports);
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
	cli_warn_report(&o, r);
	if (cli_emit(&o, &m, r, ro.digits) != 0)
		rc = CLI_EXIT_RUNTIME;
out:
	json_object_put(r);
	free(inputs);
	if (meter_ok)
		meter_release(&m);
	source_close(src);
	if (have_filters) {
		filter_release(&mig);
		filter_release(&icmp);
	}
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		cli_usage(stderr);
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
	fprintf(stderr, "migmeter: unknown command '%s' (see --help)\n", argv[1]);
	return CLI_EXIT_USAGE;
}
