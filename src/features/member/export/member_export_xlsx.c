/* member_export_xlsx.c: the member export's row-writer for xlsx (member_export.h) over the sheet
 * writer (sheet/sheet_write.h): the first row it is given becomes the frozen header, dates are
 * real Excel dates, every other cell text (ID numbers stay whole, "=..." is never a formula). */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "features/member/export/member_export.h"
#include "sheet/sheet_write.h"

struct xlsx_ctx {
    char *path;
    bool en;
    struct sheet_writer *sw;            /* opened by the header row */
};

/* Column widths and kinds by position (member_export.c's column order). */
static const struct {
    double width;
    enum sheet_col_kind kind;
} COLS[] = {
    {10, SHEET_COL_TEXT}, {6, SHEET_COL_TEXT}, {8, SHEET_COL_TEXT}, {12, SHEET_COL_DATE},
    {6, SHEET_COL_TEXT}, {21, SHEET_COL_TEXT}, {14, SHEET_COL_TEXT}, {10, SHEET_COL_TEXT},
    {12, SHEET_COL_DATE}, {12, SHEET_COL_DATE}, {26, SHEET_COL_TEXT}, {10, SHEET_COL_TEXT},
    {18, SHEET_COL_TEXT}, {12, SHEET_COL_TEXT}, {12, SHEET_COL_TEXT}, {10, SHEET_COL_TEXT},
    {14, SHEET_COL_TEXT}, {10, SHEET_COL_TEXT},
};

static int xlsx_row(void *ctx, const char *const *cells, size_t n, struct err *e)
{
    struct xlsx_ctx *x = ctx;
    if (x->sw != NULL)
        return sheet_writer_row(x->sw, cells, e);
    struct sheet_column cols[sizeof COLS / sizeof COLS[0]];
    if (n != sizeof COLS / sizeof COLS[0])
        return err_set(e, ERR_INTERNAL, "internal");
    for (size_t i = 0; i < n; i++)
        cols[i] = (struct sheet_column){.title = cells[i], .width = COLS[i].width,
                                        .kind = COLS[i].kind};
    struct sheet_write_opts o = {.format = SHEET_XLSX,
                                 .sheet_name = x->en ? "Members" : "党员名册"};
    return sheet_writer_open(x->path, &o, cols, n, &x->sw, e);
}

struct member_sheet_writer member_xlsx_writer(const char *path, bool en)
{
    struct xlsx_ctx *x = xcalloc(1, sizeof *x);
    x->path = xstrdup(path);
    x->en = en;
    return (struct member_sheet_writer){x, xlsx_row};
}

int member_xlsx_writer_finish(struct member_sheet_writer *w, bool ok, struct err *e)
{
    struct xlsx_ctx *x = w->ctx;
    int rc = 0;
    if (x == NULL)
        return 0;
    if (ok && x->sw != NULL)
        rc = sheet_writer_close(x->sw, e);
    else
        sheet_writer_abort(x->sw);
    free(x->path);
    free(x);
    w->ctx = NULL;
    return rc;
}
