/*
 * A stand-in control plane for the dataplane tests: accepts TLS itself
 * (blocking OpenSSL handshake, throwaway certificate), or for the outbound
 * direction accepts plain TCP and opens TLS towards a target, then attaches
 * each session to the dataplane. A unix control socket answers "counters",
 * "conns", "clear id N", "clear target ADDR:PORT" for the test scripts.
 *
 *   dp_driver -c cert -k key -l 127.0.0.1:0 -b 127.0.0.1:5060 [-u] [-p]
 *   dp_driver -c cert -k key -o 127.0.0.1:0 -s 127.0.0.1:5061
 *   dp_driver -C ctl.sock counters
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "dataplane/dataplane.h"
#include "log.h"

struct driver {
	struct dataplane	*dp;
	SSL_CTX			*server_ctx, *client_ctx;
	int			 tls_lfd, plain_lfd, ctl_fd, sig_fd;
	struct sockaddr_storage	 backend, target;
	int			 transport;
	bool			 proxy_v2;
	bool			 want_cert;
	unsigned		 tenant;
	unsigned		 next_id;
	const char		*sni;
	char			 ctl_path[108];
	unsigned		 handshake_failures;
	unsigned		 released;	/* Conn-Ids the dataplane gave back */
};

static _Noreturn void
usage(void)
{
	fprintf(stderr,
	    "usage: dp_driver -c cert -k key [-l addr:port -b addr:port [-u] [-p]]\n"
	    "                 [-o addr:port -s addr:port [-n sni]] [-C ctl.sock]\n"
	    "                 [-t threads] [-L limit] [-a aging_ms] [-T tick_ms]\n"
	    "                 [-g linger_ms] [-W wq_bytes] [-M wq_msgs] [-z zc_bytes]\n"
	    "                 [-e tenant] [-V] [-w wait_ms] [-v]\n"
	    "       dp_driver -C ctl.sock command...\n");
	exit(2);
}

/* "A:P" or "[A6]:P" into a sockaddr. */
static int
addr_parse(const char *s, struct sockaddr_storage *ss)
{
	char		 host[128];
	const char	*colon;
	size_t		 hl;
	unsigned long	 port;
	char		*end;

	memset(ss, 0, sizeof(*ss));
	if ((colon = strrchr(s, ':')) == NULL)
		return -1;
	hl = (size_t)(colon - s);
	if (s[0] == '[' && hl >= 2 && s[hl - 1] == ']') {
		s++;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || port > 65535)
		return -1;
	if (strchr(host, ':') != NULL) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		return inet_pton(AF_INET6, host, &a->sin6_addr) == 1 ? 0 : -1;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

static socklen_t
ss_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

static unsigned
ss_port(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ?
	    ntohs(((const struct sockaddr_in6 *)ss)->sin6_port) :
	    ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static int
listen_on(const char *spec, const char *what)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);
	int			fd, one = 1;

	if (addr_parse(spec, &ss) == -1)
		fatalx("bad %s address %s", what, spec);
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, ss_len(&ss)) == -1)
		fatal("bind %s", spec);
	if (listen(fd, 4096) == -1)
		fatal("listen");
	getsockname(fd, (struct sockaddr *)&ss, &len);
	printf("%s-port %u\n", what, ss_port(&ss));
	return fd;
}

static SSL_CTX *
ctx_new(const SSL_METHOD *m, const char *cert, const char *key)
{
	SSL_CTX	*ctx = SSL_CTX_new(m);

	if (ctx == NULL)
		fatalx("SSL_CTX_new");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (cert != NULL && (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)) {
		ERR_print_errors_fp(stderr);
		fatalx("cannot load %s / %s", cert, key);
	}
	/* what the control plane does: the dataplane relies on it */
	SSL_CTX_set_read_ahead(ctx, 0);
	return ctx;
}

/* -V: ask for a client certificate (for its CN), accept whatever comes. */
static int
accept_any(int ok, X509_STORE_CTX *x)
{
	(void)ok;
	(void)x;
	return 1;
}

static void
facts_fill(struct dp_session_facts *f, SSL *ssl, int fd, struct driver *d,
    bool outbound)
{
	socklen_t	 len;
	X509		*peer;
	const char	*sni;
	int		 nid;

	memset(f, 0, sizeof(*f));
	f->conn_id = ++d->next_id;
	f->tenant = d->tenant;
	f->outbound = outbound;
	len = sizeof(f->local);
	getsockname(fd, (struct sockaddr *)&f->local, &len);
	len = sizeof(f->remote);
	getpeername(fd, (struct sockaddr *)&f->remote, &len);
	snprintf(f->version, sizeof(f->version), "%s", SSL_get_version(ssl));
	snprintf(f->cipher, sizeof(f->cipher), "%s",
	    SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)));
	nid = SSL_get_negotiated_group(ssl);
	snprintf(f->curve, sizeof(f->curve), "%s",
	    nid != 0 && SSL_group_to_name(ssl, nid) != NULL ?
	    SSL_group_to_name(ssl, nid) : "-");
	if ((sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) != NULL)
		snprintf(f->sni, sizeof(f->sni), "%s", sni);
	if ((peer = SSL_get1_peer_certificate(ssl)) != NULL) {
		X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName,
		    f->peer_cn, sizeof(f->peer_cn));
		X509_free(peer);
	}
	f->resumed = SSL_session_reused(ssl);
	snprintf(f->offload, sizeof(f->offload), "userspace: tls ULP not in kernel");
}

static void
fd_timeout(int fd, int secs)
{
	struct timeval	tv = { .tv_sec = secs };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void
attach(struct driver *d, SSL *ssl, int fd, int be_fd, bool outbound)
{
	struct dp_session_facts	f;
	struct dp_backend	b = { .transport = d->transport, .proxy_v2 = d->proxy_v2,
	    .addr = d->backend, .fd = be_fd };
	int			rc;

	facts_fill(&f, ssl, fd, d, outbound);
	fd_timeout(fd, 0);
	if ((rc = dataplane_attach(d->dp, &f, fd, ssl, &b)) < 0) {
		log_warnx("attach conn %u: %s", f.conn_id, strerror(-rc));
		SSL_free(ssl);
		close(fd);
		if (be_fd >= 0)
			close(be_fd);
	}
}

static void
accept_tls(struct driver *d)
{
	SSL	*ssl;
	int	 fd;

	if ((fd = accept4(d->tls_lfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
		return;
	fd_timeout(fd, 5);
	if ((ssl = SSL_new(d->server_ctx)) == NULL || SSL_set_fd(ssl, fd) != 1 ||
	    SSL_accept(ssl) != 1) {
		d->handshake_failures++;
		ERR_clear_error();
		SSL_free(ssl);
		close(fd);
		return;
	}
	attach(d, ssl, fd, -1, false);
}

/* Outbound: a plain connection from the backend, TLS towards the target. */
static void
accept_plain(struct driver *d)
{
	SSL	*ssl = NULL;
	int	 pfd, fd;

	if ((pfd = accept4(d->plain_lfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
		return;
	if ((fd = socket(d->target.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	fd_timeout(fd, 5);
	if (connect(fd, (struct sockaddr *)&d->target, ss_len(&d->target)) == -1)
		goto fail;
	if ((ssl = SSL_new(d->client_ctx)) == NULL || SSL_set_fd(ssl, fd) != 1)
		goto fail;
	if (d->sni != NULL)
		SSL_set_tlsext_host_name(ssl, d->sni);
	if (SSL_connect(ssl) != 1)
		goto fail;
	attach(d, ssl, fd, pfd, true);
	return;
fail:
	d->handshake_failures++;
	ERR_clear_error();
	SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	close(pfd);
}

static const char *const state_names[] = {
	[DP_CONN_CONNECTING] = "Connecting",
	[DP_CONN_ESTABLISHED] = "Established",
	[DP_CONN_CLOSING] = "Closing",
};

static void
ctl_conns(struct driver *d, FILE *out)
{
	struct dp_conn_info	*v;
	size_t			 n;
	char			 r[64], l[64], ip[INET6_ADDRSTRLEN];

	if (dataplane_snapshot(d->dp, &v, &n) < 0) {
		fprintf(out, "error\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const void *ra = v[i].remote.ss_family == AF_INET6 ?
		    (const void *)&((struct sockaddr_in6 *)&v[i].remote)->sin6_addr :
		    (const void *)&((struct sockaddr_in *)&v[i].remote)->sin_addr;
		const void *la = v[i].local.ss_family == AF_INET6 ?
		    (const void *)&((struct sockaddr_in6 *)&v[i].local)->sin6_addr :
		    (const void *)&((struct sockaddr_in *)&v[i].local)->sin_addr;

		inet_ntop(v[i].remote.ss_family, ra, ip, sizeof(ip));
		snprintf(r, sizeof(r), "%s:%u", ip, ss_port(&v[i].remote));
		inet_ntop(v[i].local.ss_family, la, ip, sizeof(ip));
		snprintf(l, sizeof(l), "%s:%u", ip, ss_port(&v[i].local));
		fprintf(out, "%u %s %s %s %zu %s %s %s %u %s %" PRIu64 " %" PRIu64
		    " \"%s\"\n", v[i].conn_id, state_names[v[i].state], r, l,
		    v[i].writeq, v[i].version, v[i].cipher, v[i].curve, v[i].tenant,
		    v[i].outbound ? "outbound" : "inbound", v[i].msgs_in,
		    v[i].msgs_out, v[i].offload);
	}
	free(v);
}

static void
ctl_counters(struct driver *d, FILE *out)
{
	struct dp_counters	c;
	char			ip[INET6_ADDRSTRLEN] = "-";

	dataplane_counters(d->dp, &c);
	if (c.max_sendq_peer.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&c.max_sendq_peer)->sin_addr,
		    ip, sizeof(ip));
	fprintf(out, "active %" PRIu64 "\nattached %" PRIu64 "\n"
	    "send_failures %" PRIu64 "\nremote_closures %" PRIu64 "\n"
	    "conn_failures %" PRIu64 "\ninactive_ageouts %" PRIu64 "\n"
	    "max_sendq %" PRIu64 "\nmax_sendq_peer %s:%u\n"
	    "refused_limit %" PRIu64 "\nframing_errors %" PRIu64 "\n"
	    "pings_answered %" PRIu64 "\nzc_sends %" PRIu64 "\nzc_copied %" PRIu64 "\n"
	    "msgs_relayed %" PRIu64 "\nrecv_nobufs %" PRIu64 "\n"
	    "dgram_cl_added %" PRIu64 "\ndgram_excess %" PRIu64 "\n"
	    "handshake_failures %u\nreleased %u\n",
	    c.active, c.attached, c.send_failures, c.remote_closures,
	    c.conn_failures, c.inactive_ageouts, c.max_sendq, ip,
	    ss_port(&c.max_sendq_peer), c.refused_limit, c.framing_errors,
	    c.pings_answered, c.zc_sends, c.zc_copied, c.msgs_relayed,
	    c.recv_nobufs, c.dgram_cl_added, c.dgram_excess,
	    d->handshake_failures, d->released);
}

/* Heap in use against heap held: tells live memory from fragmentation. */
static void
ctl_mem(FILE *out)
{
	struct mallinfo2	mi = mallinfo2();

	fprintf(out, "heap_arena %zu\nheap_mmap %zu\nheap_in_use %zu\nheap_free %zu\n",
	    mi.arena, mi.hblkhd, mi.uordblks, mi.fordblks);
}

static void
ctl_serve(struct driver *d)
{
	char			 req[256];
	struct sockaddr_storage	 ss;
	FILE			*out;
	ssize_t			 n;
	unsigned		 id;
	int			 fd;

	if ((fd = accept4(d->ctl_fd, NULL, NULL, SOCK_CLOEXEC)) == -1)
		return;
	fd_timeout(fd, 2);
	if ((n = read(fd, req, sizeof(req) - 1)) <= 0 ||
	    (out = fdopen(fd, "w")) == NULL) {
		close(fd);
		return;
	}
	req[n] = '\0';
	req[strcspn(req, "\r\n")] = '\0';
	if (strcmp(req, "counters") == 0)
		ctl_counters(d, out);
	else if (strcmp(req, "conns") == 0)
		ctl_conns(d, out);
	else if (strcmp(req, "mem") == 0)
		ctl_mem(out);
	else if (sscanf(req, "clear id %u", &id) == 1)
		fprintf(out, "cleared %zu\n", dataplane_clear_id(d->dp, id));
	else if (strncmp(req, "clear target ", 13) == 0 &&
	    addr_parse(req + 13, &ss) == 0)
		fprintf(out, "cleared %zu\n", dataplane_clear_target(d->dp, &ss,
		    ss_port(&ss) != 0));
	else
		fprintf(out, "unknown command: %s\n", req);
	fclose(out);
}

static int
ctl_open(const char *path)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	int			fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		fatalx("control socket path too long");
	strcpy(sun.sun_path, path);
	unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(fd, 16) == -1)
		fatal("control socket %s", path);
	return fd;
}

/* Client mode: send one command, print the reply. */
static int
ctl_client(const char *path, int argc, char **argv)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	char			req[256] = "", buf[4096];
	ssize_t			n;
	int			fd;

	for (int i = 0; i < argc; i++) {
		strncat(req, argv[i], sizeof(req) - strlen(req) - 2);
		strncat(req, i + 1 < argc ? " " : "\n", sizeof(req) - strlen(req) - 1);
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		perror(path);
		return 1;
	}
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		return 1;
	shutdown(fd, SHUT_WR);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	close(fd);
	return 0;
}

static void
driver_loop(struct driver *d)
{
	struct pollfd	pfd[5];
	unsigned	ids[256];
	size_t		k;
	int		n;

	for (;;) {
		n = 0;
		pfd[n++] = (struct pollfd){ .fd = d->sig_fd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = d->tls_lfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = d->plain_lfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = d->ctl_fd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = dataplane_closed_fd(d->dp),
		    .events = POLLIN };
		if (poll(pfd, (nfds_t)n, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[0].revents)
			return;
		if (pfd[1].revents)
			accept_tls(d);
		if (pfd[2].revents)
			accept_plain(d);
		if (pfd[3].revents)
			ctl_serve(d);
		/* as a control plane would: Conn-Ids of ended sessions are free again */
		if (pfd[4].revents)
			while ((k = dataplane_closed(d->dp, ids, 256)) > 0)
				d->released += (unsigned)k;
	}
}

int
main(int argc, char *argv[])
{
	struct driver		 d = { .tls_lfd = -1, .plain_lfd = -1, .ctl_fd = -1 };
	struct dp_options	 o;
	const char		*cert = NULL, *key = NULL, *tls_listen = NULL;
	const char		*plain_listen = NULL, *ctl = NULL;
	int			 ch, verbose = 0, rc;
	sigset_t		 sigs;

	dp_options_default(&o);
	while ((ch = getopt(argc, argv, "a:b:c:C:e:g:k:l:L:M:n:o:ps:t:T:uvVw:W:z:")) != -1) {
		switch (ch) {
		case 'a': o.aging_ms = (unsigned)atoi(optarg); break;
		case 'b':
			if (addr_parse(optarg, &d.backend) == -1)
				fatalx("bad backend %s", optarg);
			break;
		case 'c': cert = optarg; break;
		case 'C': ctl = optarg; break;
		case 'e': d.tenant = (unsigned)atoi(optarg); break;
		case 'g': o.linger_ms = (unsigned)atoi(optarg); break;
		case 'k': key = optarg; break;
		case 'l': tls_listen = optarg; break;
		case 'L': o.conn_limit = (unsigned)atoi(optarg); break;
		case 'M': o.wq_msgs = (unsigned)atoi(optarg); break;
		case 'n': d.sni = optarg; break;
		case 'o': plain_listen = optarg; break;
		case 'p': d.proxy_v2 = true; break;
		case 's':
			if (addr_parse(optarg, &d.target) == -1)
				fatalx("bad target %s", optarg);
			break;
		case 't': o.threads = (unsigned)atoi(optarg); break;
		case 'T': o.tick_ms = (unsigned)atoi(optarg); break;
		case 'u': d.transport = DP_UDP; break;
		case 'v': verbose++; break;
		case 'V': d.want_cert = true; break;
		case 'w': o.wait_ms = (unsigned)atoi(optarg); break;
		case 'W': o.wq_bytes = (size_t)atol(optarg); break;
		case 'z': o.zc_threshold = (size_t)atol(optarg); break;
		default: usage();
		}
	}
	log_init("dp_driver", true, verbose);
	if (ctl != NULL && optind < argc)
		return ctl_client(ctl, argc - optind, argv + optind);
	if (optind != argc || (tls_listen == NULL && plain_listen == NULL))
		usage();
	if (tls_listen != NULL && (cert == NULL || key == NULL))
		usage();

	/* dataplane threads inherit the mask: signals reach only the signalfd */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((d.sig_fd = signalfd(-1, &sigs, SFD_CLOEXEC)) == -1)
		fatal("signalfd");

	if (tls_listen != NULL) {
		d.server_ctx = ctx_new(TLS_server_method(), cert, key);
		if (d.want_cert)
			SSL_CTX_set_verify(d.server_ctx, SSL_VERIFY_PEER, accept_any);
		d.tls_lfd = listen_on(tls_listen, "tls");
	}
	if (plain_listen != NULL) {
		d.client_ctx = ctx_new(TLS_client_method(), NULL, NULL);
		d.plain_lfd = listen_on(plain_listen, "plain");
	}
	if (ctl != NULL)
		d.ctl_fd = ctl_open(ctl);
	if ((rc = dataplane_start(&d.dp, &o)) < 0)
		fatalx("dataplane_start: %s", strerror(-rc));
	printf("pid %d\nready\n", (int)getpid());
	fflush(stdout);
	driver_loop(&d);

	dataplane_stop(d.dp);
	if (d.tls_lfd >= 0)
		close(d.tls_lfd);
	if (d.plain_lfd >= 0)
		close(d.plain_lfd);
	if (d.ctl_fd >= 0) {
		close(d.ctl_fd);
		unlink(ctl);
	}
	close(d.sig_fd);
	SSL_CTX_free(d.server_ctx);
	SSL_CTX_free(d.client_ctx);
	log_info("dp_driver: stopped");
	return 0;
}
