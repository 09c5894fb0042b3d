/*
 * sipktlsctl: the operator's command line for a running sipktlsd. Words are
 * matched against token tables with IOS-style unique prefixes ("sh sip-ua
 * conn tcp tls b"), expanded to a canonical command and sent over the
 * control socket; the daemon's reply body goes to stdout.
 */
#include "autoconf.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "ctl_proto.h"
#include "pki/pki.h"

#define EXIT_ERROR	1	/* the daemon said ERROR, or could not be asked */
#define EXIT_USAGE	2
#define REPLY_TIMEOUT	60	/* seconds; a reload reads the whole file */

enum action {
	NONE, SHOW_RUNNING, SHOW_BRIEF, SHOW_DETAIL, SHOW_PROFILE, SHOW_VERSION,
	SHOW_KTLS, SHOW_DP,
	RELOAD, CLEAR_ID, CLEAR_TARGET, TEST_CONNECT,
	CRYPTO		/* local: the rest of the words go to pki_cli_run() */
};

/* Each action's canonical form, from the wire contract. */
static const char *const action_command[] = {
	[SHOW_RUNNING] = CTL_CMD_SHOW_RUNNING,
	[SHOW_BRIEF] = CTL_CMD_SHOW_BRIEF,
	[SHOW_DETAIL] = CTL_CMD_SHOW_DETAIL,
	[SHOW_PROFILE] = CTL_CMD_SHOW_PROFILE,
	[SHOW_VERSION] = CTL_CMD_SHOW_VERSION,
	[SHOW_KTLS] = CTL_CMD_SHOW_KTLS,
	[SHOW_DP] = CTL_CMD_SHOW_DP,
	[RELOAD] = CTL_CMD_RELOAD,
	[CLEAR_ID] = CTL_CMD_CLEAR_ID,
	[CLEAR_TARGET] = CTL_CMD_CLEAR_TARGET,
	[TEST_CONNECT] = CTL_CMD_TEST_CONNECT,
};

/* ENDTOKEN closes a table; NOTOKEN says the command may end here. */
enum token_type { ENDTOKEN, NOTOKEN, KEYWORD, PROFILE_TAG, CONN_ID, TARGET,
	TENANT_TAG };

struct token {
	enum token_type		 type;
	const char		*keyword;	/* or the argument's placeholder */
	enum action		 action;
	const struct token	*next;
	const char		*help;
};

static const struct token t_connid[] = {
	{ CONN_ID, "<1-16380>", NONE, NULL,
	  "Value of the Connection ID that needs to be closed" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};
static const struct token t_target[] = {
	{ TARGET, "ipv4:<addr>:<port>", NONE, NULL,
	  "Target address (or ipv6:[<addr>]:<port>)" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};
static const struct token t_clear_conn[] = {
	{ KEYWORD, "id", CLEAR_ID, t_connid, "Connection ID for the connection "
	  "that needs to be closed in the sip tcp/udp process" },
	{ KEYWORD, "target", CLEAR_TARGET, t_target, "Target address for the "
	  "connection that needs to be closed in the transport layer" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};
static const struct token t_clear_tls[] = {
	{ KEYWORD, "connection", NONE, t_clear_conn, "Clear a SIP TLS connection" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};
static const struct token t_clear_tcp[] = {
	{ KEYWORD, "tls", NONE, t_clear_tls, "TLS over TCP" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};
static const struct token t_clear_sipua[] = {
	{ KEYWORD, "tcp", NONE, t_clear_tcp, "TCP transport" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};
static const struct token t_clear[] = {
	{ KEYWORD, "sip-ua", NONE, t_clear_sipua, "SIP user agent" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};
static const struct token t_profile_tag[] = {
	{ NOTOKEN, NULL, NONE, NULL, NULL },
	{ PROFILE_TAG, "<1-10000>", NONE, NULL, "Show one tls-profile" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};
static const struct token t_show_class[] = {
	{ KEYWORD, "tls-profile", SHOW_PROFILE, t_profile_tag,
	  "TLS profiles" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};
static const struct token t_show_voice[] = {
	{ KEYWORD, "class", NONE, t_show_class, "Voice classes" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};
static const struct token t_show_tls[] = {
	{ KEYWORD, "brief", SHOW_BRIEF, NULL, "Counters and listen sockets" },
	{ KEYWORD, "detail", SHOW_DETAIL, NULL, "Counters, connections and "
	  "listen sockets" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};
static const struct token t_show_tcp[] = {
	{ KEYWORD, "tls", NONE, t_show_tls, "TLS over TCP" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};
static const struct token t_show_conn[] = {
	{ KEYWORD, "tcp", NONE, t_show_tcp, "TCP transport" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};
static const struct token t_show_sipua[] = {
	{ KEYWORD, "connections", NONE, t_show_conn, "SIP transport connections" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};
static const struct token t_show[] = {
	{ KEYWORD, "crypto", CRYPTO, NULL, "Keys, trustpoints and certificates "
	  "(PKI store)" },
	{ KEYWORD, "dataplane", SHOW_DP, NULL, "Relay threads and the relay's "
	  "counters" },
	{ KEYWORD, "kernel-tls", SHOW_KTLS, NULL, "Kernel TLS: probe, sessions, "
	  "kernel counters" },
	{ KEYWORD, "running-config", SHOW_RUNNING, NULL, "The configuration "
	  "in use" },
	{ KEYWORD, "sip-ua", NONE, t_show_sipua, "SIP user agent" },
	{ KEYWORD, "version", SHOW_VERSION, NULL, "Daemon and OpenSSL versions" },
	{ KEYWORD, "voice", NONE, t_show_voice, "Voice configuration" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};
static const struct token t_test_tag[] = {
	{ TENANT_TAG, "<1-10000>", NONE, NULL, "Tenant whose sip-server to reach" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};
static const struct token t_test_connect[] = {
	{ KEYWORD, "tenant", TEST_CONNECT, t_test_tag, "A tenant's sip-server" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};
static const struct token t_test_tls[] = {
	{ KEYWORD, "connect", NONE, t_test_connect, "Open an outbound TLS "
	  "connection" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};
static const struct token t_test_tcp[] = {
	{ KEYWORD, "tls", NONE, t_test_tls, "TLS over TCP" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};
static const struct token t_test_sipua[] = {
	{ KEYWORD, "tcp", NONE, t_test_tcp, "TCP transport" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};
static const struct token t_test[] = {
	{ KEYWORD, "sip-ua", NONE, t_test_sipua, "SIP user agent" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};
static const struct token t_main[] = {
	{ KEYWORD, "clear", NONE, t_clear, "Close connections" },
	{ KEYWORD, "crypto", CRYPTO, NULL, "Keys, trustpoints and certificates "
	  "(PKI store)" },
	{ KEYWORD, "reload", RELOAD, NULL, "Load the configuration file again" },
	{ KEYWORD, "show", NONE, t_show, "Show running state" },
	{ KEYWORD, "test", NONE, t_test, "Exercise the daemon" },
	{ ENDTOKEN, NULL, NONE, NULL, NULL }
};

struct parse_result {
	enum action	 action;
	char		 arg[CTL_REQUEST_MAX / 2];
};

static bool
token_arg_valid(const struct token *t, const char *word)
{
	struct sockaddr_storage	ss;
	unsigned		n;

	switch (t->type) {
	case PROFILE_TAG:
	case TENANT_TAG:
		return ctl_parse_number(word, CONF_TAG_MIN, CONF_TAG_MAX, &n) == 0;
	case CONN_ID:
		return ctl_parse_number(word, 1, CTL_CONNID_MAX, &n) == 0;
	case TARGET:
		return ctl_parse_target(word, &ss) == 0;
	default:
		return false;
	}
}

static void
table_list(const struct token *table, FILE *out, const char *sep)
{
	const char	*s = "";

	for (const struct token *t = table; t->type != ENDTOKEN; t++) {
		fprintf(out, "%s%s", s, t->type == NOTOKEN ? "<cr>" : t->keyword);
		s = sep;
	}
}

/* IOS "?": each word possible here, with its help. */
static void
table_help(const struct token *table)
{
	for (const struct token *t = table; t->type != ENDTOKEN; t++)
		if (t->type == NOTOKEN)
			printf("  <cr>\n");
		else
			printf("  %-18s %s\n", t->keyword, t->help);
}

static bool
table_has_keywords(const struct token *table)
{
	for (const struct token *t = table; t->type != ENDTOKEN; t++)
		if (t->type == KEYWORD)
			return true;
	return false;
}

/*
 * An exact keyword wins; otherwise the word must be the prefix of exactly
 * one keyword, or a valid argument. NULL after printing why.
 */
static const struct token *
table_match(const struct token *table, const char *word)
{
	const struct token	*found = NULL;
	size_t			 nfound = 0, len = strlen(word);

	for (const struct token *t = table; t->type != ENDTOKEN; t++) {
		if (t->type == KEYWORD && strcasecmp(word, t->keyword) == 0)
			return t;
		if ((t->type == KEYWORD && strncasecmp(word, t->keyword, len) == 0) ||
		    (t->type != KEYWORD && t->type != NOTOKEN &&
		    token_arg_valid(t, word))) {
			found = t;
			nfound++;
		}
	}
	if (nfound == 1)
		return found;
	if (nfound > 1) {
		const char *sep = "";

		fprintf(stderr, "ambiguous argument: %s (", word);
		for (const struct token *t = table; t->type != ENDTOKEN; t++)
			if (t->type == KEYWORD &&
			    strncasecmp(word, t->keyword, len) == 0) {
				fprintf(stderr, "%s%s?", sep, t->keyword);
				sep = " ";
			}
		fprintf(stderr, ")\n");
		return NULL;
	}
	fprintf(stderr, "%s argument: %s; valid here: ",
	    table_has_keywords(table) ? "unknown" : "invalid", word);
	table_list(table, stderr, ", ");
	fputc('\n', stderr);
	return NULL;
}

static bool
table_may_end(const struct token *table)
{
	for (const struct token *t = table; t->type != ENDTOKEN; t++)
		if (t->type == NOTOKEN)
			return true;
	return false;
}

/* Returns 0, EXIT_USAGE after printing why, or -1 when "?" printed help. */
static int
command_parse(int argc, char *argv[], struct parse_result *res)
{
	const struct token	*table = t_main, *t;

	memset(res, 0, sizeof(*res));
	for (int i = 0; i < argc; i++) {
		if (table == NULL) {
			fprintf(stderr, "unexpected argument: %s\n", argv[i]);
			return EXIT_USAGE;
		}
		if (strcmp(argv[i], "?") == 0) {
			table_help(table);
			return -1;
		}
		if ((t = table_match(table, argv[i])) == NULL)
			return EXIT_USAGE;
		if (t->action != NONE)
			res->action = t->action;
		if (t->action == CRYPTO)
			return 0;	/* pki/cli.c matches the remaining words */
		if (t->type != KEYWORD)
			snprintf(res->arg, sizeof(res->arg), "%s", argv[i]);
		table = t->next;
	}
	if (table != NULL && !table_may_end(table)) {
		fprintf(stderr, "incomplete command; next: ");
		table_list(table, stderr, ", ");
		fputc('\n', stderr);
		return EXIT_USAGE;
	}
	return 0;
}

static void
report_count(void *arg, enum conf_severity sev, const char *msg)
{
	if (sev == CONF_ERROR)
		(*(unsigned *)arg)++;
}

/*
 * The socket named by the configuration, so each instance is found through
 * its own file. The file is parsed but not checked: an operator who broke it
 * must still reach the daemon, whose reload answer says what is wrong.
 * Without -f, a missing default file means the default socket.
 */
static int
socket_find(const char *conf, bool conf_given, char *out, size_t len)
{
	struct config	*cfg;
	FILE		*fp;
	char		 real[PATH_MAX];
	unsigned	 errors = 0;
	int		 rc;

	if (!conf_given && access(conf, F_OK) == -1 && errno == ENOENT)
		return ctl_socket_path(conf, NULL, out, len);
	if (ctl_conf_absolute(conf, real, sizeof(real)) == -1 ||
	    (fp = fopen(real, "r")) == NULL) {
		fprintf(stderr, "sipktlsctl: %s: %s (use -s SOCKET to name the "
		    "control socket)\n", conf, strerror(errno));
		return -1;
	}
	if ((cfg = config_new()) == NULL) {
		fclose(fp);
		fprintf(stderr, "sipktlsctl: out of memory\n");
		return -1;
	}
	(void)config_parse_stream(cfg, real, fp, report_count, &errors);
	fclose(fp);
	rc = ctl_socket_path(real, cfg->control_socket, out, len);
	config_free(cfg);
	if (rc == -1)
		fprintf(stderr, "sipktlsctl: control socket path too long\n");
	else if (errors > 0)
		fprintf(stderr, "sipktlsctl: %s has errors (%u); using control "
		    "socket %s\n", conf, errors, out);
	return rc;
}

static int
socket_connect(const char *path)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	struct timeval		tv = { .tv_sec = REPLY_TIMEOUT };
	int			fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "sipktlsctl: control socket path too long: %s\n",
		    path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		perror("sipktlsctl: socket");
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "cannot connect to sipktlsd at %s: %s (%s)\n", path,
		    strerror(errno), errno == EACCES || errno == EPERM ?
		    "the control socket is owner-only: run as the daemon's user" :
		    "is sipktlsd running?");
		close(fd);
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static int
request_send(int fd, const char *req)
{
	size_t	off = 0, len = strlen(req);
	ssize_t	n;

	while (off < len) {
		n = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			fprintf(stderr, "sipktlsctl: sending the command: %s\n",
			    strerror(errno));
			return -1;
		}
		off += (size_t)n;
	}
	/* the half-close tells the daemon the request is complete */
	shutdown(fd, SHUT_WR);
	return 0;
}

/* Copies the body after the status line; on ERROR it goes to stderr. */
static int
reply_copy(FILE *in, FILE *out)
{
	char	buf[8192];
	size_t	n;

	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			return -1;
	return ferror(in) ? -1 : 0;
}

static int
reply_read(int fd)
{
	FILE	*in;
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;
	int	 rc = EXIT_ERROR;

	if ((in = fdopen(fd, "r")) == NULL) {
		perror("sipktlsctl: fdopen");
		close(fd);
		return EXIT_ERROR;
	}
	if ((n = getline(&line, &cap, in)) <= 0)
		fprintf(stderr, "sipktlsctl: sipktlsd sent no reply%s%s\n",
		    ferror(in) ? ": " : "", ferror(in) ? strerror(errno) : "");
	else {
		line[strcspn(line, "\n")] = '\0';
		if (strcmp(line, CTL_REPLY_OK) == 0)
			rc = reply_copy(in, stdout) == 0 ? 0 : EXIT_ERROR;
		else if (strncmp(line, CTL_REPLY_ERROR, strlen(CTL_REPLY_ERROR)) == 0) {
			fprintf(stderr, "sipktlsctl: %s\n",
			    line + strlen(CTL_REPLY_ERROR));
			reply_copy(in, stderr);
		} else
			fprintf(stderr, "sipktlsctl: unexpected reply: %.80s\n", line);
		if (rc == 0 && ferror(in))
			fprintf(stderr, "sipktlsctl: reply cut short: %s\n",
			    strerror(errno));
	}
	free(line);
	fclose(in);
	return rc;
}

/* ---- crypto: the PKI store, without the daemon (pki/cli.c) ---- */

static void
crypto_report(void *arg, enum conf_severity sev, const char *msg)
{
	(void)arg;
	if (sev == CONF_ERROR)
		fprintf(stderr, "%s\n", msg);
}

/* The configuration names the store (pki-store) and the trustpoints. */
static int
crypto_run(const char *conf, int argc, char *argv[])
{
	struct pki_cli_env	 env = { .out = stdout, .err = stderr };
	struct config		*cfg;
	char			 real[PATH_MAX];
	int			 rc;

	if (realpath(conf, real) == NULL)
		snprintf(real, sizeof(real), "%s", conf);
	if ((cfg = config_load(real, crypto_report, NULL)) == NULL) {
		fprintf(stderr, "sipktlsctl: %s did not load; crypto commands need "
		    "its trustpoints and PKI store\n", conf);
		return EXIT_ERROR;
	}
	env.cfg = cfg;
	env.store = cfg->pki_store;
	rc = pki_cli_run(&env, argc, argv);
	config_free(cfg);
	return rc;
}

static _Noreturn void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: sipktlsctl [-h] [-f file] [-s socket] command [argument ...]\n"
	    "  -f file    find the control socket in this configuration\n"
	    "             (default %s)\n"
	    "  -s socket  use this control socket\n"
	    "commands (words may be abbreviated; \"?\" lists the next words):\n"
	    "  show running-config\n"
	    "  show sip-ua connections tcp tls brief|detail\n"
	    "  show voice class tls-profile [TAG]\n"
	    "  show version\n"
	    "  reload\n"
	    "  clear sip-ua tcp tls connection id ID\n"
	    "  clear sip-ua tcp tls connection target ipv4:ADDRESS:PORT\n"
	    "  crypto key generate {rsa | ec} ... | export | zeroize ...  (PKI store)\n"
	    "  crypto pki enroll | authenticate | import TRUSTPOINT ... [--yes]\n"
	    "  show crypto key mypubkey | pki {certificates | trustpoints}\n",
	    SIPKTLS_DEFAULT_CONF);
	exit(status);
}

int
main(int argc, char *argv[])
{
	struct parse_result	 res;
	const char		*conf = SIPKTLS_DEFAULT_CONF, *sock = NULL;
	char			 path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	char			 req[CTL_REQUEST_MAX];
	bool			 conf_given = false;
	int			 ch, fd, rc;

	while ((ch = getopt(argc, argv, "+f:hs:")) != -1) {
		switch (ch) {
		case 'f': conf = optarg; conf_given = true; break;
		case 'h': usage(0);
		case 's': sock = optarg; break;
		default: usage(EXIT_USAGE);
		}
	}
	if (optind == argc)
		usage(EXIT_USAGE);
	if ((rc = command_parse(argc - optind, argv + optind, &res)) != 0)
		return rc == -1 ? 0 : rc;
	if (res.action == CRYPTO)
		return crypto_run(conf, argc - optind, argv + optind);
	snprintf(req, sizeof(req), "%s%s%s\n", action_command[res.action],
	    res.arg[0] ? " " : "", res.arg);
	if (sock == NULL) {
		if (socket_find(conf, conf_given, path, sizeof(path)) == -1)
			return EXIT_ERROR;
		sock = path;
	}
	if ((fd = socket_connect(sock)) == -1)
		return EXIT_ERROR;
	if (request_send(fd, req) == -1) {
		close(fd);
		return EXIT_ERROR;
	}
	return reply_read(fd);
}
