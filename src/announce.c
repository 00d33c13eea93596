/* announce.c - RARP/GARP announces kept, and the announcing VM's replies and frames followed by MAC. */
#include "announce.h"

#include <stdlib.h>
#include <string.h>

#include "arr.h"
#include "decode-arp.h"

#define ANN_DEF_EVENTS 65536
#define ANN_DEF_MACS 4096
/* Announces at or after a frame's time a walk steps over before it gives up. */
#define ANN_WALK_LATER 16

/* One source MAC being followed. */
struct mac_ent {
	uint8_t mac[6];
	uint8_t used;
	mm_ns last_reply;		/* its last echo reply */
	struct dec_addr reply_ip;	/* that reply's source address */
	long last_ev;			/* its latest announce, -1: none */
};

/* An announce and the previous announce of the same MAC (a chain walked backwards to fill times). */
struct ev {
	struct ann_event e;
	long prev_same;
};

struct ann_table {
	struct ann_cfg cfg;
	struct ev *ev;
	size_t n, cap;
	struct mac_ent *macs;		/* open addressing, nslots entries */
	size_t nslots, nmacs;
	struct ann_stats st;
};

struct ann_table *ann_new(const struct ann_cfg *cfg)
{
	struct ann_table *at = calloc(1, sizeof(*at));

	if (!at)
		return NULL;
	at->cfg = *cfg;
	if (at->cfg.max_events == 0)
		at->cfg.max_events = ANN_DEF_EVENTS;
	if (at->cfg.max_macs == 0)
		at->cfg.max_macs = ANN_DEF_MACS;
	at->nslots = 16;
	while (at->nslots < at->cfg.max_macs * 2)
		at->nslots <<= 1;
	return at;
}

void ann_free(struct ann_table *at)
{
	if (!at)
		return;
	free(at->ev);
	free(at->macs);
	free(at);
}

static size_t mac_hash(const uint8_t mac[6])
{
	uint64_t v = 0;

	memcpy(&v, mac, 6);
	v *= 0x9E3779B97F4A7C15ULL;
	return (size_t)(v >> 32);
}

/* The MAC's entry; created when `create` and the table has room; NULL otherwise. */
static struct mac_ent *mac_find(struct ann_table *at, const uint8_t mac[6], int create)
{
	size_t mask = at->nslots - 1, i;

	if (!at->macs) {
		if (!create)
			return NULL;
		at->macs = calloc(at->nslots, sizeof(*at->macs));
		if (!at->macs)
			return NULL;
	}
	for (i = mac_hash(mac) & mask; at->macs[i].used; i = (i + 1) & mask)
		if (memcmp(at->macs[i].mac, mac, 6) == 0)
			return &at->macs[i];
	if (!create)
		return NULL;
	if (at->nmacs >= at->cfg.max_macs) {
		at->st.macs_not_followed++;
		return NULL;
	}
	at->nmacs++;
	memcpy(at->macs[i].mac, mac, 6);
	at->macs[i].used = 1;
	at->macs[i].last_reply = MM_NS_NONE;
	at->macs[i].last_ev = -1;
	return &at->macs[i];
}

/*
 * A frame from the MAC at ts: the first frame (or echo reply) after each
 * of its announces that does not have one yet.  The announces still
 * waiting are the latest ones of the chain, so the walk stops at the
 * first that has its time: each announce is filled once.
 */
static void fill_after(struct ann_table *at, const struct mac_ent *me, mm_ns ts, int reply,
		       const struct dec_addr *from)
{
	long i;
	int later = 0;

	for (i = me->last_ev; i >= 0; i = at->ev[i].prev_same) {
		struct ann_event *e = &at->ev[i].e;
		mm_ns *slot = reply ? &e->first_reply_after : &e->first_frame_after;

		if (e->ts >= ts) {	/* the same instant (or a clock step back): not after it */
			/* A frame from far back in time would walk the whole chain each time. */
			if (++later > ANN_WALK_LATER)
				break;
			continue;
		}
		if (*slot != MM_NS_NONE)
			break;
		*slot = ts;
		if (reply && e->reply_ip.family == 0)
			e->reply_ip = *from;
	}
}

static void keep_announce(struct ann_table *at, const struct dec_arp *a, uint8_t how, unsigned view,
			  mm_ns ts)
{
	struct mac_ent *me = mac_find(at, a->sha, 1);
	struct ann_event *e;

	if (how == ANN_GARP && me)	/* the guest itself sent it: a frame of the running VM */
		fill_after(at, me, ts, 0, NULL);
	if (at->n >= at->cfg.max_events) {
		at->st.not_kept++;
		return;
	}
	if (at->n == at->cap) {
		size_t ncap = !at->cap ? 64 : at->cap < 4096 ? at->cap * 2 : at->cap + at->cap / 2;
		struct ev *nv;

		if (ncap > at->cfg.max_events)
			ncap = at->cfg.max_events;
		nv = realloc(at->ev, ncap * sizeof(*nv));
		if (!nv) {
			at->st.not_kept++;
			return;
		}
		at->ev = nv;
		at->cap = ncap;
	}
	e = &at->ev[at->n].e;
	memset(e, 0, sizeof(*e));
	e->ts = ts;
	memcpy(e->mac, a->sha, 6);
	e->how = how;
	e->ip = a->ip;
	e->view = view;
	e->first_reply_after = e->first_frame_after = MM_NS_NONE;
	e->last_reply_before = MM_NS_NONE;
	at->ev[at->n].prev_same = -1;
	if (me) {
		if (me->last_reply != MM_NS_NONE && me->last_reply < ts) {
			e->last_reply_before = me->last_reply;
			e->reply_ip = me->reply_ip;
		}
		at->ev[at->n].prev_same = me->last_ev;
		me->last_ev = (long)at->n;
	}
	at->n++;
}

void ann_frame(struct ann_table *at, const struct dec_pkt *p, const uint8_t *frame, unsigned view,
	       mm_ns ts)
{
	struct dec_arp a;
	struct mac_ent *me;
	int reply;

	if (p->l2_type == DEC_ETH_ARP || p->l2_type == DEC_ETH_RARP) {
		enum dec_arp_result r = dec_arp(p, frame, &a);

		if (r < 0) {
			at->st.damaged++;
		} else if (r == DEC_ARP_RARP) {
			at->st.rarp++;
			keep_announce(at, &a, ANN_RARP, view, ts);
		} else if (r == DEC_ARP_GARP) {
			at->st.garp++;
			keep_announce(at, &a, ANN_GARP, view, ts);
		}
		return;
	}
	if (!p->has_mac)
		return;
	reply = p->status == DEC_OK && (p->proto == 1 || p->proto == 58) &&
		p->icmp.echo == DEC_ECHO_REPLY;
	/* Replies are followed from the first; other frames only for MACs that announced. */
	me = mac_find(at, p->smac, reply);
	if (!me)
		return;
	if (reply) {
		me->last_reply = ts;
		me->reply_ip = p->src;
		fill_after(at, me, ts, 1, &p->src);
	}
	fill_after(at, me, ts, 0, NULL);
}

void ann_release_events(struct ann_table *at)
{
	free(at->ev);
	at->ev = NULL;
	at->n = at->cap = 0;
}

size_t ann_forget_before(struct ann_table *at, mm_ns before)
{
	size_t k = 0, i;

	while (k < at->n && at->ev[k].e.ts < before)
		k++;
	if (k == 0)
		return 0;
	/* The chains and the MACs' latest announces point into the array: moved down with it. */
	memmove(at->ev, at->ev + k, (at->n - k) * sizeof(*at->ev));
	at->n -= k;
	for (i = 0; i < at->n; i++)
		at->ev[i].prev_same = at->ev[i].prev_same >= (long)k ? at->ev[i].prev_same - (long)k : -1;
	for (i = 0; i < at->nslots && at->macs; i++)
		if (at->macs[i].used)
			at->macs[i].last_ev = at->macs[i].last_ev >= (long)k ? at->macs[i].last_ev - (long)k : -1;
	at->st.forgotten += k;
	/* Memory goes with them: a table a busy hour filled shrinks again. */
	arr_shrink((void **)&at->ev, &at->cap, at->n, sizeof(*at->ev), 64);
	return k;
}

size_t ann_count(const struct ann_table *at)
{
	return at->n;
}

const struct ann_event *ann_get(const struct ann_table *at, size_t i)
{
	return i < at->n ? &at->ev[i].e : NULL;
}

void ann_get_stats(const struct ann_table *at, struct ann_stats *st)
{
	*st = at->st;
}

const char *ann_how_name(uint8_t how)
{
	return how == ANN_GARP ? "garp" : "rarp";
}
