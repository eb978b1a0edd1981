/* member_import_job.c: the real run as a job, its audit entry, and undo (member_import.h).
 *
 * Audit volume: one entry per import run ("member.import": file, counts, import id) and one
 * per undo ("member.import_undo"), not one per member: 100,000 entries would bury the log and
 * cost more than the import. What each member went through is in member_import_rows (action,
 * version left, the previous row), which undo replays; the entry names the import id. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/audit.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "features/member/import/member_import.h"
#include "features/member/record/member_record.h"
#include "jobs/jobs.h"

int member_import_audit(struct db *db, const struct member_import *im, const char *action,
                        const struct member_import_counts *c, struct err *e)
{
    struct audit_who who = {im->actor, im->actor_name, NULL};
    char object[40];
    snprintf(object, sizeof object, "member_import:%lld", (long long)im->id);
    json_t *ch = json_pack("{s:I, s:s, s:I, s:I, s:I, s:I, s:I}", "import_id", (json_int_t)im->id,
                           "file", im->filename, "rows", (json_int_t)c->total, "new",
                           (json_int_t)c->n_new, "update", (json_int_t)c->n_update, "unchanged",
                           (json_int_t)c->n_unchanged, "bad", (json_int_t)c->n_bad);
    int rc = audit_append(db, &who, action, object, 0, ch, e);
    json_decref(ch);
    return rc;
}

static int finish_run(struct db *db, const struct member_import *im,
                      const struct member_import_counts *c, const char *unknown, struct err *e)
{
    if (db_begin(db, e) != 0)
        return -1;
    if (member_import_set_counts(db, im->id, c, unknown, e) != 0 ||
        member_import_file_drop(db, im->id, e) != 0 || member_import_expire_old(db, e) != 0 ||
        member_import_audit(db, im, "member.import", c, e) != 0 ||
        member_import_set_state(db, im->id, "done", 0, NULL, e) != 0 || db_commit(db, e) != 0) {
        db_rollback(db);
        return -1;
    }
    return 0;
}

static void read_count(struct db_stmt *st, struct arena *a, void *out)
{
    (void)a;
    *(int64_t *)out = db_col_i64(st, 0);
}

/* A run stopped by its user: whole batches stay (the one in progress was rolled back). Its new
 * and updated counts become what was written, from member_import_rows (what undo takes back),
 * and the audit entry says how many rows that is. */
static const char SQL_CANCEL_COUNTS[] =
    "UPDATE member_imports SET "
    "n_new = (SELECT COUNT(*) FROM member_import_rows WHERE import_id = ? AND action = 'insert'), "
    "n_update = (SELECT COUNT(*) FROM member_import_rows WHERE import_id = ? AND action = 'update') "
    "WHERE id = ?";

static int record_cancel(struct db *db, const struct member_import *im, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_CANCEL_COUNTS, e) != 0)
        return -1;
    for (int i = 1; i <= 3; i++)
        db_bind_i64(st, i, im->id);
    int rc = db_step(st, e) == DB_DONE ? 0 : -1;
    db_finalize(st);
    int64_t written = 0;
    if (rc != 0 ||
        db_get_one(db, NULL, "SELECT COUNT(*) FROM member_import_rows WHERE import_id = ?",
                   &im->id, 1, read_count, &written, "import.not_found", e) != 0)
        return -1;
    struct audit_who who = {im->actor, im->actor_name, NULL};
    char object[40];
    snprintf(object, sizeof object, "member_import:%lld", (long long)im->id);
    json_t *ch = json_pack("{s:I, s:s, s:I, s:I}", "import_id", (json_int_t)im->id, "file",
                           im->filename, "rows", (json_int_t)im->rows_total, "rows_written",
                           (json_int_t)written);
    rc = audit_append(db, &who, "member.import_cancel", object, 0, ch, e);
    json_decref(ch);
    return rc;
}

int member_import_execute(struct db *db, struct arena *a, const struct member_import *im,
                          const void *data, size_t len, int64_t job_id,
                          struct member_import_counts *c, struct err *e)
{
    const char *unknown;
    struct member_import_pass p = {
        .import_id = im->id, .scope_json = im->scope, .default_org_id = im->default_org_id,
        .write = true, .job_id = job_id, .total_hint = im->rows_total,
    };
    if (member_import_set_state(db, im->id, "running", job_id, NULL, e) == 0 &&
        member_import_pass(db, a, data, len, &p, c, &unknown, e) == 0 &&
        finish_run(db, im, c, unknown, e) == 0)
        return 0;
    struct err fe = ERR_INIT;
    if (db_in_tx(db))
        db_rollback(db);
    /* A failed run is final (only a checked import runs); undo and the error report need
     * member_import_rows and member_import_errors, not the file: it goes with the state. */
    bool cancelled = strcmp(e->message, "jobs.cancelled") == 0;
    if (db_begin(db, &fe) != 0 || member_import_set_state(db, im->id, "failed", 0, e->message, &fe) != 0 ||
        member_import_file_drop(db, im->id, &fe) != 0 ||
        (cancelled && record_cancel(db, im, &fe) != 0) || db_commit(db, &fe) != 0) {
        db_rollback(db);
        log_error("import", "import %lld: cannot mark failed: %s", (long long)im->id, fe.message);
    }
    return -1;
}

int member_import_job(struct db *db, struct arena *a, const struct job *job,
                      const char **result_json, struct err *e)
{
    json_error_t je;
    json_t *params = json_loads(job->params != NULL ? job->params : "{}", 0, &je);
    int64_t id = (int64_t)json_integer_value(json_object_get(params, "import_id"));
    json_decref(params);
    struct member_import im;
    struct buf file = BUF_INIT(MEMBER_IMPORT_MAX_BYTES + 1);
    struct member_import_counts c;
    if (member_import_get(db, a, id, &im, e) != 0)
        return -1;
    if (strcmp(im.state, "queued") != 0 && strcmp(im.state, "running") != 0)
        return err_set(e, ERR_CONFLICT, "import.already_run");
    int rc = member_import_file_get(db, id, &file, e) != 0 ||
                     member_import_execute(db, a, &im, file.data, file.len, job->id, &c, e) != 0
                 ? -1
                 : 0;
    buf_fini(&file);
    if (rc != 0)
        return -1;
    *result_json = arena_printf(a,
                                "{\"import_id\":%lld,\"rows\":%lld,\"new\":%lld,\"update\":%lld,"
                                "\"unchanged\":%lld,\"bad\":%lld,\"errors_url\":"
                                "\"/api/v1/members/imports/%lld/errors.xlsx\"}",
                                (long long)id, (long long)c.total, (long long)c.n_new,
                                (long long)c.n_update, (long long)c.n_unchanged,
                                (long long)c.n_bad, (long long)id);
    return 0;
}

/* ---- undo ---- */

static const char SQL_ROWS[] =
    "SELECT r.member_id, r.action, r.version_after, r.before, m.version FROM member_import_rows r "
    "LEFT JOIN members m ON m.id = r.member_id WHERE r.import_id = ? ORDER BY r.member_id";

/* Inserted members a user account or a change request now points at: deleting them would break
 * those rows (users.member_id, member_change_requests.member_id reference members), and neither
 * link moves members.version. Counted before anything is deleted. */
static const char SQL_LINKED[] =
    "SELECT COUNT(*) FROM member_import_rows r WHERE r.import_id = ? AND r.action = 'insert' "
    "AND (EXISTS (SELECT 1 FROM users u WHERE u.member_id = r.member_id) OR "
    "EXISTS (SELECT 1 FROM member_change_requests c WHERE c.member_id = r.member_id))";

static int count_linked(struct db *db, int64_t id, int64_t *n, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_LINKED, e) != 0)
        return -1;
    db_bind_i64(st, 1, id);
    int rc = db_step(st, e);
    *n = rc == DB_ROW ? db_col_i64(st, 0) : 0;
    db_finalize(st);
    return rc == DB_ROW ? 0 : -1;
}

struct undo_row {
    int64_t id, version_after;
    bool insert;
    const char *before;
};

static const char *jstr(struct arena *a, const json_t *o, const char *k)
{
    return arena_strdup(a, json_string_value(json_object_get(o, k)));
}

/* The stored row back from its JSON (member_import_run.c before_json). */
static int row_of_before(struct arena *a, const char *text, struct member_row *row)
{
    json_error_t je;
    json_t *j = json_loads(text != NULL ? text : "", 0, &je);
    if (!json_is_object(j)) {
        json_decref(j);
        return -1;
    }
    *row = (struct member_row){
        .org_id = (int64_t)json_integer_value(json_object_get(j, "org_id")),
        .name = jstr(a, j, "name"),
        .gender = (int)json_integer_value(json_object_get(j, "gender")),
    };
    struct {
        const char *key;
        const char **p;
    } F[] = {
        {"birth_date", &row->birth_date}, {"category", &row->category}, {"status", &row->status},
        {"ethnicity", &row->ethnicity}, {"education", &row->education},
        {"applied_on", &row->applied_on}, {"activist_on", &row->activist_on},
        {"candidate_on", &row->candidate_on}, {"joined_on", &row->joined_on},
        {"full_on", &row->full_on}, {"full_exception", &row->full_exception}, {"job", &row->job},
        {"title", &row->title}, {"work_unit", &row->work_unit},
        {"department", &row->department}, {"status_on", &row->status_on},
        {"status_reason", &row->status_reason}, {"id_number_enc", &row->id_number_enc},
        {"id_number_bidx", &row->id_number_bidx}, {"id_number_orig_enc", &row->id_number_orig_enc},
        {"phone_enc", &row->phone_enc}, {"phone_bidx", &row->phone_bidx},
        {"address_enc", &row->address_enc},
    };
    for (size_t i = 0; i < sizeof F / sizeof F[0]; i++)
        *F[i].p = jstr(a, j, F[i].key);
    json_decref(j);
    return 0;
}

static int load_rows(struct db *db, struct arena *a, int64_t id, struct undo_row **out,
                     int64_t *n, int64_t *changed, struct err *e)
{
    struct db_stmt *st = NULL;
    int64_t cap = 1024;
    int rc;
    *n = *changed = 0;
    *out = arena_alloc(a, sizeof **out * (size_t)cap);
    if (db_prepare(db, &st, SQL_ROWS, e) != 0)
        return -1;
    db_bind_i64(st, 1, id);
    while ((rc = db_step(st, e)) == DB_ROW) {
        if (db_col_is_null(st, 4) || db_col_i64(st, 4) != db_col_i64(st, 2))
            (*changed)++;
        if (*n == cap) {
            struct undo_row *r = arena_alloc(a, sizeof *r * (size_t)cap * 2);
            memcpy(r, *out, sizeof *r * (size_t)cap);
            *out = r;
            cap *= 2;
        }
        const char *action = db_col_text(st, 1);
        (*out)[(*n)++] = (struct undo_row){
            .id = db_col_i64(st, 0), .version_after = db_col_i64(st, 2),
            .insert = action != NULL && strcmp(action, "insert") == 0,
            .before = db_col_strdup(a, st, 3),
        };
    }
    db_finalize(st);
    return rc == DB_ERROR ? -1 : 0;
}

static int undo_rows(struct db *db, struct arena *a, const struct undo_row *rows, int64_t n,
                     struct member_import_counts *c, struct err *e)
{
    struct db_stmt *del = NULL;
    if (db_prepare(db, &del, "DELETE FROM members WHERE id = ? AND version = ?", e) != 0)
        return -1;
    int rc = 0;
    for (int64_t i = 0; i < n && rc == 0; i++) {
        const struct undo_row *r = &rows[i];
        if (r->insert) {
            db_reset(del);
            db_bind_i64(del, 1, r->id);
            db_bind_i64(del, 2, r->version_after);
            rc = db_step(del, e) == DB_DONE ? 0 : -1;
            c->n_new++;
            continue;
        }
        struct member_row row;
        if (row_of_before(a, r->before, &row) != 0) {
            rc = err_set(e, ERR_INTERNAL, "internal");
            break;
        }
        rc = member_record_update(db, r->id, r->version_after, &row, e);
        c->n_update++;
    }
    db_finalize(del);
    return rc;
}

int member_import_undo(struct db *db, struct arena *a, int64_t id, int64_t *changed,
                       int64_t *linked, struct err *e)
{
    struct member_import im;
    struct undo_row *rows;
    struct member_import_counts c = {0};
    int64_t n;
    *changed = *linked = 0;
    if (member_import_get(db, a, id, &im, e) != 0)
        return -1;
    if (strcmp(im.state, "done") != 0 && strcmp(im.state, "failed") != 0)
        return err_set(e, ERR_CONFLICT, "import.undo_state");
    if (db_begin(db, e) != 0)
        return -1;
    if (load_rows(db, a, id, &rows, &n, changed, e) != 0)
        goto fail;
    if (*changed > 0) {
        err_set(e, ERR_CONFLICT, "import.undo_changed");
        err_detail(e, "%lld", (long long)*changed);
        goto fail;
    }
    if (count_linked(db, id, linked, e) != 0)
        goto fail;
    if (*linked > 0) {
        err_set(e, ERR_CONFLICT, "import.undo_linked");
        err_detail(e, "%lld", (long long)*linked);
        goto fail;
    }
    c.total = n;
    if (undo_rows(db, a, rows, n, &c, e) != 0 ||
        member_import_set_state(db, id, "undone", 0, NULL, e) != 0 ||
        member_import_audit(db, &im, "member.import_undo", &c, e) != 0 || db_commit(db, e) != 0)
        goto fail;
    return 0;
fail:
    db_rollback(db);
    return -1;
}
