/* cli-logs.h - the logs command, and replay's side-by-side views (the files of the other views, read and matched). */
#ifndef MM_CLI_LOGS_H
#define MM_CLI_LOGS_H

#include <json-c/json.h>

#include "cli.h"
#include "view-set.h"

/* `migmeter logs ...` (argv[0] is "logs"). Returns the exit status. */
int cli_logs_main(int argc, char **argv);

/*
 * The view options of a parsed command line into `vo`; 1 when any view
 * file is given, else 0.
 */
int cli_view_opts(const struct cli_opts *o, struct view_opts *vo);

/*
 * Reads the view files the command line names (before any capture is
 * read: a bad log costs nothing measured).  Returns 0 (nothing given is
 * 0 too), CLI_EXIT_USAGE when an output of replay is one of them, or
 * CLI_EXIT_RUNTIME after one line on stderr; a note on stderr for lines
 * skipped as overlong.  view_set_free releases `s` either way.
 */
int cli_views_load(const struct cli_opts *o, struct view_set *s);

/* Matches loaded views to report r's migrations (view_match). Returns 0, or CLI_EXIT_RUNTIME after saying why. */
int cli_views_attach(const struct cli_opts *o, const struct view_set *s, json_object *r, int digits);

#endif
