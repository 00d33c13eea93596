/* cli.h - the command line of every command (cli-parse.c), and what replay and capture share: filters (cli.c), outputs (cli-out.c). */
#ifndef MM_CLI_H
#define MM_CLI_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "filter.h"
#include "join.h"
#include "meter.h"
#include "mmtime.h"
#include "report.h"

#define CLI_EXIT_RUNTIME 1
#define CLI_EXIT_USAGE 2

enum cli_cmd { CLI_REPLAY, CLI_CAPTURE, CLI_INTERFACES, CLI_MERGE, CLI_PLOT, CLI_LOGS };

#define CLI_MAX_NODE_ARGS 256	/* merge: --node FILE=NAME given at most this often */

/* plot --align: the time axis from the capture's start, or from each migration's. */
enum cli_align { CLI_ALIGN_CAPTURE = 0, CLI_ALIGN_MIGRATION };

struct cli_opts {
	enum cli_cmd cmd;
	uint16_t port_lo, port_hi;
	char ports[24];			/* --ports as the filter files' @PORTS@ ("1-65535" for any) */
	int ports_any;			/* --ports any */
	const char *filter, *icmp_filter, *bpf_dir;
	char ping_target[64];
	int have_target;
	const char *format, *out, *episodes, *streams, *timeseries;
	const char *migrations, *events;	/* --migrations, --events (CSV files) */
	const char *records;		/* capture --records: JSON Lines, appended */
	const char *prom_textfile;	/* capture --prom-textfile: metrics, rewritten atomically */
	const char *metrics_listen;	/* capture --metrics-listen ADDR:PORT, NULL: off */
	const char *node;		/* capture --node: the metrics' node label, NULL: the host name */
	uint16_t app_ports[APP_MAX_PORTS];	/* --app */
	size_t app_nports;
	const char *app_filter, *app_csv;	/* --app-filter, --app-csv */
	mm_ns app_window;		/* --app-window, MM_NS_NONE if not given */
	mm_ns bin;
	mm_ns ping_interval;		/* --ping-interval, MM_NS_NONE if not given */
	mm_ns late_threshold;		/* --late-threshold; 0: the default rule */
	const char *unresponsive;	/* --unresponsive: the unresponsive episodes CSV */
	size_t max_flows;
	enum join_mode inputs;		/* replay: --inputs auto|one-capture|separate */
	char **args;			/* replay: files (operands and -r, in order); interfaces: names */
	size_t nargs;
	int quiet;			/* -q: nothing on stderr but warnings and errors */
	int verbose;			/* -v: notes on stderr (how many -v) */
	/* capture only */
	const char *iface, *icmp_iface, *peer, *write, *user;
	const char *from;		/* --from FILE: a saved capture through the capture path instead of -i */
	uint64_t count;			/* -c: stop after this many completed migrations; 0 none */
	mm_ns duration, idle_stop;	/* MM_NS_NONE when not given */
	int snaplen;			/* bytes kept of each frame */
	int buffer_mib;			/* kernel ring per capture (-B KiB rounded up) */
	int promisc;
	int progress;			/* -1 auto (stderr is a terminal), 0 off, 1 on */
	/* capture, running for days (README "Running for days") */
	int64_t rotate_secs;		/* -G: a new -w part every this many seconds; 0 none */
	uint64_t rotate_bytes;		/* -C: a new -w part past this many bytes; 0 none */
	unsigned rotate_files;		/* -W: keep this many -w parts; 0 all */
	uint64_t records_max_bytes;	/* --records-rotate SIZE; 0 none */
	mm_ns records_max_age;		/* --records-rotate DURATION; MM_NS_NONE none */
	char filter_words[4096];	/* the expression after capture's options; then filter points here */
	/* merge only */
	const char *node_args[CLI_MAX_NODE_ARGS];	/* --node FILE=NAME, as given */
	size_t nnode_args;
	mm_ns pair_window;		/* --pair-window */
	/* replay --with-series; plot only after it */
	int with_series;		/* JSON report: the "timeseries" section (plot-data.c) */
	const char *plot_script, *plot_format;	/* --plot-script FILE; --format png|svg|pdf */
	enum cli_align align;		/* --align */
	int plot_w, plot_h;		/* --size WxH in pixels (0: 1200x800) */
	int bin_given;			/* --bin was given (plot's default differs) */
	/* the other views (logs; replay: side by side), NULL when not given */
	const char *ping_log, *nova_log, *mlist, *domjobinfo, *query_migrate, *log_tz;
};

/*
 * Parses argv (argv[0] is the command name, options and operands mixed
 * in any order, "--" ends the options).  The operands, -r FILEs among
 * them in the order given, are gathered at the front of argv (o->args
 * points into argv); capture's operands become its --filter.  A
 * single-valued option given twice is an error.  Returns 0; 0 with *done
 * set after printing the command's --help or --version; or
 * CLI_EXIT_USAGE after printing one line that says what is wrong.
 */
int cli_parse(enum cli_cmd cmd, int argc, char **argv, struct cli_opts *o, int *done);

/*
 * Loads the migration and ICMP filters (bpf/ files or --filter); with -v
 * says which files.  Prints why on failure (a directory not found names
 * --bpf-dir and MIGMETER_BPF_DIR).  Returns 0 or -1.
 */
int cli_load_filters(const struct cli_opts *o, struct filter_spec *mig, struct filter_spec *icmp);

/*
 * With -v: one note per line of filter file `f` left out for a capture of
 * link type `dlt` (`kernel`: also what the kernel cannot run), naming the
 * line and why.  `where` names the capture ("veth-a (migration capture)").
 */
void cli_note_left_out(const struct cli_opts *o, const struct filter_spec *f, const char *where, int dlt,
		       int snaplen, int kernel);

/*
 * cli_parse, then cli_load_filters: what every command that reads frames
 * starts with.  Returns 0 (filters loaded unless *done), or the exit
 * status after printing why (2 for the command line, 1 for filter files).
 */
int cli_setup(enum cli_cmd cmd, int argc, char **argv, struct cli_opts *o, struct filter_spec *mig,
	      struct filter_spec *icmp, int *done);

/* The directory the filter files are read from (--bpf-dir, $MIGMETER_BPF_DIR, beside the binary, installed). */
void cli_bpf_dir(const struct cli_opts *o, char *dir, size_t n);

/* The meter configuration the options ask for. */
void cli_meter_cfg(const struct cli_opts *o, struct meter_cfg *cfg);

/* Report options from the command line (inputs are the caller's). */
void cli_report_opts(const struct cli_opts *o, struct report_opts *ro);

/*
 * Writes every requested output of a finished meter: the report (to -o or
 * stdout), the episodes and streams CSVs and the time series.  A CSV
 * report on a stream (stdout, a FIFO, a device) carries the episodes and
 * streams tables not given their own file after it, each after a blank
 * line with its own header; a CSV report file has them beside it
 * (X-episodes.csv, X-streams.csv).  Returns 0 or CLI_EXIT_RUNTIME after
 * printing why.
 */
int cli_emit(const struct cli_opts *o, const struct meter *m, json_object *r, int digits);

/*
 * Checks every output before anything is read or captured (outpath.h):
 * each resolves and can be written (its directory exists and is
 * writable; an existing file is writable), at most one goes to standard
 * output (the report does when there is no -o), no two are one file, and
 * none is an input (a replay file, "-" meaning stdin, or a filter file).
 * Returns 0, or the exit status after one line on stderr: CLI_EXIT_USAGE
 * for outputs that clash with each other or an input, CLI_EXIT_RUNTIME
 * for one that cannot be written.
 */
int cli_check_outputs(const struct cli_opts *o);

/*
 * A time-series bin shorter than an input's timestamp resolution
 * (`digits` decimals: 1 us for microsecond captures) is a usage error:
 * returns CLI_EXIT_USAGE after saying so, naming `input`; else 0.
 */
int cli_check_bin(const struct cli_opts *o, const char *input, int digits);

/*
 * Warnings about the figures of a built report, one line each on stderr:
 * --ping-target naming no stream of the capture (the totals are null),
 * an echo stream whose clock stepped back.
 */
void cli_warn_report(const struct cli_opts *o, json_object *r);

/*
 * Every file cli_emit may write, in a NULL-terminated array the caller
 * frees with cli_free_paths (the privileged side checks requests against it).
 */
char **cli_output_paths(const struct cli_opts *o);
void cli_free_paths(char **paths);

#endif
