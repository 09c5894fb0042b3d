/*
 * Unit tests for revocation's pure parts: CRL checks and lookups and OCSP
 * response checks on files the fixture (tests/pki/revoke_ca.sh) makes with
 * "openssl ca" and "openssl ocsp", the HTTP client's parsing against canned
 * answers from a loopback thread, and the engine on file sources only.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "config.h"
#include "pki/http.h"
#include "pki/revoke.h"

static char	 fx[256];	/* the fixture directory */

static char *
fx_path(const char *name)
{
	static char	 path[512];

	snprintf(path, sizeof(path), "%s/%s", fx, name);
	return path;
}

static X509 *
load_cert(const char *name)
{
	FILE	*fp = fopen(fx_path(name), "r");
	X509	*x;

	ck_assert_msg(fp != NULL, "%s: %s", fx_path(name), strerror(errno));
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	ck_assert_ptr_nonnull(x);
	return x;
}

static unsigned char *
load_file(const char *name, size_t *len)
{
	FILE		*fp = fopen(fx_path(name), "rb");
	unsigned char	*buf;
	struct stat	 st;

	ck_assert_msg(fp != NULL, "%s: %s", fx_path(name), strerror(errno));
	ck_assert_int_eq(fstat(fileno(fp), &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	ck_assert_ptr_nonnull(buf);
	*len = fread(buf, 1, (size_t)st.st_size, fp);
	fclose(fp);
	return buf;
}

static X509_CRL *
load_crl(const char *name)
{
	char		 err[256];
	X509_CRL	*crl = crl_load_file(fx_path(name), 1 << 20, err, sizeof(err));

	ck_assert_msg(crl != NULL, "%s: %s", name, err);
	return crl;
}

static X509_STORE *
store_of(const char *name)
{
	X509_STORE	*st = X509_STORE_new();
	X509		*x = load_cert(name);

	ck_assert_int_eq(X509_STORE_add_cert(st, x), 1);
	X509_free(x);
	return st;
}

/* CRLs ---------------------------------------------------------------------- */

START_TEST(crl_current_verifies)
{
	X509		*ca = load_cert("ca.crt");
	X509_CRL	*crl = load_crl("crl-current.der");
	struct revoke_verdict v;
	char		 err[256] = "";

	ck_assert_int_eq(crl_check(crl, ca, time(NULL), 300, &v, err, sizeof(err)), 0);
	ck_assert_msg(v.this_update <= time(NULL) && v.next_update > time(NULL),
	    "this %ld next %ld", (long)v.this_update, (long)v.next_update);
	X509_CRL_free(crl);
	X509_free(ca);
}
END_TEST

START_TEST(crl_pem_and_der_parse_alike)
{
	X509_CRL	*a = load_crl("crl-current.der"), *b = load_crl("crl-current.pem");
	unsigned char	 junk[64] = "not a CRL at all";
	char		 err[256];

	ck_assert_int_eq(X509_CRL_cmp(a, b), 0);
	ck_assert_ptr_null(crl_parse(junk, sizeof(junk), err, sizeof(err)));
	ck_assert_str_eq(err, "malformed CRL (neither DER nor PEM)");
	X509_CRL_free(a);
	X509_CRL_free(b);
}
END_TEST

START_TEST(crl_stale_refused_by_the_clock)
{
	X509		*ca = load_cert("ca.crt");
	X509_CRL	*crl = load_crl("crl-stale.der");
	struct revoke_verdict v;
	char		 err[256];
	time_t		 now = time(NULL);

	ck_assert_int_eq(crl_check(crl, ca, now, 300, &v, err, sizeof(err)), -1);
	ck_assert_msg(strncmp(err, "stale (nextUpdate ", 18) == 0, "%s", err);
	/* The same CRL, two days ago: fresh then. */
	ck_assert_int_eq(crl_check(crl, ca, now - 2 * 86400 + 3600, 300, &v, err,
	    sizeof(err)), 0);
	/* A skew of two days forgives it: the skew is really applied. */
	ck_assert_int_eq(crl_check(crl, ca, now, 2 * 86400, &v, err, sizeof(err)), 0);
	X509_CRL_free(crl);
	X509_free(ca);
}
END_TEST

START_TEST(crl_not_yet_valid)
{
	X509		*ca = load_cert("ca.crt");
	X509_CRL	*crl = load_crl("crl-current.der");
	struct revoke_verdict v;
	char		 err[256];

	ck_assert_int_eq(crl_check(crl, ca, time(NULL) - 86400, 300, &v, err,
	    sizeof(err)), -1);
	ck_assert_msg(strncmp(err, "not yet valid", 13) == 0, "%s", err);
	X509_CRL_free(crl);
	X509_free(ca);
}
END_TEST

START_TEST(crl_bad_signature_same_name)
{
	X509		*ca = load_cert("ca.crt");
	X509_CRL	*crl = load_crl("crl-badsig.der");
	struct revoke_verdict v;
	char		 err[512];

	ck_assert_int_eq(crl_check(crl, ca, time(NULL), 300, &v, err, sizeof(err)), -1);
	ck_assert_msg(strncmp(err, "bad signature", 13) == 0, "%s", err);
	ck_assert_int_eq(v.answer, ANSWER_CANNOT);
	/* The key that did sign it verifies it: only the key differed. */
	X509_free(ca);
	ca = load_cert("evil.crt");
	ck_assert_int_eq(crl_check(crl, ca, time(NULL), 300, &v, err, sizeof(err)), 0);
	X509_CRL_free(crl);
	X509_free(ca);
}
END_TEST

START_TEST(crl_other_issuer_and_delta)
{
	X509		*ca = load_cert("ca.crt");
	X509_CRL	*other = load_crl("crl-otherca.der");
	X509_CRL	*delta = load_crl("crl-delta.der");
	struct revoke_verdict v;
	char		 err[512];

	ck_assert_int_eq(crl_check(other, ca, time(NULL), 300, &v, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "Other CA") && strstr(err, ", not by "), "%s", err);
	ck_assert_int_eq(crl_check(delta, ca, time(NULL), 300, &v, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "delta CRL") != NULL, "%s", err);
	X509_CRL_free(other);
	X509_CRL_free(delta);
	X509_free(ca);
}
END_TEST

START_TEST(crl_issuer_must_be_allowed_to_sign_crls)
{
	X509		*ca = load_cert("ca-nocrlsign.crt");
	X509_CRL	*crl = load_crl("crl-current.der");
	struct revoke_verdict v;
	char		 err[512];

	/* Same name, same key: the signature verifies, the key usage forbids. */
	ck_assert_int_eq(crl_check(crl, ca, time(NULL), 300, &v, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "issuer's key usage does not allow CRL signing");
	X509_CRL_free(crl);
	X509_free(ca);
}
END_TEST

START_TEST(crl_lookup_revoked_and_good)
{
	X509		*rev = load_cert("leaf-revoked.crt"), *good = load_cert("leaf-good.crt");
	X509		*other = load_cert("other-ca.crt");
	X509_CRL	*crl = load_crl("crl-current.der");
	struct revoke_verdict v;
	char		 err[256];

	memset(&v, 0, sizeof(v));
	ck_assert_int_eq(crl_lookup(crl, rev, &v, err, sizeof(err)), 1);
	ck_assert_int_eq(v.answer, ANSWER_REVOKED);
	ck_assert_int_eq(v.reason, 1);	/* keyCompromise */
	ck_assert_str_eq(revoke_reason_name(v.reason), "keyCompromise");
	ck_assert_msg(v.revoked_at > time(NULL) - 86400 && v.revoked_at <= time(NULL),
	    "revoked_at %ld", (long)v.revoked_at);
	memset(&v, 0, sizeof(v));
	ck_assert_int_eq(crl_lookup(crl, good, &v, err, sizeof(err)), 0);
	ck_assert_int_eq(v.answer, ANSWER_GOOD);
	/* Same serial under another issuer: not the revoked certificate. */
	ASN1_INTEGER_set_int64(X509_get_serialNumber(other), 0x1001);
	ck_assert_int_eq(crl_lookup(crl, other, &v, err, sizeof(err)), 0);
	X509_CRL_free(crl);
	X509_free(rev);
	X509_free(good);
	X509_free(other);
}
END_TEST

START_TEST(crl_scope_limited_by_idp)
{
	X509		*leaf = load_cert("leaf-revoked.crt"), *ca = load_cert("ca.crt");
	X509_CRL	*crl = load_crl("crl-onlyca.der");
	struct revoke_verdict v;
	char		 err[256];

	ck_assert_int_eq(crl_check(crl, ca, time(NULL), 300, &v, err, sizeof(err)), 0);
	ck_assert_int_eq(crl_lookup(crl, leaf, &v, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "covers CA certificates only");
	ck_assert_int_eq(v.answer, ANSWER_CANNOT);
	/* A CA certificate is in its scope. */
	ck_assert_int_eq(crl_lookup(crl, ca, &v, err, sizeof(err)), 0);
	X509_CRL_free(crl);
	X509_free(leaf);
	X509_free(ca);
}
END_TEST

START_TEST(crl_sources_from_certificate)
{
	char	 urls[REVOKE_SOURCES_MAX][REVOKE_URL_MAX], note[512];
	X509	*good = load_cert("leaf-good.crt"), *two = load_cert("leaf-twodp.crt");
	X509	*none = load_cert("leaf-nodp.crt");

	ck_assert_uint_eq(crl_sources(good, "", urls, REVOKE_SOURCES_MAX, note,
	    sizeof(note)), 1);
	ck_assert_str_eq(urls[0], "http://127.0.0.1:8001/ca.crl");
	ck_assert_uint_eq(crl_sources(good, "/etc/x.crl", urls, REVOKE_SOURCES_MAX,
	    note, sizeof(note)), 1);
	ck_assert_str_eq(urls[0], "/etc/x.crl");
	ck_assert(crl_source_is_file(urls[0]));
	ck_assert(!crl_source_is_file("http://a/b"));
	ck_assert(!crl_source_is_file("ldap://a/b"));
	ck_assert_uint_eq(crl_sources(two, NULL, urls, REVOKE_SOURCES_MAX, note,
	    sizeof(note)), 2);
	ck_assert_str_eq(urls[0], "http://127.0.0.1:8003/ca.crl");
	ck_assert_str_eq(urls[1], "http://127.0.0.1:8001/ca.crl");
	ck_assert_str_eq(note, "ldap://127.0.0.1/cn=ca unsupported scheme");
	ck_assert_uint_eq(crl_sources(two, NULL, urls, 1, note, sizeof(note)), 1);
	ck_assert_uint_eq(crl_sources(none, NULL, urls, REVOKE_SOURCES_MAX, note,
	    sizeof(note)), 0);
	ck_assert_msg(strncmp(note, "no CRL source", 13) == 0, "%s", note);
	X509_free(good);
	X509_free(two);
	X509_free(none);
}
END_TEST

/* OCSP ---------------------------------------------------------------------- */

struct ocsp_case {
	X509		*leaf, *ca;
	X509_STORE	*trust;
	OCSP_CERTID	*id;
	OCSP_REQUEST	*req;
	unsigned char	*resp;
	size_t		 len;
	struct revoke_verdict v;
	char		 err[512];
};

static OCSP_REQUEST *
load_req(const char *name)
{
	size_t			 len;
	unsigned char		*buf = load_file(name, &len);
	const unsigned char	*p = buf;
	OCSP_REQUEST		*req = d2i_OCSP_REQUEST(NULL, &p, (long)len);

	free(buf);
	ck_assert_ptr_nonnull(req);
	return req;
}

static void
ocsp_setup(struct ocsp_case *c, const char *leaf, const char *resp,
    const char *req)
{
	memset(c, 0, sizeof(*c));
	c->leaf = load_cert(leaf);
	c->ca = load_cert("ca.crt");
	c->trust = store_of("ca.crt");
	c->id = OCSP_cert_to_id(NULL, c->leaf, c->ca);
	c->req = req ? load_req(req) : NULL;
	c->resp = load_file(resp, &c->len);
}

static int
ocsp_run(struct ocsp_case *c, time_t now)
{
	return ocsp_response_check(c->resp, c->len, c->req, c->id, c->ca, c->trust,
	    now, 300, &c->v, c->err, sizeof(c->err));
}

static void
ocsp_teardown(struct ocsp_case *c)
{
	X509_free(c->leaf);
	X509_free(c->ca);
	X509_STORE_free(c->trust);
	OCSP_CERTID_free(c->id);
	OCSP_REQUEST_free(c->req);
	free(c->resp);
}

START_TEST(ocsp_good_with_nonce)
{
	struct ocsp_case c;

	ocsp_setup(&c, "leaf-good.crt", "ocsp-resp-good.der", "ocsp-req-good.der");
	ck_assert_msg(ocsp_run(&c, time(NULL)) == 0, "%s", c.err);
	ck_assert_int_eq(c.v.answer, ANSWER_GOOD);
	ck_assert_str_eq(c.v.remark, "");
	ck_assert(c.v.next_update > c.v.this_update);
	ocsp_teardown(&c);
}
END_TEST

START_TEST(ocsp_revoked)
{
	struct ocsp_case c;

	ocsp_setup(&c, "leaf-revoked.crt", "ocsp-resp-revoked.der",
	    "ocsp-req-revoked.der");
	ck_assert_msg(ocsp_run(&c, time(NULL)) == 0, "%s", c.err);
	ck_assert_int_eq(c.v.answer, ANSWER_REVOKED);
	ck_assert_int_eq(c.v.reason, 1);
	ck_assert(c.v.revoked_at > 0);
	ocsp_teardown(&c);
}
END_TEST

START_TEST(ocsp_unknown_cannot_answer)
{
	struct ocsp_case c;

	ocsp_setup(&c, "leaf-unknown.crt", "ocsp-resp-unknown.der",
	    "ocsp-req-unknown.der");
	ck_assert_int_eq(ocsp_run(&c, time(NULL)), -1);
	ck_assert_int_eq(c.v.answer, ANSWER_CANNOT);
	ck_assert_str_eq(c.err, "responder does not know the certificate (unknown)");
	ocsp_teardown(&c);
}
END_TEST

START_TEST(ocsp_wrong_nonce_refused)
{
	struct ocsp_case c;

	/* The answer to one request, checked against another one's nonce. */
	ocsp_setup(&c, "leaf-good.crt", "ocsp-resp-good.der", "ocsp-req-good2.der");
	ck_assert_int_eq(ocsp_run(&c, time(NULL)), -1);
	ck_assert_msg(strncmp(c.err, "nonce mismatch", 14) == 0, "%s", c.err);
	ck_assert_int_eq(c.v.answer, ANSWER_CANNOT);
	ocsp_teardown(&c);
}
END_TEST

START_TEST(ocsp_missing_nonce_accepted_with_remark)
{
	struct ocsp_case c;

	ocsp_setup(&c, "leaf-good.crt", "ocsp-resp-nononce.der", "ocsp-req-good.der");
	ck_assert_msg(ocsp_run(&c, time(NULL)) == 0, "%s", c.err);
	ck_assert_int_eq(c.v.answer, ANSWER_GOOD);
	ck_assert_msg(strstr(c.v.remark, "did not echo the nonce") != NULL, "%s",
	    c.v.remark);
	ocsp_teardown(&c);
}
END_TEST

START_TEST(ocsp_unauthorised_signer_refused)
{
	struct ocsp_case c;

	ocsp_setup(&c, "leaf-good.crt", "ocsp-resp-unauth.der", "ocsp-req-good.der");
	ck_assert_int_eq(ocsp_run(&c, time(NULL)), -1);
	ck_assert_msg(strncmp(c.err, "response not signed by the CA", 29) == 0, "%s",
	    c.err);
	ocsp_teardown(&c);
}
END_TEST

START_TEST(ocsp_foreign_trust_store_refused)
{
	struct ocsp_case c;

	ocsp_setup(&c, "leaf-good.crt", "ocsp-resp-good.der", "ocsp-req-good.der");
	X509_STORE_free(c.trust);
	c.trust = store_of("other-ca.crt");
	ck_assert_int_eq(ocsp_run(&c, time(NULL)), -1);
	ck_assert_msg(strstr(c.err, "not signed by the CA") != NULL, "%s", c.err);
	ocsp_teardown(&c);
}
END_TEST

START_TEST(ocsp_signed_by_the_ca_without_next_update)
{
	struct ocsp_case c;

	ocsp_setup(&c, "leaf-good.crt", "ocsp-resp-good-byca-nonext.der",
	    "ocsp-req-good.der");
	ck_assert_msg(ocsp_run(&c, time(NULL)) == 0, "%s", c.err);
	ck_assert_int_eq(c.v.answer, ANSWER_GOOD);
	ck_assert_int_eq(c.v.next_update, 0);
	/* No nextUpdate: never stale by date, the engine's TTL bounds it. */
	ck_assert_msg(ocsp_run(&c, time(NULL) + 30 * 86400) == 0, "%s", c.err);
	ocsp_teardown(&c);
}
END_TEST

START_TEST(ocsp_times_on_the_given_clock)
{
	struct ocsp_case c;

	ocsp_setup(&c, "leaf-good.crt", "ocsp-resp-good.der", NULL);
	ck_assert_msg(ocsp_run(&c, time(NULL)) == 0, "cached answer, no nonce: %s",
	    c.err);
	ck_assert_int_eq(ocsp_run(&c, time(NULL) + 2 * 3600), -1);
	ck_assert_msg(strncmp(c.err, "stale (nextUpdate ", 18) == 0, "%s", c.err);
	ck_assert_int_eq(ocsp_run(&c, time(NULL) - 3600), -1);
	ck_assert_msg(strncmp(c.err, "not yet valid", 13) == 0, "%s", c.err);
	ocsp_teardown(&c);
}
END_TEST

START_TEST(ocsp_answer_for_another_certificate)
{
	struct ocsp_case c;

	ocsp_setup(&c, "leaf-revoked.crt", "ocsp-resp-good.der", NULL);
	ck_assert_int_eq(ocsp_run(&c, time(NULL)), -1);
	ck_assert_str_eq(c.err, "no status for this certificate in the answer");
	ocsp_teardown(&c);
}
END_TEST

START_TEST(ocsp_malformed)
{
	struct ocsp_case c;

	ocsp_setup(&c, "leaf-good.crt", "ca.crt", NULL);
	ck_assert_int_eq(ocsp_run(&c, time(NULL)), -1);
	ck_assert_str_eq(c.err, "malformed OCSP response");
	ocsp_teardown(&c);
}
END_TEST

START_TEST(ocsp_request_carries_nonce_and_id)
{
	X509			*leaf = load_cert("leaf-good.crt"), *ca = load_cert("ca.crt");
	OCSP_CERTID		*id = OCSP_cert_to_id(NULL, leaf, ca);
	unsigned char		*der;
	const unsigned char	*p;
	size_t			 len;
	char			 err[256];
	OCSP_REQUEST		*req = ocsp_request_new(id, &der, &len, err, sizeof(err)), *back;

	ck_assert_ptr_nonnull(req);
	p = der;
	back = d2i_OCSP_REQUEST(NULL, &p, (long)len);
	ck_assert_ptr_nonnull(back);
	ck_assert_int_ge(OCSP_REQUEST_get_ext_by_NID(back, NID_id_pkix_OCSP_Nonce, -1), 0);
	ck_assert_int_eq(OCSP_request_onereq_count(back), 1);
	ck_assert_int_eq(OCSP_id_cmp(OCSP_onereq_get0_id(OCSP_request_onereq_get0(back, 0)),
	    id), 0);
	OCSP_REQUEST_free(back);
	OCSP_REQUEST_free(req);
	OPENSSL_free(der);
	OCSP_CERTID_free(id);
	X509_free(leaf);
	X509_free(ca);
}
END_TEST

START_TEST(ocsp_responder_from_aia_or_config)
{
	X509	*good = load_cert("leaf-good.crt"), *none = load_cert("leaf-nodp.crt");
	char	 url[REVOKE_URL_MAX], note[256];

	ck_assert_int_eq(ocsp_responder_url(good, "", url, sizeof(url), note,
	    sizeof(note)), 0);
	ck_assert_str_eq(url, "http://127.0.0.1:8002/");
	ck_assert_int_eq(ocsp_responder_url(good, "http://r.example/", url,
	    sizeof(url), note, sizeof(note)), 0);
	ck_assert_str_eq(url, "http://r.example/");
	ck_assert_int_eq(ocsp_responder_url(none, NULL, url, sizeof(url), note,
	    sizeof(note)), -1);
	ck_assert_msg(strncmp(note, "no responder", 12) == 0, "%s", note);
	X509_free(good);
	X509_free(none);
}
END_TEST

/* Helpers and names ----------------------------------------------------------- */

START_TEST(names_and_formats)
{
	struct revoke_result	 r;
	ASN1_INTEGER		*i = ASN1_INTEGER_new();
	char			 buf[512];

	ck_assert_str_eq(revoke_reason_name(-1), "no reason given");
	ck_assert_str_eq(revoke_reason_name(6), "certificateHold");
	ck_assert_str_eq(revoke_reason_name(99), "unknown reason");
	ck_assert_str_eq(revoke_method_name(REVOKE_OCSP), "ocsp");
	ck_assert_str_eq(revoke_status_name(REVOKE_UNDETERMINED), "undetermined");
	ASN1_INTEGER_set_int64(i, 0x1001);
	ck_assert_int_eq(revoke_serial_hex(i, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "1001");
	ck_assert_int_eq(revoke_serial_hex(i, buf, 4), -1);	/* never cut */
	ASN1_INTEGER_free(i);
	ck_assert(revoke_trustpoint_dir_ok("CUBE-TrustPoint"));
	ck_assert(!revoke_trustpoint_dir_ok("../x"));
	ck_assert(!revoke_trustpoint_dir_ok("a/b"));
	ck_assert(!revoke_trustpoint_dir_ok(".hidden"));
	memset(&r, 0, sizeof(r));
	r.status = REVOKE_GOOD;
	r.method = REVOKE_NONE;
	revoke_result_format(&r, buf, sizeof(buf));
	ck_assert_str_eq(buf, "good: not checked (revocation-check none)");
	r.status = REVOKE_REVOKED;
	r.method = REVOKE_CRL;
	r.origin = REVOKE_FROM_DISK;
	r.reason = 1;
	r.revoked_at = 86400;
	snprintf(r.source, sizeof(r.source), "http://x/ca.crl");
	revoke_result_format(&r, buf, sizeof(buf));
	ck_assert_str_eq(buf, "revoked by crl http://x/ca.crl (keyCompromise since "
	    "1970-01-02T00:00:00Z, from disk)");
}
END_TEST

/* HTTP: URL parsing, and answers a real server would not send ------------------ */

START_TEST(http_urls)
{
	struct http_url	 u;
	char		 err[256];

	ck_assert_int_eq(http_url_parse("http://ca.example/crl/ca.crl", &u, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(u.host, "ca.example");
	ck_assert_str_eq(u.port, "80");
	ck_assert_str_eq(u.path, "/crl/ca.crl");
	ck_assert_int_eq(http_url_parse("HTTP://[::1]:8080", &u, err, sizeof(err)), 0);
	ck_assert_str_eq(u.host, "::1");
	ck_assert_str_eq(u.port, "8080");
	ck_assert_str_eq(u.path, "/");
	ck_assert(u.ipv6_literal);
	ck_assert_int_eq(http_url_parse("http://h?q=1#frag", &u, err, sizeof(err)), 0);
	ck_assert_str_eq(u.path, "/?q=1");
	ck_assert_int_eq(http_url_parse("https://h/", &u, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(http_url_parse("ldap://h/", &u, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(http_url_parse("http://h:0/", &u, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(http_url_parse("http://h:65536/", &u, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(http_url_parse("http://h:8x/", &u, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(http_url_parse("http://u@h/", &u, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(http_url_parse("http:///x", &u, err, sizeof(err)), -EINVAL);
	/* No header smuggling through the path. */
	ck_assert_int_eq(http_url_parse("http://h/a\r\nX: y", &u, err, sizeof(err)),
	    -EINVAL);
	ck_assert_int_eq(http_url_parse("http://h/a b", &u, err, sizeof(err)), -EINVAL);
}
END_TEST

struct canned {
	int		 lfd;
	const char	*answer;	/* NULL: read the request, then close */
	size_t		 len;
	char		 request[2048];
};

/* One connection: read the request head, send the canned bytes, close. */
static void *
canned_serve(void *arg)
{
	struct canned	*c = arg;
	ssize_t		 n;
	size_t		 got = 0;
	int		 fd = accept(c->lfd, NULL, NULL);

	if (fd == -1)
		return NULL;
	while (got < sizeof(c->request) - 1 &&
	    (n = recv(fd, c->request + got, sizeof(c->request) - 1 - got, 0)) > 0) {
		got += (size_t)n;
		c->request[got] = '\0';
		if (strstr(c->request, "\r\n\r\n"))
			break;
	}
	if (c->answer != NULL && send(fd, c->answer, c->len, MSG_NOSIGNAL) < 0)
		got = 0;
	close(fd);
	return NULL;
}

static int
canned_exchange(const char *answer, const struct http_request *req,
    struct http_response *r, char *err, size_t errlen, char *request);

static int
canned_fetch(const char *answer, size_t max, struct http_response *r,
    char *err, size_t errlen, char *request)
{
	struct http_request	 req = { .method = "GET", .max_body = max,
				    .timeout_ms = 3000, .max_redirects = 2 };

	return canned_exchange(answer, &req, r, err, errlen, request);
}

static int
canned_exchange(const char *answer, const struct http_request *req,
    struct http_response *r, char *err, size_t errlen, char *request)
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	socklen_t		 slen = sizeof(sin);
	struct canned		 c = { .answer = answer, .len = answer ? strlen(answer) : 0 };
	pthread_t		 t;
	char			 url[64];
	int			 rc;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c.lfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(c.lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(c.lfd, 1), 0);
	ck_assert_int_eq(getsockname(c.lfd, (struct sockaddr *)&sin, &slen), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/ca.crl", ntohs(sin.sin_port));
	ck_assert_int_eq(pthread_create(&t, NULL, canned_serve, &c), 0);
	rc = http_fetch(url, req, r, err, errlen);
	pthread_join(t, NULL);
	close(c.lfd);
	if (request != NULL)
		strcpy(request, c.request);
	return rc;
}

START_TEST(http_answers)
{
	struct http_response	 r;
	char			 err[256], request[2048];

	ck_assert_int_eq(canned_fetch("HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n"
	    "hello", 100, &r, err, sizeof(err), request), 0);
	ck_assert_uint_eq(r.len, 5);
	ck_assert_int_eq(memcmp(r.body, "hello", 5), 0);
	ck_assert_msg(strncmp(request, "GET /ca.crl HTTP/1.0\r\nHost: 127.0.0.1:", 38)
	    == 0, "%s", request);
	ck_assert(strstr(request, "\r\nConnection: close\r\n") != NULL);
	http_response_free(&r);

	/* Bare LFs and no Content-Length: the body runs to the close. */
	ck_assert_int_eq(canned_fetch("HTTP/1.1 200 OK\nContent-Type: x/y\n\nabc",
	    100, &r, err, sizeof(err), NULL), 0);
	ck_assert_uint_eq(r.len, 3);
	ck_assert_str_eq(r.content_type, "x/y");
	http_response_free(&r);

	ck_assert_int_eq(canned_fetch("HTTP/1.0 404 Not Found\r\n\r\n", 100, &r, err,
	    sizeof(err), NULL), -EPROTO);
	ck_assert_str_eq(err, "HTTP 404 Not Found");
	ck_assert_int_eq(canned_fetch("HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\n"
	    "abc", 100, &r, err, sizeof(err), NULL), -EPROTO);
	ck_assert_str_eq(err, "answer cut short (3 of 10 bytes)");
	ck_assert_int_eq(canned_fetch("HTTP/1.0 200 OK\r\nContent-Length: 101\r\n\r\n",
	    100, &r, err, sizeof(err), NULL), -EFBIG);
	ck_assert_int_eq(canned_fetch("HTTP/1.0 200 OK\r\n\r\n0123456789", 5, &r, err,
	    sizeof(err), NULL), -EFBIG);
	ck_assert_str_eq(err, "answer larger than 5 bytes");
	ck_assert_int_eq(canned_fetch("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
	    "\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 100, &r, err, sizeof(err), NULL), -EPROTO);
	ck_assert_msg(strstr(err, "chunked") != NULL, "%s", err);
	ck_assert_int_eq(canned_fetch("SSH-2.0-OpenSSH\r\n\r\n", 100, &r, err,
	    sizeof(err), NULL), -EPROTO);
	ck_assert_str_eq(err, "malformed answer: not an HTTP status line");
	ck_assert_int_eq(canned_fetch(NULL, 100, &r, err, sizeof(err), NULL), -EPROTO);
	ck_assert_str_eq(err, "connection closed without an answer");
	ck_assert_int_eq(canned_fetch("HTTP/1.0 302 Found\r\nLocation: ftp://x/\r\n\r\n",
	    100, &r, err, sizeof(err), NULL), -EPROTO);
	ck_assert_msg(strstr(err, "refused (not http://)") != NULL, "%s", err);
	ck_assert_int_eq(canned_fetch("HTTP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n",
	    100, &r, err, sizeof(err), NULL), -EPROTO);
}
END_TEST

START_TEST(http_post_never_follows_a_redirect)
{
	struct http_request	 req = { .method = "POST", .content_type = "a/b",
				    .body = "xyz", .body_len = 3, .max_body = 100,
				    .timeout_ms = 3000, .max_redirects = 2 };
	struct http_response	 r;
	char			 err[256], request[2048];

	ck_assert_int_eq(canned_exchange("HTTP/1.0 307 Temporary Redirect\r\n"
	    "Location: /elsewhere\r\n\r\n", &req, &r, err, sizeof(err), request),
	    -EPROTO);
	ck_assert_msg(strstr(err, "HTTP 307 redirect to http://127.0.0.1:") &&
	    strstr(err, "/elsewhere refused"), "%s", err);
	ck_assert_msg(strstr(request, "\r\nContent-Type: a/b\r\nContent-Length: 3"
	    "\r\n\r\nxyz") != NULL, "%s", request);
}
END_TEST

/* The engine on file sources: no network, still through the worker ----------- */

struct waiter {
	struct revoke_result	 res;
	int			 calls;
};

static void
waiter_cb(void *arg, const struct revoke_result *res)
{
	struct waiter	*w = arg;

	w->res = *res;
	w->calls++;
}

static void
engine_wait(struct revoke_engine *e, struct waiter *w)
{
	struct pollfd	 pfd = { .fd = revoke_engine_fd(e), .events = POLLIN };

	for (int i = 0; i < 50 && w->calls == 0; i++) {
		poll(&pfd, 1, 100);
		revoke_engine_dispatch(e);
	}
	ck_assert_int_eq(w->calls, 1);
}

static void
tp_init(struct trustpoint_config *tp, enum revocation_method m0,
    enum revocation_method m1, const char *crl)
{
	memset(tp, 0, sizeof(*tp));
	snprintf(tp->name, sizeof(tp->name), "TP");
	tp->revocation[0] = m0;
	tp->revocation[1] = m1;
	ck_assert_uint_lt(strlen(crl ? crl : ""), sizeof(tp->crl_url));
	snprintf(tp->crl_url, sizeof(tp->crl_url), "%.*s",
	    (int)sizeof(tp->crl_url) - 1, crl ? crl : "");
}

START_TEST(engine_none_answers_at_once)
{
	struct trustpoint_config tp;
	struct revoke_result	 res;
	struct revoke_engine	*e = revoke_engine_new(NULL, NULL, NULL, 0);
	X509			*leaf = load_cert("leaf-revoked.crt"), *ca = load_cert("ca.crt");

	ck_assert_ptr_nonnull(e);
	tp_init(&tp, REVOKE_NONE, REVOKE_NONE_SET, NULL);
	ck_assert_int_eq(revoke_check(e, &tp, leaf, ca, NULL, NULL, NULL, &res),
	    REVOKE_GOOD);
	ck_assert_int_eq(res.method, REVOKE_NONE);
	ck_assert_uint_eq(res.nskipped, 0);
	revoke_engine_free(e);
	X509_free(leaf);
	X509_free(ca);
}
END_TEST

START_TEST(engine_crl_file_then_memory)
{
	struct trustpoint_config tp;
	struct revoke_result	 res;
	struct revoke_stats	 st;
	struct waiter		 w = { .calls = 0 };
	struct revoke_engine	*e = revoke_engine_new(NULL, NULL, NULL, 0);
	X509			*leaf = load_cert("leaf-revoked.crt"), *ca = load_cert("ca.crt");

	tp_init(&tp, REVOKE_NONE_SET, REVOKE_NONE_SET, fx_path("crl-current.der"));
	ck_assert_int_eq(revoke_check(e, &tp, leaf, ca, NULL, waiter_cb, &w, &res),
	    REVOKE_PENDING);
	engine_wait(e, &w);
	ck_assert_int_eq(w.res.status, REVOKE_REVOKED);
	ck_assert_int_eq(w.res.origin, REVOKE_FROM_FILE);
	ck_assert(!w.res.cached);
	/* Now in memory: answered at once, no callback. */
	ck_assert_int_eq(revoke_check(e, &tp, leaf, ca, NULL, waiter_cb, &w, &res),
	    REVOKE_REVOKED);
	ck_assert(res.cached);
	ck_assert_int_eq(w.calls, 1);
	revoke_engine_stats(e, &st);
	ck_assert_uint_eq(st.checks, 2);
	ck_assert_uint_eq(st.memory_hits, 1);
	ck_assert_uint_eq(st.fetches, 0);
	/* A flush forgets it. */
	revoke_flush(e, "TP");
	ck_assert_int_eq(revoke_check(e, &tp, leaf, ca, NULL, waiter_cb, &w, &res),
	    REVOKE_PENDING);
	ck_assert_uint_eq(revoke_cancel(e, &w), 1);
	revoke_engine_free(e);
	X509_free(leaf);
	X509_free(ca);
}
END_TEST

START_TEST(engine_missing_file_falls_to_none_or_fails_closed)
{
	struct trustpoint_config tp;
	struct revoke_result	 res;
	struct waiter		 w = { .calls = 0 };
	struct revoke_engine	*e = revoke_engine_new(NULL, NULL, NULL, 0);
	X509			*leaf = load_cert("leaf-good.crt"), *ca = load_cert("ca.crt");

	tp_init(&tp, REVOKE_CRL, REVOKE_NONE, fx_path("no-such.crl"));
	ck_assert_int_eq(revoke_check(e, &tp, leaf, ca, NULL, waiter_cb, &w, &res),
	    REVOKE_PENDING);
	engine_wait(e, &w);
	ck_assert_int_eq(w.res.status, REVOKE_GOOD);
	ck_assert_int_eq(w.res.method, REVOKE_NONE);
	ck_assert_uint_eq(w.res.nskipped, 1);
	ck_assert_msg(strstr(w.res.skipped[0], "no-such.crl cannot open: No such file")
	    != NULL, "%s", w.res.skipped[0]);
	/* Without "none": the remembered failure answers at once, closed. */
	tp.revocation[1] = REVOKE_NONE_SET;
	ck_assert_int_eq(revoke_check(e, &tp, leaf, ca, NULL, waiter_cb, &w, &res),
	    REVOKE_UNDETERMINED);
	ck_assert_int_eq(res.method, REVOKE_NONE_SET);
	/* OCSP without a trust store cannot verify anything: not asked. */
	tp.revocation[0] = REVOKE_OCSP;
	ck_assert_int_eq(revoke_check(e, &tp, leaf, ca, NULL, waiter_cb, &w, &res),
	    REVOKE_UNDETERMINED);
	ck_assert_msg(strstr(res.skipped[0], "no trust store") != NULL, "%s",
	    res.skipped[0]);
	revoke_engine_free(e);
	X509_free(leaf);
	X509_free(ca);
}
END_TEST

START_TEST(engine_cancel_and_free_with_pending)
{
	struct trustpoint_config tp;
	struct revoke_result	 res;
	struct waiter		 w = { .calls = 0 };
	struct revoke_engine	*e = revoke_engine_new(NULL, NULL, NULL, 0);
	X509			*leaf = load_cert("leaf-good.crt"), *ca = load_cert("ca.crt");

	tp_init(&tp, REVOKE_CRL, REVOKE_NONE_SET, fx_path("crl-current.der"));
	ck_assert_int_eq(revoke_check(e, &tp, leaf, ca, NULL, waiter_cb, &w, &res),
	    REVOKE_PENDING);
	ck_assert_uint_eq(revoke_cancel(e, &w), 1);
	usleep(200 * 1000);
	revoke_engine_dispatch(e);
	ck_assert_int_eq(w.calls, 0);
	/* Left pending at free: released, no callback. */
	tp_init(&tp, REVOKE_CRL, REVOKE_NONE_SET, fx_path("crl-stale.der"));
	revoke_check(e, &tp, leaf, ca, NULL, waiter_cb, &w, &res);
	revoke_engine_free(e);
	ck_assert_int_eq(w.calls, 0);
	X509_free(leaf);
	X509_free(ca);
}
END_TEST

static Suite *
revoke_suite(void)
{
	Suite	*s = suite_create("revoke");
	TCase	*crl = tcase_create("crl"), *ocsp = tcase_create("ocsp");
	TCase	*misc = tcase_create("misc"), *engine = tcase_create("engine");

	tcase_add_test(crl, crl_current_verifies);
	tcase_add_test(crl, crl_pem_and_der_parse_alike);
	tcase_add_test(crl, crl_stale_refused_by_the_clock);
	tcase_add_test(crl, crl_not_yet_valid);
	tcase_add_test(crl, crl_bad_signature_same_name);
	tcase_add_test(crl, crl_other_issuer_and_delta);
	tcase_add_test(crl, crl_issuer_must_be_allowed_to_sign_crls);
	tcase_add_test(crl, crl_lookup_revoked_and_good);
	tcase_add_test(crl, crl_scope_limited_by_idp);
	tcase_add_test(crl, crl_sources_from_certificate);
	tcase_add_test(ocsp, ocsp_good_with_nonce);
	tcase_add_test(ocsp, ocsp_revoked);
	tcase_add_test(ocsp, ocsp_unknown_cannot_answer);
	tcase_add_test(ocsp, ocsp_wrong_nonce_refused);
	tcase_add_test(ocsp, ocsp_missing_nonce_accepted_with_remark);
	tcase_add_test(ocsp, ocsp_unauthorised_signer_refused);
	tcase_add_test(ocsp, ocsp_foreign_trust_store_refused);
	tcase_add_test(ocsp, ocsp_signed_by_the_ca_without_next_update);
	tcase_add_test(ocsp, ocsp_times_on_the_given_clock);
	tcase_add_test(ocsp, ocsp_answer_for_another_certificate);
	tcase_add_test(ocsp, ocsp_malformed);
	tcase_add_test(ocsp, ocsp_request_carries_nonce_and_id);
	tcase_add_test(ocsp, ocsp_responder_from_aia_or_config);
	tcase_add_test(misc, names_and_formats);
	tcase_add_test(misc, http_urls);
	tcase_add_test(misc, http_answers);
	tcase_add_test(misc, http_post_never_follows_a_redirect);
	tcase_add_test(engine, engine_none_answers_at_once);
	tcase_add_test(engine, engine_crl_file_then_memory);
	tcase_add_test(engine, engine_missing_file_falls_to_none_or_fails_closed);
	tcase_add_test(engine, engine_cancel_and_free_with_pending);
	suite_add_tcase(s, crl);
	suite_add_tcase(s, ocsp);
	suite_add_tcase(s, misc);
	suite_add_tcase(s, engine);
	return s;
}

/* The fixture, made once with fixed (unused) ports that only appear in URLs. */
static int
fixture_build(void)
{
	const char	*srcdir = getenv("srcdir");
	char		 cmd[1024];

	snprintf(fx, sizeof(fx), "%s/check_revoke.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(fx) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "bash '%s/tests/pki/revoke_ca.sh' build '%s' "
	    "8001 8002 8003 >/dev/null 2>&1", srcdir ? srcdir : ".", fx);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;
	char	 cmd[512];

	if (system("command -v openssl >/dev/null 2>&1") != 0) {
		fprintf(stderr, "SKIP: openssl command not installed\n");
		return 77;
	}
	if (fixture_build() == -1) {
		fprintf(stderr, "check_revoke: the fixture (tests/pki/revoke_ca.sh) failed\n");
		return 1;
	}
	sr = srunner_create(revoke_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx);
	if (system(cmd) != 0)
		fprintf(stderr, "check_revoke: %s left behind\n", fx);
	return failed == 0 ? 0 : 1;
}
