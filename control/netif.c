/*
 * Reads an interface's addresses from rtnetlink caches (libnl-route), so a
 * tenant's listeners follow "bind control source-interface NAME".
 */
#include "autoconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_addr.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include "log.h"
#include "netif.h"

int
netif_open(struct netif *nif)
{
	int	err;

	memset(nif, 0, sizeof(*nif));
	if ((nif->sock = nl_socket_alloc()) == NULL) {
		log_warnx("netif: cannot allocate a netlink socket");
		return -ENOMEM;
	}
	if ((err = nl_connect(nif->sock, NETLINK_ROUTE)) < 0 ||
	    (err = rtnl_link_alloc_cache(nif->sock, AF_UNSPEC, &nif->links)) < 0 ||
	    (err = rtnl_addr_alloc_cache(nif->sock, &nif->addrs)) < 0) {
		log_warnx("netif: cannot read interfaces from the kernel: %s",
		    nl_geterror(err));
		netif_close(nif);
		return -EIO;
	}
	return 0;
}

void
netif_close(struct netif *nif)
{
	if (nif->addrs != NULL)
		nl_cache_free(nif->addrs);
	if (nif->links != NULL)
		nl_cache_free(nif->links);
	if (nif->sock != NULL)
		nl_socket_free(nif->sock);
	memset(nif, 0, sizeof(*nif));
}

struct addr_walk {
	int			 ifindex;
	struct netif_addr	*v;
	size_t			 n;
	size_t			 skipped;
	int			 error;
};

/*
 * IPv6 link-local addresses are skipped: SIP peers reach a trunk on routable
 * addresses, and a link-local listener would need a scope id in every
 * address we print or compare. So are addresses that failed duplicate
 * address detection: another host owns them. One still in detection is
 * used (IP_FREEBIND binds it), so a listener opens with its address.
 */
static void
addr_collect(struct nl_object *obj, void *arg)
{
	struct addr_walk	*w = arg;
	struct rtnl_addr	*ra = (struct rtnl_addr *)obj;
	struct nl_addr		*local;
	struct netif_addr	*grown, a = { 0 };

	if (w->error != 0 || rtnl_addr_get_ifindex(ra) != w->ifindex)
		return;
	if ((local = rtnl_addr_get_local(ra)) == NULL)
		return;
	if (rtnl_addr_get_flags(ra) & IFA_F_DADFAILED) {
		w->skipped++;
		return;
	}
	a.family = nl_addr_get_family(local);
	if (a.family == AF_INET && nl_addr_get_len(local) == sizeof(a.addr.v4))
		memcpy(&a.addr.v4, nl_addr_get_binary_addr(local), sizeof(a.addr.v4));
	else if (a.family == AF_INET6 && nl_addr_get_len(local) == sizeof(a.addr.v6))
		memcpy(&a.addr.v6, nl_addr_get_binary_addr(local), sizeof(a.addr.v6));
	else
		return;
	if (a.family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&a.addr.v6)) {
		w->skipped++;
		return;
	}
	if ((grown = reallocarray(w->v, w->n + 1, sizeof(*grown))) == NULL) {
		w->error = -ENOMEM;
		return;
	}
	w->v = grown;
	w->v[w->n++] = a;
}

/* Returns -ENODEV when the interface does not exist; n = 0 when it has no address. */
int
netif_addresses(struct netif *nif, const char *ifname, struct netif_addr **out,
    size_t *n, size_t *skipped)
{
	struct addr_walk	w = { 0 };

	*out = NULL;
	*n = 0;
	*skipped = 0;
	if ((w.ifindex = rtnl_link_name2i(nif->links, ifname)) == 0)
		return -ENODEV;
	nl_cache_foreach(nif->addrs, addr_collect, &w);
	if (w.error != 0) {
		free(w.v);
		return w.error;
	}
	*out = w.v;
	*n = w.n;
	*skipped = w.skipped;
	return 0;
}
