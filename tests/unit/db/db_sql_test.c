/* db_sql_test.c: the `?` -> `$n` rewrite PostgreSQL statements go through (db_sql.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "db/db_internal.h"

static void rewrite_skips_quotes_comments_and_dollar_bodies(void **state)
{
    static const struct { const char *in, *out; int n; } cases[] = {
        {"SELECT ?, ?", "SELECT $1, $2", 2},
        {"SELECT '?', \"a?\", ?", "SELECT '?', \"a?\", $1", 1},
        {"SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1},
        {"SELECT E'\\' ?', ?", "SELECT E'\\' ?', $1", 1},
        {"SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2", 2},
        {"SELECT /* a /* ? */ ? */ ?", "SELECT /* a /* ? */ ? */ $1", 1},
        {"SELECT $$ ? $$, $q$ ?$ $q$, ?", "SELECT $$ ? $$, $q$ ?$ $q$, $1", 1},
        {"SELECT ?2, ?1, ?", "SELECT $2, $1, $3", 3},
        {"SELECT 1", "SELECT 1", 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = -1;
        char *out = db_sql_to_dollar(cases[i].in, &n);
        assert_non_null(out);
        assert_string_equal(out, cases[i].out);
        assert_int_equal(n, cases[i].n);
        free(out);
    }
    int n = 0;
    assert_null(db_sql_to_dollar("SELECT ?70000", &n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rewrite_skips_quotes_comments_and_dollar_bodies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
