/*
 * rtnetlink address and link events: listeners bound to an interface follow
 * its addresses between reloads.
 */
#ifndef SIPKTLS_NETWATCH_H
#define SIPKTLS_NETWATCH_H

struct sipktlsd;

void	netwatch_start(struct sipktlsd *);
void	netwatch_stop(struct sipktlsd *);

#endif
