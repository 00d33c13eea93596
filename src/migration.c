/* migration.c - the migration stage: flows, announces and episodes in; one record per complete migration out. */
#include "migration.h"

#include <stdlib.h>
#include <string.h>

#include "migration-match.h"

/* Makes room for one more element; 0, or -1 at `max` or out of memory. */
static int grow(void **p, size_t *cap, size_t n, size_t elem, size_t max)
{
	size_t ncap;
	void *np;

	if (n < *cap)
		return 0;
	if (n >= max)
		return -1;
	/* large arrays grow by half: a capture of many migrations wastes a third at most */
	ncap = !*cap ? 64 : *cap < 4096 ? *cap * 2 : *cap + *cap / 2;
	if (ncap > max)
		ncap = max;
	np = realloc(*p, ncap * elem);
	if (!np)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

struct mig_table *mig_new(const struct mig_cfg *cfg)
{
	struct mig_table *mt = calloc(1, sizeof(*mt));

	if (!mt)
		return NULL;
	mt->cfg = *cfg;
	mig_cfg_defaults(&mt->cfg);
	return mt;
}

void mig_free(struct mig_table *mt)
{
	size_t i;

	if (!mt)
		return;
	for (i = 0; i < mt->nrec; i++)
		free(mt->rec[i].members);
	free(mt->fl);
	free(mt->ids);
	free(mt->an);
	free(mt->ep);
	free(mt->rec);
	free(mt);
}

/* Exactly n elements of room (at most max), when the count is known before they come. */
static void reserve(void **p, size_t *cap, size_t n, size_t elem, size_t max)
{
	void *np;

	if (n > max)
		n = max;
	if (n <= *cap)
		return;
	np = realloc(*p, n * elem);
	if (np) {
		*p = np;
		*cap = n;
	}
}

void mig_reserve(struct mig_table *mt, size_t flows, size_t announces)
{
	reserve((void **)&mt->fl, &mt->capfl, flows, sizeof(*mt->fl), mt->cfg.max_flows);
	reserve((void **)&mt->an, &mt->capan, announces, sizeof(*mt->an), mt->cfg.max_announces);
}

/*
 * The capture is over (MIG_POLL_FINAL): of each flow copy only its flow
 * and record stay, and the records' array loses its spare room; a long
 * capture's report is then written with a few megabytes less held.
 * Out of memory: everything stays as it is.
 */
static void compact(struct mig_table *mt)
{
	struct mflow_id *ids = malloc((mt->nfl ? mt->nfl : 1) * sizeof(*ids));
	struct mig_record *rec;
	size_t i;

	if (!ids || mt->ids) {
		free(ids);
		return;
	}
	for (i = 0; i < mt->nfl; i++) {
		ids[i].flow = mt->fl[i].flow;
		ids[i].mig = mt->fl[i].mig;
	}
	mt->ids = ids;
	mt->nids = mt->nfl;
	free(mt->fl);
	mt->fl = NULL;
	mt->nfl = mt->capfl = 0;
	if (mt->nrec && mt->nrec < mt->caprec && (rec = realloc(mt->rec, mt->nrec * sizeof(*rec)))) {
		mt->rec = rec;
		mt->caprec = mt->nrec;
	}
}


int mig_add_flow(struct mig_table *mt, size_t flow, const struct flow_info *fi)
{
	struct mflow *f = mig_flow_find(mt, flow);

	if (f) {
		if (!f->mig)
			f->fi = *fi;
		return 0;
	}
	if ((mt->nfl && mt->fl[mt->nfl - 1].flow > flow) ||
	    grow((void **)&mt->fl, &mt->capfl, mt->nfl, sizeof(*mt->fl), mt->cfg.max_flows) < 0) {
		mt->st.flows_not_held++;
		return -1;
	}
	f = &mt->fl[mt->nfl++];
	f->flow = flow;
	f->fi = *fi;
	f->mig = 0;
	return 0;
}

int mig_add_announce(struct mig_table *mt, const struct ann_event *e)
{
	if (grow((void **)&mt->an, &mt->capan, mt->nan, sizeof(*mt->an), mt->cfg.max_announces) < 0) {
		mt->st.announces_not_held++;
		return -1;
	}
	mt->an[mt->nan].ev = *e;
	mt->an[mt->nan].migration = 0;
	mt->an[mt->nan].round_of = MM_NS_NONE;
	mt->nan++;
	return 0;
}

/* A new held episode of echo stream `stream` (zeroed but for its stream and target), or NULL when full. */
static struct mig_episode *new_episode(struct mig_table *mt, size_t stream, const struct dec_addr *target)
{
	struct mig_episode *e;

	if (grow((void **)&mt->ep, &mt->capep, mt->nep, sizeof(*mt->ep), mt->cfg.max_episodes) < 0) {
		mt->st.episodes_not_held++;
		return NULL;
	}
	e = &mt->ep[mt->nep++];
	memset(e, 0, sizeof(*e));
	e->stream = stream;
	e->target = *target;
	return e;
}

int mig_add_episode(struct mig_table *mt, size_t stream, const struct dec_addr *target,
		    const struct episode *ep)
{
	struct mig_episode *e = new_episode(mt, stream, target);

	if (!e)
		return -1;
	e->ep = *ep;
	return 0;
}

int mig_add_unresp(struct mig_table *mt, size_t stream, const struct dec_addr *target,
		   const struct unresp_episode *un)
{
	struct mig_episode *e = new_episode(mt, stream, target);

	if (!e)
		return -1;
	e->kind = MIG_EP_UNRESP;
	e->un = *un;
	return 0;
}

/* ---- one poll ---------------------------------------------------------- */

static int cmp_ns(mm_ns a, mm_ns b)
{
	return (a > b) - (a < b);
}

static int cand_by_f(const void *a, const void *b, void *arg)
{
	const struct poll_ctx *pc = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	mm_ns fx = pc->g.c[x].final_burst_end, fy = pc->g.c[y].final_burst_end;
	int c = cmp_ns(fx, fy);

	return c ? c : (x > y) - (x < y);
}

static int cand_by_start(const void *a, const void *b, void *arg)
{
	const struct poll_ctx *pc = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = cmp_ns(pc->g.c[x].start, pc->g.c[y].start);

	return c ? c : (x > y) - (x < y);
}

static int an_by_ts(const void *a, const void *b, void *arg)
{
	const struct mig_table *mt = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = cmp_ns(mt->an[x].ev.ts, mt->an[y].ev.ts);

	return c ? c : (x > y) - (x < y);
}

/* Complete: everything (final), or quiet for `idle` with the announce and episode windows past. */
static int settled(const struct poll_ctx *pc, size_t c)
{
	const struct mig_cfg *cfg = &pc->mt->cfg;
	const struct mig_cand *cd = &pc->g.c[c];
	mm_ns f = cd->final_burst_end;

	if (pc->final)
		return 1;
	if (pc->now == MM_NS_NONE || mig_add_ns(cd->last, cfg->idle) > pc->now)
		return 0;
	return f == MM_NS_NONE ||
	       mig_add_ns(mig_add_ns(f, cfg->announce_window), mig_add_ns(cfg->announce_span, cfg->after_resume)) <= pc->now;
}

static void status_of(const struct poll_ctx *pc, const struct flow_info *m, struct mig_record *r)
{
	if (!m->fwd.syn && !m->rev.syn) {
		r->status = MIG_INCOMPLETE;
		r->why = MIG_WHY_NO_SYN;
	} else if (r->resumed != MM_NS_NONE) {
		r->status = MIG_COMPLETED;
		r->why = MIG_WHY_SWITCHOVER;
	} else if (m->fwd.rst || m->rev.rst) {
		r->status = MIG_FAILED;
		r->why = MIG_WHY_RST;
	} else if (m->fwd.fin || m->rev.fin) {
		r->status = MIG_COMPLETED;
		r->why = MIG_WHY_FIN;
	} else if (pc->final && (pc->now == MM_NS_NONE || mig_add_ns(m->last_ts, pc->mt->cfg.idle) >= pc->now)) {
		r->status = MIG_INCOMPLETE;
		r->why = MIG_WHY_CAPTURE_END;
	} else {
		r->status = MIG_FAILED;
		r->why = MIG_WHY_NO_SWITCHOVER;
	}
}

static int member_cmp(const void *a, const void *b)
{
	const struct mig_member *x = a, *y = b;
	int c;

	if ((x->role == MIG_ROLE_MAIN) != (y->role == MIG_ROLE_MAIN))
		return x->role == MIG_ROLE_MAIN ? -1 : 1;
	c = cmp_ns(x->fi.first_ts, y->fi.first_ts);
	return c ? c : (x->flow > y->flow) - (x->flow < y->flow);
}

static void add_unresp(struct mig_record *r, const struct unresp_episode *un)
{
	r->unresp_episodes++;
	r->unresp_total = mig_add_ns(r->unresp_total, un->gap);
	if (un->worst_rtt != MM_NS_NONE && (r->unresp_worst_rtt == MM_NS_NONE || un->worst_rtt > r->unresp_worst_rtt))
		r->unresp_worst_rtt = un->worst_rtt;
}

/* Candidate c as record `id`: its figures, and its flows, announces and episodes taken out. */
static int make_record(struct poll_ctx *pc, size_t c, unsigned id)
{
	struct mig_table *mt = pc->mt;
	const struct mig_cand *cd = &pc->g.c[c];
	const struct work *w = &pc->w[c];
	const struct flow_info *m = pc->fi[cd->main];
	struct mig_record *r;
	size_t k;

	if (grow((void **)&mt->rec, &mt->caprec, mt->nrec, sizeof(*mt->rec), mt->cfg.max_records) < 0) {
		mt->st.records_not_held++;
		return -1;
	}
	r = &mt->rec[mt->nrec];
	memset(r, 0, sizeof(*r));
	r->members = calloc(cd->nmem, sizeof(*r->members));
	if (!r->members)
		return -1;
	mt->nrec++;
	r->id = id;
	r->inferred = cd->inferred;
	r->unreadable = cd->inferred ? m->unreadable : KIND_READ;
	r->source = m->client;
	r->destination = m->server;
	r->has_uuid = cd->has_uuid;
	memcpy(r->uuid, cd->uuid, 16);
	r->nmembers = cd->nmem;
	for (k = 0; k < cd->nmem; k++) {
		size_t i = cd->mem[k];
		struct mig_member *mm = &r->members[k];
		const struct flow_info *f = pc->fi[i];

		mm->flow = mt->fl[pc->fl_of[i]].flow;
		mm->role = pc->g.role[i];
		mm->channel = pc->g.chan[i];
		mm->fi.first_ts = f->first_ts;
		mm->fi.id = f->id;
		mm->fi.kind = f->kind;
		mm->fi.unreadable = f->unreadable;
		mm->fi.client_port = f->client_port;
		mm->fi.server_port = f->server_port;
		mm->fi.has_uuid = f->has_uuid;
		memcpy(mm->fi.uuid, f->uuid, sizeof(mm->fi.uuid));
		mt->fl[pc->fl_of[i]].mig = id;
		r->unique[mm->role] += f->fwd.unique_payload_bytes + f->rev.unique_payload_bytes;
		r->wire[mm->role] += f->fwd.wire_bytes + f->rev.wire_bytes;
		r->retrans += f->fwd.retrans_bytes + f->rev.retrans_bytes;
	}
	qsort(r->members, r->nmembers, sizeof(*r->members), member_cmp);
	for (k = 0; k < MIG_ROLE_COUNT; k++) {
		r->unique_total += r->unique[k];
		r->wire_total += r->wire[k];
	}
	r->start = cd->start;
	r->last_frame = cd->last;
	r->connect = (m->fwd.syn || m->rev.syn) ? m->first_ts : MM_NS_NONE;
	r->first_payload = m->fwd.first_payload_ts;
	r->end = m->fwd.last_payload_ts;
	r->final_burst_end = cd->final_burst_end;
	r->resumed = r->vm_first_frame = r->first_reply_after = r->last_reply_before = MM_NS_NONE;
	r->unresp_worst_rtt = MM_NS_NONE;
	if (w->ann >= 0) {
		const struct ann_event *a = &mt->an[w->ann].ev;

		r->resumed = a->ts;
		r->resumed_by = a->how;
		r->has_mac = 1;
		memcpy(r->mac, a->mac, 6);
		r->vm_first_frame = a->first_frame_after;
		r->first_reply_after = a->first_reply_after;
		r->last_reply_before = a->last_reply_before;
		r->announces = w->nann;
	}
	r->vm_ip = w->vm_ip;
	status_of(pc, m, r);
	for (k = 0; k < mt->nan; k++) {
		if (pc->an_take[k] == (long)c + 1)
			mt->an[k].migration = id;
		if (pc->stale_by[k] == (long)c + 1)
			mt->an[k].round_of = pc->stale_a[k];
	}
	for (k = 0; k < mt->nep; k++) {
		if (pc->ep_take[k] != (long)c + 1)
			continue;
		mt->ep[k].migration = id;
		if (mt->ep[k].kind == MIG_EP_UNRESP) {
			add_unresp(r, &mt->ep[k].un);
			continue;
		}
		r->episodes++;
		if (mt->ep[k].ep.estimate != MM_NS_NONE)
			r->downtime_total = mig_add_ns(r->downtime_total, mt->ep[k].ep.estimate);
	}
	if (!r->episodes)
		r->downtime_total = MM_NS_NONE;
	r->announce_bound = mig_sub_ns(r->resumed, r->last_reply_before);
	return 0;
}

static int rec_by_start(const void *a, const void *b, void *arg)
{
	const struct mig_record *rec = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = cmp_ns(rec[x].start, rec[y].start);

	return c ? c : (x > y) - (x < y);
}

/*
 * Marks the records whose [start, last frame] overlaps another's: in
 * start order, a record overlaps when it starts before the latest end so
 * far, and so does the record holding that end (every other overlapping
 * pair is caught the same way at one of its two records).  Records made
 * by an earlier poll keep their mark.
 */
static void mark_overlaps(struct mig_table *mt, size_t first_new)
{
	size_t *ord = malloc((mt->nrec ? mt->nrec : 1) * sizeof(*ord)), i, far = 0;
	mm_ns end = MM_NS_NONE;

	if (!ord) {
		mt->st.records_not_held++;	/* cannot tell; said rather than guessed */
		return;
	}
	for (i = 0; i < mt->nrec; i++)
		ord[i] = i;
	qsort_r(ord, mt->nrec, sizeof(*ord), rec_by_start, mt->rec);
	for (i = 0; i < mt->nrec; i++) {
		struct mig_record *r = &mt->rec[ord[i]];

		if (i > 0 && r->start <= end) {
			if (ord[i] >= first_new)
				r->overlaps = 1;
			if (ord[far] >= first_new)
				mt->rec[ord[far]].overlaps = 1;
		}
		if (i == 0 || r->last_frame > end) {
			end = r->last_frame;
			far = i;
		}
	}
	free(ord);
}

static void poll_release(struct poll_ctx *pc)
{
	mig_group_release(&pc->g);
	free(pc->fi);
	free(pc->fl_of);
	free(pc->w);
	free(pc->by_f);
	free(pc->an_ord);
	free(pc->an_take);
	free(pc->stale_a);
	free(pc->stale_by);
	free(pc->ep_take);
}

int mig_poll(struct mig_table *mt, mm_ns now, unsigned flags)
{
	struct poll_ctx pc;
	size_t i, n = 0, first_new = mt->nrec, nset = 0, one = 1;
	int rc = -1;

	memset(&pc, 0, sizeof(pc));
	pc.mt = mt;
	pc.now = now;
	pc.final = !!(flags & MIG_POLL_FINAL);
	pc.fi = malloc((mt->nfl ? mt->nfl : one) * sizeof(*pc.fi));
	pc.fl_of = malloc((mt->nfl ? mt->nfl : one) * sizeof(*pc.fl_of));
	pc.an_ord = malloc((mt->nan ? mt->nan : one) * sizeof(*pc.an_ord));
	pc.an_take = calloc(mt->nan ? mt->nan : one, sizeof(*pc.an_take));
	pc.stale_a = malloc((mt->nan ? mt->nan : one) * sizeof(*pc.stale_a));
	pc.stale_by = calloc(mt->nan ? mt->nan : one, sizeof(*pc.stale_by));
	pc.ep_take = calloc(mt->nep ? mt->nep : one, sizeof(*pc.ep_take));
	if (!pc.fi || !pc.fl_of || !pc.an_ord || !pc.an_take || !pc.ep_take || !pc.stale_a || !pc.stale_by)
		goto out;
	for (i = 0; i < mt->nan; i++)
		pc.stale_a[i] = mt->an[i].round_of;
	/* Port collisions never belong to a migration; a second view of a flow is the first view's. */
	for (i = 0; i < mt->nfl; i++) {
		const struct flow_info *f = &mt->fl[i].fi;

		if (mt->fl[i].mig || f->cls != FLOW_MIGRATION || f->secondary)
			continue;
		pc.fi[n] = f;
		pc.fl_of[n++] = i;
	}
	pc.n = n;
	if (mig_group(&mt->cfg, pc.fi, n, &pc.g) < 0)
		goto out;
	pc.w = calloc(pc.g.n ? pc.g.n : one, sizeof(*pc.w));
	pc.by_f = malloc((pc.g.n ? pc.g.n : one) * sizeof(*pc.by_f));
	if (!pc.w || !pc.by_f)
		goto out;
	for (i = 0; i < pc.g.n; i++)
		pc.by_f[i] = i;
	qsort_r(pc.by_f, pc.g.n, sizeof(*pc.by_f), cand_by_f, &pc);
	for (i = 0; i < mt->nan; i++)
		pc.an_ord[i] = i;
	qsort_r(pc.an_ord, mt->nan, sizeof(*pc.an_ord), an_by_ts, mt);
	mig_match_announces(&pc);
	mig_match_episodes(&pc);

	/* The complete ones become records, numbered in order of start. */
	for (i = 0; i < pc.g.n; i++) {
		pc.w[i].settled = settled(&pc, i);
		if (pc.w[i].settled)
			pc.by_f[nset++] = i;
	}
	qsort_r(pc.by_f, nset, sizeof(*pc.by_f), cand_by_start, &pc);
	for (i = 0; i < nset; i++)
		if (make_record(&pc, pc.by_f[i], mt->id_base + (unsigned)(first_new + i + 1)) < 0)
			break;
	mark_overlaps(mt, first_new);
	rc = (int)(mt->nrec - first_new);
	if (flags & MIG_POLL_FINAL)
		compact(mt);
out:
	poll_release(&pc);
	return rc;
}

/* ---- reading the results ------------------------------------------------- */
