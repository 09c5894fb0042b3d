/*
 * Established sessions until the dataplane exists: shown with every column
 * of "show ... detail", read only to notice the peer's close (application
 * data is discarded: there is no relay yet), closed after the configured
 * idle time. Renegotiation requests are refused by OpenSSL and logged here.
 */
#include "autoconf.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include <openssl/err.h>

#include "handoff.h"
#include "handshake.h"
#include "log.h"

static uint64_t
aging_ms(const struct sipktlsd *sd)
{
	return (uint64_t)sd->cfg->aging_tls_minutes * 60 * 1000;
}

/* Re-armed lazily: reads only note the time, the timer checks it when due. */
static void
handoff_age(struct sipktlsd *sd, struct timer *t)
{
	struct conn	*c = container_of(t, struct conn, timer);
	uint64_t	 due = c->last_rx + aging_ms(sd), now = now_ms();

	if (due > now) {
		timer_set(&sd->timers, t, due);
		return;
	}
	log_info("Conn-Id %u: no data for %u minutes, closed",
	    c->id, sd->cfg->aging_tls_minutes);
	sd->counters.inactive_ageouts++;
	conn_drop(sd, c);
}

static void
handoff_renegotiation(const SSL *ssl, int where, int ret)
{
	struct conn	*c;

	if (!(where & SSL_CB_HANDSHAKE_START) || SSL_version(ssl) >= TLS1_3_VERSION ||
	    (c = SSL_get_ex_data(ssl, tls_ex_conn())) == NULL ||
	    c->state != CONN_ESTABLISHED)
		return;
	log_warnx("Conn-Id %u: tenant %u: the peer asked for a renegotiation, "
	    "refused", c->id, c->tenant);
}

static void
handoff_io(struct sipktlsd *sd, struct ev_handler *ev, uint32_t events)
{
	struct conn	*c = container_of(ev, struct conn, ev);
	char		 buf[4096];
	int		 n, err;

	for (;;) {
		ERR_clear_error();
		if ((n = SSL_read(c->ssl, buf, sizeof(buf))) > 0) {
			c->last_rx = now_ms();
			continue;
		}
		err = SSL_get_error(c->ssl, n);
		if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
			(void)ev_mod(sd, &c->ev, err == SSL_ERROR_WANT_READ ?
			    EPOLLIN : EPOLLOUT);
			return;
		}
		break;
	}
	if (err == SSL_ERROR_ZERO_RETURN) {
		log_debug("Conn-Id %u: the peer closed the session", c->id);
		sd->counters.remote_closures++;
		conn_drop(sd, c);
		return;
	}
	if (err == SSL_ERROR_SYSCALL && (errno == 0 || errno == ECONNRESET))
		sd->counters.remote_closures++;
	else
		log_openssl("Conn-Id %u: tenant %u: session ended", c->id, c->tenant);
	ERR_clear_error();
	conn_drop(sd, c);
}

static void
handoff_log(const struct session_facts *f)
{
	char	remote[INET6_ADDRSTRLEN + 16];

	log_info("Conn-Id %u: established, %s %s, tenant %u, %s %s, curve %s, "
	    "%s, sni %s, peer %s, tickets sent %u", f->conn_id,
	    f->dir == CONN_INBOUND ? "inbound from" : "outbound to",
	    addrport_format(&f->remote, "-", remote, sizeof(remote)), f->tenant,
	    f->version, f->cipher, f->curve,
	    f->resumed ? "resumed" : "full handshake",
	    f->sni[0] ? f->sni : "-", f->peer, f->tickets_sent);
}

void
handoff_session(struct sipktlsd *sd, const struct session_facts *f, int fd,
    SSL *ssl)
{
	struct conn	*c = conn_find_id(sd, f->conn_id);

	if (c == NULL || c->ev.fd != fd || c->ssl != ssl)
		fatalx("%s: Conn-Id %u is not the session handed off", __func__,
		    f->conn_id);
	c->state = CONN_ESTABLISHED;
	c->tenant = f->tenant;
	snprintf(c->tls_version, sizeof(c->tls_version), "%s", f->version);
	snprintf(c->cipher, sizeof(c->cipher), "%s", f->cipher);
	snprintf(c->curve, sizeof(c->curve), "%s", f->curve);
	handoff_log(f);
	if (dp_link_attach(sd, c, f, fd, ssl) != 0)
		return;
	/* an outbound trunk without the relay would only hold its backend */
	if (c->backend_fd != -1) {
		log_warnx("Conn-Id %u: tenant %u: outbound trunk not relayed, closed",
		    c->id, c->tenant);
		sd->counters.conn_failures++;
		conn_drop(sd, c);
		return;
	}
	SSL_set_info_callback(ssl, handoff_renegotiation);
	c->ev.cb = handoff_io;
	c->last_rx = now_ms();
	c->timer.fn = handoff_age;
	timer_set(&sd->timers, &c->timer, c->last_rx + aging_ms(sd));
	if (ev_mod(sd, &c->ev, EPOLLIN) == -1) {
		conn_drop(sd, c);
		return;
	}
	/* bytes may already wait behind the Finished (read_ahead is off) */
	handoff_io(sd, &c->ev, EPOLLIN);
}
