/* cli-app.h - the --app options (README "Application impact"): parsed into struct cli_opts. */
#ifndef MM_CLI_APP_H
#define MM_CLI_APP_H

#include "cli.h"

/*
 * The value of --app, --app-filter, --app-window or --app-csv (`id`, as
 * typed `opt`).  Returns 0, or CLI_EXIT_USAGE after one line on stderr.
 */
int cli_app_value(struct cli_opts *o, int id, const char *opt, const char *v);

/* The --app options together: one way to name the service, the others need it. 0 or CLI_EXIT_USAGE after one line. */
int cli_app_check(const struct cli_opts *o);

#endif
