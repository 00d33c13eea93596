/* app-int.h - the application stage's internals, shared by app.c and app-timeline.c (not an interface). */
#ifndef MM_APP_INT_H
#define MM_APP_INT_H

#include "app.h"
#include "medset.h"
#include "seqspace.h"

#define APP_DEFAULT_CONNS 16384
#define APP_DEFAULT_WINDOW (10 * MM_NS_PER_S)
/* Kept records (16-24 bytes each): a long capture keeps its first ones and counts the rest. */
#define APP_MAX_TURNS ((size_t)1 << 20)
#define APP_MAX_STALLS ((size_t)1 << 16)
#define APP_MAX_GAPS ((size_t)1 << 16)
#define APP_MAX_BINS ((size_t)1 << 18)
#define APP_MAX_POINTS ((size_t)1 << 19)
#define APP_MAX_HOSTS 64
/* A gap inside a response shorter than this is the wire's pace, not a stall. */
#define APP_STALL_MIN (MM_NS_PER_S / 1000)
/* A source's silence shorter than this is not kept as a gap (blackouts are longer). */
#define APP_GAP_MIN (10 * MM_NS_PER_S / 1000)
/* Spacing values the medians keep, over all hosts. */
#define APP_MEDSET_BUDGET 8192

struct conn {
	struct dec_addr addr[2];
	uint16_t port[2];
	int32_t next;			/* hash chain, -1 ends it */
	uint8_t used, server, how;	/* how: 0 ports, 1 handshake */
	uint8_t syn, synack, established, closed_fin[2];
	unsigned view[2];		/* the vantage point that first saw each direction */
	uint8_t have_view[2];
	struct seqspace seq[2];
	uint8_t turn_open, responding;
	mm_ns turn_start, last_evt;
};

struct host {
	struct dec_addr ip;
	mm_ns last;
	struct medset spacing;
};

struct app_table {
	struct app_cfg cfg;
	struct conn *c;
	size_t nc, cap_c;
	int32_t *bucket;
	size_t nbucket;
	int32_t free_head;
	size_t open;
	struct app_turn *turns;
	size_t nturns, cap_turns;
	struct app_stall *stalls;
	size_t nstalls, cap_stalls;
	struct app_gap *gaps;
	size_t ngaps, cap_gaps;
	struct app_bin *bins;
	size_t nbins, cap_bins;
	struct app_point *pts;
	size_t npts, cap_pts;
	mm_ns granule;
	struct app_point cum;
	struct host hosts[APP_MAX_HOSTS];
	size_t nhosts;
	mm_ns svc_last;			/* the service's last payload frame (any connection) */
	mm_ns svc_wait_from;		/* a request outstanding and no server byte since; MM_NS_NONE */
	size_t open_turns;		/* connections whose request waits for its first answer */
	mm_ns frame_stall;		/* a stall not kept in the list this frame ended (for its point); -1 */
	mm_ns frame_stall_bin;		/* any stall this frame ended (for its bin); -1 */
	struct medset svc_spacing;
	size_t medset_used;
	struct app_totals t;
	int finished, oom;
};

/* app-timeline.c: the kept records, bins, the cumulative curve and the sources' spacing. */

/* Appends one element to a capped array; 0, or -1 when at the cap or out of memory. */
int app_grow(void **arr, size_t *n, size_t *cap, size_t max, size_t size);
int app_addr_eq(const struct dec_addr *x, const struct dec_addr *y);
/* The bin with series index i (created), or NULL when past the cap (counted). */
struct app_bin *app_bin_at(struct app_table *a, uint64_t i);
/* The cumulative counters after an event at ts, and the stall this frame ended. */
void app_note_point(struct app_table *a, mm_ns ts);
/* A service stall [start, end] (open: still waiting at the capture's end). */
void app_add_stall(struct app_table *a, mm_ns start, mm_ns end, int open);
/* One frame of a source at ts: its spacing's median sample, and a gap when long. */
void app_spacing_add(struct app_table *a, struct medset *ms, unsigned host, mm_ns *last, mm_ns ts);

#endif
