/* prom-text.h - the Prometheus text exposition format (version 0.0.4): HELP/TYPE lines, samples, histograms. */
#ifndef MM_PROM_TEXT_H
#define MM_PROM_TEXT_H

#include <stddef.h>
#include <stdint.h>

/*
 * A text being built, in memory, with a cap: once a write would take it
 * past PROM_TEXT_MAX (or memory runs out) the text is marked failed and
 * later writes do nothing, so a caller checks once, at the end.  Samples
 * carry no timestamps (node_exporter's textfile collector refuses them;
 * a scrape is timed by Prometheus).
 */
#define PROM_TEXT_MAX ((size_t)16 << 20)

struct prom_text {
	char *s;		/* NUL-terminated when len > 0 (owned) */
	size_t len, cap;
	int failed;		/* out of memory or over PROM_TEXT_MAX: the text is incomplete */
};

/* One label: name (a valid label name, not escaped) and value (any bytes, escaped on output). */
struct prom_label {
	const char *name;
	const char *value;
};

/* A histogram's upper bounds (finite, ascending; +Inf is implied) and counts per bucket. */
struct prom_hist {
	const double *le;	/* nle bounds */
	size_t nle;
	uint64_t *bucket;	/* nle + 1 counts, not cumulative: bucket[i] holds le[i-1] < v <= le[i], the last one v > le[nle-1] */
	double sum;
	uint64_t count;
};

void prom_text_init(struct prom_text *t);
void prom_text_release(struct prom_text *t);	/* frees s; safe twice */

/* "# HELP name help" (help escaped: backslash, newline) and "# TYPE name type". */
void prom_text_family(struct prom_text *t, const char *name, const char *type, const char *help);

/*
 * One sample line: name, suffix ("" or "_bucket", "_sum", "_count"), the
 * labels (label values escaped: backslash, double quote, newline) plus an
 * optional extra one (extra_name NULL: none; for "le"), and the value.
 */
void prom_text_sample(struct prom_text *t, const char *name, const char *suffix,
		      const struct prom_label *labels, size_t nlabels, const char *extra_name,
		      const char *extra_value, double value);

/* A histogram's lines: one _bucket per bound, cumulative, then le="+Inf", _sum and _count. */
void prom_text_hist(struct prom_text *t, const char *name, const struct prom_label *labels, size_t nlabels,
		    const struct prom_hist *h);

/*
 * A value as the Go client libraries write it (and so node_exporter, which
 * re-exposes a textfile): the fewest digits that read back as the same
 * double, in exponent form below 1e-4 and from 1e6 ("1e+08", "0.0025",
 * "3600", "2.5e+09"); "+Inf", "-Inf", "NaN".  buf holds at least 32 bytes.
 */
void prom_text_value(char *buf, size_t n, double v);

/* Observes v in h; NaN, an infinity or a negative value is no observation (durations, sizes, rates). */
void prom_text_observe(struct prom_hist *h, double v);

#endif
