/*
 * TLS listen sockets: the plan a configuration asks for, the sockets that
 * are open, and the Conn-Id space they share with connections.
 */
#ifndef SIPKTLS_LISTEN_H
#define SIPKTLS_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "ctl_proto.h"
#include "ev.h"

/* SIP trunks reconnect in bursts after a failover; the kernel caps this at somaxconn. */
#define LISTEN_BACKLOG		512

/* What to listen on; pointer-free so a reload can compare old and new. */
struct listener_config {
	struct sockaddr_storage	 addr;		/* family, address and port */
	unsigned		 tenant;	/* 0: the global sip-ua listener */
	char			 ifname[CONF_NAME_MAX];	/* "" for a wildcard address */
};

/*
 * Tenants that share an address and port (told apart by SNI) each have a
 * listener with its own Conn-Id and a dup() of one socket; every copy is in
 * the epoll set, and an accept on any of them serves them all.
 */
struct listener {
	struct listener_config	 conf;
	struct ev_handler	 ev;		/* ev.fd: the listening socket */
	unsigned		 id;		/* Conn-Id */
	bool			 armed;		/* in the epoll set */
	bool			 paused;	/* out of descriptors: not polled */
	struct listener		*dead;		/* closed, freed after the epoll batch */
};

struct listener_set {
	struct listener		**v;
	size_t			  n;
	struct listener		 *dead;
};

struct listen_plan {
	struct listener_config	*v;
	size_t			 n;
	unsigned		 failures;	/* listeners with no address to open */
	bool			 quiet;		/* build without logging failures */
	bool			 interfaces;	/* some listener follows an interface */
};

struct listen_summary {
	unsigned		 kept;
	unsigned		 opened;
	unsigned		 closed;
	unsigned		 failed;
};

/* Conn-Ids 0..CTL_CONNID_MAX; 0 belongs to the global sip-ua listener. */
struct connid_map {
	uint64_t		 bits[(CTL_CONNID_MAX + 64) / 64];
};

/* quiet: only to ask listen_plan_differs(), failures are not logged */
void	 listen_plan_build(const struct config *, bool quiet,
	    struct listen_plan *);
void	 listen_plan_free(struct listen_plan *);
bool	 listen_plan_differs(const struct listener_set *,
	    const struct listen_plan *);
int	 listener_open(const struct listener_config *, const char **step);
void	 listeners_apply(struct sipktlsd *, const struct listen_plan *,
	    struct listen_summary *);
void	 listeners_close(struct sipktlsd *);
void	 listeners_reap(struct listener_set *);
const struct listener *listener_find_id(const struct listener_set *, unsigned);

socklen_t sockaddr_len(const struct sockaddr_storage *);
const char *sockaddr_ntop(const struct sockaddr_storage *, char *, size_t);
unsigned sockaddr_port(const struct sockaddr_storage *);
const char *addrport_format(const struct sockaddr_storage *, const char *none,
	    char *, size_t);
bool	 sockaddr_equal(const struct sockaddr_storage *,
	    const struct sockaddr_storage *);

int	 connid_alloc(struct connid_map *, unsigned want);
void	 connid_release(struct connid_map *, unsigned);

unsigned	 listener_default_tenant(const struct listener_set *,
		    const struct config *, const struct listener *);

#endif
