/*
 * The kernel TLS side: the socket's records are the kernel's, so plaintext
 * passes straight through; only records other than data (alerts, tickets,
 * KeyUpdate) need a recvmsg with a control buffer, and close_notify goes out
 * as an alert record through sendmsg.
 */
#include "autoconf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#include <linux/tls.h>

#include <openssl/crypto.h>

#include "dp.h"
#include "ktls/ktls.h"

#define TLS_RECORD_PLAIN_MAX	16384	/* RFC 8446 5.1 */

struct tls_kernel {
	struct msghdr	 rmsg;		/* the one recvmsg in flight */
	struct iovec	 riov;
	uint8_t		*rbuf;		/* one record's plaintext, while in flight */
	union {
		char		 buf[KTLS_CMSG_SPACE];
		struct cmsghdr	 align;
	}		 rctl;
	bool		 msg_busy;	/* rmsg is in flight */
	int		 rec_type;	/* of what recv() is handed now */
	bool		 fatal;		/* the peer's alert ended the session */
	bool		 notify_pending;	/* close_notify after the queue */
	struct msghdr	 smsg;		/* close_notify, kept until it completes */
	struct iovec	 siov;
	union {
		char		 buf[CMSG_SPACE(sizeof(unsigned char))];
		struct cmsghdr	 align;
	}		 sctl;
	uint8_t		 notify[2];
	uint64_t	 tx_records;	/* at most this many sent under the TX key */
	uint64_t	 tx_limit;	/* 0: the cipher has no practical limit */
};

void
dp_kernel_tls_free(struct dp_kernel_tls *kt)
{
	if (kt->drained != NULL)
		OPENSSL_clear_free(kt->drained, kt->drained_len);
	ktls_keys_free(kt->keys);
	memset(kt, 0, sizeof(*kt));
}

/* Plaintext from the multishot recv, or the record recv_done() read. */
static int
tls_kernel_recv(struct dp_conn *c, const uint8_t *data, size_t len)
{
	struct tls_kernel	*k = c->tls_ctx;
	struct ktls_control	 ctl;

	if (k->rec_type == KTLS_RT_DATA)
		return relay_plain_in(c, data, len);
	/* no keys: a rekey needs setsockopt on a descriptor the ring owns */
	(void)ktls_control_handle(-1, (uint8_t)k->rec_type, data, len, NULL, &ctl);
	switch (ctl.kc_event) {
	case KTLS_EV_DATA:
		return relay_plain_in(c, data, len);
	case KTLS_EV_CLOSE_NOTIFY:
		return TLS_RECV_CLOSED;
	case KTLS_EV_TICKET_DROPPED:
		STAT_INC(c->t, ktls_tickets);
		dp_log_conn(c, LOG_DEBUG, "%s", ctl.kc_what);
		return 0;
	case KTLS_EV_KEYUPDATE_CLOSE:
		/* our TX key is unchanged: close_notify still reaches the peer */
		STAT_INC(c->t, ktls_keyupdates);
		dp_log_conn(c, LOG_NOTICE, "%s", ctl.kc_what);
		conn_shutdown(c, WHY_TLS_ERROR);
		return 0;
	case KTLS_EV_ALERT:
		if (!ctl.kc_close) {
			dp_log_conn(c, LOG_INFO, "%s", ctl.kc_what);
			return 0;
		}
		k->fatal = true;
		break;
	default:
		break;
	}
	STAT_INC(c->t, ktls_alerts);
	dp_log_conn(c, LOG_NOTICE, "kernel TLS: %s", ctl.kc_what);
	return -EPROTO;
}

/* The multishot recv stops with EIO at a non-data record: read it whole. */
static void
tls_kernel_recvmsg(struct dp_conn *c)
{
	struct tls_kernel	*k = c->tls_ctx;

	/* calloc: the kernel fills it through the ring, which valgrind cannot
	 * see; a control record is rare enough for the zeroing not to count */
	if (k->rbuf == NULL && (k->rbuf = calloc(1, DP_PLAIN_MAX)) == NULL) {
		conn_abort(c, WHY_NOMEM);
		return;
	}
	memset(&k->rmsg, 0, sizeof(k->rmsg));
	memset(&k->rctl, 0, sizeof(k->rctl));
	k->riov.iov_base = k->rbuf;
	k->riov.iov_len = DP_PLAIN_MAX;
	k->rmsg.msg_iov = &k->riov;
	k->rmsg.msg_iovlen = 1;
	k->rmsg.msg_control = k->rctl.buf;
	k->rmsg.msg_controllen = sizeof(k->rctl.buf);
	k->msg_busy = true;
	ring_recvmsg(c, SIDE_TLS, &k->rmsg);
}

static void
rbuf_release(struct tls_kernel *k)
{
	free(k->rbuf);
	k->rbuf = NULL;
}

static bool
tls_kernel_recv_done(struct dp_conn *c, int res)
{
	struct tls_kernel	*k = c->tls_ctx;
	int			 type;

	if (!k->msg_busy) {
		if (res != -EIO)
			return false;
		if (!c->dead && !c->side[SIDE_TLS].in_done)
			tls_kernel_recvmsg(c);
		return true;
	}
	k->msg_busy = false;
	if (res <= 0) {
		/* EOF, cancel, reset: as for the multishot recv */
		rbuf_release(k);
		return false;
	}
	if ((type = ktls_recv_parse(&k->rmsg)) < 0) {
		STAT_INC(c->t, ktls_alerts);
		dp_log_conn(c, LOG_NOTICE, "kernel TLS: unreadable record (%s); "
		    "closing", strerror(-type));
		rbuf_release(k);
		conn_abort(c, WHY_TLS_ERROR);
		conn_dirty(c);
		return true;
	}
	k->rec_type = type;
	relay_on_recv(c, SIDE_TLS, k->rbuf, (size_t)res);
	k->rec_type = KTLS_RT_DATA;
	rbuf_release(k);
	return true;
}

static int
tls_kernel_send(struct dp_conn *c, const uint8_t *data, size_t len, bool msg)
{
	struct sendq	*q = &c->side[SIDE_TLS].sq;

	if (sendq_append(q, data, len) != 0)
		return -ENOMEM;
	if (msg)
		sendq_end_message(q);
	return 0;
}

/* Sent by drained() once everything queued before it has gone. */
static int
tls_kernel_close_notify(struct dp_conn *c)
{
	struct tls_kernel	*k = c->tls_ctx;

	if (k->fatal)
		return -EPROTO;	/* after a fatal alert there is nothing to close */
	k->notify_pending = true;
	return 0;
}

static void
tls_kernel_drained(struct dp_conn *c)
{
	struct tls_kernel	*k = c->tls_ctx;
	struct cmsghdr		*cmsg;

	if (!k->notify_pending)
		return;
	k->notify_pending = false;
	k->notify[0] = 1;		/* warning */
	k->notify[1] = 0;		/* close_notify */
	k->siov.iov_base = k->notify;
	k->siov.iov_len = sizeof(k->notify);
	memset(&k->smsg, 0, sizeof(k->smsg));
	memset(&k->sctl, 0, sizeof(k->sctl));
	k->smsg.msg_iov = &k->siov;
	k->smsg.msg_iovlen = 1;
	k->smsg.msg_control = k->sctl.buf;
	k->smsg.msg_controllen = sizeof(k->sctl.buf);
	cmsg = CMSG_FIRSTHDR(&k->smsg);
	cmsg->cmsg_level = SOL_TLS;
	cmsg->cmsg_type = TLS_SET_RECORD_TYPE;
	cmsg->cmsg_len = CMSG_LEN(sizeof(unsigned char));
	*CMSG_DATA(cmsg) = KTLS_RT_ALERT;
	ring_sendmsg(c, SIDE_TLS, &k->smsg);
}

/*
 * The kernel closes a record at the end of every send, and a record holds
 * at most 16 KB: each send counts its upper bound. On Linux before 6.14 the
 * kernel cannot take a new TX key, so a connection whose AES-GCM key has
 * protected its limit (RFC 8446 5.5) is closed with close_notify, and the
 * peer (or, for a trunk, sipktlsd) reconnects under fresh keys.
 */
static void
tls_kernel_sent(struct dp_conn *c, size_t n)
{
	struct tls_kernel	*k = c->tls_ctx;

	k->tx_records += (n + TLS_RECORD_PLAIN_MAX - 1) / TLS_RECORD_PLAIN_MAX;
	if (k->tx_limit == 0 || k->tx_records < k->tx_limit ||
	    c->side[SIDE_TLS].in_done)
		return;
	STAT_INC(c->t, ktls_key_limit);
	dp_log_conn(c, LOG_NOTICE, "kernel TLS: %" PRIu64 " records sent under "
	    "this key, the limit is %" PRIu64 ": closing so that the session "
	    "is renewed", k->tx_records, k->tx_limit);
	conn_shutdown(c, WHY_KEY_LIMIT);
}

static void
tls_kernel_free(struct dp_conn *c)
{
	struct tls_kernel	*k = c->tls_ctx;

	if (k == NULL)
		return;
	free(k->rbuf);
	free(k);
	c->tls_ctx = NULL;
}

const struct tls_side_ops tls_kernel_ops = {
	.name = "kernel",
	.recv = tls_kernel_recv,
	.send = tls_kernel_send,
	.close_notify = tls_kernel_close_notify,
	.free = tls_kernel_free,
	.recv_done = tls_kernel_recv_done,
	.drained = tls_kernel_drained,
	.sent = tls_kernel_sent,
};

/*
 * Takes over a socket whose keys ktls_offload() put into the kernel; *kt is
 * the dataplane's from here, also when this fails. Bytes OpenSSL read past
 * the handshake go to the relay before the first recv is armed.
 */
int
tls_kernel_attach(struct dp_conn *c, struct dp_kernel_tls *kt)
{
	struct tls_kernel	*k;
	int			 rc = 0;

	/* TLS sockets refuse SEND_ZC (EOPNOTSUPP on 6.1): copying sends only */
	c->side[SIDE_TLS].zc_ok = false;
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		dp_kernel_tls_free(kt);
		return -ENOMEM;
	}
	k->rec_type = KTLS_RT_DATA;
	k->tx_records = kt->tx_records;
	k->tx_limit = kt->tx_limit;
	c->tls_ctx = k;
	/* not kept: rekeying needs setsockopt, not wired for ring descriptors */
	ktls_keys_free(kt->keys);
	kt->keys = NULL;
	if (kt->drained_len > 0)
		rc = relay_plain_in(c, kt->drained, kt->drained_len);
	dp_kernel_tls_free(kt);
	return rc == -ENOMEM ? rc : 0;
}
