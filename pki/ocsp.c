/*
 * OCSP: build a request with a nonce, then judge a response: status,
 * responder signature against the trust store (the CA or a responder it
 * authorised), nonce, thisUpdate/nextUpdate, then good, revoked or unknown.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "revoke.h"

OCSP_REQUEST *
ocsp_request_new(OCSP_CERTID *id, unsigned char **der, size_t *derlen,
    char *err, size_t errlen)
{
	OCSP_REQUEST	*req;
	OCSP_CERTID	*cid = NULL;
	int		 n;

	*der = NULL;
	if ((req = OCSP_REQUEST_new()) == NULL ||
	    (cid = OCSP_CERTID_dup(id)) == NULL ||
	    OCSP_request_add0_id(req, cid) == NULL)
		goto fail;
	cid = NULL;	/* the request owns it now */
	if (!OCSP_request_add1_nonce(req, NULL, -1) ||
	    (n = i2d_OCSP_REQUEST(req, der)) <= 0)
		goto fail;
	*derlen = (size_t)n;
	return req;
fail:
	snprintf(err, errlen, "cannot build the OCSP request");
	revoke_openssl_errors(err, errlen);
	OCSP_CERTID_free(cid);
	OCSP_REQUEST_free(req);
	return NULL;
}

/*
 * A nonce that differs means the answer belongs to another request: refused.
 * Many responders (CDN-fronted ones, those serving pre-signed answers) do
 * not echo nonces at all; such an answer is accepted with a remark, since
 * thisUpdate/nextUpdate still bound how old it can be.
 */
static int
ocsp_check_nonce(OCSP_REQUEST *req, OCSP_BASICRESP *bs, struct revoke_verdict *v,
    char *err, size_t errlen)
{
	switch (OCSP_check_nonce(req, bs)) {
	case 0:
		snprintf(err, errlen, "nonce mismatch (the answer is to another request)");
		return -1;
	case -1:
		snprintf(v->remark, sizeof(v->remark), "responder did not echo the "
		    "nonce; accepted on its thisUpdate/nextUpdate");
		return 0;
	default:
		return 0;
	}
}

/*
 * OCSP_check_validity()'s rules (thisUpdate not beyond now + skew, nextUpdate
 * if present not before now - skew, nor before thisUpdate), on the engine's
 * clock instead of time(NULL), so a cached answer and a test can give theirs.
 */
static int
ocsp_check_times(ASN1_GENERALIZEDTIME *thisupd, ASN1_GENERALIZEDTIME *nextupd,
    time_t now, long skew, struct revoke_verdict *v, char *err, size_t errlen)
{
	char	 when[32];

	if (thisupd == NULL || revoke_asn1_time(thisupd, &v->this_update) == -1 ||
	    (nextupd != NULL && revoke_asn1_time(nextupd, &v->next_update) == -1)) {
		snprintf(err, errlen, "malformed thisUpdate/nextUpdate");
		return -1;
	}
	if (v->this_update > now + skew) {
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&v->this_update));
		snprintf(err, errlen, "not yet valid (thisUpdate %s)", when);
		return -1;
	}
	if (nextupd != NULL && v->next_update < now - skew) {
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&v->next_update));
		snprintf(err, errlen, "stale (nextUpdate %s)", when);
		return -1;
	}
	if (nextupd != NULL && v->next_update < v->this_update) {
		snprintf(err, errlen, "nextUpdate before thisUpdate");
		return -1;
	}
	return 0;
}

/* The signer must chain to TRUST and be the CA named in ID or its delegate. */
static int
ocsp_check_signer(OCSP_BASICRESP *bs, X509 *issuer, X509_STORE *trust,
    char *err, size_t errlen)
{
	STACK_OF(X509)	*certs;
	int		 ok;

	/* The issuer as an untrusted helper, for chains through an intermediate. */
	if ((certs = sk_X509_new_null()) == NULL || !sk_X509_push(certs, issuer)) {
		sk_X509_free(certs);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ok = OCSP_basic_verify(bs, certs, trust, 0);
	sk_X509_free(certs);
	if (ok <= 0) {
		snprintf(err, errlen, "response not signed by the CA or a responder "
		    "it authorised");
		revoke_openssl_errors(err, errlen);
		return -1;
	}
	return 0;
}

static int
ocsp_judge(OCSP_BASICRESP *bs, OCSP_CERTID *id, time_t now, long skew,
    struct revoke_verdict *v, char *err, size_t errlen)
{
	ASN1_GENERALIZEDTIME	*rev = NULL, *thisupd = NULL, *nextupd = NULL;
	int			 status, reason = -1;

	if (!OCSP_resp_find_status(bs, id, &status, &reason, &rev, &thisupd,
	    &nextupd)) {
		snprintf(err, errlen, "no status for this certificate in the answer");
		return -1;
	}
	if (ocsp_check_times(thisupd, nextupd, now, skew, v, err, errlen) == -1)
		return -1;
	switch (status) {
	case V_OCSP_CERTSTATUS_GOOD:
		v->answer = ANSWER_GOOD;
		return 0;
	case V_OCSP_CERTSTATUS_REVOKED:
		v->answer = ANSWER_REVOKED;
		v->reason = reason;
		if (rev == NULL || revoke_asn1_time(rev, &v->revoked_at) == -1)
			v->revoked_at = 0;
		return 0;
	default:
		/* "unknown" vouches for nothing: the next method may know. */
		snprintf(err, errlen, "responder does not know the certificate (unknown)");
		return -1;
	}
}

/*
 * 0: v says good or revoked. -1: the answer cannot be used (err says why,
 * including "unknown"). REQ is the request sent, for its nonce; NULL for an
 * answer read back from the cache, whose nonce was checked when fetched.
 */
int
ocsp_response_check(const unsigned char *der, size_t len, OCSP_REQUEST *req,
    OCSP_CERTID *id, X509 *issuer, X509_STORE *trust, time_t now, long skew,
    struct revoke_verdict *v, char *err, size_t errlen)
{
	const unsigned char	*p = der;
	OCSP_RESPONSE		*resp;
	OCSP_BASICRESP		*bs = NULL;
	int			 st, rc = -1;

	memset(v, 0, sizeof(*v));
	v->answer = ANSWER_CANNOT;
	v->reason = -1;
	if ((resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len)) == NULL) {
		snprintf(err, errlen, "malformed OCSP response");
		ERR_clear_error();
		return -1;
	}
	if ((st = OCSP_response_status(resp)) != OCSP_RESPONSE_STATUS_SUCCESSFUL)
		snprintf(err, errlen, "responder answered %s",
		    OCSP_response_status_str(st));
	else if ((bs = OCSP_response_get1_basic(resp)) == NULL) {
		snprintf(err, errlen, "not a basic OCSP response");
		ERR_clear_error();
	} else if ((req == NULL || ocsp_check_nonce(req, bs, v, err, errlen) == 0) &&
	    ocsp_check_signer(bs, issuer, trust, err, errlen) == 0)
		rc = ocsp_judge(bs, id, now, skew, v, err, errlen);
	if (rc == -1)
		v->answer = ANSWER_CANNOT;
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	return rc;
}

/* The configured responder, else the first http:// AIA OCSP URI. */
int
ocsp_responder_url(X509 *leaf, const char *configured, char *url, size_t len,
    char *note, size_t notelen)
{
	STACK_OF(OPENSSL_STRING)	*aia;
	const char			*uri;
	int				 found = -1;

	note[0] = '\0';
	url[0] = '\0';
	if (configured != NULL && configured[0] != '\0') {
		snprintf(url, len, "%s", configured);
		return 0;
	}
	aia = X509_get1_ocsp(leaf);
	for (int i = 0; found == -1 && i < sk_OPENSSL_STRING_num(aia); i++) {
		uri = sk_OPENSSL_STRING_value(aia, i);
		if (strncasecmp(uri, "http://", 7) == 0 && strlen(uri) < len) {
			snprintf(url, len, "%s", uri);
			found = 0;
		} else
			snprintf(note, notelen, "%.200s unsupported", uri);
	}
	X509_email_free(aia);
	if (found == -1 && note[0] == '\0')
		snprintf(note, notelen, "no responder (no \"ocsp url\" and no AIA "
		    "OCSP URI in the certificate)");
	return found;
}
