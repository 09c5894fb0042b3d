/*
 * Peer identity checks for "cn-san validate": a small matcher over the
 * certificate's Common Name and subjectAltName entries (RFC 5922 section 7,
 * RFC 6125/9525 name rules), with one log line saying what was presented.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "identity.h"

#define HOST_MAX	253	/* RFC 1035, without the trailing dot */
#define LABEL_MAX	63
#define SHOW_MAX	100	/* longest name shown in a log line, in bytes */
#define SUMMARY_SANS	3

/* A text being built into a caller's buffer; it never overflows and ends in
 * "..." when cut. Without a buffer it only measures. */
struct sbuf {
	char	*p;
	size_t	 cap;		/* bytes in p, NUL included */
	size_t	 len;
	size_t	 lim;		/* the text may not grow past this */
	bool	 cut;
};

/* The name we look for, once checked. */
struct ref {
	const char	*text;		/* as configured, for the log */
	char		 host[HOST_MAX + 1];	/* lower case, no trailing dot */
	bool		 is_ip;
	unsigned char	 ip[16];
	size_t		 iplen;
	const char	*invalid;	/* why it can never match; NULL if usable */
};

/* Where references come from: one sip-server name or a cn-san list. */
struct refs {
	const char		*one;
	const struct cnsan_entry *list;
	size_t			 n;
	unsigned		 flags;
};

enum pname_kind { PN_CN, PN_DNS, PN_URI, PN_IP, PN_EMAIL, PN_OTHER };

/* One name the certificate presents, classified. */
struct pname {
	enum pname_kind	 kind;
	int		 gentype;	/* GEN_* for SANs */
	const unsigned char *raw;	/* as encoded, for the log */
	size_t		 rawlen;
	char		 host[HOST_MAX + 1];	/* lower case, no trailing dot */
	bool		 wildcard;	/* host is "*.rest" */
	unsigned char	 ip[16];
	size_t		 iplen;
	const char	*unused;	/* why it is no candidate; NULL if it is */
};

enum san_state { SAN_ABSENT, SAN_PRESENT, SAN_MALFORMED };

/* The names of one certificate, loaded once per check. */
struct certnames {
	GENERAL_NAMES	*san;
	enum san_state	 san_state;
	int		 nsan;
	unsigned char	*cn;		/* UTF-8 of the most specific CN */
	int		 cnlen;		/* -1: no CN; -2: unreadable */
	bool		 sip_uri;	/* a "sip" URI names a domain */
	unsigned	 flags;
};

/* ---- text building ------------------------------------------------------ */

static void
sbuf_init(struct sbuf *sb, char *p, size_t cap)
{
	if (p == NULL || cap == 0) {
		p = NULL;
		cap = SIZE_MAX;
	}
	sb->p = p;
	sb->cap = cap;
	sb->len = 0;
	sb->lim = cap - 1;
	sb->cut = false;
	if (p != NULL)
		p[0] = '\0';
}

static void
sbuf_setlim(struct sbuf *sb, size_t lim)
{
	sb->lim = lim < sb->cap - 1 ? lim : sb->cap - 1;
	if (sb->lim < sb->len)
		sb->lim = sb->len;
	sb->cut = false;
}

/* Ends the text at the limit with "..." (fewer dots if the room is short). */
static void
sbuf_cut(struct sbuf *sb)
{
	size_t dots = sb->lim < 3 ? sb->lim : 3;

	sb->cut = true;
	if (sb->p == NULL)
		return;
	memset(sb->p + sb->lim - dots, '.', dots);
	sb->len = sb->lim;
	sb->p[sb->len] = '\0';
}

static void
sbuf_putc(struct sbuf *sb, char c)
{
	if (sb->cut)
		return;
	if (sb->len >= sb->lim) {
		sbuf_cut(sb);
		return;
	}
	if (sb->p != NULL) {
		sb->p[sb->len] = c;
		sb->p[sb->len + 1] = '\0';
	}
	sb->len++;
}

static void
sbuf_puts(struct sbuf *sb, const char *s)
{
	while (*s != '\0')
		sbuf_putc(sb, *s++);
}

static void
sbuf_putu(struct sbuf *sb, unsigned long v)
{
	char	tmp[24];

	snprintf(tmp, sizeof(tmp), "%lu", v);
	sbuf_puts(sb, tmp);
}

/*
 * Certificate bytes go to syslog: anything but printable ASCII, and the
 * separators of our own line, is written as \xHH so a name cannot forge
 * log text or hide a NUL. Long names are shortened.
 */
static void
sbuf_putesc(struct sbuf *sb, const unsigned char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t	shown = n > SHOW_MAX ? SHOW_MAX : n;

	for (size_t i = 0; i < shown; i++) {
		unsigned char c = s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\' && c != ',' && c != ';') {
			sbuf_putc(sb, (char)c);
			continue;
		}
		sbuf_puts(sb, "\\x");
		sbuf_putc(sb, hex[c >> 4]);
		sbuf_putc(sb, hex[c & 0xf]);
	}
	if (shown < n)
		sbuf_puts(sb, "...");
}

/* ---- host names ---------------------------------------------------------- */

static char
ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Locale-free: a Turkish locale must not change what "SIP" spells. */
static bool
ascii_prefix(const unsigned char *s, size_t n, const char *word)
{
	size_t wlen = strlen(word);

	if (n != wlen)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ascii_lower((char)s[i]) != word[i])
			return false;
	return true;
}

static bool
ascii_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

/* One label of a host name: LDH, 1..63 octets, no '-' at either end. */
static const char *
label_check(const unsigned char *s, size_t n, bool *numeric)
{
	*numeric = true;
	if (n == 0 || n > LABEL_MAX)
		return "invalid host name";
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\0')
			return "contains NUL";
		if (s[i] == '*')
			return "wildcard not a whole leftmost label";
		if (s[i] >= 0x80)
			return "not ASCII";
		if (!ascii_ldh(s[i]))
			return "invalid host name";
		if (s[i] < '0' || s[i] > '9')
			*numeric = false;
	}
	if (s[0] == '-' || s[n - 1] == '-')
		return "invalid host name";
	return NULL;
}

/*
 * Checks a host name as presented or configured and copies it in lower case
 * without its one optional trailing dot. A wildcard, where allowed, is a
 * leftmost label of exactly "*" followed by at least two labels, so "*.com"
 * and "*" are refused; anything else with '*' is refused too (RFC 6125
 * 6.4.3, RFC 9525 6.3). A name whose last label is all digits is an IPv4
 * address written as text, never a DNS name. Returns why not, or NULL.
 */
static const char *
host_parse(const unsigned char *s, size_t n, bool allow_wild, char *out,
    bool *wild)
{
	const char	*why;
	size_t		 start = 0, labels = 0;
	bool		 numeric = false;

	*wild = false;
	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0)
		return "empty";
	if (n > HOST_MAX)
		return "longer than 253 octets";
	if (n == 1 && s[0] == '*')
		return allow_wild ? "wildcard too broad" : "wildcard not allowed";
	if (n >= 2 && s[0] == '*' && s[1] == '.') {
		if (!allow_wild)
			return "wildcard not allowed";
		*wild = true;
		start = 2;
	}
	for (size_t i = start; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if ((why = label_check(s + start, i - start, &numeric)) != NULL)
			return why;
		labels++;
		start = i + 1;
	}
	if (numeric)
		return "an address";
	if (*wild && labels < 2)
		return "wildcard too broad";
	for (size_t i = 0; i < n; i++)
		out[i] = ascii_lower((char)s[i]);
	out[n] = '\0';
	return NULL;
}

/*
 * Compares a presented host with a reference, both lower case. A wildcard
 * stands for exactly one whole label, never for part of one and never for
 * none: "*.example.com" matches "a.example.com" only.
 */
static bool
host_match(const char *presented, bool wildcard, const char *ref)
{
	const char *dot;

	if (!wildcard)
		return strcmp(presented, ref) == 0;
	if ((dot = strchr(ref, '.')) == NULL || dot == ref)
		return false;
	return strcmp(presented + 1, dot) == 0;
}

/* ---- references ------------------------------------------------------------ */

static void
ref_init(struct ref *r, const char *text, bool address)
{
	bool wild;

	memset(r, 0, sizeof(*r));
	r->text = text;
	if (text == NULL) {
		r->text = "(none)";
		r->invalid = "no name configured";
		return;
	}
	if (address) {
		r->is_ip = true;
		if (inet_pton(AF_INET, text, r->ip) == 1)
			r->iplen = 4;
		else if (inet_pton(AF_INET6, text, r->ip) == 1)
			r->iplen = 16;
		else
			r->invalid = "not an IP address";
		return;
	}
	r->invalid = host_parse((const unsigned char *)text, strlen(text),
	    false, r->host, &wild);
	if (r->invalid != NULL && strchr(text, ':') != NULL &&
	    inet_pton(AF_INET6, text, r->ip) == 1)
		r->invalid = "an address";
}

static size_t
refs_count(const struct refs *rs)
{
	return rs->list != NULL ? rs->n : 1;
}

static void
refs_get(const struct refs *rs, size_t i, struct ref *r)
{
	if (rs->list != NULL)
		ref_init(r, rs->list[i].fqdn, false);
	else
		ref_init(r, rs->one, (rs->flags & ID_ADDRESS) != 0);
}

/* ---- the certificate's names ---------------------------------------------- */

/* The most specific (last) CN, as RFC 6125 6.4.4 picks it, in UTF-8. */
static void
certnames_load_cn(struct certnames *cn, X509 *peer)
{
	const X509_NAME	*subject = X509_get_subject_name(peer);
	X509_NAME_ENTRY	*e;
	int		 i = -1, last = -1;

	cn->cnlen = -1;
	while (subject != NULL &&
	    (i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0)
		last = i;
	if (last < 0)
		return;
	e = X509_NAME_get_entry(subject, last);
	cn->cnlen = ASN1_STRING_to_UTF8(&cn->cn, X509_NAME_ENTRY_get_data(e));
	if (cn->cnlen < 0) {
		cn->cn = NULL;
		cn->cnlen = -2;
	}
}

/*
 * A SAN extension that is present but cannot be decoded, or present twice,
 * makes the whole check fail: falling back to the CN there would let a
 * broken certificate be judged on its weakest field.
 */
static void
certnames_load_san(struct certnames *cn, X509 *peer)
{
	int crit = -1;

	cn->san = X509_get_ext_d2i(peer, NID_subject_alt_name, &crit, NULL);
	if (cn->san != NULL) {
		cn->san_state = SAN_PRESENT;
		cn->nsan = sk_GENERAL_NAME_num(cn->san);
	} else if (crit == -1) {
		cn->san_state = SAN_ABSENT;
	} else {
		cn->san_state = SAN_MALFORMED;	/* undecodable, or duplicated (-2) */
	}
}

/*
 * Splits a SIP URI SAN into its host. Any '@' means a user part (or worse);
 * such a URI names a user, not a domain (RFC 5922 7.1), and since a user
 * part may itself hold ';' or '?', we do not try to find where it ends.
 */
static const char *
uri_host(const unsigned char *s, size_t n, bool strict, char *host)
{
	size_t	 scheme, end, colon;
	bool	 wild;

	for (scheme = 0; scheme < n && s[scheme] != ':'; scheme++)
		;
	if (scheme == n)
		return "not a URI";
	if (!ascii_prefix(s, scheme, "sip") && !ascii_prefix(s, scheme, "sips"))
		return "not sip";
	if (strict && scheme == 4)
		return "strict: sips";
	s += scheme + 1;
	n -= scheme + 1;
	if (memchr(s, '@', n) != NULL)
		return "has a user part";
	for (end = 0; end < n && s[end] != ';' && s[end] != '?'; end++)
		if (s[end] == '/' || s[end] == '[')
			return "not a SIP domain";
	for (colon = end; colon > 0 && s[colon - 1] != ':'; colon--)
		;
	if (colon > 0) {
		if (colon == end || end - colon > 5)
			return "bad port";
		for (size_t i = colon; i < end; i++)
			if (s[i] < '0' || s[i] > '9')
				return "bad port";
		end = colon - 1;
	}
	return host_parse(s, end, false, host, &wild);
}

static void
pname_from_uri(const struct certnames *cn, struct pname *pn)
{
	pn->kind = PN_URI;
	pn->unused = uri_host(pn->raw, pn->rawlen, cn->flags & ID_STRICT,
	    pn->host);
}

/* A dNSName and the CN are read alike: a host name, a wildcard unless strict. */
static void
pname_host_parse(struct pname *pn, bool strict)
{
	pn->unused = host_parse(pn->raw, pn->rawlen, true, pn->host,
	    &pn->wildcard);
	if (pn->unused == NULL && pn->wildcard && strict)
		pn->unused = "strict: wildcard";
}

static void
pname_from_dns(const struct certnames *cn, struct pname *pn)
{
	bool strict = (cn->flags & ID_STRICT) != 0;

	pn->kind = PN_DNS;
	if (strict && cn->sip_uri)
		pn->unused = "strict: sip URI present";
	else
		pname_host_parse(pn, strict);
}

static void
pname_from_general(const struct certnames *cn, const GENERAL_NAME *gn,
    struct pname *pn)
{
	const ASN1_STRING *str = NULL;

	memset(pn, 0, sizeof(*pn));
	pn->gentype = gn->type;
	pn->kind = PN_OTHER;
	switch (gn->type) {
	case GEN_DNS:	str = gn->d.dNSName; break;
	case GEN_URI:	str = gn->d.uniformResourceIdentifier; break;
	case GEN_EMAIL:	str = gn->d.rfc822Name; break;
	case GEN_IPADD:	str = gn->d.iPAddress; break;
	default:	return;
	}
	pn->raw = ASN1_STRING_get0_data(str);
	pn->rawlen = (size_t)ASN1_STRING_length(str);
	if (gn->type == GEN_DNS) {
		pname_from_dns(cn, pn);
	} else if (gn->type == GEN_URI) {
		pname_from_uri(cn, pn);
	} else if (gn->type == GEN_EMAIL) {
		pn->kind = PN_EMAIL;
	} else {
		pn->kind = PN_IP;
		if (pn->rawlen == 4 || pn->rawlen == 16) {
			pn->iplen = pn->rawlen;
			memcpy(pn->ip, pn->raw, pn->iplen);
		}
	}
}

static void
pname_from_cn(const struct certnames *cn, struct pname *pn)
{
	bool strict = (cn->flags & ID_STRICT) != 0;

	memset(pn, 0, sizeof(*pn));
	pn->kind = PN_CN;
	if (cn->cnlen < 0) {
		pn->unused = "unreadable";
		return;
	}
	pn->raw = cn->cn;
	pn->rawlen = (size_t)cn->cnlen;
	if (strict && cn->san_state != SAN_ABSENT)
		pn->unused = "strict: SAN present";
	else
		pname_host_parse(pn, strict);
}

/* RFC 5922 7.1: dNSNames count only if no "sip" URI names a domain. */
static void
certnames_find_sip_uri(struct certnames *cn)
{
	char	host[HOST_MAX + 1];

	for (int i = 0; i < cn->nsan; i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(cn->san, i);
		const ASN1_STRING *s;

		if (gn->type != GEN_URI)
			continue;
		s = gn->d.uniformResourceIdentifier;
		if (uri_host(ASN1_STRING_get0_data(s),
		    (size_t)ASN1_STRING_length(s), true, host) == NULL)
			cn->sip_uri = true;
	}
}

static void
certnames_load(struct certnames *cn, X509 *peer, unsigned flags)
{
	memset(cn, 0, sizeof(*cn));
	cn->flags = flags;
	certnames_load_san(cn, peer);
	certnames_load_cn(cn, peer);
	if (flags & ID_STRICT)
		certnames_find_sip_uri(cn);
}

static void
certnames_free(struct certnames *cn)
{
	GENERAL_NAMES_free(cn->san);
	OPENSSL_free(cn->cn);
}

/* Names in log order: the CN (if any), then the SANs as encoded. */
static int
certnames_count(const struct certnames *cn)
{
	return (cn->cnlen != -1) + cn->nsan;
}

static void
certnames_get(const struct certnames *cn, int i, struct pname *pn)
{
	if (cn->cnlen != -1) {
		if (i == 0) {
			pname_from_cn(cn, pn);
			return;
		}
		i--;
	}
	pname_from_general(cn, sk_GENERAL_NAME_value(cn->san, i), pn);
}

/*
 * The order names are tried in: the SANs first, the CN last, so that the
 * log credits the SAN when both would match.
 */
static int
certnames_try_order(const struct certnames *cn, int k)
{
	if (cn->cnlen == -1)
		return k;
	return k < cn->nsan ? k + 1 : 0;
}

/* ---- matching and reporting ------------------------------------------------ */

static bool
pname_matches(const struct pname *pn, const struct ref *r)
{
	if (pn->unused != NULL || r->invalid != NULL)
		return false;
	if (r->is_ip)
		return pn->kind == PN_IP && pn->iplen == r->iplen &&
		    memcmp(pn->ip, r->ip, r->iplen) == 0;
	if (pn->kind != PN_CN && pn->kind != PN_DNS && pn->kind != PN_URI)
		return false;
	return host_match(pn->host, pn->wildcard, r->host);
}

static void
pname_show(struct sbuf *sb, const struct pname *pn, bool annotate)
{
	char	 addr[INET6_ADDRSTRLEN];

	switch (pn->kind) {
	case PN_CN:	sbuf_puts(sb, "CN="); break;
	case PN_DNS:	sbuf_puts(sb, "DNS:"); break;
	case PN_URI:	sbuf_puts(sb, "URI:"); break;
	case PN_EMAIL:	sbuf_puts(sb, "email:"); break;
	case PN_IP:	sbuf_puts(sb, "IP:"); break;
	case PN_OTHER:
		sbuf_puts(sb, pn->gentype == GEN_DIRNAME ? "DirName" :
		    pn->gentype == GEN_OTHERNAME ? "othername" :
		    pn->gentype == GEN_RID ? "RID" : "other name");
		return;
	}
	if (pn->kind == PN_IP && pn->iplen != 0)
		sbuf_puts(sb, inet_ntop(pn->iplen == 4 ? AF_INET : AF_INET6,
		    pn->ip, addr, sizeof(addr)));
	else if (pn->kind == PN_IP)
		sbuf_puts(sb, "(bad length)");
	else
		sbuf_putesc(sb, pn->raw, pn->rawlen);
	if (annotate && pn->unused != NULL && pn->kind != PN_EMAIL) {
		sbuf_puts(sb, " (");
		sbuf_puts(sb, pn->unused);
		sbuf_putc(sb, ')');
	}
}

static void
ref_show(struct sbuf *sb, const struct ref *r)
{
	sbuf_putesc(sb, (const unsigned char *)r->text, strlen(r->text));
	if (r->invalid != NULL) {
		sbuf_puts(sb, " (");
		sbuf_puts(sb, r->invalid);
		sbuf_putc(sb, ')');
	}
}

static void
refs_show(struct sbuf *sb, const struct refs *rs)
{
	struct ref r;

	sbuf_puts(sb, "; expected ");
	if (rs->list != NULL && rs->n == 0) {
		sbuf_puts(sb, "a cn-san entry, but the list is empty");
		return;
	}
	if (rs->list != NULL)
		sbuf_puts(sb, "one of ");
	for (size_t i = 0; i < refs_count(rs); i++) {
		if (i > 0)
			sbuf_puts(sb, ", ");
		refs_get(rs, i, &r);
		ref_show(sb, &r);
	}
}

static void
certnames_show(struct sbuf *sb, const struct certnames *cn)
{
	struct pname pn;

	sbuf_puts(sb, "certificate names: ");
	if (cn->san_state == SAN_MALFORMED)
		sbuf_puts(sb, "unreadable subjectAltName, ");
	if (certnames_count(cn) == 0)
		sbuf_puts(sb, "none");
	for (int i = 0; i < certnames_count(cn); i++) {
		if (i > 0)
			sbuf_puts(sb, ", ");
		certnames_get(cn, i, &pn);
		pname_show(sb, &pn, true);
	}
}

/*
 * The refusal line. The expected names matter most to the operator, so the
 * certificate's list is cut first, keeping up to half the line for them.
 */
static void
why_no_match(const struct certnames *cn, const struct refs *rs, char *why,
    size_t whylen)
{
	struct sbuf	 sb;
	size_t		 want, keep;

	if (why == NULL || whylen == 0)
		return;
	sbuf_init(&sb, NULL, 0);
	refs_show(&sb, rs);
	want = sb.len;
	sbuf_init(&sb, why, whylen);
	keep = want < (sb.cap - 1) / 2 ? want : (sb.cap - 1) / 2;
	sbuf_setlim(&sb, sb.cap - 1 - keep);
	certnames_show(&sb, cn);
	sbuf_setlim(&sb, sb.cap - 1);
	refs_show(&sb, rs);
}

static void
why_match(const struct pname *pn, const struct refs *rs, size_t ri,
    char *why, size_t whylen)
{
	struct sbuf sb;

	sbuf_init(&sb, why, whylen);
	sbuf_puts(&sb, "matched ");
	pname_show(&sb, pn, false);
	if (rs->list == NULL)
		return;
	sbuf_puts(&sb, " with cn-san ");
	sbuf_putu(&sb, rs->list[ri].idx);
	sbuf_putc(&sb, ' ');
	sbuf_putesc(&sb, (const unsigned char *)rs->list[ri].fqdn,
	    strlen(rs->list[ri].fqdn));
}

static void
why_set(char *why, size_t whylen, const char *text)
{
	struct sbuf sb;

	sbuf_init(&sb, why, whylen);
	sbuf_puts(&sb, text);
}

/* Tries every reference against every usable name; fails closed. */
static enum id_result
identity_check(X509 *peer, const struct refs *rs, char *why, size_t whylen)
{
	struct certnames cn;
	struct pname	 pn;
	struct ref	 r;

	if (peer == NULL) {
		why_set(why, whylen, "no peer certificate");
		return ID_NO_MATCH;
	}
	certnames_load(&cn, peer, rs->flags);
	for (size_t ri = 0; cn.san_state != SAN_MALFORMED &&
	    ri < refs_count(rs); ri++) {
		refs_get(rs, ri, &r);
		for (int i = 0; r.invalid == NULL && i < certnames_count(&cn); i++) {
			certnames_get(&cn, certnames_try_order(&cn, i), &pn);
			if (!pname_matches(&pn, &r))
				continue;
			why_match(&pn, rs, ri, why, whylen);
			certnames_free(&cn);
			return ID_MATCH;
		}
	}
	why_no_match(&cn, rs, why, whylen);
	certnames_free(&cn);
	return ID_NO_MATCH;
}

enum id_result
identity_check_server(X509 *peer, const char *fqdn, unsigned flags,
    char *why, size_t whylen)
{
	struct refs rs = { .one = fqdn, .flags = flags };

	return identity_check(peer, &rs, why, whylen);
}

enum id_result
identity_check_client(X509 *peer, const struct cnsan_entry *list, size_t n,
    unsigned flags, char *why, size_t whylen)
{
	static const struct cnsan_entry none[1];
	struct refs rs = { .list = list != NULL ? list : none,
	    .n = list != NULL ? n : 0, .flags = flags & ~ID_ADDRESS };

	return identity_check(peer, &rs, why, whylen);
}

bool
identity_applies(enum cnsan_mode mode, bool originated)
{
	if (mode == CNSAN_BIDIRECTIONAL)
		return true;
	return originated ? mode == CNSAN_SERVER : mode == CNSAN_CLIENT;
}

const char *
identity_summary(X509 *peer, char *buf, size_t len)
{
	struct certnames cn;
	struct pname	 pn;
	struct sbuf	 sb;
	int		 shown;

	sbuf_init(&sb, buf, len);
	if (peer == NULL) {
		sbuf_puts(&sb, "(no certificate)");
		return buf;
	}
	certnames_load(&cn, peer, 0);
	shown = (cn.cnlen != -1) + (cn.nsan < SUMMARY_SANS ? cn.nsan : SUMMARY_SANS);
	if (cn.san_state == SAN_MALFORMED)
		sbuf_puts(&sb, "(unreadable subjectAltName)");
	else if (shown == 0)
		sbuf_puts(&sb, "(no names)");
	for (int i = 0; i < shown; i++) {
		if (i > 0 || cn.san_state == SAN_MALFORMED)
			sbuf_puts(&sb, ", ");
		certnames_get(&cn, i, &pn);
		pname_show(&sb, &pn, false);
	}
	if (certnames_count(&cn) > shown) {
		sbuf_puts(&sb, ", +");
		sbuf_putu(&sb, (unsigned long)(certnames_count(&cn) - shown));
		sbuf_puts(&sb, " more");
	}
	certnames_free(&cn);
	return buf;
}
