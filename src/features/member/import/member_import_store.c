/* member_import_store.c: SQL of member imports (member_import.h): the import row, its sealed
 * file in pieces, and its error report (values sealed: a wrong ID number is still one). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "crypto/field.h"
#include "crypto/keys.h"
#include "db/db.h"
#include "features/member/import/member_import.h"

#define PIECE 3000                     /* bytes per sealed piece: 4,000 base64 characters */

#define COLS                                                                                   \
    "id, state, filename, format, size, scope, default_org_id, user_id, actor, actor_name, "    \
    "job_id, rows_total, n_new, n_update, n_unchanged, n_bad, n_errors, unknown_columns, "      \
    "error, created_at, run_at, finished_at, undone_at"

static const char SQL_INSERT[] =
    "INSERT INTO member_imports (state, filename, format, size, scope, default_org_id, "
    "user_id, actor, actor_name, created_at) VALUES ('checked', ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "RETURNING id";
static const char SQL_GET[] = "SELECT " COLS " FROM member_imports WHERE id = ?";
static const char SQL_LIST[] =
    "SELECT " COLS " FROM member_imports ORDER BY id DESC LIMIT ? OFFSET ?";
static const char SQL_COUNTS[] =
    "UPDATE member_imports SET rows_total = ?, n_new = ?, n_update = ?, n_unchanged = ?, "
    "n_bad = ?, n_errors = ?, unknown_columns = ? WHERE id = ?";
static const char SQL_STATE[] =
    "UPDATE member_imports SET state = ?, job_id = COALESCE(?, job_id), error = ?, "
    "run_at = CASE WHEN ? = 'queued' THEN ? ELSE run_at END, "
    "finished_at = CASE WHEN ? IN ('done', 'failed') THEN ? ELSE finished_at END, "
    "undone_at = CASE WHEN ? = 'undone' THEN ? ELSE undone_at END WHERE id = ?";
static const char SQL_PIECE_PUT[] =
    "INSERT INTO member_import_chunks (import_id, seq, data) VALUES (?, ?, ?)";
static const char SQL_PIECES[] =
    "SELECT seq, data FROM member_import_chunks WHERE import_id = ? ORDER BY seq";
/* Checked imports (dry run only) created before ?: their sealed upload goes, state expired. */
static const char SQL_EXPIRE_CHUNKS[] =
    "DELETE FROM member_import_chunks WHERE import_id IN (SELECT id FROM member_imports "
    "WHERE state = 'checked' AND created_at < ?)";
static const char SQL_EXPIRE[] =
    "UPDATE member_imports SET state = 'expired' WHERE state = 'checked' AND created_at < ?";
static const char SQL_ERRORS[] =
    "SELECT row_no, col, rule, msg, value_enc FROM member_import_errors WHERE import_id = ? "
    "ORDER BY seq LIMIT ?";

static void read_import(struct db_stmt *st, struct arena *a, struct member_import *m)
{
    m->id = db_col_i64(st, 0);
    m->state = db_col_strdup(a, st, 1);
    m->filename = db_col_strdup(a, st, 2);
    m->format = db_col_strdup(a, st, 3);
    m->size = db_col_i64(st, 4);
    m->scope = db_col_strdup(a, st, 5);
    m->default_org_id = db_col_i64(st, 6);
    m->user_id = db_col_i64(st, 7);
    m->actor = db_col_strdup(a, st, 8);
    m->actor_name = db_col_strdup(a, st, 9);
    m->job_id = db_col_i64(st, 10);
    int64_t *n[] = {&m->rows_total, &m->n_new, &m->n_update, &m->n_unchanged, &m->n_bad,
                    &m->n_errors};
    for (int i = 0; i < 6; i++)
        *n[i] = db_col_i64(st, 11 + i);
    m->unknown_columns = db_col_strdup(a, st, 17);
    m->error = db_col_strdup(a, st, 18);
    m->created_at = db_col_i64(st, 19);
    m->run_at = db_col_i64(st, 20);
    m->finished_at = db_col_i64(st, 21);
    m->undone_at = db_col_i64(st, 22);
}

int member_import_create(struct db *db, struct member_import *im, int64_t *id, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_INSERT, e) != 0)
        return -1;
    db_bind_text(st, 1, im->filename);
    db_bind_text(st, 2, im->format);
    db_bind_i64(st, 3, im->size);
    db_bind_text(st, 4, im->scope);
    if (im->default_org_id > 0)
        db_bind_i64(st, 5, im->default_org_id);
    else
        db_bind_null(st, 5);
    if (im->user_id > 0)
        db_bind_i64(st, 6, im->user_id);
    else
        db_bind_null(st, 6);
    db_bind_text(st, 7, im->actor);
    db_bind_text(st, 8, im->actor_name);
    db_bind_i64(st, 9, now_unix());
    int rc = db_step(st, e);
    if (rc == DB_ROW)
        *id = db_col_i64(st, 0);
    db_finalize(st);
    return rc == DB_ROW ? 0 : -1;
}

int member_import_get(struct db *db, struct arena *a, int64_t id, struct member_import *out,
                      struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_GET, e) != 0)
        return -1;
    db_bind_i64(st, 1, id);
    int rc = db_step(st, e);
    if (rc == DB_ROW)
        read_import(st, a, out);
    db_finalize(st);
    if (rc != DB_ROW)
        return rc == DB_ERROR ? -1 : err_set(e, ERR_NOT_FOUND, "import.not_found");
    return 0;
}

int member_import_list(struct db *db, struct arena *a, int64_t limit, int64_t offset,
                       struct member_import **out, int64_t *n, int64_t *total, struct err *e)
{
    struct db_stmt *st = NULL;
    int rc = DB_DONE;
    *n = 0;
    if (db_query_i64(db, "SELECT COUNT(*) FROM member_imports", total, e) != 0 ||
        db_prepare(db, &st, SQL_LIST, e) != 0)
        return -1;
    db_bind_i64(st, 1, limit);
    db_bind_i64(st, 2, offset);
    *out = arena_alloc(a, sizeof **out * (size_t)(limit > 0 ? limit : 1));
    while (*n < limit && (rc = db_step(st, e)) == DB_ROW)
        read_import(st, a, &(*out)[(*n)++]);
    db_finalize(st);
    return rc == DB_ERROR ? -1 : 0;
}

int member_import_set_counts(struct db *db, int64_t id, const struct member_import_counts *c,
                             const char *unknown_json, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_COUNTS, e) != 0)
        return -1;
    const int64_t v[] = {c->total, c->n_new, c->n_update, c->n_unchanged, c->n_bad, c->n_errors};
    for (int i = 0; i < 6; i++)
        db_bind_i64(st, 1 + i, v[i]);
    db_bind_text(st, 7, unknown_json);
    db_bind_i64(st, 8, id);
    int rc = db_step(st, e);
    db_finalize(st);
    return rc == DB_DONE ? 0 : -1;
}

int member_import_set_state(struct db *db, int64_t id, const char *state, int64_t job_id,
                            const char *error, struct err *e)
{
    struct db_stmt *st = NULL;
    int64_t now = now_unix();
    if (db_prepare(db, &st, SQL_STATE, e) != 0)
        return -1;
    db_bind_text(st, 1, state);
    if (job_id > 0)
        db_bind_i64(st, 2, job_id);
    else
        db_bind_null(st, 2);
    db_bind_text(st, 3, error);
    for (int i = 0; i < 3; i++) {
        db_bind_text(st, 4 + 2 * i, state);
        db_bind_i64(st, 5 + 2 * i, now);
    }
    db_bind_i64(st, 10, id);
    int rc = db_step(st, e);
    db_finalize(st);
    return rc == DB_DONE ? 0 : -1;
}

static int ring(struct field_keyring *kr, struct err *e)
{
    const struct keys *k = keys_get();
    if (k == NULL)
        return err_set(e, ERR_UNAVAILABLE, "keys.not_loaded");
    *kr = keys_field_ring(k);
    return 0;
}

int member_import_file_put(struct db *db, int64_t id, const void *data, size_t len, struct err *e)
{
    struct field_keyring kr;
    struct db_stmt *st = NULL;
    char b64[sodium_base64_ENCODED_LEN(PIECE, sodium_base64_VARIANT_ORIGINAL)], column[64];
    if (ring(&kr, e) != 0 || db_prepare(db, &st, SQL_PIECE_PUT, e) != 0)
        return -1;
    int rc = 0;
    for (size_t off = 0, seq = 0; off < len && rc == 0; off += PIECE, seq++) {
        size_t n = len - off < PIECE ? len - off : PIECE;
        char *sealed = NULL;
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)data + off, n,
                          sodium_base64_VARIANT_ORIGINAL);
        snprintf(column, sizeof column, "member_import_chunks.data.%zu", seq);
        if (field_encrypt(&kr, column, id, b64, &sealed, e) != 0) {
            rc = -1;
            break;
        }
        db_reset(st);
        db_bind_i64(st, 1, id);
        db_bind_i64(st, 2, (int64_t)seq);
        db_bind_text(st, 3, sealed);
        free(sealed);
        rc = db_step(st, e) == DB_DONE ? 0 : -1;
    }
    db_finalize(st);
    return rc;
}

int member_import_file_get(struct db *db, int64_t id, struct buf *out, struct err *e)
{
    struct field_keyring kr;
    struct db_stmt *st = NULL;
    unsigned char raw[PIECE];
    char column[64];
    int rc;
    if (ring(&kr, e) != 0 || db_prepare(db, &st, SQL_PIECES, e) != 0)
        return -1;
    db_bind_i64(st, 1, id);
    while ((rc = db_step(st, e)) == DB_ROW) {
        char *b64 = NULL;
        size_t n = 0;
        snprintf(column, sizeof column, "member_import_chunks.data.%lld",
                 (long long)db_col_i64(st, 0));
        if (field_decrypt(&kr, column, id, db_col_text(st, 1), &b64, e) != 0) {
            rc = DB_ERROR;
            break;
        }
        int bad = sodium_base642bin(raw, sizeof raw, b64, strlen(b64), NULL, &n, NULL,
                                    sodium_base64_VARIANT_ORIGINAL);
        free(b64);
        if (bad != 0) {
            err_set(e, ERR_INTERNAL, "internal");
            rc = DB_ERROR;
            break;
        }
        buf_add(out, raw, n);
    }
    db_finalize(st);
    if (rc == DB_ERROR)
        return -1;
    if (out->len == 0)
        return err_set(e, ERR_CONFLICT, "import.file_gone");
    return 0;
}

static int exec_id(struct db *db, const char *sql, int64_t id, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_i64(st, 1, id);
    int rc = db_step(st, e);
    db_finalize(st);
    return rc == DB_DONE ? 0 : -1;
}

int member_import_file_drop(struct db *db, int64_t id, struct err *e)
{
    return exec_id(db, "DELETE FROM member_import_chunks WHERE import_id = ?", id, e);
}

int member_import_errors_clear(struct db *db, int64_t id, struct err *e)
{
    return exec_id(db, "DELETE FROM member_import_errors WHERE import_id = ?", id, e);
}

int member_import_errors_each(struct db *db, int64_t id, int64_t limit,
                              member_import_problem_fn fn, void *ctx, struct err *e)
{
    struct field_keyring kr;
    struct db_stmt *st = NULL;
    int rc;
    if (ring(&kr, e) != 0 || db_prepare(db, &st, SQL_ERRORS, e) != 0)
        return -1;
    db_bind_i64(st, 1, id);
    db_bind_i64(st, 2, limit > 0 ? limit : INT64_MAX);
    while ((rc = db_step(st, e)) == DB_ROW) {
        char *value = NULL;
        const char *enc = db_col_text(st, 4);
        if (enc != NULL && field_decrypt(&kr, "member_import_errors.value", id, enc, &value, e) != 0) {
            rc = DB_ERROR;
            break;
        }
        struct member_import_problem p = {
            .row = db_col_i64(st, 0), .column = db_col_text(st, 1), .rule = db_col_text(st, 2),
            .msg = db_col_text(st, 3), .value = value != NULL ? value : "",
        };
        int stop = fn(ctx, &p);
        if (value != NULL) {
            sodium_memzero(value, strlen(value));
            free(value);
        }
        if (stop != 0)
            break;
    }
    db_finalize(st);
    return rc == DB_ERROR ? -1 : 0;
}

int member_import_expire(struct db *db, int64_t before, int64_t *n, struct err *e)
{
    struct db_stmt *st = NULL;
    *n = 0;
    if (db_prepare(db, &st, SQL_EXPIRE_CHUNKS, e) != 0)
        return -1;
    db_bind_i64(st, 1, before);
    int rc = db_step(st, e);
    db_finalize(st);
    if (rc != DB_DONE || db_prepare(db, &st, SQL_EXPIRE, e) != 0)
        return -1;
    db_bind_i64(st, 1, before);
    rc = db_step(st, e);
    *n = rc == DB_DONE ? db_changes(st) : 0;
    db_finalize(st);
    return rc == DB_DONE ? 0 : -1;
}

int member_import_expire_old(struct db *db, struct err *e)
{
    int64_t n = 0;
    const struct config *c = config_get();
    int64_t days = c != NULL && c->import_retention_days > 0 ? c->import_retention_days : 7;
    if (member_import_expire(db, now_unix() - days * 86400, &n, e) != 0)
        return -1;
    if (n > 0)
        log_info("import", "%lld checked import(s) older than %lld days expired, uploads dropped",
                 (long long)n, (long long)days);
    return 0;
}
