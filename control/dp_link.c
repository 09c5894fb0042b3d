/*
 * The control plane's side of the dataplane: started from the configuration,
 * handed each established inbound session whose tenant has a backend and
 * each outbound trunk session with its accepted backend connection, told
 * when a relayed session ends (its Conn-Id is free again), asked for its
 * counters and to clear connections. A relayed connection keeps its row in
 * the connection table (show, Conn-Id), without socket or SSL.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>


#include "daemon.h"
#include "dataplane/dataplane.h"
#include "handoff.h"
#include "handshake.h"
#include "log.h"
#include "tls.h"

#define DP_LINK_REAP_BATCH	256
#define SIP_DEFAULT_PORT	5060

/* The dataplane reports ended sessions; their rows and Conn-Ids go now. */
static void
dp_link_reap(struct sipktlsd *sd, struct ev_handler *ev, uint32_t events)
{
	unsigned	 ids[DP_LINK_REAP_BATCH];
	struct conn	*c;
	size_t		 n;

	(void)ev;
	(void)events;
	while ((n = dataplane_closed(sd->dp, ids, DP_LINK_REAP_BATCH)) > 0) {
		for (size_t i = 0; i < n; i++) {
			if ((c = conn_find_id(sd, ids[i])) == NULL || !c->relayed)
				continue;
			c->relayed = false;
			conn_drop(sd, c);
		}
	}
}

/*
 * Without a dataplane (kernel older than 6.0, io_uring disabled) sessions
 * are still accepted and shown, only not relayed: said once, loudly.
 */
void
dp_link_start(struct sipktlsd *sd)
{
	const struct config	*cfg = sd->cfg;
	struct dp_options	 o;
	int			 rc;

	dp_options_default(&o);
	o.threads = cfg->dataplane_threads;
	if (cfg->connection_limit > 0)
		o.conn_limit = cfg->connection_limit;
	o.aging_ms = cfg->aging_tls_minutes * 60U * 1000U;
	o.max_header = cfg->dp_max_header;
	o.max_body = cfg->dp_max_body;
	o.wq_bytes = cfg->dp_wq_bytes;
	o.wq_msgs = cfg->dp_wq_msgs;
	o.zc_threshold = cfg->dp_zc_threshold;
	o.connect_ms = cfg->dp_connect_ms;
	o.linger_ms = cfg->dp_linger_ms;
	if ((rc = dataplane_start(&sd->dp, &o)) < 0) {
		log_warnx("dataplane not started (%s): sessions will not be relayed",
		    strerror(-rc));
		sd->dp = NULL;
		return;
	}
	sd->dp_ev.fd = dataplane_closed_fd(sd->dp);
	sd->dp_ev.cb = dp_link_reap;
	if (ev_add(sd, &sd->dp_ev, EPOLLIN) == -1)
		fatalx("cannot watch the dataplane");
}

/* Every relayed session ends here (close_notify); then rows can go. */
void
dp_link_stop(struct sipktlsd *sd)
{
	if (sd->dp == NULL)
		return;
	ev_del(sd, &sd->dp_ev);
	dataplane_stop(sd->dp);
	sd->dp = NULL;
	for (size_t i = 0; i < sd->conns.n; i++)
		sd->conns.v[i]->relayed = false;
}

/* Literal addresses only: a DNS backend needs the resolver (not wired yet). */
static bool
backend_addr(const struct tenant_config *t, struct sockaddr_storage *ss)
{
	uint16_t	port = t->backend.port ? t->backend.port : SIP_DEFAULT_PORT;

	memset(ss, 0, sizeof(*ss));
	if (t->backend.kind == TARGET_IPV4) {
		struct sockaddr_in	*s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		return inet_pton(AF_INET, t->backend.host, &s->sin_addr) == 1;
	}
	if (t->backend.kind == TARGET_IPV6) {
		struct sockaddr_in6	*s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(port);
		return inet_pton(AF_INET6, t->backend.host, &s->sin6_addr) == 1;
	}
	return false;
}

static void
facts_copy(struct dp_session_facts *d, const struct session_facts *f,
    const char *offload)
{
	memset(d, 0, sizeof(*d));
	d->conn_id = f->conn_id;
	d->tenant = f->tenant;
	d->outbound = f->dir == CONN_OUTBOUND;
	d->local = f->local;
	d->remote = f->remote;
	snprintf(d->version, sizeof(d->version), "%s", f->version);
	snprintf(d->cipher, sizeof(d->cipher), "%s", f->cipher);
	snprintf(d->curve, sizeof(d->curve), "%s", f->curve);
	snprintf(d->sni, sizeof(d->sni), "%s", f->sni);
	/* "-" means no certificate: PROXY v2 then carries no CN */
	if (strcmp(f->peer, "-") != 0)
		snprintf(d->peer_cn, sizeof(d->peer_cn), "%s", f->peer);
	d->resumed = f->resumed;
	snprintf(d->offload, sizeof(d->offload), "%s", offload);
}

/* Where the trunk's accepted backend connection or the tenant's backend is. */
static bool
link_backend(const struct conn *c, const struct tenant_config *t,
    struct dp_backend *be)
{
	if (c->backend_fd == -1 && !backend_addr(t, &be->addr)) {
		log_warnx("Conn-Id %u: tenant %u: backend %s is not an address; "
		    "not relayed", c->id, t->tag, t->backend.host);
		return false;
	}
	be->transport = t->backend_transport == BACKEND_UDP ? DP_UDP : DP_TCP;
	be->proxy_v2 = t->backend_proxy_v2;
	if (c->backend_fd != -1) {
		socklen_t	len = sizeof(be->addr);

		be->fd = c->backend_fd;
		be->transport = DP_TCP;
		be->proxy_v2 = false;
		(void)getpeername(be->fd, (struct sockaddr *)&be->addr, &len);
	}
	return true;
}

/* The row stays for show and clear; socket, SSL and backend are gone. */
static void
link_done(struct sipktlsd *sd, struct conn *c)
{
	timer_cancel(&sd->timers, &c->timer);
	c->ev.fd = -1;
	c->ev.cb = NULL;
	c->ssl = NULL;
	c->backend_fd = -1;
	c->relayed = true;
}

/*
 * Before the dataplane takes the session its records move into the kernel
 * where they can (ktls_link.c). 1: the dataplane owns fd and ssl now, the
 * row stays for show and clear. 0: nothing changed; the caller keeps the
 * session as before. -1: the session was refused and dropped.
 */
int
dp_link_attach(struct sipktlsd *sd, struct conn *c, const struct session_facts *f,
    int fd, SSL *ssl)
{
	const struct tenant_config	*t;
	struct dp_session_facts		 df;
	struct dp_backend		 be = { .fd = -1 };
	struct dp_kernel_tls		 kt;
	enum ktls_link_path		 path;
	char				 why[256];
	int				 rc;

	/* outbound: only a trunk, whose backend connection is already accepted */
	if (sd->dp == NULL || (f->dir != CONN_INBOUND && c->backend_fd == -1) ||
	    (t = config_tenant(sd->cfg, f->tenant)) == NULL ||
	    (c->backend_fd == -1 && t->backend.kind == TARGET_NONE))
		return 0;
	if (!link_backend(c, t, &be))
		return 0;
	path = ktls_link_offload(sd, fd, ssl, &kt, c->offload, sizeof(c->offload),
	    why, sizeof(why));
	if (path == KTLS_LINK_REFUSE) {
		hs_fail(sd, c, why, false);
		return -1;
	}
	facts_copy(&df, f, c->offload);
	/* the socket leaves this loop before another thread may close it */
	ev_del(sd, &c->ev);
	/* nothing of the control plane may run from the dataplane's thread */
	SSL_set_info_callback(ssl, NULL);
	SSL_set_ex_data(ssl, tls_ex_conn(), NULL);
	if (path == KTLS_LINK_KERNEL)
		rc = dataplane_attach_kernel(sd->dp, &df, fd, &kt, &be);
	else
		rc = dataplane_attach(sd->dp, &df, fd, ssl, &be);
	if (rc < 0) {
		log_warnx("Conn-Id %u: tenant %u: not relayed: %s", c->id, f->tenant,
		    rc == -EBUSY ? "connection limit reached" : strerror(-rc));
		SSL_set_ex_data(ssl, tls_ex_conn(), c);
		(void)ev_add(sd, &c->ev, EPOLLIN);
		if (path == KTLS_LINK_KERNEL) {
			/* OpenSSL can neither read nor write records the kernel owns */
			dp_kernel_tls_free(&kt);
			SSL_set_quiet_shutdown(ssl, 1);
			sd->counters.conn_failures++;
			conn_drop(sd, c);
			return -1;
		}
		return 0;
	}
	if (path == KTLS_LINK_KERNEL)
		SSL_free(ssl);	/* the socket stays open: the fd BIO does not own it */
	link_done(sd, c);
	return 1;
}

/* conn_drop() on a relayed row: close it with close_notify, keep the row. */
bool
dp_link_clear(struct sipktlsd *sd, struct conn *c)
{
	if (!c->relayed || sd->dp == NULL)
		return false;
	if (c->state != CONN_CLOSING)
		(void)dataplane_clear_id(sd->dp, c->id);
	c->state = CONN_CLOSING;
	return true;
}

/* The guide's counters: the control plane's plus the relay's. */
void
dp_link_counters(const struct sipktlsd *sd, struct tls_counters *tc)
{
	struct dp_counters	d;

	if (sd->dp == NULL)
		return;
	dataplane_counters(sd->dp, &d);
	tc->send_failures += d.send_failures;
	tc->remote_closures += d.remote_closures;
	tc->conn_failures += d.conn_failures;
	tc->inactive_ageouts += d.inactive_ageouts;
	if (d.max_sendq > tc->max_sendq) {
		tc->max_sendq = d.max_sendq;
		tc->max_sendq_peer = d.max_sendq_peer;
	}
}

/* "show dataplane": the relay's own counters, which CUBE's tables have no row for. */
void
dp_link_show(const struct sipktlsd *sd, FILE *out)
{
	struct dp_counters	d;

	if (sd->dp == NULL) {
		fprintf(out, "Dataplane               : not running: sessions are "
		    "not relayed (see the log)\n");
		return;
	}
	dataplane_counters(sd->dp, &d);
	fprintf(out, "Threads                 : %u\n", d.threads);
	fprintf(out, "Relayed connections     : %" PRIu64 " of %u\n", d.active,
	    d.conn_limit);
	fprintf(out, "Refused at the limit    : %" PRIu64 "\n", d.refused_limit);
	fprintf(out, "Messages relayed        : %" PRIu64 "\n", d.msgs_relayed);
	fprintf(out, "Keep-alive pings        : %" PRIu64 " answered\n",
	    d.pings_answered);
	fprintf(out, "SIP framing errors      : %" PRIu64 "\n", d.framing_errors);
	fprintf(out, "UDP Content-Length added: %" PRIu64 "\n", d.dgram_cl_added);
	fprintf(out, "UDP excess discarded    : %" PRIu64 " datagrams\n",
	    d.dgram_excess);
	fprintf(out, "Zero-copy sends         : %" PRIu64 " (%" PRIu64
	    " copied by the kernel)\n", d.zc_sends, d.zc_copied);
	fprintf(out, "Receive buffers ran out : %" PRIu64 " times\n",
	    d.recv_nobufs);
}

/*
 * WriteQ-Size of every relayed connection as the dataplane counts it now:
 * after the hand-off the control plane's own row learns nothing by itself.
 */
void
dp_link_writeq(struct sipktlsd *sd)
{
	struct dp_conn_info	*v;
	struct conn		*c;
	size_t			 n;

	if (sd->dp == NULL || dataplane_snapshot(sd->dp, &v, &n) < 0)
		return;
	/* a row the dataplane no longer has has just ended: nothing queued */
	for (size_t i = 0; i < sd->conns.n; i++)
		sd->conns.v[i]->writeq = 0;
	for (size_t i = 0; i < n; i++) {
		if ((c = conn_find_id(sd, v[i].conn_id)) != NULL && c->relayed)
			c->writeq = v[i].writeq;
	}
	free(v);
}
