/* member_rules_test.c: the member record's rules (src/features/member/member_rules.c) with the
 * vectors of domain-rules.md ID-06, the DEV-16 rows that apply to a record (DEV-01, DEV-15),
 * ID-07, ID-08, DEV-13, CODE-05/06, DISC-04 and the platform's REC-01..03. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "features/member/member_rules.h"

static const struct date TODAY = {2026, 11, 23};

/* The codes of migration 0004 that the tests use. */
static bool code_ok(void *ctx, const char *kind, const char *code)
{
    (void)ctx;
    static const char *const KNOWN[][2] = {
        {"gender", "0"}, {"gender", "1"}, {"gender", "2"}, {"gender", "9"},
        {"ethnicity", "01"}, {"ethnicity", "03"}, {"education", "21"}, {"education", "10"},
        {"category", "full"}, {"category", "probationary"},
        {"member_status", "normal"}, {"member_status", "lost_contact"},
        {"member_status", "deceased"}, {"member_status", "transferred_out"},
        {"party_post", "secretary"}, {"reward", "commendation"}, {"punishment", "warning"},
        {"punishment", "probation"},
    };
    for (size_t i = 0; i < sizeof KNOWN / sizeof KNOWN[0]; i++)
        if (strcmp(KNOWN[i][0], kind) == 0 && strcmp(KNOWN[i][1], code) == 0)
            return true;
    return false;
}

/* A valid full member born 2000-05-10 (DEV-16's birth date), female, ID consistent. */
static struct member_record base(void)
{
    return (struct member_record){
        .org_id = 7, .name = "张晓红", .gender = "2", .ethnicity = "01", .education = "21",
        .category = "full", .status = "normal", .birth_date = "2000-05-10",
        .applied_on = "2019-03-01", .activist_on = "2019-09-01", .candidate_on = "2020-09-01",
        .joined_on = "2020-11-15", .full_on = "2021-11-15",
        .id_number = "110101200005100021", .phone = "13812345678",
    };
}

static struct member_rule_config cfg;

static int setup(void **state)
{
    (void)state;
    return member_rules_config_init(&cfg, NULL);
}

static int teardown(void **state)
{
    (void)state;
    member_rules_config_fini(&cfg);
    return 0;
}

static struct member_check check(const struct member_record *r)
{
    struct member_check c;
    member_rules_check(r, &cfg, TODAY, code_ok, NULL, &c);
    return c;
}

/* The rule reported on field, or NULL. */
static const char *rule_on(const struct member_check *c, const char *field)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->v[i].field, field) == 0)
            return c->v[i].rule;
    return NULL;
}

static void assert_only(const struct member_check *c, const char *field, const char *rule)
{
    if (c->n != 1 || strcmp(c->v[0].field, field) != 0 || strcmp(c->v[0].rule, rule) != 0) {
        for (int i = 0; i < c->n; i++)
            print_message("  %s %s %s\n", c->v[i].field, c->v[i].rule, c->v[i].key);
        fail_msg("expected only %s on %s, got %d violations", rule, field, c->n);
    }
}

static void valid_record_has_no_violation(void **state)
{
    (void)state;
    struct member_record r = base();
    struct member_check c = check(&r);
    assert_int_equal(c.n, 0);
    assert_string_equal(c.id_number, "110101200005100021");
    assert_string_equal(c.phone, "13812345678");
    assert_int_equal(c.gender, 2);
}

static void id06_gb11643_sample_is_accepted_with_its_birth_and_gender(void **state)
{
    (void)state;
    struct member_record r = base();
    r.id_number = "11010519491231002x";
    r.birth_date = "";
    r.gender = "";
    r.applied_on = r.activist_on = r.candidate_on = "";
    r.joined_on = "1970-01-01";
    r.full_on = "1971-01-01";
    struct member_check c = check(&r);
    assert_int_equal(c.n, 0);
    assert_string_equal(c.id_number, "11010519491231002X");
    assert_string_equal(c.birth_date, "1949-12-31");           /* ID-03 derived */
    assert_int_equal(c.gender, 2);                             /* ID-04 derived */
}

static void id02_wrong_check_character_is_named_on_id_number(void **state)
{
    (void)state;
    struct member_record r = base();
    r.id_number = "110105194912310021";                          /* ID-06: expected X */
    struct member_check c = check(&r);
    assert_string_equal(rule_on(&c, "id_number"), "ID-02");
    r.id_number = "440304200001010010";                          /* ID-06: expected 7 */
    c = check(&r);
    assert_string_equal(rule_on(&c, "id_number"), "ID-02");
}

static void id01_wrong_length_or_letters_are_named_on_id_number(void **state)
{
    (void)state;
    struct member_record r = base();
    r.id_number = "1101051949123100";
    struct member_check c = check(&r);
    assert_only(&c, "id_number", "ID-01");
    r.id_number = "11010519491231A02X";
    c = check(&r);
    assert_only(&c, "id_number", "ID-01");
}

static void id03_nonexistent_birth_date_in_the_id_is_refused(void **state)
{
    (void)state;
    struct member_record r = base();
    r.id_number = "11010520010229001X";                          /* ID-06: 2001 not leap */
    struct member_check c = check(&r);
    assert_only(&c, "id_number", "ID-03");
    r.id_number = "110105194902300021";                          /* ID-06: Feb 30 */
    c = check(&r);
    assert_only(&c, "id_number", "ID-03");
}

static void id03_id_disagreeing_with_birth_date_is_named_on_birth_date(void **state)
{
    (void)state;
    struct member_record r = base();
    r.birth_date = "2000-05-11";
    struct member_check c = check(&r);
    assert_string_equal(rule_on(&c, "birth_date"), "ID-03");
}

static void id04_id_disagreeing_with_gender_is_named_on_gender(void **state)
{
    (void)state;
    struct member_record r = base();
    r.gender = "1";
    struct member_check c = check(&r);
    assert_only(&c, "gender", "ID-04");
    r.gender = "9";                                              /* not stated: no conflict */
    c = check(&r);
    assert_int_equal(c.n, 0);
}

static void id05_fifteen_digits_upgrade_and_keep_the_original(void **state)
{
    (void)state;
    struct member_record r = base();
    r.id_number = "130503670401001";                             /* ID-06 */
    r.birth_date = "1967-04-01";
    r.gender = "1";
    r.applied_on = r.activist_on = r.candidate_on = "";
    r.joined_on = "1990-07-01";
    r.full_on = "1991-07-01";
    struct member_check c = check(&r);
    assert_int_equal(c.n, 0);
    assert_string_equal(c.id_number, "130503196704010016");
    assert_string_equal(c.id_orig, "130503670401001");
}

static void id06_leap_day_2000_is_valid(void **state)
{
    (void)state;
    struct member_record r = base();
    r.id_number = "110101200002290018";
    r.birth_date = "";
    r.gender = "";
    struct member_check c = check(&r);
    assert_int_equal(c.n, 0);
    assert_string_equal(c.birth_date, "2000-02-29");
    assert_int_equal(c.gender, 1);
}

static void id07_phone_spaces_and_plus86_are_stripped(void **state)
{
    (void)state;
    struct member_record r = base();
    r.phone = "+86 138 1234 5678";
    struct member_check c = check(&r);
    assert_int_equal(c.n, 0);
    assert_string_equal(c.phone, "13812345678");
}

static void id07_phone_outside_the_pattern_is_refused(void **state)
{
    (void)state;
    struct member_record r = base();
    const char *bad[] = {"12812345678", "1381234567", "138123456789", "010-12345678", "138abc45678"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r.phone = bad[i];
        struct member_check c = check(&r);
        assert_only(&c, "phone", "ID-07");
    }
}

static void id07_phone_pattern_is_config(void **state)
{
    (void)state;
    struct member_rule_config landline;
    assert_int_equal(member_rules_config_init(&landline, "^(1[3-9][0-9]{9}|0[0-9]{9,11})$"), 0);
    struct member_record r = base();
    r.phone = "01012345678";
    struct member_check c;
    assert_int_equal(member_rules_check(&r, &landline, TODAY, code_ok, NULL, &c), 0);
    member_rules_config_fini(&landline);
    struct member_rule_config broken;
    assert_int_equal(member_rules_config_init(&broken, "(["), -1);   /* falls back */
    r.phone = "13812345678";
    assert_int_equal(member_rules_check(&r, &broken, TODAY, code_ok, NULL, &c), 0);
    member_rules_config_fini(&broken);
}

static void dev16_row2_joined_the_day_before_the_18th_birthday_fails_dev01(void **state)
{
    (void)state;
    struct member_record r = base();
    r.applied_on = "2018-05-09";                                  /* DEV-16 #2 */
    r.activist_on = r.candidate_on = "";
    struct member_check c = check(&r);
    assert_only(&c, "applied_on", "DEV-01");
    r.applied_on = "2018-05-10";                                  /* DEV-16 #3: passes */
    c = check(&r);
    assert_int_equal(c.n, 0);
}

static void dev01_joined_before_18_is_refused(void **state)
{
    (void)state;
    struct member_record r = base();
    r.applied_on = r.activist_on = r.candidate_on = "";
    r.joined_on = "2018-05-09";
    r.full_on = "2019-05-09";
    struct member_check c = check(&r);
    assert_only(&c, "joined_on", "DEV-01");
    r.joined_on = "2018-05-10";
    r.full_on = "2019-05-10";
    c = check(&r);
    assert_int_equal(c.n, 0);
}

static void id08_full_on_within_a_year_of_joining_is_refused(void **state)
{
    (void)state;
    struct member_record r = base();
    r.full_on = "2021-11-14";
    struct member_check c = check(&r);
    assert_only(&c, "full_on", "ID-08");
}

static void dev13_late_full_on_needs_a_reason_up_to_24_months(void **state)
{
    (void)state;
    struct member_record r = base();
    r.full_on = "2022-05-15";
    struct member_check c = check(&r);
    assert_only(&c, "full_on", "DEV-13");
    assert_string_equal(c.v[0].key, "member.rule.dev13_needs_exception");
    r.full_exception = "延长预备期六个月（支部大会决议）";
    c = check(&r);
    assert_int_equal(c.n, 0);
    r.full_on = "2022-11-15";                                     /* +24 months: still fine */
    c = check(&r);
    assert_int_equal(c.n, 0);
    r.full_on = "2022-11-16";                                     /* beyond: an error */
    c = check(&r);
    assert_only(&c, "full_on", "DEV-13");
    assert_string_equal(c.v[0].key, "member.rule.dev13_full_too_late");
}

static void id08_join_age_over_100_is_refused(void **state)
{
    (void)state;
    struct member_record r = base();
    r.id_number = "";
    r.birth_date = "1920-01-01";
    r.applied_on = r.activist_on = r.candidate_on = "";
    r.joined_on = "2021-01-01";
    r.full_on = "2022-01-01";
    struct member_check c = check(&r);
    assert_only(&c, "joined_on", "ID-08");
}

static void id08_dates_in_the_future_or_before_birth_are_refused(void **state)
{
    (void)state;
    struct member_record r = base();
    r.status = "lost_contact";
    r.status_on = "2026-11-24";
    struct member_check c = check(&r);
    assert_only(&c, "status_on", "ID-08");
    r.status_on = "1999-01-01";
    c = check(&r);
    assert_only(&c, "status_on", "ID-08");
}

static void code06_dates_must_be_iso(void **state)
{
    (void)state;
    struct member_record r = base();
    r.candidate_on = "2020/09/01";
    struct member_check c = check(&r);
    assert_only(&c, "candidate_on", "CODE-06");
    r.candidate_on = "2021-02-29";
    c = check(&r);
    assert_only(&c, "candidate_on", "CODE-06");
}

static void dev16_row17_style_dev15_names_the_first_pair_out_of_order(void **state)
{
    (void)state;
    struct member_record r = base();
    r.activist_on = "2019-02-01";                                 /* before applied_on */
    r.candidate_on = "2018-12-01";                                /* out of order too */
    struct member_check c = check(&r);
    assert_only(&c, "activist_on", "DEV-15");
    assert_string_equal(c.v[0].key, "member.rule.dev15_applied_activist");
    r = base();
    r.activist_on = "";
    r.candidate_on = "2020-12-01";                                /* after joined_on */
    c = check(&r);
    assert_only(&c, "joined_on", "DEV-15");
    assert_string_equal(c.v[0].key, "member.rule.dev15_candidate_joined");
}

static void code05_category_and_full_on_must_agree(void **state)
{
    (void)state;
    struct member_record r = base();
    r.category = "probationary";
    struct member_check c = check(&r);
    assert_only(&c, "full_on", "CODE-05");
    r.full_on = "";
    c = check(&r);
    assert_int_equal(c.n, 0);
    r.category = "full";
    c = check(&r);
    assert_only(&c, "full_on", "CODE-05");
}

static void codes_must_exist_in_the_code_tables(void **state)
{
    (void)state;
    struct member_record r = base();
    r.ethnicity = "99";
    r.education = "50";
    r.category = "honorary";
    r.status = "retired";
    r.gender = "3";
    struct member_check c = check(&r);
    assert_string_equal(rule_on(&c, "ethnicity"), "CODE-03");
    assert_string_equal(rule_on(&c, "education"), "CODE-04");
    assert_string_equal(rule_on(&c, "category"), "CODE-05");
    assert_string_equal(rule_on(&c, "status"), "REC-03");
    assert_string_equal(rule_on(&c, "gender"), "CODE-01");
}

static void rec01_every_record_needs_its_core_fields(void **state)
{
    (void)state;
    struct member_record r = {0};
    struct member_check c = check(&r);
    const char *fields[] = {"name", "gender", "birth_date", "org_id", "category", "joined_on"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        assert_string_equal(rule_on(&c, fields[i]), "REC-01");
}

static void rec01_archived_status_needs_date_and_reason(void **state)
{
    (void)state;
    struct member_record r = base();
    r.status = "deceased";
    struct member_check c = check(&r);
    assert_string_equal(rule_on(&c, "status_on"), "REC-01");
    assert_string_equal(rule_on(&c, "status_reason"), "REC-01");
    r.status_on = "2025-01-02";
    r.status_reason = "病故";
    c = check(&r);
    assert_int_equal(c.n, 0);
}

static void rec02_names_are_1_to_50_characters_without_controls_html_allowed(void **state)
{
    (void)state;
    struct member_record r = base();
    r.name = "<script>alert(1)</script>";
    assert_int_equal(check(&r).n, 0);
    r.name = "Robert'); DROP TABLE members;--";
    assert_int_equal(check(&r).n, 0);
    r.name = "张\n三";
    struct member_check c = check(&r);
    assert_only(&c, "name", "REC-02");
    char longname[200] = "";
    for (int i = 0; i < 51; i++)
        strcat(longname, "张");
    r.name = longname;
    c = check(&r);
    assert_only(&c, "name", "REC-02");
    longname[150] = '\0';                                          /* exactly 50 */
    c = check(&r);
    assert_int_equal(c.n, 0);
}

static void post_needs_a_known_code_and_ordered_dates(void **state)
{
    (void)state;
    struct member_violation v[4];
    assert_int_equal(member_rules_check_post("secretary", "2023-01-01", "", TODAY, code_ok, NULL, v), 0);
    assert_int_equal(member_rules_check_post("king", "2023-01-01", "2022-01-01", TODAY, code_ok, NULL, v), 2);
    assert_string_equal(v[0].rule, "REC-03");
    assert_string_equal(v[1].field, "ended_on");
}

static void disc04_probation_lasts_at_most_two_years(void **state)
{
    (void)state;
    struct member_violation v[6];
    assert_int_equal(member_rules_check_award("punishment", "probation", "留党察看一年", "2024-03-01",
                                              "2026-03-01", TODAY, code_ok, NULL, v), 0);
    assert_int_equal(member_rules_check_award("punishment", "probation", "留党察看", "2024-03-01",
                                              "2026-03-02", TODAY, code_ok, NULL, v), 1);
    assert_string_equal(v[0].rule, "DISC-04");
    assert_int_equal(member_rules_check_award("punishment", "probation", "留党察看", "2024-03-01",
                                              "", TODAY, code_ok, NULL, v), 1);
    assert_string_equal(v[0].rule, "DISC-04");
    assert_int_equal(member_rules_check_award("reward", "probation", "x", "2024-03-01", "", TODAY,
                                              code_ok, NULL, v), 1);
    assert_string_equal(v[0].field, "code");
}

static void status_change_needs_a_new_code_a_date_and_a_reason(void **state)
{
    (void)state;
    struct member_violation v[4];
    assert_int_equal(member_rules_check_status("normal", "deceased", "2025-01-01", "病故", TODAY,
                                               code_ok, NULL, v), 0);
    assert_int_equal(member_rules_check_status("normal", "normal", "2027-01-01", "", TODAY,
                                               code_ok, NULL, v), 3);
    assert_true(member_rules_is_archived("transferred_out"));
    assert_false(member_rules_is_archived("lost_contact"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_record_has_no_violation),
        cmocka_unit_test(id06_gb11643_sample_is_accepted_with_its_birth_and_gender),
        cmocka_unit_test(id02_wrong_check_character_is_named_on_id_number),
        cmocka_unit_test(id01_wrong_length_or_letters_are_named_on_id_number),
        cmocka_unit_test(id03_nonexistent_birth_date_in_the_id_is_refused),
        cmocka_unit_test(id03_id_disagreeing_with_birth_date_is_named_on_birth_date),
        cmocka_unit_test(id04_id_disagreeing_with_gender_is_named_on_gender),
        cmocka_unit_test(id05_fifteen_digits_upgrade_and_keep_the_original),
        cmocka_unit_test(id06_leap_day_2000_is_valid),
        cmocka_unit_test(id07_phone_spaces_and_plus86_are_stripped),
        cmocka_unit_test(id07_phone_outside_the_pattern_is_refused),
        cmocka_unit_test(id07_phone_pattern_is_config),
        cmocka_unit_test(dev16_row2_joined_the_day_before_the_18th_birthday_fails_dev01),
        cmocka_unit_test(dev01_joined_before_18_is_refused),
        cmocka_unit_test(id08_full_on_within_a_year_of_joining_is_refused),
        cmocka_unit_test(dev13_late_full_on_needs_a_reason_up_to_24_months),
        cmocka_unit_test(id08_join_age_over_100_is_refused),
        cmocka_unit_test(id08_dates_in_the_future_or_before_birth_are_refused),
        cmocka_unit_test(code06_dates_must_be_iso),
        cmocka_unit_test(dev16_row17_style_dev15_names_the_first_pair_out_of_order),
        cmocka_unit_test(code05_category_and_full_on_must_agree),
        cmocka_unit_test(codes_must_exist_in_the_code_tables),
        cmocka_unit_test(rec01_every_record_needs_its_core_fields),
        cmocka_unit_test(rec01_archived_status_needs_date_and_reason),
        cmocka_unit_test(rec02_names_are_1_to_50_characters_without_controls_html_allowed),
        cmocka_unit_test(post_needs_a_known_code_and_ordered_dates),
        cmocka_unit_test(disc04_probation_lasts_at_most_two_years),
        cmocka_unit_test(status_change_needs_a_new_code_a_date_and_a_reason),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
