/* merge-cmd.c - the merge command: its inputs opened and read, what was skipped said, the table written. */
#include "merge.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "outpath.h"

/* Lines skipped that are said one by one per file; the rest only counted. */
#define SAY_SKIPPED 5

struct said {
	const char *path;
	uint64_t n;
};

static void on_skip(void *ctx, const char *path, uint64_t line, const char *why)
{
	struct said *sd = ctx;

	if (sd->path != path) {
		sd->path = path;
		sd->n = 0;
	}
	if (sd->n++ < SAY_SKIPPED)
		fprintf(stderr, "migmeter: %s:%llu: line skipped: %s\n", path, (unsigned long long)line, why);
}

/* --node FILE=NAME onto the inputs; a FILE that is not an input is a usage error. */
static int name_nodes(const struct cli_opts *o, struct merge_input *in, size_t n)
{
	size_t k, i;

	for (k = 0; k < o->nnode_args; k++) {
		const char *v = o->node_args[k], *eq = strrchr(v, '=');
		int found = 0;

		for (i = 0; i < n; i++) {
			if (strlen(in[i].path) != (size_t)(eq - v) || strncmp(in[i].path, v, (size_t)(eq - v)) != 0)
				continue;
			if (in[i].node_opt && strcmp(in[i].node_opt, eq + 1) != 0) {
				fprintf(stderr, "migmeter: --node %s: %s is named twice\n", v, in[i].path);
				return CLI_EXIT_USAGE;
			}
			in[i].node_opt = eq + 1;
			found = 1;
		}
		if (!found) {
			fprintf(stderr, "migmeter: --node %s: %.*s is not one of the files to merge\n", v,
				(int)(eq - v), v);
			return CLI_EXIT_USAGE;
		}
	}
	return 0;
}

/* The output, checked before anything is read; never one of the inputs. */
static int check_out(const struct cli_opts *o, struct outpath *op, const struct merge_input *in, size_t n)
{
	char err[512];
	struct stat si;
	size_t i;

	if (outpath_resolve(op, o->out ? o->out : "-", err, sizeof(err)) < 0) {
		fprintf(stderr, "migmeter: %s\n", err);
		return CLI_EXIT_RUNTIME;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(in[i].path, "-") != 0 && stat(in[i].path, &si) == 0 && outpath_names(op, &si)) {
			fprintf(stderr, "migmeter: -o %s is also an input: it would be overwritten\n", o->out);
			return CLI_EXIT_USAGE;
		}
	}
	return 0;
}

struct render {
	struct merge_set *s;
	const char *fmt;
};

static int render(FILE *fp, void *ctx)
{
	const struct render *r = ctx;

	return merge_write(r->s, r->fmt, fp);
}

int merge_main(int argc, char **argv)
{
	struct cli_opts o;
	struct merge_set s;
	struct merge_input *in;
	struct said sd = { NULL, 0 };
	uint64_t skipped = 0, dups = 0, paired = 0, stdin_used = 0;
	size_t i, nrows = 0, *rows;
	struct outpath op = { 0 };
	struct render rn;
	char err[512];
	int done, rc;

	rc = cli_parse(CLI_MERGE, argc, argv, &o, &done);
	if (rc || done)
		return rc;
	in = calloc(o.nargs, sizeof(*in));
	if (!in) {
		fprintf(stderr, "migmeter: out of memory\n");
		return CLI_EXIT_RUNTIME;
	}
	for (i = 0; i < o.nargs; i++) {
		in[i].path = o.args[i];
		stdin_used += strcmp(in[i].path, "-") == 0;
		if (stdin_used > 1 && strcmp(in[i].path, "-") == 0) {
			fprintf(stderr, "migmeter: - (standard input) given twice\n");
			free(in);
			return CLI_EXIT_USAGE;
		}
	}
	op.dirfd = -1;
	rc = name_nodes(&o, in, o.nargs);
	if (!rc)
		rc = check_out(&o, &op, in, o.nargs);
	if (rc) {
		outpath_release(&op);
		free(in);
		return rc;
	}
	merge_init(&s, in, o.nargs, o.pair_window);
	for (i = 0; i < o.nargs; i++) {
		FILE *fp = strcmp(in[i].path, "-") == 0 ? stdin : fopen(in[i].path, "r");
		int r;

		if (!fp) {
			snprintf(in[i].error, sizeof(in[i].error), "%s: %s", in[i].path, strerror(errno));
			fprintf(stderr, "migmeter: %s\n", in[i].error);
			rc = CLI_EXIT_RUNTIME;
			continue;
		}
		r = merge_read(&s, i, fp, on_skip, &sd);
		if (fp != stdin)
			fclose(fp);
		if (r == -2) {
			fprintf(stderr, "migmeter: %s: out of memory or more than %zu records; the table has the "
				"%zu read before\n", in[i].path, s.max, s.n);
			rc = CLI_EXIT_RUNTIME;
			break;
		}
		if (r < 0) {
			fprintf(stderr, "migmeter: %s; its records are left out\n", in[i].error);
			rc = CLI_EXIT_RUNTIME;
		}
		if (in[i].skipped) {
			fprintf(stderr, "migmeter: %s: %llu line%s skipped (the first on line %llu), %llu records read\n",
				in[i].path, (unsigned long long)in[i].skipped, in[i].skipped == 1 ? "" : "s",
				(unsigned long long)in[i].first_skipped_line, (unsigned long long)in[i].records);
			skipped += in[i].skipped;
			rc = CLI_EXIT_RUNTIME;
		}
	}
	rn.s = &s;
	rn.fmt = o.format;
	if (merge_pair(&s) < 0) {
		fprintf(stderr, "migmeter: out of memory while pairing the records\n");
		rc = CLI_EXIT_RUNTIME;
	} else if (outpath_write(&op, render, &rn, err, sizeof(err)) < 0) {
		fprintf(stderr, "migmeter: %s\n", err);
		rc = CLI_EXIT_RUNTIME;
	}
	outpath_release(&op);
	rows = merge_rows(&s, &nrows);
	free(rows);
	for (i = 0; i < s.n; i++)
		paired += !s.recs[i].dup && s.recs[i].mate != MERGE_NONE;
	for (i = 0; i < o.nargs; i++)
		dups += in[i].duplicates;
	fprintf(stderr, "migmeter: merged %zu records from %zu file%s: %zu rows, %llu paired, %llu unpaired, "
		"%llu duplicates left out%s\n", s.n, o.nargs, o.nargs == 1 ? "" : "s", nrows, (unsigned long long)paired / 2,
		(unsigned long long)(nrows - paired / 2), (unsigned long long)dups,
		skipped ? ", lines skipped (above)" : "");
	merge_release(&s);
	free(in);
	return rc;
}
