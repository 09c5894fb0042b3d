/*
 * The dataplane's interface to the control plane: start N relay threads,
 * attach finished TLS sessions to them, read what the operator sees, clear
 * connections, stop. The attach message is plain facts plus descriptors (and,
 * on the userspace TLS path only, the SSL object), so a future dataplane
 * process without keys needs no other contract.
 */
#ifndef SIPKTLS_DATAPLANE_H
#define SIPKTLS_DATAPLANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

struct dataplane;

/* Defaults, chosen by measurement where a comment says so (dataplane.c). */
#define DP_DEFAULT_CONN_LIMIT		10000
#define DP_DEFAULT_MAX_HEADER		16384
#define DP_DEFAULT_MAX_BODY		65536
#define DP_DEFAULT_WQ_BYTES		(256 * 1024)
#define DP_DEFAULT_WQ_MSGS		512
#define DP_DEFAULT_CONNECT_MS		5000
#define DP_DEFAULT_LINGER_MS		5000
#define DP_DEFAULT_TICK_MS		1000
#define DP_DEFAULT_BUF_SIZE		16384
#define DP_DEFAULT_BUF_COUNT		512
#define DP_DEFAULT_ZC_THRESHOLD		(64 * 1024)
#define DP_ZC_NEVER			SIZE_MAX

struct dp_options {
	unsigned	 threads;	/* 0: one per online core */
	unsigned	 conn_limit;	/* relayed TLS connections, all threads */
	unsigned	 aging_ms;	/* idle ageout; 0: never */
	size_t		 max_header;	/* SIP framing limits */
	size_t		 max_body;
	size_t		 wq_bytes;	/* per side: stop reading the other side above */
	unsigned	 wq_msgs;
	size_t		 zc_threshold;	/* SEND_ZC from this size; DP_ZC_NEVER: off */
	unsigned	 connect_ms;	/* backend connect timeout */
	unsigned	 linger_ms;	/* wait for the peer's close_notify */
	unsigned	 tick_ms;	/* timer wheel resolution */
	unsigned	 buf_size;	/* provided receive buffers, per thread */
	unsigned	 buf_count;	/* power of two */
	unsigned	 wait_ms;	/* 0: block for completions; else wake up this
					 * often (valgrind cannot run a blocked
					 * io_uring_enter beside other threads) */
};

enum dp_transport { DP_TCP = 0, DP_UDP = 1 };

struct dp_session_facts {
	unsigned		 conn_id;	/* the operator's Conn-Id */
	unsigned		 tenant;
	bool			 outbound;	/* we opened TLS towards the sip-server */
	struct sockaddr_storage	 local, remote;	/* of the TLS connection */
	char			 version[16];	/* "TLSv1.3" */
	char			 cipher[64];
	char			 curve[16];
	char			 sni[256];
	char			 peer_cn[256];
	bool			 resumed;
	char			 offload[128];	/* "kernel: tx+rx (openssl tx, installed rx)" */
};

struct dp_backend {
	int			 transport;	/* enum dp_transport */
	bool			 proxy_v2;	/* TCP only: PROXY v2 header first */
	struct sockaddr_storage	 addr;
	int			 fd;		/* -1: dataplane connects; else connected */
};

enum dp_conn_state {
	DP_CONN_CONNECTING,		/* backend connect in progress */
	DP_CONN_ESTABLISHED,
	DP_CONN_CLOSING,		/* close_notify / half-close in progress */
};

/* One row of "show sip-ua connections tcp tls detail". */
struct dp_conn_info {
	unsigned		 conn_id;
	unsigned		 tenant;
	unsigned		 thread;
	enum dp_conn_state	 state;
	bool			 outbound;
	struct sockaddr_storage	 local, remote, backend;
	size_t			 writeq;	/* messages queued towards the peer */
	char			 version[16];
	char			 cipher[64];
	char			 curve[16];
	char			 offload[128];
	uint64_t		 msgs_in, msgs_out;	/* from / to the TLS peer */
};

/* Aggregated over threads. */
struct dp_counters {
	unsigned		 threads;
	unsigned		 conn_limit;
	uint64_t		 active;
	uint64_t		 attached;
	uint64_t		 send_failures;
	uint64_t		 remote_closures;
	uint64_t		 conn_failures;
	uint64_t		 inactive_ageouts;
	uint64_t		 max_sendq;	/* messages queued at once towards a peer */
	struct sockaddr_storage	 max_sendq_peer;
	uint64_t		 refused_limit;
	uint64_t		 framing_errors;
	uint64_t		 pings_answered;
	uint64_t		 dgram_cl_added;	/* UDP messages given a Content-Length */
	uint64_t		 dgram_excess;	/* UDP datagrams with octets past the body */
	uint64_t		 zc_sends;
	uint64_t		 zc_copied;	/* the kernel copied after all */
	uint64_t		 msgs_relayed;
	uint64_t		 recv_nobufs;	/* buffer ring ran dry: re-armed */
	uint64_t		 ktls_tickets;	/* NewSessionTickets dropped (kernel path) */
	uint64_t		 ktls_keyupdates;	/* peer KeyUpdates that closed */
	uint64_t		 ktls_key_limit;	/* closed at the TX key's record limit */
	uint64_t		 ktls_alerts;	/* alerts and bad records from peers */
};

void	dp_options_default(struct dp_options *);
int	dataplane_start(struct dataplane **, const struct dp_options *);

/*
 * 0: the dataplane owns tls_fd, ssl and backend->fd from now on, whatever
 * happens later. <0 (-errno; -EBUSY over the connection limit): the caller
 * still owns them. ssl NULL means the kernel-TLS path without drained bytes.
 */
int	dataplane_attach(struct dataplane *, const struct dp_session_facts *,
	    int tls_fd, SSL *ssl, const struct dp_backend *);

/*
 * The kernel-TLS path: the socket's records are the kernel's (ktls_offload()
 * installed TX and RX), no SSL comes along. Plaintext OpenSSL read past the
 * handshake is relayed before anything from the socket. Same ownership rule
 * as dataplane_attach(), for kt's buffers too: on 0 they are the
 * dataplane's and *kt is emptied.
 */
struct ktls_keys;
struct dp_kernel_tls {
	uint8_t			*drained;	/* malloc'd plaintext; NULL: none */
	size_t			 drained_len;
	struct ktls_keys	*keys;		/* for a rekey; NULL below Linux 6.14 */
	uint64_t		 tx_records;	/* records already sent under the TX key */
	uint64_t		 tx_limit;	/* close once that many are sent; 0: none */
};

int	dataplane_attach_kernel(struct dataplane *, const struct dp_session_facts *,
	    int tls_fd, struct dp_kernel_tls *kt, const struct dp_backend *);
/* Frees (and wipes) what *kt holds, for a caller that keeps it after all. */
void	dp_kernel_tls_free(struct dp_kernel_tls *);

/* *v is malloc'd (free it); rows in no particular order. */
int	dataplane_snapshot(struct dataplane *, struct dp_conn_info **v, size_t *n);
void	dataplane_counters(struct dataplane *, struct dp_counters *);

/*
 * Conn-Ids are the control plane's: it learns here when one is free again.
 * The descriptor (an eventfd) turns readable when connections have ended;
 * dataplane_closed() then returns their Conn-Ids (at most max) and resets it.
 * A session refused after dataplane_attach() returned 0 is reported too.
 */
int	dataplane_closed_fd(struct dataplane *);
size_t	dataplane_closed(struct dataplane *, unsigned *ids, size_t max);

/* Close with close_notify; return how many connections matched. */
size_t	dataplane_clear_id(struct dataplane *, unsigned conn_id);
size_t	dataplane_clear_target(struct dataplane *, const struct sockaddr_storage *,
	    bool match_port);

/* Closes every connection (close_notify, short linger) and joins the threads. */
void	dataplane_stop(struct dataplane *);

#endif
