/*
 * Unit tests of pki/: the store's atomic writes and secrecy checks, keys,
 * requests, subject names, certificate parsing, chain verification and
 * expiry warnings, against a small CA built here with OpenSSL.
 */
#include "autoconf.h"

#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "config.h"
#include "pki/pki.h"

/* ---- fixtures -------------------------------------------------------- */

static char	dir[256], store[300];

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_pki.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(store, sizeof(store), "%s/pki", dir);
}

static void
teardown(void)
{
	chmod(store, 0700);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
quiet(void *arg, enum conf_severity sev, const char *msg)
{
	(void)arg; (void)sev; (void)msg;
}

static struct config *
cfg_make(const char *text)
{
	char		 path[320];
	struct config	*cfg;

	snprintf(path, sizeof(path), "%s/sipktlsd.conf", dir);
	cfg = config_parse_buffer(path, text, quiet, NULL);
	ck_assert_msg(cfg != NULL, "configuration did not parse:\n%s", text);
	ck_assert_str_eq(cfg->pki_store, store);
	return cfg;
}

static char *
file_text(const char *path)
{
	FILE	*fp = fopen(path, "r");
	char	*buf = calloc(1, 65536);

	ck_assert_ptr_nonnull(fp);
	ck_assert(fread(buf, 1, 65535, fp) < 65535);
	fclose(fp);
	return buf;
}

/* Names, modes, sizes and SHA-256 of everything under the store. */
static char	*snap_buf;
static size_t	 snap_len;

static int
snap_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	unsigned char	md[32];
	char		hex[80] = "-", line[600];
	FILE		*fp;

	(void)flag; (void)ftw;
	if (S_ISREG(st->st_mode) && (fp = fopen(path, "r")) != NULL) {
		char		*buf = malloc((size_t)st->st_size + 1);
		size_t		 n = fread(buf, 1, (size_t)st->st_size, fp);

		SHA256((unsigned char *)buf, n, md);
		pki_hex(md, 32, "", hex, sizeof(hex));
		free(buf);
		fclose(fp);
	}
	snprintf(line, sizeof(line), "%s %o %lld %s\n", path, st->st_mode,
	    (long long)st->st_size, hex);
	snap_buf = realloc(snap_buf, snap_len + strlen(line) + 1);
	memcpy(snap_buf + snap_len, line, strlen(line) + 1);
	snap_len += strlen(line);
	return 0;
}

static char *
snapshot(void)
{
	snap_buf = calloc(1, 1);
	snap_len = 0;
	nftw(store, snap_entry, 16, FTW_PHYS);
	return snap_buf;
}

/* ---- a small CA ------------------------------------------------------ */

static EVP_PKEY *
key_ec(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	ck_assert_ptr_nonnull(k);
	return k;
}

static void
ext_add(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*e;

	if (value == NULL)
		return;
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	ck_assert_ptr_nonnull(e);
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
}

struct cert_spec {
	const char	*cn;
	EVP_PKEY	*key;		/* subject's key */
	X509		*issuer;	/* NULL: self-signed */
	EVP_PKEY	*issuer_key;
	long		 from, to;	/* days from now */
	const char	*bc, *ku, *eku, *san;
	long		 serial;
	bool		 v1;		/* no extensions at all */
};

static X509 *
cert_make(const struct cert_spec *s)
{
	X509		*x = X509_new();
	X509_NAME	*name = X509_NAME_new();

	X509_set_version(x, s->v1 ? 0 : 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), s->serial ? s->serial : 7);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)s->cn, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, s->issuer ? X509_get_subject_name(s->issuer) : name);
	X509_NAME_free(name);
	X509_gmtime_adj(X509_getm_notBefore(x), s->from * 86400);
	X509_gmtime_adj(X509_getm_notAfter(x), s->to * 86400);
	X509_set_pubkey(x, s->key);
	if (!s->v1) {
		ext_add(x, s->issuer, NID_basic_constraints, s->bc);
		ext_add(x, s->issuer, NID_key_usage, s->ku);
		ext_add(x, s->issuer, NID_ext_key_usage, s->eku);
		ext_add(x, s->issuer, NID_subject_alt_name, s->san);
		ext_add(x, s->issuer, NID_subject_key_identifier, "hash");
	}
	ck_assert(X509_sign(x, s->issuer_key ? s->issuer_key : s->key,
	    EVP_sha256()) > 0);
	return x;
}

struct ca {
	EVP_PKEY	*root_key, *int_key;
	X509		*root, *inter;
};

static void
ca_make(struct ca *ca, const char *prefix)
{
	char	root[64], inter[64];

	snprintf(root, sizeof(root), "%sRoot CA", prefix);
	snprintf(inter, sizeof(inter), "%sIssuing CA", prefix);
	ca->root_key = key_ec();
	ca->int_key = key_ec();
	ca->root = cert_make(&(struct cert_spec){ .cn = root,
	    .key = ca->root_key, .from = -1, .to = 3650,
	    .bc = "critical,CA:TRUE", .ku = "critical,keyCertSign,cRLSign",
	    .serial = 1 });
	ca->inter = cert_make(&(struct cert_spec){ .cn = inter,
	    .key = ca->int_key, .issuer = ca->root, .issuer_key = ca->root_key,
	    .from = -1, .to = 3000, .bc = "critical,CA:TRUE,pathlen:0",
	    .ku = "critical,keyCertSign,cRLSign", .serial = 2 });
}

static void
ca_free(struct ca *ca)
{
	X509_free(ca->root);
	X509_free(ca->inter);
	EVP_PKEY_free(ca->root_key);
	EVP_PKEY_free(ca->int_key);
}

static X509 *
leaf_make(struct ca *ca, EVP_PKEY *key, long from, long to, const char *eku)
{
	return cert_make(&(struct cert_spec){ .cn = "cube.example.com", .key = key,
	    .issuer = ca->inter, .issuer_key = ca->int_key, .from = from, .to = to,
	    .bc = "CA:FALSE", .ku = "critical,digitalSignature,keyEncipherment",
	    .eku = eku ? eku : "serverAuth,clientAuth",
	    .san = "DNS:cube.example.com", .serial = 7 });
}

static STACK_OF(X509) *
certs(X509 *a, X509 *b, X509 *c)
{
	STACK_OF(X509) *sk = sk_X509_new_null();

	X509 *v[3] = { a, b, c };
	for (int i = 0; i < 3; i++)
		if (v[i] != NULL) {
			X509_up_ref(v[i]);
			sk_X509_push(sk, v[i]);
		}
	return sk;
}

static const char tp_conf[] =
    "hostname cube\n"
    "ip domain name example.com\n"
    "crypto pki trustpoint TP\n"
    " enrollment terminal\n"
    " fqdn cube.example.com\n"
    " subject-name CN=cube.example.com\n"
    " eckeypair k1\n"
    " revocation-check none\n";

/* A store with key pair k1 (P-256) for trustpoint TP; returns k1. */
static EVP_PKEY *
store_with_key(void)
{
	struct pki_keygen	 gen = { .type = PKI_KEY_EC, .bits = 256, .label = "k1" };
	struct pki_key_info	 info[2];
	struct pki_error	 err;
	EVP_PKEY		*k;
	size_t			 n;

	ck_assert_int_eq(pki_key_generate(store, &gen, info, &n, &err), 0);
	ck_assert_int_eq(pki_key_load(store, "k1", &k, NULL, &err), 0);
	return k;
}

/* ---- store ----------------------------------------------------------- */

/* A temporary file of store_write_atomic: ".NAME.XXXXXX". */
static bool
dotfile_in(const char *d)
{
	char	cmd[400];

	snprintf(cmd, sizeof(cmd), "ls -A %s | grep -q '^\\.'", d);
	return system(cmd) == 0;
}

START_TEST(store_write_fails_midway_old_file_intact)
{
	struct pki_error	err;
	struct rlimit		rl = { 4096, 4096 };
	char			path[400], *big = malloc(65536), *text;

	snprintf(path, sizeof(path), "%s/f.pem", dir);
	ck_assert_int_eq(store_write_atomic(path, "old\n", 4, 0644, &err), 0);
	memset(big, 'x', 65536);
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	ck_assert_int_eq(store_write_atomic(path, big, 65536, 0644, &err), -EFBIG);
	ck_assert_msg(strstr(err.msg, "the old content is unchanged") != NULL,
	    "%s", err.msg);
	text = file_text(path);
	ck_assert_str_eq(text, "old\n");
	ck_assert_msg(!dotfile_in(dir), "temporary file left behind");
	free(text);
	free(big);
}
END_TEST

START_TEST(store_crash_midway_old_file_intact)
{
	struct pki_error	err;
	char			path[400], *text, **names;
	size_t			n;
	pid_t			pid;
	int			status;

	snprintf(path, sizeof(path), "%s/f.pem", dir);
	ck_assert_int_eq(store_write_atomic(path, "old\n", 4, 0644, &err), 0);
	if ((pid = fork()) == 0) {
		/* SIGXFSZ kills the writer after 4 KiB: a crash mid-write */
		struct rlimit	 rl = { 4096, 4096 };
		char		*big = malloc(65536);

		memset(big, 'y', 65536);
		signal(SIGXFSZ, SIG_DFL);
		setrlimit(RLIMIT_FSIZE, &rl);
		store_write_atomic(path, big, 65536, 0644, &err);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ);
	text = file_text(path);
	ck_assert_str_eq(text, "old\n");
	free(text);
	ck_assert_msg(dotfile_in(dir), "the crash should have left its temporary file");
	ck_assert_int_eq(store_list(dir, ".pem", false, &names, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(names[0], "f");
	store_names_free(names, n);
	ck_assert_int_eq(store_write_atomic(path, "new\n", 4, 0644, &err), 0);
	text = file_text(path);
	ck_assert_str_eq(text, "new\n");
	free(text);
}
END_TEST

START_TEST(store_modes_ignore_umask)
{
	struct pki_error	err;
	struct stat		st;
	char			path[400];

	umask(0);
	ck_assert_int_eq(store_prepare_trustpoint(store, "TP", &err), 0);
	snprintf(path, sizeof(path), "%s/trustpoints/TP/revocation", store);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	ck_assert_int_eq(stat(store, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	snprintf(path, sizeof(path), "%s/x.key", store);
	ck_assert_int_eq(store_write_atomic(path, "k", 1, 0600, &err), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	umask(077);
	ck_assert_int_eq(store_write_atomic(path, "k", 1, 0644, &err), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
}
END_TEST

START_TEST(store_refuses_exposed_keys)
{
	static const mode_t bad[] = { 0640, 0604, 0660, 0620, 0601, 0610 };
	struct pki_error	 err;
	EVP_PKEY		*k = store_with_key(), *k2;
	char			 path[400], link[400], mode[16];

	EVP_PKEY_free(k);
	snprintf(path, sizeof(path), "%s/keys/k1.key", store);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		chmod(path, bad[i]);
		ck_assert_int_eq(pki_key_load(store, "k1", &k2, NULL, &err), -EPERM);
		snprintf(mode, sizeof(mode), "mode %04o", (unsigned)bad[i]);
		ck_assert_msg(strstr(err.msg, mode) && strstr(err.msg, path),
		    "%s", err.msg);
	}
	chmod(path, 0400);
	ck_assert_int_eq(pki_key_load(store, "k1", &k2, NULL, &err), 0);
	EVP_PKEY_free(k2);
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(path, 65534, 65534), 0);
		ck_assert_int_eq(pki_key_load(store, "k1", &k2, NULL, &err), -EPERM);
		ck_assert_msg(strstr(err.msg, "owned by uid 65534"), "%s", err.msg);
		ck_assert_int_eq(chown(path, 0, 0), 0);
	}
	/* a symlink in place of the key is not followed */
	snprintf(link, sizeof(link), "%s/keys/k2.key", store);
	ck_assert_int_eq(symlink(path, link), 0);
	ck_assert_int_eq(pki_key_load(store, "k2", &k2, NULL, &err), -ELOOP);
}
END_TEST

/* ---- keys ------------------------------------------------------------ */

START_TEST(key_every_size)
{
	static const struct { enum pki_key_type t; unsigned bits; const char *curve; }
	    sizes[] = {
		{ PKI_KEY_RSA, 512, "" }, { PKI_KEY_RSA, 1024, "" },
		{ PKI_KEY_RSA, 2048, "" }, { PKI_KEY_RSA, 3072, "" },
		{ PKI_KEY_RSA, 4096, "" }, { PKI_KEY_EC, 256, "P-256" },
		{ PKI_KEY_EC, 384, "P-384" }, { PKI_KEY_EC, 521, "P-521" },
	    };
	struct pki_key_info	 info[2], got;
	struct pki_error	 err;
	EVP_PKEY		*k;
	char			 label[32], fp[PKI_FP_MAX];
	size_t			 n;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct pki_keygen gen = { .type = sizes[i].t, .bits = sizes[i].bits,
		    .label = label };

		snprintf(label, sizeof(label), "k%zu", i);
		ck_assert_msg(pki_key_generate(store, &gen, info, &n, &err) == 0,
		    "%u: %s", sizes[i].bits, err.msg);
		ck_assert_int_eq(pki_key_load(store, label, &k, &got, &err), 0);
		ck_assert_int_eq(got.type, sizes[i].t);
		ck_assert_uint_eq(got.bits, sizes[i].bits);
		ck_assert_str_eq(got.curve, sizes[i].curve);
		ck_assert(!got.exportable);
		ck_assert(got.created > time(NULL) - 300);
		pki_pubkey_fingerprint(k, fp, sizeof(fp));
		ck_assert_str_eq(fp, info[0].fingerprint);
		ck_assert_str_eq(got.fingerprint, info[0].fingerprint);
		EVP_PKEY_free(k);
	}
}
END_TEST

START_TEST(key_bad_sizes)
{
	static const struct { enum pki_key_type t; unsigned bits; } bad[] = {
		{ PKI_KEY_RSA, 511 }, { PKI_KEY_RSA, 4097 }, { PKI_KEY_RSA, 0 },
		{ PKI_KEY_EC, 512 }, { PKI_KEY_EC, 224 }, { PKI_KEY_EC, 0 },
	};
	struct pki_key_info	info[2];
	struct pki_error	err;
	size_t			n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pki_keygen gen = { .type = bad[i].t, .bits = bad[i].bits,
		    .label = "x" };

		ck_assert_int_eq(pki_key_generate(store, &gen, info, &n, &err),
		    -EINVAL);
	}
	ck_assert(!store_exists(store));	/* nothing was written */
}
END_TEST

START_TEST(key_labels)
{
	static const char *const bad[] = { "", ".hidden", "-x", "a/b", "../x",
	    "a b", "x\n", "0123456789012345678901234567890123456789012345678901234567890123" };
	struct config		*cfg;
	struct pki_key_info	 info[2], again[2], got;
	struct pki_error	 err;
	char			 label[256], host[256] = "";
	size_t			 n;
	struct pki_keygen	 gen = { .type = PKI_KEY_RSA, .bits = 1024 };

	cfg = cfg_make("hostname cube\nip domain name example.com\n");
	pki_default_label(cfg, label, sizeof(label));
	ck_assert_str_eq(label, "cube.example.com");
	config_free(cfg);
	cfg = cfg_make("hostname cube.example.net\nip domain name example.com\n");
	pki_default_label(cfg, label, sizeof(label));
	ck_assert_str_eq(label, "cube.example.net");
	config_free(cfg);
	pki_default_label(NULL, label, sizeof(label));
	gethostname(host, sizeof(host));
	ck_assert_str_eq(label, host);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		gen.label = bad[i];
		ck_assert_int_eq(pki_key_generate(store, &gen, info, &n, &err),
		    -EINVAL);
	}
	gen.label = "kp1";
	ck_assert_int_eq(pki_key_generate(store, &gen, info, &n, &err), 0);
	ck_assert_int_eq(pki_key_generate(store, &gen, again, &n, &err), -EEXIST);
	ck_assert_msg(strstr(err.msg, "kp1 already exists (RSA 1024 bits, not "
	    "exportable, created") && strstr(err.msg, "--force"), "%s", err.msg);
	gen.force = true;
	gen.type = PKI_KEY_EC;
	gen.bits = 384;
	ck_assert_int_eq(pki_key_generate(store, &gen, again, &n, &err), 0);
	ck_assert_int_eq(pki_key_load(store, "kp1", NULL, &got, &err), 0);
	ck_assert_str_eq(got.curve, "P-384");
	ck_assert_str_ne(got.fingerprint, info[0].fingerprint);

	/* usage-keys: two pairs, RSA only */
	gen = (struct pki_keygen){ .type = PKI_KEY_RSA, .bits = 1024, .label = "u",
	    .usage_keys = true, .exportable = true };
	ck_assert_int_eq(pki_key_generate(store, &gen, info, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(pki_key_load(store, "u-sign", NULL, &got, &err), 0);
	ck_assert_int_eq(got.usage, PKI_USAGE_SIGN);
	ck_assert(got.exportable);
	ck_assert_int_eq(pki_key_load(store, "u-encr", NULL, &got, &err), 0);
	ck_assert_int_eq(got.usage, PKI_USAGE_ENCR);
	ck_assert(!pki_key_exists(store, "u"));
	ck_assert_int_eq(pki_key_generate(store, &gen, info, &n, &err), -EEXIST);
	gen.type = PKI_KEY_EC;
	gen.bits = 256;
	gen.label = "v";
	ck_assert_int_eq(pki_key_generate(store, &gen, info, &n, &err), -EINVAL);
}
END_TEST

static int
pkcs8_cipher(const char *pem)
{
	BIO			*bio = BIO_new_mem_buf(pem, -1);
	X509_SIG		*sig = NULL;
	const X509_ALGOR	*alg;
	PBE2PARAM		*pbe2;
	int			 nid = NID_undef;

	/* skip the public key block */
	sig = PEM_read_bio_PKCS8(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (sig == NULL)
		return NID_undef;
	X509_SIG_get0(sig, &alg, NULL);
	if (OBJ_obj2nid(alg->algorithm) == NID_pbes2 &&
	    (pbe2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM),
	    alg->parameter)) != NULL) {
		nid = OBJ_obj2nid(pbe2->encryption->algorithm);
		PBE2PARAM_free(pbe2);
	}
	X509_SIG_free(sig);
	return nid;
}

START_TEST(key_export_rules)
{
	struct pki_keygen	 gen = { .type = PKI_KEY_EC, .bits = 256 };
	struct pki_key_info	 info[2];
	struct pki_error	 err;
	EVP_PKEY		*k, *back;
	char			*pem, removed[2][PKI_NAME_MAX];
	size_t			 n, len;
	BIO			*bio;

	gen.label = "locked";
	ck_assert_int_eq(pki_key_generate(store, &gen, info, &n, &err), 0);
	ck_assert_int_eq(pki_key_export(store, "locked", NULL, &pem, &len, &err),
	    -EPERM);
	ck_assert_msg(strstr(err.msg, "not generated exportable"), "%s", err.msg);
	ck_assert_int_eq(pki_key_export(store, "nope", NULL, &pem, &len, &err),
	    -ENOENT);

	gen.label = "open";
	gen.exportable = true;
	ck_assert_int_eq(pki_key_generate(store, &gen, info, &n, &err), 0);
	ck_assert_int_eq(pki_key_load(store, "open", &k, NULL, &err), 0);
	ck_assert_int_eq(pki_key_export(store, "open", NULL, &pem, &len, &err), 0);
	ck_assert(strstr(pem, "BEGIN PUBLIC KEY") && strstr(pem, "BEGIN PRIVATE KEY"));
	bio = BIO_new_mem_buf(pem, (int)len);
	back = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
	ck_assert_ptr_nonnull(back);
	ck_assert_int_eq(EVP_PKEY_eq(k, back), 1);
	EVP_PKEY_free(back);
	BIO_free(bio);
	store_free_secret(pem, len);

	ck_assert_int_eq(pki_key_export(store, "open", "s3cret", &pem, &len, &err), 0);
	ck_assert(strstr(pem, "BEGIN ENCRYPTED PRIVATE KEY") != NULL);
	ck_assert_int_eq(pkcs8_cipher(pem), NID_aes_256_cbc);
	bio = BIO_new_mem_buf(pem, (int)len);
	ck_assert_ptr_null(PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"wrong"));
	BIO_free(bio);
	ERR_clear_error();
	bio = BIO_new_mem_buf(pem, (int)len);
	back = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"s3cret");
	ck_assert_ptr_nonnull(back);
	ck_assert_int_eq(EVP_PKEY_eq(k, back), 1);
	EVP_PKEY_free(back);
	BIO_free(bio);
	store_free_secret(pem, len);
	EVP_PKEY_free(k);

	/* zeroize: one label, type checked */
	ck_assert_int_eq(pki_key_zeroize(store, "open", PKI_KEY_RSA, removed, &err),
	    -EINVAL);
	ck_assert_int_eq(pki_key_zeroize(store, "open", PKI_KEY_EC, removed, &err), 0);
	ck_assert_str_eq(removed[0], "open");
	ck_assert(!pki_key_exists(store, "open") && pki_key_exists(store, "locked"));
	ck_assert_int_eq(pki_key_zeroize(store, "open", PKI_KEY_NONE, removed, &err),
	    -ENOENT);
}
END_TEST

/* ---- subject names --------------------------------------------------- */

struct want { int nid; const char *value; int set; };

static void
subject_expect(const char *text, const struct want *w, size_t n)
{
	struct pki_error	 err;
	X509_NAME		*name;

	ck_assert_msg(pki_subject_parse(text, &name, &err) == 0, "%s: %s", text,
	    err.msg);
	ck_assert_msg(X509_NAME_entry_count(name) == (int)n, "%s: %d entries",
	    text, X509_NAME_entry_count(name));
	for (size_t i = 0; i < n; i++) {
		X509_NAME_ENTRY	*e = X509_NAME_get_entry(name, (int)i);
		unsigned char	*utf8;
		int		 len = ASN1_STRING_to_UTF8(&utf8,
				    X509_NAME_ENTRY_get_data(e));

		ck_assert_msg(OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)) == w[i].nid,
		    "%s: entry %zu is %s", text, i,
		    OBJ_nid2sn(OBJ_obj2nid(X509_NAME_ENTRY_get_object(e))));
		ck_assert_msg(len == (int)strlen(w[i].value) &&
		    memcmp(utf8, w[i].value, (size_t)len) == 0, "%s: entry %zu is "
		    "\"%.*s\", not \"%s\"", text, i, len, utf8, w[i].value);
		ck_assert_int_eq(X509_NAME_ENTRY_set(e), w[i].set);
		OPENSSL_free(utf8);
	}
	X509_NAME_free(name);
}

#define EXPECT(text, ...) do {						\
	const struct want w_[] = { __VA_ARGS__ };			\
	subject_expect(text, w_, sizeof(w_) / sizeof(w_[0]));		\
} while (0)

START_TEST(subject_parse_forms)
{
	EXPECT("CN=cube.example.com", { NID_commonName, "cube.example.com", 0 });
	EXPECT("cn=x, o = Example Inc ,OU=Voice",
	    { NID_commonName, "x", 0 }, { NID_organizationName, "Example Inc", 1 },
	    { NID_organizationalUnitName, "Voice", 2 });
	EXPECT("CN=a\\,b, O=Acme\\+Co", { NID_commonName, "a,b", 0 },
	    { NID_organizationName, "Acme+Co", 1 });
	EXPECT("O=\"Acme, Inc\", CN=x", { NID_organizationName, "Acme, Inc", 0 },
	    { NID_commonName, "x", 1 });
	EXPECT("CN=x+UID=42,O=y", { NID_commonName, "x", 0 }, { NID_userId, "42", 0 },
	    { NID_organizationName, "y", 1 });
	EXPECT("E=a@b.c, EA=d@e.f, emailaddress=g@h.i",
	    { NID_pkcs9_emailAddress, "a@b.c", 0 },
	    { NID_pkcs9_emailAddress, "d@e.f", 1 },
	    { NID_pkcs9_emailAddress, "g@h.i", 2 });
	EXPECT("2.5.4.3=by oid", { NID_commonName, "by oid", 0 });
	EXPECT("CN=  trailing\\ ", { NID_commonName, "trailing ", 0 });
	EXPECT("CN=caf\\C3\\A9", { NID_commonName, "caf\xc3\xa9", 0 });
	EXPECT("CN=a;O=b", { NID_commonName, "a", 0 }, { NID_organizationName, "b", 1 });
	EXPECT("SERIALNUMBER=123,st=Bavaria,S=Bayern,l=Munich,c=DE,dc=example,"
	    "t=Dr,hostname=h,ipaddress=1.2.3.4,commonName=long",
	    { NID_serialNumber, "123", 0 }, { NID_stateOrProvinceName, "Bavaria", 1 },
	    { NID_stateOrProvinceName, "Bayern", 2 }, { NID_localityName, "Munich", 3 },
	    { NID_countryName, "DE", 4 }, { NID_domainComponent, "example", 5 },
	    { NID_title, "Dr", 6 }, { NID_pkcs9_unstructuredName, "h", 7 },
	    { NID_pkcs9_unstructuredAddress, "1.2.3.4", 8 },
	    { NID_commonName, "long", 9 });
}
END_TEST

START_TEST(subject_parse_errors)
{
	static const struct { const char *text, *why; } bad[] = {
		{ "CN", "has no '='" },
		{ "CN=x, O", "\"O\" has no '='" },
		{ "FOO=bar", "unknown attribute \"FOO\"" },
		{ "CN=", "CN has an empty value" },
		{ "CN=  ,O=x", "CN has an empty value" },
		{ "CN=x\\", "lone backslash" },
		{ "C=USA", "cannot use C=USA" },
		{ "O=\"unterminated", "no closing" },
		{ "O=\"a\"x", "unexpected \"x\"" },
		{ "=x", "has no name" },
		{ "CN=a,,O=b", "has no name" },
		{ "", "has no name" },
	};
	struct pki_error	 err;
	X509_NAME		*name;
	char			 longv[400];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(pki_subject_parse(bad[i].text, &name, &err) == -EINVAL,
		    "\"%s\" parsed", bad[i].text);
		ck_assert_ptr_null(name);
		ck_assert_msg(strstr(err.msg, bad[i].why), "\"%s\": %s",
		    bad[i].text, err.msg);
	}
	snprintf(longv, sizeof(longv), "CN=%0300d", 0);
	ck_assert_int_eq(pki_subject_parse(longv, &name, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "longer than"), "%s", err.msg);
}
END_TEST

/* ---- requests -------------------------------------------------------- */

static X509_REQ *
request_read(const char *tp)
{
	char		 path[400];
	FILE		*fp;
	X509_REQ	*req;

	snprintf(path, sizeof(path), "%s/trustpoints/%s/request.csr", store, tp);
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	req = PEM_read_X509_REQ(fp, NULL, NULL, NULL);
	fclose(fp);
	ck_assert_ptr_nonnull(req);
	return req;
}

static void
request_sans(X509_REQ *req, char *buf, size_t len)
{
	STACK_OF(X509_EXTENSION)	*exts = X509_REQ_get_extensions(req);
	GENERAL_NAMES			*gens;
	size_t				 off = 0;

	buf[0] = '\0';
	gens = X509V3_get_d2i(exts, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		ck_assert_int_eq(g->type, GEN_DNS);
		off += (size_t)snprintf(buf + off, len - off, "%s%.*s", i ? "," : "",
		    ASN1_STRING_length(g->d.dNSName),
		    ASN1_STRING_get0_data(g->d.dNSName));
	}
	GENERAL_NAMES_free(gens);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
}

static const char *
subject_value(X509_REQ *req, int nid, char *buf, size_t len)
{
	X509_NAME	*name = X509_REQ_get_subject_name(req);

	buf[0] = '\0';
	if (X509_NAME_get_text_by_NID(name, nid, buf, (int)len) < 0)
		return NULL;
	return buf;
}

START_TEST(csr_contents)
{
	struct config		*cfg = cfg_make(
	    "hostname cube\nip domain name example.com\n"
	    "crypto pki trustpoint TP\n"
	    " enrollment terminal\n"
	    " fqdn cube.example.com\n"
	    " subject-name CN=cube.example.com, O=Example Inc\\, Ltd, OU=Voice\n"
	    " subject-alt-name SIP.example.com\n"
	    " serial-number\n"
	    " ip-address 10.1.2.3\n"
	    " rsakeypair kp 1024\n"
	    "crypto pki trustpoint TP2\n"
	    " fqdn cube.example.com\n"
	    " subject-alt-name CUBE.Example.com\n"
	    " ip-address lo\n"
	    " eckeypair ec384\n");
	struct pki_enroll_result res;
	struct pki_keygen	 gen = { .type = PKI_KEY_EC, .bits = 384, .label = "ec384" };
	struct pki_key_info	 info[2], got;
	struct pki_error	 err;
	EVP_PKEY		*k;
	X509_REQ		*req;
	const char		*src;
	char			 buf[512], serial[80];
	size_t			 n;

	ck_assert_msg(pki_enroll(store, cfg, "TP", &res, &err) == 0, "%s", err.msg);
	ck_assert(res.key_generated);
	ck_assert_int_eq(pki_key_load(store, "kp", &k, &got, &err), 0);
	ck_assert_uint_eq(got.bits, 1024);
	ck_assert(!got.exportable);
	req = request_read("TP");
	ck_assert_int_eq(X509_REQ_verify(req, X509_REQ_get0_pubkey(req)), 1);
	ck_assert_int_eq(EVP_PKEY_eq(X509_REQ_get0_pubkey(req), k), 1);
	ck_assert_int_eq(X509_NAME_entry_count(X509_REQ_get_subject_name(req)), 5);
	ck_assert_str_eq(subject_value(req, NID_commonName, buf, sizeof(buf)),
	    "cube.example.com");
	ck_assert_str_eq(subject_value(req, NID_organizationName, buf, sizeof(buf)),
	    "Example Inc, Ltd");
	ck_assert_int_eq(pki_host_serial(serial, sizeof(serial), &src, &err), 0);
	ck_assert_str_eq(subject_value(req, NID_serialNumber, buf, sizeof(buf)), serial);
	ck_assert_str_eq(res.serial, serial);
	ck_assert_str_eq(subject_value(req, NID_pkcs9_unstructuredAddress, buf,
	    sizeof(buf)), "10.1.2.3");
	request_sans(req, buf, sizeof(buf));
	ck_assert_str_eq(buf, "cube.example.com,SIP.example.com");
	ck_assert_int_eq(X509_REQ_get_signature_nid(req), NID_sha256WithRSAEncryption);
	ck_assert_ptr_nonnull(strstr(res.pem, "BEGIN CERTIFICATE REQUEST"));
	X509_REQ_free(req);
	EVP_PKEY_free(k);
	pki_enroll_result_free(&res);

	/* default subject, SANs without duplicates, an interface's address, SHA-384 */
	ck_assert_int_eq(pki_key_generate(store, &gen, info, &n, &err), 0);
	ck_assert_msg(pki_enroll(store, cfg, "TP2", &res, &err) == 0, "%s", err.msg);
	ck_assert(!res.key_generated);
	req = request_read("TP2");
	ck_assert_int_eq(X509_REQ_verify(req, X509_REQ_get0_pubkey(req)), 1);
	ck_assert_str_eq(subject_value(req, NID_commonName, buf, sizeof(buf)),
	    "cube.example.com");
	ck_assert_str_eq(subject_value(req, NID_pkcs9_unstructuredAddress, buf,
	    sizeof(buf)), "127.0.0.1");
	ck_assert_ptr_null(subject_value(req, NID_serialNumber, buf, sizeof(buf)));
	request_sans(req, buf, sizeof(buf));
	ck_assert_str_eq(buf, "cube.example.com");
	ck_assert_int_eq(X509_REQ_get_signature_nid(req), NID_ecdsa_with_SHA384);
	X509_REQ_free(req);
	pki_enroll_result_free(&res);
	config_free(cfg);
}
END_TEST

START_TEST(csr_refusals_leave_store_alone)
{
	struct config		*cfg = cfg_make(
	    "crypto pki trustpoint BADNAME\n subject-name FOO=bar\n rsakeypair nk 1024\n"
	    "crypto pki trustpoint NOKEY\n fqdn a.example.com\n"
	    "crypto pki trustpoint WRONGTYPE\n eckeypair rk\n"
	    "crypto pki trustpoint BADIF\n ip-address nosuchif0\n rsakeypair nk 1024\n");
	struct pki_keygen	 gen = { .type = PKI_KEY_RSA, .bits = 1024, .label = "rk" };
	struct pki_enroll_result res;
	struct pki_key_info	 info[2];
	struct pki_error	 err;
	char			*before, *after;
	size_t			 n;

	ck_assert_int_eq(pki_key_generate(store, &gen, info, &n, &err), 0);
	before = snapshot();
	ck_assert_int_eq(pki_enroll(store, cfg, "BADNAME", &res, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "enrolment of trustpoint BADNAME failed: "
	    "subject-name \"FOO=bar\": unknown attribute"), "%s", err.msg);
	ck_assert_int_eq(pki_enroll(store, cfg, "NOKEY", &res, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "no rsakeypair or eckeypair"), "%s", err.msg);
	ck_assert_int_eq(pki_enroll(store, cfg, "WRONGTYPE", &res, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "names eckeypair rk, but that key pair is an "
	    "RSA key"), "%s", err.msg);
	ck_assert_int_eq(pki_enroll(store, cfg, "BADIF", &res, &err), -ENOENT);
	ck_assert_msg(strstr(err.msg, "nosuchif0 is neither an IPv4 address nor an "
	    "interface"), "%s", err.msg);
	ck_assert_int_eq(pki_enroll(store, cfg, "MISSING", &res, &err), -ENOENT);
	ck_assert_msg(strstr(err.msg, "trustpoint MISSING is not defined"), "%s",
	    err.msg);
	ck_assert_int_eq(pki_enroll(store, NULL, "TP", &res, &err), -ENOENT);
	ck_assert_int_eq(pki_enroll(store, cfg, "../x", &res, &err), -EINVAL);
	after = snapshot();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	config_free(cfg);
}
END_TEST

/* ---- parsing certificates -------------------------------------------- */

static char *
pem_of(X509 *a, X509 *b, size_t *len)
{
	BIO	*bio = BIO_new(BIO_s_mem());
	char	*data, *out;
	long	 n;

	PEM_write_bio_X509(bio, a);
	if (b)
		PEM_write_bio_X509(bio, b);
	n = BIO_get_mem_data(bio, &data);
	out = strndup(data, (size_t)n);
	*len = (size_t)n;
	BIO_free(bio);
	return out;
}

START_TEST(certs_parse_forms)
{
	struct ca		 ca;
	struct pki_error	 err;
	STACK_OF(X509)		*sk;
	unsigned char		*der = NULL;
	char			*pem, *b64, *garbled, with_key[8192];
	size_t			 len;
	int			 dlen;

	ca_make(&ca, "");
	pem = pem_of(ca.inter, ca.root, &len);
	ck_assert_int_eq(pki_certs_parse(pem, len, &sk, &err), 0);
	ck_assert_int_eq(sk_X509_num(sk), 2);
	ck_assert_int_eq(X509_cmp(sk_X509_value(sk, 1), ca.root), 0);
	sk_X509_pop_free(sk, X509_free);

	/* a key block before the certificate is skipped, never kept */
	snprintf(with_key, sizeof(with_key), "-----BEGIN PRIVATE KEY-----\n"
	    "MC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n%s", pem);
	ck_assert_int_eq(pki_certs_parse(with_key, strlen(with_key), &sk, &err), 0);
	ck_assert_int_eq(sk_X509_num(sk), 2);
	sk_X509_pop_free(sk, X509_free);

	dlen = i2d_X509(ca.root, &der);
	ck_assert_int_eq(pki_certs_parse(der, (size_t)dlen, &sk, &err), 0);
	ck_assert_int_eq(sk_X509_num(sk), 1);
	sk_X509_pop_free(sk, X509_free);

	/* bare base64, as pasted on IOS without the PEM lines */
	b64 = strdup(strstr(pem, "\n") + 1);
	*strstr(b64, "-----END") = '\0';
	ck_assert_int_eq(pki_certs_parse(b64, strlen(b64), &sk, &err), 0);
	ck_assert_int_eq(X509_cmp(sk_X509_value(sk, 0), ca.inter), 0);
	sk_X509_pop_free(sk, X509_free);

	/* truncated: the second certificate is cut short */
	ck_assert_int_eq(pki_certs_parse(pem, len - 100, &sk, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "certificate 2 of the input is garbage or "
	    "truncated PEM"), "%s", err.msg);
	/* garbled base64 inside PEM lines */
	garbled = strdup(pem);
	memcpy(strstr(garbled, "\n") + 10, "!!!!", 4);
	ck_assert_int_eq(pki_certs_parse(garbled, len, &sk, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "garbage or truncated PEM"), "%s", err.msg);
	ck_assert_int_eq(pki_certs_parse(der, (size_t)dlen - 20, &sk, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "neither PEM, DER nor base64"), "%s", err.msg);
	ck_assert_int_eq(pki_certs_parse("hello", 5, &sk, &err), -EINVAL);
	ck_assert_int_eq(pki_certs_parse(with_key, strstr(with_key, "-----BEGIN "
	    "CERTIFICATE") - with_key, &sk, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "no \"BEGIN CERTIFICATE\" block"), "%s", err.msg);
	ck_assert_int_eq(pki_certs_parse("", 0, &sk, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "empty"), "%s", err.msg);
	ck_assert_int_eq(ERR_peek_error(), 0);	/* nothing left for later */
	OPENSSL_free(der);
	free(pem);
	free(b64);
	free(garbled);
	ca_free(&ca);
}
END_TEST

/* ---- authenticate, import, chain ------------------------------------- */

static bool
say_no(void *arg, STACK_OF(X509) *sk)
{
	(void)sk;
	*(int *)arg += 1;
	return false;
}

static void
auth_refused(struct config *cfg, X509 *x, int want, const char *why)
{
	struct pki_error	 err;
	STACK_OF(X509)		*sk = certs(x, NULL, NULL);

	ck_assert_int_eq(pki_authenticate(store, cfg, "TP", sk, time(NULL), NULL,
	    NULL, &err), want);
	ck_assert_msg(strstr(err.msg, "authentication of trustpoint TP refused: ") &&
	    strstr(err.msg, why), "want \"%s\": %s", why, err.msg);
	sk_X509_pop_free(sk, X509_free);
}

START_TEST(authenticate_checks)
{
	struct config		*cfg = cfg_make(tp_conf);
	EVP_PKEY		*k = store_with_key(), *other = key_ec();
	struct ca		 ca;
	struct pki_error	 err;
	STACK_OF(X509)		*sk;
	X509			*x;
	char			*before, *after;
	int			 asked = 0;

	ca_make(&ca, "");
	before = snapshot();
	x = leaf_make(&ca, k, -1, 30, NULL);
	auth_refused(cfg, x, -EKEYREJECTED, "is not a CA certificate (basicConstraints");
	X509_free(x);
	x = cert_make(&(struct cert_spec){ .cn = "Old style", .key = other,
	    .from = -1, .to = 30, .v1 = true });
	auth_refused(cfg, x, -EKEYREJECTED, "is not a CA certificate");
	X509_free(x);
	x = cert_make(&(struct cert_spec){ .cn = "No certsign", .key = other,
	    .from = -1, .to = 30, .bc = "critical,CA:TRUE",
	    .ku = "digitalSignature" });
	auth_refused(cfg, x, -EKEYREJECTED, "lacks keyCertSign");
	X509_free(x);
	x = cert_make(&(struct cert_spec){ .cn = "Expired CA", .key = other,
	    .from = -100, .to = -2, .bc = "critical,CA:TRUE" });
	auth_refused(cfg, x, -EKEYEXPIRED, "CA certificate for trustpoint TP expired on");
	X509_free(x);
	x = cert_make(&(struct cert_spec){ .cn = "Future CA", .key = other,
	    .from = 2, .to = 30, .bc = "critical,CA:TRUE" });
	auth_refused(cfg, x, -ETIME, "hours ahead of this system's clock: check NTP");
	X509_free(x);

	sk = certs(ca.root, NULL, NULL);
	ck_assert_int_eq(pki_authenticate(store, cfg, "TP", sk, time(NULL), say_no,
	    &asked, &err), -ECANCELED);
	ck_assert_int_eq(asked, 1);
	ck_assert_int_eq(pki_authenticate(store, cfg, "NOPE", sk, time(NULL), NULL,
	    NULL, &err), -ENOENT);
	after = snapshot();
	ck_assert_str_eq(before, after);
	ck_assert_int_eq(pki_authenticate(store, cfg, "TP", sk, time(NULL), NULL,
	    NULL, &err), 0);
	sk_X509_pop_free(sk, X509_free);
	ck_assert_int_eq(pki_trustpoint_cas(store, "TP", &sk, &err), 0);
	ck_assert_int_eq(X509_cmp(sk_X509_value(sk, 0), ca.root), 0);
	sk_X509_pop_free(sk, X509_free);
	free(before);
	free(after);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
	ca_free(&ca);
	config_free(cfg);
}
END_TEST

static void
import_refused(struct config *cfg, STACK_OF(X509) *sk, time_t now, int want,
    const char *why)
{
	struct pki_import_result res;
	struct pki_error	 err;
	char			*before = snapshot(), *after;

	ck_assert_int_eq(pki_import(store, cfg, "TP", sk, now, &res, &err), want);
	ck_assert_msg(strstr(err.msg, "import into trustpoint TP refused: ") &&
	    strstr(err.msg, why), "want \"%s\": %s", why, err.msg);
	after = snapshot();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	sk_X509_pop_free(sk, X509_free);
}

START_TEST(import_chain_errors)
{
	struct config		*cfg = cfg_make(tp_conf);
	EVP_PKEY		*k = store_with_key(), *other = key_ec();
	struct ca		 ca, ca2;
	struct pki_error	 err;
	STACK_OF(X509)		*sk;
	X509			*leaf, *x, *fake;

	ca_make(&ca, "");
	ca_make(&ca2, "Other ");
	leaf = leaf_make(&ca, k, -1, 365, NULL);
	import_refused(cfg, certs(leaf, ca.inter, NULL), time(NULL), -ENOENT,
	    "has no CA certificate: authenticate it first");
	sk = certs(ca.root, NULL, NULL);
	ck_assert_int_eq(pki_authenticate(store, cfg, "TP", sk, time(NULL), NULL,
	    NULL, &err), 0);
	sk_X509_pop_free(sk, X509_free);

	import_refused(cfg, certs(leaf, NULL, NULL), time(NULL), -EKEYREJECTED,
	    "does not chain to the trustpoint's CA: the issuer of CN=cube.example.com "
	    "is CN=Issuing CA");
	x = leaf_make(&ca2, k, -1, 365, NULL);
	import_refused(cfg, certs(x, ca2.inter, NULL), time(NULL), -EKEYREJECTED,
	    "does not chain to the trustpoint's CA: the issuer of CN=Other Issuing "
	    "CA is CN=Other Root CA");
	X509_free(x);
	/* an impostor with the issuing CA's name but another key */
	fake = cert_make(&(struct cert_spec){ .cn = "Issuing CA", .key = other,
	    .issuer = ca.root, .issuer_key = ca.root_key, .from = -1, .to = 300,
	    .bc = "critical,CA:TRUE" });
	import_refused(cfg, certs(leaf, fake, NULL), time(NULL), -EKEYREJECTED,
	    "signature on CN=cube.example.com does not verify");
	X509_free(fake);
	x = leaf_make(&ca, other, -1, 365, NULL);
	import_refused(cfg, certs(x, ca.inter, NULL), time(NULL), -EKEYREJECTED,
	    "certificate's public key does not match key pair k1");
	X509_free(x);
	x = leaf_make(&ca, k, -30, -1, NULL);
	import_refused(cfg, certs(x, ca.inter, NULL), time(NULL), -EKEYEXPIRED,
	    "certificate for trustpoint TP expired on");
	X509_free(x);
	x = leaf_make(&ca, k, 1, 365, NULL);
	import_refused(cfg, certs(x, ca.inter, NULL), time(NULL), -ETIME,
	    "certificate for trustpoint TP is not valid until");
	X509_free(x);
	/* the same certificate, judged a year on */
	import_refused(cfg, certs(leaf, ca.inter, NULL), time(NULL) + 400 * 86400,
	    -EKEYEXPIRED, "expired on");
	/* an expired intermediate under a valid leaf */
	x = cert_make(&(struct cert_spec){ .cn = "Issuing CA", .key = ca.int_key,
	    .issuer = ca.root, .issuer_key = ca.root_key, .from = -100, .to = -1,
	    .bc = "critical,CA:TRUE" });
	import_refused(cfg, certs(leaf, x, NULL), time(NULL), -EKEYREJECTED,
	    "certificate has expired (certificate CN=Issuing CA, depth 1)");
	X509_free(x);
	/* after all that, the right certificate still imports */
	sk = certs(leaf, ca.inter, NULL);
	ck_assert_msg(pki_import(store, cfg, "TP", sk, time(NULL),
	    &(struct pki_import_result){ 0 }, &err) == 0, "%s", err.msg);
	sk_X509_pop_free(sk, X509_free);
	X509_free(leaf);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
	ca_free(&ca);
	ca_free(&ca2);
	config_free(cfg);
}
END_TEST

START_TEST(import_and_load_identity)
{
	struct config		*cfg = cfg_make(tp_conf);
	EVP_PKEY		*k = store_with_key();
	struct ca		 ca;
	struct pki_import_result res;
	struct pki_identity	*id;
	struct pki_error	 err;
	STACK_OF(X509)		*sk;
	X509_STORE		*xs;
	X509_STORE_CTX		*ctx;
	SSL_CTX			*ssl;
	X509			*leaf, *x;
	char			 path[400];

	ca_make(&ca, "");
	leaf = leaf_make(&ca, k, -1, 365, NULL);
	sk = certs(ca.root, NULL, NULL);
	ck_assert_int_eq(pki_authenticate(store, cfg, "TP", sk, time(NULL), NULL,
	    NULL, &err), 0);
	sk_X509_pop_free(sk, X509_free);
	sk = certs(leaf, ca.inter, NULL);
	ck_assert_msg(pki_import(store, cfg, "TP", sk, time(NULL), &res, &err) == 0,
	    "%s", err.msg);
	sk_X509_pop_free(sk, X509_free);
	ck_assert_str_eq(res.label, "k1");
	ck_assert_uint_eq(res.nchain, 1);
	ck_assert_str_eq(res.warning, "");

	ck_assert_msg(pki_identity_load(store, "TP", &id, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(X509_cmp(id->cert, leaf), 0);
	ck_assert_int_eq(EVP_PKEY_eq(id->key, k), 1);
	ck_assert_int_eq(sk_X509_num(id->chain), 1);	/* the root is not sent */
	ck_assert_int_eq(X509_cmp(sk_X509_value(id->chain, 0), ca.inter), 0);
	ck_assert_ptr_nonnull(ssl = SSL_CTX_new(TLS_server_method()));
	ck_assert_int_eq(SSL_CTX_use_cert_and_key(ssl, id->cert, id->key, id->chain,
	    1), 1);
	ck_assert_int_eq(SSL_CTX_check_private_key(ssl), 1);
	SSL_CTX_free(ssl);
	pki_identity_free(id);

	/* the trust store verifies a peer issued by the same CA */
	ck_assert_int_eq(pki_trust_store(store, "TP", NULL, &xs, &err), 0);
	ctx = X509_STORE_CTX_new();
	sk = certs(ca.inter, NULL, NULL);
	X509_STORE_CTX_init(ctx, xs, leaf, sk);
	ck_assert_int_eq(X509_verify_cert(ctx), 1);
	X509_STORE_CTX_free(ctx);
	sk_X509_pop_free(sk, X509_free);
	X509_STORE_free(xs);
	snprintf(path, sizeof(path), "%s/nope.pem", dir);
	ck_assert_int_eq(pki_trust_store(store, "TP", path, &xs, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "cannot load CA bundle"), "%s", err.msg);

	/* the issuing CA alone as trustpoint CA: the leaf alone imports */
	sk = certs(ca.inter, NULL, NULL);
	ck_assert_int_eq(pki_authenticate(store, cfg, "TP", sk, time(NULL), NULL,
	    NULL, &err), 0);
	sk_X509_pop_free(sk, X509_free);
	sk = certs(leaf, NULL, NULL);
	ck_assert_msg(pki_import(store, cfg, "TP", sk, time(NULL), &res, &err) == 0,
	    "%s", err.msg);
	sk_X509_pop_free(sk, X509_free);
	ck_assert_msg(pki_identity_load(store, "TP", &id, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(sk_X509_num(id->chain), 1);
	pki_identity_free(id);
	/* the TLS layer's store alone trusts the issuing CA as an anchor */
	ck_assert_int_eq(pki_trust_store(store, "TP", NULL, &xs, &err), 0);
	ctx = X509_STORE_CTX_new();
	X509_STORE_CTX_init(ctx, xs, leaf, NULL);
	ck_assert_msg(X509_verify_cert(ctx) == 1, "%s", X509_verify_cert_error_string(
	    X509_STORE_CTX_get_error(ctx)));
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(xs);

	/* a server-only certificate is kept with a warning */
	x = leaf_make(&ca, k, -1, 365, "serverAuth");
	sk = certs(x, NULL, NULL);
	ck_assert_int_eq(pki_import(store, cfg, "TP", sk, time(NULL), &res, &err), 0);
	ck_assert_msg(strstr(res.warning, "not valid for TLS clients"), "%s",
	    res.warning);
	sk_X509_pop_free(sk, X509_free);
	X509_free(x);
	x = leaf_make(&ca, k, -1, 365, "clientAuth");
	sk = certs(x, NULL, NULL);
	ck_assert_int_eq(pki_import(store, cfg, "TP", sk, time(NULL), &res, &err), 0);
	ck_assert_msg(strstr(res.warning, "valid for TLS clients only"), "%s",
	    res.warning);
	sk_X509_pop_free(sk, X509_free);
	X509_free(x);

	/* a key generated again after the import: the identity does not load */
	{
		struct pki_keygen gen = { .type = PKI_KEY_EC, .bits = 256,
		    .label = "k1", .force = true };
		struct pki_key_info info[2];
		size_t n;

		ck_assert_int_eq(pki_key_generate(store, &gen, info, &n, &err), 0);
	}
	ck_assert_int_eq(pki_identity_load(store, "TP", &id, &err), -EKEYREJECTED);
	ck_assert_msg(strstr(err.msg, "cannot load the identity of trustpoint TP: "
	    "its certificate does not match key pair k1"), "%s", err.msg);
	ck_assert_int_eq(pki_identity_load(store, "NOPE", &id, &err), -ENOENT);
	ck_assert_msg(strstr(err.msg, "trustpoint NOPE has no certificate"), "%s",
	    err.msg);
	X509_free(leaf);
	EVP_PKEY_free(k);
	ca_free(&ca);
	config_free(cfg);
}
END_TEST

/* ---- expiry ---------------------------------------------------------- */

struct logged {
	int	 n;
	int	 prio[16];
	char	 msg[16][PKI_ERR_MAX];
};

static void
log_capture(void *arg, int prio, const char *msg)
{
	struct logged *l = arg;

	ck_assert_int_lt(l->n, 16);
	l->prio[l->n] = prio;
	snprintf(l->msg[l->n++], PKI_ERR_MAX, "%s", msg);
}

static int
expiry_at(struct pki_expiry_state *st, time_t when, struct logged *l)
{
	memset(l, 0, sizeof(*l));
	return pki_expiry_check(store, when, st, log_capture, l);
}

static void
leaf_import(struct config *cfg, struct ca *ca, EVP_PKEY *k, long days)
{
	struct pki_import_result res;
	struct pki_error	 err;
	STACK_OF(X509)		*sk;
	X509			*leaf = leaf_make(ca, k, -1, days, NULL);

	sk = certs(leaf, ca->inter, NULL);
	ck_assert_msg(pki_import(store, cfg, "TP", sk, time(NULL), &res, &err) == 0,
	    "%s", err.msg);
	sk_X509_pop_free(sk, X509_free);
	X509_free(leaf);
}

START_TEST(expiry_thresholds_fire_once)
{
	struct config		*cfg = cfg_make(tp_conf);
	EVP_PKEY		*k = store_with_key();
	struct pki_expiry_state	 st = { 0 }, st2 = { 0 };
	struct ca		 ca;
	struct pki_error	 err;
	struct logged		 l;
	STACK_OF(X509)		*sk;
	time_t			 now = time(NULL), end;
	const long		 day = 86400;

	ca_make(&ca, "");
	sk = certs(ca.root, NULL, NULL);
	ck_assert_int_eq(pki_authenticate(store, cfg, "TP", sk, now, NULL, NULL,
	    &err), 0);
	sk_X509_pop_free(sk, X509_free);
	leaf_import(cfg, &ca, k, 100);
	end = now + 100 * day;

	ck_assert_int_eq(expiry_at(&st, now, &l), 0);
	ck_assert_uint_eq(st.n, 3);	/* leaf, chain, CA */
	ck_assert_int_eq(expiry_at(&st, end - 29 * day - 3600, &l), 1);
	ck_assert_int_eq(l.prio[0], LOG_WARNING);
	ck_assert_msg(strstr(l.msg[0], "certificate for trustpoint TP "
	    "(CN=cube.example.com, serial 07) expires in 29 days") &&
	    strstr(l.msg[0], "crypto pki enroll TP"), "%s", l.msg[0]);
	ck_assert_int_eq(expiry_at(&st, end - 28 * day, &l), 0);
	ck_assert_int_eq(expiry_at(&st, end - 6 * day, &l), 1);
	ck_assert_msg(strstr(l.msg[0], "expires in 6 days"), "%s", l.msg[0]);
	ck_assert_int_eq(expiry_at(&st, end - 5 * day, &l), 0);
	ck_assert_int_eq(expiry_at(&st, end - 5 * 3600, &l), 1);
	ck_assert_int_eq(l.prio[0], LOG_ERR);
	ck_assert_msg(strstr(l.msg[0], "expires in 5 hours"), "%s", l.msg[0]);
	ck_assert_int_eq(expiry_at(&st, end - 3600, &l), 0);
	ck_assert_int_eq(expiry_at(&st, end + 60, &l), 1);
	ck_assert_int_eq(l.prio[0], LOG_CRIT);
	ck_assert_msg(strstr(l.msg[0], "expired on"), "%s", l.msg[0]);
	ck_assert_int_eq(expiry_at(&st, end + day, &l), 0);

	/* a first look at 5 days left reports 7 days only, then 1 day */
	ck_assert_int_eq(expiry_at(&st2, end - 5 * day, &l), 1);
	ck_assert_msg(strstr(l.msg[0], "expires in 5 days"), "%s", l.msg[0]);
	ck_assert_int_eq(expiry_at(&st2, end - 4 * day, &l), 0);
	ck_assert_int_eq(expiry_at(&st2, end - day / 2, &l), 1);

	/* before notBefore: the clock, once */
	ck_assert_int_eq(expiry_at(&st2, now - 3 * day, &l), 3);
	ck_assert_msg(strstr(l.msg[0], "ahead of this system's clock: check NTP"),
	    "%s", l.msg[0]);
	ck_assert_int_eq(expiry_at(&st2, now - 3 * day, &l), 0);

	/* a renewed certificate starts afresh; the old one is forgotten */
	leaf_import(cfg, &ca, k, 20);
	ck_assert_int_eq(expiry_at(&st, now, &l), 1);
	ck_assert_msg(strstr(l.msg[0], "expires in 20 days"), "%s", l.msg[0]);
	ck_assert_uint_eq(st.n, 3);
	pki_expiry_state_free(&st);
	pki_expiry_state_free(&st2);
	EVP_PKEY_free(k);
	ca_free(&ca);
	config_free(cfg);
}
END_TEST

/* The daemon names the trustpoints it uses; the others are not looked at. */
START_TEST(expiry_list_named_only)
{
	static const char *const	 other[] = { "OTHER", "../TP" };
	static const char *const	 named[] = { "NOT-IN-STORE", "TP" };
	struct config			*cfg = cfg_make(tp_conf);
	EVP_PKEY			*k = store_with_key();
	struct pki_expiry_state		 st = { 0 };
	struct ca			 ca;
	struct pki_error		 err;
	struct logged			 l = { 0 };
	STACK_OF(X509)			*sk;
	time_t				 now = time(NULL);

	ca_make(&ca, "");
	sk = certs(ca.root, NULL, NULL);
	ck_assert_int_eq(pki_authenticate(store, cfg, "TP", sk, now, NULL, NULL,
	    &err), 0);
	sk_X509_pop_free(sk, X509_free);
	leaf_import(cfg, &ca, k, 10);
	ck_assert_int_eq(pki_expiry_check_list(store, other, 2, now, &st,
	    log_capture, &l), 0);
	ck_assert_int_eq(l.n, 0);
	ck_assert_uint_eq(st.n, 0);
	ck_assert_int_eq(pki_expiry_check_list(store, named, 2, now, &st,
	    log_capture, &l), 1);
	ck_assert_msg(strstr(l.msg[0], "certificate for trustpoint TP ") &&
	    strstr(l.msg[0], "expires in 10 days"), "%s", l.msg[0]);
	ck_assert_uint_eq(st.n, 3);
	pki_expiry_state_free(&st);
	EVP_PKEY_free(k);
	ca_free(&ca);
	config_free(cfg);
}
END_TEST

/* ---- the command layer ----------------------------------------------- */

static int
cli(struct config *cfg, char *out, size_t outlen, const char *answer,
    const char *line)
{
	char			*argv[32], *copy = strdup(line), *save = NULL;
	struct pki_cli_env	 env = { .store = store, .cfg = cfg };
	FILE			*tty = answer ? fmemopen((void *)answer,
				    strlen(answer), "r") : NULL;
	int			 argc = 0, rc;

	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	memset(out, 0, outlen);
	env.out = env.err = fmemopen(out, outlen - 1, "w");
	env.tty = tty;
	rc = pki_cli_run(&env, argc, argv);
	fclose(env.out);
	if (tty)
		fclose(tty);
	free(copy);
	return rc;
}

START_TEST(cli_words_and_answers)
{
	struct config	*cfg = cfg_make(tp_conf);
	char		 out[16384], cmd[600];
	struct ca	 ca;
	FILE		*fp;

	ck_assert_int_eq(cli(cfg, out, sizeof(out), NULL,
	    "cr k gen ec keys 384 lab k1"), 0);
	ck_assert_msg(strstr(out, "curve P-384"), "%s", out);
	ck_assert_int_eq(cli(cfg, out, sizeof(out), NULL,
	    "crypto key generate ec keysize 384 label k1"), 1);
	ck_assert_msg(strstr(out, "already exists"), "%s", out);
	ck_assert_int_eq(cli(cfg, out, sizeof(out), NULL,
	    "crypto key generate ec keysize 384 label k1 --force"), 0);
	ck_assert_int_eq(cli(cfg, out, sizeof(out), NULL, "crypto k frob"), 2);
	ck_assert_msg(strstr(out, "unknown argument: frob; valid here: generate, "
	    "export, zeroize"), "%s", out);
	ck_assert_int_eq(cli(cfg, out, sizeof(out), NULL, "crypto k e"), 2);
	ck_assert_msg(strstr(out, "usage: crypto key export"), "%s", out);
	ck_assert_int_eq(cli(cfg, out, sizeof(out), NULL,
	    "crypto key generate rsa modulus 5000"), 2);
	ck_assert_int_eq(cli(cfg, out, sizeof(out), NULL,
	    "crypto key generate rsa modulus"), 2);
	ck_assert_int_eq(cli(cfg, out, sizeof(out), NULL,
	    "crypto key generate rsa modulus 1024 label cube.example.com"), 0);
	ck_assert_msg(strstr(out, "refuses it"), "%s", out);
	ck_assert_int_eq(cli(cfg, out, sizeof(out), NULL,
	    "crypto key generate rsa modulus 1024"), 1);
	ck_assert_msg(strstr(out, "The name for the keys will be: cube.example.com"),
	    "%s", out);
	ck_assert_int_eq(cli(cfg, out, sizeof(out), NULL, "sh cr k myp ec"), 0);
	ck_assert_msg(strstr(out, "Key name: k1") &&
	    !strstr(out, "cube.example.com"), "%s", out);
	/* zeroize asks; "no" keeps the key */
	ck_assert_int_eq(cli(cfg, out, sizeof(out), "no\n",
	    "crypto key zeroize cube.example.com"), 1);
	ck_assert(pki_key_exists(store, "cube.example.com"));
	ck_assert_int_eq(cli(cfg, out, sizeof(out), "yes\n",
	    "crypto key zeroize rsa cube.example.com"), 0);
	ck_assert(!pki_key_exists(store, "cube.example.com"));

	/* authenticate asks too, and shows what it is asked to trust */
	ca_make(&ca, "");
	snprintf(cmd, sizeof(cmd), "%s/root.pem", dir);
	fp = fopen(cmd, "w");
	PEM_write_X509(fp, ca.root);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "crypto pki authenticate TP %s/root.pem", dir);
	ck_assert_int_eq(cli(cfg, out, sizeof(out), "no\n", cmd), 1);
	ck_assert_msg(strstr(out, "Subject: CN=Root CA") &&
	    strstr(out, "Do you accept this certificate? [yes/no]:") &&
	    strstr(out, "was not accepted"), "%s", out);
	ck_assert_int_eq(cli(cfg, out, sizeof(out), "yes\n", cmd), 0);
	ck_assert_msg(strstr(out, "Trustpoint CA certificate accepted."), "%s", out);
	ck_assert_int_eq(cli(cfg, out, sizeof(out), NULL,
	    "show crypto pki trustpoints TP"), 0);
	ck_assert_msg(strstr(out, "Trustpoint TP:") &&
	    strstr(out, "Certificate not configured.") &&
	    strstr(out, "CA Certificate\n  Status: Available"), "%s", out);
	ck_assert_int_eq(cli(cfg, out, sizeof(out), NULL,
	    "show crypto pki certificates NOPE"), 1);
	ca_free(&ca);
	config_free(cfg);
}
END_TEST

static Suite *
pki_suite(void)
{
	Suite	*s = suite_create("pki");
	TCase	*tc;

	tc = tcase_create("store");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, store_write_fails_midway_old_file_intact);
	tcase_add_test(tc, store_crash_midway_old_file_intact);
	tcase_add_test(tc, store_modes_ignore_umask);
	tcase_add_test(tc, store_refuses_exposed_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("keys");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, key_every_size);
	tcase_add_test(tc, key_bad_sizes);
	tcase_add_test(tc, key_labels);
	tcase_add_test(tc, key_export_rules);
	suite_add_tcase(s, tc);

	tc = tcase_create("requests");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, subject_parse_forms);
	tcase_add_test(tc, subject_parse_errors);
	tcase_add_test(tc, csr_contents);
	tcase_add_test(tc, csr_refusals_leave_store_alone);
	suite_add_tcase(s, tc);

	tc = tcase_create("certificates");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, certs_parse_forms);
	tcase_add_test(tc, authenticate_checks);
	tcase_add_test(tc, import_chain_errors);
	tcase_add_test(tc, import_and_load_identity);
	tcase_add_test(tc, expiry_thresholds_fire_once);
	tcase_add_test(tc, expiry_list_named_only);
	tcase_add_test(tc, cli_words_and_answers);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(pki_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
