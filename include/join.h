/* join.h - which input files are one capture (the parts of a rotated capture) and which are separate vantage points. */
#ifndef MM_JOIN_H
#define MM_JOIN_H

#include <stddef.h>

#include "instream.h"
#include "mmtime.h"

/* How the inputs of a replay are read: decided from the files, or forced. */
enum join_mode {
	JOIN_AUTO,		/* parts of one capture joined, the rest apart (join_decide) */
	JOIN_ONE,		/* every file a part of one capture */
	JOIN_SEPARATE		/* every file its own vantage point */
};

/* What the decision knows about one input. */
struct join_item {
	const char *sig;	/* link types and interface names; only equal ones join */
	mm_ns first, last;	/* first and last record time; MM_NS_NONE: not known */
	int scanned;		/* a regular file whose range was scanned (auto joins only those) */
};

/*
 * Groups n inputs into captures.  JOIN_SEPARATE: each its own.  JOIN_ONE:
 * all one capture, parts ordered by first record time (input order for
 * equal or unknown times); every signature must be equal, else -1 with
 * *bad the first input that differs from input 0.  JOIN_AUTO: scanned
 * inputs taken by first record time; each joins the capture of equal
 * signature whose last record is latest among those not later than its
 * own first record (it follows that capture without overlapping it),
 * else starts a capture of its own; inputs not scanned are their own.
 * group[i] gets the capture number (0, 1, ... numbered by their lowest
 * input index), part[i] the position in it.  Returns the number of
 * captures, or -1.
 */
int join_decide(const struct join_item *it, size_t n, enum join_mode mode, unsigned *group,
		unsigned *part, size_t *bad);

/*
 * First and last record time of a regular file (pcap or pcapng, by the
 * magic), read with pread through a window, records' data skipped.
 * Times outside [lo, hi] are passed over.  The scan stops at the first
 * damage: the range is what comes before it.  Returns 0 (both
 * MM_NS_NONE when no record has a time), or -1 when the file cannot be
 * read.
 */
int join_scan(struct instream *s, mm_ns lo, mm_ns hi, mm_ns *first, mm_ns *last);

#endif
