/* meter.h - the accounting stage: one decoded frame into flows, echo streams and time bins. */
#ifndef MM_METER_H
#define MM_METER_H

#include <stddef.h>
#include <stdint.h>

#include "announce.h"
#include "app.h"
#include "decode.h"
#include "echo.h"
#include "flow.h"
#include "migration.h"
#include "mmtime.h"
#include "series.h"

#define METER_MIG  1u	/* the frame passed the migration filter */
#define METER_ICMP 2u	/* the frame passed the ICMP filter */

struct meter_cfg {
	struct flow_cfg flow;
	struct echo_cfg echo;
	struct ann_cfg announce;
	struct mig_cfg migration;
	struct app_cfg app;	/* --app, --app-filter (app.h); enabled 0 without */
	mm_ns bin;		/* time-series bin width (> 0) */
};

#define METER_MAX_VIEWS 256

/* What a live capture's retention let go (meter-keep.h), for the report's "retention". */
struct meter_kept {
	int on;				/* retention ran: the report lists only what is kept */
	uint64_t records_not_listed;	/* written migrations whose flows were let go */
	uint64_t flows_not_listed;
	uint64_t announces_not_listed;
	uint64_t episodes_not_listed;	/* loss and unresponsive episodes let go (still in the streams' figures) */
	uint64_t bins_let_go;		/* time-series bins let go (no output showed the series) */
};

/*
 * A vantage point: one input (the parts of one rotated capture are one
 * input), within a pcapng file one interface, and within a Linux cooked
 * v2 capture (-i any) one interface.  The same packet seen from two vantage points
 * (a bond and its slave, a tap and the bridge, the source and the
 * destination node) is one packet: flows and echo streams keep each view
 * apart and count only the first that saw a connection.
 */
struct meter_view {
	unsigned src;		/* input index */
	uint32_t ifid;		/* pcapng interface number in that input; 0 otherwise */
	uint32_t ifindex;	/* 0: the link layer names no interface */
};

/* The whole accounting context; tests build a fresh one. */
struct meter {
	struct flow_table *flows;
	struct echo_table *echo;
	struct series *series;
	struct ann_table *announce;		/* RARP/GARP announces and the VM's frames around them */
	struct mig_table *migs;			/* flows grouped into migrations (records after meter_finish) */
	struct app_table *app;			/* the VM's service traffic (--app) */
	uint64_t frames;			/* frames handed to meter_frame */
	uint64_t decode[DEC_STATUS_COUNT];	/* decoder outcome of each */
	uint64_t mig_frames, echo_frames;	/* frames taken by the flow table / echo table */
	uint64_t non_tcp_mig;			/* passed the migration filter but not decodable TCP */
	mm_ns first_ts, last_ts;
	int finished;
	struct meter_view views[METER_MAX_VIEWS];
	size_t nviews;
	unsigned last_view;		/* cache: most frames come from the view before */
	uint64_t views_merged;		/* frames whose view did not fit: given the last view */
	struct mig_cfg mig_cfg;		/* the grouping's windows, for meter_retire's stages too */
	int self_retire;		/* meter_set_retire: retire completed migrations as the table fills */
	mm_ns next_retire;		/* not before this capture time again */
	mm_ns retire_every;		/* the wait after a round (longer while rounds free nothing) */
	uint64_t retire_rounds;		/* meter_retire calls that found the table filling */
	/* a live capture's retention (meter-keep.c) */
	struct meter_kept kept;
	int keep_bins_go;		/* old time-series bins may go too */
	uint64_t keep_batch;		/* the batch of the record retired last */
	uint64_t keep_forgot_upto;	/* batches below this are let go */
	mm_ns keep_horizon;		/* announces, episodes, bins before this are let go */
	mm_ns keep_when[2048];		/* METER_KEEP_RING: when each recent batch was written */
};

/* Returns 0, or -1 when out of memory (m is then released). */
int meter_init(struct meter *m, const struct meter_cfg *cfg);
void meter_release(struct meter *m);

/* Accounts one frame; `match` is METER_* bits; `src` the input index, `ifid` its interface (pcapng). */
void meter_frame(struct meter *m, int dlt, const uint8_t *data, uint32_t caplen, uint32_t len,
		 mm_ns ts, unsigned src, uint32_t ifid, unsigned match);

/* The vantage point behind a flow's or stream's view id, or NULL for an unknown id. */
const struct meter_view *meter_view(const struct meter *m, unsigned id);

/*
 * Feeds migration stage mt what the other stages hold: the listed flows,
 * the announces and (not live) the downtime episodes.  Live (a capture
 * still running) leaves out retired flows, whose records are written, and
 * announces older than every flow still open.  Returns 0.
 */
int meter_feed_migrations(const struct meter *m, struct mig_table *mt, int live);

/*
 * Retires what is complete: groups the flows not retired yet into a
 * migration stage of their own (meter_feed_migrations, live), and for each
 * migration complete at `now` calls fn (NULL: retire the completed ones
 * only, so a port scan's failed SYNs still meet --max-flows) and then retires its
 * flows (flow_retire: out of the lookup and the --max-flows cap; their
 * figures stay for the report).  fn returns 0 to retire, 1 to leave the
 * migration as it is, -1 to stop.  Returns the number retired, or -1
 * (out of memory, or fn's -1).
 */
typedef int (*meter_done_fn)(void *ctx, const struct meter *m, const struct mig_table *mt,
			     const struct mig_record *r);
int meter_retire(struct meter *m, unsigned id_base, mm_ns now, meter_done_fn fn, void *ctx);

/*
 * on: the meter retires completed migrations itself whenever half the
 * flow table is taken (a replay, or a capture without --records: nothing
 * else retires them), so a capture of any number of migrations fits the
 * table; its figures are the same as without (README "Memory").
 */
void meter_set_retire(struct meter *m, int on);

/*
 * Feeds mt the echo streams' episodes, loss and unresponsive (after
 * echo_finish); `closed_only`: those a timely reply ended (a live
 * capture's: the others may still grow).
 */
void meter_feed_episodes(const struct meter *m, struct mig_table *mt, int closed_only);

/*
 * While a live capture runs: builds the echo streams' episodes as they
 * stand at `now` (echo_finish, which the end runs again), so a record
 * written now carries those closed.  Returns 0 or -1 (out of memory).
 */
int meter_live_episodes(struct meter *m, mm_ns now);

/* Closes the timeline: episodes, losses per bin, migration records. Returns 0 or -1 (out of memory). */
int meter_finish(struct meter *m);

#endif
