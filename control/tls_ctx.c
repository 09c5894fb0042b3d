/*
 * tls-profiles made into OpenSSL contexts: versions from sip-ua, ciphers in
 * the profile's order, the trustpoint's identity and CAs, and the settings the
 * kernel TLS offload relies on. A reload builds a new set; live connections
 * keep the contexts they started with through a reference count.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "ktls/ktls.h"
#include "log.h"
#include "pki/pki.h"
#include "tls.h"

/*
 * ex_data indices are registration constants of the OpenSSL library, made
 * once before any context exists; they are not daemon state.
 */
static struct {
	int	conn;		/* SSL: the daemon's struct conn */
	int	ctx;		/* SSL_CTX: our struct tls_ctx */
	int	tickets;	/* SSL: NewSessionTickets encrypted for it */
	int	target;		/* SSL: outbound cache key (tls_cache.c) */
} ex = { -1, -1, -1, -1 };

static void
target_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	free(ptr);
}

int
tls_init(void)
{
	if (ex.conn != -1)
		return 0;
	ex.conn = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	ex.ctx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	ex.tickets = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	ex.target = SSL_get_ex_new_index(0, NULL, NULL, NULL, target_free);
	if (ex.conn < 0 || ex.ctx < 0 || ex.tickets < 0 || ex.target < 0) {
		log_openssl("cannot register OpenSSL ex_data indices");
		return -1;
	}
	return 0;
}

int
tls_ex_conn(void)
{
	return ex.conn;
}

/* For the kTLS offload: each TLS 1.3 ticket is one record under the traffic key. */
unsigned
tls_tickets_sent(const SSL *ssl)
{
	return (unsigned)(uintptr_t)SSL_get_ex_data(ssl, ex.tickets);
}

void
tls_tickets_count(SSL *ssl)
{
	SSL_set_ex_data(ssl, ex.tickets,
	    (void *)(uintptr_t)(tls_tickets_sent(ssl) + 1));
}

struct tls_target {
	unsigned	 tenant;
	uint16_t	 port;
	char		 host[CONF_HOST_MAX];
};

int
tls_target_attach(SSL *ssl, unsigned tenant, const char *host, uint16_t port)
{
	struct tls_target	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return -1;
	t->tenant = tenant;
	t->port = port;
	snprintf(t->host, sizeof(t->host), "%s", host);
	if (!SSL_set_ex_data(ssl, ex.target, t)) {
		free(t);
		return -1;
	}
	return 0;
}

/* Called when a server's ticket or session arrives, possibly long after the handshake. */
int
tls_cache_new_cb(SSL *ssl, SSL_SESSION *sess)
{
	struct tls_target	*t = SSL_get_ex_data(ssl, ex.target);
	struct tls_ctx		*tc = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ex.ctx);

	if (t == NULL || tc == NULL || tc->cache == NULL ||
	    !SSL_SESSION_is_resumable(sess))
		return 0;
	log_debug("tenant %u: session for %s:%u kept for resumption",
	    t->tenant, t->host, t->port);
	tls_cache_put(tc->cache, t->tenant, t->host, t->port, sess);
	return 1;
}

static int
ticket_cb(SSL *ssl, unsigned char *name, unsigned char *iv,
    EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	struct tls_ctx	*tc = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ex.ctx);
	int		 rc;

	if (tc == NULL || tc->tickets == NULL)
		return 0;
	rc = tls_ticket_crypt(tc->tickets, name, iv, cctx, hctx, enc);
	if (enc && rc == 1)
		tls_tickets_count(ssl);
	return rc;
}

struct tls_ctx *
tls_ctx_ref(struct tls_ctx *tc)
{
	tc->refs++;
	return tc;
}

void
tls_ctx_unref(struct tls_ctx *tc)
{
	if (tc == NULL || --tc->refs > 0)
		return;
	SSL_CTX_free(tc->server);
	SSL_CTX_free(tc->client);
	X509_free(tc->cert);
	free(tc);
}

/*
 * Versions are global (sip-ua transport tcp tls), and contiguous in every
 * form the guide allows, so a minimum and a maximum say it all. A profile
 * whose cipher list has no suite for an end of that range drops it: an
 * OpenSSL server with TLS 1.3 enabled and no TLS 1.3 suite refuses every
 * client ("no ciphers available"), even one that offers only TLS 1.2.
 */
static void
ctx_version_range(struct tls_ctx *tc, const struct config *cfg)
{
	tc->minv = config_tls_min_version(cfg);
	tc->maxv = config_tls_max_version(cfg);
	if (tc->tls13[0] == '\0' && tc->maxv == TLS1_3_VERSION &&
	    tc->minv < TLS1_3_VERSION)
		tc->maxv = TLS1_2_VERSION;
	if (tc->tls12[0] == '\0' && tc->minv < TLS1_3_VERSION &&
	    tc->maxv == TLS1_3_VERSION)
		tc->minv = TLS1_3_VERSION;
}

static int
ctx_versions(SSL_CTX *ctx, const struct tls_ctx *tc)
{
	if (!SSL_CTX_set_min_proto_version(ctx, tc->minv) ||
	    !SSL_CTX_set_max_proto_version(ctx, tc->maxv))
		return -1;
	return 0;
}

/*
 * A profile whose list has no TLS 1.2 cipher still needs a TLS <= 1.2 list
 * that matches nothing: OpenSSL sets it but reports "no cipher match".
 */
static int
ctx_ciphers(SSL_CTX *ctx, const struct tls_ctx *tc)
{
	if (!SSL_CTX_set_ciphersuites(ctx, tc->tls13))
		return -1;
	if (tc->tls12[0] == '\0') {
		(void)SSL_CTX_set_cipher_list(ctx, "!ALL");
		ERR_clear_error();
	} else if (!SSL_CTX_set_cipher_list(ctx, tc->tls12))
		return -1;
	if (!SSL_CTX_set1_groups_list(ctx, TLS_GROUPS) ||
	    !SSL_CTX_set_dh_auto(ctx, 1))
		return -1;
	return 0;
}

/*
 * What the kernel TLS hand-off (ktls_link.c) needs from every session:
 * records read one at a time (read_ahead off, so nothing past the Finished
 * is swallowed), no renegotiation, OpenSSL's own kTLS unless kernel-tls is
 * off, a known number of NewSessionTickets, and the traffic secrets and
 * ticket count through ktls's keylog and message hooks.
 */
static int
ctx_offload_ready(SSL_CTX *ctx, const struct tls_hooks *h, enum ktls_conf mode)
{
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_read_ahead(ctx, 0);
	SSL_CTX_set_num_tickets(ctx, h->num_tickets);
	/* idle sessions then hold no 34 KB record buffers */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if (ktls_keylog_attach(ctx) < 0)
		return -1;
	return ktls_mode_set(ctx, mode == KTLS_CONF_OFF ? KTLS_MODE_OFF :
	    mode == KTLS_CONF_REQUIRED ? KTLS_MODE_REQUIRED :
	    KTLS_MODE_PREFERRED) < 0 ? -1 : 0;
}

static int
ctx_identity(SSL_CTX *ctx, const struct pki_identity *id)
{
	if (id == NULL)
		return 0;
	if (SSL_CTX_use_certificate(ctx, id->cert) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, id->key) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1 ||
	    (id->chain != NULL && SSL_CTX_set1_chain(ctx, id->chain) != 1))
		return -1;
	return 0;
}

static int
verify_mode(const struct tls_ctx *tc, bool server)
{
	if (!server)
		return SSL_VERIFY_PEER;
	/* a client certificate is asked for always, and required by cn-san client */
	if (tc->prof.cnsan == CNSAN_CLIENT || tc->prof.cnsan == CNSAN_BIDIRECTIONAL)
		return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	return SSL_VERIFY_PEER;
}

/*
 * The session ID context names the profile, not the process: two daemons
 * sharing ticket keys must accept each other's tickets for the same profile.
 */
static int
ctx_server_sessions(SSL_CTX *ctx, const struct tls_ctx *tc,
    const struct tls_hooks *h)
{
	char	sid[SSL_MAX_SID_CTX_LENGTH];
	int	n;

	n = snprintf(sid, sizeof(sid), "sipktls/%u/%.16s", tc->profile,
	    tc->trustpoint);
	if (n < 0 || (size_t)n >= sizeof(sid))
		n = (int)sizeof(sid) - 1;
	if (!SSL_CTX_set_session_id_context(ctx, (unsigned char *)sid,
	    (unsigned)n))
		return -1;
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	SSL_CTX_sess_set_cache_size(ctx, TLS_SESSION_CACHE_SIZE);
	/* a ticket outlives neither key that can open it */
	SSL_CTX_set_timeout(ctx, TLS_TICKET_ROTATE_S);
	if (h->tickets != NULL &&
	    !SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_cb))
		return -1;
	if (h->client_hello != NULL)
		SSL_CTX_set_client_hello_cb(ctx, h->client_hello, h->arg);
	return 0;
}

static SSL_CTX *
ctx_new(struct tls_ctx *tc, const struct config *cfg, const struct tls_hooks *h,
    bool server, const struct pki_identity *id, X509_STORE *trust)
{
	SSL_CTX	*ctx;

	if ((ctx = SSL_CTX_new(TLS_method())) == NULL)
		return NULL;
	SSL_CTX_set_ex_data(ctx, ex.ctx, tc);
	if (h->seclevel != TLS_SECLEVEL_UNSET)
		SSL_CTX_set_security_level(ctx, h->seclevel);
	if (ctx_offload_ready(ctx, h, cfg->ktls_mode) == -1 ||
	    ctx_versions(ctx, tc) == -1 || ctx_ciphers(ctx, tc) == -1 ||
	    ctx_identity(ctx, id) == -1)
		goto fail;
	if (trust != NULL) {
		X509_STORE_up_ref(trust);
		SSL_CTX_set_cert_store(ctx, trust);
	}
	SSL_CTX_set_verify(ctx, verify_mode(tc, server), h->verify);
	if (server && ctx_server_sessions(ctx, tc, h) == -1)
		goto fail;
	if (!server) {
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT |
		    SSL_SESS_CACHE_NO_INTERNAL_STORE);
		SSL_CTX_sess_set_new_cb(ctx, tls_cache_new_cb);
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

static const char *
ctx_label(const struct tls_ctx *tc, char *buf, size_t len)
{
	if (tc->profile == 0)
		snprintf(buf, len, "the global default TLS settings");
	else
		snprintf(buf, len, "tls-profile %u", tc->profile);
	return buf;
}

/* A trustpoint that cannot be read leaves the context without it, said once. */
static void
ctx_load_pki(struct tls_ctx *tc, const struct config *cfg,
    struct pki_identity **id, X509_STORE **trust)
{
	char	err[1024], what[64];

	*id = NULL;
	*trust = NULL;
	ctx_label(tc, what, sizeof(what));
	if (tc->trustpoint[0] == '\0') {
		log_warnx("%s: no trustpoint: no certificate to present, and "
		    "peers' certificates cannot be verified", what);
		return;
	}
	if (tls_identity_load(cfg->pki_store, cfg, tc->trustpoint, id, err,
	    sizeof(err)) != 0)
		log_warnx("%s: trustpoint %s: %s", what, tc->trustpoint, err);
	const struct tls_profile_config *prof = tc->profile ?
	    config_profile(cfg, tc->profile) : NULL;

	if (tls_trust_load(cfg->pki_store, tc->trustpoint, prof != NULL &&
	    prof->ca_bundle[0] ? prof->ca_bundle : NULL, trust, err,
	    sizeof(err)) != 0)
		log_warnx("%s: trustpoint %s: %s", what, tc->trustpoint, err);
}

static void
ctx_policy_notes(const struct tls_ctx *tc, const struct config *cfg)
{
	unsigned	v = config_tls_versions(cfg);
	char		what[64];

	ctx_label(tc, what, sizeof(what));
	if (tc->tls13[0] == '\0' && v == TLSV_1_3)
		log_warnx("%s: only TLS 1.3 is allowed but its cipher list has "
		    "no TLS 1.3 suite: no handshake can succeed", what);
	if (tc->tls12[0] == '\0' && !(v & TLSV_1_3))
		log_warnx("%s: its cipher list has only TLS 1.3 suites but TLS "
		    "1.3 is not allowed: no handshake can succeed", what);
}

static struct tls_ctx *
ctx_build(const struct config *cfg, const struct tls_profile_config *p,
    const struct tls_hooks *h)
{
	struct tls_ctx		*tc;
	struct pki_identity	*id;
	X509_STORE		*trust;
	char			 what[64];

	if ((tc = calloc(1, sizeof(*tc))) == NULL)
		fatal("%s", __func__);
	tc->refs = 1;
	tc->tickets = h->tickets;
	tc->cache = h->cache;
	if (p != NULL) {
		tc->prof = *p;
		tc->profile = p->tag;
	} else if (cfg->default_cnsan_server)
		tc->prof.cnsan = CNSAN_SERVER;	/* crypto signaling ... cn-san-validate server */
	snprintf(tc->trustpoint, sizeof(tc->trustpoint), "%s",
	    p != NULL && p->trustpoint[0] != '\0' ? p->trustpoint :
	    cfg->default_trustpoint);
	config_cipher_strings(cfg, p, tc->tls12, sizeof(tc->tls12), tc->tls13,
	    sizeof(tc->tls13));
	ctx_version_range(tc, cfg);
	ctx_load_pki(tc, cfg, &id, &trust);
	tc->server = ctx_new(tc, cfg, h, true, id, trust);
	tc->client = ctx_new(tc, cfg, h, false, id, trust);
	if (id != NULL) {
		tc->has_identity = true;
		X509_up_ref(id->cert);
		tc->cert = id->cert;
	}
	pki_identity_free(id);
	X509_STORE_free(trust);
	if (tc->server == NULL || tc->client == NULL) {
		log_openssl("%s: cannot set up OpenSSL", ctx_label(tc, what,
		    sizeof(what)));
		tls_ctx_unref(tc);
		return NULL;
	}
	ctx_policy_notes(tc, cfg);
	return tc;
}

/*
 * OpenSSL 3 signs TLS 1.0 and 1.1 handshakes with MD5+SHA-1 only, which
 * security level 1 and above refuse: the server fails with "no suitable
 * signature algorithm" and the client sees "tlsv1 alert internal error".
 */
static void
set_seclevel_note(const struct tls_ctxset *set, const struct config *cfg)
{
	unsigned	v = config_tls_versions(cfg);
	int		level;

	if (set->def == NULL || !(v & (TLSV_1_0 | TLSV_1_1)))
		return;
	level = SSL_CTX_get_security_level(set->def->server);
	if (level == 0)
		return;
	if (v & (TLSV_1_2 | TLSV_1_3))
		log_info("TLS 1.0/1.1 are allowed by sip-ua but cannot be "
		    "negotiated at OpenSSL security level %d (they need level "
		    "0): peers get TLS 1.2 or 1.3", level);
	else
		log_warnx("sip-ua allows only TLS %s, which cannot be "
		    "negotiated at OpenSSL security level %d (it needs level 0): "
		    "every handshake will fail", v & TLSV_1_0 ? "1.0" : "1.1",
		    level);
}

int
tls_ctxset_build(struct tls_ctxset *set, const struct config *cfg,
    const struct tls_hooks *h)
{
	memset(set, 0, sizeof(*set));
	if ((set->def = ctx_build(cfg, NULL, h)) == NULL)
		return -1;
	if (cfg->nprofiles > 0 &&
	    (set->v = calloc(cfg->nprofiles, sizeof(*set->v))) == NULL)
		fatal("%s", __func__);
	for (size_t i = 0; i < cfg->nprofiles; i++) {
		if ((set->v[set->n] = ctx_build(cfg, &cfg->profiles[i], h)) == NULL) {
			tls_ctxset_free(set);
			return -1;
		}
		set->n++;
	}
	set_seclevel_note(set, cfg);
	return 0;
}

void
tls_ctxset_free(struct tls_ctxset *set)
{
	tls_ctx_unref(set->def);
	for (size_t i = 0; i < set->n; i++)
		tls_ctx_unref(set->v[i]);
	free(set->v);
	memset(set, 0, sizeof(*set));
}

/* A tenant without a tls-profile uses the global default (its trustpoint). */
struct tls_ctx *
tls_ctx_for_tenant(const struct tls_ctxset *set, const struct config *cfg,
    unsigned tenant)
{
	const struct tenant_config	*t;

	if (tenant == 0 || (t = config_tenant(cfg, tenant)) == NULL ||
	    t->tls_profile == 0)
		return set->def;
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i]->profile == t->tls_profile)
			return set->v[i];
	return set->def;
}

/* An SNI name selects a context when its certificate names it. */
bool
tls_ctx_serves_name(const struct tls_ctx *tc, const char *name)
{
	return tc->cert != NULL &&
	    X509_check_host(tc->cert, name, strlen(name), 0, NULL) == 1;
}

/*
 * SSL_set_SSL_CTX() swaps certificate and CAs but not what SSL_new() copied:
 * versions, cipher lists and the verify mode are set again from the new one.
 */
void
tls_ctx_apply(SSL *ssl, const struct tls_ctx *tc)
{
	SSL_set_SSL_CTX(ssl, tc->server);
	(void)SSL_set_min_proto_version(ssl, tc->minv);
	(void)SSL_set_max_proto_version(ssl, tc->maxv);
	(void)SSL_set_ciphersuites(ssl, tc->tls13);
	if (tc->tls12[0] == '\0' || !SSL_set_cipher_list(ssl, tc->tls12))
		(void)SSL_set_cipher_list(ssl, "!ALL");
	ERR_clear_error();
	SSL_set_verify(ssl, verify_mode(tc, true),
	    SSL_CTX_get_verify_callback(tc->server));
}
