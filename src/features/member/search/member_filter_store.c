/* member_filter_store.c: saved member searches (table saved_filters), always by owner: another
 * user's filter is simply not found. SQL only. */
#include "features/member/search/member_filter.h"

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "db/db.h"

static const char SQL_LIST[] =
    "SELECT id, name, params, created_at FROM saved_filters WHERE user_id = ? ORDER BY name, id "
    "LIMIT 200";
static const char SQL_INSERT[] =
    "INSERT INTO saved_filters (user_id, name, params, created_at) VALUES (?, ?, ?, ?) "
    "RETURNING id";
static const char SQL_DELETE[] = "DELETE FROM saved_filters WHERE id = ? AND user_id = ?";

int member_filter_list(struct db *db, struct arena *a, int64_t user_id,
                       struct member_filter **out, int64_t *n, struct err *e)
{
    struct db_stmt *st;
    int r;
    *n = 0;
    *out = arena_alloc(a, sizeof **out * MEMBER_FILTERS_MAX);
    if (db_prepare(db, &st, SQL_LIST, e) != 0)
        return -1;
    db_bind_i64(st, 1, user_id);
    while ((r = db_step(st, e)) == DB_ROW && *n < MEMBER_FILTERS_MAX) {
        struct member_filter *f = &(*out)[(*n)++];
        f->id = db_col_i64(st, 0);
        f->name = db_col_strdup(a, st, 1);
        f->params = db_col_strdup(a, st, 2);
        f->created_at = db_col_i64(st, 3);
    }
    db_finalize(st);
    return r == DB_ERROR ? -1 : 0;
}

int member_filter_create(struct db *db, int64_t user_id, const char *name, const char *params,
                         int64_t *id, struct err *e)
{
    struct db_stmt *st;
    if (db_prepare(db, &st, SQL_INSERT, e) != 0)
        return -1;
    db_bind_i64(st, 1, user_id);
    db_bind_text(st, 2, name);
    db_bind_text(st, 3, params);
    db_bind_i64(st, 4, now_unix());
    int r = db_step(st, e);
    *id = r == DB_ROW ? db_col_i64(st, 0) : 0;
    db_finalize(st);
    if (r == DB_ROW)
        return 0;
    if (r == DB_ERROR && e->code == ERR_CONFLICT) {
        e->nfields = 0;
        err_set(e, ERR_CONFLICT, "member_filter.name_taken");
        err_field(e, "name", "member_filter.name_taken");
    }
    return -1;
}

int member_filter_delete(struct db *db, int64_t user_id, int64_t id, struct err *e)
{
    struct db_stmt *st;
    if (db_prepare(db, &st, SQL_DELETE, e) != 0)
        return -1;
    db_bind_i64(st, 1, id);
    db_bind_i64(st, 2, user_id);
    int r = db_step(st, e);
    int64_t changed = r == DB_DONE ? db_changes(st) : 0;
    db_finalize(st);
    if (r == DB_ERROR)
        return -1;
    return changed == 1 ? 0 : err_set(e, ERR_NOT_FOUND, "member_filter.not_found");
}
