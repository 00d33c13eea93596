/* app.c - the VM's application traffic: connections, unique payload, turns, stalls, bins and the VM's frame gaps. */
#include "app.h"

#include <stdlib.h>
#include <string.h>

#include "medset.h"
#include "seqspace.h"

#define APP_DEFAULT_CONNS 16384
#define APP_DEFAULT_WINDOW (10 * MM_NS_PER_S)
/* Kept records (16-24 bytes each): a long capture keeps its first ones and counts the rest. */
#define APP_MAX_TURNS ((size_t)1 << 20)
#define APP_MAX_STALLS ((size_t)1 << 16)
#define APP_MAX_GAPS ((size_t)1 << 16)
#define APP_MAX_BINS ((size_t)1 << 18)
#define APP_MAX_POINTS ((size_t)1 << 19)
#define APP_MAX_HOSTS 64
/* A gap inside a response shorter than this is the wire's pace, not a stall. */
#define APP_STALL_MIN (MM_NS_PER_S / 1000)
/* A source's silence shorter than this is not kept as a gap (blackouts are longer). */
#define APP_GAP_MIN (10 * MM_NS_PER_S / 1000)
/* Spacing values the medians keep, over all hosts. */
#define APP_MEDSET_BUDGET 8192

struct conn {
	struct dec_addr addr[2];
	uint16_t port[2];
	int32_t next;			/* hash chain, -1 ends it */
	uint8_t used, server, how;	/* how: 0 ports, 1 handshake */
	uint8_t syn, synack, established, closed_fin[2];
	unsigned view[2];		/* the vantage point that first saw each direction */
	uint8_t have_view[2];
	struct seqspace seq[2];
	uint8_t turn_open, responding;
	mm_ns turn_start, last_evt;
};

struct host {
	struct dec_addr ip;
	mm_ns last;
	struct medset spacing;
};

struct app_table {
	struct app_cfg cfg;
	struct conn *c;
	size_t nc, cap_c;
	int32_t *bucket;
	size_t nbucket;
	int32_t free_head;
	size_t open;
	struct app_turn *turns;
	size_t nturns, cap_turns;
	struct app_stall *stalls;
	size_t nstalls, cap_stalls;
	struct app_gap *gaps;
	size_t ngaps, cap_gaps;
	struct app_bin *bins;
	size_t nbins, cap_bins;
	struct app_point *pts;
	size_t npts, cap_pts;
	mm_ns granule;
	struct app_point cum;
	struct host hosts[APP_MAX_HOSTS];
	size_t nhosts;
	mm_ns svc_last;			/* the service's last payload frame (any connection) */
	mm_ns svc_wait_from;		/* a request outstanding and no server byte since; MM_NS_NONE */
	size_t open_turns;		/* connections whose request waits for its first answer */
	mm_ns frame_stall;		/* the stall this frame ended (for its point); -1: none */
	struct medset svc_spacing;
	size_t medset_used;
	struct app_totals t;
	int finished, oom;
};

struct app_table *app_new(const struct app_cfg *cfg)
{
	struct app_table *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->cfg = *cfg;
	if (!a->cfg.max_conns)
		a->cfg.max_conns = APP_DEFAULT_CONNS;
	if (a->cfg.window <= 0)
		a->cfg.window = APP_DEFAULT_WINDOW;
	if (a->cfg.bin <= 0)
		a->cfg.bin = MM_NS_PER_S;
	a->nbucket = 1;
	while (a->nbucket < a->cfg.max_conns)
		a->nbucket <<= 1;
	a->bucket = malloc(a->nbucket * sizeof(*a->bucket));
	if (!a->bucket) {
		free(a);
		return NULL;
	}
	memset(a->bucket, 0xff, a->nbucket * sizeof(*a->bucket));
	a->free_head = -1;
	a->granule = MM_NS_PER_S / 1000;
	a->svc_last = MM_NS_NONE;
	a->svc_wait_from = MM_NS_NONE;
	a->frame_stall = -1;
	a->t.first_ts = a->t.last_ts = MM_NS_NONE;
	a->t.longest.start = a->t.longest.end = MM_NS_NONE;
	return a;
}

void app_free(struct app_table *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->nc; i++) {
		seq_release(&a->c[i].seq[0]);
		seq_release(&a->c[i].seq[1]);
	}
	for (i = 0; i < a->nhosts; i++)
		medset_free(&a->hosts[i].spacing);
	medset_free(&a->svc_spacing);
	free(a->c);
	free(a->bucket);
	free(a->turns);
	free(a->stalls);
	free(a->gaps);
	free(a->bins);
	free(a->pts);
	free(a);
}

int app_enabled(const struct app_table *a)
{
	return a && a->cfg.enabled;
}

const struct app_cfg *app_config(const struct app_table *a)
{
	return &a->cfg;
}

mm_ns app_window(const struct app_table *a)
{
	return a->cfg.window;
}

/* Appends one element to a capped array; 0, or -1 when at the cap or out of memory. */
static int grow(void **arr, size_t *n, size_t *cap, size_t max, size_t size)
{
	void *na;
	size_t ncap;

	if (*n < *cap)
		return 0;
	if (*n >= max)
		return -1;
	ncap = *cap ? *cap * 2 : 64;
	if (ncap > max)
		ncap = max;
	na = realloc(*arr, ncap * size);
	if (!na)
		return -1;
	*arr = na;
	*cap = ncap;
	return 0;
}

static int is_port(const struct app_table *a, uint16_t p)
{
	size_t i;

	for (i = 0; i < a->cfg.nports; i++)
		if (a->cfg.ports[i] == p)
			return 1;
	return 0;
}

static int addr_eq(const struct dec_addr *x, const struct dec_addr *y)
{
	return x->family == y->family && memcmp(x->a, y->a, 16) == 0;
}

static uint32_t hash(const struct dec_addr a[2], const uint16_t port[2])
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < 16; i++)
		h = (h ^ a[0].a[i] ^ ((uint64_t)a[1].a[i] << 8)) * 1099511628211ULL;
	h = (h ^ port[0] ^ ((uint64_t)port[1] << 16)) * 1099511628211ULL;
	return (uint32_t)(h ^ (h >> 29));
}

static int32_t find(const struct app_table *a, const struct dec_addr k[2], const uint16_t port[2], uint32_t h)
{
	int32_t i = a->bucket[h & (a->nbucket - 1)];

	while (i >= 0) {
		const struct conn *c = &a->c[i];

		if (c->port[0] == port[0] && c->port[1] == port[1] && addr_eq(&c->addr[0], &k[0]) &&
		    addr_eq(&c->addr[1], &k[1]))
			return i;
		i = c->next;
	}
	return -1;
}

static struct conn *create(struct app_table *a, const struct dec_addr k[2], const uint16_t port[2], uint32_t h)
{
	struct conn *c;
	int32_t i;
	int e;

	if (a->open >= a->cfg.max_conns)
		return NULL;
	if (a->free_head >= 0) {
		i = a->free_head;
		a->free_head = a->c[i].next;
	} else {
		if (a->nc >= INT32_MAX ||
		    grow((void **)&a->c, &a->nc, &a->cap_c, a->cfg.max_conns, sizeof(*a->c)) < 0)
			return NULL;
		i = (int32_t)a->nc++;
	}
	c = &a->c[i];
	memset(c, 0, sizeof(*c));
	for (e = 0; e < 2; e++) {
		c->addr[e] = k[e];
		c->port[e] = port[e];
		seq_init(&c->seq[e], 64);
	}
	c->used = 1;
	c->next = a->bucket[h & (a->nbucket - 1)];
	a->bucket[h & (a->nbucket - 1)] = i;
	a->open++;
	a->t.connections++;
	return c;
}

/* A closed connection leaves the table: later frames of its 5-tuple without SYN or payload are ignored. */
static void release(struct app_table *a, struct conn *c)
{
	int32_t i = (int32_t)(c - a->c), *pp = &a->bucket[hash(c->addr, c->port) & (a->nbucket - 1)];

	while (*pp >= 0 && *pp != i)
		pp = &a->c[*pp].next;
	if (*pp == i)
		*pp = c->next;
	seq_release(&c->seq[0]);
	seq_release(&c->seq[1]);
	c->used = 0;
	c->next = a->free_head;
	a->free_head = i;
	a->open--;
}

/* The bin with series index i, created in index order (frames come nearly in time order). */
static struct app_bin *bin_at(struct app_table *a, uint64_t i)
{
	size_t lo = 0, hi = a->nbins;

	if (a->nbins && a->bins[a->nbins - 1].index == i)
		return &a->bins[a->nbins - 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->bins[mid].index < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < a->nbins && a->bins[lo].index == i)
		return &a->bins[lo];
	if (grow((void **)&a->bins, &a->nbins, &a->cap_bins, APP_MAX_BINS, sizeof(*a->bins)) < 0) {
		a->t.bins_dropped++;
		return NULL;
	}
	memmove(&a->bins[lo + 1], &a->bins[lo], (a->nbins - lo) * sizeof(*a->bins));
	memset(&a->bins[lo], 0, sizeof(*a->bins));
	a->bins[lo].index = i;
	a->nbins++;
	return &a->bins[lo];
}

const struct app_bin *app_bin_get(const struct app_table *a, uint64_t i)
{
	size_t lo = 0, hi = a ? a->nbins : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->bins[mid].index < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return a && lo < a->nbins && a->bins[lo].index == i ? &a->bins[lo] : NULL;
}

/* Halves the curve's resolution: cumulative points, so every other one can go. */
static void coarsen(struct app_table *a)
{
	size_t i, n = 0;

	a->granule *= 2;
	for (i = 0; i < a->npts; i++) {
		struct app_point p = a->pts[i];

		p.g /= 2;
		if (n && a->pts[n - 1].g == p.g) {
			if (a->pts[n - 1].stall_max > p.stall_max)
				p.stall_max = a->pts[n - 1].stall_max;
			a->pts[n - 1] = p;
		} else
			a->pts[n++] = p;
	}
	a->npts = n;
}

/* The cumulative counters after an event at ts, and the longest stall it ended: one point per granule. */
static void note_point(struct app_table *a, mm_ns ts)
{
	int64_t g = ts / a->granule;
	mm_ns stall = a->frame_stall;

	a->frame_stall = -1;
	if (a->npts && a->pts[a->npts - 1].g >= g) {
		struct app_point *p = &a->pts[a->npts - 1];
		int64_t keep = p->g;
		mm_ns mx = p->stall_max > stall ? p->stall_max : stall;

		*p = a->cum;
		p->g = keep;	/* out of order: counted in the latest granule */
		p->stall_max = mx;
		return;
	}
	if (a->npts == APP_MAX_POINTS) {
		coarsen(a);
		g = ts / a->granule;
		if (a->pts[a->npts - 1].g >= g) {
			a->frame_stall = stall;
			note_point(a, ts);
			return;
		}
	}
	if (grow((void **)&a->pts, &a->npts, &a->cap_pts, APP_MAX_POINTS, sizeof(*a->pts)) < 0) {
		a->oom = 1;
		return;
	}
	a->pts[a->npts] = a->cum;
	a->pts[a->npts].g = g;
	a->pts[a->npts].stall_max = stall;
	a->npts++;
}

mm_ns app_longest_stall_in(const struct app_table *a, mm_ns lo, mm_ns hi)
{
	int64_t glo = lo / a->granule, ghi = hi / a->granule;
	mm_ns best = MM_NS_NONE;
	size_t i;

	for (i = 0; i < a->npts; i++)
		if (a->pts[i].g >= glo && a->pts[i].g < ghi && a->pts[i].stall_max >= 0 &&
		    (best == MM_NS_NONE || a->pts[i].stall_max > best))
			best = a->pts[i].stall_max;
	return best;
}

void app_counters_before(const struct app_table *a, mm_ns t, struct app_point *out)
{
	int64_t g = t / a->granule;
	size_t lo = 0, hi = a->npts;

	/* The last point of a granule before t's. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->pts[mid].g < g)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		memset(out, 0, sizeof(*out));
	else
		*out = a->pts[lo - 1];
}

static void add_stall(struct app_table *a, mm_ns start, mm_ns end, int open)
{
	mm_ns len = mm_sub(end, start);

	if (len <= 0)
		return;
	if (len > a->frame_stall)
		a->frame_stall = len;
	if (a->t.longest.start == MM_NS_NONE || len > mm_sub(a->t.longest.end, a->t.longest.start)) {
		a->t.longest.start = start;
		a->t.longest.end = end;
		a->t.longest.open = (uint8_t)open;
	}
	/* Short waits are in the turns already; the list keeps what can be a phase's longest. */
	if (len < APP_STALL_MIN)
		return;
	if (grow((void **)&a->stalls, &a->nstalls, &a->cap_stalls, APP_MAX_STALLS, sizeof(*a->stalls)) < 0) {
		a->t.stalls_not_kept++;
		return;
	}
	a->stalls[a->nstalls].start = start;
	a->stalls[a->nstalls].end = end;
	a->stalls[a->nstalls].open = (uint8_t)open;
	a->nstalls++;
}

static void add_gap(struct app_table *a, unsigned host, mm_ns from, mm_ns to)
{
	if (grow((void **)&a->gaps, &a->ngaps, &a->cap_gaps, APP_MAX_GAPS, sizeof(*a->gaps)) < 0) {
		a->t.gaps_not_kept++;
		return;
	}
	a->gaps[a->ngaps].from = from;
	a->gaps[a->ngaps].to = to;
	a->gaps[a->ngaps].host = host;
	a->ngaps++;
}

/* One spacing between a source's frames: the median's sample, and a gap when long. */
static void spacing(struct app_table *a, struct medset *ms, unsigned host, mm_ns *last, mm_ns ts)
{
	if (*last != MM_NS_NONE && ts > *last) {
		mm_ns d = ts - *last;

		medset_add(ms, &a->medset_used, APP_MEDSET_BUDGET, d);
		if (d >= APP_GAP_MIN)
			add_gap(a, host, *last, ts);
	}
	if (*last == MM_NS_NONE || ts > *last)
		*last = ts;
}

/*
 * A server payload segment on c at ts ends a service stall: the time a
 * request was outstanding (c's, or any other connection's) or c's response
 * was under way, and no server byte came on any connection.
 */
static void end_stall(struct app_table *a, const struct conn *c, mm_ns ts)
{
	mm_ns from = a->svc_wait_from;

	if (!c->turn_open && c->responding) {
		/* A gap inside c's response, from its last byte (or the service's, if later). */
		mm_ns gap_from = a->svc_last != MM_NS_NONE && a->svc_last > c->last_evt ? a->svc_last : c->last_evt;

		if (from == MM_NS_NONE || gap_from < from)
			from = gap_from;
	}
	if (from != MM_NS_NONE)
		add_stall(a, from, ts, 0);
}

static void close_turn(struct app_table *a, struct conn *c)
{
	c->turn_open = 0;
	if (a->open_turns)
		a->open_turns--;
}

/* A server payload segment on c: a turn completes, or a gap inside a response ends. */
static void server_payload(struct app_table *a, struct conn *c, mm_ns ts, struct app_bin *b)
{
	end_stall(a, c, ts);
	if (c->turn_open) {
		mm_ns rt = mm_nonneg(mm_sub(ts, c->turn_start));

		close_turn(a, c);
		a->t.turns++;
		a->cum.turns++;
		if (b) {
			b->turns++;
			b->rt_sum = mm_add(b->rt_sum, rt);
			if (rt > b->rt_max)
				b->rt_max = rt;
		}
		if (grow((void **)&a->turns, &a->nturns, &a->cap_turns, APP_MAX_TURNS, sizeof(*a->turns)) < 0) {
			a->t.turns_not_kept++;
		} else {
			a->turns[a->nturns].done = ts;
			a->turns[a->nturns].rt = rt;
			a->nturns++;
		}
	}
	/* Every other request still waiting has waited, with no server byte, since this one. */
	a->svc_wait_from = a->open_turns ? ts : MM_NS_NONE;
	c->responding = 1;
	if (ts > c->last_evt)
		c->last_evt = ts;
}

/* c closed with its request unanswered: it waits no longer. */
static void unanswered(struct app_table *a, struct conn *c)
{
	a->t.unanswered++;
	close_turn(a, c);
	if (!a->open_turns)
		a->svc_wait_from = MM_NS_NONE;
}

/* Which endpoint serves: the app port's owner, else the SYN's receiver, else the lower port. */
static void decide_server(const struct app_table *a, struct conn *c, int from, uint8_t flags)
{
	int p0 = is_port(a, c->port[0]), p1 = is_port(a, c->port[1]);

	if (c->how)
		return;
	if (p0 != p1) {
		c->server = (uint8_t)(p0 ? 0 : 1);
		c->how = 1;
	} else if (flags & DEC_TCP_SYN) {
		/* RFC 9293 3.5: the SYN goes to the listener, the SYN-ACK comes from it. */
		c->server = (uint8_t)((flags & DEC_TCP_ACK) ? from : 1 - from);
		c->how = 1;
	} else {
		c->server = (uint8_t)(c->port[0] <= c->port[1] ? 0 : 1);
	}
}

void app_frame(struct app_table *a, const struct dec_pkt *p, unsigned view, mm_ns ts, mm_ns t0)
{
	const struct dec_tcp *t = &p->tcp;
	struct dec_addr k[2];
	uint16_t port[2];
	struct conn *c;
	struct app_bin *b;
	struct seq_result r = { 0 };
	uint32_t h;
	int32_t ci;
	int from, server_side, fresh_new;

	if (!a->cfg.enabled || p->status != DEC_OK || p->proto != 6)
		return;
	if (a->cfg.nports && !is_port(a, t->sport) && !is_port(a, t->dport))
		return;
	from = dec_addr_cmp(&p->src, &p->dst) < 0 ||
	       (dec_addr_cmp(&p->src, &p->dst) == 0 && t->sport <= t->dport) ? 0 : 1;
	k[from] = p->src;
	port[from] = t->sport;
	k[1 - from] = p->dst;
	port[1 - from] = t->dport;
	h = hash(k, port);
	ci = find(a, k, port, h);
	if (ci < 0) {
		/* A close's last ACK after release, or the middle of a connection ended: not new. */
		if (!(t->flags & DEC_TCP_SYN) && t->payload_len == 0)
			return;
		c = create(a, k, port, h);
		if (!c) {
			a->t.frames_not_fitted++;
			if (t->flags & DEC_TCP_SYN && !(t->flags & DEC_TCP_ACK))
				a->t.connections_not_fitted++;
			return;
		}
	} else {
		c = &a->c[ci];
	}
	a->t.frames++;
	if (a->t.first_ts == MM_NS_NONE || ts < a->t.first_ts)
		a->t.first_ts = ts;
	if (a->t.last_ts == MM_NS_NONE || ts > a->t.last_ts)
		a->t.last_ts = ts;
	decide_server(a, c, from, t->flags);
	server_side = from == c->server;
	b = bin_at(a, ts <= t0 ? 0 : (uint64_t)(ts - t0) / (uint64_t)a->cfg.bin);
	if (!c->have_view[from]) {
		c->have_view[from] = 1;
		c->view[from] = view;
	}
	if ((t->flags & DEC_TCP_SYN) && !(t->flags & DEC_TCP_ACK) && !server_side && !c->syn) {
		c->syn = 1;
		a->cum.opened++;
		a->t.opened++;
		if (b)
			b->opened++;
	}
	if ((t->flags & DEC_TCP_SYN) && (t->flags & DEC_TCP_ACK) && server_side)
		c->synack = 1;
	if (t->payload_len > 0) {
		uint32_t seq = t->seq + ((t->flags & DEC_TCP_SYN) ? 1u : 0u);

		if (seq_add(&c->seq[from], seq, t->payload_len, &r) < 0)
			a->oom = 1;
		c->established = 1;
		/* The same segment seen from a second vantage point is no retransmission. */
		if (view == c->view[from] && r.fresh < t->payload_len) {
			a->cum.retrans += t->payload_len - r.fresh;
			a->t.retrans += t->payload_len - r.fresh;
			if (b)
				b->retrans += t->payload_len - r.fresh;
		}
	}
	fresh_new = r.fresh > 0;
	if (fresh_new && server_side) {
		a->cum.goodput += r.fresh;
		a->t.goodput += r.fresh;
		if (b)
			b->goodput += r.fresh;
		server_payload(a, c, ts, b);
		if (b && a->frame_stall > b->stall_max)
			b->stall_max = a->frame_stall;
		spacing(a, &a->svc_spacing, APP_HOST_SERVICE, &a->svc_last, ts);
	} else if (fresh_new) {
		a->t.client_bytes += r.fresh;
		if (b)
			b->client_bytes += r.fresh;
		/* Pipelined requests sent before any answer are one turn. */
		if (!c->turn_open) {
			c->turn_open = 1;
			c->turn_start = ts;
			a->open_turns++;
			if (a->svc_wait_from == MM_NS_NONE)
				a->svc_wait_from = ts;
		}
		c->responding = 0;
	}
	if (t->flags & DEC_TCP_RST) {
		if (server_side && c->syn && !c->synack && !c->established) {
			a->cum.refused++;
			a->t.refused++;
			if (b)
				b->refused++;
		} else if (c->synack || c->established) {
			a->cum.reset++;
			a->t.reset++;
			if (b)
				b->reset++;
		}
		if (c->turn_open)
			unanswered(a, c);
		note_point(a, ts);
		release(a, c);
		return;
	}
	if (t->flags & DEC_TCP_FIN) {
		c->closed_fin[from] = 1;
		c->responding = 0;
	}
	note_point(a, ts);
	if (c->closed_fin[0] && c->closed_fin[1]) {
		if (c->turn_open)
			unanswered(a, c);
		release(a, c);
	}
}

void app_host_frame(struct app_table *a, const struct dec_addr *src, mm_ns ts)
{
	size_t i;

	if (!a->cfg.enabled || !src->family)
		return;
	for (i = 0; i < a->nhosts; i++)
		if (addr_eq(&a->hosts[i].ip, src))
			break;
	if (i == a->nhosts) {
		if (a->nhosts == APP_MAX_HOSTS)
			return;
		memset(&a->hosts[i], 0, sizeof(a->hosts[i]));
		a->hosts[i].ip = *src;
		a->hosts[i].last = MM_NS_NONE;
		a->nhosts++;
	}
	spacing(a, &a->hosts[i].spacing, (unsigned)i, &a->hosts[i].last, ts);
}

int app_host_find(const struct app_table *a, const struct dec_addr *ip)
{
	size_t i;

	for (i = 0; ip->family && i < a->nhosts; i++)
		if (addr_eq(&a->hosts[i].ip, ip))
			return (int)i;
	return -1;
}

mm_ns app_spacing(const struct app_table *a, unsigned host)
{
	int oom = 0;
	const struct medset *ms = host == APP_HOST_SERVICE ? &a->svc_spacing :
				  host < a->nhosts ? &a->hosts[host].spacing : NULL;

	return ms ? medset_median_with(ms, NULL, 0, &oom) : MM_NS_NONE;
}

int app_finish(struct app_table *a, mm_ns end)
{
	size_t i;

	if (a->finished)
		return 0;
	a->finished = 1;
	for (i = 0; i < a->nc; i++)
		if (a->c[i].used && a->c[i].turn_open)
			a->t.unanswered++;
	/* Still waiting when the capture ended. */
	if (a->svc_wait_from != MM_NS_NONE && end != MM_NS_NONE) {
		add_stall(a, a->svc_wait_from, end, 1);
		note_point(a, end);
	}
	return app_rt_figures(a, MM_NS_MIN, MM_NS_MAX, &a->t.rt_median, &a->t.rt_p99, &a->t.rt_mean) < 0 ||
	       a->oom ? -1 : 0;
}

size_t app_turn_count(const struct app_table *a)
{
	return a->nturns;
}

const struct app_turn *app_turn_get(const struct app_table *a, size_t i)
{
	return i < a->nturns ? &a->turns[i] : NULL;
}

size_t app_stall_count(const struct app_table *a)
{
	return a->nstalls;
}

const struct app_stall *app_stall_get(const struct app_table *a, size_t i)
{
	return i < a->nstalls ? &a->stalls[i] : NULL;
}

size_t app_gap_count(const struct app_table *a)
{
	return a->ngaps;
}

const struct app_gap *app_gap_get(const struct app_table *a, size_t i)
{
	return i < a->ngaps ? &a->gaps[i] : NULL;
}

void app_get_totals(const struct app_table *a, struct app_totals *t)
{
	*t = a->t;
	t->connections_not_fitted = a->t.connections_not_fitted;
}
