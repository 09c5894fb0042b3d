/*
 * The tenant's plain SIP side of a pair: a socket created straight into the
 * ring's file table and connected there (TCP, optionally opened with a PROXY
 * v2 header, or one connected UDP socket per session), or, for outbound
 * trunks, the already connected socket the control plane accepted.
 */
#include "autoconf.h"

#include <errno.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "dp.h"
#include "log.h"
#include "proxy_v2.h"

/* Queued before any message, so it is the first thing the backend reads. */
static int
backend_queue_proxy(struct dp_conn *c)
{
	struct pp2_facts	f = {
		.src = &c->facts.remote,
		.dst = &c->facts.local,
		.datagram = false,
		.version = c->facts.version,
		.cipher = c->facts.cipher,
		.sni = c->facts.sni,
		.peer_cn = c->facts.peer_cn,
		.resumed = c->facts.resumed,
		.tenant = c->facts.tenant,
	};
	uint8_t			hdr[PP2_MAX_LEN];
	ssize_t			n;

	if ((n = pp2_encode(&f, hdr, sizeof(hdr))) < 0)
		return (int)n;
	return sendq_append(&c->side[SIDE_BE].sq, hdr, (size_t)n);
}

int
backend_start(struct dp_conn *c)
{
	struct dp_side	*be = &c->side[SIDE_BE];
	int		 rc, family = c->be.addr.ss_family;

	if (c->be.fd >= 0) {
		/* outbound: the trunk's plain connection, accepted by the control plane */
		rc = ring_install_fd(c->t, be->slot, c->be.fd);
		close(c->be.fd);
		c->be.fd = -1;
		if (rc < 0)
			return rc;
		be->open = true;
		be->connected = true;
		atomic_store(&c->state, DP_CONN_ESTABLISHED);
		return 0;
	}
	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	if (c->be.proxy_v2 && c->be.transport == DP_TCP &&
	    (rc = backend_queue_proxy(c)) < 0)
		return rc;
	c->be_connecting = true;
	ring_socket(c, family, c->be.transport == DP_UDP ? SOCK_DGRAM : SOCK_STREAM);
	c->deadline = c->t->now + c->t->dp->opt.connect_ms;
	return 0;
}

void
backend_on_socket(struct dp_conn *c, int res)
{
	if (res < 0) {
		backend_fail(c, -res, "socket");
		return;
	}
	c->side[SIDE_BE].open = true;
	if (c->dead) {
		/* closed while the socket was being made */
		ring_close(c, SIDE_BE);
		return;
	}
	ring_connect(c);
}

void
backend_on_connect(struct dp_conn *c, int res)
{
	c->be_connecting = false;
	if (c->dead)
		return;
	if (res < 0) {
		backend_fail(c, -res, "connect");
		return;
	}
	c->side[SIDE_BE].connected = true;
	if (c->be.transport == DP_TCP)
		ring_nodelay(c, SIDE_BE);
	if (atomic_load(&c->state) == DP_CONN_CONNECTING) {
		atomic_store(&c->state, DP_CONN_ESTABLISHED);
		c->deadline = 0;
		conn_timer_arm(c);
	}
	conn_dirty(c);
}

/*
 * Refused, reset, unreachable or timed out: a "conn. failure". The TLS side
 * is closed cleanly, with close_notify after what is already queued for it.
 */
void
backend_fail(struct dp_conn *c, int err, const char *what)
{
	char	addr[DP_ADDRSTRLEN];

	c->be_connecting = false;
	if (c->be_failed || c->dead)
		return;
	c->be_failed = true;
	STAT_INC(c->t, conn_failures);
	dp_log_conn(c, LOG_NOTICE, "backend %s %s: %s",
	    dp_addr_format(&c->be.addr, addr, sizeof(addr)), what, strerror(err));
	c->side[SIDE_BE].connected = false;
	c->why = WHY_BACKEND_FAIL;
	conn_shutdown(c, WHY_BACKEND_FAIL);
	conn_dirty(c);
}
