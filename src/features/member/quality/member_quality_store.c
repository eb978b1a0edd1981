/* member_quality_store.c: the quality report's runs and reads (member_quality.h). */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "db/db.h"
#include "features/member/quality/member_quality.h"
#include "jobs/jobs.h"

#define RUN_COLS "id, job_id, org_id, org_path, state, created_at, finished_at"
static const char SQL_RUN[] = "SELECT " RUN_COLS " FROM member_quality_runs WHERE id = ?";
static const char SQL_LATEST[] =
    "SELECT " RUN_COLS " FROM member_quality_runs WHERE state = 'done' AND "
    "substr(?, 1, length(org_path)) = org_path ORDER BY id DESC LIMIT 1";
static const char SQL_START[] =
    "INSERT INTO member_quality_runs (org_id, org_path, state, user_id, created_at) "
    "VALUES (?, ?, 'queued', ?, ?) RETURNING id";
static const char SQL_SET_JOB[] = "UPDATE member_quality_runs SET job_id = ? WHERE id = ?";
#define SUBTREE "(? = '' OR (o.path >= ? AND o.path < ?))"
static const char SQL_ROWS[] =
    "SELECT q.org_id, o.parent_id, o.name, o.path, q.members, q.clean, q.missing_required, "
    "q.dup_id_number, q.dup_name_birth, q.rules, q.score FROM member_quality_orgs q "
    "JOIN orgs o ON o.id = q.org_id WHERE q.run_id = ? AND " SUBTREE " ORDER BY o.path";
#define ITEMS_FROM                                                                            \
    " FROM member_quality_items i JOIN orgs o ON o.id = i.org_id "                            \
    "JOIN members m ON m.id = i.member_id WHERE i.run_id = ? AND " SUBTREE                    \
    " AND (? = '' OR i.rule = ?)"
static const char SQL_ITEMS[] =
    "SELECT i.member_id, m.name, i.org_id, o.name, i.rule, i.field" ITEMS_FROM
    " ORDER BY i.id LIMIT ? OFFSET ?";
static const char SQL_ITEMS_COUNT[] = "SELECT COUNT(*)" ITEMS_FROM;

static void read_run(struct db_stmt *st, struct arena *a, struct member_quality_run *r)
{
    r->id = db_col_i64(st, 0);
    r->job_id = db_col_i64(st, 1);
    r->org_id = db_col_i64(st, 2);
    r->org_path = db_col_strdup(a, st, 3);
    r->state = db_col_strdup(a, st, 4);
    r->created_at = db_col_i64(st, 5);
    r->finished_at = db_col_i64(st, 6);
}

static int one_run(struct db *db, struct arena *a, const char *sql, int64_t id, const char *path,
                   struct member_quality_run *out, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    if (path != NULL)
        db_bind_text(st, 1, path);
    else
        db_bind_i64(st, 1, id);
    int r = db_step(st, e);
    if (r == DB_ROW)
        read_run(st, a, out);
    db_finalize(st);
    return r == DB_ERROR ? -1 : r == DB_ROW;
}

int member_quality_run_get(struct db *db, struct arena *a, int64_t id,
                           struct member_quality_run *out, struct err *e)
{
    int r = one_run(db, a, SQL_RUN, id, NULL, out, e);
    return r < 0 ? -1 : r == 0 ? err_set(e, ERR_NOT_FOUND, "quality.no_run") : 0;
}

int member_quality_latest(struct db *db, struct arena *a, const char *path,
                          struct member_quality_run *out, struct err *e)
{
    return one_run(db, a, SQL_LATEST, 0, path, out, e);
}

int member_quality_start(struct db *db, int64_t org_id, const char *org_path, int64_t user_id,
                         int64_t *run_id, int64_t *job_id, struct err *e)
{
    struct db_stmt *st = NULL;
    char params[64];
    if (db_begin(db, e) != 0)
        return -1;
    if (db_prepare(db, &st, SQL_START, e) != 0)
        goto fail;
    db_bind_i64(st, 1, org_id);
    db_bind_text(st, 2, org_path);
    if (user_id > 0)
        db_bind_i64(st, 3, user_id);
    else
        db_bind_null(st, 3);
    db_bind_i64(st, 4, now_unix());
    int r = db_step(st, e);
    if (r == DB_ROW)
        *run_id = db_col_i64(st, 0);
    db_finalize(st);
    if (r != DB_ROW)
        goto fail;
    snprintf(params, sizeof params, "{\"run_id\":%lld}", (long long)*run_id);
    if (jobs_store_create(db, MEMBER_QUALITY_JOB, params, 0, 0, job_id, e) != 0 ||
        db_prepare(db, &st, SQL_SET_JOB, e) != 0)
        goto fail;
    db_bind_i64(st, 1, *job_id);
    db_bind_i64(st, 2, *run_id);
    r = db_step(st, e);
    db_finalize(st);
    if (r == DB_ERROR || db_commit(db, e) != 0)
        goto fail;
    return 0;
fail:
    db_rollback(db);
    return -1;
}

int member_quality_bind_subtree(struct db_stmt *st, struct arena *a, const char *path, int at)
{
    db_bind_text(st, at, path);
    db_bind_text(st, at + 1, path);
    db_bind_text(st, at + 2, path[0] != '\0' ? db_prefix_upper(a, path) : "");
    return at + 3;
}

int member_quality_rows(struct db *db, struct arena *a, int64_t run_id, const char *path,
                        struct member_quality_row **out, int64_t *n, struct err *e)
{
    struct db_stmt *st = NULL;
    int64_t cap = 64;
    int r;
    *n = 0;
    *out = arena_alloc(a, sizeof **out * (size_t)cap);
    if (db_prepare(db, &st, SQL_ROWS, e) != 0)
        return -1;
    db_bind_i64(st, 1, run_id);
    member_quality_bind_subtree(st, a, path, 2);
    while ((r = db_step(st, e)) == DB_ROW) {
        if (*n == cap) {
            struct member_quality_row *more = arena_alloc(a, sizeof *more * (size_t)cap * 2);
            memcpy(more, *out, sizeof *more * (size_t)cap);
            *out = more;
            cap *= 2;
        }
        struct member_quality_row *q = &(*out)[(*n)++];
        q->org_id = db_col_i64(st, 0);
        q->parent_id = db_col_i64(st, 1);
        q->org_name = db_col_strdup(a, st, 2);
        q->path = db_col_strdup(a, st, 3);
        q->members = db_col_i64(st, 4);
        q->clean = db_col_i64(st, 5);
        q->missing_required = db_col_i64(st, 6);
        q->dup_id_number = db_col_i64(st, 7);
        q->dup_name_birth = db_col_i64(st, 8);
        q->rules = db_col_strdup(a, st, 9);
        q->score = db_col_i64(st, 10);
    }
    db_finalize(st);
    return r == DB_ERROR ? -1 : 0;
}

int member_quality_items(struct db *db, struct arena *a, int64_t run_id, const char *path,
                         const char *rule, int64_t limit, int64_t offset,
                         struct member_quality_item **out, int64_t *n, int64_t *total,
                         struct err *e)
{
    struct db_stmt *st = NULL;
    int r;
    *n = 0;
    *out = arena_alloc(a, sizeof **out * (size_t)(limit > 0 ? limit : 1));
    if (db_prepare(db, &st, SQL_ITEMS, e) != 0)
        return -1;
    db_bind_i64(st, 1, run_id);
    int at = member_quality_bind_subtree(st, a, path, 2);
    db_bind_text(st, at, rule);
    db_bind_text(st, at + 1, rule);
    db_bind_i64(st, at + 2, limit);
    db_bind_i64(st, at + 3, offset);
    while ((r = db_step(st, e)) == DB_ROW && *n < limit) {
        struct member_quality_item *it = &(*out)[(*n)++];
        it->member_id = db_col_i64(st, 0);
        it->member_name = db_col_strdup(a, st, 1);
        it->org_id = db_col_i64(st, 2);
        it->org_name = db_col_strdup(a, st, 3);
        it->rule = db_col_strdup(a, st, 4);
        it->field = db_col_strdup(a, st, 5);
    }
    db_finalize(st);
    if (r == DB_ERROR || db_prepare(db, &st, SQL_ITEMS_COUNT, e) != 0)
        return -1;
    db_bind_i64(st, 1, run_id);
    at = member_quality_bind_subtree(st, a, path, 2);
    db_bind_text(st, at, rule);
    db_bind_text(st, at + 1, rule);
    r = db_step(st, e);
    *total = r == DB_ROW ? db_col_i64(st, 0) : 0;
    db_finalize(st);
    return r == DB_ERROR ? -1 : 0;
}
