/*
 * Outbound trunks. A tenant's "backend listen" address is a plain TCP
 * listen socket; a connection the backend makes to it is the tenant's
 * traffic towards its sip-server. On accept the control plane starts
 * handshake_connect() to the sip-server and parks the accepted descriptor
 * on that connection (struct conn.backend_fd) without reading it: whatever
 * the backend sends meanwhile waits in the kernel's receive buffer, and the
 * dataplane reads it after the TLS session is attached with it as the
 * already connected backend side. If resolution, connect or handshake
 * fails, dropping the connection closes the backend's descriptor too.
 *
 * The backend side is trusted infrastructure, as for "backend target":
 * every source that reaches the socket is accepted (no trusted-list check,
 * which is about TLS peers). Operators bind "backend listen" to a loopback
 * or private address that only their SIP servers reach.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "handshake.h"
#include "log.h"
#include "outbound.h"

#define OUTB_ACCEPT_BATCH	64	/* accepts per readiness event */
#define OUTB_PAUSE_MS		1000	/* after running out of descriptors */

struct outb_listener {
	struct ev_handler	 ev;		/* ev.fd: the listening socket */
	struct sockaddr_storage	 addr;
	unsigned		 tenant;
	struct outb_listener	*dead;		/* closed, freed on the next apply */
};

struct outbound {
	struct outb_listener	**v;
	size_t			  n;
	struct outb_listener	 *dead;
	struct timer		  resume;	/* accept paused until then */
	bool			  paused;
};

static bool
outb_addr(const struct tenant_config *t, struct sockaddr_storage *ss)
{
	const struct conf_target	*b = &t->backend_listen;
	struct sockaddr_in		*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6		*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (b->kind == TARGET_IPV4 && inet_pton(AF_INET, b->host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(b->port);
		return true;
	}
	if (b->kind == TARGET_IPV6 &&
	    inet_pton(AF_INET6, b->host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(b->port);
		return true;
	}
	return false;
}

static const char *
outb_text(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char	ip[INET6_ADDRSTRLEN];

	snprintf(buf, len, "[%s]:%u", sockaddr_ntop(ss, ip, sizeof(ip)),
	    sockaddr_port(ss));
	return buf;
}

static void
outb_pause(struct sipktlsd *sd, bool on)
{
	struct outbound	*o = sd->outb;

	if (o->paused == on)
		return;
	o->paused = on;
	for (size_t i = 0; i < o->n; i++) {
		if (on)
			ev_del(sd, &o->v[i]->ev);
		else
			(void)ev_add(sd, &o->v[i]->ev, EPOLLIN);
	}
	if (on)
		timer_set(&sd->timers, &o->resume, now_ms() + OUTB_PAUSE_MS);
}

static void
outb_resume(struct sipktlsd *sd, struct timer *t)
{
	(void)t;
	outb_pause(sd, false);
}

/* One backend connection: TLS to the tenant's sip-server carries it. */
static void
outb_start(struct sipktlsd *sd, struct outb_listener *l, int fd,
    const struct sockaddr_storage *from)
{
	char		 src[INET6_ADDRSTRLEN + 16], why[256];
	struct conn	*c;
	unsigned	 id;
	int		 on = 1;

	addrport_format(from, "-", src, sizeof(src));
	if (sd->dp == NULL) {
		snprintf(why, sizeof(why), "the dataplane is not running");
		goto refuse;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (handshake_connect(sd, l->tenant, NULL, &id, why, sizeof(why)) < 0)
		goto refuse;
	if ((c = conn_find_id(sd, id)) == NULL || c->hs == NULL) {
		/* failed at once (counted and logged by the handshake) */
		log_info("tenant %u: backend connection from %s closed", l->tenant, src);
		close(fd);
		return;
	}
	c->backend_fd = fd;
	log_info("Conn-Id %u: tenant %u: backend connection from %s, opening "
	    "TLS to its sip-server", c->id, l->tenant, src);
	return;
refuse:
	sd->counters.conn_failures++;
	log_warnx("tenant %u: backend connection from %s closed: %s", l->tenant,
	    src, why);
	close(fd);
}

static void
outb_accept(struct sipktlsd *sd, struct ev_handler *ev, uint32_t events)
{
	struct outb_listener	*l = container_of(ev, struct outb_listener, ev);
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 addr[INET6_ADDRSTRLEN + 16];
	int			 fd;

	(void)events;
	for (int i = 0; i < OUTB_ACCEPT_BATCH; i++) {
		len = sizeof(ss);
		fd = accept4(l->ev.fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd != -1) {
			outb_start(sd, l, fd, &ss);
			/* a reload may not run here, but stay safe if it closes us */
			if (l->ev.cb == NULL)
				return;
			continue;
		}
		switch (errno) {
		case EINTR:
		case ECONNABORTED:
			continue;
		case EAGAIN:
			return;
		case EMFILE:
		case ENFILE:
		case ENOBUFS:
		case ENOMEM:
			log_warnx("backend listen %s: accept: %s; paused for %u ms",
			    outb_text(&l->addr, addr, sizeof(addr)), strerror(errno),
			    OUTB_PAUSE_MS);
			outb_pause(sd, true);
			return;
		default:
			log_warn("backend listen %s: accept",
			    outb_text(&l->addr, addr, sizeof(addr)));
			return;
		}
	}
}

static void
outb_listener_close(struct sipktlsd *sd, struct outb_listener *l, bool say)
{
	char	addr[INET6_ADDRSTRLEN + 16];

	if (say)
		log_info("closed backend listen %s tenant %u",
		    outb_text(&l->addr, addr, sizeof(addr)), l->tenant);
	ev_del(sd, &l->ev);
	close(l->ev.fd);
	l->ev.fd = -1;
	/* an event for it may still wait in the loop's batch */
	l->ev.cb = NULL;
	l->dead = sd->outb->dead;
	sd->outb->dead = l;
}

static void
outb_reap(struct outbound *o)
{
	struct outb_listener	*l;

	while ((l = o->dead) != NULL) {
		o->dead = l->dead;
		free(l);
	}
}

static struct outb_listener *
outb_find(const struct outbound *o, const struct sockaddr_storage *ss)
{
	for (size_t i = 0; i < o->n; i++)
		if (sockaddr_equal(&o->v[i]->addr, ss))
			return o->v[i];
	return NULL;
}

static void
outb_open(struct sipktlsd *sd, const struct tenant_config *t,
    const struct sockaddr_storage *ss, struct outbound_summary *sum)
{
	struct outbound		*o = sd->outb;
	struct listener_config	 lc = { .addr = *ss, .tenant = t->tag };
	struct outb_listener	*l, **grown;
	const char		*step;
	char			 ip[INET6_ADDRSTRLEN], addr[INET6_ADDRSTRLEN + 16];
	int			 fd;

	outb_text(ss, addr, sizeof(addr));
	if ((fd = listener_open(&lc, &step)) < 0) {
		log_crit("%%SIP-2-LISTEN_SOCKET: Failed to open listen socket for "
		    "ip_addr=%s, port=%u, vrf=, transport=TCP, tenant=%u",
		    sockaddr_ntop(ss, ip, sizeof(ip)), sockaddr_port(ss), t->tag);
		log_crit("backend listen for tenant %u: %s %s: %s", t->tag, step,
		    addr, strerror(-fd));
		sum->failed++;
		return;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (grown = reallocarray(o->v, o->n + 1, sizeof(*grown))) == NULL)
		fatal("%s", __func__);
	o->v = grown;
	l->addr = *ss;
	l->tenant = t->tag;
	l->ev.fd = fd;
	l->ev.cb = outb_accept;
	if (!o->paused && ev_add(sd, &l->ev, EPOLLIN) == -1)
		fatal("backend listen %s", addr);
	o->v[o->n++] = l;
	log_info("opened backend listen %s tenant %u (plain TCP, outbound trunk "
	    "to the sip-server)", addr, t->tag);
	sum->opened++;
}

void
outbound_apply(struct sipktlsd *sd, struct outbound_summary *sum)
{
	const struct config	*cfg = sd->cfg;
	struct outbound		*o;
	struct sockaddr_storage	 ss;
	struct outb_listener	*l;
	size_t			 i = 0;

	memset(sum, 0, sizeof(*sum));
	if (sd->outb == NULL) {
		if ((sd->outb = calloc(1, sizeof(*sd->outb))) == NULL)
			fatal("%s", __func__);
		sd->outb->resume.fn = outb_resume;
	}
	o = sd->outb;
	/* closed by the previous apply: their batch is long over */
	outb_reap(o);
	/* close what the configuration no longer has, retag what moved tenant */
	while (i < o->n) {
		const struct tenant_config	*keep = NULL;

		l = o->v[i];
		for (size_t k = 0; k < cfg->ntenants && keep == NULL; k++)
			if (outb_addr(&cfg->tenants[k], &ss) &&
			    sockaddr_equal(&ss, &l->addr))
				keep = &cfg->tenants[k];
		if (keep != NULL) {
			l->tenant = keep->tag;
			sum->kept++;
			i++;
			continue;
		}
		outb_listener_close(sd, l, true);
		o->v[i] = o->v[--o->n];
		sum->closed++;
	}
	for (size_t k = 0; k < cfg->ntenants; k++) {
		const struct tenant_config	*t = &cfg->tenants[k];

		if (t->backend_listen.kind == TARGET_NONE)
			continue;
		if (!outb_addr(t, &ss)) {
			log_crit("backend listen for tenant %u: %s is not an "
			    "address", t->tag, t->backend_listen.host);
			sum->failed++;
			continue;
		}
		if (outb_find(o, &ss) == NULL)
			outb_open(sd, t, &ss, sum);
	}
}

void
outbound_close(struct sipktlsd *sd)
{
	struct outbound	*o = sd->outb;

	if (o == NULL)
		return;
	timer_cancel(&sd->timers, &o->resume);
	for (size_t i = 0; i < o->n; i++)
		outb_listener_close(sd, o->v[i], false);
	outb_reap(o);
	free(o->v);
	free(o);
	sd->outb = NULL;
}

static int
outb_order(const void *a, const void *b)
{
	const struct outb_listener *x = *(const struct outb_listener *const *)a;
	const struct outb_listener *y = *(const struct outb_listener *const *)b;

	return x->tenant < y->tenant ? -1 : x->tenant > y->tenant;
}

void
outbound_show(const struct sipktlsd *sd, FILE *out)
{
	const struct outbound	 *o = sd->outb;
	struct outb_listener	**v;
	char			  addr[INET6_ADDRSTRLEN + 16];

	if (o == NULL || o->n == 0)
		return;
	fputs("\n------------------ Backend Listen Sockets (plain TCP) ------------------\n"
	    "         Local-Address                Tenant    Sip-Server\n"
	    " ===========================       ========    ==========\n", out);
	if ((v = calloc(o->n, sizeof(*v))) == NULL)
		fatal("%s", __func__);
	memcpy(v, o->v, o->n * sizeof(*v));
	qsort(v, o->n, sizeof(*v), outb_order);
	for (size_t i = 0; i < o->n; i++) {
		const struct tenant_config	*t = config_tenant(sd->cfg, v[i]->tenant);
		char				 srv[CONF_HOST_MAX + 16] = "none";

		if (t != NULL && t->sip_server.kind != TARGET_NONE)
			conf_target_format(&t->sip_server, srv, sizeof(srv));
		fprintf(out, "  %-32s  %-10u  %s\n",
		    outb_text(&v[i]->addr, addr, sizeof(addr)), v[i]->tenant, srv);
	}
	free(v);
}
