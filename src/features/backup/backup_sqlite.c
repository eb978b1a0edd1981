/* backup_sqlite.c: the SQLite side of backup and restore (see backup_internal.h).
 *
 * Snapshot: sqlite3_backup_* copies pages from a connection that holds one read transaction
 * for the whole copy. In WAL mode that transaction sees one commit point while a running
 * server keeps writing, and because the source connection never sees a change, the copy never
 * restarts. Steps of 1024 pages let the caller show progress and stop on a signal.
 *
 * Replacing: a connection in EXCLUSIVE locking mode needs the database file's exclusive lock
 * before its first read; every WAL connection of a running server holds a shared lock on the
 * file for as long as it is open, so failing to get it means "in use". Under that lock the old
 * database leaves WAL mode (SQLite checkpoints and deletes its -wal), then rename() puts the
 * new file in place in one step: a reader sees the old database or the new one, never a mix,
 * and no stale -wal can be replayed onto the new file. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "features/backup/backup_internal.h"

#define STEP_PAGES 1024

struct backup_lock {
    sqlite3 *c;
};

static int lite_err(sqlite3 *c, enum err_code code, const char *key, struct err *e)
{
    err_set(e, code, key);
    err_detail(e, "sqlite %d: %s", sqlite3_extended_errcode(c), sqlite3_errmsg(c));
    return -1;
}

static int open_db(const char *path, int flags, sqlite3 **out, struct err *e)
{
    *out = NULL;
    if (sqlite3_open_v2(path, out, flags, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(*out, 5000);
        return 0;
    }
    err_set(e, ERR_INVALID, "db.cannot_open");
    err_detail(e, "%s: %s", path, *out != NULL ? sqlite3_errmsg(*out) : "out of memory");
    sqlite3_close(*out);
    *out = NULL;
    return -1;
}

static int exec(sqlite3 *c, const char *sql, struct err *e)
{
    if (sqlite3_exec(c, sql, NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    return lite_err(c, ERR_INTERNAL, "db.error", e);
}

/* Newest applied migration; "backup.not_dangjian" when there is no schema_migrations table. */
static int schema_version(sqlite3 *c, int *out, struct err *e)
{
    static const char sql[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c, sql, -1, &st, NULL) != SQLITE_OK) {
        bool missing = strstr(sqlite3_errmsg(c), "no such table") != NULL;
        return lite_err(c, missing ? ERR_INVALID : ERR_INTERNAL,
                        missing ? "backup.not_dangjian" : "db.error", e);
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : lite_err(c, ERR_INTERNAL, "db.error", e);
}

/* Runs a checking PRAGMA. want_ok: one row "ok" (integrity/quick_check); else no rows at all
 * (foreign_key_check). The first problem reported goes to e's detail. */
static int check_pragma(sqlite3 *c, const char *sql, bool want_ok, struct err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c, sql, -1, &st, NULL) != SQLITE_OK)
        return lite_err(c, ERR_INVALID, "backup.integrity", e);
    int rc = sqlite3_step(st);
    const char *first = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    bool good = want_ok ? (rc == SQLITE_ROW && first != NULL && strcmp(first, "ok") == 0)
                        : rc == SQLITE_DONE;
    if (!good) {
        err_set(e, ERR_INVALID, "backup.integrity");
        err_detail(e, "%s: %s", sql, first != NULL ? first : sqlite3_errmsg(c));
    }
    sqlite3_finalize(st);
    return good ? 0 : -1;
}

static int copy_pages(sqlite3 *dst, sqlite3 *src, backup_progress_fn fn, void *ctx,
                      struct err *e)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (b == NULL)
        return lite_err(dst, ERR_INTERNAL, "backup.snapshot_failed", e);
    int rc;
    while ((rc = sqlite3_backup_step(b, STEP_PAGES)) != SQLITE_DONE) {
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(10);
        else if (rc != SQLITE_OK)
            break;
        int total = sqlite3_backup_pagecount(b), left = sqlite3_backup_remaining(b);
        if (fn != NULL && fn(ctx, (uint64_t)(total - left), (uint64_t)total, e) != 0) {
            sqlite3_backup_finish(b);
            return -1;
        }
    }
    if (sqlite3_backup_finish(b) != SQLITE_OK || rc != SQLITE_DONE)
        return lite_err(dst, ERR_INTERNAL, "backup.snapshot_failed", e);
    return 0;
}

int backup_sqlite_snapshot(const char *src, const char *dst, backup_progress_fn fn, void *ctx,
                           int *schema_version_out, struct err *e)
{
    sqlite3 *s = NULL, *d = NULL, *q = NULL;
    int rc = -1;
    /* The read transaction starts with the first SELECT and lasts until COMMIT: every page
     * copied comes from that one commit point. */
    if (open_db(src, SQLITE_OPEN_READWRITE, &s, e) != 0 || exec(s, "BEGIN", e) != 0 ||
        schema_version(s, schema_version_out, e) != 0)
        goto done;
    if (open_db(dst, SQLITE_OPEN_READWRITE, &d, e) != 0 ||
        exec(d, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF", e) != 0 ||
        copy_pages(d, s, fn, ctx, e) != 0 || exec(s, "COMMIT", e) != 0)
        goto done;
    sqlite3_close(d);
    d = NULL;
    if (open_db(dst, SQLITE_OPEN_READWRITE, &q, e) != 0 ||
        check_pragma(q, "PRAGMA quick_check", true, e) != 0)
        goto done;
    rc = 0;
done:
    sqlite3_close(q);
    sqlite3_close(d);
    sqlite3_close(s);    /* rolls back the read transaction if still open */
    return rc;
}

int backup_sqlite_check(const char *path, int *version, struct err *e)
{
    sqlite3 *c = NULL;
    int rc = -1;
    if (open_db(path, SQLITE_OPEN_READWRITE, &c, e) == 0 &&
        check_pragma(c, "PRAGMA integrity_check", true, e) == 0 &&
        check_pragma(c, "PRAGMA foreign_key_check", false, e) == 0 &&
        schema_version(c, version, e) == 0)
        rc = 0;
    sqlite3_close(c);
    return rc;
}

/* Whether the locked database is one a restore may replace: ours, or an empty file. */
static int check_target(sqlite3 *c, struct err *e)
{
    static const char sql[] = "SELECT COUNT(*), COALESCE(SUM(name = 'schema_migrations'), 0) "
                              "FROM sqlite_schema WHERE type = 'table'";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c, sql, -1, &st, NULL) != SQLITE_OK)
        return lite_err(c, ERR_INVALID, "backup.target_not_dangjian", e);
    int rc = sqlite3_step(st);
    bool ok = rc == SQLITE_ROW &&
              (sqlite3_column_int(st, 0) == 0 || sqlite3_column_int(st, 1) == 1);
    sqlite3_finalize(st);
    return ok ? 0 : err_set(e, ERR_INVALID, "backup.target_not_dangjian");
}

int backup_sqlite_lock(const char *target, struct backup_lock **out, struct err *e)
{
    *out = NULL;
    struct stat st;
    if (stat(target, &st) != 0) {
        if (errno == ENOENT)
            return 0;
        err_set(e, ERR_INVALID, "db.cannot_open");
        err_detail(e, "%s: %s", target, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode))
        return err_set(e, ERR_INVALID, "backup.target_not_dangjian");
    sqlite3 *c = NULL;
    if (open_db(target, SQLITE_OPEN_READWRITE, &c, e) != 0)
        return -1;
    sqlite3_busy_timeout(c, 300);
    int rc = sqlite3_exec(c, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        int base = sqlite3_extended_errcode(c) & 0xff;
        if (base == SQLITE_BUSY || base == SQLITE_LOCKED)
            lite_err(c, ERR_CONFLICT, "backup.in_use", e);
        else
            lite_err(c, ERR_INVALID, "backup.target_not_dangjian", e);
        sqlite3_close(c);
        return -1;
    }
    if (check_target(c, e) != 0) {
        sqlite3_close(c);
        return -1;
    }
    *out = xmalloc(sizeof **out);
    (*out)->c = c;
    return 0;
}

/* Takes the locked database out of WAL mode (checkpointing it), keeping the lock. */
static int leave_wal(sqlite3 *c, struct err *e)
{
    sqlite3_stmt *st = NULL;
    if (exec(c, "COMMIT", e) != 0)
        return -1;
    if (sqlite3_prepare_v2(c, "PRAGMA journal_mode=DELETE", -1, &st, NULL) != SQLITE_OK)
        return lite_err(c, ERR_CONFLICT, "backup.in_use", e);
    int rc = sqlite3_step(st);
    bool ok = rc == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL &&
              strcmp((const char *)sqlite3_column_text(st, 0), "delete") == 0;
    sqlite3_finalize(st);
    return ok ? 0 : lite_err(c, ERR_CONFLICT, "backup.in_use", e);
}

static void unlink_side_files(const char *path)
{
    static const char *const suffix[] = {"-wal", "-shm", "-journal"};
    size_t n = strlen(path) + 16;
    char *p = xmalloc(n);
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        snprintf(p, n, "%s%s", path, suffix[i]);
        if (unlink(p) != 0 && errno != ENOENT)
            fprintf(stderr, "dangjian: cannot remove %s: %s\n", p, strerror(errno));
    }
    free(p);
}

void backup_sqlite_remove(const char *path)
{
    if (unlink(path) != 0 && errno != ENOENT)
        fprintf(stderr, "dangjian: cannot remove %s: %s\n", path, strerror(errno));
    unlink_side_files(path);
}

static void sync_dir_of(const char *path)
{
    char *copy = xstrdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);    /* best effort: some file systems refuse fsync on directories */
        close(fd);
    }
    free(copy);
}

int backup_sqlite_swap(struct backup_lock *l, const char *tmp, const char *target, struct err *e)
{
    if (l != NULL && leave_wal(l->c, e) != 0)
        return -1;
    unlink_side_files(target);    /* stale: the old database is out of WAL mode, or absent */
    if (rename(tmp, target) != 0) {
        err_set(e, ERR_INTERNAL, "backup.cannot_replace");
        err_detail(e, "%s: %s", target, strerror(errno));
        return -1;
    }
    sync_dir_of(target);
    return 0;
}

void backup_sqlite_unlock(struct backup_lock *l)
{
    if (l == NULL)
        return;
    sqlite3_close(l->c);
    free(l);
}
