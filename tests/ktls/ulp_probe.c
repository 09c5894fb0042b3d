/* ulp_probe: checks whether the running kernel offers kernel TLS. It attaches
 * the "tls" ULP to loopback TCP pairs, installs fixed keys and moves records
 * through kTLS (expect-ok), or confirms that the ULP is missing (expect-enoent). */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* accept4, memmem */
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define RECORD_HEADER_SIZE 5
#define RECORD_TYPE_APPLICATION_DATA 23

static const char probe_message[] =
	"OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\nContent-Length: 0\r\n\r\n";

struct sock_pair {
	int client;
	int server;
};

union crypto_info {
	struct tls_crypto_info info;
	struct tls12_crypto_info_aes_gcm_128 aes_gcm_128;
	struct tls12_crypto_info_aes_gcm_256 aes_gcm_256;
	struct tls12_crypto_info_chacha20_poly1305 chacha20_poly1305;
};

struct cipher_case {
	const char *name;
	unsigned short version;
	unsigned short cipher;
	/* bytes a record adds around the plaintext: explicit nonce (TLS 1.2
	 * AES-GCM only), inner content type (TLS 1.3 only) and the tag */
	size_t record_overhead;
};

static const struct cipher_case cipher_cases[] = {
	{ "TLS 1.2 AES-128-GCM", TLS_1_2_VERSION, TLS_CIPHER_AES_GCM_128, 8 + 16 },
	{ "TLS 1.3 AES-256-GCM", TLS_1_3_VERSION, TLS_CIPHER_AES_GCM_256, 1 + 16 },
	{ "TLS 1.3 CHACHA20-POLY1305", TLS_1_3_VERSION,
	  TLS_CIPHER_CHACHA20_POLY1305, 1 + 16 },
};

/* Reports a failed system call by name and returns it as -errno. */
static int call_fail(const char *call)
{
	int err = errno ? errno : EIO;

	fprintf(stderr, "ulp_probe: %s failed: %s\n", call, strerror(err));
	return -err;
}

/* Reports a wrong result that is not a system call error. */
static int check_fail(const char *what)
{
	fprintf(stderr, "ulp_probe: %s\n", what);
	return -EPROTO;
}

static void pair_close(struct sock_pair *pair)
{
	if (pair->client >= 0)
		close(pair->client);
	if (pair->server >= 0)
		close(pair->server);
	pair->client = pair->server = -1;
}

static int timeout_set(int fd)
{
	/* a broken kTLS receive path must fail the probe, not hang it */
	struct timeval tv = { .tv_sec = 5 };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return call_fail("setsockopt(SO_RCVTIMEO)");
	return 0;
}

static int pair_connect(struct sock_pair *pair, int listener)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);
	int ret;

	if (getsockname(listener, (struct sockaddr *)&addr, &len) < 0)
		return call_fail("getsockname");
	pair->client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (pair->client < 0)
		return call_fail("socket(client)");
	if (connect(pair->client, (struct sockaddr *)&addr, len) < 0)
		return call_fail("connect");
	pair->server = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
	if (pair->server < 0)
		return call_fail("accept4");
	ret = timeout_set(pair->client);
	if (ret == 0)
		ret = timeout_set(pair->server);
	return ret;
}

/* Opens a connected TCP pair over 127.0.0.1 on an ephemeral port. */
static int pair_open(struct sock_pair *pair)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int listener, ret;

	pair->client = pair->server = -1;
	listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listener < 0)
		return call_fail("socket(listener)");
	if (bind(listener, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		ret = call_fail("bind(127.0.0.1:0)");
	else if (listen(listener, 1) < 0)
		ret = call_fail("listen");
	else
		ret = pair_connect(pair, listener);
	close(listener);
	if (ret < 0)
		pair_close(pair);
	return ret;
}

static int ulp_attach(int fd)
{
	if (setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", 3) < 0)
		return call_fail("setsockopt(TCP_ULP, \"tls\")");
	return 0;
}

/* Fixed, arbitrary key material: both ends get the same bytes, so one end's
 * TX state matches the other end's RX state. */
#define CRYPTO_FILL(s) do {                                \
		memset((s).iv, 0x11, sizeof((s).iv));           \
		memset((s).key, 0x22, sizeof((s).key));         \
		memset((s).salt, 0x33, sizeof((s).salt));       \
		memset((s).rec_seq, 0x00, sizeof((s).rec_seq)); \
	} while (0)

static socklen_t crypto_fill(const struct cipher_case *cc,
			     union crypto_info *ci)
{
	memset(ci, 0, sizeof(*ci));
	ci->info.version = cc->version;
	ci->info.cipher_type = cc->cipher;
	switch (cc->cipher) {
	case TLS_CIPHER_AES_GCM_128:
		CRYPTO_FILL(ci->aes_gcm_128);
		return sizeof(ci->aes_gcm_128);
	case TLS_CIPHER_AES_GCM_256:
		CRYPTO_FILL(ci->aes_gcm_256);
		return sizeof(ci->aes_gcm_256);
	case TLS_CIPHER_CHACHA20_POLY1305:
		CRYPTO_FILL(ci->chacha20_poly1305);
		return sizeof(ci->chacha20_poly1305);
	}
	return 0;
}

static int key_install(int fd, int direction, const struct cipher_case *cc)
{
	union crypto_info ci;
	socklen_t len = crypto_fill(cc, &ci);

	if (setsockopt(fd, SOL_TLS, direction, &ci, len) < 0)
		return call_fail(direction == TLS_TX ? "setsockopt(SOL_TLS, TLS_TX)"
						     : "setsockopt(SOL_TLS, TLS_RX)");
	return 0;
}

/* Attaches the ULP and installs TX and RX state on one socket. */
static int ktls_enable(int fd, const struct cipher_case *cc)
{
	int ret = ulp_attach(fd);

	if (ret == 0)
		ret = key_install(fd, TLS_TX, cc);
	if (ret == 0)
		ret = key_install(fd, TLS_RX, cc);
	return ret;
}

static int message_send(int fd, const void *buf, size_t len)
{
	ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

	if (n < 0)
		return call_fail("send");
	if ((size_t)n != len)
		return check_fail("send: short write");
	return 0;
}

static int bytes_recv(int fd, unsigned char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv(fd, buf + got, len - got, 0);

		if (n < 0)
			return call_fail("recv");
		if (n == 0)
			return check_fail("recv: peer closed early");
		got += (size_t)n;
	}
	return 0;
}

/* Sends the probe message from one end and checks the other end reads it. */
static int message_roundtrip(int from, int to)
{
	unsigned char buf[sizeof(probe_message)];
	int ret = message_send(from, probe_message, sizeof(probe_message));

	if (ret == 0)
		ret = bytes_recv(to, buf, sizeof(buf));
	if (ret == 0 && memcmp(buf, probe_message, sizeof(buf)) != 0)
		ret = check_fail("received bytes differ from the sent message");
	return ret;
}

/* Reads one counter from /proc/net/tls_stat. */
static int stat_read(const char *name, long *value)
{
	char line[128], key[64];
	long v;
	int ret = -ENOENT;
	FILE *f = fopen("/proc/net/tls_stat", "re");

	if (!f)
		return call_fail("fopen(/proc/net/tls_stat)");
	while (ret < 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", key, &v) == 2 && strcmp(key, name) == 0) {
			*value = v;
			ret = 0;
		}
	fclose(f);
	if (ret < 0)
		fprintf(stderr, "ulp_probe: %s missing from /proc/net/tls_stat\n", name);
	return ret;
}

/* While a fully offloaded pair is open the kernel must count at least its
 * two software TX and two software RX contexts. */
static int stat_check(void)
{
	long tx, rx;

	if (stat_read("TlsCurrTxSw", &tx) < 0 || stat_read("TlsCurrRxSw", &rx) < 0)
		return -ENOENT;
	printf("  /proc/net/tls_stat: TlsCurrTxSw=%ld TlsCurrRxSw=%ld\n", tx, rx);
	if (tx < 2 || rx < 2)
		return check_fail("tls_stat does not count the open kTLS sockets");
	return 0;
}

/* Both ends run kTLS in both directions; a message crosses each way. */
static int duplex_check(const struct cipher_case *cc)
{
	struct sock_pair pair;
	int ret = pair_open(&pair);

	if (ret == 0)
		ret = ktls_enable(pair.client, cc);
	if (ret == 0)
		ret = ktls_enable(pair.server, cc);
	if (ret == 0)
		ret = message_roundtrip(pair.client, pair.server);
	if (ret == 0)
		ret = message_roundtrip(pair.server, pair.client);
	if (ret == 0)
		printf("  round trip: %zu bytes client->server and server->client "
		       "through kTLS TX/RX on both ends\n", sizeof(probe_message));
	if (ret == 0)
		ret = stat_check();
	pair_close(&pair);
	return ret;
}

/* Only the client runs kTLS TX; the server reads the raw TCP stream to
 * prove the kernel really framed and encrypted the message. */
static int wire_check(const struct cipher_case *cc)
{
	unsigned char buf[RECORD_HEADER_SIZE + sizeof(probe_message) + 32];
	size_t record_len = sizeof(probe_message) + cc->record_overhead;
	struct sock_pair pair;
	int ret = pair_open(&pair);

	if (ret == 0)
		ret = ulp_attach(pair.client);
	if (ret == 0)
		ret = key_install(pair.client, TLS_TX, cc);
	if (ret == 0)
		ret = message_send(pair.client, probe_message, sizeof(probe_message));
	if (ret == 0)
		ret = bytes_recv(pair.server, buf, RECORD_HEADER_SIZE + record_len);
	if (ret == 0 && (buf[0] != RECORD_TYPE_APPLICATION_DATA || buf[1] != 3 ||
			 buf[2] != 3 || (size_t)(buf[3] << 8 | buf[4]) != record_len))
		ret = check_fail("wire bytes are not one TLS application_data record");
	if (ret == 0 && memmem(buf, RECORD_HEADER_SIZE + record_len, "OPTIONS", 7))
		ret = check_fail("plaintext visible on the wire");
	if (ret == 0)
		printf("  wire: one application_data record, %zu bytes, no plaintext\n",
		       record_len);
	pair_close(&pair);
	return ret;
}

static int expect_ok(void)
{
	size_t i;

	for (i = 0; i < sizeof(cipher_cases) / sizeof(cipher_cases[0]); i++) {
		const struct cipher_case *cc = &cipher_cases[i];

		printf("%s:\n", cc->name);
		if (duplex_check(cc) < 0 || wire_check(cc) < 0) {
			fprintf(stderr, "ulp_probe: %s: FAILED\n", cc->name);
			return 1;
		}
	}
	printf("kTLS works for all %zu cipher configurations\n", i);
	return 0;
}

static int expect_enoent(void)
{
	struct sock_pair pair;
	int ret = pair_open(&pair);

	if (ret < 0)
		return 1;
	ret = setsockopt(pair.client, IPPROTO_TCP, TCP_ULP, "tls", 3);
	if (ret == 0) {
		printf("setsockopt(TCP_ULP, \"tls\") succeeded: this kernel has kTLS\n");
		ret = 1;
	} else if (errno == ENOENT) {
		printf("setsockopt(TCP_ULP, \"tls\") fails with ENOENT: "
		       "this kernel has no kTLS, as expected\n");
		ret = 0;
	} else {
		call_fail("setsockopt(TCP_ULP, \"tls\") (expected ENOENT)");
		ret = 1;
	}
	pair_close(&pair);
	return ret;
}

int main(int argc, char **argv)
{
	struct utsname uts;

	if (argc != 2) {
		fprintf(stderr, "usage: %s expect-ok|expect-enoent\n", argv[0]);
		return 2;
	}
	/* keep stdout and stderr in order when both go to one log */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (uname(&uts) == 0)
		printf("kernel %s %s\n", uts.sysname, uts.release);
	if (strcmp(argv[1], "expect-ok") == 0)
		return expect_ok();
	if (strcmp(argv[1], "expect-enoent") == 0)
		return expect_enoent();
	fprintf(stderr, "ulp_probe: unknown mode '%s'\n", argv[1]);
	return 2;
}
