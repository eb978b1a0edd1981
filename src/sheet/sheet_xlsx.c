/* sheet_xlsx.c: streaming the first worksheet's rows (see sheet_xlsx.h).
 *
 * expat pushes, the caller pulls: the </row> handler suspends the parser (XML_StopParser with
 * resumable = true), so each sheet_xlsx_next() resumes it or feeds the next 64 KiB inflated
 * straight into expat's buffer, until one row is complete. Only one row is ever held; the
 * parse stops at </sheetData>. A cell's value follows its type: t="s" an index into the shared
 * strings, "inlineStr" its <is>, "str" a formula's text result, "b" TRUE/FALSE, "e" an error
 * (value ""), "d" an ISO date, otherwise a number, shown as a date when its style says so.
 * Numbers are written back the way Excel shows them (%.15g: 0.1+0.2 is 0.3), and integers in
 * full (a phone number stays 13800138000). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "sheet/sheet_norm.h"
#include "sheet/sheet_xlsx.h"

#define CHUNK (64 * 1024)

enum cell_type { T_NUMBER, T_SHARED, T_INLINE, T_STR, T_BOOL, T_ERROR, T_DATE };

static enum cell_type parse_type(const char *t)
{
    if (t == NULL || strcmp(t, "n") == 0)
        return T_NUMBER;
    if (strcmp(t, "s") == 0)
        return T_SHARED;
    if (strcmp(t, "inlineStr") == 0)
        return T_INLINE;
    if (strcmp(t, "str") == 0)
        return T_STR;
    if (strcmp(t, "b") == 0)
        return T_BOOL;
    if (strcmp(t, "e") == 0)
        return T_ERROR;
    if (strcmp(t, "d") == 0)
        return T_DATE;
    return T_NUMBER;
}

/* Column letters of a reference ("AB12" -> 27); -1 when there are none or too many. */
static long ref_col(const char *r)
{
    long c = 0;
    int n = 0;
    for (; *r >= 'A' && *r <= 'Z'; r++)
        if (++n > 3)
            return -1;
        else
            c = c * 26 + (*r - 'A' + 1);
    return n == 0 ? -1 : c - 1;
}

static bool parse_u32(const char *s, uint32_t *out)
{
    char *end;
    if (s == NULL || *s < '0' || *s > '9')
        return false;
    unsigned long v = strtoul(s, &end, 10);
    if (*end != '\0' || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

static void start_row(XML_Parser p, struct sheet_xlsx *x, const char **atts)
{
    uint32_t r;
    if (!parse_u32(sheet_xml_attr(atts, "r"), &r))
        r = x->last_row + 1;
    if (r == 0 || r <= x->last_row) {
        sheet_xml_stop(p, &x->fail, "sheet.corrupt");
        return;
    }
    x->row = r;
    x->row_over = r > x->lim->max_rows;
    x->next_col = 0;
}

static void start_cell(XML_Parser p, struct sheet_xlsx *x, const char **atts)
{
    const char *r = sheet_xml_attr(atts, "r");
    long col = r != NULL ? ref_col(r) : (long)x->next_col;
    uint32_t style;
    if (col < 0) {
        sheet_xml_stop(p, &x->fail, "sheet.corrupt");
        return;
    }
    x->col = (uint32_t)col;
    x->next_col = x->col + 1;
    x->type = parse_type(sheet_xml_attr(atts, "t"));
    x->style = parse_u32(sheet_xml_attr(atts, "s"), &style) ? style : 0;
    x->formula = false;
    x->capture = false;
    x->in_is = false;
    x->rph = 0;
    buf_reset(&x->cell);
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    XML_Parser p = ud;
    struct sheet_xlsx *x = XML_GetUserData(p);
    const char *n = sheet_xml_local(name);
    if (!x->in_data) {
        if (strcmp(n, "sheetData") == 0)
            x->in_data = true;
        return;
    }
    if (strcmp(n, "c") == 0)
        start_cell(p, x, atts);
    else if (strcmp(n, "row") == 0)
        start_row(p, x, atts);
    else if (strcmp(n, "v") == 0)
        x->capture = true;
    else if (strcmp(n, "f") == 0)
        x->formula = true;
    else if (strcmp(n, "is") == 0)
        x->in_is = true;
    else if (strcmp(n, "rPh") == 0)
        x->rph++;
    else if (strcmp(n, "t") == 0 && x->in_is && x->rph == 0)
        x->capture = true;
}

static void XMLCALL on_chars(void *ud, const XML_Char *s, int len)
{
    struct sheet_xlsx *x = XML_GetUserData((XML_Parser)ud);
    if (x->capture)
        buf_add(&x->cell, s, (size_t)len);
}

/* The number as Excel shows it in a General cell. */
static void number_text(const char *v, char *out, size_t n)
{
    const char *p = v + (*v == '-');
    size_t digits = strspn(p, "0123456789");
    if (digits > 0 && digits <= 15 && p[digits] == '\0') {
        snprintf(out, n, "%s", v);
        return;
    }
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end != '\0' || !isfinite(d))
        snprintf(out, n, "%s", v);
    else if (d == floor(d) && fabs(d) < 1e20)
        snprintf(out, n, "%.0f", d);
    else
        snprintf(out, n, "%.15g", d);
}

static void set(struct sheet_xlsx *x, const char *value, const char *raw, size_t raw_len,
                unsigned flags)
{
    struct sheet_rowbuf *rb = x->rb;
    if (value == NULL) {
        rowbuf_set_text(rb, x->col, raw, raw_len, flags);
        return;
    }
    size_t r = rowbuf_add(rb, raw, raw_len);
    rowbuf_set(rb, x->col, rowbuf_add(rb, value, strlen(value)), r, flags);
}

static void end_cell(XML_Parser p, struct sheet_xlsx *x)
{
    const char *t = x->cell.data != NULL ? x->cell.data : "";
    size_t len = x->cell.len;
    unsigned flags = x->formula ? SHEET_CELL_FORMULA : 0;
    char num[64];
    if (buf_failed(&x->cell) || sheet_too_long(t, len, x->lim->max_cell_chars)) {
        sheet_xml_stop(p, &x->fail, "sheet.cell_too_long");
        return;
    }
    if (x->col >= x->lim->max_cols) {
        if (len != 0)                   /* styled empty cells far right are harmless */
            sheet_xml_stop(p, &x->fail, "sheet.too_many_columns");
        return;
    }
    if (x->row_over) {                  /* rows past the limit may only be empty */
        if (len != 0)
            sheet_xml_stop(p, &x->fail, "sheet.too_many_rows");
        return;
    }
    uint32_t idx;
    switch ((enum cell_type)x->type) {
    case T_SHARED:
        if (!parse_u32(t, &idx) || idx >= x->nsst) {
            sheet_xml_stop(p, &x->fail, "sheet.corrupt");
            return;
        }
        t = x->sst_text.data + x->sst_off[idx];
        set(x, NULL, t, strlen(t), flags);
        return;
    case T_INLINE:
    case T_STR:
        set(x, NULL, t, len, flags);
        return;
    case T_BOOL:
        set(x, strcmp(t, "1") == 0 ? "TRUE" : strcmp(t, "0") == 0 ? "FALSE" : t, t, len,
            flags | SHEET_CELL_BOOL);
        return;
    case T_ERROR:
        set(x, "", t, len, flags | SHEET_CELL_ERROR);
        return;
    case T_DATE:
        snprintf(num, sizeof num, "%.10s", t);
        set(x, num, t, len, flags | SHEET_CELL_DATE);
        return;
    case T_NUMBER:
        break;
    }
    if (len == 0)
        return;                         /* a styled empty cell */
    bool is_date = x->style < x->nxf && x->xf_date[x->style];
    if (is_date && sheet_norm_serial_date(strtod(t, NULL), x->date1904, num) == 0) {
        set(x, num, t, len, flags | SHEET_CELL_DATE | SHEET_CELL_NUMBER);
        return;
    }
    number_text(t, num, sizeof num);
    set(x, num, t, len, flags | SHEET_CELL_NUMBER);
}

/* Merged ranges: remember the top-left values of ranges starting in this row, then copy them
 * into the other cells the active ranges cover. */
static void fill_merges(struct sheet_xlsx *x)
{
    struct sheet_rowbuf *rb = x->rb;
    uint32_t keep = 0;
    for (uint32_t i = 0; i < x->nactive; i++)
        if (x->merges[x->active[i]].r2 >= x->row)
            x->active[keep++] = x->active[i];
    x->nactive = keep;
    while (x->next_merge < x->nmerges && x->merges[x->next_merge].r1 <= x->row) {
        struct xlsx_merge *m = &x->merges[x->next_merge];
        if (m->r2 >= x->row)
            x->active[x->nactive++] = x->next_merge;
        if (m->r1 == x->row && m->c1 < rb->nslots && m->value == NULL) {
            m->value = xstrdup(rb->text + rb->slots[m->c1].value);
            m->raw = xstrdup(rb->text + rb->slots[m->c1].raw);
            m->flags = rb->slots[m->c1].flags | SHEET_CELL_MERGED;
        }
        x->next_merge++;
    }
    for (uint32_t i = 0; i < x->nactive; i++) {
        const struct xlsx_merge *m = &x->merges[x->active[i]];
        if (m->value == NULL || m->value[0] == '\0')
            continue;
        uint32_t c2 = m->c2 < x->lim->max_cols ? m->c2 : x->lim->max_cols - 1;
        for (uint32_t c = m->c1; c <= c2; c++) {
            if (x->row == m->r1 && c == m->c1)
                continue;
            if (c < rb->nslots && rb->text[rb->slots[c].value] != '\0')
                continue;               /* a value of its own wins */
            size_t raw = rowbuf_add(rb, m->raw, strlen(m->raw));
            rowbuf_set(rb, c, rowbuf_add(rb, m->value, strlen(m->value)), raw, m->flags);
        }
    }
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    XML_Parser p = ud;
    struct sheet_xlsx *x = XML_GetUserData(p);
    if (!x->in_data)
        return;
    const char *n = sheet_xml_local(name);
    if (strcmp(n, "c") == 0) {
        end_cell(p, x);
    } else if (strcmp(n, "v") == 0 || strcmp(n, "t") == 0) {
        x->capture = false;
    } else if (strcmp(n, "is") == 0) {
        x->in_is = false;
    } else if (strcmp(n, "rPh") == 0) {
        x->rph--;
    } else if (strcmp(n, "row") == 0) {
        x->last_row = x->row;
        if (x->row_over)
            return;
        fill_merges(x);
        x->row_ready = true;
        XML_StopParser(p, XML_TRUE);
    } else if (strcmp(n, "sheetData") == 0) {
        x->in_data = false;
        x->done = true;
        XML_StopParser(p, XML_FALSE);   /* nothing after the rows is needed */
    }
}

int sheet_xlsx_open(const unsigned char *data, size_t len, const struct sheet_limits *lim,
                    struct sheet_xlsx **out, struct err *e)
{
    struct sheet_xlsx *x = xcalloc(1, sizeof *x);
    x->lim = lim;
    buf_init(&x->sst_text, lim->max_entry_bytes);
    buf_init(&x->cell, (size_t)lim->max_cell_chars * 4 + 4);
    *out = NULL;
    if (sheet_zip_open(data, len, lim, &x->zip, e) != 0 || xlsx_read_parts(x, e) != 0 ||
        xlsx_read_merges(x, e) != 0)
        goto fail;
    x->p = sheet_xml_create(x, &x->fail);
    if (x->p == NULL) {
        err_set(e, ERR_INTERNAL, "sheet.corrupt");
        goto fail;
    }
    XML_SetElementHandler(x->p, on_start, on_end);
    XML_SetCharacterDataHandler(x->p, on_chars);
    if (sheet_zip_entry_open(x->zip, x->sheet_path, e) != 0)
        goto fail;
    *out = x;
    return 0;
fail:
    sheet_xlsx_close(x);
    return -1;
}

/* One step of the parse: resume, or feed the next chunk. */
static enum XML_Status step(struct sheet_xlsx *x, struct err *e, bool *io_failed)
{
    if (x->suspended) {
        x->suspended = false;
        return XML_ResumeParser(x->p);
    }
    void *buf = XML_GetBuffer(x->p, CHUNK);
    if (buf == NULL) {
        *io_failed = true;
        err_set(e, ERR_INVALID, "sheet.corrupt");
        return XML_STATUS_ERROR;
    }
    long n = sheet_zip_entry_read(x->zip, buf, CHUNK, e);
    if (n < 0) {
        *io_failed = true;
        return XML_STATUS_ERROR;
    }
    x->fed_final = n == 0;
    return XML_ParseBuffer(x->p, (int)n, n == 0);
}

int sheet_xlsx_next(struct sheet_xlsx *x, struct sheet_rowbuf *rb, uint32_t *number,
                    struct err *e)
{
    x->rb = rb;
    x->row_ready = false;
    for (;;) {
        if (x->done)
            return 0;
        bool io_failed = false;
        enum XML_Status st = step(x, e, &io_failed);
        if (io_failed)
            return sheet_at_row(e, x->row);
        if (st == XML_STATUS_ERROR) {
            if (x->done && x->fail.key == NULL)
                return 0;               /* stopped at </sheetData> */
            sheet_xml_error(x->p, &x->fail, e);
            return sheet_at_row(e, x->row);
        }
        if (st == XML_STATUS_SUSPENDED)
            x->suspended = true;
        else if (x->fed_final)
            x->done = true;             /* the document ended without </sheetData> */
        if (x->row_ready) {
            *number = x->row;
            return 1;
        }
    }
}

void sheet_xlsx_close(struct sheet_xlsx *x)
{
    if (x == NULL)
        return;
    if (x->p != NULL)
        XML_ParserFree(x->p);
    sheet_zip_close(x->zip);
    free(x->xf_date);
    buf_fini(&x->sst_text);
    buf_fini(&x->cell);
    free(x->sst_off);
    for (uint32_t i = 0; i < x->nmerges; i++) {
        free(x->merges[i].value);
        free(x->merges[i].raw);
    }
    free(x->merges);
    free(x->active);
    free(x);
}
