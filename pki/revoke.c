/*
 * The revocation policy: what a check asks for (the trustpoint's methods and
 * each one's sources), how a cached answer or a failure moves it along, and
 * how the outcome reads. The threads and caches are in revoke_worker.c.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "revoke.h"

#define STEP_NEXT	(-1)	/* this method cannot answer: try the next one */

int
revoke_asn1_time(const ASN1_TIME *t, time_t *out)
{
	struct tm	 tm;

	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return -1;
	*out = timegm(&tm);
	return 0;
}

/* Appends OpenSSL's queued errors to BUF, oldest (the root cause) first. */
void
revoke_openssl_errors(char *buf, size_t len)
{
	const char	*data, *reason;
	unsigned long	 e;
	size_t		 used = strlen(buf);
	int		 flags, n;

	while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
		if (used + 4 >= len)
			continue;	/* keep draining: the queue is per thread */
		reason = ERR_reason_error_string(e);
		if (!(flags & ERR_TXT_STRING) || data == NULL)
			data = "";
		n = snprintf(buf + used, len - used, ": %s%s%s%s",
		    reason ? reason : "error", *data ? " (" : "", data,
		    *data ? ")" : "");
		used = n < 0 ? len : used + (size_t)n;
	}
}

void
revoke_hex(const unsigned char *p, size_t n, char *out, size_t outlen)
{
	static const char digits[] = "0123456789abcdef";
	size_t		  i;

	for (i = 0; i < n && 2 * i + 2 < outlen; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * i] = '\0';
}

/* -1 when it does not fit: a cut serial could name another certificate. */
int
revoke_serial_hex(const ASN1_INTEGER *serial, char *out, size_t outlen)
{
	BIGNUM	*bn;
	char	*hex = NULL;
	int	 rc = -1;

	if ((bn = ASN1_INTEGER_to_BN(serial, NULL)) != NULL &&
	    (hex = BN_bn2hex(bn)) != NULL && strlen(hex) < outlen) {
		strcpy(out, hex);
		rc = 0;
	}
	OPENSSL_free(hex);
	BN_free(bn);
	return rc;
}

/* A trustpoint name usable as one directory under the cache root. */
bool
revoke_trustpoint_dir_ok(const char *name)
{
	if (name[0] == '\0' || name[0] == '.')
		return false;
	for (const char *p = name; *p; p++)
		if (*p == '/' || (unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* Appends to a "; "-separated list in BUF. */
static void __attribute__((format(printf, 3, 4)))
text_append(char *buf, size_t len, const char *fmt, ...)
{
	size_t	 used = strlen(buf);
	va_list	 ap;

	if (used + 3 >= len)
		return;
	if (used > 0) {
		strcpy(buf + used, "; ");
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

#define request_note(rq, ...) \
	text_append((rq)->rq_note, sizeof((rq)->rq_note), __VA_ARGS__)

/* The current method could not answer: one line into the result. */
static void
request_skip(struct revoke_request *rq)
{
	struct revoke_result	*res = &rq->rq_res;

	if (res->nskipped < CONF_REVOCATION_MAX)
		snprintf(res->skipped[res->nskipped++], REVOKE_NOTE_MAX, "%s: %s",
		    revoke_method_name(rq->rq_methods[rq->rq_mi]), rq->rq_note);
	rq->rq_note[0] = '\0';
}

static enum revoke_status
request_answer(struct revoke_request *rq, enum revocation_method method,
    const struct revoke_entry *ent, const struct revoke_verdict *v, bool cached)
{
	struct revoke_result	*res = &rq->rq_res;

	res->status = v->answer == ANSWER_REVOKED ? REVOKE_REVOKED : REVOKE_GOOD;
	res->method = method;
	res->origin = ent->ce_origin;
	res->cached = cached;
	snprintf(res->source, sizeof(res->source), "%s", ent->ce_source);
	res->reason = v->answer == ANSWER_REVOKED ? v->reason : -1;
	res->revoked_at = v->answer == ANSWER_REVOKED ? v->revoked_at : 0;
	res->this_update = v->this_update;
	res->next_update = v->next_update;
	res->fetched_at = ent->ce_fetched;
	snprintf(res->remark, sizeof(res->remark), "%s", v->remark);
	/* Sources of this method that failed first (a dead distribution point). */
	if (rq->rq_note[0] != '\0')
		text_append(res->remark, sizeof(res->remark), "passed over: %s",
		    rq->rq_note);
	return res->status;
}

/* The file name of a source's answer in the trustpoint's cache directory. */
static void
job_disk_name(struct revoke_job *job, const struct revoke_request *rq)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	char		 hex[2 * EVP_MAX_MD_SIZE + 1];
	unsigned	 mdlen;

	job->job_disk_name[0] = '\0';
	if (!revoke_trustpoint_dir_ok(rq->rq_trustpoint))
		return;
	if (job->job_kind == JOB_OCSP)
		snprintf(job->job_disk_name, sizeof(job->job_disk_name),
		    "ocsp-%s-%s.der", rq->rq_key_hash, rq->rq_serial_hex);
	else if (job->job_kind == JOB_CRL_URL &&
	    EVP_Digest(job->job_source, strlen(job->job_source), md, &mdlen,
	    EVP_sha256(), NULL)) {
		revoke_hex(md, mdlen, hex, sizeof(hex));
		snprintf(job->job_disk_name, sizeof(job->job_disk_name),
		    "crl-%s.der", hex);
	}
}

static struct revoke_job *
job_new(const struct revoke_request *rq, const char *key,
    enum revoke_job_kind kind, const char *source)
{
	struct revoke_job	*job;

	if ((job = calloc(1, sizeof(*job))) == NULL ||
	    (job->job_key = strdup(key)) == NULL) {
		free(job);
		return NULL;
	}
	job->job_kind = kind;
	snprintf(job->job_trustpoint, sizeof(job->job_trustpoint), "%s",
	    rq->rq_trustpoint);
	snprintf(job->job_source, sizeof(job->job_source), "%s", source);
	X509_up_ref(rq->rq_issuer);
	job->job_issuer = rq->rq_issuer;
	if (kind == JOB_OCSP) {
		X509_STORE_up_ref(rq->rq_trust);
		job->job_trust = rq->rq_trust;
		if ((job->job_id = OCSP_CERTID_dup(rq->rq_id)) == NULL) {
			job_free(job);
			return NULL;
		}
	}
	job_disk_name(job, rq);
	return job;
}

/*
 * No answer for KEY in memory: wait for its fetch (shared with every other
 * check that needs it), or, past the wait, start it for later checks only.
 */
static int
request_wait(struct revoke_engine *e, struct revoke_request *rq, const char *key,
    enum revoke_job_kind kind, const char *source)
{
	struct revoke_job	*job;

	if ((job = job_find(e, key)) == NULL) {
		job = job_new(rq, key, kind, source);
		if (job == NULL || job_queue(e, job) == -1) {
			job_free(job);
			request_note(rq, "%s not fetched: %s", source, job ?
			    "too many fetches queued" : "out of memory");
			return STEP_NEXT;
		}
	}
	if (rq->rq_expired) {
		request_note(rq, "%s %s", source, rq->rq_nowait);
		return STEP_NEXT;
	}
	rq->rq_job = job;
	return REVOKE_PENDING;
}

static int
request_try_crl(struct revoke_engine *e, struct revoke_request *rq, time_t now)
{
	struct revoke_entry	*ent;
	struct revoke_verdict	 v;
	const char		*src;
	char			 key[2 * REVOKE_URL_MAX], err[160];
	bool			 cached;

	/* Distribution points passed over (ldap://) lead, as in the certificate. */
	if (!rq->rq_started) {
		rq->rq_started = true;
		if (rq->rq_crl_note[0] != '\0')
			request_note(rq, "%s", rq->rq_crl_note);
	}
	for (; rq->rq_si < rq->rq_ncrl; rq->rq_si++) {
		src = rq->rq_crl[rq->rq_si];
		snprintf(key, sizeof(key), "crl\n%s\n%s\n%s", rq->rq_trustpoint, src,
		    rq->rq_issuer_hash);
		ent = cache_get(e, key, now);
		cached = !rq->rq_after_job;
		rq->rq_after_job = false;
		if (ent == NULL) {
			if (request_wait(e, rq, key, crl_source_is_file(src) ?
			    JOB_CRL_FILE : JOB_CRL_URL, src) == REVOKE_PENDING)
				return REVOKE_PENDING;
			continue;
		}
		if (ent->ce_kind == ENTRY_FAILED) {
			request_note(rq, "%s %s", src, ent->ce_note);
			continue;
		}
		v = ent->ce_verdict;
		if (crl_lookup(ent->ce_crl, rq->rq_leaf, &v, err, sizeof(err)) == -1) {
			request_note(rq, "%s %s", src, err);
			continue;
		}
		return request_answer(rq, REVOKE_CRL, ent, &v, cached);
	}
	return STEP_NEXT;
}

static int
request_try_ocsp(struct revoke_engine *e, struct revoke_request *rq, time_t now)
{
	struct revoke_entry	*ent;
	char			 key[256];
	bool			 cached;

	if (rq->rq_si > 0)
		return STEP_NEXT;	/* its one source gave no answer in time */
	if (rq->rq_ocsp[0] == '\0') {
		request_note(rq, "%s", rq->rq_ocsp_note);
		return STEP_NEXT;
	}
	if (rq->rq_trust == NULL || rq->rq_id == NULL || rq->rq_serial_hex[0] == '\0') {
		request_note(rq, "%s not asked: %s", rq->rq_ocsp, rq->rq_trust == NULL ?
		    "no trust store to verify the responder" :
		    "certificate serial unusable");
		return STEP_NEXT;
	}
	snprintf(key, sizeof(key), "ocsp\n%s\n%s\n%s", rq->rq_trustpoint,
	    rq->rq_key_hash, rq->rq_serial_hex);
	ent = cache_get(e, key, now);
	cached = !rq->rq_after_job;
	rq->rq_after_job = false;
	if (ent == NULL)
		return request_wait(e, rq, key, JOB_OCSP, rq->rq_ocsp);
	if (ent->ce_kind == ENTRY_FAILED) {
		request_note(rq, "%s %s", rq->rq_ocsp, ent->ce_note);
		return STEP_NEXT;
	}
	return request_answer(rq, REVOKE_OCSP, ent, &ent->ce_verdict, cached);
}

/* Walks the methods from where the request stands; re_lock held. */
enum revoke_status
request_advance(struct revoke_engine *e, struct revoke_request *rq, time_t now)
{
	struct revoke_result	*res = &rq->rq_res;
	int			 st = STEP_NEXT;

	for (; rq->rq_mi < rq->rq_nmethods;
	    rq->rq_mi++, rq->rq_si = 0, rq->rq_started = false) {
		switch (rq->rq_methods[rq->rq_mi]) {
		case REVOKE_NONE:
			res->status = REVOKE_GOOD;
			res->method = REVOKE_NONE;
			res->answered_at = time(NULL);
			return REVOKE_GOOD;
		case REVOKE_CRL:
			st = request_try_crl(e, rq, now);
			break;
		case REVOKE_OCSP:
			st = request_try_ocsp(e, rq, now);
			break;
		default:
			continue;
		}
		if (st == REVOKE_PENDING)
			return REVOKE_PENDING;
		if (st != STEP_NEXT) {
			if (res->cached)
				e->re_stats.memory_hits++;
			res->answered_at = time(NULL);
			return (enum revoke_status)st;
		}
		request_skip(rq);
	}
	res->status = REVOKE_UNDETERMINED;
	res->method = REVOKE_NONE_SET;
	res->answered_at = time(NULL);
	return REVOKE_UNDETERMINED;
}

/* Its wait ran out: the source waited for is noted, the rest is cache only. */
void
request_expire(struct revoke_engine *e, struct revoke_request *rq, time_t now)
{
	const char	*src;

	rq->rq_expired = true;
	snprintf(rq->rq_nowait, sizeof(rq->rq_nowait), "no answer within %u ms",
	    rq->rq_wait_ms);
	if (rq->rq_job != NULL) {
		src = rq->rq_methods[rq->rq_mi] == REVOKE_OCSP ? rq->rq_ocsp :
		    rq->rq_crl[rq->rq_si];
		request_note(rq, "%s %s", src, rq->rq_nowait);
		rq->rq_job = NULL;
		rq->rq_si++;
	}
	e->re_stats.expired_waits++;
	request_advance(e, rq, now);
}

void
request_free(struct revoke_request *rq)
{
	if (rq == NULL)
		return;
	X509_free(rq->rq_leaf);
	X509_free(rq->rq_issuer);
	X509_STORE_free(rq->rq_trust);
	OCSP_CERTID_free(rq->rq_id);
	free(rq);
}

/* Hashes naming the certificate in cache keys and disk file names. */
static int
request_ids(struct revoke_request *rq)
{
	ASN1_OCTET_STRING	*keyhash = NULL;
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned		 mdlen;

	if (!X509_pubkey_digest(rq->rq_issuer, EVP_sha256(), md, &mdlen))
		return -1;
	revoke_hex(md, mdlen, rq->rq_issuer_hash, sizeof(rq->rq_issuer_hash));
	if (revoke_serial_hex(X509_get0_serialNumber(rq->rq_leaf), rq->rq_serial_hex,
	    sizeof(rq->rq_serial_hex)) == -1)
		rq->rq_serial_hex[0] = '\0';
	/* An OCSP CertID needs SHA-1 (RFC 6960 responders expect it). */
	rq->rq_id = OCSP_cert_to_id(NULL, rq->rq_leaf, rq->rq_issuer);
	if (rq->rq_id != NULL &&
	    OCSP_id_get0_info(NULL, NULL, &keyhash, NULL, rq->rq_id) && keyhash)
		revoke_hex(ASN1_STRING_get0_data(keyhash),
		    (size_t)ASN1_STRING_length(keyhash), rq->rq_key_hash,
		    sizeof(rq->rq_key_hash));
	ERR_clear_error();
	return 0;
}

static struct revoke_request *
request_new(const struct trustpoint_config *tp, X509 *leaf, X509 *issuer,
    X509_STORE *trust)
{
	struct revoke_request	*rq;

	if ((rq = calloc(1, sizeof(*rq))) == NULL)
		return NULL;
	snprintf(rq->rq_trustpoint, sizeof(rq->rq_trustpoint), "%s", tp->name);
	for (size_t i = 0; i < CONF_REVOCATION_MAX; i++)
		if (tp->revocation[i] != REVOKE_NONE_SET)
			rq->rq_methods[rq->rq_nmethods++] = tp->revocation[i];
	if (rq->rq_nmethods == 0)
		rq->rq_methods[rq->rq_nmethods++] = REVOKE_CRL;	/* IOS default */
	X509_up_ref(leaf);
	rq->rq_leaf = leaf;
	X509_up_ref(issuer);
	rq->rq_issuer = issuer;
	if (trust != NULL && X509_STORE_up_ref(trust))
		rq->rq_trust = trust;
	if (request_ids(rq) == -1) {
		request_free(rq);
		return NULL;
	}
	rq->rq_ncrl = crl_sources(leaf, tp->crl_url, rq->rq_crl, REVOKE_SOURCES_MAX,
	    rq->rq_crl_note, sizeof(rq->rq_crl_note));
	ocsp_responder_url(leaf, tp->ocsp_url, rq->rq_ocsp, sizeof(rq->rq_ocsp),
	    rq->rq_ocsp_note, sizeof(rq->rq_ocsp_note));
	rq->rq_res.method = REVOKE_NONE_SET;
	rq->rq_res.reason = -1;
	rq->rq_res.checked_at = time(NULL);
	return rq;
}

enum revoke_status
revoke_check(struct revoke_engine *e, const struct trustpoint_config *tp,
    X509 *leaf, X509 *issuer, X509_STORE *trust, revoke_cb cb, void *arg,
    struct revoke_result *res)
{
	struct revoke_request	*rq;
	enum revoke_status	 st;

	memset(res, 0, sizeof(*res));
	if ((rq = request_new(tp, leaf, issuer, trust)) == NULL) {
		res->status = REVOKE_UNDETERMINED;
		res->reason = -1;
		res->nskipped = 1;
		snprintf(res->skipped[0], sizeof(res->skipped[0]),
		    "revocation check not started: out of memory");
		return REVOKE_UNDETERMINED;
	}
	rq->rq_cb = cb;
	rq->rq_arg = arg;
	pthread_mutex_lock(&e->re_lock);
	e->re_stats.checks++;
	if (e->re_stats.pending >= e->re_opt.max_pending) {
		rq->rq_expired = true;
		snprintf(rq->rq_nowait, sizeof(rq->rq_nowait), "not waited for "
		    "(%u checks already pending)", e->re_opt.max_pending);
	}
	st = request_advance(e, rq, time(NULL));
	if (st == REVOKE_PENDING) {
		rq->rq_wait_ms = e->re_opt.pending_wait_ms;
		rq->rq_deadline = worker_now_ms() + rq->rq_wait_ms;
		TAILQ_INSERT_TAIL(&e->re_pending, rq, rq_entry);
		e->re_stats.pending++;
		pthread_cond_signal(&e->re_tick);
		res->status = REVOKE_PENDING;
		res->method = REVOKE_NONE_SET;
		res->reason = -1;
		res->checked_at = rq->rq_res.checked_at;
		pthread_mutex_unlock(&e->re_lock);
		return REVOKE_PENDING;
	}
	pthread_mutex_unlock(&e->re_lock);
	*res = rq->rq_res;
	request_free(rq);
	return st;
}

const char *
revoke_status_name(enum revoke_status st)
{
	switch (st) {
	case REVOKE_GOOD:		return "good";
	case REVOKE_REVOKED:		return "revoked";
	case REVOKE_PENDING:		return "pending";
	case REVOKE_UNDETERMINED:	return "undetermined";
	}
	return "?";
}

const char *
revoke_method_name(enum revocation_method m)
{
	switch (m) {
	case REVOKE_CRL:	return "crl";
	case REVOKE_OCSP:	return "ocsp";
	case REVOKE_NONE:	return "none";
	case REVOKE_NONE_SET:	break;
	}
	return "-";
}

const char *
revoke_origin_name(enum revoke_origin o)
{
	switch (o) {
	case REVOKE_FROM_NETWORK:	return "network";
	case REVOKE_FROM_DISK:		return "disk";
	case REVOKE_FROM_FILE:		return "file";
	case REVOKE_FROM_NOWHERE:	break;
	}
	return "-";
}

/* RFC 5280 CRLReason; OCSP uses the same values. */
const char *
revoke_reason_name(int reason)
{
	static const char *const names[] = {
		"unspecified", "keyCompromise", "cACompromise",
		"affiliationChanged", "superseded", "cessationOfOperation",
		"certificateHold", "7", "removeFromCRL", "privilegeWithdrawn",
		"aACompromise",
	};

	if (reason < 0)
		return "no reason given";
	if ((size_t)reason >= sizeof(names) / sizeof(names[0]))
		return "unknown reason";
	return names[reason];
}

static const char *
revoke_time_str(time_t t, char *buf, size_t len)
{
	struct tm	 tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL)
		return "-";
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

void
revoke_result_format(const struct revoke_result *res, char *buf, size_t len)
{
	char	 t1[32], t2[32];

	switch (res->status) {
	case REVOKE_REVOKED:
		snprintf(buf, len, "revoked by %s %s (%s since %s, from %s%s)",
		    revoke_method_name(res->method), res->source,
		    revoke_reason_name(res->reason),
		    revoke_time_str(res->revoked_at, t1, sizeof(t1)),
		    revoke_origin_name(res->origin),
		    res->cached ? ", in memory" : "");
		break;
	case REVOKE_GOOD:
		if (res->method == REVOKE_NONE)
			snprintf(buf, len, res->nskipped == 0 ? "good: not checked "
			    "(revocation-check none)" : "good: accepted unchecked, "
			    "\"none\" follows the methods that could not answer");
		else
			snprintf(buf, len, "good by %s %s (thisUpdate %s, nextUpdate "
			    "%s, from %s%s)", revoke_method_name(res->method),
			    res->source,
			    revoke_time_str(res->this_update, t1, sizeof(t1)),
			    revoke_time_str(res->next_update, t2, sizeof(t2)),
			    revoke_origin_name(res->origin),
			    res->cached ? ", in memory" : "");
		break;
	case REVOKE_PENDING:
		snprintf(buf, len, "pending");
		break;
	case REVOKE_UNDETERMINED:
		snprintf(buf, len, "undetermined: no method could answer");
		break;
	}
}
