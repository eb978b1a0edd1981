/* password_rules_test.c: the password policy of the identity issue, at its boundaries, and what
 * a user name may be. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "auth/auth_internal.h"
#include "auth/password_rules.h"
#include "core/err.h"

static const char *why(const char *pw, const char *user, const char *phone)
{
    static struct err e;
    err_clear(&e);
    if (password_rules_check(pw, user, phone, &e) == 0)
        return "ok";
    assert_string_equal(e.fields[0].name, "password");
    return e.fields[0].message;
}

static void nine_characters_are_too_short_and_ten_are_enough(void **state)
{
    (void)state;
    assert_string_equal(why("Ab3$efgh9", NULL, NULL), "password.too_short");
    assert_string_equal(why("Ab3$efgh9k", NULL, NULL), "ok");
}

static void length_counts_characters_not_bytes(void **state)
{
    (void)state;
    assert_string_equal(why("党员之家红旗飘飘九", NULL, NULL), "password.too_short");   /* 9 */
    assert_string_equal(why("党员之家红旗飘飘九州", NULL, NULL), "ok");                /* 10 */
}

static void the_user_name_or_phone_is_refused_ignoring_case_and_spaces(void **state)
{
    (void)state;
    assert_string_equal(why("ZhangSan2026", "zhangsan2026", NULL), "password.is_username");
    assert_string_equal(why("zhang san 2026", "zhangsan2026", NULL), "password.is_username");
    assert_string_equal(why("13812345678", "zhangsan", "13812345678"), "password.is_phone");
    assert_string_equal(why("13812345679", "zhangsan", "13812345678"), "ok");
}

static void common_passwords_are_refused(void **state)
{
    (void)state;
    assert_string_equal(why("1234567890", NULL, NULL), "password.too_common");
    assert_string_equal(why("Password123", NULL, NULL), "password.too_common");
    assert_string_equal(why("woaini1314", NULL, NULL), "password.too_common");
    assert_string_equal(why("dangjian123", NULL, NULL), "password.too_common");
}

static void invalid_utf8_is_refused(void **state)
{
    (void)state;
    assert_string_equal(why("abcdefghij\xff", NULL, NULL), "password.bad_utf8");
}

static void a_user_name_starts_with_a_letter_or_digit(void **state)
{
    (void)state;
    assert_true(auth_username_valid("wang.li"));
    assert_true(auth_username_valid("7up-team"));
    assert_false(auth_username_valid("--help"));
    assert_false(auth_username_valid(".hidden"));
    assert_false(auth_username_valid("_x_"));
    assert_false(auth_username_valid("13800138000"));       /* all digits: reads as a phone */
    assert_false(auth_username_valid("ab"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nine_characters_are_too_short_and_ten_are_enough),
        cmocka_unit_test(length_counts_characters_not_bytes),
        cmocka_unit_test(the_user_name_or_phone_is_refused_ignoring_case_and_spaces),
        cmocka_unit_test(common_passwords_are_refused),
        cmocka_unit_test(invalid_utf8_is_refused),
        cmocka_unit_test(a_user_name_starts_with_a_letter_or_digit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
