/*
 * Expiry warnings the daemon asks for periodically: once per certificate at
 * 30, 7 and 1 days before notAfter, once when it has expired, and once when
 * it is not valid yet (a clock problem, more often than not).
 */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <openssl/bn.h>

#include "pki.h"

static const struct {
	unsigned	days;
	unsigned	bit;
	unsigned	and_above;	/* reporting 7 days makes 30 moot */
	int		priority;
} thresholds[] = {
	{ 1, PKI_EXPIRY_1, PKI_EXPIRY_1 | PKI_EXPIRY_7 | PKI_EXPIRY_30, LOG_ERR },
	{ 7, PKI_EXPIRY_7, PKI_EXPIRY_7 | PKI_EXPIRY_30, LOG_WARNING },
	{ 30, PKI_EXPIRY_30, PKI_EXPIRY_30, LOG_WARNING },
};

static struct pki_expiry_entry *
entry_get(struct pki_expiry_state *st, const char *tp, const unsigned char fp[32])
{
	struct pki_expiry_entry	*v;
	size_t			 cap;

	for (size_t i = 0; i < st->n; i++)
		if (memcmp(st->v[i].fp, fp, 32) == 0 && strcmp(st->v[i].tp, tp) == 0)
			return &st->v[i];
	if (st->n == st->cap) {
		cap = st->cap ? st->cap * 2 : 8;
		if ((v = realloc(st->v, cap * sizeof(*v))) == NULL)
			return NULL;
		st->v = v;
		st->cap = cap;
	}
	v = &st->v[st->n++];
	memset(v, 0, sizeof(*v));
	snprintf(v->tp, sizeof(v->tp), "%s", tp);
	memcpy(v->fp, fp, 32);
	return v;
}

static void
describe(X509 *x, char *buf, size_t len)
{
	char	 subj[256];
	BIGNUM	*bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char	*hex = bn ? BN_bn2hex(bn) : NULL;

	pki_name_oneline(X509_get_subject_name(x), subj, sizeof(subj));
	snprintf(buf, len, "%s, serial %s", subj, hex ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);
}

static void
say(pki_log_fn log, void *arg, int priority, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
say(pki_log_fn log, void *arg, int priority, const char *fmt, ...)
{
	char	msg[PKI_ERR_MAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log(arg, priority, msg);
}

static const char *
renew_hint(bool ca, const char *tp, char *buf, size_t len)
{
	if (ca)
		snprintf(buf, len, "get the CA's new certificate and run \"crypto "
		    "pki authenticate %s\" again", tp);
	else
		snprintf(buf, len, "run \"crypto pki enroll %s\" and import the new "
		    "certificate", tp);
	return buf;
}

/* Returns 1 when it reported something. */
static int
expiry_one(struct pki_expiry_entry *e, X509 *x, bool ca, time_t now,
    pki_log_fn log, void *arg)
{
	const char		*what = ca ? "CA certificate" : "certificate";
	struct pki_error	 err;
	time_t			 na = pki_asn1_time(X509_get0_notAfter(x));
	long long		 left = (long long)na - now;
	char			 desc[400], when[64], hint[160];

	describe(x, desc, sizeof(desc));
	if (pki_cert_time_check(x, what, e->tp, now, &err) == -ETIME) {
		if (e->fired & PKI_EXPIRY_NOT_YET)
			return 0;
		e->fired |= PKI_EXPIRY_NOT_YET;
		say(log, arg, LOG_ERR, "%s (%s)", err.msg, desc);
		return 1;
	}
	e->fired &= ~PKI_EXPIRY_NOT_YET;
	if (left <= 0) {
		if (e->fired & PKI_EXPIRY_EXPIRED)
			return 0;
		e->fired |= PKI_EXPIRY_EXPIRED;
		say(log, arg, LOG_CRIT, "%s for trustpoint %s (%s) expired on %s: "
		    "%s", what, e->tp, desc, pki_time_format(na, when, sizeof(when)),
		    renew_hint(ca, e->tp, hint, sizeof(hint)));
		return 1;
	}
	for (size_t i = 0; i < sizeof(thresholds) / sizeof(thresholds[0]); i++) {
		if (left > (long long)thresholds[i].days * 86400)
			continue;
		if (e->fired & thresholds[i].bit)
			return 0;
		e->fired |= thresholds[i].and_above;
		say(log, arg, thresholds[i].priority, "%s for trustpoint %s (%s) "
		    "expires in %lld %s, on %s: %s", what, e->tp, desc,
		    left >= 86400 ? left / 86400 : (left + 3599) / 3600,
		    left >= 86400 ? (left >= 2 * 86400 ? "days" : "day") : "hours",
		    pki_time_format(na, when, sizeof(when)),
		    renew_hint(ca, e->tp, hint, sizeof(hint)));
		return 1;
	}
	return 0;
}

static int
expiry_certs(struct pki_expiry_state *st, const char *tp, STACK_OF(X509) *sk,
    bool ca, time_t now, pki_log_fn log, void *arg)
{
	unsigned char	fp[EVP_MAX_MD_SIZE];
	unsigned int	n;
	int		fired = 0;

	for (int i = 0; i < sk_X509_num(sk); i++) {
		struct pki_expiry_entry *e;
		X509 *x = sk_X509_value(sk, i);

		if (!X509_digest(x, EVP_sha256(), fp, &n) ||
		    (e = entry_get(st, tp, fp)) == NULL)
			return -ENOMEM;
		e->seen = true;
		/* the chain after our certificate is the CA's to renew */
		fired += expiry_one(e, x, ca || i > 0, now, log, arg);
	}
	return fired;
}

static void
state_prune(struct pki_expiry_state *st)
{
	size_t	j = 0;

	for (size_t i = 0; i < st->n; i++)
		if (st->v[i].seen)
			st->v[j++] = st->v[i];
	st->n = j;
}

/*
 * Every certificate of the named trustpoints, as loaded now; one without
 * files in the store is passed over. A certificate that is replaced starts
 * afresh; one that is gone is forgotten. Returns how many warnings went to
 * log, or -errno.
 */
int
pki_expiry_check_list(const char *store, const char *const *tps, size_t ntp,
    time_t now, struct pki_expiry_state *st, pki_log_fn log, void *arg)
{
	struct pki_error	 err;
	STACK_OF(X509)		*sk;
	char			 label[PKI_NAME_MAX];
	int			 rc = 0, fired = 0;

	for (size_t i = 0; i < st->n; i++)
		st->v[i].seen = false;
	for (size_t i = 0; i < ntp && rc >= 0; i++) {
		if (!pki_name_valid(tps[i]))
			continue;
		if (pki_trustpoint_cert(store, tps[i], &sk, label, sizeof(label),
		    &err) == 0) {
			rc = expiry_certs(st, tps[i], sk, false, now, log, arg);
			fired += rc > 0 ? rc : 0;
			sk_X509_pop_free(sk, X509_free);
		}
		if (rc >= 0 && pki_trustpoint_cas(store, tps[i], &sk, &err) == 0) {
			rc = expiry_certs(st, tps[i], sk, true, now, log, arg);
			fired += rc > 0 ? rc : 0;
			sk_X509_pop_free(sk, X509_free);
		}
	}
	if (rc < 0)
		return rc;
	state_prune(st);
	return fired;
}

/* Every trustpoint in the store. */
int
pki_expiry_check(const char *store, time_t now, struct pki_expiry_state *st,
    pki_log_fn log, void *arg)
{
	struct pki_error	 err;
	char			 dir[4096], **tps;
	size_t			 ntp;
	int			 rc;

	if ((rc = store_path(dir, sizeof(dir), &err, "%s/%s", store,
	    PKI_DIR_TRUSTPOINTS)) != 0 ||
	    (rc = store_list(dir, NULL, true, &tps, &ntp, &err)) != 0)
		return rc;
	rc = pki_expiry_check_list(store, (const char *const *)tps, ntp, now, st,
	    log, arg);
	store_names_free(tps, ntp);
	return rc;
}

void
pki_expiry_state_free(struct pki_expiry_state *st)
{
	free(st->v);
	memset(st, 0, sizeof(*st));
}
