/* bpfmemo.h - remembers a BPF filter's verdicts by the exact bytes it read: same bytes, same verdict. */
#ifndef MM_BPFMEMO_H
#define MM_BPFMEMO_H

#include <stdint.h>
#include <pcap/pcap.h>

/*
 * A classic BPF program is a pure function of the bytes it loads (and of
 * the wire length, if it loads that): run it on a frame while noting
 * every load's offset and size, and any other frame with the same bytes
 * at those offsets, captured far enough to hold them, takes the same
 * path to the same return value (by induction over the instructions: the
 * first load's offset is a constant, each later one follows from the
 * values loaded before).  So the verdict for one such "trace" is kept,
 * keyed by those bytes, and a frame of the same flow is answered by
 * comparing a dozen bytes instead of interpreting the program.
 *
 * A miss always asks libpcap (pcap_offline_filter) for the verdict; the
 * memo's own interpreter only finds which bytes were read, and a trace is
 * kept only when its verdict agrees with libpcap's.  Programs with
 * instructions it does not model (Linux ancillary loads) are never
 * memoised.  Memory is fixed: a few shapes of trace, a direct-mapped
 * table of verdicts each.
 */
struct bpfmemo;

/* A memo for `prog` (which must outlive it), or NULL when out of memory. */
struct bpfmemo *bpfmemo_new(const struct bpf_program *prog);
void bpfmemo_free(struct bpfmemo *m);	/* NULL is a no-op */

/* Exactly pcap_offline_filter(prog, h, data): nonzero when the frame passes. */
int bpfmemo_filter(struct bpfmemo *m, const struct pcap_pkthdr *h, const u_char *data);

/* For tests: verdicts answered from the memo, and asked from libpcap. */
void bpfmemo_stats(const struct bpfmemo *m, uint64_t *hits, uint64_t *misses);

#endif
