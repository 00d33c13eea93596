/* announce.h - the switchover on the wire: a VM's RARP/GARP announces, and its frames around them. */
#ifndef MM_ANNOUNCE_H
#define MM_ANNOUNCE_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "mmtime.h"

#define ANN_RARP 1	/* RARP reverse request: QEMU announces the VM after resuming it */
#define ANN_GARP 2	/* gratuitous ARP from the VM's MAC: the guest announces itself */

/*
 * One announce frame, and what the VM's MAC did around it.  The reply
 * and frame times are filled in as the frames arrive (live, the event is
 * complete once the VM has answered a ping after it).
 */
struct ann_event {
	mm_ns ts;
	uint8_t mac[6];			/* the sender hardware address: the VM */
	uint8_t how;			/* ANN_RARP or ANN_GARP */
	struct dec_addr ip;		/* GARP: the address announced; family 0 for RARP */
	unsigned view;			/* the vantage point that saw it (meter_view) */
	mm_ns last_reply_before;	/* last echo reply from this MAC before it, or MM_NS_NONE */
	mm_ns first_reply_after;	/* first echo reply from this MAC after it */
	mm_ns first_frame_after;	/* first frame from this MAC after it that is not a RARP */
	struct dec_addr reply_ip;	/* the source address of this MAC's echo replies (family 0: none seen) */
};

struct ann_cfg {
	size_t max_events;	/* announces kept (0: 65536, 6 MB at most); more are counted, not kept */
	size_t max_macs;	/* source MACs followed (0: 4096) */
};

/* What the stage saw; damaged = truncated or lying ARP headers. */
struct ann_stats {
	uint64_t rarp, garp, damaged, not_kept, macs_not_followed;
	uint64_t forgotten;	/* kept, then let go by ann_forget_before (a long live capture) */
};

struct ann_table;

/* A new table, or NULL when out of memory. */
struct ann_table *ann_new(const struct ann_cfg *cfg);
void ann_free(struct ann_table *at);	/* NULL is a no-op */

/*
 * Looks at one frame that passed the ICMP/announce filter, decoded into
 * *p from `frame` (its captured bytes): keeps a RARP or gratuitous ARP
 * announce, and follows the source MACs of echo replies (and of the
 * announcers' other frames) to fill the times of struct ann_event.
 * Frames without a source MAC (raw IP captures) only count as announces.
 */
void ann_frame(struct ann_table *at, const struct dec_pkt *p, const uint8_t *frame, unsigned view,
	       mm_ns ts);

/* Announces kept, in order of arrival. */
/*
 * Frees the events held (their figures stay in ann_get_stats): the end of
 * a capture, once the migration stage has taken its copies.  Later frames
 * start over.
 */
void ann_release_events(struct ann_table *at);

/*
 * A live capture's retention: the announces that came before `before`
 * (the oldest migration still held) leave the table for good, in order
 * of arrival, so a capture running for weeks never meets max_events;
 * counted in ann_stats.forgotten.  Returns how many.
 */
size_t ann_forget_before(struct ann_table *at, mm_ns before);

size_t ann_count(const struct ann_table *at);
const struct ann_event *ann_get(const struct ann_table *at, size_t i);	/* NULL past the end */

void ann_get_stats(const struct ann_table *at, struct ann_stats *st);

/* "rarp" or "garp". */
const char *ann_how_name(uint8_t how);

#endif
