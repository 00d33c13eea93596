/* prom-http.h - /metrics over HTTP (libmicrohttpd) in a thread of its own, serving a snapshot the capture swaps in. */
#ifndef MM_PROM_HTTP_H
#define MM_PROM_HTTP_H

#include <stddef.h>

/*
 * The capture loop never waits for a client: libmicrohttpd runs in its
 * own thread (MHD_USE_INTERNAL_POLLING_THREAD) and answers every GET (or
 * HEAD) of /metrics with the newest snapshot, which the capture replaces
 * under a mutex held only to swap a pointer (a response in flight keeps a
 * reference to the version it sends, never a copy).  Bounded:
 * PROM_HTTP_MAX_CONNS connections at once, PROM_HTTP_MAX_PER_IP per client
 * address, PROM_HTTP_TIMEOUT_S seconds of idling, PROM_HTTP_CONN_MEMORY
 * bytes per connection for the request (a longer request line or header
 * block is answered with an error and closed).  Other paths: 404; other
 * methods: 405.
 */
#define PROM_HTTP_MAX_CONNS 64
#define PROM_HTTP_MAX_PER_IP 16
#define PROM_HTTP_TIMEOUT_S 10
#define PROM_HTTP_CONN_MEMORY 16384

struct prom_http;

/*
 * Parses "ADDR:PORT" (IPv4 "10.0.0.1:9900", IPv6 "[fd00::1]:9900";
 * numeric only, port 1..65535) and binds and listens on it, with no
 * thread yet: called before the capture drops root, so a port below 1024
 * works and a port in use is said at once.  Returns the socket, or -1
 * with a one-line reason in err (*usage set when the text itself is
 * malformed, as opposed to the bind failing).
 */
int prom_http_listen(const char *addrport, int *usage, char *err, size_t errlen);

/*
 * Serves /metrics on socket fd (from prom_http_listen; owned from now on,
 * closed by prom_http_stop, or here on failure).  Starts the thread, with
 * every signal blocked in it (they stay the capture's).  NULL with a
 * reason in err when it cannot start.
 */
struct prom_http *prom_http_start(int fd, char *err, size_t errlen);

/* Replaces the snapshot with a copy of text[0..len). Returns 0, or -1 when out of memory (the old one stays). */
int prom_http_set(struct prom_http *h, const char *text, size_t len);

/* Requests answered with /metrics so far. */
unsigned long prom_http_served(struct prom_http *h);

/* Stops the thread, closes every connection and the socket, frees h. NULL is a no-op. */
void prom_http_stop(struct prom_http *h);

#endif
