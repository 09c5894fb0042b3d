/*
 * sip_bench: the TLS SIP client of bench/relay-bench.
 *
 * Opens N TLS 1.3 connections to a relay (a window of handshakes at a time),
 * then either
 *   - traffic mode: keeps K requests in flight on each connection (OPTIONS of
 *     500 bytes or INVITE with SDP of 1,500 bytes), warms up for W seconds,
 *     then measures for D seconds: transactions, messages (requests plus
 *     responses), per-request latency (request queued to TLS -> its response
 *     decrypted and framed; 1 us resolution to 100 ms, 100 us to 10 s) as
 *     p50/p99/p99.9/max, and, given the relay's
 *     PID, the relay's CPU time (utime+stime of /proc/PID/stat) over exactly
 *     that window;
 *   - idle mode (-I S): sends one OPTIONS on each connection, waits for the
 *     answers, lets the relay settle for S seconds and reports its RSS with
 *     the N connections open against its RSS before them (taken after one
 *     warm-up connection opened, made one transaction and closed, so one-time
 *     lazy initialisation is not counted per connection).
 *
 *   sip_bench -c 127.0.0.1:5061 -n 100 -k 8 [-m options|invite] [-W 1] [-D 5]
 *             [-P relay_pid] [-I settle_s] [-w window] [-T timeout_s]
 *             [-C TLS_AES_128_GCM_SHA256] [-G X25519]
 * Prints "key value" lines. Exit 0 only if every connection came up and
 * nothing was lost, unexpected or out of order.
 *
 * Responses are matched to requests by CSeq (each connection numbers its
 * requests 1, 2, 3...), so a reordered or foreign response is counted as
 * an error, not as a latency sample.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

/* latency histogram: 1 us buckets up to 100 ms, then 100 us up to 10 s */
#define LAT_FINE	100000
#define LAT_BUCKETS	(LAT_FINE + (10000000 - LAT_FINE) / 100)

enum cstate { C_IDLE, C_CONNECTING, C_HANDSHAKE, C_READY, C_FAILED, C_CLOSED };

struct conn {
	int		 fd;
	unsigned	 id;
	enum cstate	 state;
	SSL		*ssl;
	uint64_t	 sent, recvd;	/* requests numbered 1.. (CSeq) */
	uint64_t	 recvd0;	/* recvd when the measuring window opened */
	uint64_t	*ts;		/* send time (ns) of request seq, at seq % K */
	uint8_t		*in;
	size_t		 inlen, incap;
	char		*out;
	size_t		 outlen, outcap;
	uint32_t	 events;
};

static struct {
	struct sockaddr_in	 addr;
	unsigned		 n, k, window;
	bool			 invite;
	double			 warmup_s, measure_s, timeout_s, settle_s;
	bool			 idle;
	int			 relay_pid;
	const char		*suites, *groups;
	SSL_CTX			*ctx;
	int			 ep;
	struct conn		*c;
	unsigned		 established, failed, pending;
	bool			 traffic;	/* requests may be sent */
	uint64_t		 limit;		/* requests per connection (idle: 1) */
	bool			 measuring;
	uint64_t		 m_resp, m_req, m_bytes_in;
	uint64_t		 lost_order, unexpected, overflow;
	uint64_t		 lat_max;
	uint64_t		*lat;
	size_t			 req_len;
} B = {
	.n = 1, .k = 1, .window = 128, .warmup_s = 1, .measure_s = 5,
	.timeout_s = 120, .suites = "TLS_AES_128_GCM_SHA256", .groups = "X25519",
};

static uint64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* utime+stime of a process, all threads, in seconds */
static double
proc_cpu_s(int pid)
{
	char	 path[64], buf[4096], *p;
	unsigned long long ut = 0, st = 0;
	FILE	*f;
	size_t	 n;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* fields after the command name, which may contain spaces */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
	    &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* VmRSS of a process in KiB, -1 if unknown */
static long
proc_rss_kb(int pid)
{
	char	 path[64], line[256];
	long	 kb = -1;
	FILE	*f;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void
ep_set(struct conn *c, uint32_t events)
{
	struct epoll_event	ev = { .events = events, .data.ptr = c };

	if (c->events == events)
		return;
	epoll_ctl(B.ep, c->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &ev);
	c->events = events;
}

static void
conn_fail(struct conn *c, const char *why)
{
	if (c->state == C_FAILED || c->state == C_CLOSED)
		return;
	fprintf(stderr, "sip_bench: connection %u: %s (sent %" PRIu64 ", answered %"
	    PRIu64 ")\n", c->id, why, c->sent, c->recvd);
	if (c->state == C_CONNECTING || c->state == C_HANDSHAKE)
		B.pending--;
	c->state = C_FAILED;
	B.failed++;
	if (c->fd >= 0) {
		epoll_ctl(B.ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	SSL_free(c->ssl);
	c->ssl = NULL;
	c->fd = -1;
}

static int
out_reserve(struct conn *c, size_t n)
{
	if (c->outlen + n > c->outcap) {
		size_t	 cap = c->outcap ? c->outcap * 2 : 4096;
		char	*o;

		while (cap < c->outlen + n)
			cap *= 2;
		if ((o = realloc(c->out, cap)) == NULL)
			return -1;
		c->out = o;
		c->outcap = cap;
	}
	return 0;
}

/*
 * The requests, padded to exactly 500 (OPTIONS) and 1,500 bytes (INVITE with
 * an SDP offer) with a header, so sizes do not drift with counters.
 */
#define OPTIONS_LEN	500
#define INVITE_LEN	1500

static const char sdp_fmt[] =
    "v=0\r\n"
    "o=bench 2890844526 2890844526 IN IP4 198.51.100.7\r\n"
    "s=sipktls bench call\r\n"
    "c=IN IP4 198.51.100.7\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/SAVP 0 8 9 18 101\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:9 G722/8000\r\n"
    "a=rtpmap:18 G729/8000\r\n"
    "a=fmtp:18 annexb=no\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-16\r\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32\r\n"
    "a=ptime:20\r\n"
    "a=sendrecv\r\n";

static int
request_build(char *buf, size_t cap, unsigned id, uint64_t seq)
{
	char		head[2048], pad[2048];
	const char	*method = B.invite ? "INVITE" : "OPTIONS";
	size_t		target = B.invite ? INVITE_LEN : OPTIONS_LEN;
	size_t		body = B.invite ? sizeof(sdp_fmt) - 1 : 0;
	int		n, total;

	n = snprintf(head, sizeof(head),
	    "%s sip:+15551230000@sbc.example.com SIP/2.0\r\n"
	    "Via: SIP/2.0/TLS 198.51.100.7:5061;branch=z9hG4bK%u.%" PRIu64 "\r\n"
	    "Max-Forwards: 70\r\n"
	    "From: <sip:+15559870000@pbx.example.org>;tag=b%u\r\n"
	    "To: <sip:+15551230000@sbc.example.com>\r\n"
	    "Call-ID: %u.%" PRIu64 "@pbx.example.org\r\n"
	    "CSeq: %" PRIu64 " %s\r\n"
	    "Contact: <sip:+15559870000@198.51.100.7:5061;transport=tls>\r\n"
	    "%s",
	    method, id, seq, id, id, seq, seq, method,
	    B.invite ?
	    "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY\r\n"
	    "Supported: replaces, timer, 100rel\r\n"
	    "User-Agent: sipktls-bench/1\r\n"
	    "Content-Type: application/sdp\r\n"
	    "Session-Expires: 1800;refresher=uac\r\nMin-SE: 90\r\n"
	    "P-Asserted-Identity: <sip:+15559870000@pbx.example.org>\r\n" :
	    "Accept: application/sdp\r\n");
	if (n < 0 || (size_t)n >= sizeof(head))
		return -1;
	/* head + "X-Pad: " + pad + "\r\n" + "Content-Length: NNN\r\n\r\n" + body */
	total = n + 7 + 2 + snprintf(NULL, 0, "Content-Length: %zu\r\n\r\n", body) +
	    (int)body;
	if ((size_t)total >= target)
		return -1;
	memset(pad, 'p', target - (size_t)total);
	pad[target - (size_t)total] = '\0';
	n = snprintf(buf, cap, "%sX-Pad: %s\r\nContent-Length: %zu\r\n\r\n%s",
	    head, pad, body, B.invite ? sdp_fmt : "");
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

static void
request_add(struct conn *c, uint64_t now)
{
	int	n;

	if (out_reserve(c, 2048) == -1)
		return;
	c->sent++;
	if ((n = request_build(c->out + c->outlen, 2048, c->id, c->sent)) < 0) {
		c->sent--;
		return;
	}
	c->outlen += (size_t)n;
	c->ts[c->sent % B.k] = now;
	if (B.measuring)
		B.m_req++;
}

static void
conn_flush(struct conn *c)
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
	if (c->state == C_READY)
		ep_set(c, EPOLLIN);
}

static void
conn_more(struct conn *c)
{
	uint64_t	now;

	if (!B.traffic || c->state != C_READY)
		return;
	if (c->sent < B.limit && c->sent - c->recvd < B.k) {
		now = now_ns();
		while (c->sent < B.limit && c->sent - c->recvd < B.k)
			request_add(c, now);
	}
	conn_flush(c);
}

/* length of the SIP message at p (0: incomplete, -1: malformed) */
static long
sip_msg_len(const uint8_t *p, size_t len)
{
	const uint8_t	*end = memmem(p, len, "\r\n\r\n", 4), *l;
	long		 cl = 0;
	size_t		 hlen;

	if (end == NULL)
		return len > 65536 ? -1 : 0;
	hlen = (size_t)(end - p) + 4;
	for (l = p; l < end; ) {
		const uint8_t	*eol = memmem(l, (size_t)(end - l) + 2, "\r\n", 2);

		if (eol == NULL)
			break;
		if ((eol - l > 15 && strncasecmp((const char *)l, "Content-Length:", 15) == 0))
			cl = strtol((const char *)l + 15, NULL, 10);
		else if (eol - l > 2 && (l[0] == 'l' || l[0] == 'L') && l[1] == ':')
			cl = strtol((const char *)l + 2, NULL, 10);
		l = eol + 2;
	}
	if (cl < 0)
		return -1;
	return hlen + (size_t)cl <= len ? (long)(hlen + (size_t)cl) : 0;
}

static uint64_t
cseq_of(const uint8_t *p, size_t len)
{
	const uint8_t	*h = memmem(p, len, "\r\nCSeq:", 7);

	if (h == NULL)
		return 0;
	return strtoull((const char *)h + 7, NULL, 10);
}

/*
 * Fairness: the fewest and most transactions one connection completed in the
 * window. In a closed loop the mean latency is fixed by the throughput, so a
 * relay that serves some connections before others shows it here and in p99.
 */
static void
conn_spread_print(void)
{
	uint64_t	lo = UINT64_MAX, hi = 0, d;

	for (unsigned i = 0; i < B.n; i++) {
		d = B.c[i].recvd - B.c[i].recvd0;
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	if (B.n > 0)
		printf("conn_tx_min %" PRIu64 "\nconn_tx_max %" PRIu64 "\n", lo, hi);
}

static void
latency_add(uint64_t ns)
{
	uint64_t	us = ns / 1000, i;

	if (us > B.lat_max)
		B.lat_max = us;
	i = us < LAT_FINE ? us : LAT_FINE + (us - LAT_FINE) / 100;
	if (i >= LAT_BUCKETS) {
		B.overflow++;
		i = LAT_BUCKETS - 1;
	}
	B.lat[i]++;
}

/* the middle of bucket i, in microseconds */
static double
bucket_us(size_t i)
{
	if (i < LAT_FINE)
		return (double)i + 0.5;
	return (double)LAT_FINE + (double)(i - LAT_FINE) * 100 + 50;
}

static bool
conn_frame(struct conn *c, uint64_t now)
{
	size_t	off = 0;

	while (off < c->inlen) {
		long		 m;
		uint64_t	 seq;

		/* CRLF keep-alive answers, if any */
		if (c->in[off] == '\r' || c->in[off] == '\n') {
			off++;
			continue;
		}
		if ((m = sip_msg_len(c->in + off, c->inlen - off)) < 0)
			return false;
		if (m == 0)
			break;
		if (m < 12 || memcmp(c->in + off, "SIP/2.0 200 ", 12) != 0) {
			B.unexpected++;
		} else if ((seq = cseq_of(c->in + off, (size_t)m)) != c->recvd + 1 ||
		    seq > c->sent) {
			B.lost_order++;
			c->recvd++;
		} else {
			c->recvd++;
			if (B.measuring) {
				B.m_resp++;
				B.m_bytes_in += (uint64_t)m;
				latency_add(now - c->ts[seq % B.k]);
			}
		}
		off += (size_t)m;
	}
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
	return true;
}

static void
conn_read(struct conn *c)
{
	size_t		got;
	bool		any = false;
	uint64_t	now = 0;

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
		if (!any) {
			now = now_ns();
			any = true;
		}
		c->inlen += got;
		if (!conn_frame(c, now)) {
			conn_fail(c, "bad response stream");
			return;
		}
	}
	/* an idle connection keeps no receive buffer, as a real client would */
	if (c->inlen == 0 && c->in != NULL) {
		free(c->in);
		c->in = NULL;
		c->incap = 0;
	}
	conn_more(c);
}

static void
conn_handshake(struct conn *c)
{
	int	rc, e;

	ERR_clear_error();
	if ((rc = SSL_do_handshake(c->ssl)) == 1) {
		c->state = C_READY;
		B.established++;
		B.pending--;
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
conn_start(struct conn *c)
{
	int	one = 1;

	c->state = C_CONNECTING;
	B.pending++;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		conn_fail(c, strerror(errno));
		return;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&B.addr, sizeof(B.addr)) == -1 &&
	    errno != EINPROGRESS) {
		conn_fail(c, strerror(errno));
		return;
	}
	ep_set(c, EPOLLOUT);
}

static void
conn_connected(struct conn *c)
{
	int		err = 0;
	socklen_t	len = sizeof(err);

	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err != 0) {
		conn_fail(c, strerror(err));
		return;
	}
	if ((c->ssl = SSL_new(B.ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
		conn_fail(c, "SSL_new");
		return;
	}
	SSL_set_connect_state(c->ssl);
	c->state = C_HANDSHAKE;
	conn_handshake(c);
}

static void
conn_event(struct conn *c, uint32_t ev)
{
	switch (c->state) {
	case C_CONNECTING:
		conn_connected(c);
		break;
	case C_HANDSHAKE:
		conn_handshake(c);
		break;
	case C_READY:
		if (ev & EPOLLOUT)
			conn_flush(c);
		if (c->state == C_READY && (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)))
			conn_read(c);
		break;
	default:
		break;
	}
}

static void
loop_once(int timeout_ms)
{
	struct epoll_event	evs[512];
	int			n = epoll_wait(B.ep, evs, 512, timeout_ms);

	for (int i = 0; i < n; i++)
		conn_event(evs[i].data.ptr, evs[i].events);
}

static void
conn_close(struct conn *c)
{
	if (c->state == C_READY) {
		(void)SSL_shutdown(c->ssl);	/* close_notify */
		SSL_free(c->ssl);
		close(c->fd);
		c->state = C_CLOSED;
	}
	free(c->in);
	free(c->out);
	free(c->ts);
	c->in = NULL;
	c->out = NULL;
	c->ts = NULL;
}

static double
percentile(uint64_t total, double q)
{
	uint64_t	want, acc = 0;

	if (total == 0)
		return 0;
	want = (uint64_t)((double)total * q);
	if (want >= total)
		want = total - 1;
	for (size_t i = 0; i < LAT_BUCKETS; i++) {
		acc += B.lat[i];
		if (acc > want)
			return bucket_us(i);
	}
	return bucket_us(LAT_BUCKETS - 1);
}

static int
parse_addr(char *s)
{
	char	*colon = strrchr(s, ':');

	if (colon == NULL)
		return -1;
	*colon = '\0';
	B.addr.sin_family = AF_INET;
	B.addr.sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, s, &B.addr.sin_addr) == 1 ? 0 : -1;
}

static SSL_CTX *
ctx_new(void)
{
	SSL_CTX	*ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL ||
	    !SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_ciphersuites(ctx, B.suites) ||
	    !SSL_CTX_set1_groups_list(ctx, B.groups)) {
		ERR_print_errors_fp(stderr);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
	return ctx;
}

/* One connection, one OPTIONS, closed: warms up the relay's lazy state. */
static bool
warmup_one(void)
{
	struct conn	 w = { .fd = -1, .id = 999999 };
	struct conn	*saved = B.c;
	unsigned	 saved_n = B.n;
	double		 deadline = (double)now_ns() / 1e9 + 10;
	bool		 ok;

	B.c = &w;
	B.n = 1;
	w.ts = calloc(B.k, sizeof(*w.ts));
	conn_start(&w);
	while ((w.state == C_CONNECTING || w.state == C_HANDSHAKE) &&
	    (double)now_ns() / 1e9 < deadline)
		loop_once(100);
	B.traffic = true;
	B.limit = 1;
	conn_more(&w);
	while (w.state == C_READY && w.recvd < 1 && (double)now_ns() / 1e9 < deadline)
		loop_once(100);
	ok = w.state == C_READY && w.recvd == 1;
	B.traffic = false;
	conn_close(&w);
	if (ok) {
		B.established--;	/* not one of the N */
	}
	B.c = saved;
	B.n = saved_n;
	return ok;
}

static void
usage(void)
{
	fprintf(stderr, "usage: sip_bench -c addr:port [-n conns] [-k inflight] "
	    "[-m options|invite] [-W warmup_s] [-D measure_s] [-P relay_pid] "
	    "[-I settle_s] [-w window] [-T timeout_s] [-C tls13_suites] [-G groups]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct rlimit	 rl;
	double		 deadline, t0, t_hs, cpu0 = -1, cpu1 = -1;
	uint64_t	 m0, m1, total_lat = 0;
	long		 rss0 = -1, rss1 = -1;
	unsigned	 next = 0, ready = 0;
	char		 probe[4096];
	const char	*cipher = "-", *group = "-";
	int		 ch, rc;

	while ((ch = getopt(argc, argv, "c:n:k:m:W:D:P:I:w:T:C:G:")) != -1) {
		switch (ch) {
		case 'c':
			if (parse_addr(optarg) == -1)
				usage();
			break;
		case 'n': B.n = (unsigned)atoi(optarg); break;
		case 'k': B.k = (unsigned)atoi(optarg); break;
		case 'm':
			if (strcmp(optarg, "invite") == 0)
				B.invite = true;
			else if (strcmp(optarg, "options") != 0)
				usage();
			break;
		case 'W': B.warmup_s = atof(optarg); break;
		case 'D': B.measure_s = atof(optarg); break;
		case 'P': B.relay_pid = atoi(optarg); break;
		case 'I': B.idle = true; B.settle_s = atof(optarg); break;
		case 'w': B.window = (unsigned)atoi(optarg); break;
		case 'T': B.timeout_s = atof(optarg); break;
		case 'C': B.suites = optarg; break;
		case 'G': B.groups = optarg; break;
		default: usage();
		}
	}
	if (B.addr.sin_family == 0 || B.n == 0 || B.k == 0 || B.window == 0)
		usage();
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	if ((B.ctx = ctx_new()) == NULL)
		return 1;
	B.ep = epoll_create1(EPOLL_CLOEXEC);
	B.lat = calloc(LAT_BUCKETS, sizeof(*B.lat));
	B.c = calloc(B.n, sizeof(*B.c));
	if (B.lat == NULL || B.c == NULL)
		return 1;
	for (unsigned i = 0; i < B.n; i++) {
		B.c[i].id = i;
		B.c[i].fd = -1;
		if ((B.c[i].ts = calloc(B.k, sizeof(*B.c[i].ts))) == NULL)
			return 1;
	}
	/* the longest request this run makes: ids and CSeqs of many digits */
	if ((rc = request_build(probe, sizeof(probe), B.n + 999999,
	    UINT64_C(99999999999))) < 0) {
		fprintf(stderr, "sip_bench: a request does not fit its size\n");
		return 1;
	}
	printf("request_bytes %d\n", rc);

	t0 = (double)now_ns() / 1e9;
	deadline = t0 + B.timeout_s;
	if (B.idle) {
		if (!warmup_one()) {
			fprintf(stderr, "sip_bench: the warm-up connection failed\n");
			return 1;
		}
		usleep(200 * 1000);
		rss0 = proc_rss_kb(B.relay_pid);
	}
	/* handshakes, a window at a time */
	while (B.established + B.failed < B.n && (double)now_ns() / 1e9 < deadline) {
		while (next < B.n && B.pending < B.window)
			conn_start(&B.c[next++]);
		loop_once(100);
	}
	t_hs = (double)now_ns() / 1e9;
	for (unsigned i = 0; i < B.n; i++)
		if (B.c[i].state == C_READY) {
			const SSL_CIPHER	*sc = SSL_get_current_cipher(B.c[i].ssl);
			int			 nid = SSL_get_negotiated_group(B.c[i].ssl);

			cipher = sc != NULL ? SSL_CIPHER_get_name(sc) : "-";
			group = nid != 0 ? OBJ_nid2sn(nid) : "-";
			printf("tls %s/%s/%s\n", SSL_get_version(B.c[i].ssl), cipher, group);
			break;
		}
	printf("established %u\nfailed %u\nhandshake_s %.2f\n", B.established,
	    B.failed, t_hs - t0);
	fflush(stdout);

	if (B.idle) {
		uint64_t	answered = 0;

		B.traffic = true;
		B.limit = 1;
		for (unsigned i = 0; i < B.n; i++)
			conn_more(&B.c[i]);
		for (;;) {
			answered = 0;
			for (unsigned i = 0; i < B.n; i++)
				answered += B.c[i].state == C_READY && B.c[i].recvd >= 1;
			if (answered >= B.established || (double)now_ns() / 1e9 >= deadline)
				break;
			loop_once(100);
		}
		/* idle: nothing is sent; keep reading (tickets, keep-alives) */
		for (double until = (double)now_ns() / 1e9 + B.settle_s;
		    (double)now_ns() / 1e9 < until; )
			loop_once(100);
		rss1 = proc_rss_kb(B.relay_pid);
		for (unsigned i = 0; i < B.n; i++)
			ready += B.c[i].state == C_READY;
		printf("answered %" PRIu64 "\nheld %u\nrss_before_kb %ld\nrss_idle_kb %ld\n",
		    answered, ready, rss0, rss1);
		if (rss0 >= 0 && rss1 >= 0 && ready > 0)
			printf("rss_per_conn_kb %.2f\n", (double)(rss1 - rss0) / ready);
		rc = B.failed == 0 && B.established == B.n && answered == B.n &&
		    B.lost_order == 0 && B.unexpected == 0 ? 0 : 1;
		goto out;
	}

	/* traffic: warm up, then measure over a window */
	B.traffic = true;
	B.limit = UINT64_MAX;
	for (unsigned i = 0; i < B.n; i++)
		conn_more(&B.c[i]);
	m0 = now_ns() + (uint64_t)(B.warmup_s * 1e9);
	while (now_ns() < m0)
		loop_once(50);
	cpu0 = proc_cpu_s(B.relay_pid);
	m0 = now_ns();
	for (unsigned i = 0; i < B.n; i++)
		B.c[i].recvd0 = B.c[i].recvd;
	B.measuring = true;
	m1 = m0 + (uint64_t)(B.measure_s * 1e9);
	while (now_ns() < m1 && B.established > B.failed)
		loop_once(50);
	m1 = now_ns();
	cpu1 = proc_cpu_s(B.relay_pid);
	B.measuring = false;
	{
		double	secs = (double)(m1 - m0) / 1e9;
		double	msgs = (double)(B.m_req + B.m_resp);

		for (size_t i = 0; i < LAT_BUCKETS; i++)
			total_lat += B.lat[i];
		printf("measure_s %.3f\ntransactions %" PRIu64 "\nmessages %.0f\n"
		    "transactions_per_s %.0f\nmessages_per_s %.0f\n",
		    secs, B.m_resp, msgs, (double)B.m_resp / secs, msgs / secs);
		printf("response_bytes_avg %.0f\n",
		    B.m_resp ? (double)B.m_bytes_in / (double)B.m_resp : 0.0);
		if (cpu0 >= 0 && cpu1 >= 0) {
			printf("relay_cpu_s %.2f\nrelay_cpu_pct %.0f\n", cpu1 - cpu0,
			    100.0 * (cpu1 - cpu0) / secs);
			if (cpu1 > cpu0)
				printf("messages_per_relay_cpu_s %.0f\n", msgs / (cpu1 - cpu0));
		}
		printf("lat_p10_us %.0f\nlat_p25_us %.0f\nlat_p75_us %.0f\n"
		    "lat_p90_us %.0f\nlat_p95_us %.0f\n", percentile(total_lat, 0.10),
		    percentile(total_lat, 0.25), percentile(total_lat, 0.75),
		    percentile(total_lat, 0.90), percentile(total_lat, 0.95));
		printf("lat_p50_us %.0f\nlat_p99_us %.0f\nlat_p999_us %.0f\nlat_max_us %"
		    PRIu64 "\n", percentile(total_lat, 0.50), percentile(total_lat, 0.99),
		    percentile(total_lat, 0.999), B.lat_max);
		conn_spread_print();
	}
	for (unsigned i = 0; i < B.n; i++)
		ready += B.c[i].state == C_READY;
	printf("held %u\n", ready);
	rc = B.failed == 0 && B.established == B.n && B.m_resp > 0 &&
	    B.lost_order == 0 && B.unexpected == 0 ? 0 : 1;
out:
	printf("out_of_order %" PRIu64 "\nunexpected %" PRIu64 "\nlatency_over_10s %"
	    PRIu64 "\n", B.lost_order, B.unexpected, B.overflow);
	fflush(stdout);
	for (unsigned i = 0; i < B.n; i++)
		conn_close(&B.c[i]);
	free(B.c);
	free(B.lat);
	SSL_CTX_free(B.ctx);
	return rc;
}
