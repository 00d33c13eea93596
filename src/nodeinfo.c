/* nodeinfo.c - the host's name and addresses in live records and reports, so merge can pair a migration's two ends. */
#include "nodeinfo.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

/* The host name, "" when there is none. */
static void host_name(char *buf, size_t n)
{
	if (gethostname(buf, n) != 0)
		buf[0] = '\0';
	buf[n - 1] = '\0';
}

/* An interface address as a dec_addr; 0 when it is not IPv4 or IPv6. */
static int addr_of(const struct ifaddrs *i, struct dec_addr *a)
{
	const struct sockaddr *sa = i->ifa_addr;

	memset(a, 0, sizeof(*a));
	if (sa && sa->sa_family == AF_INET) {
		a->family = 4;
		memcpy(a->a, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		return 1;
	}
	if (sa && sa->sa_family == AF_INET6) {
		a->family = 6;
		memcpy(a->a, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		return 1;
	}
	return 0;
}

/* Whether a is one of the addresses in list. */
static int local(const struct ifaddrs *list, const struct dec_addr *a)
{
	const struct ifaddrs *i;
	struct dec_addr b;

	for (i = list; a->family && i; i = i->ifa_next)
		if (addr_of(i, &b) && b.family == a->family && memcmp(b.a, a->a, a->family == 4 ? 4 : 16) == 0)
			return 1;
	return 0;
}

void nodeinfo_stamp_record(json_object *j, const struct dec_addr *source, const struct dec_addr *destination)
{
	struct ifaddrs *list = NULL;
	const char *v = NULL;
	char host[256];

	host_name(host, sizeof(host));
	if (getifaddrs(&list) == 0) {
		if (local(list, source))
			v = "source";
		else if (local(list, destination))
			v = "destination";
		freeifaddrs(list);
	}
	json_object_object_add(j, "node", host[0] ? json_object_new_string(host) : NULL);
	json_object_object_add(j, "vantage", v ? json_object_new_string(v) : NULL);
}

void nodeinfo_stamp_report(json_object *report)
{
	struct ifaddrs *list = NULL, *i;
	json_object *arr = json_object_new_array();
	struct dec_addr a;
	char host[256], buf[64];

	host_name(host, sizeof(host));
	if (getifaddrs(&list) == 0) {
		for (i = list; i && json_object_array_length(arr) < NODEINFO_MAX_ADDRS; i = i->ifa_next)
			if (addr_of(i, &a))
				json_object_array_add(arr, json_object_new_string(dec_addr_str(&a, buf, sizeof(buf))));
		freeifaddrs(list);
	}
	json_object_object_add(report, "node", host[0] ? json_object_new_string(host) : NULL);
	json_object_object_add(report, "node_addresses", arr);
}
