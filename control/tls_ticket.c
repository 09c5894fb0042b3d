/*
 * Session ticket keys, shared by every server context so a ticket opens
 * whatever profile the SNI picks. Generated keys rotate on a schedule with
 * the previous one still accepted; keys from a file (80 bytes each, as
 * nginx's ssl_session_ticket_key) let several daemons resume each other's
 * sessions, and change when the operator rewrites the file and reloads.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "log.h"
#include "tls.h"

static int
tickets_generate(struct ticket_key *k)
{
	return RAND_bytes((unsigned char *)k, sizeof(*k)) == 1 ? 0 : -1;
}

static int
tickets_read_file(struct tls_tickets *tk, const char *file, char *err,
    size_t len)
{
	unsigned char	buf[TICKET_KEY_LEN * TICKET_KEYS_MAX + 1];
	struct stat	st;
	ssize_t		n;
	int		fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, len, "%s: %s", file, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) {
		close(fd);
		snprintf(err, len, "%s: ticket keys readable by group or others "
		    "are refused (chmod 600)", file);
		return -EPERM;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0 || n % TICKET_KEY_LEN != 0 || n > TICKET_KEY_LEN * TICKET_KEYS_MAX) {
		OPENSSL_cleanse(buf, sizeof(buf));
		snprintf(err, len, "%s: must hold 1 to %d keys of %d bytes each "
		    "(e.g. openssl rand 80 > %s)", file, TICKET_KEYS_MAX,
		    TICKET_KEY_LEN, file);
		return -EINVAL;
	}
	tk->n = (size_t)n / TICKET_KEY_LEN;
	for (size_t i = 0; i < tk->n; i++) {
		const unsigned char *p = buf + i * TICKET_KEY_LEN;

		memcpy(tk->keys[i].name, p, 16);
		memcpy(tk->keys[i].hmac, p + 16, 32);
		memcpy(tk->keys[i].aes, p + 48, 32);
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

/* file NULL or "": one generated key, rotated by tls_tickets_rotate(). */
int
tls_tickets_init(struct tls_tickets *tk, const char *file, char *err, size_t len)
{
	struct tls_tickets	next = { .n = 0 };
	int			rc;

	if (file != NULL && file[0] != '\0') {
		if ((rc = tickets_read_file(&next, file, err, len)) != 0)
			return rc;
		snprintf(next.file, sizeof(next.file), "%s", file);
	} else if (tickets_generate(&next.keys[0]) == 0)
		next.n = 1;
	else {
		snprintf(err, len, "no random bytes for a session ticket key");
		return -EIO;
	}
	tls_tickets_wipe(tk);
	*tk = next;
	OPENSSL_cleanse(&next, sizeof(next));
	return 0;
}

/* The new key encrypts from now on; the one it replaces still decrypts. */
void
tls_tickets_rotate(struct tls_tickets *tk)
{
	struct ticket_key	k;

	if (tk->file[0] != '\0' || tk->n == 0 || tickets_generate(&k) == -1)
		return;
	tk->keys[1] = tk->keys[0];
	tk->keys[0] = k;
	tk->n = 2;
	OPENSSL_cleanse(&k, sizeof(k));
	log_info("session ticket key rotated");
}

void
tls_tickets_wipe(struct tls_tickets *tk)
{
	OPENSSL_cleanse(tk, sizeof(*tk));
}

static int
ticket_mac(EVP_MAC_CTX *hctx, const struct ticket_key *k)
{
	OSSL_PARAM	params[] = {
		OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY,
		    (void *)k->hmac, sizeof(k->hmac)),
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
		    (char *)"SHA256", 0),
		OSSL_PARAM_construct_end()
	};

	return EVP_MAC_CTX_set_params(hctx, params) == 1 ? 0 : -1;
}

/*
 * OpenSSL's ticket key callback contract: 1 = done; on decryption 2 = done,
 * and issue a fresh ticket under the current key; 0 = unknown key (a full
 * handshake follows); -1 = error.
 */
int
tls_ticket_crypt(const struct tls_tickets *tk, unsigned char *name,
    unsigned char *iv, EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	const EVP_CIPHER	*aes = EVP_aes_256_cbc();
	const struct ticket_key	*k = NULL;

	if (tk->n == 0)
		return 0;
	if (enc) {
		k = &tk->keys[0];
		memcpy(name, k->name, sizeof(k->name));
		if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(aes)) != 1 ||
		    EVP_EncryptInit_ex(cctx, aes, NULL, k->aes, iv) != 1 ||
		    ticket_mac(hctx, k) == -1)
			return -1;
		return 1;
	}
	for (size_t i = 0; i < tk->n && k == NULL; i++)
		if (memcmp(name, tk->keys[i].name, sizeof(tk->keys[i].name)) == 0)
			k = &tk->keys[i];
	if (k == NULL)
		return 0;
	if (ticket_mac(hctx, k) == -1 ||
	    EVP_DecryptInit_ex(cctx, aes, NULL, k->aes, iv) != 1)
		return -1;
	return k == &tk->keys[0] ? 1 : 2;
}
