/* medset.c - multisets of durations and exact medians (the echo streams' retired gaps and RTTs). */
#include "medset.h"

#include <stdlib.h>

static int cmp_ns(const void *a, const void *b)
{
	mm_ns x = *(const mm_ns *)a, y = *(const mm_ns *)b;

	return (x > y) - (x < y);
}

mm_ns medset_median(mm_ns *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_ns);
	if (n % 2)
		return v[n / 2];
	return mm_mid(v[n / 2 - 1], v[n / 2]);
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

static int cmp_vent(const void *a, const void *b)
{
	mm_ns x = ((const struct medset_ent *)a)->v, y = ((const struct medset_ent *)b)->v;

	return (x > y) - (x < y);
}

mm_ns medset_median_with(const struct medset *m, mm_ns *extra, size_t k, int *oom)
{
	size_t ne = 0, j = 0;
	uint64_t total = medset_count(m) + k, seen = 0, want_lo, want_hi;
	struct medset_ent *all;
	mm_ns lo = MM_NS_NONE, hi = MM_NS_NONE;

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
	qsort(all, ne, sizeof(*all), cmp_vent);
	/* 0-based ranks of the middle element(s), as median() picks them */
	want_hi = total / 2;
	want_lo = total % 2 ? want_hi : want_hi - 1;
	for (j = 0; j < ne; j++) {
		if (lo == MM_NS_NONE && seen + all[j].c > want_lo)
			lo = all[j].v;
		if (seen + all[j].c > want_hi) {
			hi = all[j].v;
			break;
		}
		seen += all[j].c;
	}
	free(all);
	if (total % 2)
		return hi;
	return mm_mid(lo, hi);
}

void medset_free(struct medset *m)
{
	free(m->e);
	m->e = NULL;
	m->cap = m->n = 0;
}
