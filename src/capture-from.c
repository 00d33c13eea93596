/* capture-from.c - capture --from FILE: a saved capture's frames through the capture path, at its own times. */
#include "capture-int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "caprec.h"
#include "capture-prom.h"
#include "source.h"

/* How often, in FILE's time, completed migrations are looked for (a live capture's twice a second). */
#define FROM_RECORDS_NS (MM_NS_PER_S / 2)
/* How often, in wall time, the progress line is redrawn. */
#define FROM_PROGRESS_NS (MM_NS_PER_S / 2)

int capture_from_open(struct cap *c, const struct cli_opts *o, const struct filter_spec *mig,
		      const struct filter_spec *icmp)
{
	char *paths[1];
	const struct source_input *in;
	char err[1024];
	unsigned role;
	size_t i;

	paths[0] = (char *)o->from;
	c->from = source_open_files(paths, 1, JOIN_ONE, mig, icmp, err, sizeof(err));
	if (!c->from) {
		fprintf(stderr, "migmeter: %s\n", err);
		return (o->filter || o->icmp_filter) && strstr(err, "filter for") ? CLI_EXIT_USAGE
										 : CLI_EXIT_RUNTIME;
	}
	in = source_input(c->from, 0);
	{
		mm_ns t0 = source_first_ts(c->from);

		/* -w's first part is named and timed by FILE's clock, as every later one */
		if (t0 != MM_NS_NONE && t0 >= MM_NS_PER_S)
			c->clock_start = (int64_t)(t0 / MM_NS_PER_S);
	}
	/* -w writes one link type per file: a file of several cannot be saved again as one. */
	for (i = 1; o->write && i < in->nifaces; i++)
		if (in->ifaces[i].supported && in->ifaces[i].dlt != in->dlt) {
			fprintf(stderr, "migmeter: --from %s: its interfaces have several link types (%s, %s); "
				"-w saves one: leave -w out\n", o->from, in->dlt_name, in->ifaces[i].dlt_name);
			return CLI_EXIT_USAGE;
		}
	for (role = 0; role < LIVE_N; role++) {
		c->in[role] = *in;
		c->in[role].role = role == LIVE_MIG ? "migration" : "icmp";
		c->dlt[role] = in->dlt;
		c->snap[role] = in->nifaces && in->ifaces[0].snaplen ? (int)in->ifaces[0].snaplen : 262144;
	}
	return cli_check_bin(o, in->path, in->digits) != 0 ? CLI_EXIT_USAGE : 0;
}

static mm_ns wall_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (mm_ns)t.tv_sec * MM_NS_PER_S + t.tv_nsec;
}

int capture_from_loop(struct cap *c, const struct cli_opts *o, int show, char *err, size_t errlen)
{
	struct source_frame fr;
	struct pcap_pkthdr h;
	mm_ns first = MM_NS_NONE, next_records = MM_NS_NONE, start = wall_now(), next_progress = start;
	mm_ns last_at = 0;
	uint64_t last_bytes = 0;
	size_t i;

	while (!capture_stop && source_next(c->from, &fr) == 1) {
		/* the vantage point as replay has it: the input and its pcapng interface */
		struct capture_via via = { fr.dlt, fr.src, fr.ifid,
					   ((fr.match & SOURCE_MATCH_MIG) ? METER_MIG : 0) |
					   ((fr.match & SOURCE_MATCH_ICMP) ? METER_ICMP : 0) };

		if (first == MM_NS_NONE)
			first = next_records = fr.ts;
		/* The stops a live capture makes by the clock, by FILE's clock. */
		if (o->duration != MM_NS_NONE && fr.ts - first >= o->duration)
			break;
		if (o->idle_stop != MM_NS_NONE && c->last_mig_ts != MM_NS_NONE &&
		    fr.ts - c->last_mig_ts >= o->idle_stop)
			break;
		/* Everything before this frame is taken: what completed by then is due. */
		if (fr.ts >= next_records) {
			next_records = fr.ts + FROM_RECORDS_NS;
			if (capture_poll_records(c, fr.ts - 1, err, errlen) < 0)
				return -1;
			if (c->count_done)
				break;
		}
		if (capture_hup) {
			capture_hup = 0;
			capture_reopen(c);
		}
		capprom_tick(c->prom, NULL, fr.ts);
		h.ts.tv_sec = (time_t)(fr.ts / MM_NS_PER_S);
		h.ts.tv_usec = (suseconds_t)(fr.ts % MM_NS_PER_S);
		h.caplen = fr.caplen;
		h.len = fr.len;
		capture_take(c, (fr.match & SOURCE_MATCH_MIG) ? LIVE_MIG : LIVE_ICMP, &h, fr.data, &via);
		if (show) {
			mm_ns now = wall_now();

			if (now >= next_progress) {
				capture_progress(c, now - start, &last_bytes, &last_at);
				next_progress = now + FROM_PROGRESS_NS;
			}
		}
	}
	if (show) {
		capture_progress(c, wall_now() - start, &last_bytes, &last_at);
		fputc('\n', stderr);
	}
	for (i = 0; i < source_count(c->from); i++)
		if (source_input(c->from, i)->failed) {
			snprintf(err, errlen, "%s: %s", o->from, source_input(c->from, i)->err);
			return -1;
		}
	return 0;
}

void capture_from_inputs(struct cap *c)
{
	struct source_input stopped = c->in[0];

	c->in[0] = *source_input(c->from, 0);
	c->in[0].role = "migration and icmp";
	/* The loop stopped early for its own reason (records could not be written, a signal). */
	if (stopped.failed && !c->in[0].failed) {
		c->in[0].failed = 1;
		memcpy(c->in[0].err, stopped.err, sizeof(c->in[0].err));
	}
}
