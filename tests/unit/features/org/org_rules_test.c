/* org_rules_test.c: ORG-01..ORG-06 at their boundaries (domain-rules.md §6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include "features/org/org.h"

static struct date D(const char *s)
{
    struct date d = {0};
    assert_int_equal(date_parse(s, &d), 0);
    return d;
}

static struct org branch(int64_t full, int64_t prob, bool committee)
{
    struct org o = {0};
    o.id = 7;
    o.parent_id = 1;
    o.type = ORG_BRANCH;
    o.path = "/1/7/";
    o.sub_full = full;
    o.sub_prob = prob;
    o.has_committee = committee;
    o.committee_size = committee ? 3 : 0;
    o.term_start = "2025-01-01";
    return o;
}

static bool has(const struct org *o, const char *rule, enum org_level level, const char *today)
{
    struct org_rule_config cfg;
    org_rules_default_config(&cfg);
    struct org_warning w[ORG_MAX_WARNINGS];
    int n = org_rules_findings(o, &cfg, D(today), w);
    for (int i = 0; i < n; i++)
        if (strcmp(w[i].rule, rule) == 0 && w[i].level == level)
            return true;
    return false;
}

static void org01_branch_with_2_full_members_is_flagged_but_3_is_not(void **state)
{
    (void)state;
    struct org o = branch(2, 5, false);     /* probationary members do not count */
    assert_true(has(&o, "ORG-01", ORG_WARNING, "2025-06-01"));
    o = branch(3, 0, false);
    assert_false(has(&o, "ORG-01", ORG_WARNING, "2025-06-01"));
    o = branch(1, 0, false);
    o.is_joint = true;                      /* a 联合党支部 may have fewer */
    assert_false(has(&o, "ORG-01", ORG_WARNING, "2025-06-01"));
}

static void org02_more_than_50_members_warns_and_exactly_50_does_not(void **state)
{
    (void)state;
    struct org o = branch(45, 5, true);
    assert_false(has(&o, "ORG-02", ORG_WARNING, "2025-06-01"));
    o = branch(45, 6, true);
    assert_true(has(&o, "ORG-02", ORG_WARNING, "2025-06-01"));
}

static void org03_seven_full_members_without_committee_is_an_error_six_is_not(void **state)
{
    (void)state;
    struct org o = branch(7, 0, false);
    assert_true(has(&o, "ORG-03", ORG_ERROR, "2025-06-01"));
    o = branch(6, 3, false);
    assert_false(has(&o, "ORG-03", ORG_ERROR, "2025-06-01"));
    o = branch(7, 0, true);
    assert_false(has(&o, "ORG-03", ORG_ERROR, "2025-06-01"));
}

static void org03_committee_below_7_full_members_warns_unless_configured(void **state)
{
    (void)state;
    struct org o = branch(5, 0, true);
    assert_true(has(&o, "ORG-03", ORG_WARNING, "2025-06-01"));
    struct org_rule_config cfg;
    org_rules_default_config(&cfg);
    cfg.committee_allowed_below_7 = true;
    struct org_warning w[ORG_MAX_WARNINGS];
    int n = org_rules_findings(&o, &cfg, D("2025-06-01"), w);
    for (int i = 0; i < n; i++)
        assert_false(strcmp(w[i].rule, "ORG-03") == 0 && w[i].level == ORG_WARNING);
}

static void org03_committee_size_outside_3_to_7_is_refused_and_6_is_info(void **state)
{
    (void)state;
    struct org_input in = {.has_committee_size = true, .committee_size = 2, .has_type = true,
                           .type = ORG_BRANCH};
    struct err e = ERR_INIT;
    assert_int_equal(org_rules_check_input(&in, false, D("2025-06-01"), &e), -1);
    assert_string_equal(e.fields[0].name, "committee_size");
    in.committee_size = 8;
    err_clear(&e);
    assert_int_equal(org_rules_check_input(&in, false, D("2025-06-01"), &e), -1);
    for (int size = 3; size <= 7; size++) {
        in.committee_size = size;
        err_clear(&e);
        assert_int_equal(org_rules_check_input(&in, false, D("2025-06-01"), &e), 0);
    }
    assert_int_equal(org_rules_check_committee(ORG_COMMITTEE, 11, &e), 0);   /* 党委: larger */
    struct org o = branch(9, 0, true);
    o.committee_size = 6;
    assert_true(has(&o, "ORG-03", ORG_INFO, "2025-06-01"));
    o.committee_size = 5;
    assert_false(has(&o, "ORG-03", ORG_INFO, "2025-06-01"));
}

static void org04_suggests_general_branch_at_50_and_committee_at_100(void **state)
{
    (void)state;
    struct org o = branch(49, 0, true);
    assert_false(has(&o, "ORG-04", ORG_INFO, "2025-06-01"));
    o = branch(50, 0, true);
    assert_true(has(&o, "ORG-04", ORG_INFO, "2025-06-01"));
    o = branch(100, 0, true);
    assert_true(has(&o, "ORG-04", ORG_INFO, "2025-06-01"));
}

static void org05_default_terms_are_5_3_3_and_5_for_villages(void **state)
{
    (void)state;
    struct org_rule_config cfg;
    org_rules_default_config(&cfg);
    struct org o = {.type = ORG_COMMITTEE};
    assert_int_equal(org_rules_term_years(&o, &cfg), 5);
    o.type = ORG_GENERAL_BRANCH;
    assert_int_equal(org_rules_term_years(&o, &cfg), 3);
    o.type = ORG_BRANCH;
    assert_int_equal(org_rules_term_years(&o, &cfg), 3);
    o.is_village = true;
    assert_int_equal(org_rules_term_years(&o, &cfg), 5);
    o.term_years = 4;                       /* an org's own decision wins */
    assert_int_equal(org_rules_term_years(&o, &cfg), 4);
    o.type = ORG_GROUP;
    assert_int_equal(org_rules_term_years(&o, &cfg), 0);
}

static void org05_term_years_outside_3_to_5_are_refused(void **state)
{
    (void)state;
    struct err e = ERR_INIT;
    struct org_input in = {.has_term_years = true, .term_years = 2};
    assert_int_equal(org_rules_check_input(&in, false, D("2025-06-01"), &e), -1);
    err_clear(&e);
    in.term_years = 6;
    assert_int_equal(org_rules_check_input(&in, false, D("2025-06-01"), &e), -1);
    err_clear(&e);
    in.term_years = 3;
    assert_int_equal(org_rules_check_input(&in, false, D("2025-06-01"), &e), 0);
}

static void org06_reminder_6_months_before_overdue_at_end_error_a_year_later(void **state)
{
    (void)state;
    struct org o = branch(9, 0, true);      /* term 2025-01-01 + 3 years = 2028-01-01 */
    assert_false(has(&o, "ORG-06", ORG_INFO, "2027-06-30"));
    assert_true(has(&o, "ORG-06", ORG_INFO, "2027-07-01"));
    assert_false(has(&o, "ORG-06", ORG_WARNING, "2027-12-31"));
    assert_true(has(&o, "ORG-06", ORG_WARNING, "2028-01-01"));
    assert_false(has(&o, "ORG-06", ORG_ERROR, "2028-12-31"));
    assert_true(has(&o, "ORG-06", ORG_ERROR, "2029-01-01"));
}

static void parent_types_follow_the_hierarchy(void **state)
{
    (void)state;
    assert_true(org_rules_parent_allowed(ORG_COMMITTEE, false, ORG_COMMITTEE));
    assert_true(org_rules_parent_allowed(ORG_COMMITTEE, true, ORG_COMMITTEE));
    assert_false(org_rules_parent_allowed(ORG_COMMITTEE, true, ORG_BRANCH));
    assert_true(org_rules_parent_allowed(ORG_GENERAL_BRANCH, true, ORG_COMMITTEE));
    assert_false(org_rules_parent_allowed(ORG_GENERAL_BRANCH, false, ORG_COMMITTEE));
    assert_true(org_rules_parent_allowed(ORG_BRANCH, true, ORG_GENERAL_BRANCH));
    assert_false(org_rules_parent_allowed(ORG_BRANCH, true, ORG_GROUP));
    assert_true(org_rules_parent_allowed(ORG_GROUP, true, ORG_BRANCH));
    assert_false(org_rules_parent_allowed(ORG_GROUP, true, ORG_COMMITTEE));
}

static void input_checks_code_name_and_dates(void **state)
{
    (void)state;
    struct err e = ERR_INIT;
    struct org_input in = {.has_code = true, .code = "A B", .has_name = true, .name = "党",
                           .has_type = true, .type = ORG_BRANCH, .has_founded = true,
                           .founded_on = "2030-01-01"};
    assert_int_equal(org_rules_check_input(&in, true, D("2025-06-01"), &e), -1);
    assert_int_equal(e.nfields, 3);
    err_clear(&e);
    struct org_input missing = {0};
    assert_int_equal(org_rules_check_input(&missing, true, D("2025-06-01"), &e), -1);
    assert_int_equal(e.nfields, 3);    /* code, name, type required */
}

static void path_upper_bound_covers_exactly_the_subtree(void **state)
{
    (void)state;
    struct arena *a = arena_create(0);
    const char *hi = db_prefix_upper(a, "/1/5/");
    assert_string_equal(hi, "/1/50");
    assert_true(strcmp("/1/5/", hi) < 0);
    assert_true(strcmp("/1/5/999/7/", hi) < 0);
    assert_true(strcmp("/1/50/", hi) >= 0);       /* a sibling with a longer id is outside */
    assert_true(strcmp("/1/6/", hi) >= 0);
    /* the name search pattern: LIKE wildcards typed by a user are literal */
    assert_string_equal(db_like_contains(a, "50%_a\\b"), "%50\\%\\_a\\\\b%");
    arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(org01_branch_with_2_full_members_is_flagged_but_3_is_not),
        cmocka_unit_test(org02_more_than_50_members_warns_and_exactly_50_does_not),
        cmocka_unit_test(org03_seven_full_members_without_committee_is_an_error_six_is_not),
        cmocka_unit_test(org03_committee_below_7_full_members_warns_unless_configured),
        cmocka_unit_test(org03_committee_size_outside_3_to_7_is_refused_and_6_is_info),
        cmocka_unit_test(org04_suggests_general_branch_at_50_and_committee_at_100),
        cmocka_unit_test(org05_default_terms_are_5_3_3_and_5_for_villages),
        cmocka_unit_test(org05_term_years_outside_3_to_5_are_refused),
        cmocka_unit_test(org06_reminder_6_months_before_overdue_at_end_error_a_year_later),
        cmocka_unit_test(parent_types_follow_the_hierarchy),
        cmocka_unit_test(input_checks_code_name_and_dates),
        cmocka_unit_test(path_upper_bound_covers_exactly_the_subtree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
