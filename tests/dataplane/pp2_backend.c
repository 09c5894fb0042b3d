/*
 * A SIP backend that expects a PROXY protocol v2 header: prints every field
 * and TLV it decodes, one per line, then answers each SIP request with
 * 200 OK until the connection ends. One connection at a time.
 *
 *   pp2_backend -l 127.0.0.1:0      prints "port N", "ready", then per connection
 *   "pp2 family TCP4", "src A:P", "dst A:P", "authority ...", "ssl client 0x5
 *   verify 0", "ssl version ...", "ssl cipher ...", "ssl cn ...", "tenant N",
 *   "request METHOD" per message, "eof".
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dataplane/proxy_v2.h"
#include "dataplane/sipframe.h"
#include "sip_msg.h"

static void
print_ssl(const uint8_t *v, size_t len)
{
	size_t	off = 5;

	if (len < 5) {
		printf("ssl malformed\n");
		return;
	}
	printf("ssl client 0x%x verify %u\n", v[0],
	    (unsigned)v[1] << 24 | (unsigned)v[2] << 16 | (unsigned)v[3] << 8 | v[4]);
	while (off + 3 <= len) {
		uint8_t	type = v[off];
		size_t	n = (size_t)v[off + 1] << 8 | v[off + 2];

		if (off + 3 + n > len) {
			printf("ssl sub-TLV overflows\n");
			return;
		}
		printf("ssl %s %.*s\n", type == PP2_SUBTYPE_SSL_VERSION ? "version" :
		    type == PP2_SUBTYPE_SSL_CIPHER ? "cipher" :
		    type == PP2_SUBTYPE_SSL_CN ? "cn" : "unknown", (int)n,
		    (const char *)v + off + 3);
		off += 3 + n;
	}
}

static void
print_addrs(const uint8_t *p, uint8_t fam)
{
	char	a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int	af = (fam >> 4) == 2 ? AF_INET6 : AF_INET;
	size_t	alen = af == AF_INET6 ? 16 : 4;

	inet_ntop(af, p, a, sizeof(a));
	inet_ntop(af, p + alen, b, sizeof(b));
	printf("src %s:%u\ndst %s:%u\n", a, (unsigned)p[2 * alen] << 8 | p[2 * alen + 1],
	    b, (unsigned)p[2 * alen + 2] << 8 | p[2 * alen + 3]);
}

/* Returns the header length, or 0 when it is not a valid v2 PROXY header. */
static size_t
print_header(const uint8_t *h, size_t len)
{
	size_t	total, off;
	uint8_t	fam;

	if (len < PP2_HEADER_LEN || memcmp(h, PP2_SIGNATURE, PP2_SIGNATURE_LEN) != 0 ||
	    h[12] != PP2_VERSION_PROXY) {
		printf("pp2 missing\n");
		return 0;
	}
	fam = h[13];
	total = PP2_HEADER_LEN + ((size_t)h[14] << 8 | h[15]);
	printf("pp2 family %s\n", fam == PP2_FAM_TCP4 ? "TCP4" : fam == PP2_FAM_TCP6 ?
	    "TCP6" : fam == PP2_FAM_UDP4 ? "UDP4" : fam == PP2_FAM_UDP6 ? "UDP6" :
	    "UNSPEC");
	off = PP2_HEADER_LEN;
	if (fam == PP2_FAM_TCP4 || fam == PP2_FAM_UDP4) {
		print_addrs(h + off, fam);
		off += 12;
	} else if (fam == PP2_FAM_TCP6 || fam == PP2_FAM_UDP6) {
		print_addrs(h + off, fam);
		off += 36;
	}
	while (off + 3 <= total) {
		uint8_t	type = h[off];
		size_t	n = (size_t)h[off + 1] << 8 | h[off + 2];
		const uint8_t *v = h + off + 3;

		if (off + 3 + n > total) {
			printf("tlv overflows\n");
			break;
		}
		if (type == PP2_TYPE_AUTHORITY)
			printf("authority %.*s\n", (int)n, (const char *)v);
		else if (type == PP2_TYPE_SSL)
			print_ssl(v, n);
		else if (type == PP2_TYPE_SIPKTLS_TENANT && n == 4)
			printf("tenant %u\n", (unsigned)v[0] << 24 | (unsigned)v[1] << 16 |
			    (unsigned)v[2] << 8 | v[3]);
		else
			printf("tlv 0x%02x len %zu\n", type, n);
		off += 3 + n;
	}
	return total;
}

static void
serve(int fd)
{
	static uint8_t	 in[256 * 1024];
	size_t		 len = 0, off, msglen, hdr = 0;
	struct sipframe	 fr;
	const char	*reason;
	char		 resp[4096];
	bool		 done_hdr = false;
	ssize_t		 n;

	sipframe_init(&fr, 0, 0);
	while ((n = read(fd, in + len, sizeof(in) - len)) > 0) {
		len += (size_t)n;
		off = 0;
		if (!done_hdr) {
			bool	sig = memcmp(in, PP2_SIGNATURE,
			    len < PP2_SIGNATURE_LEN ? len : PP2_SIGNATURE_LEN) == 0;

			/* wait for the whole header before printing it */
			if (sig && (len < PP2_HEADER_LEN ||
			    len < PP2_HEADER_LEN + ((size_t)in[14] << 8 | in[15])))
				continue;
			hdr = print_header(in, len);
			done_hdr = true;
			off = hdr;
		}
		while (off < len) {
			enum sipframe_result r = sipframe_next(&fr, in + off, len - off,
			    &msglen, &reason);

			if (r == SIPFRAME_MORE)
				break;
			if (r == SIPFRAME_ERROR) {
				printf("framing error %s\n", reason);
				fflush(stdout);
				return;
			}
			if (r == SIPFRAME_MESSAGE && sip_is_request(in + off, msglen)) {
				size_t	m = strcspn((const char *)in + off, " ");

				printf("request %.*s\n", (int)m, (const char *)in + off);
				if (!sip_is_method(in + off, msglen, "ACK") &&
				    (m = sip_response(in + off, msglen, 200, "OK", resp,
				    sizeof(resp))) > 0)
					(void)!write(fd, resp, m);
			}
			off += msglen;
		}
		memmove(in, in + off, len - off);
		len -= off;
		fflush(stdout);
	}
	printf("eof\n");
	fflush(stdout);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	socklen_t		slen = sizeof(sin);
	char			*colon;
	int			lfd, fd, one = 1;

	if (argc != 3 || strcmp(argv[1], "-l") != 0 ||
	    (colon = strrchr(argv[2], ':')) == NULL) {
		fprintf(stderr, "usage: pp2_backend -l addr:port\n");
		return 2;
	}
	*colon = '\0';
	inet_pton(AF_INET, argv[2], &sin.sin_addr);
	sin.sin_port = htons((uint16_t)atoi(colon + 1));
	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, 16) == -1) {
		perror("pp2_backend");
		return 1;
	}
	getsockname(lfd, (struct sockaddr *)&sin, &slen);
	printf("port %u\nready\n", ntohs(sin.sin_port));
	fflush(stdout);
	while ((fd = accept(lfd, NULL, NULL)) >= 0) {
		serve(fd);
		close(fd);
	}
	return 0;
}
