/* dump.h - saving what a live capture took (-w): pcap through libpcap, or pcapng. */
#ifndef MM_DUMP_H
#define MM_DUMP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <pcap/pcap.h>

struct dump;

/*
 * Creates `path` ("-": standard output; an existing FIFO or device is
 * written in place, a regular file truncated, after outpath.h's checks)
 * for frames of link type `dlt` cut at `snaplen`, with
 * nanosecond timestamps: pcap (written by libpcap's pcap_dump) or, when
 * `pcapng`, pcapng with one interface description block per name in
 * ifnames (libpcap 1.10 writes no pcapng).  Returns NULL with a one-line
 * reason in err.
 */
struct dump *dump_open(const char *path, int pcapng, int dlt, int snaplen,
		       const char *const *ifnames, size_t nif, char *err, size_t errlen);

/* As dump_open, on a stream already open (taken over: closed on failure too); `label` names it in messages. */
struct dump *dump_open_fp(FILE *fp, const char *label, int pcapng, int dlt, int snaplen,
			  const char *const *ifnames, size_t nif, char *err, size_t errlen);

/*
 * A rotated capture's next part: flushes and closes the current file and
 * goes on in fp (taken over), writing its header again (the same link
 * type, snap length and interfaces), so each part is a whole capture.
 * Returns 0, or -1 with the reason in err (a write error of the part
 * just closed is kept too: later frames are not written).
 */
int dump_switch(struct dump *d, FILE *fp, const char *label, char *err, size_t errlen);

/* Bytes in the current file so far (header included; buffered ones too). */
uint64_t dump_bytes(const struct dump *d);

/*
 * Appends one frame (h->ts.tv_usec holds nanoseconds) seen on interface
 * number `ifno` (an index into ifnames; pcap ignores it).  Returns 0, or
 * -1 once writing failed (the disk is full): the error is kept for
 * dump_close and later frames are not written.
 */
int dump_frame(struct dump *d, unsigned ifno, const struct pcap_pkthdr *h, const uint8_t *data);

/* Frames written so far. */
uint64_t dump_frames(const struct dump *d);

/* Flushes and closes. Returns 0, or -1 with the first write error in err. NULL is a no-op. */
int dump_close(struct dump *d, char *err, size_t errlen);

#endif
