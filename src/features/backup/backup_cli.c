/* backup_cli.c: `dangjian backup FILE`, and the pieces it shares with `dangjian restore`
 * (backup_cli_restore.c): messages, signals, the key file, temp files, audit entries.
 *
 * backup: SQLite is copied to a snapshot file next to the database (the plaintext never leaves
 * the database's directory, and its name is removed as soon as it is open), PostgreSQL is read
 * from pg_dump through a pipe; either way the bytes go into FILE.tmp-XXXXXX, which is read back
 * and verified before it is renamed to FILE. A failed or interrupted backup leaves no file.
 * Every temp file is removed on every exit path. SIGINT/SIGTERM/SIGHUP are held while we work:
 * loops notice them between chunks, clean up, and the signal is delivered on the way out.
 * Key file: keys_load() only. A missing key file is an error, never a fresh one: a backup made
 * with keys nobody has saved would be unreadable. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth/audit.h"
#include "core/cli.h"
#include "core/config.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/xalloc.h"
#include "crypto/keys.h"
#include "crypto/password.h"
#include "db/db.h"
#include "db/migrate.h"
#include "features/backup/backup.h"
#include "features/backup/backup_internal.h"

#ifndef DJ_VERSION
#define DJ_VERSION "dev"
#endif

#define PROGRESS_MIN_BYTES (64ull << 20)

static const char USAGE_BACKUP[] =
    "usage: dangjian backup FILE [--db URL] [--keys FILE]\n"
    "  writes an encrypted, signed backup of the database to FILE (prints JSON)\n";

static const struct i18n_msg MSGS[] = {
    {"backup.no_keys", "无法读取密钥文件：备份的加密和签名都依赖它（可用 --keys 指定其位置）", "Cannot read the key file: backups are encrypted and signed with it (point to it with --keys FILE)"},
    {"backup.keys_too_open", "密钥文件权限过宽（其他用户可读），请执行 chmod 600", "The key file is readable by other users; chmod 600 it"},
    {"backup.keys_malformed", "密钥文件格式错误，不是 dangjian 密钥文件", "The key file is malformed (not a dangjian key file)"},
    {"backup.empty", "备份文件为空（0 字节），未做任何更改", "The backup file is empty (0 bytes); nothing was changed"},
    {"backup.not_backup", "该文件不是 dangjian 备份文件，未做任何更改", "This file is not a dangjian backup; nothing was changed"},
    {"backup.not_regular", "备份必须是普通文件", "The backup must be a regular file"},
    {"backup.newer_format", "该备份使用了本程序不认识的格式（由更新版本制作，或已损坏），未做任何更改", "This backup uses a format this dangjian does not read (made by a newer version, or damaged); nothing was changed"},
    {"backup.foreign_keys", "该备份不是用本系统的密钥制作的（或文件头已损坏），未做任何更改；请使用制作备份时的密钥文件（--keys）", "This backup was not made with this installation's keys (or its header is damaged); nothing was changed. Use the key file it was made with (--keys FILE)"},
    {"backup.damaged", "备份文件已损坏或被篡改（签名/完整性校验失败），未做任何更改", "The backup is damaged or has been altered (signature/integrity check failed); nothing was changed"},
    {"backup.cannot_read", "无法读取备份文件", "Cannot read the backup file"},
    {"backup.cannot_write", "无法写入文件（磁盘已满？）", "Cannot write the file (disk full?)"},
    {"backup.cannot_create", "无法创建临时文件（目录不存在或无权限？）", "Cannot create a temporary file (missing directory or no permission?)"},
    {"backup.bad_metadata", "内部错误：备份元数据无效", "Internal error: invalid backup metadata"},
    {"backup.engine_mismatch", "备份与目标数据库类型不同（SQLite 与 PostgreSQL 的备份不能互换），未做任何更改", "The backup is of another database engine than --db (SQLite and PostgreSQL backups are not interchangeable); nothing was changed"},
    {"backup.schema_too_new", "备份的数据库结构版本比本程序新，请先升级 dangjian，未做任何更改", "The backup's schema version is newer than this dangjian knows; upgrade dangjian first. Nothing was changed"},
    {"backup.in_use", "数据库正在使用中（dangjian 服务是否在运行？），请先停止服务再恢复；未做任何更改", "The database is in use (is a dangjian server running?); stop it, then restore. Nothing was changed"},
    {"backup.not_dangjian", "这不是 dangjian 数据库（缺少 schema_migrations）", "This is not a dangjian database (no schema_migrations table)"},
    {"backup.target_not_dangjian", "目标文件已存在但不是 dangjian 数据库；为避免覆盖其他数据，请先将其移走", "The target exists but is not a dangjian database; move it away first (restore never overwrites other data)"},
    {"backup.integrity", "备份中的数据库未通过完整性检查，未做任何更改", "The database in the backup fails its integrity check; nothing was changed"},
    {"backup.snapshot_failed", "无法生成数据库快照", "Cannot take a snapshot of the database"},
    {"backup.cannot_replace", "无法替换数据库文件，原数据库保持不变", "Cannot replace the database file; the old database is unchanged"},
    {"backup.pg_tool_missing", "找不到 PostgreSQL 工具 pg_dump/pg_restore，请安装 postgresql-client", "pg_dump/pg_restore not found; install postgresql-client"},
    {"backup.pg_failed", "pg_dump/pg_restore 执行失败（恢复在单个事务中进行，数据库保持原样）", "pg_dump/pg_restore failed (a restore runs in one transaction: the database was left as it was)"},
    {"backup.would_overwrite", "目标文件已存在且不是 dangjian 备份（数据库、密钥文件？），拒绝覆盖；请换一个文件名", "FILE exists and is not a dangjian backup (the database? the key file?); it will not be overwritten. Choose another name"},
    {"backup.interrupted", "操作被中断，未做任何更改", "Interrupted; nothing was changed"},
    {"backup.memory_db", "内存数据库无法备份或恢复", "An in-memory database cannot be backed up or restored"},
};

/* ---- shared pieces ---- */

static void hold_signals(sigset_t *old)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    sigaddset(&s, SIGTERM);
    sigaddset(&s, SIGHUP);
    sigprocmask(SIG_BLOCK, &s, old);
    signal(SIGPIPE, SIG_IGN);          /* a dead pg_restore shows up as EPIPE, not a crash */
}

int backup_cli_interrupted(struct err *e)
{
    sigset_t p;
    if (sigpending(&p) == 0 &&
        (sigismember(&p, SIGINT) == 1 || sigismember(&p, SIGTERM) == 1 ||
         sigismember(&p, SIGHUP) == 1))
        return err_set(e, ERR_INVALID, "backup.interrupted");
    return 0;
}

/* Loads the key file (never creates one) and installs it for audit_append's checkpoints. */
static int load_keys(struct err *e)
{
    char path[1024];
    struct keys *k = NULL;
    config_keys_path(config_get(), path, sizeof path);
    if (crypto_init(e) != 0)
        return -1;
    if (keys_load(path, &k, e) == 0) {
        keys_install(k);
        return 0;
    }
    const char *key = strcmp(e->message, "keys.too_open") == 0   ? "backup.keys_too_open"
                      : strcmp(e->message, "keys.malformed") == 0 ? "backup.keys_malformed"
                                                                  : "backup.no_keys";
    char detail[sizeof e->detail];
    snprintf(detail, sizeof detail, "%s", e->detail);
    err_clear(e);
    err_set(e, ERR_INVALID, key);
    err_detail(e, "%s", detail);
    return -1;
}

int backup_cli_write(int fd, const void *p, size_t n, const char *what, struct err *e)
{
    const unsigned char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            err_set(e, ERR_INTERNAL, errno == EPIPE ? "backup.pg_failed" : "backup.cannot_write");
            err_detail(e, "%s: %s", what, w < 0 ? strerror(errno) : "short write");
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* A temp file next to path: "<path><tag>XXXXXX", mode 0600. Caller frees *tmp. */
int backup_cli_temp(const char *path, const char *tag, char **tmp, int *fd, struct err *e)
{
    size_t n = strlen(path) + strlen(tag) + 8;
    *tmp = xmalloc(n);
    snprintf(*tmp, n, "%s%sXXXXXX", path, tag);
    *fd = mkstemp(*tmp);     /* mode 0600 */
    if (*fd >= 0 && fcntl(*fd, F_SETFD, FD_CLOEXEC) == 0)
        return 0;
    if (*fd >= 0) {
        close(*fd);
        unlink(*tmp);
    }
    err_set(e, ERR_INVALID, "backup.cannot_create");
    err_detail(e, "%s: %s", *tmp, strerror(errno));
    free(*tmp);
    *tmp = NULL;
    return -1;
}

static void iso_now(char *out, size_t cap)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool backup_cli_is_sqlite(const char *url)
{
    return strncmp(url, "sqlite:", 7) == 0;
}

int backup_cli_audit(const char *url, const char *action, json_t *changes, struct err *e)
{
    struct db *db = NULL;
    struct audit_who who = {"cli", NULL, NULL};
    int rc = -1;
    if (db_open(&db, url, e) == 0 && audit_append(db, &who, action, NULL, 0, changes, e) == 0)
        rc = 0;
    db_close(db);
    return rc;
}

static const char SQL_END_SESSIONS[] = "DELETE FROM sessions";

int backup_cli_restored(struct db *db, json_t *changes, struct err *e)
{
    struct db_stmt *st = NULL;
    struct audit_who who = {"cli", NULL, NULL};
    int rc = -1;
    if (db_begin(db, e) != 0)
        return -1;
    if (db_prepare(db, &st, SQL_END_SESSIONS, e) != 0 || db_step(st, e) != DB_DONE)
        goto done;
    json_object_set_new(changes, "sessions_ended", json_integer((json_int_t)db_changes(st)));
    if (audit_append(db, &who, "backup.restore", NULL, 0, changes, e) != 0)
        goto done;
    rc = db_commit(db, e);
done:
    db_finalize(st);
    if (rc != 0)
        db_rollback(db);
    return rc;
}

json_t *backup_cli_meta_json(const struct backup_meta *m)
{
    return json_pack("{s:s, s:i, s:s, s:s, s:I}", "engine", m->engine, "schema_version",
                     m->schema_version, "created_at", m->created_at, "app_version",
                     m->app_version, "key_id", (json_int_t)m->key_id);
}

int backup_cli_begin(sigset_t *old, struct err *e)
{
    i18n_register(MSGS, sizeof MSGS / sizeof MSGS[0]);
    hold_signals(old);
    return load_keys(e);
}

int backup_cli_end(json_t *out, const struct err *e, const sigset_t *old)
{
    int code = out != NULL ? CLI_OK : cli_fail(e);
    if (out != NULL)
        cli_print_json(out);
    json_decref(out);
    keys_uninstall();
    sigprocmask(SIG_SETMASK, old, NULL);     /* a held Ctrl-C ends the process here */
    return code;
}

/* Parses FILE and, for restore, --check. Returns -1 for a usage error. */
int backup_cli_args(int argc, char **argv, bool allow_check, const char **file, bool *check)
{
    *file = NULL;
    *check = false;
    for (int i = 1; i < argc; i++) {
        if (allow_check && cli_flag(argv, i, "check"))
            *check = true;
        else if (argv[i][0] == '-' || *file != NULL)
            return -1;
        else
            *file = argv[i];
    }
    return *file != NULL && (*file)[0] != '\0' ? 0 : -1;
}

/* ---- backup ---- */

struct progress {
    const char *what;
    int last_step;        /* last tenth printed */
};

static int show_progress(void *ctx, uint64_t done, uint64_t total, struct err *e)
{
    struct progress *p = ctx;
    if (backup_cli_interrupted(e) != 0)
        return -1;
    if (total == 0 || total < PROGRESS_MIN_BYTES / 4096)     /* pages: only big databases */
        return 0;
    int step = (int)(done * 10 / total);
    if (step > p->last_step) {
        p->last_step = step;
        fprintf(stderr, "%s: %d%%\n", p->what, step * 10);
    }
    return 0;
}

/* Copies everything readable from fd into the writer. */
static int pump(int fd, struct backup_writer *w, uint64_t total, struct err *e)
{
    unsigned char *buf = xmalloc(BACKUP_CHUNK_BYTES);
    struct progress p = {"backup: encrypting", 0};
    uint64_t done = 0;
    int rc = -1;
    for (;;) {
        ssize_t n = read(fd, buf, BACKUP_CHUNK_BYTES);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err_set(e, ERR_INTERNAL, "backup.snapshot_failed");
            err_detail(e, "read: %s", strerror(errno));
            break;
        }
        if (n == 0) {
            rc = 0;
            break;
        }
        done += (uint64_t)n;
        if (backup_writer_add(w, buf, (size_t)n, e) != 0 ||
            show_progress(&p, done / 4096, total / 4096, e) != 0)
            break;
    }
    sodium_memzero(buf, BACKUP_CHUNK_BYTES);
    free(buf);
    return rc;
}

/* Snapshot next to the database, then encrypt it into out_fd. */
static int backup_sqlite(const char *path, int out_fd, struct backup_meta *m,
                         struct backup_writer **w, struct err *e)
{
    char *snap = NULL;
    int sfd = -1, rc = -1;
    struct progress p = {"backup: copying", 0};
    if (strcmp(path, ":memory:") == 0)
        return err_set(e, ERR_INVALID, "backup.memory_db");
    if (backup_cli_temp(path, ".snapshot-", &snap, &sfd, e) != 0)
        return -1;
    close(sfd);
    sfd = -1;
    if (backup_sqlite_snapshot(path, snap, show_progress, &p, &m->schema_version, e) != 0)
        goto done;
    sfd = open(snap, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (sfd < 0 || fstat(sfd, &st) != 0) {
        err_set(e, ERR_INTERNAL, "backup.snapshot_failed");
        err_detail(e, "%s: %s", snap, strerror(errno));
        goto done;
    }
    backup_sqlite_remove(snap);      /* the open descriptor keeps the data until we close it */
    if (backup_writer_create(w, out_fd, keys_get(), m, e) != 0 ||
        pump(sfd, *w, (uint64_t)st.st_size, e) != 0)
        goto done;
    rc = 0;
done:
    if (sfd >= 0)
        close(sfd);
    backup_sqlite_remove(snap);
    free(snap);
    return rc;
}

static int backup_pg(const char *url, int out_fd, struct backup_meta *m,
                     struct backup_writer **w, struct err *e)
{
    struct db *db = NULL;
    struct backup_child child = {0};
    int rc = db_open(&db, url, e) == 0 && migrate_current(db, &m->schema_version, e) == 0 ? 0 : -1;
    db_close(db);
    if (rc != 0)
        return -1;
    if (m->schema_version == 0)
        return err_set(e, ERR_INVALID, "backup.not_dangjian");
    if (backup_writer_create(w, out_fd, keys_get(), m, e) != 0 ||
        backup_pg_dump_start(url, &child, e) != 0)
        return -1;
    rc = pump(child.fd, *w, 0, e);
    if (backup_child_finish(&child, rc != 0, e) != 0)
        rc = -1;
    return rc;
}

/* Reads the finished file back: what we wrote must verify before it gets its name. */
static int self_check(int fd, struct err *e)
{
    struct backup_meta m;
    return backup_verify(fd, keys_get(), &m, e) == 0 &&
                   backup_decrypt(fd, keys_get(), NULL, NULL, NULL, e) == 0
               ? 0
               : -1;
}

/* An existing FILE may only be an older backup: never the database, the key file or a folder. */
static int check_overwrite(const char *file, struct err *e)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return 0;
    bool ok = fd >= 0 && backup_has_magic(fd);
    if (fd >= 0)
        close(fd);
    if (ok)
        return 0;
    err_set(e, ERR_INVALID, "backup.would_overwrite");
    err_detail(e, "%s", file);
    return -1;
}

static json_t *backup_run(const char *file, struct err *e)
{
    const char *url = config_get()->db;
    struct backup_meta m = {.schema_version = 0};
    struct backup_writer *w = NULL;
    char *tmp = NULL, sha_hex[BACKUP_SHA256_BYTES * 2 + 1];
    unsigned char sha[BACKUP_SHA256_BYTES];
    uint64_t bytes = 0;
    int fd = -1;
    json_t *out = NULL;
    snprintf(m.engine, sizeof m.engine, "%s", backup_cli_is_sqlite(url) ? "sqlite" : "postgresql");
    snprintf(m.app_version, sizeof m.app_version, "%s", DJ_VERSION);
    iso_now(m.created_at, sizeof m.created_at);
    m.key_id = keys_sign_current(keys_get())->id;

    if (check_overwrite(file, e) != 0 || backup_cli_temp(file, ".tmp-", &tmp, &fd, e) != 0)
        return NULL;
    if ((backup_cli_is_sqlite(url) ? backup_sqlite(url + 7, fd, &m, &w, e) : backup_pg(url, fd, &m, &w, e)) != 0 ||
        backup_writer_finish(w, &bytes, sha, e) != 0)
        goto done;
    if (fsync(fd) != 0) {
        err_set(e, ERR_INTERNAL, "backup.cannot_write");
        err_detail(e, "%s: %s", tmp, strerror(errno));
        goto done;
    }
    if (backup_cli_interrupted(e) != 0 || self_check(fd, e) != 0)
        goto done;
    sodium_bin2hex(sha_hex, sizeof sha_hex, sha, sizeof sha);
    out = backup_cli_meta_json(&m);
    json_object_set_new(out, "file", json_string(file));
    json_object_set_new(out, "bytes", json_integer((json_int_t)bytes));
    json_object_set_new(out, "sha256", json_string(sha_hex));
    if (m.schema_version >= AUDIT_SINCE_SCHEMA && backup_cli_audit(url, "backup.create", out, e) != 0)
        goto done;
    if (rename(tmp, file) != 0) {
        err_set(e, ERR_INTERNAL, "backup.cannot_write");
        err_detail(e, "%s: %s", file, strerror(errno));
        goto done;
    }
    free(tmp);
    tmp = NULL;
done:
    backup_writer_destroy(w);
    if (fd >= 0)
        close(fd);
    if (tmp != NULL) {
        json_decref(out);
        out = NULL;
        unlink(tmp);
        free(tmp);
    }
    return out;
}

int backup_cli_backup(int argc, char **argv)
{
    const char *file;
    bool unused;
    struct err e = ERR_INIT;
    sigset_t old;
    if (backup_cli_args(argc, argv, false, &file, &unused) != 0)
        return cli_usage(USAGE_BACKUP);
    json_t *out = backup_cli_begin(&old, &e) == 0 ? backup_run(file, &e) : NULL;
    return backup_cli_end(out, &e, &old);
}

