/*
 * Where a finished handshake leaves the control plane: one function taking
 * plain facts, the socket and the TLS session. Today it keeps the session in
 * the connection table as Established, answers nothing, and closes it when
 * the peer does or when "timers connection aging tls" finds it idle. The
 * dataplane issue takes over here: it will install kTLS (or keep the SSL
 * for the userspace path) and relay SIP, keeping this signature, so a
 * future privilege split only has to send these facts and the fd.
 */
#ifndef SIPKTLS_HANDOFF_H
#define SIPKTLS_HANDOFF_H

#include <stdbool.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

#include "daemon.h"

struct session_facts {
	unsigned		 conn_id;
	unsigned		 tenant;
	enum conn_dir		 dir;
	struct sockaddr_storage	 local;
	struct sockaddr_storage	 remote;
	char			 version[16];	/* "TLSv1.3" */
	char			 cipher[64];	/* as the guide's Cipher column */
	char			 curve[16];	/* "P-521", "X25519"; "-" for none */
	char			 sni[CONF_HOST_MAX];	/* received (inbound) or sent; "" */
	char			 peer[256];	/* verified CN/SAN summary; "-" without a certificate */
	bool			 resumed;
	/*
	 * NewSessionTickets this server encrypted during the handshake: with
	 * TLS 1.3 each is a record under the traffic key, so the kTLS TX
	 * sequence starts after them.
	 */
	unsigned		 tickets_sent;
};

/*
 * Takes the socket and the session: the caller must not touch either
 * afterwards. The Conn-Id stays the one the handshake had.
 */
void	handoff_session(struct sipktlsd *, const struct session_facts *, int fd,
	    SSL *ssl);

#endif
