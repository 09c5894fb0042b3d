/*
 * PROXY v2 encoding: the exact bytes for IPv4, the TLV layout documented in
 * dataplane/proxy_v2.c, IPv6, UNSPEC for mixed families, client flags for
 * fresh and resumed sessions, and refusal of a buffer that is too small.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <string.h>

#include "dataplane/proxy_v2.h"

static struct sockaddr_storage	src, dst;
static uint8_t			buf[PP2_MAX_LEN];

static void
v4(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in	*s = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin_family = AF_INET;
	s->sin_port = htons(port);
	inet_pton(AF_INET, ip, &s->sin_addr);
}

static void
v6(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in6	*s = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin6_family = AF_INET6;
	s->sin6_port = htons(port);
	inet_pton(AF_INET6, ip, &s->sin6_addr);
}

/* Finds TLV type at the top level (or inside SSL when in_ssl); NULL if absent. */
static const uint8_t *
tlv_find(const uint8_t *h, size_t len, size_t addrlen, uint8_t type, bool in_ssl,
    size_t *vlen)
{
	size_t	off = PP2_HEADER_LEN + addrlen, end = len;

	if (in_ssl) {
		const uint8_t	*ssl = tlv_find(h, len, addrlen, PP2_TYPE_SSL, false, vlen);

		if (ssl == NULL)
			return NULL;
		off = (size_t)(ssl - h) + 5;
		end = (size_t)(ssl - h) + *vlen;
	}
	while (off + 3 <= end) {
		size_t	n = (size_t)h[off + 1] << 8 | h[off + 2];

		if (h[off] == type) {
			*vlen = n;
			return h + off + 3;
		}
		off += 3 + n;
	}
	return NULL;
}

static struct pp2_facts
facts(void)
{
	struct pp2_facts	f = {
		.src = &src, .dst = &dst, .version = "TLSv1.3",
		.cipher = "TLS_AES_256_GCM_SHA384", .sni = "sbc.example.com",
		.peer_cn = "pbx.example.net", .tenant = 200,
	};

	v4(&src, "192.0.2.10", 40000);
	v4(&dst, "198.51.100.1", 5061);
	return f;
}

START_TEST(ipv4_exact_prefix)
{
	struct pp2_facts	f = facts();
	ssize_t			n = pp2_encode(&f, buf, sizeof(buf));
	static const uint8_t	want[] = {
		'\r', '\n', '\r', '\n', 0, '\r', '\n', 'Q', 'U', 'I', 'T', '\n',
		0x21, 0x11,
	};
	static const uint8_t	addrs[] = {
		192, 0, 2, 10, 198, 51, 100, 1, 0x9c, 0x40, 0x13, 0xc5,
	};

	ck_assert_int_gt(n, 0);
	ck_assert_mem_eq(buf, want, sizeof(want));
	ck_assert_uint_eq((size_t)(buf[14] << 8 | buf[15]), (size_t)n - 16);
	ck_assert_mem_eq(buf + 16, addrs, sizeof(addrs));
}
END_TEST

START_TEST(tlvs_carry_tls_facts)
{
	struct pp2_facts	 f = facts();
	ssize_t			 n = pp2_encode(&f, buf, sizeof(buf));
	const uint8_t		*v;
	size_t			 len;

	ck_assert_int_gt(n, 0);
	v = tlv_find(buf, (size_t)n, 12, PP2_TYPE_AUTHORITY, false, &len);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(len, strlen("sbc.example.com"));
	ck_assert_mem_eq(v, "sbc.example.com", len);
	v = tlv_find(buf, (size_t)n, 12, PP2_TYPE_SSL, false, &len);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(v[0], PP2_CLIENT_SSL | PP2_CLIENT_CERT_CONN | PP2_CLIENT_CERT_SESS);
	ck_assert_mem_eq(v + 1, "\0\0\0\0", 4);		/* verified */
	v = tlv_find(buf, (size_t)n, 12, PP2_SUBTYPE_SSL_VERSION, true, &len);
	ck_assert_ptr_nonnull(v);
	ck_assert_mem_eq(v, "TLSv1.3", len);
	v = tlv_find(buf, (size_t)n, 12, PP2_SUBTYPE_SSL_CIPHER, true, &len);
	ck_assert_ptr_nonnull(v);
	ck_assert_mem_eq(v, "TLS_AES_256_GCM_SHA384", len);
	v = tlv_find(buf, (size_t)n, 12, PP2_SUBTYPE_SSL_CN, true, &len);
	ck_assert_ptr_nonnull(v);
	ck_assert_mem_eq(v, "pbx.example.net", len);
	v = tlv_find(buf, (size_t)n, 12, PP2_TYPE_SIPKTLS_TENANT, false, &len);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(len, 4);
	ck_assert_mem_eq(v, "\0\0\0\xc8", 4);		/* 200 */
}
END_TEST

START_TEST(no_sni_no_certificate)
{
	struct pp2_facts	 f = facts();
	const uint8_t		*v;
	size_t			 len;
	ssize_t			 n;

	f.sni = "";
	f.peer_cn = NULL;
	n = pp2_encode(&f, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_ptr_null(tlv_find(buf, (size_t)n, 12, PP2_TYPE_AUTHORITY, false, &len));
	ck_assert_ptr_null(tlv_find(buf, (size_t)n, 12, PP2_SUBTYPE_SSL_CN, true, &len));
	v = tlv_find(buf, (size_t)n, 12, PP2_TYPE_SSL, false, &len);
	ck_assert_uint_eq(v[0], PP2_CLIENT_SSL);
	ck_assert_mem_eq(v + 1, "\0\0\0\1", 4);
}
END_TEST

START_TEST(resumed_session_certificate)
{
	struct pp2_facts	 f = facts();
	const uint8_t		*v;
	size_t			 len;
	ssize_t			 n;

	f.resumed = true;
	n = pp2_encode(&f, buf, sizeof(buf));
	v = tlv_find(buf, (size_t)n, 12, PP2_TYPE_SSL, false, &len);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(v[0], PP2_CLIENT_SSL | PP2_CLIENT_CERT_SESS);
}
END_TEST

START_TEST(ipv6_addresses)
{
	struct pp2_facts	 f = facts();
	struct in6_addr		 a;
	ssize_t			 n;

	v6(&src, "2001:db8::10", 40000);
	v6(&dst, "2001:db8::1", 5061);
	n = pp2_encode(&f, buf, sizeof(buf));
	ck_assert_int_gt(n, 16 + 36);
	ck_assert_uint_eq(buf[13], PP2_FAM_TCP6);
	inet_pton(AF_INET6, "2001:db8::10", &a);
	ck_assert_mem_eq(buf + 16, &a, 16);
	ck_assert_uint_eq(buf[16 + 32], 0x9c);
	ck_assert_uint_eq(buf[16 + 35], 0xc5);
}
END_TEST

START_TEST(mixed_families_unspec)
{
	struct pp2_facts	 f = facts();
	size_t			 len;
	ssize_t			 n;

	v6(&dst, "2001:db8::1", 5061);
	n = pp2_encode(&f, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(buf[13], PP2_FAM_UNSPEC);
	/* TLVs follow the fixed part directly */
	ck_assert_ptr_nonnull(tlv_find(buf, (size_t)n, 0, PP2_TYPE_AUTHORITY, false, &len));
}
END_TEST

START_TEST(too_small_buffer)
{
	struct pp2_facts	f = facts();
	ssize_t			n = pp2_encode(&f, buf, sizeof(buf));

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(pp2_encode(&f, buf, (size_t)n - 1), -ENOSPC);
	ck_assert_int_eq(pp2_encode(&f, buf, 10), -ENOSPC);
	ck_assert_int_eq(pp2_encode(&f, buf, (size_t)n), n);
}
END_TEST

START_TEST(longest_strings_fit)
{
	struct pp2_facts	f = facts();
	char			sni[256], cn[256], cipher[64];

	memset(sni, 'a', sizeof(sni) - 1);
	memset(cn, 'b', sizeof(cn) - 1);
	memset(cipher, 'c', sizeof(cipher) - 1);
	sni[255] = cn[255] = cipher[63] = '\0';
	f.sni = sni;
	f.peer_cn = cn;
	f.cipher = cipher;
	v6(&src, "2001:db8::10", 1);
	v6(&dst, "2001:db8::1", 2);
	ck_assert_int_gt(pp2_encode(&f, buf, sizeof(buf)), 0);
}
END_TEST

static Suite *
pp2_suite(void)
{
	Suite	*s = suite_create("dp_proxy_v2");
	TCase	*tc = tcase_create("encode");

	tcase_add_test(tc, ipv4_exact_prefix);
	tcase_add_test(tc, tlvs_carry_tls_facts);
	tcase_add_test(tc, no_sni_no_certificate);
	tcase_add_test(tc, resumed_session_certificate);
	tcase_add_test(tc, ipv6_addresses);
	tcase_add_test(tc, mixed_families_unspec);
	tcase_add_test(tc, too_small_buffer);
	tcase_add_test(tc, longest_strings_fit);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(pp2_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
