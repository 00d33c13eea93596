/* cli-values.h - the command line's value parsers (cli-parse.c's set_value). */
#ifndef MM_CLI_VALUES_H
#define MM_CLI_VALUES_H

#include "cli.h"

/* --ports LO-HI or any into o (ports, port_lo, port_hi, ports_any). Returns 0 or -1 (the caller says why). */
int cli_val_ports(const char *s, struct cli_opts *o);
/* --ping-target: an IPv4/IPv6 address, normalised into o->ping_target. 0 or -1. */
int cli_val_target(const char *s, struct cli_opts *o);
/* 1 when s is a numeric IPv4 or IPv6 address. */
int cli_val_is_addr(const char *s);
/*
 * The rest print their one-line refusal (naming option `opt`) and return
 * CLI_EXIT_USAGE, else 0: a decimal in [lo, hi]; a positive duration; a
 * non-empty word (`what` says what it is); a --node label (1..255 bytes,
 * no control character); merge's --node FILE=NAME (appended to o).
 */
int cli_val_num(const char *opt, const char *s, unsigned long long lo, unsigned long long hi,
		unsigned long long *v);
int cli_val_dur(const char *opt, const char *s, mm_ns *v);
int cli_val_nonempty(const char *opt, const char *s, const char *what, const char **out);
int cli_val_node(const char *opt, const char *s, const char **out);
int cli_val_merge_node(const char *opt, const char *v, struct cli_opts *o);

#endif
