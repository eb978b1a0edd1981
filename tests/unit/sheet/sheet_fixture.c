/* sheet_fixture.c: see sheet_fixture.h. */
#include "sheet_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "core/buf.h"
#include "core/xalloc.h"

char *fx_tmpname(const char *suffix)
{
    const char *dir = getenv("TMPDIR");
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s/dj-sheet-XXXXXX", dir != NULL && *dir ? dir : P_tmpdir);
    int fd = mkstemp(tmpl);
    if (fd < 0)
        abort();
    close(fd);
    unlink(tmpl);
    size_t n = strlen(tmpl) + strlen(suffix) + 1;
    char *p = xmalloc(n);
    snprintf(p, n, "%s%s", tmpl, suffix);
    return p;
}

void fx_slurp(const char *path, struct buf *out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        abort();
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(out, chunk, n);
    fclose(f);
}

void fx_zip(const struct fx_entry *ents, size_t n, struct buf *out)
{
    char *path = fx_tmpname(".zip");
    zipFile z = zipOpen(path, APPEND_STATUS_CREATE);
    if (z == NULL)
        abort();
    for (size_t i = 0; i < n; i++) {
        size_t len = ents[i].len ? ents[i].len : strlen(ents[i].data);
        if (zipOpenNewFileInZip(z, ents[i].name, NULL, NULL, 0, NULL, 0, NULL, Z_DEFLATED,
                                Z_DEFAULT_COMPRESSION) != ZIP_OK ||
            zipWriteInFileInZip(z, ents[i].data, (unsigned)len) != ZIP_OK ||
            zipCloseFileInZip(z) != ZIP_OK)
            abort();
    }
    if (zipClose(z, NULL) != ZIP_OK)
        abort();
    fx_slurp(path, out);
    unlink(path);
    free(path);
}

static const char WORKBOOK[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<workbookPr%s/><sheets><sheet name=\"党员\" sheetId=\"1\" r:id=\"rId7\"/>"
    "<sheet name=\"其他\" sheetId=\"2\" r:id=\"rId8\"/></sheets></workbook>";

static const char RELS[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId8\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/worksheet\" Target=\"worksheets/sheet2.xml\"/>"
    "<Relationship Id=\"rId7\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/worksheet\" Target=\"/xl/worksheets/data.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/styles\" Target=\"styles.xml\"/></Relationships>";

static const char STYLES[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"[h]:mm:ss\"/></numFmts>"
    "<cellXfs count=\"6\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/>"
    "<xf numFmtId=\"20\"/><xf numFmtId=\"49\"/><xf numFmtId=\"165\"/></cellXfs></styleSheet>";

static const char SST[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"4\">"
    "<si><t>姓名</t></si>"
    "<si><r><rPr><b/></rPr><t>张</t></r><r><t xml:space=\"preserve\">三</t></r>"
    "<rPh sb=\"0\" eb=\"1\"><t>zhang</t></rPh></si>"
    "<si><t xml:space=\"preserve\"> 第一支部 </t></si>"
    "<si><t>性别</t></si></sst>";

void fx_xlsx(const char *sheet_xml, bool date1904, const char *sst, const char *styles,
             struct buf *out)
{
    char wb[sizeof WORKBOOK + 32];
    snprintf(wb, sizeof wb, WORKBOOK, date1904 ? " date1904=\"1\"" : "");
    struct fx_entry ents[] = {
        {"[Content_Types].xml", "<Types/>", 0},
        {"xl/workbook.xml", wb, 0},
        {"xl/_rels/workbook.xml.rels", RELS, 0},
        {"xl/styles.xml", styles != NULL ? styles : STYLES, 0},
        {"xl/sharedStrings.xml", sst != NULL ? sst : SST, 0},
        {"xl/worksheets/sheet2.xml", "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\">"
                                     "<is><t>wrong sheet</t></is></c></row></sheetData></worksheet>", 0},
        {"xl/worksheets/data.xml", sheet_xml, 0},
    };
    fx_zip(ents, sizeof ents / sizeof ents[0], out);
}
