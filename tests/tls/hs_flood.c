/*
 * hs_flood: many non-blocking TLS clients against one server, for the load
 * tests. "stall" opens CONNS connections that send a ClientHello and then
 * wait (handshakes held in flight); "full" runs CONNS complete handshakes,
 * CONCURRENCY at a time, and reports handshakes per second; "hold" completes
 * CONNS handshakes and keeps the sessions open. Sources rotate
 * over SOURCES loopback addresses (127.1.0.1, 127.1.0.2, ...), so a per-
 * source limit on the server sees many peers.
 *
 *   hs_flood -p PORT -m stall|full|hold [-c CONNS] [-k CONCURRENCY] [-n SOURCES]
 *            [-b FIRST_SOURCE] [-t SECONDS] [-3|-2]
 * Prints one line "mode=... ok=N failed=N refused=N seconds=S rate=R" (ok:
 * completed, or still held when the time ran out; refused: closed by the
 * server before it answered); exit 0 when all CONNS are ok, 1 otherwise.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

struct flood {
	SSL_CTX		*ctx;
	int		 epfd;
	struct in_addr	 dst, src0;
	int		 port;
	int		 sources;
	bool		 full;
	bool		 hold;		/* full handshakes, then kept open */
	int		 total, concurrency, started, ok, failed, refused, live;
	unsigned	 seq;
	struct fconn	*conns;
};

struct fconn {
	struct fconn	*prev, *next;	/* live connections, freed at exit */
	int	 fd;
	SSL	*ssl;
	bool	 hello_sent;	/* stall: ClientHello out; hold: session up */
};

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
fconn_end(struct flood *f, struct fconn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		f->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	close(c->fd);
	free(c);
	f->live--;
}

static int
fconn_open(struct flood *f)
{
	struct sockaddr_in	 src = { .sin_family = AF_INET };
	struct sockaddr_in	 dst = { .sin_family = AF_INET };
	struct epoll_event	 ev = { .events = EPOLLOUT };
	struct fconn		*c;
	int			 one = 1;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	src.sin_addr.s_addr = htonl(ntohl(f->src0.s_addr) +
	    (f->seq++ % (unsigned)f->sources));
	dst.sin_addr = f->dst;
	dst.sin_port = htons((uint16_t)f->port);
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1) {
		free(c);
		return -1;
	}
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (bind(c->fd, (struct sockaddr *)&src, sizeof(src)) == -1 ||
	    (connect(c->fd, (struct sockaddr *)&dst, sizeof(dst)) == -1 &&
	    errno != EINPROGRESS)) {
		close(c->fd);
		free(c);
		return -1;
	}
	c->ssl = SSL_new(f->ctx);
	SSL_set_fd(c->ssl, c->fd);
	SSL_set_connect_state(c->ssl);
	ev.data.ptr = c;
	epoll_ctl(f->epfd, EPOLL_CTL_ADD, c->fd, &ev);
	c->next = f->conns;
	if (f->conns != NULL)
		f->conns->prev = c;
	f->conns = c;
	f->started++;
	f->live++;
	return 0;
}

/* A connection the server closed before its first answer was refused. */
static void
fconn_failed(struct flood *f, struct fconn *c)
{
	if (SSL_get_state(c->ssl) == TLS_ST_CW_CLNT_HELLO)
		f->refused++;
	else
		f->failed++;
	ERR_clear_error();
	fconn_end(f, c);
}

static void
fconn_io(struct flood *f, struct fconn *c)
{
	struct epoll_event	ev = { .data.ptr = c };
	int			r, e;

	ERR_clear_error();
	r = SSL_do_handshake(c->ssl);
	if (r == 1 && f->hold) {
		/* held from now on: only the server's close is watched */
		c->hello_sent = true;
		ev.events = EPOLLRDHUP;
		epoll_ctl(f->epfd, EPOLL_CTL_MOD, c->fd, &ev);
		return;
	}
	if (r == 1) {
		f->ok++;
		(void)SSL_shutdown(c->ssl);
		fconn_end(f, c);
		return;
	}
	e = SSL_get_error(c->ssl, r);
	if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
		fconn_failed(f, c);
		return;
	}
	if (e == SSL_ERROR_WANT_READ && !f->full && !f->hold) {
		/* stalled from now on: only the server's close is watched */
		c->hello_sent = true;
		ev.events = EPOLLRDHUP;
		epoll_ctl(f->epfd, EPOLL_CTL_MOD, c->fd, &ev);
		return;
	}
	ev.events = e == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT;
	epoll_ctl(f->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static int
usage(void)
{
	fprintf(stderr, "usage: hs_flood -p PORT -m stall|full|hold [-c CONNS] "
	    "[-k CONCURRENCY] [-n SOURCES] [-b FIRST_SOURCE] [-t SECONDS] [-3|-2]\n");
	return 2;
}

static void
flood_fill(struct flood *f)
{
	while (f->started < f->total &&
	    (!f->full || f->live < f->concurrency))
		if (fconn_open(f) == -1) {
			f->failed++;
			f->started++;
		}
}

int
main(int argc, char *argv[])
{
	struct flood		 f = { .total = 100, .concurrency = 64,
				    .sources = 1 };
	struct epoll_event	 evs[256];
	struct rlimit		 rl;
	double			 t0, hold = 5, elapsed;
	int			 ch, n, version = 0;

	signal(SIGPIPE, SIG_IGN);	/* a refused connection is closed under our ClientHello */
	inet_pton(AF_INET, "127.0.0.1", &f.dst);
	inet_pton(AF_INET, "127.1.0.1", &f.src0);
	while ((ch = getopt(argc, argv, "23b:c:k:m:n:p:t:")) != -1) {
		switch (ch) {
		case '2': version = TLS1_2_VERSION; break;
		case '3': version = TLS1_3_VERSION; break;
		case 'b': if (inet_pton(AF_INET, optarg, &f.src0) != 1) return usage(); break;
		case 'c': f.total = atoi(optarg); break;
		case 'k': f.concurrency = atoi(optarg); break;
		case 'm':
			f.full = strcmp(optarg, "full") == 0;
			f.hold = strcmp(optarg, "hold") == 0;
			break;
		case 'n': f.sources = atoi(optarg); break;
		case 'p': f.port = atoi(optarg); break;
		case 't': hold = atof(optarg); break;
		default: return usage();
		}
	}
	if (f.port <= 0 || f.total <= 0 || f.sources <= 0 || f.concurrency <= 0)
		return usage();
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	f.ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_verify(f.ctx, SSL_VERIFY_NONE, NULL);
	if (version != 0) {
		SSL_CTX_set_min_proto_version(f.ctx, version);
		SSL_CTX_set_max_proto_version(f.ctx, version);
	}
	f.epfd = epoll_create1(EPOLL_CLOEXEC);
	t0 = now_s();
	flood_fill(&f);
	while (f.live > 0 && (elapsed = now_s() - t0) < hold) {
		n = epoll_wait(f.epfd, evs, 256, 100);
		for (int i = 0; i < n; i++) {
			struct fconn *c = evs[i].data.ptr;

			if (!f.full && c->hello_sent)
				fconn_failed(&f, c);	/* the server closed a held one */
			else
				fconn_io(&f, c);
		}
		if (f.full)
			flood_fill(&f);
	}
	elapsed = now_s() - t0;
	if (!f.full)
		f.ok = f.live;	/* still held when the time ran out */
	printf("mode=%s ok=%d failed=%d refused=%d seconds=%.2f rate=%.0f\n",
	    f.full ? "full" : f.hold ? "hold" : "stall", f.ok, f.failed, f.refused, elapsed,
	    f.full ? f.ok / elapsed : 0);
	fflush(stdout);
	n = f.ok == f.total ? 0 : 1;
	while (f.conns != NULL)
		fconn_end(&f, f.conns);
	SSL_CTX_free(f.ctx);
	close(f.epfd);
	return n;
}
