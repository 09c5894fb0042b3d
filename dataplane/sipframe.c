/*
 * Finds where each SIP message ends in a byte stream (RFC 3261 section 18.3):
 * header sections scanned 64 octets at a time for their line ends, bodies
 * never, no allocation, and every octet examined once however the stream is
 * cut into reads.
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "sipframe.h"

/*
 * What is checked, and why no more. The relay and the backend must agree on
 * where each message ends, or a peer could slip a second message past the
 * relay inside the first; so the framer refuses whatever two SIP stacks could
 * read two ways, and leaves everything else to the SIP elements.
 *  - Lines end in CRLF. A bare LF or CR in the header section is an error,
 *    not HTTP's tolerance: a backend that ends lines there and one that does
 *    not would find different fields and header ends.
 *  - The start line has RFC 3261's shape: token SP URI SP SIP/2.0, or
 *    SIP/2.0 SP 3DIGIT SP reason. It is how a framer out of step with the
 *    stream notices, and another SIP version could frame differently.
 *  - A header field line is token *WSP ":"; a line starting with SP or HTAB
 *    continues the field above (folding).
 *  - Content-Length (or l) is mandatory on a stream: 1*DIGIT within LWS, at
 *    most the body limit; repeated fields must agree.
 *  - RFC 5626 section 4.4.1 keep-alives between messages: CRLF CRLF is a
 *    ping, a lone CRLF a pong.
 * Bodies are never examined: Content-Length alone delimits them.
 */

enum sf_phase {
	SF_IDLE,	/* at a unit boundary: keep-alive or message? */
	SF_START,	/* reading the start line */
	SF_FIELDS,	/* reading header field lines */
	SF_BODY,	/* header section done, waiting for the body */
	SF_FAILED,
};

/* What one header line means for the scan. */
enum sf_line {
	LINE_NEXT,
	LINE_END,	/* the empty line: header section complete */
	LINE_ERROR,
};

#define QUOTE_OCTETS	20	/* of a peer's bytes in a reason */
#define IS_DIGIT(c)	((unsigned)((c) - '0') <= 9)
#define LIMIT_CAP	(SIZE_MAX / 16)

/* RFC 3261 section 25.1 token characters. */
static const uint8_t sip_token[256] = {
	['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['a' ... 'z'] = 1,
	['-'] = 1, ['.'] = 1, ['!'] = 1, ['%'] = 1, ['*'] = 1, ['_'] = 1,
	['+'] = 1, ['`'] = 1, ['\''] = 1, ['~'] = 1,
};

static void
frame_reset(struct sipframe *sf)
{
	sf->sf_phase = SF_IDLE;
	sf->sf_line = sf->sf_seek = 0;
	sf->sf_hdrlen = sf->sf_bodylen = 0;
	sf->sf_cl_start = sf->sf_cl_end = 0;
	sf->sf_have_cl = sf->sf_cl_open = sf->sf_have_field = false;
	sf->sf_slow = false;
}

void
sipframe_init(struct sipframe *sf, size_t max_header, size_t max_body)
{
	memset(sf, 0, sizeof(*sf));
	if (max_header == 0)
		max_header = SIPFRAME_MAX_HEADER_DEFAULT;
	if (max_body == 0)
		max_body = SIPFRAME_MAX_BODY_DEFAULT;
	/* capped so that neither header + body nor the digit loop can overflow */
	sf->sf_max_header = max_header < LIMIT_CAP ? max_header : LIMIT_CAP;
	sf->sf_max_body = max_body < LIMIT_CAP ? max_body : LIMIT_CAP;
	frame_reset(sf);
}

/* Copies a peer's bytes for a log line: printable ASCII as is, others as \xNN. */
static void
frame_quote(char *dst, size_t size, const uint8_t *p, size_t n)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i, o = 0;

	for (i = 0; i < n && i < QUOTE_OCTETS && o + 5 < size; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\') {
			dst[o++] = (char)p[i];
			continue;
		}
		dst[o++] = '\\';
		dst[o++] = 'x';
		dst[o++] = hex[p[i] >> 4];
		dst[o++] = hex[p[i] & 0xf];
	}
	if (i < n && o + 4 <= size) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

static enum sipframe_result	frame_fail(struct sipframe *, const char *,
				    ...) __attribute__((format(printf, 2, 3)));

static enum sipframe_result
frame_fail(struct sipframe *sf, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(sf->sf_reason, sizeof(sf->sf_reason), fmt, ap);
	va_end(ap);
	sf->sf_phase = SF_FAILED;
	return SIPFRAME_ERROR;
}

/* A reason that quotes n octets at p between two fixed phrases. */
static enum sipframe_result
frame_fail_quoting(struct sipframe *sf, const char *before, const uint8_t *p,
    size_t n, const char *after)
{
	char	q[QUOTE_OCTETS * 4 + 4];

	frame_quote(q, sizeof(q), p, n);
	return frame_fail(sf, "%s\"%s\"%s", before, q, after);
}

/*
 * RFC 5626 section 4.4.1: CRLF CRLF is a ping, a lone CRLF a pong. A CRLF
 * followed by CR may still become a ping, so it waits for one more octet.
 * False when buf starts a message instead.
 */
static bool
frame_keepalive(const uint8_t *buf, size_t len, enum sipframe_result *res,
    size_t *msglen)
{
	*res = SIPFRAME_MORE;
	if (len == 0)
		return true;
	if (buf[0] != '\r')
		return false;
	if (len == 1)
		return true;
	if (buf[1] != '\n')
		return false;
	if (len == 2)
		return true;
	if (buf[2] != '\r' || (len > 3 && buf[3] != '\n')) {
		*res = SIPFRAME_PONG;
		*msglen = 2;
		return true;
	}
	if (len == 3)
		return true;
	*res = SIPFRAME_PING;
	*msglen = 4;
	return true;
}

/* "SIP/2.0"; the name is case-insensitive (RFC 3261 section 7.1). */
static bool
frame_version_ok(const uint8_t *p)
{
	return (p[0] | 0x20) == 's' && (p[1] | 0x20) == 'i' &&
	    (p[2] | 0x20) == 'p' && memcmp(p + 3, "/2.0", 4) == 0;
}

/* After "SIP/2.0 ": 3DIGIT SP Reason-Phrase, no controls but HTAB in the phrase. */
static bool
frame_status_ok(const uint8_t *p, size_t n)
{
	size_t	i;

	if (n < 4 || !IS_DIGIT(p[0]) || !IS_DIGIT(p[1]) || !IS_DIGIT(p[2]) ||
	    p[3] != ' ')
		return false;
	for (i = 4; i < n; i++)
		if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
			return false;
	return true;
}

/* Method SP Request-URI SP SIP/2.0; the URI only has to be visible octets. */
static bool
frame_request_ok(const uint8_t *p, size_t n)
{
	size_t	i, j;

	for (i = 0; i < n && sip_token[p[i]]; i++)
		;
	if (i == 0 || i == n || p[i] != ' ')
		return false;
	for (j = ++i; j < n && p[j] > ' ' && p[j] != 0x7f; j++)
		;
	return j > i && n - j == 8 && p[j] == ' ' && frame_version_ok(p + j + 1);
}

static bool
frame_start_ok(const uint8_t *p, size_t n)
{
	if (n >= 8 && p[7] == ' ' && frame_version_ok(p))
		return frame_status_ok(p + 8, n - 8);
	return frame_request_ok(p, n);
}

static bool
frame_is_content_length(const uint8_t *name, size_t n)
{
	static const char	lower[] = "content-length";
	size_t			i;

	/* Names are token octets here, so |0x20 folds only letters. */
	if (n == 1)
		return (name[0] | 0x20) == 'l';
	if (n != sizeof(lower) - 1)
		return false;
	for (i = 0; i < n; i++)
		if ((name[i] | 0x20) != lower[i])
			return false;
	return true;
}

/* Narrows [*pp, *qp) past SP, HTAB and the CRLFs that folding left inside. */
static void
frame_trim_lws(const uint8_t *buf, size_t *pp, size_t *qp)
{
	size_t	p = *pp, q = *qp;

	while (p < q) {
		if (buf[p] == ' ' || buf[p] == '\t')
			p++;
		else if (q - p >= 2 && buf[p] == '\r' && buf[p + 1] == '\n')
			p += 2;
		else
			break;
	}
	while (q > p) {
		if (buf[q - 1] == ' ' || buf[q - 1] == '\t')
			q--;
		else if (q - p >= 2 && buf[q - 2] == '\r' && buf[q - 1] == '\n')
			q -= 2;
		else
			break;
	}
	*pp = p;
	*qp = q;
}

/*
 * The Content-Length value ends where the next field starts, since a folded
 * line may still add to it; so it is read only then.
 */
static enum sf_line
frame_cl_finish(struct sipframe *sf, const uint8_t *buf)
{
	size_t	p = sf->sf_cl_start, q = sf->sf_cl_end, i, v = 0;
	bool	big = false;

	sf->sf_cl_open = false;
	frame_trim_lws(buf, &p, &q);
	for (i = p; i < q && IS_DIGIT(buf[i]); i++) {
		if (!big)
			v = v * 10 + (size_t)(buf[i] - '0');
		big = big || v > sf->sf_max_body;
	}
	if (i == p && i + 1 < q && buf[i] == '-') {
		for (i++; i < q && IS_DIGIT(buf[i]); i++)
			;
		if (i == q) {
			frame_fail_quoting(sf, "Content-Length ", buf + p, q - p,
			    " is negative");
			return LINE_ERROR;
		}
	}
	if (i != q || q == p) {
		frame_fail_quoting(sf, "Content-Length ", buf + p, q - p,
		    " is not a number");
		return LINE_ERROR;
	}
	if (big) {
		char	quoted[QUOTE_OCTETS * 4 + 4];

		frame_quote(quoted, sizeof(quoted), buf + p, q - p);
		frame_fail(sf, "Content-Length %s exceeds the body limit of "
		    "%zu bytes", quoted, sf->sf_max_body);
		return LINE_ERROR;
	}
	if (sf->sf_have_cl && v != sf->sf_bodylen) {
		frame_fail(sf, "Content-Length %zu contradicts an earlier %zu",
		    v, sf->sf_bodylen);
		return LINE_ERROR;
	}
	sf->sf_have_cl = true;
	sf->sf_bodylen = v;
	return LINE_NEXT;
}

/* A header field line [s, e), CRLF excluded: token *WSP ":" value. */
static enum sf_line
frame_field(struct sipframe *sf, const uint8_t *buf, size_t s, size_t e)
{
	size_t	p, name_end;

	for (p = s; p < e && sip_token[buf[p]]; p++)
		;
	name_end = p;
	while (p < e && (buf[p] == ' ' || buf[p] == '\t'))
		p++;
	if (name_end == s || p == e || buf[p] != ':') {
		frame_fail_quoting(sf, "malformed header field ", buf + s,
		    e - s, "");
		return LINE_ERROR;
	}
	sf->sf_have_field = true;
	if (frame_is_content_length(buf + s, name_end - s)) {
		sf->sf_cl_open = true;
		sf->sf_cl_start = p + 1;
		sf->sf_cl_end = e;
	}
	return LINE_NEXT;
}

/* One line of the header section, [s, e) without its CRLF. */
static enum sf_line
frame_line(struct sipframe *sf, const uint8_t *buf, size_t s, size_t e)
{
	if (sf->sf_phase == SF_START) {
		if (!frame_start_ok(buf + s, e - s)) {
			frame_fail_quoting(sf, "bad start line ", buf + s, e - s,
			    "");
			return LINE_ERROR;
		}
		sf->sf_phase = SF_FIELDS;
		return LINE_NEXT;
	}
	if (e > s && (buf[s] == ' ' || buf[s] == '\t')) {
		if (!sf->sf_have_field) {
			frame_fail(sf, "folded line right after the start line");
			return LINE_ERROR;
		}
		if (sf->sf_cl_open)
			sf->sf_cl_end = e;
		return LINE_NEXT;
	}
	if (sf->sf_cl_open && frame_cl_finish(sf, buf) == LINE_ERROR)
		return LINE_ERROR;
	if (e > s)
		return frame_field(sf, buf, s, e);
	if (!sf->sf_have_cl && !sf->sf_datagram) {
		frame_fail(sf, "Content-Length missing");
		return LINE_ERROR;
	}
	return LINE_END;
}

/*
 * The line from sf_line to the CRLF whose LF is at eol: MORE to go on with
 * the next line, ERROR, or MESSAGE once it was the empty line.
 */
static enum sipframe_result
frame_line_at(struct sipframe *sf, const uint8_t *buf, size_t eol)
{
	enum sf_line	v;

	v = frame_line(sf, buf, sf->sf_line, eol - 1);
	sf->sf_line = sf->sf_seek = eol + 1;
	if (v == LINE_ERROR)
		return SIPFRAME_ERROR;
	if (v == LINE_END) {
		sf->sf_hdrlen = eol + 1;
		sf->sf_phase = SF_BODY;
		return SIPFRAME_MESSAGE;
	}
	return SIPFRAME_MORE;
}

/*
 * Line by line, two memchr per line: exact about which fault comes first, so
 * it takes over from frame_header's block scan for the rest of a header
 * section as soon as that scan meets a CR or LF outside a CRLF.
 */
static enum sipframe_result
frame_header_slow(struct sipframe *sf, const uint8_t *buf, size_t len)
{
	const uint8_t		*lf;
	size_t			 eol, lim;
	enum sipframe_result	 res;

	sf->sf_slow = true;
	lim = len < sf->sf_max_header ? len : sf->sf_max_header;
	for (;;) {
		lf = memchr(buf + sf->sf_seek, '\n', lim - sf->sf_seek);
		if (lf == NULL) {
			sf->sf_seek = lim;
			if (len < sf->sf_max_header)
				return SIPFRAME_MORE;
			return frame_fail(sf, "headers exceed %zu bytes",
			    sf->sf_max_header);
		}
		eol = (size_t)(lf - buf);
		if (eol == sf->sf_line || buf[eol - 1] != '\r')
			return frame_fail(sf, "bare LF in the header section");
		if (memchr(buf + sf->sf_line, '\r', eol - 1 - sf->sf_line))
			return frame_fail(sf, "bare CR in the header section");
		if ((res = frame_line_at(sf, buf, eol)) != SIPFRAME_MORE)
			return res;
	}
}

/* Bit i of *cr (*lf) is set when p[i] is CR (LF), for i < n <= 64. */
static void
frame_scan(const uint8_t *p, size_t n, uint64_t *cr, uint64_t *lf)
{
	uint64_t	c = 0, l = 0;
	size_t		i = 0;
#if defined(__SSE2__)
	const __m128i	vcr = _mm_set1_epi8('\r'), vlf = _mm_set1_epi8('\n');
	uint8_t		tail[16];
	__m128i		v;

	if (n == 64) {
		/* the common case, unrolled */
		for (unsigned k = 0; k < 4; k++) {
			v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
			c |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vcr)) << (16 * k);
			l |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vlf)) << (16 * k);
		}
		i = n;
	}
	for (; i < n; i += 16) {
		if (n - i >= 16) {
			v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		} else {
			/* zeros are neither CR nor LF */
			memset(tail, 0, sizeof(tail));
			memcpy(tail, p + i, n - i);
			v = _mm_loadu_si128((const __m128i *)(void *)tail);
		}
		c |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vcr)) << i;
		l |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vlf)) << i;
	}
#else
	for (; i < n; i++) {
		c |= (uint64_t)(p[i] == '\r') << i;
		l |= (uint64_t)(p[i] == '\n') << i;
	}
#endif
	*cr = c;
	*lf = l;
}

/*
 * Examines the octets that arrived since the last call, 64 at a time: while
 * every CR is followed by LF and every LF preceded by CR, each LF ends a line
 * and no memchr is needed. A CR that is the last octet offered waits for the
 * next call. MESSAGE here means only that the header section is complete;
 * the body may not be.
 */
static enum sipframe_result
frame_header(struct sipframe *sf, const uint8_t *buf, size_t len)
{
	size_t			 lim, pos, n, eol;
	uint64_t		 cr, lf, stray, carry;
	enum sipframe_result	 res;

	if (sf->sf_slow)
		return frame_header_slow(sf, buf, len);
	lim = len < sf->sf_max_header ? len : sf->sf_max_header;
	if (lim > sf->sf_seek && buf[lim - 1] == '\r')
		lim--;
	for (pos = sf->sf_seek; pos < lim; pos += n) {
		n = lim - pos < 64 ? lim - pos : 64;
		frame_scan(buf + pos, n, &cr, &lf);
		carry = pos > 0 && buf[pos - 1] == '\r';
		stray = lf ^ ((cr << 1) | carry);
		if (n < 64)
			stray &= ((uint64_t)1 << n) - 1;
		if (stray != 0) {
			/* lines ending before the fault first, then exactly */
			lf &= ((uint64_t)1 << __builtin_ctzll(stray)) - 1;
		}
		for (; lf != 0; lf &= lf - 1) {
			eol = pos + (size_t)__builtin_ctzll(lf);
			if ((res = frame_line_at(sf, buf, eol)) != SIPFRAME_MORE)
				return res;
		}
		if (stray != 0)
			return frame_header_slow(sf, buf, len);
		sf->sf_seek = pos + n;
	}
	if (len < sf->sf_max_header)
		return SIPFRAME_MORE;
	return frame_fail(sf, "headers exceed %zu bytes", sf->sf_max_header);
}

enum sipframe_result
sipframe_next(struct sipframe *sf, const uint8_t *buf, size_t len,
    size_t *msglen, const char **reason)
{
	enum sipframe_result	res;

	*msglen = 0;
	*reason = NULL;
	if (sf->sf_phase == SF_FAILED) {
		*reason = sf->sf_reason;
		return SIPFRAME_ERROR;
	}
	if (len < sf->sf_seek) {
		frame_fail(sf, "%zu bytes passed after %zu were examined",
		    len, sf->sf_seek);
		*reason = sf->sf_reason;
		return SIPFRAME_ERROR;
	}
	if (sf->sf_phase == SF_IDLE) {
		if (frame_keepalive(buf, len, &res, msglen))
			return res;
		sf->sf_phase = SF_START;
	}
	if (sf->sf_phase != SF_BODY &&
	    (res = frame_header(sf, buf, len)) != SIPFRAME_MESSAGE) {
		if (res == SIPFRAME_ERROR)
			*reason = sf->sf_reason;
		return res;
	}
	if (len - sf->sf_hdrlen < sf->sf_bodylen)
		return SIPFRAME_MORE;
	*msglen = sf->sf_hdrlen + sf->sf_bodylen;
	frame_reset(sf);
	return SIPFRAME_MESSAGE;
}

enum sipframe_result
sipframe_datagram(struct sipframe *sf, const uint8_t *buf, size_t len,
    struct sipframe_dgram *d, const char **reason)
{
	enum sipframe_result	res;

	memset(d, 0, sizeof(*d));
	*reason = NULL;
	frame_reset(sf);
	if (len == 4 && memcmp(buf, "\r\n\r\n", 4) == 0)
		return SIPFRAME_PING;
	if (len == 2 && memcmp(buf, "\r\n", 2) == 0)
		return SIPFRAME_PONG;
	sf->sf_datagram = true;
	sf->sf_phase = SF_START;
	res = frame_header(sf, buf, len);
	sf->sf_datagram = false;
	if (res == SIPFRAME_MORE)
		res = frame_fail(sf, "datagram ends inside the header section");
	else if (res == SIPFRAME_MESSAGE && sf->sf_have_cl &&
	    len - sf->sf_hdrlen < sf->sf_bodylen)
		res = frame_fail(sf, "datagram ends %zu bytes into a body of "
		    "Content-Length %zu", len - sf->sf_hdrlen, sf->sf_bodylen);
	else if (res == SIPFRAME_MESSAGE && !sf->sf_have_cl &&
	    len - sf->sf_hdrlen > sf->sf_max_body)
		res = frame_fail(sf, "body of %zu bytes exceeds the body limit "
		    "of %zu bytes", len - sf->sf_hdrlen, sf->sf_max_body);
	if (res == SIPFRAME_ERROR) {
		*reason = sf->sf_reason;
		return res;
	}
	d->hdrlen = sf->sf_hdrlen;
	d->has_cl = sf->sf_have_cl;
	d->bodylen = d->has_cl ? sf->sf_bodylen : len - sf->sf_hdrlen;
	frame_reset(sf);
	return SIPFRAME_MESSAGE;
}

bool
sipframe_header_span(const uint8_t *msg, size_t len, size_t *hdrlen)
{
	const uint8_t	*end;

	/*
	 * A framed message never starts with CRLF and has only CRLF line ends
	 * before its header end, so the first CRLF CRLF is that end.
	 */
	if ((end = memmem(msg, len, "\r\n\r\n", 4)) == NULL)
		return false;
	*hdrlen = (size_t)(end - msg) + 4;
	return true;
}
