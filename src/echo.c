/* echo.c - ICMP/ICMPv6 echo streams, sequence unwrapping and downtime episodes (SPEC "Downtime from ICMP echo"). */
#include <stdlib.h>
#include <string.h>

#include "echo.h"
#include "episode.h"
#include "medset.h"

#define ECHO_DEF_STREAMS   1024
#define ECHO_DEF_REQUESTS  ((size_t)512 << 10)   /* slots over all streams: 12 MB */
#define ECHO_WINDOW        ((size_t)32 << 10)    /* slots one stream keeps before it retires the oldest */
#define ECHO_MAX_LISTED    4096                  /* episodes listed over all streams (the rest are counted) */
/*
 * A forward jump of more than half a window retires most of the window
 * (work in proportion to the window).  A real ping stream jumps like that
 * only after a capture gap of thousands of requests; a stream that does it
 * more than this many times is not one (hostile input: each message would
 * cost a whole window), and its later messages are dropped and counted.
 */
#define ECHO_MAX_BIG_JUMPS 64
#define VMAP_BUDGET        ((size_t)128 << 10)   /* multiset entries over all streams: 2 MB */
#define ECHO_DEF_LATE      3u
#define ECHO_SLOTS0        32   /* first per-stream slot array */
#define ECHO_FRONT_SLACK   8    /* room below the first seq: the reply of the previous request may follow */
#define ECHO_HASH0         64
#define ECHO_PENDING_MIN   (10 * 1000 * 1000)   /* 10 ms */
#define ECHO_STEP_SLACK    (1000 * 1000)        /* a message this much before the previous one: the clock stepped back */

/* slot flags */
#define SL_REQ  0x01   /* request seen: t is its (earliest) send time */
#define SL_REP  0x02   /* at least one reply seen: rep is the first */
#define SL_EST  0x04   /* t is an estimate made by echo_finish */
#define SL_FIX  0x08   /* t was fixed when the slots before were retired (first slot of a window) */
#define SL_LOST 0x10   /* an episode of this finish counts the slot lost */
#define SL_KNOWN (SL_REQ | SL_EST | SL_FIX)

/* One unwrapped sequence number of a stream. */
struct slot {
	mm_ns t;          /* request send time (real with SL_REQ, estimated with SL_EST) */
	mm_ns rep;        /* first reply time (SL_REP) */
	uint32_t nrep;    /* replies seen, saturating */
	uint8_t flags;
	uint8_t rep_src;  /* capture that saw the first reply (saturating at 255) */
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
};

struct stream {
	struct dec_addr pinger, target;
	uint16_t id;
	size_t order;              /* creation index: ties in the final sort */
	struct slot *slots;        /* slots[i] is unwrapped sequence lo + i */
	size_t alloc;
	int64_t lo;
	int64_t umin, umax;        /* seen range; umax is also the unwrap reference */
	uint64_t requests, replies, dups;
	mm_ns first_ts, last_ts;
	int64_t shift;             /* added to unwrapped seqs when reported, keeps them >= 0 */
	struct echo_episode *eps;
	size_t n_eps, cap_eps;
	int64_t base;              /* first unretired sequence number (= umin until something is retired) */
	struct retired r;
	uint64_t ul_n, ul_lost;    /* window episodes past the listing cap, counted at finish */
	mm_ns ul_total, ul_longest;
	struct echo_stream_info info;
	/* For a live progress display: outages seen so far, from replies alone. */
	int live_any;              /* a reply was seen; live_ans is valid */
	int64_t live_ans;          /* highest sequence number answered */
	uint64_t live_eps;         /* answers that came after a gap of unanswered requests */
	unsigned big_jumps;        /* forward jumps over half a window (ECHO_MAX_BIG_JUMPS) */
	mm_ns prev_ts;             /* the stream's previous message */
	mm_ns elapsed;             /* sum of the forward steps between messages: the duration, steps back left out */
	uint64_t steps_back;       /* messages over ECHO_STEP_SLACK before the previous one */
};

struct echo_table {
	struct echo_cfg cfg;
	struct stream **streams;   /* creation order; sorted by first message in echo_finish */
	size_t n_streams, cap_streams;
	struct stream **hash;      /* open addressing, linear probing, power-of-two size */
	size_t hcap;
	size_t slots_used;         /* allocated slots over all streams, against max_requests */
	size_t vmap_used;          /* multiset entries over all streams, against VMAP_BUDGET */
	size_t listed;             /* episodes listed over all streams, against ECHO_MAX_LISTED */
	size_t listed_retired;     /* of which closed by retired slots (the rest is redone by each finish) */
	void (*lost_fn)(void *ctx, mm_ns ts);   /* told of requests lost in retired slots */
	void *lost_ctx;
	void (*rtt_fn)(void *ctx, mm_ns sent, mm_ns rtt);	/* told of each first reply to a seen request */
	void *rtt_ctx;
	uint64_t dropped;
};

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
	return et;
}

static void stream_free(struct stream *s)
{
	if (!s)
		return;
	free(s->slots);
	free(s->eps);
	for (int f = 0; f < 2; f++)
		for (int k = 0; k < 2; k++)
			medset_free(&s->r.gap[f][k]);
	medset_free(&s->r.rtt);
	free(s->r.eps);
	free(s);
}

void echo_free(struct echo_table *et)
{
	if (!et)
		return;
	for (size_t i = 0; i < et->n_streams; i++)
		stream_free(et->streams[i]);
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

/* How many more slots the table may allocate. */
static size_t budget(const struct echo_table *et)
{
	return et->cfg.max_requests > et->slots_used ? et->cfg.max_requests - et->slots_used : 0;
}

static int retire(struct echo_table *et, struct stream *s, int64_t want);

/*
 * Makes unwrapped sequence u addressable in s->slots, growing the array
 * geometrically towards whichever end is short.  Returns -1 when the
 * request cap or memory does not allow it.
 */
static int stream_reserve(struct echo_table *et, struct stream *s, int64_t u)
{
	size_t left = budget(et);

	if (!s->slots) {
		size_t n = ECHO_SLOTS0;

		if (n > left)
			n = left;
		if (n <= ECHO_FRONT_SLACK)
			return -1;
		s->slots = calloc(n, sizeof(*s->slots));
		if (!s->slots)
			return -1;
		s->alloc = n;
		s->lo = u - ECHO_FRONT_SLACK;
		et->slots_used += n;
		return 0;
	}
	while (u >= s->lo + (int64_t)s->alloc) {
		size_t need = (size_t)(u - s->lo) + 1;
		size_t grow = s->alloc;   /* doubling, if the cap allows */
		size_t nalloc;
		struct slot *ns;

		if (need - s->alloc > left || s->alloc >= ECHO_WINDOW) {
			/* full: the oldest slots go into the running figures; u lands 3/4 into the window */
			int64_t want = u - (int64_t)(s->alloc * 3 / 4), before = s->base;

			if (want > s->umax)
				want = s->umax;
			if (retire(et, s, want) < 0)
				return -1;
			if (s->base > before)
				continue;
			/*
			 * A jump longer than the window (an outage of thousands of
			 * requests): the slots in between must exist for a moment.
			 * Past the caps by at most two windows over the whole table;
			 * the next retirement gives the room back.
			 */
			if (need - s->alloc > ECHO_WINDOW ||
			    et->slots_used + (need - s->alloc) > et->cfg.max_requests + 2 * ECHO_WINDOW)
				return -1;
			grow = need - s->alloc;
			left = grow;
		}
		if (grow > left)
			grow = left;
		nalloc = s->alloc + grow;
		if (nalloc < need)
			nalloc = need;
		ns = realloc(s->slots, nalloc * sizeof(*ns));
		if (!ns)
			return -1;
		memset(ns + s->alloc, 0, (nalloc - s->alloc) * sizeof(*ns));
		et->slots_used += nalloc - s->alloc;
		s->slots = ns;
		s->alloc = nalloc;
	}
	if (u < s->lo) {
		/* rare: a message older than anything seen so far */
		size_t need = (size_t)(s->lo - u);
		size_t extra = s->alloc;
		struct slot *ns;

		if (need > left)
			return -1;
		if (extra > left)
			extra = left;
		if (extra < need)
			extra = need;
		ns = calloc(s->alloc + extra, sizeof(*ns));
		if (!ns)
			return -1;
		memcpy(ns + extra, s->slots, s->alloc * sizeof(*ns));
		free(s->slots);
		et->slots_used += extra;
		s->slots = ns;
		s->alloc += extra;
		s->lo -= (int64_t)extra;
	}
	return 0;
}

/*
 * Finds or creates the stream; a new one gets slots around its first
 * sequence number `seq` before it is published.  NULL when a cap was hit
 * or memory ran out.
 */
static struct stream *stream_get(struct echo_table *et, const struct dec_addr *pinger,
				 const struct dec_addr *target, uint16_t id, uint16_t seq)
{
	struct stream *s = NULL;
	size_t h;

	if (et->hcap) {
		h = hash_slot(et, pinger, target, id);
		if (et->hash[h])
			return et->hash[h];
	}
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
	s->umin = seq;
	s->umax = seq;
	s->base = seq;
	if (stream_reserve(et, s, seq) < 0) {
		free(s);
		return NULL;
	}
	et->streams[et->n_streams++] = s;
	et->hash[hash_slot(et, pinger, target, id)] = s;
	return s;
}

int echo_account(struct echo_table *et, const struct dec_pkt *p, unsigned src, mm_ns ts)
{
	const struct dec_addr *pinger, *target;
	struct stream *s;
	struct slot *sl;
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

	s = stream_get(et, pinger, target, p->icmp.id, p->icmp.seq);
	if (!s)
		goto drop;
	/* nearest to the highest seen: reordering and the 16-bit wrap both come out right */
	d = (int16_t)(uint16_t)(p->icmp.seq - (uint16_t)s->umax);
	u = s->umax + d;
	if (s->requests + s->replies > 0 && d > (int16_t)(ECHO_WINDOW / 2) &&
	    ++s->big_jumps > ECHO_MAX_BIG_JUMPS)
		goto drop;
	if (s->r.any && u < s->base)
		goto drop;   /* older than the window: its slot was retired */
	if (stream_reserve(et, s, u) < 0)
		goto drop;
	if (u > s->umax)
		s->umax = u;
	if (u < s->umin) {
		s->umin = u;
		if (!s->r.any)
			s->base = u;
	}
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

	sl = &s->slots[u - s->lo];
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

static mm_ns slot_time(const struct slot *sl, int use_rep)
{
	return use_rep ? sl->rep : sl->t;
}

/*
 * Median gap between consecutive sequence numbers both carrying `flag`.
 * Without any such pair (only every other one captured) the gaps between
 * neighbours are divided by their sequence distance instead.
 */
static mm_ns median_gap(const struct slot *v, size_t n, uint8_t flag, mm_ns *tmp)
{
	int use_rep = flag == SL_REP;
	size_t k = 0, prev = SIZE_MAX;

	for (size_t i = 1; i < n; i++) {
		if ((v[i].flags & flag) && (v[i - 1].flags & flag))
			tmp[k++] = mm_sub(slot_time(&v[i], use_rep), slot_time(&v[i - 1], use_rep));
	}
	if (k == 0) {
		for (size_t i = 0; i < n; i++) {
			if (!(v[i].flags & flag))
				continue;
			if (prev != SIZE_MAX)
				tmp[k++] = mm_sub(slot_time(&v[i], use_rep), slot_time(&v[prev], use_rep)) /
					   (mm_ns)(i - prev);
			prev = i;
		}
	}
	return k ? medset_median(tmp, k) : MM_NS_NONE;
}

/* Gives every unknown slot lying between two known ones an interpolated send time. */
static void interpolate(struct slot *v, size_t n)
{
	size_t prev = SIZE_MAX;

	for (size_t i = 0; i < n; i++) {
		if (!(v[i].flags & SL_KNOWN))
			continue;
		if (prev != SIZE_MAX) {
			for (size_t j = prev + 1; j < i; j++) {
				v[j].t = episode_lerp(v[prev].t, v[i].t, j - prev, i - prev);
				v[j].flags |= SL_EST;
			}
		}
		prev = i;
	}
}

/*
 * Send times for every slot: seen requests, then interpolation between
 * them; at the edges (requests not captured yet / any more) the reply
 * time minus the median RTT, then interpolation again.  A reply that
 * came after the reply to a later request is late: its own time says
 * nothing about when it was sent, so it is interpolated from its
 * neighbours like a lost one (unless nothing before it has a time).  The
 * range ends are seen messages, so every slot ends up with a time.
 */
static void estimate_times(struct slot *v, size_t n, mm_ns rtt)
{
	mm_ns after = MM_NS_MAX, r = rtt == MM_NS_NONE ? 0 : rtt;
	size_t i;

	interpolate(v, n);
	for (i = n; i-- > 0;) {
		if (!(v[i].flags & SL_KNOWN) && (v[i].flags & SL_REP) && v[i].rep <= after) {
			v[i].t = mm_sub(v[i].rep, r);
			v[i].flags |= SL_EST;
		}
		if ((v[i].flags & SL_REP) && v[i].rep < after)
			after = v[i].rep;
	}
	for (i = 0; i < n && !(v[i].flags & SL_KNOWN); i++) {
		if (v[i].flags & SL_REP) {
			v[i].t = mm_sub(v[i].rep, r);
			v[i].flags |= SL_EST;
		}
	}
	interpolate(v, n);
}

/* Doubles an array of `size`-byte elements (first 8). Returns 0, or -1 when out of memory (the array is kept). */
static int arr_grow(void **arr, size_t *cap, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 8;
	void *na = realloc(*arr, ncap * size);

	if (!na)
		return -1;
	*arr = na;
	*cap = ncap;
	return 0;
}

/* Lists an episode while the table's listing cap allows, else only counts it. Returns 0 or -1 (memory). */
static int push_episode(struct echo_table *et, struct stream *s, const struct echo_episode *ep)
{
	if (et->listed >= ECHO_MAX_LISTED) {
		s->ul_n++;
		s->ul_lost += ep->lost;
		s->ul_total = mm_add(s->ul_total, ep->estimate);
		if (ep->estimate > s->ul_longest)
			s->ul_longest = ep->estimate;
		return 0;
	}
	if (s->n_eps == s->cap_eps && arr_grow((void **)&s->eps, &s->cap_eps, sizeof(*s->eps)) < 0)
		return -1;
	s->eps[s->n_eps++] = *ep;
	et->listed++;
	return 0;
}

/*
 * Builds the episode of `e` (unshifted sequence numbers) with the
 * stream's interval and span into *ep, and lists it.  Returns 0 or -1.
 */
static int add_episode(struct echo_table *et, struct stream *s, struct episode_edges e, mm_ns iv,
		       struct echo_episode *ep)
{
	e.first_seq += (uint64_t)s->shift;
	e.last_seq += (uint64_t)s->shift;
	episode_build(ep, &e, iv, s->first_ts, s->last_ts);
	return push_episode(et, s, ep);
}

/* Edges of a request run [k, m] of the window; i is the slot after it (answered) or n. */
static struct episode_edges request_run(const struct stream *s, const struct slot *v, size_t k, size_t m,
					size_t i, size_t n, int carried)
{
	struct episode_edges e;

	memset(&e, 0, sizeof(e));
	e.first_seq = (uint64_t)(carried ? s->r.open_k : s->base + (int64_t)k);
	e.last_seq = (uint64_t)(s->base + (int64_t)m);
	e.first_lost = carried ? s->r.open_first_t : v[k].t;
	e.last_lost = v[m].t;
	if (carried)
		e.before = s->r.open_began ? s->r.open_before_t : MM_NS_NONE;
	else
		e.before = k > 0 ? v[k - 1].t : MM_NS_NONE;
	e.after = i < n ? v[i].t : MM_NS_NONE;
	return e;
}

/*
 * Episodes from unanswered requests; trailing ones near the capture end
 * are pending.  v[0] is sequence number s->base; a run the retired slots
 * left open (s->r.open) continues at v[0].
 */
static int request_episodes(struct echo_table *et, struct stream *s, struct slot *v, size_t n, mm_ns iv,
			    mm_ns rtt_max, mm_ns capture_end)
{
	struct echo_stream_info *in = &s->info;
	mm_ns window = ECHO_PENDING_MIN, cutoff;
	size_t last_ans = 0, pend_from = n, i = 0;
	struct echo_episode ep;

	for (size_t j = 0; j < n; j++) {
		if (v[j].flags & SL_REP)
			last_ans = j;
	}
	if (iv != MM_NS_NONE && mm_mul(2, iv) > window)
		window = mm_mul(2, iv);
	if (mm_mul(2, rtt_max) > window)
		window = mm_mul(2, rtt_max);
	cutoff = mm_sub(capture_end, window);
	while (pend_from > last_ans + 1 && v[pend_from - 1].t >= cutoff)
		pend_from--;
	in->pending = n - pend_from;
	if (s->r.open && (v[0].flags & SL_REP)) {
		/* the run the retired slots left open ended just before the window */
		struct episode_edges e;

		memset(&e, 0, sizeof(e));
		e.first_seq = (uint64_t)s->r.open_k;
		e.last_seq = (uint64_t)(s->base - 1);
		e.first_lost = s->r.open_first_t;
		e.last_lost = s->r.open_last_t;
		e.before = s->r.open_began ? s->r.open_before_t : MM_NS_NONE;
		e.after = v[0].t;
		if (add_episode(et, s, e, iv, &ep) < 0)
			return -1;
	}

	while (i < pend_from) {
		size_t k, m;
		int carried = i == 0 && s->r.open;

		if (v[i].flags & SL_REP) {
			i++;
			continue;
		}
		k = i;
		while (i < pend_from && !(v[i].flags & SL_REP))
			i++;
		m = i - 1;
		for (size_t j = k; j <= m; j++)
			v[j].flags |= SL_LOST;
		/* slot i is answered when i < pend_from; past it the run ran into the pending ones */
		if (add_episode(et, s, request_run(s, v, k, m, i < pend_from ? i : n, n, carried), iv, &ep) < 0)
			return -1;
	}
	return 0;
}

/* Edges of a reply-gap run between on-time reply times ta and tb (unshifted sequence numbers). */
static struct episode_edges reply_run(int64_t k_seq, int64_t m_seq, mm_ns ta, mm_ns tb)
{
	struct episode_edges e;

	memset(&e, 0, sizeof(e));
	e.first_seq = (uint64_t)k_seq;
	e.last_seq = (uint64_t)m_seq;
	e.before = ta;
	e.after = tb;
	e.inferred = 1;
	return e;
}

/*
 * Episodes inferred from gaps in the reply sequence (no request
 * captured).  The edges are the answered slots' times: their replies, or
 * for a late reply the time its neighbours say it was due.
 */
static int reply_episodes(struct echo_table *et, struct stream *s, struct slot *v, size_t n, mm_ns iv)
{
	struct echo_episode ep;
	size_t i = 0;

	if (iv == MM_NS_NONE)
		return 0;
	if (s->r.open && (v[0].flags & SL_REP)) {
		/* the run the retired slots left open ended just before the window */
		if (add_episode(et, s, reply_run(s->r.open_k, s->base - 1, s->r.open_before_t, v[0].t), iv, &ep) < 0)
			return -1;
	}
	while (i < n) {
		size_t k, m;
		int carried = i == 0 && s->r.open;

		if (v[i].flags & SL_REP) {
			i++;
			continue;
		}
		/* range ends are replies, so k > 0 (or the run is carried in) and i < n after it */
		k = i;
		while (i < n && !(v[i].flags & SL_REP))
			i++;
		m = i - 1;
		if (add_episode(et, s, reply_run(carried ? s->r.open_k : s->base + (int64_t)k,
						 s->base + (int64_t)m, carried ? s->r.open_before_t : v[k - 1].t,
						 v[i].t), iv, &ep) < 0)
			return -1;
		/* spread the lost requests over [first, last] for echo_visit_lost */
		for (size_t j = k; j <= m; j++) {
			v[j].t = episode_lost_ts(&ep, (uint64_t)(s->base + (int64_t)j + s->shift) - ep.first_seq);
			v[j].flags |= SL_EST | SL_LOST;
		}
	}
	return 0;
}

/*
 * Gaps between sequence-neighbours both carrying `flag` in the window,
 * and the pair across the window's start (the last retired slot and
 * v[0]); into tmp.  `spread`: gaps between flagged slots of any
 * distance, divided by it (the fallback when no neighbours exist).
 */
static size_t window_gaps(const struct stream *s, const struct slot *v, size_t n, uint8_t flag,
			  int spread, mm_ns *tmp)
{
	int use_rep = flag == SL_REP, fi = use_rep;
	size_t k = 0, prev = SIZE_MAX;

	if (!spread) {
		if (s->r.any && (s->r.last_flags & flag) && (v[0].flags & flag))
			tmp[k++] = mm_sub(slot_time(&v[0], use_rep), use_rep ? s->r.last_rep : s->r.last_t);
		for (size_t i = 1; i < n; i++)
			if ((v[i].flags & flag) && (v[i - 1].flags & flag))
				tmp[k++] = mm_sub(slot_time(&v[i], use_rep), slot_time(&v[i - 1], use_rep));
		return k;
	}
	for (size_t i = 0; i < n; i++) {
		if (!(v[i].flags & flag))
			continue;
		if (prev != SIZE_MAX)
			tmp[k++] = mm_sub(slot_time(&v[i], use_rep), slot_time(&v[prev], use_rep)) /
				   (mm_ns)(i - prev);
		else if (s->r.any && s->r.last_flag_u[fi] != INT64_MIN)
			tmp[k++] = mm_sub(slot_time(&v[i], use_rep), s->r.last_flag_t[fi]) /
				   (mm_ns)(s->base + (int64_t)i - s->r.last_flag_u[fi]);
		prev = i;
	}
	return k;
}

/*
 * The measured interval: median_gap over the retired slots and the
 * window together; never negative (a median gap below zero is a clock
 * running backwards, not an interval).  *oom set when out of memory.
 */
static mm_ns stream_interval(const struct stream *s, const struct slot *v, size_t n, uint8_t flag, mm_ns *tmp,
			     int *oom)
{
	int fi = flag == SL_REP;
	size_t k;
	mm_ns iv;

	if (!s->r.any) {
		iv = median_gap(v, n, flag, tmp);
	} else {
		k = window_gaps(s, v, n, flag, 0, tmp);
		if (k || medset_count(&s->r.gap[fi][0])) {
			iv = medset_median_with(&s->r.gap[fi][0], tmp, k, oom);
		} else {
			k = window_gaps(s, v, n, flag, 1, tmp);
			iv = medset_median_with(&s->r.gap[fi][1], tmp, k, oom);
		}
	}
	return iv == MM_NS_NONE ? iv : mm_nonneg(iv);
}

static int stream_finish(struct echo_table *et, struct stream *s, mm_ns capture_end)
{
	struct echo_stream_info *in = &s->info;
	size_t n = (size_t)(s->umax - s->base) + 1;
	struct slot *v = &s->slots[s->base - s->lo];
	mm_ns rtt_max = s->r.rtt_max, iv;
	size_t nr = 0;
	mm_ns *tmp = NULL;
	int ret = -1, oom = 0;

	memset(in, 0, sizeof(*in));
	s->n_eps = 0;
	s->ul_n = s->ul_lost = 0;
	s->ul_total = s->ul_longest = 0;
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
	s->shift = s->umin < 0 ? ((-s->umin + 65535) / 65536) * 65536 : 0;
	if (capture_end == MM_NS_NONE || capture_end < s->last_ts)
		capture_end = s->last_ts;

	for (size_t i = 0; i < n; i++)
		v[i].flags &= (uint8_t)~(SL_EST | SL_LOST);   /* finish may run again */

	tmp = malloc((n + 1) * sizeof(*tmp));
	if (!tmp)
		goto out;
	iv = stream_interval(s, v, n, s->requests ? SL_REQ : SL_REP, tmp, &oom);
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

	estimate_times(v, n, in->rtt_median);

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
		if (s->n_eps == s->cap_eps && arr_grow((void **)&s->eps, &s->cap_eps, sizeof(*s->eps)) < 0)
			goto out;
		ed.first_seq += (uint64_t)s->shift;
		ed.last_seq += (uint64_t)s->shift;
		episode_build(&s->eps[s->n_eps++], &ed, iv, s->first_ts, s->last_ts);
	}
	if (in->replies_only)
		ret = reply_episodes(et, s, v, n, iv);
	else
		ret = request_episodes(et, s, v, n, iv, rtt_max, capture_end);
	if (ret < 0)
		goto out;

	/* replies only: late once the reply to a request late_after later came first */
	in->late = s->r.late;
	for (size_t i = 0; i + et->cfg.late_after < n; i++) {
		const struct slot *later = &v[i + et->cfg.late_after];

		if ((v[i].flags & SL_REP) && later->t < v[i].rep)
			in->late++;
	}

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
				      ((long double)s->umax - (long double)s->umin + 1));
	ret = 0;
out:
	free(tmp);
	return ret;
}


/*
 * Retires the slots before sequence number `want` (or fewer: the cut goes
 * to an answered slot at or before it when there is one, so no outage is
 * split), folding into s->r everything stream_finish would have drawn
 * from them.  Lost requests of closed runs are told to the lost sink now.
 * Returns 0, or -1 when out of memory (the stream then keeps its slots).
 */
static int retire(struct echo_table *et, struct stream *s, int64_t want)
{
	size_t n = (size_t)(s->umax - s->base) + 1, cut, L = et->cfg.late_after;
	struct slot *v = &s->slots[s->base - s->lo];
	struct retired *r = &s->r;
	int req_mode = s->requests > 0, oom = 0, have_iv = 0;
	uint8_t anchor = req_mode ? (SL_REQ | SL_REP) : SL_REP;
	mm_ns *tmp, rtt = MM_NS_NONE, iv = MM_NS_NONE;
	size_t nr = 0;

	if (want <= s->base)
		return 0;
	cut = (size_t)(want - s->base);
	if (cut > n)
		cut = n;
	/* an answered slot to start the new window at, leaving room for the late check */
	for (size_t c = cut; c > 0; c--) {
		if (c < n && c + L <= n && (v[c].flags & anchor) == anchor) {
			cut = c;
			break;
		}
	}
	if (cut == 0)
		return 0;
	if (!r->any) {
		r->any = 1;
		r->last_flag_u[0] = r->last_flag_u[1] = INT64_MIN;
		r->ans_t = MM_NS_NONE;
	}

	/* send times for the window as stream_finish would set them, with the RTT so far */
	tmp = malloc((n + 1) * sizeof(*tmp));
	if (!tmp)
		return -1;
	for (size_t i = 0; i < n; i++) {
		v[i].flags &= (uint8_t)~SL_EST;
		if ((v[i].flags & (SL_REQ | SL_REP)) == (SL_REQ | SL_REP) && v[i].rep >= v[i].t)
			tmp[nr++] = mm_sub(v[i].rep, v[i].t);
	}
	rtt = medset_median_with(&r->rtt, tmp, nr, &oom);
	if (oom) {
		free(tmp);
		return -1;
	}
	estimate_times(v, n, rtt);

	for (size_t i = 0; i < cut; i++) {
		const struct slot *sl = &v[i];
		int64_t u = s->base + (int64_t)i;
		int answered = (sl->flags & SL_REP) != 0;

		for (int fi = 0; fi < 2; fi++) {
			uint8_t flag = fi ? SL_REP : SL_REQ;
			mm_ns t = fi ? sl->rep : sl->t;

			if (!(sl->flags & flag))
				continue;
			if (i > 0 ? (v[i - 1].flags & flag) : (r->last_flag_u[fi] == u - 1))
				medset_add(&r->gap[fi][0], &et->vmap_used, VMAP_BUDGET,
					   mm_sub(t, i > 0 ? slot_time(&v[i - 1], fi) : r->last_flag_t[fi]));
			if (r->last_flag_u[fi] != INT64_MIN)
				medset_add(&r->gap[fi][1], &et->vmap_used, VMAP_BUDGET,
					   mm_sub(t, r->last_flag_t[fi]) / (mm_ns)(u - r->last_flag_u[fi]));
			r->last_flag_u[fi] = u;
			r->last_flag_t[fi] = t;
		}
		if ((sl->flags & (SL_REQ | SL_REP)) == (SL_REQ | SL_REP) && sl->rep >= sl->t) {
			mm_ns rt = mm_sub(sl->rep, sl->t);

			medset_add(&r->rtt, &et->vmap_used, VMAP_BUDGET, rt);
			if (rt > r->rtt_max)
				r->rtt_max = rt;
		}
		if (answered && i + L < n && v[i + L].t < sl->rep)
			r->late++;

		if (!answered) {
			if (!r->open) {
				r->open = 1;
				r->open_k = u;
				r->open_first_t = sl->t;
				r->open_began = u > s->umin;
				r->open_before_t = r->ans_t;	/* replies only: its on-time reply time */
			}
			r->open_last_t = sl->t;
			if (req_mode && et->lost_fn && s->replies > 0)
				et->lost_fn(et->lost_ctx, sl->t);
			continue;
		}
		if (r->open) {
			struct episode_edges e;

			memset(&e, 0, sizeof(e));
			e.first_seq = (uint64_t)r->open_k;	/* unshifted until stream_finish */
			e.last_seq = (uint64_t)(u - 1);
			e.first_lost = r->open_first_t;
			e.last_lost = r->open_last_t;
			e.before = r->open_began ? r->open_before_t : MM_NS_NONE;
			e.after = sl->t;
			e.inferred = (uint8_t)!req_mode;
			r->open = 0;
			if (et->listed < ECHO_MAX_LISTED &&
			    (r->n_eps < r->cap_eps || !arr_grow((void **)&r->eps, &r->cap_eps, sizeof(*r->eps)))) {
				r->eps[r->n_eps++] = e;
				et->listed++;
				et->listed_retired++;
			} else {
				/* past the listing cap: counted, with the interval measured so far */
				struct echo_episode ep;

				if (!have_iv) {
					iv = stream_interval(s, v, n, req_mode ? SL_REQ : SL_REP, tmp, &oom);
					have_iv = 1;
				}
				episode_build(&ep, &e, iv, s->first_ts, s->last_ts);
				r->unlisted++;
				r->unlisted_lost += ep.lost;
				if (!ep.inferred || iv != MM_NS_NONE) {
					r->unlisted_total = mm_add(r->unlisted_total, ep.estimate);
					if (ep.estimate > r->unlisted_longest)
						r->unlisted_longest = ep.estimate;
				}
			}
		}
		r->ans_t = sl->t;
	}
	free(tmp);
	r->last_flags = v[cut - 1].flags;
	r->last_t = v[cut - 1].t;
	r->last_rep = v[cut - 1].rep;

	/* the new window starts at the cut; its first slot keeps the time it was given */
	{
		size_t off = (size_t)(s->base + (int64_t)cut - s->lo);

		if (v[cut].flags & (SL_EST | SL_FIX))
			v[cut].flags |= SL_FIX;
		memmove(s->slots, s->slots + off, (s->alloc - off) * sizeof(*s->slots));
		memset(s->slots + (s->alloc - off), 0, off * sizeof(*s->slots));
		s->lo += (int64_t)off;
		s->base += (int64_t)cut;
	}
	/* a window grown past the caps for a jump gives the room back */
	if (s->alloc > ECHO_WINDOW || et->slots_used > et->cfg.max_requests) {
		size_t used = (size_t)(s->umax - s->lo) + 1, nalloc = used + used / 2 + ECHO_FRONT_SLACK;

		if (nalloc < s->alloc) {
			struct slot *ns = realloc(s->slots, nalloc * sizeof(*ns));

			if (ns) {
				et->slots_used -= s->alloc - nalloc;
				s->slots = ns;
				s->alloc = nalloc;
			}
		}
	}
	return 0;
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
	if (et->n_streams)
		qsort(et->streams, et->n_streams, sizeof(*et->streams), cmp_stream);
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
		const struct slot *v = &s->slots[s->base - s->lo];
		size_t n = (size_t)(s->umax - s->base) + 1;

		if (s->info.never_answered)
			continue;
		/* inferred episodes, where they lie in retired slots: their requests spread over the run */
		for (size_t e = 0; e < s->info.n_episodes; e++) {
			const struct echo_episode *ep = &s->info.episodes[e];

			if (!ep->inferred)
				continue;
			for (uint64_t j = 0; j < ep->lost && (int64_t)(ep->first_seq + j) - s->shift < s->base; j++)
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
		if (s->live_any && s->umax - s->live_ans >= 3)
			(*ongoing)++;
	}
	return n + *ongoing;
}

uint64_t echo_dropped(const struct echo_table *et)
{
	return et->dropped;
}
