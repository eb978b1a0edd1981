/* demo_rules_test.c: the pure half of the demo generator (demo_rules.c, demo_members.c,
 * demo_names.c): determinism, tree shape, names, and the domain rules every generated record
 * must pass (ORG-02/03/05/06, CODE-01/05, DEV-01/11, MEMB-02), and the whole member record
 * rules (member_rules.c: ID, DEV-03/04/15, CODE-03/04/06). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/err.h"
#include "core/utf8.h"
#include "features/demo/demo.h"
#include "features/member/member_rules.h"

static const struct date AS_OF = {2026, 11, 23};

static void build(struct demo_plan *plan, int64_t members, uint64_t seed, int branch_size)
{
    struct demo_params p = {.members = members, .seed = seed, .branch_size = branch_size,
                            .as_of = AS_OF};
    struct err e = ERR_INIT;
    assert_int_equal(demo_plan_build(plan, &p, &e), 0);
}

static void assert_valid_text(const char *s)
{
    assert_non_null(s);
    assert_true(s[0] != '\0');
    assert_true(utf8_valid(s, strlen(s)));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ---- determinism ---- */

static void the_same_seed_gives_byte_identical_orgs_and_members(void **state)
{
    (void)state;
    struct demo_plan a, b;
    build(&a, 20000, 42, 0);
    build(&b, 20000, 42, 0);
    assert_int_equal(a.norgs, b.norgs);
    assert_memory_equal(a.orgs, b.orgs, a.norgs * sizeof *a.orgs);
    assert_int_equal(a.pool.len, b.pool.len);
    assert_memory_equal(a.pool.data, b.pool.data, a.pool.len);
    for (size_t i = 0; i < a.norgs; i++) {
        if (a.orgs[i].type != DEMO_BRANCH)
            continue;
        struct demo_member_gen ga, gb;
        struct demo_member ma, mb;
        demo_members_begin(&ga, &a, (int32_t)i);
        demo_members_begin(&gb, &b, (int32_t)i);
        while (demo_members_next(&ga, &ma)) {
            assert_true(demo_members_next(&gb, &mb));
            assert_string_equal(ma.work_unit, mb.work_unit);     /* borrowed from each gen */
            assert_string_equal(ma.department, mb.department);
            ma.work_unit = mb.work_unit = ma.department = mb.department = NULL;
            assert_memory_equal(&ma, &mb, sizeof ma);
        }
        assert_false(demo_members_next(&gb, &mb));
    }
    demo_plan_fini(&a);
    demo_plan_fini(&b);
}

static void another_seed_gives_other_data(void **state)
{
    (void)state;
    struct demo_plan a, b;
    build(&a, 5000, 1, 0);
    build(&b, 5000, 2, 0);
    assert_true(a.pool.len != b.pool.len || memcmp(a.pool.data, b.pool.data, a.pool.len) != 0);
    demo_plan_fini(&a);
    demo_plan_fini(&b);
}

/* ---- shape ---- */

static void every_size_places_exactly_n_members(void **state)
{
    (void)state;
    static const int64_t sizes[] = {1, 2, 3, 14, 15, 16, 49, 50, 51, 100, 500, 777, 12345};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        for (int bs = 0; bs <= 100; bs += 100) {
            struct demo_plan p;
            int64_t sum = 0;
            build(&p, sizes[k], 7, bs);
            for (size_t i = 0; i < p.norgs; i++)
                sum += p.orgs[i].n_direct;
            assert_int_equal(sum, sizes[k]);
            assert_int_equal(p.members, sizes[k]);
            demo_plan_fini(&p);
        }
    }
}

static void org02_default_branches_hold_15_to_50_members(void **state)
{
    (void)state;
    static const int64_t sizes[] = {15, 16, 49, 50, 51, 64, 65, 99, 500, 9999, 100000};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        struct demo_plan p;
        build(&p, sizes[k], k, 0);
        for (size_t i = 0; i < p.norgs; i++) {
            if (p.orgs[i].type != DEMO_BRANCH)
                continue;
            assert_in_range(p.orgs[i].n_total, 15, 50);
        }
        demo_plan_fini(&p);
    }
}

static void branch_size_b_keeps_branches_near_b(void **state)
{
    (void)state;
    struct demo_plan p;
    int outside = 0;
    build(&p, 200000, 3, 350);
    for (size_t i = 0; i < p.norgs; i++) {
        if (p.orgs[i].type != DEMO_BRANCH)
            continue;
        assert_in_range(p.orgs[i].n_total, 350 * 12 / 10 / 2, 350 * 12 / 10);
        outside += p.orgs[i].n_total < 350 * 8 / 10;
    }
    assert_true(outside <= 2);          /* only the last two may share a short tail */
    demo_plan_fini(&p);
}

static void the_bench_shape_has_about_10000_orgs_for_a_million_members(void **state)
{
    (void)state;
    struct demo_plan p;
    build(&p, 1000000, 1, 350);
    assert_in_range(p.norgs, 9000, 12000);
    demo_plan_fini(&p);
}

static void parents_precede_children_and_types_nest(void **state)
{
    (void)state;
    struct demo_plan p;
    build(&p, 30000, 11, 0);
    assert_int_equal(p.orgs[0].parent, -1);
    assert_int_equal(p.orgs[0].type, DEMO_COMMITTEE);
    for (size_t i = 1; i < p.norgs; i++) {
        const struct demo_org *o = &p.orgs[i], *up = &p.orgs[o->parent];
        assert_in_range(o->parent, 0, (int64_t)i - 1);
        assert_int_equal(o->depth, up->depth + 1);
        assert_true(o->founded >= up->founded);
        if (o->type == DEMO_GROUP)
            assert_int_equal(up->type, DEMO_BRANCH);
        else if (o->type == DEMO_BRANCH)
            assert_true(up->type == DEMO_COMMITTEE || up->type == DEMO_GENERAL_BRANCH);
        else
            assert_int_equal(up->type, DEMO_COMMITTEE);
    }
    demo_plan_fini(&p);
}

static void branches_of_21_or_more_have_2_or_3_groups_holding_all_members(void **state)
{
    (void)state;
    struct demo_plan p;
    build(&p, 30000, 5, 0);
    for (size_t i = 0; i < p.norgs; i++) {
        const struct demo_org *o = &p.orgs[i];
        if (o->type != DEMO_BRANCH)
            continue;
        int32_t in_groups = 0;
        if (o->n_total >= 21)
            assert_in_range(o->ngroups, 2, 3);
        else
            assert_int_equal(o->ngroups, 0);
        for (int j = 0; j < o->ngroups; j++) {
            assert_int_equal(p.orgs[i + 1 + j].type, DEMO_GROUP);
            assert_int_equal(p.orgs[i + 1 + j].parent, (int64_t)i);
            in_groups += p.orgs[i + 1 + j].n_direct;
        }
        assert_int_equal(o->ngroups > 0 ? in_groups : o->n_direct, o->n_total);
    }
    demo_plan_fini(&p);
}

static void names_are_utf8_and_codes_are_unique_and_hierarchical(void **state)
{
    (void)state;
    struct demo_plan p;
    build(&p, 60000, 9, 0);
    const char **codes = malloc(p.norgs * sizeof *codes);
    for (size_t i = 0; i < p.norgs; i++) {
        assert_valid_text(demo_plan_name(&p, i));
        codes[i] = demo_plan_code(&p, i);
        assert_valid_text(codes[i]);
        if (p.orgs[i].parent >= 0) {
            const char *up = demo_plan_code(&p, (size_t)p.orgs[i].parent);
            assert_int_equal(strncmp(codes[i], up, strlen(up)), 0);
            assert_true(strlen(codes[i]) > strlen(up));
        }
    }
    qsort(codes, p.norgs, sizeof *codes, cmp_str);
    for (size_t i = 1; i < p.norgs; i++)
        assert_true(strcmp(codes[i - 1], codes[i]) != 0);
    free(codes);
    demo_plan_fini(&p);
}

/* ---- org rules ---- */

static void org03_committees_follow_full_member_counts_with_a_few_missing(void **state)
{
    (void)state;
    struct demo_plan p;
    int need = 0, missing = 0;
    build(&p, 100000, 13, 0);
    for (size_t i = 0; i < p.norgs; i++) {
        const struct demo_org *o = &p.orgs[i];
        if (o->type != DEMO_BRANCH)
            continue;
        int32_t full = o->n_total - o->n_prob;
        if (o->has_committee) {
            assert_true(full >= 7);
            assert_in_range(o->committee_size, 3, 5);
        } else {
            assert_int_equal(o->committee_size, 0);
        }
        need += full >= 7;
        missing += full >= 7 && !o->has_committee;
    }
    assert_true(missing > 0);                       /* the UI shows ORG-03 warnings */
    assert_true(missing * 100 < need * 10);         /* ... but only a few */
    demo_plan_fini(&p);
}

static void org05_org06_terms_by_type_with_some_overdue(void **state)
{
    (void)state;
    struct demo_plan p;
    int with_term = 0, overdue = 0;
    int32_t today = (int32_t)date_to_days(AS_OF);
    build(&p, 100000, 17, 0);
    for (size_t i = 0; i < p.norgs; i++) {
        const struct demo_org *o = &p.orgs[i];
        static const int years[] = {[DEMO_COMMITTEE] = 5, [DEMO_GENERAL_BRANCH] = 3,
                                    [DEMO_BRANCH] = 3, [DEMO_GROUP] = 0};
        assert_int_equal(o->term_years, years[o->type]);
        assert_true(o->founded <= today);
        if (o->term_years == 0)
            continue;
        assert_true(o->term_start >= o->founded);
        assert_true(o->term_start <= today);
        struct date end = date_add_months(date_from_days(o->term_start), 12 * o->term_years);
        with_term++;
        overdue += date_to_days(end) <= today;
    }
    assert_true(overdue * 100 > with_term * 5);     /* ORG-06: overdue re-elections exist */
    assert_true(overdue * 100 < with_term * 30);
    demo_plan_fini(&p);
}

/* ---- members ---- */

struct tally {
    int64_t n, prob, female, lost;
};

/* CODE-03 01..56, 97, 98; CODE-04 the detail codes the demo uses; everything else as seeded. */
static bool code_ok(void *ctx, const char *kind, const char *code)
{
    (void)ctx;
    if (strcmp(kind, "ethnicity") == 0)
        return strlen(code) == 2 && (atoi(code) >= 1 && atoi(code) <= 56);
    if (strcmp(kind, "education") == 0)
        return strstr("11 14 21 31 41 47 61 71", code) != NULL && strlen(code) == 2;
    return true;
}

/* The demo member as a record, through the member rules: no violation at all. */
static void check_record(const struct demo_member *m, const struct member_rule_config *cfg)
{
    char d[7][11], g[2] = {(char)('0' + m->gender), 0};
    const struct date *dates[] = {&m->birth, &m->applied, &m->activist, &m->candidate,
                                  &m->joined, &m->full, &m->status_on};
    for (int i = 0; i < 7; i++)
        date_format(*dates[i], d[i]);
    struct member_record r = {
        .org_id = 1, .name = m->name, .gender = g, .ethnicity = m->ethnicity,
        .education = m->education, .category = m->probationary ? "probationary" : "full",
        .status = m->lost_contact ? "lost_contact" : "normal", .birth_date = d[0],
        .applied_on = d[1], .activist_on = d[2], .candidate_on = d[3], .joined_on = d[4],
        .full_on = m->probationary ? NULL : d[5], .status_on = m->lost_contact ? d[6] : NULL,
        .id_number = m->id_number, .phone = m->phone, .address = m->address, .job = m->job,
        .title = m->title, .work_unit = m->work_unit, .department = m->department,
    };
    struct member_check c;
    if (member_rules_check(&r, cfg, AS_OF, code_ok, NULL, &c) != 0)
        fail_msg("%s %s: %s %s", m->name, m->id_number, c.v[0].field, c.v[0].rule);
    assert_true(m->work_unit[0] != '\0' && m->department[0] != '\0');
}

static void check_member(const struct demo_plan *p, int32_t branch, const struct demo_member *m,
                         struct tally *t)
{
    const struct demo_org *b = &p->orgs[branch];
    struct date today = AS_OF;
    assert_true(m->org == branch || p->orgs[m->org].parent == branch);
    assert_valid_text(m->name);
    assert_in_range(utf8_count(m->name), 2, 4);
    assert_true(m->gender == 1 || m->gender == 2);                       /* CODE-01 */
    assert_in_range(m->birth.year, today.year - 71, today.year - 23);
    /* DEV-01: joined on or after the 18th birthday. */
    assert_true(date_cmp(m->joined, date_add_months(m->birth, 216)) >= 0);
    assert_true(date_cmp(m->joined, today) <= 0);
    if (m->probationary) {
        /* DEV-11: probation is one year, so a probationary member joined in the last 12 months. */
        assert_true(date_cmp(m->joined, date_add_months(today, -12)) > 0);
        assert_int_equal(m->full.year, 0);
        assert_false(m->lost_contact);
        assert_true(b->dept != DEPT_RETIRED);
    } else {
        /* DEV-11 / MEMB-02: full_on = joined_on + 12 months, already reached. */
        struct date f = date_add_months(m->joined, 12);
        assert_memory_equal(&m->full, &f, sizeof f);
        assert_true(date_cmp(m->full, today) <= 0);
    }
    if (b->dept == DEPT_RETIRED)
        assert_true(today.year - m->birth.year >= 55);
    t->n++;
    t->prob += m->probationary;
    t->female += m->gender == 2;
    t->lost += m->lost_contact;
}

static void members_pass_dev01_dev11_code_rules_and_the_record_rules(void **state)
{
    (void)state;
    struct demo_plan p;
    struct tally t = {0};
    struct member_rule_config cfg;
    assert_int_equal(member_rules_config_init(&cfg, NULL), 0);
    build(&p, 50000, 23, 0);
    for (size_t i = 0; i < p.norgs; i++) {
        if (p.orgs[i].type != DEMO_BRANCH)
            continue;
        struct demo_member_gen g;
        struct demo_member m;
        int32_t prob = 0;
        demo_members_begin(&g, &p, (int32_t)i);
        while (demo_members_next(&g, &m)) {
            check_member(&p, (int32_t)i, &m, &t);
            check_record(&m, &cfg);
            prob += m.probationary;
        }
        assert_int_equal(prob, p.orgs[i].n_prob);                        /* as planned */
    }
    assert_int_equal(t.n, 50000);
    assert_in_range(t.prob * 1000 / t.n, 65, 95);        /* CODE-05: ~8% probationary */
    assert_in_range(t.female * 1000 / t.n, 220, 380);    /* ~70/30 male in industry */
    assert_true(t.lost > 0 && t.lost * 100 < t.n);
    member_rules_config_fini(&cfg);
    demo_plan_fini(&p);
}

/* ---- names and params ---- */

static void numerals_read_like_chinese(void **state)
{
    (void)state;
    static const struct { int n; const char *s; } cases[] = {
        {1, "一"}, {10, "十"}, {11, "十一"}, {20, "二十"}, {99, "九十九"}, {100, "一百"},
        {105, "一百零五"}, {110, "一百一十"}, {1001, "一千零一"}, {2030, "二千零三十"},
    };
    char out[40];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        demo_names_numeral(cases[i].n, out, sizeof out);
        assert_string_equal(out, cases[i].s);
    }
}

static void branch_names_follow_department_styles(void **state)
{
    (void)state;
    char out[128];
    demo_names_branch(DEPT_PRODUCTION, 1, true, out, sizeof out);
    assert_string_equal(out, "生产一车间党支部");
    demo_names_branch(DEPT_RND, 2, true, out, sizeof out);
    assert_string_equal(out, "技术研发中心第二党支部");
    demo_names_branch(DEPT_FINANCE, 1, false, out, sizeof out);
    assert_string_equal(out, "财务资产部党支部");
    demo_names_branch(DEPT_OFFICE, 1, true, out, sizeof out);
    assert_string_equal(out, "机关第一党支部");
    demo_names_branch(DEPT_PROJECT, 3, false, out, sizeof out);
    assert_string_equal(out, "第三项目部党支部");
}

static void out_of_range_params_are_refused(void **state)
{
    (void)state;
    static const struct demo_params bad[] = {
        {.members = 0, .as_of = {2026, 1, 1}},
        {.members = DEMO_MAX_MEMBERS + 1, .as_of = {2026, 1, 1}},
        {.members = 10, .branch_size = 2, .as_of = {2026, 1, 1}},
        {.members = 10, .branch_size = 1001, .as_of = {2026, 1, 1}},
        {.members = 10, .as_of = {2019, 12, 31}},
        {.members = 10, .as_of = {2026, 2, 30}},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct err e = ERR_INIT;
        struct demo_plan p;
        assert_int_equal(demo_plan_build(&p, &bad[i], &e), -1);
        assert_int_equal(e.code, ERR_INVALID);
        demo_plan_fini(&p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_same_seed_gives_byte_identical_orgs_and_members),
        cmocka_unit_test(another_seed_gives_other_data),
        cmocka_unit_test(every_size_places_exactly_n_members),
        cmocka_unit_test(org02_default_branches_hold_15_to_50_members),
        cmocka_unit_test(branch_size_b_keeps_branches_near_b),
        cmocka_unit_test(the_bench_shape_has_about_10000_orgs_for_a_million_members),
        cmocka_unit_test(parents_precede_children_and_types_nest),
        cmocka_unit_test(branches_of_21_or_more_have_2_or_3_groups_holding_all_members),
        cmocka_unit_test(names_are_utf8_and_codes_are_unique_and_hierarchical),
        cmocka_unit_test(org03_committees_follow_full_member_counts_with_a_few_missing),
        cmocka_unit_test(org05_org06_terms_by_type_with_some_overdue),
        cmocka_unit_test(members_pass_dev01_dev11_code_rules_and_the_record_rules),
        cmocka_unit_test(numerals_read_like_chinese),
        cmocka_unit_test(branch_names_follow_department_styles),
        cmocka_unit_test(out_of_range_params_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
