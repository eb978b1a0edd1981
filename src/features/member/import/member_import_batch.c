/* member_import_batch.c: one batch of an import pass (member_import_internal.h): the good rows'
 * members found by ID number in one query per 128, classified (new, update, unchanged, bad:
 * ID-02 someone else's member, IMP-05 archived, the rules again over the merged record), then
 * written: updates one by one (each with its version check), new members together (ids
 * reserved, fields sealed with them, multi-row INSERTs), the bookkeeping rows and the batch's
 * problems (in row order) as multi-row INSERTs. Statement counts per 500 new rows: ~4 lookups,
 * 1 reservation, ~15 INSERTs of members, ~15 of member_import_rows (was 2,000 statements). */
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "crypto/field.h"
#include "crypto/keys.h"
#include "crypto/pdata.h"
#include "db/db.h"
#include "db/db_rows.h"
#include "features/member/import/member_import.h"
#include "features/member/import/member_import_internal.h"
#include "features/member/record/member_record.h"

static const int TIERS[] = {64, 8, 1};
#define BOOK_INSERT                                                                             \
    "INSERT INTO member_import_rows (import_id, member_id, action, version_after, before) VALUES "
#define B_1 "(?,?,?,?,?)"
#define B_8 B_1 "," B_1 "," B_1 "," B_1 "," B_1 "," B_1 "," B_1 "," B_1
#define B_64 B_8 "," B_8 "," B_8 "," B_8 "," B_8 "," B_8 "," B_8 "," B_8
static const char *const SQL_BOOK[] = {BOOK_INSERT B_64, BOOK_INSERT B_8, BOOK_INSERT B_1};
#define ERR_INSERT                                                                              \
    "INSERT INTO member_import_errors (import_id, seq, row_no, col, rule, msg, value_enc) VALUES "
#define E_1 "(?,?,?,?,?,?,?)"
#define E_8 E_1 "," E_1 "," E_1 "," E_1 "," E_1 "," E_1 "," E_1 "," E_1
#define E_64 E_8 "," E_8 "," E_8 "," E_8 "," E_8 "," E_8 "," E_8 "," E_8
static const char *const SQL_ERRS[] = {ERR_INSERT E_64, ERR_INSERT E_8, ERR_INSERT E_1};
#define DONE_N 128
static const char SQL_DONE[] =
    "SELECT member_id, action FROM member_import_rows WHERE import_id = ? AND member_id IN ("
    DB_Q128 ")";

static int insert_all(struct db *db, const struct db_rows *r, const char *const *sql,
                      struct err *e)
{
    struct db_stmt *st[3] = {NULL, NULL, NULL};
    int rc = -1;
    if (r->n == 0)
        return 0;
    if (db_prepare(db, &st[0], sql[0], e) == 0 && db_prepare(db, &st[1], sql[1], e) == 0 &&
        db_prepare(db, &st[2], sql[2], e) == 0)
        rc = db_rows_insert_tiers(r, st, TIERS, 3, e);
    for (int i = 0; i < 3; i++)
        db_finalize(st[i]);
    return rc;
}

/* ---- lookups ---- */

struct found_ctx {
    struct pass *s;
    const size_t *at;            /* lookup index -> row index */
};

static void found_one(void *ctx, size_t i, const struct member_full *f)
{
    struct found_ctx *c = ctx;
    struct imp_row *ir = &c->s->rows[c->at[i]];
    if (!ir->found) {            /* the lowest id when several share the ID number */
        ir->f = *f;
        ir->found = true;
    }
}

/* By the ID number's blind index: the current key's and, while a rotation re-indexes, the
 * older kept keys' (pdata_blind_all), each pointing back at its row. */
static int find_members(struct pass *s, struct err *e)
{
    size_t cap = s->nrows * PDATA_BLIND_ALL + 1;
    const char **bidx = arena_alloc(s->ra, sizeof *bidx * cap);
    size_t *at = arena_alloc(s->ra, sizeof *at * cap);
    size_t n = 0;
    for (size_t i = 0; i < s->nrows; i++) {
        char norm[PDATA_NORM_MAX], all[PDATA_BLIND_ALL][FIELD_BLIND_HEX];
        if (s->rows[i].bidx == NULL)
            continue;
        at[n] = i;
        bidx[n++] = s->rows[i].bidx;
        if (s->k->nblind_old == 0 || pdata_normalise_id_number(s->rows[i].r.id_number, norm) != 0)
            continue;
        int m = pdata_blind_all(s->k, "id_number", norm, all);
        for (int j = 1; j < m; j++) {
            at[n] = i;
            bidx[n++] = arena_strdup(s->ra, all[j]);
        }
    }
    struct found_ctx c = {s, at};
    return n == 0 ? 0 : member_record_find_bidx(s->db, s->ra, bidx, n, found_one, &c, e);
}

/* For a resumed run: what this import already did to each found member. */
static int find_done(struct pass *s, struct err *e)
{
    size_t i = 0;
    while (s->resuming && i < s->nrows) {
        struct db_stmt *st = NULL;
        size_t first = i;
        int k = 0, r;
        if (db_prepare_each(s->db, &st, SQL_DONE, e) != 0)
            return -1;
        db_bind_i64(st, 1, s->p->import_id);
        for (; i < s->nrows && k < DONE_N; i++)
            if (s->rows[i].found)
                db_bind_i64(st, 2 + k++, s->rows[i].f.m.id);
        for (; k < DONE_N; k++)
            db_bind_null(st, 2 + k);
        while ((r = db_step(st, e)) == DB_ROW) {
            int64_t id = db_col_i64(st, 0);
            for (size_t j = first; j < i; j++)
                if (s->rows[j].found && s->rows[j].f.m.id == id)
                    s->rows[j].done = db_col_strdup(s->ra, st, 1);
        }
        db_finalize(st);
        if (r == DB_ERROR)
            return -1;
    }
    return 0;
}

/* ---- the existing record ---- */

static int record_of_full(struct pass *s, const struct member_full *f, struct member_record *r,
                          struct err *e)
{
    const struct member *m = &f->m;
    *r = (struct member_record){
        .org_id = m->org_id, .name = m->name, .gender = arena_printf(s->ra, "%d", m->gender),
        .ethnicity = f->ethnicity, .education = f->education, .category = m->category,
        .status = m->status, .birth_date = m->birth_date, .applied_on = f->applied_on,
        .activist_on = f->activist_on, .candidate_on = f->candidate_on,
        .joined_on = m->joined_on, .full_on = f->full_on, .full_exception = f->full_exception,
        .status_on = f->status_on, .status_reason = f->status_reason, .job = f->job,
        .title = f->title, .work_unit = f->work_unit, .department = f->department,
    };
    bool ok = member_record_unseal(s->ra, "members.id_number", m->id, m->id_number_enc,
                                   &r->id_number, e) == 0 &&
              member_record_unseal(s->ra, "members.phone", m->id, m->phone_enc, &r->phone, e) == 0 &&
              member_record_unseal(s->ra, "members.address", m->id, m->address_enc, &r->address,
                                   e) == 0;
    return ok ? 0 : -1;
}

/* The row's fields not in the sheet come from the stored record. */
static void keep_absent(const struct pass *s, struct member_record *r,
                        const struct member_record *was)
{
    for (size_t i = 0; i < member_import_ncolumns; i++) {
        if (s->present[i])
            continue;
        const char *f = member_import_columns[i].field;
        if (strcmp(f, "org") == 0) {
            if (r->org_id == 0)
                r->org_id = was->org_id;
            continue;
        }
        const char **dst = imp_field_ptr(r, f);
        const char **src = imp_field_ptr((struct member_record *)was, f);
        if (dst != NULL && src != NULL && *dst == NULL)
            *dst = *src;
    }
}

/* ---- writing ---- */

static int seal(struct pass *s, const char *column, int64_t id, const char *v, const char **out,
                struct err *e)
{
    char *x = NULL;
    *out = NULL;
    if (v == NULL || v[0] == '\0')
        return 0;
    if (field_encrypt(&s->kr, column, id, v, &x, e) != 0)
        return -1;
    *out = arena_strdup(s->ra, x);
    free(x);
    return 0;
}

/* The row to write as member id, personal data sealed for that id. */
static int row_for(struct pass *s, int64_t id, const struct member_record *r,
                   const struct member_check *chk, struct member_row *row, struct err *e)
{
    member_record_row_base(r, chk, row);
    row->id_number_bidx = imp_blind(s, "id_number", r->id_number);
    row->phone_bidx = imp_blind(s, "phone", r->phone);
    if (seal(s, "members.id_number", id, r->id_number, &row->id_number_enc, e) != 0 ||
        seal(s, "members.phone", id, r->phone, &row->phone_enc, e) != 0 ||
        seal(s, "members.address", id, r->address, &row->address_enc, e) != 0 ||
        seal(s, "members.id_number_orig", id, chk->id_orig, &row->id_number_orig_enc, e) != 0)
        return -1;
    return 0;
}

/* The stored row as JSON for undo (sealed values as they are). */
static char *before_json(const struct member_full *f)
{
    json_t *j = json_pack("{s:I, s:I, s:s?, s:I}", "version", (json_int_t)f->version, "org_id",
                          (json_int_t)f->m.org_id, "name", f->m.name, "gender",
                          (json_int_t)f->m.gender);
    const char *keys[] = {"birth_date", "category", "status", "ethnicity", "education",
                          "applied_on", "activist_on", "candidate_on", "joined_on", "full_on",
                          "full_exception", "job", "title", "work_unit", "department",
                          "status_on", "status_reason", "id_number_enc", "id_number_bidx",
                          "id_number_orig_enc", "phone_enc", "phone_bidx", "address_enc"};
    const char *vals[] = {f->m.birth_date, f->m.category, f->m.status, f->ethnicity,
                          f->education, f->applied_on, f->activist_on, f->candidate_on,
                          f->m.joined_on, f->full_on, f->full_exception, f->job, f->title,
                          f->work_unit, f->department, f->status_on, f->status_reason,
                          f->m.id_number_enc, f->id_number_bidx, f->id_number_orig_enc,
                          f->m.phone_enc, f->phone_bidx, f->m.address_enc};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (vals[i] != NULL)
            json_object_set_new(j, keys[i], json_string(vals[i]));
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

static void book(struct pass *s, int64_t id, const char *action, int64_t version,
                 const char *before)
{
    db_rows_i64(&s->book, s->p->import_id);
    db_rows_i64(&s->book, id);
    db_rows_text(&s->book, action);
    db_rows_i64(&s->book, version);
    db_rows_text_or_null(&s->book, before);
    db_rows_end(&s->book);
}

static int write_update(struct pass *s, const struct imp_row *ir, struct err *e)
{
    struct member_row row;
    if (row_for(s, ir->f.m.id, &ir->r, &ir->chk, &row, e) != 0 ||
        member_record_update(s->db, ir->f.m.id, ir->f.version, &row, e) != 0)
        return -1;
    char *before = before_json(&ir->f);
    book(s, ir->f.m.id, "update", ir->f.version + 1, before);
    free(before);
    return 0;
}

/* The batch's new members: ids reserved, sealed, multi-row INSERTs. */
static int write_new(struct pass *s, const bool *is_new, size_t n, struct err *e)
{
    int64_t *ids = arena_alloc(s->ra, sizeof *ids * (n + 1));
    struct member_row *rows = arena_alloc(s->ra, sizeof *rows * (n + 1));
    size_t k = 0;
    if (n == 0)
        return 0;
    if (member_record_reserve_ids(s->db, n, ids, e) != 0)
        return -1;
    for (size_t i = 0; i < s->nrows; i++) {
        if (!is_new[i])
            continue;
        if (row_for(s, ids[k], &s->rows[i].r, &s->rows[i].chk, &rows[k], e) != 0)
            return -1;
        book(s, ids[k], "insert", 1, NULL);
        k++;
    }
    return member_record_insert_rows(s->db, ids, rows, n, e);
}

/* ---- classification ---- */

/* A found member: unchanged, update or bad. *update set when it is to be written. */
static int classify_found(struct pass *s, struct imp_row *ir, bool *update, struct err *e)
{
    int col_id = imp_col_of_field("id_number");
    const char *id_cell = ir->cell[col_id];
    struct member_record was;
    *update = false;
    if (ir->done[0] != '\0') {                    /* a resumed run: written before the cut */
        if (strcmp(ir->done, "insert") == 0)
            s->c.n_new++;
        else
            s->c.n_update++;
        return 0;
    }
    if (!imp_in_scope(s, ir->f.m.org_path)) {     /* someone else's member: as on create */
        s->c.n_bad++;
        return imp_problem(s, ir->rowno, imp_header_of(s, col_id), "ID-02",
                           "member.duplicate_id_number", id_cell, e);
    }
    if (member_rules_is_archived(ir->f.m.status)) {
        s->c.n_bad++;
        return imp_problem(s, ir->rowno, imp_header_of(s, col_id), "IMP-05",
                           "member.archived_read_only", id_cell, e);
    }
    if (record_of_full(s, &ir->f, &was, e) != 0)
        return -1;
    ir->r = ir->given;
    keep_absent(s, &ir->r, &was);
    if (ir->r.status == NULL)                     /* a present but blank status cell */
        ir->r.status = "normal";
    if (imp_check(s, &ir->r, &ir->chk) > 0) {
        s->c.n_bad++;
        return imp_report(s, ir->rowno, ir, false, &ir->chk, e);
    }
    json_t *d = member_record_diff(&was, &ir->r);
    bool same = json_object_size(d) == 0;
    json_decref(d);
    if (same) {
        s->c.n_unchanged++;
        return 0;
    }
    s->c.n_update++;
    *update = s->p->write;
    return 0;
}

static int cmp_problem(const void *x, const void *y)
{
    const struct imp_problem *a = x, *b = y;
    if (a->row != b->row)
        return a->row < b->row ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* The batch's problems in row order (a row's own first, then those of its classification). */
static int store_problems(struct pass *s, struct err *e)
{
    if (s->nprobs > 1)
        qsort(s->probs, s->nprobs, sizeof *s->probs, cmp_problem);
    db_rows_reset(&s->errs);
    for (size_t i = 0; i < s->nprobs; i++) {
        const struct imp_problem *p = &s->probs[i];
        db_rows_i64(&s->errs, s->p->import_id);
        db_rows_i64(&s->errs, s->err_seq++);
        db_rows_i64(&s->errs, p->row);
        db_rows_text_or_null(&s->errs, p->column);
        db_rows_text_or_null(&s->errs, p->rule);
        db_rows_text(&s->errs, p->msg);
        db_rows_text_or_null(&s->errs, p->sealed);
        db_rows_end(&s->errs);
    }
    return insert_all(s->db, &s->errs, SQL_ERRS, e);
}

int imp_batch_flush(struct pass *s, struct err *e)
{
    bool *is_new = arena_zalloc(s->ra, sizeof *is_new * (s->nrows + 1));
    size_t nnew = 0;
    db_rows_reset(&s->book);
    if (find_members(s, e) != 0 || find_done(s, e) != 0)
        return -1;
    for (size_t i = 0; i < s->nrows; i++) {
        struct imp_row *ir = &s->rows[i];
        bool update = false;
        if (!ir->found) {
            s->c.n_new++;
            is_new[i] = s->p->write;
            nnew += s->p->write;
            continue;
        }
        if (classify_found(s, ir, &update, e) != 0 || (update && write_update(s, ir, e) != 0))
            return -1;
    }
    if (write_new(s, is_new, nnew, e) != 0 || insert_all(s->db, &s->book, SQL_BOOK, e) != 0)
        return -1;
    return store_problems(s, e);
}
