/*
 * Serves one TLS connection with a trustpoint's identity as the TLS layer
 * will load it (pki_identity_load, pki_trust_store), so a test can check the
 * handshake with "openssl s_client -verify_return_error".
 * usage: tls_serve -S STORE -t TRUSTPOINT [-m] ; prints "port N" when ready.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "pki/pki.h"

static SSL_CTX *
ctx_make(const char *store, const char *tp, int mutual)
{
	struct pki_identity	*id;
	struct pki_error	 err;
	X509_STORE		*trust;
	SSL_CTX			*ctx;

	if (pki_identity_load(store, tp, &id, &err) != 0) {
		fprintf(stderr, "tls_serve: %s\n", err.msg);
		return NULL;
	}
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    SSL_CTX_use_cert_and_key(ctx, id->cert, id->key, id->chain, 1) != 1) {
		ERR_print_errors_fp(stderr);
		pki_identity_free(id);
		SSL_CTX_free(ctx);
		return NULL;
	}
	fprintf(stderr, "tls_serve: identity of %s: key pair %s, %d chain "
	    "certificate(s)\n", tp, id->label, sk_X509_num(id->chain));
	pki_identity_free(id);
	if (mutual) {
		if (pki_trust_store(store, tp, NULL, &trust, &err) != 0) {
			fprintf(stderr, "tls_serve: %s\n", err.msg);
			SSL_CTX_free(ctx);
			return NULL;
		}
		SSL_CTX_set_cert_store(ctx, trust);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
		    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	}
	return ctx;
}

static int
listen_any(void)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	socklen_t		len = sizeof(sin);
	int			fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 1) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		perror("tls_serve: listen");
		exit(1);
	}
	printf("port %u\n", ntohs(sin.sin_port));
	fflush(stdout);
	return fd;
}

int
main(int argc, char *argv[])
{
	const char	*store = NULL, *tp = NULL;
	char		 buf[256];
	int		 ch, mutual = 0, lfd, fd, rc = 1;
	SSL_CTX		*ctx;
	SSL		*ssl;

	while ((ch = getopt(argc, argv, "mS:t:")) != -1) {
		switch (ch) {
		case 'm': mutual = 1; break;
		case 'S': store = optarg; break;
		case 't': tp = optarg; break;
		default: return 2;
		}
	}
	if (store == NULL || tp == NULL)
		return 2;
	alarm(60);
	signal(SIGPIPE, SIG_IGN);
	if ((ctx = ctx_make(store, tp, mutual)) == NULL)
		return 1;
	lfd = listen_any();
	if ((fd = accept(lfd, NULL, NULL)) == -1 || (ssl = SSL_new(ctx)) == NULL) {
		perror("tls_serve: accept");
		return 1;
	}
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) == 1) {
		snprintf(buf, sizeof(buf), "hello from %s over %s\n", tp,
		    SSL_get_version(ssl));
		SSL_write(ssl, buf, (int)strlen(buf));
		fprintf(stderr, "tls_serve: handshake done: %s %s\n",
		    SSL_get_version(ssl), SSL_get_cipher(ssl));
		SSL_shutdown(ssl);
		rc = 0;
	} else {
		fprintf(stderr, "tls_serve: handshake failed\n");
		ERR_print_errors_fp(stderr);
	}
	SSL_free(ssl);
	close(fd);
	close(lfd);
	SSL_CTX_free(ctx);
	return rc;
}
