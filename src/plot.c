/* plot.c - the plot command: its options, the replay or the JSON report, gnuplot as a child process, the figure by the output rules. */
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "outpath.h"

/* The temporary files of one run, in a directory of their own. */
struct plot_tmp {
	char dir[PATH_MAX];
	char report[PATH_MAX + 32], series[PATH_MAX + 32], script[PATH_MAX + 32], fig[PATH_MAX + 32],
		log[PATH_MAX + 32];
};

static void tmp_remove(struct plot_tmp *t)
{
	if (!t->dir[0])
		return;
	unlink(t->report);
	unlink(t->series);
	unlink(t->script);
	unlink(t->fig);
	unlink(t->log);
	rmdir(t->dir);
	t->dir[0] = '\0';
}

static int tmp_make(struct plot_tmp *t, const char *ext)
{
	const char *base = getenv("TMPDIR");

	snprintf(t->dir, sizeof(t->dir), "%s/migmeter-plot.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(t->dir)) {
		fprintf(stderr, "migmeter: cannot make a temporary directory in %s: %s\n",
			base && *base ? base : "/tmp", strerror(errno));
		t->dir[0] = '\0';
		return -1;
	}
	snprintf(t->report, sizeof(t->report), "%s/report.json", t->dir);
	snprintf(t->series, sizeof(t->series), "%s/series.csv", t->dir);
	snprintf(t->script, sizeof(t->script), "%s/plot.gp", t->dir);
	snprintf(t->fig, sizeof(t->fig), "%s/figure.%s", t->dir, ext);
	snprintf(t->log, sizeof(t->log), "%s/gnuplot.log", t->dir);
	return 0;
}

/* The figure format an extension names ("png", "svg", "pdf"), or NULL. */
static const char *ext_format(const char *path)
{
	static const char *const fmts[] = { "png", "svg", "pdf" };
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	size_t i;

	if (!dot || (slash && dot < slash))
		return NULL;
	for (i = 0; i < 3; i++)
		if (strcasecmp(dot + 1, fmts[i]) == 0)
			return fmts[i];
	return NULL;
}

/* "run.pcap" -> "run.png": the default figure beside the first input. The caller frees. */
static char *default_figure(const char *input)
{
	size_t n = strlen(input) + 8;
	char *s = malloc(n);
	const char *dot = strrchr(input, '.'), *slash = strrchr(input, '/');
	size_t keep = dot && (!slash || dot > slash) && dot != input ? (size_t)(dot - input) : strlen(input);

	if (s)
		snprintf(s, n, "%.*s.png", (int)keep, input);
	return s;
}

/* "fig.gp" -> "fig-series.csv": the kept script's data beside it. The caller frees. */
static char *script_data_name(const char *script)
{
	size_t n = strlen(script), len = n + 16;
	char *s = malloc(len);

	if (s && n > 3 && strcmp(script + n - 3, ".gp") == 0)
		snprintf(s, len, "%.*s-series.csv", (int)(n - 3), script);
	else if (s)
		snprintf(s, len, "%s-series.csv", script);
	return s;
}

/* A single JSON report rather than captures: a .json name, or a regular file that starts with '{'. */
static int is_json(const char *path)
{
	size_t n = strlen(path);
	struct stat st;
	char c = 0;
	FILE *fp;

	if (n > 5 && strcasecmp(path + n - 5, ".json") == 0)
		return 1;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	fp = fopen(path, "rb");
	if (!fp)
		return 0;
	while (fread(&c, 1, 1, fp) == 1 && (c == ' ' || c == '\t' || c == '\r' || c == '\n'))
		;
	fclose(fp);
	return c == '{';
}

/* The directory of PATH holding an executable gnuplot, or -1. */
static int find_gnuplot(void)
{
	const char *path = getenv("PATH"), *p, *colon;
	char buf[PATH_MAX];

	for (p = path && *path ? path : "/usr/bin:/bin"; p; p = colon ? colon + 1 : NULL) {
		size_t len;

		colon = strchr(p, ':');
		len = colon ? (size_t)(colon - p) : strlen(p);
		snprintf(buf, sizeof(buf), "%.*s/gnuplot", (int)len, len ? p : ".");
		if (access(buf, X_OK) == 0)
			return 0;
	}
	return -1;
}

/* The outputs: each writable, none on another or on an input, at most one on stdout. */
static int check_outputs(const struct cli_opts *o, const char *const *outs, const char *const *what, size_t n)
{
	struct outpath op[3];
	char err[768];
	size_t i, j, got = 0;
	int rc = 0;

	memset(op, 0, sizeof(op));
	for (i = 0; i < n && !rc; i++, got++) {
		if (outpath_resolve(&op[i], outs[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "migmeter: %s\n", err);
			rc = CLI_EXIT_RUNTIME;
			break;
		}
		for (j = 0; j < i && !rc; j++) {
			if ((op[i].kind == OUTPATH_STDOUT && op[j].kind == OUTPATH_STDOUT) || outpath_same(&op[i], &op[j])) {
				fprintf(stderr, "migmeter: %s %s and %s %s are the same output; give each its own\n",
					what[j], outs[j], what[i], outs[i]);
				rc = CLI_EXIT_USAGE;
			}
		}
		for (j = 0; j < o->nargs && !rc; j++) {
			struct stat st;

			if (strcmp(o->args[j], "-") != 0 && stat(o->args[j], &st) == 0 && outpath_names(&op[i], &st)) {
				fprintf(stderr, "migmeter: %s %s is the input %s; refusing to write over it\n", what[i],
					outs[i], o->args[j]);
				rc = CLI_EXIT_USAGE;
			}
		}
	}
	for (i = 0; i < got; i++)
		outpath_release(&op[i]);
	return rc;
}

/* Writes a whole file to fp (out_atomic's renderer). */
static int copy_file(FILE *fp, void *ctx)
{
	FILE *in = fopen(ctx, "rb");
	char buf[65536];
	size_t n;
	int rc = 0;

	if (!in)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, fp) != n) {
			rc = -1;
			break;
		}
	if (ferror(in))
		rc = -1;
	fclose(in);
	return rc;
}

struct mem {
	const char *buf;
	size_t len;
};

static int write_mem(FILE *fp, void *ctx)
{
	const struct mem *m = ctx;

	return fwrite(m->buf, 1, m->len, fp) == m->len ? 0 : -1;
}

static int write_file(const char *path, int (*fn)(FILE *, void *), void *ctx)
{
	FILE *fp = fopen(path, "wb");
	int rc;

	if (!fp)
		return -1;
	rc = fn(fp, ctx);
	if (fclose(fp) != 0)
		rc = -1;
	return rc;
}

static int series_fn(FILE *fp, void *ctx)
{
	return plot_write_series(fp, ctx);
}

/* gnuplot's message: the line naming the script's line, else the last line it wrote. */
static void gnuplot_why(const char *log, char *why, size_t n)
{
	FILE *fp = fopen(log, "r");
	char line[512];

	snprintf(why, n, "no message");
	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[strspn(line, " \t^")])
			continue;
		snprintf(why, n, "%s", line + strspn(line, " \t"));
		if (strstr(line, ", line "))
			break;
	}
	fclose(fp);
}

/* Runs gnuplot on the script with out and data set. Returns 0 or CLI_EXIT_RUNTIME after one line. */
static int run_gnuplot(const struct plot_tmp *t, int verbose)
{
	char vars[3 * PATH_MAX + 64], qo[PATH_MAX + 80], qd[PATH_MAX + 80], why[512];
	int status, fd, null_in[2];
	pid_t pid;

	plot_quote(qo, sizeof(qo), t->fig);
	plot_quote(qd, sizeof(qd), t->series);
	snprintf(vars, sizeof(vars), "out=%s; data=%s", qo, qd);
	if (pipe(null_in) != 0) {
		fprintf(stderr, "migmeter: cannot start gnuplot: %s\n", strerror(errno));
		return CLI_EXIT_RUNTIME;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "migmeter: cannot start gnuplot: %s\n", strerror(errno));
		close(null_in[0]);
		close(null_in[1]);
		return CLI_EXIT_RUNTIME;
	}
	if (pid == 0) {
		fd = open(t->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		close(null_in[1]);
		if (fd < 0 || dup2(null_in[0], 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		signal(SIGPIPE, SIG_DFL);
		execlp("gnuplot", "gnuplot", "-e", vars, t->script, (char *)NULL);
		_exit(127);
	}
	close(null_in[0]);
	close(null_in[1]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "migmeter: gnuplot: %s\n", strerror(errno));
			return CLI_EXIT_RUNTIME;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		struct stat st;

		if (stat(t->fig, &st) == 0 && st.st_size > 0) {
			if (verbose) {
				FILE *fp = fopen(t->log, "r");
				char line[512];

				while (fp && fgets(line, sizeof(line), fp))
					if (line[strspn(line, " \t\r\n")])
						fprintf(stderr, "migmeter: gnuplot: %s", line);
				if (fp)
					fclose(fp);
			}
			return 0;
		}
		fprintf(stderr, "migmeter: gnuplot wrote no figure\n");
		return CLI_EXIT_RUNTIME;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		fprintf(stderr, "migmeter: gnuplot could not be run (not in PATH? Debian: apt-get install gnuplot-nox)\n");
		return CLI_EXIT_RUNTIME;
	}
	gnuplot_why(t->log, why, sizeof(why));
	if (WIFSIGNALED(status))
		fprintf(stderr, "migmeter: gnuplot was killed by signal %d: %s\n", WTERMSIG(status), why);
	else
		fprintf(stderr, "migmeter: gnuplot failed (exit %d): %s\n", WEXITSTATUS(status), why);
	return CLI_EXIT_RUNTIME;
}

/* The figure's path and format from -o and --format; returns 0 or CLI_EXIT_USAGE after one line. */
static int figure_of(const struct cli_opts *o, char **fig, const char **format)
{
	const char *ext;

	if (!o->out && strcmp(o->args[0], "-") == 0) {
		fprintf(stderr, "migmeter: plot reading standard input needs -o FIG.png|.svg|.pdf\n");
		return CLI_EXIT_USAGE;
	}
	*fig = o->out ? strdup(o->out) : default_figure(o->args[0]);
	if (!*fig) {
		fprintf(stderr, "migmeter: out of memory\n");
		return CLI_EXIT_RUNTIME;
	}
	ext = strcmp(*fig, "-") == 0 ? NULL : ext_format(*fig);
	if (ext && o->plot_format && strcmp(ext, o->plot_format) != 0) {
		fprintf(stderr, "migmeter: -o %s is a .%s name but --format says %s\n", *fig, ext, o->plot_format);
		return CLI_EXIT_USAGE;
	}
	*format = ext ? ext : o->plot_format ? o->plot_format : strcmp(*fig, "-") == 0 ? "png" : NULL;
	if (!*format) {
		const char *dot = strrchr(*fig, '.');

		fprintf(stderr, "migmeter: -o %s: unknown figure type '%s' (name it .png, .svg or .pdf, or give "
			"--format)\n", *fig, dot && !strchr(dot, '/') ? dot : "(no extension)");
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* A JSON document read in chunks through json-c's tokener; NULL after one line naming `label`. */
static json_object *load_json(const char *path, const char *label)
{
	FILE *fp = fopen(path, "rb");
	struct json_tokener *tok = json_tokener_new();
	enum json_tokener_error jerr = json_tokener_continue;
	json_object *r = NULL;
	char buf[65536];
	size_t n, at = 0;

	if (!fp || !tok) {
		fprintf(stderr, "migmeter: %s: %s\n", label, fp ? "out of memory" : strerror(errno));
		goto out;
	}
	while (!r && jerr == json_tokener_continue && (n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		r = json_tokener_parse_ex(tok, buf, (int)n);
		jerr = json_tokener_get_error(tok);
		at += r ? json_tokener_get_parse_end(tok) : n;
	}
	if (ferror(fp))
		fprintf(stderr, "migmeter: %s: %s\n", label, strerror(errno));
	else if (!r && jerr == json_tokener_continue)
		fprintf(stderr, "migmeter: %s: not a JSON report (%s)\n", label,
			at ? "it ends inside the JSON document" : "the file is empty");
	else if (!r)
		fprintf(stderr, "migmeter: %s: not a JSON report (%s near byte %zu)\n", label,
			json_tokener_error_desc(jerr), at - n + json_tokener_get_parse_end(tok));
	else
		goto out;
	json_object_put(r);
	r = NULL;
out:
	if (fp)
		fclose(fp);
	if (tok)
		json_tokener_free(tok);
	return r;
}

/* The time series CSV in the temporary directory, scanned for what the figure needs. Returns 0 or CLI_EXIT_RUNTIME. */
static int scan_series(const struct plot_tmp *t, const char *label, struct plot_data *d)
{
	FILE *fp = fopen(t->series, "r");
	char err[256];

	if (!fp && errno == ENOENT)
		return 0;
	if (!fp || plot_scan_series(fp, d, err, sizeof(err)) < 0) {
		fprintf(stderr, "migmeter: %s: %s\n", label, fp ? err : strerror(errno));
		if (fp)
			fclose(fp);
		return CLI_EXIT_RUNTIME;
	}
	fclose(fp);
	return 0;
}

/*
 * Reads the JSON report (and its time series: the replay's CSV, or the
 * report's own "timeseries" written out as that CSV), builds the script,
 * runs gnuplot, writes the outputs.
 */
static int draw(const struct cli_opts *o, const char *report, const char *label, const char *fig,
		const char *format, const char *keep_data, struct plot_tmp *t)
{
	json_object *r;
	struct plot_data d;
	struct plot_fig f;
	struct mem script = { NULL, 0 };
	char err[512], *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int rc = CLI_EXIT_RUNTIME;

	r = load_json(report, label);
	if (!r)
		return CLI_EXIT_RUNTIME;
	if (plot_data_load(r, &d, err, sizeof(err)) < 0) {
		fprintf(stderr, "migmeter: %s: %s\n", label, err);
		json_object_put(r);
		return CLI_EXIT_RUNTIME;
	}
	json_object_put(r);
	if (access(t->series, F_OK) != 0 && !d.series && !o->quiet)
		fprintf(stderr, "migmeter: %s has no time series (replay --format json --with-series makes one): "
			"throughput shows each migration's mean, no RTT\n", label);
	if (d.series && write_file(t->series, series_fn, &d) < 0) {
		fprintf(stderr, "migmeter: cannot write the time series to %s: %s\n", t->dir, strerror(errno));
		goto out;
	}
	if (scan_series(t, label, &d) != 0)
		goto out;
	f.format = format;
	f.width = o->plot_w ? o->plot_w : 1200;
	f.height = o->plot_h ? o->plot_h : 800;
	f.align = o->align;
	f.out = fig;
	f.data = keep_data ? keep_data : t->series;
	mem = open_memstream(&buf, &len);
	if (!mem || plot_script_write(mem, &d, &f) < 0 || fclose(mem) != 0) {
		fprintf(stderr, "migmeter: out of memory while writing the gnuplot script\n");
		goto out;
	}
	script.buf = buf;
	script.len = len;
	if (write_file(t->script, write_mem, &script) < 0) {
		fprintf(stderr, "migmeter: cannot write the gnuplot script to %s: %s\n", t->dir, strerror(errno));
		goto out;
	}
	rc = run_gnuplot(t, o->verbose);
	if (rc)
		goto out;
	if (out_atomic(fig, copy_file, t->fig, err, sizeof(err)) < 0)
		goto fail;
	if (o->plot_script && out_atomic(o->plot_script, write_mem, &script, err, sizeof(err)) < 0)
		goto fail;
	if (o->plot_script && d.has_series && out_atomic(keep_data, copy_file, t->series, err, sizeof(err)) < 0)
		goto fail;
	goto out;
fail:
	fprintf(stderr, "migmeter: %s\n", err);
	rc = CLI_EXIT_RUNTIME;
out:
	free(buf);
	plot_data_free(&d);
	return rc;
}

int plot_main(int argc, char **argv, plot_replay_fn replay)
{
	struct cli_opts o;
	struct plot_tmp t;
	char **args = calloc((size_t)argc + 1, sizeof(*args)), *fig = NULL, *keep = NULL;
	const char *format = NULL, *outs[3], *what[3] = { "-o", "--plot-script", "the script's data" };
	int done = 0, rc, json, replay_rc = 0;
	size_t nouts = 1, i;

	memset(&t, 0, sizeof(t));
	if (!args) {
		fprintf(stderr, "migmeter: out of memory\n");
		return CLI_EXIT_RUNTIME;
	}
	memcpy(args, argv, (size_t)argc * sizeof(*args));
	rc = cli_parse(CLI_PLOT, argc, args, &o, &done);
	if (rc || done)
		goto out;
	rc = figure_of(&o, &fig, &format);
	if (rc)
		goto out;
	json = o.nargs == 1 && is_json(o.args[0]);
	for (i = 0; !json && i < o.nargs; i++) {
		if (is_json(o.args[i])) {
			fprintf(stderr, "migmeter: plot draws one JSON report or capture files, not %s beside "
				"other files\n", o.args[i]);
			rc = CLI_EXIT_USAGE;
			goto out;
		}
	}
	outs[0] = fig;
	if (o.plot_script) {
		if (strcmp(o.plot_script, "-") == 0) {
			fprintf(stderr, "migmeter: --plot-script needs a file name (its data is written beside it)\n");
			rc = CLI_EXIT_USAGE;
			goto out;
		}
		keep = script_data_name(o.plot_script);
		if (!keep) {
			fprintf(stderr, "migmeter: out of memory\n");
			rc = CLI_EXIT_RUNTIME;
			goto out;
		}
		outs[nouts++] = o.plot_script;
		outs[nouts++] = keep;
	}
	rc = check_outputs(&o, outs, what, nouts);
	if (rc)
		goto out;
	if (find_gnuplot() < 0) {
		fprintf(stderr, "migmeter: gnuplot is not in PATH; plot runs it to draw (Debian: apt-get install "
			"gnuplot-nox)\n");
		rc = CLI_EXIT_RUNTIME;
		goto out;
	}
	if (tmp_make(&t, format) < 0) {
		rc = CLI_EXIT_RUNTIME;
		goto out;
	}
	if (!json) {
		struct cli_opts ro = o;
		struct filter_spec mig, icmp;
		struct stat st;

		ro.cmd = CLI_REPLAY;
		ro.format = "json";
		ro.out = t.report;
		ro.timeseries = t.series;	/* the figure's data, as --timeseries writes it */
		if (!o.bin_given)
			ro.bin = MM_NS_PER_S / 10;
		if (cli_load_filters(&ro, &mig, &icmp) < 0) {
			rc = CLI_EXIT_RUNTIME;
			goto out;
		}
		replay_rc = replay(&ro, &mig, &icmp);
		if (stat(t.report, &st) != 0) {
			rc = replay_rc ? replay_rc : CLI_EXIT_RUNTIME;
			goto out;
		}
	}
	rc = draw(&o, json ? o.args[0] : t.report, json ? o.args[0] : "the replayed report", fig, format, keep, &t);
	if (!rc)
		rc = replay_rc;
out:
	tmp_remove(&t);
	free(fig);
	free(keep);
	free(args);
	return rc;
}
