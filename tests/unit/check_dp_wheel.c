/*
 * Timer wheel: deadlines fire once, never early and at most one tick late,
 * across wrap-around and far beyond one turn; cancel and re-arm are O(1).
 */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>

#include "dataplane/wheel.h"

#define TICK	100

struct item {
	struct wheel_node	 n;		/* first: the cast below relies on it */
	int			 fired;
	uint64_t		 when;
};

static struct wheel	w;
static uint64_t		now;

static void
fire(struct wheel_node *n, void *arg)
{
	struct item	*it = (struct item *)n;

	(void)arg;
	it->fired++;
	it->when = now;
}

static void
setup(void)
{
	now = 1000000;
	ck_assert_int_eq(wheel_init(&w, 16, TICK, now), 0);
}

static void
teardown(void)
{
	wheel_free(&w);
}

static void
run_to(uint64_t t)
{
	while (now < t) {
		now += TICK;
		wheel_advance(&w, now, fire, NULL);
	}
}

START_TEST(fires_once_not_early)
{
	struct item	it = { 0 };

	wheel_add(&w, &it.n, now + 550);
	run_to(now + 500);
	ck_assert_int_eq(it.fired, 0);
	run_to(now + 200);
	ck_assert_int_eq(it.fired, 1);
	ck_assert(it.when >= 1000000 + 550 && it.when <= 1000000 + 550 + TICK);
	run_to(now + 5000);
	ck_assert_int_eq(it.fired, 1);
	ck_assert_uint_eq(w.count, 0);
}
END_TEST

START_TEST(beyond_one_turn)
{
	struct item	it = { 0 };
	uint64_t	due = now + 16 * TICK * 3 + 50;	/* three turns of 16 slots */

	wheel_add(&w, &it.n, due);
	run_to(due - TICK);
	ck_assert_int_eq(it.fired, 0);
	run_to(due + TICK);
	ck_assert_int_eq(it.fired, 1);
}
END_TEST

START_TEST(cancel_and_rearm)
{
	struct item	a = { 0 }, b = { 0 };

	wheel_add(&w, &a.n, now + 300);
	wheel_add(&w, &b.n, now + 300);
	wheel_del(&w, &a.n);
	ck_assert(!wheel_armed(&a.n));
	wheel_add(&w, &b.n, now + 900);		/* moved, not duplicated */
	ck_assert_uint_eq(w.count, 1);
	run_to(now + 500);
	ck_assert_int_eq(a.fired + b.fired, 0);
	run_to(now + 600);
	ck_assert_int_eq(a.fired, 0);
	ck_assert_int_eq(b.fired, 1);
}
END_TEST

START_TEST(past_deadline_fires_next_tick)
{
	struct item	it = { 0 };

	wheel_add(&w, &it.n, now - 5000);
	run_to(now + TICK);
	ck_assert_int_eq(it.fired, 1);
}
END_TEST

START_TEST(long_gap_between_ticks)
{
	struct item	v[40] = { 0 };

	for (int i = 0; i < 40; i++)
		wheel_add(&w, &v[i].n, now + (uint64_t)i * 37 + 1);
	now += 100000;			/* the thread was busy: one big step */
	wheel_advance(&w, now, fire, NULL);
	for (int i = 0; i < 40; i++)
		ck_assert_int_eq(v[i].fired, 1);
	ck_assert_uint_eq(w.count, 0);
}
END_TEST

static struct item	rearm_item;

static void
fire_rearm(struct wheel_node *n, void *arg)
{
	struct item	*it = (struct item *)n;

	(void)arg;
	if (++it->fired < 3)
		wheel_add(&w, n, now + 250);	/* an idle check that finds activity */
}

START_TEST(callback_may_rearm)
{
	wheel_add(&w, &rearm_item.n, now + 250);
	for (int i = 0; i < 30; i++) {
		now += TICK;
		wheel_advance(&w, now, fire_rearm, NULL);
	}
	ck_assert_int_eq(rearm_item.fired, 3);
	ck_assert(!wheel_armed(&rearm_item.n));
}
END_TEST

static Suite *
wheel_suite(void)
{
	Suite	*s = suite_create("dp_wheel");
	TCase	*tc = tcase_create("deadlines");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fires_once_not_early);
	tcase_add_test(tc, beyond_one_turn);
	tcase_add_test(tc, cancel_and_rearm);
	tcase_add_test(tc, past_deadline_fires_next_tick);
	tcase_add_test(tc, long_gap_between_ticks);
	tcase_add_test(tc, callback_may_rearm);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(wheel_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
