/* sheet_norm.c: trimming, full-width folding, dates and blanks for cell text (see sheet_norm.h).
 * All byte-level on UTF-8: the characters involved have fixed encodings (U+3000 = E3 80 80,
 * U+FF01-U+FF5E = EF BC 81 .. EF BD 9E), so no decoding table is needed. */
#include "sheet/sheet_norm.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"

/* Bytes of a zero-width character at s (U+200B-D, U+2060, U+FEFF), else 0. */
static size_t zero_width(const unsigned char *s)
{
    if (s[0] == 0xE2 && s[1] == 0x80 && s[2] >= 0x8B && s[2] <= 0x8D)
        return 3;
    if (s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0xA0)
        return 3;
    if (s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        return 3;
    return 0;
}

/* Bytes of a trimmable space at s (ASCII whitespace, NBSP, U+3000), else 0. */
static size_t space_at(const unsigned char *s)
{
    if (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n' || s[0] == '\v' ||
        s[0] == '\f')
        return 1;
    if (s[0] == 0xC2 && s[1] == 0xA0)
        return 2;
    if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
        return 3;
    return 0;
}

char *sheet_norm_trim(char *str)
{
    unsigned char *s = (unsigned char *)str;
    size_t r = 0, w = 0;
    /* Drop zero-width characters everywhere (the reads stop at NUL: the 2nd/3rd byte tests
     * never pass the terminator, since it fails the first comparison that reaches it). */
    if (strstr(str, "\xE2\x80") != NULL || strstr(str, "\xE2\x81") != NULL ||
        strstr(str, "\xEF\xBB") != NULL) {
        while (s[r] != '\0') {
            size_t z = zero_width(s + r);
            if (z != 0) {
                r += z;
                continue;
            }
            s[w++] = s[r++];
        }
        s[w] = '\0';
    }
    size_t start = 0, n;
    while ((n = space_at(s + start)) != 0)
        start += n;
    size_t len = strlen(str + start), end = start + len;
    /* Trim the end: step back over spaces; multi-byte ones end in A0 or 80. */
    while (end > start) {
        if (end - start >= 1 && space_at(s + end - 1) == 1) {
            end -= 1;
        } else if (end - start >= 2 && s[end - 2] == 0xC2 && s[end - 1] == 0xA0) {
            end -= 2;
        } else if (end - start >= 3 && space_at(s + end - 3) == 3) {
            end -= 3;
        } else {
            break;
        }
    }
    if (start != 0)
        memmove(s, s + start, end - start);
    s[end - start] = '\0';
    return str;
}

char *sheet_norm_halfwidth(char *str)
{
    unsigned char *s = (unsigned char *)str;
    size_t r = 0, w = 0;
    while (s[r] != '\0') {
        if (s[r] == 0xEF && s[r + 1] == 0xBC && s[r + 2] >= 0x81 && s[r + 2] <= 0xBF) {
            s[w++] = (unsigned char)(s[r + 2] - 0x81 + 0x21);       /* U+FF01-FF3F */
            r += 3;
        } else if (s[r] == 0xEF && s[r + 1] == 0xBD && s[r + 2] >= 0x80 && s[r + 2] <= 0x9E) {
            s[w++] = (unsigned char)(s[r + 2] - 0x80 + 0x60);       /* U+FF40-FF5E */
            r += 3;
        } else if (s[r] == 0xE3 && s[r + 1] == 0x80 && s[r + 2] == 0x80) {
            s[w++] = ' ';
            r += 3;
        } else {
            s[w++] = s[r++];
        }
    }
    s[w] = '\0';
    return str;
}

bool sheet_norm_is_blank(const char *str)
{
    if (str == NULL)
        return true;
    const unsigned char *s = (const unsigned char *)str;
    while (*s != '\0') {
        size_t n = space_at(s);
        if (n == 0)
            n = zero_width(s);
        if (n == 0)
            return false;
        s += n;
    }
    return true;
}

int sheet_norm_serial_date(double serial, bool date1904, char out[11])
{
    if (!isfinite(serial) || serial < (date1904 ? 0.0 : 1.0) || serial >= 2958466.0)
        return -1;
    int64_t days = (int64_t)floor(serial);
    struct date d;
    if (date1904) {
        d = date_add_days((struct date){1904, 1, 1}, (int)days);
    } else {
        if (days == 60)
            return -1;              /* Excel's 1900-02-29, a day that never was */
        /* Serial 1 = 1900-01-01; from 61 on, one less for the phantom leap day. */
        d = date_add_days((struct date){1899, 12, 31}, (int)(days < 60 ? days : days - 1));
    }
    if (d.year > 9999)
        return -1;
    date_format(d, out);
    return 0;
}

/* Reads 1-n digits at *p into *v; returns the digit count. */
static int digits(const char **p, int n, int *v)
{
    int k = 0;
    *v = 0;
    while (k < n && **p >= '0' && **p <= '9') {
        *v = *v * 10 + (**p - '0');
        (*p)++;
        k++;
    }
    return k;
}

/* After the day: nothing, or a space (or T) and a time we ignore, or 日 then the same. */
static bool date_tail_ok(const char *p, bool cjk)
{
    if (cjk && strncmp(p, "日", 3) == 0)
        p += 3;
    if (*p == '\0')
        return true;
    if (*p != ' ' && *p != 'T')
        return false;
    for (p++; *p != '\0'; p++)
        if (!((*p >= '0' && *p <= '9') || *p == ':' || *p == '.' || *p == ' '))
            return false;
    return true;
}

static int finish(int y, int m, int d, char out[11])
{
    struct date dt = {y, m, d};
    if (y < 1000 || !date_is_valid(dt))
        return -1;
    date_format(dt, out);
    return 0;
}

static int parse_date(const char *s, bool allow_serial, char out[11])
{
    const char *p = s;
    int y, m, d;
    int ny = digits(&p, 8, &y);
    if (ny == 8 && *p == '\0')                                      /* 20200105 */
        return finish(y / 10000, y / 100 % 100, y % 100, out);
    if (ny == 4 && (*p == '-' || *p == '/' || *p == '.' || strncmp(p, "年", 3) == 0)) {
        bool cjk = *p != '-' && *p != '/' && *p != '.';
        char sep = *p;
        p += cjk ? 3 : 1;
        if (digits(&p, 2, &m) == 0)
            return -1;
        if (cjk ? strncmp(p, "月", 3) != 0 : *p != sep)
            return -1;
        p += cjk ? 3 : 1;
        if (digits(&p, 2, &d) == 0 || !date_tail_ok(p, cjk))
            return -1;
        return finish(y, m, d, out);
    }
    if (allow_serial && ny >= 1 && ny <= 7) {                       /* 43835 or 43835.5 */
        char *end;
        double v = strtod(s, &end);
        if (*end == '\0')
            return sheet_norm_serial_date(v, false, out);
    }
    return -1;
}

int sheet_norm_date(const char *s, bool allow_serial, char out[11])
{
    char tmp[64];
    if (s == NULL || strlen(s) >= sizeof tmp)
        return -1;
    memcpy(tmp, s, strlen(s) + 1);
    sheet_norm_trim(sheet_norm_halfwidth(tmp));
    sheet_norm_trim(tmp);       /* half-width may have made new edge spaces */
    return parse_date(tmp, allow_serial, out);
}
