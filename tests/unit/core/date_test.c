/* date_test.c: calendar arithmetic as domain-rules.md §0 defines it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/date.h"

static struct date d(const char *s)
{
    struct date out = {0};
    assert_int_equal(date_parse(s, &out), 0);
    return out;
}

static void assert_date(struct date x, const char *want)
{
    char buf[11];
    date_format(x, buf);
    assert_string_equal(buf, want);
}

static void add_months_clamps_to_the_last_day_of_the_month(void **state)
{
    (void)state;
    assert_date(date_add_months(d("2020-11-30"), 3), "2021-02-28");   /* §0 example */
    assert_date(date_add_months(d("2020-11-30"), 12), "2021-11-30");
    assert_date(date_add_months(d("2019-12-31"), 2), "2020-02-29");   /* leap year */
    assert_date(date_add_months(d("2021-03-31"), -1), "2021-02-28");
    assert_date(date_add_months(d("2000-05-10"), 216), "2018-05-10"); /* 18th birthday */
}

static void parse_rejects_malformed_and_nonexistent_dates(void **state)
{
    (void)state;
    struct date x;
    const char *bad[] = {"2021-02-29", "2021-13-01", "2021-00-10", "2021-1-01", "21-01-01",
                         "2021-01-32", "2021/01/01", "", "2021-01-01x", "abcd-ef-gh"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(date_parse(bad[i], &x), -1);
    assert_int_equal(date_parse("2000-02-29", &x), 0);
    assert_int_equal(date_parse(NULL, &x), -1);
}

static void day_numbers_round_trip_across_centuries(void **state)
{
    (void)state;
    assert_int_equal(date_to_days(d("1970-01-01")), 0);
    assert_int_equal(date_to_days(d("2000-03-01")) - date_to_days(d("2000-02-28")), 2);
    for (int64_t n = -800000; n < 800000; n += 997)
        assert_int_equal(date_to_days(date_from_days(n)), n);
    assert_date(date_add_days(d("2024-12-31"), 1), "2025-01-01");
}

static void today_in_shanghai_turns_at_16_00_utc(void **state)
{
    (void)state;
    assert_date(date_today_shanghai(1735660799), "2024-12-31");   /* 2024-12-31 15:59:59 UTC */
    assert_date(date_today_shanghai(1735660800), "2025-01-01");   /* 16:00:00 UTC = 00:00 +8 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(add_months_clamps_to_the_last_day_of_the_month),
        cmocka_unit_test(parse_rejects_malformed_and_nonexistent_dates),
        cmocka_unit_test(day_numbers_round_trip_across_centuries),
        cmocka_unit_test(today_in_shanghai_turns_at_16_00_utc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
