/* db_test.c: the db.h contract, run against SQLite and PostgreSQL (see db_fixture.h).
 * Everything here must behave the same on both engines; PostgreSQL's reconnecting is tested in
 * db_pg_test.c and the `?` rewrite in db_sql_test.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include "db/db_rows.h"
#include "db_fixture.h"

static const char SQL_TABLE_T[] =
    "CREATE TABLE t (i BIGINT, d DOUBLE PRECISION, s TEXT, n TEXT, b INTEGER)";
static const char SQL_INSERT_T[] = "INSERT INTO t (i, d, s, n, b) VALUES (?, ?, ?, ?, ?)";
static const char SQL_SELECT_T[] = "SELECT i, d, s, n, b FROM t ORDER BY i";
static const char SQL_COUNT_T[] = "SELECT COUNT(*) FROM t";
static const char SQL_ECHO[] = "SELECT ?";
static const char SQL_KV[] =
    "CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL CHECK (v >= 0));"
    "CREATE TABLE ref (id INTEGER PRIMARY KEY, k TEXT NOT NULL REFERENCES kv(k));"
    "INSERT INTO kv (k, v) VALUES ('a', 1);";

static int64_t count_t(struct db *db)
{
    struct err e = ERR_INIT;
    int64_t n = -1;
    assert_int_equal(db_query_i64(db, SQL_COUNT_T, &n, &e), 0);
    return n;
}

/* Runs sql (one text parameter, or none when arg is NULL) and returns its step result. */
static int run1(struct db *db, const char *sql, const char *arg, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return DB_ERROR;
    if (arg != NULL)
        db_bind_text(st, 1, arg);
    int r = db_step(st, e);
    db_finalize(st);
    return r;
}

/* ---- URLs and opening (no engine needed) ---- */

static void malformed_urls_are_refused_with_bad_url(void **state)
{
    static const char *const bad[] = {"", "sqlite:", "mysql://localhost/x", "file:/tmp/x.db",
                                      "just-a-path.db", "host=localhost bogus_option=1"};
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct err e = ERR_INIT;
        struct db *db = (struct db *)&e;      /* must come back NULL */
        assert_int_equal(db_url_check(bad[i], &e), -1);
        assert_int_equal(e.code, ERR_INVALID);
        assert_string_equal(e.message, "db.bad_url");
        assert_int_equal(db_open(&db, bad[i], &e), -1);
        assert_null(db);
    }
    assert_int_equal(db_url_check(NULL, &(struct err)ERR_INIT), -1);
}

static void well_formed_urls_pass_the_check_without_connecting(void **state)
{
    static const char *const good[] = {"sqlite::memory:", "sqlite:/tmp/x.db", "sqlite:rel.db",
                                       "postgresql://u:p@db.example:5432/dj",
                                       "postgres://db.example/dj",
                                       "host=db.example port=5432 dbname=dj user=dj"};
    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        struct err e = ERR_INIT;
        if (db_url_check(good[i], &e) != 0)
            fail_msg("%s: %s %s", good[i], e.message, e.detail);
    }
}

static void unreachable_server_fails_with_cannot_open(void **state)
{
    struct err e = ERR_INIT;
    struct db *db = NULL;
    (void)state;
    assert_int_equal(db_open(&db, "host=127.0.0.1 port=1 connect_timeout=2", &e), -1);
    assert_null(db);
    assert_int_equal(e.code, ERR_UNAVAILABLE);
    assert_string_equal(e.message, "db.cannot_open");
    assert_true(e.detail[0] != '\0');
}

static void file_that_is_not_sqlite_fails_with_cannot_open(void **state)
{
    char path[256];
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/dj_db_notdb_XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
    char url[300];
    struct err e = ERR_INIT;
    struct db *db = NULL;
    (void)state;

    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "this is not a database, just some text\n", 39), 39);
    close(fd);
    snprintf(url, sizeof url, "sqlite:%s", path);
    assert_int_equal(db_open(&db, url, &e), -1);
    unlink(path);
    assert_null(db);
    assert_string_equal(e.message, "db.cannot_open");
}

static void memory_database_opens_and_names_its_kind(void **state)
{
    struct err e = ERR_INIT;
    struct db *db = NULL;
    int64_t v = 0;
    (void)state;
    assert_int_equal(db_open(&db, "sqlite::memory:", &e), 0);
    assert_int_equal(db_kind(db), DB_SQLITE);
    assert_string_equal(db_kind_name(db), "sqlite");
    assert_int_equal(db_query_i64(db, "SELECT 6 * 7", &v, &e), 0);
    assert_int_equal(v, 42);
    db_close(db);
    db_close(NULL);
}

/* ---- both engines ---- */

static void every_type_round_trips_through_bind_and_columns(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    struct db_stmt *st = NULL;

    fx_exec(f->db, SQL_TABLE_T);
    assert_int_equal(db_prepare(f->db, &st, SQL_INSERT_T, &e), 0);
    db_bind_i64(st, 1, INT64_MIN);
    db_bind_double(st, 2, 0.1);
    db_bind_text(st, 3, "党员");
    db_bind_null(st, 4);
    db_bind_bool(st, 5, true);
    assert_int_equal(db_step(st, &e), DB_DONE);
    db_reset(st);
    db_bind_i64(st, 1, INT64_MAX);
    db_bind_double(st, 2, -1.5e300);
    db_bind_textn(st, 3, "abcdef", 3);
    db_bind_text(st, 4, NULL);
    db_bind_bool(st, 5, false);
    assert_int_equal(db_step(st, &e), DB_DONE);
    db_finalize(st);

    assert_int_equal(db_prepare(f->db, &st, SQL_SELECT_T, &e), 0);
    assert_int_equal(db_step(st, &e), DB_ROW);
    assert_int_equal(db_col_count(st), 5);
    assert_string_equal(db_col_name(st, 2), "s");
    assert_true(db_col_i64(st, 0) == INT64_MIN);
    assert_true(db_col_double(st, 1) == 0.1);
    assert_string_equal(db_col_text(st, 2), "党员");
    assert_true(db_col_is_null(st, 3));
    assert_null(db_col_text(st, 3));
    assert_int_equal(db_col_i64(st, 3), 0);
    assert_false(db_col_is_null(st, 4));
    assert_int_equal(db_col_i64(st, 4), 1);
    assert_int_equal(db_step(st, &e), DB_ROW);
    assert_true(db_col_i64(st, 0) == INT64_MAX);
    assert_true(db_col_double(st, 1) == -1.5e300);
    assert_string_equal(db_col_text(st, 2), "abc");
    assert_true(db_col_is_null(st, 3));
    assert_int_equal(db_col_i64(st, 4), 0);
    assert_int_equal(db_step(st, &e), DB_DONE);
    db_finalize(st);
}

static void question_marks_inside_literals_are_not_parameters(void **state)
{
    static const char sql[] = "SELECT 'a?b' AS \"what?\", ? AS v -- really?\n";
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    struct db_stmt *st = NULL;

    assert_int_equal(db_prepare(f->db, &st, sql, &e), 0);
    db_bind_text(st, 1, "x");
    assert_int_equal(db_step(st, &e), DB_ROW);
    assert_string_equal(db_col_text(st, 0), "a?b");
    assert_string_equal(db_col_name(st, 0), "what?");
    assert_string_equal(db_col_text(st, 1), "x");
    db_finalize(st);
}

static void numbered_placeholders_reuse_one_value(void **state)
{
    static const char sql[] = "SELECT CAST(?1 AS BIGINT) * 2, CAST(?1 AS BIGINT) + ?2";
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    struct db_stmt *st = NULL;

    assert_int_equal(db_prepare(f->db, &st, sql, &e), 0);
    db_bind_i64(st, 1, 21);
    db_bind_i64(st, 2, 1);
    assert_int_equal(db_step(st, &e), DB_ROW);
    assert_int_equal(db_col_i64(st, 0), 42);
    assert_int_equal(db_col_i64(st, 1), 22);
    db_finalize(st);
}

static void bind_errors_stick_until_step_reports_them(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    struct db_stmt *st = NULL;

    assert_int_equal(db_prepare(f->db, &st, SQL_ECHO, &e), 0);
    db_bind_i64(st, 3, 1);                  /* out of range */
    db_bind_i64(st, 1, 1);                  /* fine, but the error stays */
    assert_int_equal(db_step(st, &e), DB_ERROR);
    assert_int_equal(e.code, ERR_INTERNAL);
    assert_non_null(strstr(e.detail, "out of range"));
    db_reset(st);                           /* clears it */
    db_bind_text(st, 1, "ok");
    err_clear(&e);
    assert_int_equal(db_step(st, &e), DB_ROW);
    assert_string_equal(db_col_text(st, 0), "ok");
    db_bind_text(st, 1, "again");           /* stepped, not reset */
    assert_int_equal(db_step(st, &e), DB_ERROR);
    assert_non_null(strstr(e.detail, "without db_reset"));
    db_reset(st);
    db_bind_textn(st, 1, "a\0b", 3);        /* NUL inside text */
    assert_int_equal(db_step(st, &e), DB_ERROR);
    assert_non_null(strstr(e.detail, "NUL"));
    db_finalize(st);
}

static void syntax_error_fails_at_prepare(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    struct db_stmt *st = (struct db_stmt *)&e;

    assert_int_equal(db_prepare(f->db, &st, "SELEC 1", &e), -1);
    assert_null(st);
    assert_int_equal(e.code, ERR_INTERNAL);
    assert_string_equal(e.message, "db.error");
    assert_true(e.detail[0] != '\0');
}

static void cache_hands_back_the_same_statement_with_bindings_cleared(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    struct db_stmt *a = NULL, *b = NULL;

    assert_int_equal(db_prepare(f->db, &a, SQL_ECHO, &e), 0);
    db_bind_text(a, 1, "bound");
    assert_int_equal(db_step(a, &e), DB_ROW);
    db_finalize(a);
    assert_int_equal(db_prepare(f->db, &b, SQL_ECHO, &e), 0);
    assert_ptr_equal(a, b);
    assert_int_equal(db_step(b, &e), DB_ROW);
    assert_true(db_col_is_null(b, 0));
    db_finalize(b);
}

static void nested_use_of_the_same_sql_gets_its_own_statement(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    struct db_stmt *outer = NULL, *inner = NULL, *again = NULL;
    int64_t sum = 0;
    int rows = 0;

    fx_exec(f->db, SQL_TABLE_T);
    fx_exec(f->db, "INSERT INTO t (i) VALUES (1), (2), (3)");
    assert_int_equal(db_prepare(f->db, &outer, SQL_SELECT_T, &e), 0);
    while (db_step(outer, &e) == DB_ROW) {
        int64_t i = db_col_i64(outer, 0);
        assert_int_equal(db_prepare(f->db, &inner, SQL_SELECT_T, &e), 0);
        assert_ptr_not_equal(inner, outer);
        while (db_step(inner, &e) == DB_ROW)
            sum += db_col_i64(inner, 0) * i;
        db_finalize(inner);
        rows++;
        assert_int_equal(db_col_i64(outer, 0), i);   /* the outer row is untouched */
    }
    assert_int_equal(e.code, ERR_OK);
    assert_int_equal(rows, 3);
    assert_int_equal(sum, 36);                        /* (1+2+3)^2 */
    db_finalize(outer);
    assert_int_equal(db_prepare(f->db, &again, SQL_SELECT_T, &e), 0);
    assert_ptr_equal(again, outer);                   /* the cached one came back */
    db_finalize(again);
}

static void a_reused_sql_buffer_runs_its_new_text(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    char sql[32];
    int64_t v = 0;

    snprintf(sql, sizeof sql, "SELECT 1");
    assert_int_equal(db_query_i64(f->db, sql, &v, &e), 0);
    assert_int_equal(v, 1);
    snprintf(sql, sizeof sql, "SELECT 2");
    assert_int_equal(db_query_i64(f->db, sql, &v, &e), 0);
    assert_int_equal(v, 2);
}

static void commit_keeps_and_rollback_discards(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;

    fx_exec(f->db, SQL_TABLE_T);
    assert_false(db_in_tx(f->db));
    assert_int_equal(db_begin(f->db, &e), 0);
    assert_true(db_in_tx(f->db));
    fx_exec(f->db, "INSERT INTO t (i) VALUES (1)");
    assert_int_equal(db_commit(f->db, &e), 0);
    assert_false(db_in_tx(f->db));
    assert_int_equal(db_begin(f->db, &e), 0);
    fx_exec(f->db, "INSERT INTO t (i) VALUES (2)");
    db_rollback(f->db);
    assert_false(db_in_tx(f->db));
    db_rollback(f->db);                            /* no-op outside a transaction */
    assert_int_equal(count_t(f->db), 1);
}

static void nested_begin_and_stray_commit_are_refused(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;

    assert_int_equal(db_commit(f->db, &e), -1);
    assert_string_equal(e.message, "db.no_tx");
    assert_int_equal(db_begin(f->db, &e), 0);
    assert_int_equal(db_begin(f->db, &e), -1);
    assert_int_equal(e.code, ERR_INTERNAL);
    assert_string_equal(e.message, "db.nested_tx");
    assert_true(db_in_tx(f->db));
    db_rollback(f->db);
}

static void commit_after_a_failed_statement_never_loses_work_silently(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    int64_t n = -1;

    fx_exec(f->db, SQL_KV);
    assert_int_equal(db_begin(f->db, &e), 0);
    assert_int_equal(run1(f->db, "INSERT INTO kv (k, v) VALUES (?, 5)", "b", &e), DB_DONE);
    assert_int_equal(run1(f->db, "INSERT INTO kv (k, v) VALUES (?, 5)", "a", &e), DB_ERROR);
    int rc = db_commit(f->db, &e);
    if (rc != 0)
        db_rollback(f->db);
    assert_false(db_in_tx(f->db));
    assert_int_equal(db_query_i64(f->db, "SELECT COUNT(*) FROM kv WHERE k = 'b'", &n, &e), 0);
    assert_int_equal(n, rc == 0 ? 1 : 0);  /* SQLite keeps the good insert; PG fails COMMIT */
}

static void unique_and_foreign_key_violations_are_conflicts(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;

    fx_exec(f->db, SQL_KV);
    assert_int_equal(run1(f->db, "INSERT INTO kv (k, v) VALUES (?, 1)", "a", &e), DB_ERROR);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_string_equal(e.message, "db.conflict");
    assert_true(e.detail[0] != '\0');
    err_clear(&e);
    assert_int_equal(run1(f->db, "INSERT INTO ref (id, k) VALUES (1, ?)", "zz", &e), DB_ERROR);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_string_equal(e.message, "db.conflict");
    err_clear(&e);
    assert_int_equal(run1(f->db, "INSERT INTO ref (id, k) VALUES (1, ?)", "a", &e), DB_DONE);
    assert_int_equal(run1(f->db, "DELETE FROM kv WHERE k = ?", "a", &e), DB_ERROR);
    assert_int_equal(e.code, ERR_CONFLICT);
}

static void check_and_not_null_violations_are_invalid(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;

    fx_exec(f->db, SQL_KV);
    assert_int_equal(run1(f->db, "INSERT INTO kv (k, v) VALUES (?, -1)", "n", &e), DB_ERROR);
    assert_int_equal(e.code, ERR_INVALID);
    assert_string_equal(e.message, "db.constraint");
    err_clear(&e);
    assert_int_equal(run1(f->db, "INSERT INTO kv (k, v) VALUES (?, NULL)", "n", &e), DB_ERROR);
    assert_int_equal(e.code, ERR_INVALID);
    assert_string_equal(e.message, "db.constraint");
}

static void changes_counts_rows_of_the_last_write(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    struct db_stmt *st = NULL;

    fx_exec(f->db, SQL_TABLE_T);
    assert_int_equal(db_prepare(f->db, &st, "INSERT INTO t (i) VALUES (1), (2), (3)", &e), 0);
    assert_int_equal(db_step(st, &e), DB_DONE);
    assert_int_equal(db_changes(st), 3);
    db_finalize(st);
    assert_int_equal(db_prepare(f->db, &st, "UPDATE t SET s = 'x' WHERE i >= ?", &e), 0);
    db_bind_i64(st, 1, 2);
    assert_int_equal(db_step(st, &e), DB_DONE);
    assert_int_equal(db_changes(st), 2);
    db_reset(st);
    db_bind_i64(st, 1, 9);
    assert_int_equal(db_step(st, &e), DB_DONE);
    assert_int_equal(db_changes(st), 0);
    db_finalize(st);
    assert_int_equal(db_prepare(f->db, &st, "SELECT i FROM t", &e), 0);
    while (db_step(st, &e) == DB_ROW)
        ;
    assert_int_equal(db_changes(st), 0);           /* a read changes nothing */
    db_finalize(st);
}

static void query_i64_gives_zero_for_no_row_and_for_null(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    int64_t v = 7;

    fx_exec(f->db, SQL_TABLE_T);
    assert_int_equal(db_query_i64(f->db, "SELECT i FROM t", &v, &e), 0);
    assert_int_equal(v, 0);
    v = 7;
    assert_int_equal(db_query_i64(f->db, "SELECT MAX(i) FROM t", &v, &e), 0);
    assert_int_equal(v, 0);
    assert_int_equal(db_query_i64(f->db, "SELECT 5000000000", &v, &e), 0);
    assert_true(v == INT64_C(5000000000));
    assert_int_equal(db_query_i64(f->db, "SELECT nope FROM t", &v, &e), -1);
}

static void read_s(struct db_stmt *st, struct arena *a, void *out)
{
    *(char **)out = db_col_strdup(a, st, 0);
}

static void get_one_reads_the_row_or_says_not_found(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    struct arena *a = arena_create(0);
    char *s = NULL;
    fx_exec(f->db, "CREATE TABLE g (id INTEGER, k INTEGER, s TEXT);"
                   "INSERT INTO g VALUES (1, 10, 'one'); INSERT INTO g VALUES (2, 20, 'two')");
    const int64_t two[2] = {2, 20};
    assert_int_equal(db_get_one(f->db, a, "SELECT s FROM g WHERE id = ? AND k = ?", two, 2,
                                read_s, &s, "g.not_found", &e), 0);
    assert_string_equal(s, "two");
    const int64_t none[2] = {2, 10};
    assert_int_equal(db_get_one(f->db, a, "SELECT s FROM g WHERE id = ? AND k = ?", none, 2,
                                read_s, &s, "g.not_found", &e), -1);
    assert_int_equal(e.code, ERR_NOT_FOUND);
    assert_string_equal(e.message, "g.not_found");
    err_clear(&e);
    assert_int_equal(db_get_one(f->db, a, "SELECT nope FROM g WHERE id = ?", two, 1, read_s, &s,
                                "g.not_found", &e), -1);
    assert_int_not_equal(e.code, ERR_NOT_FOUND);
    arena_destroy(a);
}

static void exec_runs_several_statements(void **state)
{
    struct fx *f = fx_get(state);
    fx_exec(f->db, "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1); INSERT INTO a VALUES (2)");
    struct err e = ERR_INIT;
    int64_t v = 0;
    assert_int_equal(db_query_i64(f->db, "SELECT SUM(x) FROM a", &v, &e), 0);
    assert_int_equal(v, 3);
    assert_int_equal(db_exec(f->db, "INSERT INTO a VALUES (3); INSERT INTO nope VALUES (1)", &e),
                     -1);
    assert_string_equal(e.message, "db.error");
}

/* A read snapshot: reads inside it see one state; a write stepped inside it, or a db_begin,
 * ends it first, so the write commits and is seen by another connection. */
static void snapshot_reads_then_writes_that_commit(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    struct db *other = NULL;
    fx_exec(f->db, SQL_TABLE_T);
    assert_int_equal(db_open(&other, f->url, &e), 0);

    db_snapshot_begin(f->db);
    assert_int_equal(count_t(f->db), 0);
    fx_exec(other, "INSERT INTO t (i) VALUES (1)");
    /* SQLite keeps the snapshot it started with; PostgreSQL has none (each statement reads
     * the latest), so only the count after the end is the same on both. */
    int64_t seen = count_t(f->db);
    assert_true(seen == (f->pg ? 1 : 0));
    assert_int_equal(run1(f->db, "INSERT INTO t (i) VALUES (2)", NULL, &e), DB_DONE);
    assert_false(db_in_tx(f->db));
    assert_int_equal(count_t(other), 2);               /* the write committed on its own */

    db_snapshot_begin(f->db);
    assert_int_equal(count_t(f->db), 2);
    assert_int_equal(db_begin(f->db, &e), 0);           /* ends the snapshot, no nesting error */
    assert_int_equal(run1(f->db, "INSERT INTO t (i) VALUES (3)", NULL, &e), DB_DONE);
    assert_int_equal(db_commit(f->db, &e), 0);
    db_snapshot_end(f->db);                             /* idempotent */
    assert_int_equal(count_t(other), 3);
    db_close(other);
}

static const char SQL_IN_4[] = "SELECT i FROM t WHERE s IN (?, ?, ?, ?) ORDER BY i";

/* db_prepare_each: PostgreSQL runs it unnamed (planned with its values every time); the same
 * results, the cache and the bindings behave as for db_prepare, on both engines. */
static void prepare_each_runs_again_and_again_with_new_values(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    fx_exec(f->db, SQL_TABLE_T);
    fx_exec(f->db, "INSERT INTO t (i, s) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    const char *want[][4] = {{"a", "c", NULL, NULL}, {"b", NULL, NULL, NULL}, {"x", "y", "z", "c"}};
    const int64_t sums[] = {4, 2, 3};
    for (int run = 0; run < 8; run++) {                 /* past PostgreSQL's five custom plans */
        struct db_stmt *st = NULL;
        int64_t sum = 0;
        int r;
        assert_int_equal(db_prepare_each(f->db, &st, SQL_IN_4, &e), 0);
        for (int k = 0; k < 4; k++)
            db_bind_text(st, k + 1, want[run % 3][k]);
        while ((r = db_step(st, &e)) == DB_ROW)
            sum += db_col_i64(st, 0);
        assert_int_equal(r, DB_DONE);
        assert_int_equal(sum, sums[run % 3]);
        db_finalize(st);
    }
    struct db_stmt *bad = NULL;
    assert_int_equal(db_prepare_each(f->db, &bad, "SELECT i FROM no_such_table WHERE i = ?", &e) == 0 &&
                         db_step(bad, &e) != DB_ERROR,
                     0);                                /* an error at prepare or at the run */
    db_finalize(bad);
}

/* db_rows_insert_tiers: 4, 2 and 1 rows per statement; 11 rows = 2 x 4 + 2 + 1. */
static void rows_insert_in_tiers_writes_every_row_once(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    struct db_rows r;
    struct db_stmt *st[3] = {NULL, NULL, NULL};
    static const int tiers[] = {4, 2, 1};
    static const char SQL_4[] = "INSERT INTO t (i, s) VALUES (?, ?), (?, ?), (?, ?), (?, ?)";
    static const char SQL_2[] = "INSERT INTO t (i, s) VALUES (?, ?), (?, ?)";
    static const char SQL_1[] = "INSERT INTO t (i, s) VALUES (?, ?)";
    fx_exec(f->db, SQL_TABLE_T);
    db_rows_init(&r, 2);
    for (int i = 1; i <= 11; i++) {                      /* 4 + 4 + 2 + 1 */
        db_rows_i64(&r, i);
        db_rows_text_or_null(&r, i % 2 ? "odd" : "");
        db_rows_end(&r);
    }
    assert_int_equal(db_prepare(f->db, &st[0], SQL_4, &e), 0);
    assert_int_equal(db_prepare(f->db, &st[1], SQL_2, &e), 0);
    assert_int_equal(db_prepare(f->db, &st[2], SQL_1, &e), 0);
    assert_int_equal(db_rows_insert_tiers(&r, st, tiers, 3, &e), 0);
    for (int i = 0; i < 3; i++)
        db_finalize(st[i]);
    db_rows_fini(&r);
    int64_t n = 0;
    assert_int_equal(db_query_i64(f->db, "SELECT COUNT(DISTINCT i) FROM t", &n, &e), 0);
    assert_int_equal(n, 11);
    assert_int_equal(db_query_i64(f->db, "SELECT COUNT(*) FROM t WHERE s IS NULL", &n, &e), 0);
    assert_int_equal(n, 5);                               /* "" went in as NULL */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(malformed_urls_are_refused_with_bad_url),
        cmocka_unit_test(well_formed_urls_pass_the_check_without_connecting),
        cmocka_unit_test(unreachable_server_fails_with_cannot_open),
        cmocka_unit_test(file_that_is_not_sqlite_fails_with_cannot_open),
        cmocka_unit_test(memory_database_opens_and_names_its_kind),
        FX_BOTH(every_type_round_trips_through_bind_and_columns),
        FX_BOTH(question_marks_inside_literals_are_not_parameters),
        FX_BOTH(numbered_placeholders_reuse_one_value),
        FX_BOTH(bind_errors_stick_until_step_reports_them),
        FX_BOTH(syntax_error_fails_at_prepare),
        FX_BOTH(cache_hands_back_the_same_statement_with_bindings_cleared),
        FX_BOTH(nested_use_of_the_same_sql_gets_its_own_statement),
        FX_BOTH(a_reused_sql_buffer_runs_its_new_text),
        FX_BOTH(commit_keeps_and_rollback_discards),
        FX_BOTH(nested_begin_and_stray_commit_are_refused),
        FX_BOTH(commit_after_a_failed_statement_never_loses_work_silently),
        FX_BOTH(unique_and_foreign_key_violations_are_conflicts),
        FX_BOTH(check_and_not_null_violations_are_invalid),
        FX_BOTH(changes_counts_rows_of_the_last_write),
        FX_BOTH(query_i64_gives_zero_for_no_row_and_for_null),
        FX_BOTH(exec_runs_several_statements),
        FX_BOTH(get_one_reads_the_row_or_says_not_found),
        FX_BOTH(snapshot_reads_then_writes_that_commit),
        FX_BOTH(prepare_each_runs_again_and_again_with_new_values),
        FX_BOTH(rows_insert_in_tiers_writes_every_row_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
