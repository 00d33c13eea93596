/* echo.c - ICMP/ICMPv6 echo streams: the table, sequence unwrapping, and each stream's report (SPEC "Downtime from ICMP echo"). */
#include <stdlib.h>
#include <string.h>

#include "arr.h"
#include "echo-int.h"

#define ECHO_DEF_STREAMS   1024
#define ECHO_DEF_REQUESTS  ((size_t)512 << 10)   /* slots over all streams: 12 MB */
/*
 * A forward jump of more than half a window retires most of the window
 * (work in proportion to the window).  A real ping stream jumps like that
 * only after a capture gap of thousands of requests; a stream that does it
 * more than this many times is not one (hostile input: each message would
 * cost a whole window), and its later messages are dropped and counted.
 */
#define ECHO_MAX_BIG_JUMPS 64
#define ECHO_DEF_LATE      3u
#define ECHO_HASH0         64
#define ECHO_STEP_SLACK    (1000 * 1000)        /* a message this much before the previous one: the clock stepped back */
/*
 * A ping run restarted with the same identifier (a pinger in a fresh PID
 * namespace, a fixed -e ID) starts its sequence again: a request for a
 * number already requested this long before, or older than the window, or
 * below the first number seen this long after it, or one jumping forward by
 * over half a window, is a new run.  The same
 * request seen by another vantage point comes within their clock offset,
 * far less than this.
 */
#define ECHO_RESTART_GAP   ((mm_ns)1000 * 1000 * 1000)

struct echo_table *echo_new(const struct echo_cfg *cfg)
{
	struct echo_table *et = calloc(1, sizeof(*et));

	if (!et)
		return NULL;
	if (cfg)
		et->cfg = *cfg;
	if (et->cfg.max_streams == 0)
		et->cfg.max_streams = ECHO_DEF_STREAMS;
	if (et->cfg.max_requests == 0)
		et->cfg.max_requests = ECHO_DEF_REQUESTS;
	if (et->cfg.late_after == 0)
		et->cfg.late_after = ECHO_DEF_LATE;
	et->pool.cap = et->cfg.max_requests;
	return et;
}

static void stream_free(struct echo_table *et, struct stream *s)
{
	if (!s)
		return;
	seqwin_free(&s->w, &et->pool);
	free(s->eps);
	for (int f = 0; f < 2; f++)
		for (int k = 0; k < 2; k++)
			medset_free(&s->r.gap[f][k]);
	medset_free(&s->r.rtt);
	free(s->r.eps);
	echo_eplist_free(&s->r.ureps);
	echo_eplist_free(&s->ureps);
	free(s);
}

void echo_free(struct echo_table *et)
{
	if (!et)
		return;
	for (size_t i = 0; i < et->n_streams; i++)
		stream_free(et, et->streams[i]);
	free(et->streams);
	free(et->hash);
	free(et);
}

static int addr_eq(const struct dec_addr *a, const struct dec_addr *b)
{
	return a->family == b->family && memcmp(a->a, b->a, sizeof(a->a)) == 0;
}

static uint64_t fnv_bytes(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t key_hash(const struct dec_addr *pinger, const struct dec_addr *target, uint16_t id)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	uint8_t idb[2] = { (uint8_t)(id >> 8), (uint8_t)id };

	h = fnv_bytes(h, &pinger->family, 1);
	h = fnv_bytes(h, pinger->a, sizeof(pinger->a));
	h = fnv_bytes(h, &target->family, 1);
	h = fnv_bytes(h, target->a, sizeof(target->a));
	h = fnv_bytes(h, idb, sizeof(idb));
	/* final mix so the low bits (the bucket index) depend on every byte */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static size_t hash_slot(const struct echo_table *et, const struct dec_addr *pinger,
			const struct dec_addr *target, uint16_t id)
{
	size_t mask = et->hcap - 1;
	size_t i = (size_t)key_hash(pinger, target, id) & mask;

	for (;;) {
		const struct stream *s = et->hash[i];

		if (!s)
			return i;
		if (s->id == id && addr_eq(&s->pinger, pinger) && addr_eq(&s->target, target))
			return i;
		i = (i + 1) & mask;
	}
}

static int hash_grow(struct echo_table *et)
{
	size_t ncap = et->hcap ? et->hcap * 2 : ECHO_HASH0;
	struct stream **old = et->hash;
	size_t ocap = et->hcap;
	struct stream **nh = calloc(ncap, sizeof(*nh));

	if (!nh)
		return -1;
	et->hash = nh;
	et->hcap = ncap;
	for (size_t i = 0; i < ocap; i++) {
		struct stream *s = old[i];

		if (s)
			et->hash[hash_slot(et, &s->pinger, &s->target, s->id)] = s;
	}
	free(old);
	return 0;
}


/* seqwin_reserve's retirement: the stream's figures take the oldest slots. */
struct retire_ctx {
	struct echo_table *et;
	struct stream *s;
};

static int retire_cb(void *ctx, int64_t want)
{
	struct retire_ctx *rc = ctx;

	return echo_retire(rc->et, rc->s, want);
}

static int stream_reserve(struct echo_table *et, struct stream *s, int64_t u, mm_ns ts)
{
	struct retire_ctx rc = { et, s };

	s->reclaimed = 0;
	/* a window that would grow while idle streams hold the pool: they give it back first */
	while (u >= s->w.lo + (int64_t)s->w.alloc && s->w.alloc < SEQWIN_MAX &&
	       et->pool.used + s->w.alloc > et->pool.cap && echo_reclaim(et, ts, s) == 0)
		;

	return seqwin_reserve(&s->w, &et->pool, u, retire_cb, &rc);
}

/*
 * Creates the stream of (pinger, target, id), or of its restarted run when
 * `prev` is its earlier one (which leaves the lookup, kept for the
 * report); it gets slots around its first sequence number `seq` before it
 * is published.  NULL when a cap was hit or memory ran out.
 */
static struct stream *stream_new(struct echo_table *et, const struct dec_addr *pinger,
				 const struct dec_addr *target, uint16_t id, uint16_t seq, mm_ns ts,
				 struct stream *prev)
{
	struct stream *s = NULL;

	if (et->n_streams >= et->cfg.max_streams)
		return NULL;
	/* keep the load factor <= 1/2 so probes stay short */
	if ((et->n_streams + 1) * 2 > et->hcap && hash_grow(et) < 0)
		return NULL;
	if (et->n_streams == et->cap_streams) {
		size_t ncap = et->cap_streams ? et->cap_streams * 2 : 16;
		struct stream **ns;

		if (ncap > et->cfg.max_streams)
			ncap = et->cfg.max_streams;
		ns = realloc(et->streams, ncap * sizeof(*ns));
		if (!ns)
			return NULL;
		et->streams = ns;
		et->cap_streams = ncap;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->pinger = *pinger;
	s->target = *target;
	s->id = id;
	s->order = et->n_streams;
	s->first_ts = MM_NS_NONE;
	s->last_ts = MM_NS_NONE;
	s->prev_ts = MM_NS_NONE;
	s->prev = prev;
	while (seqwin_start(&s->w, &et->pool, seq) < 0) {
		/* the pool is taken: windows of streams gone quiet give their slots back */
		if (echo_reclaim(et, ts, NULL) < 0) {
			free(s);
			return NULL;
		}
	}
	et->streams[et->n_streams++] = s;
	et->hash[hash_slot(et, pinger, target, id)] = s;	/* a restart's slot is its earlier run's */
	return s;
}

static struct stream *stream_get(struct echo_table *et, const struct dec_addr *pinger,
				 const struct dec_addr *target, uint16_t id, uint16_t seq, mm_ns ts)
{
	if (et->hcap) {
		struct stream *s = et->hash[hash_slot(et, pinger, target, id)];

		if (s)
			return s;
	}
	return stream_new(et, pinger, target, id, seq, ts, NULL);
}

/*
 * Whether a message at unwrapped number u, `d` from the highest, starts a
 * new run of the stream (ECHO_RESTART_GAP): judged on requests, and on
 * replies only in a stream of replies alone.
 */
static int restarted(const struct stream *s, int is_req, int16_t d, int64_t u, mm_ns ts)
{
	const struct seqwin_slot *sl;
	uint8_t kind = is_req ? SL_REQ : SL_REP;

	if (s->requests + s->replies == 0 || (!is_req && s->requests))
		return 0;
	if (d > (int16_t)(SEQWIN_MAX / 2))
		return is_req;
	if (d > 0)
		return 0;
	if (u < s->w.base)	/* retired, or before the first number seen and not a moment late */
		return s->w.retired || mm_sub(ts, s->first_ts) >= ECHO_RESTART_GAP;
	if (u < s->w.lo || u >= s->w.lo + (int64_t)s->w.alloc)
		return 0;
	sl = seqwin_at(&s->w, u);
	return (sl->flags & kind) && mm_sub(ts, is_req ? sl->t : sl->rep) >= ECHO_RESTART_GAP;
}

int echo_account(struct echo_table *et, const struct dec_pkt *p, unsigned src, mm_ns ts)
{
	const struct dec_addr *pinger, *target;
	struct stream *s;
	struct seqwin_slot *sl;
	int is_req, ret = ECHO_SEEN;
	int16_t d;
	int64_t u;

	if (p->status != DEC_OK || (p->proto != 1 && p->proto != 58))
		return 0;
	if (p->icmp.echo != DEC_ECHO_REQUEST && p->icmp.echo != DEC_ECHO_REPLY)
		return 0;
	is_req = p->icmp.echo == DEC_ECHO_REQUEST;
	pinger = is_req ? &p->src : &p->dst;
	target = is_req ? &p->dst : &p->src;

	s = stream_get(et, pinger, target, p->icmp.id, p->icmp.seq, ts);
	if (!s)
		goto drop;
	/* nearest to the highest seen: reordering and the 16-bit wrap both come out right */
	d = (int16_t)(uint16_t)(p->icmp.seq - (uint16_t)s->w.umax);
	u = s->w.umax + d;
	if (restarted(s, is_req, d, u, ts)) {
		s = stream_new(et, pinger, target, p->icmp.id, p->icmp.seq, ts, s);
		if (!s)
			goto drop;
		d = (int16_t)(uint16_t)(p->icmp.seq - (uint16_t)s->w.umax);
		u = s->w.umax + d;
	}
	if (s->requests + s->replies > 0 && d > (int16_t)(SEQWIN_MAX / 2) &&
	    ++s->big_jumps > ECHO_MAX_BIG_JUMPS)
		goto drop;
	if (s->w.retired && u < s->w.base)
		goto drop;   /* older than the window: its slot was retired */
	if (stream_reserve(et, s, u, ts) < 0)
		goto drop;
	seqwin_note(&s->w, u);
	if (s->first_ts == MM_NS_NONE || ts < s->first_ts)
		s->first_ts = ts;
	if (s->last_ts == MM_NS_NONE || ts > s->last_ts)
		s->last_ts = ts;
	if (s->prev_ts != MM_NS_NONE) {
		/* a merged timeline is in time order: a step back is the capture's own clock */
		if (ts < mm_sub(s->prev_ts, ECHO_STEP_SLACK))
			s->steps_back++;
		else if (ts > s->prev_ts)
			s->elapsed = mm_add(s->elapsed, mm_sub(ts, s->prev_ts));
	}
	s->prev_ts = ts;

	sl = seqwin_at(&s->w, u);
	if (is_req) {
		/* the same request captured twice (two interfaces, merged files) counts once */
		if (!(sl->flags & SL_REQ)) {
			sl->flags |= SL_REQ;
			sl->t = ts;
			s->requests++;
			ret = ECHO_NEW;
		} else if (ts < sl->t) {
			sl->t = ts;
		}
	} else {
		uint8_t from = (uint8_t)(src < 255 ? src : 255);

		if (!(sl->flags & SL_REP)) {
			sl->flags |= SL_REP;
			sl->rep = ts;
			sl->rep_src = from;
			s->replies++;
			ret = ECHO_NEW;
			if (et->rtt_fn && (sl->flags & SL_REQ) && ts >= sl->t)
				et->rtt_fn(et->rtt_ctx, sl->t, ts - sl->t);
			if (!s->live_any || u > s->live_ans) {
				if (s->live_any && u > s->live_ans + 1)
					s->live_eps++;
				s->live_ans = u;
				s->live_any = 1;
			}
		} else {
			/* the same reply seen by another capture is not a duplicate */
			if (from == sl->rep_src)
				s->dups++;
			if (ts < sl->rep)
				sl->rep = ts;
		}
		if (sl->nrep < UINT32_MAX)
			sl->nrep++;
	}
	return ret;
drop:
	et->dropped++;
	return -1;
}

static int stream_finish(struct echo_table *et, struct stream *s, mm_ns capture_end)
{
	struct echo_stream_info *in = &s->info;
	size_t n = seqwin_len(&s->w), nr = 0, pend_from;
	struct seqwin_slot *v = seqwin_first(&s->w);
	mm_ns rtt_max = s->r.rtt_max, iv;
	mm_ns *tmp = NULL;
	int ret = -1, oom = 0;

	memset(in, 0, sizeof(*in));
	in->unresp_threshold = in->unresp_worst_rtt = MM_NS_NONE;
	s->n_eps = 0;
	s->ul_n = s->ul_lost = 0;
	s->ul_total = s->ul_longest = 0;
	in->follows = s->prev ? s->prev->pos + 1 : 0;
	in->pinger = s->pinger;
	in->target = s->target;
	in->id = s->id;
	in->requests = s->requests;
	in->replies = s->replies;
	in->duplicates = s->dups;
	in->first_ts = s->first_ts;
	in->last_ts = s->last_ts;
	in->clock_steps_back = s->steps_back;
	in->replies_only = s->requests == 0;
	in->never_answered = s->requests > 0 && s->replies == 0;
	/* report sequence numbers >= 0 yet congruent to the wire value */
	s->shift = s->w.umin < 0 ? ((-s->w.umin + 65535) / 65536) * 65536 : 0;
	if (capture_end == MM_NS_NONE || capture_end < s->last_ts)
		capture_end = s->last_ts;

	for (size_t i = 0; i < n; i++)
		v[i].flags &= (uint8_t)~(SL_EST | SL_LOST);   /* finish may run again */

	tmp = malloc((n + 1) * sizeof(*tmp));
	if (!tmp)
		goto out;
	iv = echo_stream_interval(s, v, n, s->requests ? SL_REQ : SL_REP, tmp, &oom);
	if (oom)
		goto out;
	in->interval = iv;

	for (size_t i = 0; i < n; i++) {
		mm_ns r;

		if ((v[i].flags & (SL_REQ | SL_REP)) != (SL_REQ | SL_REP))
			continue;
		r = mm_sub(v[i].rep, v[i].t);
		if (r < 0)
			continue;   /* clock skew between merged captures */
		tmp[nr++] = r;
		if (r > rtt_max)
			rtt_max = r;
	}
	in->rtt_median = medset_median_with(&s->r.rtt, tmp, nr, &oom);
	if (oom)
		goto out;

	echo_estimate_times(v, n, in->rtt_median);

	if (in->never_answered) {
		/* a target that never answers is a filter or a wrong address, not downtime */
		ret = 0;
		goto out;
	}
	/* what the retired slots closed comes first, in sequence order (already in the listing cap) */
	for (size_t e = 0; e < s->r.n_eps; e++) {
		struct episode_edges ed = s->r.eps[e];

		if (ed.inferred && iv == MM_NS_NONE)
			continue;
		if (s->n_eps == s->cap_eps && arr_grow((void **)&s->eps, &s->cap_eps, sizeof(*s->eps), 8) < 0)
			goto out;
		ed.first_seq += (uint64_t)s->shift;
		ed.last_seq += (uint64_t)s->shift;
		episode_build(&s->eps[s->n_eps++], &ed, iv, s->first_ts, s->last_ts);
	}
	if (in->replies_only) {
		ret = echo_reply_episodes(et, s, v, n, iv);
	} else {
		pend_from = echo_pending_from(v, n, iv, rtt_max, capture_end);
		ret = echo_request_episodes(et, s, v, n, iv, pend_from);
		if (ret == 0)
			ret = echo_unresp_finish(et, s, v, pend_from, echo_threshold(et, in->rtt_median, iv), iv);
	}
	if (ret < 0)
		goto out;

	/* replies only: late once the reply to a request late_after later came first */
	in->late = s->r.late;
	for (size_t i = 0; i + et->cfg.late_after < n; i++) {
		const struct seqwin_slot *later = &v[i + et->cfg.late_after];

		if ((v[i].flags & SL_REP) && later->t < v[i].rep)
			in->late++;
	}

	arr_shrink((void **)&s->eps, &s->cap_eps, s->n_eps, sizeof(*s->eps), 0);	/* room left by forgotten ones */
	in->n_episodes = s->n_eps;
	in->episodes = s->eps;
	in->episodes_not_listed = s->ul_n + s->r.unlisted;
	in->lost = s->ul_lost + s->r.unlisted_lost;
	in->downtime_total = mm_add(s->ul_total, s->r.unlisted_total);
	in->downtime_longest = s->ul_longest > s->r.unlisted_longest ? s->ul_longest : s->r.unlisted_longest;
	for (size_t i = 0; i < s->n_eps; i++) {
		in->lost += s->eps[i].lost;
		in->downtime_total = mm_add(in->downtime_total, s->eps[i].estimate);
		if (s->eps[i].estimate > in->downtime_longest)
			in->downtime_longest = s->eps[i].estimate;
	}
	if (in->lost == 0)
		in->lost_x_interval = 0;
	else
		in->lost_x_interval = iv == MM_NS_NONE ? MM_NS_NONE : mm_mul(in->lost, iv);
	/*
	 * Loss rate over every sequence number in the stream's range: equals
	 * lost/requests when all requests were captured, and still means
	 * something for replies-only streams (requests == 0).  The duration
	 * leaves out the clock's steps back (= last_ts - first_ts without).
	 */
	in->duration_x_loss = (mm_ns)((long double)s->elapsed * (long double)in->lost /
				      ((long double)s->w.umax - (long double)s->w.umin + 1));
	ret = 0;
out:
	free(tmp);
	return ret;
}

static int cmp_stream(const void *a, const void *b)
{
	const struct stream *x = *(const struct stream *const *)a;
	const struct stream *y = *(const struct stream *const *)b;

	if (x->first_ts != y->first_ts)
		return x->first_ts < y->first_ts ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

int echo_finish(struct echo_table *et, mm_ns capture_end)
{
	et->listed = et->listed_retired;
	et->ulisted = et->ulisted_retired;
	if (et->n_streams)
		qsort(et->streams, et->n_streams, sizeof(*et->streams), cmp_stream);
	for (size_t i = 0; i < et->n_streams; i++)
		et->streams[i]->pos = i;
	for (size_t i = 0; i < et->n_streams; i++) {
		if (stream_finish(et, et->streams[i], capture_end) < 0)
			return -1;
	}
	return 0;
}

size_t echo_stream_count(const struct echo_table *et)
{
	return et->n_streams;
}

const struct echo_stream_info *echo_stream(const struct echo_table *et, size_t i)
{
	return i < et->n_streams ? &et->streams[i]->info : NULL;
}

void echo_visit_lost(const struct echo_table *et, void (*fn)(void *ctx, mm_ns ts), void *ctx)
{
	for (size_t i = 0; i < et->n_streams; i++) {
		const struct stream *s = et->streams[i];
		const struct seqwin_slot *v = seqwin_first(&s->w);
		size_t n = seqwin_len(&s->w);

		if (s->info.never_answered)
			continue;
		/* inferred episodes, where they lie in retired slots: their requests spread over the run */
		for (size_t e = 0; e < s->info.n_episodes; e++) {
			const struct episode *ep = &s->info.episodes[e];

			if (!ep->inferred)
				continue;
			for (uint64_t j = 0; j < ep->lost && (int64_t)(ep->first_seq + j) - s->shift < s->w.base; j++)
				fn(ctx, episode_lost_ts(ep, j));
		}
		/* the window: every slot an episode called lost (earlier ones were told when retired) */
		for (size_t k = 0; k < n; k++) {
			if (v[k].flags & SL_LOST)
				fn(ctx, v[k].t);
		}
	}
}

void echo_set_rtt_sink(struct echo_table *et, void (*fn)(void *ctx, mm_ns sent, mm_ns rtt), void *ctx)
{
	et->rtt_fn = fn;
	et->rtt_ctx = ctx;
}

void echo_set_lost_sink(struct echo_table *et, void (*fn)(void *ctx, mm_ns ts), void *ctx)
{
	et->lost_fn = fn;
	et->lost_ctx = ctx;
}

uint64_t echo_episodes_so_far(const struct echo_table *et, uint64_t *ongoing)
{
	uint64_t n = 0;
	size_t i;

	*ongoing = 0;
	for (i = 0; i < et->n_streams; i++) {
		const struct stream *s = et->streams[i];

		n += s->live_eps;
		/* Three requests past the last answer: not a late reply any more. */
		if (s->live_any && s->w.umax - s->live_ans >= 3)
			(*ongoing)++;
	}
	return n + *ongoing;
}

uint64_t echo_dropped(const struct echo_table *et)
{
	return et->dropped;
}
