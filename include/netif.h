/* netif.h - network interfaces through libnl-3: the link list, link counters, route lookup. */
#ifndef MM_NETIF_H
#define MM_NETIF_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#define NETIF_MAX_ADDRS 16

/* The kernel's counters of one link (struct rtnl_link_stats64). */
struct netif_counters {
	uint64_t rx_bytes, rx_packets, rx_dropped;
	uint64_t tx_bytes, tx_packets, tx_dropped;
};

struct netif_link {
	int ifindex;
	char name[IF_NAMESIZE];
	char kind[24];			/* "veth", "bridge", ... or "" for a physical device */
	char operstate[16];		/* "up", "down", "unknown", ... */
	int admin_up, carrier;
	unsigned mtu;
	char mac[32];
	char addrs[NETIF_MAX_ADDRS][64];	/* "10.0.0.1/24", "fd00::1/64" */
	size_t naddrs;
	struct netif_counters c;
};

/*
 * Every link of this network namespace, by ifindex, with its addresses
 * and counters.  Returns 0 with a malloc'd array the caller frees, or -1
 * with a one-line reason in err.
 */
int netif_list(struct netif_link **links, size_t *n, char *err, size_t errlen);

/* The counters of the link called `name`. Returns 0, or -1 with a reason in err. */
int netif_counters(const char *name, struct netif_counters *c, char *err, size_t errlen);

/*
 * The interface the routing table would send a packet to `peer` (an IPv4
 * or IPv6 address) through, as the kernel answers RTM_GETROUTE.  Returns
 * 0 with the name in ifname, or -1 with a reason in err.
 */
int netif_route(const char *peer, char *ifname, size_t n, char *err, size_t errlen);

#endif
