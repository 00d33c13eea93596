/* app.h - the VM's application traffic (--app): connections, request/response turns, stalls, per bin and per migration phase. */
#ifndef MM_APP_H
#define MM_APP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "decode.h"
#include "mmtime.h"

#define APP_MAX_PORTS 16

/*
 * What the stage follows (README "Application impact").  With ports, a
 * TCP frame counts when either port is one of them (that side is the
 * server); with none (--app-filter), every TCP frame it is given counts and
 * the server is the side the SYN went to (without a handshake: the lower
 * port).
 */
struct app_cfg {
	int enabled;			/* 0: the stage takes nothing */
	uint16_t ports[APP_MAX_PORTS];
	size_t nports;
	size_t max_conns;		/* open connections followed at once (0: 16384) */
	mm_ns window;			/* the before and after phases (0: 10 s) */
	mm_ns bin;			/* the time series' bin (> 0) */
	const char *filter;		/* --app-filter's expression, for the report; NULL: bpf/app.bpf */
};

/* One request/response turn: a client payload run answered by the server's first payload after it. */
struct app_turn {
	mm_ns done;			/* the first server payload after the request */
	mm_ns rt;			/* response time: done - request */
};

/*
 * A service stall: an interval with a request outstanding (or a response
 * under way) and no server byte on any connection of the service.
 */
struct app_stall {
	mm_ns start, end;
	uint8_t open;			/* still waiting when the capture ended (end = its last frame) */
};

/* Cumulative counters at the end of one granule of time (for phase windows). */
struct app_point {
	int64_t g;			/* granule index: ts / granule */
	uint64_t goodput;		/* server -> client unique payload bytes */
	uint64_t retrans;		/* retransmitted payload bytes, both directions */
	uint64_t opened, refused, reset, turns;
	mm_ns stall_max;		/* not cumulative: the longest stall ending in this granule; -1 none */
};

/* A gap in a source's frames: last frame before, first frame after. */
struct app_gap {
	mm_ns from, to;
	unsigned host;			/* app_host index; APP_HOST_SERVICE for the service's payload */
};
#define APP_HOST_SERVICE 0xffffffffu

/* Per time-series bin (the app_* columns). */
struct app_bin {
	uint64_t index;			/* the series bin */
	uint64_t goodput, client_bytes, turns, retrans;
	uint64_t opened, refused, reset;
	mm_ns rt_sum, rt_max;
	mm_ns stall_max;			/* the longest service stall that ended in the bin; 0: none */
};

/* Whole-capture figures (the report's top-level "app"). */
struct app_totals {
	uint64_t frames, connections, connections_not_fitted, frames_not_fitted;
	uint64_t turns, unanswered, turns_not_kept, stalls_not_kept, gaps_not_kept, bins_dropped;
	uint64_t goodput, client_bytes, retrans, opened, refused, reset;
	mm_ns first_ts, last_ts;
	struct app_stall longest;	/* start MM_NS_NONE: none */
	mm_ns rt_median, rt_p99, rt_mean;	/* MM_NS_NONE without turns */
};

struct app_table;

/* A new stage (cfg->enabled 0: one that takes nothing), or NULL when out of memory. */
struct app_table *app_new(const struct app_cfg *cfg);
void app_free(struct app_table *a);	/* NULL is a no-op */

int app_enabled(const struct app_table *a);
const struct app_cfg *app_config(const struct app_table *a);
mm_ns app_window(const struct app_table *a);	/* the before/after phases' length */

/*
 * A decoded TCP frame (DEC_OK, proto 6) that passed the app filter, seen
 * from vantage point `view` at `ts`; `t0` is the time series' start (bin 0),
 * which the caller has fixed.  Frames of other connections are ignored.
 * A connection past the cap is counted (frames and connections not fitted).
 */
void app_frame(struct app_table *a, const struct dec_pkt *p, unsigned view, mm_ns ts, mm_ns t0);

/* A frame from address `src` (any protocol the non-migration captures took): the VM's own traffic. */
void app_host_frame(struct app_table *a, const struct dec_addr *src, mm_ns ts);

/* Closes the timeline at `end` (open stalls end there). Idempotent. Returns 0 or -1 (out of memory). */
int app_finish(struct app_table *a, mm_ns end);

/* The kept records, in order of arrival (turns by completion). */
size_t app_turn_count(const struct app_table *a);
const struct app_turn *app_turn_get(const struct app_table *a, size_t i);
size_t app_stall_count(const struct app_table *a);
const struct app_stall *app_stall_get(const struct app_table *a, size_t i);
size_t app_gap_count(const struct app_table *a);
const struct app_gap *app_gap_get(const struct app_table *a, size_t i);

/* Cumulative counters over [.., t): every event of a granule before t's (granule ms, coarser if long). */
void app_counters_before(const struct app_table *a, mm_ns t, struct app_point *out);

/*
 * The longest service stall that ended in (lo, hi] (those under 1 ms, or
 * past the list's cap: in [lo, hi) to the granule); MM_NS_NONE without one.
 */
mm_ns app_longest_stall_in(const struct app_table *a, mm_ns lo, mm_ns hi);

/* Median spacing of host `host`'s frames (APP_HOST_SERVICE: the service's payload frames); MM_NS_NONE. */
mm_ns app_spacing(const struct app_table *a, unsigned host);

/* The host index of address `ip` (its frames were followed), or -1. */
int app_host_find(const struct app_table *a, const struct dec_addr *ip);

void app_get_totals(const struct app_table *a, struct app_totals *t);

/* The bin with series index i, or NULL when nothing happened in it. */
const struct app_bin *app_bin_get(const struct app_table *a, uint64_t i);

/* ---- app-phase.c: the phases of one migration ---------------------------- */

enum app_phase { APP_BEFORE = 0, APP_PRECOPY, APP_SWITCHOVER, APP_AFTER, APP_PHASES };

/* The instants of a migration record that bound its phases (MM_NS_NONE: unknown). */
struct app_mig_times {
	mm_ns start, final_burst_end, resumed, end;
	mm_ns before_burst, after_resume;	/* the migration stage's switchover windows (blackout search) */
	struct dec_addr vm_ip;			/* family 0: unknown */
};

struct app_phase_fig {
	mm_ns start, end;			/* [start, end) */
	uint64_t goodput, turns, opened, refused, reset, retrans;
	double goodput_bps;			/* < 0: no length */
	mm_ns rt_median, rt_p99;		/* MM_NS_NONE without turns */
	mm_ns longest_stall;			/* MM_NS_NONE without a stall or turn ending in it */
	double goodput_vs_before, rt_median_vs_before;	/* < 0: no ratio */
};

/* The blackout from the VM's own traffic: the longest gap around the switchover. */
struct app_blackout {
	const char *source;			/* "app" or "vm-frames"; NULL: none found */
	mm_ns start, end, gap, lower, upper, resolution;
};

struct app_mig {
	struct app_phase_fig ph[APP_PHASES];
	mm_ns switchover_end_timely;		/* the first timely response after the announce, or MM_NS_NONE */
	struct app_blackout blackout;
};

/* The phase windows alone (exposed for the unit tests): fills ph[].start/end. */
void app_phase_windows(const struct app_table *a, const struct app_mig_times *mt, struct app_mig *out);

/* Every figure of one migration's phases and its blackout. Returns 0 or -1 (out of memory). */
int app_migration(const struct app_table *a, const struct app_mig_times *mt, struct app_mig *out);

/*
 * Response times of the kept turns completed in [lo, hi): exact median
 * (medset), p99 (nearest rank) and mean; MM_NS_NONE each without turns.
 * Returns the number of turns, or -1 when out of memory.
 */
long app_rt_figures(const struct app_table *a, mm_ns lo, mm_ns hi, mm_ns *median, mm_ns *p99, mm_ns *mean);

/* "before", "pre-copy", "switchover", "after". */
const char *app_phase_name(unsigned ph);

/* ---- app-report.c: the CSV tables --------------------------------------- */

/* The time-series columns' header (",app_goodput_bytes,..."), and one bin's fields (empty without --app). */
void app_csv_series_header(FILE *fp);
void app_csv_series_row(FILE *fp, const struct app_table *a, uint64_t bin, int digits);

#endif
