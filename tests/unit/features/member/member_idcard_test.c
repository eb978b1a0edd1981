/* member_idcard_test.c: 公民身份号码 rules (src/features/member/member_idcard.c), with every
 * vector of domain-rules.md ID-06 and the boundaries of ID-01..ID-05. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/pdata.h"
#include "features/member/member_idcard.h"

static const struct date TODAY = {2026, 11, 23};

static enum member_idcard_result parse(const char *s, struct member_idcard *c)
{
    return member_idcard_parse(s, TODAY, c);
}

static void assert_date(struct date d, int y, int m, int day)
{
    assert_int_equal(d.year, y);
    assert_int_equal(d.month, m);
    assert_int_equal(d.day, day);
}

static void id06_gb11643_sample_is_valid_female_born_1949_12_31(void **state)
{
    (void)state;
    struct member_idcard c;
    assert_int_equal(parse("11010519491231002X", &c), IDCARD_OK);
    assert_string_equal(c.number, "11010519491231002X");
    assert_string_equal(c.region, "110105");
    assert_date(c.birth, 1949, 12, 31);
    assert_int_equal(c.gender, 2);
    assert_false(c.upgraded);
}

static void id06_lower_case_x_is_valid_after_normalisation(void **state)
{
    (void)state;
    struct member_idcard c;
    assert_int_equal(parse("11010519491231002x", &c), IDCARD_OK);
    assert_string_equal(c.number, "11010519491231002X");
    assert_int_equal(parse(" 110105 19491231 002x ", &c), IDCARD_OK);
    assert_string_equal(c.number, "11010519491231002X");
    /* full-width digits and Ｘ, as typed with a Chinese input method */
    assert_int_equal(parse("１１０１０５１９４９１２３１００２Ｘ", &c), IDCARD_OK);
    assert_string_equal(c.number, "11010519491231002X");
}

static void id06_wrong_check_character_reports_the_expected_one(void **state)
{
    (void)state;
    struct member_idcard c;
    assert_int_equal(parse("110105194912310021", &c), IDCARD_CHECK);
    assert_int_equal(c.expected, 'X');
    assert_int_equal(parse("440304200001010010", &c), IDCARD_CHECK);
    assert_int_equal(c.expected, '7');
}

static void id06_valid_vectors_with_gender(void **state)
{
    (void)state;
    static const struct { const char *n; int gender, y, m, d; } ok[] = {
        {"440304200001010017", 1, 2000, 1, 1},
        {"110101198001010010", 1, 1980, 1, 1},    /* check character 0 */
        {"33010619851130242X", 2, 1985, 11, 30},
        {"110101200002290018", 1, 2000, 2, 29},   /* leap year */
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct member_idcard c;
        assert_int_equal(parse(ok[i].n, &c), IDCARD_OK);
        assert_int_equal(c.gender, ok[i].gender);
        assert_date(c.birth, ok[i].y, ok[i].m, ok[i].d);
    }
}

static void id03_nonexistent_dates_are_refused_before_the_check(void **state)
{
    (void)state;
    struct member_idcard c;
    assert_int_equal(parse("11010520010229001X", &c), IDCARD_DATE);   /* 2001 not leap */
    assert_int_equal(parse("110105194902300021", &c), IDCARD_DATE);   /* Feb 30 */
    char n[19];
    member_idcard_make(110105, (struct date){1990, 13, 1}, 1, n);
    assert_int_equal(parse(n, &c), IDCARD_DATE);
    member_idcard_make(110105, (struct date){1990, 4, 31}, 1, n);
    assert_int_equal(parse(n, &c), IDCARD_DATE);
    member_idcard_make(110105, (struct date){1900, 2, 29}, 1, n);    /* century, not leap */
    assert_int_equal(parse(n, &c), IDCARD_DATE);
}

static void id03_birth_today_is_valid_and_tomorrow_is_future(void **state)
{
    (void)state;
    struct member_idcard c;
    char n[19];
    member_idcard_make(440304, TODAY, 11, n);
    assert_int_equal(parse(n, &c), IDCARD_OK);
    member_idcard_make(440304, date_add_days(TODAY, 1), 11, n);
    assert_int_equal(parse(n, &c), IDCARD_FUTURE);
}

static void id05_15_digit_number_upgrades_to_18(void **state)
{
    (void)state;
    struct member_idcard c;
    assert_int_equal(parse("130503670401001", &c), IDCARD_OK);
    assert_true(c.upgraded);
    assert_string_equal(c.number, "130503196704010016");
    assert_string_equal(c.original, "130503670401001");
    assert_int_equal(c.gender, 1);
    assert_date(c.birth, 1967, 4, 1);
    assert_int_equal(parse("130503670230001", &c), IDCARD_DATE);      /* 1967-02-30 */
    assert_int_equal(parse("13050367040100X", &c), IDCARD_CHARS);     /* no check char on 15 */
}

static void id01_length_and_characters(void **state)
{
    (void)state;
    struct member_idcard c;
    assert_int_equal(parse("", &c), IDCARD_LENGTH);
    assert_int_equal(parse("11010519491231002", &c), IDCARD_LENGTH);      /* 17 */
    assert_int_equal(parse("11010519491231002X1", &c), IDCARD_LENGTH);    /* 19 */
    assert_int_equal(parse("1101051949123100X2", &c), IDCARD_CHARS);      /* X not last */
    assert_int_equal(parse("11010519491231002Y", &c), IDCARD_CHARS);
    assert_int_equal(parse("1101051949123100二X", &c), IDCARD_CHARS);     /* a CJK character */
    assert_int_equal(parse("11010519491231002X", &c), IDCARD_OK);
}

static void id02_check_character_maps_every_remainder(void **state)
{
    (void)state;
    /* S mod 11 = 0..10 -> 1 0 X 9 8 7 6 5 4 3 2: a sequence digit of weight 2 (position 17)
     * moves S by 2 each time, so walking it over an odd range visits every remainder. */
    char seen[11] = {0};
    for (int seq = 0; seq < 22; seq++) {
        char n[19];
        member_idcard_make(110101, (struct date){1980, 1, 1}, seq, n);
        struct member_idcard c;
        assert_int_equal(parse(n, &c), IDCARD_OK);
        assert_int_equal(c.gender, seq % 2 == 1 ? 1 : 2);                 /* ID-04 */
        int s = 0;
        static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
        for (int i = 0; i < 17; i++)
            s += (n[i] - '0') * w[i];
        assert_int_equal(n[17], "10X98765432"[s % 11]);
        seen[s % 11] = 1;
    }
    for (int i = 0; i < 11; i++)
        assert_true(seen[i]);
}

static void id03_id04_card_must_match_the_member_record(void **state)
{
    (void)state;
    struct member_idcard c;
    assert_int_equal(parse("33010619851130242X", &c), IDCARD_OK);
    assert_int_equal(member_idcard_matches(&c, (struct date){1985, 11, 30}, 2), IDCARD_OK);
    assert_int_equal(member_idcard_matches(&c, (struct date){1985, 11, 29}, 2),
                     IDCARD_BIRTH_MISMATCH);
    assert_int_equal(member_idcard_matches(&c, (struct date){1985, 11, 30}, 1),
                     IDCARD_GENDER_MISMATCH);
    assert_int_equal(member_idcard_matches(&c, (struct date){1985, 11, 30}, 0), IDCARD_OK);
    assert_int_equal(member_idcard_matches(&c, (struct date){1985, 11, 30}, 9), IDCARD_OK);
}

static void normalised_number_equals_the_blind_index_normalisation(void **state)
{
    (void)state;
    static const char *const inputs[] = {"11010519491231002x", " 110105-19491231-002X ",
                                         "１１０１０５１９４９１２３１００２ｘ"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        struct member_idcard c;
        char norm[PDATA_NORM_MAX];
        assert_int_equal(parse(inputs[i], &c), IDCARD_OK);
        assert_int_equal(pdata_normalise_id_number(inputs[i], norm), 0);
        assert_string_equal(c.number, norm);
    }
}

static void result_keys_name_every_result(void **state)
{
    (void)state;
    assert_string_equal(member_idcard_result_key(IDCARD_OK), "idcard.ok");
    assert_string_equal(member_idcard_result_key(IDCARD_CHECK), "idcard.check");
    assert_string_equal(member_idcard_result_key(IDCARD_GENDER_MISMATCH), "idcard.gender_mismatch");
    assert_string_equal(member_idcard_result_key((enum member_idcard_result)99), "idcard.invalid");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(id06_gb11643_sample_is_valid_female_born_1949_12_31),
        cmocka_unit_test(id06_lower_case_x_is_valid_after_normalisation),
        cmocka_unit_test(id06_wrong_check_character_reports_the_expected_one),
        cmocka_unit_test(id06_valid_vectors_with_gender),
        cmocka_unit_test(id03_nonexistent_dates_are_refused_before_the_check),
        cmocka_unit_test(id03_birth_today_is_valid_and_tomorrow_is_future),
        cmocka_unit_test(id05_15_digit_number_upgrades_to_18),
        cmocka_unit_test(id01_length_and_characters),
        cmocka_unit_test(id02_check_character_maps_every_remainder),
        cmocka_unit_test(id03_id04_card_must_match_the_member_record),
        cmocka_unit_test(normalised_number_equals_the_blind_index_normalisation),
        cmocka_unit_test(result_keys_name_every_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
