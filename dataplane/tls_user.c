/*
 * The userspace TLS side: OpenSSL runs over one custom BIO whose read takes
 * from the receive buffer the ring just filled and whose write appends
 * ciphertext to the TLS side's send queue, so no socket call and no memory
 * BIO copy sits between the ring and SSL_read/SSL_write. Plaintext for the
 * peer is gathered per completion so that one record carries what one read
 * brought.
 */
#include "autoconf.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <openssl/bio.h>
#include <openssl/err.h>

#include "dp.h"
#include "log.h"

struct tls_user {
	SSL		*ssl;
	struct dp_conn	*c;
	const uint8_t	*in;		/* the current receive buffer */
	size_t		 inlen;
};

static BIO_METHOD	*ring_bio_method;
static pthread_once_t	 ring_bio_once = PTHREAD_ONCE_INIT;

static int
ring_bio_read(BIO *b, char *out, size_t len, size_t *got)
{
	struct tls_user	*u = BIO_get_data(b);
	size_t		 n;

	BIO_clear_retry_flags(b);
	if (u->inlen == 0) {
		/* wait for the next completion */
		BIO_set_retry_read(b);
		*got = 0;
		return 0;
	}
	n = len < u->inlen ? len : u->inlen;
	memcpy(out, u->in, n);
	u->in += n;
	u->inlen -= n;
	*got = n;
	return 1;
}

static int
ring_bio_write(BIO *b, const char *data, size_t len, size_t *written)
{
	struct tls_user	*u = BIO_get_data(b);

	BIO_clear_retry_flags(b);
	/* never "would block": back-pressure acts on whole messages, above */
	if (sendq_append(&u->c->side[SIDE_TLS].sq, data, len) != 0)
		return 0;
	*written = len;
	return 1;
}

static long
ring_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct tls_user	*u = BIO_get_data(b);

	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_PENDING:
		return u != NULL ? (long)u->inlen : 0;
	default:
		return 0;
	}
}

static int
ring_bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static void
ring_bio_init(void)
{
	BIO_METHOD	*m;

	m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "sipktls ring");
	if (m == NULL)
		return;
	if (!BIO_meth_set_read_ex(m, ring_bio_read) ||
	    !BIO_meth_set_write_ex(m, ring_bio_write) ||
	    !BIO_meth_set_ctrl(m, ring_bio_ctrl) ||
	    !BIO_meth_set_create(m, ring_bio_create)) {
		BIO_meth_free(m);
		return;
	}
	ring_bio_method = m;
}

void
tls_user_global_free(void)
{
	/* only after every SSL using it is freed: dataplane_stop */
	BIO_meth_free(ring_bio_method);
	ring_bio_method = NULL;
	ring_bio_once = (pthread_once_t)PTHREAD_ONCE_INIT;
}

static void
tls_user_log(struct dp_conn *c, const char *what)
{
	char		 err[256] = "no detail";
	unsigned long	 e = ERR_get_error();

	if (e != 0)
		ERR_error_string_n(e, err, sizeof(err));
	ERR_clear_error();
	dp_log_conn(c, LOG_NOTICE, "TLS %s: %s", what, err);
}

/*
 * SSL_OP_NO_RENEGOTIATION makes OpenSSL refuse a TLS 1.2 renegotiation; the
 * operator still learns that a peer asked, in the control plane's words.
 */
static void
tls_user_info(const SSL *ssl, int where, int ret)
{
	BIO		*b = SSL_get_rbio(ssl);
	struct tls_user	*u = b != NULL ? BIO_get_data(b) : NULL;

	(void)ret;
	if (!(where & SSL_CB_HANDSHAKE_START) || SSL_version(ssl) >= TLS1_3_VERSION ||
	    u == NULL)
		return;
	dp_log(LOG_WARNING, "Conn-Id %u: tenant %u: the peer asked for a "
	    "renegotiation, refused", u->c->facts.conn_id, u->c->facts.tenant);
}

/* Plaintext is handed to the relay record by record, until OpenSSL wants more. */
static int
tls_user_recv(struct dp_conn *c, const uint8_t *data, size_t len)
{
	struct tls_user	*u = c->tls_ctx;
	size_t		 got;
	int		 rc = 0;

	u->in = data;
	u->inlen = len;
	/* failures clear what they leave, so once per completion is enough */
	ERR_clear_error();
	for (;;) {
		if (SSL_read_ex(u->ssl, c->t->plain, sizeof(c->t->plain), &got) == 1) {
			if ((rc = relay_plain_in(c, c->t->plain, got)) < 0)
				break;
			continue;
		}
		switch (SSL_get_error(u->ssl, 0)) {
		case SSL_ERROR_WANT_READ:
			rc = 0;
			break;
		case SSL_ERROR_ZERO_RETURN:
			rc = TLS_RECV_CLOSED;
			break;
		default:
			tls_user_log(c, "read");
			rc = -EPROTO;
			break;
		}
		break;
	}
	u->in = NULL;
	u->inlen = 0;
	return rc;
}

/* Encrypts into the send queue; the error queue is only touched on failure. */
static int
tls_user_write(struct dp_conn *c, const uint8_t *data, size_t len, unsigned msgs)
{
	struct tls_user	*u = c->tls_ctx;
	size_t		 w;

	if (SSL_write_ex(u->ssl, data, len, &w) != 1 || w != len) {
		tls_user_log(c, "write");
		return -EPROTO;
	}
	while (msgs-- > 0)
		sendq_end_message(&c->side[SIDE_TLS].sq);
	return 0;
}

/* What is pending goes out as one record; nothing pending is a no-op. */
static int
tls_user_flush(struct dp_conn *c)
{
	struct tls_acc	*a = &c->t->acc;
	size_t		 len = a->len;
	unsigned	 msgs = a->msgs;

	if (a->c != c || len == 0)
		return 0;
	a->c = NULL;
	a->len = 0;
	a->msgs = 0;
	if (c->dead)
		return 0;
	return tls_user_write(c, a->buf, len, msgs);
}

/* Another connection's leftovers: only if a caller forgot to flush. */
static void
tls_acc_take(struct dp_conn *c)
{
	struct dp_conn	*other = c->t->acc.c;

	if (other == NULL || other == c)
		return;
	if (tls_user_flush(other) == -EPROTO)
		conn_shutdown(other, WHY_TLS_ERROR);
	conn_dirty(other);
}

static int
tls_user_send(struct dp_conn *c, const uint8_t *data, size_t len, bool msg)
{
	struct tls_acc	*a = &c->t->acc;
	int		 rc;

	tls_acc_take(c);
	if (a->len + len > sizeof(a->buf) && (rc = tls_user_flush(c)) != 0)
		return rc;
	if (len >= sizeof(a->buf))
		return tls_user_write(c, data, len, msg ? 1 : 0);
	memcpy(a->buf + a->len, data, len);
	a->len += len;
	a->msgs += msg ? 1 : 0;
	a->c = c;
	return 0;
}

static int
tls_user_close_notify(struct dp_conn *c)
{
	struct tls_user	*u = c->tls_ctx;
	int		 rc;

	/* close_notify follows whatever this completion relayed */
	if ((rc = tls_user_flush(c)) != 0)
		return rc;
	ERR_clear_error();
	if (SSL_shutdown(u->ssl) < 0) {
		/* after a fatal alert there is no close_notify to send */
		ERR_clear_error();
		return -EPROTO;
	}
	return 0;
}

static void
tls_user_free(struct dp_conn *c)
{
	struct tls_user	*u = c->tls_ctx;

	if (u == NULL)
		return;
	if (c->t->acc.c == c) {
		c->t->acc.c = NULL;
		c->t->acc.len = 0;
		c->t->acc.msgs = 0;
	}
	SSL_free(u->ssl);
	free(u);
	c->tls_ctx = NULL;
}

const struct tls_side_ops tls_user_ops = {
	.name = "userspace",
	.recv = tls_user_recv,
	.send = tls_user_send,
	.flush = tls_user_flush,
	.close_notify = tls_user_close_notify,
	.free = tls_user_free,
};

/* Drains a memory BIO the handshake may have used; returns bytes or -errno. */
static int
drain_mem_bio(BIO *b, struct sendq *q)
{
	char	buf[4096];
	int	n, total = 0;

	if (b == NULL || BIO_method_type(b) != BIO_TYPE_MEM)
		return 0;
	while ((n = BIO_read(b, buf, sizeof(buf))) > 0) {
		if (sendq_append(q, buf, (size_t)n) != 0)
			return -ENOMEM;
		total += n;
	}
	return total;
}

/*
 * Takes over an SSL whose handshake is done. Whatever the handshake left in
 * memory BIOs moves over: unsent ciphertext (TLS 1.3 session tickets) to the
 * send queue, unread ciphertext through SSL_read now, as if just received.
 * From here the dataplane owns ssl, also when this fails.
 */
int
tls_user_attach(struct dp_conn *c, SSL *ssl)
{
	struct tls_user	*u;
	struct sendq	 early;
	BIO		*rbio = SSL_get_rbio(ssl), *wbio = SSL_get_wbio(ssl), *b;
	int		 rc;

	pthread_once(&ring_bio_once, ring_bio_init);
	if (ring_bio_method == NULL || (u = calloc(1, sizeof(*u))) == NULL) {
		SSL_free(ssl);
		return -ENOMEM;
	}
	u->ssl = ssl;
	u->c = c;
	c->tls_ctx = u;
	if ((rc = drain_mem_bio(wbio, &c->side[SIDE_TLS].sq)) < 0)
		return rc;
	/* unread input goes through a temporary queue to keep one copy path */
	sendq_init(&early, false);
	if (rbio != wbio && (rc = drain_mem_bio(rbio, &early)) < 0) {
		sendq_clear(&early);
		return rc;
	}
	if ((b = BIO_new(ring_bio_method)) == NULL) {
		sendq_clear(&early);
		return -ENOMEM;
	}
	BIO_set_data(b, u);
	SSL_set_bio(ssl, b, b);		/* frees the old BIOs; an fd BIO leaves the fd open */
	/*
	 * The handshake's 2 x 17 KB record buffers would otherwise stay until
	 * the next read or write: an idle connection keeps none.
	 */
	SSL_set_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
	(void)SSL_free_buffers(ssl);
	SSL_set_options(ssl, SSL_OP_NO_RENEGOTIATION);
	SSL_set_info_callback(ssl, tls_user_info);
	rc = 0;
	for (;;) {
		size_t		 n;
		const uint8_t	*p = sendq_peek(&early, &n);

		if (p == NULL)
			break;
		relay_on_recv(c, SIDE_TLS, p, n);
		sendq_consume(&early, n);
	}
	sendq_clear(&early);
	/* plaintext OpenSSL may already hold */
	if (SSL_pending(ssl) > 0)
		relay_on_recv(c, SIDE_TLS, NULL, 0);
	return rc;
}
