/*
 * Growable byte buffers (iobuf.h). No autoconf.h: bench/bench-lib.sh compiles
 * this file with plain gcc, in no configured tree.
 */
#include <stdlib.h>
#include <string.h>

#include "iobuf.h"

int
iobuf_reserve(struct iobuf *b, size_t n, size_t first, size_t max)
{
	size_t	 cap;
	uint8_t	*p;

	if (b->len + n <= b->cap)
		return 0;
	cap = b->cap ? b->cap * 2 : first;
	while (cap < b->len + n)
		cap *= 2;
	if ((max > 0 && cap > max) || (p = realloc(b->data, cap)) == NULL)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

int
iobuf_append(struct iobuf *b, const void *p, size_t n, size_t first)
{
	if (iobuf_reserve(b, n, first, 0) == -1)
		return -1;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

void
iobuf_consume(struct iobuf *b, size_t n)
{
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

void
iobuf_release(struct iobuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}
