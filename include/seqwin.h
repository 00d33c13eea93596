/* seqwin.h - a window of request/reply slots indexed by unwrapped sequence number, grown under a shared budget. */
#ifndef MM_SEQWIN_H
#define MM_SEQWIN_H

#include <stddef.h>
#include <stdint.h>

#include "mmtime.h"

#define SEQWIN_MAX         ((size_t)32 << 10)   /* slots one window keeps before it retires the oldest */
#define SEQWIN_FRONT_SLACK 8                    /* room below the first number: a late earlier one may follow */

/* Slot flags: SEQWIN_REQ and SEQWIN_REP are this module's; 0x04 and up are the user's. */
#define SEQWIN_REQ 0x01   /* request seen: t is its (earliest) send time */
#define SEQWIN_REP 0x02   /* at least one reply seen: rep is the first */

/* One sequence number: a request and its reply. */
struct seqwin_slot {
	mm_ns t;          /* request send time */
	mm_ns rep;        /* first reply time */
	uint32_t nrep;    /* replies seen, saturating */
	uint8_t flags;
	uint8_t rep_src;  /* which capture saw the first reply (the user's) */
};

/* The slot budget shared by every window of a table. */
struct seqwin_pool {
	size_t used;      /* slots allocated over all windows */
	size_t cap;       /* at most this many (a jump may exceed it by 2 x SEQWIN_MAX for a moment) */
};

/*
 * One stream's window: slots[i] is sequence number lo + i; [base, umax]
 * are the live ones (base = umin until something was retired).  Zero it,
 * then seqwin_start() before the first use.
 */
struct seqwin {
	struct seqwin_slot *slots;
	size_t alloc;
	int64_t lo;
	int64_t base, umin, umax;
	int retired;      /* slots were retired: numbers below base are gone */
};

/*
 * Called by seqwin_reserve when the window is full: retire (fold into the
 * caller's running figures, then seqwin_advance) the slots before `want`,
 * or fewer.  Returns 0, or -1 to give up (seqwin_reserve then fails).
 */
typedef int (*seqwin_retire_fn)(void *ctx, int64_t want);

/* The first slots around sequence number u.  Returns 0, or -1 when the pool or memory does not allow it. */
int seqwin_start(struct seqwin *w, struct seqwin_pool *p, int64_t u);

/*
 * Makes sequence number u addressable, growing the array towards
 * whichever end is short (doubling while the pool allows) and, once the
 * window holds SEQWIN_MAX slots, retiring the oldest through `fn`.
 * Returns 0, or -1 (pool, memory, a jump longer than a window, or fn).
 * Does not move umin/umax: the caller marks what it stores (seqwin_note).
 */
int seqwin_reserve(struct seqwin *w, struct seqwin_pool *p, int64_t u, seqwin_retire_fn fn, void *ctx);

/* Records that u holds something: umin/umax (and base until slots were retired). */
void seqwin_note(struct seqwin *w, int64_t u);

/* Slot of sequence number u (reserved before); the live slots are seqwin_first()[0 .. seqwin_len()). */
struct seqwin_slot *seqwin_at(const struct seqwin *w, int64_t u);
struct seqwin_slot *seqwin_first(const struct seqwin *w);
size_t seqwin_len(const struct seqwin *w);

/*
 * Drops the first `cut` live slots (cut < seqwin_len): base moves on by
 * cut, the rest slides to the front; a window grown past the pool for a
 * jump gives the room back.
 */
void seqwin_advance(struct seqwin *w, struct seqwin_pool *p, size_t cut);

/*
 * After slots were retired: gives the pool back every slot past the live
 * ones (keeping at least 32), so an idle window costs little.
 */
void seqwin_trim(struct seqwin *w, struct seqwin_pool *p);

void seqwin_free(struct seqwin *w, struct seqwin_pool *p);   /* the slots; the window is empty after */

#endif
