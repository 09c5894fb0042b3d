/*
 * Shared by the check_config suites: a report callback that collects the
 * parser's messages, and assertions on a parse's result and messages.
 */
#ifndef CONFIG_SUITES_H
#define CONFIG_SUITES_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define MSGS_MAX	512

struct msgs {
	size_t			 n;
	size_t			 dropped;	/* beyond MSGS_MAX */
	char			*text[MSGS_MAX];
	enum conf_severity	 sev[MSGS_MAX];
};

/* The messages of the last parse() and of anything reported to msgs_report. */
extern struct msgs msgs;

void		 msgs_reset(void);
void		 msgs_report(void *arg, enum conf_severity, const char *);
size_t		 msgs_count(enum conf_severity);

/* Parses text as file "t.conf", collecting its messages in msgs. */
struct config	*parse(const char *text);
/* The same for a buffer that may hold NUL bytes. */
struct config	*parse_bytes(const char *bytes, size_t len);

/*
 * v[0] is the configuration text, v[1..] the exact messages expected, in
 * order, then NULL. expect_ok() asserts the file is taken and returns it;
 * expect_bad() asserts it is rejected.
 */
struct config	*expect_ok(const char *file, int line, const char *const *v);
void		 expect_bad(const char *file, int line, const char *const *v);
/* Compares msgs with want[] (NULL-terminated); aborts the test on a difference. */
void		 expect_msgs(const char *file, int line, const char *const *want);

#define OK(...)		expect_ok(__FILE__, __LINE__, \
			    (const char *const[]){ __VA_ARGS__, NULL })
#define BAD(...)	expect_bad(__FILE__, __LINE__, \
			    (const char *const[]){ __VA_ARGS__, NULL })
#define MSGS(...)	expect_msgs(__FILE__, __LINE__, \
			    (const char *const[]){ __VA_ARGS__, NULL })
#define NO_MSGS()	expect_msgs(__FILE__, __LINE__, (const char *const[]){ NULL })

/* Runs a config through config_print_running() into a malloc'd string. */
char		*print_running(const struct config *);
char		*print_setup(const struct config *);

/* The guide's example, lines "ip domain name example.com" to "no vad". */
extern const char guide_example[];

Suite	*suite_global(void);
Suite	*suite_trustpoint(void);
Suite	*suite_chain(void);
Suite	*suite_tls_cipher(void);
Suite	*suite_tls_profile(void);
Suite	*suite_tenant(void);
Suite	*suite_srtp_crypto(void);
Suite	*suite_voice_service(void);
Suite	*suite_sip_ua(void);
Suite	*suite_dial_peer(void);
Suite	*suite_sipktls(void);
Suite	*suite_semantic(void);
Suite	*suite_tls_strings(void);
Suite	*suite_guide(void);
Suite	*suite_round_trip(void);
Suite	*suite_robustness(void);

#endif
