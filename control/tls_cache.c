/*
 * The client side of resumption: the last resumable session per outbound
 * target (tenant, host, port), offered on the next connection there. The
 * cache is small (trunks, not browsers), so a linear search is enough.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "tls.h"

static struct tls_cache_entry *
cache_find(struct tls_cache *c, unsigned tenant, const char *host,
    uint16_t port)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].tenant == tenant && c->v[i].port == port &&
		    strcmp(c->v[i].host, host) == 0)
			return &c->v[i];
	return NULL;
}

/* The session stays owned by the cache; SSL_set_session() takes its own reference. */
SSL_SESSION *
tls_cache_get(struct tls_cache *c, unsigned tenant, const char *host,
    uint16_t port)
{
	struct tls_cache_entry	*e = cache_find(c, tenant, host, port);

	if (e == NULL)
		return NULL;
	e->used = ++c->clock;
	return e->sess;
}

static struct tls_cache_entry *
cache_slot(struct tls_cache *c)
{
	struct tls_cache_entry	*oldest;

	if (c->v == NULL && (c->v = calloc(TLS_CLIENT_CACHE_MAX,
	    sizeof(*c->v))) == NULL)
		fatal("%s", __func__);
	if (c->n < TLS_CLIENT_CACHE_MAX)
		return &c->v[c->n++];
	oldest = &c->v[0];
	for (size_t i = 1; i < c->n; i++)
		if (c->v[i].used < oldest->used)
			oldest = &c->v[i];
	SSL_SESSION_free(oldest->sess);
	oldest->sess = NULL;
	return oldest;
}

/* Takes the caller's reference to sess. */
void
tls_cache_put(struct tls_cache *c, unsigned tenant, const char *host,
    uint16_t port, SSL_SESSION *sess)
{
	struct tls_cache_entry	*e;

	if ((e = cache_find(c, tenant, host, port)) != NULL)
		SSL_SESSION_free(e->sess);
	else {
		e = cache_slot(c);
		e->tenant = tenant;
		e->port = port;
		snprintf(e->host, sizeof(e->host), "%s", host);
	}
	e->sess = sess;
	e->used = ++c->clock;
}

void
tls_cache_free(struct tls_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		SSL_SESSION_free(c->v[i].sess);
	free(c->v);
	memset(c, 0, sizeof(*c));
}
