/*
 * The resolver thread: takes names from a queue, resolves them with the
 * blocking libc calls, and queues the answers for the main loop, which an
 * eventfd wakes. It shares nothing else with the loop, so one mutex covers
 * both queues.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <resolv.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <unistd.h>

#include "resolve.h"

#define SRV_MAX		8

struct resolve_job {
	TAILQ_ENTRY(resolve_job) entry;
	char			 host[256];
	uint16_t		 port;
	struct resolve_answer	 ans;
};

TAILQ_HEAD(resolve_queue, resolve_job);

struct resolver {
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 work;
	struct resolve_queue	 todo;
	struct resolve_queue	 done;
	bool			 stopping;
	int			 efd;
};

struct srv_rr {
	uint16_t	 prio, weight, port;
	char		 target[256];
};

static void
answer_add(struct resolve_answer *a, const struct addrinfo *ai, uint16_t port)
{
	for (; ai != NULL && a->n < RESOLVE_ADDRS_MAX; ai = ai->ai_next) {
		struct sockaddr_storage	*ss = &a->addrs[a->n];

		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		memset(ss, 0, sizeof(*ss));
		memcpy(ss, ai->ai_addr, ai->ai_addrlen);
		if (ai->ai_family == AF_INET)
			((struct sockaddr_in *)ss)->sin_port = htons(port);
		else
			((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
		a->n++;
	}
}

static int
lookup_host(struct resolve_answer *a, const char *host, uint16_t port)
{
	struct addrinfo	 hints = { .ai_socktype = SOCK_STREAM,
			    .ai_flags = AI_ADDRCONFIG };
	struct addrinfo	*res;
	int		 rc;

	if ((rc = getaddrinfo(host, NULL, &hints, &res)) != 0) {
		snprintf(a->why, sizeof(a->why), "cannot resolve %.80s: %s", host,
		    gai_strerror(rc));
		return -1;
	}
	answer_add(a, res, port);
	freeaddrinfo(res);
	return 0;
}

static int
srv_order(const void *x, const void *y)
{
	const struct srv_rr *a = x, *b = y;

	if (a->prio != b->prio)
		return a->prio < b->prio ? -1 : 1;
	return a->weight > b->weight ? -1 : a->weight < b->weight;
}

/* Walks the answer section by hand: ns_initparse() would need libresolv. */
static size_t
srv_parse(const unsigned char *msg, int len, struct srv_rr *out, size_t max)
{
	const unsigned char	*p = msg + HFIXEDSZ, *end = msg + len;
	unsigned		 qd, an;
	size_t			 n = 0;
	int			 skip;

	if (len < HFIXEDSZ)
		return 0;
	qd = (unsigned)(msg[4] << 8 | msg[5]);
	an = (unsigned)(msg[6] << 8 | msg[7]);
	for (unsigned i = 0; i < qd; i++) {
		if ((skip = dn_skipname(p, end)) < 0 || p + skip + QFIXEDSZ > end)
			return 0;
		p += skip + QFIXEDSZ;
	}
	for (unsigned i = 0; i < an && n < max; i++) {
		unsigned	type, rdlen;

		if ((skip = dn_skipname(p, end)) < 0 || p + skip + RRFIXEDSZ > end)
			break;
		p += skip;
		type = (unsigned)(p[0] << 8 | p[1]);
		rdlen = (unsigned)(p[8] << 8 | p[9]);
		p += RRFIXEDSZ;
		if (p + rdlen > end)
			break;
		if (type == ns_t_srv && rdlen > 6) {
			out[n].prio = (uint16_t)(p[0] << 8 | p[1]);
			out[n].weight = (uint16_t)(p[2] << 8 | p[3]);
			out[n].port = (uint16_t)(p[4] << 8 | p[5]);
			if (dn_expand(msg, end, p + 6, out[n].target,
			    sizeof(out[n].target)) >= 0 && out[n].target[0] != '\0')
				n++;
		}
		p += rdlen;
	}
	return n;
}

/* RFC 3263 4.2: SRV for _sips._tcp.HOST; none means HOST itself on 5061. */
static void
lookup_srv(struct resolve_answer *a, const char *host)
{
	struct __res_state	st;
	unsigned char		msg[4096];
	struct srv_rr		rr[SRV_MAX];
	char			name[300];
	size_t			n = 0;
	int			len;

	memset(&st, 0, sizeof(st));
	snprintf(name, sizeof(name), "_sips._tcp.%s", host);
	if (res_ninit(&st) == 0) {
		len = res_nquery(&st, name, ns_c_in, ns_t_srv, msg, sizeof(msg));
		if (len > 0)
			n = srv_parse(msg, len, rr, SRV_MAX);
		res_nclose(&st);
	}
	if (n == 0) {
		a->err = lookup_host(a, host, RESOLVE_DEFAULT_PORT);
		return;
	}
	qsort(rr, n, sizeof(rr[0]), srv_order);
	a->srv = true;
	for (size_t i = 0; i < n && a->n < RESOLVE_ADDRS_MAX; i++)
		(void)lookup_host(a, rr[i].target, rr[i].port);
	if (a->n == 0 && a->why[0] == '\0')
		snprintf(a->why, sizeof(a->why), "%.100s: no address for any SRV "
		    "target", name);
	a->err = a->n == 0 ? -1 : 0;
}

static void
job_run(struct resolve_job *j)
{
	struct resolve_answer	*a = &j->ans;

	if (j->port == 0)
		lookup_srv(a, j->host);
	else
		a->err = lookup_host(a, j->host, j->port);
	if (a->err == 0 && a->n == 0) {
		snprintf(a->why, sizeof(a->why), "%.100s has no IPv4 or IPv6 address",
		    j->host);
		a->err = -1;
	}
}

static void *
resolver_main(void *arg)
{
	struct resolver		*r = arg;
	struct resolve_job	*j;
	uint64_t		 one = 1;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		while (!r->stopping && TAILQ_EMPTY(&r->todo))
			pthread_cond_wait(&r->work, &r->lock);
		if (r->stopping)
			break;
		j = TAILQ_FIRST(&r->todo);
		TAILQ_REMOVE(&r->todo, j, entry);
		pthread_mutex_unlock(&r->lock);
		job_run(j);
		pthread_mutex_lock(&r->lock);
		TAILQ_INSERT_TAIL(&r->done, j, entry);
		/* a full counter still wakes the loop: nothing to handle */
		if (write(r->efd, &one, sizeof(one)) == -1)
			continue;
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

struct resolver *
resolver_new(char *err, size_t len)
{
	struct resolver	*r;
	sigset_t	 all, old;
	int		 rc;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	TAILQ_INIT(&r->todo);
	TAILQ_INIT(&r->done);
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->work, NULL);
	if ((r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		snprintf(err, len, "eventfd: %s", strerror(errno));
		free(r);
		return NULL;
	}
	/* signals stay with the main loop's signalfd */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&r->thread, NULL, resolver_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, len, "pthread_create: %s", strerror(rc));
		close(r->efd);
		free(r);
		return NULL;
	}
	return r;
}

static void
queue_free(struct resolve_queue *q)
{
	struct resolve_job	*j;

	while ((j = TAILQ_FIRST(q)) != NULL) {
		TAILQ_REMOVE(q, j, entry);
		free(j);
	}
}

/* Waits for a lookup in progress, which the system resolver bounds. */
void
resolver_free(struct resolver *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	r->stopping = true;
	pthread_cond_signal(&r->work);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	queue_free(&r->todo);
	queue_free(&r->done);
	pthread_cond_destroy(&r->work);
	pthread_mutex_destroy(&r->lock);
	close(r->efd);
	free(r);
}

int
resolver_fd(const struct resolver *r)
{
	return r->efd;
}

int
resolver_submit(struct resolver *r, unsigned conn_id, uint64_t serial,
    const char *host, uint16_t port)
{
	struct resolve_job	*j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return -ENOMEM;
	snprintf(j->host, sizeof(j->host), "%s", host);
	j->port = port;
	j->ans.conn_id = conn_id;
	j->ans.serial = serial;
	pthread_mutex_lock(&r->lock);
	TAILQ_INSERT_TAIL(&r->todo, j, entry);
	pthread_cond_signal(&r->work);
	pthread_mutex_unlock(&r->lock);
	return 0;
}

/* One finished answer; false when none waits (the eventfd is drained then). */
bool
resolver_next(struct resolver *r, struct resolve_answer *out)
{
	struct resolve_job	*j;
	uint64_t		 n;

	pthread_mutex_lock(&r->lock);
	if ((j = TAILQ_FIRST(&r->done)) != NULL)
		TAILQ_REMOVE(&r->done, j, entry);
	else if (read(r->efd, &n, sizeof(n)) == -1)
		n = 0;	/* EAGAIN: already drained */
	pthread_mutex_unlock(&r->lock);
	if (j == NULL)
		return false;
	*out = j->ans;
	free(j);
	return true;
}
