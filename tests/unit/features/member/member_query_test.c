/* member_query_test.c: the member search parameters (src/features/member/member_query.c): what
 * q is taken for (name, ID number per ID-01/ID-05, mobile), age bands and join years as date
 * ranges, sort keys, and one field error per bad parameter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/err.h"
#include "features/member/search/member_query.h"

static const struct date TODAY = {2026, 11, 23};

/* Parameters as "name=value" strings, NULL-terminated. */
static const char *get(void *ctx, const char *name)
{
    const char *const *kv = ctx;
    size_t n = strlen(name);
    for (; *kv != NULL; kv++)
        if (strncmp(*kv, name, n) == 0 && (*kv)[n] == '=')
            return *kv + n + 1;
    return NULL;
}

static int parse(const char *const *kv, struct member_query *q, struct err *e)
{
    struct arena *a = arena_create(0);
    int rc = member_query_parse(q, get, (void *)kv, a, NULL, TODAY, e);
    arena_destroy(a);
    return rc;
}

static void nothing_is_unfiltered_in_tree_order(void **state)
{
    (void)state;
    const char *kv[] = {NULL};
    struct member_query q;
    struct err e = ERR_INIT;
    assert_int_equal(parse(kv, &q, &e), 0);
    assert_true(member_query_unfiltered(&q));
    assert_int_equal(q.sort, MEMBER_SORT_ORG);
    assert_false(q.desc);
}

static void id01_q_of_18_characters_is_an_id_number_lookup(void **state)
{
    (void)state;
    const char *kv[] = {"q=11010519491231002x", NULL};
    struct member_query q;
    struct err e = ERR_INIT;
    assert_int_equal(parse(kv, &q, &e), 0);
    assert_true(q.by_id_number);
    assert_null(q.name_like);
    assert_false(member_query_unfiltered(&q));
}

static void id02_a_wrong_check_character_is_still_a_lookup_not_an_error(void **state)
{
    (void)state;
    const char *kv[] = {"q=110105194912310021", NULL};
    struct member_query q;
    struct err e = ERR_INIT;
    assert_int_equal(parse(kv, &q, &e), 0);
    assert_true(q.by_id_number);
}

static void id05_q_of_15_digits_is_upgraded_then_looked_up(void **state)
{
    (void)state;
    const char *ok[] = {"q=110105491231002", NULL};
    const char *bad_date[] = {"q=110105491331002", NULL};
    struct member_query q;
    struct err e = ERR_INIT;
    assert_int_equal(parse(ok, &q, &e), 0);
    assert_true(q.by_id_number);
    assert_int_equal(parse(bad_date, &q, &e), 0);
    assert_false(q.by_id_number);       /* not a number that can exist: a name search */
}

static void q_of_a_mobile_number_is_a_phone_lookup(void **state)
{
    (void)state;
    const char *kv[] = {"q=+86 138-1234-5678", NULL};
    const char *short_[] = {"q=1381234567", NULL};
    struct member_query q;
    struct err e = ERR_INIT;
    assert_int_equal(parse(kv, &q, &e), 0);
    assert_true(q.by_phone);
    assert_int_equal(parse(short_, &q, &e), 0);
    assert_false(q.by_phone);
    assert_string_equal(q.name_like, "1381234567");
}

static void q_with_match_prefix_is_a_name_prefix(void **state)
{
    (void)state;
    const char *kv[] = {"q=王", "match=prefix", NULL};
    struct member_query q;
    struct err e = ERR_INIT;
    assert_int_equal(parse(kv, &q, &e), 0);
    assert_string_equal(q.name_prefix, "王");
    assert_null(q.name_like);
}

static void age_band_is_a_birth_date_range_from_today(void **state)
{
    (void)state;
    const char *kv[] = {"age_min=30", "age_max=40", NULL};
    struct member_query q;
    struct err e = ERR_INIT;
    assert_int_equal(parse(kv, &q, &e), 0);
    /* 30 today: born on or before 1996-11-23; at most 40: born after 1985-11-23 */
    assert_string_equal(q.born_until, "1996-11-23");
    assert_string_equal(q.born_after, "1985-11-23");
}

static void join_years_are_a_date_range(void **state)
{
    (void)state;
    const char *kv[] = {"joined_from=2001", "joined_to=2005", NULL};
    struct member_query q;
    struct err e = ERR_INIT;
    assert_int_equal(parse(kv, &q, &e), 0);
    assert_string_equal(q.joined_from, "2001-01-01");
    assert_string_equal(q.joined_before, "2006-01-01");
}

static void sort_keys_and_direction(void **state)
{
    (void)state;
    const char *kv[] = {"sort=-joined_on", NULL};
    struct member_query q;
    struct err e = ERR_INIT;
    assert_int_equal(parse(kv, &q, &e), 0);
    assert_int_equal(q.sort, MEMBER_SORT_JOINED);
    assert_true(q.desc);
}

static void every_bad_parameter_is_named(void **state)
{
    (void)state;
    const char *kv[] = {"sort=salary", "status=deceased", "gender=x", "age_min=200",
                        "joined_from=1900", "education=A-1", "org_id=0", NULL};
    struct member_query q;
    struct err e = ERR_INIT;
    assert_int_equal(parse(kv, &q, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    const char *want[] = {"org_id", "status", "gender", "age_min", "joined_from", "education",
                          "sort"};
    assert_int_equal(e.nfields, 7);
    for (size_t i = 0; i < 7; i++) {
        bool found = false;
        for (int f = 0; f < e.nfields; f++)
            found = found || strcmp(e.fields[f].name, want[i]) == 0;
        assert_true(found);
    }
}

static void a_band_upside_down_is_an_error_on_its_upper_bound(void **state)
{
    (void)state;
    const char *kv[] = {"age_min=50", "age_max=40", NULL};
    struct member_query q;
    struct err e = ERR_INIT;
    assert_int_equal(parse(kv, &q, &e), -1);
    assert_string_equal(e.fields[0].name, "age_max");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nothing_is_unfiltered_in_tree_order),
        cmocka_unit_test(id01_q_of_18_characters_is_an_id_number_lookup),
        cmocka_unit_test(id02_a_wrong_check_character_is_still_a_lookup_not_an_error),
        cmocka_unit_test(id05_q_of_15_digits_is_upgraded_then_looked_up),
        cmocka_unit_test(q_of_a_mobile_number_is_a_phone_lookup),
        cmocka_unit_test(q_with_match_prefix_is_a_name_prefix),
        cmocka_unit_test(age_band_is_a_birth_date_range_from_today),
        cmocka_unit_test(join_years_are_a_date_range),
        cmocka_unit_test(sort_keys_and_direction),
        cmocka_unit_test(every_bad_parameter_is_named),
        cmocka_unit_test(a_band_upside_down_is_an_error_on_its_upper_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
