/* migrate_test.c: the embedded migrations apply on both engines, are recorded and re-run as
 * no-ops, survive several processes migrating at once, and 0001's member-count triggers keep
 * orgs.n_full / n_prob right through every kind of member change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "db/db.h"
#include "db/migrate.h"
#include "db_fixture.h"

static const char SQL_INSERT_ORG[] =
    "INSERT INTO orgs (code, name, type, path, depth, created_at, updated_at) "
    "VALUES (?, ?, 'branch', CAST('/' || CAST(? AS TEXT) || '/' AS TEXT), 1, 0, 0) RETURNING id";   /* paths are unique */
static const char SQL_INSERT_MEMBER[] =
    "INSERT INTO members (org_id, name, gender, category, status, created_at, updated_at) "
    "VALUES (?, '党员', 1, ?, ?, 0, 0) RETURNING id";
static const char SQL_COUNTS[] = "SELECT n_full, n_prob FROM orgs WHERE id = ?";
static const char SQL_SET_CATEGORY[] = "UPDATE members SET category = ? WHERE id = ?";
static const char SQL_SET_STATUS[] = "UPDATE members SET status = ? WHERE id = ?";
static const char SQL_SET_ORG[] = "UPDATE members SET org_id = ? WHERE id = ?";
static const char SQL_SET_NAME[] = "UPDATE members SET name = ? WHERE id = ?";
static const char SQL_DELETE[] = "DELETE FROM members WHERE id = ?";

static void migrate(struct db *db)
{
    struct err e = ERR_INIT;
    int applied = -1;
    if (migrate_up(db, &applied, &e) != 0)
        fail_msg("migrate_up: %s (%s)", e.message, e.detail);
}

static void empty_database_is_at_version_zero(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    int v = -1;
    assert_int_equal(migrate_current(f->db, &v, &e), 0);
    assert_int_equal(v, 0);
    assert_true(migrate_latest() >= 1);
}

static void migrations_apply_on_an_empty_database_and_are_recorded(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    struct db_stmt *st = NULL;
    int applied = -1, v = -1;
    int64_t n = 0;

    assert_int_equal(migrate_up(f->db, &applied, &e), 0);
    assert_true(applied >= 1);
    assert_int_equal(migrate_current(f->db, &v, &e), 0);
    assert_int_equal(v, migrate_latest());
    assert_int_equal(db_query_i64(f->db, "SELECT COUNT(*) FROM schema_migrations", &n, &e), 0);
    assert_int_equal(n, applied);
    assert_int_equal(db_prepare(f->db, &st,
                                "SELECT name, applied_at FROM schema_migrations WHERE version = 1",
                                &e), 0);
    assert_int_equal(db_step(st, &e), DB_ROW);
    assert_string_equal(db_col_text(st, 0), "foundation");
    assert_true(db_col_i64(st, 1) > 1700000000);
    db_finalize(st);
    assert_int_equal(db_query_i64(f->db, "SELECT COUNT(*) FROM rule_settings", &n, &e), 0);
    assert_int_equal(n, 7);             /* ORG-03/05/06 and ID-07 (0006) */
    assert_false(db_in_tx(f->db));
}

static void rerunning_migrate_up_applies_nothing(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    int applied = -1;

    migrate(f->db);
    assert_int_equal(migrate_up(f->db, &applied, &e), 0);
    assert_int_equal(applied, 0);
    assert_int_equal(migrate_up(f->db, NULL, &e), 0);
}

/* Forks `kids` processes that each migrate the fixture's database; their applied counts must
 * add up to one application of every migration. */
static void concurrent_migrations_apply_each_version_once(void **state)
{
    enum { kids = 4 };
    struct fx *f = fx_get(state);
    pid_t pids[kids];
    int total = 0, v = 0;
    struct err e = ERR_INIT;

    for (int i = 0; i < kids; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            struct db *db = NULL;
            struct err ce = ERR_INIT;
            int applied = 0;
            if (db_open(&db, f->url, &ce) != 0 || migrate_up(db, &applied, &ce) != 0)
                _exit(100);
            db_close(db);
            _exit(applied);
        }
    }
    for (int i = 0; i < kids; i++) {
        int status = 0;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        assert_true(WEXITSTATUS(status) < 100);
        total += WEXITSTATUS(status);
    }
    assert_int_equal(migrate_current(f->db, &v, &e), 0);
    assert_int_equal(v, migrate_latest());
    int64_t n = 0;
    assert_int_equal(db_query_i64(f->db, "SELECT COUNT(*) FROM schema_migrations", &n, &e), 0);
    assert_int_equal(total, n);
}

static int64_t insert_id(struct db *db, const char *sql, int64_t a, const char *b, const char *c)
{
    struct err e = ERR_INIT;
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(db, &st, sql, &e), 0);
    if (b == NULL) {                       /* org: code, name and a path made of the code */
        db_bind_text(st, 1, c);
        db_bind_text(st, 2, c);
        db_bind_text(st, 3, c);
    } else {
        db_bind_i64(st, 1, a);
        db_bind_text(st, 2, b);
        db_bind_text(st, 3, c);
    }
    if (db_step(st, &e) != DB_ROW)
        fail_msg("%s: %s (%s)", sql, e.message, e.detail);
    int64_t id = db_col_i64(st, 0);
    db_finalize(st);
    return id;
}

static void change(struct db *db, const char *sql, const char *text, int64_t v, int64_t id)
{
    struct err e = ERR_INIT;
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(db, &st, sql, &e), 0);
    if (sql == SQL_DELETE) {
        db_bind_i64(st, 1, id);
    } else {
        if (text != NULL)
            db_bind_text(st, 1, text);
        else
            db_bind_i64(st, 1, v);
        db_bind_i64(st, 2, id);
    }
    if (db_step(st, &e) != DB_DONE)
        fail_msg("%s: %s (%s)", sql, e.message, e.detail);
    assert_int_equal(db_changes(st), 1);
    db_finalize(st);
}

static void assert_counts(struct db *db, int64_t org, int64_t full, int64_t prob, int line)
{
    struct err e = ERR_INIT;
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(db, &st, SQL_COUNTS, &e), 0);
    db_bind_i64(st, 1, org);
    assert_int_equal(db_step(st, &e), DB_ROW);
    if (db_col_i64(st, 0) != full || db_col_i64(st, 1) != prob)
        fail_msg("line %d: org %lld has full %lld prob %lld, want %lld %lld", line,
                 (long long)org, (long long)db_col_i64(st, 0), (long long)db_col_i64(st, 1),
                 (long long)full, (long long)prob);
    db_finalize(st);
}
#define COUNTS(org, full, prob) assert_counts(f->db, (org), (full), (prob), __LINE__)

static void member_count_triggers_follow_every_change(void **state)
{
    struct fx *f = fx_get(state);
    migrate(f->db);
    int64_t a = insert_id(f->db, SQL_INSERT_ORG, 0, NULL, "A");
    int64_t b = insert_id(f->db, SQL_INSERT_ORG, 0, NULL, "B");
    COUNTS(a, 0, 0);

    int64_t m1 = insert_id(f->db, SQL_INSERT_MEMBER, a, "full", "normal");
    int64_t m2 = insert_id(f->db, SQL_INSERT_MEMBER, a, "probationary", "normal");
    int64_t m3 = insert_id(f->db, SQL_INSERT_MEMBER, a, "full", "expelled");
    int64_t m4 = insert_id(f->db, SQL_INSERT_MEMBER, b, "full", "lost_contact");
    COUNTS(a, 1, 1);                       /* the expelled member does not count */
    COUNTS(b, 1, 0);                       /* lost contact still counts */

    change(f->db, SQL_SET_CATEGORY, "full", 0, m2);         /* 转正 */
    COUNTS(a, 2, 0);
    change(f->db, SQL_SET_STATUS, "suspended", 0, m1);
    COUNTS(a, 1, 0);
    change(f->db, SQL_SET_STATUS, "normal", 0, m3);
    COUNTS(a, 2, 0);
    change(f->db, SQL_SET_ORG, NULL, b, m2);                /* transfer between orgs */
    COUNTS(a, 1, 0);
    COUNTS(b, 2, 0);
    change(f->db, SQL_SET_NAME, "改名", 0, m4);             /* not a counted column */
    change(f->db, SQL_SET_STATUS, "normal", 0, m4);
    COUNTS(b, 2, 0);
    change(f->db, SQL_SET_CATEGORY, "probationary", 0, m4);
    COUNTS(b, 1, 1);

    fx_exec(f->db, "UPDATE members SET org_id = (SELECT id FROM orgs WHERE code = 'A') "
                   "WHERE org_id = (SELECT id FROM orgs WHERE code = 'B')");
    COUNTS(a, 2, 1);
    COUNTS(b, 0, 0);

    change(f->db, SQL_DELETE, NULL, 0, m1);                 /* suspended: was not counted */
    COUNTS(a, 2, 1);
    change(f->db, SQL_DELETE, NULL, 0, m2);
    change(f->db, SQL_DELETE, NULL, 0, m4);
    COUNTS(a, 1, 0);
    change(f->db, SQL_DELETE, NULL, 0, m3);
    COUNTS(a, 0, 0);
}

static void org_with_members_cannot_be_deleted(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    migrate(f->db);
    int64_t a = insert_id(f->db, SQL_INSERT_ORG, 0, NULL, "A");
    (void)insert_id(f->db, SQL_INSERT_MEMBER, a, "full", "normal");
    assert_int_equal(db_exec(f->db, "DELETE FROM orgs WHERE code = 'A'", &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT);
    err_clear(&e);
    assert_int_equal(db_exec(f->db, "UPDATE members SET category = 'member'", &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
}

/* Later migrations may DROP or replace them by name, so both dialects use the same names. */
static void count_triggers_have_the_same_names_on_both_engines(void **state)
{
    static const char sql_sqlite[] = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' "
                                     "AND tbl_name = 'members' AND name LIKE 'members_count_%'";
    static const char sql_pg[] = "SELECT COUNT(*) FROM pg_trigger WHERE NOT tgisinternal "
                                 "AND tgrelid = 'members'::regclass "
                                 "AND tgname IN ('members_count_ins', 'members_count_upd', "
                                 "'members_count_del')";
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    int64_t n = 0;
    migrate(f->db);
    assert_int_equal(db_query_i64(f->db, f->pg ? sql_pg : sql_sqlite, &n, &e), 0);
    assert_int_equal(n, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_BOTH(empty_database_is_at_version_zero),
        FX_BOTH(migrations_apply_on_an_empty_database_and_are_recorded),
        FX_BOTH(rerunning_migrate_up_applies_nothing),
        FX_BOTH(concurrent_migrations_apply_each_version_once),
        FX_BOTH(member_count_triggers_follow_every_change),
        FX_BOTH(org_with_members_cannot_be_deleted),
        FX_BOTH(count_triggers_have_the_same_names_on_both_engines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
