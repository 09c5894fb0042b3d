/*
 * The commands of each configuration mode and what they set. Tables are
 * per mode, as IOS shows them with "?"; a handler sees the words after the
 * command's keywords and whether the line began with "no".
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_parse.h"

#define ARGV(i)		((i) < a->argc ? a->argv[(i)] : "")
#define IS(i, w)	(a->argc > (i) && strcasecmp(a->argv[(i)], (w)) == 0)

/* ---- objects entered by tag or name ---------------------------------- */

/* object_enter() relies on every tagged object starting with tag, then line. */
#define TAGGED(type) \
	_Static_assert(offsetof(struct type, tag) == 0 && \
	    offsetof(struct type, line) == sizeof(unsigned), #type " layout")
TAGGED(tls_cipher_config);
TAGGED(tls_profile_config);
TAGGED(srtp_crypto_config);
TAGGED(tenant_config);
TAGGED(dial_peer_config);

/*
 * Entering an existing object edits it, as in IOS; "no" deletes it. The
 * arrays are searched by tag, so the generic part only needs the offset.
 */
static int
object_enter(struct parser *p, struct cmd_args *a, void **arr, size_t *n,
    size_t size, enum parse_mode mode, const char *what)
{
	unsigned	 tag;
	char		*base;

	if (parse_tag(p, ARGV(0), what, &tag) == -1)
		return -1;
	base = *arr;
	for (size_t i = 0; i < *n; i++) {
		unsigned *t = (unsigned *)(base + i * size);

		if (*t != tag)
			continue;
		if (a->negate) {
			array_del(*arr, n, size, i);
			return 0;
		}
		return parse_push(p, mode, i);
	}
	if (a->negate)
		return parse_error(p, "%s %u is not defined", what, tag);
	if ((base = array_add(arr, n, size)) == NULL)
		return parse_error(p, "out of memory");
	*(unsigned *)base = tag;
	*(unsigned *)(base + sizeof(unsigned)) = p->line;
	return parse_push(p, mode, *n - 1);
}

static int
cmd_tls_cipher(struct parser *p, struct cmd_args *a)
{
	struct config		*cfg = p->cfg;
	size_t			 before = cfg->nciphers;
	struct tls_cipher_config *tc;

	if (object_enter(p, a, (void **)&cfg->ciphers, &cfg->nciphers,
	    sizeof(*tc), M_CIPHER, "tls-cipher") == -1)
		return -1;
	if (cfg->nciphers > before) {
		tc = &cfg->ciphers[cfg->nciphers - 1];
		for (size_t i = 0; i < CONF_CIPHERS_MAX; i++)
			tc->pref[i] = -1;
	}
	return 0;
}

static int
cmd_tls_profile(struct parser *p, struct cmd_args *a)
{
	struct config *cfg = p->cfg;

	return object_enter(p, a, (void **)&cfg->profiles, &cfg->nprofiles,
	    sizeof(struct tls_profile_config), M_PROFILE, "tls-profile");
}

static int
cmd_tenant(struct parser *p, struct cmd_args *a)
{
	struct config *cfg = p->cfg;

	return object_enter(p, a, (void **)&cfg->tenants, &cfg->ntenants,
	    sizeof(struct tenant_config), M_TENANT, "tenant");
}

static int
cmd_srtp_crypto(struct parser *p, struct cmd_args *a)
{
	struct config		*cfg = p->cfg;
	size_t			 before = cfg->nsrtps;
	struct srtp_crypto_config *sc;

	if (object_enter(p, a, (void **)&cfg->srtps, &cfg->nsrtps, sizeof(*sc),
	    M_SRTP, "srtp-crypto") == -1)
		return -1;
	if (cfg->nsrtps > before) {
		sc = &cfg->srtps[cfg->nsrtps - 1];
		for (size_t i = 0; i < CONF_SRTP_MAX; i++)
			sc->pref[i] = -1;
	}
	return 0;
}

static int
cmd_dial_peer(struct parser *p, struct cmd_args *a)
{
	struct config *cfg = p->cfg;

	if (!a->negate && (a->argc != 2 || strcasecmp(ARGV(1), "voip") != 0))
		return parse_error(p, "dial-peer voice %s: sipktlsd knows only "
		    "\"voip\" dial-peers (usage: dial-peer voice TAG voip)", ARGV(0));
	return object_enter(p, a, (void **)&cfg->dial_peers, &cfg->ndial_peers,
	    sizeof(struct dial_peer_config), M_DIALPEER, "dial-peer");
}

static int
cmd_voice_class_unused(struct parser *p, struct cmd_args *a)
{
	unsigned tag;

	if (parse_tag(p, ARGV(0), "voice class", &tag) == -1)
		return -1;
	return a->negate ? 0 : parse_push(p, M_UNUSED, 0);
}

static int
cmd_trustpoint(struct parser *p, struct cmd_args *a)
{
	struct config		 *cfg = p->cfg;
	struct trustpoint_config *tp;

	for (size_t i = 0; i < cfg->ntrustpoints; i++) {
		if (strcmp(cfg->trustpoints[i].name, ARGV(0)) != 0)
			continue;
		if (a->negate) {
			array_del(cfg->trustpoints, &cfg->ntrustpoints,
			    sizeof(*tp), i);
			return 0;
		}
		return parse_push(p, M_TRUSTPOINT, i);
	}
	if (a->negate)
		return parse_error(p, "trustpoint %s is not defined", ARGV(0));
	tp = array_add((void **)&cfg->trustpoints, &cfg->ntrustpoints,
	    sizeof(*tp));
	if (tp == NULL)
		return parse_error(p, "out of memory");
	tp->line = p->line;
	tp->serial_number_set = false;
	if (parse_name(p, ARGV(0), tp->name, sizeof(tp->name), "trustpoint name") == -1) {
		cfg->ntrustpoints--;
		return -1;
	}
	return parse_push(p, M_TRUSTPOINT, cfg->ntrustpoints - 1);
}

/*
 * The chain's certificates live in the PKI store, so a pasted chain is
 * checked for shape and otherwise listed as not acted on.
 */
static int
cmd_chain(struct parser *p, struct cmd_args *a)
{
	struct trustpoint_config *tp = config_trustpoint(p->cfg, ARGV(0));

	if (tp == NULL)
		return parse_error(p, "certificate chain %s: trustpoint %s is not "
		    "defined (define \"crypto pki trustpoint %s\" first)",
		    ARGV(0), ARGV(0), ARGV(0));
	tp->has_chain = !a->negate;
	return a->negate ? 0 : parse_push(p, M_CHAIN, 0);
}

static int
cmd_certificate(struct parser *p, struct cmd_args *a)
{
	const char *serial = IS(0, "ca") ? (a->argc > 1 ? ARGV(1) : NULL) : ARGV(0);

	if (serial == NULL || a->argc > (IS(0, "ca") ? 2 : 1))
		return parse_error(p, "usage: certificate [ca] SERIAL");
	for (const char *s = serial; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return parse_error(p, "certificate serial \"%s\" is not "
			    "hexadecimal", serial);
	parse_unused(p);
	return a->negate ? 0 : parse_push(p, M_CERTDATA, 0);
}

static int
cmd_certdata(struct parser *p, struct cmd_args *a)
{
	(void)a;
	if (strcasecmp(p->text, "quit") == 0) {
		p->depth--;
		return 0;
	}
	for (const char *s = p->text; *s; s++)
		if (!isxdigit((unsigned char)*s) && *s != ' ')
			return parse_error(p, "certificate data \"%.20s\" is not "
			    "hexadecimal (end the certificate with \"quit\")", p->text);
	return 0;
}

/* ---- global commands ------------------------------------------------- */

static int
set_hostname(struct parser *p, char *dst, size_t len, struct cmd_args *a,
    const char *what)
{
	const char *why;

	if (a->negate) {
		dst[0] = '\0';
		return 0;
	}
	if (!fqdn_valid(ARGV(0), &why))
		return parse_error(p, "%s \"%s\" %s", what, ARGV(0), why);
	return parse_name(p, ARGV(0), dst, len, what);
}

static int
cmd_hostname(struct parser *p, struct cmd_args *a)
{
	return set_hostname(p, p->cfg->hostname, sizeof(p->cfg->hostname), a,
	    "hostname");
}

static int
cmd_domain_name(struct parser *p, struct cmd_args *a)
{
	return set_hostname(p, p->cfg->domain_name, sizeof(p->cfg->domain_name),
	    a, "domain name");
}

static int
cmd_enter(struct parser *p, struct cmd_args *a, enum parse_mode mode)
{
	return a->negate ? 0 : parse_push(p, mode, 0);
}

static int cmd_voip(struct parser *p, struct cmd_args *a) { return cmd_enter(p, a, M_VOIP); }
static int cmd_voip_sip(struct parser *p, struct cmd_args *a) { return cmd_enter(p, a, M_VOIP_SIP); }
static int cmd_trusted(struct parser *p, struct cmd_args *a) { return cmd_enter(p, a, M_TRUSTED); }
static int cmd_sipua(struct parser *p, struct cmd_args *a) { return cmd_enter(p, a, M_SIPUA); }
static int cmd_sipktls(struct parser *p, struct cmd_args *a) { return cmd_enter(p, a, M_SIPKTLS); }

static const struct command top_cmds[] = {
	{ "hostname", 1, 1, cmd_hostname, CMD_NO, "hostname NAME" },
	{ "ip domain name", 1, 1, cmd_domain_name, CMD_NO, "ip domain name NAME" },
	{ "ip domain-name", 1, 1, cmd_domain_name, CMD_NO, "ip domain-name NAME" },
	{ "crypto pki trustpoint", 1, 1, cmd_trustpoint, CMD_NO | CMD_KEYED,
	    "crypto pki trustpoint NAME" },
	{ "crypto pki certificate chain", 1, 1, cmd_chain, CMD_NO | CMD_KEYED,
	    "crypto pki certificate chain NAME" },
	{ "voice class tls-cipher", 1, 1, cmd_tls_cipher, CMD_NO | CMD_KEYED,
	    "voice class tls-cipher TAG" },
	{ "voice class tls-profile", 1, 1, cmd_tls_profile, CMD_NO | CMD_KEYED,
	    "voice class tls-profile TAG" },
	{ "voice class tenant", 1, 1, cmd_tenant, CMD_NO | CMD_KEYED,
	    "voice class tenant TAG" },
	{ "voice class srtp-crypto", 1, 1, cmd_srtp_crypto, CMD_NO | CMD_KEYED,
	    "voice class srtp-crypto TAG" },
	{ "voice class codec", 1, 1, cmd_voice_class_unused,
	    CMD_NO | CMD_UNUSED | CMD_KEYED,
	    "voice class codec TAG" },
	{ "voice class sip-profiles", 1, 1, cmd_voice_class_unused,
	    CMD_NO | CMD_UNUSED | CMD_KEYED, "voice class sip-profiles TAG" },
	{ "voice service voip", 0, 0, cmd_voip, CMD_NO, "voice service voip" },
	{ "sip-ua", 0, 0, cmd_sipua, CMD_NO, "sip-ua" },
	{ "dial-peer voice", 1, 2, cmd_dial_peer, CMD_NO | CMD_KEYED,
	    "dial-peer voice TAG voip" },
	{ "sipktls", 0, 0, cmd_sipktls, 0, "sipktls" },
	/* IOS output headers, kept when a running-config is pasted whole */
	{ "show running-config", 0, 1, NULL, CMD_UNUSED, "show running-config [brief]" },
	{ "building configuration...", 0, 0, NULL, CMD_UNUSED, "Building configuration..." },
	{ "current configuration", 0, 3, NULL, CMD_UNUSED, "Current configuration : N bytes" },
	{ "version", 1, 1, NULL, CMD_UNUSED, "version X" },
	{ NULL, 0, 0, NULL, 0, NULL }
};

/* ---- crypto pki trustpoint ------------------------------------------- */

#define TP	struct trustpoint_config *tp = parse_cur(p)

static int
cmd_tp_enrollment(struct parser *p, struct cmd_args *a)
{
	TP;
	int	i = 0;

	if (a->negate) {
		tp->enrollment = ENROLL_UNSET;
		tp->enroll_url[0] = '\0';
		return 0;
	}
	if (IS(0, "mode") || IS(0, "retry")) {
		parse_unused(p);
		return 0;
	}
	if (IS(0, "terminal")) {
		tp->enrollment = ENROLL_TERMINAL;
		i = 1;
	} else if (IS(0, "url") && a->argc >= 2) {
		if (strcasecmp(ARGV(1), "terminal") == 0) {
			parse_warn(p, "\"enrollment url terminal\": \"terminal\" is "
			    "not a URL; taken as \"enrollment terminal\"");
			tp->enrollment = ENROLL_TERMINAL;
		} else {
			tp->enrollment = ENROLL_URL;
			if (parse_name(p, ARGV(1), tp->enroll_url,
			    sizeof(tp->enroll_url), "enrollment url") == -1)
				return -1;
		}
		i = 2;
	} else
		return parse_error(p, "usage: enrollment {terminal [pem] | url URL [pem]}");
	tp->enroll_pem = IS(i, "pem");
	if (a->argc > i + (tp->enroll_pem ? 1 : 0))
		return parse_error(p, "enrollment: unexpected \"%s\"",
		    ARGV(i + (tp->enroll_pem ? 1 : 0)));
	return 0;
}

static int
cmd_tp_fqdn(struct parser *p, struct cmd_args *a)
{
	TP;
	const char *why;

	if (a->negate || IS(0, "none")) {
		tp->fqdn[0] = '\0';
		return 0;
	}
	if (!fqdn_valid(ARGV(0), &why))
		return parse_error(p, "fqdn \"%s\" %s", ARGV(0), why);
	return parse_name(p, ARGV(0), tp->fqdn, sizeof(tp->fqdn), "fqdn");
}

static int
cmd_tp_subject_name(struct parser *p, struct cmd_args *a)
{
	TP;

	if (a->negate) {
		tp->subject_name[0] = '\0';
		return 0;
	}
	if (strchr(a->rest, '=') == NULL)
		return parse_error(p, "subject-name \"%s\" is not an X.500 name "
		    "(write e.g. CN=cube.example.com,O=Example)", a->rest);
	return parse_name(p, a->rest, tp->subject_name, sizeof(tp->subject_name),
	    "subject-name");
}

static int
cmd_tp_subject_alt_name(struct parser *p, struct cmd_args *a)
{
	TP;
	const char *why;

	if (a->negate) {
		tp->subject_alt_name[0] = '\0';
		return 0;
	}
	if (!fqdn_valid(ARGV(0), &why))
		return parse_error(p, "subject-alt-name \"%s\" %s", ARGV(0), why);
	return parse_name(p, ARGV(0), tp->subject_alt_name,
	    sizeof(tp->subject_alt_name), "subject-alt-name");
}

static int
cmd_tp_serial(struct parser *p, struct cmd_args *a)
{
	TP;

	if (a->argc == 1 && !IS(0, "none"))
		return parse_error(p, "serial-number: unexpected \"%s\" (usage: "
		    "serial-number [none])", ARGV(0));
	tp->serial_number = !a->negate && a->argc == 0;
	tp->serial_number_set = !a->negate;
	return 0;
}

static int
cmd_tp_ip_address(struct parser *p, struct cmd_args *a)
{
	TP;
	struct in6_addr addr;

	if (a->negate || IS(0, "none")) {
		tp->ip_address[0] = '\0';
		return 0;
	}
	if (a->argc == 2 && inet_pton(AF_INET, ARGV(0), &addr) != 1)
		return parse_error(p, "ip-address \"%s\" is not an IPv4 address",
		    ARGV(0));
	/* "ip-address ADDR IFNAME": IOS takes the address; the name is a note. */
	return parse_name(p, ARGV(0), tp->ip_address, sizeof(tp->ip_address),
	    "ip-address");
}

static int
cmd_tp_rsakeypair(struct parser *p, struct cmd_args *a)
{
	TP;
	unsigned size;

	if (a->negate) {
		tp->key_type = KEY_UNSET;
		tp->key_label[0] = '\0';
		return 0;
	}
	if (parse_name(p, ARGV(0), tp->key_label, sizeof(tp->key_label),
	    "key label") == -1)
		return -1;
	tp->key_type = KEY_RSA;
	tp->key_size = tp->enc_key_size = 0;
	for (int i = 1; i < a->argc; i++) {
		if (!isdigit((unsigned char)ARGV(i)[0])) {
			/* The guide's own example writes "rsakeypair cube kp1". */
			parse_warn(p, "rsakeypair: key size \"%s\" is not a number; "
			    "ignored (the existing key's size is used)", ARGV(i));
			continue;
		}
		if (parse_uint(p, ARGV(i), 512, 4096, "RSA key size", &size) == -1)
			return -1;
		*(tp->key_size == 0 ? &tp->key_size : &tp->enc_key_size) = size;
	}
	return 0;
}

static int
cmd_tp_eckeypair(struct parser *p, struct cmd_args *a)
{
	TP;

	if (a->negate) {
		tp->key_type = KEY_UNSET;
		tp->key_label[0] = '\0';
		return 0;
	}
	tp->key_type = KEY_EC;
	tp->key_size = tp->enc_key_size = 0;
	return parse_name(p, ARGV(0), tp->key_label, sizeof(tp->key_label),
	    "key label");
}

static int
cmd_tp_revocation(struct parser *p, struct cmd_args *a)
{
	TP;
	enum revocation_method m[CONF_REVOCATION_MAX] = { 0 };

	if (a->negate) {
		memset(tp->revocation, 0, sizeof(tp->revocation));
		return 0;
	}
	for (int i = 0; i < a->argc; i++) {
		if (IS(i, "crl"))
			m[i] = REVOKE_CRL;
		else if (IS(i, "ocsp"))
			m[i] = REVOKE_OCSP;
		else if (IS(i, "none"))
			m[i] = REVOKE_NONE;
		else
			return parse_error(p, "revocation-check: unknown method "
			    "\"%s\" (crl, ocsp or none)", ARGV(i));
		for (int j = 0; j < i; j++)
			if (m[j] == m[i])
				return parse_error(p, "revocation-check: method "
				    "\"%s\" given twice", ARGV(i));
		if (i > 0 && m[i - 1] == REVOKE_NONE)
			return parse_error(p, "revocation-check: \"%s\" after "
			    "\"none\" can never be used", ARGV(i));
	}
	memcpy(tp->revocation, m, sizeof(m));
	return 0;
}

static int
cmd_tp_crl(struct parser *p, struct cmd_args *a)
{
	TP;

	if (a->negate) {
		tp->crl_url[0] = '\0';
		return 0;
	}
	if (a->argc == 0) {
		parse_unused(p);
		return 0;
	}
	if (!IS(0, "query") || a->argc != 2)
		return parse_error(p, "usage: crl query {URL|FILE}");
	return parse_name(p, ARGV(1), tp->crl_url, sizeof(tp->crl_url), "crl query");
}

static int
cmd_tp_ocsp(struct parser *p, struct cmd_args *a)
{
	TP;

	if (a->negate) {
		tp->ocsp_url[0] = '\0';
		return 0;
	}
	if (strncasecmp(ARGV(0), "http://", 7) != 0)
		return parse_error(p, "ocsp url \"%s\" is not an http:// URL", ARGV(0));
	return parse_name(p, ARGV(0), tp->ocsp_url, sizeof(tp->ocsp_url), "ocsp url");
}

static int
cmd_tp_password(struct parser *p, struct cmd_args *a)
{
	TP;

	if (a->negate) {
		tp->password[0] = '\0';
		return 0;
	}
	return parse_name(p, a->rest, tp->password, sizeof(tp->password), "password");
}

static const struct command trustpoint_cmds[] = {
	{ "enrollment", 1, 4, cmd_tp_enrollment, CMD_NO,
	    "enrollment {terminal [pem] | url URL [pem]}" },
	{ "fqdn", 1, 1, cmd_tp_fqdn, CMD_NO, "fqdn {FQDN | none}" },
	{ "subject-name", 1, -1, cmd_tp_subject_name, CMD_NO, "subject-name X.500-NAME" },
	{ "subject-alt-name", 1, 1, cmd_tp_subject_alt_name, CMD_NO,
	    "subject-alt-name FQDN" },
	{ "serial-number", 0, 1, cmd_tp_serial, CMD_NO, "serial-number [none]" },
	{ "ip-address", 1, 2, cmd_tp_ip_address, CMD_NO,
	    "ip-address {ADDRESS [INTERFACE] | INTERFACE | none}" },
	{ "rsakeypair", 1, 3, cmd_tp_rsakeypair, CMD_NO,
	    "rsakeypair LABEL [SIZE [ENCRYPTION-SIZE]]" },
	{ "eckeypair", 1, 1, cmd_tp_eckeypair, CMD_NO, "eckeypair LABEL" },
	{ "revocation-check", 1, 3, cmd_tp_revocation, CMD_NO,
	    "revocation-check METHOD [METHOD [METHOD]] (crl, ocsp, none)" },
	{ "crl", 0, 2, cmd_tp_crl, CMD_NO, "crl [query {URL|FILE}]" },
	{ "ocsp url", 1, 1, cmd_tp_ocsp, CMD_NO, "ocsp url URL" },
	{ "password", 1, -1, cmd_tp_password, CMD_NO, "password STRING" },
	{ "auto-enroll", 0, 2, NULL, CMD_NO | CMD_UNUSED, "auto-enroll [PERCENT [regenerate]]" },
	{ "usage", 1, 1, NULL, CMD_NO | CMD_UNUSED, "usage {ssl-client|ssl-server|ike}" },
	{ NULL, 0, 0, NULL, 0, NULL }
};

static const struct command chain_cmds[] = {
	{ "certificate", 1, 2, cmd_certificate, CMD_NO | CMD_KEYED,
	    "certificate [ca] SERIAL" },
	{ NULL, 0, 0, NULL, 0, NULL }
};

static const struct command certdata_cmds[] = {
	{ "quit", 0, -1, cmd_certdata, 0, "HEX... | quit" },
	{ NULL, 0, 0, NULL, 0, NULL }
};

/* ---- voice class tls-cipher / srtp-crypto ---------------------------- */

static int
cmd_cipher_pref(struct parser *p, struct cmd_args *a)
{
	struct tls_cipher_config *tc = parse_cur(p);
	unsigned pref;
	int	 idx;

	if (parse_uint(p, ARGV(0), 1, CONF_CIPHERS_MAX, "cipher preference",
	    &pref) == -1)
		return -1;
	if (a->negate) {
		tc->pref[pref - 1] = -1;
		return 0;
	}
	if (a->argc != 2)
		return parse_error(p, "usage: cipher PREFERENCE NAME");
	if ((idx = cipher_lookup(ARGV(1))) < 0)
		return parse_error(p, "unknown cipher \"%s\" (one of the guide's "
		    "names, e.g. AES128_GCM_SHA256 or ECDHE_RSA_AES256_GCM_SHA384)",
		    ARGV(1));
	for (size_t i = 0; i < CONF_CIPHERS_MAX; i++)
		if (tc->pref[i] == idx && i != pref - 1)
			return parse_error(p, "cipher %s is already at preference "
			    "%zu", ARGV(1), i + 1);
	tc->pref[pref - 1] = idx;
	return 0;
}

static const struct command cipher_cmds[] = {
	{ "cipher", 1, 2, cmd_cipher_pref, CMD_NO | CMD_KEYED,
	    "cipher PREFERENCE NAME" },
	{ NULL, 0, 0, NULL, 0, NULL }
};

static int
cmd_srtp_pref(struct parser *p, struct cmd_args *a)
{
	struct srtp_crypto_config *sc = parse_cur(p);
	unsigned pref;
	int	 idx;

	if (parse_uint(p, ARGV(0), 1, CONF_SRTP_MAX, "crypto preference",
	    &pref) == -1)
		return -1;
	if (a->negate) {
		sc->pref[pref - 1] = -1;
		return 0;
	}
	if (a->argc != 2)
		return parse_error(p, "usage: crypto PREFERENCE SUITE");
	if ((idx = srtp_suite_lookup(ARGV(1))) < 0)
		return parse_error(p, "unknown SRTP suite \"%s\" (AEAD_AES_256_GCM, "
		    "AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80 or "
		    "AES_CM_128_HMAC_SHA1_32)", ARGV(1));
	sc->pref[pref - 1] = idx;
	return 0;
}

static const struct command srtp_cmds[] = {
	{ "crypto", 1, 2, cmd_srtp_pref, CMD_NO | CMD_KEYED,
	    "crypto PREFERENCE SUITE" },
	{ NULL, 0, 0, NULL, 0, NULL }
};

/* ---- voice class tls-profile ----------------------------------------- */

#define PROF	struct tls_profile_config *pr = parse_cur(p)

static int
cmd_prof_cipher(struct parser *p, struct cmd_args *a)
{
	PROF;

	if (a->negate) {
		pr->cipher_tag = 0;
		return 0;
	}
	pr->cipher_line = p->line;
	return parse_tag(p, ARGV(0), "tls-cipher", &pr->cipher_tag);
}

static int
cmd_prof_validate(struct parser *p, struct cmd_args *a)
{
	PROF;

	if (a->negate) {
		pr->cnsan = CNSAN_OFF;
		return 0;
	}
	if (IS(0, "server"))
		pr->cnsan = CNSAN_SERVER;
	else if (IS(0, "client"))
		pr->cnsan = CNSAN_CLIENT;
	else if (IS(0, "bidirectional"))
		pr->cnsan = CNSAN_BIDIRECTIONAL;
	else
		return parse_error(p, "cn-san validate: \"%s\" is not server, "
		    "client or bidirectional", ARGV(0));
	return 0;
}

static int
cnsan_remove(struct tls_profile_config *pr, unsigned idx)
{
	for (size_t i = 0; i < pr->ncnsan; i++) {
		if (pr->cnsan_list[i].idx != idx)
			continue;
		memmove(&pr->cnsan_list[i], &pr->cnsan_list[i + 1],
		    (pr->ncnsan - i - 1) * sizeof(pr->cnsan_list[0]));
		pr->ncnsan--;
		return 0;
	}
	return -1;
}

static int
cmd_prof_cnsan(struct parser *p, struct cmd_args *a)
{
	PROF;
	unsigned	 idx;
	const char	*why;
	size_t		 at;

	if (parse_uint(p, ARGV(0), 1, CONF_CNSAN_MAX, "cn-san index", &idx) == -1)
		return -1;
	if (a->negate) {
		if (cnsan_remove(pr, idx) == -1)
			return parse_error(p, "cn-san %u is not defined", idx);
		return 0;
	}
	if (a->argc != 2)
		return parse_error(p, "usage: cn-san INDEX FQDN");
	if (!fqdn_valid(ARGV(1), &why))
		return parse_error(p, "cn-san %u: \"%s\" %s", idx, ARGV(1), why);
	cnsan_remove(pr, idx);
	for (at = 0; at < pr->ncnsan && pr->cnsan_list[at].idx < idx; at++)
		;
	memmove(&pr->cnsan_list[at + 1], &pr->cnsan_list[at],
	    (pr->ncnsan - at) * sizeof(pr->cnsan_list[0]));
	pr->cnsan_list[at].idx = idx;
	snprintf(pr->cnsan_list[at].fqdn, sizeof(pr->cnsan_list[at].fqdn), "%s",
	    ARGV(1));
	pr->ncnsan++;
	return 0;
}

static int
cmd_prof_trustpoint(struct parser *p, struct cmd_args *a)
{
	PROF;

	if (a->negate) {
		pr->trustpoint[0] = '\0';
		return 0;
	}
	pr->trustpoint_line = p->line;
	return parse_name(p, ARGV(0), pr->trustpoint, sizeof(pr->trustpoint),
	    "trustpoint");
}

static int
cmd_prof_strict(struct parser *p, struct cmd_args *a)
{
	PROF;

	pr->cnsan_strict = !a->negate;
	return 0;
}

static int
cmd_prof_sni(struct parser *p, struct cmd_args *a)
{
	PROF;

	pr->sni_send = !a->negate;
	return 0;
}

static int
cmd_prof_bundle(struct parser *p, struct cmd_args *a)
{
	PROF;

	if (a->negate) {
		pr->ca_bundle[0] = '\0';
		return 0;
	}
	return parse_name(p, ARGV(0), pr->ca_bundle, sizeof(pr->ca_bundle),
	    "ca-bundle");
}

static const struct command profile_cmds[] = {
	{ "ca-bundle", 1, 1, cmd_prof_bundle, CMD_NO, "ca-bundle FILE" },
	{ "cipher", 1, 1, cmd_prof_cipher, CMD_NO, "cipher TLS-CIPHER-TAG" },
	{ "cn-san validate", 1, 1, cmd_prof_validate, CMD_NO,
	    "cn-san validate {server | client | bidirectional}" },
	{ "cn-san-validate", 1, 1, cmd_prof_validate, CMD_NO,
	    "cn-san-validate {server | client | bidirectional}" },
	{ "cn-san strict", 0, 0, cmd_prof_strict, CMD_NO, "cn-san strict" },
	{ "cn-san", 1, 2, cmd_prof_cnsan, CMD_NO | CMD_KEYED,
	    "cn-san INDEX FQDN" },
	{ "trustpoint", 1, 1, cmd_prof_trustpoint, CMD_NO, "trustpoint NAME" },
	{ "sni send", 0, 0, cmd_prof_sni, CMD_NO, "sni send" },
	{ "description", 1, -1, NULL, CMD_NO | CMD_UNUSED, "description TEXT" },
	{ NULL, 0, 0, NULL, 0, NULL }
};

/* ---- voice class tenant ---------------------------------------------- */

#define TEN	struct tenant_config *t = parse_cur(p)

static int
cmd_ten_profile(struct parser *p, struct cmd_args *a)
{
	TEN;

	if (a->negate) {
		t->tls_profile = 0;
		return 0;
	}
	t->tls_profile_line = p->line;
	return parse_tag(p, ARGV(0), "tls-profile", &t->tls_profile);
}

static int
cmd_ten_listen(struct parser *p, struct cmd_args *a)
{
	TEN;
	unsigned port;

	if (IS(0, "non-secure")) {
		parse_unused(p);
		return 0;
	}
	if (!IS(0, "secure"))
		return parse_error(p, "usage: listen-port secure PORT");
	if (a->negate) {
		t->listen_port = 0;
		return 0;
	}
	if (a->argc != 2)
		return parse_error(p, "usage: listen-port secure PORT");
	if (parse_uint(p, ARGV(1), 1, 65535, "listen-port", &port) == -1)
		return -1;
	t->listen_port = (uint16_t)port;
	t->listen_line = p->line;
	return 0;
}

static int
cmd_ten_sip_server(struct parser *p, struct cmd_args *a)
{
	TEN;

	if (a->negate) {
		memset(&t->sip_server, 0, sizeof(t->sip_server));
		return 0;
	}
	return parse_target(p, ARGV(0), true, false, &t->sip_server);
}

static int
cmd_ten_srtp(struct parser *p, struct cmd_args *a)
{
	TEN;

	if (a->negate) {
		t->srtp_crypto = 0;
		return 0;
	}
	t->srtp_line = p->line;
	return parse_tag(p, ARGV(0), "srtp-crypto", &t->srtp_crypto);
}

static int
session_transport(struct parser *p, struct cmd_args *a, bool *tls)
{
	if (a->negate) {
		*tls = false;
		return 0;
	}
	if (IS(0, "tcp") && IS(1, "tls") && a->argc == 2)
		*tls = true;
	else if ((IS(0, "tcp") || IS(0, "udp")) && a->argc == 1) {
		*tls = false;
		parse_unused(p);
	} else
		return parse_error(p, "usage: session transport {tcp tls | tcp | udp}");
	return 0;
}

static int
cmd_ten_transport(struct parser *p, struct cmd_args *a)
{
	TEN;

	return session_transport(p, a, &t->transport_tls);
}

static int
cmd_ten_url(struct parser *p, struct cmd_args *a)
{
	TEN;

	if (a->negate)
		t->url = URL_UNSET;
	else if (IS(0, "sip"))
		t->url = URL_SIP;
	else if (IS(0, "sips"))
		t->url = URL_SIPS;
	else if (IS(0, "tel"))
		t->url = URL_TEL;
	else
		return parse_error(p, "url: \"%s\" is not sip, sips or tel", ARGV(0));
	return 0;
}

static int
cmd_ten_bind(struct parser *p, struct cmd_args *a)
{
	TEN;
	bool control = IS(0, "control") || IS(0, "all");
	bool media = IS(0, "media") || IS(0, "all");

	if ((!control && !media) || !IS(1, "source-interface") ||
	    (!a->negate && a->argc != 3))
		return parse_error(p, "usage: bind {control | media | all} "
		    "source-interface INTERFACE");
	if (control && parse_name(p, a->negate ? "" : ARGV(2), t->bind_control,
	    sizeof(t->bind_control), "interface name") == -1)
		return -1;
	if (media && parse_name(p, a->negate ? "" : ARGV(2), t->bind_media,
	    sizeof(t->bind_media), "interface name") == -1)
		return -1;
	return 0;
}

static int
backend_options(struct parser *p, struct cmd_args *a, struct tenant_config *t)
{
	t->backend_transport = BACKEND_TCP;
	t->backend_proxy_v2 = false;
	for (int i = 2; i < a->argc; i++) {
		if (IS(i, "transport") && IS(i + 1, "tcp"))
			t->backend_transport = BACKEND_TCP, i++;
		else if (IS(i, "transport") && IS(i + 1, "udp"))
			t->backend_transport = BACKEND_UDP, i++;
		else if (IS(i, "proxy-protocol") && IS(i + 1, "v2"))
			t->backend_proxy_v2 = true, i++;
		else
			return parse_error(p, "backend target: unexpected \"%s\" "
			    "(usage: backend target ADDRESS [transport {tcp|udp}] "
			    "[proxy-protocol v2])", ARGV(i));
	}
	if (t->backend_proxy_v2 && t->backend_transport == BACKEND_UDP)
		return parse_error(p, "backend target: proxy-protocol v2 needs "
		    "transport tcp");
	return 0;
}

static int
cmd_ten_backend(struct parser *p, struct cmd_args *a)
{
	TEN;
	bool target = IS(0, "target");

	if (!target && !IS(0, "listen"))
		return parse_error(p, "usage: backend {target | listen} ADDRESS ...");
	if (a->negate) {
		memset(target ? &t->backend : &t->backend_listen, 0,
		    sizeof(t->backend));
		return 0;
	}
	if (a->argc < 2)
		return parse_error(p, "backend %s: missing address", ARGV(0));
	if (!target) {
		if (a->argc > 2)
			return parse_error(p, "backend listen: unexpected \"%s\"",
			    ARGV(2));
		t->backend_listen_line = p->line;
		return parse_target(p, ARGV(1), false, true, &t->backend_listen);
	}
	if (parse_target(p, ARGV(1), false, true, &t->backend) == -1)
		return -1;
	return backend_options(p, a, t);
}

static const struct command tenant_cmds[] = {
	{ "tls-profile", 1, 1, cmd_ten_profile, CMD_NO, "tls-profile TAG" },
	{ "listen-port", 1, 2, cmd_ten_listen, CMD_NO, "listen-port secure PORT" },
	{ "sip-server", 1, 1, cmd_ten_sip_server, CMD_NO,
	    "sip-server {dns:HOST[:PORT] | ipv4:ADDRESS[:PORT] | ipv6:[ADDRESS][:PORT]}" },
	{ "srtp-crypto", 1, 1, cmd_ten_srtp, CMD_NO, "srtp-crypto TAG" },
	{ "session transport", 1, 2, cmd_ten_transport, CMD_NO,
	    "session transport {tcp tls | tcp | udp}" },
	{ "url", 1, 1, cmd_ten_url, CMD_NO, "url {sip | sips | tel}" },
	{ "bind", 2, 3, cmd_ten_bind, CMD_NO,
	    "bind {control | media | all} source-interface INTERFACE" },
	{ "backend", 1, 6, cmd_ten_backend, CMD_NO,
	    "backend target ADDRESS [transport {tcp|udp}] [proxy-protocol v2] | "
	    "backend listen ADDRESS" },
	{ "registrar", 1, -1, NULL, CMD_NO | CMD_UNUSED, "registrar ..." },
	{ "credentials", 1, -1, NULL, CMD_NO | CMD_UNUSED, "credentials ..." },
	{ "authentication", 1, -1, NULL, CMD_NO | CMD_UNUSED, "authentication ..." },
	{ "outbound-proxy", 1, -1, NULL, CMD_NO | CMD_UNUSED, "outbound-proxy ..." },
	{ "early-offer", 1, -1, NULL, CMD_NO | CMD_UNUSED, "early-offer ..." },
	{ "asserted-id", 1, -1, NULL, CMD_NO | CMD_UNUSED, "asserted-id ..." },
	{ "remote-party-id", 0, -1, NULL, CMD_NO | CMD_UNUSED, "remote-party-id" },
	{ "privacy", 1, -1, NULL, CMD_NO | CMD_UNUSED, "privacy ..." },
	{ "localhost", 1, -1, NULL, CMD_NO | CMD_UNUSED, "localhost ..." },
	{ "sip-profiles", 1, -1, NULL, CMD_NO | CMD_UNUSED, "sip-profiles ..." },
	{ "header-passing", 0, -1, NULL, CMD_NO | CMD_UNUSED, "header-passing" },
	{ "description", 1, -1, NULL, CMD_NO | CMD_UNUSED, "description TEXT" },
	{ NULL, 0, 0, NULL, 0, NULL }
};

/* ---- voice service voip ---------------------------------------------- */

static int
trusted_parse_mask(struct parser *p, const char *mask, unsigned *prefix)
{
	struct in_addr	m;
	uint32_t	v;

	if (inet_pton(AF_INET, mask, &m) != 1)
		return parse_error(p, "ipv4: mask \"%s\" is not a dotted netmask", mask);
	v = ntohl(m.s_addr);
	if (v != 0 && (~v & (~v + 1)) != 0)
		return parse_error(p, "ipv4: mask \"%s\" is not contiguous", mask);
	*prefix = (unsigned)__builtin_popcount(v);
	return 0;
}

static int
trusted_add(struct parser *p, struct cmd_args *a, int family)
{
	struct config		*cfg = p->cfg;
	struct trusted_entry	 e = { .family = family };
	char			 addr[INET6_ADDRSTRLEN + 8], *slash;
	unsigned		 max = family == AF_INET ? 32 : 128;

	if (parse_name(p, ARGV(0), addr, sizeof(addr), "address") == -1)
		return -1;
	e.prefix = max;
	if ((slash = strchr(addr, '/')) != NULL) {
		*slash++ = '\0';
		if (parse_uint(p, slash, 0, max, "prefix length", &e.prefix) == -1)
			return -1;
	}
	if (inet_pton(family, addr, &e.addr) != 1)
		return parse_error(p, "\"%s\" is not an %s address", addr,
		    family == AF_INET ? "IPv4" : "IPv6");
	if (family == AF_INET && a->argc == 2 && slash != NULL)
		return parse_error(p, "ipv4 %s: give a /LENGTH or a NETMASK, not "
		    "both", ARGV(0));
	if (family == AF_INET && a->argc == 2 &&
	    trusted_parse_mask(p, ARGV(1), &e.prefix) == -1)
		return -1;
	for (size_t i = 0; i < cfg->ntrusted; i++) {
		if (cfg->trusted[i].family != family || cfg->trusted[i].prefix != e.prefix ||
		    memcmp(&cfg->trusted[i].addr, &e.addr, sizeof(e.addr)) != 0)
			continue;
		if (a->negate)
			array_del(cfg->trusted, &cfg->ntrusted, sizeof(e), i);
		return 0;
	}
	if (a->negate)
		return parse_error(p, "%s is not in the trusted list", ARGV(0));
	if ((slash = array_add((void **)&cfg->trusted, &cfg->ntrusted, sizeof(e))) == NULL)
		return parse_error(p, "out of memory");
	memcpy(slash, &e, sizeof(e));
	return 0;
}

static int cmd_trusted_v4(struct parser *p, struct cmd_args *a) { return trusted_add(p, a, AF_INET); }
static int cmd_trusted_v6(struct parser *p, struct cmd_args *a) { return trusted_add(p, a, AF_INET6); }

static const struct command voip_cmds[] = {
	{ "ip address trusted list", 0, 0, cmd_trusted, CMD_NO, "ip address trusted list" },
	{ "ip address trusted authenticate", 0, 0, NULL, CMD_NO | CMD_UNUSED,
	    "ip address trusted authenticate" },
	{ "sip", 0, 0, cmd_voip_sip, CMD_NO, "sip" },
	{ "allow-connections", 1, -1, NULL, CMD_NO | CMD_UNUSED, "allow-connections ..." },
	{ "mode", 1, -1, NULL, CMD_NO | CMD_UNUSED, "mode border-element" },
	{ "media", 0, -1, NULL, CMD_NO | CMD_UNUSED, "media ..." },
	{ "fax", 1, -1, NULL, CMD_NO | CMD_UNUSED, "fax ..." },
	{ "shutdown", 0, -1, NULL, CMD_NO | CMD_UNUSED, "shutdown" },
	{ NULL, 0, 0, NULL, 0, NULL }
};

static const struct command trusted_cmds[] = {
	{ "ipv4", 1, 2, cmd_trusted_v4, CMD_NO | CMD_KEYED,
	    "ipv4 ADDRESS [NETMASK]" },
	{ "ipv6", 1, 1, cmd_trusted_v6, CMD_NO | CMD_KEYED,
	    "ipv6 PREFIX[/LENGTH]" },
	{ NULL, 0, 0, NULL, 0, NULL }
};

static int
cmd_voip_bind(struct parser *p, struct cmd_args *a)
{
	if (IS(0, "media")) {
		parse_unused(p);
		return 0;
	}
	if ((!IS(0, "control") && !IS(0, "all")) || !IS(1, "source-interface") ||
	    (!a->negate && a->argc != 3))
		return parse_error(p, "usage: bind {control | all} source-interface "
		    "INTERFACE");
	return parse_name(p, a->negate ? "" : ARGV(2), p->cfg->global_bind,
	    sizeof(p->cfg->global_bind), "interface name");
}

static const struct command voip_sip_cmds[] = {
	{ "bind", 2, 3, cmd_voip_bind, CMD_NO,
	    "bind {control | all} source-interface INTERFACE" },
	{ "early-offer", 1, -1, NULL, CMD_NO | CMD_UNUSED, "early-offer forced" },
	{ "session refresh", 0, -1, NULL, CMD_NO | CMD_UNUSED, "session refresh" },
	{ "header-passing", 0, -1, NULL, CMD_NO | CMD_UNUSED, "header-passing" },
	{ "error-passthru", 0, -1, NULL, CMD_NO | CMD_UNUSED, "error-passthru" },
	{ "middlebox-enable", 0, -1, NULL, CMD_NO | CMD_UNUSED, "middlebox-enable" },
	{ "registrar", 1, -1, NULL, CMD_NO | CMD_UNUSED, "registrar ..." },
	{ "srtp", 0, -1, NULL, CMD_NO | CMD_UNUSED, "srtp ..." },
	{ NULL, 0, 0, NULL, 0, NULL }
};

/* ---- sip-ua ---------------------------------------------------------- */

static int
transport_version(struct parser *p, struct cmd_args *a)
{
	struct config	*cfg = p->cfg;
	static const struct { const char *w; unsigned bit; } v[] = {
		{ "v1.0", TLSV_1_0 }, { "v1.1", TLSV_1_1 },
		{ "v1.2", TLSV_1_2 }, { "v1.3", TLSV_1_3 },
	};

	for (size_t i = 0; i < 4; i++) {
		if (!IS(2, v[i].w))
			continue;
		if (IS(3, "minimum") && v[i].bit != TLSV_1_2)
			return parse_error(p, "transport tcp tls %s minimum: "
			    "\"minimum\" is supported only with v1.2", v[i].w);
		if (a->argc > 3 && !IS(3, "minimum"))
			return parse_error(p, "transport tcp tls %s: unexpected "
			    "\"%s\"", v[i].w, ARGV(3));
		if (a->argc > 4)
			return parse_error(p, "transport tcp tls: unexpected \"%s\"",
			    ARGV(4));
		cfg->tls_mode = IS(3, "minimum") ? TLSMODE_MINIMUM : TLSMODE_EXCLUSIVE;
		cfg->tls_versions = v[i].bit;
		return 0;
	}
	return parse_error(p, "transport tcp tls: unknown version \"%s\" (v1.0, "
	    "v1.1, v1.2 [minimum] or v1.3)", ARGV(2));
}

static int
cmd_ua_transport(struct parser *p, struct cmd_args *a)
{
	struct config *cfg = p->cfg;

	if (!IS(0, "tcp") && !IS(0, "udp"))
		return parse_error(p, "transport: \"%s\" is not tcp or udp", ARGV(0));
	if (!IS(1, "tls")) {
		if (a->argc > 1)
			return parse_error(p, "transport %s: unexpected \"%s\"",
			    ARGV(0), ARGV(1));
		parse_unused(p);
		return 0;
	}
	if (IS(0, "udp"))
		return parse_error(p, "transport udp tls: TLS runs over tcp only");
	if (a->negate) {
		cfg->transport_tls = false;
		cfg->tls_mode = TLSMODE_DEFAULT;
		cfg->tls_versions = 0;
		return 0;
	}
	cfg->transport_tls = true;
	cfg->transport_line = p->line;
	cfg->tls_mode = TLSMODE_DEFAULT;
	cfg->tls_versions = 0;
	return a->argc > 2 ? transport_version(p, a) : 0;
}

static int
cmd_ua_crypto(struct parser *p, struct cmd_args *a)
{
	struct config *cfg = p->cfg;

	if (IS(0, "remote-addr")) {
		parse_unused(p);
		return 0;
	}
	if (!IS(0, "default") || !IS(1, "trustpoint") || (!a->negate && a->argc < 3))
		return parse_error(p, "usage: crypto signaling default trustpoint NAME");
	if (a->negate) {
		cfg->default_trustpoint[0] = '\0';
		cfg->default_cnsan_server = false;
		return 0;
	}
	if (a->argc > 3 && !(a->argc == 5 && IS(3, "cn-san-validate") && IS(4, "server")))
		return parse_error(p, "crypto signaling default trustpoint %s: "
		    "unexpected \"%s\"", ARGV(2), ARGV(3));
	cfg->default_cnsan_server = a->argc == 5;
	cfg->default_trustpoint_line = p->line;
	return parse_name(p, ARGV(2), cfg->default_trustpoint,
	    sizeof(cfg->default_trustpoint), "trustpoint");
}

static int
cmd_ua_timers(struct parser *p, struct cmd_args *a)
{
	if (IS(0, "tcp")) {
		parse_unused(p);
		return 0;
	}
	if (!IS(0, "tls"))
		return parse_error(p, "usage: timers connection aging tls MINUTES");
	if (a->negate) {
		p->cfg->aging_tls_minutes = 5;
		return 0;
	}
	if (a->argc != 2)
		return parse_error(p, "usage: timers connection aging tls MINUTES");
	return parse_uint(p, ARGV(1), 5, 120, "connection aging",
	    &p->cfg->aging_tls_minutes);
}

static int
cmd_ua_listen(struct parser *p, struct cmd_args *a)
{
	unsigned port;

	if (!IS(0, "secure"))
		return parse_error(p, "usage: listen-port secure PORT");
	if (a->negate) {
		p->cfg->global_port = SIPKTLS_DEFAULT_PORT;
		return 0;
	}
	if (a->argc != 2)
		return parse_error(p, "usage: listen-port secure PORT");
	if (parse_uint(p, ARGV(1), 1, 65535, "listen-port", &port) == -1)
		return -1;
	p->cfg->global_port = (uint16_t)port;
	return 0;
}

static const struct command sipua_cmds[] = {
	{ "transport", 1, 5, cmd_ua_transport, CMD_NO | CMD_KEYED,
	    "transport {tcp [tls [v1.0 | v1.1 | v1.2 [minimum] | v1.3]] | udp}" },
	{ "crypto signaling", 2, 5, cmd_ua_crypto, CMD_NO,
	    "crypto signaling default trustpoint NAME [cn-san-validate server]" },
	{ "timers connection aging", 1, 2, cmd_ua_timers, CMD_NO,
	    "timers connection aging tls MINUTES" },
	{ "listen-port", 1, 2, cmd_ua_listen, CMD_NO, "listen-port secure PORT" },
	{ "retry", 1, -1, NULL, CMD_NO | CMD_UNUSED, "retry ..." },
	{ "timers", 1, -1, NULL, CMD_NO | CMD_UNUSED, "timers ..." },
	{ "registrar", 1, -1, NULL, CMD_NO | CMD_UNUSED, "registrar ..." },
	{ "remote-party-id", 0, -1, NULL, CMD_NO | CMD_UNUSED, "remote-party-id" },
	{ "sip-server", 1, -1, NULL, CMD_NO | CMD_UNUSED, "sip-server ..." },
	{ NULL, 0, 0, NULL, 0, NULL }
};

/* ---- dial-peer voice TAG voip ----------------------------------------- */

#define DP	struct dial_peer_config *dp = parse_cur(p)

static int
cmd_dp_description(struct parser *p, struct cmd_args *a)
{
	DP;

	if (a->negate) {
		dp->description[0] = '\0';
		return 0;
	}
	return parse_name(p, a->rest, dp->description, sizeof(dp->description),
	    "description");
}

static int
cmd_dp_pattern(struct parser *p, struct cmd_args *a)
{
	DP;

	if (a->negate) {
		dp->destination_pattern[0] = '\0';
		return 0;
	}
	if (strspn(ARGV(0), "0123456789+*#.T[]-^$%?,") != strlen(ARGV(0)))
		return parse_error(p, "destination-pattern \"%s\": only digits and "
		    "the wildcards . T [ ] - ^ $ %% ? + * # are allowed", ARGV(0));
	return parse_name(p, ARGV(0), dp->destination_pattern,
	    sizeof(dp->destination_pattern), "destination-pattern");
}

static int
cmd_dp_session(struct parser *p, struct cmd_args *a)
{
	DP;

	if (IS(0, "protocol")) {
		if (!a->negate && (a->argc != 2 || !IS(1, "sipv2")))
			return parse_error(p, "session protocol: only sipv2 is supported");
		dp->sipv2 = !a->negate;
		return 0;
	}
	if (IS(0, "transport")) {
		struct cmd_args sub = *a;

		sub.argc--;
		sub.argv++;
		return session_transport(p, &sub, &dp->transport_tls);
	}
	if (!IS(0, "target") || (!a->negate && a->argc != 2))
		return parse_error(p, "usage: session {protocol sipv2 | target "
		    "{sip-server | dns:HOST[:PORT] | ipv4:ADDRESS[:PORT]} | "
		    "transport {tcp tls | tcp | udp}}");
	if (a->negate) {
		dp->target_kind = SESSTARGET_NONE;
		return 0;
	}
	if (IS(1, "sip-server")) {
		dp->target_kind = SESSTARGET_SIP_SERVER;
		return 0;
	}
	dp->target_kind = SESSTARGET_ADDR;
	return parse_target(p, ARGV(1), true, false, &dp->target);
}

static int
cmd_dp_voice_class(struct parser *p, struct cmd_args *a)
{
	DP;

	if (!IS(0, "sip") || !IS(1, "tenant")) {
		parse_unused(p);
		return 0;
	}
	if (a->negate) {
		dp->tenant = 0;
		return 0;
	}
	if (a->argc != 3)
		return parse_error(p, "usage: voice-class sip tenant TAG");
	dp->tenant_line = p->line;
	return parse_tag(p, ARGV(2), "tenant", &dp->tenant);
}

static const struct command dialpeer_cmds[] = {
	{ "description", 1, -1, cmd_dp_description, CMD_NO, "description TEXT" },
	{ "destination-pattern", 1, 1, cmd_dp_pattern, CMD_NO,
	    "destination-pattern PATTERN" },
	{ "session", 1, 3, cmd_dp_session, CMD_NO,
	    "session {protocol sipv2 | target ... | transport ...}" },
	{ "voice-class", 1, -1, cmd_dp_voice_class, CMD_NO,
	    "voice-class sip tenant TAG" },
	{ "dtmf-relay", 1, -1, NULL, CMD_NO | CMD_UNUSED, "dtmf-relay ..." },
	{ "vad", 0, -1, NULL, CMD_NO | CMD_UNUSED, "vad" },
	{ "codec", 1, -1, NULL, CMD_NO | CMD_UNUSED, "codec ..." },
	{ "incoming called-number", 0, -1, NULL, CMD_NO | CMD_UNUSED,
	    "incoming called-number PATTERN" },
	{ "answer-address", 1, -1, NULL, CMD_NO | CMD_UNUSED, "answer-address ..." },
	{ "translation-profile", 1, -1, NULL, CMD_NO | CMD_UNUSED,
	    "translation-profile ..." },
	{ "preference", 1, 1, NULL, CMD_NO | CMD_UNUSED, "preference N" },
	{ "huntstop", 0, 0, NULL, CMD_NO | CMD_UNUSED, "huntstop" },
	{ "srtp", 0, -1, NULL, CMD_NO | CMD_UNUSED, "srtp ..." },
	{ "max-conn", 1, 1, NULL, CMD_NO | CMD_UNUSED, "max-conn N" },
	{ NULL, 0, 0, NULL, 0, NULL }
};

/* ---- sipktls: the daemon's own settings -------------------------------- */

static int
set_path(struct parser *p, struct cmd_args *a, char *dst, size_t len,
    const char *what)
{
	if (a->negate) {
		dst[0] = '\0';
		return 0;
	}
	if (ARGV(0)[0] == '\0')
		return parse_error(p, "%s: empty path", what);
	return parse_name(p, ARGV(0), dst, len, what);
}

static int
cmd_sk_socket(struct parser *p, struct cmd_args *a)
{
	struct config *cfg = p->cfg;

	if (a->negate) {
		snprintf(cfg->control_socket, sizeof(cfg->control_socket), "%s",
		    SIPKTLS_DEFAULT_SOCKET);
		return 0;
	}
	/* sockaddr_un holds 108 bytes with the NUL */
	if (strlen(ARGV(0)) > 107)
		return parse_error(p, "control-socket \"%.40s...\" is longer than "
		    "a unix socket path may be (107 characters)", ARGV(0));
	return set_path(p, a, cfg->control_socket, sizeof(cfg->control_socket),
	    "control-socket");
}

static int
cmd_sk_store(struct parser *p, struct cmd_args *a)
{
	return set_path(p, a, p->cfg->pki_store, sizeof(p->cfg->pki_store),
	    "pki-store");
}

static int
cmd_sk_threads(struct parser *p, struct cmd_args *a)
{
	if (a->negate) {
		p->cfg->dataplane_threads = 0;
		return 0;
	}
	return parse_uint(p, ARGV(0), 1, 64, "dataplane threads",
	    &p->cfg->dataplane_threads);
}

/* The stanza's plain numbers: the table in config_numbers.c has their words and ranges. */
static int
sk_number(struct parser *p, struct cmd_args *a, enum conf_number_id id)
{
	const struct conf_number *n = &conf_numbers[id];
	unsigned		 v = n->def;

	if (!a->negate &&
	    parse_uint(p, ARGV(0), n->min, n->max, n->words, &v) == -1)
		return -1;
	conf_number_set(p->cfg, id, v);
	return 0;
}

#define SK_NUMBER(fn, id) \
	static int fn(struct parser *p, struct cmd_args *a) { return sk_number(p, a, id); }
SK_NUMBER(cmd_sk_limit, CONF_NUM_CONN_LIMIT)
SK_NUMBER(cmd_sk_hs_timeout, CONF_NUM_HS_TIMEOUT)
SK_NUMBER(cmd_sk_hs_limit, CONF_NUM_HS_PER_SOURCE)
SK_NUMBER(cmd_sk_tickets, CONF_NUM_TICKETS)
SK_NUMBER(cmd_sk_rotation, CONF_NUM_TICKET_ROTATION)
SK_NUMBER(cmd_sk_rev_timeout, CONF_NUM_REVOKE_TIMEOUT)
SK_NUMBER(cmd_sk_rev_wait, CONF_NUM_REVOKE_WAIT)
SK_NUMBER(cmd_sk_dp_header, CONF_NUM_DP_MAX_HEADER)
SK_NUMBER(cmd_sk_dp_body, CONF_NUM_DP_MAX_BODY)
SK_NUMBER(cmd_sk_dp_wq_bytes, CONF_NUM_DP_WQ_BYTES)
SK_NUMBER(cmd_sk_dp_wq_msgs, CONF_NUM_DP_WQ_MSGS)
SK_NUMBER(cmd_sk_dp_zc, CONF_NUM_DP_ZC_THRESHOLD)
SK_NUMBER(cmd_sk_dp_connect, CONF_NUM_DP_CONNECT_MS)
SK_NUMBER(cmd_sk_dp_linger, CONF_NUM_DP_LINGER_MS)
SK_NUMBER(cmd_sk_ktls_limit, CONF_NUM_KTLS_RECORD_LIMIT)
#undef SK_NUMBER

static int
cmd_sk_keyfile(struct parser *p, struct cmd_args *a)
{
	return set_path(p, a, p->cfg->ticket_key_file,
	    sizeof(p->cfg->ticket_key_file), "session ticket-key-file");
}

static int
cmd_sk_seclevel(struct parser *p, struct cmd_args *a)
{
	unsigned level;

	if (a->negate) {
		p->cfg->security_level = -1;
		return 0;
	}
	if (parse_uint(p, ARGV(0), 0, 5, "tls security-level", &level) == -1)
		return -1;
	p->cfg->security_level = (int)level;
	return 0;
}

static int
cmd_sk_ktls(struct parser *p, struct cmd_args *a)
{
	if (a->negate || IS(0, "preferred"))
		p->cfg->ktls_mode = KTLS_CONF_PREFERRED;
	else if (IS(0, "off"))
		p->cfg->ktls_mode = KTLS_CONF_OFF;
	else if (IS(0, "required"))
		p->cfg->ktls_mode = KTLS_CONF_REQUIRED;
	else
		return parse_error(p, "kernel-tls: \"%s\" is not off, preferred or "
		    "required", ARGV(0));
	return 0;
}

static const struct command sipktls_cmds[] = {
	{ "handshake timeout", 1, 1, cmd_sk_hs_timeout, CMD_NO,
	    "handshake timeout SECONDS" },
	{ "handshake limit per-source", 1, 1, cmd_sk_hs_limit, CMD_NO,
	    "handshake limit per-source N" },
	{ "session tickets", 1, 1, cmd_sk_tickets, CMD_NO, "session tickets N" },
	{ "session ticket-key rotation", 1, 1, cmd_sk_rotation, CMD_NO,
	    "session ticket-key rotation HOURS" },
	{ "session ticket-key-file", 1, 1, cmd_sk_keyfile, CMD_NO,
	    "session ticket-key-file PATH" },
	{ "tls security-level", 1, 1, cmd_sk_seclevel, CMD_NO,
	    "tls security-level {0-5}" },
	{ "kernel-tls", 1, 1, cmd_sk_ktls, CMD_NO,
	    "kernel-tls {off | preferred | required}" },
	{ "kernel-tls record-limit", 1, 1, cmd_sk_ktls_limit, CMD_NO,
	    "kernel-tls record-limit RECORDS" },
	{ "revocation fetch-timeout", 1, 1, cmd_sk_rev_timeout, CMD_NO,
	    "revocation fetch-timeout SECONDS" },
	{ "revocation wait", 1, 1, cmd_sk_rev_wait, CMD_NO,
	    "revocation wait MILLISECONDS" },
	{ "control-socket", 1, 1, cmd_sk_socket, CMD_NO, "control-socket PATH" },
	{ "pki-store", 1, 1, cmd_sk_store, CMD_NO, "pki-store DIRECTORY" },
	{ "dataplane threads", 1, 1, cmd_sk_threads, CMD_NO, "dataplane threads N" },
	{ "dataplane max-header-size", 1, 1, cmd_sk_dp_header, CMD_NO,
	    "dataplane max-header-size BYTES" },
	{ "dataplane max-body-size", 1, 1, cmd_sk_dp_body, CMD_NO,
	    "dataplane max-body-size BYTES" },
	{ "dataplane write-queue bytes", 1, 1, cmd_sk_dp_wq_bytes, CMD_NO,
	    "dataplane write-queue bytes BYTES" },
	{ "dataplane write-queue messages", 1, 1, cmd_sk_dp_wq_msgs, CMD_NO,
	    "dataplane write-queue messages N" },
	{ "dataplane zero-copy threshold", 1, 1, cmd_sk_dp_zc, CMD_NO,
	    "dataplane zero-copy threshold BYTES" },
	{ "dataplane backend connect-timeout", 1, 1, cmd_sk_dp_connect, CMD_NO,
	    "dataplane backend connect-timeout MILLISECONDS" },
	{ "dataplane close-notify linger", 1, 1, cmd_sk_dp_linger, CMD_NO,
	    "dataplane close-notify linger MILLISECONDS" },
	{ "connection limit", 1, 1, cmd_sk_limit, CMD_NO, "connection limit N" },
	{ NULL, 0, 0, NULL, 0, NULL }
};

/* ---- mode table ------------------------------------------------------- */

static const struct {
	const char		*name;
	const struct command	*cmds;
} modes[M_COUNT] = {
	[M_TOP]		= { "global configuration", top_cmds },
	[M_TRUSTPOINT]	= { "crypto pki trustpoint", trustpoint_cmds },
	[M_CHAIN]	= { "crypto pki certificate chain", chain_cmds },
	[M_CERTDATA]	= { "certificate data", certdata_cmds },
	[M_CIPHER]	= { "voice class tls-cipher", cipher_cmds },
	[M_PROFILE]	= { "voice class tls-profile", profile_cmds },
	[M_TENANT]	= { "voice class tenant", tenant_cmds },
	[M_SRTP]	= { "voice class srtp-crypto", srtp_cmds },
	[M_VOIP]	= { "voice service voip", voip_cmds },
	[M_VOIP_SIP]	= { "voice service voip sip", voip_sip_cmds },
	[M_TRUSTED]	= { "ip address trusted list", trusted_cmds },
	[M_SIPUA]	= { "sip-ua", sipua_cmds },
	[M_DIALPEER]	= { "dial-peer voice", dialpeer_cmds },
	[M_SIPKTLS]	= { "sipktls", sipktls_cmds },
	[M_UNUSED]	= { "unused block", NULL },
};

const struct command *
mode_commands(enum parse_mode mode)
{
	return modes[mode].cmds;
}

const char *
mode_name(enum parse_mode mode)
{
	return modes[mode].name;
}
