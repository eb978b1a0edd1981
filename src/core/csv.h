/* csv.h: writing CSV (RFC 4180) that Excel opens correctly: a UTF-8 byte-order mark first,
 * CRLF line ends, cells quoted when they hold a comma, quote or line break. Cells that start
 * with = + - @ (or a tab / carriage return) get a leading apostrophe so a spreadsheet never runs
 * them as formulas (OWASP "CSV injection"). Threads: per buf. */
#ifndef DJ_CSV_H
#define DJ_CSV_H
#include <stdbool.h>
#include <stdint.h>

struct buf;

void csv_bom(struct buf *b);
void csv_cell(struct buf *b, const char *s, bool first);     /* NULL = empty cell */
void csv_cell_i64(struct buf *b, int64_t v, bool first);
void csv_end_row(struct buf *b);

#endif
