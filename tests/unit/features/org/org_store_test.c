/* org_store_test.c: the org store on real SQLite and PostgreSQL: CONFIG overrides from
 * rule_settings (nearest ancestor wins, other subtrees ignored) and subtree roll-ups with and
 * without a depth limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../db/db_fixture.h"
#include "core/arena.h"
#include "core/err.h"
#include "db/migrate.h"
#include "features/org/org.h"

static int64_t create(struct db *db, int64_t parent, const char *code, enum org_type type)
{
    struct org_input in = {.has_code = true, .code = code, .has_name = true, .name = code,
                           .has_type = true, .type = type, .has_parent = parent != 0,
                           .parent_id = parent};
    struct err e = ERR_INIT;
    int64_t id = 0;
    if (org_store_create(db, &in, &id, NULL, &e) != 0)
        fail_msg("create %s: %s %s", code, e.message, e.detail);
    return id;
}

static void nearest_ancestor_override_wins_and_other_subtrees_are_ignored(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    assert_int_equal(migrate_up(f->db, NULL, &e), 0);
    int64_t root = create(f->db, 0, "R", ORG_COMMITTEE);
    int64_t sub = create(f->db, root, "S", ORG_COMMITTEE);
    int64_t other = create(f->db, root, "O", ORG_COMMITTEE);
    int64_t br = create(f->db, sub, "SB", ORG_BRANCH);
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO rule_settings (rule_key, org_id, value, updated_at) VALUES "
             "('ORG-05.term_years.branch', %lld, '4', 0), ('ORG-05.term_years.branch', %lld, '5', 0), "
             "('ORG-06.remind_months', %lld, '2', 0)",
             (long long)root, (long long)sub, (long long)other);
    fx_exec(f->db, sql);
    struct arena *a = arena_create(0);
    struct org o;
    struct org_rule_config cfg;
    assert_int_equal(org_store_get(f->db, a, br, &o, &e), 0);
    assert_int_equal(org_store_rule_config(f->db, &o, &cfg, &e), 0);
    assert_int_equal(cfg.term_years[ORG_BRANCH], 5);      /* sub (nearer) beats root */
    assert_int_equal(cfg.remind_months, 6);               /* "other" is not an ancestor */
    assert_int_equal(org_store_get(f->db, a, root, &o, &e), 0);
    assert_int_equal(org_store_rule_config(f->db, &o, &cfg, &e), 0);
    assert_int_equal(cfg.term_years[ORG_BRANCH], 4);
    assert_int_equal(org_store_rule_config(f->db, NULL, &cfg, &e), 0);
    assert_int_equal(cfg.term_years[ORG_BRANCH], 3);      /* platform default */
    arena_destroy(a);
}

static void depth_limited_and_whole_subtrees_roll_up_the_same(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    assert_int_equal(migrate_up(f->db, NULL, &e), 0);
    int64_t root = create(f->db, 0, "R", ORG_COMMITTEE);
    int64_t gb = create(f->db, root, "G", ORG_GENERAL_BRANCH);
    int64_t b1 = create(f->db, gb, "B1", ORG_BRANCH);
    int64_t b2 = create(f->db, root, "B2", ORG_BRANCH);
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO members (org_id, name, gender, category, created_at, updated_at) VALUES "
             "(%lld, 'a', 1, 'full', 0, 0), (%lld, 'b', 2, 'probationary', 0, 0), "
             "(%lld, 'c', 1, 'full', 0, 0)",
             (long long)b1, (long long)b1, (long long)b2);
    fx_exec(f->db, sql);
    struct arena *a = arena_create(0);
    struct org *all, *top;
    int64_t nall, ntop;
    assert_int_equal(org_store_subtree(f->db, a, root, -1, &all, &nall, &e), 0);
    assert_int_equal(org_store_subtree(f->db, a, root, 1, &top, &ntop, &e), 0);
    assert_int_equal(nall, 4);
    assert_int_equal(ntop, 3);                             /* root, G, B2 */
    assert_int_equal(all[0].id, root);
    assert_int_equal(all[0].sub_full, 2);
    assert_int_equal(all[0].sub_prob, 1);
    assert_int_equal(all[0].child_count, 2);
    for (int64_t i = 0; i < ntop; i++)
        for (int64_t k = 0; k < nall; k++)
            if (all[k].id == top[i].id) {
                assert_int_equal(all[k].sub_full, top[i].sub_full);
                assert_int_equal(all[k].sub_prob, top[i].sub_prob);
                assert_int_equal(all[k].child_count, top[i].child_count);
            }
    arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_BOTH(nearest_ancestor_override_wins_and_other_subtrees_are_ignored),
        FX_BOTH(depth_limited_and_whole_subtrees_roll_up_the_same),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
