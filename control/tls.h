/*
 * The TLS layer: one pair of OpenSSL contexts (server and client role) per
 * tls-profile and one for the global default, the identities they present,
 * session ticket keys shared by every context, the client session cache,
 * and the words a failed handshake is reported with.
 */
#ifndef SIPKTLS_TLS_H
#define SIPKTLS_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "config.h"

/*
 * Settings that have no configuration command yet, with the value each
 * command will default to (sipktlsd(8), CAVEATS).
 */
#define TLS_TICKET_ROTATE_S		(12 * 3600)	/* how long a session may be resumed */
#define TLS_SESSION_CACHE_SIZE		20480	/* TLS 1.2 session IDs kept by a server */
#define TLS_CLIENT_CACHE_MAX		1024	/* outbound targets remembered */
#define TLS_GROUPS			"X25519:P-256:P-384:P-521"
#define TLS_SECLEVEL_UNSET		(-1)	/* tls security-level N: keep OpenSSL's */
#define TLS_TICKET_FILE			"session-ticket.keys"	/* in the PKI store */

/* 80 bytes per key, as nginx's ssl_session_ticket_key: name, HMAC secret, AES key. */
#define TICKET_KEY_LEN		80
#define TICKET_KEYS_MAX		16

struct ticket_key {
	unsigned char	 name[16];
	unsigned char	 hmac[32];
	unsigned char	 aes[32];
};

struct tls_tickets {
	struct ticket_key keys[TICKET_KEYS_MAX];	/* [0] encrypts; all decrypt */
	size_t		 n;
	char		 file[CONF_PATH_MAX];		/* "" : generated and rotated */
};

struct tls_cache_entry {
	unsigned	 tenant;
	uint16_t	 port;
	char		 host[CONF_HOST_MAX];
	SSL_SESSION	*sess;
	uint64_t	 used;		/* for eviction: the oldest goes first */
};

/* Client sessions per (tenant, host, port), offered again with SSL_set_session. */
struct tls_cache {
	struct tls_cache_entry	*v;
	size_t			 n;
	uint64_t		 clock;
};

/* What the daemon plugs into every context it builds. */
struct tls_hooks {
	SSL_client_hello_cb_fn	 client_hello;	/* server role: SNI selects a tenant */
	SSL_verify_cb		 verify;	/* both roles: identity policy */
	void			*arg;		/* client_hello's argument */
	struct tls_tickets	*tickets;
	struct tls_cache	*cache;
	int			 seclevel;	/* TLS_SECLEVEL_UNSET: OpenSSL's */
	unsigned		 num_tickets;
};

/* One tls-profile (or the global default) made ready for OpenSSL. */
struct tls_ctx {
	unsigned	 refs;
	unsigned	 profile;		/* tls-profile tag; 0: the global default */
	struct tls_profile_config prof;	/* a copy: a reload frees the configuration */
	char		 trustpoint[CONF_NAME_MAX];	/* "" : none */
	bool		 has_identity;
	X509		*cert;			/* ours, to match SNI names against */
	char		 tls12[512];		/* cipher strings, for SSL_set_* after SNI */
	char		 tls13[256];
	int		 minv, maxv;		/* protocol range, after the cipher list */
	SSL_CTX		*server;
	SSL_CTX		*client;
	struct tls_tickets *tickets;		/* the daemon's, shared by every context */
	struct tls_cache *cache;
};

struct tls_ctxset {
	struct tls_ctx	 *def;
	struct tls_ctx	**v;
	size_t		  n;
};

/* tls_ctx.c */
int		 tls_init(void);
int		 tls_ex_conn(void);
int		 tls_ctxset_build(struct tls_ctxset *, const struct config *,
		    const struct tls_hooks *);
void		 tls_ctxset_free(struct tls_ctxset *);
struct tls_ctx	*tls_ctx_for_tenant(const struct tls_ctxset *,
		    const struct config *, unsigned tenant);
struct tls_ctx	*tls_ctx_ref(struct tls_ctx *);
void		 tls_ctx_unref(struct tls_ctx *);
bool		 tls_ctx_serves_name(const struct tls_ctx *, const char *name);
void		 tls_ctx_apply(SSL *, const struct tls_ctx *);
unsigned	 tls_tickets_sent(const SSL *);
void		 tls_tickets_count(SSL *);
int		 tls_target_attach(SSL *, unsigned tenant, const char *host,
		    uint16_t port);

/* tls_identity.c: the PKI store, as pki/pki.h lays it out */
struct pki_identity;
int		 tls_identity_load(const char *store, const struct config *,
		    const char *trustpoint, struct pki_identity **, char *err,
		    size_t errlen);
int		 tls_trust_load(const char *store, const char *trustpoint,
		    const char *ca_bundle, X509_STORE **, char *err, size_t errlen);

/* tls_ticket.c */
int		 tls_tickets_init(struct tls_tickets *, const char *file,
		    char *err, size_t errlen);
void		 tls_tickets_rotate(struct tls_tickets *);
int		 tls_ticket_crypt(const struct tls_tickets *, unsigned char *name,
		    unsigned char *iv, EVP_CIPHER_CTX *, EVP_MAC_CTX *, int enc);
void		 tls_tickets_wipe(struct tls_tickets *);

/* tls_cache.c */
SSL_SESSION	*tls_cache_get(struct tls_cache *, unsigned tenant,
		    const char *host, uint16_t port);
void		 tls_cache_put(struct tls_cache *, unsigned tenant,
		    const char *host, uint16_t port, SSL_SESSION *);
void		 tls_cache_free(struct tls_cache *);
int		 tls_cache_new_cb(SSL *, SSL_SESSION *);

/* tls_facts.c: what a finished or failed handshake is described with */
void		 tls_cipher_display(SSL *, bool inbound, char *, size_t);
void		 tls_curve_display(SSL *, char *, size_t);
void		 tls_peer_summary(SSL *, char *, size_t);
bool		 tls_failure_reason(SSL *, int sslerr, int sys_errno,
		    char *, size_t);

#endif
