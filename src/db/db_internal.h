/* db_internal.h: what db.c shares with the two drivers (db_sqlite.c, db_pg.c).
 *
 * db.c owns everything engine-neutral: URL parsing, the statement cache, sticky bind errors and
 * the transaction flag. A driver fills a struct db_ops and embeds struct db_stmt as the first
 * member of its own statement struct, so db.c can hand statements back and forth without
 * knowing the engine. Drivers never touch the cache except through db_cache_drop().
 * Threads: as db.h (a connection and its statements belong to one thread at a time). */
#ifndef DJ_DB_INTERNAL_H
#define DJ_DB_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

enum db_type { DB_T_NULL, DB_T_I64, DB_T_DOUBLE, DB_T_TEXT };

/* One value to bind. `s` is borrowed for the duration of the bind call only. */
struct db_value {
    enum db_type type;
    int64_t i;
    double d;
    const char *s;
    size_t n;
};

/* Engine-neutral part of a statement; drivers embed it first. */
struct db_stmt {
    struct db *db;
    const char *key;          /* cache key: the caller's SQL pointer (borrowed) */
    char *sql;                /* copy of the caller's text, to catch a reused key buffer */
    bool cached;              /* lives in db->buckets; finalize returns it there */
    bool in_use;              /* handed out by db_prepare, not finalized yet */
    bool stepped;             /* stepped since the last reset: binding now is a misuse */
    char bind_error[128];     /* sticky, reported by db_step; "" = none */
    struct db_stmt *next;     /* hash chain */
};

struct db_ops {
    const char *name;         /* "sqlite" | "postgresql" */
    enum db_kind kind;
    /* Validates target without connecting; NULL when any non-empty target will do. */
    int (*check)(const char *target, struct err *e);
    /* target: the path (SQLite) or the conninfo/URI (PostgreSQL). Fills db->conn. */
    int (*open)(struct db *db, const char *target, struct err *e);
    void (*close)(struct db *db);
    /* Makes sure the connection is usable (PostgreSQL: one PQreset when it is bad). */
    int (*ensure)(struct db *db, struct err *e);
    /* Returns a new statement with only the driver fields set, or NULL with e filled.
     * plan_each: see db_prepare_each (PostgreSQL only). */
    struct db_stmt *(*prepare)(struct db *db, const char *sql, bool plan_each, struct err *e);
    void (*destroy)(struct db_stmt *st);
    void (*reset)(struct db_stmt *st);            /* keeps bindings */
    void (*clear)(struct db_stmt *st);            /* reset and clear bindings */
    /* 0, or -1 with a message in st->bind_error. */
    int (*bind)(struct db_stmt *st, int idx, const struct db_value *v);
    int (*step)(struct db_stmt *st, struct err *e);
    int (*col_count)(const struct db_stmt *st);
    bool (*col_is_null)(const struct db_stmt *st, int col);
    int64_t (*col_i64)(const struct db_stmt *st, int col);
    double (*col_double)(const struct db_stmt *st, int col);
    const char *(*col_text)(const struct db_stmt *st, int col);
    const char *(*col_name)(const struct db_stmt *st, int col);
    int64_t (*changes)(const struct db_stmt *st);
    int (*exec)(struct db *db, const char *sql, struct err *e);
    int (*begin)(struct db *db, struct err *e);
    /* Returns 0 only if the transaction really committed. */
    int (*commit)(struct db *db, struct err *e);
    void (*rollback)(struct db *db);
    bool (*in_tx)(const struct db *db);          /* the engine's own view */
    /* Optional (NULL: db_snapshot_begin does nothing): a read transaction for several reads. */
    int (*snapshot_begin)(struct db *db);
    void (*snapshot_end)(struct db *db);
};

struct db {
    const struct db_ops *ops;
    void *conn;                   /* the driver's connection state */
    bool in_tx;                   /* between db_begin and db_commit/db_rollback */
    bool snapshot;                /* between db_snapshot_begin and db_snapshot_end */
    bool closing;                 /* db_close is dropping the cache: skip server clean-up */
    struct db_stmt **buckets;     /* statement cache, chained, keyed by SQL pointer */
    size_t nbuckets;              /* power of two */
    size_t ncached;
};

extern const struct db_ops db_sqlite_ops;
extern const struct db_ops db_pg_ops;

/* Destroys every cached statement not in use and detaches those in use (they are destroyed by
 * db_finalize). PostgreSQL calls it after a reconnect: the server forgot its statements. */
void db_cache_drop(struct db *db);

/* Fills e for a driver failure: code and key from the mapping in db.h, driver text in detail. */
int db_fail(struct err *e, enum err_code code, const char *detail);

/* Rewrites `?` and `?NNN` to `$n` outside quotes and comments. Returns the new text (caller
 * frees) and the highest parameter number in *nparams; NULL if there are more than 65535. */
char *db_sql_to_dollar(const char *sql, int *nparams);

#endif
