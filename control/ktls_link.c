/*
 * Kernel TLS in the daemon: the start-up probe, the per-session offload
 * decision just before the dataplane takes a session, and what "show
 * kernel-tls" and the detail report say about it.
 */
#include "autoconf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <linux/tls.h>

#include "daemon.h"
#include "dataplane/dataplane.h"
#include "ktls_link.h"
#include "log.h"

void
ktls_link_start(struct sipktlsd *sd)
{
	char	line[512];
	int	rc;

	if ((rc = ktls_probe_run(&sd->ktls.probe)) < 0) {
		/* no probe: every direction reads as not offloadable */
		memset(&sd->ktls.probe, 0, sizeof(sd->ktls.probe));
		sd->ktls.probe.kp_ulp_errno = -rc;
	}
	ktls_probe_format(&sd->ktls.probe, line, sizeof(line));
	log_info("%s", line);
}

/* The mode this session's profile was built with (a reload may differ). */
static enum ktls_mode
session_mode(SSL *ssl)
{
	return ktls_mode_get(SSL_get_SSL_CTX(ssl));
}

static const char *
path_word(enum ktls_path p)
{
	return p == KTLS_PATH_OPENSSL ? "openssl" : "installed";
}

/* The direction that explains the result: not the one "kept ... with" it. */
static const char *
result_reason(const struct ktls_result *r)
{
	const struct ktls_dir	*d = &r->kr_rx;

	if (d->kd_path != KTLS_PATH_USERSPACE ||
	    strncmp(d->kd_reason, "kept in userspace", 17) == 0)
		d = &r->kr_tx;
	return d->kd_reason[0] != '\0' ? d->kd_reason : "unknown";
}

/* ChaCha20's limit is beyond any connection's life: none is kept. */
static uint64_t
tx_limit(const struct sipktlsd *sd, enum ktls_cipher c)
{
	uint64_t	lim = ktls_record_limit(c);

	if (lim > CONF_DEFAULT_KTLS_RECORD_LIMIT)
		return 0;
	return lim < sd->cfg->ktls_record_limit ? lim : sd->cfg->ktls_record_limit;
}

/*
 * Runs ktls_offload() unless the profile says off, and chooses the path:
 * KTLS_LINK_KERNEL (TX and RX in the kernel; *kt takes the drained bytes),
 * KTLS_LINK_USER (the SSL carries on), or KTLS_LINK_REFUSE with *why set:
 * "required" could not be met, or one direction is in the kernel and the
 * other could not follow (no path can serve that session: our ring BIO
 * would encrypt a second time, the kTLS BIO is not the ring's), or
 * plaintext OpenSSL had read past the handshake is gone from the SSL
 * while the session would stay on it.
 */
enum ktls_link_path
ktls_link_offload(struct sipktlsd *sd, int fd, SSL *ssl, struct dp_kernel_tls *kt,
    char *offload, size_t olen, char *why, size_t wlen)
{
	struct ktls_result	r;
	const char		*extra = "";
	bool			refuse;
	int			rc;

	memset(kt, 0, sizeof(*kt));
	if (session_mode(ssl) == KTLS_MODE_OFF) {
		snprintf(offload, olen, "userspace: kernel-tls off");
		return KTLS_LINK_USER;
	}
	rc = ktls_offload(ssl, fd, &sd->ktls.probe, &r);
	if (rc == 0 && ktls_result_full(&r)) {
		snprintf(offload, olen, "kernel: tx+rx (%s tx, %s rx)",
		    path_word(r.kr_tx.kd_path), path_word(r.kr_rx.kd_path));
		kt->drained = r.kr_drained;
		kt->drained_len = r.kr_drained_len;
		kt->keys = r.kr_keys;
		kt->tx_records = r.kr_tx.kd_rec_seq;
		kt->tx_limit = tx_limit(sd, r.kr_cipher);
		r.kr_drained = NULL;
		r.kr_drained_len = 0;
		r.kr_keys = NULL;
		ktls_result_release(&r);
		return KTLS_LINK_KERNEL;
	}
	if (r.kr_tx.kd_path != KTLS_PATH_USERSPACE)
		extra = "; TX is already in the kernel";
	else if (r.kr_rx.kd_path != KTLS_PATH_USERSPACE)
		extra = "; RX is already in the kernel";
	else if (r.kr_drained_len > 0)
		extra = "; plaintext already read past the handshake";
	refuse = rc < 0 || extra[0] != '\0';
	snprintf(offload, olen, "userspace: %s", result_reason(&r));
	if (refuse) {
		snprintf(why, wlen, "kernel TLS offload impossible (%s%s)",
		    result_reason(&r), extra);
		sd->ktls.refused++;
	}
	ktls_result_release(&r);
	return refuse ? KTLS_LINK_REFUSE : KTLS_LINK_USER;
}

/* ---- show ------------------------------------------------------------------ */

static const char *
mode_name(enum ktls_conf m)
{
	return m == KTLS_CONF_OFF ? "off" : m == KTLS_CONF_REQUIRED ?
	    "required" : "preferred";
}

static void
show_tls_stat(FILE *out)
{
	struct ktls_stat	st;
	char			buf[1024], *w, *save = NULL;
	int			rc;

	if ((rc = ktls_stat_read(&st)) < 0) {
		fprintf(out, "/proc/net/tls_stat      : %s\n", rc == -ENOENT ?
		    "absent (tls module not loaded)" : strerror(-rc));
		return;
	}
	fputs("/proc/net/tls_stat      :\n", out);
	ktls_stat_format(&st, buf, sizeof(buf));
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		char	*eq = strchr(w, '=');

		if (eq == NULL)
			continue;
		*eq = '\0';
		fprintf(out, "  %-22s: %s\n", w, eq + 1);
	}
}

void
ktls_link_show(const struct sipktlsd *sd, FILE *out)
{
	struct dp_counters	d;
	char			line[512];
	size_t			kernel = 0, user = 0;

	memset(&d, 0, sizeof(d));
	if (sd->dp != NULL)
		dataplane_counters(sd->dp, &d);
	for (size_t i = 0; i < sd->conns.n; i++) {
		const struct conn	*c = sd->conns.v[i];

		if (!c->relayed)
			continue;
		if (strncmp(c->offload, "kernel:", 7) == 0)
			kernel++;
		else
			user++;
	}
	ktls_probe_format(&sd->ktls.probe, line, sizeof(line));
	fprintf(out, "Kernel                  : %s\n", sd->ktls.probe.kp_release);
	fprintf(out, "Probe                   : %s\n", line);
	fprintf(out, "Mode                    : %s\n", mode_name(sd->cfg->ktls_mode));
	fprintf(out, "Relayed in kernel TLS   : %zu\n", kernel);
	fprintf(out, "Relayed in userspace TLS: %zu\n", user);
	fprintf(out, "Refused, not offloadable: %" PRIu64 "\n", sd->ktls.refused);
	fprintf(out, "Tickets dropped         : %" PRIu64 "\n", d.ktls_tickets);
	fprintf(out, "KeyUpdate closes        : %" PRIu64 "\n", d.ktls_keyupdates);
	fprintf(out, "Key record-limit closes : %" PRIu64 "\n", d.ktls_key_limit);
	fprintf(out, "Alerts and bad records  : %" PRIu64 "\n", d.ktls_alerts);
	show_tls_stat(out);
}

static const char *
diag_cipher(uint16_t c)
{
	switch (c) {
	case TLS_CIPHER_AES_GCM_128:		return "AES_GCM_128";
	case TLS_CIPHER_AES_GCM_256:		return "AES_GCM_256";
	case TLS_CIPHER_AES_CCM_128:		return "AES_CCM_128";
	case TLS_CIPHER_CHACHA20_POLY1305:	return "CHACHA20_POLY1305";
	default:				return "?";
	}
}

/* Sockets in a dump are ordered by their 4-tuple, so each row is a bsearch. */
static int
diag_cmp(const void *a, const void *b)
{
	const struct ktls_diag	*x = a, *y = b;
	size_t			 alen = x->kg_family == AF_INET ? 4 : 16;
	int			 d;

	if (x->kg_family != y->kg_family)
		return x->kg_family < y->kg_family ? -1 : 1;
	if (x->kg_sport != y->kg_sport)
		return x->kg_sport < y->kg_sport ? -1 : 1;
	if (x->kg_dport != y->kg_dport)
		return x->kg_dport < y->kg_dport ? -1 : 1;
	if ((d = memcmp(x->kg_src, y->kg_src, alen)) != 0)
		return d;
	return memcmp(x->kg_dst, y->kg_dst, alen);
}

/* The dump's key for a connection's socket. */
static void
diag_key(const struct conn *c, struct ktls_diag *k)
{
	const struct sockaddr_storage	*l = &c->local, *r = &c->remote;

	memset(k, 0, sizeof(*k));
	k->kg_family = l->ss_family;
	k->kg_sport = sockaddr_port(l);
	k->kg_dport = sockaddr_port(r);
	if (l->ss_family == AF_INET) {
		const struct sockaddr_in *l4 = (const void *)l, *r4 = (const void *)r;

		memcpy(k->kg_src, &l4->sin_addr, 4);
		memcpy(k->kg_dst, &r4->sin_addr, 4);
	} else {
		const struct sockaddr_in6 *l6 = (const void *)l, *r6 = (const void *)r;

		memcpy(k->kg_src, &l6->sin6_addr, 16);
		memcpy(k->kg_dst, &r6->sin6_addr, 16);
	}
}

struct diag_set {
	struct ktls_diag	*v;
	size_t			 n, cap;
};

static int
diag_collect(const struct ktls_diag *kg, void *arg)
{
	struct diag_set		*ds = arg;
	struct ktls_diag	*nv;

	if (!kg->kg_tls)
		return 0;
	if (ds->n == ds->cap) {
		ds->cap = ds->cap ? ds->cap * 2 : 64;
		if ((nv = reallocarray(ds->v, ds->cap, sizeof(*nv))) == NULL)
			return -ENOMEM;
		ds->v = nv;
	}
	ds->v[ds->n++] = *kg;
	return 0;
}

/* The kernel's own view of one offloaded socket, from the sock_diag dump. */
static void
show_diag(const struct diag_set *ds, const struct conn *c, FILE *out)
{
	const struct ktls_diag	*kg;
	struct ktls_diag	 key;

	diag_key(c, &key);
	kg = ds->n == 0 ? NULL :
	    bsearch(&key, ds->v, ds->n, sizeof(*ds->v), diag_cmp);
	if (kg == NULL) {
		fputs("    Kernel TLS: no tls ULP on the socket\n", out);
		return;
	}
	fprintf(out, "    Kernel TLS: %s %s tx %s rx %s\n",
	    kg->kg_version == TLS_1_3_VERSION ? "TLS_1_3" :
	    kg->kg_version == TLS_1_2_VERSION ? "TLS_1_2" : "TLS_?",
	    diag_cipher(kg->kg_cipher), ktls_diag_conf_name(kg->kg_txconf),
	    ktls_diag_conf_name(kg->kg_rxconf));
}

/* Detail report: who moves each relayed session's records, and why. */
void
ktls_link_show_detail(const struct sipktlsd *sd, FILE *out)
{
	struct diag_set	ds = { 0 };
	bool		header = false, dumped = false;
	int		rc = 0;

	for (size_t i = 0; i < sd->conns.n; i++) {
		const struct conn	*c = sd->conns.v[i];

		if (c->offload[0] == '\0')
			continue;
		if (!header)
			fputs("------------------ TLS record layer ------------------\n",
			    out);
		header = true;
		fprintf(out, "  Conn-Id %u: %s\n", c->id, c->offload);
		if (!c->relayed || strncmp(c->offload, "kernel:", 7) != 0)
			continue;
		/* one dump for the whole report, on its first kernel row */
		if (!dumped) {
			rc = ktls_diag_dump(diag_collect, &ds);
			if (ds.n > 1)
				qsort(ds.v, ds.n, sizeof(*ds.v), diag_cmp);
			dumped = true;
		}
		if (rc < 0)
			fprintf(out, "    Kernel TLS: not readable (%s)\n",
			    strerror(-rc));
		else
			show_diag(&ds, c, out);
	}
	free(ds.v);
	if (header)
		fputc('\n', out);
}
