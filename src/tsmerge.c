/* tsmerge.c - live captures' frames into one timeline: a FIFO per capture, oldest head first. */
#include "tsmerge.h"

#include <stdlib.h>
#include <string.h>

struct rec {
	mm_ns ts;			/* INT64_MIN for an impossible time: it goes first */
	struct pcap_pkthdr h;
	/* h.caplen bytes follow, then padding to 8 */
};

struct fifo {
	uint8_t *buf;
	size_t head, tail, cap;		/* bytes: [head, tail) queued */
	size_t n;			/* frames queued */
};

struct tsm {
	struct fifo *f;
	unsigned n;
	size_t max_bytes;
};

static size_t rec_size(uint32_t caplen)
{
	return (sizeof(struct rec) + caplen + 7u) & ~(size_t)7u;
}

struct tsm *tsm_new(unsigned n, size_t max_bytes)
{
	struct tsm *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->f = calloc(n, sizeof(*q->f));
	if (!q->f) {
		free(q);
		return NULL;
	}
	q->n = n;
	q->max_bytes = max_bytes;
	return q;
}

void tsm_free(struct tsm *q)
{
	unsigned i;

	if (!q)
		return;
	for (i = 0; i < q->n; i++)
		free(q->f[i].buf);
	free(q->f);
	free(q);
}

static mm_ns frame_ts(const struct pcap_pkthdr *h)
{
	if (h->ts.tv_sec < 0 || h->ts.tv_usec < 0 || h->ts.tv_usec >= MM_NS_PER_S)
		return INT64_MIN;
	return (mm_ns)h->ts.tv_sec * MM_NS_PER_S + h->ts.tv_usec;
}

int tsm_push(struct tsm *q, unsigned src, const struct pcap_pkthdr *h, const uint8_t *data)
{
	struct fifo *f = &q->f[src];
	size_t need = rec_size(h->caplen);
	struct rec r;

	if (f->tail + need > f->cap) {
		/* Move the queued bytes to the front first; grow only when that is not enough. */
		if (f->head > 0) {
			memmove(f->buf, f->buf + f->head, f->tail - f->head);
			f->tail -= f->head;
			f->head = 0;
		}
		if (f->tail + need > f->cap) {
			size_t ncap = f->cap ? f->cap : 65536;
			uint8_t *nb;

			while (ncap < f->tail + need)
				ncap *= 2;
			nb = realloc(f->buf, ncap);
			if (!nb)
				return -1;
			f->buf = nb;
			f->cap = ncap;
		}
	}
	memset(&r, 0, sizeof(r));
	r.ts = frame_ts(h);
	r.h = *h;
	memcpy(f->buf + f->tail, &r, sizeof(r));
	if (h->caplen)
		memcpy(f->buf + f->tail + sizeof(r), data, h->caplen);
	f->tail += need;
	f->n++;
	return 0;
}

static const struct rec *head(const struct fifo *f)
{
	return f->n ? (const struct rec *)(const void *)(f->buf + f->head) : NULL;
}

static void pop(struct tsm *q, unsigned src, tsm_fn fn, void *ctx)
{
	struct fifo *f = &q->f[src];
	const struct rec *r = head(f);

	fn(ctx, src, &r->h, (const uint8_t *)(r + 1));
	f->head += rec_size(r->h.caplen);
	if (--f->n == 0)
		f->head = f->tail = 0;
}

void tsm_emit(struct tsm *q, mm_ns upto, tsm_fn fn, void *ctx)
{
	for (;;) {
		unsigned i, best = q->n, empty = 0;
		const struct rec *rb = NULL;

		for (i = 0; i < q->n; i++) {
			const struct rec *r = head(&q->f[i]);

			/* Over its budget: the oldest frame goes now, whatever the others hold. */
			if (r && q->f[i].tail - q->f[i].head > q->max_bytes) {
				best = i;
				rb = r;
				empty = 0;
				break;
			}
			if (!r)
				empty++;
			else if (!rb || r->ts < rb->ts) {
				best = i;
				rb = r;
			}
		}
		if (!rb)
			return;
		/* With a capture empty, it may still deliver something older than rb. */
		if (empty && rb->ts > upto)
			return;
		pop(q, best, fn, ctx);
	}
}

size_t tsm_queued(const struct tsm *q, unsigned src)
{
	return q->f[src].n;
}
