/*
 * The daemon context: struct sipktlsd is sipktlsd's only mutable global
 * state, owned by the main loop in sipktlsd.c and lent to each subsystem.
 */
#ifndef SIPKTLS_DAEMON_H
#define SIPKTLS_DAEMON_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <openssl/ssl.h>

#include "config.h"
#include "ctl_proto.h"
#include "ev.h"
#include "ktls_link.h"
#include "listen.h"
#include "timer.h"
#include "tls.h"

#define CTL_CLIENTS_MAX		16	/* concurrent control clients */
#define CTL_CLIENT_TIMEOUT_MS	10000	/* for the whole request and reply */
#define CTL_ACCEPT_PAUSE_MS	1000	/* after running out of descriptors */
#define FD_RESERVE		64	/* descriptors kept for listeners, logs, control */

struct sipktlsd;
struct hs_engine;
struct outbound;

/* The guide's counters; "Total active connections" is the table's size. */
struct tls_counters {
	uint64_t		 send_failures;
	uint64_t		 remote_closures;
	uint64_t		 conn_failures;
	uint64_t		 inactive_ageouts;
	uint64_t		 max_sendq;		/* messages queued at once */
	struct sockaddr_storage	 max_sendq_peer;	/* where max_sendq was seen */
	uint64_t		 client_handshake_failures;
	uint64_t		 server_handshake_failures;
};

enum conn_state { CONN_HANDSHAKE, CONN_ESTABLISHED, CONN_CLOSING };
enum conn_dir { CONN_INBOUND, CONN_OUTBOUND };

struct hs;

/* One TLS connection as the control plane reports and clears it. */
struct conn {
	struct ev_handler	 ev;		/* ev.fd: the TCP socket */
	unsigned		 id;		/* Conn-Id, shared with listeners */
	unsigned		 tenant;
	enum conn_state		 state;
	enum conn_dir		 dir;
	struct sockaddr_storage	 local;
	struct sockaddr_storage	 remote;	/* family 0 while an outbound name resolves */
	size_t			 writeq;	/* messages waiting to be sent */
	char			 tls_version[16];	/* "TLSv1.3" */
	char			 cipher[64];	/* TLS 1.3: suite:KEYTYPE, as the guide */
	char			 curve[16];
	SSL			*ssl;
	struct tls_ctx		*ctx;		/* held while ssl lives */
	struct timer		 timer;		/* handshake deadline, then idle aging */
	uint64_t		 last_rx;	/* monotonic ms of the peer's last bytes */
	uint64_t		 serial;	/* tells a reused Conn-Id from its old owner */
	struct hs		*hs;		/* handshake state; NULL once handed off */
	bool			 relayed;	/* the dataplane owns socket and SSL */
	char			 offload[128];	/* record layer path and why; "" */
	int			 backend_fd;	/* outbound trunk: the backend's accepted
						 * plain connection, unread until the
						 * dataplane takes it; -1: none */
	size_t			 slot;		/* index in conn_table.v */
	struct conn		*zombie;	/* dropped, freed after the epoll batch */
};

struct conn_table {
	struct conn		**v;
	size_t			  n, cap;
	struct conn		 *byid[CTL_CONNID_MAX + 1];
	uint64_t		  serial;
	struct conn		 *zombies;
};

struct ctl_client {
	struct ev_handler	 ev;
	pid_t			 pid;		/* peer credentials, for the log */
	uid_t			 uid;
	char			 req[CTL_REQUEST_MAX];
	size_t			 reqlen;
	char			*reply;		/* NULL while reading the request */
	size_t			 replylen;
	size_t			 replyoff;
	bool			 draining;	/* reply sent, reading to end of input */
	uint64_t		 deadline;	/* monotonic ms */
};

struct ctl {
	struct ev_handler	 ev;		/* the listening socket */
	char			 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t			 dev;		/* what we bound, so we unlink only ours */
	ino_t			 ino;
	uint64_t		 resume;	/* accept paused until then; 0: not paused */
	struct ctl_client	*clients[CTL_CLIENTS_MAX];
	size_t			 nclients;
};

struct sipktlsd {
	char			 conf_path[PATH_MAX];
	struct config		*cfg;
	int			 epfd;
	struct ev_handler	 sig;		/* signalfd */
	bool			 running;
	struct listener_set	 listeners;
	struct connid_map	 ids;
	struct conn_table	 conns;
	struct tls_counters	 counters;
	struct ctl		 ctl;
	struct timer_heap	 timers;
	struct tls_ctxset	 tls;		/* contexts of the running configuration */
	struct tls_tickets	 tickets;
	struct timer		 ticket_timer;	/* rotation of generated keys */
	struct tls_cache	 sessions;	/* outbound resumption */
	struct hs_engine	*hs;		/* handshake.c's own state */
	size_t			 conn_budget;	/* connections allowed at once */
	struct dataplane	*dp;		/* NULL: sessions are not relayed */
	struct ev_handler	 dp_ev;		/* the dataplane's ended-sessions eventfd */
	struct outbound		*outb;		/* backend listen sockets (outbound.c) */
	struct ktls_state	 ktls;		/* kernel TLS probe and counters */
	struct netwatch		*nw;		/* NULL: interface changes wait for a reload */
};

struct dataplane;
struct session_facts;

/* dp_link.c: the dataplane as the control plane uses it */
void		 dp_link_start(struct sipktlsd *);
void		 dp_link_stop(struct sipktlsd *);
int		 dp_link_attach(struct sipktlsd *, struct conn *,
		    const struct session_facts *, int fd, SSL *);
bool		 dp_link_clear(struct sipktlsd *, struct conn *);
void		 dp_link_counters(const struct sipktlsd *, struct tls_counters *);
void		 dp_link_show(const struct sipktlsd *, FILE *);
void		 dp_link_writeq(struct sipktlsd *);

/* sipktlsd.c */
uint64_t	 now_ms(void);
void		 daemon_listen(struct sipktlsd *, struct listen_summary *);
int		 ev_add(struct sipktlsd *, struct ev_handler *, uint32_t events);
int		 ev_mod(struct sipktlsd *, struct ev_handler *, uint32_t events);
void		 ev_del(struct sipktlsd *, struct ev_handler *);
int		 daemon_reload(struct sipktlsd *, FILE *echo, char *why, size_t);

/* conn.c */
struct conn	*conn_new(struct sipktlsd *, int fd, unsigned id);
struct conn	*conn_find_id(struct sipktlsd *, unsigned id);
size_t		 conn_drop_remote(struct sipktlsd *,
		    const struct sockaddr_storage *);
void		 conn_drop(struct sipktlsd *, struct conn *);
void		 conn_reap(struct sipktlsd *);
void		 conn_table_free(struct sipktlsd *);
void		 conn_budget_update(struct sipktlsd *);

/* handshake.c: accepts, handshakes, outbound connections */
int		 handshake_start(struct sipktlsd *);
int		 handshake_reload(struct sipktlsd *, const struct config *);
void		 handshake_stop(struct sipktlsd *);
void		 handshake_listeners_arm(struct sipktlsd *);
int		 handshake_connect(struct sipktlsd *, unsigned tenant,
		    const struct conf_target *, unsigned *conn_id, char *why,
		    size_t);
void		 handshake_release(struct sipktlsd *, struct conn *);

/* ctl.c */
int		 ctl_open(struct ctl *, const char *path);
int		 ctl_start(struct sipktlsd *);
int		 ctl_move(struct sipktlsd *, const char *path);
void		 ctl_close(struct sipktlsd *);
int		 ctl_timeout(const struct sipktlsd *);
void		 ctl_sweep(struct sipktlsd *);

#endif
