/*
 * Certificates of a trustpoint: "crypto pki authenticate" (the CA),
 * "crypto pki import" (our certificate and its chain), chain verification,
 * the identity and trust store the TLS layer loads, and the IOS-like display.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "config.h"
#include "pki.h"

/* ---- small helpers --------------------------------------------------- */

time_t
pki_asn1_time(const ASN1_TIME *t)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return (time_t)-1;
	return timegm(&tm);
}

/* IOS's layout: "10:21:44 UTC Jan 1 2024". */
const char *
pki_time_format(time_t t, char *buf, size_t len)
{
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%H:%M:%S UTC %b %-d %Y", &tm) == 0)
		snprintf(buf, len, "(time %lld)", (long long)t);
	return buf;
}

void
pki_name_oneline(const X509_NAME *name, char *buf, size_t len)
{
	BIO	*bio;
	char	*data;
	long	 n;

	buf[0] = '\0';
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return;
	X509_NAME_print_ex(bio, name, 0, (XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN |
	    ASN1_STRFLGS_RFC2253 | ASN1_STRFLGS_UTF8_CONVERT) &
	    ~ASN1_STRFLGS_ESC_MSB);
	n = BIO_get_mem_data(bio, &data);
	snprintf(buf, len, "%.*s", (int)n, data);
	BIO_free(bio);
}

int
pki_fingerprint(const X509 *x, const EVP_MD *md, char *buf, size_t len)
{
	unsigned char	v[EVP_MAX_MD_SIZE];
	unsigned int	n;

	buf[0] = '\0';
	if (!X509_digest(x, md, v, &n))
		return -EINVAL;
	pki_hex(v, n, ":", buf, len);
	return 0;
}

static const char *
subject_of(const X509 *x, char *buf, size_t len)
{
	pki_name_oneline(X509_get_subject_name(x), buf, len);
	return buf;
}

/* ---- parsing input --------------------------------------------------- */

static int
certs_push(STACK_OF(X509) *sk, X509 *x)
{
	if (!sk_X509_push(sk, x)) {
		X509_free(x);
		return -ENOMEM;
	}
	return 0;
}

static int
parse_pem(const char *buf, size_t len, STACK_OF(X509) *sk, struct pki_error *err)
{
	BIO		*bio;
	X509		*x;
	unsigned long	 e;

	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL)
		return -ENOMEM;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (certs_push(sk, x) != 0) {
			BIO_free(bio);
			return -ENOMEM;
		}
	BIO_free(bio);
	e = ERR_peek_last_error();
	if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
		ERR_clear_error();	/* the normal end of the input */
		if (sk_X509_num(sk) > 0)
			return 0;
		pki_error_set(err, "the input has no \"BEGIN CERTIFICATE\" block "
		    "(was a request or a key pasted instead?)");
		return -EINVAL;
	}
	pki_error_openssl(err, "certificate %d of the input is garbage or "
	    "truncated PEM", sk_X509_num(sk) + 1);
	return -EINVAL;
}

static int
parse_der(const unsigned char *p, size_t len, STACK_OF(X509) *sk)
{
	const unsigned char	*end = p + len;
	X509			*x;

	while (p < end) {
		if ((x = d2i_X509(NULL, &p, end - p)) == NULL)
			return -EINVAL;
		if (certs_push(sk, x) != 0)
			return -ENOMEM;
	}
	return 0;
}

/* IOS pastes are often bare base64, without the PEM lines. */
static int
parse_base64(const char *buf, size_t len, STACK_OF(X509) *sk)
{
	unsigned char	*der;
	char		*clean;
	size_t		 n = 0, pad = 0;
	int		 dlen, rc;

	if ((clean = malloc(len + 1)) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		if (isspace((unsigned char)buf[i]))
			continue;
		if (!isalnum((unsigned char)buf[i]) && strchr("+/=", buf[i]) == NULL) {
			free(clean);
			return -EINVAL;
		}
		clean[n++] = buf[i];
	}
	if (n == 0 || n % 4 != 0 || (der = malloc(n)) == NULL) {
		free(clean);
		return -EINVAL;
	}
	while (pad < 2 && pad < n && clean[n - 1 - pad] == '=')
		pad++;
	dlen = EVP_DecodeBlock(der, (unsigned char *)clean, (int)n);
	rc = dlen <= (int)pad ? -EINVAL : parse_der(der, (size_t)dlen - pad, sk);
	free(clean);
	free(der);
	return rc;
}

/* PEM (one or more), DER, or bare base64 DER, as an operator might paste. */
int
pki_certs_parse(const void *buf, size_t len, STACK_OF(X509) **out,
    struct pki_error *err)
{
	STACK_OF(X509)	*sk;
	int		 rc;

	*out = NULL;
	ERR_clear_error();
	if ((sk = sk_X509_new_null()) == NULL) {
		pki_error_set(err, "out of memory");
		return -ENOMEM;
	}
	if (len == 0) {
		pki_error_set(err, "the input is empty");
		rc = -EINVAL;
	} else if (memmem(buf, len, "-----BEGIN", 10) != NULL)
		rc = parse_pem(buf, len, sk, err);
	else if ((rc = parse_der(buf, len, sk)) != 0) {
		sk_X509_pop_free(sk, X509_free);
		sk = sk_X509_new_null();
		if (sk == NULL || (rc = parse_base64(buf, len, sk)) != 0)
			pki_error_set(err, "the input holds no certificate: it is "
			    "neither PEM, DER nor base64-encoded DER");
		ERR_clear_error();
	}
	if (rc != 0) {
		sk_X509_pop_free(sk, X509_free);
		return rc == -ENOMEM ? rc : -EINVAL;
	}
	*out = sk;
	return 0;
}

/* ---- checks ---------------------------------------------------------- */

/* A wrong clock is the usual reason for "not yet valid"; say so. */
int
pki_cert_time_check(const X509 *x, const char *what, const char *tp, time_t now,
    struct pki_error *err)
{
	time_t		nb = pki_asn1_time(X509_get0_notBefore(x));
	time_t		na = pki_asn1_time(X509_get0_notAfter(x));
	char		when[64];
	long long	hours;

	if (nb == (time_t)-1 || na == (time_t)-1) {
		pki_error_set(err, "%s for trustpoint %s has an unreadable validity "
		    "period", what, tp);
		return -EINVAL;
	}
	if (nb > now) {
		hours = ((long long)nb - now + 3599) / 3600;
		pki_error_set(err, "%s for trustpoint %s is not valid until %s, "
		    "%lld hour%s ahead of this system's clock: check NTP (PKI "
		    "requires clients to use the correct time)", what, tp,
		    pki_time_format(nb, when, sizeof(when)), hours,
		    hours == 1 ? "" : "s");
		return -ETIME;
	}
	if (na < now) {
		pki_error_set(err, "%s for trustpoint %s expired on %s (%lld days "
		    "ago)", what, tp, pki_time_format(na, when, sizeof(when)),
		    ((long long)now - na) / 86400);
		return -EKEYEXPIRED;
	}
	return 0;
}

/* What makes a CA for us: basicConstraints CA:TRUE, keyCertSign if keyUsage says anything. */
int
pki_ca_check(X509 *x, struct pki_error *err)
{
	uint32_t	flags = X509_get_extension_flags(x);
	char		subj[256];

	subject_of(x, subj, sizeof(subj));
	if (flags & EXFLAG_INVALID) {
		pki_error_set(err, "%s has malformed extensions", subj);
		return -EINVAL;
	}
	if (!(flags & EXFLAG_CA)) {
		pki_error_set(err, "%s is not a CA certificate (basicConstraints "
		    "CA:TRUE is missing)", subj);
		return -EKEYREJECTED;
	}
	if ((flags & EXFLAG_KUSAGE) && !(X509_get_key_usage(x) & KU_KEY_CERT_SIGN)) {
		pki_error_set(err, "%s may not sign certificates (its keyUsage "
		    "lacks keyCertSign)", subj);
		return -EKEYREJECTED;
	}
	return 0;
}

static void
verify_explain(X509_STORE_CTX *ctx, struct pki_error *err)
{
	int		 e = X509_STORE_CTX_get_error(ctx);
	X509		*cur = X509_STORE_CTX_get_current_cert(ctx);
	char		 subj[256] = "?", issuer[256] = "?";

	if (cur != NULL) {
		subject_of(cur, subj, sizeof(subj));
		pki_name_oneline(X509_get_issuer_name(cur), issuer, sizeof(issuer));
	}
	switch (e) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		pki_error_set(err, "it does not chain to the trustpoint's CA: the "
		    "issuer of %s is %s, which is not among the trustpoint's CA "
		    "certificates nor the chain given with it", subj, issuer);
		break;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
		pki_error_set(err, "the signature on %s does not verify with the key "
		    "of its issuer %s", subj, issuer);
		break;
	default:
		pki_error_set(err, "%s (certificate %s, depth %d)",
		    X509_verify_cert_error_string(e), subj,
		    X509_STORE_CTX_get_error_depth(ctx));
	}
}

/*
 * The trustpoint's CA certificates are trust anchors even when one is an
 * intermediate (PARTIAL_CHAIN): that is what the operator accepted at
 * authenticate. now == 0 skips validity dates (loading, not judging).
 */
int
pki_chain_verify(X509_STORE *store, X509 *leaf, STACK_OF(X509) *untrusted,
    time_t now, int purpose, STACK_OF(X509) **chain, struct pki_error *err)
{
	X509_STORE_CTX	*ctx;
	int		 rc = -EKEYREJECTED;

	if (chain)
		*chain = NULL;
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    !X509_STORE_CTX_init(ctx, store, leaf, untrusted)) {
		X509_STORE_CTX_free(ctx);
		pki_error_openssl(err, "cannot set up chain verification");
		return -ENOMEM;
	}
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_PARTIAL_CHAIN |
	    (now == 0 ? X509_V_FLAG_NO_CHECK_TIME : 0));
	if (now != 0)
		X509_STORE_CTX_set_time(ctx, 0, now);
	if (purpose != 0)
		X509_STORE_CTX_set_purpose(ctx, purpose);
	if (X509_verify_cert(ctx) == 1) {
		rc = 0;
		if (chain)
			*chain = X509_STORE_CTX_get1_chain(ctx);
	} else
		verify_explain(ctx, err);
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	return rc;
}

/* ---- the store's trustpoint files ------------------------------------ */

int
pki_trustpoint_config(const struct config *cfg, const char *name,
    const struct trustpoint_config **tp, struct pki_error *err)
{
	if (!pki_name_valid(name)) {
		pki_error_set(err, "\"%s\" is not a usable trustpoint name", name);
		return -EINVAL;
	}
	if (cfg == NULL || (*tp = config_trustpoint(cfg, name)) == NULL) {
		pki_error_set(err, "trustpoint %s is not defined in %s (add "
		    "\"crypto pki trustpoint %s\" to it)", name,
		    cfg ? cfg->path : "the configuration", name);
		return -ENOENT;
	}
	return 0;
}

static int
tp_file(char *buf, size_t len, const char *store, const char *tp,
    const char *file, struct pki_error *err)
{
	if (!pki_name_valid(tp)) {
		pki_error_set(err, "\"%s\" is not a usable trustpoint name", tp);
		return -EINVAL;
	}
	return store_path(buf, len, err, "%s/%s/%s/%s", store, PKI_DIR_TRUSTPOINTS,
	    tp, file);
}

/* -ENOENT, with no message, when the trustpoint has no such file. */
static int
tp_read(const char *store, const char *tp, const char *file,
    STACK_OF(X509) **out, char **text, struct pki_error *err)
{
	char	path[4096], *buf;
	size_t	len;
	int	rc;

	*out = NULL;
	if ((rc = tp_file(path, sizeof(path), store, tp, file, err)) != 0)
		return rc;
	if (!store_exists(path))
		return -ENOENT;
	if ((rc = store_read(path, false, &buf, &len, err)) != 0)
		return rc;
	if ((rc = pki_certs_parse(buf, len, out, err)) != 0)
		pki_error_prefix(err, "%s: ", path);
	if (rc == 0 && text != NULL)
		*text = buf;
	else
		free(buf);
	return rc;
}

int
pki_trustpoint_cas(const char *store, const char *tp, STACK_OF(X509) **out,
    struct pki_error *err)
{
	int	rc;

	if ((rc = tp_read(store, tp, PKI_FILE_CA, out, NULL, err)) == -ENOENT)
		pki_error_set(err, "trustpoint %s has no CA certificate: "
		    "authenticate it first (crypto pki authenticate %s)", tp, tp);
	return rc;
}

/* certificate.pem starts with "key: LABEL", the key pair it was issued for. */
int
pki_trustpoint_cert(const char *store, const char *tp, STACK_OF(X509) **out,
    char *label, size_t len, struct pki_error *err)
{
	char	*text = NULL, *p;
	int	 rc;

	if ((rc = tp_read(store, tp, PKI_FILE_CERT, out, &text, err)) != 0) {
		if (rc == -ENOENT)
			pki_error_set(err, "trustpoint %s has no certificate: enrol "
			    "and import one (crypto pki enroll %s)", tp, tp);
		return rc;
	}
	label[0] = '\0';
	if (strncmp(text, "key: ", 5) == 0) {
		p = text + 5;
		snprintf(label, len, "%.*s", (int)strcspn(p, "\r\n"), p);
	}
	free(text);
	return 0;
}

static int
certs_pem(STACK_OF(X509) *sk, int from, const char *header, char **out,
    size_t *outlen, struct pki_error *err)
{
	BIO	*bio;
	char	*data;
	long	 len;
	int	 ok = 1;

	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		ok = 0;
	if (ok && header)
		ok = BIO_puts(bio, header) > 0;
	for (int i = from; ok && i < sk_X509_num(sk); i++)
		ok = PEM_write_bio_X509(bio, sk_X509_value(sk, i));
	if (!ok || (len = BIO_get_mem_data(bio, &data)) <= 0 ||
	    (*out = malloc((size_t)len)) == NULL) {
		BIO_free(bio);
		pki_error_openssl(err, "cannot encode certificates");
		return -ENOMEM;
	}
	memcpy(*out, data, (size_t)len);
	*outlen = (size_t)len;
	BIO_free(bio);
	return 0;
}

static int
tp_write(const char *store, const char *tp, const char *file, STACK_OF(X509) *sk,
    const char *header, struct pki_error *err)
{
	char	path[4096], *pem;
	size_t	len;
	int	rc;

	if ((rc = tp_file(path, sizeof(path), store, tp, file, err)) != 0 ||
	    (rc = certs_pem(sk, 0, header, &pem, &len, err)) != 0)
		return rc;
	if ((rc = store_prepare_trustpoint(store, tp, err)) == 0)
		rc = store_write_atomic(path, pem, len, 0644, err);
	free(pem);
	return rc;
}

static X509_STORE *
trust_from(STACK_OF(X509) *cas, struct pki_error *err)
{
	X509_STORE	*xs;

	if ((xs = X509_STORE_new()) == NULL)
		goto fail;
	for (int i = 0; i < sk_X509_num(cas); i++)
		if (!X509_STORE_add_cert(xs, sk_X509_value(cas, i)))
			goto fail;
	X509_STORE_set_flags(xs, X509_V_FLAG_PARTIAL_CHAIN);
	return xs;
fail:
	pki_error_openssl(err, "cannot build the trust store");
	X509_STORE_free(xs);
	return NULL;
}

/* ---- authenticate ---------------------------------------------------- */

int
pki_authenticate(const char *store, const struct config *cfg, const char *name,
    STACK_OF(X509) *certs, time_t now, pki_confirm_fn confirm, void *arg,
    struct pki_error *err)
{
	const struct trustpoint_config	*tp;
	int				 n = sk_X509_num(certs), rc;
	char				 subj[256];

	if ((rc = pki_trustpoint_config(cfg, name, &tp, err)) != 0)
		goto out;
	for (int i = 0; i < n; i++) {
		X509 *x = sk_X509_value(certs, i);

		if ((rc = pki_ca_check(x, err)) != 0 ||
		    (rc = pki_cert_time_check(x, "CA certificate", name, now,
		    err)) != 0) {
			if (n > 1)
				pki_error_prefix(err, "certificate %d of %d (%s): ",
				    i + 1, n, subject_of(x, subj, sizeof(subj)));
			goto out;
		}
	}
	if (confirm != NULL && !confirm(arg, certs)) {
		pki_error_set(err, "the CA certificate was not accepted; the "
		    "trustpoint is unchanged");
		rc = -ECANCELED;
		goto out;
	}
	rc = tp_write(store, name, PKI_FILE_CA, certs, NULL, err);
out:
	if (rc != 0)
		pki_error_prefix(err, "authentication of trustpoint %s refused: ",
		    name);
	return rc;
}

/* ---- import ---------------------------------------------------------- */

static int
import_key_match(const char *store, const struct trustpoint_config *tp, X509 *leaf,
    struct pki_error *err)
{
	struct pki_key_info	 info, cinfo;
	EVP_PKEY		*key;
	int			 rc;

	if (tp->key_type == KEY_UNSET) {
		pki_error_set(err, "trustpoint %s has no rsakeypair or eckeypair",
		    tp->name);
		return -EINVAL;
	}
	if ((rc = pki_key_load(store, tp->key_label, &key, &info, err)) != 0)
		return rc;
	if (EVP_PKEY_eq(X509_get0_pubkey(leaf), key) != 1) {
		memset(&cinfo, 0, sizeof(cinfo));
		pki_key_describe(X509_get0_pubkey(leaf), &cinfo);
		pki_error_set(err, "certificate's public key does not match key "
		    "pair %s (certificate key SHA-256 %.23s..., key pair %.23s...; "
		    "was the request made with another key?)", tp->key_label,
		    cinfo.fingerprint, info.fingerprint);
		rc = -EKEYREJECTED;
	}
	EVP_PKEY_free(key);
	ERR_clear_error();
	return rc;
}

/*
 * sipktlsd uses one certificate both ways, so it should serve TLS servers
 * and clients alike; a certificate good for only one is kept with a warning.
 */
static int
import_chain(X509_STORE *xs, STACK_OF(X509) *certs, time_t now,
    struct pki_import_result *res, struct pki_error *err)
{
	X509			*leaf = sk_X509_value(certs, 0);
	STACK_OF(X509)		*untrusted = sk_X509_dup(certs);
	struct pki_error	 e2;
	int			 rc;

	if (untrusted == NULL) {
		pki_error_set(err, "out of memory");
		return -ENOMEM;
	}
	(void)sk_X509_shift(untrusted);
	rc = pki_chain_verify(xs, leaf, untrusted, now, X509_PURPOSE_SSL_SERVER,
	    NULL, err);
	if (rc == 0) {
		if (pki_chain_verify(xs, leaf, untrusted, now,
		    X509_PURPOSE_SSL_CLIENT, NULL, &e2) != 0)
			snprintf(res->warning, sizeof(res->warning), "it is not "
			    "valid for TLS clients (%.300s): connections sipktlsd opens "
			    "to peers that ask for a client certificate will fail",
			    e2.msg);
	} else if (pki_chain_verify(xs, leaf, untrusted, now,
	    X509_PURPOSE_SSL_CLIENT, NULL, &e2) == 0) {
		snprintf(res->warning, sizeof(res->warning), "it is valid for TLS "
		    "clients only (as a server: %.300s): listeners cannot use it",
		    err->msg);
		rc = 0;
	}
	sk_X509_free(untrusted);
	return rc;
}

int
pki_import(const char *store, const struct config *cfg, const char *name,
    STACK_OF(X509) *certs, time_t now, struct pki_import_result *res,
    struct pki_error *err)
{
	const struct trustpoint_config	*tp;
	STACK_OF(X509)			*cas = NULL;
	X509_STORE			*xs = NULL;
	X509				*leaf = sk_X509_value(certs, 0);
	char				 header[PKI_NAME_MAX + 8];
	int				 rc;

	memset(res, 0, sizeof(*res));
	if ((rc = pki_trustpoint_config(cfg, name, &tp, err)) != 0 ||
	    (rc = pki_trustpoint_cas(store, name, &cas, err)) != 0 ||
	    (rc = import_key_match(store, tp, leaf, err)) != 0 ||
	    (rc = pki_cert_time_check(leaf, "certificate", name, now, err)) != 0)
		goto out;
	if ((xs = trust_from(cas, err)) == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	if ((rc = import_chain(xs, certs, now, res, err)) != 0)
		goto out;
	snprintf(header, sizeof(header), "key: %s\n", tp->key_label);
	if ((rc = tp_write(store, name, PKI_FILE_CERT, certs, header, err)) != 0)
		goto out;
	snprintf(res->label, sizeof(res->label), "%s", tp->key_label);
	res->nchain = (size_t)sk_X509_num(certs) - 1;
	res->not_after = pki_asn1_time(X509_get0_notAfter(leaf));
out:
	if (rc != 0)
		pki_error_prefix(err, "import into trustpoint %s refused: ", name);
	sk_X509_pop_free(cas, X509_free);
	X509_STORE_free(xs);
	return rc;
}

/* ---- what the TLS layer loads ---------------------------------------- */

int
pki_trust_store(const char *store, const char *tp, const char *ca_bundle,
    X509_STORE **out, struct pki_error *err)
{
	STACK_OF(X509)	*cas;
	int		 rc;

	*out = NULL;
	if ((rc = pki_trustpoint_cas(store, tp, &cas, err)) != 0)
		return rc;
	*out = trust_from(cas, err);
	sk_X509_pop_free(cas, X509_free);
	if (*out == NULL)
		return -ENOMEM;
	if (ca_bundle != NULL && !X509_STORE_load_file(*out, ca_bundle)) {
		pki_error_openssl(err, "cannot load CA bundle %s", ca_bundle);
		X509_STORE_free(*out);
		*out = NULL;
		return -EINVAL;
	}
	return 0;
}

/* The chain to send: what verification built, minus the leaf and a root. */
static int
identity_chain(const char *store, struct pki_identity *id,
    STACK_OF(X509) *certs, struct pki_error *err)
{
	X509_STORE	*xs;
	STACK_OF(X509)	*built, *untrusted;
	X509		*last;
	int		 rc;

	if ((rc = pki_trust_store(store, id->trustpoint, NULL, &xs, err)) != 0)
		return rc;
	if ((untrusted = sk_X509_dup(certs)) == NULL) {
		X509_STORE_free(xs);
		return -ENOMEM;
	}
	(void)sk_X509_shift(untrusted);
	rc = pki_chain_verify(xs, id->cert, untrusted, 0, 0, &built, err);
	sk_X509_free(untrusted);
	X509_STORE_free(xs);
	if (rc != 0) {
		pki_error_prefix(err, "it no longer chains to the trustpoint's CA "
		    "certificates: ");
		return rc;
	}
	X509_free(sk_X509_shift(built));
	last = sk_X509_num(built) > 0 ? sk_X509_value(built, sk_X509_num(built) - 1) :
	    NULL;
	if (last != NULL && (X509_get_extension_flags(last) & EXFLAG_SS))
		X509_free(sk_X509_pop(built));
	id->chain = built;
	return 0;
}

static int
identity_fill(const char *store, struct pki_identity *id, struct pki_error *err)
{
	STACK_OF(X509)	*certs;
	int		 rc;

	if ((rc = pki_trustpoint_cert(store, id->trustpoint, &certs, id->label,
	    sizeof(id->label), err)) != 0)
		return rc;
	id->cert = sk_X509_value(certs, 0);
	X509_up_ref(id->cert);
	if (id->label[0] == '\0') {
		pki_error_set(err, "its certificate file does not say which key "
		    "pair it belongs to; import the certificate again");
		rc = -EINVAL;
	} else if ((rc = pki_key_load(store, id->label, &id->key, NULL, err)) == 0 &&
	    X509_check_private_key(id->cert, id->key) != 1) {
		pki_error_set(err, "its certificate does not match key pair %s "
		    "(was the key pair generated again after the import? enrol "
		    "again)", id->label);
		rc = -EKEYREJECTED;
	}
	if (rc == 0)
		rc = identity_chain(store, id, certs, err);
	sk_X509_pop_free(certs, X509_free);
	ERR_clear_error();
	return rc;
}

/*
 * Key, certificate and chain of a trustpoint, ready for
 * SSL_CTX_use_cert_and_key(ctx, id->cert, id->key, id->chain, 1). Dates
 * are not judged here; pki_expiry_check reports them.
 */
int
pki_identity_load(const char *store, const char *tp, struct pki_identity **out,
    struct pki_error *err)
{
	struct pki_identity	*id;
	int			 rc;

	*out = NULL;
	if (!pki_name_valid(tp)) {
		pki_error_set(err, "\"%s\" is not a usable trustpoint name", tp);
		return -EINVAL;
	}
	if ((id = calloc(1, sizeof(*id))) == NULL) {
		pki_error_set(err, "out of memory");
		return -ENOMEM;
	}
	snprintf(id->trustpoint, sizeof(id->trustpoint), "%s", tp);
	if ((rc = identity_fill(store, id, err)) != 0) {
		pki_error_prefix(err, "cannot load the identity of trustpoint %s: ",
		    tp);
		pki_identity_free(id);
		return rc;
	}
	*out = id;
	return 0;
}

void
pki_identity_free(struct pki_identity *id)
{
	if (id == NULL)
		return;
	EVP_PKEY_free(id->key);
	X509_free(id->cert);
	sk_X509_pop_free(id->chain, X509_free);
	free(id);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Trustpoints in the store and in the configuration, sorted, each once. */
int
pki_trustpoint_list(const char *store, const struct config *cfg, char ***out,
    size_t *n, struct pki_error *err)
{
	char	dir[4096], **v, **nv;
	size_t	nv_len;
	int	rc;

	if ((rc = store_path(dir, sizeof(dir), err, "%s/%s", store,
	    PKI_DIR_TRUSTPOINTS)) != 0 ||
	    (rc = store_list(dir, NULL, true, &v, &nv_len, err)) != 0)
		return rc;
	for (size_t i = 0; cfg != NULL && i < cfg->ntrustpoints; i++) {
		const char *name = cfg->trustpoints[i].name;
		bool known = false;

		for (size_t j = 0; j < nv_len && !known; j++)
			known = strcmp(v[j], name) == 0;
		if (known)
			continue;
		if ((nv = realloc(v, (nv_len + 1) * sizeof(*v))) == NULL ||
		    (nv[nv_len] = strdup(name)) == NULL) {
			store_names_free(nv ? nv : v, nv_len);
			pki_error_set(err, "out of memory");
			return -ENOMEM;
		}
		v = nv;
		nv_len++;
	}
	if (nv_len > 1)
		qsort(v, nv_len, sizeof(*v), name_cmp);
	*out = v;
	*n = nv_len;
	return 0;
}

/* ---- display --------------------------------------------------------- */

static void
print_name(FILE *fp, const X509_NAME *name, const char *indent)
{
	for (int i = 0; i < X509_NAME_entry_count(name); i++) {
		const X509_NAME_ENTRY	*e = X509_NAME_get_entry(name, i);
		unsigned char		*utf8;
		char			 sn[64];
		int			 len;

		snprintf(sn, sizeof(sn), "%s",
		    OBJ_nid2sn(OBJ_obj2nid(X509_NAME_ENTRY_get_object(e))));
		/* IOS prints "cn=", "ou="; names like serialNumber stay as they are */
		if (strspn(sn, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == strlen(sn))
			for (char *s = sn; *s; s++)
				*s = (char)tolower((unsigned char)*s);
		if ((len = ASN1_STRING_to_UTF8(&utf8,
		    X509_NAME_ENTRY_get_data(e))) < 0)
			continue;
		fprintf(fp, "%s%s=%.*s\n", indent, sn, len, utf8);
		OPENSSL_free(utf8);
	}
}

static void
print_sans(FILE *fp, X509 *x)
{
	GENERAL_NAMES	*gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	char		 ip[INET6_ADDRSTRLEN];

	if (gens == NULL)
		return;
	fprintf(fp, "  Subject Alternative Names:\n");
	for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME	*g = sk_GENERAL_NAME_value(gens, i);
		const ASN1_STRING	*s = g->d.ia5;

		if (g->type == GEN_DNS || g->type == GEN_EMAIL || g->type == GEN_URI)
			fprintf(fp, "    %s: %.*s\n", g->type == GEN_DNS ? "DNS" :
			    g->type == GEN_EMAIL ? "email" : "URI",
			    ASN1_STRING_length(s), ASN1_STRING_get0_data(s));
		else if (g->type == GEN_IPADD && (ASN1_STRING_length(s) == 4 ||
		    ASN1_STRING_length(s) == 16) && inet_ntop(ASN1_STRING_length(s)
		    == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(s), ip,
		    sizeof(ip)) != NULL)
			fprintf(fp, "    IP Address: %s\n", ip);
	}
	GENERAL_NAMES_free(gens);
}

static void
print_serial(FILE *fp, const X509 *x)
{
	BIGNUM	*bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char	*hex = bn ? BN_bn2hex(bn) : NULL;

	fprintf(fp, "  Certificate Serial Number (hex): %s\n", hex ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);
}

static void
print_validity(FILE *fp, const X509 *x, time_t now)
{
	time_t	nb = pki_asn1_time(X509_get0_notBefore(x));
	time_t	na = pki_asn1_time(X509_get0_notAfter(x));
	char	b1[64], b2[64];

	fprintf(fp, "  Validity Date:\n    start date: %s\n    end   date: %s\n",
	    pki_time_format(nb, b1, sizeof(b1)), pki_time_format(na, b2, sizeof(b2)));
	if (nb > now)
		fprintf(fp, "    not valid for another %lld hours: check this "
		    "system's clock (NTP)\n", ((long long)nb - now + 3599) / 3600);
	else if (na < now)
		fprintf(fp, "    expired %lld days ago\n", ((long long)now - na) / 86400);
	else
		fprintf(fp, "    days left: %lld\n", ((long long)na - now) / 86400);
}

static void
print_key(FILE *fp, const X509 *x)
{
	struct pki_key_info	info;
	EVP_PKEY		*pk = X509_get0_pubkey(x);

	memset(&info, 0, sizeof(info));
	if (pk == NULL)
		return;
	pki_key_describe(pk, &info);
	if (info.type == PKI_KEY_EC)
		fprintf(fp, "  Key: EC %s (%u bits)\n", info.curve, info.bits);
	else
		fprintf(fp, "  Key: %s %u bits\n", info.type == PKI_KEY_RSA ? "RSA" :
		    OBJ_nid2sn(EVP_PKEY_get_base_id(pk)), info.bits);
}

static const char *
cert_status(const X509 *x, time_t now)
{
	if (pki_asn1_time(X509_get0_notBefore(x)) > now)
		return "Not yet valid";
	if (pki_asn1_time(X509_get0_notAfter(x)) < now)
		return "Expired";
	return "Available";
}

void
pki_cert_print(FILE *fp, X509 *x, const char *title, const char *trustpoints,
    time_t now)
{
	char	fp1[PKI_FP_MAX], fp256[PKI_FP_MAX];
	int	cn = X509_NAME_get_index_by_NID(X509_get_subject_name(x),
		    NID_commonName, -1);

	fprintf(fp, "%s\n  Status: %s\n", title, cert_status(x, now));
	print_serial(fp, x);
	fprintf(fp, "  Certificate Usage: %s\n",
	    (X509_get_extension_flags(x) & EXFLAG_CA) ? "Signature" :
	    "General Purpose");
	fprintf(fp, "  Issuer:\n");
	print_name(fp, X509_get_issuer_name(x), "    ");
	fprintf(fp, "  Subject:\n");
	if (cn >= 0) {
		const ASN1_STRING *s = X509_NAME_ENTRY_get_data(
		    X509_NAME_get_entry(X509_get_subject_name(x), cn));

		fprintf(fp, "    Name: %.*s\n", ASN1_STRING_length(s),
		    ASN1_STRING_get0_data(s));
	}
	print_name(fp, X509_get_subject_name(x), "    ");
	print_sans(fp, x);
	print_validity(fp, x, now);
	print_key(fp, x);
	pki_fingerprint(x, EVP_sha1(), fp1, sizeof(fp1));
	pki_fingerprint(x, EVP_sha256(), fp256, sizeof(fp256));
	fprintf(fp, "  Fingerprint SHA1: %s\n  Fingerprint SHA256: %s\n", fp1,
	    fp256);
	fprintf(fp, "  Associated Trustpoints: %s\n\n", trustpoints);
}
