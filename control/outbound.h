/*
 * Outbound trunks: the plain listen sockets where a tenant's backend sends
 * traffic for the tenant's sip-server ("backend listen"). Each accepted
 * connection opens TLS to the sip-server; once the handshake is done the
 * pair is relayed by the dataplane like an inbound one.
 */
#ifndef SIPKTLS_OUTBOUND_H
#define SIPKTLS_OUTBOUND_H

#include <stdio.h>

#include "daemon.h"

struct outbound_summary {
	unsigned	 kept;
	unsigned	 opened;
	unsigned	 closed;
	unsigned	 failed;
};

/* Opens, keeps and closes sockets to match sd->cfg (start-up and reload). */
void	outbound_apply(struct sipktlsd *, struct outbound_summary *);
void	outbound_close(struct sipktlsd *);
/* The "Backend Listen Sockets" block of "show sip-ua connections tcp tls". */
void	outbound_show(const struct sipktlsd *, FILE *);

#endif
