/*
 * The TLS layer's only door to the PKI store: a trustpoint's identity (pki.h's
 * own, freed with pki_identity_free()) and its CAs, with pki.h's one-sentence
 * errors handed to the caller's buffer.
 */
#include "autoconf.h"

#include <stdio.h>

#include "pki/pki.h"
#include "tls.h"

int
tls_identity_load(const char *store, const struct config *cfg, const char *tp,
    struct pki_identity **out, char *err, size_t len)
{
	struct pki_error	perr = { "" };
	int			rc;

	(void)cfg;	/* the certificate file names its key pair */
	if ((rc = pki_identity_load(store, tp, out, &perr)) != 0)
		snprintf(err, len, "%s", perr.msg);
	return rc;
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
