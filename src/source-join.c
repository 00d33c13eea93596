/* source-join.c - rotated captures: each file's time range (a pread scan) and which files are one capture. */
#include "join.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "pcapng.h"

/* ---- the decision ------------------------------------------------------- */

/* By first record time (unknown last), then input index: a stable order. */
static int by_first(const void *a, const void *b, void *ctx)
{
	const struct join_item *it = ctx;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	mm_ns x = it[i].first, y = it[j].first;

	if (x != y) {
		if (x == MM_NS_NONE)
			return 1;
		if (y == MM_NS_NONE)
			return -1;
		return x < y ? -1 : 1;
	}
	return i < j ? -1 : i > j ? 1 : 0;
}

static int same_sig(const struct join_item *a, const struct join_item *b)
{
	return strcmp(a->sig ? a->sig : "", b->sig ? b->sig : "") == 0;
}

int join_decide(const struct join_item *it, size_t n, enum join_mode mode, unsigned *group,
		unsigned *part, size_t *bad)
{
	size_t *order, *tail, i, k, ngroups = 0;
	unsigned *remap, next = 0;
	mm_ns *glast;
	int rc = -1;

	if (n == 0)
		return 0;
	order = calloc(n, sizeof(*order));
	tail = calloc(n, sizeof(*tail));	/* per provisional group: its last part's input */
	glast = calloc(n, sizeof(*glast));
	remap = calloc(n, sizeof(*remap));
	if (!order || !tail || !glast || !remap)
		goto out;
	for (i = 0; i < n; i++)
		order[i] = i;
	if (mode == JOIN_ONE) {
		for (i = 1; i < n; i++) {
			if (!same_sig(&it[0], &it[i])) {
				*bad = i;
				goto out;
			}
		}
	}
	qsort_r(order, n, sizeof(*order), by_first, (void *)it);
	for (k = 0; k < n; k++) {
		size_t x = order[k], g, best = n;

		if (mode == JOIN_SEPARATE || (mode == JOIN_AUTO && (!it[x].scanned || it[x].first == MM_NS_NONE))) {
			best = n;
		} else if (mode == JOIN_ONE) {
			best = ngroups ? 0 : n;
		} else {
			for (g = 0; g < ngroups; g++) {
				const struct join_item *t = &it[tail[g]];

				if (!t->scanned || glast[g] == MM_NS_NONE || !same_sig(t, &it[x]) ||
				    glast[g] > it[x].first)
					continue;
				if (best == n || glast[g] > glast[best])
					best = g;
			}
		}
		if (best == n) {
			best = ngroups++;
			part[x] = 0;
		} else {
			part[x] = part[tail[best]] + 1;
		}
		group[x] = (unsigned)best;
		tail[best] = x;
		glast[best] = it[x].last != MM_NS_NONE ? it[x].last : it[x].first;
	}
	/* Captures numbered by their lowest input index: the command line's order. */
	for (i = 0; i < n; i++)
		remap[i] = UINT32_MAX;
	for (i = 0; i < n; i++) {
		if (remap[group[i]] == UINT32_MAX)
			remap[group[i]] = next++;
		group[i] = remap[group[i]];
	}
	rc = (int)ngroups;
out:
	free(order);
	free(tail);
	free(glast);
	free(remap);
	return rc;
}

/* ---- the scan ----------------------------------------------------------- */

#define WIN (64u << 10)

/* A pread window: reads at `off`, refilled where a read falls outside it. */
struct win {
	struct instream *s;
	uint64_t off;		/* the next byte to read */
	uint64_t boff;		/* file offset of buf[0] */
	size_t blen;
	uint8_t buf[WIN];
};

static ssize_t win_read(void *ctx, void *dst, size_t n)
{
	struct win *w = ctx;
	ssize_t k;

	if (n > WIN) {
		k = instream_pread(w->s, dst, n, w->off);
		if (k > 0)
			w->off += (uint64_t)k;
		return k;
	}
	if (w->off < w->boff || w->off + n > w->boff + w->blen) {
		k = instream_pread(w->s, w->buf, WIN, w->off);
		if (k < 0)
			return -1;
		w->boff = w->off;
		w->blen = (size_t)k;
	}
	k = (ssize_t)(w->boff + w->blen - w->off);
	if ((size_t)k > n)
		k = (ssize_t)n;
	memcpy(dst, w->buf + (w->off - w->boff), (size_t)k);
	w->off += (uint64_t)k;
	return k;
}

static int win_skip(void *ctx, uint64_t n)
{
	struct win *w = ctx;

	w->off += n;
	return 0;
}

static void note(mm_ns t, mm_ns lo, mm_ns hi, mm_ns *first, mm_ns *last)
{
	if (t == MM_NS_NONE || t < lo || t > hi)
		return;
	if (*first == MM_NS_NONE)
		*first = t;
	*last = t;
}

static void scan_pcapng(struct win *w, mm_ns lo, mm_ns hi, mm_ns *first, mm_ns *last)
{
	struct pcapng_io io = { win_read, win_skip, w };
	struct pcapng_rd *r = pcapng_new(&io, 1);
	struct pcapng_pkt p;

	if (!r)
		return;
	while (pcapng_next(r, &p) == 1)
		note(p.ts, lo, hi, first, last);
	pcapng_free(r);
}

/* libpcap's largest captured length for the link types migmeter reads (MAXIMUM_SNAPLEN). */
#define PCAP_MAX_CAPLEN 262144u

/* Classic pcap (pcap-savefile(5)): magic, both byte orders, micro/nanoseconds, the modified format's longer records. */
static void scan_pcap(struct win *w, uint32_t magic, mm_ns lo, mm_ns hi, mm_ns *first, mm_ns *last)
{
	int big = 0, nano = 0;
	size_t rec = 16;
	uint8_t h[24];

	switch (magic) {
	case 0xa1b2c3d4U: break;
	case 0xd4c3b2a1U: big = 1; break;
	case 0xa1b23c4dU: nano = 1; break;
	case 0x4d3cb2a1U: big = 1; nano = 1; break;
	case 0xa1b2cd34U: rec = 24; break;
	case 0x34cdb2a1U: big = 1; rec = 24; break;
	default: return;
	}
	w->off = 24;
	for (;;) {
		struct cur c;
		int32_t sec, frac;	/* signed, as libpcap reads them */
		uint32_t caplen;
		mm_ns t = MM_NS_NONE;

		if (win_read(w, h, rec) != (ssize_t)rec)
			return;
		cur_init(&c, h, rec);
		sec = (int32_t)(big ? cur_be32(&c) : cur_le32(&c));
		frac = (int32_t)(big ? cur_be32(&c) : cur_le32(&c));
		caplen = big ? cur_be32(&c) : cur_le32(&c);
		if (caplen > PCAP_MAX_CAPLEN)
			return;		/* damage: libpcap stops here too */
		if (frac >= 0 && frac < (nano ? 1000000000 : 1000000))
			t = (mm_ns)sec * MM_NS_PER_S + (mm_ns)frac * (nano ? 1 : 1000);
		note(t, lo, hi, first, last);
		w->off += caplen;
	}
}

int join_scan(struct instream *s, mm_ns lo, mm_ns hi, mm_ns *first, mm_ns *last)
{
	struct win *w = calloc(1, sizeof(*w));
	uint8_t m[4];
	struct cur c;
	uint32_t magic;

	*first = *last = MM_NS_NONE;
	if (!w)
		return -1;
	w->s = s;
	if (instream_pread(s, m, 4, 0) != 4) {
		free(w);
		return -1;
	}
	cur_init(&c, m, 4);
	magic = cur_le32(&c);
	if (magic == 0x0A0D0D0AU)
		scan_pcapng(w, lo, hi, first, last);
	else
		scan_pcap(w, magic, lo, hi, first, last);
	free(w);
	return 0;
}
