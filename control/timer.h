/*
 * Deadlines for the main loop: a binary min-heap, so arming, cancelling and
 * finding the next expiry cost O(log n) however many connections wait.
 */
#ifndef SIPKTLS_TIMER_H
#define SIPKTLS_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sipktlsd;

struct timer {
	uint64_t	 when;		/* monotonic ms */
	size_t		 pos;		/* heap index + 1; 0: not armed (calloc-friendly) */
	void		 (*fn)(struct sipktlsd *, struct timer *);
};

struct timer_heap {
	struct timer	**v;
	size_t		  n, cap;
};

void		 timer_set(struct timer_heap *, struct timer *, uint64_t when);
void		 timer_cancel(struct timer_heap *, struct timer *);
int		 timer_timeout(const struct timer_heap *, uint64_t now);
struct timer	*timer_pop_due(struct timer_heap *, uint64_t now);
void		 timer_heap_free(struct timer_heap *);

static inline bool
timer_armed(const struct timer *t)
{
	return t->pos != 0;
}

#endif
