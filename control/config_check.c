/*
 * The semantic pass after parsing: references resolve, listeners do not
 * collide, versions and ciphers can meet, and whatever is defined but never
 * used is said out loud. Errors reject the file; warnings do not.
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

struct checker {
	struct config	*cfg;
	conf_report_fn	 report;
	void		*arg;
	int		 errors;
};

static void __attribute__((format(printf, 4, 5)))
check_say(struct checker *c, enum conf_severity sev, unsigned line,
    const char *fmt, ...)
{
	char	msg[1024];
	int	n;
	va_list	ap;

	if (line != 0)
		n = snprintf(msg, sizeof(msg), "%s:%u: %s", c->cfg->path, line,
		    sev == CONF_WARNING ? "warning: " : "");
	else
		n = snprintf(msg, sizeof(msg), "%s: %s", c->cfg->path,
		    sev == CONF_WARNING ? "warning: " : "");
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (sev == CONF_ERROR)
		c->errors++;
	c->report(c->arg, sev, msg);
}

#define ERR(c, line, ...)	check_say((c), CONF_ERROR, (line), __VA_ARGS__)
#define WARN(c, line, ...)	check_say((c), CONF_WARNING, (line), __VA_ARGS__)

static struct trustpoint_config *
check_trustpoint_ref(struct checker *c, const char *name, unsigned line,
    const char *who)
{
	struct trustpoint_config *tp;

	if (name[0] == '\0')
		return NULL;
	if ((tp = config_trustpoint(c->cfg, name)) == NULL) {
		ERR(c, line, "%s: trustpoint %s is not defined", who, name);
		return NULL;
	}
	tp->used = true;
	if (tp->key_type == KEY_UNSET)
		WARN(c, line, "%s: trustpoint %s has no rsakeypair or eckeypair, "
		    "so it cannot hold a certificate", who, name);
	return tp;
}

static bool
cipher_usable(const struct cipher_def *d, unsigned versions)
{
	if (d->tls13)
		return versions & TLSV_1_3;
	if (d->cbc)
		return versions & (TLSV_1_0 | TLSV_1_1 | TLSV_1_2);
	return versions & TLSV_1_2;
}

/* A version that is enabled but has no cipher in the list can never be negotiated. */
static void
check_cipher_versions(struct checker *c, const struct tls_cipher_config *tc,
    unsigned versions)
{
	static const char *const vname[] = { "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3" };
	const struct cipher_def	*tab;
	size_t			 n;

	tab = cipher_table(&n);
	for (unsigned v = 0; v < 4; v++) {
		bool found = false;

		if (!(versions & (1u << v)))
			continue;
		for (size_t i = 0; i < CONF_CIPHERS_MAX && !found; i++)
			found = tc->pref[i] >= 0 &&
			    cipher_usable(&tab[tc->pref[i]], 1u << v);
		if (!found)
			WARN(c, tc->line, "tls-cipher %u has no cipher for %s, "
			    "which sip-ua enables: %s will not be negotiated with "
			    "profiles using it", tc->tag, vname[v], vname[v]);
	}
}

/* The guide: ECDSA suites are not supported with TLS 1.0. */
static void
check_cipher_list(struct checker *c, struct tls_cipher_config *tc)
{
	const struct cipher_def	*tab;
	unsigned		 versions = config_tls_versions(c->cfg);
	size_t			 n, count = 0, usable = 0;
	char			 vbuf[64];

	tab = cipher_table(&n);
	for (size_t i = 0; i < CONF_CIPHERS_MAX; i++) {
		if (tc->pref[i] < 0)
			continue;
		count++;
		if (tab[tc->pref[i]].ecdsa && c->cfg->tls_mode == TLSMODE_EXCLUSIVE &&
		    versions == TLSV_1_0)
			ERR(c, tc->line, "tls-cipher %u: cipher %u %s: ECDSA ciphers "
			    "are not supported with TLS version 1.0 (sip-ua "
			    "transport tcp tls v1.0, line %u)", tc->tag,
			    (unsigned)i + 1, tab[tc->pref[i]].cube_name,
			    c->cfg->transport_line);
		if (cipher_usable(&tab[tc->pref[i]], versions))
			usable++;
	}
	if (!tc->used)
		return;
	if (count == 0)
		ERR(c, tc->line, "tls-cipher %u has no cipher", tc->tag);
	else if (usable == 0)
		ERR(c, tc->line, "tls-cipher %u has no cipher usable with the "
		    "enabled TLS versions (%s)", tc->tag,
		    tls_version_names(versions, vbuf, sizeof(vbuf)));
	else
		check_cipher_versions(c, tc, versions);
}

static void
check_profiles(struct checker *c)
{
	char who[64];

	for (size_t i = 0; i < c->cfg->nprofiles; i++) {
		struct tls_profile_config *p = &c->cfg->profiles[i];
		struct tls_cipher_config *tc;

		snprintf(who, sizeof(who), "tls-profile %u", p->tag);
		if (p->cipher_tag != 0) {
			if ((tc = config_cipher(c->cfg, p->cipher_tag)) == NULL)
				ERR(c, p->cipher_line, "%s: tls-cipher %u is not "
				    "defined", who, p->cipher_tag);
			else
				tc->used = true;
		}
		check_trustpoint_ref(c, p->trustpoint, p->trustpoint_line, who);
		if ((p->cnsan == CNSAN_CLIENT || p->cnsan == CNSAN_BIDIRECTIONAL) &&
		    p->ncnsan == 0)
			ERR(c, p->line, "%s: cn-san validate %s needs at least one "
			    "\"cn-san INDEX FQDN\" entry to match clients against",
			    who, p->cnsan == CNSAN_CLIENT ? "client" : "bidirectional");
		if (p->cnsan == CNSAN_SERVER && p->ncnsan > 0)
			WARN(c, p->line, "%s: the cn-san list is used only for "
			    "clients; with cn-san validate server it is not "
			    "consulted", who);
	}
	for (size_t i = 0; i < c->cfg->nciphers; i++)
		check_cipher_list(c, &c->cfg->ciphers[i]);
}

static void
check_tenant_server(struct checker *c, const struct tenant_config *t,
    const struct tls_profile_config *p)
{
	if (p == NULL || t->sip_server.kind == TARGET_NONE ||
	    t->sip_server.kind == TARGET_DNS)
		return;
	if (p->sni_send)
		WARN(c, t->line, "tenant %u: sni send has no name to send: "
		    "sip-server %s is an address (SNI carries host names only)",
		    t->tag, t->sip_server.host);
	if (p->cnsan == CNSAN_SERVER || p->cnsan == CNSAN_BIDIRECTIONAL)
		WARN(c, t->line, "tenant %u: cn-san validate %s with sip-server "
		    "%s, an address: only an IP address SAN in the server's "
		    "certificate can match it", t->tag, p->cnsan == CNSAN_SERVER ?
		    "server" : "bidirectional", t->sip_server.host);
}

static void
check_tenants(struct checker *c)
{
	struct config *cfg = c->cfg;

	for (size_t i = 0; i < cfg->ntenants; i++) {
		struct tenant_config	  *t = &cfg->tenants[i];
		struct tls_profile_config *p = NULL;
		struct srtp_crypto_config *s;

		if (t->tls_profile != 0) {
			if ((p = config_profile(cfg, t->tls_profile)) == NULL)
				ERR(c, t->tls_profile_line, "tenant %u: tls-profile "
				    "%u is not defined", t->tag, t->tls_profile);
			else
				p->used = true;
		}
		if (t->srtp_crypto != 0) {
			if ((s = config_srtp(cfg, t->srtp_crypto)) == NULL)
				ERR(c, t->srtp_line, "tenant %u: srtp-crypto %u is "
				    "not defined", t->tag, t->srtp_crypto);
			else
				s->used = true;
		}
		check_tenant_server(c, t, p);
		if (t->listen_port != 0 && (p == NULL || p->trustpoint[0] == '\0') &&
		    cfg->default_trustpoint[0] == '\0')
			WARN(c, t->listen_line, "tenant %u: no trustpoint (neither "
			    "in its tls-profile nor as sip-ua crypto signaling "
			    "default trustpoint): its listener has no certificate "
			    "to present", t->tag);
		if (t->listen_port != 0 && t->backend.kind == TARGET_NONE)
			WARN(c, t->listen_line, "tenant %u: no \"backend target\": "
			    "connections to its listener have no SIP backend to "
			    "reach", t->tag);
	}
}

struct listen_spec {
	const char	*bind;		/* "" = every address */
	unsigned	 port;
	unsigned	 tenant;
	unsigned	 line;
};

/* The trustpoint a tenant presents, after sip-ua's default; NULL if none. */
static const struct trustpoint_config *
tenant_trustpoint(const struct config *cfg, unsigned tag)
{
	const struct tenant_config	*t = config_tenant(cfg, tag);
	const struct tls_profile_config	*p;
	const char			*name = cfg->default_trustpoint;

	if (t == NULL || t->tls_profile == 0 ||
	    (p = config_profile(cfg, t->tls_profile)) == NULL)
		return NULL;
	if (p->trustpoint[0] != '\0')
		name = p->trustpoint;
	return name[0] ? config_trustpoint(cfg, name) : NULL;
}

/*
 * Tenants may share one socket when the client's SNI can tell them apart:
 * each presents its own trustpoint, and each trustpoint has an fqdn.
 */
static bool
check_sni_shareable(struct checker *c, const struct listen_spec *a,
    const struct listen_spec *b)
{
	const struct trustpoint_config *ta, *tb;

	if (a->tenant == 0 || b->tenant == 0 || strcmp(a->bind, b->bind) != 0)
		return false;
	ta = tenant_trustpoint(c->cfg, a->tenant);
	tb = tenant_trustpoint(c->cfg, b->tenant);
	return ta != NULL && tb != NULL && ta != tb && ta->fqdn[0] != '\0' &&
	    tb->fqdn[0] != '\0';
}

static void
check_listener_pair(struct checker *c, const struct listen_spec *a,
    const struct listen_spec *b)
{
	char	other[32] = "the global sip-ua listener";

	/*
	 * A wildcard socket holds the port on every address, so a listener on
	 * one interface's address and the same port cannot bind beside it.
	 */
	if (a->port != b->port || (strcmp(a->bind, b->bind) != 0 &&
	    a->bind[0] != '\0' && b->bind[0] != '\0'))
		return;
	if (check_sni_shareable(c, a, b)) {
		WARN(c, b->line, "tenant %u shares listen-port secure %u with "
		    "tenant %u (line %u): the client's SNI selects the tenant; "
		    "clients without SNI or with an unknown name reach tenant %u",
		    b->tenant, b->port, a->tenant, a->line, a->tenant);
		return;
	}
	if (a->tenant != 0)
		snprintf(other, sizeof(other), "tenant %u's listener", a->tenant);
	ERR(c, b->line, "tenant %u: listen-port secure %u on %s%s collides with "
	    "%s on %s%s (line %u)%s", b->tenant, b->port,
	    b->bind[0] ? "interface " : "every address", b->bind, other,
	    a->bind[0] ? "interface " : "every address", a->bind, a->line,
	    a->tenant != 0 && strcmp(a->bind, b->bind) == 0 ?
	    ": tenants share a port only when each tls-profile names its own "
	    "trustpoint with an fqdn, which the client's SNI selects" : "");
}

static void
check_listeners(struct checker *c)
{
	struct config		*cfg = c->cfg;
	struct listen_spec	 spec[cfg->ntenants + 1];
	size_t			 n = 0;

	if (cfg->transport_tls)
		spec[n++] = (struct listen_spec){ cfg->global_bind,
		    cfg->global_port, 0, cfg->transport_line };
	for (size_t i = 0; i < cfg->ntenants; i++) {
		const struct tenant_config *t = &cfg->tenants[i];

		if (t->listen_port == 0)
			continue;
		spec[n] = (struct listen_spec){ t->bind_control, t->listen_port,
		    t->tag, t->listen_line };
		for (size_t j = 0; j < n; j++)
			check_listener_pair(c, &spec[j], &spec[n]);
		n++;
	}
	for (size_t i = 0; i < cfg->ntenants; i++) {
		const struct tenant_config *a = &cfg->tenants[i];

		for (size_t j = 0; j < i && a->backend_listen.kind != TARGET_NONE; j++) {
			const struct tenant_config *b = &cfg->tenants[j];

			if (b->backend_listen.port == a->backend_listen.port &&
			    strcmp(b->backend_listen.host, a->backend_listen.host) == 0)
				ERR(c, a->backend_listen_line, "tenant %u: backend "
				    "listen %s:%u is already tenant %u's", a->tag,
				    a->backend_listen.host, a->backend_listen.port,
				    b->tag);
		}
	}
}

static void
check_dial_peers(struct checker *c)
{
	for (size_t i = 0; i < c->cfg->ndial_peers; i++) {
		struct dial_peer_config	*d = &c->cfg->dial_peers[i];
		struct tenant_config	*t = NULL;

		if (d->tenant != 0 && (t = config_tenant(c->cfg, d->tenant)) == NULL)
			ERR(c, d->tenant_line, "dial-peer %u: tenant %u is not "
			    "defined", d->tag, d->tenant);
		if (t != NULL)
			t->used = true;
		/* an undefined tenant is already an error; say nothing more */
		if (d->target_kind == SESSTARGET_SIP_SERVER &&
		    (d->tenant == 0 || t != NULL) &&
		    (t == NULL || t->sip_server.kind == TARGET_NONE))
			WARN(c, d->line, "dial-peer %u: session target sip-server, "
			    "but %s has no sip-server", d->tag, t ? "its tenant" :
			    "it names no tenant, so it");
	}
}

static void
check_unused(struct checker *c)
{
	struct config *cfg = c->cfg;

	for (size_t i = 0; i < cfg->nciphers; i++)
		if (!cfg->ciphers[i].used)
			WARN(c, cfg->ciphers[i].line, "voice class tls-cipher %u is "
			    "not used by any tls-profile", cfg->ciphers[i].tag);
	for (size_t i = 0; i < cfg->nprofiles; i++)
		if (!cfg->profiles[i].used)
			WARN(c, cfg->profiles[i].line, "voice class tls-profile %u "
			    "is not used by any tenant", cfg->profiles[i].tag);
	for (size_t i = 0; i < cfg->nsrtps; i++)
		if (!cfg->srtps[i].used)
			WARN(c, cfg->srtps[i].line, "voice class srtp-crypto %u is "
			    "not used by any tenant", cfg->srtps[i].tag);
	for (size_t i = 0; i < cfg->ntrustpoints; i++)
		if (!cfg->trustpoints[i].used)
			WARN(c, cfg->trustpoints[i].line, "trustpoint %s is not used "
			    "by any tls-profile or as the default",
			    cfg->trustpoints[i].name);
}

int
config_check(struct config *cfg, conf_report_fn report, void *arg)
{
	struct checker c = { cfg, report, arg, 0 };

	check_trustpoint_ref(&c, cfg->default_trustpoint,
	    cfg->default_trustpoint_line, "sip-ua crypto signaling");
	if (cfg->transport_tls && cfg->default_trustpoint[0] == '\0')
		WARN(&c, cfg->transport_line, "sip-ua: transport tcp tls without "
		    "\"crypto signaling default trustpoint\": the global listener "
		    "has no certificate to present");
	check_tenants(&c);
	check_profiles(&c);
	check_dial_peers(&c);
	check_listeners(&c);
	check_unused(&c);
	return c.errors;
}
