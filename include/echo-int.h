/* echo-int.h - inside the echo table: its streams, their windows and retired figures (echo.c, echo-*.c only). */
#ifndef MM_ECHO_INT_H
#define MM_ECHO_INT_H

#include <stddef.h>
#include <stdint.h>

#include "echo.h"
#include "episode.h"
#include "medset.h"
#include "seqwin.h"
#include "unresp.h"

#define ECHO_MAX_LISTED    4096                  /* episodes listed over all streams, per kind (the rest are counted) */
#define VMAP_BUDGET        ((size_t)128 << 10)   /* multiset entries over all streams: 2 MB */

/* slot flags (seqwin.h has REQ and REP) */
#define SL_REQ  SEQWIN_REQ
#define SL_REP  SEQWIN_REP
#define SL_EST  0x04   /* t is an estimate made by echo_finish */
#define SL_FIX  0x08   /* t was fixed when the slots before were retired (first slot of a window) */
#define SL_LOST 0x10   /* an episode of this finish counts the slot lost */
#define SL_KNOWN (SL_REQ | SL_EST | SL_FIX)

/* A listing of episodes (loss: struct episode; unresponsive: struct unresp_episode) past which they are counted. */
struct eplist {
	void *v;
	size_t n, cap;
	uint64_t unlisted, unlisted_lost;
	mm_ns unlisted_total, unlisted_longest;
	mm_ns unlisted_worst_rtt;	/* unresponsive: their largest worst_rtt; 0: none (a late RTT is > 0) */
};

/*
 * What a stream keeps of the slots it retired (moved out of its window
 * once the window is full): the same figures stream_finish would have
 * drawn from them, so the report is the same as with every slot kept.
 */
struct retired {
	int any;			/* slots were retired */
	struct medset gap[2][2];		/* [flag REQ/REP][consecutive, or divided by the distance] */
	struct medset rtt;
	mm_ns rtt_max;
	uint64_t late;
	int64_t last_flag_u[2];		/* last retired slot carrying REQ / REP (INT64_MIN: none) */
	mm_ns last_flag_t[2];
	uint8_t last_flags;		/* flags of the last retired slot (u = base - 1) */
	mm_ns last_t, last_rep;
	/* request episodes: the last answered request retired, and a run still open */
	mm_ns ans_t;			/* MM_NS_NONE: none yet */
	int open;
	int64_t open_k;
	mm_ns open_first_t, open_last_t;
	int open_began;
	mm_ns open_before_t;
	/* closed episodes, in order: their edges, built at finish with the stream's interval and span */
	struct episode_edges *eps;
	size_t n_eps, cap_eps;
	uint64_t unlisted, unlisted_lost;	/* past the listing cap: counted only */
	mm_ns unlisted_total, unlisted_longest;
	/* unresponsive time: the run over the retired slots (judged by the threshold of then), closed ones */
	int ur_on;
	struct unresp_run ur;
	struct eplist ureps;		/* struct unresp_episode, unshifted numbers */
};

struct stream {
	struct dec_addr pinger, target;
	uint16_t id;
	size_t order;              /* creation index: ties in the final sort */
	struct seqwin w;           /* the slots; w.base is the first unretired sequence number */
	uint64_t requests, replies, dups;
	mm_ns first_ts, last_ts;
	int64_t shift;             /* added to unwrapped seqs when reported, keeps them >= 0 */
	struct episode *eps;
	size_t n_eps, cap_eps;
	struct retired r;
	uint64_t ul_n, ul_lost;    /* window episodes past the listing cap, counted at finish */
	mm_ns ul_total, ul_longest;
	struct eplist ureps;       /* unresponsive episodes of the last finish (struct unresp_episode) */
	struct echo_stream_info info;
	/* For a live progress display: outages seen so far, from replies alone. */
	int live_any;              /* a reply was seen; live_ans is valid */
	int64_t live_ans;          /* highest sequence number answered */
	uint64_t live_eps;         /* answers that came after a gap of unanswered requests */
	unsigned big_jumps;        /* forward jumps over half a window (ECHO_MAX_BIG_JUMPS) */
	mm_ns prev_ts;             /* the stream's previous message */
	mm_ns elapsed;             /* sum of the forward steps between messages: the duration, steps back left out */
	uint64_t steps_back;       /* messages over ECHO_STEP_SLACK before the previous one */
	int reclaimed;             /* its idle window was given back (echo_reclaim); 0 again once heard */
	struct stream *prev;       /* the earlier run of a restarted ping (same key), or NULL */
	size_t pos;                /* its place after echo_finish's sort */
};

struct echo_table {
	struct echo_cfg cfg;
	struct stream **streams;   /* creation order; sorted by first message in echo_finish */
	size_t n_streams, cap_streams;
	struct stream **hash;      /* open addressing, linear probing, power-of-two size */
	size_t hcap;
	struct seqwin_pool pool;   /* slots over all streams, against max_requests */
	size_t vmap_used;          /* multiset entries over all streams, against VMAP_BUDGET */
	size_t listed;             /* episodes listed over all streams, against ECHO_MAX_LISTED */
	size_t listed_retired;     /* of which closed by retired slots (the rest is redone by each finish) */
	size_t ulisted, ulisted_retired;   /* the same for unresponsive episodes */
	void (*lost_fn)(void *ctx, mm_ns ts);   /* told of requests lost in retired slots */
	void *lost_ctx;
	void (*rtt_fn)(void *ctx, mm_ns sent, mm_ns rtt);	/* told of each first reply to a seen request */
	void *rtt_ctx;
	uint64_t dropped;
};

/* echo-times.c: the stream's medians and every slot's send time. */
mm_ns echo_slot_time(const struct seqwin_slot *sl, int use_rep);
void echo_estimate_times(struct seqwin_slot *v, size_t n, mm_ns rtt);
mm_ns echo_stream_interval(const struct stream *s, const struct seqwin_slot *v, size_t n, uint8_t flag,
			   mm_ns *tmp, int *oom);

/* echo-episodes.c: loss episodes of the window (v[0] is s->w.base); slots from pend_from on are pending. */
size_t echo_pending_from(const struct seqwin_slot *v, size_t n, mm_ns iv, mm_ns rtt_max, mm_ns capture_end);
int echo_request_episodes(struct echo_table *et, struct stream *s, struct seqwin_slot *v, size_t n, mm_ns iv,
			  size_t pend_from);
int echo_reply_episodes(struct echo_table *et, struct stream *s, struct seqwin_slot *v, size_t n, mm_ns iv);

/* echo-unresp.c: unresponsive time. */
mm_ns echo_threshold(const struct echo_table *et, mm_ns rtt_median, mm_ns iv);
/* Lists (or counts past the cap) one episode into l; `retired`: closed by retired slots. Returns 0 or -1. */
int echo_unresp_push(struct echo_table *et, struct eplist *l, const struct unresp_episode *e, int retired);
/* The window's episodes after the retired ones, into s->ureps and s->info. Returns 0 or -1. */
int echo_unresp_finish(struct echo_table *et, struct stream *s, const struct seqwin_slot *v, size_t pend_from,
		       mm_ns threshold, mm_ns iv);
/* Counts one episode into l's not-listed figures. */
void echo_eplist_count(struct eplist *l, const struct unresp_episode *e);
void echo_eplist_free(struct eplist *l);

/* echo-retire.c: folds the slots before `want` into s->r (a seqwin_retire_fn with ctx = the stream). */
int echo_retire(struct echo_table *et, struct stream *s, int64_t want);
/*
 * The slot pool is short at capture time `now`: the window of the stream
 * idle longest (no message for a minute, not `except`) is retired down to
 * its last slots and trimmed.  Returns 0 when slots were given back, -1
 * when no stream could give any.
 */
int echo_reclaim(struct echo_table *et, mm_ns now, const struct stream *except);

#endif
