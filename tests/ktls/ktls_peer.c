/*
 * ktls_peer: one real TLS connection (server or client) through the ktls/
 * library: OpenSSL handshake, ktls_offload(), SSL_free once fully offloaded,
 * then data through the kernel socket (or SSL_read/SSL_write on fallback).
 *
 *   ktls_peer server --listen 0 --cert C --key K [--echo BYTES] ...
 *   ktls_peer client --connect PORT [--send 300,1048576 | --lines N] ...
 *
 * Prints "port N" once listening, then one "offload:" line, one "event:" line
 * per control record, and "result:" lines the tests grep. Exit 0 on success.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "ktls/ktls.h"

struct opts {
	bool		 server;
	int		 port;
	int		 version;		/* TLS1_2_VERSION, TLS1_3_VERSION */
	const char	*cipher;
	const char	*cert, *key;
	int		 tickets;
	bool		 manual;		/* no SSL_OP_ENABLE_KTLS */
	bool		 read_ahead;
	enum ktls_mode	 mode;
	size_t		 echo_bytes;		/* server: stop after echoing */
	const char	*send;			/* client: message sizes */
	size_t		 lines;			/* client: s_server -rev lines */
	enum { END_CLOSE_NOTIFY, END_ALERT, END_WAIT } end;
	bool		 diag;
	bool		 expect_offload;
};

/* One connection: the kernel socket, and the SSL while it is still needed. */
struct peer {
	int		 fd;
	SSL		*ssl;			/* NULL once fully offloaded */
	struct ktls_keys *keys;
	struct ktls_counters counters;
	unsigned char	*pending;		/* drained by ktls_offload() */
	size_t		 pending_len, pending_off;
	bool		 closed;		/* peer ended the connection */
};

static void
die(const char *what)
{
	fprintf(stderr, "ktls_peer: %s: %s\n", what, strerror(errno));
	ERR_print_errors_fp(stderr);
	exit(1);
}

static void
fail(const char *what)
{
	fprintf(stderr, "ktls_peer: FAIL: %s\n", what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

static int
tcp_listen(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port),
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 1) < 0)
		die("bind/listen");
	if (getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		die("getsockname");
	printf("port %u\n", ntohs(sin.sin_port));
	return fd;
}

static int
tcp_connect(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port),
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die("connect");
	return fd;
}

static SSL_CTX *
ctx_new(const struct opts *o)
{
	SSL_CTX *ctx = SSL_CTX_new(o->server ? TLS_server_method() :
	    TLS_client_method());

	if (ctx == NULL)
		fail("SSL_CTX_new");
	SSL_CTX_set_min_proto_version(ctx, o->version);
	SSL_CTX_set_max_proto_version(ctx, o->version);
	if (o->cipher != NULL && o->version == TLS1_3_VERSION &&
	    !SSL_CTX_set_ciphersuites(ctx, o->cipher))
		fail("SSL_CTX_set_ciphersuites");
	if (o->cipher != NULL && o->version == TLS1_2_VERSION &&
	    !SSL_CTX_set_cipher_list(ctx, o->cipher))
		fail("SSL_CTX_set_cipher_list");
	if (o->server && (SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, o->key, SSL_FILETYPE_PEM) != 1))
		fail("loading certificate/key");
	SSL_CTX_set_num_tickets(ctx, (size_t)o->tickets);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_read_ahead(ctx, o->read_ahead);
	if (ktls_keylog_attach(ctx) < 0 || ktls_mode_set(ctx, o->mode) < 0)
		fail("ktls_keylog_attach");
	/* --manual: OpenSSL does not offload, the library installs both ways */
	if (o->manual)
		SSL_CTX_clear_options(ctx, SSL_OP_ENABLE_KTLS);
	return ctx;
}

static size_t
heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks;
}

/* The hand-off, exactly as the handshake engine will do it. */
static void
offload(struct peer *p, const struct opts *o, const struct ktls_probe *kp)
{
	struct ktls_result res;
	char line[512];
	size_t before, after;
	int ret;

	ret = ktls_offload(p->ssl, p->fd, kp, &res);
	ktls_result_format(&res, line, sizeof(line));
	printf("offload: %s\n", line);
	if (ret < 0) {
		printf("result: offload refused (%s)\n", strerror(-ret));
		ktls_result_release(&res);
		exit(3);
	}
	p->pending = res.kr_drained;
	p->pending_len = res.kr_drained_len;
	res.kr_drained = NULL;
	p->keys = res.kr_keys;
	res.kr_keys = NULL;
	if (!ktls_result_full(&res)) {
		printf("result: userspace TLS (tx %s, rx %s)\n",
		    ktls_path_name(res.kr_tx.kd_path),
		    ktls_path_name(res.kr_rx.kd_path));
		if (o->expect_offload)
			fail("expected a full offload");
		return;
	}
	/* full offload: the kernel owns the record layer, the SSL goes */
	before = heap_in_use();
	SSL_free(p->ssl);
	p->ssl = NULL;
	after = heap_in_use();
	printf("result: offloaded tx=%s rx=%s\n",
	    res.kr_tx.kd_path == KTLS_PATH_OPENSSL ? "openssl" : "installed",
	    res.kr_rx.kd_path == KTLS_PATH_OPENSSL ? "openssl" : "installed");
	printf("memory: SSL_free released %zu bytes; the connection keeps "
	    "%zu bytes (ktls_keys)\n", before - after,
	    p->keys ? malloc_usable_size(p->keys) : (size_t)0);
}

static void
diag_check(const struct peer *p, const struct opts *o)
{
	struct ktls_diag kg;
	char line[256];
	int ret;

	if (!o->diag || p->ssl != NULL)
		return;
	if ((ret = ktls_diag_query(p->fd, &kg)) < 0) {
		printf("diag: query failed: %s\n", strerror(-ret));
		return;
	}
	ktls_diag_format(&kg, line, sizeof(line));
	printf("diag: %s\n", line);
}

/* Reads plaintext: drained bytes first, then the SSL or the kernel socket.
 * Returns bytes, 0 when the peer ended the connection, -EAGAIN with
 * nonblock and nothing there. Control records are handled here. */
static ssize_t
peer_read(struct peer *p, void *buf, size_t len, bool nonblock)
{
	if (p->pending_off < p->pending_len) {
		size_t n = p->pending_len - p->pending_off;

		n = n < len ? n : len;
		memcpy(buf, p->pending + p->pending_off, n);
		p->pending_off += n;
		return (ssize_t)n;
	}
	for (;;) {
		unsigned char cbuf[KTLS_CMSG_SPACE];
		struct iovec iov = { .iov_base = buf, .iov_len = len };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
		    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct ktls_control ctl;
		ssize_t n;
		int type;

		if (p->ssl != NULL) {
			struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
			int r;

			if (nonblock && !SSL_has_pending(p->ssl) && poll(&pfd, 1, 0) == 0)
				return -EAGAIN;
			r = SSL_read(p->ssl, buf, (int)len);
			if (r > 0)
				return r;
			if (nonblock && SSL_get_error(p->ssl, r) == SSL_ERROR_WANT_READ)
				return -EAGAIN;
			if (SSL_get_error(p->ssl, r) == SSL_ERROR_ZERO_RETURN) {
				printf("event: close_notify from peer (userspace)\n");
				return 0;
			}
			printf("event: SSL_read failed (userspace)\n");
			ERR_print_errors_fp(stdout);
			return 0;
		}
		n = recvmsg(p->fd, &msg, nonblock ? MSG_DONTWAIT : 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return -EAGAIN;
		if (n < 0) {
			printf("event: recvmsg failed: %s\n", strerror(errno));
			return 0;
		}
		if (n == 0) {
			printf("event: TCP FIN without close_notify\n");
			return 0;
		}
		type = ktls_recv_parse(&msg);
		if (type < 0) {
			printf("event: bad record framing: %s\n", strerror(-type));
			return 0;
		}
		if (type == KTLS_RT_DATA)
			return n;
		ktls_control_handle(p->fd, (uint8_t)type, buf, (size_t)n, p->keys,
		    &ctl);
		ktls_counters_add(&p->counters, ctl.kc_event);
		printf("event: %s: %s\n", ktls_event_name(ctl.kc_event), ctl.kc_what);
		if (ctl.kc_close) {
			p->closed = true;
			return 0;
		}
	}
}

static void
peer_write(struct peer *p, const void *buf, size_t len)
{
	const unsigned char *b = buf;

	while (len > 0) {
		ssize_t n;

		if (p->ssl != NULL) {
			int r = SSL_write(p->ssl, b, (int)len);

			if (r <= 0)
				fail("SSL_write");
			n = r;
		} else if ((n = send(p->fd, b, len, MSG_NOSIGNAL)) < 0) {
			die("send");
		}
		b += n;
		len -= (size_t)n;
	}
}

/* Ends our side: close_notify (or a fatal alert) through the kernel or
 * OpenSSL. */
static void
peer_end(struct peer *p, const struct opts *o)
{
	int ret = 0;

	if (p->ssl != NULL) {
		if (o->end == END_ALERT)
			printf("note: alert not sent on the userspace path\n");
		else if (o->end == END_CLOSE_NOTIFY)
			SSL_shutdown(p->ssl);
	} else if (o->end == END_ALERT) {
		ret = ktls_send_alert(p->fd, SSL_AD_INTERNAL_ERROR);
		printf("sent: fatal alert internal_error\n");
	} else if (o->end == END_CLOSE_NOTIFY) {
		ret = ktls_send_close_notify(p->fd);
		printf("sent: close_notify\n");
	}
	if (ret < 0)
		printf("note: sending the closing record failed: %s\n",
		    strerror(-ret));
	shutdown(p->fd, SHUT_WR);
}

static void
records_report(const struct peer *p)
{
	uint64_t tx, rx;

	if (p->ssl != NULL)
		return;
	if (ktls_tx_records(p->fd, &tx) == 0 && ktls_rx_records(p->fd, &rx) == 0)
		printf("records: tx rec_seq %llu, rx rec_seq %llu\n",
		    (unsigned long long)tx, (unsigned long long)rx);
}

/* One non-blocking write: bytes written or -EAGAIN. */
static ssize_t
peer_write_some(struct peer *p, const void *buf, size_t len)
{
	ssize_t n;

	if (p->ssl != NULL) {
		int r = SSL_write(p->ssl, buf, (int)len);

		if (r > 0)
			return r;
		if (SSL_get_error(p->ssl, r) == SSL_ERROR_WANT_WRITE)
			return -EAGAIN;
		fail("SSL_write");
	}
	n = send(p->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -EAGAIN;
	if (n < 0)
		die("send");
	return n;
}

/*
 * Server: echo until echo_bytes came in or the peer ended. Non-blocking
 * with a growing backlog, so a peer that writes everything before it reads
 * (gnutls-cli with 1 MiB on stdin) cannot deadlock against us.
 */
static int
run_echo(struct peer *p, const struct opts *o)
{
	unsigned char *backlog = NULL;
	size_t total = 0, blen = 0, boff = 0, cap = 0;
	bool reading = true;

	fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK);
	if (p->ssl != NULL)
		SSL_set_mode(p->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE |
		    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	while (reading || boff < blen) {
		struct pollfd pfd = { .fd = p->fd,
		    .events = (reading ? POLLIN : 0) | (boff < blen ? POLLOUT : 0) };
		ssize_t n;

		if (boff < blen && (n = peer_write_some(p, backlog + boff,
		    blen - boff)) > 0) {
			boff += (size_t)n;
			continue;
		}
		if (reading) {
			if (cap - blen < 16384) {
				if ((backlog = realloc(backlog, cap + 65536)) == NULL)
					die("realloc");
				cap += 65536;
			}
			n = peer_read(p, backlog + blen, 16384, true);
			if (n > 0) {
				blen += (size_t)n;
				total += (size_t)n;
				if (o->echo_bytes && total >= o->echo_bytes)
					reading = false;
				continue;
			}
			if (n == 0)
				reading = false;
			if (n != -EAGAIN)
				continue;
		}
		if (p->ssl == NULL || !SSL_has_pending(p->ssl))
			poll(&pfd, 1, 1000);
	}
	free(backlog);
	fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) & ~O_NONBLOCK);
	records_report(p);
	printf("result: echoed %zu bytes\n", total);
	if (!p->closed)
		peer_end(p, o);
	else if (p->ssl == NULL && (p->counters.kc_events[KTLS_EV_CLOSE_NOTIFY] ||
	    p->counters.kc_events[KTLS_EV_KEYUPDATE_CLOSE]))
		/* answer an orderly close; after a KeyUpdate our TX key is
		 * still the one the peer expects */
		ktls_send_close_notify(p->fd);
	return o->echo_bytes && total < o->echo_bytes && !p->closed ? 1 : 0;
}

static unsigned char
pattern(size_t i)
{
	return (unsigned char)('A' + (i * 7 + i / 251) % 26);
}

/* Sends len bytes in 16 KiB pieces and reads what comes back in between,
 * so neither side blocks with full buffers; checks the echo byte for byte
 * against what the expect callback says it must be. */
static int
exchange(struct peer *p, const unsigned char *out, size_t len,
    unsigned char (*expect)(const unsigned char *, size_t, size_t))
{
	static unsigned char buf[16384];
	size_t sent = 0, got = 0;

	while (got < len) {
		ssize_t n;

		if (sent < len) {
			size_t chunk = len - sent < sizeof(buf) ? len - sent : sizeof(buf);

			peer_write(p, out + sent, chunk);
			sent += chunk;
		}
		while (got < len) {
			n = peer_read(p, buf, sizeof(buf), sent < len);
			if (n == -EAGAIN)
				break;
			if (n <= 0) {
				printf("result: connection ended after %zu of %zu bytes\n",
				    got, len);
				return 1;
			}
			for (ssize_t i = 0; i < n; i++, got++)
				if (buf[i] != expect(out, len, got)) {
					printf("result: byte %zu differs\n", got);
					return 1;
				}
		}
	}
	return 0;
}

static unsigned char
expect_echo(const unsigned char *out, size_t len, size_t i)
{
	return out[i];
}

/* s_server -rev answers each line reversed, with "\n". Lines are
 * fixed-size here, so the reply for byte i is computable. */
#define LINE_LEN	64
static unsigned char
expect_reversed(const unsigned char *out, size_t len, size_t i)
{
	size_t line = i / LINE_LEN, col = i % LINE_LEN;

	if (col == LINE_LEN - 1)
		return '\n';
	return out[line * LINE_LEN + (LINE_LEN - 2 - col)];
}

static int
run_client(struct peer *p, const struct opts *o)
{
	unsigned char *out;
	size_t i, len, total = 0;
	int ret = 0;

	if (o->lines > 0) {
		len = o->lines * LINE_LEN;
		if ((out = malloc(len)) == NULL)
			die("malloc");
		for (i = 0; i < len; i++)
			out[i] = i % LINE_LEN == LINE_LEN - 1 ? '\n' : pattern(i);
		ret = exchange(p, out, len, expect_reversed);
		total = len;
		free(out);
	} else if (o->send != NULL) {
		const char *s = o->send;

		while (ret == 0 && *s != '\0') {
			char *end;

			len = strtoul(s, &end, 10);
			if ((out = malloc(len ? len : 1)) == NULL)
				die("malloc");
			/* newline-terminated lines: gnutls-serv --echo
			 * answers line by line */
			for (i = 0; i < len; i++)
				out[i] = i % LINE_LEN == LINE_LEN - 1 || i == len - 1 ?
				    '\n' : pattern(i + total);
			ret = exchange(p, out, len, expect_echo);
			total += len;
			free(out);
			s = *end == ',' ? end + 1 : end;
		}
	}
	records_report(p);
	printf("result: %s %zu bytes both ways\n", ret ? "FAILED after" :
	    "exchanged", total);
	if (o->end == END_WAIT) {
		unsigned char buf[256];

		while (peer_read(p, buf, sizeof(buf), false) > 0)
			;
		printf("result: peer ended the connection\n");
		if (p->ssl == NULL && p->counters.kc_events[KTLS_EV_CLOSE_NOTIFY])
			ktls_send_close_notify(p->fd);
	} else {
		peer_end(p, o);
	}
	return ret;
}

static void
usage(void)
{
	fprintf(stderr, "usage: ktls_peer server|client [--listen PORT] "
	    "[--connect PORT] [--tls 1.2|1.3] [--cipher NAME] [--cert F --key F]\n"
	    "  [--tickets N] [--manual] [--read-ahead] "
	    "[--mode off|preferred|required]\n"
	    "  [--echo BYTES] [--send SIZES] [--lines N] "
	    "[--end close|alert|wait] [--diag] [--expect-offload]\n");
	exit(2);
}

static void
opts_parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "connect", required_argument, NULL, 'c' },
		{ "tls", required_argument, NULL, 'v' },
		{ "cipher", required_argument, NULL, 'C' },
		{ "cert", required_argument, NULL, 'e' },
		{ "key", required_argument, NULL, 'k' },
		{ "tickets", required_argument, NULL, 't' },
		{ "manual", no_argument, NULL, 'm' },
		{ "read-ahead", no_argument, NULL, 'r' },
		{ "mode", required_argument, NULL, 'M' },
		{ "echo", required_argument, NULL, 'E' },
		{ "send", required_argument, NULL, 's' },
		{ "lines", required_argument, NULL, 'L' },
		{ "end", required_argument, NULL, 'x' },
		{ "diag", no_argument, NULL, 'd' },
		{ "expect-offload", no_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	if (argc < 2)
		usage();
	memset(o, 0, sizeof(*o));
	o->server = strcmp(argv[1], "server") == 0;
	if (!o->server && strcmp(argv[1], "client") != 0)
		usage();
	o->version = TLS1_3_VERSION;
	o->tickets = 2;
	o->mode = KTLS_MODE_PREFERRED;
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l': case 'c': o->port = atoi(optarg); break;
		case 'v': o->version = strcmp(optarg, "1.2") == 0 ?
		    TLS1_2_VERSION : TLS1_3_VERSION; break;
		case 'C': o->cipher = optarg; break;
		case 'e': o->cert = optarg; break;
		case 'k': o->key = optarg; break;
		case 't': o->tickets = atoi(optarg); break;
		case 'm': o->manual = true; break;
		case 'r': o->read_ahead = true; break;
		case 'M': o->mode = strcmp(optarg, "off") == 0 ? KTLS_MODE_OFF :
		    strcmp(optarg, "required") == 0 ? KTLS_MODE_REQUIRED :
		    KTLS_MODE_PREFERRED; break;
		case 'E': o->echo_bytes = strtoul(optarg, NULL, 10); break;
		case 's': o->send = optarg; break;
		case 'L': o->lines = strtoul(optarg, NULL, 10); break;
		case 'x': o->end = strcmp(optarg, "alert") == 0 ? END_ALERT :
		    strcmp(optarg, "wait") == 0 ? END_WAIT : END_CLOSE_NOTIFY; break;
		case 'd': o->diag = true; break;
		case 'o': o->expect_offload = true; break;
		default: usage();
		}
	}
	if (o->server && (o->cert == NULL || o->key == NULL))
		usage();
}

/* KTLS_PEER_SKEW_TX / _RX: shift the record numbers the library installs,
 * so a test can prove that a wrong rec_seq fails (bad_record_mac). */
static void
skew_from_env(void)
{
	const char *tx = getenv("KTLS_PEER_SKEW_TX"), *rx = getenv("KTLS_PEER_SKEW_RX");

	if (tx != NULL || rx != NULL)
		ktls_test_rec_seq_skew(tx ? (unsigned)atoi(tx) : 0,
		    rx ? (unsigned)atoi(rx) : 0);
}

static int
dump_print(const struct ktls_diag *kg, void *arg)
{
	char line[256];

	ktls_diag_format(kg, line, sizeof(line));
	printf("dump: %s\n", line);
	(*(int *)arg)++;
	return 0;
}

/* "ktls_peer dump": every TCP socket with the tls ULP, one netlink dump. */
static int
run_dump(void)
{
	int n = 0, ret = ktls_diag_dump(dump_print, &n);

	printf("dump: %d tls sockets%s%s\n", n, ret ? ", error: " : "",
	    ret ? strerror(-ret) : "");
	return ret ? 1 : 0;
}

int
main(int argc, char **argv)
{
	struct ktls_probe kp;
	struct opts o;
	struct peer p = { .fd = -1 };
	char line[512];
	SSL_CTX *ctx;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);	/* OpenSSL's socket BIO writes without MSG_NOSIGNAL */
	if (argc == 2 && strcmp(argv[1], "dump") == 0)
		return run_dump();
	opts_parse(argc, argv, &o);
	skew_from_env();
	ktls_probe_run(&kp);
	ktls_probe_format(&kp, line, sizeof(line));
	printf("probe: %s\n", line);
	ctx = ctx_new(&o);
	if (o.server) {
		int lfd = tcp_listen(o.port);

		if ((p.fd = accept(lfd, NULL, NULL)) < 0)
			die("accept");
		close(lfd);
	} else {
		p.fd = tcp_connect(o.port);
	}
	if ((p.ssl = SSL_new(ctx)) == NULL || !SSL_set_fd(p.ssl, p.fd))
		fail("SSL_new");
	if ((o.server ? SSL_accept(p.ssl) : SSL_connect(p.ssl)) != 1)
		fail("handshake");
	printf("handshake: %s %s\n", SSL_get_version(p.ssl),
	    SSL_CIPHER_get_name(SSL_get_current_cipher(p.ssl)));
	offload(&p, &o, &kp);
	diag_check(&p, &o);
	ret = o.server ? run_echo(&p, &o) : run_client(&p, &o);
	for (int ev = 1; ev < KTLS_EV_COUNT; ev++)
		if (p.counters.kc_events[ev])
			printf("count: %s %llu\n", ktls_event_name(ev),
			    (unsigned long long)p.counters.kc_events[ev]);
	SSL_free(p.ssl);
	SSL_CTX_free(ctx);
	ktls_keys_free(p.keys);
	free(p.pending);
	close(p.fd);
	return ret;
}
