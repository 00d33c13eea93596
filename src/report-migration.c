/* report-migration.c - the migration records in the report tree: migrations, their switchover and downtime. */
#include "report-migration.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-report.h"
#include "kind.h"
#include "meter-keep.h"
#include "report-unresp.h"

/* b - a; MM_NS_NONE when either is unknown or the difference would overflow. */
static mm_ns diff_ns(mm_ns b, mm_ns a)
{
	if (a == MM_NS_NONE || b == MM_NS_NONE)
		return MM_NS_NONE;
	if ((a < 0 && b > INT64_MAX + a) || (a > 0 && b < INT64_MIN + 1 + a))
		return MM_NS_NONE;
	return b - a;
}

/* The duration from a to b, null when unknown. */
static json_object *jspan(mm_ns a, mm_ns b, int digits)
{
	return report_jtime(diff_ns(b, a), digits);
}

static json_object *jdouble(double v)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.0f", v);
	return json_object_new_double_s(v, buf);
}

static void put(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

static void put_u64(json_object *o, const char *k, uint64_t v)
{
	put(o, k, json_object_new_uint64(v));
}

static void put_str(json_object *o, const char *k, const char *v)
{
	put(o, k, v ? json_object_new_string(v) : NULL);
}

static void put_addr(json_object *o, const char *k, const struct dec_addr *a)
{
	char buf[64];

	put_str(o, k, a->family ? dec_addr_str(a, buf, sizeof(buf)) : NULL);
}

static void put_mac(json_object *o, const char *k, int has, const uint8_t m[6])
{
	char buf[24];

	if (!has) {
		put(o, k, NULL);
		return;
	}
	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	put_str(o, k, buf);
}

/* RFC 9562 text form: 8-4-4-4-12 hex digits. */
static void put_uuid(json_object *o, const char *k, int has, const uint8_t u[16])
{
	char buf[40];
	size_t i, at = 0;

	if (!has) {
		put(o, k, NULL);
		return;
	}
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf[at++] = '-';
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%02x", u[i]);
	}
	put_str(o, k, buf);
}

/* A member flow: what tells its part; the rest is in the report's `flows` entry `flow`. */
static json_object *member_obj(const struct mig_member *mm)
{
	json_object *j = json_object_new_object();
	const struct mig_flow_brief *f = &mm->fi;

	put_u64(j, "flow", f->id);
	put_str(j, "role", mig_role_name(mm->role));
	put(j, "channel", mm->channel >= 0 ? json_object_new_int(mm->channel) : NULL);
	put_str(j, "kind", kind_name(f->kind));
	put_str(j, "kind_unreadable", kind_unreadable_name(f->unreadable));
	put_uuid(j, "uuid", f->has_uuid, f->uuid);
	put_u64(j, "client_port", f->client_port);
	put_u64(j, "server_port", f->server_port);
	return j;
}

/* One episode as the migrations and the outside list show it. */
static json_object *episode_obj(const struct mig_episode *e, int digits)
{
	json_object *j = json_object_new_object();
	mm_ns end = MM_NS_NONE;

	/* The first answered request after it (echo.h): first lost + estimate (which a damaged clock can make negative). */
	if (e->ep.estimate != MM_NS_NONE && e->ep.first_lost_ts != MM_NS_NONE &&
	    !(e->ep.estimate > 0 && e->ep.first_lost_ts > INT64_MAX - e->ep.estimate) &&
	    !(e->ep.estimate < 0 && e->ep.first_lost_ts < INT64_MIN + 1 - e->ep.estimate))
		end = e->ep.first_lost_ts + e->ep.estimate;

	put_u64(j, "stream", e->stream + 1);
	put_addr(j, "target", &e->target);
	put(j, "first_lost_ts", report_jtime(e->ep.first_lost_ts, digits));
	put(j, "end_ts", report_jtime(end, digits));
	put_u64(j, "lost", e->ep.lost);
	put(j, "estimate_s", report_jtime(e->ep.estimate, digits));
	put(j, "lower_s", report_jtime(e->ep.lower, digits));
	put(j, "upper_s", report_jtime(e->ep.upper, digits));
	put(j, "ended_in_capture", json_object_new_boolean(e->ep.ended_in_capture));
	return j;
}

/* Bytes per role, one object of four numbers (a json-c object costs ~1 KB: few of them). */
static json_object *role_bytes(const uint64_t v[MIG_ROLE_COUNT])
{
	json_object *j = json_object_new_object();
	unsigned k;

	for (k = 0; k < MIG_ROLE_COUNT; k++)
		put_u64(j, mig_role_name(k), v[k]);
	return j;
}

static json_object *switchover_obj(const struct mig_record *r, int digits)
{
	json_object *j = json_object_new_object();

	put(j, "final_burst_end", report_jtime(r->final_burst_end, digits));
	put(j, "resumed", report_jtime(r->resumed, digits));
	put_str(j, "resumed_by", r->resumed != MM_NS_NONE ? ann_how_name(r->resumed_by) : NULL);
	put(j, "burst_to_resumed_s", jspan(r->final_burst_end, r->resumed, digits));
	put_u64(j, "announces", r->announces);
	put(j, "rarp_times", json_object_new_array());
	put(j, "garp_times", json_object_new_array());
	put(j, "vm_first_frame", report_jtime(r->vm_first_frame, digits));
	put(j, "first_reply_after", report_jtime(r->first_reply_after, digits));
	put(j, "last_reply_before", report_jtime(r->last_reply_before, digits));
	return j;
}

/* The VM's service traffic in this migration's phases (--app), and where its downtime figure comes from. */
static void add_app(json_object *j, const struct meter *m, const struct mig_record *r, int digits)
{
	json_object *app = app_report_migration(m, r, digits);

	put_str(j, "downtime_source", app_downtime_source(r, app));
	put(j, "app", app);
}

static json_object *record_obj(const struct meter *m, const struct mig_table *mt, const struct mig_record *r,
			       int digits)
{
	json_object *j = json_object_new_object(), *vm = json_object_new_object(), *fl;
	mm_ns dur = diff_ns(r->end, r->start);
	double secs = dur != MM_NS_NONE && dur > 0 ? (double)dur / (double)MM_NS_PER_S : 0.0;
	double peak;
	size_t k;

	/* the final stage after retention: its records keep the ids --records gave them */
	put_u64(j, "id", r->id);
	put_str(j, "status", mig_status_name(r->status));
	put_str(j, "status_reason", mig_why_name(r->why));
	put(j, "inferred", json_object_new_boolean(r->inferred));
	put_str(j, "inferred_reason", !r->inferred ? NULL :
		r->unreadable != KIND_READ ? kind_unreadable_name(r->unreadable) : "no_main_stream");
	put_addr(j, "source", &r->source);
	put_addr(j, "destination", &r->destination);
	put_mac(vm, "mac", r->has_mac, r->mac);
	put_addr(vm, "ip", &r->vm_ip);
	put(j, "vm", vm);
	put_uuid(j, "uuid", r->has_uuid, r->uuid);
	put(j, "start", report_jtime(r->start, digits));
	put(j, "start_utc", report_jutc(r->start, digits));
	put(j, "connect", report_jtime(r->connect, digits));
	put(j, "first_payload", report_jtime(r->first_payload, digits));
	put(j, "end", report_jtime(r->end, digits));
	put(j, "end_utc", report_jutc(r->end, digits));
	put(j, "duration_s", report_jtime(dur, digits));
	put(j, "setup_s", jspan(r->connect, r->first_payload, digits));
	put_u64(j, "unique_payload_bytes", r->unique_total);
	put_u64(j, "wire_bytes", r->wire_total);
	put_u64(j, "retrans_bytes", r->retrans);
	put(j, "bytes_by_role", role_bytes(r->unique));
	put(j, "wire_bytes_by_role", role_bytes(r->wire));
	put(j, "mean_bps", secs > 0 ? jdouble((double)r->unique_total * 8.0 / secs) : NULL);
	/* The capture's bins inside this migration's span: its own bytes unless another overlaps it. */
	peak = series_peak_bps_in(m->series, r->start, r->end);
	put(j, "peak_bps", peak >= 0 ? jdouble(peak) :
	    secs > 0 ? jdouble((double)r->unique_total * 8.0 / secs) : NULL);
	put(j, "peak_shared", json_object_new_boolean(r->overlaps));
	fl = json_object_new_array();
	for (k = 0; k < r->nmembers; k++)
		json_object_array_add(fl, member_obj(&r->members[k]));
	put(j, "flows", fl);
	put(j, "switchover", switchover_obj(r, digits));
	put(j, "episodes", json_object_new_array());
	put(j, "downtime_total_s", report_jtime(r->downtime_total, digits));
	put(j, "announce_bound_s", report_jtime(r->announce_bound, digits));
	put(j, "unresponsive", report_unresp_record(m, mt, r, digits));
	add_app(j, m, r, digits);
	return j;
}

json_object *report_migration_record(const struct meter *m, const struct mig_table *mt,
				    const struct mig_record *r, int digits)
{
	json_object *j = record_obj(m, mt, r, digits);
	size_t i;

	for (i = 0; i < mig_announce_count(mt); i++) {
		const struct mig_announce *a = mig_announce_get(mt, i);

		if (a->migration == r->id)
			json_object_array_add(report_get(j, a->ev.how == ANN_GARP ? "switchover.garp_times" :
							 "switchover.rarp_times"), report_jtime(a->ev.ts, digits));
	}
	for (i = 0; i < mig_episode_count(mt); i++) {
		const struct mig_episode *e = mig_episode_get(mt, i);

		if (e->migration == r->id && e->kind == MIG_EP_LOSS)
			json_object_array_add(report_get(j, "episodes"), episode_obj(e, digits));
	}
	return j;
}

/*
 * The records are a lazy array (report_at makes one when a writer reaches
 * it); each record's announces and episodes are found through an index by
 * the record's place (mig_record_pos), built once: order[first[pos - 1] .. first[pos] - 1].
 */
struct recs_ctx {
	const struct meter *m;
	int digits;
	size_t *ann_first, *ann_order, *ep_first, *ep_order;
};

static void recs_free(void *ctx)
{
	struct recs_ctx *c = ctx;

	free(c->ann_first);
	free(c->ann_order);
	free(c->ep_first);
	free(c->ep_order);
	free(c);
}

/* Counting sort of n items by their record's place (1..nrec, mig_record_pos; 0 and others left out). */
static int index_by_id(size_t nrec, size_t n, unsigned (*id_of)(const struct mig_table *, size_t),
		       const struct mig_table *mt, size_t **first, size_t **order)
{
	size_t i, *f = calloc(nrec + 2, sizeof(*f)), *o = calloc(n ? n : 1, sizeof(*o));

	if (!f || !o) {
		free(f);
		free(o);
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned id = id_of(mt, i);

		if (id >= 1 && id <= nrec)
			f[id + 1]++;
	}
	for (i = 1; i < nrec + 2; i++)
		f[i] += f[i - 1];
	for (i = 0; i < n; i++) {
		unsigned id = id_of(mt, i);

		if (id >= 1 && id <= nrec)
			o[f[id]++] = i;
	}
	/* f[id] now ends id's run; shift back so f[id - 1] .. f[id] is migration id's. */
	for (i = nrec + 1; i > 0; i--)
		f[i] = f[i - 1];
	f[0] = 0;
	*first = f;
	*order = o;
	return 0;
}

static unsigned ann_id(const struct mig_table *mt, size_t i)
{
	return mig_record_pos(mt, mig_announce_get(mt, i)->migration);
}

/* The loss episodes of a record ("episodes"; its unresponsive ones are in "unresponsive"). */
static unsigned ep_id(const struct mig_table *mt, size_t i)
{
	const struct mig_episode *e = mig_episode_get(mt, i);

	return e->kind == MIG_EP_UNRESP ? 0 : mig_record_pos(mt, e->migration);
}

static json_object *make_record(void *ctx, size_t i)
{
	const struct recs_ctx *c = ctx;
	const struct mig_table *mt = c->m->migs;
	const struct mig_record *r = mig_get(mt, i);
	json_object *j;
	unsigned pos;
	size_t k;

	if (!r)
		return NULL;
	j = record_obj(c->m, mt, r, c->digits);
	pos = mig_record_pos(mt, r->id);
	if (!j || !pos)
		return j;
	for (k = c->ann_first[pos]; k < c->ann_first[pos + 1]; k++) {
		const struct mig_announce *a = mig_announce_get(mt, c->ann_order[k]);

		json_object_array_add(report_get(j, a->ev.how == ANN_GARP ? "switchover.garp_times" :
						 "switchover.rarp_times"), report_jtime(a->ev.ts, c->digits));
	}
	for (k = c->ep_first[pos]; k < c->ep_first[pos + 1]; k++)
		json_object_array_add(report_get(j, "episodes"),
				      episode_obj(mig_episode_get(mt, c->ep_order[k]), c->digits));
	return j;
}

static json_object *records_arr(const struct meter *m, int digits)
{
	struct recs_ctx *c = calloc(1, sizeof(*c));
	size_t n = mig_count(m->migs);

	if (!c)
		return NULL;
	c->m = m;
	c->digits = digits;
	if (index_by_id(n, mig_announce_count(m->migs), ann_id, m->migs, &c->ann_first, &c->ann_order) < 0 ||
	    index_by_id(n, mig_episode_count(m->migs), ep_id, m->migs, &c->ep_first, &c->ep_order) < 0) {
		recs_free(c);
		return NULL;
	}
	return report_lazy_array(n, make_record, c, recs_free);
}

void report_add_migrations(json_object *r, const struct meter *m, int digits)
{
	json_object *out = json_object_new_array();
	json_object *an = json_object_new_object(), *gr = json_object_new_object();
	json_object *out_un = json_object_new_array();
	struct ann_stats as;
	struct mig_stats ms;
	size_t i;

	for (i = 0; i < mig_episode_count(m->migs); i++) {
		const struct mig_episode *e = mig_episode_get(m->migs, i);

		int rec = mig_record_pos(m->migs, e->migration) != 0;

		/* those of a record are in it (made as a writer reaches it) */
		if (rec)
			continue;
		if (e->kind == MIG_EP_UNRESP)
			json_object_array_add(out_un, report_unresp_episode(e, digits));
		else
			json_object_array_add(out, episode_obj(e, digits));
	}
	put(r, "migrations", records_arr(m, digits));
	put(r, "episodes_outside_migrations", out);
	put(r, "unresponsive_outside_migrations", out_un);
	ann_get_stats(m->announce, &as);
	put_u64(an, "rarp", as.rarp);
	put_u64(an, "garp", as.garp);
	put_u64(an, "damaged", as.damaged);
	put_u64(an, "not_kept", as.not_kept);
	put_u64(an, "macs_not_followed", as.macs_not_followed);
	put(r, "announces", an);
	mig_get_stats(m->migs, &ms);
	put_u64(gr, "flows_not_held", ms.flows_not_held);
	put_u64(gr, "announces_not_held", ms.announces_not_held);
	put_u64(gr, "episodes_not_held", ms.episodes_not_held);
	put_u64(gr, "records_not_held", ms.records_not_held);
	put(r, "grouping", gr);
	if (m->kept.on) {
		/* a capture writing --records: the oldest let go (README "Running for days") */
		json_object *kp = json_object_new_object();

		put(kp, "active", json_object_new_boolean(1));
		put_u64(kp, "records_kept", METER_KEEP_RECORDS);
		put_u64(kp, "records_not_listed", m->kept.records_not_listed);
		put_u64(kp, "flows_not_listed", m->kept.flows_not_listed);
		put_u64(kp, "announces_not_listed", m->kept.announces_not_listed);
		put_u64(kp, "episodes_not_listed", m->kept.episodes_not_listed);
		put_u64(kp, "bins_let_go", m->kept.bins_let_go);
		put(r, "retention", kp);
	}
}

void report_flow_migration(json_object *j, const struct meter *m, size_t flow)
{
	unsigned id = mig_of_flow(m->migs, flow, NULL);
	struct flow_info fi;

	if (flow_get(m->flows, flow, &fi) < 0)
		return;
	put_str(j, "kind_unreadable", kind_unreadable_name(fi.unreadable));
	put_uuid(j, "uuid", fi.has_uuid, fi.uuid);
	put(j, "channel", fi.has_uuid ? json_object_new_int(fi.channel) : NULL);
	/* Four members: a fifth would grow every flow's json-c table to 64 entries. */
	put(j, "migration", id ? json_object_new_uint64(id) : NULL);
}
