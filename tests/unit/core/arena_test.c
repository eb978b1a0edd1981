/* arena_test.c: the request arena hands out aligned, independent memory and frees it at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/arena.h"

static void allocations_are_16_byte_aligned_and_distinct(void **state)
{
    (void)state;
    struct arena *a = arena_create(256);
    char *prev = NULL;
    for (int i = 1; i < 200; i++) {
        char *p = arena_alloc(a, (size_t)i);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xAB, (size_t)i);
        assert_ptr_not_equal(p, prev);
        prev = p;
    }
    arena_destroy(a);
}

static void a_large_allocation_gets_its_own_chunk_and_keeps_small_ones_working(void **state)
{
    (void)state;
    struct arena *a = arena_create(1024);
    char *small = arena_strdup(a, "党员");
    char *big = arena_alloc(a, 1 << 20);
    memset(big, 1, 1 << 20);
    char *small2 = arena_strdup(a, "党支部");
    assert_string_equal(small, "党员");
    assert_string_equal(small2, "党支部");
    assert_true(arena_used(a) >= (1u << 20));
    arena_destroy(a);
}

static void printf_and_strndup_copy_exactly(void **state)
{
    (void)state;
    struct arena *a = arena_create(0);
    assert_string_equal(arena_printf(a, "%s-%d", "org", 42), "org-42");
    assert_string_equal(arena_strndup(a, "abcdef", 3), "abc");
    assert_null(arena_strdup(a, NULL));
    char *z = arena_zalloc(a, 64);
    for (int i = 0; i < 64; i++)
        assert_int_equal(z[i], 0);
    arena_destroy(a);
    arena_destroy(NULL);
}

static void reset_forgets_everything_and_serves_again(void **state)
{
    (void)state;
    struct arena *a = arena_create(256);
    memset(arena_alloc(a, 16), 'v', 16);
    for (int i = 0; i < 40; i++)                        /* several general chunks */
        memset(arena_alloc(a, 48), 'x', 48);
    memset(arena_alloc(a, 4000), 'y', 4000);            /* and a dedicated one */
    assert_true(arena_used(a) > 4000);
    arena_reset(a);
    assert_int_equal(arena_used(a), 0);
    char *again = arena_alloc(a, 16);                   /* the kept chunk, from its start */
    assert_non_null(again);
    memset(again, 'z', 16);
    for (int i = 0; i < 40; i++)                        /* and it grows again as before */
        memset(arena_alloc(a, 48), 'w', 48);
    assert_int_equal(arena_used(a), 16 + 40 * 48);
    arena_reset(a);
    arena_reset(a);                                     /* twice in a row is fine */
    assert_int_equal(arena_used(a), 0);
    arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(allocations_are_16_byte_aligned_and_distinct),
        cmocka_unit_test(a_large_allocation_gets_its_own_chunk_and_keeps_small_ones_working),
        cmocka_unit_test(printf_and_strndup_copy_exactly),
        cmocka_unit_test(reset_forgets_everything_and_serves_again),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
