/* flow.c - migration flow table: which flows are migration, and their per-direction counters. */
#include "flow.h"
#include "flow-int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "seqspace.h"

/*
 * Every flow is listed in the report, and the report tree costs about
 * 7.5 KB a flow (json-c objects), the table itself about 0.4 KB: 2048
 * flows keep a whole run under 32 MB.  A migration is a handful of flows;
 * what does not fit is counted (frames, and distinct flows estimated).
 */
#define FLOW_DEFAULT_MAX 2048
/* Sequence-gap intervals over the whole table (16 bytes each): 1 MB. */
#define FLOW_IVAL_BUDGET 65536
static int in_range(const struct flow_table *ft, uint16_t port)
{
	return port >= ft->cfg.port_lo && port <= ft->cfg.port_hi;
}

struct flow_table *flow_table_new(const struct flow_cfg *cfg)
{
	struct flow_table *ft;
	size_t want;

	if (cfg->port_lo > cfg->port_hi)
		return NULL;
	ft = calloc(1, sizeof(*ft));
	if (!ft)
		return NULL;
	ft->cfg = *cfg;
	if (ft->cfg.max_flows == 0)
		ft->cfg.max_flows = FLOW_DEFAULT_MAX;
	/* Keep the load factor at or under one half. */
	want = ft->cfg.max_flows * 2;
	ft->nslots = 16;
	while (ft->nslots < want)
		ft->nslots <<= 1;
	ft->slots = calloc(ft->nslots, sizeof(*ft->slots));
	if (!ft->slots) {
		free(ft);
		return NULL;
	}
	flow_totals_init(&ft->gone_totals);
	ft->coll_low = INT64_MAX;
	return ft;
}

void flow_table_free(struct flow_table *ft)
{
	size_t i;

	if (!ft)
		return;
	for (i = 0; i < ft->n; i++) {
		seq_release(&ft->flows[i].side[0].seq);
		seq_release(&ft->flows[i].side[1].seq);
	}
	free(ft->flows);
	free(ft->slots);
	free(ft->miss);
	free(ft->gone);
	free(ft);
}

/*
 * The canonical key's words, each multiplied by its own odd constant and
 * XORed: the multiplications are independent (no serial chain a frame),
 * then one finaliser spreads every bit over the low ones the slot uses.
 */
static uint64_t hash_key64(const struct dec_addr a[2], const uint16_t port[2], unsigned src)
{
	uint64_t w[4], h;

	memcpy(&w[0], a[0].a, 16);
	memcpy(&w[2], a[1].a, 16);
	h = w[0] * 0x9E3779B97F4A7C15ULL ^ w[1] * 0xC2B2AE3D27D4EB4FULL ^
	    w[2] * 0x165667B19E3779F9ULL ^ w[3] * 0xD6E8FEB86659FD93ULL ^
	    ((uint64_t)port[0] | (uint64_t)port[1] << 16 | (uint64_t)a[0].family << 32 |
	     (uint64_t)src << 40) * 0xFF51AFD7ED558CCDULL;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ULL;
	h ^= h >> 33;
	return h;
}

uint32_t flow_hash_key(const struct dec_addr a[2], const uint16_t port[2], unsigned src)
{
	uint64_t h = hash_key64(a, port, src);

	return (uint32_t)(h ^ (h >> 32));
}

/* The flow's bit in a FLOW_MISS_BITS bitmap. */
uint64_t flow_miss_bit(const struct dec_addr a[2], const uint16_t port[2], unsigned src)
{
	uint64_t h = hash_key64(a, port, src);

	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	return (h >> 20) & (FLOW_MISS_BITS - 1);
}

/* Remembers (approximately, in a fixed bitmap) a flow that did not fit. */
static void note_miss(struct flow_table *ft, const struct dec_addr a[2], const uint16_t port[2],
		      unsigned src)
{
	uint64_t bit;

	ft->dropped++;
	if (!ft->miss) {
		ft->miss = calloc(FLOW_MISS_BITS / 64, sizeof(*ft->miss));
		if (!ft->miss)
			return;
	}
	bit = flow_miss_bit(a, port, src);
	if (!(ft->miss[bit / 64] & (1ULL << (bit % 64)))) {
		ft->miss[bit / 64] |= 1ULL << (bit % 64);
		ft->miss_set++;
	}
}

/* Equal addresses: family and all 16 bytes (the unused tail of an IPv4 address is zero). */
static int addr_same(const struct dec_addr *x, const struct dec_addr *y)
{
	uint64_t a[2], b[2];

	memcpy(a, x->a, 16);
	memcpy(b, y->a, 16);
	return x->family == y->family && ((a[0] ^ b[0]) | (a[1] ^ b[1])) == 0;
}

static uint64_t be64_at(const uint8_t *b)
{
	uint64_t v;

	memcpy(&v, b, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/*
 * dec_addr_cmp's order (family, then the address bytes), without a call:
 * the bytes past an IPv4 address are zero on both sides, so comparing
 * all 16 as two big-endian words orders the same.
 */
static int addr_order(const struct dec_addr *x, const struct dec_addr *y)
{
	uint64_t a, b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	a = be64_at(x->a);
	b = be64_at(y->a);
	if (a == b) {
		a = be64_at(x->a + 8);
		b = be64_at(y->a + 8);
	}
	return (a > b) - (a < b);
}

static int key_eq(const struct flow *f, const struct dec_addr a[2], const uint16_t port[2], unsigned src)
{
	return f->src == src && f->port[0] == port[0] && f->port[1] == port[1] &&
	       addr_same(&f->addr[0], &a[0]) && addr_same(&f->addr[1], &a[1]);
}

/* Slot index holding the key, or the empty slot where it would go. */
size_t flow_find_slot(const struct flow_table *ft, const struct dec_addr a[2],
			const uint16_t port[2], unsigned src)
{
	size_t mask = ft->nslots - 1;
	size_t i = flow_hash_key(a, port, src) & mask;

	while (ft->slots[i] && !key_eq(&ft->flows[ft->slots[i] - 1], a, port, src))
		i = (i + 1) & mask;
	return i;
}

/*
 * A SYN with the same initial sequence number this long after an ended
 * flow's last frame is a new connection all the same: past any SYN
 * retransmission (Linux gives up after 127 s) and TIME_WAIT (60 s).
 */
#define FLOW_REUSE_QUIET (180 * MM_NS_PER_S)

/*
 * 1 when frame t from endpoint `from` at ts opens a new connection on f's
 * 5-tuple: a SYN without ACK after f ended (FIN both ways, or an RST)
 * with another initial sequence number than that side's earlier SYN (a
 * retransmitted SYN is the same connection), or the same one
 * FLOW_REUSE_QUIET after f's last frame.  --ports any: never on a flow
 * still held unlisted (an ended one is settled at once anyway).
 */
static int opens_again(const struct flow *f, int from, const struct dec_tcp *t, mm_ns ts)
{
	const struct side *s0 = &f->side[0], *s1 = &f->side[1];

	if ((t->flags & (DEC_TCP_SYN | DEC_TCP_ACK)) != DEC_TCP_SYN || f->found == FOUND_PENDING)
		return 0;
	if (!((s0->d.fin && s1->d.fin) || s0->d.rst || s1->d.rst))
		return 0;
	if (!f->side[from].syn_seen || f->side[from].isn != t->seq)
		return 1;
	/* ts > last_ts: their difference is exact as unsigned, whatever the timestamps */
	return ts > f->last_ts && (uint64_t)ts - (uint64_t)f->last_ts > (uint64_t)FLOW_REUSE_QUIET;
}

/*
 * 1 when another capture already holds this 5-tuple (only checked when a
 * flow is created); not when its flow there is an ended connection this
 * frame opens again (that capture has not seen the new SYN yet).
 */
static int seen_elsewhere(const struct flow_table *ft, const struct dec_addr a[2],
			  const uint16_t port[2], unsigned src, int from, const struct dec_tcp *t, mm_ns ts)
{
	unsigned s;

	for (s = 0; s < ft->nsrc; s++) {
		size_t slot;

		if (s == src)
			continue;
		slot = flow_find_slot(ft, a, port, s);
		if (ft->slots[slot] && !opens_again(&ft->flows[ft->slots[slot] - 1], from, t, ts))
			return 1;
	}
	return 0;
}

void flow_dir_init(struct flow_dir *d)
{
	memset(d, 0, sizeof(*d));
	d->first_ts = d->last_ts = MM_NS_NONE;
	d->first_payload_ts = d->last_payload_ts = MM_NS_NONE;
}

static struct flow *flow_create(struct flow_table *ft, size_t slot, const struct dec_addr a[2],
				const uint16_t port[2], unsigned src, int from, const struct dec_tcp *t, mm_ns ts)
{
	struct flow *f;
	int k;

	/* The cap is on flows in the lookup; retired ones keep only their figures. */
	if (ft->n - ft->retired >= ft->cfg.max_flows || ft->n >= UINT32_MAX - 1)
		return NULL;
	if (ft->n == ft->cap) {
		/* by half once large: retired flows stay listed, a long capture holds thousands */
		size_t ncap = !ft->cap ? 64 : ft->cap < 4096 ? ft->cap * 2 : ft->cap + ft->cap / 2;
		struct flow *nf;

		if (ncap > ft->cfg.max_flows && ft->n < ft->cfg.max_flows)
			ncap = ft->cfg.max_flows;
		if (ncap > SIZE_MAX / sizeof(*nf))
			return NULL;
		nf = realloc(ft->flows, ncap * sizeof(*nf));
		if (!nf)
			return NULL;
		ft->flows = nf;
		ft->cap = ncap;
	}
	f = &ft->flows[ft->n];
	memset(f, 0, sizeof(*f));
	for (k = 0; k < 2; k++) {
		f->addr[k] = a[k];
		f->port[k] = port[k];
		flow_dir_init(&f->side[k].d);
		seq_init(&f->side[k].seq, 0);
	}
	f->src = src;
	f->secondary = (uint8_t)seen_elsewhere(ft, a, port, src, from, t, ts);
	f->first_ts = f->last_ts = MM_NS_NONE;
	f->kind = KIND_UNKNOWN;
	if (ft->cfg.any) {
		f->found = FOUND_PENDING;	/* its id when it is listed (flow_any_settle) */
		ft->pending++;
	} else {
		f->id = ++ft->ids;
	}
	ft->n++;
	ft->slots[slot] = (uint32_t)ft->n;
	return f;
}

/* Without a handshake: the in-range port listens; if both are, the lower one. */
static uint8_t listener_from_ports(const struct flow_table *ft, const struct flow *f)
{
	int r0 = in_range(ft, f->port[0]), r1 = in_range(ft, f->port[1]);

	if (r0 != r1)
		return r0 ? 0 : 1;
	return f->port[0] <= f->port[1] ? 0 : 1;
}

/* Decides or refines which endpoint listens, from endpoint `from`'s frame. */
static void learn_direction(struct flow_table *ft, struct flow *f, int from, const struct dec_tcp *t)
{
	if ((t->flags & DEC_TCP_SYN) && f->how < DIR_HANDSHAKE) {
		/* RFC 9293 §3.5: SYN goes to the listener, SYN-ACK comes from it. */
		f->listener = (uint8_t)((t->flags & DEC_TCP_ACK) ? from : 1 - from);
		f->how = DIR_HANDSHAKE;
		return;
	}
	if (f->first_ts == MM_NS_NONE && f->how == DIR_PORTS)
		f->listener = listener_from_ports(ft, f);
}

static void detect_kind(struct flow *f, int from, const struct dec_tcp *t, uint64_t rel)
{
	struct side *sd = &f->side[from];
	enum kind_sender sender;
	enum kind k;

	if (sd->kind_checked)
		return;
	/* With the handshake seen, only the true first bytes of the stream count. */
	if (sd->syn_seen && rel != 1) {
		sd->kind_checked = 1;
		if (sd->note == NOTE_NONE)
			sd->note = NOTE_MISSED;
		return;
	}
	/* Cut by the snap length: said once; without a handshake a later segment may still tell. */
	if (t->payload_cap < KIND_NEED && t->payload_cap < t->payload_len)
		sd->note = NOTE_SHORT;
	if (t->payload_cap == 0)
		return;
	sd->kind_checked = 1;
	if (sd->note == NOTE_NONE)
		sd->note = sd->syn_seen ? NOTE_FIRST : NOTE_LATER;
	k = kind_detect(t->payload, t->payload_cap, &sender);
	if (k == KIND_UNKNOWN || f->kind != KIND_UNKNOWN)
		return;
	f->kind = k;
	if (k == KIND_MULTIFD) {
		struct kind_multifd mi;

		if (kind_multifd_init(t->payload, t->payload_cap, &mi) == 0) {
			f->has_uuid = 1;
			memcpy(f->uuid, mi.uuid, sizeof(f->uuid));
			f->channel = mi.channel;
		}
	}
	if (f->how < DIR_HANDSHAKE && sender != KIND_FROM_UNKNOWN) {
		f->listener = (uint8_t)(sender == KIND_FROM_LISTENER ? from : 1 - from);
		f->how = DIR_KIND;
	}
}

static void count_dir(struct flow_dir *d, const struct dec_pkt *p, mm_ns ts)
{
	const struct dec_tcp *t = &p->tcp;

	d->packets++;
	d->wire_bytes += p->wire_len;
	d->ip_bytes += p->ip_len;
	d->payload_bytes += t->payload_len;
	if (d->first_ts == MM_NS_NONE || ts < d->first_ts)
		d->first_ts = ts;
	if (d->last_ts == MM_NS_NONE || ts > d->last_ts)
		d->last_ts = ts;
	if (t->payload_len) {
		if (d->first_payload_ts == MM_NS_NONE || ts < d->first_payload_ts)
			d->first_payload_ts = ts;
		if (d->last_payload_ts == MM_NS_NONE || ts > d->last_payload_ts)
			d->last_payload_ts = ts;
	}
	if (t->flags & DEC_TCP_SYN)
		d->syn = 1;
	if (t->flags & DEC_TCP_FIN)
		d->fin = 1;
	if (t->flags & DEC_TCP_RST)
		d->rst = 1;
}

int flow_account(struct flow_table *ft, const struct dec_pkt *p, unsigned src,
		 mm_ns ts, struct flow_verdict *v)
{
	const struct dec_tcp *t = &p->tcp;
	struct dec_addr a[2];
	uint16_t port[2];
	struct flow *f;
	struct side *sd;
	struct seq_result r;
	size_t slot;
	int from;
	uint32_t data_seq;

	memset(v, 0, sizeof(*v));
	if (p->status != DEC_OK || p->proto != 6)
		return 0;
	if (!in_range(ft, t->sport) && !in_range(ft, t->dport))
		return 0;

	/* Canonical order: the endpoint that sorts first is endpoint 0. */
	{
		int c = addr_order(&p->src, &p->dst);

		from = (c < 0 || (c == 0 && t->sport <= t->dport)) ? 0 : 1;
	}
	a[from] = p->src;
	port[from] = t->sport;
	a[1 - from] = p->dst;
	port[1 - from] = t->dport;

	if (src >= ft->nsrc)
		ft->nsrc = src + 1;
	slot = flow_find_slot(ft, a, port, src);
	f = ft->slots[slot] ? &ft->flows[ft->slots[slot] - 1] : NULL;
	if (f && opens_again(f, from, t, ts)) {
		/*
		 * The 5-tuple used again: the ended connection leaves the lookup,
		 * keeping its figures, listed, and is not retired: its migration's
		 * record (live) still takes it, and retires it when written.
		 */
		flow_leave_lookup(ft, f);
		f->reused = 1;
		slot = flow_find_slot(ft, a, port, src);
		f = NULL;
	}
	if (!f) {
		if (ft->cfg.any && flow_any_skip(ft, a, port, src, t))
			return 0;
		f = flow_create(ft, slot, a, port, src, from, t, ts);
		if (!f && ft->cfg.any && flow_any_evict(ft) == 0) {
			slot = flow_find_slot(ft, a, port, src);
			f = flow_create(ft, slot, a, port, src, from, t, ts);
		}
		v->created = 1;	/* a new flow, or one that did not fit */
		if (!f) {
			note_miss(ft, a, port, src);
			return -1;
		}
	}

	learn_direction(ft, f, from, t);
	if (f->first_ts == MM_NS_NONE || ts < f->first_ts)
		f->first_ts = ts;
	if (f->last_ts == MM_NS_NONE || ts > f->last_ts)
		f->last_ts = ts;

	sd = &f->side[from];
	count_dir(&sd->d, p, ts);
	if (t->flags & DEC_TCP_SYN) {
		sd->syn_seen = 1;
		sd->isn = t->seq;
	}
	/* A SYN occupies one sequence number before the data (RFC 9293 §3.4). */
	data_seq = t->seq + ((t->flags & DEC_TCP_SYN) ? 1u : 0u);
	if (t->payload_len > 0) {
		size_t cap0 = sd->seq.cap;

		/* Over the table's interval budget: this side folds instead of growing. */
		if (ft->ivals >= FLOW_IVAL_BUDGET && sd->seq.n + 1 >= sd->seq.cap)
			seq_freeze(&sd->seq);
		if (seq_add(&sd->seq, data_seq, t->payload_len, &r) < 0)
			sd->seq.approx = 1;
		ft->ivals += sd->seq.cap - cap0;
		sd->d.unique_payload_bytes += r.fresh;
		/* Bytes already covered were sent before: payload = unique + retrans. */
		sd->d.retrans_bytes += t->payload_len - r.fresh;
		detect_kind(f, from, t, (uint64_t)(uint32_t)(data_seq - sd->isn));
		v->new_unique = r.fresh;
	}

	v->forward = from != f->listener;
	v->kind = f->kind;
	if ((uint8_t)flow_is_collision(ft, f) != f->coll) {
		/* Its class follows the listener, which a later frame may still decide. */
		f->coll ^= 1;
		if (f->coll) {
			ft->open_coll++;
			if (f->last_ts < ft->coll_low)
				ft->coll_low = f->last_ts;
		} else {
			ft->open_coll--;
		}
	}
	if (ft->cfg.any) {
		if (f->found == FOUND_PENDING && flow_any_settle(ft, (size_t)(f - ft->flows)))
			f = NULL;
		v->counted = f && f->found != FOUND_PENDING && !f->secondary;
	} else {
		v->counted = !f->secondary && in_range(ft, f->port[f->listener]);
	}
	if (!v->counted)
		v->new_unique = 0;
	return 0;
}

/* Takes slot i out of the linear-probing lookup, shifting back the entries after it. */
void flow_slot_remove(struct flow_table *ft, size_t i)
{
	size_t mask = ft->nslots - 1, j = i;

	ft->slots[i] = 0;
	for (;;) {
		const struct flow *g;
		size_t h;

		j = (j + 1) & mask;
		if (!ft->slots[j])
			return;
		g = &ft->flows[ft->slots[j] - 1];
		h = flow_hash_key(g->addr, g->port, g->src) & mask;
		/* The entry at j may fill the hole at i unless its home lies cyclically in (i, j]. */
		if (i <= j ? (h <= i || h > j) : (h <= i && h > j)) {
			ft->slots[i] = ft->slots[j];
			ft->slots[j] = 0;
			i = j;
		}
	}
}

int flow_is_collision(const struct flow_table *ft, const struct flow *f)
{
	return !ft->cfg.any && !in_range(ft, f->port[f->listener]);
}
