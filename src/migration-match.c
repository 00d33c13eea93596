/* migration-match.c - each migration's switchover (its announces) and the downtime episodes it caused. */
#include "migration-match.h"

#include <string.h>


/* Position in an_ord of the first announce later than t. */
static size_t ann_after(const struct poll_ctx *pc, mm_ns t)
{
	size_t lo = 0, hi = pc->mt->nan;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pc->mt->an[pc->an_ord[mid]].ev.ts <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Main streams looked at past a switchover for the next migration that began after it. */
#define MATCH_SCAN 64

/*
 * The announce that resumed candidate c: the first one nobody took in
 * (F, F + announce_window].  An announce that is a later round of a
 * switchover already matched (same MAC, within announce_span of its
 * first) is only taken when nothing else is there and c began after
 * that switchover (the same VM migrating again), or when the next one
 * there has its MAC (it began that sequence); a migration that began
 * before it cannot be that VM's next one.  Returns the position in
 * an_ord, or -1.
 */
static long first_announce(const struct poll_ctx *pc, size_t c, mm_ns f)
{
	const struct mig_announce *an = pc->mt->an;
	mm_ns until = mig_add_ns(f, pc->mt->cfg.announce_window);
	long stale = -1;
	size_t j;

	for (j = ann_after(pc, f); j < pc->mt->nan && an[pc->an_ord[j]].ev.ts <= until; j++) {
		size_t a = pc->an_ord[j];

		if (an[a].migration || pc->an_take[a])
			continue;
		if (pc->stale_a[a] == MM_NS_NONE) {
			/*
			 * The same MAC's "later round" just before it began this
			 * sequence: the VM's next switchover came within the
			 * previous one's announce_span.
			 */
			if (stale >= 0 && memcmp(an[pc->an_ord[stale]].ev.mac, an[a].ev.mac, 6) == 0)
				return stale;
			return (long)j;
		}
		if (stale < 0 && pc->g.c[c].start > pc->stale_a[a])
			stale = (long)j;
	}
	return stale;
}

/*
 * The switchover of each candidate, in order of final burst end: its
 * first announce (first_announce), then the same MAC's later rounds
 * within announce_span, up to the final burst end of the next migration
 * that began after that first announce (which may be the same VM's next
 * migration); rounds past that are marked, not taken.
 */
void mig_match_announces(struct poll_ctx *pc)
{
	const struct mig_cfg *cfg = &pc->mt->cfg;
	struct mig_announce *an = pc->mt->an;
	size_t k, j;

	for (k = 0; k < pc->g.n; k++) {
		size_t c = pc->by_f[k];
		struct work *w = &pc->w[c];
		mm_ns f = pc->g.c[c].final_burst_end, span, cap = INT64_MAX;
		const struct ann_event *first;
		long at;

		w->ann = -1;
		if (f == MM_NS_NONE)
			continue;
		at = first_announce(pc, c, f);
		if (at < 0)
			continue;
		w->ann = (long)pc->an_ord[at];
		first = &an[w->ann].ev;
		for (j = k + 1; j < pc->g.n && j - k <= MATCH_SCAN; j++) {
			const struct mig_cand *x = &pc->g.c[pc->by_f[j]];

			if (x->start > first->ts) {
				cap = x->final_burst_end;
				break;
			}
		}
		span = mig_add_ns(first->ts, cfg->announce_span);
		for (j = (size_t)at; j < pc->mt->nan && an[pc->an_ord[j]].ev.ts <= span; j++) {
			size_t a = pc->an_ord[j];

			if (an[a].migration || pc->an_take[a] || memcmp(an[a].ev.mac, first->mac, 6) != 0)
				continue;
			if (an[a].ev.ts > cap) {
				pc->stale_a[a] = first->ts;
				pc->stale_by[a] = (long)c + 1;
				continue;
			}
			pc->an_take[a] = (long)c + 1;
			w->nann++;
			if (w->vm_ip.family == 0 && an[a].ev.how == ANN_GARP)
				w->vm_ip = an[a].ev.ip;
		}
		/* The VM's echo replies name its address better than a GARP (which may be any of them). */
		if (first->reply_ip.family)
			w->vm_ip = first->reply_ip;
	}
}

/* The window an episode must overlap to belong to candidate c; 0 when it has none. */
static int dt_window(const struct poll_ctx *pc, size_t c, mm_ns *lo, mm_ns *hi)
{
	const struct mig_cfg *cfg = &pc->mt->cfg;
	mm_ns f = pc->g.c[c].final_burst_end;
	long a = pc->w[c].ann;

	if (f == MM_NS_NONE)
		return 0;
	*lo = mig_sub_ns(f, cfg->before_burst);
	*hi = mig_add_ns(a >= 0 ? pc->mt->an[a].ev.ts : f, cfg->after_resume);
	return *lo != MM_NS_NONE;
}

/*
 * The time an episode covers: a loss episode from its first lost request
 * over its estimate; an unresponsive one its reply gap (from the first
 * late request when no timely reply came before).  0 when it has none.
 */
static int ep_span(const struct mig_episode *ep, mm_ns *s, mm_ns *t)
{
	if (ep->kind == MIG_EP_UNRESP) {
		*s = ep->un.start != MM_NS_NONE ? ep->un.start : ep->un.first_req;
		*t = ep->un.end != MM_NS_NONE ? ep->un.end : mig_add_ns(*s, ep->un.gap);
		if (*t < *s)
			*t = *s;	/* a clock stepped back inside it */
		return *s != MM_NS_NONE;
	}
	*s = ep->ep.first_lost_ts;
	*t = ep->ep.estimate != MM_NS_NONE ? mig_add_ns(*s, ep->ep.estimate) : ep->ep.last_lost_ts;
	return *s != MM_NS_NONE;
}

/* Each episode to the migration whose switchover window it overlaps (its VM's first, then the earliest). */
void mig_match_episodes(struct poll_ctx *pc)
{
	size_t e, k;

	for (e = 0; e < pc->mt->nep; e++) {
		const struct mig_episode *ep = &pc->mt->ep[e];
		mm_ns s, t;
		long best = -1;
		int best_vm = 0;

		if (ep->migration || !ep_span(ep, &s, &t))
			continue;
		for (k = 0; k < pc->g.n; k++) {
			size_t c = pc->by_f[k];
			mm_ns lo, hi;
			int vm;

			if (!dt_window(pc, c, &lo, &hi) || t < lo || s > hi)
				continue;
			vm = pc->w[c].vm_ip.family && dec_addr_cmp(&pc->w[c].vm_ip, &ep->target) == 0;
			if (best < 0 || (vm && !best_vm)) {
				best = (long)c;
				best_vm = vm;
			}
		}
		pc->ep_take[e] = best + 1;
	}
}

