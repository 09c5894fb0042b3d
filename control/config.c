/*
 * Life of a struct config: defaults, loading a file (parse, then check),
 * lookups by tag or name, and release. A reload builds a new one and the
 * caller swaps it in only when config_load() returned it whole.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

struct config *
config_new(void)
{
	struct config *cfg;

	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		return NULL;
	cfg->tls_mode = TLSMODE_DEFAULT;
	cfg->aging_tls_minutes = 5;
	cfg->global_port = SIPKTLS_DEFAULT_PORT;
	conf_numbers_reset(cfg);
	cfg->security_level = -1;
	strcpy(cfg->control_socket, SIPKTLS_DEFAULT_SOCKET);
	return cfg;
}

void
config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->trustpoints);
	free(cfg->ciphers);
	free(cfg->profiles);
	free(cfg->srtps);
	free(cfg->tenants);
	free(cfg->dial_peers);
	free(cfg->trusted);
	free(cfg->unused);
	free(cfg);
}

void
config_report_stderr(void *arg, enum conf_severity sev, const char *msg)
{
	(void)arg;
	(void)sev;
	fprintf(stderr, "%s\n", msg);
}

/* The PKI store defaults to pki/ beside the file, so a test's file carries its own store. */
static void
config_default_store(struct config *cfg, const char *path)
{
	const char	*slash;
	int		 dirlen;

	if (cfg->pki_store[0] != '\0')
		return;
	if ((slash = strrchr(path, '/')) == NULL)
		snprintf(cfg->pki_store, sizeof(cfg->pki_store), "pki");
	else {
		dirlen = (int)(slash - path);
		snprintf(cfg->pki_store, sizeof(cfg->pki_store), "%.*s/pki",
		    dirlen, dirlen == 0 ? "/" : path);
	}
}

/* A file or a buffer alike: parsed, given its default store, then checked. */
static struct config *
config_read(FILE *fp, const char *name, conf_report_fn report, void *arg)
{
	struct config	*cfg;
	int		 errors;

	if ((cfg = config_new()) == NULL) {
		fclose(fp);
		report(arg, CONF_ERROR, "out of memory");
		return NULL;
	}
	snprintf(cfg->path, sizeof(cfg->path), "%s", name);
	errors = config_parse_stream(cfg, name, fp, report, arg);
	fclose(fp);
	config_default_store(cfg, name);
	if (errors == 0)
		errors = config_check(cfg, report, arg);
	if (errors != 0) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

struct config *
config_load(const char *path, conf_report_fn report, void *arg)
{
	FILE	*fp;
	char	 msg[CONF_PATH_MAX + 64];

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
		report(arg, CONF_ERROR, msg);
		return NULL;
	}
	return config_read(fp, path, report, arg);
}

struct config *
config_parse_buffer(const char *name, const char *text, conf_report_fn report,
    void *arg)
{
	FILE	*fp;

	if ((fp = fmemopen((void *)(uintptr_t)text, strlen(text), "r")) == NULL)
		return NULL;
	return config_read(fp, name, report, arg);
}

#define FIND_BY_TAG(fn, type, arr, n)				\
struct type *							\
fn(const struct config *cfg, unsigned tag)			\
{								\
	for (size_t i = 0; i < cfg->n; i++)			\
		if (cfg->arr[i].tag == tag)			\
			return &cfg->arr[i];			\
	return NULL;						\
}

FIND_BY_TAG(config_cipher, tls_cipher_config, ciphers, nciphers)
FIND_BY_TAG(config_profile, tls_profile_config, profiles, nprofiles)
FIND_BY_TAG(config_srtp, srtp_crypto_config, srtps, nsrtps)
FIND_BY_TAG(config_tenant, tenant_config, tenants, ntenants)

struct trustpoint_config *
config_trustpoint(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->ntrustpoints; i++)
		if (strcmp(cfg->trustpoints[i].name, name) == 0)
			return &cfg->trustpoints[i];
	return NULL;
}

const char *
conf_target_format(const struct conf_target *t, char *buf, size_t len)
{
	static const char *const kind[] = { "", "ipv4:", "ipv6:", "dns:" };
	const char *open = t->kind == TARGET_IPV6 ? "[" : "";
	const char *close = t->kind == TARGET_IPV6 ? "]" : "";

	if (t->kind == TARGET_NONE)
		snprintf(buf, len, "none");
	else if (t->port != 0)
		snprintf(buf, len, "%s%s%s%s:%u", kind[t->kind], open, t->host,
		    close, t->port);
	else
		snprintf(buf, len, "%s%s%s%s", kind[t->kind], open, t->host, close);
	return buf;
}
