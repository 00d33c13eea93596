/* tsmerge.h - frames of several live captures put back into one timeline by timestamp. */
#ifndef MM_TSMERGE_H
#define MM_TSMERGE_H

#include <stddef.h>
#include <stdint.h>
#include <pcap/pcap.h>

#include "mmtime.h"

/*
 * Each capture hands over its frames in its own order, a ring block at a
 * time, so frames of two captures arrive interleaved out of time order.
 * tsm keeps a copy of each frame in a FIFO per capture and emits them
 * oldest first: a frame goes out once every other capture has a later
 * frame queued, or once it is older than the caller's `upto` (no capture
 * can still deliver anything older).  A FIFO over its byte budget gives
 * up its oldest frames at once (ordering then may slip; memory stays
 * bounded).
 */
struct tsm;

typedef void (*tsm_fn)(void *ctx, unsigned src, const struct pcap_pkthdr *h, const uint8_t *data);

/* Queues for n sources, each holding at most max_bytes; NULL when out of memory. */
struct tsm *tsm_new(unsigned n, size_t max_bytes);
void tsm_free(struct tsm *q);	/* NULL is a no-op */

/* Copies a frame of source `src` (h->ts.tv_usec holds nanoseconds). Returns 0 or -1 (memory). */
int tsm_push(struct tsm *q, unsigned src, const struct pcap_pkthdr *h, const uint8_t *data);

/*
 * Hands fn every frame that can go out now, in timestamp order (ties: the
 * lower source first); `upto` = INT64_MAX emits everything.
 */
void tsm_emit(struct tsm *q, mm_ns upto, tsm_fn fn, void *ctx);

/* Frames queued for source src. */
size_t tsm_queued(const struct tsm *q, unsigned src);

#endif
