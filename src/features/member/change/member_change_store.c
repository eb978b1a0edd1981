/* member_change_store.c: SQL of the change requests (member_change.h). Writes run inside the
 * caller's transaction (the handler commits the request, its event and audit entry together). */
#include <string.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "db/db.h"
#include "features/member/change/member_change.h"

#define COLS                                                                                  \
    "c.id, c.member_id, c.user_id, c.state, c.fields, c.note, c.proposed_enc, c.base_enc, "   \
    "c.base_version, c.created_at, c.decided_at, m.org_id, m.name, o.name, o.path "            \
    "FROM member_change_requests c JOIN members m ON m.id = c.member_id "                      \
    "JOIN orgs o ON o.id = m.org_id "

static const char SQL_ONE[] = "SELECT " COLS "WHERE c.id = ?";
#define WHERE_LIST                                                                            \
    "WHERE (c.member_id = ? OR (? = 0 AND o.path >= ? AND o.path < ?)) AND (? = '' OR c.state = ?)"
static const char SQL_MINE[] =
    "SELECT " COLS WHERE_LIST " ORDER BY c.id DESC LIMIT ? OFFSET ?";
static const char SQL_SCOPED[] =
    "SELECT " COLS WHERE_LIST " ORDER BY c.id LIMIT ? OFFSET ?";
static const char SQL_COUNT[] =
    "SELECT COUNT(*) FROM member_change_requests c JOIN members m ON m.id = c.member_id "
    "JOIN orgs o ON o.id = m.org_id " WHERE_LIST;
static const char SQL_PENDING[] =
    "SELECT COUNT(*) FROM member_change_requests WHERE member_id = ? AND state = 'pending'";
static const char SQL_INSERT[] =
    "INSERT INTO member_change_requests (member_id, user_id, state, fields, note, base_version, "
    "created_at) VALUES (?, ?, 'pending', ?, ?, ?, ?) RETURNING id";
static const char SQL_SEAL[] =
    "UPDATE member_change_requests SET proposed_enc = ?, base_enc = ? WHERE id = ?";
static const char SQL_DECIDE[] =
    "UPDATE member_change_requests SET state = ?, decided_at = ?, decided_by = ? "
    "WHERE id = ? AND state = 'pending'";
static const char SQL_EVENT[] =
    "INSERT INTO member_change_request_events (request_id, action, user_id, comment, at) "
    "VALUES (?, ?, ?, ?, ?)";
static const char SQL_EVENTS[] =
    "SELECT e.user_id, e.at, e.action, u.display_name, e.comment "
    "FROM member_change_request_events e LEFT JOIN users u ON u.id = e.user_id "
    "WHERE e.request_id = ? ORDER BY e.id";

static void read_row(struct db_stmt *st, struct arena *a, struct member_change *c)
{
    c->id = db_col_i64(st, 0);
    c->member_id = db_col_i64(st, 1);
    c->user_id = db_col_i64(st, 2);
    c->state = db_col_strdup(a, st, 3);
    c->fields = db_col_strdup(a, st, 4);
    c->note = db_col_strdup(a, st, 5);
    c->proposed_enc = db_col_strdup(a, st, 6);
    c->base_enc = db_col_strdup(a, st, 7);
    c->base_version = db_col_i64(st, 8);
    c->created_at = db_col_i64(st, 9);
    c->decided_at = db_col_i64(st, 10);
    c->org_id = db_col_i64(st, 11);
    c->member_name = db_col_strdup(a, st, 12);
    c->org_name = db_col_strdup(a, st, 13);
    c->org_path = db_col_strdup(a, st, 14);
}

static void read_one(struct db_stmt *st, struct arena *a, void *out)
{
    read_row(st, a, out);
}

int member_change_get(struct db *db, struct arena *a, int64_t id, struct member_change *out,
                      struct err *e)
{
    return db_get_one(db, a, SQL_ONE, &id, 1, read_one, out, "change_request.not_found", e);
}

static void bind_filter(struct db_stmt *st, struct arena *a, const struct member_change_filter *f)
{
    const char *scope = f->scope != NULL ? f->scope : "";
    db_bind_i64(st, 1, f->member_id);
    db_bind_i64(st, 2, f->member_id);
    db_bind_text(st, 3, scope);
    db_bind_text(st, 4, scope[0] != '\0' ? db_prefix_upper(a, scope) : "");
    db_bind_text(st, 5, f->state);
    db_bind_text(st, 6, f->state);
}

int member_change_list(struct db *db, struct arena *a, const struct member_change_filter *f,
                       int64_t limit, int64_t offset, struct member_change **out, int64_t *n,
                       int64_t *total, struct err *e)
{
    struct db_stmt *st = NULL;
    int r;
    *n = 0;
    *out = arena_alloc(a, sizeof **out * (size_t)(limit > 0 ? limit : 1));
    if (db_prepare(db, &st, f->member_id > 0 ? SQL_MINE : SQL_SCOPED, e) != 0)
        return -1;
    bind_filter(st, a, f);
    db_bind_i64(st, 7, limit);
    db_bind_i64(st, 8, offset);
    while ((r = db_step(st, e)) == DB_ROW && *n < limit)
        read_row(st, a, &(*out)[(*n)++]);
    db_finalize(st);
    if (r == DB_ERROR || db_prepare(db, &st, SQL_COUNT, e) != 0)
        return -1;
    bind_filter(st, a, f);
    r = db_step(st, e);
    *total = r == DB_ROW ? db_col_i64(st, 0) : 0;
    db_finalize(st);
    return r == DB_ERROR ? -1 : 0;
}

int member_change_has_pending(struct db *db, int64_t member_id, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_PENDING, e) != 0)
        return -1;
    db_bind_i64(st, 1, member_id);
    int r = db_step(st, e);
    int64_t count = r == DB_ROW ? db_col_i64(st, 0) : 0;
    db_finalize(st);
    return r == DB_ERROR ? -1 : count > 0;
}

int member_change_insert(struct db *db, const struct member_change *c, int64_t *id, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_INSERT, e) != 0)
        return -1;
    db_bind_i64(st, 1, c->member_id);
    if (c->user_id > 0)
        db_bind_i64(st, 2, c->user_id);
    else
        db_bind_null(st, 2);
    db_bind_text(st, 3, c->fields);
    db_bind_text(st, 4, c->note != NULL && c->note[0] != '\0' ? c->note : NULL);
    db_bind_i64(st, 5, c->base_version);
    db_bind_i64(st, 6, now_unix());
    int r = db_step(st, e);
    if (r == DB_ROW)
        *id = db_col_i64(st, 0);
    db_finalize(st);
    return r == DB_ROW ? 0 : -1;
}

/* Runs a prepared write; the number of rows it changed in *changed (may be NULL). */
static int run(struct db_stmt *st, int64_t *changed, struct err *e)
{
    int r = db_step(st, e);
    if (changed != NULL)
        *changed = r == DB_DONE ? db_changes(st) : 0;
    db_finalize(st);
    return r == DB_ERROR ? -1 : 0;
}

int member_change_seal(struct db *db, int64_t id, const char *proposed_enc, const char *base_enc,
                       struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_SEAL, e) != 0)
        return -1;
    db_bind_text(st, 1, proposed_enc);
    db_bind_text(st, 2, base_enc);
    db_bind_i64(st, 3, id);
    return run(st, NULL, e);
}

int member_change_decide(struct db *db, int64_t id, const char *state, int64_t user_id,
                         struct err *e)
{
    struct db_stmt *st = NULL;
    int64_t changed = 0;
    if (db_prepare(db, &st, SQL_DECIDE, e) != 0)
        return -1;
    db_bind_text(st, 1, state);
    db_bind_i64(st, 2, now_unix());
    if (user_id > 0)
        db_bind_i64(st, 3, user_id);
    else
        db_bind_null(st, 3);
    db_bind_i64(st, 4, id);
    if (run(st, &changed, e) != 0)
        return -1;
    return changed == 1 ? 0 : err_set(e, ERR_CONFLICT, "change_request.not_pending");
}

int member_change_event_add(struct db *db, int64_t id, const char *action, int64_t user_id,
                            const char *comment, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_EVENT, e) != 0)
        return -1;
    db_bind_i64(st, 1, id);
    db_bind_text(st, 2, action);
    if (user_id > 0)
        db_bind_i64(st, 3, user_id);
    else
        db_bind_null(st, 3);
    db_bind_text(st, 4, comment != NULL && comment[0] != '\0' ? comment : NULL);
    db_bind_i64(st, 5, now_unix());
    return run(st, NULL, e);
}

int member_change_events(struct db *db, struct arena *a, int64_t id,
                         struct member_change_event **out, int64_t *n, struct err *e)
{
    struct db_stmt *st = NULL;
    int64_t cap = 8;
    int r;
    *n = 0;
    *out = arena_alloc(a, sizeof **out * (size_t)cap);
    if (db_prepare(db, &st, SQL_EVENTS, e) != 0)
        return -1;
    db_bind_i64(st, 1, id);
    while ((r = db_step(st, e)) == DB_ROW) {
        if (*n == cap) {
            struct member_change_event *more = arena_alloc(a, sizeof *more * (size_t)cap * 2);
            memcpy(more, *out, sizeof *more * (size_t)cap);
            *out = more;
            cap *= 2;
        }
        struct member_change_event *ev = &(*out)[(*n)++];
        ev->user_id = db_col_i64(st, 0);
        ev->at = db_col_i64(st, 1);
        ev->action = db_col_strdup(a, st, 2);
        ev->user_name = db_col_strdup(a, st, 3);
        ev->comment = db_col_strdup(a, st, 4);
    }
    db_finalize(st);
    return r == DB_ERROR ? -1 : 0;
}
