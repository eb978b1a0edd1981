/* backup_cli_restore.c: `dangjian restore FILE [--check]`.
 *
 * (1) header, keys and signature over the whole file, before anything else is opened;
 * (2) for SQLite, an exclusive lock on the database (refused while a server has it open);
 * (3) decrypt into a 0600 temp file next to it; (4) integrity_check, foreign_key_check and the
 * schema version; (5) in the new file, every session ends (a session revoked after the backup
 * must not come back) and the restore is audited; (6) rename over the old one. PostgreSQL instead streams into pg_restore --single-transaction and audits after the
 * commit. Any failure before (6) leaves the database as it was and removes the temp file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cli.h"
#include "core/config.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "crypto/keys.h"
#include "db/db.h"
#include "db/migrate.h"
#include "features/backup/backup.h"
#include "features/backup/backup_internal.h"

static const char USAGE_RESTORE[] =
    "usage: dangjian restore FILE [--check] [--db URL] [--keys FILE]\n"
    "  verifies FILE, then replaces the database with its contents (stop the server first)\n"
    "  --check   only verify FILE (signature, integrity, metadata); change nothing\n";

static int sink_fd(void *ctx, const void *p, size_t n, struct err *e)
{
    if (backup_cli_interrupted(e) != 0)
        return -1;
    return backup_cli_write(*(int *)ctx, p, n, "restore", e);
}

/* The file that --db names, through symlinks when it exists (caller frees). */
static char *target_path(const char *path)
{
    char *real = realpath(path, NULL);
    return real != NULL ? real : xstrdup(path);
}

/* The restored file takes the old one's permissions and owner, not the temp file's 0600. */
static void copy_mode(int fd, const char *target)
{
    struct stat st;
    if (stat(target, &st) != 0)
        return;
    if (fchmod(fd, st.st_mode & 07777) != 0 ||
        ((st.st_uid != geteuid() || st.st_gid != getegid()) && fchown(fd, st.st_uid, st.st_gid) != 0))
        fprintf(stderr, "restore: could not give the restored file the old file's mode/owner: %s\n",
                strerror(errno));
}

/* Decrypt, check, audit: everything on the temp file, so the rename is the only change. */
static int restore_into_temp(int in, const char *tmp, int tfd, const struct backup_meta *m,
                             json_t *out, uint64_t *plain, struct err *e)
{
    int version = -1;
    if (backup_decrypt(in, keys_get(), sink_fd, &tfd, plain, e) != 0)
        return -1;
    if (fsync(tfd) != 0) {
        err_set(e, ERR_INTERNAL, "backup.cannot_write");
        return -1;
    }
    if (backup_sqlite_check(tmp, &version, e) != 0)
        return -1;
    if (version != m->schema_version) {
        err_set(e, ERR_INVALID, "backup.damaged");
        err_detail(e, "the database inside has schema %d, the header says %d", version,
                   m->schema_version);
        return -1;
    }
    if (version < AUDIT_SINCE_SCHEMA)
        return 0;
    size_t n = strlen(tmp) + 8;
    char *url = xmalloc(n);
    struct db *db = NULL;
    snprintf(url, n, "sqlite:%s", tmp);
    int rc = db_open(&db, url, e) == 0 && backup_cli_restored(db, out, e) == 0 ? 0 : -1;
    db_close(db);
    free(url);
    return rc;
}

static int restore_sqlite(int in, const char *path, const struct backup_meta *m, json_t *out,
                          uint64_t *plain, struct err *e)
{
    if (strcmp(path, ":memory:") == 0)
        return err_set(e, ERR_INVALID, "backup.memory_db");
    char *target = target_path(path), *tmp = NULL;
    struct backup_lock *lock = NULL;
    int tfd = -1, rc = -1;
    if (backup_sqlite_lock(target, &lock, e) != 0 ||
        backup_cli_temp(target, ".restore-", &tmp, &tfd, e) != 0 ||
        restore_into_temp(in, tmp, tfd, m, out, plain, e) != 0 || backup_cli_interrupted(e) != 0)
        goto done;
    copy_mode(tfd, target);
    rc = backup_sqlite_swap(lock, tmp, target, e);
done:
    if (tfd >= 0)
        close(tfd);
    if (tmp != NULL)
        backup_sqlite_remove(tmp);     /* after a successful swap only stray side files remain */
    backup_sqlite_unlock(lock);
    free(tmp);
    free(target);
    return rc;
}

static int restore_pg(int in, const char *url, const struct backup_meta *m, json_t *out,
                      uint64_t *plain, struct err *e)
{
    struct db *db = NULL;
    struct backup_child child = {0};
    int version = -1;
    int rc = db_open(&db, url, e) == 0 && backup_pg_check_idle(db, e) == 0 ? 0 : -1;
    db_close(db);
    if (rc != 0 || backup_pg_restore_start(url, &child, e) != 0)
        return -1;
    rc = backup_decrypt(in, keys_get(), sink_fd, &child.fd, plain, e);
    if (backup_child_finish(&child, rc != 0, e) != 0 || rc != 0)
        return -1;
    db = NULL;
    rc = db_open(&db, url, e) == 0 && migrate_current(db, &version, e) == 0 ? 0 : -1;
    if (rc == 0 && version != m->schema_version) {
        rc = err_set(e, ERR_INVALID, "backup.integrity");
        err_detail(e, "restored schema %d, the header says %d", version, m->schema_version);
    }
    if (rc == 0 && version >= AUDIT_SINCE_SCHEMA)
        rc = backup_cli_restored(db, out, e);
    db_close(db);
    return rc;
}

/* Steps (1) and the engine/schema checks, then the engine's restore. */
static json_t *restore_run(const char *file, bool check, struct err *e)
{
    const char *url = config_get()->db;
    const char *want = backup_cli_is_sqlite(url) ? "sqlite" : "postgresql";
    struct backup_meta m;
    uint64_t plain = 0;
    json_t *out = NULL;
    int rc = -1;
    int in = open(file, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        err_set(e, ERR_INVALID, "backup.cannot_read");
        err_detail(e, "%s: %s", file, strerror(errno));
        return NULL;
    }
    if (backup_verify(in, keys_get(), &m, e) != 0)
        goto done;
    out = backup_cli_meta_json(&m);
    json_object_set_new(out, "file", json_string(file));
    if (check) {
        rc = backup_decrypt(in, keys_get(), NULL, NULL, &plain, e);
        json_object_set_new(out, "ok", json_true());
    } else if (strcmp(m.engine, want) != 0) {
        err_set(e, ERR_INVALID, "backup.engine_mismatch");
        err_detail(e, "the backup is of a %s database, --db is %s", m.engine, want);
    } else if (m.schema_version > migrate_latest()) {
        err_set(e, ERR_INVALID, "backup.schema_too_new");
        err_detail(e, "backup schema %d, this dangjian knows up to %d", m.schema_version,
                   migrate_latest());
    } else {
        json_object_set_new(out, "db", json_string(want));
        rc = backup_cli_is_sqlite(url) ? restore_sqlite(in, url + 7, &m, out, &plain, e)
                            : restore_pg(in, url, &m, out, &plain, e);
    }
    json_object_set_new(out, "bytes", json_integer((json_int_t)plain));
done:
    close(in);
    if (rc != 0) {
        json_decref(out);
        out = NULL;
    }
    return out;
}

int backup_cli_restore(int argc, char **argv)
{
    const char *file;
    bool check;
    struct err e = ERR_INIT;
    sigset_t old;
    if (backup_cli_args(argc, argv, true, &file, &check) != 0)
        return cli_usage(USAGE_RESTORE);
    json_t *out = backup_cli_begin(&old, &e) == 0 ? restore_run(file, check, &e) : NULL;
    return backup_cli_end(out, &e, &old);
}
