/* backup_internal.h: what the backup feature's files share; other modules use backup.h.
 * The two commands share the CLI pieces of backup_cli.c; both need each database engine:
 *
 * SQLite (backup_sqlite.c) works on file paths with its own sqlite3 connections, because the
 * online backup API, PRAGMA integrity_check and file locks are below db.h's level.
 * PostgreSQL (backup_pg.c) runs pg_dump / pg_restore as child processes connected by a pipe,
 * so no plaintext dump ever touches the disk.
 * Threads: main thread only (children are forked, signal masks changed). */
#ifndef DJ_BACKUP_INTERNAL_H
#define DJ_BACKUP_INTERNAL_H
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct backup_meta;
struct db;
struct err;

#define AUDIT_SINCE_SCHEMA 2          /* migration 0002 created audit_log */

/* ---- CLI pieces (backup_cli.c) ---- */

/* Registers the messages, holds SIGINT/SIGTERM/SIGHUP (and ignores SIGPIPE), loads and
 * installs the key file (keys_load: never a new one). Call backup_cli_end() whatever it says. */
int backup_cli_begin(sigset_t *old, struct err *e) __attribute__((warn_unused_result));
/* Prints out (JSON, consumed; NULL: prints e), drops the keys, restores the signal mask (a held
 * signal is delivered here). Returns the exit code. */
int backup_cli_end(json_t *out, const struct err *e, const sigset_t *old);
/* FILE plus, if allow_check, --check; -1 on anything else (a usage error). */
int backup_cli_args(int argc, char **argv, bool allow_check, const char **file, bool *check);
/* "backup.interrupted" once a held signal is pending. */
int backup_cli_interrupted(struct err *e);
int backup_cli_write(int fd, const void *p, size_t n, const char *what, struct err *e);
/* A new 0600 file "<path><tag>XXXXXX"; *tmp is the caller's. */
int backup_cli_temp(const char *path, const char *tag, char **tmp, int *fd, struct err *e);
bool backup_cli_is_sqlite(const char *url);
/* Appends an audit entry (actor "cli") to the database at url. changes borrowed. */
int backup_cli_audit(const char *url, const char *action, json_t *changes, struct err *e);
/* The restored database's last step, in one transaction: every session ends (a session revoked
 * after the backup was taken must not come back to life) and "backup.restore" is audited with
 * changes (borrowed; gets "sessions_ended"). */
int backup_cli_restored(struct db *db, json_t *changes, struct err *e)
    __attribute__((warn_unused_result));
json_t *backup_cli_meta_json(const struct backup_meta *m);      /* new reference */

/* Called now and then during long copies; returns -1 (with e filled) to stop. */
typedef int (*backup_progress_fn)(void *ctx, uint64_t done, uint64_t total, struct err *e);

/* ---- SQLite ---- */

/* Copies the database at src into the empty file dst in one read transaction of src: a
 * consistent snapshot while other processes keep writing (WAL). Checks the copy with
 * PRAGMA quick_check. *schema_version: the copy's newest migration. Fails with "db.cannot_open"
 * when src does not exist, "backup.not_dangjian" without schema_migrations. */
int backup_sqlite_snapshot(const char *src, const char *dst, backup_progress_fn fn, void *ctx,
                           int *schema_version, struct err *e) __attribute__((warn_unused_result));
/* PRAGMA integrity_check + foreign_key_check of a restored file; its schema version. */
int backup_sqlite_check(const char *path, int *schema_version, struct err *e)
    __attribute__((warn_unused_result));

/* An exclusive lock on the database a restore replaces. backup_sqlite_lock() fails with
 * ERR_CONFLICT "backup.in_use" while another connection (a running server) has it open, and
 * refuses a file that is not a dangjian database. *out is NULL when target does not exist. */
struct backup_lock;
int backup_sqlite_lock(const char *target, struct backup_lock **out, struct err *e)
    __attribute__((warn_unused_result));
/* Renames tmp over target (atomic) under the lock, after moving the old database out of WAL
 * mode so no stale -wal/-shm can be applied to the new file. l may be NULL (new target). */
int backup_sqlite_swap(struct backup_lock *l, const char *tmp, const char *target, struct err *e)
    __attribute__((warn_unused_result));
void backup_sqlite_unlock(struct backup_lock *l);            /* NULL is fine */
/* Unlinks path and its -wal, -shm and -journal files (whichever exist). */
void backup_sqlite_remove(const char *path);

/* ---- PostgreSQL ---- */

struct backup_child {
    pid_t pid;        /* 0: none */
    int fd;           /* our end of the pipe: read pg_dump's stdout / write pg_restore's stdin */
    char tool[16];    /* "pg_dump" | "pg_restore", for messages */
};

/* Starts pg_dump --format=custom on conninfo (a URL or key=value string; a password in it is
 * passed through PGPASSWORD, never on the command line). "backup.pg_tool_missing" if neither
 * /usr/lib/postgresql/N/bin nor PATH has the tool. */
int backup_pg_dump_start(const char *conninfo, struct backup_child *c, struct err *e)
    __attribute__((warn_unused_result));
/* Starts pg_restore --clean --if-exists --single-transaction --no-owner reading our pipe. */
int backup_pg_restore_start(const char *conninfo, struct backup_child *c, struct err *e)
    __attribute__((warn_unused_result));
/* Closes our end and waits. abort: kill the child first (a restore then rolls back). Fails
 * with "backup.pg_failed" unless the child exited with status 0 (and abort was false). */
int backup_child_finish(struct backup_child *c, int abort, struct err *e);
/* 0 if no other session is connected to the database; ERR_CONFLICT "backup.in_use" if some
 * are. db is an open connection to it. */
int backup_pg_check_idle(struct db *db, struct err *e) __attribute__((warn_unused_result));

#endif
