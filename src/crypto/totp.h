/* totp.h: time-based one-time passwords (RFC 6238, HMAC-SHA1, 30 s steps, 6 digits: what
 * authenticator apps expect) through liboath, for MFA (issue 4).
 * Verification reports the time step that matched, so the caller can refuse a code whose step
 * is not newer than the last one accepted for that user (each code works once).
 * Call totp_init() once at start-up. Threads: safe after totp_init. */
#ifndef DJ_TOTP_H
#define DJ_TOTP_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct err;

#define TOTP_SECRET_BYTES 20        /* 160 bits, as RFC 4226 recommends */
#define TOTP_DIGITS 6
#define TOTP_STEP_S 30

int totp_init(struct err *e) __attribute__((warn_unused_result));
/* Writes the current code (TOTP_DIGITS digits + NUL). */
int totp_generate(const unsigned char *secret, size_t len, time_t now, char out[TOTP_DIGITS + 1],
                  struct err *e) __attribute__((warn_unused_result));
/* 0 when code matches a step within +-window steps of now (*step = that step number);
 * -1 with ERR_INVALID "totp.wrong_code" otherwise (malformed codes included). */
int totp_verify(const unsigned char *secret, size_t len, time_t now, const char *code,
                int window, int64_t *step, struct err *e) __attribute__((warn_unused_result));
/* "otpauth://totp/<issuer>:<account>?secret=<BASE32>&issuer=<issuer>&digits=6&period=30";
 * issuer and account are percent-encoded. Caller frees. */
char *totp_uri(const unsigned char *secret, size_t len, const char *issuer, const char *account);

/* The secret as unpadded base32 (what people type into an app); caller frees. NULL on failure. */
char *totp_secret_base32(const unsigned char *secret, size_t len);
/* Decodes a base32 secret of TOTP_SECRET_BYTES bytes. */
int totp_secret_decode(const char *b32, unsigned char out[TOTP_SECRET_BYTES], struct err *e)
    __attribute__((warn_unused_result));

#endif
