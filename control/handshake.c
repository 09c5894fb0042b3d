/*
 * The handshake engine: accepts on every listener, runs each TLS handshake
 * as a non-blocking state machine driven by epoll (no thread per
 * connection), bounds it by a deadline and per-source limits, reports
 * failures in the guide's syslog words, and hands finished sessions off.
 */
#include "autoconf.h"

#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <openssl/err.h>

#include "handoff.h"
#include "handshake.h"
#include "log.h"
#include "trusted.h"

static void
hs_ratelimit_flush(struct sipktlsd *sd, struct timer *t)
{
	struct hs_ratelimit	*rl = container_of(t, struct hs_ratelimit, flush);

	if (rl->suppressed > 0)
		log_warnx("%u more %s were not logged", rl->suppressed, rl->what);
	rl->suppressed = 0;
}

/*
 * True when a line may be written now. Past HS_LOG_PER_WINDOW lines a
 * window, lines are counted and their number is logged when it closes.
 */
bool
hs_ratelimit(struct sipktlsd *sd, struct hs_ratelimit *rl)
{
	uint64_t	now = now_ms();

	if (now - rl->start >= HS_LOG_WINDOW_MS) {
		rl->start = now;
		rl->logged = 0;
	}
	if (rl->logged < HS_LOG_PER_WINDOW) {
		rl->logged++;
		return true;
	}
	rl->suppressed++;
	if (!timer_armed(&rl->flush))
		timer_set(&sd->timers, &rl->flush, rl->start + HS_LOG_WINDOW_MS);
	return false;
}

void
hs_want(struct sipktlsd *sd, struct conn *c, uint32_t events)
{
	if (c->hs->events == events)
		return;
	if (ev_mod(sd, &c->ev, events) == 0)
		c->hs->events = events;
}

static void
hs_count_failure(struct sipktlsd *sd, const struct conn *c)
{
	if (c->dir == CONN_INBOUND)
		sd->counters.server_handshake_failures++;
	else
		sd->counters.client_handshake_failures++;
}

/*
 * The guide's lines, word for word. A handshake the peer ended with an
 * alert reads "TLS handshake failure, Reason: <alert>", as the guide's
 * version-mismatch example; failures we detected read "Reason: ...".
 */
static void
hs_report(struct sipktlsd *sd, const struct conn *c, const char *reason,
    bool alert)
{
	char		local[INET6_ADDRSTRLEN + 16], remote[INET6_ADDRSTRLEN + 16];

	if (!hs_ratelimit(sd, &sd->hs->fail_log))
		return;
	addrport_format(&c->local, "-", local, sizeof(local));
	addrport_format(&c->remote, "-", remote, sizeof(remote));
	if (c->hs != NULL && c->hs->identity_failed)
		log_warnx("%%SIP-2-TLS_HANDSHAKE_FAILED :Peer certificate identity "
		    "check failed - remote_addr=%s, remote_port=%u, local_addr=%s, "
		    "local_port=%u, vrf=, tenant=%u", sockaddr_ntop(&c->remote,
		    remote, sizeof(remote)), sockaddr_port(&c->remote),
		    sockaddr_ntop(&c->local, local, sizeof(local)),
		    sockaddr_port(&c->local), c->tenant);
	else
		log_warnx("%%SIP-2-TLS_HANDSHAKE_FAILED: %sReason: %s, Connection "
		    "ID: %u, local address : %s and remote address : %s",
		    alert ? "TLS handshake failure, " : "", reason, c->id, local,
		    remote);
	if (c->hs != NULL && c->hs->identity_failed)
		log_info("Conn-Id %u: tenant %u: peer certificate identity: %s",
		    c->id, c->tenant, c->hs->identity_why);
	else if (c->hs != NULL && c->hs->verify_detail[0] != '\0')
		log_info("Conn-Id %u: tenant %u: %s", c->id, c->tenant,
		    c->hs->verify_detail);
}

void
hs_fail(struct sipktlsd *sd, struct conn *c, const char *reason, bool alert)
{
	hs_count_failure(sd, c);
	hs_report(sd, c, reason, alert);
	conn_drop(sd, c);
}

/* Before any TLS byte: resolution or TCP connect failed, "conn. failures". */
void
hs_conn_failed(struct sipktlsd *sd, struct conn *c, const char *fmt, ...)
{
	char	why[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	sd->counters.conn_failures++;
	log_warnx("Conn-Id %u: tenant %u: cannot connect: %s", c->id, c->tenant,
	    why);
	conn_drop(sd, c);
}

static void
hs_facts(struct conn *c, struct session_facts *f)
{
	const char	*sni;

	memset(f, 0, sizeof(*f));
	f->conn_id = c->id;
	f->tenant = c->tenant;
	f->dir = c->dir;
	f->local = c->local;
	f->remote = c->remote;
	snprintf(f->version, sizeof(f->version), "%s", SSL_get_version(c->ssl));
	tls_cipher_display(c->ssl, c->dir == CONN_INBOUND, f->cipher,
	    sizeof(f->cipher));
	tls_curve_display(c->ssl, f->curve, sizeof(f->curve));
	if (c->dir == CONN_INBOUND &&
	    (sni = SSL_get_servername(c->ssl, TLSEXT_NAMETYPE_host_name)) != NULL)
		snprintf(f->sni, sizeof(f->sni), "%s", sni);
	else if (c->dir == CONN_OUTBOUND)
		snprintf(f->sni, sizeof(f->sni), "%s", c->hs->sni);
	tls_peer_summary(c->ssl, f->peer, sizeof(f->peer));
	f->resumed = SSL_session_reused(c->ssl) == 1;
	if (SSL_version(c->ssl) >= TLS1_3_VERSION)
		f->tickets_sent = tls_tickets_sent(c->ssl);
}

/*
 * The trusted list is checked at accept when no tenant on the address could
 * bypass it; here the SNI has picked the tenant, and the admission rule
 * (trusted.h) sees whether its cn-san client check passed.
 */
static bool
hs_trust_ok(struct sipktlsd *sd, struct conn *c)
{
	enum trust_decision	d;

	if (c->dir == CONN_OUTBOUND)
		return true;
	/* a resumed session skips the verify callback, so its check runs here */
	if (SSL_session_reused(c->ssl) && !c->hs->cnsan_passed)
		hs_identity_resumed(c);
	d = trusted_admit(sd->cfg, c->ctx->profile != 0 ? &c->ctx->prof : NULL,
	    (const struct sockaddr *)&c->remote, c->hs->cnsan_passed);
	if (trust_decision_admits(d))
		return true;
	log_info("Conn-Id %u: tenant %u: refused after the handshake: %s",
	    c->id, c->tenant, trust_decision_name(d));
	return false;
}

/* Inbound, a check of the peer's certificate may still hold it (hs_pki.c). */
void
hs_done(struct sipktlsd *sd, struct conn *c)
{
	struct session_facts	f;
	bool			wait;

	if (!hs_revoke_admit(sd, c, &wait)) {
		if (!wait)
			hs_fail(sd, c, c->hs->fail_reason, false);
		return;
	}
	if (!hs_trust_ok(sd, c)) {
		hs_fail(sd, c, "source address not in the trusted list", false);
		return;
	}
	hs_facts(c, &f);
	handshake_release(sd, c);
	handoff_session(sd, &f, c->ev.fd, c->ssl);
}

void
hs_step(struct sipktlsd *sd, struct conn *c)
{
	char	reason[256];
	bool	alert;
	int	r, err, saved;

	ERR_clear_error();
	errno = 0;
	r = SSL_do_handshake(c->ssl);
	if (r == 1) {
		hs_done(sd, c);
		return;
	}
	saved = errno;
	switch ((err = SSL_get_error(c->ssl, r))) {
	case SSL_ERROR_WANT_READ:
		hs_want(sd, c, EPOLLIN);
		return;
	case SSL_ERROR_WANT_WRITE:
		hs_want(sd, c, EPOLLOUT);
		return;
	case SSL_ERROR_WANT_RETRY_VERIFY:
		/* a revocation answer is pending: resumed by its callback */
		hs_want(sd, c, 0);
		return;
	default:
		alert = tls_failure_reason(c->ssl, err, saved, reason,
		    sizeof(reason));
		if (c->hs->fail_reason != NULL) {
			/* the verify callback refused: "certificate revoked" */
			snprintf(reason, sizeof(reason), "%s", c->hs->fail_reason);
			alert = false;
		}
		hs_fail(sd, c, reason, alert);
	}
}

void
hs_io(struct sipktlsd *sd, struct ev_handler *ev, uint32_t events)
{
	struct conn	*c = container_of(ev, struct conn, ev);

	/* held for a revocation answer, unpolled: only an error or hang-up */
	if (c->hs != NULL && c->hs->rev == HS_REV_PENDING && c->hs->events == 0) {
		hs_fail(sd, c, events & EPOLLERR ? "connection reset by peer" :
		    "peer closed the connection", false);
		return;
	}
	if (c->hs != NULL && c->hs->connecting)
		hs_connect_io(sd, c);
	else
		hs_step(sd, c);
}

void
hs_timeout(struct sipktlsd *sd, struct timer *t)
{
	struct conn	*c = container_of(t, struct conn, timer);

	if (c->hs != NULL && (c->hs->resolving || c->hs->connecting))
		hs_conn_failed(sd, c, "no connection within %u seconds",
		    sd->cfg->handshake_timeout);
	else
		hs_fail(sd, c, "handshake timeout", false);
}

static void
hs_refuse(struct sipktlsd *sd, int fd, const struct sockaddr_storage *ss,
    const char *why)
{
	char		addr[INET6_ADDRSTRLEN + 16];

	close(fd);
	sd->counters.conn_failures++;
	sd->hs->refused++;
	if (hs_ratelimit(sd, &sd->hs->refuse_log))
		log_warnx("connection from %s refused: %s", addrport_format(ss,
		    "-", addr, sizeof(addr)), why);
}

static const char *
hs_admit(struct sipktlsd *sd, const struct listener *l,
    const struct sockaddr_storage *ss)
{
	if (sd->conns.n >= sd->conn_budget)
		return "connection limit reached";
	if (trusted_list_enforced(sd->cfg) &&
	    !trusted_match(sd->cfg, (const struct sockaddr *)ss) &&
	    !trusted_target(sd->cfg, (const struct sockaddr *)ss) &&
	    !hs_listener_any_cnsan_client(sd, &l->conf.addr))
		return "source address not in the trusted list";
	if (!hs_src_take(sd->hs, ss))
		return "too many handshakes in progress from this address";
	return NULL;
}

static struct conn *
hs_inbound_conn(struct sipktlsd *sd, const struct listener *l, int fd,
    const struct sockaddr_storage *ss, int id)
{
	struct conn	*c = conn_new(sd, fd, (unsigned)id);
	socklen_t	 len = sizeof(c->local);

	c->dir = CONN_INBOUND;
	c->state = CONN_HANDSHAKE;
	c->tenant = listener_default_tenant(&sd->listeners, sd->cfg, l);
	c->remote = *ss;
	(void)getsockname(fd, (struct sockaddr *)&c->local, &len);
	c->hs = hs_alloc(sd);
	c->hs->source_held = true;
	c->hs->listen_addr = l->conf.addr;
	c->hs->sd = sd;
	c->ctx = tls_ctx_ref(tls_ctx_for_tenant(&sd->tls, sd->cfg, c->tenant));
	return c;
}

static void
hs_inbound(struct sipktlsd *sd, const struct listener *l, int fd,
    const struct sockaddr_storage *ss)
{
	const char	*why;
	struct conn	*c;
	char		 addr[INET6_ADDRSTRLEN + 16];
	int		 id, on = 1;

	if ((why = hs_admit(sd, l, ss)) != NULL) {
		hs_refuse(sd, fd, ss, why);
		return;
	}
	if ((id = connid_alloc(&sd->ids, 1)) < 0) {
		hs_src_give(sd->hs, ss);
		hs_refuse(sd, fd, ss, "no free Conn-Id");
		return;
	}
	/* SIP requests are small and latency matters more than segment count */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	c = hs_inbound_conn(sd, l, fd, ss, id);
	if ((c->ssl = SSL_new(c->ctx->server)) == NULL ||
	    !SSL_set_fd(c->ssl, fd) ||
	    !SSL_set_ex_data(c->ssl, tls_ex_conn(), c)) {
		log_openssl("Conn-Id %u: cannot start a TLS session", c->id);
		conn_drop(sd, c);
		return;
	}
	SSL_set_accept_state(c->ssl);
	c->ev.cb = hs_io;
	c->timer.fn = hs_timeout;
	timer_set(&sd->timers, &c->timer, now_ms() +
	    (uint64_t)sd->cfg->handshake_timeout * 1000);
	if (ev_add(sd, &c->ev, EPOLLIN) == -1) {
		conn_drop(sd, c);
		return;
	}
	c->hs->events = EPOLLIN;
	log_debug("Conn-Id %u: accepted from %s for tenant %u", c->id,
	    addrport_format(ss, "-", addr, sizeof(addr)), c->tenant);
}

static void
hs_accept_resume(struct sipktlsd *sd, struct timer *t)
{
	for (size_t i = 0; i < sd->listeners.n; i++) {
		struct listener *l = sd->listeners.v[i];

		if (l->paused && ev_mod(sd, &l->ev, EPOLLIN) == 0)
			l->paused = false;
	}
}

/* Out of descriptors: stop polling every listener a while rather than spin. */
static void
hs_accept_pause(struct sipktlsd *sd)
{
	log_warn("accept");
	for (size_t i = 0; i < sd->listeners.n; i++) {
		struct listener *l = sd->listeners.v[i];

		if (l->armed && !l->paused && ev_mod(sd, &l->ev, 0) == 0)
			l->paused = true;
	}
	timer_set(&sd->timers, &sd->hs->accept_resume, now_ms() +
	    CTL_ACCEPT_PAUSE_MS);
}

static void
hs_accept(struct sipktlsd *sd, struct ev_handler *ev, uint32_t events)
{
	struct listener		*l = container_of(ev, struct listener, ev);
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 fd;

	for (int i = 0; i < HS_ACCEPT_BATCH; i++) {
		len = sizeof(ss);
		memset(&ss, 0, sizeof(ss));
		fd = accept4(ev->fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			hs_inbound(sd, l, fd, &ss);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			hs_accept_pause(sd);
		else if (errno != EAGAIN && errno != EWOULDBLOCK)
			log_warn("listener %u: accept", l->id);
		return;
	}
}

void
handshake_listeners_arm(struct sipktlsd *sd)
{
	for (size_t i = 0; i < sd->listeners.n; i++) {
		struct listener *l = sd->listeners.v[i];

		if (l->armed)
			continue;
		l->ev.cb = hs_accept;
		if (ev_add(sd, &l->ev, EPOLLIN) == 0)
			l->armed = true;
	}
}

struct hs *
hs_alloc(struct sipktlsd *sd)
{
	struct hs	*hs;

	if ((hs = calloc(1, sizeof(*hs))) == NULL)
		fatal("%s", __func__);
	sd->hs->inflight++;
	return hs;
}

void
handshake_release(struct sipktlsd *sd, struct conn *c)
{
	struct hs_engine	*e = sd->hs;

	if (c->hs == NULL)
		return;
	hs_revoke_release(sd, c);
	if (c->hs->source_held)
		hs_src_give(e, &c->remote);
	free(c->hs);
	c->hs = NULL;
	if (e == NULL)		/* stopping */
		return;
	e->inflight--;
	/*
	 * A handshake's SSL is 25-45 KB, a session handed to the kernel keeps
	 * none of it; after a burst glibc holds the freed pages, scattered
	 * between the rows that stay. Once no handshake is left they go back
	 * (malloc_trim also returns free pages inside the heap), so an idle
	 * offloaded connection costs its rows, not its handshake's peak.
	 */
	if (++e->since_trim >= HS_TRIM_AFTER && e->inflight == 0) {
		e->since_trim = 0;
		malloc_trim(0);
	}
}

/*
 * Ticket keys: "session ticket-key-file", or TLS_TICKET_FILE in the PKI
 * store when it exists (shared by every daemon given the same file,
 * re-read on reload), else generated here and rotated. A bad file keeps
 * the keys in use.
 */
static void
hs_tickets_load(struct sipktlsd *sd, const struct config *cfg)
{
	char	path[CONF_PATH_MAX + 32], err[512];
	bool	had_file = sd->tickets.file[0] != '\0';

	if (cfg->ticket_key_file[0] != '\0')
		snprintf(path, sizeof(path), "%s", cfg->ticket_key_file);
	else
		snprintf(path, sizeof(path), "%s/%s", cfg->pki_store,
		    TLS_TICKET_FILE);
	if (access(path, F_OK) == -1 && cfg->ticket_key_file[0] != '\0')
		log_warnx("session ticket-key-file %s: %s; keys are generated "
		    "here instead", path, strerror(errno));
	if (access(path, F_OK) == -1) {
		if (had_file || sd->tickets.n == 0) {
			if (tls_tickets_init(&sd->tickets, NULL, err, sizeof(err)) != 0)
				log_warnx("session tickets: %s", err);
			else
				log_info("session ticket keys: generated, rotated "
				    "every %u h", cfg->ticket_rotation_hours);
		}
		return;
	}
	if (tls_tickets_init(&sd->tickets, path, err, sizeof(err)) != 0) {
		log_warnx("session tickets: %s; keeping the keys in use", err);
		return;
	}
	log_info("session ticket keys: %zu from %s", sd->tickets.n, path);
}

/* The contexts of a configuration about to be swapped in; 0 when all were built. */
int
handshake_reload(struct sipktlsd *sd, const struct config *cfg)
{
	struct tls_ctxset	next;

	sd->hs->hooks.seclevel = cfg->security_level < 0 ? TLS_SECLEVEL_UNSET :
	    cfg->security_level;
	sd->hs->hooks.num_tickets = cfg->session_tickets;
	if (tls_ctxset_build(&next, cfg, &sd->hs->hooks) != 0)
		return -1;
	sd->hs->per_source = cfg->handshake_per_source;
	hs_tickets_load(sd, cfg);
	hs_pki_reload(sd, cfg);
	if (!trusted_list_enforced(cfg))
		log_warnx("ip address trusted list is empty: inbound TLS "
		    "connections are not filtered by source address");
	tls_ctxset_free(&sd->tls);
	sd->tls = next;
	return 0;
}

static void
hs_ticket_rotate(struct sipktlsd *sd, struct timer *t)
{
	tls_tickets_rotate(&sd->tickets);
	timer_set(&sd->timers, t, now_ms() +
	    (uint64_t)sd->cfg->ticket_rotation_hours * 3600 * 1000);
}

static int
hs_engine_new(struct sipktlsd *sd)
{
	struct hs_engine	*e;
	char			 err[256];

	if ((e = calloc(1, sizeof(*e))) == NULL)
		fatal("%s", __func__);
	sd->hs = e;
	e->per_source = CONF_DEFAULT_HS_PER_SOURCE;
	e->accept_resume.fn = hs_accept_resume;
	e->fail_log = (struct hs_ratelimit){ .what = "TLS handshake failures",
	    .flush.fn = hs_ratelimit_flush };
	e->refuse_log = (struct hs_ratelimit){ .what = "refused connections",
	    .flush.fn = hs_ratelimit_flush };
	e->revoke_log = (struct hs_ratelimit){ .what = "revocation warnings",
	    .flush.fn = hs_ratelimit_flush };
	e->hooks = (struct tls_hooks){
		.client_hello = hs_client_hello_cb,
		.verify = hs_verify_cb,
		.arg = sd,
		.tickets = &sd->tickets,
		.cache = &sd->sessions,
		.seclevel = TLS_SECLEVEL_UNSET,
		.num_tickets = CONF_DEFAULT_TICKETS,
	};
	if ((e->res = resolver_new(err, sizeof(err))) == NULL) {
		log_warnx("resolver: %s", err);
		return -1;
	}
	e->res_ev.fd = resolver_fd(e->res);
	e->res_ev.cb = hs_resolved;
	return ev_add(sd, &e->res_ev, EPOLLIN);
}

int
handshake_start(struct sipktlsd *sd)
{
	if (tls_init() != 0 || hs_engine_new(sd) != 0 || hs_pki_start(sd) != 0)
		return -1;
	sd->ticket_timer.fn = hs_ticket_rotate;
	timer_set(&sd->timers, &sd->ticket_timer, now_ms() +
	    (uint64_t)sd->cfg->ticket_rotation_hours * 3600 * 1000);
	if (handshake_reload(sd, sd->cfg) != 0)
		return -1;
	conn_budget_update(sd);
	log_info("TLS: handshake timeout %u s, %u handshakes per source address, "
	    "%u session ticket(s) per TLS 1.3 handshake",
	    sd->cfg->handshake_timeout, sd->hs->per_source,
	    sd->cfg->session_tickets);
	return 0;
}

void
handshake_stop(struct sipktlsd *sd)
{
	struct hs_engine	*e = sd->hs;

	if (e == NULL)
		return;
	if (e->res != NULL) {
		ev_del(sd, &e->res_ev);
		resolver_free(e->res);
	}
	timer_cancel(&sd->timers, &e->fail_log.flush);
	timer_cancel(&sd->timers, &e->refuse_log.flush);
	timer_cancel(&sd->timers, &e->revoke_log.flush);
	hs_pki_stop(sd);
	timer_cancel(&sd->timers, &e->accept_resume);
	timer_cancel(&sd->timers, &sd->ticket_timer);
	hs_src_free(e);
	tls_ctxset_free(&sd->tls);
	tls_cache_free(&sd->sessions);
	tls_tickets_wipe(&sd->tickets);
	free(e);
	sd->hs = NULL;
}
