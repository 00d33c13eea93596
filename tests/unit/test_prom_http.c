/* test_prom_http.c - /metrics over HTTP: ADDR:PORT parsing, the snapshot served, 404 and 405, keep-alive. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <cmocka.h>

#include "prom-http.h"

static void malformed(const char *s)
{
	char err[256];
	int usage = 0;

	if (prom_http_listen(s, &usage, err, sizeof(err)) >= 0)
		fail_msg("'%s' accepted", s);
	assert_int_equal(usage, 1);
	assert_non_null(strstr(err, "ADDR:PORT"));
}

static void test_parse(void **state)
{
	(void)state;
	malformed("");
	malformed("127.0.0.1");
	malformed("127.0.0.1:");
	malformed(":9911");
	malformed("127.0.0.1:0");
	malformed("127.0.0.1:65536");
	malformed("127.0.0.1:99x");
	malformed("127.0.0.1:-1");
	malformed("127.0.0.1: 80");
	malformed("localhost:9911");
	malformed("::1:9911");
	malformed("[::1]9911");
	malformed("[::1:9911");
	malformed("[]:9911");
	malformed("[127.0.0.1]:9911");
	malformed("[::1]:");
}

/* Listens on 127.0.0.1 at the first free port from 19870. */
static int listen_local(int *port)
{
	char addr[32], err[256];
	int fd = -1, usage;

	for (*port = 19870; *port < 19970 && fd < 0; (*port)++) {
		snprintf(addr, sizeof(addr), "127.0.0.1:%d", *port);
		fd = prom_http_listen(addr, &usage, err, sizeof(err));
		assert_int_equal(usage, 0);
	}
	(*port)--;
	return fd;
}

static int dial(int port)
{
	struct sockaddr_in a;
	struct timeval tv = { 5, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* Sends req and reads one response (headers, then Content-Length bytes) into buf. */
static void ask(int fd, const char *req, char *buf, size_t n)
{
	size_t got = 0;
	const char *body, *cl;

	assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	for (;;) {
		ssize_t r = recv(fd, buf + got, n - 1 - got, 0);

		assert_true(r > 0);
		got += (size_t)r;
		buf[got] = '\0';
		body = strstr(buf, "\r\n\r\n");
		cl = strstr(buf, "Content-Length: ");
		if (body && cl && strlen(body + 4) >= strtoul(cl + 16, NULL, 10))
			return;
	}
}

static void test_serve(void **state)
{
	char buf[4096], err[256];
	struct prom_http *h;
	int port, first, fd, lfd = listen_local(&port);

	(void)state;
	assert_true(lfd >= 0);
	first = port;
	h = prom_http_start(lfd, err, sizeof(err));
	assert_non_null(h);
	assert_int_equal(prom_http_set(h, "a 1\n", 4), 0);
	fd = dial(port);
	ask(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, "HTTP/1.1 200"));
	assert_non_null(strstr(buf, "Content-Type: text/plain; version=0.0.4"));
	assert_string_equal(strstr(buf, "\r\n\r\n") + 4, "a 1\n");
	/* A new snapshot, on the same (kept-alive) connection. */
	assert_int_equal(prom_http_set(h, "b 2\nc 3\n", 8), 0);
	ask(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", buf, sizeof(buf));
	assert_string_equal(strstr(buf, "\r\n\r\n") + 4, "b 2\nc 3\n");
	ask(fd, "GET /other HTTP/1.1\r\nHost: x\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, "HTTP/1.1 404"));
	close(fd);
	fd = dial(port);
	ask(fd, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", buf, sizeof(buf));
	assert_non_null(strstr(buf, "HTTP/1.1 405"));
	assert_non_null(strstr(buf, "Allow: GET, HEAD"));
	close(fd);
	assert_int_equal(prom_http_served(h), 2);
	prom_http_stop(h);
	prom_http_stop(NULL);
	/* Stopped: the socket is closed, so the port is free again. */
	lfd = listen_local(&port);
	assert_true(lfd >= 0);
	assert_int_equal(port, first);
	close(lfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_serve),
	};

	return cmocka_run_group_tests_name("prom_http", tests, NULL, NULL);
}
