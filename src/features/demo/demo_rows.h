/* demo_rows.h: rows of values buffered in memory, then written with multi-row INSERTs; private
 * to the demo store (demo_store.c). A struct demo_rows holds any number of complete rows (their
 * texts in one buffer) and can be filled on one thread and written on another, never both at
 * once. Threads: one owner at a time. */
#ifndef DJ_DEMO_ROWS_H
#define DJ_DEMO_ROWS_H
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/date.h"

struct db_stmt;
struct err;

struct demo_val {
    int64_t i;
    uint32_t off;               /* text: offset into demo_rows.text */
    uint8_t type;               /* DEMO_V_NULL, DEMO_V_I64, DEMO_V_TEXT */
};

struct demo_rows {
    int ncols;
    struct demo_val *v;         /* owned: cap * ncols */
    size_t n, cap;              /* complete rows; capacity in rows */
    int col;                    /* next column of the row being filled */
    struct buf text;            /* NUL-terminated texts of the rows */
};

void demo_rows_init(struct demo_rows *r, int ncols);
void demo_rows_fini(struct demo_rows *r);
void demo_rows_reset(struct demo_rows *r);              /* keeps the memory */

void demo_rows_i64(struct demo_rows *r, int64_t x);
void demo_rows_null(struct demo_rows *r);
void demo_rows_text(struct demo_rows *r, const char *s);
void demo_rows_date(struct demo_rows *r, struct date d);
void demo_rows_end(struct demo_rows *r);                /* the row is complete */

/* INSERTs every row: `many` (nmany rows per statement) while enough are left, then `one` per
 * row. Fails with ERR_INTERNAL "demo.row_too_large" if the text buffer hit its limit. */
int demo_rows_insert(const struct demo_rows *r, struct db_stmt *one, struct db_stmt *many,
                     int nmany, struct err *e) __attribute__((warn_unused_result));

#endif
