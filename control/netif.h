/*
 * Interface addresses read from the kernel through libnl-route, for the
 * listeners that "bind control source-interface" ties to an interface.
 */
#ifndef SIPKTLS_NETIF_H
#define SIPKTLS_NETIF_H

#include <stddef.h>
#include <netinet/in.h>

struct nl_sock;
struct nl_cache;

/* One snapshot of links and addresses, taken once per listen plan. */
struct netif {
	struct nl_sock	*sock;
	struct nl_cache	*links;
	struct nl_cache	*addrs;
};

struct netif_addr {
	int		 family;	/* AF_INET or AF_INET6 */
	union {
		struct in_addr	 v4;
		struct in6_addr	 v6;
	}		 addr;
};

int	netif_open(struct netif *);
void	netif_close(struct netif *);
int	netif_addresses(struct netif *, const char *ifname,
	    struct netif_addr **out, size_t *n, size_t *skipped);

#endif
