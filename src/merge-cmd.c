/* merge-cmd.c - the merge command: its inputs opened and read, what was skipped said, the table written. */
#include "merge.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

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

/* The output, opened before anything is read; never one of the inputs. */
static FILE *open_out(const struct cli_opts *o, const struct merge_input *in, size_t n, int *rc)
{
	struct stat so, si;
	size_t i;
	FILE *fp;

	if (!o->out || strcmp(o->out, "-") == 0)
		return stdout;
	if (stat(o->out, &so) == 0) {
		for (i = 0; i < n; i++) {
			if (strcmp(in[i].path, "-") != 0 && stat(in[i].path, &si) == 0 &&
			    si.st_dev == so.st_dev && si.st_ino == so.st_ino) {
				fprintf(stderr, "migmeter: -o %s is also an input: it would be overwritten\n", o->out);
				*rc = CLI_EXIT_USAGE;
				return NULL;
			}
		}
	}
	fp = fopen(o->out, "w");
	if (!fp) {
		fprintf(stderr, "migmeter: -o %s: %s\n", o->out, strerror(errno));
		*rc = CLI_EXIT_RUNTIME;
	}
	return fp;
}

int merge_main(int argc, char **argv)
{
	struct cli_opts o;
	struct merge_set s;
	struct merge_input *in;
	struct said sd = { NULL, 0 };
	uint64_t skipped = 0, dups = 0, paired = 0, stdin_used = 0;
	size_t i, nrows = 0, *rows;
	FILE *out;
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
		if (strcmp(in[i].path, "-") == 0 && stdin_used++) {
			fprintf(stderr, "migmeter: - (standard input) given twice\n");
			free(in);
			return CLI_EXIT_USAGE;
		}
	}
	rc = name_nodes(&o, in, o.nargs);
	out = rc ? NULL : open_out(&o, in, o.nargs, &rc);
	if (!out) {
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
	if (merge_pair(&s) < 0 || merge_write(&s, o.format, out) < 0) {
		fprintf(stderr, "migmeter: %s: %s\n", o.out && strcmp(o.out, "-") ? o.out : "standard output",
			errno ? strerror(errno) : "out of memory");
		rc = CLI_EXIT_RUNTIME;
	}
	if (out != stdout && fclose(out) != 0) {
		fprintf(stderr, "migmeter: -o %s: %s\n", o.out, strerror(errno));
		rc = CLI_EXIT_RUNTIME;
	}
	rows = merge_rows(&s, &nrows);
	free(rows);
	for (i = 0; i < s.n; i++)
		paired += !s.recs[i].dup && s.recs[i].mate != MERGE_NONE;
	for (i = 0; i < o.nargs; i++)
		dups += in[i].duplicates;
	fprintf(stderr, "migmeter: merged %zu records from %zu files: %zu rows, %llu paired, %llu unpaired, "
		"%llu duplicates left out%s\n", s.n, o.nargs, nrows, (unsigned long long)paired / 2,
		(unsigned long long)(nrows - paired / 2), (unsigned long long)dups,
		skipped ? ", lines skipped (above)" : "");
	merge_release(&s);
	free(in);
	return rc;
}
