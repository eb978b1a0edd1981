/* member_import_run.c: one pass over an import file (member_import.h): header mapping, cell
 * normalisation, the member rules and scope of each row on its own, and the batches (the
 * lookups, classification and writing of a batch are member_import_batch.c; see
 * member_import_internal.h).
 *
 * Platform rule ids of the import (the member rules keep theirs, domain-rules.md):
 *   IMP-01 header: required columns present, unknown columns reported
 *   IMP-02 a formula cell: Excel's cached value is used, and the cell is flagged (warning)
 *   IMP-03 the org code must name a 党支部/党小组 inside the importer's scope (outside = unknown)
 *   IMP-04 an ID number appears once per file
 *   IMP-05 a member in the history archive is read-only (restore first)
 * A present column with a blank cell clears the field on update; an absent column keeps it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/jsonw.h"
#include "core/log.h"
#include "core/utf8.h"
#include "crypto/field.h"
#include "crypto/keys.h"
#include "crypto/pdata.h"
#include "db/db.h"
#include "features/member/import/member_import.h"
#include "features/member/import/member_import_internal.h"
#include "features/member/record/member_record.h"
#include "jobs/jobs.h"
#include "sheet/sheet_norm.h"

#define MAX_PROBLEMS 200000          /* stored per import; beyond, counted only */
#define VALUE_MAX 1000               /* bytes of an original value kept in the report */

static int cmp_org(const void *x, const void *y)
{
    return strcmp(((const struct org_ent *)x)->code, ((const struct org_ent *)y)->code);
}

static int load_orgs(struct pass *s, struct err *e)
{
    struct db_stmt *st = NULL;
    size_t cap = 256;
    int rc;
    s->orgs = arena_alloc(s->a, sizeof *s->orgs * cap);
    if (db_prepare(s->db, &st, "SELECT id, code, path, type FROM orgs", e) != 0)
        return -1;
    while ((rc = db_step(st, e)) == DB_ROW) {
        if (s->norgs == cap) {
            struct org_ent *o = arena_alloc(s->a, sizeof *o * cap * 2);
            memcpy(o, s->orgs, sizeof *o * cap);
            s->orgs = o;
            cap *= 2;
        }
        const char *type = db_col_text(st, 3);
        s->orgs[s->norgs++] = (struct org_ent){
            .id = db_col_i64(st, 0), .code = db_col_strdup(s->a, st, 1),
            .path = db_col_strdup(s->a, st, 2),
            .member_org = type != NULL && (strcmp(type, "branch") == 0 || strcmp(type, "group") == 0),
        };
    }
    db_finalize(st);
    if (rc == DB_ERROR)
        return -1;
    qsort(s->orgs, s->norgs, sizeof *s->orgs, cmp_org);
    return 0;
}

static const struct org_ent *org_by_code(const struct pass *s, const char *code)
{
    struct org_ent key = {.code = code};
    return bsearch(&key, s->orgs, s->norgs, sizeof *s->orgs, cmp_org);
}

static const struct org_ent *org_by_id(const struct pass *s, int64_t id)
{
    for (size_t i = 0; i < s->norgs; i++)
        if (s->orgs[i].id == id)
            return &s->orgs[i];
    return NULL;
}

bool imp_in_scope(const struct pass *s, const char *path)
{
    for (size_t i = 0; i < s->nscope; i++)
        if (strncmp(path, s->scope[i], strlen(s->scope[i])) == 0)
            return true;
    return false;
}

static int load_scope(struct pass *s, struct err *e)
{
    json_error_t je;
    json_t *arr = json_loads(s->p->scope_json != NULL ? s->p->scope_json : "[]", 0, &je);
    if (!json_is_array(arr)) {
        json_decref(arr);
        return err_set(e, ERR_INTERNAL, "internal");
    }
    s->nscope = json_array_size(arr);
    s->scope = arena_alloc(s->a, sizeof *s->scope * (s->nscope + 1));
    for (size_t i = 0; i < s->nscope; i++) {
        const char *v = json_string_value(json_array_get(arr, i));
        s->scope[i] = arena_strdup(s->a, v != NULL ? v : "/-none-/");
    }
    json_decref(arr);
    return 0;
}

static int load_context(struct pass *s, struct err *e)
{
    const char *pattern;
    s->k = keys_get();
    if (s->k == NULL)
        return err_set(e, ERR_UNAVAILABLE, "keys.not_loaded");
    s->kr = keys_field_ring(s->k);
    if (member_codes_load(s->db, s->a, &s->codes, e) != 0 ||
        member_record_phone_pattern(s->db, s->a, &pattern, e) != 0 || load_orgs(s, e) != 0 ||
        load_scope(s, e) != 0)
        return -1;
    s->icodes = arena_alloc(s->a, sizeof *s->icodes * (size_t)(s->codes.n + 1));
    for (int64_t i = 0; i < s->codes.n; i++) {
        const struct member_code *c = &s->codes.rows[i];
        s->icodes[s->nicodes++] = (struct imp_code){c->kind, c->code, c->label_zh, c->label_en};
    }
    if (member_rules_config_init(&s->cfg, pattern) != 0)
        log_warn("import", "ID-07.phone_pattern does not compile; default used");
    s->today = date_today_shanghai(time(NULL));
    s->default_org = s->p->default_org_id > 0 ? org_by_id(s, s->p->default_org_id) : NULL;
    s->seen_cap = 1024;
    s->seen = arena_zalloc(s->a, sizeof *s->seen * s->seen_cap);
    return 0;
}

/* A slot from the blind index's first 16 hex digits (uniform: it is a keyed hash). */
static size_t slot_of(const char *hex, size_t cap)
{
    char head[17];
    snprintf(head, sizeof head, "%s", hex);
    return (size_t)(strtoull(head, NULL, 16) % cap);
}

/* true when hex was already in the set (added otherwise). */
static bool seen_add(struct pass *s, const char *hex)
{
    if (s->seen_n * 2 >= s->seen_cap) {
        size_t cap = s->seen_cap * 2;
        char **t = arena_zalloc(s->a, sizeof *t * cap);
        for (size_t i = 0; i < s->seen_cap; i++) {
            if (s->seen[i] == NULL)
                continue;
            size_t h = slot_of(s->seen[i], cap);
            while (t[h] != NULL)
                h = (h + 1) % cap;
            t[h] = s->seen[i];
        }
        s->seen = t;
        s->seen_cap = cap;
    }
    for (size_t h = slot_of(hex, s->seen_cap); s->seen[h] != NULL; h = (h + 1) % s->seen_cap)
        if (strcmp(s->seen[h], hex) == 0)
            return true;
    size_t h = slot_of(hex, s->seen_cap);
    while (s->seen[h] != NULL)
        h = (h + 1) % s->seen_cap;
    s->seen[h] = arena_strdup(s->a, hex);
    s->seen_n++;
    return false;
}

/* ---- problems ---- */

int imp_problem(struct pass *s, int64_t row, const char *column, const char *rule,
                const char *msg, const char *value, struct err *e)
{
    s->c.n_errors++;
    if (s->err_seq + (int64_t)s->nprobs >= MAX_PROBLEMS)
        return 0;
    char cut[VALUE_MAX + 1];
    char *sealed = NULL;
    const char *v = value != NULL ? value : "";
    size_t n = strlen(v);
    if (n > VALUE_MAX) {                         /* whole characters only */
        n = VALUE_MAX;
        while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(cut, v, n);
    cut[n] = '\0';
    if (n > 0 &&
        field_encrypt(&s->kr, "member_import_errors.value", s->p->import_id, cut, &sealed, e) != 0)
        return -1;
    if (s->nprobs == s->capprobs) {
        size_t cap = s->capprobs != 0 ? s->capprobs * 2 : 256;
        struct imp_problem *p = arena_alloc(s->ra, sizeof *p * cap);
        if (s->nprobs > 0)
            memcpy(p, s->probs, sizeof *p * s->nprobs);
        s->probs = p;
        s->capprobs = cap;
    }
    s->probs[s->nprobs] = (struct imp_problem){
        .row = row, .order = s->nprobs, .column = column, .rule = rule, .msg = msg,
        .sealed = sealed != NULL ? arena_strdup(s->ra, sealed) : NULL,
    };
    s->nprobs++;
    free(sealed);
    return 0;
}

/* ---- header ---- */

static int map_header(struct pass *s, const struct sheet_row *row, const char **unknown,
                      struct err *e)
{
    struct buf u = BUF_INIT(1 << 20);
    buf_adds(&u, "[");
    for (uint32_t i = 0; i < row->ncells && i < 256; i++) {
        const char *h = row->cells[i].value;
        s->headers[i] = arena_strdup(s->a, h);
        s->colmap[i] = member_import_column_of(h);
        if (s->colmap[i] >= 0) {
            if (s->present[s->colmap[i]])
                s->colmap[i] = -1;                  /* a repeated column: the first wins */
            else
                s->present[s->colmap[i]] = true;
        } else if (h[0] != '\0') {
            if (u.len > 1)
                buf_adds(&u, ",");
            jsonw_str(&u, h);
        }
    }
    buf_adds(&u, "]");
    *unknown = arena_strdup(s->a, buf_str(&u));
    buf_fini(&u);
    bool missing = false;
    for (size_t i = 0; i < member_import_ncolumns; i++) {
        const struct imp_column *c = &member_import_columns[i];
        if (c->required && !s->present[i] && !(c->kind == IMP_ORG && s->p->default_org_id > 0)) {
            if (!missing)
                err_set(e, ERR_INVALID, "import.missing_columns");
            missing = true;
            err_field(e, c->field, "import.column_required");
        }
    }
    return missing ? -1 : 0;
}

/* ---- one row ---- */

struct row_ctx {
    struct member_record r;
    const char *cell[64];            /* original text per column index */
    const struct org_ent *org;
    bool bad;
};

const char *imp_header_of(const struct pass *s, int col)
{
    for (int i = 0; i < 256; i++)
        if (s->colmap[i] == col)
            return s->headers[i];
    return member_import_columns[col].zh;
}

int imp_col_of_field(const char *field)
{
    if (strcmp(field, "org_id") == 0)
        field = "org";
    for (size_t i = 0; i < member_import_ncolumns; i++)
        if (strcmp(member_import_columns[i].field, field) == 0)
            return (int)i;
    return -1;
}

const char **imp_field_ptr(struct member_record *r, const char *field)
{
    struct {
        const char *name;
        const char **p;
    } F[] = {
        {"name", &r->name}, {"gender", &r->gender}, {"ethnicity", &r->ethnicity},
        {"education", &r->education}, {"category", &r->category}, {"status", &r->status},
        {"birth_date", &r->birth_date}, {"applied_on", &r->applied_on},
        {"activist_on", &r->activist_on}, {"candidate_on", &r->candidate_on},
        {"joined_on", &r->joined_on}, {"full_on", &r->full_on},
        {"full_exception", &r->full_exception}, {"status_on", &r->status_on},
        {"status_reason", &r->status_reason}, {"id_number", &r->id_number}, {"phone", &r->phone},
        {"address", &r->address}, {"job", &r->job}, {"title", &r->title},
        {"work_unit", &r->work_unit}, {"department", &r->department},
    };
    for (size_t i = 0; i < sizeof F / sizeof F[0]; i++)
        if (strcmp(F[i].name, field) == 0)
            return F[i].p;
    return NULL;
}

/* The cell as the field means it: half-width where it holds codes, dates and numbers. */
static int read_cell(struct pass *s, int64_t rowno, int col, const struct sheet_cell *cell,
                     struct row_ctx *rc, struct err *e)
{
    const struct imp_column *c = &member_import_columns[col];
    char *v = arena_strdup(s->ra, cell->value);
    rc->cell[col] = cell->raw[0] != '\0' ? cell->raw : cell->value;
    if ((cell->flags & SHEET_CELL_FORMULA) != 0 &&
        imp_problem(s, rowno, imp_header_of(s, col), "IMP-02", "import.formula", cell->value, e) != 0)
        return -1;
    if (c->kind != IMP_TEXT)
        sheet_norm_trim(sheet_norm_halfwidth(v));
    if (c->kind == IMP_DATE && v[0] != '\0') {
        char iso[11];
        if (sheet_norm_date(v, true, iso) == 0)
            v = arena_strdup(s->ra, iso);
    } else if (c->kind == IMP_CODE) {
        const char *code = member_import_code_of(s->icodes, s->nicodes, c->code_kind, v);
        if (code != NULL)
            v = (char *)code;
    } else if (c->kind == IMP_PDATA && strcmp(c->field, "id_number") == 0) {
        for (char *p = v; *p != '\0'; p++)
            if (*p == 'x')
                *p = 'X';
    }
    if (c->kind == IMP_ORG) {
        if (v[0] == '\0')
            return 0;
        const struct org_ent *o = org_by_code(s, v);
        if (o == NULL || !imp_in_scope(s, o->path)) {   /* outside = unknown: no leak */
            rc->bad = true;
            return imp_problem(s, rowno, imp_header_of(s, col), "IMP-03", "import.org_not_found",
                           cell->value, e);
        }
        if (!o->member_org) {
            rc->bad = true;
            return imp_problem(s, rowno, imp_header_of(s, col), "MEMB-03", "member.org_not_branch",
                           cell->value, e);
        }
        rc->org = o;
        rc->r.org_id = o->id;
        return 0;
    }
    const char **dst = imp_field_ptr(&rc->r, c->field);
    if (dst != NULL)
        *dst = v[0] != '\0' ? v : NULL;
    return 0;
}

/* Adds the violations of chk as problems (first per field). */
int imp_report(struct pass *s, int64_t rowno, const struct imp_row *row, bool bad_org,
               const struct member_check *chk, struct err *e)
{
    for (int i = 0; i < chk->n; i++) {
        bool dup = false;
        for (int j = 0; j < i; j++)
            dup = dup || strcmp(chk->v[j].field, chk->v[i].field) == 0;
        if (dup)
            continue;
        if (bad_org && strcmp(chk->v[i].field, "org_id") == 0)
            continue;                              /* the org cell is reported already */
        int col = imp_col_of_field(chk->v[i].field);
        const char *column = col >= 0 ? imp_header_of(s, col) : chk->v[i].field;
        if (imp_problem(s, rowno, column, chk->v[i].rule, chk->v[i].key,
                        col >= 0 && row->cell[col] != NULL ? row->cell[col] : "", e) != 0)
            return -1;
    }
    return 0;
}

int imp_check(struct pass *s, struct member_record *r, struct member_check *chk)
{
    int n = member_rules_check(r, &s->cfg, s->today, member_codes_has, &s->codes, chk);
    if (n > 0)
        return n;
    if (chk->id_number[0] != '\0')
        r->id_number = arena_strdup(s->ra, chk->id_number);
    r->birth_date = arena_strdup(s->ra, chk->birth_date);
    r->gender = arena_printf(s->ra, "%d", chk->gender);
    if (chk->phone[0] != '\0')
        r->phone = arena_strdup(s->ra, chk->phone);
    return 0;
}

const char *imp_blind(struct pass *s, const char *column, const char *v)
{
    char norm[PDATA_NORM_MAX], hex[FIELD_BLIND_HEX];
    if (v == NULL || v[0] == '\0')
        return NULL;
    int bad = strcmp(column, "id_number") == 0 ? pdata_normalise_id_number(v, norm)
                                               : pdata_normalise_phone(v, norm);
    if (bad != 0)
        return NULL;
    pdata_blind(s->k, column, norm, hex);
    return arena_strdup(s->ra, hex);
}

/* ---- the pass ---- */

/* One sheet row on its own: cells, rules, org, IMP-04; a good row joins the batch. */
static int one_row(struct pass *s, const struct sheet_row *row, struct err *e)
{
    struct row_ctx rc = {0};
    struct imp_row *ir = &s->rows[s->nrows];
    int64_t rowno = row->number;
    s->c.total++;
    for (uint32_t i = 0; i < row->ncells && i < 256; i++)
        if (s->colmap[i] >= 0 && read_cell(s, rowno, s->colmap[i], &row->cells[i], &rc, e) != 0)
            return -1;
    if (rc.r.org_id == 0 && !rc.bad && s->default_org != NULL) {
        if (!s->default_org->member_org) {
            rc.bad = true;
            if (imp_problem(s, rowno, imp_header_of(s, imp_col_of_field("org")), "MEMB-03",
                            "member.org_not_branch", s->default_org->code, e) != 0)
                return -1;
        }
        rc.r.org_id = s->default_org->id;
    }
    ir->rowno = rowno;                /* field by field: the struct is ~3 KB, mostly chk */
    ir->given = rc.r;                 /* before defaults */
    ir->bidx = NULL;
    ir->found = false;
    ir->done = "";
    for (int i = 0; i < 64; i++)      /* the sheet's row is gone at the next row: copy */
        ir->cell[i] = rc.cell[i] != NULL ? arena_strdup(s->ra, rc.cell[i]) : NULL;
    if (rc.r.status == NULL)
        rc.r.status = "normal";
    if (imp_check(s, &rc.r, &ir->chk) > 0 || rc.bad) {
        s->c.n_bad++;
        return ir->chk.n > 0 ? imp_report(s, rowno, ir, rc.bad, &ir->chk, e) : 0;
    }
    ir->r = rc.r;
    ir->bidx = imp_blind(s, "id_number", rc.r.id_number);
    int col_id = imp_col_of_field("id_number");
    if (ir->bidx != NULL && seen_add(s, ir->bidx)) {
        s->c.n_bad++;
        return imp_problem(s, rowno, imp_header_of(s, col_id), "IMP-04",
                           "import.duplicate_in_file", ir->cell[col_id], e);
    }
    s->nrows++;
    return 0;
}

/* Whether this import wrote rows before (a resumed run). */
static int resuming(struct pass *s, struct err *e)
{
    struct db_stmt *st = NULL;
    if (!s->p->write)
        return 0;
    if (db_prepare(s->db, &st,
                   "SELECT COUNT(*) FROM (SELECT 1 FROM member_import_rows WHERE import_id = ? "
                   "LIMIT 1) t",
                   e) != 0)
        return -1;
    db_bind_i64(st, 1, s->p->import_id);
    int rc = db_step(st, e);
    s->resuming = rc == DB_ROW && db_col_i64(st, 0) > 0;
    db_finalize(st);
    return rc == DB_ROW ? 0 : -1;
}

/* The end of a batch: its rows classified and written, its problems stored; a run commits it
 * with its progress (a dry run writes only the report, inside the caller's transaction). Then
 * nothing of the batch is kept. */
static int end_batch(struct pass *s, bool last, struct err *e)
{
    if (imp_batch_flush(s, e) != 0)
        return -1;
    s->nrows = 0;
    s->nprobs = s->capprobs = 0;
    s->probs = NULL;
    s->batch_rows = 0;
    arena_destroy(s->ra);
    s->ra = arena_create(64 << 10);
    if (!s->p->write)
        return 0;
    if (s->p->job_id > 0) {
        int64_t total = s->p->total_hint > s->c.total ? s->p->total_hint : s->c.total;
        if (jobs_store_progress(s->db, s->p->job_id, s->c.total, total, e) != 0)
            return -1;
    }
    if (db_commit(s->db, e) != 0)
        return -1;
    if (!last && !s->stats_ok && member_record_plan_stats(s->db, &s->stats_ok, e) != 0)
        return -1;
    return last ? 0 : db_begin(s->db, e);
}

int member_import_pass(struct db *db, struct arena *a, const void *data, size_t len,
                       const struct member_import_pass *p, struct member_import_counts *out,
                       const char **unknown_json, struct err *e)
{
    struct pass *s = arena_zalloc(a, sizeof *s);
    struct sheet_limits lim;
    struct sheet_reader *rd = NULL;
    struct sheet_row row;
    int r, rc = -1;
    int64_t old_cache = 0;
    bool header = false;
    s->db = db;
    s->a = a;
    s->p = p;
    *unknown_json = "[]";
    memset(out, 0, sizeof *out);
    for (int i = 0; i < 256; i++)
        s->colmap[i] = -1;
    sheet_limits_default(&lim);
    lim.skip_blank_rows = true;
    s->ra = arena_create(64 << 10);
    s->rows = arena_alloc(a, sizeof *s->rows * MEMBER_IMPORT_BATCH);   /* reused by every batch */
    db_rows_init(&s->book, 5);
    db_rows_init(&s->errs, 7);
    if (load_context(s, e) != 0)
        goto done;
    if (sheet_open_mem(data, len, &lim, &rd, e) != 0)
        goto done;
    if (resuming(s, e) != 0 || member_record_plan_stats(db, &s->stats_ok, e) != 0 ||
        (p->write && db_page_cache_grow(db, 64, &old_cache, e) != 0) ||
        (p->write && db_begin(db, e) != 0))
        goto done;
    if (p->write && member_import_errors_clear(db, p->import_id, e) != 0)
        goto done;
    while ((r = sheet_next_row(rd, &row, e)) == 1) {
        if (!header) {
            if (map_header(s, &row, unknown_json, e) != 0)
                goto done;
            header = true;
            continue;
        }
        if (one_row(s, &row, e) != 0)
            goto done;
        if (++s->batch_rows == MEMBER_IMPORT_BATCH && end_batch(s, false, e) != 0)
            goto done;
    }
    if (r < 0)
        goto done;
    if (!header) {
        err_set(e, ERR_INVALID, "import.no_header");
        goto done;
    }
    rc = end_batch(s, true, e);
done:
    if (rc != 0 && p->write)
        db_rollback(db);
    db_page_cache_restore(db, old_cache);
    sheet_close(rd);
    arena_destroy(s->ra);
    db_rows_fini(&s->book);
    db_rows_fini(&s->errs);
    member_rules_config_fini(&s->cfg);
    *out = s->c;
    return rc;
}
