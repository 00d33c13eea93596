/* plot-cli.c - the values of plot's own options: --format, --plot-script, --align, --size. */
#include "plot.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli-usage.h"

/* --size WxH: pixels, each side in range. */
static int plot_size(const char *opt, const char *v, struct cli_opts *o)
{
	unsigned w = 0, h = 0;
	int end = 0;
	const char *x = strpbrk(v, "xX");

	if (!isdigit((unsigned char)*v) || !x || !isdigit((unsigned char)x[1]) ||
	    sscanf(v, "%5u%*[xX]%5u%n", &w, &h, &end) != 2 || v[end] || w < 320 || h < 240 || w > 8000 ||
	    h > 8000) {
		fprintf(stderr, "migmeter: %s '%s': must be WxH in pixels, 320x240 to 8000x8000\n", opt, v);
		return CLI_EXIT_USAGE;
	}
	o->plot_w = (int)w;
	o->plot_h = (int)h;
	return 0;
}

int plot_cli_value(int id, const char *opt, const char *v, struct cli_opts *o)
{
	switch (id) {
	case CLI_OPT_FORMAT:
		if (strcmp(v, "png") != 0 && strcmp(v, "svg") != 0 && strcmp(v, "pdf") != 0) {
			fprintf(stderr, "migmeter: %s '%s': a figure is png, svg or pdf\n", opt, v);
			return CLI_EXIT_USAGE;
		}
		o->plot_format = v;
		return 0;
	case CLI_OPT_PLOT_SCRIPT:
		if (!*v) {
			fprintf(stderr, "migmeter: %s needs a file name, not an empty word\n", opt);
			return CLI_EXIT_USAGE;
		}
		o->plot_script = v;
		return 0;
	case CLI_OPT_ALIGN:
		if (strcmp(v, "capture") == 0 || strcmp(v, "migration") == 0) {
			o->align = strcmp(v, "migration") == 0 ? CLI_ALIGN_MIGRATION : CLI_ALIGN_CAPTURE;
			return 0;
		}
		fprintf(stderr, "migmeter: %s '%s': must be capture or migration\n", opt, v);
		return CLI_EXIT_USAGE;
	case CLI_OPT_SIZE:
		return plot_size(opt, v, o);
	}
	fprintf(stderr, "migmeter: %s: not handled\n", opt);
	return CLI_EXIT_USAGE;
}
