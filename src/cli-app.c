/* cli-app.c - the --app options: ports, filter, window, phases CSV; one line on stderr for any mistake. */
#include "cli-app.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli-usage.h"

/* --app: up to APP_MAX_PORTS ports 1..65535, comma-separated, no repeats. */
static int parse_ports(const char *s, struct cli_opts *o)
{
	const char *p = s;

	o->app_nports = 0;
	while (*p) {
		char *end;
		unsigned long v;
		size_t i;

		if (!isdigit((unsigned char)*p) || o->app_nports == APP_MAX_PORTS)
			return -1;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || v == 0 || v > 65535 || (*end && *end != ','))
			return -1;
		for (i = 0; i < o->app_nports; i++)
			if (o->app_ports[i] == v)
				return -1;
		o->app_ports[o->app_nports++] = (uint16_t)v;
		p = *end ? end + 1 : end;
		if (*end && !*p)
			return -1;
	}
	return o->app_nports ? 0 : -1;
}

int cli_app_value(struct cli_opts *o, int id, const char *opt, const char *v)
{
	switch (id) {
	case CLI_OPT_APP:
		if (parse_ports(v, o) == 0)
			return 0;
		fprintf(stderr, "migmeter: %s '%s': must be PORT[,PORT...], at most %d different ports 1..65535\n",
			opt, v, APP_MAX_PORTS);
		return CLI_EXIT_USAGE;
	case CLI_OPT_APP_FILTER:
	case CLI_OPT_APP_CSV:
		if (!*v) {
			fprintf(stderr, "migmeter: %s needs %s, not an empty word\n", opt,
				id == CLI_OPT_APP_CSV ? "a file name" : "a filter expression");
			return CLI_EXIT_USAGE;
		}
		if (id == CLI_OPT_APP_CSV)
			o->app_csv = v;
		else
			o->app_filter = v;
		return 0;
	case CLI_OPT_APP_WINDOW:
		if (mm_parse_duration(v, &o->app_window) == 0)
			return 0;
		fprintf(stderr, "migmeter: %s '%s': not a positive duration (a number and a unit: ns, us, ms, s, "
			"m or min, h; no unit: seconds)\n", opt, v);
		return CLI_EXIT_USAGE;
	}
	fprintf(stderr, "migmeter: %s: not handled\n", opt);
	return CLI_EXIT_USAGE;
}

int cli_app_check(const struct cli_opts *o)
{
	if (o->app_nports && o->app_filter) {
		fprintf(stderr, "migmeter: --app and --app-filter are two ways to say one thing; give one\n");
		return CLI_EXIT_USAGE;
	}
	if ((o->app_window != MM_NS_NONE || o->app_csv) && !o->app_nports && !o->app_filter) {
		fprintf(stderr, "migmeter: %s needs --app PORT[,PORT...] or --app-filter EXPR\n",
			o->app_csv ? "--app-csv" : "--app-window");
		return CLI_EXIT_USAGE;
	}
	return 0;
}
