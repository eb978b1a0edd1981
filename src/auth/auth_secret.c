/* auth_secret.c: random tokens, their hashes, recovery codes and the password parameters. */
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth_internal.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "crypto/keys.h"
#include "crypto/totp.h"

static struct password_params g_params;
static char g_dummy[PASSWORD_HASH_MAX];
/* `serve` times Argon2id (and hashes the dummy) on a thread of its own after it starts listening,
 * so the first answer does not wait ~200 ms for two password hashes (issue 3: start to first
 * answer < 200 ms); the first log-in waits for it instead. */
static atomic_bool g_ready;
static pthread_mutex_t g_ready_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_ready_cond = PTHREAD_COND_INITIALIZER;
static pthread_t g_calibrator;
static bool g_calibrating;

void auth_secret_new(const char *prefix, char *out, size_t cap)
{
    unsigned char raw[32];
    char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    snprintf(out, cap, "%s%s", prefix != NULL ? prefix : "", b64);
    sodium_memzero(raw, sizeof raw);
}

void auth_secret_hash(const char *token, char out[AUTH_HASH_HEX])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, AUTH_HASH_HEX, h, sizeof h);
}

bool auth_secret_equal(const char *a, const char *b)
{
    size_t n = strlen(a);
    return n == strlen(b) && sodium_memcmp(a, b, n) == 0;
}

/* 32 symbols without look-alikes: 0/o, 1/l/i. */
static const char ALPHABET[] = "abcdefghjkmnpqrstuvwxyz23456789";

void auth_recovery_code_new(char out[16])
{
    int k = 0;
    for (int i = 0; i < 12; i++) {
        if (i > 0 && i % 4 == 0)
            out[k++] = '-';
        out[k++] = ALPHABET[randombytes_uniform(sizeof ALPHABET - 1)];
    }
    out[k] = '\0';
}

void auth_temp_password(char out[24])
{
    char a[16], b[16];
    auth_recovery_code_new(a);
    auth_recovery_code_new(b);
    snprintf(out, 24, "%.9s-%.9s", a, b);
}

bool auth_login_fold(const char *login, char *out, size_t cap)
{
    size_t n = strlen(login);
    if (n == 0 || n >= cap)
        return false;
    for (size_t i = 0; i <= n; i++)
        out[i] = (char)(login[i] >= 'A' && login[i] <= 'Z' ? login[i] - 'A' + 'a' : login[i]);
    return true;
}

void auth_recovery_code_normalise(const char *in, char out[16])
{
    int k = 0;
    for (const char *p = in; *p != '\0' && k < 15; p++) {
        char c = *p;
        if (c == '-' || c == ' ')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        out[k++] = c;
    }
    out[k] = '\0';
}

/* Waits only while a calibration thread runs: a caller that never ran auth_startup (a bug)
 * gets the zeroed parameters, which password_hash refuses, instead of hanging forever. */
static void params_wait(void)
{
    if (atomic_load_explicit(&g_ready, memory_order_acquire))
        return;
    pthread_mutex_lock(&g_ready_lock);
    while (g_calibrating && !atomic_load_explicit(&g_ready, memory_order_acquire))
        pthread_cond_wait(&g_ready_cond, &g_ready_lock);
    pthread_mutex_unlock(&g_ready_lock);
}

static void params_ready(void)
{
    pthread_mutex_lock(&g_ready_lock);
    atomic_store_explicit(&g_ready, true, memory_order_release);
    pthread_cond_broadcast(&g_ready_cond);
    pthread_mutex_unlock(&g_ready_lock);
}

const struct password_params *auth_password_params(void)
{
    params_wait();
    return &g_params;
}

const char *auth_dummy_hash(void)
{
    params_wait();
    return g_dummy;
}

static int params_init(bool calibrate, struct err *e)
{
    const struct config *c = config_get();
    password_params_default(&g_params);
    g_params.mem_bytes = (size_t)c->password_mem_mib << 20;
    g_params.ops = 1;
    if (calibrate && c->password_ms > 0) {
        double ms = 0;
        if (password_calibrate(c->password_ms, g_params.mem_bytes, &g_params, &ms, e) != 0)
            return -1;
        log_info("auth", "Argon2id calibrated: t=%llu m=%zu MiB, %.0f ms",
                 g_params.ops, g_params.mem_bytes >> 20, ms);
    }
    char pw[AUTH_TOKEN_CHARS];
    auth_secret_new(NULL, pw, sizeof pw);
    return password_hash(pw, &g_params, g_dummy, e);
}

static void *calibrate_main(void *arg)
{
    (void)arg;
    struct err e = ERR_INIT;
    if (params_init(true, &e) != 0) {
        /* the configured memory and one pass stay; the dummy hash never matches */
        log_error("auth", "Argon2id calibration failed (%s): using t=1 m=%zu MiB",
                  e.message, g_params.mem_bytes >> 20);
        snprintf(g_dummy, sizeof g_dummy, "%s", "$argon2id$v=19$m=8,t=1,p=1$invalid$invalid");
    }
    params_ready();
    return NULL;
}

int auth_startup(bool create_keys, enum auth_calibrate calibrate, struct err *e)
{
    char path[600];
    struct keys *k = NULL;
    bool created = false;
    if (crypto_init(e) != 0 || totp_init(e) != 0)
        return -1;
    config_keys_path(config_get(), path, sizeof path);
    if ((create_keys ? keys_load_or_create(path, &k, &created, e) : keys_load(path, &k, e)) != 0)
        return -1;
    if (created)
        log_info("auth", "created key file %s (keep it safe and apart from the database)", path);
    keys_install(k);
    if (calibrate == AUTH_CALIBRATE_BACKGROUND) {
        g_calibrating = true;                  /* before the thread: params_wait reads it */
        if (pthread_create(&g_calibrator, NULL, calibrate_main, NULL) == 0)
            return 0;
        g_calibrating = false;
        log_warn("auth", "no calibration thread: calibrating before serving");
    }
    int rc = params_init(calibrate != AUTH_CALIBRATE_NO, e);
    params_ready();
    return rc;
}

void auth_stop(void)
{
    if (g_calibrating) {
        pthread_join(g_calibrator, NULL);
        g_calibrating = false;
    }
}
