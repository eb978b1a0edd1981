/* field.c: per-value AEAD and blind index over libsodium (see field.h).
 *
 * Nonces are 24 random bytes, drawn from a small per-thread pool that is refilled from
 * randombytes_buf() 64 nonces at a time: on this VM a getrandom() call costs ~1.7 us, a third of
 * sealing one value, and the demo and key rotation seal millions. Nonces are public, so the pool
 * holds nothing secret; a fork handler empties it in the child (the only thread there is the one
 * that forked), so a child never reuses its parent's nonces. */
#include "crypto/field.h"

#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"

#define NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG crypto_aead_xchacha20poly1305_ietf_ABYTES
#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

static const struct field_key *find_key(const struct field_keyring *kr, uint32_t id)
{
    for (size_t i = 0; i < kr->count; i++)
        if (kr->keys[i].id == id)
            return &kr->keys[i];
    return NULL;
}

#define POOL_NONCES 64

struct nonce_pool {
    unsigned char bytes[NONCE * POOL_NONCES];
    size_t used;                 /* nonces handed out of bytes */
};

static _Thread_local struct nonce_pool pool = {.used = POOL_NONCES};
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void pool_drop_in_child(void)
{
    pool.used = POOL_NONCES;
}

static void pool_register(void)
{
    if (pthread_atfork(NULL, NULL, pool_drop_in_child) != 0)
        abort();                 /* ENOMEM at start-up: nothing sensible is left to do */
}

static void next_nonce(unsigned char out[NONCE])
{
    if (pool.used == POOL_NONCES) {
        if (pthread_once(&pool_once, pool_register) != 0)
            abort();
        randombytes_buf(pool.bytes, sizeof pool.bytes);
        pool.used = 0;
    }
    memcpy(out, pool.bytes + pool.used * NONCE, NONCE);
    pool.used++;
}

/* "v1:<id>:" into out (>= 16 bytes); returns its length. */
static size_t put_prefix(char *out, uint32_t id)
{
    char digits[10];
    size_t n = 0, len = 3;
    memcpy(out, "v1:", 3);
    do {
        digits[n++] = (char)('0' + id % 10);
        id /= 10;
    } while (id != 0);
    while (n > 0)
        out[len++] = digits[--n];
    out[len++] = ':';
    return len;
}

static size_t make_ad(char *ad, size_t cap, const char *column, int64_t row_id)
{
    int n = snprintf(ad, cap, "%s:%" PRId64, column, row_id);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

int field_encrypt(const struct field_keyring *kr, const char *column, int64_t row_id,
                  const char *plain, char **out, struct err *e)
{
    const struct field_key *k = find_key(kr, kr->current);
    size_t len = strnlen(plain, FIELD_MAX_PLAIN + 1);
    char ad[160];
    size_t adlen = make_ad(ad, sizeof ad, column, row_id);
    if (k == NULL)
        return err_set(e, ERR_INTERNAL, "field.unknown_key");
    if (len > FIELD_MAX_PLAIN || adlen == 0)
        return err_set(e, ERR_INVALID, "field.too_long");
    unsigned char box[NONCE + FIELD_MAX_PLAIN + TAG];
    next_nonce(box);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(box + NONCE, &clen, (const unsigned char *)plain,
                                               len, (const unsigned char *)ad, adlen, NULL, box,
                                               k->key);
    size_t b64len = sodium_base64_ENCODED_LEN(NONCE + clen, B64);
    char *s = xmalloc(16 + b64len);
    size_t n = put_prefix(s, k->id);
    sodium_bin2base64(s + n, b64len, box, NONCE + clen, B64);
    *out = s;
    return 0;
}

uint32_t field_key_id(const char *stored)
{
    if (strncmp(stored, "v1:", 3) != 0)
        return 0;
    char *end;
    unsigned long v = strtoul(stored + 3, &end, 10);
    return *end == ':' && v <= UINT32_MAX ? (uint32_t)v : 0;
}

int field_decrypt(const struct field_keyring *kr, const char *column, int64_t row_id,
                  const char *stored, char **out, struct err *e)
{
    uint32_t id = field_key_id(stored);
    const char *b64 = id != 0 ? strchr(stored + 3, ':') : NULL;
    if (b64 == NULL)
        return err_set(e, ERR_INVALID, "field.tampered");
    const struct field_key *k = find_key(kr, id);
    if (k == NULL)
        return err_set(e, ERR_INVALID, "field.unknown_key");
    b64++;
    size_t cap = strlen(b64);             /* decoded is shorter than the text */
    unsigned char *box = xmalloc(cap + 1);
    size_t blen = 0;
    char ad[160];
    size_t adlen = make_ad(ad, sizeof ad, column, row_id);
    int rc = -1;
    if (sodium_base642bin(box, cap, b64, cap, NULL, &blen, NULL, B64) != 0 || blen < NONCE + TAG ||
        adlen == 0) {
        err_set(e, ERR_INVALID, "field.tampered");
        goto done;
    }
    char *plain = xmalloc(blen - NONCE - TAG + 1);
    unsigned long long plen = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)plain, &plen, NULL,
                                                   box + NONCE, blen - NONCE,
                                                   (const unsigned char *)ad, adlen, box,
                                                   k->key) != 0) {
        free(plain);
        err_set(e, ERR_INVALID, "field.tampered");
        goto done;
    }
    plain[plen] = '\0';
    *out = plain;
    rc = 0;
done:
    free(box);
    return rc;
}

void field_blind_index(const unsigned char key[FIELD_KEY_BYTES], const char *normalised,
                       char out[FIELD_BLIND_HEX])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)normalised, strlen(normalised), key,
                       FIELD_KEY_BYTES);
    sodium_bin2hex(out, FIELD_BLIND_HEX, h, sizeof h);
}
