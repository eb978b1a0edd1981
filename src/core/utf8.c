/* utf8.c: a table-free strict UTF-8 validator (RFC 3629 ranges). */
#include "core/utf8.h"

#include <stdint.h>
#include <string.h>

size_t utf8_seq(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return c != 0 && avail > 0 ? 1 : 0;
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (avail <= n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k <= n; k++)
        if (s[k] < 0x80 || s[k] > 0xBF)
            return 0;
    return n + 1;
}

bool utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        /* ASCII fast path: 8 bytes at a time while none has its high bit set or is NUL. */
        while (len - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            uint64_t has_zero = (w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL;
            if ((w & 0x8080808080808080ULL) != 0 || has_zero != 0)
                break;
            i += 8;
        }
        if (i >= len)
            break;
        size_t n = utf8_seq(s + i, len - i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

size_t utf8_count(const char *s)
{
    size_t n = 0;
    for (; *s != '\0'; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static size_t lead_space(const char *s)
{
    if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        return 1;
    if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80)
        return 3;
    return 0;
}

char *utf8_trim(char *s)
{
    size_t skip = 0, n;
    while ((n = lead_space(s + skip)) > 0)
        skip += n;
    if (skip > 0)
        memmove(s, s + skip, strlen(s + skip) + 1);
    size_t len = strlen(s);
    for (;;) {
        if (len >= 1 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' ||
                         s[len - 1] == '\n')) {
            s[--len] = '\0';
        } else if (len >= 3 && (unsigned char)s[len - 3] == 0xE3 &&
                   (unsigned char)s[len - 2] == 0x80 && (unsigned char)s[len - 1] == 0x80) {
            len -= 3;
            s[len] = '\0';
        } else {
            break;
        }
    }
    return s;
}
