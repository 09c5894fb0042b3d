/*
 * Outbound TLS: a tenant's sip-server (or a dial-peer's target) resolved off
 * the loop, connected without blocking, one address after another, then a
 * client handshake with SNI and the session last used for that target.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <openssl/err.h>

#include "handshake.h"
#include "log.h"

static bool
target_literal(const struct conf_target *t, uint16_t port,
    struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, t->host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		return true;
	}
	if (inet_pton(AF_INET6, t->host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		return true;
	}
	return false;
}

/* SNI carries a DNS name only: never an address literal (RFC 6066, the guide). */
static void
client_sni(struct conn *c)
{
	struct sockaddr_storage	ss;

	if (!c->ctx->prof.sni_send || target_literal(&c->hs->target, 0, &ss))
		return;
	if (SSL_set_tlsext_host_name(c->ssl, c->hs->target.host) == 1)
		snprintf(c->hs->sni, sizeof(c->hs->sni), "%s", c->hs->target.host);
}

static int
client_session(struct sipktlsd *sd, struct conn *c)
{
	const struct conf_target	*t = &c->hs->target;
	SSL_SESSION			*sess;

	if ((c->ssl = SSL_new(c->ctx->client)) == NULL ||
	    !SSL_set_fd(c->ssl, c->ev.fd) ||
	    !SSL_set_ex_data(c->ssl, tls_ex_conn(), c) ||
	    tls_target_attach(c->ssl, c->tenant, t->host, t->port) == -1)
		return -1;
	SSL_set_connect_state(c->ssl);
	client_sni(c);
	if ((sess = tls_cache_get(&sd->sessions, c->tenant, t->host, t->port)) != NULL &&
	    SSL_set_session(c->ssl, sess) == 1)
		log_debug("Conn-Id %u: offering the session of the last connection "
		    "to %s:%u", c->id, t->host, t->port);
	return 0;
}

static void
hs_connected(struct sipktlsd *sd, struct conn *c)
{
	socklen_t	len = sizeof(c->local);

	c->hs->connecting = false;
	(void)getsockname(c->ev.fd, (struct sockaddr *)&c->local, &len);
	if (client_session(sd, c) == -1) {
		log_openssl("Conn-Id %u: cannot start a TLS session", c->id);
		conn_drop(sd, c);
		return;
	}
	hs_step(sd, c);
}

static void
dial_close(struct sipktlsd *sd, struct conn *c)
{
	if (c->ev.fd == -1)
		return;
	ev_del(sd, &c->ev);
	close(c->ev.fd);
	c->ev.fd = -1;
}

/* The next address, until one connects or none is left. */
static void
hs_dial(struct sipktlsd *sd, struct conn *c)
{
	struct hs	*hs = c->hs;
	int		 fd, on = 1, err = hs->dial_err;

	while (hs->next < hs->naddrs) {
		c->remote = hs->addrs[hs->next++];
		fd = socket(c->remote.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, IPPROTO_TCP);
		if (fd == -1) {
			err = errno;
			continue;
		}
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
		c->ev.fd = fd;
		c->ev.cb = hs_io;
		if (connect(fd, (struct sockaddr *)&c->remote,
		    sockaddr_len(&c->remote)) == 0 || errno == EINPROGRESS) {
			hs->connecting = true;
			if (ev_add(sd, &c->ev, EPOLLOUT) == 0) {
				hs->events = EPOLLOUT;
				return;
			}
		}
		err = errno;
		dial_close(sd, c);
	}
	hs_conn_failed(sd, c, "%s: %s", hs->target.host,
	    err ? strerror(err) : "no address to try");
}

/* Called again with the next address, or to report this one's error. */
static void
hs_dial_next(struct sipktlsd *sd, struct conn *c, int err)
{
	c->hs->dial_err = err;
	hs_dial(sd, c);
}

void
hs_connect_io(struct sipktlsd *sd, struct conn *c)
{
	char		addr[INET6_ADDRSTRLEN + 16];
	socklen_t	len = sizeof(int);
	int		err = 0;

	if (getsockopt(c->ev.fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == 0) {
		hs_connected(sd, c);
		return;
	}
	log_info("Conn-Id %u: connect to %s: %s", c->id,
	    addrport_format(&c->remote, "-", addr, sizeof(addr)),
	    strerror(err));
	dial_close(sd, c);
	hs_dial_next(sd, c, err);
}

void
hs_resolved(struct sipktlsd *sd, struct ev_handler *ev, uint32_t events)
{
	struct resolve_answer	 a;
	struct conn		*c;

	while (resolver_next(sd->hs->res, &a)) {
		/* the connection may be gone, its Conn-Id even reused */
		if ((c = conn_find_id(sd, a.conn_id)) == NULL ||
		    c->serial != a.serial || c->hs == NULL || !c->hs->resolving)
			continue;
		c->hs->resolving = false;
		if (a.err != 0) {
			hs_conn_failed(sd, c, "%s", a.why);
			continue;
		}
		memcpy(c->hs->addrs, a.addrs, sizeof(a.addrs));
		c->hs->naddrs = a.n;
		if (a.srv)
			log_debug("Conn-Id %u: _sips._tcp.%s SRV gave %zu "
			    "address(es)", c->id, c->hs->target.host, a.n);
		hs_dial(sd, c);
	}
}

static struct conn *
outbound_conn(struct sipktlsd *sd, unsigned tenant,
    const struct conf_target *target, int id)
{
	struct conn	*c = conn_new(sd, -1, (unsigned)id);

	c->dir = CONN_OUTBOUND;
	c->state = CONN_HANDSHAKE;
	c->tenant = tenant;
	c->hs = hs_alloc(sd);
	c->hs->target = *target;
	c->hs->sd = sd;
	c->ctx = tls_ctx_ref(tls_ctx_for_tenant(&sd->tls, sd->cfg, tenant));
	c->ev.cb = hs_io;
	c->timer.fn = hs_timeout;
	timer_set(&sd->timers, &c->timer, now_ms() +
	    (uint64_t)sd->cfg->handshake_timeout * 1000);
	return c;
}

/*
 * Opens a TLS connection for a tenant: to target, or to its sip-server when
 * target is NULL. Returns 0 and the Conn-Id at once; the session reaches
 * handoff_session() as outbound, or fails with the guide's syslog line
 * ("TLS client handshake failures") or as a "conn. failure".
 */
int
handshake_connect(struct sipktlsd *sd, unsigned tenant,
    const struct conf_target *target, unsigned *conn_id, char *why, size_t len)
{
	const struct tenant_config	*t = config_tenant(sd->cfg, tenant);
	struct conn			*c;
	uint16_t			 port;
	int				 id;

	if (t == NULL) {
		snprintf(why, len, "voice class tenant %u is not configured", tenant);
		return -ENOENT;
	}
	if (target == NULL)
		target = &t->sip_server;
	if (target->kind == TARGET_NONE) {
		snprintf(why, len, "tenant %u has no sip-server", tenant);
		return -EDESTADDRREQ;
	}
	if (sd->conns.n >= sd->conn_budget ||
	    (id = connid_alloc(&sd->ids, 1)) < 0) {
		snprintf(why, len, "connection limit reached");
		return -ENOSPC;
	}
	c = outbound_conn(sd, tenant, target, id);
	*conn_id = c->id;
	port = target->port;
	if (target_literal(target, port ? port : RESOLVE_DEFAULT_PORT,
	    &c->hs->addrs[0])) {
		c->hs->naddrs = 1;
		hs_dial(sd, c);
		return 0;
	}
	/* a name without a port is looked up as _sips._tcp SRV first (RFC 3263) */
	c->hs->resolving = true;
	if (resolver_submit(sd->hs->res, c->id, c->serial, target->host, port) != 0)
		hs_conn_failed(sd, c, "out of memory");
	return 0;
}
