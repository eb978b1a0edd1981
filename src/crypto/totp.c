/* totp.c: RFC 6238 through liboath (see totp.h). */
#include "crypto/totp.h"

#include <liboath/oath.h>
#include <stdio.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"

int totp_init(struct err *e)
{
    if (oath_init() != OATH_OK)
        return err_set(e, ERR_INTERNAL, "totp.init_failed");
    return 0;
}

int totp_generate(const unsigned char *secret, size_t len, time_t now, char out[TOTP_DIGITS + 1],
                  struct err *e)
{
    if (oath_totp_generate((const char *)secret, len, now, TOTP_STEP_S, 0, TOTP_DIGITS, out) !=
        OATH_OK)
        return err_set(e, ERR_INTERNAL, "totp.failed");
    return 0;
}

int totp_verify(const unsigned char *secret, size_t len, time_t now, const char *code,
                int window, int64_t *step, struct err *e)
{
    if (strlen(code) != TOTP_DIGITS || strspn(code, "0123456789") != TOTP_DIGITS)
        return err_set(e, ERR_INVALID, "totp.wrong_code");
    int pos = 0;
    int r = oath_totp_validate2((const char *)secret, len, now, TOTP_STEP_S, 0, (size_t)window,
                                &pos, code);
    if (r < 0)
        return err_set(e, ERR_INVALID, "totp.wrong_code");
    *step = (int64_t)(now / TOTP_STEP_S) + pos;
    return 0;
}

static void add_escaped(struct buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~')
            buf_addc(b, (char)*p);
        else
            buf_addf(b, "%%%02X", *p);
    }
}

char *totp_uri(const unsigned char *secret, size_t len, const char *issuer, const char *account)
{
    char *b32 = NULL;
    size_t b32len = 0;
    if (oath_base32_encode((const char *)secret, len, &b32, &b32len) != OATH_OK)
        return NULL;
    struct buf b = BUF_INIT(4096);
    buf_adds(&b, "otpauth://totp/");
    add_escaped(&b, issuer);
    buf_addc(&b, ':');
    add_escaped(&b, account);
    buf_adds(&b, "?secret=");
    for (size_t i = 0; i < b32len; i++)
        if (b32[i] != '=')                  /* apps expect unpadded base32 */
            buf_addc(&b, b32[i]);
    buf_adds(&b, "&issuer=");
    add_escaped(&b, issuer);
    buf_addf(&b, "&digits=%d&period=%d", TOTP_DIGITS, TOTP_STEP_S);
    free(b32);
    if (buf_failed(&b)) {
        buf_fini(&b);
        return NULL;
    }
    return buf_take(&b);
}

char *totp_secret_base32(const unsigned char *secret, size_t len)
{
    char *b32 = NULL;
    size_t b32len = 0;
    if (oath_base32_encode((const char *)secret, len, &b32, &b32len) != OATH_OK)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < b32len; i++)
        if (b32[i] != '=')
            b32[n++] = b32[i];
    b32[n] = '\0';
    return b32;
}

int totp_secret_decode(const char *b32, unsigned char out[TOTP_SECRET_BYTES], struct err *e)
{
    char *bin = NULL;
    size_t len = 0;
    if (oath_base32_decode(b32, strlen(b32), &bin, &len) != OATH_OK || len != TOTP_SECRET_BYTES) {
        free(bin);
        return err_set(e, ERR_INTERNAL, "totp.bad_secret");
    }
    memcpy(out, bin, len);
    sodium_memzero(bin, len);
    free(bin);
    return 0;
}
