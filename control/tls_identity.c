/*
 * The TLS layer's only door to the PKI store: a trustpoint's key,
 * certificate, chain and CAs, through pki/pki.h, with its one-sentence
 * errors handed to the caller's buffer.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "pki/pki.h"
#include "tls.h"

int
tls_identity_load(const char *store, const struct config *cfg, const char *tp,
    struct tls_identity **out, char *err, size_t len)
{
	struct pki_identity	*pid;
	struct pki_error	 perr = { "" };
	struct tls_identity	*id;
	int			 rc;

	(void)cfg;	/* the certificate file names its key pair */
	*out = NULL;
	if ((rc = pki_identity_load(store, tp, &pid, &perr)) != 0) {
		snprintf(err, len, "%s", perr.msg);
		return rc;
	}
	if ((id = calloc(1, sizeof(*id))) == NULL) {
		pki_identity_free(pid);
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	/* take the objects; the shell goes back empty */
	id->key = pid->key;
	id->cert = pid->cert;
	id->chain = pid->chain;
	pid->key = NULL;
	pid->cert = NULL;
	pid->chain = NULL;
	pki_identity_free(pid);
	*out = id;
	return 0;
}

void
tls_identity_free(struct tls_identity *id)
{
	if (id == NULL)
		return;
	EVP_PKEY_free(id->key);
	X509_free(id->cert);
	sk_X509_pop_free(id->chain, X509_free);
	free(id);
}

int
tls_trust_load(const char *store, const char *tp, const char *bundle,
    X509_STORE **out, char *err, size_t len)
{
	struct pki_error	perr = { "" };
	int			rc;

	if ((rc = pki_trust_store(store, tp, bundle, out, &perr)) != 0)
		snprintf(err, len, "%s", perr.msg);
	return rc;
}
