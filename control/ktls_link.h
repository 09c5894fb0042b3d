/*
 * Kernel TLS as the daemon uses it: probe once, offload each session that
 * goes to the dataplane, report (ktls_link.c).
 */
#ifndef SIPKTLS_KTLS_LINK_H
#define SIPKTLS_KTLS_LINK_H

#include <stdio.h>

#include <openssl/ssl.h>

#include "ktls/ktls.h"

struct sipktlsd;
struct dp_kernel_tls;

struct ktls_state {
	struct ktls_probe	probe;		/* filled once at start-up */
	uint64_t		refused;	/* sessions closed: not offloadable */
};

enum ktls_link_path { KTLS_LINK_USER, KTLS_LINK_KERNEL, KTLS_LINK_REFUSE };

void		 ktls_link_start(struct sipktlsd *);
enum ktls_link_path ktls_link_offload(struct sipktlsd *, int fd, SSL *,
		    struct dp_kernel_tls *, char *offload, size_t olen, char *why,
		    size_t wlen);
void		 ktls_link_show(const struct sipktlsd *, FILE *);
void		 ktls_link_show_detail(const struct sipktlsd *, FILE *);

#endif
