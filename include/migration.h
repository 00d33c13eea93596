/* migration.h - flows into migrations: one record per migration, with its switchover and its own downtime. */
#ifndef MM_MIGRATION_H
#define MM_MIGRATION_H

#include <stddef.h>
#include <stdint.h>

#include "announce.h"
#include "echo.h"
#include "flow.h"
#include "kind.h"
#include "mmtime.h"

/*
 * The grouping rules are the README's "Migrations" section; this is
 * their one implementation.  The stage is fed events -- a flow's current
 * state (as often as it changes), an announce, a downtime episode -- and
 * mig_poll() turns what is complete into records.  Replay feeds
 * everything and polls once with MIG_POLL_FINAL; a live capture can poll
 * as it goes, and a record is then the same as replay would give.
 */

enum mig_role { MIG_ROLE_MAIN = 0, MIG_ROLE_MULTIFD, MIG_ROLE_NBD, MIG_ROLE_OTHER, MIG_ROLE_COUNT };

enum mig_status { MIG_COMPLETED = 0, MIG_FAILED, MIG_INCOMPLETE };

/* What decided the status. */
enum mig_why {
	MIG_WHY_SWITCHOVER = 0,	/* completed: an announce after the final burst */
	MIG_WHY_FIN,		/* completed: the main stream closed normally, no announce seen */
	MIG_WHY_RST,		/* failed: the main stream was reset */
	MIG_WHY_NO_SWITCHOVER,	/* failed: the main stream stopped, no close, no announce */
	MIG_WHY_NO_SYN,		/* incomplete: the main stream began before the capture */
	MIG_WHY_CAPTURE_END,	/* incomplete: the main stream was still open when the capture ended */
};

/* Every window of the rules; 0 takes the default in the comment. */
struct mig_cfg {
	size_t max_flows;	/* flows held (65536) */
	size_t max_announces;	/* announces held (65536) */
	size_t max_episodes;	/* episodes held (65536) */
	size_t max_records;	/* records kept (65536) */
	mm_ns announce_window;	/* `resumed` comes at most this long after the final burst (1 s) */
	mm_ns announce_span;	/* one switchover's announce rounds, from the first (3 s) */
	mm_ns before_burst;	/* an episode belongs to a switchover from this long before the final burst end (1 s) */
	mm_ns after_resume;	/* ... to this long after `resumed` (or the burst end without one) (1 s) */
	mm_ns multifd_before;	/* a multifd channel may connect this long before its main stream (1 s) */
	mm_ns nbd_after;	/* an NBD stream takes a main stream starting this long after it ended (5 s) */
	mm_ns other_slack;	/* an "other" flow may end this long after the migration (1 s) */
	mm_ns cluster_gap;	/* unreadable flows this close in time are one migration (1 s) */
	mm_ns idle;		/* a migration this quiet is over; in replay, an open main stream
				 * quiet less than this before the capture's end was cut by it (2 s) */
};

/* What a record keeps of a member flow (the rest is the flow table's): a few dozen bytes, not a flow_info. */
struct mig_flow_brief {
	uint64_t id;		/* flow_info.id: the report's `flows` entry */
	mm_ns first_ts;
	enum kind kind;
	enum kind_unreadable unreadable;
	uint16_t client_port, server_port;
	uint8_t has_uuid, uuid[16];
};

/* One flow of a migration, with the state it had when the record was made. */
struct mig_member {
	size_t flow;		/* the flow's index in the flow table (report id - 1) */
	uint8_t role;		/* enum mig_role */
	int16_t channel;	/* multifd channel id; -1 when not multifd or not read */
	struct mig_flow_brief fi;
};

struct mig_record {
	unsigned id;			/* 1, 2, ... in order of start */
	enum mig_status status;
	enum mig_why why;
	uint8_t inferred;		/* no QEMU main stream: grouped by host pair and time */
	enum kind_unreadable unreadable; /* inferred: why its main flow's kind was not read */
	struct dec_addr source, destination;
	uint8_t has_uuid, uuid[16];	/* from its multifd channels */
	uint8_t has_mac, mac[6];	/* the VM: the announces' MAC */
	struct dec_addr vm_ip;		/* the VM's address (its echo replies, or a GARP); family 0: unknown */
	size_t nmembers;
	struct mig_member *members;	/* the main flow first, then in order of first frame */
	mm_ns start;			/* first frame of any of its flows */
	mm_ns connect;			/* the main stream's SYN; MM_NS_NONE without one */
	mm_ns first_payload;		/* the main stream's first payload (source -> destination) */
	mm_ns end;			/* the main stream's last payload (source -> destination) */
	mm_ns last_frame;		/* last frame of any of its flows */
	mm_ns final_burst_end;		/* last source -> destination payload of the main or a multifd flow */
	mm_ns resumed;			/* the first announce after the final burst */
	uint8_t resumed_by;		/* ANN_RARP / ANN_GARP; 0 without */
	size_t announces;		/* announce frames of this switchover */
	mm_ns vm_first_frame, first_reply_after, last_reply_before;
	uint64_t unique[MIG_ROLE_COUNT], wire[MIG_ROLE_COUNT];	/* both directions */
	uint64_t unique_total, wire_total, retrans;
	uint8_t overlaps;		/* another migration's [start, last_frame] overlaps this one's */
	size_t episodes;		/* episodes attributed to it */
	mm_ns downtime_total;		/* sum of their estimates */
	size_t unresp_episodes;		/* unresponsive episodes attributed to it */
	mm_ns unresp_total;		/* sum of their reply gaps (0 without any) */
	mm_ns unresp_worst_rtt;		/* their largest late RTT; MM_NS_NONE without */
	mm_ns announce_bound;		/* resumed - last_reply_before */
};

/* An announce as held by the stage, with the migration that took it (0: none). */
struct mig_announce {
	struct ann_event ev;
	unsigned migration;
	mm_ns round_of;		/* a later round of the switchover that began then (not taken); MM_NS_NONE */
};

/* A downtime episode as held by the stage, with its migration (0: outside every migration). */
enum mig_ep_kind { MIG_EP_LOSS = 0, MIG_EP_UNRESP };

struct mig_episode {
	size_t stream;			/* echo stream index */
	struct dec_addr target;
	uint8_t kind;			/* enum mig_ep_kind: which of ep / un holds it */
	struct episode ep;		/* MIG_EP_LOSS */
	struct unresp_episode un;	/* MIG_EP_UNRESP */
	unsigned migration;
};

struct mig_stats {
	uint64_t flows_not_held, announces_not_held, episodes_not_held, records_not_held;
};

struct mig_table;

/* A new stage, or NULL when out of memory. */
struct mig_table *mig_new(const struct mig_cfg *cfg);
void mig_free(struct mig_table *mt);	/* NULL is a no-op */

/*
 * Gives the stage flow `flow`'s current state (first call: a new flow;
 * later calls: an update).  New flows come in increasing index order.
 * A flow already in a record is left as it is.  Returns 0, or -1 when the
 * stage is full or out of memory (counted in mig_get_stats).
 */
int mig_add_flow(struct mig_table *mt, size_t flow, const struct flow_info *fi);

/*
 * Numbers this stage's records from base + 1 (before the first mig_poll):
 * a live capture's stage holds only the migrations whose records are not
 * written yet, and goes on counting after those it wrote.
 */
void mig_set_id_base(struct mig_table *mt, unsigned base);

/* Record id's place among mt's records, 1-based (mig_get(mt, pos - 1)), or 0 when it is none of them. */
unsigned mig_record_pos(const struct mig_table *mt, unsigned id);

/* Room for this many flows and announces at once (a feed that knows its counts wastes nothing). */
void mig_reserve(struct mig_table *mt, size_t flows, size_t announces);

/* An announce (announce.h), in order of arrival.  Returns 0 or -1 (full, counted). */
int mig_add_announce(struct mig_table *mt, const struct ann_event *e);

/* A downtime episode of echo stream `stream` towards `target`.  Returns 0 or -1 (full, counted). */
int mig_add_episode(struct mig_table *mt, size_t stream, const struct dec_addr *target,
		    const struct episode *ep);

/*
 * An unresponsive episode (unresp.h) of echo stream `stream`: attributed
 * by the same rule as a loss episode (its reply gap overlapping the
 * switchover window).  Returns 0 or -1 (full, counted with the episodes).
 */
int mig_add_unresp(struct mig_table *mt, size_t stream, const struct dec_addr *target,
		   const struct unresp_episode *un);

#define MIG_POLL_FINAL 1u	/* the capture ended at `now`: every migration is complete */

/*
 * Groups the flows that are in no record yet.  Every migration complete
 * at `now` (with MIG_POLL_FINAL: all of them; otherwise those quiet for
 * `idle` whose announce and episode windows have passed) becomes a
 * record, numbered in order of start after the records before; its flows,
 * announces and episodes are then taken out of the grouping.  Returns the
 * number of new records, or -1 when out of memory (nothing changed).
 */
int mig_poll(struct mig_table *mt, mm_ns now, unsigned flags);

size_t mig_count(const struct mig_table *mt);
const struct mig_record *mig_get(const struct mig_table *mt, size_t i);	/* NULL past the end */

/* The migration id flow `flow` belongs to (0: none), and its member entry in *m when not NULL. */
unsigned mig_of_flow(const struct mig_table *mt, size_t flow, const struct mig_member **m);

size_t mig_announce_count(const struct mig_table *mt);
const struct mig_announce *mig_announce_get(const struct mig_table *mt, size_t i);
size_t mig_episode_count(const struct mig_table *mt);
const struct mig_episode *mig_episode_get(const struct mig_table *mt, size_t i);

void mig_get_stats(const struct mig_table *mt, struct mig_stats *st);

/* Stable names: "main", "multifd", "nbd", "other"; "completed", ...; "switchover", "fin", ... */
const char *mig_role_name(unsigned role);
const char *mig_status_name(enum mig_status s);
const char *mig_why_name(enum mig_why w);

#endif
