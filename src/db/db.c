/* db.c: the engine-neutral half of db.h.
 *
 * A URL picks a driver (struct db_ops in db_sqlite.c or db_pg.c); every public call checks what
 * does not depend on the engine and then dispatches. The statement cache lives here: a chained
 * hash table keyed by the caller's SQL pointer, holding at most one idle statement per key.
 * A hit also compares the text (a strcmp of a few hundred bytes, far cheaper than a prepare),
 * so SQL built in a reused buffer can never run the wrong statement. When the wanted statement
 * is already in use (the same SQL stepped inside its own row loop) or the cache is full, the
 * caller gets a fresh statement that db_finalize destroys. Bind errors are kept on the statement
 * and reported by db_step, so store code can bind freely and check once. The transaction flag
 * is ours rather than the engine's: PostgreSQL only warns on BEGIN inside a transaction and
 * forgets the transaction when the connection drops, and neither must pass silently.
 * Threads: one connection per thread; nothing here is shared. */
#include "db/db_internal.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/xalloc.h"

#define CACHE_MAX 512         /* statements kept per connection; beyond this they are fresh */
#define CACHE_BUCKETS0 64

/* ---- URLs ---- */

/* Length of a leading "scheme:" (letters, digits, + - .), or 0. */
static size_t scheme_len(const char *url)
{
    size_t i = 0;
    if (!((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z')))
        return 0;
    while (url[i] != '\0' && strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                    "0123456789+-.", url[i]) != NULL)
        i++;
    return url[i] == ':' ? i + 1 : 0;
}

/* Picks the driver and the part of the URL it gets. Fails with "db.bad_url". */
static int url_parse(const char *url, const struct db_ops **ops, const char **target,
                     struct err *e)
{
    if (url == NULL || url[0] == '\0') {
        err_set(e, ERR_INVALID, "db.bad_url");
        err_detail(e, "empty database URL");
        return -1;
    }
    if (strncmp(url, "sqlite:", 7) == 0) {
        *ops = &db_sqlite_ops;
        *target = url + 7;
        if (**target == '\0') {
            err_set(e, ERR_INVALID, "db.bad_url");
            err_detail(e, "sqlite: URL without a path");
            return -1;
        }
        return 0;
    }
    size_t n = scheme_len(url);
    bool pg_uri = strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0;
    if (!pg_uri && (n > 0 || strchr(url, '=') == NULL)) {
        err_set(e, ERR_INVALID, "db.bad_url");
        err_detail(e, "unknown database URL scheme (use sqlite:PATH or postgresql://...)");
        return -1;
    }
    *ops = &db_pg_ops;
    *target = url;
    return db_pg_ops.check(url, e);
}

int db_url_check(const char *url, struct err *e)
{
    const struct db_ops *ops;
    const char *target;
    return url_parse(url, &ops, &target, e);
}

int db_fail(struct err *e, enum err_code code, const char *detail)
{
    const char *key = code == ERR_CONFLICT      ? "db.conflict"
                      : code == ERR_INVALID     ? "db.constraint"
                      : code == ERR_UNAVAILABLE ? "db.unavailable"
                                                : "db.error";
    err_set(e, code, key);
    err_detail(e, "%s", detail != NULL ? detail : "");
    size_t len = strlen(e->detail);
    while (len > 0 && (e->detail[len - 1] == '\n' || e->detail[len - 1] == ' '))
        e->detail[--len] = '\0';   /* libpq ends its messages with a newline */
    return -1;
}

/* ---- connections ---- */

int db_open(struct db **out, const char *url, struct err *e)
{
    const struct db_ops *ops;
    const char *target;

    *out = NULL;
    if (url_parse(url, &ops, &target, e) != 0)
        return -1;
    struct db *db = xcalloc(1, sizeof *db);
    db->ops = ops;
    db->nbuckets = CACHE_BUCKETS0;
    db->buckets = xcalloc(db->nbuckets, sizeof *db->buckets);
    if (ops->open(db, target, e) != 0) {
        free(db->buckets);
        free(db);
        return -1;
    }
    *out = db;
    return 0;
}

void db_close(struct db *db)
{
    if (db == NULL)
        return;
    if (db->in_tx)
        db_rollback(db);
    db->closing = true;
    db_cache_drop(db);
    db->ops->close(db);
    free(db->buckets);
    free(db);
}

enum db_kind db_kind(const struct db *db)
{
    return db->ops->kind;
}

const char *db_kind_name(const struct db *db)
{
    return db->ops->name;
}

/* ---- statement cache ---- */

static size_t bucket_of(const struct db *db, const char *key)
{
    uint64_t h = (uint64_t)(uintptr_t)key;
    h ^= h >> 29;
    h *= UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> 32) & (db->nbuckets - 1);
}

static void stmt_destroy(struct db_stmt *st)
{
    char *sql = st->sql;
    st->db->ops->destroy(st);
    free(sql);
}

static void cache_grow(struct db *db)
{
    size_t old_n = db->nbuckets;
    struct db_stmt **old = db->buckets;

    db->nbuckets = old_n * 2;
    db->buckets = xcalloc(db->nbuckets, sizeof *db->buckets);
    for (size_t i = 0; i < old_n; i++) {
        struct db_stmt *st = old[i];
        while (st != NULL) {
            struct db_stmt *next = st->next;
            size_t b = bucket_of(db, st->key);
            st->next = db->buckets[b];
            db->buckets[b] = st;
            st = next;
        }
    }
    free(old);
}

/* The link that points at key's cached statement, or at the chain's terminating NULL. */
static struct db_stmt **cache_link(struct db *db, const char *key)
{
    struct db_stmt **link = &db->buckets[bucket_of(db, key)];
    while (*link != NULL && (*link)->key != key)
        link = &(*link)->next;
    return link;
}

void db_cache_drop(struct db *db)
{
    for (size_t i = 0; i < db->nbuckets; i++) {
        struct db_stmt *st = db->buckets[i];
        while (st != NULL) {
            struct db_stmt *next = st->next;
            st->next = NULL;
            st->cached = false;
            if (!st->in_use)
                stmt_destroy(st);
            st = next;
        }
        db->buckets[i] = NULL;
    }
    db->ncached = 0;
}

static int stmt_new(struct db *db, struct db_stmt **out, const char *sql, bool cache,
                    bool plan_each, struct err *e)
{
    struct db_stmt *st = db->ops->prepare(db, sql, plan_each, e);
    if (st == NULL)
        return -1;
    st->db = db;
    st->key = sql;
    st->sql = xstrdup(sql);
    st->in_use = true;
    if (cache) {
        if (db->ncached >= db->nbuckets)
            cache_grow(db);
        struct db_stmt **link = cache_link(db, sql);
        assert(*link == NULL);
        st->next = *link;
        *link = st;
        st->cached = true;
        db->ncached++;
    }
    *out = st;
    return 0;
}

static int prepare(struct db *db, struct db_stmt **out, const char *sql, bool plan_each,
                   struct err *e)
{
    *out = NULL;
    if (db->ops->ensure != NULL && db->ops->ensure(db, e) != 0)
        return -1;
    struct db_stmt **link = cache_link(db, sql);
    struct db_stmt *st = *link;
    if (st == NULL)
        return stmt_new(db, out, sql, db->ncached < CACHE_MAX, plan_each, e);
    if (strcmp(st->sql, sql) == 0) {
        if (st->in_use)
            return stmt_new(db, out, sql, false, plan_each, e);     /* nested use of the same SQL */
        st->in_use = true;
        *out = st;
        return 0;
    }
    if (st->in_use)
        return stmt_new(db, out, sql, false, plan_each, e);
    *link = st->next;                  /* the key's buffer now holds other SQL */
    db->ncached--;
    stmt_destroy(st);
    return stmt_new(db, out, sql, true, plan_each, e);
}

int db_prepare(struct db *db, struct db_stmt **out, const char *sql, struct err *e)
{
    return prepare(db, out, sql, false, e);
}

int db_prepare_each(struct db *db, struct db_stmt **out, const char *sql, struct err *e)
{
    return prepare(db, out, sql, true, e);
}

void db_finalize(struct db_stmt *st)
{
    if (st == NULL)
        return;
    if (!st->cached) {
        stmt_destroy(st);
        return;
    }
    st->db->ops->clear(st);
    st->bind_error[0] = '\0';
    st->stepped = false;
    st->in_use = false;
}

void db_reset(struct db_stmt *st)
{
    st->db->ops->reset(st);
    st->bind_error[0] = '\0';
    st->stepped = false;
}

/* ---- binding ---- */

static void bind(struct db_stmt *st, int idx, const struct db_value *v)
{
    if (st->bind_error[0] != '\0')
        return;                         /* the first error is the one worth reporting */
    if (st->stepped) {
        snprintf(st->bind_error, sizeof st->bind_error,
                 "bind of parameter %d after db_step without db_reset", idx);
        return;
    }
    (void)st->db->ops->bind(st, idx, v);  /* failure is recorded in st->bind_error */
}

void db_bind_i64(struct db_stmt *st, int idx, int64_t v)
{
    bind(st, idx, &(struct db_value){.type = DB_T_I64, .i = v});
}

void db_bind_text(struct db_stmt *st, int idx, const char *s)
{
    if (s == NULL)
        db_bind_null(st, idx);
    else
        db_bind_textn(st, idx, s, strlen(s));
}

/* A NUL inside text is refused on both engines: PostgreSQL cannot store one at all. */
void db_bind_textn(struct db_stmt *st, int idx, const char *s, size_t n)
{
    if (s == NULL) {
        db_bind_null(st, idx);
        return;
    }
    if (memchr(s, '\0', n) != NULL) {
        if (st->bind_error[0] == '\0')
            snprintf(st->bind_error, sizeof st->bind_error,
                     "text for parameter %d contains a NUL byte", idx);
        return;
    }
    bind(st, idx, &(struct db_value){.type = DB_T_TEXT, .s = s, .n = n});
}

void db_bind_double(struct db_stmt *st, int idx, double v)
{
    bind(st, idx, &(struct db_value){.type = DB_T_DOUBLE, .d = v});
}

void db_bind_null(struct db_stmt *st, int idx)
{
    bind(st, idx, &(struct db_value){.type = DB_T_NULL});
}

void db_bind_bool(struct db_stmt *st, int idx, bool v)
{
    bind(st, idx, &(struct db_value){.type = DB_T_I64, .i = v ? 1 : 0});
}

/* ---- stepping and columns ---- */

int db_step(struct db_stmt *st, struct err *e)
{
    if (st->bind_error[0] != '\0') {
        err_set(e, ERR_INTERNAL, "db.error");
        err_detail(e, "%s", st->bind_error);
        return DB_ERROR;
    }
    st->stepped = true;
    return st->db->ops->step(st, e);
}

int db_col_count(const struct db_stmt *st)
{
    return st->db->ops->col_count(st);
}

bool db_col_is_null(const struct db_stmt *st, int col)
{
    return st->db->ops->col_is_null(st, col);
}

int64_t db_col_i64(const struct db_stmt *st, int col)
{
    return st->db->ops->col_i64(st, col);
}

double db_col_double(const struct db_stmt *st, int col)
{
    return st->db->ops->col_double(st, col);
}

const char *db_col_text(const struct db_stmt *st, int col)
{
    return st->db->ops->col_text(st, col);
}

char *db_col_strdup(struct arena *a, const struct db_stmt *st, int col)
{
    return arena_strdup(a, db_col_text(st, col));      /* both drivers give NULL for NULL */
}

int db_get_one(struct db *db, struct arena *a, const char *sql, const int64_t *ids, int n,
               void (*read)(struct db_stmt *st, struct arena *a, void *out), void *out,
               const char *missing, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    for (int i = 0; i < n; i++)
        db_bind_i64(st, i + 1, ids[i]);
    int r = db_step(st, e);
    if (r == DB_ROW)
        read(st, a, out);
    db_finalize(st);
    if (r != DB_ROW)
        return r == DB_ERROR ? -1 : err_set(e, ERR_NOT_FOUND, missing);
    return 0;
}

const char *db_col_name(const struct db_stmt *st, int col)
{
    return st->db->ops->col_name(st, col);
}

int64_t db_changes(const struct db_stmt *st)
{
    return st->db->ops->changes(st);
}

/* ---- transactions and plain SQL ---- */

void db_snapshot_begin(struct db *db)
{
    if (db->in_tx || db->snapshot || db->ops->snapshot_begin == NULL)
        return;
    db->snapshot = db->ops->snapshot_begin(db) == 0;
}

void db_snapshot_end(struct db *db)
{
    if (!db->snapshot)
        return;
    db->snapshot = false;
    db->ops->snapshot_end(db);
}

int db_begin(struct db *db, struct err *e)
{
    if (db->in_tx)
        return err_set(e, ERR_INTERNAL, "db.nested_tx");
    db_snapshot_end(db);
    if (db->ops->ensure != NULL && db->ops->ensure(db, e) != 0)
        return -1;
    if (db->ops->begin(db, e) != 0)
        return -1;
    db->in_tx = true;
    return 0;
}

int db_commit(struct db *db, struct err *e)
{
    if (!db->in_tx)
        return err_set(e, ERR_INTERNAL, "db.no_tx");
    int rc = db->ops->commit(db, e);
    db->in_tx = rc != 0 && db->ops->in_tx(db);   /* a busy SQLite COMMIT stays open */
    return rc;
}

void db_rollback(struct db *db)
{
    if (!db->in_tx)
        return;
    db->in_tx = false;
    db->ops->rollback(db);
}

bool db_in_tx(const struct db *db)
{
    return db->in_tx;
}

int db_exec(struct db *db, const char *sql, struct err *e)
{
    if (db->ops->ensure != NULL && db->ops->ensure(db, e) != 0)
        return -1;
    return db->ops->exec(db, sql, e);
}

int db_query_i64(struct db *db, const char *sql, int64_t *out, struct err *e)
{
    struct db_stmt *st = NULL;

    *out = 0;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    int r = db_step(st, e);
    if (r == DB_ROW)
        *out = db_col_i64(st, 0);
    db_finalize(st);
    return r == DB_ERROR ? -1 : 0;
}

int db_page_cache_grow(struct db *db, int mib, int64_t *old, struct err *e)
{
    char sql[64];
    *old = 0;
    if (db_kind(db) != DB_SQLITE)
        return 0;
    snprintf(sql, sizeof sql, "PRAGMA cache_size = %d", -mib * 1024);   /* negative: KiB */
    if (db_query_i64(db, "PRAGMA cache_size", old, e) != 0 || db_exec(db, sql, e) != 0)
        return -1;
    return 0;
}

void db_page_cache_restore(struct db *db, int64_t old)
{
    char sql[64];
    struct err ignored = ERR_INIT;
    if (old == 0)
        return;
    snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", (long long)old);   /* our own value */
    if (db_exec(db, sql, &ignored) != 0)
        return;                           /* a bigger cache than needed is harmless */
}
