/*
 * sipktlsd: options, start-up, and the control plane's main loop.
 *
 * One thread, one epoll set. Signals arrive through a signalfd, so SIGHUP's
 * reload and SIGTERM's stop run in the loop like any other event and need no
 * async-signal-safe care. Every descriptor in the set carries a struct
 * ev_handler; dispatch calls its callback. The dataplane (io_uring, a later
 * layer) will run in its own threads and receive connections by message.
 */
#include "autoconf.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "netwatch.h"
#include "outbound.h"

#define EPOLL_BATCH	32

uint64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
ev_ctl(struct sipktlsd *sd, int op, struct ev_handler *ev, uint32_t events)
{
	struct epoll_event	e = { .events = events, .data.ptr = ev };

	if (epoll_ctl(sd->epfd, op, ev->fd, &e) == -1) {
		log_warn("epoll_ctl fd %d", ev->fd);
		return -1;
	}
	return 0;
}

int
ev_add(struct sipktlsd *sd, struct ev_handler *ev, uint32_t events)
{
	return ev_ctl(sd, EPOLL_CTL_ADD, ev, events);
}

int
ev_mod(struct sipktlsd *sd, struct ev_handler *ev, uint32_t events)
{
	return ev_ctl(sd, EPOLL_CTL_MOD, ev, events);
}

void
ev_del(struct sipktlsd *sd, struct ev_handler *ev)
{
	/* ENOENT is fine: a paused or never-added descriptor */
	(void)epoll_ctl(sd->epfd, EPOLL_CTL_DEL, ev->fd, NULL);
}

/* Listeners and backend listen sockets as the configuration and interfaces ask. */
void
daemon_listen(struct sipktlsd *sd, struct listen_summary *sum)
{
	struct listen_plan	plan;
	struct outbound_summary	outb;

	listen_plan_build(sd->cfg, false, &plan);
	listeners_apply(sd, &plan, sum);
	listen_plan_free(&plan);
	handshake_listeners_arm(sd);
	outbound_apply(sd, &outb);
	if (outb.kept + outb.opened + outb.closed + outb.failed > 0)
		log_info("backend listen sockets: %u kept, %u opened, %u closed, "
		    "%u failed", outb.kept, outb.opened, outb.closed, outb.failed);
}

struct reload_report {
	FILE		*echo;		/* the control client's reply, or NULL */
	unsigned	 errors;
};

/* Every message is logged, so an operator reading syslog sees why a reload failed. */
static void
reload_report(void *arg, enum conf_severity sev, const char *msg)
{
	struct reload_report	*r = arg;

	log_warnx("%s", msg);
	if (r->echo != NULL)
		fprintf(r->echo, "%s\n", msg);
	if (sev == CONF_ERROR)
		r->errors++;
}

static int
reload_refuse(char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
reload_refuse(char *why, size_t len, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	log_warnx("reload: %s", why);
	return -1;
}

/*
 * The dataplane reads its threads and limits once, when it starts; a reload
 * that changes them says so rather than let "show running-config" mislead.
 */
static void
reload_note_dataplane(const struct config *old, const struct config *cfg)
{
	if (old->dataplane_threads == cfg->dataplane_threads &&
	    old->dp_max_header == cfg->dp_max_header &&
	    old->dp_max_body == cfg->dp_max_body &&
	    old->dp_wq_bytes == cfg->dp_wq_bytes &&
	    old->dp_wq_msgs == cfg->dp_wq_msgs &&
	    old->dp_zc_threshold == cfg->dp_zc_threshold &&
	    old->dp_connect_ms == cfg->dp_connect_ms &&
	    old->dp_linger_ms == cfg->dp_linger_ms)
		return;
	log_warnx("reload: the dataplane settings changed; the running dataplane "
	    "keeps the old ones until sipktlsd restarts");
}

/* Loads a fresh configuration and swaps it in only when it is whole. */
int
daemon_reload(struct sipktlsd *sd, FILE *echo, char *why, size_t len)
{
	struct reload_report	 r = { .echo = echo };
	struct listen_summary	 sum;
	struct config		*cfg;
	char			 sock[sizeof(sd->ctl.path)];

	log_info("reloading %s", sd->conf_path);
	if ((cfg = config_load(sd->conf_path, reload_report, &r)) == NULL)
		return reload_refuse(why, len, "%s: %u error%s, the running "
		    "configuration is unchanged", sd->conf_path, r.errors,
		    r.errors == 1 ? "" : "s");
	if (ctl_socket_path(sd->conf_path, cfg->control_socket, sock,
	    sizeof(sock)) == -1 || ctl_move(sd, sock) != 0) {
		config_free(cfg);
		return reload_refuse(why, len, "cannot open control socket %s, "
		    "the running configuration is unchanged", sock);
	}
	if (handshake_reload(sd, cfg) != 0) {
		config_free(cfg);
		return reload_refuse(why, len, "cannot set up TLS for the new "
		    "configuration, the running configuration is unchanged");
	}
	reload_note_dataplane(sd->cfg, cfg);
	config_free(sd->cfg);
	sd->cfg = cfg;
	conn_budget_update(sd);
	daemon_listen(sd, &sum);
	log_info("reload: %s accepted: listeners %u kept, %u opened, %u closed, "
	    "%u failed", sd->conf_path, sum.kept, sum.opened, sum.closed,
	    sum.failed);
	if (echo != NULL)
		fprintf(echo, "configuration %s accepted: listeners %u kept, "
		    "%u opened, %u closed, %u failed\n", sd->conf_path, sum.kept,
		    sum.opened, sum.closed, sum.failed);
	return 0;
}

static void
signal_read(struct sipktlsd *sd, struct ev_handler *ev, uint32_t events)
{
	struct signalfd_siginfo	si;
	char			why[512];

	while (read(ev->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			log_info("SIGHUP received");
			(void)daemon_reload(sd, NULL, why, sizeof(why));
			break;
		case SIGTERM:
		case SIGINT:
			log_info("%s received, stopping",
			    si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
			sd->running = false;
			break;
		}
	}
}

/* Blocked from the start, so a signal during start-up waits for the loop. */
static void
signal_block(sigset_t *set)
{
	struct sigaction	sa = { .sa_handler = SIG_IGN };

	sigemptyset(set);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	if (sigprocmask(SIG_BLOCK, set, NULL) == -1)
		fatal("sigprocmask");
	/* a control client that hangs up early must not kill the daemon */
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		fatal("sigaction");
}

/* The earlier of the control clients' deadlines and the timer heap's. */
static int
loop_timeout(struct sipktlsd *sd)
{
	int	a = ctl_timeout(sd), b = timer_timeout(&sd->timers, now_ms());

	if (a < 0)
		return b;
	return b < 0 || a < b ? a : b;
}

static void
timers_run(struct sipktlsd *sd)
{
	struct timer	*t;
	uint64_t	 now = now_ms();

	while ((t = timer_pop_due(&sd->timers, now)) != NULL)
		t->fn(sd, t);
}

/*
 * A handler may end another descriptor's owner whose event is still in this
 * batch ("clear ... connection", a reload closing a listener): such owners
 * are only unhooked (cb NULL) and freed once the batch is done.
 */
static void
daemon_loop(struct sipktlsd *sd)
{
	struct epoll_event	 evs[EPOLL_BATCH];
	struct ev_handler	*h;
	int			 n;

	while (sd->running) {
		n = epoll_wait(sd->epfd, evs, EPOLL_BATCH, loop_timeout(sd));
		if (n == -1 && errno != EINTR)
			fatal("epoll_wait");
		for (int i = 0; i < n; i++) {
			h = evs[i].data.ptr;
			if (h->cb != NULL)
				h->cb(sd, h, evs[i].events);
		}
		timers_run(sd);
		ctl_sweep(sd);
		conn_reap(sd);
		listeners_reap(&sd->listeners);
	}
}

static void
daemon_shutdown(struct sipktlsd *sd)
{
	ctl_close(sd);
	netwatch_stop(sd);
	dp_link_stop(sd);
	conn_table_free(sd);
	listeners_close(sd);
	outbound_close(sd);
	listeners_reap(&sd->listeners);
	handshake_stop(sd);
	timer_heap_free(&sd->timers);
	close(sd->sig.fd);
	close(sd->epfd);
	config_free(sd->cfg);
	log_info("stopped");
}

static void
config_report_log(void *arg, enum conf_severity sev, const char *msg)
{
	log_warnx("%s", msg);
}

/*
 * Binds the control socket before daemonizing, so that "another sipktlsd is
 * running" reaches the operator's terminal and the exit status.
 */
static void
daemon_prepare(struct sipktlsd *sd, const char *path)
{
	char	sock[sizeof(sd->ctl.path)];

	/* reloads run after chdir("/"): keep the file's absolute name */
	if (ctl_conf_absolute(path, sd->conf_path, sizeof(sd->conf_path)) == -1)
		fatalx("%s: cannot make the path absolute", path);
	if ((sd->cfg = config_load(sd->conf_path, config_report_log, NULL)) == NULL)
		fatalx("%s: configuration not loaded", path);
	if (ctl_socket_path(sd->conf_path, sd->cfg->control_socket, sock,
	    sizeof(sock)) == -1)
		fatalx("control socket path too long");
	if (ctl_open(&sd->ctl, sock) != 0)
		fatalx("cannot open the control socket");
}

static void
daemon_start(struct sipktlsd *sd, const sigset_t *sigs)
{
	struct listen_summary	sum;

	if ((sd->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	if ((sd->sig.fd = signalfd(-1, sigs, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd");
	sd->sig.cb = signal_read;
	if (ev_add(sd, &sd->sig, EPOLLIN) == -1 || ctl_start(sd) == -1)
		fatalx("cannot set up the event loop");
	ktls_link_start(sd);
	if (handshake_start(sd) == -1)
		fatalx("cannot set up TLS");
	dp_link_start(sd);
	netwatch_start(sd);
	daemon_listen(sd, &sum);
	log_info("started: %s, %u listeners open, %u failed, control socket %s",
	    sd->conf_path, sum.opened, sum.failed, sd->ctl.path);
	sd->running = true;
}

static int
config_test(const char *path)
{
	struct config	*cfg;

	if ((cfg = config_load(path, config_report_stderr, NULL)) == NULL)
		return 1;
	config_print_setup(cfg, stdout);
	config_print_unused(cfg, stdout);
	printf("configuration OK\n");
	config_free(cfg);
	return fflush(stdout) == 0 ? 0 : 1;
}

static _Noreturn void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: sipktlsd [-dhnv] [-f file]\n"
	    "  -d       stay in the foreground and log to stderr\n"
	    "  -f file  configuration file (default %s)\n"
	    "  -h       print this help and exit\n"
	    "  -n       check the configuration, print what it sets up, and exit\n"
	    "  -v       log more; twice for debug messages\n",
	    SIPKTLS_DEFAULT_CONF);
	exit(status);
}

int
main(int argc, char *argv[])
{
	struct sipktlsd	 sd = { .epfd = -1, .sig.fd = -1 };
	const char	*path = SIPKTLS_DEFAULT_CONF;
	bool		 foreground = false, configtest = false;
	int		 ch, verbose = 0;
	sigset_t	 sigs;

	while ((ch = getopt(argc, argv, "df:hnv")) != -1) {
		switch (ch) {
		case 'd': foreground = true; break;
		case 'f': path = optarg; break;
		case 'h': usage(0);
		case 'n': configtest = true; break;
		case 'v': verbose++; break;
		default: usage(1);
		}
	}
	if (optind != argc)
		usage(1);
	log_init("sipktlsd", true, verbose);
	if (configtest)
		return config_test(path);
	signal_block(&sigs);
	daemon_prepare(&sd, path);
	if (!foreground) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init("sipktlsd", false, verbose);
	}
	daemon_start(&sd, &sigs);
	daemon_loop(&sd);
	daemon_shutdown(&sd);
	return 0;
}
