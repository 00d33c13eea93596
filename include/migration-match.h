/* migration-match.h - inside the migration stage: its tables, one poll's working state, and the switchover matching. */
#ifndef MM_MIGRATION_MATCH_H
#define MM_MIGRATION_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "migration-group.h"
#include "migration.h"

/* A flow as the stage holds it. */
struct mflow {
	size_t flow;
	struct flow_info fi;
	unsigned mig;		/* the record it is in; 0: still being grouped */
};

/* After the final poll a flow needs only its record: the flow copies go (mig_poll). */
struct mflow_id {
	size_t flow;
	unsigned mig;
};

struct mig_table {
	struct mig_cfg cfg;
	struct mflow *fl;
	size_t nfl, capfl;
	struct mflow_id *ids;		/* after MIG_POLL_FINAL: fl's flow and record, fl freed */
	size_t nids;
	struct mig_announce *an;
	size_t nan, capan;
	struct mig_episode *ep;
	size_t nep, capep;
	struct mig_record *rec;
	size_t nrec, caprec;
	unsigned id_base;		/* record i has id id_base + i + 1 (mig_set_id_base) */
	struct mig_stats st;
};

/* What one poll works out for a candidate before it becomes a record. */
struct work {
	long ann;		/* first announce of its switchover, -1 none */
	size_t nann;
	int settled;
	unsigned id;
	struct dec_addr vm_ip;
};

struct poll_ctx {
	struct mig_table *mt;
	const struct flow_info **fi;	/* the flows being grouped */
	size_t *fl_of;			/* their index in mt->fl */
	size_t n;
	struct mig_group g;
	struct work *w;
	size_t *by_f, *an_ord;		/* candidates by final burst end; announces by time */
	long *an_take;			/* per announce: candidate + 1 taking it this poll, 0 none */
	mm_ns *stale_a;			/* per announce: a later round of the switchover that began then */
	long *stale_by;			/* ... found by candidate + 1 (0: by an earlier poll, or none) */
	long *ep_take;			/* per episode: candidate + 1 */
	mm_ns now;
	int final;
};

/*
 * The switchover of every candidate of the poll (pc->by_f: candidates in
 * order of final burst end; pc->an_ord: announces in time order), into
 * pc->w and pc->an_take.
 */
void mig_match_announces(struct poll_ctx *pc);

/* After mig_match_announces: each held episode's migration, into pc->ep_take. */
void mig_match_episodes(struct poll_ctx *pc);

/* The held flow with index `flow` (mt->fl is in increasing index order), or NULL. */
struct mflow *mig_flow_find(const struct mig_table *mt, size_t flow);

#endif
