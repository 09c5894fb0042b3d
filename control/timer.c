/*
 * The timer heap behind handshake deadlines, idle aging and ticket key
 * rotation. Each timer knows its slot, so a cancel or a re-arm needs no search.
 */
#include "autoconf.h"

#include <stdlib.h>

#include "log.h"
#include "timer.h"

static void
heap_place(struct timer_heap *h, size_t i, struct timer *t)
{
	h->v[i] = t;
	t->pos = i + 1;
}

static void
heap_up(struct timer_heap *h, size_t i)
{
	struct timer	*t = h->v[i];

	while (i > 0 && h->v[(i - 1) / 2]->when > t->when) {
		heap_place(h, i, h->v[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_place(h, i, t);
}

static void
heap_down(struct timer_heap *h, size_t i)
{
	struct timer	*t = h->v[i];
	size_t		 c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1]->when < h->v[c]->when)
			c++;
		if (h->v[c]->when >= t->when)
			break;
		heap_place(h, i, h->v[c]);
		i = c;
	}
	heap_place(h, i, t);
}

void
timer_cancel(struct timer_heap *h, struct timer *t)
{
	size_t	i;

	if (t->pos == 0)
		return;
	i = t->pos - 1;
	t->pos = 0;
	if (--h->n == i)
		return;
	heap_place(h, i, h->v[h->n]);
	heap_up(h, i);
	heap_down(h, h->v[i]->pos - 1);
}

void
timer_set(struct timer_heap *h, struct timer *t, uint64_t when)
{
	struct timer	**grown;

	timer_cancel(h, t);
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		if ((grown = reallocarray(h->v, h->cap, sizeof(*grown))) == NULL)
			fatal("%s", __func__);
		h->v = grown;
	}
	t->when = when;
	heap_place(h, h->n++, t);
	heap_up(h, h->n - 1);
}

/* Milliseconds until the earliest deadline; -1 when none is armed. */
int
timer_timeout(const struct timer_heap *h, uint64_t now)
{
	uint64_t	d;

	if (h->n == 0)
		return -1;
	if (h->v[0]->when <= now)
		return 0;
	d = h->v[0]->when - now;
	return d > 86400000 ? 86400000 : (int)d;
}

/* The earliest timer due at `now`, disarmed; NULL when none is due. */
struct timer *
timer_pop_due(struct timer_heap *h, uint64_t now)
{
	struct timer	*t;

	if (h->n == 0 || h->v[0]->when > now)
		return NULL;
	t = h->v[0];
	timer_cancel(h, t);
	return t;
}

void
timer_heap_free(struct timer_heap *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}
