/* db_sqlite.c: the SQLite driver behind db.h.
 *
 * A thin layer: each struct db_stmt wraps one sqlite3_stmt prepared with
 * SQLITE_PREPARE_PERSISTENT (it will be cached and reused), values are bound as they come and
 * text is copied by SQLite (SQLITE_TRANSIENT: the caller's buffer may die before db_step).
 * Connections run in WAL mode with foreign keys on; busy_timeout is set before anything else so
 * that even switching a fresh file to WAL waits for a second process instead of failing.
 * db_begin uses BEGIN IMMEDIATE: a deferred transaction that reads and then writes can hit
 * SQLITE_BUSY with no way to wait, an immediate one waits for the write lock up front.
 * Error mapping follows db.h; SQLITE_BUSY (the 5 s timeout ran out) is ERR_UNAVAILABLE.
 * Threads: the connection is opened with SQLITE_OPEN_NOMUTEX; one thread at a time. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "db/db_change.h"
#include "db/db_internal.h"

struct lite_stmt {
    struct db_stmt base;      /* first: db.c casts between the two */
    sqlite3_stmt *stmt;
    int64_t changes;
};

static sqlite3 *conn_of(const struct db *db)
{
    return (sqlite3 *)db->conn;
}

static struct lite_stmt *lite(const struct db_stmt *st)
{
    return (struct lite_stmt *)(uintptr_t)st;
}

/* Maps the connection's last error (extended code) to e. */
static int lite_fail(sqlite3 *c, struct err *e)
{
    int xrc = sqlite3_extended_errcode(c);
    enum err_code code = ERR_INTERNAL;

    switch (xrc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        code = ERR_CONFLICT;
        break;
    case SQLITE_CONSTRAINT_NOTNULL:
    case SQLITE_CONSTRAINT_CHECK:
        code = ERR_INVALID;
        break;
    default:
        if ((xrc & 0xff) == SQLITE_BUSY)
            code = ERR_UNAVAILABLE;
        break;
    }
    char detail[256];
    snprintf(detail, sizeof detail, "sqlite %d: %s", xrc, sqlite3_errmsg(c));
    return db_fail(e, code, detail);
}

/* A write transaction of this thread's connection reached its commit (the hook runs inside
 * sqlite3_step/exec, before the commit is done); the change number is bumped once the call
 * returns, when the rows are visible (db_change.h). One connection is used by one thread. */
static _Thread_local bool lite_committing;

static int lite_commit_hook(void *arg)
{
    (void)arg;
    lite_committing = true;
    return 0;
}

static void lite_committed(void)
{
    if (lite_committing) {
        lite_committing = false;
        db_change_bump();
    }
}

static int lite_exec(struct db *db, const char *sql, struct err *e)
{
    char *msg = NULL;
    int rc = sqlite3_exec(conn_of(db), sql, NULL, NULL, &msg);
    lite_committed();
    if (rc == SQLITE_OK)
        return 0;
    sqlite3_free(msg);          /* the same text is in sqlite3_errmsg() */
    return lite_fail(conn_of(db), e);
}

/* Before the first connection: no global memory statistics (they take a process-wide mutex on
 * every sqlite3_malloc, which two request threads then fight over). */
static pthread_once_t lite_once = PTHREAD_ONCE_INIT;

static void lite_configure(void)
{
    if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
        return;                 /* SQLite was initialised already: keep its defaults */
}

static int lite_open(struct db *db, const char *path, struct err *e)
{
    static const char setup[] = "PRAGMA busy_timeout=5000; PRAGMA journal_mode=WAL; "
                                "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;";
    sqlite3 *c = NULL;
    pthread_once(&lite_once, lite_configure);
    int rc = sqlite3_open_v2(path, &c,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(c, 1);
        sqlite3_commit_hook(c, lite_commit_hook, NULL);
        db->conn = c;
        if (lite_exec(db, setup, e) == 0)   /* also the first read: "file is not a database" */
            return 0;
    } else {
        char detail[256];
        snprintf(detail, sizeof detail, "sqlite %d: %s", rc,
                 c != NULL ? sqlite3_errmsg(c) : sqlite3_errstr(rc));
        db_fail(e, ERR_UNAVAILABLE, detail);
    }
    sqlite3_close(c);
    db->conn = NULL;
    return err_set(e, ERR_UNAVAILABLE, "db.cannot_open");   /* keeps the detail */
}

static void lite_close(struct db *db)
{
    if (sqlite3_close(conn_of(db)) != SQLITE_OK)   /* only with statements left open */
        sqlite3_close_v2(conn_of(db));
}

static struct db_stmt *lite_prepare(struct db *db, const char *sql, bool plan_each,
                                    struct err *e)
{
    (void)plan_each;                    /* PostgreSQL only */
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v3(conn_of(db), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) !=
        SQLITE_OK) {
        lite_fail(conn_of(db), e);
        return NULL;
    }
    if (stmt == NULL) {         /* only whitespace or comments */
        db_fail(e, ERR_INTERNAL, "empty SQL statement");
        return NULL;
    }
    struct lite_stmt *st = xcalloc(1, sizeof *st);
    st->stmt = stmt;
    return &st->base;
}

static void lite_destroy(struct db_stmt *st)
{
    sqlite3_finalize(lite(st)->stmt);
    free(lite(st));
}

/* sqlite3_reset() repeats the last step's error; that error was reported then. */
static void lite_reset(struct db_stmt *st)
{
    (void)sqlite3_reset(lite(st)->stmt);
}

static void lite_clear(struct db_stmt *st)
{
    (void)sqlite3_reset(lite(st)->stmt);
    (void)sqlite3_clear_bindings(lite(st)->stmt);
    lite(st)->changes = 0;
}

static int lite_bind(struct db_stmt *base, int idx, const struct db_value *v)
{
    sqlite3_stmt *s = lite(base)->stmt;
    int rc;

    switch (v->type) {
    case DB_T_I64:
        rc = sqlite3_bind_int64(s, idx, v->i);
        break;
    case DB_T_DOUBLE:
        rc = sqlite3_bind_double(s, idx, v->d);
        break;
    case DB_T_TEXT:
        rc = sqlite3_bind_text64(s, idx, v->s, v->n, SQLITE_TRANSIENT, SQLITE_UTF8);
        break;
    default:
        rc = sqlite3_bind_null(s, idx);
        break;
    }
    if (rc == SQLITE_OK)
        return 0;
    if (rc == SQLITE_RANGE)
        snprintf(base->bind_error, sizeof base->bind_error,
                 "parameter %d out of range (statement has %d)", idx,
                 sqlite3_bind_parameter_count(s));
    else
        snprintf(base->bind_error, sizeof base->bind_error, "bind of parameter %d: %s", idx,
                 sqlite3_errstr(rc));
    return -1;
}

static int lite_step(struct db_stmt *base, struct err *e)
{
    struct lite_stmt *st = lite(base);
    if (base->db->snapshot && !sqlite3_stmt_readonly(st->stmt))
        db_snapshot_end(base->db);          /* a write outside db_begin runs on its own */
    int rc = sqlite3_step(st->stmt);
    lite_committed();

    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE) {
        /* sqlite3_changes() is per connection: only a writing statement may claim it. */
        if (!sqlite3_stmt_readonly(st->stmt))
            st->changes = sqlite3_changes64(conn_of(base->db));
        return DB_DONE;
    }
    lite_fail(conn_of(base->db), e);
    return DB_ERROR;
}

static int lite_col_count(const struct db_stmt *st)
{
    return sqlite3_column_count(lite(st)->stmt);
}

static bool lite_col_is_null(const struct db_stmt *st, int col)
{
    return sqlite3_column_type(lite(st)->stmt, col) == SQLITE_NULL;
}

static int64_t lite_col_i64(const struct db_stmt *st, int col)
{
    return sqlite3_column_int64(lite(st)->stmt, col);
}

static double lite_col_double(const struct db_stmt *st, int col)
{
    return sqlite3_column_double(lite(st)->stmt, col);
}

static const char *lite_col_text(const struct db_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(lite(st)->stmt, col);
}

static const char *lite_col_name(const struct db_stmt *st, int col)
{
    return sqlite3_column_name(lite(st)->stmt, col);
}

static int64_t lite_changes(const struct db_stmt *st)
{
    return lite(st)->changes;
}

static int lite_begin(struct db *db, struct err *e)
{
    return lite_exec(db, "BEGIN IMMEDIATE", e);
}

static int lite_commit(struct db *db, struct err *e)
{
    return lite_exec(db, "COMMIT", e);
}

static bool lite_in_tx(const struct db *db)
{
    return !sqlite3_get_autocommit(conn_of(db));
}

/* Some errors (SQLITE_FULL, IOERR, NOMEM) roll back by themselves; then there is nothing left. */
static void lite_rollback(struct db *db)
{
    struct err e = ERR_INIT;
    if (lite_in_tx(db) && lite_exec(db, "ROLLBACK", &e) != 0)
        log_warn("db", "sqlite rollback failed: %s", e.detail);
}

/* A deferred BEGIN takes no lock yet: the first read takes the WAL read lock and keeps it (one
 * snapshot) until the COMMIT, instead of every statement locking and unlocking on its own. */
static int lite_snapshot_begin(struct db *db)
{
    struct err e = ERR_INIT;
    return lite_exec(db, "BEGIN", &e);
}

/* Nothing was written, so COMMIT and ROLLBACK end it alike; if COMMIT fails (a statement is
 * still running), ROLLBACK, so that no later write can land in a transaction nobody commits. */
static void lite_snapshot_end(struct db *db)
{
    struct err e = ERR_INIT;
    if (!lite_in_tx(db) || lite_exec(db, "COMMIT", &e) == 0)
        return;
    log_warn("db", "sqlite: ending a read snapshot: %s", e.detail);
    lite_rollback(db);
}

const struct db_ops db_sqlite_ops = {
    .name = "sqlite",
    .kind = DB_SQLITE,
    .check = NULL,
    .open = lite_open,
    .close = lite_close,
    .ensure = NULL,
    .prepare = lite_prepare,
    .destroy = lite_destroy,
    .reset = lite_reset,
    .clear = lite_clear,
    .bind = lite_bind,
    .step = lite_step,
    .col_count = lite_col_count,
    .col_is_null = lite_col_is_null,
    .col_i64 = lite_col_i64,
    .col_double = lite_col_double,
    .col_text = lite_col_text,
    .col_name = lite_col_name,
    .changes = lite_changes,
    .exec = lite_exec,
    .begin = lite_begin,
    .commit = lite_commit,
    .rollback = lite_rollback,
    .in_tx = lite_in_tx,
    .snapshot_begin = lite_snapshot_begin,
    .snapshot_end = lite_snapshot_end,
};
