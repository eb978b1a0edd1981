/* member_import_sheets.c: the files of an import (member_import.h): the template (one column
 * per importable field, drop-downs of the code tables' labels, an instructions sheet and an
 * example row) and the error report (real sheet row, column, rule, reason, original value).
 * Both go through sheet/sheet_write.h into a private temporary file read back for the reply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"
#include "db/db.h"
#include "features/member/import/member_import.h"
#include "features/member/record/member_record.h"
#include "sheet/sheet_write.h"

static bool english(const char *lang)
{
    return lang != NULL && strncmp(lang, "en", 2) == 0;
}

/* A fresh temporary path (the file is created empty, mode 0600); -1 when none. */
static int temp_path(char *out, size_t cap, enum sheet_format f)
{
    const char *dir = getenv("TMPDIR");
    (void)f;                                     /* the writer goes by its format option */
    snprintf(out, cap, "%s/dj-import-XXXXXX", dir != NULL && *dir ? dir : P_tmpdir);
    int fd = mkstemp(out);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

/* Writes rows through fill(ctx, w) into out (path NULL) or path. */
typedef int (*fill_fn)(void *ctx, struct sheet_writer *w, struct err *e);

static int write_sheet(const struct sheet_write_opts *o, const struct sheet_column *cols,
                       size_t ncols, fill_fn fill, void *ctx, const char *path, struct buf *out,
                       struct err *e)
{
    char tmp[512];
    struct sheet_writer *w = NULL;
    if (path == NULL && temp_path(tmp, sizeof tmp, o->format) != 0)
        return err_set(e, ERR_INTERNAL, "sheet.cannot_write");
    const char *p = path != NULL ? path : tmp;
    if (sheet_writer_open(p, o, cols, ncols, &w, e) != 0)
        goto fail;
    if (fill(ctx, w, e) != 0) {
        sheet_writer_abort(w);
        goto fail;
    }
    if (sheet_writer_close(w, e) != 0 || (path == NULL && sheet_file_read(p, out, e) != 0))
        goto fail;
    if (path == NULL)
        unlink(tmp);
    return 0;
fail:
    if (path == NULL)
        unlink(tmp);
    return -1;
}

/* ---- template ---- */

struct tpl {
    struct arena *a;
    bool en;
};

static int fill_template(void *ctx, struct sheet_writer *w, struct err *e)
{
    const struct tpl *t = ctx;
    const char **row = arena_alloc(t->a, sizeof *row * member_import_ncolumns);
    for (size_t i = 0; i < member_import_ncolumns; i++) {
        const struct imp_column *c = &member_import_columns[i];
        row[i] = c->example;
        if (t->en && c->kind == IMP_CODE && c->example[0] != '\0') {
            static const char *const en_example[][2] = {{"男", "Male"},   {"汉族", "Han"},
                                                        {"大学本科毕业", "Bachelor, graduated"},
                                                        {"正式党员", "Full member"},
                                                        {"正常", "Normal"}};
            for (size_t k = 0; k < sizeof en_example / sizeof en_example[0]; k++)
                if (strcmp(en_example[k][0], c->example) == 0)
                    row[i] = en_example[k][1];
        }
    }
    return sheet_writer_row(w, row, e);
}

static const char *const NOTES_ZH[] = {
    "党员信息导入模板说明",
    "1. 第一行为列标题，请勿修改；带 * 的列必须填写，其余可留空。列的顺序可以调整，多余的列会被忽略并在预览中列出。",
    "2. 代码列（性别、民族、学历、党员类别、党籍状态）可从下拉列表选择，也可填写代码或中英文名称。",
    "3. 日期可写作 2020-01-05、2020/1/5、2020年1月5日 或 Excel 日期；全角数字和多余空格会自动处理。",
    "4. 公民身份号码为 18 位（15 位旧号码会自动升级）；出生日期和性别可由身份证号码推出。",
    "5. 所在党组织代码填写党支部或党小组的代码，必须在您管理的范围内。",
    "6. 按公民身份号码识别党员：已有的党员会被更新（表中没有的列保持原值），内容相同的行不作改动。",
    "7. 请勿填写第 2 行示例以外的虚构数据；示例行导入前请删除。",
};
static const char *const NOTES_EN[] = {
    "Member import template",
    "1. Keep the header row; columns marked * are required, the others may stay empty. Columns may be reordered; extra columns are ignored and listed in the preview.",
    "2. Code columns (gender, ethnicity, education, category, status) take a value from the drop-down, the code, or its Chinese or English label.",
    "3. Dates: 2020-01-05, 2020/1/5, 2020年1月5日 or an Excel date; full-width digits and stray spaces are handled.",
    "4. ID numbers have 18 characters (15-digit legacy numbers are upgraded); birth date and gender follow from the ID number.",
    "5. Organization code: the code of a branch or group inside your scope.",
    "6. Members are matched by ID number: existing members are updated (columns missing from the sheet keep their values), identical rows are left alone.",
    "7. Delete the example row (row 2) before importing.",
};

int member_import_template(struct db *db, struct arena *a, enum sheet_format format,
                           const char *lang, struct buf *out, struct err *e)
{
    struct member_codes codes;
    bool en = english(lang);
    if (member_codes_load(db, a, &codes, e) != 0)
        return -1;
    struct sheet_column *cols = arena_zalloc(a, sizeof *cols * member_import_ncolumns);
    for (size_t i = 0; i < member_import_ncolumns; i++) {
        const struct imp_column *c = &member_import_columns[i];
        const char *name = en ? c->en : c->zh;
        cols[i].title = c->required ? arena_printf(a, "%s*", name) : name;
        cols[i].kind = c->kind == IMP_DATE ? SHEET_COL_DATE : SHEET_COL_TEXT;
        cols[i].width = c->kind == IMP_PDATA ? 22 : 0;
        if (c->kind != IMP_CODE)
            continue;
        const char **opts = arena_alloc(a, sizeof *opts * (size_t)(codes.n + 1));
        size_t n = 0;
        for (int64_t k = 0; k < codes.n; k++)
            if (codes.rows[k].active && strcmp(codes.rows[k].kind, c->code_kind) == 0)
                opts[n++] = en ? codes.rows[k].label_en : codes.rows[k].label_zh;
        cols[i].options = opts;
        cols[i].noptions = n;
    }
    struct sheet_write_opts o = {
        .format = format, .sheet_name = en ? "Members" : "党员信息",
        .notes_name = en ? "Instructions" : "填写说明", .notes = en ? NOTES_EN : NOTES_ZH,
        .nnotes = sizeof NOTES_ZH / sizeof NOTES_ZH[0], .validation_rows = 10000,
    };
    struct tpl t = {a, en};
    return write_sheet(&o, cols, member_import_ncolumns, fill_template, &t, NULL, out, e);
}

/* ---- error report ---- */

struct report {
    struct db *db;
    struct arena *a;
    int64_t id;
    const char *lang;
    struct sheet_writer *w;
    struct err *e;
    int failed;
};

static int report_row(void *ctx, const struct member_import_problem *p)
{
    struct report *r = ctx;
    char row[24];
    snprintf(row, sizeof row, "%lld", (long long)p->row);
    const char *cells[] = {row, p->column, p->rule, i18n_text(p->msg, r->lang), p->value};
    r->failed = sheet_writer_row(r->w, cells, r->e);
    return r->failed;
}

static int fill_report(void *ctx, struct sheet_writer *w, struct err *e)
{
    struct report *r = ctx;
    r->w = w;
    r->e = e;
    if (member_import_errors_each(r->db, r->id, 0, report_row, r, e) != 0 || r->failed != 0)
        return -1;
    return 0;
}

int member_import_error_file(struct db *db, struct arena *a, int64_t id, enum sheet_format format,
                             const char *lang, const char *path, struct buf *out, struct err *e)
{
    bool en = english(lang);
    const struct sheet_column cols[] = {
        {.title = en ? "Row" : "行号", .width = 8, .kind = SHEET_COL_NUMBER},
        {.title = en ? "Column" : "列", .width = 16},
        {.title = en ? "Rule" : "规则", .width = 10},
        {.title = en ? "Reason" : "原因", .width = 48},
        {.title = en ? "Original value" : "原值", .width = 30},
    };
    struct sheet_write_opts o = {.format = format, .sheet_name = en ? "Errors" : "错误"};
    struct report r = {.db = db, .a = a, .id = id, .lang = lang};
    return write_sheet(&o, cols, sizeof cols / sizeof cols[0], fill_report, &r, path, out, e);
}
