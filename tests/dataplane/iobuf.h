/*
 * Growable byte buffers for the connections of the test peers and load
 * clients: appended at the end, consumed from the front, grown by doubling.
 */
#ifndef SIPKTLS_TEST_IOBUF_H
#define SIPKTLS_TEST_IOBUF_H

#include <stddef.h>
#include <stdint.h>

/*
 * A receive buffer keeps this much room free for each read, so a read can
 * take a whole TLS record (16 KiB of plaintext) or a good share of a socket
 * buffer; it starts at twice that so that it rarely has to grow at all.
 */
#define IOBUF_READ_ROOM		16384
#define IOBUF_READ_FIRST	32768

struct iobuf {
	uint8_t	*data;
	size_t	 len, cap;
};

/*
 * Room for n more bytes after len. An empty buffer gets first bytes, a full
 * one doubles until n fit: appends cost amortised O(1). -1 when the new size
 * would exceed max (0: no limit) or memory runs out; the buffer is unchanged.
 */
int	iobuf_reserve(struct iobuf *, size_t n, size_t first, size_t max);
int	iobuf_append(struct iobuf *, const void *p, size_t n, size_t first);
/* Drops the first n bytes (those sent or framed). */
void	iobuf_consume(struct iobuf *, size_t n);
/* Frees the memory; the buffer is empty and may be used again. */
void	iobuf_release(struct iobuf *);

#endif
