/* jsonw.c: JSON text writers (see jsonw.h). Runs of safe bytes are copied in one buf_add. */
#include "core/jsonw.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"

/* True when none of the 8 bytes at p needs a look: no control character (< 0x20), no '"', no
 * '\\' and nothing outside ASCII (exact tests: "some byte < n" is (w - n*0x01..) & ~w & 0x80..). */
static inline bool plain8(const unsigned char *p)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    uint64_t w, q, bs;
    memcpy(&w, p, 8);
    q = w ^ (ones * '"');
    bs = w ^ (ones * '\\');
    return ((w | ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((bs - ones) & ~bs)) & high) == 0;
}

/* One pass: plain runs are copied whole, escapes written as they come, and each non-ASCII
 * sequence validated in place; invalid UTF-8 undoes the string and writes U+FFFD instead. */
void jsonw_str(struct buf *b, const char *s)
{
    if (s == NULL) {
        buf_add_lit(b, "null");
        return;
    }
    size_t start = b->len;
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s), *run = p;
    buf_addc(b, '"');
    while (p < end) {
        if (end - p >= 8 && plain8(p)) {
            p += 8;
            continue;
        }
        unsigned char c = *p;
        if (c >= 0xE1 && c <= 0xEC && end - p >= 3 && (p[1] & 0xC0) == 0x80 &&
            (p[2] & 0xC0) == 0x80) {
            p += 3;             /* most CJK: a lead byte with no range restriction of its own */
            continue;
        }
        if (c >= 0x80) {
            size_t n = utf8_seq(p, (size_t)(end - p));
            if (n == 0) {
                if (!b->failed && b->data != NULL) {
                    b->len = start;
                    b->data[start] = '\0';
                }
                buf_add_lit(b, "\"\\ufffd\"");
                return;
            }
            p += n;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\') {
            p++;
            continue;
        }
        buf_add(b, run, (size_t)(p - run));
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            buf_add(b, esc, 2);
        } else if (c == '\n') {
            buf_add_lit(b, "\\n");
        } else if (c == '\t') {
            buf_add_lit(b, "\\t");
        } else {
            buf_addf(b, "\\u%04x", c);
        }
        run = ++p;
    }
    buf_add(b, run, (size_t)(p - run));
    buf_addc(b, '"');
}

void jsonw_key(struct buf *b, const char *key)
{
    buf_addc(b, '"');
    buf_adds(b, key);
    buf_add(b, "\":", 2);
}

void jsonw_i64(struct buf *b, int64_t v)
{
    /* Digits right to left; printf costs ~10x more and this runs ~20 times per org row. */
    char tmp[24];
    char *p = tmp + sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        *--p = '-';
    buf_add(b, p, (size_t)(tmp + sizeof tmp - p));
}

void jsonw_i64_or_null(struct buf *b, int64_t v)
{
    if (v == 0)
        buf_add(b, "null", 4);
    else
        jsonw_i64(b, v);
}

void jsonw_bool(struct buf *b, bool v)
{
    if (v)
        buf_add(b, "true", 4);
    else
        buf_add(b, "false", 5);
}
