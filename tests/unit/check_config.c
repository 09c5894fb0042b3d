/*
 * Unit tests of the configuration language: one suite per mode, the
 * semantic checks, the guide's example, the running-config round trip and
 * robustness against malformed input. Each test parses a small file and
 * asserts what it stores and the exact messages it reports.
 */
#include "autoconf.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_suites.h"

struct msgs msgs;

const char guide_example[] =
	"ip domain name example.com\n"
	"!\n"
	"crypto pki trustpoint CUBE-TrustPoint\n"
	" enrollment terminal\n"
	" fqdn cube.example.com\n"
	" subject-name cn=cube.example.com\n"
	" subject-alt-name cube.example.com\n"
	" revocation-check crl\n"
	" rsakeypair cube kp1\n"
	"!\n"
	"crypto pki certificate chain CUBE-TrustPoint\n"
	" certificate 07\n"
	"!\n"
	"voice class tenant 100\n"
	" tls-profile 100\n"
	" listen-port secure 5080\n"
	" sip-server dns:sip.acme.co:5080\n"
	" srtp-crypto 100\n"
	" session transport tcp tls\n"
	" url sips\n"
	" bind control source-interface GigabitEthernet0/0/0\n"
	" bind media source-interface GigabitEthernet0/0/0\n"
	"!\n"
	"voice class srtp-crypto 100 \n"
	" crypto 1 AEAD_AES_256_GCM\n"
	" crypto 2 AES_CM_128_HMAC_SHA1_80\n"
	"!\n"
	"voice class tls-cipher 100\n"
	" cipher 1 DHE_RSA_AES128_GCM_SHA256\n"
	"!\n"
	"voice class tls-profile 100\n"
	" cipher 100\n"
	" cn-san validate bidirectional\n"
	" cn-san 1 sip.acme.co\n"
	" trustpoint CUBE-TrustPoint\n"
	"!\n"
	"dial-peer voice 100 voip\n"
	" description Towards sip.acme.co\n"
	" destination-pattern 1000\n"
	" session protocol sipv2\n"
	" session target sip-server\n"
	" voice-class codec 1\n"
	" voice-class sip tenant 100\n"
	" dtmf-relay rtp-nte\n"
	" no vad\n"
	;

void
msgs_reset(void)
{
	for (size_t i = 0; i < msgs.n; i++)
		free(msgs.text[i]);
	memset(&msgs, 0, sizeof(msgs));
}

void
msgs_report(void *arg, enum conf_severity sev, const char *msg)
{
	struct msgs *m = arg;

	if (m->n == MSGS_MAX) {
		m->dropped++;
		return;
	}
	m->sev[m->n] = sev;
	if ((m->text[m->n++] = strdup(msg)) == NULL)
		ck_abort_msg("out of memory");
	/* "warning: " after FILE:LINE: or FILE: marks exactly the warnings */
	ck_assert_msg((strstr(msg, ": warning: ") != NULL) == (sev == CONF_WARNING),
	    "severity %d does not match the text of \"%s\"", (int)sev, msg);
}

size_t
msgs_count(enum conf_severity sev)
{
	size_t n = 0;

	for (size_t i = 0; i < msgs.n; i++)
		n += msgs.sev[i] == sev;
	return n;
}

struct config *
parse(const char *text)
{
	msgs_reset();
	return config_parse_buffer("t.conf", text, msgs_report, &msgs);
}

struct config *
parse_bytes(const char *bytes, size_t len)
{
	struct config	*cfg;
	FILE		*fp;
	int		 errors;

	msgs_reset();
	if ((cfg = config_new()) == NULL)
		ck_abort_msg("out of memory");
	snprintf(cfg->path, sizeof(cfg->path), "t.conf");
	/* fmemopen() refuses a zero size on some C libraries */
	if ((fp = fmemopen((void *)(uintptr_t)(len ? bytes : "\n"),
	    len ? len : 1, "r")) == NULL)
		ck_abort_msg("fmemopen failed");
	errors = config_parse_stream(cfg, "t.conf", fp, msgs_report, &msgs);
	fclose(fp);
	if (errors == 0)
		errors = config_check(cfg, msgs_report, &msgs);
	if (errors != 0) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* Lists what was reported, for a failure message. */
static void
msgs_describe(char *buf, size_t len, const char *const *want)
{
	size_t used = 0;

#define ADD(...) used += (size_t)snprintf(buf + used, used < len ? len - used : 0, __VA_ARGS__)
	ADD("\n  expected:");
	for (size_t i = 0; want[i] != NULL; i++)
		ADD("\n    [%zu] %s", i, want[i]);
	ADD("\n  got:");
	for (size_t i = 0; i < msgs.n; i++)
		ADD("\n    [%zu] %s", i, msgs.text[i]);
	if (msgs.dropped)
		ADD("\n    (%zu more)", msgs.dropped);
#undef ADD
}

void
expect_msgs(const char *file, int line, const char *const *want)
{
	char	 buf[8192];
	size_t	 n = 0;
	bool	 same;

	while (want[n] != NULL)
		n++;
	same = n == msgs.n && msgs.dropped == 0;
	for (size_t i = 0; same && i < n; i++)
		same = strcmp(want[i], msgs.text[i]) == 0;
	if (same)
		return;
	msgs_describe(buf, sizeof(buf), want);
	ck_abort_msg("%s:%d: messages differ:%s", file, line, buf);
}

struct config *
expect_ok(const char *file, int line, const char *const *v)
{
	struct config	*cfg = parse(v[0]);
	char		 buf[8192];

	if (cfg == NULL) {
		msgs_describe(buf, sizeof(buf), v + 1);
		ck_abort_msg("%s:%d: configuration rejected:%s", file, line, buf);
	}
	expect_msgs(file, line, v + 1);
	return cfg;
}

void
expect_bad(const char *file, int line, const char *const *v)
{
	struct config	*cfg = parse(v[0]);
	char		 buf[8192];

	if (cfg != NULL) {
		config_free(cfg);
		msgs_describe(buf, sizeof(buf), v + 1);
		ck_abort_msg("%s:%d: configuration taken, expected rejected:%s",
		    file, line, buf);
	}
	ck_assert_msg(msgs_count(CONF_ERROR) > 0,
	    "%s:%d: rejected without an error message", file, line);
	expect_msgs(file, line, v + 1);
}

static char *
print_with(void (*fn)(const struct config *, FILE *), const struct config *cfg)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		ck_abort_msg("open_memstream failed");
	fn(cfg, fp);
	fclose(fp);
	return buf;
}

char *
print_running(const struct config *cfg)
{
	return print_with(config_print_running, cfg);
}

char *
print_setup(const struct config *cfg)
{
	return print_with(config_print_setup, cfg);
}

int
main(void)
{
	Suite	*(*const suites[])(void) = {
		suite_global, suite_trustpoint, suite_chain, suite_tls_cipher,
		suite_tls_profile, suite_tenant, suite_srtp_crypto,
		suite_voice_service, suite_sip_ua, suite_dial_peer,
		suite_sipktls, suite_semantic, suite_tls_strings, suite_guide,
		suite_round_trip, suite_robustness,
	};
	SRunner	*sr = srunner_create(NULL);
	int	 failed;

	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		srunner_add_suite(sr, suites[i]());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	msgs_reset();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
