/* csv_test.c: cells are quoted when needed and never run as spreadsheet formulas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/csv.h"

static void plain_cells_are_bare_and_special_ones_quoted(void **state)
{
    (void)state;
    struct buf b = BUF_INIT(4096);
    csv_cell(&b, "党支部", true);
    csv_cell(&b, "a,b", false);
    csv_cell(&b, "say \"hi\"", false);
    csv_cell(&b, "two\nlines", false);
    csv_cell(&b, NULL, false);
    csv_cell_i64(&b, -42, false);
    csv_end_row(&b);
    assert_string_equal(buf_str(&b), "党支部,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,-42\r\n");
    buf_fini(&b);
}

static void formula_starts_get_an_apostrophe(void **state)
{
    (void)state;
    const char *in[] = {"=1+1", "+cmd", "-2", "@SUM(A1)", "\tx"};
    const char *out[] = {"\"'=1+1\"", "\"'+cmd\"", "\"'-2\"", "\"'@SUM(A1)\"", "\"'\tx\""};
    for (size_t i = 0; i < 5; i++) {
        struct buf b = BUF_INIT(256);
        csv_cell(&b, in[i], true);
        assert_string_equal(buf_str(&b), out[i]);
        buf_fini(&b);
    }
}

static void the_file_starts_with_a_utf8_bom(void **state)
{
    (void)state;
    struct buf b = BUF_INIT(16);
    csv_bom(&b);
    assert_int_equal(b.len, 3);
    assert_memory_equal(buf_str(&b), "\xEF\xBB\xBF", 3);
    buf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_cells_are_bare_and_special_ones_quoted),
        cmocka_unit_test(formula_starts_get_an_apostrophe),
        cmocka_unit_test(the_file_starts_with_a_utf8_bom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
