/*
 * Unit tests for the SIP stream framer: every rule fed whole, byte by byte and
 * in seeded random chunks (same events each way), and, given "torture DIR",
 * the RFC 4475 / RFC 5118 torture messages against their manifests.
 */
#include "autoconf.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "dataplane/sipframe.h"

#define NMODES		5	/* whole, byte by byte, three random chunkings */
#define MAX_EVENTS	64
#define COPY_MAX	20000	/* windows up to this are copied to exact-size buffers */

/* An expected event; a list ends at its first MORE or ERROR. */
struct ev {
	enum sipframe_result	 res;
	size_t			 len;	/* msglen; for the final MORE, octets left */
	const char		*reason;	/* ERROR: exact reason, or NULL for any */
};

#define MSG(n)	{ SIPFRAME_MESSAGE, (n), NULL }
#define PING	{ SIPFRAME_PING, 4, NULL }
#define PONG	{ SIPFRAME_PONG, 2, NULL }
#define MORE(n)	{ SIPFRAME_MORE, (n), NULL }
#define ERR(r)	{ SIPFRAME_ERROR, 0, (r) }

/* An event seen, with a copy of its reason. */
struct got {
	enum sipframe_result	res;
	size_t			len;
	char			reason[SIPFRAME_REASON_MAX];
};

static const char *const result_names[] = {
	"MORE", "MESSAGE", "PING", "PONG", "ERROR",
};

static const char *const mode_names[NMODES] = {
	"whole", "byte-by-byte", "random seed 1", "random seed 2", "random seed 3",
};

/* xorshift32: the chunk sizes of a seed are the same on every run. */
static uint32_t
rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Bytes delivered by the next read: all, one, or 1..2^k for a random k. */
static size_t
chunk_size(int mode, uint32_t *rng, size_t left)
{
	size_t	n;

	if (mode == 0)
		return left;
	if (mode == 1)
		return 1;
	n = 1 + rng_next(rng) % ((size_t)1 << (rng_next(rng) % 12));
	return n < left ? n : left;
}

/*
 * Calls the framer as a relay would, on a copy of exactly the bytes offered
 * (so ASan sees any read past them), and checks what every unit must be.
 */
static enum sipframe_result
call_framer(struct sipframe *sf, const uint8_t *win, size_t n, size_t *msglen,
    const char **reason)
{
	enum sipframe_result	 res;
	uint8_t			*copy = NULL;
	size_t			 hdr;

	if (n > 0 && n <= COPY_MAX) {
		ck_assert_ptr_nonnull(copy = malloc(n));
		memcpy(copy, win, n);
	}
	res = sipframe_next(sf, copy ? copy : win, n, msglen, reason);
	free(copy);
	ck_assert_int_le(*msglen, n);
	if (res == SIPFRAME_ERROR)
		ck_assert(*reason != NULL && **reason != '\0');
	if (res == SIPFRAME_PING)
		ck_assert(*msglen == 4 && memcmp(win, "\r\n\r\n", 4) == 0);
	if (res == SIPFRAME_PONG)
		ck_assert(*msglen == 2 && memcmp(win, "\r\n", 2) == 0);
	if (res == SIPFRAME_MESSAGE)
		ck_assert(sipframe_header_span(win, *msglen, &hdr) &&
		    hdr <= *msglen);
	return res;
}

/* Frames a whole stream, reads cut as MODE says; returns the events seen. */
static size_t
frame_stream(const uint8_t *s, size_t n, size_t max_header, size_t max_body,
    int mode, struct got *out)
{
	struct sipframe		 sf;
	enum sipframe_result	 res;
	uint32_t		 rng = 0x9e3779b9u * (uint32_t)mode;
	size_t			 avail = 0, start = 0, nev = 0, msglen;
	const char		*reason;

	sipframe_init(&sf, max_header, max_body);
	for (;;) {
		avail += chunk_size(mode, &rng, n - avail);
		for (;;) {
			res = call_framer(&sf, s + start, avail - start, &msglen,
			    &reason);
			if (res == SIPFRAME_MORE)
				break;
			ck_assert_uint_lt(nev, MAX_EVENTS);
			out[nev].res = res;
			out[nev].len = msglen;
			out[nev].reason[0] = '\0';
			if (res == SIPFRAME_ERROR) {
				snprintf(out[nev].reason, sizeof(out->reason),
				    "%s", reason);
				return nev + 1;
			}
			nev++;
			start += msglen;
		}
		if (avail == n)
			break;
	}
	out[nev].res = SIPFRAME_MORE;
	out[nev].len = n - start;
	out[nev].reason[0] = '\0';
	return nev + 1;
}

static void
expect_events(const char *what, const uint8_t *s, size_t n, size_t max_header,
    size_t max_body, const struct ev *exp)
{
	struct got	got[MAX_EVENTS];
	size_t		ngot, i;
	int		mode;

	for (mode = 0; mode < NMODES; mode++) {
		ngot = frame_stream(s, n, max_header, max_body, mode, got);
		for (i = 0; i < ngot; i++) {
			ck_assert_msg(got[i].res == exp[i].res &&
			    got[i].len == exp[i].len,
			    "%s, %s: event %zu is %s %zu (%s), expected %s %zu",
			    what, mode_names[mode], i, result_names[got[i].res],
			    got[i].len, got[i].reason, result_names[exp[i].res],
			    exp[i].len);
			if (exp[i].res == SIPFRAME_ERROR && exp[i].reason)
				ck_assert_msg(strcmp(got[i].reason,
				    exp[i].reason) == 0,
				    "%s, %s: reason \"%s\", expected \"%s\"",
				    what, mode_names[mode], got[i].reason,
				    exp[i].reason);
		}
	}
}

/* A string literal (NULs inside allowed) or a C string, and its events. */
#define EXPECT(lit, ...)						\
	expect_events(#lit, (const uint8_t *)("" lit), sizeof("" lit) - 1,	\
	    0, 0, (const struct ev[]){ __VA_ARGS__ })
#define EXPECT_STR(str, ...)						\
	expect_events(#str, (const uint8_t *)(str), strlen(str), 0, 0,	\
	    (const struct ev[]){ __VA_ARGS__ })

/* Builds a message: START and the fields, "Content-Length: N", then BODY. */
static char *
msg_make(const char *start_fields, const char *body)
{
	char	*m;

	ck_assert_int_ne(asprintf(&m, "%sContent-Length: %zu\r\n\r\n%s",
	    start_fields, strlen(body), body), -1);
	return m;
}

#define OPTIONS_HEAD							\
	"OPTIONS sip:alice@example.com SIP/2.0\r\n"			\
	"Via: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK776asdhds\r\n"	\
	"Max-Forwards: 70\r\n"						\
	"To: <sip:alice@example.com>\r\n"				\
	"From: <sip:bob@example.net>;tag=1928301774\r\n"		\
	"Call-ID: a84b4c76e66710@pc33.example.net\r\n"			\
	"CSeq: 63104 OPTIONS\r\n"

static const char options_msg[] = OPTIONS_HEAD "Content-Length: 0\r\n\r\n";
#define OPT_LEN	(sizeof(options_msg) - 1)

static const char sdp_body[] =
	"v=0\r\n"
	"o=bob 2890844527 2890844527 IN IP4 192.0.2.1\r\n"
	"s=-\r\n"
	"c=IN IP4 192.0.2.1\r\n"
	"t=0 0\r\n"
	"m=audio 49170 RTP/SAVP 0\r\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n"
	"a=rtpmap:0 PCMU/8000\r\n";

#define INVITE_HEAD							\
	"INVITE sip:alice@example.com SIP/2.0\r\n"			\
	"Via: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bKnashds8\r\n"	\
	"Max-Forwards: 70\r\n"						\
	"To: <sip:alice@example.com>\r\n"				\
	"From: <sip:bob@example.net>;tag=1928301774\r\n"		\
	"Call-ID: a84b4c76e66710@pc33.example.net\r\n"			\
	"CSeq: 314159 INVITE\r\n"					\
	"Contact: <sips:bob@192.0.2.1:5061;transport=tls>\r\n"		\
	"Content-Type: application/sdp\r\n"

/* Keep-alives: RFC 5626 section 4.4.1. */

START_TEST(test_ping)
{
	EXPECT("\r\n\r\n", PING, MORE(0));
	EXPECT("\r\n\r\n\r\n\r\n", PING, PING, MORE(0));
}
END_TEST

START_TEST(test_pong)
{
	/* Before a message, a lone CRLF is a pong; at the end it may be half a ping. */
	char	*s;

	ck_assert_int_ne(asprintf(&s, "\r\n%s", options_msg), -1);
	EXPECT_STR(s, PONG, MSG(OPT_LEN), MORE(0));
	free(s);
	EXPECT("\r\n", MORE(2));
	EXPECT("\r\n\r", MORE(3));
	EXPECT("\r", MORE(1));
	EXPECT("\r\n\r\n\r\n", PING, MORE(2));
}
END_TEST

START_TEST(test_keepalive_interleaved)
{
	char	*s, *inv = msg_make(INVITE_HEAD, sdp_body);
	size_t	 il = strlen(inv);

	ck_assert_int_ne(asprintf(&s, "\r\n\r\n%s\r\n\r\n%s\r\n%s\r\n\r\n"
	    "\r\n\r\n%s\r\n\r\n\r\n%s", options_msg, inv, options_msg, inv,
	    options_msg), -1);
	EXPECT_STR(s, PING, MSG(OPT_LEN), PING, MSG(il), PONG, MSG(OPT_LEN), PING,
	    PING, MSG(il), PING, PONG, MSG(OPT_LEN), MORE(0));
	free(s);
	free(inv);
}
END_TEST

START_TEST(test_keepalive_not_crlf)
{
	/* A CR not followed by LF cannot be a keep-alive: it starts a message. */
	EXPECT("\r\n\rX", PONG, MORE(2));
	EXPECT("\r\n\rX\r\n", PONG, ERR("bare CR in the header section"));
	EXPECT("\rOPTIONS sip:a@b SIP/2.0\r\n",
	    ERR("bare CR in the header section"));
	EXPECT("\n\n", ERR("bare LF in the header section"));
}
END_TEST

/* Messages framed by Content-Length. */

START_TEST(test_options)
{
	EXPECT(OPTIONS_HEAD "Content-Length: 0\r\n\r\n", MSG(OPT_LEN), MORE(0));
}
END_TEST

START_TEST(test_invite_sdp)
{
	char	*inv = msg_make(INVITE_HEAD, sdp_body);

	EXPECT_STR(inv, MSG(strlen(inv)), MORE(0));
	free(inv);
}
END_TEST

START_TEST(test_pipelined)
{
	char	*s, *inv = msg_make(INVITE_HEAD, sdp_body);
	size_t	 il = strlen(inv);

	ck_assert_int_ne(asprintf(&s, "%s%s%s%s%s", options_msg, inv, inv,
	    options_msg, inv), -1);
	EXPECT_STR(s, MSG(OPT_LEN), MSG(il), MSG(il), MSG(OPT_LEN), MSG(il), MORE(0));
	/* A message cut short stays unforwarded, however it was read. */
	s[strlen(s) - 1] = '\0';
	EXPECT_STR(s, MSG(OPT_LEN), MSG(il), MSG(il), MSG(OPT_LEN), MORE(il - 1));
	free(s);
	free(inv);
}
END_TEST

START_TEST(test_zero_length_body)
{
	/* Content-Length: 0 and the next message's first octets right after. */
	EXPECT(OPTIONS_HEAD "Content-Length: 0\r\n\r\nSIP/2.0 200 OK\r\nl: 3\r\n\r\nabc",
	    MSG(OPT_LEN), MSG(27), MORE(0));
}
END_TEST

START_TEST(test_compact_form)
{
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nl: 5\r\n\r\nhello", MSG(38), MORE(0));
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nL:5\r\n\r\nhello", MSG(37), MORE(0));
	/* Other one-letter names are not l. */
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nm: 5\r\n\r\nhello",
	    ERR("Content-Length missing"));
}
END_TEST

START_TEST(test_name_case_and_space)
{
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\ncontent-LENGTH: 5\r\n\r\nhello",
	    MSG(51), MORE(0));
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nContent-Length  :  5  \r\n\r\nhello",
	    MSG(56), MORE(0));
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nContent-Length\t:\t5\t\r\n\r\nhello",
	    MSG(53), MORE(0));
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nContent-Length:0005\r\n\r\nhello",
	    MSG(53), MORE(0));
	/* Look-alike names are other fields. */
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nContent-Lengthx: 5\r\nX-Content-Length: 5\r\n\r\n",
	    ERR("Content-Length missing"));
}
END_TEST

START_TEST(test_folded_content_length)
{
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nContent-Length:\r\n 5\r\n\r\nhello",
	    MSG(53), MORE(0));
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nContent-Length:\r\n\t\r\n  5 \r\n \r\nTo: x\r\n\r\nhello",
	    MSG(68), MORE(0));
	/* Folding is LWS: it cannot join digits into one number. */
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 1\r\n 5\r\n\r\nhello",
	    ERR("Content-Length \"1\\x0d\\x0a 5\" is not a number"));
	/* The value ends at the empty line too. */
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nl:\r\n 5\r\n\r\nhello", MSG(40), MORE(0));
}
END_TEST

START_TEST(test_folded_fields)
{
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nSubject: a\r\n b\r\n\tc\r\nl: 5\r\nTo:\r\n <sip:a@b>\r\n\r\nhello",
	    MSG(75), MORE(0));
	/* A folded line that looks like a field or an empty line is neither. */
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nSubject: a\r\n Content-Length: 99\r\n \r\nl: 0\r\n\r\n",
	    MSG(69), MORE(0));
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\n folded: 0\r\nl: 0\r\n\r\n",
	    ERR("folded line right after the start line"));
}
END_TEST

START_TEST(test_repeated_content_length)
{
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 5\r\nl: 005\r\n\r\nhello",
	    MSG(59), MORE(0));
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 5\r\nl: 6\r\n\r\nhello!",
	    ERR("Content-Length 6 contradicts an earlier 5"));
}
END_TEST

START_TEST(test_binary_body)
{
	/* CRLF CRLF, NUL, bare CR and LF in a body: only the length counts. */
	static const uint8_t	s[] =
	    "MESSAGE sip:a@b SIP/2.0\r\nl: 13\r\n\r\n\r\n\r\n\0\r\n\n\rAB\r\n"
	    "\r\n\r\n";
	const struct ev		exp[] = { MSG(47), PING, MORE(0) };

	expect_events("binary body", s, sizeof(s) - 1, 0, 0, exp);
}
END_TEST

START_TEST(test_responses)
{
	EXPECT("SIP/2.0 200 OK\r\nl: 0\r\n\r\n", MSG(24), MORE(0));
	EXPECT("SIP/2.0 100 \r\nl: 0\r\n\r\n", MSG(22), MORE(0));
	EXPECT("sip/2.0 180 Ringing\r\nl: 0\r\n\r\n", MSG(29), MORE(0));
	EXPECT("SIP/2.0 200 \xd0\xbe\xd0\xba\tfine\r\nl: 0\r\n\r\n", MSG(31), MORE(0));
}
END_TEST

START_TEST(test_requests)
{
	EXPECT("!interesting-Method0123456789_*+`.%indeed'~ sip:x SIP/2.0\r\nl: 0\r\n\r\n",
	    MSG(67), MORE(0));
	EXPECT("INVITE <sip:a@b> sip/2.0\r\nl: 0\r\n\r\n", MSG(34), MORE(0));
}
END_TEST

/* What the framer refuses. */

START_TEST(test_content_length_missing)
{
	EXPECT(OPTIONS_HEAD "\r\n", ERR("Content-Length missing"));
	EXPECT("SIP/2.0 200 OK\r\n\r\n", ERR("Content-Length missing"));
}
END_TEST

START_TEST(test_content_length_bad)
{
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: abc\r\n\r\n",
	    ERR("Content-Length \"abc\" is not a number"));
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: -999\r\n\r\n",
	    ERR("Content-Length \"-999\" is negative"));
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: -\r\n\r\n",
	    ERR("Content-Length \"-\" is not a number"));
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: +5\r\n\r\nhello",
	    ERR("Content-Length \"+5\" is not a number"));
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 5 5\r\n\r\nhello",
	    ERR("Content-Length \"5 5\" is not a number"));
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 5,5\r\n\r\nhello",
	    ERR("Content-Length \"5,5\" is not a number"));
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 0x10\r\n\r\n",
	    ERR("Content-Length \"0x10\" is not a number"));
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nContent-Length:   \r\n\r\n",
	    ERR("Content-Length \"\" is not a number"));
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 5\r\r\n\r\nhello",
	    ERR("bare CR in the header section"));
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 99999999999999999999999999\r\n\r\n",
	    ERR("Content-Length 99999999999999999999... exceeds the body limit of 65536 bytes"));
	EXPECT("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 18446744073709551617\r\n\r\n",
	    ERR("Content-Length 18446744073709551617 exceeds the body limit of 65536 bytes"));
}
END_TEST

START_TEST(test_bare_lf)
{
	EXPECT("OPTIONS sip:a@b SIP/2.0\nl: 0\n\n", ERR("bare LF in the header section"));
	EXPECT("OPTIONS sip:a@b SIP/2.0\r\nl: 0\n\r\n", ERR("bare LF in the header section"));
	EXPECT("OPTIONS sip:a@b SIP/2.0\r\nl: 0\r\n\n", ERR("bare LF in the header section"));
	/* A bare LF in the body is body. */
	EXPECT("OPTIONS sip:a@b SIP/2.0\r\nl: 2\r\n\r\n\n\n", MSG(35), MORE(0));
}
END_TEST

START_TEST(test_bare_cr)
{
	/* pjsip-style scanners end a line at a lone CR; the framer would not */
	EXPECT("OPTIONS sip:a@b SIP/2.0\r\nX-A: 1\rContent-Length: 9\r\nl: 0\r\n\r\n",
	    ERR("bare CR in the header section"));
	EXPECT("OPTIONS sip:a@b SIP/2.0\rl: 0\r\n\r\n",
	    ERR("bare CR in the header section"));
	EXPECT("OPTIONS sip:a@b SIP/2.0\r\nSubject: a\r\n b\r\rl: 0\r\n\r\n",
	    ERR("bare CR in the header section"));
	/* A CR in the body is body. */
	EXPECT("OPTIONS sip:a@b SIP/2.0\r\nl: 2\r\n\r\n\r\r", MSG(35), MORE(0));
}
END_TEST

START_TEST(test_bad_start_line)
{
	EXPECT("INVITE  sip:a@b SIP/2.0\r\nl: 0\r\n\r\n",
	    ERR("bad start line \"INVITE  sip:a@b SIP/...\""));
	EXPECT("INVITE sip:a@b  SIP/2.0\r\nl: 0\r\n\r\n", ERR(NULL));
	EXPECT("INVITE sip:a@b SIP/2.0 \r\nl: 0\r\n\r\n", ERR(NULL));
	EXPECT("INVITE sip:a@b; lr SIP/2.0\r\nl: 0\r\n\r\n", ERR(NULL));
	EXPECT("INVITE sip:a@b SIP/7.0\r\nl: 0\r\n\r\n", ERR(NULL));
	EXPECT("INVITE sip:a@b\r\nl: 0\r\n\r\n", ERR("bad start line \"INVITE sip:a@b\""));
	EXPECT("INVITE sip:a@b HTTP/1.1\r\nl: 0\r\n\r\n", ERR(NULL));
	EXPECT("INV\x01TE sip:a@b SIP/2.0\r\nl: 0\r\n\r\n", ERR(NULL));
	EXPECT("INVITE sip:a\x7f@b SIP/2.0\r\nl: 0\r\n\r\n", ERR(NULL));
	EXPECT(" INVITE sip:a@b SIP/2.0\r\nl: 0\r\n\r\n", ERR(NULL));
	EXPECT("SIP/2.0 4294967301 big\r\nl: 0\r\n\r\n", ERR(NULL));
	EXPECT("SIP/2.0 20 OK\r\nl: 0\r\n\r\n", ERR(NULL));
	EXPECT("SIP/2.0 2x0 OK\r\nl: 0\r\n\r\n", ERR(NULL));
	EXPECT("SIP/2.0 abc OK\r\nl: 0\r\n\r\n", ERR(NULL));
	EXPECT("SIP/2.0 200\r\nl: 0\r\n\r\n", ERR(NULL));
	EXPECT("SIP/2.0  200 OK\r\nl: 0\r\n\r\n", ERR(NULL));
	EXPECT("SIP/2.0 200 O\x01K\r\nl: 0\r\n\r\n", ERR(NULL));
	EXPECT("SIP/2.1 200 OK\r\nl: 0\r\n\r\n", ERR(NULL));
	EXPECT("HTTP/1.1 200 OK\r\nl: 0\r\n\r\n", ERR(NULL));
	EXPECT("\r\n\r\n\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n",
	    PING, ERR("bad start line \"\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03\""));
}
END_TEST

START_TEST(test_malformed_field)
{
	EXPECT("OPTIONS sip:a@b SIP/2.0\r\nFoobar roobar\r\nl: 0\r\n\r\n",
	    ERR("malformed header field \"Foobar roobar\""));
	EXPECT("OPTIONS sip:a@b SIP/2.0\r\n: 0\r\nl: 0\r\n\r\n",
	    ERR("malformed header field \": 0\""));
	EXPECT("OPTIONS sip:a@b SIP/2.0\r\nContent Length: 0\r\n\r\n",
	    ERR("malformed header field \"Content Length: 0\""));
	EXPECT("OPTIONS sip:a@b SIP/2.0\r\nTo\r\nl: 0\r\n\r\n",
	    ERR("malformed header field \"To\""));
	EXPECT("OPTIONS sip:a@b SIP/2.0\r\nTo\x00: x\r\nl: 0\r\n\r\n", ERR(NULL));
	/* a stack that trims VT would read this as Content-Length */
	EXPECT("OPTIONS sip:a@b SIP/2.0\r\nContent-Length\x0b: 5\r\nl: 0\r\n\r\n",
	    ERR("malformed header field \"Content-Length\\x0b: 5\""));
}
END_TEST

START_TEST(test_error_sticky)
{
	static const uint8_t	 s[] = "OPTIONS sip:a@b SIP/2.0\r\n\r\n" OPTIONS_HEAD;
	struct sipframe		 sf;
	const char		*r1, *r2;
	size_t			 ml;

	sipframe_init(&sf, 0, 0);
	ck_assert_int_eq(sipframe_next(&sf, s, sizeof(s) - 1, &ml, &r1),
	    SIPFRAME_ERROR);
	ck_assert_str_eq(r1, "Content-Length missing");
	ck_assert_int_eq(sipframe_next(&sf, s, sizeof(s) - 1, &ml, &r2),
	    SIPFRAME_ERROR);
	ck_assert_str_eq(r2, "Content-Length missing");
	ck_assert_uint_eq(ml, 0);
	/* init starts a new stream */
	sipframe_init(&sf, 0, 0);
	ck_assert_int_eq(sipframe_next(&sf, (const uint8_t *)options_msg,
	    OPT_LEN, &ml, &r1), SIPFRAME_MESSAGE);
}
END_TEST

START_TEST(test_buffer_shrinks)
{
	struct sipframe	 sf;
	const char	*r;
	size_t		 ml;

	sipframe_init(&sf, 0, 0);
	ck_assert_int_eq(sipframe_next(&sf, (const uint8_t *)options_msg, 50,
	    &ml, &r), SIPFRAME_MORE);
	ck_assert_int_eq(sipframe_next(&sf, (const uint8_t *)options_msg, 49,
	    &ml, &r), SIPFRAME_ERROR);
	ck_assert_str_eq(r, "49 bytes passed after 50 were examined");
}
END_TEST

START_TEST(test_empty_buffer)
{
	struct sipframe	 sf;
	const char	*r = "x";
	size_t		 ml = 7;

	sipframe_init(&sf, 0, 0);
	ck_assert_int_eq(sipframe_next(&sf, NULL, 0, &ml, &r), SIPFRAME_MORE);
	ck_assert_uint_eq(ml, 0);
	ck_assert_ptr_null(r);
}
END_TEST

/* Limits, at the boundary and one past. */

/* A request whose header section is exactly HDR octets, with BODY octets. */
static uint8_t *
msg_sized(size_t hdr, size_t body, size_t *len)
{
	static const char	 head[] = "MESSAGE sip:a@b SIP/2.0\r\nX-Pad: ";
	char			 tail[64];
	uint8_t			*m;
	size_t			 tl, pad;

	tl = (size_t)snprintf(tail, sizeof(tail),
	    "\r\nContent-Length: %zu\r\n\r\n", body);
	ck_assert_uint_ge(hdr, sizeof(head) - 1 + tl);
	pad = hdr - (sizeof(head) - 1) - tl;
	*len = hdr + body;
	ck_assert_ptr_nonnull(m = malloc(*len));
	memcpy(m, head, sizeof(head) - 1);
	memset(m + sizeof(head) - 1, 'p', pad);
	memcpy(m + hdr - tl, tail, tl);
	memset(m + hdr, 0xa5, body);
	return m;
}

static void
expect_sized(size_t hdr, size_t body, size_t max_header, size_t max_body,
    const struct ev *exp)
{
	uint8_t	*m;
	size_t	 len;
	char	 what[96];

	m = msg_sized(hdr, body, &len);
	snprintf(what, sizeof(what), "header %zu body %zu limits %zu/%zu",
	    hdr, body, max_header, max_body);
	expect_events(what, m, len, max_header, max_body, exp);
	free(m);
}

START_TEST(test_resume_offset)
{
	/* After MORE the framer resumes where it stopped, not at the start. */
	struct sipframe	 sf;
	const char	*r;
	size_t		 len, ml;
	uint8_t		*m = msg_sized(12000, 0, &len);

	sipframe_init(&sf, 0, 0);
	ck_assert_int_eq(sipframe_next(&sf, m, 5000, &ml, &r), SIPFRAME_MORE);
	ck_assert_uint_eq(sf.sf_seek, 5000);
	ck_assert_uint_eq(sf.sf_line, 25);	/* the X-Pad line, after the start line */
	ck_assert_int_eq(sipframe_next(&sf, m, len, &ml, &r), SIPFRAME_MESSAGE);
	ck_assert_uint_eq(ml, len);
	ck_assert_uint_eq(sf.sf_seek, 0);	/* reset for the next unit */
	free(m);
}
END_TEST

START_TEST(test_header_limit)
{
	expect_sized(16384, 10, 0, 0, (const struct ev[]){ MSG(16394), MORE(0) });
	expect_sized(16385, 10, 0, 0,
	    (const struct ev[]){ ERR("headers exceed 16384 bytes") });
	expect_sized(200, 0, 200, 0, (const struct ev[]){ MSG(200), MORE(0) });
	expect_sized(201, 0, 200, 0,
	    (const struct ev[]){ ERR("headers exceed 200 bytes") });
}
END_TEST

START_TEST(test_header_limit_early)
{
	/* The error comes once the limit is reached, not when the end arrives. */
	size_t	 len;
	uint8_t	*m = msg_sized(1000, 0, &len);

	expect_events("cut at limit", m, 300, 300, 0,
	    (const struct ev[]){ ERR("headers exceed 300 bytes") });
	expect_events("one before", m, 299, 300, 0,
	    (const struct ev[]){ MORE(299) });
	free(m);
}
END_TEST

START_TEST(test_body_limit)
{
	expect_sized(100, 65536, 0, 0, (const struct ev[]){ MSG(65636), MORE(0) });
	expect_sized(100, 65537, 0, 0, (const struct ev[]){
	    ERR("Content-Length 65537 exceeds the body limit of 65536 bytes") });
	expect_sized(100, 32, 0, 32, (const struct ev[]){ MSG(132), MORE(0) });
	expect_sized(100, 33, 0, 32, (const struct ev[]){
	    ERR("Content-Length 33 exceeds the body limit of 32 bytes") });
}
END_TEST

START_TEST(test_body_limit_early)
{
	/* Refused from the header section alone: no need to wait for the body. */
	size_t	 len;
	uint8_t	*m = msg_sized(100, 70000, &len);

	expect_events("header only", m, 100, 0, 0, (const struct ev[]){
	    ERR("Content-Length 70000 exceeds the body limit of 65536 bytes") });
	free(m);
}
END_TEST

START_TEST(test_large_bodies)
{
	size_t	 l1, l2;
	uint8_t	*a = msg_sized(300, 60000, &l1), *b = msg_sized(5000, 65536, &l2);
	uint8_t	*s = malloc(l1 + l2 + l1);

	ck_assert_ptr_nonnull(s);
	memcpy(s, a, l1);
	memcpy(s + l1, b, l2);
	memcpy(s + l1 + l2, a, l1);
	expect_events("large bodies", s, l1 + l2 + l1, 0, 0,
	    (const struct ev[]){ MSG(l1), MSG(l2), MSG(l1), MORE(0) });
	free(a);
	free(b);
	free(s);
}
END_TEST

START_TEST(test_limit_defaults)
{
	struct sipframe	sf;

	sipframe_init(&sf, 0, 0);
	ck_assert_uint_eq(sf.sf_max_header, SIPFRAME_MAX_HEADER_DEFAULT);
	ck_assert_uint_eq(sf.sf_max_body, SIPFRAME_MAX_BODY_DEFAULT);
	sipframe_init(&sf, 100, SIZE_MAX);
	ck_assert_uint_eq(sf.sf_max_header, 100);
	ck_assert_uint_le(sf.sf_max_body, SIZE_MAX / 16);
}
END_TEST

START_TEST(test_header_span)
{
	char	*inv = msg_make(INVITE_HEAD, sdp_body);
	size_t	 hdr;

	ck_assert(sipframe_header_span((const uint8_t *)inv, strlen(inv), &hdr));
	ck_assert_uint_eq(hdr, strlen(inv) - strlen(sdp_body));
	ck_assert(sipframe_header_span((const uint8_t *)options_msg, OPT_LEN, &hdr));
	ck_assert_uint_eq(hdr, OPT_LEN);
	ck_assert(!sipframe_header_span((const uint8_t *)options_msg,
	    OPT_LEN - 1, &hdr));
	free(inv);
}
END_TEST

START_TEST(test_random_stream)
{
	/* Many messages and keep-alives, in one stream, framed every way. */
	struct ev	 exp[MAX_EVENTS];
	char		*inv = msg_make(INVITE_HEAD, sdp_body);
	char		 s[40000];
	size_t		 il = strlen(inv), n = 0, k = 0;
	uint32_t	 rng = 12345;

	while (k < MAX_EVENTS - 1 && n + il < sizeof(s)) {
		switch (rng_next(&rng) % 4) {
		case 0:
			memcpy(s + n, options_msg, OPT_LEN);
			n += OPT_LEN;
			exp[k++] = (struct ev)MSG(OPT_LEN);
			break;
		case 1:
			memcpy(s + n, inv, il);
			n += il;
			exp[k++] = (struct ev)MSG(il);
			break;
		case 2:
			memcpy(s + n, "\r\n\r\n", 4);
			n += 4;
			exp[k++] = (struct ev)PING;
			break;
		default:	/* a pong is one only when no CR follows */
			if (k > 0 && exp[k - 1].res == SIPFRAME_MESSAGE) {
				memcpy(s + n, "\r\n", 2);
				n += 2;
				exp[k++] = (struct ev)PONG;
				memcpy(s + n, options_msg, OPT_LEN);
				n += OPT_LEN;
				exp[k++] = (struct ev)MSG(OPT_LEN);
			}
			break;
		}
		if (k >= MAX_EVENTS - 2)
			break;
	}
	exp[k] = (struct ev)MORE(0);
	expect_events("random stream", (uint8_t *)s, n, 0, 0, exp);
	free(inv);
}
END_TEST


/* Datagrams (RFC 3261 section 18.3, message-oriented transports). */

/* A reason lives in the framer, so each test keeps its framer for as long. */
static struct sipframe	dgram_sf;

static enum sipframe_result
dgram(const char *p, size_t len, struct sipframe_dgram *d, const char **reason)
{
	sipframe_init(&dgram_sf, 0, 0);
	return sipframe_datagram(&dgram_sf, (const uint8_t *)p, len, d, reason);
}

START_TEST(test_dgram_with_cl)
{
	static const char	m[] = OPTIONS_HEAD "Content-Length: 4\r\n\r\nabcd";
	struct sipframe_dgram	d;
	const char		*why;

	ck_assert_int_eq(dgram(m, sizeof(m) - 1, &d, &why), SIPFRAME_MESSAGE);
	ck_assert(d.has_cl);
	ck_assert_uint_eq(d.bodylen, 4);
	ck_assert_uint_eq(d.hdrlen + d.bodylen, sizeof(m) - 1);
}
END_TEST

START_TEST(test_dgram_excess)
{
	static const char	m[] = OPTIONS_HEAD "Content-Length: 2\r\n\r\nabOPTIONS x";
	struct sipframe_dgram	d;
	const char		*why;

	ck_assert_int_eq(dgram(m, sizeof(m) - 1, &d, &why), SIPFRAME_MESSAGE);
	ck_assert_uint_eq(d.bodylen, 2);
	ck_assert_uint_eq(sizeof(m) - 1 - d.hdrlen - d.bodylen, 9);
}
END_TEST

START_TEST(test_dgram_without_cl)
{
	static const char	m[] = "SIP/2.0 200 OK\r\nCSeq: 1 OPTIONS\r\n\r\nv=0\r\n";
	static const char	e[] = "SIP/2.0 200 OK\r\nCSeq: 1 OPTIONS\r\n\r\n";
	struct sipframe_dgram	d;
	const char		*why;

	ck_assert_int_eq(dgram(m, sizeof(m) - 1, &d, &why), SIPFRAME_MESSAGE);
	ck_assert(!d.has_cl);
	ck_assert_uint_eq(d.hdrlen, sizeof(e) - 1);
	ck_assert_uint_eq(d.bodylen, 5);
	ck_assert_int_eq(dgram(e, sizeof(e) - 1, &d, &why), SIPFRAME_MESSAGE);
	ck_assert_uint_eq(d.bodylen, 0);
}
END_TEST

START_TEST(test_dgram_refused)
{
	static const char	shortbody[] = OPTIONS_HEAD "Content-Length: 9\r\n\r\nabcd";
	static const char	nohdrend[] = OPTIONS_HEAD "Content-Length: 0\r\n";
	static const char	barelf[] = "SIP/2.0 200 OK\nCSeq: 1 BYE\r\n\r\n";
	struct sipframe_dgram	d;
	const char		*why;

	ck_assert_int_eq(dgram(shortbody, sizeof(shortbody) - 1, &d, &why), SIPFRAME_ERROR);
	ck_assert_str_eq(why, "datagram ends 4 bytes into a body of Content-Length 9");
	ck_assert_int_eq(dgram(nohdrend, sizeof(nohdrend) - 1, &d, &why), SIPFRAME_ERROR);
	ck_assert_str_eq(why, "datagram ends inside the header section");
	ck_assert_int_eq(dgram(barelf, sizeof(barelf) - 1, &d, &why), SIPFRAME_ERROR);
	ck_assert_str_eq(why, "bare LF in the header section");
	ck_assert_int_eq(dgram("\r\n\r\n", 4, &d, &why), SIPFRAME_PING);
	ck_assert_int_eq(dgram("\r\n", 2, &d, &why), SIPFRAME_PONG);
	ck_assert_int_eq(dgram("\r\n\r\n\r\n", 6, &d, &why), SIPFRAME_ERROR);
}
END_TEST

START_TEST(test_dgram_body_limit)
{
	struct sipframe		sf;
	struct sipframe_dgram	d;
	const char		*why;
	static const char	big[] = OPTIONS_HEAD "\r\n0123456789X";
	static const char	fits[] = OPTIONS_HEAD "\r\n0123456789";

	sipframe_init(&sf, 0, 10);
	ck_assert_int_eq(sipframe_datagram(&sf, (const uint8_t *)big, sizeof(big) - 1,
	    &d, &why), SIPFRAME_ERROR);
	ck_assert_str_eq(why, "body of 11 bytes exceeds the body limit of 10 bytes");
	/* each datagram stands alone: an error does not stay */
	ck_assert_int_eq(sipframe_datagram(&sf, (const uint8_t *)fits, sizeof(fits) - 1,
	    &d, &why), SIPFRAME_MESSAGE);
}
END_TEST

static Suite *
unit_suite(void)
{
	Suite	*s = suite_create("sipframe");
	TCase	*tc;

	tc = tcase_create("keepalive");
	tcase_add_test(tc, test_ping);
	tcase_add_test(tc, test_pong);
	tcase_add_test(tc, test_keepalive_interleaved);
	tcase_add_test(tc, test_keepalive_not_crlf);
	suite_add_tcase(s, tc);

	tc = tcase_create("framing");
	tcase_add_test(tc, test_options);
	tcase_add_test(tc, test_invite_sdp);
	tcase_add_test(tc, test_pipelined);
	tcase_add_test(tc, test_zero_length_body);
	tcase_add_test(tc, test_compact_form);
	tcase_add_test(tc, test_name_case_and_space);
	tcase_add_test(tc, test_folded_content_length);
	tcase_add_test(tc, test_folded_fields);
	tcase_add_test(tc, test_repeated_content_length);
	tcase_add_test(tc, test_binary_body);
	tcase_add_test(tc, test_responses);
	tcase_add_test(tc, test_requests);
	tcase_add_test(tc, test_header_span);
	tcase_add_test(tc, test_random_stream);
	tcase_add_test(tc, test_resume_offset);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_content_length_missing);
	tcase_add_test(tc, test_content_length_bad);
	tcase_add_test(tc, test_bare_lf);
	tcase_add_test(tc, test_bare_cr);
	tcase_add_test(tc, test_bad_start_line);
	tcase_add_test(tc, test_malformed_field);
	tcase_add_test(tc, test_error_sticky);
	tcase_add_test(tc, test_buffer_shrinks);
	tcase_add_test(tc, test_empty_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("datagram");
	tcase_add_test(tc, test_dgram_with_cl);
	tcase_add_test(tc, test_dgram_excess);
	tcase_add_test(tc, test_dgram_without_cl);
	tcase_add_test(tc, test_dgram_refused);
	tcase_add_test(tc, test_dgram_body_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	/* byte-by-byte over 64 KiB bodies is slow under ASan */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_header_limit);
	tcase_add_test(tc, test_header_limit_early);
	tcase_add_test(tc, test_body_limit);
	tcase_add_test(tc, test_body_limit_early);
	tcase_add_test(tc, test_large_bodies);
	tcase_add_test(tc, test_limit_defaults);
	suite_add_tcase(s, tc);
	return s;
}

/*
 * The torture corpus (see TORTURE.md beside the framer's tests). Each file is
 * a stream on its own: what the framer makes of it, and why. The manifest's
 * facts (size, SHA-256, header end, Content-Length) are checked as well.
 */

#define BAD_START(q)	ERR("bad start line \"" q "\"")
#define BARE_LF		ERR("bare LF in the header section")

struct torture_case {
	const char	*file;		/* under sip-torture/ */
	const char	*manifest;	/* the manifest's expectation, shortened */
	struct ev	 expect[5];
	const char	*why;
};

static const struct torture_case torture_cases[] = {
	{ "rfc4475/wsinv.dat", "valid", { MSG(1001), MORE(0) },
	    "folded fields, \"Content-Length   : 150\": whitespace before the colon" },
	{ "rfc4475/intmeth.dat", "valid (unknown method)", { MSG(641), MORE(0) },
	    "method is all token octets; NUL/BEL/DEL in a header value are not framing" },
	{ "rfc4475/esc01.dat", "valid", { MSG(543), MORE(0) }, "folded Contact" },
	{ "rfc4475/escnull.dat", "valid", { MSG(359), MORE(0) }, "%00 is text" },
	{ "rfc4475/esc02.dat", "valid (unknown method)", { MSG(439), MORE(0) },
	    "RE%47IST%45R is a token; compact l: 0" },
	{ "rfc4475/lwsdisp.dat", "valid", { MSG(255), MORE(0) }, "compact l: 0" },
	{ "rfc4475/longreq.dat", "valid", { MSG(3515), MORE(0) },
	    "3365-octet header section, under the 16 KiB limit; l: 150" },
	{ "rfc4475/dblreq.dat", "valid; trailing octets are UDP noise",
	    { MSG(300), PONG, MSG(443), BAD_START("C"), },
	    "on a stream the CRLF is a pong, the INVITE a second message, \"C\" a bad start line" },
	{ "rfc4475/semiuri.dat", "valid", { MSG(380), MORE(0) }, "compact l: 0" },
	{ "rfc4475/transports.dat", "valid", { MSG(503), MORE(0) }, "compact l: 0" },
	{ "rfc4475/mpart01.dat", "valid", { MSG(1290), MORE(0) },
	    "NUL, bare CR and LF in the body: Content-Length 553 alone delimits it" },
	{ "rfc4475/unreason.dat", "valid response", { MSG(526), MORE(0) },
	    "UTF-8 in the reason phrase" },
	{ "rfc4475/noreason.dat", "valid response", { MSG(274), MORE(0) },
	    "\"SIP/2.0 100 \": an empty reason phrase is allowed" },
	{ "rfc4475/badinv01.dat", "invalid: 400", { MSG(472), MORE(0) },
	    "extra separators are the backend's to refuse; framing is sound" },
	{ "rfc4475/clerr.dat", "invalid: on a stream wait, then close", { MORE(498) },
	    "Content-Length 9999 > 154 octets present: waits, the relay's idle timer closes" },
	{ "rfc4475/ncl.dat", "invalid: framing error, close",
	    { ERR("Content-Length \"-999\" is negative") }, "negative Content-Length" },
	{ "rfc4475/scalar02.dat", "invalid: 400", { MSG(476), MORE(0) },
	    "overlarge CSeq etc. are not framing" },
	{ "rfc4475/scalarlg.dat", "invalid response: discard", { MSG(385), MORE(0) },
	    "overlarge scalars are not framing" },
	{ "rfc4475/quotbal.dat", "invalid: 400", { MSG(485), MORE(0) },
	    "unterminated quote is inside a field value" },
	{ "rfc4475/ltgtruri.dat", "invalid: 400", { MSG(452), MORE(0) },
	    "<sip:...> is visible octets; URI syntax is the backend's" },
	{ "rfc4475/lwsruri.dat", "invalid: 400",
	    { BAD_START("INVITE sip:user@exam...") },
	    "SP inside the Request-URI: not METHOD SP URI SP SIP/2.0" },
	{ "rfc4475/lwsstart.dat", "invalid: 400",
	    { BAD_START("INVITE  sip:user@exa...") }, "two SP between elements" },
	{ "rfc4475/trws.dat", "invalid: 400",
	    { BAD_START("OPTIONS sip:remote-t...") }, "SP after SIP/2.0" },
	{ "rfc4475/escruri.dat", "invalid: 400 or accept", { MSG(550), MORE(0) },
	    "escaped headers in the URI are URI syntax" },
	{ "rfc4475/baddate.dat", "invalid: 400 or accept", { MSG(532), MORE(0) },
	    "Date syntax is not framing" },
	{ "rfc4475/regbadct.dat", "invalid: 400 or accept", { MSG(307), MORE(0) },
	    "name-addr syntax is not framing" },
	{ "rfc4475/badaspec.dat", "invalid: 400 or accept", { MSG(346), MORE(0) },
	    "addr-spec syntax is not framing" },
	{ "rfc4475/baddn.dat", "invalid: 400 or accept; archive copy unterminated",
	    { MORE(331) }, "no empty line after l: 0: the header section never ends" },
	{ "rfc4475-variants/baddn-terminated.dat", "(variant) invalid: 400 or accept",
	    { MSG(333), MORE(0) }, "display-name syntax is not framing" },
	{ "rfc4475/badvers.dat", "invalid: 505",
	    { BAD_START("OPTIONS sip:t.watson...") },
	    "SIP/7.0: only SIP/2.0's framing is known" },
	{ "rfc4475/mismatch01.dat", "invalid: 400", { MSG(236), MORE(0) },
	    "CSeq method mismatch is not framing" },
	{ "rfc4475/mismatch02.dat", "invalid: 501 or 400", { MSG(449), MORE(0) },
	    "unknown method is a token; l: 138" },
	{ "rfc4475/bigcode.dat", "invalid response: discard",
	    { BAD_START("SIP/2.0 4294967301 b...") }, "status code is not 3DIGIT" },
	{ "rfc4475/badbranch.dat", "well-formed", { MSG(262), MORE(0) }, "framing is sound" },
	{ "rfc4475/insuf.dat", "400: missing fields", { MSG(304), MORE(0) },
	    "missing Call-ID/From/To are not framing" },
	{ "rfc4475/unkscm.dat", "well-formed: 416", { MSG(291), MORE(0) },
	    "any visible URI passes" },
	{ "rfc4475/novelsc.dat", "well-formed", { MSG(277), MORE(0) }, "framing is sound" },
	{ "rfc4475/unksm2.dat", "well-formed", { MSG(282), MORE(0) }, "framing is sound" },
	{ "rfc4475/bext01.dat", "well-formed: 420", { MSG(381), MORE(0) }, "framing is sound" },
	{ "rfc4475/invut.dat", "well-formed: 415", { MSG(391), MORE(0) }, "framing is sound" },
	{ "rfc4475/regaut01.dat", "well-formed", { MSG(304), MORE(0) }, "framing is sound" },
	{ "rfc4475/multi01.dat", "400: repeated single fields", { MSG(643), MORE(0) },
	    "repeated To/From/etc. are not framing (Content-Length is single)" },
	{ "rfc4475/mcl01.dat", "error; on a stream close",
	    { ERR("Content-Length 5 contradicts an earlier 13") },
	    "two different Content-Length values" },
	{ "rfc4475/bcast.dat", "well-formed response", { MSG(516), MORE(0) }, "framing is sound" },
	{ "rfc4475/zeromf.dat", "well-formed", { MSG(272), MORE(0) }, "framing is sound" },
	{ "rfc4475/cparam01.dat", "well-formed", { MSG(321), MORE(0) }, "framing is sound" },
	{ "rfc4475/cparam02.dat", "well-formed", { MSG(311), MORE(0) }, "framing is sound" },
	{ "rfc4475/regescrt.dat", "well-formed", { MSG(302), MORE(0) }, "framing is sound" },
	{ "rfc4475/sdp01.dat", "well-formed: 406", { MSG(494), MORE(0) }, "framing is sound" },
	{ "rfc4475/inv2543.dat", "RFC 2543 style; no Content-Length",
	    { ERR("Content-Length missing") },
	    "Content-Length is mandatory on a stream (RFC 3261 18.3)" },
	{ "rfc4475/test.dat", "(undescribed)",
	    { BAD_START("INVITE sip:alan@jaso...") }, "request line without SIP-Version" },

	{ "rfc5118/wire/ipv6-good.dat", "valid", { MSG(303), MORE(0) }, "framing is sound" },
	{ "rfc5118/wire/ipv6-bad.dat", "invalid: 400", { MSG(301), MORE(0) },
	    "unbracketed IPv6 is URI syntax" },
	{ "rfc5118/wire/port-ambiguous.dat", "valid", { MSG(308), MORE(0) }, "framing is sound" },
	{ "rfc5118/wire/port-unambiguous.dat", "valid", { MSG(308), MORE(0) }, "framing is sound" },
	{ "rfc5118/wire/via-received-param-with-delim.dat", "valid",
	    { MSG(283), MORE(0) }, "framing is sound" },
	{ "rfc5118/wire/via-received-param-no-delim.dat", "valid",
	    { MSG(317), MORE(0) }, "framing is sound" },
	{ "rfc5118/wire/ipv6-in-sdp.dat", "valid (CL 268, 242 body octets)",
	    { MORE(581) }, "Content-Length exceeds the octets present: waits" },
	{ "rfc5118/wire/mult-ip-in-header.dat", "valid", { MSG(397), MORE(0) }, "framing is sound" },
	{ "rfc5118/wire/mult-ip-in-sdp.dat", "valid (CL 181, 180 body octets)",
	    { MORE(521) }, "Content-Length exceeds the octets present: waits" },
	{ "rfc5118/wire/ipv4-mapped-ipv6.dat", "valid", { MSG(648), MORE(0) },
	    "bare LF only in the body" },
	{ "rfc5118/wire/ipv6-bug-abnf-3-colons.dat", "tolerate", { MSG(282), MORE(0) }, "framing is sound" },
	{ "rfc5118/wire/ipv6-correct-abnf-2-colons.dat", "valid", { MSG(280), MORE(0) }, "framing is sound" },

	{ "rfc5118/archive/ipv6-good.dat", "valid (LF line ends as published)",
	    { BARE_LF }, "LF-only lines are refused" },
	{ "rfc5118/archive/ipv6-bad.dat", "invalid: 400", { BARE_LF }, "LF-only" },
	{ "rfc5118/archive/port-ambiguous.dat", "valid", { BARE_LF }, "LF-only" },
	{ "rfc5118/archive/port-unambiguous.dat", "valid", { BARE_LF }, "LF-only" },
	{ "rfc5118/archive/via-received-param-with-delim.dat", "valid", { BARE_LF },
	    "LF-only" },
	{ "rfc5118/archive/via-received-param-no-delim.dat", "valid", { BARE_LF },
	    "LF-only" },
	{ "rfc5118/archive/ipv6-in-sdp.dat", "valid", { BARE_LF }, "LF-only" },
	{ "rfc5118/archive/mult-ip-in-header.dat", "valid", { BARE_LF }, "LF-only" },
	{ "rfc5118/archive/mult-ip-in-sdp.dat", "valid", { BARE_LF }, "LF-only" },
	{ "rfc5118/archive/ipv4-mapped-ipv6.dat", "valid", { BARE_LF }, "LF-only" },
	{ "rfc5118/archive/ipv6-bug-abnf-3-colons.dat", "tolerate; unterminated",
	    { BARE_LF }, "LF-only" },
	{ "rfc5118/archive/ipv6-correct-abnf-2-colons.dat", "valid; unterminated",
	    { BARE_LF }, "LF-only" },
};

#define NTORTURE	(sizeof(torture_cases) / sizeof(torture_cases[0]))

static const char	*torture_dir;	/* .../sip-torture */

/* Reads a whole file; fails the test when it cannot. */
static uint8_t *
file_read(const char *rel, size_t *len)
{
	char	 path[4096];
	FILE	*f;
	uint8_t	*buf;
	long	 n;

	snprintf(path, sizeof(path), "%s/%s", torture_dir, rel);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	ck_assert_int_ge(n = ftell(f), 0);
	rewind(f);
	ck_assert_ptr_nonnull(buf = malloc((size_t)n + 1));
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static void
sha256_hex(const uint8_t *p, size_t n, char out[65])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen, i;

	ck_assert(EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) == 1);
	for (i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/*
 * A manifest row's facts for one file. rfc4475.tsv: file section title group
 * expectation octets sha256 header_end content_length octets_after_header
 * note. rfc5118.tsv: name section title expectation archive_octets
 * archive_sha256 wire_octets wire_sha256 wire_header_end content_length
 * body_octets note (header_end is given for the wire form only).
 */
struct manifest_row {
	char	octets[32];
	char	sha256[80];
	char	header_end[32];
	char	content_length[64];
};

/* Field I of a tab-separated line, copied into dst. */
static bool
tsv_field(const char *line, int i, char *dst, size_t size)
{
	const char	*end;
	size_t		 n;

	while (i-- > 0)
		if ((line = strchr(line, '\t')) == NULL)
			return false;
		else
			line++;
	end = line + strcspn(line, "\t\n");
	n = (size_t)(end - line);
	if (n >= size)
		return false;
	memcpy(dst, line, n);
	dst[n] = '\0';
	return true;
}

/* Finds the manifest row for REL; false if the file has none (the variant). */
static bool
manifest_find(const char *rel, struct manifest_row *row)
{
	char		 name[256], key[256];
	const char	*tsv, *line;
	uint8_t		*text;
	size_t		 n;
	bool		 wire = strncmp(rel, "rfc5118/wire/", 13) == 0;
	bool		 found = false;

	if (strncmp(rel, "rfc4475/", 8) == 0) {
		tsv = "rfc4475.tsv";
		snprintf(key, sizeof(key), "%s", rel);
	} else if (strncmp(rel, "rfc5118/", 8) == 0) {
		tsv = "rfc5118.tsv";
		snprintf(key, sizeof(key), "%s", strrchr(rel, '/') + 1);
		key[strlen(key) - 4] = '\0';	/* .dat */
	} else
		return false;
	text = file_read(tsv, &n);
	for (line = (char *)text; line && *line; line = strchr(line, '\n'),
	    line = line ? line + 1 : NULL) {
		if (!tsv_field(line, 0, name, sizeof(name)) || strcmp(name, key))
			continue;
		if (tsv[3] == '4')
			found = tsv_field(line, 5, row->octets, sizeof(row->octets)) &&
			    tsv_field(line, 6, row->sha256, sizeof(row->sha256)) &&
			    tsv_field(line, 7, row->header_end, sizeof(row->header_end)) &&
			    tsv_field(line, 8, row->content_length,
			    sizeof(row->content_length));
		else
			found = tsv_field(line, wire ? 6 : 4, row->octets,
			    sizeof(row->octets)) &&
			    tsv_field(line, wire ? 7 : 5, row->sha256,
			    sizeof(row->sha256)) &&
			    tsv_field(line, 9, row->content_length,
			    sizeof(row->content_length)) &&
			    tsv_field(line, 8, row->header_end,
			    sizeof(row->header_end));
		if (found && !wire && tsv[3] == '5')
			snprintf(row->header_end, sizeof(row->header_end), "-");
		break;
	}
	free(text);
	ck_assert_msg(found, "%s: no row in %s", rel, tsv);
	return true;
}

/* The bytes are the manifest's, and a lone framed message agrees with its facts. */
static void
torture_check_manifest(const struct torture_case *tc, const uint8_t *data,
    size_t len)
{
	struct manifest_row	row;
	char			hex[65] = "", num[32];
	size_t			hdr;

	if (!manifest_find(tc->file, &row))
		return;
	snprintf(num, sizeof(num), "%zu", len);
	ck_assert_msg(strcmp(num, row.octets) == 0, "%s: %zu octets, manifest %s",
	    tc->file, len, row.octets);
	sha256_hex(data, len, hex);
	ck_assert_msg(strcmp(hex, row.sha256) == 0, "%s: SHA-256 %s, manifest %s",
	    tc->file, hex, row.sha256);
	if (tc->expect[0].res != SIPFRAME_MESSAGE)
		return;
	ck_assert(sipframe_header_span(data, tc->expect[0].len, &hdr));
	snprintf(num, sizeof(num), "%zu", hdr);
	ck_assert_msg(strcmp(num, row.header_end) == 0,
	    "%s: header ends at %zu, manifest %s", tc->file, hdr, row.header_end);
	snprintf(num, sizeof(num), "%zu", tc->expect[0].len - hdr);
	ck_assert_msg(strcmp(num, row.content_length) == 0,
	    "%s: body %s octets, manifest Content-Length %s", tc->file, num,
	    row.content_length);
}

START_TEST(test_torture_file)
{
	const struct torture_case	*tc = &torture_cases[_i];
	uint8_t				*data;
	size_t				 len;
	char				 what[512];

	snprintf(what, sizeof(what), "%s (manifest: %s; framer: %s)", tc->file,
	    tc->manifest, tc->why);
	data = file_read(tc->file, &len);
	torture_check_manifest(tc, data, len);
	expect_events(what, data, len, 0, 0, tc->expect);
	free(data);
}
END_TEST

/* Every manifest row has a case above: a new corpus file needs a verdict. */
START_TEST(test_torture_complete)
{
	static const char *const	 tsvs[] = { "rfc4475.tsv", "rfc5118.tsv" };
	static const char *const	 forms[] = { "rfc5118/wire/", "rfc5118/archive/" };
	char				 name[256], rel[512];
	const char			*line;
	uint8_t				*text;
	size_t				 n, i, f, rows = 0;
	bool				 found;

	for (i = 0; i < 2; i++) {
		text = file_read(tsvs[i], &n);
		line = strchr((char *)text, '\n');	/* the header line */
		for (line = line ? line + 1 : NULL; line && *line;
		    line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
			ck_assert(tsv_field(line, 0, name, sizeof(name)));
			for (f = 0; f < (i == 0 ? 1u : 2u); f++) {
				if (i == 0)
					snprintf(rel, sizeof(rel), "%s", name);
				else
					snprintf(rel, sizeof(rel), "%s%s.dat",
					    forms[f], name);
				found = false;
				for (size_t k = 0; k < NTORTURE; k++)
					found = found ||
					    strcmp(torture_cases[k].file, rel) == 0;
				ck_assert_msg(found, "%s: in the manifest, not in "
				    "torture_cases", rel);
				rows++;
			}
		}
		free(text);
	}
	/* the manifests' files plus the baddn variant */
	ck_assert_uint_eq(rows + 1, NTORTURE);
}
END_TEST

/*
 * All messages the framer accepts, in one stream with keep-alives between
 * them, read in random chunks: each comes out octet for octet as its file.
 */
START_TEST(test_torture_stream)
{
	struct sipframe		 sf;
	uint8_t			*files[NTORTURE], *s;
	size_t			 lens[NTORTURE], n = 0, k, i, avail = 0, start = 0;
	size_t			 nmsg = 0, nfiles = 0, msglen;
	uint32_t		 rng = 4475;
	enum sipframe_result	 res;
	const char		*reason;

	for (k = 0; k < NTORTURE; k++) {
		files[k] = NULL;
		if (torture_cases[k].expect[0].res == SIPFRAME_MESSAGE &&
		    torture_cases[k].expect[1].res == SIPFRAME_MORE) {
			files[k] = file_read(torture_cases[k].file, &lens[k]);
			n += lens[k] + 4;
			nfiles++;
		}
	}
	ck_assert_ptr_nonnull(s = malloc(n + 4));
	/* before each message a ping or a pong, and a ping at the end */
	for (n = 0, k = 0; k < NTORTURE; k++) {
		if (files[k] == NULL)
			continue;
		memcpy(s + n, "\r\n\r\n", 4);
		n += k % 3 == 0 ? 2 : 4;
		memcpy(s + n, files[k], lens[k]);
		n += lens[k];
	}
	memcpy(s + n, "\r\n\r\n", 4);
	n += 4;
	sipframe_init(&sf, 0, 0);
	k = 0;
	while (avail < n) {
		avail += chunk_size(2, &rng, n - avail);
		while ((res = sipframe_next(&sf, s + start, avail - start,
		    &msglen, &reason)) != SIPFRAME_MORE) {
			ck_assert_msg(res != SIPFRAME_ERROR, "%s", reason);
			if (res == SIPFRAME_MESSAGE) {
				while (files[k] == NULL)
					k++;
				ck_assert_uint_eq(msglen, lens[k]);
				ck_assert_mem_eq(s + start, files[k], msglen);
				k++;
				nmsg++;
			}
			start += msglen;
		}
	}
	ck_assert_uint_eq(start, n);
	for (i = 0; i < NTORTURE; i++)
		free(files[i]);
	free(s);
	ck_assert_uint_eq(nmsg, nfiles);
}
END_TEST

static Suite *
torture_suite(void)
{
	Suite	*s = suite_create("sipframe-torture");
	TCase	*tc = tcase_create("torture");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_torture_file, 0, (int)NTORTURE);
	tcase_add_test(tc, test_torture_complete);
	tcase_add_test(tc, test_torture_stream);
	suite_add_tcase(s, tc);
	return s;
}

/*
 * check_sipframe                   the unit tests
 * check_sipframe torture DIR       the torture corpus in DIR (.../sip-torture);
 *                                  tests/sipframe/torture.test finds DIR
 */
int
main(int argc, char **argv)
{
	SRunner	*sr;
	int	 failed;

	if (argc == 3 && strcmp(argv[1], "torture") == 0) {
		torture_dir = argv[2];
		sr = srunner_create(torture_suite());
	} else if (argc == 1)
		sr = srunner_create(unit_suite());
	else {
		fprintf(stderr, "usage: check_sipframe [torture DIR]\n");
		return 2;
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
