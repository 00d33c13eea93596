/* seqwin.c - a window of request/reply slots by unwrapped sequence number: growth, budget, retirement. */
#include "seqwin.h"

#include <stdlib.h>
#include <string.h>

#define SEQWIN_SLOTS0 32   /* first slot array */

/* How many more slots the pool allows. */
static size_t room(const struct seqwin_pool *p)
{
	return p->cap > p->used ? p->cap - p->used : 0;
}

int seqwin_start(struct seqwin *w, struct seqwin_pool *p, int64_t u)
{
	size_t n = SEQWIN_SLOTS0, left = room(p);

	if (n > left)
		n = left;
	if (n <= SEQWIN_FRONT_SLACK)
		return -1;
	w->slots = calloc(n, sizeof(*w->slots));
	if (!w->slots)
		return -1;
	w->alloc = n;
	w->lo = u - SEQWIN_FRONT_SLACK;
	w->base = w->umin = w->umax = u;
	w->retired = 0;
	p->used += n;
	return 0;
}

/* Room below lo for u < lo (rare: older than anything seen). */
static int grow_front(struct seqwin *w, struct seqwin_pool *p, int64_t u, size_t left)
{
	size_t need = (size_t)(w->lo - u), extra = w->alloc;
	struct seqwin_slot *ns;

	if (need > left)
		return -1;
	if (extra > left)
		extra = left;
	if (extra < need)
		extra = need;
	ns = calloc(w->alloc + extra, sizeof(*ns));
	if (!ns)
		return -1;
	memcpy(ns + extra, w->slots, w->alloc * sizeof(*ns));
	free(w->slots);
	p->used += extra;
	w->slots = ns;
	w->alloc += extra;
	w->lo -= (int64_t)extra;
	return 0;
}

int seqwin_reserve(struct seqwin *w, struct seqwin_pool *p, int64_t u, seqwin_retire_fn fn, void *ctx)
{
	size_t left = room(p);

	if (!w->slots)
		return -1;
	while (u >= w->lo + (int64_t)w->alloc) {
		size_t need = (size_t)(u - w->lo) + 1;
		size_t grow = w->alloc;   /* doubling, if the pool allows */
		size_t nalloc;
		struct seqwin_slot *ns;

		if (need - w->alloc > left || w->alloc >= SEQWIN_MAX) {
			/* full: the oldest slots go; u lands 3/4 into the window */
			int64_t want = u - (int64_t)(w->alloc * 3 / 4), before = w->base;

			if (want > w->umax)
				want = w->umax;
			if (!fn || fn(ctx, want) < 0)
				return -1;
			if (w->base > before)
				continue;
			/*
			 * A jump longer than the window (an outage of thousands of
			 * requests): the slots in between must exist for a moment.
			 * Past the pool by at most two windows; the next retirement
			 * gives the room back.
			 */
			if (need - w->alloc > SEQWIN_MAX || p->used + (need - w->alloc) > p->cap + 2 * SEQWIN_MAX)
				return -1;
			grow = need - w->alloc;
			left = grow;
		}
		if (grow > left)
			grow = left;
		nalloc = w->alloc + grow;
		if (nalloc < need)
			nalloc = need;
		ns = realloc(w->slots, nalloc * sizeof(*ns));
		if (!ns)
			return -1;
		memset(ns + w->alloc, 0, (nalloc - w->alloc) * sizeof(*ns));
		p->used += nalloc - w->alloc;
		w->slots = ns;
		w->alloc = nalloc;
	}
	if (u < w->lo)
		return grow_front(w, p, u, left);
	return 0;
}

void seqwin_note(struct seqwin *w, int64_t u)
{
	if (u > w->umax)
		w->umax = u;
	if (u < w->umin) {
		w->umin = u;
		if (!w->retired)
			w->base = u;
	}
}

struct seqwin_slot *seqwin_at(const struct seqwin *w, int64_t u)
{
	return &w->slots[u - w->lo];
}

struct seqwin_slot *seqwin_first(const struct seqwin *w)
{
	return &w->slots[w->base - w->lo];
}

size_t seqwin_len(const struct seqwin *w)
{
	return (size_t)(w->umax - w->base) + 1;
}

void seqwin_advance(struct seqwin *w, struct seqwin_pool *p, size_t cut)
{
	size_t off = (size_t)(w->base + (int64_t)cut - w->lo);

	w->retired = 1;
	memmove(w->slots, w->slots + off, (w->alloc - off) * sizeof(*w->slots));
	memset(w->slots + (w->alloc - off), 0, off * sizeof(*w->slots));
	w->lo += (int64_t)off;
	w->base += (int64_t)cut;
	/* a window grown past the pool for a jump gives the room back */
	if (w->alloc > SEQWIN_MAX || p->used > p->cap) {
		size_t used = (size_t)(w->umax - w->lo) + 1, nalloc = used + used / 2 + SEQWIN_FRONT_SLACK;

		if (nalloc < w->alloc) {
			struct seqwin_slot *ns = realloc(w->slots, nalloc * sizeof(*ns));

			if (ns) {
				p->used -= w->alloc - nalloc;
				w->slots = ns;
				w->alloc = nalloc;
			}
		}
	}
}

void seqwin_trim(struct seqwin *w, struct seqwin_pool *p)
{
	size_t off, nalloc;
	struct seqwin_slot *ns;

	if (!w->slots || !w->retired)
		return;
	off = (size_t)(w->base - w->lo);
	if (off) {
		memmove(w->slots, w->slots + off, (w->alloc - off) * sizeof(*w->slots));
		memset(w->slots + (w->alloc - off), 0, off * sizeof(*w->slots));
		w->lo = w->base;
	}
	nalloc = (size_t)(w->umax - w->lo) + 1;
	if (nalloc < SEQWIN_SLOTS0)
		nalloc = SEQWIN_SLOTS0;
	if (nalloc >= w->alloc)
		return;
	ns = realloc(w->slots, nalloc * sizeof(*ns));
	if (!ns)
		return;
	p->used -= w->alloc - nalloc;
	w->slots = ns;
	w->alloc = nalloc;
}

void seqwin_free(struct seqwin *w, struct seqwin_pool *p)
{
	if (w->slots)
		p->used -= w->alloc;
	free(w->slots);
	w->slots = NULL;
	w->alloc = 0;
}
