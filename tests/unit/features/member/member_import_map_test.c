/* member_import_map_test.c: the import's header mapping and code values (member_import_map.c):
 * IMP-01 header texts in Chinese, English, field names, with spaces, full-width letters, '*'
 * and hints; code columns by code, Chinese label or English label. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "features/member/import/member_import.h"

static const char *field_of(const char *header)
{
    int c = member_import_column_of(header);
    return c < 0 ? NULL : member_import_columns[c].field;
}

static void imp01_headers_in_both_languages(void **state)
{
    (void)state;
    assert_string_equal(field_of("姓名"), "name");
    assert_string_equal(field_of("姓名*"), "name");
    assert_string_equal(field_of(" 公民身份号码 * "), "id_number");
    assert_string_equal(field_of("身份证号"), "id_number");
    assert_string_equal(field_of("ID number"), "id_number");
    assert_string_equal(field_of("id_number"), "id_number");
    assert_string_equal(field_of("ＩＤ　Ｎｕｍｂｅｒ"), "id_number");     /* full-width */
    assert_string_equal(field_of("出生日期(YYYY-MM-DD)"), "birth_date");
    assert_string_equal(field_of("出生日期（年月日）"), "birth_date");
    assert_string_equal(field_of("Organization code*"), "org");
    assert_string_equal(field_of("phone"), "phone");
    assert_null(field_of("备注"));
    assert_null(field_of(""));
    assert_null(field_of("   "));
}

static void imp01_required_columns(void **state)
{
    (void)state;
    const char *want[] = {"name", "id_number", "category", "joined_on", "org"};
    size_t n = 0;
    for (size_t i = 0; i < member_import_ncolumns; i++)
        if (member_import_columns[i].required) {
            assert_true(n < 5);
            assert_string_equal(member_import_columns[i].field, want[n++]);
        }
    assert_int_equal(n, 5);
}

static void code_columns_take_codes_and_labels(void **state)
{
    (void)state;
    const struct imp_code codes[] = {
        {"gender", "1", "男", "Male"},
        {"gender", "2", "女", "Female"},
        {"category", "full", "正式党员", "Full member"},
        {"ethnicity", "01", "汉族", "Han"},
    };
    size_t n = sizeof codes / sizeof codes[0];
    assert_string_equal(member_import_code_of(codes, n, "gender", "男"), "1");
    assert_string_equal(member_import_code_of(codes, n, "gender", "female"), "2");
    assert_string_equal(member_import_code_of(codes, n, "gender", "2"), "2");
    assert_string_equal(member_import_code_of(codes, n, "category", "FULL MEMBER"), "full");
    assert_string_equal(member_import_code_of(codes, n, "ethnicity", "汉族"), "01");
    assert_null(member_import_code_of(codes, n, "ethnicity", "汉"));
    assert_null(member_import_code_of(codes, n, "gender", "汉族"));   /* another kind's label */
    assert_null(member_import_code_of(codes, n, "gender", ""));
    assert_null(member_import_code_of(codes, n, "gender", NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(imp01_headers_in_both_languages),
        cmocka_unit_test(imp01_required_columns),
        cmocka_unit_test(code_columns_take_codes_and_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
