/*
 * The PKI library: key pairs, trustpoints, certificate requests, CA and
 * certificate import, expiry warnings. The daemon, the TLS layer and the
 * "crypto" commands of sipktlsctl reach keys and certificates only through it.
 */
#ifndef SIPKTLS_PKI_H
#define SIPKTLS_PKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

struct config;
struct trustpoint_config;

/*
 * The store, one directory (default: pki/ beside the configuration file):
 *
 *	STORE/				0700
 *	  keys/LABEL.key		0600  "name: value" header lines, then
 *					      the PKCS#8 private key in PEM
 *	  trustpoints/NAME/		0700
 *	    ca.pem			CA certificate(s) accepted by authenticate
 *	    certificate.pem		"key: LABEL" header, our certificate,
 *					then the chain that came with it
 *	    request.csr			the last request made by enroll
 *	    revocation/			CRL and OCSP cache (pki/revoke*.c)
 *
 * Each file is replaced whole (temporary file, fsync, rename, fsync of the
 * directory), so a crash or a refused import leaves the old content. Names
 * starting with "." are temporary files and are never read.
 */
#define PKI_DIR_KEYS		"keys"
#define PKI_DIR_TRUSTPOINTS	"trustpoints"
#define PKI_DIR_REVOCATION	"revocation"
#define PKI_FILE_CA		"ca.pem"
#define PKI_FILE_CERT		"certificate.pem"
#define PKI_FILE_REQUEST	"request.csr"
#define PKI_KEY_SUFFIX		".key"

#define PKI_NAME_MAX		64	/* labels and trustpoint names, as CONF_NAME_MAX */
#define PKI_ERR_MAX		1024
#define PKI_FP_MAX		96	/* 32 bytes as "AB:CD:..." plus NUL */
#define PKI_FILE_MAX		(1024 * 1024)	/* largest file read from the store or input */
#define PKI_RSA_MIN		512
#define PKI_RSA_MAX		4096
#define PKI_RSA_DEFAULT		2048
#define PKI_RSA_SECLEVEL_MIN	2048	/* OpenSSL security level 2 (Debian's default) */

/*
 * Errors: functions return 0 or -errno and leave one sentence in
 * pki_error.msg, with OpenSSL's reasons appended, for the caller to print
 * once (e.g. "import into trustpoint CUBE-TP refused: ...").
 */
struct pki_error {
	char	msg[PKI_ERR_MAX];
};

/* How the library reports to a log: priority is a syslog LOG_* level. */
typedef void (*pki_log_fn)(void *arg, int priority, const char *msg);

enum pki_key_type { PKI_KEY_NONE = 0, PKI_KEY_RSA, PKI_KEY_EC };
enum pki_key_usage { PKI_USAGE_GENERAL = 0, PKI_USAGE_SIGN, PKI_USAGE_ENCR };

struct pki_key_info {
	char			 label[PKI_NAME_MAX];
	enum pki_key_type	 type;
	unsigned		 bits;		/* RSA modulus, EC field size */
	char			 curve[16];	/* "P-256"; "" for RSA */
	enum pki_key_usage	 usage;
	bool			 exportable;
	time_t			 created;	/* 0: not recorded */
	char			 fingerprint[PKI_FP_MAX];	/* SHA-256 of the SPKI */
};

struct pki_keygen {
	enum pki_key_type	 type;
	unsigned		 bits;		/* RSA 512..4096; EC 256, 384 or 521 */
	const char		*label;
	bool			 usage_keys;	/* RSA: LABEL-sign and LABEL-encr */
	bool			 exportable;
	bool			 force;		/* replace an existing label */
};

/* What enroll did, for the operator to read. */
struct pki_enroll_result {
	struct pki_key_info	 key;
	bool			 key_generated;	/* the keypair did not exist yet */
	char			 subject[512];	/* one line, as in the request */
	char			 sans[512];	/* "a, b"; "" when none */
	char			 serial[80];	/* "" when not included */
	const char		*serial_source;	/* file it came from */
	char			 ip[64];	/* "" when not included */
	char			 path[4096];	/* request file in the store */
	char			*pem;		/* the request; pki_enroll_result_free */
	bool			 had_certificate; /* an older one stays in use */
};

struct pki_import_result {
	char			 label[PKI_NAME_MAX];
	char			 warning[512];	/* "" or why part of it is unusable */
	size_t			 nchain;	/* certificates that came after it */
	time_t			 not_after;
};

/* The TLS layer's view of a trustpoint, ready for SSL_CTX_use_cert_and_key. */
struct pki_identity {
	char			 trustpoint[PKI_NAME_MAX];
	char			 label[PKI_NAME_MAX];
	EVP_PKEY		*key;
	X509			*cert;
	STACK_OF(X509)		*chain;		/* intermediates to send; no leaf, no root */
};

/* Asked before a CA is trusted; false declines. */
typedef bool (*pki_confirm_fn)(void *arg, STACK_OF(X509) *certs);

/* Thresholds already reported, per certificate; the caller owns it, zeroed. */
struct pki_expiry_entry {
	char			 tp[PKI_NAME_MAX];
	unsigned char		 fp[32];	/* SHA-256 of the certificate */
	unsigned		 fired;		/* PKI_EXPIRY_* bits */
	bool			 seen;
};
struct pki_expiry_state {
	struct pki_expiry_entry	*v;
	size_t			 n, cap;
};

/* store.c */
void		 pki_error_set(struct pki_error *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 pki_error_openssl(struct pki_error *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 pki_error_prefix(struct pki_error *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
bool		 pki_name_valid(const char *);
int		 store_path(char *, size_t, struct pki_error *, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
int		 store_mkdir(const char *, struct pki_error *);
int		 store_prepare_keys(const char *store, struct pki_error *);
int		 store_prepare_trustpoint(const char *store, const char *tp,
		    struct pki_error *);
int		 store_write_atomic(const char *path, const void *, size_t,
		    mode_t, struct pki_error *);
int		 store_read(const char *path, bool secret, char **, size_t *,
		    struct pki_error *);
void		 store_free_secret(char *, size_t);
int		 store_check_secrecy(const char *path, const struct stat *,
		    struct pki_error *);
int		 store_remove(const char *path, struct pki_error *);
int		 store_list(const char *dir, const char *suffix, bool dirs,
		    char ***names, size_t *n, struct pki_error *);
void		 store_names_free(char **, size_t);
bool		 store_exists(const char *path);
void		 pki_hex(const unsigned char *, size_t, const char *sep, char *,
		    size_t);

/* key.c */
void		 pki_default_label(const struct config *, char *, size_t);
int		 pki_key_generate(const char *store, const struct pki_keygen *,
		    struct pki_key_info out[2], size_t *nout, struct pki_error *);
int		 pki_key_create(enum pki_key_type, unsigned bits, EVP_PKEY **,
		    struct pki_error *);
int		 pki_key_save(const char *store, EVP_PKEY *, const char *label,
		    enum pki_key_usage, bool exportable, struct pki_key_info *,
		    struct pki_error *);
int		 pki_key_load(const char *store, const char *label, EVP_PKEY **,
		    struct pki_key_info *, struct pki_error *);
int		 pki_key_labels(const char *store, char ***, size_t *,
		    struct pki_error *);
int		 pki_key_export(const char *store, const char *label,
		    const char *passphrase, char **pem, size_t *len,
		    struct pki_error *);
int		 pki_key_zeroize(const char *store, const char *label,
		    enum pki_key_type, char removed[2][PKI_NAME_MAX],
		    struct pki_error *);
bool		 pki_key_exists(const char *store, const char *label);
void		 pki_key_describe(const EVP_PKEY *, struct pki_key_info *);
int		 pki_pubkey_fingerprint(const EVP_PKEY *, char *, size_t);
const char	*pki_ec_curve(unsigned bits);

/*
 * csr.c. "serial-number" puts the host's serial in the subject: the DMI
 * product serial when readable (usually root only), else an id derived
 * from /etc/machine-id by a keyed hash (machine-id(5) asks not to show it).
 */
int		 pki_subject_parse(const char *, X509_NAME **, struct pki_error *);
int		 pki_host_serial(char *, size_t, const char **source,
		    struct pki_error *);
int		 pki_ip_resolve(const char *, char *, size_t, struct pki_error *);
int		 pki_csr_build(const struct config *, const struct trustpoint_config *,
		    EVP_PKEY *, X509_REQ **, struct pki_enroll_result *,
		    struct pki_error *);
int		 pki_enroll(const char *store, const struct config *,
		    const char *tp, struct pki_enroll_result *, struct pki_error *);
void		 pki_enroll_result_free(struct pki_enroll_result *);

/*
 * cert.c. The TLS layer needs two calls: pki_identity_load() (key, leaf and
 * the chain to send, for SSL_CTX_use_cert_and_key) and pki_trust_store()
 * (the trustpoint's CA certificates as trust anchors, PARTIAL_CHAIN set, so
 * an issuing CA accepted at authenticate is an anchor on its own).
 */
int		 pki_certs_parse(const void *, size_t, STACK_OF(X509) **,
		    struct pki_error *);
int		 pki_trustpoint_config(const struct config *, const char *,
		    const struct trustpoint_config **, struct pki_error *);
int		 pki_cert_time_check(const X509 *, const char *what,
		    const char *tp, time_t now, struct pki_error *);
int		 pki_ca_check(X509 *, struct pki_error *);
int		 pki_chain_verify(X509_STORE *, X509 *, STACK_OF(X509) *untrusted,
		    time_t now, int purpose, STACK_OF(X509) **chain,
		    struct pki_error *);
int		 pki_authenticate(const char *store, const struct config *,
		    const char *tp, STACK_OF(X509) *, time_t now, pki_confirm_fn,
		    void *arg, struct pki_error *);
int		 pki_import(const char *store, const struct config *,
		    const char *tp, STACK_OF(X509) *, time_t now,
		    struct pki_import_result *, struct pki_error *);
int		 pki_trustpoint_cas(const char *store, const char *tp,
		    STACK_OF(X509) **, struct pki_error *);
int		 pki_trustpoint_cert(const char *store, const char *tp,
		    STACK_OF(X509) **, char *label, size_t, struct pki_error *);
int		 pki_trustpoint_list(const char *store, const struct config *,
		    char ***, size_t *, struct pki_error *);
int		 pki_trust_store(const char *store, const char *tp,
		    const char *ca_bundle, X509_STORE **, struct pki_error *);
int		 pki_identity_load(const char *store, const char *tp,
		    struct pki_identity **, struct pki_error *);
void		 pki_identity_free(struct pki_identity *);
int		 pki_fingerprint(const X509 *, const EVP_MD *, char *, size_t);
time_t		 pki_asn1_time(const ASN1_TIME *);
const char	*pki_time_format(time_t, char *, size_t);
void		 pki_cert_print(FILE *, X509 *, const char *title,
		    const char *trustpoints, time_t now);
void		 pki_name_oneline(const X509_NAME *, char *, size_t);

/* expiry.c */
#define PKI_EXPIRY_30		(1u << 0)
#define PKI_EXPIRY_7		(1u << 1)
#define PKI_EXPIRY_1		(1u << 2)
#define PKI_EXPIRY_EXPIRED	(1u << 3)
#define PKI_EXPIRY_NOT_YET	(1u << 4)
int		 pki_expiry_check(const char *store, time_t now,
		    struct pki_expiry_state *, pki_log_fn, void *arg);
int		 pki_expiry_check_list(const char *store, const char *const *tps,
		    size_t ntp, time_t now, struct pki_expiry_state *,
		    pki_log_fn, void *arg);
void		 pki_expiry_state_free(struct pki_expiry_state *);

/* cli.c: "crypto ..." and "show crypto ..." on the store, without the daemon */
struct pki_cli_env {
	const char		*store;
	const struct config	*cfg;		/* NULL: no trustpoints known */
	FILE			*out, *err;
	bool			 assume_yes;	/* --yes: answer questions with yes */
	bool			 force;		/* --force: replace an existing label */
	FILE			*in;		/* pasted certificates; NULL: stdin */
	FILE			*tty;		/* answers; NULL: /dev/tty */
};
#define PKI_CLI_OK		0
#define PKI_CLI_ERROR		1
#define PKI_CLI_USAGE		2
int		 pki_cli_run(struct pki_cli_env *, int argc, char *argv[]);
int		 pki_cli_crypto(struct pki_cli_env *, int argc, char *argv[]);
int		 pki_cli_show_crypto(struct pki_cli_env *, int argc, char *argv[]);
int		 pki_cli_key_generate(struct pki_cli_env *, int, char *[]);
int		 pki_cli_key_export(struct pki_cli_env *, int, char *[]);
int		 pki_cli_key_zeroize(struct pki_cli_env *, int, char *[]);
int		 pki_cli_enroll(struct pki_cli_env *, int, char *[]);
int		 pki_cli_authenticate(struct pki_cli_env *, int, char *[]);
int		 pki_cli_import(struct pki_cli_env *, int, char *[]);
int		 pki_cli_show_mypubkey(struct pki_cli_env *, int, char *[]);
int		 pki_cli_show_certificates(struct pki_cli_env *, int, char *[]);
int		 pki_cli_show_trustpoints(struct pki_cli_env *, int, char *[]);

#endif
