/* sheet_xlsx_parts.c: the parts of an xlsx read once at open (see sheet_xlsx.h).
 *
 *   xl/workbook.xml            the first <sheet>'s r:id, and workbookPr date1904
 *   xl/_rels/workbook.xml.rels that id's target, and the sharedStrings and styles targets
 *   styles.xml                 which cellXfs entries format numbers as dates
 *   sharedStrings.xml          every <si> (plain <t>, or rich-text runs <r><t> joined; the
 *                              phonetic guide <rPh> skipped), held in one buffer
 *   the worksheet              a first pass for <mergeCell> ranges, which Excel writes after
 *                              the rows; taken only when the raw bytes mention "mergeCell"
 *
 * Date styles: built-in formats 14-17 and 22 (Excel's date and date-time), the zh-CN built-ins
 * 27-31, 36, 50-54, 57-58, and any custom format with a y or d outside quotes, brackets and
 * escapes. Time-only formats (h:mm, mm:ss, [h]:mm) are not dates: they stay numbers. */
#define _GNU_SOURCE                     /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "sheet/sheet_xlsx.h"

#define MAX_STYLES 65536
#define MAX_NUMFMTS 4096

/* ---- workbook.xml and its rels ---- */

struct wb_ctx {
    struct sheet_xlsx *x;
    struct sheet_xml_fail fail;
    char rid[128];
    bool have_sheet;
};

static void XMLCALL wb_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    XML_Parser p = ud;
    struct wb_ctx *c = XML_GetUserData(p);
    const char *n = sheet_xml_local(name);
    if (strcmp(n, "workbookPr") == 0) {
        const char *v = sheet_xml_attr(atts, "date1904");
        c->x->date1904 = v != NULL && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
    } else if (strcmp(n, "sheet") == 0 && !c->have_sheet) {
        const char *id = sheet_xml_attr(atts, "id");
        if (id == NULL || strlen(id) >= sizeof c->rid) {
            sheet_xml_stop(p, &c->fail, "sheet.corrupt");
            return;
        }
        memcpy(c->rid, id, strlen(id) + 1);
        c->have_sheet = true;
    }
}

/* "worksheets/sheet1.xml" -> "xl/worksheets/sheet1.xml"; "/xl/a.xml" -> "xl/a.xml". */
static bool resolve(char out[XLSX_PATH_MAX], const char *target)
{
    int n;
    if (target[0] == '/')
        n = snprintf(out, XLSX_PATH_MAX, "%s", target + 1);
    else
        n = snprintf(out, XLSX_PATH_MAX, "xl/%s", target);
    return n > 0 && n < XLSX_PATH_MAX;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    XML_Parser p = ud;
    struct wb_ctx *c = XML_GetUserData(p);
    if (strcmp(sheet_xml_local(name), "Relationship") != 0)
        return;
    const char *id = sheet_xml_attr(atts, "Id"), *target = sheet_xml_attr(atts, "Target");
    const char *type = sheet_xml_attr(atts, "Type");
    if (id == NULL || target == NULL || type == NULL)
        return;
    char *dst = NULL;
    if (strcmp(id, c->rid) == 0)
        dst = c->x->sheet_path;
    else if (ends_with(type, "/sharedStrings"))
        dst = c->x->sst_path;
    else if (ends_with(type, "/styles"))
        dst = c->x->styles_path;
    if (dst != NULL && !resolve(dst, target))
        sheet_xml_stop(p, &c->fail, "sheet.corrupt");
}

static int parse_with(struct sheet_xlsx *x, const char *entry, void *ud,
                      struct sheet_xml_fail *fail, XML_StartElementHandler start,
                      XML_EndElementHandler end, XML_CharacterDataHandler chars, struct err *e)
{
    XML_Parser p = sheet_xml_create(ud, fail);
    if (p == NULL)
        return err_set(e, ERR_INTERNAL, "sheet.corrupt");
    XML_SetElementHandler(p, start, end);
    if (chars != NULL)
        XML_SetCharacterDataHandler(p, chars);
    int rc = sheet_xml_parse_entry(x->zip, entry, p, fail, e);
    XML_ParserFree(p);
    return rc;
}

static int read_workbook(struct sheet_xlsx *x, struct err *e)
{
    struct wb_ctx c = {.x = x};
    if (!sheet_zip_has(x->zip, "xl/workbook.xml"))
        return err_set(e, ERR_INVALID, "sheet.not_xlsx");
    if (parse_with(x, "xl/workbook.xml", &c, &c.fail, wb_start, NULL, NULL, e) != 0)
        return -1;
    if (!c.have_sheet)
        return err_set(e, ERR_INVALID, "sheet.corrupt");
    if (parse_with(x, "xl/_rels/workbook.xml.rels", &c, &c.fail, rels_start, NULL, NULL, e) != 0)
        return -1;
    if (x->sheet_path[0] == '\0')
        return err_set(e, ERR_INVALID, "sheet.corrupt");
    return 0;
}

/* ---- styles.xml ---- */

static bool builtin_date(unsigned id)
{
    return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 31) || id == 36 ||
           (id >= 50 && id <= 54) || id == 57 || id == 58;
}

/* A custom number format shows a date when it has y or d outside "quotes", [brackets] and
 * escapes (\x, _x, *x). m alone is ambiguous (month or minute) and does not count. */
static bool format_is_date(const char *f)
{
    for (const char *p = f; *p != '\0'; p++) {
        if (*p == '"') {
            p = strchr(p + 1, '"');
            if (p == NULL)
                return false;
        } else if (*p == '[') {
            p = strchr(p + 1, ']');
            if (p == NULL)
                return false;
        } else if (*p == '\\' || *p == '_' || *p == '*') {
            if (*++p == '\0')
                return false;
        } else if (*p == 'y' || *p == 'Y' || *p == 'd' || *p == 'D' || *p == 'e') {
            return true;
        } else if (*p == ';') {
            return false;               /* the first section decides */
        }
    }
    return false;
}

struct styles_ctx {
    struct sheet_xlsx *x;
    struct sheet_xml_fail fail;
    unsigned custom[MAX_NUMFMTS];       /* custom date format ids */
    uint32_t ncustom;
    bool in_xfs;
    uint32_t cap;
};

static bool custom_date(const struct styles_ctx *c, unsigned id)
{
    for (uint32_t i = 0; i < c->ncustom; i++)
        if (c->custom[i] == id)
            return true;
    return false;
}

static void XMLCALL styles_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    XML_Parser p = ud;
    struct styles_ctx *c = XML_GetUserData(p);
    struct sheet_xlsx *x = c->x;
    const char *n = sheet_xml_local(name);
    if (strcmp(n, "numFmt") == 0) {
        const char *id = sheet_xml_attr(atts, "numFmtId"), *code = sheet_xml_attr(atts, "formatCode");
        if (id != NULL && code != NULL && format_is_date(code) && c->ncustom < MAX_NUMFMTS)
            c->custom[c->ncustom++] = (unsigned)strtoul(id, NULL, 10);
    } else if (strcmp(n, "cellXfs") == 0) {
        c->in_xfs = true;
    } else if (strcmp(n, "xf") == 0 && c->in_xfs) {
        if (x->nxf >= MAX_STYLES) {
            sheet_xml_stop(p, &c->fail, "sheet.corrupt");
            return;
        }
        if (x->nxf == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 64;
            x->xf_date = xrealloc(x->xf_date, c->cap * sizeof *x->xf_date);
        }
        const char *id = sheet_xml_attr(atts, "numFmtId");
        unsigned fid = id != NULL ? (unsigned)strtoul(id, NULL, 10) : 0;
        x->xf_date[x->nxf++] = builtin_date(fid) || custom_date(c, fid);
    }
}

static void XMLCALL styles_end(void *ud, const XML_Char *name)
{
    struct styles_ctx *c = XML_GetUserData((XML_Parser)ud);
    if (strcmp(sheet_xml_local(name), "cellXfs") == 0)
        c->in_xfs = false;
}

static int read_styles(struct sheet_xlsx *x, struct err *e)
{
    if (x->styles_path[0] == '\0' || !sheet_zip_has(x->zip, x->styles_path))
        return 0;                       /* no styles: no dates, every number stays a number */
    struct styles_ctx *c = xcalloc(1, sizeof *c);
    c->x = x;
    int rc = parse_with(x, x->styles_path, c, &c->fail, styles_start, styles_end, NULL, e);
    free(c);
    return rc;
}

/* ---- sharedStrings.xml ---- */

struct sst_ctx {
    struct sheet_xlsx *x;
    struct sheet_xml_fail fail;
    bool in_si, in_t;
    int rph;
    size_t start;                       /* offset of the current string */
};

static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    (void)atts;
    XML_Parser p = ud;
    struct sst_ctx *c = XML_GetUserData(p);
    struct sheet_xlsx *x = c->x;
    const char *n = sheet_xml_local(name);
    if (strcmp(n, "si") == 0) {
        if (x->nsst >= x->lim->max_shared_strings) {
            sheet_xml_stop(p, &c->fail, "sheet.too_many_strings");
            return;
        }
        c->in_si = true;
        c->start = x->sst_text.len;
    } else if (strcmp(n, "rPh") == 0) {
        c->rph++;
    } else if (strcmp(n, "t") == 0 && c->in_si && c->rph == 0) {
        c->in_t = true;
    }
}

static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
    XML_Parser p = ud;
    struct sst_ctx *c = XML_GetUserData(p);
    struct sheet_xlsx *x = c->x;
    const char *n = sheet_xml_local(name);
    if (strcmp(n, "t") == 0) {
        c->in_t = false;
    } else if (strcmp(n, "rPh") == 0) {
        c->rph--;
    } else if (strcmp(n, "si") == 0 && c->in_si) {
        c->in_si = false;
        buf_add(&x->sst_text, "\0", 1);           /* the separator */
        if (buf_failed(&x->sst_text)) {
            sheet_xml_stop(p, &c->fail, "sheet.zip_bomb");
            return;
        }
        const char *s = x->sst_text.data + c->start;
        if (sheet_too_long(s, x->sst_text.len - 1 - c->start, x->lim->max_cell_chars)) {
            sheet_xml_stop(p, &c->fail, "sheet.cell_too_long");
            return;
        }
        if (x->nsst == x->sst_cap) {
            x->sst_cap = x->sst_cap ? x->sst_cap * 2 : 1024;
            x->sst_off = xrealloc(x->sst_off, x->sst_cap * sizeof *x->sst_off);
        }
        x->sst_off[x->nsst++] = c->start;
    }
}

static void XMLCALL sst_chars(void *ud, const XML_Char *s, int len)
{
    struct sst_ctx *c = XML_GetUserData((XML_Parser)ud);
    if (c->in_t)
        buf_add(&c->x->sst_text, s, (size_t)len);
}

static int read_sst(struct sheet_xlsx *x, struct err *e)
{
    if (x->sst_path[0] == '\0' || !sheet_zip_has(x->zip, x->sst_path))
        return 0;
    struct sst_ctx c = {.x = x};
    return parse_with(x, x->sst_path, &c, &c.fail, sst_start, sst_end, sst_chars, e);
}

int xlsx_read_parts(struct sheet_xlsx *x, struct err *e)
{
    if (read_workbook(x, e) != 0 || read_styles(x, e) != 0 || read_sst(x, e) != 0)
        return -1;
    if (!sheet_zip_has(x->zip, x->sheet_path))
        return err_set(e, ERR_INVALID, "sheet.corrupt");
    return 0;
}

/* ---- merged ranges ---- */

/* "B3" -> column 1, row 3. 0 ok, -1 malformed. */
static int parse_ref(const char **s, uint32_t *col, uint32_t *row)
{
    const char *p = *s;
    uint32_t c = 0, r = 0;
    int letters = 0, digits = 0;
    for (; *p >= 'A' && *p <= 'Z' && letters < 3; p++, letters++)
        c = c * 26 + (uint32_t)(*p - 'A' + 1);
    for (; *p >= '0' && *p <= '9' && digits < 7; p++, digits++)
        r = r * 10 + (uint32_t)(*p - '0');
    if (letters == 0 || digits == 0 || r == 0)
        return -1;
    *col = c - 1;
    *row = r;
    *s = p;
    return 0;
}

struct merge_ctx {
    struct sheet_xlsx *x;
    struct sheet_xml_fail fail;
    uint32_t cap;
};

static void XMLCALL merge_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    XML_Parser p = ud;
    struct merge_ctx *c = XML_GetUserData(p);
    struct sheet_xlsx *x = c->x;
    if (strcmp(sheet_xml_local(name), "mergeCell") != 0)
        return;
    const char *ref = sheet_xml_attr(atts, "ref");
    struct xlsx_merge m = {0};
    if (ref == NULL || parse_ref(&ref, &m.c1, &m.r1) != 0 || *ref++ != ':' ||
        parse_ref(&ref, &m.c2, &m.r2) != 0 || *ref != '\0' || m.r2 < m.r1 || m.c2 < m.c1)
        return;                         /* a range we cannot read is ignored, like Excel */
    if (x->nmerges >= x->lim->max_merges) {
        sheet_xml_stop(p, &c->fail, "sheet.too_many_merges");
        return;
    }
    if (x->nmerges == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        x->merges = xrealloc(x->merges, c->cap * sizeof *x->merges);
    }
    x->merges[x->nmerges++] = m;
}

static int merge_cmp(const void *a, const void *b)
{
    const struct xlsx_merge *m = a, *n = b;
    if (m->r1 != n->r1)
        return m->r1 < n->r1 ? -1 : 1;
    return m->c1 < n->c1 ? -1 : m->c1 > n->c1;
}

/* Scans the worksheet's bytes for "mergeCell"; 1 found, 0 not, -1 error. */
static int mentions_merges(struct sheet_xlsx *x, struct err *e)
{
    enum { CHUNK = 256 * 1024, KEEP = 8 };
    static const char needle[] = "mergeCell";
    char *buf = xmalloc(CHUNK + KEEP);
    size_t kept = 0;
    int found = 0;
    if (sheet_zip_entry_open(x->zip, x->sheet_path, e) != 0) {
        free(buf);
        return -1;
    }
    for (;;) {
        long n = sheet_zip_entry_read(x->zip, buf + kept, CHUNK, e);
        if (n < 0) {
            found = -1;
            break;
        }
        if (n == 0)
            break;
        size_t len = kept + (size_t)n;
        if (!found && memmem(buf, len, needle, sizeof needle - 1) != NULL)
            found = 1;
        kept = len < KEEP ? len : KEEP;
        memmove(buf, buf + len - kept, kept);
    }
    sheet_zip_entry_close(x->zip);
    free(buf);
    return found;
}

int xlsx_read_merges(struct sheet_xlsx *x, struct err *e)
{
    int m = mentions_merges(x, e);
    if (m <= 0)
        return m;
    struct merge_ctx c = {.x = x};
    if (parse_with(x, x->sheet_path, &c, &c.fail, merge_start, NULL, NULL, e) != 0)
        return -1;
    if (x->nmerges > 0)         /* "<mergeCell" mentioned, none parsed: merges is NULL */
        qsort(x->merges, x->nmerges, sizeof *x->merges, merge_cmp);
    x->active = xmalloc((x->nmerges ? x->nmerges : 1) * sizeof *x->active);
    return 0;
}
