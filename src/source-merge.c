/* source-merge.c - many saved captures on one timeline: rotated parts joined into one vantage point, the rest merged by timestamp. */
#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "source-order.h"
#include "srcfile.h"

/* One capture (vantage point): its parts, read one after the other. */
struct lane {
	size_t start, n;		/* its inputs: order[start .. start + n) */
	size_t cur;
};

struct source {
	struct srcfile *in;
	size_t n;
	struct srcfile_filters ff;
	size_t *order;			/* input indices, capture by capture, parts in order */
	struct lane *lanes;
	size_t nlanes;
	long last;			/* lane whose frame was handed out last; -1 none */
	uint64_t filtered_out;
	struct source_order *ro;	/* once a file with several interfaces is met: time order again */
	int drained;			/* every input is read: what ro holds goes out */
};

static struct srcfile *lane_input(struct source *s, const struct lane *l)
{
	return &s->in[s->order[l->start + l->cur]];
}

/* The lane's next frame (after the one handed out when `step`): the next part when one ends. */
static void lane_advance(struct source *s, struct lane *l, int step)
{
	struct srcfile *in = lane_input(s, l);

	if (step)
		srcfile_advance(in, &s->ff);
	while (!in->ready) {
		srcfile_finish(in);
		if (l->cur + 1 >= l->n)
			return;
		l->cur++;
		in = lane_input(s, l);
		srcfile_resume(in, &s->ff);
	}
}

/* Enough descriptors for every input of a long rotation (each part stays open until read). */
static void raise_fd_limit(size_t n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= n + 64)
		return;
	rl.rlim_cur = (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > n + 64) ? n + 64 : rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
}

/* One pipe named twice (- and /dev/stdin) would split its frames between two inputs. */
static int same_pipe(struct source *s, size_t i, char *err, size_t errlen)
{
	dev_t d1, d2;
	ino_t i1, i2;
	size_t j;

	if (!s->in[i].info.pipe)
		return 0;
	instream_id(s->in[i].st, &d1, &i1);
	for (j = 0; j < i; j++) {
		if (!s->in[j].info.pipe || !s->in[j].st)
			continue;
		instream_id(s->in[j].st, &d2, &i2);
		if (d1 == d2 && i1 == i2) {
			snprintf(err, errlen, "%s: the same pipe as %s; a stream can be read only once",
				 s->in[i].info.path, s->in[j].info.path);
			return -1;
		}
	}
	return 0;
}

/* Which files are one capture; the lanes in capture order. 0, or -1 with a reason. */
static int plan(struct source *s, enum join_mode mode, char *err, size_t errlen)
{
	struct join_item *it = calloc(s->n, sizeof(*it));
	unsigned *group = calloc(s->n, sizeof(*group)), *part = calloc(s->n, sizeof(*part));
	size_t i, j, bad = 0;
	int ng, rc = -1;

	if (!it || !group || !part)
		goto oom;
	for (i = 0; i < s->n; i++) {
		struct srcfile *in = &s->in[i];

		it[i].sig = in->sig;
		it[i].first = in->first_ts;
		it[i].last = MM_NS_NONE;
		if (mode != JOIN_AUTO || in->info.pipe || !in->st)
			continue;
		/* Only a file that could join another is worth a scan of its record times. */
		for (j = 0; j < s->n; j++)
			if (j != i && !s->in[j].info.pipe && strcmp(s->in[j].sig, in->sig) == 0)
				break;
		if (j < s->n && join_scan(in->st, 0, SOURCE_MAX_NS, &it[i].first, &it[i].last) == 0)
			it[i].scanned = 1;
	}
	ng = join_decide(it, s->n, mode, group, part, &bad);
	if (ng < 0 && mode == JOIN_ONE) {
		snprintf(err, errlen, "--inputs one-capture: %s and %s cannot be parts of one capture "
			 "(different link types or interfaces)", s->in[0].info.path, s->in[bad].info.path);
		goto out;
	}
	s->order = ng > 0 ? calloc(s->n, sizeof(*s->order)) : NULL;
	s->lanes = ng > 0 ? calloc((size_t)ng, sizeof(*s->lanes)) : NULL;
	if (!s->order || !s->lanes)
		goto oom;
	s->nlanes = (size_t)ng;
	for (i = 0; i < s->n; i++)
		s->lanes[group[i]].n++;
	for (i = 1; i < s->nlanes; i++)
		s->lanes[i].start = s->lanes[i - 1].start + s->lanes[i - 1].n;
	for (i = 0; i < s->n; i++) {
		s->order[s->lanes[group[i]].start + part[i]] = i;
		s->in[i].info.capture = group[i] + 1;
		s->in[i].info.part = part[i] + 1;
		s->in[i].info.parts = (unsigned)s->lanes[group[i]].n;
	}
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	free(it);
	free(group);
	free(part);
	return rc;
}

struct source *source_open_files(char *const *paths, size_t n, enum join_mode mode,
				 const struct filter_spec *mig, const struct filter_spec *icmp,
				 char *err, size_t errlen)
{
	struct source *s;
	size_t i;

	if (n == 0) {
		snprintf(err, errlen, "no capture file given");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s)
		s->in = calloc(n, sizeof(*s->in));
	if (!s || !s->in) {
		snprintf(err, errlen, "out of memory");
		free(s);
		return NULL;
	}
	s->ff.mig = mig;
	s->ff.icmp = icmp;
	s->last = -1;
	raise_fd_limit(n);
	for (i = 0; i < n; i++) {
		s->n = i + 1;
		if (srcfile_open(&s->in[i], paths[i], err, errlen) < 0 || same_pipe(s, i, err, errlen) < 0 ||
		    srcfile_probe(&s->in[i], &s->ff, err, errlen) < 0)
			goto fail;
		/* Known now: its format, interfaces, first time.  Files wait at their start until read. */
		if (n > 1)
			srcfile_park(&s->in[i]);
	}
	if (plan(s, n > 1 ? mode : JOIN_SEPARATE, err, errlen) < 0)
		goto fail;
	for (i = 0; i < s->nlanes; i++) {
		srcfile_resume(lane_input(s, &s->lanes[i]), &s->ff);
		lane_advance(s, &s->lanes[i], 0);
	}
	return s;
fail:
	source_close(s);
	return NULL;
}

mm_ns source_first_ts(const struct source *s)
{
	mm_ns t = MM_NS_NONE;
	size_t k;

	for (k = 0; k < s->nlanes; k++) {
		const struct srcfile *in = &s->in[s->order[s->lanes[k].start + s->lanes[k].cur]];

		if (in->ready && (t == MM_NS_NONE || in->ts < t))
			t = in->ts;
	}
	return t;
}

/* The next frame in file order, merged across the captures by time; *multi: its file has several interfaces. */
static int pick(struct source *s, struct source_frame *f, int *multi)
{
	for (;;) {
		struct srcfile *best = NULL;
		unsigned match;
		size_t k;

		if (s->last >= 0)
			lane_advance(s, &s->lanes[s->last], 1);
		s->last = -1;
		for (k = 0; k < s->nlanes; k++) {
			struct srcfile *in = lane_input(s, &s->lanes[k]);

			if (in->ready && (!best || in->ts < best->ts)) {
				best = in;
				s->last = (long)k;
			}
		}
		if (!best)
			return 0;
		match = srcfile_match(best);
		if (!match) {
			s->filtered_out++;
			continue;
		}
		best->info.matched++;
		f->data = best->data;
		f->caplen = best->hdr->caplen;
		f->len = best->hdr->len;
		f->ts = best->ts;
		f->src = (unsigned)s->order[s->lanes[s->last].start];
		f->ifid = best->ifid;
		f->dlt = best->ifs[best->ifid].dlt;
		f->match = match;
		*multi = best->nifs > 1;
		return 1;
	}
}

int source_next(struct source *s, struct source_frame *f)
{
	struct source_frame g;
	int multi = 0;

	if (!s->ro) {
		if (pick(s, f, &multi) == 0)
			return 0;
		if (!multi || (s->ro = source_order_new()) == NULL)
			return 1;	/* (out of memory: file order, as before) */
		if (source_order_push(s->ro, f) < 0)
			return 1;
	}
	/* from the first frame of a file with several interfaces on, every frame goes through ro */
	while (!source_order_pop(s->ro, s->drained, f)) {
		if (s->drained)
			return 0;
		if (pick(s, &g, &multi) == 0)
			s->drained = 1;
		else if (source_order_push(s->ro, &g) < 0) {
			*f = g;	/* out of memory: this one goes out as it comes */
			return 1;
		}
	}
	return 1;
}

size_t source_count(const struct source *s)
{
	return s->n;
}

const struct source_input *source_input(const struct source *s, size_t i)
{
	return i < s->n ? &s->in[i].info : NULL;
}

uint64_t source_filtered_out(const struct source *s)
{
	return s->filtered_out;
}

void source_close(struct source *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		srcfile_free(&s->in[i]);
	srcfile_filters_release(&s->ff);
	source_order_free(s->ro);
	free(s->order);
	free(s->lanes);
	free(s->in);
	free(s);
}
