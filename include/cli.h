/* cli.h - the command line shared by replay and capture: options, filters, report outputs. */
#ifndef MM_CLI_H
#define MM_CLI_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "filter.h"
#include "meter.h"
#include "mmtime.h"
#include "report.h"

#define CLI_EXIT_RUNTIME 1
#define CLI_EXIT_USAGE 2

enum cli_cmd { CLI_REPLAY, CLI_CAPTURE, CLI_INTERFACES };

struct cli_opts {
	enum cli_cmd cmd;
	uint16_t port_lo, port_hi;
	char ports[24];
	const char *filter, *icmp_filter, *bpf_dir;
	char ping_target[64];
	int have_target;
	const char *format, *out, *episodes, *streams, *timeseries;
	const char *migrations, *events;	/* --migrations, --events (CSV files) */
	mm_ns bin;
	mm_ns ping_interval;		/* --ping-interval, MM_NS_NONE if not given */
	size_t max_flows;
	char **args;			/* replay: files; interfaces: names to show */
	size_t nargs;
	/* capture only */
	const char *iface, *icmp_iface, *peer, *write, *user;
	mm_ns duration, idle_stop;	/* MM_NS_NONE when not given */
	int snaplen;			/* bytes kept of each frame */
	int buffer_mib;			/* kernel ring per capture */
	int promisc;
	int progress;			/* -1 auto (stderr is a terminal), 0 off, 1 on */
};

/*
 * Parses argv (argv[0] is the command name).  Returns 0; 0 with *done set
 * after printing --help or --version; or CLI_EXIT_USAGE after printing one
 * line that says what is wrong.
 */
int cli_parse(enum cli_cmd cmd, int argc, char **argv, struct cli_opts *o, int *done);

/* The usage text of every command. */
void cli_usage(FILE *fp);

/* Loads the migration and ICMP filters (bpf/ files or --filter); prints why on failure. */
int cli_load_filters(const struct cli_opts *o, struct filter_spec *mig, struct filter_spec *icmp);

/*
 * cli_parse, then cli_load_filters: what every command that reads frames
 * starts with.  Returns 0 (filters loaded unless *done), or the exit
 * status after printing why.
 */
int cli_setup(enum cli_cmd cmd, int argc, char **argv, struct cli_opts *o, struct filter_spec *mig,
	      struct filter_spec *icmp, int *done);

/* The meter configuration the options ask for. */
void cli_meter_cfg(const struct cli_opts *o, struct meter_cfg *cfg);

/* Report options from the command line (inputs are the caller's). */
void cli_report_opts(const struct cli_opts *o, struct report_opts *ro);

/*
 * Writes every requested output of a finished meter: the report (to -o or
 * stdout), the episodes, streams, migrations and events CSVs and the time
 * series.  Returns 0
 * or CLI_EXIT_RUNTIME after printing why.
 */
int cli_emit(const struct cli_opts *o, const struct meter *m, json_object *r, int digits);

/*
 * Every file cli_emit may write, in a NULL-terminated array the caller
 * frees with cli_free_paths (the privileged side checks requests against it).
 */
char **cli_output_paths(const struct cli_opts *o);
void cli_free_paths(char **paths);

#endif
