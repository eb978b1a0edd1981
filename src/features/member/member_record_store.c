/* member_record_store.c: the member record's SQL (member_record.h): one record, create and
 * versioned update, the duplicate check on the ID number's blind index, code tables, the ID-07
 * CONFIG value and the history archive list. Every write runs inside the caller's transaction
 * (the handler opens it so the audit entry commits with the change). */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "db/db.h"
#include "features/member/member_record.h"

#define FULL_COLS                                                                               \
    "m.id, m.org_id, o.name, o.path, m.name, m.gender, m.birth_date, m.category, m.joined_on, " \
    "m.status, m.id_number_enc, m.phone_enc, m.address_enc, m.ethnicity, m.education, "         \
    "m.applied_on, m.activist_on, m.candidate_on, m.full_on, m.full_exception, m.job, m.title, "  \
    "m.work_unit, m.department, m.status_on, m.status_reason, m.id_number_orig_enc, m.version, " \
    "(SELECT COUNT(*) FROM member_photos p WHERE p.member_id = m.id), m.id_number_bidx, "          \
    "m.phone_bidx"

static const char SQL_ONE[] =
    "SELECT " FULL_COLS " FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.id = ?";

#define ROW_COLS                                                                                \
    "org_id, name, gender, birth_date, category, status, ethnicity, education, applied_on, "    \
    "activist_on, candidate_on, joined_on, full_on, full_exception, job, title, work_unit, "      \
    "department, status_on, status_reason, id_number_enc, id_number_bidx, id_number_orig_enc, " \
    "phone_enc, phone_bidx, address_enc"
#define ROW_NCOLS 26

static const char SQL_INSERT[] =
    "INSERT INTO members (" ROW_COLS ", version, created_at, updated_at) VALUES "
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) "
    "RETURNING id";
static const char SQL_UPDATE[] =
    "UPDATE members SET org_id = ?, name = ?, gender = ?, birth_date = ?, category = ?, "
    "status = ?, ethnicity = ?, education = ?, applied_on = ?, activist_on = ?, "
    "candidate_on = ?, joined_on = ?, full_on = ?, full_exception = ?, job = ?, title = ?, "
    "work_unit = ?, department = ?, status_on = ?, status_reason = ?, id_number_enc = ?, "
    "id_number_bidx = ?, id_number_orig_enc = ?, phone_enc = ?, phone_bidx = ?, "
    "address_enc = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?";
static const char SQL_SET_PDATA[] =
    "UPDATE members SET id_number_enc = ?, id_number_bidx = ?, id_number_orig_enc = ?, "
    "phone_enc = ?, phone_bidx = ?, address_enc = ? WHERE id = ?";
static const char SQL_TOUCH[] =
    "UPDATE members SET version = version + 1, updated_at = ? WHERE id = ?";
static const char SQL_DUP[] =
    "SELECT id FROM members WHERE id_number_bidx = ? AND id <> ? LIMIT 1";
static const char SQL_PHONE_PATTERN[] =
    "SELECT value FROM rule_settings WHERE rule_key = 'ID-07.phone_pattern' AND org_id = 0";
static const char SQL_CODES[] =
    "SELECT kind, code, label_zh, label_en, active FROM code_tables ORDER BY kind, sort, code";
static const char SQL_LOG[] =
    "INSERT INTO member_status_log (member_id, from_status, to_status, on_date, reason, "
    "user_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)";

#define ARCHIVE_WHERE                                                                          \
    " FROM members m JOIN orgs o ON o.id = m.org_id WHERE o.path >= ? AND o.path < ? AND "      \
    "m.status IN ('suspended', 'expelled', 'deceased', 'transferred_out') AND "               \
    "(? = '' OR m.status = ?) AND (? = '' OR m.name LIKE ? ESCAPE '\\')"
static const char SQL_ARCHIVE[] =
    "SELECT " FULL_COLS ARCHIVE_WHERE " ORDER BY m.status_on DESC, m.id DESC LIMIT ? OFFSET ?";
static const char SQL_ARCHIVE_COUNT[] = "SELECT COUNT(*)" ARCHIVE_WHERE;

static void read_full(struct db_stmt *st, struct arena *a, struct member_full *f)
{
    struct member *m = &f->m;
    const char **more[] = {&f->ethnicity, &f->education, &f->applied_on, &f->activist_on,
                           &f->candidate_on, &f->full_on, &f->full_exception, &f->job, &f->title,
                           &f->work_unit, &f->department, &f->status_on, &f->status_reason,
                           &f->id_number_orig_enc};
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
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        *more[i] = db_col_strdup(a, st, 13 + (int)i);
    f->version = db_col_i64(st, 27);
    f->has_photo = db_col_i64(st, 28) > 0;
    f->id_number_bidx = db_col_strdup(a, st, 29);
    f->phone_bidx = db_col_strdup(a, st, 30);
}

int member_record_get(struct db *db, struct arena *a, int64_t id, struct member_full *out,
                      struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_ONE, e) != 0)
        return -1;
    db_bind_i64(st, 1, id);
    int r = db_step(st, e);
    if (r == DB_ROW)
        read_full(st, a, out);
    db_finalize(st);
    if (r != DB_ROW)
        return r == DB_ERROR ? -1 : err_set(e, ERR_NOT_FOUND, "member.not_found");
    return 0;
}

static void bind_row(struct db_stmt *st, const struct member_row *r)
{
    const char *texts[] = {r->birth_date, r->category, r->status, r->ethnicity, r->education,
                           r->applied_on, r->activist_on, r->candidate_on, r->joined_on,
                           r->full_on, r->full_exception, r->job, r->title, r->work_unit,
                           r->department, r->status_on, r->status_reason, r->id_number_enc,
                           r->id_number_bidx, r->id_number_orig_enc, r->phone_enc,
                           r->phone_bidx, r->address_enc};
    db_bind_i64(st, 1, r->org_id);
    db_bind_text(st, 2, r->name);
    db_bind_i64(st, 3, r->gender);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        db_bind_text(st, 4 + (int)i, texts[i] != NULL && texts[i][0] != '\0' ? texts[i] : NULL);
}

int member_record_insert(struct db *db, const struct member_row *r, int64_t *id, struct err *e)
{
    struct db_stmt *st = NULL;
    int64_t now = now_unix();
    if (db_prepare(db, &st, SQL_INSERT, e) != 0)
        return -1;
    bind_row(st, r);
    db_bind_i64(st, ROW_NCOLS + 1, now);
    db_bind_i64(st, ROW_NCOLS + 2, now);
    int rc = db_step(st, e);
    if (rc == DB_ROW)
        *id = db_col_i64(st, 0);
    db_finalize(st);
    return rc == DB_ROW ? 0 : -1;
}

int member_record_update(struct db *db, int64_t id, int64_t version, const struct member_row *r,
                         struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_UPDATE, e) != 0)
        return -1;
    bind_row(st, r);
    db_bind_i64(st, ROW_NCOLS + 1, now_unix());
    db_bind_i64(st, ROW_NCOLS + 2, id);
    db_bind_i64(st, ROW_NCOLS + 3, version);
    int rc = db_step(st, e);
    int64_t changed = rc == DB_DONE ? db_changes(st) : 0;
    db_finalize(st);
    if (rc != DB_DONE)
        return -1;
    if (changed == 0)
        return err_set(e, ERR_CONFLICT, "member.stale_version");
    return 0;
}

int member_record_set_pdata(struct db *db, int64_t id, const struct member_row *r, struct err *e)
{
    struct db_stmt *st = NULL;
    const char *v[] = {r->id_number_enc, r->id_number_bidx, r->id_number_orig_enc, r->phone_enc,
                       r->phone_bidx, r->address_enc};
    if (db_prepare(db, &st, SQL_SET_PDATA, e) != 0)
        return -1;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        db_bind_text(st, 1 + (int)i, v[i]);
    db_bind_i64(st, 7, id);
    int rc = db_step(st, e);
    db_finalize(st);
    return rc == DB_DONE ? 0 : -1;
}

int member_record_touch(struct db *db, int64_t id, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_TOUCH, e) != 0)
        return -1;
    db_bind_i64(st, 1, now_unix());
    db_bind_i64(st, 2, id);
    int rc = db_step(st, e);
    db_finalize(st);
    return rc == DB_DONE ? 0 : -1;
}

int member_record_check_duplicate(struct db *db, int64_t id, const char *id_number_bidx,
                                  struct err *e)
{
    struct db_stmt *st = NULL;
    if (id_number_bidx == NULL || id_number_bidx[0] == '\0')
        return 0;
    if (db_prepare(db, &st, SQL_DUP, e) != 0)
        return -1;
    db_bind_text(st, 1, id_number_bidx);
    db_bind_i64(st, 2, id);
    int rc = db_step(st, e);
    db_finalize(st);
    if (rc == DB_ERROR)
        return -1;
    if (rc == DB_ROW) {
        err_set(e, ERR_CONFLICT, "member.duplicate_id_number");
        err_field(e, "id_number", "member.duplicate_id_number");
        e->code = ERR_CONFLICT;
        return -1;
    }
    return 0;
}

int member_record_phone_pattern(struct db *db, struct arena *a, const char **out, struct err *e)
{
    struct db_stmt *st = NULL;
    *out = NULL;
    if (db_prepare(db, &st, SQL_PHONE_PATTERN, e) != 0)
        return -1;
    int rc = db_step(st, e);
    if (rc == DB_ROW)
        *out = db_col_strdup(a, st, 0);
    db_finalize(st);
    return rc == DB_ERROR ? -1 : 0;
}

int member_codes_load(struct db *db, struct arena *a, struct member_codes *out, struct err *e)
{
    struct db_stmt *st = NULL;
    int64_t cap = 256;
    int rc;
    out->n = 0;
    out->rows = arena_alloc(a, sizeof *out->rows * (size_t)cap);
    if (db_prepare(db, &st, SQL_CODES, e) != 0)
        return -1;
    while ((rc = db_step(st, e)) == DB_ROW) {
        if (out->n == cap) {
            struct member_code *bigger = arena_alloc(a, sizeof *bigger * (size_t)cap * 2);
            memcpy(bigger, out->rows, sizeof *bigger * (size_t)cap);
            out->rows = bigger;
            cap *= 2;
        }
        struct member_code *c = &out->rows[out->n++];
        c->kind = db_col_strdup(a, st, 0);
        c->code = db_col_strdup(a, st, 1);
        c->label_zh = db_col_strdup(a, st, 2);
        c->label_en = db_col_strdup(a, st, 3);
        c->active = db_col_i64(st, 4) != 0;
    }
    db_finalize(st);
    return rc == DB_ERROR ? -1 : 0;
}

bool member_codes_has(void *codes, const char *kind, const char *code)
{
    const struct member_codes *c = codes;
    for (int64_t i = 0; i < c->n; i++)
        if (strcmp(c->rows[i].kind, kind) == 0 && strcmp(c->rows[i].code, code) == 0)
            return true;
    return false;
}

int member_record_status_log(struct db *db, int64_t member_id, const char *from, const char *to,
                             const char *on_date, const char *reason, int64_t user_id,
                             struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_LOG, e) != 0)
        return -1;
    db_bind_i64(st, 1, member_id);
    db_bind_text(st, 2, from);
    db_bind_text(st, 3, to);
    db_bind_text(st, 4, on_date);
    db_bind_text(st, 5, reason);
    if (user_id > 0)
        db_bind_i64(st, 6, user_id);
    else
        db_bind_null(st, 6);
    db_bind_i64(st, 7, now_unix());
    int rc = db_step(st, e);
    db_finalize(st);
    return rc == DB_DONE ? 0 : -1;
}

static void bind_archive(struct db_stmt *st, struct arena *a, const char *scope, const char *q,
                         const char *status)
{
    const char *s = scope != NULL && scope[0] != '\0' ? scope : "/";
    q = q != NULL ? q : "";
    status = status != NULL ? status : "";
    db_bind_text(st, 1, s);
    db_bind_text(st, 2, db_prefix_upper(a, s));
    db_bind_text(st, 3, status);
    db_bind_text(st, 4, status);
    db_bind_text(st, 5, q);
    db_bind_text(st, 6, db_like_contains(a, q));
}

int member_record_archive(struct db *db, struct arena *a, const char *scope, const char *q,
                          const char *status, int64_t limit, int64_t offset,
                          struct member_full **out, int64_t *n, int64_t *total, struct err *e)
{
    struct db_stmt *st = NULL;
    int r;
    *n = 0;
    if (db_prepare(db, &st, SQL_ARCHIVE_COUNT, e) != 0)
        return -1;
    bind_archive(st, a, scope, q, status);
    r = db_step(st, e);
    *total = r == DB_ROW ? db_col_i64(st, 0) : 0;
    db_finalize(st);
    if (r != DB_ROW)
        return -1;
    if (db_prepare(db, &st, SQL_ARCHIVE, e) != 0)
        return -1;
    bind_archive(st, a, scope, q, status);
    db_bind_i64(st, 7, limit);
    db_bind_i64(st, 8, offset);
    *out = arena_alloc(a, sizeof **out * (size_t)(limit > 0 ? limit : 1));
    while (*n < limit && (r = db_step(st, e)) == DB_ROW)
        read_full(st, a, &(*out)[(*n)++]);
    db_finalize(st);
    return r == DB_ERROR ? -1 : 0;
}
