/* auth_internal.h: what the files of src/auth share (the store, secrets, throttling rules).
 * Features use auth.h; only the server also calls auth_gate(). Threads: per connection. */
#ifndef DJ_AUTH_INTERNAL_H
#define DJ_AUTH_INTERNAL_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/auth.h"
#include "crypto/password.h"

struct arena;
struct audit_who;
struct db;
struct err;
struct http_req;
struct http_res;

/* ---- secrets (auth_secret.c) ---- */
#define AUTH_TOKEN_CHARS 44          /* base64url of 32 random bytes (43) + NUL */
#define AUTH_HASH_HEX 65
/* A new random token as base64url text, with an optional prefix ("djt_"). */
void auth_secret_new(const char *prefix, char *out, size_t cap);
/* BLAKE2b-256 hex of a token (what the database keeps). */
void auth_secret_hash(const char *token, char out[AUTH_HASH_HEX]);
bool auth_secret_equal(const char *a, const char *b);   /* constant time for equal lengths */

/* ---- principals kept between requests (auth_cache.c) ---- */
struct auth_cached {
    struct auth_principal *principal;
    int64_t seen_at;           /* session: last_seen_at; token: last_used_at */
    int64_t expires_at;
};
/* A copy of the principal of the secret with this hash, in a, if one was put with the change
 * number that is still current (db_change.h); the caller checks the times. */
bool auth_cache_get(const char *hash, struct arena *a, struct auth_cached *out);
/* Keeps c (copied) for hash; gen is db_change_gen() from before the database was read. */
void auth_cache_put(const char *hash, uint64_t gen, const struct auth_cached *c);
void auth_cache_clear(void);
struct auth_principal *auth_principal_copy(struct arena *a, const struct auth_principal *p);
/* Recovery code "abcd-efgh-jkmn" (no 0/o/1/l/i); normalise before hashing. */
void auth_recovery_code_new(char out[16]);
void auth_recovery_code_normalise(const char *in, char out[16]);
/* The password hashing parameters this process uses (set by auth_startup). */
const struct password_params *auth_password_params(void);
/* A random initial password, 19 characters from the recovery-code alphabet (~80 bits). */
void auth_temp_password(char out[24]);
/* The form a log-in name is stored and throttled under: ASCII letters lower-cased. false when
 * it is empty or does not fit in cap. */
bool auth_login_fold(const char *login, char *out, size_t cap);
/* A hash of a random password, verified when the user does not exist so that the answer takes
 * as long as for a real user (no timing oracle). */
const char *auth_dummy_hash(void);

/* ---- throttling rules (auth_throttle.c: pure) ---- */
#define THROTTLE_LOCK_S (15 * 60)
#define THROTTLE_FORGET_S (15 * 60)  /* a quiet key starts again from zero */
struct throttle_policy {
    int free;                        /* failures before any delay (5) */
    int lock_at;                     /* failures that lock the key for THROTTLE_LOCK_S (10) */
};
/* The policy for a key: "a:..." per account, "i:..." per client address (config). */
struct throttle_policy auth_throttle_policy(const char *key);
/* Seconds the key is blocked after its n-th consecutive failure: 0 up to p->free, then 1, 2,
 * 4, 8 ... s, then THROTTLE_LOCK_S from p->lock_at on. */
int64_t auth_throttle_delay(const struct throttle_policy *p, int failures);
/* Failures after one more at `now`, given the stored count and time of the last failure. */
int auth_throttle_next(const struct throttle_policy *p, int failures, int64_t last_failure_at,
                       int64_t now);

/* ---- names (auth_rules.c: pure) ---- */
bool auth_username_valid(const char *s);  /* 3-32 of [A-Za-z0-9._-], [A-Za-z0-9] first, not all digits */
bool auth_display_name_valid(const char *s);   /* 1-50 characters, no control characters */

/* ---- store (auth_store.c) ---- */
struct auth_user {
    int64_t id;
    const char *username;
    const char *display_name;
    int64_t member_id;
    const char *phone_enc;
    const char *password_hash;
    bool must_change_password;
    const char *mfa_secret_enc;
    bool mfa_enabled;
    int64_t mfa_last_step;
    bool active;
    int64_t last_login_at;
    int64_t created_at;
};

/* By id or by log-in name (a user name, or a phone number through its blind index). Not found
 * is ERR_NOT_FOUND "auth.no_user". Strings live in a. */
int auth_store_user(struct db *db, struct arena *a, int64_t id, struct auth_user *u,
                    struct err *e) __attribute__((warn_unused_result));
int auth_store_user_by_login(struct db *db, struct arena *a, const char *login,
                             struct auth_user *u, struct err *e) __attribute__((warn_unused_result));
/* Fills p->grants from role_assignments (org paths in a). */
int auth_store_grants(struct db *db, struct arena *a, int64_t user_id, struct auth_principal *p,
                      struct err *e) __attribute__((warn_unused_result));
bool auth_grants_need_mfa(const struct auth_principal *p);

int auth_store_set_password(struct db *db, int64_t user_id, const char *hash, bool must_change,
                            struct err *e) __attribute__((warn_unused_result));
int auth_store_login_ok(struct db *db, int64_t user_id, struct err *e)
    __attribute__((warn_unused_result));

/* Sessions. token is the cookie value; the row keeps its hash. */
int auth_store_session_new(struct db *db, int64_t user_id, enum auth_stage stage,
                           const char *ip, const char *user_agent, char token[AUTH_TOKEN_CHARS],
                           char csrf[AUTH_TOKEN_CHARS], struct err *e)
    __attribute__((warn_unused_result));
int auth_store_session_revoke(struct db *db, int64_t session_id, struct err *e)
    __attribute__((warn_unused_result));
/* Revokes every session of the user except keep_id (0 = all). */
int auth_store_sessions_revoke_user(struct db *db, int64_t user_id, int64_t keep_id,
                                    struct err *e) __attribute__((warn_unused_result));

/* Throttle rows: blocked-until for a key (0 if none), record a failure, forget a key. */
int auth_store_throttle_get(struct db *db, const char *key, int64_t *blocked_until,
                            struct err *e) __attribute__((warn_unused_result));
int auth_store_throttle_fail(struct db *db, const char *key, int64_t now, struct err *e)
    __attribute__((warn_unused_result));
int auth_store_throttle_clear(struct db *db, const char *key, struct err *e)
    __attribute__((warn_unused_result));

/* The personal-data column helpers for users.phone (encrypt + blind index). */
int auth_store_user_phone(struct db *db, int64_t user_id, const char *phone, struct err *e)
    __attribute__((warn_unused_result));

/* Creates a user (password already hashed); *id out. Conflict on the name: ERR_CONFLICT
 * "auth.username_taken". */
struct auth_new_user {
    const char *username;
    const char *display_name;
    int64_t member_id;          /* 0 = none */
    const char *phone;          /* plain, or NULL */
    const char *password_hash;
    bool must_change_password;
};
int auth_store_user_create(struct db *db, const struct auth_new_user *nu, int64_t *id,
                           struct err *e) __attribute__((warn_unused_result));
int auth_store_grant(struct db *db, int64_t user_id, enum auth_role role, int64_t org_id,
                     int64_t granted_by, int64_t *grant_id, struct err *e)
    __attribute__((warn_unused_result));

/* MFA: store a pending secret (enabled = false), enable it, reset everything. */
int auth_store_mfa_set(struct db *db, int64_t user_id, const char *secret_b32, bool enabled,
                       struct err *e) __attribute__((warn_unused_result));
int auth_store_mfa_step(struct db *db, int64_t user_id, int64_t step, struct err *e)
    __attribute__((warn_unused_result));
int auth_store_mfa_reset(struct db *db, int64_t user_id, struct err *e)
    __attribute__((warn_unused_result));
int auth_store_mfa_enable(struct db *db, int64_t user_id, int64_t step, struct err *e)
    __attribute__((warn_unused_result));
/* The user's live sessions as a JSON array (current one marked). NULL on error. */
json_t *auth_store_sessions_json(struct db *db, int64_t user_id, int64_t current_id,
                                 struct err *e);
/* Revokes one of the user's own sessions; ERR_NOT_FOUND if it is not theirs or not live. */
int auth_store_session_revoke_own(struct db *db, int64_t user_id, int64_t session_id,
                                  struct err *e) __attribute__((warn_unused_result));
/* Decrypts the user's secret into out (TOTP_SECRET_BYTES). */
int auth_store_mfa_secret(const struct auth_user *u, unsigned char *out, struct err *e)
    __attribute__((warn_unused_result));
/* Replaces the user's recovery codes with the n given (plain; hashed here). */
int auth_store_recovery_set(struct db *db, int64_t user_id, char codes[][16], int n,
                            struct err *e) __attribute__((warn_unused_result));
/* Uses a recovery code: 0 when it matched an unused one (now used), -1 otherwise. */
int auth_store_recovery_use(struct db *db, int64_t user_id, const char *code, bool *ok,
                            struct err *e) __attribute__((warn_unused_result));

/* ---- gate (auth_gate.c), called by the server before a handler ---- */
/* Resolves the caller for a route needing `perm` and checks it. 0 = go on (req->auth set);
 * -1 with e = 401/403 to send. */
int auth_gate(struct http_req *req, const char *perm, struct err *e);

/* Cookie helpers for the log-in handlers. */
void auth_set_session_cookie(struct http_req *req, struct http_res *res, const char *token);
void auth_clear_session_cookie(struct http_res *res);
const char *auth_cookie_token(const struct http_req *req);   /* NULL if none */

/* Route tables: auth_register() registers them all (auth_login_api.c). */
void auth_register(void);
void auth_login_register(void);
void auth_users_register(void);
void auth_tokens_register(void);
/* `dangjian user ...` */
int auth_cli_main(int argc, char **argv, const char *db_url);
/* Start-up for anything that handles identities or personal data: libsodium, liboath, the
 * key file (created when create_keys and missing) and the password parameters: one pass at the
 * configured memory (NO), or timed against --password-ms now (YES) or on a thread of its own
 * while the caller goes on (BACKGROUND: `serve`; auth_password_params() and auth_dummy_hash()
 * wait for it, auth_stop() joins it). */
enum auth_calibrate { AUTH_CALIBRATE_NO, AUTH_CALIBRATE_YES, AUTH_CALIBRATE_BACKGROUND };
int auth_startup(bool create_keys, enum auth_calibrate calibrate, struct err *e)
    __attribute__((warn_unused_result));
void auth_stop(void);

#endif
