/* mask.c: masking of identifiers and addresses (see mask.h). */
#include "core/mask.h"

#include <stdbool.h>
#include <string.h>

#include "core/utf8.h"

static void keep_ends(const char *in, size_t head, size_t tail, char out[MASK_MAX])
{
    size_t n = strlen(in), w = 0;
    if (n >= MASK_MAX || n <= tail) {
        strcpy(out, "****");
        return;
    }
    if (head + tail >= n)
        head = 0;
    for (size_t i = 0; i < n; i++)
        out[w++] = i < head || i >= n - tail ? in[i] : '*';
    out[w] = '\0';
}

void mask_id_number(const char *in, char out[MASK_MAX])
{
    keep_ends(in, strlen(in) == 18 ? 6 : 0, 4, out);
}

void mask_phone(const char *in, char out[MASK_MAX])
{
    keep_ends(in, strlen(in) == 11 ? 3 : 0, 4, out);
}

void mask_birth_date(const char *in, char out[MASK_MAX])
{
    bool ok = strlen(in) == 10 && in[4] == '-' && in[7] == '-';
    for (int i = 0; ok && i < 10; i++)
        ok = i == 4 || i == 7 || (in[i] >= '0' && in[i] <= '9');
    if (!ok) {
        strcpy(out, "****");
        return;
    }
    memcpy(out, in, 5);
    strcpy(out + 5, "**-**");
}

void mask_address(const char *in, char out[MASK_MAX])
{
    if (!utf8_valid(in, strlen(in))) {
        strcpy(out, "****");
        return;
    }
    const char *p = in;
    for (int cps = 0; *p != '\0' && cps < 6; cps++)
        do
            p++;
        while (((unsigned char)*p & 0xC0) == 0x80);
    size_t head = (size_t)(p - in);
    if (head + 5 > MASK_MAX) {
        strcpy(out, "****");
        return;
    }
    memcpy(out, in, head);
    strcpy(out + head, "****");
}
