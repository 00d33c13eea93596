/* flow.h - the migration flow table: per-flow, per-direction TCP accounting. */
#ifndef MM_FLOW_H
#define MM_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "kind.h"
#include "mmtime.h"

struct flow_cfg {
	uint16_t port_lo, port_hi;  /* the migration (listening) port range, inclusive */
	size_t max_flows;           /* cap on the table; 0 means the default (2048) */
	uint8_t any;                /* --ports any: migration by opening bytes on every port (README) */
};

/* Counters for one direction of one flow (SPEC "What is counted"). */
struct flow_dir {
	uint64_t packets;
	uint64_t wire_bytes;           /* sum of pkthdr.len */
	uint64_t ip_bytes;             /* sum of IP lengths (derived for TSO/big TCP) */
	uint64_t payload_bytes;        /* TCP payload, retransmissions included */
	uint64_t unique_payload_bytes; /* distinct sequence space covered */
	uint64_t retrans_bytes;        /* payload already seen before (payload = unique + retrans) */
	mm_ns first_ts, last_ts;       /* MM_NS_NONE when no frame went this way */
	mm_ns first_payload_ts, last_payload_ts;  /* frames with TCP payload; MM_NS_NONE when none */
	uint8_t syn, fin, rst;
};

/* Why a flow is, or is not, migration traffic. */
enum flow_class {
	FLOW_MIGRATION = 0,   /* listening port inside the range */
	FLOW_COLLISION,       /* only the connecting side's port is in range */
};

/* A flow as the report sees it: direction resolved, forward = towards the listener. */
struct flow_info {
	uint64_t id;                      /* 1-based, in order of first frame among listed flows (see flow_get) */
	struct dec_addr client, server;   /* server = owner of the listening port */
	uint16_t client_port, server_port;
	enum flow_class cls;
	enum kind kind;
	uint8_t direction_inferred;       /* 1: no SYN/SYN-ACK seen, decided from kind or ports */
	uint8_t unique_approx;            /* 1: sequence-gap list overflowed, unique bytes are a lower bound */
	uint8_t secondary;                /* 1: this 5-tuple was first seen in another capture: not in totals */
	uint8_t retired;                  /* 1: flow_retire took it out of the lookup (its record is written) */
	uint8_t reused;                   /* 1: out of the lookup, a new connection took its 5-tuple */
	unsigned src;                     /* which view (capture point) saw the flow; see meter_view */
	struct flow_dir fwd, rev;
	mm_ns first_ts, last_ts;
	enum kind_unreadable unreadable;  /* why `kind` could not be read; KIND_READ when it could */
	uint8_t has_uuid;                 /* multifd: MultiFDInit_t read (kind.h) */
	uint8_t uuid[16];                 /* the VM's UUID from it */
	uint8_t channel;                  /* the multifd channel id from it */
};

/* What flow_account did with one frame, for the time series. */
struct flow_verdict {
	int counted;           /* 1: frame belongs to a migration flow that counts in the totals */
	int forward;           /* 1: towards the listener (as known at this frame) */
	uint64_t new_unique;   /* unique payload bytes this frame added */
	enum kind kind;        /* the flow's kind as known after this frame */
	int created;           /* 1: the frame opened a flow (or found the table full) */
};

/* Migration totals over all FLOW_MIGRATION flows. */
struct flow_totals {
	size_t flows, collisions;
	mm_ns start, end;                 /* MM_NS_NONE when there is no migration flow */
	struct flow_dir fwd, rev;         /* sums (first/last ts = min/max) */
	uint64_t packets, wire_bytes, unique_payload_bytes;  /* both directions */
};

struct flow_table;

/* Returns a new empty table, or NULL when out of memory or the range is empty. */
struct flow_table *flow_table_new(const struct flow_cfg *cfg);
void flow_table_free(struct flow_table *ft);   /* NULL is a no-op */

/*
 * Accounts one decoded frame captured at `ts` from view `src` (a capture
 * point: an input file, or one interface of it).  A flow is kept per view,
 * so a source-node and a destination-node capture of the same connection
 * are two flows; only the view that saw the 5-tuple first counts in the
 * totals (the other is `secondary`).  Frames that are not TCP,
 * or whose ports are both outside the range, are ignored (verdict counted
 * = 0, return 0).  Returns 0, or -1 when the table is full: the frame is
 * then counted in flow_dropped() and not accounted.
 */
int flow_account(struct flow_table *ft, const struct dec_pkt *p, unsigned src,
		 mm_ns ts, struct flow_verdict *v);

/* Number of flows listed (migration and collisions), in order of first frame; forgotten ones not counted. */
size_t flow_count(const struct flow_table *ft);

/* The --max-flows cap: flows held at once, retired flows not counted. */
size_t flow_capacity(const struct flow_table *ft);

/*
 * Fills *out for flow i (0 <= i < flow_count). Returns 0 or -1 for a bad index.
 * The index i shifts when earlier flows are forgotten (flow_forget); out->id
 * does not: it is the flow's number among all flows ever listed, in order of
 * first frame (with --ports any a flow held unlisted and listed later takes
 * its place in that order, so the ids after it move up by one, as its index does).
 */
int flow_get(const struct flow_table *ft, size_t i, struct flow_info *out);

void flow_get_totals(const struct flow_table *ft, struct flow_totals *t);

/*
 * --ports any: TCP flows seen that are not migration (their first payload
 * is no migration opening, TLS that closed below the bulk threshold,
 * evicted or still unclassified).  They are not listed.  0 otherwise.
 */
uint64_t flow_not_migration(const struct flow_table *ft);

/*
 * Retires listed flow i (flow_get's index; its migration's record is written): it leaves the
 * lookup, so a later frame of its 5-tuple starts a new flow, its
 * sequence space is released, and it no longer counts against max_flows.
 * flow_get and the totals still give its figures (a small fixed summary
 * per flow stays) until flow_forget.  It is marked with the current
 * batch (flow_retire_batch; 0 before the first).  Returns 0, 1 when it
 * was retired already, -1 for a bad index.
 *
 * When a flow's 5-tuple is used again -- a SYN without ACK on a flow
 * that has ended (FIN seen both ways, or an RST) with another initial
 * sequence number than that side's earlier SYN, or the same one more than
 * 180 s after the flow's last frame -- flow_account starts a new flow
 * (README "What is counted"); the ended one leaves the lookup with
 * flow_info.reused set but is not retired: its migration's record takes
 * it and retires it, as any other.
 */
int flow_retire(struct flow_table *ft, size_t i);

/* Retired flows still listed (forgotten ones not counted: flow_forgotten). */
size_t flow_retired(const struct flow_table *ft);

/*
 * Starts a new retirement batch (one migration's flows): flow_retire marks
 * each flow it retires with the current batch.  Returns the new batch's
 * number (1, 2, ...).
 */
uint64_t flow_retire_batch(struct flow_table *ft);

/*
 * Forgets, for good, every retired flow whose batch is < before_batch (0:
 * none): it leaves the table entirely and its memory is freed (the array
 * compacted, keeping the order, and shrunk once under a quarter used; the
 * lookup rebuilt): flow indices (flow_get's i) of later flows change, ids
 * do not.  Its figures stay in the totals: flow_get_totals() gives
 * exactly what it gave before.  O(flows + lookup slots) a call.  Returns
 * the number forgotten.
 */
size_t flow_forget(struct flow_table *ft, uint64_t before_batch);

/* Flows forgotten so far. */
size_t flow_forgotten(const struct flow_table *ft);

/*
 * Retires (flow_retire, current batch) every collision flow not retired
 * yet whose last frame is before `before`.  Returns how many.  Costs
 * nothing when there is no open collision or none can be that old; a scan
 * of the open part of the table otherwise.
 */
size_t flow_retire_idle_collisions(struct flow_table *ft, mm_ns before);

/*
 * The lowest index of a flow not retired (flow_count() when all are):
 * every flow before it is retired.  With --ports any the flow there may be
 * one held unlisted, so the flow at this index may be retired too: check
 * flow_info.retired.  Kept as a watermark (amortised O(1)).
 */
size_t flow_first_open(const struct flow_table *ft);

/* Frames that did not fit because the table was full. */
uint64_t flow_dropped(const struct flow_table *ft);

/*
 * Distinct flows (5-tuple and view) that did not fit, estimated from a
 * fixed 1 MB bitmap by linear counting: exact for a few, within about 1%
 * up to several million.  0 when every flow fitted.
 */
uint64_t flow_not_fitted(const struct flow_table *ft);

#endif
