/* flow-int.h - the flow table's internals, shared by flow.c and flow-any.c (not an interface). */
#ifndef MM_FLOW_INT_H
#define MM_FLOW_INT_H

#include "flow.h"
#include "seqspace.h"

/* Bitmap that estimates distinct flows that did not fit (linear counting): 1 MB. */
#define FLOW_MISS_BITS (1u << 23)
/*
 * --ports any: a TLS flow is a suspected migration once one direction has
 * carried this much unique payload (README "Migrations on any port").
 */
#define FLOW_TLS_BULK (1ULL << 20)

/* What one side's opening bytes told, for the reason a kind stays unread. */
enum first_note {
	NOTE_NONE = 0,	/* no payload yet */
	NOTE_FIRST,	/* its true first bytes were examined (handshake seen) */
	NOTE_LATER,	/* no handshake: the first captured bytes, maybe mid-stream */
	NOTE_MISSED,	/* handshake seen, but its first payload segment was not captured */
	NOTE_SHORT,	/* its first payload was cut by the snap length before KIND_NEED bytes */
};

/* One endpoint's sending half: what endpoint i sent. */
struct side {
	struct flow_dir d;
	struct seqspace seq;
	uint8_t kind_checked;
	uint8_t syn_seen;
	uint8_t note;			/* enum first_note */
	uint32_t isn;
};

/* How a flow was found to be migration; FOUND_PENDING only with --ports any. */
enum found { FOUND_PORTS = 0, FOUND_PENDING, FOUND_KIND, FOUND_TLS_BULK };

/* How the listening side was decided, strongest last. */
enum dir_how { DIR_PORTS = 0, DIR_KIND, DIR_HANDSHAKE };

struct flow {
	struct dec_addr addr[2];	/* endpoint 0 sorts before endpoint 1 */
	uint16_t port[2];
	unsigned src;
	struct side side[2];		/* side[i]: traffic sent by endpoint i */
	uint8_t listener;		/* endpoint that owns the listening port */
	uint8_t how;			/* enum dir_how */
	uint8_t secondary;
	uint8_t found;			/* enum found */
	enum kind kind;
	uint8_t has_uuid, channel;	/* multifd: from MultiFDInit_t */
	uint8_t uuid[16];
	uint8_t retired;		/* flow_retire: out of the lookup, its sequence space released */
	uint8_t coll;			/* counted in open_coll: a collision, not retired */
	uint8_t reused;			/* out of the lookup: a new connection took its 5-tuple */
	mm_ns first_ts, last_ts;
	uint64_t id;			/* flow_info.id; 0 while --ports any holds it unlisted */
	uint64_t batch;			/* the retirement batch it was retired in */
};

struct flow_table {
	struct flow_cfg cfg;
	struct flow *flows;
	size_t n, cap;
	uint32_t *slots;		/* open addressing: flow index + 1, 0 = empty */
	size_t nslots;
	unsigned nsrc;			/* highest capture index seen + 1 */
	uint64_t dropped;
	size_t ivals;			/* sequence intervals allocated over all flows */
	uint64_t *miss;			/* FLOW_MISS_BITS bits: hashes of flows that did not fit */
	uint64_t miss_set;		/* bits set in miss */
	size_t pending;			/* --ports any: flows not yet classified (not listed) */
	uint64_t not_migration;		/* --ports any: flows dropped as not migration */
	uint64_t *gone;			/* FLOW_MISS_BITS bits: hashes of dropped flows, their frames ignored */
	size_t retired;			/* flows retired: in `flows`, not in `slots` nor the cap */
	uint64_t ids;			/* ids given so far (the highest id) */
	uint64_t batch;			/* current retirement batch (flow_retire_batch) */
	size_t forgotten;		/* flows forgotten (flow_forget): gone from `flows` */
	uint64_t min_batch;		/* no retired flow in `flows` has a lower batch */
	struct flow_totals gone_totals;	/* their part of the totals */
	size_t open_lo;			/* every flow before this index is retired */
	size_t open_coll;		/* collision flows not retired */
	mm_ns coll_low;			/* no open collision's last frame is before this */
};

uint32_t flow_hash_key(const struct dec_addr a[2], const uint16_t port[2], unsigned src);
/* The flow's bit in a FLOW_MISS_BITS bitmap. */
uint64_t flow_miss_bit(const struct dec_addr a[2], const uint16_t port[2], unsigned src);
/* Slot index holding the key, or the empty slot where it would go. */
size_t flow_find_slot(const struct flow_table *ft, const struct dec_addr a[2],
		      const uint16_t port[2], unsigned src);

/* Empties slot i, moving later entries of its probe chain back (backward-shift deletion). */
void flow_slot_remove(struct flow_table *ft, size_t i);

/* flow-any.c (--ports any, README "Migrations on any port"). */
void flow_any_drop(struct flow_table *ft, size_t idx);
int flow_any_evict(struct flow_table *ft);
int flow_any_skip(const struct flow_table *ft, const struct dec_addr a[2], const uint16_t port[2],
		  unsigned src, const struct dec_tcp *t);
int flow_any_settle(struct flow_table *ft, size_t idx);

/* A direction with no packets yet (times MM_NS_NONE). */
void flow_dir_init(struct flow_dir *d);

/* flow-totals.c: flow_get's figures of flow f (listed or not), and the i-th listed flow or NULL. */
void flow_info_of(const struct flow_table *ft, const struct flow *f, struct flow_info *out);
struct flow *flow_listed(const struct flow_table *ft, size_t i);
/* flow.c: 1 when f is a port collision (flow_info.cls FLOW_COLLISION). */
int flow_is_collision(const struct flow_table *ft, const struct flow *f);

/* flow-retire.c: takes f out of the lookup and releases its sequence space (not retired). */
void flow_leave_lookup(struct flow_table *ft, struct flow *f);
/* flow-retire.c: retires f (current batch). 0, or 1 when it was retired already. */
int flow_retire_flow(struct flow_table *ft, struct flow *f);
/* Moves the open_lo watermark past the retired flows at it. */
void flow_advance_open(struct flow_table *ft);

/* flow-totals.c: an empty sum, and one flow's part added to it as flow_get_totals does. */
void flow_totals_init(struct flow_totals *t);
void flow_totals_add(struct flow_totals *t, const struct flow_info *fi);

#endif
