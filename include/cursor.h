/* cursor.h - the one bounds-checked reader every packet parser goes through. */
#ifndef MM_CURSOR_H
#define MM_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * A cursor over untrusted bytes [p, end).  Every read goes through memcpy
 * (no unaligned casts) and checks the remaining length first.  A read past
 * the end returns 0, leaves the cursor where it was and sets the sticky
 * `err` flag, so a parser can read a whole fixed header and test `err`
 * once at the end (knot-dns's wire_ctx style).
 */
struct cur {
	const uint8_t *p;
	const uint8_t *end;
	int err;
};

static inline void cur_init(struct cur *c, const uint8_t *p, size_t n)
{
	c->p = p;
	c->end = p + n;
	c->err = 0;
}

static inline size_t cur_left(const struct cur *c)
{
	return c->err ? 0 : (size_t)(c->end - c->p);
}

/* Returns a pointer to the next n bytes and advances, or NULL (err set). */
static inline const uint8_t *cur_take(struct cur *c, size_t n)
{
	const uint8_t *q;

	if (c->err || (size_t)(c->end - c->p) < n) {
		c->err = 1;
		return NULL;
	}
	q = c->p;
	c->p += n;
	return q;
}

static inline void cur_skip(struct cur *c, size_t n)
{
	(void)cur_take(c, n);
}

/* Copies n bytes out; on a short read `dst` is zeroed and err set. */
static inline void cur_copy(struct cur *c, void *dst, size_t n)
{
	const uint8_t *q = cur_take(c, n);

	if (q)
		memcpy(dst, q, n);
	else
		memset(dst, 0, n);
}

static inline uint8_t cur_u8(struct cur *c)
{
	const uint8_t *q = cur_take(c, 1);

	return q ? q[0] : 0;
}

static inline uint16_t cur_be16(struct cur *c)
{
	uint8_t b[2];

	cur_copy(c, b, 2);
	return (uint16_t)((b[0] << 8) | b[1]);
}

static inline uint32_t cur_be32(struct cur *c)
{
	uint8_t b[4];

	cur_copy(c, b, 4);
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) |
	       ((uint32_t)b[2] << 8) | b[3];
}

static inline uint16_t cur_le16(struct cur *c)
{
	uint8_t b[2];

	cur_copy(c, b, 2);
	return (uint16_t)((b[1] << 8) | b[0]);
}

static inline uint32_t cur_le32(struct cur *c)
{
	uint8_t b[4];

	cur_copy(c, b, 4);
	return ((uint32_t)b[3] << 24) | ((uint32_t)b[2] << 16) |
	       ((uint32_t)b[1] << 8) | b[0];
}

/* Peeks without advancing; 0 and err set when short. */
static inline uint8_t cur_peek_u8(struct cur *c, size_t off)
{
	if (c->err || (size_t)(c->end - c->p) <= off) {
		c->err = 1;
		return 0;
	}
	return c->p[off];
}

#endif
