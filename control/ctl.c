/*
 * The control socket: a unix stream socket where sipktlsctl sends one
 * canonical command and reads "OK"/"ERROR: ..." and a body. Clients are
 * bounded in number, request size and time, so none can stall the loop.
 */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "show.h"

#define CTL_WORDS_MAX	16

/* Creates missing directories on the way to the socket, owner-only. */
static int
ctl_mkdirs(const char *path)
{
	char	 dir[sizeof(((struct ctl *)0)->path)];
	char	*s;
	bool	 last;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((s = strrchr(dir, '/')) == NULL || s == dir)
		return 0;
	*s = '\0';
	for (s = dir + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		last = *s == '\0';
		*s = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			log_warn("control socket: cannot create directory %s", dir);
			return -errno;
		}
		if (last)
			return 0;
		*s = '/';
	}
}

/*
 * A socket file nobody answers on is a stale one left by a crash, and is
 * replaced; one with a live daemon behind it means this one must not start.
 */
static int
ctl_claim(const char *path)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	struct stat		 st;
	int			 fd, rc;

	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		log_warn("control socket %s", path);
		return -errno;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_warnx("control socket %s: exists and is not a socket", path);
		return -EEXIST;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("control socket: socket");
		return -errno;
	}
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (rc == 0) {
		log_warnx("control socket %s: another sipktlsd is running on it",
		    path);
		return -EADDRINUSE;
	}
	if (errno != ECONNREFUSED) {
		log_warn("control socket %s: cannot tell whether it is in use", path);
		return -errno;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		log_warn("control socket %s: cannot remove stale socket", path);
		return -errno;
	}
	log_info("control socket %s: replaced a stale socket", path);
	return 0;
}

static int
ctl_bind(struct ctl *ctl, const char *path)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	struct stat		 st;
	mode_t			 old;
	int			 fd, rc;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_warn("control socket: socket");
		return -errno;
	}
	/* the umask makes the socket owner-only from birth: no chmod race */
	old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc == -1 || listen(fd, CTL_CLIENTS_MAX) == -1 ||
	    lstat(path, &st) == -1) {
		rc = -errno;
		log_warn("control socket %s", path);
		close(fd);
		return rc;
	}
	ctl->ev.fd = fd;
	ctl->dev = st.st_dev;
	ctl->ino = st.st_ino;
	snprintf(ctl->path, sizeof(ctl->path), "%s", path);
	return 0;
}

/* Binds the socket; the caller adds it to the loop with ctl_start(). */
int
ctl_open(struct ctl *ctl, const char *path)
{
	int	err;

	ctl->ev.fd = -1;
	if (strlen(path) >= sizeof(ctl->path)) {
		log_warnx("control socket %s: path longer than %zu characters",
		    path, sizeof(ctl->path) - 1);
		return -ENAMETOOLONG;
	}
	if ((err = ctl_mkdirs(path)) != 0 || (err = ctl_claim(path)) != 0)
		return err;
	return ctl_bind(ctl, path);
}

/* Unlinks the path only while it is still the socket we bound. */
static void
ctl_unlink(struct ctl *ctl)
{
	struct stat	st;

	if (ctl->path[0] != '\0' && lstat(ctl->path, &st) == 0 &&
	    st.st_dev == ctl->dev && st.st_ino == ctl->ino)
		unlink(ctl->path);
	ctl->path[0] = '\0';
}

static void
ctl_client_free(struct sipktlsd *sd, struct ctl_client *c)
{
	struct ctl	*ctl = &sd->ctl;

	for (size_t i = 0; i < ctl->nclients; i++)
		if (ctl->clients[i] == c) {
			ctl->clients[i] = ctl->clients[--ctl->nclients];
			break;
		}
	ev_del(sd, &c->ev);
	close(c->ev.fd);
	free(c->reply);
	free(c);
}

/*
 * Closing a socket with unread input makes the kernel send a reset, which
 * can destroy the reply before the client reads it (a request over the size
 * limit, say). So the reply is followed by a half-close, and the client's
 * remaining input is read and dropped until its end or the deadline.
 */
static void
ctl_drain(struct sipktlsd *sd, struct ctl_client *c)
{
	char	buf[4096];
	ssize_t	n = -1;

	/* bounded per event: a client that never stops sending meets its deadline */
	for (int i = 0; i < 16 && (n = recv(c->ev.fd, buf, sizeof(buf), 0)) > 0; i++)
		;
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR))
		ctl_client_free(sd, c);
}

static void
ctl_write(struct sipktlsd *sd, struct ctl_client *c)
{
	ssize_t	n;

	while (c->replyoff < c->replylen) {
		n = send(c->ev.fd, c->reply + c->replyoff,
		    c->replylen - c->replyoff, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n == -1) {
			log_debug("control client pid %d: send: %s", (int)c->pid,
			    strerror(errno));
			break;
		}
		c->replyoff += (size_t)n;
	}
	if (c->replyoff < c->replylen || shutdown(c->ev.fd, SHUT_WR) == -1 ||
	    ev_mod(sd, &c->ev, EPOLLIN) == -1) {
		ctl_client_free(sd, c);
		return;
	}
	c->draining = true;
	ctl_drain(sd, c);
}

/* Assembles "OK" or "ERROR: why", then the body, and starts sending it. */
static void
ctl_reply(struct sipktlsd *sd, struct ctl_client *c, int rc, const char *why,
    const char *body, size_t bodylen)
{
	FILE	*fp;

	if ((fp = open_memstream(&c->reply, &c->replylen)) == NULL)
		fatal("%s", __func__);
	if (rc == 0)
		fputs(CTL_REPLY_OK "\n", fp);
	else
		fprintf(fp, CTL_REPLY_ERROR "%s\n", why);
	fwrite(body, 1, bodylen, fp);
	if (fclose(fp) != 0)
		fatal("%s", __func__);
	if (ev_mod(sd, &c->ev, EPOLLOUT) == -1) {
		ctl_client_free(sd, c);
		return;
	}
	ctl_write(sd, c);
}

typedef int (*ctl_fn)(struct sipktlsd *, const char *arg, FILE *,
    char *why, size_t);

static int
ctl_show_running(struct sipktlsd *sd, const char *arg, FILE *out, char *why,
    size_t len)
{
	config_print_running(sd->cfg, out);
	return 0;
}

static int
ctl_show_brief(struct sipktlsd *sd, const char *arg, FILE *out, char *why,
    size_t len)
{
	show_connections(sd, out, false);
	return 0;
}

static int
ctl_show_detail(struct sipktlsd *sd, const char *arg, FILE *out, char *why,
    size_t len)
{
	dp_link_writeq(sd);
	show_connections(sd, out, true);
	return 0;
}

static int
ctl_show_profile(struct sipktlsd *sd, const char *arg, FILE *out, char *why,
    size_t len)
{
	unsigned	tag = 0;

	if (arg != NULL && ctl_parse_number(arg, CONF_TAG_MIN, CONF_TAG_MAX, &tag) == -1) {
		snprintf(why, len, "tls-profile tag \"%s\" is not a number in "
		    "%d-%d", arg, CONF_TAG_MIN, CONF_TAG_MAX);
		return -1;
	}
	if (show_profiles(sd->cfg, tag, out) == -ENOENT) {
		snprintf(why, len, "voice class tls-profile %u is not configured",
		    tag);
		return -1;
	}
	return 0;
}

static int
ctl_show_version(struct sipktlsd *sd, const char *arg, FILE *out, char *why,
    size_t len)
{
	show_version(out);
	return 0;
}

static int
ctl_show_ktls(struct sipktlsd *sd, const char *arg, FILE *out, char *why,
    size_t len)
{
	ktls_link_show(sd, out);
	return 0;
}

static int
ctl_show_dp(struct sipktlsd *sd, const char *arg, FILE *out, char *why,
    size_t len)
{
	dp_link_show(sd, out);
	return 0;
}

static int
ctl_reload(struct sipktlsd *sd, const char *arg, FILE *out, char *why,
    size_t len)
{
	return daemon_reload(sd, out, why, len);
}

static int
ctl_clear_id(struct sipktlsd *sd, const char *arg, FILE *out, char *why,
    size_t len)
{
	struct conn	*c;
	unsigned	 id;

	if (ctl_parse_number(arg, 1, CTL_CONNID_MAX, &id) == -1) {
		snprintf(why, len, "connection id \"%s\" is not a number in 1-%d",
		    arg, CTL_CONNID_MAX);
		return -1;
	}
	if ((c = conn_find_id(sd, id)) != NULL) {
		conn_drop(sd, c);
		fprintf(out, "Closed connection %u\n", id);
		return 0;
	}
	if (listener_find_id(&sd->listeners, id) != NULL)
		snprintf(why, len, "Conn-Id %u is a listen socket, not a "
		    "connection", id);
	else
		snprintf(why, len, "no connection with Conn-Id %u", id);
	return -1;
}

static int
ctl_clear_target(struct sipktlsd *sd, const char *arg, FILE *out, char *why,
    size_t len)
{
	struct sockaddr_storage	ss;
	size_t			n;

	if (ctl_parse_target(arg, &ss) == -1) {
		snprintf(why, len, "target \"%s\" is not ipv4:ADDRESS:PORT or "
		    "ipv6:[ADDRESS]:PORT", arg);
		return -1;
	}
	if ((n = conn_drop_remote(sd, &ss)) == 0) {
		snprintf(why, len, "no connection to target %s", arg);
		return -1;
	}
	fprintf(out, "Closed %zu connection%s to %s\n", n, n == 1 ? "" : "s", arg);
	return 0;
}

static int
ctl_test_connect(struct sipktlsd *sd, const char *arg, FILE *out, char *why,
    size_t len)
{
	unsigned	tenant, id;

	if (ctl_parse_number(arg, CONF_TAG_MIN, CONF_TAG_MAX, &tenant) == -1) {
		snprintf(why, len, "tenant tag \"%s\" is not a number in %d-%d",
		    arg, CONF_TAG_MIN, CONF_TAG_MAX);
		return -1;
	}
	if (handshake_connect(sd, tenant, NULL, &id, why, len) != 0)
		return -1;
	fprintf(out, "Connecting to tenant %u's sip-server: Conn-Id %u\n", tenant,
	    id);
	return 0;
}

enum ctl_arg { ARG_NONE, ARG_OPTIONAL, ARG_REQUIRED };

static const struct ctl_command {
	const char	*words;
	enum ctl_arg	 arg;
	bool		 changes;	/* logged at info with who asked */
	ctl_fn		 fn;
} ctl_commands[] = {
	{ CTL_CMD_SHOW_RUNNING,	ARG_NONE,	false,	ctl_show_running },
	{ CTL_CMD_SHOW_BRIEF,	ARG_NONE,	false,	ctl_show_brief },
	{ CTL_CMD_SHOW_DETAIL,	ARG_NONE,	false,	ctl_show_detail },
	{ CTL_CMD_SHOW_PROFILE,	ARG_OPTIONAL,	false,	ctl_show_profile },
	{ CTL_CMD_SHOW_VERSION,	ARG_NONE,	false,	ctl_show_version },
	{ CTL_CMD_SHOW_KTLS,	ARG_NONE,	false,	ctl_show_ktls },
	{ CTL_CMD_SHOW_DP,	ARG_NONE,	false,	ctl_show_dp },
	{ CTL_CMD_RELOAD,	ARG_NONE,	true,	ctl_reload },
	{ CTL_CMD_CLEAR_ID,	ARG_REQUIRED,	true,	ctl_clear_id },
	{ CTL_CMD_CLEAR_TARGET,	ARG_REQUIRED,	true,	ctl_clear_target },
	{ CTL_CMD_TEST_CONNECT,	ARG_REQUIRED,	true,	ctl_test_connect },
};

/* Splits on blanks and joins back with single spaces: the canonical form. */
static int
ctl_normalize(char *req, char *canon, size_t len)
{
	char	*w, *save = NULL;
	size_t	 used = 0;
	int	 n = 0;

	canon[0] = '\0';
	for (w = strtok_r(req, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (++n > CTL_WORDS_MAX)
			return -1;
		used += (size_t)snprintf(canon + used, len - used, "%s%s",
		    n > 1 ? " " : "", w);
	}
	return n;
}

static const struct ctl_command *
ctl_lookup(const char *canon, const char **arg)
{
	const struct ctl_command	*cmd;
	size_t				 len;

	for (size_t i = 0; i < sizeof(ctl_commands) / sizeof(ctl_commands[0]); i++) {
		cmd = &ctl_commands[i];
		len = strlen(cmd->words);
		if (strncmp(canon, cmd->words, len) != 0)
			continue;
		if (canon[len] == '\0' && cmd->arg != ARG_REQUIRED) {
			*arg = NULL;
			return cmd;
		}
		if (canon[len] == ' ' && cmd->arg != ARG_NONE &&
		    strchr(canon + len + 1, ' ') == NULL) {
			*arg = canon + len + 1;
			return cmd;
		}
	}
	return NULL;
}

static void
ctl_execute(struct sipktlsd *sd, struct ctl_client *c, char *req)
{
	const struct ctl_command	*cmd;
	const char			*arg;
	char				 canon[CTL_REQUEST_MAX], why[512] = "";
	char				*body = NULL;
	size_t				 bodylen = 0;
	FILE				*out;
	int				 rc;

	for (char *s = req; *s != '\0'; s++)
		if (!isprint((unsigned char)*s) && *s != '\t') {
			ctl_reply(sd, c, -1, "request contains a control character",
			    "", 0);
			return;
		}
	if (ctl_normalize(req, canon, sizeof(canon)) <= 0 ||
	    (cmd = ctl_lookup(canon, &arg)) == NULL) {
		snprintf(why, sizeof(why), "unknown command \"%.200s\"", canon);
		ctl_reply(sd, c, -1, why, "", 0);
		return;
	}
	if (cmd->changes)
		log_info("control: \"%s\" from pid %d uid %u", canon, (int)c->pid,
		    (unsigned)c->uid);
	else
		log_debug("control: \"%s\" from pid %d", canon, (int)c->pid);
	if ((out = open_memstream(&body, &bodylen)) == NULL)
		fatal("%s", __func__);
	rc = cmd->fn(sd, arg, out, why, sizeof(why));
	if (fclose(out) != 0)
		fatal("%s", __func__);
	ctl_reply(sd, c, rc, why, body, bodylen);
	free(body);
}

static void
ctl_request_done(struct sipktlsd *sd, struct ctl_client *c, char *end)
{
	char	why[64];

	if (end == c->req + sizeof(c->req)) {
		snprintf(why, sizeof(why), "request longer than %d bytes",
		    CTL_REQUEST_MAX);
		ctl_reply(sd, c, -1, why, "", 0);
		return;
	}
	if (memchr(c->req, '\0', (size_t)(end - c->req)) != NULL) {
		ctl_reply(sd, c, -1, "request contains a NUL byte", "", 0);
		return;
	}
	*end = '\0';
	if (end > c->req && end[-1] == '\r')
		end[-1] = '\0';
	ctl_execute(sd, c, c->req);
}

/* A request is one line; end of input also ends it, so "printf cmd | nc -U" works. */
static void
ctl_read(struct sipktlsd *sd, struct ctl_client *c)
{
	char	*nl;
	ssize_t	 n;

	n = recv(c->ev.fd, c->req + c->reqlen, sizeof(c->req) - c->reqlen, 0);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n == -1 || (n == 0 && c->reqlen == 0)) {
		ctl_client_free(sd, c);
		return;
	}
	c->reqlen += (size_t)n;
	if ((nl = memchr(c->req, '\n', c->reqlen)) != NULL)
		ctl_request_done(sd, c, nl);
	else if (n == 0 || c->reqlen == sizeof(c->req))
		ctl_request_done(sd, c, c->req + c->reqlen);
}

static void
ctl_client_io(struct sipktlsd *sd, struct ev_handler *ev, uint32_t events)
{
	struct ctl_client	*c = container_of(ev, struct ctl_client, ev);

	if (c->draining)
		ctl_drain(sd, c);
	else if (c->reply != NULL)
		ctl_write(sd, c);
	else
		ctl_read(sd, c);
}

static void
ctl_accept_one(struct sipktlsd *sd, int fd)
{
	static const char	 busy[] = CTL_REPLY_ERROR "too many control clients\n";
	struct ctl		*ctl = &sd->ctl;
	struct ctl_client	*c;
	struct ucred		 cred = { .pid = -1, .uid = (uid_t)-1 };
	socklen_t		 len = sizeof(cred);
	char			 discard[CTL_REQUEST_MAX];

	if (ctl->nclients == CTL_CLIENTS_MAX) {
		/* best effort; reading what already came spares the reply a reset */
		(void)send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
		(void)shutdown(fd, SHUT_WR);
		(void)recv(fd, discard, sizeof(discard), MSG_DONTWAIT);
		close(fd);
		return;
	}
	(void)getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("%s", __func__);
	c->ev.fd = fd;
	c->ev.cb = ctl_client_io;
	c->pid = cred.pid;
	c->uid = cred.uid;
	c->deadline = now_ms() + CTL_CLIENT_TIMEOUT_MS;
	if (ev_add(sd, &c->ev, EPOLLIN) == -1) {
		close(fd);
		free(c);
		return;
	}
	ctl->clients[ctl->nclients++] = c;
}

/* Out of descriptors: stop polling the socket for a while rather than spin on it. */
static void
ctl_accept_pause(struct sipktlsd *sd)
{
	log_warn("control socket: accept");
	if (ev_mod(sd, &sd->ctl.ev, 0) == 0)
		sd->ctl.resume = now_ms() + CTL_ACCEPT_PAUSE_MS;
}

static void
ctl_accept(struct sipktlsd *sd, struct ev_handler *ev, uint32_t events)
{
	int	fd;

	for (;;) {
		fd = accept4(ev->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			ctl_accept_one(sd, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			ctl_accept_pause(sd);
		else if (errno != EAGAIN && errno != EWOULDBLOCK)
			log_warn("control socket: accept");
		return;
	}
}

int
ctl_start(struct sipktlsd *sd)
{
	sd->ctl.ev.cb = ctl_accept;
	return ev_add(sd, &sd->ctl.ev, EPOLLIN);
}

/*
 * A reload that names another socket path opens the new socket before giving
 * up the old one, so a failure leaves the daemon reachable where it was.
 */
int
ctl_move(struct sipktlsd *sd, const char *path)
{
	struct ctl	next = { 0 };
	int		err;

	if (strcmp(path, sd->ctl.path) == 0)
		return 0;
	if ((err = ctl_open(&next, path)) != 0)
		return err;
	ev_del(sd, &sd->ctl.ev);
	close(sd->ctl.ev.fd);
	ctl_unlink(&sd->ctl);
	sd->ctl.ev.fd = next.ev.fd;
	sd->ctl.dev = next.dev;
	sd->ctl.ino = next.ino;
	sd->ctl.resume = 0;
	memcpy(sd->ctl.path, next.path, sizeof(sd->ctl.path));
	log_info("control socket moved to %s", path);
	return ev_add(sd, &sd->ctl.ev, EPOLLIN);
}

void
ctl_close(struct sipktlsd *sd)
{
	struct ctl	*ctl = &sd->ctl;

	while (ctl->nclients > 0)
		ctl_client_free(sd, ctl->clients[0]);
	if (ctl->ev.fd != -1) {
		ev_del(sd, &ctl->ev);
		close(ctl->ev.fd);
		ctl->ev.fd = -1;
	}
	ctl_unlink(ctl);
}

/* Milliseconds until the next client deadline or accept resume; -1: none. */
int
ctl_timeout(const struct sipktlsd *sd)
{
	const struct ctl	*ctl = &sd->ctl;
	uint64_t		 next = ctl->resume, now = now_ms();

	for (size_t i = 0; i < ctl->nclients; i++)
		if (next == 0 || ctl->clients[i]->deadline < next)
			next = ctl->clients[i]->deadline;
	if (next == 0)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

void
ctl_sweep(struct sipktlsd *sd)
{
	struct ctl	*ctl = &sd->ctl;
	uint64_t	 now = now_ms();
	size_t		 i = 0;

	while (i < ctl->nclients) {
		if (ctl->clients[i]->deadline > now) {
			i++;
			continue;
		}
		log_warnx("control client pid %d: no complete exchange in %d ms, "
		    "dropped", (int)ctl->clients[i]->pid, CTL_CLIENT_TIMEOUT_MS);
		ctl_client_free(sd, ctl->clients[i]);	/* refills slot i */
	}
	if (ctl->resume != 0 && ctl->resume <= now &&
	    ev_mod(sd, &ctl->ev, EPOLLIN) == 0)
		ctl->resume = 0;
}
