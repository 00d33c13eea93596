/* netlink.c - network interfaces through libnl-3 (libnl-route-3): links, counters, routes. */
#include "netif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

/* A connected NETLINK_ROUTE socket, or NULL with the reason in err. */
static struct nl_sock *route_sock(char *err, size_t errlen)
{
	struct nl_sock *sk = nl_socket_alloc();
	int rc;

	if (!sk) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rc = nl_connect(sk, NETLINK_ROUTE);
	if (rc < 0) {
		snprintf(err, errlen, "netlink: %s", nl_geterror(rc));
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

static void get_counters(struct rtnl_link *l, struct netif_counters *c)
{
	c->rx_bytes = rtnl_link_get_stat(l, RTNL_LINK_RX_BYTES);
	c->rx_packets = rtnl_link_get_stat(l, RTNL_LINK_RX_PACKETS);
	c->rx_dropped = rtnl_link_get_stat(l, RTNL_LINK_RX_DROPPED);
	c->tx_bytes = rtnl_link_get_stat(l, RTNL_LINK_TX_BYTES);
	c->tx_packets = rtnl_link_get_stat(l, RTNL_LINK_TX_PACKETS);
	c->tx_dropped = rtnl_link_get_stat(l, RTNL_LINK_TX_DROPPED);
}

static void fill_link(struct rtnl_link *l, struct netif_link *out)
{
	struct nl_addr *mac = rtnl_link_get_addr(l);
	const char *name = rtnl_link_get_name(l), *kind = rtnl_link_get_type(l);
	unsigned flags = rtnl_link_get_flags(l);

	memset(out, 0, sizeof(*out));
	out->ifindex = rtnl_link_get_ifindex(l);
	snprintf(out->name, sizeof(out->name), "%s", name ? name : "?");
	snprintf(out->kind, sizeof(out->kind), "%s", kind ? kind : "");
	rtnl_link_operstate2str(rtnl_link_get_operstate(l), out->operstate, sizeof(out->operstate));
	out->admin_up = (flags & IFF_UP) != 0;
	out->carrier = rtnl_link_get_carrier(l) != 0;
	out->mtu = rtnl_link_get_mtu(l);
	if (mac && nl_addr_get_len(mac) > 0)
		nl_addr2str(mac, out->mac, sizeof(out->mac));
	get_counters(l, &out->c);
}

static int by_ifindex(const void *a, const void *b)
{
	const struct netif_link *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

int netif_list(struct netif_link **links, size_t *n, char *err, size_t errlen)
{
	struct nl_sock *sk = route_sock(err, errlen);
	struct nl_cache *lc = NULL, *ac = NULL;
	struct nl_object *obj;
	struct netif_link *arr = NULL;
	size_t count = 0, i;
	int rc = -1, e;

	*links = NULL;
	*n = 0;
	if (!sk)
		return -1;
	e = rtnl_link_alloc_cache(sk, AF_UNSPEC, &lc);
	if (e >= 0)
		e = rtnl_addr_alloc_cache(sk, &ac);
	if (e < 0) {
		snprintf(err, errlen, "netlink: cannot list links: %s", nl_geterror(e));
		goto out;
	}
	count = (size_t)nl_cache_nitems(lc);
	arr = calloc(count ? count : 1, sizeof(*arr));
	if (!arr) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	i = 0;
	for (obj = nl_cache_get_first(lc); obj && i < count; obj = nl_cache_get_next(obj))
		fill_link((struct rtnl_link *)obj, &arr[i++]);
	count = i;
	qsort(arr, count, sizeof(*arr), by_ifindex);
	for (obj = nl_cache_get_first(ac); obj; obj = nl_cache_get_next(obj)) {
		struct rtnl_addr *a = (struct rtnl_addr *)obj;
		struct netif_link key, *l;
		struct nl_addr *local = rtnl_addr_get_local(a);

		key.ifindex = rtnl_addr_get_ifindex(a);
		l = bsearch(&key, arr, count, sizeof(*arr), by_ifindex);
		if (!l || !local || l->naddrs == NETIF_MAX_ADDRS)
			continue;
		/* nl_addr2str prints the prefix length the address carries ("10.0.0.1/24"). */
		nl_addr2str(local, l->addrs[l->naddrs], sizeof(l->addrs[0]));
		l->naddrs++;
	}
	*links = arr;
	*n = count;
	arr = NULL;
	rc = 0;
out:
	free(arr);
	nl_cache_free(ac);
	nl_cache_free(lc);
	nl_socket_free(sk);
	return rc;
}

int netif_counters(const char *name, struct netif_counters *c, char *err, size_t errlen)
{
	struct nl_sock *sk = route_sock(err, errlen);
	struct rtnl_link *l = NULL;
	int e;

	memset(c, 0, sizeof(*c));
	if (!sk)
		return -1;
	e = rtnl_link_get_kernel(sk, 0, name, &l);
	if (e < 0) {
		snprintf(err, errlen, "netlink: %s: %s", name, nl_geterror(e));
		nl_socket_free(sk);
		return -1;
	}
	get_counters(l, c);
	rtnl_link_put(l);
	nl_socket_free(sk);
	return 0;
}

int netif_route(const char *peer, char *ifname, size_t n, char *err, size_t errlen)
{
	struct nl_sock *sk = NULL;
	struct nl_addr *dst = NULL;
	struct rtnl_route *route = NULL;
	struct rtnl_nexthop *nh;
	char name[IF_NAMESIZE];
	int e, rc = -1, ifindex;

	e = nl_addr_parse(peer, AF_UNSPEC, &dst);
	if (e < 0) {
		snprintf(err, errlen, "--peer %s: not an address", peer);
		return -1;
	}
	sk = route_sock(err, errlen);
	if (!sk)
		goto out;
	e = rtnl_route_lookup(sk, dst, &route);
	if (e < 0) {
		snprintf(err, errlen, "no route to %s: %s", peer, nl_geterror(e));
		goto out;
	}
	nh = rtnl_route_nexthop_n(route, 0);
	ifindex = nh ? rtnl_route_nh_get_ifindex(nh) : 0;
	if (ifindex <= 0 || !if_indextoname((unsigned)ifindex, name)) {
		snprintf(err, errlen, "the route to %s names no interface", peer);
		goto out;
	}
	snprintf(ifname, n, "%s", name);
	rc = 0;
out:
	if (route)
		rtnl_route_put(route);
	nl_addr_put(dst);
	nl_socket_free(sk);
	return rc;
}
