/*
 * Writing a configuration back out: as a running-config that parses to the
 * same thing, and as the effective setup that "sipktlsd -n" and
 * "show voice class tls-profile" explain to an operator.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

static const char *const revocation_names[] = { "", "crl", "ocsp", "none" };
static const char *const cnsan_names[] = { "off", "server", "client", "bidirectional" };
static const char *const url_names[] = { "", "sip", "sips", "tel" };

static void
print_trustpoint(const struct trustpoint_config *tp, FILE *fp)
{
	fprintf(fp, "crypto pki trustpoint %s\n", tp->name);
	if (tp->enrollment == ENROLL_TERMINAL)
		fprintf(fp, " enrollment terminal%s\n", tp->enroll_pem ? " pem" : "");
	else if (tp->enrollment == ENROLL_URL)
		fprintf(fp, " enrollment url %s%s\n", tp->enroll_url,
		    tp->enroll_pem ? " pem" : "");
	if (tp->fqdn[0])
		fprintf(fp, " fqdn %s\n", tp->fqdn);
	if (tp->serial_number_set)
		fprintf(fp, " serial-number%s\n", tp->serial_number ? "" : " none");
	if (tp->ip_address[0])
		fprintf(fp, " ip-address %s\n", tp->ip_address);
	if (tp->subject_name[0])
		fprintf(fp, " subject-name %s\n", tp->subject_name);
	if (tp->subject_alt_name[0])
		fprintf(fp, " subject-alt-name %s\n", tp->subject_alt_name);
	if (tp->revocation[0] != REVOKE_NONE_SET) {
		fprintf(fp, " revocation-check");
		for (size_t i = 0; i < CONF_REVOCATION_MAX && tp->revocation[i]; i++)
			fprintf(fp, " %s", revocation_names[tp->revocation[i]]);
		fputc('\n', fp);
	}
	if (tp->crl_url[0])
		fprintf(fp, " crl query %s\n", tp->crl_url);
	if (tp->ocsp_url[0])
		fprintf(fp, " ocsp url %s\n", tp->ocsp_url);
	if (tp->key_type == KEY_RSA) {
		fprintf(fp, " rsakeypair %s", tp->key_label);
		if (tp->key_size)
			fprintf(fp, " %u", tp->key_size);
		if (tp->enc_key_size)
			fprintf(fp, " %u", tp->enc_key_size);
		fputc('\n', fp);
	} else if (tp->key_type == KEY_EC)
		fprintf(fp, " eckeypair %s\n", tp->key_label);
	if (tp->password[0])
		fprintf(fp, " password %s\n", tp->password);
	fprintf(fp, "!\n");
	if (tp->has_chain)
		fprintf(fp, "crypto pki certificate chain %s\n!\n", tp->name);
}

static void
print_voice_service(const struct config *cfg, FILE *fp)
{
	char addr[INET6_ADDRSTRLEN];

	if (cfg->ntrusted == 0 && cfg->global_bind[0] == '\0')
		return;
	fprintf(fp, "voice service voip\n");
	if (cfg->ntrusted > 0)
		fprintf(fp, " ip address trusted list\n");
	for (size_t i = 0; i < cfg->ntrusted; i++) {
		const struct trusted_entry *e = &cfg->trusted[i];

		inet_ntop(e->family, &e->addr, addr, sizeof(addr));
		if (e->family == AF_INET) {
			uint32_t m = e->prefix ? ~0u << (32 - e->prefix) : 0;
			struct in_addr mask = { htonl(m) };
			char mbuf[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &mask, mbuf, sizeof(mbuf));
			fprintf(fp, "  ipv4 %s %s\n", addr, mbuf);
		} else
			fprintf(fp, "  ipv6 %s/%u\n", addr, e->prefix);
	}
	if (cfg->global_bind[0])
		fprintf(fp, " sip\n  bind control source-interface %s\n",
		    cfg->global_bind);
	fprintf(fp, "!\n");
}

static void
print_classes(const struct config *cfg, FILE *fp)
{
	size_t			 n;
	const struct cipher_def	*tab = cipher_table(&n);

	for (size_t i = 0; i < cfg->nsrtps; i++) {
		fprintf(fp, "voice class srtp-crypto %u\n", cfg->srtps[i].tag);
		for (size_t j = 0; j < CONF_SRTP_MAX; j++)
			if (cfg->srtps[i].pref[j] >= 0)
				fprintf(fp, " crypto %zu %s\n", j + 1,
				    srtp_suite_name(cfg->srtps[i].pref[j]));
		fprintf(fp, "!\n");
	}
	for (size_t i = 0; i < cfg->nciphers; i++) {
		fprintf(fp, "voice class tls-cipher %u\n", cfg->ciphers[i].tag);
		for (size_t j = 0; j < CONF_CIPHERS_MAX; j++)
			if (cfg->ciphers[i].pref[j] >= 0)
				fprintf(fp, " cipher %zu %s\n", j + 1,
				    tab[cfg->ciphers[i].pref[j]].cube_name);
		fprintf(fp, "!\n");
	}
	for (size_t i = 0; i < cfg->nprofiles; i++) {
		const struct tls_profile_config *p = &cfg->profiles[i];

		fprintf(fp, "voice class tls-profile %u\n", p->tag);
		if (p->cipher_tag)
			fprintf(fp, " cipher %u\n", p->cipher_tag);
		if (p->cnsan != CNSAN_OFF)
			fprintf(fp, " cn-san validate %s\n", cnsan_names[p->cnsan]);
		for (size_t j = 0; j < p->ncnsan; j++)
			fprintf(fp, " cn-san %u %s\n", p->cnsan_list[j].idx,
			    p->cnsan_list[j].fqdn);
		if (p->cnsan_strict)
			fprintf(fp, " cn-san strict\n");
		if (p->trustpoint[0])
			fprintf(fp, " trustpoint %s\n", p->trustpoint);
		if (p->ca_bundle[0])
			fprintf(fp, " ca-bundle %s\n", p->ca_bundle);
		if (p->sni_send)
			fprintf(fp, " sni send\n");
		fprintf(fp, "!\n");
	}
}

static void
print_tenant(const struct tenant_config *t, FILE *fp)
{
	char	buf[CONF_HOST_MAX + 16];

	fprintf(fp, "voice class tenant %u\n", t->tag);
	if (t->tls_profile)
		fprintf(fp, " tls-profile %u\n", t->tls_profile);
	if (t->listen_port)
		fprintf(fp, " listen-port secure %u\n", t->listen_port);
	if (t->sip_server.kind != TARGET_NONE)
		fprintf(fp, " sip-server %s\n",
		    conf_target_format(&t->sip_server, buf, sizeof(buf)));
	if (t->srtp_crypto)
		fprintf(fp, " srtp-crypto %u\n", t->srtp_crypto);
	if (t->transport_tls)
		fprintf(fp, " session transport tcp tls\n");
	if (t->url != URL_UNSET)
		fprintf(fp, " url %s\n", url_names[t->url]);
	if (t->bind_control[0])
		fprintf(fp, " bind control source-interface %s\n", t->bind_control);
	if (t->bind_media[0])
		fprintf(fp, " bind media source-interface %s\n", t->bind_media);
	if (t->backend.kind != TARGET_NONE)
		fprintf(fp, " backend target %s transport %s%s\n",
		    conf_target_format(&t->backend, buf, sizeof(buf)),
		    t->backend_transport == BACKEND_UDP ? "udp" : "tcp",
		    t->backend_proxy_v2 ? " proxy-protocol v2" : "");
	if (t->backend_listen.kind != TARGET_NONE)
		fprintf(fp, " backend listen %s\n",
		    conf_target_format(&t->backend_listen, buf, sizeof(buf)));
	fprintf(fp, "!\n");
}

static void
print_sipua(const struct config *cfg, FILE *fp)
{
	static const char *const vname[] = { "v1.0", "v1.1", "v1.2", "v1.3" };

	fprintf(fp, "sip-ua\n");
	if (cfg->transport_tls) {
		fprintf(fp, " transport tcp tls");
		for (unsigned i = 0; i < 4 && cfg->tls_mode != TLSMODE_DEFAULT; i++)
			if (cfg->tls_versions & (1u << i))
				fprintf(fp, " %s", vname[i]);
		fprintf(fp, "%s\n", cfg->tls_mode == TLSMODE_MINIMUM ? " minimum" : "");
	}
	if (cfg->global_port != SIPKTLS_DEFAULT_PORT)
		fprintf(fp, " listen-port secure %u\n", cfg->global_port);
	if (cfg->default_trustpoint[0])
		fprintf(fp, " crypto signaling default trustpoint %s%s\n",
		    cfg->default_trustpoint, cfg->default_cnsan_server ?
		    " cn-san-validate server" : "");
	fprintf(fp, " timers connection aging tls %u\n!\n", cfg->aging_tls_minutes);
}

static void
print_dial_peer(const struct dial_peer_config *d, FILE *fp)
{
	char	buf[CONF_HOST_MAX + 16];

	fprintf(fp, "dial-peer voice %u voip\n", d->tag);
	if (d->description[0])
		fprintf(fp, " description %s\n", d->description);
	if (d->destination_pattern[0])
		fprintf(fp, " destination-pattern %s\n", d->destination_pattern);
	if (d->sipv2)
		fprintf(fp, " session protocol sipv2\n");
	if (d->target_kind == SESSTARGET_SIP_SERVER)
		fprintf(fp, " session target sip-server\n");
	else if (d->target_kind == SESSTARGET_ADDR)
		fprintf(fp, " session target %s\n",
		    conf_target_format(&d->target, buf, sizeof(buf)));
	if (d->transport_tls)
		fprintf(fp, " session transport tcp tls\n");
	if (d->tenant)
		fprintf(fp, " voice-class sip tenant %u\n", d->tenant);
	fprintf(fp, "!\n");
}

/* Rows first to last of the numbers table; like IOS, defaults are not shown. */
static void
print_numbers(const struct config *cfg, enum conf_number_id first,
    enum conf_number_id last, FILE *fp)
{
	for (size_t id = first; id <= last; id++) {
		unsigned v = conf_number_get(cfg, id);

		if (v != conf_numbers[id].def)
			fprintf(fp, " %s %u\n", conf_numbers[id].words, v);
	}
}

void
config_print_running(const struct config *cfg, FILE *fp)
{
	if (cfg->hostname[0])
		fprintf(fp, "hostname %s\n!\n", cfg->hostname);
	if (cfg->domain_name[0])
		fprintf(fp, "ip domain name %s\n!\n", cfg->domain_name);
	for (size_t i = 0; i < cfg->ntrustpoints; i++)
		print_trustpoint(&cfg->trustpoints[i], fp);
	print_voice_service(cfg, fp);
	print_classes(cfg, fp);
	for (size_t i = 0; i < cfg->ntenants; i++)
		print_tenant(&cfg->tenants[i], fp);
	print_sipua(cfg, fp);
	for (size_t i = 0; i < cfg->ndial_peers; i++)
		print_dial_peer(&cfg->dial_peers[i], fp);
	fprintf(fp, "sipktls\n control-socket %s\n", cfg->control_socket);
	if (cfg->pki_store[0])
		fprintf(fp, " pki-store %s\n", cfg->pki_store);
	if (cfg->dataplane_threads)
		fprintf(fp, " dataplane threads %u\n", cfg->dataplane_threads);
	print_numbers(cfg, CONF_NUM_DP_MAX_HEADER, CONF_NUM_DP_LINGER_MS, fp);
	/* the one number shown even at its default */
	fprintf(fp, " %s %u\n", conf_numbers[CONF_NUM_CONN_LIMIT].words,
	    cfg->connection_limit);
	print_numbers(cfg, CONF_NUM_HS_TIMEOUT, CONF_NUM_TICKET_ROTATION, fp);
	if (cfg->ticket_key_file[0])
		fprintf(fp, " session ticket-key-file %s\n", cfg->ticket_key_file);
	if (cfg->security_level >= 0)
		fprintf(fp, " tls security-level %d\n", cfg->security_level);
	if (cfg->ktls_mode != KTLS_CONF_PREFERRED)
		fprintf(fp, " kernel-tls %s\n", cfg->ktls_mode == KTLS_CONF_OFF ?
		    "off" : "required");
	print_numbers(cfg, CONF_NUM_KTLS_RECORD_LIMIT, CONF_NUM_REVOKE_WAIT, fp);
	fprintf(fp, "!\nend\n");
}

/* What a listener or tenant will present, after falling back to sip-ua's default. */
static const char *
effective_trustpoint(const struct config *cfg, const struct tls_profile_config *p)
{
	if (p != NULL && p->trustpoint[0])
		return p->trustpoint;
	if (cfg->default_trustpoint[0])
		return cfg->default_trustpoint;
	return "(none)";
}

void
config_print_profile(const struct config *cfg, const struct tls_profile_config *p,
    FILE *fp)
{
	char	tls12[1024], tls13[256], vbuf[64];

	config_cipher_strings(cfg, p, tls12, sizeof(tls12), tls13, sizeof(tls13));
	if (p != NULL)
		fprintf(fp, "tls-profile %u\n", p->tag);
	else
		fprintf(fp, "default profile (sip-ua)\n");
	fprintf(fp, "  trustpoint          : %s\n", effective_trustpoint(cfg, p));
	fprintf(fp, "  TLS versions        : %s%s\n",
	    tls_version_names(config_tls_versions(cfg), vbuf, sizeof(vbuf)),
	    cfg->tls_mode == TLSMODE_DEFAULT ? " (default)" :
	    cfg->tls_mode == TLSMODE_MINIMUM ? " (v1.2 minimum)" : " (exclusive)");
	if (p != NULL && p->cipher_tag)
		fprintf(fp, "  tls-cipher          : %u\n", p->cipher_tag);
	else
		fprintf(fp, "  tls-cipher          : built-in default list\n");
	fprintf(fp, "  TLSv1.3 suites      : %s\n", tls13[0] ? tls13 : "(none)");
	fprintf(fp, "  TLSv1.2 and below   : %s\n", tls12[0] ? tls12 : "(none)");
	fprintf(fp, "  cn-san validate     : %s\n", cnsan_names[p != NULL ?
	    p->cnsan : cfg->default_cnsan_server ? CNSAN_SERVER : CNSAN_OFF]);
	if (p != NULL && p->cnsan_strict)
		fprintf(fp, "  cn-san matching     : strict (RFC 5922: no wildcards, CN only without SAN)\n");
	for (size_t i = 0; p != NULL && i < p->ncnsan; i++)
		fprintf(fp, "  cn-san %-12u : %s\n", p->cnsan_list[i].idx,
		    p->cnsan_list[i].fqdn);
	fprintf(fp, "  sni send            : %s\n",
	    p != NULL && p->sni_send ? "yes" : "no");
}

static void
print_listener_line(const char *bind, unsigned port, FILE *fp)
{
	if (bind[0])
		fprintf(fp, "addresses of interface %s, port %u", bind, port);
	else
		fprintf(fp, "[0.0.0.0]:%u and [::]:%u", port, port);
}

static void
print_setup_tenant(const struct config *cfg, const struct tenant_config *t,
    FILE *fp)
{
	char	buf[CONF_HOST_MAX + 16];

	fprintf(fp, "  tenant %u: ", t->tag);
	if (t->listen_port) {
		fprintf(fp, "listens on ");
		print_listener_line(t->bind_control, t->listen_port, fp);
	} else
		fprintf(fp, "no listener");
	fprintf(fp, "\n    tls-profile %s%.0u, trustpoint %s\n",
	    t->tls_profile ? "" : "none (sip-ua defaults)", t->tls_profile,
	    effective_trustpoint(cfg, config_profile(cfg, t->tls_profile)));
	fprintf(fp, "    sip-server %s", conf_target_format(&t->sip_server, buf,
	    sizeof(buf)));
	fprintf(fp, ", backend %s", conf_target_format(&t->backend, buf,
	    sizeof(buf)));
	if (t->backend.kind != TARGET_NONE)
		fprintf(fp, " over %s%s", t->backend_transport == BACKEND_UDP ?
		    "udp" : "tcp", t->backend_proxy_v2 ? " with PROXY v2" : "");
	fprintf(fp, ", backend listen %s\n", conf_target_format(&t->backend_listen,
	    buf, sizeof(buf)));
}

void
config_print_setup(const struct config *cfg, FILE *fp)
{
	fprintf(fp, "Listeners:\n");
	if (cfg->transport_tls) {
		fprintf(fp, "  tenant 0 (sip-ua transport tcp tls): ");
		print_listener_line(cfg->global_bind, cfg->global_port, fp);
		fputc('\n', fp);
	}
	for (size_t i = 0; i < cfg->ntenants; i++) {
		const struct tenant_config *t = &cfg->tenants[i];

		if (t->listen_port == 0)
			continue;
		fprintf(fp, "  tenant %u: ", t->tag);
		print_listener_line(t->bind_control, t->listen_port, fp);
		fputc('\n', fp);
	}
	fprintf(fp, "Tenants:\n");
	for (size_t i = 0; i < cfg->ntenants; i++)
		print_setup_tenant(cfg, &cfg->tenants[i], fp);
	fprintf(fp, "TLS profiles:\n");
	if (cfg->transport_tls)
		config_print_profile(cfg, NULL, fp);
	for (size_t i = 0; i < cfg->nprofiles; i++)
		config_print_profile(cfg, &cfg->profiles[i], fp);
	fprintf(fp, "Control socket: %s\nPKI store: %s\n", cfg->control_socket,
	    cfg->pki_store);
}

void
config_print_unused(const struct config *cfg, FILE *fp)
{
	if (cfg->nunused == 0)
		return;
	fprintf(fp, "Accepted but not acted on by sipktlsd:\n");
	for (size_t i = 0; i < cfg->nunused; i++)
		fprintf(fp, "  %s:%u: %s\n", cfg->path, cfg->unused[i].line,
		    cfg->unused[i].text);
}
