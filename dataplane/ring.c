/*
 * One io_uring per dataplane thread: set-up with feature probes, the provided
 * buffer ring, SQE preparation for every operation the relay uses, and the
 * event loop whose single switch dispatches each completion by its op.
 */
#include "autoconf.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "dp.h"
#include "log.h"

#define RING_SQ_ENTRIES		1024
#define RING_CQ_ENTRIES		16384

uint64_t
dp_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * DEFER_TASKRUN runs completions only when this thread asks for events,
 * which is all it ever does between batches; older kernels get COOP_TASKRUN.
 */
static int
ring_init_flags(struct dp_thread *t)
{
	static const unsigned tries[] = {
		IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
		IORING_SETUP_COOP_TASKRUN,
		0,
	};
	struct io_uring_params	p;
	int			rc = -EINVAL;

	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		memset(&p, 0, sizeof(p));
		p.flags = tries[i] | IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL;
		p.cq_entries = RING_CQ_ENTRIES;
		rc = io_uring_queue_init_params(RING_SQ_ENTRIES, &t->ring, &p);
		if (rc != -EINVAL)
			break;
	}
	if (rc < 0)
		log_warnx("dataplane thread %u: io_uring_queue_init: %s", t->id,
		    strerror(-rc));
	return rc;
}

/* The features the relay cannot do without, checked once, named when missing. */
static int
ring_probe(struct dp_thread *t)
{
	static const struct { int op; const char *name; } need[] = {
		{ IORING_OP_SOCKET, "SOCKET (Linux 5.19)" },
		{ IORING_OP_SEND, "SEND" },
		{ IORING_OP_RECV, "RECV" },
		{ IORING_OP_CONNECT, "CONNECT" },
		{ IORING_OP_SHUTDOWN, "SHUTDOWN" },
		{ IORING_OP_CLOSE, "CLOSE" },
		{ IORING_OP_ASYNC_CANCEL, "ASYNC_CANCEL" },
		{ IORING_OP_TIMEOUT, "TIMEOUT" },
		{ IORING_OP_READ, "READ" },
	};
	struct io_uring_probe	*p;

	if ((p = io_uring_get_probe_ring(&t->ring)) == NULL) {
		log_warnx("dataplane: io_uring probe failed");
		return -ENOSYS;
	}
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (!io_uring_opcode_supported(p, need[i].op)) {
			log_warnx("dataplane: the kernel lacks io_uring %s", need[i].name);
			io_uring_free_probe(p);
			return -EOPNOTSUPP;
		}
	}
	/* SEND_ZC came with multishot recv in 6.0: its absence means no multishot */
	t->zc_avail = io_uring_opcode_supported(p, IORING_OP_SEND_ZC);
	io_uring_free_probe(p);
	if (!t->zc_avail) {
		log_warnx("dataplane: the kernel lacks multishot recv (Linux 6.0)");
		return -EOPNOTSUPP;
	}
	t->zc_flags = IORING_SEND_ZC_REPORT_USAGE;
	t->nodelay_ok = true;
	return 0;
}

/* liburing 2.3 has no io_uring_setup_buf_ring: map and register by hand. */
static int
ring_bufs_setup(struct dp_thread *t)
{
	struct io_uring_buf_reg	reg;
	int			rc, mask;

	t->br_len = t->nbufs * sizeof(struct io_uring_buf);
	t->br = mmap(NULL, t->br_len, PROT_READ | PROT_WRITE,
	    MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	if (t->br == MAP_FAILED) {
		t->br = NULL;
		return -errno;
	}
	/* touched only as the kernel fills them: RSS follows real use */
	t->bufs = mmap(NULL, (size_t)t->nbufs * t->buf_size, PROT_READ | PROT_WRITE,
	    MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	if (t->bufs == MAP_FAILED) {
		t->bufs = NULL;
		return -errno;
	}
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (unsigned long)t->br;
	reg.ring_entries = t->nbufs;
	reg.bgid = DP_BGID;
	if ((rc = io_uring_register_buf_ring(&t->ring, &reg, 0)) < 0) {
		log_warnx("dataplane: buffer ring (Linux 5.19): %s", strerror(-rc));
		return rc;
	}
	io_uring_buf_ring_init(t->br);
	mask = io_uring_buf_ring_mask(t->nbufs);
	for (unsigned i = 0; i < t->nbufs; i++)
		io_uring_buf_ring_add(t->br, t->bufs + (size_t)i * t->buf_size,
		    t->buf_size, (unsigned short)i, mask, (int)i);
	io_uring_buf_ring_advance(t->br, (int)t->nbufs);
	return 0;
}

int
ring_setup(struct dp_thread *t)
{
	int	rc;

	if ((rc = ring_init_flags(t)) < 0)
		return rc;
	t->ring_ok = true;
	if ((rc = ring_probe(t)) < 0)
		return rc;
	/* two slots per connection: TLS side 2i, backend 2i + 1 */
	if ((rc = io_uring_register_files_sparse(&t->ring, 2 * t->cap)) < 0) {
		log_warnx("dataplane: %u direct descriptors: %s", 2 * t->cap,
		    strerror(-rc));
		return rc;
	}
	/* cheaper enter for liburing's own calls, optional */
	(void)io_uring_register_ring_fd(&t->ring);
	if ((t->smsg = calloc(t->ring.sq.ring_entries, sizeof(*t->smsg))) == NULL)
		return -ENOMEM;
	if ((rc = ring_bufs_setup(t)) < 0)
		return rc;
	if ((t->wake_fd = eventfd(0, EFD_CLOEXEC)) == -1)
		return -errno;
	return 0;
}

void
ring_teardown(struct dp_thread *t)
{
	if (t->ring_ok)
		io_uring_queue_exit(&t->ring);
	t->ring_ok = false;
	free(t->smsg);
	t->smsg = NULL;
	if (t->br != NULL)
		munmap(t->br, t->br_len);
	if (t->bufs != NULL)
		munmap(t->bufs, (size_t)t->nbufs * t->buf_size);
	t->br = NULL;
	t->bufs = NULL;
	if (t->wake_fd >= 0)
		close(t->wake_fd);
	t->wake_fd = -1;
}

/* A full SQ is flushed to the kernel, so preparing an SQE never fails. */
struct io_uring_sqe *
ring_sqe(struct dp_thread *t)
{
	struct io_uring_sqe	*sqe;

	while ((sqe = io_uring_get_sqe(&t->ring)) == NULL)
		(void)io_uring_submit(&t->ring);
	return sqe;
}

/* Every SQE of a connection is counted until its last CQE arrives. */
static struct io_uring_sqe *
conn_sqe(struct dp_conn *c)
{
	c->ops++;
	return ring_sqe(c->t);
}

/* After the prep call, which clears user_data. */
static void
conn_sqe_tag(struct dp_conn *c, struct io_uring_sqe *sqe, enum dp_op op,
    unsigned aux)
{
	io_uring_sqe_set_data64(sqe, ud_encode(op, aux, c->gen, c->idx));
}

/* Installs a normal descriptor into a fixed slot; the caller closes fd. */
int
ring_install_fd(struct dp_thread *t, unsigned slot, int fd)
{
	int	rc = io_uring_register_files_update(&t->ring, slot, &fd, 1);

	return rc < 0 ? rc : 0;
}

void
ring_arm_recv(struct dp_conn *c, int side)
{
	struct dp_side		*s = &c->side[side];
	struct io_uring_sqe	*sqe = conn_sqe(c);

	io_uring_prep_recv_multishot(sqe, (int)s->slot, NULL, 0, 0);
	sqe->flags |= IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT;
	sqe->buf_group = DP_BGID;
	conn_sqe_tag(c, sqe, OP_RECV, (unsigned)side);
	s->recv_armed = true;
}

static void
ring_cancel_ud(struct dp_conn *c, int side, uint64_t ud)
{
	struct io_uring_sqe	*sqe = conn_sqe(c);

	io_uring_prep_cancel64(sqe, ud, 0);
	conn_sqe_tag(c, sqe, OP_CANCEL, (unsigned)side);
}

/* Back-pressure or closing: the multishot recv stops after this. */
void
ring_cancel_recv(struct dp_conn *c, int side)
{
	struct dp_side	*s = &c->side[side];

	if (!s->recv_armed || s->recv_cancel)
		return;
	ring_cancel_ud(c, side, ud_encode(OP_RECV, (unsigned)side, c->gen, c->idx));
	s->recv_cancel = true;
}

static int
zc_slot_free(const struct dp_side *s)
{
	for (int i = 0; i < DP_ZC_SLOTS; i++)
		if (s->zc_slot[i] == NULL)
			return i;
	return -1;
}

/*
 * A copying send of up to DP_SEND_IOV queued chunks: a burst that spilled
 * over several (eight INVITEs are 12 KB) leaves in one SENDMSG, a lone chunk
 * in a plain SEND. The header sits in the SQE's own slot (dp_sendmsg).
 */
static void
ring_prep_copy(struct dp_thread *t, struct dp_side *s, struct io_uring_sqe *sqe)
{
	struct dp_sendmsg	*m = &t->smsg[sqe - t->ring.sq.sqes];
	size_t			 len;
	unsigned		 niov;

	niov = sendq_peek_iov(&s->sq, m->iov, DP_SEND_IOV, &len);
	if (niov == 1) {
		io_uring_prep_send(sqe, (int)s->slot, m->iov[0].iov_base,
		    m->iov[0].iov_len, MSG_NOSIGNAL);
		return;
	}
	memset(&m->mh, 0, sizeof(m->mh));
	m->mh.msg_iov = m->iov;
	m->mh.msg_iovlen = niov;
	io_uring_prep_sendmsg(sqe, (int)s->slot, &m->mh, MSG_NOSIGNAL);
}

/*
 * One send in flight per side keeps the byte order without linked chains.
 * A large head chunk goes zero-copy when the socket allows it (see
 * dataplane.c for the threshold's measurements); the chunk then lives until
 * the notification. Otherwise the send gathers several chunks.
 */
void
ring_send(struct dp_conn *c, int side)
{
	struct dp_thread	*t = c->t;
	struct dp_side		*s = &c->side[side];
	struct io_uring_sqe	*sqe;
	const uint8_t		*data;
	size_t			 len;
	int			 k;

	if ((data = sendq_peek(&s->sq, &len)) == NULL)
		return;
	if (len > UINT32_MAX)
		len = UINT32_MAX;
	k = s->zc_ok && len >= t->dp->opt.zc_threshold ? zc_slot_free(s) : -1;
	sqe = conn_sqe(c);
	if (k >= 0) {
		io_uring_prep_send_zc(sqe, (int)s->slot, data, len, MSG_NOSIGNAL,
		    t->zc_flags);
		s->zc_slot[k] = sendq_zc_hold(&s->sq);
		s->send_ud = ud_encode(OP_SEND_ZC, (unsigned)side | (unsigned)k << 1,
		    c->gen, c->idx);
		STAT_INC(t, zc_sends);
	} else {
		ring_prep_copy(t, s, sqe);
		s->send_ud = ud_encode(OP_SEND, (unsigned)side, c->gen, c->idx);
	}
	io_uring_sqe_set_data64(sqe, s->send_ud);
	sqe->flags |= IOSQE_FIXED_FILE;
	s->send_busy = true;
}

void
ring_shutdown(struct dp_conn *c, int side)
{
	struct io_uring_sqe	*sqe = conn_sqe(c);

	io_uring_prep_shutdown(sqe, (int)c->side[side].slot, SHUT_WR);
	sqe->flags |= IOSQE_FIXED_FILE;
	conn_sqe_tag(c, sqe, OP_SHUTDOWN, (unsigned)side);
	c->side[side].shut_sent = true;
}

/*
 * A pending recv or send holds the socket open even after its slot is
 * closed, so each is cancelled first (SQEs run in order). By user_data, not
 * by descriptor: that lookup is hashed, while a cancel by fd walks every
 * request in the ring, 10,000 multishot receives included.
 */
void
ring_close(struct dp_conn *c, int side)
{
	struct dp_side		*s = &c->side[side];
	struct io_uring_sqe	*sqe;

	if (s->recv_armed && !s->recv_cancel) {
		ring_cancel_ud(c, side, ud_encode(OP_RECV, (unsigned)side, c->gen, c->idx));
		s->recv_cancel = true;
	}
	if (s->send_busy)
		ring_cancel_ud(c, side, s->send_ud);
	if (side == SIDE_BE && c->be_connecting)
		ring_cancel_ud(c, side, ud_encode(OP_CONNECT, SIDE_BE, c->gen, c->idx));
	sqe = conn_sqe(c);
	io_uring_prep_close_direct(sqe, s->slot);
	conn_sqe_tag(c, sqe, OP_CLOSE, (unsigned)side);
	s->open = false;
	s->connected = false;
}

/*
 * kTLS records other than data need a control buffer: one recvmsg, tagged
 * as the side's recv, so cancel, close and re-arm treat it as the multishot
 * one it stands in for (never both in flight).
 */
void
ring_recvmsg(struct dp_conn *c, int side, struct msghdr *msg)
{
	struct dp_side		*s = &c->side[side];
	struct io_uring_sqe	*sqe = conn_sqe(c);

	io_uring_prep_recvmsg(sqe, (int)s->slot, msg, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	conn_sqe_tag(c, sqe, OP_RECV, (unsigned)side);
	s->recv_armed = true;
}

/* A send with a cmsg (a kTLS record type); completes as an OP_SEND. */
void
ring_sendmsg(struct dp_conn *c, int side, const struct msghdr *msg)
{
	struct dp_side		*s = &c->side[side];
	struct io_uring_sqe	*sqe = conn_sqe(c);

	io_uring_prep_sendmsg(sqe, (int)s->slot, msg, MSG_NOSIGNAL);
	sqe->flags |= IOSQE_FIXED_FILE;
	s->send_ud = ud_encode(OP_SEND, (unsigned)side, c->gen, c->idx);
	io_uring_sqe_set_data64(sqe, s->send_ud);
	s->send_busy = true;
}

void
ring_socket(struct dp_conn *c, int family, int type)
{
	struct io_uring_sqe	*sqe = conn_sqe(c);

	io_uring_prep_socket_direct(sqe, family, type, 0, c->side[SIDE_BE].slot, 0);
	conn_sqe_tag(c, sqe, OP_SOCKET, SIDE_BE);
}

void
ring_connect(struct dp_conn *c)
{
	struct io_uring_sqe	*sqe = conn_sqe(c);
	socklen_t		 len = c->be.addr.ss_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);

	io_uring_prep_connect(sqe, (int)c->side[SIDE_BE].slot,
	    (const struct sockaddr *)&c->be.addr, len);
	sqe->flags |= IOSQE_FIXED_FILE;
	conn_sqe_tag(c, sqe, OP_CONNECT, SIDE_BE);
}

/*
 * A direct-only socket cannot take setsockopt(2); Linux 6.7 accepts it as a
 * URING_CMD. liburing 2.3 has no helper, so the SQE is laid out here: cmd_op
 * in off, level and optname in addr, optlen in file_index, optval in addr3.
 * On older kernels the command fails once and is not tried again: SIP sends
 * whole messages, so Nagle then only delays back-to-back small sends.
 */
void
ring_nodelay(struct dp_conn *c, int side)
{
	static const int	 one = 1;
	struct io_uring_sqe	*sqe;
	uint32_t		 lvl_name[2] = { IPPROTO_TCP, TCP_NODELAY };

	if (!c->t->nodelay_ok)
		return;
	sqe = conn_sqe(c);
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, (int)c->side[side].slot, NULL, 0, 0);
	sqe->cmd_op = SOCKET_URING_OP_SETSOCKOPT;
	memcpy(&sqe->addr, lvl_name, sizeof(lvl_name));
	sqe->file_index = sizeof(one);
	sqe->addr3 = (uint64_t)(uintptr_t)&one;
	sqe->flags |= IOSQE_FIXED_FILE;
	conn_sqe_tag(c, sqe, OP_NODELAY, (unsigned)side);
}

static void
ring_arm_wake(struct dp_thread *t)
{
	struct io_uring_sqe	*sqe = ring_sqe(t);

	io_uring_prep_read(sqe, t->wake_fd, &t->wake_val, sizeof(t->wake_val), 0);
	io_uring_sqe_set_data64(sqe, ud_encode(OP_WAKE, 0, 0, 0));
}

static void
ring_arm_tick(struct dp_thread *t)
{
	struct io_uring_sqe	*sqe = ring_sqe(t);

	t->tick_ts.tv_sec = t->dp->opt.tick_ms / 1000;
	t->tick_ts.tv_nsec = (long long)(t->dp->opt.tick_ms % 1000) * 1000000;
	io_uring_prep_timeout(sqe, &t->tick_ts, 0, 0);
	io_uring_sqe_set_data64(sqe, ud_encode(OP_TICK, 0, 0, 0));
}

static void
ring_buf_return(struct dp_thread *t, unsigned bid)
{
	io_uring_buf_ring_add(t->br, t->bufs + (size_t)bid * t->buf_size,
	    t->buf_size, (unsigned short)bid, io_uring_buf_ring_mask(t->nbufs),
	    (int)t->br_added);
	t->br_added++;
}

static void
ring_on_wake(struct dp_thread *t, int res)
{
	if (res < 0 && res != -EINTR && res != -EAGAIN)
		log_warnx("dataplane thread %u: eventfd read: %s", t->id, strerror(-res));
	dp_thread_commands(t);
	ring_arm_wake(t);
}

static void
ring_on_tick(struct dp_thread *t, int res)
{
	/* -ETIME is the normal expiry of a timeout */
	if (res < 0 && res != -ETIME)
		log_warnx("dataplane thread %u: tick: %s", t->id, strerror(-res));
	conn_tick(t);
	ring_arm_tick(t);
}

static void
ring_on_send_zc(struct dp_conn *c, int side, unsigned slot, struct io_uring_cqe *cqe)
{
	struct dp_side	*s = &c->side[side];

	if (cqe->flags & IORING_CQE_F_NOTIF) {
		/* loopback and some drivers copy anyway: counted, not hidden */
		if ((uint32_t)cqe->res & IORING_NOTIF_USAGE_ZC_COPIED)
			STAT_INC(c->t, zc_copied);
		sendq_zc_release(&s->sq, s->zc_slot[slot]);
		s->zc_slot[slot] = NULL;
		return;
	}
	s->send_busy = false;
	if (cqe->res >= 0)
		relay_on_sent(c, side, (size_t)cqe->res);
	if (!(cqe->flags & IORING_CQE_F_MORE)) {
		/* no notification will follow */
		sendq_zc_release(&s->sq, s->zc_slot[slot]);
		s->zc_slot[slot] = NULL;
	}
	if (cqe->res >= 0)
		return;
	if (cqe->res == -EINVAL && (c->t->zc_flags & IORING_SEND_ZC_REPORT_USAGE)) {
		/* 6.0 and 6.1.0/1 refuse the usage report: send without it */
		c->t->zc_flags &= ~IORING_SEND_ZC_REPORT_USAGE;
		conn_dirty(c);
		return;
	}
	if (cqe->res == -EOPNOTSUPP || cqe->res == -ENOMEM) {
		/* kTLS sockets and a low memlock limit: plain sends from now on */
		s->zc_ok = false;
		conn_dirty(c);
		return;
	}
	relay_on_send_error(c, side, -cqe->res);
}

/* The one dispatch point for every completion. */
static void
ring_handle_cqe(struct dp_thread *t, struct io_uring_cqe *cqe)
{
	uint64_t	 ud = cqe->user_data;
	enum dp_op	 op = ud_op(ud);
	int		 side = (int)(ud_aux(ud) & 1);
	const uint8_t	*data = NULL;
	struct dp_conn	*c = NULL;
	unsigned	 bid = 0;

	if (cqe->flags & IORING_CQE_F_BUFFER) {
		bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
		data = t->bufs + (size_t)bid * t->buf_size;
	}
	if (op >= OP_RECV && (c = conn_lookup(t, ud)) == NULL) {
		log_debug("dataplane thread %u: stale completion op %d res %d",
		    t->id, op, cqe->res);
		op = OP_NONE;
	}

	switch (op) {
	case OP_NONE:
		break;
	case OP_WAKE:
		ring_on_wake(t, cqe->res);
		break;
	case OP_TICK:
		ring_on_tick(t, cqe->res);
		break;
	case OP_RECV:
		if (!(cqe->flags & IORING_CQE_F_MORE))
			c->side[side].recv_armed = false;
		if (side == SIDE_TLS && c->tls != NULL && c->tls->recv_done != NULL &&
		    c->tls->recv_done(c, cqe->res))
			break;
		if (cqe->res > 0 && data != NULL)
			relay_on_recv(c, side, data, (size_t)cqe->res);
		else if (cqe->res == 0)
			relay_on_eof(c, side);
		else if (cqe->res < 0)
			relay_on_recv_error(c, side, -cqe->res);
		break;
	case OP_SEND:
		c->side[side].send_busy = false;
		if (cqe->res >= 0)
			relay_on_sent(c, side, (size_t)cqe->res);
		else
			relay_on_send_error(c, side, -cqe->res);
		break;
	case OP_SEND_ZC:
		ring_on_send_zc(c, side, ud_aux(ud) >> 1, cqe);
		break;
	case OP_SOCKET:
		backend_on_socket(c, cqe->res);
		break;
	case OP_CONNECT:
		backend_on_connect(c, cqe->res);
		break;
	case OP_NODELAY:
		if (cqe->res < 0 && t->nodelay_ok) {
			t->nodelay_ok = false;
			log_info("dataplane: TCP_NODELAY on direct sockets unavailable "
			    "(needs Linux 6.7): %s", strerror(-cqe->res));
		}
		break;
	case OP_SHUTDOWN:
		/* ENOTCONN after a reset is fine: the close follows */
		break;
	case OP_CANCEL:
		if (cqe->res != -EALREADY)
			c->side[side].recv_cancel = false;
		break;
	case OP_CLOSE:
		if (cqe->res < 0)
			log_warnx("dataplane: close of slot %u: %s",
			    c->side[side].slot, strerror(-cqe->res));
		break;
	}

	if (data != NULL)
		ring_buf_return(t, bid);
	if (c != NULL && !(cqe->flags & IORING_CQE_F_MORE))
		conn_op_done(c);
}

/*
 * The wait_ms mode: never block inside io_uring_enter, sleep in nanosleep
 * instead. Only for valgrind, which holds its global lock across a blocked
 * io_uring_enter and so starves every other thread.
 */
static int
ring_poll(struct dp_thread *t, unsigned wait_ms)
{
	struct timespec	ts = { .tv_sec = wait_ms / 1000,
	    .tv_nsec = (long)(wait_ms % 1000) * 1000000 };
	int		rc = io_uring_submit_and_get_events(&t->ring);

	if (rc >= 0 && io_uring_cq_ready(&t->ring) == 0)
		nanosleep(&ts, NULL);
	return rc;
}

/* Submits what the last batch prepared and waits for the next one. */
void
ring_run(struct dp_thread *t)
{
	struct io_uring_cqe	*cqe;
	unsigned		 head, n, wait = t->dp->opt.wait_ms;
	int			 rc;

	ring_arm_wake(t);
	ring_arm_tick(t);
	for (;;) {
		/*
		 * No batching window (min_wait, Linux 6.12): at 100 connections
		 * x 8 in flight, 32 completions or 50 us per wait saved no CPU
		 * on a quiet host and raised p99 by a third (bench/README.md).
		 */
		if (wait == 0)
			rc = io_uring_submit_and_wait_timeout(&t->ring, &cqe, 1, NULL, NULL);
		else
			rc = ring_poll(t, wait);
		if (rc < 0 && rc != -EINTR && rc != -ETIME && rc != -EAGAIN &&
		    rc != -EBUSY) {
			log_warnx("dataplane thread %u: io_uring_enter: %s", t->id,
			    strerror(-rc));
			break;
		}
		t->now = dp_now_ms();
		n = 0;
		io_uring_for_each_cqe(&t->ring, head, cqe) {
			ring_handle_cqe(t, cqe);
			n++;
		}
		io_uring_cq_advance(&t->ring, n);
		if (t->br_added > 0) {
			io_uring_buf_ring_advance(t->br, (int)t->br_added);
			t->br_added = 0;
		}
		conn_run_dirty(t);
		dp_flush_closed(t);
		if (t->stopping && (atomic_load(&t->nconns) == 0 ||
		    t->now > t->stop_deadline))
			break;
	}
}
