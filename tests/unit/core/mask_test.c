/* mask_test.c: lists show masked personal data in the forms issue 4 names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/mask.h"

static void an_id_number_keeps_its_first_6_and_last_4(void **state)
{
    (void)state;
    char m[MASK_MAX];
    mask_id_number("11010519491231002X", m);
    assert_string_equal(m, "110105********002X");
    mask_id_number("130503670401001", m);           /* 15-digit legacy: last 4 only */
    assert_string_equal(m, "***********1001");
    mask_id_number("123", m);
    assert_string_equal(m, "****");
}

static void a_mobile_keeps_3_and_4(void **state)
{
    (void)state;
    char m[MASK_MAX];
    mask_phone("13812345678", m);
    assert_string_equal(m, "138****5678");
    mask_phone("02088886666", m);
    assert_string_equal(m, "020****6666");
    mask_phone("88886666", m);
    assert_string_equal(m, "****6666");
}

static void an_address_keeps_six_characters(void **state)
{
    (void)state;
    char m[MASK_MAX];
    mask_address("北京市西城区西长安街1号", m);
    assert_string_equal(m, "北京市西城区****");
    mask_address("短地址", m);
    assert_string_equal(m, "短地址****");
    mask_address("\xff\xfe", m);
    assert_string_equal(m, "****");
}

/* Decision 0011: the birth date is what the ID mask hides, so it is masked with it. */
static void a_birth_date_keeps_its_year(void **state)
{
    (void)state;
    char m[MASK_MAX];
    mask_birth_date("1985-03-15", m);
    assert_string_equal(m, "1985-**-**");
    mask_birth_date("1985-3-15", m);
    assert_string_equal(m, "****");
    mask_birth_date("19850315", m);
    assert_string_equal(m, "****");
    mask_birth_date("1985-0a-15", m);
    assert_string_equal(m, "****");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_id_number_keeps_its_first_6_and_last_4),
        cmocka_unit_test(a_mobile_keeps_3_and_4),
        cmocka_unit_test(an_address_keeps_six_characters),
        cmocka_unit_test(a_birth_date_keeps_its_year),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
