/* pcapng.h - a pcapng block reader (draft-ietf-opsawg-pcapng) over any byte stream, every length checked. */
#ifndef MM_PCAPNG_H
#define MM_PCAPNG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mmtime.h"

/*
 * Where the bytes come from.  read() returns the bytes read, fewer than n
 * only at the end of the stream, or -1 on an I/O error (errno set).
 * skip() passes over n bytes without handing them out (0, or -1 on an
 * error; skipping past the end is found by the next read); NULL: the
 * reader reads and drops them.
 */
struct pcapng_io {
	ssize_t (*read)(void *ctx, void *buf, size_t n);
	int (*skip)(void *ctx, uint64_t n);
	void *ctx;
};

#define PCAPNG_NAME_MAX 64

/* One interface description block, numbered across every section of the file. */
struct pcapng_if {
	uint16_t linktype;	/* LINKTYPE_ value as written */
	uint32_t snaplen;	/* 0: no limit */
	uint8_t tsresol;	/* if_tsresol as written (default 6: microseconds) */
	int64_t tsoffset;	/* if_tsoffset, seconds added to every time */
	int digits;		/* decimals the resolution needs, at most 9 */
	unsigned section;	/* which section header (0, 1, ...) it belongs to */
	char name[PCAPNG_NAME_MAX];	/* if_name, "" when absent */
};

/* One packet; data stays valid until the next pcapng_next(). */
struct pcapng_pkt {
	const uint8_t *data;
	uint32_t caplen, len;
	uint32_t ifid;		/* index into the file's interfaces (pcapng_iface) */
	mm_ns ts;		/* nanoseconds since the epoch; MM_NS_NONE when it does not fit */
};

/* The largest block taken whole (libpcap's limit); longer ones are damage. */
#define PCAPNG_MAX_BLOCK (16u << 20)
#define PCAPNG_MAX_IFACES 4096

struct pcapng_rd;

/*
 * A reader of the stream `io` (copied), which must start with a section
 * header block.  With `headers_only`, packets come without data (data
 * NULL; caplen and len as written), and what they carry is skipped.
 * Returns NULL when out of memory.
 */
struct pcapng_rd *pcapng_new(const struct pcapng_io *io, int headers_only);
void pcapng_free(struct pcapng_rd *r);	/* NULL is a no-op */

/*
 * The next packet (enhanced, simple or obsolete packet block), reading
 * section headers and interface descriptions on the way and skipping
 * every other block.  Returns 1 with *p filled, 0 at the end of the
 * stream (at a block boundary), or -1 when the stream is damaged or
 * unreadable: pcapng_error() says why, and the reader stays stopped.
 * A simple packet block carries no time: it takes the time of the packet
 * before it (MM_NS_NONE for the first).
 */
int pcapng_next(struct pcapng_rd *r, struct pcapng_pkt *p);

const char *pcapng_error(const struct pcapng_rd *r);

/* Interfaces described so far, over every section. */
size_t pcapng_iface_count(const struct pcapng_rd *r);
const struct pcapng_if *pcapng_iface(const struct pcapng_rd *r, size_t i);

/* Section headers read so far. */
unsigned pcapng_sections(const struct pcapng_rd *r);

/*
 * A time in units of `tsresol` (pcapng if_tsresol: 10^-v, or 2^-(v & 0x7f)
 * when the top bit is set) plus `offset_s` seconds, as nanoseconds since
 * the epoch; MM_NS_NONE when the result does not fit or the resolution
 * is out of range.  Finer than a nanosecond rounds down.
 */
mm_ns pcapng_ts_ns(uint64_t ts, uint8_t tsresol, int64_t offset_s);

/* Decimals a resolution needs (at most 9), or -1 for a resolution out of range. */
int pcapng_resol_digits(uint8_t tsresol);

#endif
