/* pdata.c: normalisation and blind indexes of personal data (see pdata.h). */
#include "crypto/pdata.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
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

int pdata_blind_all(const struct keys *k, const char *column, const char *normalised,
                    char out[PDATA_BLIND_ALL][FIELD_BLIND_HEX])
{
    _Static_assert(PDATA_BLIND_ALL == KEYS_BLIND_OLD + 1, "one place per kept blind key");
    char text[PDATA_NORM_MAX + 32];
    snprintf(text, sizeof text, "%s:%s", column, normalised);
    field_blind_index(k->blind, text, out[0]);
    for (size_t i = 0; i < k->nblind_old; i++)
        field_blind_index(k->blind_old[i], text, out[1 + i]);
    for (size_t i = 1 + k->nblind_old; i < PDATA_BLIND_ALL; i++)
        memcpy(out[i], out[0], FIELD_BLIND_HEX);
    sodium_memzero(text, sizeof text);
    return 1 + (int)k->nblind_old;
}

/* Direct-mapped, per thread: 16,384 entries of a 64-bit hash, the sealed text's first 24
 * characters (the version, key id and the start of the random nonce) and the masked value. */
#define CACHE_SLOTS 16384
#define CACHE_PREFIX 24
#define CACHE_MASK 64
struct slot {
    uint64_t hash;
    char prefix[CACHE_PREFIX];
    char masked[CACHE_MASK];
    uint8_t len;                /* strlen(masked) */
};
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_key_make(void)
{
    if (pthread_key_create(&cache_key, free) != 0)
        abort();
}

/* This thread's cache (freed with the thread), or NULL without memory for one. */
static struct slot *thread_cache(void)
{
    pthread_once(&cache_once, cache_key_make);
    struct slot *c = pthread_getspecific(cache_key);
    if (c == NULL && (c = calloc(CACHE_SLOTS, sizeof *c)) != NULL &&
        pthread_setspecific(cache_key, c) != 0) {
        free(c);
        c = NULL;
    }
    return c;
}

/* FNV-1a over the first 48 characters: "v1:<key id>:" and the start of the base64 of the
 * random 24-byte nonce, which already tells every sealed value apart. */
static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < 48 && s[i] != '\0'; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

int pdata_masked(const struct field_keyring *kr, const char *column, int64_t row_id,
                 const char *sealed, void (*mask)(const char *in, char out[256]), char out[256])
{
    uint64_t h = fnv1a(sealed) ^ (uint64_t)row_id * 0x9E3779B97F4A7C15ULL;
    struct slot *sl = NULL, *cache = thread_cache();
    if (cache != NULL) {
        sl = &cache[h % CACHE_SLOTS];
        if (sl->hash == h && strncmp(sl->prefix, sealed, CACHE_PREFIX) == 0) {
            memcpy(out, sl->masked, sl->len + 1);
            return 0;
        }
    }
    char *plain = NULL;
    struct err e = {0};
    out[0] = '\0';
    if (field_decrypt(kr, column, row_id, sealed, &plain, &e) != 0)
        return -1;
    mask(plain, out);
    sodium_memzero(plain, strlen(plain));
    free(plain);
    size_t len = strlen(out);
    if (sl != NULL && len < CACHE_MASK) {
        sl->hash = h;
        size_t n = strnlen(sealed, CACHE_PREFIX);
        memset(sl->prefix, 0, CACHE_PREFIX);
        memcpy(sl->prefix, sealed, n);
        memcpy(sl->masked, out, len + 1);
        sl->len = (uint8_t)len;
    }
    return 0;
}
