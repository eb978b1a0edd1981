/* password.c: Argon2id through libsodium's crypto_pwhash_str* (see password.h). Nothing here is
 * home-made crypto: we only choose parameters, cap input length and time the calibration. */
#include "crypto/password.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

#include "core/err.h"

_Static_assert(PASSWORD_HASH_MAX >= crypto_pwhash_STRBYTES, "hash buffer too small");

int crypto_init(struct err *e)
{
    if (sodium_init() < 0)
        return err_set(e, ERR_INTERNAL, "crypto.init_failed");
    return 0;
}

void password_params_default(struct password_params *p)
{
    p->ops = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
    p->mem_bytes = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;
}

int password_hash(const char *pw, const struct password_params *p, char out[PASSWORD_HASH_MAX],
                  struct err *e)
{
    size_t len = strnlen(pw, PASSWORD_MAX_BYTES + 1);
    if (len > PASSWORD_MAX_BYTES)
        return err_set(e, ERR_INVALID, "password.too_long");
    if (crypto_pwhash_str_alg(out, pw, len, p->ops, p->mem_bytes,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return err_set(e, ERR_INTERNAL, "password.hash_failed");   /* out of memory */
    return 0;
}

bool password_verify(const char *hash, const char *pw)
{
    size_t len = strnlen(pw, PASSWORD_MAX_BYTES + 1);
    if (len > PASSWORD_MAX_BYTES || strnlen(hash, PASSWORD_HASH_MAX) >= PASSWORD_HASH_MAX ||
        strncmp(hash, "$argon2id$", 10) != 0)
        return false;
    return crypto_pwhash_str_verify(hash, pw, len) == 0;
}

bool password_needs_rehash(const char *hash, const struct password_params *p)
{
    if (strnlen(hash, PASSWORD_HASH_MAX) >= PASSWORD_HASH_MAX ||
        strncmp(hash, "$argon2id$", 10) != 0)
        return true;
    return crypto_pwhash_str_needs_rehash(hash, p->ops, p->mem_bytes) != 0;
}

static double elapsed_ms(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) * 1000.0 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

int password_calibrate(int target_ms, size_t mem_bytes, struct password_params *out, double *ms,
                       struct err *e)
{
    char hash[PASSWORD_HASH_MAX];
    struct password_params p = {.ops = 1, .mem_bytes = mem_bytes};
    for (;; p.ops++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (password_hash("calibration-Passw0rd", &p, hash, e) != 0)
            return -1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        *ms = elapsed_ms(&t0, &t1);
        if (*ms >= target_ms || p.ops >= 10)
            break;
    }
    *out = p;
    return 0;
}
