/* demo_pdata_test.c: the demo's personal data (src/features/demo/demo_pdata.c): every ID number
 * passes ID-01..ID-04 and matches the member's birth date and gender, phones follow ID-07,
 * addresses name the unit's city, the data is the same for a seed, and repeats are moved to
 * unique numbers. */
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
#include "features/member/member_idcard.h"

static const struct date AS_OF = {2026, 11, 23};

static void build(struct demo_plan *plan, int64_t members, uint64_t seed, int branch_size)
{
    struct demo_params p = {.members = members, .seed = seed, .branch_size = branch_size,
                            .as_of = AS_OF};
    struct err e = ERR_INIT;
    assert_int_equal(demo_plan_build(plan, &p, &e), 0);
}

static bool is_mobile(const char *s)                   /* ID-07: ^1[3-9][0-9]{9}$ */
{
    if (strlen(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9')
        return false;
    for (int i = 2; i < 11; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

struct seen {
    int64_t n, local, unique_fixes;
};

static void check(const struct demo_plan *p, int32_t branch, const struct demo_member *m,
                  struct seen *s)
{
    struct member_idcard c;
    assert_int_equal(member_idcard_parse(m->id_number, AS_OF, &c), IDCARD_OK);   /* ID-01..03 */
    assert_int_equal(member_idcard_matches(&c, m->birth, m->gender), IDCARD_OK); /* ID-03/04 */
    assert_false(c.upgraded);
    assert_true(is_mobile(m->phone));                                           /* ID-07 */
    assert_true(utf8_valid(m->address, strlen(m->address)));
    const char *city = demo_place_city(p->orgs[branch].place);
    assert_non_null(strstr(m->address, city));           /* lives where the unit works */
    assert_non_null(strstr(m->address, "市"));
    assert_non_null(strstr(m->address, "室"));
    assert_in_range(utf8_count(m->address), 15, 60);
    s->n++;
}

static void id01_to_id04_id07_every_member_has_consistent_personal_data(void **state)
{
    (void)state;
    struct demo_plan p;
    struct seen s = {0};
    build(&p, 20000, 5, 0);
    for (size_t i = 0; i < p.norgs; i++) {
        if (p.orgs[i].type != DEMO_BRANCH)
            continue;
        struct demo_member_gen g;
        struct demo_member m;
        demo_members_begin(&g, &p, (int32_t)i);
        while (demo_members_next(&g, &m))
            check(&p, (int32_t)i, &m, &s);
    }
    assert_int_equal(s.n, 20000);
    demo_plan_fini(&p);
}

static void units_work_in_their_named_city_and_the_root_in_beijing(void **state)
{
    (void)state;
    struct demo_plan p;
    build(&p, 30000, 9, 0);
    assert_int_equal(p.orgs[0].place, DEMO_PLACE_HQ);
    assert_string_equal(demo_place_city(DEMO_PLACE_HQ), "北京");
    int units = 0;
    for (size_t i = 1; i < p.norgs; i++) {
        const struct demo_org *o = &p.orgs[i];
        if (o->type != DEMO_COMMITTEE || o->place == DEMO_PLACE_HQ)
            continue;
        /* a 三级 unit is named after its city ("南京工程有限公司党委") */
        const char *name = demo_plan_name(&p, i), *city = demo_place_city(o->place);
        assert_memory_equal(name, city, strlen(city));
        assert_true(o->place < DEMO_UNIT_CITIES);
        units++;
    }
    assert_true(units > 10);
    for (size_t i = 1; i < p.norgs; i++)          /* children inherit their parent's place */
        if (p.orgs[p.orgs[i].parent].type != DEMO_COMMITTEE)
            assert_int_equal(p.orgs[i].place, p.orgs[p.orgs[i].parent].place);
    demo_plan_fini(&p);
}

static void most_members_were_born_in_the_city_they_work_in(void **state)
{
    (void)state;
    struct demo_plan p;
    int64_t n = 0, local = 0, retired = 0, retired_local = 0;
    build(&p, 20000, 11, 0);
    for (size_t i = 0; i < p.norgs; i++) {
        if (p.orgs[i].type != DEMO_BRANCH)
            continue;
        struct demo_member_gen g;
        struct demo_member m;
        int prefecture = demo_place_prefecture(p.orgs[i].place);
        bool old = p.orgs[i].dept == DEPT_RETIRED;
        demo_members_begin(&g, &p, (int32_t)i);
        while (demo_members_next(&g, &m)) {
            int born = (m.id_number[0] - '0') * 1000 + (m.id_number[1] - '0') * 100 +
                       (m.id_number[2] - '0') * 10 + (m.id_number[3] - '0');
            n++;
            local += born == prefecture;
            retired += old;
            retired_local += old && born == prefecture;
        }
    }
    assert_in_range(local * 1000 / n, 600, 760);                 /* ~65% + chance */
    assert_true(retired > 100);
    assert_in_range(retired_local * 1000 / retired, 780, 920);   /* ~85% */
    demo_plan_fini(&p);
}

static void the_same_seed_gives_the_same_personal_data(void **state)
{
    (void)state;
    struct demo_plan a, b;
    build(&a, 3000, 42, 0);
    build(&b, 3000, 43, 0);
    struct demo_member_gen ga, gb, gc;
    struct demo_member ma, mb, mc;
    size_t first = 0;
    while (a.orgs[first].type != DEMO_BRANCH)
        first++;
    demo_members_begin(&ga, &a, (int32_t)first);
    demo_members_begin(&gc, &a, (int32_t)first);
    assert_true(demo_members_next(&ga, &ma) && demo_members_next(&gc, &mc));
    assert_string_equal(ma.id_number, mc.id_number);
    assert_string_equal(ma.phone, mc.phone);
    assert_string_equal(ma.address, mc.address);
    size_t fb = 0;
    while (b.orgs[fb].type != DEMO_BRANCH)
        fb++;
    demo_members_begin(&gb, &b, (int32_t)fb);
    assert_true(demo_members_next(&gb, &mb));
    assert_string_not_equal(ma.phone, mb.phone);
    demo_plan_fini(&a);
    demo_plan_fini(&b);
}

static void id04_repeats_move_to_the_next_sequence_code_of_the_same_gender(void **state)
{
    (void)state;
    struct demo_unique ids, phones;
    demo_unique_init(&ids, 4);
    demo_unique_init(&phones, 4);
    struct demo_member m = {.gender = 2, .birth = {1980, 5, 6}};
    member_idcard_make(320102, m.birth, 998, m.id_number);
    memcpy(m.phone, "13899999999", 12);
    struct demo_member twin = m;
    demo_pdata_make_unique(&ids, &phones, &m);
    assert_memory_equal(m.id_number, "32010219800506998", 17);        /* the first is kept */
    demo_pdata_make_unique(&ids, &phones, &twin);
    struct member_idcard c;
    assert_int_equal(member_idcard_parse(twin.id_number, AS_OF, &c), IDCARD_OK);
    assert_int_equal(member_idcard_matches(&c, m.birth, 2), IDCARD_OK);
    assert_memory_equal(twin.id_number, "32010219800506002", 17);    /* 998 + 2 wraps to 002 */
    assert_string_equal(twin.phone, "13800000000");                  /* same prefix, next */
    assert_string_not_equal(twin.id_number, m.id_number);
    demo_unique_fini(&ids);
    demo_unique_fini(&phones);
}

static void a_hundred_thousand_members_have_distinct_ids_and_phones(void **state)
{
    (void)state;
    struct demo_plan p;
    struct demo_unique ids, phones, check_ids, check_phones;
    build(&p, 100000, 3, 350);
    demo_unique_init(&ids, 16);                      /* small: exercises growth */
    demo_unique_init(&phones, 16);
    demo_unique_init(&check_ids, 100000);
    demo_unique_init(&check_phones, 100000);
    int64_t n = 0;
    for (size_t i = 0; i < p.norgs; i++) {
        if (p.orgs[i].type != DEMO_BRANCH)
            continue;
        struct demo_member_gen g;
        struct demo_member m;
        demo_members_begin(&g, &p, (int32_t)i);
        while (demo_members_next(&g, &m)) {
            demo_pdata_make_unique(&ids, &phones, &m);
            struct demo_member again = m;           /* a second set must see no repeat */
            struct demo_member before = m;
            demo_pdata_make_unique(&check_ids, &check_phones, &again);
            assert_string_equal(again.id_number, before.id_number);
            assert_string_equal(again.phone, before.phone);
            n++;
        }
    }
    assert_int_equal(n, 100000);
    assert_int_equal(ids.count, 100000);
    assert_int_equal(phones.count, 100000);
    demo_unique_fini(&ids);
    demo_unique_fini(&phones);
    demo_unique_fini(&check_ids);
    demo_unique_fini(&check_phones);
    demo_plan_fini(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(id01_to_id04_id07_every_member_has_consistent_personal_data),
        cmocka_unit_test(units_work_in_their_named_city_and_the_root_in_beijing),
        cmocka_unit_test(most_members_were_born_in_the_city_they_work_in),
        cmocka_unit_test(the_same_seed_gives_the_same_personal_data),
        cmocka_unit_test(id04_repeats_move_to_the_next_sequence_code_of_the_same_gender),
        cmocka_unit_test(a_hundred_thousand_members_have_distinct_ids_and_phones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
