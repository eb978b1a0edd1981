/* db_rows.h: rows of values buffered in memory, then written with multi-row INSERTs (the demo
 * store, the member import): one round trip per many rows on PostgreSQL, fewer VDBE runs on
 * SQLite. Mind the bound-parameter limits: rows x columns <= 32766 (SQLite) per statement.
 * A struct db_rows holds any number of complete rows (their
 * texts in one buffer) and can be filled on one thread and written on another, never both at
 * once. Threads: one owner at a time. */
#ifndef DJ_DB_ROWS_H
#define DJ_DB_ROWS_H
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/date.h"

struct db_stmt;
struct err;

/* Placeholder lists for fixed-size IN lists (`x IN (" DB_Q128 ")`, unused places bound NULL,
 * which matches nothing): one SQL text, so one cached prepared statement. */
#define DB_Q4 "?,?,?,?"
#define DB_Q16 DB_Q4 "," DB_Q4 "," DB_Q4 "," DB_Q4
#define DB_Q64 DB_Q16 "," DB_Q16 "," DB_Q16 "," DB_Q16
#define DB_Q128 DB_Q64 "," DB_Q64

struct db_rows_val {
    int64_t i;
    uint32_t off;               /* text: offset into db_rows.text */
    uint8_t type;               /* DB_ROWS_NULL, DB_ROWS_I64, DB_ROWS_TEXT */
};

struct db_rows {
    int ncols;
    struct db_rows_val *v;         /* owned: cap * ncols */
    size_t n, cap;              /* complete rows; capacity in rows */
    int col;                    /* next column of the row being filled */
    struct buf text;            /* NUL-terminated texts of the rows */
};

void db_rows_init(struct db_rows *r, int ncols);
void db_rows_fini(struct db_rows *r);
void db_rows_reset(struct db_rows *r);              /* keeps the memory */

void db_rows_i64(struct db_rows *r, int64_t x);
void db_rows_null(struct db_rows *r);
void db_rows_text(struct db_rows *r, const char *s);
void db_rows_date(struct db_rows *r, struct date d);
void db_rows_end(struct db_rows *r);                /* the row is complete */

void db_rows_text_or_null(struct db_rows *r, const char *s);   /* NULL or "" -> NULL */

/* INSERTs every row: `many` (nmany rows per statement) while enough are left, then `one` per
 * row. Fails with ERR_INTERNAL "db.row_too_large" if the text buffer hit its limit. */
int db_rows_insert(const struct db_rows *r, struct db_stmt *one, struct db_stmt *many,
                   int nmany, struct err *e) __attribute__((warn_unused_result));
/* The same with any number of statement sizes: st[i] takes rows[i] rows, rows[] descending and
 * ending with 1 (e.g. 64, 8, 1: at most 7 + 7 single-row statements after the 64s). */
int db_rows_insert_tiers(const struct db_rows *r, struct db_stmt *const *st, const int *rows,
                         int ntiers, struct err *e) __attribute__((warn_unused_result));

#endif
