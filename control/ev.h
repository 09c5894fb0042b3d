/*
 * What every descriptor in the daemon's epoll set carries: its fd and the
 * callback that handles its events, so the main loop dispatches with one call.
 */
#ifndef SIPKTLS_EV_H
#define SIPKTLS_EV_H

#include <stddef.h>
#include <stdint.h>

struct sipktlsd;

struct ev_handler {
	int	 fd;
	void	 (*cb)(struct sipktlsd *, struct ev_handler *, uint32_t events);
};

#define container_of(p, type, member)	\
	((type *)(void *)((char *)(p) - offsetof(type, member)))

#endif
