/*
 * Send queue accounting: bytes and whole messages across chunk boundaries,
 * short sends, datagram mode, and chunks held for zero-copy notifications.
 */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/sendq.h"

static struct sendq q;

static void
setup_stream(void)
{
	sendq_init(&q, false);
}

static void
teardown(void)
{
	sendq_clear(&q);
}

START_TEST(small_messages_share_a_chunk)
{
	const uint8_t	*p;
	size_t		 n;

	ck_assert_int_eq(sendq_push_message(&q, "abc", 3), 0);
	ck_assert_int_eq(sendq_push_message(&q, "defg", 4), 0);
	ck_assert_uint_eq(q.bytes, 7);
	ck_assert_uint_eq(q.msgs, 2);
	p = sendq_peek(&q, &n);
	ck_assert_uint_eq(n, 7);
	ck_assert_mem_eq(p, "abcdefg", 7);
	ck_assert_ptr_eq(q.head, q.tail);
}
END_TEST

START_TEST(short_send_completes_no_message)
{
	size_t	n;

	sendq_push_message(&q, "hello", 5);
	ck_assert_uint_eq(sendq_consume(&q, 3), 0);
	ck_assert_uint_eq(q.msgs, 1);
	ck_assert_uint_eq(q.bytes, 2);
	ck_assert_mem_eq(sendq_peek(&q, &n), "lo", 2);
	ck_assert_uint_eq(sendq_consume(&q, 2), 1);
	ck_assert_uint_eq(q.msgs, 0);
	ck_assert(sendq_empty(&q));
	ck_assert_ptr_null(q.head);
}
END_TEST

START_TEST(message_spanning_chunks_counts_once)
{
	size_t	 big = SQ_CHUNK_MIN + 100, n, total = 0;
	uint8_t	*m = malloc(big);

	memset(m, 'x', big);
	sendq_push_message(&q, "A", 1);		/* leaves the first chunk almost empty */
	sendq_append(&q, m, big);
	sendq_end_message(&q);
	ck_assert_uint_eq(q.msgs, 2);
	ck_assert_uint_eq(q.bytes, big + 1);
	ck_assert_ptr_ne(q.head, q.tail);
	/* the first chunk carries "A" and the start of the big one */
	sendq_peek(&q, &n);
	ck_assert_uint_eq(n, SQ_CHUNK_MIN);
	ck_assert_uint_eq(sendq_consume(&q, n), 1);
	total += n;
	sendq_peek(&q, &n);
	ck_assert_uint_eq(n, big + 1 - SQ_CHUNK_MIN);
	ck_assert_uint_eq(sendq_consume(&q, n), 1);
	total += n;
	ck_assert_uint_eq(total, big + 1);
	ck_assert_uint_eq(q.msgs, 0);
	ck_assert_uint_eq(q.total_msgs, 2);
	free(m);
}
END_TEST

START_TEST(append_without_end_is_not_a_message)
{
	sendq_append(&q, "\r\n", 2);		/* a keep-alive pong */
	ck_assert_uint_eq(q.msgs, 0);
	ck_assert_uint_eq(q.bytes, 2);
	ck_assert_uint_eq(sendq_consume(&q, 2), 0);
}
END_TEST

/* A burst over several chunks is offered as one gathered send, partly sent. */
START_TEST(gathered_send_spans_chunks)
{
	static uint8_t	 msg[1500];
	struct iovec	 iov[8];
	size_t		 len, total = 0;
	unsigned	 n;

	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(sendq_push_message(&q, msg, sizeof(msg)), 0);
	n = sendq_peek_iov(&q, iov, 8, &len);
	ck_assert_uint_gt(n, 2);
	ck_assert_uint_eq(len, 8 * sizeof(msg));
	for (unsigned i = 0; i < n; i++)
		total += iov[i].iov_len;
	ck_assert_uint_eq(total, len);
	ck_assert_uint_eq(sendq_peek_iov(&q, iov, 2, &len), 2);
	ck_assert_uint_eq(len, iov[0].iov_len + iov[1].iov_len);
	/* a short send ending inside the third chunk: its messages still count */
	ck_assert_uint_eq(sendq_consume(&q, 9 * 1024), 5);
	ck_assert_uint_eq(q.msgs, 3);
	n = sendq_peek_iov(&q, iov, 8, &len);
	ck_assert_uint_eq(len, 8 * sizeof(msg) - 9 * 1024);
	ck_assert_uint_eq(sendq_consume(&q, len), 3);
	ck_assert_uint_eq(sendq_peek_iov(&q, iov, 8, &len), 0);
	ck_assert_uint_eq(len, 0);
}
END_TEST

START_TEST(datagrams_stay_whole)
{
	struct iovec	iov[4];
	size_t		n;

	sendq_clear(&q);
	sendq_init(&q, true);
	sendq_push_message(&q, "one", 3);
	sendq_push_message(&q, "two!", 4);
	ck_assert_ptr_ne(q.head, q.tail);
	/* one datagram per send, never gathered */
	ck_assert_uint_eq(sendq_peek_iov(&q, iov, 4, &n), 1);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(sendq_peek(&q, &n), "one", 3);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(sendq_consume(&q, 3), 1);
	ck_assert_mem_eq(sendq_peek(&q, &n), "two!", 4);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(sendq_consume(&q, 4), 1);
	ck_assert(sendq_empty(&q));
}
END_TEST

START_TEST(zero_copy_chunk_lives_until_notified)
{
	struct sq_chunk	*ch;
	size_t		 n;

	sendq_push_message(&q, "payload", 7);
	ch = sendq_zc_hold(&q);
	ck_assert_ptr_nonnull(ch);
	sendq_peek(&q, &n);
	sendq_consume(&q, n);
	/* sent, but the kernel may still read it */
	ck_assert(sendq_empty(&q));
	ck_assert_ptr_eq(q.zc_wait, ch);
	ck_assert(sendq_zc_pending(&q));
	sendq_zc_release(&q, ch);
	ck_assert_ptr_null(q.zc_wait);
	ck_assert(!sendq_zc_pending(&q));
}
END_TEST

START_TEST(notification_before_completion_keeps_chunk)
{
	struct sq_chunk	*ch;
	size_t		 n;

	sendq_push_message(&q, "payload", 7);
	ch = sendq_zc_hold(&q);
	sendq_consume(&q, 3);			/* short send */
	sendq_zc_release(&q, ch);		/* its notification */
	ck_assert_ptr_eq(q.head, ch);		/* still queued: 4 bytes left */
	ck_assert_mem_eq(sendq_peek(&q, &n), "load", 4);
	ck_assert_uint_eq(sendq_consume(&q, 4), 1);
	ck_assert_ptr_null(q.head);
	ck_assert_ptr_null(q.zc_wait);
}
END_TEST

static Suite *
sendq_suite(void)
{
	Suite	*s = suite_create("dp_sendq");
	TCase	*tc = tcase_create("accounting");

	tcase_add_checked_fixture(tc, setup_stream, teardown);
	tcase_add_test(tc, small_messages_share_a_chunk);
	tcase_add_test(tc, short_send_completes_no_message);
	tcase_add_test(tc, message_spanning_chunks_counts_once);
	tcase_add_test(tc, append_without_end_is_not_a_message);
	tcase_add_test(tc, gathered_send_spans_chunks);
	tcase_add_test(tc, datagrams_stay_whole);
	tcase_add_test(tc, zero_copy_chunk_lives_until_notified);
	tcase_add_test(tc, notification_before_completion_keeps_chunk);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(sendq_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
