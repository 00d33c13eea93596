/* migration-get.c - the migration stage's lookups and accessors: records, a flow's record, announces, episodes, names. */
#include "migration.h"
#include "migration-match.h"

/* The held flow with index `flow`, or NULL (the array is in increasing index order). */
struct mflow *mig_flow_find(const struct mig_table *mt, size_t flow)
{
	size_t lo = 0, hi = mt->nfl;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (mt->fl[mid].flow < flow)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < mt->nfl && mt->fl[lo].flow == flow ? &mt->fl[lo] : NULL;
}

void mig_set_id_base(struct mig_table *mt, unsigned base)
{
	mt->id_base = base;
}

unsigned mig_record_pos(const struct mig_table *mt, unsigned id)
{
	return id > mt->id_base && id - mt->id_base <= mt->nrec ? id - mt->id_base : 0;
}

size_t mig_count(const struct mig_table *mt)
{
	return mt->nrec;
}

const struct mig_record *mig_get(const struct mig_table *mt, size_t i)
{
	return i < mt->nrec ? &mt->rec[i] : NULL;
}

/* The record flow `flow` is in (0: none), from the flow copies or, after the final poll, mt->ids. */
static unsigned record_of(const struct mig_table *mt, size_t flow)
{
	const struct mflow *f;
	size_t lo = 0, hi = mt->nids;

	if (!mt->ids) {
		f = mig_flow_find(mt, flow);
		return f ? f->mig : 0;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (mt->ids[mid].flow < flow)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < mt->nids && mt->ids[lo].flow == flow ? mt->ids[lo].mig : 0;
}

unsigned mig_of_flow(const struct mig_table *mt, size_t flow, const struct mig_member **m)
{
	unsigned mig = record_of(mt, flow), pos;
	const struct mig_record *r;
	size_t k;

	if (m)
		*m = NULL;
	pos = mig_record_pos(mt, mig);
	if (!pos)
		return 0;
	r = &mt->rec[pos - 1];
	for (k = 0; m && k < r->nmembers; k++)
		if (r->members[k].flow == flow)
			*m = &r->members[k];
	return mig;
}

size_t mig_announce_count(const struct mig_table *mt)
{
	return mt->nan;
}

const struct mig_announce *mig_announce_get(const struct mig_table *mt, size_t i)
{
	return i < mt->nan ? &mt->an[i] : NULL;
}

size_t mig_episode_count(const struct mig_table *mt)
{
	return mt->nep;
}

const struct mig_episode *mig_episode_get(const struct mig_table *mt, size_t i)
{
	return i < mt->nep ? &mt->ep[i] : NULL;
}

void mig_get_stats(const struct mig_table *mt, struct mig_stats *st)
{
	*st = mt->st;
}

const char *mig_role_name(unsigned role)
{
	static const char *const names[MIG_ROLE_COUNT] = { "main", "multifd", "nbd", "other" };

	return role < MIG_ROLE_COUNT ? names[role] : "other";
}

const char *mig_status_name(enum mig_status s)
{
	switch (s) {
	case MIG_COMPLETED:
		return "completed";
	case MIG_FAILED:
		return "failed";
	default:
		return "incomplete";
	}
}

const char *mig_why_name(enum mig_why w)
{
	static const char *const names[] = { "switchover", "fin", "rst", "no_switchover", "no_syn",
					     "capture_end" };

	return (unsigned)w < sizeof(names) / sizeof(names[0]) ? names[w] : "?";
}
