/* live.h - live captures: one libpcap handle per role (migration, ICMP), polled together. */
#ifndef MM_LIVE_H
#define MM_LIVE_H

#include <stddef.h>
#include <stdint.h>
#include <pcap/pcap.h>

#include "filter.h"

#define LIVE_MIG 0u	/* index of the migration capture */
#define LIVE_ICMP 1u	/* index of the ICMP capture */
#define LIVE_N 2u

struct live_cfg {
	const char *iface[LIVE_N];	/* by role; "any" captures every interface */
	const struct filter_spec *filter[LIVE_N];
	int snaplen;			/* bytes kept of each frame */
	int buffer_mib;			/* kernel ring (TPACKET_V3 blocks) per capture */
	int promisc;
	int timeout_ms;			/* how long a ring block waits before it is handed over */
};

/* What libpcap counted for one capture (pcap_stats). */
struct live_stats {
	uint64_t received;	/* passed the kernel filter */
	uint64_t dropped;	/* lost: the ring was full */
	uint64_t ifdropped;	/* dropped by the interface or its driver */
};

struct live;

/* Failure kinds of live_open, for the caller's message and exit status. */
enum live_error { LIVE_ERR_OTHER, LIVE_ERR_PERM, LIVE_ERR_NO_IFACE, LIVE_ERR_FILTER };

/*
 * Opens, configures (snap length, ring size, nanosecond timestamps,
 * immediate mode off so the kernel hands over whole TPACKET_V3 blocks)
 * and activates both captures, compiles and sets their filters, and makes
 * them non-blocking.  `any` is read as Linux cooked v2 so each frame names
 * its interface.  Returns NULL with a one-line reason in err and its kind
 * in *kind.
 */
struct live *live_open(const struct live_cfg *cfg, enum live_error *kind, char *err, size_t errlen);

int live_fd(const struct live *l, unsigned role);		/* for poll(2) */
int live_dlt(const struct live *l, unsigned role);
const char *live_dlt_name(const struct live *l, unsigned role);
int live_snaplen(const struct live *l, unsigned role);

/* Lines of the role's filter file left out because the kernel cannot run them. */
size_t live_left_out(const struct live *l, unsigned role);

/* Called for each frame; h->ts.tv_usec holds nanoseconds. */
typedef void (*live_frame_fn)(void *ctx, unsigned role, const struct pcap_pkthdr *h,
			      const uint8_t *data);

/*
 * Hands every frame the kernel has ready on capture `role` to fn.
 * Returns the number of frames, or -1 with libpcap's reason in err
 * (the interface went away).
 */
int live_dispatch(struct live *l, unsigned role, live_frame_fn fn, void *ctx, char *err, size_t errlen);

/* The counters of capture `role`. Returns 0, or -1 with a reason in err. */
int live_stats(struct live *l, unsigned role, struct live_stats *st, char *err, size_t errlen);

void live_close(struct live *l);	/* NULL is a no-op */

#endif
