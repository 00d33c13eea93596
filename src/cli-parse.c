/* cli-parse.c - the command line of every command: argv -> struct cli_opts, one line on stderr for any mistake. */
#include "cli.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli-service.h"
#include "cli-app.h"
#include "cli-usage.h"
#include "cli-values.h"
#include "out.h"
#include "plot.h"
#include "view.h"

/* Rows in cli_options at most (getopt's tables are built from it for each parse). */
#define CLI_MAX_ROWS 128
#define CLI_OPT_SLOTS (CLI_OPT_END - 256)
#define CLI_TYPED 48

/* What one parse remembers besides the options: how each was first given, for the messages. */
struct parse_state {
	enum cli_cmd cmd;
	char typed[CLI_OPT_SLOTS][CLI_TYPED];	/* "-s" or "--snaplen"; "" when not given */
	char quiet_by[CLI_TYPED], verbose_by[CLI_TYPED];
};

/* "migmeter: OPT WHAT (see 'migmeter CMD --help')". */
static int usage_error(const struct parse_state *ps, const char *opt, const char *what)
{
	fprintf(stderr, "migmeter: %s%s (see 'migmeter %s --help')\n", opt, what, cli_cmd_name(ps->cmd));
	return CLI_EXIT_USAGE;
}

/* Which slot remembers an option given: -B and --buffer-size set one value. */
static int slot_of(int id)
{
	return (id == CLI_OPT_BUFFER_KIB ? CLI_OPT_BUFFER : id) - 256;
}

/* A single-valued option given a second time is an error, never last-wins. */
static int once(struct parse_state *ps, int id, const char *opt)
{
	char *first = ps->typed[slot_of(id)];

	if (*first) {
		if (strcmp(first, opt) == 0)
			fprintf(stderr, "migmeter: %s given twice; it takes one value\n", opt);
		else
			fprintf(stderr, "migmeter: %s given twice (first as %s); it takes one value\n", opt,
				first);
		return CLI_EXIT_USAGE;
	}
	snprintf(first, CLI_TYPED, "%s", opt);
	return 0;
}

/* --progress, --no-progress and -q: an on/off pair, the last one given decides (a wrapper's default is overridden). */
static int set_progress(struct cli_opts *o, int on)
{
	o->progress = on;
	return 0;
}

/* -q and -v contradict each other; each may be repeated. */
static int set_talk(struct parse_state *ps, struct cli_opts *o, int id, const char *opt)
{
	char *mine = id == CLI_OPT_QUIET ? ps->quiet_by : ps->verbose_by;
	const char *other = id == CLI_OPT_QUIET ? ps->verbose_by : ps->quiet_by;

	if (*other) {
		fprintf(stderr, "migmeter: %s contradicts %s\n", opt, other);
		return CLI_EXIT_USAGE;
	}
	snprintf(mine, CLI_TYPED, "%s", opt);
	if (id == CLI_OPT_VERBOSE) {
		o->verbose++;
		return 0;
	}
	o->quiet = 1;
	return set_progress(o, 0);
}

/* The options that take a value, once each. Returns 0 or CLI_EXIT_USAGE after one line. */
static int set_value(struct parse_state *ps, struct cli_opts *o, int id, const char *opt, const char *v)
{
	unsigned long long n;
	int rc;

	switch (id) {
	case CLI_OPT_PORTS:
		if (cli_val_ports(v, o) < 0) {
			fprintf(stderr, "migmeter: %s %s: must be LO-HI, PORT or any, 1 <= LO <= HI <= 65535\n",
				opt, v);
			return CLI_EXIT_USAGE;
		}
		return 0;
	case CLI_OPT_FILTER:
		o->filter = v;
		return 0;
	case CLI_OPT_ICMP_FILTER:
		o->icmp_filter = v;
		return 0;
	case CLI_OPT_BPF_DIR:
		return cli_val_nonempty(opt, v, "a directory", &o->bpf_dir);
	case CLI_OPT_TARGET:
		if (cli_val_target(v, o) < 0) {
			fprintf(stderr, "migmeter: %s '%s': not an IPv4 or IPv6 address\n", opt, v);
			return CLI_EXIT_USAGE;
		}
		o->have_target = 1;
		return 0;
	case CLI_OPT_FORMAT:
		if (ps->cmd == CLI_PLOT)
			return plot_cli_value(id, opt, v, o);
		if (ps->cmd == CLI_MERGE ? strcmp(v, "csv") != 0 && strcmp(v, "json") != 0 :
		    !out_find(v) || (ps->cmd == CLI_INTERFACES && strcmp(v, "csv") == 0)) {
			fprintf(stderr, "migmeter: unknown format '%s' (one of %s)\n", v,
				ps->cmd == CLI_INTERFACES ? "text, json" : ps->cmd == CLI_MERGE ? "csv, json" : out_names());
			return CLI_EXIT_USAGE;
		}
		o->format = v;
		return 0;
	case CLI_OPT_OUTPUT:
		return cli_val_nonempty(opt, v, "a file name ('-': standard output)", &o->out);
	case CLI_OPT_EPISODES:
		return cli_val_nonempty(opt, v, "a file name", &o->episodes);
	case CLI_OPT_STREAMS:
		return cli_val_nonempty(opt, v, "a file name", &o->streams);
	case CLI_OPT_SERIES:
		return cli_val_nonempty(opt, v, "a file name", &o->timeseries);
	case CLI_OPT_MIGRATIONS:
		return cli_val_nonempty(opt, v, "a file name", &o->migrations);
	case CLI_OPT_EVENTS:
		return cli_val_nonempty(opt, v, "a file name", &o->events);
	case CLI_OPT_BIN:
		o->bin_given = 1;
		return cli_val_dur(opt, v, &o->bin);
	case CLI_OPT_PING_INTERVAL:
		return cli_val_dur(opt, v, &o->ping_interval);
	case CLI_OPT_LATE_THRESHOLD:
		return cli_val_dur(opt, v, &o->late_threshold);
	case CLI_OPT_UNRESPONSIVE:
		return cli_val_nonempty(opt, v, "a file name", &o->unresponsive);
	case CLI_OPT_INPUTS:
		if (strcmp(v, "auto") == 0)
			o->inputs = JOIN_AUTO;
		else if (strcmp(v, "one-capture") == 0)
			o->inputs = JOIN_ONE;
		else if (strcmp(v, "separate") == 0)
			o->inputs = JOIN_SEPARATE;
		else {
			fprintf(stderr, "migmeter: %s '%s': must be auto, one-capture or separate\n", opt, v);
			return CLI_EXIT_USAGE;
		}
		return 0;
	case CLI_OPT_MAX_FLOWS:
		rc = cli_val_num(opt, v, 1, 1ULL << 24, &n);
		o->max_flows = (size_t)n;
		return rc;
	case CLI_OPT_IFACE:
		return cli_val_nonempty(opt, v, "an interface name", &o->iface);
	case CLI_OPT_ICMP_IFACE:
		return cli_val_nonempty(opt, v, "an interface name", &o->icmp_iface);
	case CLI_OPT_FROM:
		return cli_val_nonempty(opt, v, "a capture file ('-': standard input)", &o->from);
	case CLI_OPT_PEER:
		if (!cli_val_is_addr(v)) {
			fprintf(stderr, "migmeter: %s '%s': not an IPv4 or IPv6 address\n", opt, v);
			return CLI_EXIT_USAGE;
		}
		o->peer = v;
		return 0;
	case CLI_OPT_RECORDS:
		return cli_val_nonempty(opt, v, "a file name ('-': standard output)", &o->records);
	case CLI_OPT_WRITE:
		return cli_val_nonempty(opt, v, "a file name ('-': standard output)", &o->write);
	case CLI_OPT_PROM_TEXTFILE:
		return cli_val_nonempty(opt, v, "a file name", &o->prom_textfile);
	case CLI_OPT_METRICS_LISTEN:
		return cli_val_nonempty(opt, v, "ADDR:PORT", &o->metrics_listen);
	case CLI_OPT_NODE:
		if (ps->cmd == CLI_MERGE)
			return cli_val_merge_node(opt, v, o);
		return cli_val_node(opt, v, &o->node);
	case CLI_OPT_COUNT:
		rc = cli_val_num(opt, v, 1, UINT32_MAX, &n);
		o->count = n;
		return rc;
	case CLI_OPT_DURATION:
		return cli_val_dur(opt, v, &o->duration);
	case CLI_OPT_IDLE_STOP:
		return cli_val_dur(opt, v, &o->idle_stop);
	case CLI_OPT_SNAPLEN:
		/* Enough for Ethernet + VLANs + IPv6 + TCP with options; 0 is tcpdump's "all". */
		if (strcmp(v, "0") == 0) {
			o->snaplen = 262144;
			return 0;
		}
		rc = cli_val_num(opt, v, 96, 262144, &n);
		o->snaplen = (int)n;
		return rc;
	case CLI_OPT_BUFFER_KIB:
		/* tcpdump's unit; libpcap takes an int of bytes, and the ring comes in whole MiB. */
		rc = cli_val_num(opt, v, 1, 2047 * 1024, &n);
		o->buffer_mib = (int)((n + 1023) / 1024);
		return rc;
	case CLI_OPT_BUFFER:
		rc = cli_val_num(opt, v, 1, 2047, &n);
		o->buffer_mib = (int)n;
		return rc;
	case CLI_OPT_USER:
		return cli_val_nonempty(opt, v, "a user name", &o->user);
	case CLI_OPT_PAIR_WINDOW:
		return cli_val_dur(opt, v, &o->pair_window);
	case CLI_OPT_PLOT_SCRIPT:
	case CLI_OPT_ALIGN:
	case CLI_OPT_SIZE:
		return plot_cli_value(id, opt, v, o);
	case CLI_OPT_ROTATE_SECS:
	case CLI_OPT_ROTATE_SIZE:
	case CLI_OPT_ROTATE_FILES:
	case CLI_OPT_RECORDS_ROTATE:
		return cli_service_value(o, id, opt, v);
	case CLI_OPT_PING:
	case CLI_OPT_PING_LOG:
		if (o->ping_log) {
			fprintf(stderr, "migmeter: %s: a ping log was given already (--ping and --ping-log are one "
				"option)\n", opt);
			return CLI_EXIT_USAGE;
		}
		return cli_val_nonempty(opt, v, "a file name ('-': standard input)", &o->ping_log);
	case CLI_OPT_NOVA_LOG:
		return cli_val_nonempty(opt, v, "a file name", &o->nova_log);
	case CLI_OPT_MLIST:
		return cli_val_nonempty(opt, v, "a file name", &o->mlist);
	case CLI_OPT_DOMJOBINFO:
		return cli_val_nonempty(opt, v, "a file name", &o->domjobinfo);
	case CLI_OPT_QUERY_MIGRATE:
		return cli_val_nonempty(opt, v, "a file name", &o->query_migrate);
	case CLI_OPT_LOG_TZ: {
		struct view_tz z;
		char why[VIEW_ERR];

		if (view_tz_init(&z, v, why, sizeof(why)) < 0) {
			fprintf(stderr, "migmeter: %s: %s\n", opt, why);
			return CLI_EXIT_USAGE;
		}
		return cli_val_nonempty(opt, v, "a time zone", &o->log_tz);
	}
	case CLI_OPT_APP:
	case CLI_OPT_APP_FILTER:
	case CLI_OPT_APP_WINDOW:
	case CLI_OPT_APP_CSV:
		return cli_app_value(o, id, opt, v);
	}
	fprintf(stderr, "migmeter: %s: not handled\n", opt);
	return CLI_EXIT_USAGE;
}

/* The flags. Returns 0 (with *done after --help or --version) or CLI_EXIT_USAGE. */
static int set_flag(struct parse_state *ps, struct cli_opts *o, int id, const char *opt, int *done)
{
	switch (id) {
	case CLI_OPT_WITH_SERIES:
		o->with_series = 1;
		return 0;
	case CLI_OPT_NO_PROMISC:
		o->promisc = 0;
		return 0;
	case CLI_OPT_PROGRESS:
		return set_progress(o, 1);
	case CLI_OPT_NO_PROGRESS:
		return set_progress(o, 0);
	case CLI_OPT_QUIET:
	case CLI_OPT_VERBOSE:
		return set_talk(ps, o, id, opt);
	case CLI_OPT_HELP:
		cli_usage_cmd(stdout, ps->cmd);
		*done = 1;
		return 0;
	case CLI_OPT_VERSION:
		printf("migmeter %s\n", MM_VERSION);
		*done = 1;
		return 0;
	}
	fprintf(stderr, "migmeter: %s: not handled\n", opt);
	return CLI_EXIT_USAGE;
}

/* The row for what getopt returned (a letter or an id) in this command; NULL if none. */
static const struct cli_option *find_row(int c, unsigned cmds)
{
	const struct cli_option *r;

	for (r = cli_options; r->id; r++)
		if ((r->id == c || (r->letter && r->letter == c)) && (r->cmds & cmds))
			return r;
	return NULL;
}

/* getopt's tables from cli_options: "-:" (operands in order, ':' for a missing value), then the letters. */
static void build_getopt(char *shorts, size_t n, struct option *longs)
{
	const struct cli_option *r;
	size_t s = 0, l = 0, i;

	shorts[s++] = '-';
	shorts[s++] = ':';
	for (r = cli_options; r->id && l < CLI_MAX_ROWS; r++) {
		if (r->letter && !memchr(shorts, r->letter, s) && s + 3 < n) {
			shorts[s++] = r->letter;
			if (r->arg)
				shorts[s++] = ':';
		}
		if (!r->name)
			continue;
		for (i = 0; i < l && strcmp(longs[i].name, r->name) != 0; i++)
			;
		if (i < l)
			continue;
		longs[l].name = r->name;
		longs[l].has_arg = r->arg ? required_argument : no_argument;
		longs[l].flag = NULL;
		longs[l].val = r->id;
		l++;
	}
	shorts[s] = '\0';
	memset(&longs[l], 0, sizeof(longs[l]));
}

/* "--snaplen" or "-s": the option as the user typed it. */
static const char *typed(const struct cli_option *r, int c, char buf[CLI_TYPED])
{
	if (c < 256)
		snprintf(buf, CLI_TYPED, "-%c", c);
	else
		snprintf(buf, CLI_TYPED, "--%s", r->name);
	return buf;
}

/* An option of another command, or none at all. */
static int not_here(const struct parse_state *ps, int c, char **argv)
{
	const struct cli_option *r = find_row(c, CLI_FOR_ALL);
	char opt[CLI_TYPED], what[64];

	if (!r)
		return usage_error(ps, "unknown option ", argv[optind - 1]);
	typed(r, c, opt);
	if (r->cmds == CLI_FOR_CAPTURE) {
		fprintf(stderr, "migmeter: %s is a capture option (see 'migmeter capture --help')\n", opt);
		return CLI_EXIT_USAGE;
	}
	snprintf(what, sizeof(what), " is not an option of %s", cli_cmd_name(ps->cmd));
	return usage_error(ps, opt, what);
}

/* "--p": a prefix of several long names, or of none. */
static int ambiguous(const struct parse_state *ps, const char *arg)
{
	const struct cli_option *r;
	char names[256] = "";
	size_t len = strcspn(arg + 2, "="), at = 0;
	int n = 0;

	if (strncmp(arg, "--", 2) == 0 && len > 0) {
		for (r = cli_options; r->id; r++) {
			if (!r->name || strncmp(r->name, arg + 2, len) != 0 || !(r->cmds & (1u << ps->cmd)) ||
			    (r > cli_options && r[-1].name && strcmp(r[-1].name, r->name) == 0))
				continue;
			if (at < sizeof(names))
				at += (size_t)snprintf(names + at, sizeof(names) - at, "%s--%s", n ? ", " : "",
						       r->name);
			n++;
		}
	}
	if (n > 1) {
		fprintf(stderr, "migmeter: %.*s is ambiguous: %s\n", (int)(len + 2), arg, names);
		return CLI_EXIT_USAGE;
	}
	return usage_error(ps, "unknown option ", arg);
}

/* getopt found an option it does not know, or one without its value. */
static int getopt_error(const struct parse_state *ps, int c, char **argv)
{
	const struct cli_option *r = optopt ? find_row(optopt, CLI_FOR_ALL) : NULL;
	char opt[CLI_TYPED], what[64];

	if (c == ':' && r) {
		snprintf(what, sizeof(what), " needs a value (%s)", r->arg);
		return usage_error(ps, typed(r, optopt, opt), what);
	}
	if (c == ':')
		return usage_error(ps, argv[optind - 1], " needs a value");
	if (optopt > 0 && optopt < 256) {
		snprintf(opt, sizeof(opt), "-%c", optopt);
		return usage_error(ps, "unknown option ", opt);
	}
	if (r && r->name) {
		snprintf(opt, sizeof(opt), "--%s", r->name);
		return usage_error(ps, opt, " takes no value");
	}
	return ambiguous(ps, argv[optind - 1]);
}

/* A word of capture's filter expression that is a capture file's name instead. */
static int looks_like_file(const char *w)
{
	static const char *const ext[] = { ".pcap", ".pcapng", ".cap", ".gz" };
	size_t n = strlen(w), i;

	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t e = strlen(ext[i]);

		if (n > e && strcmp(w + n - e, ext[i]) == 0)
			return 1;
	}
	return 0;
}

/* capture's operands: the migration filter, as tcpdump takes its expression. */
static int filter_words(struct cli_opts *o)
{
	size_t i, at = 0;

	for (i = 0; i < o->nargs; i++) {
		if (looks_like_file(o->args[i])) {
			fprintf(stderr, "migmeter: capture reads no file ('%s'): to read it, migmeter replay "
				"%s; to save the capture, -w %s\n", o->args[i], o->args[i], o->args[i]);
			return CLI_EXIT_USAGE;
		}
	}
	for (i = 0; i < o->nargs; i++) {
		size_t n = strlen(o->args[i]);

		if (at + n + 2 > sizeof(o->filter_words)) {
			fprintf(stderr, "migmeter: the filter expression is longer than %zu bytes\n",
				sizeof(o->filter_words) - 1);
			return CLI_EXIT_USAGE;
		}
		if (at)
			o->filter_words[at++] = ' ';
		memcpy(o->filter_words + at, o->args[i], n + 1);
		at += n;
	}
	if (o->filter) {
		fprintf(stderr, "migmeter: two migration filters: --filter and the expression '%s' after "
			"the options (give one)\n", o->filter_words);
		return CLI_EXIT_USAGE;
	}
	o->filter = o->filter_words;
	o->nargs = 0;
	return 0;
}

/* Checks that need every option seen. Returns 0 or CLI_EXIT_USAGE after one line. */
static int check_opts(struct cli_opts *o)
{
	if (cli_app_check(o) != 0)
		return CLI_EXIT_USAGE;
	if (o->cmd == CLI_REPLAY && o->nargs == 0) {
		fprintf(stderr, "migmeter: replay needs at least one capture file: FILE or -r FILE (see "
			"'migmeter replay --help')\n");
		return CLI_EXIT_USAGE;
	}
	if (o->cmd == CLI_MERGE && o->nargs == 0) {
		fprintf(stderr, "migmeter: merge needs at least one file: a JSON report or a --records file "
			"(see 'migmeter merge --help')\n");
		return CLI_EXIT_USAGE;
	}
	if (o->cmd == CLI_PLOT && o->nargs == 0) {
		fprintf(stderr, "migmeter: plot needs a JSON report or capture files (see 'migmeter plot --help')\n");
		return CLI_EXIT_USAGE;
	}
	if (o->cmd == CLI_LOGS) {
		if (o->nargs > 0) {
			fprintf(stderr, "migmeter: logs takes no operands ('%s'): name each file with its option "
				"(--ping, --nova-log, --migration-list, --domjobinfo, --query-migrate)\n", o->args[0]);
			return CLI_EXIT_USAGE;
		}
		if (!o->ping_log && !o->nova_log && !o->mlist && !o->domjobinfo && !o->query_migrate) {
			fprintf(stderr, "migmeter: logs needs a file: --ping, --nova-log, --migration-list, "
				"--domjobinfo or --query-migrate (see 'migmeter logs --help')\n");
			return CLI_EXIT_USAGE;
		}
	}
	if (o->cmd != CLI_CAPTURE)
		return 0;
	if (o->nargs > 0 && filter_words(o) != 0)
		return CLI_EXIT_USAGE;
	if (o->from) {
		if (o->iface || o->icmp_iface || o->peer) {
			fprintf(stderr, "migmeter: --from FILE reads FILE instead of interfaces: no %s\n",
				o->iface ? "-i" : o->icmp_iface ? "--icmp-iface" : "--peer");
			return CLI_EXIT_USAGE;
		}
		return cli_service_check(o);
	}
	if (!o->iface) {
		fprintf(stderr, "migmeter: capture needs -i IFACE (see 'migmeter interfaces') or --from FILE\n");
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
	return cli_service_check(o);
}

static void defaults(enum cli_cmd cmd, struct cli_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	cli_val_ports("49152-49261", o);
	o->format = cmd == CLI_MERGE ? "csv" : "text";
	o->pair_window = 60 * MM_NS_PER_S;
	o->bin = MM_NS_PER_S;
	o->ping_interval = MM_NS_NONE;
	o->duration = o->idle_stop = MM_NS_NONE;
	o->app_window = MM_NS_NONE;
	o->snaplen = 256;
	o->buffer_mib = 64;
	o->promisc = 1;
	o->progress = -1;
	o->records_max_age = MM_NS_NONE;
}

int cli_parse(enum cli_cmd cmd, int argc, char **argv, struct cli_opts *o, int *done)
{
	struct option longs[CLI_MAX_ROWS + 1];
	struct parse_state ps;
	char shorts[3 * CLI_MAX_ROWS + 4], opt[CLI_TYPED];
	size_t nops = 0;
	int c, rc;

	*done = 0;
	defaults(cmd, o);
	memset(&ps, 0, sizeof(ps));
	ps.cmd = cmd;
	build_getopt(shorts, sizeof(shorts), longs);
	opterr = 0;
	optind = 0;	/* glibc: start afresh, reading the "-" of shorts again */
	/*
	 * Operands come back in order as 1 and are gathered at the front of
	 * argv (each slot written was already read), -r FILE among them.
	 */
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		const struct cli_option *r;

		if (c == 1) {
			argv[1 + nops++] = optarg;
			continue;
		}
		if (c == '?' || c == ':')
			return getopt_error(&ps, c, argv);
		r = find_row(c, 1u << cmd);
		if (!r)
			return not_here(&ps, c, argv);
		typed(r, c, opt);
		if (r->id == CLI_OPT_READ) {
			argv[1 + nops++] = optarg;
			continue;
		}
		if (r->arg) {
			rc = r->id == CLI_OPT_NODE ? 0 : once(&ps, r->id, opt);
			if (rc == 0)
				rc = set_value(&ps, o, r->id, opt, optarg);
		} else {
			rc = set_flag(&ps, o, r->id, opt, done);
		}
		if (rc || *done)
			return rc;
	}
	/* After "--": operands only. */
	for (; optind < argc; optind++)
		argv[1 + nops++] = argv[optind];
	o->args = argv + 1;
	o->nargs = nops;
	return check_opts(o);
}
