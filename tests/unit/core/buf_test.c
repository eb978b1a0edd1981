/* buf_test.c: the growable buffer respects its limit with a sticky error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static void an_empty_buffer_reads_as_an_empty_string(void **state)
{
    (void)state;
    struct buf b = BUF_INIT(16);
    assert_string_equal(buf_str(&b), "");
    assert_false(buf_failed(&b));
    buf_fini(&b);
}

static void appends_grow_until_the_limit_then_fail_sticky(void **state)
{
    (void)state;
    struct buf b = BUF_INIT(10);
    buf_adds(&b, "12345");
    buf_addf(&b, "%d", 6789);
    assert_string_equal(buf_str(&b), "123456789");
    buf_adds(&b, "ab");                   /* 11 > 10 */
    assert_true(buf_failed(&b));
    buf_addc(&b, 'x');                    /* still failed, content unchanged */
    assert_true(buf_failed(&b));
    assert_string_equal(buf_str(&b), "123456789");
    buf_reset(&b);
    assert_false(buf_failed(&b));
    buf_adds(&b, "0123456789");           /* exactly the limit */
    assert_false(buf_failed(&b));
    buf_fini(&b);
}

static void take_hands_over_the_string_and_empties_the_buffer(void **state)
{
    (void)state;
    struct buf b = BUF_INIT(1 << 20);
    for (int i = 0; i < 1000; i++)
        buf_addf(&b, "%d,", i);
    size_t len = b.len;
    char *s = buf_take(&b);
    assert_int_equal(strlen(s), len);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_str(&b), "");
    free(s);
    char *empty = buf_take(&b);
    assert_string_equal(empty, "");
    free(empty);
    buf_fini(&b);
}

static void reserve_makes_room_once_and_respects_the_limit(void **state)
{
    (void)state;
    struct buf b = BUF_INIT(1000);
    buf_reserve(&b, 500);
    assert_true(b.cap >= 501);
    char *before = b.data;
    for (int i = 0; i < 50; i++)
        buf_add_lit(&b, "0123456789");          /* 500 bytes: no reallocation */
    assert_ptr_equal(b.data, before);
    assert_false(buf_failed(&b));
    buf_reserve(&b, 501);                       /* 1001 > 1000 */
    assert_true(buf_failed(&b));
    assert_int_equal(b.len, 500);
    buf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_empty_buffer_reads_as_an_empty_string),
        cmocka_unit_test(appends_grow_until_the_limit_then_fail_sticky),
        cmocka_unit_test(take_hands_over_the_string_and_empties_the_buffer),
        cmocka_unit_test(reserve_makes_room_once_and_respects_the_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
