/* password_test.c: Argon2id hashes verify, carry their parameters, and report when they need
 * rehashing. Small parameters keep the test fast; production defaults are exercised once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/err.h"
#include "crypto/password.h"

static const struct password_params FAST = {.ops = 1, .mem_bytes = 64 * 1024};

static void a_hash_verifies_the_right_password_only(void **state)
{
    (void)state;
    char h[PASSWORD_HASH_MAX];
    struct err e = ERR_INIT;
    assert_int_equal(password_hash("党员同志Passw0rd!", &FAST, h, &e), 0);
    assert_int_equal(strncmp(h, "$argon2id$v=19$m=64,t=1,p=1$", 28), 0);
    assert_true(password_verify(h, "党员同志Passw0rd!"));
    assert_false(password_verify(h, "党员同志Passw0rd"));
    assert_false(password_verify(h, ""));
}

static void two_hashes_of_one_password_differ_by_their_salt(void **state)
{
    (void)state;
    char a[PASSWORD_HASH_MAX], b[PASSWORD_HASH_MAX];
    struct err e = ERR_INIT;
    assert_int_equal(password_hash("same password 123", &FAST, a, &e), 0);
    assert_int_equal(password_hash("same password 123", &FAST, b, &e), 0);
    assert_string_not_equal(a, b);
}

static void changed_parameters_mean_rehash(void **state)
{
    (void)state;
    char h[PASSWORD_HASH_MAX];
    struct err e = ERR_INIT;
    assert_int_equal(password_hash("rehash me please", &FAST, h, &e), 0);
    assert_false(password_needs_rehash(h, &FAST));
    struct password_params more = {.ops = 2, .mem_bytes = FAST.mem_bytes};
    assert_true(password_needs_rehash(h, &more));
    assert_true(password_needs_rehash("$2y$10$bcryptlookinghash", &FAST));
    assert_true(password_needs_rehash("", &FAST));
}

static void malformed_hashes_and_overlong_input_never_verify(void **state)
{
    (void)state;
    char big[PASSWORD_MAX_BYTES + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char h[PASSWORD_HASH_MAX];
    struct err e = ERR_INIT;
    assert_int_equal(password_hash(big, &FAST, h, &e), -1);
    assert_string_equal(e.message, "password.too_long");
    assert_false(password_verify("$argon2id$garbage", "x"));
    assert_false(password_verify("plaintext", "plaintext"));
    assert_false(password_verify("", ""));
}

static void the_default_parameters_hash_and_calibration_reaches_its_target(void **state)
{
    (void)state;
    struct password_params p;
    password_params_default(&p);
    char h[PASSWORD_HASH_MAX];
    struct err e = ERR_INIT;
    assert_int_equal(password_hash("default params 2026", &p, h, &e), 0);
    assert_true(password_verify(h, "default params 2026"));
    struct password_params c;
    double ms = 0;
    assert_int_equal(password_calibrate(5, 1024 * 1024, &c, &ms, &e), 0);
    assert_true(c.ops >= 1 && c.ops <= 10);
    assert_true(ms > 0);
}

static int setup(void **state)
{
    (void)state;
    struct err e = ERR_INIT;
    return crypto_init(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_hash_verifies_the_right_password_only),
        cmocka_unit_test(two_hashes_of_one_password_differ_by_their_salt),
        cmocka_unit_test(changed_parameters_mean_rehash),
        cmocka_unit_test(malformed_hashes_and_overlong_input_never_verify),
        cmocka_unit_test(the_default_parameters_hash_and_calibration_reaches_its_target),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
