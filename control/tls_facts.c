/*
 * How a session is described to operators: the guide's Cipher and Curve
 * columns, a one-line summary of the verified peer, and the OpenSSL reason
 * behind a failed handshake in the words the guide's syslog lines use.
 */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "identity.h"
#include "tls.h"

static const char *
pkey_kind(EVP_PKEY *key)
{
	if (key == NULL)
		return "?";
	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		return "RSA";
	case EVP_PKEY_EC:
		return "ECDSA";
	case EVP_PKEY_ED25519:
		return "ED25519";
	default:
		return "?";
	}
}

/*
 * The guide: TLS 1.3 suites carry no key type, so it is appended
 * ("TLS_AES_256_GCM_SHA384:RSA"), taken from the server's certificate: ours
 * inbound, the peer's outbound. TLS 1.2 shows the OpenSSL cipher name.
 */
void
tls_cipher_display(SSL *ssl, bool inbound, char *buf, size_t len)
{
	const SSL_CIPHER	*c = SSL_get_current_cipher(ssl);
	X509			*server;

	if (c == NULL) {
		snprintf(buf, len, "-");
		return;
	}
	if (SSL_version(ssl) < TLS1_3_VERSION) {
		snprintf(buf, len, "%s", SSL_CIPHER_get_name(c));
		return;
	}
	server = inbound ? SSL_get_certificate(ssl) : SSL_get0_peer_certificate(ssl);
	snprintf(buf, len, "%s:%s", SSL_CIPHER_get_name(c),
	    pkey_kind(server != NULL ? X509_get0_pubkey(server) : NULL));
}

/* "P-256", "X25519"; "-" when the key exchange used no curve (RSA, DHE). */
void
tls_curve_display(SSL *ssl, char *buf, size_t len)
{
	int		 nid = SSL_get_negotiated_group(ssl);
	const char	*name = NULL;

	if (nid <= 0 || (nid & TLSEXT_nid_unknown) != 0) {
		snprintf(buf, len, "-");
		return;
	}
	if (nid != NID_X25519 && nid != NID_X448)
		name = EC_curve_nid2nist(nid);
	if (name == NULL)
		name = OBJ_nid2sn(nid);
	snprintf(buf, len, "%s", name != NULL ? name : "-");
}

/* The verified peer for logs and the hand-off; "-" without a certificate. */
void
tls_peer_summary(SSL *ssl, char *buf, size_t len)
{
	X509	*x = SSL_get0_peer_certificate(ssl);

	if (x == NULL)
		snprintf(buf, len, "-");
	else
		identity_summary(x, buf, len);
}

/*
 * The reason OpenSSL recorded first, e.g. "no shared cipher", "certificate
 * verify failed" or, when the peer ended the handshake, its alert ("tlsv1
 * alert protocol version"). Returns true in that last case. The error queue
 * is left empty.
 */
bool
tls_failure_reason(SSL *ssl, int sslerr, int sys_errno, char *buf, size_t len)
{
	unsigned long	 e = ERR_peek_error();
	const char	*r = e != 0 ? ERR_reason_error_string(e) : NULL;
	bool		 alert = false;

	if (r != NULL) {
		snprintf(buf, len, "%s", r);
		alert = ERR_GET_LIB(e) == ERR_LIB_SSL &&
		    ERR_GET_REASON(e) >= SSL_AD_REASON_OFFSET;
	} else if (sslerr == SSL_ERROR_SYSCALL && sys_errno == ECONNRESET)
		snprintf(buf, len, "connection reset by peer");
	else if (sslerr == SSL_ERROR_SYSCALL && sys_errno != 0) {
		snprintf(buf, len, "%s", strerror(sys_errno));
		buf[0] = (char)tolower((unsigned char)buf[0]);
	} else if (sslerr == SSL_ERROR_ZERO_RETURN)
		snprintf(buf, len, "peer closed the connection");
	else
		snprintf(buf, len, "unexpected eof while reading");
	ERR_clear_error();
	return alert;
}
