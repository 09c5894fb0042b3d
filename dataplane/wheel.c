/*
 * Timer wheel: a deadline lands in slot (tick & mask); a node whose deadline
 * is more than one turn away simply stays in its slot until a later pass
 * finds it due. Expired nodes are collected before any callback runs, so a
 * callback may re-arm its node without disturbing the walk.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdlib.h>

#include "wheel.h"

int
wheel_init(struct wheel *w, unsigned nslots, unsigned tick_ms, uint64_t now_ms)
{
	unsigned	n = 1;

	if (nslots == 0 || tick_ms == 0)
		return -EINVAL;
	while (n < nslots)
		n <<= 1;
	if ((w->slots = calloc(n, sizeof(*w->slots))) == NULL)
		return -ENOMEM;
	w->mask = n - 1;
	w->tick_ms = tick_ms;
	w->cur = now_ms / tick_ms;
	w->count = 0;
	return 0;
}

void
wheel_free(struct wheel *w)
{
	free(w->slots);
	w->slots = NULL;
	w->count = 0;
}

void
wheel_del(struct wheel *w, struct wheel_node *n)
{
	if (n->pprev == NULL)
		return;
	*n->pprev = n->next;
	if (n->next != NULL)
		n->next->pprev = n->pprev;
	n->next = NULL;
	n->pprev = NULL;
	w->count--;
}

void
wheel_add(struct wheel *w, struct wheel_node *n, uint64_t deadline_ms)
{
	uint64_t		  t = (deadline_ms + w->tick_ms - 1) / w->tick_ms;
	struct wheel_node	**head;

	wheel_del(w, n);
	/* never in the past: the next tick is the earliest we look */
	if (t <= w->cur)
		t = w->cur + 1;
	n->deadline = deadline_ms;
	head = &w->slots[t & w->mask];
	n->next = *head;
	if (n->next != NULL)
		n->next->pprev = &n->next;
	n->pprev = head;
	*head = n;
	w->count++;
}

/* Runs fn for every node due at now_ms; returns how many fired. */
size_t
wheel_advance(struct wheel *w, uint64_t now_ms, wheel_fire_fn fn, void *arg)
{
	uint64_t		 target = now_ms / w->tick_ms, t, steps;
	struct wheel_node	*due = NULL, *n, *next;
	size_t			 fired = 0;

	if (target <= w->cur)
		return 0;
	steps = target - w->cur;
	if (steps > w->mask + 1)
		steps = w->mask + 1;	/* one full turn visits every slot */
	for (t = target - steps + 1; t <= target; t++) {
		for (n = w->slots[t & w->mask]; n != NULL; n = next) {
			next = n->next;
			if (n->deadline > now_ms)
				continue;
			wheel_del(w, n);
			n->next = due;
			due = n;
		}
	}
	w->cur = target;
	for (n = due; n != NULL; n = next) {
		next = n->next;
		n->next = NULL;
		fn(n, arg);
		fired++;
	}
	return fired;
}
