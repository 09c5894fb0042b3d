/*
 * PROXY v2 encoder. Layout of what sipktlsd sends (all lengths big-endian):
 *
 *   signature(12) 0x21 family len(2) | src addr, dst addr, src port, dst port
 *   TLV 0x02 AUTHORITY   the SNI the peer sent (omitted when none)
 *   TLV 0x20 SSL         client(1) verify(4) then sub-TLVs:
 *         0x21 VERSION   "TLSv1.3"
 *         0x23 CIPHER    "TLS_AES_256_GCM_SHA384"
 *         0x22 CN        the peer certificate's subject CN (omitted when none)
 *     client = PP2_CLIENT_SSL | CERT_SESS when the session carries a peer
 *     certificate | CERT_CONN when it was presented on this connection (not
 *     resumed); verify = 0 when a presented certificate passed the tenant's
 *     policy (the handshake fails otherwise), 1 when there is none.
 *   TLV 0xE0 (PP2_TYPE_MIN_CUSTOM) sipktls tenant: the tenant tag, 4 bytes.
 *
 * When source and destination families differ (or are not IP), the family
 * is UNSPEC and no addresses follow, as the specification requires.
 */
#include "autoconf.h"

#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include "proxy_v2.h"

struct pp2_buf {
	uint8_t	*p;
	size_t	 len, cap;
	bool	 overflow;
};

static void
put(struct pp2_buf *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		b->overflow = true;
		return;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void
put8(struct pp2_buf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void
put16(struct pp2_buf *b, uint16_t v)
{
	uint8_t	be[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(b, be, 2);
}

static void
put32(struct pp2_buf *b, uint32_t v)
{
	uint8_t	be[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	put(b, be, 4);
}

static void
put_tlv(struct pp2_buf *b, uint8_t type, const void *v, size_t n)
{
	if (n > UINT16_MAX) {
		b->overflow = true;
		return;
	}
	put8(b, type);
	put16(b, (uint16_t)n);
	put(b, v, n);
}

static void
put_tlv_str(struct pp2_buf *b, uint8_t type, const char *s)
{
	if (s != NULL && s[0] != '\0')
		put_tlv(b, type, s, strlen(s));
}

/* Address block; returns the family byte. */
static uint8_t
put_addrs(struct pp2_buf *b, const struct sockaddr_storage *src,
    const struct sockaddr_storage *dst, bool datagram)
{
	if (src == NULL || dst == NULL || src->ss_family != dst->ss_family)
		return PP2_FAM_UNSPEC;
	if (src->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)src, *d = (const void *)dst;

		put(b, &s->sin_addr, 4);
		put(b, &d->sin_addr, 4);
		put(b, &s->sin_port, 2);	/* already network order */
		put(b, &d->sin_port, 2);
		return datagram ? PP2_FAM_UDP4 : PP2_FAM_TCP4;
	}
	if (src->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)src, *d = (const void *)dst;

		put(b, &s->sin6_addr, 16);
		put(b, &d->sin6_addr, 16);
		put(b, &s->sin6_port, 2);
		put(b, &d->sin6_port, 2);
		return datagram ? PP2_FAM_UDP6 : PP2_FAM_TCP6;
	}
	return PP2_FAM_UNSPEC;
}

static void
put_ssl(struct pp2_buf *b, const struct pp2_facts *f)
{
	bool	cert = f->peer_cn != NULL && f->peer_cn[0] != '\0';
	uint8_t	client = PP2_CLIENT_SSL;
	size_t	start, vlen;

	if (cert)
		client |= PP2_CLIENT_CERT_SESS | (f->resumed ? 0 : PP2_CLIENT_CERT_CONN);
	put8(b, PP2_TYPE_SSL);
	start = b->len;
	put16(b, 0);		/* patched below */
	put8(b, client);
	put32(b, cert ? 0 : 1);
	put_tlv_str(b, PP2_SUBTYPE_SSL_VERSION, f->version);
	put_tlv_str(b, PP2_SUBTYPE_SSL_CIPHER, f->cipher);
	put_tlv_str(b, PP2_SUBTYPE_SSL_CN, f->peer_cn);
	if (b->overflow)
		return;
	vlen = b->len - start - 2;
	b->p[start] = (uint8_t)(vlen >> 8);
	b->p[start + 1] = (uint8_t)vlen;
}

/* Returns the header's length, or -ENOSPC when buf is too small. */
ssize_t
pp2_encode(const struct pp2_facts *f, uint8_t *buf, size_t len)
{
	struct pp2_buf	b = { .p = buf, .cap = len };
	uint8_t		tenant[4];
	size_t		body;

	put(&b, PP2_SIGNATURE, PP2_SIGNATURE_LEN);
	put8(&b, PP2_VERSION_PROXY);
	put8(&b, PP2_FAM_UNSPEC);	/* patched below */
	put16(&b, 0);			/* patched below */
	if (b.overflow)
		return -ENOSPC;
	buf[13] = put_addrs(&b, f->src, f->dst, f->datagram);
	put_tlv_str(&b, PP2_TYPE_AUTHORITY, f->sni);
	put_ssl(&b, f);
	tenant[0] = (uint8_t)(f->tenant >> 24);
	tenant[1] = (uint8_t)(f->tenant >> 16);
	tenant[2] = (uint8_t)(f->tenant >> 8);
	tenant[3] = (uint8_t)f->tenant;
	put_tlv(&b, PP2_TYPE_SIPKTLS_TENANT, tenant, sizeof(tenant));
	if (b.overflow)
		return -ENOSPC;
	body = b.len - PP2_HEADER_LEN;
	if (body > UINT16_MAX)
		return -ENOSPC;
	buf[14] = (uint8_t)(body >> 8);
	buf[15] = (uint8_t)body;
	return (ssize_t)b.len;
}
