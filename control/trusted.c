/*
 * The trusted address list and the admission rule for accepted connections:
 * prefix matching over IPv4 and IPv6, and the CN-SAN bypass of the guide.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "trusted.h"

/* An address as compared: IPv4 in 4 octets, IPv6 in 16. */
struct addr {
	int		 family;
	unsigned char	 b[16];
};

static const unsigned char v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; undo that. */
static bool
addr_from_sockaddr(const struct sockaddr *sa, struct addr *a)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET) {
		sin = (const struct sockaddr_in *)(const void *)sa;
		a->family = AF_INET;
		memcpy(a->b, &sin->sin_addr, 4);
		return true;
	}
	if (sa->sa_family != AF_INET6)
		return false;
	sin6 = (const struct sockaddr_in6 *)(const void *)sa;
	if (memcmp(&sin6->sin6_addr, v4mapped, sizeof(v4mapped)) == 0) {
		a->family = AF_INET;
		memcpy(a->b, (const unsigned char *)&sin6->sin6_addr + 12, 4);
		return true;
	}
	a->family = AF_INET6;
	memcpy(a->b, &sin6->sin6_addr, 16);
	return true;
}

/* Whether the first `prefix` bits of a and b agree. */
static bool
prefix_equal(const unsigned char *a, const unsigned char *b, unsigned prefix)
{
	unsigned	 whole = prefix / 8, rest = prefix % 8;
	unsigned char	 mask;

	if (memcmp(a, b, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xff << (8 - rest));
	return ((a[whole] ^ b[whole]) & mask) == 0;
}

/*
 * An "ipv6 ::ffff:a.b.c.d/N" entry with N >= 96 is about IPv4 peers, so it
 * is compared as "ipv4 a.b.c.d/(N-96)"; shorter IPv6 prefixes stay IPv6.
 */
static bool
entry_match(const struct trusted_entry *e, const struct addr *a)
{
	const unsigned char *eb = (const unsigned char *)&e->addr;

	if (e->family == AF_INET)
		return a->family == AF_INET && e->prefix <= 32 &&
		    prefix_equal(eb, a->b, e->prefix);
	if (e->family != AF_INET6 || e->prefix > 128)
		return false;
	if (e->prefix >= 96 && memcmp(eb, v4mapped, sizeof(v4mapped)) == 0)
		return a->family == AF_INET &&
		    prefix_equal(eb + 12, a->b, e->prefix - 96);
	return a->family == AF_INET6 && prefix_equal(eb, a->b, e->prefix);
}

bool
trusted_match(const struct config *cfg, const struct sockaddr *sa)
{
	struct addr a;

	if (cfg == NULL || !addr_from_sockaddr(sa, &a))
		return false;
	for (size_t i = 0; i < cfg->ntrusted; i++)
		if (entry_match(&cfg->trusted[i], &a))
			return true;
	return false;
}

/* A configured target written as an address; DNS names never match. */
static bool
target_is(const struct conf_target *t, const struct addr *a)
{
	unsigned char	b[16];

	if (t->kind == TARGET_IPV4 && a->family == AF_INET)
		return inet_pton(AF_INET, t->host, b) == 1 &&
		    memcmp(b, a->b, 4) == 0;
	if (t->kind == TARGET_IPV6 && inet_pton(AF_INET6, t->host, b) == 1) {
		if (memcmp(b, v4mapped, sizeof(v4mapped)) == 0)
			return a->family == AF_INET && memcmp(b + 12, a->b, 4) == 0;
		return a->family == AF_INET6 && memcmp(b, a->b, 16) == 0;
	}
	return false;
}

bool
trusted_target(const struct config *cfg, const struct sockaddr *sa)
{
	struct addr a;

	if (cfg == NULL || !addr_from_sockaddr(sa, &a))
		return false;
	for (size_t i = 0; i < cfg->ntenants; i++)
		if (target_is(&cfg->tenants[i].sip_server, &a))
			return true;
	for (size_t i = 0; i < cfg->ndial_peers; i++)
		if (cfg->dial_peers[i].target_kind == SESSTARGET_ADDR &&
		    target_is(&cfg->dial_peers[i].target, &a))
			return true;
	return false;
}

bool
trusted_list_enforced(const struct config *cfg)
{
	return cfg != NULL && cfg->ntrusted > 0;
}

static bool
profile_checks_clients(const struct tls_profile_config *p)
{
	return p != NULL &&
	    (p->cnsan == CNSAN_CLIENT || p->cnsan == CNSAN_BIDIRECTIONAL);
}

enum trust_decision
trusted_admit(const struct config *cfg, const struct tls_profile_config *profile,
    const struct sockaddr *sa, bool cnsan_client_passed)
{
	bool cnsan = profile_checks_clients(profile);

	if (cnsan && !cnsan_client_passed)
		return REFUSE_CNSAN_FAILED;
	if (!trusted_list_enforced(cfg))
		return cfg != NULL ? ADMIT_OPEN : REFUSE_UNTRUSTED;
	if (trusted_match(cfg, sa))
		return ADMIT_TRUSTED;
	if (trusted_target(cfg, sa))
		return ADMIT_TARGET;
	if (cnsan)
		return ADMIT_CNSAN_BYPASS;
	return REFUSE_UNTRUSTED;
}

bool
trust_decision_admits(enum trust_decision d)
{
	return d == ADMIT_OPEN || d == ADMIT_TRUSTED || d == ADMIT_TARGET ||
	    d == ADMIT_CNSAN_BYPASS;
}

const char *
trust_decision_name(enum trust_decision d)
{
	switch (d) {
	case REFUSE_UNTRUSTED:		return "refused: source not trusted";
	case REFUSE_CNSAN_FAILED:	return "refused: CN-SAN check failed";
	case ADMIT_OPEN:		return "admitted: trusted list empty";
	case ADMIT_TRUSTED:		return "admitted: trusted address";
	case ADMIT_TARGET:		return "admitted: configured target";
	case ADMIT_CNSAN_BYPASS:	return "admitted: CN-SAN verified";
	}
	return "refused: unknown decision";
}
