/* jobs_store.c: SQL for the jobs table (see jobs.h). Claiming uses a conditional UPDATE on the
 * row's state/lease, so two runners racing for one job cannot both win: the loser's UPDATE
 * changes 0 rows and it moves on. */
#include <string.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "db/db.h"
#include "jobs/jobs.h"

static const char SQL_CREATE[] =
    "INSERT INTO jobs (kind, state, params, done, total, created_at, updated_at, started_at) "
    "VALUES (?, ?, ?, 0, ?, ?, ?, ?) RETURNING id";
/* Progress also renews a runner's lease, so a long job is never reclaimed while it advances, and
 * tells the job whether it has been asked to stop. */
static const char SQL_PROGRESS[] =
    "UPDATE jobs SET done = ?, total = ?, updated_at = ?, "
    "lease_until = CASE WHEN lease_until IS NULL THEN NULL ELSE CAST(? AS BIGINT) END WHERE id = ? "
    "RETURNING cancel_requested_at";
/* A queued job is cancelled at once; a running one is asked to stop (both conditional, so a
 * runner claiming or finishing it at the same moment is never overwritten). */
static const char SQL_CANCEL_QUEUED[] =
    "UPDATE jobs SET state = 'cancelled', error = 'jobs.cancelled', updated_at = ?, "
    "finished_at = ?, cancel_requested_at = ? WHERE id = ? AND state = 'queued'";
static const char SQL_CANCEL_RUNNING[] =
    "UPDATE jobs SET cancel_requested_at = COALESCE(cancel_requested_at, ?), updated_at = ? "
    "WHERE id = ? AND state = 'running'";
static const char SQL_FINISH[] =
    "UPDATE jobs SET state = ?, result = ?, error = ?, updated_at = ?, finished_at = ?, "
    "lease_owner = NULL, lease_until = NULL WHERE id = ?";
static const char SQL_GET[] =
    "SELECT id, kind, state, params, result, error, done, total, created_at, updated_at, "
    "started_at, finished_at FROM jobs WHERE id = ?";
static const char SQL_LATEST[] =
    "SELECT id FROM jobs WHERE kind = ? AND state IN (?, ?) ORDER BY id DESC LIMIT 1";
static const char SQL_NEXT[] =
    "SELECT id FROM jobs WHERE state = 'queued' OR (state = 'running' AND lease_until < ?) "
    "ORDER BY id LIMIT 1";
static const char SQL_TAKE[] =
    "UPDATE jobs SET state = 'running', lease_owner = ?, lease_until = ?, updated_at = ?, "
    "started_at = COALESCE(started_at, ?) "
    "WHERE id = ? AND (state = 'queued' OR (state = 'running' AND lease_until < ?))";

int jobs_store_create(struct db *db, const char *kind, const char *params_json, int64_t total,
                      int run_inline, int64_t *id, struct err *e)
{
    struct db_stmt *st = NULL;
    int64_t now = now_unix();
    if (db_prepare(db, &st, SQL_CREATE, e) != 0)
        return -1;
    db_bind_text(st, 1, kind);
    db_bind_text(st, 2, run_inline ? "running" : "queued");
    db_bind_text(st, 3, params_json);
    db_bind_i64(st, 4, total);
    db_bind_i64(st, 5, now);
    db_bind_i64(st, 6, now);
    if (run_inline)
        db_bind_i64(st, 7, now);
    else
        db_bind_null(st, 7);
    int rc = db_step(st, e) == DB_ROW ? 0 : -1;
    if (rc == 0)
        *id = db_col_i64(st, 0);
    db_finalize(st);
    return rc;
}

int jobs_store_progress(struct db *db, int64_t id, int64_t done, int64_t total, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_PROGRESS, e) != 0)
        return -1;
    int64_t now = now_unix();
    db_bind_i64(st, 1, done);
    db_bind_i64(st, 2, total);
    db_bind_i64(st, 3, now);
    db_bind_i64(st, 4, now + JOBS_LEASE_S);
    db_bind_i64(st, 5, id);
    int r = db_step(st, e);
    int rc = r == DB_ROW || r == DB_DONE ? 0 : -1;
    if (r == DB_ROW && db_col_i64(st, 0) != 0)
        rc = err_set(e, ERR_CONFLICT, "jobs.cancelled");
    db_finalize(st);
    return rc;
}

static int cancel_step(struct db *db, const char *sql, int64_t id, int64_t now, int nnow,
                       int64_t *changed, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    for (int i = 1; i <= nnow; i++)
        db_bind_i64(st, i, now);
    db_bind_i64(st, nnow + 1, id);
    int rc = db_step(st, e) == DB_DONE ? 0 : -1;
    *changed = rc == 0 ? db_changes(st) : 0;
    db_finalize(st);
    return rc;
}

int jobs_store_cancel(struct db *db, int64_t id, enum jobs_cancel *out, struct err *e)
{
    int64_t now = now_unix(), n = 0;
    if (cancel_step(db, SQL_CANCEL_QUEUED, id, now, 3, &n, e) != 0)
        return -1;
    if (n > 0) {
        *out = JOBS_CANCELLED;
        return 0;
    }
    if (cancel_step(db, SQL_CANCEL_RUNNING, id, now, 2, &n, e) != 0)
        return -1;
    if (n > 0) {
        *out = JOBS_CANCEL_REQUESTED;
        return 0;
    }
    struct arena *a = arena_create(0);
    struct job j;
    int rc = jobs_store_get(db, a, id, &j, e);     /* not found, or already finished */
    arena_destroy(a);
    return rc != 0 ? -1 : err_set(e, ERR_CONFLICT, "jobs.finished");
}

int jobs_store_finish(struct db *db, int64_t id, const char *state, const char *result_json,
                      const char *error, struct err *e)
{
    struct db_stmt *st = NULL;
    int64_t now = now_unix();
    if (db_prepare(db, &st, SQL_FINISH, e) != 0)
        return -1;
    db_bind_text(st, 1, state);
    db_bind_text(st, 2, result_json);
    db_bind_text(st, 3, error);
    db_bind_i64(st, 4, now);
    db_bind_i64(st, 5, now);
    db_bind_i64(st, 6, id);
    int rc = db_step(st, e) == DB_DONE ? 0 : -1;
    db_finalize(st);
    return rc;
}

int jobs_store_get(struct db *db, struct arena *a, int64_t id, struct job *out, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_GET, e) != 0)
        return -1;
    db_bind_i64(st, 1, id);
    int r = db_step(st, e);
    if (r == DB_ROW) {
        *out = (struct job){
            .id = db_col_i64(st, 0),
            .kind = db_col_strdup(a, st, 1),
            .state = db_col_strdup(a, st, 2),
            .params = db_col_strdup(a, st, 3),
            .result = db_col_strdup(a, st, 4),
            .error = db_col_strdup(a, st, 5),
            .done = db_col_i64(st, 6),
            .total = db_col_i64(st, 7),
            .created_at = db_col_i64(st, 8),
            .updated_at = db_col_i64(st, 9),
            .started_at = db_col_i64(st, 10),
            .finished_at = db_col_i64(st, 11),
        };
    } else if (r == DB_DONE) {
        err_set(e, ERR_NOT_FOUND, "jobs.not_found");
    }
    db_finalize(st);
    return r == DB_ROW ? 0 : -1;
}

int jobs_store_latest(struct db *db, struct arena *a, const char *kind, int finished,
                      struct job *out, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_LATEST, e) != 0)
        return -1;
    db_bind_text(st, 1, kind);
    db_bind_text(st, 2, finished ? "done" : "queued");
    db_bind_text(st, 3, finished ? "failed" : "running");
    int r = db_step(st, e);
    int64_t id = r == DB_ROW ? db_col_i64(st, 0) : 0;
    db_finalize(st);
    if (r == DB_ERROR)
        return -1;
    if (id == 0)
        return 0;
    return jobs_store_get(db, a, id, out, e) == 0 ? 1 : -1;
}

int jobs_store_claim(struct db *db, struct arena *a, const char *owner, int lease_s,
                     struct job *out, struct err *e)
{
    struct db_stmt *st = NULL;
    int64_t now = now_unix(), id = 0;
    if (db_prepare(db, &st, SQL_NEXT, e) != 0)
        return -1;
    db_bind_i64(st, 1, now);
    int r = db_step(st, e);
    if (r == DB_ROW)
        id = db_col_i64(st, 0);
    db_finalize(st);
    if (r != DB_ROW)
        return r == DB_DONE ? 0 : -1;
    if (db_prepare(db, &st, SQL_TAKE, e) != 0)
        return -1;
    db_bind_text(st, 1, owner);
    db_bind_i64(st, 2, now + lease_s);
    db_bind_i64(st, 3, now);
    db_bind_i64(st, 4, now);
    db_bind_i64(st, 5, id);
    db_bind_i64(st, 6, now);
    r = db_step(st, e);
    int64_t changed = r == DB_DONE ? db_changes(st) : 0;
    db_finalize(st);
    if (r != DB_DONE)
        return -1;
    if (changed == 0)
        return 0;                       /* another runner took it first */
    return jobs_store_get(db, a, id, out, e) == 0 ? 1 : -1;
}
