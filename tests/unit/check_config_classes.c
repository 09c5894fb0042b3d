/*
 * The voice classes: tls-cipher, tls-profile, tenant and srtp-crypto.
 */
#include "autoconf.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "config_suites.h"

/* A trustpoint with a key, the default, so listeners have a certificate. */
#define TP_DEFAULT	"crypto pki trustpoint TP\n rsakeypair k\n" \
			"sip-ua\n crypto signaling default trustpoint TP\n"
/* Profile 1 using tls-cipher 1, used by tenant 1: nothing is left unused. */
#define USE_CIPHER_1	"voice class tls-profile 1\n cipher 1\n" \
			"voice class tenant 1\n tls-profile 1\n"

/* ---- voice class tls-cipher ------------------------------------------- */

START_TEST(cipher_every_name)
{
	static const char *const names[] = {
		"ecdhe_rsa_aes256_gcm_sha384", "AES256_GCM_SHA384",
		"AES128_GCM_SHA256", "CHACHA20_POLY1305_SHA256",
		"DHE_RSA_AES128_GCM_SHA256", "DHE_RSA_AES256_GCM_SHA384",
		"DHE_RSA_WITH_AES_128_CBC_SHA", "DHE_RSA_WITH_AES_256_CBC_SHA",
		"ECDHE_RSA_AES128_GCM_SHA256", "ECDHE_ECDSA_AES128_GCM_SHA256",
		"ECDHE_ECDSA_AES256_GCM_SHA384", "RSA_WITH_AES_128_CBC_SHA",
		"RSA_WITH_AES_256_CBC_SHA",
	};
	const struct cipher_def	*tab;
	char			 text[2048];
	size_t			 n = 0, ntab;
	struct config		*c;

	tab = cipher_table(&ntab);
	ck_assert_uint_eq(ntab, 13);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "voice class tls-cipher 1\n");
	for (size_t i = 0; i < 13; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " cipher %zu %s\n",
		    i + 1, names[i]);
	snprintf(text + n, sizeof(text) - n, USE_CIPHER_1);
	c = OK(text);
	ck_assert_uint_eq(c->nciphers, 1);
	ck_assert_uint_eq(c->ciphers[0].tag, 1);
	ck_assert_uint_eq(c->ciphers[0].line, 1);
	ck_assert(c->ciphers[0].used);
	for (size_t i = 0; i < 13; i++) {
		ck_assert_int_ge(c->ciphers[0].pref[i], 0);
		ck_assert_int_eq(c->ciphers[0].pref[i], cipher_lookup(names[i]));
		ck_assert_str_eq(tab[c->ciphers[0].pref[i]].cube_name,
		    i == 0 ? "ECDHE_RSA_AES256_GCM_SHA384" : names[i]);
	}
	config_free(c);
}
END_TEST

START_TEST(cipher_replace_and_no)
{
	struct config *c = OK("voice class tls-cipher 7\n"
	    " cipher 1 AES128_GCM_SHA256\n"
	    " cipher 1 AES256_GCM_SHA384\n"
	    " cipher 3 RSA_WITH_AES_128_CBC_SHA\n"
	    " cipher 5 ECDHE_RSA_AES128_GCM_SHA256\n"
	    " cipher 6 DHE_RSA_AES128_GCM_SHA256\n"
	    " no cipher 5\n"
	    " no cipher 6 DHE_RSA_AES128_GCM_SHA256\n"
	    " cipher 2 ECDHE_RSA_AES128_GCM_SHA256\n"
	    "voice class tls-profile 1\n cipher 7\nvoice class tenant 1\n tls-profile 1\n");
	const struct tls_cipher_config *tc = config_cipher(c, 7);

	ck_assert_ptr_nonnull(tc);
	ck_assert_int_eq(tc->pref[0], cipher_lookup("AES256_GCM_SHA384"));
	ck_assert_int_eq(tc->pref[1], cipher_lookup("ECDHE_RSA_AES128_GCM_SHA256"));
	ck_assert_int_eq(tc->pref[2], cipher_lookup("RSA_WITH_AES_128_CBC_SHA"));
	for (size_t i = 3; i < CONF_CIPHERS_MAX; i++)
		ck_assert_int_eq(tc->pref[i], -1);
	config_free(c);
}
END_TEST

START_TEST(cipher_errors)
{
	BAD("voice class tls-cipher 1\n cipher 14 AES128_GCM_SHA256\n",
	    "t.conf:2: cipher preference \"14\" out of range 1-13");
	BAD("voice class tls-cipher 1\n cipher 0 AES128_GCM_SHA256\n",
	    "t.conf:2: cipher preference \"0\" out of range 1-13");
	BAD("voice class tls-cipher 1\n cipher one AES128_GCM_SHA256\n",
	    "t.conf:2: cipher preference \"one\" is not a number");
	BAD("voice class tls-cipher 1\n cipher 1 AES128_GCM\n",
	    "t.conf:2: unknown cipher \"AES128_GCM\" (one of the guide's names, "
	    "e.g. AES128_GCM_SHA256 or ECDHE_RSA_AES256_GCM_SHA384)");
	BAD("voice class tls-cipher 1\n cipher 1 TLS_AES_128_GCM_SHA256\n",
	    "t.conf:2: unknown cipher \"TLS_AES_128_GCM_SHA256\" (one of the "
	    "guide's names, e.g. AES128_GCM_SHA256 or ECDHE_RSA_AES256_GCM_SHA384)");
	BAD("voice class tls-cipher 1\n cipher 1 AES128_GCM_SHA256\n"
	    " cipher 4 aes128_gcm_sha256\n",
	    "t.conf:3: cipher aes128_gcm_sha256 is already at preference 1");
	BAD("voice class tls-cipher 1\n cipher 1\n",
	    "t.conf:2: usage: cipher PREFERENCE NAME");
	BAD("voice class tls-cipher 1\n cipher\n", "t.conf:2: \"cipher\": missing "
	    "argument (usage: cipher PREFERENCE NAME)");
	BAD("voice class tls-cipher 1\n no cipher\n", "t.conf:2: \"cipher\": "
	    "missing argument (usage: cipher PREFERENCE NAME)");
	BAD("voice class tls-cipher 1\n cipher 1 AES128_GCM_SHA256 x\n",
	    "t.conf:2: \"cipher\": unexpected \"x\" (usage: cipher PREFERENCE NAME)");
	BAD("voice class tls-cipher 1\n frob\n",
	    "t.conf:2: unknown command \"frob\" in voice class tls-cipher mode");
	BAD("voice class tls-cipher 1\n trustpoint TP\n",
	    "t.conf:2: unknown command \"trustpoint\" in voice class tls-cipher mode");
}
END_TEST

START_TEST(cipher_tags)
{
	struct config *c = OK("voice class tls-cipher 10000\n cipher 1 AES128_GCM_SHA256\n",
	    "t.conf:1: warning: voice class tls-cipher 10000 is not used by any "
	    "tls-profile");

	ck_assert_ptr_nonnull(config_cipher(c, 10000));
	config_free(c);
	BAD("voice class tls-cipher 0\n cipher 1 AES128_GCM_SHA256\n",
	    "t.conf:1: tls-cipher \"0\" out of range 1-10000");
	BAD("voice class tls-cipher 10001\n",
	    "t.conf:1: tls-cipher \"10001\" out of range 1-10000");
	BAD("voice class tls-cipher abc\n",
	    "t.conf:1: tls-cipher \"abc\" is not a number");
	BAD("voice class tls-cipher -1\n",
	    "t.conf:1: tls-cipher \"-1\" is not a number");
	BAD("voice class tls-cipher 99999999999999999999\n",
	    "t.conf:1: tls-cipher \"99999999999999999999\" out of range 1-10000");
	BAD("voice class tls-cipher\n", "t.conf:1: \"voice class tls-cipher\": "
	    "missing argument (usage: voice class tls-cipher TAG)");
	BAD("voice class tls-cipher 1 2\n", "t.conf:1: \"voice class tls-cipher\": "
	    "unexpected \"2\" (usage: voice class tls-cipher TAG)");
}
END_TEST

START_TEST(cipher_reenter_and_delete)
{
	struct config *c = OK("voice class tls-cipher 1\n cipher 1 AES128_GCM_SHA256\n"
	    "voice class tls-cipher 2\n cipher 1 AES256_GCM_SHA384\n"
	    "voice class tls-cipher 1\n cipher 2 RSA_WITH_AES_128_CBC_SHA\n"
	    "no voice class tls-cipher 2\n" USE_CIPHER_1);

	ck_assert_uint_eq(c->nciphers, 1);
	ck_assert_uint_eq(c->ciphers[0].line, 1);
	ck_assert_int_eq(c->ciphers[0].pref[0], cipher_lookup("AES128_GCM_SHA256"));
	ck_assert_int_eq(c->ciphers[0].pref[1], cipher_lookup("RSA_WITH_AES_128_CBC_SHA"));
	ck_assert_ptr_null(config_cipher(c, 2));
	config_free(c);
	/* a deleted list starts empty when defined again */
	c = OK("voice class tls-cipher 1\n cipher 1 AES128_GCM_SHA256\n"
	    "no voice class tls-cipher 1\n"
	    "voice class tls-cipher 1\n cipher 2 RSA_WITH_AES_128_CBC_SHA\n"
	    " cipher 3 AES256_GCM_SHA384\n" USE_CIPHER_1);
	ck_assert_int_eq(c->ciphers[0].pref[0], -1);
	ck_assert_uint_eq(c->ciphers[0].line, 4);
	config_free(c);
	BAD("no voice class tls-cipher 5\n", "t.conf:1: tls-cipher 5 is not defined");
}
END_TEST

/* ---- voice class srtp-crypto ------------------------------------------ */

START_TEST(srtp_every_suite)
{
	struct config *c = OK("voice class srtp-crypto 3\n"
	    " crypto 1 AEAD_AES_256_GCM\n"
	    " crypto 2 aead_aes_128_gcm\n"
	    " crypto 3 AES_CM_128_HMAC_SHA1_80\n"
	    " crypto 4 AES_CM_128_HMAC_SHA1_32\n"
	    "voice class tenant 1\n srtp-crypto 3\n");
	const struct srtp_crypto_config *sc = config_srtp(c, 3);

	ck_assert_ptr_nonnull(sc);
	ck_assert(sc->used);
	ck_assert_str_eq(srtp_suite_name(sc->pref[0]), "AEAD_AES_256_GCM");
	ck_assert_str_eq(srtp_suite_name(sc->pref[1]), "AEAD_AES_128_GCM");
	ck_assert_str_eq(srtp_suite_name(sc->pref[2]), "AES_CM_128_HMAC_SHA1_80");
	ck_assert_str_eq(srtp_suite_name(sc->pref[3]), "AES_CM_128_HMAC_SHA1_32");
	ck_assert_str_eq(srtp_suite_name(-1), "?");
	ck_assert_str_eq(srtp_suite_name(4), "?");
	config_free(c);
	c = OK("voice class srtp-crypto 3\n crypto 1 AEAD_AES_256_GCM\n"
	    " crypto 2 AEAD_AES_128_GCM\n crypto 1 AES_CM_128_HMAC_SHA1_80\n"
	    " no crypto 2\n no crypto 3 AES_CM_128_HMAC_SHA1_32\n"
	    "voice class srtp-crypto 3\n crypto 4 AEAD_AES_128_GCM\n",
	    "t.conf:1: warning: voice class srtp-crypto 3 is not used by any tenant");
	sc = config_srtp(c, 3);
	ck_assert_uint_eq(c->nsrtps, 1);
	ck_assert_str_eq(srtp_suite_name(sc->pref[0]), "AES_CM_128_HMAC_SHA1_80");
	ck_assert_int_eq(sc->pref[1], -1);
	ck_assert_int_eq(sc->pref[2], -1);
	ck_assert_str_eq(srtp_suite_name(sc->pref[3]), "AEAD_AES_128_GCM");
	config_free(c);
}
END_TEST

START_TEST(srtp_errors_and_delete)
{
	BAD("voice class srtp-crypto 1\n crypto 5 AEAD_AES_256_GCM\n",
	    "t.conf:2: crypto preference \"5\" out of range 1-4");
	BAD("voice class srtp-crypto 1\n crypto 1 AES_256_CM\n",
	    "t.conf:2: unknown SRTP suite \"AES_256_CM\" (AEAD_AES_256_GCM, "
	    "AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80 or AES_CM_128_HMAC_SHA1_32)");
	BAD("voice class srtp-crypto 1\n crypto 1\n",
	    "t.conf:2: usage: crypto PREFERENCE SUITE");
	BAD("voice class srtp-crypto 1\n no crypto\n", "t.conf:2: \"crypto\": "
	    "missing argument (usage: crypto PREFERENCE SUITE)");
	BAD("voice class srtp-crypto 1\n cipher 1 AEAD_AES_256_GCM\n",
	    "t.conf:2: unknown command \"cipher\" in voice class srtp-crypto mode");
	BAD("voice class srtp-crypto 0\n",
	    "t.conf:1: srtp-crypto \"0\" out of range 1-10000");
	BAD("voice class srtp-crypto 10001\n",
	    "t.conf:1: srtp-crypto \"10001\" out of range 1-10000");
	BAD("no voice class srtp-crypto 2\n", "t.conf:1: srtp-crypto 2 is not defined");

	struct config *c = OK("voice class srtp-crypto 1\n crypto 1 AEAD_AES_256_GCM\n"
	    "voice class srtp-crypto 2\n crypto 1 AEAD_AES_256_GCM\n"
	    "no voice class srtp-crypto 1\n"
	    "voice class tenant 1\n srtp-crypto 2\n");
	ck_assert_uint_eq(c->nsrtps, 1);
	ck_assert_uint_eq(c->srtps[0].tag, 2);
	config_free(c);
}
END_TEST

/* ---- voice class tls-profile ------------------------------------------ */

START_TEST(profile_every_command)
{
	/* OpenSSL's spelling of a cipher is not one of the guide's names */
	BAD("voice class tls-profile 20\n"
	    " cipher 5\n"
	    " cn-san validate client\n"
	    " cn-san 3 c.example.com\n"
	    " cn-san 1 a.example.com\n"
	    " cn-san 2 b.example.com.\n"
	    " trustpoint TP\n"
	    " sni send\n"
	    " description Enterprise A\n"
	    "voice class tls-cipher 5\n cipher 1 AES128_GCM_SHA256\n"
	    " cipher 2 ECDHE_RSA_AES128_GCM_SHA256\n cipher 3 AES128-SHA\n"
	    "voice class tenant 1\n tls-profile 20\n" TP_DEFAULT,
	    "t.conf:13: unknown cipher \"AES128-SHA\" (one of the guide's names, "
	    "e.g. AES128_GCM_SHA256 or ECDHE_RSA_AES256_GCM_SHA384)");

	struct config *c = OK("voice class tls-profile 20\n"
	    " cipher 5\n"
	    " cn-san validate client\n"
	    " cn-san 3 c.example.com\n"
	    " cn-san 1 a.example.com\n"
	    " cn-san 2 b.example.com.\n"
	    " trustpoint TP\n"
	    " sni send\n"
	    " description Enterprise A\n"
	    "voice class tls-cipher 5\n cipher 1 AES128_GCM_SHA256\n"
	    " cipher 2 ECDHE_RSA_AES128_GCM_SHA256\n cipher 3 RSA_WITH_AES_128_CBC_SHA\n"
	    "voice class tenant 1\n tls-profile 20\n" TP_DEFAULT);
	const struct tls_profile_config *p = config_profile(c, 20);

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->line, 1);
	ck_assert_uint_eq(p->cipher_tag, 5);
	ck_assert_uint_eq(p->cipher_line, 2);
	ck_assert_int_eq(p->cnsan, CNSAN_CLIENT);
	ck_assert_uint_eq(p->ncnsan, 3);
	ck_assert_uint_eq(p->cnsan_list[0].idx, 1);
	ck_assert_str_eq(p->cnsan_list[0].fqdn, "a.example.com");
	ck_assert_uint_eq(p->cnsan_list[1].idx, 2);
	ck_assert_str_eq(p->cnsan_list[1].fqdn, "b.example.com.");
	ck_assert_uint_eq(p->cnsan_list[2].idx, 3);
	ck_assert_str_eq(p->trustpoint, "TP");
	ck_assert_uint_eq(p->trustpoint_line, 7);
	ck_assert(p->sni_send);
	ck_assert(p->used);
	ck_assert_uint_eq(c->nunused, 1);
	ck_assert_str_eq(c->unused[0].text, "description Enterprise A");
	config_free(c);
}
END_TEST

START_TEST(profile_no_forms_and_alias)
{
	struct config *c = OK("voice class tls-profile 2\n"
	    " cipher 5\n cn-san-validate bidirectional\n cn-san 1 a.example\n"
	    " cn-san 2 b.example\n cn-san 2 c.example\n trustpoint TP\n sni send\n"
	    " no cipher\n no cn-san 1\n no trustpoint\n no sni send\n"
	    "voice class tenant 1\n tls-profile 2\n");
	const struct tls_profile_config *p = &c->profiles[0];

	ck_assert_uint_eq(p->cipher_tag, 0);
	ck_assert_int_eq(p->cnsan, CNSAN_BIDIRECTIONAL);
	ck_assert_uint_eq(p->ncnsan, 1);
	ck_assert_uint_eq(p->cnsan_list[0].idx, 2);
	ck_assert_str_eq(p->cnsan_list[0].fqdn, "c.example");
	ck_assert_str_eq(p->trustpoint, "");
	ck_assert(!p->sni_send);
	config_free(c);
	c = OK("voice class tls-profile 2\n cn-san validate server\n"
	    " no cn-san validate\nvoice class tenant 1\n tls-profile 2\n");
	ck_assert_int_eq(c->profiles[0].cnsan, CNSAN_OFF);
	config_free(c);
	c = OK("voice class tls-profile 2\n cn-san-validate server\n"
	    " no cn-san-validate\nvoice class tenant 1\n tls-profile 2\n");
	ck_assert_int_eq(c->profiles[0].cnsan, CNSAN_OFF);
	config_free(c);
}
END_TEST

START_TEST(profile_cnsan_list_full)
{
	char		 text[4096];
	size_t		 n = 0;
	struct config	*c;

	n += (size_t)snprintf(text + n, sizeof(text) - n,
	    "voice class tls-profile 1\n cn-san validate client\n");
	for (unsigned i = 32; i >= 1; i--)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    " cn-san %u h%u.example\n", i, i);
	snprintf(text + n, sizeof(text) - n, "voice class tenant 1\n tls-profile 1\n");
	c = OK(text);
	ck_assert_uint_eq(c->profiles[0].ncnsan, 32);
	for (unsigned i = 0; i < 32; i++) {
		char want[32];

		snprintf(want, sizeof(want), "h%u.example", i + 1);
		ck_assert_uint_eq(c->profiles[0].cnsan_list[i].idx, i + 1);
		ck_assert_str_eq(c->profiles[0].cnsan_list[i].fqdn, want);
	}
	config_free(c);
}
END_TEST

START_TEST(profile_errors)
{
	BAD("voice class tls-profile 1\n cn-san 1 192.0.2.10\n",
	    "t.conf:2: cn-san 1: \"192.0.2.10\" is an IP address, not a domain name");
	BAD("voice class tls-profile 1\n cn-san 1 sip_1.example.com\n",
	    "t.conf:2: cn-san 1: \"sip_1.example.com\" contains a character other "
	    "than letters, digits, '-' and '.'");
	BAD("voice class tls-profile 1\n cn-san 1 sip..example.com\n",
	    "t.conf:2: cn-san 1: \"sip..example.com\" has an empty label or one "
	    "longer than 63 characters");
	BAD("voice class tls-profile 1\n cn-san 1 -sip.example.com\n",
	    "t.conf:2: cn-san 1: \"-sip.example.com\" has a label starting with '-'");
	BAD("voice class tls-profile 1\n cn-san 1 "
	    "a234567890123456789012345678901234567890123456789012345678901234.example\n",
	    "t.conf:2: cn-san 1: \"a234567890123456789012345678901234567890123456789"
	    "012345678901234.example\" has an empty label or one longer than 63 "
	    "characters");
	BAD("voice class tls-profile 1\n cn-san 33 a.example\n",
	    "t.conf:2: cn-san index \"33\" out of range 1-32");
	BAD("voice class tls-profile 1\n cn-san 0 a.example\n",
	    "t.conf:2: cn-san index \"0\" out of range 1-32");
	BAD("voice class tls-profile 1\n cn-san 1\n",
	    "t.conf:2: usage: cn-san INDEX FQDN");
	BAD("voice class tls-profile 1\n no cn-san\n", "t.conf:2: \"cn-san\": "
	    "missing argument (usage: cn-san INDEX FQDN)");
	BAD("voice class tls-profile 1\n no cn-san 4\n",
	    "t.conf:2: cn-san 4 is not defined");
	BAD("voice class tls-profile 1\n cn-san validate both\n", "t.conf:2: "
	    "cn-san validate: \"both\" is not server, client or bidirectional");
	BAD("voice class tls-profile 1\n cipher 0\n",
	    "t.conf:2: tls-cipher \"0\" out of range 1-10000");
	BAD("voice class tls-profile 1\n cipher 10001\n",
	    "t.conf:2: tls-cipher \"10001\" out of range 1-10000");
	BAD("voice class tls-profile 1\n sni\n", "t.conf:2: incomplete or unknown "
	    "command \"sni\" in voice class tls-profile mode (usage: sni send)");
	BAD("voice class tls-profile 1\n sni send now\n",
	    "t.conf:2: \"sni send\": unexpected \"now\" (usage: sni send)");
	BAD("voice class tls-profile 1\n trustpoint\n", "t.conf:2: \"trustpoint\": "
	    "missing argument (usage: trustpoint NAME)");
	BAD("voice class tls-profile 1\n trustpoint "
	    "T234567890123456789012345678901234567890123456789012345678901234\n",
	    "t.conf:2: trustpoint \"T234567890123456789012345678901234567890...\" "
	    "is too long (at most 63 characters)");
	BAD("voice class tls-profile 1\n listen-port secure 5062\n",
	    "t.conf:2: unknown command \"listen-port\" in voice class tls-profile mode");
	BAD("voice class tls-profile 0\n",
	    "t.conf:1: tls-profile \"0\" out of range 1-10000");
	BAD("voice class tls-profile 10001\n",
	    "t.conf:1: tls-profile \"10001\" out of range 1-10000");
	BAD("voice class tls-profile x1\n",
	    "t.conf:1: tls-profile \"x1\" is not a number");
	BAD("no voice class tls-profile 3\n", "t.conf:1: tls-profile 3 is not defined");
}
END_TEST

START_TEST(profile_cnsan_strict)
{
	struct config *c = OK("voice class tls-profile 1\n cn-san validate server\n"
	    " cn-san strict\nvoice class tenant 1\n tls-profile 1\n");

	ck_assert(c->profiles[0].cnsan_strict);
	ck_assert_uint_eq(c->profiles[0].ncnsan, 0);
	config_free(c);
	c = OK("voice class tls-profile 1\n cn-san strict\n no cn-san strict\n"
	    "voice class tenant 1\n tls-profile 1\n");
	ck_assert(!c->profiles[0].cnsan_strict);
	config_free(c);
	BAD("voice class tls-profile 1\n cn-san strict yes\n", "t.conf:2: "
	    "\"cn-san strict\": unexpected \"yes\" (usage: cn-san strict)");
}
END_TEST

START_TEST(profile_ca_bundle)
{
	struct config *c = OK("voice class tls-profile 1\n ca-bundle /etc/ssl/carrier.pem\n"
	    "voice class tenant 1\n tls-profile 1\n");

	ck_assert_str_eq(c->profiles[0].ca_bundle, "/etc/ssl/carrier.pem");
	config_free(c);
	c = OK("voice class tls-profile 1\n ca-bundle /x.pem\n no ca-bundle\n"
	    "voice class tenant 1\n tls-profile 1\n");
	ck_assert_str_eq(c->profiles[0].ca_bundle, "");
	config_free(c);
	BAD("voice class tls-profile 1\n ca-bundle\n", "t.conf:2: \"ca-bundle\": "
	    "missing argument (usage: ca-bundle FILE)");
}
END_TEST

START_TEST(profile_reenter_and_delete)
{
	struct config *c = OK("voice class tls-profile 1\n sni send\n"
	    "voice class tls-profile 2\n sni send\n"
	    "voice class tls-profile 1\n cn-san validate server\n"
	    "no voice class tls-profile 2\n"
	    "voice class tenant 1\n tls-profile 1\n sip-server dns:a.example\n");

	ck_assert_uint_eq(c->nprofiles, 1);
	ck_assert_uint_eq(c->profiles[0].tag, 1);
	ck_assert(c->profiles[0].sni_send);
	ck_assert_int_eq(c->profiles[0].cnsan, CNSAN_SERVER);
	ck_assert_ptr_null(config_profile(c, 2));
	config_free(c);
}
END_TEST

/* ---- voice class tenant ----------------------------------------------- */

START_TEST(tenant_every_command)
{
	struct config *c = OK("voice class tenant 100\n"
	    " tls-profile 1\n"
	    " listen-port secure 5062\n"
	    " sip-server dns:sip.example.com:5061\n"
	    " srtp-crypto 1\n"
	    " session transport tcp tls\n"
	    " url sips\n"
	    " bind control source-interface eth1\n"
	    " bind media source-interface eth2\n"
	    " backend target ipv4:10.0.0.10:5060 transport udp\n"
	    " backend listen ipv4:10.0.0.1:5070\n"
	    " listen-port non-secure 5060\n"
	    " registrar dns:reg.example.com expires 3600\n"
	    " credentials username u password 0 p realm r\n"
	    " authentication username u password 0 p\n"
	    " outbound-proxy dns:proxy.example.com\n"
	    " early-offer forced\n"
	    " asserted-id pai\n"
	    " remote-party-id\n"
	    " privacy pstn\n"
	    " localhost dns:cube.example.com\n"
	    " sip-profiles 1\n"
	    " header-passing\n"
	    " description Trunk A\n"
	    "voice class tls-profile 1\n trustpoint TP\n"
	    "voice class srtp-crypto 1\n crypto 1 AEAD_AES_256_GCM\n"
	    "crypto pki trustpoint TP\n rsakeypair k\n");
	const struct tenant_config *t = config_tenant(c, 100);

	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(t->line, 1);
	ck_assert_uint_eq(t->tls_profile, 1);
	ck_assert_uint_eq(t->tls_profile_line, 2);
	ck_assert_uint_eq(t->listen_port, 5062);
	ck_assert_uint_eq(t->listen_line, 3);
	ck_assert_int_eq(t->sip_server.kind, TARGET_DNS);
	ck_assert_str_eq(t->sip_server.host, "sip.example.com");
	ck_assert_uint_eq(t->sip_server.port, 5061);
	ck_assert_uint_eq(t->srtp_crypto, 1);
	ck_assert_uint_eq(t->srtp_line, 5);
	ck_assert(t->transport_tls);
	ck_assert_int_eq(t->url, URL_SIPS);
	ck_assert_str_eq(t->bind_control, "eth1");
	ck_assert_str_eq(t->bind_media, "eth2");
	ck_assert_int_eq(t->backend.kind, TARGET_IPV4);
	ck_assert_str_eq(t->backend.host, "10.0.0.10");
	ck_assert_uint_eq(t->backend.port, 5060);
	ck_assert_int_eq(t->backend_transport, BACKEND_UDP);
	ck_assert(!t->backend_proxy_v2);
	ck_assert_int_eq(t->backend_listen.kind, TARGET_IPV4);
	ck_assert_str_eq(t->backend_listen.host, "10.0.0.1");
	ck_assert_uint_eq(t->backend_listen.port, 5070);
	ck_assert_uint_eq(t->backend_listen_line, 11);
	ck_assert_uint_eq(c->nunused, 13);
	ck_assert_uint_eq(c->unused[0].line, 12);
	ck_assert_str_eq(c->unused[0].text, "listen-port non-secure 5060");
	ck_assert_str_eq(c->unused[12].text, "description Trunk A");
	config_free(c);
}
END_TEST

START_TEST(tenant_no_forms)
{
	struct config *c = OK("voice class tenant 1\n"
	    " tls-profile 1\n listen-port secure 5062\n sip-server ipv4:192.0.2.1\n"
	    " srtp-crypto 1\n session transport tcp tls\n url tel\n"
	    " bind all source-interface eth1\n"
	    " backend target ipv6:[2001:db8::10]:5060 proxy-protocol v2\n"
	    " backend listen ipv6:[2001:db8::1]:5070\n"
	    " no tls-profile\n no listen-port secure\n no sip-server\n"
	    " no srtp-crypto\n no session transport\n no url\n"
	    " no bind control source-interface\n"
	    " no backend target\n no backend listen\n");
	const struct tenant_config *t = &c->tenants[0];

	ck_assert_uint_eq(t->tls_profile, 0);
	ck_assert_uint_eq(t->listen_port, 0);
	ck_assert_int_eq(t->sip_server.kind, TARGET_NONE);
	ck_assert_uint_eq(t->srtp_crypto, 0);
	ck_assert(!t->transport_tls);
	ck_assert_int_eq(t->url, URL_UNSET);
	ck_assert_str_eq(t->bind_control, "");
	ck_assert_str_eq(t->bind_media, "eth1");
	ck_assert_int_eq(t->backend.kind, TARGET_NONE);
	ck_assert_int_eq(t->backend_listen.kind, TARGET_NONE);
	config_free(c);
	c = OK("voice class tenant 1\n bind all source-interface eth1\n"
	    " no bind media source-interface\n url sip\n"
	    " session transport tcp tls\n session transport udp\n");
	t = &c->tenants[0];
	ck_assert_str_eq(t->bind_control, "eth1");
	ck_assert_str_eq(t->bind_media, "");
	ck_assert_int_eq(t->url, URL_SIP);
	ck_assert(!t->transport_tls);
	ck_assert_uint_eq(c->nunused, 1);
	ck_assert_str_eq(c->unused[0].text, "session transport udp");
	config_free(c);
}
END_TEST

START_TEST(tenant_targets)
{
	static const struct {
		const char	*word;
		int		 kind;
		const char	*host;
		unsigned	 port;
	} ok[] = {
		{ "ipv4:192.0.2.1", TARGET_IPV4, "192.0.2.1", 0 },
		{ "IPV4:192.0.2.1:5061", TARGET_IPV4, "192.0.2.1", 5061 },
		{ "ipv6:[2001:db8::1]:5061", TARGET_IPV6, "2001:db8::1", 5061 },
		{ "ipv6:[2001:db8::1]", TARGET_IPV6, "2001:db8::1", 0 },
		{ "ipv6:2001:db8::1", TARGET_IPV6, "2001:db8::1", 0 },
		{ "ipv6:[::ffff:192.0.2.1]:65535", TARGET_IPV6, "::ffff:192.0.2.1", 65535 },
		{ "dns:sip.example.com", TARGET_DNS, "sip.example.com", 0 },
		{ "dns:sip.example.com.:1", TARGET_DNS, "sip.example.com.", 1 },
		{ "dns:localhost", TARGET_DNS, "localhost", 0 },
	};
	char text[256];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), "voice class tenant 1\n sip-server %s\n",
		    ok[i].word);
		struct config *c = OK(text);
		ck_assert_int_eq(c->tenants[0].sip_server.kind, ok[i].kind);
		ck_assert_str_eq(c->tenants[0].sip_server.host, ok[i].host);
		ck_assert_uint_eq(c->tenants[0].sip_server.port, ok[i].port);
		config_free(c);
	}
}
END_TEST

START_TEST(tenant_target_errors)
{
#define SRV(w)	"voice class tenant 1\n sip-server " w "\n"
	BAD(SRV("ipv4:192.0.2.999"),
	    "t.conf:2: \"ipv4:192.0.2.999\": \"192.0.2.999\" is not an IPv4 address");
	BAD(SRV("ipv4:2001:db8::1"),
	    "t.conf:2: port \"db8::1\" is not a number");
	BAD(SRV("ipv4:192.0.2.1:0"), "t.conf:2: port \"0\" out of range 1-65535");
	BAD(SRV("ipv4:192.0.2.1:65536"),
	    "t.conf:2: port \"65536\" out of range 1-65535");
	BAD(SRV("ipv4:192.0.2.1:"), "t.conf:2: port \"\" is not a number");
	BAD(SRV("ipv4:192.0.2.1:50x"), "t.conf:2: port \"50x\" is not a number");
	BAD(SRV("ipv4:"), "t.conf:2: \"ipv4:\": missing or overlong host");
	BAD(SRV("ipv6:[2001:db8::zz]:5061"),
	    "t.conf:2: \"ipv6:[2001:db8::zz]:5061\": \"2001:db8::zz\" is not an "
	    "IPv6 address");
	BAD(SRV("ipv6:192.0.2.1"),
	    "t.conf:2: \"ipv6:192.0.2.1\": \"192.0.2.1\" is not an IPv6 address");
	BAD(SRV("ipv6:[2001:db8::1:5061"),
	    "t.conf:2: \"ipv6:[2001:db8::1:5061\": write ipv6:[ADDRESS]:PORT");
	BAD(SRV("ipv6:[2001:db8::1]5061"),
	    "t.conf:2: \"ipv6:[2001:db8::1]5061\": write ipv6:[ADDRESS]:PORT");
	BAD(SRV("ipv6:[]:5061"), "t.conf:2: \"ipv6:[]:5061\": missing or overlong host");
	BAD(SRV("ipv6:[2001:db8::1]:0"), "t.conf:2: port \"0\" out of range 1-65535");
	BAD(SRV("dns:sip_1.example.com"),
	    "t.conf:2: \"dns:sip_1.example.com\": host name \"sip_1.example.com\" "
	    "contains a character other than letters, digits, '-' and '.'");
	BAD(SRV("dns:192.0.2.1"), "t.conf:2: \"dns:192.0.2.1\": host name "
	    "\"192.0.2.1\" is an IP address, not a domain name");
	BAD(SRV("dns:sip.example.com:99999"),
	    "t.conf:2: port \"99999\" out of range 1-65535");
	BAD(SRV("sip.example.com"), "t.conf:2: \"sip.example.com\" is not an "
	    "address: write dns:HOST[:PORT], ipv4:ADDRESS[:PORT] or "
	    "ipv6:[ADDRESS][:PORT]");
	BAD(SRV("dns:a b"), "t.conf:2: \"sip-server\": unexpected \"b\" (usage: "
	    "sip-server {dns:HOST[:PORT] | ipv4:ADDRESS[:PORT] | "
	    "ipv6:[ADDRESS][:PORT]})");
#undef SRV
}
END_TEST

START_TEST(tenant_errors)
{
#define TEN(l)	"voice class tenant 1\n " l "\n"
	BAD(TEN("listen-port secure 0"), "t.conf:2: listen-port \"0\" out of range 1-65535");
	BAD(TEN("listen-port secure 65536"),
	    "t.conf:2: listen-port \"65536\" out of range 1-65535");
	BAD(TEN("listen-port secure 50a"), "t.conf:2: listen-port \"50a\" is not a number");
	BAD(TEN("listen-port secure"), "t.conf:2: usage: listen-port secure PORT");
	BAD(TEN("listen-port 5062"), "t.conf:2: usage: listen-port secure PORT");
	BAD(TEN("listen-port"), "t.conf:2: \"listen-port\": missing argument "
	    "(usage: listen-port secure PORT)");
	BAD(TEN("tls-profile 0"), "t.conf:2: tls-profile \"0\" out of range 1-10000");
	BAD(TEN("srtp-crypto 10001"),
	    "t.conf:2: srtp-crypto \"10001\" out of range 1-10000");
	BAD(TEN("url http"), "t.conf:2: url: \"http\" is not sip, sips or tel");
	BAD(TEN("session transport tls"),
	    "t.conf:2: usage: session transport {tcp tls | tcp | udp}");
	BAD(TEN("session transport udp tls"),
	    "t.conf:2: usage: session transport {tcp tls | tcp | udp}");
	BAD(TEN("bind control eth0"), "t.conf:2: usage: bind {control | media | "
	    "all} source-interface INTERFACE");
	BAD(TEN("bind signalling source-interface eth0"), "t.conf:2: usage: bind "
	    "{control | media | all} source-interface INTERFACE");
	BAD(TEN("bind control source-interface"), "t.conf:2: usage: bind "
	    "{control | media | all} source-interface INTERFACE");
	BAD(TEN("backend target ipv4:10.0.0.1"),
	    "t.conf:2: \"ipv4:10.0.0.1\": a port is required");
	BAD(TEN("backend target dns:b.example:5060"), "t.conf:2: "
	    "\"dns:b.example:5060\" is not an address: write ipv4:ADDRESS:PORT "
	    "or ipv6:[ADDRESS]:PORT");
	BAD(TEN("backend target ipv4:10.0.0.1:5060 transport sctp"),
	    "t.conf:2: backend target: unexpected \"transport\" (usage: backend "
	    "target ADDRESS [transport {tcp|udp}] [proxy-protocol v2])");
	BAD(TEN("backend target ipv4:10.0.0.1:5060 proxy-protocol v1"),
	    "t.conf:2: backend target: unexpected \"proxy-protocol\" (usage: "
	    "backend target ADDRESS [transport {tcp|udp}] [proxy-protocol v2])");
	BAD(TEN("backend target ipv4:10.0.0.1:5060 transport udp proxy-protocol v2"),
	    "t.conf:2: backend target: proxy-protocol v2 needs transport tcp");
	BAD(TEN("backend target ipv4:10.0.0.1:5060 proxy-protocol v2 transport udp"),
	    "t.conf:2: backend target: proxy-protocol v2 needs transport tcp");
	BAD(TEN("backend target"), "t.conf:2: backend target: missing address");
	BAD(TEN("backend listen ipv4:10.0.0.1:5070 transport tcp"),
	    "t.conf:2: backend listen: unexpected \"transport\"");
	BAD(TEN("backend listen ipv6:[2001:db8::1]"),
	    "t.conf:2: \"ipv6:[2001:db8::1]\": a port is required");
	BAD(TEN("backend proxy ipv4:10.0.0.1:5060"),
	    "t.conf:2: usage: backend {target | listen} ADDRESS ...");
	BAD(TEN("backend"), "t.conf:2: \"backend\": missing argument (usage: "
	    "backend target ADDRESS [transport {tcp|udp}] [proxy-protocol v2] | "
	    "backend listen ADDRESS)");
	BAD(TEN("cipher 1"),
	    "t.conf:2: unknown command \"cipher\" in voice class tenant mode");
	BAD(TEN("session target sip-server"), "t.conf:2: incomplete or unknown "
	    "command \"session target sip-server\" in voice class tenant mode "
	    "(usage: session transport {tcp tls | tcp | udp})");
	BAD("voice class tenant 0\n", "t.conf:1: tenant \"0\" out of range 1-10000");
	BAD("voice class tenant 10001\n",
	    "t.conf:1: tenant \"10001\" out of range 1-10000");
	BAD("voice class tenant one\n", "t.conf:1: tenant \"one\" is not a number");
	BAD("no voice class tenant 5\n", "t.conf:1: tenant 5 is not defined");
#undef TEN
}
END_TEST

START_TEST(tenant_backend_options)
{
	struct config *c = OK("voice class tenant 1\n"
	    " backend target ipv4:10.0.0.1:5060 transport udp\n"
	    " backend target ipv4:10.0.0.2:5062 TRANSPORT TCP PROXY-PROTOCOL V2\n");
	const struct tenant_config *t = &c->tenants[0];

	ck_assert_str_eq(t->backend.host, "10.0.0.2");
	ck_assert_uint_eq(t->backend.port, 5062);
	ck_assert_int_eq(t->backend_transport, BACKEND_TCP);
	ck_assert(t->backend_proxy_v2);
	config_free(c);
	/* each backend target line sets the options anew */
	c = OK("voice class tenant 1\n"
	    " backend target ipv4:10.0.0.1:5060 proxy-protocol v2\n"
	    " backend target ipv4:10.0.0.1:5060\n");
	ck_assert_int_eq(c->tenants[0].backend_transport, BACKEND_TCP);
	ck_assert(!c->tenants[0].backend_proxy_v2);
	config_free(c);
}
END_TEST

START_TEST(tenant_reenter_and_delete)
{
	struct config *c = OK("voice class tenant 1\n listen-port secure 5062\n"
	    " backend target ipv4:10.0.0.1:5060\n"
	    "voice class tenant 2\n listen-port secure 5063\n"
	    "voice class tenant 1\n sip-server dns:a.example\n"
	    "no voice class tenant 2\n" TP_DEFAULT);

	ck_assert_uint_eq(c->ntenants, 1);
	ck_assert_uint_eq(c->tenants[0].tag, 1);
	ck_assert_uint_eq(c->tenants[0].line, 1);
	ck_assert_uint_eq(c->tenants[0].listen_port, 5062);
	ck_assert_str_eq(c->tenants[0].sip_server.host, "a.example");
	ck_assert_ptr_null(config_tenant(c, 2));
	config_free(c);
	/* the deleted tenant's port is free again */
	c = OK("voice class tenant 1\n listen-port secure 5062\n"
	    " backend target ipv4:10.0.0.1:5060\n"
	    "no voice class tenant 1\n"
	    "voice class tenant 2\n listen-port secure 5062\n"
	    " backend target ipv4:10.0.0.1:5060\n" TP_DEFAULT);
	ck_assert_uint_eq(c->ntenants, 1);
	ck_assert_uint_eq(c->tenants[0].tag, 2);
	ck_assert_uint_eq(c->tenants[0].line, 5);
	config_free(c);
}
END_TEST

Suite *
suite_tls_cipher(void)
{
	Suite	*s = suite_create("tls-cipher");
	TCase	*tc = tcase_create("tls-cipher");

	tcase_add_test(tc, cipher_every_name);
	tcase_add_test(tc, cipher_replace_and_no);
	tcase_add_test(tc, cipher_errors);
	tcase_add_test(tc, cipher_tags);
	tcase_add_test(tc, cipher_reenter_and_delete);
	suite_add_tcase(s, tc);
	return s;
}

Suite *
suite_srtp_crypto(void)
{
	Suite	*s = suite_create("srtp-crypto");
	TCase	*tc = tcase_create("srtp-crypto");

	tcase_add_test(tc, srtp_every_suite);
	tcase_add_test(tc, srtp_errors_and_delete);
	suite_add_tcase(s, tc);
	return s;
}

Suite *
suite_tls_profile(void)
{
	Suite	*s = suite_create("tls-profile");
	TCase	*tc = tcase_create("tls-profile");

	tcase_add_test(tc, profile_every_command);
	tcase_add_test(tc, profile_no_forms_and_alias);
	tcase_add_test(tc, profile_cnsan_list_full);
	tcase_add_test(tc, profile_errors);
	tcase_add_test(tc, profile_cnsan_strict);
	tcase_add_test(tc, profile_ca_bundle);
	tcase_add_test(tc, profile_reenter_and_delete);
	suite_add_tcase(s, tc);
	return s;
}

Suite *
suite_tenant(void)
{
	Suite	*s = suite_create("tenant");
	TCase	*tc = tcase_create("tenant");

	tcase_add_test(tc, tenant_every_command);
	tcase_add_test(tc, tenant_no_forms);
	tcase_add_test(tc, tenant_targets);
	tcase_add_test(tc, tenant_target_errors);
	tcase_add_test(tc, tenant_errors);
	tcase_add_test(tc, tenant_backend_options);
	tcase_add_test(tc, tenant_reenter_and_delete);
	suite_add_tcase(s, tc);
	return s;
}
