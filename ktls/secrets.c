/*
 * Session secrets for hand-installed kTLS: a keylog callback stores each SSL's
 * traffic secrets (TLS 1.3) or master secret (TLS 1.2) in SSL ex_data, and the
 * TLS13-KDF / TLS1-PRF derivations turn them into record keys and IVs.
 */
#include "autoconf.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/ssl.h>

#include "ktls/ktls_int.h"

static int		ssl_index = -1;
static int		ctx_index = -1;
static pthread_once_t	index_once = PTHREAD_ONCE_INIT;

static void
secrets_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	OPENSSL_clear_free(ptr, sizeof(struct ktls_secrets));
}

static void
index_init(void)
{
	ssl_index = SSL_get_ex_new_index(0, "sipktls ktls secrets", NULL, NULL,
	    secrets_free);
	ctx_index = SSL_CTX_get_ex_new_index(0, "sipktls ktls mode", NULL, NULL,
	    NULL);
}

static bool
index_ready(void)
{
	pthread_once(&index_once, index_init);
	return ssl_index >= 0 && ctx_index >= 0;
}

struct ktls_secrets *
ktls_secrets_get(const SSL *ssl)
{
	if (!index_ready())
		return NULL;
	return SSL_get_ex_data(ssl, ssl_index);
}

/* The keylog callback hands us a const SSL; ex_data needs the object itself.
 * Storing per-SSL state there is what the callback is for, so drop const. */
static struct ktls_secrets *
secrets_get_or_new(const SSL *cssl)
{
	SSL *ssl = (SSL *)(uintptr_t)cssl;
	struct ktls_secrets *ks = ktls_secrets_get(ssl);

	if (ks != NULL || ssl_index < 0)
		return ks;
	ks = OPENSSL_zalloc(sizeof(*ks));
	if (ks != NULL && !SSL_set_ex_data(ssl, ssl_index, ks)) {
		OPENSSL_free(ks);
		ks = NULL;
	}
	return ks;
}

void
ktls_secrets_wipe(SSL *ssl)
{
	struct ktls_secrets *ks = ktls_secrets_get(ssl);

	if (ks == NULL)
		return;
	SSL_set_ex_data(ssl, ssl_index, NULL);
	OPENSSL_clear_free(ks, sizeof(*ks));
}

int
ktls_hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t outmax)
{
	size_t i;

	if (hexlen % 2 != 0 || hexlen / 2 > outmax)
		return -EINVAL;
	for (i = 0; i < hexlen / 2; i++) {
		int hi = OPENSSL_hexchar2int((unsigned char)hex[2 * i]);
		int lo = OPENSSL_hexchar2int((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(hexlen / 2);
}

/* Lines are "LABEL <client_random hex> <secret hex>" (NSS key log format). */
void
ktls_keylog_line(const SSL *ssl, const char *line)
{
	static const struct {
		const char	*label;
		size_t		 off, lenoff;
	} wanted[] = {
		{ "CLIENT_RANDOM", offsetof(struct ktls_secrets, ks_master),
		  offsetof(struct ktls_secrets, ks_master_len) },
		{ "CLIENT_TRAFFIC_SECRET_0", offsetof(struct ktls_secrets, ks_client_ap),
		  offsetof(struct ktls_secrets, ks_client_ap_len) },
		{ "SERVER_TRAFFIC_SECRET_0", offsetof(struct ktls_secrets, ks_server_ap),
		  offsetof(struct ktls_secrets, ks_server_ap_len) },
	};
	const char *sp1 = strchr(line, ' '), *sp2;
	struct ktls_secrets *ks;
	size_t i, label_len;
	int n;

	if (sp1 == NULL || (sp2 = strchr(sp1 + 1, ' ')) == NULL)
		return;
	label_len = (size_t)(sp1 - line);
	for (i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
		if (strlen(wanted[i].label) == label_len &&
		    memcmp(line, wanted[i].label, label_len) == 0)
			break;
	if (i == sizeof(wanted) / sizeof(wanted[0]))
		return;
	if ((ks = secrets_get_or_new(ssl)) == NULL)
		return;
	n = ktls_hex_decode(sp2 + 1, strlen(sp2 + 1),
	    (uint8_t *)ks + wanted[i].off, KTLS_SECRET_MAX);
	*((uint8_t *)ks + wanted[i].lenoff) = n > 0 ? (uint8_t)n : 0;
}

/* Counts what moves through the SSL that the record numbers depend on: TLS
 * 1.3 NewSessionTickets the server writes under its application key (its
 * first data record's number), records read while draining, KeyUpdates. */
void
ktls_msg_observe(int write_p, int version, int content_type, const void *buf,
    size_t len, SSL *ssl)
{
	const uint8_t *p = buf;
	struct ktls_secrets *ks;

	if (content_type != SSL3_RT_HANDSHAKE && content_type != SSL3_RT_HEADER)
		return;
	if ((ks = secrets_get_or_new(ssl)) == NULL)
		return;
	if (content_type == SSL3_RT_HEADER) {
		if (!write_p && ks->ks_counting)
			ks->ks_records_read++;
		return;
	}
	ks->ks_observed = true;
	if (len < 1)
		return;
	if (write_p && p[0] == SSL3_MT_NEWSESSION_TICKET &&
	    SSL_version(ssl) == TLS1_3_VERSION && ks->ks_tickets_sent < UINT16_MAX)
		ks->ks_tickets_sent++;
	if (p[0] == SSL3_MT_KEY_UPDATE)
		ks->ks_keyupdate = true;
}

static void
keylog_cb(const SSL *ssl, const char *line)
{
	ktls_keylog_line(ssl, line);
}

static void
msg_cb(int write_p, int version, int content_type, const void *buf,
    size_t len, SSL *ssl, void *arg)
{
	ktls_msg_observe(write_p, version, content_type, buf, len, ssl);
}

/*
 * Prepares a profile's SSL_CTX: OpenSSL's own kTLS (it covers TLS 1.2 both
 * ways and TLS 1.3 TX on 3.0), the keylog hook for what it leaves to us, and
 * the message hook that counts tickets. The default mode is "preferred".
 */
int
ktls_keylog_attach(SSL_CTX *ctx)
{
	if (!index_ready())
		return -ENOMEM;
	SSL_CTX_set_keylog_callback(ctx, keylog_cb);
	SSL_CTX_set_msg_callback(ctx, msg_cb);
	if (SSL_CTX_get_ex_data(ctx, ctx_index) == NULL)
		return ktls_mode_set(ctx, KTLS_MODE_PREFERRED);
	return 0;
}

int
ktls_mode_set(SSL_CTX *ctx, enum ktls_mode mode)
{
	if (!index_ready())
		return -ENOMEM;
	/* stored as mode + 1: NULL means "never set" */
	if (!SSL_CTX_set_ex_data(ctx, ctx_index, (void *)(uintptr_t)(mode + 1)))
		return -ENOMEM;
	if (mode == KTLS_MODE_OFF)
		SSL_CTX_clear_options(ctx, SSL_OP_ENABLE_KTLS);
	else
		SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
	return 0;
}

enum ktls_mode
ktls_mode_get(const SSL_CTX *ctx)
{
	uintptr_t v;

	if (!index_ready())
		return KTLS_MODE_PREFERRED;
	v = (uintptr_t)SSL_CTX_get_ex_data(ctx, ctx_index);
	return v == 0 ? KTLS_MODE_PREFERRED : (enum ktls_mode)(v - 1);
}

const char *
ktls_secret_digest(size_t secret_len)
{
	return secret_len == 48 ? "SHA384" : "SHA256";
}

/* One derivation through a named EVP_KDF, which takes all its parameters at once. */
static int
kdf_derive(const char *name, const OSSL_PARAM *params, uint8_t *out,
    size_t out_len)
{
	EVP_KDF_CTX *kctx;
	EVP_KDF *kdf;
	int ret;

	if ((kdf = EVP_KDF_fetch(NULL, name, NULL)) == NULL)
		return -ENOSYS;
	kctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (kctx == NULL)
		return -ENOMEM;
	ret = EVP_KDF_derive(kctx, out, out_len, params) > 0 ? 0 : -EINVAL;
	EVP_KDF_CTX_free(kctx);
	return ret;
}

/* HKDF-Expand-Label(secret, label, "", len) through OpenSSL's TLS13-KDF
 * (EVP_KDF-TLS13_KDF(7)). */
static int
tls13_expand(const char *md, const uint8_t *secret, size_t secret_len,
    const char *label, uint8_t *out, size_t out_len)
{
	static const unsigned char prefix[] = "tls13 ";
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	OSSL_PARAM params[7], *p = params;

	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)(uintptr_t)md, 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)(uintptr_t)secret, secret_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX,
	    (void *)(uintptr_t)prefix, sizeof(prefix) - 1);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL,
	    (void *)(uintptr_t)label, strlen(label));
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_DATA, "", 0);
	*p = OSSL_PARAM_construct_end();
	return kdf_derive("TLS13-KDF", params, out, out_len);
}

/* RFC 8446 7.3: [sender]_write_key and [sender]_write_iv. */
int
ktls_tls13_key_iv(const char *md, const uint8_t *secret, size_t secret_len,
    uint8_t *key, size_t key_len, uint8_t *iv)
{
	int ret = tls13_expand(md, secret, secret_len, "key", key, key_len);

	if (ret == 0)
		ret = tls13_expand(md, secret, secret_len, "iv", iv, KTLS_IV_LEN);
	if (ret < 0)
		OPENSSL_cleanse(key, key_len);
	return ret;
}

/* RFC 8446 7.2: application_traffic_secret_N+1. */
int
ktls_tls13_secret_update(const char *md, const uint8_t *secret,
    size_t secret_len, uint8_t *out)
{
	return tls13_expand(md, secret, secret_len, "traffic upd", out,
	    secret_len);
}

/* RFC 5246 6.3: key_block = PRF(master, "key expansion",
 * server_random + client_random); AEAD suites have no MAC keys. */
int
ktls_tls12_key_block(const char *md, const uint8_t *master, size_t master_len,
    const uint8_t *server_random, const uint8_t *client_random, uint8_t *out,
    size_t out_len)
{
	static const char label[] = "key expansion";
	uint8_t seed[sizeof(label) - 1 + 2 * KTLS_RANDOM_LEN];
	OSSL_PARAM params[4], *p = params;

	memcpy(seed, label, sizeof(label) - 1);
	memcpy(seed + sizeof(label) - 1, server_random, KTLS_RANDOM_LEN);
	memcpy(seed + sizeof(label) - 1 + KTLS_RANDOM_LEN, client_random,
	    KTLS_RANDOM_LEN);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)(uintptr_t)md, 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET,
	    (void *)(uintptr_t)master, master_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed,
	    sizeof(seed));
	*p = OSSL_PARAM_construct_end();
	return kdf_derive("TLS1-PRF", params, out, out_len);
}

void
ktls_keys_free(struct ktls_keys *keys)
{
	if (keys != NULL)
		OPENSSL_clear_free(keys, sizeof(*keys));
}
