/* field_test.c: sealed personal data opens only with its key, row and column; the blind index
 * is stable per key; a stored value names its key for rotation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "crypto/field.h"
#include "crypto/password.h"

static struct field_key keys[2] = {{.id = 1}, {.id = 2}};
static struct field_keyring ring = {.keys = keys, .count = 2, .current = 2};

static char *seal(const char *col, int64_t row, const char *plain)
{
    char *out = NULL;
    struct err e = ERR_INIT;
    assert_int_equal(field_encrypt(&ring, col, row, plain, &out, &e), 0);
    return out;
}

static const char *open_err(const char *col, int64_t row, const char *stored)
{
    static struct err e;
    err_clear(&e);
    char *out = NULL;
    if (field_decrypt(&ring, col, row, stored, &out, &e) == 0) {
        free(out);
        return "ok";
    }
    return e.message;
}

static void a_value_round_trips_and_names_the_current_key(void **state)
{
    (void)state;
    char *s = seal("id_number", 42, "11010519491231002X");
    assert_int_equal(strncmp(s, "v1:2:", 5), 0);
    assert_int_equal(field_key_id(s), 2);
    assert_null(strstr(s, "11010519491231002X"));
    char *plain = NULL;
    struct err e = ERR_INIT;
    assert_int_equal(field_decrypt(&ring, "id_number", 42, s, &plain, &e), 0);
    assert_string_equal(plain, "11010519491231002X");
    free(plain);
    char *s2 = seal("id_number", 42, "11010519491231002X");
    assert_string_not_equal(s, s2);                   /* fresh nonce every time */
    free(s);
    free(s2);
}

static void another_row_or_column_or_a_flipped_byte_does_not_open(void **state)
{
    (void)state;
    char *s = seal("phone", 7, "13812345678");
    assert_string_equal(open_err("phone", 8, s), "field.tampered");
    assert_string_equal(open_err("address", 7, s), "field.tampered");
    size_t n = strlen(s);
    s[n - 3] = s[n - 3] == 'A' ? 'B' : 'A';
    assert_string_equal(open_err("phone", 7, s), "field.tampered");
    assert_string_equal(open_err("phone", 7, "v1:2:"), "field.tampered");
    assert_string_equal(open_err("phone", 7, "plain text"), "field.tampered");
    assert_string_equal(open_err("phone", 7, "v1:9:AAAA"), "field.unknown_key");
    free(s);
}

static void old_keys_still_open_after_rotation(void **state)
{
    (void)state;
    ring.current = 1;
    char *old = seal("phone", 3, "13900000000");
    ring.current = 2;
    assert_int_equal(field_key_id(old), 1);
    assert_string_equal(open_err("phone", 3, old), "ok");
    free(old);
}

static void the_blind_index_is_deterministic_and_key_dependent(void **state)
{
    (void)state;
    char a[FIELD_BLIND_HEX], b[FIELD_BLIND_HEX], c[FIELD_BLIND_HEX];
    field_blind_index(keys[0].key, "11010519491231002X", a);
    field_blind_index(keys[0].key, "11010519491231002X", b);
    field_blind_index(keys[1].key, "11010519491231002X", c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_int_equal(strlen(a), 64);
}

static int setup(void **state)
{
    (void)state;
    struct err e = ERR_INIT;
    if (crypto_init(&e) != 0)
        return -1;
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < FIELD_KEY_BYTES; k++)
            keys[i].key[k] = (unsigned char)(i * 101 + k * 7);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_value_round_trips_and_names_the_current_key),
        cmocka_unit_test(another_row_or_column_or_a_flipped_byte_does_not_open),
        cmocka_unit_test(old_keys_still_open_after_rotation),
        cmocka_unit_test(the_blind_index_is_deterministic_and_key_dependent),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
