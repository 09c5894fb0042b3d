/*
 * Drives the revocation engine from the shell: builds a trustpoint from the
 * configuration language, checks LEAF (issued by ISSUER) once or many times,
 * prints each result and exits 0 good, 1 revoked, 2 undetermined.
 *
 * revoke_check [-m "crl ocsp none"] [-c URL|FILE] [-o URL] [-t TRUSTPOINT]
 *     [-d CACHE_DIR] [-A ANCHORS.pem] [-T FETCH_MS] [-w WAIT_MS] [-r RETRY_S]
 *     [-n SEQUENTIAL] [-j CONCURRENT] [-F] LEAF.pem ISSUER.pem
 *
 * Without -m the trustpoint has no revocation-check line (the default, crl).
 * -j N issues N checks before waiting for any, to show they share one fetch.
 * -F flushes the trustpoint's cached answers (memory and disk) first.
 * Exit 3: usage or set-up error; 4: concurrent checks disagreed.
 */
#include "autoconf.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "config.h"
#include "pki/revoke.h"

#define CHECKS_MAX	64

struct run {
	struct revoke_result	 res[CHECKS_MAX];
	bool			 done[CHECKS_MAX];
	size_t			 ndone;
	struct timespec		 start;
};

static void
usage(void)
{
	fprintf(stderr, "usage: revoke_check [-m METHODS] [-c URL|FILE] [-o URL] "
	    "[-t TRUSTPOINT] [-d CACHE_DIR] [-A ANCHORS] [-T FETCH_MS] [-w WAIT_MS] "
	    "[-r RETRY_S] [-n N] [-j N] [-F] LEAF ISSUER\n");
	exit(3);
}

static long
elapsed_ms(const struct timespec *start)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 +
	    (now.tv_nsec - start->tv_nsec) / 1000000;
}

static void
print_result(const struct revoke_result *res, long ms)
{
	char	 line[2048];

	printf("result: %s method=%s origin=%s cached=%s reason=%s elapsed_ms=%ld "
	    "source=%s\n", revoke_status_name(res->status),
	    revoke_method_name(res->method), revoke_origin_name(res->origin),
	    res->cached ? "yes" : "no",
	    res->status == REVOKE_REVOKED ? revoke_reason_name(res->reason) : "-",
	    ms, res->source[0] ? res->source : "-");
	for (size_t i = 0; i < res->nskipped; i++)
		printf("skipped: %s\n", res->skipped[i]);
	if (res->remark[0])
		printf("remark: %s\n", res->remark);
	revoke_result_format(res, line, sizeof(line));
	printf("summary: %s\n", line);
}

static void
check_done(void *arg, const struct revoke_result *res)
{
	struct run	*run = arg;

	for (size_t i = 0; i < CHECKS_MAX; i++)
		if (!run->done[i] && run->res[i].status == REVOKE_PENDING) {
			run->res[i] = *res;
			run->done[i] = true;
			run->ndone++;
			return;
		}
}

static X509 *
load_cert(const char *path)
{
	X509	*x = NULL;
	FILE	*fp;

	if ((fp = fopen(path, "r")) != NULL) {
		x = PEM_read_X509(fp, NULL, NULL, NULL);
		fclose(fp);
	}
	if (x == NULL) {
		fprintf(stderr, "revoke_check: %s: not a PEM certificate\n", path);
		exit(3);
	}
	return x;
}

static X509_STORE *
load_store(const char *path)
{
	X509_STORE	*st = X509_STORE_new();

	if (st == NULL || X509_STORE_load_file(st, path) != 1) {
		fprintf(stderr, "revoke_check: %s: no trust anchors\n", path);
		exit(3);
	}
	return st;
}

static void
quiet_report(void *arg, enum conf_severity sev, const char *msg)
{
	if (sev == CONF_ERROR)
		fprintf(stderr, "revoke_check: %s\n", msg);
}

static struct config *
make_config(const char *tp, const char *methods, const char *crl, const char *ocsp)
{
	char		 text[4096];
	int		 n;
	struct config	*cfg;

	n = snprintf(text, sizeof(text), "crypto pki trustpoint %s\n", tp);
	if (methods)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
		    " revocation-check %s\n", methods);
	if (crl)
		n += snprintf(text + n, sizeof(text) - (size_t)n, " crl query %s\n", crl);
	if (ocsp)
		snprintf(text + n, sizeof(text) - (size_t)n, " ocsp url %s\n", ocsp);
	if ((cfg = config_parse_buffer("revoke_check", text, quiet_report, NULL)) == NULL)
		exit(3);
	return cfg;
}

/* Waits (at most a minute) until every pending check has called back. */
static void
wait_all(struct revoke_engine *e, struct run *run, size_t want)
{
	struct pollfd	 pfd = { .fd = revoke_engine_fd(e), .events = POLLIN };
	struct timespec	 t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (run->ndone < want) {
		if (elapsed_ms(&t0) > 60000) {
			fprintf(stderr, "revoke_check: no answer after 60 s\n");
			exit(3);
		}
		if (poll(&pfd, 1, 1000) == -1 && errno != EINTR)
			exit(3);
		revoke_engine_dispatch(e);
	}
}

/* N checks issued back to back, then waited for together. */
static enum revoke_status
run_checks(struct revoke_engine *e, const struct trustpoint_config *tp,
    X509 *leaf, X509 *issuer, X509_STORE *trust, size_t n)
{
	struct run	*run = calloc(1, sizeof(*run));
	size_t		 pending = 0, want = 0;
	enum revoke_status st;

	if (run == NULL)
		exit(3);
	clock_gettime(CLOCK_MONOTONIC, &run->start);
	for (size_t i = 0; i < n; i++) {
		st = revoke_check(e, tp, leaf, issuer, trust, check_done, run,
		    &run->res[i]);
		if (st == REVOKE_PENDING) {
			pending++;
			want++;
		} else
			run->done[i] = true;
	}
	wait_all(e, run, want);
	for (size_t i = 0; i < n; i++) {
		print_result(&run->res[i], elapsed_ms(&run->start));
		if (run->res[i].status != run->res[0].status) {
			printf("disagreement: check %zu differs\n", i);
			free(run);
			exit(4);
		}
	}
	if (n > 1)
		printf("concurrent: %zu checks, %zu pending at once\n", n, pending);
	st = run->res[0].status;
	free(run);
	return st;
}

static void
print_stats(struct revoke_engine *e)
{
	struct revoke_stats	 s;

	revoke_engine_stats(e, &s);
	printf("stats: checks=%llu memory_hits=%llu fetches=%llu fetch_failures=%llu "
	    "disk_loads=%llu disk_write_failures=%llu expired_waits=%llu "
	    "pending=%zu cached=%zu\n", (unsigned long long)s.checks,
	    (unsigned long long)s.memory_hits, (unsigned long long)s.fetches,
	    (unsigned long long)s.fetch_failures, (unsigned long long)s.disk_loads,
	    (unsigned long long)s.disk_write_failures,
	    (unsigned long long)s.expired_waits, s.pending, s.cached);
}

int
main(int argc, char **argv)
{
	struct revoke_options	 opt;
	struct revoke_engine	*e;
	struct config		*cfg;
	const char		*methods = NULL, *crl = NULL, *ocsp = NULL;
	const char		*tpname = "TP", *cache = NULL, *anchors = NULL;
	char			 err[256];
	X509			*leaf, *issuer;
	X509_STORE		*trust;
	enum revoke_status	 st = REVOKE_UNDETERMINED;
	long			 seq = 1, conc = 1;
	bool			 flush = false;
	int			 ch;

	revoke_options_default(&opt);
	while ((ch = getopt(argc, argv, "m:c:o:t:d:A:T:w:r:n:j:F")) != -1) {
		switch (ch) {
		case 'm': methods = optarg; break;
		case 'c': crl = optarg; break;
		case 'o': ocsp = optarg; break;
		case 't': tpname = optarg; break;
		case 'd': cache = optarg; break;
		case 'A': anchors = optarg; break;
		case 'T': opt.fetch_timeout_ms = (unsigned)atoi(optarg); break;
		case 'w': opt.pending_wait_ms = (unsigned)atoi(optarg); break;
		case 'r': opt.failure_retry_s = (unsigned)atoi(optarg); break;
		case 'n': seq = atol(optarg); break;
		case 'j': conc = atol(optarg); break;
		case 'F': flush = true; break;
		default: usage();
		}
	}
	if (argc - optind != 2 || seq < 1 || conc < 1 || conc > CHECKS_MAX)
		usage();
	leaf = load_cert(argv[optind]);
	issuer = load_cert(argv[optind + 1]);
	trust = load_store(anchors ? anchors : argv[optind + 1]);
	cfg = make_config(tpname, methods, crl, ocsp);
	if ((e = revoke_engine_new(cache, &opt, err, sizeof(err))) == NULL) {
		fprintf(stderr, "revoke_check: %s\n", err);
		return 3;
	}
	if (flush)
		revoke_flush(e, tpname);
	for (long i = 0; i < seq; i++)
		st = run_checks(e, config_trustpoint(cfg, tpname), leaf, issuer, trust,
		    (size_t)conc);
	print_stats(e);
	revoke_engine_free(e);
	config_free(cfg);
	X509_STORE_free(trust);
	X509_free(issuer);
	X509_free(leaf);
	return st == REVOKE_GOOD ? 0 : st == REVOKE_REVOKED ? 1 : 2;
}
