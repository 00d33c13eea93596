/* source-file.c - saved pcap/pcapng captures, read and merged into one timeline by timestamp. */
#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfmemo.h"
#include "cursor.h"
#include "decode.h"

struct input {
	pcap_t *pcap;
	struct bpf_program mig, icmp;
	int have_mig, have_icmp;
	/* The filters' verdicts by the bytes they read: pcap_offline_filter's answer, faster. */
	struct bpfmemo *mig_memo, *icmp_memo;
	struct source_input info;
	/* The frame read ahead, valid while `ready`. */
	int ready;
	struct pcap_pkthdr *hdr;
	const u_char *data;
	mm_ns ts;
};

struct source {
	struct input *in;
	size_t n;
	long last;		/* input whose frame was handed out last; -1 none */
	uint64_t filtered_out;
};

/*
 * Timestamp decimals the file really carries.  libpcap is asked for
 * nanoseconds whatever the file holds, so this comes from the file itself:
 * the pcap magic, or the pcapng if_tsresol options of the interfaces
 * described before the first packet (pcapng spec, draft-ietf-opsawg-pcapng).
 */
static int file_digits(const char *path, int *pcapng)
{
	uint8_t buf[65536];
	size_t n;
	FILE *fp = fopen(path, "rb");
	struct cur c;
	uint32_t magic;
	int digits = 6, little = 1, blocks;

	*pcapng = 0;
	if (!fp)
		return 6;
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	cur_init(&c, buf, n);
	magic = cur_be32(&c);
	if (magic == 0xa1b23c4dU || magic == 0x4d3cb2a1U)
		return 9;
	if (magic != 0x0a0d0d0aU)
		return 6;
	*pcapng = 1;
	/* Section header: type, length, byte-order magic 0x1A2B3C4D. */
	cur_init(&c, buf, n);
	cur_skip(&c, 8);
	little = cur_le32(&c) == 0x1A2B3C4DU;
	cur_init(&c, buf, n);
	for (blocks = 0; blocks < 64 && cur_left(&c) >= 12; blocks++) {
		uint32_t type = little ? cur_le32(&c) : cur_be32(&c);
		uint32_t len = little ? cur_le32(&c) : cur_be32(&c);
		struct cur body;
		const uint8_t *b;

		if (c.err || len < 12 || len % 4 || len - 8 > cur_left(&c))
			break;
		b = cur_take(&c, len - 8);
		if (type == 6 || type == 3 || type == 2)	/* first packet block: done */
			break;
		if (type != 1)					/* not an interface description */
			continue;
		cur_init(&body, b, len - 12);
		cur_skip(&body, 8);				/* linktype, reserved, snaplen */
		while (cur_left(&body) >= 4) {
			uint16_t code = little ? cur_le16(&body) : cur_be16(&body);
			uint16_t olen = little ? cur_le16(&body) : cur_be16(&body);
			const uint8_t *v = cur_take(&body, ((size_t)olen + 3u) & ~3u);

			if (!v || code == 0)
				break;
			if (code == 9 && olen == 1) {		/* if_tsresol */
				int d = (v[0] & 0x80) ? ((v[0] & 0x7f) * 3 + 9) / 10 : v[0];

				if (d > digits)
					digits = d > 9 ? 9 : d;
			}
		}
	}
	return digits;
}

/* Latest time a record may carry (2262 is where int64 nanoseconds end; stop well before). */
#define SOURCE_MAX_SEC 7258118400LL	/* 2200-01-01 */

/*
 * The record's time in nanoseconds, or MM_NS_NONE when it is before the
 * epoch or absurdly late (a damaged record: its time would wreck the
 * timeline, so the frame is skipped and counted).
 */
static mm_ns hdr_ts(const struct pcap_pkthdr *h)
{
	/* Opened with nanosecond precision: tv_usec holds nanoseconds. */
	if (h->ts.tv_sec < 0 || (long long)h->ts.tv_sec > SOURCE_MAX_SEC ||
	    h->ts.tv_usec < 0 || h->ts.tv_usec >= MM_NS_PER_S)
		return MM_NS_NONE;
	return (mm_ns)h->ts.tv_sec * MM_NS_PER_S + (mm_ns)h->ts.tv_usec;
}

/* Reads ahead the next frame of an input; stops the input at its end or on damage. */
static void advance(struct input *in)
{
	int rc;

	in->ready = 0;
	if (!in->pcap || in->info.failed)
		return;
	for (;;) {
		rc = pcap_next_ex(in->pcap, &in->hdr, &in->data);
		if (rc != 1)
			break;
		in->info.frames++;
		in->ts = hdr_ts(in->hdr);
		if (in->ts != MM_NS_NONE) {
			in->ready = 1;
			return;
		}
		in->info.bad_time++;
	}
	if (rc == PCAP_ERROR) {
		in->info.failed = 1;
		snprintf(in->info.err, sizeof(in->info.err), "%s", pcap_geterr(in->pcap));
	}
}

static int open_input(struct input *in, const char *path, const struct filter_spec *mig,
		      const struct filter_spec *icmp, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	char ferr[512];
	FILE *probe;

	memset(in, 0, sizeof(*in));
	in->info.path = path;
	probe = fopen(path, "rb");
	if (!probe) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	fclose(probe);
	in->pcap = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!in->pcap) {
		snprintf(err, errlen, "%s: not a readable pcap or pcapng capture (%s)", path, perr);
		return -1;
	}
	in->info.dlt = pcap_datalink(in->pcap);
	in->info.dlt_name = pcap_datalink_val_to_name(in->info.dlt);
	if (!in->info.dlt_name)
		in->info.dlt_name = "?";
	if (!dec_link_supported(in->info.dlt)) {
		snprintf(err, errlen, "%s: unsupported link type %d (%s)", path, in->info.dlt,
			 in->info.dlt_name);
		return -1;
	}
	in->info.digits = file_digits(path, &in->info.format_pcapng);
	if (mig) {
		if (filter_compile(mig, in->pcap, &in->mig, ferr, sizeof(ferr)) < 0) {
			snprintf(err, errlen, "migration filter for %s: %s", path, ferr);
			return -1;
		}
		in->have_mig = 1;
		in->mig_memo = bpfmemo_new(&in->mig);
		if (!in->mig_memo) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	if (icmp) {
		if (filter_compile(icmp, in->pcap, &in->icmp, ferr, sizeof(ferr)) < 0) {
			snprintf(err, errlen, "ICMP filter for %s: %s", path, ferr);
			return -1;
		}
		in->have_icmp = 1;
		in->icmp_memo = bpfmemo_new(&in->icmp);
		if (!in->icmp_memo) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	advance(in);
	return 0;
}

static void close_input(struct input *in)
{
	bpfmemo_free(in->mig_memo);
	bpfmemo_free(in->icmp_memo);
	in->mig_memo = in->icmp_memo = NULL;
	if (in->have_mig)
		pcap_freecode(&in->mig);
	if (in->have_icmp)
		pcap_freecode(&in->icmp);
	if (in->pcap)
		pcap_close(in->pcap);
	in->pcap = NULL;
	in->have_mig = in->have_icmp = 0;
}

struct source *source_open_files(char *const *paths, size_t n, const struct filter_spec *mig,
				 const struct filter_spec *icmp, char *err, size_t errlen)
{
	struct source *s;
	size_t i;

	s = calloc(1, sizeof(*s));
	if (!s || n == 0) {
		snprintf(err, errlen, n == 0 ? "no capture file given" : "out of memory");
		free(s);
		return NULL;
	}
	s->in = calloc(n, sizeof(*s->in));
	if (!s->in) {
		snprintf(err, errlen, "out of memory");
		free(s);
		return NULL;
	}
	s->last = -1;
	for (i = 0; i < n; i++) {
		s->n = i + 1;
		if (open_input(&s->in[i], paths[i], mig, icmp, err, errlen) < 0) {
			source_close(s);
			return NULL;
		}
	}
	return s;
}

int source_next(struct source *s, struct source_frame *f)
{
	for (;;) {
		struct input *best = NULL;
		size_t i;
		unsigned match = 0;

		if (s->n == 1) {
			/* One input: nothing to merge. */
			best = &s->in[0];
			if (s->last == 0)
				advance(best);
			s->last = 0;
			if (!best->ready) {
				s->last = -1;
				return 0;
			}
		} else {
			if (s->last >= 0)
				advance(&s->in[s->last]);
			s->last = -1;
			for (i = 0; i < s->n; i++) {
				struct input *in = &s->in[i];

				if (in->ready && (!best || in->ts < best->ts)) {
					best = in;
					s->last = (long)i;
				}
			}
			if (!best)
				return 0;
		}
		if (best->have_mig && bpfmemo_filter(best->mig_memo, best->hdr, best->data))
			match |= SOURCE_MATCH_MIG;
		/* Migration TCP cannot also be echo traffic: save the second filter run. */
		if (!match && best->have_icmp &&
		    bpfmemo_filter(best->icmp_memo, best->hdr, best->data))
			match |= SOURCE_MATCH_ICMP;
		if (!match) {
			s->filtered_out++;
			continue;
		}
		best->info.matched++;
		f->data = best->data;
		f->caplen = best->hdr->caplen;
		f->len = best->hdr->len;
		f->ts = best->ts;
		f->src = (unsigned)s->last;
		f->dlt = best->info.dlt;
		f->match = match;
		return 1;
	}
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
		close_input(&s->in[i]);
	free(s->in);
	free(s);
}
