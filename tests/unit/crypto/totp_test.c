/* totp_test.c: RFC 6238 vectors, the verification window and step reporting (one use per
 * code), the otpauth URI, and the enrolment QR code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/qrsvg.h"
#include "crypto/totp.h"

static const unsigned char RFC[] = "12345678901234567890";   /* RFC 6238 appendix B, SHA-1 */

static void rfc_6238_vectors_give_the_published_codes(void **state)
{
    (void)state;
    struct { time_t t; const char *code; } v[] = {
        {59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"},
        {1234567890, "005924"}, {2000000000, "279037"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char out[TOTP_DIGITS + 1];
        struct err e = ERR_INIT;
        assert_int_equal(totp_generate(RFC, 20, v[i].t, out, &e), 0);
        assert_string_equal(out, v[i].code);
    }
}

static void a_code_verifies_within_one_step_and_reports_its_step(void **state)
{
    (void)state;
    struct err e = ERR_INIT;
    int64_t step = 0;
    assert_int_equal(totp_verify(RFC, 20, 59 + 30, "287082", 1, &step, &e), 0);   /* previous step */
    assert_int_equal(step, 1);
    assert_int_equal(totp_verify(RFC, 20, 59, "287082", 1, &step, &e), 0);
    assert_int_equal(step, 1);
    err_clear(&e);
    assert_int_equal(totp_verify(RFC, 20, 59 + 90, "287082", 1, &step, &e), -1);  /* too old */
    assert_string_equal(e.message, "totp.wrong_code");
}

static void malformed_codes_are_wrong_codes(void **state)
{
    (void)state;
    const char *bad[] = {"", "28708", "2870822", "28708a", " 287082", "287 082"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct err e = ERR_INIT;
        int64_t step;
        assert_int_equal(totp_verify(RFC, 20, 59, bad[i], 1, &step, &e), -1);
    }
}

static void the_uri_carries_unpadded_base32_and_escaped_names(void **state)
{
    (void)state;
    char *uri = totp_uri(RFC, 20, "党建 dangjian", "zhang.san@example.com");
    assert_non_null(uri);
    assert_string_equal(uri, "otpauth://totp/%E5%85%9A%E5%BB%BA%20dangjian:zhang.san%40example.com"
                             "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                             "&issuer=%E5%85%9A%E5%BB%BA%20dangjian&digits=6&period=30");
    char *svg = qrsvg_encode(uri);
    assert_non_null(svg);
    assert_int_equal(strncmp(svg, "<svg xmlns=", 11), 0);
    assert_non_null(strstr(svg, "h1v1h-1z"));
    free(svg);
    free(uri);
}

static int setup(void **state)
{
    (void)state;
    struct err e = ERR_INIT;
    return totp_init(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc_6238_vectors_give_the_published_codes),
        cmocka_unit_test(a_code_verifies_within_one_step_and_reports_its_step),
        cmocka_unit_test(malformed_codes_are_wrong_codes),
        cmocka_unit_test(the_uri_carries_unpadded_base32_and_escaped_names),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
