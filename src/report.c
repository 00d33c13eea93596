/* report.c - turn the accounting results into the report tree (schema migmeter-report/2). */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-report.h"
#include "kind.h"
#include "report-migration.h"
#include "report-unresp.h"

/* A time or duration as a JSON number with exactly `digits` decimals; null when unknown. */
json_object *report_jtime(mm_ns t, int digits)
{
	char buf[48];

	if (t == MM_NS_NONE)
		return NULL;
	mm_fmt_seconds(buf, sizeof(buf), t, digits);
	return json_object_new_double_s((double)t / (double)MM_NS_PER_S, buf);
}

/* An absolute time as ISO 8601 UTC; null when unknown. */
json_object *report_jutc(mm_ns t, int digits)
{
	char buf[64];

	if (t == MM_NS_NONE)
		return NULL;
	mm_fmt_iso(buf, sizeof(buf), t, digits);
	return json_object_new_string(buf);
}

static json_object *jdouble(double v, int decimals)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
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

static void put_bool(json_object *o, const char *k, int v)
{
	put(o, k, json_object_new_boolean(v ? 1 : 0));
}

static void put_str(json_object *o, const char *k, const char *v)
{
	put(o, k, v ? json_object_new_string(v) : NULL);
}

static void put_addr(json_object *o, const char *k, const struct dec_addr *a)
{
	char buf[64];

	put_str(o, k, dec_addr_str(a, buf, sizeof(buf)));
}

static json_object *dir_obj(const struct flow_dir *d, int digits)
{
	json_object *o = json_object_new_object();

	put_u64(o, "packets", d->packets);
	put_u64(o, "wire_bytes", d->wire_bytes);
	put_u64(o, "ip_bytes", d->ip_bytes);
	put_u64(o, "payload_bytes", d->payload_bytes);
	put_u64(o, "unique_payload_bytes", d->unique_payload_bytes);
	put_u64(o, "retrans_bytes", d->retrans_bytes);
	put(o, "first_ts", report_jtime(d->first_ts, digits));
	put(o, "last_ts", report_jtime(d->last_ts, digits));
	put_bool(o, "syn", d->syn);
	put_bool(o, "fin", d->fin);
	put_bool(o, "rst", d->rst);
	return o;
}

json_object *report_link_counters(const struct netif_counters *c)
{
	json_object *j = json_object_new_object();

	put_u64(j, "rx_bytes", c->rx_bytes);
	put_u64(j, "rx_packets", c->rx_packets);
	put_u64(j, "rx_dropped", c->rx_dropped);
	put_u64(j, "tx_bytes", c->tx_bytes);
	put_u64(j, "tx_packets", c->tx_packets);
	put_u64(j, "tx_dropped", c->tx_dropped);
	return j;
}

/* A live capture: the kernel's counts and the link counters beside what was captured. */
static void live_input(json_object *j, const struct source_input *in)
{
	json_object *k = json_object_new_object();

	put_str(j, "interface", in->path);
	put_str(j, "role", in->role);
	put_str(j, "format", "live");
	put_str(j, "link_type", in->dlt_name);
	put_str(j, "precision", in->digits >= 9 ? "ns" : "us");
	put_u64(j, "snaplen", (uint64_t)in->snaplen);
	put_u64(j, "filter_lines_left_out", (uint64_t)in->filter_left_out);
	put_u64(j, "frames", in->frames);
	put_u64(j, "matched", in->matched);
	put_u64(j, "wire_bytes", in->wire_bytes);
	put_u64(k, "received", in->k_received);
	put_u64(k, "dropped", in->k_dropped);
	put_u64(k, "ifdropped", in->k_ifdropped);
	put(j, "kernel", k);
	if (in->have_link) {
		json_object *l = json_object_new_object();
		struct netif_counters d = in->link_stop;

		d.rx_bytes -= in->link_start.rx_bytes;
		d.rx_packets -= in->link_start.rx_packets;
		d.rx_dropped -= in->link_start.rx_dropped;
		d.tx_bytes -= in->link_start.tx_bytes;
		d.tx_packets -= in->link_start.tx_packets;
		d.tx_dropped -= in->link_start.tx_dropped;
		put(l, "start", report_link_counters(&in->link_start));
		put(l, "stop", report_link_counters(&in->link_stop));
		put(l, "delta", report_link_counters(&d));
		put(j, "link_counters", l);
	} else {
		put(j, "link_counters", NULL);
	}
	put_bool(j, "complete", !in->failed);
	put_str(j, "error", in->failed ? in->err : NULL);
}

/* A file's interfaces: one for pcap, one per interface description for pcapng. */
static json_object *ifaces_arr(const struct source_input *in)
{
	json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < in->nifaces; i++) {
		const struct source_iface *f = &in->ifaces[i];
		json_object *j = json_object_new_object();
		char lt[32];

		/* A link type libpcap has no name for still says which it is. */
		snprintf(lt, sizeof(lt), "LINKTYPE_%d", f->dlt);
		put_u64(j, "id", i);
		put_str(j, "name", f->name[0] ? f->name : NULL);
		put_str(j, "link_type", f->dlt_name && strcmp(f->dlt_name, "?") != 0 ? f->dlt_name : lt);
		put_bool(j, "supported", f->supported);
		put_u64(j, "snaplen", f->snaplen);
		put_str(j, "precision", f->digits >= 9 ? "ns" : f->digits >= 6 ? "us" : "ms");
		put_u64(j, "frames", f->frames);
		json_object_array_add(arr, j);
	}
	return arr;
}

static json_object *inputs_arr(const struct report_opts *o)
{
	json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < o->ninputs; i++) {
		const struct source_input *in = &o->inputs[i];
		json_object *j = json_object_new_object();

		if (in->live) {
			live_input(j, in);
			json_object_array_add(arr, j);
			continue;
		}
		put_str(j, "file", in->path);
		put_str(j, "format", in->format_pcapng ? "pcapng" : "pcap");
		put_str(j, "link_type", in->dlt_name);
		put_str(j, "precision", in->digits >= 9 ? "ns" : in->digits >= 6 ? "us" : "ms");
		put_u64(j, "frames", in->frames);
		put_u64(j, "matched", in->matched);
		put_u64(j, "bad_timestamps", in->bad_time);
		put_u64(j, "unsupported_link_frames", in->unsupported);
		put_u64(j, "capture", in->capture);
		put_u64(j, "part", in->part);
		put_u64(j, "parts", in->parts);
		put_bool(j, "stream", in->pipe);
		put(j, "interfaces", ifaces_arr(in));
		put_bool(j, "complete", !in->failed);
		put_str(j, "error", in->failed ? in->err : NULL);
		json_object_array_add(arr, j);
	}
	return arr;
}

static json_object *capture_obj(const struct meter *m, const struct report_opts *o)
{
	json_object *c = json_object_new_object(), *d = json_object_new_object();
	int s;

	put_u64(c, "frames", m->frames);
	put_u64(c, "filtered_out", o->filtered_out);
	put(c, "first_ts", report_jtime(m->first_ts, o->digits));
	put(c, "last_ts", report_jtime(m->last_ts, o->digits));
	for (s = 0; s < DEC_STATUS_COUNT; s++)
		put_u64(d, dec_status_name((enum dec_status)s), m->decode[s]);
	put(c, "decode", d);
	put_u64(c, "migration_frames", m->mig_frames);
	put_u64(c, "migration_not_tcp", m->non_tcp_mig);
	put_u64(c, "echo_frames", m->echo_frames);
	put_u64(c, "flows_dropped", flow_dropped(m->flows));
	put_u64(c, "flows_not_fitted", flow_not_fitted(m->flows));
	put_u64(c, "flows_not_migration", flow_not_migration(m->flows));
	put_u64(c, "echo_dropped", echo_dropped(m->echo));
	put_u64(c, "bins_dropped", series_dropped(m->series));
	return c;
}

static json_object *migration_obj(const struct meter *m, const struct report_opts *o)
{
	json_object *j = json_object_new_object();
	struct flow_totals t;
	mm_ns dur;
	double secs;

	flow_get_totals(m->flows, &t);
	dur = (t.start != MM_NS_NONE) ? mm_sub(t.end, t.start) : MM_NS_NONE;
	secs = dur != MM_NS_NONE ? (double)dur / (double)MM_NS_PER_S : 0.0;
	put_str(j, "ports", o->ports);
	put_u64(j, "flows", t.flows);
	put_u64(j, "collisions", t.collisions);
	put(j, "start", report_jtime(t.start, o->digits));
	put(j, "end", report_jtime(t.end, o->digits));
	put(j, "start_utc", report_jutc(t.start, o->digits));
	put(j, "end_utc", report_jutc(t.end, o->digits));
	put(j, "duration_s", report_jtime(dur, o->digits));
	put_u64(j, "packets", t.packets);
	put_u64(j, "wire_bytes", t.wire_bytes);
	put_u64(j, "unique_payload_bytes", t.unique_payload_bytes);
	put(j, "forward", dir_obj(&t.fwd, o->digits));
	put(j, "reverse", dir_obj(&t.rev, o->digits));
	put(j, "mean_throughput_bps",
	    secs > 0 ? jdouble((double)t.unique_payload_bytes * 8.0 / secs, 0) : NULL);
	{
		/* The busiest bin of the time series, as the user recomputes it from --timeseries. */
		double peak = series_peak_bps(m->series);

		put(j, "peak_throughput_bps", t.flows > 0 && peak >= 0 ? jdouble(peak, 0) : NULL);
	}
	put(j, "bin_s", report_jtime(series_bin_width(m->series), o->digits));
	return j;
}

/* What a flow's object is made from (flows are a lazy array). */
struct flows_ctx {
	const struct meter *m;
	struct report_opts o;
};

static json_object *flow_obj(void *ctx, size_t i)
{
	const struct flows_ctx *c = ctx;
	const struct meter *m = c->m;
	const struct report_opts *o = &c->o;
	json_object *j = json_object_new_object();
	struct flow_info fi;

	if (!j || flow_get(m->flows, i, &fi) < 0)
		return j;
	put_u64(j, "id", fi.id);
	put_str(j, "class", fi.cls == FLOW_MIGRATION ? "migration" : "collision");
	put_str(j, "kind", kind_name(fi.kind));
	put_addr(j, "client", &fi.client);
	put_u64(j, "client_port", fi.client_port);
	put_addr(j, "server", &fi.server);
	put_u64(j, "server_port", fi.server_port);
	put_bool(j, "direction_inferred", fi.direction_inferred);
	put_bool(j, "counted", fi.cls == FLOW_MIGRATION && !fi.secondary);
	{
		const struct meter_view *vw = meter_view(m, fi.src);
		const struct source_input *in = vw && vw->src < o->ninputs ? &o->inputs[vw->src] : NULL;

		put_str(j, "capture", in ? in->path : NULL);
		/* The input's interface it was seen on (a file's inputs[].interfaces; a live capture has one). */
		put(j, "interface", in ? json_object_new_uint64(vw->ifid) : NULL);
		put(j, "ifindex", vw && vw->ifindex ? json_object_new_uint64(vw->ifindex) : NULL);
	}
	put_bool(j, "unique_approx", fi.unique_approx);
	put(j, "first_ts", report_jtime(fi.first_ts, o->digits));
	put(j, "last_ts", report_jtime(fi.last_ts, o->digits));
	put(j, "duration_s", report_jtime(mm_sub(fi.last_ts, fi.first_ts), o->digits));
	put(j, "forward", dir_obj(&fi.fwd, o->digits));
	put(j, "reverse", dir_obj(&fi.rev, o->digits));
	report_flow_migration(j, m, i);
	return j;
}

/* Every flow, made as a writer reaches it (the report's inputs and meter outlive the tree). */
static json_object *flows_arr(const struct meter *m, const struct report_opts *o)
{
	struct flows_ctx *c = malloc(sizeof(*c));

	if (!c)
		return NULL;
	c->m = m;
	c->o = *o;
	return report_lazy_array(flow_count(m->flows), flow_obj, c, free);
}

static json_object *episode_obj(const struct episode *e, int digits)
{
	json_object *j = json_object_new_object();

	put(j, "first_lost_ts", report_jtime(e->first_lost_ts, digits));
	put(j, "last_lost_ts", report_jtime(e->last_lost_ts, digits));
	put_u64(j, "first_seq", e->first_seq);
	put_u64(j, "last_seq", e->last_seq);
	put_u64(j, "lost", e->lost);
	put(j, "estimate_s", report_jtime(e->estimate, digits));
	put(j, "lower_s", report_jtime(e->lower, digits));
	put(j, "upper_s", report_jtime(e->upper, digits));
	put_bool(j, "began_in_capture", e->began_in_capture);
	put_bool(j, "ended_in_capture", e->ended_in_capture);
	put_bool(j, "inferred", e->inferred);
	put_bool(j, "by_interval", e->by_interval);
	return j;
}

/* Sums over the streams the total covers. */
struct dt_sum {
	uint64_t streams, requests, replies, lost, pending, duplicates, late, episodes, steps_back;
	uint64_t measured;		/* streams that can tell downtime (answered at least once) */
	mm_ns total, longest, lost_x_interval, duration_x_loss;
	int any_interval;
	mm_ns nominal;			/* --ping-interval, or MM_NS_NONE */
	uint64_t unresp_measured, unresp_episodes;	/* streams with a threshold; their episodes */
	mm_ns unresp_total, unresp_longest;
};

/* A stream's episodes, made as a writer reaches them (up to 4096 listed; each a dozen json-c objects). */
static json_object *make_episode(const void *s, size_t i, int digits)
{
	return episode_obj(&((const struct echo_stream_info *)s)->episodes[i], digits);
}

static json_object *lost_x_nominal(uint64_t lost, mm_ns nominal, int digits)
{
	return nominal == MM_NS_NONE ? NULL : report_jtime(mm_mul(lost, nominal), digits);
}

/*
 * Why the total has no downtime figures (null, never a silent 0), or
 * NULL when it has them: no echo traffic, none to --ping-target, or
 * streams whose requests were never answered.
 */
static const char *no_figures(const struct dt_sum *s, const char *target, char *buf, size_t n)
{
	if (s->measured > 0)
		return NULL;
	if (s->streams > 0)
		snprintf(buf, n, "no echo stream%s was ever answered", target ? " to the target" : "");
	else if (target)
		snprintf(buf, n, "no echo stream to %s in the capture", target);
	else
		snprintf(buf, n, "no echo traffic in the capture");
	return buf;
}

static void put_totals(json_object *j, const struct dt_sum *s, const char *target, int digits)
{
	char why[160];
	const char *reason = no_figures(s, target, why, sizeof(why));

	put_u64(j, "streams", s->streams);
	put_u64(j, "requests", s->requests);
	put_u64(j, "replies", s->replies);
	put_u64(j, "lost", s->lost);
	put_u64(j, "pending", s->pending);
	put_u64(j, "duplicates", s->duplicates);
	put_u64(j, "late", s->late);
	put_u64(j, "episodes", s->episodes);
	put_u64(j, "clock_steps_back", s->steps_back);
	put(j, "downtime_total_s", reason ? NULL : report_jtime(s->total, digits));
	put(j, "downtime_longest_s", reason ? NULL : report_jtime(s->longest, digits));
	put(j, "lost_x_interval_s", !reason && s->any_interval ? report_jtime(s->lost_x_interval, digits) : NULL);
	put(j, "duration_x_loss_s", reason ? NULL : report_jtime(s->duration_x_loss, digits));
	put(j, "lost_x_nominal_interval_s", reason ? NULL : lost_x_nominal(s->lost, s->nominal, digits));
	put_str(j, "reason", reason);
	put_u64(j, "unresponsive_episodes", s->unresp_episodes);
	put(j, "unresponsive_total_s", s->unresp_measured ? report_jtime(s->unresp_total, digits) : NULL);
	put(j, "unresponsive_longest_s", s->unresp_measured ? report_jtime(s->unresp_longest, digits) : NULL);
}

static json_object *downtime_obj(const struct meter *m, const struct report_opts *o)
{
	json_object *j = json_object_new_object(), *arr = json_object_new_array(), *tot;
	struct dt_sum sum;
	size_t i;

	memset(&sum, 0, sizeof(sum));
	sum.nominal = o->nominal_interval;
	put_str(j, "target", o->ping_target);
	put(j, "nominal_interval_s", report_jtime(o->nominal_interval, o->digits));
	for (i = 0; i < echo_stream_count(m->echo); i++) {
		const struct echo_stream_info *s = echo_stream(m->echo, i);
		json_object *js = json_object_new_object();
		char tbuf[64];
		int told = !s->never_answered;	/* a stream never answered tells no downtime */

		put_u64(js, "stream", i + 1);
		put_addr(js, "pinger", &s->pinger);
		put_addr(js, "target", &s->target);
		put_u64(js, "id", s->id);
		put_u64(js, "requests", s->requests);
		put_u64(js, "replies", s->replies);
		put_u64(js, "lost", s->lost);
		put_u64(js, "pending", s->pending);
		put_u64(js, "duplicates", s->duplicates);
		put_u64(js, "late", s->late);
		put_bool(js, "replies_only", s->replies_only);
		put_bool(js, "never_answered", s->never_answered);
		put(js, "follows_stream", s->follows ? json_object_new_uint64(s->follows) : NULL);
		put(js, "first_ts", report_jtime(s->first_ts, o->digits));
		put(js, "last_ts", report_jtime(s->last_ts, o->digits));
		put(js, "interval_s", report_jtime(s->interval, o->digits));
		put(js, "rtt_median_s", report_jtime(s->rtt_median, o->digits));
		put_u64(js, "n_episodes", s->n_episodes);
		put_u64(js, "unlisted_episodes", s->episodes_not_listed);
		put(js, "downtime_total_s", told ? report_jtime(s->downtime_total, o->digits) : NULL);
		put(js, "downtime_longest_s", told ? report_jtime(s->downtime_longest, o->digits) : NULL);
		put(js, "lost_x_interval_s", told && s->interval != MM_NS_NONE ?
		    report_jtime(s->lost_x_interval, o->digits) : NULL);
		put(js, "duration_x_loss_s", told ? report_jtime(s->duration_x_loss, o->digits) : NULL);
		put(js, "lost_x_nominal_interval_s",
		    told ? lost_x_nominal(s->lost, o->nominal_interval, o->digits) : NULL);
		put_u64(js, "clock_steps_back", s->clock_steps_back);
		report_stream_unresp(js, s, o->digits);
		put(js, "episodes", report_lazy_list(s, s->n_episodes, o->digits, make_episode));
		json_object_array_add(arr, js);

		dec_addr_str(&s->target, tbuf, sizeof(tbuf));
		if (o->ping_target && strcmp(o->ping_target, tbuf) != 0)
			continue;
		sum.streams++;
		sum.requests += s->requests;
		sum.replies += s->replies;
		sum.lost += s->lost;
		sum.pending += s->pending;
		sum.duplicates += s->duplicates;
		sum.late += s->late;
		sum.episodes += s->n_episodes + s->episodes_not_listed;
		sum.steps_back += s->clock_steps_back;
		if (!told)
			continue;
		sum.measured++;
		sum.total = mm_add(sum.total, s->downtime_total);
		if (s->downtime_longest > sum.longest)
			sum.longest = s->downtime_longest;
		if (s->interval != MM_NS_NONE) {
			sum.lost_x_interval = mm_add(sum.lost_x_interval, s->lost_x_interval);
			sum.any_interval = 1;
		}
		sum.duration_x_loss = mm_add(sum.duration_x_loss, s->duration_x_loss);
		if (s->unresp_threshold != MM_NS_NONE) {
			sum.unresp_measured++;
			sum.unresp_episodes += s->n_unresp + s->unresp_not_listed;
			sum.unresp_total = mm_add(sum.unresp_total, s->unresp_total);
			if (s->unresp_longest > sum.unresp_longest)
				sum.unresp_longest = s->unresp_longest;
		}
	}
	tot = json_object_new_object();
	put_totals(tot, &sum, o->ping_target, o->digits);
	put(j, "total", tot);
	put(j, "streams", arr);
	return j;
}

json_object *report_build(const struct meter *m, const struct report_opts *o)
{
	json_object *r = json_object_new_object(), *tool;
	size_t i;
	int complete = 1, live = 0;
	uint64_t drops = 0;

	if (!r)
		return NULL;
	for (i = 0; i < o->ninputs; i++) {
		if (o->inputs[i].failed)
			complete = 0;
		live |= o->inputs[i].live;
		drops += o->inputs[i].k_dropped + o->inputs[i].k_ifdropped;
	}
	put_str(r, "schema", REPORT_SCHEMA);
	tool = json_object_new_object();
	put_str(tool, "name", "migmeter");
	put_str(tool, "version", MM_VERSION);
	put(r, "tool", tool);
	put_bool(r, "complete", complete);
	if (live) {
		/* Frames the kernel or the interface dropped were never counted. */
		put_u64(r, "dropped_frames", drops);
		put_bool(r, "counts_are_lower_bounds", drops > 0);
	}
	put_str(r, "timestamp_precision", o->digits >= 9 ? "ns" : "us");
	put(r, "inputs", inputs_arr(o));
	put(r, "capture", capture_obj(m, o));
	put(r, "migration", migration_obj(m, o));
	put(r, "flows", flows_arr(m, o));
	put(r, "downtime", downtime_obj(m, o));
	report_add_migrations(r, m, o->digits);
	put(r, "app", app_report_totals(m, o->digits));
	return r;
}

json_object *report_get(json_object *o, const char *path)
{
	char key[128];
	const char *p = path;

	while (o && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		json_object *next = NULL;

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(o, key, &next))
			return NULL;
		o = next;
		p += n + (dot ? 1 : 0);
	}
	return o;
}

const char *report_str(json_object *o, const char *path, const char *fallback)
{
	json_object *v = report_get(o, path);

	return v ? json_object_get_string(v) : fallback;
}

double report_num(json_object *o, const char *path)
{
	json_object *v = report_get(o, path);

	return v ? json_object_get_double(v) : 0.0;
}

uint64_t report_u64(json_object *o, const char *path)
{
	json_object *v = report_get(o, path);

	return v ? json_object_get_uint64(v) : 0;
}

int report_bool(json_object *o, const char *path)
{
	json_object *v = report_get(o, path);

	return v ? json_object_get_boolean(v) : 0;
}
