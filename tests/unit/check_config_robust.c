/*
 * Robustness: malformed input of every kind must give back NULL with at
 * least one error, or a configuration, and never crash (run under
 * --enable-sanitizers for ASan and UBSan). Accepted mutants must also
 * survive the running-config round trip.
 */
#include "autoconf.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_suites.h"

/* A fixed seed: a failure reproduces. */
static uint64_t rng = 0x5eed5ec0de2026ULL;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static size_t
rnd_below(size_t n)
{
	return n == 0 ? 0 : rnd() % n;
}

struct tally {
	size_t	errors, warnings;
	char	bad[512];	/* the first message out of shape */
	char	first_error[512];
};

/* Every message is "t.conf:LINE: ...", "t.conf:LINE: warning: ..." or "t.conf: ...". */
static void
tally_report(void *arg, enum conf_severity sev, const char *msg)
{
	struct tally	*t = arg;
	const char	*s = msg;
	bool		 warn;

	if (sev == CONF_ERROR && t->errors++ == 0)
		snprintf(t->first_error, sizeof(t->first_error), "%s", msg);
	if (sev == CONF_WARNING)
		t->warnings++;
	if (strncmp(s, "t.conf:", 7) != 0)
		goto bad;
	s += 7;
	s += strspn(s, "0123456789");
	if (strncmp(s, ": ", 2) != 0 && *s != ' ')
		goto bad;
	s += *s == ':' ? 2 : 1;
	warn = strncmp(s, "warning: ", 9) == 0;
	if (warn != (sev == CONF_WARNING) || strlen(msg) > 2048)
		goto bad;
	return;
bad:
	if (t->bad[0] == '\0')
		snprintf(t->bad, sizeof(t->bad), "%s", msg);
}

static struct config *
robust_parse(const char *buf, size_t len, struct tally *t)
{
	struct config	*cfg = config_new();
	FILE		*fp;
	int		 errors;

	memset(t, 0, sizeof(*t));
	ck_assert_ptr_nonnull(cfg);
	snprintf(cfg->path, sizeof(cfg->path), "t.conf");
	fp = fmemopen((void *)(uintptr_t)(len ? buf : "\n"), len ? len : 1, "r");
	ck_assert_ptr_nonnull(fp);
	errors = config_parse_stream(cfg, "t.conf", fp, tally_report, t);
	fclose(fp);
	if (errors == 0)
		errors = config_check(cfg, tally_report, t);
	ck_assert_msg(t->bad[0] == '\0', "message out of shape: \"%s\"", t->bad);
	ck_assert_msg((errors != 0) == (t->errors != 0), "%d errors counted, %zu "
	    "reported", errors, t->errors);
	if (errors != 0) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* Parses; whatever is accepted prints a running-config that parses the same. */
static bool
robust_one(const char *buf, size_t len)
{
	struct tally	 t, t2;
	struct config	*a, *b;
	char		*first, *second;

	if ((a = robust_parse(buf, len, &t)) == NULL)
		return false;
	first = print_running(a);
	b = robust_parse(first, strlen(first), &t2);
	ck_assert_msg(b != NULL, "accepted input:\n%.*s\nprints a running-config "
	    "that is rejected (%s):\n%s", (int)len, buf, t2.first_error, first);
	second = print_running(b);
	ck_assert_msg(strcmp(first, second) == 0, "round trip differs:\n%s\n---\n%s",
	    first, second);
	free(first);
	free(second);
	config_free(a);
	config_free(b);
	return true;
}

/* ---- mutations of the guide's example --------------------------------- */

#define MAXLINES	256

struct doc {
	size_t	 n;
	char	*line[MAXLINES];
};

static const char *const extra_lines[] = {
	"sip-ua", " transport tcp tls v1.2 minimum", " transport tcp tls v1.0",
	" crypto signaling default trustpoint CUBE-TrustPoint",
	" timers connection aging tls 30", " listen-port secure 5080",
	"voice service voip", " ip address trusted list", "  ipv4 192.0.2.0 255.255.255.0",
	"  ipv6 2001:db8::/32", " sip", "  bind control source-interface GigabitEthernet0/0/0",
	"sipktls", " control-socket /run/x.sock", " dataplane threads 4",
	" backend target ipv4:10.0.0.1:5060 transport udp",
	" backend target ipv6:[2001:db8::1]:5060 proxy-protocol v2",
	" backend listen ipv4:10.0.0.2:5070", " cipher 2 ECDHE_ECDSA_AES128_GCM_SHA256",
	" cipher 3 AES256_GCM_SHA384", " cn-san 2 b.acme.co", " sni send",
	" cn-san validate server", " cn-san strict", "  30820122 300D0609", "  quit",
	" certificate ca 01", "no voice class tenant 100", "no crypto pki trustpoint CUBE-TrustPoint",
	"exit", "end", " exit", "voice class tenant 200", " listen-port secure 5061",
	" sip-server ipv4:192.0.2.1:5060", "dial-peer voice 200 voip",
	" session target ipv4:192.0.2.9", " eckeypair ec", "voice class codec 1",
	" codec preference 1 g711ulaw", "Building configuration...",
};

static const char *const words[] = {
	"no", "0", "1", "100", "10000", "10001", "65535", "65536", "-1", "4294967296",
	"ipv4:", "ipv6:", "dns:", "ipv4:1.2.3.4:5", "ipv6:[::1]:5", "dns:a.b:0",
	"ipv6:[", "ipv6:[]", "v1.0", "v1.3", "minimum", "tls", "tcp", "udp",
	"server", "client", "bidirectional", "sip-server", "secure", "AEAD_AES_256_GCM",
	"ECDHE_ECDSA_AES128_GCM_SHA256", "CHACHA20_POLY1305_SHA256", "quit", "exit",
	"end", "!", "#", "voice", "class", "tenant", "tls-profile", "tls-cipher",
	"crypto", "pki", "trustpoint", "chain", "certificate", "cn-san", "validate",
	"source-interface", "control", "all", "media", "bind", "backend", "target",
	"listen", "proxy-protocol", "v2", "a..b", "-a", "a_b", "1.2.3.4", "::1",
	"255.255.0.255", "1.2.3.4/33", "none", "crl", "ocsp", "pem", "terminal",
	"url", "http://x", "%s%n", "\"", "\\", "T", "[0-9]", "sipv2", "sips",
	"CUBE-TrustPoint", "GigabitEthernet0/0/0", "kp1", "4096", "8192",
};

static void
doc_load(struct doc *d, const char *text)
{
	const char *s = text, *nl;

	d->n = 0;
	while (*s != '\0' && d->n < MAXLINES) {
		nl = strchr(s, '\n');
		d->line[d->n++] = strndup(s, nl ? (size_t)(nl - s) : strlen(s));
		s = nl ? nl + 1 : s + strlen(s);
	}
}

static void
doc_free(struct doc *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->line[i]);
	d->n = 0;
}

static void
doc_insert(struct doc *d, size_t at, char *line)
{
	if (d->n == MAXLINES) {
		free(line);
		return;
	}
	memmove(&d->line[at + 1], &d->line[at], (d->n - at) * sizeof(char *));
	d->line[at] = line;
	d->n++;
}

/* Replaces the line with a copy where [from, to) is replaced by ins. */
static void
line_splice(char **line, size_t from, size_t to, const char *ins, size_t inslen)
{
	size_t	 len = strlen(*line);
	char	*n = malloc(len - (to - from) + inslen + 1);

	ck_assert_ptr_nonnull(n);
	memcpy(n, *line, from);
	memcpy(n + from, ins, inslen);
	memcpy(n + from + inslen, *line + to, len - to + 1);
	free(*line);
	*line = n;
}

static void
mutate(struct doc *d)
{
	size_t	 i = rnd_below(d->n), len, at;
	char	 c, *w;

	if (d->n == 0) {
		doc_insert(d, 0, strdup(extra_lines[rnd_below(sizeof(extra_lines) /
		    sizeof(extra_lines[0]))]));
		return;
	}
	len = strlen(d->line[i]);
	switch (rnd_below(11)) {
	case 0:		/* delete a line */
		free(d->line[i]);
		memmove(&d->line[i], &d->line[i + 1], (d->n - i - 1) * sizeof(char *));
		d->n--;
		break;
	case 1:		/* duplicate a line elsewhere */
		doc_insert(d, rnd_below(d->n + 1), strdup(d->line[i]));
		break;
	case 2:		/* swap two lines */
		at = rnd_below(d->n);
		w = d->line[i];
		d->line[i] = d->line[at];
		d->line[at] = w;
		break;
	case 3:		/* re-indent */
		at = strspn(d->line[i], " \t");
		line_splice(&d->line[i], 0, at, "\t   ", rnd_below(5));
		break;
	case 4:		/* a printable character replaced or inserted */
		c = (char)(' ' + rnd_below(95));
		at = rnd_below(len + 1);
		line_splice(&d->line[i], at, at < len && rnd() % 2 ? at + 1 : at, &c, 1);
		break;
	case 5:		/* any byte but newline */
		c = (char)rnd_below(256);
		if (c == '\n')
			c = '\r';
		at = rnd_below(len + 1);
		line_splice(&d->line[i], at, at, &c, 1);
		break;
	case 6: {	/* a word replaced by one from the dictionary */
		const char *s = d->line[i], *from, *to;
		size_t nth = rnd_below(6), k = 0;

		from = s + strspn(s, " \t");
		while (k < nth && *from) {
			from += strcspn(from, " \t");
			from += strspn(from, " \t");
			k++;
		}
		to = from + strcspn(from, " \t");
		w = (char *)words[rnd_below(sizeof(words) / sizeof(words[0]))];
		line_splice(&d->line[i], (size_t)(from - s), (size_t)(to - s), w,
		    strlen(w));
		break;
	}
	case 7:		/* a line from another part of the language */
		doc_insert(d, rnd_below(d->n + 1), strdup(extra_lines[rnd_below(
		    sizeof(extra_lines) / sizeof(extra_lines[0]))]));
		break;
	case 8:		/* "no" in front */
		at = strspn(d->line[i], " \t");
		line_splice(&d->line[i], at, at, "no ", 3);
		break;
	case 9:		/* cut the line short */
		d->line[i][rnd_below(len + 1)] = '\0';
		break;
	default:	/* a long word */
		w = malloc(300);
		ck_assert_ptr_nonnull(w);
		memset(w, "a1.:-["[rnd_below(6)], 299);
		w[299] = '\0';
		at = rnd_below(len + 1);
		line_splice(&d->line[i], at, at, w, rnd_below(300));
		free(w);
		break;
	}
}

static char *
doc_text(const struct doc *d, size_t *len)
{
	char	*buf = NULL;
	FILE	*fp = open_memstream(&buf, len);

	ck_assert_ptr_nonnull(fp);
	for (size_t i = 0; i < d->n; i++) {
		fputs(d->line[i], fp);
		fputc('\n', fp);
	}
	fclose(fp);
	return buf;
}

START_TEST(robust_guide_mutations)
{
	struct doc	 d;
	size_t		 accepted = 0, len;
	char		*text;

	for (int iter = 0; iter < 3000; iter++) {
		doc_load(&d, guide_example);
		for (size_t m = 1 + rnd_below(4); m > 0; m--)
			mutate(&d);
		text = doc_text(&d, &len);
		/* a line cut short may hold a NUL: count what the parser sees */
		accepted += robust_one(text, len);
		free(text);
		doc_free(&d);
	}
	/* the mutations must not all be fatal, or the round trip is untested */
	ck_assert_uint_gt(accepted, 300);
	ck_assert_uint_lt(accepted, 2700);
}
END_TEST

START_TEST(robust_word_salad)
{
	char	line[2048];
	size_t	accepted = 0;

	for (int iter = 0; iter < 1000; iter++) {
		char	*buf = NULL;
		size_t	 len;
		FILE	*fp = open_memstream(&buf, &len);

		for (size_t l = 1 + rnd_below(40); l > 0; l--) {
			size_t n = 0;

			if (rnd() % 4 == 0)
				n += (size_t)snprintf(line, sizeof(line), "%s",
				    extra_lines[rnd_below(sizeof(extra_lines) /
				    sizeof(extra_lines[0]))]);
			else {
				n += rnd_below(4);
				memset(line, ' ', n);
				for (size_t k = rnd_below(7); k > 0; k--)
					n += (size_t)snprintf(line + n, sizeof(line) - n,
					    "%s ", words[rnd_below(sizeof(words) /
					    sizeof(words[0]))]);
				line[n] = '\0';
			}
			fprintf(fp, "%s\n", line);
		}
		fclose(fp);
		accepted += robust_one(buf, len);
		free(buf);
	}
	ck_assert_uint_gt(accepted, 0);
}
END_TEST

START_TEST(robust_random_bytes)
{
	char	buf[4096];

	for (int iter = 0; iter < 1000; iter++) {
		size_t len = rnd_below(sizeof(buf));

		for (size_t i = 0; i < len; i++)
			buf[i] = (char)(iter % 2 ? rnd_below(256) : ' ' + rnd_below(96));
		robust_one(buf, len);
	}
}
END_TEST

START_TEST(robust_truncated)
{
	size_t	len = strlen(guide_example);

	/* every prefix of the example, so every line is also seen cut short */
	for (size_t cut = 0; cut <= len; cut++)
		robust_one(guide_example, cut);
}
END_TEST

START_TEST(robust_long_lines)
{
	size_t		 big = 1 << 20;
	char		*buf = malloc(big + 64);
	struct tally	 t;

	ck_assert_ptr_nonnull(buf);
	/* one megabyte of a single word, then of blanks, then of short words */
	for (int kind = 0; kind < 3; kind++) {
		size_t n = 0;

		for (; n < big; n++)
			buf[n] = kind == 0 ? 'a' : kind == 1 ? (n % 3 ? ' ' : '\t') :
			    (n % 2 ? ' ' : 'w');
		n += (size_t)sprintf(buf + n, "x\nhostname after\n");
		ck_assert_ptr_null(robust_parse(buf, n, &t));
		ck_assert_uint_eq(t.errors, 1);
		ck_assert_str_eq(t.first_error, "t.conf:1: line longer than 1023 characters");
	}
	/* no newline at the end of a long last line */
	memset(buf, 'b', 5000);
	ck_assert_ptr_null(robust_parse(buf, 5000, &t));
	ck_assert_str_eq(t.first_error, "t.conf:1: line longer than 1023 characters");
	/* 1023 characters of blanks before a command: the line is read */
	memset(buf, ' ', 1011);
	strcpy(buf + 1011, "hostname abc\n");
	ck_assert_uint_eq(strlen(buf), 1023 + 1);
	struct config *c = robust_parse(buf, strlen(buf), &t);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->hostname, "abc");
	config_free(c);
	/* tabs count to the next multiple of eight: a deep but valid indent */
	memset(buf, '\t', 1000);
	strcpy(buf, "voice class tenant 1\n");
	memset(buf + 21, '\t', 1000);
	strcpy(buf + 1021, "x\n");
	ck_assert_ptr_null(robust_parse(buf, strlen(buf), &t));
	ck_assert_str_eq(t.first_error, "t.conf:2: unknown command \"x\" in voice "
	    "class tenant mode");
	free(buf);
}
END_TEST

START_TEST(robust_nul_bytes)
{
	size_t		 len = strlen(guide_example);
	char		*buf = malloc(len + 1);
	struct tally	 t;

	ck_assert_ptr_nonnull(buf);
	for (int iter = 0; iter < 300; iter++) {
		memcpy(buf, guide_example, len + 1);
		size_t at = rnd_below(len);

		if (buf[at] == '\n')
			continue;
		buf[at] = '\0';
		ck_assert_msg(robust_parse(buf, len, &t) == NULL,
		    "a NUL at offset %zu was accepted", at);
		ck_assert_msg(strstr(t.first_error, ": NUL byte in line") != NULL,
		    "NUL at %zu: first error \"%s\"", at, t.first_error);
	}
	/* a file of NULs */
	memset(buf, 0, len);
	ck_assert_ptr_null(robust_parse(buf, len, &t));
	ck_assert_str_eq(t.first_error, "t.conf:1: line longer than 1023 characters");
	free(buf);
}
END_TEST

START_TEST(robust_deep_indentation)
{
	static const char *const enter[] = {
		"voice service voip", "ip address trusted list", "sip",
		"voice class tenant 1", "crypto pki trustpoint T",
		"crypto pki certificate chain T", "certificate 01", "sip-ua",
		"dial-peer voice 1 voip", "voice class codec 1",
	};
	char		*buf = NULL;
	size_t		 len;
	FILE		*fp = open_memstream(&buf, &len);
	struct tally	 t;

	/* a staircase: each line one column deeper than the one before */
	for (int i = 0; i < 1000; i++)
		fprintf(fp, "%*s%s\n", i, "", enter[i % 10]);
	/* and back down */
	for (int i = 1000; i > 0; i--)
		fprintf(fp, "%*s%s\n", i, "", enter[(i * 7) % 10]);
	fclose(fp);
	config_free(robust_parse(buf, len, &t));
	free(buf);
	/* the modes that nest, nested as deep as they go, many times over */
	buf = NULL;
	fp = open_memstream(&buf, &len);
	for (int i = 0; i < 200; i++)
		fprintf(fp, "voice service voip\n ip address trusted list\n"
		    "  ipv4 10.%d.%d.0 255.255.255.0\n  exit\n sip\n"
		    "  bind control source-interface e%d\n"
		    "crypto pki trustpoint T%d\n rsakeypair k\n"
		    "crypto pki certificate chain T%d\n certificate ca %x\n"
		    "  ABCDEF\n  quit\n", i / 256, i % 256, i, i, i, i);
	fprintf(fp, "sip-ua\n crypto signaling default trustpoint T0\n");
	fclose(fp);
	struct config *c = robust_parse(buf, len, &t);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->ntrusted, 200);
	ck_assert_uint_eq(c->ntrustpoints, 200);
	ck_assert_str_eq(c->global_bind, "e199");
	ck_assert_uint_eq(t.warnings, 199);
	config_free(c);
	free(buf);
	ck_assert(robust_one("voice service voip\n ip address trusted list\n"
	    "  ipv4 192.0.2.1\n", 46));
}
END_TEST

START_TEST(robust_many_objects)
{
	char		*buf = NULL;
	size_t		 len;
	FILE		*fp = open_memstream(&buf, &len);
	struct tally	 t;

	for (int i = 1; i <= 1000; i++)
		fprintf(fp, "voice class tenant %d\n listen-port secure %d\n"
		    " backend target ipv4:10.0.0.1:5060\n backend listen ipv4:10.0.1.1:%d\n"
		    "dial-peer voice %d voip\n voice-class sip tenant %d\n",
		    i, 10000 + i, 20000 + i, i, i);
	fprintf(fp, "crypto pki trustpoint T\n rsakeypair k\n"
	    "sip-ua\n crypto signaling default trustpoint T\n");
	fclose(fp);
	struct config *c = robust_parse(buf, len, &t);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(t.warnings, 0);
	ck_assert_uint_eq(c->ntenants, 1000);
	ck_assert_uint_eq(c->ndial_peers, 1000);
	ck_assert_ptr_nonnull(config_tenant(c, 1000));
	config_free(c);
	free(buf);
}
END_TEST

Suite *
suite_robustness(void)
{
	Suite	*s = suite_create("robustness");
	TCase	*tc = tcase_create("robustness");

	/* thousands of parses: generous under sanitizers and slow machines */
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, robust_guide_mutations);
	tcase_add_test(tc, robust_word_salad);
	tcase_add_test(tc, robust_random_bytes);
	tcase_add_test(tc, robust_truncated);
	tcase_add_test(tc, robust_long_lines);
	tcase_add_test(tc, robust_nul_bytes);
	tcase_add_test(tc, robust_deep_indentation);
	tcase_add_test(tc, robust_many_objects);
	suite_add_tcase(s, tc);
	return s;
}
