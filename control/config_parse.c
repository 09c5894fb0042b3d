/*
 * Reads sipktlsd.conf the way IOS reads a running-config: one command per
 * line, sub-mode commands indented under the line that entered the mode,
 * "!" comments, "no" forms. Errors are counted, not fatal, so one run
 * reports every mistake as FILE:LINE: message.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_parse.h"

static void
parse_vreport(struct parser *p, enum conf_severity sev, const char *fmt,
    va_list ap)
{
	char	msg[PARSE_LINE_MAX + 256];
	int	n;

	n = snprintf(msg, sizeof(msg), "%s:%u: %s", p->file, p->line,
	    sev == CONF_WARNING ? "warning: " : "");
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = (int)sizeof(msg) - 1;
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	p->report(p->arg, sev, msg);
}

int
parse_error(struct parser *p, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	parse_vreport(p, CONF_ERROR, fmt, ap);
	va_end(ap);
	p->errors++;
	return -1;
}

void
parse_warn(struct parser *p, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	parse_vreport(p, CONF_WARNING, fmt, ap);
	va_end(ap);
}

void *
array_add(void **arr, size_t *n, size_t size)
{
	char	*grown;

	/* Grow by one: configurations are small and this keeps no spare state. */
	if ((grown = realloc(*arr, (*n + 1) * size)) == NULL)
		return NULL;
	*arr = grown;
	memset(grown + *n * size, 0, size);
	return grown + (*n)++ * size;
}

void
array_del(void *arr, size_t *n, size_t size, size_t idx)
{
	char	*base = arr;

	memmove(base + idx * size, base + (idx + 1) * size, (*n - idx - 1) * size);
	(*n)--;
}

void
parse_unused(struct parser *p)
{
	struct config		*cfg = p->cfg;
	struct unused_line	*u;

	u = array_add((void **)&cfg->unused, &cfg->nunused, sizeof(*u));
	if (u == NULL) {
		parse_error(p, "out of memory");
		return;
	}
	u->line = p->line;
	snprintf(u->text, sizeof(u->text), "%s", p->text);
}

int
parse_push(struct parser *p, enum parse_mode mode, size_t obj)
{
	if (p->depth + 1 >= PARSE_MAXDEPTH)
		return parse_error(p, "modes nested too deeply");
	p->depth++;
	p->stack[p->depth].mode = mode;
	p->stack[p->depth].indent = p->indent;
	p->stack[p->depth].obj = obj;
	return 0;
}

int
parse_uint(struct parser *p, const char *word, unsigned min, unsigned max,
    const char *what, unsigned *out)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	if (!isdigit((unsigned char)word[0]))
		return parse_error(p, "%s \"%s\" is not a number", what, word);
	v = strtoul(word, &end, 10);
	if (*end != '\0')
		return parse_error(p, "%s \"%s\" is not a number", what, word);
	if (errno == ERANGE || v < min || v > max)
		return parse_error(p, "%s \"%s\" out of range %u-%u", what, word,
		    min, max);
	*out = (unsigned)v;
	return 0;
}

int
parse_tag(struct parser *p, const char *word, const char *what, unsigned *out)
{
	return parse_uint(p, word, CONF_TAG_MIN, CONF_TAG_MAX, what, out);
}

int
parse_name(struct parser *p, const char *word, char *dst, size_t len,
    const char *what)
{
	if (strlen(word) >= len)
		return parse_error(p, "%s \"%.40s...\" is too long (at most %zu "
		    "characters)", what, word, len - 1);
	memcpy(dst, word, strlen(word) + 1);
	return 0;
}

/*
 * RFC 1123 host names: labels of letters, digits and hyphens, no hyphen at
 * either end, 63 octets a label, 253 in all; a trailing dot is allowed. An
 * all-numeric last label means the word is an address, not a name.
 */
bool
fqdn_valid(const char *name, const char **why)
{
	size_t	len = strlen(name), label = 0;
	bool	digits_only = true;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return *why = "has no label or is longer than 253 characters", false;
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? name[i] : '.';

		if (c == '.') {
			if (label == 0 || label > 63)
				return *why = "has an empty label or one longer than 63 characters", false;
			if (name[i - 1] == '-')
				return *why = "has a label ending in '-'", false;
			label = 0;
			if (i < len)
				digits_only = true;
			continue;
		}
		if (!isalnum((unsigned char)c) && c != '-')
			return *why = "contains a character other than letters, digits, '-' and '.'", false;
		if (label == 0 && c == '-')
			return *why = "has a label starting with '-'", false;
		if (!isdigit((unsigned char)c))
			digits_only = false;
		label++;
	}
	if (digits_only)
		return *why = "is an IP address, not a domain name", false;
	return true;
}

static int
target_split_port(struct parser *p, const char *word, char *host, size_t hostlen,
    const char *s, const char *portsep, struct conf_target *out)
{
	unsigned	port;
	size_t		len = portsep ? (size_t)(portsep - s) : strlen(s);

	if (len == 0 || len >= hostlen)
		return parse_error(p, "\"%s\": missing or overlong host", word);
	memcpy(host, s, len);
	host[len] = '\0';
	if (portsep == NULL)
		return 0;
	if (parse_uint(p, portsep + 1, 1, 65535, "port", &port) == -1)
		return -1;
	out->port = (uint16_t)port;
	return 0;
}

/* ipv6:[A]:P or ipv6:[A]; a bare ipv6:A cannot carry a port. */
static int
target_split_ipv6(struct parser *p, const char *word, const char *s,
    struct conf_target *out)
{
	const char	*close;
	size_t		 len;
	unsigned	 port;

	if (*s != '[')
		return target_split_port(p, word, out->host, sizeof(out->host), s,
		    NULL, out);
	close = strchr(s, ']');
	if (close == NULL || (close[1] != '\0' && close[1] != ':'))
		return parse_error(p, "\"%s\": write ipv6:[ADDRESS]:PORT", word);
	len = (size_t)(close - s - 1);
	if (len == 0 || len >= sizeof(out->host))
		return parse_error(p, "\"%s\": missing or overlong host", word);
	memcpy(out->host, s + 1, len);
	out->host[len] = '\0';
	if (close[1] == ':') {
		if (parse_uint(p, close + 2, 1, 65535, "port", &port) == -1)
			return -1;
		out->port = (uint16_t)port;
	}
	return 0;
}

/* ipv4:A[:P], ipv6:[A][:P] (or ipv6:A without a port), dns:HOST[:P] */
int
parse_target(struct parser *p, const char *word, bool dns_ok,
    bool port_required, struct conf_target *out)
{
	struct conf_target	 t = { 0 };
	struct in6_addr		 a6;
	const char		*s, *why;

	if (strncasecmp(word, "ipv4:", 5) == 0) {
		t.kind = TARGET_IPV4;
		s = word + 5;
		if (target_split_port(p, word, t.host, sizeof(t.host), s,
		    strchr(s, ':'), &t) == -1)
			return -1;
		if (inet_pton(AF_INET, t.host, &a6) != 1)
			return parse_error(p, "\"%s\": \"%s\" is not an IPv4 address",
			    word, t.host);
	} else if (strncasecmp(word, "ipv6:", 5) == 0) {
		t.kind = TARGET_IPV6;
		if (target_split_ipv6(p, word, word + 5, &t) == -1)
			return -1;
		if (inet_pton(AF_INET6, t.host, &a6) != 1)
			return parse_error(p, "\"%s\": \"%s\" is not an IPv6 address",
			    word, t.host);
	} else if (strncasecmp(word, "dns:", 4) == 0 && dns_ok) {
		t.kind = TARGET_DNS;
		s = word + 4;
		if (target_split_port(p, word, t.host, sizeof(t.host), s,
		    strchr(s, ':'), &t) == -1)
			return -1;
		if (!fqdn_valid(t.host, &why))
			return parse_error(p, "\"%s\": host name \"%s\" %s", word,
			    t.host, why);
	} else
		return parse_error(p, "\"%s\" is not an address: write %s", word,
		    dns_ok ? "dns:HOST[:PORT], ipv4:ADDRESS[:PORT] or "
		    "ipv6:[ADDRESS][:PORT]" : "ipv4:ADDRESS:PORT or ipv6:[ADDRESS]:PORT");
	if (port_required && t.port == 0)
		return parse_error(p, "\"%s\": a port is required", word);
	*out = t;
	return 0;
}

void *
parse_cur(struct parser *p)
{
	struct config		*cfg = p->cfg;
	const struct parse_frame *f = &p->stack[p->depth];

	switch (f->mode) {
	case M_TRUSTPOINT:	return &cfg->trustpoints[f->obj];
	case M_CIPHER:		return &cfg->ciphers[f->obj];
	case M_PROFILE:		return &cfg->profiles[f->obj];
	case M_TENANT:		return &cfg->tenants[f->obj];
	case M_SRTP:		return &cfg->srtps[f->obj];
	case M_DIALPEER:	return &cfg->dial_peers[f->obj];
	default:		return NULL;
	}
}

static int
line_tokenize(char *buf, char **tok, const char **start, const char *orig)
{
	int	 n = 0;
	char	*s = buf;

	while (*s != '\0') {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		if (n == PARSE_MAXTOK)
			return -1;
		start[n] = orig + (s - buf);
		tok[n++] = s;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
		if (*s != '\0')
			*s++ = '\0';
	}
	return n;
}

/* How many of the command's keywords the line starts with; *all if every one. */
static int
command_words(const struct command *c, char **tok, int ntok, bool *all)
{
	char		 words[128];
	char		*w, *save = NULL;
	int		 n = 0;

	*all = false;
	snprintf(words, sizeof(words), "%s", c->words);
	for (w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (n >= ntok || strcasecmp(w, tok[n]) != 0)
			return n;
		n++;
	}
	*all = true;
	return n;
}

/* How many of the command's keywords the line starts with; -1 if not all. */
static int
command_match(const struct command *c, char **tok, int ntok)
{
	bool	all;
	int	n = command_words(c, tok, ntok, &all);

	return all ? n : -1;
}

static const struct command *
command_find(enum parse_mode mode, char **tok, int ntok, int *nwords)
{
	const struct command	*c, *best = NULL;
	int			 n;

	*nwords = 0;
	for (c = mode_commands(mode); c != NULL && c->words != NULL; c++) {
		n = command_match(c, tok, ntok);
		if (n > *nwords) {
			*nwords = n;
			best = c;
		}
	}
	return best;
}

/*
 * Tells where a command belongs when it is written outside its mode: the
 * mode whose command matches the most keywords, if at least "most".
 */
static const char *
command_home(char **tok, int ntok, int most)
{
	const char	*home = NULL;
	int		 n;

	for (int m = M_TRUSTPOINT; m < M_COUNT; m++) {
		if (m == M_CERTDATA || m == M_UNUSED)
			continue;
		if (command_find((enum parse_mode)m, tok, ntok, &n) != NULL &&
		    n >= most) {
			home = mode_name((enum parse_mode)m);
			most = n + 1;
		}
	}
	return home;
}

static void
command_unknown(struct parser *p, enum parse_mode mode, char **tok, int ntok)
{
	const struct command	*c, *best = NULL;
	const char		*home;
	bool			 all;
	int			 n, most = 0;

	/* The usage shown is that of the command sharing the most keywords. */
	for (c = mode_commands(mode); c != NULL && c->words != NULL; c++)
		if ((n = command_words(c, tok, ntok, &all)) > most) {
			most = n;
			best = c;
		}
	/* "crypto pki" is an incomplete global command, not srtp-crypto's "crypto". */
	if (mode == M_TOP && (home = command_home(tok, ntok, most)) != NULL) {
		parse_error(p, "unknown command \"%s\" at top level: it belongs "
		    "in %s mode (indent it under that mode's line)", tok[0], home);
		return;
	}
	if (best != NULL)
		parse_error(p, "incomplete or unknown command \"%s\" in %s "
		    "mode (usage: %s)", p->text, mode_name(mode), best->usage);
	else
		parse_error(p, "unknown command \"%s\" in %s mode", tok[0],
		    mode_name(mode));
}

static int
command_run(struct parser *p, const struct command *c, int nwords, char **tok,
    const char **start, int ntok, bool negate)
{
	struct cmd_args	 a;

	if (negate && !(c->flags & CMD_NO))
		return parse_error(p, "\"no %s\" is not a command", c->words);
	a.argc = ntok - nwords;
	a.argv = tok + nwords;
	a.rest = nwords < ntok ? start[nwords] : "";
	a.negate = negate;
	if ((!negate || (c->flags & CMD_KEYED)) && a.argc < c->minargs)
		return parse_error(p, "\"%s\": missing argument (usage: %s)",
		    c->words, c->usage);
	if (c->maxargs >= 0 && a.argc > c->maxargs)
		return parse_error(p, "\"%s\": unexpected \"%s\" (usage: %s)",
		    c->words, a.argv[c->maxargs], c->usage);
	if (c->flags & CMD_UNUSED)
		parse_unused(p);
	return c->fn ? c->fn(p, &a) : 0;
}

static int
line_dispatch(struct parser *p, char **tok, const char **start, int ntok)
{
	const struct command	*c;
	enum parse_mode		 mode;
	bool			 negate = false;
	int			 nwords;

	while (p->depth > 0 && p->indent <= p->stack[p->depth].indent)
		p->depth--;
	mode = p->stack[p->depth].mode;
	if (strcasecmp(tok[0], "end") == 0 && ntok == 1) {
		p->depth = 0;
		return 0;
	}
	if (strcasecmp(tok[0], "exit") == 0 && ntok == 1) {
		if (p->depth > 0)
			p->depth--;
		return 0;
	}
	if (mode == M_UNUSED) {
		parse_unused(p);
		return 0;
	}
	if (mode == M_CERTDATA)
		return mode_commands(mode)->fn(p, NULL);
	if (strcasecmp(tok[0], "no") == 0 && ntok > 1 && mode != M_CERTDATA) {
		negate = true;
		tok++;
		start++;
		ntok--;
	}
	if ((c = command_find(mode, tok, ntok, &nwords)) == NULL) {
		command_unknown(p, mode, tok, ntok);
		return -1;
	}
	return command_run(p, c, nwords, tok, start, ntok, negate);
}

static int
line_measure(const char *s)
{
	int	indent = 0;

	for (; *s == ' ' || *s == '\t'; s++)
		indent += *s == '\t' ? 8 - indent % 8 : 1;
	return indent;
}

static void
line_process(struct parser *p, char *buf)
{
	char		*tok[PARSE_MAXTOK], copy[PARSE_LINE_MAX + 1];
	const char	*start[PARSE_MAXTOK];
	size_t		 len = strlen(buf);
	int		 ntok, errors;

	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
	    buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		buf[--len] = '\0';
	p->indent = line_measure(buf);
	p->text = buf + strspn(buf, " \t");
	if (*p->text == '\0' || *p->text == '!' || *p->text == '#')
		return;
	/* The lines under a rejected line would only repeat its error. */
	if (p->skip_indent >= 0 && p->indent > p->skip_indent)
		return;
	p->skip_indent = -1;
	errors = p->errors;
	for (const char *s = p->text; *s; s++)
		if (!isprint((unsigned char)*s) && *s != '\t') {
			parse_error(p, "%s 0x%02x in line", (unsigned char)*s < 0x80 ?
			    "control character" : "non-ASCII byte", (unsigned char)*s);
			goto skip;
		}
	snprintf(copy, sizeof(copy), "%s", p->text);
	if ((ntok = line_tokenize(copy, tok, start, p->text)) == -1) {
		parse_error(p, "too many words (at most %d)", PARSE_MAXTOK);
		goto skip;
	}
	line_dispatch(p, tok, start, ntok);
	if (p->errors == errors)
		return;
skip:
	p->skip_indent = p->indent;
}

int
config_parse_stream(struct config *cfg, const char *name, FILE *fp,
    conf_report_fn report, void *arg)
{
	struct parser	 p = { .cfg = cfg, .file = name, .report = report, .arg = arg,
			       .skip_indent = -1 };
	char		*buf = NULL;
	size_t		 cap = 0;
	ssize_t		 n;

	p.stack[0].mode = M_TOP;
	p.stack[0].indent = -1;
	while ((n = getline(&buf, &cap, fp)) != -1) {
		p.line++;
		/* PARSE_LINE_MAX counts the NUL: lines hold up to 1023 characters. */
		if (n - (buf[n - 1] == '\n') >= PARSE_LINE_MAX) {
			parse_error(&p, "line longer than %d characters",
			    PARSE_LINE_MAX - 1);
			p.skip_indent = line_measure(buf);
			continue;
		}
		if (strlen(buf) != (size_t)n) {
			parse_error(&p, "NUL byte in line");
			p.skip_indent = line_measure(buf);
			continue;
		}
		line_process(&p, buf);
	}
	free(buf);
	if (ferror(fp))
		return parse_error(&p, "read error");
	return p.errors;
}
