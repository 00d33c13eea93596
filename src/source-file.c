/* source-file.c - one saved capture (file, stdin, FIFO) opened once and read whole: pcap by libpcap, pcapng by source-pcapng.c. */
#include "srcfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfmemo.h"
#include "cursor.h"
#include "decode.h"

/*
 * Classic pcap goes through libpcap (pcap_fopen_offline on a stdio
 * stream over the input's one buffer, so the magic looked at first is
 * still there for libpcap on a pipe): its record checks are what the
 * hostile captures are held to, and it knows every classic variant
 * (both byte orders, nanoseconds, the modified format).  pcapng is read
 * by source-pcapng.c instead: libpcap 1.10 stops at an interface of a
 * second link type or snap length and hides which interface a packet
 * came on.
 */

/* Filters need a snap length; it changes only the accept value, never the verdict. */
#define FILT_SNAPLEN 262144

struct srcfile_filt {
	int dlt;
	struct bpf_program mig, icmp;
	int have_mig, have_icmp;
	/* The filters' verdicts by the bytes they read: pcap_offline_filter's answer, faster. */
	struct bpfmemo *mig_memo, *icmp_memo;
};

/* pcapng writes LINKTYPE_ values; raw IP is the one whose DLT_ differs (libpcap maps it the same way). */
static int lt_to_dlt(uint32_t lt)
{
	return lt == 101 ? DLT_RAW : (int)lt;
}

static const char *dlt_name(int dlt)
{
	const char *n = pcap_datalink_val_to_name(dlt);

	return n ? n : "?";
}

static void free_filt(struct srcfile_filt *f)
{
	if (!f)
		return;
	bpfmemo_free(f->mig_memo);
	bpfmemo_free(f->icmp_memo);
	if (f->have_mig)
		pcap_freecode(&f->mig);
	if (f->have_icmp)
		pcap_freecode(&f->icmp);
	free(f);
}

static int compile_one(const struct filter_spec *spec, pcap_t *p, struct bpf_program *prog,
		       struct bpfmemo **memo, const char *what, const char *path, int dlt,
		       char *err, size_t errlen)
{
	char ferr[512];

	if (filter_compile(spec, p, prog, ferr, sizeof(ferr)) < 0) {
		snprintf(err, errlen, "%s filter for %s (link type %s): %s", what, path, dlt_name(dlt), ferr);
		return -1;
	}
	*memo = bpfmemo_new(prog);
	if (!*memo) {
		pcap_freecode(prog);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* The filters for link type dlt, compiled once per replay. NULL with a reason. */
static struct srcfile_filt *get_filt(struct srcfile_filters *ff, int dlt, const char *path, char *err,
				     size_t errlen)
{
	struct srcfile_filt *f, **grown;
	pcap_t *p;
	size_t i;

	for (i = 0; i < ff->n; i++)
		if (ff->f[i]->dlt == dlt)
			return ff->f[i];
	f = calloc(1, sizeof(*f));
	grown = realloc(ff->f, (ff->n + 1) * sizeof(*grown));
	p = pcap_open_dead(dlt, FILT_SNAPLEN);
	if (!f || !grown || !p) {
		free(f);
		if (grown)
			ff->f = grown;
		if (p)
			pcap_close(p);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ff->f = grown;
	f->dlt = dlt;
	if (ff->mig) {
		if (compile_one(ff->mig, p, &f->mig, &f->mig_memo, "migration", path, dlt, err, errlen) < 0)
			goto fail;
		f->have_mig = 1;
	}
	if (ff->icmp) {
		if (compile_one(ff->icmp, p, &f->icmp, &f->icmp_memo, "ICMP", path, dlt, err, errlen) < 0)
			goto fail;
		f->have_icmp = 1;
	}
	pcap_close(p);
	ff->f[ff->n++] = f;
	return f;
fail:
	pcap_close(p);
	free_filt(f);
	return NULL;
}

/* Adds an interface; its filters when the decoder knows its link type. 0, or -1 with a reason. */
static int add_iface(struct srcfile_filters *ff, struct srcfile *in, int dlt, uint32_t snaplen,
		     int digits, const char *name, char *err, size_t errlen)
{
	struct source_iface *f;

	if (in->nifs == in->ifcap) {
		size_t cap = in->ifcap ? in->ifcap * 2 : 2;
		struct source_iface *a = realloc(in->ifs, cap * sizeof(*a));
		struct srcfile_filt **b;

		if (a)
			in->ifs = a;
		b = a ? realloc(in->ifilt, cap * sizeof(*b)) : NULL;
		if (!b) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		in->ifilt = b;
		in->ifcap = cap;
	}
	f = &in->ifs[in->nifs];
	memset(f, 0, sizeof(*f));
	f->dlt = dlt;
	f->dlt_name = dlt_name(dlt);
	f->snaplen = snaplen;
	f->digits = digits;
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->supported = dec_link_supported(dlt);
	in->ifilt[in->nifs] = NULL;
	if (f->supported) {
		in->ifilt[in->nifs] = get_filt(ff, dlt, in->info.path, err, errlen);
		if (!in->ifilt[in->nifs])
			return -1;
	}
	in->nifs++;
	in->info.ifaces = in->ifs;
	in->info.nifaces = in->nifs;
	if (digits > in->info.digits)
		in->info.digits = digits > 9 ? 9 : digits;
	return 0;
}

/* Stops an input; `why` is kept (cut to fit) for the report. */
static void fail_input(struct srcfile *in, const char *why)
{
	size_t n = strlen(why);

	if (n >= sizeof(in->info.err))
		n = sizeof(in->info.err) - 1;
	memcpy(in->info.err, why, n);
	in->info.err[n] = '\0';
	in->info.failed = 1;
}

/* Interfaces the pcapng reader described since the last call. 0, or -1 (the input failed). */
static int sync_ifaces(struct srcfile_filters *ff, struct srcfile *in)
{
	char err[512];

	while (in->nifs < pcapng_iface_count(in->ng)) {
		const struct pcapng_if *f = pcapng_iface(in->ng, in->nifs);

		if (add_iface(ff, in, lt_to_dlt(f->linktype), f->snaplen, f->digits, f->name, err,
			      sizeof(err)) < 0) {
			fail_input(in, err);
			return -1;
		}
	}
	return 0;
}

/*
 * A pcap record's time in nanoseconds, or MM_NS_NONE when it is before
 * the epoch or absurdly late (a damaged record: its time would wreck the
 * timeline, so the frame is skipped and counted).  Opened with
 * nanosecond precision: tv_usec holds nanoseconds.
 */
static mm_ns hdr_ts(const struct pcap_pkthdr *h)
{
	if (h->ts.tv_sec < 0 || (long long)h->ts.tv_sec > SOURCE_MAX_NS / MM_NS_PER_S ||
	    h->ts.tv_usec < 0 || h->ts.tv_usec >= MM_NS_PER_S)
		return MM_NS_NONE;
	return (mm_ns)h->ts.tv_sec * MM_NS_PER_S + (mm_ns)h->ts.tv_usec;
}

/* The next record of one file (pcap or pcapng): 1, 0 at its end, -1 damaged (info says why). */
static int next_record(struct srcfile_filters *ff, struct srcfile *in, mm_ns *ts)
{
	struct pcapng_pkt p;
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc;

	if (in->pcap) {
		rc = pcap_next_ex(in->pcap, &h, &d);
		if (rc == PCAP_ERROR)
			fail_input(in, pcap_geterr(in->pcap));
		if (rc != 1)
			return rc == PCAP_ERROR ? -1 : 0;
		in->hdr = h;
		in->data = d;
		in->ifid = 0;
		*ts = hdr_ts(h);
		return 1;
	}
	rc = pcapng_next(in->ng, &p);
	if (sync_ifaces(ff, in) < 0)
		return -1;
	if (rc < 0)
		fail_input(in, pcapng_error(in->ng));
	if (rc != 1)
		return rc;
	*ts = p.ts;
	in->ngh.caplen = p.caplen;
	in->ngh.len = p.len;
	in->ngh.ts.tv_sec = 0;
	in->ngh.ts.tv_usec = 0;
	in->hdr = &in->ngh;
	in->data = p.data;
	in->ifid = p.ifid;
	return 1;
}

/* Reads ahead the next frame of an input; stops the input at its end or on damage. */
void srcfile_advance(struct srcfile *in, struct srcfile_filters *ff)
{
	mm_ns ts;

	in->ready = 0;
	if (in->state != SRCFILE_ACTIVE || in->info.failed)
		return;
	while (next_record(ff, in, &ts) == 1) {
		in->info.frames++;
		in->ifs[in->ifid].frames++;
		if (!in->ifs[in->ifid].supported) {
			in->info.unsupported++;
			continue;
		}
		if (ts == MM_NS_NONE || ts < 0 || ts > SOURCE_MAX_NS) {
			in->info.bad_time++;
			continue;
		}
		in->ts = ts;
		in->ready = 1;
		return;
	}
}

/* Lets go of the readers (not the file): at the end of an input, or to come back to it later. */
static void drop_readers(struct srcfile *in)
{
	if (in->pcap)
		pcap_close(in->pcap);	/* closes fp too */
	else if (in->fp)
		fclose(in->fp);
	in->pcap = NULL;
	in->fp = NULL;
	pcapng_free(in->ng);
	in->ng = NULL;
	in->ready = 0;
}

void srcfile_finish(struct srcfile *in)
{
	drop_readers(in);
	instream_close(in->st);
	in->st = NULL;
	in->state = SRCFILE_DONE;
}

static int is_pcap_magic(uint32_t m)
{
	return m == 0xa1b2c3d4U || m == 0xd4c3b2a1U || m == 0xa1b23c4dU || m == 0x4d3cb2a1U ||
	       m == 0xa1b2cd34U || m == 0x34cdb2a1U;
}

static ssize_t ng_read(void *ctx, void *buf, size_t n)
{
	return instream_read(ctx, buf, n);
}

static int ng_skip(void *ctx, uint64_t n)
{
	return instream_skip(ctx, n);
}

/*
 * Starts reading an opened input from its first byte: the format from
 * its magic, the reader, the first interfaces and the first frame.
 * Returns 0, or -1 with a reason when it is not a capture (or not one
 * migmeter can read).
 */
static int activate(struct srcfile_filters *ff, struct srcfile *in, char *err, size_t errlen)
{
	const char *path = in->info.path;
	struct pcapng_io io = { ng_read, ng_skip, in->st };
	char perr[PCAP_ERRBUF_SIZE];
	uint8_t m[4];
	ssize_t k = instream_peek(in->st, m, sizeof(m));
	struct cur c;
	uint32_t magic;
	size_t i;

	if (k < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (k < 4) {
		snprintf(err, errlen, "%s: %s: not a pcap or pcapng capture", path,
			 k == 0 ? "empty" : "too short");
		return -1;
	}
	cur_init(&c, m, 4);
	magic = cur_le32(&c);
	in->nifs = 0;
	in->info.digits = 6;
	in->info.ifaces = NULL;
	in->info.nifaces = 0;
	if (magic == 0x0A0D0D0AU) {
		in->info.format_pcapng = 1;
		in->ng = pcapng_new(&io, 0);
		if (!in->ng) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	} else if (is_pcap_magic(magic)) {
		in->info.format_pcapng = 0;
		in->fp = instream_fopen(in->st);
		in->pcap = in->fp ? pcap_fopen_offline_with_tstamp_precision(in->fp, PCAP_TSTAMP_PRECISION_NANO,
									      perr) : NULL;
		if (!in->pcap) {
			snprintf(err, errlen, "%s: not a readable pcap capture (%s)", path,
				 in->fp ? perr : "out of memory");
			return -1;
		}
		if (add_iface(ff, in, pcap_datalink(in->pcap), (uint32_t)pcap_snapshot(in->pcap),
			      (magic == 0xa1b23c4dU || magic == 0x4d3cb2a1U) ? 9 : 6, "", err, errlen) < 0)
			return -1;
	} else {
		snprintf(err, errlen, "%s: not a pcap or pcapng capture", path);
		return -1;
	}
	in->state = SRCFILE_ACTIVE;
	srcfile_advance(in, ff);
	if (in->ng && pcapng_sections(in->ng) == 0) {
		snprintf(err, errlen, "%s: not a readable pcapng capture (%s)", path, pcapng_error(in->ng));
		return -1;
	}
	if (in->nifs == 0) {
		in->info.dlt = -1;
		in->info.dlt_name = "none";
	} else {
		/* The file's link type: its first interface the decoder knows, else its first. */
		for (i = 0; i < in->nifs && !in->ifs[i].supported; i++)
			;
		if (i == in->nifs) {
			snprintf(err, errlen, "%s: unsupported link type %d (%s)", path, in->ifs[0].dlt,
				 in->ifs[0].dlt_name);
			return -1;
		}
		in->info.dlt = in->ifs[i].dlt;
		in->info.dlt_name = in->ifs[i].dlt_name;
	}
	return 0;
}

/* Readers released, so a thousand parts waiting for their turn cost a descriptor each. */
void srcfile_park(struct srcfile *in)
{
	size_t i;

	if (in->state != SRCFILE_ACTIVE || !instream_seekable(in->st))
		return;
	drop_readers(in);
	if (instream_rewind(in->st) < 0) {
		fail_input(in, strerror(errno));
		srcfile_finish(in);
		return;
	}
	in->state = SRCFILE_PARKED;
	/* It is read again from the start: nothing counted twice.  What it is stays known. */
	in->info.frames = in->info.matched = in->info.bad_time = in->info.unsupported = 0;
	for (i = 0; i < in->nifs; i++)
		in->ifs[i].frames = 0;
}

void srcfile_resume(struct srcfile *in, struct srcfile_filters *ff)
{
	char err[512];

	if (in->state != SRCFILE_PARKED)
		return;
	if (activate(ff, in, err, sizeof(err)) < 0) {
		/* The file changed since it was opened: report why and go on without it. */
		fail_input(in, err);
		srcfile_finish(in);
	}
}

/* The link types and names of an input's interfaces, as join_decide compares them. */
static char *signature(const struct srcfile *in)
{
	size_t i, len = 1, at = 0;
	char *sig;

	for (i = 0; i < in->nifs; i++)
		len += strlen(in->ifs[i].name) + 16;
	sig = malloc(len);
	if (!sig)
		return NULL;
	sig[0] = '\0';
	for (i = 0; i < in->nifs; i++)
		at += (size_t)snprintf(sig + at, len - at, "%d:%s/", in->ifs[i].dlt, in->ifs[i].name);
	return sig;
}

int srcfile_open(struct srcfile *f, const char *path, char *err, size_t errlen)
{
	f->info.path = path;
	f->first_ts = MM_NS_NONE;
	f->st = instream_open(path, err, errlen);
	if (!f->st)
		return -1;
	f->info.pipe = !instream_seekable(f->st);
	return 0;
}

int srcfile_probe(struct srcfile *f, struct srcfile_filters *ff, char *err, size_t errlen)
{
	if (activate(ff, f, err, errlen) < 0)
		return -1;
	f->sig = signature(f);
	if (!f->sig) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	f->first_ts = f->ready ? f->ts : MM_NS_NONE;
	return 0;
}

unsigned srcfile_match(const struct srcfile *f)
{
	const struct srcfile_filt *fl = f->ifilt[f->ifid];

	if (fl->have_mig && bpfmemo_filter(fl->mig_memo, f->hdr, f->data))
		return SOURCE_MATCH_MIG;
	/* Migration TCP cannot also be echo traffic: save the second filter run. */
	if (fl->have_icmp && bpfmemo_filter(fl->icmp_memo, f->hdr, f->data))
		return SOURCE_MATCH_ICMP;
	return 0;
}

void srcfile_free(struct srcfile *f)
{
	srcfile_finish(f);
	free(f->ifs);
	free(f->ifilt);
	free(f->sig);
	f->ifs = NULL;
	f->ifilt = NULL;
	f->sig = NULL;
}

void srcfile_filters_release(struct srcfile_filters *ff)
{
	size_t i;

	for (i = 0; i < ff->n; i++)
		free_filt(ff->f[i]);
	free(ff->f);
	ff->f = NULL;
	ff->n = 0;
}
