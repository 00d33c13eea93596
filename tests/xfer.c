/* xfer.c - test traffic tool: sends or receives an exact number of TCP bytes, with migration-stream openings. */
/*
 * Usage:
 *   xfer listen [-6] [--greet nbd] [--count N] [--ready FILE] [--timeout S] PORT
 *       Accepts N connections (default 1) one after another, reads each
 *       until EOF and prints the bytes received (one line per connection)
 *       on stdout.  --greet nbd first sends an NBD newstyle greeting
 *       ("NBDMAGIC" "IHAVEOPT" + 2 flag bytes) and prints the bytes sent on
 *       stderr.  --ready FILE is created once the socket is listening.
 *   xfer send HOST PORT NBYTES [--magic qemu|multifd|none] [--channel ID]
 *             [--cport PORT] [--timeout S]
 *       Connects (from client port PORT when --cport), writes exactly NBYTES
 *       bytes starting with the chosen magic header, the rest deterministic
 *       pseudo-random filler, shuts down its sending side, reads until EOF
 *       and prints the bytes written on stdout.
 *
 * Everything is bounded: each socket has SO_RCVTIMEO/SO_SNDTIMEO and the
 * whole run is under an alarm(timeout) (default 30 s).  Exit status: 0
 * success, 1 failure (message on stderr), 2 usage error, 3 timed out.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define XF_CHUNK 65536

enum xf_magic { XF_MAGIC_NONE = 0, XF_MAGIC_QEMU, XF_MAGIC_MULTIFD };

struct xf_opts {
	int ipv6;
	int greet_nbd;
	unsigned long count;
	const char *ready;
	unsigned timeout;
	enum xf_magic magic;
	unsigned channel;
	long cport;            /* -1: let the kernel choose */
};

static void on_alarm(int sig)
{
	static const char msg[] = "xfer: timed out\n";
	ssize_t r;

	(void)sig;
	r = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)r;
	_exit(3);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xfer listen [-6] [--greet nbd] [--count N] [--ready FILE] [--timeout S] PORT\n"
		"       xfer send HOST PORT NBYTES [--magic qemu|multifd|none] [--channel ID]\n"
		"                 [--cport PORT] [--timeout S]\n");
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end = NULL;
	unsigned long v;

	if (s == NULL || *s == '\0' || *s == '-')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

static void set_timeouts(int fd, unsigned secs)
{
	struct timeval tv;

	tv.tv_sec = (time_t)secs;
	tv.tv_usec = 0;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += (size_t)w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads until EOF; returns the byte count or -1 on error/timeout. */
static long long drain(int fd)
{
	uint8_t buf[XF_CHUNK];
	long long total = 0;

	for (;;) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);

		if (r == 0)
			return total;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		total += r;
	}
}

/* xorshift64: deterministic filler, the same bytes on every run. */
static uint64_t xs_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Builds the opening header; returns its length. */
static size_t make_header(const struct xf_opts *o, uint8_t *h)
{
	static const uint8_t uuid[16] = {
		0x6d, 0x69, 0x67, 0x6d, 0x65, 0x74, 0x65, 0x72,
		0x2d, 0x74, 0x65, 0x73, 0x74, 0x2d, 0x30, 0x31,
	};

	switch (o->magic) {
	case XF_MAGIC_QEMU:
		memcpy(h, "QEVM", 4);
		put_be32(h + 4, 3);
		return 8;
	case XF_MAGIC_MULTIFD:
		put_be32(h, 0x11223344u);
		put_be32(h + 4, 1);
		memcpy(h + 8, uuid, sizeof(uuid));
		h[24] = (uint8_t)o->channel;
		return 25;
	case XF_MAGIC_NONE:
	default:
		return 0;
	}
}

static int do_send(const char *host, const char *port, unsigned long long nbytes,
		   const struct xf_opts *o)
{
	static uint8_t buf[XF_CHUNK];
	struct addrinfo hints, *res = NULL, *ai;
	uint8_t hdr[32];
	size_t hlen, hused = 0;
	unsigned long long left = nbytes;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	long long got;
	struct timespec start;
	int fd = -1, gai, rc = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	gai = getaddrinfo(host, port, &hints, &res);
	if (gai != 0) {
		fprintf(stderr, "xfer: %s port %s: %s\n", host, port, gai_strerror(gai));
		return 1;
	}
	ai = res;
	clock_gettime(CLOCK_MONOTONIC, &start);

	/* Retry while the listener is not up yet (bounded by the alarm). */
	for (;;) {
		struct sockaddr_storage local;
		socklen_t llen;
		int one = 1;

		fd = socket(ai->ai_family, SOCK_STREAM, 0);
		if (fd < 0) {
			perror("xfer: socket");
			goto out;
		}
		set_timeouts(fd, o->timeout);
		if (o->cport >= 0) {
			memset(&local, 0, sizeof(local));
			if (ai->ai_family == AF_INET6) {
				struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&local;

				s6->sin6_family = AF_INET6;
				s6->sin6_addr = in6addr_any;
				s6->sin6_port = htons((uint16_t)o->cport);
				llen = sizeof(*s6);
			} else {
				struct sockaddr_in *s4 = (struct sockaddr_in *)&local;

				s4->sin_family = AF_INET;
				s4->sin_addr.s_addr = htonl(INADDR_ANY);
				s4->sin_port = htons((uint16_t)o->cport);
				llen = sizeof(*s4);
			}
			(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (bind(fd, (struct sockaddr *)&local, llen) != 0) {
				fprintf(stderr, "xfer: bind client port %ld: %s\n", o->cport, strerror(errno));
				goto out;
			}
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno != ECONNREFUSED && errno != EINTR) {
			fprintf(stderr, "xfer: connect %s port %s: %s\n", host, port, strerror(errno));
			goto out;
		}
		close(fd);
		fd = -1;
		{
			struct timespec now, nap = { 0, 20 * 1000 * 1000 };

			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - start.tv_sec >= (time_t)o->timeout) {
				fprintf(stderr, "xfer: connect %s port %s: refused\n", host, port);
				goto out;
			}
			nanosleep(&nap, NULL);
		}
	}

	hlen = make_header(o, hdr);
	while (left > 0) {
		size_t n = left < sizeof(buf) ? (size_t)left : sizeof(buf);
		size_t i = 0;

		while (i < n && hused < hlen)
			buf[i++] = hdr[hused++];
		while (i < n) {
			uint64_t r = xs_next(&seed);
			size_t k;

			for (k = 0; k < 8 && i < n; k++, r >>= 8)
				buf[i++] = (uint8_t)r;
		}
		if (write_all(fd, buf, n) != 0) {
			perror("xfer: send");
			goto out;
		}
		left -= n;
	}
	if (shutdown(fd, SHUT_WR) != 0) {
		perror("xfer: shutdown");
		goto out;
	}
	got = drain(fd);
	if (got < 0) {
		perror("xfer: recv");
		goto out;
	}
	if (got > 0)
		fprintf(stderr, "xfer: received %lld bytes\n", got);
	printf("%llu\n", nbytes);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(res);
	return rc;
}

static int do_listen(unsigned long port, const struct xf_opts *o)
{
	static const uint8_t greeting[18] = {
		'N', 'B', 'D', 'M', 'A', 'G', 'I', 'C',
		'I', 'H', 'A', 'V', 'E', 'O', 'P', 'T',
		0x00, 0x03,   /* NBD_FLAG_FIXED_NEWSTYLE | NBD_FLAG_NO_ZEROES */
	};
	struct sockaddr_storage sa;
	socklen_t salen;
	unsigned long i;
	int one = 1, lfd, rc = 1;

	memset(&sa, 0, sizeof(sa));
	if (o->ipv6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&sa;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons((uint16_t)port);
		salen = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&sa;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_ANY);
		s4->sin_port = htons((uint16_t)port);
		salen = sizeof(*s4);
	}
	lfd = socket(sa.ss_family, SOCK_STREAM, 0);
	if (lfd < 0) {
		perror("xfer: socket");
		return 1;
	}
	(void)setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	set_timeouts(lfd, o->timeout);
	if (bind(lfd, (struct sockaddr *)&sa, salen) != 0 || listen(lfd, 16) != 0) {
		fprintf(stderr, "xfer: listen port %lu: %s\n", port, strerror(errno));
		goto out;
	}
	if (o->ready != NULL) {
		int rfd = open(o->ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (rfd < 0) {
			fprintf(stderr, "xfer: %s: %s\n", o->ready, strerror(errno));
			goto out;
		}
		close(rfd);
	}
	for (i = 0; i < o->count; i++) {
		long long got;
		int cfd = accept(lfd, NULL, NULL);

		if (cfd < 0) {
			perror("xfer: accept");
			goto out;
		}
		set_timeouts(cfd, o->timeout);
		if (o->greet_nbd) {
			if (write_all(cfd, greeting, sizeof(greeting)) != 0) {
				perror("xfer: send greeting");
				close(cfd);
				goto out;
			}
			fprintf(stderr, "%zu\n", sizeof(greeting));
		}
		got = drain(cfd);
		close(cfd);
		if (got < 0) {
			perror("xfer: recv");
			goto out;
		}
		printf("%lld\n", got);
		fflush(stdout);
	}
	rc = 0;
out:
	close(lfd);
	return rc;
}

int main(int argc, char **argv)
{
	struct xf_opts o;
	struct sigaction sa;
	const char *pos[3];
	unsigned long v;
	int npos = 0, mode, i;

	memset(&o, 0, sizeof(o));
	o.count = 1;
	o.timeout = 30;
	o.cport = -1;

	if (argc < 2) {
		usage();
		return 2;
	}
	if (strcmp(argv[1], "listen") == 0) {
		mode = 0;
	} else if (strcmp(argv[1], "send") == 0) {
		mode = 1;
	} else {
		usage();
		return 2;
	}
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *val = (i + 1 < argc) ? argv[i + 1] : NULL;

		if (mode == 0 && strcmp(a, "-6") == 0) {
			o.ipv6 = 1;
		} else if (mode == 0 && strcmp(a, "--greet") == 0) {
			if (val == NULL || strcmp(val, "nbd") != 0)
				goto bad;
			o.greet_nbd = 1;
			i++;
		} else if (mode == 0 && strcmp(a, "--count") == 0) {
			if (parse_ulong(val, 1000000, &v) != 0 || v == 0)
				goto bad;
			o.count = v;
			i++;
		} else if (mode == 0 && strcmp(a, "--ready") == 0) {
			if (val == NULL)
				goto bad;
			o.ready = val;
			i++;
		} else if (strcmp(a, "--timeout") == 0) {
			if (parse_ulong(val, 3600, &v) != 0 || v == 0)
				goto bad;
			o.timeout = (unsigned)v;
			i++;
		} else if (mode == 1 && strcmp(a, "--magic") == 0) {
			if (val == NULL)
				goto bad;
			if (strcmp(val, "qemu") == 0)
				o.magic = XF_MAGIC_QEMU;
			else if (strcmp(val, "multifd") == 0)
				o.magic = XF_MAGIC_MULTIFD;
			else if (strcmp(val, "none") == 0)
				o.magic = XF_MAGIC_NONE;
			else
				goto bad;
			i++;
		} else if (mode == 1 && strcmp(a, "--channel") == 0) {
			if (parse_ulong(val, 255, &v) != 0)
				goto bad;
			o.channel = (unsigned)v;
			i++;
		} else if (mode == 1 && strcmp(a, "--cport") == 0) {
			if (parse_ulong(val, 65535, &v) != 0 || v == 0)
				goto bad;
			o.cport = (long)v;
			i++;
		} else if (a[0] == '-' && a[1] != '\0') {
			goto bad;
		} else {
			if (npos >= 3)
				goto bad;
			pos[npos++] = a;
		}
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	alarm(o.timeout);

	if (mode == 0) {
		if (npos != 1 || parse_ulong(pos[0], 65535, &v) != 0)
			goto bad;
		return do_listen(v, &o);
	} else {
		unsigned long long n;
		char *end = NULL;

		if (npos != 3 || pos[2][0] == '-')
			goto bad;
		errno = 0;
		n = strtoull(pos[2], &end, 10);
		if (errno != 0 || *end != '\0' || pos[2][0] == '\0')
			goto bad;
		if (o.magic == XF_MAGIC_QEMU && n < 8)
			goto bad;
		if (o.magic == XF_MAGIC_MULTIFD && n < 25)
			goto bad;
		return do_send(pos[0], pos[1], n, &o);
	}
bad:
	usage();
	return 2;
}
