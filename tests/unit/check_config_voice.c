/*
 * voice service voip (with its trusted list and sip modes), sip-ua,
 * dial-peer voice and sipktls's own section.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_suites.h"

/* ---- voice service voip ----------------------------------------------- */

static void
assert_trusted(const struct trusted_entry *e, int family, const char *addr,
    unsigned prefix)
{
	struct in6_addr want = { 0 };

	ck_assert_int_eq(e->family, family);
	ck_assert_int_eq(inet_pton(family, addr, &want), 1);
	ck_assert_msg(memcmp(&want, &e->addr, sizeof(want)) == 0,
	    "trusted address is not %s", addr);
	ck_assert_uint_eq(e->prefix, prefix);
}

START_TEST(voip_trusted_list)
{
	struct config *c = OK("voice service voip\n"
	    " ip address trusted list\n"
	    "  ipv4 192.0.2.1\n"
	    "  ipv4 198.51.100.0 255.255.255.0\n"
	    "  ipv4 203.0.113.0/25\n"
	    "  ipv4 0.0.0.0 0.0.0.0\n"
	    "  ipv6 2001:db8::1\n"
	    "  ipv6 2001:db8:20::/48\n"
	    "  ipv4 192.0.2.1 255.255.255.255\n");

	ck_assert_uint_eq(c->ntrusted, 6);
	assert_trusted(&c->trusted[0], AF_INET, "192.0.2.1", 32);
	assert_trusted(&c->trusted[1], AF_INET, "198.51.100.0", 24);
	assert_trusted(&c->trusted[2], AF_INET, "203.0.113.0", 25);
	assert_trusted(&c->trusted[3], AF_INET, "0.0.0.0", 0);
	assert_trusted(&c->trusted[4], AF_INET6, "2001:db8::1", 128);
	assert_trusted(&c->trusted[5], AF_INET6, "2001:db8:20::", 48);
	config_free(c);
	c = OK("voice service voip\n ip address trusted list\n"
	    "  ipv4 192.0.2.1\n  ipv4 198.51.100.0 255.255.255.0\n"
	    "  ipv6 2001:db8::/32\n"
	    "  no ipv4 198.51.100.0/24\n  no ipv6 2001:db8::/32\n");
	ck_assert_uint_eq(c->ntrusted, 1);
	assert_trusted(&c->trusted[0], AF_INET, "192.0.2.1", 32);
	config_free(c);
}
END_TEST

START_TEST(voip_trusted_errors)
{
#define TL(l)	"voice service voip\n ip address trusted list\n  " l "\n"
	BAD(TL("ipv4 192.0.2.0 255.0.255.0"),
	    "t.conf:3: ipv4: mask \"255.0.255.0\" is not contiguous");
	BAD(TL("ipv4 192.0.2.0 24"),
	    "t.conf:3: ipv4: mask \"24\" is not a dotted netmask");
	BAD(TL("ipv4 192.0.2.0/33"), "t.conf:3: prefix length \"33\" out of range 0-32");
	BAD(TL("ipv4 192.0.2.0/"), "t.conf:3: prefix length \"\" is not a number");
	BAD(TL("ipv4 192.0.2.0/24 255.255.255.0"), "t.conf:3: ipv4 192.0.2.0/24: "
	    "give a /LENGTH or a NETMASK, not both");
	BAD(TL("ipv4 192.0.2.300"), "t.conf:3: \"192.0.2.300\" is not an IPv4 address");
	BAD(TL("ipv4 2001:db8::1"), "t.conf:3: \"2001:db8::1\" is not an IPv4 address");
	BAD(TL("ipv6 2001:db8::/129"),
	    "t.conf:3: prefix length \"129\" out of range 0-128");
	BAD(TL("ipv6 192.0.2.1"), "t.conf:3: \"192.0.2.1\" is not an IPv6 address");
	BAD(TL("ipv6 2001:db8::1 64"), "t.conf:3: \"ipv6\": unexpected \"64\" "
	    "(usage: ipv6 PREFIX[/LENGTH])");
	BAD(TL("ipv4 192.0.2.0 255.255.255.0 x"), "t.conf:3: \"ipv4\": unexpected "
	    "\"x\" (usage: ipv4 ADDRESS [NETMASK])");
	BAD(TL("ipv4 11111111111111111111111111111111111111111111111111111111"),
	    "t.conf:3: address \"1111111111111111111111111111111111111111...\" is "
	    "too long (at most 53 characters)");
	BAD(TL("no ipv4 192.0.2.9"), "t.conf:3: 192.0.2.9 is not in the trusted list");
	BAD(TL("ipv4 192.0.2.9/32\n  no ipv4 192.0.2.9 255.255.255.0"),
	    "t.conf:4: 192.0.2.9 is not in the trusted list");
	BAD(TL("no ipv4"), "t.conf:3: \"ipv4\": missing argument (usage: ipv4 "
	    "ADDRESS [NETMASK])");
	BAD(TL("no ipv6"), "t.conf:3: \"ipv6\": missing argument (usage: ipv6 "
	    "PREFIX[/LENGTH])");
	BAD(TL("ipv5 192.0.2.1"),
	    "t.conf:3: unknown command \"ipv5\" in ip address trusted list mode");
#undef TL
}
END_TEST

START_TEST(voip_sip_and_unused)
{
	struct config *c = OK("voice service voip\n"
	    " ip address trusted authenticate\n"
	    " allow-connections sip to sip\n"
	    " mode border-element\n"
	    " media bulk-stats\n"
	    " fax protocol t38\n"
	    " shutdown\n"
	    " no shutdown\n"
	    " sip\n"
	    "  bind control source-interface eth0\n"
	    "  bind media source-interface eth1\n"
	    "  early-offer forced\n"
	    "  session refresh\n"
	    "  header-passing\n"
	    "  error-passthru\n"
	    "  middlebox-enable\n"
	    "  registrar server expires max 600\n"
	    "  srtp negotiate cisco\n");

	ck_assert_str_eq(c->global_bind, "eth0");
	ck_assert_uint_eq(c->nunused, 15);
	ck_assert_str_eq(c->unused[0].text, "ip address trusted authenticate");
	ck_assert_str_eq(c->unused[6].text, "no shutdown");
	ck_assert_str_eq(c->unused[7].text, "bind media source-interface eth1");
	ck_assert_uint_eq(c->unused[14].line, 18);
	config_free(c);
	c = OK("voice service voip\n sip\n  bind all source-interface Gi0/0\n"
	    "voice service voip\n sip\n  no bind control source-interface\n");
	ck_assert_str_eq(c->global_bind, "");
	config_free(c);
	c = OK("voice service voip\n sip\n  bind all source-interface Gi0/0\n");
	ck_assert_str_eq(c->global_bind, "Gi0/0");
	config_free(c);
}
END_TEST

START_TEST(voip_errors)
{
	BAD("voice service voip\n sip\n  bind control eth0 x\n", "t.conf:3: usage: "
	    "bind {control | all} source-interface INTERFACE");
	BAD("voice service voip\n sip\n  bind control source-interface\n",
	    "t.conf:3: usage: bind {control | all} source-interface INTERFACE");
	BAD("voice service voip\n sip\n  bind control\n", "t.conf:3: \"bind\": "
	    "missing argument (usage: bind {control | all} source-interface "
	    "INTERFACE)");
	BAD("voice service voip\n sip\n  frob\n",
	    "t.conf:3: unknown command \"frob\" in voice service voip sip mode");
	BAD("voice service voip\n frob\n",
	    "t.conf:2: unknown command \"frob\" in voice service voip mode");
	BAD("voice service voip\n ip address foo\n", "t.conf:2: incomplete or "
	    "unknown command \"ip address foo\" in voice service voip mode (usage: "
	    "ip address trusted list)");
	BAD("voice service voip\n  ipv4 192.0.2.1\n", "t.conf:2: unknown command "
	    "\"ipv4\" in voice service voip mode");
	BAD("voice service voip\n sip extra\n", "t.conf:2: \"sip\": unexpected "
	    "\"extra\" (usage: sip)");
	BAD("voice service\n", "t.conf:1: incomplete or unknown command \"voice "
	    "service\" in global configuration mode (usage: voice service voip)");
}
END_TEST

/* ---- sip-ua ----------------------------------------------------------- */

START_TEST(sipua_transport_versions)
{
	static const struct {
		const char	*line;
		int		 mode;
		unsigned	 versions;
	} t[] = {
		{ "transport tcp tls", TLSMODE_DEFAULT, 0 },
		{ "transport tcp tls v1.0", TLSMODE_EXCLUSIVE, TLSV_1_0 },
		{ "transport tcp tls v1.1", TLSMODE_EXCLUSIVE, TLSV_1_1 },
		{ "transport tcp tls v1.2", TLSMODE_EXCLUSIVE, TLSV_1_2 },
		{ "transport tcp tls v1.3", TLSMODE_EXCLUSIVE, TLSV_1_3 },
		{ "transport tcp tls v1.2 minimum", TLSMODE_MINIMUM, TLSV_1_2 },
		{ "Transport TCP TLS V1.2 Minimum", TLSMODE_MINIMUM, TLSV_1_2 },
	};
	char text[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), "sip-ua\n %s\n crypto signaling "
		    "default trustpoint TP\ncrypto pki trustpoint TP\n rsakeypair k\n",
		    t[i].line);
		struct config *c = OK(text);
		ck_assert(c->transport_tls);
		ck_assert_uint_eq(c->transport_line, 2);
		ck_assert_int_eq(c->tls_mode, t[i].mode);
		ck_assert_uint_eq(c->tls_versions, t[i].versions);
		config_free(c);
	}
}
END_TEST

START_TEST(sipua_transport_no_and_unused)
{
	struct config *c = OK("sip-ua\n transport tcp tls v1.2\n transport tcp tls\n"
	    " transport tcp\n transport udp\n",
	    "t.conf:3: warning: sip-ua: transport tcp tls without \"crypto signaling "
	    "default trustpoint\": the global listener has no certificate to present");

	/* the last transport tcp tls line replaces the version setting */
	ck_assert(c->transport_tls);
	ck_assert_int_eq(c->tls_mode, TLSMODE_DEFAULT);
	ck_assert_uint_eq(c->transport_line, 3);
	ck_assert_uint_eq(c->nunused, 2);
	ck_assert_str_eq(c->unused[0].text, "transport tcp");
	config_free(c);
	c = OK("sip-ua\n transport tcp tls v1.3\n no transport tcp tls\n");
	ck_assert(!c->transport_tls);
	ck_assert_int_eq(c->tls_mode, TLSMODE_DEFAULT);
	ck_assert_uint_eq(c->tls_versions, 0);
	config_free(c);
}
END_TEST

START_TEST(sipua_transport_errors)
{
#define UA(l)	"sip-ua\n " l "\n"
	BAD(UA("transport tcp tls v1.3 minimum"), "t.conf:2: transport tcp tls v1.3 "
	    "minimum: \"minimum\" is supported only with v1.2");
	BAD(UA("transport tcp tls v1.0 minimum"), "t.conf:2: transport tcp tls v1.0 "
	    "minimum: \"minimum\" is supported only with v1.2");
	BAD(UA("transport tcp tls v1.4"), "t.conf:2: transport tcp tls: unknown "
	    "version \"v1.4\" (v1.0, v1.1, v1.2 [minimum] or v1.3)");
	BAD(UA("transport tcp tls 1.2"), "t.conf:2: transport tcp tls: unknown "
	    "version \"1.2\" (v1.0, v1.1, v1.2 [minimum] or v1.3)");
	BAD(UA("transport tcp tls v1.2 maximum"),
	    "t.conf:2: transport tcp tls v1.2: unexpected \"maximum\"");
	BAD(UA("transport tcp tls v1.2 minimum x"),
	    "t.conf:2: transport tcp tls: unexpected \"x\"");
	BAD(UA("transport tcp tls v1.2 minimum x y"), "t.conf:2: \"transport\": "
	    "unexpected \"y\" (usage: transport {tcp [tls [v1.0 | v1.1 | v1.2 "
	    "[minimum] | v1.3]] | udp})");
	BAD(UA("transport udp tls"),
	    "t.conf:2: transport udp tls: TLS runs over tcp only");
	BAD(UA("transport sctp"), "t.conf:2: transport: \"sctp\" is not tcp or udp");
	BAD(UA("transport tcp foo"), "t.conf:2: transport tcp: unexpected \"foo\"");
	BAD(UA("transport"), "t.conf:2: \"transport\": missing argument (usage: "
	    "transport {tcp [tls [v1.0 | v1.1 | v1.2 [minimum] | v1.3]] | udp})");
	BAD(UA("no transport"), "t.conf:2: \"transport\": missing argument (usage: "
	    "transport {tcp [tls [v1.0 | v1.1 | v1.2 [minimum] | v1.3]] | udp})");
#undef UA
}
END_TEST

START_TEST(sipua_crypto_signaling)
{
	struct config *c = OK("sip-ua\n crypto signaling default trustpoint TP "
	    "cn-san-validate server\n crypto signaling remote-addr 192.0.2.0 "
	    "255.255.255.0 trustpoint TP\ncrypto pki trustpoint TP\n rsakeypair k\n");

	ck_assert_str_eq(c->default_trustpoint, "TP");
	ck_assert_uint_eq(c->default_trustpoint_line, 2);
	ck_assert(c->default_cnsan_server);
	ck_assert_uint_eq(c->nunused, 1);
	config_free(c);
	c = OK("sip-ua\n crypto signaling default trustpoint TP cn-san-validate server\n"
	    " crypto signaling default trustpoint TP\n"
	    "crypto pki trustpoint TP\n rsakeypair k\n");
	ck_assert(!c->default_cnsan_server);
	config_free(c);
	BAD("sip-ua\n crypto signaling default trustpoint TP\n",
	    "t.conf:2: sip-ua crypto signaling: trustpoint TP is not defined");
	c = OK("sip-ua\n crypto signaling default trustpoint TP cn-san-validate server\n"
	    " no crypto signaling default trustpoint\n");
	ck_assert_str_eq(c->default_trustpoint, "");
	ck_assert(!c->default_cnsan_server);
	config_free(c);
	BAD("sip-ua\n crypto signaling default trustpoint\n",
	    "t.conf:2: usage: crypto signaling default trustpoint NAME");
	BAD("sip-ua\n crypto signaling default TP\n",
	    "t.conf:2: usage: crypto signaling default trustpoint NAME");
	BAD("sip-ua\n crypto signaling default trustpoint TP cn-san-validate client\n",
	    "t.conf:2: crypto signaling default trustpoint TP: unexpected "
	    "\"cn-san-validate\"");
	BAD("sip-ua\n crypto signaling default trustpoint TP server\n",
	    "t.conf:2: crypto signaling default trustpoint TP: unexpected \"server\"");
	BAD("sip-ua\n crypto signaling\n", "t.conf:2: \"crypto signaling\": missing "
	    "argument (usage: crypto signaling default trustpoint NAME "
	    "[cn-san-validate server])");
}
END_TEST

START_TEST(sipua_timers_and_port)
{
	struct config *c = OK("sip-ua\n timers connection aging tls 120\n"
	    " timers connection aging tcp 10\n timers expires 180000\n"
	    " listen-port secure 5070\n retry invite 2\n registrar dns:r.example expires 60\n"
	    " remote-party-id\n sip-server dns:proxy.example\n");

	ck_assert_uint_eq(c->aging_tls_minutes, 120);
	ck_assert_uint_eq(c->global_port, 5070);
	ck_assert_uint_eq(c->nunused, 6);
	ck_assert_str_eq(c->unused[0].text, "timers connection aging tcp 10");
	ck_assert_str_eq(c->unused[1].text, "timers expires 180000");
	config_free(c);
	c = OK("sip-ua\n timers connection aging tls 60\n listen-port secure 5070\n"
	    " no timers connection aging tls\n no listen-port secure\n");
	ck_assert_uint_eq(c->aging_tls_minutes, 5);
	ck_assert_uint_eq(c->global_port, 5061);
	config_free(c);
	BAD("sip-ua\n timers connection aging tls 4\n",
	    "t.conf:2: connection aging \"4\" out of range 5-120");
	BAD("sip-ua\n timers connection aging tls 121\n",
	    "t.conf:2: connection aging \"121\" out of range 5-120");
	BAD("sip-ua\n timers connection aging tls\n",
	    "t.conf:2: usage: timers connection aging tls MINUTES");
	BAD("sip-ua\n timers connection aging udp 5\n",
	    "t.conf:2: usage: timers connection aging tls MINUTES");
	BAD("sip-ua\n timers connection aging\n", "t.conf:2: \"timers connection "
	    "aging\": missing argument (usage: timers connection aging tls MINUTES)");
	BAD("sip-ua\n listen-port secure 0\n",
	    "t.conf:2: listen-port \"0\" out of range 1-65535");
	BAD("sip-ua\n listen-port secure 65536\n",
	    "t.conf:2: listen-port \"65536\" out of range 1-65535");
	BAD("sip-ua\n listen-port secure\n", "t.conf:2: usage: listen-port secure PORT");
	BAD("sip-ua\n listen-port non-secure 5060\n",
	    "t.conf:2: usage: listen-port secure PORT");
	BAD("sip-ua\n frob\n", "t.conf:2: unknown command \"frob\" in sip-ua mode");
	BAD("sip-ua\n tls-profile 1\n",
	    "t.conf:2: unknown command \"tls-profile\" in sip-ua mode");
}
END_TEST

/* ---- dial-peer voice -------------------------------------------------- */

START_TEST(dialpeer_every_command)
{
	struct config *c = OK("dial-peer voice 100 VOIP\n"
	    " description Towards  sip.acme.co\n"
	    " destination-pattern +1408555[0-4]..T\n"
	    " session protocol sipv2\n"
	    " session target ipv4:192.0.2.1:5061\n"
	    " session transport tcp tls\n"
	    " voice-class sip tenant 7\n"
	    " voice-class codec 1\n"
	    " dtmf-relay rtp-nte\n"
	    " vad\n"
	    " no vad\n"
	    " codec g711ulaw\n"
	    " incoming called-number 1T\n"
	    " answer-address 1000\n"
	    " translation-profile incoming in1\n"
	    " preference 1\n"
	    " huntstop\n"
	    " srtp\n"
	    " max-conn 10\n"
	    "voice class tenant 7\n");
	const struct dial_peer_config *d = &c->dial_peers[0];

	ck_assert_uint_eq(c->ndial_peers, 1);
	ck_assert_uint_eq(d->tag, 100);
	ck_assert_uint_eq(d->line, 1);
	ck_assert_str_eq(d->description, "Towards  sip.acme.co");
	ck_assert_str_eq(d->destination_pattern, "+1408555[0-4]..T");
	ck_assert(d->sipv2);
	ck_assert_int_eq(d->target_kind, SESSTARGET_ADDR);
	ck_assert_int_eq(d->target.kind, TARGET_IPV4);
	ck_assert_str_eq(d->target.host, "192.0.2.1");
	ck_assert_uint_eq(d->target.port, 5061);
	ck_assert(d->transport_tls);
	ck_assert_uint_eq(d->tenant, 7);
	ck_assert_uint_eq(d->tenant_line, 7);
	ck_assert(c->tenants[0].used);
	ck_assert_uint_eq(c->nunused, 12);
	ck_assert_str_eq(c->unused[0].text, "voice-class codec 1");
	ck_assert_str_eq(c->unused[11].text, "max-conn 10");
	config_free(c);
}
END_TEST

START_TEST(dialpeer_targets_and_no_forms)
{
	struct config *c = OK("dial-peer voice 1 voip\n session target sip-server\n"
	    " voice-class sip tenant 1\n"
	    "dial-peer voice 2 voip\n session target dns:sbc.example.net\n"
	    "voice class tenant 1\n sip-server dns:a.example\n");

	ck_assert_int_eq(c->dial_peers[0].target_kind, SESSTARGET_SIP_SERVER);
	ck_assert_int_eq(c->dial_peers[1].target_kind, SESSTARGET_ADDR);
	ck_assert_int_eq(c->dial_peers[1].target.kind, TARGET_DNS);
	ck_assert_str_eq(c->dial_peers[1].target.host, "sbc.example.net");
	config_free(c);
	c = OK("dial-peer voice 1 voip\n description x\n destination-pattern 1T\n"
	    " session protocol sipv2\n session target ipv6:[2001:db8::1]:5061\n"
	    " session transport tcp tls\n voice-class sip tenant 1\n"
	    " no description\n no destination-pattern\n no session protocol\n"
	    " no session target\n no session transport\n no voice-class sip tenant\n"
	    " session transport udp\n");
	const struct dial_peer_config *d = &c->dial_peers[0];
	ck_assert_str_eq(d->description, "");
	ck_assert_str_eq(d->destination_pattern, "");
	ck_assert(!d->sipv2);
	ck_assert_int_eq(d->target_kind, SESSTARGET_NONE);
	ck_assert(!d->transport_tls);
	ck_assert_uint_eq(d->tenant, 0);
	ck_assert_uint_eq(c->nunused, 1);
	config_free(c);
}
END_TEST

START_TEST(dialpeer_errors)
{
#define DP(l)	"dial-peer voice 1 voip\n " l "\n"
	BAD("dial-peer voice 1 pots\n", "t.conf:1: dial-peer voice 1: sipktlsd "
	    "knows only \"voip\" dial-peers (usage: dial-peer voice TAG voip)");
	BAD("dial-peer voice 1\n", "t.conf:1: dial-peer voice 1: sipktlsd knows "
	    "only \"voip\" dial-peers (usage: dial-peer voice TAG voip)");
	BAD("dial-peer voice 0 voip\n", "t.conf:1: dial-peer \"0\" out of range 1-10000");
	BAD("dial-peer voice 10001 voip\n",
	    "t.conf:1: dial-peer \"10001\" out of range 1-10000");
	BAD("dial-peer voice 1 voip x\n", "t.conf:1: \"dial-peer voice\": "
	    "unexpected \"x\" (usage: dial-peer voice TAG voip)");
	BAD("no dial-peer voice 5 voip\n", "t.conf:1: dial-peer 5 is not defined");
	BAD(DP("destination-pattern 10a0"), "t.conf:2: destination-pattern \"10a0\": "
	    "only digits and the wildcards . T [ ] - ^ $ % ? + * # are allowed");
	BAD(DP("destination-pattern 1000 2000"), "t.conf:2: \"destination-pattern\": "
	    "unexpected \"2000\" (usage: destination-pattern PATTERN)");
	BAD(DP("session protocol sipv3"),
	    "t.conf:2: session protocol: only sipv2 is supported");
	BAD(DP("session protocol"), "t.conf:2: session protocol: only sipv2 is supported");
	BAD(DP("session target"), "t.conf:2: usage: session {protocol sipv2 | target "
	    "{sip-server | dns:HOST[:PORT] | ipv4:ADDRESS[:PORT]} | transport "
	    "{tcp tls | tcp | udp}}");
	BAD(DP("session foo"), "t.conf:2: usage: session {protocol sipv2 | target "
	    "{sip-server | dns:HOST[:PORT] | ipv4:ADDRESS[:PORT]} | transport "
	    "{tcp tls | tcp | udp}}");
	BAD(DP("session target ipv4:192.0.2.1:0"),
	    "t.conf:2: port \"0\" out of range 1-65535");
	BAD(DP("session target dns:bad_host.example"), "t.conf:2: "
	    "\"dns:bad_host.example\": host name \"bad_host.example\" contains a "
	    "character other than letters, digits, '-' and '.'");
	BAD(DP("session transport tls"),
	    "t.conf:2: usage: session transport {tcp tls | tcp | udp}");
	BAD(DP("voice-class sip tenant"), "t.conf:2: usage: voice-class sip tenant TAG");
	BAD(DP("voice-class sip tenant 0"),
	    "t.conf:2: tenant \"0\" out of range 1-10000");
	BAD(DP("frob"), "t.conf:2: unknown command \"frob\" in dial-peer voice mode");
#undef DP
}
END_TEST

START_TEST(dialpeer_reenter_and_delete)
{
	struct config *c = OK("dial-peer voice 1 voip\n description one\n"
	    "dial-peer voice 2 voip\n description two\n"
	    "dial-peer voice 1 voip\n destination-pattern 1T\n"
	    "no dial-peer voice 2 voip\n");

	ck_assert_uint_eq(c->ndial_peers, 1);
	ck_assert_str_eq(c->dial_peers[0].description, "one");
	ck_assert_str_eq(c->dial_peers[0].destination_pattern, "1T");
	config_free(c);
}
END_TEST

/* ---- sipktls ---------------------------------------------------------- */

START_TEST(sipktls_every_command)
{
	struct config *c = OK("sipktls\n control-socket /run/x/ctl.sock\n"
	    " pki-store /etc/x/pki\n dataplane threads 64\n connection limit 1000000\n");

	ck_assert_str_eq(c->control_socket, "/run/x/ctl.sock");
	ck_assert_str_eq(c->pki_store, "/etc/x/pki");
	ck_assert_uint_eq(c->dataplane_threads, 64);
	ck_assert_uint_eq(c->connection_limit, 1000000);
	config_free(c);
	c = OK("sipktls\n control-socket /run/x/ctl.sock\n"
	    " pki-store /etc/x/pki\n dataplane threads 1\n connection limit 1\n"
	    " no control-socket\n no pki-store\n no dataplane threads\n"
	    " no connection limit\n");
	ck_assert_str_eq(c->control_socket, "/run/sipktls/sipktlsd.sock");
	ck_assert_str_eq(c->pki_store, "pki");
	ck_assert_uint_eq(c->dataplane_threads, 0);
	ck_assert_uint_eq(c->connection_limit, 10000);
	config_free(c);
}
END_TEST

START_TEST(sipktls_default_store)
{
	static const struct { const char *name, *store; } t[] = {
		{ "/etc/sipktls/sipktlsd.conf", "/etc/sipktls/pki" },
		{ "conf/a.conf", "conf/pki" },
		{ "/a.conf", "/pki" },
		{ "a.conf", "pki" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct config *c;

		msgs_reset();
		c = config_parse_buffer(t[i].name, "hostname a\n", msgs_report, &msgs);
		ck_assert_ptr_nonnull(c);
		ck_assert_str_eq(c->path, t[i].name);
		ck_assert_str_eq(c->pki_store, t[i].store);
		config_free(c);
	}
	NO_MSGS();
}
END_TEST

START_TEST(sipktls_errors)
{
	char text[512];

	/* sockaddr_un holds 107 characters and the NUL */
	snprintf(text, sizeof(text), "sipktls\n control-socket /%0106d\n", 0);
	struct config *c = OK(text);
	ck_assert_uint_eq(strlen(c->control_socket), 107);
	config_free(c);
	snprintf(text, sizeof(text), "sipktls\n control-socket /%0107d\n", 0);
	BAD(text, "t.conf:2: control-socket \"/000000000000000000000000000000000000000"
	    "...\" is longer than a unix socket path may be (107 characters)");
	snprintf(text, sizeof(text), "sipktls\n pki-store /%0255d\n", 0);
	BAD(text, "t.conf:2: pki-store \"/000000000000000000000000000000000000000...\" "
	    "is too long (at most 255 characters)");
	BAD("sipktls\n dataplane threads 0\n",
	    "t.conf:2: dataplane threads \"0\" out of range 1-64");
	BAD("sipktls\n dataplane threads 65\n",
	    "t.conf:2: dataplane threads \"65\" out of range 1-64");
	BAD("sipktls\n connection limit 0\n",
	    "t.conf:2: connection limit \"0\" out of range 1-1000000");
	BAD("sipktls\n connection limit 1000001\n",
	    "t.conf:2: connection limit \"1000001\" out of range 1-1000000");
	BAD("sipktls\n connection limit many\n",
	    "t.conf:2: connection limit \"many\" is not a number");
	BAD("sipktls\n dataplane\n", "t.conf:2: incomplete or unknown command "
	    "\"dataplane\" in sipktls mode (usage: dataplane threads N)");
	BAD("sipktls\n control-socket\n", "t.conf:2: \"control-socket\": missing "
	    "argument (usage: control-socket PATH)");
	BAD("sipktls\n frob\n", "t.conf:2: unknown command \"frob\" in sipktls mode");
}
END_TEST

START_TEST(sipktls_tls_settings)
{
	struct config	*c = OK("sipktls\n handshake timeout 30\n"
	    " handshake limit per-source 4\n session tickets 0\n"
	    " session ticket-key rotation 24\n"
	    " session ticket-key-file /etc/sipktls/tickets.key\n"
	    " tls security-level 0\n kernel-tls required\n");
	char		*out;

	ck_assert_uint_eq(c->handshake_timeout, 30);
	ck_assert_uint_eq(c->handshake_per_source, 4);
	ck_assert_uint_eq(c->session_tickets, 0);
	ck_assert_uint_eq(c->ticket_rotation_hours, 24);
	ck_assert_str_eq(c->ticket_key_file, "/etc/sipktls/tickets.key");
	ck_assert_int_eq(c->security_level, 0);
	ck_assert_int_eq(c->ktls_mode, KTLS_CONF_REQUIRED);
	out = print_running(c);
	ck_assert_ptr_nonnull(strstr(out, " handshake timeout 30\n"
	    " handshake limit per-source 4\n session tickets 0\n"
	    " session ticket-key rotation 24\n"
	    " session ticket-key-file /etc/sipktls/tickets.key\n"
	    " tls security-level 0\n kernel-tls required\n"));
	free(out);
	config_free(c);
	c = OK("sipktls\n handshake timeout 30\n session tickets 0\n"
	    " tls security-level 1\n kernel-tls off\n session ticket-key-file x\n"
	    " no handshake timeout\n no session tickets\n no tls security-level\n"
	    " no kernel-tls\n no session ticket-key-file\n");
	ck_assert_uint_eq(c->handshake_timeout, 10);
	ck_assert_uint_eq(c->session_tickets, 1);
	ck_assert_int_eq(c->security_level, -1);
	ck_assert_int_eq(c->ktls_mode, KTLS_CONF_PREFERRED);
	ck_assert_str_eq(c->ticket_key_file, "");
	config_free(c);
	BAD("sipktls\n handshake timeout 0\n",
	    "t.conf:2: handshake timeout \"0\" out of range 1-120");
	BAD("sipktls\n session tickets 11\n",
	    "t.conf:2: session tickets \"11\" out of range 0-10");
	BAD("sipktls\n tls security-level 6\n",
	    "t.conf:2: tls security-level \"6\" out of range 0-5");
	BAD("sipktls\n kernel-tls always\n",
	    "t.conf:2: kernel-tls: \"always\" is not off, preferred or required");
	BAD("sipktls\n kernel-tls record-limit 999\n",
	    "t.conf:2: kernel-tls record-limit \"999\" out of range 1000-16777216");
	BAD("sipktls\n kernel-tls record-limit 16777217\n",
	    "t.conf:2: kernel-tls record-limit \"16777217\" out of range 1000-16777216");
}
END_TEST

/* A lower record limit is kept and printed; "no" gives the default back. */
START_TEST(sipktls_ktls_record_limit)
{
	struct config	*c;
	char		*out;

	c = OK("sipktls\n kernel-tls record-limit 5000\n");
	ck_assert_uint_eq(c->ktls_record_limit, 5000);
	out = print_running(c);
	ck_assert_ptr_nonnull(strstr(out, " kernel-tls record-limit 5000\n"));
	free(out);
	config_free(c);
	c = OK("sipktls\n kernel-tls record-limit 5000\n no kernel-tls record-limit\n");
	ck_assert_uint_eq(c->ktls_record_limit, 16777216);
	out = print_running(c);
	ck_assert_ptr_null(strstr(out, "record-limit"));
	free(out);
	config_free(c);
}
END_TEST

START_TEST(sipktls_revocation_settings)
{
	struct config	*c = OK("sipktls\n control-socket /run/x/ctl.sock\n");
	char		*out;

	ck_assert_uint_eq(c->revocation_fetch_timeout, 5);
	ck_assert_uint_eq(c->revocation_wait, 10000);
	out = print_running(c);
	ck_assert_ptr_null(strstr(out, "revocation"));
	free(out);
	config_free(c);
	c = OK("sipktls\n revocation fetch-timeout 2\n revocation wait 0\n");
	ck_assert_uint_eq(c->revocation_fetch_timeout, 2);
	ck_assert_uint_eq(c->revocation_wait, 0);
	out = print_running(c);
	ck_assert_ptr_nonnull(strstr(out, " revocation fetch-timeout 2\n"
	    " revocation wait 0\n"));
	free(out);
	config_free(c);
	c = OK("sipktls\n revocation fetch-timeout 60\n revocation wait 60000\n"
	    " no revocation fetch-timeout\n no revocation wait\n");
	ck_assert_uint_eq(c->revocation_fetch_timeout, 5);
	ck_assert_uint_eq(c->revocation_wait, 10000);
	config_free(c);
	BAD("sipktls\n revocation fetch-timeout 0\n",
	    "t.conf:2: revocation fetch-timeout \"0\" out of range 1-60");
	BAD("sipktls\n revocation fetch-timeout 61\n",
	    "t.conf:2: revocation fetch-timeout \"61\" out of range 1-60");
	BAD("sipktls\n revocation wait 60001\n",
	    "t.conf:2: revocation wait \"60001\" out of range 0-60000");
	BAD("sipktls\n revocation wait soon\n",
	    "t.conf:2: revocation wait \"soon\" is not a number");
	BAD("sipktls\n revocation\n", "t.conf:2: incomplete or unknown command "
	    "\"revocation\" in sipktls mode (usage: revocation fetch-timeout SECONDS)");
}
END_TEST

START_TEST(sipktls_dataplane_limits)
{
	struct config	*c = OK("sipktls\n dataplane threads 2\n");
	char		*out;

	ck_assert_uint_eq(c->dp_max_header, 16384);
	ck_assert_uint_eq(c->dp_max_body, 65536);
	ck_assert_uint_eq(c->dp_wq_bytes, 262144);
	ck_assert_uint_eq(c->dp_wq_msgs, 512);
	ck_assert_uint_eq(c->dp_zc_threshold, 65536);
	ck_assert_uint_eq(c->dp_connect_ms, 5000);
	ck_assert_uint_eq(c->dp_linger_ms, 5000);
	out = print_running(c);
	ck_assert_ptr_null(strstr(out, "dataplane max"));
	ck_assert_ptr_null(strstr(out, "dataplane write"));
	free(out);
	config_free(c);
	c = OK("sipktls\n dataplane max-header-size 1024\n"
	    " dataplane max-body-size 1\n dataplane write-queue bytes 67108864\n"
	    " dataplane write-queue messages 1\n dataplane zero-copy threshold 4096\n"
	    " dataplane backend connect-timeout 100\n"
	    " dataplane close-notify linger 60000\n");
	ck_assert_uint_eq(c->dp_max_header, 1024);
	ck_assert_uint_eq(c->dp_max_body, 1);
	ck_assert_uint_eq(c->dp_wq_bytes, 67108864);
	ck_assert_uint_eq(c->dp_wq_msgs, 1);
	ck_assert_uint_eq(c->dp_zc_threshold, 4096);
	ck_assert_uint_eq(c->dp_connect_ms, 100);
	ck_assert_uint_eq(c->dp_linger_ms, 60000);
	out = print_running(c);
	ck_assert_ptr_nonnull(strstr(out, " dataplane max-header-size 1024\n"
	    " dataplane max-body-size 1\n dataplane write-queue bytes 67108864\n"
	    " dataplane write-queue messages 1\n dataplane zero-copy threshold 4096\n"
	    " dataplane backend connect-timeout 100\n"
	    " dataplane close-notify linger 60000\n"));
	free(out);
	config_free(c);
	c = OK("sipktls\n dataplane max-body-size 10\n dataplane close-notify linger 100\n"
	    " no dataplane max-body-size\n no dataplane close-notify linger\n");
	ck_assert_uint_eq(c->dp_max_body, 65536);
	ck_assert_uint_eq(c->dp_linger_ms, 5000);
	config_free(c);
	BAD("sipktls\n dataplane max-header-size 1023\n",
	    "t.conf:2: dataplane max-header-size \"1023\" out of range 1024-65536");
	BAD("sipktls\n dataplane max-body-size 0\n",
	    "t.conf:2: dataplane max-body-size \"0\" out of range 1-1048576");
	BAD("sipktls\n dataplane write-queue bytes 16383\n",
	    "t.conf:2: dataplane write-queue bytes \"16383\" out of range 16384-67108864");
	BAD("sipktls\n dataplane write-queue messages 65537\n",
	    "t.conf:2: dataplane write-queue messages \"65537\" out of range 1-65536");
	BAD("sipktls\n dataplane zero-copy threshold 1k\n",
	    "t.conf:2: dataplane zero-copy threshold \"1k\" is not a number");
	BAD("sipktls\n dataplane backend connect-timeout 60001\n",
	    "t.conf:2: dataplane backend connect-timeout \"60001\" out of range 100-60000");
	BAD("sipktls\n dataplane close-notify linger 99\n",
	    "t.conf:2: dataplane close-notify linger \"99\" out of range 100-60000");
	BAD("sipktls\n dataplane write-queue\n", "t.conf:2: incomplete or unknown "
	    "command \"dataplane write-queue\" in sipktls mode (usage: dataplane "
	    "write-queue bytes BYTES)");
}
END_TEST

Suite *
suite_voice_service(void)
{
	Suite	*s = suite_create("voice service voip");
	TCase	*tc = tcase_create("voice service voip");

	tcase_add_test(tc, voip_trusted_list);
	tcase_add_test(tc, voip_trusted_errors);
	tcase_add_test(tc, voip_sip_and_unused);
	tcase_add_test(tc, voip_errors);
	suite_add_tcase(s, tc);
	return s;
}

Suite *
suite_sip_ua(void)
{
	Suite	*s = suite_create("sip-ua");
	TCase	*tc = tcase_create("sip-ua");

	tcase_add_test(tc, sipua_transport_versions);
	tcase_add_test(tc, sipua_transport_no_and_unused);
	tcase_add_test(tc, sipua_transport_errors);
	tcase_add_test(tc, sipua_crypto_signaling);
	tcase_add_test(tc, sipua_timers_and_port);
	suite_add_tcase(s, tc);
	return s;
}

Suite *
suite_dial_peer(void)
{
	Suite	*s = suite_create("dial-peer");
	TCase	*tc = tcase_create("dial-peer");

	tcase_add_test(tc, dialpeer_every_command);
	tcase_add_test(tc, dialpeer_targets_and_no_forms);
	tcase_add_test(tc, dialpeer_errors);
	tcase_add_test(tc, dialpeer_reenter_and_delete);
	suite_add_tcase(s, tc);
	return s;
}

Suite *
suite_sipktls(void)
{
	Suite	*s = suite_create("sipktls");
	TCase	*tc = tcase_create("sipktls");

	tcase_add_test(tc, sipktls_every_command);
	tcase_add_test(tc, sipktls_default_store);
	tcase_add_test(tc, sipktls_errors);
	tcase_add_test(tc, sipktls_tls_settings);
	tcase_add_test(tc, sipktls_revocation_settings);
	tcase_add_test(tc, sipktls_dataplane_limits);
	tcase_add_test(tc, sipktls_ktls_record_limit);
	suite_add_tcase(s, tc);
	return s;
}
