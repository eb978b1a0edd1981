/* utf8_test.c: strict UTF-8 validation and trimming of ASCII and full-width spaces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/utf8.h"

static void valid_chinese_text_passes(void **state)
{
    (void)state;
    const char *s = "党员 dangyuan 𠀀";
    assert_true(utf8_valid(s, strlen(s)));
    assert_int_equal(utf8_count("党员"), 2);
}

static void overlongs_surrogates_and_truncations_fail(void **state)
{
    (void)state;
    const char *bad[] = {"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                         "\xe5\x85", "\xff", "\x80", "\xc3\x28"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(utf8_valid(bad[i], strlen(bad[i])));
    assert_false(utf8_valid("a\0b", 3));
}

static void trim_removes_ascii_and_ideographic_spaces(void **state)
{
    (void)state;
    char s[] = "\xe3\x80\x80 张三 \t\xe3\x80\x80";
    assert_string_equal(utf8_trim(s), "张三");
    char t[] = "   ";
    assert_string_equal(utf8_trim(t), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_chinese_text_passes),
        cmocka_unit_test(overlongs_surrogates_and_truncations_fail),
        cmocka_unit_test(trim_removes_ascii_and_ideographic_spaces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
