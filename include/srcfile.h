/* srcfile.h - one saved capture read whole (source-file.c); source-merge.c puts many on one timeline. */
#ifndef MM_SRCFILE_H
#define MM_SRCFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <pcap/pcap.h>

#include "filter.h"
#include "instream.h"
#include "mmtime.h"
#include "pcapng.h"
#include "source.h"

/* Both filters compiled for one link type (source-file.c), shared by every interface of that type. */
struct srcfile_filt;

/* The filters of a replay, compiled per link type as interfaces of new types appear. */
struct srcfile_filters {
	const struct filter_spec *mig, *icmp;	/* NULL: that filter is not run */
	struct srcfile_filt **f;
	size_t n;
};

void srcfile_filters_release(struct srcfile_filters *ff);

enum srcfile_state { SRCFILE_NEW, SRCFILE_ACTIVE, SRCFILE_PARKED, SRCFILE_DONE };

/* One input: pcap through libpcap, pcapng through source-pcapng.c; its frame read ahead. */
struct srcfile {
	struct source_input info;
	char *sig;			/* link types and names of its interfaces (join.h) */
	mm_ns first_ts;			/* its first frame's time when opened; MM_NS_NONE: none */
	struct instream *st;
	enum srcfile_state state;
	FILE *fp;			/* pcap: libpcap's stream over st */
	pcap_t *pcap;
	struct pcapng_rd *ng;
	struct source_iface *ifs;
	struct srcfile_filt **ifilt;	/* per interface; NULL for an unsupported link type */
	size_t nifs, ifcap;
	/* The frame read ahead, valid while `ready`. */
	int ready;
	struct pcap_pkthdr ngh;		/* pcapng: the header the filters read */
	const struct pcap_pkthdr *hdr;
	const u_char *data;
	mm_ns ts;
	uint32_t ifid;
};

/* Opens `path` once (a zeroed *f). Returns 0, or -1 with a one-line reason; release with srcfile_free. */
int srcfile_open(struct srcfile *f, const char *path, char *err, size_t errlen);

/*
 * Tells the format from the first bytes, describes the interfaces,
 * compiles the filters for them and reads the first frame.  Returns 0,
 * or -1 with a one-line reason (not a capture, no supported link type, a
 * filter that does not compile).
 */
int srcfile_probe(struct srcfile *f, struct srcfile_filters *ff, char *err, size_t errlen);

/* Reads ahead the next frame (ready, ts, hdr, data, ifid); at the end or on damage ready is 0. */
void srcfile_advance(struct srcfile *f, struct srcfile_filters *ff);

/* SOURCE_MATCH_* bits of the frame read ahead (0: no filter accepts it). */
unsigned srcfile_match(const struct srcfile *f);

/*
 * A regular file not to be read yet: its readers released and back to
 * its start, its counts zeroed (what it is stays known).  Pipes are left
 * as they are.  srcfile_resume reads it again from the start; a failure
 * then stops this input only.
 */
void srcfile_park(struct srcfile *f);
void srcfile_resume(struct srcfile *f, struct srcfile_filters *ff);

/* Done with it: readers and the file closed; info stays. */
void srcfile_finish(struct srcfile *f);

/* srcfile_finish and every allocation. */
void srcfile_free(struct srcfile *f);

#endif
