/* view-nova.h - OpenStack's views: nova-compute.log (oslo.log lines of the libvirt driver) and the migration-list table. */
#ifndef MM_VIEW_NOVA_H
#define MM_VIEW_NOVA_H

#include <stddef.h>
#include <stdint.h>

#include "view.h"

#define VNOVA_MAX_MIGS 4096
#define VNOVA_MAX_STEPS 64	/* "Increasing downtime" steps kept per migration */
#define VNOVA_MAX_SAMPLES 1024	/* "Migration running for" samples kept per migration */
#define VNOVA_MAX_EVENTS 4096	/* lifecycle events outside any migration */

enum vnova_status { VNOVA_RUNNING, VNOVA_COMPLETED, VNOVA_ABORTED, VNOVA_FAILED };

/* "Increasing downtime to N ms after N sec elapsed time" (nova/virt/libvirt/migration.py). */
struct vnova_step {
	mm_ns t;
	uint64_t downtime_ms, after_s;
};

/* "Migration running for N secs, memory N% remaining (bytes processed=N, remaining=N, total=N); disk ..." */
struct vnova_sample {
	mm_ns t;
	uint64_t secs, mem_pct, mem_processed, mem_remaining, mem_total;
	int has_disk;
	uint64_t disk_pct, disk_processed, disk_remaining, disk_total;
};

/* "VM Paused|Stopped|Resumed|Started (Lifecycle Event)" (nova/compute/manager.py). */
struct vnova_event {
	mm_ns t;
	char instance[40];
	char what[12];
};

/* One live migration of one instance as nova-compute.log tells it. */
struct vnova_mig {
	char instance[40];
	char req[80];			/* the request id of its first line */
	unsigned long first_line, last_line;
	enum vnova_status status;
	mm_ns first_t;			/* its first line */
	mm_ns monitor_start;		/* "Starting monitoring of live migration", or NONE */
	mm_ns start;			/* nova's start: earliest sample time minus its secs, or the first line */
	mm_ns end;			/* "has completed" / "has aborted" / "Live Migration failure" */
	mm_ns paused, resumed, stopped, started;	/* first lifecycle event of each, NONE if none */
	struct vnova_step steps[VNOVA_MAX_STEPS];
	size_t nsteps;
	struct vnova_sample *samples;
	size_t nsamples, samples_cap;
	uint64_t steps_dropped, samples_dropped;
};

#define VNOVA_SLOTS 8192	/* instance -> its last migration (open addressing, twice the cap) */

struct vnova {
	struct vnova_mig *m;
	size_t n, cap;
	int32_t last[VNOVA_SLOTS];	/* index into m + 1; 0 empty */
	struct vnova_event *ev;		/* lifecycle events no migration of the log took */
	size_t nev;
	unsigned long lines, used, unknown, overlong, no_instance;
	uint64_t migs_dropped, events_dropped;
};

/*
 * Parses nova-compute.log from f, its times local time in zone z.  Lines
 * of other formats and other messages are counted and skipped.  Returns
 * 0, or -1 with one line in err (FILE: no oslo.log line in it; out of
 * memory).  vnova_free releases (a zeroed struct is fine).
 */
int vnova_parse(struct vnova *v, struct view_file *f, const struct view_tz *z, char *err, size_t errlen);
void vnova_free(struct vnova *v);
const char *vnova_status_name(enum vnova_status s);

/* One row of `nova migration-list` / `openstack server migration list`. */
struct vnlist_row {
	char id[24], instance[40], source_compute[64], dest_compute[64], dest_host[64];
	char source_node[64], dest_node[64], status[24], type[24];
	mm_ns created, updated;		/* NONE when the cell is empty */
	unsigned long line;
};

#define VNLIST_MAX_ROWS 65536

struct vnlist {
	struct vnlist_row *rows;
	size_t n, cap;
	unsigned long lines, unknown, overlong;
	uint64_t rows_dropped;
};

/*
 * Parses the table (the +---+ framed one, or `-f csv` / `-f value` is not
 * read: the framed one only): columns found by their header names, in any
 * order.  Its times are what the API gives, UTC, unless they carry an
 * offset.  Returns 0, or -1 with err naming FILE:LINE (a row with another
 * number of cells than the header) or FILE (no header with Created At).
 */
int vnlist_parse(struct vnlist *v, struct view_file *f, char *err, size_t errlen);
void vnlist_free(struct vnlist *v);

#endif
