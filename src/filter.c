/* filter.c - load the BPF filter files and compile them with libpcap for each link type. */
#include "filter.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILTER_MAX_FILE (64 * 1024)

/* Copies line[0..n) with every "@PORTS@" replaced by ports; NULL when out of memory. */
static char *substitute(const char *line, size_t n, const char *ports)
{
	static const char tag[] = "@PORTS@";
	size_t tl = sizeof(tag) - 1, pl = strlen(ports), out = 0, i;
	char *buf;

	/* Worst case every byte starts a tag: bound the size once. */
	buf = malloc(n + (n / tl + 1) * pl + 1);
	if (!buf)
		return NULL;
	for (i = 0; i < n;) {
		if (n - i >= tl && memcmp(line + i, tag, tl) == 0) {
			memcpy(buf + out, ports, pl);
			out += pl;
			i += tl;
		} else {
			buf[out++] = line[i++];
		}
	}
	buf[out] = '\0';
	return buf;
}

static int blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

int filter_load(struct filter_spec *f, const char *path, const char *ports, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len;
	FILE *fp;
	const char *p, *end;
	unsigned line = 0;
	int rc = -1;

	memset(f, 0, sizeof(*f));
	snprintf(f->origin, sizeof(f->origin), "%s", path);
	fp = fopen(path, "r");
	if (!fp) {
		snprintf(err, errlen, "cannot read filter file %s: %s", path, strerror(errno));
		return -1;
	}
	text = malloc(FILTER_MAX_FILE + 1);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	len = fread(text, 1, FILTER_MAX_FILE + 1, fp);
	if (len > FILTER_MAX_FILE) {
		snprintf(err, errlen, "filter file %s is larger than %d bytes", path, FILTER_MAX_FILE);
		goto out;
	}
	for (p = text, end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *hash = memchr(p, '#', (size_t)(eol - p));
		size_t n = (size_t)((hash ? hash : eol) - p);

		line++;
		if (!blank(p, n)) {
			if (f->n == FILTER_MAX_ALTS) {
				snprintf(err, errlen, "filter file %s has more than %d alternatives", path,
					 FILTER_MAX_ALTS);
				goto out;
			}
			f->alts[f->n] = substitute(p, n, ports);
			if (!f->alts[f->n]) {
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			f->line[f->n] = line;
			f->n++;
		}
		p = nl ? nl + 1 : end;
	}
	if (f->n == 0) {
		snprintf(err, errlen, "filter file %s holds no expression", path);
		goto out;
	}
	rc = 0;
out:
	free(text);
	fclose(fp);
	if (rc < 0)
		filter_release(f);
	return rc;
}

/* Moves the alternatives of `more` before those of *f (more is emptied); 0, or -1 with a reason. */
static int prepend(struct filter_spec *f, struct filter_spec *more, char *err, size_t errlen)
{
	char origin[2 * sizeof(f->pre_origin) + 8];
	size_t i;

	if (f->n + more->n > FILTER_MAX_ALTS) {
		snprintf(err, errlen, "%s and %s have more than %d alternatives together", more->origin,
			 f->origin, FILTER_MAX_ALTS);
		filter_release(more);
		return -1;
	}
	memmove(f->alts + more->n, f->alts, f->n * sizeof(f->alts[0]));
	memmove(f->line + more->n, f->line, f->n * sizeof(f->line[0]));
	for (i = 0; i < more->n; i++) {
		f->alts[i] = more->alts[i];
		f->line[i] = more->line[i];
	}
	f->n += more->n;
	/* A second file joining names both (messages only). */
	if (f->n_pre)
		snprintf(origin, sizeof(origin), "%s or %s", more->origin, f->pre_origin);
	else
		snprintf(origin, sizeof(origin), "%s", more->origin);
	snprintf(f->pre_origin, sizeof(f->pre_origin), "%.*s", (int)sizeof(f->pre_origin) - 1, origin);
	f->n_pre += more->n;
	more->n = 0;
	return 0;
}

int filter_prepend_file(struct filter_spec *f, const char *path, const char *ports, char *err,
			size_t errlen)
{
	struct filter_spec more;

	if (filter_load(&more, path, ports, err, errlen) < 0)
		return -1;
	return prepend(f, &more, err, errlen);
}

int filter_prepend_expr(struct filter_spec *f, const char *origin, const char *expr, char *err, size_t errlen)
{
	struct filter_spec more;

	if (filter_from_expr(&more, origin, expr, err, errlen) < 0)
		return -1;
	return prepend(f, &more, err, errlen);
}

const char *filter_alt_origin(const struct filter_spec *f, size_t i)
{
	return i < f->n_pre ? f->pre_origin : f->origin;
}

int filter_from_expr(struct filter_spec *f, const char *origin, const char *expr, char *err, size_t errlen)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->origin, sizeof(f->origin), "%s", origin);
	f->user = 1;
	f->alts[0] = strdup(expr);
	if (!f->alts[0]) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	f->n = 1;
	return 0;
}

void filter_release(struct filter_spec *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->alts[i]);
	f->n = 0;
}

/* "(a) or (b) or ..." over the alternatives whose bit is set in `use`. */
static char *join(const struct filter_spec *f, uint64_t use)
{
	size_t i, len = 1, at = 0;
	char *s;

	for (i = 0; i < f->n; i++)
		if (use & (1ULL << i))
			len += strlen(f->alts[i]) + 6;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (i = 0; i < f->n; i++) {
		if (use & (1ULL << i))
			at += (size_t)snprintf(s + at, len - at, "%s(%s)", at ? " or " : "", f->alts[i]);
	}
	return s;
}

/*
 * Whether the Linux socket filter checker takes the program: at most
 * BPF_MAXINSNS instructions and every jump forward and inside it.
 * libpcap's `protochain` loops with a backward jump, which only its own
 * interpreter runs; a kernel refusal makes libpcap filter in user space,
 * where every frame is copied into the ring first.
 */
static int kernel_ok(const struct bpf_program *prog)
{
	u_int i;

	if (prog->bf_len == 0 || prog->bf_len > 4096)
		return 0;
	for (i = 0; i < prog->bf_len; i++) {
		const struct bpf_insn *in = &prog->bf_insns[i];
		uint64_t next = (uint64_t)i + 1;

		if (BPF_CLASS(in->code) != BPF_JMP)
			continue;
		if (BPF_OP(in->code) == BPF_JA) {
			if (next + in->k >= prog->bf_len)
				return 0;
		} else if (next + in->jt >= prog->bf_len || next + in->jf >= prog->bf_len) {
			return 0;
		}
	}
	return 1;
}

/* Compiles the alternatives in `use`: 0, -1 when libpcap (or the kernel) refuses, -2 out of memory. */
static int compile_set(const struct filter_spec *f, uint64_t use, pcap_t *p, struct bpf_program *prog,
		       int kernel)
{
	char *expr = join(f, use);
	int rc;

	if (!expr)
		return -2;
	rc = pcap_compile(p, prog, expr, 1, PCAP_NETMASK_UNKNOWN);
	free(expr);
	if (rc == 0 && kernel && !kernel_ok(prog)) {
		pcap_freecode(prog);
		return -1;
	}
	return rc == 0 ? 0 : -1;
}

static int compile(const struct filter_spec *f, pcap_t *p, struct bpf_program *prog, int kernel,
		   size_t *left_out, char *err, size_t errlen)
{
	uint64_t use = (1ULL << f->n) - 1;	/* n <= FILTER_MAX_ALTS < 64 */
	size_t i;
	int rc;

	*left_out = 0;
	if (f->n == 0) {
		snprintf(err, errlen, "%s: empty filter", f->origin);
		return -1;
	}
	/* A user's expression is taken as it is (libpcap filters in user space if it must). */
	rc = compile_set(f, use, p, prog, kernel && !f->user);
	if (rc == -1 && !f->user) {
		/* Leave out the alternatives this link type (or the kernel) cannot take, keep the order. */
		use = 0;
		for (i = 0; i < f->n; i++) {
			struct bpf_program one;

			if (compile_set(f, 1ULL << i, p, &one, kernel) == 0) {
				use |= 1ULL << i;
				pcap_freecode(&one);
			} else {
				(*left_out)++;
			}
		}
		rc = use ? compile_set(f, use, p, prog, kernel) : -1;
	}
	if (rc == 0)
		return 0;
	if (rc == -2)
		snprintf(err, errlen, "out of memory");
	else
		snprintf(err, errlen, "%s: %s", f->origin, pcap_geterr(p));
	return -1;
}

int filter_compile(const struct filter_spec *f, pcap_t *p, struct bpf_program *prog, char *err, size_t errlen)
{
	size_t left_out;

	return compile(f, p, prog, 0, &left_out, err, errlen);
}

int filter_compile_kernel(const struct filter_spec *f, pcap_t *p, struct bpf_program *prog,
			  size_t *left_out, char *err, size_t errlen)
{
	return compile(f, p, prog, 1, left_out, err, errlen);
}

enum filter_fit filter_alt_fit(const struct filter_spec *f, size_t i, pcap_t *p, int kernel)
{
	struct bpf_program prog;
	int ok;

	if (i >= f->n || compile_set(f, 1ULL << i, p, &prog, 0) != 0)
		return FILTER_NO_LINK;
	ok = kernel_ok(&prog);
	pcap_freecode(&prog);
	return kernel && !ok ? FILTER_NO_KERNEL : FILTER_FITS;
}
