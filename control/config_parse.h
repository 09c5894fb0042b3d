/*
 * Private to the configuration parser: the mode stack, the command tables
 * and the helpers that command handlers use to read and reject words.
 */
#ifndef SIPKTLS_CONFIG_PARSE_H
#define SIPKTLS_CONFIG_PARSE_H

#include "config.h"

#define PARSE_MAXTOK	32
#define PARSE_MAXDEPTH	8
#define PARSE_LINE_MAX	1024

enum parse_mode {
	M_TOP,
	M_TRUSTPOINT,
	M_CHAIN,
	M_CERTDATA,
	M_CIPHER,
	M_PROFILE,
	M_TENANT,
	M_SRTP,
	M_VOIP,
	M_VOIP_SIP,
	M_TRUSTED,
	M_SIPUA,
	M_DIALPEER,
	M_SIPKTLS,
	M_UNUSED,	/* a block the guide shows that sipktlsd does not act on */
	M_COUNT
};

struct parse_frame {
	enum parse_mode	 mode;
	int		 indent;	/* of the line that entered the mode */
	size_t		 obj;		/* index into the mode's config array */
};

struct parser {
	struct config	*cfg;
	const char	*file;
	unsigned	 line;
	int		 indent;
	const char	*text;		/* the current line, indentation removed */
	conf_report_fn	 report;
	void		*arg;
	int		 errors;
	int		 skip_indent;	/* after a failed line: skip its block; -1 none */
	struct parse_frame stack[PARSE_MAXDEPTH];
	int		 depth;
};

struct cmd_args {
	int		 argc;
	char		**argv;		/* words after the command's keywords */
	const char	*rest;		/* the line after the keywords, as written */
	bool		 negate;	/* "no ..." */
};

#define CMD_NO		0x01	/* "no" form accepted */
#define CMD_UNUSED	0x02	/* accepted and listed as unused */
#define CMD_KEYED	0x04	/* "no" needs the words naming what it removes */

struct command {
	const char	*words;
	int		 minargs;
	int		 maxargs;	/* -1: any */
	int		 (*fn)(struct parser *, struct cmd_args *);
	unsigned	 flags;
	const char	*usage;
};

/* config_parse.c */
int	 parse_error(struct parser *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 parse_warn(struct parser *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 parse_unused(struct parser *);
int	 parse_push(struct parser *, enum parse_mode, size_t obj);
void	*parse_cur(struct parser *);
int	 parse_uint(struct parser *, const char *word, unsigned min,
	    unsigned max, const char *what, unsigned *out);
int	 parse_tag(struct parser *, const char *word, const char *what,
	    unsigned *out);
int	 parse_name(struct parser *, const char *word, char *dst, size_t len,
	    const char *what);
int	 parse_target(struct parser *, const char *word, bool dns_ok,
	    bool port_required, struct conf_target *out);
bool	 fqdn_valid(const char *name, const char **why);
void	*array_add(void **arr, size_t *n, size_t size);
void	 array_del(void *arr, size_t *n, size_t size, size_t idx);

/* config_cmds.c */
const struct command	*mode_commands(enum parse_mode);
const char		*mode_name(enum parse_mode);

#endif
