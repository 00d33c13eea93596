/* view-diff.c - why the views of one migration differ from the wire's: each figure beside the wire's, explained in words. */
#include "view-set.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

static int num(json_object *o, const char *path, double *v)
{
	json_object *x = report_get(o, path);

	if (!x || (!json_object_is_type(x, json_type_double) && !json_object_is_type(x, json_type_int)))
		return 0;
	*v = json_object_get_double(x);
	return 1;
}

static void say(json_object *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(json_object *a, const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_array_add(a, json_object_new_string(buf));
}

/* The wire's figures of the migration. */
struct wire {
	double start, end, dur, down, bytes;
	int has_span, has_dur, has_down, has_bytes;
};

static double pct(double a, double b)
{
	return b != 0 ? 100.0 * (a - b) / b : 0;
}

static void nova(json_object *a, json_object *n, const struct wire *w)
{
	double s, e, d, x, y;
	json_object *steps = report_get(n, "downtime_steps"), *pr = report_get(n, "progress");
	size_t ns = steps ? json_object_array_length(steps) : 0, np = pr ? json_object_array_length(pr) : 0;
	const char *st = report_str(n, "status", "?");

	if (num(n, "start", &s) && num(n, "end", &e) && num(n, "duration_s", &d) && w->has_span)
		say(a, "nova-compute.log: %.3f s from its start to 'Migration operation has %s' (the wire: %.3f s). "
		    "nova's start is its monitor's (a progress line's time less its elapsed seconds: %+.3f s from "
		    "the wire's first frame), its end when the monitor, polling every 0.5 s, saw the job end "
		    "(%+.3f s from the last frame); its log times have milliseconds", d,
		    strcmp(st, "completed") == 0 ? "completed" : "aborted", w->dur, s - w->start, e - w->end);
	else if (num(n, "start", &s) && w->has_span)
		say(a, "nova-compute.log: no end line for it (status %s); it starts %+.3f s from the wire's first "
		    "frame", st, s - w->start);
	if (strcmp(st, "completed") != 0 && strcmp(st, "running") != 0)
		say(a, "nova says the migration %s: the wire's record is what the stream showed", st);
	if (ns) {
		json_object *last = json_object_array_get_idx(steps, ns - 1);

		num(last, "downtime_s", &x);
		num(last, "after_s", &y);
		say(a, "nova raised the allowed downtime %zu time%s, last to %.0f ms after %.0f s: a limit QEMU aims "
		    "under, not the downtime the VM had%s", ns, ns == 1 ? "" : "s", x * 1000, y,
		    w->has_down ? "" : " (the wire measured none: no pings?)");
	}
	if (num(n, "paused", &x) && num(n, "resumed", &y))
		say(a, "lifecycle events: VM Paused to VM Resumed %.3f s (events libvirt reports asynchronously; "
		    "the pings measure the outage itself)", y - x);
	else if (num(n, "paused", &x) && w->has_span)
		say(a, "VM Paused (Lifecycle Event) at %+.3f s from the wire's first frame: the switchover as the "
		    "source saw it; VM Resumed is in the destination's log", x - w->start);
	if (np && w->has_bytes) {
		json_object *last = json_object_array_get_idx(pr, np - 1);

		if (num(last, "memory_processed_bytes", &x) && num(last, "elapsed_s", &y))
			say(a, "nova's last progress line (%.0f s in) had %.0f bytes of memory processed, %.0f%% of "
			    "what the wire carried by the end: it samples every few seconds and misses the end", y,
			    x, w->bytes > 0 ? 100.0 * x / w->bytes : 0.0);
	}
}

static void mlist(json_object *a, json_object *l, const struct wire *w)
{
	double s, e, d;

	const char *st = report_str(l, "status", NULL);

	if (st && strcmp(st, "completed") != 0)
		say(a, "nova's migration list says %s: the wire's record is what the stream showed", st);
	if (num(l, "created", &s) && num(l, "updated", &e) && num(l, "span_s", &d) && w->has_span)
		say(a, "nova's migration list: Created At to Updated At %.3f s (the wire: %.3f s): its span includes "
		    "the pre-migration checks (scheduler, check_can_live_migrate_*, pre_live_migration on the "
		    "destination) before the first byte (%.3f s here) and the post-migration clean-up after the "
		    "last (%.3f s); its times are the API's, UTC", d, w->dur, w->start - s, e - w->end);
}

/* What the pings' outage includes that the hypervisor's downtime does not. */
static void downtime(json_object *a, const char *who, double ms, const struct wire *w)
{
	if (w->has_down)
		say(a, "%s downtime %.0f ms runs from the source pausing the VM to the destination being able to "
		    "run it; it excludes the network switchover (the announce, the switches learning the VM's new "
		    "port) that the pings' outage on the wire includes: %.3f s, %+.0f ms", who, ms, w->down,
		    w->down * 1000 - ms);
	else
		say(a, "%s downtime %.0f ms: the wire measured no outage for this migration (no pings, or none "
		    "lost)", who, ms);
}

static void libvirt(json_object *a, json_object *j, const struct wire *w)
{
	double x, y;

	if (num(j, "time_elapsed_s", &x) && w->has_dur)
		say(a, "libvirt's Time elapsed %.3f s (the wire: %.3f s, %+.3f s): the job from libvirt's start, "
		    "its own set-up before QEMU's first byte included", x, w->dur, x - w->dur);
	if (num(j, "downtime_s", &x))
		downtime(a, "libvirt's Total", x * 1000, w);
	if (num(j, "downtime_wo_network_s", &y))
		say(a, "libvirt's Downtime w/o network %.0f ms leaves out even the final state's transfer", y * 1000);
	if (num(j, "data_processed_bytes", &x) && w->has_bytes)
		say(a, "libvirt's Data processed %.0f bytes vs the wire's unique payload %.0f (%+.2f%%): virsh rounds "
		    "to 3 decimals of its unit; the stream also carries QEMU's section headers and device state",
		    x, w->bytes, pct(x, w->bytes));
}

static void qemu(json_object *a, json_object *j, const struct wire *w)
{
	double x, y;

	if (num(j, "time_elapsed_s", &x) && w->has_dur)
		say(a, "QEMU's total-time %.3f s (the wire: %.3f s, %+.3f s): from the migrate command, setup-time "
		    "included, until the source wrote its last byte into the socket; the wire's span runs from the "
		    "first frame to the last, after the socket's buffer drained", x, w->dur, x - w->dur);
	if (num(j, "start", &x) && w->has_span)
		say(a, "QEMU's migration began %+.3f s from the wire's first frame (its MIGRATION setup event)",
		    x - w->start);
	if (num(j, "downtime_s", &x))
		downtime(a, "QEMU's", x * 1000, w);
	if (num(j, "stop_to_resume_s", &y))
		say(a, "QEMU's STOP to RESUME events: %.3f s", y);
	if (num(j, "memory_processed_bytes", &x) && w->has_bytes)
		say(a, "QEMU's ram.transferred %.0f bytes vs the wire's unique payload %.0f (%+.2f%%): the stream also "
		    "carries section headers and the device state", x, w->bytes, pct(x, w->bytes));
}

static void ping(json_object *a, json_object *p, const struct wire *w)
{
	double d, iv, asked, lost, x;
	uint64_t outages = report_u64(p, "outages");
	int has_iv = num(p, "interval_s", &iv), has_asked = num(p, "asked_interval_s", &asked);

	num(p, "lost", &lost);
	if (num(p, "downtime_s", &d)) {
		if (w->has_down)
			say(a, "ping's log: %llu outage%s, %.3f s (the wire: %.3f s, %+.1f ms): the log's times are the "
			    "replies' less their RTT with -D, else sequence numbers times the interval, so the two "
			    "agree within one interval (%.3f s)", (unsigned long long)outages,
			    outages == 1 ? "" : "s", d, w->down, (d - w->down) * 1000, has_iv ? iv : 0);
		else
			say(a, "ping's log: %llu outage%s, %.3f s; the wire saw none (its capture had no pings?)",
			    (unsigned long long)outages, outages == 1 ? "" : "s", d);
	}
	if (outages > 1)
		say(a, "%llu outages in this migration: lost x interval adds them into one figure",
		    (unsigned long long)outages);
	if (has_asked && num(p, "lost_x_asked_interval_s", &x)) {
		if (has_iv && fabs(iv - asked) * 20 > asked)
			say(a, "the hand method assumed the asked %.3f s: lost x %.3f s = %.3f s, but ping sent every "
			    "%.6f s (lost x that: %.3f s)", asked, asked, x, iv, lost * iv);
		else
			say(a, "the hand method (lost x the asked %.3f s) gives %.3f s", asked, x);
	}
}

void view_differences(json_object *views, int digits)
{
	json_object *a = json_object_new_array(), *wo = report_get(views, "wire"), *v;
	struct wire w;

	(void)digits;
	memset(&w, 0, sizeof(w));
	w.has_span = num(wo, "start", &w.start) && num(wo, "end", &w.end);
	w.has_dur = num(wo, "duration_s", &w.dur);
	w.has_down = num(wo, "downtime_total_s", &w.down);
	w.has_bytes = num(wo, "unique_payload_bytes", &w.bytes);
	v = report_get(views, "nova");
	if (v)
		nova(a, v, &w);
	v = report_get(views, "migration_list");
	if (v)
		mlist(a, v, &w);
	v = report_get(views, "libvirt");
	if (v)
		libvirt(a, v, &w);
	v = report_get(views, "qemu");
	if (v)
		qemu(a, v, &w);
	v = report_get(views, "ping");
	if (v)
		ping(a, v, &w);
	json_object_object_add(views, "differences", a);
}
