/* filter.h - the capture filters: loaded from bpf/, ports substituted, compiled by libpcap. */
#ifndef MM_FILTER_H
#define MM_FILTER_H

#include <stddef.h>
#include <pcap/pcap.h>

#define FILTER_MAX_ALTS 32

/*
 * A filter as alternatives to OR together.  From a file, each non-comment
 * line is one alternative, and an alternative that libpcap cannot compile
 * for a given link type (`vlan` on Linux cooked, say) is left out for
 * that link type.  A user's expression (--filter) is one alternative that
 * must compile as it is.
 */
struct filter_spec {
	char *alts[FILTER_MAX_ALTS];
	unsigned line[FILTER_MAX_ALTS];	/* each one's line in the file (0: not from a file) */
	size_t n;
	int user;		/* 1: from the command line, never trimmed */
	char origin[256];	/* file name or "--filter", for messages */
	size_t n_pre;		/* alternatives 0..n_pre-1 come from pre_origin (filter_prepend_file) */
	char pre_origin[256];
};

/* The file (or option) alternative i came from, for messages. */
const char *filter_alt_origin(const struct filter_spec *f, size_t i);

/*
 * Reads `path`, replacing every "@PORTS@" with `ports` ("49152-49261").
 * Returns 0, or -1 with a one-line reason in err (missing file, no
 * alternative, too many lines).
 */
int filter_load(struct filter_spec *f, const char *path, const char *ports, char *err, size_t errlen);

/*
 * Puts the alternatives of filter file `path` (as filter_load reads it)
 * before those of *f: a second file joining a capture's filter, first so
 * that the `vlan` lines of *f cannot shift its offsets.  Returns 0, or -1
 * with a one-line reason in err (*f is then unchanged).
 */
int filter_prepend_file(struct filter_spec *f, const char *path, const char *ports, char *err,
			size_t errlen);

/*
 * The same for a user's expression (--app-filter): one alternative before
 * those of *f.  Returns 0, or -1 with a reason in err.
 */
int filter_prepend_expr(struct filter_spec *f, const char *origin, const char *expr, char *err, size_t errlen);

/* Makes a spec of the single user expression `expr`. Returns 0 or -1 (out of memory). */
int filter_from_expr(struct filter_spec *f, const char *origin, const char *expr, char *err, size_t errlen);

void filter_release(struct filter_spec *f);

/*
 * Compiles the spec for handle `p` (its link type and snap length) into
 * *prog (free it with pcap_freecode).  Returns 0, or -1 with libpcap's
 * message in err when nothing compiles.
 */
int filter_compile(const struct filter_spec *f, pcap_t *p, struct bpf_program *prog, char *err, size_t errlen);

/*
 * The same for a live capture: the program must also pass the Linux
 * socket filter checker, so that the kernel filters and only matching
 * frames enter the ring.  Alternatives the kernel cannot run (libpcap's
 * `protochain` loops backwards) are left out of a filter file's set and
 * counted in *left_out; a user's expression is kept as it is.
 */
int filter_compile_kernel(const struct filter_spec *f, pcap_t *p, struct bpf_program *prog,
			  size_t *left_out, char *err, size_t errlen);

/* Whether alternative i of a spec compiles alone for handle `p`, and with `kernel` runs in the kernel too. */
enum filter_fit { FILTER_FITS, FILTER_NO_LINK, FILTER_NO_KERNEL };
enum filter_fit filter_alt_fit(const struct filter_spec *f, size_t i, pcap_t *p, int kernel);

#endif
