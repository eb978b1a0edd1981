/* pdata.c: normalisation and blind indexes of personal data (see pdata.h). */
#include "crypto/pdata.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "crypto/keys.h"

/* Copies s into out keeping what keep() accepts; U+FF10..U+FF19 (full-width digits, EF BC 90..
 * EF BC 99) and full-width X (EF BC B8 / EF BD 98) count as their ASCII forms. */
static int filter(const char *s, char out[PDATA_NORM_MAX], int (*keep)(int c))
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        int c = *p;
        if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
            c = '0' + (p[2] - 0x90);
            p += 2;
        } else if (p[0] == 0xEF && ((p[1] == 0xBC && p[2] == 0xB8) || (p[1] == 0xBD && p[2] == 0x98))) {
            c = 'X';
            p += 2;
        }
        if (c == ' ' || c == '\t' || c == '-')
            continue;
        if (!keep(c))
            return -1;
        if (n + 1 >= PDATA_NORM_MAX)
            return -1;
        out[n++] = (char)toupper(c);
    }
    out[n] = '\0';
    return n > 0 ? 0 : -1;
}

static int id_char(int c)
{
    return isdigit(c) || c == 'x' || c == 'X';
}

static int phone_char(int c)
{
    return isdigit(c) || c == '+' || c == '(' || c == ')';
}

int pdata_normalise_id_number(const char *in, char out[PDATA_NORM_MAX])
{
    return filter(in, out, id_char);
}

int pdata_normalise_phone(const char *in, char out[PDATA_NORM_MAX])
{
    char tmp[PDATA_NORM_MAX];
    if (filter(in, tmp, phone_char) != 0)
        return -1;
    size_t n = 0;
    const char *p = tmp;
    if (strncmp(p, "+86", 3) == 0)
        p += 3;
    else if (strncmp(p, "0086", 4) == 0)
        p += 4;
    for (; *p != '\0'; p++)
        if (isdigit((unsigned char)*p))
            out[n++] = *p;
        else if (*p == '+')
            return -1;
    out[n] = '\0';
    return n > 0 ? 0 : -1;
}

void pdata_blind(const struct keys *k, const char *column, const char *normalised,
                 char out[FIELD_BLIND_HEX])
{
    char text[PDATA_NORM_MAX + 32];
    snprintf(text, sizeof text, "%s:%s", column, normalised);
    field_blind_index(k->blind, text, out);
}
