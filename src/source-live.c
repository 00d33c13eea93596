/* source-live.c - live captures: one libpcap handle per role, TPACKET_V3 ring, kernel filter. */
#include "live.h"

#include <stdlib.h>
#include <string.h>

struct live {
	pcap_t *p[LIVE_N];
	int dlt[LIVE_N];
	char iface[LIVE_N][64];
	size_t left_out[LIVE_N];
};

/* Sorts a pcap_activate failure into a kind and a message naming the interface. */
static enum live_error activate_error(pcap_t *p, int rc, const char *iface, char *err, size_t errlen)
{
	switch (rc) {
	case PCAP_ERROR_PERM_DENIED:
		snprintf(err, errlen, "capturing on %s needs CAP_NET_RAW: run as root or grant it "
			 "(setcap cap_net_raw,cap_net_admin=eip migmeter)", iface);
		return LIVE_ERR_PERM;
	case PCAP_ERROR_NO_SUCH_DEVICE:
		snprintf(err, errlen, "no interface called '%s' (see 'migmeter interfaces')", iface);
		return LIVE_ERR_NO_IFACE;
	case PCAP_ERROR_IFACE_NOT_UP:
		snprintf(err, errlen, "interface %s is down", iface);
		return LIVE_ERR_OTHER;
	default:
		snprintf(err, errlen, "cannot capture on %s: %s", iface, pcap_geterr(p));
		return LIVE_ERR_OTHER;
	}
}

static int open_one(struct live *l, unsigned role, const struct live_cfg *cfg, enum live_error *kind,
		    char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "", ferr[512];
	const char *iface = cfg->iface[role];
	struct bpf_program prog;
	pcap_t *p;
	int rc;

	*kind = LIVE_ERR_OTHER;
	snprintf(l->iface[role], sizeof(l->iface[role]), "%s", iface);
	p = pcap_create(iface, ebuf);
	if (!p) {
		snprintf(err, errlen, "cannot capture on %s: %s", iface, ebuf);
		return -1;
	}
	l->p[role] = p;
	if (pcap_set_snaplen(p, cfg->snaplen) != 0 || pcap_set_promisc(p, cfg->promisc) != 0 ||
	    pcap_set_timeout(p, cfg->timeout_ms) != 0 || pcap_set_immediate_mode(p, 0) != 0 ||
	    pcap_set_buffer_size(p, cfg->buffer_mib * 1024 * 1024) != 0) {
		snprintf(err, errlen, "cannot configure the capture on %s", iface);
		return -1;
	}
	/* Nanoseconds where the kernel gives them; microseconds are scaled by libpcap. */
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	rc = pcap_activate(p);
	if (rc < 0) {
		*kind = activate_error(p, rc, iface, err, errlen);
		return -1;
	}
	/* The "any" device: cooked v2 names each frame's interface (one view per interface). */
	if (strcmp(iface, "any") == 0)
		pcap_set_datalink(p, DLT_LINUX_SLL2);
	l->dlt[role] = pcap_datalink(p);
	if (filter_compile_kernel(cfg->filter[role], p, &prog, &l->left_out[role], ferr, sizeof(ferr)) < 0) {
		snprintf(err, errlen, "%s", ferr);
		*kind = LIVE_ERR_FILTER;
		return -1;
	}
	rc = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (rc != 0) {
		snprintf(err, errlen, "cannot set the filter on %s: %s", iface, pcap_geterr(p));
		return -1;
	}
	if (pcap_setnonblock(p, 1, ebuf) != 0 || pcap_get_selectable_fd(p) < 0) {
		snprintf(err, errlen, "cannot poll the capture on %s: %s", iface, ebuf);
		return -1;
	}
	return 0;
}

struct live *live_open(const struct live_cfg *cfg, enum live_error *kind, char *err, size_t errlen)
{
	struct live *l = calloc(1, sizeof(*l));
	unsigned role;

	*kind = LIVE_ERR_OTHER;
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (role = 0; role < LIVE_N; role++) {
		if (open_one(l, role, cfg, kind, err, errlen) < 0) {
			live_close(l);
			return NULL;
		}
	}
	return l;
}

int live_fd(const struct live *l, unsigned role)
{
	return pcap_get_selectable_fd(l->p[role]);
}

int live_dlt(const struct live *l, unsigned role)
{
	return l->dlt[role];
}

const char *live_dlt_name(const struct live *l, unsigned role)
{
	const char *n = pcap_datalink_val_to_name(l->dlt[role]);

	return n ? n : "unknown";
}

size_t live_left_out(const struct live *l, unsigned role)
{
	return l->left_out[role];
}

int live_snaplen(const struct live *l, unsigned role)
{
	return pcap_snapshot(l->p[role]);
}

struct dispatch_ctx {
	live_frame_fn fn;
	void *ctx;
	unsigned role;
};

static void on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	const struct dispatch_ctx *d = (const struct dispatch_ctx *)user;

	d->fn(d->ctx, d->role, h, data);
}

int live_dispatch(struct live *l, unsigned role, live_frame_fn fn, void *ctx, char *err, size_t errlen)
{
	struct dispatch_ctx d = { fn, ctx, role };
	int n = pcap_dispatch(l->p[role], -1, on_frame, (u_char *)&d);

	if (n == PCAP_ERROR) {
		snprintf(err, errlen, "capture on %s failed: %s", l->iface[role], pcap_geterr(l->p[role]));
		return -1;
	}
	return n < 0 ? 0 : n;
}

int live_stats(struct live *l, unsigned role, struct live_stats *st, char *err, size_t errlen)
{
	struct pcap_stat ps;

	memset(st, 0, sizeof(*st));
	if (pcap_stats(l->p[role], &ps) != 0) {
		snprintf(err, errlen, "pcap_stats: %s", pcap_geterr(l->p[role]));
		return -1;
	}
	st->received = ps.ps_recv;
	st->dropped = ps.ps_drop;
	st->ifdropped = ps.ps_ifdrop;
	return 0;
}

void live_close(struct live *l)
{
	unsigned role;

	if (!l)
		return;
	for (role = 0; role < LIVE_N; role++)
		if (l->p[role])
			pcap_close(l->p[role]);
	free(l);
}
