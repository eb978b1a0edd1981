/* db_fixture.c: fresh databases for the db tests (see db_fixture.h).
 * SQLite gets a mkstemp file, removed with its -wal and -shm files afterwards. PostgreSQL gets
 * a schema dj_t_<pid>_<n> dropped afterwards; the test's connection reaches it through
 * options=-csearch_path, so unqualified names (and migrations) land there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "db_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "db/db.h"

void fx_exec(struct db *db, const char *sql)
{
    struct err e = ERR_INIT;
    if (db_exec(db, sql, &e) != 0)
        fail_msg("%s: %s (%s)", sql, e.message, e.detail);
}

int fx_setup_sqlite(void **state)
{
    struct fx *f = xcalloc(1, sizeof *f);
    struct err e = ERR_INIT;

    *state = f;
    const char *tmp = getenv("TMPDIR");
    snprintf(f->path, sizeof f->path, "%s/dj_db_test_XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
    int fd = mkstemp(f->path);
    assert_true(fd >= 0);
    close(fd);
    snprintf(f->url, sizeof f->url, "sqlite:%s", f->path);
    if (db_open(&f->db, f->url, &e) != 0) {
        fprintf(stderr, "open %s: %s %s\n", f->url, e.message, e.detail);
        return -1;
    }
    return 0;
}

/* Adds options=-csearch_path=SCHEMA to a conninfo or a URI. */
static void url_with_schema(struct fx *f, const char *base)
{
    if (strncmp(base, "postgres", 8) == 0 && strstr(base, "://") != NULL)
        snprintf(f->url, sizeof f->url, "%s%coptions=-csearch_path%%3D%s", base,
                 strchr(base, '?') != NULL ? '&' : '?', f->schema);
    else
        snprintf(f->url, sizeof f->url, "%s options='-csearch_path=%s'", base, f->schema);
}

static int admin_exec(const char *fmt, const char *schema)
{
    struct db *admin = NULL;
    struct err e = ERR_INIT;
    char sql[256];
    int rc = -1;

    snprintf(sql, sizeof sql, fmt, schema);
    if (db_open(&admin, getenv("DJ_TEST_PG"), &e) == 0 && db_exec(admin, sql, &e) == 0)
        rc = 0;
    else
        fprintf(stderr, "%s: %s %s\n", sql, e.message, e.detail);
    db_close(admin);
    return rc;
}

int fx_setup_pg(void **state)
{
    static int serial;
    struct fx *f = xcalloc(1, sizeof *f);
    struct err e = ERR_INIT;
    const char *base = getenv("DJ_TEST_PG");

    f->pg = true;
    *state = f;
    if (base == NULL || base[0] == '\0')
        return 0;                           /* fx_get() skips */
    snprintf(f->schema, sizeof f->schema, "dj_t_%ld_%d", (long)getpid(), ++serial);
    if (admin_exec("CREATE SCHEMA %s", f->schema) != 0)
        return -1;
    url_with_schema(f, base);
    if (db_open(&f->db, f->url, &e) != 0) {
        fprintf(stderr, "open: %s %s\n", e.message, e.detail);
        return -1;
    }
    return 0;
}

int fx_teardown(void **state)
{
    struct fx *f = *state;
    int rc = 0;

    if (f == NULL)
        return 0;
    db_close(f->db);
    if (f->path[0] != '\0') {
        char side[300];
        unlink(f->path);
        snprintf(side, sizeof side, "%s-wal", f->path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", f->path);
        unlink(side);
    }
    if (f->schema[0] != '\0')
        rc = admin_exec("DROP SCHEMA %s CASCADE", f->schema);
    free(f);
    *state = NULL;
    return rc;
}

struct fx *fx_get(void **state)
{
    struct fx *f = *state;
    if (f->db == NULL)
        skip();
    return f;
}
