/*
 * Follows rtnetlink's address and link events, so that listeners bound to an
 * interface ("bind control source-interface") open and close with its
 * addresses without a reload: a VRRP virtual address, DHCP, a late interface.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "daemon.h"
#include "listen.h"
#include "log.h"
#include "netwatch.h"

/*
 * A change comes as a burst (an address and its route, both families, DAD
 * ending); the listeners are planned once the burst has settled.
 */
#define NETWATCH_SETTLE_MS	200

struct netwatch {
	struct nl_sock		*sock;
	struct ev_handler	 ev;
	struct timer		 settle;
	unsigned		 events;	/* messages in the current read */
};

static int
netwatch_count(struct nl_msg *msg, void *arg)
{
	struct netwatch	*nw = arg;

	(void)msg;
	nw->events++;
	return NL_OK;
}

/* The burst is over: a plan is built quietly first, as most events concern no listener. */
static void
netwatch_settled(struct sipktlsd *sd, struct timer *t)
{
	struct listen_plan	plan;
	struct listen_summary	sum;
	bool			differs;

	(void)t;
	listen_plan_build(sd->cfg, true, &plan);
	/* wildcard listeners alone: nothing an interface event can change */
	differs = plan.interfaces && listen_plan_differs(&sd->listeners, &plan);
	listen_plan_free(&plan);
	if (!differs)
		return;
	daemon_listen(sd, &sum);
	log_info("interface addresses changed: listeners %u kept, %u opened, "
	    "%u closed, %u failed", sum.kept, sum.opened, sum.closed, sum.failed);
}

static void
netwatch_read(struct sipktlsd *sd, struct ev_handler *ev, uint32_t events)
{
	struct netwatch	*nw = container_of(ev, struct netwatch, ev);
	int		 rc, reads = 0;

	(void)events;
	nw->events = 0;
	/* bounded: the descriptor is level-triggered, what is left wakes us again */
	while ((rc = nl_recvmsgs_default(nw->sock)) >= 0 && ++reads < 64)
		;
	if (rc >= 0)
		rc = -NLE_AGAIN;
	/* -NLE_NOMEM: the socket overran (ENOBUFS) and events were lost */
	if (rc != -NLE_AGAIN && rc != -NLE_NOMEM)
		log_warnx("netwatch: reading rtnetlink: %s", nl_geterror(rc));
	if ((nw->events > 0 || rc == -NLE_NOMEM) && !timer_armed(&nw->settle))
		timer_set(&sd->timers, &nw->settle, now_ms() + NETWATCH_SETTLE_MS);
}

static int
netwatch_subscribe(struct netwatch *nw)
{
	int	err;

	nl_socket_disable_seq_check(nw->sock);
	if ((err = nl_socket_modify_cb(nw->sock, NL_CB_VALID, NL_CB_CUSTOM,
	    netwatch_count, nw)) < 0 ||
	    (err = nl_connect(nw->sock, NETLINK_ROUTE)) < 0 ||
	    (err = nl_socket_add_memberships(nw->sock, RTNLGRP_LINK,
	    RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, 0)) < 0 ||
	    (err = nl_socket_set_nonblocking(nw->sock)) < 0)
		return err;
	return 0;
}

/* Without it sipktlsd still runs; interface changes then wait for a reload. */
void
netwatch_start(struct sipktlsd *sd)
{
	struct netwatch	*nw;
	int		 err;

	if ((nw = calloc(1, sizeof(*nw))) == NULL ||
	    (nw->sock = nl_socket_alloc()) == NULL) {
		free(nw);
		log_warnx("netwatch: out of memory; interface address changes "
		    "take effect at the next reload");
		return;
	}
	if ((err = netwatch_subscribe(nw)) < 0) {
		log_warnx("netwatch: cannot follow rtnetlink (%s); interface "
		    "address changes take effect at the next reload",
		    nl_geterror(err));
		nl_socket_free(nw->sock);
		free(nw);
		return;
	}
	nw->ev.fd = nl_socket_get_fd(nw->sock);
	nw->ev.cb = netwatch_read;
	nw->settle.fn = netwatch_settled;
	if (ev_add(sd, &nw->ev, EPOLLIN) == -1) {
		nl_socket_free(nw->sock);
		free(nw);
		return;
	}
	sd->nw = nw;
}

void
netwatch_stop(struct sipktlsd *sd)
{
	struct netwatch	*nw = sd->nw;

	if (nw == NULL)
		return;
	ev_del(sd, &nw->ev);
	timer_cancel(&sd->timers, &nw->settle);
	nl_socket_free(nw->sock);
	free(nw);
	sd->nw = NULL;
}
