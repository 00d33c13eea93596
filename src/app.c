/* app.c - the VM's application traffic: its connections, their unique payload, turns and service stalls. */
#include "app.h"
#include "app-int.h"

#include <stdlib.h>
#include <string.h>

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
	a->frame_stall = a->frame_stall_bin = -1;
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

static int is_port(const struct app_table *a, uint16_t p)
{
	size_t i;

	for (i = 0; i < a->cfg.nports; i++)
		if (a->cfg.ports[i] == p)
			return 1;
	return 0;
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

		if (c->port[0] == port[0] && c->port[1] == port[1] && app_addr_eq(&c->addr[0], &k[0]) &&
		    app_addr_eq(&c->addr[1], &k[1]))
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
		    app_grow((void **)&a->c, &a->nc, &a->cap_c, a->cfg.max_conns, sizeof(*a->c)) < 0)
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
		app_add_stall(a, from, ts, 0);
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
		if (app_grow((void **)&a->turns, &a->nturns, &a->cap_turns, APP_MAX_TURNS, sizeof(*a->turns)) < 0) {
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
	b = app_bin_at(a, t0 == MM_NS_NONE || ts <= t0 ? 0 : (uint64_t)mm_sub(ts, t0) / (uint64_t)a->cfg.bin);
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
		if (b && a->frame_stall_bin > b->stall_max)
			b->stall_max = a->frame_stall_bin;
		a->frame_stall_bin = -1;
		app_spacing_add(a, &a->svc_spacing, APP_HOST_SERVICE, &a->svc_last, ts);
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
		app_note_point(a, ts);
		release(a, c);
		return;
	}
	if (t->flags & DEC_TCP_FIN) {
		c->closed_fin[from] = 1;
		c->responding = 0;
	}
	app_note_point(a, ts);
	if (c->closed_fin[0] && c->closed_fin[1]) {
		if (c->turn_open)
			unanswered(a, c);
		release(a, c);
	}
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
		app_add_stall(a, a->svc_wait_from, end, 1);
		app_note_point(a, end);
	}
	return app_rt_figures(a, MM_NS_MIN, MM_NS_MAX, &a->t.rt_median, &a->t.rt_p99, &a->t.rt_mean) < 0 ||
	       a->oom ? -1 : 0;
}

