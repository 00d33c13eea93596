/* prom-text.c - the Prometheus text exposition format: families, samples with escaped labels, histograms. */
#include "prom-text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void prom_text_init(struct prom_text *t)
{
	memset(t, 0, sizeof(*t));
}

void prom_text_release(struct prom_text *t)
{
	free(t->s);
	prom_text_init(t);
}

/* Room for n more bytes and a NUL; marks t failed when there is none. */
static int reserve(struct prom_text *t, size_t n)
{
	size_t want, cap;
	char *s;

	if (t->failed)
		return -1;
	if (n > PROM_TEXT_MAX || t->len > PROM_TEXT_MAX - n) {
		t->failed = 1;
		return -1;
	}
	want = t->len + n + 1;
	if (want <= t->cap)
		return 0;
	cap = t->cap ? t->cap : 4096;
	while (cap < want)
		cap *= 2;
	s = realloc(t->s, cap);
	if (!s) {
		t->failed = 1;
		return -1;
	}
	t->s = s;
	t->cap = cap;
	return 0;
}

static void put(struct prom_text *t, const char *p, size_t n)
{
	if (reserve(t, n) < 0)
		return;
	memcpy(t->s + t->len, p, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void puts_(struct prom_text *t, const char *p)
{
	put(t, p, strlen(p));
}

/*
 * p with the format's escapes: in a label value backslash, double quote
 * and line feed; in HELP text backslash and line feed only.
 */
static void put_escaped(struct prom_text *t, const char *p, int quote)
{
	const char *run = p;

	for (; *p; p++) {
		const char *esc = *p == '\\' ? "\\\\" : *p == '\n' ? "\\n" : *p == '"' && quote ? "\\\"" : NULL;

		if (!esc)
			continue;
		put(t, run, (size_t)(p - run));
		puts_(t, esc);
		run = p + 1;
	}
	put(t, run, (size_t)(p - run));
}

void prom_text_family(struct prom_text *t, const char *name, const char *type, const char *help)
{
	puts_(t, "# HELP ");
	puts_(t, name);
	puts_(t, " ");
	put_escaped(t, help, 0);
	puts_(t, "\n# TYPE ");
	puts_(t, name);
	puts_(t, " ");
	puts_(t, type);
	puts_(t, "\n");
}

void prom_text_value(char *buf, size_t n, double v)
{
	const char *e;
	int prec, exp;

	if (isnan(v)) {
		snprintf(buf, n, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, n, "%s", v > 0 ? "+Inf" : "-Inf");
		return;
	}
	/*
	 * As the Go client libraries write it (strconv 'g', shortest): the
	 * fewest significant digits that read back as v, in exponent form when
	 * the exponent is below -4 or 6 and over.  So a bucket's le label is
	 * the same string whether Prometheus scrapes migmeter or node_exporter
	 * re-exposes the textfile ("1e+08", "0.0025", "3600").
	 */
	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, n, "%.*e", prec - 1, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	snprintf(buf, n, "%.*e", prec - 1, v);
	e = strchr(buf, 'e');
	exp = e ? atoi(e + 1) : 0;
	if (exp < -4 || exp >= 6)
		return;
	snprintf(buf, n, "%.*f", prec - 1 - exp > 0 ? prec - 1 - exp : 0, v);
}

static void put_label(struct prom_text *t, int first, const char *name, const char *value)
{
	puts_(t, first ? "{" : ",");
	puts_(t, name);
	puts_(t, "=\"");
	put_escaped(t, value ? value : "", 1);
	puts_(t, "\"");
}

void prom_text_sample(struct prom_text *t, const char *name, const char *suffix,
		      const struct prom_label *labels, size_t nlabels, const char *extra_name,
		      const char *extra_value, double value)
{
	char v[40];
	size_t i;

	puts_(t, name);
	puts_(t, suffix);
	for (i = 0; i < nlabels; i++)
		put_label(t, i == 0, labels[i].name, labels[i].value);
	if (extra_name)
		put_label(t, nlabels == 0, extra_name, extra_value);
	if (nlabels || extra_name)
		puts_(t, "}");
	prom_text_value(v, sizeof(v), value);
	puts_(t, " ");
	puts_(t, v);
	puts_(t, "\n");
}

void prom_text_hist(struct prom_text *t, const char *name, const struct prom_label *labels, size_t nlabels,
		    const struct prom_hist *h)
{
	char le[40];
	uint64_t cum = 0;
	size_t i;

	for (i = 0; i < h->nle; i++) {
		cum += h->bucket[i];
		prom_text_value(le, sizeof(le), h->le[i]);
		prom_text_sample(t, name, "_bucket", labels, nlabels, "le", le, (double)cum);
	}
	prom_text_sample(t, name, "_bucket", labels, nlabels, "le", "+Inf", (double)h->count);
	prom_text_sample(t, name, "_sum", labels, nlabels, NULL, NULL, h->sum);
	prom_text_sample(t, name, "_count", labels, nlabels, NULL, NULL, (double)h->count);
}

void prom_text_observe(struct prom_hist *h, double v)
{
	size_t i;

	if (!isfinite(v) || v < 0)
		return;
	for (i = 0; i < h->nle && v > h->le[i]; i++)
		;
	h->bucket[i]++;
	h->count++;
	h->sum += v;
}
