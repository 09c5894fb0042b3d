/*
 * HTTP/1.0 over plain sockets for CRL and OCSP fetches. One deadline covers
 * connect, send and receive (and any redirects); a refused connection fails
 * at once, so the revocation engine can move on to its next method.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

#define HTTP_URL_MAX		(HTTP_HOST_MAX + HTTP_PATH_MAX + 16)
#define HTTP_REDIRECT		1	/* http_read_answer(): follow "location" */

struct http_conn {
	int		 fd;
	int64_t		 deadline;	/* CLOCK_MONOTONIC, ms */
	int		 timeout_ms;	/* as configured, for messages */
	char		*err;
	size_t		 errlen;
};

static int64_t
http_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int __attribute__((format(printf, 4, 5)))
http_fail(int rc, char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* Bytes that would let a URL smuggle a second header line or request. */
static bool
http_token_clean(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static int
http_url_port(const char *p, const char *end, struct http_url *u, char *err,
    size_t errlen)
{
	unsigned long	 port = 0;
	size_t		 len = (size_t)(end - p);

	if (len == 0 || len > 5 || strspn(p, "0123456789") < len)
		return http_fail(-EINVAL, err, errlen, "bad port in URL");
	for (size_t i = 0; i < len; i++)
		port = port * 10 + (unsigned long)(p[i] - '0');
	if (port == 0 || port > 65535)
		return http_fail(-EINVAL, err, errlen, "port %lu out of range", port);
	snprintf(u->port, sizeof(u->port), "%lu", port);
	return 0;
}

int
http_url_parse(const char *url, struct http_url *u, char *err, size_t errlen)
{
	const char	*p, *auth_end, *host, *host_end, *after;
	size_t		 plen;

	memset(u, 0, sizeof(*u));
	if (strncasecmp(url, "https://", 8) == 0)
		return http_fail(-EINVAL, err, errlen, "https:// is not supported "
		    "for CRL and OCSP fetches (they are signed; use http://)");
	if (strncasecmp(url, "http://", 7) != 0)
		return http_fail(-EINVAL, err, errlen, "not an http:// URL");
	p = url + 7;
	auth_end = p + strcspn(p, "/?#");
	if (memchr(p, '@', (size_t)(auth_end - p)) != NULL)
		return http_fail(-EINVAL, err, errlen, "user information in URL");
	if (*p == '[') {
		host = p + 1;
		if ((host_end = memchr(host, ']', (size_t)(auth_end - host))) == NULL)
			return http_fail(-EINVAL, err, errlen, "unclosed [ in URL");
		after = host_end + 1;
		u->ipv6_literal = 1;
	} else {
		host = p;
		host_end = memchr(p, ':', (size_t)(auth_end - p));
		if (host_end == NULL)
			host_end = auth_end;
		after = host_end;
	}
	if (host_end == host || (size_t)(host_end - host) >= sizeof(u->host) ||
	    !http_token_clean(host, (size_t)(host_end - host)))
		return http_fail(-EINVAL, err, errlen, "bad host in URL");
	memcpy(u->host, host, (size_t)(host_end - host));
	if (*after == ':' && after < auth_end) {
		if (http_url_port(after + 1, auth_end, u, err, errlen) < 0)
			return -EINVAL;
	} else if (after != auth_end)
		return http_fail(-EINVAL, err, errlen, "bad authority in URL");
	else
		strcpy(u->port, "80");

	/* The fragment stays on the client side; a bare "?q" gets a "/". */
	plen = strcspn(auth_end, "#");
	if (!http_token_clean(auth_end, plen) || plen + 2 > sizeof(u->path))
		return http_fail(-EINVAL, err, errlen, "bad path in URL");
	snprintf(u->path, sizeof(u->path), "%s%.*s", *auth_end == '/' ? "" : "/",
	    (int)plen, auth_end);
	return 0;
}

/* Waits for EVENTS on the connection until its deadline. */
static int
http_wait(struct http_conn *c, short events)
{
	struct pollfd	 pfd = { .fd = c->fd, .events = events };
	int64_t		 left;
	int		 n;

	for (;;) {
		left = c->deadline - http_now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int
http_timeout(struct http_conn *c, const char *stage)
{
	return http_fail(-ETIMEDOUT, c->err, c->errlen,
	    "timed out after %d ms %s", c->timeout_ms, stage);
}

/* One address: a non-blocking connect, then poll, then SO_ERROR. */
static int
http_connect_one(struct http_conn *c, const struct addrinfo *ai)
{
	int		 soerr = 0, rc;
	socklen_t	 slen = sizeof(soerr);

	c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (c->fd == -1)
		return -errno;
	if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return 0;
	if (errno != EINPROGRESS)
		rc = -errno;
	else if ((rc = http_wait(c, POLLOUT)) == 0) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &slen) == -1)
			rc = -errno;
		else
			rc = -soerr;
	}
	if (rc != 0) {
		close(c->fd);
		c->fd = -1;
	}
	return rc;
}

/*
 * Name lookup is getaddrinfo(3), which no deadline can interrupt; CRL and
 * OCSP URLs are usually addresses or names the resolver has cached, and
 * the engine bounds how long a handshake waits whatever the worker does.
 */
static int
http_connect(struct http_conn *c, const struct http_url *u)
{
	struct addrinfo	 hints, *res, *ai;
	int		 rc, last = -ECONNREFUSED;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(u->host, u->port, &hints, &res)) != 0)
		return http_fail(rc == EAI_SYSTEM ? -errno : -ENOENT, c->err,
		    c->errlen, "unreachable: cannot resolve %s: %s", u->host,
		    gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((last = http_connect_one(c, ai)) == 0 || last == -ETIMEDOUT)
			break;
	}
	freeaddrinfo(res);
	if (last == -ETIMEDOUT)
		return http_timeout(c, "connecting");
	if (last < 0)
		return http_fail(last, c->err, c->errlen, "unreachable: %s",
		    strerror(-last));
	return 0;
}

static int
http_send_all(struct http_conn *c, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;
	int		 rc;

	while (len > 0) {
		n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK)
			return http_fail(-errno, c->err, c->errlen,
			    "sending the request: %s", strerror(errno));
		if ((rc = http_wait(c, POLLOUT)) == -ETIMEDOUT)
			return http_timeout(c, "sending the request");
		if (rc < 0)
			return http_fail(rc, c->err, c->errlen, "sending the request: %s",
			    strerror(-rc));
	}
	return 0;
}

static int
http_send_request(struct http_conn *c, const struct http_url *u,
    const struct http_request *req)
{
	char	 head[HTTP_PATH_MAX + HTTP_HOST_MAX + 512];
	char	 body_hdrs[160] = "";
	char	*msg;
	int	 n, rc;
	bool	 post = strcmp(req->method, "POST") == 0;

	if (post)
		snprintf(body_hdrs, sizeof(body_hdrs),
		    "Content-Type: %s\r\nContent-Length: %zu\r\n",
		    req->content_type ? req->content_type : "application/octet-stream",
		    req->body_len);
	n = snprintf(head, sizeof(head), "%s %s HTTP/1.0\r\n"
	    "Host: %s%s%s%s%s\r\n"
	    "User-Agent: " PACKAGE_NAME "/" PACKAGE_VERSION "\r\n"
	    "Accept: %s\r\n"
	    "Connection: close\r\n%s\r\n",
	    req->method, u->path,
	    u->ipv6_literal ? "[" : "", u->host, u->ipv6_literal ? "]" : "",
	    strcmp(u->port, "80") == 0 ? "" : ":",
	    strcmp(u->port, "80") == 0 ? "" : u->port,
	    req->accept ? req->accept : "*/*", body_hdrs);
	if (n < 0 || (size_t)n >= sizeof(head))
		return http_fail(-EINVAL, c->err, c->errlen, "request too long");
	if (!post || req->body_len == 0)
		return http_send_all(c, head, (size_t)n);
	/* One write: some responders read the request with a single read(). */
	if ((msg = malloc((size_t)n + req->body_len)) == NULL)
		return http_fail(-ENOMEM, c->err, c->errlen, "out of memory");
	memcpy(msg, head, (size_t)n);
	memcpy(msg + n, req->body, req->body_len);
	rc = http_send_all(c, msg, (size_t)n + req->body_len);
	free(msg);
	return rc;
}

/* One recv(); 0 at end of stream, -errno, or the byte count. */
static ssize_t
http_recv(struct http_conn *c, void *buf, size_t len, const char *stage)
{
	ssize_t	 n;
	int	 rc;

	for (;;) {
		n = recv(c->fd, buf, len, 0);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return http_fail(-errno, c->err, c->errlen, "%s: %s", stage,
			    strerror(errno));
		if ((rc = http_wait(c, POLLIN)) == -ETIMEDOUT)
			return http_timeout(c, stage);
		if (rc < 0)
			return http_fail(rc, c->err, c->errlen, "%s: %s", stage,
			    strerror(-rc));
	}
}

struct http_head {
	int		 status;
	char		 reason[64];
	long long	 content_length;	/* -1: not given */
	char		 location[HTTP_URL_MAX];
	char		 content_type[64];
	const char	*body;			/* bytes already read past the headers */
	size_t		 body_len;
};

/* Header lines after the status line; names compared without case. */
static int
http_parse_headers(struct http_conn *c, char *line, struct http_head *h)
{
	char	*next, *value, *end;

	for (; *line != '\0'; line = next) {
		next = line + strcspn(line, "\n");
		if (*next == '\n')
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		if ((value = strchr(line, ':')) == NULL)
			continue;
		*value++ = '\0';
		value += strspn(value, " \t");
		if (strcasecmp(line, "Content-Length") == 0) {
			errno = 0;
			h->content_length = strtoll(value, &end, 10);
			if (errno != 0 || end == value || *end != '\0' ||
			    h->content_length < 0)
				return http_fail(-EPROTO, c->err, c->errlen,
				    "malformed answer: bad Content-Length");
		} else if (strcasecmp(line, "Location") == 0)
			snprintf(h->location, sizeof(h->location), "%s", value);
		else if (strcasecmp(line, "Content-Type") == 0)
			snprintf(h->content_type, sizeof(h->content_type), "%s", value);
		else if (strcasecmp(line, "Transfer-Encoding") == 0 &&
		    strcasecmp(value, "identity") != 0)
			return http_fail(-EPROTO, c->err, c->errlen, "malformed answer: "
			    "transfer encoding %.32s to an HTTP/1.0 request", value);
	}
	return 0;
}

/* Reads until the blank line, then parses the status line and headers. */
static int
http_read_head(struct http_conn *c, char *buf, size_t cap, struct http_head *h)
{
	size_t	 len = 0;
	ssize_t	 n;
	char	*end = NULL, *line;
	int	 minor;

	while (end == NULL) {
		if (len == cap - 1)
			return http_fail(-EPROTO, c->err, c->errlen,
			    "malformed answer: headers longer than %zu bytes", cap - 1);
		if ((n = http_recv(c, buf + len, cap - 1 - len,
		    "waiting for the answer")) < 0)
			return (int)n;
		if (n == 0)
			return http_fail(-EPROTO, c->err, c->errlen, len == 0 ?
			    "connection closed without an answer" :
			    "malformed answer: connection closed inside the headers");
		len += (size_t)n;
		buf[len] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) != NULL)
			end += 4;
		else if ((end = strstr(buf, "\n\n")) != NULL)
			end += 2;
	}
	h->body = end;
	h->body_len = len - (size_t)(end - buf);
	end[-1] = '\0';
	if (sscanf(buf, "HTTP/1.%d %3d", &minor, &h->status) != 2 ||
	    h->status < 100 || h->status > 599)
		return http_fail(-EPROTO, c->err, c->errlen,
		    "malformed answer: not an HTTP status line");
	line = buf + strcspn(buf, "\n");
	snprintf(h->reason, sizeof(h->reason), "%.*s",
	    (int)strcspn(buf + 12 + strspn(buf + 12, " "), "\r\n"),
	    buf + 12 + strspn(buf + 12, " "));
	h->content_length = -1;
	return http_parse_headers(c, *line ? line + 1 : line, h);
}

static int
http_body_grow(struct http_conn *c, struct http_response *r, size_t *cap,
    size_t need, size_t max)
{
	unsigned char	*nb;
	size_t		 ncap = *cap ? *cap : 16384;

	if (need > max)
		return http_fail(-EFBIG, c->err, c->errlen,
		    "answer larger than %zu bytes", max);
	while (ncap < need)
		ncap *= 2;
	if (ncap > max)
		ncap = max;
	if (ncap <= *cap)
		return 0;
	if ((nb = realloc(r->body, ncap)) == NULL)
		return http_fail(-ENOMEM, c->err, c->errlen, "out of memory");
	r->body = nb;
	*cap = ncap;
	return 0;
}

/* The body: up to Content-Length when given, else up to the end of stream. */
static int
http_read_body(struct http_conn *c, const struct http_head *h, size_t max,
    struct http_response *r)
{
	size_t	 want, cap = 0;
	ssize_t	 n;
	int	 rc;

	if (h->content_length >= 0 && (unsigned long long)h->content_length > max)
		return http_fail(-EFBIG, c->err, c->errlen,
		    "answer larger than %zu bytes (Content-Length %lld)", max,
		    h->content_length);
	want = h->content_length >= 0 ? (size_t)h->content_length : max + 1;
	if ((rc = http_body_grow(c, r, &cap, h->body_len < want ? h->body_len : want,
	    max)) < 0)
		return rc;
	r->len = h->body_len < want ? h->body_len : want;
	if (r->len > 0)
		memcpy(r->body, h->body, r->len);
	while (r->len < want) {
		if (r->len == cap && (rc = http_body_grow(c, r, &cap, cap + 1, max)) < 0)
			return rc;
		n = http_recv(c, r->body + r->len,
		    (want - r->len < cap - r->len ? want : cap) - r->len,
		    "reading the answer");
		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
		r->len += (size_t)n;
	}
	if (h->content_length >= 0 && r->len < want)
		return http_fail(-EPROTO, c->err, c->errlen, "answer cut short (%zu "
		    "of %lld bytes)", r->len, h->content_length);
	return 0;
}

static int
http_read_answer(struct http_conn *c, size_t max, struct http_response *r,
    char *location, size_t loclen)
{
	char		 buf[HTTP_HEADER_MAX + 1];
	struct http_head h;
	int		 rc;

	memset(&h, 0, sizeof(h));
	if ((rc = http_read_head(c, buf, sizeof(buf), &h)) < 0)
		return rc;
	r->status = h.status;
	snprintf(r->content_type, sizeof(r->content_type), "%s", h.content_type);
	if (h.status >= 300 && h.status < 400 && h.status != 304 && h.location[0]) {
		snprintf(location, loclen, "%s", h.location);
		return HTTP_REDIRECT;
	}
	if (h.status != 200)
		return http_fail(-EPROTO, c->err, c->errlen, "HTTP %d %s", h.status,
		    h.reason);
	return http_read_body(c, &h, max, r);
}

/* A Location header made absolute; only http:// targets are followed. */
static int
http_redirect_target(struct http_conn *c, const struct http_url *u,
    const char *location, char *next, size_t len)
{
	int	 n;

	if (location[0] == '/' && location[1] != '/')
		n = snprintf(next, len, "http://%s%s%s:%s%s", u->ipv6_literal ? "[" : "",
		    u->host, u->ipv6_literal ? "]" : "", u->port, location);
	else if (strncasecmp(location, "http://", 7) == 0)
		n = snprintf(next, len, "%s", location);
	else
		return http_fail(-EPROTO, c->err, c->errlen,
		    "redirect to %.200s refused (not http://)", location);
	if (n < 0 || (size_t)n >= len)
		return http_fail(-EPROTO, c->err, c->errlen, "redirect target too long");
	return 0;
}

static int
http_exchange(struct http_conn *c, const char *url, const struct http_request *req,
    struct http_response *r, char *location, size_t loclen)
{
	struct http_url	 u;
	char		 raw[HTTP_URL_MAX];
	int		 rc;

	if ((rc = http_url_parse(url, &u, c->err, c->errlen)) < 0)
		return rc;
	if ((rc = http_connect(c, &u)) < 0)
		return rc;
	rc = http_send_request(c, &u, req);
	if (rc == 0)
		rc = http_read_answer(c, req->max_body, r, raw, sizeof(raw));
	close(c->fd);
	c->fd = -1;
	if (rc == HTTP_REDIRECT &&
	    http_redirect_target(c, &u, raw, location, loclen) < 0)
		return -EPROTO;
	return rc;
}

int
http_fetch(const char *url, const struct http_request *req,
    struct http_response *r, char *err, size_t errlen)
{
	char		 cur[HTTP_URL_MAX], location[HTTP_URL_MAX];
	struct http_conn c = {
		.fd = -1,
		.deadline = http_now_ms() + req->timeout_ms,
		.timeout_ms = req->timeout_ms,
		.err = err,
		.errlen = errlen,
	};
	bool		 post = strcmp(req->method, "POST") == 0;
	int		 rc;

	memset(r, 0, sizeof(*r));
	if (snprintf(cur, sizeof(cur), "%s", url) >= (int)sizeof(cur))
		return http_fail(-EINVAL, err, errlen, "URL too long");
	for (;;) {
		rc = http_exchange(&c, cur, req, r, location, sizeof(location));
		if (rc != HTTP_REDIRECT)
			break;
		/* A POST is not replayed elsewhere; a GET follows a few hops. */
		if (post || req->max_redirects == 0) {
			rc = http_fail(-EPROTO, err, errlen, "HTTP %d redirect to %.200s "
			    "refused", r->status, location);
			break;
		}
		if (r->redirects == req->max_redirects) {
			rc = http_fail(-ELOOP, err, errlen, "more than %d redirects",
			    req->max_redirects);
			break;
		}
		r->redirects++;
		memcpy(cur, location, sizeof(cur));
	}
	if (rc < 0) {
		free(r->body);
		r->body = NULL;
		r->len = 0;
	}
	return rc;
}

void
http_response_free(struct http_response *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}
