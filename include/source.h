/* source.h - where frames come from: saved captures (files, stdin, pipes), merged into one timeline. */
#ifndef MM_SOURCE_H
#define MM_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "join.h"
#include "netif.h"
#include "mmtime.h"

#define SOURCE_MATCH_MIG  1u	/* the migration filter accepts the frame */
#define SOURCE_MATCH_ICMP 2u	/* the ICMP filter accepts the frame */

/* Record times outside [0, SOURCE_MAX_NS] (before 1970, after 2200) are damage: skipped and counted. */
#define SOURCE_MAX_NS (7258118400LL * 1000000000LL)

/* One frame; data stays valid until the next source_next(). */
struct source_frame {
	const uint8_t *data;
	uint32_t caplen, len;
	mm_ns ts;
	unsigned src;		/* vantage point: the input index of its capture's first part */
	uint32_t ifid;		/* pcapng: interface number within the file; pcap: 0 */
	int dlt;
	unsigned match;		/* SOURCE_MATCH_* bits, never 0 */
};

/* One interface of an input file: a pcap file has one, a pcapng file one per description block. */
struct source_iface {
	int dlt;		/* DLT_ value (pcapng's LINKTYPE_ mapped as libpcap maps it) */
	const char *dlt_name;	/* libpcap's name, or "?" */
	uint32_t snaplen;
	int digits;		/* timestamp decimals its resolution needs */
	char name[64];		/* pcapng if_name; "" when none */
	uint64_t frames;	/* records read on it */
	int supported;		/* 0: a link type the decoder does not know: its frames are skipped */
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
	/* Files: which capture (vantage point) the file is part of. */
	unsigned capture;	/* 1, 2, ...: files with the same number are one capture */
	unsigned part;		/* 1, 2, ...: its place in that capture, by time */
	unsigned parts;		/* files in that capture */
	int pipe;		/* read from a pipe, FIFO or device (no time range known up front) */
	const struct source_iface *ifaces;	/* valid until source_close */
	size_t nifaces;
	uint64_t unsupported;	/* records skipped: on an interface of an unknown link type */
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
 * Opens every input once ("-" is standard input; a FIFO or /dev/fd/N
 * works as a file does), tells pcap from pcapng by its first bytes,
 * compiles both filters for the link type of each interface, and reads
 * the first frame of each.  Then decides which files are parts of one
 * capture (join.h; `mode`): the parts of one capture are read one after
 * the other as one vantage point, so a flow goes on across the file
 * boundary.  Returns NULL with a one-line reason in err when an input
 * cannot be opened, is not a capture, has no interface of a link type
 * the decoder knows, a filter does not compile for it, or (JOIN_ONE)
 * the files cannot be one capture.
 */
struct source *source_open_files(char *const *paths, size_t n, enum join_mode mode,
				 const struct filter_spec *mig, const struct filter_spec *icmp,
				 char *err, size_t errlen);

/*
 * The next frame in timestamp order over all captures (ties: lower
 * capture first); within one capture, its parts in order.  Returns 1 with
 * *f filled, or 0 when every input is exhausted or failed.  A read error
 * stops that input only (see source_input); a capture goes on with its
 * next part.
 */
int source_next(struct source *s, struct source_frame *f);

/* Before the first source_next: the time of the first record any input holds (MM_NS_NONE: none). */
mm_ns source_first_ts(const struct source *s);

size_t source_count(const struct source *s);
const struct source_input *source_input(const struct source *s, size_t i);

/* Records that passed no filter. */
uint64_t source_filtered_out(const struct source *s);

void source_close(struct source *s);	/* NULL is a no-op */

#endif
