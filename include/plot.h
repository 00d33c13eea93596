/* plot.h - migmeter plot: a report drawn by gnuplot (plot.c the command, plot-data.c what is drawn, plot-script.c the script). */
#ifndef MM_PLOT_H
#define MM_PLOT_H

#include <stddef.h>
#include <stdio.h>
#include <json-c/json.h>

#include "cli.h"
#include "mmtime.h"
#include "out.h"
#include "series.h"

/*
 * plot-cli.c: plot's own option values (--format, --plot-script, --align,
 * --size; `id` from cli-usage.h) into o.  Returns 0, or CLI_EXIT_USAGE
 * after one line on stderr.
 */
int plot_cli_value(int id, const char *opt, const char *v, struct cli_opts *o);

/* What replays o's files into o->out (main.c's replay; the filters are released by it). */
typedef int (*plot_replay_fn)(const struct cli_opts *o, struct filter_spec *mig, struct filter_spec *icmp);

/*
 * The plot command (argv[0] is "plot"): parses its options, replays
 * capture files with `replay` into a temporary JSON report (or reads the
 * JSON report given), writes the gnuplot script and its data, runs
 * gnuplot and writes the figure by out_atomic's rules.  Returns the exit
 * status after one line on stderr for any failure.
 */
int plot_main(int argc, char **argv, plot_replay_fn replay);

/*
 * plot-data.c: the report's "timeseries" section (replay --with-series):
 * {"bin_s", "t0", "len", "columns": [...], "data": [[bin index, counters
 * in the order of columns], ...]}, one row per bin that holds something
 * (memory as the series': sparse).  Returns 0 or -1 (out of memory).
 */
int plot_add_series(json_object *report, const struct series *s, int digits);

/* A time in seconds as the report writes it (exact decimals), in ns. Returns 0, or -1 for null or not a time. */
int plot_time(json_object *v, mm_ns *out);

/* One migration as the figure draws it (times absolute; MM_NS_NONE unknown; figures < 0 unknown). */
struct plot_mig {
	unsigned id;
	mm_ns start, end, resumed;	/* end: the span's end (last payload, final burst or resumed) */
	double duration_s, downtime_s, unresponsive_s, mbytes;
};

/* A shaded episode: loss-based downtime (kind 0) or an unresponsive one (kind 1). */
struct plot_band {
	mm_ns start, end;
	int kind;
	unsigned mig;			/* its migration, 0 none */
};

/* An application phase (migrations[].app.phases[]). */
struct plot_phase {
	unsigned mig;
	mm_ns start, end;
	double goodput_bps, response_median_s;	/* < 0 unknown */
	char name[16];
};

struct plot_data {
	mm_ns t0;			/* time 0 of the figure: the series' t0, else the capture's first frame */
	mm_ns t_end;			/* the timeline's end */
	char inputs[512];		/* the capture files' names, ", " between */
	struct series *series;		/* the report's "timeseries" (NULL: none; plot_write_series) */
	int digits;			/* decimals of the report's times */
	/* from the time-series CSV (plot_scan_series) */
	int has_series;			/* the CSV has rows */
	int has_rtt;			/* some bin holds an RTT */
	int has_role[4];		/* some bin holds unique bytes of the role (enum series_role) */
	double max_bps, max_rtt_s, max_lost;	/* the largest bps, rtt_max_s, ping_lost of a row */
	int has_unresponsive;		/* some migration has unresponsive.total_s */
	struct plot_mig *migs;
	size_t nmigs;
	struct plot_band *bands;
	size_t nbands;
	struct plot_phase *phases;
	size_t nphases;
};

/*
 * Reads what the figure needs from a migmeter JSON report.  Returns 0, or
 * -1 with a one-line reason in err (not a migmeter report, a damaged
 * "timeseries", out of memory).
 */
int plot_data_load(json_object *report, struct plot_data *d, char *err, size_t errlen);
void plot_data_free(struct plot_data *d);

/* The report's time series as the --timeseries CSV (with the migrations' spans). Returns 0 or -1. */
int plot_write_series(FILE *fp, const struct plot_data *d);

/*
 * Reads a --timeseries CSV once, keeping nothing but what the figure
 * needs: whether it has rows, an RTT, bytes of each role; time 0 (the
 * first row's t_abs) and the end (the last row's t_abs + bin_s).  Returns
 * 0, or -1 with a one-line reason (not such a CSV).
 */
int plot_scan_series(FILE *fp, struct plot_data *d, char *err, size_t errlen);

/* plot-script.c: the figure to draw. */
struct plot_fig {
	const char *format;		/* "png", "svg", "pdf" */
	int width, height;		/* pixels */
	enum cli_align align;
	const char *out;		/* the script's default output (the -o path; "-" stdout) */
	const char *data;		/* the script's default series CSV path */
};

/*
 * Writes the gnuplot script: variables `out` and `data` (given with -e
 * before the script, or the defaults in f), the terminal, the panels.
 * Returns 0 or -1 (write error).
 */
int plot_script_write(FILE *fp, const struct plot_data *d, const struct plot_fig *f);

/* A gnuplot single-quoted string of s into buf ('' for '); "" when it does not fit. */
void plot_quote(char *buf, size_t n, const char *s);

#endif
