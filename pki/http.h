/*
 * A small blocking HTTP/1.0 client for CRL and OCSP fetches (http:// only):
 * one deadline over the whole exchange, a cap on the body, few redirects.
 * It runs inside the revocation workers, never in the daemon's loop.
 */
#ifndef SIPKTLS_HTTP_H
#define SIPKTLS_HTTP_H

#include <stddef.h>

#define HTTP_HOST_MAX		256
#define HTTP_PATH_MAX		1024
#define HTTP_HEADER_MAX		(16 * 1024)	/* status line and headers together */
#define HTTP_REDIRECTS_MAX	3

struct http_url {
	char	 host[HTTP_HOST_MAX];	/* IPv6 literals without brackets */
	char	 port[8];
	char	 path[HTTP_PATH_MAX];	/* starts with '/'; query included */
	int	 ipv6_literal;
};

struct http_request {
	const char	*method;	/* "GET" or "POST" */
	const char	*content_type;	/* POST only */
	const void	*body;
	size_t		 body_len;
	const char	*accept;	/* NULL: any */
	size_t		 max_body;	/* a longer answer is refused (-EFBIG) */
	int		 timeout_ms;	/* connect to last byte, redirects included */
	int		 max_redirects;	/* GET only; 0 refuses every redirect */
};

struct http_response {
	int		 status;
	unsigned char	*body;		/* malloc'd; http_response_free() */
	size_t		 len;
	char		 content_type[64];
	int		 redirects;	/* how many were followed */
};

/*
 * Both return 0 or -errno; on failure err holds one line saying what went
 * wrong, without the URL (the caller names the source): "unreachable:
 * Connection refused", "timed out after 5000 ms waiting for the answer",
 * "HTTP 404 File not found", "answer larger than 16777216 bytes".
 * -ECONNREFUSED, -EHOSTUNREACH, -ENETUNREACH, -EADDRNOTAVAIL: unreachable;
 * -ENOENT: name not resolved; -ETIMEDOUT; -EFBIG; -EPROTO: a malformed or
 * non-200 answer; -ELOOP: too many redirects; -EINVAL: not an http:// URL.
 */
int	 http_url_parse(const char *url, struct http_url *, char *err, size_t errlen);
int	 http_fetch(const char *url, const struct http_request *,
	    struct http_response *, char *err, size_t errlen);
void	 http_response_free(struct http_response *);

#endif
