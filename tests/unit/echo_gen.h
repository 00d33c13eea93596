/* echo_gen.h - for the echo unit tests: a ping stream fed to several tables at once, in time order, and what it should give. */
#ifndef MM_TEST_ECHO_GEN_H
#define MM_TEST_ECHO_GEN_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "echo-int.h"

#define MS ((mm_ns)1000000)
#define US ((mm_ns)1000)
#define SEC MM_NS_PER_S
#define T0 ((mm_ns)1764307152 * MM_NS_PER_S)
#define NO_REPLY ((mm_ns)-1)
#define NEPS 10000   /* loss episodes of the long run */
#define CYCLE 20     /* pings per episode cycle */

/* ---- a ping stream fed to several tables at once, in time order ---- */

struct gen {
	struct echo_table *t[2];
	int nt;
	int replies_only;
	int jitter;            /* 0: every ping exactly on its second, RTT exactly 1 ms */
	int64_t seq;           /* unwrapped: the next request's number */
	uint16_t id;           /* the stream's identifier */
	mm_ns t0;              /* when number 0 is sent */
	uint64_t lcg;
	struct { uint16_t seq; mm_ns ts; } pend[8];   /* late replies not sent yet */
	int np;
	mm_ns last;            /* last message sent */
	/* what the loss episodes are (request mode), as they close */
	int in_run;
	int64_t run_first;
	mm_ns run_t;
	uint64_t n_eps, lost;
	mm_ns total, longest;
	mm_ns ends[NEPS + 64];          /* episode k ends at ends[k] (its first answered request) */
	int64_t firsts[NEPS + 64];      /* and begins at this unwrapped number */
};

static inline uint32_t rnd(struct gen *g)
{
	g->lcg = g->lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(g->lcg >> 33);
}

static inline void send_msg(struct gen *g, int is_req, uint16_t seq, mm_ns ts)
{
	struct dec_pkt p;
	struct dec_addr a, b;

	memset(&p, 0, sizeof(p));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.family = b.family = 4;
	a.a[0] = b.a[0] = 10;
	a.a[3] = 1;
	b.a[3] = 2;
	p.status = DEC_OK;
	p.ip_ver = 4;
	p.proto = 1;
	p.src = is_req ? a : b;
	p.dst = is_req ? b : a;
	p.icmp.type = is_req ? 8 : 0;
	p.icmp.echo = is_req ? DEC_ECHO_REQUEST : DEC_ECHO_REPLY;
	p.icmp.id = g->id;
	p.icmp.seq = seq;
	for (int i = 0; i < g->nt; i++)
		assert_int_equal(echo_account(g->t[i], &p, 0, ts), ECHO_NEW);
	g->last = ts;
}

/* The late replies due by `t`, oldest first. */
static inline void flush(struct gen *g, mm_ns t)
{
	for (;;) {
		int best = -1;

		for (int i = 0; i < g->np; i++)
			if (g->pend[i].ts <= t && (best < 0 || g->pend[i].ts < g->pend[best].ts))
				best = i;
		if (best < 0)
			return;
		send_msg(g, 0, g->pend[best].seq, g->pend[best].ts);
		g->pend[best] = g->pend[--g->np];
	}
}

/* The next ping, its reply `rtt` later (NO_REPLY: none); returns its send time. */
static inline mm_ns gen_ping(struct gen *g, mm_ns rtt)
{
	mm_ns t = g->t0 + (mm_ns)g->seq * SEC + (g->jitter ? (mm_ns)(rnd(g) % 2000) * US : 0);
	uint16_t q = (uint16_t)g->seq;

	if (rtt != NO_REPLY && rtt < 100 * MS && g->jitter)
		rtt += (mm_ns)(rnd(g) % 200) * US;
	flush(g, t);
	if (!g->replies_only)
		send_msg(g, 1, q, t);
	if (rtt == NO_REPLY) {
		if (!g->in_run) {
			g->in_run = 1;
			g->run_first = g->seq;
			g->run_t = t;
		}
	} else {
		if (g->in_run) {
			mm_ns est = t - g->run_t;

			g->firsts[g->n_eps] = g->run_first;
			g->ends[g->n_eps] = t;
			g->n_eps++;
			g->lost += (uint64_t)(g->seq - g->run_first);
			g->total += est;
			if (est > g->longest)
				g->longest = est;
			g->in_run = 0;
		}
		if (rtt < 100 * MS) {
			send_msg(g, 0, q, t + rtt);
		} else {
			assert_true(g->np < 8);
			g->pend[g->np].seq = q;
			g->pend[g->np++].ts = t + rtt;
		}
	}
	g->seq++;
	return t;
}

/*
 * Episode cycle k: 20 pings; ping 3 answered late (1.5 s + k % 100 ms: an
 * unresponsive episode of its own; 2.8 s at k = 100, 2.9 s at k = 9000,
 * the worst), pings 10.. lost (1 + k % 5 of them, 60 at k = 5000: the
 * longest).
 */
static inline void gen_cycle(struct gen *g, unsigned k)
{
	unsigned lost = k == 5000 ? 60 : 1 + k % 5;
	mm_ns late = k == 9000 ? 2900 * MS : k == 100 ? 2800 * MS : 1500 * MS + (mm_ns)(k % 100) * MS;

	for (unsigned i = 0; i < CYCLE + (lost > 10 ? lost : 0); i++)
		gen_ping(g, i == 3 ? late : (i >= 10 && i < 10 + lost) ? NO_REPLY : 1 * MS);
}

static inline void gen_init(struct gen *g, int nt)
{
	memset(g, 0, sizeof(*g));
	g->nt = nt;
	g->jitter = 1;
	g->lcg = 12345;
	g->id = 77;
	g->t0 = T0;
	for (int i = 0; i < nt; i++) {
		g->t[i] = echo_new(NULL);
		assert_non_null(g->t[i]);
	}
}

static inline const struct echo_stream_info *only(const struct echo_table *et)
{
	assert_int_equal(echo_stream_count(et), 1);
	return echo_stream(et, 0);
}

/* Every figure forgetting must leave alone. */
static inline void same_figures(const struct echo_stream_info *a, const struct echo_stream_info *b)
{
	assert_int_equal(a->requests, b->requests);
	assert_int_equal(a->replies, b->replies);
	assert_int_equal(a->n_episodes + a->episodes_not_listed, b->n_episodes + b->episodes_not_listed);
	assert_int_equal(a->lost, b->lost);
	assert_int_equal(a->pending, b->pending);
	assert_int_equal(a->late, b->late);
	assert_true(a->downtime_total == b->downtime_total);
	assert_true(a->downtime_longest == b->downtime_longest);
	assert_true(a->lost_x_interval == b->lost_x_interval);
	assert_true(a->duration_x_loss == b->duration_x_loss);
	assert_true(a->interval == b->interval);
	assert_true(a->rtt_median == b->rtt_median);
	assert_true(a->unresp_threshold == b->unresp_threshold);
	assert_int_equal(a->n_unresp + a->unresp_not_listed, b->n_unresp + b->unresp_not_listed);
	assert_true(a->unresp_total == b->unresp_total);
	assert_true(a->unresp_longest == b->unresp_longest);
	assert_true(a->unresp_worst_rtt == b->unresp_worst_rtt);
}

#endif
