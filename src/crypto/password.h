/* password.h: password hashing with Argon2id (libsodium), for the identity issue.
 * A hash is libsodium's self-describing string ("$argon2id$v=19$m=65536,t=2,p=1$salt$hash"),
 * so the parameters travel with each hash: raising them later makes old hashes "need rehash",
 * and the log-in path re-hashes on the next successful log-in. Parameters are calibrated on the
 * machine (password_calibrate) towards a target time, ~100 ms by default (issue 4).
 * Call crypto_init() once before anything here. Threads: safe (no shared state). */
#ifndef DJ_PASSWORD_H
#define DJ_PASSWORD_H
#include <stdbool.h>
#include <stddef.h>

struct err;

#define PASSWORD_HASH_MAX 128          /* >= crypto_pwhash_STRBYTES */
#define PASSWORD_MAX_BYTES 1024        /* longer input is refused before hashing */

struct password_params {
    unsigned long long ops;            /* Argon2id passes (t) */
    size_t mem_bytes;                  /* memory (m), bytes */
};

int crypto_init(struct err *e) __attribute__((warn_unused_result));   /* sodium_init */
void password_params_default(struct password_params *p);   /* t=2, m=64 MiB (libsodium INTERACTIVE) */
/* Hashes pw into out. Fails with ERR_INVALID "password.too_long" above PASSWORD_MAX_BYTES, or
 * ERR_INTERNAL when memory for Argon2id cannot be had. */
int password_hash(const char *pw, const struct password_params *p, char out[PASSWORD_HASH_MAX],
                  struct err *e) __attribute__((warn_unused_result));
/* Constant-time check; false for a wrong password, a malformed hash or over-long input. */
bool password_verify(const char *hash, const char *pw);
/* True when hash was made with other parameters than p (or is not an Argon2id hash). */
bool password_needs_rehash(const char *hash, const struct password_params *p);
/* Finds parameters whose hash takes about target_ms here: memory fixed at mem_bytes, passes
 * raised from 1 until the time is reached (at most 10). *ms gets the measured time. */
int password_calibrate(int target_ms, size_t mem_bytes, struct password_params *out, double *ms,
                       struct err *e) __attribute__((warn_unused_result));

#endif
