/* member_record_sub_store.c: the rows that hang off a member record (member_record.h): party
 * posts, rewards and punishments, the status history and the photo. Statements only; the
 * handler holds the transaction. A sub-row is always addressed with its member id too, so an
 * id from another member's record is simply not found. */
#include <string.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "db/db.h"
#include "features/member/record/member_record.h"

static const char SQL_POSTS[] =
    "SELECT id, member_id, org_id, post, started_on, ended_on FROM member_posts "
    "WHERE member_id = ? ORDER BY started_on DESC, id DESC";
static const char SQL_POST[] =
    "SELECT id, member_id, org_id, post, started_on, ended_on FROM member_posts "
    "WHERE member_id = ? AND id = ?";
static const char SQL_POST_INSERT[] =
    "INSERT INTO member_posts (member_id, org_id, post, started_on, ended_on, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_POST_UPDATE[] =
    "UPDATE member_posts SET post = ?, started_on = ?, ended_on = ? WHERE member_id = ? AND id = ?";
static const char SQL_AWARDS[] =
    "SELECT id, member_id, kind, code, title, decided_on, decided_by, ends_on, reason "
    "FROM member_awards WHERE member_id = ? ORDER BY decided_on DESC, id DESC";
static const char SQL_AWARD[] =
    "SELECT id, member_id, kind, code, title, decided_on, decided_by, ends_on, reason "
    "FROM member_awards WHERE member_id = ? AND id = ?";
static const char SQL_AWARD_INSERT[] =
    "INSERT INTO member_awards (member_id, kind, code, title, decided_on, decided_by, ends_on, "
    "reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_AWARD_UPDATE[] =
    "UPDATE member_awards SET kind = ?, code = ?, title = ?, decided_on = ?, decided_by = ?, "
    "ends_on = ?, reason = ? WHERE member_id = ? AND id = ?";
static const char SQL_DELETE_POST[] = "DELETE FROM member_posts WHERE member_id = ? AND id = ?";
static const char SQL_DELETE_AWARD[] = "DELETE FROM member_awards WHERE member_id = ? AND id = ?";
static const char SQL_LOG[] =
    "SELECT id, user_id, at, from_status, to_status, on_date, reason FROM member_status_log "
    "WHERE member_id = ? ORDER BY id DESC";
static const char SQL_PHOTO[] = "SELECT mime, data FROM member_photos WHERE member_id = ?";
static const char SQL_PHOTO_DELETE[] = "DELETE FROM member_photos WHERE member_id = ?";
static const char SQL_PHOTO_INSERT[] =
    "INSERT INTO member_photos (member_id, mime, data, updated_at) VALUES (?, ?, ?, ?)";

static void text_or_null(struct db_stmt *st, int i, const char *s)
{
    db_bind_text(st, i, s != NULL && s[0] != '\0' ? s : NULL);
}

static void read_post(struct db_stmt *st, struct arena *a, void *out)
{
    struct member_post *p = out;
    p->id = db_col_i64(st, 0);
    p->member_id = db_col_i64(st, 1);
    p->org_id = db_col_i64(st, 2);
    p->post = db_col_strdup(a, st, 3);
    p->started_on = db_col_strdup(a, st, 4);
    p->ended_on = db_col_strdup(a, st, 5);
}

static void read_award(struct db_stmt *st, struct arena *a, void *out)
{
    struct member_award *w = out;
    w->id = db_col_i64(st, 0);
    w->member_id = db_col_i64(st, 1);
    w->kind = db_col_strdup(a, st, 2);
    w->code = db_col_strdup(a, st, 3);
    w->title = db_col_strdup(a, st, 4);
    w->decided_on = db_col_strdup(a, st, 5);
    w->decided_by = db_col_strdup(a, st, 6);
    w->ends_on = db_col_strdup(a, st, 7);
    w->reason = db_col_strdup(a, st, 8);
}

static void read_log(struct db_stmt *st, struct arena *a, void *out)
{
    struct member_status_entry *l = out;
    l->id = db_col_i64(st, 0);
    l->user_id = db_col_i64(st, 1);
    l->at = db_col_i64(st, 2);
    l->from_status = db_col_strdup(a, st, 3);
    l->to_status = db_col_strdup(a, st, 4);
    l->on_date = db_col_strdup(a, st, 5);
    l->reason = db_col_strdup(a, st, 6);
}

/* Reads every row of a one-member query into an arena array of elements of `size` bytes. A
 * record holds a handful of sub-rows, so the array grows by copying. */
static int read_all(struct db *db, struct arena *a, const char *sql, int64_t member_id,
                    size_t size, void (*read)(struct db_stmt *, struct arena *, void *),
                    void **out, int64_t *n, struct err *e)
{
    struct db_stmt *st = NULL;
    int64_t cap = 8;
    int rc;
    char *rows = arena_alloc(a, size * (size_t)cap);
    *n = 0;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_i64(st, 1, member_id);
    while ((rc = db_step(st, e)) == DB_ROW) {
        if (*n == cap) {
            char *bigger = arena_alloc(a, size * (size_t)cap * 2);
            memcpy(bigger, rows, size * (size_t)cap);
            rows = bigger;
            cap *= 2;
        }
        read(st, a, rows + size * (size_t)(*n)++);
    }
    db_finalize(st);
    *out = rows;
    return rc == DB_ERROR ? -1 : 0;
}

static int read_one(struct db *db, struct arena *a, const char *sql, int64_t member_id,
                    int64_t id, void (*read)(struct db_stmt *, struct arena *, void *), void *out,
                    const char *missing, struct err *e)
{
    const int64_t ids[2] = {member_id, id};
    return db_get_one(db, a, sql, ids, 2, read, out, missing, e);
}

int member_posts_list(struct db *db, struct arena *a, int64_t member_id, struct member_post **out,
                      int64_t *n, struct err *e)
{
    void *rows = NULL;
    int rc = read_all(db, a, SQL_POSTS, member_id, sizeof **out, read_post, &rows, n, e);
    *out = rows;
    return rc;
}

int member_post_get(struct db *db, struct arena *a, int64_t member_id, int64_t id,
                    struct member_post *out, struct err *e)
{
    return read_one(db, a, SQL_POST, member_id, id, read_post, out, "member.post_not_found", e);
}

int member_awards_list(struct db *db, struct arena *a, int64_t member_id,
                       struct member_award **out, int64_t *n, struct err *e)
{
    void *rows = NULL;
    int rc = read_all(db, a, SQL_AWARDS, member_id, sizeof **out, read_award, &rows, n, e);
    *out = rows;
    return rc;
}

int member_award_get(struct db *db, struct arena *a, int64_t member_id, int64_t id,
                     struct member_award *out, struct err *e)
{
    return read_one(db, a, SQL_AWARD, member_id, id, read_award, out, "member.award_not_found", e);
}

int member_status_history(struct db *db, struct arena *a, int64_t member_id,
                          struct member_status_entry **out, int64_t *n, struct err *e)
{
    void *rows = NULL;
    int rc = read_all(db, a, SQL_LOG, member_id, sizeof **out, read_log, &rows, n, e);
    *out = rows;
    return rc;
}

static int step_done(struct db_stmt *st, struct err *e)
{
    int rc = db_step(st, e);
    db_finalize(st);
    return rc == DB_DONE ? 0 : -1;
}

static int step_id(struct db_stmt *st, int64_t *id, struct err *e)
{
    int rc = db_step(st, e);
    if (rc == DB_ROW)
        *id = db_col_i64(st, 0);
    db_finalize(st);
    return rc == DB_ROW ? 0 : -1;
}

int member_post_insert(struct db *db, const struct member_post *p, int64_t *id, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_POST_INSERT, e) != 0)
        return -1;
    db_bind_i64(st, 1, p->member_id);
    db_bind_i64(st, 2, p->org_id);
    db_bind_text(st, 3, p->post);
    db_bind_text(st, 4, p->started_on);
    text_or_null(st, 5, p->ended_on);
    db_bind_i64(st, 6, now_unix());
    return step_id(st, id, e);
}

int member_post_update(struct db *db, const struct member_post *p, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_POST_UPDATE, e) != 0)
        return -1;
    db_bind_text(st, 1, p->post);
    db_bind_text(st, 2, p->started_on);
    text_or_null(st, 3, p->ended_on);
    db_bind_i64(st, 4, p->member_id);
    db_bind_i64(st, 5, p->id);
    return step_done(st, e);
}

static void bind_award(struct db_stmt *st, const struct member_award *w, int first)
{
    db_bind_text(st, first, w->kind);
    db_bind_text(st, first + 1, w->code);
    db_bind_text(st, first + 2, w->title);
    db_bind_text(st, first + 3, w->decided_on);
    text_or_null(st, first + 4, w->decided_by);
    text_or_null(st, first + 5, w->ends_on);
    text_or_null(st, first + 6, w->reason);
}

int member_award_insert(struct db *db, const struct member_award *w, int64_t *id, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_AWARD_INSERT, e) != 0)
        return -1;
    db_bind_i64(st, 1, w->member_id);
    bind_award(st, w, 2);
    db_bind_i64(st, 9, now_unix());
    return step_id(st, id, e);
}

int member_award_update(struct db *db, const struct member_award *w, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_AWARD_UPDATE, e) != 0)
        return -1;
    bind_award(st, w, 1);
    db_bind_i64(st, 8, w->member_id);
    db_bind_i64(st, 9, w->id);
    return step_done(st, e);
}

int member_sub_delete(struct db *db, bool award, int64_t member_id, int64_t id, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, award ? SQL_DELETE_AWARD : SQL_DELETE_POST, e) != 0)
        return -1;
    db_bind_i64(st, 1, member_id);
    db_bind_i64(st, 2, id);
    int rc = db_step(st, e);
    int64_t n = rc == DB_DONE ? db_changes(st) : 0;
    db_finalize(st);
    if (rc != DB_DONE)
        return -1;
    if (n == 0)
        return err_set(e, ERR_NOT_FOUND, award ? "member.award_not_found" : "member.post_not_found");
    return 0;
}

int member_photo_get(struct db *db, struct arena *a, int64_t member_id, const char **mime,
                     const char **b64, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_PHOTO, e) != 0)
        return -1;
    db_bind_i64(st, 1, member_id);
    int rc = db_step(st, e);
    if (rc == DB_ROW) {
        *mime = db_col_strdup(a, st, 0);
        *b64 = db_col_strdup(a, st, 1);
    }
    db_finalize(st);
    if (rc != DB_ROW)
        return rc == DB_ERROR ? -1 : err_set(e, ERR_NOT_FOUND, "member.no_photo");
    return 0;
}

int member_photo_delete(struct db *db, int64_t member_id, bool *deleted, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_PHOTO_DELETE, e) != 0)
        return -1;
    db_bind_i64(st, 1, member_id);
    int rc = db_step(st, e);
    *deleted = rc == DB_DONE && db_changes(st) > 0;
    db_finalize(st);
    return rc == DB_DONE ? 0 : -1;
}

/* Replaces the photo: delete then insert (portable; no upsert dialects). */
int member_photo_put(struct db *db, int64_t member_id, const char *mime, const char *b64,
                     struct err *e)
{
    struct db_stmt *st = NULL;
    bool deleted;
    if (member_photo_delete(db, member_id, &deleted, e) != 0 ||
        db_prepare(db, &st, SQL_PHOTO_INSERT, e) != 0)
        return -1;
    db_bind_i64(st, 1, member_id);
    db_bind_text(st, 2, mime);
    db_bind_text(st, 3, b64);
    db_bind_i64(st, 4, now_unix());
    return step_done(st, e);
}
