/*
 * CRLs: parse (DER or PEM), check (issuer name, signature with the issuer's
 * key, thisUpdate/nextUpdate against a given clock), look a serial up, and
 * list where a certificate says its CRL lives. No I/O but crl_load_file().
 */
#include "autoconf.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "revoke.h"

X509_CRL *
crl_parse(const unsigned char *buf, size_t len, char *err, size_t errlen)
{
	const unsigned char	*p = buf;
	X509_CRL		*crl;
	BIO			*bio;

	/* RFC 5280 publishes DER; files written by hand are often PEM. */
	if ((crl = d2i_X509_CRL(NULL, &p, (long)len)) != NULL)
		return crl;
	ERR_clear_error();
	if ((bio = BIO_new_mem_buf(buf, (int)len)) != NULL) {
		crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	if (crl == NULL) {
		snprintf(err, errlen, "malformed CRL (neither DER nor PEM)");
		ERR_clear_error();
	}
	return crl;
}

X509_CRL *
crl_load_file(const char *path, size_t max, char *err, size_t errlen)
{
	unsigned char	*buf;
	struct stat	 st;
	X509_CRL	*crl;
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		close(fd);
		return NULL;
	}
	if ((size_t)st.st_size > max) {
		snprintf(err, errlen, "larger than %zu bytes", max);
		close(fd);
		return NULL;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return NULL;
	}
	while (len < (size_t)st.st_size &&
	    ((n = read(fd, buf + len, (size_t)st.st_size - len)) > 0 ||
	    (n == -1 && errno == EINTR)))
		len += n > 0 ? (size_t)n : 0;
	close(fd);
	crl = crl_parse(buf, len, err, errlen);
	free(buf);
	return crl;
}

/* Time fields: thisUpdate not in the future, nextUpdate (if any) not past. */
static int
crl_check_times(X509_CRL *crl, time_t now, long skew, struct revoke_verdict *v,
    char *err, size_t errlen)
{
	const ASN1_TIME	*last = X509_CRL_get0_lastUpdate(crl);
	const ASN1_TIME	*next = X509_CRL_get0_nextUpdate(crl);
	char		 when[32];

	if (last == NULL || revoke_asn1_time(last, &v->this_update) == -1 ||
	    (next != NULL && revoke_asn1_time(next, &v->next_update) == -1)) {
		snprintf(err, errlen, "malformed CRL dates");
		return -1;
	}
	if (next == NULL)
		v->next_update = 0;
	if (v->this_update > now + skew) {
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&v->this_update));
		snprintf(err, errlen, "not yet valid (thisUpdate %s)", when);
		return -1;
	}
	if (next != NULL && v->next_update < now - skew) {
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&v->next_update));
		snprintf(err, errlen, "stale (nextUpdate %s)", when);
		return -1;
	}
	return 0;
}

int
crl_check(X509_CRL *crl, X509 *issuer, time_t now, long skew,
    struct revoke_verdict *v, char *err, size_t errlen)
{
	EVP_PKEY	*key;
	char		 got[128], want[128];
	int		 rc;

	memset(v, 0, sizeof(*v));
	v->reason = -1;
	v->answer = ANSWER_CANNOT;
	if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer))) {
		X509_NAME_oneline(X509_CRL_get_issuer(crl), got, sizeof(got));
		X509_NAME_oneline(X509_get_subject_name(issuer), want, sizeof(want));
		snprintf(err, errlen, "issued by %s, not by %s", got, want);
		return -1;
	}
	/* Only full CRLs: a delta alone would hide everything revoked earlier. */
	if (X509_CRL_get_ext_by_NID(crl, NID_delta_crl, -1) >= 0) {
		snprintf(err, errlen, "a delta CRL (not supported; publish full CRLs)");
		return -1;
	}
	if ((X509_get_key_usage(issuer) & KU_CRL_SIGN) == 0) {
		snprintf(err, errlen, "issuer's key usage does not allow CRL signing");
		return -1;
	}
	if ((key = X509_get0_pubkey(issuer)) == NULL ||
	    (rc = X509_CRL_verify(crl, key)) <= 0) {
		snprintf(err, errlen, "bad signature (not signed by the issuer's key)");
		revoke_openssl_errors(err, errlen);
		return -1;
	}
	return crl_check_times(crl, now, skew, v, err, errlen);
}

/*
 * Whether this CRL speaks for LEAF at all: an Issuing Distribution Point may
 * limit it to CA or end-entity certificates, to attribute certificates, or
 * to some reasons (a partitioned CRL, which would need its siblings).
 */
static int
crl_scope(X509_CRL *crl, X509 *leaf, char *err, size_t errlen)
{
	ISSUING_DIST_POINT	*idp;
	const char		*why = NULL;
	int			 crit = -1;
	bool			 ca = X509_check_ca(leaf) != 0;

	idp = X509_CRL_get_ext_d2i(crl, NID_issuing_distribution_point, &crit, NULL);
	if (idp == NULL) {
		if (crit == -1)
			return 0;
		why = "malformed or repeated Issuing Distribution Point";
	} else if (idp->onlyCA > 0 && !ca)
		why = "covers CA certificates only";
	else if (idp->onlyuser > 0 && ca)
		why = "covers end-entity certificates only";
	else if (idp->onlyattr > 0)
		why = "covers attribute certificates only";
	else if (idp->onlysomereasons != NULL)
		why = "covers some revocation reasons only (partitioned CRLs are "
		    "not supported)";
	ISSUING_DIST_POINT_free(idp);
	ERR_clear_error();
	if (why == NULL)
		return 0;
	snprintf(err, errlen, "%s", why);
	return -1;
}

/*
 * 1: LEAF is listed (v filled in); 0: it is not; -1: this CRL cannot vouch
 * for LEAF (err says why). Entries match on issuer and serial, so an
 * indirect CRL's entries for other issuers are not taken for LEAF's.
 */
int
crl_lookup(X509_CRL *crl, X509 *leaf, struct revoke_verdict *v, char *err,
    size_t errlen)
{
	X509_REVOKED		*rev = NULL;
	ASN1_ENUMERATED		*reason;
	int			 crit;

	if (crl_scope(crl, leaf, err, errlen) == -1) {
		v->answer = ANSWER_CANNOT;
		return -1;
	}
	/* 2 means "removeFromCRL", only meaningful in delta CRLs: not revoked. */
	if (X509_CRL_get0_by_cert(crl, &rev, leaf) != 1) {
		v->answer = ANSWER_GOOD;
		return 0;
	}
	v->answer = ANSWER_REVOKED;
	v->reason = -1;
	reason = X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, &crit, NULL);
	if (reason != NULL) {
		v->reason = (int)ASN1_ENUMERATED_get(reason);
		ASN1_ENUMERATED_free(reason);
	}
	if (revoke_asn1_time(X509_REVOKED_get0_revocationDate(rev), &v->revoked_at) == -1)
		v->revoked_at = 0;
	return 1;
}

bool
crl_source_is_file(const char *source)
{
	return strncasecmp(source, "http://", 7) != 0 &&
	    strncasecmp(source, "https://", 8) != 0 &&
	    strncasecmp(source, "ldap://", 7) != 0;
}

static void __attribute__((format(printf, 3, 4)))
crl_note_add(char *note, size_t len, const char *fmt, ...)
{
	size_t	 used = strlen(note);
	va_list	 ap;

	if (used + 3 >= len)
		return;
	if (used > 0) {
		strcpy(note + used, "; ");
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(note + used, len - used, fmt, ap);
	va_end(ap);
}

/* The http:// URIs among one distribution point's full names. */
static size_t
crl_dp_uris(const DIST_POINT *dp, char urls[][REVOKE_URL_MAX], size_t n,
    size_t max, char *note, size_t notelen)
{
	GENERAL_NAMES		*names;
	const GENERAL_NAME	*gn;
	const char		*uri;

	if (dp->distpoint == NULL || dp->distpoint->type != 0)
		return n;	/* a relative name needs the CRL issuer's DN: unused */
	names = dp->distpoint->name.fullname;
	for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		gn = sk_GENERAL_NAME_value(names, i);
		if (gn->type != GEN_URI)
			continue;
		uri = (const char *)ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier);
		if (strncasecmp(uri, "http://", 7) != 0)
			crl_note_add(note, notelen, "%s unsupported scheme", uri);
		else if (strlen(uri) >= REVOKE_URL_MAX)
			crl_note_add(note, notelen, "%.64s... URL too long", uri);
		else if (n < max)
			snprintf(urls[n++], REVOKE_URL_MAX, "%s", uri);
	}
	return n;
}

/*
 * The CRL sources for LEAF: the configured one alone, or the http:// URIs of
 * its distribution points in order. NOTE says what was passed over.
 */
size_t
crl_sources(X509 *leaf, const char *configured, char urls[][REVOKE_URL_MAX],
    size_t max, char *note, size_t notelen)
{
	STACK_OF(DIST_POINT)	*dps;
	size_t			 n = 0;

	note[0] = '\0';
	if (configured != NULL && configured[0] != '\0') {
		snprintf(urls[0], REVOKE_URL_MAX, "%s", configured);
		return 1;
	}
	dps = X509_get_ext_d2i(leaf, NID_crl_distribution_points, NULL, NULL);
	for (int i = 0; i < sk_DIST_POINT_num(dps); i++)
		n = crl_dp_uris(sk_DIST_POINT_value(dps, i), urls, n, max, note,
		    notelen);
	sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
	if (n == 0 && note[0] == '\0')
		snprintf(note, notelen, "no CRL source (no \"crl query\" and no "
		    "CRL distribution point in the certificate)");
	return n;
}
