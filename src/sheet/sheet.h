/* sheet.h: reading spreadsheets (xlsx and CSV) row by row, through one interface.
 *
 * The format is found from the content, never from the file name: a zip (PK\3\4) is read as
 * xlsx, text as CSV; anything else fails with a clear message key (sheet.not_spreadsheet,
 * sheet.xls_unsupported for an old OLE2 .xls, ...). Rows come out one at a time in a buffer the
 * reader reuses, so memory stays flat however long the sheet is.
 *
 * xlsx: the first worksheet (workbook.xml + its rels), streamed through expat (no DOM). Shared
 * strings (rich-text runs joined, phonetic runs skipped), inline strings, numbers, booleans,
 * errors (value "" + SHEET_CELL_ERROR), formulas (never evaluated: the cached value, flagged
 * SHEET_CELL_FORMULA), dates (by cell style, 1900 and 1904 systems) as "YYYY-MM-DD", merged
 * ranges (the top-left value copied into every cell of the range, flagged SHEET_CELL_MERGED),
 * sparse cells (missing = ""), real Excel row numbers. DOCTYPE and entity declarations are
 * refused; zip entries are inflated under size and ratio limits (zip bombs), and a damaged zip
 * is sheet.corrupt.
 * CSV: RFC 4180 (quotes, doubled quotes, line breaks in cells, CRLF/LF/CR), UTF-8 with or
 * without BOM, UTF-16 with BOM, otherwise GB18030/GBK (what Chinese Excel writes); the
 * delimiter is sniffed among , ; and tab. Row numbers are record numbers (what Excel shows).
 *
 * Every cell has `raw` (the text as stored: the shared string, the <v>, the CSV field) and
 * `value`: raw with spaces, NBSP, U+3000 and zero-width characters trimmed (sheet_norm_trim),
 * dates as ISO, booleans TRUE/FALSE, errors "". CSV values also drop the apostrophe our own
 * CSV export puts before = + - @ (core/csv.h). Full-width conversion and date parsing of text
 * are per column, so they are left to the caller (sheet_norm.h).
 * Threads: a reader belongs to one thread. */
#ifndef DJ_SHEET_H
#define DJ_SHEET_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;
struct sheet_reader;                    /* opaque */

enum sheet_format { SHEET_CSV = 1, SHEET_XLSX = 2 };

/* Bounds on everything taken from the input. sheet_limits_default() fills sane values. */
struct sheet_limits {
    size_t max_file_bytes;              /* 50 MiB: larger -> sheet.too_large */
    uint64_t max_entry_bytes;           /* 256 MiB inflated per zip entry -> sheet.zip_bomb */
    uint64_t max_total_bytes;           /* 512 MiB inflated over all entries -> sheet.zip_bomb */
    uint32_t max_ratio;                 /* 100: an entry inflating past 100x its compressed
                                         * size (once over 1 MiB) -> sheet.zip_bomb */
    uint32_t max_rows;                  /* 1,000,000 (by row number) -> sheet.too_many_rows */
    uint32_t max_cols;                  /* 200 -> sheet.too_many_columns */
    uint32_t max_cell_chars;            /* 32,767 (Excel's own) -> sheet.cell_too_long */
    uint32_t max_shared_strings;        /* 2,000,000 -> sheet.too_many_strings */
    uint32_t max_merges;                /* 100,000 merged ranges -> sheet.too_many_merges */
    bool skip_blank_rows;               /* false: blank rows are returned too */
};

void sheet_limits_default(struct sheet_limits *lim);

enum sheet_cell_flag {
    SHEET_CELL_FORMULA = 1 << 0,        /* had a formula: value is Excel's cached result */
    SHEET_CELL_ERROR = 1 << 1,          /* #N/A, #DIV/0!, ...: value "", raw the error */
    SHEET_CELL_DATE = 1 << 2,           /* a date-styled number, value "YYYY-MM-DD" */
    SHEET_CELL_MERGED = 1 << 3,         /* filled from the top-left cell of a merged range */
    SHEET_CELL_NUMBER = 1 << 4,         /* a numeric cell (xlsx) */
    SHEET_CELL_BOOL = 1 << 5,           /* a boolean cell (xlsx), value TRUE or FALSE */
};

struct sheet_cell {
    const char *value;                  /* normalized UTF-8, never NULL, "" when empty */
    const char *raw;                    /* as stored, never NULL */
    unsigned flags;                     /* enum sheet_cell_flag bits */
};

/* One row; everything points into the reader and stays valid until the next call. */
struct sheet_row {
    uint32_t number;                    /* 1-based: Excel's row number, or the CSV record */
    uint32_t ncells;                    /* up to the last cell present; cells[i] is column i */
    const struct sheet_cell *cells;
};

/* Opens a spreadsheet held in memory. `data` is borrowed and must outlive the reader. `lim`
 * NULL = defaults. Reads the workbook, rels, styles and shared strings (xlsx) or decodes the
 * text (CSV) now, so most bad input fails here. 0 ok, -1 with e filled (message sheet.*). */
int sheet_open_mem(const void *data, size_t len, const struct sheet_limits *lim,
                   struct sheet_reader **out, struct err *e) __attribute__((warn_unused_result));
/* The same for a file; refuses files over max_file_bytes before reading them. */
int sheet_open_file(const char *path, const struct sheet_limits *lim,
                    struct sheet_reader **out, struct err *e)
    __attribute__((warn_unused_result));
enum sheet_format sheet_reader_format(const struct sheet_reader *r);
/* The next row: 1 and *row filled, 0 at the end, -1 with e filled (message sheet.*, detail
 * with the row). After -1 the reader is finished; sheet_error_row() tells the row reached. */
int sheet_next_row(struct sheet_reader *r, struct sheet_row *row, struct err *e)
    __attribute__((warn_unused_result));
void sheet_close(struct sheet_reader *r);   /* NULL is fine */
/* The row number being read when sheet_next_row() failed (0 before the first row). */
uint32_t sheet_error_row(const struct sheet_reader *r);

/* True when every cell of the row is blank (sheet_norm_is_blank). */
bool sheet_row_is_blank(const struct sheet_row *row);

/* Registers the zh-CN/English texts of the sheet.* message keys (startup only). */
void sheet_register_messages(void);

#endif
