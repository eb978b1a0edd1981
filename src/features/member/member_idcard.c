/* member_idcard.c: 公民身份号码 checks (see member_idcard.h; domain-rules.md ID-01..ID-06).
 *
 * Reading order: normalise (the same separators and full-width forms as crypto/pdata.c, so the
 * number checked is the number indexed), then length, characters, birth date, check character.
 * A 15-digit number has no check character: it is upgraded first (ID-05) and the computed one is
 * correct by construction. */
#include "features/member/member_idcard.h"

#include <stdio.h>
#include <string.h>

/* ID-02: ISO 7064 MOD 11-2 weights of the first 17 digits and the map of S mod 11. */
static const int WEIGHT[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
static const char CHECK[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};

char member_idcard_check_char(const char digits17[17])
{
    int s = 0;
    for (int i = 0; i < 17; i++)
        s += (digits17[i] - '0') * WEIGHT[i];
    return CHECK[s % 11];
}

/* Copies in without separators (space, tab, '-'), full-width digits and X as ASCII, x as X.
 * Returns the number of characters seen (a non-ASCII code point counts as one); *bad is set when
 * one of them is not a digit or X. At most 18 are stored. */
static size_t normalise(const char *in, char out[19], bool *bad)
{
    size_t n = 0;
    *bad = false;
    for (const unsigned char *p = (const unsigned char *)in; *p != '\0'; p++) {
        int c = *p;
        if (c == ' ' || c == '\t' || c == '-')
            continue;
        if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
            c = '0' + (p[2] - 0x90);                 /* U+FF10..U+FF19 */
            p += 2;
        } else if (p[0] == 0xEF &&
                   ((p[1] == 0xBC && p[2] == 0xB8) || (p[1] == 0xBD && p[2] == 0x98))) {
            c = 'X';                                 /* U+FF38, U+FF58 */
            p += 2;
        } else if (c >= 0x80) {
            while ((p[1] & 0xC0) == 0x80)            /* the rest of this code point */
                p++;
            c = '?';
        }
        if (c == 'x')
            c = 'X';
        if (!(c >= '0' && c <= '9') && c != 'X')
            *bad = true;
        if (n < 18)
            out[n] = (char)c;
        n++;
    }
    out[n < 18 ? n : 18] = '\0';
    return n;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* ID-05: 6 address + YYMMDD (century 19) + 3 sequence -> insert "19", append the check char. */
static void upgrade15(const char in[15], char out[19])
{
    memcpy(out, in, 6);
    memcpy(out + 6, "19", 2);
    memcpy(out + 8, in + 6, 9);
    out[17] = member_idcard_check_char(out);
    out[18] = '\0';
}

enum member_idcard_result member_idcard_parse(const char *in, struct date today,
                                              struct member_idcard *out)
{
    char s[19];
    bool bad;
    memset(out, 0, sizeof *out);
    size_t n = normalise(in, s, &bad);
    if (n != 18 && n != 15)                                   /* ID-01, ID-05 */
        return IDCARD_LENGTH;
    if (bad || !all_digits(s, n == 18 ? 17 : 15))             /* ID-01: X only last, on 18 */
        return IDCARD_CHARS;
    memcpy(out->original, s, n + 1);
    if (n == 15) {
        upgrade15(s, out->number);
        out->upgraded = true;
    } else {
        memcpy(out->number, s, 19);
    }
    memcpy(out->region, out->number, 6);
    out->region[6] = '\0';
    out->birth = (struct date){num(out->number + 6, 4), num(out->number + 10, 2),
                               num(out->number + 12, 2)};
    out->gender = (out->number[16] - '0') % 2 == 1 ? 1 : 2;  /* ID-04, CODE-01 */
    out->expected = member_idcard_check_char(out->number);
    if (!date_is_valid(out->birth))                           /* ID-03: leap years included */
        return IDCARD_DATE;
    if (date_cmp(out->birth, today) > 0)                      /* ID-03: not after today */
        return IDCARD_FUTURE;
    if (out->number[17] != out->expected)                     /* ID-02 */
        return IDCARD_CHECK;
    return IDCARD_OK;
}

enum member_idcard_result member_idcard_matches(const struct member_idcard *c, struct date birth,
                                                int gender)
{
    if (date_cmp(c->birth, birth) != 0)                       /* ID-03 */
        return IDCARD_BIRTH_MISMATCH;
    if ((gender == 1 || gender == 2) && gender != c->gender)  /* ID-04; 0 and 9 say nothing */
        return IDCARD_GENDER_MISMATCH;
    return IDCARD_OK;
}

void member_idcard_make(int region, struct date birth, int sequence, char out[19])
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%06d%04d%02d%02d%03d", region % 1000000, birth.year % 10000,
             birth.month % 100, birth.day % 100, sequence % 1000);
    memcpy(out, tmp, 17);
    out[17] = member_idcard_check_char(out);
    out[18] = '\0';
}

const char *member_idcard_result_key(enum member_idcard_result r)
{
    static const char *const keys[] = {
        [IDCARD_OK] = "idcard.ok",
        [IDCARD_LENGTH] = "idcard.length",
        [IDCARD_CHARS] = "idcard.chars",
        [IDCARD_DATE] = "idcard.date",
        [IDCARD_FUTURE] = "idcard.future",
        [IDCARD_CHECK] = "idcard.check",
        [IDCARD_BIRTH_MISMATCH] = "idcard.birth_mismatch",
        [IDCARD_GENDER_MISMATCH] = "idcard.gender_mismatch",
    };
    return (unsigned)r < sizeof keys / sizeof keys[0] ? keys[r] : "idcard.invalid";
}
