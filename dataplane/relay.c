/*
 * The relay: bytes from one side are framed into whole SIP messages and queued
 * for the other; keep-alive pings are answered where they came from; a full
 * queue stops reading on the opposite side; close_notify and half-close move
 * a pair towards its end. Completions only record what happened and mark the
 * connection dirty; relay_progress() then acts once per batch.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "dp.h"
#include "log.h"

static const uint8_t pong[] = "\r\n";

void
dp_buf_free(struct dp_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static int
dp_buf_append(struct dp_buf *b, const uint8_t *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t	 cap = b->cap ? b->cap : 2048;
		uint8_t	*d;

		while (cap < b->len + n)
			cap *= 2;
		if ((d = realloc(b->data, cap)) == NULL)
			return -ENOMEM;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

/* Keeps bytes [off, len); frees the buffer once empty (idle memory). */
static void
dp_buf_consume(struct dp_buf *b, size_t off)
{
	if (off >= b->len) {
		dp_buf_free(b);
		return;
	}
	memmove(b->data, b->data + off, b->len - off);
	b->len -= off;
}

static bool
sq_over(const struct dp_thread *t, const struct sendq *q)
{
	return q->bytes > t->dp->opt.wq_bytes || q->msgs > t->dp->opt.wq_msgs;
}

static bool
sq_under_low(const struct dp_thread *t, const struct sendq *q)
{
	return q->bytes <= t->dp->opt.wq_bytes / 2 && q->msgs <= t->dp->opt.wq_msgs / 2;
}

/* A whole message from side `from` goes to the other side's queue. */
static int
relay_deliver(struct dp_conn *c, int from, const uint8_t *msg, size_t len)
{
	int	rc;

	if (from == SIDE_TLS) {
		if (c->side[SIDE_BE].in_done && c->be_failed)
			return 0;	/* no backend: the pair is closing */
		rc = sendq_push_message(&c->side[SIDE_BE].sq, msg, len);
		atomic_fetch_add_explicit(&c->msgs_in, 1, memory_order_relaxed);
	} else {
		if (c->notify_queued)
			return 0;	/* nothing may follow our close_notify */
		rc = c->tls->send(c, msg, len, true);
		atomic_fetch_add_explicit(&c->msgs_out, 1, memory_order_relaxed);
		conn_note_writeq(c);
	}
	if (rc == 0)
		STAT_INC(c->t, msgs_relayed);
	return rc;
}

/* RFC 5626 keep-alive: a double CRLF is answered with one CRLF, same side. */
static int
relay_pong(struct dp_conn *c, int side)
{
	STAT_INC(c->t, pings_answered);
	if (side == SIDE_TLS)
		return c->notify_queued ? 0 : c->tls->send(c, pong, 2, false);
	if (c->side[SIDE_BE].datagram)
		return sendq_push_message(&c->side[SIDE_BE].sq, pong, 2);
	return sendq_append(&c->side[SIDE_BE].sq, pong, 2);
}

static void
relay_framing_error(struct dp_conn *c, int side, const char *reason)
{
	STAT_INC(c->t, framing_errors);
	dp_log_conn(c, LOG_NOTICE, "SIP framing error from the %s: %s; closing",
	    side == SIDE_TLS ? "TLS peer" : "backend", reason ? reason : "?");
	conn_shutdown(c, WHY_FRAMING);
}

/*
 * Frames in place while nothing is buffered (the common case: one message
 * per read) and keeps only an incomplete tail; never forwards a partial
 * message.
 */
static int
relay_frame(struct dp_conn *c, int from, const uint8_t *data, size_t len)
{
	struct dp_side		*s = &c->side[from];
	struct dp_buf		*b = &s->in;
	const uint8_t		*p = data;
	const char		*reason = NULL;
	size_t			 n = len, off = 0, msglen;
	int			 rc = 0;

	if (b->len > 0) {
		if ((rc = dp_buf_append(b, data, len)) != 0)
			return rc;
		p = b->data;
		n = b->len;
	}
	while (off < n && rc == 0) {
		msglen = 0;
		switch (sipframe_next(&s->fr, p + off, n - off, &msglen, &reason)) {
		case SIPFRAME_MORE:
			goto keep;
		case SIPFRAME_MESSAGE:
			rc = relay_deliver(c, from, p + off, msglen);
			break;
		case SIPFRAME_PING:
			rc = relay_pong(c, from);
			break;
		case SIPFRAME_PONG:
			break;
		case SIPFRAME_ERROR:
			relay_framing_error(c, from, reason);
			if (b->len > 0)
				dp_buf_free(b);
			return -EBADMSG;
		}
		if (msglen == 0 || msglen > n - off) {
			relay_framing_error(c, from, "framer made no progress");
			return -EBADMSG;
		}
		off += msglen;
	}
keep:
	if (b->len > 0)
		dp_buf_consume(b, off);
	else if (off < n)
		rc = rc ? rc : dp_buf_append(b, p + off, n - off);
	return rc;
}

/*
 * A datagram without Content-Length, towards the TLS stream, which needs one:
 * added as the last header field. The pieces reach the TLS side's queue
 * within this completion, so no partial message can be sent; the body, even
 * empty, goes as relay_deliver()'s message, which ends and counts it.
 */
static int
relay_deliver_adding_cl(struct dp_conn *c, const uint8_t *msg,
    const struct sipframe_dgram *d)
{
	char	cl[48];
	int	n, rc;

	if (c->notify_queued)
		return 0;
	n = snprintf(cl, sizeof(cl), "Content-Length: %zu\r\n\r\n", d->bodylen);
	/* the header section less its empty line, then the field */
	if ((rc = c->tls->send(c, msg, d->hdrlen - 2, false)) != 0 ||
	    (rc = c->tls->send(c, (const uint8_t *)cl, (size_t)n, false)) != 0 ||
	    (rc = relay_deliver(c, SIDE_BE, msg + d->hdrlen, d->bodylen)) != 0)
		return rc;
	STAT_INC(c->t, dgram_cl_added);
	return 0;
}

/*
 * A UDP datagram is one SIP message (or a keep-alive), never a fragment, and
 * RFC 3261 section 18.3 applies: octets past Content-Length are discarded,
 * and without one the body ends with the datagram.
 */
static int
relay_datagram(struct dp_conn *c, const uint8_t *data, size_t len)
{
	struct sipframe_dgram	 d;
	const char		*reason;

	if (len >= c->t->buf_size) {
		relay_framing_error(c, SIDE_BE, "datagram larger than a receive buffer");
		return -EBADMSG;
	}
	switch (sipframe_datagram(&c->side[SIDE_BE].fr, data, len, &d, &reason)) {
	case SIPFRAME_MESSAGE:
		break;
	case SIPFRAME_PING:
		return relay_pong(c, SIDE_BE);
	case SIPFRAME_PONG:
		return 0;
	default:
		relay_framing_error(c, SIDE_BE, reason);
		return -EBADMSG;
	}
	if (d.hdrlen + d.bodylen < len) {
		STAT_INC(c->t, dgram_excess);
		if (!c->excess_logged)
			dp_log_conn(c, LOG_NOTICE, "backend datagram has %zu bytes "
			    "after its Content-Length body: discarded (RFC 3261 "
			    "18.3); logged once per connection", len - d.hdrlen - d.bodylen);
		c->excess_logged = true;
	}
	if (!d.has_cl)
		return relay_deliver_adding_cl(c, data, &d);
	return relay_deliver(c, SIDE_BE, data, d.hdrlen + d.bodylen);
}

/* Plaintext from the TLS peer (tls_side_ops.recv calls this). */
int
relay_plain_in(struct dp_conn *c, const uint8_t *data, size_t len)
{
	if (c->side[SIDE_TLS].in_done)
		return 0;
	return relay_frame(c, SIDE_TLS, data, len);
}

/* The peer is done sending: answer with close_notify, end the backend's writes. */
static void
relay_peer_closed(struct dp_conn *c, bool notify)
{
	if (c->why == WHY_NONE) {
		c->why = WHY_PEER;
		STAT_INC(c->t, remote_closures);
	}
	dp_log_conn(c, LOG_DEBUG, "peer %s", notify ? "sent close_notify" : "closed TCP");
	c->side[SIDE_TLS].in_done = true;
	c->side[SIDE_BE].in_done = true;	/* nothing more may go to the peer */
	c->wait_peer = false;
	atomic_store_explicit(&c->state, DP_CONN_CLOSING, memory_order_relaxed);
	c->deadline = c->t->now + c->t->dp->opt.linger_ms;
	conn_timer_arm(c);
}

/* Plaintext the TLS side held back during this completion goes out now. */
static int
relay_flush(struct dp_conn *c)
{
	int	rc;

	if (c->tls->flush == NULL)
		return 0;
	rc = c->tls->flush(c);
	conn_note_writeq(c);
	return rc;
}

void
relay_on_recv(struct dp_conn *c, int side, const uint8_t *data, size_t len)
{
	struct dp_side	*s = &c->side[side];
	int		 rc, frc;

	if (c->dead || s->in_done)
		return;
	c->last_active = c->t->now;
	if (side == SIDE_TLS)
		rc = c->tls->recv(c, data, len);
	else if (s->datagram)
		rc = relay_datagram(c, data, len);
	else
		rc = relay_frame(c, SIDE_BE, data, len);
	/* also after an error: the messages framed before it are whole */
	if ((frc = relay_flush(c)) < 0 && rc >= 0)
		rc = frc;
	if (rc == TLS_RECV_CLOSED)
		relay_peer_closed(c, true);
	else if (rc == -ENOMEM)
		conn_abort(c, WHY_NOMEM);
	else if (rc == -EPROTO) {
		dp_log_conn(c, LOG_NOTICE, "TLS error from the peer; closing");
		conn_shutdown(c, WHY_TLS_ERROR);
	}
	conn_dirty(c);
}

void
relay_on_eof(struct dp_conn *c, int side)
{
	if (c->dead)
		return;
	if (side == SIDE_TLS) {
		if (!c->side[SIDE_TLS].in_done)
			relay_peer_closed(c, false);
	} else if (!c->side[SIDE_BE].in_done) {
		/* backend finished: close_notify to the peer, then wait for its own */
		dp_log_conn(c, LOG_DEBUG, "backend closed");
		if (c->why == WHY_NONE)
			c->why = WHY_BACKEND_EOF;
		c->side[SIDE_BE].in_done = true;
		c->wait_peer = true;
		atomic_store_explicit(&c->state, DP_CONN_CLOSING, memory_order_relaxed);
		c->deadline = c->t->now + c->t->dp->opt.linger_ms;
		conn_timer_arm(c);
	}
	c->side[side].in_done = true;
	conn_dirty(c);
}

void
relay_on_recv_error(struct dp_conn *c, int side, int err)
{
	switch (err) {
	case ENOBUFS:
		/* the buffer ring ran dry; re-armed after buffers come back */
		STAT_INC(c->t, recv_nobufs);
		break;
	case ECANCELED:
		break;
	default:
		if (c->dead)
			break;
		if (side == SIDE_BE) {
			backend_fail(c, err, "receive");
			break;
		}
		if (c->why == WHY_NONE) {
			c->why = WHY_PEER;
			STAT_INC(c->t, remote_closures);
		}
		dp_log_conn(c, LOG_INFO, "peer receive: %s", strerror(err));
		conn_abort(c, WHY_PEER);
		break;
	}
	conn_dirty(c);
}

void
relay_on_sent(struct dp_conn *c, int side, size_t n)
{
	struct dp_side	*s = &c->side[side];

	if (n > 0)
		sendq_consume(&s->sq, n);
	if (side == SIDE_TLS && c->tls->sent != NULL)
		c->tls->sent(c, n);
	if (side == SIDE_TLS)
		conn_note_writeq(c);
	conn_dirty(c);
}

void
relay_on_send_error(struct dp_conn *c, int side, int err)
{
	if (err == ECANCELED || c->dead) {
		conn_dirty(c);
		return;
	}
	STAT_INC(c->t, send_failures);
	if (side == SIDE_BE) {
		backend_fail(c, err, "send");
	} else {
		dp_log_conn(c, LOG_INFO, "send to the peer: %s", strerror(err));
		if (c->why == WHY_NONE)
			c->why = WHY_SEND_FAIL;
		conn_abort(c, WHY_SEND_FAIL);
	}
	conn_dirty(c);
}

/* Back-pressure with hysteresis: stop above the limit, resume at half. */
static void
relay_pressure(struct dp_conn *c)
{
	struct dp_thread	*t = c->t;

	for (int side = 0; side < 2; side++) {
		struct dp_side		*s = &c->side[side];
		const struct sendq	*other = &c->side[!side].sq;

		if (!s->paused && sq_over(t, other))
			s->paused = true;
		else if (s->paused && sq_under_low(t, other))
			s->paused = false;
	}
}

static void
relay_arm(struct dp_conn *c)
{
	for (int side = 0; side < 2; side++) {
		struct dp_side	*s = &c->side[side];
		bool		 want = s->open && s->connected && !s->in_done &&
		    !s->paused;

		if (want && !s->recv_armed)
			ring_arm_recv(c, side);
		else if (!want && s->recv_armed)
			ring_cancel_recv(c, side);
	}
}

static bool
side_flushed(const struct dp_side *s)
{
	return !s->connected || (sendq_empty(&s->sq) && !s->send_busy);
}

/*
 * Moves one connection forward after its completions: half-close steps,
 * sends, receive arming, and the final close once both directions are done.
 */
void
relay_progress(struct dp_conn *c)
{
	struct dp_side	*tls = &c->side[SIDE_TLS], *be = &c->side[SIDE_BE];
	bool		 be_done;

	if (c->dead)
		return;
	if (be->in_done && !c->notify_queued && tls->connected) {
		if (c->tls->close_notify(c) != 0)
			tls->in_done = true;
		c->notify_queued = true;
	}
	if (tls->in_done && be->connected && !be->shut_sent && !be->datagram &&
	    side_flushed(be))
		ring_shutdown(c, SIDE_BE);
	for (int side = 0; side < 2; side++) {
		struct dp_side	*s = &c->side[side];

		if (s->connected && !s->send_busy && !sendq_empty(&s->sq) &&
		    !(side == SIDE_BE && s->shut_sent))
			ring_send(c, side);
	}
	if (c->tls->drained != NULL && tls->connected && !tls->send_busy &&
	    sendq_empty(&tls->sq))
		c->tls->drained(c);
	relay_pressure(c);
	relay_arm(c);
	be_done = c->be_failed || (!c->be_connecting && (!be->connected ||
	    be->shut_sent || (be->datagram && side_flushed(be))));
	if (c->notify_queued && side_flushed(tls) && tls->in_done && be_done)
		conn_abort(c, c->why);
}
