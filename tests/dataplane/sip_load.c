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

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "dataplane/sipframe.h"
#include "tls_client.h"

struct lconn {
	struct tls_conn	 tc;
	struct sipframe	 fr;
};

static struct {
	unsigned		 n, k, window;
	uint64_t		 r;
	size_t			 body;
	unsigned		 hold_s, timeout_s;
	bool			 traffic;
	bool			 reset;
	struct tls_client	 tc;
	struct lconn		*c;
	uint64_t		 requests, responses, bad;
	char			*bodybuf;
} L = {
	.n = 1, .k = 1, .r = 1, .window = 256, .timeout_s = 300,
	/* the first receive buffer stays between reads: no allocation per wake-up */
	.tc = { .prog = "sip_load", .in_keep = IOBUF_READ_FIRST },
};

static double
now_s(void)
{
	return (double)tls_client_now_ns() / 1e9;
}

static void
request_add(struct tls_conn *c)
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
	if (n > 0 && (size_t)n < sizeof(msg) &&
	    iobuf_append(&c->out, msg, (size_t)n, 8192) == 0) {
		c->sent++;
		L.requests++;
	}
}

static void
conn_more(struct tls_conn *c)
{
	if (!L.traffic || c->state != TLS_CONN_READY)
		return;
	while (c->sent < L.r && c->sent - c->recvd < L.k)
		request_add(c);
	tls_conn_flush(&L.tc, c);
}

static bool
conn_frame(struct tls_conn *c, uint64_t rx_ns)
{
	struct sipframe	*fr = &tls_conn_owner(c, struct lconn, tc)->fr;
	const uint8_t	*in = c->in.data;
	size_t		 off = 0, msglen;
	const char	*reason;

	while (off < c->in.len) {
		switch (sipframe_next(fr, in + off, c->in.len - off, &msglen, &reason)) {
		case SIPFRAME_MORE:
			goto keep;
		case SIPFRAME_MESSAGE:
			if (msglen >= 12 && memcmp(in + off, "SIP/2.0 200 ", 12) == 0) {
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
	iobuf_consume(&c->in, off);
	return true;
}

static bool
traffic_done(void)
{
	for (unsigned i = 0; i < L.n; i++)
		if (L.c[i].tc.state == TLS_CONN_READY && L.c[i].tc.recvd < L.r)
			return false;
	return true;
}

static unsigned
conns_ready(void)
{
	unsigned	n = 0;

	for (unsigned i = 0; i < L.n; i++)
		n += L.c[i].tc.state == TLS_CONN_READY;
	return n;
}

static void
conns_init(void)
{
	for (unsigned i = 0; i < L.n; i++) {
		L.c[i].tc.id = i;
		L.c[i].tc.fd = -1;
		sipframe_init(&L.c[i].fr, 0, 0);
	}
}

int
main(int argc, char *argv[])
{
	sigset_t		 sigs;
	double			 t0, t1, t2, deadline;
	unsigned		 next = 0;
	int			 ch;

	while ((ch = getopt(argc, argv, "c:n:k:r:s:w:H:T:X")) != -1) {
		switch (ch) {
		case 'c':
			if (tls_client_target_parse(&L.tc, optarg) == -1)
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
	if (L.tc.addr.sin_family == 0 || L.n == 0 || L.k == 0 || L.body > 65000)
		return 2;
	if ((L.bodybuf = malloc(L.body + 1)) == NULL)
		return 1;
	memset(L.bodybuf, 'b', L.body);
	L.bodybuf[L.body] = '\0';
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	L.tc.input = conn_frame;
	L.tc.refill = conn_more;
	if ((L.tc.ctx = tls_client_ctx_new()) == NULL || tls_client_open(&L.tc) == -1)
		return 1;
	tls_client_stop_on(&L.tc, signalfd(-1, &sigs, SFD_CLOEXEC));
	if ((L.c = calloc(L.n, sizeof(*L.c))) == NULL)
		return 1;
	conns_init();

	t0 = now_s();
	deadline = t0 + L.timeout_s;
	/* handshakes, a window at a time: the relay's accept queue stays short */
	while (L.tc.established + L.tc.failed < L.n && now_s() < deadline) {
		while (next < L.n && L.tc.pending < L.window)
			tls_conn_start(&L.tc, &L.c[next++].tc);
		if (!tls_client_poll(&L.tc, 100))
			break;
	}
	t1 = now_s();
	printf("established %u\nfailed %u\nhandshake_s %.2f\n", L.tc.established,
	    L.tc.failed, t1 - t0);
	fflush(stdout);

	L.traffic = true;
	for (unsigned i = 0; i < L.n; i++)
		conn_more(&L.c[i].tc);
	while (!traffic_done() && now_s() < deadline)
		if (!tls_client_poll(&L.tc, 100))
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
		while (now_s() < deadline && tls_client_poll(&L.tc, 200))
			;
	}
	for (unsigned i = 0; i < L.n; i++)
		tls_conn_close(&L.c[i].tc, L.reset);
	printf("closed\n");
	free(L.c);
	free(L.bodybuf);
	tls_client_close(&L.tc);
	return L.tc.failed == 0 && L.tc.established == L.n &&
	    L.responses == L.requests && L.requests == (uint64_t)L.n * L.r &&
	    L.bad == 0 ? 0 : 1;
}
