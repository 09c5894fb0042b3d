/*
 * Certificate requests, "crypto pki enroll": the trustpoint's subject-name
 * (IOS-style X.500 text), fqdn and subject-alt-name as DNS SANs, and the
 * host's serial number and IP address as IOS puts them, signed with its key.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "config.h"
#include "pki.h"

#define DMI_SERIAL	"/sys/class/dmi/id/product_serial"
#define MACHINE_ID	"/etc/machine-id"
#define ATTR_VALUE_MAX	256

/* Attribute spellings OpenSSL's names do not cover; the rest match them. */
static const struct {
	const char	*name;
	int		 nid;
} attr_aliases[] = {
	{ "E", NID_pkcs9_emailAddress },
	{ "EA", NID_pkcs9_emailAddress },	/* IOS's own spelling */
	{ "EMAIL", NID_pkcs9_emailAddress },
	{ "S", NID_stateOrProvinceName },
	{ "SP", NID_stateOrProvinceName },
	{ "T", NID_title },
	{ "HOSTNAME", NID_pkcs9_unstructuredName },
	{ "IPADDRESS", NID_pkcs9_unstructuredAddress },
};

static const int attr_nids[] = {
	NID_commonName, NID_countryName, NID_localityName,
	NID_stateOrProvinceName, NID_organizationName,
	NID_organizationalUnitName, NID_pkcs9_emailAddress, NID_serialNumber,
	NID_streetAddress, NID_domainComponent, NID_userId, NID_title,
	NID_givenName, NID_surname, NID_initials, NID_pseudonym,
	NID_generationQualifier, NID_dnQualifier, NID_postalCode,
	NID_businessCategory, NID_pkcs9_unstructuredName,
	NID_pkcs9_unstructuredAddress, NID_name, NID_description,
	NID_organizationIdentifier,
};

/* Case-insensitive, as IOS is; a dotted OID is taken as written. */
static ASN1_OBJECT *
attr_lookup(const char *type)
{
	size_t	i;

	for (i = 0; i < sizeof(attr_aliases) / sizeof(attr_aliases[0]); i++)
		if (strcasecmp(type, attr_aliases[i].name) == 0)
			return OBJ_nid2obj(attr_aliases[i].nid);
	for (i = 0; i < sizeof(attr_nids) / sizeof(attr_nids[0]); i++)
		if (strcasecmp(type, OBJ_nid2sn(attr_nids[i])) == 0 ||
		    strcasecmp(type, OBJ_nid2ln(attr_nids[i])) == 0)
			return OBJ_nid2obj(attr_nids[i]);
	if (isdigit((unsigned char)type[0]))
		return OBJ_txt2obj(type, 1);
	return NULL;
}

struct dn_cursor {
	const char	*s;
	char		 type[64];
	char		 value[ATTR_VALUE_MAX];
	size_t		 vlen;
	char		 sep;		/* ',' '+' or '\0' after this attribute */
};

static int
hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

static int
dn_type(struct dn_cursor *c, struct pki_error *err)
{
	size_t	n = 0;

	while (isspace((unsigned char)*c->s))
		c->s++;
	while (*c->s && *c->s != '=' && *c->s != ',' && *c->s != '+') {
		if (n + 1 >= sizeof(c->type)) {
			pki_error_set(err, "attribute name \"%.20s...\" is too long",
			    c->type);
			return -EINVAL;
		}
		c->type[n++] = *c->s++;
	}
	while (n > 0 && isspace((unsigned char)c->type[n - 1]))
		n--;
	c->type[n] = '\0';
	if (n == 0) {
		pki_error_set(err, "an attribute has no name (an empty part "
		    "between separators, or nothing before '=')");
		return -EINVAL;
	}
	if (*c->s != '=') {
		pki_error_set(err, "\"%s\" has no '=' (write e.g. "
		    "CN=cube.example.com,O=Example)", c->type);
		return -EINVAL;
	}
	c->s++;
	return 0;
}

/* One escaped character: \, \+ \" \\ and the other specials, or \HH. */
static int
dn_escape(struct dn_cursor *c, char *out, struct pki_error *err)
{
	if (c->s[1] == '\0') {
		pki_error_set(err, "value of %s ends with a lone backslash", c->type);
		return -EINVAL;
	}
	if (isxdigit((unsigned char)c->s[1]) && isxdigit((unsigned char)c->s[2])) {
		*out = (char)(hexval((unsigned char)c->s[1]) * 16 +
		    hexval((unsigned char)c->s[2]));
		c->s += 3;
	} else {
		*out = c->s[1];
		c->s += 2;
	}
	return 0;
}

static int
dn_push(struct dn_cursor *c, char ch, struct pki_error *err)
{
	if (c->vlen + 1 >= sizeof(c->value)) {
		pki_error_set(err, "value of %s is longer than %d characters",
		    c->type, ATTR_VALUE_MAX - 1);
		return -EINVAL;
	}
	c->value[c->vlen++] = ch;
	return 0;
}

/* One character of a value, escaped or as written, appended to it. */
static int
dn_char_read(struct dn_cursor *c, char *out, struct pki_error *err)
{
	int	rc;

	if (*c->s == '\\') {
		if ((rc = dn_escape(c, out, err)) != 0)
			return rc;
	} else
		*out = *c->s++;
	return dn_push(c, *out, err);
}

static int
dn_quoted(struct dn_cursor *c, struct pki_error *err)
{
	char	ch;
	int	rc;

	for (c->s++; *c->s != '"'; ) {
		if (*c->s == '\0') {
			pki_error_set(err, "value of %s has no closing '\"'", c->type);
			return -EINVAL;
		}
		if ((rc = dn_char_read(c, &ch, err)) != 0)
			return rc;
	}
	c->s++;
	while (isspace((unsigned char)*c->s))
		c->s++;
	if (*c->s && *c->s != ',' && *c->s != '+' && *c->s != ';') {
		pki_error_set(err, "unexpected \"%.20s\" after the quoted value of "
		    "%s", c->s, c->type);
		return -EINVAL;
	}
	return 0;
}

/* Spaces around a value are dropped unless escaped, as RFC 4514 says. */
static int
dn_value(struct dn_cursor *c, struct pki_error *err)
{
	size_t	keep = 0;
	char	ch;
	int	rc;

	c->vlen = 0;
	while (isspace((unsigned char)*c->s))
		c->s++;
	if (*c->s == '"') {
		if ((rc = dn_quoted(c, err)) != 0)
			return rc;
		keep = c->vlen;
	} else
		while (*c->s && *c->s != ',' && *c->s != '+' && *c->s != ';') {
			bool escaped = *c->s == '\\';

			if ((rc = dn_char_read(c, &ch, err)) != 0)
				return rc;
			if (escaped || !isspace((unsigned char)ch))
				keep = c->vlen;
		}
	c->vlen = keep;
	c->value[keep] = '\0';
	c->sep = *c->s == ';' ? ',' : *c->s;
	if (*c->s)
		c->s++;
	if (keep == 0) {
		pki_error_set(err, "%s has an empty value", c->type);
		return -EINVAL;
	}
	return 0;
}

static int
dn_add(X509_NAME *name, struct dn_cursor *c, bool same_rdn, struct pki_error *err)
{
	ASN1_OBJECT	*obj;
	int		 ok;

	if ((obj = attr_lookup(c->type)) == NULL) {
		pki_error_set(err, "unknown attribute \"%s\" (use CN, O, OU, L, ST, "
		    "C, E, serialNumber, DC, UID or a dotted OID)", c->type);
		return -EINVAL;
	}
	ERR_clear_error();
	ok = X509_NAME_add_entry_by_OBJ(name, obj, MBSTRING_UTF8,
	    (const unsigned char *)c->value, (int)c->vlen, -1, same_rdn ? -1 : 0);
	ASN1_OBJECT_free(obj);
	if (!ok) {
		pki_error_openssl(err, "cannot use %s=%s", c->type, c->value);
		return -EINVAL;
	}
	return 0;
}

/*
 * IOS-style X.500 text: "CN=x,O=y, OU=z", attribute names in any case,
 * ',' or ';' between RDNs, '+' inside a multi-valued RDN, backslash escapes
 * and quoted values. Attributes keep the order written.
 */
int
pki_subject_parse(const char *text, X509_NAME **out, struct pki_error *err)
{
	struct dn_cursor	 c = { .s = text, .sep = ',' };
	X509_NAME		*name;
	bool			 same_rdn = false;
	int			 rc;

	*out = NULL;
	if ((name = X509_NAME_new()) == NULL) {
		pki_error_openssl(err, "out of memory");
		return -ENOMEM;
	}
	do {
		if ((rc = dn_type(&c, err)) != 0 || (rc = dn_value(&c, err)) != 0 ||
		    (rc = dn_add(name, &c, same_rdn, err)) != 0) {
			X509_NAME_free(name);
			return rc;
		}
		same_rdn = c.sep == '+';
	} while (c.sep != '\0');
	*out = name;
	return 0;
}

/* Placeholders firmware leaves in the DMI serial are not serial numbers. */
static bool
serial_usable(const char *s)
{
	static const char *const junk[] = { "o.e.m", "default string",
	    "not specified", "not applicable", "system serial", "none",
	    "chassis serial", "0123456789" };

	if (strlen(s) == 0 || strspn(s, "0 ") == strlen(s))
		return false;
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		if (strcasestr(s, junk[i]) != NULL)
			return false;
	for (const char *p = s; *p; p++)
		if (!isprint((unsigned char)*p))
			return false;
	return true;
}

static bool
read_line(const char *path, char *buf, size_t len)
{
	FILE	*fp;
	bool	 ok;

	if ((fp = fopen(path, "re")) == NULL)
		return false;
	ok = fgets(buf, (int)len, fp) != NULL;
	fclose(fp);
	if (ok)
		buf[strcspn(buf, "\r\n")] = '\0';
	return ok;
}

/*
 * The machine id must not be shown as is (machine-id(5)); like
 * sd_id128_get_machine_app_specific(), a keyed hash of it is stable per
 * host and says nothing about the id itself.
 */
static int
machine_serial(const char *hex, char *buf, size_t len)
{
	static const unsigned char app[16] = { 0x6f, 0x1c, 0x2b, 0x9e, 0x3a,
	    0x5d, 0x4e, 0x8b, 0x9c, 0x07, 0x2d, 0x4f, 0x8a, 0x1b, 0x5e, 0x63 };
	unsigned char	id[16], mac[EVP_MAX_MD_SIZE];
	size_t		maclen;

	if (strlen(hex) != 32 || strspn(hex, "0123456789abcdefABCDEF") != 32)
		return -EINVAL;
	for (int i = 0; i < 16; i++)
		id[i] = (unsigned char)(hexval((unsigned char)hex[2 * i]) * 16 +
		    hexval((unsigned char)hex[2 * i + 1]));
	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, id, sizeof(id), app,
	    sizeof(app), mac, sizeof(mac), &maclen) == NULL)
		return -EIO;
	pki_hex(mac, 8, "", buf, len);
	return 0;
}

/*
 * The serial number IOS puts in a request is the router's; here it is the
 * hardware's (DMI product serial, usually readable by root only), else one
 * derived from /etc/machine-id.
 */
int
pki_host_serial(char *buf, size_t len, const char **source, struct pki_error *err)
{
	char	line[128];

	if (read_line(DMI_SERIAL, line, sizeof(line)) && serial_usable(line) &&
	    strlen(line) < 64) {
		snprintf(buf, len, "%s", line);
		*source = DMI_SERIAL;
		return 0;
	}
	if (read_line(MACHINE_ID, line, sizeof(line)) &&
	    machine_serial(line, buf, len) == 0) {
		*source = MACHINE_ID;
		return 0;
	}
	pki_error_set(err, "serial-number: this host has no serial number (%s "
	    "is unreadable or a placeholder, %s is missing); remove "
	    "\"serial-number\" or write \"serial-number none\"", DMI_SERIAL,
	    MACHINE_ID);
	return -ENOENT;
}

/* "ip-address" is an IPv4 address or an interface, whose first one is used. */
int
pki_ip_resolve(const char *what, char *buf, size_t len, struct pki_error *err)
{
	struct ifaddrs	*ifa, *i;
	struct in_addr	 a;
	bool		 seen = false;

	if (inet_pton(AF_INET, what, &a) == 1) {
		snprintf(buf, len, "%s", what);
		return 0;
	}
	if (getifaddrs(&ifa) == -1) {
		pki_error_set(err, "ip-address %s: cannot list interfaces: %s",
		    what, strerror(errno));
		return -errno;
	}
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (strcmp(i->ifa_name, what) != 0)
			continue;
		seen = true;
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET) {
			inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)
			    i->ifa_addr)->sin_addr, buf, (socklen_t)len);
			freeifaddrs(ifa);
			return 0;
		}
	}
	freeifaddrs(ifa);
	pki_error_set(err, seen ? "ip-address: interface %s has no IPv4 address" :
	    "ip-address: %s is neither an IPv4 address nor an interface of this "
	    "host", what);
	return -ENOENT;
}

static int
name_add_text(X509_NAME *name, int nid, const char *value, struct pki_error *err)
{
	if (X509_NAME_get_index_by_NID(name, nid, -1) >= 0)
		return 0;	/* subject-name already says it */
	if (!X509_NAME_add_entry_by_NID(name, nid, MBSTRING_ASC,
	    (const unsigned char *)value, -1, -1, 0)) {
		pki_error_openssl(err, "cannot add %s=%s to the subject",
		    OBJ_nid2sn(nid), value);
		return -EINVAL;
	}
	return 0;
}

static int
subject_build(const struct config *cfg, const struct trustpoint_config *tp,
    X509_NAME **name, struct pki_enroll_result *res, struct pki_error *err)
{
	char	text[CONF_TEXT_MAX + 8], host[CONF_HOST_MAX];
	int	rc;

	if (tp->subject_name[0])
		snprintf(text, sizeof(text), "%s", tp->subject_name);
	else {
		/* IOS would use the router's name; a TLS peer looks at CN */
		if (tp->fqdn[0])
			snprintf(host, sizeof(host), "%s", tp->fqdn);
		else
			pki_default_label(cfg, host, sizeof(host));
		snprintf(text, sizeof(text), "CN=%s", host);
	}
	if ((rc = pki_subject_parse(text, name, err)) != 0) {
		pki_error_prefix(err, "subject-name \"%s\": ", text);
		return rc;
	}
	if (tp->serial_number) {
		if ((rc = pki_host_serial(res->serial, sizeof(res->serial),
		    &res->serial_source, err)) != 0 ||
		    (rc = name_add_text(*name, NID_serialNumber, res->serial,
		    err)) != 0)
			return rc;
	}
	if (tp->ip_address[0]) {
		if ((rc = pki_ip_resolve(tp->ip_address, res->ip, sizeof(res->ip),
		    err)) != 0 || (rc = name_add_text(*name,
		    NID_pkcs9_unstructuredAddress, res->ip, err)) != 0)
			return rc;
	}
	return 0;
}

static bool
san_present(GENERAL_NAMES *gens, const char *dns)
{
	for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		const ASN1_IA5STRING *s = sk_GENERAL_NAME_value(gens, i)->d.dNSName;

		if ((size_t)ASN1_STRING_length(s) == strlen(dns) &&
		    strncasecmp((const char *)ASN1_STRING_get0_data(s), dns,
		    strlen(dns)) == 0)
			return true;
	}
	return false;
}

static int
san_add(GENERAL_NAMES *gens, const char *dns, struct pki_enroll_result *res)
{
	GENERAL_NAME	*gen;
	ASN1_IA5STRING	*ia5;
	size_t		 off = strlen(res->sans);

	if (san_present(gens, dns))
		return 0;
	if ((ia5 = ASN1_IA5STRING_new()) == NULL)
		return -ENOMEM;
	if (!ASN1_STRING_set(ia5, dns, -1) || (gen = GENERAL_NAME_new()) == NULL) {
		ASN1_IA5STRING_free(ia5);
		return -ENOMEM;
	}
	GENERAL_NAME_set0_value(gen, GEN_DNS, ia5);
	if (!sk_GENERAL_NAME_push(gens, gen)) {
		GENERAL_NAME_free(gen);
		return -ENOMEM;
	}
	snprintf(res->sans + off, sizeof(res->sans) - off, "%s%s", off ? ", " : "",
	    dns);
	return 0;
}

/* fqdn and subject-alt-name, each once (names compare without case). */
static int
sans_add(X509_REQ *req, const struct trustpoint_config *tp,
    struct pki_enroll_result *res, struct pki_error *err)
{
	GENERAL_NAMES			*gens;
	STACK_OF(X509_EXTENSION)	*exts = NULL;
	int				 rc = -ENOMEM;

	if (!tp->fqdn[0] && !tp->subject_alt_name[0])
		return 0;
	if ((gens = GENERAL_NAMES_new()) == NULL)
		goto out;
	if ((tp->fqdn[0] && san_add(gens, tp->fqdn, res) != 0) ||
	    (tp->subject_alt_name[0] && san_add(gens, tp->subject_alt_name,
	    res) != 0))
		goto out;
	if (X509V3_add1_i2d(&exts, NID_subject_alt_name, gens, 0,
	    X509V3_ADD_DEFAULT) != 1 || !X509_REQ_add_extensions(req, exts))
		goto out;
	rc = 0;
out:
	if (rc != 0)
		pki_error_openssl(err, "cannot add the subjectAltName extension");
	GENERAL_NAMES_free(gens);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return rc;
}

/* The digest matches the key's strength: P-384 and P-521 want more than SHA-256. */
static const EVP_MD *
digest_for(const EVP_PKEY *pkey)
{
	if (EVP_PKEY_is_a(pkey, "EC") && EVP_PKEY_get_bits(pkey) > 384)
		return EVP_sha512();
	if (EVP_PKEY_is_a(pkey, "EC") && EVP_PKEY_get_bits(pkey) > 256)
		return EVP_sha384();
	return EVP_sha256();
}

int
pki_csr_build(const struct config *cfg, const struct trustpoint_config *tp,
    EVP_PKEY *pkey, X509_REQ **out, struct pki_enroll_result *res,
    struct pki_error *err)
{
	X509_NAME	*name = NULL;
	X509_REQ	*req;
	int		 rc;

	*out = NULL;
	ERR_clear_error();
	if ((req = X509_REQ_new()) == NULL) {
		pki_error_openssl(err, "out of memory");
		return -ENOMEM;
	}
	if ((rc = subject_build(cfg, tp, &name, res, err)) != 0 ||
	    (rc = sans_add(req, tp, res, err)) != 0)
		goto fail;
	pki_name_oneline(name, res->subject, sizeof(res->subject));
	rc = -EINVAL;
	if (!X509_REQ_set_version(req, 0) || !X509_REQ_set_subject_name(req, name) ||
	    !X509_REQ_set_pubkey(req, pkey) || !X509_REQ_sign(req, pkey,
	    digest_for(pkey))) {
		pki_error_openssl(err, "cannot sign the request");
		goto fail;
	}
	X509_NAME_free(name);
	*out = req;
	return 0;
fail:
	X509_NAME_free(name);
	X509_REQ_free(req);
	return rc;
}

static int
enroll_trustpoint(const struct config *cfg, const char *name,
    const struct trustpoint_config **tp, struct pki_error *err)
{
	int	rc;

	if ((rc = pki_trustpoint_config(cfg, name, tp, err)) != 0)
		return rc;
	if ((*tp)->key_type == KEY_UNSET) {
		pki_error_set(err, "trustpoint %s has no rsakeypair or eckeypair, "
		    "so there is no key to sign the request with", name);
		return -EINVAL;
	}
	return 0;
}

/* IOS generates a missing rsakeypair at enrolment; EC keys get P-256. */
static int
enroll_key(const char *store, const struct trustpoint_config *tp,
    EVP_PKEY **pkey, struct pki_enroll_result *res, struct pki_error *err)
{
	enum pki_key_type	want = tp->key_type == KEY_EC ? PKI_KEY_EC : PKI_KEY_RSA;
	int			rc;

	if (pki_key_exists(store, tp->key_label)) {
		if ((rc = pki_key_load(store, tp->key_label, pkey, &res->key,
		    err)) != 0)
			return rc;
		if (res->key.type != want) {
			pki_error_set(err, "trustpoint %s names %s %s, but that key "
			    "pair is an %s key", tp->name, want == PKI_KEY_EC ?
			    "eckeypair" : "rsakeypair", tp->key_label,
			    res->key.type == PKI_KEY_EC ? "EC" : "RSA");
			return -EINVAL;
		}
		return 0;
	}
	res->key_generated = true;
	if ((rc = pki_key_create(want, want == PKI_KEY_EC ? 256 : tp->key_size ?
	    tp->key_size : PKI_RSA_DEFAULT, pkey, err)) != 0)
		return rc;
	snprintf(res->key.label, sizeof(res->key.label), "%s", tp->key_label);
	pki_key_describe(*pkey, &res->key);
	return 0;
}

static int
csr_pem(X509_REQ *req, char **pem, struct pki_error *err)
{
	BIO	*bio;
	char	*data;
	long	 len;

	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    !PEM_write_bio_X509_REQ(bio, req)) {
		BIO_free(bio);
		pki_error_openssl(err, "cannot encode the request");
		return -ENOMEM;
	}
	len = BIO_get_mem_data(bio, &data);
	if ((*pem = strndup(data, (size_t)len)) == NULL) {
		BIO_free(bio);
		pki_error_set(err, "out of memory");
		return -ENOMEM;
	}
	BIO_free(bio);
	return 0;
}

/*
 * Everything that can be refused is checked before the store is touched:
 * a new key is written only once the request built with it exists.
 */
int
pki_enroll(const char *store, const struct config *cfg, const char *name,
    struct pki_enroll_result *res, struct pki_error *err)
{
	const struct trustpoint_config	*tp = NULL;
	EVP_PKEY			*pkey = NULL;
	X509_REQ			*req = NULL;
	char				 path[4096];
	int				 rc;

	memset(res, 0, sizeof(*res));
	if ((rc = enroll_trustpoint(cfg, name, &tp, err)) != 0 ||
	    (rc = enroll_key(store, tp, &pkey, res, err)) != 0 ||
	    (rc = pki_csr_build(cfg, tp, pkey, &req, res, err)) != 0 ||
	    (rc = csr_pem(req, &res->pem, err)) != 0)
		goto out;
	if (res->key_generated && (rc = pki_key_save(store, pkey, tp->key_label,
	    PKI_USAGE_GENERAL, false, &res->key, err)) != 0)
		goto out;
	if ((rc = store_prepare_trustpoint(store, name, err)) != 0 ||
	    (rc = store_path(res->path, sizeof(res->path), err, "%s/%s/%s/%s",
	    store, PKI_DIR_TRUSTPOINTS, name, PKI_FILE_REQUEST)) != 0 ||
	    (rc = store_write_atomic(res->path, res->pem, strlen(res->pem), 0644,
	    err)) != 0)
		goto out;
	if (store_path(path, sizeof(path), err, "%s/%s/%s/%s", store,
	    PKI_DIR_TRUSTPOINTS, name, PKI_FILE_CERT) == 0)
		res->had_certificate = store_exists(path);
out:
	if (rc != 0)
		pki_error_prefix(err, "enrolment of trustpoint %s failed: ", name);
	EVP_PKEY_free(pkey);
	X509_REQ_free(req);
	return rc;
}

void
pki_enroll_result_free(struct pki_enroll_result *res)
{
	free(res->pem);
	res->pem = NULL;
}
