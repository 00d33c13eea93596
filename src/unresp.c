/* unresp.c - unresponsive episodes (no timely reply) from request and reply times, overflow-safe. */
#include "unresp.h"

#include <string.h>

#define UNRESP_RTT_FACTOR 10

mm_ns unresp_threshold(mm_ns rtt_median, mm_ns interval)
{
	mm_ns a = rtt_median == MM_NS_NONE ? MM_NS_NONE : mm_mul(UNRESP_RTT_FACTOR, mm_nonneg(rtt_median));
	mm_ns b = interval == MM_NS_NONE ? MM_NS_NONE : mm_nonneg(interval);

	if (a == MM_NS_NONE)
		return b;
	if (b == MM_NS_NONE)
		return a;
	return a > b ? a : b;
}

void unresp_init(struct unresp_run *r, mm_ns threshold, mm_ns interval)
{
	memset(r, 0, sizeof(*r));
	unresp_retune(r, threshold, interval);
}

void unresp_retune(struct unresp_run *r, mm_ns threshold, mm_ns interval)
{
	r->threshold = threshold == MM_NS_NONE ? 0 : mm_nonneg(threshold);
	r->interval = interval;
}

/* The run's figures, from its edges; `end` MM_NS_NONE when still going on. */
static void close_run(struct unresp_run *r, mm_ns end, struct unresp_episode *out)
{
	struct unresp_episode *e = &r->cur;
	mm_ns from = e->start != MM_NS_NONE ? e->start : e->first_req;
	mm_ns iv = r->interval == MM_NS_NONE ? 0 : mm_nonneg(r->interval);

	e->end = end;
	e->ended_in_capture = end != MM_NS_NONE;
	e->lower = mm_nonneg(mm_sub(e->last_req, e->first_req));
	if (end != MM_NS_NONE) {
		e->gap = mm_nonneg(mm_sub(end, from));
		e->upper = r->have_prev && e->began_in_capture ? mm_nonneg(mm_sub(end, r->prev_req)) : MM_NS_NONE;
	} else {
		/* the capture ends inside it: what was seen plus one interval */
		e->gap = mm_add(mm_nonneg(mm_sub(e->last_req, from)), iv);
		e->upper = MM_NS_NONE;
	}
	if (e->upper != MM_NS_NONE) {
		if (e->lower > e->upper)
			e->lower = e->upper;	/* the clock stepped back inside it */
		if (e->gap > e->upper)
			e->gap = e->upper;
	}
	if (e->gap < e->lower)
		e->gap = e->lower;
	*out = *e;
	r->open = 0;
}

int unresp_feed(struct unresp_run *r, uint64_t num, mm_ns req, mm_ns rep, struct unresp_episode *out)
{
	int timely;
	mm_ns rtt = MM_NS_NONE;

	if (rep != MM_NS_NONE && req != MM_NS_NONE)
		rtt = mm_sub(rep, req);
	timely = rep != MM_NS_NONE && (req == MM_NS_NONE || rtt <= r->threshold);
	if (timely) {
		int closed = 0;

		if (r->open) {
			close_run(r, rep, out);
			closed = 1;
		}
		r->have_prev = 1;
		r->prev_req = req != MM_NS_NONE ? req : rep;
		r->prev_rep = rep;
		return closed;
	}
	if (req == MM_NS_NONE)
		return 0;	/* neither sent nor answered as far as the capture says */
	if (!r->open) {
		struct unresp_episode *e = &r->cur;

		memset(e, 0, sizeof(*e));
		r->open = 1;
		e->first = num;
		e->first_req = e->last_req = req;
		e->start = r->have_prev ? r->prev_rep : MM_NS_NONE;
		e->began_in_capture = (uint8_t)r->have_prev;
		e->worst_rtt = MM_NS_NONE;
		e->threshold = r->threshold;
	}
	r->cur.last = num;
	if (req > r->cur.last_req)
		r->cur.last_req = req;
	if (req < r->cur.first_req)
		r->cur.first_req = req;
	if (rep == MM_NS_NONE) {
		r->cur.lost++;
	} else {
		r->cur.late++;
		if (r->cur.worst_rtt == MM_NS_NONE || rtt > r->cur.worst_rtt)
			r->cur.worst_rtt = rtt;
	}
	return 0;
}

int unresp_end(struct unresp_run *r, struct unresp_episode *out)
{
	if (!r->open)
		return 0;
	close_run(r, MM_NS_NONE, out);
	return 1;
}
