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
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tls_client.h"

/* latency histogram: 1 us buckets up to 100 ms, then 100 us up to 10 s */
#define LAT_FINE	100000
#define LAT_BUCKETS	(LAT_FINE + (10000000 - LAT_FINE) / 100)

/* requests are numbered 1.. (CSeq): tc.sent and tc.recvd are the last ones */
struct bconn {
	struct tls_conn	 tc;
	uint64_t	 recvd0;	/* recvd when the measuring window opened */
	uint64_t	*ts;		/* send time (ns) of request seq, at seq % K */
};

static struct {
	unsigned		 n, k, window;
	bool			 invite;
	double			 warmup_s, measure_s, timeout_s, settle_s;
	bool			 idle;
	int			 relay_pid;
	const char		*suites, *groups;
	struct tls_client	 tc;
	struct bconn		*c;
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
	/* an idle connection keeps no receive buffer, as a real client would */
	.tc = { .prog = "sip_bench", .in_keep = 0 },
};

static double
now_s(void)
{
	return (double)tls_client_now_ns() / 1e9;
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
request_add(struct tls_conn *c, uint64_t now)
{
	int	n;

	if (iobuf_reserve(&c->out, 2048, 4096, 0) == -1)
		return;
	c->sent++;
	if ((n = request_build((char *)c->out.data + c->out.len, 2048, c->id,
	    c->sent)) < 0) {
		c->sent--;
		return;
	}
	c->out.len += (size_t)n;
	tls_conn_owner(c, struct bconn, tc)->ts[c->sent % B.k] = now;
	if (B.measuring)
		B.m_req++;
}

static void
conn_more(struct tls_conn *c)
{
	uint64_t	now;

	if (!B.traffic || c->state != TLS_CONN_READY)
		return;
	if (c->sent < B.limit && c->sent - c->recvd < B.k) {
		now = tls_client_now_ns();
		while (c->sent < B.limit && c->sent - c->recvd < B.k)
			request_add(c, now);
	}
	tls_conn_flush(&B.tc, c);
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
		d = B.c[i].tc.recvd - B.c[i].recvd0;
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

/* one framed message: a 200 to the next request in order is timed while measuring */
static void
response_take(struct tls_conn *c, const uint8_t *m, size_t len, uint64_t now)
{
	uint64_t	seq;

	if (len < 12 || memcmp(m, "SIP/2.0 200 ", 12) != 0) {
		B.unexpected++;
		return;
	}
	c->recvd++;
	if ((seq = cseq_of(m, len)) != c->recvd || seq > c->sent) {
		B.lost_order++;
		return;
	}
	if (B.measuring) {
		B.m_resp++;
		B.m_bytes_in += (uint64_t)len;
		latency_add(now - tls_conn_owner(c, struct bconn, tc)->ts[seq % B.k]);
	}
}

static bool
conn_frame(struct tls_conn *c, uint64_t now)
{
	const uint8_t	*in = c->in.data;
	size_t		 off = 0;
	long		 m;

	while (off < c->in.len) {
		/* CRLF keep-alive answers, if any */
		if (in[off] == '\r' || in[off] == '\n') {
			off++;
			continue;
		}
		if ((m = sip_msg_len(in + off, c->in.len - off)) < 0)
			return false;
		if (m == 0)
			break;
		response_take(c, in + off, (size_t)m, now);
		off += (size_t)m;
	}
	iobuf_consume(&c->in, off);
	return true;
}

static void
conn_close(struct bconn *c)
{
	tls_conn_close(&c->tc, false);
	free(c->ts);
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

static SSL_CTX *
ctx_new(void)
{
	SSL_CTX	*ctx = tls_client_ctx_new();

	if (ctx == NULL ||
	    !SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_ciphersuites(ctx, B.suites) ||
	    !SSL_CTX_set1_groups_list(ctx, B.groups)) {
		ERR_print_errors_fp(stderr);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	return ctx;
}

/* One connection, one OPTIONS, closed: warms up the relay's lazy state. */
static bool
warmup_one(void)
{
	struct bconn	 w = { .tc = { .fd = -1, .id = 999999 } };
	struct bconn	*saved = B.c;
	unsigned	 saved_n = B.n;
	double		 deadline = now_s() + 10;
	bool		 ok;

	B.c = &w;
	B.n = 1;
	w.ts = calloc(B.k, sizeof(*w.ts));
	tls_conn_start(&B.tc, &w.tc);
	while ((w.tc.state == TLS_CONN_CONNECTING ||
	    w.tc.state == TLS_CONN_HANDSHAKE) && now_s() < deadline)
		tls_client_poll(&B.tc, 100);
	B.traffic = true;
	B.limit = 1;
	conn_more(&w.tc);
	while (w.tc.state == TLS_CONN_READY && w.tc.recvd < 1 && now_s() < deadline)
		tls_client_poll(&B.tc, 100);
	ok = w.tc.state == TLS_CONN_READY && w.tc.recvd == 1;
	B.traffic = false;
	conn_close(&w);
	if (ok) {
		B.tc.established--;	/* not one of the N */
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
			if (tls_client_target_parse(&B.tc, optarg) == -1)
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
	if (B.tc.addr.sin_family == 0 || B.n == 0 || B.k == 0 || B.window == 0)
		usage();
	signal(SIGPIPE, SIG_IGN);
	B.tc.input = conn_frame;
	B.tc.refill = conn_more;
	if ((B.tc.ctx = ctx_new()) == NULL || tls_client_open(&B.tc) == -1)
		return 1;
	B.lat = calloc(LAT_BUCKETS, sizeof(*B.lat));
	B.c = calloc(B.n, sizeof(*B.c));
	if (B.lat == NULL || B.c == NULL)
		return 1;
	for (unsigned i = 0; i < B.n; i++) {
		B.c[i].tc.id = i;
		B.c[i].tc.fd = -1;
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

	t0 = now_s();
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
	while (B.tc.established + B.tc.failed < B.n && now_s() < deadline) {
		while (next < B.n && B.tc.pending < B.window)
			tls_conn_start(&B.tc, &B.c[next++].tc);
		tls_client_poll(&B.tc, 100);
	}
	t_hs = now_s();
	for (unsigned i = 0; i < B.n; i++)
		if (B.c[i].tc.state == TLS_CONN_READY) {
			SSL			*ssl = B.c[i].tc.ssl;
			const SSL_CIPHER	*sc = SSL_get_current_cipher(ssl);
			int			 nid = SSL_get_negotiated_group(ssl);

			cipher = sc != NULL ? SSL_CIPHER_get_name(sc) : "-";
			group = nid != 0 ? OBJ_nid2sn(nid) : "-";
			printf("tls %s/%s/%s\n", SSL_get_version(ssl), cipher, group);
			break;
		}
	printf("established %u\nfailed %u\nhandshake_s %.2f\n", B.tc.established,
	    B.tc.failed, t_hs - t0);
	fflush(stdout);

	if (B.idle) {
		uint64_t	answered = 0;

		B.traffic = true;
		B.limit = 1;
		for (unsigned i = 0; i < B.n; i++)
			conn_more(&B.c[i].tc);
		for (;;) {
			answered = 0;
			for (unsigned i = 0; i < B.n; i++)
				answered += B.c[i].tc.state == TLS_CONN_READY &&
				    B.c[i].tc.recvd >= 1;
			if (answered >= B.tc.established || now_s() >= deadline)
				break;
			tls_client_poll(&B.tc, 100);
		}
		/* idle: nothing is sent; keep reading (tickets, keep-alives) */
		for (double until = now_s() + B.settle_s;
		    now_s() < until; )
			tls_client_poll(&B.tc, 100);
		rss1 = proc_rss_kb(B.relay_pid);
		for (unsigned i = 0; i < B.n; i++)
			ready += B.c[i].tc.state == TLS_CONN_READY;
		printf("answered %" PRIu64 "\nheld %u\nrss_before_kb %ld\nrss_idle_kb %ld\n",
		    answered, ready, rss0, rss1);
		if (rss0 >= 0 && rss1 >= 0 && ready > 0)
			printf("rss_per_conn_kb %.2f\n", (double)(rss1 - rss0) / ready);
		rc = B.tc.failed == 0 && B.tc.established == B.n && answered == B.n &&
		    B.lost_order == 0 && B.unexpected == 0 ? 0 : 1;
		goto out;
	}

	/* traffic: warm up, then measure over a window */
	B.traffic = true;
	B.limit = UINT64_MAX;
	for (unsigned i = 0; i < B.n; i++)
		conn_more(&B.c[i].tc);
	m0 = tls_client_now_ns() + (uint64_t)(B.warmup_s * 1e9);
	while (tls_client_now_ns() < m0)
		tls_client_poll(&B.tc, 50);
	cpu0 = proc_cpu_s(B.relay_pid);
	m0 = tls_client_now_ns();
	for (unsigned i = 0; i < B.n; i++)
		B.c[i].recvd0 = B.c[i].tc.recvd;
	B.measuring = true;
	m1 = m0 + (uint64_t)(B.measure_s * 1e9);
	while (tls_client_now_ns() < m1 && B.tc.established > B.tc.failed)
		tls_client_poll(&B.tc, 50);
	m1 = tls_client_now_ns();
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
		ready += B.c[i].tc.state == TLS_CONN_READY;
	printf("held %u\n", ready);
	rc = B.tc.failed == 0 && B.tc.established == B.n && B.m_resp > 0 &&
	    B.lost_order == 0 && B.unexpected == 0 ? 0 : 1;
out:
	printf("out_of_order %" PRIu64 "\nunexpected %" PRIu64 "\nlatency_over_10s %"
	    PRIu64 "\n", B.lost_order, B.unexpected, B.overflow);
	fflush(stdout);
	for (unsigned i = 0; i < B.n; i++)
		conn_close(&B.c[i]);
	free(B.c);
	free(B.lat);
	tls_client_close(&B.tc);
	return rc;
}
