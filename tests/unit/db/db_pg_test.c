/* db_pg_test.c: what only the PostgreSQL driver does: finding its connection dead, reporting
 * ERR_UNAVAILABLE, reconnecting at the next prepare (statements prepared before the break
 * prepare themselves again), and never reconnecting in the middle of a transaction.
 * Skipped without DJ_TEST_PG (see db_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/err.h"
#include "db/db.h"
#include "db_fixture.h"

static const char SQL_TABLE_T[] = "CREATE TABLE t (i BIGINT, s TEXT)";
static const char SQL_SELECT_T[] = "SELECT i, s FROM t ORDER BY i";
static const char SQL_COUNT_T[] = "SELECT COUNT(*) FROM t";

static void kill_backend(struct db *db)
{
    struct err e = ERR_INIT;
    struct db *admin = NULL;
    int64_t pid = 0, killed = 0;
    char sql[96];

    assert_int_equal(db_query_i64(db, "SELECT pg_backend_pid()", &pid, &e), 0);
    assert_int_equal(db_open(&admin, getenv("DJ_TEST_PG"), &e), 0);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM pg_terminate_backend(%lld)", (long long)pid);
    assert_int_equal(db_query_i64(admin, sql, &killed, &e), 0);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = %lld",
             (long long)pid);
    for (int i = 0; i < 100 && killed > 0; i++) {     /* wait until it is really gone */
        nanosleep(&(struct timespec){.tv_nsec = 20 * 1000 * 1000}, NULL);
        assert_int_equal(db_query_i64(admin, sql, &killed, &e), 0);
    }
    assert_int_equal(killed, 0);
    db_close(admin);
}

static void lost_connection_is_unavailable_then_reconnects(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    struct db_stmt *held = NULL;
    int64_t v = 0;

    fx_exec(f->db, SQL_TABLE_T);
    fx_exec(f->db, "INSERT INTO t (i, s) VALUES (1, '党员')");
    assert_int_equal(db_query_i64(f->db, SQL_COUNT_T, &v, &e), 0);   /* now cached */
    assert_int_equal(db_prepare(f->db, &held, SQL_SELECT_T, &e), 0);
    kill_backend(f->db);
    assert_int_equal(db_step(held, &e), DB_ERROR);
    assert_int_equal(e.code, ERR_UNAVAILABLE);
    assert_string_equal(e.message, "db.unavailable");
    err_clear(&e);
    assert_int_equal(db_query_i64(f->db, SQL_COUNT_T, &v, &e), 0);   /* reconnected */
    assert_int_equal(v, 1);
    db_reset(held);                        /* prepared before the break: prepares again */
    assert_int_equal(db_step(held, &e), DB_ROW);
    assert_string_equal(db_col_text(held, 1), "党员");
    db_finalize(held);
}

static void lost_connection_inside_a_transaction_is_not_papered_over(void **state)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    int64_t v = 0;

    fx_exec(f->db, SQL_TABLE_T);
    assert_int_equal(db_begin(f->db, &e), 0);
    fx_exec(f->db, "INSERT INTO t (i) VALUES (1)");
    kill_backend(f->db);
    assert_int_equal(db_exec(f->db, "INSERT INTO t (i) VALUES (2)", &e), -1);
    assert_int_equal(e.code, ERR_UNAVAILABLE);
    assert_int_equal(db_query_i64(f->db, SQL_COUNT_T, &v, &e), -1);   /* no silent reconnect */
    assert_int_equal(db_commit(f->db, &e), -1);
    db_rollback(f->db);
    assert_int_equal(db_query_i64(f->db, SQL_COUNT_T, &v, &e), 0);
    assert_int_equal(v, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_PG(lost_connection_is_unavailable_then_reconnects),
        FX_PG(lost_connection_inside_a_transaction_is_not_papered_over),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
