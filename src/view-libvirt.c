/* view-libvirt.c - `virsh domjobinfo --completed` output: "Label:  value unit" lines, one block per job. */
#include "view-libvirt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	int ms;
} figs[VJ_COUNT] = {
	[VJ_ELAPSED_MS] = { "time_elapsed_s", 1 },
	[VJ_ELAPSED_WO_NET_MS] = { "time_elapsed_wo_network_s", 1 },
	[VJ_DOWNTIME_MS] = { "downtime_s", 1 },
	[VJ_DOWNTIME_WO_NET_MS] = { "downtime_wo_network_s", 1 },
	[VJ_SETUP_MS] = { "setup_s", 1 },
	[VJ_EXPECTED_DOWNTIME_MS] = { "expected_downtime_s", 1 },
	[VJ_DATA_PROCESSED] = { "data_processed_bytes", 0 },
	[VJ_DATA_REMAINING] = { "data_remaining_bytes", 0 },
	[VJ_DATA_TOTAL] = { "data_total_bytes", 0 },
	[VJ_MEM_PROCESSED] = { "memory_processed_bytes", 0 },
	[VJ_MEM_REMAINING] = { "memory_remaining_bytes", 0 },
	[VJ_MEM_TOTAL] = { "memory_total_bytes", 0 },
	[VJ_MEM_BPS] = { "memory_bps", 0 },
	[VJ_DISK_PROCESSED] = { "disk_processed_bytes", 0 },
	[VJ_DISK_TOTAL] = { "disk_total_bytes", 0 },
	[VJ_NORMAL_BYTES] = { "normal_bytes", 0 },
	[VJ_MULTIFD_BYTES] = { "multifd_bytes", 0 },
	[VJ_ITERATIONS] = { "iterations", 0 },
	[VJ_DIRTY_RATE] = { "dirty_rate_pages_s", 0 },
};

const char *vjob_fig_name(enum vjob_fig f)
{
	return (unsigned)f < VJ_COUNT ? figs[f].name : "?";
}

int vjob_fig_is_ms(enum vjob_fig f)
{
	return (unsigned)f < VJ_COUNT && figs[f].ms;
}

void vjobs_free(struct vjobs *v)
{
	if (!v)
		return;
	free(v->j);
	v->j = NULL;
	v->n = 0;
}

void vjob_span(const struct vjob *j, mm_ns *start, mm_ns *end)
{
	int64_t tt = j->fig[VJ_ELAPSED_MS];
	mm_ns total = tt != VJOB_NONE && tt >= 0 && tt < INT64_MAX / 1000000 ? tt * 1000000 : MM_NS_NONE;

	*start = j->t_setup;
	*end = j->t_done;
	if (*start == MM_NS_NONE && *end != MM_NS_NONE && total != MM_NS_NONE)
		*start = mm_sub(*end, total);
	if (*end == MM_NS_NONE && *start != MM_NS_NONE && total != MM_NS_NONE)
		*end = mm_add(*start, total);
}

/* How each label of virsh's output is read: a time in ms, a size with its unit, a rate, a count. */
enum how { H_MS, H_SIZE, H_RATE, H_COUNT };

static const struct {
	const char *label;
	enum vjob_fig fig;
	enum how how;
} labels[] = {
	{ "Time elapsed", VJ_ELAPSED_MS, H_MS },
	{ "Time elapsed w/o network", VJ_ELAPSED_WO_NET_MS, H_MS },
	{ "Total downtime", VJ_DOWNTIME_MS, H_MS },
	{ "Downtime w/o network", VJ_DOWNTIME_WO_NET_MS, H_MS },
	{ "Setup time", VJ_SETUP_MS, H_MS },
	{ "Expected downtime", VJ_EXPECTED_DOWNTIME_MS, H_MS },
	{ "Data processed", VJ_DATA_PROCESSED, H_SIZE },
	{ "Data remaining", VJ_DATA_REMAINING, H_SIZE },
	{ "Data total", VJ_DATA_TOTAL, H_SIZE },
	{ "Memory processed", VJ_MEM_PROCESSED, H_SIZE },
	{ "Memory remaining", VJ_MEM_REMAINING, H_SIZE },
	{ "Memory total", VJ_MEM_TOTAL, H_SIZE },
	{ "Memory bandwidth", VJ_MEM_BPS, H_RATE },
	{ "File processed", VJ_DISK_PROCESSED, H_SIZE },
	{ "File total", VJ_DISK_TOTAL, H_SIZE },
	{ "Normal data", VJ_NORMAL_BYTES, H_SIZE },
	{ "Iteration", VJ_ITERATIONS, H_COUNT },
	{ "Dirty rate", VJ_DIRTY_RATE, H_COUNT },
};

/* virsh's vshPrettyCapacity units: a number "x 10^9" times 1024^k, as bytes; -1 when unknown or too large. */
static int64_t scale_size(int64_t nano, struct cur *c)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)nano / 1e9;
	size_t k;

	vt_ws(c);
	for (k = sizeof(units) / sizeof(units[0]); k-- > 0;) {
		struct cur s = *c;

		if (vt_lit(&s, units[k]) && !cur_left(&s)) {
			size_t i;

			for (i = 0; i < k; i++)
				v *= 1024.0;
			if (v < 0 || v >= 9.2e18)
				return -1;
			return (int64_t)(v + 0.5);
		}
	}
	return -1;
}

/* One "value unit" by how; -1 when it does not read. */
static int64_t value(struct cur *c, enum how how)
{
	int64_t nano, v;

	vt_ws(c);
	if (!vt_nano(c, &nano) || nano < 0)
		return -1;
	switch (how) {
	case H_MS:
		vt_ws(c);
		if (!vt_lit(c, "ms"))
			return -1;
		return nano / MM_NS_PER_S;
	case H_SIZE:
		return scale_size(nano, c);
	case H_RATE:
		/* "112.000 MiB/s": bytes per second as bits. */
		vt_ws(c);
		{
			struct cur s = *c;
			const uint8_t *slash = memchr(s.p, '/', cur_left(&s));

			if (!slash)
				return -1;
			s.end = slash;
			v = scale_size(nano, &s);
			return v < 0 || v > INT64_MAX / 8 ? -1 : v * 8;
		}
	case H_COUNT:
		return nano / MM_NS_PER_S;
	}
	return -1;
}

static struct vjob *new_job(struct vjobs *v, enum vjob_kind kind, unsigned long line)
{
	struct vjob *nj, *j;
	size_t i;

	if (v->n >= VJOB_MAX) {
		v->dropped++;
		return NULL;
	}
	nj = realloc(v->j, (v->n + 1) * sizeof(*nj));
	if (!nj)
		return NULL;
	v->j = nj;
	j = &v->j[v->n++];
	memset(j, 0, sizeof(*j));
	j->kind = kind;
	j->line = line;
	for (i = 0; i < VJ_COUNT; i++)
		j->fig[i] = VJOB_NONE;
	j->t_setup = j->t_done = j->t_stop = j->t_resume = MM_NS_NONE;
	return j;
}

int vjob_parse_domjobinfo(struct vjobs *v, struct view_file *f, char *err, size_t errlen)
{
	struct vjob *j = NULL;
	struct cur line;
	int started = 0;

	memset(v, 0, sizeof(*v));
	while (view_file_line(f, &line)) {
		const uint8_t *colon = memchr(line.p, ':', cur_left(&line)), *e;
		struct cur val;
		size_t i, n;

		if (!colon) {
			if (!vt_blank(&line))
				v->unknown++;
			continue;
		}
		e = colon;
		while (e > line.p && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		n = (size_t)(e - line.p);
		cur_init(&val, colon + 1, (size_t)(line.end - colon - 1));
		vt_ws(&val);
		if (n == 8 && memcmp(line.p, "Job type", 8) == 0) {
			j = new_job(v, VJOB_DOMJOBINFO, f->lineno);
			if (!j && v->n < VJOB_MAX)
				goto oom;
			started = 1;
			if (j)
				vt_copy(j->status, sizeof(j->status), val.p, val.end);
			continue;
		}
		if (!started) {
			v->unknown++;
			continue;
		}
		if (!j)
			continue;	/* over the cap */
		if (n == 9 && memcmp(line.p, "Operation", 9) == 0) {
			vt_copy(j->operation, sizeof(j->operation), val.p, val.end);
			continue;
		}
		for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
			if (strlen(labels[i].label) == n && memcmp(labels[i].label, line.p, n) == 0)
				break;
		if (i == sizeof(labels) / sizeof(labels[0])) {
			v->unknown++;
			continue;
		}
		{
			int64_t x = value(&val, labels[i].how);

			if (x < 0) {
				snprintf(err, errlen, "%s:%lu: %s: not a number and unit virsh prints", f->path,
					 f->lineno, labels[i].label);
				return -1;
			}
			j->fig[labels[i].fig] = x;
			if (labels[i].how == H_SIZE)
				j->rounded = 1;
		}
	}
	v->lines = f->lines;
	v->overlong = f->overlong;
	if (!started) {
		snprintf(err, errlen, "%s: no domjobinfo output in it (no 'Job type:' line)", f->path);
		return -1;
	}
	return 0;
oom:
	snprintf(err, errlen, "%s: out of memory", f->path);
	return -1;
}

struct vjob *vjob_new(struct vjobs *v, enum vjob_kind kind, unsigned long line)
{
	return new_job(v, kind, line);
}
