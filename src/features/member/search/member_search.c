/* member_search.c: a member_query as SQL (member_query.h), for the list page, its total and the
 * export. The statement has only the conditions the query uses, so each engine's planner picks
 * the index that fits (a name range, a blind index, the subtree's orgs; see decision 0014);
 * `(? = '' OR ...)` conditions would hide them. The text depends only on which filters are set,
 * never on their values (always bound). The statement cache is keyed by the SQL pointer, so the
 * texts are interned: the same text always gets the same pointer and a few dozen shapes stay
 * cached per connection. Threads: the intern table is locked; the rest is per connection. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "db/db.h"
#include "features/member/member.h"
#include "features/member/search/member_query.h"
#include "features/member/member_store_internal.h"

#define MAX_BINDS 24
#define INTERN_MAX 1024        /* shapes kept; beyond that (never in practice) SQL is per call */

struct sqlb {
    struct buf sql;
    int n;
    struct {
        const char *s;          /* NULL: i */
        int64_t i;
    } binds[MAX_BINDS];
};

static void add_text(struct sqlb *b, const char *cond, const char *v)
{
    buf_adds(&b->sql, cond);
    b->binds[b->n].s = v;
    b->binds[b->n++].i = 0;
}

static void add_i64(struct sqlb *b, const char *cond, int64_t v)
{
    buf_adds(&b->sql, cond);
    b->binds[b->n].s = NULL;
    b->binds[b->n++].i = v;
}

/* cond ends in "IN (?": the index under every kept blind key (pdata_blind_all). */
static void add_blind(struct sqlb *b, const char *cond,
                      const char vals[PDATA_BLIND_ALL][FIELD_BLIND_HEX])
{
    for (int i = 0; i < PDATA_BLIND_ALL; i++)
        add_text(b, i == 0 ? cond : i + 1 < PDATA_BLIND_ALL ? ", ?" : ", ?)", vals[i]);
}

/* FROM ... WHERE for q. A search by name range or blind index leads with that index; the
 * subtree test is then a check on each candidate's org. */
static void where(struct sqlb *b, struct arena *a, const struct member_query *q, bool sqlite,
                  bool with_orgs)
{
    bool narrow = q->by_id_number || q->by_phone || q->name_prefix != NULL;
    const char *scope = q->scope != NULL ? q->scope : "";
    /* orgs only when a condition or the caller needs it: a count of name matches over the
     * whole tree is then read from members_name alone (PostgreSQL: 21 -> 3 ms for 10,000) */
    if (with_orgs || (scope[0] != '\0' && (!narrow || sqlite)))
        buf_adds(&b->sql, " FROM members m JOIN orgs o ON o.id = m.org_id WHERE ");
    else
        buf_adds(&b->sql, " FROM members m WHERE ");
    /* SQLite plans without statistics: a unary + keeps it from leading with members_status
     * (status, org_id; in service is nearly everyone). PostgreSQL has statistics (and no
     * unary + on text). */
    if (q->status != NULL)
        add_text(b, sqlite ? "+m.status = ?" : "m.status = ?", q->status);
    else
        buf_adds(&b->sql, sqlite ? "+m.status IN ('normal', 'lost_contact')"
                                 : "m.status IN ('normal', 'lost_contact')");
    if (scope[0] != '\0' && !narrow) {
        add_text(b, " AND o.path >= ?", scope);
        add_text(b, " AND o.path < ?", db_prefix_upper(a, scope));
    } else if (scope[0] != '\0' && sqlite) {
        /* an expression, so SQLite (no statistics) never walks orgs_path for a narrow search */
        add_text(b, " AND o.path || '' >= ?", scope);
        add_text(b, " AND o.path || '' < ?", db_prefix_upper(a, scope));
    } else if (scope[0] != '\0') {
        /* PostgreSQL: a semi-join it plans as a probe per candidate (a join condition on
         * o.path made it walk the subtree's orgs and their members first) */
        add_text(b, " AND m.org_id IN (SELECT s.id FROM orgs s WHERE s.path >= ?", scope);
        add_text(b, " AND s.path < ?)", db_prefix_upper(a, scope));
    }
    if (q->by_id_number)
        add_blind(b, " AND m.id_number_bidx IN (?", q->id_number_bidx);
    if (q->by_phone)
        add_blind(b, " AND m.phone_bidx IN (?", q->phone_bidx);
    if (q->name_prefix != NULL) {
        add_text(b, " AND m.name >= ?", q->name_prefix);
        add_text(b, " AND m.name < ?", db_prefix_upper(a, q->name_prefix));
    }
    if (q->name_like != NULL)
        add_text(b, " AND m.name LIKE ? ESCAPE '\\'", db_like_contains(a, q->name_like));
    if (q->category != NULL)
        add_text(b, " AND m.category = ?", q->category);
    if (q->gender >= 0)
        add_i64(b, " AND m.gender = ?", q->gender);
    if (q->born_after[0] != '\0')
        add_text(b, " AND m.birth_date > ?", q->born_after);
    if (q->born_until[0] != '\0')
        add_text(b, " AND m.birth_date <= ?", q->born_until);
    if (q->joined_from[0] != '\0')
        add_text(b, " AND m.joined_on >= ?", q->joined_from);
    if (q->joined_before[0] != '\0')
        add_text(b, " AND m.joined_on < ?", q->joined_before);
    if (q->education != NULL) {
        size_t n = strlen(q->education);
        if (n == 2 && q->education[1] == '0') {      /* a CODE-04 group: X0 .. X9 */
            add_text(b, " AND m.education >= ?", q->education);
            add_text(b, " AND m.education <= ?",
                     arena_printf(a, "%c9", q->education[0]));
        } else {
            add_text(b, " AND m.education = ?", q->education);
        }
    }
    if (q->ethnicity != NULL)
        add_text(b, " AND m.ethnicity = ?", q->ethnicity);
    if (q->post != NULL)
        add_text(b, " AND m.id IN (SELECT p.member_id FROM member_posts p WHERE p.post = ? AND "
                    "p.ended_on IS NULL)", q->post);
}

/* ORDER BY: the chosen key, then the id in the same direction (stable pages). Empty dates go
 * last either way, on both engines. A name search without an explicit sort is by name. */
static enum member_sort sort_of(const struct member_query *q)
{
    return q->sort == MEMBER_SORT_ORG && q->name_prefix != NULL ? MEMBER_SORT_NAME : q->sort;
}

static void order(struct sqlb *b, const struct member_query *q)
{
    const char *d = q->desc ? " DESC" : "";
    switch (sort_of(q)) {
    case MEMBER_SORT_ORG:
        buf_addf(&b->sql, " ORDER BY o.path%s, m.id%s", d, d);
        break;
    case MEMBER_SORT_NAME:
        buf_addf(&b->sql, " ORDER BY m.name%s, m.id%s", d, d);
        break;
    case MEMBER_SORT_BIRTH:
        buf_addf(&b->sql, " ORDER BY m.birth_date%s NULLS LAST, m.id%s", d, d);
        break;
    case MEMBER_SORT_JOINED:
        buf_addf(&b->sql, " ORDER BY m.joined_on%s NULLS LAST, m.id%s", d, d);
        break;
    }
}

/* ---- interned SQL texts ---- */

static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static char *interned[INTERN_MAX];
static size_t ninterned;

/* The one stable copy of sql (kept for the process's life), or an arena copy when full. */
static const char *intern(struct arena *a, const char *sql)
{
    const char *out = NULL;
    pthread_mutex_lock(&intern_lock);
    for (size_t i = 0; i < ninterned && out == NULL; i++)
        if (strcmp(interned[i], sql) == 0)
            out = interned[i];
    if (out == NULL && ninterned < INTERN_MAX)
        out = interned[ninterned++] = xstrdup(sql);
    pthread_mutex_unlock(&intern_lock);
    return out != NULL ? out : arena_strdup(a, sql);
}

static int prepare(struct db *db, struct arena *a, struct sqlb *b, struct db_stmt **st,
                   struct err *e)
{
    if (buf_failed(&b->sql)) {
        buf_fini(&b->sql);
        return err_set(e, ERR_INTERNAL, "internal");
    }
    const char *sql = intern(a, buf_str(&b->sql));
    buf_fini(&b->sql);
    if (db_prepare(db, st, sql, e) != 0)
        return -1;
    for (int i = 0; i < b->n; i++) {
        if (b->binds[i].s != NULL)
            db_bind_text(*st, i + 1, b->binds[i].s);
        else
            db_bind_i64(*st, i + 1, b->binds[i].i);
    }
    return 0;
}

static int count(struct db *db, struct arena *a, const struct member_query *q, int64_t *total,
                 struct err *e)
{
    struct sqlb b = {.sql = BUF_INIT(8192)};
    struct db_stmt *st;
    buf_adds(&b.sql, "SELECT COUNT(*) FROM (SELECT 1");
    where(&b, a, q, db_kind(db) == DB_SQLITE, false);
    add_i64(&b, " LIMIT ?) t", MEMBER_TOTAL_CAP + 1);
    if (prepare(db, a, &b, &st, e) != 0)
        return -1;
    int r = db_step(st, e);
    *total = r == DB_ROW ? db_col_i64(st, 0) : 0;
    db_finalize(st);
    return r == DB_ROW ? 0 : -1;
}

int member_store_search(struct db *db, struct arena *a, const struct member_query *q,
                        int64_t limit, int64_t offset, struct member **out, int64_t *n,
                        int64_t *total, struct err *e)
{
    struct sqlb b = {.sql = BUF_INIT(8192)};
    struct db_stmt *st;
    int r = DB_DONE;
    *n = 0;
    *out = NULL;
    if (total != NULL && count(db, a, q, total, e) != 0)
        return -1;
    bool sqlite = db_kind(db) == DB_SQLITE;
    if (sqlite && sort_of(q) == MEMBER_SORT_ORG) {
        /* Tree order on SQLite: the walk of orgs_path and members_org yields it with no sort
         * and stops after the page, so the rows (and the post subquery) are read 20 times
         * anyway; the ids-first form below would only add a second pass (~4x the work). */
        buf_adds(&b.sql, "SELECT " MEMBER_COLS);
        where(&b, a, q, true, true);
    } else {
        /* The page's ids first (from an index alone where members_search or members_name
         * cover the filter), then only their rows, with the post subquery run 20 times, not
         * per match (a sort evaluates every column of every match before the LIMIT). */
        buf_adds(&b.sql, "SELECT " MEMBER_COLS " FROM members m JOIN orgs o ON o.id = m.org_id "
                         "WHERE m.id IN (SELECT m.id");
        where(&b, a, q, sqlite, sort_of(q) == MEMBER_SORT_ORG);
        order(&b, q);
        add_i64(&b, " LIMIT ?", limit);
        add_i64(&b, " OFFSET ?)", offset);
    }
    order(&b, q);
    if (sqlite && sort_of(q) == MEMBER_SORT_ORG) {
        add_i64(&b, " LIMIT ?", limit);
        add_i64(&b, " OFFSET ?", offset);
    }
    if (prepare(db, a, &b, &st, e) != 0)
        return -1;
    struct member *rows = arena_alloc(a, sizeof *rows * (size_t)(limit > 0 ? limit : 1));
    while (*n < limit && (r = db_step(st, e)) == DB_ROW)
        member_read_row(st, a, &rows[(*n)++]);
    db_finalize(st);
    if (*n < limit && r == DB_ERROR)
        return -1;
    *out = rows;
    return 0;
}

int member_store_each(struct db *db, const struct member_query *q,
                      int (*each)(void *ctx, const struct member *m, struct err *e), void *ctx,
                      int64_t *rows, struct err *e)
{
    struct arena *a = arena_create(0), *row = arena_create(0);
    struct sqlb b = {.sql = BUF_INIT(8192)};
    struct db_stmt *st = NULL;
    int r = DB_ERROR;
    *rows = 0;
    buf_adds(&b.sql, "SELECT " MEMBER_COLS);
    where(&b, a, q, db_kind(db) == DB_SQLITE, true);
    order(&b, q);
    if (prepare(db, a, &b, &st, e) == 0) {
        while ((r = db_step(st, e)) == DB_ROW) {
            struct member m;
            if (*rows % 512 == 0) {       /* row strings: a fresh arena now and then */
                arena_destroy(row);
                row = arena_create(0);
            }
            member_read_row(st, row, &m);
            if (each(ctx, &m, e) != 0) {
                r = DB_ERROR;
                break;
            }
            (*rows)++;
        }
        db_finalize(st);
    }
    buf_fini(&b.sql);
    arena_destroy(row);
    arena_destroy(a);
    return r == DB_DONE ? 0 : -1;
}

static const char SQL_CODE[] = "SELECT 1 FROM code_tables WHERE kind = ? AND code = ?";

int member_store_check_codes(struct db *db, const struct member_query *q, struct err *e)
{
    const struct {
        const char *field, *kind, *code;
    } codes[] = {{"post", "party_post", q->post},
                 {"education", "education", q->education},
                 {"ethnicity", "ethnicity", q->ethnicity}};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        struct db_stmt *st;
        if (codes[i].code == NULL)
            continue;
        if (db_prepare(db, &st, SQL_CODE, e) != 0)
            return -1;
        db_bind_text(st, 1, codes[i].kind);
        db_bind_text(st, 2, codes[i].code);
        int r = db_step(st, e);
        db_finalize(st);
        if (r == DB_ERROR)
            return -1;
        if (r == DB_DONE)
            err_field(e, codes[i].field, "member.unknown_code");
    }
    return e->code == ERR_OK ? 0 : -1;
}

/* The 5th column: the org is the only root, so its subtree is every org. */
static const char SQL_ORG[] =
    "SELECT id, path, code, name, CASE WHEN parent_id IS NULL AND (SELECT COUNT(*) FROM orgs r "
    "WHERE r.parent_id IS NULL) = 1 THEN 1 ELSE 0 END FROM orgs WHERE id = ? OR code = ?";

int member_store_org_brief(struct db *db, struct arena *a, int64_t id, const char *code,
                           struct member_org *out, struct err *e)
{
    struct db_stmt *st;
    if (db_prepare(db, &st, SQL_ORG, e) != 0)
        return -1;
    db_bind_i64(st, 1, id);
    db_bind_text(st, 2, code);
    int r = db_step(st, e);
    if (r == DB_ROW) {
        out->id = db_col_i64(st, 0);
        out->path = db_col_strdup(a, st, 1);
        out->code = db_col_strdup(a, st, 2);
        out->name = db_col_strdup(a, st, 3);
        out->everything = db_col_i64(st, 4) == 1;
    }
    db_finalize(st);
    if (r == DB_ERROR)
        return -1;
    return r == DB_ROW ? 0 : err_set(e, ERR_NOT_FOUND, "org.not_found");
}
