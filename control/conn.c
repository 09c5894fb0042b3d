/*
 * The connection table: every accepted or dialled TLS connection from its
 * first byte to its close, found by Conn-Id in O(1) for the control socket
 * and counted against the daemon's descriptor budget.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <openssl/err.h>

#include "daemon.h"
#include "log.h"

/* The table takes the descriptor: it is closed when the connection is dropped. */
struct conn *
conn_new(struct sipktlsd *sd, int fd, unsigned id)
{
	struct conn_table	*t = &sd->conns;
	struct conn		**grown, *c;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		if ((grown = reallocarray(t->v, t->cap, sizeof(*grown))) == NULL)
			fatal("%s", __func__);
		t->v = grown;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("%s", __func__);
	c->ev.fd = fd;
	c->backend_fd = -1;
	c->id = id;
	c->serial = ++t->serial;
	c->slot = t->n;
	t->v[t->n++] = c;
	t->byid[id] = c;
	return c;
}

struct conn *
conn_find_id(struct sipktlsd *sd, unsigned id)
{
	return id <= CTL_CONNID_MAX ? sd->conns.byid[id] : NULL;
}

/*
 * Ends the connection at once: the handshake's or the session's state goes
 * with it. An established session first sends its close_notify (best
 * effort, never waited for): without it OpenSSL marks the session not
 * resumable, and the next connection to the same peer would start afresh.
 */
void
conn_drop(struct sipktlsd *sd, struct conn *c)
{
	struct conn_table	*t = &sd->conns;

	/* a relayed session closes in the dataplane; its row goes when it ends */
	if (dp_link_clear(sd, c))
		return;
	if (c->ssl != NULL && c->state == CONN_ESTABLISHED) {
		ERR_clear_error();
		(void)SSL_shutdown(c->ssl);
		ERR_clear_error();
	}
	handshake_release(sd, c);
	timer_cancel(&sd->timers, &c->timer);
	if (c->ev.fd != -1) {
		ev_del(sd, &c->ev);
		close(c->ev.fd);
	}
	/* an outbound trunk whose TLS side never came up: the backend goes too */
	if (c->backend_fd != -1) {
		log_info("Conn-Id %u: tenant %u: backend connection closed", c->id,
		    c->tenant);
		close(c->backend_fd);
		c->backend_fd = -1;
	}
	SSL_free(c->ssl);
	tls_ctx_unref(c->ctx);
	connid_release(&sd->ids, c->id);
	t->byid[c->id] = NULL;
	t->v[c->slot] = t->v[--t->n];
	t->v[c->slot]->slot = c->slot;
	/* an event for it may still wait in the loop's batch */
	c->ev.cb = NULL;
	c->ev.fd = -1;
	c->zombie = t->zombies;
	t->zombies = c;
}

void
conn_reap(struct sipktlsd *sd)
{
	struct conn	*c;

	while ((c = sd->conns.zombies) != NULL) {
		sd->conns.zombies = c->zombie;
		free(c);
	}
}

size_t
conn_drop_remote(struct sipktlsd *sd, const struct sockaddr_storage *remote)
{
	size_t	i = 0, n = 0;

	while (i < sd->conns.n) {
		struct conn	*c = sd->conns.v[i];

		if (sockaddr_equal(&c->remote, remote)) {
			conn_drop(sd, c);	/* refills slot i, unless relayed */
			n++;
			if (i < sd->conns.n && sd->conns.v[i] == c)
				i++;
		} else
			i++;
	}
	return n;
}

void
conn_table_free(struct sipktlsd *sd)
{
	while (sd->conns.n > 0)
		conn_drop(sd, sd->conns.v[0]);
	conn_reap(sd);
	free(sd->conns.v);
	sd->conns.v = NULL;
	sd->conns.cap = 0;
}

/*
 * Connections allowed at once: the configured limit, within what the
 * descriptor limit leaves after a reserve, and within the Conn-Id range.
 * Past it a new connection is closed at accept instead of running the
 * daemon out of descriptors.
 */
void
conn_budget_update(struct sipktlsd *sd)
{
	struct rlimit	rl = { 0, 0 };
	size_t		budget = sd->cfg->connection_limit;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		if (rl.rlim_cur <= FD_RESERVE * 2)
			budget = rl.rlim_cur / 2;
		else if (budget > rl.rlim_cur - FD_RESERVE)
			budget = rl.rlim_cur - FD_RESERVE;
	}
	if (budget > CTL_CONNID_MAX - 64)
		budget = CTL_CONNID_MAX - 64;
	if (budget != sd->conn_budget)
		log_info("connection budget: %zu at once (connection limit %u, "
		    "descriptor limit %llu)", budget, sd->cfg->connection_limit,
		    (unsigned long long)rl.rlim_cur);
	sd->conn_budget = budget;
}
