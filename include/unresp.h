/* unresp.h - unresponsive episodes: runs of requests not answered within a threshold, built as the requests go by. */
#ifndef MM_UNRESP_H
#define MM_UNRESP_H

#include <stdint.h>

#include "mmtime.h"

/*
 * Requests are fed in request order with their send time and first reply
 * (if any).  A reply within `threshold` of its request is timely; a later
 * one (late) or none (lost) is not.  An unresponsive episode is a
 * maximal run of requests without a timely reply, measured by the reply
 * gap: from the last timely reply before it to the first timely reply
 * after it (README "Unresponsive time").  Nothing here knows what a
 * request is: echo streams feed sequence numbers, any request/response
 * protocol can feed its turns.  All arithmetic saturates; no figure is
 * negative; lower <= gap <= upper whenever upper is known.
 */
struct unresp_episode {
	uint64_t first, last;        /* the caller's numbers of the first and last request of the run */
	mm_ns start;                 /* last timely reply before; MM_NS_NONE: none (began before the capture) */
	mm_ns end;                   /* first timely reply after; MM_NS_NONE: still going at the end */
	mm_ns first_req, last_req;   /* send times of the first and last untimely request */
	mm_ns gap;                   /* end - start; without start: end - first_req; open: seen + interval */
	mm_ns lower;                 /* last_req - first_req: the requests not answered in time */
	mm_ns upper;                 /* end - (send time of the last timely request before); MM_NS_NONE if open or none */
	uint64_t late, lost;         /* requests of the run answered late / not at all */
	mm_ns worst_rtt;             /* largest reply time of a late reply; MM_NS_NONE when all were lost */
	mm_ns threshold;             /* the threshold the run was judged by */
	uint8_t began_in_capture;    /* a timely reply came before it */
	uint8_t ended_in_capture;    /* a timely reply came after it */
};

/* Builder state: a plain value (copy it to try the rest of a sequence without changing it). */
struct unresp_run {
	mm_ns threshold, interval;
	int have_prev;               /* a timely request was seen: prev_req, prev_rep valid */
	mm_ns prev_req, prev_rep;
	int open;                    /* a run is going on: cur holds it so far */
	struct unresp_episode cur;
};

/* The default threshold: max(10 x median RTT, interval), either may be MM_NS_NONE; MM_NS_NONE when both are. */
mm_ns unresp_threshold(mm_ns rtt_median, mm_ns interval);

/* A new run with this threshold (> 0) and the requests' interval (MM_NS_NONE: unknown). */
void unresp_init(struct unresp_run *r, mm_ns threshold, mm_ns interval);

/* Changes the threshold and interval for the requests still to come (the run so far stays as judged). */
void unresp_retune(struct unresp_run *r, mm_ns threshold, mm_ns interval);

/*
 * One request `num` sent at `req` (MM_NS_NONE: not known; taken as
 * untimely only when its reply is), first reply at `rep` (MM_NS_NONE:
 * none).  A reply stamped before its request (clocks of merged captures)
 * counts as timely.  Returns 1 and fills *out when this request's timely
 * reply closed an episode, 0 otherwise.
 */
int unresp_feed(struct unresp_run *r, uint64_t num, mm_ns req, mm_ns rep, struct unresp_episode *out);

/* The requests ended: a run still going on is returned (1) with ended_in_capture 0; 0 when none. */
int unresp_end(struct unresp_run *r, struct unresp_episode *out);

#endif
