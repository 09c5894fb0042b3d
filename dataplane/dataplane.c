/*
 * The dataplane's public side: start and stop the relay threads, hand them
 * sessions, and answer the operator's show and clear commands.
 *
 * Threading model. N threads (default: one per online core), each owning one
 * io_uring, one registered sparse file table (two slots per connection), one
 * provided-buffer ring and its connections. A connection never changes
 * thread, so the hot path (receive, frame, send) takes no lock and shares no
 * cache line with another thread. The control plane talks to a thread
 * through a command list guarded by a mutex plus an eventfd the ring reads:
 * attach, clear and stop are rare, relaying is not. Operator views read a
 * thread's table under its lock, held for one pass over the table; the
 * per-connection figures they show (state, WriteQ-Size, message counts) and
 * the counters are relaxed atomics written by their thread alone.
 *
 * SEND_ZC threshold, measured with tests/dataplane/zc-measure.sh (zc_bench:
 * one TCP stream, one send in flight, a buffer reused after its notification,
 * 40,000 sends per cell, two runs averaged; 2-vCPU VM, Linux 6.18). Sender CPU
 * per send in microseconds, copying SEND / SEND_ZC, and throughput in MB/s:
 *
 *   size      loopback CPU   loopback MB/s   veth CPU      veth MB/s
 *   500 B     1.22 / 2.40      220 / 109     1.83 / 5.05    143 /   49
 *   1.5 KB    1.28 / 2.58      545 / 231     2.21 / 5.06    314 /   99
 *   4 KB      1.21 / 3.03     1281 / 411     1.90 / 4.73   1067 /  311
 *   16 KB     2.70 / 4.44     1314 / 865     3.74 / 5.16   1226 /  826
 *   64 KB    10.5 / 12.1      1737 / 1006   13.6 / 13.3    1346 / 1283
 *
 * Every zero-copy send in both setups came back IORING_NOTIF_USAGE_ZC_COPIED:
 * traffic delivered to a local socket (loopback, or veth into another
 * namespace) is copied anyway, and zero-copy then only adds the notification.
 * It breaks even at 64 KB over veth and loses below, so SEND_ZC starts at
 * 64 KB: SIP messages (0.5-4 KB) always go by copying sends, and a real NIC,
 * where the copy is truly saved, can lower the threshold (dp_options).
 */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <syslog.h>
#include <unistd.h>

#include "dp.h"
#include "log.h"

void
dp_options_default(struct dp_options *o)
{
	memset(o, 0, sizeof(*o));
	o->threads = 0;
	o->conn_limit = DP_DEFAULT_CONN_LIMIT;
	o->aging_ms = 5 * 60 * 1000;	/* the guide's default aging: 5 minutes */
	o->max_header = DP_DEFAULT_MAX_HEADER;
	o->max_body = DP_DEFAULT_MAX_BODY;
	o->wq_bytes = DP_DEFAULT_WQ_BYTES;
	o->wq_msgs = DP_DEFAULT_WQ_MSGS;
	o->zc_threshold = DP_DEFAULT_ZC_THRESHOLD;
	o->connect_ms = DP_DEFAULT_CONNECT_MS;
	o->linger_ms = DP_DEFAULT_LINGER_MS;
	o->tick_ms = DP_DEFAULT_TICK_MS;
	o->buf_size = DP_DEFAULT_BUF_SIZE;
	o->buf_count = DP_DEFAULT_BUF_COUNT;
}

const char *
dp_addr_format(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char	ip[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;

		inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, ntohs(s->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)ss;

		inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, ntohs(s->sin6_port));
	} else
		snprintf(buf, len, "-");
	return buf;
}

void
dp_log(int pri, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(pri, fmt, ap);
	va_end(ap);
}

/* Every line about a connection names it the way the operator's show does. */
void
dp_log_conn(const struct dp_conn *c, int pri, const char *fmt, ...)
{
	char	msg[512], peer[DP_ADDRSTRLEN];
	va_list	ap;

	if (pri == LOG_DEBUG && log_getverbose() < 2)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dp_log(pri, "conn %u %s tenant %u: %s", c->facts.conn_id,
	    dp_addr_format(&c->facts.remote, peer, sizeof(peer)), c->facts.tenant,
	    msg);
}

/* Collected per batch, handed over once: one lock and one wake-up per batch. */
void
dp_note_closed(struct dp_thread *t, unsigned conn_id)
{
	if (t->nclosed == t->closed_cap) {
		size_t		 cap = t->closed_cap ? t->closed_cap * 2 : 64;
		unsigned	*v = realloc(t->closed, cap * sizeof(*v));

		if (v == NULL) {
			log_warnx("dataplane: Conn-Id %u ended, not reported: out of "
			    "memory", conn_id);
			return;
		}
		t->closed = v;
		t->closed_cap = cap;
	}
	t->closed[t->nclosed++] = conn_id;
}

void
dp_flush_closed(struct dp_thread *t)
{
	struct dataplane	*dp = t->dp;
	uint64_t		 one = 1;
	size_t			 need;

	if (t->nclosed == 0)
		return;
	pthread_mutex_lock(&dp->closed_lock);
	need = dp->nclosed + t->nclosed;
	if (need > dp->closed_cap) {
		unsigned	*v = realloc(dp->closed, need * 2 * sizeof(*v));

		if (v != NULL) {
			dp->closed = v;
			dp->closed_cap = need * 2;
		}
	}
	if (need <= dp->closed_cap) {
		memcpy(dp->closed + dp->nclosed, t->closed, t->nclosed * sizeof(*t->closed));
		dp->nclosed = need;
	} else
		log_warnx("dataplane: %zu ended Conn-Ids not reported: out of memory",
		    t->nclosed);
	pthread_mutex_unlock(&dp->closed_lock);
	t->nclosed = 0;
	if (write(dp->closed_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		log_warn("dataplane: eventfd write");
}

int
dataplane_closed_fd(struct dataplane *dp)
{
	return dp->closed_fd;
}

size_t
dataplane_closed(struct dataplane *dp, unsigned *ids, size_t max)
{
	uint64_t	v;
	size_t		n;

	/* reset first: an id added after the copy below wakes the reader again */
	(void)!read(dp->closed_fd, &v, sizeof(v));
	pthread_mutex_lock(&dp->closed_lock);
	n = dp->nclosed < max ? dp->nclosed : max;
	memcpy(ids, dp->closed, n * sizeof(*ids));
	memmove(dp->closed, dp->closed + n, (dp->nclosed - n) * sizeof(*ids));
	dp->nclosed -= n;
	if (dp->nclosed > 0) {
		v = 1;
		(void)!write(dp->closed_fd, &v, sizeof(v));
	}
	pthread_mutex_unlock(&dp->closed_lock);
	return n;
}

/*
 * Whatever an attach command still holds: sockets, SSL, kernel TLS state.
 * Each is marked gone, so a command refused early can be disposed of too.
 */
void
dp_cmd_release(struct dp_cmd *cmd)
{
	if (cmd->tls_fd >= 0)
		close(cmd->tls_fd);
	if (cmd->be.fd >= 0)
		close(cmd->be.fd);
	SSL_free(cmd->ssl);
	dp_kernel_tls_free(&cmd->kt);
	cmd->tls_fd = -1;
	cmd->be.fd = -1;
	cmd->ssl = NULL;
}

static void
cmd_dispose(struct dp_cmd *cmd)
{
	if (cmd->type == CMD_ATTACH)
		dp_cmd_release(cmd);
	free(cmd);
}

static void
cmd_post(struct dp_thread *t, struct dp_cmd *cmd)
{
	uint64_t	one = 1;

	cmd->next = NULL;
	pthread_mutex_lock(&t->cmd_lock);
	if (t->cmd_tail != NULL)
		t->cmd_tail->next = cmd;
	else
		t->cmd_head = cmd;
	t->cmd_tail = cmd;
	pthread_mutex_unlock(&t->cmd_lock);
	/* the counter saturates rather than fails; a lost wake-up cannot happen */
	if (write(t->wake_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		log_warn("dataplane thread %u: eventfd write", t->id);
}

/* Runs in the dataplane thread, from the eventfd completion. */
void
dp_thread_commands(struct dp_thread *t)
{
	struct dp_cmd	*cmd, *next;

	pthread_mutex_lock(&t->cmd_lock);
	cmd = t->cmd_head;
	t->cmd_head = t->cmd_tail = NULL;
	pthread_mutex_unlock(&t->cmd_lock);
	for (; cmd != NULL; cmd = next) {
		next = cmd->next;
		switch (cmd->type) {
		case CMD_ATTACH:
			conn_attach(t, cmd);
			/* conn_attach took what it used and set it to -1/NULL */
			cmd->tls_fd = -1;
			cmd->be.fd = -1;
			cmd->ssl = NULL;
			break;
		case CMD_CLEAR_ID:
		case CMD_CLEAR_TARGET:
			conn_clear(t, cmd);
			break;
		case CMD_STOP:
			conn_stop_all(t);
			t->stop_deadline = t->now + 3000;
			break;
		}
		cmd_dispose(cmd);
	}
}

static int
dp_thread_alloc(struct dp_thread *t, unsigned cap)
{
	t->cap = cap;
	t->wake_fd = -1;
	t->conns = calloc(cap, sizeof(*t->conns));
	t->gens = calloc(cap, sizeof(*t->gens));
	t->free_idx = calloc(cap, sizeof(*t->free_idx));
	if (t->conns == NULL || t->gens == NULL || t->free_idx == NULL)
		return -ENOMEM;
	/* lowest index first: slots fill from the start of the file table */
	for (unsigned i = 0; i < cap; i++)
		t->free_idx[i] = cap - 1 - i;
	t->nfree = cap;
	t->buf_size = t->dp->opt.buf_size;
	t->nbufs = t->dp->opt.buf_count;
	t->now = dp_now_ms();
	return wheel_init(&t->wheel, DP_WHEEL_SLOTS, t->dp->opt.tick_ms, t->now);
}

static void
dp_thread_free(struct dp_thread *t)
{
	struct dp_cmd	*cmd, *next;

	/* whatever is left after the ring is gone: the kernel holds nothing now */
	for (unsigned i = 0; t->conns != NULL && i < t->cap; i++) {
		struct dp_conn	*c = t->conns[i];

		if (c == NULL)
			continue;
		if (c->tls != NULL)
			c->tls->free(c);
		for (int side = 0; side < 2; side++) {
			sendq_clear(&c->side[side].sq);
			dp_buf_free(&c->side[side].in);
		}
		free(c);
		atomic_fetch_sub(&t->dp->nconns, 1);
	}
	for (cmd = t->cmd_head; cmd != NULL; cmd = next) {
		next = cmd->next;
		if (cmd->type == CMD_ATTACH)
			atomic_fetch_sub(&t->dp->nconns, 1);
		cmd_dispose(cmd);
	}
	t->cmd_head = t->cmd_tail = NULL;
	wheel_free(&t->wheel);
	free(t->closed);
	t->closed = NULL;
	free(t->conns);
	free(t->gens);
	free(t->free_idx);
	t->conns = NULL;
	t->gens = NULL;
	t->free_idx = NULL;
}

static void
start_report(struct dp_thread *t, int rc)
{
	struct dataplane	*dp = t->dp;

	pthread_mutex_lock(&dp->start_lock);
	t->setup_rc = rc;
	dp->started++;
	pthread_cond_broadcast(&dp->start_cond);
	pthread_mutex_unlock(&dp->start_lock);
}

/* The ring is made by the thread that uses it: SINGLE_ISSUER requires it. */
static void *
dp_thread_main(void *arg)
{
	struct dp_thread	*t = arg;
	char			 name[16];
	int			 rc;

	snprintf(name, sizeof(name), "sipktls-dp%u", t->id);
	pthread_setname_np(pthread_self(), name);
	rc = ring_setup(t);
	start_report(t, rc);
	if (rc == 0) {
		ring_run(t);
		if (atomic_load(&t->nconns) > 0)
			log_warnx("dataplane thread %u: %u connections still busy at "
			    "stop; dropped", t->id, atomic_load(&t->nconns));
	}
	return NULL;
}

/* 10,000 relayed connections need more than the usual 1,024 descriptors. */
static unsigned
dp_raise_nofile(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("dataplane: raising RLIMIT_NOFILE");
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur > UINT32_MAX ? UINT32_MAX : (unsigned)rl.rlim_cur;
}

static int
dp_check_options(struct dp_options *o)
{
	const char	*p;
	long		 ncpu;

	if (o->threads == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		o->threads = ncpu > 0 ? (unsigned)ncpu : 1;
	}
	if (o->conn_limit == 0 || o->tick_ms == 0 || o->buf_size < 2048 ||
	    o->buf_count == 0 || (o->buf_count & (o->buf_count - 1)) != 0 ||
	    o->buf_count > 32768 || o->max_header == 0 || o->wq_bytes == 0 ||
	    o->wq_msgs == 0)
		return -EINVAL;
	if (o->linger_ms == 0)
		o->linger_ms = DP_DEFAULT_LINGER_MS;
	/* valgrind preloads its vgpreload_*.so; see dp_options.wait_ms */
	if (o->wait_ms == 0 && (p = getenv("LD_PRELOAD")) != NULL &&
	    strstr(p, "vgpreload") != NULL) {
		o->wait_ms = 20;
		log_info("dataplane: under valgrind: polling every %u ms", o->wait_ms);
	}
	if (o->connect_ms == 0)
		o->connect_ms = DP_DEFAULT_CONNECT_MS;
	return 0;
}

static void
dp_join(struct dataplane *dp, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct dp_thread	*t = &dp->threads[i];
		struct dp_cmd		*cmd;

		if (t->setup_rc == 0 && (cmd = calloc(1, sizeof(*cmd))) != NULL) {
			cmd->type = CMD_STOP;
			cmd_post(t, cmd);
		}
		pthread_join(t->tid, NULL);
		ring_teardown(t);
		dp_thread_free(t);
		pthread_mutex_destroy(&t->lock);
		pthread_mutex_destroy(&t->cmd_lock);
	}
}

static void
dp_free(struct dataplane *dp)
{
	pthread_mutex_destroy(&dp->start_lock);
	pthread_cond_destroy(&dp->start_cond);
	pthread_mutex_destroy(&dp->closed_lock);
	if (dp->closed_fd >= 0)
		close(dp->closed_fd);
	free(dp->closed);
	free(dp->threads);
	free(dp);
}

int
dataplane_start(struct dataplane **dpp, const struct dp_options *opt)
{
	struct dataplane	*dp;
	unsigned		 nofile, cap, n = 0;
	int			 rc = 0;

	*dpp = NULL;
	if ((dp = calloc(1, sizeof(*dp))) == NULL)
		return -ENOMEM;
	dp->opt = *opt;
	if ((rc = dp_check_options(&dp->opt)) < 0) {
		free(dp);
		return rc;
	}
	nofile = dp_raise_nofile();
	/* a sparse table may not exceed RLIMIT_NOFILE: two slots per connection */
	cap = dp->opt.conn_limit < nofile / 2 ? dp->opt.conn_limit : nofile / 2;
	if (cap < dp->opt.conn_limit)
		log_warnx("dataplane: RLIMIT_NOFILE %u allows %u connections per "
		    "thread, below the connection limit %u", nofile, cap,
		    dp->opt.conn_limit);
	dp->nthreads = dp->opt.threads;
	dp->closed_fd = -1;
	if ((dp->threads = calloc(dp->nthreads, sizeof(*dp->threads))) == NULL) {
		free(dp);
		return -ENOMEM;
	}
	pthread_mutex_init(&dp->start_lock, NULL);
	pthread_cond_init(&dp->start_cond, NULL);
	pthread_mutex_init(&dp->closed_lock, NULL);
	if ((dp->closed_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		rc = -errno;
		dp_free(dp);
		return rc;
	}
	for (n = 0; n < dp->nthreads; n++) {
		struct dp_thread	*t = &dp->threads[n];

		t->dp = dp;
		t->id = n;
		t->setup_rc = -EINVAL;
		pthread_mutex_init(&t->lock, NULL);
		pthread_mutex_init(&t->cmd_lock, NULL);
		if ((rc = dp_thread_alloc(t, cap)) < 0 ||
		    (rc = -pthread_create(&t->tid, NULL, dp_thread_main, t)) < 0) {
			dp_thread_free(t);
			pthread_mutex_destroy(&t->lock);
			pthread_mutex_destroy(&t->cmd_lock);
			break;
		}
	}
	pthread_mutex_lock(&dp->start_lock);
	while (dp->started < n)
		pthread_cond_wait(&dp->start_cond, &dp->start_lock);
	pthread_mutex_unlock(&dp->start_lock);
	for (unsigned i = 0; i < n && rc == 0; i++)
		rc = dp->threads[i].setup_rc;
	if (rc < 0) {
		dp_join(dp, n);
		dp_free(dp);
		return rc;
	}
	log_info("dataplane: %u thread%s, %u connections per thread, SEND_ZC from "
	    "%zu bytes", dp->nthreads, dp->nthreads == 1 ? "" : "s", cap,
	    dp->opt.zc_threshold);
	*dpp = dp;
	return 0;
}

/* The least loaded thread; attach is not the hot path, a scan is fine. */
static struct dp_thread *
dp_pick_thread(struct dataplane *dp)
{
	unsigned		 start = atomic_fetch_add(&dp->rr, 1) % dp->nthreads;
	struct dp_thread	*best = &dp->threads[start];

	for (unsigned i = 1; i < dp->nthreads; i++) {
		struct dp_thread *t = &dp->threads[(start + i) % dp->nthreads];

		if (atomic_load(&t->nconns) < atomic_load(&best->nconns))
			best = t;
	}
	return best;
}

static int
attach_post(struct dataplane *dp, const struct dp_session_facts *facts,
    int tls_fd, SSL *ssl, struct dp_kernel_tls *kt, const struct dp_backend *be)
{
	struct dp_cmd	*cmd;

	if (dp == NULL || facts == NULL || be == NULL || tls_fd < 0)
		return -EINVAL;
	if (be->fd < 0 && be->addr.ss_family != AF_INET &&
	    be->addr.ss_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (atomic_fetch_add(&dp->nconns, 1) >= dp->opt.conn_limit) {
		atomic_fetch_sub(&dp->nconns, 1);
		atomic_fetch_add_explicit(&dp->refused, 1, memory_order_relaxed);
		return -EBUSY;
	}
	if ((cmd = calloc(1, sizeof(*cmd))) == NULL) {
		atomic_fetch_sub(&dp->nconns, 1);
		return -ENOMEM;
	}
	cmd->type = CMD_ATTACH;
	cmd->facts = *facts;
	cmd->facts.version[sizeof(cmd->facts.version) - 1] = '\0';
	cmd->facts.cipher[sizeof(cmd->facts.cipher) - 1] = '\0';
	cmd->facts.curve[sizeof(cmd->facts.curve) - 1] = '\0';
	cmd->facts.sni[sizeof(cmd->facts.sni) - 1] = '\0';
	cmd->facts.peer_cn[sizeof(cmd->facts.peer_cn) - 1] = '\0';
	cmd->facts.offload[sizeof(cmd->facts.offload) - 1] = '\0';
	cmd->tls_fd = tls_fd;
	cmd->ssl = ssl;
	if (kt != NULL) {
		cmd->kt = *kt;
		memset(kt, 0, sizeof(*kt));
	}
	cmd->be = *be;
	cmd_post(dp_pick_thread(dp), cmd);
	return 0;
}

int
dataplane_attach(struct dataplane *dp, const struct dp_session_facts *facts,
    int tls_fd, SSL *ssl, const struct dp_backend *be)
{
	return attach_post(dp, facts, tls_fd, ssl, NULL, be);
}

int
dataplane_attach_kernel(struct dataplane *dp, const struct dp_session_facts *facts,
    int tls_fd, struct dp_kernel_tls *kt, const struct dp_backend *be)
{
	if (kt == NULL)
		return -EINVAL;
	return attach_post(dp, facts, tls_fd, NULL, kt, be);
}

static void
info_fill(struct dp_conn_info *r, const struct dp_conn *c)
{
	memset(r, 0, sizeof(*r));
	r->conn_id = c->facts.conn_id;
	r->tenant = c->facts.tenant;
	r->thread = c->t->id;
	r->state = (enum dp_conn_state)atomic_load_explicit(&c->state,
	    memory_order_relaxed);
	r->outbound = c->facts.outbound;
	r->local = c->facts.local;
	r->remote = c->facts.remote;
	r->backend = c->be.addr;
	r->writeq = atomic_load_explicit(&c->writeq, memory_order_relaxed);
	memcpy(r->version, c->facts.version, sizeof(r->version));
	memcpy(r->cipher, c->facts.cipher, sizeof(r->cipher));
	memcpy(r->curve, c->facts.curve, sizeof(r->curve));
	memcpy(r->offload, c->facts.offload, sizeof(r->offload));
	r->msgs_in = atomic_load_explicit(&c->msgs_in, memory_order_relaxed);
	r->msgs_out = atomic_load_explicit(&c->msgs_out, memory_order_relaxed);
}

int
dataplane_snapshot(struct dataplane *dp, struct dp_conn_info **vp, size_t *np)
{
	struct dp_conn_info	*v = NULL, *nv;
	size_t			 n = 0, cap = 0;

	*vp = NULL;
	*np = 0;
	for (unsigned i = 0; i < dp->nthreads; i++) {
		struct dp_thread	*t = &dp->threads[i];
		size_t			 want = n + atomic_load(&t->nconns) + 16;

		/* allocate outside the lock; the table may grow meanwhile, then retry */
		if (want > cap) {
			if ((nv = realloc(v, want * sizeof(*v))) == NULL) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
			cap = want;
		}
		pthread_mutex_lock(&t->lock);
		for (unsigned k = 0; k < t->cap && n < cap; k++)
			if (t->conns[k] != NULL)
				info_fill(&v[n++], t->conns[k]);
		pthread_mutex_unlock(&t->lock);
	}
	*vp = v;
	*np = n;
	return 0;
}

#define SUM(f)	(s->f += atomic_load_explicit(&t->stats.f, memory_order_relaxed))

void
dataplane_counters(struct dataplane *dp, struct dp_counters *s)
{
	memset(s, 0, sizeof(*s));
	s->threads = dp->nthreads;
	s->conn_limit = dp->opt.conn_limit;
	for (unsigned i = 0; i < dp->nthreads; i++) {
		struct dp_thread	*t = &dp->threads[i];

		s->active += atomic_load(&t->nconns);
		SUM(attached);
		SUM(send_failures);
		SUM(remote_closures);
		SUM(conn_failures);
		SUM(inactive_ageouts);
		SUM(framing_errors);
		SUM(pings_answered);
		SUM(dgram_cl_added);
		SUM(dgram_excess);
		SUM(zc_sends);
		SUM(zc_copied);
		SUM(msgs_relayed);
		SUM(recv_nobufs);
		SUM(ktls_tickets);
		SUM(ktls_keyupdates);
		SUM(ktls_key_limit);
		SUM(ktls_alerts);
		s->refused_limit += atomic_load_explicit(&t->stats.refused_limit,
		    memory_order_relaxed);
		pthread_mutex_lock(&t->lock);
		if (t->max_sendq > s->max_sendq) {
			s->max_sendq = t->max_sendq;
			s->max_sendq_peer = t->max_sendq_peer;
		}
		pthread_mutex_unlock(&t->lock);
	}
	s->refused_limit += atomic_load_explicit(&dp->refused, memory_order_relaxed);
}

static size_t
dp_clear(struct dataplane *dp, struct dp_cmd *tmpl)
{
	size_t	total = 0;

	for (unsigned i = 0; i < dp->nthreads; i++) {
		struct dp_thread	*t = &dp->threads[i];
		struct dp_cmd		*cmd;
		size_t			 n = 0;

		pthread_mutex_lock(&t->lock);
		for (unsigned k = 0; k < t->cap; k++)
			if (t->conns[k] != NULL && conn_matches(t->conns[k], tmpl))
				n++;
		pthread_mutex_unlock(&t->lock);
		if (n == 0 || (cmd = malloc(sizeof(*cmd))) == NULL)
			continue;
		*cmd = *tmpl;
		cmd_post(t, cmd);
		total += n;
	}
	return total;
}

size_t
dataplane_clear_id(struct dataplane *dp, unsigned conn_id)
{
	struct dp_cmd	cmd = { .type = CMD_CLEAR_ID, .conn_id = conn_id,
	    .tls_fd = -1, .be.fd = -1 };

	return dp_clear(dp, &cmd);
}

size_t
dataplane_clear_target(struct dataplane *dp, const struct sockaddr_storage *ss,
    bool match_port)
{
	struct dp_cmd	cmd = { .type = CMD_CLEAR_TARGET, .target = *ss,
	    .match_port = match_port, .tls_fd = -1, .be.fd = -1 };

	return dp_clear(dp, &cmd);
}

void
dataplane_stop(struct dataplane *dp)
{
	if (dp == NULL)
		return;
	dp_join(dp, dp->nthreads);
	dp_free(dp);
	tls_user_global_free();
}
