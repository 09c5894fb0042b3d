/*
 * Unit tests for ktls/ that need no kernel TLS: key derivation against RFC 8448
 * and an independent PRF, secrets and record numbers checked by decrypting
 * real OpenSSL records from in-memory handshakes, the cmsg parser, reasons.
 */
#include "autoconf.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "ktls/ktls.h"
#include "ktls/ktls_int.h"

static void
unhex(const char *hex, uint8_t *out, size_t len)
{
	ck_assert_int_eq(ktls_hex_decode(hex, strlen(hex), out, len), (int)len);
}

/* ---- RFC 8448 section 3 (Simple 1-RTT Handshake) ---- */

START_TEST(test_tls13_rfc8448)
{
	static const struct {
		const char *secret, *key, *iv;
	} v[] = {
		{ "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5",
		  "17422dda596ed5d9acd890e3c63f5051", "5b78923dee08579033e523d9" },
		{ "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643",
		  "9f02283b6c9c07efc26bb9f2ac92e356", "cf782b88dd83549aadf1e984" },
	};
	uint8_t secret[32], key[16], iv[12], want_key[16], want_iv[12];
	size_t i;

	for (i = 0; i < 2; i++) {
		unhex(v[i].secret, secret, sizeof(secret));
		unhex(v[i].key, want_key, sizeof(want_key));
		unhex(v[i].iv, want_iv, sizeof(want_iv));
		ck_assert_int_eq(ktls_tls13_key_iv("SHA256", secret, 32, key, 16, iv), 0);
		ck_assert_mem_eq(key, want_key, 16);
		ck_assert_mem_eq(iv, want_iv, 12);
	}
}
END_TEST

/* ---- TLS 1.2 PRF against a P_hash written out here (RFC 5246 5) ---- */

static void
p_hash(const EVP_MD *md, const uint8_t *secret, size_t slen,
    const uint8_t *seed, size_t seedlen, uint8_t *out, size_t outlen)
{
	uint8_t a[EVP_MAX_MD_SIZE], buf[EVP_MAX_MD_SIZE + 128];
	unsigned int alen, n;
	size_t off = 0;

	HMAC(md, secret, (int)slen, seed, seedlen, a, &alen);	/* A(1) */
	while (off < outlen) {
		uint8_t chunk[EVP_MAX_MD_SIZE];

		memcpy(buf, a, alen);
		memcpy(buf + alen, seed, seedlen);
		HMAC(md, secret, (int)slen, buf, alen + seedlen, chunk, &n);
		memcpy(out + off, chunk, outlen - off < n ? outlen - off : n);
		off += n;
		HMAC(md, secret, (int)slen, a, alen, a, &alen);
	}
}

START_TEST(test_tls12_prf_fixed)
{
	uint8_t master[48], sr[32], cr[32], seed[13 + 64], mine[88], ref[88];
	const char *mds[] = { "SHA256", "SHA384" };
	size_t i;

	for (i = 0; i < sizeof(master); i++)
		master[i] = (uint8_t)(i * 3 + 1);
	memset(sr, 0x5a, sizeof(sr));
	memset(cr, 0xa5, sizeof(cr));
	memcpy(seed, "key expansion", 13);
	memcpy(seed + 13, sr, 32);
	memcpy(seed + 45, cr, 32);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(ktls_tls12_key_block(mds[i], master, 48, sr, cr,
		    mine, sizeof(mine)), 0);
		p_hash(EVP_get_digestbyname(mds[i]), master, 48, seed, sizeof(seed),
		    ref, sizeof(ref));
		ck_assert_mem_eq(mine, ref, sizeof(ref));
	}
}
END_TEST

/* ---- in-memory handshakes ---- */

static EVP_PKEY *test_key;
static X509 *test_cert;

static void
cert_make(void)
{
	X509_NAME *name;

	if (test_cert != NULL)
		return;
	test_key = EVP_EC_gen("P-256");
	test_cert = X509_new();
	ck_assert_ptr_nonnull(test_key);
	X509_set_version(test_cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(test_cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(test_cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(test_cert), 3600);
	X509_set_pubkey(test_cert, test_key);
	name = X509_get_subject_name(test_cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"localhost", -1, -1, 0);
	X509_set_issuer_name(test_cert, name);
	ck_assert_int_gt(X509_sign(test_cert, test_key, EVP_sha256()), 0);
}

struct hs {
	SSL_CTX	*sctx, *cctx;
	SSL	*server, *client;
	BIO	*c2s, *s2c;	/* the wire, one memory BIO per direction */
};

static SSL_CTX *
hs_ctx(bool server, int version, const char *cipher, int tickets)
{
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());

	ck_assert_ptr_nonnull(ctx);
	SSL_CTX_set_min_proto_version(ctx, version);
	SSL_CTX_set_max_proto_version(ctx, version);
	if (version == TLS1_3_VERSION)
		ck_assert(SSL_CTX_set_ciphersuites(ctx, cipher));
	else
		ck_assert(SSL_CTX_set_cipher_list(ctx, cipher));
	if (server) {
		ck_assert(SSL_CTX_use_certificate(ctx, test_cert));
		ck_assert(SSL_CTX_use_PrivateKey(ctx, test_key));
		SSL_CTX_set_num_tickets(ctx, (size_t)tickets);
	}
	ck_assert_int_eq(ktls_keylog_attach(ctx), 0);
	return ctx;
}

static void
hs_run(struct hs *h, int version, const char *cipher, int tickets)
{
	int i, cr = 0, sr = 0;

	cert_make();
	h->sctx = hs_ctx(true, version, cipher, tickets);
	h->cctx = hs_ctx(false, version, cipher, 0);
	h->server = SSL_new(h->sctx);
	h->client = SSL_new(h->cctx);
	h->c2s = BIO_new(BIO_s_mem());
	h->s2c = BIO_new(BIO_s_mem());
	BIO_up_ref(h->c2s);
	BIO_up_ref(h->s2c);
	BIO_up_ref(h->c2s);
	BIO_up_ref(h->s2c);
	SSL_set_bio(h->client, h->s2c, h->c2s);
	SSL_set_bio(h->server, h->c2s, h->s2c);
	SSL_set_connect_state(h->client);
	SSL_set_accept_state(h->server);
	for (i = 0; i < 20 && (cr != 1 || sr != 1); i++) {
		if (cr != 1)
			cr = SSL_do_handshake(h->client);
		if (sr != 1)
			sr = SSL_do_handshake(h->server);
	}
	ck_assert_int_eq(cr, 1);
	ck_assert_int_eq(sr, 1);
}

static void
hs_free(struct hs *h)
{
	SSL_free(h->client);
	SSL_free(h->server);
	SSL_CTX_free(h->cctx);
	SSL_CTX_free(h->sctx);
	BIO_free(h->c2s);
	BIO_free(h->s2c);
}

/* Pops the next whole record off a wire BIO; returns its length. */
static size_t
record_pop(BIO *wire, uint8_t *rec, size_t max)
{
	size_t len;

	ck_assert_int_eq(BIO_read(wire, rec, 5), 5);
	len = (size_t)rec[3] << 8 | rec[4];
	ck_assert_uint_le(len + 5, max);
	ck_assert_int_eq(BIO_read(wire, rec + 5, (int)len), (int)len);
	return len + 5;
}

static const EVP_CIPHER *
aead(enum ktls_cipher c)
{
	switch (c) {
	case KTLS_CIPHER_AES_128_GCM:	return EVP_aes_128_gcm();
	case KTLS_CIPHER_AES_256_GCM:	return EVP_aes_256_gcm();
	default:			return EVP_chacha20_poly1305();
	}
}

/* Decrypts a record the way the kernel will (RFC 8446 5.2-5.3, RFC 5288,
 * RFC 7905); returns the plaintext length or -1 when authentication fails.
 * For TLS 1.3 the plaintext ends with the inner content type. */
static int
record_open(int version, enum ktls_cipher c, const uint8_t *key,
    const uint8_t *iv, uint64_t seq, const uint8_t *rec, size_t len,
    uint8_t *plain)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t nonce[12], aad[13], seqb[8];
	const uint8_t *ct = rec + 5;
	size_t ctlen = len - 5 - 16, aadlen = 5;
	int n, fin, i, ok;

	for (i = 7; i >= 0; i--, seq >>= 8)
		seqb[i] = (uint8_t)seq;
	if (version == TLS1_2_VERSION && c != KTLS_CIPHER_CHACHA20_POLY1305) {
		memcpy(nonce, iv, 4);		/* salt + explicit nonce */
		memcpy(nonce + 4, ct, 8);
		ct += 8;
		ctlen -= 8;
	} else {
		memcpy(nonce, iv, 12);
		for (i = 0; i < 8; i++)
			nonce[4 + i] ^= seqb[i];
	}
	if (version == TLS1_2_VERSION) {
		memcpy(aad, seqb, 8);
		memcpy(aad + 8, rec, 3);
		aad[11] = (uint8_t)(ctlen >> 8);
		aad[12] = (uint8_t)ctlen;
		aadlen = 13;
	} else {
		memcpy(aad, rec, 5);
	}
	ok = EVP_DecryptInit_ex(ctx, aead(c), NULL, NULL, NULL) &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) &&
	    EVP_DecryptInit_ex(ctx, NULL, NULL, key, nonce) &&
	    EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aadlen) &&
	    EVP_DecryptUpdate(ctx, plain, &n, ct, (int)ctlen) &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16,
	    (void *)(uintptr_t)(ct + ctlen)) &&
	    EVP_DecryptFinal_ex(ctx, plain + n, &fin);
	EVP_CIPHER_CTX_free(ctx);
	return ok ? n + fin : -1;
}

static const struct suite_case {
	int		 version;
	const char	*name;
	enum ktls_cipher c;
	size_t		 secret_len;
} suites[] = {
	{ TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256", KTLS_CIPHER_AES_128_GCM, 32 },
	{ TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384", KTLS_CIPHER_AES_256_GCM, 48 },
	{ TLS1_3_VERSION, "TLS_CHACHA20_POLY1305_SHA256",
	  KTLS_CIPHER_CHACHA20_POLY1305, 32 },
	{ TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256", KTLS_CIPHER_AES_128_GCM, 0 },
	{ TLS1_2_VERSION, "ECDHE-ECDSA-AES256-GCM-SHA384", KTLS_CIPHER_AES_256_GCM, 0 },
	{ TLS1_2_VERSION, "ECDHE-ECDSA-CHACHA20-POLY1305",
	  KTLS_CIPHER_CHACHA20_POLY1305, 0 },
};

/* The client's write key and IV as ktls_offload() derives them. */
static void
client_keys(const struct suite_case *sc, struct hs *h, uint8_t *key, uint8_t *iv)
{
	const struct ktls_cipher_spec *cs = ktls_cipher_spec(sc->c);
	struct ktls_secrets *ks = ktls_secrets_get(h->client);
	uint8_t master[48], sr[32], cr[32], block[88];
	const char *md = EVP_MD_get0_name(SSL_CIPHER_get_handshake_digest(
	    SSL_get_current_cipher(h->client)));

	ck_assert_ptr_nonnull(ks);
	if (sc->version == TLS1_3_VERSION) {
		ck_assert_uint_eq(ks->ks_client_ap_len, sc->secret_len);
		ck_assert_uint_eq(ks->ks_server_ap_len, sc->secret_len);
		ck_assert_int_eq(ktls_tls13_key_iv(md, ks->ks_client_ap,
		    sc->secret_len, key, cs->cs_key_len, iv), 0);
		return;
	}
	/* the keylog's master secret is the session's */
	ck_assert_uint_eq(ks->ks_master_len, 48);
	ck_assert_uint_eq(SSL_SESSION_get_master_key(SSL_get_session(h->client),
	    master, sizeof(master)), 48);
	ck_assert_mem_eq(master, ks->ks_master, 48);
	SSL_get_server_random(h->client, sr, 32);
	SSL_get_client_random(h->client, cr, 32);
	ck_assert_int_eq(ktls_tls12_key_block(md, master, 48, sr, cr, block,
	    2u * cs->cs_key_len + 2u * cs->cs_fixed_iv_len), 0);
	memcpy(key, block, cs->cs_key_len);
	memcpy(iv, block + 2 * cs->cs_key_len, cs->cs_fixed_iv_len);
}

/* Keylog capture for 1.2/1.3 x three ciphers: the client's first data
 * record opens with our key at record number 1 (1.2) or 0 (1.3). */
START_TEST(test_capture_and_decrypt)
{
	const struct suite_case *sc = &suites[_i];
	uint8_t key[32], iv[12], rec[512], plain[512];
	uint64_t seq = sc->version == TLS1_2_VERSION ? 1 : 0;
	struct hs h;
	size_t len;
	int n;

	hs_run(&h, sc->version, sc->name, 0);
	client_keys(sc, &h, key, iv);
	ck_assert_int_eq(SSL_write(h.client, "INVITE", 6), 6);
	len = record_pop(h.c2s, rec, sizeof(rec));
	ck_assert_int_eq(record_open(sc->version, sc->c, key, iv, seq + 1, rec,
	    len, plain), -1);
	n = record_open(sc->version, sc->c, key, iv, seq, rec, len, plain);
	ck_assert_int_eq(n, sc->version == TLS1_3_VERSION ? 7 : 6);
	ck_assert_mem_eq(plain, "INVITE", 6);
	hs_free(&h);
}
END_TEST

/* TLS 1.3 server TX: its first data record follows num_tickets tickets. */
START_TEST(test_server_tx_seq)
{
	const int tickets = _i == 0 ? 0 : 2;
	uint8_t secret_key[16], iv[12], rec[1024], plain[1024];
	struct ktls_secrets *ks;
	struct hs h;
	size_t len;
	int i, n;

	hs_run(&h, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256", tickets);
	ks = ktls_secrets_get(h.server);
	ck_assert_ptr_nonnull(ks);
	ck_assert(ks->ks_observed);
	ck_assert_int_eq(ks->ks_tickets_sent, tickets);
	ck_assert_int_eq(ktls_tls13_key_iv("SHA256", ks->ks_server_ap, 32,
	    secret_key, 16, iv), 0);
	ck_assert_int_eq(SSL_write(h.server, "200 OK", 6), 6);
	for (i = 0; i < tickets; i++) {	/* NewSessionTicket, type 22 inside */
		len = record_pop(h.s2c, rec, sizeof(rec));
		n = record_open(TLS1_3_VERSION, KTLS_CIPHER_AES_128_GCM, secret_key,
		    iv, (uint64_t)i, rec, len, plain);
		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(plain[n - 1], 22);
		ck_assert_int_eq(plain[0], SSL3_MT_NEWSESSION_TICKET);
	}
	len = record_pop(h.s2c, rec, sizeof(rec));
	n = record_open(TLS1_3_VERSION, KTLS_CIPHER_AES_128_GCM, secret_key, iv,
	    (uint64_t)tickets, rec, len, plain);
	ck_assert_int_eq(n, 7);
	ck_assert_int_eq(plain[6], 23);
	hs_free(&h);
}
END_TEST

/* KeyUpdate: the record after it opens with "traffic upd" keys, seq 0. */
START_TEST(test_key_update_secret)
{
	uint8_t next[48], key[32], iv[12], rec[512], plain[512];
	struct ktls_secrets *ks;
	struct hs h;
	size_t len;

	hs_run(&h, TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384", 0);
	ks = ktls_secrets_get(h.client);
	ck_assert_int_eq(ktls_tls13_secret_update("SHA384", ks->ks_client_ap, 48,
	    next), 0);
	ck_assert_int_eq(ktls_tls13_key_iv("SHA384", next, 48, key, 32, iv), 0);
	ck_assert(SSL_key_update(h.client, SSL_KEY_UPDATE_NOT_REQUESTED));
	ck_assert_int_eq(SSL_write(h.client, "BYE", 3), 3);
	record_pop(h.c2s, rec, sizeof(rec));		/* the KeyUpdate itself */
	len = record_pop(h.c2s, rec, sizeof(rec));
	ck_assert_int_eq(record_open(TLS1_3_VERSION, KTLS_CIPHER_AES_256_GCM, key,
	    iv, 0, rec, len, plain), 4);
	ck_assert_mem_eq(plain, "BYE", 3);
	hs_free(&h);
}
END_TEST

/* ktls_offload on a kernel without TLS: userspace both ways, the reason,
 * secrets wiped; "required" refuses; CBC is named. */
START_TEST(test_offload_fallback)
{
	struct ktls_probe kp = { .kp_ulp_errno = ENOENT };
	struct ktls_result res;
	char line[512];
	struct hs h;

	hs_run(&h, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256", 2);
	ck_assert_int_eq(ktls_offload(h.server, -1, &kp, &res), 0);
	ck_assert(!ktls_result_full(&res));
	ck_assert_str_eq(res.kr_rx.kd_reason, "tls ULP not in kernel");
	ck_assert_ptr_null(ktls_secrets_get(h.server));
	ktls_result_format(&res, line, sizeof(line));
	ck_assert_str_eq(line, "TLSv1.3 AES-128-GCM: tx userspace: tls ULP not in "
	    "kernel; rx userspace: tls ULP not in kernel");
	ktls_mode_set(h.cctx, KTLS_MODE_REQUIRED);
	ck_assert_int_eq(ktls_offload(h.client, -1, &kp, &res), -EOPNOTSUPP);
	ktls_result_release(&res);
	hs_free(&h);

	hs_run(&h, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-SHA256", 0);
	ck_assert_int_eq(ktls_offload(h.server, -1, &kp, &res), 0);
	ck_assert_str_eq(res.kr_tx.kd_reason, "cipher not offloadable (CBC)");
	hs_free(&h);
}
END_TEST

/* With the kernel said to be able, a dead fd fails the install and the
 * reason says so; nothing was installed, so OpenSSL carries on. */
START_TEST(test_offload_install_error)
{
	struct ktls_probe kp;
	struct ktls_result res;
	struct hs h;

	memset(&kp, 0, sizeof(kp));
	memset(kp.kp_caps, KTLS_CAN_TX | KTLS_CAN_RX, sizeof(kp.kp_caps));
	hs_run(&h, TLS1_2_VERSION, "ECDHE-ECDSA-CHACHA20-POLY1305", 0);
	ck_assert_int_eq(ktls_offload(h.client, -1, &kp, &res), 0);
	ck_assert_int_eq(res.kr_rx.kd_path, KTLS_PATH_USERSPACE);
	ck_assert_str_eq(res.kr_rx.kd_reason, "socket gone");
	ck_assert_int_eq(res.kr_rx.kd_errno, EBADF);
	hs_free(&h);
}
END_TEST

START_TEST(test_errno_reasons)
{
	ck_assert_str_eq(ktls_errno_reason(ENOENT, true), "tls ULP not in kernel");
	ck_assert_str_eq(ktls_errno_reason(ENOENT, false),
	    "kernel does not support the requested algorithm");
	ck_assert_str_eq(ktls_errno_reason(EINVAL, false),
	    "kernel does not support the requested algorithm");
	ck_assert_str_eq(ktls_errno_reason(ENOPROTOOPT, false),
	    "kernel does not support the requested algorithm");
	ck_assert_str_eq(ktls_errno_reason(EBADF, false), "socket gone");
	ck_assert_str_eq(ktls_errno_reason(ENOTSOCK, false), "socket gone");
	ck_assert_str_eq(ktls_errno_reason(EBUSY, false),
	    "keys already installed (kernel cannot rekey)");
}
END_TEST

/* ---- the cmsg parser ---- */

struct fake_msg {
	struct msghdr	msg;
	union {
		char		buf[CMSG_SPACE(8)];
		struct cmsghdr	align;
	} control;
};

static struct msghdr *
fake(struct fake_msg *f, int level, int type, size_t datalen, int value,
    int flags)
{
	struct cmsghdr *cmsg;

	memset(f, 0, sizeof(*f));
	f->msg.msg_control = f->control.buf;
	f->msg.msg_controllen = CMSG_SPACE(datalen);
	f->msg.msg_flags = flags;
	cmsg = CMSG_FIRSTHDR(&f->msg);
	cmsg->cmsg_level = level;
	cmsg->cmsg_type = type;
	cmsg->cmsg_len = CMSG_LEN(datalen);
	*CMSG_DATA(cmsg) = (unsigned char)value;
	return &f->msg;
}

START_TEST(test_recv_parse)
{
	struct fake_msg f;
	struct msghdr none = { 0 };

	ck_assert_int_eq(ktls_recv_parse(&none), KTLS_RT_DATA);
	ck_assert_int_eq(ktls_recv_parse(fake(&f, SOL_TLS, TLS_GET_RECORD_TYPE, 1,
	    23, 0)), 23);
	ck_assert_int_eq(ktls_recv_parse(fake(&f, SOL_TLS, TLS_GET_RECORD_TYPE, 1,
	    21, MSG_EOR)), 21);
	/* a control record must be whole */
	ck_assert_int_eq(ktls_recv_parse(fake(&f, SOL_TLS, TLS_GET_RECORD_TYPE, 1,
	    22, 0)), -EMSGSIZE);
	ck_assert_int_eq(ktls_recv_parse(fake(&f, SOL_TLS, TLS_GET_RECORD_TYPE, 1,
	    23, MSG_CTRUNC)), -EMSGSIZE);
	ck_assert_int_eq(ktls_recv_parse(fake(&f, SOL_TLS, TLS_GET_RECORD_TYPE, 4,
	    21, MSG_EOR)), -EPROTO);
	/* someone else's cmsg is not a record type */
	ck_assert_int_eq(ktls_recv_parse(fake(&f, SOL_SOCKET, 1, 1, 21, 0)),
	    KTLS_RT_DATA);
}
END_TEST

START_TEST(test_control_records)
{
	static const uint8_t close_notify[] = { 1, 0 }, fatal[] = { 2, 20 };
	static const uint8_t tickets[] = { 4, 0, 0, 1, 0xaa, 4, 0, 0, 0 };
	static const uint8_t keyupdate[] = { 24, 0, 0, 1, 1 };
	static const uint8_t split[] = { 4, 0, 0, 9, 0 };
	struct ktls_counters kc = { { 0 } };
	struct ktls_control ctl;

	ktls_control_handle(-1, KTLS_RT_ALERT, close_notify, 2, NULL, &ctl);
	ck_assert_int_eq(ctl.kc_event, KTLS_EV_CLOSE_NOTIFY);
	ck_assert(ctl.kc_close);
	ktls_control_handle(-1, KTLS_RT_ALERT, fatal, 2, NULL, &ctl);
	ck_assert_int_eq(ctl.kc_event, KTLS_EV_ALERT);
	ck_assert_str_eq(ctl.kc_what, "fatal alert from peer: bad record mac");
	ktls_control_handle(-1, KTLS_RT_HANDSHAKE, tickets, sizeof(tickets), NULL,
	    &ctl);
	ck_assert_int_eq(ctl.kc_event, KTLS_EV_TICKET_DROPPED);
	ck_assert(!ctl.kc_close);
	ktls_counters_add(&kc, ctl.kc_event);
	ck_assert_uint_eq(kc.kc_events[KTLS_EV_TICKET_DROPPED], 1);
	ktls_control_handle(-1, KTLS_RT_HANDSHAKE, keyupdate, sizeof(keyupdate),
	    NULL, &ctl);
	ck_assert_int_eq(ctl.kc_event, KTLS_EV_KEYUPDATE_CLOSE);
	ck_assert(ctl.kc_close);
	ktls_control_handle(-1, KTLS_RT_HANDSHAKE, split, sizeof(split), NULL, &ctl);
	ck_assert_int_eq(ctl.kc_event, KTLS_EV_PROTOCOL);
	ktls_control_handle(-1, 99, split, 1, NULL, &ctl);
	ck_assert_int_eq(ctl.kc_event, KTLS_EV_PROTOCOL);
}
END_TEST

START_TEST(test_trunk_policy)
{
	ck_assert(!ktls_trunk_recycle(KTLS_CIPHER_AES_128_GCM, (1u << 24) - 1));
	ck_assert(ktls_trunk_recycle(KTLS_CIPHER_AES_256_GCM, 1u << 24));
	ck_assert(!ktls_trunk_recycle(KTLS_CIPHER_CHACHA20_POLY1305, UINT64_C(1) << 40));
}
END_TEST

/* ---- crypto_info layout ---- */

START_TEST(test_crypto_fill)
{
	uint8_t key[32], iv[12];
	union ktls_crypto_info ci;
	size_t i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < sizeof(iv); i++)
		iv[i] = (uint8_t)(0xa0 + i);
	ck_assert_uint_eq(ktls_crypto_fill(&ci, TLS_1_3_VERSION,
	    KTLS_CIPHER_AES_128_GCM, key, iv, 2), 40);
	ck_assert_mem_eq(ci.gcm128.salt, iv, 4);
	ck_assert_mem_eq(ci.gcm128.iv, iv + 4, 8);
	ck_assert_int_eq(ci.gcm128.rec_seq[7], 2);
	/* TLS 1.2 GCM: explicit nonce starts at the record number */
	ktls_crypto_fill(&ci, TLS_1_2_VERSION, KTLS_CIPHER_AES_256_GCM, key, iv, 1);
	ck_assert_mem_eq(ci.gcm256.salt, iv, 4);
	ck_assert_int_eq(ci.gcm256.iv[7], 1);
	ck_assert_int_eq(ci.gcm256.rec_seq[7], 1);
	ck_assert_uint_eq(ktls_crypto_fill(&ci, TLS_1_2_VERSION,
	    KTLS_CIPHER_CHACHA20_POLY1305, key, iv, 1), 56);
	ck_assert_mem_eq(ci.chacha.iv, iv, 12);
	ck_assert_uint_eq(ktls_crypto_fill(&ci, TLS_1_2_VERSION, KTLS_CIPHER_NONE,
	    key, iv, 1), 0);
}
END_TEST

/* ---- probe and tls_stat ---- */

START_TEST(test_probe_host)
{
	struct ktls_probe kp;
	char line[256];

	if (access("/proc/net/tls_stat", F_OK) == 0)
		return;	/* this kernel has TLS: tests/ktls-matrix.test covers it */
	ck_assert_int_eq(ktls_probe_run(&kp), -ENOENT);
	ck_assert_int_eq(kp.kp_ulp_errno, ENOENT);
	ck_assert(!ktls_probe_any(&kp));
	ktls_probe_format(&kp, line, sizeof(line));
	ck_assert_str_eq(line, "kTLS unavailable: tls ULP not in kernel (ENOENT); "
	    "all connections use userspace TLS");
}
END_TEST

START_TEST(test_probe_format)
{
	struct ktls_probe kp;
	char line[256];
	int c;

	memset(&kp, 0, sizeof(kp));
	for (c = 0; c < KTLS_CIPHER_AES_128_CCM; c++)
		kp.kp_caps[c][KTLS_V12] = kp.kp_caps[c][KTLS_V13] =
		    KTLS_CAN_TX | KTLS_CAN_RX;
	kp.kp_errno[KTLS_CIPHER_AES_128_CCM][KTLS_V12] = ENOENT;
	ktls_probe_format(&kp, line, sizeof(line));
	ck_assert_str_eq(line, "kTLS: tx+rx AES-128-GCM AES-256-GCM "
	    "CHACHA20-POLY1305 (TLS 1.2, 1.3); AES-128-CCM not offloadable "
	    "(ENOENT); TLS 1.3 KeyUpdate closes the connection (kernel cannot "
	    "rekey)");
}
END_TEST

START_TEST(test_stat_parse)
{
	static const char text[] =
	    "TlsCurrTxSw                     \t2\n"
	    "TlsCurrRxSw                     \t1\n"
	    "TlsDecryptError                 \t0\n"
	    "TlsRxNoPadViolation             \t5\n";
	struct ktls_stat st;
	char line[256];

	ck_assert_int_eq(ktls_stat_parse(text, &st), 4);
	ck_assert_int_eq(st.curr_tx_sw, 2);
	ck_assert_int_eq(st.rx_no_pad_violation, 5);
	ck_assert_int_eq(st.tx_rekey_ok, -1);	/* not in this kernel */
	ktls_stat_format(&st, line, sizeof(line));
	ck_assert_str_eq(line, "TlsCurrTxSw=2 TlsCurrRxSw=1 TlsDecryptError=0 "
	    "TlsRxNoPadViolation=5");
}
END_TEST

static Suite *
ktls_suite(void)
{
	Suite *s = suite_create("ktls");
	TCase *tc = tcase_create("derive");

	tcase_add_test(tc, test_tls13_rfc8448);
	tcase_add_test(tc, test_tls12_prf_fixed);
	tcase_add_test(tc, test_crypto_fill);
	suite_add_tcase(s, tc);
	tc = tcase_create("handshake");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_capture_and_decrypt, 0,
	    (int)(sizeof(suites) / sizeof(suites[0])));
	tcase_add_loop_test(tc, test_server_tx_seq, 0, 2);
	tcase_add_test(tc, test_key_update_secret);
	tcase_add_test(tc, test_offload_fallback);
	tcase_add_test(tc, test_offload_install_error);
	suite_add_tcase(s, tc);
	tc = tcase_create("records");
	tcase_add_test(tc, test_recv_parse);
	tcase_add_test(tc, test_control_records);
	tcase_add_test(tc, test_trunk_policy);
	tcase_add_test(tc, test_errno_reasons);
	suite_add_tcase(s, tc);
	tc = tcase_create("probe");
	tcase_add_test(tc, test_probe_host);
	tcase_add_test(tc, test_probe_format);
	tcase_add_test(tc, test_stat_parse);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ktls_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	X509_free(test_cert);
	EVP_PKEY_free(test_key);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
