/* sheet_csv_test.c: CSV as Excel, WPS and people write it: RFC 4180 quoting, every line end,
 * UTF-8 with and without BOM, GB18030, UTF-16, sniffed delimiters, and clear errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "sheet/sheet.h"

/* Reads every row of s into a string "n:a|b;n:c|d;" (values) for easy comparison. */
static int read_all(const char *s, size_t len, const struct sheet_limits *lim, char *out,
                    size_t cap, struct err *e)
{
    struct sheet_reader *r;
    if (sheet_open_mem(s, len, lim, &r, e) != 0)
        return -1;
    assert_int_equal(sheet_reader_format(r), SHEET_CSV);
    struct sheet_row row;
    int rc;
    size_t used = 0;
    out[0] = '\0';
    while ((rc = sheet_next_row(r, &row, e)) == 1) {
        used += (size_t)snprintf(out + used, cap - used, "%u:", row.number);
        for (uint32_t i = 0; i < row.ncells; i++)
            used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? "|" : "",
                                     row.cells[i].value);
        used += (size_t)snprintf(out + used, cap - used, ";");
    }
    sheet_close(r);
    return rc;
}

#define CHECK_CSV(in, want)                                                                  \
    do {                                                                                     \
        char got[4096];                                                                      \
        struct err e = ERR_INIT;                                                             \
        assert_int_equal(read_all((in), sizeof(in) - 1, NULL, got, sizeof got, &e), 0);      \
        assert_string_equal(got, (want));                                                    \
    } while (0)

static void rfc4180_quotes_doubled_quotes_and_line_breaks(void **state)
{
    (void)state;
    CHECK_CSV("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",x\r\n", "1:a|b,c|say \"hi\";2:two\nlines|x;");
}

static void lf_cr_and_crlf_all_end_lines(void **state)
{
    (void)state;
    CHECK_CSV("a,b\nc,d\re,f\r\ng,h", "1:a|b;2:c|d;3:e|f;4:g|h;");
}

static void bom_is_dropped_and_values_trimmed_raw_kept(void **state)
{
    (void)state;
    const char in[] = "\xEF\xBB\xBF 姓名 ,\xE3\x80\x80支部\r\n";
    struct sheet_reader *r;
    struct err e = ERR_INIT;
    struct sheet_row row;
    assert_int_equal(sheet_open_mem(in, sizeof in - 1, NULL, &r, &e), 0);
    assert_int_equal(sheet_next_row(r, &row, &e), 1);
    assert_int_equal(row.ncells, 2);
    assert_string_equal(row.cells[0].value, "姓名");
    assert_string_equal(row.cells[0].raw, " 姓名 ");
    assert_string_equal(row.cells[1].value, "支部");
    assert_int_equal(sheet_next_row(r, &row, &e), 0);
    sheet_close(r);
}

static void gb18030_bytes_from_chinese_excel_are_converted(void **state)
{
    (void)state;
    const char utf8[] = "姓名,支部,公民身份号码\r\n张三,第一党支部,110101199003071234\r\n";
    char gb[256];
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    char *in = (char *)utf8, *out = gb;
    size_t il = sizeof utf8 - 1, ol = sizeof gb;
    assert_true(iconv(cd, &in, &il, &out, &ol) != (size_t)-1);
    iconv_close(cd);
    size_t n = sizeof gb - ol;
    char got[1024];
    struct err e = ERR_INIT;
    char *copy = malloc(n);
    memcpy(copy, gb, n);
    assert_int_equal(read_all(copy, n, NULL, got, sizeof got, &e), 0);
    free(copy);
    assert_string_equal(got, "1:姓名|支部|公民身份号码;2:张三|第一党支部|110101199003071234;");
}

static void utf16_with_bom_is_converted(void **state)
{
    (void)state;
    const char in[] = "\xFF\xFE" "a\0\t\0b\0\r\0\n\0" "1\0\t\0" "2\0";
    CHECK_CSV(in, "1:a|b;2:1|2;");
}

static void semicolons_and_tabs_are_sniffed(void **state)
{
    (void)state;
    CHECK_CSV("a;b;\"c;d\"\n1;2,5;3\n", "1:a|b|c;d;2:1|2,5|3;");
    CHECK_CSV("a\tb\tc\n1\t2\t3\n", "1:a|b|c;2:1|2|3;");
}

static void our_export_apostrophe_is_dropped_from_values(void **state)
{
    (void)state;
    CHECK_CSV("\"'=1+2\",'-5,'abc\n", "1:=1+2|-5|'abc;");
}

static void unterminated_quote_names_its_row(void **state)
{
    (void)state;
    const char in[] = "a,b\n1,\"never closed\n2,3\n";
    char got[256];
    struct err e = ERR_INIT;
    assert_int_equal(read_all(in, sizeof in - 1, NULL, got, sizeof got, &e), -1);
    assert_string_equal(e.message, "sheet.csv_unterminated_quote");
    assert_string_equal(e.detail, "row 2");
}

static void blank_rows_are_skipped_when_asked(void **state)
{
    (void)state;
    const char in[] = "a,b\n,,\n\n \xE3\x80\x80, \nc,d\n";
    struct sheet_limits lim;
    sheet_limits_default(&lim);
    lim.skip_blank_rows = true;
    char got[256];
    struct err e = ERR_INIT;
    assert_int_equal(read_all(in, sizeof in - 1, &lim, got, sizeof got, &e), 0);
    assert_string_equal(got, "1:a|b;5:c|d;");
}

static void limits_on_columns_rows_and_cell_length(void **state)
{
    (void)state;
    struct sheet_limits lim;
    sheet_limits_default(&lim);
    lim.max_cols = 3;
    lim.max_rows = 2;
    lim.max_cell_chars = 5;
    char got[256];
    struct err e = ERR_INIT;
    assert_int_equal(read_all("a,b,c,d\n", 8, &lim, got, sizeof got, &e), -1);
    assert_string_equal(e.message, "sheet.too_many_columns");
    assert_int_equal(read_all("a,b,c,,,\n", 9, &lim, got, sizeof got, &e), 0);  /* empty: fine */
    assert_int_equal(read_all("a\nb\nc\n", 6, &lim, got, sizeof got, &e), -1);
    assert_string_equal(e.message, "sheet.too_many_rows");
    assert_int_equal(read_all("党员党员党员\n", 19, &lim, got, sizeof got, &e), -1);
    assert_string_equal(e.message, "sheet.cell_too_long");
    assert_int_equal(read_all("党员党员党\n", 16, &lim, got, sizeof got, &e), 0);
}

static void bytes_that_are_no_text_are_refused(void **state)
{
    (void)state;
    struct sheet_reader *r = NULL;
    struct err e = ERR_INIT;
    const char bin[] = "abc\0\x01\x02";
    assert_int_equal(sheet_open_mem(bin, sizeof bin - 1, NULL, &r, &e), -1);
    assert_string_equal(e.message, "sheet.not_spreadsheet");
    const char bad[] = "\x80\x80\xFF,a\n";      /* neither UTF-8 nor GB18030 */
    assert_int_equal(sheet_open_mem(bad, sizeof bad - 1, NULL, &r, &e), -1);
    assert_string_equal(e.message, "sheet.bad_encoding");
    assert_null(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc4180_quotes_doubled_quotes_and_line_breaks),
        cmocka_unit_test(lf_cr_and_crlf_all_end_lines),
        cmocka_unit_test(bom_is_dropped_and_values_trimmed_raw_kept),
        cmocka_unit_test(gb18030_bytes_from_chinese_excel_are_converted),
        cmocka_unit_test(utf16_with_bom_is_converted),
        cmocka_unit_test(semicolons_and_tabs_are_sniffed),
        cmocka_unit_test(our_export_apostrophe_is_dropped_from_values),
        cmocka_unit_test(unterminated_quote_names_its_row),
        cmocka_unit_test(blank_rows_are_skipped_when_asked),
        cmocka_unit_test(limits_on_columns_rows_and_cell_length),
        cmocka_unit_test(bytes_that_are_no_text_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
