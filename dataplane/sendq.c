/*
 * Send queues: bytes appended by the relay (or by OpenSSL's write BIO) and
 * consumed by send completions. A chunk sent with SEND_ZC is freed only after
 * its notification, because the kernel may still read it until then.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sendq.h"

void
sendq_init(struct sendq *q, bool datagram)
{
	memset(q, 0, sizeof(*q));
	q->datagram = datagram;
}

static struct sq_chunk *
chunk_new(size_t want)
{
	struct sq_chunk	*ch;
	size_t		 cap = want < SQ_CHUNK_MIN ? SQ_CHUNK_MIN : want;

	if (cap > UINT32_MAX)
		return NULL;
	if ((ch = malloc(sizeof(*ch) + cap)) == NULL)
		return NULL;
	memset(ch, 0, sizeof(*ch));
	ch->cap = (uint32_t)cap;
	return ch;
}

static void
chunk_link(struct sendq *q, struct sq_chunk *ch)
{
	if (q->tail != NULL)
		q->tail->next = ch;
	else
		q->head = ch;
	q->tail = ch;
}

/*
 * Stream mode fills the tail chunk and spills into a new one; datagram mode
 * puts each message in a chunk of its own (sendq_push_message).
 */
int
sendq_append(struct sendq *q, const void *data, size_t len)
{
	const uint8_t	*p = data;
	struct sq_chunk	*t = q->tail;
	size_t		 room, n;

	if (len == 0)
		return 0;
	if (t != NULL && !t->sealed && !q->datagram) {
		room = t->cap - t->len;
		n = len < room ? len : room;
		memcpy(t->data + t->len, p, n);
		t->len += (uint32_t)n;
		q->bytes += n;
		p += n;
		len -= n;
		if (len == 0)
			return 0;
	}
	if (t != NULL && q->datagram && !t->sealed) {
		/* a datagram being built: grow it in place is not allowed */
		return -EMSGSIZE;
	}
	if ((t = chunk_new(len)) == NULL)
		return -ENOMEM;
	memcpy(t->data, p, len);
	t->len = (uint32_t)len;
	q->bytes += len;
	chunk_link(q, t);
	return 0;
}

void
sendq_end_message(struct sendq *q)
{
	if (q->tail == NULL)
		return;
	q->tail->msgs++;
	if (q->datagram)
		q->tail->sealed = true;
	q->msgs++;
	q->total_msgs++;
}

int
sendq_push_message(struct sendq *q, const void *data, size_t len)
{
	int	rc;

	if (q->datagram && q->tail != NULL && !q->tail->sealed)
		return -EMSGSIZE;
	if ((rc = sendq_append(q, data, len)) != 0)
		return rc;
	sendq_end_message(q);
	return 0;
}

/*
 * The unsent bytes of the head chunk. In datagram mode the caller must send
 * them in one call; a datagram is never split.
 */
const uint8_t *
sendq_peek(const struct sendq *q, size_t *len)
{
	struct sq_chunk	*h = q->head;

	if (h == NULL || h->off == h->len) {
		*len = 0;
		return NULL;
	}
	*len = h->len - h->off;
	return h->data + h->off;
}

/*
 * The unsent bytes of up to max chunks from the head, for one gathered send:
 * a burst that spilled over several chunks leaves in one call. Datagram mode
 * gives the head chunk only. Returns the iovec count, 0 when empty.
 */
unsigned
sendq_peek_iov(const struct sendq *q, struct iovec *iov, unsigned max, size_t *len)
{
	const struct sq_chunk	*ch;
	unsigned		 n = 0;

	*len = 0;
	for (ch = q->head; ch != NULL && n < max; ch = ch->next) {
		if (ch->off == ch->len)
			break;
		iov[n].iov_base = (void *)(ch->data + ch->off);
		iov[n].iov_len = ch->len - ch->off;
		*len += iov[n].iov_len;
		n++;
		if (q->datagram)
			break;
	}
	return n;
}

/* Marks the head chunk as read by a zero-copy send until its notification. */
struct sq_chunk *
sendq_zc_hold(struct sendq *q)
{
	if (q->head != NULL)
		q->head->zc_refs++;
	return q->head;
}

static void
zc_unlink(struct sendq *q, struct sq_chunk *ch)
{
	struct sq_chunk	**pp;

	for (pp = &q->zc_wait; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == ch) {
			*pp = ch->next;
			return;
		}
	}
}

/* A notification arrived: the kernel no longer reads this chunk. */
void
sendq_zc_release(struct sendq *q, struct sq_chunk *ch)
{
	if (ch == NULL || ch->zc_refs == 0)
		return;
	if (--ch->zc_refs > 0)
		return;
	if (ch->off == ch->len && ch != q->head) {
		zc_unlink(q, ch);
		free(ch);
	}
}

/*
 * n bytes of the head chunk went out. Returns how many messages completed, so
 * the caller can update what the operator sees as WriteQ-Size.
 */
size_t
sendq_consume(struct sendq *q, size_t n)
{
	struct sq_chunk	*h;
	size_t		 done = 0;

	while (n > 0 && (h = q->head) != NULL) {
		size_t	take = h->len - h->off;

		if (take > n)
			take = n;
		h->off += (uint32_t)take;
		q->bytes -= take;
		n -= take;
		if (h->off < h->len)
			break;
		/* a stream tail with room could take more bytes: pop it anyway */
		q->head = h->next;
		if (q->head == NULL)
			q->tail = NULL;
		done += h->msgs;
		if (h->zc_refs > 0) {
			h->next = q->zc_wait;
			q->zc_wait = h;
		} else
			free(h);
	}
	q->msgs -= done < q->msgs ? done : q->msgs;
	return done;
}

/*
 * Drops everything. Only for a connection whose sends are all complete or
 * cancelled, with every ZC notification received.
 */
void
sendq_clear(struct sendq *q)
{
	struct sq_chunk	*ch, *next;

	for (ch = q->head; ch != NULL; ch = next) {
		next = ch->next;
		free(ch);
	}
	for (ch = q->zc_wait; ch != NULL; ch = next) {
		next = ch->next;
		free(ch);
	}
	q->head = q->tail = q->zc_wait = NULL;
	q->bytes = 0;
	q->msgs = 0;
}
