/*
 * The revocation engine's machinery: worker threads that read, fetch and
 * verify CRLs and OCSP answers; a reaper that bounds how long a check waits;
 * the memory and disk caches; answers handed back through an eventfd.
 *
 * Threads and what they share
 *
 *   The daemon's thread calls revoke_check(), revoke_engine_dispatch(),
 *   revoke_cancel(), revoke_flush() and revoke_engine_stats(). Up to 16
 *   worker threads run jobs (one fetch or file read each); one reaper thread
 *   expires waits and sweeps stale cache entries once a minute.
 *
 *   One mutex, re_lock, protects all shared state: the job lists (re_queue,
 *   re_running, re_njobs), the request lists (re_pending, re_done), the
 *   cache table and its entries, re_stats and re_stopping. re_work wakes
 *   workers when a job is queued; re_tick wakes the reaper when a check
 *   starts to wait (its deadline may be the earliest).
 *
 *   re_lock is never held across I/O, parsing, signature checks or
 *   callbacks. A worker moves a job to re_running under the lock, drops it
 *   to do the work, and takes it again to insert the answer and walk on
 *   the checks that waited for that job. So the daemon's thread never
 *   waits for more than a hash lookup and a CRL's binary search.
 *
 *   A job's fields are set before it is queued and only read afterwards;
 *   only the worker that took it reads them without the lock, and only it
 *   frees the job. Checks waiting for a job point at it (rq_job); that
 *   pointer is only followed and cleared under the lock.
 *   A cache entry does not change once inserted, and is read and freed
 *   under the lock only. Its X509_CRL's revoked list is sorted before
 *   insertion, so X509_CRL_get0_by_serial() under the lock never writes.
 *   A request belongs to one place at a time: the caller of revoke_check()
 *   until it is queued, then re_pending, then re_done, then the thread in
 *   revoke_engine_dispatch() that took it off re_done and runs its callback.
 *   X509 and X509_STORE objects are shared by reference count (atomic in
 *   OpenSSL 3) and only read; verifying against an X509_STORE from several
 *   threads is supported by OpenSSL 3.
 *   re_efd is written by workers and the reaper and read by the daemon; an
 *   eventfd counter needs no lock.
 *
 *   Disk files are written to a temporary name, fsync'd and renamed, so a
 *   reader (a restart, another engine) sees the old file or the new one,
 *   never half of one. Jobs are de-duplicated by key, so one process never
 *   has two writers for one file.
 */
#include "autoconf.h"

#include <sys/eventfd.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "http.h"
#include "revoke.h"

#define REVOKE_JOBS_MAX		1024	/* distinct fetches queued or running */
#define REVOKE_SWEEP_MS		60000
/* <root>/<trustpoint>[/<subdir>]/.<name>.XXXXXX */
#define DISK_DIR_MAX		(CONF_PATH_MAX + 2 * CONF_NAME_MAX + 3)
#define DISK_PATH_MAX		(DISK_DIR_MAX + 200 + 16)

int64_t
worker_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
revoke_options_default(struct revoke_options *o)
{
	memset(o, 0, sizeof(*o));
	o->workers = 2;
	o->fetch_timeout_ms = 5000;
	o->pending_wait_ms = 10000;
	o->clock_skew_s = 300;
	o->ocsp_default_ttl_s = 3600;
	o->crl_default_ttl_s = 3600;
	o->failure_retry_s = 30;
	o->crl_max_bytes = 16 * 1024 * 1024;
	o->ocsp_max_bytes = 64 * 1024;
	o->max_pending = 4096;
	o->max_redirects = 2;
}

/* The cache: a fixed table of chains, FNV-1a over the key. */

static size_t
cache_bucket(const char *key)
{
	uint32_t	 h = 2166136261u;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h % REVOKE_BUCKETS;
}

static void
entry_free(struct revoke_entry *ent)
{
	if (ent == NULL)
		return;
	X509_CRL_free(ent->ce_crl);
	free(ent->ce_key);
	free(ent);
}

struct revoke_entry *
cache_get(struct revoke_engine *e, const char *key, time_t now)
{
	struct revoke_entry	**pp, *ent;

	for (pp = &e->re_cache[cache_bucket(key)]; (ent = *pp) != NULL;
	    pp = &ent->ce_next) {
		if (strcmp(ent->ce_key, key) != 0)
			continue;
		if (ent->ce_expires >= now)
			return ent;
		*pp = ent->ce_next;	/* stale: a fetch will replace it */
		entry_free(ent);
		return NULL;
	}
	return NULL;
}

static void
cache_put(struct revoke_engine *e, struct revoke_entry *ent)
{
	struct revoke_entry	**pp, *old;

	for (pp = &e->re_cache[cache_bucket(ent->ce_key)]; (old = *pp) != NULL;
	    pp = &old->ce_next)
		if (strcmp(old->ce_key, ent->ce_key) == 0) {
			*pp = old->ce_next;
			entry_free(old);
			break;
		}
	pp = &e->re_cache[cache_bucket(ent->ce_key)];
	ent->ce_next = *pp;
	*pp = ent;
}

/* Drops entries that expired, or (TP != NULL, or everything) a trustpoint's. */
static void
cache_drop(struct revoke_engine *e, time_t now, const char *tp, bool all)
{
	struct revoke_entry	**pp, *ent;

	for (size_t b = 0; b < REVOKE_BUCKETS; b++)
		for (pp = &e->re_cache[b]; (ent = *pp) != NULL;) {
			if (all || ent->ce_expires < now ||
			    (tp != NULL && strcmp(ent->ce_trustpoint, tp) == 0)) {
				*pp = ent->ce_next;
				entry_free(ent);
			} else
				pp = &ent->ce_next;
		}
}

static size_t
cache_count(struct revoke_engine *e)
{
	struct revoke_entry	*ent;
	size_t			 n = 0;

	for (size_t b = 0; b < REVOKE_BUCKETS; b++)
		for (ent = e->re_cache[b]; ent != NULL; ent = ent->ce_next)
			n++;
	return n;
}

/* Jobs */

struct revoke_job *
job_find(struct revoke_engine *e, const char *key)
{
	struct revoke_job	*job;

	TAILQ_FOREACH(job, &e->re_queue, job_entry)
		if (strcmp(job->job_key, key) == 0)
			return job;
	TAILQ_FOREACH(job, &e->re_running, job_entry)
		if (strcmp(job->job_key, key) == 0)
			return job;
	return NULL;
}

int
job_queue(struct revoke_engine *e, struct revoke_job *job)
{
	if (e->re_njobs >= REVOKE_JOBS_MAX)
		return -1;
	TAILQ_INSERT_TAIL(&e->re_queue, job, job_entry);
	e->re_njobs++;
	pthread_cond_signal(&e->re_work);
	return 0;
}

void
job_free(struct revoke_job *job)
{
	if (job == NULL)
		return;
	X509_free(job->job_issuer);
	X509_STORE_free(job->job_trust);
	OCSP_CERTID_free(job->job_id);
	free(job->job_key);
	free(job);
}

void
request_complete(struct revoke_engine *e, struct revoke_request *rq)
{
	uint64_t	 one = 1;

	TAILQ_REMOVE(&e->re_pending, rq, rq_entry);
	e->re_stats.pending--;
	TAILQ_INSERT_TAIL(&e->re_done, rq, rq_entry);
	/* Cannot fail short of a counter overflow; a lost wake-up only delays. */
	if (write(e->re_efd, &one, sizeof(one)) != sizeof(one))
		return;
}

/* Disk: <root>/<trustpoint>[/<subdir>]/<name>, written atomically. */

static int
disk_dir(const struct revoke_engine *e, const char *trustpoint, char *dir,
    size_t len)
{
	int	n;

	if (e->re_subdir[0] != '\0')
		n = snprintf(dir, len, "%s/%s/%s", e->re_root, trustpoint,
		    e->re_subdir);
	else
		n = snprintf(dir, len, "%s/%s", e->re_root, trustpoint);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int
disk_path(const struct revoke_engine *e, const struct revoke_job *job,
    char *path, size_t len)
{
	char	dir[DISK_DIR_MAX];

	if (e->re_root[0] == '\0' || job->job_disk_name[0] == '\0' ||
	    disk_dir(e, job->job_trustpoint, dir, sizeof(dir)) == -1)
		return -1;
	if ((size_t)snprintf(path, len, "%s/%s", dir, job->job_disk_name) >= len)
		return -1;
	return 0;
}

/* The trustpoint's directory (0700, as the store makes it), then the subdirectory. */
static int
disk_mkdirs(const struct revoke_engine *e, const char *trustpoint,
    const char *dir)
{
	char	tpdir[DISK_DIR_MAX];

	if (e->re_subdir[0] != '\0') {
		snprintf(tpdir, sizeof(tpdir), "%s/%s", e->re_root, trustpoint);
		if (mkdir(tpdir, 0700) == -1 && errno != EEXIST)
			return -1;
	}
	return mkdir(dir, 0750) == -1 && errno != EEXIST ? -1 : 0;
}

static int
disk_read(const char *path, size_t max, unsigned char **buf, size_t *len,
    time_t *mtime)
{
	struct stat	 st;
	ssize_t		 n;
	int		 fd;

	*buf = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > max || (*buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return -1;
	}
	for (*len = 0; *len < (size_t)st.st_size; *len += (size_t)n)
		if ((n = read(fd, *buf + *len, (size_t)st.st_size - *len)) <= 0)
			break;
	close(fd);
	*mtime = st.st_mtime;
	return 0;
}

static int
disk_write_all(int fd, const unsigned char *buf, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* temp + fsync + rename + fsync of the directory: old file or new, whole. */
static int
disk_save(const struct revoke_engine *e, const struct revoke_job *job,
    const unsigned char *buf, size_t len, char *err, size_t errlen)
{
	char	 path[DISK_PATH_MAX], dir[DISK_DIR_MAX], tmp[DISK_PATH_MAX];
	int	 fd, dfd, saved;

	if (disk_path(e, job, path, sizeof(path)) == -1 ||
	    disk_dir(e, job->job_trustpoint, dir, sizeof(dir)) == -1)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, job->job_disk_name);
	if (disk_mkdirs(e, job->job_trustpoint, dir) == -1 ||
	    (fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		goto fail;
	if (disk_write_all(fd, buf, len) == -1 || fsync(fd) == -1 ||
	    fchmod(fd, 0640) == -1) {
		saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved;
		goto fail;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		goto fail;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	snprintf(err, errlen, "not saved to %s: %s", dir, strerror(errno));
	return -1;
}

/* Filling an entry from a job's outcome */

static void __attribute__((format(printf, 4, 5)))
entry_fail(const struct revoke_engine *e, struct revoke_entry *ent, time_t now,
    const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(ent->ce_note, sizeof(ent->ce_note), fmt, ap);
	va_end(ap);
	ent->ce_kind = ENTRY_FAILED;
	ent->ce_fetched = now;
	ent->ce_expires = now + e->re_opt.failure_retry_s;
}

/* Until nextUpdate (with the skew that made it acceptable), else a TTL. */
static time_t
entry_expiry(const struct revoke_verdict *v, time_t fetched, long skew,
    unsigned ttl)
{
	return v->next_update != 0 ? v->next_update + skew : fetched + (time_t)ttl;
}

/* A verified answer of either kind, kept as entry_expiry() says. */
static void
entry_set(const struct revoke_engine *e, struct revoke_entry *ent,
    enum revoke_entry_kind kind, const struct revoke_verdict *v,
    enum revoke_origin origin, time_t fetched)
{
	ent->ce_kind = kind;
	ent->ce_verdict = *v;
	ent->ce_origin = origin;
	ent->ce_fetched = fetched;
	ent->ce_expires = entry_expiry(v, fetched, e->re_opt.clock_skew_s,
	    kind == ENTRY_CRL ? e->re_opt.crl_default_ttl_s :
	    e->re_opt.ocsp_default_ttl_s);
}

static void
entry_set_crl(const struct revoke_engine *e, struct revoke_entry *ent,
    X509_CRL *crl, const struct revoke_verdict *v, enum revoke_origin origin,
    time_t fetched)
{
	X509_REVOKED	*dummy;
	ASN1_INTEGER	*zero;

	/* Sort the revoked list now, here, so lookups under re_lock never write. */
	if ((zero = ASN1_INTEGER_new()) != NULL) {
		X509_CRL_get0_by_serial(crl, &dummy, zero);
		ASN1_INTEGER_free(zero);
	}
	ent->ce_crl = crl;
	entry_set(e, ent, ENTRY_CRL, v, origin, fetched);
}

static void
job_crl_file(struct revoke_engine *e, struct revoke_job *job,
    struct revoke_entry *ent, time_t now)
{
	struct revoke_verdict	 v;
	X509_CRL		*crl;
	char			 err[REVOKE_NOTE_MAX];

	if ((crl = crl_load_file(job->job_source, e->re_opt.crl_max_bytes, err,
	    sizeof(err))) == NULL) {
		entry_fail(e, ent, now, "%s", err);
		return;
	}
	if (crl_check(crl, job->job_issuer, now, e->re_opt.clock_skew_s, &v, err,
	    sizeof(err)) == -1) {
		X509_CRL_free(crl);
		entry_fail(e, ent, now, "%s", err);
		return;
	}
	entry_set_crl(e, ent, crl, &v, REVOKE_FROM_FILE, now);
}

/* A CRL saved by an earlier fetch, if it still verifies and is fresh. */
static bool
job_crl_disk(struct revoke_engine *e, struct revoke_job *job,
    struct revoke_entry *ent, time_t now)
{
	struct revoke_verdict	 v;
	X509_CRL		*crl = NULL;
	unsigned char		*buf;
	char			 path[DISK_PATH_MAX], err[REVOKE_NOTE_MAX];
	size_t			 len;
	time_t			 mtime;

	if (disk_path(e, job, path, sizeof(path)) == -1 ||
	    disk_read(path, e->re_opt.crl_max_bytes, &buf, &len, &mtime) == -1)
		return false;
	crl = crl_parse(buf, len, err, sizeof(err));
	free(buf);
	if (crl == NULL || crl_check(crl, job->job_issuer, now,
	    e->re_opt.clock_skew_s, &v, err, sizeof(err)) == -1 ||
	    entry_expiry(&v, mtime, e->re_opt.clock_skew_s,
	    e->re_opt.crl_default_ttl_s) < now) {
		X509_CRL_free(crl);
		ERR_clear_error();
		return false;
	}
	entry_set_crl(e, ent, crl, &v, REVOKE_FROM_DISK, mtime);
	return true;
}

/* One counted exchange with the job's source; on failure the entry says why. */
static int
job_fetch(struct revoke_engine *e, struct revoke_job *job,
    struct revoke_entry *ent, time_t now, const struct http_request *req,
    struct http_response *resp)
{
	char	err[REVOKE_NOTE_MAX];

	job->job_fetches++;
	if (http_fetch(job->job_source, req, resp, err, sizeof(err)) < 0) {
		job->job_fetch_failures++;
		entry_fail(e, ent, now, "%s", err);
		return -1;
	}
	return 0;
}

static void
job_crl_fetch(struct revoke_engine *e, struct revoke_job *job,
    struct revoke_entry *ent, time_t now)
{
	struct http_request	 req = {
		.method = "GET",
		.accept = "application/pkix-crl, */*",
		.max_body = e->re_opt.crl_max_bytes,
		.timeout_ms = (int)job->job_timeout_ms,
		.max_redirects = e->re_opt.max_redirects,
	};
	struct http_response	 resp;
	struct revoke_verdict	 v;
	X509_CRL		*crl;
	unsigned char		*der = NULL;
	char			 err[REVOKE_NOTE_MAX];
	int			 derlen;

	if (job_fetch(e, job, ent, now, &req, &resp) == -1)
		return;
	crl = crl_parse(resp.body, resp.len, err, sizeof(err));
	http_response_free(&resp);
	if (crl == NULL || crl_check(crl, job->job_issuer, now,
	    e->re_opt.clock_skew_s, &v, err, sizeof(err)) == -1) {
		X509_CRL_free(crl);
		entry_fail(e, ent, now, "%s", err);
		return;
	}
	/* Saved as DER whatever came, so the disk holds one form. */
	if ((derlen = i2d_X509_CRL(crl, &der)) > 0 &&
	    disk_save(e, job, der, (size_t)derlen, v.remark, sizeof(v.remark)) == -1)
		job->job_disk_write_failures++;
	OPENSSL_free(der);
	entry_set_crl(e, ent, crl, &v, REVOKE_FROM_NETWORK, now);
}

/* An OCSP answer saved earlier: checked again, except for its nonce. */
static bool
job_ocsp_disk(struct revoke_engine *e, struct revoke_job *job,
    struct revoke_entry *ent, time_t now)
{
	struct revoke_verdict	 v;
	unsigned char		*buf;
	char			 path[DISK_PATH_MAX], err[REVOKE_NOTE_MAX];
	size_t			 len;
	time_t			 mtime;
	int			 rc;

	if (disk_path(e, job, path, sizeof(path)) == -1 ||
	    disk_read(path, e->re_opt.ocsp_max_bytes, &buf, &len, &mtime) == -1)
		return false;
	rc = ocsp_response_check(buf, len, NULL, job->job_id, job->job_issuer,
	    job->job_trust, now, e->re_opt.clock_skew_s, &v, err, sizeof(err));
	free(buf);
	ERR_clear_error();
	if (rc == -1 || entry_expiry(&v, mtime, e->re_opt.clock_skew_s,
	    e->re_opt.ocsp_default_ttl_s) < now)
		return false;
	entry_set(e, ent, ENTRY_OCSP, &v, REVOKE_FROM_DISK, mtime);
	return true;
}

static void
job_ocsp_fetch(struct revoke_engine *e, struct revoke_job *job,
    struct revoke_entry *ent, time_t now)
{
	struct http_request	 req = {
		.method = "POST",
		.content_type = "application/ocsp-request",
		.accept = "application/ocsp-response",
		.max_body = e->re_opt.ocsp_max_bytes,
		.timeout_ms = (int)job->job_timeout_ms,
	};
	struct http_response	 resp;
	struct revoke_verdict	 v;
	OCSP_REQUEST		*oreq;
	unsigned char		*der;
	char			 err[REVOKE_NOTE_MAX];
	size_t			 derlen;
	int			 rc;

	if ((oreq = ocsp_request_new(job->job_id, &der, &derlen, err,
	    sizeof(err))) == NULL) {
		entry_fail(e, ent, now, "%s", err);
		return;
	}
	req.body = der;
	req.body_len = derlen;
	rc = job_fetch(e, job, ent, now, &req, &resp);
	OPENSSL_free(der);
	if (rc == -1) {
		OCSP_REQUEST_free(oreq);
		return;
	}
	rc = ocsp_response_check(resp.body, resp.len, oreq, job->job_id,
	    job->job_issuer, job->job_trust, now, e->re_opt.clock_skew_s, &v, err,
	    sizeof(err));
	OCSP_REQUEST_free(oreq);
	if (rc == -1)
		entry_fail(e, ent, now, "%s", err);
	else {
		if (disk_save(e, job, resp.body, resp.len, v.remark + strlen(v.remark),
		    sizeof(v.remark) - strlen(v.remark)) == -1)
			job->job_disk_write_failures++;
		entry_set(e, ent, ENTRY_OCSP, &v, REVOKE_FROM_NETWORK, now);
	}
	http_response_free(&resp);
}

/* Runs without re_lock: all the I/O and cryptography of one job. */
static struct revoke_entry *
job_run(struct revoke_engine *e, struct revoke_job *job)
{
	struct revoke_entry	*ent;
	time_t			 now = time(NULL);

	if ((ent = calloc(1, sizeof(*ent))) == NULL ||
	    (ent->ce_key = strdup(job->job_key)) == NULL) {
		free(ent);
		return NULL;
	}
	snprintf(ent->ce_trustpoint, sizeof(ent->ce_trustpoint), "%s",
	    job->job_trustpoint);
	snprintf(ent->ce_source, sizeof(ent->ce_source), "%s", job->job_source);
	switch (job->job_kind) {
	case JOB_CRL_FILE:
		job_crl_file(e, job, ent, now);
		break;
	case JOB_CRL_URL:
		if (!job_crl_disk(e, job, ent, now))
			job_crl_fetch(e, job, ent, now);
		break;
	case JOB_OCSP:
		if (!job_ocsp_disk(e, job, ent, now))
			job_ocsp_fetch(e, job, ent, now);
		break;
	}
	ERR_clear_error();
	return ent;
}

/* With re_lock: publish the answer, then move on every check that waited. */
static void
job_finish(struct revoke_engine *e, struct revoke_job *job,
    struct revoke_entry *ent)
{
	struct revoke_request	*rq, *next;
	time_t			 now = time(NULL);

	TAILQ_REMOVE(&e->re_running, job, job_entry);
	e->re_njobs--;
	e->re_stats.fetches += job->job_fetches;
	e->re_stats.fetch_failures += job->job_fetch_failures;
	e->re_stats.disk_write_failures += job->job_disk_write_failures;
	if (ent != NULL) {
		if (ent->ce_origin == REVOKE_FROM_DISK)
			e->re_stats.disk_loads++;
		cache_put(e, ent);
	}
	for (rq = TAILQ_FIRST(&e->re_pending); rq != NULL; rq = next) {
		next = TAILQ_NEXT(rq, rq_entry);
		if (rq->rq_job != job)
			continue;
		rq->rq_job = NULL;
		rq->rq_after_job = true;
		if (ent == NULL) {
			rq->rq_expired = true;	/* out of memory: no more fetching */
			snprintf(rq->rq_nowait, sizeof(rq->rq_nowait), "out of memory");
		}
		if (request_advance(e, rq, now) != REVOKE_PENDING)
			request_complete(e, rq);
	}
}

static void *
worker_main(void *arg)
{
	struct revoke_engine	*e = arg;
	struct revoke_entry	*ent;
	struct revoke_job	*job;

	pthread_mutex_lock(&e->re_lock);
	for (;;) {
		while (!e->re_stopping && TAILQ_EMPTY(&e->re_queue))
			pthread_cond_wait(&e->re_work, &e->re_lock);
		if (e->re_stopping)
			break;
		job = TAILQ_FIRST(&e->re_queue);
		TAILQ_REMOVE(&e->re_queue, job, job_entry);
		TAILQ_INSERT_TAIL(&e->re_running, job, job_entry);
		/* read under the lock: a reload may change it meanwhile */
		job->job_timeout_ms = e->re_opt.fetch_timeout_ms;
		pthread_mutex_unlock(&e->re_lock);
		ent = job_run(e, job);
		pthread_mutex_lock(&e->re_lock);
		job_finish(e, job, ent);
		job_free(job);
	}
	pthread_mutex_unlock(&e->re_lock);
	return NULL;
}

/* Expires waits whose deadline passed; returns the next deadline. */
static int64_t
reaper_expire(struct revoke_engine *e, int64_t now, int64_t until)
{
	struct revoke_request	*rq, *next;

	for (rq = TAILQ_FIRST(&e->re_pending); rq != NULL; rq = next) {
		next = TAILQ_NEXT(rq, rq_entry);
		if (rq->rq_deadline > now) {
			if (rq->rq_deadline < until)
				until = rq->rq_deadline;
			continue;
		}
		request_expire(e, rq, time(NULL));
		request_complete(e, rq);
	}
	return until;
}

static void *
reaper_main(void *arg)
{
	struct revoke_engine	*e = arg;
	struct timespec		 ts;
	int64_t			 now, until, sweep = worker_now_ms() + REVOKE_SWEEP_MS;

	pthread_mutex_lock(&e->re_lock);
	while (!e->re_stopping) {
		now = worker_now_ms();
		if (now >= sweep) {
			cache_drop(e, time(NULL), NULL, false);
			sweep = now + REVOKE_SWEEP_MS;
		}
		until = reaper_expire(e, now, sweep);
		ts.tv_sec = until / 1000;
		ts.tv_nsec = (until % 1000) * 1000000;
		pthread_cond_timedwait(&e->re_tick, &e->re_lock, &ts);
	}
	pthread_mutex_unlock(&e->re_lock);
	return NULL;
}

/* Threads start with every signal blocked: the daemon's loop takes them. */
static int
engine_start_threads(struct revoke_engine *e, char *err, size_t errlen)
{
	sigset_t	 all, old;
	int		 rc = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (unsigned i = 0; rc == 0 && i <= e->re_opt.workers; i++) {
		rc = pthread_create(&e->re_threads[i], NULL,
		    i < e->re_opt.workers ? worker_main : reaper_main, e);
		if (rc == 0)
			e->re_nthreads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		snprintf(err, errlen, "revocation threads: %s", strerror(rc));
	return rc == 0 ? 0 : -1;
}

static int
engine_init_sync(struct revoke_engine *e)
{
	pthread_condattr_t	 ca;
	int			 rc;

	if (pthread_mutex_init(&e->re_lock, NULL) != 0)
		return -1;
	if (pthread_condattr_init(&ca) != 0)
		return -1;
	/* Deadlines are monotonic: a clock step must not stretch a wait. */
	rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
	    pthread_cond_init(&e->re_tick, &ca) == 0 &&
	    pthread_cond_init(&e->re_work, NULL) == 0 ? 0 : -1;
	pthread_condattr_destroy(&ca);
	return rc;
}

static int
engine_set_root(struct revoke_engine *e, const char *root, char *err,
    size_t errlen)
{
	if (root == NULL || root[0] == '\0')
		return 0;
	if (strlen(root) >= sizeof(e->re_root)) {
		snprintf(err, errlen, "revocation cache %.64s...: path too long", root);
		return -1;
	}
	if (mkdir(root, 0750) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "revocation cache %s: %s", root, strerror(errno));
		return -1;
	}
	strcpy(e->re_root, root);
	return 0;
}

static int
engine_set_subdir(struct revoke_engine *e, const char *subdir, char *err,
    size_t errlen)
{
	if (subdir == NULL || subdir[0] == '\0')
		return 0;
	if (strlen(subdir) >= sizeof(e->re_subdir) ||
	    !revoke_trustpoint_dir_ok(subdir)) {
		snprintf(err, errlen, "revocation cache subdirectory %.64s: not a "
		    "plain directory name", subdir);
		return -1;
	}
	strcpy(e->re_subdir, subdir);
	return 0;
}

struct revoke_engine *
revoke_engine_new(const char *cache_root, const struct revoke_options *opt,
    char *err, size_t errlen)
{
	struct revoke_engine	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (opt != NULL)
		e->re_opt = *opt;
	else
		revoke_options_default(&e->re_opt);
	if (e->re_opt.workers < 1 || e->re_opt.workers > REVOKE_THREADS_MAX)
		e->re_opt.workers = e->re_opt.workers < 1 ? 1 : REVOKE_THREADS_MAX;
	if (e->re_opt.failure_retry_s < 1)
		e->re_opt.failure_retry_s = 1;	/* so a waiter sees the failure */
	TAILQ_INIT(&e->re_queue);
	TAILQ_INIT(&e->re_running);
	TAILQ_INIT(&e->re_pending);
	TAILQ_INIT(&e->re_done);
	e->re_efd = -1;
	if (engine_set_root(e, cache_root, err, errlen) == -1 ||
	    engine_set_subdir(e, e->re_opt.cache_subdir, err, errlen) == -1) {
		free(e);
		return NULL;
	}
	e->re_opt.cache_subdir = NULL;	/* the caller's string; re_subdir has it */
	if (engine_init_sync(e) == -1 ||
	    (e->re_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		snprintf(err, errlen, "revocation engine: %s", strerror(errno));
		revoke_engine_free(e);
		return NULL;
	}
	if (engine_start_threads(e, err, errlen) == -1) {
		revoke_engine_free(e);
		return NULL;
	}
	return e;
}

void
revoke_engine_free(struct revoke_engine *e)
{
	struct revoke_request	*rq;
	struct revoke_job	*job;

	if (e == NULL)
		return;
	pthread_mutex_lock(&e->re_lock);
	e->re_stopping = true;
	pthread_cond_broadcast(&e->re_work);
	pthread_cond_broadcast(&e->re_tick);
	pthread_mutex_unlock(&e->re_lock);
	for (size_t i = 0; i < e->re_nthreads; i++)
		pthread_join(e->re_threads[i], NULL);
	while ((rq = TAILQ_FIRST(&e->re_pending)) != NULL) {
		TAILQ_REMOVE(&e->re_pending, rq, rq_entry);
		request_free(rq);
	}
	while ((rq = TAILQ_FIRST(&e->re_done)) != NULL) {
		TAILQ_REMOVE(&e->re_done, rq, rq_entry);
		request_free(rq);
	}
	while ((job = TAILQ_FIRST(&e->re_queue)) != NULL) {
		TAILQ_REMOVE(&e->re_queue, job, job_entry);
		job_free(job);
	}
	cache_drop(e, 0, NULL, true);
	if (e->re_efd != -1)
		close(e->re_efd);
	pthread_cond_destroy(&e->re_work);
	pthread_cond_destroy(&e->re_tick);
	pthread_mutex_destroy(&e->re_lock);
	free(e);
}

int
revoke_engine_fd(const struct revoke_engine *e)
{
	return e->re_efd;
}

/* One request at a time, so a callback may cancel others safely. */
size_t
revoke_engine_dispatch(struct revoke_engine *e)
{
	struct revoke_request	*rq;
	uint64_t		 count;
	size_t			 n = 0;

	if (read(e->re_efd, &count, sizeof(count)) == -1 && errno != EAGAIN)
		return 0;
	for (;;) {
		pthread_mutex_lock(&e->re_lock);
		if ((rq = TAILQ_FIRST(&e->re_done)) != NULL)
			TAILQ_REMOVE(&e->re_done, rq, rq_entry);
		pthread_mutex_unlock(&e->re_lock);
		if (rq == NULL)
			break;
		if (rq->rq_cb != NULL)
			rq->rq_cb(rq->rq_arg, &rq->rq_res);
		request_free(rq);
		n++;
	}
	return n;
}

size_t
revoke_cancel(struct revoke_engine *e, void *arg)
{
	TAILQ_HEAD(, revoke_request) gone = TAILQ_HEAD_INITIALIZER(gone);
	struct revoke_request	*rq, *next;
	size_t			 n = 0;

	pthread_mutex_lock(&e->re_lock);
	for (rq = TAILQ_FIRST(&e->re_pending); rq != NULL; rq = next) {
		next = TAILQ_NEXT(rq, rq_entry);
		if (rq->rq_arg != arg)
			continue;
		TAILQ_REMOVE(&e->re_pending, rq, rq_entry);
		e->re_stats.pending--;
		TAILQ_INSERT_TAIL(&gone, rq, rq_entry);
	}
	for (rq = TAILQ_FIRST(&e->re_done); rq != NULL; rq = next) {
		next = TAILQ_NEXT(rq, rq_entry);
		if (rq->rq_arg != arg)
			continue;
		TAILQ_REMOVE(&e->re_done, rq, rq_entry);
		TAILQ_INSERT_TAIL(&gone, rq, rq_entry);
	}
	pthread_mutex_unlock(&e->re_lock);
	while ((rq = TAILQ_FIRST(&gone)) != NULL) {
		TAILQ_REMOVE(&gone, rq, rq_entry);
		request_free(rq);
		n++;
	}
	return n;
}

/* Removes the answers saved in one trustpoint's directory. */
static void
disk_flush_dir(const char *dir)
{
	struct dirent	*de;
	DIR		*d;
	int		 dfd;

	if ((d = opendir(dir)) == NULL)
		return;
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL)
		if ((strncmp(de->d_name, "crl-", 4) == 0 ||
		    strncmp(de->d_name, "ocsp-", 5) == 0) &&
		    strlen(de->d_name) > 4 &&
		    strcmp(de->d_name + strlen(de->d_name) - 4, ".der") == 0)
			unlinkat(dfd, de->d_name, 0);
	closedir(d);
}

void
revoke_flush(struct revoke_engine *e, const char *trustpoint)
{
	struct dirent	*de;
	DIR		*d;
	char		 dir[DISK_DIR_MAX];

	pthread_mutex_lock(&e->re_lock);
	cache_drop(e, 0, trustpoint, trustpoint == NULL);
	pthread_mutex_unlock(&e->re_lock);
	if (e->re_root[0] == '\0')
		return;
	if (trustpoint != NULL) {
		if (revoke_trustpoint_dir_ok(trustpoint) &&
		    disk_dir(e, trustpoint, dir, sizeof(dir)) == 0)
			disk_flush_dir(dir);
		return;
	}
	if ((d = opendir(e->re_root)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (revoke_trustpoint_dir_ok(de->d_name) &&
		    strlen(de->d_name) < CONF_NAME_MAX &&
		    disk_dir(e, de->d_name, dir, sizeof(dir)) == 0)
			disk_flush_dir(dir);
	closedir(d);
}

void
revoke_set_timeouts(struct revoke_engine *e, unsigned fetch_timeout_ms,
    unsigned pending_wait_ms)
{
	pthread_mutex_lock(&e->re_lock);
	e->re_opt.fetch_timeout_ms = fetch_timeout_ms;
	e->re_opt.pending_wait_ms = pending_wait_ms;
	pthread_mutex_unlock(&e->re_lock);
}

void
revoke_engine_stats(struct revoke_engine *e, struct revoke_stats *st)
{
	pthread_mutex_lock(&e->re_lock);
	*st = e->re_stats;
	st->cached = cache_count(e);
	pthread_mutex_unlock(&e->re_lock);
}
