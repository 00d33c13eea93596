/* migration-group.h - the grouping rules alone: flows in, candidate migrations out (used by migration.c). */
#ifndef MM_MIGRATION_GROUP_H
#define MM_MIGRATION_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "migration.h"

/* Saturating sums and differences of timestamps (a capture's times can be absurd). */
static inline mm_ns mig_add_ns(mm_ns a, mm_ns b)
{
	if (a == MM_NS_NONE || b == MM_NS_NONE)
		return MM_NS_NONE;
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN + 1 - b)
		return INT64_MIN + 1;
	return a + b;
}

static inline mm_ns mig_sub_ns(mm_ns a, mm_ns b)
{
	if (a == MM_NS_NONE || b == MM_NS_NONE)
		return MM_NS_NONE;
	if ((b < 0 && a > INT64_MAX + b) || (b > 0 && a < INT64_MIN + 1 + b))
		return MM_NS_NONE;
	return a - b;
}

/* One candidate migration: a main flow and the flows that belong to it. */
struct mig_cand {
	size_t main;			/* index into the flows given */
	size_t *mem;			/* members, indices into the flows given; mem[0] is main */
	size_t nmem, capmem;
	uint8_t inferred;		/* the main flow is not a QEMU stream (README "Migrations", rule 5) */
	uint8_t has_uuid, uuid[16];
	uint8_t chan[32];		/* multifd channel ids taken (a bit each) */
	mm_ns start, last;		/* first and last frame over the members */
	mm_ns final_burst_end;		/* last forward payload of the main and multifd members */
};

struct mig_group {
	struct mig_cand *c;
	size_t n, cap;
	long *asg;			/* per flow given: candidate index, -1 none */
	uint8_t *role;			/* per flow given: enum mig_role */
	int16_t *chan;			/* per flow given: multifd channel id or -1 */
};

/*
 * Groups the n flows fl[0..n) -- migration flows, collisions and flows
 * of a second vantage point already left out -- into candidate
 * migrations by the rules of the README's "Migrations" section, with the
 * windows of *cfg (defaults filled in).  Every flow ends in one
 * candidate, except a flow without payload outside every migration
 * (asg -1).  Returns 0, or -1 when out of memory (*g is then released).
 */
int mig_group(const struct mig_cfg *cfg, const struct flow_info *const *fl, size_t n, struct mig_group *g);

void mig_group_release(struct mig_group *g);

/* Fills the zero fields of *cfg with the defaults of migration.h. */
void mig_cfg_defaults(struct mig_cfg *cfg);

#endif
