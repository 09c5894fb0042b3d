/*
 * TLS SIP load: opens N TLS connections (a window of handshakes at a time),
 * then keeps K OPTIONS requests in flight on each until R responses came back
 * on every connection, counts what was lost, holds the connections while the
 * caller measures, and closes them all with close_notify.
 *
 *   sip_load -c 127.0.0.1:5061 -n 100 -k 8 -r 1000 [-s body] [-H hold_s] [-X]
 * (-X: end with a TCP reset instead of close_notify)
 * Prints "established N", then the results; "held N" while holding (SIGUSR1
 * ends the hold early). Exit 0 only if every connection came up and every
 * request was answered.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
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
#include <openssl/ssl.h>

#include "dataplane/sipframe.h"

enum lstate { L_IDLE, L_CONNECTING, L_HANDSHAKE, L_READY, L_FAILED, L_CLOSED };

struct lconn {
	int		 fd;
	unsigned	 id;
	enum lstate	 state;
	SSL		*ssl;
	uint64_t	 sent, recvd;
	uint8_t		*in;
	size_t		 inlen, incap;
	char		*out;
	size_t		 outlen, outcap;
	struct sipframe	 fr;
	uint32_t	 events;
};

static struct {
	struct sockaddr_in	 addr;
	unsigned		 n, k, window;
	uint64_t		 r;
	size_t			 body;
	unsigned		 hold_s, timeout_s;
	bool			 traffic;
	bool			 reset;
	SSL_CTX			*ctx;
	int			 ep, sfd;
	struct lconn		*c;
	unsigned		 started, established, failed, pending;
	uint64_t		 requests, responses, bad;
	char			*bodybuf;
} L = { .n = 1, .k = 1, .r = 1, .window = 256, .timeout_s = 300 };

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
ep_set(struct lconn *c, uint32_t events)
{
	struct epoll_event	ev = { .events = events, .data.ptr = c };

	if (c->events == events)
		return;
	epoll_ctl(L.ep, c->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &ev);
	c->events = events;
}

static void
conn_fail(struct lconn *c, const char *why)
{
	if (c->state == L_FAILED || c->state == L_CLOSED)
		return;
	fprintf(stderr, "sip_load: connection %u: %s (sent %" PRIu64 ", answered %"
	    PRIu64 ")\n", c->id, why, c->sent, c->recvd);
	if (c->state == L_CONNECTING || c->state == L_HANDSHAKE)
		L.pending--;
	c->state = L_FAILED;
	L.failed++;
	epoll_ctl(L.ep, EPOLL_CTL_DEL, c->fd, NULL);
	SSL_free(c->ssl);
	c->ssl = NULL;
	close(c->fd);
	c->fd = -1;
}

static int
out_add(struct lconn *c, const char *p, size_t n)
{
	if (c->outlen + n > c->outcap) {
		size_t	 cap = c->outcap ? c->outcap * 2 : 8192;
		char	*o;

		while (cap < c->outlen + n)
			cap *= 2;
		if ((o = realloc(c->out, cap)) == NULL)
			return -1;
		c->out = o;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, p, n);
	c->outlen += n;
	return 0;
}

static void
request_add(struct lconn *c)
{
	char	msg[1024 + 65536];
	int	n;

	n = snprintf(msg, sizeof(msg),
	    "OPTIONS sip:responder@example.com SIP/2.0\r\n"
	    "Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-%u-%" PRIu64 "\r\n"
	    "Max-Forwards: 70\r\n"
	    "From: <sip:load@example.com>;tag=l%u\r\n"
	    "To: <sip:responder@example.com>\r\n"
	    "Call-ID: load-%u-%" PRIu64 "@example.com\r\n"
	    "CSeq: %" PRIu64 " OPTIONS\r\n"
	    "%s"
	    "Content-Length: %zu\r\n\r\n%s",
	    c->id, c->sent, c->id, c->id, c->sent, c->sent + 1,
	    L.body ? "Content-Type: text/plain\r\n" : "", L.body,
	    L.body ? L.bodybuf : "");
	if (n > 0 && (size_t)n < sizeof(msg) && out_add(c, msg, (size_t)n) == 0) {
		c->sent++;
		L.requests++;
	}
}

static void
conn_flush(struct lconn *c)
{
	size_t	w;

	while (c->outlen > 0) {
		ERR_clear_error();
		if (SSL_write_ex(c->ssl, c->out, c->outlen, &w) != 1) {
			int	e = SSL_get_error(c->ssl, 0);

			if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
				ep_set(c, EPOLLIN | EPOLLOUT);
				return;
			}
			conn_fail(c, "write failed");
			return;
		}
		memmove(c->out, c->out + w, c->outlen - w);
		c->outlen -= w;
	}
	if (c->state == L_READY)
		ep_set(c, EPOLLIN);
}

static void
conn_more(struct lconn *c)
{
	if (!L.traffic || c->state != L_READY)
		return;
	while (c->sent < L.r && c->sent - c->recvd < L.k)
		request_add(c);
	conn_flush(c);
}

static bool
conn_frame(struct lconn *c)
{
	size_t		 off = 0, msglen;
	const char	*reason;

	while (off < c->inlen) {
		switch (sipframe_next(&c->fr, c->in + off, c->inlen - off, &msglen, &reason)) {
		case SIPFRAME_MORE:
			goto keep;
		case SIPFRAME_MESSAGE:
			if (msglen >= 12 && memcmp(c->in + off, "SIP/2.0 200 ", 12) == 0) {
				c->recvd++;
				L.responses++;
			} else
				L.bad++;
			break;
		case SIPFRAME_PING:
		case SIPFRAME_PONG:
			break;
		case SIPFRAME_ERROR:
			fprintf(stderr, "sip_load: framing: %s\n", reason);
			return false;
		}
		off += msglen;
	}
keep:
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
	return true;
}

static void
conn_read(struct lconn *c)
{
	size_t	got;

	for (;;) {
		if (c->incap - c->inlen < 16384) {
			size_t	 cap = c->incap ? c->incap * 2 : 32768;
			uint8_t	*p = realloc(c->in, cap);

			if (p == NULL) {
				conn_fail(c, "out of memory");
				return;
			}
			c->in = p;
			c->incap = cap;
		}
		ERR_clear_error();
		if (SSL_read_ex(c->ssl, c->in + c->inlen, c->incap - c->inlen, &got) != 1) {
			int	e = SSL_get_error(c->ssl, 0);

			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
				break;
			conn_fail(c, e == SSL_ERROR_ZERO_RETURN ? "closed by the relay" :
			    "read failed");
			return;
		}
		c->inlen += got;
		if (!conn_frame(c)) {
			conn_fail(c, "bad response stream");
			return;
		}
	}
	if (c->inlen == 0 && c->incap > 32768) {
		free(c->in);
		c->in = NULL;
		c->incap = 0;
	}
	conn_more(c);
}

static void
conn_handshake(struct lconn *c)
{
	int	rc, e;

	ERR_clear_error();
	if ((rc = SSL_do_handshake(c->ssl)) == 1) {
		c->state = L_READY;
		L.established++;
		L.pending--;
		ep_set(c, EPOLLIN);
		return;
	}
	e = SSL_get_error(c->ssl, rc);
	if (e == SSL_ERROR_WANT_READ)
		ep_set(c, EPOLLIN);
	else if (e == SSL_ERROR_WANT_WRITE)
		ep_set(c, EPOLLOUT);
	else
		conn_fail(c, "handshake failed");
}

static void
conn_start(struct lconn *c)
{
	int	one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	L.started++;
	L.pending++;
	c->state = L_CONNECTING;
	if (c->fd < 0) {
		conn_fail(c, strerror(errno));
		return;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&L.addr, sizeof(L.addr)) == -1 &&
	    errno != EINPROGRESS) {
		conn_fail(c, strerror(errno));
		return;
	}
	ep_set(c, EPOLLOUT);
}

static void
conn_connected(struct lconn *c)
{
	int		err = 0;
	socklen_t	len = sizeof(err);

	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err != 0) {
		conn_fail(c, strerror(err));
		return;
	}
	if ((c->ssl = SSL_new(L.ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
		conn_fail(c, "SSL_new");
		return;
	}
	SSL_set_connect_state(c->ssl);
	c->state = L_HANDSHAKE;
	conn_handshake(c);
}

static void
conn_event(struct lconn *c, uint32_t ev)
{
	switch (c->state) {
	case L_CONNECTING:
		conn_connected(c);
		break;
	case L_HANDSHAKE:
		conn_handshake(c);
		break;
	case L_READY:
		if (ev & EPOLLOUT)
			conn_flush(c);
		if (c->state == L_READY && (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)))
			conn_read(c);
		break;
	default:
		break;
	}
}

/* false: the caller's deadline passed or a signal asked to stop waiting */
static bool
loop_once(int timeout_ms)
{
	struct epoll_event	evs[512];
	int			n = epoll_wait(L.ep, evs, 512, timeout_ms);

	for (int i = 0; i < n; i++) {
		if (evs[i].data.ptr == NULL) {
			struct signalfd_siginfo	si;

			if (read(L.sfd, &si, sizeof(si)) > 0)
				return false;
			continue;
		}
		conn_event(evs[i].data.ptr, evs[i].events);
	}
	return true;
}

static bool
traffic_done(void)
{
	for (unsigned i = 0; i < L.n; i++)
		if (L.c[i].state == L_READY && L.c[i].recvd < L.r)
			return false;
	return true;
}

static unsigned
conns_ready(void)
{
	unsigned	n = 0;

	for (unsigned i = 0; i < L.n; i++)
		n += L.c[i].state == L_READY;
	return n;
}

static void
close_all(void)
{
	for (unsigned i = 0; i < L.n; i++) {
		struct lconn	*c = &L.c[i];

		if (c->state == L_READY) {
			if (L.reset) {
				struct linger	lg = { .l_onoff = 1, .l_linger = 0 };

				/* an abortive close: the relay sees a reset */
				setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			} else
				(void)SSL_shutdown(c->ssl);	/* close_notify */
			SSL_free(c->ssl);
			close(c->fd);
			c->state = L_CLOSED;
		}
		free(c->in);
		free(c->out);
	}
}

static int
parse_addr(char *s)
{
	char	*colon = strrchr(s, ':');

	if (colon == NULL)
		return -1;
	*colon = '\0';
	L.addr.sin_family = AF_INET;
	L.addr.sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, s, &L.addr.sin_addr) == 1 ? 0 : -1;
}

int
main(int argc, char *argv[])
{
	struct epoll_event	 ev = { .events = EPOLLIN };
	struct rlimit		 rl;
	sigset_t		 sigs;
	double			 t0, t1, t2, deadline;
	unsigned		 next = 0;
	int			 ch;

	while ((ch = getopt(argc, argv, "c:n:k:r:s:w:H:T:X")) != -1) {
		switch (ch) {
		case 'c':
			if (parse_addr(optarg) == -1)
				return 2;
			break;
		case 'n': L.n = (unsigned)atoi(optarg); break;
		case 'k': L.k = (unsigned)atoi(optarg); break;
		case 'r': L.r = (uint64_t)atoll(optarg); break;
		case 's': L.body = (size_t)atol(optarg); break;
		case 'w': L.window = (unsigned)atoi(optarg); break;
		case 'H': L.hold_s = (unsigned)atoi(optarg); break;
		case 'T': L.timeout_s = (unsigned)atoi(optarg); break;
		case 'X': L.reset = true; break;
		default:
			fprintf(stderr, "usage: sip_load -c addr:port [-n conns] [-k inflight] "
			    "[-r requests] [-s body] [-w window] [-H hold_s] [-T timeout_s] [-X]\n");
			return 2;
		}
	}
	if (L.addr.sin_family == 0 || L.n == 0 || L.k == 0 || L.body > 65000)
		return 2;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((L.bodybuf = malloc(L.body + 1)) == NULL)
		return 1;
	memset(L.bodybuf, 'b', L.body);
	L.bodybuf[L.body] = '\0';
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	L.sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	L.ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_mode(L.ctx, SSL_MODE_RELEASE_BUFFERS |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
	L.ep = epoll_create1(EPOLL_CLOEXEC);
	ev.data.ptr = NULL;
	epoll_ctl(L.ep, EPOLL_CTL_ADD, L.sfd, &ev);
	if ((L.c = calloc(L.n, sizeof(*L.c))) == NULL)
		return 1;
	for (unsigned i = 0; i < L.n; i++) {
		L.c[i].id = i;
		L.c[i].fd = -1;
		sipframe_init(&L.c[i].fr, 0, 0);
	}

	t0 = now_s();
	deadline = t0 + L.timeout_s;
	/* handshakes, a window at a time: the relay's accept queue stays short */
	while (L.established + L.failed < L.n && now_s() < deadline) {
		while (next < L.n && L.pending < L.window)
			conn_start(&L.c[next++]);
		if (!loop_once(100))
			break;
	}
	t1 = now_s();
	printf("established %u\nfailed %u\nhandshake_s %.2f\n", L.established,
	    L.failed, t1 - t0);
	fflush(stdout);

	L.traffic = true;
	for (unsigned i = 0; i < L.n; i++)
		conn_more(&L.c[i]);
	while (!traffic_done() && now_s() < deadline)
		if (!loop_once(100))
			break;
	t2 = now_s();
	printf("requests %" PRIu64 "\nresponses %" PRIu64 "\nlost %" PRIu64
	    "\nunexpected %" PRIu64 "\ntraffic_s %.3f\ntransactions_per_s %.0f\n"
	    "messages_per_s %.0f\n", L.requests, L.responses,
	    L.requests - L.responses, L.bad, t2 - t1,
	    (double)L.responses / (t2 - t1), 2.0 * (double)L.responses / (t2 - t1));
	printf("held %u\n", conns_ready());
	fflush(stdout);
	if (L.hold_s > 0) {
		deadline = now_s() + L.hold_s;
		while (now_s() < deadline && loop_once(200))
			;
	}
	close_all();
	printf("closed\n");
	free(L.c);
	free(L.bodybuf);
	SSL_CTX_free(L.ctx);
	return L.failed == 0 && L.established == L.n && L.responses == L.requests &&
	    L.requests == (uint64_t)L.n * L.r && L.bad == 0 ? 0 : 1;
}
