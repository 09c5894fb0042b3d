/*
 * Kernel TLS for sipktls: probe what the kernel offers, move a finished
 * OpenSSL session's keys into the socket, then help the dataplane with the
 * records the kernel hands up (alerts, KeyUpdate, tickets) and read it back.
 */
#ifndef SIPKTLS_KTLS_H
#define SIPKTLS_KTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/ssl.h>

struct msghdr;

enum ktls_cipher {
	KTLS_CIPHER_AES_128_GCM,
	KTLS_CIPHER_AES_256_GCM,
	KTLS_CIPHER_CHACHA20_POLY1305,
	KTLS_CIPHER_AES_128_CCM,
	KTLS_CIPHER_COUNT,
	KTLS_CIPHER_NONE = KTLS_CIPHER_COUNT	/* not offloadable */
};

enum ktls_version {
	KTLS_V12,
	KTLS_V13,
	KTLS_VERSION_COUNT
};

#define KTLS_CAN_TX	0x01u
#define KTLS_CAN_RX	0x02u

/* kTLS mode of a tls-profile (set on its SSL_CTX). */
enum ktls_mode {
	KTLS_MODE_OFF,		/* userspace TLS only */
	KTLS_MODE_PREFERRED,	/* offload where possible (default) */
	KTLS_MODE_REQUIRED	/* refuse connections that cannot be offloaded */
};

/* ---- probe.c ------------------------------------------------------------- */

/* What the running kernel offers; filled once at start-up. */
struct ktls_probe {
	int	kp_ulp_errno;		/* 0: the "tls" ULP attaches */
	uint8_t	kp_caps[KTLS_CIPHER_COUNT][KTLS_VERSION_COUNT]; /* KTLS_CAN_* */
	int	kp_errno[KTLS_CIPHER_COUNT][KTLS_VERSION_COUNT]; /* first refusal */
	bool	kp_rekey;		/* a second TLS_RX is accepted (>= 6.14) */
	char	kp_release[65];		/* uname -r */
};

int		 ktls_probe_run(struct ktls_probe *);
bool		 ktls_probe_has(const struct ktls_probe *, enum ktls_cipher,
		     enum ktls_version, unsigned int dirs);
bool		 ktls_probe_any(const struct ktls_probe *);
size_t		 ktls_probe_format(const struct ktls_probe *, char *, size_t);
const char	*ktls_cipher_name(enum ktls_cipher);
const char	*ktls_version_name(enum ktls_version);

/* /proc/net/tls_stat; a counter the kernel does not have stays -1. */
struct ktls_stat {
	long	curr_tx_sw, curr_rx_sw, curr_tx_device, curr_rx_device;
	long	tx_sw, rx_sw, tx_device, rx_device;
	long	decrypt_error, rx_device_resync, decrypt_retry;
	long	rx_no_pad_violation;
	long	tx_rekey_ok, tx_rekey_error, rx_rekey_ok, rx_rekey_error;
	long	rx_rekey_received;
};

int		 ktls_stat_read(struct ktls_stat *);
int		 ktls_stat_parse(const char *, struct ktls_stat *);
size_t		 ktls_stat_format(const struct ktls_stat *, char *, size_t);

/* ---- secrets.c: session secrets captured through the keylog callback ---- */

int		 ktls_keylog_attach(SSL_CTX *);
int		 ktls_mode_set(SSL_CTX *, enum ktls_mode);
enum ktls_mode	 ktls_mode_get(const SSL_CTX *);
/* For a handshake engine that installs its own callbacks: call these from
 * them, or the session's secrets and ticket count are not seen. */
void		 ktls_keylog_line(const SSL *, const char *);
void		 ktls_msg_observe(int, int, int, const void *, size_t, SSL *);
void		 ktls_secrets_wipe(SSL *);

/* What a later TLS 1.3 KeyUpdate needs once the SSL is gone (<= 200 bytes).
 * Kept only on kernels that can rekey; NULL otherwise. */
struct ktls_keys {
	uint16_t	kk_version;		/* TLS1_3_VERSION */
	uint8_t		kk_cipher;		/* enum ktls_cipher */
	uint8_t		kk_secret_len;		/* 32 (SHA-256) or 48 (SHA-384) */
	uint8_t		kk_tx_secret[48];	/* current traffic secrets */
	uint8_t		kk_rx_secret[48];
};

void		 ktls_keys_free(struct ktls_keys *);

/* ---- install.c ------------------------------------------------------------ */

/* Who moves a direction's records after the hand-off. */
enum ktls_path {
	KTLS_PATH_USERSPACE,	/* OpenSSL (SSL_read/SSL_write) */
	KTLS_PATH_OPENSSL,	/* kernel, installed by OpenSSL itself */
	KTLS_PATH_INSTALLED	/* kernel, installed by ktls_offload() */
};

struct ktls_dir {
	enum ktls_path	kd_path;
	int		kd_errno;	/* of the failed step; 0 */
	uint64_t	kd_rec_seq;	/* first record number given to the kernel */
	char		kd_reason[112];	/* operator words; "" when offloaded */
};

struct ktls_result {
	struct ktls_dir	 kr_tx, kr_rx;
	uint16_t	 kr_version;	/* TLS1_2_VERSION, TLS1_3_VERSION, ... */
	enum ktls_cipher kr_cipher;
	bool		 kr_server;
	/* Plaintext OpenSSL had already read past the handshake (only with
	 * read_ahead): forward it before anything read from the socket; free(). */
	unsigned char	*kr_drained;
	size_t		 kr_drained_len;
	struct ktls_keys *kr_keys;	/* see struct ktls_keys; ktls_keys_free() */
};

int		 ktls_offload(SSL *, int, const struct ktls_probe *,
		     struct ktls_result *);
bool		 ktls_result_full(const struct ktls_result *);
size_t		 ktls_result_format(const struct ktls_result *, char *, size_t);
void		 ktls_result_release(struct ktls_result *);
const char	*ktls_errno_reason(int, bool);
enum ktls_cipher ktls_cipher_of(const SSL_CIPHER *, const char **);
const char	*ktls_path_name(enum ktls_path);
/* Test only: shifts the record numbers ktls_offload() installs. */
void		 ktls_test_rec_seq_skew(unsigned int, unsigned int);

/* ---- record.c: an offloaded socket after the hand-off --------------------- */

#define KTLS_RT_CHANGE_CIPHER_SPEC	20
#define KTLS_RT_ALERT			21
#define KTLS_RT_HANDSHAKE		22
#define KTLS_RT_DATA			23

/* Control buffer for recvmsg() on a kTLS socket: one record-type byte. */
#define KTLS_CMSG_SPACE		CMSG_SPACE(sizeof(unsigned char))

enum ktls_event {
	KTLS_EV_DATA,			/* application data: relay it */
	KTLS_EV_CLOSE_NOTIFY,		/* orderly close by the peer */
	KTLS_EV_ALERT,			/* fatal (or unknown warning) alert: close */
	KTLS_EV_TICKET_DROPPED,		/* NewSessionTicket, not kept */
	KTLS_EV_KEYUPDATE_CLOSE,	/* peer rekeyed, kernel cannot: close */
	KTLS_EV_KEYUPDATE_DONE,		/* new keys installed, go on */
	KTLS_EV_PROTOCOL,		/* anything else: close */
	KTLS_EV_COUNT
};

struct ktls_counters {
	uint64_t	kc_events[KTLS_EV_COUNT];
};

struct ktls_control {
	enum ktls_event	kc_event;
	bool		kc_close;	/* the caller must close the connection */
	uint8_t		kc_alert;	/* alert description, for KTLS_EV_ALERT */
	char		kc_what[96];	/* operator words for the log line */
};

int		 ktls_recv_parse(const struct msghdr *);
int		 ktls_control_handle(int, uint8_t, const uint8_t *, size_t,
		     struct ktls_keys *, struct ktls_control *);
ssize_t		 ktls_send_control(int, uint8_t, const void *, size_t);
int		 ktls_send_close_notify(int);
int		 ktls_send_alert(int, uint8_t);
const char	*ktls_alert_name(uint8_t);
const char	*ktls_event_name(enum ktls_event);
void		 ktls_counters_add(struct ktls_counters *, enum ktls_event);
int		 ktls_tx_records(int, uint64_t *);
int		 ktls_rx_records(int, uint64_t *);
bool		 ktls_trunk_recycle(enum ktls_cipher, uint64_t);
uint64_t	 ktls_record_limit(enum ktls_cipher);
int		 ktls_rekey_rx(int, struct ktls_keys *);
int		 ktls_rekey_tx(int, struct ktls_keys *);

/* ---- diag.c: the kernel's own view through sock_diag ----------------------- */

struct ktls_diag {
	int		kg_family;		/* AF_INET, AF_INET6 */
	uint8_t		kg_src[16], kg_dst[16];
	uint16_t	kg_sport, kg_dport;	/* host order */
	uint32_t	kg_inode;
	bool		kg_tls;			/* the tls ULP is attached */
	uint16_t	kg_version;		/* TLS_1_2_VERSION, ... */
	uint16_t	kg_cipher;		/* TLS_CIPHER_* */
	uint16_t	kg_txconf, kg_rxconf;	/* TLS_CONF_* */
	bool		kg_rx_no_pad, kg_zc_ro_tx;
};

typedef int (*ktls_diag_cb)(const struct ktls_diag *, void *);

int		 ktls_diag_query(int, struct ktls_diag *);
int		 ktls_diag_dump(ktls_diag_cb, void *);
size_t		 ktls_diag_format(const struct ktls_diag *, char *, size_t);
const char	*ktls_diag_conf_name(uint16_t);

#endif
