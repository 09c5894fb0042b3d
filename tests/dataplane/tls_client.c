/*
 * The TLS client engine of the SIP load clients (tls_client.h). No autoconf.h:
 * bench/bench-lib.sh compiles this file with plain gcc, in no configured tree.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "tls_client.h"

uint64_t
tls_client_now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* epoll_ctl only when the interest changes: most flushes leave it as it is */
static void
conn_watch(struct tls_client *tc, struct tls_conn *c, uint32_t events)
{
	struct epoll_event	ev = { .events = events, .data.ptr = c };

	if (c->events == events)
		return;
	epoll_ctl(tc->ep, c->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &ev);
	c->events = events;
}

static void
conn_fail(struct tls_client *tc, struct tls_conn *c, const char *why)
{
	if (c->state == TLS_CONN_FAILED || c->state == TLS_CONN_CLOSED)
		return;
	fprintf(stderr, "%s: connection %u: %s (sent %" PRIu64 ", answered %"
	    PRIu64 ")\n", tc->prog, c->id, why, c->sent, c->recvd);
	if (c->state == TLS_CONN_CONNECTING || c->state == TLS_CONN_HANDSHAKE)
		tc->pending--;
	c->state = TLS_CONN_FAILED;
	tc->failed++;
	if (c->fd >= 0) {
		epoll_ctl(tc->ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	SSL_free(c->ssl);
	c->ssl = NULL;
	c->fd = -1;
}

void
tls_conn_flush(struct tls_client *tc, struct tls_conn *c)
{
	size_t	w;

	while (c->out.len > 0) {
		ERR_clear_error();
		if (SSL_write_ex(c->ssl, c->out.data, c->out.len, &w) != 1) {
			int	e = SSL_get_error(c->ssl, 0);

			if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
				conn_watch(tc, c, EPOLLIN | EPOLLOUT);
				return;
			}
			conn_fail(tc, c, "write failed");
			return;
		}
		iobuf_consume(&c->out, w);
	}
	if (c->state == TLS_CONN_READY)
		conn_watch(tc, c, EPOLLIN);
}

/* 1: read some, 0: nothing more for now, -1: the connection failed */
static int
conn_read_some(struct tls_client *tc, struct tls_conn *c)
{
	size_t	got;
	int	e;

	if (iobuf_reserve(&c->in, IOBUF_READ_ROOM, IOBUF_READ_FIRST, 0) == -1) {
		conn_fail(tc, c, "out of memory");
		return -1;
	}
	ERR_clear_error();
	if (SSL_read_ex(c->ssl, c->in.data + c->in.len, c->in.cap - c->in.len,
	    &got) == 1) {
		c->in.len += got;
		return 1;
	}
	e = SSL_get_error(c->ssl, 0);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	conn_fail(tc, c, e == SSL_ERROR_ZERO_RETURN ? "closed by the relay" :
	    "read failed");
	return -1;
}

/*
 * One clock read per wake-up, not per record: every message of a wake-up is
 * stamped with the time its first bytes were decrypted.
 */
static void
conn_read(struct tls_client *tc, struct tls_conn *c)
{
	uint64_t	rx_ns = 0;
	bool		any = false;
	int		rc;

	while ((rc = conn_read_some(tc, c)) == 1) {
		if (!any) {
			rx_ns = tls_client_now_ns();
			any = true;
		}
		if (!tc->input(c, rx_ns)) {
			conn_fail(tc, c, "bad response stream");
			return;
		}
	}
	if (rc == -1)
		return;
	if (c->in.len == 0 && c->in.cap > tc->in_keep)
		iobuf_release(&c->in);
	tc->refill(c);
}

static void
conn_handshake(struct tls_client *tc, struct tls_conn *c)
{
	int	rc, e;

	ERR_clear_error();
	if ((rc = SSL_do_handshake(c->ssl)) == 1) {
		c->state = TLS_CONN_READY;
		tc->established++;
		tc->pending--;
		conn_watch(tc, c, EPOLLIN);
		return;
	}
	e = SSL_get_error(c->ssl, rc);
	if (e == SSL_ERROR_WANT_READ)
		conn_watch(tc, c, EPOLLIN);
	else if (e == SSL_ERROR_WANT_WRITE)
		conn_watch(tc, c, EPOLLOUT);
	else
		conn_fail(tc, c, "handshake failed");
}

void
tls_conn_start(struct tls_client *tc, struct tls_conn *c)
{
	int	one = 1;

	c->state = TLS_CONN_CONNECTING;
	tc->pending++;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		conn_fail(tc, c, strerror(errno));
		return;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&tc->addr, sizeof(tc->addr)) == -1 &&
	    errno != EINPROGRESS) {
		conn_fail(tc, c, strerror(errno));
		return;
	}
	conn_watch(tc, c, EPOLLOUT);
}

static void
conn_connected(struct tls_client *tc, struct tls_conn *c)
{
	int		err = 0;
	socklen_t	len = sizeof(err);

	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err != 0) {
		conn_fail(tc, c, strerror(err));
		return;
	}
	if ((c->ssl = SSL_new(tc->ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
		conn_fail(tc, c, "SSL_new");
		return;
	}
	SSL_set_connect_state(c->ssl);
	c->state = TLS_CONN_HANDSHAKE;
	conn_handshake(tc, c);
}

static void
conn_event(struct tls_client *tc, struct tls_conn *c, uint32_t ev)
{
	switch (c->state) {
	case TLS_CONN_CONNECTING:
		conn_connected(tc, c);
		break;
	case TLS_CONN_HANDSHAKE:
		conn_handshake(tc, c);
		break;
	case TLS_CONN_READY:
		if (ev & EPOLLOUT)
			tls_conn_flush(tc, c);
		if (c->state == TLS_CONN_READY && (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)))
			conn_read(tc, c);
		break;
	default:
		break;
	}
}

bool
tls_client_poll(struct tls_client *tc, int timeout_ms)
{
	struct epoll_event	evs[512];
	int			n = epoll_wait(tc->ep, evs, 512, timeout_ms);

	for (int i = 0; i < n; i++) {
		if (evs[i].data.ptr == NULL) {
			struct signalfd_siginfo	si;

			if (read(tc->sigfd, &si, sizeof(si)) > 0)
				return false;
			continue;
		}
		conn_event(tc, evs[i].data.ptr, evs[i].events);
	}
	return true;
}

void
tls_conn_close(struct tls_conn *c, bool reset)
{
	if (c->state == TLS_CONN_READY) {
		if (reset) {
			struct linger	lg = { .l_onoff = 1, .l_linger = 0 };

			/* an abortive close: the relay sees a reset */
			setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		} else
			(void)SSL_shutdown(c->ssl);	/* close_notify */
		SSL_free(c->ssl);
		close(c->fd);
		c->state = TLS_CONN_CLOSED;
	}
	iobuf_release(&c->in);
	iobuf_release(&c->out);
}

/*
 * tls_conn_flush() writes from a buffer that moves and shrinks between
 * retries, and takes partial writes: OpenSSL must be told both.
 */
SSL_CTX *
tls_client_ctx_new(void)
{
	SSL_CTX	*ctx = SSL_CTX_new(TLS_client_method());

	if (ctx != NULL)
		SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS |
		    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
	return ctx;
}

int
tls_client_target_parse(struct tls_client *tc, char *hostport)
{
	char	*colon = strrchr(hostport, ':');

	if (colon == NULL)
		return -1;
	*colon = '\0';
	tc->addr.sin_family = AF_INET;
	tc->addr.sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, hostport, &tc->addr.sin_addr) == 1 ? 0 : -1;
}

int
tls_client_open(struct tls_client *tc)
{
	struct rlimit	rl;

	/* a descriptor per connection: as many as the hard limit allows */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	tc->sigfd = -1;
	tc->ep = epoll_create1(EPOLL_CLOEXEC);
	return tc->ep < 0 ? -1 : 0;
}

void
tls_client_stop_on(struct tls_client *tc, int sigfd)
{
	struct epoll_event	ev = { .events = EPOLLIN, .data.ptr = NULL };

	tc->sigfd = sigfd;
	epoll_ctl(tc->ep, EPOLL_CTL_ADD, sigfd, &ev);
}

void
tls_client_close(struct tls_client *tc)
{
	close(tc->ep);
	SSL_CTX_free(tc->ctx);
	tc->ctx = NULL;
	tc->ep = -1;
}
