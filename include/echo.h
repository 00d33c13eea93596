/* echo.h - ICMP/ICMPv6 echo streams and the VM downtime episodes found in them. */
#ifndef MM_ECHO_H
#define MM_ECHO_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "episode.h"
#include "mmtime.h"
#include "unresp.h"

struct echo_cfg {
	size_t max_streams;    /* cap on streams; 0 = default (1024) */
	size_t max_requests;   /* cap on stored sequence slots over all streams; 0 = default (512K, 12 MB) */
	unsigned late_after;   /* a reply is late once this many later requests were sent; 0 = default (3) */
	mm_ns late_threshold;  /* --late-threshold: a reply later than this is no answer in time;
	                          0 = max(10 x the stream's median RTT, its interval) */
};

/* One echo stream: (pinger, target, identifier). */
struct echo_stream_info {
	struct dec_addr pinger, target;
	uint16_t id;
	uint64_t requests, replies;    /* distinct requests / replies seen */
	uint64_t lost;                 /* requests never answered (pending ones excluded) */
	uint64_t pending;              /* unanswered requests too close to the capture end to call lost */
	uint64_t duplicates;           /* replies beyond the first for a sequence number */
	uint64_t late;                 /* replies that came after `late_after` later requests
	                                  (replies only: after the reply to a request that many later) */
	uint64_t clock_steps_back;     /* messages stamped over 1 ms before the stream's previous one */
	uint8_t replies_only;          /* 1: no requests seen, episodes from reply gaps */
	uint8_t never_answered;        /* 1: requests but no reply at all: not downtime, reported as such */
	size_t follows;                /* a restarted ping (same key, its sequence begun again): the stream
	                                  number (1-based, in echo_stream order) of its earlier run; 0: none */
	mm_ns first_ts, last_ts;       /* first/last echo message of the stream */
	mm_ns interval;                /* median gap between consecutive requests; MM_NS_NONE if < 2 */
	mm_ns rtt_median;              /* median request->reply time; MM_NS_NONE if none */
	size_t n_episodes;             /* episodes listed */
	const struct episode *episodes;  /* owned by the table */
	uint64_t episodes_not_listed;  /* past the table's listing cap (4096): in the totals, not listed */
	mm_ns downtime_total;          /* sum of episode estimates */
	mm_ns downtime_longest;        /* largest episode estimate */
	mm_ns lost_x_interval;         /* classic: lost * interval */
	mm_ns duration_x_loss;         /* classic: duration * lost / sequence numbers spanned (= requests
	                                  when all were seen); duration = last_ts - first_ts, steps back left out */
	/* Unresponsive time (unresp.h): runs of requests with no reply within unresp_threshold. */
	mm_ns unresp_threshold;        /* MM_NS_NONE: not measured (replies only, never answered) */
	uint8_t unresp_fixed;          /* 1: the threshold was given (echo_cfg.late_threshold) */
	size_t n_unresp;               /* episodes listed */
	const struct unresp_episode *unresp;  /* owned by the table; numbers are sequence numbers */
	uint64_t unresp_not_listed;    /* past the listing cap (4096): in the totals, not listed */
	mm_ns unresp_total;            /* sum of the reply gaps */
	mm_ns unresp_longest;          /* largest reply gap */
	mm_ns unresp_worst_rtt;        /* largest late reply's RTT; MM_NS_NONE when none */
};

struct echo_table;

/* Returns a new table or NULL when out of memory. */
struct echo_table *echo_new(const struct echo_cfg *cfg);
void echo_free(struct echo_table *et);   /* NULL is a no-op */

/*
 * Accounts one decoded frame seen by capture `src` (the input's index).
 * Anything that is not an ICMP/ICMPv6 echo request or reply is ignored
 * (returns 0).  A request seen by several captures counts once; a reply
 * counts as a duplicate only when the same capture sees it again.
 * Returns ECHO_NEW when the frame was an echo message counted in its
 * stream (a request or reply of its sequence number not seen before),
 * ECHO_SEEN when it was taken but had been counted already (the same
 * message from another vantage point, or a duplicate reply), -1 when a
 * cap was hit (counted in echo_dropped(), not stored).  Counting only
 * ECHO_NEW messages gives the stream's requests and replies: the time
 * series does, so its sums equal the report's.
 */
#define ECHO_NEW  1
#define ECHO_SEEN 2
int echo_account(struct echo_table *et, const struct dec_pkt *p, unsigned src, mm_ns ts);

/*
 * Builds intervals and episodes.  `capture_end` is the last timestamp of
 * the whole capture (unanswered requests within max(2 x interval, 2 x
 * the largest RTT seen, 10 ms) of it are pending, not lost).  Call after
 * the last echo_account; returns 0 or -1 when out of memory.  A live
 * capture may also call it while it runs (capture_end = now) and go on
 * accounting: the streams then tell the figures so far, and every episode
 * closed by then (ended_in_capture) is the one the final call gives,
 * unless its threshold or interval moves with the medians.
 */
int echo_finish(struct echo_table *et, mm_ns capture_end);

/* After echo_finish: streams in order of first message. */
size_t echo_stream_count(const struct echo_table *et);
const struct echo_stream_info *echo_stream(const struct echo_table *et, size_t i);

/* After echo_finish: calls fn once per lost request with its (estimated) send time (see echo_set_lost_sink). */
void echo_visit_lost(const struct echo_table *et, void (*fn)(void *ctx, mm_ns ts), void *ctx);

/*
 * Memory stays bounded however long a stream runs: each stream keeps a
 * window of at most 32K sequence numbers (and all streams 512K); when it
 * is full, the oldest slots are retired into running figures (multisets
 * of the gaps and RTTs for the medians, closed episodes, counters), so
 * the report is the same as if every slot had been kept.  Requests lost
 * in retired slots are told to `fn` as they are retired (NULL: nobody);
 * echo_visit_lost then tells only the others.  Inexact only at the edges:
 * a message older than the window is dropped (echo_dropped), a median
 * over more than 4096 distinct values of retired slots is rounded to a
 * power-of-two number of ns.  When the slots of all streams are taken, a
 * stream quiet for a minute gives its window back (retired down to its
 * last slots) to a new or growing one.
 */
void echo_set_lost_sink(struct echo_table *et, void (*fn)(void *ctx, mm_ns ts), void *ctx);

/*
 * Tells `fn` of each echo reply, the first for its sequence number, whose
 * request was seen (and sent no later): the request's time and the round
 * trip.  For the time series' RTT columns; NULL: nobody.
 */
void echo_set_rtt_sink(struct echo_table *et, void (*fn)(void *ctx, mm_ns sent, mm_ns rtt), void *ctx);

/*
 * Live retention: the listed episodes (loss and unresponsive) that ended
 * before `before` and are closed by retired slots leave the listings for
 * good: they are counted as not listed (episodes_not_listed, and their
 * lost requests, estimates or gaps in lost, downtime_total and
 * downtime_longest, unresp_not_listed, unresp_total, unresp_longest,
 * unresp_worst_rtt), their memory freed, and their places under the
 * listing cap (4096 per kind over all streams) free again for later
 * episodes.  Every per-stream figure echo_finish() gives afterwards
 * (episodes + episodes_not_listed, lost, downtime_total,
 * downtime_longest, the unresponsive equivalents, intervals, RTTs) is the
 * same as without forgetting, except as the rule below says.  The streams'
 * figures (echo_stream) change at the next echo_finish, which may be
 * called any number of times, before and after.
 *
 * An episode ends at the first answer after it: a loss episode at the
 * send time of the first answered request after it (the later of that and
 * first_lost_ts + estimate), an unresponsive one at its `end` (the first
 * timely reply).  Only episodes closed by slots already retired out of
 * the window are candidates (the window's own are redone by every
 * echo_finish and are never forgotten); one ending at or after `before`
 * stays listed.
 *
 * Valuation: a forgotten loss episode is valued as one past the listing
 * cap is, with the stream's interval measured at the time of forgetting
 * (the same medians echo_finish would take then) and its first and last
 * message so far.  A request episode with its times in order (every usual
 * one) does not depend on the interval: its lost, estimate and bounds are
 * exactly the final ones.  A reply-gap episode (inferred: estimate = gap
 * - interval) or one the capture's clock stepped back inside (lost x
 * interval) keeps the interval of then, where the final report could
 * have measured the interval slightly differently; an inferred one is
 * not forgotten while its stream's interval is unknown.  Unresponsive
 * episodes of retired slots were final when they closed (judged by the
 * threshold of then), so forgetting them changes no figure.  The lost
 * requests of a forgotten inferred episode are told to the lost sink
 * (echo_set_lost_sink) at once; echo_visit_lost no longer tells them.
 * Out of memory, a stream's loss episodes simply stay listed.
 * Returns the number of episodes forgotten (both kinds).
 */
size_t echo_forget_before(struct echo_table *et, mm_ns before);

/* Echo messages not stored because a cap was hit. */
uint64_t echo_dropped(const struct echo_table *et);

/*
 * For a progress display while a capture runs (before echo_finish): the
 * downtime episodes seen so far over all streams, an outage still going
 * on included (counted in *ongoing too).  Quick and approximate, from
 * replies alone (an answer after unanswered requests closes one; three
 * requests past the last answer is one still open); the report's
 * episodes come from echo_finish.
 */
uint64_t echo_episodes_so_far(const struct echo_table *et, uint64_t *ongoing);

#endif
