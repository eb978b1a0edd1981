/* db_change_test.c: the change number (db_change.h) on SQLite and PostgreSQL: reads leave it
 * alone; every committed write of this process bumps it by the time the call returns, whether
 * autocommit, db_begin/db_commit or db_exec; the watcher sees another connection's write (as
 * if from another process) and reports that caches may serve only while it runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "core/err.h"
#include "db/db.h"
#include "db/db_change.h"
#include "db_fixture.h"

static const char SQL_INSERT[] = "INSERT INTO c (v) VALUES (?)";
static const char SQL_SELECT[] = "SELECT COUNT(*) FROM c";

static void step1(struct db *db, const char *sql, int64_t v)
{
    struct err e = ERR_INIT;
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(db, &st, sql, &e), 0);
    if (strchr(sql, '?') != NULL)
        db_bind_i64(st, 1, v);
    assert_true(db_step(st, &e) != DB_ERROR);
    db_finalize(st);
}

static void reads_keep_it_and_writes_bump_it_at_once(void **state)
{
    struct fx *fx = fx_get(state);
    struct err e = ERR_INIT;
    fx_exec(fx->db, "CREATE TABLE c (v BIGINT)");

    uint64_t g = db_change_gen();
    step1(fx->db, SQL_SELECT, 0);
    db_snapshot_begin(fx->db);
    step1(fx->db, SQL_SELECT, 0);
    db_snapshot_end(fx->db);
    assert_true(db_change_gen() == g);                    /* reads, snapshots: no change */

    step1(fx->db, SQL_INSERT, 1);                         /* autocommit write */
    assert_true(db_change_gen() > g);

    g = db_change_gen();
    assert_int_equal(db_begin(fx->db, &e), 0);
    step1(fx->db, SQL_INSERT, 2);
    step1(fx->db, SQL_INSERT, 3);
    assert_int_equal(db_commit(fx->db, &e), 0);
    assert_true(db_change_gen() > g);                     /* a transaction: bumped by commit */

    g = db_change_gen();
    assert_int_equal(db_exec(fx->db, "DELETE FROM c WHERE v = 3", &e), 0);
    assert_true(db_change_gen() > g);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void the_watcher_sees_another_connections_write(void **state)
{
    struct fx *fx = fx_get(state);
    struct err e = ERR_INIT;
    struct db *other = NULL;
    fx_exec(fx->db, "CREATE TABLE c (v BIGINT)");
    assert_false(db_change_cacheable());                  /* no watcher: nothing may be kept */
    assert_int_equal(db_change_watch_start(fx->url, 5, &e), 0);
    assert_true(db_change_cacheable());
    assert_int_equal(db_open(&other, fx->url, &e), 0);

    uint64_t g = db_change_gen();
    sleep_ms(30);
    assert_true(db_change_gen() == g);                    /* quiet database, quiet number */

    /* a write the drivers of this process would bump for; the test wants the watcher's bump
     * alone, so it waits for the number to pass the driver's one */
    step1(other, SQL_INSERT, 7);
    uint64_t after_driver = db_change_gen();
    assert_true(after_driver > g);
    uint64_t seen = after_driver;
    for (int i = 0; i < 200 && seen == after_driver; i++) {
        sleep_ms(5);
        seen = db_change_gen();
    }
    assert_true(seen > after_driver);                     /* the watcher noticed too */

    db_close(other);
    db_change_watch_stop();
    assert_false(db_change_cacheable());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_BOTH(reads_keep_it_and_writes_bump_it_at_once),
        FX_BOTH(the_watcher_sees_another_connections_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
