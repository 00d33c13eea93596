/* view-ping.h - iputils ping output (plain, -D, -O, DUP!, statistics) as downtime episodes and the classic hand figures. */
#ifndef MM_VIEW_PING_H
#define MM_VIEW_PING_H

#include <stddef.h>
#include <stdint.h>

#include "view.h"

#define VPING_MAX_RUNS 64
#define VPING_MAX_REPLIES (1u << 24)	/* reply lines kept over all runs */

struct vping_reply {
	uint64_t seq;		/* unwrapped: ping's 16-bit icmp_seq carried on past 65535 */
	mm_ns t_req;		/* when the request left: -D time minus the rtt; MM_NS_NONE without -D */
	mm_ns rtt;		/* MM_NS_NONE when the line has no time= */
};

/* A "no answer yet for icmp_seq=N" line (-O): request N+1 left at t. */
struct vping_noans {
	uint64_t seq;
	mm_ns t;
};

/* A run of requests without a reply, as the wire analysis gives it (echo.h). */
struct vping_episode {
	uint64_t first_seq, last_seq, lost;
	mm_ns start;		/* first unanswered request left */
	mm_ns end;		/* first answered request after it left; MM_NS_NONE if none */
	mm_ns estimate;		/* end - start */
	mm_ns lower;		/* span of the unanswered requests */
	mm_ns upper;		/* answered request before to answered request after; NONE without one */
	int ended;		/* an answered request came after it */
	int began;		/* an answered request came before it */
};

/* One ping run: from its "PING" line to its statistics. */
struct vping_run {
	char target[80];
	unsigned long first_line;
	int timestamps;		/* -D times seen: absolute, exact */
	uint64_t reply_lines, dup_lines, error_lines, noans_lines;
	/* the statistics lines */
	int have_summary, have_rtt;
	uint64_t transmitted, received, duplicates, errors;
	int64_t loss_pct_nano;	/* the printed loss %, x 10^9 */
	int64_t time_ms;
	mm_ns rtt_min, rtt_avg, rtt_max, rtt_mdev;
	/* the reckoning (vping_parse does it) */
	mm_ns interval;		/* MM_NS_NONE when nothing gives one */
	const char *interval_from;	/* "-D times (median gap)", "time / (transmitted - 1)", "--ping-interval" */
	mm_ns summary_interval;	/* time / (transmitted - 1), MM_NS_NONE without a summary */
	uint64_t first_seq, last_seq;	/* the requests the run sent (as far as the log shows) */
	uint64_t lost;		/* transmitted - received, or reckoned from the sequence numbers */
	mm_ns first_t, last_t;	/* first and last request (absolute with -D, else from 0) */
	struct vping_reply *r;
	size_t nr, rcap;
	struct vping_noans *na;
	size_t nna, nacap;
	struct vping_episode *ep;
	size_t nep, epcap;
	uint64_t dropped;	/* reply lines over the cap, not kept */
	uint64_t last_raw;	/* unwrapping state */
	int have_last;
};

struct vping {
	struct vping_run *runs;
	size_t nruns;
	unsigned long lines, used, unknown, overlong;
	uint64_t runs_dropped;
	mm_ns asked;		/* --ping-interval, or MM_NS_NONE */
};

/*
 * Parses ping output from file f (every run in it) and reckons each run's
 * episodes and interval; `asked` is the interval ping was asked for
 * (MM_NS_NONE if not known).  Unknown lines are counted and skipped.
 * Returns 0, or -1 with one line in err naming FILE:LINE (statistics that
 * contradict themselves) or FILE (no ping output in it, out of memory).
 * vping_free releases (a zeroed struct is fine).
 */
int vping_parse(struct vping *v, struct view_file *f, mm_ns asked, char *err, size_t errlen);
void vping_free(struct vping *v);

/*
 * The classic figures of a run in seconds, worked out as a hand (or awk)
 * does, in doubles: lost x `interval` (MM_NS_NONE: the run's own, from the
 * statistics lost x time / (transmitted - 1)), and time x the printed loss %.
 * -1 when a term is unknown.
 */
double vping_lost_x_interval(const struct vping_run *r, mm_ns interval);
double vping_time_x_loss(const struct vping_run *r);
/* Episodes that ended (the continuity check counts these); the longest in *longest. */
size_t vping_outages(const struct vping_run *r, mm_ns *longest);

#endif
