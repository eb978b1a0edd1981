/* member_import_run.c: one pass over an import file (member_import.h): header mapping, cell
 * normalisation, the member rules, scope, classification and, when writing, the batches.
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
#include "features/member/member_import.h"
#include "features/member/member_record.h"
#include "jobs/jobs.h"
#include "sheet/sheet_norm.h"

#define MAX_PROBLEMS 200000          /* stored per import; beyond, counted only */
#define VALUE_MAX 1000               /* bytes of an original value kept in the report */

struct org_ent {
    const char *code, *path;
    int64_t id;
    bool member_org;                 /* a branch or group */
};

struct pass {
    struct db *db;
    struct arena *a;                 /* the pass */
    struct arena *ra;                /* rows: renewed every MEMBER_IMPORT_BATCH rows */
    const struct member_import_pass *p;
    struct member_codes codes;
    struct imp_code *icodes;
    size_t nicodes;
    struct member_rule_config cfg;
    struct date today;
    struct org_ent *orgs;
    size_t norgs;
    const char **scope;
    size_t nscope;
    int colmap[256];                 /* sheet column -> member_import_columns index, -1 */
    const char *headers[256];        /* header text per sheet column */
    bool present[64];                /* by member_import_columns index */
    char **seen;                     /* open-addressing set of ID blind indexes */
    size_t seen_cap, seen_n;
    const struct keys *k;
    struct field_keyring kr;
    struct db_stmt *find, *err_ins, *row_ins, *done_q;
    int64_t err_seq, in_batch, rows_done;
    bool resuming;
    const struct org_ent *default_org;
    struct member_import_counts c;
};

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

static bool in_scope(const struct pass *s, const char *path)
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

static int problem(struct pass *s, int64_t row, const char *column, const char *rule,
                   const char *msg, const char *value, struct err *e)
{
    s->c.n_errors++;
    if (s->err_seq >= MAX_PROBLEMS)
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
    db_reset(s->err_ins);
    db_bind_i64(s->err_ins, 1, s->p->import_id);
    db_bind_i64(s->err_ins, 2, s->err_seq++);
    db_bind_i64(s->err_ins, 3, row);
    db_bind_text(s->err_ins, 4, column);
    db_bind_text(s->err_ins, 5, rule);
    db_bind_text(s->err_ins, 6, msg);
    db_bind_text(s->err_ins, 7, sealed);
    free(sealed);
    return db_step(s->err_ins, e) == DB_DONE ? 0 : -1;
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

static const char *header_of(const struct pass *s, int col)
{
    for (int i = 0; i < 256; i++)
        if (s->colmap[i] == col)
            return s->headers[i];
    return member_import_columns[col].zh;
}

static int col_of_field(const char *field)
{
    if (strcmp(field, "org_id") == 0)
        field = "org";
    for (size_t i = 0; i < member_import_ncolumns; i++)
        if (strcmp(member_import_columns[i].field, field) == 0)
            return (int)i;
    return -1;
}

static const char **field_ptr(struct member_record *r, const char *field)
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
        problem(s, rowno, header_of(s, col), "IMP-02", "import.formula", cell->value, e) != 0)
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
        if (o == NULL || !in_scope(s, o->path)) {   /* outside = unknown: no leak */
            rc->bad = true;
            return problem(s, rowno, header_of(s, col), "IMP-03", "import.org_not_found",
                           cell->value, e);
        }
        if (!o->member_org) {
            rc->bad = true;
            return problem(s, rowno, header_of(s, col), "MEMB-03", "member.org_not_branch",
                           cell->value, e);
        }
        rc->org = o;
        rc->r.org_id = o->id;
        return 0;
    }
    const char **dst = field_ptr(&rc->r, c->field);
    if (dst != NULL)
        *dst = v[0] != '\0' ? v : NULL;
    return 0;
}

/* Adds the violations of chk as problems (first per field). */
static int report(struct pass *s, int64_t rowno, struct row_ctx *rc,
                  const struct member_check *chk, struct err *e)
{
    for (int i = 0; i < chk->n; i++) {
        bool dup = false;
        for (int j = 0; j < i; j++)
            dup = dup || strcmp(chk->v[j].field, chk->v[i].field) == 0;
        if (dup)
            continue;
        if (rc->bad && strcmp(chk->v[i].field, "org_id") == 0)
            continue;                              /* the org cell is reported already */
        int col = col_of_field(chk->v[i].field);
        const char *column = col >= 0 ? header_of(s, col) : chk->v[i].field;
        if (problem(s, rowno, column, chk->v[i].rule, chk->v[i].key,
                    col >= 0 && rc->cell[col] != NULL ? rc->cell[col] : "", e) != 0)
            return -1;
    }
    return 0;
}

static int check(struct pass *s, struct member_record *r, struct member_check *chk)
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
        const char **dst = field_ptr(r, f);
        const char **src = field_ptr((struct member_record *)was, f);
        if (dst != NULL && src != NULL && *dst == NULL)
            *dst = *src;
    }
}

static int find_member(struct pass *s, const char *bidx, int64_t *id, struct err *e)
{
    *id = 0;
    db_reset(s->find);
    db_bind_text(s->find, 1, bidx);
    int rc = db_step(s->find, e);
    if (rc == DB_ROW)
        *id = db_col_i64(s->find, 0);
    return rc == DB_ERROR ? -1 : 0;
}

/* For a resumed run: what this import already did to member id ("" when nothing). */
static int already_done(struct pass *s, int64_t id, const char **action, struct err *e)
{
    *action = "";
    if (!s->resuming)
        return 0;
    db_reset(s->done_q);
    db_bind_i64(s->done_q, 1, s->p->import_id);
    db_bind_i64(s->done_q, 2, id);
    int rc = db_step(s->done_q, e);
    if (rc == DB_ROW)
        *action = db_col_strdup(s->ra, s->done_q, 0);
    return rc == DB_ERROR ? -1 : 0;
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

static const char *blind(struct pass *s, const char *column, const char *v)
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

/* The row to write; with id > 0 also the personal data, sealed for that row. */
static int row_for(struct pass *s, int64_t id, const struct member_record *r,
                   const struct member_check *chk, struct member_row *row, struct err *e)
{
    member_record_row_base(r, chk, row);
    if (id == 0)
        return 0;
    row->id_number_bidx = blind(s, "id_number", r->id_number);
    row->phone_bidx = blind(s, "phone", r->phone);
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

static int record_row(struct pass *s, int64_t id, const char *action, int64_t version,
                      const char *before, struct err *e)
{
    db_reset(s->row_ins);
    db_bind_i64(s->row_ins, 1, s->p->import_id);
    db_bind_i64(s->row_ins, 2, id);
    db_bind_text(s->row_ins, 3, action);
    db_bind_i64(s->row_ins, 4, version);
    db_bind_text(s->row_ins, 5, before);
    return db_step(s->row_ins, e) == DB_DONE ? 0 : -1;
}

static int write_new(struct pass *s, const struct member_record *r,
                     const struct member_check *chk, struct err *e)
{
    struct member_row row;
    int64_t id;
    if (row_for(s, 0, r, chk, &row, e) != 0 ||   /* the non-personal columns */
        member_record_insert(s->db, &row, &id, e) != 0 || row_for(s, id, r, chk, &row, e) != 0 ||
        member_record_set_pdata(s->db, id, &row, e) != 0)
        return -1;
    return record_row(s, id, "insert", 1, NULL, e);
}

static int write_update(struct pass *s, const struct member_full *f,
                        const struct member_record *r, const struct member_check *chk,
                        struct err *e)
{
    struct member_row row;
    char *before = before_json(f);
    int rc = row_for(s, f->m.id, r, chk, &row, e) != 0 ||
                     member_record_update(s->db, f->m.id, f->version, &row, e) != 0 ||
                     record_row(s, f->m.id, "update", f->version + 1, before, e) != 0
                 ? -1
                 : 0;
    free(before);
    return rc;
}

/* ---- the pass ---- */

static int one_row(struct pass *s, const struct sheet_row *row, struct err *e)
{
    if (s->c.total % MEMBER_IMPORT_BATCH == 0) {   /* nothing of earlier rows is kept */
        arena_destroy(s->ra);
        s->ra = arena_create(64 << 10);
    }
    struct row_ctx rc = {0};
    struct member_check chk;
    int64_t rowno = row->number;
    s->c.total++;
    for (uint32_t i = 0; i < row->ncells && i < 256; i++)
        if (s->colmap[i] >= 0 && read_cell(s, rowno, s->colmap[i], &row->cells[i], &rc, e) != 0)
            return -1;
    if (rc.r.org_id == 0 && !rc.bad && s->default_org != NULL) {
        if (!s->default_org->member_org) {
            rc.bad = true;
            if (problem(s, rowno, header_of(s, col_of_field("org")), "MEMB-03",
                        "member.org_not_branch", s->default_org->code, e) != 0)
                return -1;
        }
        rc.r.org_id = s->default_org->id;
    }
    struct member_record given = rc.r;          /* before defaults: absent columns keep */
    if (rc.r.status == NULL)
        rc.r.status = "normal";
    if (check(s, &rc.r, &chk) > 0 || rc.bad) {
        s->c.n_bad++;
        return chk.n > 0 ? report(s, rowno, &rc, &chk, e) : 0;
    }
    const char *bidx = blind(s, "id_number", rc.r.id_number);
    int col_id = col_of_field("id_number");
    if (bidx != NULL && seen_add(s, bidx)) {
        s->c.n_bad++;
        return problem(s, rowno, header_of(s, col_id), "IMP-04", "import.duplicate_in_file",
                       rc.cell[col_id], e);
    }
    int64_t id = 0;
    if (bidx != NULL && find_member(s, bidx, &id, e) != 0)
        return -1;
    if (id == 0) {
        s->c.n_new++;
        return s->p->write ? write_new(s, &rc.r, &chk, e) : 0;
    }
    const char *done;
    if (already_done(s, id, &done, e) != 0)
        return -1;
    if (done[0] != '\0') {                        /* a resumed run: written before the cut */
        if (strcmp(done, "insert") == 0)
            s->c.n_new++;
        else
            s->c.n_update++;
        return 0;
    }
    struct member_full f;
    struct member_record was;
    if (member_record_get(s->db, s->ra, id, &f, e) != 0)
        return -1;
    if (!in_scope(s, f.m.org_path)) {             /* someone else's member: as on create */
        s->c.n_bad++;
        return problem(s, rowno, header_of(s, col_id), "ID-02", "member.duplicate_id_number",
                       rc.cell[col_id], e);
    }
    if (member_rules_is_archived(f.m.status)) {
        s->c.n_bad++;
        return problem(s, rowno, header_of(s, col_id), "IMP-05", "member.archived_read_only",
                       rc.cell[col_id], e);
    }
    if (record_of_full(s, &f, &was, e) != 0)
        return -1;
    rc.r = given;
    keep_absent(s, &rc.r, &was);
    if (rc.r.status == NULL)                     /* a present but blank status cell */
        rc.r.status = "normal";
    if (check(s, &rc.r, &chk) > 0) {
        s->c.n_bad++;
        return report(s, rowno, &rc, &chk, e);
    }
    json_t *d = member_record_diff(&was, &rc.r);
    bool same = json_object_size(d) == 0;
    json_decref(d);
    if (same) {
        s->c.n_unchanged++;
        return 0;
    }
    s->c.n_update++;
    return s->p->write ? write_update(s, &f, &rc.r, &chk, e) : 0;
}

static int prepare(struct pass *s, struct err *e)
{
    if (db_prepare(s->db, &s->find,
                   "SELECT id FROM members WHERE id_number_bidx = ? LIMIT 1", e) != 0 ||
        db_prepare(s->db, &s->err_ins,
                   "INSERT INTO member_import_errors (import_id, seq, row_no, col, rule, msg, "
                   "value_enc) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   e) != 0 ||
        db_prepare(s->db, &s->row_ins,
                   "INSERT INTO member_import_rows (import_id, member_id, action, version_after, "
                   "before) VALUES (?, ?, ?, ?, ?)",
                   e) != 0 ||
        db_prepare(s->db, &s->done_q,
                   "SELECT action FROM member_import_rows WHERE import_id = ? AND member_id = ?",
                   e) != 0)
        return -1;
    if (!s->p->write)
        return 0;
    int64_t n = 0;
    struct db_stmt *st = NULL;
    if (db_prepare(s->db, &st, "SELECT COUNT(*) FROM member_import_rows WHERE import_id = ?", e) != 0)
        return -1;
    db_bind_i64(st, 1, s->p->import_id);
    int rc = db_step(st, e);
    n = rc == DB_ROW ? db_col_i64(st, 0) : 0;
    db_finalize(st);
    s->resuming = n > 0;
    return rc == DB_ROW ? 0 : -1;
}

/* A run commits every MEMBER_IMPORT_BATCH rows with its progress; a dry run writes only the
 * report, inside the caller's transaction. */
static int batch_edge(struct pass *s, bool last, struct err *e)
{
    if (!s->p->write)
        return 0;
    if (!last && ++s->in_batch < MEMBER_IMPORT_BATCH)
        return 0;
    s->in_batch = 0;
    if (s->p->job_id > 0) {
        int64_t total = s->p->total_hint > s->c.total ? s->p->total_hint : s->c.total;
        if (jobs_store_progress(s->db, s->p->job_id, s->c.total, total, e) != 0)
            return -1;
    }
    if (db_commit(s->db, e) != 0)
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
    if (load_context(s, e) != 0)
        return -1;
    if (sheet_open_mem(data, len, &lim, &rd, e) != 0)
        goto done;
    if (prepare(s, e) != 0 || (p->write && db_begin(db, e) != 0))
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
        if (one_row(s, &row, e) != 0 || batch_edge(s, false, e) != 0)
            goto done;
    }
    if (r < 0)
        goto done;
    if (!header) {
        err_set(e, ERR_INVALID, "import.no_header");
        goto done;
    }
    rc = batch_edge(s, true, e);
done:
    if (rc != 0 && p->write)
        db_rollback(db);
    db_finalize(s->find);
    db_finalize(s->err_ins);
    db_finalize(s->row_ins);
    db_finalize(s->done_q);
    sheet_close(rd);
    arena_destroy(s->ra);
    member_rules_config_fini(&s->cfg);
    *out = s->c;
    return rc;
}
