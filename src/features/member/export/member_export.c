/* member_export.c: the rows of a member export (member_export.h) and the CSV writer. */
#include "features/member/export/member_export.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/err.h"
#include "core/mask.h"
#include "db/db.h"
#include "features/member/member.h"
#include "features/member/member_api_internal.h"
#include "features/member/search/member_query.h"

enum { COL_COUNT = 18 };

static const char *const HEAD_ZH[COL_COUNT] = {"姓名", "性别", "民族", "出生日期", "年龄",
    "公民身份号码", "学历", "人员类别", "入党时间", "转正时间", "所在党组织", "党内职务",
    "工作单位", "部门", "工作岗位", "职称", "联系电话", "党籍状态"};
static const char *const HEAD_EN[COL_COUNT] = {"Name", "Gender", "Ethnicity", "Birth date",
    "Age", "ID number", "Education", "Category", "Joined", "Full member since", "Organization",
    "Party post", "Work unit", "Department", "Job", "Title", "Phone", "Status"};

/* ---- CSV ---- */

static int csv_row(void *ctx, const char *const *cells, size_t n, struct err *e)
{
    struct buf *b = ctx;
    for (size_t i = 0; i < n; i++)
        csv_cell(b, cells[i], i == 0);
    csv_end_row(b);
    return buf_failed(b) ? err_set(e, ERR_TOO_LARGE, "member.export_too_large") : 0;
}

struct member_sheet_writer member_csv_writer(struct buf *out)
{
    csv_bom(out);
    return (struct member_sheet_writer){out, csv_row};
}

/* ---- code labels ---- */

#define LABELS_MAX 512

struct labels {
    size_t n;
    struct {
        char *kind, *code, *label;
    } e[LABELS_MAX];
};

static const char SQL_LABELS[] =
    "SELECT kind, code, label_zh, label_en FROM code_tables WHERE kind IN ('gender', "
    "'ethnicity', 'education', 'category', 'member_status', 'party_post')";

static int labels_load(struct db *db, struct arena *a, bool en, struct labels *l, struct err *e)
{
    struct db_stmt *st;
    int r;
    l->n = 0;
    if (db_prepare(db, &st, SQL_LABELS, e) != 0)
        return -1;
    while ((r = db_step(st, e)) == DB_ROW && l->n < LABELS_MAX) {
        l->e[l->n].kind = db_col_strdup(a, st, 0);
        l->e[l->n].code = db_col_strdup(a, st, 1);
        l->e[l->n++].label = db_col_strdup(a, st, en ? 3 : 2);
    }
    db_finalize(st);
    return r == DB_ERROR ? -1 : 0;
}

/* The label of a code, or the code itself when the table has none. */
static const char *label(const struct labels *l, const char *kind, const char *code)
{
    if (code == NULL)
        return NULL;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->e[i].code, code) == 0 && strcmp(l->e[i].kind, kind) == 0)
            return l->e[i].label;
    return code;
}

/* ---- rows ---- */

struct run {
    const struct labels *labels;
    const struct member_sheet_writer *w;
    bool reveal;
    struct date today;
};

/* The personal value i of m: masked, or in full when revealing (wiped after use by the caller). */
static const char *pdata_cell(const struct run *r, const struct member *m, size_t i,
                              char masked[256], char **plain)
{
    *plain = NULL;
    if (r->reveal)
        return *plain = member_pdata_open(m, i);
    return member_pdata_masked(m, i, masked) ? masked : NULL;
}

static void wipe(char *s)
{
    if (s != NULL) {
        sodium_memzero(s, strlen(s));
        free(s);
    }
}

static int one_row(void *ctx, const struct member *m, struct err *e)
{
    const struct run *r = ctx;
    const struct labels *l = r->labels;
    char gender[12], age[12], id_masked[256], phone_masked[256], born[MASK_MAX];
    char *id_plain, *phone_plain;
    snprintf(gender, sizeof gender, "%d", m->gender);
    int years = member_age(m->birth_date, r->today);
    if (years >= 0)
        snprintf(age, sizeof age, "%d", years);
    else
        age[0] = '\0';
    if (m->birth_date != NULL && !r->reveal)
        mask_birth_date(m->birth_date, born);          /* with the masked ID (decision 0011) */
    const char *cells[COL_COUNT] = {
        m->name,
        label(l, "gender", gender),
        label(l, "ethnicity", m->ethnicity),
        m->birth_date == NULL || r->reveal ? m->birth_date : born,
        age[0] != '\0' ? age : NULL,
        pdata_cell(r, m, MEMBER_PDATA_ID_NUMBER, id_masked, &id_plain),
        label(l, "education", m->education),
        label(l, "category", m->category),
        m->joined_on,
        m->full_on,
        m->org_name,
        label(l, "party_post", m->post),
        m->work_unit,
        m->department,
        m->job,
        m->title,
        pdata_cell(r, m, MEMBER_PDATA_PHONE, phone_masked, &phone_plain),
        label(l, "member_status", m->status),
    };
    int rc = r->w->row(r->w->ctx, cells, COL_COUNT, e);
    wipe(id_plain);
    wipe(phone_plain);
    return rc;
}

int member_export_run(struct db *db, const struct member_query *q, bool en, bool reveal,
                      const struct member_sheet_writer *w, int64_t *rows, struct err *e)
{
    struct arena *a = arena_create(0);
    struct labels *l = arena_alloc(a, sizeof *l);
    struct run r = {l, w, reveal, date_today_shanghai(time(NULL))};
    int rc = -1;
    *rows = 0;
    if (labels_load(db, a, en, l, e) == 0 && w->row(w->ctx, en ? HEAD_EN : HEAD_ZH, COL_COUNT, e) == 0)
        rc = member_store_each(db, q, one_row, &r, rows, e);
    arena_destroy(a);
    return rc;
}
