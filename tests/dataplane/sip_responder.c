/*
 * A plain TCP SIP backend for load and back-pressure tests: answers every
 * request with 200 OK (ACK excepted), holds thousands of connections with one
 * epoll loop, skips a PROXY v2 header, and in flood mode writes requests to
 * every connection as fast as the socket takes them.
 *
 *   sip_responder -l 127.0.0.1:0 [-f [-n max_msgs] [-s flood_msg_bytes]]
 * Prints "port N" and "ready"; on SIGTERM prints counters and exits.
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
#include <unistd.h>

#include "dataplane/sipframe.h"
#include "iobuf.h"
#include "sip_msg.h"

#define IN_MAX	(128 * 1024)

struct rconn {
	int		 fd;
	bool		 pp2_checked;
	struct iobuf	 in, out;
	size_t		 outoff;	/* out.data[0..outoff) is sent */
	struct sipframe	 fr;
	uint64_t	 flood_seq;
};

static uint64_t	requests, responses_sent, conns_total, conns_open, flood_msgs;
static bool	flood;
static size_t	flood_size = 600;
static uint64_t	flood_limit;

static int
out_add(struct rconn *c, const char *p, size_t n)
{
	return iobuf_append(&c->out, p, n, 4096);
}

/* false: the connection is to be closed */
static bool
out_flush(struct rconn *c)
{
	while (c->outoff < c->out.len) {
		ssize_t	n = send(c->fd, c->out.data + c->outoff, c->out.len - c->outoff,
		    MSG_NOSIGNAL);

		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		c->outoff += (size_t)n;
	}
	c->outoff = c->out.len = 0;
	if (c->out.cap > 65536)
		iobuf_release(&c->out);
	return true;
}

static void
handle_msg(struct rconn *c, const uint8_t *m, size_t len)
{
	char	resp[4096];
	size_t	n;

	if (!sip_is_request(m, len))
		return;
	requests++;
	if (sip_is_method(m, len, "ACK"))
		return;
	if ((n = sip_response(m, len, 200, "OK", resp, sizeof(resp))) > 0 &&
	    out_add(c, resp, n) == 0)
		responses_sent++;
}

static bool
frame_input(struct rconn *c)
{
	size_t		 off = 0, msglen;
	const char	*reason;
	bool		 complete;

	if (!c->pp2_checked) {
		size_t	h = pp2_header_len(c->in.data, c->in.len, &complete);

		if (h > 0 && !complete)
			return true;
		off = h;
		c->pp2_checked = true;
	}
	while (off < c->in.len) {
		switch (sipframe_next(&c->fr, c->in.data + off, c->in.len - off, &msglen,
		    &reason)) {
		case SIPFRAME_MORE:
			goto keep;
		case SIPFRAME_MESSAGE:
			handle_msg(c, c->in.data + off, msglen);
			break;
		case SIPFRAME_PING:
			out_add(c, "\r\n", 2);
			break;
		case SIPFRAME_PONG:
			break;
		case SIPFRAME_ERROR:
			fprintf(stderr, "sip_responder: framing: %s\n", reason);
			return false;
		}
		off += msglen;
	}
keep:
	iobuf_consume(&c->in, off);
	return true;
}

static bool
conn_read(struct rconn *c)
{
	for (;;) {
		ssize_t	n;

		if (iobuf_reserve(&c->in, IOBUF_READ_ROOM, IOBUF_READ_FIRST, IN_MAX) == -1)
			return false;
		n = recv(c->fd, c->in.data + c->in.len, c->in.cap - c->in.len, 0);
		if (n == 0)
			return false;
		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		c->in.len += (size_t)n;
		if (!frame_input(c))
			return false;
	}
}

/* Flood mode: NOTIFY requests until the socket stops taking them. */
static bool
conn_flood(struct rconn *c)
{
	static char	body[65536];
	char		msg[70000];
	int		n;

	if (flood_size > sizeof(body) - 1)
		flood_size = sizeof(body) - 1;
	memset(body, 'x', flood_size);
	body[flood_size] = '\0';
	for (;;) {
		if (!out_flush(c))
			return false;
		if (c->outoff < c->out.len)
			return true;	/* the socket is full: wait for EPOLLOUT */
		if (flood_limit > 0 && flood_msgs >= flood_limit)
			return true;
		n = snprintf(msg, sizeof(msg),
		    "NOTIFY sip:peer@example.com SIP/2.0\r\n"
		    "Via: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKflood%" PRIu64 "\r\n"
		    "From: <sip:flood@example.com>;tag=f\r\n"
		    "To: <sip:peer@example.com>\r\n"
		    "Call-ID: flood-%d@example.com\r\n"
		    "CSeq: %" PRIu64 " NOTIFY\r\n"
		    "Content-Type: text/plain\r\n"
		    "Content-Length: %zu\r\n\r\n%s", c->flood_seq, c->fd,
		    c->flood_seq + 1, flood_size, body);
		c->flood_seq++;
		flood_msgs++;
		if (out_add(c, msg, (size_t)n) != 0)
			return false;
	}
}

static void
conn_close(int ep, struct rconn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	iobuf_release(&c->in);
	iobuf_release(&c->out);
	free(c);
	conns_open--;
}

static void
accept_all(int ep, int lfd)
{
	struct epoll_event	 ev;
	struct rconn		*c;
	int			 fd, one = 1;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->fd = fd;
		sipframe_init(&c->fr, 0, 0);
		ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
		ev.data.ptr = c;
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
		conns_total++;
		conns_open++;
	}
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	struct epoll_event	 evs[256], ev;
	struct rlimit		 rl;
	socklen_t		 len = sizeof(sin);
	sigset_t		 sigs;
	int			 ch, lfd, ep, sfd, one = 1;
	char			*colon;

	while ((ch = getopt(argc, argv, "fl:n:s:")) != -1) {
		switch (ch) {
		case 'f': flood = true; break;
		case 'l':
			if ((colon = strrchr(optarg, ':')) == NULL)
				return 2;
			*colon = '\0';
			inet_pton(AF_INET, optarg, &sin.sin_addr);
			sin.sin_port = htons((uint16_t)atoi(colon + 1));
			break;
		case 'n': flood_limit = (uint64_t)atoll(optarg); break;
		case 's': flood_size = (size_t)atol(optarg); break;
		default:
			fprintf(stderr, "usage: sip_responder -l addr:port [-f] [-s bytes]\n");
			return 2;
		}
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, 4096) == -1) {
		perror("sip_responder: listen");
		return 1;
	}
	getsockname(lfd, (struct sockaddr *)&sin, &len);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	ev.data.ptr = &sfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	printf("port %u\npid %d\nready\n", ntohs(sin.sin_port), (int)getpid());
	fflush(stdout);

	for (;;) {
		int	n = epoll_wait(ep, evs, 256, -1);

		for (int i = 0; i < n; i++) {
			struct rconn	*c = evs[i].data.ptr;
			bool		 ok = true;

			if (c == NULL) {
				accept_all(ep, lfd);
				continue;
			}
			if ((void *)c == (void *)&sfd)
				goto out;
			if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				ok = conn_read(c);
			if (ok)
				ok = out_flush(c);
			if (ok && flood)
				ok = conn_flood(c);
			if (!ok)
				conn_close(ep, c);
		}
	}
out:
	printf("requests %" PRIu64 "\nresponses %" PRIu64 "\nconnections %" PRIu64
	    "\nopen %" PRIu64 "\nflood %" PRIu64 "\n", requests, responses_sent,
	    conns_total, conns_open, flood_msgs);
	return 0;
}
