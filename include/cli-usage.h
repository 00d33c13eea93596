/* cli-usage.h - the option table every command's parser and --help are made from, and the usage texts. */
#ifndef MM_CLI_USAGE_H
#define MM_CLI_USAGE_H

#include <stdio.h>

#include "cli.h"

/*
 * What getopt returns for an option without a letter (and for the long
 * form of one with a letter; the short form returns the letter).
 * A new option is one id here, one row in cli_options and one case in
 * cli_parse.
 */
enum cli_opt_id {
	CLI_OPT_READ = 256, CLI_OPT_INPUTS, CLI_OPT_PORTS, CLI_OPT_FILTER, CLI_OPT_ICMP_FILTER, CLI_OPT_BPF_DIR,
	CLI_OPT_TARGET, CLI_OPT_PING_INTERVAL, CLI_OPT_FORMAT, CLI_OPT_OUTPUT, CLI_OPT_EPISODES,
	CLI_OPT_STREAMS, CLI_OPT_MIGRATIONS, CLI_OPT_EVENTS, CLI_OPT_SERIES, CLI_OPT_BIN, CLI_OPT_MAX_FLOWS,
	CLI_OPT_IFACE, CLI_OPT_PEER, CLI_OPT_ICMP_IFACE, CLI_OPT_FROM, CLI_OPT_WRITE, CLI_OPT_COUNT,
	CLI_OPT_DURATION, CLI_OPT_IDLE_STOP, CLI_OPT_SNAPLEN, CLI_OPT_BUFFER_KIB, CLI_OPT_BUFFER,
	CLI_OPT_NO_PROMISC, CLI_OPT_USER, CLI_OPT_RECORDS,
	CLI_OPT_NODE, CLI_OPT_PAIR_WINDOW,
	CLI_OPT_WITH_SERIES, CLI_OPT_PLOT_SCRIPT, CLI_OPT_ALIGN, CLI_OPT_SIZE,
	CLI_OPT_LATE_THRESHOLD, CLI_OPT_UNRESPONSIVE,
	CLI_OPT_ROTATE_SECS, CLI_OPT_ROTATE_SIZE, CLI_OPT_ROTATE_FILES, CLI_OPT_RECORDS_ROTATE,
	CLI_OPT_PROM_TEXTFILE, CLI_OPT_METRICS_LISTEN,
	CLI_OPT_APP, CLI_OPT_APP_FILTER, CLI_OPT_APP_WINDOW, CLI_OPT_APP_CSV,
	CLI_OPT_QUIET, CLI_OPT_VERBOSE, CLI_OPT_PROGRESS, CLI_OPT_NO_PROGRESS,
	CLI_OPT_PING, CLI_OPT_PING_LOG, CLI_OPT_NOVA_LOG, CLI_OPT_MLIST, CLI_OPT_DOMJOBINFO, CLI_OPT_QUERY_MIGRATE,
	CLI_OPT_LOG_TZ,
	CLI_OPT_HELP, CLI_OPT_VERSION,
	CLI_OPT_END
};

/* Which commands take an option (bits of enum cli_cmd). */
#define CLI_FOR_REPLAY (1u << CLI_REPLAY)
#define CLI_FOR_CAPTURE (1u << CLI_CAPTURE)
#define CLI_FOR_IFACES (1u << CLI_INTERFACES)
#define CLI_FOR_PLOT (1u << CLI_PLOT)
#define CLI_FOR_LOGS (1u << CLI_LOGS)
#define CLI_FOR_METER (CLI_FOR_REPLAY | CLI_FOR_CAPTURE)
#define CLI_FOR_MERGE (1u << CLI_MERGE)
#define CLI_FOR_ALL (CLI_FOR_METER | CLI_FOR_IFACES | CLI_FOR_PLOT | CLI_FOR_MERGE | CLI_FOR_LOGS)

/* The --help section an option is listed under, in this order. */
enum cli_section { CLI_SEC_INPUT, CLI_SEC_REPORT, CLI_SEC_CAPTURE, CLI_SEC_VIEWS, CLI_SEC_MESSAGES, CLI_SEC_MERGE,
		   CLI_SEC_GENERAL };

/*
 * One option as the user types it.  The same long name may have one row
 * per command when its help differs (--format); the parser matches a row
 * by (getopt value, command).
 */
struct cli_option {
	int id;			/* enum cli_opt_id */
	char letter;		/* short form, 0 if none */
	const char *name;	/* long form without "--", NULL if none */
	const char *arg;	/* the value's name in --help; NULL: a flag */
	unsigned cmds;		/* CLI_FOR_* */
	enum cli_section sec;
	const char *help;	/* --help text; '\n' starts a continuation line */
};

/* Every option; the last row has id 0. */
extern const struct cli_option cli_options[];

/* The command's name as typed ("replay"). */
const char *cli_cmd_name(enum cli_cmd cmd);

/* Every command's usage and every option (migmeter --help). */
void cli_usage(FILE *fp);

/* One command's usage and only its options (migmeter replay --help). */
void cli_usage_cmd(FILE *fp, enum cli_cmd cmd);

/* A few lines: the commands and where to find more (bare `migmeter`). */
void cli_usage_short(FILE *fp);

#endif
