/* capture.c - the capture command: both live captures polled into one meter, then the report. */
#include "capture.h"
#include "capture-int.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "caprec.h"
#include "capture-prom.h"
#include "cli.h"
#include "dump.h"
#include "live.h"
#include "meter.h"
#include "meter-keep.h"
#include "netif.h"
#include "nodeinfo.h"
#include "out.h"
#include "outpath.h"
#include "privsep.h"
#include "report.h"
#include "source.h"
#include "tsmerge.h"

/* Set by SIGINT/SIGTERM: stop capturing, still write everything. */
volatile sig_atomic_t capture_stop;

/* Set by SIGHUP: reopen the outputs (logrotate); see capture_reopen. */
volatile sig_atomic_t capture_hup;

static void on_signal(int sig)
{
	(void)sig;
	capture_stop = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	capture_hup = 1;
}

/* How long a TPACKET_V3 block may wait for more frames before the kernel hands it over. */
#define CAPTURE_BLOCK_MS 100
/*
 * How far behind the clock the two captures are merged: a frame reaches
 * us at most one block timeout after it was taken, plus a poll round.
 */
#define CAPTURE_MERGE_LAG_NS ((2 * CAPTURE_BLOCK_MS + 100) * 1000000LL)
/* Bytes each capture may have waiting for the other before order gives way to memory. */
#define CAPTURE_MERGE_BYTES ((size_t)32 << 20)
/* How often the progress line is redrawn. */
#define CAPTURE_PROGRESS_NS (MM_NS_PER_S / 2)
/* How often completed migrations are looked for (--records, -c). */
#define CAPTURE_RECORDS_NS (MM_NS_PER_S / 2)


static mm_ns mono_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (mm_ns)t.tv_sec * MM_NS_PER_S + t.tv_nsec;
}

static mm_ns real_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (mm_ns)t.tv_sec * MM_NS_PER_S + t.tv_nsec;
}

/*
 * One frame, in timestamp order over both captures: saved (-w) first, then
 * accounted, so replay of the file sees the frames as the meter did.
 */
void capture_take(struct cap *c, unsigned role, const struct pcap_pkthdr *h, const uint8_t *data,
		  const struct capture_via *via)
{
	uint64_t before = c->m.mig_frames;
	mm_ns ts;

	if (c->count_done)
		return;
	c->in[role].frames++;
	c->in[role].wire_bytes += h->len;
	if (c->dump[role] && !c->dump_failed)
		capture_dump_frame(c, role, h, data);
	if (h->ts.tv_sec < 0 || h->ts.tv_usec < 0 || h->ts.tv_usec >= MM_NS_PER_S) {
		c->in[role].bad_time++;
		return;
	}
	ts = (mm_ns)h->ts.tv_sec * MM_NS_PER_S + h->ts.tv_usec;
	c->in[role].matched++;
	meter_frame(&c->m, via->dlt, data, h->caplen, h->len, ts, via->src, via->ifid, via->match);
	if (c->m.mig_frames != before)
		c->last_mig_ts = ts;
}

/* A live capture's frame: its role is its filter. */
static void take(void *ctx, unsigned role, const struct pcap_pkthdr *h, const uint8_t *data)
{
	struct cap *c = ctx;
	struct capture_via via = { c->dlt[role], role, 0, role == LIVE_MIG ? METER_MIG : METER_ICMP };

	capture_take(c, role, h, data, &via);
}

/* A record written: its summary line on stderr (above the progress line). */
static void said(void *ctx, const char *line)
{
	struct cap *c = ctx;

	if (c->quiet)
		return;
	fprintf(stderr, "%smigmeter: %s\n", c->show ? "\r\033[K" : "", line);
	fflush(stderr);
}

/* --records: the records complete by `now` (every frame up to it taken); -c counts them. */
int capture_poll_records(struct cap *c, mm_ns now, char *err, size_t errlen)
{
	char why[256];

	if (!c->rec)
		return 0;
	if (caprec_poll(c->rec, &c->m, now, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	meter_keep(&c->m, now);	/* retention (--records): what only records written long ago needed goes */
	if (c->count && caprec_completed(c->rec) >= c->count)
		c->count_done = 1;
	return 0;
}


/* One frame as a capture hands it over: queued for the merge (taken at once if memory fails). */
static void on_frame(void *ctx, unsigned role, const struct pcap_pkthdr *h, const uint8_t *data)
{
	struct cap *c = ctx;

	if (tsm_push(c->merge, role, h, data) < 0)
		take(c, role, h, data);
}

/* The one-line progress display on stderr. */
void capture_progress(struct cap *c, mm_ns elapsed, uint64_t *last_bytes, mm_ns *last_at)
{
	struct flow_totals t;
	struct live_stats st;
	uint64_t drops = 0, eps, ongoing;
	unsigned role;
	char b[32], r[32], err[256];
	double rate = 0.0;
	mm_ns dt = elapsed - *last_at;

	flow_get_totals(c->m.flows, &t);
	for (role = 0; c->live && role < LIVE_N; role++)
		if (live_stats(c->live, role, &st, err, sizeof(err)) == 0)
			drops += st.dropped + st.ifdropped;
	if (dt > 0)
		rate = (double)(t.wire_bytes - *last_bytes) * 8.0 / ((double)dt / 1e9);
	*last_bytes = t.wire_bytes;
	*last_at = elapsed;
	out_si(b, sizeof(b), (double)t.wire_bytes, "B");
	out_si(r, sizeof(r), rate, "bit/s");
	eps = echo_episodes_so_far(c->m.echo, &ongoing);
	fprintf(stderr, "\r\033[K%.1f s  migration %s in %zu flows  %s  echo %llu  episodes %llu%s  "
		"drops %llu", (double)elapsed / 1e9, b, flow_count(c->m.flows), r,
		(unsigned long long)c->m.echo_frames, (unsigned long long)eps,
		ongoing ? " (outage now)" : "", (unsigned long long)drops);
	fflush(stderr);
}

/* Hands over every frame the kernel has ready. Returns 0, or -1 when a capture failed. */
static int dispatch_all(struct cap *c, char *err, size_t errlen)
{
	unsigned role;

	for (role = 0; role < LIVE_N; role++)
		if (live_dispatch(c->live, role, on_frame, c, err, errlen) < 0)
			return -1;
	return 0;
}

/*
 * Polls both captures until a signal, -c, --duration or --idle-stop; then
 * takes what the kernel still holds (a block is handed over at most
 * CAPTURE_BLOCK_MS after its last frame).  Returns 0, or -1 when a
 * capture failed (err says why; what was taken is still reported).
 */
static int run_loop(struct cap *c, const struct cli_opts *o, int show, char *err, size_t errlen)
{
	struct pollfd pfd[LIVE_N];
	mm_ns start = mono_now(), next_progress = start, next_records = start, last_at = 0, drain_end;
	uint64_t last_bytes = 0;
	unsigned role;
	int rc = 0;

	for (role = 0; role < LIVE_N; role++) {
		pfd[role].fd = live_fd(c->live, role);
		pfd[role].events = POLLIN;
	}
	while (!capture_stop) {
		mm_ns now;

		if (poll(pfd, LIVE_N, CAPTURE_BLOCK_MS) < 0 && errno != EINTR) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			rc = -1;
			break;
		}
		if (dispatch_all(c, err, errlen) < 0) {
			rc = -1;
			break;
		}
		tsm_emit(c->merge, real_now() - CAPTURE_MERGE_LAG_NS, take, c);
		if (capture_hup) {
			capture_hup = 0;
			capture_reopen(c);
		}
		now = mono_now();
		if (now >= next_records) {
			next_records = now + CAPTURE_RECORDS_NS;
			if (capture_poll_records(c, real_now() - CAPTURE_MERGE_LAG_NS, err, errlen) < 0) {
				rc = -1;
				break;
			}
		}
		capprom_tick(c->prom, c->live, now);
		if (c->count_done)
			break;
		if (o->duration != MM_NS_NONE && now - start >= o->duration)
			break;
		if (o->idle_stop != MM_NS_NONE && c->last_mig_ts != MM_NS_NONE &&
		    tsm_queued(c->merge, LIVE_MIG) == 0 && real_now() - c->last_mig_ts >= o->idle_stop)
			break;
		if (show && now >= next_progress) {
			capture_progress(c, now - start, &last_bytes, &last_at);
			next_progress = now + CAPTURE_PROGRESS_NS;
		}
	}
	/* What the kernel still holds: blocks retire within CAPTURE_BLOCK_MS. */
	drain_end = mono_now() + (CAPTURE_BLOCK_MS + 50) * 1000000LL;
	while (rc == 0 && mono_now() < drain_end) {
		if (poll(pfd, LIVE_N, 20) < 0 && errno != EINTR)
			break;
		if (dispatch_all(c, err, errlen) < 0)
			rc = -1;
	}
	tsm_emit(c->merge, INT64_MAX, take, c);
	if (show) {
		capture_progress(c, mono_now() - start, &last_bytes, &last_at);
		fputc('\n', stderr);
	}
	return rc;
}

/* Link counters of the captured interface ("any" has none of its own). */
static void link_counters(struct source_input *in, int at_stop)
{
	char err[256];

	if (strcmp(in->path, "any") == 0)
		return;
	if (!at_stop)
		in->have_link = netif_counters(in->path, &in->link_start, err, sizeof(err)) == 0;
	else if (in->have_link)
		in->have_link = netif_counters(in->path, &in->link_stop, err, sizeof(err)) == 0;
}

/* Records pcap_stats; says so on stderr when anything was dropped. */
static void kernel_stats(struct cap *c)
{
	struct live_stats st;
	char err[256];
	unsigned role;

	for (role = 0; role < LIVE_N; role++) {
		struct source_input *in = &c->in[role];

		if (live_stats(c->live, role, &st, err, sizeof(err)) < 0) {
			fprintf(stderr, "migmeter: %s: %s\n", in->path, err);
			continue;
		}
		in->k_received = st.received;
		in->k_dropped = st.dropped;
		in->k_ifdropped = st.ifdropped;
		if (st.dropped || st.ifdropped)
			fprintf(stderr, "migmeter: %s (%s capture): %llu frames dropped by the kernel, %llu "
				"by the interface; the report's counts are lower bounds\n", in->path,
				in->role, (unsigned long long)st.dropped, (unsigned long long)st.ifdropped);
	}
}

/* After the loop: close -w, finish the meter, build and write the report. */
static int finish(struct cap *c, const struct cli_opts *o)
{
	struct report_opts ro;
	json_object *r;
	unsigned role;
	int rc = 0;

	if (c->live) {
		kernel_stats(c);
		for (role = 0; role < LIVE_N; role++)
			link_counters(&c->in[role], 1);
	} else {
		capture_from_inputs(c);
	}
	if (o->write && capture_close_dumps(c) < 0)
		rc = CLI_EXIT_RUNTIME;
	if (meter_finish(&c->m) < 0) {
		fprintf(stderr, "migmeter: out of memory while building downtime episodes\n");
		return CLI_EXIT_RUNTIME;
	}
	if (c->rec) {
		char err[256];

		c->show = 0;
		if (caprec_finish(c->rec, &c->m, err, sizeof(err)) < 0) {
			fprintf(stderr, "migmeter: %s\n", err);
			rc = CLI_EXIT_RUNTIME;
		}
	}
	if (capprom_finish(c->prom, c->live) != 0)
		rc = CLI_EXIT_RUNTIME;
	cli_report_opts(o, &ro);
	ro.digits = c->live ? 9 : c->in[0].digits;
	ro.inputs = c->in;
	ro.ninputs = c->live ? LIVE_N : 1;
	r = report_build(&c->m, &ro);
	if (!r) {
		fprintf(stderr, "migmeter: out of memory while building the report\n");
		return CLI_EXIT_RUNTIME;
	}
	nodeinfo_stamp_report(r);	/* node, node_addresses: for migmeter merge */
	cli_warn_report(o, r);
	if (cli_emit(o, &c->m, r, ro.digits) != 0)
		rc = CLI_EXIT_RUNTIME;
	json_object_put(r);
	return rc;
}

/* Opens both captures; prints why not. Returns 0 or the exit status. */
static int open_captures(struct cap *c, const struct cli_opts *o, const char *const ifn[LIVE_N],
			 const struct filter_spec *mig, const struct filter_spec *icmp)
{
	struct live_cfg lc;
	enum live_error kind;
	char err[1024];
	unsigned role;

	memset(&lc, 0, sizeof(lc));
	lc.iface[LIVE_MIG] = ifn[LIVE_MIG];
	lc.iface[LIVE_ICMP] = ifn[LIVE_ICMP];
	lc.filter[LIVE_MIG] = mig;
	lc.filter[LIVE_ICMP] = icmp;
	lc.snaplen = o->snaplen;
	lc.buffer_mib = o->buffer_mib;
	lc.promisc = o->promisc;
	lc.timeout_ms = CAPTURE_BLOCK_MS;
	c->live = live_open(&lc, &kind, err, sizeof(err));
	if (!c->live) {
		fprintf(stderr, "migmeter: %s\n", err);
		return kind == LIVE_ERR_FILTER && (o->filter || o->icmp_filter) ? CLI_EXIT_USAGE
										 : CLI_EXIT_RUNTIME;
	}
	for (role = 0; role < LIVE_N; role++) {
		struct source_input *in = &c->in[role];

		c->dlt[role] = live_dlt(c->live, role);
		in->live = 1;
		in->path = ifn[role];
		in->role = role == LIVE_MIG ? "migration" : "icmp";
		in->dlt = c->dlt[role];
		in->dlt_name = live_dlt_name(c->live, role);
		in->digits = 9;
		in->snaplen = c->snap[role] = live_snaplen(c->live, role);
		in->filter_left_out = live_left_out(c->live, role);
		if (in->filter_left_out) {
			char where[128];

			snprintf(where, sizeof(where), "%s (%s capture)", in->path, in->role);
			cli_note_left_out(o, role == LIVE_MIG ? mig : icmp, where, in->dlt, in->snaplen, 1);
		}
	}
	return 0;
}

int capture_main(int argc, char **argv)
{
	struct cli_opts o;
	struct filter_spec mig, icmp;
	struct meter_cfg mc;
	struct cap *c = NULL;
	char auto_if[IF_NAMESIZE], err[1024];
	const char *ifn[LIVE_N];
	const char *user;
	char **paths = NULL;
	sigset_t stopsigs;
	int rc, done, have_filters = 0, meter_ok = 0, show, status;
	unsigned role;

	rc = cli_setup(CLI_CAPTURE, argc, argv, &o, &mig, &icmp, &done);
	if (rc || done)
		return rc;
	have_filters = 1;
	/* Every output checked before the capture starts: a run is never lost at its end. */
	rc = cli_check_outputs(&o);
	if (rc)
		goto out;
	rc = CLI_EXIT_RUNTIME;
	ifn[LIVE_MIG] = o.from ? o.from : o.iface;
	if (!o.from && strcmp(o.iface, "auto") == 0) {
		if (netif_route(o.peer, auto_if, sizeof(auto_if), err, sizeof(err)) < 0) {
			fprintf(stderr, "migmeter: -i auto: %s\n", err);
			goto out;
		}
		ifn[LIVE_MIG] = auto_if;
		if (!o.quiet)
			fprintf(stderr, "migmeter: capturing on %s (the route to %s)\n", auto_if, o.peer);
	}
	ifn[LIVE_ICMP] = o.icmp_iface ? o.icmp_iface : ifn[LIVE_MIG];

	c = calloc(1, sizeof(*c));
	if (!c) {
		fprintf(stderr, "migmeter: out of memory\n");
		goto out;
	}
	c->last_mig_ts = MM_NS_NONE;
	c->count = o.count;
	c->quiet = o.quiet;
	if (capture_records_open(c, &o) < 0)
		goto out;
	rc = capprom_open(&c->prom, &o);
	if (rc)
		goto out;
	rc = o.from ? capture_from_open(c, &o, &mig, &icmp) : open_captures(c, &o, ifn, &mig, &icmp);
	if (rc)
		goto out;
	rc = CLI_EXIT_RUNTIME;
	if (o.write && capture_open_dumps(c, &o, ifn) < 0)
		goto out;
	cli_meter_cfg(&o, &mc);
	if (meter_init(&c->m, &mc) < 0) {
		fprintf(stderr, "migmeter: out of memory\n");
		goto out;
	}
	meter_ok = 1;
	if ((o.records || o.count || c->prom) &&
	    !(c->rec = caprec_new(c->rec_fp, &mc.migration, c->live ? 9 : c->in[0].digits, said, c))) {
		fprintf(stderr, "migmeter: out of memory\n");
		goto out;
	}
	capture_records_attach(c);
	/*
	 * With every record in --records, the report need not hold them all:
	 * past METER_KEEP_RECORDS, the oldest leave memory (README "Running for days").
	 */
	if (o.records) {
		meter_keep_start(&c->m, !o.timeseries);
		caprec_keep_keys(c->rec, 2 * METER_KEEP_RECORDS);
	}
	/* Without records nothing else retires completed migrations (caprec does, after writing). */
	meter_set_retire(&c->m, !c->rec);
	if (c->prom)
		caprec_set_observer(c->rec, capprom_record, c->prom);
	c->merge = tsm_new(LIVE_N, CAPTURE_MERGE_BYTES);
	if (!c->merge) {
		fprintf(stderr, "migmeter: out of memory\n");
		goto out;
	}
	for (role = 0; c->live && role < LIVE_N; role++)
		link_counters(&c->in[role], 0);

	/* A capture stops on SIGINT/SIGTERM even if started with them ignored or blocked. */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_hup);
	sigemptyset(&stopsigs);
	sigaddset(&stopsigs, SIGINT);
	sigaddset(&stopsigs, SIGTERM);
	sigaddset(&stopsigs, SIGHUP);
	/* The next -w part and the records file again are opened here, or by the root parent. */
	privsep_set_opener(capture_file_op, c);
	sigprocmask(SIG_UNBLOCK, &stopsigs, NULL);
	/* From here on the packet parser runs without root (tcpdump -Z). */
	user = o.user ? o.user : "nobody";
	if (geteuid() == 0 && strcmp(user, "root") != 0) {
		paths = cli_output_paths(&o);
		rc = privsep_start(user, paths, &status, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "migmeter: %s\n", err);
			rc = CLI_EXIT_RUNTIME;
			goto out;
		}
		if (rc == 0) {
			/* The parent: the child did the work and wrote through us. */
			rc = status;
			goto out;
		}
	} else if (geteuid() != 0 && privsep_drop_caps(err, sizeof(err)) < 0) {
		fprintf(stderr, "migmeter: %s\n", err);
		rc = CLI_EXIT_RUNTIME;
		goto out;
	}
	/* Threads only once the process is split: the HTTP server runs beside the unprivileged parser. */
	rc = capprom_start(c->prom);
	if (rc)
		goto out;
	/* Said once everything is ready: from now on every frame is taken, and a signal stops cleanly. */
	if (!o.quiet && o.from)
		fprintf(stderr, "migmeter: reading %s through the capture path (%s, at its own times)\n",
			o.from, c->in[LIVE_MIG].dlt_name);
	else if (!o.quiet)
		fprintf(stderr, "migmeter: listening on %s (migration, %s, snaplen %d, ring %d MiB) and "
			"%s (icmp, %s)\n", ifn[LIVE_MIG], c->in[LIVE_MIG].dlt_name,
			c->in[LIVE_MIG].snaplen, o.buffer_mib, ifn[LIVE_ICMP], c->in[LIVE_ICMP].dlt_name);
	show = o.progress == -1 ? isatty(STDERR_FILENO) : o.progress;
	c->show = show;
	rc = 0;
	if ((o.from ? capture_from_loop(c, &o, show, err, sizeof(err))
		    : run_loop(c, &o, show, err, sizeof(err))) < 0) {
		fprintf(stderr, "migmeter: %s; the report covers the frames taken before\n", err);
		for (role = 0; role < LIVE_N; role++) {
			c->in[role].failed = 1;
			snprintf(c->in[role].err, sizeof(c->in[role].err), "%.200s", err);
		}
		rc = CLI_EXIT_RUNTIME;
	}
	if (finish(c, &o) != 0)
		rc = CLI_EXIT_RUNTIME;
out:
	/*
	 * The privileged parent closes its copy of -w too: nothing is buffered
	 * in it (privsep_start flushed before the fork), so it writes nothing.
	 */
	if (c)
		capture_close_dumps(c);
	cli_free_paths(paths);
	if (c) {
		caprec_free(c->rec);
		capture_records_close(c);
		capprom_free(c->prom);
		if (meter_ok)
			meter_release(&c->m);
		live_close(c->live);
		source_close(c->from);
		tsm_free(c->merge);
		free(c);
	}
	if (have_filters) {
		filter_release(&mig);
		filter_release(&icmp);
	}
	return rc;
}
