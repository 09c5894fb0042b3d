/*
 * The PKI store on disk: its layout, whole-file replacement that survives a
 * crash (temporary file, fsync, rename, fsync of the directory), secrecy
 * checks on key files, and the error buffer every pki/ function fills.
 */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "pki.h"

void
pki_error_set(struct pki_error *err, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* Drains OpenSSL's error queue into the message, so it is said once. */
void
pki_error_openssl(struct pki_error *err, const char *fmt, ...)
{
	const char	*data, *sep = ": ";
	unsigned long	 e;
	size_t		 len;
	va_list		 ap;
	int		 flags;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
		const char *reason = ERR_reason_error_string(e);

		len = strlen(err->msg);
		if (len + 1 >= sizeof(err->msg))
			continue;
		snprintf(err->msg + len, sizeof(err->msg) - len, "%s%s%s%s%s",
		    sep, reason ? reason : "unknown OpenSSL error",
		    (flags & ERR_TXT_STRING) && *data ? " (" : "",
		    (flags & ERR_TXT_STRING) ? data : "",
		    (flags & ERR_TXT_STRING) && *data ? ")" : "");
		sep = "; ";
	}
}

/* Context goes in front: "import into trustpoint X refused: " + reason. */
void
pki_error_prefix(struct pki_error *err, const char *fmt, ...)
{
	char	prefix[PKI_ERR_MAX / 2];
	size_t	plen, size = sizeof(err->msg);
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	plen = strlen(prefix);
	memmove(err->msg + plen, err->msg, size - plen - 1);
	memcpy(err->msg, prefix, plen);
	err->msg[size - 1] = '\0';
}

/* Labels and trustpoint names become file names: no path games. */
bool
pki_name_valid(const char *name)
{
	size_t	len = strlen(name);

	if (len == 0 || len >= PKI_NAME_MAX || name[0] == '.' || name[0] == '-')
		return false;
	for (const char *s = name; *s; s++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._-", *s) == NULL)
			return false;
	return true;
}

int
store_path(char *buf, size_t len, struct pki_error *err, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len) {
		pki_error_set(err, "path too long: %.60s...", buf);
		return -ENAMETOOLONG;
	}
	return 0;
}

/*
 * False only when the name is certainly absent; a store we may not read
 * "exists", so the read that follows reports the real reason.
 */
bool
store_exists(const char *path)
{
	struct stat	st;

	return lstat(path, &st) == 0 || (errno != ENOENT && errno != ENOTDIR);
}

/* Only the store's own levels are made; its parent must exist. */
int
store_mkdir(const char *path, struct pki_error *err)
{
	struct stat	st;
	int		rc;

	if (mkdir(path, 0700) == 0)
		return 0;
	rc = -errno;
	if (rc == -EEXIST) {
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
		pki_error_set(err, "%s exists and is not a directory", path);
		return -ENOTDIR;
	}
	pki_error_set(err, "cannot create directory %s: %s", path, strerror(-rc));
	return rc;
}

int
store_prepare_keys(const char *store, struct pki_error *err)
{
	char	path[4096];
	int	rc;

	if ((rc = store_mkdir(store, err)) != 0 ||
	    (rc = store_path(path, sizeof(path), err, "%s/%s", store,
	    PKI_DIR_KEYS)) != 0)
		return rc;
	return store_mkdir(path, err);
}

int
store_prepare_trustpoint(const char *store, const char *tp, struct pki_error *err)
{
	char	path[4096];
	int	rc;

	if ((rc = store_mkdir(store, err)) != 0)
		return rc;
	if ((rc = store_path(path, sizeof(path), err, "%s/%s", store,
	    PKI_DIR_TRUSTPOINTS)) != 0 || (rc = store_mkdir(path, err)) != 0)
		return rc;
	if ((rc = store_path(path, sizeof(path), err, "%s/%s/%s", store,
	    PKI_DIR_TRUSTPOINTS, tp)) != 0 || (rc = store_mkdir(path, err)) != 0)
		return rc;
	if ((rc = store_path(path, sizeof(path), err, "%s/%s/%s/%s", store,
	    PKI_DIR_TRUSTPOINTS, tp, PKI_DIR_REVOCATION)) != 0)
		return rc;
	return store_mkdir(path, err);
}

static int
dir_sync(const char *dir, struct pki_error *err)
{
	int	fd, rc = 0;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(fd) == -1) {
		rc = -errno;
		pki_error_set(err, "cannot sync directory %s: %s", dir,
		    strerror(-rc));
	}
	if (fd != -1)
		close(fd);
	return rc;
}

static void
path_split(const char *path, char *dir, size_t dirlen, const char **base)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL) {
		snprintf(dir, dirlen, ".");
		*base = path;
	} else {
		snprintf(dir, dirlen, "%.*s", slash == path ? 1 :
		    (int)(slash - path), path);
		*base = slash + 1;
	}
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Readers see either the old file or the new one, never a mix: the data
 * goes to a temporary file in the same directory, is synced, and only then
 * renamed over the old name; the directory is synced so the rename lasts.
 */
int
store_write_atomic(const char *path, const void *buf, size_t len, mode_t mode,
    struct pki_error *err)
{
	char		 dir[4096], tmp[4096 + 16];
	const char	*base;
	int		 fd, rc;

	path_split(path, dir, sizeof(dir), &base);
	if ((rc = store_path(tmp, sizeof(tmp), err, "%s/.%s.XXXXXX", dir,
	    base)) != 0)
		return rc;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		rc = -errno;
		pki_error_set(err, "cannot write %s: %s", path, strerror(-rc));
		return rc;
	}
	if (fchmod(fd, mode) == -1)
		rc = -errno;
	else if ((rc = write_all(fd, buf, len)) == 0 && fsync(fd) == -1)
		rc = -errno;
	if (rc != 0) {
		close(fd);
		goto fail;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		rc = -errno;
		goto fail;
	}
	return dir_sync(dir, err);
fail:
	unlink(tmp);
	pki_error_set(err, "cannot write %s: %s (the old content is unchanged)",
	    path, strerror(-rc));
	return rc;
}

/* relayd's check_file_secrecy: a private key nobody else may read or replace. */
int
store_check_secrecy(const char *path, const struct stat *st, struct pki_error *err)
{
	if (st->st_uid != geteuid()) {
		pki_error_set(err, "refusing to use %s: it is owned by uid %u, "
		    "not by this process (uid %u)", path, (unsigned)st->st_uid,
		    (unsigned)geteuid());
		return -EPERM;
	}
	if (st->st_mode & (S_IRWXG | S_IRWXO)) {
		pki_error_set(err, "refusing to use %s: it is accessible by group "
		    "or others (mode %04o); a private key must be mode 0600 "
		    "(chmod 600 %s)", path, (unsigned)(st->st_mode & 07777), path);
		return -EPERM;
	}
	return 0;
}

void
store_free_secret(char *buf, size_t len)
{
	if (buf == NULL)
		return;
	OPENSSL_cleanse(buf, len);
	free(buf);
}

static int
read_fd(int fd, const char *path, const struct stat *st, char **out,
    size_t *outlen, struct pki_error *err)
{
	char	*buf;
	size_t	 len = 0;
	ssize_t	 n;

	if (st->st_size > PKI_FILE_MAX) {
		pki_error_set(err, "%s is too large (%lld bytes) to be a key or "
		    "certificate file", path, (long long)st->st_size);
		return -EFBIG;
	}
	if ((buf = malloc((size_t)st->st_size + 1)) == NULL) {
		pki_error_set(err, "out of memory reading %s", path);
		return -ENOMEM;
	}
	while (len < (size_t)st->st_size) {
		n = read(fd, buf + len, (size_t)st->st_size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			int rc = n == 0 ? -EIO : -errno;

			pki_error_set(err, "cannot read %s: %s", path,
			    n == 0 ? "file shrank while read" : strerror(-rc));
			store_free_secret(buf, (size_t)st->st_size + 1);
			return rc;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

/*
 * Reads a whole file; secret files must pass the secrecy check on the very
 * file opened (fstat, no symlinks), not on whatever the name points to later.
 */
int
store_read(const char *path, bool secret, char **out, size_t *len,
    struct pki_error *err)
{
	struct stat	st;
	int		fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		rc = -errno;
		pki_error_set(err, "cannot open %s: %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) == -1) {
		rc = -errno;
		pki_error_set(err, "cannot stat %s: %s", path, strerror(-rc));
	} else if (!S_ISREG(st.st_mode)) {
		pki_error_set(err, "%s is not a regular file", path);
		rc = -EINVAL;
	} else if (secret && (rc = store_check_secrecy(path, &st, err)) != 0)
		;
	else
		rc = read_fd(fd, path, &st, out, len, err);
	close(fd);
	return rc;
}

int
store_remove(const char *path, struct pki_error *err)
{
	char		 dir[4096];
	const char	*base;
	int		 rc;

	if (unlink(path) == -1) {
		rc = -errno;
		pki_error_set(err, "cannot remove %s: %s", path, strerror(-rc));
		return rc;
	}
	path_split(path, dir, sizeof(dir), &base);
	return dir_sync(dir, err);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
entry_wanted(const char *dir, const struct dirent *de, const char *suffix,
    bool dirs, size_t *keep)
{
	char		path[4096];
	struct stat	st;
	size_t		len = strlen(de->d_name), slen = suffix ? strlen(suffix) : 0;

	if (de->d_name[0] == '.' || len <= slen ||
	    (slen && strcmp(de->d_name + len - slen, suffix) != 0))
		return false;
	if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
	    (int)sizeof(path) || lstat(path, &st) == -1)
		return false;
	if (dirs ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
		return false;
	*keep = len - slen;
	return true;
}

/*
 * Sorted names in dir (files ending in suffix, which is cut off, or
 * directories), without temporary files. A missing directory is empty.
 */
int
store_list(const char *dir, const char *suffix, bool dirs, char ***names,
    size_t *n, struct pki_error *err)
{
	DIR		*d;
	struct dirent	*de;
	char		**v = NULL, **nv;
	size_t		 nv_len = 0, keep;
	int		 rc;

	*names = NULL;
	*n = 0;
	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		rc = -errno;
		pki_error_set(err, "cannot read directory %s: %s", dir,
		    strerror(-rc));
		return rc;
	}
	while ((de = readdir(d)) != NULL) {
		if (!entry_wanted(dir, de, suffix, dirs, &keep))
			continue;
		if ((nv = realloc(v, (nv_len + 1) * sizeof(*v))) == NULL ||
		    (nv[nv_len] = strndup(de->d_name, keep)) == NULL) {
			v = nv ? nv : v;
			store_names_free(v, nv_len);
			closedir(d);
			pki_error_set(err, "out of memory listing %s", dir);
			return -ENOMEM;
		}
		v = nv;
		nv_len++;
	}
	closedir(d);
	if (nv_len > 1)
		qsort(v, nv_len, sizeof(*v), name_cmp);
	*names = v;
	*n = nv_len;
	return 0;
}

void
store_names_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* "AB:CD:EF" (or without separator), truncated to fit. */
void
pki_hex(const unsigned char *v, size_t n, const char *sep, char *out, size_t len)
{
	size_t	off = 0;

	if (len == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < n && off + 3 + strlen(sep) <= len; i++)
		off += (size_t)snprintf(out + off, len - off, "%s%02X",
		    i ? sep : "", v[i]);
}
