/*
 * Key pairs by label, as "crypto key generate|export|zeroize" make them:
 * RSA 512..4096 bits or EC P-256/384/521, each in keys/LABEL.key with a few
 * "name: value" lines (usage, exportable, created) before the PEM key.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include "config.h"
#include "pki.h"

_Static_assert(PKI_NAME_MAX == CONF_NAME_MAX, "labels fit both");

static const char *const usage_names[] = {
	[PKI_USAGE_GENERAL] = "general",
	[PKI_USAGE_SIGN] = "sign",
	[PKI_USAGE_ENCR] = "encr",
};

const char *
pki_ec_curve(unsigned bits)
{
	switch (bits) {
	case 256: return "P-256";
	case 384: return "P-384";
	case 521: return "P-521";
	default: return NULL;
	}
}

/* IOS names keys after the router's FQDN: hostname plus "ip domain name". */
void
pki_default_label(const struct config *cfg, char *buf, size_t len)
{
	char	host[256] = "";

	if (cfg != NULL && cfg->hostname[0])
		snprintf(host, sizeof(host), "%s", cfg->hostname);
	else if (gethostname(host, sizeof(host) - 1) == -1 || host[0] == '\0')
		snprintf(host, sizeof(host), "localhost");
	if (strchr(host, '.') == NULL && cfg != NULL && cfg->domain_name[0])
		snprintf(buf, len, "%s.%s", host, cfg->domain_name);
	else
		snprintf(buf, len, "%s", host);
}

static int
key_path(char *buf, size_t len, const char *store, const char *label,
    struct pki_error *err)
{
	if (!pki_name_valid(label)) {
		pki_error_set(err, "\"%s\" is not a usable key label (letters, "
		    "digits, '.', '_' and '-'; at most %d characters; not starting "
		    "with '.' or '-')", label, PKI_NAME_MAX - 1);
		return -EINVAL;
	}
	return store_path(buf, len, err, "%s/%s/%s%s", store, PKI_DIR_KEYS,
	    label, PKI_KEY_SUFFIX);
}

bool
pki_key_exists(const char *store, const char *label)
{
	struct pki_error	err;
	char			path[4096];

	return key_path(path, sizeof(path), store, label, &err) == 0 &&
	    store_exists(path);
}

int
pki_key_labels(const char *store, char ***names, size_t *n, struct pki_error *err)
{
	char	dir[4096];
	int	rc;

	if ((rc = store_path(dir, sizeof(dir), err, "%s/%s", store,
	    PKI_DIR_KEYS)) != 0)
		return rc;
	return store_list(dir, PKI_KEY_SUFFIX, false, names, n, err);
}

int
pki_pubkey_fingerprint(const EVP_PKEY *pkey, char *out, size_t len)
{
	unsigned char	*der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	int		 derlen;

	out[0] = '\0';
	if ((derlen = i2d_PUBKEY(pkey, &der)) <= 0)
		return -EINVAL;
	if (!EVP_Digest(der, (size_t)derlen, md, &mdlen, EVP_sha256(), NULL)) {
		OPENSSL_free(der);
		return -EINVAL;
	}
	OPENSSL_free(der);
	pki_hex(md, mdlen, ":", out, len);
	return 0;
}

void
pki_key_describe(const EVP_PKEY *pkey, struct pki_key_info *info)
{
	char	group[64];
	int	nid;

	info->bits = (unsigned)EVP_PKEY_get_bits(pkey);
	info->curve[0] = '\0';
	if (EVP_PKEY_is_a(pkey, "RSA"))
		info->type = PKI_KEY_RSA;
	else if (EVP_PKEY_is_a(pkey, "EC")) {
		info->type = PKI_KEY_EC;
		if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), NULL) &&
		    (nid = OBJ_txt2nid(group)) != NID_undef &&
		    EC_curve_nid2nist(nid) != NULL)
			snprintf(info->curve, sizeof(info->curve), "%s",
			    EC_curve_nid2nist(nid));
	} else
		info->type = PKI_KEY_NONE;
	pki_pubkey_fingerprint(pkey, info->fingerprint, sizeof(info->fingerprint));
}

int
pki_key_create(enum pki_key_type type, unsigned bits, EVP_PKEY **out,
    struct pki_error *err)
{
	const char	*curve;

	*out = NULL;
	if (type == PKI_KEY_RSA) {
		if (bits < PKI_RSA_MIN || bits > PKI_RSA_MAX) {
			pki_error_set(err, "RSA modulus %u is outside %d..%d",
			    bits, PKI_RSA_MIN, PKI_RSA_MAX);
			return -EINVAL;
		}
		*out = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	} else if (type == PKI_KEY_EC) {
		if ((curve = pki_ec_curve(bits)) == NULL) {
			pki_error_set(err, "EC key size %u is not 256, 384 or 521",
			    bits);
			return -EINVAL;
		}
		*out = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
	} else {
		pki_error_set(err, "unknown key type");
		return -EINVAL;
	}
	if (*out == NULL) {
		pki_error_openssl(err, "key generation failed");
		return -EIO;
	}
	return 0;
}

/* The header lines, then the unencrypted PKCS#8 key, in memory OpenSSL wipes. */
static BIO *
key_serialize(EVP_PKEY *pkey, const struct pki_key_info *info,
    struct pki_error *err)
{
	char		 when[32];
	struct tm	 tm;
	BIO		*bio;

	if ((bio = BIO_new(BIO_s_secmem())) == NULL) {
		pki_error_openssl(err, "out of memory");
		return NULL;
	}
	gmtime_r(&info->created, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	BIO_printf(bio, "sipktls key pair\nlabel: %s\ntype: %s\nsize: %u\n"
	    "%s%s%susage: %s\nexportable: %s\ncreated: %s\n", info->label,
	    info->type == PKI_KEY_RSA ? "rsa" : "ec", info->bits,
	    info->curve[0] ? "curve: " : "", info->curve,
	    info->curve[0] ? "\n" : "", usage_names[info->usage],
	    info->exportable ? "yes" : "no", when);
	if (!PEM_write_bio_PKCS8PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL)) {
		pki_error_openssl(err, "cannot encode the private key");
		BIO_free(bio);
		return NULL;
	}
	return bio;
}

int
pki_key_save(const char *store, EVP_PKEY *pkey, const char *label,
    enum pki_key_usage usage, bool exportable, struct pki_key_info *info,
    struct pki_error *err)
{
	struct pki_key_info	 tmp;
	char			 path[4096], *data;
	long			 len;
	BIO			*bio;
	int			 rc;

	if (info == NULL)
		info = &tmp;
	memset(info, 0, sizeof(*info));
	if ((rc = key_path(path, sizeof(path), store, label, err)) != 0)
		return rc;
	snprintf(info->label, sizeof(info->label), "%s", label);
	pki_key_describe(pkey, info);
	info->usage = usage;
	info->exportable = exportable;
	info->created = time(NULL);
	if ((bio = key_serialize(pkey, info, err)) == NULL)
		return -ENOMEM;
	len = BIO_get_mem_data(bio, &data);
	if ((rc = store_prepare_keys(store, err)) == 0)
		rc = store_write_atomic(path, data, (size_t)len, 0600, err);
	BIO_free(bio);
	return rc;
}

static void
header_parse(char *text, struct pki_key_info *info)
{
	char		*line, *save = NULL, *val;
	struct tm	 tm;

	for (line = strtok_r(text, "\n", &save); line != NULL &&
	    strncmp(line, "-----BEGIN", 10) != 0;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((val = strstr(line, ": ")) == NULL)
			continue;
		*val = '\0';
		val += 2;
		if (strcmp(line, "exportable") == 0)
			info->exportable = strcmp(val, "yes") == 0;
		else if (strcmp(line, "usage") == 0)
			info->usage = strcmp(val, "sign") == 0 ? PKI_USAGE_SIGN :
			    strcmp(val, "encr") == 0 ? PKI_USAGE_ENCR :
			    PKI_USAGE_GENERAL;
		else if (strcmp(line, "created") == 0) {
			memset(&tm, 0, sizeof(tm));
			if (strptime(val, "%Y-%m-%dT%H:%M:%SZ", &tm) != NULL)
				info->created = timegm(&tm);
		}
	}
}

/* Only the header is copied out for parsing; the key bytes stay in buf. */
static void
key_header(const char *buf, size_t len, struct pki_key_info *info)
{
	const char	*begin = strstr(buf, "-----BEGIN");
	size_t		 hlen = begin ? (size_t)(begin - buf) : len;
	char		*head;

	if ((head = strndup(buf, hlen)) == NULL)
		return;
	header_parse(head, info);
	free(head);
}

static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf; (void)size; (void)rwflag; (void)u;
	return -1;	/* a store key is never encrypted; never prompt */
}

static int
key_missing(const char *store, const char *label, struct pki_error *err)
{
	struct pki_error	 lerr;
	char			**names, list[512] = "";
	size_t			 n = 0, off = 0;

	if (pki_key_labels(store, &names, &n, &lerr) == 0) {
		for (size_t i = 0; i < n && off < sizeof(list); i++)
			off += (size_t)snprintf(list + off, sizeof(list) - off,
			    "%s%s", i ? ", " : "", names[i]);
		store_names_free(names, n);
	}
	pki_error_set(err, "no key pair labelled %s in %s/%s (%s%s); create it "
	    "with \"crypto key generate rsa general-keys label %s\" or \"crypto "
	    "key generate ec keysize 256 label %s\"", label, store, PKI_DIR_KEYS,
	    n && list[0] ? "key pairs there: " : "there are none", list, label,
	    label);
	return -ENOENT;
}

int
pki_key_load(const char *store, const char *label, EVP_PKEY **out,
    struct pki_key_info *info, struct pki_error *err)
{
	struct pki_key_info	 tmp;
	char			 path[4096], *buf = NULL;
	size_t			 len = 0;
	EVP_PKEY		*pkey;
	BIO			*bio;
	int			 rc;

	if (out)
		*out = NULL;
	if (info == NULL)
		info = &tmp;
	memset(info, 0, sizeof(*info));
	if ((rc = key_path(path, sizeof(path), store, label, err)) != 0)
		return rc;
	if (!store_exists(path))
		return key_missing(store, label, err);
	if ((rc = store_read(path, true, &buf, &len, err)) != 0)
		return rc;
	snprintf(info->label, sizeof(info->label), "%s", label);
	key_header(buf, len, info);
	ERR_clear_error();
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL ||
	    (pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)) == NULL) {
		pki_error_openssl(err, "%s holds no usable private key", path);
		BIO_free(bio);
		store_free_secret(buf, len);
		return -EINVAL;
	}
	BIO_free(bio);
	store_free_secret(buf, len);
	pki_key_describe(pkey, info);
	if (out)
		*out = pkey;
	else
		EVP_PKEY_free(pkey);
	return 0;
}

static void
key_summary(const struct pki_key_info *ki, char *buf, size_t len)
{
	char		when[32] = "an unknown time";
	struct tm	tm;

	if (ki->created) {
		gmtime_r(&ki->created, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	}
	if (ki->type == PKI_KEY_EC)
		snprintf(buf, len, "EC %s, %s, created %s", ki->curve,
		    ki->exportable ? "exportable" : "not exportable", when);
	else
		snprintf(buf, len, "RSA %u bits, %s, created %s", ki->bits,
		    ki->exportable ? "exportable" : "not exportable", when);
}

static int
label_free_check(const char *store, const char *label, bool force,
    struct pki_error *err)
{
	struct pki_key_info	ki;
	struct pki_error	lerr;
	char			what[160];

	if (!pki_key_exists(store, label) || force)
		return 0;
	if (pki_key_load(store, label, NULL, &ki, &lerr) == 0)
		key_summary(&ki, what, sizeof(what));
	else
		snprintf(what, sizeof(what), "unreadable: %.140s", lerr.msg);
	pki_error_set(err, "a key pair labelled %s already exists (%s); give "
	    "--force to replace it, or choose another label", label, what);
	return -EEXIST;
}

static int
keygen_check(const char *store, const struct pki_keygen *gen,
    char labels[2][PKI_NAME_MAX], size_t *n, struct pki_error *err)
{
	char	path[4096];
	int	rc;

	if (gen->usage_keys && gen->type != PKI_KEY_RSA) {
		pki_error_set(err, "usage-keys exist for RSA only");
		return -EINVAL;
	}
	*n = gen->usage_keys ? 2 : 1;
	snprintf(labels[0], PKI_NAME_MAX, "%s%s", gen->label,
	    gen->usage_keys ? "-sign" : "");
	snprintf(labels[1], PKI_NAME_MAX, "%s-encr", gen->label);
	for (size_t i = 0; i < *n; i++) {
		if (strlen(gen->label) + (gen->usage_keys ? 5 : 0) >= PKI_NAME_MAX) {
			pki_error_set(err, "key label %s is too long", gen->label);
			return -EINVAL;
		}
		if ((rc = key_path(path, sizeof(path), store, labels[i], err)) != 0 ||
		    (rc = label_free_check(store, labels[i], gen->force, err)) != 0)
			return rc;
	}
	return 0;
}

/*
 * Both keys of a usage-keys pair are made before either is written; if the
 * second write fails, a first one that did not exist before is removed.
 */
int
pki_key_generate(const char *store, const struct pki_keygen *gen,
    struct pki_key_info out[2], size_t *nout, struct pki_error *err)
{
	static const enum pki_key_usage usage[2] = { PKI_USAGE_SIGN, PKI_USAGE_ENCR };
	char		 labels[2][PKI_NAME_MAX], path[4096];
	EVP_PKEY	*pkey[2] = { NULL, NULL };
	bool		 existed;
	size_t		 n, i;
	int		 rc;

	*nout = 0;
	if ((rc = keygen_check(store, gen, labels, &n, err)) != 0)
		return rc;
	for (i = 0; i < n; i++)
		if ((rc = pki_key_create(gen->type, gen->bits, &pkey[i], err)) != 0)
			goto out;
	existed = pki_key_exists(store, labels[0]);
	for (i = 0; i < n; i++) {
		rc = pki_key_save(store, pkey[i], labels[i], gen->usage_keys ?
		    usage[i] : PKI_USAGE_GENERAL, gen->exportable, &out[i], err);
		if (rc != 0)
			break;
	}
	if (rc != 0 && i == 1 && !existed &&
	    key_path(path, sizeof(path), store, labels[0], err) == 0)
		unlink(path);
	*nout = rc == 0 ? n : 0;
out:
	EVP_PKEY_free(pkey[0]);
	EVP_PKEY_free(pkey[1]);
	return rc;
}

/* IOS lets only keys generated "exportable" leave the box. */
int
pki_key_export(const char *store, const char *label, const char *passphrase,
    char **pem, size_t *len, struct pki_error *err)
{
	struct pki_key_info	 info;
	EVP_PKEY		*pkey;
	const EVP_CIPHER	*enc = NULL;
	size_t			 plen = passphrase ? strlen(passphrase) : 0;
	char			*data;
	long			 dlen;
	BIO			*bio;
	int			 rc, ok;

	*pem = NULL;
	if ((rc = pki_key_load(store, label, &pkey, &info, err)) != 0)
		return rc;
	if (!info.exportable) {
		EVP_PKEY_free(pkey);
		pki_error_set(err, "key pair %s was not generated exportable, so "
		    "it cannot be exported (generate a new pair with "
		    "\"exportable\")", label);
		return -EPERM;
	}
	if (plen > 0)
		enc = EVP_aes_256_cbc();
	if ((bio = BIO_new(BIO_s_secmem())) == NULL) {
		EVP_PKEY_free(pkey);
		pki_error_openssl(err, "out of memory");
		return -ENOMEM;
	}
	ok = PEM_write_bio_PUBKEY(bio, pkey) && PEM_write_bio_PKCS8PrivateKey(bio,
	    pkey, enc, plen ? passphrase : NULL, (int)plen, NULL, NULL);
	EVP_PKEY_free(pkey);
	dlen = BIO_get_mem_data(bio, &data);
	if (!ok || (*pem = malloc((size_t)dlen + 1)) == NULL) {
		pki_error_openssl(err, "cannot encode key pair %s", label);
		BIO_free(bio);
		return -ENOMEM;
	}
	memcpy(*pem, data, (size_t)dlen);
	(*pem)[dlen] = '\0';
	*len = (size_t)dlen;
	BIO_free(bio);
	return 0;
}

static int
zeroize_one(const char *store, const char *label, enum pki_key_type type,
    struct pki_error *err)
{
	struct pki_key_info	info;
	char			path[4096];
	int			rc;

	if ((rc = key_path(path, sizeof(path), store, label, err)) != 0)
		return rc;
	/* an unreadable or foreign key file may still be removed by name */
	if (type != PKI_KEY_NONE && pki_key_load(store, label, NULL, &info,
	    err) == 0 && info.type != type) {
		pki_error_set(err, "key pair %s is an %s key, not %s", label,
		    info.type == PKI_KEY_RSA ? "RSA" : "EC",
		    type == PKI_KEY_RSA ? "RSA" : "EC");
		return -EINVAL;
	}
	return store_remove(path, err);
}

/* A usage-keys label names both of its pairs, as in IOS. */
int
pki_key_zeroize(const char *store, const char *label, enum pki_key_type type,
    char removed[2][PKI_NAME_MAX], struct pki_error *err)
{
	char	pair[2][PKI_NAME_MAX];
	size_t	n = 0;
	int	rc;

	removed[0][0] = removed[1][0] = '\0';
	if (pki_key_exists(store, label))
		snprintf(pair[n++], PKI_NAME_MAX, "%s", label);
	else if (strlen(label) + 5 < PKI_NAME_MAX) {
		snprintf(pair[0], PKI_NAME_MAX, "%s-sign", label);
		snprintf(pair[1], PKI_NAME_MAX, "%s-encr", label);
		n = pki_key_exists(store, pair[0]) ? 1 : 0;
		if (pki_key_exists(store, pair[1]))
			memmove(pair[n++], pair[1], PKI_NAME_MAX);
	}
	if (n == 0) {
		char path[4096];

		if ((rc = key_path(path, sizeof(path), store, label, err)) != 0)
			return rc;
		return key_missing(store, label, err);
	}
	for (size_t i = 0; i < n; i++) {
		if ((rc = zeroize_one(store, pair[i], type, err)) != 0)
			return rc;
		memcpy(removed[i], pair[i], PKI_NAME_MAX);
	}
	return 0;
}
