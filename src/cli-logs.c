/* cli-logs.c - the logs command (the other views alone) and replay's side-by-side hook. */
#include "cli-logs.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "out.h"
#include "out-views.h"

int cli_view_opts(const struct cli_opts *o, struct view_opts *vo)
{
	memset(vo, 0, sizeof(*vo));
	vo->ping = o->ping_log;
	vo->nova = o->nova_log;
	vo->mlist = o->mlist;
	vo->domjobinfo = o->domjobinfo;
	vo->qmp = o->query_migrate;
	vo->log_tz = o->log_tz;
	vo->asked = o->ping_interval;
	return view_opts_any(vo);
}

/* An output that is one of the files read is refused before anything is written. */
static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 && S_ISREG(sa.st_mode) &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Whether an output (any the command writes) is one of the view files; says so. */
static int output_is_view(const struct cli_opts *o, const struct view_opts *vo)
{
	const char *ins[5] = { vo->ping, vo->nova, vo->mlist, vo->domjobinfo, vo->qmp };
	char **outs = cli_output_paths(o);
	size_t i, k;
	int clash = 0;

	for (k = 0; outs && outs[k] && !clash; k++) {
		for (i = 0; i < 5 && !clash; i++) {
			if (strcmp(outs[k], "-") != 0 && same_file(outs[k], ins[i])) {
				fprintf(stderr, "migmeter: output %s is one of the files read (%s): refusing to "
					"overwrite it\n", outs[k], ins[i]);
				clash = 1;
			}
		}
	}
	cli_free_paths(outs);
	return clash;
}

int cli_views_load(const struct cli_opts *o, struct view_set *s)
{
	struct view_opts vo;
	char err[VIEW_ERR + 64];

	memset(s, 0, sizeof(*s));
	if (!cli_view_opts(o, &vo))
		return 0;
	if (o->cmd != CLI_LOGS && output_is_view(o, &vo))
		return CLI_EXIT_USAGE;
	if (view_set_load(s, &vo, err, sizeof(err)) < 0) {
		fprintf(stderr, "migmeter: %s\n", err);
		return CLI_EXIT_RUNTIME;
	}
	if (s->overlong && !o->quiet)
		fprintf(stderr, "migmeter: note: %lu log lines over %d bytes skipped (counted in the report)\n",
			s->overlong, VIEW_MAX_LINE);
	return 0;
}

int cli_views_attach(const struct cli_opts *o, const struct view_set *s, json_object *r, int digits)
{
	json_object *v;
	struct view_opts vo;

	if (!cli_view_opts(o, &vo))
		return 0;
	/* the views go into the records: they are held whole (a capture's few migrations) */
	v = view_set_json(s, digits);
	if (!v || report_materialize(r, "migrations") < 0 || view_match(r, v, digits) < 0) {
		fprintf(stderr, "migmeter: out of memory while matching the views\n");
		return CLI_EXIT_RUNTIME;
	}
	return 0;
}

struct logs_ctx {
	int (*write)(FILE *fp, json_object *r);
	json_object *r;
};

static int write_logs(FILE *fp, void *ctx)
{
	const struct logs_ctx *c = ctx;

	return c->write(fp, c->r);
}

int cli_logs_main(int argc, char **argv)
{
	struct cli_opts o;
	struct view_set s;
	struct logs_ctx c;
	json_object *v, *r = NULL;
	const char *ins[5];
	char err[512];
	int done, rc;
	size_t i;

	rc = cli_parse(CLI_LOGS, argc, argv, &o, &done);
	if (rc || done)
		return rc;
	ins[0] = o.ping_log;
	ins[1] = o.nova_log;
	ins[2] = o.mlist;
	ins[3] = o.domjobinfo;
	ins[4] = o.query_migrate;
	for (i = 0; i < 5; i++) {
		if (o.out && strcmp(o.out, "-") != 0 && same_file(o.out, ins[i])) {
			fprintf(stderr, "migmeter: -o %s is one of the files read: refusing to overwrite it\n", o.out);
			return CLI_EXIT_USAGE;
		}
	}
	rc = cli_views_load(&o, &s);
	if (rc)
		goto out;
	rc = CLI_EXIT_RUNTIME;
	v = view_set_json(&s, 6);
	r = v ? view_logs_report(v) : NULL;
	if (!r) {
		fprintf(stderr, "migmeter: out of memory while building the report\n");
		goto out;
	}
	c.r = r;
	c.write = strcmp(o.format, "json") == 0 ? out_json : strcmp(o.format, "csv") == 0 ? out_csv_logs :
		  out_text_logs;
	if (out_atomic(o.out ? o.out : "-", write_logs, &c, err, sizeof(err)) < 0) {
		fprintf(stderr, "migmeter: %s\n", err);
		goto out;
	}
	rc = 0;
out:
	json_object_put(r);
	view_set_free(&s);
	return rc;
}
