/*
 * SIP message framing on stream transports (RFC 3261 section 18.3) for the
 * relay, one framer per connection and direction: where each message ends,
 * RFC 5626 CRLF keep-alives, and a refusal for anything that cannot be framed.
 */
#ifndef SIPKTLS_SIPFRAME_H
#define SIPKTLS_SIPFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A limit of 0 given to sipframe_init() selects these. */
#define SIPFRAME_MAX_HEADER_DEFAULT	16384	/* start line through the empty line */
#define SIPFRAME_MAX_BODY_DEFAULT	65536	/* largest Content-Length accepted */

#define SIPFRAME_REASON_MAX		160

enum sipframe_result {
	SIPFRAME_MORE,		/* no whole unit buffered yet: read more, call again */
	SIPFRAME_MESSAGE,	/* *msglen octets are one message: forward them */
	SIPFRAME_PING,		/* *msglen octets are a CRLF CRLF ping: drop, answer CRLF */
	SIPFRAME_PONG,		/* *msglen octets are a CRLF pong: drop silently */
	SIPFRAME_ERROR,		/* the stream cannot be framed: log *reason, close */
};

/*
 * Framer state. The members are private to sipframe.c; the struct is public
 * only so that a connection can embed it without an allocation. Offsets, not
 * pointers: the caller may move its buffer between calls.
 */
struct sipframe {
	size_t	sf_max_header;
	size_t	sf_max_body;
	size_t	sf_line;	/* start of the first header line not yet examined */
	size_t	sf_seek;	/* where the search for that line's LF resumes */
	size_t	sf_hdrlen;	/* header section length, once its empty line is seen */
	size_t	sf_bodylen;	/* Content-Length value, once one is seen */
	size_t	sf_cl_start;	/* value of the Content-Length field being read */
	size_t	sf_cl_end;
	int	sf_phase;
	bool	sf_have_cl;	/* a Content-Length field has been read */
	bool	sf_cl_open;	/* sf_cl_start..sf_cl_end may still get folded lines */
	bool	sf_have_field;	/* a header field follows the start line */
	bool	sf_slow;	/* this header met a stray CR or LF: line by line */
	bool	sf_datagram;	/* sipframe_datagram: Content-Length optional */
	char	sf_reason[SIPFRAME_REASON_MAX];
};

void	sipframe_init(struct sipframe *, size_t max_header, size_t max_body);

/*
 * buf/len: every byte buffered for this connection, starting at the first
 * byte of the current unit; each call after MORE passes the same bytes plus
 * any that arrived since (the caller keeps them contiguous). Nothing already
 * examined is examined again.
 *
 * MESSAGE, PING, PONG: *msglen octets from buf form the unit; the caller drops
 * them and calls again with what follows (the framer has reset itself).
 * MORE: *msglen is 0. ERROR: *msglen is 0 and *reason is a short phrase for a
 * log line, e.g. "Content-Length missing"; it stays valid until the next
 * sipframe_init(), and every further call returns the same error.
 */
enum sipframe_result	sipframe_next(struct sipframe *, const uint8_t *buf,
			    size_t len, size_t *msglen, const char **reason);

/* What sipframe_datagram() found in one datagram. */
struct sipframe_dgram {
	size_t	hdrlen;		/* start line through the empty line */
	size_t	bodylen;	/* Content-Length, or to the datagram's end */
	bool	has_cl;		/* false: a stream needs one added */
};

/*
 * One whole datagram of a message-oriented transport (RFC 3261 section
 * 18.3): Content-Length is optional and, when absent, the body ends with the
 * datagram; octets beyond hdrlen + bodylen are to be discarded. MESSAGE fills
 * *d; PING and PONG are a datagram that is exactly CRLF CRLF or CRLF; ERROR
 * sets *reason (a datagram shorter than its Content-Length, or anything the
 * stream framer refuses). Each call stands alone.
 */
enum sipframe_result	sipframe_datagram(struct sipframe *, const uint8_t *buf,
			    size_t len, struct sipframe_dgram *d, const char **reason);

/*
 * For header edits on a message that sipframe_next() returned: sets *hdrlen
 * to the length of its header section (start line through the empty line),
 * so the body is msg[*hdrlen..len). False if msg holds no CRLF CRLF.
 */
bool	sipframe_header_span(const uint8_t *msg, size_t len, size_t *hdrlen);

#endif
