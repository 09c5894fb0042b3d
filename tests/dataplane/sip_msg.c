/*
 * Builds responses the way a UAS does (RFC 3261 section 8.2.6): Via, From,
 * To, Call-ID and CSeq copied from the request, compact forms included.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sip_msg.h"

#define PP2_SIG	"\r\n\r\n\0\r\nQUIT\n"

bool
sip_is_request(const uint8_t *msg, size_t len)
{
	return !(len >= 4 && memcmp(msg, "SIP/", 4) == 0);
}

bool
sip_is_method(const uint8_t *msg, size_t len, const char *method)
{
	size_t	n = strlen(method);

	return len > n && memcmp(msg, method, n) == 0 && msg[n] == ' ';
}

static bool
header_copied(const char *line, size_t len)
{
	static const char *const names[] = {
		"via", "v", "from", "f", "to", "t", "call-id", "i", "cseq",
	};
	size_t	n;

	for (n = 0; n < len && line[n] != ':' && line[n] != ' ' && line[n] != '\t'; n++)
		;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && strncasecmp(line, names[i], n) == 0)
			return true;
	return false;
}

size_t
sip_response(const uint8_t *req, size_t len, int code, const char *reason,
    char *out, size_t cap)
{
	const char	*p = (const char *)req, *end = p + len, *eol;
	size_t		 o;
	int		 n;

	n = snprintf(out, cap, "SIP/2.0 %d %s\r\n", code, reason);
	if (n < 0 || (size_t)n >= cap)
		return 0;
	o = (size_t)n;
	/* skip the request line, then copy the dialog-identifying headers */
	if ((eol = memchr(p, '\n', len)) == NULL)
		return 0;
	for (p = eol + 1; p < end && *p != '\r'; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return 0;
		if (!header_copied(p, (size_t)(eol - p)))
			continue;
		if (o + (size_t)(eol - p) + 1 >= cap)
			return 0;
		memcpy(out + o, p, (size_t)(eol - p) + 1);
		o += (size_t)(eol - p) + 1;
	}
	n = snprintf(out + o, cap - o, "Content-Length: 0\r\n\r\n");
	if (n < 0 || (size_t)n >= cap - o)
		return 0;
	return o + (size_t)n;
}

/* 0: no PROXY v2 header; else its length (complete tells whether all is here). */
size_t
pp2_header_len(const uint8_t *buf, size_t len, bool *complete)
{
	size_t	n = len < 12 ? len : 12;

	*complete = false;
	if (len == 0 || memcmp(buf, PP2_SIG, n) != 0)
		return 0;
	if (len < 16)
		return 16;
	n = 16 + ((size_t)buf[14] << 8 | buf[15]);
	*complete = len >= n;
	return n;
}
