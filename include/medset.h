/* medset.h - multisets of durations and exact medians: what the echo medians keep of retired slots. */
#ifndef MM_MEDSET_H
#define MM_MEDSET_H

#include <stddef.h>
#include <stdint.h>

#include "mmtime.h"

/* Distinct values a multiset keeps exactly. */
#define MEDSET_MAX 4096

struct medset_ent {
	mm_ns v;
	uint64_t c;	/* 0: empty */
};

/*
 * A multiset of durations (value -> count), zero-initialised.  Exact up
 * to MEDSET_MAX distinct values (or the caller's budget); past that,
 * values are rounded down to a multiple of 2^shift ns, coarser each time
 * it fills again.
 */
struct medset {
	struct medset_ent *e;
	size_t cap, n;
	unsigned shift;
};

/*
 * Adds one value.  *used counts the entries allocated over every multiset
 * sharing `budget`; past it the multiset coarsens instead of growing (or,
 * with no room at all, the value is left out).
 */
void medset_add(struct medset *m, size_t *used, size_t budget, mm_ns v);

/* Values added (with their multiplicity). */
uint64_t medset_count(const struct medset *m);

/* Median of v[0..n) (n > 0); sorts v.  Even n: the exact midpoint of the middle two. */
mm_ns medset_median(mm_ns *v, size_t n);

/*
 * Median of the multiset m together with extra[0..k) (each once): the
 * same value medset_median gives over all of them.  MM_NS_NONE when
 * empty; *oom set (and MM_NS_NONE) when out of memory.
 */
mm_ns medset_median_with(const struct medset *m, mm_ns *extra, size_t k, int *oom);

void medset_free(struct medset *m);	/* the entries; m stays usable (empty) */

#endif
