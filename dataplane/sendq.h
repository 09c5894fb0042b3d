/*
 * A connection side's outgoing bytes: a list of heap chunks, counted in bytes
 * and in whole messages so back-pressure and "WriteQ-Size" need no scan.
 * Pure bookkeeping (no I/O), so it is unit-tested on its own.
 */
#ifndef SIPKTLS_DP_SENDQ_H
#define SIPKTLS_DP_SENDQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* Small messages share a chunk, so several go out in one send. */
#define SQ_CHUNK_MIN	4096

struct sq_chunk {
	struct sq_chunk	*next;
	uint32_t	 cap;
	uint32_t	 len;		/* bytes written */
	uint32_t	 off;		/* bytes sent */
	uint32_t	 msgs;		/* messages whose last byte is in this chunk */
	uint32_t	 zc_refs;	/* zero-copy sends not yet notified */
	bool		 sealed;	/* datagram mode: no more appends */
	uint8_t		 data[];
};

struct sendq {
	struct sq_chunk	*head, *tail;
	struct sq_chunk	*zc_wait;	/* fully sent, waiting for notifications */
	size_t		 bytes;		/* written, not yet sent */
	size_t		 msgs;		/* messages not yet fully sent */
	size_t		 total_msgs;	/* messages ever queued */
	bool		 datagram;	/* one chunk per message, never split */
};

void		 sendq_init(struct sendq *, bool datagram);
int		 sendq_append(struct sendq *, const void *, size_t);
void		 sendq_end_message(struct sendq *);
int		 sendq_push_message(struct sendq *, const void *, size_t);
const uint8_t	*sendq_peek(const struct sendq *, size_t *len);
unsigned	 sendq_peek_iov(const struct sendq *, struct iovec *, unsigned max,
		    size_t *len);
size_t		 sendq_consume(struct sendq *, size_t n);
struct sq_chunk	*sendq_zc_hold(struct sendq *);
void		 sendq_zc_release(struct sendq *, struct sq_chunk *);
void		 sendq_clear(struct sendq *);

static inline bool
sendq_empty(const struct sendq *q)
{
	return q->bytes == 0;
}

/* True while a chunk (queued or sent) still waits for a ZC notification. */
static inline bool
sendq_zc_pending(const struct sendq *q)
{
	return q->zc_wait != NULL || (q->head != NULL && q->head->zc_refs > 0);
}

#endif
