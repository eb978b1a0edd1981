/* sheet_csv.c: reading CSV (RFC 4180 and what Excel actually writes; see sheet.h).
 *
 * The text is decoded once at open: UTF-8 (a BOM is dropped), UTF-16 with a BOM ("Unicode
 * text" from Excel), and otherwise GB18030, the superset of GBK that Chinese Excel and WPS
 * write for "CSV". Bytes that are neither, or that hold NUL, are refused. Then records are cut
 * one by one from memory: quoted fields may hold the delimiter, doubled quotes and line breaks;
 * lines end in CRLF, LF or CR; a quote never closed is an error naming the record it opened in.
 * The delimiter is the most frequent of , ; and tab outside quotes on the first line. */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "sheet/sheet_internal.h"

struct sheet_csv {
    const struct sheet_limits *lim;
    char *owned;                        /* decoded text, when it was not UTF-8 */
    const char *p, *end;
    char delim;
    uint32_t record;
    struct buf field;                   /* the field being read, capped near max_cell_chars */
};

/* Converts data from `from` to UTF-8 into a new NUL-terminated buffer; NULL when invalid. */
static char *decode(const unsigned char *data, size_t len, const char *from, size_t *out_len)
{
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1)
        return NULL;
    size_t cap = len * 2 + 16, used = 0;
    char *out = xmalloc(cap);
    char *in = (char *)data;
    size_t left = len;
    while (left > 0) {
        char *dst = out + used;
        size_t room = cap - used - 1;
        size_t rc = iconv(cd, &in, &left, &dst, &room);
        used = (size_t)(dst - out);
        if (rc != (size_t)-1)
            break;
        if (errno != E2BIG) {
            free(out);
            iconv_close(cd);
            return NULL;
        }
        cap *= 2;
        out = xrealloc(out, cap);
    }
    iconv_close(cd);
    out[used] = '\0';
    *out_len = used;
    return out;
}

static char sniff(const char *p, const char *end)
{
    size_t n[3] = {0, 0, 0};
    bool quoted = false;
    for (; p < end; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted && (*p == '\n' || *p == '\r'))
            break;
        else if (!quoted)
            n[0] += *p == ',', n[1] += *p == ';', n[2] += *p == '\t';
    }
    if (n[1] > n[0] && n[1] >= n[2])
        return ';';
    if (n[2] > n[0] && n[2] > n[1])
        return '\t';
    return ',';
}

int sheet_csv_open(const unsigned char *data, size_t len, const struct sheet_limits *lim,
                   struct sheet_csv **out, struct err *e)
{
    struct sheet_csv *c = xcalloc(1, sizeof *c);
    c->lim = lim;
    buf_init(&c->field, (size_t)lim->max_cell_chars * 4 + 4);
    *out = NULL;
    size_t n = len;
    if (len >= 2 && ((data[0] == 0xFF && data[1] == 0xFE) || (data[0] == 0xFE && data[1] == 0xFF))) {
        c->owned = decode(data, len, "UTF-16", &n);
    } else if (memchr(data, 0, len) != NULL) {
        sheet_csv_close(c);
        return err_set(e, ERR_INVALID, "sheet.not_spreadsheet");
    } else if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        n = len - 3;
        if (!utf8_valid((const char *)data, n)) {
            sheet_csv_close(c);
            return err_set(e, ERR_INVALID, "sheet.bad_encoding");
        }
    } else if (!utf8_valid((const char *)data, len)) {
        c->owned = decode(data, len, "GB18030", &n);
        if (c->owned == NULL) {
            sheet_csv_close(c);
            return err_set(e, ERR_INVALID, "sheet.bad_encoding");
        }
    }
    if (c->owned != NULL) {
        const char *s = c->owned;
        if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
            s += 3, n -= 3;
        if (!utf8_valid(s, n)) {
            sheet_csv_close(c);
            return err_set(e, ERR_INVALID, "sheet.bad_encoding");
        }
        c->p = s;
    } else if (len >= 2 && (data[0] == 0xFF || data[0] == 0xFE)) {
        sheet_csv_close(c);
        return err_set(e, ERR_INVALID, "sheet.bad_encoding");
    } else {
        c->p = (const char *)data;
    }
    c->end = c->p + n;
    c->delim = sniff(c->p, c->end);
    *out = c;
    return 0;
}

void sheet_csv_close(struct sheet_csv *c)
{
    if (c == NULL)
        return;
    free(c->owned);
    buf_fini(&c->field);
    free(c);
}

/* Reads one field at c->p into c->field; leaves c->p on the delimiter, line end or end. */
static int read_field(struct sheet_csv *c, struct err *e)
{
    const char *p = c->p, *end = c->end;
    buf_reset(&c->field);
    if (p < end && *p == '"') {
        p++;
        for (;;) {
            const char *q = memchr(p, '"', (size_t)(end - p));
            if (q == NULL)
                return sheet_fail_row(e, "sheet.csv_unterminated_quote", c->record);
            buf_add(&c->field, p, (size_t)(q - p));
            if (q + 1 < end && q[1] == '"') {
                buf_add(&c->field, "\"", 1);
                p = q + 2;
            } else {
                p = q + 1;
                break;
            }
            if (buf_failed(&c->field))
                return sheet_fail_row(e, "sheet.cell_too_long", c->record);
        }
    }
    const char *s = p;                  /* unquoted text (or text after a closing quote) */
    while (p < end && *p != c->delim && *p != '\n' && *p != '\r')
        p++;
    buf_add(&c->field, s, (size_t)(p - s));
    c->p = p;
    if (buf_failed(&c->field))
        return sheet_fail_row(e, "sheet.cell_too_long", c->record);
    return 0;
}

static void set_field(struct sheet_csv *c, struct sheet_rowbuf *rb, uint32_t col)
{
    rowbuf_set_text(rb, col, buf_str(&c->field), c->field.len, 0);
    /* Our own export (core/csv.h) puts ' before = + - @ tab CR: the value drops it again. */
    char *v = rb->text + rb->slots[col].value;
    if (v[0] == '\'' && v[1] != '\0' && strchr("=+-@\t\r", v[1]) != NULL)
        rb->slots[col].value++;
}

int sheet_csv_next(struct sheet_csv *c, struct sheet_rowbuf *rb, uint32_t *number,
                   struct err *e)
{
    if (c->p >= c->end)
        return 0;
    c->record++;
    if (c->record > c->lim->max_rows)
        return sheet_fail_row(e, "sheet.too_many_rows", c->record);
    for (uint32_t col = 0;; col++) {
        if (read_field(c, e) != 0)
            return -1;
        if (sheet_too_long(buf_str(&c->field), c->field.len, c->lim->max_cell_chars))
            return sheet_fail_row(e, "sheet.cell_too_long", c->record);
        if (col < c->lim->max_cols)
            set_field(c, rb, col);
        else if (c->field.len != 0)
            return sheet_fail_row(e, "sheet.too_many_columns", c->record);
        if (c->p >= c->end)
            break;
        char ch = *c->p++;
        if (ch == c->delim)
            continue;
        if (ch == '\r' && c->p < c->end && *c->p == '\n')
            c->p++;
        break;
    }
    *number = c->record;
    return 1;
}
