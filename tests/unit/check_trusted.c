/*
 * Unit tests for control/trusted.c: prefix edges of the trusted list over
 * IPv4, IPv6 and IPv4-mapped sources, implicit targets, and the admission
 * table (trusted list, empty list, CN-SAN bypass).
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "trusted.h"

#define ARRLEN(a)	(sizeof(a) / sizeof((a)[0]))

/* The config's own layout: IPv4 in the first 4 bytes of addr. */
static struct trusted_entry
entry(const char *text, unsigned prefix)
{
	struct trusted_entry e = { .prefix = prefix };

	if (inet_pton(AF_INET, text, &e.addr) == 1)
		e.family = AF_INET;
	else if (inet_pton(AF_INET6, text, &e.addr) == 1)
		e.family = AF_INET6;
	else
		ck_abort_msg("bad address in test: %s", text);
	return e;
}

/* A source address as accept() reports it; "::ffff:a.b.c.d" stays IPv6. */
static struct sockaddr_storage
source(const char *text)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(5061);
	} else if (inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(5061);
	} else {
		ck_abort_msg("bad address in test: %s", text);
	}
	return ss;
}

static bool
match_one(const char *addr, unsigned prefix, const char *src)
{
	struct trusted_entry	 e = entry(addr, prefix);
	struct config		 cfg = { .trusted = &e, .ntrusted = 1 };
	struct sockaddr_storage	 ss = source(src);

	return trusted_match(&cfg, (const struct sockaddr *)&ss);
}

struct prefix_case {
	const char	*entry;
	unsigned	 prefix;
	const char	*source;
	bool		 match;
};

static const struct prefix_case prefix_cases[] = {
	/* IPv4 /32, /31, /24, /1, /0 */
	{ "192.0.2.10", 32, "192.0.2.10", true },
	{ "192.0.2.10", 32, "192.0.2.11", false },
	{ "192.0.2.10", 31, "192.0.2.11", true },
	{ "192.0.2.10", 31, "192.0.2.12", false },
	{ "192.0.2.0", 24, "192.0.2.255", true },
	{ "192.0.2.0", 24, "192.0.3.0", false },
	{ "192.0.2.0", 23, "192.0.3.7", true },
	{ "10.1.2.3", 12, "10.15.255.255", true },
	{ "10.1.2.3", 12, "10.16.0.0", false },
	{ "128.0.0.0", 1, "200.1.1.1", true },
	{ "128.0.0.0", 1, "127.255.255.255", false },
	{ "0.0.0.0", 0, "203.0.113.9", true },
	{ "0.0.0.0", 0, "0.0.0.0", true },
	{ "255.255.255.255", 32, "255.255.255.255", true },
	/* IPv4-mapped sources match IPv4 entries */
	{ "192.0.2.10", 32, "::ffff:192.0.2.10", true },
	{ "192.0.2.0", 24, "::ffff:192.0.2.99", true },
	{ "192.0.2.0", 24, "::ffff:192.0.3.1", false },
	{ "0.0.0.0", 0, "::ffff:1.2.3.4", true },
	/* IPv4 entries never match native IPv6, whatever the bits */
	{ "0.0.0.0", 0, "2001:db8::1", false },
	{ "0.0.0.0", 0, "::", false },
	{ "0.0.0.0", 0, "::192.0.2.10", false },
	/* IPv6 /128, /127, /64, /1, /0 */
	{ "2001:db8::1", 128, "2001:db8::1", true },
	{ "2001:db8::1", 128, "2001:db8::2", false },
	{ "2001:db8::", 127, "2001:db8::1", true },
	{ "2001:db8::", 127, "2001:db8::2", false },
	{ "2001:db8:1:2::", 64, "2001:db8:1:2:ffff:ffff:ffff:ffff", true },
	{ "2001:db8:1:2::", 64, "2001:db8:1:3::", false },
	{ "2001:db8::", 33, "2001:db8:7fff::1", true },
	{ "2001:db8::", 33, "2001:db8:8000::1", false },
	{ "8000::", 1, "fe80::1", true },
	{ "8000::", 1, "2001:db8::1", false },
	{ "::", 0, "2001:db8::1", true },
	{ "::", 0, "::1", true },
	/* "ipv6 ::/0" is all of IPv6, not IPv4 peers */
	{ "::", 0, "192.0.2.10", false },
	{ "::", 0, "::ffff:192.0.2.10", false },
	/* an IPv6 entry written as IPv4-mapped is about IPv4 peers */
	{ "::ffff:192.0.2.10", 128, "192.0.2.10", true },
	{ "::ffff:192.0.2.10", 128, "::ffff:192.0.2.10", true },
	{ "::ffff:192.0.2.0", 120, "192.0.2.77", true },
	{ "::ffff:192.0.2.0", 120, "192.0.3.77", false },
	{ "::ffff:0.0.0.0", 96, "198.51.100.1", true },
	{ "::ffff:0.0.0.0", 96, "2001:db8::1", false },
	/* loopback is an address like any other */
	{ "127.0.0.0", 8, "127.0.0.1", true },
	{ "::1", 128, "::1", true },
	{ "::1", 128, "127.0.0.1", false },
};

START_TEST(test_prefix)
{
	const struct prefix_case *c = &prefix_cases[_i];

	ck_assert_msg(match_one(c->entry, c->prefix, c->source) == c->match,
	    "%s/%u vs %s: want %s", c->entry, c->prefix, c->source,
	    c->match ? "match" : "no match");
}
END_TEST

/* Prefixes the parser never produces still cannot widen the list. */
START_TEST(test_prefix_out_of_range)
{
	ck_assert(!match_one("192.0.2.10", 33, "192.0.2.10"));
	ck_assert(!match_one("2001:db8::1", 129, "2001:db8::1"));
	ck_assert(!match_one("2001:db8::1", 1000, "2001:db8::1"));
}
END_TEST

START_TEST(test_match_edges)
{
	struct trusted_entry	 e[3] = {
		entry("198.51.100.0", 24), entry("2001:db8::", 32),
		entry("192.0.2.1", 32),
	};
	struct config		 cfg = { .trusted = e, .ntrusted = 3 };
	struct config		 empty = { 0 };
	struct sockaddr_storage	 ss = source("192.0.2.1");
	struct sockaddr		 un = { .sa_family = AF_UNIX };

	ck_assert(trusted_match(&cfg, (struct sockaddr *)&ss));
	ck_assert(!trusted_match(&empty, (struct sockaddr *)&ss));
	ck_assert(!trusted_match(NULL, (struct sockaddr *)&ss));
	ck_assert(!trusted_match(&cfg, NULL));
	ck_assert(!trusted_match(&cfg, &un));
	ss = source("2001:db8:ffff::1");
	ck_assert(trusted_match(&cfg, (struct sockaddr *)&ss));
	ss = source("2001:db9::1");
	ck_assert(!trusted_match(&cfg, (struct sockaddr *)&ss));
	ck_assert(!trusted_list_enforced(&empty));
	ck_assert(trusted_list_enforced(&cfg));
	ck_assert(!trusted_list_enforced(NULL));
}
END_TEST

/* sip-server and session targets written as addresses are trusted too. */
START_TEST(test_targets)
{
	struct tenant_config	 t[2] = {
		{ .tag = 1, .sip_server = { TARGET_DNS, "sip.acme.co", 5061 } },
		{ .tag = 2, .sip_server = { TARGET_IPV4, "203.0.113.5", 5061 } },
	};
	struct dial_peer_config	 d[3] = {
		{ .tag = 10, .target_kind = SESSTARGET_ADDR,
		  .target = { TARGET_IPV6, "2001:db8::50", 5061 } },
		{ .tag = 11, .target_kind = SESSTARGET_SIP_SERVER },
		{ .tag = 12, .target_kind = SESSTARGET_ADDR,
		  .target = { TARGET_IPV6, "::ffff:198.51.100.9", 0 } },
	};
	struct config	cfg = { .tenants = t, .ntenants = 2, .dial_peers = d,
			    .ndial_peers = 3 };
	static const struct { const char *src; bool target; } rows[] = {
		{ "203.0.113.5", true },
		{ "::ffff:203.0.113.5", true },
		{ "203.0.113.6", false },
		{ "2001:db8::50", true },
		{ "2001:db8::51", false },
		{ "198.51.100.9", true },
		{ "::ffff:198.51.100.9", true },
		{ "198.51.100.10", false },
	};

	for (size_t i = 0; i < ARRLEN(rows); i++) {
		struct sockaddr_storage ss = source(rows[i].src);

		ck_assert_msg(trusted_target(&cfg, (struct sockaddr *)&ss) ==
		    rows[i].target, "%s", rows[i].src);
	}
}
END_TEST

/*
 * The admission table. Columns: the profile's cn-san mode, whether the
 * trusted list is empty, where the source is (listed, a configured target,
 * neither), whether the client's CN-SAN check passed, and the decision.
 */
enum src_kind { SRC_LISTED, SRC_TARGET, SRC_OTHER };

struct admit_case {
	enum cnsan_mode		 mode;
	bool			 no_profile;
	bool			 empty_list;
	enum src_kind		 src;
	bool			 passed;
	enum trust_decision	 want;
};

static const struct admit_case admit_cases[] = {
	/* no CN-SAN check on clients: the list alone decides */
	{ CNSAN_OFF, false, false, SRC_LISTED, false, ADMIT_TRUSTED },
	{ CNSAN_OFF, false, false, SRC_TARGET, false, ADMIT_TARGET },
	{ CNSAN_OFF, false, false, SRC_OTHER, false, REFUSE_UNTRUSTED },
	{ CNSAN_OFF, false, false, SRC_OTHER, true, REFUSE_UNTRUSTED },
	{ CNSAN_SERVER, false, false, SRC_OTHER, true, REFUSE_UNTRUSTED },
	{ CNSAN_SERVER, false, false, SRC_LISTED, false, ADMIT_TRUSTED },
	{ CNSAN_OFF, true, false, SRC_OTHER, true, REFUSE_UNTRUSTED },
	{ CNSAN_OFF, true, false, SRC_LISTED, false, ADMIT_TRUSTED },
	/* an empty list filters nothing */
	{ CNSAN_OFF, false, true, SRC_OTHER, false, ADMIT_OPEN },
	{ CNSAN_OFF, true, true, SRC_OTHER, false, ADMIT_OPEN },
	{ CNSAN_SERVER, false, true, SRC_OTHER, false, ADMIT_OPEN },
	/* client or bidirectional: a passed check bypasses the list ... */
	{ CNSAN_CLIENT, false, false, SRC_OTHER, true, ADMIT_CNSAN_BYPASS },
	{ CNSAN_BIDIRECTIONAL, false, false, SRC_OTHER, true, ADMIT_CNSAN_BYPASS },
	{ CNSAN_CLIENT, false, false, SRC_LISTED, true, ADMIT_TRUSTED },
	{ CNSAN_BIDIRECTIONAL, false, false, SRC_TARGET, true, ADMIT_TARGET },
	{ CNSAN_CLIENT, false, true, SRC_OTHER, true, ADMIT_OPEN },
	/* ... and a failed one is refused, trusted address or not */
	{ CNSAN_CLIENT, false, false, SRC_OTHER, false, REFUSE_CNSAN_FAILED },
	{ CNSAN_CLIENT, false, false, SRC_LISTED, false, REFUSE_CNSAN_FAILED },
	{ CNSAN_BIDIRECTIONAL, false, false, SRC_LISTED, false, REFUSE_CNSAN_FAILED },
	{ CNSAN_BIDIRECTIONAL, false, false, SRC_TARGET, false, REFUSE_CNSAN_FAILED },
	{ CNSAN_CLIENT, false, true, SRC_OTHER, false, REFUSE_CNSAN_FAILED },
};

static const char *const admit_sources[] = {
	[SRC_LISTED] = "::ffff:192.0.2.20",
	[SRC_TARGET] = "203.0.113.5",
	[SRC_OTHER] = "198.51.100.77",
};

START_TEST(test_admit)
{
	const struct admit_case	*c = &admit_cases[_i];
	struct trusted_entry	 e = entry("192.0.2.0", 24);
	struct tenant_config	 t = { .tag = 1,
		.sip_server = { TARGET_IPV4, "203.0.113.5", 5061 } };
	struct tls_profile_config p = { .tag = 100, .cnsan = c->mode };
	struct config		 cfg = { .tenants = &t, .ntenants = 1,
		.trusted = &e, .ntrusted = c->empty_list ? 0 : 1 };
	struct sockaddr_storage	 ss = source(admit_sources[c->src]);
	enum trust_decision	 got;

	got = trusted_admit(&cfg, c->no_profile ? NULL : &p,
	    (struct sockaddr *)&ss, c->passed);
	ck_assert_msg(got == c->want, "row %d: got \"%s\", want \"%s\"", _i,
	    trust_decision_name(got), trust_decision_name(c->want));
}
END_TEST

START_TEST(test_decision_names)
{
	static const struct { enum trust_decision d; bool admits; } rows[] = {
		{ REFUSE_UNTRUSTED, false }, { REFUSE_CNSAN_FAILED, false },
		{ ADMIT_OPEN, true }, { ADMIT_TRUSTED, true },
		{ ADMIT_TARGET, true }, { ADMIT_CNSAN_BYPASS, true },
	};
	struct sockaddr_storage ss = source("192.0.2.1");

	for (size_t i = 0; i < ARRLEN(rows); i++) {
		const char *name = trust_decision_name(rows[i].d);

		ck_assert_int_eq(trust_decision_admits(rows[i].d), rows[i].admits);
		ck_assert_int_eq(strncmp(name, rows[i].admits ? "admitted: " :
		    "refused: ", rows[i].admits ? 10 : 9), 0);
	}
	ck_assert(!trust_decision_admits((enum trust_decision)77));
	ck_assert_str_eq(trust_decision_name((enum trust_decision)77),
	    "refused: unknown decision");
	/* no configuration at all admits nothing */
	ck_assert_int_eq(trusted_admit(NULL, NULL, (struct sockaddr *)&ss, true),
	    REFUSE_UNTRUSTED);
}
END_TEST

static Suite *
trusted_suite(void)
{
	Suite	*s = suite_create("trusted");
	TCase	*tc;

	tc = tcase_create("match");
	tcase_add_loop_test(tc, test_prefix, 0, (int)ARRLEN(prefix_cases));
	tcase_add_test(tc, test_prefix_out_of_range);
	tcase_add_test(tc, test_match_edges);
	tcase_add_test(tc, test_targets);
	suite_add_tcase(s, tc);

	tc = tcase_create("admit");
	tcase_add_loop_test(tc, test_admit, 0, (int)ARRLEN(admit_cases));
	tcase_add_test(tc, test_decision_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(trusted_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
