/* source-order.h - the frames of a multi-interface pcapng file back in time order (a bounded reorder buffer). */
#ifndef MM_SOURCE_ORDER_H
#define MM_SOURCE_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "mmtime.h"
#include "source.h"

/*
 * dumpcap writes the interfaces of one capture into one pcapng file as
 * each one's buffer fills, so the file's order is not time order: a frame
 * of one interface may follow another's stamped up to hundreds of ms later
 * (232 ms seen with `dumpcap -i lo -i any`).  Files are merged by time
 * (source-merge.c), and so are the interfaces inside one file, through
 * this buffer: it holds frames (copies) until they are SOURCE_ORDER_WINDOW
 * older than the newest one taken, or until it holds SOURCE_ORDER_BYTES
 * (so replay's peak RSS stays under 32 MB), and hands them out oldest
 * first (ties in file order).  A frame later than that is handed out as
 * it comes.
 */
#define SOURCE_ORDER_WINDOW ((mm_ns)2 * MM_NS_PER_S)
#define SOURCE_ORDER_BYTES  ((size_t)16 << 20)	/* frames and their bookkeeping */

struct source_order;

struct source_order *source_order_new(void);
void source_order_free(struct source_order *o);	/* NULL is a no-op */

/* Takes a copy of frame f. 0, or -1 when out of memory (nothing taken). */
int source_order_push(struct source_order *o, const struct source_frame *f);

/*
 * The oldest frame held into *f when it is due (`all`: at the end of the
 * input, whatever its age); its data stays valid until the next call.
 * Returns 1, or 0 when none is due.
 */
int source_order_pop(struct source_order *o, int all, struct source_frame *f);

#endif
