/*
 * TLS listen sockets: derives from the configuration where to listen, opens
 * those sockets and, on reload, keeps the unchanged ones so peers never see a
 * refused connection for a trunk whose settings did not move.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <fcntl.h>

#include "daemon.h"
#include "listen.h"
#include "log.h"
#include "netif.h"

const char *
sockaddr_ntop(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const void	*a;

	if (ss->ss_family == AF_INET)
		a = &((const struct sockaddr_in *)ss)->sin_addr;
	else
		a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	if (inet_ntop(ss->ss_family, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

unsigned
sockaddr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

/*
 * IPv4 as A:P and IPv6 as [A]:P, as the guide prints peers in syslog and in
 * show output; those differ only in what stands for no address at all.
 */
const char *
addrport_format(const struct sockaddr_storage *ss, const char *none, char *buf,
    size_t len)
{
	char	ip[INET6_ADDRSTRLEN];

	if (ss->ss_family != AF_INET && ss->ss_family != AF_INET6) {
		snprintf(buf, len, "%s", none);
		return buf;
	}
	sockaddr_ntop(ss, ip, sizeof(ip));
	snprintf(buf, len, ss->ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip,
	    sockaddr_port(ss));
	return buf;
}

socklen_t
sockaddr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6);
}

bool
sockaddr_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	return a->ss_family == b->ss_family &&
	    memcmp(a, b, sockaddr_len(a)) == 0;
}

/* Takes `want` when it is free, else the lowest free id from 1 up. */
int
connid_alloc(struct connid_map *m, unsigned want)
{
	unsigned	id;

	if (want <= CTL_CONNID_MAX && !(m->bits[want / 64] & (1ULL << want % 64)))
		id = want;
	else {
		for (id = 1; id <= CTL_CONNID_MAX; id++) {
			/* thousands of connections: skip full words */
			if (id % 64 == 0 && m->bits[id / 64] == ~0ULL) {
				id += 63;
				continue;
			}
			if (!(m->bits[id / 64] & (1ULL << id % 64)))
				break;
		}
		if (id > CTL_CONNID_MAX)
			return -ENOSPC;
	}
	m->bits[id / 64] |= 1ULL << id % 64;
	return (int)id;
}

void
connid_release(struct connid_map *m, unsigned id)
{
	if (id <= CTL_CONNID_MAX)
		m->bits[id / 64] &= ~(1ULL << id % 64);
}

/* The guide's syslog line, then one line saying why, both at the guide's severity 2. */
static void
listen_failure(unsigned tenant, const char *ip, unsigned port,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
listen_failure(unsigned tenant, const char *ip, unsigned port,
    const char *fmt, ...)
{
	char	why[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_crit("%%SIP-2-LISTEN_SOCKET: Failed to open listen socket for "
	    "ip_addr=%s, port=%u, vrf=, transport=TLS, tenant=%u",
	    ip, port, tenant);
	if (tenant != 0)
		log_crit("listener for tenant %u: %s", tenant, why);
	else
		log_crit("global sip-ua listener: %s", why);
}

static void
plan_add(struct listen_plan *plan, int family, const void *addr,
    unsigned port, unsigned tenant, const char *ifname)
{
	struct listener_config	 lc = { .tenant = tenant };
	struct sockaddr_in	*sin = (struct sockaddr_in *)&lc.addr;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&lc.addr;
	struct listener_config	*grown;

	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, addr, sizeof(sin->sin_addr));
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, addr, sizeof(sin6->sin6_addr));
	}
	snprintf(lc.ifname, sizeof(lc.ifname), "%s", ifname);
	for (size_t i = 0; i < plan->n; i++)
		if (plan->v[i].tenant == tenant &&
		    sockaddr_equal(&plan->v[i].addr, &lc.addr))
			return;
	if ((grown = reallocarray(plan->v, plan->n + 1, sizeof(*grown))) == NULL)
		fatal("%s", __func__);
	plan->v = grown;
	plan->v[plan->n++] = lc;
}

static void
plan_interface(struct listen_plan *plan, struct netif *nif, bool *nif_open,
    unsigned tenant, const char *ifname, unsigned port)
{
	struct netif_addr	*a = NULL;
	size_t			 n = 0, skipped = 0;
	int			 err;

	if (!*nif_open && netif_open(nif) == 0)
		*nif_open = true;
	if (!*nif_open)
		err = -EIO;
	else
		err = netif_addresses(nif, ifname, &a, &n, &skipped);
	if (err == -ENOMEM)
		fatal("%s", __func__);
	if (plan->quiet)
		;	/* only asking whether anything changed */
	else if (err == -ENODEV)
		listen_failure(tenant, "", port, "interface %s does not exist", ifname);
	else if (err != 0)
		listen_failure(tenant, "", port, "cannot read the addresses of "
		    "interface %s", ifname);
	else if (n == 0)
		listen_failure(tenant, "", port, "interface %s has no IPv4 or IPv6 "
		    "address%s", ifname, skipped ? " (link-local IPv6 addresses, and "
		    "those that failed duplicate address detection, are not used)" : "");
	if (err != 0 || n == 0) {
		plan->failures++;
		return;
	}
	for (size_t i = 0; i < n; i++)
		plan_add(plan, a[i].family, &a[i].addr, port, tenant, ifname);
	free(a);
}

static void
plan_listener(struct listen_plan *plan, struct netif *nif, bool *nif_open,
    unsigned tenant, const char *ifname, unsigned port)
{
	if (ifname[0] != '\0') {
		plan->interfaces = true;
		plan_interface(plan, nif, nif_open, tenant, ifname, port);
		return;
	}
	plan_add(plan, AF_INET, &(struct in_addr){ htonl(INADDR_ANY) }, port,
	    tenant, "");
	plan_add(plan, AF_INET6, &in6addr_any, port, tenant, "");
}

/*
 * The global sip-ua listener comes first so that it takes Conn-Id 0, as in
 * the guide; tenants follow in file order. Interfaces are read once per plan.
 */
void
listen_plan_build(const struct config *cfg, bool quiet, struct listen_plan *plan)
{
	struct netif	 nif;
	bool		 nif_open = false;
	unsigned	 port;

	memset(plan, 0, sizeof(*plan));
	plan->quiet = quiet;
	if (cfg->transport_tls) {
		port = cfg->global_port ? cfg->global_port : SIPKTLS_DEFAULT_PORT;
		plan_listener(plan, &nif, &nif_open, 0, cfg->global_bind, port);
	}
	for (size_t i = 0; i < cfg->ntenants; i++) {
		const struct tenant_config *t = &cfg->tenants[i];

		if (t->listen_port != 0)
			plan_listener(plan, &nif, &nif_open, t->tag,
			    t->bind_control, t->listen_port);
	}
	if (nif_open)
		netif_close(&nif);
}

void
listen_plan_free(struct listen_plan *plan)
{
	free(plan->v);
	memset(plan, 0, sizeof(*plan));
}

/*
 * Sockets on an interface's address get IP_FREEBIND: an IPv6 address is
 * still tentative while duplicate address detection runs, and bind() would
 * refuse it although the address was just read from that interface.
 */
int
listener_open(const struct listener_config *lc, const char **step)
{
	int	fd, on = 1, err;

	*step = "socket";
	fd = socket(lc->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd == -1)
		return -errno;
	*step = "setsockopt";
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    (lc->addr.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1) ||
	    (lc->ifname[0] != '\0' && setsockopt(fd, IPPROTO_IP, IP_FREEBIND,
	    &on, sizeof(on)) == -1))
		goto fail;
	*step = "bind";
	if (bind(fd, (const struct sockaddr *)&lc->addr, sockaddr_len(&lc->addr)) == -1)
		goto fail;
	*step = "listen";
	if (listen(fd, LISTEN_BACKLOG) == -1)
		goto fail;
	return fd;
fail:
	err = errno;
	close(fd);
	return -err;
}

static bool
listener_same(const struct listener_config *a, const struct listener_config *b)
{
	return a->tenant == b->tenant && sockaddr_equal(&a->addr, &b->addr);
}

static const struct listener_config *
plan_find(const struct listen_plan *plan, const struct listener_config *lc)
{
	for (size_t i = 0; i < plan->n; i++)
		if (listener_same(&plan->v[i], lc))
			return &plan->v[i];
	return NULL;
}

static bool
set_contains(const struct listener_set *set, const struct listener_config *lc)
{
	for (size_t i = 0; i < set->n; i++)
		if (listener_same(&set->v[i]->conf, lc))
			return true;
	return false;
}

static void
listener_close(struct sipktlsd *sd, struct listener *l)
{
	char	ip[INET6_ADDRSTRLEN];

	log_info("closed listener %u [%s]:%u tenant %u", l->id,
	    sockaddr_ntop(&l->conf.addr, ip, sizeof(ip)),
	    sockaddr_port(&l->conf.addr), l->conf.tenant);
	/* a dup() of the socket may live on: leave no stale registration behind */
	if (l->armed)
		ev_del(sd, &l->ev);
	close(l->ev.fd);
	connid_release(&sd->ids, l->id);
	l->ev.cb = NULL;
	l->dead = sd->listeners.dead;
	sd->listeners.dead = l;
}

void
listeners_reap(struct listener_set *set)
{
	struct listener	*l;

	while ((l = set->dead) != NULL) {
		set->dead = l->dead;
		free(l);
	}
}

/* Another tenant's socket on the same address and port, to share. */
static int
listener_sibling_fd(const struct listener_set *set,
    const struct listener_config *lc)
{
	for (size_t i = 0; i < set->n; i++)
		if (sockaddr_equal(&set->v[i]->conf.addr, &lc->addr))
			return set->v[i]->ev.fd;
	return -1;
}

/*
 * Tenants sharing a socket are told apart by SNI; a client without it (or
 * with an unknown name) reaches the one written first in the file, whichever
 * copy of the socket the accept happened on.
 */
unsigned
listener_default_tenant(const struct listener_set *set, const struct config *cfg,
    const struct listener *l)
{
	size_t	best = SIZE_MAX;

	if (l->conf.tenant == 0)
		return 0;
	for (size_t i = 0; i < set->n; i++) {
		if (!sockaddr_equal(&set->v[i]->conf.addr, &l->conf.addr))
			continue;
		for (size_t j = 0; j < cfg->ntenants && j < best; j++)
			if (cfg->tenants[j].tag == set->v[i]->conf.tenant)
				best = j;
	}
	return best == SIZE_MAX ? l->conf.tenant : cfg->tenants[best].tag;
}

static int
listener_socket(const struct listener_set *set, const struct listener_config *lc,
    const char **step)
{
	int	fd;

	if ((fd = listener_sibling_fd(set, lc)) == -1)
		return listener_open(lc, step);
	*step = "dup";
	if ((fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1)
		return -errno;
	return fd;
}

static bool
listener_add(struct sipktlsd *sd, const struct listener_config *lc)
{
	struct listener_set	*set = &sd->listeners;
	struct listener		**grown, *l;
	const char		*step;
	char			 ip[INET6_ADDRSTRLEN];
	int			 fd, id;

	sockaddr_ntop(&lc->addr, ip, sizeof(ip));
	if ((fd = listener_socket(set, lc, &step)) < 0) {
		listen_failure(lc->tenant, ip, sockaddr_port(&lc->addr),
		    "%s [%s]:%u: %s", step, ip, sockaddr_port(&lc->addr),
		    strerror(-fd));
		return false;
	}
	/* Conn-Id 0 is the global listener's, as in the guide */
	if ((id = connid_alloc(&sd->ids, lc->tenant == 0 ? 0 : 1)) < 0) {
		listen_failure(lc->tenant, ip, sockaddr_port(&lc->addr),
		    "no free Conn-Id (all %d are in use)", CTL_CONNID_MAX);
		close(fd);
		return false;
	}
	if ((grown = reallocarray(set->v, set->n + 1, sizeof(*grown))) == NULL ||
	    (l = calloc(1, sizeof(*l))) == NULL)
		fatal("%s", __func__);
	set->v = grown;
	l->conf = *lc;
	l->ev.fd = fd;
	l->id = (unsigned)id;
	set->v[set->n++] = l;
	log_info("listening on [%s]:%u for tenant %u, Conn-Id %d", ip,
	    sockaddr_port(&lc->addr), lc->tenant, id);
	return true;
}

/* Whether applying the plan would open or close a listener. */
bool
listen_plan_differs(const struct listener_set *set, const struct listen_plan *plan)
{
	size_t	n = 0;

	for (size_t i = 0; i < set->n; i++)
		if (plan_find(plan, &set->v[i]->conf) != NULL)
			n++;
	return n != set->n || n != plan->n;
}

/*
 * Closes what the plan dropped before opening what it added: a tenant that
 * moved a port to another tenant must free the address before it is bound.
 */
void
listeners_apply(struct sipktlsd *sd, const struct listen_plan *plan,
    struct listen_summary *sum)
{
	struct listener_set		*set = &sd->listeners;
	const struct listener_config	*want;
	size_t				 kept = 0;

	memset(sum, 0, sizeof(*sum));
	for (size_t i = 0; i < set->n; i++) {
		if ((want = plan_find(plan, &set->v[i]->conf)) != NULL) {
			set->v[i]->conf = *want;	/* the interface may have a new name */
			set->v[kept++] = set->v[i];
		} else {
			listener_close(sd, set->v[i]);
			sum->closed++;
		}
	}
	set->n = kept;
	sum->kept = (unsigned)kept;
	sum->failed = plan->failures;
	for (size_t i = 0; i < plan->n; i++) {
		if (set_contains(set, &plan->v[i]))
			continue;
		if (listener_add(sd, &plan->v[i]))
			sum->opened++;
		else
			sum->failed++;
	}
}

void
listeners_close(struct sipktlsd *sd)
{
	struct listener_set	*set = &sd->listeners;

	for (size_t i = 0; i < set->n; i++)
		listener_close(sd, set->v[i]);
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

const struct listener *
listener_find_id(const struct listener_set *set, unsigned id)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i]->id == id)
			return set->v[i];
	return NULL;
}
