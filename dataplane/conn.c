/*
 * A thread's connection table and each connection's life: attach (descriptors
 * into fixed slots), deadlines on the timer wheel, graceful and abortive
 * close, and the free that waits until the kernel has returned every request.
 */
#include "autoconf.h"

#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <syslog.h>
#include <unistd.h>

#include "dp.h"
#include "log.h"

#define STOP_LINGER_MS	1000

struct dp_conn *
conn_lookup(struct dp_thread *t, uint64_t ud)
{
	uint32_t	 idx = ud_idx(ud);
	struct dp_conn	*c;

	if (idx >= t->cap || (c = t->conns[idx]) == NULL || c->gen != ud_gen(ud))
		return NULL;
	return c;
}

void
conn_dirty(struct dp_conn *c)
{
	if (c->dirty)
		return;
	c->dirty = true;
	c->dirty_next = NULL;
	if (c->t->dirty == NULL)
		c->t->dirty_tail = &c->t->dirty;
	*c->t->dirty_tail = c;
	c->t->dirty_tail = &c->dirty_next;
}

static void
conn_free(struct dp_conn *c)
{
	struct dp_thread	*t = c->t;
	struct dataplane	*dp = t->dp;

	wheel_del(&t->wheel, &c->tn);
	pthread_mutex_lock(&t->lock);
	t->conns[c->idx] = NULL;
	pthread_mutex_unlock(&t->lock);
	t->gens[c->idx]++;
	t->free_idx[t->nfree++] = c->idx;
	if (c->tls != NULL)
		c->tls->free(c);
	for (int side = 0; side < 2; side++) {
		sendq_clear(&c->side[side].sq);
		dp_buf_free(&c->side[side].in);
	}
	dp_log_conn(c, LOG_DEBUG, "freed");
	dp_note_closed(t, c->facts.conn_id);
	free(c);
	atomic_fetch_sub(&t->nconns, 1);
	atomic_fetch_sub(&dp->nconns, 1);
	/*
	 * Idle again: glibc keeps freed memory per arena, and receive buffers the
	 * kernel filled stay resident; both go back (no recv is armed now).
	 */
	if (atomic_load(&t->nconns) == 0 && t->had_conns) {
		t->had_conns = false;
		malloc_trim(0);
		(void)madvise(t->bufs, (size_t)t->nbufs * t->buf_size, MADV_DONTNEED);
	}
}

/* Freed only when no completion can still name it, and not while listed. */
static void
conn_maybe_free(struct dp_conn *c)
{
	if (c->dead && c->ops == 0 && !c->dirty)
		conn_free(c);
}

void
conn_op_done(struct dp_conn *c)
{
	if (c->ops > 0)
		c->ops--;
	conn_maybe_free(c);
}

void
conn_run_dirty(struct dp_thread *t)
{
	struct dp_conn	*c, *next;

	/* relay_progress never marks a connection dirty, so one pass is enough */
	c = t->dirty;
	t->dirty = NULL;
	for (; c != NULL; c = next) {
		next = c->dirty_next;
		c->dirty = false;
		relay_progress(c);
		conn_maybe_free(c);
	}
}

static const char *
why_name(enum dp_close_why why)
{
	static const char *const names[] = {
		[WHY_NONE] = "closed",
		[WHY_PEER] = "peer closed",
		[WHY_BACKEND_EOF] = "backend closed",
		[WHY_BACKEND_FAIL] = "backend failed",
		[WHY_FRAMING] = "SIP framing error",
		[WHY_TLS_ERROR] = "TLS error",
		[WHY_SEND_FAIL] = "send failed",
		[WHY_AGEOUT] = "idle ageout",
		[WHY_CLEAR] = "cleared",
		[WHY_STOP] = "dataplane stopping",
		[WHY_NOMEM] = "out of memory",
		[WHY_KEY_LIMIT] = "TLS key record limit",
	};

	return names[why];
}

/* Closes both sockets now; the connection is freed when its ops drain. */
void
conn_abort(struct dp_conn *c, enum dp_close_why why)
{
	if (c->dead)
		return;
	if (c->why == WHY_NONE)
		c->why = why;
	c->dead = true;
	atomic_store_explicit(&c->state, DP_CONN_CLOSING, memory_order_relaxed);
	wheel_del(&c->t->wheel, &c->tn);
	dp_log_conn(c, LOG_DEBUG, "closing: %s", why_name(c->why));
	for (int side = 0; side < 2; side++)
		if (c->side[side].open)
			ring_close(c, side);
	/* freed from the dirty pass, never under a caller still using c */
	conn_dirty(c);
}

/*
 * Graceful close from our side: whole messages already queued still go out,
 * then close_notify to the peer and shutdown towards the backend; the linger
 * deadline bounds a peer that never reads.
 */
void
conn_shutdown(struct dp_conn *c, enum dp_close_why why)
{
	if (c->dead)
		return;
	if (c->why == WHY_NONE)
		c->why = why;
	c->side[SIDE_TLS].in_done = true;
	c->side[SIDE_BE].in_done = true;
	c->wait_peer = false;
	atomic_store_explicit(&c->state, DP_CONN_CLOSING, memory_order_relaxed);
	if (c->deadline == 0 || c->deadline > c->t->now + c->t->dp->opt.linger_ms)
		c->deadline = c->t->now + c->t->dp->opt.linger_ms;
	if (c->t->stopping)
		c->deadline = c->t->now + STOP_LINGER_MS;
	conn_timer_arm(c);
	conn_dirty(c);
}

/* One deadline per connection: connect or linger, else the idle ageout. */
void
conn_timer_arm(struct dp_conn *c)
{
	struct dp_thread	*t = c->t;
	uint64_t		 d = c->deadline;
	unsigned		 aging = t->dp->opt.aging_ms;

	if (c->dead) {
		wheel_del(&t->wheel, &c->tn);
		return;
	}
	if (aging > 0 && atomic_load_explicit(&c->state, memory_order_relaxed) ==
	    DP_CONN_ESTABLISHED && (d == 0 || c->last_active + aging < d))
		d = c->last_active + aging;
	if (d == 0)
		wheel_del(&t->wheel, &c->tn);
	else
		wheel_add(&t->wheel, &c->tn, d);
}

static void
conn_timer_fire(struct wheel_node *n, void *arg)
{
	struct dp_conn	*c = (struct dp_conn *)(void *)((char *)n -
	    offsetof(struct dp_conn, tn));
	struct dp_thread *t = arg;
	unsigned	 aging = t->dp->opt.aging_ms;

	if (c->dead)
		return;
	if (c->deadline != 0 && t->now >= c->deadline) {
		c->deadline = 0;
		if (c->be_connecting)
			backend_fail(c, ETIMEDOUT, "connect");
		else
			conn_abort(c, c->why);	/* linger over */
		conn_dirty(c);
		return;
	}
	if (aging > 0 && atomic_load_explicit(&c->state, memory_order_relaxed) ==
	    DP_CONN_ESTABLISHED && t->now - c->last_active >= aging) {
		STAT_INC(t, inactive_ageouts);
		dp_log_conn(c, LOG_INFO, "idle for %u s: ageout", aging / 1000);
		conn_shutdown(c, WHY_AGEOUT);
		return;
	}
	conn_timer_arm(c);
}

void
conn_tick(struct dp_thread *t)
{
	t->now = dp_now_ms();
	wheel_advance(&t->wheel, t->now, conn_timer_fire, t);
}

/* Publishes WriteQ-Size and keeps the guide's "Max. tls send msg queue size". */
void
conn_note_writeq(struct dp_conn *c)
{
	struct dp_thread	*t = c->t;
	size_t			 n = c->side[SIDE_TLS].sq.msgs;

	atomic_store_explicit(&c->writeq, n, memory_order_relaxed);
	if (n > t->max_sendq) {
		pthread_mutex_lock(&t->lock);
		t->max_sendq = n;
		t->max_sendq_peer = c->facts.remote;
		pthread_mutex_unlock(&t->lock);
	}
}

static void
attach_refuse(struct dp_thread *t, struct dp_cmd *cmd, const char *why)
{
	log_warnx("dataplane: connection %u refused: %s", cmd->facts.conn_id, why);
	STAT_INC(t, refused_limit);
	dp_cmd_release(cmd);
	atomic_fetch_sub(&t->dp->nconns, 1);
	dp_note_closed(t, cmd->facts.conn_id);
}

static void
side_init(struct dp_conn *c, int side, bool datagram)
{
	struct dp_side		*s = &c->side[side];
	const struct dp_options	*o = &c->t->dp->opt;

	s->slot = 2 * c->idx + (unsigned)side;
	s->datagram = datagram;
	s->zc_ok = c->t->zc_avail && o->zc_threshold != DP_ZC_NEVER && !datagram;
	sendq_init(&s->sq, datagram);
	sipframe_init(&s->fr, o->max_header, o->max_body);
}

/* Nagle would hold back the second of two small messages for an ACK. */
static void
fd_nodelay(int fd)
{
	int	one = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int
conn_install_tls(struct dp_conn *c, struct dp_cmd *cmd)
{
	int	rc;

	fd_nodelay(cmd->tls_fd);
	rc = ring_install_fd(c->t, c->side[SIDE_TLS].slot, cmd->tls_fd);
	close(cmd->tls_fd);	/* the slot holds the socket from here on */
	cmd->tls_fd = -1;
	if (rc < 0)
		return rc;
	c->side[SIDE_TLS].open = true;
	c->side[SIDE_TLS].connected = true;
	if (cmd->ssl == NULL) {
		c->tls = &tls_kernel_ops;
		return tls_kernel_attach(c, &cmd->kt);	/* takes cmd->kt */
	}
	c->tls = &tls_user_ops;
	rc = tls_user_attach(c, cmd->ssl);
	cmd->ssl = NULL;		/* tls_user owns it, even on failure */
	return rc;
}

void
conn_attach(struct dp_thread *t, struct dp_cmd *cmd)
{
	struct dp_conn	*c;
	uint32_t	 idx;
	int		 rc, rc_be;

	if (t->stopping)
		return attach_refuse(t, cmd, "dataplane stopping");
	if (t->nfree == 0)
		return attach_refuse(t, cmd, "thread table full");
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return attach_refuse(t, cmd, "out of memory");
	idx = t->free_idx[--t->nfree];
	c->t = t;
	c->idx = idx;
	c->gen = t->gens[idx];
	c->facts = cmd->facts;
	c->be = cmd->be;
	c->last_active = t->now;
	side_init(c, SIDE_TLS, false);
	side_init(c, SIDE_BE, cmd->be.transport == DP_UDP);
	atomic_store(&c->state, DP_CONN_CONNECTING);
	pthread_mutex_lock(&t->lock);
	t->conns[idx] = c;
	pthread_mutex_unlock(&t->lock);
	atomic_fetch_add(&t->nconns, 1);
	t->had_conns = true;
	STAT_INC(t, attached);

	/* the backend first: a PROXY header must precede any early message */
	if (cmd->be.fd >= 0)
		fd_nodelay(cmd->be.fd);
	rc_be = backend_start(c);
	cmd->be.fd = -1;		/* backend_start owns it now */
	if ((rc = conn_install_tls(c, cmd)) < 0) {
		dp_log_conn(c, LOG_WARNING, "attach: %s", strerror(-rc));
		dp_cmd_release(cmd);
		conn_abort(c, WHY_NOMEM);
		return;
	}
	if (rc_be < 0) {
		backend_fail(c, -rc_be, "start");
		return;
	}
	dp_log_conn(c, LOG_DEBUG, "attached (%s)", c->facts.offload);
	conn_timer_arm(c);
	conn_dirty(c);
}

bool
conn_matches(const struct dp_conn *c, const struct dp_cmd *cmd)
{
	const struct sockaddr_storage	*a = &c->facts.remote, *b = &cmd->target;

	if (cmd->type == CMD_CLEAR_ID)
		return c->facts.conn_id == cmd->conn_id;
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_addr.s_addr == y->sin_addr.s_addr &&
		    (!cmd->match_port || x->sin_port == y->sin_port);
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0 &&
		    (!cmd->match_port || x->sin6_port == y->sin6_port);
	}
	return false;
}

void
conn_clear(struct dp_thread *t, const struct dp_cmd *cmd)
{
	for (unsigned i = 0; i < t->cap; i++) {
		struct dp_conn	*c = t->conns[i];

		if (c != NULL && !c->dead && conn_matches(c, cmd)) {
			dp_log_conn(c, LOG_INFO, "cleared by the operator");
			conn_shutdown(c, WHY_CLEAR);
		}
	}
}

void
conn_stop_all(struct dp_thread *t)
{
	t->stopping = true;
	for (unsigned i = 0; i < t->cap; i++) {
		struct dp_conn	*c = t->conns[i];

		if (c != NULL && !c->dead)
			conn_shutdown(c, WHY_STOP);
	}
}
