/*
 * Test driver for pki/cli.c: "pki_cli_driver -f CONFIG crypto ..." runs one
 * command on the configuration's PKI store, as sipktlsctl does, so the
 * commands can be tested without the control tool.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "pki/pki.h"

static void
report_errors(void *arg, enum conf_severity sev, const char *msg)
{
	(void)arg;
	if (sev == CONF_ERROR)
		fprintf(stderr, "%s\n", msg);
}

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: pki_cli_driver [-f config] [-S store] "
	    "{crypto | show crypto} ... [--yes] [--force]\n");
	exit(PKI_CLI_USAGE);
}

int
main(int argc, char *argv[])
{
	struct pki_cli_env	 env = { .out = stdout, .err = stderr };
	struct config		*cfg = NULL;
	const char		*conf = NULL;
	int			 ch, rc;

	while ((ch = getopt(argc, argv, "+f:S:")) != -1) {
		switch (ch) {
		case 'f': conf = optarg; break;
		case 'S': env.store = optarg; break;
		default: usage();
		}
	}
	if (optind == argc || (conf == NULL && env.store == NULL))
		usage();
	if (conf != NULL) {
		if ((cfg = config_load(conf, report_errors, NULL)) == NULL) {
			fprintf(stderr, "pki_cli_driver: %s did not load\n", conf);
			return PKI_CLI_ERROR;
		}
		env.cfg = cfg;
		if (env.store == NULL)
			env.store = cfg->pki_store;
	}
	rc = pki_cli_run(&env, argc - optind, argv + optind);
	config_free(cfg);
	return rc;
}
