/*
 * Start-up probe: which ciphers and TLS versions the running kernel's TLS ULP
 * accepts for TX and RX (tried on loopback TCP pairs with throwaway keys), and
 * the /proc/net/tls_stat counters for the summary view.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ktls/ktls_int.h"

static const char *const cipher_names[KTLS_CIPHER_COUNT + 1] = {
	[KTLS_CIPHER_AES_128_GCM] = "AES-128-GCM",
	[KTLS_CIPHER_AES_256_GCM] = "AES-256-GCM",
	[KTLS_CIPHER_CHACHA20_POLY1305] = "CHACHA20-POLY1305",
	[KTLS_CIPHER_AES_128_CCM] = "AES-128-CCM",
	[KTLS_CIPHER_NONE] = "none",
};

const char *
ktls_cipher_name(enum ktls_cipher c)
{
	return c <= KTLS_CIPHER_NONE ? cipher_names[c] : "none";
}

const char *
ktls_version_name(enum ktls_version v)
{
	return v == KTLS_V12 ? "TLS 1.2" : "TLS 1.3";
}

struct probe_pair {
	int	client, server;
};

static void
pair_close(struct probe_pair *pp)
{
	if (pp->client >= 0)
		close(pp->client);
	if (pp->server >= 0)
		close(pp->server);
	pp->client = pp->server = -1;
}

/* A connected 127.0.0.1 pair: the ULP attaches only to ESTABLISHED sockets. */
static int
pair_open(struct probe_pair *pp)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int lfd, ret = 0;

	pp->client = pp->server = -1;
	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(lfd, 1) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &len) < 0)
		ret = -errno;
	if (ret == 0 &&
	    (pp->client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		ret = -errno;
	if (ret == 0 && connect(pp->client, (struct sockaddr *)&sin, len) < 0)
		ret = -errno;
	if (ret == 0 && (pp->server = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
		ret = -errno;
	close(lfd);
	if (ret < 0)
		pair_close(pp);
	return ret;
}

/* Installs one direction with throwaway keys; returns 0 or -errno. */
static int
probe_install(int fd, int dir, enum ktls_cipher c, enum ktls_version v)
{
	static const uint8_t key[32], iv[KTLS_IV_LEN];
	union ktls_crypto_info ci;
	socklen_t len;

	len = ktls_crypto_fill(&ci, v == KTLS_V12 ? TLS_1_2_VERSION :
	    TLS_1_3_VERSION, c, key, iv, 0);
	return ktls_crypto_set(fd, dir, &ci, len);
}

static int
probe_one(struct ktls_probe *kp, enum ktls_cipher c, enum ktls_version v)
{
	struct probe_pair pp;
	int ret;

	if ((ret = pair_open(&pp)) < 0)
		return ret;
	ret = ktls_ulp_attach(pp.client);
	if (ret == 0 && (ret = probe_install(pp.client, TLS_TX, c, v)) == 0)
		kp->kp_caps[c][v] |= KTLS_CAN_TX;
	if (ret == 0 && (ret = probe_install(pp.client, TLS_RX, c, v)) == 0)
		kp->kp_caps[c][v] |= KTLS_CAN_RX;
	/* Linux >= 6.14 accepts new TLS 1.3 keys on a live socket (KeyUpdate);
	 * older kernels refuse a second TLS_RX with EBUSY. */
	if (ret == 0 && c == KTLS_CIPHER_AES_128_GCM && v == KTLS_V13)
		kp->kp_rekey = probe_install(pp.client, TLS_RX, c, v) == 0;
	pair_close(&pp);
	return ret;
}

/*
 * Fills *kp. Returns 0 when at least one cipher can be offloaded both ways,
 * otherwise the errno that explains why not (kp_ulp_errno when the ULP
 * itself is missing).
 */
int
ktls_probe_run(struct ktls_probe *kp)
{
	struct probe_pair pp;
	struct utsname uts;
	int c, v, ret;

	memset(kp, 0, sizeof(*kp));
	if (uname(&uts) == 0)
		snprintf(kp->kp_release, sizeof(kp->kp_release), "%s", uts.release);
	if ((ret = pair_open(&pp)) < 0) {
		kp->kp_ulp_errno = -ret;
		return ret;
	}
	ret = ktls_ulp_attach(pp.client);
	pair_close(&pp);
	if (ret < 0) {
		kp->kp_ulp_errno = -ret;
		return ret;
	}
	for (c = 0; c < KTLS_CIPHER_COUNT; c++)
		for (v = 0; v < KTLS_VERSION_COUNT; v++)
			kp->kp_errno[c][v] = -probe_one(kp, c, v);
	return ktls_probe_any(kp) ? 0 : -ENOPROTOOPT;
}

bool
ktls_probe_has(const struct ktls_probe *kp, enum ktls_cipher c,
    enum ktls_version v, unsigned int dirs)
{
	if (kp == NULL || kp->kp_ulp_errno != 0 || c >= KTLS_CIPHER_COUNT ||
	    v >= KTLS_VERSION_COUNT)
		return false;
	return (kp->kp_caps[c][v] & dirs) == dirs;
}

bool
ktls_probe_any(const struct ktls_probe *kp)
{
	int c, v;

	for (c = 0; c < KTLS_CIPHER_COUNT; c++)
		for (v = 0; v < KTLS_VERSION_COUNT; v++)
			if (ktls_probe_has(kp, c, v, KTLS_CAN_TX | KTLS_CAN_RX))
				return true;
	return false;
}

static size_t append(char *, size_t, size_t, const char *, ...)
    __attribute__((format(printf, 4, 5)));

static size_t
append(char *buf, size_t size, size_t off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (off >= size)
		return off;
	va_start(ap, fmt);
	n = vsnprintf(buf + off, size - off, fmt, ap);
	va_end(ap);
	return n < 0 ? off : off + (size_t)n;
}

static const char *
errno_short(int err)
{
	switch (err) {
	case ENOENT:	return "ENOENT";
	case EINVAL:	return "EINVAL";
	case ENOPROTOOPT: return "ENOPROTOOPT";
	case EBUSY:	return "EBUSY";
	case EPERM:	return "EPERM";
	case ENOMEM:	return "ENOMEM";
	default:	return "error";
	}
}

/* Ciphers grouped by what they can do, e.g.
 * "kTLS: tx+rx AES-128-GCM AES-256-GCM CHACHA20-POLY1305 (TLS 1.2, 1.3);
 *  AES-128-CCM not offloadable (ENOENT); KeyUpdate closes (no rekey)". */
size_t
ktls_probe_format(const struct ktls_probe *kp, char *buf, size_t size)
{
	const unsigned int both = KTLS_CAN_TX | KTLS_CAN_RX;
	size_t off = 0;
	bool first = true;
	int c;

	if (size > 0)
		buf[0] = '\0';
	if (kp->kp_ulp_errno != 0)
		return append(buf, size, 0, "kTLS unavailable: %s (%s); all "
		    "connections use userspace TLS",
		    ktls_errno_reason(kp->kp_ulp_errno, true),
		    errno_short(kp->kp_ulp_errno));
	off = append(buf, size, off, "kTLS: tx+rx");
	for (c = 0; c < KTLS_CIPHER_COUNT; c++)
		if (ktls_probe_has(kp, c, KTLS_V12, both) &&
		    ktls_probe_has(kp, c, KTLS_V13, both)) {
			off = append(buf, size, off, " %s", cipher_names[c]);
			first = false;
		}
	if (first)
		off = append(buf, size, off, " none for both versions");
	else
		off = append(buf, size, off, " (TLS 1.2, 1.3)");
	for (c = 0; c < KTLS_CIPHER_COUNT; c++) {
		bool v12 = ktls_probe_has(kp, c, KTLS_V12, both);
		bool v13 = ktls_probe_has(kp, c, KTLS_V13, both);

		if (v12 && v13)
			continue;
		if (v12 || v13)
			off = append(buf, size, off, "; %s tx+rx %s only",
			    cipher_names[c], v12 ? "TLS 1.2" : "TLS 1.3");
		else
			off = append(buf, size, off, "; %s not offloadable (%s)",
			    cipher_names[c], errno_short(kp->kp_errno[c][KTLS_V12]));
	}
	return append(buf, size, off, "; %s", kp->kp_rekey ?
	    "TLS 1.3 KeyUpdate rekeys in the kernel" :
	    "TLS 1.3 KeyUpdate closes the connection (kernel cannot rekey)");
}

/* ---- /proc/net/tls_stat ---- */

static const struct {
	const char	*name;
	size_t		 off;
} stat_fields[] = {
	{ "TlsCurrTxSw", offsetof(struct ktls_stat, curr_tx_sw) },
	{ "TlsCurrRxSw", offsetof(struct ktls_stat, curr_rx_sw) },
	{ "TlsCurrTxDevice", offsetof(struct ktls_stat, curr_tx_device) },
	{ "TlsCurrRxDevice", offsetof(struct ktls_stat, curr_rx_device) },
	{ "TlsTxSw", offsetof(struct ktls_stat, tx_sw) },
	{ "TlsRxSw", offsetof(struct ktls_stat, rx_sw) },
	{ "TlsTxDevice", offsetof(struct ktls_stat, tx_device) },
	{ "TlsRxDevice", offsetof(struct ktls_stat, rx_device) },
	{ "TlsDecryptError", offsetof(struct ktls_stat, decrypt_error) },
	{ "TlsRxDeviceResync", offsetof(struct ktls_stat, rx_device_resync) },
	{ "TlsDecryptRetry", offsetof(struct ktls_stat, decrypt_retry) },
	{ "TlsRxNoPadViolation", offsetof(struct ktls_stat, rx_no_pad_violation) },
	{ "TlsTxRekeyOk", offsetof(struct ktls_stat, tx_rekey_ok) },
	{ "TlsTxRekeyError", offsetof(struct ktls_stat, tx_rekey_error) },
	{ "TlsRxRekeyOk", offsetof(struct ktls_stat, rx_rekey_ok) },
	{ "TlsRxRekeyError", offsetof(struct ktls_stat, rx_rekey_error) },
	{ "TlsRxRekeyReceived", offsetof(struct ktls_stat, rx_rekey_received) },
};
#define STAT_FIELDS	(sizeof(stat_fields) / sizeof(stat_fields[0]))

/* Parses the file's text; returns the number of known counters found. */
int
ktls_stat_parse(const char *text, struct ktls_stat *st)
{
	const char *line = text;
	size_t i;
	int found = 0;

	for (i = 0; i < STAT_FIELDS; i++)
		*(long *)((char *)st + stat_fields[i].off) = -1;
	while (line != NULL && *line != '\0') {
		char name[48];
		long value;

		if (sscanf(line, "%47s %ld", name, &value) == 2)
			for (i = 0; i < STAT_FIELDS; i++)
				if (strcmp(name, stat_fields[i].name) == 0) {
					*(long *)((char *)st + stat_fields[i].off) = value;
					found++;
				}
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
	}
	return found;
}

/* Returns 0, or -ENOENT when the kernel has no TLS (no tls_stat file). */
int
ktls_stat_read(struct ktls_stat *st)
{
	char text[2048];
	size_t n;
	FILE *f;

	ktls_stat_parse("", st);
	if ((f = fopen("/proc/net/tls_stat", "re")) == NULL)
		return -errno;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return ktls_stat_parse(text, st) > 0 ? 0 : -ENODATA;
}

size_t
ktls_stat_format(const struct ktls_stat *st, char *buf, size_t size)
{
	size_t i, off = 0;

	if (size > 0)
		buf[0] = '\0';
	for (i = 0; i < STAT_FIELDS && off < size; i++) {
		long v = *(const long *)((const char *)st + stat_fields[i].off);
		int n;

		if (v < 0)
			continue;
		n = snprintf(buf + off, size - off, "%s%s=%ld", off ? " " : "",
		    stat_fields[i].name, v);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	return off;
}
