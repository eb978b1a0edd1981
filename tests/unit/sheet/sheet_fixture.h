/* sheet_fixture.h: test inputs built in the tests themselves: zips from named entries (minizip's
 * zip.h, through a temp file), a small xlsx around a given worksheet XML, and files written by
 * our own writer. Test-only. */
#ifndef DJ_SHEET_FIXTURE_H
#define DJ_SHEET_FIXTURE_H
#include <stdbool.h>
#include <stddef.h>

struct buf;

struct fx_entry {
    const char *name;
    const char *data;
    size_t len;                         /* 0 = strlen(data) */
};

/* Zips the entries (deflated) into out. */
void fx_zip(const struct fx_entry *ents, size_t n, struct buf *out);
/* A one-sheet xlsx: workbook (date1904 as asked), rels, styles (xf 1 = built-in date 14,
 * xf 2 = custom yyyy"年"m"月"d"日", xf 3 = time h:mm, xf 4 = text), shared strings
 * ("姓名", rich text 张+三 with a phonetic run, " 第一支部 ", "性别") and the sheet's XML.
 * Any of sst/styles may be replaced (NULL = the standard one). */
void fx_xlsx(const char *sheet_xml, bool date1904, const char *sst, const char *styles,
             struct buf *out);
/* A temp file path (caller frees and unlinks). */
char *fx_tmpname(const char *suffix);
/* Reads a whole file into out. */
void fx_slurp(const char *path, struct buf *out);

#endif
