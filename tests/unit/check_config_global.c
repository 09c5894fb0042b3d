/*
 * Global configuration mode, the line syntax shared by every mode, and the
 * PKI modes: crypto pki trustpoint and crypto pki certificate chain.
 */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "config_suites.h"

/* ---- global configuration and line syntax ----------------------------- */

START_TEST(global_empty_defaults)
{
	struct config *c = OK("");

	ck_assert_str_eq(c->path, "t.conf");
	ck_assert_str_eq(c->hostname, "");
	ck_assert_str_eq(c->domain_name, "");
	ck_assert(!c->transport_tls);
	ck_assert_int_eq(c->tls_mode, TLSMODE_DEFAULT);
	ck_assert_uint_eq(c->aging_tls_minutes, 5);
	ck_assert_uint_eq(c->global_port, 5061);
	ck_assert_uint_eq(c->connection_limit, 10000);
	ck_assert_uint_eq(c->dataplane_threads, 0);
	ck_assert_str_eq(c->control_socket, "/run/sipktls/sipktlsd.sock");
	ck_assert_str_eq(c->pki_store, "pki");
	ck_assert_str_eq(c->default_trustpoint, "");
	ck_assert_str_eq(c->global_bind, "");
	ck_assert_uint_eq(c->ntrustpoints + c->nciphers + c->nprofiles + c->nsrtps +
	    c->ntenants + c->ndial_peers + c->ntrusted + c->nunused, 0);
	config_free(c);
}
END_TEST

START_TEST(global_load_missing_file)
{
	struct config *c;

	msgs_reset();
	c = config_load("/nonexistent/sipktlsd.conf", msgs_report, &msgs);
	ck_assert_ptr_null(c);
	MSGS("/nonexistent/sipktlsd.conf: No such file or directory");
}
END_TEST

START_TEST(global_comments_and_blank_lines)
{
	struct config *c = OK("! a comment\n# another\n\n   \n\t! indented\n"
	    "hostname r1\n!\n");

	ck_assert_str_eq(c->hostname, "r1");
	ck_assert_uint_eq(c->nunused, 0);
	config_free(c);
}
END_TEST

START_TEST(global_hostname)
{
	struct config *c = OK("hostname cube-1.example.net\n");

	ck_assert_str_eq(c->hostname, "cube-1.example.net");
	config_free(c);
	c = OK("hostname a\nno hostname\n");
	ck_assert_str_eq(c->hostname, "");
	config_free(c);
	c = OK("hostname a\nno hostname a\n");
	ck_assert_str_eq(c->hostname, "");
	config_free(c);
	BAD("hostname bad_name\n", "t.conf:1: hostname \"bad_name\" contains a "
	    "character other than letters, digits, '-' and '.'");
	BAD("hostname\n",
	    "t.conf:1: \"hostname\": missing argument (usage: hostname NAME)");
	BAD("hostname a b\n",
	    "t.conf:1: \"hostname\": unexpected \"b\" (usage: hostname NAME)");
}
END_TEST

START_TEST(global_domain_name)
{
	struct config *c = OK("IP DOMAIN NAME Example.COM\n");

	/* keywords are not case-sensitive; names are kept as written */
	ck_assert_str_eq(c->domain_name, "Example.COM");
	config_free(c);
	c = OK("ip domain-name carrier.example.net.\n");
	ck_assert_str_eq(c->domain_name, "carrier.example.net.");
	config_free(c);
	c = OK("ip domain name a.b\nno ip domain name\n");
	ck_assert_str_eq(c->domain_name, "");
	config_free(c);
	c = OK("ip domain-name a.b\nno ip domain-name\n");
	ck_assert_str_eq(c->domain_name, "");
	config_free(c);
	BAD("ip domain name -bad.com\n",
	    "t.conf:1: domain name \"-bad.com\" has a label starting with '-'");
	BAD("ip domain name bad-.com\n",
	    "t.conf:1: domain name \"bad-.com\" has a label ending in '-'");
	BAD("ip domain name 192.0.2.1\n",
	    "t.conf:1: domain name \"192.0.2.1\" is an IP address, not a domain name");
	BAD("ip domain name\n", "t.conf:1: \"ip domain name\": missing argument "
	    "(usage: ip domain name NAME)");
}
END_TEST

START_TEST(global_running_config_headers)
{
	struct config *c = OK("show running-config brief\n"
	    "Building configuration...\n"
	    "Current configuration : 1234 bytes\n"
	    "!\n"
	    "version 17.9\n"
	    "hostname r1\n");

	ck_assert_uint_eq(c->nunused, 4);
	ck_assert_uint_eq(c->unused[0].line, 1);
	ck_assert_str_eq(c->unused[0].text, "show running-config brief");
	ck_assert_str_eq(c->unused[1].text, "Building configuration...");
	ck_assert_str_eq(c->unused[2].text, "Current configuration : 1234 bytes");
	ck_assert_uint_eq(c->unused[3].line, 5);
	ck_assert_str_eq(c->unused[3].text, "version 17.9");
	config_free(c);
	BAD("version\n", "t.conf:1: \"version\": missing argument (usage: version X)");
}
END_TEST

START_TEST(global_unknown_commands)
{
	BAD("frobnicate now\n",
	    "t.conf:1: unknown command \"frobnicate\" in global configuration mode");
	BAD("no\n", "t.conf:1: unknown command \"no\" in global configuration mode");
	BAD("voice class foo 1\n", "t.conf:1: incomplete or unknown command "
	    "\"voice class foo 1\" in global configuration mode (usage: voice "
	    "class tls-cipher TAG)");
	BAD("crypto pki\n", "t.conf:1: incomplete or unknown command \"crypto pki\" "
	    "in global configuration mode (usage: crypto pki trustpoint NAME)");
	BAD("no sipktls\n", "t.conf:1: \"no sipktls\" is not a command");
	BAD("sipktls now\n",
	    "t.conf:1: \"sipktls\": unexpected \"now\" (usage: sipktls)");
	BAD("sip-ua tls\n", "t.conf:1: \"sip-ua\": unexpected \"tls\" (usage: sip-ua)");
	/* every error in one run, each once */
	BAD("frob\nhostname ok\nfrob2\n",
	    "t.conf:1: unknown command \"frob\" in global configuration mode",
	    "t.conf:3: unknown command \"frob2\" in global configuration mode");
}
END_TEST

START_TEST(global_submode_command_at_top)
{
	BAD("tls-profile 100\n", "t.conf:1: unknown command \"tls-profile\" at top "
	    "level: it belongs in voice class tenant mode (indent it under that "
	    "mode's line)");
	BAD("transport tcp tls\n", "t.conf:1: unknown command \"transport\" at top "
	    "level: it belongs in sip-ua mode (indent it under that mode's line)");
	BAD("ipv4 192.0.2.1\n", "t.conf:1: unknown command \"ipv4\" at top level: "
	    "it belongs in ip address trusted list mode (indent it under that "
	    "mode's line)");
	BAD("control-socket /run/x.sock\n", "t.conf:1: unknown command "
	    "\"control-socket\" at top level: it belongs in sipktls mode (indent "
	    "it under that mode's line)");
	BAD("no fqdn\n", "t.conf:1: unknown command \"fqdn\" at top level: it "
	    "belongs in crypto pki trustpoint mode (indent it under that mode's "
	    "line)");
	/* the tenant's "session transport" does not match; dial-peer's "session" does */
	BAD("session target sip-server\n", "t.conf:1: unknown command \"session\" "
	    "at top level: it belongs in dial-peer voice mode (indent it under "
	    "that mode's line)");
	BAD("session transport tcp tls\n", "t.conf:1: unknown command \"session\" "
	    "at top level: it belongs in voice class tenant mode (indent it under "
	    "that mode's line)");
	/* a global command's keywords win over a sub-mode command's fewer ones */
	BAD("crypto 1 AEAD_AES_256_GCM\n", "t.conf:1: unknown command \"crypto\" "
	    "at top level: it belongs in voice class srtp-crypto mode (indent it "
	    "under that mode's line)");
	BAD("crypto signaling default trustpoint TP\n", "t.conf:1: unknown command "
	    "\"crypto\" at top level: it belongs in sip-ua mode (indent it under "
	    "that mode's line)");
}
END_TEST

START_TEST(global_indentation_leaves_modes)
{
	struct config *c = OK("voice class tenant 1\n"
	    "      listen-port secure 5062\n"
	    "\t\tsip-server dns:a.example\n"
	    "voice class tenant 2\n"
	    "\tlisten-port secure 5063\n"
	    "sip-ua\n"
	    " transport tcp tls\n",
	    "t.conf:7: warning: sip-ua: transport tcp tls without \"crypto signaling "
	    "default trustpoint\": the global listener has no certificate to present",
	    "t.conf:2: warning: tenant 1: no trustpoint (neither in its tls-profile "
	    "nor as sip-ua crypto signaling default trustpoint): its listener has "
	    "no certificate to present",
	    "t.conf:2: warning: tenant 1: no \"backend target\": connections to its "
	    "listener have no SIP backend to reach",
	    "t.conf:5: warning: tenant 2: no trustpoint (neither in its tls-profile "
	    "nor as sip-ua crypto signaling default trustpoint): its listener has "
	    "no certificate to present",
	    "t.conf:5: warning: tenant 2: no \"backend target\": connections to its "
	    "listener have no SIP backend to reach");

	ck_assert_uint_eq(c->ntenants, 2);
	ck_assert_uint_eq(c->tenants[0].listen_port, 5062);
	ck_assert_str_eq(c->tenants[0].sip_server.host, "a.example");
	ck_assert_uint_eq(c->tenants[1].listen_port, 5063);
	ck_assert(c->transport_tls);
	config_free(c);
	/* a line indented no further than its mode's line leaves the mode */
	BAD("  voice class tenant 1\n  listen-port secure 5062\n",
	    "t.conf:2: unknown command \"listen-port\" at top level: it belongs in "
	    "voice class tenant mode (indent it under that mode's line)");
}
END_TEST

START_TEST(global_exit_and_end)
{
	struct config *c = OK("exit\nend\n"
	    "voice service voip\n"
	    " ip address trusted list\n"
	    "  ipv4 192.0.2.1\n"
	    "  exit\n"
	    "  sip\n"
	    "   bind control source-interface eth0\n"
	    "end\n"
	    "hostname r1\n");

	ck_assert_uint_eq(c->ntrusted, 1);
	ck_assert_str_eq(c->global_bind, "eth0");
	ck_assert_str_eq(c->hostname, "r1");
	config_free(c);
	/* after exit, lines are read in the mode left over, whatever their indent */
	BAD("voice class tenant 1\n exit\n tls-profile 2\n",
	    "t.conf:3: unknown command \"tls-profile\" at top level: it belongs in "
	    "voice class tenant mode (indent it under that mode's line)");
	BAD("sip-ua\nend\n transport tcp tls\n",
	    "t.conf:3: unknown command \"transport\" at top level: it belongs in "
	    "sip-ua mode (indent it under that mode's line)");
}
END_TEST

START_TEST(global_case_tabs_crlf)
{
	struct config *c = OK("HOSTNAME R1\r\n"
	    "SIP-UA\r\n"
	    "\tTRANSPORT TCP TLS V1.2\r\n"
	    "\tCRYPTO SIGNALING DEFAULT TRUSTPOINT TP\r\n"
	    "Crypto PKI Trustpoint TP\r\n"
	    " RSAKeypair k\r\n");

	ck_assert_str_eq(c->hostname, "R1");
	ck_assert(c->transport_tls);
	ck_assert_int_eq(c->tls_mode, TLSMODE_EXCLUSIVE);
	ck_assert_uint_eq(c->tls_versions, TLSV_1_2);
	ck_assert_str_eq(c->default_trustpoint, "TP");
	config_free(c);
}
END_TEST

START_TEST(global_words_per_line)
{
	char	 line[400];
	size_t	 n = 0;

	/* 32 words (the limit) are taken, 33 are not */
	n += (size_t)snprintf(line + n, sizeof(line) - n,
	    "dial-peer voice 1 voip\n description");
	for (int i = 0; i < 31; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " w%d", i);
	snprintf(line + n, sizeof(line) - n, "\n");
	struct config *c = OK(line);
	ck_assert_uint_eq(c->ndial_peers, 1);
	ck_assert(strncmp(c->dial_peers[0].description, "w0 w1 w2", 8) == 0);
	config_free(c);
	snprintf(line + n - 1, sizeof(line) - n + 1, " w31\n");
	BAD(line, "t.conf:2: too many words (at most 32)");
}
END_TEST

START_TEST(global_line_length)
{
	char	*text = malloc(2100);
	size_t	 n;

	/* "dial-peer voice 1 voip\n description xxx...": the line is 1023 long */
	n = (size_t)sprintf(text, "dial-peer voice 1 voip\n description ");
	memset(text + n, 'x', 1023 - 13);
	strcpy(text + n + 1023 - 13, "\n");
	struct config *c = parse(text);
	/* the description field is shorter than the line; that is its own error */
	ck_assert_ptr_null(c);
	MSGS("t.conf:2: description \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\" "
	    "is too long (at most 255 characters)");
	/* one more character makes the line itself too long */
	strcpy(text + n + 1023 - 13, "x\nhostname after\n");
	BAD(text, "t.conf:2: line longer than 1023 characters");
	/* a too long line that enters a mode skips the lines under it */
	memset(text, 'v', 1500);
	strcpy(text + 1500, "\n listen-port secure 0\nhostname -bad\n");
	BAD(text, "t.conf:1: line longer than 1023 characters",
	    "t.conf:3: hostname \"-bad\" has a label starting with '-'");
	free(text);
}
END_TEST

START_TEST(global_control_characters)
{
	BAD("hostname a\001b\n", "t.conf:1: control character 0x01 in line");
	BAD("hostname a\177b\n", "t.conf:1: control character 0x7f in line");
	BAD("hostname caf\303\251\n", "t.conf:1: non-ASCII byte 0xc3 in line");
	BAD("hostname a\rb\n", "t.conf:1: control character 0x0d in line");
	/* the rejected line's block is skipped, not reported line by line */
	BAD("voice class tenant 1\002\n tls-profile 0\n listen-port secure 0\n",
	    "t.conf:1: control character 0x02 in line");
	/* tabs are blanks, not control characters */
	struct config *c = OK("hostname\ta\t\n");
	ck_assert_str_eq(c->hostname, "a");
	config_free(c);
}
END_TEST

START_TEST(global_nul_byte)
{
	static const char text[] = "hostname a\0b\nvoice class tenant 1\0\n"
	    " listen-port secure 0\nhostname c\n";
	struct config *c = parse_bytes(text, sizeof(text) - 1);

	ck_assert_ptr_null(c);
	MSGS("t.conf:1: NUL byte in line", "t.conf:2: NUL byte in line");
}
END_TEST

START_TEST(global_error_skips_block)
{
	/* a rejected mode line's sub-commands are not reported one by one */
	BAD("voice class tenant 0\n"
	    " tls-profile 1\n"
	    " listen-port secure 99999\n"
	    "hostname ok\n"
	    "hostname -x\n",
	    "t.conf:1: tenant \"0\" out of range 1-10000",
	    "t.conf:5: hostname \"-x\" has a label starting with '-'");
	/* a rejected sub-command does not hide its siblings' errors */
	BAD("voice class tenant 1\n"
	    " listen-port secure 0\n"
	    " tls-profile 0\n",
	    "t.conf:2: listen-port \"0\" out of range 1-65535",
	    "t.conf:3: tls-profile \"0\" out of range 1-10000");
	/* semantic checks run only on a file without syntax errors */
	BAD("voice class tenant 1\n tls-profile 9\nhostname -x\n",
	    "t.conf:3: hostname \"-x\" has a label starting with '-'");
}
END_TEST

START_TEST(global_voice_class_unused_blocks)
{
	struct config *c = OK("voice class codec 1\n"
	    " codec preference 1 g711ulaw\n"
	    " codec preference 2 g729r8\n"
	    "voice class sip-profiles 5\n"
	    " request INVITE sip-header From modify \"a\" \"b\"\n"
	    "no voice class codec 1\n"
	    "hostname r1\n");

	ck_assert_uint_eq(c->nunused, 6);
	ck_assert_str_eq(c->unused[0].text, "voice class codec 1");
	ck_assert_str_eq(c->unused[1].text, "codec preference 1 g711ulaw");
	ck_assert_uint_eq(c->unused[4].line, 5);
	ck_assert_str_eq(c->unused[5].text, "no voice class codec 1");
	ck_assert_str_eq(c->hostname, "r1");
	config_free(c);
	BAD("voice class codec 0\n",
	    "t.conf:1: voice class \"0\" out of range 1-10000");
	BAD("voice class codec x\n",
	    "t.conf:1: voice class \"x\" is not a number");
	BAD("no voice class codec\n", "t.conf:1: \"voice class codec\": missing "
	    "argument (usage: voice class codec TAG)");
}
END_TEST

START_TEST(global_keyed_no_needs_key)
{
	BAD("no voice class tenant\n", "t.conf:1: \"voice class tenant\": missing "
	    "argument (usage: voice class tenant TAG)");
	BAD("no voice class tls-profile\n", "t.conf:1: \"voice class tls-profile\": "
	    "missing argument (usage: voice class tls-profile TAG)");
	BAD("no voice class tls-cipher\n", "t.conf:1: \"voice class tls-cipher\": "
	    "missing argument (usage: voice class tls-cipher TAG)");
	BAD("no voice class srtp-crypto\n", "t.conf:1: \"voice class srtp-crypto\": "
	    "missing argument (usage: voice class srtp-crypto TAG)");
	BAD("no crypto pki trustpoint\n", "t.conf:1: \"crypto pki trustpoint\": "
	    "missing argument (usage: crypto pki trustpoint NAME)");
	BAD("no crypto pki certificate chain\n", "t.conf:1: \"crypto pki "
	    "certificate chain\": missing argument (usage: crypto pki certificate "
	    "chain NAME)");
	BAD("no dial-peer voice\n", "t.conf:1: \"dial-peer voice\": missing "
	    "argument (usage: dial-peer voice TAG voip)");
	BAD("no voice class sip-profiles\n", "t.conf:1: \"voice class "
	    "sip-profiles\": missing argument (usage: voice class sip-profiles TAG)");
}
END_TEST

START_TEST(global_no_mode_lines)
{
	/* "no voice service voip" and "no sip-ua" are accepted and change nothing */
	struct config *c = OK("sip-ua\n transport tcp tls\n listen-port secure 5070\n"
	    "no sip-ua\nno voice service voip\n",
	    "t.conf:2: warning: sip-ua: transport tcp tls without \"crypto "
	    "signaling default trustpoint\": the global listener has no "
	    "certificate to present");

	ck_assert(c->transport_tls);
	ck_assert_uint_eq(c->global_port, 5070);
	config_free(c);
}
END_TEST

/* ---- crypto pki trustpoint -------------------------------------------- */

#define USE_TP	"sip-ua\n crypto signaling default trustpoint TP\n"

START_TEST(tp_every_command)
{
	struct config *c = OK("crypto pki trustpoint TP\n"
	    " enrollment url http://ca.example.com:80 pem\n"
	    " fqdn cube.example.com\n"
	    " subject-name CN=cube.example.com, O=Example  Inc\n"
	    " subject-alt-name alt.example.com\n"
	    " serial-number\n"
	    " ip-address 192.0.2.1\n"
	    " revocation-check ocsp crl none\n"
	    " crl query http://crl.example.com/ca.crl\n"
	    " ocsp url http://ocsp.example.com/\n"
	    " rsakeypair cubekey 2048 1024\n"
	    " password s3cret  two\n"
	    " auto-enroll 70 regenerate\n"
	    " usage ssl-server\n"
	    USE_TP);
	struct trustpoint_config *tp;

	ck_assert_uint_eq(c->ntrustpoints, 1);
	tp = config_trustpoint(c, "TP");
	ck_assert_ptr_nonnull(tp);
	ck_assert_ptr_null(config_trustpoint(c, "tp"));
	ck_assert_uint_eq(tp->line, 1);
	ck_assert_int_eq(tp->enrollment, ENROLL_URL);
	ck_assert_str_eq(tp->enroll_url, "http://ca.example.com:80");
	ck_assert(tp->enroll_pem);
	ck_assert_str_eq(tp->fqdn, "cube.example.com");
	ck_assert_str_eq(tp->subject_name, "CN=cube.example.com, O=Example  Inc");
	ck_assert_str_eq(tp->subject_alt_name, "alt.example.com");
	ck_assert(tp->serial_number);
	ck_assert(tp->serial_number_set);
	ck_assert_str_eq(tp->ip_address, "192.0.2.1");
	ck_assert_int_eq(tp->revocation[0], REVOKE_OCSP);
	ck_assert_int_eq(tp->revocation[1], REVOKE_CRL);
	ck_assert_int_eq(tp->revocation[2], REVOKE_NONE);
	ck_assert_str_eq(tp->crl_url, "http://crl.example.com/ca.crl");
	ck_assert_str_eq(tp->ocsp_url, "http://ocsp.example.com/");
	ck_assert_int_eq(tp->key_type, KEY_RSA);
	ck_assert_str_eq(tp->key_label, "cubekey");
	ck_assert_uint_eq(tp->key_size, 2048);
	ck_assert_uint_eq(tp->enc_key_size, 1024);
	ck_assert_str_eq(tp->password, "s3cret  two");
	ck_assert(!tp->has_chain);
	ck_assert(tp->used);
	ck_assert_uint_eq(c->nunused, 2);
	ck_assert_uint_eq(c->unused[0].line, 13);
	ck_assert_str_eq(c->unused[0].text, "auto-enroll 70 regenerate");
	ck_assert_str_eq(c->unused[1].text, "usage ssl-server");
	ck_assert_str_eq(c->default_trustpoint, "TP");
	config_free(c);
}
END_TEST

START_TEST(tp_no_forms_clear)
{
	struct config *c = OK("crypto pki trustpoint TP\n"
	    " enrollment terminal pem\n"
	    " fqdn cube.example.com\n"
	    " subject-name CN=x\n"
	    " subject-alt-name alt.example.com\n"
	    " serial-number none\n"
	    " ip-address eth0\n"
	    " revocation-check crl\n"
	    " crl query http://crl.example.com/ca.crl\n"
	    " ocsp url http://ocsp.example.com/\n"
	    " eckeypair ec1\n"
	    " password p\n"
	    " no enrollment\n"
	    " no fqdn\n"
	    " no subject-name\n"
	    " no subject-alt-name\n"
	    " no serial-number\n"
	    " no ip-address\n"
	    " no revocation-check\n"
	    " no crl\n"
	    " no ocsp url\n"
	    " no password\n"
	    " no auto-enroll\n"
	    " no usage ssl-server\n"
	    " rsakeypair k\n"
	    USE_TP);
	struct trustpoint_config *tp = &c->trustpoints[0];

	ck_assert_int_eq(tp->enrollment, ENROLL_UNSET);
	ck_assert_str_eq(tp->enroll_url, "");
	ck_assert_str_eq(tp->fqdn, "");
	ck_assert_str_eq(tp->subject_name, "");
	ck_assert_str_eq(tp->subject_alt_name, "");
	ck_assert(!tp->serial_number_set);
	ck_assert(!tp->serial_number);
	ck_assert_str_eq(tp->ip_address, "");
	ck_assert_int_eq(tp->revocation[0], REVOKE_NONE_SET);
	ck_assert_str_eq(tp->crl_url, "");
	ck_assert_str_eq(tp->ocsp_url, "");
	ck_assert_str_eq(tp->password, "");
	ck_assert_int_eq(tp->key_type, KEY_RSA);
	ck_assert_str_eq(tp->key_label, "k");
	ck_assert_uint_eq(tp->key_size, 0);
	config_free(c);
	c = OK("crypto pki trustpoint TP\n rsakeypair k 2048\n no rsakeypair\n"
	    USE_TP, "t.conf:5: warning: sip-ua crypto signaling: trustpoint TP has "
	    "no rsakeypair or eckeypair, so it cannot hold a certificate");
	ck_assert_int_eq(c->trustpoints[0].key_type, KEY_UNSET);
	ck_assert_str_eq(c->trustpoints[0].key_label, "");
	config_free(c);
	c = OK("crypto pki trustpoint TP\n eckeypair e\n no eckeypair\n"
	    " fqdn a.b\n fqdn none\n ip-address 192.0.2.9\n ip-address none\n" USE_TP,
	    "t.conf:9: warning: sip-ua crypto signaling: trustpoint TP has "
	    "no rsakeypair or eckeypair, so it cannot hold a certificate");
	ck_assert_int_eq(c->trustpoints[0].key_type, KEY_UNSET);
	ck_assert_str_eq(c->trustpoints[0].fqdn, "");
	ck_assert_str_eq(c->trustpoints[0].ip_address, "");
	config_free(c);
}
END_TEST

START_TEST(tp_enrollment)
{
	struct config *c = OK("crypto pki trustpoint TP\n enrollment terminal\n"
	    " rsakeypair k\n" USE_TP);

	ck_assert_int_eq(c->trustpoints[0].enrollment, ENROLL_TERMINAL);
	ck_assert(!c->trustpoints[0].enroll_pem);
	config_free(c);
	c = OK("crypto pki trustpoint TP\n enrollment url http://a/ pem\n"
	    " enrollment terminal\n enrollment mode ra\n enrollment retry count 3\n"
	    " rsakeypair k\n" USE_TP);
	ck_assert_int_eq(c->trustpoints[0].enrollment, ENROLL_TERMINAL);
	ck_assert(!c->trustpoints[0].enroll_pem);
	ck_assert_uint_eq(c->nunused, 2);
	ck_assert_str_eq(c->unused[0].text, "enrollment mode ra");
	ck_assert_str_eq(c->unused[1].text, "enrollment retry count 3");
	config_free(c);
	c = OK("crypto pki trustpoint TP\n enrollment url terminal pem\n"
	    " rsakeypair k\n" USE_TP, "t.conf:2: warning: \"enrollment url "
	    "terminal\": \"terminal\" is not a URL; taken as \"enrollment terminal\"");
	ck_assert_int_eq(c->trustpoints[0].enrollment, ENROLL_TERMINAL);
	ck_assert(c->trustpoints[0].enroll_pem);
	config_free(c);
	BAD("crypto pki trustpoint TP\n enrollment foo\n", "t.conf:2: usage: "
	    "enrollment {terminal [pem] | url URL [pem]}");
	BAD("crypto pki trustpoint TP\n enrollment url\n", "t.conf:2: usage: "
	    "enrollment {terminal [pem] | url URL [pem]}");
	BAD("crypto pki trustpoint TP\n enrollment terminal foo\n",
	    "t.conf:2: enrollment: unexpected \"foo\"");
	BAD("crypto pki trustpoint TP\n enrollment url http://a/ pem pem\n",
	    "t.conf:2: enrollment: unexpected \"pem\"");
	BAD("crypto pki trustpoint TP\n enrollment\n", "t.conf:2: \"enrollment\": "
	    "missing argument (usage: enrollment {terminal [pem] | url URL [pem]})");
}
END_TEST

START_TEST(tp_names_and_addresses)
{
	BAD("crypto pki trustpoint TP\n fqdn 10.0.0.1\n",
	    "t.conf:2: fqdn \"10.0.0.1\" is an IP address, not a domain name");
	BAD("crypto pki trustpoint TP\n fqdn a_b.example\n", "t.conf:2: fqdn "
	    "\"a_b.example\" contains a character other than letters, digits, "
	    "'-' and '.'");
	BAD("crypto pki trustpoint TP\n subject-alt-name a..b\n", "t.conf:2: "
	    "subject-alt-name \"a..b\" has an empty label or one longer than 63 "
	    "characters");
	BAD("crypto pki trustpoint TP\n subject-name cube example\n", "t.conf:2: "
	    "subject-name \"cube example\" is not an X.500 name (write e.g. "
	    "CN=cube.example.com,O=Example)");
	BAD("crypto pki trustpoint TP\n ip-address foo bar\n",
	    "t.conf:2: ip-address \"foo\" is not an IPv4 address");
	BAD("crypto pki trustpoint TP\n ip-address 192.0.2.1 eth0 x\n",
	    "t.conf:2: \"ip-address\": unexpected \"x\" (usage: ip-address "
	    "{ADDRESS [INTERFACE] | INTERFACE | none})");
	BAD("crypto pki trustpoint TP\n ocsp url ftp://ocsp.example.com\n",
	    "t.conf:2: ocsp url \"ftp://ocsp.example.com\" is not an http:// URL");
	BAD("crypto pki trustpoint TP\n ocsp\n", "t.conf:2: incomplete or unknown "
	    "command \"ocsp\" in crypto pki trustpoint mode (usage: ocsp url URL)");
	BAD("crypto pki trustpoint TP\n crl foo\n",
	    "t.conf:2: usage: crl query {URL|FILE}");
	BAD("crypto pki trustpoint TP\n crl query\n",
	    "t.conf:2: usage: crl query {URL|FILE}");
	BAD("crypto pki trustpoint TP\n serial-number foo\n", "t.conf:2: "
	    "serial-number: unexpected \"foo\" (usage: serial-number [none])");

	struct config *c = OK("crypto pki trustpoint TP\n ip-address 192.0.2.7 "
	    "GigabitEthernet0/0/0\n crl\n rsakeypair k\n" USE_TP);
	ck_assert_str_eq(c->trustpoints[0].ip_address, "192.0.2.7");
	ck_assert_uint_eq(c->nunused, 1);
	ck_assert_str_eq(c->unused[0].text, "crl");
	config_free(c);
	c = OK("crypto pki trustpoint TP\n ip-address GigabitEthernet0/0/0\n"
	    " rsakeypair k\n" USE_TP);
	ck_assert_str_eq(c->trustpoints[0].ip_address, "GigabitEthernet0/0/0");
	config_free(c);
}
END_TEST

START_TEST(tp_keypairs)
{
	struct config *c = OK("crypto pki trustpoint TP\n rsakeypair k 4096\n" USE_TP);

	ck_assert_uint_eq(c->trustpoints[0].key_size, 4096);
	ck_assert_uint_eq(c->trustpoints[0].enc_key_size, 0);
	config_free(c);
	c = OK("crypto pki trustpoint TP\n rsakeypair cube kp1\n" USE_TP,
	    "t.conf:2: warning: rsakeypair: key size \"kp1\" is not a number; "
	    "ignored (the existing key's size is used)");
	ck_assert_str_eq(c->trustpoints[0].key_label, "cube");
	ck_assert_uint_eq(c->trustpoints[0].key_size, 0);
	config_free(c);
	/* an eckeypair replaces an rsakeypair, and the other way round */
	c = OK("crypto pki trustpoint TP\n rsakeypair k 2048 2048\n eckeypair e\n"
	    USE_TP);
	ck_assert_int_eq(c->trustpoints[0].key_type, KEY_EC);
	ck_assert_str_eq(c->trustpoints[0].key_label, "e");
	ck_assert_uint_eq(c->trustpoints[0].key_size, 0);
	ck_assert_uint_eq(c->trustpoints[0].enc_key_size, 0);
	config_free(c);
	BAD("crypto pki trustpoint TP\n rsakeypair k 100\n",
	    "t.conf:2: RSA key size \"100\" out of range 512-4096");
	BAD("crypto pki trustpoint TP\n rsakeypair k 2048 8192\n",
	    "t.conf:2: RSA key size \"8192\" out of range 512-4096");
	BAD("crypto pki trustpoint TP\n rsakeypair k 2048x\n",
	    "t.conf:2: RSA key size \"2048x\" is not a number");
	BAD("crypto pki trustpoint TP\n rsakeypair k 1 2 3\n", "t.conf:2: "
	    "\"rsakeypair\": unexpected \"3\" (usage: rsakeypair LABEL [SIZE "
	    "[ENCRYPTION-SIZE]])");
	BAD("crypto pki trustpoint TP\n eckeypair\n", "t.conf:2: \"eckeypair\": "
	    "missing argument (usage: eckeypair LABEL)");
	BAD("crypto pki trustpoint TP\n rsakeypair "
	    "k234567890123456789012345678901234567890123456789012345678901234 2048\n",
	    "t.conf:2: key label \"k234567890123456789012345678901234567890...\" is "
	    "too long (at most 63 characters)");
}
END_TEST

START_TEST(tp_revocation_check)
{
	struct config *c = OK("crypto pki trustpoint TP\n revocation-check crl none\n"
	    " revocation-check none\n rsakeypair k\n" USE_TP);

	/* the last line replaces the whole list */
	ck_assert_int_eq(c->trustpoints[0].revocation[0], REVOKE_NONE);
	ck_assert_int_eq(c->trustpoints[0].revocation[1], REVOKE_NONE_SET);
	config_free(c);
	BAD("crypto pki trustpoint TP\n revocation-check foo\n", "t.conf:2: "
	    "revocation-check: unknown method \"foo\" (crl, ocsp or none)");
	BAD("crypto pki trustpoint TP\n revocation-check crl crl\n",
	    "t.conf:2: revocation-check: method \"crl\" given twice");
	BAD("crypto pki trustpoint TP\n revocation-check none ocsp\n",
	    "t.conf:2: revocation-check: \"ocsp\" after \"none\" can never be used");
	BAD("crypto pki trustpoint TP\n revocation-check crl ocsp none crl\n",
	    "t.conf:2: \"revocation-check\": unexpected \"crl\" (usage: "
	    "revocation-check METHOD [METHOD [METHOD]] (crl, ocsp, none))");
	BAD("crypto pki trustpoint TP\n revocation-check\n",
	    "t.conf:2: \"revocation-check\": missing argument (usage: "
	    "revocation-check METHOD [METHOD [METHOD]] (crl, ocsp, none))");
}
END_TEST

START_TEST(tp_reenter_delete_and_names)
{
	struct config *c = OK("crypto pki trustpoint TP\n rsakeypair k\n"
	    "crypto pki trustpoint tp\n eckeypair e\n"
	    "crypto pki trustpoint TP\n fqdn a.example\n" USE_TP,
	    "t.conf:3: warning: trustpoint tp is not used by any tls-profile or "
	    "as the default");

	/* re-entering edits; names are case-sensitive */
	ck_assert_uint_eq(c->ntrustpoints, 2);
	ck_assert_uint_eq(c->trustpoints[0].line, 1);
	ck_assert_str_eq(c->trustpoints[0].key_label, "k");
	ck_assert_str_eq(c->trustpoints[0].fqdn, "a.example");
	ck_assert_int_eq(c->trustpoints[1].key_type, KEY_EC);
	config_free(c);
	c = OK("crypto pki trustpoint A\n rsakeypair a\n"
	    "crypto pki trustpoint TP\n rsakeypair k\n"
	    "no crypto pki trustpoint A\n" USE_TP);
	ck_assert_uint_eq(c->ntrustpoints, 1);
	ck_assert_str_eq(c->trustpoints[0].name, "TP");
	ck_assert_ptr_null(config_trustpoint(c, "A"));
	config_free(c);
	BAD("no crypto pki trustpoint X\n", "t.conf:1: trustpoint X is not defined");
	/* 63 characters are a name, 64 are not */
	c = OK("crypto pki trustpoint "
	    "T23456789012345678901234567890123456789012345678901234567890123\n"
	    " rsakeypair k\n",
	    "t.conf:1: warning: trustpoint "
	    "T23456789012345678901234567890123456789012345678901234567890123 is "
	    "not used by any tls-profile or as the default");
	config_free(c);
	BAD("crypto pki trustpoint "
	    "T234567890123456789012345678901234567890123456789012345678901234\n"
	    " rsakeypair k\n",
	    "t.conf:1: trustpoint name \"T234567890123456789012345678901234567890..."
	    "\" is too long (at most 63 characters)");
	BAD("crypto pki trustpoint A B\n", "t.conf:1: \"crypto pki trustpoint\": "
	    "unexpected \"B\" (usage: crypto pki trustpoint NAME)");
	BAD("crypto pki trustpoint TP\n frob\n",
	    "t.conf:2: unknown command \"frob\" in crypto pki trustpoint mode");
	BAD("crypto pki trustpoint TP\n cipher 1 AES128_GCM_SHA256\n",
	    "t.conf:2: unknown command \"cipher\" in crypto pki trustpoint mode");
}
END_TEST

/* ---- crypto pki certificate chain ------------------------------------- */

START_TEST(chain_with_certificates)
{
	struct config *c = OK("crypto pki trustpoint TP\n rsakeypair k\n"
	    "crypto pki certificate chain TP\n"
	    " certificate ca 01\n"
	    "  30820122 300D0609 2A864886 F70D0101\n"
	    "  0101 0500\n"
	    "  \tquit\n"
	    " certificate 07\n"
	    "  ABCDEF\n"
	    "  quit\n"
	    " no certificate 08\n"
	    USE_TP);

	ck_assert(c->trustpoints[0].has_chain);
	ck_assert_uint_eq(c->nunused, 3);
	ck_assert_str_eq(c->unused[0].text, "certificate ca 01");
	ck_assert_str_eq(c->unused[1].text, "certificate 07");
	ck_assert_str_eq(c->unused[2].text, "no certificate 08");
	config_free(c);
	/* the guide's shape: no data, and the next top-level line ends it */
	c = OK("crypto pki trustpoint TP\n rsakeypair k\n"
	    "crypto pki certificate chain TP\n certificate 07\n!\n" USE_TP);
	ck_assert(c->trustpoints[0].has_chain);
	config_free(c);
	c = OK("crypto pki trustpoint TP\n rsakeypair k\n"
	    "crypto pki certificate chain TP\n certificate 07\n"
	    "no crypto pki certificate chain TP\n" USE_TP);
	ck_assert(!c->trustpoints[0].has_chain);
	config_free(c);
}
END_TEST

START_TEST(chain_errors)
{
	BAD("crypto pki certificate chain TP\n certificate 07\n",
	    "t.conf:1: certificate chain TP: trustpoint TP is not defined (define "
	    "\"crypto pki trustpoint TP\" first)");
	/* the chain must follow its trustpoint */
	BAD("crypto pki certificate chain TP\ncrypto pki trustpoint TP\n rsakeypair k\n",
	    "t.conf:1: certificate chain TP: trustpoint TP is not defined (define "
	    "\"crypto pki trustpoint TP\" first)");
	BAD("no crypto pki certificate chain TP\n",
	    "t.conf:1: certificate chain TP: trustpoint TP is not defined (define "
	    "\"crypto pki trustpoint TP\" first)");
	BAD("crypto pki trustpoint TP\ncrypto pki certificate chain TP\n"
	    " certificate 0x7\n",
	    "t.conf:3: certificate serial \"0x7\" is not hexadecimal");
	BAD("crypto pki trustpoint TP\ncrypto pki certificate chain TP\n"
	    " certificate ca\n", "t.conf:3: usage: certificate [ca] SERIAL");
	BAD("crypto pki trustpoint TP\ncrypto pki certificate chain TP\n"
	    " certificate self-signed 01\n", "t.conf:3: usage: certificate [ca] SERIAL");
	BAD("crypto pki trustpoint TP\ncrypto pki certificate chain TP\n"
	    " certificate\n", "t.conf:3: \"certificate\": missing argument (usage: "
	    "certificate [ca] SERIAL)");
	BAD("crypto pki trustpoint TP\ncrypto pki certificate chain TP\n"
	    " no certificate\n", "t.conf:3: \"certificate\": missing argument "
	    "(usage: certificate [ca] SERIAL)");
	BAD("crypto pki trustpoint TP\ncrypto pki certificate chain TP\n"
	    " certificate ca 01\n  30820122 300D0609 GHIJKLMN 2A864886 F70D0101\n"
	    "  quit\n",
	    "t.conf:4: certificate data \"30820122 300D0609 GH\" is not hexadecimal "
	    "(end the certificate with \"quit\")");
	BAD("crypto pki trustpoint TP\ncrypto pki certificate chain TP\n"
	    " frob\n", "t.conf:3: unknown command \"frob\" in crypto pki "
	    "certificate chain mode");
	/* "quit" ends the data; a second one is not a chain command */
	BAD("crypto pki trustpoint TP\ncrypto pki certificate chain TP\n"
	    " certificate 01\n  AB\n  quit\n  quit\n", "t.conf:6: unknown command "
	    "\"quit\" in crypto pki certificate chain mode");
}
END_TEST

Suite *
suite_global(void)
{
	Suite	*s = suite_create("global");
	TCase	*tc = tcase_create("global");

	tcase_add_test(tc, global_empty_defaults);
	tcase_add_test(tc, global_load_missing_file);
	tcase_add_test(tc, global_comments_and_blank_lines);
	tcase_add_test(tc, global_hostname);
	tcase_add_test(tc, global_domain_name);
	tcase_add_test(tc, global_running_config_headers);
	tcase_add_test(tc, global_unknown_commands);
	tcase_add_test(tc, global_submode_command_at_top);
	tcase_add_test(tc, global_indentation_leaves_modes);
	tcase_add_test(tc, global_exit_and_end);
	tcase_add_test(tc, global_case_tabs_crlf);
	tcase_add_test(tc, global_words_per_line);
	tcase_add_test(tc, global_line_length);
	tcase_add_test(tc, global_control_characters);
	tcase_add_test(tc, global_nul_byte);
	tcase_add_test(tc, global_error_skips_block);
	tcase_add_test(tc, global_voice_class_unused_blocks);
	tcase_add_test(tc, global_keyed_no_needs_key);
	tcase_add_test(tc, global_no_mode_lines);
	suite_add_tcase(s, tc);
	return s;
}

Suite *
suite_trustpoint(void)
{
	Suite	*s = suite_create("trustpoint");
	TCase	*tc = tcase_create("trustpoint");

	tcase_add_test(tc, tp_every_command);
	tcase_add_test(tc, tp_no_forms_clear);
	tcase_add_test(tc, tp_enrollment);
	tcase_add_test(tc, tp_names_and_addresses);
	tcase_add_test(tc, tp_keypairs);
	tcase_add_test(tc, tp_revocation_check);
	tcase_add_test(tc, tp_reenter_delete_and_names);
	suite_add_tcase(s, tc);
	return s;
}

Suite *
suite_chain(void)
{
	Suite	*s = suite_create("chain");
	TCase	*tc = tcase_create("chain");

	tcase_add_test(tc, chain_with_certificates);
	tcase_add_test(tc, chain_errors);
	suite_add_tcase(s, tc);
	return s;
}
