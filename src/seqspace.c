/* seqspace.c - unwrapped TCP sequence coverage: unique and retransmitted bytes. */
#include "seqspace.h"

#include <stdlib.h>
#include <string.h>

#define SEQ_DEFAULT_MAX 256
/* Start well above zero so a segment slightly before the first one seen fits. */
#define SEQ_ORIGIN (1ULL << 40)

void seq_init(struct seqspace *s, size_t max_ivals)
{
	memset(s, 0, sizeof(*s));
	s->max = max_ivals ? max_ivals : SEQ_DEFAULT_MAX;
}

void seq_release(struct seqspace *s)
{
	free(s->iv);
	s->iv = NULL;
	s->n = s->cap = 0;
}

/* Nearest 64-bit value whose low 32 bits are seq (RFC 9293 §3.4 arithmetic mod 2^32). */
static uint64_t unwrap(const struct seqspace *s, uint32_t seq)
{
	int32_t delta = (int32_t)(seq - (uint32_t)s->top);

	return s->top + (int64_t)delta;
}

/* Index of the first interval whose hi >= lo (could merge with [lo, ...)). */
static size_t first_touching(const struct seqspace *s, uint64_t lo)
{
	size_t a = 0, b = s->n;

	while (a < b) {
		size_t m = a + (b - a) / 2;

		if (s->iv[m].hi < lo)
			a = m + 1;
		else
			b = m;
	}
	return a;
}

static int grow(struct seqspace *s)
{
	size_t ncap = s->cap ? s->cap * 2 : 4;
	struct seq_ival *niv;

	if (ncap > s->max + 1)
		ncap = s->max + 1;
	niv = realloc(s->iv, ncap * sizeof(*niv));
	if (!niv)
		return -1;
	s->iv = niv;
	s->cap = ncap;
	return 0;
}

/* Folds the lowest interval into the floor when the list is over its cap. */
static void fold_lowest(struct seqspace *s)
{
	s->floor = s->iv[0].hi;
	memmove(&s->iv[0], &s->iv[1], (s->n - 1) * sizeof(s->iv[0]));
	s->n--;
	s->approx = 1;
}

int seq_add(struct seqspace *s, uint32_t seq, uint32_t len, struct seq_result *r)
{
	uint64_t lo, hi, seen = 0;
	size_t i, j;

	r->fresh = 0;
	if (len == 0)
		return 0;
	if (!s->init) {
		s->init = 1;
		s->top = SEQ_ORIGIN + seq;
	}
	lo = unwrap(s, seq);
	hi = lo + len;

	/* Fast path: in-order data extending the last interval. */
	if (s->n > 0 && s->iv[s->n - 1].hi == lo && lo >= s->floor) {
		s->iv[s->n - 1].hi = hi;
		s->top = hi > s->top ? hi : s->top;
		r->fresh = len;
		return 0;
	}

	if (lo < s->floor)
		seen += (hi < s->floor ? hi : s->floor) - lo;
	if (hi <= s->floor) {
		r->fresh = 0;
		return 0;
	}
	if (lo < s->floor)
		lo = s->floor;

	i = first_touching(s, lo);
	for (j = i; j < s->n && s->iv[j].lo <= hi; j++) {
		uint64_t a = s->iv[j].lo > lo ? s->iv[j].lo : lo;
		uint64_t b = s->iv[j].hi < hi ? s->iv[j].hi : hi;

		if (b > a)
			seen += b - a;
	}
	r->fresh = (uint64_t)len - seen;
	if (hi > s->top)
		s->top = hi;

	if (j > i) {
		/* Merge iv[i..j) with [lo, hi). */
		uint64_t nlo = s->iv[i].lo < lo ? s->iv[i].lo : lo;
		uint64_t nhi = s->iv[j - 1].hi > hi ? s->iv[j - 1].hi : hi;

		s->iv[i].lo = nlo;
		s->iv[i].hi = nhi;
		memmove(&s->iv[i + 1], &s->iv[j], (s->n - j) * sizeof(s->iv[0]));
		s->n -= j - i - 1;
		return 0;
	}
	if (s->n == s->cap && grow(s) < 0) {
		s->approx = 1;
		return -1;
	}
	memmove(&s->iv[i + 1], &s->iv[i], (s->n - i) * sizeof(s->iv[0]));
	s->iv[i].lo = lo;
	s->iv[i].hi = hi;
	s->n++;
	if (s->n > s->max)
		fold_lowest(s);
	return 0;
}

void seq_freeze(struct seqspace *s)
{
	/* Keeps n <= max; the next insertion grows the array by one slot at most, then folds. */
	if (s->n < s->max)
		s->max = s->n;
}
