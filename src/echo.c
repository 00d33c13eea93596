/* echo.c - ICMP/ICMPv6 echo streams, sequence unwrapping and downtime episodes (SPEC "Downtime from ICMP echo"). */
#include <stdlib.h>
#include <string.h>

#include "echo.h"

#define ECHO_DEF_STREAMS   1024
#define ECHO_DEF_REQUESTS  ((size_t)16 << 20)
#define ECHO_DEF_LATE      3u
#define ECHO_SLOTS0        32   /* first per-stream slot array */
#define ECHO_FRONT_SLACK   8    /* room below the first seq: the reply of the previous request may follow */
#define ECHO_HASH0         64
#define ECHO_PENDING_MIN   (10 * 1000 * 1000)   /* 10 ms */

/* slot flags */
#define SL_REQ  0x01   /* request seen: t is its (earliest) send time */
#define SL_REP  0x02   /* at least one reply seen: rep is the first */
#define SL_EST  0x04   /* t is an estimate made by echo_finish */

/* One unwrapped sequence number of a stream. */
struct slot {
	mm_ns t;          /* request send time (real with SL_REQ, estimated with SL_EST) */
	mm_ns rep;        /* first reply time (SL_REP) */
	uint32_t nrep;    /* replies seen, saturating */
	uint8_t flags;
	uint8_t rep_src;  /* capture that saw the first reply (saturating at 255) */
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
	struct echo_stream_info info;
};

struct echo_table {
	struct echo_cfg cfg;
	struct stream **streams;   /* creation order; sorted by first message in echo_finish */
	size_t n_streams, cap_streams;
	struct stream **hash;      /* open addressing, linear probing, power-of-two size */
	size_t hcap;
	size_t slots_used;         /* allocated slots over all streams, against max_requests */
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
	if (u >= s->lo + (int64_t)s->alloc) {
		size_t need = (size_t)(u - s->lo) + 1;
		size_t grow = s->alloc;   /* doubling, if the cap allows */
		size_t nalloc;
		struct slot *ns;

		if (need - s->alloc > left)
			return -1;
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
	} else if (u < s->lo) {
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
	s->umin = seq;
	s->umax = seq;
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
	int is_req;
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
	if (stream_reserve(et, s, u) < 0)
		goto drop;
	if (u > s->umax)
		s->umax = u;
	if (u < s->umin)
		s->umin = u;
	if (s->first_ts == MM_NS_NONE || ts < s->first_ts)
		s->first_ts = ts;
	if (s->last_ts == MM_NS_NONE || ts > s->last_ts)
		s->last_ts = ts;

	sl = &s->slots[u - s->lo];
	if (is_req) {
		/* the same request captured twice (two interfaces, merged files) counts once */
		if (!(sl->flags & SL_REQ)) {
			sl->flags |= SL_REQ;
			sl->t = ts;
			s->requests++;
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
	return 1;
drop:
	et->dropped++;
	return -1;
}

static int cmp_ns(const void *a, const void *b)
{
	mm_ns x = *(const mm_ns *)a, y = *(const mm_ns *)b;

	return (x > y) - (x < y);
}

/* Median of v[0..n) (n > 0); sorts v. */
static mm_ns median(mm_ns *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_ns);
	if (n % 2)
		return v[n / 2];
	return v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
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
			tmp[k++] = slot_time(&v[i], use_rep) - slot_time(&v[i - 1], use_rep);
	}
	if (k == 0) {
		for (size_t i = 0; i < n; i++) {
			if (!(v[i].flags & flag))
				continue;
			if (prev != SIZE_MAX)
				tmp[k++] = (slot_time(&v[i], use_rep) - slot_time(&v[prev], use_rep)) /
					   (mm_ns)(i - prev);
			prev = i;
		}
	}
	return k ? median(tmp, k) : MM_NS_NONE;
}

static mm_ns lerp(mm_ns ta, mm_ns tb, size_t num, size_t den)
{
	/* long double: (tb - ta) * num can exceed int64 for long gaps */
	return ta + (mm_ns)((long double)(tb - ta) * (long double)num / (long double)den);
}

/* Gives every unknown slot lying between two known ones an interpolated send time. */
static void interpolate(struct slot *v, size_t n)
{
	size_t prev = SIZE_MAX;

	for (size_t i = 0; i < n; i++) {
		if (!(v[i].flags & (SL_REQ | SL_EST)))
			continue;
		if (prev != SIZE_MAX) {
			for (size_t j = prev + 1; j < i; j++) {
				v[j].t = lerp(v[prev].t, v[i].t, j - prev, i - prev);
				v[j].flags |= SL_EST;
			}
		}
		prev = i;
	}
}

/*
 * Send times for every slot: seen requests, then interpolation between
 * them; at the edges (requests not captured yet / any more) the reply
 * time minus the median RTT, then interpolation again.  The range ends
 * are seen messages, so every slot ends up with a time.
 */
static void estimate_times(struct slot *v, size_t n, mm_ns rtt)
{
	interpolate(v, n);
	for (size_t i = 0; i < n; i++) {
		if (!(v[i].flags & (SL_REQ | SL_EST)) && (v[i].flags & SL_REP)) {
			v[i].t = v[i].rep - (rtt == MM_NS_NONE ? 0 : rtt);
			v[i].flags |= SL_EST;
		}
	}
	interpolate(v, n);
}

static int push_episode(struct stream *s, const struct echo_episode *ep, size_t max)
{
	if (s->n_eps == s->cap_eps) {
		size_t ncap = s->cap_eps ? s->cap_eps * 2 : 8;
		struct echo_episode *ne;

		if (ncap > max)
			ncap = max;
		if (ncap <= s->n_eps)
			return -1;
		ne = realloc(s->eps, ncap * sizeof(*ne));
		if (!ne)
			return -1;
		s->eps = ne;
		s->cap_eps = ncap;
	}
	s->eps[s->n_eps++] = *ep;
	return 0;
}

/* Episodes from unanswered requests; trailing ones near the capture end are pending. */
static int request_episodes(struct stream *s, struct slot *v, size_t n, mm_ns iv,
			    mm_ns rtt_max, mm_ns capture_end)
{
	struct echo_stream_info *in = &s->info;
	mm_ns window = ECHO_PENDING_MIN, cutoff;
	size_t last_ans = 0, pend_from = n, i = 0;
	size_t max_eps = n / 2 + 1;

	for (size_t j = 0; j < n; j++) {
		if (v[j].flags & SL_REP)
			last_ans = j;
	}
	if (iv != MM_NS_NONE && 2 * iv > window)
		window = 2 * iv;
	if (2 * rtt_max > window)
		window = 2 * rtt_max;
	cutoff = capture_end - window;
	while (pend_from > last_ans + 1 && v[pend_from - 1].t >= cutoff)
		pend_from--;
	in->pending = n - pend_from;

	while (i < pend_from) {
		struct echo_episode ep;
		size_t k, m;

		if (v[i].flags & SL_REP) {
			i++;
			continue;
		}
		k = i;
		while (i < pend_from && !(v[i].flags & SL_REP))
			i++;
		m = i - 1;
		memset(&ep, 0, sizeof(ep));
		ep.first_seq = (uint64_t)(s->umin + (int64_t)k + s->shift);
		ep.last_seq = (uint64_t)(s->umin + (int64_t)m + s->shift);
		ep.lost = m - k + 1;
		ep.first_lost_ts = v[k].t;
		ep.last_lost_ts = v[m].t;
		ep.lower = ep.last_lost_ts - ep.first_lost_ts;
		ep.began_in_capture = k > 0;
		ep.ended_in_capture = i < pend_from;   /* slot i is then answered */
		if (ep.ended_in_capture) {
			ep.estimate = v[i].t - ep.first_lost_ts;
			ep.upper = ep.began_in_capture ? v[i].t - v[k - 1].t : MM_NS_NONE;
		} else {
			/* capture ends inside the outage: what we saw plus one interval */
			ep.estimate = ep.lower + (iv == MM_NS_NONE ? 0 : iv);
			ep.upper = MM_NS_NONE;
		}
		if (push_episode(s, &ep, max_eps) < 0)
			return -1;
	}
	return 0;
}

/* Episodes inferred from gaps in the reply sequence (no request captured). */
static int reply_episodes(struct stream *s, struct slot *v, size_t n, mm_ns iv)
{
	size_t i = 0, max_eps = n / 2 + 1;

	if (iv == MM_NS_NONE)
		return 0;
	while (i < n) {
		struct echo_episode ep;
		mm_ns ta, tb;
		size_t k, m;

		if (v[i].flags & SL_REP) {
			i++;
			continue;
		}
		/* range ends are replies, so k > 0 and i < n after the run */
		k = i;
		while (i < n && !(v[i].flags & SL_REP))
			i++;
		m = i - 1;
		ta = v[k - 1].rep;
		tb = v[i].rep;
		memset(&ep, 0, sizeof(ep));
		ep.first_seq = (uint64_t)(s->umin + (int64_t)k + s->shift);
		ep.last_seq = (uint64_t)(s->umin + (int64_t)m + s->shift);
		ep.lost = m - k + 1;
		ep.first_lost_ts = ta + iv;
		ep.last_lost_ts = tb - iv;
		if (ep.last_lost_ts < ep.first_lost_ts)
			ep.last_lost_ts = ep.first_lost_ts;   /* jitter on a short gap */
		ep.estimate = tb - ta - iv;
		if (ep.estimate < 0)
			ep.estimate = 0;
		ep.lower = (mm_ns)(m - k) * iv;
		ep.upper = tb - ta;
		ep.began_in_capture = 1;
		ep.ended_in_capture = 1;
		ep.inferred = 1;
		/* spread the lost requests over [first, last] for echo_visit_lost */
		for (size_t j = k; j <= m; j++) {
			v[j].t = ep.lost > 1 ? lerp(ep.first_lost_ts, ep.last_lost_ts, j - k, m - k)
					     : ep.first_lost_ts;
			v[j].flags |= SL_EST;
		}
		if (push_episode(s, &ep, max_eps) < 0)
			return -1;
	}
	return 0;
}

static int stream_finish(const struct echo_table *et, struct stream *s, mm_ns capture_end)
{
	struct echo_stream_info *in = &s->info;
	size_t n = (size_t)(s->umax - s->umin) + 1;
	struct slot *v = &s->slots[s->umin - s->lo];
	mm_ns rtt_max = 0, iv;
	size_t nr = 0;
	mm_ns *tmp = NULL;
	int ret = -1;

	memset(in, 0, sizeof(*in));
	s->n_eps = 0;
	in->pinger = s->pinger;
	in->target = s->target;
	in->id = s->id;
	in->requests = s->requests;
	in->replies = s->replies;
	in->duplicates = s->dups;
	in->first_ts = s->first_ts;
	in->last_ts = s->last_ts;
	in->replies_only = s->requests == 0;
	in->never_answered = s->requests > 0 && s->replies == 0;
	/* report sequence numbers >= 0 yet congruent to the wire value */
	s->shift = s->umin < 0 ? ((-s->umin + 65535) / 65536) * 65536 : 0;
	if (capture_end == MM_NS_NONE || capture_end < s->last_ts)
		capture_end = s->last_ts;

	for (size_t i = 0; i < n; i++)
		v[i].flags &= (uint8_t)~SL_EST;   /* finish may run again */

	tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		goto out;
	iv = median_gap(v, n, s->requests ? SL_REQ : SL_REP, tmp);
	in->interval = iv;

	for (size_t i = 0; i < n; i++) {
		mm_ns r;

		if ((v[i].flags & (SL_REQ | SL_REP)) != (SL_REQ | SL_REP))
			continue;
		r = v[i].rep - v[i].t;
		if (r < 0)
			continue;   /* clock skew between merged captures */
		tmp[nr++] = r;
		if (r > rtt_max)
			rtt_max = r;
	}
	in->rtt_median = nr ? median(tmp, nr) : MM_NS_NONE;

	estimate_times(v, n, in->rtt_median);

	if (in->never_answered) {
		/* a target that never answers is a filter or a wrong address, not downtime */
		ret = 0;
		goto out;
	}
	if (in->replies_only)
		ret = reply_episodes(s, v, n, iv);
	else
		ret = request_episodes(s, v, n, iv, rtt_max, capture_end);
	if (ret < 0)
		goto out;

	if (!in->replies_only) {
		for (size_t i = 0; i + et->cfg.late_after < n; i++) {
			const struct slot *later = &v[i + et->cfg.late_after];

			if ((v[i].flags & SL_REP) && later->t < v[i].rep)
				in->late++;
		}
	}

	in->n_episodes = s->n_eps;
	in->episodes = s->eps;
	for (size_t i = 0; i < s->n_eps; i++) {
		in->lost += s->eps[i].lost;
		in->downtime_total += s->eps[i].estimate;
		if (s->eps[i].estimate > in->downtime_longest)
			in->downtime_longest = s->eps[i].estimate;
	}
	if (in->lost == 0)
		in->lost_x_interval = 0;
	else
		in->lost_x_interval = iv == MM_NS_NONE ? MM_NS_NONE : (mm_ns)in->lost * iv;
	/*
	 * Loss rate over every sequence number in the stream's range: equals
	 * lost/requests when all requests were captured, and still means
	 * something for replies-only streams (requests == 0).
	 */
	in->duration_x_loss = (mm_ns)((long double)(in->last_ts - in->first_ts) *
				      (long double)in->lost / (long double)n);
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

		for (size_t e = 0; e < s->info.n_episodes; e++) {
			const struct echo_episode *ep = &s->info.episodes[e];
			int64_t u0 = (int64_t)ep->first_seq - s->shift;
			int64_t u1 = (int64_t)ep->last_seq - s->shift;

			for (int64_t u = u0; u <= u1; u++)
				fn(ctx, s->slots[u - s->lo].t);
		}
	}
}

uint64_t echo_dropped(const struct echo_table *et)
{
	return et->dropped;
}
