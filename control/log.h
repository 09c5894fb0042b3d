/*
 * Logging: stderr in the foreground (-d), syslog as a daemon.
 * log_warn appends strerror(errno); log_warnx does not (the err(3) convention).
 */
#ifndef SIPKTLS_LOG_H
#define SIPKTLS_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#define LOG_FMT(a, b)	__attribute__((format(printf, a, b)))

void	log_init(const char *ident, bool foreground, int verbose);
void	log_setverbose(int verbose);
int	log_getverbose(void);
void	log_warn(const char *, ...) LOG_FMT(1, 2);
void	log_warnx(const char *, ...) LOG_FMT(1, 2);
void	log_crit(const char *, ...) LOG_FMT(1, 2);
void	log_info(const char *, ...) LOG_FMT(1, 2);
void	log_debug(const char *, ...) LOG_FMT(1, 2);
void	log_openssl(const char *, ...) LOG_FMT(1, 2);
void	vlog(int pri, const char *, va_list) LOG_FMT(2, 0);
_Noreturn void	fatal(const char *, ...) LOG_FMT(1, 2);
_Noreturn void	fatalx(const char *, ...) LOG_FMT(1, 2);

#endif
