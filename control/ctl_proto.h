/*
 * The control socket's wire contract, shared by sipktlsd and sipktlsctl.
 * A client sends one canonical command line; the daemon answers "OK" or
 * "ERROR: message" on the first line, then the body, then closes.
 */
#ifndef SIPKTLS_CTL_PROTO_H
#define SIPKTLS_CTL_PROTO_H

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"

#define CTL_REQUEST_MAX		1024	/* bytes in a request line, newline included */
#define CTL_REPLY_OK		"OK"
#define CTL_REPLY_ERROR		"ERROR: "

/*
 * Canonical commands: sipktlsctl expands abbreviations and sends these words,
 * one space apart, followed by the arguments noted.
 */
#define CTL_CMD_SHOW_RUNNING	"show running-config"
#define CTL_CMD_SHOW_BRIEF	"show sip-ua connections tcp tls brief"
#define CTL_CMD_SHOW_DETAIL	"show sip-ua connections tcp tls detail"
#define CTL_CMD_SHOW_PROFILE	"show voice class tls-profile"	/* [TAG] */
#define CTL_CMD_SHOW_VERSION	"show version"
#define CTL_CMD_SHOW_KTLS	"show kernel-tls"
#define CTL_CMD_SHOW_DP		"show dataplane"
#define CTL_CMD_RELOAD		"reload"
#define CTL_CMD_CLEAR_ID	"clear sip-ua tcp tls connection id"	/* N */
#define CTL_CMD_CLEAR_TARGET	"clear sip-ua tcp tls connection target"	/* ipv4:A:P */
/* Opens a TLS connection to a tenant's sip-server, as the dataplane will. */
#define CTL_CMD_TEST_CONNECT	"test sip-ua tcp tls connect tenant"	/* TAG */

/* The guide's "<1-16380>": the Conn-Id range shared by listen sockets and connections. */
#define CTL_CONNID_MAX		16380

/*
 * Where the daemon listens: the configured path, or the default. A relative
 * path is taken from the configuration file's directory, so the daemon and
 * sipktlsctl agree on it whatever their working directories.
 */
static inline int
ctl_socket_path(const char *conf_path, const char *configured, char *out,
    size_t len)
{
	const char	*slash;
	int		 n;

	if (configured == NULL || configured[0] == '\0')
		configured = SIPKTLS_DEFAULT_SOCKET;
	if (configured[0] == '/' || (slash = strrchr(conf_path, '/')) == NULL)
		n = snprintf(out, len, "%s", configured);
	else
		n = snprintf(out, len, "%.*s/%s", (int)(slash - conf_path),
		    conf_path, configured);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/*
 * An absolute name for the configuration file, symbolic links kept: a reload
 * after the link is pointed at a new file must read the new file.
 */
static inline int
ctl_conf_absolute(const char *path, char *out, size_t len)
{
	char	cwd[PATH_MAX];
	int	n;

	if (path[0] == '/')
		n = snprintf(out, len, "%s", path);
	else if (getcwd(cwd, sizeof(cwd)) == NULL)
		return -1;
	else
		n = snprintf(out, len, "%s/%s", cwd, path);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* A decimal number in [min, max], nothing around it. */
static inline int
ctl_parse_number(const char *s, unsigned min, unsigned max, unsigned *out)
{
	char		*end;
	unsigned long	 v;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || v < min || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* A clear command's target: ipv4:ADDRESS:PORT or ipv6:[ADDRESS]:PORT. */
static inline int
ctl_parse_target(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	char			 host[INET6_ADDRSTRLEN];
	const char		*port, *close;
	unsigned		 p;

	memset(ss, 0, sizeof(*ss));
	if (strncmp(s, "ipv4:", 5) == 0 && (port = strrchr(s + 5, ':')) != NULL &&
	    (size_t)(port - s - 5) < sizeof(host)) {
		snprintf(host, sizeof(host), "%.*s", (int)(port - s - 5), s + 5);
		sin->sin_family = AF_INET;
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1 ||
		    ctl_parse_number(port + 1, 1, 65535, &p) == -1)
			return -1;
		sin->sin_port = htons((uint16_t)p);
		return 0;
	}
	if (strncmp(s, "ipv6:[", 6) == 0 && (close = strchr(s, ']')) != NULL &&
	    close[1] == ':' && (size_t)(close - s - 6) < sizeof(host)) {
		snprintf(host, sizeof(host), "%.*s", (int)(close - s - 6), s + 6);
		sin6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1 ||
		    ctl_parse_number(close + 2, 1, 65535, &p) == -1)
			return -1;
		sin6->sin6_port = htons((uint16_t)p);
		return 0;
	}
	return -1;
}

#endif
