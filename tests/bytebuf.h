/* bytebuf.h - a growing byte buffer for the test programs that write captures (gen_fixtures, gen_hostile). */
#ifndef MM_TESTS_BYTEBUF_H
#define MM_TESTS_BYTEBUF_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buf {
	uint8_t *p;
	size_t n, cap;
};

/* Room for `more` bytes; a test generator out of memory says so and exits. */
static inline void b_reserve(struct buf *b, size_t more)
{
	size_t ncap;
	uint8_t *np;

	if (b->n + more <= b->cap)
		return;
	ncap = b->cap ? b->cap : 128;
	while (ncap < b->n + more)
		ncap *= 2;
	np = realloc(b->p, ncap);
	if (!np) {
		fputs("out of memory\n", stderr);
		exit(1);
	}
	b->p = np;
	b->cap = ncap;
}

static inline void b_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static inline void b_mem(struct buf *b, const void *p, size_t n)
{
	b_reserve(b, n);
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

static inline void b_u8(struct buf *b, uint8_t v)
{
	b_mem(b, &v, 1);
}

static inline void b_be16(struct buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	b_mem(b, x, 2);
}

static inline void b_be32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	b_mem(b, x, 4);
}

static inline void b_le16(struct buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	b_mem(b, x, 2);
}

static inline void b_le32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	b_mem(b, x, 4);
}

static inline void b_zero(struct buf *b, size_t n)
{
	b_reserve(b, n);
	memset(b->p + b->n, 0, n);
	b->n += n;
}

static inline void set_be16(struct buf *b, size_t off, uint16_t v)
{
	b->p[off] = (uint8_t)(v >> 8);
	b->p[off + 1] = (uint8_t)v;
}

#endif
