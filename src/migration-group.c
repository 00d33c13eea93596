/* migration-group.c - the grouping rules: main streams, their multifd channels, NBD and other flows, unreadable flows. */
#include "migration-group.h"

#include <stdlib.h>
#include <string.h>

/* Main streams looked at, back or forward in start order, for one flow (concurrency beyond is not real). */
#define MIG_SCAN 64

void mig_cfg_defaults(struct mig_cfg *cfg)
{
	const mm_ns s = MM_NS_PER_S;

	if (!cfg->max_flows)
		cfg->max_flows = 65536;
	if (!cfg->max_announces)
		cfg->max_announces = 65536;
	if (!cfg->max_episodes)
		cfg->max_episodes = 65536;
	if (!cfg->max_records)
		cfg->max_records = 65536;
	if (!cfg->announce_window)
		cfg->announce_window = s;
	if (!cfg->announce_span)
		cfg->announce_span = 3 * s;
	if (!cfg->before_burst)
		cfg->before_burst = s;
	if (!cfg->after_resume)
		cfg->after_resume = s;
	if (!cfg->multifd_before)
		cfg->multifd_before = s;
	if (!cfg->nbd_after)
		cfg->nbd_after = 5 * s;
	if (!cfg->other_slack)
		cfg->other_slack = s;
	if (!cfg->cluster_gap)
		cfg->cluster_gap = s;
	if (!cfg->idle)
		cfg->idle = 2 * s;
}

static int addr_eq(const struct dec_addr *a, const struct dec_addr *b)
{
	return dec_addr_cmp(a, b) == 0;
}

/* Same source and destination host (client -> server). */
static int same_dir(const struct flow_info *a, const struct flow_info *b)
{
	return addr_eq(&a->client, &b->client) && addr_eq(&a->server, &b->server);
}

/* The same two hosts, either way round. */
static int same_pair(const struct flow_info *a, const struct flow_info *b)
{
	return same_dir(a, b) || (addr_eq(&a->client, &b->server) && addr_eq(&a->server, &b->client));
}

/* The host pair in a fixed order: lo, hi. */
static void pair_of(const struct flow_info *f, const struct dec_addr **lo, const struct dec_addr **hi)
{
	int c = dec_addr_cmp(&f->client, &f->server);

	*lo = c <= 0 ? &f->client : &f->server;
	*hi = c <= 0 ? &f->server : &f->client;
}

void mig_group_release(struct mig_group *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->c[i].mem);
	free(g->c);
	free(g->asg);
	free(g->role);
	free(g->chan);
	memset(g, 0, sizeof(*g));
}

static struct mig_cand *new_cand(struct mig_group *g)
{
	struct mig_cand *c;

	if (g->n == g->cap) {
		size_t ncap = g->cap ? g->cap * 2 : 16;
		struct mig_cand *nc = realloc(g->c, ncap * sizeof(*nc));

		if (!nc)
			return NULL;
		g->c = nc;
		g->cap = ncap;
	}
	c = &g->c[g->n++];
	memset(c, 0, sizeof(*c));
	c->start = c->last = c->final_burst_end = MM_NS_NONE;
	return c;
}

static int chan_taken(const struct mig_cand *c, uint8_t ch)
{
	return (c->chan[ch / 8] >> (ch % 8)) & 1;
}

/* Adds flow i to candidate k with its role. Returns 0 or -1 (out of memory). */
static int attach(struct mig_group *g, const struct flow_info *const *fl, size_t k, size_t i, uint8_t role)
{
	struct mig_cand *c = &g->c[k];
	const struct flow_info *f = fl[i];

	if (c->nmem == c->capmem) {
		size_t ncap = c->capmem ? c->capmem * 2 : 8;
		size_t *nm = realloc(c->mem, ncap * sizeof(*nm));

		if (!nm)
			return -1;
		c->mem = nm;
		c->capmem = ncap;
	}
	c->mem[c->nmem++] = i;
	g->asg[i] = (long)k;
	g->role[i] = role;
	g->chan[i] = -1;
	/* A multifd channel, or the orphan channel an inferred migration is made of. */
	if (f->kind == KIND_MULTIFD && f->has_uuid && (role == MIG_ROLE_MULTIFD || role == MIG_ROLE_MAIN)) {
		g->chan[i] = f->channel;
		c->chan[f->channel / 8] |= (uint8_t)(1u << (f->channel % 8));
		if (!c->has_uuid) {
			c->has_uuid = 1;
			memcpy(c->uuid, f->uuid, 16);
		}
	}
	if (c->start == MM_NS_NONE || f->first_ts < c->start)
		c->start = f->first_ts;
	if (c->last == MM_NS_NONE || f->last_ts > c->last)
		c->last = f->last_ts;
	if ((role == MIG_ROLE_MAIN || role == MIG_ROLE_MULTIFD) && f->fwd.last_payload_ts != MM_NS_NONE &&
	    (c->final_burst_end == MM_NS_NONE || f->fwd.last_payload_ts > c->final_burst_end))
		c->final_burst_end = f->fwd.last_payload_ts;
	return 0;
}

static uint8_t role_of_kind(enum kind k)
{
	return k == KIND_NBD ? MIG_ROLE_NBD : k == KIND_MULTIFD ? MIG_ROLE_MULTIFD : MIG_ROLE_OTHER;
}

/* Flow indices sorted by first frame (then index): the order every rule walks in. */
static int by_start(const void *a, const void *b, void *arg)
{
	const struct flow_info *const *fl = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	mm_ns tx = fl[x]->first_ts, ty = fl[y]->first_ts;

	if (tx != ty)
		return tx < ty ? -1 : 1;
	return (x > y) - (x < y);
}

/* Host pair, then first frame: the order of rule 5's clusters. */
static int by_pair(const void *a, const void *b, void *arg)
{
	const struct flow_info *const *fl = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const struct dec_addr *xl, *xh, *yl, *yh;
	int c;

	pair_of(fl[x], &xl, &xh);
	pair_of(fl[y], &yl, &yh);
	c = dec_addr_cmp(xl, yl);
	if (!c)
		c = dec_addr_cmp(xh, yh);
	return c ? c : by_start(a, b, arg);
}

/* Main candidates [0, nmain) are in start order: the first whose main starts after t. */
static size_t mains_after(const struct mig_group *g, const struct flow_info *const *fl, size_t nmain, mm_ns t)
{
	size_t lo = 0, hi = nmain;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (fl[g->c[mid].main]->first_ts <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Rule 2: a multifd channel joins the open main stream of its host pair, split by UUID and channel id. */
static long pick_multifd(const struct mig_group *g, const struct flow_info *const *fl, size_t nmain,
			 const struct mig_cfg *cfg, const struct flow_info *f)
{
	size_t hi = mains_after(g, fl, nmain, mig_add_ns(f->first_ts, cfg->multifd_before)), k;
	long best = -1;
	int bestcls = 0;

	for (k = hi; k > 0 && hi - k < MIG_SCAN; k--) {
		const struct mig_cand *c = &g->c[k - 1];
		const struct flow_info *m = fl[c->main];
		int cls;

		if (!same_dir(m, f) || f->first_ts > m->last_ts)
			continue;
		if (!f->has_uuid)
			cls = 1;
		else if (!c->has_uuid)
			cls = 2;
		else if (memcmp(c->uuid, f->uuid, 16) == 0 && !chan_taken(c, f->channel))
			cls = 3;
		else
			cls = 0;
		/* Walking back: on a tie the earlier main stream wins. */
		if (cls > 0 && cls >= bestcls) {
			best = (long)(k - 1);
			bestcls = cls;
		}
	}
	return best;
}

/* Rule 3: an NBD stream joins the first main stream of its host pair starting during it or soon after. */
static long pick_nbd(const struct mig_group *g, const struct flow_info *const *fl, size_t nmain,
		     const struct mig_cfg *cfg, const struct flow_info *f)
{
	size_t lo = 0, hi = nmain, k;
	mm_ns until = mig_add_ns(f->last_ts, cfg->nbd_after);

	while (lo < hi) {		/* first main starting at or after the NBD stream */
		size_t mid = lo + (hi - lo) / 2;

		if (fl[g->c[mid].main]->first_ts < f->first_ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = lo; k < nmain && k - lo < MIG_SCAN; k++) {
		const struct flow_info *m = fl[g->c[k].main];

		if (m->first_ts > until)
			break;
		if (same_dir(m, f))
			return (long)k;
	}
	return -1;
}

/* Rule 4: any other flow of the host pair whose life lies inside a migration's; the latest-starting wins. */
static long pick_inside(const struct mig_group *g, const struct flow_info *const *fl, size_t nmain,
			const struct mig_cfg *cfg, const struct flow_info *f)
{
	size_t hi = mains_after(g, fl, nmain, f->last_ts), k;
	long best = -1;

	for (k = hi; k > 0 && hi - k < MIG_SCAN; k--) {
		const struct mig_cand *c = &g->c[k - 1];

		if (!same_pair(fl[c->main], f) || f->first_ts < c->start ||
		    f->last_ts > mig_add_ns(c->last, cfg->other_slack))
			continue;
		/* A channel of another VM does not join this one. */
		if (f->kind == KIND_MULTIFD && f->has_uuid &&
		    ((c->has_uuid && memcmp(c->uuid, f->uuid, 16) != 0) || chan_taken(c, f->channel)))
			continue;
		if (best < 0 || c->start > g->c[best].start)
			best = (long)(k - 1);
	}
	return best;
}

int mig_group(const struct mig_cfg *cfgin, const struct flow_info *const *fl, size_t n, struct mig_group *g)
{
	struct mig_cfg cfg = *cfgin;
	size_t *ord = NULL, *rest = NULL, i, nmain = 0, nrest = 0;
	int rc = -1;

	mig_cfg_defaults(&cfg);
	memset(g, 0, sizeof(*g));
	ord = malloc((n ? n : 1) * sizeof(*ord));
	rest = malloc((n ? n : 1) * sizeof(*rest));
	g->asg = malloc((n ? n : 1) * sizeof(*g->asg));
	g->role = calloc(n ? n : 1, sizeof(*g->role));
	g->chan = malloc((n ? n : 1) * sizeof(*g->chan));
	if (!ord || !rest || !g->asg || !g->role || !g->chan)
		goto out;
	for (i = 0; i < n; i++) {
		ord[i] = i;
		g->asg[i] = -1;
		g->chan[i] = -1;
	}
	qsort_r(ord, n, sizeof(*ord), by_start, (void *)fl);

	/* Rule 1: every QEMU stream is the main stream of a migration of its own. */
	for (i = 0; i < n; i++) {
		struct mig_cand *c;

		if (fl[ord[i]]->kind != KIND_QEMU)
			continue;
		c = new_cand(g);
		if (!c)
			goto out;
		c->main = ord[i];
		if (attach(g, fl, g->n - 1, ord[i], MIG_ROLE_MAIN) < 0)
			goto out;
	}
	nmain = g->n;
	for (i = 0; i < n; i++) {		/* rule 2: multifd channels */
		const struct flow_info *f = fl[ord[i]];
		long k;

		if (f->kind != KIND_MULTIFD)
			continue;
		k = pick_multifd(g, fl, nmain, &cfg, f);
		if (k >= 0 && attach(g, fl, (size_t)k, ord[i], MIG_ROLE_MULTIFD) < 0)
			goto out;
	}
	for (i = 0; i < n; i++) {		/* rule 3: NBD streams */
		const struct flow_info *f = fl[ord[i]];
		long k;

		if (f->kind != KIND_NBD)
			continue;
		k = pick_nbd(g, fl, nmain, &cfg, f);
		if (k >= 0 && attach(g, fl, (size_t)k, ord[i], MIG_ROLE_NBD) < 0)
			goto out;
	}
	for (i = 0; i < n; i++) {		/* rule 4: other flows inside a migration */
		const struct flow_info *f = fl[ord[i]];
		uint8_t role;
		long k;

		if (g->asg[ord[i]] >= 0)
			continue;
		k = pick_inside(g, fl, nmain, &cfg, f);
		if (k < 0) {
			/* A connection that never carried a byte (a scan, a refused attempt) makes no migration. */
			if (f->unreadable != KIND_UNREAD_NO_PAYLOAD)
				rest[nrest++] = ord[i];
			continue;
		}
		role = role_of_kind(f->kind);
		/* A channel the other way round is no channel of this migration's. */
		if (role == MIG_ROLE_MULTIFD && !same_dir(fl[g->c[k].main], f))
			role = MIG_ROLE_OTHER;
		if (attach(g, fl, (size_t)k, ord[i], role) < 0)
			goto out;
	}
	/* Rule 5: what is left (unreadable kinds, orphan channels) by host pair and time. */
	qsort_r(rest, nrest, sizeof(*rest), by_pair, (void *)fl);
	for (i = 0; i < nrest; i++) {
		const struct flow_info *f = fl[rest[i]];
		struct mig_cand *c = g->n > nmain ? &g->c[g->n - 1] : NULL;

		if (c && same_pair(fl[c->main], f) && f->first_ts <= mig_add_ns(c->last, cfg.cluster_gap)) {
			uint8_t role = role_of_kind(f->kind);

			if (role == MIG_ROLE_MULTIFD && f->has_uuid &&
			    ((c->has_uuid && memcmp(c->uuid, f->uuid, 16) != 0) || chan_taken(c, f->channel)))
				role = MIG_ROLE_OTHER;
			if (attach(g, fl, g->n - 1, rest[i], role) < 0)
				goto out;
			continue;
		}
		c = new_cand(g);
		if (!c)
			goto out;
		c->main = rest[i];
		c->inferred = 1;
		if (attach(g, fl, g->n - 1, rest[i], MIG_ROLE_MAIN) < 0)
			goto out;
	}
	rc = 0;
out:
	free(ord);
	free(rest);
	if (rc < 0)
		mig_group_release(g);
	return rc;
}
