/*
 * The hand-off: after SSL_do_handshake() returned 1, learn what OpenSSL
 * already offloaded, install the rest from the captured secrets with the
 * right record numbers, and say per direction who moves records, and why.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "ktls/ktls_int.h"

static const struct ktls_cipher_spec cipher_specs[KTLS_CIPHER_COUNT] = {
	{ KTLS_CIPHER_AES_128_GCM, "AES-128-GCM", TLS_CIPHER_AES_GCM_128, 16, 4,
	  sizeof(struct tls12_crypto_info_aes_gcm_128) },
	{ KTLS_CIPHER_AES_256_GCM, "AES-256-GCM", TLS_CIPHER_AES_GCM_256, 32, 4,
	  sizeof(struct tls12_crypto_info_aes_gcm_256) },
	{ KTLS_CIPHER_CHACHA20_POLY1305, "CHACHA20-POLY1305",
	  TLS_CIPHER_CHACHA20_POLY1305, 32, 12,
	  sizeof(struct tls12_crypto_info_chacha20_poly1305) },
	{ KTLS_CIPHER_AES_128_CCM, "AES-128-CCM", TLS_CIPHER_AES_CCM_128, 16, 4,
	  sizeof(struct tls12_crypto_info_aes_ccm_128) },
};

static unsigned int skew_tx, skew_rx;

void
ktls_test_rec_seq_skew(unsigned int tx, unsigned int rx)
{
	skew_tx = tx;
	skew_rx = rx;
}

const struct ktls_cipher_spec *
ktls_cipher_spec(enum ktls_cipher c)
{
	return c < KTLS_CIPHER_COUNT ? &cipher_specs[c] : NULL;
}

const char *
ktls_path_name(enum ktls_path p)
{
	switch (p) {
	case KTLS_PATH_OPENSSL:		return "kernel (OpenSSL)";
	case KTLS_PATH_INSTALLED:	return "kernel (installed)";
	default:			return "userspace";
	}
}

/* tlshd's taxonomy (ktls.c), in words an operator can act on. */
const char *
ktls_errno_reason(int err, bool ulp)
{
	switch (err) {
	case ENOENT:
		if (ulp)
			return "tls ULP not in kernel";
		/* FALLTHROUGH */
	case EINVAL:
	case ENOPROTOOPT:
		return "kernel does not support the requested algorithm";
	case EBADF:
	case ENOTSOCK:
		return "socket gone";
	case ENOTCONN:
		return "socket not connected (kTLS needs an ESTABLISHED socket)";
	case EEXIST:
		return "another ULP is attached to the socket";
	case EBUSY:
		return "keys already installed (kernel cannot rekey)";
	case EPERM:
	case EACCES:
		return "not permitted";
	case ENOMEM:
		return "out of memory";
	default:
		return strerror(err);
	}
}

/* Maps an OpenSSL suite to what the kernel can take; *why says what it is
 * when it cannot. */
enum ktls_cipher
ktls_cipher_of(const SSL_CIPHER *cipher, const char **why)
{
	const char *name;
	int nid;

	*why = "no cipher negotiated";
	if (cipher == NULL)
		return KTLS_CIPHER_NONE;
	nid = SSL_CIPHER_get_cipher_nid(cipher);
	name = SSL_CIPHER_get_name(cipher);
	switch (nid) {
	case NID_aes_128_gcm:		return KTLS_CIPHER_AES_128_GCM;
	case NID_aes_256_gcm:		return KTLS_CIPHER_AES_256_GCM;
	case NID_chacha20_poly1305:	return KTLS_CIPHER_CHACHA20_POLY1305;
	case NID_aes_128_ccm:
		/* CCM_8 has an 8-byte tag; the kernel only knows 16 */
		if (strstr(name, "CCM8") == NULL && strstr(name, "CCM_8") == NULL)
			return KTLS_CIPHER_AES_128_CCM;
		*why = "cipher not offloadable (CCM_8)";
		return KTLS_CIPHER_NONE;
	case NID_aes_128_cbc:
	case NID_aes_256_cbc:
	case NID_camellia_128_cbc:
	case NID_camellia_256_cbc:
	case NID_des_ede3_cbc:
		*why = "cipher not offloadable (CBC)";
		return KTLS_CIPHER_NONE;
	default:
		*why = "cipher not offloadable";
		return KTLS_CIPHER_NONE;
	}
}

static void
seq_be(uint8_t out[8], uint64_t seq)
{
	int i;

	for (i = 7; i >= 0; i--, seq >>= 8)
		out[i] = (uint8_t)seq;
}

/* GCM and CCM: a 4-byte salt and an 8-byte per-record part. TLS 1.3 splits
 * the 12-byte derived IV (salt = iv[0..3]); TLS 1.2 takes the 4-byte fixed IV
 * as salt and starts the explicit nonce at the record number, as tlshd does. */
#define FILL_SALTED(s, version, key, iv, seq) do {			\
	memcpy((s).key, (key), sizeof((s).key));			\
	memcpy((s).salt, (iv), sizeof((s).salt));			\
	if ((version) == TLS_1_3_VERSION)				\
		memcpy((s).iv, (iv) + sizeof((s).salt), sizeof((s).iv)); \
	else								\
		memcpy((s).iv, (seq), sizeof((s).iv));			\
	memcpy((s).rec_seq, (seq), sizeof((s).rec_seq));		\
} while (0)

/*
 * Builds the kernel's crypto_info. iv is the 12-byte TLS 1.3 IV, the 4-byte
 * TLS 1.2 GCM/CCM fixed IV, or the 12-byte TLS 1.2 ChaCha IV. Returns the
 * struct's exact size (the kernel checks it), 0 for an unknown cipher.
 */
socklen_t
ktls_crypto_fill(union ktls_crypto_info *ci, uint16_t version,
    enum ktls_cipher c, const uint8_t *key, const uint8_t *iv, uint64_t rec_seq)
{
	uint8_t seq[8];

	memset(ci, 0, sizeof(*ci));
	if (c >= KTLS_CIPHER_COUNT)
		return 0;
	seq_be(seq, rec_seq);
	ci->info.version = version;
	ci->info.cipher_type = cipher_specs[c].cs_kernel;
	switch (c) {
	case KTLS_CIPHER_AES_128_GCM:
		FILL_SALTED(ci->gcm128, version, key, iv, seq);
		break;
	case KTLS_CIPHER_AES_256_GCM:
		FILL_SALTED(ci->gcm256, version, key, iv, seq);
		break;
	case KTLS_CIPHER_AES_128_CCM:
		FILL_SALTED(ci->ccm128, version, key, iv, seq);
		break;
	case KTLS_CIPHER_CHACHA20_POLY1305:
		/* no salt, no explicit nonce: the whole IV, in both versions */
		memcpy(ci->chacha.key, key, sizeof(ci->chacha.key));
		memcpy(ci->chacha.iv, iv, sizeof(ci->chacha.iv));
		memcpy(ci->chacha.rec_seq, seq, sizeof(ci->chacha.rec_seq));
		break;
	default:
		return 0;
	}
	return cipher_specs[c].cs_info_len;
}

/* setsockopt(SOL_TLS) and wipe the struct whatever happened. */
int
ktls_crypto_set(int fd, int dir, union ktls_crypto_info *ci, socklen_t len)
{
	int ret = 0;

	if (len == 0)
		ret = -EINVAL;
	else if (setsockopt(fd, SOL_TLS, dir, ci, len) < 0)
		ret = -errno;
	OPENSSL_cleanse(ci, sizeof(*ci));
	return ret;
}

/* TCP_ULP "tls" once per socket: OpenSSL may have attached it already. */
int
ktls_ulp_attach(int fd)
{
	char name[16] = "";
	socklen_t len = sizeof(name) - 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	if (getsockopt(fd, IPPROTO_TCP, TCP_ULP, name, &len) == 0 &&
	    strcmp(name, "tls") == 0)
		return 0;
	return -EEXIST;
}

/* ---- ktls_offload ---- */

struct offload {
	SSL			*ssl;
	int			 fd;
	const struct ktls_probe	*kp;
	struct ktls_result	*out;
	struct ktls_secrets	*ks;
	enum ktls_version	 v;
	const char		*md;	/* the suite's hash: KDF and PRF digest */
	bool			 want_tx, want_rx;
};

static void dir_refuse(struct ktls_dir *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
dir_refuse(struct ktls_dir *d, int err, const char *fmt, ...)
{
	va_list ap;

	d->kd_path = KTLS_PATH_USERSPACE;
	d->kd_errno = err;
	va_start(ap, fmt);
	vsnprintf(d->kd_reason, sizeof(d->kd_reason), fmt, ap);
	va_end(ap);
}

/* Whether a direction OpenSSL left to us can be installed by hand; sets the
 * operator reason when not. */
static bool
dir_possible(struct offload *o, struct ktls_dir *d, bool tx)
{
	const unsigned int can = tx ? KTLS_CAN_TX : KTLS_CAN_RX;
	enum ktls_cipher c = o->out->kr_cipher;
	const char *why;

	if (ktls_mode_get(SSL_get_SSL_CTX(o->ssl)) == KTLS_MODE_OFF) {
		dir_refuse(d, 0, "kTLS off by configuration");
		return false;
	}
	if (o->out->kr_version != TLS1_2_VERSION &&
	    o->out->kr_version != TLS1_3_VERSION) {
		dir_refuse(d, 0, "%s not offloadable", SSL_get_version(o->ssl));
		return false;
	}
	if (c == KTLS_CIPHER_NONE) {
		ktls_cipher_of(SSL_get_current_cipher(o->ssl), &why);
		dir_refuse(d, 0, "%s", why);
		return false;
	}
	if (o->kp == NULL || o->kp->kp_ulp_errno != 0) {
		int err = o->kp ? o->kp->kp_ulp_errno : ENOENT;

		dir_refuse(d, err, "%s", ktls_errno_reason(err, true));
		return false;
	}
	if (!ktls_probe_has(o->kp, c, o->v, can)) {
		dir_refuse(d, o->kp->kp_errno[c][o->v] ? o->kp->kp_errno[c][o->v] :
		    ENOPROTOOPT, "kernel does not support the requested algorithm "
		    "(%s)", ktls_cipher_name(c));
		return false;
	}
	if (o->md == NULL) {
		dir_refuse(d, 0, "suite hash unknown");
		return false;
	}
	if (o->ks != NULL && o->ks->ks_keyupdate) {
		dir_refuse(d, 0, "keys already updated in userspace (KeyUpdate)");
		return false;
	}
	if (o->v == KTLS_V13) {
		size_t len = o->ks == NULL ? 0 : (tx == (o->out->kr_server != 0) ?
		    o->ks->ks_server_ap_len : o->ks->ks_client_ap_len);

		if (len == 0) {
			dir_refuse(d, 0, "session secrets not captured (keylog "
			    "callback not attached)");
			return false;
		}
		/* the server's first data record follows its tickets: without
		 * our message callback their number is unknown */
		if (tx && o->out->kr_server && !o->ks->ks_observed) {
			dir_refuse(d, 0, "ticket count unknown (message callback "
			    "not attached)");
			return false;
		}
	}
	return true;
}

static int
nonblock_set(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	if (fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK) < 0)
		return -errno;
	return (fl & O_NONBLOCK) != 0;
}

/*
 * With read_ahead on, OpenSSL may already hold records read past the
 * handshake; the kernel never sees those bytes again. Read them out through
 * SSL_read (non-blocking, so an empty socket ends the loop instead of
 * waiting) into a buffer the caller forwards first, counting the records so
 * the kernel's RX record number starts after them. A partially buffered
 * record cannot be split between OpenSSL and the kernel: RX stays in
 * userspace then. Returns 0 when nothing is left buffered.
 */
static int
drain_pending(struct offload *o)
{
	unsigned char *buf = NULL;
	size_t cap = 0, len = 0;
	int was_nb, ret = 0;

	if ((was_nb = nonblock_set(o->fd, true)) < 0)
		return was_nb;
	o->ks->ks_counting = true;
	o->ks->ks_records_read = 0;
	while (SSL_has_pending(o->ssl)) {
		int n;

		if (cap - len < 16384) {
			unsigned char *nb = realloc(buf, cap + 32768);

			if (nb == NULL) {
				ret = -ENOMEM;
				break;
			}
			buf = nb;
			cap += 32768;
		}
		n = SSL_read(o->ssl, buf + len, (int)(cap - len));
		if (n > 0) {
			len += (size_t)n;
			continue;
		}
		if (SSL_get_error(o->ssl, n) != SSL_ERROR_WANT_READ ||
		    SSL_has_pending(o->ssl))
			ret = -EAGAIN;
		break;
	}
	o->ks->ks_counting = false;
	if (!was_nb)
		nonblock_set(o->fd, false);
	o->out->kr_drained = buf;
	o->out->kr_drained_len = len;
	return ret;
}

/* Record keys and IV for one direction, from the TLS 1.3 traffic secret or
 * the TLS 1.2 key block. */
static int
dir_keys(struct offload *o, bool tx, uint8_t *key, uint8_t *iv)
{
	const struct ktls_cipher_spec *cs = ktls_cipher_spec(o->out->kr_cipher);
	bool client_side = tx != o->out->kr_server;	/* client's write keys */
	uint8_t block[2 * 32 + 2 * 12], master[KTLS_SECRET_MAX];
	uint8_t sr[KTLS_RANDOM_LEN], cr[KTLS_RANDOM_LEN];
	size_t mlen = 0, blen = 2u * cs->cs_key_len + 2u * cs->cs_fixed_iv_len;
	int ret;

	if (o->v == KTLS_V13)
		return ktls_tls13_key_iv(o->md, client_side ?
		    o->ks->ks_client_ap : o->ks->ks_server_ap, client_side ?
		    o->ks->ks_client_ap_len : o->ks->ks_server_ap_len, key,
		    cs->cs_key_len, iv);
	/* TLS 1.2: the session knows its master secret; keylog is a spare */
	mlen = SSL_SESSION_get_master_key(SSL_get_session(o->ssl), master,
	    sizeof(master));
	if (mlen == 0 && o->ks != NULL && o->ks->ks_master_len > 0) {
		mlen = o->ks->ks_master_len;
		memcpy(master, o->ks->ks_master, mlen);
	}
	if (mlen == 0 || SSL_get_server_random(o->ssl, sr, sizeof(sr)) != sizeof(sr) ||
	    SSL_get_client_random(o->ssl, cr, sizeof(cr)) != sizeof(cr))
		return -ENOKEY;
	ret = ktls_tls12_key_block(o->md, master, mlen, sr, cr, block, blen);
	if (ret == 0) {
		/* client_key | server_key | client_iv | server_iv */
		memcpy(key, block + (client_side ? 0 : cs->cs_key_len),
		    cs->cs_key_len);
		memcpy(iv, block + 2 * cs->cs_key_len + (client_side ? 0 :
		    cs->cs_fixed_iv_len), cs->cs_fixed_iv_len);
	}
	OPENSSL_cleanse(block, sizeof(block));
	OPENSSL_cleanse(master, sizeof(master));
	return ret;
}

/* The first record number the kernel must use for a direction. */
static uint64_t
dir_rec_seq(const struct offload *o, bool tx)
{
	uint64_t seq;

	if (o->v == KTLS_V12)
		seq = 1;	/* the Finished was record 0 under these keys */
	else if (tx)
		seq = o->out->kr_server ? o->ks->ks_tickets_sent : 0;
	else
		seq = 0;	/* the peer's Finished used the handshake keys */
	if (!tx && o->ks != NULL)
		seq += o->ks->ks_records_read;
	return seq + (tx ? skew_tx : skew_rx);
}

static int
dir_install(struct offload *o, bool tx)
{
	struct ktls_dir *d = tx ? &o->out->kr_tx : &o->out->kr_rx;
	uint8_t key[32], iv[KTLS_IV_LEN];
	union ktls_crypto_info ci;
	uint64_t seq = dir_rec_seq(o, tx);
	int ret;

	ret = dir_keys(o, tx, key, iv);
	if (ret == 0)
		ret = ktls_crypto_set(o->fd, tx ? TLS_TX : TLS_RX, &ci,
		    ktls_crypto_fill(&ci, o->out->kr_version, o->out->kr_cipher,
		    key, iv, seq));
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(iv, sizeof(iv));
	if (ret < 0) {
		dir_refuse(d, -ret, "%s", ret == -ENOKEY ?
		    "session secrets not available" :
		    ktls_errno_reason(-ret, false));
		return ret;
	}
	d->kd_path = KTLS_PATH_INSTALLED;
	d->kd_rec_seq = seq;
	d->kd_reason[0] = '\0';
	return 0;
}

/* Only install by hand what completes both directions: OpenSSL keeps
 * working with what it set up itself, but not with keys it does not know. */
static void
plan(struct offload *o)
{
	struct ktls_result *out = o->out;
	bool tx_ok = out->kr_tx.kd_path == KTLS_PATH_OPENSSL;
	bool rx_ok = out->kr_rx.kd_path == KTLS_PATH_OPENSSL;

	if (!tx_ok)
		tx_ok = o->want_tx = dir_possible(o, &out->kr_tx, true);
	if (!rx_ok)
		rx_ok = o->want_rx = dir_possible(o, &out->kr_rx, false);
	if (tx_ok && rx_ok && SSL_has_pending(o->ssl) &&
	    (o->ks == NULL || drain_pending(o) < 0)) {
		char n[24];

		snprintf(n, sizeof(n), "%zu", out->kr_drained_len +
		    (size_t)SSL_pending(o->ssl));
		dir_refuse(&out->kr_rx, 0, "%s bytes and a partial record "
		    "already buffered by OpenSSL", n);
		rx_ok = o->want_rx = false;
	}
	if (o->want_tx && !rx_ok) {
		o->want_tx = false;
		dir_refuse(&out->kr_tx, 0, "kept in userspace with RX (%s)",
		    out->kr_rx.kd_reason);
	}
	if (o->want_rx && !tx_ok) {
		o->want_rx = false;
		dir_refuse(&out->kr_rx, 0, "kept in userspace with TX (%s)",
		    out->kr_tx.kd_reason);
	}
}

/* RX first: if it fails nothing has changed yet and OpenSSL carries on. */
static int
install(struct offload *o)
{
	struct ktls_result *out = o->out;
	int ret;

	if (!o->want_rx && !o->want_tx)
		return 0;
	if ((ret = ktls_ulp_attach(o->fd)) < 0) {
		if (o->want_rx)
			dir_refuse(&out->kr_rx, -ret, "%s", ktls_errno_reason(-ret, true));
		if (o->want_tx)
			dir_refuse(&out->kr_tx, -ret, "%s", ktls_errno_reason(-ret, true));
		return 0;
	}
	if (o->want_rx && (ret = dir_install(o, false)) < 0) {
		if (o->want_tx)
			dir_refuse(&out->kr_tx, 0, "kept in userspace with RX (%s)",
			    out->kr_rx.kd_reason);
		return 0;
	}
	if (o->want_tx && (ret = dir_install(o, true)) < 0)
		/* RX keys are in the kernel, OpenSSL cannot read any more */
		return o->want_rx ? -EIO : 0;
	return 0;
}

static void
keys_keep(struct offload *o)
{
	struct ktls_keys *kk;
	size_t len;

	if (o->v != KTLS_V13 || o->kp == NULL || !o->kp->kp_rekey ||
	    o->ks == NULL || !ktls_result_full(o->out))
		return;
	len = o->ks->ks_client_ap_len;
	if (len == 0 || len != o->ks->ks_server_ap_len ||
	    (kk = OPENSSL_zalloc(sizeof(*kk))) == NULL)
		return;
	kk->kk_version = TLS1_3_VERSION;
	kk->kk_cipher = (uint8_t)o->out->kr_cipher;
	kk->kk_secret_len = (uint8_t)len;
	memcpy(kk->kk_tx_secret, o->out->kr_server ? o->ks->ks_server_ap :
	    o->ks->ks_client_ap, len);
	memcpy(kk->kk_rx_secret, o->out->kr_server ? o->ks->ks_client_ap :
	    o->ks->ks_server_ap, len);
	o->out->kr_keys = kk;
}

/*
 * Call right after SSL_do_handshake() returned 1, on the connected socket
 * the SSL was set up with. Fills *out in every case. Returns 0 when the
 * connection can go on (offloaded if ktls_result_full(), else through the
 * SSL), -EOPNOTSUPP when the profile requires kTLS and it is not possible,
 * -EIO when the connection is no longer usable (RX installed, TX failed).
 * After a full offload free the SSL without SSL_shutdown: the kernel now
 * owns the record layer. The session's secrets are wiped before returning.
 */
int
ktls_offload(SSL *ssl, int fd, const struct ktls_probe *kp,
    struct ktls_result *out)
{
	const SSL_CIPHER *cipher = SSL_get_current_cipher(ssl);
	const EVP_MD *md = cipher ? SSL_CIPHER_get_handshake_digest(cipher) : NULL;
	struct offload o = { .ssl = ssl, .fd = fd, .kp = kp, .out = out };
	const char *why;
	int ret;

	memset(out, 0, sizeof(*out));
	out->kr_version = (uint16_t)SSL_version(ssl);
	out->kr_server = SSL_is_server(ssl) != 0;
	out->kr_cipher = ktls_cipher_of(cipher, &why);
	o.v = out->kr_version == TLS1_2_VERSION ? KTLS_V12 : KTLS_V13;
	o.md = md ? EVP_MD_get0_name(md) : NULL;
	o.ks = ktls_secrets_get(ssl);
	if (BIO_get_ktls_send(SSL_get_wbio(ssl)))
		out->kr_tx.kd_path = KTLS_PATH_OPENSSL;
	if (BIO_get_ktls_recv(SSL_get_rbio(ssl)))
		out->kr_rx.kd_path = KTLS_PATH_OPENSSL;
	plan(&o);
	ret = install(&o);
	keys_keep(&o);
	ktls_secrets_wipe(ssl);
	if (ret == 0 && !ktls_result_full(out) &&
	    ktls_mode_get(SSL_get_SSL_CTX(ssl)) == KTLS_MODE_REQUIRED)
		ret = -EOPNOTSUPP;
	return ret;
}

bool
ktls_result_full(const struct ktls_result *r)
{
	return r->kr_tx.kd_path != KTLS_PATH_USERSPACE &&
	    r->kr_rx.kd_path != KTLS_PATH_USERSPACE;
}

void
ktls_result_release(struct ktls_result *r)
{
	if (r->kr_drained != NULL) {
		OPENSSL_cleanse(r->kr_drained, r->kr_drained_len);
		free(r->kr_drained);
	}
	r->kr_drained = NULL;
	r->kr_drained_len = 0;
	ktls_keys_free(r->kr_keys);
	r->kr_keys = NULL;
}

static size_t
dir_format(const char *name, const struct ktls_dir *d, char *buf, size_t size)
{
	int n;

	if (d->kd_path == KTLS_PATH_INSTALLED)
		n = snprintf(buf, size, "%s %s, rec_seq %llu", name,
		    ktls_path_name(d->kd_path), (unsigned long long)d->kd_rec_seq);
	else if (d->kd_path == KTLS_PATH_OPENSSL)
		n = snprintf(buf, size, "%s %s", name, ktls_path_name(d->kd_path));
	else
		n = snprintf(buf, size, "%s userspace: %s", name, d->kd_reason);
	return n < 0 ? 0 : (size_t)n;
}

/* e.g. "TLSv1.3 AES-128-GCM: tx kernel (OpenSSL); rx kernel (installed,
 * rec_seq 0)". */
size_t
ktls_result_format(const struct ktls_result *r, char *buf, size_t size)
{
	const char *ver = r->kr_version == TLS1_3_VERSION ? "TLSv1.3" :
	    r->kr_version == TLS1_2_VERSION ? "TLSv1.2" : "TLS";
	size_t off;
	int n;

	n = snprintf(buf, size, "%s %s: ", ver, ktls_cipher_name(r->kr_cipher));
	off = n < 0 ? 0 : (size_t)n;
	if (off < size)
		off += dir_format("tx", &r->kr_tx, buf + off, size - off);
	if (off < size)
		off += (size_t)snprintf(buf + off, size - off, "; ");
	if (off < size)
		off += dir_format("rx", &r->kr_rx, buf + off, size - off);
	if (off < size && r->kr_drained_len > 0)
		off += (size_t)snprintf(buf + off, size - off,
		    "; %zu bytes read by OpenSSL forwarded first", r->kr_drained_len);
	return off;
}
