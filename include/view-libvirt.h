/* view-libvirt.h - libvirt's and QEMU's own figures: `virsh domjobinfo --completed` output and QMP query-migrate replies. */
#ifndef MM_VIEW_LIBVIRT_H
#define MM_VIEW_LIBVIRT_H

#include <stddef.h>
#include <stdint.h>

#include "view.h"

#define VJOB_MAX 4096		/* jobs kept from one file */
#define VJOB_NONE INT64_MIN	/* a figure the output did not give */

enum vjob_kind { VJOB_DOMJOBINFO, VJOB_QMP };

/* The figures both give (durations in ms, sizes in bytes, bandwidth in bit/s). */
enum vjob_fig {
	VJ_ELAPSED_MS, VJ_ELAPSED_WO_NET_MS, VJ_DOWNTIME_MS, VJ_DOWNTIME_WO_NET_MS, VJ_SETUP_MS,
	VJ_EXPECTED_DOWNTIME_MS, VJ_DATA_PROCESSED, VJ_DATA_REMAINING, VJ_DATA_TOTAL, VJ_MEM_PROCESSED,
	VJ_MEM_REMAINING, VJ_MEM_TOTAL, VJ_MEM_BPS, VJ_DISK_PROCESSED, VJ_DISK_TOTAL, VJ_NORMAL_BYTES,
	VJ_MULTIFD_BYTES, VJ_ITERATIONS, VJ_DIRTY_RATE,
	VJ_COUNT
};

/* A figure's name in the report ("downtime_s") and whether it is a duration in ms (reported in s). */
const char *vjob_fig_name(enum vjob_fig f);
int vjob_fig_is_ms(enum vjob_fig f);

/* One migration job as libvirt or QEMU reports it. */
struct vjob {
	enum vjob_kind kind;
	unsigned long line;		/* where it starts in its file */
	char status[24];		/* "Completed", "completed", "failed", ... */
	char operation[40];		/* domjobinfo's Operation, "" if none */
	int64_t fig[VJ_COUNT];		/* VJOB_NONE when not given */
	int rounded;			/* sizes rounded by virsh to 3 decimals of their unit */
	/* QMP events before the reply (absolute, their "timestamp"); MM_NS_NONE if none */
	mm_ns t_setup, t_done, t_stop, t_resume;
};

struct vjobs {
	struct vjob *j;
	size_t n;
	unsigned long lines, unknown, overlong;
	uint64_t dropped;
};

/*
 * `virsh domjobinfo [--completed]` output, one block per "Job type:" line
 * (several runs' outputs may be appended in one file); unknown lines are
 * counted.  Returns 0, or -1 with err naming FILE:LINE (a figure whose
 * value is not a number and unit) or FILE (no "Job type:" line).
 */
int vjob_parse_domjobinfo(struct vjobs *v, struct view_file *f, char *err, size_t errlen);

/*
 * QMP messages saved from a monitor (one JSON value after another, or one
 * array of them): each query-migrate reply ({"return": {"status": ...}}
 * or the bare return object) that ended its migration (completed, failed,
 * cancelled) is one job, with the MIGRATION/STOP/RESUME events before it
 * for its times; a last reply still active is kept as it is.  Returns 0,
 * or -1 with err naming FILE:LINE (not JSON) or FILE (no query-migrate
 * reply).
 */
int vjob_parse_qmp(struct vjobs *v, struct view_file *f, char *err, size_t errlen);

void vjobs_free(struct vjobs *v);

/* For the parsers: a new job with every figure VJOB_NONE; NULL when VJOB_MAX are held (counted) or out of memory. */
struct vjob *vjob_new(struct vjobs *v, enum vjob_kind kind, unsigned long line);

/* The job's span in absolute time, from its events and total-time (start and end MM_NS_NONE when unknown). */
void vjob_span(const struct vjob *j, mm_ns *start, mm_ns *end);

#endif
