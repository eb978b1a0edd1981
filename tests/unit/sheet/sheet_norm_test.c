/* sheet_norm_test.c: cell text as users mean it: spaces and invisible characters trimmed,
 * full-width ASCII folded, dates in the usual forms (and Excel serials) to ISO. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "sheet/sheet_norm.h"

static void trim_removes_ascii_nbsp_ideographic_and_zero_width(void **state)
{
    (void)state;
    char a[] = " \t张三\xC2\xA0\xE3\x80\x80";
    assert_string_equal(sheet_norm_trim(a), "张三");
    char b[] = "\xE2\x80\x8B" "110101\xE2\x80\x8C" "199003071234\xEF\xBB\xBF";
    assert_string_equal(sheet_norm_trim(b), "110101199003071234");
    char c[] = "  阿依古丽 买买提  ";
    assert_string_equal(sheet_norm_trim(c), "阿依古丽 买买提");   /* inner space kept */
    char d[] = "\xE3\x80\x80\xE3\x80\x80";
    assert_string_equal(sheet_norm_trim(d), "");
    char e[] = "";
    assert_string_equal(sheet_norm_trim(e), "");
}

static void halfwidth_folds_fullwidth_digits_letters_and_punctuation(void **state)
{
    (void)state;
    char a[] = "１１０１０１１９９００３０７１２３Ｘ";
    assert_string_equal(sheet_norm_halfwidth(a), "11010119900307123X");
    char b[] = "（ａｂｃ）－／．　党";
    assert_string_equal(sheet_norm_halfwidth(b), "(abc)-/. 党");
}

static void blank_means_only_spaces_and_invisible_characters(void **state)
{
    (void)state;
    assert_true(sheet_norm_is_blank(NULL));
    assert_true(sheet_norm_is_blank(""));
    assert_true(sheet_norm_is_blank(" \xC2\xA0\xE3\x80\x80\xE2\x80\x8B\t"));
    assert_false(sheet_norm_is_blank(" 0 "));
}

static void dates_in_the_usual_written_forms_become_iso(void **state)
{
    (void)state;
    const char *in[] = {"2020-1-5", "2020/01/05", "2020.1.5", "2020年1月5日", "20200105",
                        " ２０２０－０１－０５ ", "2020-01-05 08:30:00", "2020年01月05日 8:30",
                        "2020-01-05T08:30"};
    char out[11];
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        assert_int_equal(sheet_norm_date(in[i], false, out), 0);
        assert_string_equal(out, "2020-01-05");
    }
}

static void impossible_or_malformed_dates_are_refused(void **state)
{
    (void)state;
    const char *bad[] = {"2021-02-29", "2020-02-30", "2020-13-01", "2020-1", "2020/01-05",
                         "20201305", "abc", "", "0999-01-01", "2020年1月", "43835x"};
    char out[11];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(sheet_norm_date(bad[i], true, out), -1);
    assert_int_equal(sheet_norm_date("2020-02-29", false, out), 0);
}

static void excel_serials_given_as_text_only_when_allowed(void **state)
{
    (void)state;
    char out[11];
    assert_int_equal(sheet_norm_date("43835", false, out), -1);
    assert_int_equal(sheet_norm_date("43835", true, out), 0);
    assert_string_equal(out, "2020-01-05");
    assert_int_equal(sheet_norm_date("43835.75", true, out), 0);
    assert_string_equal(out, "2020-01-05");
}

static void serials_follow_both_date_systems_and_the_1900_leap_bug(void **state)
{
    (void)state;
    char out[11];
    assert_int_equal(sheet_norm_serial_date(1, false, out), 0);
    assert_string_equal(out, "1900-01-01");
    assert_int_equal(sheet_norm_serial_date(59, false, out), 0);
    assert_string_equal(out, "1900-02-28");
    assert_int_equal(sheet_norm_serial_date(60, false, out), -1);   /* 1900-02-29 never was */
    assert_int_equal(sheet_norm_serial_date(61, false, out), 0);
    assert_string_equal(out, "1900-03-01");
    assert_int_equal(sheet_norm_serial_date(0, true, out), 0);
    assert_string_equal(out, "1904-01-01");
    assert_int_equal(sheet_norm_serial_date(42373, true, out), 0);
    assert_string_equal(out, "2020-01-05");
    assert_int_equal(sheet_norm_serial_date(2958465, false, out), 0);
    assert_string_equal(out, "9999-12-31");
    assert_int_equal(sheet_norm_serial_date(2958466, false, out), -1);
    assert_int_equal(sheet_norm_serial_date(0, false, out), -1);
    assert_int_equal(sheet_norm_serial_date(-3, true, out), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trim_removes_ascii_nbsp_ideographic_and_zero_width),
        cmocka_unit_test(halfwidth_folds_fullwidth_digits_letters_and_punctuation),
        cmocka_unit_test(blank_means_only_spaces_and_invisible_characters),
        cmocka_unit_test(dates_in_the_usual_written_forms_become_iso),
        cmocka_unit_test(impossible_or_malformed_dates_are_refused),
        cmocka_unit_test(excel_serials_given_as_text_only_when_allowed),
        cmocka_unit_test(serials_follow_both_date_systems_and_the_1900_leap_bug),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
