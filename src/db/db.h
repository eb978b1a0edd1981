/* db.h: one small API over SQLite and PostgreSQL (ARCHITECTURE.md §4).
 *
 * Features write portable SQL with `?` placeholders; for PostgreSQL they are rewritten to $1..$n
 * (a `?` inside a quoted literal is left alone). Values are always bound, never pasted.
 * Statements are cached per connection, keyed by the SQL text pointer: features keep their SQL
 * in `static const char` strings, so db_prepare() of the same string is a hash lookup after the
 * first time and db_finalize() returns the statement to the cache (reset, bindings cleared).
 * If that statement is in use (the same SQL run inside its own row loop), db_prepare() gives a
 * fresh one that db_finalize() destroys. db_reset() keeps the bindings; binding a statement
 * that was stepped but not reset is an error (reported by db_step, like any bind error).
 *
 * Results: db_step() returns DB_ROW while rows remain, DB_DONE at the end, DB_ERROR (-1) with
 * `e` filled: unique and foreign-key violations are ERR_CONFLICT "db.conflict", NOT NULL and
 * CHECK violations ERR_INVALID "db.constraint", a lost connection (or SQLite still locked after
 * busy_timeout) ERR_UNAVAILABLE "db.unavailable", everything else ERR_INTERNAL "db.error".
 * The driver's text goes to e->detail (never row values: it gets logged).
 * Column getters are valid until the next db_step/db_reset/db_finalize of that statement;
 * copy (arena_strdup) what must live longer. PostgreSQL knows column names and count only after
 * the first db_step, and infers each parameter's type from its context: `? IS NULL` alone fails
 * there, write `CAST(? AS BIGINT) IS NULL`.
 *
 * Transactions: db_begin/db_commit/db_rollback; nesting is not supported (db_begin inside a
 * transaction fails with ERR_INTERNAL "db.nested_tx").
 *
 * URLs: "sqlite:PATH" (PATH may be ":memory:"), or "postgresql://..." / "postgres://..." or a
 * libpq key=value string ("host=... dbname=..."). SQLite connections use WAL, foreign_keys=ON,
 * busy_timeout=5000 ms.
 *
 * Threads: a struct db (connection) belongs to one thread at a time; never share one. */
#ifndef DJ_DB_H
#define DJ_DB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct err;
struct db;          /* opaque: one connection */
struct db_stmt;     /* opaque: one prepared statement */

enum db_kind { DB_SQLITE, DB_POSTGRES };
enum db_step_result { DB_ERROR = -1, DB_DONE = 0, DB_ROW = 1 };

/* Opens a connection. On failure *out is NULL and e says why ("db.bad_url", "db.cannot_open"). */
int db_open(struct db **out, const char *url, struct err *e) __attribute__((warn_unused_result));
void db_close(struct db *db);                               /* NULL is fine */
enum db_kind db_kind(const struct db *db);
const char *db_kind_name(const struct db *db);              /* "sqlite" | "postgresql" */
/* Checks the URL's form without connecting (used for CLI errors); 0 ok, -1 with e. */
int db_url_check(const char *url, struct err *e);

int db_prepare(struct db *db, struct db_stmt **out, const char *sql, struct err *e)
    __attribute__((warn_unused_result));
/* The same, but PostgreSQL plans the statement with its values at every run (an unnamed
 * statement: parse, bind and execute in one round trip) instead of settling on a generic plan
 * after five runs. For lookups whose best plan depends on a table that grows while the
 * statement is reused: a bulk import's IN-list lookups kept the sequential scan they were given
 * while members was small. SQLite plans with the bound values anyway: same as db_prepare. */
int db_prepare_each(struct db *db, struct db_stmt **out, const char *sql, struct err *e)
    __attribute__((warn_unused_result));
void db_finalize(struct db_stmt *st);                       /* NULL is fine */
void db_reset(struct db_stmt *st);                          /* rerun with new bindings */

/* Bind by 1-based index. Errors (index out of range) are sticky and reported by db_step. */
void db_bind_i64(struct db_stmt *st, int idx, int64_t v);
void db_bind_text(struct db_stmt *st, int idx, const char *s);   /* NULL binds SQL NULL */
void db_bind_textn(struct db_stmt *st, int idx, const char *s, size_t n);
void db_bind_double(struct db_stmt *st, int idx, double v);
void db_bind_null(struct db_stmt *st, int idx);
void db_bind_bool(struct db_stmt *st, int idx, bool v);          /* stored as 0/1 integer */

int db_step(struct db_stmt *st, struct err *e) __attribute__((warn_unused_result));

int db_col_count(const struct db_stmt *st);
bool db_col_is_null(const struct db_stmt *st, int col);           /* 0-based */
int64_t db_col_i64(const struct db_stmt *st, int col);            /* NULL -> 0 */
double db_col_double(const struct db_stmt *st, int col);
const char *db_col_text(const struct db_stmt *st, int col);       /* NULL -> NULL */
const char *db_col_name(const struct db_stmt *st, int col);
/* The text of a column copied into an arena (it outlives the statement); NULL stays NULL. */
char *db_col_strdup(struct arena *a, const struct db_stmt *st, int col);

/* The one row of sql, its `?`s bound in order to the n ids, read by read(st, a, out): 0. No row:
 * ERR_NOT_FOUND with the message key `missing`; a database error: -1. The "get one by id" of the
 * stores. */
int db_get_one(struct db *db, struct arena *a, const char *sql, const int64_t *ids, int n,
               void (*read)(struct db_stmt *st, struct arena *a, void *out), void *out,
               const char *missing, struct err *e) __attribute__((warn_unused_result));

/* Rows changed by the last completed INSERT/UPDATE/DELETE of this statement. */
int64_t db_changes(const struct db_stmt *st);

int db_begin(struct db *db, struct err *e) __attribute__((warn_unused_result));
int db_commit(struct db *db, struct err *e) __attribute__((warn_unused_result));
void db_rollback(struct db *db);                            /* no-op outside a transaction */
bool db_in_tx(const struct db *db);

/* A read snapshot for the reads of one request (SQLite: one deferred read transaction instead of
 * one per statement, i.e. one pair of file locks; PostgreSQL: nothing, each statement is a round
 * trip either way). Writes need no care: db_begin, or a writing statement stepped outside a
 * transaction, first ends the snapshot. db_snapshot_end is idempotent. */
void db_snapshot_begin(struct db *db);
void db_snapshot_end(struct db *db);

/* Bulk writes on SQLite: a page cache of `mib` MiB for this connection, so the pages a big
 * transaction dirties are not spilled into the WAL and written again; *old gets the setting to
 * hand to db_page_cache_restore (0: nothing to restore). PostgreSQL: nothing (its cache is the
 * server's). */
int db_page_cache_grow(struct db *db, int mib, int64_t *old, struct err *e)
    __attribute__((warn_unused_result));
void db_page_cache_restore(struct db *db, int64_t old);

/* Runs one or more statements with no parameters (DDL, migrations). */
int db_exec(struct db *db, const char *sql, struct err *e) __attribute__((warn_unused_result));

/* Convenience: prepare+bind nothing+step once; returns the first column of the first row as
 * int64 in *out (0 if no row). For COUNT(*) and similar. */
int db_query_i64(struct db *db, const char *sql, int64_t *out, struct err *e)
    __attribute__((warn_unused_result));

/* Text helpers (db_text.c), results in the arena:
 * db_like_contains: "%q%" with %, _ and \ escaped, for `LIKE ? ESCAPE '\'`;
 * db_prefix_upper: the least string above every string that starts with prefix, when prefix
 * ends in '/' ("/1/5/" -> "/1/50"): `path >= prefix AND path < upper` is "the subtree". */
char *db_like_contains(struct arena *a, const char *q);
char *db_prefix_upper(struct arena *a, const char *prefix);

#endif
