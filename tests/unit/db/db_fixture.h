/* db_fixture.h: one empty database per test, on SQLite and on PostgreSQL.
 *
 * Every engine-neutral test runs twice: against a fresh SQLite file under /tmp and against a
 * fresh schema in the server named by DJ_TEST_PG (a libpq conninfo or URI). Without
 * DJ_TEST_PG the PostgreSQL variants are skipped. FX_BOTH(fn) registers both variants,
 * named "sqlite: fn" and "postgresql: fn". A test starts with fx_get(state), which skips
 * when its engine is not available.
 * Threads: tests run one at a time. */
#ifndef DJ_TEST_DB_FIXTURE_H
#define DJ_TEST_DB_FIXTURE_H
#include <stdbool.h>
#include <stddef.h>

struct db;

struct fx {
    bool pg;
    char url[768];       /* opens this test's database (with the schema on PostgreSQL) */
    char path[256];      /* SQLite file */
    char schema[64];     /* PostgreSQL schema */
    struct db *db;       /* open on url; NULL when the engine is unavailable */
};

int fx_setup_sqlite(void **state);
int fx_setup_pg(void **state);
int fx_teardown(void **state);
struct fx *fx_get(void **state);   /* skip()s the test when its engine is unavailable */

/* Runs SQL that must succeed (fails the test otherwise). */
void fx_exec(struct db *db, const char *sql);

#define FX_SQLITE(fn) {"sqlite: " #fn, fn, fx_setup_sqlite, fx_teardown, NULL}
#define FX_PG(fn) {"postgresql: " #fn, fn, fx_setup_pg, fx_teardown, NULL}
#define FX_BOTH(fn) FX_SQLITE(fn), FX_PG(fn)

#endif
