/*
 * The "crypto ..." and "show crypto ..." commands in IOS's words, so the
 * guide's Step 1 reads the same here. They work on the PKI store directly,
 * without the daemon, and return 0, 1 (refused) or 2 (usage).
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "config.h"
#include "pki.h"

#define WORDS(...)	((const char *const []){ __VA_ARGS__, NULL })

static int
cli_fail(struct pki_cli_env *env, const struct pki_error *err)
{
	fprintf(env->err, "pki: %s\n", err->msg);
	return PKI_CLI_ERROR;
}

static int
cli_usage(struct pki_cli_env *env, const char *usage)
{
	fprintf(env->err, "usage: %s\n", usage);
	return PKI_CLI_USAGE;
}

static void
words_list(FILE *fp, const char *const *words)
{
	for (size_t i = 0; words[i] != NULL; i++)
		fprintf(fp, "%s%s", i ? ", " : "", words[i]);
}

/* An exact keyword or the prefix of exactly one, without case, as IOS. */
static int
cli_match(struct pki_cli_env *env, const char *word, const char *const *words)
{
	size_t	len = strlen(word);
	int	found = -1, n = 0;

	if (strcmp(word, "?") == 0) {
		fprintf(env->err, "valid here: ");
		words_list(env->err, words);
		fputc('\n', env->err);
		return -1;
	}
	for (int i = 0; words[i] != NULL; i++) {
		if (strcasecmp(word, words[i]) == 0)
			return i;
		if (len > 0 && strncasecmp(word, words[i], len) == 0) {
			found = i;
			n++;
		}
	}
	if (n == 1)
		return found;
	fprintf(env->err, "%s argument: %s; valid here: ", n > 1 ? "ambiguous" :
	    "unknown", word);
	words_list(env->err, words);
	fputc('\n', env->err);
	return -1;
}

static bool
parse_uint(const char *s, unsigned *out)
{
	char		*end;
	unsigned long	 v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > 65535)
		return false;
	*out = (unsigned)v;
	return true;
}

/* Questions go to the terminal, as IOS asks them; --yes answers for scripts. */
static bool
cli_confirm(struct pki_cli_env *env, const char *question)
{
	FILE	*tty = env->tty, *out = env->out;
	char	 line[64] = "";
	bool	 own = false;

	if (env->assume_yes) {
		fprintf(env->out, "%s yes (--yes)\n", question);
		return true;
	}
	if (tty == NULL) {
		if ((tty = fopen("/dev/tty", "r+e")) == NULL) {
			fprintf(env->err, "%s\npki: there is no terminal to answer "
			    "on; give --yes to answer yes\n", question);
			return false;
		}
		own = true;
		out = tty;
	}
	fprintf(out, "%s ", question);
	fflush(out);
	if (fgets(line, sizeof(line), tty) == NULL)
		line[0] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (own)
		fclose(tty);
	return strcasecmp(line, "yes") == 0 || strcasecmp(line, "y") == 0;
}

static int
stream_read(FILE *in, bool paste, char **out, size_t *outlen, struct pki_error *err)
{
	char	*line = NULL, *buf = NULL;
	size_t	 cap = 0, len = 0;
	ssize_t	 n;

	while ((n = getline(&line, &cap, in)) > 0) {
		char *nb;

		if (strncasecmp(line, "quit", 4) == 0 && strspn(line + 4, "\r\n") ==
		    strlen(line + 4))
			break;
		if (paste && len > 0 && strspn(line, "\r\n \t") == (size_t)n)
			break;	/* IOS: a blank line ends the paste */
		if (len + (size_t)n > PKI_FILE_MAX || (nb = realloc(buf, len +
		    (size_t)n + 1)) == NULL) {
			free(line);
			free(buf);
			pki_error_set(err, "the input is larger than %d bytes",
			    PKI_FILE_MAX);
			return -EFBIG;
		}
		buf = nb;
		memcpy(buf + len, line, (size_t)n);
		len += (size_t)n;
	}
	free(line);
	*out = buf;
	*outlen = len;
	return 0;
}

/* FILE, or a paste on standard input that ends with "quit" or EOF. */
static int
cli_input(struct pki_cli_env *env, const char *file, const char *what,
    char **buf, size_t *len, struct pki_error *err)
{
	FILE	*in = env->in ? env->in : stdin;
	bool	 tty;
	int	 rc;

	if (file != NULL && strcmp(file, "-") != 0) {
		if ((in = fopen(file, "re")) == NULL) {
			pki_error_set(err, "cannot open %s: %s", file, strerror(errno));
			return -errno;
		}
		rc = stream_read(in, false, buf, len, err);
		fclose(in);
		return rc;
	}
	if ((tty = isatty(fileno(in))))
		fprintf(env->out, "Enter the base 64 encoded %s.\nEnd with a blank "
		    "line or the word \"quit\" on a line by itself\n\n", what);
	return stream_read(in, tty, buf, len, err);
}

static int
cli_read_certs(struct pki_cli_env *env, const char *file, const char *what,
    STACK_OF(X509) **certs, struct pki_error *err)
{
	char	*buf = NULL;
	size_t	 len = 0;
	int	 rc;

	if ((rc = cli_input(env, file, what, &buf, &len, err)) == 0)
		rc = pki_certs_parse(buf ? buf : "", len, certs, err);
	free(buf);
	return rc;
}

/* ---- crypto key generate --------------------------------------------- */

struct keygen_args {
	struct pki_keygen	gen;
	bool			bits_given;
	char			label[PKI_NAME_MAX];
};

static int
keygen_options(struct pki_cli_env *env, int argc, char *argv[],
    struct keygen_args *ka, const char *const *opts, const char *usage)
{
	for (int i = 0; i < argc; i++) {
		int	 k = cli_match(env, argv[i], opts);
		bool	 last = i + 1 >= argc;

		if (k < 0)
			return cli_usage(env, usage);
		if (strcmp(opts[k], "exportable") == 0)
			ka->gen.exportable = true;
		else if (last)
			return cli_usage(env, usage);
		else if (strcmp(opts[k], "label") == 0)
			snprintf(ka->label, sizeof(ka->label), "%s", argv[++i]);
		else if (strcmp(opts[k], "storage") == 0)
			i++;	/* IOS's storage device; the store is the only one */
		else if (!parse_uint(argv[++i], &ka->gen.bits)) {
			fprintf(env->err, "%s: \"%s\" is not a number\n", opts[k],
			    argv[i]);
			return cli_usage(env, usage);
		} else
			ka->bits_given = true;
	}
	return 0;
}

static void
keygen_trustpoint_warn(struct pki_cli_env *env, const char *label)
{
	for (size_t i = 0; env->cfg && i < env->cfg->ntrustpoints; i++)
		if (strcmp(env->cfg->trustpoints[i].key_label, label) == 0)
			fprintf(env->err, "%% Warning: trustpoint %s uses key pair "
			    "%s; a certificate issued for the old key no longer "
			    "matches it (enrol again)\n", env->cfg->trustpoints[i].name,
			    label);
}

/* Whether generating would replace something (--force given). */
static bool
keygen_replaces(const char *store, const struct pki_keygen *gen)
{
	char	label[PKI_NAME_MAX + 8];

	if (!gen->usage_keys)
		return pki_key_exists(store, gen->label);
	snprintf(label, sizeof(label), "%s-sign", gen->label);
	if (pki_key_exists(store, label))
		return true;
	snprintf(label, sizeof(label), "%s-encr", gen->label);
	return pki_key_exists(store, label);
}

static int
keygen_run(struct pki_cli_env *env, struct keygen_args *ka)
{
	struct pki_key_info	info[2];
	struct pki_error	err;
	size_t			n;
	bool			replacing = keygen_replaces(env->store, &ka->gen);
	time_t			t0 = time(NULL);

	if (pki_key_generate(env->store, &ka->gen, info, &n, &err) != 0)
		return cli_fail(env, &err);
	fprintf(env->out, "[OK] (elapsed time was %lld seconds)\n",
	    (long long)(time(NULL) - t0));
	for (size_t i = 0; i < n; i++) {
		fprintf(env->out, "%% Key pair %s%s: %s, SHA-256 %s\n",
		    info[i].label, replacing ? " (replaced)" : "",
		    info[i].type == PKI_KEY_EC ? info[i].curve : "RSA",
		    info[i].fingerprint);
		if (replacing)
			keygen_trustpoint_warn(env, info[i].label);
	}
	return PKI_CLI_OK;
}

static void
keygen_label(struct pki_cli_env *env, struct keygen_args *ka)
{
	if (ka->label[0] == '\0') {
		pki_default_label(env->cfg, ka->label, sizeof(ka->label));
		fprintf(env->out, "%% No label given: the keys are named after this "
		    "host's fully qualified domain name\n");
	}
	ka->gen.label = ka->label;
	ka->gen.force = env->force;
	fprintf(env->out, "The name for the keys will be: %s\n", ka->label);
}

static int
keygen_rsa(struct pki_cli_env *env, int argc, char *argv[])
{
	static const char usage[] = "crypto key generate rsa [general-keys | "
	    "usage-keys] [label LABEL] [exportable] [modulus 512-4096] [--force]";
	struct keygen_args	ka = { .gen = { .type = PKI_KEY_RSA } };
	int			rc, k;

	if (argc > 0 && (k = cli_match(env, argv[0], WORDS("general-keys",
	    "usage-keys", "label", "exportable", "modulus", "storage"))) >= 0 &&
	    k < 2) {
		ka.gen.usage_keys = k == 1;
		argc--, argv++;
	}
	if ((rc = keygen_options(env, argc, argv, &ka, WORDS("label", "exportable",
	    "modulus", "storage"), usage)) != 0)
		return rc;
	if (!ka.bits_given)
		ka.gen.bits = PKI_RSA_DEFAULT;
	if (ka.gen.bits < PKI_RSA_MIN || ka.gen.bits > PKI_RSA_MAX) {
		fprintf(env->err, "%% modulus %u is outside 512..4096\n", ka.gen.bits);
		return cli_usage(env, usage);
	}
	keygen_label(env, &ka);
	fprintf(env->out, "%% The key modulus size is %u bits%s\n", ka.gen.bits,
	    ka.bits_given ? "" : " (the default; \"modulus N\" chooses another)");
	if (ka.gen.bits < PKI_RSA_SECLEVEL_MIN)
		fprintf(env->err, "%% Warning: a %u-bit RSA key is below 2048 bits: "
		    "OpenSSL's default security level (2 on Debian) refuses it, so "
		    "TLS handshakes with it will fail\n", ka.gen.bits);
	if (ka.gen.usage_keys)
		fprintf(env->out, "%% usage-keys: two key pairs are made, as IOS "
		    "does: %s-sign (signature) and %s-encr (encryption)\n",
		    ka.label, ka.label);
	fprintf(env->out, "%% Generating %u bit RSA keys, keys will be %s...\n",
	    ka.gen.bits, ka.gen.exportable ? "exportable" : "non-exportable");
	return keygen_run(env, &ka);
}

static int
keygen_ec(struct pki_cli_env *env, int argc, char *argv[])
{
	static const char usage[] = "crypto key generate ec keysize {256 | 384 | "
	    "521} [label LABEL] [exportable] [--force]";
	struct keygen_args	ka = { .gen = { .type = PKI_KEY_EC } };
	int			rc;

	if ((rc = keygen_options(env, argc, argv, &ka, WORDS("keysize", "label",
	    "exportable"), usage)) != 0)
		return rc;
	if (!ka.bits_given)
		ka.gen.bits = 256;
	if (ka.gen.bits == 512) {
		fprintf(env->out, "%% keysize 512 is taken as 521 (curve P-521), the "
		    "largest curve, which the guide writes as 512\n");
		ka.gen.bits = 521;
	}
	if (pki_ec_curve(ka.gen.bits) == NULL) {
		fprintf(env->err, "%% EC keysize %u is not 256, 384 or 521\n",
		    ka.gen.bits);
		return cli_usage(env, usage);
	}
	keygen_label(env, &ka);
	fprintf(env->out, "%% Generating an EC key pair on curve %s%s, keys will "
	    "be %s...\n", pki_ec_curve(ka.gen.bits), ka.bits_given ? "" :
	    " (the default; \"keysize N\" chooses another)",
	    ka.gen.exportable ? "exportable" : "non-exportable");
	return keygen_run(env, &ka);
}

int
pki_cli_key_generate(struct pki_cli_env *env, int argc, char *argv[])
{
	int	k;

	if (argc < 1)
		return cli_usage(env, "crypto key generate {rsa | ec} ...");
	if ((k = cli_match(env, argv[0], WORDS("rsa", "ec"))) < 0)
		return PKI_CLI_USAGE;
	return k == 0 ? keygen_rsa(env, argc - 1, argv + 1) :
	    keygen_ec(env, argc - 1, argv + 1);
}

/* ---- crypto key export / zeroize, show crypto key mypubkey ------------ */

/* An optional "rsa" or "ec" before a label, as IOS writes it. */
static enum pki_key_type
key_type_word(int *argc, char ***argv)
{
	if (*argc > 0 && strcasecmp((*argv)[0], "rsa") == 0) {
		(*argc)--, (*argv)++;
		return PKI_KEY_RSA;
	}
	if (*argc > 0 && strcasecmp((*argv)[0], "ec") == 0) {
		(*argc)--, (*argv)++;
		return PKI_KEY_EC;
	}
	return PKI_KEY_NONE;
}

static int
key_type_check(struct pki_cli_env *env, const char *label, enum pki_key_type want)
{
	struct pki_key_info	info;
	struct pki_error	err;

	if (pki_key_load(env->store, label, NULL, &info, &err) != 0)
		return cli_fail(env, &err);
	if (want != PKI_KEY_NONE && info.type != want) {
		fprintf(env->err, "pki: key pair %s is an %s key\n", label,
		    info.type == PKI_KEY_EC ? "EC" : "RSA");
		return PKI_CLI_ERROR;
	}
	return 0;
}

int
pki_cli_key_export(struct pki_cli_env *env, int argc, char *argv[])
{
	static const char usage[] = "crypto key export [rsa | ec] LABEL pem "
	    "[terminal] [passphrase PASSPHRASE]";
	enum pki_key_type	 type = key_type_word(&argc, &argv);
	const char		*label, *pass = NULL;
	struct pki_error	 err;
	char			*pem;
	size_t			 len;
	int			 k, rc;

	if (argc < 2 || cli_match(env, argv[1], WORDS("pem")) < 0)
		return cli_usage(env, usage);
	label = argv[0];
	for (int i = 2; i < argc; i++) {
		if ((k = cli_match(env, argv[i], WORDS("terminal", "passphrase",
		    "3des", "des", "aes"))) < 0 || (k > 0 && i + 1 >= argc))
			return cli_usage(env, usage);
		if (k > 0)
			pass = argv[++i];
		if (k == 2 || k == 3)
			fprintf(env->err, "%% %s is taken as AES-256-CBC\n", argv[i - 1]);
	}
	if ((rc = key_type_check(env, label, type)) != 0)
		return rc;
	if (pki_key_export(env->store, label, pass, &pem, &len, &err) != 0)
		return cli_fail(env, &err);
	if (pass == NULL)
		fprintf(env->err, "%% Warning: the private key is printed "
		    "unencrypted; \"passphrase P\" encrypts it with AES-256\n");
	fwrite(pem, 1, len, env->out);
	store_free_secret(pem, len);
	return PKI_CLI_OK;
}

int
pki_cli_key_zeroize(struct pki_cli_env *env, int argc, char *argv[])
{
	enum pki_key_type	 type = key_type_word(&argc, &argv);
	struct pki_keygen	 probe = { .usage_keys = true };
	struct pki_error	 err;
	char			 removed[2][PKI_NAME_MAX], q[256];

	if (argc != 1)
		return cli_usage(env, "crypto key zeroize [rsa | ec] LABEL");
	probe.label = argv[0];
	/* with nothing to remove, zeroize only explains what is there */
	if (!pki_key_exists(env->store, argv[0]) &&
	    !keygen_replaces(env->store, &probe) &&
	    pki_key_zeroize(env->store, argv[0], type, removed, &err) != 0)
		return cli_fail(env, &err);
	snprintf(q, sizeof(q), "%% Keys to be removed are named '%s'.\n%% Do you "
	    "really want to remove these keys? [yes/no]:", argv[0]);
	if (!cli_confirm(env, q)) {
		fprintf(env->err, "pki: key pair %s kept\n", argv[0]);
		return PKI_CLI_ERROR;
	}
	if (pki_key_zeroize(env->store, argv[0], type, removed, &err) != 0)
		return cli_fail(env, &err);
	for (int i = 0; i < 2 && removed[i][0]; i++) {
		fprintf(env->out, "%% Key pair %s removed\n", removed[i]);
		keygen_trustpoint_warn(env, removed[i]);
	}
	return PKI_CLI_OK;
}

static const char *const usage_text[] = {
	[PKI_USAGE_GENERAL] = "General Purpose Key",
	[PKI_USAGE_SIGN] = "Signature Key",
	[PKI_USAGE_ENCR] = "Encryption Key",
};

static void
mypubkey_print(struct pki_cli_env *env, const struct pki_key_info *ki,
    EVP_PKEY *pkey)
{
	char	when[64];

	if (ki->created)
		fprintf(env->out, "%% Key pair was generated at: %s\n",
		    pki_time_format(ki->created, when, sizeof(when)));
	fprintf(env->out, "Key name: %s\n", ki->label);
	if (ki->type == PKI_KEY_EC)
		fprintf(env->out, "Key type: EC KEYS %s (%u bits)\n", ki->curve,
		    ki->bits);
	else
		fprintf(env->out, "Key type: RSA KEYS %u bits\n", ki->bits);
	fprintf(env->out, " Usage: %s\n Key is %sexportable.\n SHA-256 "
	    "fingerprint (SubjectPublicKeyInfo): %s\n Key Data:\n",
	    usage_text[ki->usage], ki->exportable ? "" : "not ", ki->fingerprint);
	PEM_write_PUBKEY(env->out, pkey);
	fputc('\n', env->out);
}

int
pki_cli_show_mypubkey(struct pki_cli_env *env, int argc, char *argv[])
{
	enum pki_key_type	 type = key_type_word(&argc, &argv);
	struct pki_key_info	 ki;
	struct pki_error	 err;
	EVP_PKEY		*pkey;
	char			**names = NULL;
	size_t			 n = 0, shown = 0;
	int			 rc = PKI_CLI_OK;

	if (argc > 1)
		return cli_usage(env, "show crypto key mypubkey [rsa | ec] [LABEL]");
	if (argc == 0 && pki_key_labels(env->store, &names, &n, &err) != 0)
		return cli_fail(env, &err);
	for (size_t i = 0; i < (argc ? 1 : n); i++) {
		if (pki_key_load(env->store, argc ? argv[0] : names[i], &pkey, &ki,
		    &err) != 0) {
			rc = cli_fail(env, &err);
			continue;
		}
		if (type == PKI_KEY_NONE || type == ki.type) {
			mypubkey_print(env, &ki, pkey);
			shown++;
		}
		EVP_PKEY_free(pkey);
	}
	store_names_free(names, n);
	if (shown == 0 && rc == PKI_CLI_OK)
		fprintf(env->out, "%% No %skey pairs in %s/%s\n", type == PKI_KEY_RSA ?
		    "RSA " : type == PKI_KEY_EC ? "EC " : "", env->store,
		    PKI_DIR_KEYS);
	return rc;
}

/* ---- crypto pki enroll / authenticate / import ------------------------ */

static void
enroll_print(struct pki_cli_env *env, const char *tp,
    const struct pki_enroll_result *res)
{
	FILE	*o = env->out;

	if (res->key_generated)
		fprintf(o, "%% Key pair %s did not exist, so it was generated now, as "
		    "IOS does at enrolment: %s %u bits, non-exportable\n",
		    res->key.label, res->key.type == PKI_KEY_EC ? "EC" : "RSA",
		    res->key.bits);
	fprintf(o, "%% The subject name in the certificate will include: %s\n",
	    res->subject);
	if (res->sans[0])
		fprintf(o, "%% The subject alternative names will be: %s\n",
		    res->sans);
	else
		fprintf(env->err, "%% Warning: the request has no subjectAltName "
		    "(trustpoint %s has no fqdn or subject-alt-name); most TLS "
		    "peers look for the name there\n", tp);
	if (res->serial[0])
		fprintf(o, "%% The serial number in the certificate will be: %s "
		    "(from %s)\n", res->serial, res->serial_source);
	if (res->ip[0])
		fprintf(o, "%% The IP address in the certificate is %s\n", res->ip);
	if (res->had_certificate)
		fprintf(o, "%% Trustpoint %s has a certificate; it stays in use until "
		    "the new one is imported\n", tp);
	fprintf(o, "Certificate Request follows:\n\n%s\n---End - This line not "
	    "part of the certificate request---\n", res->pem);
	fprintf(o, "%% Request saved as %s: send it to the CA, then \"crypto pki "
	    "authenticate %s\" with the CA's certificate and \"crypto pki import "
	    "%s certificate\" with the one it issues\n", res->path, tp, tp);
}

int
pki_cli_enroll(struct pki_cli_env *env, int argc, char *argv[])
{
	const struct trustpoint_config	*tp;
	struct pki_enroll_result	 res;
	struct pki_error		 err;

	if (argc != 1)
		return cli_usage(env, "crypto pki enroll TRUSTPOINT");
	fprintf(env->out, "%% Start certificate enrollment ..\n");
	if (pki_trustpoint_config(env->cfg, argv[0], &tp, &err) == 0 &&
	    tp->enrollment == ENROLL_URL)
		fprintf(env->err, "%% enrollment url (SCEP) is not supported: the "
		    "request is shown here, as with enrollment terminal\n");
	if (pki_enroll(env->store, env->cfg, argv[0], &res, &err) != 0)
		return cli_fail(env, &err);
	enroll_print(env, argv[0], &res);
	pki_enroll_result_free(&res);
	return PKI_CLI_OK;
}

struct auth_ctx {
	struct pki_cli_env	*env;
	const char		*tp;
	bool			 replacing;
};

static bool
auth_confirm(void *arg, STACK_OF(X509) *certs)
{
	struct auth_ctx	*ac = arg;
	FILE		*o = ac->env->out;
	char		 subj[256], fp[PKI_FP_MAX];

	fprintf(o, "Certificate has the following attributes:\n");
	for (int i = 0; i < sk_X509_num(certs); i++) {
		X509 *x = sk_X509_value(certs, i);

		pki_name_oneline(X509_get_subject_name(x), subj, sizeof(subj));
		fprintf(o, "       Subject: %s\n", subj);
		pki_name_oneline(X509_get_issuer_name(x), subj, sizeof(subj));
		fprintf(o, "        Issuer: %s\n", subj);
		pki_fingerprint(x, EVP_sha256(), fp, sizeof(fp));
		fprintf(o, "    Fingerprint SHA256: %s\n", fp);
		pki_fingerprint(x, EVP_sha1(), fp, sizeof(fp));
		fprintf(o, "      Fingerprint SHA1: %s\n", fp);
	}
	if (ac->replacing)
		fprintf(o, "%% This replaces the CA certificate(s) trustpoint %s "
		    "holds now\n", ac->tp);
	return cli_confirm(ac->env, "% Do you accept this certificate? [yes/no]:");
}

/* A certificate issued under the old CA would no longer load; say so now. */
static void
auth_check_cert(struct pki_cli_env *env, const char *tp)
{
	struct pki_identity	*id;
	struct pki_error	 err;
	char			 path[4096];

	if (store_path(path, sizeof(path), &err, "%s/%s/%s/%s", env->store,
	    PKI_DIR_TRUSTPOINTS, tp, PKI_FILE_CERT) != 0 || !store_exists(path))
		return;
	if (pki_identity_load(env->store, tp, &id, &err) != 0)
		fprintf(env->err, "%% Warning: %s\n", err.msg);
	pki_identity_free(id);
}

int
pki_cli_authenticate(struct pki_cli_env *env, int argc, char *argv[])
{
	struct auth_ctx		 ac = { .env = env };
	const struct trustpoint_config *tp;
	STACK_OF(X509)		*certs;
	struct pki_error	 err;
	char			 path[4096];

	if (argc < 1 || argc > 2)
		return cli_usage(env, "crypto pki authenticate TRUSTPOINT [FILE]");
	ac.tp = argv[0];
	if (pki_trustpoint_config(env->cfg, argv[0], &tp, &err) != 0) {
		pki_error_prefix(&err, "authentication of trustpoint %s refused: ",
		    argv[0]);
		return cli_fail(env, &err);
	}
	ac.replacing = store_path(path, sizeof(path), &err, "%s/%s/%s/%s",
	    env->store, PKI_DIR_TRUSTPOINTS, argv[0], PKI_FILE_CA) == 0 &&
	    store_exists(path);
	if (cli_read_certs(env, argc > 1 ? argv[1] : NULL, "CA certificate",
	    &certs, &err) != 0) {
		pki_error_prefix(&err, "authentication of trustpoint %s refused: ",
		    argv[0]);
		return cli_fail(env, &err);
	}
	if (pki_authenticate(env->store, env->cfg, argv[0], certs, time(NULL),
	    auth_confirm, &ac, &err) != 0) {
		sk_X509_pop_free(certs, X509_free);
		return cli_fail(env, &err);
	}
	fprintf(env->out, "Trustpoint CA certificate accepted.\n%% Certificate "
	    "successfully imported\n");
	sk_X509_pop_free(certs, X509_free);
	auth_check_cert(env, argv[0]);
	return PKI_CLI_OK;
}

int
pki_cli_import(struct pki_cli_env *env, int argc, char *argv[])
{
	static const char usage[] = "crypto pki import TRUSTPOINT certificate [FILE]";
	struct pki_import_result res;
	STACK_OF(X509)		*certs;
	struct pki_error	 err;
	char			 when[64];

	if (argc < 2 || argc > 3 || cli_match(env, argv[1], WORDS("certificate")) < 0)
		return cli_usage(env, usage);
	if (cli_read_certs(env, argc > 2 ? argv[2] : NULL, "certificate", &certs,
	    &err) != 0) {
		pki_error_prefix(&err, "import into trustpoint %s refused: ", argv[0]);
		return cli_fail(env, &err);
	}
	if (pki_import(env->store, env->cfg, argv[0], certs, time(NULL), &res,
	    &err) != 0) {
		sk_X509_pop_free(certs, X509_free);
		return cli_fail(env, &err);
	}
	sk_X509_pop_free(certs, X509_free);
	if (res.warning[0])
		fprintf(env->err, "%% Warning: the certificate was imported, but %s\n",
		    res.warning);
	fprintf(env->out, "%% Router Certificate successfully imported into "
	    "trustpoint %s (key pair %s, %zu chain certificate%s, valid until %s)\n",
	    argv[0], res.label, res.nchain, res.nchain == 1 ? "" : "s",
	    pki_time_format(res.not_after, when, sizeof(when)));
	return PKI_CLI_OK;
}

/* ---- show crypto pki certificates / trustpoints ----------------------- */

struct shown {
	X509		*x;
	const char	*title;
	char		 tps[256];
	unsigned char	 fp[32];
};

struct shown_list {
	struct shown	*v;
	size_t		 n;
};

/* A CA shared by trustpoints is shown once, naming them all, as IOS does. */
static void
shown_add(struct shown_list *l, X509 *x, const char *title, const char *tp)
{
	unsigned char	 fp[32];
	unsigned int	 n;
	struct shown	*nv;

	if (!X509_digest(x, EVP_sha256(), fp, &n))
		return;
	for (size_t i = 0; i < l->n; i++)
		if (memcmp(l->v[i].fp, fp, 32) == 0) {
			size_t off = strlen(l->v[i].tps);

			snprintf(l->v[i].tps + off, sizeof(l->v[i].tps) - off, " %s",
			    tp);
			return;
		}
	if ((nv = realloc(l->v, (l->n + 1) * sizeof(*nv))) == NULL)
		return;
	l->v = nv;
	X509_up_ref(x);
	nv[l->n] = (struct shown){ .x = x, .title = title };
	snprintf(nv[l->n].tps, sizeof(nv[l->n].tps), "%s", tp);
	memcpy(nv[l->n].fp, fp, 32);
	l->n++;
}

static int
show_collect(struct pki_cli_env *env, const char *tp, struct shown_list *l)
{
	STACK_OF(X509)		*sk;
	struct pki_error	 err;
	char			 label[PKI_NAME_MAX];
	int			 rc, failed = 0;

	if ((rc = pki_trustpoint_cert(env->store, tp, &sk, label, sizeof(label),
	    &err)) == 0) {
		for (int i = 0; i < sk_X509_num(sk); i++)
			shown_add(l, sk_X509_value(sk, i), i == 0 ? "Certificate" :
			    "Chain Certificate", tp);
		sk_X509_pop_free(sk, X509_free);
	} else if (rc != -ENOENT)
		failed = cli_fail(env, &err);
	if ((rc = pki_trustpoint_cas(env->store, tp, &sk, &err)) == 0) {
		for (int i = 0; i < sk_X509_num(sk); i++)
			shown_add(l, sk_X509_value(sk, i), "CA Certificate", tp);
		sk_X509_pop_free(sk, X509_free);
	} else if (rc != -ENOENT)
		failed = cli_fail(env, &err);
	return failed;
}

static int
show_trustpoint_names(struct pki_cli_env *env, int argc, char *argv[],
    char ***names, size_t *n)
{
	struct pki_error	err;
	bool			known = false;

	if (pki_trustpoint_list(env->store, env->cfg, names, n, &err) != 0)
		return cli_fail(env, &err);
	if (argc == 0)
		return 0;
	for (size_t i = 0; i < *n && !known; i++)
		known = strcmp((*names)[i], argv[0]) == 0;
	store_names_free(*names, *n);
	*names = NULL;
	*n = 0;
	if (!known) {
		fprintf(env->err, "pki: trustpoint %s is neither in the configuration "
		    "nor in the store %s\n", argv[0], env->store);
		return PKI_CLI_ERROR;
	}
	if ((*names = calloc(1, sizeof(char *))) == NULL ||
	    ((*names)[0] = strdup(argv[0])) == NULL)
		return PKI_CLI_ERROR;
	*n = 1;
	return 0;
}

int
pki_cli_show_certificates(struct pki_cli_env *env, int argc, char *argv[])
{
	struct shown_list	 l = { NULL, 0 };
	char			**names;
	size_t			 n;
	int			 rc;

	if (argc > 1)
		return cli_usage(env, "show crypto pki certificates [TRUSTPOINT]");
	if ((rc = show_trustpoint_names(env, argc, argv, &names, &n)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		rc |= show_collect(env, names[i], &l);
	for (size_t i = 0; i < l.n; i++) {
		pki_cert_print(env->out, l.v[i].x, l.v[i].title, l.v[i].tps,
		    time(NULL));
		X509_free(l.v[i].x);
	}
	if (l.n == 0 && rc == 0)
		fprintf(env->out, "%% No certificates%s%s in %s\n", argc ?
		    " for trustpoint " : "", argc ? argv[0] : "", env->store);
	free(l.v);
	store_names_free(names, n);
	return rc ? PKI_CLI_ERROR : PKI_CLI_OK;
}

static void
tp_show_ca(struct pki_cli_env *env, const char *tp)
{
	STACK_OF(X509)		*sk;
	struct pki_error	 err;
	char			 sn[64];

	if (pki_trustpoint_cas(env->store, tp, &sk, &err) != 0) {
		fprintf(env->out, "    CA certificate: none (%s)\n", err.msg);
		return;
	}
	for (int i = 0; i < sk_X509_num(sk); i++) {
		X509		*x = sk_X509_value(sk, i);
		BIGNUM		*bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
		char		*hex = bn ? BN_bn2hex(bn) : NULL;
		char		 subj[256];

		pki_name_oneline(X509_get_subject_name(x), subj, sizeof(subj));
		snprintf(sn, sizeof(sn), "%s", hex ? hex : "?");
		fprintf(env->out, "    Subject Name:\n    %s\n          Serial "
		    "Number (hex): %s\n", subj, sn);
		OPENSSL_free(hex);
		BN_free(bn);
	}
	sk_X509_pop_free(sk, X509_free);
}

static void
tp_show_key(struct pki_cli_env *env, const struct trustpoint_config *tp)
{
	struct pki_key_info	ki;
	struct pki_error	err;

	if (tp == NULL)
		return;
	if (tp->key_type == KEY_UNSET) {
		fprintf(env->out, "    Key pair: none configured\n");
		return;
	}
	fprintf(env->out, "    Key pair: %s %s: ", tp->key_type == KEY_EC ?
	    "eckeypair" : "rsakeypair", tp->key_label);
	if (!pki_key_exists(env->store, tp->key_label))
		fprintf(env->out, "not generated yet (crypto pki enroll %s makes "
		    "it)\n", tp->name);
	else if (pki_key_load(env->store, tp->key_label, NULL, &ki, &err) != 0)
		fprintf(env->out, "unusable (%s)\n", err.msg);
	else if (ki.type == PKI_KEY_EC)
		fprintf(env->out, "EC %s, %sexportable\n", ki.curve,
		    ki.exportable ? "" : "not ");
	else
		fprintf(env->out, "RSA %u bits, %sexportable\n", ki.bits,
		    ki.exportable ? "" : "not ");
}

static void
tp_show_config(struct pki_cli_env *env, const struct trustpoint_config *tp)
{
	static const char *const rev[] = { "", "crl", "ocsp", "none" };
	char	path[4096];
	struct pki_error err;

	if (tp == NULL) {
		fprintf(env->out, "    Not in the configuration (found in the store "
		    "only)\n");
		return;
	}
	fprintf(env->out, "    Configured at %s:%u\n    Enrollment: %s\n",
	    env->cfg->path, tp->line, tp->enrollment == ENROLL_URL ? tp->enroll_url :
	    tp->enrollment == ENROLL_TERMINAL ? "terminal" : "not set");
	if (tp->revocation[0] != REVOKE_NONE_SET) {
		fprintf(env->out, "    Revocation check:");
		for (int i = 0; i < CONF_REVOCATION_MAX && tp->revocation[i]; i++)
			fprintf(env->out, " %s", rev[tp->revocation[i]]);
		fputc('\n', env->out);
	}
	if (store_path(path, sizeof(path), &err, "%s/%s/%s/%s", env->store,
	    PKI_DIR_TRUSTPOINTS, tp->name, PKI_FILE_REQUEST) == 0 &&
	    store_exists(path))
		fprintf(env->out, "    Last request: %s\n", path);
}

int
pki_cli_show_trustpoints(struct pki_cli_env *env, int argc, char *argv[])
{
	const struct trustpoint_config	*tp;
	struct shown_list		 l;
	char				**names, path[4096];
	size_t				 n;
	struct pki_error		 err;
	int				 rc;

	if (argc > 1 && !(argc == 2 && cli_match(env, argv[1], WORDS("status")) == 0))
		return cli_usage(env, "show crypto pki trustpoints [TRUSTPOINT [status]]");
	if ((rc = show_trustpoint_names(env, argc ? 1 : 0, argv, &names, &n)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		tp = env->cfg ? config_trustpoint(env->cfg, names[i]) : NULL;
		fprintf(env->out, "Trustpoint %s:\n", names[i]);
		tp_show_ca(env, names[i]);
		fprintf(env->out, "    Certificate %sconfigured.\n", store_path(path,
		    sizeof(path), &err, "%s/%s/%s/%s", env->store,
		    PKI_DIR_TRUSTPOINTS, names[i], PKI_FILE_CERT) == 0 &&
		    store_exists(path) ? "" : "not ");
		tp_show_key(env, tp);
		tp_show_config(env, tp);
		fputc('\n', env->out);
		l = (struct shown_list){ NULL, 0 };
		rc |= show_collect(env, names[i], &l);
		for (size_t j = 0; j < l.n; j++) {
			pki_cert_print(env->out, l.v[j].x, l.v[j].title, l.v[j].tps,
			    time(NULL));
			X509_free(l.v[j].x);
		}
		free(l.v);
	}
	if (n == 0)
		fprintf(env->out, "%% No trustpoints in the configuration or in %s\n",
		    env->store);
	store_names_free(names, n);
	return rc ? PKI_CLI_ERROR : PKI_CLI_OK;
}

/* ---- dispatch -------------------------------------------------------- */

int
pki_cli_crypto(struct pki_cli_env *env, int argc, char *argv[])
{
	static const char usage[] = "crypto {key {generate | export | zeroize} | "
	    "pki {enroll | authenticate | import}} ...";
	int	k, c;

	if (argc < 2 || (k = cli_match(env, argv[0], WORDS("key", "pki"))) < 0)
		return cli_usage(env, usage);
	if (k == 0) {
		if ((c = cli_match(env, argv[1], WORDS("generate", "export",
		    "zeroize"))) < 0)
			return cli_usage(env, usage);
		return (c == 0 ? pki_cli_key_generate : c == 1 ? pki_cli_key_export :
		    pki_cli_key_zeroize)(env, argc - 2, argv + 2);
	}
	if ((c = cli_match(env, argv[1], WORDS("enroll", "authenticate",
	    "import"))) < 0)
		return cli_usage(env, usage);
	return (c == 0 ? pki_cli_enroll : c == 1 ? pki_cli_authenticate :
	    pki_cli_import)(env, argc - 2, argv + 2);
}

int
pki_cli_show_crypto(struct pki_cli_env *env, int argc, char *argv[])
{
	static const char usage[] = "show crypto {key mypubkey [rsa | ec] [LABEL] | "
	    "pki {certificates | trustpoints} [TRUSTPOINT]}";
	int	k, c;

	if (argc < 2 || (k = cli_match(env, argv[0], WORDS("key", "pki"))) < 0)
		return cli_usage(env, usage);
	if (k == 0) {
		if (cli_match(env, argv[1], WORDS("mypubkey")) < 0)
			return cli_usage(env, usage);
		return pki_cli_show_mypubkey(env, argc - 2, argv + 2);
	}
	if ((c = cli_match(env, argv[1], WORDS("certificates", "trustpoints"))) < 0)
		return cli_usage(env, usage);
	return (c == 0 ? pki_cli_show_certificates : pki_cli_show_trustpoints)(env,
	    argc - 2, argv + 2);
}

/*
 * argv starts at "crypto" or "show"; --yes and --force may stand anywhere
 * and are taken out before the words are matched.
 */
int
pki_cli_run(struct pki_cli_env *env, int argc, char *argv[])
{
	char	**words;
	int	  n = 0, k, rc;

	if ((words = calloc((size_t)argc + 1, sizeof(*words))) == NULL)
		return PKI_CLI_ERROR;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--yes") == 0)
			env->assume_yes = true;
		else if (strcmp(argv[i], "--force") == 0)
			env->force = true;
		else
			words[n++] = argv[i];
	}
	ERR_clear_error();
	if (n < 1 || (k = cli_match(env, words[0], WORDS("crypto", "show"))) < 0)
		rc = cli_usage(env, "{crypto | show crypto} ...");
	else if (k == 0)
		rc = pki_cli_crypto(env, n - 1, words + 1);
	else if (n < 2 || cli_match(env, words[1], WORDS("crypto")) < 0)
		rc = cli_usage(env, "show crypto ...");
	else
		rc = pki_cli_show_crypto(env, n - 2, words + 2);
	free(words);
	return rc;
}
