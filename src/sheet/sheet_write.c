/* sheet_write.c: xlsx and CSV writers behind one interface (see sheet_write.h).
 * In libxlsxwriter's constant-memory mode every sheet must be written row by row, so the hidden
 * list sheet is filled row-major (row r of every drop-down column) at open, before any data. */
#include "sheet/sheet_write.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "core/buf.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/err.h"
#include "core/utf8.h"
#include "core/xalloc.h"

#define LISTS_SHEET "lists"
#define XLSX_MAX_ROW 1048575u

struct sheet_writer {
    enum sheet_format format;
    char *path;
    size_t ncols;
    enum sheet_col_kind *kinds;
    uint32_t row;                       /* next data row (0-based; 0 is the header) */
    /* xlsx */
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *f_head, *f_text, *f_date;
    /* csv */
    FILE *f;
    struct buf line;
    char *clean;                        /* scratch for text without control characters */
    size_t clean_cap;
};

static int write_failed(struct err *e, lxw_error rc)
{
    if (rc == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED)
        return err_set(e, ERR_INVALID, "sheet.cell_too_long");
    err_set(e, ERR_INTERNAL, "sheet.cannot_write");
    err_detail(e, "xlsxwriter: %s", lxw_strerror(rc));
    return -1;
}

static double fitted_width(const struct sheet_column *c)
{
    if (c->width > 0)
        return c->width;
    double w = (double)utf8_count(c->title != NULL ? c->title : "") * 2.2 + 2;
    return w < 10 ? 10 : w > 60 ? 60 : w;
}

/* Text safe for XML: control characters other than tab and newline become spaces. */
static const char *clean_text(struct sheet_writer *w, const char *s)
{
    const char *p = s;
    while (*p != '\0' && ((unsigned char)*p >= 0x20 || *p == '\t' || *p == '\n'))
        p++;
    if (*p == '\0')
        return s;
    size_t n = strlen(s);
    if (w->clean_cap < n + 1) {
        w->clean = xrealloc(w->clean, n + 1);
        w->clean_cap = n + 1;
    }
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = (unsigned char)s[i];
        w->clean[i] = (c != 0 && c < 0x20 && c != '\t' && c != '\n') ? ' ' : (char)c;
    }
    return w->clean;
}

static int write_lists(struct sheet_writer *w, const struct sheet_column *cols, size_t ncols,
                       uint32_t vrows, struct err *e)
{
    size_t longest = 0;
    for (size_t i = 0; i < ncols; i++)
        if (cols[i].options != NULL && cols[i].noptions > longest)
            longest = cols[i].noptions;
    if (longest == 0)
        return 0;
    if (longest > XLSX_MAX_ROW)
        return err_set(e, ERR_INVALID, "sheet.too_many_rows");
    lxw_worksheet *lists = workbook_add_worksheet(w->wb, LISTS_SHEET);
    if (lists == NULL)
        return err_set(e, ERR_INTERNAL, "sheet.cannot_write");
    worksheet_hide(lists);
    for (size_t r = 0; r < longest; r++) {
        lxw_col_t k = 0;
        for (size_t i = 0; i < ncols; i++) {
            if (cols[i].options == NULL || cols[i].noptions == 0)
                continue;
            if (r < cols[i].noptions && cols[i].options[r] != NULL) {
                lxw_error rc = worksheet_write_string(lists, (lxw_row_t)r, k,
                                                      clean_text(w, cols[i].options[r]), NULL);
                if (rc != LXW_NO_ERROR)
                    return write_failed(e, rc);
            }
            k++;
        }
    }
    lxw_col_t k = 0;
    for (size_t i = 0; i < ncols; i++) {
        if (cols[i].options == NULL || cols[i].noptions == 0)
            continue;
        char formula[96], col[4] = {0};
        unsigned c = k;                 /* k < 200: at most two letters */
        if (c < 26) {
            col[0] = (char)('A' + c);
        } else {
            col[0] = (char)('A' + c / 26 - 1);
            col[1] = (char)('A' + c % 26);
        }
        snprintf(formula, sizeof formula, "=%s!$%s$1:$%s$%zu", LISTS_SHEET, col, col,
                 cols[i].noptions);
        lxw_data_validation dv = {0};
        dv.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
        dv.value_formula = formula;
        dv.ignore_blank = LXW_VALIDATION_ON;
        dv.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
        lxw_error rc = worksheet_data_validation_range(w->ws, 1, (lxw_col_t)i, vrows,
                                                       (lxw_col_t)i, &dv);
        if (rc != LXW_NO_ERROR)
            return write_failed(e, rc);
        k++;
    }
    return 0;
}

static int write_notes(struct sheet_writer *w, const struct sheet_write_opts *o, struct err *e)
{
    if (o->notes_name == NULL)
        return 0;
    lxw_worksheet *ns = workbook_add_worksheet(w->wb, o->notes_name);
    if (ns == NULL)
        return err_set(e, ERR_INVALID, "sheet.cannot_write");
    lxw_format *wrap = workbook_add_format(w->wb);
    format_set_text_wrap(wrap);
    if (worksheet_set_column(ns, 0, 0, 100, wrap) != LXW_NO_ERROR)
        return err_set(e, ERR_INTERNAL, "sheet.cannot_write");
    for (size_t i = 0; i < o->nnotes && i <= XLSX_MAX_ROW; i++) {
        lxw_error rc = worksheet_write_string(ns, (lxw_row_t)i, 0, clean_text(w, o->notes[i]),
                                              i == 0 ? w->f_head : NULL);
        if (rc != LXW_NO_ERROR)
            return write_failed(e, rc);
    }
    return 0;
}

static int open_xlsx(struct sheet_writer *w, const struct sheet_write_opts *o,
                     const struct sheet_column *cols, size_t ncols, struct err *e)
{
    lxw_workbook_options wo = {.constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = 0};
    w->wb = workbook_new_opt(w->path, &wo);
    if (w->wb == NULL)
        return err_set(e, ERR_INTERNAL, "sheet.cannot_write");
    w->ws = workbook_add_worksheet(w->wb, o->sheet_name);
    if (w->ws == NULL)
        return err_set(e, ERR_INVALID, "sheet.cannot_write");
    w->f_head = workbook_add_format(w->wb);
    format_set_bold(w->f_head);
    format_set_bg_color(w->f_head, 0xD9E1F2);
    w->f_text = workbook_add_format(w->wb);
    format_set_num_format(w->f_text, "@");
    w->f_date = workbook_add_format(w->wb);
    format_set_num_format(w->f_date, "yyyy-mm-dd");
    for (size_t i = 0; i < ncols; i++) {
        lxw_format *f = cols[i].kind == SHEET_COL_DATE ? w->f_date
                        : cols[i].kind == SHEET_COL_TEXT ? w->f_text : NULL;
        if (worksheet_set_column(w->ws, (lxw_col_t)i, (lxw_col_t)i, fitted_width(&cols[i]), f) !=
            LXW_NO_ERROR)
            return err_set(e, ERR_INTERNAL, "sheet.cannot_write");
        lxw_error rc = worksheet_write_string(w->ws, 0, (lxw_col_t)i,
                                              clean_text(w, cols[i].title ? cols[i].title : ""),
                                              w->f_head);
        if (rc != LXW_NO_ERROR)
            return write_failed(e, rc);
    }
    worksheet_freeze_panes(w->ws, 1, 0);
    if (ncols > 0 && worksheet_autofilter(w->ws, 0, 0, 0, (lxw_col_t)(ncols - 1)) != LXW_NO_ERROR)
        return err_set(e, ERR_INTERNAL, "sheet.cannot_write");
    uint32_t vrows = o->validation_rows ? o->validation_rows : 10000;
    if (vrows > XLSX_MAX_ROW)
        vrows = XLSX_MAX_ROW;
    if (write_notes(w, o, e) != 0)
        return -1;
    return write_lists(w, cols, ncols, vrows, e);
}

static int open_csv(struct sheet_writer *w, const struct sheet_column *cols, size_t ncols,
                    struct err *e)
{
    w->f = fopen(w->path, "wb");
    if (w->f == NULL) {
        err_set(e, ERR_INTERNAL, "sheet.cannot_write");
        err_detail(e, "%s: %s", w->path, strerror(errno));
        return -1;
    }
    buf_init(&w->line, (size_t)200 * 32767 * 4 + 4096);
    csv_bom(&w->line);
    for (size_t i = 0; i < ncols; i++)
        csv_cell(&w->line, cols[i].title, i == 0);
    csv_end_row(&w->line);
    return 0;
}

int sheet_writer_open(const char *path, const struct sheet_write_opts *opts,
                      const struct sheet_column *cols, size_t ncols, struct sheet_writer **out,
                      struct err *e)
{
    struct sheet_writer *w = xcalloc(1, sizeof *w);
    *out = NULL;
    w->format = opts->format;
    w->path = xstrdup(path);
    w->ncols = ncols;
    w->kinds = xcalloc(ncols ? ncols : 1, sizeof *w->kinds);
    for (size_t i = 0; i < ncols; i++)
        w->kinds[i] = cols[i].kind;
    w->row = 1;
    if (ncols == 0 || ncols > 16384) {
        sheet_writer_abort(w);
        return err_set(e, ERR_INVALID, "sheet.too_many_columns");
    }
    int rc = w->format == SHEET_CSV ? open_csv(w, cols, ncols, e) : open_xlsx(w, opts, cols, ncols, e);
    if (rc != 0) {
        sheet_writer_abort(w);
        return -1;
    }
    *out = w;
    return 0;
}

/* A number Excel keeps exactly: up to 15 significant digits, nothing after it. */
static bool plain_number(const char *s, double *v)
{
    char *end;
    if (strspn(s, "0123456789-.") != strlen(s) || strlen(s) > 16)
        return false;
    *v = strtod(s, &end);
    return end != s && *end == '\0' && isfinite(*v);
}

static int xlsx_cell(struct sheet_writer *w, lxw_col_t c, const char *s)
{
    lxw_row_t r = w->row;
    struct date d;
    double v;
    if (w->kinds[c] == SHEET_COL_DATE && date_parse(s, &d) == 0) {
        lxw_datetime dt = {d.year, d.month, d.day, 0, 0, 0};
        return worksheet_write_datetime(w->ws, r, c, &dt, w->f_date);
    }
    if (w->kinds[c] == SHEET_COL_NUMBER && plain_number(s, &v))
        return worksheet_write_number(w->ws, r, c, v, NULL);
    return worksheet_write_string(w->ws, r, c, clean_text(w, s), w->f_text);
}

static int flush_csv(struct sheet_writer *w, struct err *e)
{
    if (w->line.len > 0 && fwrite(w->line.data, 1, w->line.len, w->f) != w->line.len)
        return err_set(e, ERR_INTERNAL, "sheet.cannot_write");
    buf_reset(&w->line);
    return 0;
}

int sheet_writer_row(struct sheet_writer *w, const char *const *cells, struct err *e)
{
    if (w->row > XLSX_MAX_ROW && w->format == SHEET_XLSX)
        return err_set(e, ERR_INVALID, "sheet.too_many_rows");
    for (size_t i = 0; i < w->ncols; i++)
        if (cells[i] != NULL && !utf8_valid(cells[i], strlen(cells[i])))
            return err_set(e, ERR_INVALID, "sheet.bad_text");
    if (w->format == SHEET_CSV) {
        for (size_t i = 0; i < w->ncols; i++)
            csv_cell(&w->line, cells[i], i == 0);
        csv_end_row(&w->line);
        if (buf_failed(&w->line))
            return err_set(e, ERR_INVALID, "sheet.cell_too_long");
        if (flush_csv(w, e) != 0)
            return -1;
    } else {
        for (size_t i = 0; i < w->ncols; i++) {
            if (cells[i] == NULL || cells[i][0] == '\0')
                continue;
            lxw_error rc = xlsx_cell(w, (lxw_col_t)i, cells[i]);
            if (rc != LXW_NO_ERROR)
                return write_failed(e, rc);
        }
    }
    w->row++;
    return 0;
}

static void writer_free(struct sheet_writer *w)
{
    buf_fini(&w->line);
    free(w->clean);
    free(w->kinds);
    free(w->path);
    free(w);
}

int sheet_writer_close(struct sheet_writer *w, struct err *e)
{
    int rc = 0;
    if (w->format == SHEET_CSV) {
        rc = flush_csv(w, e);
        if (fclose(w->f) != 0 && rc == 0)
            rc = err_set(e, ERR_INTERNAL, "sheet.cannot_write");
    } else {
        lxw_error x = workbook_close(w->wb);
        if (x != LXW_NO_ERROR)
            rc = write_failed(e, x);
    }
    if (rc != 0)
        unlink(w->path);
    writer_free(w);
    return rc;
}

void sheet_writer_abort(struct sheet_writer *w)
{
    if (w == NULL)
        return;
    if (w->f != NULL)
        fclose(w->f);
    if (w->wb != NULL)
        (void)workbook_close(w->wb);
    unlink(w->path);
    writer_free(w);
}

int sheet_file_read(const char *path, struct buf *out, struct err *e)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return err_set(e, ERR_INVALID, "sheet.cannot_open");
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(out, chunk, n);
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad)
        return err_set(e, ERR_INVALID, "sheet.cannot_open");
    if (buf_failed(out))
        return err_set(e, ERR_TOO_LARGE, "sheet.too_large");
    return 0;
}
