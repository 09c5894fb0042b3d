/*
 * The TLS client engine of the SIP load clients (sip_load, bench/sip_bench):
 * many non-blocking connections to one address on one epoll set, each taken
 * through TCP connect and the TLS handshake, then fed by the program's callbacks.
 */
#ifndef SIPKTLS_TEST_TLS_CLIENT_H
#define SIPKTLS_TEST_TLS_CLIENT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "iobuf.h"

enum tls_conn_state {
	TLS_CONN_IDLE, TLS_CONN_CONNECTING, TLS_CONN_HANDSHAKE, TLS_CONN_READY,
	TLS_CONN_FAILED, TLS_CONN_CLOSED,
};

/*
 * One connection. A program embeds it in its own connection struct and gets
 * back there with tls_conn_owner() from the callbacks.
 */
struct tls_conn {
	int			 fd;
	unsigned		 id;
	enum tls_conn_state	 state;
	SSL			*ssl;
	/* requests written and answered: kept by the program, quoted on failure */
	uint64_t		 sent, recvd;
	struct iobuf		 in, out;
	uint32_t		 events;	/* what epoll waits for now */
};

#define tls_conn_owner(c, type, member) \
	((type *)(void *)((char *)(c) - offsetof(type, member)))

struct tls_client {
	/* set by the program before tls_client_open() */
	const char		*prog;		/* names the program in failure lines */
	struct sockaddr_in	 addr;
	SSL_CTX			*ctx;
	/* a drained receive buffer of more than this many bytes is freed */
	size_t			 in_keep;
	/*
	 * input: c->in holds new plaintext, the first of it read at rx_ns
	 * (CLOCK_MONOTONIC); consume the whole messages. False: the stream
	 * cannot be framed and the connection fails.
	 * refill: c->in has been drained; queue what may be sent now and
	 * call tls_conn_flush().
	 */
	bool			(*input)(struct tls_conn *c, uint64_t rx_ns);
	void			(*refill)(struct tls_conn *c);
	/* kept by the engine */
	int			 ep;
	int			 sigfd;
	unsigned		 established, failed, pending;
};

/* CLOCK_MONOTONIC in nanoseconds: the clock of rx_ns. */
uint64_t	tls_client_now_ns(void);

/* A client context with the write modes tls_conn_flush() relies on. */
SSL_CTX	*tls_client_ctx_new(void);
/* "a.b.c.d:port" into tc->addr; -1 if it is not one. */
int	tls_client_target_parse(struct tls_client *, char *hostport);
/* The epoll set, and the descriptor limit raised to its hard limit. */
int	tls_client_open(struct tls_client *);
/* Makes tls_client_poll() return false once a signal arrives on sigfd. */
void	tls_client_stop_on(struct tls_client *, int sigfd);
/* One epoll wait and its events; false if a stop signal came. */
bool	tls_client_poll(struct tls_client *, int timeout_ms);
void	tls_client_close(struct tls_client *);

void	tls_conn_start(struct tls_client *, struct tls_conn *);
void	tls_conn_flush(struct tls_client *, struct tls_conn *);
/* reset: a TCP reset instead of close_notify. Frees the buffers either way. */
void	tls_conn_close(struct tls_conn *, bool reset);

#endif
