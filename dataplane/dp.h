/*
 * The dataplane's internal types: threads with their ring, connections with
 * their two sides, the user_data encoding, and the prototypes of each file
 * under its own heading. Only dataplane/ includes this.
 */
#ifndef SIPKTLS_DP_H
#define SIPKTLS_DP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <liburing.h>

#include "dataplane.h"
#include "sendq.h"
#include "sipframe.h"
#include "wheel.h"

/* liburing 2.3 predates these (kernel 6.2, 6.1.2 stable). */
#ifndef IORING_SEND_ZC_REPORT_USAGE
#define IORING_SEND_ZC_REPORT_USAGE	(1U << 3)
#endif
#ifndef IORING_NOTIF_USAGE_ZC_COPIED
#define IORING_NOTIF_USAGE_ZC_COPIED	(1U << 31)
#endif
#ifndef SOCKET_URING_OP_SETSOCKOPT
#define SOCKET_URING_OP_SETSOCKOPT	3
#endif

#define DP_BGID			0	/* the one provided-buffer group per ring */
#define DP_ZC_SLOTS		16	/* zero-copy sends awaiting notification, per side */
#define DP_PLAIN_MAX		(16 * 1024 + 256)	/* one TLS record's plaintext */
#define DP_WHEEL_SLOTS		1024
#define DP_SEND_IOV		8	/* send queue chunks gathered per send */

/*
 * A gathered send's header. The kernel reads it when the SQE is submitted
 * (IORING_FEAT_SUBMIT_STABLE), so one per SQ entry, indexed like the SQE,
 * is never overwritten too early.
 */
struct dp_sendmsg {
	struct msghdr	 mh;
	struct iovec	 iov[DP_SEND_IOV];
};

/*
 * user_data, as in liburing's examples/proxy.h: everything a completion needs
 * to find its request, packed in 64 bits.
 *   bits  0..31  connection index in the thread's table
 *   bits 32..47  generation of that index: a CQE for an older connection
 *                that used the same index is recognised and dropped
 *   bits 48..55  aux: bit 0 = side (0 TLS, 1 backend), bits 1..7 = ZC slot
 *   bits 56..63  op
 */
enum dp_op {
	OP_NONE = 0,
	OP_WAKE,		/* eventfd read: commands from the control plane */
	OP_TICK,		/* timer wheel tick */
	OP_RECV,		/* multishot recv into the buffer ring */
	OP_SEND,
	OP_SEND_ZC,		/* result and, later, the notification */
	OP_SOCKET,		/* backend socket, created direct */
	OP_CONNECT,
	OP_NODELAY,		/* TCP_NODELAY through URING_CMD (Linux 6.7) */
	OP_SHUTDOWN,
	OP_CANCEL,
	OP_CLOSE,
};

static inline uint64_t
ud_encode(enum dp_op op, unsigned aux, uint16_t gen, uint32_t idx)
{
	return (uint64_t)op << 56 | (uint64_t)(aux & 0xff) << 48 |
	    (uint64_t)gen << 32 | idx;
}

static inline enum dp_op ud_op(uint64_t ud) { return (enum dp_op)(ud >> 56); }
static inline unsigned ud_aux(uint64_t ud) { return (unsigned)(ud >> 48) & 0xff; }
static inline uint16_t ud_gen(uint64_t ud) { return (uint16_t)(ud >> 32); }
static inline uint32_t ud_idx(uint64_t ud) { return (uint32_t)ud; }

enum { SIDE_TLS = 0, SIDE_BE = 1 };

/* Bytes received but not yet a whole SIP message. Freed when empty. */
struct dp_buf {
	uint8_t		*data;
	size_t		 len, cap;
};

struct dp_side {
	unsigned	 slot;		/* fixed-file index */
	bool		 open;		/* the slot holds a socket */
	bool		 connected;	/* sends may go */
	bool		 datagram;	/* UDP backend: one message per datagram */
	bool		 recv_armed;	/* a multishot recv is in flight */
	bool		 recv_cancel;	/* its cancel is in flight */
	bool		 paused;	/* back-pressure: the other side is full */
	bool		 in_done;	/* no more input from this side */
	bool		 send_busy;	/* one send at a time keeps the order */
	bool		 shut_sent;	/* shutdown(SHUT_WR) submitted */
	bool		 zc_ok;		/* cleared when the socket refuses SEND_ZC */
	struct sendq	 sq;
	struct dp_buf	 in;
	struct sipframe	 fr;
	struct sq_chunk	*zc_slot[DP_ZC_SLOTS];
	uint64_t	 send_ud;	/* of the send in flight, to cancel it */
};

struct dp_thread;

/*
 * The messages one completion relays towards the peer (the eight 200 OKs one
 * backend read brings) collect here and leave as one SSL_write: one record,
 * one send, one allocation instead of eight. The relay flushes at the end of
 * each completion, so one buffer per thread serves every connection
 * (tls_user.c).
 */
#define TLS_ACC_MAX	16384	/* one full record's plaintext */

struct tls_acc {
	struct dp_conn	*c;		/* whose plaintext is pending, or NULL */
	size_t		 len;
	unsigned	 msgs;		/* whole messages in buf */
	uint8_t		 buf[TLS_ACC_MAX];
};

/*
 * The "read plaintext / write plaintext" boundary. The userspace path drives
 * OpenSSL over BIOs that read the current receive buffer and append to the
 * TLS side's send queue; the kernel-TLS path passes plaintext through and
 * sends close_notify as a control record. The relay above is the same.
 */
struct dp_conn;
struct tls_side_ops {
	const char	*name;
	/* bytes from the socket; plaintext goes to relay_plain_in() */
	int		(*recv)(struct dp_conn *, const uint8_t *, size_t);
	/* plaintext for the peer; a message counts in WriteQ-Size */
	int		(*send)(struct dp_conn *, const uint8_t *, size_t, bool msg);
	int		(*close_notify)(struct dp_conn *);
	void		(*free)(struct dp_conn *);
	/*
	 * NULL, or: send() may hold plaintext back (to make one record of
	 * several messages) until this, which the relay calls at the end of
	 * every completion; a message counts in WriteQ-Size once flushed.
	 */
	int		(*flush)(struct dp_conn *);
	/* Optional (NULL: unused). Every TLS-side recv completion first:
	 * true when the side consumed it (kTLS control records). */
	bool		(*recv_done)(struct dp_conn *, int res);
	/* Optional: called when the TLS side's queue is empty and no send is
	 * in flight, for a send that must follow queued data (close_notify). */
	void		(*drained)(struct dp_conn *);
	/* Optional: n bytes of the TLS side's queue went out in one send. */
	void		(*sent)(struct dp_conn *, size_t n);
};

#define TLS_RECV_CLOSED	1	/* recv(): the peer sent close_notify */

enum dp_close_why {
	WHY_NONE = 0,
	WHY_PEER,		/* close_notify, EOF or reset from the TLS peer */
	WHY_BACKEND_EOF,
	WHY_BACKEND_FAIL,	/* refused, reset, unreachable, timed out */
	WHY_FRAMING,
	WHY_TLS_ERROR,
	WHY_SEND_FAIL,
	WHY_AGEOUT,
	WHY_CLEAR,
	WHY_STOP,
	WHY_NOMEM,
	WHY_KEY_LIMIT,		/* the TX key protected its share of records */
};

struct dp_conn {
	struct dp_thread	*t;
	uint32_t		 idx;
	uint16_t		 gen;
	_Atomic int		 state;		/* enum dp_conn_state, read by snapshot */
	_Atomic size_t		 writeq;	/* TLS side queue in messages, ditto */
	_Atomic uint64_t	 msgs_in, msgs_out;
	unsigned		 ops;		/* SQEs whose last CQE is still to come */
	bool			 dead;		/* sockets closing; freed when ops == 0 */
	bool			 dirty;		/* on the thread's dirty list */
	bool			 notify_queued;	/* our close_notify is in the TLS queue */
	bool			 excess_logged;	/* a datagram's excess octets were logged */
	bool			 wait_peer;	/* closing: wait for the peer's close_notify */
	bool			 be_failed;
	bool			 be_connecting;	/* socket or connect in flight */
	enum dp_close_why	 why;
	struct dp_conn		*dirty_next;
	uint64_t		 last_active;	/* monotonic ms */
	uint64_t		 deadline;	/* connect / linger deadline, 0: none */
	struct wheel_node	 tn;
	const struct tls_side_ops *tls;
	void			*tls_ctx;
	struct dp_side		 side[2];
	struct dp_session_facts	 facts;
	struct dp_backend	 be;
};

/* Relaxed atomics: written by one thread, summed by the control thread. */
struct dp_stats {
	_Atomic uint64_t	 attached;
	_Atomic uint64_t	 send_failures;
	_Atomic uint64_t	 remote_closures;
	_Atomic uint64_t	 conn_failures;
	_Atomic uint64_t	 inactive_ageouts;
	_Atomic uint64_t	 framing_errors;
	_Atomic uint64_t	 pings_answered;
	_Atomic uint64_t	 dgram_cl_added;	/* UDP messages given a Content-Length */
	_Atomic uint64_t	 dgram_excess;	/* UDP datagrams with octets past the body */
	_Atomic uint64_t	 zc_sends;
	_Atomic uint64_t	 zc_copied;
	_Atomic uint64_t	 msgs_relayed;
	_Atomic uint64_t	 recv_nobufs;
	_Atomic uint64_t	 refused_limit;
	_Atomic uint64_t	 ktls_tickets;
	_Atomic uint64_t	 ktls_keyupdates;
	_Atomic uint64_t	 ktls_key_limit;
	_Atomic uint64_t	 ktls_alerts;
};

#define STAT_INC(t, f)	stat_add(&(t)->stats.f, 1)

static inline void
stat_add(_Atomic uint64_t *v, uint64_t n)
{
	/* one writer: a load and a store, no locked instruction */
	atomic_store_explicit(v, atomic_load_explicit(v, memory_order_relaxed) + n,
	    memory_order_relaxed);
}

enum dp_cmd_type { CMD_ATTACH, CMD_CLEAR_ID, CMD_CLEAR_TARGET, CMD_STOP };

struct dp_cmd {
	struct dp_cmd		*next;
	enum dp_cmd_type	 type;
	struct dp_session_facts	 facts;
	int			 tls_fd;
	SSL			*ssl;
	struct dp_kernel_tls	 kt;		/* ssl == NULL: kernel TLS */
	struct dp_backend	 be;
	unsigned		 conn_id;
	struct sockaddr_storage	 target;
	bool			 match_port;
};

struct dp_thread {
	struct dataplane	*dp;
	unsigned		 id;
	pthread_t		 tid;
	int			 setup_rc;
	struct io_uring		 ring;
	bool			 ring_ok;
	unsigned		 zc_flags;	/* IORING_SEND_ZC_REPORT_USAGE if taken */
	bool			 zc_avail;	/* kernel has SEND_ZC */
	bool			 nodelay_ok;	/* URING_CMD setsockopt works */
	struct dp_sendmsg	*smsg;		/* one per SQ entry */

	/* provided receive buffers */
	struct io_uring_buf_ring *br;
	size_t			 br_len;
	uint8_t			*bufs;
	unsigned		 buf_size, nbufs;
	unsigned		 br_added;	/* returned, not yet published */

	/* commands from the control plane */
	int			 wake_fd;
	uint64_t		 wake_val;
	pthread_mutex_t		 cmd_lock;
	struct dp_cmd		*cmd_head, *cmd_tail;

	/* connections; lock guards conns[] entries and max_sendq for readers */
	pthread_mutex_t		 lock;
	struct dp_conn		**conns;
	uint16_t		*gens;
	uint32_t		*free_idx;
	unsigned		 nfree, cap;
	_Atomic unsigned	 nconns;
	bool			 had_conns;	/* trim the heap when back to zero */

	struct wheel		 wheel;
	struct __kernel_timespec tick_ts;
	uint64_t		 now;		/* monotonic ms, once per loop */
	struct dp_conn		*dirty;
	struct dp_conn		**dirty_tail;	/* FIFO: first to arrive, first sent */
	bool			 stopping;
	uint64_t		 stop_deadline;

	unsigned		*closed;	/* Conn-Ids freed in this batch */
	size_t			 nclosed, closed_cap;

	struct dp_stats		 stats;
	uint64_t		 max_sendq;	/* under lock */
	struct sockaddr_storage	 max_sendq_peer;

	uint8_t			 plain[DP_PLAIN_MAX];	/* SSL_read target */
	struct tls_acc		 acc;		/* userspace TLS plaintext, per completion */
};

struct dataplane {
	struct dp_options	 opt;
	unsigned		 nthreads;
	struct dp_thread	*threads;
	_Atomic unsigned	 nconns;	/* attached, all threads: the limit */
	_Atomic uint64_t	 refused;
	_Atomic unsigned	 rr;
	pthread_mutex_t		 closed_lock;	/* ended Conn-Ids, for the control plane */
	unsigned		*closed;
	size_t			 nclosed, closed_cap;
	int			 closed_fd;
	pthread_mutex_t		 start_lock;
	pthread_cond_t		 start_cond;
	unsigned		 started;
};

/* ring.c */
int		 ring_setup(struct dp_thread *);
void		 ring_teardown(struct dp_thread *);
void		 ring_run(struct dp_thread *);
struct io_uring_sqe *ring_sqe(struct dp_thread *);
void		 ring_arm_recv(struct dp_conn *, int side);
void		 ring_cancel_recv(struct dp_conn *, int side);
void		 ring_send(struct dp_conn *, int side);
void		 ring_shutdown(struct dp_conn *, int side);
void		 ring_close(struct dp_conn *, int side);
void		 ring_recvmsg(struct dp_conn *, int side, struct msghdr *);
void		 ring_sendmsg(struct dp_conn *, int side, const struct msghdr *);
void		 ring_socket(struct dp_conn *, int family, int type);
void		 ring_connect(struct dp_conn *);
void		 ring_nodelay(struct dp_conn *, int side);
int		 ring_install_fd(struct dp_thread *, unsigned slot, int fd);
uint64_t	 dp_now_ms(void);

/* conn.c */
struct dp_conn	*conn_lookup(struct dp_thread *, uint64_t ud);
void		 conn_attach(struct dp_thread *, struct dp_cmd *);
void		 conn_dirty(struct dp_conn *);
void		 conn_run_dirty(struct dp_thread *);
void		 conn_shutdown(struct dp_conn *, enum dp_close_why);
void		 conn_abort(struct dp_conn *, enum dp_close_why);
void		 conn_op_done(struct dp_conn *);
void		 conn_timer_arm(struct dp_conn *);
void		 conn_tick(struct dp_thread *);
void		 conn_clear(struct dp_thread *, const struct dp_cmd *);
void		 conn_stop_all(struct dp_thread *);
bool		 conn_matches(const struct dp_conn *, const struct dp_cmd *);
void		 conn_note_writeq(struct dp_conn *);

/* relay.c */
void		 relay_on_recv(struct dp_conn *, int side, const uint8_t *, size_t);
void		 relay_on_eof(struct dp_conn *, int side);
void		 relay_on_recv_error(struct dp_conn *, int side, int err);
void		 relay_on_sent(struct dp_conn *, int side, size_t n);
void		 relay_on_send_error(struct dp_conn *, int side, int err);
int		 relay_plain_in(struct dp_conn *, const uint8_t *, size_t);
void		 relay_progress(struct dp_conn *);
void		 dp_buf_free(struct dp_buf *);

/* backend.c */
int		 backend_start(struct dp_conn *);
void		 backend_on_socket(struct dp_conn *, int res);
void		 backend_on_connect(struct dp_conn *, int res);
void		 backend_fail(struct dp_conn *, int err, const char *what);

/* tls_user.c */
extern const struct tls_side_ops tls_user_ops;
int		 tls_user_attach(struct dp_conn *, SSL *);
void		 tls_user_global_free(void);

/* tls_kernel.c */
extern const struct tls_side_ops tls_kernel_ops;
int		 tls_kernel_attach(struct dp_conn *, struct dp_kernel_tls *);

/* dataplane.c */
#define DP_ADDRSTRLEN	(INET6_ADDRSTRLEN + 8)
const char	*dp_addr_format(const struct sockaddr_storage *, char *, size_t);
void		 dp_thread_commands(struct dp_thread *);
void		 dp_cmd_release(struct dp_cmd *);
void		 dp_note_closed(struct dp_thread *, unsigned conn_id);
void		 dp_flush_closed(struct dp_thread *);
void		 dp_log(int pri, const char *, ...) __attribute__((format(printf, 2, 3)));
void		 dp_log_conn(const struct dp_conn *, int pri, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

#endif
