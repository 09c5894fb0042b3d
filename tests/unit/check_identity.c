/*
 * Unit tests for control/identity.c: certificates built in-process from a
 * one-line description, every matching rule in both modes, the log line,
 * and x509-limbo's peer-name cases with our documented deviations.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "identity.h"

#define M	ID_MATCH
#define N	ID_NO_MATCH
#define ARRLEN(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- certificates from a description ---------------------------------------
 *
 * Entries are separated by '|'; text takes %HH escapes, so "%00" is a NUL.
 *   CN=text		a commonName (UTF8String); repeatable, the last is the
 *			most specific
 *   BMPCN=text		a commonName as a BMPString (ASCII text only)
 *   DNS:x URI:x email:x	subjectAltName entries, as IA5String bytes
 *   IP:addr		an iPAddress entry (inet_pton text)
 *   DIRNAME		a directoryName entry
 *   SAN		an empty subjectAltName extension
 *   BADSAN		a subjectAltName whose value is not DER
 *   DUPSAN		the subjectAltName extension twice
 */

struct certspec {
	X509_NAME	*subject;
	GENERAL_NAMES	*san;
	bool		 badsan;
	bool		 dupsan;
};

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t
unescape(const char *s, unsigned char *out)
{
	size_t n = 0;

	while (*s != '\0') {
		if (s[0] == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			out[n++] = (unsigned char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 3;
		} else {
			out[n++] = (unsigned char)*s++;
		}
	}
	return n;
}

static void
spec_add_cn(struct certspec *cs, const char *text, bool bmp)
{
	unsigned char	 raw[512], wide[1024];
	size_t		 n = unescape(text, raw);
	X509_NAME_ENTRY	*e;

	if (bmp) {
		for (size_t i = 0; i < n; i++) {
			wide[2 * i] = 0;
			wide[2 * i + 1] = raw[i];
		}
		e = X509_NAME_ENTRY_create_by_NID(NULL, NID_commonName,
		    V_ASN1_BMPSTRING, wide, (int)(2 * n));
	} else {
		e = X509_NAME_ENTRY_create_by_NID(NULL, NID_commonName,
		    V_ASN1_UTF8STRING, raw, (int)n);
	}
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(X509_NAME_add_entry(cs->subject, e, -1, 0), 1);
	X509_NAME_ENTRY_free(e);
}

static void
spec_add_gen(struct certspec *cs, int type, const char *text)
{
	GENERAL_NAME	*gn = GENERAL_NAME_new();
	ASN1_STRING	*s;
	unsigned char	 raw[512];
	size_t		 n;

	ck_assert_ptr_nonnull(gn);
	if (type == GEN_IPADD) {
		n = inet_pton(AF_INET, text, raw) == 1 ? 4 : 16;
		ck_assert_msg(n == 4 || inet_pton(AF_INET6, text, raw) == 1,
		    "bad IP in spec: %s", text);
		s = ASN1_OCTET_STRING_new();
	} else {
		n = unescape(text, raw);
		s = ASN1_IA5STRING_new();
	}
	ck_assert_int_eq(ASN1_STRING_set(s, raw, (int)n), 1);
	GENERAL_NAME_set0_value(gn, type, s);
	sk_GENERAL_NAME_push(cs->san, gn);
}

static void
spec_add_dirname(struct certspec *cs)
{
	GENERAL_NAME	*gn = GENERAL_NAME_new();
	X509_NAME	*dn = X509_NAME_new();

	X509_NAME_add_entry_by_txt(dn, "CN", MBSTRING_ASC,
	    (const unsigned char *)"sip.acme.com", -1, -1, 0);
	GENERAL_NAME_set0_value(gn, GEN_DIRNAME, dn);
	sk_GENERAL_NAME_push(cs->san, gn);
}

static void
spec_entry(struct certspec *cs, const char *tok)
{
	static const struct { const char *prefix; int type; } gens[] = {
		{ "DNS:", GEN_DNS }, { "URI:", GEN_URI },
		{ "email:", GEN_EMAIL }, { "IP:", GEN_IPADD },
	};

	if (strncmp(tok, "CN=", 3) == 0) {
		spec_add_cn(cs, tok + 3, false);
		return;
	}
	if (strncmp(tok, "BMPCN=", 6) == 0) {
		spec_add_cn(cs, tok + 6, true);
		return;
	}
	if (strcmp(tok, "BADSAN") == 0 || strcmp(tok, "DUPSAN") == 0) {
		*(tok[0] == 'B' ? &cs->badsan : &cs->dupsan) = true;
		return;
	}
	if (cs->san == NULL)
		cs->san = GENERAL_NAMES_new();
	if (strcmp(tok, "SAN") == 0)
		return;
	if (strcmp(tok, "DIRNAME") == 0) {
		spec_add_dirname(cs);
		return;
	}
	for (size_t i = 0; i < ARRLEN(gens); i++) {
		size_t len = strlen(gens[i].prefix);

		if (strncmp(tok, gens[i].prefix, len) == 0) {
			spec_add_gen(cs, gens[i].type, tok + len);
			return;
		}
	}
	ck_abort_msg("bad certificate spec entry: %s", tok);
}

/* A SAN extension whose value is plain text, as x509-limbo's "malformed". */
static void
cert_add_bad_san(X509 *x)
{
	ASN1_OCTET_STRING	*os = ASN1_OCTET_STRING_new();
	X509_EXTENSION		*ext;

	ASN1_OCTET_STRING_set(os, (const unsigned char *)"sip.acme.com", 12);
	ext = X509_EXTENSION_create_by_NID(NULL, NID_subject_alt_name, 0, os);
	ck_assert_ptr_nonnull(ext);
	ck_assert_int_eq(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(os);
}

static void
cert_add_san(X509 *x, struct certspec *cs)
{
	if (cs->san != NULL) {
		ck_assert_int_eq(X509_add1_ext_i2d(x, NID_subject_alt_name, cs->san,
		    0, X509V3_ADD_APPEND), 1);
		if (cs->dupsan)
			ck_assert_int_eq(X509_add1_ext_i2d(x, NID_subject_alt_name,
			    cs->san, 0, X509V3_ADD_APPEND), 1);
	}
	if (cs->badsan)
		cert_add_bad_san(x);
}

/* Signs and re-parses, so the checks read a certificate as from the wire. */
static X509 *
cert_finish(X509 *x)
{
	EVP_PKEY	*key = EVP_EC_gen("P-256");
	unsigned char	*der = NULL;
	const unsigned char *p;
	X509		*out;
	int		 len;

	ck_assert_ptr_nonnull(key);
	ck_assert_int_eq(X509_set_pubkey(x, key), 1);
	ck_assert_int_gt(X509_sign(x, key, EVP_sha256()), 0);
	len = i2d_X509(x, &der);
	ck_assert_int_gt(len, 0);
	p = der;
	out = d2i_X509(NULL, &p, len);
	ck_assert_ptr_nonnull(out);
	OPENSSL_free(der);
	EVP_PKEY_free(key);
	X509_free(x);
	return out;
}

static X509 *
cert_build(const char *spec)
{
	struct certspec	 cs = { .subject = X509_NAME_new() };
	X509		*x = X509_new();
	X509_NAME	*issuer = X509_NAME_new();
	char		*copy = strdup(spec), *save = NULL, *tok;

	ck_assert_ptr_nonnull(x);
	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_NAME_add_entry_by_txt(issuer, "CN", MBSTRING_ASC,
	    (const unsigned char *)"Test CA", -1, -1, 0);
	for (tok = strtok_r(copy, "|", &save); tok != NULL;
	    tok = strtok_r(NULL, "|", &save))
		spec_entry(&cs, tok);
	X509_set_subject_name(x, cs.subject);
	X509_set_issuer_name(x, issuer);
	cert_add_san(x, &cs);
	GENERAL_NAMES_free(cs.san);
	X509_NAME_free(cs.subject);
	X509_NAME_free(issuer);
	free(copy);
	return cert_finish(x);
}

static const char *
result_name(enum id_result r)
{
	return r == ID_MATCH ? "MATCH" : "NO_MATCH";
}

/* ---- server: the sip-server's name against the certificate --------------- */

struct server_case {
	const char	*spec;
	const char	*ref;
	unsigned	 flags;		/* ID_ADDRESS or 0 */
	enum id_result	 dflt;
	enum id_result	 strict;
};

static const struct server_case server_cases[] = {
	/* dNSName: exact, case, one trailing dot either side */
	{ "DNS:sip.acme.com",		"sip.acme.com", 0, M, M },
	{ "DNS:sip.acme.com",		"SIP.ACME.COM", 0, M, M },
	{ "DNS:SIP.Acme.COM",		"sip.acme.com", 0, M, M },
	{ "DNS:sip.acme.com.",		"sip.acme.com", 0, M, M },
	{ "DNS:sip.acme.com",		"sip.acme.com.", 0, M, M },
	{ "DNS:sip.acme.com.",		"Sip.Acme.Com.", 0, M, M },
	{ "DNS:sip.acme.com..",		"sip.acme.com", 0, N, N },
	{ "DNS:sip.acme.com",		"sip.acme.com..", 0, N, N },
	{ "DNS:sip.acme.co",		"sip.acme.com", 0, N, N },
	{ "DNS:acme.com",		"sip.acme.com", 0, N, N },
	{ "DNS:sip.acme.com",		"acme.com", 0, N, N },
	{ "DNS:sip.acme.com",		"", 0, N, N },
	{ "DNS:a.example.net|DNS:b.example.net|email:ops@acme.com|"
	  "IP:192.0.2.1|DIRNAME|URI:https://acme.com/|DNS:sip.acme.com",
					"sip.acme.com", 0, M, M },
	/* Common Name: alone, beside SANs, encodings, most specific */
	{ "CN=sip.acme.com",		"sip.acme.com", 0, M, M },
	{ "CN=SIP.ACME.COM.",		"sip.acme.com", 0, M, M },
	{ "BMPCN=sip.acme.com",		"sip.acme.com", 0, M, M },
	{ "CN=sip.acme.com|DNS:other.acme.com", "sip.acme.com", 0, M, N },
	{ "CN=other.acme.com|DNS:sip.acme.com", "sip.acme.com", 0, M, M },
	{ "CN=sip.acme.com|SAN",	"sip.acme.com", 0, M, N },
	{ "CN=sip.acme.com|email:ops@acme.com", "sip.acme.com", 0, M, N },
	{ "CN=sip.acme.com|IP:192.0.2.1", "sip.acme.com", 0, M, N },
	{ "CN=sip.acme.com|URI:http://sip.acme.com/", "sip.acme.com", 0, M, N },
	{ "CN=other.acme.com|CN=sip.acme.com", "sip.acme.com", 0, M, M },
	{ "CN=sip.acme.com|CN=other.acme.com", "sip.acme.com", 0, N, N },
	{ "CN=sip.acme.com%00.evil.com", "sip.acme.com", 0, N, N },
	{ "CN=ACME Corp SBC",		"sip.acme.com", 0, N, N },
	{ "",				"sip.acme.com", 0, N, N },
	/* wildcards: the whole leftmost label, one label, not in strict */
	{ "DNS:*.acme.com",		"a.acme.com", 0, M, N },
	{ "DNS:*.acme.com",		"A.ACME.COM.", 0, M, N },
	{ "DNS:*.acme.com.",		"a.acme.com", 0, M, N },
	{ "DNS:*.acme.com",		"a.b.acme.com", 0, N, N },
	{ "DNS:*.acme.com",		"acme.com", 0, N, N },
	{ "DNS:*.acme.com",		".acme.com", 0, N, N },
	{ "DNS:*.acme.com",		"*.acme.com", 0, N, N },
	{ "DNS:f*.acme.com",		"foo.acme.com", 0, N, N },
	{ "DNS:*oo.acme.com",		"foo.acme.com", 0, N, N },
	{ "DNS:f*o.acme.com",		"foo.acme.com", 0, N, N },
	{ "DNS:**.acme.com",		"a.acme.com", 0, N, N },
	{ "DNS:*.com",			"acme.com", 0, N, N },
	{ "DNS:*.com.",			"acme.com", 0, N, N },
	{ "DNS:*",			"acme", 0, N, N },
	{ "DNS:*.*.acme.com",		"a.b.acme.com", 0, N, N },
	{ "DNS:a.*.acme.com",		"a.b.acme.com", 0, N, N },
	{ "DNS:*.acme.*",		"a.acme.com", 0, N, N },
	{ "CN=*.acme.com",		"a.acme.com", 0, M, N },
	{ "CN=*.acme.com|DNS:x.acme.com", "a.acme.com", 0, M, N },
	{ "URI:sip:*.acme.com",		"a.acme.com", 0, N, N },
	/* IDNA: A-labels compared as text, never partly wildcarded */
	{ "DNS:xn--bcher-kva.example",	"xn--bcher-kva.example", 0, M, M },
	{ "DNS:XN--BCHER-KVA.example",	"xn--bcher-kva.example", 0, M, M },
	{ "DNS:xn--bcher-kva.example",	"b\xc3\xbc" "cher.example", 0, N, N },
	{ "DNS:b%c3%bccher.example",	"xn--bcher-kva.example", 0, N, N },
	{ "DNS:b%c3%bccher.example",	"b\xc3\xbc" "cher.example", 0, N, N },
	{ "DNS:xn--*-1b3c148a.example.com", "xn--bliss-1b3c148a.example.com", 0, N, N },
	{ "DNS:*.example.com",		"xn--bcher-kva.example.com", 0, M, N },
	{ "DNS:*.xn--bcher-kva.example", "a.xn--bcher-kva.example", 0, M, N },
	/* bytes a dNSName must not hold */
	{ "DNS:sip.acme.com%00.evil.com", "sip.acme.com", 0, N, N },
	{ "DNS:sip.acme.com%00",	"sip.acme.com", 0, N, N },
	{ "DNS:foo_bar.acme.com",	"foo_bar.acme.com", 0, N, N },
	{ "DNS:-sip.acme.com",		"-sip.acme.com", 0, N, N },
	{ "DNS:sip-.acme.com",		"sip-.acme.com", 0, N, N },
	{ "DNS:sip..acme.com",		"sip..acme.com", 0, N, N },
	{ "DNS:sip acme.com",		"sip acme.com", 0, N, N },
	{ "DNS:sip.acme.com|DNS:",	"sip.acme.com", 0, M, M },
	/* addresses: only iPAddress SANs, and only with ID_ADDRESS */
	{ "IP:192.0.2.1",		"192.0.2.1", ID_ADDRESS, M, M },
	{ "IP:192.0.2.1",		"192.0.2.1", 0, N, N },
	{ "IP:192.0.2.1",		"192.0.2.2", ID_ADDRESS, N, N },
	{ "IP:2001:db8::1",		"2001:DB8:0:0:0:0:0:1", ID_ADDRESS, M, M },
	{ "IP:2001:db8::1",		"2001:db8::1", 0, N, N },
	{ "IP:::ffff:192.0.2.1",	"192.0.2.1", ID_ADDRESS, N, N },
	{ "IP:192.0.2.1",		"::ffff:192.0.2.1", ID_ADDRESS, N, N },
	{ "DNS:192.0.2.1",		"192.0.2.1", ID_ADDRESS, N, N },
	{ "DNS:192.0.2.1",		"192.0.2.1", 0, N, N },
	{ "CN=192.0.2.1",		"192.0.2.1", ID_ADDRESS, N, N },
	{ "CN=192.0.2.1",		"192.0.2.1", 0, N, N },
	{ "URI:sip:192.0.2.1",		"192.0.2.1", ID_ADDRESS, N, N },
	{ "URI:sip:[2001:db8::1]",	"2001:db8::1", ID_ADDRESS, N, N },
	{ "DNS:sip.acme.com|IP:192.0.2.1", "sip.acme.com", ID_ADDRESS, N, N },
	{ "IP:192.0.2.1",		"0xc0000201", ID_ADDRESS, N, N },
	/* SIP URI SANs (RFC 5922 7.1) */
	{ "URI:sip:sip.acme.com",	"sip.acme.com", 0, M, M },
	{ "URI:SIP:Sip.Acme.Com",	"sip.acme.com", 0, M, M },
	{ "URI:sip:sip.acme.com.",	"sip.acme.com", 0, M, M },
	{ "URI:sips:sip.acme.com",	"sip.acme.com", 0, M, N },
	{ "URI:sip:sip.acme.com:5061",	"sip.acme.com", 0, M, M },
	{ "URI:sip:sip.acme.com;transport=tls", "sip.acme.com", 0, M, M },
	{ "URI:sip:sip.acme.com:5061;transport=tls?x=y", "sip.acme.com", 0, M, M },
	{ "URI:sip:alice@sip.acme.com",	"sip.acme.com", 0, N, N },
	{ "URI:sip:@sip.acme.com",	"sip.acme.com", 0, N, N },
	{ "URI:sip:alice;x@sip.acme.com", "alice", 0, N, N },
	{ "URI:sip:sip.acme.com;maddr=a@b", "sip.acme.com", 0, N, N },
	{ "URI:http://sip.acme.com/",	"sip.acme.com", 0, N, N },
	{ "URI:https:sip.acme.com",	"sip.acme.com", 0, N, N },
	{ "URI:sip://sip.acme.com",	"sip.acme.com", 0, N, N },
	{ "URI:sip:sip.acme.com/x",	"sip.acme.com", 0, N, N },
	{ "URI:sip:sip.acme.com:",	"sip.acme.com", 0, N, N },
	{ "URI:sip:sip.acme.com:50x1",	"sip.acme.com", 0, N, N },
	{ "URI:sip:sip.acme.com:123456", "sip.acme.com", 0, N, N },
	{ "URI:sip:",			"sip.acme.com", 0, N, N },
	{ "URI:sip",			"sip.acme.com", 0, N, N },
	{ "URI:sip:sip.acme.com%00.evil.com", "sip.acme.com", 0, N, N },
	{ "URI:sip.acme.com",		"sip.acme.com", 0, N, N },
	/* strict: a "sip" URI naming a domain hides the dNSNames */
	{ "URI:sip:other.acme.com|DNS:sip.acme.com", "sip.acme.com", 0, M, N },
	{ "URI:sip:alice@other.acme.com|DNS:sip.acme.com", "sip.acme.com", 0, M, M },
	{ "URI:sips:other.acme.com|DNS:sip.acme.com", "sip.acme.com", 0, M, M },
	{ "URI:http://other.acme.com|DNS:sip.acme.com", "sip.acme.com", 0, M, M },
	{ "URI:sip:sip.acme.com|DNS:other.acme.com", "sip.acme.com", 0, M, M },
	{ "URI:sip:other.acme.com|CN=sip.acme.com", "sip.acme.com", 0, M, N },
	/* e-mail and broken extensions never name a host */
	{ "email:sip.acme.com",		"sip.acme.com", 0, N, N },
	{ "CN=sip.acme.com|BADSAN",	"sip.acme.com", 0, N, N },
	{ "CN=sip.acme.com|DNS:sip.acme.com|DUPSAN", "sip.acme.com", 0, N, N },
};

static void
server_case_run(const struct server_case *c, unsigned mode)
{
	X509		*x = cert_build(c->spec);
	char		 why[ID_WHY_LEN];
	enum id_result	 want = mode & ID_STRICT ? c->strict : c->dflt;
	enum id_result	 got;

	got = identity_check_server(x, c->ref, c->flags | mode, why, sizeof(why));
	ck_assert_msg(got == want, "%s mode: cert \"%s\" ref \"%s\"%s: got %s, "
	    "want %s (%s)", mode & ID_STRICT ? "strict" : "default", c->spec,
	    c->ref, c->flags & ID_ADDRESS ? " (address)" : "",
	    result_name(got), result_name(want), why);
	ck_assert_msg(why[0] != '\0', "empty reason for \"%s\"", c->spec);
	X509_free(x);
}

START_TEST(test_server_default)
{
	server_case_run(&server_cases[_i], 0);
}
END_TEST

START_TEST(test_server_strict)
{
	server_case_run(&server_cases[_i], ID_STRICT);
}
END_TEST

START_TEST(test_server_null_inputs)
{
	X509	*x = cert_build("DNS:sip.acme.com");
	char	 why[ID_WHY_LEN];

	ck_assert_int_eq(identity_check_server(NULL, "sip.acme.com", 0, why,
	    sizeof(why)), N);
	ck_assert_str_eq(why, "no peer certificate");
	ck_assert_int_eq(identity_check_server(x, NULL, 0, why, sizeof(why)), N);
	ck_assert_ptr_nonnull(strstr(why, "expected (none) (no name configured)"));
	/* no buffer for the reason: the answer is the same */
	ck_assert_int_eq(identity_check_server(x, "sip.acme.com", 0, NULL, 0), M);
	ck_assert_int_eq(identity_check_server(x, "other.acme.com", 0, NULL, 99), N);
	ck_assert_int_eq(identity_check_server(x, "other.acme.com", 0, why, 0), N);
	X509_free(x);
}
END_TEST

/* ---- client: the certificate against the cn-san list --------------------- */

struct client_case {
	const char	*spec;
	const char	*list;		/* comma-separated cn-san FQDNs */
	enum id_result	 dflt;
	enum id_result	 strict;
};

static const struct client_case client_cases[] = {
	{ "DNS:sbc1.carrier.net",	"sbc1.carrier.net", M, M },
	{ "DNS:sbc1.carrier.net",	"a.example.com,sbc1.carrier.net,b.example.com", M, M },
	{ "DNS:sbc2.carrier.net",	"sbc1.carrier.net", N, N },
	{ "DNS:SBC1.Carrier.NET.",	"sbc1.carrier.net.", M, M },
	{ "CN=sbc1.carrier.net",	"SBC1.CARRIER.NET", M, M },
	{ "CN=sbc1.carrier.net|DNS:x.carrier.net", "sbc1.carrier.net", M, N },
	{ "CN=x.carrier.net|DNS:sbc1.carrier.net", "a.example.com,sbc1.carrier.net", M, M },
	{ "DNS:*.carrier.net",		"sbc1.carrier.net", M, N },
	{ "DNS:*.carrier.net",		"carrier.net", N, N },
	{ "DNS:sbc1.carrier.net",	"*.carrier.net", N, N },
	{ "DNS:*.carrier.net",		"*.carrier.net", N, N },
	{ "URI:sip:carrier.net",	"carrier.net", M, M },
	{ "URI:sips:carrier.net",	"carrier.net", M, N },
	{ "URI:sip:trunk@carrier.net",	"carrier.net", N, N },
	{ "URI:sip:other.net|DNS:carrier.net", "carrier.net", M, N },
	{ "IP:192.0.2.1",		"192.0.2.1", N, N },
	{ "DNS:sbc1.carrier.net%00.x.net", "sbc1.carrier.net", N, N },
	{ "CN=sbc1.carrier.net|BADSAN",	"sbc1.carrier.net", N, N },
	{ "DNS:sbc1.carrier.net",	"", N, N },
	{ "",				"sbc1.carrier.net", N, N },
};

/* Fills list[] from "a,b,c" with indexes 1, 2, 3; returns the count. */
static size_t
cnsan_list_parse(const char *text, struct cnsan_entry *list, size_t max)
{
	char	*copy = strdup(text), *save = NULL, *tok;
	size_t	 n = 0;

	for (tok = strtok_r(copy, ",", &save); tok != NULL && n < max;
	    tok = strtok_r(NULL, ",", &save)) {
		list[n].idx = (unsigned)n + 1;
		snprintf(list[n].fqdn, sizeof(list[n].fqdn), "%s", tok);
		n++;
	}
	free(copy);
	return n;
}

static void
client_case_run(const struct client_case *c, unsigned mode)
{
	struct cnsan_entry list[CONF_CNSAN_MAX];
	size_t		 n = cnsan_list_parse(c->list, list, CONF_CNSAN_MAX);
	X509		*x = cert_build(c->spec);
	char		 why[ID_WHY_LEN];
	enum id_result	 want = mode & ID_STRICT ? c->strict : c->dflt;
	enum id_result	 got;

	/* ID_ADDRESS has no meaning for a list of names and must change nothing */
	got = identity_check_client(x, list, n, mode | ID_ADDRESS, why, sizeof(why));
	ck_assert_msg(got == want, "%s mode: cert \"%s\" list \"%s\": got %s, "
	    "want %s (%s)", mode & ID_STRICT ? "strict" : "default", c->spec,
	    c->list, result_name(got), result_name(want), why);
	X509_free(x);
}

START_TEST(test_client_default)
{
	client_case_run(&client_cases[_i], 0);
}
END_TEST

START_TEST(test_client_strict)
{
	client_case_run(&client_cases[_i], ID_STRICT);
}
END_TEST

START_TEST(test_client_null_list)
{
	X509	*x = cert_build("DNS:sbc1.carrier.net");
	char	 why[ID_WHY_LEN];

	ck_assert_int_eq(identity_check_client(x, NULL, 3, 0, why, sizeof(why)), N);
	ck_assert_str_eq(why, "certificate names: DNS:sbc1.carrier.net; "
	    "expected a cn-san entry, but the list is empty");
	ck_assert_int_eq(identity_check_client(NULL, NULL, 0, 0, why, sizeof(why)), N);
	ck_assert_str_eq(why, "no peer certificate");
	X509_free(x);
}
END_TEST

/* ---- which check applies: server, client, bidirectional ------------------ */

START_TEST(test_applies)
{
	static const struct {
		enum cnsan_mode	 mode;
		bool		 originated, accepted;
	} rows[] = {
		{ CNSAN_OFF,		false, false },
		{ CNSAN_SERVER,		true,  false },
		{ CNSAN_CLIENT,		false, true },
		{ CNSAN_BIDIRECTIONAL,	true,  true },
	};

	for (size_t i = 0; i < ARRLEN(rows); i++) {
		ck_assert_int_eq(identity_applies(rows[i].mode, true),
		    rows[i].originated);
		ck_assert_int_eq(identity_applies(rows[i].mode, false),
		    rows[i].accepted);
	}
}
END_TEST

/* Bidirectional is both checks on one certificate model: one per direction. */
START_TEST(test_bidirectional_flow)
{
	struct cnsan_entry list[1] = { { 1, "sbc1.carrier.net" } };
	X509	*server = cert_build("CN=sip.carrier.net|DNS:*.carrier.net");
	X509	*client = cert_build("CN=sbc1.carrier.net");
	char	 why[ID_WHY_LEN];

	ck_assert(identity_applies(CNSAN_BIDIRECTIONAL, true));
	ck_assert_int_eq(identity_check_server(server, "sip.carrier.net", 0,
	    why, sizeof(why)), M);
	ck_assert_str_eq(why, "matched DNS:*.carrier.net");
	ck_assert(identity_applies(CNSAN_BIDIRECTIONAL, false));
	ck_assert_int_eq(identity_check_client(client, list, 1, 0, why,
	    sizeof(why)), M);
	ck_assert_str_eq(why, "matched CN=sbc1.carrier.net with cn-san 1 "
	    "sbc1.carrier.net");
	/* the server's wildcard does not satisfy the client list in strict mode */
	ck_assert_int_eq(identity_check_client(server, list, 1, ID_STRICT, why,
	    sizeof(why)), N);
	ck_assert_int_eq(identity_check_client(server, list, 1, 0, why,
	    sizeof(why)), M);
	X509_free(server);
	X509_free(client);
}
END_TEST

/* ---- the log line --------------------------------------------------------- */

static void
assert_why(const char *spec, const char *ref, unsigned flags, const char *want)
{
	X509	*x = cert_build(spec);
	char	 why[ID_WHY_LEN];

	identity_check_server(x, ref, flags, why, sizeof(why));
	ck_assert_str_eq(why, want);
	X509_free(x);
}

START_TEST(test_why_lines)
{
	assert_why("CN=sip.acme.co|DNS:*.acme.co", "sip.acme.com", 0,
	    "certificate names: CN=sip.acme.co, DNS:*.acme.co; "
	    "expected sip.acme.com");
	assert_why("CN=sip.acme.co|DNS:*.acme.co", "sip.acme.com", ID_STRICT,
	    "certificate names: CN=sip.acme.co (strict: SAN present), "
	    "DNS:*.acme.co (strict: wildcard); expected sip.acme.com");
	assert_why("CN=x.acme.co|DNS:*.acme.co", "sip.acme.co", 0,
	    "matched DNS:*.acme.co");
	assert_why("URI:sip:alice@acme.com|URI:sips:acme.com|URI:http://a/|"
	    "email:a@acme.com|IP:192.0.2.1|IP:2001:db8::1|DIRNAME",
	    "sip.acme.com", ID_STRICT,
	    "certificate names: URI:sip:alice@acme.com (has a user part), "
	    "URI:sips:acme.com (strict: sips), URI:http://a/ (not sip), "
	    "email:a@acme.com, IP:192.0.2.1, IP:2001:db8::1, DirName; "
	    "expected sip.acme.com");
	assert_why("DNS:sip.acme.com%00.evil.com|DNS:b%c3%bc.de|DNS:f*.a.com",
	    "sip.acme.com", 0,
	    "certificate names: DNS:sip.acme.com\\x00.evil.com (contains NUL), "
	    "DNS:b\\xc3\\xbc.de (not ASCII), "
	    "DNS:f*.a.com (wildcard not a whole leftmost label); "
	    "expected sip.acme.com");
	assert_why("CN=a%2c b%3b c%0aFAKE: x", "sip.acme.com", 0,
	    "certificate names: CN=a\\x2c b\\x3b c\\x0aFAKE: x "
	    "(invalid host name); expected sip.acme.com");
	assert_why("DNS:192.0.2.1|DNS:*.com|DNS:foo_bar.acme.com", "192.0.2.1", 0,
	    "certificate names: DNS:192.0.2.1 (an address), "
	    "DNS:*.com (wildcard too broad), "
	    "DNS:foo_bar.acme.com (invalid host name); "
	    "expected 192.0.2.1 (an address)");
	assert_why("IP:192.0.2.1", "192.0.2.1", ID_ADDRESS, "matched IP:192.0.2.1");
	/* a SAN gets the credit when the CN would match too */
	assert_why("CN=sip.acme.com|DNS:sip.acme.com", "sip.acme.com", 0,
	    "matched DNS:sip.acme.com");
	assert_why("CN=sip.acme.com|DNS:other.acme.com", "sip.acme.com", 0,
	    "matched CN=sip.acme.com");
	assert_why("IP:192.0.2.1", "sip.acme.com", ID_ADDRESS,
	    "certificate names: IP:192.0.2.1; "
	    "expected sip.acme.com (not an IP address)");
	assert_why("CN=sip.acme.com|BADSAN", "sip.acme.com", 0,
	    "certificate names: unreadable subjectAltName, CN=sip.acme.com; "
	    "expected sip.acme.com");
	assert_why("", "sip.acme.com", 0,
	    "certificate names: none; expected sip.acme.com");
	assert_why("URI:sip:other.acme.com|DNS:sip.acme.com", "sip.acme.com",
	    ID_STRICT, "certificate names: URI:sip:other.acme.com, "
	    "DNS:sip.acme.com (strict: sip URI present); expected sip.acme.com");
}
END_TEST

START_TEST(test_why_client_list)
{
	struct cnsan_entry list[CONF_CNSAN_MAX];
	size_t	 n = cnsan_list_parse("a.example.com,bad_name.example.com", list,
		    CONF_CNSAN_MAX);
	X509	*x = cert_build("CN=sbc1.carrier.net");
	char	 why[ID_WHY_LEN];

	ck_assert_int_eq(identity_check_client(x, list, n, 0, why, sizeof(why)), N);
	ck_assert_str_eq(why, "certificate names: CN=sbc1.carrier.net; expected "
	    "one of a.example.com, bad_name.example.com (invalid host name)");
	X509_free(x);
}
END_TEST

/* A long certificate and every buffer size: never past the end, always
 * terminated, cut with "...", and the expected name kept when there is room. */
START_TEST(test_why_truncation)
{
	char	 spec[4096] = "CN=sip.acme.co";
	char	 buf[ID_WHY_LEN + 16];
	X509	*x;

	for (int i = 0; i < 40; i++) {
		char entry[64];

		snprintf(entry, sizeof(entry), "|DNS:host%02d.example.net", i);
		strcat(spec, entry);
	}
	x = cert_build(spec);
	for (size_t len = 1; len <= ID_WHY_LEN; len++) {
		memset(buf, 'Z', sizeof(buf));
		identity_check_server(x, "sip.acme.com", 0, buf, len);
		ck_assert_msg(strlen(buf) < len, "len %zu: %zu chars", len,
		    strlen(buf));
		for (size_t j = len; j < sizeof(buf); j++)
			ck_assert_msg(buf[j] == 'Z', "len %zu: byte %zu written",
			    len, j);
		if (len >= 80) {
			ck_assert_msg(strstr(buf, "...; expected sip.acme.com") != NULL,
			    "len %zu: %s", len, buf);
			ck_assert_msg(strncmp(buf, "certificate names: CN=sip.acme.co, ",
			    35) == 0, "len %zu: %s", len, buf);
		}
	}
	X509_free(x);
}
END_TEST

START_TEST(test_why_long_name)
{
	char	 spec[400] = "DNS:", label[64];
	char	 why[ID_WHY_LEN];
	X509	*x;

	memset(label, 'a', 63);
	label[63] = '\0';
	for (int i = 0; i < 4; i++) {
		strcat(spec, label);
		strcat(spec, ".");
	}
	strcat(spec, "com");		/* 259 octets: too long for DNS */
	x = cert_build(spec);
	ck_assert_int_eq(identity_check_server(x, "sip.acme.com", 0, why,
	    sizeof(why)), N);
	/* shown up to 100 bytes, then "...", then why it was set aside */
	ck_assert_msg(strstr(why, "aaa.aaa") != NULL &&
	    strstr(why, "aaa... (longer than 253 octets); expected sip.acme.com")
	    != NULL, "%s", why);
	X509_free(x);
}
END_TEST

/* ---- the connection table summary ------------------------------------------ */

START_TEST(test_summary)
{
	X509	*x = cert_build("CN=sip.acme.co|DNS:sip.acme.co|DNS:*.acme.co|"
		    "URI:sip:acme.co|IP:192.0.2.7|email:noc@acme.co");
	X509	*y = cert_build("");
	X509	*z = cert_build("DNS:a.example|IP:2001:db8::5");
	X509	*b = cert_build("CN=sip.acme.co|BADSAN");
	char	 buf[256], tiny[12];

	ck_assert_str_eq(identity_summary(x, buf, sizeof(buf)),
	    "CN=sip.acme.co, DNS:sip.acme.co, DNS:*.acme.co, URI:sip:acme.co, "
	    "+2 more");
	ck_assert_str_eq(identity_summary(y, buf, sizeof(buf)), "(no names)");
	ck_assert_str_eq(identity_summary(z, buf, sizeof(buf)),
	    "DNS:a.example, IP:2001:db8::5");
	ck_assert_str_eq(identity_summary(b, buf, sizeof(buf)),
	    "(unreadable subjectAltName), CN=sip.acme.co");
	ck_assert_str_eq(identity_summary(NULL, buf, sizeof(buf)),
	    "(no certificate)");
	ck_assert_str_eq(identity_summary(x, tiny, sizeof(tiny)), "CN=sip.a...");
	X509_free(x);
	X509_free(y);
	X509_free(z);
	X509_free(b);
}
END_TEST

/* ---- x509-limbo ------------------------------------------------------------
 *
 * tests/identity/limbo-identity.tsv lists upstream's 32 peer-name cases and
 * their expected result for the whole validation (chain, profile and name).
 * We check names only, and our rules are the guide's and RFC 5922's, not
 * the CA/Browser Forum's, so these cases come out differently on purpose:
 *
 * | case                                              | ours: default / strict | why |
 * |---------------------------------------------------|-------------------|-----|
 * | rfc5280::san::noncritical-with-empty-subject      | MATCH / MATCH     | the SAN names the host; SAN criticality is an issuance rule for chain validation, not a name rule |
 * | webpki::san::san-critical-with-nonempty-subject   | MATCH / MATCH     | same |
 * | webpki::san::no-san                               | MATCH / MATCH     | no SAN at all: RFC 5922 7.1 and CUBE use the CN; Web PKI never does |
 * | webpki::cn::* (9 cases)                           | MATCH / MATCH     | a SAN matches; CABF BR 7.1.4.3 (the CN must copy a SAN byte for byte) is an issuance rule, and private SIP CAs often name the SBC only in the CN |
 * | webpki::san::mismatch-apex-subdomain-san          | MATCH / NO_MATCH  | the CN is example.com: the default mode consults the CN beside the SANs ("CN or SAN", as CUBE); strict mode does not |
 * | webpki::san::public-suffix-wildcard-san           | MATCH / NO_MATCH  | same CN; the "*.com" SAN itself never matches |
 * | webpki::san::san-wildcard-only                    | MATCH / NO_MATCH  | same CN; the "*" SAN itself never matches |
 * | webpki::san::public-suffix-multi-label-wildcard-san | MATCH / NO_MATCH | no public suffix list: "*.co.uk" has two labels after the star, which the default mode accepts; strict mode has no wildcards. Tagged pedantic-public-suffix-wildcard upstream |
 * | webpki::san::public-suffix-private-namespace-wildcard-san | MATCH / NO_MATCH | same, "*.s3.amazonaws.com" |
 * | webpki::san::leftmost-wildcard-san                | MATCH / NO_MATCH  | agrees by default; strict mode (RFC 5922) has no wildcards |
 *
 * IP cases run with ID_ADDRESS, since the reference is an address. Every
 * other case agrees with upstream in both modes.
 */

struct limbo_deviation {
	const char	*id;
	enum id_result	 dflt;
	enum id_result	 strict;
};

static const struct limbo_deviation limbo_deviations[] = {
	{ "rfc5280::san::noncritical-with-empty-subject", M, M },
	{ "webpki::san::san-critical-with-nonempty-subject", M, M },
	{ "webpki::san::no-san", M, M },
	{ "webpki::cn::ipv4-hex-mismatch", M, M },
	{ "webpki::cn::ipv4-leading-zeros-mismatch", M, M },
	{ "webpki::cn::ipv6-uppercase-mismatch", M, M },
	{ "webpki::cn::ipv6-uncompressed-mismatch", M, M },
	{ "webpki::cn::ipv6-non-rfc5952-mismatch", M, M },
	{ "webpki::cn::punycode-not-in-san", M, M },
	{ "webpki::cn::utf8-vs-punycode-mismatch", M, M },
	{ "webpki::cn::not-in-san", M, M },
	{ "webpki::cn::case-mismatch", M, M },
	{ "webpki::san::mismatch-apex-subdomain-san", M, N },
	{ "webpki::san::public-suffix-wildcard-san", M, N },
	{ "webpki::san::san-wildcard-only", M, N },
	{ "webpki::san::public-suffix-multi-label-wildcard-san", M, N },
	{ "webpki::san::public-suffix-private-namespace-wildcard-san", M, N },
	{ "webpki::san::leftmost-wildcard-san", M, N },
};

#define LIMBO_CASES	32

struct limbo_row {
	char	id[128];
	char	kind[8];
	char	name[256];
	char	expected[16];
	char	pem[256];
};

static bool
limbo_row_parse(char *line, struct limbo_row *r)
{
	char	*f[5], *save = NULL;
	size_t	 n = 0;

	line[strcspn(line, "\n")] = '\0';
	if (line[0] == '#' || line[0] == '\0')
		return false;
	for (char *t = strtok_r(line, "\t", &save); t != NULL && n < 5;
	    t = strtok_r(NULL, "\t", &save))
		f[n++] = t;
	ck_assert_msg(n == 5, "short limbo row: %s", line);
	snprintf(r->id, sizeof(r->id), "%s", f[0]);
	snprintf(r->kind, sizeof(r->kind), "%s", f[1]);
	snprintf(r->name, sizeof(r->name), "%s", f[2]);
	snprintf(r->expected, sizeof(r->expected), "%s", f[3]);
	snprintf(r->pem, sizeof(r->pem), "%s", f[4]);
	return true;
}

static X509 *
limbo_load(const char *dir, const char *pem)
{
	char	 path[1400];
	FILE	*fp;
	X509	*x;

	snprintf(path, sizeof(path), "%s/%s", dir, pem);
	fp = fopen(path, "r");
	ck_assert_msg(fp != NULL, "cannot open %s", path);
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	ck_assert_msg(x != NULL, "not a certificate: %s", path);
	return x;
}

static void
limbo_expect(const struct limbo_row *r, bool *seen, enum id_result *dflt,
    enum id_result *strict)
{
	*dflt = *strict = strcmp(r->expected, "SUCCESS") == 0 ? M : N;
	for (size_t i = 0; i < ARRLEN(limbo_deviations); i++) {
		if (strcmp(limbo_deviations[i].id, r->id) != 0)
			continue;
		ck_assert_msg(!seen[i], "limbo case listed twice: %s", r->id);
		seen[i] = true;
		*dflt = limbo_deviations[i].dflt;
		*strict = limbo_deviations[i].strict;
	}
}

/* Runs one case in both modes; returns how many modes disagreed, printed. */
static int
limbo_run_row(const char *dir, const struct limbo_row *r, bool *seen)
{
	X509		*x = limbo_load(dir, r->pem);
	unsigned	 flags = strcmp(r->kind, "IP") == 0 ? ID_ADDRESS : 0;
	enum id_result	 want[2], got;
	char		 why[ID_WHY_LEN];
	int		 bad = 0;

	limbo_expect(r, seen, &want[0], &want[1]);
	for (int strict = 0; strict < 2; strict++) {
		got = identity_check_server(x, r->name,
		    flags | (strict ? ID_STRICT : 0), why, sizeof(why));
		if (got == want[strict])
			continue;
		fprintf(stderr, "limbo %s (%s): got %s, want %s: %s\n", r->id,
		    strict ? "strict" : "default", result_name(got),
		    result_name(want[strict]), why);
		bad++;
	}
	X509_free(x);
	return bad;
}

START_TEST(test_limbo_identity)
{
	const char	*srcdir = getenv("srcdir");
	char		 dir[1024], path[1100], line[2048];
	bool		 seen[ARRLEN(limbo_deviations)] = { false };
	struct limbo_row r;
	size_t		 rows = 0;
	int		 bad = 0;
	FILE		*fp;

	snprintf(dir, sizeof(dir), "%s/tests/identity", srcdir ? srcdir : ".");
	snprintf(path, sizeof(path), "%s/limbo-identity.tsv", dir);
	fp = fopen(path, "r");
	ck_assert_msg(fp != NULL, "cannot open %s", path);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (!limbo_row_parse(line, &r))
			continue;
		bad += limbo_run_row(dir, &r, seen);
		rows++;
	}
	fclose(fp);
	ck_assert_uint_eq(rows, LIMBO_CASES);
	ck_assert_msg(bad == 0, "%d limbo results differ from the table", bad);
	for (size_t i = 0; i < ARRLEN(limbo_deviations); i++)
		ck_assert_msg(seen[i], "deviation for a case not in the TSV: %s",
		    limbo_deviations[i].id);
}
END_TEST

static Suite *
identity_suite(void)
{
	Suite	*s = suite_create("identity");
	TCase	*tc;

	tc = tcase_create("server");
	tcase_add_loop_test(tc, test_server_default, 0, (int)ARRLEN(server_cases));
	tcase_add_loop_test(tc, test_server_strict, 0, (int)ARRLEN(server_cases));
	tcase_add_test(tc, test_server_null_inputs);
	suite_add_tcase(s, tc);

	tc = tcase_create("client");
	tcase_add_loop_test(tc, test_client_default, 0, (int)ARRLEN(client_cases));
	tcase_add_loop_test(tc, test_client_strict, 0, (int)ARRLEN(client_cases));
	tcase_add_test(tc, test_client_null_list);
	tcase_add_test(tc, test_applies);
	tcase_add_test(tc, test_bidirectional_flow);
	suite_add_tcase(s, tc);

	tc = tcase_create("reason");
	tcase_add_test(tc, test_why_lines);
	tcase_add_test(tc, test_why_client_list);
	tcase_add_test(tc, test_why_truncation);
	tcase_add_test(tc, test_why_long_name);
	tcase_add_test(tc, test_summary);
	suite_add_tcase(s, tc);

	tc = tcase_create("limbo");
	tcase_add_test(tc, test_limbo_identity);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(identity_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
