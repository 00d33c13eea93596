/* source-order.c - the frames of a multi-interface pcapng file back in time order (a bounded reorder buffer). */
#include "source-order.h"

#include <stdlib.h>
#include <string.h>

#include "arr.h"

/* A frame held: its copy and its place in the file (ties keep file order). */
struct held {
	struct source_frame f;
	uint8_t *data;
	uint64_t seq;
};

struct source_order {
	struct held *h;		/* a binary min-heap by (ts, seq) */
	size_t n, cap;
	size_t bytes;		/* memory held: frames and their entries */
	uint64_t seq;
	mm_ns newest;		/* the newest time taken; MM_NS_NONE: none yet */
	uint8_t *out;		/* the frame handed out last */
};

struct source_order *source_order_new(void)
{
	struct source_order *o = calloc(1, sizeof(*o));

	if (o)
		o->newest = MM_NS_NONE;
	return o;
}

void source_order_free(struct source_order *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++)
		free(o->h[i].data);
	free(o->h);
	free(o->out);
	free(o);
}

/* What holding a frame costs: its bytes, its entry and the allocator's header. */
static size_t cost(const struct source_frame *f)
{
	return (size_t)f->caplen + sizeof(struct held) + 16;
}

static int before(const struct held *a, const struct held *b)
{
	return a->f.ts != b->f.ts ? a->f.ts < b->f.ts : a->seq < b->seq;
}

static void swap(struct held *a, struct held *b)
{
	struct held t = *a;

	*a = *b;
	*b = t;
}

int source_order_push(struct source_order *o, const struct source_frame *f)
{
	struct held *e;
	size_t i;

	if (o->n == o->cap && arr_grow((void **)&o->h, &o->cap, sizeof(*o->h), 256) < 0)
		return -1;
	e = &o->h[o->n];
	e->data = malloc(f->caplen ? f->caplen : 1);
	if (!e->data)
		return -1;
	memcpy(e->data, f->data, f->caplen);
	e->f = *f;
	e->f.data = e->data;
	e->seq = o->seq++;
	o->bytes += cost(f);
	if (o->newest == MM_NS_NONE || f->ts > o->newest)
		o->newest = f->ts;
	for (i = o->n++; i > 0 && before(&o->h[i], &o->h[(i - 1) / 2]); i = (i - 1) / 2)
		swap(&o->h[i], &o->h[(i - 1) / 2]);
	return 0;
}

int source_order_pop(struct source_order *o, int all, struct source_frame *f)
{
	size_t i = 0;

	if (o->n == 0 ||
	    (!all && o->bytes <= SOURCE_ORDER_BYTES && o->h[0].f.ts > mm_sub(o->newest, SOURCE_ORDER_WINDOW)))
		return 0;
	free(o->out);
	o->out = o->h[0].data;
	*f = o->h[0].f;
	o->bytes -= cost(f);
	o->h[0] = o->h[--o->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < o->n && before(&o->h[l], &o->h[m]))
			m = l;
		if (r < o->n && before(&o->h[r], &o->h[m]))
			m = r;
		if (m == i)
			break;
		swap(&o->h[i], &o->h[m]);
		i = m;
	}
	arr_shrink((void **)&o->h, &o->cap, o->n, sizeof(*o->h), 256);	/* a burst's room goes back */
	return 1;
}
