/* member_store.c: member queries (SQL only). */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include "features/member/member.h"

#define COLS                                                                                 \
    "m.id, m.org_id, o.name, o.path, m.name, m.gender, m.birth_date, m.category, m.joined_on, " \
    "m.status, m.id_number_enc, m.phone_enc, m.address_enc"
#define WHERE_LIST                                                                           \
    " FROM members m JOIN orgs o ON o.id = m.org_id WHERE o.path >= ? AND o.path < ? "     \
    "AND m.status IN ('normal', 'lost_contact') AND (? = '' OR m.name LIKE ? ESCAPE '\\')"

/* Tree order, then id: the walk of orgs_path (unique) and members_org needs no sort and stops
 * after the page. */
static const char SQL_LIST[] = "SELECT " COLS WHERE_LIST " ORDER BY o.path, m.id LIMIT ? OFFSET ?";
static const char SQL_COUNT[] = "SELECT COUNT(*)" WHERE_LIST;
static const char SQL_ONE[] =
    "SELECT " COLS " FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.id = ?";

static void read_row(struct db_stmt *st, struct arena *a, struct member *m)
{
    m->id = db_col_i64(st, 0);
    m->org_id = db_col_i64(st, 1);
    m->org_name = db_col_strdup(a, st, 2);
    m->org_path = db_col_strdup(a, st, 3);
    m->name = db_col_strdup(a, st, 4);
    m->gender = (int)db_col_i64(st, 5);
    m->birth_date = db_col_strdup(a, st, 6);
    m->category = db_col_strdup(a, st, 7);
    m->joined_on = db_col_strdup(a, st, 8);
    m->status = db_col_strdup(a, st, 9);
    m->id_number_enc = db_col_strdup(a, st, 10);
    m->phone_enc = db_col_strdup(a, st, 11);
    m->address_enc = db_col_strdup(a, st, 12);
}

static void bind_filter(struct db_stmt *st, struct arena *a, const struct member_filter *f)
{
    const char *scope = f->scope != NULL && f->scope[0] != '\0' ? f->scope : "/";
    const char *q = f->q != NULL ? f->q : "";
    db_bind_text(st, 1, scope);
    db_bind_text(st, 2, db_prefix_upper(a, scope));
    db_bind_text(st, 3, q);
    db_bind_text(st, 4, db_like_contains(a, q));
}

int member_store_list(struct db *db, struct arena *a, const struct member_filter *f,
                      int64_t limit, int64_t offset, struct member **out, int64_t *n,
                      int64_t *total, struct err *e)
{
    struct db_stmt *st = NULL;
    int r;
    *n = 0;
    *out = NULL;
    if (total != NULL) {
        if (db_prepare(db, &st, SQL_COUNT, e) != 0)
            return -1;
        bind_filter(st, a, f);
        r = db_step(st, e);
        *total = r == DB_ROW ? db_col_i64(st, 0) : 0;
        db_finalize(st);
        if (r != DB_ROW)
            return -1;
    }
    if (db_prepare(db, &st, SQL_LIST, e) != 0)
        return -1;
    bind_filter(st, a, f);
    db_bind_i64(st, 5, limit);
    db_bind_i64(st, 6, offset);
    struct member *rows = arena_alloc(a, sizeof *rows * (size_t)(limit > 0 ? limit : 1));
    while ((r = db_step(st, e)) == DB_ROW && *n < limit)
        read_row(st, a, &rows[(*n)++]);
    db_finalize(st);
    if (r == DB_ERROR)
        return -1;
    *out = rows;
    return 0;
}

int member_store_get(struct db *db, struct arena *a, int64_t id, struct member *out,
                     struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_ONE, e) != 0)
        return -1;
    db_bind_i64(st, 1, id);
    int r = db_step(st, e);
    if (r == DB_ROW)
        read_row(st, a, out);
    db_finalize(st);
    if (r != DB_ROW)
        return r == DB_ERROR ? -1 : err_set(e, ERR_NOT_FOUND, "member.not_found");
    return 0;
}
