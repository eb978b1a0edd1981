/* csv.c: CSV cells and rows (see csv.h). */
#include "core/csv.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"

void csv_bom(struct buf *b)
{
    buf_add(b, "\xEF\xBB\xBF", 3);
}

void csv_cell(struct buf *b, const char *s, bool first)
{
    if (!first)
        buf_addc(b, ',');
    if (s == NULL || *s == '\0')
        return;
    bool formula = strchr("=+-@\t\r", s[0]) != NULL;
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        buf_addc(b, '"');
    if (formula)
        buf_addc(b, '\'');
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '"')
            buf_addc(b, '"');
        buf_addc(b, *p);
    }
    if (quote)
        buf_addc(b, '"');
}

void csv_cell_i64(struct buf *b, int64_t v, bool first)
{
    /* Numbers are ours, not user text: written bare (a "-42" is not a formula). */
    if (!first)
        buf_addc(b, ',');
    buf_addf(b, "%" PRId64, v);
}

void csv_end_row(struct buf *b)
{
    buf_add(b, "\r\n", 2);
}
