/*
 * Life on an offloaded socket: the record type of each recvmsg(), what to do
 * with alerts, tickets and KeyUpdate, sending control records (close_notify),
 * record counting for AES-GCM trunks, and TLS 1.3 rekeying where possible.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "ktls/ktls_int.h"

#define HS_NEW_SESSION_TICKET	4
#define HS_KEY_UPDATE		24
#define HS_HELLO_REQUEST	0
#define ALERT_WARNING		1
#define ALERT_CLOSE_NOTIFY	0
#define ALERT_USER_CANCELED	90

/*
 * The record type of what recvmsg() returned, or a negative errno: with a
 * truncated control area (MSG_CTRUNC) the type is unknown, and a non-data
 * record must arrive whole (MSG_EOR), the rules OpenSSL's receive path
 * adopted after 3.0. No cmsg at all means application data: the kernel
 * fails recvmsg (EIO) rather than return a control record without one.
 */
int
ktls_recv_parse(const struct msghdr *msg)
{
	const struct cmsghdr *cmsg;
	int type = KTLS_RT_DATA;

	if (msg->msg_flags & MSG_CTRUNC)
		return -EMSGSIZE;
	for (cmsg = CMSG_FIRSTHDR((struct msghdr *)(uintptr_t)msg); cmsg != NULL;
	    cmsg = CMSG_NXTHDR((struct msghdr *)(uintptr_t)msg,
	    (struct cmsghdr *)(uintptr_t)cmsg)) {
		if (cmsg->cmsg_level != SOL_TLS ||
		    cmsg->cmsg_type != TLS_GET_RECORD_TYPE)
			continue;
		if (cmsg->cmsg_len != CMSG_LEN(sizeof(unsigned char)))
			return -EPROTO;
		type = *(const unsigned char *)CMSG_DATA(cmsg);
	}
	if (type != KTLS_RT_DATA && !(msg->msg_flags & MSG_EOR))
		return -EMSGSIZE;
	return type;
}

const char *
ktls_alert_name(uint8_t desc)
{
	return SSL_alert_desc_string_long(desc);
}

const char *
ktls_event_name(enum ktls_event ev)
{
	static const char *const names[KTLS_EV_COUNT] = {
		[KTLS_EV_DATA] = "data",
		[KTLS_EV_CLOSE_NOTIFY] = "close_notify",
		[KTLS_EV_ALERT] = "alert",
		[KTLS_EV_TICKET_DROPPED] = "ticket dropped",
		[KTLS_EV_KEYUPDATE_CLOSE] = "KeyUpdate close",
		[KTLS_EV_KEYUPDATE_DONE] = "KeyUpdate rekeyed",
		[KTLS_EV_PROTOCOL] = "protocol error",
	};

	return ev < KTLS_EV_COUNT ? names[ev] : "?";
}

void
ktls_counters_add(struct ktls_counters *kc, enum ktls_event ev)
{
	if (ev < KTLS_EV_COUNT)
		kc->kc_events[ev]++;
}

static int
control_set(struct ktls_control *ctl, enum ktls_event ev, bool close,
    const char *what)
{
	ctl->kc_event = ev;
	ctl->kc_close = close;
	snprintf(ctl->kc_what, sizeof(ctl->kc_what), "%s", what);
	return 0;
}

static int
alert_handle(const uint8_t *buf, size_t len, struct ktls_control *ctl)
{
	if (len != 2)
		return control_set(ctl, KTLS_EV_PROTOCOL, true, "malformed alert");
	ctl->kc_alert = buf[1];
	if (buf[1] == ALERT_CLOSE_NOTIFY)
		return control_set(ctl, KTLS_EV_CLOSE_NOTIFY, true,
		    "close_notify from peer");
	/* user_canceled is a warning followed by close_notify; anything
	 * else ends the connection (RFC 8446 6) */
	control_set(ctl, KTLS_EV_ALERT, !(buf[0] == ALERT_WARNING &&
	    buf[1] == ALERT_USER_CANCELED), "");
	snprintf(ctl->kc_what, sizeof(ctl->kc_what), "%s alert from peer: %s",
	    buf[0] == ALERT_WARNING ? "warning" : "fatal",
	    SSL_alert_desc_string_long(buf[1]));
	return 0;
}

static int
keyupdate_handle(int fd, const uint8_t *body, size_t len,
    struct ktls_keys *keys, struct ktls_control *ctl)
{
	static const uint8_t our_update[] = { HS_KEY_UPDATE, 0, 0, 1, 0 };
	int ret;

	if (len != 1 || body[0] > 1)
		return control_set(ctl, KTLS_EV_PROTOCOL, true,
		    "malformed KeyUpdate");
	if (keys == NULL)
		return control_set(ctl, KTLS_EV_KEYUPDATE_CLOSE, true,
		    "peer KeyUpdate: kernel cannot rekey (Linux < 6.14), "
		    "closing so the peer reconnects");
	if ((ret = ktls_rekey_rx(fd, keys)) < 0)
		return control_set(ctl, KTLS_EV_KEYUPDATE_CLOSE, true,
		    "peer KeyUpdate: installing the new RX key failed");
	/* update_requested: answer under the old key, then switch TX */
	if (body[0] == 1 && (ktls_send_control(fd, KTLS_RT_HANDSHAKE, our_update,
	    sizeof(our_update)) < 0 || ktls_rekey_tx(fd, keys) < 0))
		return control_set(ctl, KTLS_EV_KEYUPDATE_CLOSE, true,
		    "peer KeyUpdate: updating our TX key failed");
	return control_set(ctl, KTLS_EV_KEYUPDATE_DONE, false,
	    body[0] ? "peer KeyUpdate: both keys updated" :
	    "peer KeyUpdate: RX key updated");
}

/* A handshake record may carry several messages; one spanning two
 * records is not worth reassembling here (NewSessionTickets and KeyUpdate
 * are small), so it closes the connection. */
static int
handshake_handle(int fd, const uint8_t *buf, size_t len,
    struct ktls_keys *keys, struct ktls_control *ctl)
{
	size_t off = 0;

	control_set(ctl, KTLS_EV_PROTOCOL, true, "empty handshake record");
	while (off < len) {
		size_t mlen;

		if (len - off < 4)
			return control_set(ctl, KTLS_EV_PROTOCOL, true,
			    "fragmented handshake message");
		mlen = (size_t)buf[off + 1] << 16 | (size_t)buf[off + 2] << 8 |
		    buf[off + 3];
		if (mlen > len - off - 4)
			return control_set(ctl, KTLS_EV_PROTOCOL, true,
			    "fragmented handshake message");
		switch (buf[off]) {
		case HS_NEW_SESSION_TICKET:
			control_set(ctl, KTLS_EV_TICKET_DROPPED, false,
			    "NewSessionTicket dropped (no resumption after offload)");
			break;
		case HS_KEY_UPDATE:
			return keyupdate_handle(fd, buf + off + 4, mlen, keys, ctl);
		case HS_HELLO_REQUEST:
			return control_set(ctl, KTLS_EV_PROTOCOL, true,
			    "peer asked to renegotiate: not possible with kTLS");
		default:
			return control_set(ctl, KTLS_EV_PROTOCOL, true,
			    "unexpected post-handshake message");
		}
		off += 4 + mlen;
	}
	return 0;
}

/*
 * Decides what a non-data record means for the connection. keys is NULL on
 * kernels that cannot rekey (then a KeyUpdate closes the connection, logged
 * and counted, and the peer reconnects). Always fills *ctl; kc_close tells
 * the caller to close (after ktls_send_close_notify() for an orderly one).
 */
int
ktls_control_handle(int fd, uint8_t type, const uint8_t *buf, size_t len,
    struct ktls_keys *keys, struct ktls_control *ctl)
{
	memset(ctl, 0, sizeof(*ctl));
	switch (type) {
	case KTLS_RT_DATA:
		return control_set(ctl, KTLS_EV_DATA, false, "data");
	case KTLS_RT_ALERT:
		return alert_handle(buf, len, ctl);
	case KTLS_RT_HANDSHAKE:
		return handshake_handle(fd, buf, len, keys, ctl);
	default:
		control_set(ctl, KTLS_EV_PROTOCOL, true, "");
		snprintf(ctl->kc_what, sizeof(ctl->kc_what),
		    "unexpected record type %u", type);
		return 0;
	}
}

/* One record of the given type: sendmsg with a TLS_SET_RECORD_TYPE cmsg. */
ssize_t
ktls_send_control(int fd, uint8_t type, const void *data, size_t len)
{
	union {
		char		buf[CMSG_SPACE(sizeof(unsigned char))];
		struct cmsghdr	align;
	} control;
	struct iovec iov = { .iov_base = (void *)(uintptr_t)data, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = control.buf, .msg_controllen = sizeof(control.buf) };
	struct cmsghdr *cmsg;
	ssize_t n;

	memset(&control, 0, sizeof(control));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_TLS;
	cmsg->cmsg_type = TLS_SET_RECORD_TYPE;
	cmsg->cmsg_len = CMSG_LEN(sizeof(unsigned char));
	*CMSG_DATA(cmsg) = type;
	n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	return n < 0 ? -errno : n;
}

int
ktls_send_alert(int fd, uint8_t desc)
{
	uint8_t alert[2] = { 2, desc };	/* fatal */
	ssize_t n;

	if (desc == ALERT_CLOSE_NOTIFY)
		alert[0] = ALERT_WARNING;
	n = ktls_send_control(fd, KTLS_RT_ALERT, alert, sizeof(alert));
	return n < 0 ? (int)n : 0;
}

int
ktls_send_close_notify(int fd)
{
	return ktls_send_alert(fd, ALERT_CLOSE_NOTIFY);
}

/* The kernel's next record number for a direction. The kernel wants the
 * exact struct size (or just the header, to learn the cipher first), and it
 * hands back the whole crypto_info, keys included: wipe it. */
static int
records_get(int fd, int dir, uint64_t *out)
{
	const struct ktls_cipher_spec *cs = NULL;
	union ktls_crypto_info ci;
	socklen_t len = sizeof(ci.info);
	const unsigned char *seq;
	int c, i, ret = 0;

	*out = 0;
	memset(&ci, 0, sizeof(ci));
	if (getsockopt(fd, SOL_TLS, dir, &ci, &len) < 0)
		return -errno;
	for (c = 0; c < KTLS_CIPHER_COUNT; c++)
		if (ktls_cipher_spec(c)->cs_kernel == ci.info.cipher_type)
			cs = ktls_cipher_spec(c);
	if (cs == NULL)
		return -EPROTONOSUPPORT;
	len = cs->cs_info_len;
	if (getsockopt(fd, SOL_TLS, dir, &ci, &len) < 0)
		ret = -errno;
	switch (cs->cs_id) {
	case KTLS_CIPHER_AES_128_GCM:	seq = ci.gcm128.rec_seq; break;
	case KTLS_CIPHER_AES_256_GCM:	seq = ci.gcm256.rec_seq; break;
	case KTLS_CIPHER_AES_128_CCM:	seq = ci.ccm128.rec_seq; break;
	default:			seq = ci.chacha.rec_seq; break;
	}
	for (i = 0; ret == 0 && i < 8; i++)
		*out = *out << 8 | seq[i];
	OPENSSL_cleanse(&ci, sizeof(ci));
	return ret;
}

int
ktls_tx_records(int fd, uint64_t *out)
{
	return records_get(fd, TLS_TX, out);
}

int
ktls_rx_records(int fd, uint64_t *out)
{
	return records_get(fd, TLS_RX, out);
}

/*
 * Records one key may protect before the connection should be replaced.
 * RFC 8446 5.5 allows AES-GCM 2^24.5 full-size records per key; recycling at
 * 2^24 leaves about seven million records for the replacement to come up.
 * CCM gets the same budget. ChaCha20-Poly1305 has no practical limit: the
 * 64-bit record number is the bound.
 */
uint64_t
ktls_record_limit(enum ktls_cipher c)
{
	switch (c) {
	case KTLS_CIPHER_AES_128_GCM:
	case KTLS_CIPHER_AES_256_GCM:
	case KTLS_CIPHER_AES_128_CCM:
		return UINT64_C(1) << 24;
	default:
		return UINT64_C(1) << 62;
	}
}

/* True when a long-lived connection (a trunk) should be re-established
 * because its TX key has protected enough records (ktls_tx_records()). */
bool
ktls_trunk_recycle(enum ktls_cipher c, uint64_t records)
{
	return records >= ktls_record_limit(c);
}

/* TLS 1.3 KeyUpdate: next secret, its key and IV, record number 0. Only
 * kernels >= 6.14 accept a second TLS_TX/TLS_RX (older: EBUSY). */
static int
rekey(int fd, int dir, struct ktls_keys *kk)
{
	const struct ktls_cipher_spec *cs = ktls_cipher_spec(kk->kk_cipher);
	uint8_t *secret = dir == TLS_TX ? kk->kk_tx_secret : kk->kk_rx_secret;
	const char *md = ktls_secret_digest(kk->kk_secret_len);
	uint8_t next[KTLS_SECRET_MAX], key[32], iv[KTLS_IV_LEN];
	union ktls_crypto_info ci;
	int ret;

	if (cs == NULL)
		return -EINVAL;
	ret = ktls_tls13_secret_update(md, secret, kk->kk_secret_len, next);
	if (ret == 0)
		ret = ktls_tls13_key_iv(md, next, kk->kk_secret_len, key,
		    cs->cs_key_len, iv);
	if (ret == 0)
		ret = ktls_crypto_set(fd, dir, &ci, ktls_crypto_fill(&ci,
		    TLS_1_3_VERSION, kk->kk_cipher, key, iv, 0));
	if (ret == 0)
		memcpy(secret, next, kk->kk_secret_len);
	OPENSSL_cleanse(next, sizeof(next));
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(iv, sizeof(iv));
	return ret;
}

int
ktls_rekey_rx(int fd, struct ktls_keys *kk)
{
	return rekey(fd, TLS_RX, kk);
}

int
ktls_rekey_tx(int fd, struct ktls_keys *kk)
{
	return rekey(fd, TLS_TX, kk);
}
