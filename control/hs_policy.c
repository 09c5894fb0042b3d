/*
 * Who may finish a handshake: the peer identity rules of cn-san validate,
 * the trusted list, the SNI that picks a tenant on a shared port, and the
 * per-source limit that keeps one address from holding every handshake slot.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/x509v3.h>

#include "handshake.h"
#include "identity.h"
#include "log.h"
#include "trusted.h"

bool
hs_profile_cnsan_client(const struct tls_ctx *tc)
{
	return identity_applies(tc->prof.cnsan, false);
}

/*
 * The guide: outbound, the sip-server's name must be in the server's CN or
 * SAN; inbound, the client's CN or SAN must be in the cn-san list. The
 * identity library decides; its reason line goes to the log.
 */
static bool
identity_ok(struct conn *c, X509 *leaf)
{
	const struct tls_profile_config	*p = &c->ctx->prof;
	struct hs			*hs = c->hs;
	unsigned			 flags = p->cnsan_strict ? ID_STRICT : 0;
	enum id_result			 r;

	if (!identity_applies(p->cnsan, c->dir == CONN_OUTBOUND))
		return true;
	if (c->dir == CONN_OUTBOUND) {
		if (hs->target.kind == TARGET_IPV4 || hs->target.kind == TARGET_IPV6)
			flags |= ID_ADDRESS;
		r = identity_check_server(leaf, hs->target.host, flags,
		    hs->identity_why, sizeof(hs->identity_why));
	} else {
		r = identity_check_client(leaf, p->cnsan_list, p->ncnsan, flags,
		    hs->identity_why, sizeof(hs->identity_why));
		hs->cnsan_passed = r == ID_MATCH;
	}
	return r == ID_MATCH;
}

/*
 * OpenSSL calls no verify callback on a resumed handshake; the client's
 * certificate is kept in the session, so its cn-san check runs again.
 */
void
hs_identity_resumed(struct conn *c)
{
	X509	*peer = SSL_get0_peer_certificate(c->ssl);

	if (peer != NULL)
		(void)identity_ok(c, peer);
}

static void
verify_note(struct conn *c, X509_STORE_CTX *x)
{
	X509	*cert = X509_STORE_CTX_get_current_cert(x);
	char	 subject[160] = "?";
	int	 err = X509_STORE_CTX_get_error(x);

	if (c->hs->verify_detail[0] != '\0')
		return;
	if (cert != NULL)
		X509_NAME_oneline(X509_get_subject_name(cert), subject,
		    sizeof(subject));
	snprintf(c->hs->verify_detail, sizeof(c->hs->verify_detail),
	    "certificate verify failed: %s (depth %d, %s)",
	    X509_verify_cert_error_string(err),
	    X509_STORE_CTX_get_error_depth(x), subject);
}

int
hs_verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL		*ssl = X509_STORE_CTX_get_ex_data(x,
			    SSL_get_ex_data_X509_STORE_CTX_idx());
	struct conn	*c = ssl != NULL ? SSL_get_ex_data(ssl, tls_ex_conn()) : NULL;

	if (c == NULL || c->hs == NULL)
		return ok;
	if (!ok) {
		verify_note(c, x);
		return 0;
	}
	if (X509_STORE_CTX_get_error_depth(x) != 0)
		return 1;
	if (!identity_ok(c, X509_STORE_CTX_get_current_cert(x))) {
		c->hs->identity_failed = true;
		X509_STORE_CTX_set_error(x, X509_V_ERR_HOSTNAME_MISMATCH);
		return 0;
	}
	/* intermediate CAs are not checked for revocation, only the peer */
	return hs_revoke_verify(c, x);
}

/* The host_name entry of a server_name extension (RFC 6066 3). */
static bool
sni_parse(const unsigned char *p, size_t len, char *out, size_t outlen)
{
	size_t	list, n;

	if (len < 5)
		return false;
	list = (size_t)(p[0] << 8 | p[1]);
	if (list + 2 != len || p[2] != TLSEXT_NAMETYPE_host_name)
		return false;
	n = (size_t)(p[3] << 8 | p[4]);
	if (n == 0 || n + 5 > len || n >= outlen || memchr(p + 5, '\0', n) != NULL)
		return false;
	memcpy(out, p + 5, n);
	out[n] = '\0';
	return true;
}

static bool
tenant_named(struct sipktlsd *sd, const struct tls_ctx *tc, const char *sni)
{
	const struct trustpoint_config	*tp;

	if (tls_ctx_serves_name(tc, sni))
		return true;
	tp = config_trustpoint(sd->cfg, tc->trustpoint);
	return tp != NULL && tp->fqdn[0] != '\0' && strcasecmp(tp->fqdn, sni) == 0;
}

/*
 * Several tenants on one address and port: the client's SNI picks the one
 * whose trustpoint (certificate names or fqdn) it names. No SNI, or a name
 * none serves, keeps the listener's own tenant, first in the file.
 */
static void
sni_select(struct sipktlsd *sd, struct conn *c, SSL *ssl)
{
	struct tls_ctx	*tc;

	for (size_t i = 0; i < sd->listeners.n; i++) {
		const struct listener *l = sd->listeners.v[i];

		if (!sockaddr_equal(&l->conf.addr, &c->hs->listen_addr))
			continue;
		tc = tls_ctx_for_tenant(&sd->tls, sd->cfg, l->conf.tenant);
		if (!tenant_named(sd, tc, c->hs->sni))
			continue;
		if (l->conf.tenant != c->tenant)
			log_debug("Conn-Id %u: SNI %s selects tenant %u", c->id,
			    c->hs->sni, l->conf.tenant);
		c->tenant = l->conf.tenant;
		if (tc != c->ctx) {
			tls_ctx_apply(ssl, tc);
			tls_ctx_unref(c->ctx);
			c->ctx = tls_ctx_ref(tc);
		}
		return;
	}
}

int
hs_client_hello_cb(SSL *ssl, int *alert, void *arg)
{
	struct sipktlsd		*sd = arg;
	struct conn		*c = SSL_get_ex_data(ssl, tls_ex_conn());
	const unsigned char	*p;
	size_t			 len;

	if (c == NULL || c->hs == NULL)
		return SSL_CLIENT_HELLO_SUCCESS;
	if (!SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &p, &len) ||
	    !sni_parse(p, len, c->hs->sni, sizeof(c->hs->sni)))
		return SSL_CLIENT_HELLO_SUCCESS;
	sni_select(sd, c, ssl);
	return SSL_CLIENT_HELLO_SUCCESS;
}

/* cn-san client on any tenant of the address bypasses the trusted list (the guide). */
bool
hs_listener_any_cnsan_client(struct sipktlsd *sd,
    const struct sockaddr_storage *addr)
{
	for (size_t i = 0; i < sd->listeners.n; i++) {
		const struct listener *l = sd->listeners.v[i];

		if (sockaddr_equal(&l->conf.addr, addr) &&
		    hs_profile_cnsan_client(tls_ctx_for_tenant(&sd->tls, sd->cfg,
		    l->conf.tenant)))
			return true;
	}
	return false;
}

static void
src_key(const struct sockaddr_storage *ss, struct in6_addr *out)
{
	if (ss->ss_family == AF_INET6) {
		*out = ((const struct sockaddr_in6 *)ss)->sin6_addr;
		return;
	}
	memset(out, 0, sizeof(*out));
	out->s6_addr[10] = out->s6_addr[11] = 0xff;
	memcpy(&out->s6_addr[12], &((const struct sockaddr_in *)ss)->sin_addr, 4);
}

static struct hs_src **
src_slot(struct hs_engine *e, const struct in6_addr *a)
{
	struct hs_src	**pp;
	uint32_t	  h = 2166136261u;

	for (size_t i = 0; i < sizeof(*a); i++)
		h = (h ^ a->s6_addr[i]) * 16777619u;
	for (pp = &e->src[h % HS_SRC_BUCKETS]; *pp != NULL; pp = &(*pp)->next)
		if (memcmp(&(*pp)->addr, a, sizeof(*a)) == 0)
			break;
	return pp;
}

bool
hs_src_take(struct hs_engine *e, const struct sockaddr_storage *ss)
{
	struct in6_addr	  a;
	struct hs_src	**pp, *s;

	src_key(ss, &a);
	pp = src_slot(e, &a);
	if ((s = *pp) == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			fatal("%s", __func__);
		s->addr = a;
		*pp = s;
	}
	if (s->n >= e->per_source)
		return false;
	s->n++;
	return true;
}

void
hs_src_give(struct hs_engine *e, const struct sockaddr_storage *ss)
{
	struct in6_addr	  a;
	struct hs_src	**pp, *s;

	src_key(ss, &a);
	pp = src_slot(e, &a);
	if ((s = *pp) == NULL)
		return;
	if (--s->n == 0) {
		*pp = s->next;
		free(s);
	}
}

void
hs_src_free(struct hs_engine *e)
{
	struct hs_src	*s;

	for (size_t i = 0; i < HS_SRC_BUCKETS; i++)
		while ((s = e->src[i]) != NULL) {
			e->src[i] = s->next;
			free(s);
		}
}
