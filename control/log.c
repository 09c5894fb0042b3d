/*
 * Logging for the daemon and its tools. The only mutable state is the
 * destination chosen once at start-up, so this file needs no locking.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <openssl/err.h>

#include "log.h"

static struct {
	bool	foreground;
	int	verbose;
} log_state = { true, 0 };

void
log_init(const char *ident, bool foreground, int verbose)
{
	log_state.foreground = foreground;
	log_state.verbose = verbose;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_setverbose(int verbose)
{
	log_state.verbose = verbose;
}

int
log_getverbose(void)
{
	return log_state.verbose;
}

void
vlog(int pri, const char *fmt, va_list ap)
{
	if (!log_state.foreground) {
		vsyslog(pri, fmt, ap);
		return;
	}
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	fflush(stderr);
}

static void
vlog_errno(int pri, int saved, const char *fmt, va_list ap)
{
	char	msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_state.foreground)
		fprintf(stderr, "%s: %s\n", msg, strerror(saved));
	else
		syslog(pri, "%s: %s", msg, strerror(saved));
}

void
log_warn(const char *fmt, ...)
{
	int	saved = errno;
	va_list	ap;

	va_start(ap, fmt);
	vlog_errno(LOG_WARNING, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

#define LOG_SIMPLE(fn, pri, cond)			\
void							\
fn(const char *fmt, ...)				\
{							\
	va_list	ap;					\
							\
	if (!(cond))					\
		return;					\
	va_start(ap, fmt);				\
	vlog(pri, fmt, ap);				\
	va_end(ap);					\
}

LOG_SIMPLE(log_warnx, LOG_WARNING, true)
LOG_SIMPLE(log_crit, LOG_CRIT, true)
LOG_SIMPLE(log_info, LOG_INFO, true)
LOG_SIMPLE(log_debug, LOG_DEBUG, log_state.verbose > 0)

/* Drains OpenSSL's error queue into the same line, so one failure is one line. */
void
log_openssl(const char *fmt, ...)
{
	char		 msg[1024], err[256];
	size_t		 used;
	unsigned long	 e;
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	used = strlen(msg);
	while ((e = ERR_get_error()) != 0 && used + 4 < sizeof(msg)) {
		ERR_error_string_n(e, err, sizeof(err));
		used += (size_t)snprintf(msg + used, sizeof(msg) - used, ": %s", err);
		if (used >= sizeof(msg))
			used = sizeof(msg) - 1;
	}
	ERR_clear_error();
	log_warnx("%s", msg);
}

void
fatal(const char *fmt, ...)
{
	int	saved = errno;
	va_list	ap;

	va_start(ap, fmt);
	vlog_errno(LOG_CRIT, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
