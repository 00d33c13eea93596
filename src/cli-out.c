/* cli-out.c - the command line's outputs: checked before anything is read, then written. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app-report.h"
#include "out.h"
#include "out-migration.h"
#include "outpath.h"

struct series_ctx {
	const struct series *s;
	const struct mig_table *migs;
	const struct app_table *app;
	int digits;
};

struct report_ctx {
	int (*write)(FILE *fp, json_object *r);
	json_object *r;
	int episodes, streams, totals, migrations;	/* a CSV report on a stream: these tables follow it */
};

/*
 * The report; a CSV report written to a stream (stdout, a FIFO, a device)
 * has no files beside it, so its downtime tables follow it as further
 * sections: a blank line, then the table with its own header line.
 */
static int write_report(FILE *fp, void *ctx)
{
	const struct report_ctx *rc = ctx;

	if (rc->write(fp, rc->r) < 0)
		return -1;
	if (rc->episodes && (fputc('\n', fp) == EOF || out_csv_episodes(fp, rc->r) < 0))
		return -1;
	if (rc->streams && (fputc('\n', fp) == EOF || out_csv_streams(fp, rc->r) < 0))
		return -1;
	if (rc->totals && (fputc('\n', fp) == EOF || out_csv_totals(fp, rc->r) < 0))
		return -1;
	if (rc->migrations && (fputc('\n', fp) == EOF || out_csv_migrations(fp, rc->r) < 0))
		return -1;
	return 0;
}

static int write_series(FILE *fp, void *ctx)
{
	const struct series_ctx *sc = ctx;
	size_t i, n = sc->migs ? mig_count(sc->migs) : 0;
	struct out_span *sp = n ? calloc(n, sizeof(*sp)) : NULL;
	int rc;

	if (n && !sp)
		return -1;
	/* A migration's span: its first frame to its last payload from the source (main or multifd) or its resume. */
	for (i = 0; i < n; i++) {
		const struct mig_record *r = mig_get(sc->migs, i);

		sp[i].id = r->id;
		sp[i].start = r->start;
		sp[i].end = r->end;
		if (r->final_burst_end != MM_NS_NONE && (sp[i].end == MM_NS_NONE || r->final_burst_end > sp[i].end))
			sp[i].end = r->final_burst_end;
		if (r->resumed != MM_NS_NONE && (sp[i].end == MM_NS_NONE || r->resumed > sp[i].end))
			sp[i].end = r->resumed;
	}
	rc = out_csv_series_spans(fp, sc->s, sp, n, sc->app, sc->digits);
	free(sp);
	return rc;
}

/* "run.csv" + "-episodes" -> "run-episodes.csv"; the caller frees. */
static char *sibling_name(const char *out, const char *suffix)
{
	size_t n = strlen(out), len = n + strlen(suffix) + 8;
	char *s = malloc(len);

	if (!s)
		return NULL;
	if (n > 4 && strcmp(out + n - 4, ".csv") == 0)
		snprintf(s, len, "%.*s%s.csv", (int)(n - 4), out, suffix);
	else
		snprintf(s, len, "%s%s.csv", out, suffix);
	return s;
}

/* The report goes to a stream (stdout, an existing device, FIFO or socket), not a file. */
static int report_to_stream(const struct cli_opts *o)
{
	struct outpath op;
	char err[512];
	int stream;

	if (!o->out || strcmp(o->out, "-") == 0)
		return 1;
	if (outpath_resolve(&op, o->out, err, sizeof(err)) < 0)
		return 0;	/* cli_check_outputs says why */
	stream = op.kind == OUTPATH_STDOUT || op.kind == OUTPATH_STREAM;
	outpath_release(&op);
	return stream;
}

/*
 * The episodes, streams, capture-totals and migrations CSV paths: given,
 * beside a CSV report file (X.csv -> X-episodes.csv, X-streams.csv,
 * X-totals.csv, X-migrations.csv), or none (NULL).
 */
static void side_paths(const struct cli_opts *o, char **ep, char **st, char **tot, char **mg)
{
	int beside = o->out && strcmp(o->format, "csv") == 0 && !report_to_stream(o);

	*ep = o->episodes ? strdup(o->episodes) : NULL;
	*st = o->streams ? strdup(o->streams) : NULL;
	*tot = beside ? sibling_name(o->out, "-totals") : NULL;
	*mg = o->migrations ? strdup(o->migrations) : beside ? sibling_name(o->out, "-migrations") : NULL;
	/* A CSV report file comes with its downtime tables beside it (on a stream: after it). */
	if (beside && !*ep)
		*ep = sibling_name(o->out, "-episodes");
	if (beside && !*st)
		*st = sibling_name(o->out, "-streams");
}

/* The phases CSV: --app-csv, or beside a CSV report file (X-app.csv) when --app is on; NULL otherwise. */
static char *app_path(const struct cli_opts *o)
{
	int beside = o->out && strcmp(o->format, "csv") == 0 && !report_to_stream(o);

	if (o->app_csv)
		return strdup(o->app_csv);
	return beside && (o->app_nports || o->app_filter) ? sibling_name(o->out, "-app") : NULL;
}

/* Writes one output (out_atomic's rules). Returns 0 or CLI_EXIT_RUNTIME after saying why. */
static int emit_file(const char *path, int (*fn)(FILE *, void *), void *ctx)
{
	char err[512];

	if (out_atomic(path, fn, ctx, err, sizeof(err)) < 0) {
		fprintf(stderr, "migmeter: %s\n", err);
		return CLI_EXIT_RUNTIME;
	}
	return 0;
}

int cli_emit(const struct cli_opts *o, const struct meter *m, json_object *r, int digits)
{
	const struct out_writer *w = out_find(o->format);
	struct series_ctx sc = { m->series, m->migs, m->app, digits };
	int sections = strcmp(o->format, "csv") == 0 && report_to_stream(o);
	struct report_ctx main_ctx = { w->write, r, sections && !o->episodes, sections && !o->streams,
				       sections, sections && !o->migrations };
	struct report_ctx ep_ctx = { out_csv_episodes, r, 0, 0, 0, 0 };
	struct report_ctx st_ctx = { out_csv_streams, r, 0, 0, 0, 0 };
	struct report_ctx tot_ctx = { out_csv_totals, r, 0, 0, 0, 0 };
	struct report_ctx mg_ctx = { out_csv_migrations, r, 0, 0, 0, 0 };
	struct report_ctx ev_ctx = { out_csv_events, r, 0, 0, 0, 0 };
	struct report_ctx un_ctx = { out_csv_unresp, r, 0, 0, 0, 0 };
	struct report_ctx app_ctx = { out_csv_app, r, 0, 0, 0, 0 };
	char *ep, *st, *tot, *mg, *ap = app_path(o);
	int rc = 0;

	if (o->out) {
		rc |= emit_file(o->out, write_report, &main_ctx);
	} else if (write_report(stdout, &main_ctx) < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "migmeter: cannot write the report to standard output\n");
		rc = CLI_EXIT_RUNTIME;
	}
	side_paths(o, &ep, &st, &tot, &mg);
	if (ep)
		rc |= emit_file(ep, write_report, &ep_ctx);
	if (st)
		rc |= emit_file(st, write_report, &st_ctx);
	if (tot)
		rc |= emit_file(tot, write_report, &tot_ctx);
	if (mg)
		rc |= emit_file(mg, write_report, &mg_ctx);
	if (o->events)
		rc |= emit_file(o->events, write_report, &ev_ctx);
	if (o->unresponsive)
		rc |= emit_file(o->unresponsive, write_report, &un_ctx);
	if (o->timeseries)
		rc |= emit_file(o->timeseries, write_series, &sc);
	if (ap)
		rc |= emit_file(ap, write_report, &app_ctx);
	free(ap);
	free(ep);
	free(st);
	free(tot);
	free(mg);
	return rc ? CLI_EXIT_RUNTIME : 0;
}

char **cli_output_paths(const struct cli_opts *o)
{
	char **p = calloc(14, sizeof(*p));
	char *ep, *st, *tot, *mg;
	size_t n = 0;

	if (!p)
		return NULL;
	side_paths(o, &ep, &st, &tot, &mg);
	if (o->out)
		p[n++] = strdup(o->out);
	if (ep)
		p[n++] = ep;
	if (st)
		p[n++] = st;
	if (tot)
		p[n++] = tot;
	if (mg)
		p[n++] = mg;
	if (o->events)
		p[n++] = strdup(o->events);
	if (o->unresponsive)
		p[n++] = strdup(o->unresponsive);
	if (o->timeseries)
		p[n++] = strdup(o->timeseries);
	if (o->prom_textfile)
		p[n++] = strdup(o->prom_textfile);
	p[n] = app_path(o);
	return p;
}

void cli_free_paths(char **paths)
{
	size_t i;

	if (!paths)
		return;
	for (i = 0; paths[i]; i++)
		free(paths[i]);
	free(paths);
}

/* The outputs cli_check_outputs weighs against each other and the inputs. */
#define CLI_MAX_OUTPUTS 14

struct out_check {
	struct outpath op[CLI_MAX_OUTPUTS];
	const char *what[CLI_MAX_OUTPUTS];	/* how a message names each: "-o", "--timeseries" */
	size_t n;
};

/* Refuses when some output is the existing file `path` (an input); 0 or CLI_EXIT_USAGE. */
static int not_an_input(const struct out_check *c, const char *path, const char *kind)
{
	struct stat st;
	size_t i;
	int got = strcmp(path, "-") == 0 ? fstat(STDIN_FILENO, &st) : stat(path, &st);

	if (got != 0)
		return 0;	/* a missing input is the reader's to report */
	for (i = 0; i < c->n; i++) {
		if (!outpath_names(&c->op[i], &st))
			continue;
		fprintf(stderr, "migmeter: %s %s is the same file as the %s %s; refusing to write over "
			"it\n", c->what[i], outpath_label(c->op[i].arg), kind,
			strcmp(path, "-") == 0 ? "on standard input" : path);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* Resolves one output into c, saying why not. Returns 0 or CLI_EXIT_RUNTIME. */
static int add_output(struct out_check *c, const char *what, const char *path)
{
	char err[768];

	if (!path || c->n >= CLI_MAX_OUTPUTS)
		return 0;
	if (outpath_resolve(&c->op[c->n], path, err, sizeof(err)) < 0) {
		fprintf(stderr, "migmeter: %s\n", err);
		return CLI_EXIT_RUNTIME;
	}
	c->what[c->n++] = what;
	return 0;
}

/* At most one output on stdout, no two on one file. Returns 0 or CLI_EXIT_USAGE. */
static int outputs_apart(const struct out_check *c)
{
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		for (j = i + 1; j < c->n; j++) {
			const struct outpath *a = &c->op[i], *b = &c->op[j];

			if (a->kind == OUTPATH_STDOUT && b->kind == OUTPATH_STDOUT) {
				fprintf(stderr, "migmeter: %s%s%s and %s%s%s would both go to standard "
					"output; send one of them to a file\n", c->what[i],
					*c->what[i] == '-' ? " " : "", *c->what[i] == '-' ? a->arg : "",
					c->what[j], *c->what[j] == '-' ? " " : "",
					*c->what[j] == '-' ? b->arg : "");
				return CLI_EXIT_USAGE;
			}
			if (outpath_same(a, b)) {
				fprintf(stderr, "migmeter: %s %s and %s %s are the same file; give each "
					"output its own\n", c->what[i], a->arg, c->what[j], b->arg);
				return CLI_EXIT_USAGE;
			}
		}
	}
	return 0;
}

int cli_check_outputs(const struct cli_opts *o)
{
	struct out_check c;
	char *ep, *st, *tot, *mg, *ap = app_path(o), dir[PATH_MAX + 64], path[PATH_MAX + 96];
	size_t i;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	side_paths(o, &ep, &st, &tot, &mg);
	/* The report goes to stdout when there is no -o: that counts as an output there. */
	rc = add_output(&c, o->out ? "-o" : "the report", o->out ? o->out : "-");
	if (!rc)
		rc = add_output(&c, o->episodes ? "--episodes" : "the episodes CSV", ep);
	if (!rc)
		rc = add_output(&c, o->streams ? "--streams" : "the streams CSV", st);
	if (!rc)
		rc = add_output(&c, "the totals CSV", tot);
	if (!rc)
		rc = add_output(&c, o->migrations ? "--migrations" : "the migrations CSV", mg);
	if (!rc)
		rc = add_output(&c, "--events", o->events);
	if (!rc)
		rc = add_output(&c, "--unresponsive", o->unresponsive);
	if (!rc)
		rc = add_output(&c, "--timeseries", o->timeseries);
	if (!rc)
		rc = add_output(&c, "-w", o->write);
	if (!rc)
		rc = add_output(&c, "--records", o->records);
	if (!rc)
		rc = add_output(&c, "--prom-textfile", o->prom_textfile);
	if (!rc)
		rc = add_output(&c, o->app_csv ? "--app-csv" : "the app CSV", ap);
	if (!rc)
		rc = outputs_apart(&c);
	for (i = 0; !rc && o->cmd == CLI_REPLAY && i < o->nargs; i++)
		rc = not_an_input(&c, o->args[i], "input");
	if (!rc && o->cmd == CLI_CAPTURE && o->from)
		rc = not_an_input(&c, o->from, "input");
	/* The filter files are read too (by every command), and never written over. */
	cli_bpf_dir(o, dir, sizeof(dir));
	if (!rc && !o->filter) {
		snprintf(path, sizeof(path), "%s/migration.bpf", dir);
		rc = not_an_input(&c, path, "filter file");
	}
	if (!rc && !o->icmp_filter) {
		snprintf(path, sizeof(path), "%s/icmp.bpf", dir);
		rc = not_an_input(&c, path, "filter file");
	}
	if (!rc && !o->icmp_filter) {
		snprintf(path, sizeof(path), "%s/announce.bpf", dir);
		rc = not_an_input(&c, path, "filter file");
	}
	if (!rc && (o->app_nports || o->app_filter) && !o->app_filter) {
		snprintf(path, sizeof(path), "%s/app.bpf", dir);
		rc = not_an_input(&c, path, "filter file");
	}
	for (i = 0; i < c.n; i++)
		outpath_release(&c.op[i]);
	free(ap);
	free(ep);
	free(st);
	free(tot);
	free(mg);
	return rc;
}
