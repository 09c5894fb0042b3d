/*
 * A hashed timer wheel for per-connection deadlines (idle ageout, connect and
 * close-linger timeouts): O(1) to arm and cancel, one slot walk per tick, so
 * ten thousand idle connections cost nothing between ticks. Pure; the ring
 * drives it with an IORING_OP_TIMEOUT tick.
 */
#ifndef SIPKTLS_DP_WHEEL_H
#define SIPKTLS_DP_WHEEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wheel_node {
	struct wheel_node	 *next;
	struct wheel_node	**pprev;	/* NULL: not armed */
	uint64_t		  deadline;	/* monotonic ms */
};

struct wheel {
	struct wheel_node	**slots;
	uint64_t		  mask;		/* nslots - 1 */
	uint64_t		  tick_ms;
	uint64_t		  cur;		/* last tick processed */
	size_t			  count;
};

typedef void (*wheel_fire_fn)(struct wheel_node *, void *arg);

int	wheel_init(struct wheel *, unsigned nslots, unsigned tick_ms, uint64_t now_ms);
void	wheel_free(struct wheel *);
void	wheel_add(struct wheel *, struct wheel_node *, uint64_t deadline_ms);
void	wheel_del(struct wheel *, struct wheel_node *);
size_t	wheel_advance(struct wheel *, uint64_t now_ms, wheel_fire_fn, void *arg);

static inline bool
wheel_armed(const struct wheel_node *n)
{
	return n->pprev != NULL;
}

#endif
