/*
 * Name resolution off the main loop: one thread runs getaddrinfo() and the
 * RFC 3263 SRV query, and answers through an eventfd the loop polls.
 */
#ifndef SIPKTLS_RESOLVE_H
#define SIPKTLS_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define RESOLVE_ADDRS_MAX	8
#define RESOLVE_DEFAULT_PORT	5061	/* sips, when neither the target nor SRV names one */

struct resolver;

struct resolve_answer {
	unsigned		 conn_id;
	uint64_t		 serial;
	int			 err;		/* 0, or why nothing came: see why */
	char			 why[160];
	struct sockaddr_storage	 addrs[RESOLVE_ADDRS_MAX];
	size_t			 n;
	bool			 srv;		/* addresses came through _sips._tcp SRV */
};

struct resolver	*resolver_new(char *err, size_t errlen);
void		 resolver_free(struct resolver *);
int		 resolver_fd(const struct resolver *);
/* port 0: ask _sips._tcp.HOST SRV first, as RFC 3263 says for a name without a port */
int		 resolver_submit(struct resolver *, unsigned conn_id,
		    uint64_t serial, const char *host, uint16_t port);
bool		 resolver_next(struct resolver *, struct resolve_answer *);

#endif
