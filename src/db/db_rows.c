/* db_rows.c: buffered rows and multi-row INSERTs (see db_rows.h).
 * A value is 16 bytes plus its text; a batch of 20,000 members with sealed personal data takes
 * ~5 MB of values and ~12 MB of text. */
#include "db/db_rows.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "db/db.h"

enum { DB_ROWS_NULL, DB_ROWS_I64, DB_ROWS_TEXT };

void db_rows_init(struct db_rows *r, int ncols)
{
    memset(r, 0, sizeof *r);
    r->ncols = ncols;
    buf_init(&r->text, (size_t)1 << 30);
}

void db_rows_fini(struct db_rows *r)
{
    free(r->v);
    buf_fini(&r->text);
    memset(r, 0, sizeof *r);
}

void db_rows_reset(struct db_rows *r)
{
    r->n = 0;
    r->col = 0;
    buf_reset(&r->text);
}

static struct db_rows_val *slot(struct db_rows *r)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        r->v = xrealloc(r->v, r->cap * (size_t)r->ncols * sizeof *r->v);
    }
    return &r->v[r->n * (size_t)r->ncols + (size_t)r->col++];
}

void db_rows_i64(struct db_rows *r, int64_t x)
{
    *slot(r) = (struct db_rows_val){.type = DB_ROWS_I64, .i = x};
}

void db_rows_null(struct db_rows *r)
{
    *slot(r) = (struct db_rows_val){.type = DB_ROWS_NULL};
}

void db_rows_text(struct db_rows *r, const char *s)
{
    *slot(r) = (struct db_rows_val){.type = DB_ROWS_TEXT, .off = (uint32_t)r->text.len};
    buf_add(&r->text, s, strlen(s) + 1);
}

void db_rows_date(struct db_rows *r, struct date d)
{
    char s[11];
    date_format(d, s);
    db_rows_text(r, s);
}

void db_rows_end(struct db_rows *r)
{
    r->col = 0;
    r->n++;
}

static void bind_row(const struct db_rows *r, struct db_stmt *st, size_t row, int first_param)
{
    const struct db_rows_val *v = &r->v[row * (size_t)r->ncols];
    for (int c = 0; c < r->ncols; c++) {
        int idx = first_param + c;
        if (v[c].type == DB_ROWS_I64)
            db_bind_i64(st, idx, v[c].i);
        else if (v[c].type == DB_ROWS_TEXT)
            db_bind_text(st, idx, buf_str(&r->text) + v[c].off);
        else
            db_bind_null(st, idx);
    }
}

void db_rows_text_or_null(struct db_rows *r, const char *s)
{
    if (s != NULL && s[0] != '\0')
        db_rows_text(r, s);
    else
        db_rows_null(r);
}

int db_rows_insert_tiers(const struct db_rows *r, struct db_stmt *const *st, const int *rows,
                         int ntiers, struct err *e)
{
    size_t i = 0;
    if (buf_failed(&r->text))
        return err_set(e, ERR_INTERNAL, "db.row_too_large");
    for (int t = 0; t < ntiers; t++) {
        size_t n = (size_t)rows[t];
        for (; i + n <= r->n; i += n) {
            db_reset(st[t]);
            for (size_t k = 0; k < n; k++)
                bind_row(r, st[t], i + k, 1 + (int)k * r->ncols);
            if (db_step(st[t], e) != DB_DONE)
                return -1;
        }
    }
    if (i < r->n)
        return err_set(e, ERR_INTERNAL, "internal");   /* no 1-row tier */
    return 0;
}

int db_rows_insert(const struct db_rows *r, struct db_stmt *one, struct db_stmt *many,
                   int nmany, struct err *e)
{
    struct db_stmt *const st[] = {many, one};
    const int rows[] = {nmany, 1};
    return db_rows_insert_tiers(r, st, rows, 2, e);
}
