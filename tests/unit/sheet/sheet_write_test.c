/* sheet_write_test.c: what we write reads back the same: ID numbers stay text, formula-like
 * text stays text, dates round-trip, drop-downs come from a hidden sheet, CSV is guarded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <unzip.h>

#include "core/buf.h"
#include "core/err.h"
#include "sheet/sheet.h"
#include "sheet/sheet_write.h"
#include "sheet_fixture.h"

static const char *BRANCHES[300];
static char branch_names[300][32];

static const struct sheet_column COLS[] = {
    {"姓名", 0, SHEET_COL_TEXT, NULL, 0},
    {"公民身份号码", 22, SHEET_COL_TEXT, NULL, 0},
    {"入党日期", 0, SHEET_COL_DATE, NULL, 0},
    {"所在支部", 30, SHEET_COL_TEXT, BRANCHES, 300},
    {"备注", 0, SHEET_COL_TEXT, NULL, 0},
    {"人数", 0, SHEET_COL_NUMBER, NULL, 0},
};

static const char *ROWS[][6] = {
    {"张三", "110101199003071234", "2020-01-05", "第1党支部", "=1+2", "12"},
    {"李四", "110101900307123", "not a date", "第2党支部", "@SUM(A1)", "-5"},
    {"王五", "11010119900307123X", NULL, "", "+86 138", "1e400"},
    {"赵六\x01", "000123", "2021-02-28", "第300党支部", "-2", "0.5"},
};

static void setup_branches(void)
{
    for (int i = 0; i < 300; i++) {
        snprintf(branch_names[i], sizeof branch_names[i], "第%d党支部", i + 1);
        BRANCHES[i] = branch_names[i];
    }
}

static char *write_file(enum sheet_format fmt)
{
    setup_branches();
    char *path = fx_tmpname(fmt == SHEET_XLSX ? ".xlsx" : ".csv");
    static const char *notes[] = {"填写说明", "1. 日期写成 2020-01-05", "2. 支部从下拉列表选"};
    struct sheet_write_opts o = {fmt, "党员", "填写说明", notes, 3, 500};
    struct sheet_writer *w;
    struct err e = ERR_INIT;
    if (sheet_writer_open(path, &o, COLS, 6, &w, &e) != 0)
        fail_msg("open: %s %s", e.message, e.detail);
    for (size_t i = 0; i < 4; i++)
        if (sheet_writer_row(w, ROWS[i], &e) != 0)
            fail_msg("row: %s %s", e.message, e.detail);
    const char *bad[6] = {"\xFF\xFE", NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(sheet_writer_row(w, bad, &e), -1);
    assert_string_equal(e.message, "sheet.bad_text");
    assert_int_equal(sheet_writer_close(w, &e), 0);
    return path;
}

static void xlsx_round_trip_keeps_ids_text_and_dates(void **state)
{
    (void)state;
    char *path = write_file(SHEET_XLSX);
    struct sheet_reader *r;
    struct err e = ERR_INIT;
    struct sheet_row row;
    assert_int_equal(sheet_open_file(path, NULL, &r, &e), 0);
    assert_int_equal(sheet_next_row(r, &row, &e), 1);
    assert_int_equal(row.ncells, 6);
    assert_string_equal(row.cells[1].value, "公民身份号码");
    const char *want[4][6] = {
        {"张三", "110101199003071234", "2020-01-05", "第1党支部", "=1+2", "12"},
        {"李四", "110101900307123", "not a date", "第2党支部", "@SUM(A1)", "-5"},
        {"王五", "11010119900307123X", "", "", "+86 138", "1e400"},
        {"赵六", "000123", "2021-02-28", "第300党支部", "-2", "0.5"},   /* control char -> space, trimmed */
    };
    for (int i = 0; i < 4; i++) {
        assert_int_equal(sheet_next_row(r, &row, &e), 1);
        assert_int_equal(row.number, (uint32_t)i + 2);
        for (int c = 0; c < 6; c++) {
            const char *v = c < (int)row.ncells ? row.cells[c].value : "";
            if (strcmp(v, want[i][c]) != 0)
                fail_msg("row %d col %d: \"%s\" != \"%s\"", i, c, v, want[i][c]);
            if (c < (int)row.ncells)
                assert_false(row.cells[c].flags & SHEET_CELL_FORMULA);
        }
    }
    assert_true(row.cells[2].flags & SHEET_CELL_DATE);      /* a real date cell */
    assert_int_equal(sheet_next_row(r, &row, &e), 0);
    sheet_close(r);

    /* The drop-down: a list validation pointing at the hidden sheet, 300 values long. */
    unzFile z = unzOpen(path);
    assert_non_null(z);
    assert_int_equal(unzLocateFile(z, "xl/worksheets/sheet1.xml", 1), UNZ_OK);
    assert_int_equal(unzOpenCurrentFile(z), UNZ_OK);
    static char xml[1 << 16];
    int n = unzReadCurrentFile(z, xml, sizeof xml - 1);
    assert_true(n > 0);
    xml[n] = '\0';
    unzCloseCurrentFile(z);
    assert_non_null(strstr(xml, "<dataValidation type=\"list\""));
    assert_non_null(strstr(xml, "lists!$A$1:$A$300"));
    assert_non_null(strstr(xml, "sqref=\"D2:D501\""));
    assert_non_null(strstr(xml, "<pane ySplit=\"1\""));                 /* frozen header */
    assert_null(strstr(xml, "<f>"));                                   /* never a formula */
    assert_int_equal(unzLocateFile(z, "xl/workbook.xml", 1), UNZ_OK);
    assert_int_equal(unzOpenCurrentFile(z), UNZ_OK);
    n = unzReadCurrentFile(z, xml, sizeof xml - 1);
    xml[n > 0 ? n : 0] = '\0';
    unzCloseCurrentFile(z);
    assert_non_null(strstr(xml, "name=\"填写说明\""));
    assert_non_null(strstr(xml, "name=\"lists\" sheetId=\"3\" state=\"hidden\""));
    unzClose(z);
    unlink(path);
    free(path);
}

static void csv_export_reads_back_and_guards_formulas(void **state)
{
    (void)state;
    char *path = write_file(SHEET_CSV);
    struct buf b = BUF_INIT(1 << 20);
    struct err e = ERR_INIT;
    assert_int_equal(sheet_file_read(path, &b, &e), 0);
    assert_memory_equal(b.data, "\xEF\xBB\xBF", 3);
    assert_non_null(strstr(b.data, "\"'=1+2\""));
    struct sheet_reader *r;
    struct sheet_row row;
    assert_int_equal(sheet_open_mem(b.data, b.len, NULL, &r, &e), 0);
    assert_int_equal(sheet_next_row(r, &row, &e), 1);
    assert_int_equal(sheet_next_row(r, &row, &e), 1);
    assert_string_equal(row.cells[1].value, "110101199003071234");
    assert_string_equal(row.cells[4].value, "=1+2");
    assert_string_equal(row.cells[4].raw, "'=1+2");
    sheet_close(r);
    struct buf small = BUF_INIT(16);
    assert_int_equal(sheet_file_read(path, &small, &e), -1);
    assert_string_equal(e.message, "sheet.too_large");
    buf_fini(&small);
    buf_fini(&b);
    unlink(path);
    free(path);
}

static void an_unwritable_path_fails_cleanly(void **state)
{
    (void)state;
    struct sheet_write_opts o = {SHEET_CSV, NULL, NULL, NULL, 0, 0};
    struct sheet_writer *w = NULL;
    struct err e = ERR_INIT;
    assert_int_equal(sheet_writer_open("no/such/dir/x.csv", &o, COLS, 6, &w, &e), -1);
    assert_string_equal(e.message, "sheet.cannot_write");
    o.format = SHEET_XLSX;
    err_clear(&e);
    assert_int_equal(sheet_writer_open("no/such/dir/x.xlsx", &o, COLS, 6, &w, &e), 0);
    assert_int_equal(sheet_writer_close(w, &e), -1);
    assert_string_equal(e.message, "sheet.cannot_write");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(xlsx_round_trip_keeps_ids_text_and_dates),
        cmocka_unit_test(csv_export_reads_back_and_guards_formulas),
        cmocka_unit_test(an_unwritable_path_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
