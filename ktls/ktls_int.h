/*
 * Internals shared by the ktls/ files and their unit tests: cipher geometry,
 * the kernel's crypto_info structs, key derivation and the per-SSL secrets.
 */
#ifndef SIPKTLS_KTLS_INT_H
#define SIPKTLS_KTLS_INT_H

#include <linux/tls.h>
#include <sys/socket.h>

#include "ktls/ktls.h"

#ifndef SOL_TLS
#define SOL_TLS		282
#endif
#ifndef TCP_ULP
#define TCP_ULP		31
#endif

#define KTLS_SECRET_MAX		48	/* SHA-384 */
#define KTLS_RANDOM_LEN		32
#define KTLS_IV_LEN		12	/* every AEAD we offload has a 96-bit nonce */

struct ktls_cipher_spec {
	enum ktls_cipher	cs_id;
	const char		*cs_name;
	uint16_t		cs_kernel;	/* TLS_CIPHER_* */
	uint8_t			cs_key_len;
	uint8_t			cs_fixed_iv_len; /* TLS 1.2 key block IV: 4 or 12 */
	socklen_t		cs_info_len;	/* sizeof the kernel's struct */
};

union ktls_crypto_info {
	struct tls_crypto_info				info;
	struct tls12_crypto_info_aes_gcm_128		gcm128;
	struct tls12_crypto_info_aes_gcm_256		gcm256;
	struct tls12_crypto_info_chacha20_poly1305	chacha;
	struct tls12_crypto_info_aes_ccm_128		ccm128;
};

const struct ktls_cipher_spec *ktls_cipher_spec(enum ktls_cipher);
socklen_t	 ktls_crypto_fill(union ktls_crypto_info *, uint16_t,
		     enum ktls_cipher, const uint8_t *, const uint8_t *,
		     uint64_t);
int		 ktls_crypto_set(int, int, union ktls_crypto_info *, socklen_t);
int		 ktls_ulp_attach(int);

/* secrets.c */
struct ktls_secrets {
	uint8_t		ks_master[KTLS_SECRET_MAX];	/* TLS 1.2 */
	uint8_t		ks_client_ap[KTLS_SECRET_MAX];	/* TLS 1.3 *_TRAFFIC_SECRET_0 */
	uint8_t		ks_server_ap[KTLS_SECRET_MAX];
	uint8_t		ks_master_len, ks_client_ap_len, ks_server_ap_len;
	bool		ks_observed;	/* our message callback saw the handshake */
	bool		ks_counting;	/* count records read (drain) */
	bool		ks_keyupdate;	/* a KeyUpdate crossed the SSL after Finished */
	uint16_t	ks_tickets_sent;	/* TLS 1.3 NewSessionTickets written */
	uint16_t	ks_records_read;	/* records OpenSSL read while draining */
};

struct ktls_secrets *ktls_secrets_get(const SSL *);
int		 ktls_hex_decode(const char *, size_t, uint8_t *, size_t);
int		 ktls_tls13_key_iv(const char *, const uint8_t *, size_t,
		     uint8_t *, size_t, uint8_t *);
int		 ktls_tls13_secret_update(const char *, const uint8_t *, size_t,
		     uint8_t *);
int		 ktls_tls12_key_block(const char *, const uint8_t *, size_t,
		     const uint8_t *, const uint8_t *, uint8_t *, size_t);
const char	*ktls_secret_digest(size_t);

#endif
