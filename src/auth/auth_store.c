/* auth_store.c: users, role grants, sessions, log-in throttling and MFA rows (SQL only). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/auth_internal.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/err.h"
#include "crypto/field.h"
#include "crypto/keys.h"
#include "crypto/pdata.h"
#include "crypto/totp.h"
#include "db/db.h"

#define USER_COLS                                                                              \
    "id, username, display_name, member_id, phone_enc, password_hash, must_change_password, " \
    "mfa_secret_enc, mfa_enabled, mfa_last_step, status, last_login_at, created_at"

static const char SQL_USER_BY_ID[] = "SELECT " USER_COLS " FROM users WHERE id = ?";
static const char SQL_USER_BY_NAME[] = "SELECT " USER_COLS " FROM users WHERE username = ?";
static const char SQL_USER_BY_PHONE[] = "SELECT " USER_COLS " FROM users WHERE phone_bidx = ?";
static const char SQL_GRANTS[] =
    "SELECT r.role, r.org_id, o.path FROM role_assignments r LEFT JOIN orgs o ON o.id = r.org_id "
    "WHERE r.user_id = ? ORDER BY r.id";

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static int step_done(struct db_stmt *st, struct err *e)
{
    int rc = db_step(st, e) == DB_DONE ? 0 : -1;
    db_finalize(st);
    return rc;
}

static void read_user(struct arena *a, struct db_stmt *st, struct auth_user *u)
{
    u->id = db_col_i64(st, 0);
    u->username = db_col_strdup(a, st, 1);
    u->display_name = db_col_strdup(a, st, 2);
    u->member_id = db_col_i64(st, 3);
    u->phone_enc = db_col_strdup(a, st, 4);
    u->password_hash = db_col_strdup(a, st, 5);
    u->must_change_password = db_col_i64(st, 6) != 0;
    u->mfa_secret_enc = db_col_strdup(a, st, 7);
    u->mfa_enabled = db_col_i64(st, 8) != 0;
    u->mfa_last_step = db_col_i64(st, 9);
    const char *status = db_col_text(st, 10);
    u->active = status != NULL && strcmp(status, "active") == 0;
    u->last_login_at = db_col_i64(st, 11);
    u->created_at = db_col_i64(st, 12);
}

static int user_query(struct db *db, struct arena *a, const char *sql, int64_t id,
                      const char *text, struct auth_user *u, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    if (text != NULL)
        db_bind_text(st, 1, text);
    else
        db_bind_i64(st, 1, id);
    int r = db_step(st, e);
    if (r == DB_ROW)
        read_user(a, st, u);
    db_finalize(st);
    if (r == DB_ERROR)
        return -1;
    return r == DB_ROW ? 0 : err_set(e, ERR_NOT_FOUND, "auth.no_user");
}

int auth_store_user(struct db *db, struct arena *a, int64_t id, struct auth_user *u,
                    struct err *e)
{
    return user_query(db, a, SQL_USER_BY_ID, id, NULL, u, e);
}

int auth_store_user_by_login(struct db *db, struct arena *a, const char *login,
                             struct auth_user *u, struct err *e)
{
    char lower[128];
    if (!auth_login_fold(login, lower, sizeof lower))
        return err_set(e, ERR_NOT_FOUND, "auth.no_user");
    if (user_query(db, a, SQL_USER_BY_NAME, 0, lower, u, e) == 0 || e->code != ERR_NOT_FOUND)
        return e->code == ERR_OK ? 0 : -1;
    /* Not a user name: perhaps a phone number (exact match through the blind index). */
    char norm[PDATA_NORM_MAX], bidx[PDATA_BLIND_ALL][FIELD_BLIND_HEX];
    const struct keys *k = keys_get();
    if (k == NULL || pdata_normalise_phone(login, norm) != 0 || strlen(norm) < 7)
        return -1;
    /* under the current blind key, then any older one a rotation has not re-indexed away */
    int n = pdata_blind_all(k, "phone", norm, bidx);
    for (int i = 0; i < n; i++) {
        err_clear(e);
        if (user_query(db, a, SQL_USER_BY_PHONE, 0, bidx[i], u, e) == 0)
            return 0;
        if (e->code != ERR_NOT_FOUND)
            return -1;
    }
    return -1;
}

int auth_store_grants(struct db *db, struct arena *a, int64_t user_id, struct auth_principal *p,
                      struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_GRANTS, e) != 0)
        return -1;
    db_bind_i64(st, 1, user_id);
    int r;
    p->ngrants = 0;
    while ((r = db_step(st, e)) == DB_ROW) {
        enum auth_role role;
        if (p->ngrants >= AUTH_MAX_GRANTS || auth_role_parse(db_col_text(st, 0), &role) != 0)
            continue;
        struct auth_grant *g = &p->grants[p->ngrants++];
        g->role = role;
        g->org_id = db_col_i64(st, 1);
        g->org_path = db_col_is_null(st, 2) ? "" : db_col_strdup(a, st, 2);
        if (g->org_id != 0 && db_col_is_null(st, 2))
            p->ngrants--;                 /* the org is gone: the grant means nothing */
    }
    db_finalize(st);
    return r == DB_ERROR ? -1 : 0;
}

bool auth_grants_need_mfa(const struct auth_principal *p)
{
    for (int i = 0; i < p->ngrants; i++)
        if (auth_role_needs_mfa(p->grants[i].role))
            return true;
    return false;
}

int auth_store_set_password(struct db *db, int64_t user_id, const char *hash, bool must_change,
                            struct err *e)
{
    static const char sql[] = "UPDATE users SET password_hash = ?, must_change_password = ?, "
                              "password_changed_at = ?, updated_at = ? WHERE id = ?";
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    int64_t now = now_s();
    db_bind_text(st, 1, hash);
    db_bind_bool(st, 2, must_change);
    db_bind_i64(st, 3, now);
    db_bind_i64(st, 4, now);
    db_bind_i64(st, 5, user_id);
    return step_done(st, e);
}

int auth_store_login_ok(struct db *db, int64_t user_id, struct err *e)
{
    static const char sql[] = "UPDATE users SET last_login_at = ? WHERE id = ?";
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_i64(st, 1, now_s());
    db_bind_i64(st, 2, user_id);
    return step_done(st, e);
}

/* ---- sessions ---- */

int auth_store_session_new(struct db *db, int64_t user_id, enum auth_stage stage,
                           const char *ip, const char *user_agent, char token[AUTH_TOKEN_CHARS],
                           char csrf[AUTH_TOKEN_CHARS], struct err *e)
{
    static const char sql[] =
        "INSERT INTO sessions (token_hash, user_id, csrf_token, stage, created_at, last_seen_at, "
        "expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    static const char *const STAGES[] = {"mfa", "enroll", "full"};
    char hash[AUTH_HASH_HEX], ua[256];
    auth_secret_new(NULL, token, AUTH_TOKEN_CHARS);
    auth_secret_new(NULL, csrf, AUTH_TOKEN_CHARS);
    auth_secret_hash(token, hash);
    snprintf(ua, sizeof ua, "%s", user_agent != NULL ? user_agent : "");
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    int64_t now = now_s();
    db_bind_text(st, 1, hash);
    db_bind_i64(st, 2, user_id);
    db_bind_text(st, 3, csrf);
    db_bind_text(st, 4, STAGES[stage]);
    db_bind_i64(st, 5, now);
    db_bind_i64(st, 6, now);
    db_bind_i64(st, 7, now + config_get()->session_max_s);
    db_bind_text(st, 8, ip);
    db_bind_text(st, 9, ua);
    return step_done(st, e);
}

int auth_store_session_revoke(struct db *db, int64_t session_id, struct err *e)
{
    static const char sql[] =
        "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_i64(st, 1, now_s());
    db_bind_i64(st, 2, session_id);
    return step_done(st, e);
}

int auth_store_sessions_revoke_user(struct db *db, int64_t user_id, int64_t keep_id,
                                    struct err *e)
{
    static const char sql[] = "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND id <> ? "
                              "AND revoked_at IS NULL";
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_i64(st, 1, now_s());
    db_bind_i64(st, 2, user_id);
    db_bind_i64(st, 3, keep_id);
    return step_done(st, e);
}

/* ---- throttling ---- */

int auth_store_throttle_get(struct db *db, const char *key, int64_t *blocked_until,
                            struct err *e)
{
    static const char sql[] = "SELECT blocked_until FROM login_throttle WHERE throttle_key = ?";
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_text(st, 1, key);
    int r = db_step(st, e);
    *blocked_until = r == DB_ROW ? db_col_i64(st, 0) : 0;
    db_finalize(st);
    return r == DB_ERROR ? -1 : 0;
}

int auth_store_throttle_fail(struct db *db, const char *key, int64_t now, struct err *e)
{
    static const char sql_get[] =
        "SELECT failures, last_failure_at FROM login_throttle WHERE throttle_key = ?";
    static const char sql_put[] =
        "INSERT INTO login_throttle (throttle_key, failures, last_failure_at, blocked_until) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (throttle_key) DO UPDATE SET failures = excluded.failures, "
        "last_failure_at = excluded.last_failure_at, blocked_until = excluded.blocked_until";
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql_get, e) != 0)
        return -1;
    db_bind_text(st, 1, key);
    int r = db_step(st, e);
    int failures = r == DB_ROW ? (int)db_col_i64(st, 0) : 0;
    int64_t last = r == DB_ROW ? db_col_i64(st, 1) : 0;
    db_finalize(st);
    if (r == DB_ERROR)
        return -1;
    struct throttle_policy pol = auth_throttle_policy(key);
    failures = auth_throttle_next(&pol, failures, last, now);
    if (db_prepare(db, &st, sql_put, e) != 0)
        return -1;
    db_bind_text(st, 1, key);
    db_bind_i64(st, 2, failures);
    db_bind_i64(st, 3, now);
    db_bind_i64(st, 4, now + auth_throttle_delay(&pol, failures));
    return step_done(st, e);
}

int auth_store_throttle_clear(struct db *db, const char *key, struct err *e)
{
    static const char sql[] = "DELETE FROM login_throttle WHERE throttle_key = ?";
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_text(st, 1, key);
    return step_done(st, e);
}

/* ---- users ---- */

int auth_store_user_phone(struct db *db, int64_t user_id, const char *phone, struct err *e)
{
    static const char sql[] =
        "UPDATE users SET phone_enc = ?, phone_bidx = ?, updated_at = ? WHERE id = ?";
    const struct keys *k = keys_get();
    char norm[PDATA_NORM_MAX], bidx[FIELD_BLIND_HEX];
    char *enc = NULL;
    if (phone != NULL && phone[0] != '\0') {
        struct field_keyring kr;
        if (k == NULL)
            return err_set(e, ERR_INTERNAL, "keys.not_loaded");
        if (pdata_normalise_phone(phone, norm) != 0 || strlen(norm) != 11 || norm[0] != '1')
            return err_field(e, "phone", "auth.bad_phone");
        kr = keys_field_ring(k);
        if (field_encrypt(&kr, "users.phone", user_id, norm, &enc, e) != 0)
            return -1;
        pdata_blind(k, "phone", norm, bidx);
    }
    struct db_stmt *st = NULL;
    int rc = -1;
    if (db_prepare(db, &st, sql, e) == 0) {
        db_bind_text(st, 1, enc);
        db_bind_text(st, 2, enc != NULL ? bidx : NULL);
        db_bind_i64(st, 3, now_s());
        db_bind_i64(st, 4, user_id);
        rc = step_done(st, e);
        if (rc != 0 && e->code == ERR_CONFLICT) {
            err_clear(e);
            rc = err_field(e, "phone", "auth.phone_taken");
        }
    }
    free(enc);
    return rc;
}

int auth_store_user_create(struct db *db, const struct auth_new_user *nu, int64_t *id,
                           struct err *e)
{
    static const char sql[] =
        "INSERT INTO users (username, display_name, member_id, password_hash, "
        "password_changed_at, must_change_password, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    struct db_stmt *st = NULL;
    char lower[128];
    if (!auth_login_fold(nu->username, lower, sizeof lower))
        return err_field(e, "username", "auth.bad_username");
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    int64_t now = now_s();
    db_bind_text(st, 1, lower);
    db_bind_text(st, 2, nu->display_name);
    if (nu->member_id > 0)
        db_bind_i64(st, 3, nu->member_id);
    else
        db_bind_null(st, 3);
    db_bind_text(st, 4, nu->password_hash);
    db_bind_i64(st, 5, now);
    db_bind_bool(st, 6, nu->must_change_password);
    db_bind_i64(st, 7, now);
    db_bind_i64(st, 8, now);
    int r = db_step(st, e);
    if (r == DB_ROW)
        *id = db_col_i64(st, 0);
    db_finalize(st);
    if (r != DB_ROW) {
        if (e->code == ERR_CONFLICT) {
            err_clear(e);
            return err_field(e, nu->member_id > 0 ? "member_id" : "username",
                             nu->member_id > 0 ? "auth.member_has_user" : "auth.username_taken");
        }
        return -1;
    }
    if (nu->phone != NULL && nu->phone[0] != '\0')
        return auth_store_user_phone(db, *id, nu->phone, e);
    return 0;
}

int auth_store_grant(struct db *db, int64_t user_id, enum auth_role role, int64_t org_id,
                     int64_t granted_by, int64_t *grant_id, struct err *e)
{
    static const char sql[] = "INSERT INTO role_assignments (user_id, role, org_id, granted_by, "
                              "created_at) VALUES (?, ?, ?, ?, ?) RETURNING id";
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_i64(st, 1, user_id);
    db_bind_text(st, 2, auth_role_name(role));
    if (org_id > 0)
        db_bind_i64(st, 3, org_id);
    else
        db_bind_null(st, 3);
    if (granted_by > 0)
        db_bind_i64(st, 4, granted_by);
    else
        db_bind_null(st, 4);
    db_bind_i64(st, 5, now_s());
    int r = db_step(st, e);
    if (r == DB_ROW && grant_id != NULL)
        *grant_id = db_col_i64(st, 0);
    db_finalize(st);
    return r == DB_ROW ? 0 : -1;
}

/* ---- MFA ---- */

int auth_store_mfa_set(struct db *db, int64_t user_id, const char *secret_b32, bool enabled,
                       struct err *e)
{
    static const char sql[] = "UPDATE users SET mfa_secret_enc = ?, mfa_enabled = ?, "
                              "updated_at = ? WHERE id = ?";
    const struct keys *k = keys_get();
    if (k == NULL)
        return err_set(e, ERR_INTERNAL, "keys.not_loaded");
    struct field_keyring kr = keys_field_ring(k);
    char *enc = NULL;
    if (field_encrypt(&kr, "users.mfa_secret", user_id, secret_b32, &enc, e) != 0)
        return -1;
    struct db_stmt *st = NULL;
    int rc = -1;
    if (db_prepare(db, &st, sql, e) == 0) {
        db_bind_text(st, 1, enc);
        db_bind_bool(st, 2, enabled);
        db_bind_i64(st, 3, now_s());
        db_bind_i64(st, 4, user_id);
        rc = step_done(st, e);
    }
    free(enc);
    return rc;
}

int auth_store_mfa_step(struct db *db, int64_t user_id, int64_t step, struct err *e)
{
    static const char sql[] = "UPDATE users SET mfa_last_step = ? WHERE id = ?";
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_i64(st, 1, step);
    db_bind_i64(st, 2, user_id);
    return step_done(st, e);
}

int auth_store_mfa_reset(struct db *db, int64_t user_id, struct err *e)
{
    static const char sql[] = "UPDATE users SET mfa_secret_enc = NULL, mfa_enabled = 0, "
                              "mfa_last_step = 0, updated_at = ? WHERE id = ?";
    static const char sql_codes[] = "DELETE FROM mfa_recovery_codes WHERE user_id = ?";
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_i64(st, 1, now_s());
    db_bind_i64(st, 2, user_id);
    if (step_done(st, e) != 0 || db_prepare(db, &st, sql_codes, e) != 0)
        return -1;
    db_bind_i64(st, 1, user_id);
    return step_done(st, e);
}

int auth_store_mfa_secret(const struct auth_user *u, unsigned char *out, struct err *e)
{
    const struct keys *k = keys_get();
    if (k == NULL || u->mfa_secret_enc == NULL)
        return err_set(e, ERR_INTERNAL, "auth.no_mfa_secret");
    struct field_keyring kr = keys_field_ring(k);
    char *b32 = NULL;
    if (field_decrypt(&kr, "users.mfa_secret", u->id, u->mfa_secret_enc, &b32, e) != 0)
        return -1;
    int rc = totp_secret_decode(b32, out, e);
    sodium_memzero(b32, strlen(b32));
    free(b32);
    return rc;
}

static void code_hash(const char *code, char out[AUTH_HASH_HEX])
{
    char norm[16];
    auth_recovery_code_normalise(code, norm);
    auth_secret_hash(norm, out);
}

int auth_store_recovery_set(struct db *db, int64_t user_id, char codes[][16], int n,
                            struct err *e)
{
    static const char sql_del[] = "DELETE FROM mfa_recovery_codes WHERE user_id = ?";
    static const char sql_ins[] =
        "INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES (?, ?)";
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql_del, e) != 0)
        return -1;
    db_bind_i64(st, 1, user_id);
    if (step_done(st, e) != 0)
        return -1;
    for (int i = 0; i < n; i++) {
        char h[AUTH_HASH_HEX];
        code_hash(codes[i], h);
        if (db_prepare(db, &st, sql_ins, e) != 0)
            return -1;
        db_bind_i64(st, 1, user_id);
        db_bind_text(st, 2, h);
        if (step_done(st, e) != 0)
            return -1;
    }
    return 0;
}

int auth_store_recovery_use(struct db *db, int64_t user_id, const char *code, bool *ok,
                            struct err *e)
{
    static const char sql[] = "UPDATE mfa_recovery_codes SET used_at = ? WHERE user_id = ? AND "
                              "code_hash = ? AND used_at IS NULL";
    char h[AUTH_HASH_HEX];
    code_hash(code, h);
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_i64(st, 1, now_s());
    db_bind_i64(st, 2, user_id);
    db_bind_text(st, 3, h);
    int r = db_step(st, e);
    *ok = r == DB_DONE && db_changes(st) == 1;
    db_finalize(st);
    return r == DB_ERROR ? -1 : 0;
}

int auth_store_mfa_enable(struct db *db, int64_t user_id, int64_t step, struct err *e)
{
    static const char sql[] = "UPDATE users SET mfa_enabled = 1, mfa_last_step = ?, "
                              "updated_at = ? WHERE id = ? AND mfa_secret_enc IS NOT NULL";
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_i64(st, 1, step);
    db_bind_i64(st, 2, now_s());
    db_bind_i64(st, 3, user_id);
    return step_done(st, e);
}

json_t *auth_store_sessions_json(struct db *db, int64_t user_id, int64_t current_id,
                                 struct err *e)
{
    static const char sql[] =
        "SELECT id, created_at, last_seen_at, ip, user_agent FROM sessions WHERE user_id = ? AND "
        "revoked_at IS NULL AND expires_at > ? AND last_seen_at > ? ORDER BY last_seen_at DESC, "
        "id DESC LIMIT 200";
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return NULL;
    int64_t now = now_s();
    db_bind_i64(st, 1, user_id);
    db_bind_i64(st, 2, now);
    db_bind_i64(st, 3, now - config_get()->session_idle_s);
    json_t *arr = json_array();
    int r;
    while ((r = db_step(st, e)) == DB_ROW) {
        int64_t id = db_col_i64(st, 0);
        json_array_append_new(
            arr, json_pack("{s:I, s:I, s:I, s:s?, s:s?, s:b}", "id", (json_int_t)id, "created_at",
                           (json_int_t)db_col_i64(st, 1), "last_seen_at",
                           (json_int_t)db_col_i64(st, 2), "ip", db_col_text(st, 3), "user_agent",
                           db_col_text(st, 4), "current", id == current_id));
    }
    db_finalize(st);
    if (r == DB_ERROR) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

int auth_store_session_revoke_own(struct db *db, int64_t user_id, int64_t session_id,
                                  struct err *e)
{
    static const char sql[] = "UPDATE sessions SET revoked_at = ? WHERE id = ? AND user_id = ? "
                              "AND revoked_at IS NULL";
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_i64(st, 1, now_s());
    db_bind_i64(st, 2, session_id);
    db_bind_i64(st, 3, user_id);
    int r = db_step(st, e);
    int64_t n = db_changes(st);
    db_finalize(st);
    if (r == DB_ERROR)
        return -1;
    return n == 1 ? 0 : err_set(e, ERR_NOT_FOUND, "auth.no_session");
}
