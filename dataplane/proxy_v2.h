/*
 * PROXY protocol version 2 headers for the backend: the peer's real address
 * and the TLS facts of the session, so the SIP server can apply policy to a
 * connection it sees coming from sipktlsd. Pure encoding, unit-tested.
 */
#ifndef SIPKTLS_DP_PROXY_V2_H
#define SIPKTLS_DP_PROXY_V2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* From the PROXY protocol specification (haproxy doc/proxy-protocol.txt). */
#define PP2_SIGNATURE		"\r\n\r\n\0\r\nQUIT\n"
#define PP2_SIGNATURE_LEN	12
#define PP2_HEADER_LEN		16	/* signature, ver/cmd, family, length */
#define PP2_VERSION_PROXY	0x21
#define PP2_VERSION_LOCAL	0x20
#define PP2_FAM_UNSPEC		0x00
#define PP2_FAM_TCP4		0x11
#define PP2_FAM_UDP4		0x12
#define PP2_FAM_TCP6		0x21
#define PP2_FAM_UDP6		0x22

#define PP2_TYPE_AUTHORITY	0x02
#define PP2_TYPE_SSL		0x20
#define PP2_SUBTYPE_SSL_VERSION	0x21
#define PP2_SUBTYPE_SSL_CN	0x22
#define PP2_SUBTYPE_SSL_CIPHER	0x23
#define PP2_TYPE_MIN_CUSTOM	0xE0
#define PP2_TYPE_SIPKTLS_TENANT	PP2_TYPE_MIN_CUSTOM

#define PP2_CLIENT_SSL		0x01
#define PP2_CLIENT_CERT_CONN	0x02
#define PP2_CLIENT_CERT_SESS	0x04

/* Worst case: IPv6 addresses and every string at its longest. */
#define PP2_MAX_LEN		1024

struct pp2_facts {
	const struct sockaddr_storage	*src;		/* the TLS peer */
	const struct sockaddr_storage	*dst;		/* where it connected to */
	bool				 datagram;	/* UDP backend */
	const char			*version;	/* "TLSv1.3" */
	const char			*cipher;
	const char			*sni;		/* "" or NULL: no AUTHORITY */
	const char			*peer_cn;	/* "" or NULL: no certificate */
	bool				 resumed;
	unsigned			 tenant;
};

ssize_t	pp2_encode(const struct pp2_facts *, uint8_t *buf, size_t len);

#endif
