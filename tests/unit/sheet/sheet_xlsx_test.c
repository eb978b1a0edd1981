/* sheet_xlsx_test.c: the xlsx reader on hand-built workbooks: shared, rich and inline strings,
 * booleans, errors, formulas, date styles in both date systems, merged ranges, sparse cells and
 * real row numbers; and on hostile input: DOCTYPE/entities, zip bombs, truncated zips, files
 * that are not spreadsheets, and every limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "core/buf.h"
#include "core/err.h"
#include "sheet/sheet.h"
#include "sheet_fixture.h"

#define SHEET_OPEN "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">" \
                   "<dimension ref=\"A1:F8\"/><sheetData>"

static const char MAIN_SHEET[] =
    SHEET_OPEN
    "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>3</v></c>"
    "<c r=\"C1\" t=\"inlineStr\"><is><t>支部</t></is></c><c r=\"D1\" t=\"inlineStr\"><is><t>入党日期</t></is></c>"
    "<c r=\"E1\" t=\"inlineStr\"><is><t>公民身份号码</t></is></c><c r=\"F1\" t=\"inlineStr\"><is><t>备注</t></is></c></row>"
    "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>1</v></c><c r=\"B2\" t=\"b\"><v>1</v></c><c r=\"C2\" t=\"s\"><v>2</v></c>"
    "<c r=\"D2\" s=\"1\"><v>43835</v></c><c r=\"E2\" t=\"inlineStr\"><is><t>110101199003071234</t></is></c>"
    "<c r=\"F2\"><f>1+2</f><v>3</v></c></row>"
    "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>１２３ＡＢ</t></is></c><c r=\"D3\" s=\"2\"><v>43836.75</v></c>"
    "<c r=\"E3\" t=\"e\"><f>VLOOKUP(1,A:A,2)</f><v>#N/A</v></c>"
    "<c r=\"F3\" t=\"str\"><f>A1&amp;\"x\"</f><v>姓名x</v></c></row>"
    "<row r=\"7\"><c r=\"B7\"><v>0.30000000000000004</v></c><c r=\"D7\" s=\"3\"><v>0.5</v></c>"
    "<c r=\"E7\" s=\"5\"><v>1.25</v></c><c r=\"F7\"><v>13800138000</v></c></row>"
    "<row r=\"8\" spans=\"1:3\"><c r=\"A8\" s=\"4\"/></row>"
    "</sheetData><mergeCells count=\"1\"><mergeCell ref=\"C2:C7\"/></mergeCells></worksheet>";

static struct sheet_reader *open_buf(const struct buf *b, const struct sheet_limits *lim)
{
    struct sheet_reader *r = NULL;
    struct err e = ERR_INIT;
    if (sheet_open_mem(b->data, b->len, lim, &r, &e) != 0)
        fail_msg("open: %s (%s)", e.message, e.detail);
    return r;
}

static void expect_cell(const struct sheet_row *row, uint32_t col, const char *value,
                        unsigned flags)
{
    assert_true(col < row->ncells);
    assert_string_equal(row->cells[col].value, value);
    assert_int_equal(row->cells[col].flags, flags);
}

static void next(struct sheet_reader *r, struct sheet_row *row, uint32_t number)
{
    struct err e = ERR_INIT;
    int rc = sheet_next_row(r, row, &e);
    if (rc != 1)
        fail_msg("row %u: rc %d %s (%s)", number, rc, e.message, e.detail);
    assert_int_equal(row->number, number);
}

static void the_first_sheet_reads_with_every_cell_type(void **state)
{
    (void)state;
    struct buf b = BUF_INIT(1 << 20);
    fx_xlsx(MAIN_SHEET, false, NULL, NULL, &b);
    struct sheet_reader *r = open_buf(&b, NULL);
    assert_int_equal(sheet_reader_format(r), SHEET_XLSX);
    struct sheet_row row;
    struct err e = ERR_INIT;

    next(r, &row, 1);
    assert_int_equal(row.ncells, 6);
    expect_cell(&row, 0, "姓名", 0);
    expect_cell(&row, 1, "性别", 0);
    expect_cell(&row, 4, "公民身份号码", 0);

    next(r, &row, 2);
    expect_cell(&row, 0, "张三", 0);                 /* rich text runs joined, phonetic skipped */
    expect_cell(&row, 1, "TRUE", SHEET_CELL_BOOL);
    expect_cell(&row, 2, "第一支部", 0);             /* trimmed value... */
    assert_string_equal(row.cells[2].raw, " 第一支部 ");   /* ...raw as stored */
    expect_cell(&row, 3, "2020-01-05", SHEET_CELL_DATE | SHEET_CELL_NUMBER);
    assert_string_equal(row.cells[3].raw, "43835");
    expect_cell(&row, 4, "110101199003071234", 0);
    expect_cell(&row, 5, "3", SHEET_CELL_FORMULA | SHEET_CELL_NUMBER);

    next(r, &row, 3);
    expect_cell(&row, 0, "１２３ＡＢ", 0);            /* full-width is the importer's call */
    expect_cell(&row, 1, "", 0);                     /* sparse: B3 absent */
    expect_cell(&row, 2, "第一支部", SHEET_CELL_MERGED);
    expect_cell(&row, 3, "2020-01-06", SHEET_CELL_DATE | SHEET_CELL_NUMBER);  /* custom 年月日 */
    expect_cell(&row, 4, "", SHEET_CELL_ERROR | SHEET_CELL_FORMULA);
    assert_string_equal(row.cells[4].raw, "#N/A");
    expect_cell(&row, 5, "姓名x", SHEET_CELL_FORMULA);

    next(r, &row, 7);                                /* real row numbers after a gap */
    expect_cell(&row, 0, "", 0);
    expect_cell(&row, 1, "0.3", SHEET_CELL_NUMBER);
    expect_cell(&row, 2, "第一支部", SHEET_CELL_MERGED);
    expect_cell(&row, 3, "0.5", SHEET_CELL_NUMBER);  /* a time is not a date */
    expect_cell(&row, 4, "1.25", SHEET_CELL_NUMBER); /* [h]:mm:ss neither */
    expect_cell(&row, 5, "13800138000", SHEET_CELL_NUMBER);

    next(r, &row, 8);
    assert_true(sheet_row_is_blank(&row));
    assert_int_equal(sheet_next_row(r, &row, &e), 0);
    assert_int_equal(sheet_next_row(r, &row, &e), 0);
    sheet_close(r);

    struct sheet_limits lim;
    sheet_limits_default(&lim);
    lim.skip_blank_rows = true;
    r = open_buf(&b, &lim);
    int n = 0;
    while (sheet_next_row(r, &row, &e) == 1)
        n++;
    assert_int_equal(n, 4);
    sheet_close(r);
    buf_fini(&b);
}

static void the_1904_date_system_is_honoured(void **state)
{
    (void)state;
    struct buf b = BUF_INIT(1 << 20);
    fx_xlsx(SHEET_OPEN "<row><c s=\"1\"><v>42373</v></c><c s=\"1\"><v>0</v></c></row></sheetData></worksheet>",
            true, NULL, NULL, &b);
    struct sheet_reader *r = open_buf(&b, NULL);
    struct sheet_row row;
    next(r, &row, 1);                                /* rows and cells without r= count on */
    expect_cell(&row, 0, "2020-01-05", SHEET_CELL_DATE | SHEET_CELL_NUMBER);
    expect_cell(&row, 1, "1904-01-01", SHEET_CELL_DATE | SHEET_CELL_NUMBER);
    sheet_close(r);
    buf_fini(&b);
}

static void merged_ranges_fill_every_covered_cell(void **state)
{
    (void)state;
    struct buf b = BUF_INIT(1 << 20);
    fx_xlsx(SHEET_OPEN
            "<row r=\"2\"><c r=\"B2\" t=\"inlineStr\"><is><t>机关党委</t></is></c><c r=\"D2\" t=\"inlineStr\"><is><t>own</t></is></c></row>"
            "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>x</t></is></c></row>"
            "<row r=\"5\"><c r=\"A5\" t=\"inlineStr\"><is><t>y</t></is></c></row>"
            "</sheetData><mergeCells><mergeCell ref=\"B2:D3\"/><mergeCell ref=\"bad\"/></mergeCells></worksheet>",
            false, NULL, NULL, &b);
    struct sheet_reader *r = open_buf(&b, NULL);
    struct sheet_row row;
    next(r, &row, 2);
    expect_cell(&row, 1, "机关党委", 0);
    expect_cell(&row, 2, "机关党委", SHEET_CELL_MERGED);
    expect_cell(&row, 3, "own", 0);                  /* a value of its own wins */
    next(r, &row, 3);
    expect_cell(&row, 0, "x", 0);
    expect_cell(&row, 1, "机关党委", SHEET_CELL_MERGED);
    expect_cell(&row, 3, "机关党委", SHEET_CELL_MERGED);
    next(r, &row, 5);
    assert_int_equal(row.ncells, 1);                 /* the range ended at row 3 */
    sheet_close(r);
    buf_fini(&b);
}

/* Opens b and reads to the end; returns the message key of the first failure ("" if none). */
static const char *read_error(const struct buf *b, const struct sheet_limits *lim, char *key)
{
    struct sheet_reader *r = NULL;
    struct err e = ERR_INIT;
    struct sheet_row row;
    key[0] = '\0';
    if (sheet_open_mem(b->data, b->len, lim, &r, &e) == 0) {
        int rc;
        while ((rc = sheet_next_row(r, &row, &e)) == 1)
            ;
        sheet_close(r);
        if (rc == 0)
            return key;
    }
    snprintf(key, 128, "%s", e.message);
    return key;
}

#define BILLION_LAUGHS "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">" \
    "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">" \
    "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"

static void doctype_and_entities_are_refused_everywhere(void **state)
{
    (void)state;
    char key[128];
    struct buf b = BUF_INIT(1 << 20);
    fx_xlsx(MAIN_SHEET, false, BILLION_LAUGHS "<sst><si><t>&lol3;</t></si></sst>", NULL, &b);
    assert_string_equal(read_error(&b, NULL, key), "sheet.xml_doctype");
    buf_reset(&b);
    fx_xlsx(BILLION_LAUGHS "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&lol3;</t></is></c>"
            "</row></sheetData></worksheet>", false, NULL, NULL, &b);
    assert_string_equal(read_error(&b, NULL, key), "sheet.xml_doctype");
    buf_reset(&b);
    fx_xlsx(MAIN_SHEET, false, NULL, "<?xml version=\"1.0\"?><!DOCTYPE s [<!ENTITY x SYSTEM "
            "\"file:///etc/passwd\">]><styleSheet>&x;</styleSheet>", &b);
    assert_string_equal(read_error(&b, NULL, key), "sheet.xml_doctype");
    buf_fini(&b);
}

/* A zip whose sheet entry is `size` zero bytes, deflated while streaming. */
static void zeros_zip(size_t size, struct buf *out)
{
    char *path = fx_tmpname(".xlsx");
    zipFile z = zipOpen(path, APPEND_STATUS_CREATE);
    assert_non_null(z);
    struct buf wb = BUF_INIT(1 << 20);
    fx_xlsx("<worksheet/>", false, NULL, NULL, &wb);   /* reuse its small parts */
    buf_fini(&wb);
    static const char *names[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels"};
    static const char *data[] = {
        "<workbook><sheets><sheet r:id=\"rId1\"/></sheets></workbook>",
        "<Relationships><Relationship Id=\"rId1\" Type=\"x/worksheet\" "
        "Target=\"worksheets/sheet1.xml\"/></Relationships>"};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(zipOpenNewFileInZip(z, names[i], NULL, NULL, 0, NULL, 0, NULL,
                                             Z_DEFLATED, 9), ZIP_OK);
        assert_int_equal(zipWriteInFileInZip(z, data[i], (unsigned)strlen(data[i])), ZIP_OK);
        assert_int_equal(zipCloseFileInZip(z), ZIP_OK);
    }
    assert_int_equal(zipOpenNewFileInZip64(z, "xl/worksheets/sheet1.xml", NULL, NULL, 0, NULL, 0,
                                           NULL, Z_DEFLATED, 9, 1), ZIP_OK);
    static char zeros[1 << 20];
    for (size_t done = 0; done < size; done += sizeof zeros)
        assert_int_equal(zipWriteInFileInZip(z, zeros, sizeof zeros), ZIP_OK);
    assert_int_equal(zipCloseFileInZip(z), ZIP_OK);
    assert_int_equal(zipClose(z, NULL), ZIP_OK);
    fx_slurp(path, out);
    unlink(path);
    free(path);
}

static void zip_bombs_are_refused_by_size_and_by_ratio(void **state)
{
    (void)state;
    char key[128];
    struct buf b = BUF_INIT(64 << 20);
    zeros_zip((size_t)300 << 20, &b);               /* 300 MB of zeros in ~300 KB */
    assert_true(b.len < (2u << 20));
    assert_string_equal(read_error(&b, NULL, key), "sheet.zip_bomb");
    buf_reset(&b);
    zeros_zip((size_t)20 << 20, &b);                /* under the size cap, but 1000:1 */
    assert_string_equal(read_error(&b, NULL, key), "sheet.zip_bomb");
    buf_fini(&b);
}

static void truncated_zips_fail_cleanly_at_every_cut(void **state)
{
    (void)state;
    struct buf b = BUF_INIT(1 << 20);
    fx_xlsx(MAIN_SHEET, false, NULL, NULL, &b);
    char key[128];
    /* Every cut: near the end byte by byte. Cutting only trailing zero bytes of the end
     * record (the comment length, the high bytes of the directory offset) loses nothing,
     * and minizip reads such a file correctly, so that alone may succeed. */
    for (size_t cut = 4; cut < b.len; cut += cut < b.len - 64 ? 7 : 1) {
        struct buf part = {b.data, cut, cut, cut, false};
        read_error(&part, NULL, key);
        bool only_zeros_cut = true;
        for (size_t i = cut; i < b.len; i++)
            only_zeros_cut = only_zeros_cut && b.data[i] == 0;
        if (only_zeros_cut && key[0] == '\0')
            continue;
        if (strcmp(key, "sheet.corrupt") != 0 && strcmp(key, "sheet.not_xlsx") != 0)
            fail_msg("cut at %zu of %zu: \"%s\"", cut, b.len, key);
    }
    /* One flipped byte in the middle of the deflated data: a CRC or inflate error. */
    b.data[b.len / 2] ^= 0x55;
    read_error(&b, NULL, key);
    buf_fini(&b);
}

static void files_that_are_no_spreadsheet_say_what_to_do(void **state)
{
    (void)state;
    char key[128];
    struct { const char *data; size_t len; const char *key; } cases[] = {
        {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0", 12, "sheet.xls_unsupported"},
        {"%PDF-1.7\n%\xE2\xE3", 12, "sheet.not_spreadsheet"},
        {"\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16, "sheet.not_spreadsheet"},
        {"<html><table><tr><td>1</td></tr></table></html>", 47, "sheet.not_spreadsheet"},
        {"\x01\x02\x03\0\xFF\xFE\x10", 7, "sheet.not_spreadsheet"},
        {"", 0, "sheet.empty"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf b = {(char *)cases[i].data, cases[i].len, cases[i].len, cases[i].len, false};
        assert_string_equal(read_error(&b, NULL, key), cases[i].key);
    }
    struct buf b = BUF_INIT(1 << 20);
    struct fx_entry docx[] = {{"word/document.xml", "<w:document/>", 0}};
    fx_zip(docx, 1, &b);
    assert_string_equal(read_error(&b, NULL, key), "sheet.not_xlsx");
    buf_fini(&b);
}

static void a_100_mb_file_is_too_large_before_it_is_read(void **state)
{
    (void)state;
    char *path = fx_tmpname(".xlsx");
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)100 << 20), 0);   /* sparse: costs no disk */
    close(fd);
    struct sheet_reader *r = NULL;
    struct err e = ERR_INIT;
    assert_int_equal(sheet_open_file(path, NULL, &r, &e), -1);
    assert_string_equal(e.message, "sheet.too_large");
    assert_int_equal(e.code, ERR_TOO_LARGE);
    unlink(path);
    free(path);
    err_clear(&e);
    assert_int_equal(sheet_open_file("no/such/file.xlsx", NULL, &r, &e), -1);
    assert_string_equal(e.message, "sheet.cannot_open");
}

static void limits_on_columns_rows_cells_and_strings(void **state)
{
    (void)state;
    char key[128];
    struct sheet_limits lim;
    sheet_limits_default(&lim);
    struct buf b = BUF_INIT(1 << 20);
    fx_xlsx(SHEET_OPEN "<row r=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"HZ1\"><v>1</v></c></row></sheetData></worksheet>",
            false, NULL, NULL, &b);
    assert_string_equal(read_error(&b, NULL, key), "sheet.too_many_columns");
    buf_reset(&b);
    fx_xlsx(SHEET_OPEN "<row r=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"XFD1\" s=\"4\"/></row></sheetData></worksheet>",
            false, NULL, NULL, &b);
    assert_string_equal(read_error(&b, NULL, key), "");     /* styled empty cells are fine */
    buf_reset(&b);
    fx_xlsx(SHEET_OPEN "<row r=\"2000000\"><c r=\"A2000000\"><v>1</v></c></row></sheetData></worksheet>",
            false, NULL, NULL, &b);
    assert_string_equal(read_error(&b, NULL, key), "sheet.too_many_rows");
    buf_reset(&b);
    lim.max_cell_chars = 4;
    fx_xlsx(SHEET_OPEN "<row><c t=\"inlineStr\"><is><t>党员党员党</t></is></c></row></sheetData></worksheet>",
            false, NULL, NULL, &b);
    assert_string_equal(read_error(&b, &lim, key), "sheet.cell_too_long");
    buf_reset(&b);
    sheet_limits_default(&lim);
    lim.max_shared_strings = 3;
    fx_xlsx(MAIN_SHEET, false, NULL, NULL, &b);
    assert_string_equal(read_error(&b, &lim, key), "sheet.too_many_strings");
    buf_reset(&b);
    fx_xlsx(SHEET_OPEN "<row><c t=\"s\"><v>99</v></c></row></sheetData></worksheet>", false, NULL,
            NULL, &b);
    assert_string_equal(read_error(&b, NULL, key), "sheet.corrupt");   /* no such string */
    buf_reset(&b);
    fx_xlsx(SHEET_OPEN "<row r=\"3\"/><row r=\"2\"/></sheetData></worksheet>", false, NULL, NULL, &b);
    assert_string_equal(read_error(&b, NULL, key), "sheet.corrupt");   /* rows go down */
    buf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_first_sheet_reads_with_every_cell_type),
        cmocka_unit_test(the_1904_date_system_is_honoured),
        cmocka_unit_test(merged_ranges_fill_every_covered_cell),
        cmocka_unit_test(doctype_and_entities_are_refused_everywhere),
        cmocka_unit_test(zip_bombs_are_refused_by_size_and_by_ratio),
        cmocka_unit_test(truncated_zips_fail_cleanly_at_every_cut),
        cmocka_unit_test(files_that_are_no_spreadsheet_say_what_to_do),
        cmocka_unit_test(a_100_mb_file_is_too_large_before_it_is_read),
        cmocka_unit_test(limits_on_columns_rows_cells_and_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
