/* addr.c - formatting and ordering of decoded IPv4/IPv6 addresses. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "decode.h"

static size_t addr_bytes(uint8_t family)
{
	return family == 6 ? 16 : 4;
}

const char *dec_addr_str(const struct dec_addr *a, char *buf, size_t n)
{
	int af = a->family == 6 ? AF_INET6 : AF_INET;

	if (n == 0)
		return buf;
	/* A zeroed (never decoded) address prints visibly rather than as 0.0.0.0. */
	if ((a->family != 4 && a->family != 6) ||
	    !inet_ntop(af, a->a, buf, (socklen_t)n))
		snprintf(buf, n, "?");
	return buf;
}

int dec_addr_cmp(const struct dec_addr *a, const struct dec_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->a, b->a, addr_bytes(a->family));
}
