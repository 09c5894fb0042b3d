/*
 * "show sip-ua connections tcp tls brief|detail", "show voice class
 * tls-profile" and "show version". Spacing is copied from the guide's
 * examples; addresses of listen sockets are always bracketed, as in the
 * detail example, so IPv6 rows read the same as IPv4 ones.
 */
#include "autoconf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include "log.h"
#include "outbound.h"
#include "show.h"

/* the guide's rows keep their columns when no address is known */
#define NO_ADDR	"0.0.0.0:0"

static void
show_counters(const struct sipktlsd *sd, FILE *out, bool detail)
{
	struct tls_counters	 all = sd->counters;
	const struct tls_counters *c = &all;
	char	peer[INET6_ADDRSTRLEN + 16];

	dp_link_counters(sd, &all);

	fprintf(out, "Total active connections      : %zu\n", sd->conns.n);
	fprintf(out, "No. of send failures          : %" PRIu64 "\n", c->send_failures);
	fprintf(out, "No. of remote closures        : %" PRIu64 "\n", c->remote_closures);
	fprintf(out, "No. of conn. failures         : %" PRIu64 "\n", c->conn_failures);
	fprintf(out, "No. of inactive conn. ageouts : %" PRIu64 "\n", c->inactive_ageouts);
	if (detail)
		fprintf(out, "Max. tls send msg queue size of %" PRIu64
		    ", recorded for %s\n", c->max_sendq,
		    addrport_format(&c->max_sendq_peer, NO_ADDR, peer,
		    sizeof(peer)));
	fprintf(out, "TLS client handshake failures : %" PRIu64 "\n",
	    c->client_handshake_failures);
	fprintf(out, "TLS server handshake failures : %" PRIu64 "\n",
	    c->server_handshake_failures);
}

static void
show_note(FILE *out)
{
	fputs("---------Printing Detailed Connection Report---------\n"
	    "Note:\n"
	    " ** Tuples with no matching socket entry\n"
	    "    - Do 'clear sip <tcp[tls]/udp> conn t ipv4:<addr>:<port>'\n"
	    "      to overcome this error condition\n"
	    " ++ Tuples with mismatched address/port entry\n"
	    "    - Do 'clear sip <tcp[tls]/udp> conn t ipv4:<addr>:<port> id <connid>'\n"
	    "      to overcome this error condition\n"
	    " * Connections with SIP OAuth ports\n"
	    "\n", out);
}

static int
remote_cmp(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	size_t	off, len;

	if (a->ss_family != b->ss_family)
		return a->ss_family < b->ss_family ? -1 : 1;
	if (a->ss_family == AF_INET) {
		off = offsetof(struct sockaddr_in, sin_addr);
		len = sizeof(struct in_addr);
	} else {
		off = offsetof(struct sockaddr_in6, sin6_addr);
		len = sizeof(struct in6_addr);
	}
	return memcmp((const char *)a + off, (const char *)b + off, len);
}

static int
conn_order(const void *a, const void *b)
{
	const struct conn *x = *(const struct conn *const *)a;
	const struct conn *y = *(const struct conn *const *)b;
	int	d = remote_cmp(&x->remote, &y->remote);

	if (d != 0)
		return d;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void
show_conn_row(const struct conn *c, FILE *out)
{
	static const char *const state[] = {
		[CONN_HANDSHAKE] = "Handshake",
		[CONN_ESTABLISHED] = "Established",
		[CONN_CLOSING] = "Closing",
	};
	char	local[INET6_ADDRSTRLEN + 16];
	int	over = (int)strlen(c->curve) - 5;

	/* "X25519" is one wider than the guide's Curve column: Tenant gives way */
	fprintf(out, "  %11u %7u %-11s %11zu %-38s %11s %34s %5s %*u\n",
	    sockaddr_port(&c->remote), c->id, state[c->state], c->writeq,
	    addrport_format(&c->local, NO_ADDR, local, sizeof(local)),
	    c->tls_version, c->cipher, c->curve, over > 0 && over < 5 ? 5 - over : 5,
	    c->tenant);
}

/* One block per remote agent (peer address), as the guide groups them. */
static void
show_conn_groups(const struct sipktlsd *sd, FILE *out)
{
	const struct conn	**v;
	char			  ip[INET6_ADDRSTRLEN];
	size_t			  i, j;

	if (sd->conns.n == 0)
		return;
	if ((v = calloc(sd->conns.n, sizeof(*v))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < sd->conns.n; i++)
		v[i] = sd->conns.v[i];
	qsort(v, sd->conns.n, sizeof(*v), conn_order);
	for (i = 0; i < sd->conns.n; i = j) {
		for (j = i; j < sd->conns.n &&
		    remote_cmp(&v[i]->remote, &v[j]->remote) == 0; j++)
			;
		fprintf(out, "Remote-Agent:%s, Connections-Count:%zu\n",
		    sockaddr_ntop(&v[i]->remote, ip, sizeof(ip)), j - i);
		fputs("  Remote-Port Conn-Id Conn-State  WriteQ-Size            "
		    "Local-Address               TLS-Version                "
		    "Cipher              Curve Tenant\n"
		    "  =========== ======= =========== =========== "
		    "====================================== =========== "
		    "================================== ===== ======\n", out);
		for (size_t k = i; k < j; k++)
			show_conn_row(v[k], out);
		fputc('\n', out);
	}
	free(v);
}

static int
listener_order(const void *a, const void *b)
{
	const struct listener *x = *(const struct listener *const *)a;
	const struct listener *y = *(const struct listener *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Rows are "[ADDRESS]:PORT:VRF"; sipktlsd has no VRFs, so VRF is empty. */
static void
show_listen_row(const struct listener *l, FILE *out, int width)
{
	char	ip[INET6_ADDRSTRLEN], addr[INET6_ADDRSTRLEN + 16];
	int	n;

	n = snprintf(addr, sizeof(addr), "[%s]:%u:",
	    sockaddr_ntop(&l->conf.addr, ip, sizeof(ip)),
	    sockaddr_port(&l->conf.addr));
	/* a long IPv6 address still keeps one space before the tenant */
	fprintf(out, "  %-14u%-*s%s%u\n", l->id, width, addr,
	    n >= width ? " " : "", l->conf.tenant);
}

static void
show_listeners(const struct sipktlsd *sd, FILE *out, bool detail)
{
	const struct listener	**v;
	size_t			  n = sd->listeners.n;

	fputs("-------------- SIP Transport Layer Listen Sockets ---------------\n",
	    out);
	if (detail)
		fputs("  Conn-Id             Local-Address                      Tenant \n"
		    " ==========    ===========================              ========\n",
		    out);
	else
		fputs("  Conn-Id             Local-Address            Tenant \n"
		    " ==========    ===========================   ============\n", out);
	if (n == 0)
		return;
	if ((v = calloc(n, sizeof(*v))) == NULL)
		fatal("%s", __func__);
	for (size_t i = 0; i < n; i++)
		v[i] = sd->listeners.v[i];
	qsort(v, n, sizeof(*v), listener_order);
	for (size_t i = 0; i < n; i++)
		show_listen_row(v[i], out, detail ? 45 : 31);
	free(v);
}

void
show_connections(const struct sipktlsd *sd, FILE *out, bool detail)
{
	show_counters(sd, out, detail);
	fputc('\n', out);
	if (detail) {
		show_note(out);
		show_conn_groups(sd, out);
		ktls_link_show_detail(sd, out);
	}
	show_listeners(sd, out, detail);
	outbound_show(sd, out);
}

/* tag 0: every profile, in file order. -ENOENT when the tag is not configured. */
int
show_profiles(const struct config *cfg, unsigned tag, FILE *out)
{
	const struct tls_profile_config *p;

	if (tag != 0) {
		if ((p = config_profile(cfg, tag)) == NULL)
			return -ENOENT;
		config_print_profile(cfg, p, out);
		return 0;
	}
	for (size_t i = 0; i < cfg->nprofiles; i++)
		config_print_profile(cfg, &cfg->profiles[i], out);
	return 0;
}

void
show_version(FILE *out)
{
	fprintf(out, "sipktlsd (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
	fprintf(out, "%s (built with %s)\n", OpenSSL_version(OPENSSL_VERSION),
	    OPENSSL_VERSION_TEXT);
}
