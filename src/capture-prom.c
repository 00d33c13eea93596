/* capture-prom.c - the capture's metrics outputs: the node_exporter textfile and the /metrics endpoint. */
#include "capture-prom.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"
#include "prom-http.h"
#include "prom.h"

struct capprom {
	struct prom *p;
	struct prom_http *http;
	int listen_fd;			/* bound before the privilege drop; MHD's once started */
	const char *textfile;		/* --prom-textfile, or NULL */
	int dirty;			/* a record was counted since the last publication */
	int file_failing;		/* the last textfile write failed (said once until it works again) */
	mm_ns next_http, next_file;
	char node[256];
};

/* 1 when addr is one of this host's addresses now (they may change over weeks: asked each time). */
static int is_local(void *ctx, const char *addr)
{
	struct ifaddrs *ifa, *i;
	struct in6_addr a6;
	struct in_addr a4;
	int v6, hit = 0;

	(void)ctx;
	v6 = inet_pton(AF_INET6, addr, &a6) == 1;
	if (!v6 && inet_pton(AF_INET, addr, &a4) != 1)
		return 0;
	if (getifaddrs(&ifa) != 0)
		return 0;
	for (i = ifa; i && !hit; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		if (v6 && i->ifa_addr->sa_family == AF_INET6)
			hit = memcmp(&((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr, &a6, sizeof(a6)) == 0;
		else if (!v6 && i->ifa_addr->sa_family == AF_INET)
			hit = ((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr.s_addr == a4.s_addr;
	}
	freeifaddrs(ifa);
	return hit;
}

int capprom_open(struct capprom **out, const struct cli_opts *o)
{
	struct capprom *cp;
	char err[256];
	int usage;

	*out = NULL;
	if (!o->prom_textfile && !o->metrics_listen)
		return 0;
	cp = calloc(1, sizeof(*cp));
	if (!cp) {
		fprintf(stderr, "migmeter: out of memory\n");
		return CLI_EXIT_RUNTIME;
	}
	cp->listen_fd = -1;
	cp->textfile = o->prom_textfile;
	if (o->node)
		snprintf(cp->node, sizeof(cp->node), "%s", o->node);
	else if (gethostname(cp->node, sizeof(cp->node) - 1) != 0)
		snprintf(cp->node, sizeof(cp->node), "unknown");
	cp->p = prom_new(cp->node, is_local, NULL);
	if (!cp->p) {
		fprintf(stderr, "migmeter: out of memory\n");
		capprom_free(cp);
		return CLI_EXIT_RUNTIME;
	}
	if (o->metrics_listen) {
		cp->listen_fd = prom_http_listen(o->metrics_listen, &usage, err, sizeof(err));
		if (cp->listen_fd < 0) {
			fprintf(stderr, "migmeter: %s\n", err);
			capprom_free(cp);
			return usage ? CLI_EXIT_USAGE : CLI_EXIT_RUNTIME;
		}
	}
	cp->dirty = 1;
	*out = cp;
	return 0;
}

void capprom_record(void *ctx, json_object *rec)
{
	struct capprom *cp = ctx;

	if (prom_observe(cp->p, rec) < 0)
		fprintf(stderr, "migmeter: metrics: out of memory; a migration is not counted\n");
	cp->dirty = 1;
}

static int write_text(FILE *fp, void *ctx)
{
	const struct prom_text *t = ctx;

	return t->len && fwrite(t->s, 1, t->len, fp) != t->len ? -1 : 0;
}

/* Reads the drop counters, renders, and publishes to the snapshot and (file) the textfile. Returns 0 or -1 (the textfile failed). */
static int publish(struct capprom *cp, struct live *live, int file)
{
	struct live_stats st;
	struct prom_text t;
	char err[512];
	unsigned role;
	int rc = 0;

	for (role = 0; live && role < LIVE_N; role++)
		if (live_stats(live, role, &st, err, sizeof(err)) == 0)
			prom_set_dropped(cp->p, role == LIVE_MIG ? PROM_CAP_MIGRATION : PROM_CAP_ICMP,
					 st.dropped + st.ifdropped);
	prom_text_init(&t);
	if (prom_render(cp->p, &t) < 0) {
		fprintf(stderr, "migmeter: metrics: out of memory\n");
		prom_text_release(&t);
		return -1;
	}
	if (cp->http && prom_http_set(cp->http, t.s, t.len) < 0)
		fprintf(stderr, "migmeter: metrics: out of memory; /metrics serves the previous figures\n");
	if (file && cp->textfile) {
		if (out_atomic(cp->textfile, write_text, &t, err, sizeof(err)) < 0) {
			if (!cp->file_failing)
				fprintf(stderr, "migmeter: --prom-textfile: %s\n", err);
			cp->file_failing = 1;
			rc = -1;
		} else {
			cp->file_failing = 0;
		}
	}
	prom_text_release(&t);
	return rc;
}

int capprom_start(struct capprom *cp)
{
	char err[256];

	if (!cp || cp->listen_fd < 0)
		return 0;
	cp->http = prom_http_start(cp->listen_fd, err, sizeof(err));
	cp->listen_fd = -1;
	if (!cp->http) {
		fprintf(stderr, "migmeter: %s\n", err);
		return CLI_EXIT_RUNTIME;
	}
	return 0;
}

void capprom_tick(struct capprom *cp, struct live *live, mm_ns now)
{
	int file, http;

	if (!cp)
		return;
	file = cp->dirty || now >= cp->next_file;
	http = file || now >= cp->next_http;
	if (!http)
		return;
	publish(cp, live, file);
	cp->dirty = 0;
	cp->next_http = now + CAPPROM_HTTP_NS;
	if (file)
		cp->next_file = now + CAPPROM_FILE_NS;
}

int capprom_finish(struct capprom *cp, struct live *live)
{
	if (!cp)
		return 0;
	cp->file_failing = 0;	/* the last write's failure is said even if an earlier one was */
	return publish(cp, live, 1) < 0 && cp->textfile ? CLI_EXIT_RUNTIME : 0;
}

void capprom_free(struct capprom *cp)
{
	if (!cp)
		return;
	prom_http_stop(cp->http);
	if (cp->listen_fd >= 0)
		close(cp->listen_fd);
	prom_free(cp->p);
	free(cp);
}
