/* prom-http.c - /metrics over HTTP: libmicrohttpd in its own thread, a snapshot swapped under a mutex, bounded connections. */
#include "prom-http.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>

/*
 * One snapshot, shared by every response that sends it: the server holds
 * one reference and each response in flight one more, so a slow client
 * costs no copy and at most a few versions are ever alive.
 */
struct snap {
	struct prom_http *h;
	unsigned refs;		/* under h->lock */
	size_t len;
	char data[];
};

struct prom_http {
	struct MHD_Daemon *d;
	pthread_mutex_t lock;	/* guards snap, every snap's refs, served */
	struct snap *snap;
	unsigned long served;
};

/* Drops one reference (the lock not held); frees the last. Also libmicrohttpd's free callback. */
/*
 * libmicrohttpd is loaded when --metrics-listen asks for it, not linked:
 * Debian's build pulls in GnuTLS, whose start-up costs every replay and
 * capture about 3 MB of memory.  The library and the ABI are Debian's
 * libmicrohttpd12 (the -dev package's header gives the types).
 */
#define MHD_SONAME "libmicrohttpd.so.12"

static struct {
	void *so;
	struct MHD_Response *(*from_buffer)(size_t, void *, enum MHD_ResponseMemoryMode);
	struct MHD_Response *(*from_buffer_cb)(size_t, const void *, MHD_ContentReaderFreeCallback, void *);
	enum MHD_Result (*add_header)(struct MHD_Response *, const char *, const char *);
	enum MHD_Result (*queue)(struct MHD_Connection *, unsigned int, struct MHD_Response *);
	void (*destroy)(struct MHD_Response *);
	struct MHD_Daemon *(*start)(unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *,
				    MHD_AccessHandlerCallback, void *, ...);
	void (*stop)(struct MHD_Daemon *);
} mhd;

/* One symbol into *slot (a function pointer's storage). Returns 0 or -1. */
static int sym(void *slot, const char *name)
{
	void *p = dlsym(mhd.so, name);

	if (!p)
		return -1;
	memcpy(slot, &p, sizeof(p));
	return 0;
}

static int mhd_load(char *err, size_t errlen)
{
	if (mhd.so)
		return 0;
	mhd.so = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!mhd.so) {
		snprintf(err, errlen, "--metrics-listen: cannot load %s (Debian package libmicrohttpd12): %s",
			 MHD_SONAME, dlerror());
		return -1;
	}
	if (sym(&mhd.from_buffer, "MHD_create_response_from_buffer") < 0 ||
	    sym(&mhd.from_buffer_cb, "MHD_create_response_from_buffer_with_free_callback_cls") < 0 ||
	    sym(&mhd.add_header, "MHD_add_response_header") < 0 || sym(&mhd.queue, "MHD_queue_response") < 0 ||
	    sym(&mhd.destroy, "MHD_destroy_response") < 0 || sym(&mhd.start, "MHD_start_daemon") < 0 ||
	    sym(&mhd.stop, "MHD_stop_daemon") < 0) {
		snprintf(err, errlen, "--metrics-listen: %s lacks a function migmeter calls: %s", MHD_SONAME,
			 dlerror());
		dlclose(mhd.so);
		mhd.so = NULL;
		return -1;
	}
	return 0;
}

static void snap_release(void *cls)
{
	struct snap *sn = cls;
	int last;

	pthread_mutex_lock(&sn->h->lock);
	last = --sn->refs == 0;
	pthread_mutex_unlock(&sn->h->lock);
	if (last)
		free(sn);
}

static struct snap *snap_new(struct prom_http *h, const char *text, size_t len)
{
	struct snap *sn = malloc(sizeof(*sn) + (len ? len : 1));

	if (!sn)
		return NULL;
	sn->h = h;
	sn->refs = 1;
	sn->len = len;
	if (len)
		memcpy(sn->data, text, len);
	return sn;
}

static const char not_found[] = "Not found: the metrics are at /metrics\n";
static const char not_allowed[] = "Method not allowed: GET /metrics\n";

/* A fixed answer (404, 405) from static text. */
static enum MHD_Result answer_static(struct MHD_Connection *conn, unsigned code, const char *text, int allow)
{
	struct MHD_Response *r = mhd.from_buffer(strlen(text), (void *)(uintptr_t)text,
								 MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	mhd.add_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (allow)
		mhd.add_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = mhd.queue(conn, code, r);
	mhd.destroy(r);
	return ret;
}

/* Runs in the server's thread (so never at the same time as itself). */
static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_data_size,
			      void **req_cls)
{
	struct prom_http *h = cls;
	struct MHD_Response *r;
	enum MHD_Result ret;
	struct snap *sn;

	(void)version;
	(void)upload_data;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return answer_static(conn, MHD_HTTP_METHOD_NOT_ALLOWED, not_allowed, 1);
	/*
	 * A GET is answered on the second call, once the request is whole:
	 * an answer queued on the first closes the connection after it, and a
	 * scraper's keep-alive connection would be lost every time.  A body
	 * sent with it is read and dropped (the request's memory bound holds).
	 */
	if (!*req_cls) {
		*req_cls = h;
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/metrics") != 0)
		return answer_static(conn, MHD_HTTP_NOT_FOUND, not_found, 0);
	pthread_mutex_lock(&h->lock);
	sn = h->snap;
	sn->refs++;
	h->served++;
	pthread_mutex_unlock(&h->lock);
	r = mhd.from_buffer_cb(sn->len, sn->data, snap_release, sn);
	if (!r) {
		snap_release(sn);
		return MHD_NO;
	}
	mhd.add_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
	ret = mhd.queue(conn, MHD_HTTP_OK, r);
	mhd.destroy(r);
	return ret;
}

/* "ADDR:PORT" or "[ADDR6]:PORT" into sa. Returns 0 or -1. */
static int parse_addr(const char *s, struct sockaddr_storage *sa, socklen_t *salen)
{
	char host[64];
	const char *colon, *h0, *h1;
	char *end;
	unsigned long port;
	int v6 = s[0] == '[';

	if (v6) {
		h0 = s + 1;
		h1 = strchr(h0, ']');
		if (!h1 || h1[1] != ':')
			return -1;
		colon = h1 + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		h0 = s;
		h1 = colon;
	}
	if (h1 == h0 || (size_t)(h1 - h0) >= sizeof(host))
		return -1;
	memcpy(host, h0, (size_t)(h1 - h0));
	host[h1 - h0] = '\0';
	if (colon[1] < '0' || colon[1] > '9')
		return -1;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || port < 1 || port > 65535)
		return -1;
	memset(sa, 0, sizeof(*sa));
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)sa;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return -1;
		*salen = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)sa;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -1;
		*salen = sizeof(*a);
	}
	return 0;
}

int prom_http_listen(const char *addrport, int *usage, char *err, size_t errlen)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	int fd, on = 1;

	*usage = 0;
	if (mhd_load(err, errlen) < 0)
		return -1;
	if (parse_addr(addrport, &sa, &salen) < 0) {
		*usage = 1;
		snprintf(err, errlen, "--metrics-listen '%.100s': must be ADDR:PORT (10.0.0.1:9900, "
			 "[fd00::1]:9900, 0.0.0.0:9900 for every address), port 1..65535", addrport);
		return -1;
	}
	fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "--metrics-listen %.100s: socket: %s", addrport, strerror(errno));
		return -1;
	}
	/* A restarted service binds again at once, whatever its old connections left in TIME_WAIT. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&sa, salen) != 0 || listen(fd, PROM_HTTP_MAX_CONNS) != 0) {
		snprintf(err, errlen, "--metrics-listen %.100s: %s", addrport, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct prom_http *prom_http_start(int fd, char *err, size_t errlen)
{
	struct prom_http *h = calloc(1, sizeof(*h));
	sigset_t all, old;

	if (!h || pthread_mutex_init(&h->lock, NULL) != 0) {
		snprintf(err, errlen, "--metrics-listen: out of memory");
		free(h);
		close(fd);
		return NULL;
	}
	h->snap = snap_new(h, NULL, 0);
	if (!h->snap) {
		snprintf(err, errlen, "--metrics-listen: out of memory");
		pthread_mutex_destroy(&h->lock);
		free(h);
		close(fd);
		return NULL;
	}
	/* The thread inherits this mask: SIGINT, SIGTERM (and SIGHUP) stay the capture loop's. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	h->d = mhd.start(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL, answer, h,
				MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)PROM_HTTP_MAX_CONNS,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PROM_HTTP_MAX_PER_IP,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)PROM_HTTP_TIMEOUT_S,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)PROM_HTTP_CONN_MEMORY,
				MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!h->d) {
		snprintf(err, errlen, "--metrics-listen: the HTTP server did not start");
		free(h->snap);
		pthread_mutex_destroy(&h->lock);
		free(h);
		close(fd);
		return NULL;
	}
	return h;
}

int prom_http_set(struct prom_http *h, const char *text, size_t len)
{
	struct snap *sn = snap_new(h, text, len), *old;

	if (!sn)
		return -1;
	pthread_mutex_lock(&h->lock);
	old = h->snap;
	h->snap = sn;
	pthread_mutex_unlock(&h->lock);
	snap_release(old);
	return 0;
}

unsigned long prom_http_served(struct prom_http *h)
{
	unsigned long n;

	pthread_mutex_lock(&h->lock);
	n = h->served;
	pthread_mutex_unlock(&h->lock);
	return n;
}

void prom_http_stop(struct prom_http *h)
{
	if (!h)
		return;
	/* Every response (and its reference) is gone once the daemon has stopped. */
	mhd.stop(h->d);
	snap_release(h->snap);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
