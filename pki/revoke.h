/*
 * Certificate revocation per trustpoint: the "revocation-check" methods
 * (crl, ocsp, none) tried in order, answers cached in memory and on disk,
 * network fetches in worker threads so a handshake never blocks on them.
 */
#ifndef SIPKTLS_REVOKE_H
#define SIPKTLS_REVOKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <time.h>

#include <pthread.h>

#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "config.h"

/*
 * The rule, as in IOS:
 *  - Methods are tried in the configured order. The next one is used only
 *    when the previous one cannot answer: its server is unreachable or too
 *    slow, its answer is malformed, badly signed or stale, or OCSP says
 *    "unknown". A method that answers "revoked" ends the check.
 *  - No revocation-check line means "crl" (the guide's default).
 *  - "none" answers at once: REVOKE_GOOD with method REVOKE_NONE. Alone it
 *    means no checking; last in a list ("crl none", "ocsp crl none") it means
 *    "accept when the earlier methods cannot answer".
 *  - When every configured method fails and the list has no "none", the
 *    check is REVOKE_UNDETERMINED and the handshake must fail closed.
 * So a caller accepts the peer exactly when the status is REVOKE_GOOD.
 *
 * CRLs come from "crl query URL|FILE" when configured, else from the
 * certificate's CRL distribution points (http:// URIs, in order). Full CRLs
 * only: a delta CRL is refused as unsupported, as is a CRL whose Issuing
 * Distribution Point limits it to other certificates or to some reasons.
 * OCSP goes to "ocsp url" when configured, else to the certificate's AIA
 * OCSP URI, as an HTTP POST with a nonce. Its answer counts when the status
 * is "successful", the signature chains to the trust store through the CA
 * itself or a responder the CA gave OCSPSigning, thisUpdate/nextUpdate hold
 * and the nonce is ours. An answer without a nonce is taken with a remark
 * (many responders serve pre-signed answers); one with another nonce is
 * refused. "unknown" vouches for nothing: the next method is tried.
 *
 * Answers are kept in memory and on disk until nextUpdate (plus the clock
 * skew), or for a TTL when they have none; a fresh one on disk is used after
 * a restart without fetching. A source that failed (unreachable, malformed,
 * stale, "unknown") is not asked again for failure_retry_s, so a dead server
 * does not cost every handshake a timeout.
 *
 * In a non-blocking handshake: on PENDING the verify callback calls
 * SSL_set_retry_verify() and SSL_do_handshake() returns
 * SSL_ERROR_WANT_RETRY_VERIFY; the callback keeps the result with the
 * connection and resumes the handshake, whose verify callback then uses it.
 */
enum revoke_status {
	REVOKE_GOOD,
	REVOKE_REVOKED,
	REVOKE_PENDING,		/* the answer comes through the callback */
	REVOKE_UNDETERMINED,	/* every method failed: fail closed */
};

/* Where the answer came from. */
enum revoke_origin {
	REVOKE_FROM_NOWHERE = 0,	/* "none", or undetermined */
	REVOKE_FROM_NETWORK,
	REVOKE_FROM_DISK,		/* the on-disk cache, still fresh */
	REVOKE_FROM_FILE,		/* "crl query FILE" */
};

#define REVOKE_URL_MAX		512
#define REVOKE_NOTE_MAX		1024
#define REVOKE_SOURCES_MAX	4	/* CRL distribution points tried per check */

struct revoke_result {
	enum revoke_status	 status;
	enum revocation_method	 method;	/* which answered; REVOKE_NONE_SET if none
						   did; REVOKE_NONE: accepted unchecked */
	enum revoke_origin	 origin;
	bool			 cached;	/* answered from memory, without waiting */
	char			 source[REVOKE_URL_MAX];	/* URL or file that answered */
	int			 reason;	/* CRL_REASON_*; -1 when not given */
	time_t			 revoked_at;	/* 0 unless revoked */
	time_t			 this_update;	/* of the answer; 0 for "none" */
	time_t			 next_update;	/* 0 when the answer had none */
	time_t			 fetched_at;	/* when the answer was fetched or loaded */
	time_t			 checked_at;	/* when revoke_check() was called */
	time_t			 answered_at;	/* when the status became final */
	/* One line per method that could not answer, in the order tried:
	 * "crl: http://127.0.0.1:8080/ca.crl unreachable: Connection refused". */
	char			 skipped[CONF_REVOCATION_MAX][REVOKE_NOTE_MAX];
	size_t			 nskipped;
	/* Something the answering method wants logged, e.g. a missing nonce. */
	char			 remark[REVOKE_NOTE_MAX];
};

/* Called from revoke_engine_dispatch(), in the caller's thread. */
typedef void (*revoke_cb)(void *arg, const struct revoke_result *);

struct revoke_options {
	unsigned	 workers;		/* fetch threads, 1..16; default 2 */
	unsigned	 fetch_timeout_ms;	/* one HTTP exchange; default 5000 */
	unsigned	 pending_wait_ms;	/* how long a check may stay pending;
						   default 10000: two fetch timeouts,
						   so "crl ocsp" reaches OCSP even when
						   the CRL server hangs */
	unsigned	 clock_skew_s;		/* tolerance on thisUpdate/nextUpdate;
						   default 300 */
	unsigned	 ocsp_default_ttl_s;	/* cache time of an OCSP answer without
						   nextUpdate; default 3600 */
	unsigned	 crl_default_ttl_s;	/* likewise for a CRL; default 3600 */
	unsigned	 failure_retry_s;	/* a failed source is not asked again
						   for this long; default 30, minimum 1 */
	size_t		 crl_max_bytes;		/* default 16 MiB */
	size_t		 ocsp_max_bytes;	/* default 64 KiB */
	unsigned	 max_pending;		/* checks waiting at once; default 4096.
						   Past it a check uses cached answers
						   only, as when its wait has run out */
	int		 max_redirects;		/* CRL GETs only; default 2 */
	const char	*cache_subdir;		/* a directory inside each trustpoint's
						   (pki.h: "revocation"); NULL: none */
};

struct revoke_stats {
	uint64_t	 checks;
	uint64_t	 memory_hits;		/* answered from memory at once */
	uint64_t	 fetches;		/* HTTP exchanges attempted */
	uint64_t	 fetch_failures;
	uint64_t	 disk_loads;		/* answers taken from the disk cache */
	uint64_t	 disk_write_failures;
	uint64_t	 expired_waits;		/* checks whose wait ran out */
	size_t		 pending;
	size_t		 cached;		/* entries in memory */
};

struct revoke_engine;

void		 revoke_options_default(struct revoke_options *);

/*
 * cache_root: where answers persist as <cache_root>/<trustpoint>/crl-<sha256
 * of the URL>.der and ocsp-<issuer key hash>-<serial>.der, or in
 * <cache_root>/<trustpoint>/<cache_subdir>/ when the options name one (the
 * daemon passes <pki-store>/trustpoints and "revocation", the layout of
 * pki.h); NULL keeps them in memory only. Starts the worker threads. NULL on
 * failure, err says why.
 */
struct revoke_engine *revoke_engine_new(const char *cache_root,
		    const struct revoke_options *, char *err, size_t errlen);
/* Stops the workers (waiting at most one fetch timeout); no callbacks run. */
void		 revoke_engine_free(struct revoke_engine *);

/*
 * Never blocks on I/O. GOOD, REVOKED or UNDETERMINED: *res is filled and cb
 * is not called. PENDING: cb(arg, result) runs later from
 * revoke_engine_dispatch(), at most pending_wait_ms from now; if the wait
 * runs out, the check goes on with cached answers only (then "none", then
 * UNDETERMINED), and the fetches go on to warm the cache. leaf, issuer and
 * trust are referenced, not copied; trust verifies OCSP responders and must
 * not carry X509_V_FLAG_CRL_CHECK. Out of memory: UNDETERMINED.
 */
enum revoke_status revoke_check(struct revoke_engine *,
		    const struct trustpoint_config *, X509 *leaf, X509 *issuer,
		    X509_STORE *trust, revoke_cb cb, void *arg,
		    struct revoke_result *res);

/* An eventfd, readable when answers wait; add it to the daemon's epoll. */
int		 revoke_engine_fd(const struct revoke_engine *);
/* Runs the callbacks of finished checks; returns how many ran. */
size_t		 revoke_engine_dispatch(struct revoke_engine *);
/* Forgets the pending checks made with ARG: their callbacks will not run. */
size_t		 revoke_cancel(struct revoke_engine *, void *arg);
/* Drops cached answers (all, or one trustpoint's) from memory and disk,
 * e.g. after "crl query FILE" changed or on a configuration reload. */
void		 revoke_flush(struct revoke_engine *, const char *trustpoint);
/* A reload's new timeouts: fetches and checks started from now on use them. */
void		 revoke_set_timeouts(struct revoke_engine *, unsigned fetch_timeout_ms,
		    unsigned pending_wait_ms);
void		 revoke_engine_stats(struct revoke_engine *, struct revoke_stats *);

const char	*revoke_status_name(enum revoke_status);
const char	*revoke_method_name(enum revocation_method);
const char	*revoke_origin_name(enum revoke_origin);
const char	*revoke_reason_name(int reason);
/* One line: "revoked by crl http://... (keyCompromise since ...)". */
void		 revoke_result_format(const struct revoke_result *, char *, size_t);

/*
 * Internal to pki/revoke*.c, pki/crl.c and pki/ocsp.c, declared here for
 * them and for tests/unit/check_revoke.c.
 */

/* What one source said, before the method order makes it a result. */
enum revoke_answer {
	ANSWER_GOOD,
	ANSWER_REVOKED,
	ANSWER_CANNOT,		/* could not vouch either way: fall through */
};

struct revoke_verdict {
	enum revoke_answer	 answer;
	int			 reason;
	time_t			 revoked_at;
	time_t			 this_update;
	time_t			 next_update;	/* 0: none given */
	char			 remark[REVOKE_NOTE_MAX];
};

/* crl.c */
X509_CRL	*crl_parse(const unsigned char *, size_t, char *err, size_t errlen);
X509_CRL	*crl_load_file(const char *path, size_t max, char *err, size_t errlen);
int		 crl_check(X509_CRL *, X509 *issuer, time_t now, long skew,
		    struct revoke_verdict *, char *err, size_t errlen);
int		 crl_lookup(X509_CRL *, X509 *leaf, struct revoke_verdict *,
		    char *err, size_t errlen);
size_t		 crl_sources(X509 *leaf, const char *configured,
		    char urls[][REVOKE_URL_MAX], size_t max, char *note, size_t notelen);
bool		 crl_source_is_file(const char *source);

/* ocsp.c */
OCSP_REQUEST	*ocsp_request_new(OCSP_CERTID *, unsigned char **der,
		    size_t *derlen, char *err, size_t errlen);
int		 ocsp_response_check(const unsigned char *der, size_t len,
		    OCSP_REQUEST *req, OCSP_CERTID *, X509 *issuer,
		    X509_STORE *trust, time_t now, long skew,
		    struct revoke_verdict *, char *err, size_t errlen);
int		 ocsp_responder_url(X509 *leaf, const char *configured, char *url,
		    size_t len, char *note, size_t notelen);

/* revoke.c: helpers shared with crl.c and ocsp.c */
int		 revoke_asn1_time(const ASN1_TIME *, time_t *);
void		 revoke_openssl_errors(char *buf, size_t len);
void		 revoke_hex(const unsigned char *, size_t, char *out, size_t outlen);
int		 revoke_serial_hex(const ASN1_INTEGER *, char *out, size_t outlen);

/*
 * The engine's inside. revoke.c walks a check through its methods;
 * revoke_worker.c runs the threads, the fetches and the caches. The block
 * comment atop revoke_worker.c says what re_lock protects.
 */
enum revoke_job_kind { JOB_CRL_URL, JOB_CRL_FILE, JOB_OCSP };

enum revoke_entry_kind { ENTRY_CRL, ENTRY_OCSP, ENTRY_FAILED };

/* A cached answer for one key; immutable once in the cache. */
struct revoke_entry {
	struct revoke_entry	*ce_next;	/* hash chain */
	char			*ce_key;
	char			 ce_trustpoint[CONF_NAME_MAX];
	enum revoke_entry_kind	 ce_kind;
	X509_CRL		*ce_crl;	/* ENTRY_CRL: checked against the issuer */
	struct revoke_verdict	 ce_verdict;	/* ENTRY_OCSP; times for ENTRY_CRL */
	enum revoke_origin	 ce_origin;
	char			 ce_source[REVOKE_URL_MAX];
	char			 ce_note[REVOKE_NOTE_MAX];	/* ENTRY_FAILED: why */
	time_t			 ce_fetched;
	time_t			 ce_expires;	/* wall clock; gone after this */
};

/* One fetch (or file read), shared by every check that needs its key. */
struct revoke_job {
	TAILQ_ENTRY(revoke_job)	 job_entry;
	char			*job_key;
	enum revoke_job_kind	 job_kind;
	unsigned		 job_fetches;	/* counted into re_stats when done */
	unsigned		 job_fetch_failures;
	unsigned		 job_disk_write_failures;
	char			 job_trustpoint[CONF_NAME_MAX];
	char			 job_source[REVOKE_URL_MAX];
	X509			*job_issuer;
	X509_STORE		*job_trust;
	OCSP_CERTID		*job_id;
	char			 job_disk_name[200];	/* file name in the cache dir */
	unsigned		 job_timeout_ms;	/* per fetch, as when it started */
};

struct revoke_request {
	TAILQ_ENTRY(revoke_request) rq_entry;
	char			 rq_trustpoint[CONF_NAME_MAX];
	enum revocation_method	 rq_methods[CONF_REVOCATION_MAX];
	size_t			 rq_nmethods;
	size_t			 rq_mi;		/* method being tried */
	size_t			 rq_si;		/* source within the method */
	bool			 rq_started;	/* the method has begun its notes */
	char			 rq_crl[REVOKE_SOURCES_MAX][REVOKE_URL_MAX];
	size_t			 rq_ncrl;
	char			 rq_crl_note[REVOKE_NOTE_MAX];	/* DPs not usable */
	char			 rq_ocsp[REVOKE_URL_MAX];
	char			 rq_ocsp_note[REVOKE_NOTE_MAX];
	char			 rq_note[REVOKE_NOTE_MAX - 8];	/* current method; "ocsp: " goes first */
	X509			*rq_leaf;
	X509			*rq_issuer;
	X509_STORE		*rq_trust;
	OCSP_CERTID		*rq_id;
	char			 rq_issuer_hash[65];	/* SHA-256 of its key */
	char			 rq_key_hash[41];	/* OCSP CertID key hash */
	char			 rq_serial_hex[132];	/* up to 64 octets */
	struct revoke_job	*rq_job;	/* waited for; NULL when not waiting */
	bool			 rq_after_job;	/* the next lookup is the job's answer */
	bool			 rq_expired;	/* no more waiting: cache only */
	char			 rq_nowait[80];	/* why, for the notes */
	int64_t			 rq_deadline;	/* CLOCK_MONOTONIC ms */
	unsigned		 rq_wait_ms;	/* pending_wait_ms when it was asked */
	revoke_cb		 rq_cb;
	void			*rq_arg;
	struct revoke_result	 rq_res;
};

#define REVOKE_BUCKETS		1024
#define REVOKE_THREADS_MAX	16	/* workers; the reaper comes on top */

struct revoke_engine {
	struct revoke_options	 re_opt;
	char			 re_root[CONF_PATH_MAX];	/* "" = no disk cache */
	char			 re_subdir[CONF_NAME_MAX];	/* "" = answers in <root>/<tp> */
	pthread_mutex_t		 re_lock;
	pthread_cond_t		 re_work;	/* jobs queued, or stopping */
	pthread_cond_t		 re_tick;	/* the reaper's wake-up */
	TAILQ_HEAD(, revoke_job) re_queue;	/* waiting for a worker */
	TAILQ_HEAD(, revoke_job) re_running;
	size_t			 re_njobs;	/* in both lists */
	TAILQ_HEAD(, revoke_request) re_pending;
	TAILQ_HEAD(, revoke_request) re_done;
	struct revoke_entry	*re_cache[REVOKE_BUCKETS];
	struct revoke_stats	 re_stats;
	int			 re_efd;
	bool			 re_stopping;
	pthread_t		 re_threads[REVOKE_THREADS_MAX + 1];	/* workers, reaper */
	size_t			 re_nthreads;
};

/* revoke.c: the first two with re_lock held */
enum revoke_status request_advance(struct revoke_engine *, struct revoke_request *,
		    time_t now);
void		 request_expire(struct revoke_engine *, struct revoke_request *,
		    time_t now);
void		 request_free(struct revoke_request *);
bool		 revoke_trustpoint_dir_ok(const char *name);

/* revoke_worker.c; all but the first with re_lock held */
int64_t		 worker_now_ms(void);
struct revoke_entry *cache_get(struct revoke_engine *, const char *key, time_t now);
struct revoke_job *job_find(struct revoke_engine *, const char *key);
int		 job_queue(struct revoke_engine *, struct revoke_job *);
void		 job_free(struct revoke_job *);
void		 request_complete(struct revoke_engine *, struct revoke_request *);

#endif
