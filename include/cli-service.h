/* cli-service.h - the command-line options of a capture run for days (-G, -C, -W, --records-rotate). */
#ifndef MM_CLI_SERVICE_H
#define MM_CLI_SERVICE_H

#include "cli.h"

/*
 * One of CLI_OPT_ROTATE_SECS, _ROTATE_SIZE, _ROTATE_FILES, _RECORDS_ROTATE
 * with its value, into o.  Returns 0, or CLI_EXIT_USAGE after one line
 * on stderr (0 or a negative value, junk, "10m" for --records-rotate).
 */
int cli_service_value(struct cli_opts *o, int id, const char *opt, const char *v);

/*
 * Once every option is seen: -W needs -G or -C, which need -w naming a
 * file; --records-rotate needs --records naming a file.  Returns 0 or
 * CLI_EXIT_USAGE after one line.
 */
int cli_service_check(const struct cli_opts *o);

#endif
