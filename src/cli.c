/* cli.c - what replay and capture share: the filters, the meter and report settings (options: cli-parse.c; outputs: cli-out.c). */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"

/* Where the filter directory came from, for the messages. */
enum bpf_from { BPF_FROM_OPTION, BPF_FROM_ENV, BPF_FROM_EXE, BPF_FROM_DEFAULT };

/* The bpf/ directory: --bpf-dir, $MIGMETER_BPF_DIR, beside the binary, then the installed one. */
static enum bpf_from find_bpf_dir(const struct cli_opts *o, char *dir, size_t n)
{
	char exe[PATH_MAX], probe[PATH_MAX + 64];
	const char *env = getenv("MIGMETER_BPF_DIR");
	ssize_t len;

	if (o->bpf_dir) {
		snprintf(dir, n, "%s", o->bpf_dir);
		return BPF_FROM_OPTION;
	}
	if (env && *env) {
		snprintf(dir, n, "%s", env);
		return BPF_FROM_ENV;
	}
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		char *slash;

		exe[len] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			/* In the source tree, or installed under any PREFIX (bin/ beside share/). */
			static const char *const rel[] = { "bpf", "../share/migmeter/bpf" };
			size_t i;

			*slash = '\0';
			for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
				snprintf(probe, sizeof(probe), "%s/%s/migration.bpf", exe, rel[i]);
				if (access(probe, R_OK) == 0) {
					snprintf(dir, n, "%s/%s", exe, rel[i]);
					return BPF_FROM_EXE;
				}
			}
		}
	}
	snprintf(dir, n, "%s", MM_BPFDIR);
	return BPF_FROM_DEFAULT;
}

static int load_filter(struct filter_spec *f, const char *user, const char *opt, const char *dir,
		       enum bpf_from from, const char *file, const char *ports)
{
	static const char *const hint[] = {
		[BPF_FROM_OPTION] = " (the directory --bpf-dir names)",
		[BPF_FROM_ENV] = " (the directory MIGMETER_BPF_DIR names)",
		[BPF_FROM_EXE] = "; give the filter directory with --bpf-dir DIR or MIGMETER_BPF_DIR",
		/* One literal in parentheses: clang's -Wstring-concatenation. */
		[BPF_FROM_DEFAULT] = ("; no bpf/ beside the binary either: give the filter directory "
				      "with --bpf-dir DIR or MIGMETER_BPF_DIR"),
	};
	char path[PATH_MAX + 64], err[512];
	int rc;

	if (user)
		rc = filter_from_expr(f, opt, user, err, sizeof(err));
	else {
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		rc = filter_load(f, path, ports, err, sizeof(err));
	}
	if (rc < 0)
		fprintf(stderr, "migmeter: %s%s\n", err,
			!user && strncmp(err, "cannot read", 11) == 0 ? hint[from] : "");
	return rc;
}

/* -v: which filter each capture runs. */
static void note_filter(const struct cli_opts *o, const char *what, const struct filter_spec *f)
{
	if (!o->verbose)
		return;
	if (f->user)
		fprintf(stderr, "migmeter: note: %s filter: '%s' (%s)\n", what, f->alts[0], f->origin);
	else
		fprintf(stderr, "migmeter: note: %s filter: %s, %zu lines%s%s%s\n", what, f->origin, f->n,
			strcmp(what, "migration") == 0 ? " (ports " : "",
			strcmp(what, "migration") == 0 ? o->ports : "", strcmp(what, "migration") == 0 ? ")" : "");
}

/* bpf/announce.bpf before the ICMP filter file's lines (README "Migrations"). */
static int add_announce_filter(struct filter_spec *icmp, const char *dir, const char *ports)
{
	char path[PATH_MAX + 128], err[512];

	snprintf(path, sizeof(path), "%s/announce.bpf", dir);
	if (filter_prepend_file(icmp, path, ports, err, sizeof(err)) < 0) {
		fprintf(stderr, "migmeter: %s\n", err);
		return -1;
	}
	return 0;
}

/* --app/--app-filter: the service's lines before the ICMP capture's (bpf/app.bpf, README "Application impact"). */
static int add_app_filter(const struct cli_opts *o, struct filter_spec *icmp, const char *dir)
{
	char path[PATH_MAX + 128], err[512], ports[APP_MAX_PORTS * 12 + 1];
	size_t i, at = 0;
	int rc;

	if (o->app_filter) {
		rc = filter_prepend_expr(icmp, "--app-filter", o->app_filter, err, sizeof(err));
	} else {
		for (i = 0; i < o->app_nports; i++)
			at += (size_t)snprintf(ports + at, sizeof(ports) - at, "%sport %u", i ? " or " : "",
					       (unsigned)o->app_ports[i]);
		snprintf(path, sizeof(path), "%s/app.bpf", dir);
		rc = filter_prepend_file(icmp, path, ports, err, sizeof(err));
	}
	if (rc < 0)
		fprintf(stderr, "migmeter: %s\n", err);
	return rc;
}

int cli_load_filters(const struct cli_opts *o, struct filter_spec *mig, struct filter_spec *icmp)
{
	char dir[PATH_MAX + 64];
	enum bpf_from from = find_bpf_dir(o, dir, sizeof(dir));

	if (load_filter(mig, o->filter, o->filter == o->filter_words ? "the expression after the options" :
			"--filter", dir, from, "migration.bpf", o->ports) < 0)
		return -1;
	if (load_filter(icmp, o->icmp_filter, "--icmp-filter", dir, from, "icmp.bpf", o->ports) < 0) {
		filter_release(mig);
		return -1;
	}
	/* The VM's announces travel beside its pings: the ICMP capture takes them too. */
	if ((!o->icmp_filter && add_announce_filter(icmp, dir, o->ports) < 0) ||
	    ((o->app_nports || o->app_filter) && add_app_filter(o, icmp, dir) < 0)) {
		filter_release(mig);
		filter_release(icmp);
		return -1;
	}
	note_filter(o, "migration", mig);
	note_filter(o, "echo", icmp);
	return 0;
}

void cli_note_left_out(const struct cli_opts *o, const struct filter_spec *f, const char *where, int dlt,
		       int snaplen, int kernel)
{
	const char *link = pcap_datalink_val_to_name(dlt);
	pcap_t *p;
	size_t i;

	if (!o->verbose || f->user)
		return;
	p = pcap_open_dead(dlt, snaplen > 0 ? snaplen : 262144);
	if (!p)
		return;
	for (i = 0; i < f->n; i++) {
		switch (filter_alt_fit(f, i, p, kernel)) {
		case FILTER_FITS:
			break;
		case FILTER_NO_LINK:
			fprintf(stderr, "migmeter: note: %s: %s line %u left out ('%s'): link type %s cannot "
				"express it\n", where, filter_alt_origin(f, i), f->line[i], f->alts[i], link ? link : "?");
			break;
		case FILTER_NO_KERNEL:
			fprintf(stderr, "migmeter: note: %s: %s line %u left out ('%s'): the kernel cannot "
				"run it (libpcap's protochain jumps backwards), so what only it matches is not "
				"captured live\n", where, filter_alt_origin(f, i), f->line[i], f->alts[i]);
			break;
		}
	}
	pcap_close(p);
}

int cli_setup(enum cli_cmd cmd, int argc, char **argv, struct cli_opts *o, struct filter_spec *mig,
	      struct filter_spec *icmp, int *done)
{
	int rc = cli_parse(cmd, argc, argv, o, done);

	if (rc || *done)
		return rc;
	return cli_load_filters(o, mig, icmp) < 0 ? CLI_EXIT_RUNTIME : 0;
}

void cli_meter_cfg(const struct cli_opts *o, struct meter_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->flow.port_lo = o->port_lo;
	cfg->flow.port_hi = o->port_hi;
	cfg->flow.max_flows = o->max_flows;
	cfg->flow.any = (uint8_t)o->ports_any;
	cfg->bin = o->bin;
	cfg->echo.late_threshold = o->late_threshold;
	cfg->app.enabled = o->app_nports > 0 || o->app_filter != NULL;
	memcpy(cfg->app.ports, o->app_ports, sizeof(cfg->app.ports));
	cfg->app.nports = o->app_nports;
	cfg->app.window = o->app_window != MM_NS_NONE ? o->app_window : 0;
	cfg->app.filter = o->app_filter;
}

void cli_report_opts(const struct cli_opts *o, struct report_opts *ro)
{
	memset(ro, 0, sizeof(*ro));
	ro->ports = o->ports_any ? "any" : o->ports;
	ro->ping_target = o->have_target ? o->ping_target : NULL;
	ro->nominal_interval = o->ping_interval;
}

/* For cli-out.c: the filter files are inputs no output may overwrite. */
void cli_bpf_dir(const struct cli_opts *o, char *dir, size_t n)
{
	find_bpf_dir(o, dir, n);
}
