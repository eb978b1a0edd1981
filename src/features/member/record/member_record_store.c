/* member_record_store.c: the member record's SQL (member_record.h): one record, create and
 * versioned update, the duplicate check on the ID number's blind index, code tables, the ID-07
 * CONFIG value and the history archive list. Every write runs inside the caller's transaction
 * (the handler opens it so the audit entry commits with the change). */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "crypto/keys.h"
#include "crypto/pdata.h"
#include "db/db.h"
#include "db/db_rows.h"
#include "features/member/member_store_internal.h"
#include "features/member/record/member_record.h"

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

/* Bulk forms for the import (member_record_find_bidx, member_record_insert_rows): 128 blind
 * indexes per lookup (unused places bound NULL, which matches nothing), and INSERTs of 64, 8
 * and 1 rows with ids reserved beforehand (30 parameters a row: 1,920 per statement). */
#define FIND_BIDX_N 128
static const char SQL_FIND_BIDX[] =
    "SELECT " FULL_COLS " FROM members m JOIN orgs o ON o.id = m.org_id "
    "WHERE m.id_number_bidx IN (" DB_Q128 ") ORDER BY m.id";
#define R_1 "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
#define R_8 R_1 "," R_1 "," R_1 "," R_1 "," R_1 "," R_1 "," R_1 "," R_1
#define R_64 R_8 "," R_8 "," R_8 "," R_8 "," R_8 "," R_8 "," R_8 "," R_8
#define INSERT_IDS "INSERT INTO members (id, " ROW_COLS ", version, created_at, updated_at) VALUES "
static const char SQL_INSERT_1[] = INSERT_IDS R_1;
static const char SQL_INSERT_8[] = INSERT_IDS R_8;
static const char SQL_INSERT_64[] = INSERT_IDS R_64;
/* Ids are never reused: SQLite's AUTOINCREMENT counter (explicit ids move it on) under the
 * write lock of the caller's BEGIN IMMEDIATE; PostgreSQL's identity sequence, one nextval each
 * (atomic, so concurrent inserts elsewhere never get the same id). */
static const char SQL_IDS_SQLITE[] =
    "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'members'), 0), "
    "(SELECT COALESCE(MAX(id), 0) FROM members))";
static const char SQL_IDS_PG[] =
    "SELECT nextval(pg_get_serial_sequence('members', 'id')) FROM generate_series(1, ?)";

/* PostgreSQL plans `id_number_bidx IN (128 values)` as a scan of the whole table while the
 * column has no statistics (default selectivity 0.5% a value): a new database's first import
 * would scan members for every lookup. Once analysed the column is known unique-ish (n_distinct
 * is kept as a fraction of the rows, so it stays right as the table grows). */
static const char SQL_PG_HAS_STATS[] =
    "SELECT COUNT(*) FROM pg_stats WHERE schemaname = current_schema() AND "
    "tablename = 'members' AND attname = 'id_number_bidx'";
static const char SQL_ANY_MEMBER[] = "SELECT COUNT(*) FROM (SELECT 1 FROM members LIMIT 1) t";

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
    "SELECT id FROM members WHERE id_number_bidx IN (?, ?, ?, ?) AND id <> ? LIMIT 1";
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
    member_read_head(st, a, m);
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        *more[i] = db_col_strdup(a, st, 13 + (int)i);
    f->version = db_col_i64(st, 27);
    f->has_photo = db_col_i64(st, 28) > 0;
    f->id_number_bidx = db_col_strdup(a, st, 29);
    f->phone_bidx = db_col_strdup(a, st, 30);
}

static void read_one(struct db_stmt *st, struct arena *a, void *out)
{
    read_full(st, a, out);
}

int member_record_get(struct db *db, struct arena *a, int64_t id, struct member_full *out,
                      struct err *e)
{
    return db_get_one(db, a, SQL_ONE, &id, 1, read_one, out, "member.not_found", e);
}

#define ROW_NTEXTS 23

/* The text columns of ROW_COLS after org_id, name, gender, in order. */
static void row_texts(const struct member_row *r, const char *t[ROW_NTEXTS])
{
    const char *v[ROW_NTEXTS] = {
        r->birth_date, r->category, r->status, r->ethnicity, r->education, r->applied_on,
        r->activist_on, r->candidate_on, r->joined_on, r->full_on, r->full_exception, r->job,
        r->title, r->work_unit, r->department, r->status_on, r->status_reason, r->id_number_enc,
        r->id_number_bidx, r->id_number_orig_enc, r->phone_enc, r->phone_bidx, r->address_enc};
    memcpy(t, v, sizeof v);
}

static void bind_row(struct db_stmt *st, const struct member_row *r)
{
    const char *texts[ROW_NTEXTS];
    row_texts(r, texts);
    db_bind_i64(st, 1, r->org_id);
    db_bind_text(st, 2, r->name);
    db_bind_i64(st, 3, r->gender);
    for (int i = 0; i < ROW_NTEXTS; i++)
        db_bind_text(st, 4 + i, texts[i] != NULL && texts[i][0] != '\0' ? texts[i] : NULL);
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

int member_record_check_duplicate(struct db *db, int64_t id, const char *id_number,
                                  struct err *e)
{
    struct db_stmt *st = NULL;
    const struct keys *k = keys_get();
    char norm[PDATA_NORM_MAX], bidx[PDATA_BLIND_ALL][FIELD_BLIND_HEX];
    if (id_number == NULL || k == NULL || pdata_normalise_id_number(id_number, norm) != 0)
        return 0;
    pdata_blind_all(k, "id_number", norm, bidx);   /* also on a blind key being rotated away */
    if (db_prepare(db, &st, SQL_DUP, e) != 0)
        return -1;
    for (int i = 0; i < PDATA_BLIND_ALL; i++)
        db_bind_text(st, 1 + i, bidx[i]);
    db_bind_i64(st, 1 + PDATA_BLIND_ALL, id);
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

/* ---- bulk, for the import ---- */

int member_record_find_bidx(struct db *db, struct arena *a, const char *const *bidx, size_t n,
                            member_found_fn fn, void *ctx, struct err *e)
{
    for (size_t base = 0; base < n; base += FIND_BIDX_N) {
        size_t m = n - base < FIND_BIDX_N ? n - base : FIND_BIDX_N;
        struct db_stmt *st = NULL;
        struct member_full f;
        int r;
        if (db_prepare_each(db, &st, SQL_FIND_BIDX, e) != 0)
            return -1;
        for (size_t k = 0; k < FIND_BIDX_N; k++)
            db_bind_text(st, 1 + (int)k, k < m ? bidx[base + k] : NULL);
        while ((r = db_step(st, e)) == DB_ROW) {
            const char *hex = db_col_text(st, 29);
            for (size_t k = 0; hex != NULL && k < m; k++) {
                if (bidx[base + k] != NULL && strcmp(bidx[base + k], hex) == 0) {
                    read_full(st, a, &f);
                    fn(ctx, base + k, &f);
                    break;
                }
            }
        }
        db_finalize(st);
        if (r == DB_ERROR)
            return -1;
    }
    return 0;
}

int member_record_reserve_ids(struct db *db, size_t n, int64_t *ids, struct err *e)
{
    struct db_stmt *st = NULL;
    size_t got = 0;
    int r;
    if (n == 0)
        return 0;
    bool pg = db_kind(db) == DB_POSTGRES;
    if (db_prepare(db, &st, pg ? SQL_IDS_PG : SQL_IDS_SQLITE, e) != 0)
        return -1;
    if (pg)
        db_bind_i64(st, 1, (int64_t)n);
    while ((r = db_step(st, e)) == DB_ROW && got < n) {
        if (pg) {
            ids[got++] = db_col_i64(st, 0);
            continue;
        }
        int64_t last = db_col_i64(st, 0);
        for (; got < n; got++)
            ids[got] = last + 1 + (int64_t)got;
    }
    db_finalize(st);
    if (r == DB_ERROR)
        return -1;
    return got == n ? 0 : err_set(e, ERR_INTERNAL, "internal");
}

int member_record_insert_rows(struct db *db, const int64_t *ids, const struct member_row *rows,
                              size_t n, struct err *e)
{
    struct db_stmt *st[3] = {NULL, NULL, NULL};
    static const int tiers[] = {64, 8, 1};
    struct db_rows b;
    int64_t now = now_unix();
    int rc = -1;
    if (n == 0)
        return 0;
    db_rows_init(&b, ROW_NCOLS + 4);
    for (size_t i = 0; i < n; i++) {
        const struct member_row *r = &rows[i];
        const char *texts[ROW_NTEXTS];
        row_texts(r, texts);
        db_rows_i64(&b, ids[i]);
        db_rows_i64(&b, r->org_id);
        if (r->name != NULL)
            db_rows_text(&b, r->name);
        else
            db_rows_null(&b);
        db_rows_i64(&b, r->gender);
        for (int k = 0; k < ROW_NTEXTS; k++)
            db_rows_text_or_null(&b, texts[k]);
        db_rows_i64(&b, 1);
        db_rows_i64(&b, now);
        db_rows_i64(&b, now);
        db_rows_end(&b);
    }
    if (db_prepare(db, &st[0], SQL_INSERT_64, e) == 0 &&
        db_prepare(db, &st[1], SQL_INSERT_8, e) == 0 && db_prepare(db, &st[2], SQL_INSERT_1, e) == 0)
        rc = db_rows_insert_tiers(&b, st, tiers, 3, e);
    for (int i = 0; i < 3; i++)
        db_finalize(st[i]);
    db_rows_fini(&b);
    return rc;
}

int member_record_plan_stats(struct db *db, bool *ok, struct err *e)
{
    int64_t n = 0;
    *ok = true;
    if (db_kind(db) != DB_POSTGRES)
        return 0;
    if (db_query_i64(db, SQL_PG_HAS_STATS, &n, e) != 0)
        return -1;
    if (n > 0)
        return 0;
    if (db_query_i64(db, SQL_ANY_MEMBER, &n, e) != 0)
        return -1;
    *ok = n > 0;
    return n > 0 ? db_exec(db, "ANALYZE members", e) : 0;
}
