/*
 * The PKI in the running daemon. Revocation: once a peer's chain has
 * verified, its leaf certificate is checked with the trustpoint's
 * revocation-check methods (pki/revoke.h), whose network answers come from
 * worker threads through an eventfd in the main loop. Expiry: our own
 * certificates and the CAs of every trustpoint in use are looked at on
 * start, on reload and hourly (pki_expiry_check_list()).
 *
 * Waiting for an answer. The engine bounds the wait ("revocation wait"), and
 * the handshake's deadline is moved past that bound when needed, so the
 * revocation-check rule, not the handshake timeout, decides what a slow
 * server means.
 *  - Outbound (client role): the verify callback calls SSL_set_retry_verify();
 *    SSL_do_handshake() returns SSL_ERROR_WANT_RETRY_VERIFY, and the answer's
 *    callback runs the handshake again, whose verify callback takes it.
 *  - Inbound (server role): OpenSSL 3 honours SSL_set_retry_verify() only in
 *    a client; a server goes on as if the certificate were good. So the
 *    callback accepts for the moment, the session is made unresumable, and
 *    hs_done() holds the finished handshake (nothing read, nothing handed
 *    off) until the answer admits the peer or refuses it.
 * A connection owns its check: dropping it (deadline, "clear", the peer
 * gone) cancels the check, so an answer never reaches a freed connection.
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include <openssl/x509v3.h>

#include "handshake.h"
#include "log.h"
#include "pki/revoke.h"

static void __attribute__((format(printf, 2, 3)))
log_at(int priority, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(priority, fmt, ap);
	va_end(ap);
}

/* ---- expiry ----------------------------------------------------------- */

static void
expiry_log(void *arg, int priority, const char *msg)
{
	(void)arg;
	log_at(priority, "%s", msg);
}

/* The trustpoints a tls-profile or sip-ua names, as the store holds them now. */
static void
expiry_run(struct sipktlsd *sd, const struct config *cfg)
{
	const char	**names;
	size_t		  n = 0;
	int		  rc;

	if (cfg->ntrustpoints == 0)
		return;
	if ((names = calloc(cfg->ntrustpoints, sizeof(*names))) == NULL)
		fatal("%s", __func__);
	for (size_t i = 0; i < cfg->ntrustpoints; i++)
		if (cfg->trustpoints[i].used)
			names[n++] = cfg->trustpoints[i].name;
	rc = pki_expiry_check_list(cfg->pki_store, names, n, time(NULL),
	    &sd->hs->expiry, expiry_log, NULL);
	if (rc < 0)
		log_warnx("certificate expiry check in %s: %s", cfg->pki_store,
		    strerror(-rc));
	free(names);
}

static void
expiry_tick(struct sipktlsd *sd, struct timer *t)
{
	expiry_run(sd, sd->cfg);
	timer_set(&sd->timers, t, now_ms() + HS_EXPIRY_CHECK_MS);
}

/* ---- what the configuration asks for ------------------------------------ */

static void
revoke_describe(const struct trustpoint_config *tp)
{
	enum revocation_method	 last = REVOKE_NONE_SET;
	char			 methods[64] = "", sources[2 * CONF_TEXT_MAX + 64] = "";
	bool			 crl = false, ocsp = false;

	for (size_t i = 0; i < CONF_REVOCATION_MAX; i++) {
		enum revocation_method m = tp->revocation[i];

		if (m != REVOKE_NONE_SET)
			last = m;
		if (m == REVOKE_NONE_SET || m == REVOKE_NONE)
			continue;
		crl |= m == REVOKE_CRL;
		ocsp |= m == REVOKE_OCSP;
		snprintf(methods + strlen(methods), sizeof(methods) - strlen(methods),
		    "%s%s", methods[0] ? ", then " : "", revoke_method_name(m));
	}
	if (tp->revocation[0] == REVOKE_NONE) {
		log_info("TLS: trustpoint %s: revocation-check none: peer "
		    "certificates are not checked for revocation", tp->name);
		return;
	}
	if (methods[0] == '\0') {
		snprintf(methods, sizeof(methods), "crl (the default)");
		crl = true;
	}
	if (crl)
		snprintf(sources, sizeof(sources), "; CRL from %s", tp->crl_url[0] ?
		    tp->crl_url : "the certificate's distribution points");
	if (ocsp)
		snprintf(sources + strlen(sources), sizeof(sources) - strlen(sources),
		    "; OCSP from %s", tp->ocsp_url[0] ? tp->ocsp_url :
		    "the certificate's AIA responder");
	log_info("TLS: trustpoint %s: a peer's certificate is checked for "
	    "revocation by %s%s; when no method can answer it is %s", tp->name,
	    methods, sources, last == REVOKE_NONE ? "accepted unchecked" :
	    "refused");
}

static bool
revoke_settings_same(const struct trustpoint_config *a,
    const struct trustpoint_config *b)
{
	return memcmp(a->revocation, b->revocation, sizeof(a->revocation)) == 0 &&
	    strcmp(a->crl_url, b->crl_url) == 0 &&
	    strcmp(a->ocsp_url, b->ocsp_url) == 0;
}

/*
 * Cached answers go when a trustpoint's revocation settings change or it
 * is removed, and for "crl query FILE", which a reload reads again.
 */
static void
revoke_reload_flush(struct sipktlsd *sd, const struct config *next)
{
	const struct config	*cur = sd->cfg;
	struct hs_engine	*e = sd->hs;

	for (size_t i = 0; i < cur->ntrustpoints; i++) {
		const struct trustpoint_config *old = &cur->trustpoints[i];
		const struct trustpoint_config *tp = config_trustpoint(next, old->name);
		const char *why = NULL;

		if (tp == NULL)
			why = "it is no longer configured";
		else if (!revoke_settings_same(old, tp))
			why = "its revocation settings changed";
		else if (tp->crl_url[0] != '\0' && crl_source_is_file(tp->crl_url))
			why = "its crl query file is read again";
		if (why == NULL)
			continue;
		revoke_flush(e->revoke, old->name);
		log_info("TLS: trustpoint %s: cached revocation answers dropped: %s",
		    old->name, why);
	}
	if (next->revocation_fetch_timeout == e->revoke_timeout &&
	    next->revocation_wait == e->revoke_wait)
		return;
	e->revoke_timeout = next->revocation_fetch_timeout;
	e->revoke_wait = next->revocation_wait;
	revoke_set_timeouts(e->revoke, e->revoke_timeout * 1000, e->revoke_wait);
	log_info("TLS: revocation checks now: %u s per CRL or OCSP exchange, a "
	    "handshake waits at most %u ms for an answer (checks already "
	    "waiting keep theirs)", e->revoke_timeout, e->revoke_wait);
}

/* ---- start, reload, stop ------------------------------------------------ */

static void
revoke_ready(struct sipktlsd *sd, struct ev_handler *ev, uint32_t events)
{
	(void)ev;
	(void)events;
	revoke_engine_dispatch(sd->hs->revoke);
}

int
hs_pki_start(struct sipktlsd *sd)
{
	struct hs_engine	*e = sd->hs;
	struct revoke_options	 opt;
	char			 root[CONF_PATH_MAX + sizeof(PKI_DIR_TRUSTPOINTS) + 1];
	char			 err[512];

	revoke_options_default(&opt);
	opt.fetch_timeout_ms = sd->cfg->revocation_fetch_timeout * 1000;
	opt.pending_wait_ms = sd->cfg->revocation_wait;
	opt.cache_subdir = PKI_DIR_REVOCATION;
	snprintf(root, sizeof(root), "%s/%s", sd->cfg->pki_store,
	    PKI_DIR_TRUSTPOINTS);
	if ((e->revoke = revoke_engine_new(root, &opt, err, sizeof(err))) == NULL) {
		log_warnx("TLS: %s; revocation answers are kept in memory only", err);
		if ((e->revoke = revoke_engine_new(NULL, &opt, err,
		    sizeof(err))) == NULL) {
			log_warnx("TLS: %s", err);
			return -1;
		}
		root[0] = '\0';
	}
	e->revoke_timeout = sd->cfg->revocation_fetch_timeout;
	e->revoke_wait = sd->cfg->revocation_wait;
	e->revoke_ev.fd = revoke_engine_fd(e->revoke);
	e->revoke_ev.cb = revoke_ready;
	e->expiry_timer.fn = expiry_tick;
	if (ev_add(sd, &e->revoke_ev, EPOLLIN) == -1)
		return -1;
	log_info("TLS: revocation checks: %u s per CRL or OCSP exchange, a "
	    "handshake waits at most %u ms for an answer; answers cached in "
	    "%s%s", e->revoke_timeout, e->revoke_wait, root[0] ? root :
	    "memory", root[0] ? "/<trustpoint>/" PKI_DIR_REVOCATION : "");
	return 0;
}

/* NEXT is about to replace sd->cfg (or is it, at start). */
void
hs_pki_reload(struct sipktlsd *sd, const struct config *next)
{
	struct hs_engine	*e = sd->hs;

	if (e->revoke == NULL)
		return;
	if (sd->cfg != next)
		revoke_reload_flush(sd, next);
	for (size_t i = 0; i < next->ntrustpoints; i++)
		if (next->trustpoints[i].used)
			revoke_describe(&next->trustpoints[i]);
	expiry_run(sd, next);
	if (!timer_armed(&e->expiry_timer))
		timer_set(&sd->timers, &e->expiry_timer, now_ms() +
		    HS_EXPIRY_CHECK_MS);
}

/* After every connection is gone: no check is pending any more. */
void
hs_pki_stop(struct sipktlsd *sd)
{
	struct hs_engine	*e = sd->hs;

	timer_cancel(&sd->timers, &e->expiry_timer);
	pki_expiry_state_free(&e->expiry);
	if (e->revoke != NULL) {
		ev_del(sd, &e->revoke_ev);
		revoke_engine_free(e->revoke);
		e->revoke = NULL;
	}
}

/* ---- revocation in a handshake ------------------------------------------ */

static void
rev_skipped(const struct revoke_result *res, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < res->nskipped; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
		    i > 0 ? "; " : "", res->skipped[i]);
}

/*
 * GOOD admits. REVOKED and UNDETERMINED refuse: the guide's line gets
 * fail_reason, the line after it the certificate and why.
 */
static bool
rev_decide(struct sipktlsd *sd, struct conn *c, X509 *leaf,
    const struct revoke_result *res)
{
	struct hs	*hs = c->hs;
	char		 subject[160] = "?", what[REVOKE_NOTE_MAX];
	char		 skipped[CONF_REVOCATION_MAX * REVOKE_NOTE_MAX];

	if (leaf != NULL)
		X509_NAME_oneline(X509_get_subject_name(leaf), subject,
		    sizeof(subject));
	revoke_result_format(res, what, sizeof(what));
	rev_skipped(res, skipped, sizeof(skipped));
	switch (res->status) {
	case REVOKE_GOOD:
		if (res->nskipped > 0 && hs_ratelimit(sd, &sd->hs->revoke_log))
			log_warnx("Conn-Id %u: tenant %u: revocation of %s: %s; "
			    "could not answer: %s", c->id, c->tenant, subject, what,
			    skipped);
		else
			log_debug("Conn-Id %u: tenant %u: revocation of %s: %s",
			    c->id, c->tenant, subject, what);
		if (res->remark[0] != '\0')
			log_debug("Conn-Id %u: tenant %u: revocation of %s: %s",
			    c->id, c->tenant, subject, res->remark);
		return true;
	case REVOKE_REVOKED:
		hs->fail_reason = "certificate revoked";
		snprintf(hs->verify_detail, sizeof(hs->verify_detail),
		    "certificate revoked: %.159s: %.800s", subject, what);
		return false;
	case REVOKE_PENDING:
	case REVOKE_UNDETERMINED:
		break;
	}
	hs->fail_reason = "certificate status unknown";
	snprintf(hs->verify_detail, sizeof(hs->verify_detail),
	    "certificate status unknown: %.159s: no revocation-check method "
	    "could answer: %.760s", subject, skipped[0] ? skipped : "-");
	return false;
}

/* In the verify callback: the answer becomes the chain's verdict. */
static int
rev_verdict(struct sipktlsd *sd, struct conn *c, X509_STORE_CTX *x, X509 *leaf,
    const struct revoke_result *res)
{
	if (rev_decide(sd, c, leaf, res))
		return 1;
	/* the alerts: certificate_revoked, else certificate_unknown */
	X509_STORE_CTX_set_error(x, res->status == REVOKE_REVOKED ?
	    X509_V_ERR_CERT_REVOKED : X509_V_ERR_OCSP_CERT_UNKNOWN);
	return 0;
}

static void
hs_revoke_answer(void *arg, const struct revoke_result *res)
{
	struct conn	*c = arg;
	struct hs	*hs = c->hs;

	if (hs == NULL || hs->rev != HS_REV_PENDING)
		return;		/* not reached: a connection's release cancels */
	if ((hs->rev_res = malloc(sizeof(*hs->rev_res))) == NULL)
		fatal("%s", __func__);
	*hs->rev_res = *res;
	hs->rev = HS_REV_ANSWERED;
	if (c->dir == CONN_OUTBOUND)
		hs_step(hs->sd, c);	/* verification runs again and takes it */
	else if (hs->finished)
		hs_done(hs->sd, c);
	/* else the inbound handshake is still running: hs_done() decides */
}

/* A session accepted before its peer's status was known is never resumed. */
static void
rev_unresumable(SSL *ssl)
{
	static const unsigned char	 sid[] = "sipktls/revocation-pending";
	SSL_SESSION			*sess = SSL_get_session(ssl);

	if (sess != NULL)
		(void)SSL_SESSION_set1_id_context(sess, sid, sizeof(sid) - 1);
	(void)SSL_set_num_tickets(ssl, 0);
}

static const struct trustpoint_config *
conn_trustpoint(const struct sipktlsd *sd, const struct conn *c,
    struct trustpoint_config *fallback)
{
	const struct trustpoint_config	*tp;

	if ((tp = config_trustpoint(sd->cfg, c->ctx->trustpoint)) != NULL)
		return tp;
	/* gone in a reload since the connection started: the guide's default */
	memset(fallback, 0, sizeof(*fallback));
	snprintf(fallback->name, sizeof(fallback->name), "%s", c->ctx->trustpoint);
	return fallback;
}

/*
 * The verify callback at depth 0, the chain verified: 1 accepts (or, inbound,
 * accepts until the answer comes), 0 refuses with the error set.
 */
int
hs_revoke_verify(struct conn *c, X509_STORE_CTX *x)
{
	struct hs			*hs = c->hs;
	struct sipktlsd			*sd = hs->sd;
	SSL				*ssl = X509_STORE_CTX_get_ex_data(x,
					    SSL_get_ex_data_X509_STORE_CTX_idx());
	STACK_OF(X509)			*chain = X509_STORE_CTX_get0_chain(x);
	X509				*leaf = X509_STORE_CTX_get_current_cert(x);
	struct trustpoint_config	 fallback;
	struct revoke_result		 res;
	char				 subject[160] = "?";

	if (sd == NULL || sd->hs == NULL || sd->hs->revoke == NULL || ssl == NULL) {
		/* not reached: every connection is made with its daemon */
		hs->fail_reason = "certificate status unknown";
		X509_STORE_CTX_set_error(x, X509_V_ERR_OCSP_CERT_UNKNOWN);
		return 0;
	}
	switch (hs->rev) {
	case HS_REV_ANSWERED:
		return rev_verdict(sd, c, x, leaf, hs->rev_res);
	case HS_REV_PENDING:
		return c->dir == CONN_OUTBOUND ? SSL_set_retry_verify(ssl) > 0 : 1;
	case HS_REV_NONE:
		break;
	}
	if (chain == NULL || sk_X509_num(chain) < 2) {
		X509_NAME_oneline(X509_get_subject_name(leaf), subject,
		    sizeof(subject));
		log_debug("Conn-Id %u: %s is itself a trust anchor: no revocation "
		    "check", c->id, subject);
		return 1;
	}
	if (revoke_check(sd->hs->revoke, conn_trustpoint(sd, c, &fallback), leaf,
	    sk_X509_value(chain, 1), X509_STORE_CTX_get0_store(x),
	    hs_revoke_answer, c, &res) != REVOKE_PENDING)
		return rev_verdict(sd, c, x, leaf, &res);
	hs->rev = HS_REV_PENDING;
	/* the engine's bound decides, not the handshake timeout */
	if (timer_armed(&c->timer) && c->timer.when < now_ms() +
	    sd->hs->revoke_wait + HS_REVOKE_GRACE_MS)
		timer_set(&sd->timers, &c->timer, now_ms() + sd->hs->revoke_wait +
		    HS_REVOKE_GRACE_MS);
	log_debug("Conn-Id %u: waiting for the revocation status of the peer's "
	    "certificate", c->id);
	if (c->dir == CONN_OUTBOUND) {
		if (SSL_set_retry_verify(ssl) > 0)
			return 1;
		revoke_cancel(sd->hs->revoke, c);
		hs->rev = HS_REV_NONE;
		res = (struct revoke_result){ .status = REVOKE_UNDETERMINED };
		snprintf(res.skipped[0], sizeof(res.skipped[0]), "the handshake "
		    "cannot wait for the answer");
		res.nskipped = 1;
		return rev_verdict(sd, c, x, leaf, &res);
	}
	hs->rev_deferred = true;
	rev_unresumable(ssl);
	return 1;
}

/*
 * Inbound, the handshake done: true admits. False refuses (fail_reason set)
 * or, with *wait, holds the connection, unpolled, until the answer.
 */
bool
hs_revoke_admit(struct sipktlsd *sd, struct conn *c, bool *wait)
{
	struct hs	*hs = c->hs;

	*wait = false;
	if (!hs->rev_deferred)
		return true;
	if (hs->rev == HS_REV_PENDING) {
		*wait = true;
		hs->finished = true;
		hs_want(sd, c, 0);
		return false;
	}
	if (hs->rev_res == NULL)
		return true;
	return rev_decide(sd, c, SSL_get0_peer_certificate(c->ssl), hs->rev_res);
}

/* The connection is dropped or handed off: its check goes with it. */
void
hs_revoke_release(struct sipktlsd *sd, struct conn *c)
{
	if (c->hs->rev == HS_REV_PENDING && sd->hs != NULL &&
	    sd->hs->revoke != NULL)
		revoke_cancel(sd->hs->revoke, c);
	free(c->hs->rev_res);
	c->hs->rev_res = NULL;
	c->hs->rev = HS_REV_NONE;
}
