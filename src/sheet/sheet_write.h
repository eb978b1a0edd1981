/* sheet_write.h: writing a table to xlsx (libxlsxwriter) or CSV (core/csv.h) through one
 * interface: open with the columns, add rows of strings, close.
 *
 * xlsx: a bold header row frozen at the top with an auto-filter, column widths, every text
 * column formatted as text ("@") and every cell written as a string, so an ID number stays
 * 110101199003071234 (never 1.1E+17) and a cell starting with = + - @ is never a formula.
 * Date columns take "YYYY-MM-DD" and write real Excel dates shown as yyyy-mm-dd (sortable and
 * filterable in Excel; the reader turns them back into the same ISO text); anything else in a
 * date column is written as text. Columns with options get a drop-down (data validation
 * "list") whose values sit on a hidden sheet, since an inline list is capped at 255
 * characters. An optional second sheet holds notes (one line per row). Rows stream to disk
 * (libxlsxwriter's constant-memory mode), so exports of 100k rows stay small in memory.
 * CSV: UTF-8 with BOM, CRLF, the formula guard of core/csv.h; notes and drop-downs are xlsx
 * only. Threads: a writer belongs to one thread. */
#ifndef DJ_SHEET_WRITE_H
#define DJ_SHEET_WRITE_H
#include <stddef.h>
#include <stdint.h>

#include "sheet/sheet.h"

struct buf;
struct err;
struct sheet_writer;                    /* opaque */

enum sheet_col_kind { SHEET_COL_TEXT = 0, SHEET_COL_DATE, SHEET_COL_NUMBER };

struct sheet_column {
    const char *title;
    double width;                       /* in characters; 0 = fitted to the title */
    enum sheet_col_kind kind;
    const char *const *options;         /* drop-down values (xlsx), NULL = none */
    size_t noptions;
};

struct sheet_write_opts {
    enum sheet_format format;           /* SHEET_XLSX or SHEET_CSV */
    const char *sheet_name;             /* NULL = "Sheet1" (at most 31 characters) */
    const char *notes_name;             /* NULL = no notes sheet */
    const char *const *notes;           /* lines of the notes sheet */
    size_t nnotes;
    uint32_t validation_rows;           /* rows with drop-downs below the header; 0 = 10,000 */
};

/* Creates `path` with the header row. The column array is copied as needed (borrowed only
 * during the call). 0 ok, -1 (sheet.cannot_write). */
int sheet_writer_open(const char *path, const struct sheet_write_opts *opts,
                      const struct sheet_column *cols, size_t ncols, struct sheet_writer **out,
                      struct err *e) __attribute__((warn_unused_result));
/* One row: ncols cells, NULL or "" = empty. 0 ok, -1 (sheet.bad_text, sheet.cell_too_long,
 * sheet.too_many_rows, sheet.cannot_write). */
int sheet_writer_row(struct sheet_writer *w, const char *const *cells, struct err *e)
    __attribute__((warn_unused_result));
/* Finishes the file and frees w (also when it fails). 0 ok, -1 (sheet.cannot_write). */
int sheet_writer_close(struct sheet_writer *w, struct err *e) __attribute__((warn_unused_result));
/* Frees w and removes the half-written file. NULL is fine. */
void sheet_writer_abort(struct sheet_writer *w);

/* Reads a whole file (a finished export) into out, refusing more than out's limit; for HTTP
 * replies. 0 ok, -1 (sheet.cannot_open, sheet.too_large). */
int sheet_file_read(const char *path, struct buf *out, struct err *e)
    __attribute__((warn_unused_result));

#endif
