/*
 * The checks after parsing, the guide's example, the TLS settings derived
 * from a configuration, and the running-config round trip.
 */
#include "autoconf.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "config_suites.h"

#define TP_KEY		"crypto pki trustpoint TP\n rsakeypair k\n"
#define UA_TP		"sip-ua\n crypto signaling default trustpoint TP\n"

/* ---- semantic checks: errors ------------------------------------------ */

START_TEST(sem_undefined_references)
{
	BAD("voice class tls-profile 1\n trustpoint NOPE\n"
	    "voice class tenant 1\n tls-profile 1\n",
	    "t.conf:2: tls-profile 1: trustpoint NOPE is not defined");
	BAD("voice class tls-profile 1\n cipher 9\nvoice class tenant 1\n tls-profile 1\n",
	    "t.conf:2: tls-profile 1: tls-cipher 9 is not defined");
	BAD("voice class tenant 1\n tls-profile 9\n",
	    "t.conf:2: tenant 1: tls-profile 9 is not defined");
	BAD("voice class tenant 1\n srtp-crypto 9\n",
	    "t.conf:2: tenant 1: srtp-crypto 9 is not defined");
	BAD("dial-peer voice 5 voip\n voice-class sip tenant 9\n",
	    "t.conf:2: dial-peer 5: tenant 9 is not defined");
	/* the undefined tenant is the error; no warning about its sip-server */
	BAD("dial-peer voice 5 voip\n session target sip-server\n"
	    " voice-class sip tenant 9\n",
	    "t.conf:3: dial-peer 5: tenant 9 is not defined");
	BAD("sip-ua\n crypto signaling default trustpoint tp\n" TP_KEY,
	    "t.conf:2: sip-ua crypto signaling: trustpoint tp is not defined",
	    "t.conf:3: warning: trustpoint TP is not used by any tls-profile or "
	    "as the default");
	/* a deleted object is undefined for what still names it */
	BAD("voice class tenant 1\n sip-server dns:a.example\n"
	    "dial-peer voice 1 voip\n voice-class sip tenant 1\n"
	    "no voice class tenant 1\n",
	    "t.conf:4: dial-peer 1: tenant 1 is not defined");
	BAD(TP_KEY "voice class tls-profile 1\n trustpoint TP\n"
	    "voice class tenant 1\n tls-profile 1\nno crypto pki trustpoint TP\n",
	    "t.conf:4: tls-profile 1: trustpoint TP is not defined");
	/* every semantic error is reported in one run */
	BAD("voice class tenant 1\n tls-profile 8\n srtp-crypto 9\n"
	    "dial-peer voice 5 voip\n voice-class sip tenant 7\n",
	    "t.conf:2: tenant 1: tls-profile 8 is not defined",
	    "t.conf:3: tenant 1: srtp-crypto 9 is not defined",
	    "t.conf:5: dial-peer 5: tenant 7 is not defined");
}
END_TEST

START_TEST(sem_forward_references)
{
	/* objects may be named before they are defined */
	struct config *c = OK("dial-peer voice 1 voip\n voice-class sip tenant 1\n"
	    " session target sip-server\n"
	    "voice class tenant 1\n tls-profile 1\n srtp-crypto 1\n"
	    " sip-server dns:a.example\n"
	    "voice class tls-profile 1\n cipher 1\n trustpoint TP\n"
	    "voice class tls-cipher 1\n cipher 1 AES128_GCM_SHA256\n"
	    " cipher 2 ECDHE_RSA_AES128_GCM_SHA256\n cipher 3 RSA_WITH_AES_128_CBC_SHA\n"
	    "voice class srtp-crypto 1\n crypto 1 AEAD_AES_128_GCM\n" TP_KEY);

	ck_assert(c->tenants[0].used);
	ck_assert(c->profiles[0].used);
	ck_assert(c->ciphers[0].used);
	ck_assert(c->srtps[0].used);
	ck_assert(c->trustpoints[0].used);
	config_free(c);
}
END_TEST

START_TEST(sem_cnsan_needs_entries)
{
	BAD("voice class tls-profile 3\n cn-san validate client\n"
	    "voice class tenant 1\n tls-profile 3\n",
	    "t.conf:1: tls-profile 3: cn-san validate client needs at least one "
	    "\"cn-san INDEX FQDN\" entry to match clients against");
	BAD("voice class tls-profile 3\n cn-san validate bidirectional\n"
	    " cn-san 1 a.example\n no cn-san 1\n",
	    "t.conf:1: tls-profile 3: cn-san validate bidirectional needs at least "
	    "one \"cn-san INDEX FQDN\" entry to match clients against",
	    "t.conf:1: warning: voice class tls-profile 3 is not used by any tenant");
}
END_TEST

START_TEST(sem_cipher_lists)
{
	/* the guide: ECDSA ciphers are not supported with TLS 1.0 */
	BAD("voice class tls-cipher 1\n cipher 1 RSA_WITH_AES_128_CBC_SHA\n"
	    " cipher 2 ECDHE_ECDSA_AES128_GCM_SHA256\n"
	    "voice class tls-profile 1\n cipher 1\nvoice class tenant 1\n tls-profile 1\n"
	    "sip-ua\n transport tcp tls v1.0\n crypto signaling default trustpoint TP\n"
	    TP_KEY,
	    "t.conf:1: tls-cipher 1: cipher 2 ECDHE_ECDSA_AES128_GCM_SHA256: ECDSA "
	    "ciphers are not supported with TLS version 1.0 (sip-ua transport tcp "
	    "tls v1.0, line 9)");
	/* also in a list no profile uses */
	BAD("voice class tls-cipher 4\n cipher 3 ECDHE_ECDSA_AES256_GCM_SHA384\n"
	    "sip-ua\n transport tcp tls v1.0\n crypto signaling default trustpoint TP\n"
	    TP_KEY,
	    "t.conf:1: tls-cipher 4: cipher 3 ECDHE_ECDSA_AES256_GCM_SHA384: ECDSA "
	    "ciphers are not supported with TLS version 1.0 (sip-ua transport tcp "
	    "tls v1.0, line 4)",
	    "t.conf:1: warning: voice class tls-cipher 4 is not used by any "
	    "tls-profile");
	BAD("voice class tls-cipher 1\nvoice class tls-profile 1\n cipher 1\n"
	    "voice class tenant 1\n tls-profile 1\n",
	    "t.conf:1: tls-cipher 1 has no cipher");
	BAD("voice class tls-cipher 1\n cipher 1 AES128_GCM_SHA256\n no cipher 1\n"
	    "voice class tls-profile 1\n cipher 1\nvoice class tenant 1\n tls-profile 1\n",
	    "t.conf:1: tls-cipher 1 has no cipher");
	BAD("voice class tls-cipher 1\n cipher 1 ECDHE_RSA_AES128_GCM_SHA256\n"
	    "voice class tls-profile 1\n cipher 1\nvoice class tenant 1\n tls-profile 1\n"
	    "sip-ua\n transport tcp tls v1.3\n crypto signaling default trustpoint TP\n"
	    TP_KEY,
	    "t.conf:1: tls-cipher 1 has no cipher usable with the enabled TLS "
	    "versions (TLSv1.3)");
	BAD("voice class tls-cipher 1\n cipher 1 AES256_GCM_SHA384\n"
	    " cipher 2 ECDHE_RSA_AES128_GCM_SHA256\n"
	    "voice class tls-profile 1\n cipher 1\nvoice class tenant 1\n tls-profile 1\n"
	    "sip-ua\n transport tcp tls v1.1\n crypto signaling default trustpoint TP\n"
	    TP_KEY,
	    "t.conf:1: tls-cipher 1 has no cipher usable with the enabled TLS "
	    "versions (TLSv1.1)");
	/* an empty list that nothing uses only draws the unused warning */
	struct config *c = OK("voice class tls-cipher 1\n",
	    "t.conf:1: warning: voice class tls-cipher 1 is not used by any tls-profile");
	config_free(c);
}
END_TEST

START_TEST(sem_cipher_versions_warnings)
{
	struct config *c = OK("voice class tls-cipher 1\n cipher 1 AES128_GCM_SHA256\n"
	    "voice class tls-profile 1\n cipher 1\nvoice class tenant 1\n tls-profile 1\n",
	    "t.conf:1: warning: tls-cipher 1 has no cipher for TLSv1.1, which sip-ua "
	    "enables: TLSv1.1 will not be negotiated with profiles using it",
	    "t.conf:1: warning: tls-cipher 1 has no cipher for TLSv1.2, which sip-ua "
	    "enables: TLSv1.2 will not be negotiated with profiles using it");

	config_free(c);
	/* CBC ciphers serve TLS 1.2 too; "v1.2 minimum" leaves out 1.1 */
	c = OK("voice class tls-cipher 1\n cipher 1 DHE_RSA_WITH_AES_256_CBC_SHA\n"
	    "voice class tls-profile 1\n cipher 1\nvoice class tenant 1\n tls-profile 1\n"
	    "sip-ua\n transport tcp tls v1.2 minimum\n crypto signaling default "
	    "trustpoint TP\n" TP_KEY,
	    "t.conf:1: warning: tls-cipher 1 has no cipher for TLSv1.3, which sip-ua "
	    "enables: TLSv1.3 will not be negotiated with profiles using it");
	config_free(c);
	/* exclusive v1.0 with a CBC list is complete, and ECDSA-free */
	c = OK("voice class tls-cipher 1\n cipher 1 RSA_WITH_AES_256_CBC_SHA\n"
	    "voice class tls-profile 1\n cipher 1\nvoice class tenant 1\n tls-profile 1\n"
	    "sip-ua\n transport tcp tls v1.0\n crypto signaling default trustpoint TP\n"
	    TP_KEY);
	config_free(c);
}
END_TEST

START_TEST(sem_listener_sni_sharing)
{
	struct config *c = OK("crypto pki trustpoint A\n fqdn a.example.com\n rsakeypair a\n"
	    "crypto pki trustpoint B\n fqdn b.example.com\n rsakeypair b\n"
	    "voice class tls-profile 1\n trustpoint A\n"
	    "voice class tls-profile 2\n trustpoint B\n"
	    "voice class tenant 1\n tls-profile 1\n listen-port secure 5062\n"
	    " backend target ipv4:10.0.0.1:5060\n"
	    "voice class tenant 2\n tls-profile 2\n listen-port secure 5062\n"
	    " backend target ipv4:10.0.0.2:5060\n",
	    "t.conf:17: warning: tenant 2 shares listen-port secure 5062 with tenant 1 "
	    "(line 13): the client's SNI selects the tenant; clients without SNI or "
	    "with an unknown name reach tenant 1");

	config_free(c);
	/* one trustpoint for both: SNI cannot tell them apart */
	BAD("crypto pki trustpoint A\n fqdn a.example.com\n rsakeypair a\n"
	    "voice class tls-profile 1\n trustpoint A\n"
	    "voice class tenant 1\n tls-profile 1\n listen-port secure 5062\n"
	    " backend target ipv4:10.0.0.1:5060\n"
	    "voice class tenant 2\n tls-profile 1\n listen-port secure 5062\n"
	    " backend target ipv4:10.0.0.2:5060\n",
	    "t.conf:12: tenant 2: listen-port secure 5062 on every address collides "
	    "with tenant 1's listener on every address (line 8): tenants share a port "
	    "only when each tls-profile names its own trustpoint with an fqdn, "
	    "which the client's SNI selects");
}
END_TEST

START_TEST(sem_listener_collisions)
{
#define TEN(tag, port, bind) "voice class tenant " #tag "\n listen-port secure " \
	#port "\n backend target ipv4:10.0.0.1:5060\n" bind
	BAD(TEN(1, 5062, "") TEN(2, 5062, "") TP_KEY UA_TP,
	    "t.conf:5: tenant 2: listen-port secure 5062 on every address collides "
	    "with tenant 1's listener on every address (line 2): tenants share a port "
	    "only when each tls-profile names its own trustpoint with an fqdn, "
	    "which the client\'s SNI selects");
	BAD("sip-ua\n transport tcp tls\n" TEN(1, 5061, "") TP_KEY UA_TP,
	    "t.conf:4: tenant 1: listen-port secure 5061 on every address collides "
	    "with the global sip-ua listener on every address (line 2)");
	BAD("sip-ua\n transport tcp tls\n"
	    TEN(1, 5061, " bind control source-interface eth1\n") TP_KEY UA_TP,
	    "t.conf:4: tenant 1: listen-port secure 5061 on interface eth1 collides "
	    "with the global sip-ua listener on every address (line 2)");
	BAD("sip-ua\n transport tcp tls\n listen-port secure 5070\n"
	    TEN(1, 5070, "") TP_KEY UA_TP,
	    "t.conf:5: tenant 1: listen-port secure 5070 on every address collides "
	    "with the global sip-ua listener on every address (line 2)");
	BAD("voice service voip\n sip\n  bind control source-interface eth0\n"
	    "sip-ua\n transport tcp tls\n" TEN(1, 5061, "") TP_KEY UA_TP,
	    "t.conf:7: tenant 1: listen-port secure 5061 on every address collides "
	    "with the global sip-ua listener on interface eth0 (line 5)");
	BAD(TEN(1, 5062, " bind control source-interface eth1\n")
	    TEN(2, 5062, " bind all source-interface eth1\n") TP_KEY UA_TP,
	    "t.conf:6: tenant 2: listen-port secure 5062 on interface eth1 collides "
	    "with tenant 1's listener on interface eth1 (line 2): tenants share a port "
	    "only when each tls-profile names its own trustpoint with an fqdn, "
	    "which the client\'s SNI selects");
	BAD(TEN(1, 5062, "") TEN(2, 5062, "") TEN(3, 5062, "") TP_KEY UA_TP,
	    "t.conf:5: tenant 2: listen-port secure 5062 on every address collides "
	    "with tenant 1's listener on every address (line 2): tenants share a port "
	    "only when each tls-profile names its own trustpoint with an fqdn, "
	    "which the client\'s SNI selects",
	    "t.conf:8: tenant 3: listen-port secure 5062 on every address collides "
	    "with tenant 1's listener on every address (line 2): tenants share a port "
	    "only when each tls-profile names its own trustpoint with an fqdn, "
	    "which the client\'s SNI selects",
	    "t.conf:8: tenant 3: listen-port secure 5062 on every address collides "
	    "with tenant 2's listener on every address (line 5): tenants share a port "
	    "only when each tls-profile names its own trustpoint with an fqdn, "
	    "which the client\'s SNI selects");
	BAD("voice class tenant 1\n backend listen ipv4:10.0.0.1:5070\n"
	    "voice class tenant 2\n backend listen ipv4:10.0.0.1:5070\n",
	    "t.conf:4: tenant 2: backend listen 10.0.0.1:5070 is already tenant 1's");

	/* a wildcard tenant holds its port against the global listener on eth0 too */
	BAD(TEN(1, 5062, " bind control source-interface eth1\n")
	    TEN(2, 5062, " bind control source-interface eth2\n")
	    TEN(3, 5061, "")
	    "voice service voip\n sip\n  bind control source-interface eth0\n"
	    "sip-ua\n transport tcp tls\n"
	    "voice class tenant 4\n listen-port secure 5061\n"
	    " bind control source-interface eth9\n backend target ipv4:10.0.0.1:5060\n"
	    "voice class tenant 5\n backend listen ipv4:10.0.0.1:5070\n"
	    "voice class tenant 6\n backend listen ipv4:10.0.0.1:5071\n"
	    "voice class tenant 7\n backend listen ipv4:10.0.0.2:5070\n"
	    TP_KEY UA_TP,
	    "t.conf:10: tenant 3: listen-port secure 5061 on every address collides "
	    "with the global sip-ua listener on interface eth0 (line 16)",
	    "t.conf:18: tenant 4: listen-port secure 5061 on interface eth9 collides "
	    "with tenant 3's listener on every address (line 10)");
	/* different interfaces, different ports, no global listener: no collision */
	struct config *c = OK(TEN(1, 5062, " bind control source-interface eth1\n")
	    TEN(2, 5062, " bind control source-interface eth2\n")
	    TEN(3, 5061, "")
	    "voice class tenant 5\n backend listen ipv4:10.0.0.1:5070\n"
	    "voice class tenant 6\n backend listen ipv4:10.0.0.1:5071\n"
	    "voice class tenant 7\n backend listen ipv4:10.0.0.2:5070\n"
	    TP_KEY UA_TP);
	config_free(c);
#undef TEN
}
END_TEST

/* ---- semantic checks: warnings ---------------------------------------- */

START_TEST(sem_trustpoint_warnings)
{
	struct config *c = OK("crypto pki trustpoint TP\n fqdn a.example\n" UA_TP
	    "sip-ua\n transport tcp tls\n",
	    "t.conf:4: warning: sip-ua crypto signaling: trustpoint TP has no "
	    "rsakeypair or eckeypair, so it cannot hold a certificate");

	config_free(c);
	c = OK("crypto pki trustpoint TP\n"
	    "voice class tls-profile 1\n trustpoint TP\nvoice class tenant 1\n tls-profile 1\n",
	    "t.conf:3: warning: tls-profile 1: trustpoint TP has no rsakeypair or "
	    "eckeypair, so it cannot hold a certificate");
	config_free(c);
	c = OK("sip-ua\n transport tcp tls\n",
	    "t.conf:2: warning: sip-ua: transport tcp tls without \"crypto signaling "
	    "default trustpoint\": the global listener has no certificate to present");
	config_free(c);
}
END_TEST

START_TEST(sem_tenant_warnings)
{
	struct config *c = OK("voice class tenant 1\n listen-port secure 5062\n",
	    "t.conf:2: warning: tenant 1: no trustpoint (neither in its tls-profile "
	    "nor as sip-ua crypto signaling default trustpoint): its listener has "
	    "no certificate to present",
	    "t.conf:2: warning: tenant 1: no \"backend target\": connections to its "
	    "listener have no SIP backend to reach");

	config_free(c);
	/* the profile's trustpoint is enough, and so is the default */
	c = OK("voice class tenant 1\n listen-port secure 5062\n tls-profile 1\n"
	    " backend target ipv4:10.0.0.1:5060\n"
	    "voice class tls-profile 1\n trustpoint TP\n" TP_KEY);
	config_free(c);
	c = OK("voice class tenant 1\n listen-port secure 5062\n tls-profile 1\n"
	    " backend target ipv4:10.0.0.1:5060\n"
	    "voice class tls-profile 1\n sni send\n" TP_KEY UA_TP);
	config_free(c);
	c = OK("voice class tenant 1\n tls-profile 1\n sip-server ipv4:192.0.2.1:5061\n"
	    "voice class tls-profile 1\n sni send\n cn-san validate server\n",
	    "t.conf:1: warning: tenant 1: sni send has no name to send: sip-server "
	    "192.0.2.1 is an address (SNI carries host names only)",
	    "t.conf:1: warning: tenant 1: cn-san validate server with sip-server "
	    "192.0.2.1, an address: only an IP address SAN in the server's "
	    "certificate can match it");
	config_free(c);
	c = OK("voice class tenant 1\n tls-profile 1\n sip-server ipv6:[2001:db8::5]\n"
	    "voice class tls-profile 1\n cn-san validate bidirectional\n cn-san 1 a.example\n",
	    "t.conf:1: warning: tenant 1: cn-san validate bidirectional with "
	    "sip-server 2001:db8::5, an address: only an IP address SAN in the "
	    "server's certificate can match it");
	config_free(c);
	/* a name is what SNI and the server check need */
	c = OK("voice class tenant 1\n tls-profile 1\n sip-server dns:a.example\n"
	    "voice class tls-profile 1\n sni send\n cn-san validate server\n");
	config_free(c);
	c = OK("voice class tls-profile 1\n cn-san validate server\n cn-san 1 a.example\n"
	    "voice class tenant 1\n tls-profile 1\n",
	    "t.conf:1: warning: tls-profile 1: the cn-san list is used only for "
	    "clients; with cn-san validate server it is not consulted");
	config_free(c);
}
END_TEST

START_TEST(sem_dial_peer_warnings)
{
	struct config *c = OK("dial-peer voice 1 voip\n session target sip-server\n",
	    "t.conf:1: warning: dial-peer 1: session target sip-server, but it names "
	    "no tenant, so it has no sip-server");

	config_free(c);
	c = OK("dial-peer voice 1 voip\n session target sip-server\n"
	    " voice-class sip tenant 2\nvoice class tenant 2\n",
	    "t.conf:1: warning: dial-peer 1: session target sip-server, but its "
	    "tenant has no sip-server");
	config_free(c);
}
END_TEST

START_TEST(sem_unused_objects)
{
	struct config *c = OK("voice class tls-cipher 1\n cipher 1 AES128_GCM_SHA256\n"
	    "voice class tls-profile 2\n"
	    "voice class srtp-crypto 3\n crypto 1 AEAD_AES_128_GCM\n"
	    "crypto pki trustpoint T4\n rsakeypair k\n"
	    "voice class tenant 5\n",
	    "t.conf:1: warning: voice class tls-cipher 1 is not used by any tls-profile",
	    "t.conf:3: warning: voice class tls-profile 2 is not used by any tenant",
	    "t.conf:4: warning: voice class srtp-crypto 3 is not used by any tenant",
	    "t.conf:6: warning: trustpoint T4 is not used by any tls-profile or as "
	    "the default");

	/* a tenant no dial-peer names is not reported: it may have a listener */
	ck_assert(!c->tenants[0].used);
	config_free(c);
}
END_TEST

/* ---- TLS settings derived from the configuration ---------------------- */

#define TLS13_DEFAULT	"TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:" \
			"TLS_CHACHA20_POLY1305_SHA256"
#define TLS12_AEAD	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:" \
			"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:" \
			"DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256"
#define TLS12_CBC	":DHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA:AES256-SHA:AES128-SHA"

static struct config *
parse_mode(const char *transport)
{
	char		 text[256];
	struct config	*c;

	snprintf(text, sizeof(text), "sip-ua\n %s\n crypto signaling default "
	    "trustpoint TP\n" TP_KEY, transport);
	c = parse(text);
	ck_assert_msg(c != NULL, "\"%s\" rejected", transport);
	return c;
}

START_TEST(tls_versions_by_mode)
{
	static const struct {
		const char	*transport;
		unsigned	 versions;
		int		 min, max;
		const char	*names;
		bool		 cbc;
	} t[] = {
		{ "transport tcp tls", TLSV_1_1 | TLSV_1_2 | TLSV_1_3,
		    TLS1_1_VERSION, TLS1_3_VERSION, "TLSv1.1 TLSv1.2 TLSv1.3", true },
		{ "transport tcp", TLSV_1_1 | TLSV_1_2 | TLSV_1_3,
		    TLS1_1_VERSION, TLS1_3_VERSION, "TLSv1.1 TLSv1.2 TLSv1.3", true },
		{ "transport tcp tls v1.0", TLSV_1_0, TLS1_VERSION, TLS1_VERSION,
		    "TLSv1.0", true },
		{ "transport tcp tls v1.1", TLSV_1_1, TLS1_1_VERSION, TLS1_1_VERSION,
		    "TLSv1.1", true },
		{ "transport tcp tls v1.2", TLSV_1_2, TLS1_2_VERSION, TLS1_2_VERSION,
		    "TLSv1.2", false },
		{ "transport tcp tls v1.3", TLSV_1_3, TLS1_3_VERSION, TLS1_3_VERSION,
		    "TLSv1.3", false },
		{ "transport tcp tls v1.2 minimum", TLSV_1_2 | TLSV_1_3,
		    TLS1_2_VERSION, TLS1_3_VERSION, "TLSv1.2 TLSv1.3", false },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct config	*c = parse_mode(t[i].transport);
		char		 tls12[1024], tls13[256], names[64];

		ck_assert_uint_eq(config_tls_versions(c), t[i].versions);
		ck_assert_int_eq(config_tls_min_version(c), t[i].min);
		ck_assert_int_eq(config_tls_max_version(c), t[i].max);
		ck_assert_str_eq(tls_version_names(config_tls_versions(c), names,
		    sizeof(names)), t[i].names);
		/* the built-in list: CBC only while 1.0 or 1.1 is enabled */
		config_cipher_strings(c, NULL, tls12, sizeof(tls12), tls13, sizeof(tls13));
		ck_assert_str_eq(tls13, TLS13_DEFAULT);
		ck_assert_str_eq(tls12, t[i].cbc ? TLS12_AEAD TLS12_CBC : TLS12_AEAD);
		config_free(c);
	}
}
END_TEST

START_TEST(tls_profile_cipher_strings)
{
	struct config *c = OK("voice class tls-cipher 1\n"
	    " cipher 1 ECDHE_RSA_AES256_GCM_SHA384\n"
	    " cipher 2 AES128_GCM_SHA256\n"
	    " cipher 3 RSA_WITH_AES_128_CBC_SHA\n"
	    " cipher 5 CHACHA20_POLY1305_SHA256\n"
	    " cipher 13 DHE_RSA_AES256_GCM_SHA384\n"
	    "voice class tls-profile 1\n cipher 1\n"
	    "voice class tls-profile 2\n sni send\n"
	    "voice class tenant 1\n tls-profile 1\nvoice class tenant 2\n tls-profile 2\n");
	char tls12[1024], tls13[256];

	/* one preference list, split in two, each part in its order */
	config_cipher_strings(c, config_profile(c, 1), tls12, sizeof(tls12), tls13,
	    sizeof(tls13));
	ck_assert_str_eq(tls12, "ECDHE-RSA-AES256-GCM-SHA384:AES128-SHA:"
	    "DHE-RSA-AES256-GCM-SHA384");
	ck_assert_str_eq(tls13, "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256");
	/* a profile without a cipher list uses the built-in one */
	config_cipher_strings(c, config_profile(c, 2), tls12, sizeof(tls12), tls13,
	    sizeof(tls13));
	ck_assert_str_eq(tls12, TLS12_AEAD TLS12_CBC);
	ck_assert_str_eq(tls13, TLS13_DEFAULT);
	/* short buffers are cut, never overrun */
	memset(tls12, 'x', sizeof(tls12));
	memset(tls13, 'x', sizeof(tls13));
	config_cipher_strings(c, NULL, tls12, 10, tls13, 5);
	ck_assert_uint_le(strlen(tls12), 9);
	ck_assert_uint_le(strlen(tls13), 4);
	ck_assert_int_eq(tls12[10], 'x');
	ck_assert_int_eq(tls13[5], 'x');
	config_free(c);
}
END_TEST

START_TEST(tls_tables_and_formats)
{
	size_t			 n;
	const struct cipher_def	*tab = cipher_table(&n);
	unsigned		 tls13 = 0, ecdsa = 0, cbc = 0;
	char			 buf[300];

	for (size_t i = 0; i < n; i++) {
		tls13 += tab[i].tls13;
		ecdsa += tab[i].ecdsa;
		cbc += tab[i].cbc;
		ck_assert_int_eq(cipher_lookup(tab[i].cube_name), (int)i);
	}
	ck_assert_uint_eq(tls13, 3);
	ck_assert_uint_eq(ecdsa, 2);
	ck_assert_uint_eq(cbc, 4);
	ck_assert_int_eq(cipher_lookup("chacha20_poly1305_sha256"), 2);
	ck_assert_int_eq(cipher_lookup("AES128-SHA"), -1);
	ck_assert_int_eq(cipher_lookup(""), -1);
	ck_assert_int_eq(srtp_suite_lookup("aead_aes_256_gcm"), 0);
	ck_assert_int_eq(srtp_suite_lookup("AES_CM_128_HMAC_SHA1_32"), 3);
	ck_assert_int_eq(srtp_suite_lookup("AES_CM_128"), -1);
	ck_assert_str_eq(tls_version_names(0, buf, sizeof(buf)), "");
	ck_assert_str_eq(tls_version_names(TLSV_1_0 | TLSV_1_3, buf, sizeof(buf)),
	    "TLSv1.0 TLSv1.3");
	ck_assert_str_eq(tls_version_names(0xf, buf, 12), "TLSv1.0 TLS");

	struct conf_target t = { TARGET_IPV6, "2001:db8::1", 5061 };
	ck_assert_str_eq(conf_target_format(&t, buf, sizeof(buf)), "ipv6:[2001:db8::1]:5061");
	t.port = 0;
	ck_assert_str_eq(conf_target_format(&t, buf, sizeof(buf)), "ipv6:[2001:db8::1]");
	t = (struct conf_target){ TARGET_IPV4, "192.0.2.1", 5060 };
	ck_assert_str_eq(conf_target_format(&t, buf, sizeof(buf)), "ipv4:192.0.2.1:5060");
	t = (struct conf_target){ TARGET_DNS, "a.example", 0 };
	ck_assert_str_eq(conf_target_format(&t, buf, sizeof(buf)), "dns:a.example");
	t = (struct conf_target){ TARGET_NONE, "", 0 };
	ck_assert_str_eq(conf_target_format(&t, buf, sizeof(buf)), "none");
}
END_TEST

/* ---- the guide's example ---------------------------------------------- */

START_TEST(guide_parses_with_its_warnings)
{
	struct config *c = OK(guide_example,
	    "t.conf:9: warning: rsakeypair: key size \"kp1\" is not a number; "
	    "ignored (the existing key's size is used)",
	    "t.conf:16: warning: tenant 100: no \"backend target\": connections to "
	    "its listener have no SIP backend to reach",
	    "t.conf:28: warning: tls-cipher 100 has no cipher for TLSv1.1, which "
	    "sip-ua enables: TLSv1.1 will not be negotiated with profiles using it",
	    "t.conf:28: warning: tls-cipher 100 has no cipher for TLSv1.3, which "
	    "sip-ua enables: TLSv1.3 will not be negotiated with profiles using it");
	static const struct { unsigned line; const char *text; } unused[] = {
		{ 12, "certificate 07" }, { 42, "voice-class codec 1" },
		{ 44, "dtmf-relay rtp-nte" }, { 45, "no vad" },
	};

	ck_assert_uint_eq(c->nunused, 4);
	for (size_t i = 0; i < 4; i++) {
		ck_assert_uint_eq(c->unused[i].line, unused[i].line);
		ck_assert_str_eq(c->unused[i].text, unused[i].text);
	}
	ck_assert_str_eq(c->domain_name, "example.com");
	ck_assert_uint_eq(c->ntrustpoints, 1);
	const struct trustpoint_config *tp = config_trustpoint(c, "CUBE-TrustPoint");
	ck_assert_ptr_nonnull(tp);
	ck_assert_int_eq(tp->enrollment, ENROLL_TERMINAL);
	ck_assert_str_eq(tp->fqdn, "cube.example.com");
	ck_assert_str_eq(tp->subject_name, "cn=cube.example.com");
	ck_assert_str_eq(tp->subject_alt_name, "cube.example.com");
	ck_assert_int_eq(tp->revocation[0], REVOKE_CRL);
	ck_assert_int_eq(tp->key_type, KEY_RSA);
	ck_assert_str_eq(tp->key_label, "cube");
	ck_assert(tp->has_chain);
	ck_assert(tp->used);

	const struct tenant_config *t = config_tenant(c, 100);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(t->tls_profile, 100);
	ck_assert_uint_eq(t->listen_port, 5080);
	ck_assert_int_eq(t->sip_server.kind, TARGET_DNS);
	ck_assert_str_eq(t->sip_server.host, "sip.acme.co");
	ck_assert_uint_eq(t->sip_server.port, 5080);
	ck_assert_uint_eq(t->srtp_crypto, 100);
	ck_assert(t->transport_tls);
	ck_assert_int_eq(t->url, URL_SIPS);
	ck_assert_str_eq(t->bind_control, "GigabitEthernet0/0/0");
	ck_assert_str_eq(t->bind_media, "GigabitEthernet0/0/0");

	const struct srtp_crypto_config *s = config_srtp(c, 100);
	ck_assert_str_eq(srtp_suite_name(s->pref[0]), "AEAD_AES_256_GCM");
	ck_assert_str_eq(srtp_suite_name(s->pref[1]), "AES_CM_128_HMAC_SHA1_80");
	ck_assert_int_eq(config_cipher(c, 100)->pref[0],
	    cipher_lookup("DHE_RSA_AES128_GCM_SHA256"));

	const struct tls_profile_config *p = config_profile(c, 100);
	ck_assert_uint_eq(p->cipher_tag, 100);
	ck_assert_int_eq(p->cnsan, CNSAN_BIDIRECTIONAL);
	ck_assert_uint_eq(p->ncnsan, 1);
	ck_assert_str_eq(p->cnsan_list[0].fqdn, "sip.acme.co");
	ck_assert_str_eq(p->trustpoint, "CUBE-TrustPoint");

	const struct dial_peer_config *d = &c->dial_peers[0];
	ck_assert_uint_eq(c->ndial_peers, 1);
	ck_assert_str_eq(d->description, "Towards sip.acme.co");
	ck_assert_str_eq(d->destination_pattern, "1000");
	ck_assert(d->sipv2);
	ck_assert_int_eq(d->target_kind, SESSTARGET_SIP_SERVER);
	ck_assert_uint_eq(d->tenant, 100);
	ck_assert(!c->transport_tls);
	config_free(c);
}
END_TEST

START_TEST(guide_setup_and_header)
{
	char		*text, *out;
	struct config	*c;

	if (asprintf(&text, "show running-config  brief\n%s", guide_example) < 0)
		ck_abort_msg("out of memory");
	c = parse(text);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(msgs.n, 4);
	ck_assert_str_eq(msgs.text[0], "t.conf:10: warning: rsakeypair: key size "
	    "\"kp1\" is not a number; ignored (the existing key's size is used)");
	ck_assert_uint_eq(c->nunused, 5);
	ck_assert_str_eq(c->unused[0].text, "show running-config  brief");
	out = print_setup(c);
	ck_assert_msg(strstr(out, "Listeners:\n  tenant 100: addresses of interface "
	    "GigabitEthernet0/0/0, port 5080\n") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "  TLSv1.2 and below   : DHE-RSA-AES128-GCM-SHA256\n"
	    "  cn-san validate     : bidirectional\n") != NULL, "%s", out);
	free(out);
	free(text);
	config_free(c);
}
END_TEST

/* ---- running-config round trip ---------------------------------------- */

/* print, parse the output, print again: the two prints are the same */
static void
round_trip(const char *text)
{
	struct config	*a, *b;
	char		*first, *second;

	a = parse(text);
	ck_assert_msg(a != NULL, "the source configuration is rejected");
	first = print_running(a);
	b = parse(first);
	ck_assert_msg(b != NULL, "the printed configuration is rejected "
	    "(%zu messages, first: %s):\n%s", msgs.n, msgs.n ? msgs.text[0] : "",
	    first);
	ck_assert_uint_eq(msgs_count(CONF_ERROR), 0);
	second = print_running(b);
	ck_assert_msg(strcmp(first, second) == 0, "prints differ:\n%s\n----\n%s",
	    first, second);
	ck_assert_uint_eq(a->ntrustpoints, b->ntrustpoints);
	ck_assert_uint_eq(a->ntenants, b->ntenants);
	ck_assert_uint_eq(a->ntrusted, b->ntrusted);
	free(first);
	free(second);
	config_free(a);
	config_free(b);
}

static const char full_config[] =
	"hostname sbc1\n"
	"ip domain name carrier.example.net\n"
	"crypto pki trustpoint SBC-RSA\n"
	" enrollment url http://ca.example.net/ pem\n"
	" fqdn sbc1.carrier.example.net\n"
	" subject-name CN=sbc1.carrier.example.net, O=Example  Carrier\n"
	" subject-alt-name sbc1.carrier.example.net\n"
	" serial-number none\n"
	" ip-address 192.0.2.5\n"
	" revocation-check ocsp crl none\n"
	" crl query http://crl.example.net/ca.crl\n"
	" ocsp url http://ocsp.example.net/\n"
	" rsakeypair sbc1-rsa 2048 1024\n"
	" password pass word\n"
	"crypto pki certificate chain SBC-RSA\n"
	" certificate ca 01\n"
	"  ABCD\n"
	"  quit\n"
	"crypto pki trustpoint SBC-EC\n"
	" enrollment terminal\n"
	" serial-number\n"
	" ip-address eth0\n"
	" eckeypair sbc1-ec\n"
	"voice service voip\n"
	" ip address trusted list\n"
	"  ipv4 192.0.2.0 255.255.255.0\n"
	"  ipv4 0.0.0.0 0.0.0.0\n"
	"  ipv4 198.51.100.7\n"
	"  ipv6 2001:db8:20::/48\n"
	"  ipv6 ::/0\n"
	" sip\n"
	"  bind control source-interface eth0\n"
	"voice class srtp-crypto 1\n"
	" crypto 1 AEAD_AES_256_GCM\n"
	" crypto 3 AES_CM_128_HMAC_SHA1_80\n"
	"voice class tls-cipher 10\n"
	" cipher 1 AES256_GCM_SHA384\n"
	" cipher 2 ECDHE_RSA_AES256_GCM_SHA384\n"
	" cipher 4 RSA_WITH_AES_128_CBC_SHA\n"
	"voice class tls-profile 10\n"
	" cipher 10\n"
	" trustpoint SBC-RSA\n"
	" cn-san validate bidirectional\n"
	" cn-san 2 pbx.enterprise-a.example\n"
	" cn-san 1 pbx2.enterprise-a.example\n"
	" cn-san strict\n"
	" sni send\n"
	"voice class tls-profile 20\n"
	" trustpoint SBC-EC\n"
	" cn-san validate server\n"
	"voice class tenant 100\n"
	" tls-profile 10\n"
	" listen-port secure 5062\n"
	" sip-server dns:pbx.enterprise-a.example:5061\n"
	" srtp-crypto 1\n"
	" session transport tcp tls\n"
	" url sips\n"
	" bind control source-interface eth1\n"
	" bind media source-interface eth2\n"
	" backend target ipv4:10.0.0.10:5060 transport tcp proxy-protocol v2\n"
	" backend listen ipv4:10.0.0.1:5070\n"
	"voice class tenant 200\n"
	" tls-profile 20\n"
	" listen-port secure 5063\n"
	" sip-server dns:trunk.provider-b.example\n"
	" url tel\n"
	" backend target ipv6:[2001:db8::20]:5060 transport udp\n"
	" backend listen ipv6:[2001:db8::1]:5071\n"
	"voice class tenant 300\n"
	" sip-server ipv6:[2001:db8::30]:5061\n"
	" url sip\n"
	"sip-ua\n"
	" transport tcp tls v1.2 minimum\n"
	" listen-port secure 5070\n"
	" crypto signaling default trustpoint SBC-RSA cn-san-validate server\n"
	" timers connection aging tls 15\n"
	"dial-peer voice 100 voip\n"
	" description Enterprise  A\n"
	" destination-pattern 1100T\n"
	" session protocol sipv2\n"
	" session target sip-server\n"
	" session transport tcp tls\n"
	" voice-class sip tenant 100\n"
	"dial-peer voice 200 voip\n"
	" session target ipv4:192.0.2.77:5061\n"
	"dial-peer voice 300 voip\n"
	" session target dns:sbc.example.org\n"
	"sipktls\n"
	" control-socket /run/sipktls/a.sock\n"
	" pki-store /etc/sipktls/pki\n"
	" dataplane threads 8\n"
	" connection limit 20000\n";

START_TEST(rt_guide)
{
	round_trip(guide_example);
}
END_TEST

START_TEST(rt_full)
{
	struct config	*c;
	char		*out;

	round_trip(full_config);
	c = parse(full_config);
	out = print_running(c);
	/* a few lines as they must read */
	static const char *const want[] = {
		"hostname sbc1\n!\n",
		"crypto pki trustpoint SBC-RSA\n enrollment url http://ca.example.net/ pem\n",
		" subject-name CN=sbc1.carrier.example.net, O=Example  Carrier\n",
		" revocation-check ocsp crl none\n",
		" rsakeypair sbc1-rsa 2048 1024\n",
		"crypto pki certificate chain SBC-RSA\n!\n",
		" serial-number none\n",
		"  ipv4 0.0.0.0 0.0.0.0\n  ipv4 198.51.100.7 255.255.255.255\n",
		"  ipv6 ::/0\n sip\n  bind control source-interface eth0\n!\n",
		" crypto 1 AEAD_AES_256_GCM\n crypto 3 AES_CM_128_HMAC_SHA1_80\n",
		" cn-san 1 pbx2.enterprise-a.example\n cn-san 2 pbx.enterprise-a.example\n"
		" cn-san strict\n trustpoint SBC-RSA\n sni send\n",
		" backend target ipv4:10.0.0.10:5060 transport tcp proxy-protocol v2\n",
		" backend target ipv6:[2001:db8::20]:5060 transport udp\n",
		" transport tcp tls v1.2 minimum\n listen-port secure 5070\n",
		" crypto signaling default trustpoint SBC-RSA cn-san-validate server\n",
		" description Enterprise  A\n",
		"sipktls\n control-socket /run/sipktls/a.sock\n pki-store /etc/sipktls/pki\n"
		" dataplane threads 8\n connection limit 20000\n!\nend\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(out, want[i]) != NULL, "no \"%s\" in:\n%s",
		    want[i], out);
	free(out);
	config_free(c);
}
END_TEST

START_TEST(print_setup_and_unused)
{
	struct config	*c = parse(full_config);
	char		*out, *buf = NULL;
	size_t		 len;
	FILE		*fp;

	ck_assert_ptr_nonnull(c);
	out = print_setup(c);
	static const char *const want[] = {
		"Listeners:\n"
		"  tenant 0 (sip-ua transport tcp tls): addresses of interface eth0, port 5070\n"
		"  tenant 100: addresses of interface eth1, port 5062\n"
		"  tenant 200: [0.0.0.0]:5063 and [::]:5063\n"
		"Tenants:\n"
		"  tenant 100: listens on addresses of interface eth1, port 5062\n"
		"    tls-profile 10, trustpoint SBC-RSA\n"
		"    sip-server dns:pbx.enterprise-a.example:5061, backend "
		"ipv4:10.0.0.10:5060 over tcp with PROXY v2, backend listen "
		"ipv4:10.0.0.1:5070\n",
		"    sip-server dns:trunk.provider-b.example, backend "
		"ipv6:[2001:db8::20]:5060 over udp, backend listen "
		"ipv6:[2001:db8::1]:5071\n",
		"  tenant 300: no listener\n"
		"    tls-profile none (sip-ua defaults), trustpoint SBC-RSA\n"
		"    sip-server ipv6:[2001:db8::30]:5061, backend none, backend listen none\n",
		"TLS profiles:\ndefault profile (sip-ua)\n  trustpoint          : SBC-RSA\n"
		"  TLS versions        : TLSv1.2 TLSv1.3 (v1.2 minimum)\n"
		"  tls-cipher          : built-in default list\n",
		"tls-profile 10\n  trustpoint          : SBC-RSA\n",
		"  TLSv1.3 suites      : TLS_AES_256_GCM_SHA384\n"
		"  TLSv1.2 and below   : ECDHE-RSA-AES256-GCM-SHA384:AES128-SHA\n"
		"  cn-san validate     : bidirectional\n",
		"  cn-san 1            : pbx2.enterprise-a.example\n"
		"  cn-san 2            : pbx.enterprise-a.example\n"
		"  sni send            : yes\n",
		"Control socket: /run/sipktls/a.sock\nPKI store: /etc/sipktls/pki\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(out, want[i]) != NULL, "no \"%s\" in:\n%s",
		    want[i], out);
	free(out);
	fp = open_memstream(&buf, &len);
	config_print_unused(c, fp);
	fclose(fp);
	ck_assert_str_eq(buf, "Accepted but not acted on by sipktlsd:\n"
	    "  t.conf:16: certificate ca 01\n");
	free(buf);
	config_free(c);
	/* nothing unused, nothing printed */
	c = parse("hostname a\n");
	buf = NULL;
	fp = open_memstream(&buf, &len);
	config_print_unused(c, fp);
	fclose(fp);
	ck_assert_str_eq(buf, "");
	free(buf);
	config_free(c);
}
END_TEST

START_TEST(rt_small_exact)
{
	struct config	*c = parse("voice class tenant 1\n sip-server ipv4:192.0.2.1\n");
	char		*out = print_running(c);

	ck_assert_str_eq(out,
	    "voice class tenant 1\n"
	    " sip-server ipv4:192.0.2.1\n"
	    "!\n"
	    "sip-ua\n"
	    " timers connection aging tls 5\n"
	    "!\n"
	    "sipktls\n"
	    " control-socket /run/sipktls/sipktlsd.sock\n"
	    " pki-store pki\n"
	    " connection limit 10000\n"
	    "!\n"
	    "end\n");
	free(out);
	config_free(c);
}
END_TEST

START_TEST(rt_tls_modes)
{
	static const char *const modes[] = {
		"transport tcp tls", "transport tcp tls v1.0", "transport tcp tls v1.1",
		"transport tcp tls v1.2", "transport tcp tls v1.3",
		"transport tcp tls v1.2 minimum",
	};
	char text[256];

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		snprintf(text, sizeof(text), "sip-ua\n %s\n", modes[i]);
		round_trip(text);
		struct config *c = parse(text);
		char *out = print_running(c);
		snprintf(text, sizeof(text), "sip-ua\n %s\n", modes[i]);
		ck_assert_msg(strncmp(out, text, strlen(text)) == 0, "%s", out);
		free(out);
		config_free(c);
	}
}
END_TEST

START_TEST(rt_empty)
{
	round_trip("");
}
END_TEST

Suite *
suite_semantic(void)
{
	Suite	*s = suite_create("semantic checks");
	TCase	*tc = tcase_create("semantic checks");

	tcase_add_test(tc, sem_undefined_references);
	tcase_add_test(tc, sem_forward_references);
	tcase_add_test(tc, sem_cnsan_needs_entries);
	tcase_add_test(tc, sem_cipher_lists);
	tcase_add_test(tc, sem_cipher_versions_warnings);
	tcase_add_test(tc, sem_listener_collisions);
	tcase_add_test(tc, sem_listener_sni_sharing);
	tcase_add_test(tc, sem_trustpoint_warnings);
	tcase_add_test(tc, sem_tenant_warnings);
	tcase_add_test(tc, sem_dial_peer_warnings);
	tcase_add_test(tc, sem_unused_objects);
	suite_add_tcase(s, tc);
	return s;
}

Suite *
suite_tls_strings(void)
{
	Suite	*s = suite_create("TLS settings");
	TCase	*tc = tcase_create("TLS settings");

	tcase_add_test(tc, tls_versions_by_mode);
	tcase_add_test(tc, tls_profile_cipher_strings);
	tcase_add_test(tc, tls_tables_and_formats);
	suite_add_tcase(s, tc);
	return s;
}

Suite *
suite_guide(void)
{
	Suite	*s = suite_create("guide example");
	TCase	*tc = tcase_create("guide example");

	tcase_add_test(tc, guide_parses_with_its_warnings);
	tcase_add_test(tc, guide_setup_and_header);
	suite_add_tcase(s, tc);
	return s;
}

Suite *
suite_round_trip(void)
{
	Suite	*s = suite_create("running-config round trip");
	TCase	*tc = tcase_create("running-config round trip");

	tcase_add_test(tc, rt_guide);
	tcase_add_test(tc, rt_full);
	tcase_add_test(tc, rt_small_exact);
	tcase_add_test(tc, print_setup_and_unused);
	tcase_add_test(tc, rt_tls_modes);
	tcase_add_test(tc, rt_empty);
	suite_add_tcase(s, tc);
	return s;
}
