/* demo_rows.c: buffered rows and multi-row INSERTs for the demo store (see demo_rows.h).
 * A value is 16 bytes plus its text; a batch of 20,000 members with sealed personal data takes
 * ~5 MB of values and ~12 MB of text. */
#include "features/demo/demo_rows.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "db/db.h"

enum { DEMO_V_NULL, DEMO_V_I64, DEMO_V_TEXT };

void demo_rows_init(struct demo_rows *r, int ncols)
{
    memset(r, 0, sizeof *r);
    r->ncols = ncols;
    buf_init(&r->text, (size_t)1 << 30);
}

void demo_rows_fini(struct demo_rows *r)
{
    free(r->v);
    buf_fini(&r->text);
    memset(r, 0, sizeof *r);
}

void demo_rows_reset(struct demo_rows *r)
{
    r->n = 0;
    r->col = 0;
    buf_reset(&r->text);
}

static struct demo_val *slot(struct demo_rows *r)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        r->v = xrealloc(r->v, r->cap * (size_t)r->ncols * sizeof *r->v);
    }
    return &r->v[r->n * (size_t)r->ncols + (size_t)r->col++];
}

void demo_rows_i64(struct demo_rows *r, int64_t x)
{
    *slot(r) = (struct demo_val){.type = DEMO_V_I64, .i = x};
}

void demo_rows_null(struct demo_rows *r)
{
    *slot(r) = (struct demo_val){.type = DEMO_V_NULL};
}

void demo_rows_text(struct demo_rows *r, const char *s)
{
    *slot(r) = (struct demo_val){.type = DEMO_V_TEXT, .off = (uint32_t)r->text.len};
    buf_add(&r->text, s, strlen(s) + 1);
}

void demo_rows_date(struct demo_rows *r, struct date d)
{
    char s[11];
    date_format(d, s);
    demo_rows_text(r, s);
}

void demo_rows_end(struct demo_rows *r)
{
    r->col = 0;
    r->n++;
}

static void bind_row(const struct demo_rows *r, struct db_stmt *st, size_t row, int first_param)
{
    const struct demo_val *v = &r->v[row * (size_t)r->ncols];
    for (int c = 0; c < r->ncols; c++) {
        int idx = first_param + c;
        if (v[c].type == DEMO_V_I64)
            db_bind_i64(st, idx, v[c].i);
        else if (v[c].type == DEMO_V_TEXT)
            db_bind_text(st, idx, buf_str(&r->text) + v[c].off);
        else
            db_bind_null(st, idx);
    }
}

int demo_rows_insert(const struct demo_rows *r, struct db_stmt *one, struct db_stmt *many,
                     int nmany, struct err *e)
{
    size_t i = 0;
    if (buf_failed(&r->text))
        return err_set(e, ERR_INTERNAL, "demo.row_too_large");
    for (; i + (size_t)nmany <= r->n; i += (size_t)nmany) {
        db_reset(many);
        for (int k = 0; k < nmany; k++)
            bind_row(r, many, i + (size_t)k, 1 + k * r->ncols);
        if (db_step(many, e) != DB_DONE)
            return -1;
    }
    for (; i < r->n; i++) {
        db_reset(one);
        bind_row(r, one, i, 1);
        if (db_step(one, e) != DB_DONE)
            return -1;
    }
    return 0;
}
