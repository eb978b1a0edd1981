/* member_export.h: exporting the members a search finds (issue 5 §5), as a sheet of text cells
 * written through a row-writer, so CSV and xlsx share the rows:
 * headers in the reader's language, code labels (code_tables) instead of codes, ID number and
 * phone masked unless revealed. Used by GET /api/v1/members/export.csv and
 * `dangjian export members`. Threads: per connection. */
#ifndef DJ_MEMBER_EXPORT_H
#define DJ_MEMBER_EXPORT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct db;
struct err;
struct member_query;

/* A sheet being written: the header row once, then one call per member. cells[i] may be NULL
 * (an empty cell). Returns 0, or -1 with e (e.g. the output is full). */
struct member_sheet_writer {
    void *ctx;
    int (*row)(void *ctx, const char *const *cells, size_t n, struct err *e);
};

/* A writer of CSV (core/csv.h: BOM, CRLF, formula-injection escaping) into out. */
struct member_sheet_writer member_csv_writer(struct buf *out);
/* A writer of an xlsx file at path (sheet/sheet_write.h; member_export_xlsx.c): the header row
 * frozen, dates as Excel dates, all else text. Always end it with member_xlsx_writer_finish:
 * ok = the export succeeded (the file is completed), else it is removed. 0 or -1 with e. */
struct member_sheet_writer member_xlsx_writer(const char *path, bool en);
int member_xlsx_writer_finish(struct member_sheet_writer *w, bool ok, struct err *e)
    __attribute__((warn_unused_result));

/* Writes the header and every member matching q (q->scope set) through w. en: English headers
 * and labels; reveal: full ID number and phone instead of the masked forms. *rows: members
 * written. */
int member_export_run(struct db *db, const struct member_query *q, bool en, bool reveal,
                      const struct member_sheet_writer *w, int64_t *rows, struct err *e)
    __attribute__((warn_unused_result));

#endif
