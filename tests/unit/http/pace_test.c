/* pace_test.c: an event thread yields after `every` requests back to back, and a break starts
 * a new run (decision 0019). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http/pace.h"

/* n requests of 5 µs each, 2 µs apart; returns how many said "yield". */
static int back_to_back(struct pace *p, int64_t *t, int n)
{
    int yields = 0;
    for (int i = 0; i < n; i++) {
        int64_t start = *t + 2;
        *t = start + 5;
        yields += pace_done(p, start, *t);
    }
    return yields;
}

static void yields_once_every_n_requests_in_a_run(void **state)
{
    (void)state;
    struct pace p;
    pace_init(&p, 32);
    int64_t t = 1000000;
    int64_t start = t;
    for (int i = 1; i <= 31; i++) {
        start = t + 2;
        t = start + 5;
        assert_false(pace_done(&p, start, t));
    }
    assert_true(pace_done(&p, t + 2, t + 7));          /* the 32nd */
    t += 7;
    assert_int_equal(back_to_back(&p, &t, 320), 10);    /* and every 32nd after it */
}

static void a_break_starts_a_new_run(void **state)
{
    (void)state;
    struct pace p;
    pace_init(&p, 4);
    int64_t t = 0;
    assert_int_equal(back_to_back(&p, &t, 3), 0);
    t += PACE_GAP_US - 1;                               /* + 2: a gap of PACE_GAP_US + 1 */
    assert_int_equal(back_to_back(&p, &t, 3), 0);       /* 3 + 3, but never 4 in a row */
    t += PACE_GAP_US - 2;                               /* a gap of exactly the limit is no break */
    assert_int_equal(back_to_back(&p, &t, 1), 1);
}

static void long_requests_count_as_one_each(void **state)
{
    (void)state;
    struct pace p;
    pace_init(&p, 2);
    assert_false(pace_done(&p, 0, 30000));              /* a 30 ms subtree */
    assert_true(pace_done(&p, 30003, 30010));
}

static void zero_or_negative_never_yields(void **state)
{
    (void)state;
    struct pace p;
    int64_t t = 0;
    pace_init(&p, 0);
    assert_int_equal(back_to_back(&p, &t, 10000), 0);
    pace_init(&p, -3);
    assert_int_equal(back_to_back(&p, &t, 10000), 0);
}

static void every_one_yields_after_each_request(void **state)
{
    (void)state;
    struct pace p;
    int64_t t = 0;
    pace_init(&p, 1);
    assert_int_equal(back_to_back(&p, &t, 50), 50);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(yields_once_every_n_requests_in_a_run),
        cmocka_unit_test(a_break_starts_a_new_run),
        cmocka_unit_test(long_requests_count_as_one_each),
        cmocka_unit_test(zero_or_negative_never_yields),
        cmocka_unit_test(every_one_yields_after_each_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
