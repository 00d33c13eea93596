/* seqspace.h - which part of one direction's 32-bit TCP sequence space has been seen. */
#ifndef MM_SEQSPACE_H
#define MM_SEQSPACE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Sequence numbers are unwrapped into 64 bits relative to the highest
 * byte seen, so flows larger than 4 GiB keep counting.  Covered ranges
 * are kept as a sorted list of disjoint intervals; the list has a cap,
 * and when it overflows the lowest interval is folded into a floor
 * (everything below it counts as seen), which can only under-count later
 * fills of old holes: `approx` is then set.
 */
struct seq_ival {
	uint64_t lo, hi;	/* [lo, hi) */
};

struct seqspace {
	int init;
	uint8_t approx;
	uint64_t top;		/* highest end seen (unwrapped) */
	uint64_t floor;		/* below this everything counts as seen */
	struct seq_ival *iv;
	size_t n, cap;
	size_t max;		/* cap on intervals */
};

/* What one segment added. */
struct seq_result {
	uint64_t fresh;		/* bytes never seen before */
};

/* Initialises an empty space holding at most max_ivals gap intervals (0 = 256). */
void seq_init(struct seqspace *s, size_t max_ivals);
void seq_release(struct seqspace *s);

/*
 * Accounts a segment of `len` bytes starting at sequence number `seq`.
 * Returns 0, or -1 when out of memory (the result is still right for this
 * segment, but its range is not remembered and `approx` is set).
 */
int seq_add(struct seqspace *s, uint32_t seq, uint32_t len, struct seq_result *r);

/*
 * Stops the interval list from growing past what is allocated now: from
 * here on a new interval folds the lowest one into the floor (`approx`).
 * For a table-wide budget on intervals.
 */
void seq_freeze(struct seqspace *s);

#endif
