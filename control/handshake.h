/*
 * Inside the handshake engine (handshake.c, hs_policy.c, hs_connect.c): the
 * state a connection carries until its session is handed off, and the
 * engine's own tables. Nothing outside these files and handoff.c reads them.
 */
#ifndef SIPKTLS_HANDSHAKE_H
#define SIPKTLS_HANDSHAKE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "daemon.h"
#include "pki/pki.h"
#include "resolve.h"

struct revoke_engine;
struct revoke_result;

#define HS_ACCEPT_BATCH		64	/* accepts per wake-up, so one listener cannot hog the loop */
#define HS_SRC_BUCKETS		4096
#define HS_TRIM_AFTER		64	/* handshakes ended before a heap trim pays */
#define HS_LOG_WINDOW_MS	1000
#define HS_LOG_PER_WINDOW	20	/* failure lines per second before summarising */
#define HS_EXPIRY_CHECK_MS	(3600 * 1000)	/* certificate expiry warnings, hourly */
#define HS_REVOKE_GRACE_MS	500	/* past the revocation wait, before the deadline */

/* Log lines of one kind beyond HS_LOG_PER_WINDOW a second are counted, not written. */
struct hs_ratelimit {
	uint64_t	 start;
	unsigned	 logged;
	unsigned	 suppressed;
	const char	*what;		/* "TLS handshake failures" */
	struct timer	 flush;		/* says how many were not written */
};

struct hs_src {
	struct hs_src	*next;
	struct in6_addr	 addr;		/* IPv4 as ::ffff:a.b.c.d */
	unsigned	 n;		/* handshakes in progress */
};

struct hs_engine {
	struct tls_hooks	 hooks;
	struct hs_src		*src[HS_SRC_BUCKETS];
	unsigned		 per_source;	/* concurrent handshakes per address */
	struct resolver		*res;
	struct ev_handler	 res_ev;
	struct timer		 accept_resume;
	struct hs_ratelimit	 refuse_log;
	struct hs_ratelimit	 fail_log;
	uint64_t		 refused;	/* since start, for the log */
	unsigned		 inflight;	/* conns holding a struct hs */
	unsigned		 since_trim;	/* handshakes ended since malloc_trim */
	/* hs_pki.c: revocation checks, expiry warnings */
	struct revoke_engine	*revoke;
	struct ev_handler	 revoke_ev;	/* its eventfd */
	unsigned		 revoke_timeout;	/* what it was started with */
	unsigned		 revoke_wait;
	struct hs_ratelimit	 revoke_log;	/* methods that could not answer */
	struct timer		 expiry_timer;
	struct pki_expiry_state	 expiry;
};

/* Where the revocation check of the peer's certificate stands. */
enum hs_rev_state {
	HS_REV_NONE = 0,	/* not asked (yet) */
	HS_REV_PENDING,		/* the answer comes through hs_revoke_answer() */
	HS_REV_ANSWERED,	/* in rev_res */
};

struct hs {
	uint32_t		 events;	/* what the fd is polled for now */
	bool			 source_held;	/* counts against the per-source limit */
	struct sockaddr_storage	 listen_addr;	/* inbound: the listener's, for SNI siblings */
	char			 sni[CONF_HOST_MAX];	/* received, or sent */
	/* outbound */
	struct conf_target	 target;
	uint16_t		 port;		/* effective; 0 while SRV is asked */
	struct sockaddr_storage	 addrs[RESOLVE_ADDRS_MAX];
	size_t			 naddrs, next;
	bool			 resolving;
	bool			 connecting;
	int			 dial_err;	/* why the last address failed */
	/* why verification failed, for the line after the guide's one */
	bool			 identity_failed;
	bool			 cnsan_passed;	/* the client check ran and matched */
	char			 identity_why[512];	/* the identity library's line */
	char			 verify_detail[1024];
	const char		*fail_reason;	/* ours, instead of OpenSSL's */
	/* revocation of the peer's certificate (hs_pki.c) */
	struct sipktlsd		*sd;		/* for the answer's callback */
	enum hs_rev_state	 rev;
	bool			 rev_deferred;	/* inbound: decided after the handshake */
	bool			 finished;	/* inbound: handshake done, answer awaited */
	struct revoke_result	*rev_res;	/* the answer, once it came */
};

/* handshake.c */
struct hs *hs_alloc(struct sipktlsd *);
void	 hs_step(struct sipktlsd *, struct conn *);
void	 hs_done(struct sipktlsd *, struct conn *);
void	 hs_want(struct sipktlsd *, struct conn *, uint32_t events);
void	 hs_fail(struct sipktlsd *, struct conn *, const char *reason,
	    bool alert);
void	 hs_conn_failed(struct sipktlsd *, struct conn *, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	 hs_io(struct sipktlsd *, struct ev_handler *, uint32_t events);
void	 hs_timeout(struct sipktlsd *, struct timer *);
bool	 hs_ratelimit(struct sipktlsd *, struct hs_ratelimit *);

/* hs_policy.c */
int	 hs_verify_cb(int ok, X509_STORE_CTX *);
void	 hs_identity_resumed(struct conn *);
int	 hs_client_hello_cb(SSL *, int *alert, void *arg);
bool	 hs_listener_any_cnsan_client(struct sipktlsd *,
	    const struct sockaddr_storage *listen_addr);
bool	 hs_profile_cnsan_client(const struct tls_ctx *);
bool	 hs_src_take(struct hs_engine *, const struct sockaddr_storage *);
void	 hs_src_give(struct hs_engine *, const struct sockaddr_storage *);
void	 hs_src_free(struct hs_engine *);

/* hs_pki.c */
int	 hs_pki_start(struct sipktlsd *);
void	 hs_pki_reload(struct sipktlsd *, const struct config *next);
void	 hs_pki_stop(struct sipktlsd *);
int	 hs_revoke_verify(struct conn *, X509_STORE_CTX *);
bool	 hs_revoke_admit(struct sipktlsd *, struct conn *, bool *wait);
void	 hs_revoke_release(struct sipktlsd *, struct conn *);

/* hs_connect.c */
void	 hs_resolved(struct sipktlsd *, struct ev_handler *, uint32_t events);
void	 hs_connect_io(struct sipktlsd *, struct conn *);

#endif
