/* jsonw.c: JSON text writers (see jsonw.h). Runs of safe bytes are copied in one buf_add. */
#include "core/jsonw.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"

void jsonw_str(struct buf *b, const char *s)
{
    if (s == NULL) {
        buf_add(b, "null", 4);
        return;
    }
    size_t len = strlen(s);
    if (!utf8_valid(s, len)) {
        buf_add(b, "\"\\ufffd\"", 8);
        return;
    }
    buf_addc(b, '"');
    const char *run = s;
    for (const char *p = s; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        buf_add(b, run, (size_t)(p - run));
        if (c == '"' || c == '\\') {
            buf_addc(b, '\\');
            buf_addc(b, (char)c);
        } else if (c == '\n') {
            buf_add(b, "\\n", 2);
        } else if (c == '\t') {
            buf_add(b, "\\t", 2);
        } else {
            buf_addf(b, "\\u%04x", c);
        }
        run = p + 1;
    }
    buf_add(b, run, strlen(run));
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
