/* report-unresp.c - unresponsive time in the report tree: per echo stream and per migration. */
#include "report-unresp.h"

#include <string.h>

#include "report.h"

static void put(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

static void put_u64(json_object *o, const char *k, uint64_t v)
{
	put(o, k, json_object_new_uint64(v));
}

static void put_addr(json_object *o, const char *k, const struct dec_addr *a)
{
	char buf[64];

	put(o, k, a->family ? json_object_new_string(dec_addr_str(a, buf, sizeof(buf))) : NULL);
}

const char *report_unresp_rule(int fixed)
{
	return fixed ? "--late-threshold" : "max(10 x rtt_median, interval)";
}

/* The figures every listing of an episode has. */
static void common(json_object *j, const struct unresp_episode *e, int digits)
{
	put(j, "start", report_jtime(e->start, digits));
	put(j, "end", report_jtime(e->end, digits));
	put(j, "gap_s", report_jtime(e->gap, digits));
	put(j, "lower_s", report_jtime(e->lower, digits));
	put(j, "upper_s", report_jtime(e->upper, digits));
	put_u64(j, "late", e->late);
	put_u64(j, "lost", e->lost);
	put(j, "worst_rtt_s", report_jtime(e->worst_rtt, digits));
	put(j, "ended_in_capture", json_object_new_boolean(e->ended_in_capture));
}

static json_object *stream_episode(const struct unresp_episode *e, int digits)
{
	json_object *j = json_object_new_object();

	put_u64(j, "first_seq", e->first);
	put_u64(j, "last_seq", e->last);
	put(j, "first_request_ts", report_jtime(e->first_req, digits));
	put(j, "last_request_ts", report_jtime(e->last_req, digits));
	common(j, e, digits);
	put(j, "began_in_capture", json_object_new_boolean(e->began_in_capture));
	return j;
}

/* A stream's unresponsive episodes, made as a writer reaches them. */
static json_object *make_un(const void *s, size_t i, int digits)
{
	return stream_episode(&((const struct echo_stream_info *)s)->unresp[i], digits);
}

void report_stream_unresp(json_object *js, const struct echo_stream_info *s, int digits)
{
	int told = s->unresp_threshold != MM_NS_NONE;

	put(js, "unresponsive_threshold_s", report_jtime(s->unresp_threshold, digits));
	put(js, "unresponsive_threshold_rule", told ? json_object_new_string(report_unresp_rule(s->unresp_fixed))
						    : NULL);
	put(js, "unresponsive_total_s", told ? report_jtime(s->unresp_total, digits) : NULL);
	put(js, "unresponsive_longest_s", told ? report_jtime(s->unresp_longest, digits) : NULL);
	put(js, "unresponsive_worst_rtt_s", report_jtime(s->unresp_worst_rtt, digits));
	put_u64(js, "n_unresponsive_episodes", s->n_unresp);
	put_u64(js, "unlisted_unresponsive_episodes", s->unresp_not_listed);
	put(js, "unresponsive_episodes", report_lazy_list(s, s->n_unresp, digits, make_un));
}

json_object *report_unresp_episode(const struct mig_episode *e, int digits)
{
	json_object *j = json_object_new_object();

	put_u64(j, "stream", e->stream + 1);
	put_addr(j, "target", &e->target);
	common(j, &e->un, digits);
	return j;
}

json_object *report_unresp_record(const struct meter *m, const struct mig_table *mt, const struct mig_record *r,
				  int digits)
{
	json_object *j = json_object_new_object(), *arr = json_object_new_array();
	mm_ns thr = MM_NS_NONE;
	int fixed = 0;
	size_t i;

	for (i = 0; i < mig_episode_count(mt); i++) {
		const struct mig_episode *e = mig_episode_get(mt, i);
		const struct echo_stream_info *s;

		if (e->migration != r->id || e->kind != MIG_EP_UNRESP)
			continue;
		json_object_array_add(arr, report_unresp_episode(e, digits));
		if (thr == MM_NS_NONE || e->un.threshold > thr)
			thr = e->un.threshold;
		s = echo_stream(m->echo, e->stream);
		fixed |= s && s->unresp_fixed;
	}
	/* none: the streams to its VM tell the threshold they measured nothing above */
	for (i = 0; !r->unresp_episodes && r->vm_ip.family && i < echo_stream_count(m->echo); i++) {
		const struct echo_stream_info *s = echo_stream(m->echo, i);

		if (s->unresp_threshold == MM_NS_NONE || dec_addr_cmp(&s->target, &r->vm_ip) != 0)
			continue;
		if (thr == MM_NS_NONE || s->unresp_threshold > thr)
			thr = s->unresp_threshold;
		fixed |= s->unresp_fixed;
	}
	put(j, "threshold_s", report_jtime(thr, digits));
	put(j, "threshold_rule", thr != MM_NS_NONE ? json_object_new_string(report_unresp_rule(fixed)) : NULL);
	put(j, "total_s", thr != MM_NS_NONE ? report_jtime(r->unresp_total, digits) : NULL);
	put(j, "worst_rtt_s", report_jtime(r->unresp_worst_rtt, digits));
	put(j, "episodes", arr);
	return j;
}
