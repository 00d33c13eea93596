/* source.h - where frames come from: saved captures, merged into one timeline. */
#ifndef MM_SOURCE_H
#define MM_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "netif.h"
#include "mmtime.h"

#define SOURCE_MATCH_MIG  1u	/* the migration filter accepts the frame */
#define SOURCE_MATCH_ICMP 2u	/* the ICMP filter accepts the frame */

/* One frame; data stays valid until the next source_next(). */
struct source_frame {
	const uint8_t *data;
	uint32_t caplen, len;
	mm_ns ts;
	unsigned src;		/* input index */
	int dlt;
	unsigned match;		/* SOURCE_MATCH_* bits, never 0 */
};

/* What happened to one input. */
struct source_input {
	const char *path;
	int dlt;
	const char *dlt_name;	/* libpcap's name, e.g. "EN10MB" */
	int digits;		/* timestamp decimals the file carries: 6 (us) or 9 (ns) */
	int format_pcapng;	/* 1 pcapng, 0 pcap */
	uint64_t frames;	/* records read */
	uint64_t matched;	/* records that passed a filter */
	uint64_t bad_time;	/* records skipped: time before 1970 or after 2200 */
	int failed;		/* 1: reading stopped early (truncated or corrupt) */
	char err[256];		/* why, when failed */
	/* A live capture (capture command): path is the interface. */
	int live;
	const char *role;	/* "migration" or "icmp" */
	int snaplen;
	size_t filter_left_out;	/* filter file lines the kernel cannot run, left out */
	uint64_t wire_bytes;	/* sum of pkthdr.len of the frames taken, beside the link counters */
	uint64_t k_received, k_dropped, k_ifdropped;	/* pcap_stats */
	int have_link;		/* link counters read at start and stop (not for "any") */
	struct netif_counters link_start, link_stop;
};

struct source;

/*
 * Opens every file, compiles both filters for each one's link type, and
 * reads the first frame of each.  Returns NULL with a one-line reason in
 * err when a file cannot be opened, is not a capture, has a link type the
 * decoder does not know, or a filter does not compile for it.
 */
struct source *source_open_files(char *const *paths, size_t n, const struct filter_spec *mig,
				 const struct filter_spec *icmp, char *err, size_t errlen);

/*
 * The next frame in timestamp order over all inputs (ties: lower input
 * first).  Returns 1 with *f filled, or 0 when every input is exhausted
 * or failed.  A read error stops that input only (see source_input).
 */
int source_next(struct source *s, struct source_frame *f);

size_t source_count(const struct source *s);
const struct source_input *source_input(const struct source *s, size_t i);

/* Records that passed no filter. */
uint64_t source_filtered_out(const struct source *s);

void source_close(struct source *s);	/* NULL is a no-op */

#endif
