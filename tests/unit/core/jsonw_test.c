/* jsonw_test.c: JSON string escaping (RFC 8259) by the one-pass writer, against a byte-by-byte
 * reference on fixed cases and on random strings of escapes, ASCII, CJK and broken UTF-8 placed
 * at every offset around the 8-byte fast path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/jsonw.h"
#include "core/utf8.h"

/* The reference: validate the whole string, then escape byte by byte. */
static void reference(struct buf *b, const char *s)
{
    if (s == NULL) {
        buf_adds(b, "null");
        return;
    }
    if (!utf8_valid(s, strlen(s))) {
        buf_adds(b, "\"\\ufffd\"");
        return;
    }
    buf_addc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            buf_addf(b, "\\%c", *p);
        else if (*p == '\n')
            buf_adds(b, "\\n");
        else if (*p == '\t')
            buf_adds(b, "\\t");
        else if (*p < 0x20)
            buf_addf(b, "\\u%04x", *p);
        else
            buf_addc(b, (char)*p);
    }
    buf_addc(b, '"');
}

static void check(const char *s)
{
    struct buf got = BUF_INIT(1 << 20), want = BUF_INIT(1 << 20);
    buf_adds(&got, "[1,");              /* what came before must survive an undo */
    buf_adds(&want, "[1,");
    jsonw_str(&got, s);
    reference(&want, s);
    assert_string_equal(buf_str(&got), buf_str(&want));
    buf_fini(&got);
    buf_fini(&want);
}

static void fixed_cases(void **state)
{
    (void)state;
    const char *cases[] = {
        "", "a", "abcdefgh", "abcdefghi", "党员", "张三丰 <b>&amp;</b>", "say \"hi\"",
        "back\\slash", "line\nbreak\ttab", "\x01\x1f\x7f", "01234567\"", "0123456\\",
        "\xe5\x85", "abcdefgh\xc0\xaf", "\xed\xa0\x80 surrogate", "ok 𠀀 four bytes",
        "\xff", "12345678901234567890\x80",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check(cases[i]);
    check(NULL);
}

static void random_strings_match_the_reference(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "a", "Z", " ", "\"", "\\", "\n", "\t", "\x01", "\x1f", "党", "𠀀", "é",
        "\xe5\x85", "\xc0\xaf", "\xed\xa0\x80", "\x80", "0123456", "~",
    };
    const size_t np = sizeof pieces / sizeof pieces[0];
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    char s[256];
    for (int round = 0; round < 20000; round++) {
        size_t len = 0;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int n = (int)(x % 24);
        bool clean = (x >> 20) % 2 == 0;    /* half the strings without broken pieces */
        for (int k = 0; k < n; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            size_t pi = (size_t)(x % (clean ? 12 : np));
            size_t pl = strlen(pieces[pi]);
            memcpy(s + len, pieces[pi], pl);
            len += pl;
        }
        s[len] = '\0';
        check(s);
    }
}

static void utf8_seq_lengths(void **state)
{
    (void)state;
    assert_int_equal(utf8_seq((const unsigned char *)"a", 1), 1);
    assert_int_equal(utf8_seq((const unsigned char *)"党", 3), 3);
    assert_int_equal(utf8_seq((const unsigned char *)"党", 2), 0);     /* cut short */
    assert_int_equal(utf8_seq((const unsigned char *)"𠀀", 4), 4);
    assert_int_equal(utf8_seq((const unsigned char *)"\xc0\xaf", 2), 0);
    assert_int_equal(utf8_seq((const unsigned char *)"", 1), 0);        /* NUL */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixed_cases),
        cmocka_unit_test(random_strings_match_the_reference),
        cmocka_unit_test(utf8_seq_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
