/* medset.c - multisets of durations and exact medians (the echo streams' retired gaps and RTTs). */
#include "medset.h"

#include <stdlib.h>

static int cmp_vent(const void *a, const void *b)
{
	mm_ns x = ((const struct medset_ent *)a)->v, y = ((const struct medset_ent *)b)->v;

	return (x > y) - (x < y);
}

/* Rounds of selection before the rest is sorted instead: no input makes it quadratic. */
#define SELECT_ROUNDS 48

static void swap_ent(struct medset_ent *a, size_t i, size_t j)
{
	struct medset_ent t = a[i];

	a[i] = a[j];
	a[j] = t;
}

static mm_ns mid3(mm_ns a, mm_ns b, mm_ns c)
{
	if (a > b) {
		mm_ns t = a;

		a = b;
		b = t;
	}
	return c <= a ? a : c >= b ? b : c;
}

/*
 * The value of 0-based rank r (r < the entries' counts summed) among n
 * entries each counted c times; a[] is reordered.  Expected O(n):
 * three-way partitions around a median of three, the side holding rank
 * r kept; after SELECT_ROUNDS rounds, the rest is sorted and walked.
 */
static mm_ns rank_of(struct medset_ent *a, size_t n, uint64_t r)
{
	size_t lo = 0, hi = n, i, lt, gt;
	uint64_t base = 0, cl, ce;
	int round;

	for (round = 0; hi - lo > 1 && round < SELECT_ROUNDS; round++) {
		mm_ns p = mid3(a[lo].v, a[lo + (hi - lo) / 2].v, a[hi - 1].v);

		lt = i = lo;
		gt = hi;
		cl = ce = 0;
		while (i < gt) {
			if (a[i].v < p) {
				cl += a[i].c;
				swap_ent(a, lt++, i++);
			} else if (a[i].v > p) {
				swap_ent(a, i, --gt);
			} else {
				ce += a[i++].c;
			}
		}
		if (r < base + cl) {
			hi = lt;
		} else if (r < base + cl + ce) {
			return p;
		} else {
			base += cl + ce;
			lo = gt;
		}
	}
	qsort(a + lo, hi - lo, sizeof(*a), cmp_vent);
	for (i = lo; i + 1 < hi; i++) {
		if (r < base + a[i].c)
			break;
		base += a[i].c;
	}
	return a[i].v;
}

/* The median of n entries (n >= 1 counted), as median() picks it: the middle one, or the mean of the two. */
static mm_ns median_of(struct medset_ent *a, size_t n, uint64_t total)
{
	uint64_t hi = total / 2;

	if (total % 2)
		return rank_of(a, n, hi);
	return mm_mid(rank_of(a, n, hi - 1), rank_of(a, n, hi));
}

mm_ns medset_median(mm_ns *v, size_t n)
{
	struct medset_ent *a;
	mm_ns med;
	size_t i;

	if (n == 0)
		return MM_NS_NONE;
	a = malloc(n * sizeof(*a));
	if (!a) {
		/* no memory for the selection: sort in place, as before */
		for (i = 1; i < n; i++) {
			mm_ns x = v[i];
			size_t j = i;

			for (; j > 0 && v[j - 1] > x; j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
		return n % 2 ? v[n / 2] : mm_mid(v[n / 2 - 1], v[n / 2]);
	}
	for (i = 0; i < n; i++) {
		a[i].v = v[i];
		a[i].c = 1;
	}
	med = median_of(a, n, n);
	free(a);
	return med;
}

static size_t ent_slot(const struct medset *m, mm_ns v)
{
	uint64_t h = (uint64_t)v * 0x9E3779B97F4A7C15ULL;
	size_t i = (size_t)(h ^ (h >> 32)) & (m->cap - 1);

	while (m->e[i].c && m->e[i].v != v)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static mm_ns ent_round(const struct medset *m, mm_ns v)
{
	/* floor to a multiple of 2^shift, negative values included */
	return m->shift ? (mm_ns)((uint64_t)(v >> m->shift) << m->shift) : v;
}

/* Rebuilds into cap entries, re-rounding with the current shift. Returns 0 or -1. */
static int rehash(struct medset *m, size_t cap, size_t *used)
{
	struct medset_ent *old = m->e;
	size_t ocap = m->cap;
	struct medset_ent *ne = calloc(cap, sizeof(*ne));

	if (!ne)
		return -1;
	*used += cap;
	*used -= ocap;
	m->e = ne;
	m->cap = cap;
	m->n = 0;
	for (size_t i = 0; i < ocap; i++) {
		if (old[i].c) {
			mm_ns v = ent_round(m, old[i].v);
			size_t j = ent_slot(m, v);

			if (!m->e[j].c)
				m->n++;
			m->e[j].v = v;
			m->e[j].c += old[i].c;
		}
	}
	free(old);
	return 0;
}

void medset_add(struct medset *m, size_t *used, size_t budget, mm_ns v)
{
	size_t i;

	if (!m->e) {
		if (*used + 64 > budget || rehash(m, 64, used) < 0)
			return;
	}
	v = ent_round(m, v);
	i = ent_slot(m, v);
	if (!m->e[i].c) {
		/* a new value: keep the load at or under one half */
		while ((m->n + 1) * 2 > m->cap) {
			size_t ncap = m->cap * 2;

			if (m->n + 1 <= MEDSET_MAX && *used + ncap - m->cap <= budget &&
			    rehash(m, ncap, used) == 0)
				break;
			/* full: coarser values, merged in place */
			m->shift++;
			if (rehash(m, m->cap, used) < 0)
				return;
		}
		v = ent_round(m, v);
		i = ent_slot(m, v);
		if (!m->e[i].c)
			m->n++;
	}
	m->e[i].v = v;
	m->e[i].c++;
}

uint64_t medset_count(const struct medset *m)
{
	uint64_t n = 0;

	for (size_t i = 0; m->e && i < m->cap; i++)
		n += m->e[i].c;
	return n;
}

mm_ns medset_median_with(const struct medset *m, mm_ns *extra, size_t k, int *oom)
{
	size_t ne = 0;
	uint64_t total = medset_count(m) + k;
	struct medset_ent *all;
	mm_ns med;

	if (total == 0)
		return MM_NS_NONE;
	if (!m->n)
		return medset_median(extra, k);
	all = malloc((m->n + k) * sizeof(*all));
	if (!all) {
		*oom = 1;
		return MM_NS_NONE;
	}
	for (size_t i = 0; i < m->cap; i++)
		if (m->e[i].c)
			all[ne++] = m->e[i];
	for (size_t i = 0; i < k; i++) {
		all[ne].v = extra[i];
		all[ne++].c = 1;
	}
	med = median_of(all, ne, total);
	free(all);
	return med;
}

void medset_free(struct medset *m)
{
	free(m->e);
	m->e = NULL;
	m->cap = m->n = 0;
}
