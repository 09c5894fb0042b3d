/*
 * The configuration model: what sipktlsd.conf says, parsed and checked.
 * Every object is a pointer-free struct (it can be copied, compared on reload
 * and sent to another process); struct config holds growable arrays of them.
 */
#ifndef SIPKTLS_CONFIG_H
#define SIPKTLS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>

#define CONF_TAG_MIN		1
#define CONF_TAG_MAX		10000
#define CONF_NAME_MAX		64	/* trustpoint names, key labels, interface names */
#define CONF_HOST_MAX		256	/* FQDNs (RFC 1035: 253 octets) */
#define CONF_TEXT_MAX		256	/* descriptions, X.500 names, URLs */
#define CONF_PATH_MAX		256
#define CONF_CIPHERS_MAX	13	/* the guide's table has 13 names */
#define CONF_CNSAN_MAX		32
#define CONF_SRTP_MAX		4
#define CONF_REVOCATION_MAX	3

#define SIPKTLS_DEFAULT_CONF	"/etc/sipktls/sipktlsd.conf"
#define SIPKTLS_DEFAULT_SOCKET	"/run/sipktls/sipktlsd.sock"
#define SIPKTLS_DEFAULT_PORT	5061
#define CONF_DEFAULT_HS_TIMEOUT		10
#define CONF_DEFAULT_HS_PER_SOURCE	32
#define CONF_DEFAULT_TICKETS		1
#define CONF_DEFAULT_TICKET_ROTATION	12
#define CONF_DEFAULT_REVOKE_TIMEOUT	5	/* seconds; pki/revoke.h's default */
#define CONF_DEFAULT_REVOKE_WAIT	10000	/* ms; likewise */
/* records under one AES-GCM/CCM TX key: 2^24, below RFC 8446's 2^24.5 */
#define CONF_DEFAULT_KTLS_RECORD_LIMIT	16777216u

/* TLS versions as a bit set, so "1.2 minimum" is just two bits. */
enum tls_version_bit {
	TLSV_1_0 = 1 << 0,
	TLSV_1_1 = 1 << 1,
	TLSV_1_2 = 1 << 2,
	TLSV_1_3 = 1 << 3,
};

enum tls_version_mode {
	TLSMODE_DEFAULT,	/* 1.1, 1.2, 1.3 */
	TLSMODE_EXCLUSIVE,	/* exactly one version */
	TLSMODE_MINIMUM,	/* 1.2 and 1.3, no fallback */
};

enum revocation_method {
	REVOKE_NONE_SET = 0,
	REVOKE_CRL,
	REVOKE_OCSP,
	REVOKE_NONE,
};

enum cnsan_mode {
	CNSAN_OFF = 0,
	CNSAN_SERVER,		/* check the sip-server's certificate on connections we open */
	CNSAN_CLIENT,		/* check client certificates against the cn-san list */
	CNSAN_BIDIRECTIONAL,
};

enum url_scheme { URL_UNSET = 0, URL_SIP, URL_SIPS, URL_TEL };
enum backend_transport { BACKEND_TCP = 0, BACKEND_UDP };
enum enroll_mode { ENROLL_UNSET = 0, ENROLL_TERMINAL, ENROLL_URL };

/* One of the guide's 13 cipher names and its OpenSSL spelling. */
struct cipher_def {
	const char	*cube_name;
	const char	*openssl_name;
	bool		 tls13;		/* a TLS 1.3 suite (SSL_CTX_set_ciphersuites) */
	bool		 ecdsa;		/* needs an ECDSA certificate; not with TLS 1.0 */
	bool		 cbc;		/* usable below TLS 1.2 */
};

/* A transport address as written: ipv4:A[:P], ipv6:[A][:P] or dns:HOST[:P]. */
struct conf_target {
	enum { TARGET_NONE = 0, TARGET_IPV4, TARGET_IPV6, TARGET_DNS } kind;
	char		 host[CONF_HOST_MAX];	/* literal or FQDN, without brackets */
	uint16_t	 port;			/* 0: not given */
};

struct trustpoint_config {
	char		 name[CONF_NAME_MAX];
	unsigned	 line;
	enum enroll_mode enrollment;
	char		 enroll_url[CONF_TEXT_MAX];
	bool		 enroll_pem;
	char		 fqdn[CONF_HOST_MAX];
	char		 subject_name[CONF_TEXT_MAX];
	char		 subject_alt_name[CONF_HOST_MAX];
	bool		 serial_number;		/* include the serial number */
	bool		 serial_number_set;
	char		 ip_address[CONF_NAME_MAX];	/* address or interface; "" = none */
	enum { KEY_UNSET = 0, KEY_RSA, KEY_EC } key_type;
	char		 key_label[CONF_NAME_MAX];
	unsigned	 key_size;		/* 0: use the existing key's size */
	unsigned	 enc_key_size;
	enum revocation_method revocation[CONF_REVOCATION_MAX];
	char		 crl_url[CONF_TEXT_MAX];
	char		 ocsp_url[CONF_TEXT_MAX];
	char		 password[CONF_NAME_MAX];
	bool		 has_chain;		/* a "crypto pki certificate chain" names it */
	bool		 used;
};

struct tls_cipher_config {
	unsigned	 tag;
	unsigned	 line;
	/* index into cipher_table() by preference 1..13; -1 = unset */
	int		 pref[CONF_CIPHERS_MAX];
	bool		 used;
};

struct cnsan_entry {
	unsigned	 idx;
	char		 fqdn[CONF_HOST_MAX];
};

struct tls_profile_config {
	unsigned	 tag;
	unsigned	 line;
	unsigned	 cipher_tag;		/* 0: built-in default list */
	unsigned	 cipher_line;
	enum cnsan_mode	 cnsan;
	struct cnsan_entry cnsan_list[CONF_CNSAN_MAX];
	size_t		 ncnsan;
	char		 trustpoint[CONF_NAME_MAX];
	unsigned	 trustpoint_line;
	char		 ca_bundle[CONF_PATH_MAX];	/* extra CAs for verifying peers */
	bool		 sni_send;
	bool		 cnsan_strict;		/* RFC 5922 to the letter: no wildcards */
	bool		 used;
};

struct srtp_crypto_config {
	unsigned	 tag;
	unsigned	 line;
	int		 pref[CONF_SRTP_MAX];	/* index into srtp_suite_names; -1 = unset */
	bool		 used;
};

struct tenant_config {
	unsigned	 tag;
	unsigned	 line;
	unsigned	 tls_profile;		/* 0: none (global default trustpoint) */
	unsigned	 tls_profile_line;
	uint16_t	 listen_port;		/* listen-port secure; 0: none */
	unsigned	 listen_line;
	struct conf_target sip_server;
	unsigned	 srtp_crypto;
	unsigned	 srtp_line;
	bool		 transport_tls;		/* session transport tcp tls */
	enum url_scheme	 url;
	char		 bind_control[CONF_NAME_MAX];
	char		 bind_media[CONF_NAME_MAX];
	/* sipktlsd's own: where the tenant's plain SIP lives */
	struct conf_target backend;
	enum backend_transport backend_transport;
	bool		 backend_proxy_v2;
	struct conf_target backend_listen;	/* plain address for outbound traffic */
	unsigned	 backend_listen_line;
	bool		 used;
};

struct trusted_entry {
	int		 family;		/* AF_INET or AF_INET6 */
	struct in6_addr	 addr;			/* IPv4 stored in the first 4 bytes */
	unsigned	 prefix;		/* 0..32 or 0..128 */
};

struct dial_peer_config {
	unsigned	 tag;
	unsigned	 line;
	char		 description[CONF_TEXT_MAX];
	char		 destination_pattern[CONF_NAME_MAX];
	bool		 sipv2;
	enum { SESSTARGET_NONE = 0, SESSTARGET_SIP_SERVER, SESSTARGET_ADDR } target_kind;
	struct conf_target target;
	bool		 transport_tls;
	unsigned	 tenant;
	unsigned	 tenant_line;
};

/* A configuration line that is valid but that sipktlsd does not act on. */
struct unused_line {
	unsigned	 line;
	char		 text[CONF_TEXT_MAX];
};

struct config {
	char		 path[CONF_PATH_MAX];
	char		 hostname[CONF_HOST_MAX];
	char		 domain_name[CONF_HOST_MAX];

	/* sip-ua */
	bool		 transport_tls;		/* transport tcp tls: global listener */
	enum tls_version_mode tls_mode;
	unsigned	 tls_versions;		/* enum tls_version_bit set */
	unsigned	 transport_line;
	char		 default_trustpoint[CONF_NAME_MAX];
	unsigned	 default_trustpoint_line;
	bool		 default_cnsan_server;	/* ... trustpoint NAME cn-san-validate server */
	unsigned	 aging_tls_minutes;
	uint16_t	 global_port;

	/* sipktls: the daemon's own settings */
	char		 control_socket[CONF_PATH_MAX];
	char		 pki_store[CONF_PATH_MAX];
	unsigned	 dataplane_threads;	/* 0: one per core */
	unsigned	 connection_limit;
	unsigned	 handshake_timeout;	/* seconds */
	unsigned	 handshake_per_source;	/* concurrent handshakes per source address */
	unsigned	 session_tickets;	/* TLS 1.3 tickets per handshake; 0: none */
	unsigned	 ticket_rotation_hours;
	char		 ticket_key_file[CONF_PATH_MAX];	/* "": <pki-store>/session-ticket.keys if present */
	int		 security_level;	/* -1: OpenSSL's default */
	unsigned	 revocation_fetch_timeout;	/* seconds per CRL or OCSP exchange */
	unsigned	 revocation_wait;	/* ms a handshake waits for an answer */
	enum ktls_conf { KTLS_CONF_PREFERRED = 0, KTLS_CONF_OFF, KTLS_CONF_REQUIRED } ktls_mode;
	unsigned	 ktls_record_limit;	/* offloaded AES TX records, then renew */
	/* dataplane limits, read when it starts (dataplane.h's defaults) */
	unsigned	 dp_max_header;		/* bytes of a SIP message's header */
	unsigned	 dp_max_body;		/* bytes of its body */
	unsigned	 dp_wq_bytes;		/* queued towards one side: stop reading */
	unsigned	 dp_wq_msgs;		/* the other side above either */
	unsigned	 dp_zc_threshold;	/* SEND_ZC from this many bytes */
	unsigned	 dp_connect_ms;		/* backend connect timeout */
	unsigned	 dp_linger_ms;		/* wait for the peer's close_notify */
	char		 global_bind[CONF_NAME_MAX];	/* voice service voip / sip / bind control */

	struct trustpoint_config	*trustpoints;
	size_t				 ntrustpoints;
	struct tls_cipher_config	*ciphers;
	size_t				 nciphers;
	struct tls_profile_config	*profiles;
	size_t				 nprofiles;
	struct srtp_crypto_config	*srtps;
	size_t				 nsrtps;
	struct tenant_config		*tenants;
	size_t				 ntenants;
	struct dial_peer_config		*dial_peers;
	size_t				 ndial_peers;
	struct trusted_entry		*trusted;
	size_t				 ntrusted;
	struct unused_line		*unused;
	size_t				 nunused;
};

/*
 * The sipktls stanza's plain numbers, one row each in config_numbers.c, so a
 * command's words, range and default live in one place. Ids run in the order
 * "show running-config" prints them.
 */
enum conf_number_id {
	CONF_NUM_DP_MAX_HEADER,
	CONF_NUM_DP_MAX_BODY,
	CONF_NUM_DP_WQ_BYTES,
	CONF_NUM_DP_WQ_MSGS,
	CONF_NUM_DP_ZC_THRESHOLD,
	CONF_NUM_DP_CONNECT_MS,
	CONF_NUM_DP_LINGER_MS,
	CONF_NUM_CONN_LIMIT,
	CONF_NUM_HS_TIMEOUT,
	CONF_NUM_HS_PER_SOURCE,
	CONF_NUM_TICKETS,
	CONF_NUM_TICKET_ROTATION,
	CONF_NUM_KTLS_RECORD_LIMIT,
	CONF_NUM_REVOKE_TIMEOUT,
	CONF_NUM_REVOKE_WAIT,
	CONF_NUM_COUNT
};

struct conf_number {
	const char	*words;		/* the command, as parsed and printed */
	size_t		 off;		/* its unsigned in struct config */
	unsigned	 min, max, def;
};

/* Where config messages go; the daemon logs them, the checker prints them. */
enum conf_severity { CONF_ERROR, CONF_WARNING };
typedef void (*conf_report_fn)(void *arg, enum conf_severity sev, const char *msg);

/* config.c */
struct config	*config_new(void);
void		 config_free(struct config *);
struct config	*config_load(const char *path, conf_report_fn, void *arg);
struct config	*config_parse_buffer(const char *name, const char *text,
		    conf_report_fn, void *arg);
void		 config_report_stderr(void *arg, enum conf_severity, const char *);

/* config_numbers.c */
extern const struct conf_number conf_numbers[CONF_NUM_COUNT];
unsigned	 conf_number_get(const struct config *, enum conf_number_id);
void		 conf_number_set(struct config *, enum conf_number_id, unsigned);
void		 conf_numbers_reset(struct config *);

/* config_parse.c */
int		 config_parse_stream(struct config *, const char *name, FILE *,
		    conf_report_fn, void *arg);

/* config_check.c */
int		 config_check(struct config *, conf_report_fn, void *arg);

/* config_print.c */
void		 config_print_running(const struct config *, FILE *);
void		 config_print_setup(const struct config *, FILE *);
void		 config_print_profile(const struct config *,
		    const struct tls_profile_config *, FILE *);
void		 config_print_unused(const struct config *, FILE *);

/* config_tls.c: the guide's TLS names and their OpenSSL meaning */
const struct cipher_def	*cipher_table(size_t *n);
int		 cipher_lookup(const char *cube_name);
const char	*srtp_suite_name(int idx);
int		 srtp_suite_lookup(const char *name);
unsigned	 config_tls_versions(const struct config *);
int		 config_tls_min_version(const struct config *);
int		 config_tls_max_version(const struct config *);
void		 config_cipher_strings(const struct config *,
		    const struct tls_profile_config *,
		    char *tls12, size_t tls12len, char *tls13, size_t tls13len);
const char	*tls_version_names(unsigned versions, char *buf, size_t len);

/* lookups by tag or name; NULL when absent */
struct trustpoint_config	*config_trustpoint(const struct config *, const char *);
struct tls_cipher_config	*config_cipher(const struct config *, unsigned);
struct tls_profile_config	*config_profile(const struct config *, unsigned);
struct srtp_crypto_config	*config_srtp(const struct config *, unsigned);
struct tenant_config		*config_tenant(const struct config *, unsigned);
const char	*conf_target_format(const struct conf_target *, char *, size_t);

#endif
