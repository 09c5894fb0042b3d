/*
 * The guide's TLS vocabulary: its 13 cipher names, the SRTP suites, and how
 * sip-ua's transport line and a profile's cipher list become OpenSSL settings.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/ssl.h>

#include "config.h"

/* Order is the guide's table order; the default list below is by strength. */
static const struct cipher_def ciphers[] = {
	{ "AES128_GCM_SHA256",		"TLS_AES_128_GCM_SHA256",	true,  false, false },
	{ "AES256_GCM_SHA384",		"TLS_AES_256_GCM_SHA384",	true,  false, false },
	{ "CHACHA20_POLY1305_SHA256",	"TLS_CHACHA20_POLY1305_SHA256",	true,  false, false },
	{ "DHE_RSA_AES128_GCM_SHA256",	"DHE-RSA-AES128-GCM-SHA256",	false, false, false },
	{ "DHE_RSA_AES256_GCM_SHA384",	"DHE-RSA-AES256-GCM-SHA384",	false, false, false },
	{ "DHE_RSA_WITH_AES_128_CBC_SHA", "DHE-RSA-AES128-SHA",		false, false, true },
	{ "DHE_RSA_WITH_AES_256_CBC_SHA", "DHE-RSA-AES256-SHA",		false, false, true },
	{ "ECDHE_RSA_AES128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256",	false, false, false },
	{ "ECDHE_RSA_AES256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384",	false, false, false },
	{ "ECDHE_ECDSA_AES128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", false, true, false },
	{ "ECDHE_ECDSA_AES256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", false, true, false },
	{ "RSA_WITH_AES_128_CBC_SHA",	"AES128-SHA",			false, false, true },
	{ "RSA_WITH_AES_256_CBC_SHA",	"AES256-SHA",			false, false, true },
};

/*
 * Used when a profile names no tls-cipher: AEAD and forward secrecy first,
 * the CBC suites last, and only while TLS 1.0 or 1.1 (1.1 is on by default)
 * is enabled, since those versions can use nothing else.
 */
static const char *const default_order[] = {
	"AES256_GCM_SHA384", "AES128_GCM_SHA256", "CHACHA20_POLY1305_SHA256",
	"ECDHE_ECDSA_AES256_GCM_SHA384", "ECDHE_ECDSA_AES128_GCM_SHA256",
	"ECDHE_RSA_AES256_GCM_SHA384", "ECDHE_RSA_AES128_GCM_SHA256",
	"DHE_RSA_AES256_GCM_SHA384", "DHE_RSA_AES128_GCM_SHA256",
	"DHE_RSA_WITH_AES_256_CBC_SHA", "DHE_RSA_WITH_AES_128_CBC_SHA",
	"RSA_WITH_AES_256_CBC_SHA", "RSA_WITH_AES_128_CBC_SHA",
};

static const char *const srtp_suites[] = {
	"AEAD_AES_256_GCM", "AEAD_AES_128_GCM",
	"AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32",
};

const struct cipher_def *
cipher_table(size_t *n)
{
	*n = sizeof(ciphers) / sizeof(ciphers[0]);
	return ciphers;
}

int
cipher_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		if (strcasecmp(ciphers[i].cube_name, name) == 0)
			return (int)i;
	return -1;
}

const char *
srtp_suite_name(int idx)
{
	if (idx < 0 || (size_t)idx >= sizeof(srtp_suites) / sizeof(srtp_suites[0]))
		return "?";
	return srtp_suites[idx];
}

int
srtp_suite_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(srtp_suites) / sizeof(srtp_suites[0]); i++)
		if (strcasecmp(srtp_suites[i], name) == 0)
			return (int)i;
	return -1;
}

/* The guide: default 1.1-1.3; 1.0 only when named; "v1.2 minimum" is 1.2+1.3. */
unsigned
config_tls_versions(const struct config *cfg)
{
	switch (cfg->tls_mode) {
	case TLSMODE_EXCLUSIVE:
		return cfg->tls_versions;
	case TLSMODE_MINIMUM:
		return TLSV_1_2 | TLSV_1_3;
	case TLSMODE_DEFAULT:
	default:
		return TLSV_1_1 | TLSV_1_2 | TLSV_1_3;
	}
}

static const struct {
	unsigned	 bit;
	int		 ossl;
	const char	*name;
} versions[] = {
	{ TLSV_1_0, TLS1_VERSION, "TLSv1.0" },
	{ TLSV_1_1, TLS1_1_VERSION, "TLSv1.1" },
	{ TLSV_1_2, TLS1_2_VERSION, "TLSv1.2" },
	{ TLSV_1_3, TLS1_3_VERSION, "TLSv1.3" },
};

int
config_tls_min_version(const struct config *cfg)
{
	unsigned v = config_tls_versions(cfg);

	for (size_t i = 0; i < 4; i++)
		if (v & versions[i].bit)
			return versions[i].ossl;
	return 0;
}

int
config_tls_max_version(const struct config *cfg)
{
	unsigned v = config_tls_versions(cfg);

	for (size_t i = 4; i-- > 0;)
		if (v & versions[i].bit)
			return versions[i].ossl;
	return 0;
}

const char *
tls_version_names(unsigned set, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < 4; i++) {
		if (!(set & versions[i].bit))
			continue;
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0,
		    "%s%s", used ? " " : "", versions[i].name);
	}
	return buf;
}

static void
append(char *dst, size_t len, const char *word)
{
	size_t used = strlen(dst);

	snprintf(dst + used, len - used, "%s%s", used ? ":" : "", word);
}

/*
 * TLS 1.3 suites and TLS <= 1.2 ciphers are separate OpenSSL settings
 * (SSL_CTX_set_ciphersuites and SSL_CTX_set_cipher_list), so a profile's
 * single preference list is split in two, each keeping its order.
 */
void
config_cipher_strings(const struct config *cfg, const struct tls_profile_config *p,
    char *tls12, size_t len12, char *tls13, size_t len13)
{
	const struct tls_cipher_config	*tc = NULL;
	int				 order[CONF_CIPHERS_MAX];
	size_t				 n = 0;

	tls12[0] = tls13[0] = '\0';
	if (p != NULL && p->cipher_tag != 0)
		tc = config_cipher(cfg, p->cipher_tag);
	if (tc != NULL) {
		for (size_t i = 0; i < CONF_CIPHERS_MAX; i++)
			if (tc->pref[i] >= 0)
				order[n++] = tc->pref[i];
	} else {
		bool old = config_tls_versions(cfg) & (TLSV_1_0 | TLSV_1_1);

		/* CBC suites only when a version that has nothing else is on. */
		for (size_t i = 0; i < CONF_CIPHERS_MAX; i++)
			if (old || !ciphers[cipher_lookup(default_order[i])].cbc)
				order[n++] = cipher_lookup(default_order[i]);
	}
	for (size_t i = 0; i < n; i++) {
		const struct cipher_def *c = &ciphers[order[i]];

		append(c->tls13 ? tls13 : tls12, c->tls13 ? len13 : len12,
		    c->openssl_name);
	}
}
