/* auth_login_api.c: log-in, MFA challenge and enrollment, log-out, my sessions, my password.
 * The answer to a failed log-in never says whether the account exists: unknown names are
 * throttled by name like real ones and cost one Argon2id verification, like real ones. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/audit.h"
#include "auth/auth_internal.h"
#include "auth/password_rules.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/qrsvg.h"
#include "crypto/field.h"
#include "crypto/keys.h"
#include "crypto/password.h"
#include "crypto/totp.h"
#include "db/db.h"
#include "http/http.h"

#define RECOVERY_CODES 10
#define TOTP_WINDOW 1
#define LOGIN_MAX 128

static const char *const STAGE_NAMES[] = {"mfa", "enroll", "full"};

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

/* A string member of the body: required, at most max bytes. */
static const char *body_str(const json_t *body, const char *name, size_t max, struct err *e)
{
    json_t *v = json_object_get(body, name);
    if (v == NULL || json_is_null(v)) {
        err_field(e, name, "field.required");
        return NULL;
    }
    if (!json_is_string(v)) {
        err_field(e, name, "field.bad_type");
        return NULL;
    }
    if (json_string_length(v) == 0) {
        err_field(e, name, "field.required");
        return NULL;
    }
    if (json_string_length(v) > max) {
        err_field(e, name, "field.too_long");
        return NULL;
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {   /* embedded NUL */
        err_field(e, name, "field.bad_type");
        return NULL;
    }
    return json_string_value(v);
}

static void throttle_keys(struct http_req *req, const char *login, char *acct, size_t acap,
                          char *ip, size_t icap)
{
    char folded[LOGIN_MAX + 1];
    if (!auth_login_fold(login, folded, sizeof folded))
        folded[0] = '\0';             /* cannot happen: the body limits login to LOGIN_MAX */
    snprintf(acct, acap, "a:%s", folded);
    snprintf(ip, icap, "i:%s", auth_client_ip(req));
}

/* 429 when either key is blocked now; Retry-After says for how long. */
static int check_throttle(struct http_req *req, struct http_res *res, const char *acct,
                          const char *ip, struct err *e)
{
    int64_t a = 0, i = 0, now = now_s();
    if (auth_store_throttle_get(req->db, acct, &a, e) != 0 ||
        auth_store_throttle_get(req->db, ip, &i, e) != 0)
        return -1;
    int64_t until = a > i ? a : i;
    if (until <= now)
        return 0;
    char secs[24];
    snprintf(secs, sizeof secs, "%lld", (long long)(until - now));
    http_set_header(res, "Retry-After", secs);
    return err_set(e, ERR_TOO_MANY, "auth.throttled");
}

/* Records a failure on both keys and audits it, in one transaction. */
static void record_failure(struct http_req *req, const char *acct, const char *ip,
                           const char *action, int64_t user_id, const char *reason)
{
    struct err e = ERR_INIT;
    int64_t now = now_s(), until = 0;
    char object[32];
    snprintf(object, sizeof object, "user:%lld", (long long)user_id);
    struct audit_who who = audit_who_req(req);
    json_t *detail = json_pack("{s:s, s:s}", "reason", reason, "login", acct + 2);
    int64_t before = 0;
    if (db_begin(req->db, &e) != 0 || auth_store_throttle_get(req->db, acct, &before, &e) != 0 ||
        auth_store_throttle_fail(req->db, acct, now, &e) != 0 ||
        auth_store_throttle_fail(req->db, ip, now, &e) != 0 ||
        auth_store_throttle_get(req->db, acct, &until, &e) != 0 ||
        audit_append(req->db, &who, action, user_id > 0 ? object : NULL, 0, detail, &e) != 0 ||
        (until - now >= THROTTLE_LOCK_S && before - now < THROTTLE_LOCK_S &&
         audit_append(req->db, &who, "login.locked", user_id > 0 ? object : NULL, 0, detail,
                      &e) != 0) ||
        db_commit(req->db, &e) != 0) {
        db_rollback(req->db);
        log_error("auth", "req=%s cannot record a failed log-in: %s %s", req->id, e.message,
                  e.detail);
    }
    json_decref(detail);
}

static json_t *user_json(const struct auth_user *u)
{
    return json_pack("{s:I, s:s, s:s, s:o?, s:b, s:b}", "id", (json_int_t)u->id, "username",
                     u->username, "display_name", u->display_name, "member_id",
                     u->member_id > 0 ? json_integer(u->member_id) : NULL,
                     "must_change_password", u->must_change_password, "mfa_enabled",
                     u->mfa_enabled);
}

/* Starts a session at `stage` (revoking the one presented, if any), sets the cookie and
 * returns the reply body. Runs inside the caller's transaction. */
static json_t *start_session(struct http_req *req, struct http_res *res,
                             const struct auth_user *u, enum auth_stage stage, int64_t old_id,
                             struct err *e)
{
    char token[AUTH_TOKEN_CHARS], csrf[AUTH_TOKEN_CHARS];
    if (old_id > 0 && auth_store_session_revoke(req->db, old_id, e) != 0)
        return NULL;
    if (auth_store_session_new(req->db, u->id, stage, auth_client_ip(req),
                               http_header(req, "User-Agent"), token, csrf, e) != 0)
        return NULL;
    if (stage == AUTH_STAGE_FULL && auth_store_login_ok(req->db, u->id, e) != 0)
        return NULL;
    auth_set_session_cookie(req, res, token);
    sodium_memzero(token, sizeof token);
    json_t *out = json_pack("{s:s, s:s, s:o}", "stage", STAGE_NAMES[stage], "csrf_token", csrf,
                            "user", user_json(u));
    if (out == NULL)
        err_set(e, ERR_INTERNAL, "internal");
    return out;
}

static int64_t presented_session(struct http_req *req)
{
    return req->auth != NULL && req->auth->kind == AUTH_SESSION ? req->auth->session_id : 0;
}

/* POST /api/v1/auth/login {"login","password"} */
static void auth_login(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    json_t *body = NULL, *out = NULL;
    const char *login = NULL, *pw = NULL;
    char acct[LOGIN_MAX + 8], ip[80];
    struct auth_user u;
    if (http_body_object(req, &body, &e) != 0)
        goto reply;
    login = body_str(body, "login", LOGIN_MAX, &e);
    pw = body_str(body, "password", PASSWORD_MAX_BYTES, &e);
    if (e.code != ERR_OK)
        goto reply;
    throttle_keys(req, login, acct, sizeof acct, ip, sizeof ip);
    if (check_throttle(req, res, acct, ip, &e) != 0) {
        log_info("auth", "req=%s log-in refused: throttled", req->id);
        goto reply;
    }
    bool found = auth_store_user_by_login(req->db, req->arena, login, &u, &e) == 0;
    if (!found && e.code != ERR_NOT_FOUND)
        goto reply;
    err_clear(&e);
    bool right = password_verify(found ? u.password_hash : auth_dummy_hash(), pw) && found;
    if (!right || !u.active) {
        record_failure(req, acct, ip, "login.failed", found ? u.id : 0,
                       !found ? "no_such_user" : !right ? "bad_password" : "disabled");
        /* "disabled" is said only to someone who knows the password: it tells nothing about
         * which names exist */
        err_set(&e, right ? ERR_FORBIDDEN : ERR_UNAUTHORIZED,
                right ? "auth.account_disabled" : "auth.bad_credentials");
        goto reply;
    }
    char rehash[PASSWORD_HASH_MAX];
    bool need_rehash = password_needs_rehash(u.password_hash, auth_password_params());
    if (need_rehash && password_hash(pw, auth_password_params(), rehash, &e) != 0)
        goto reply;
    struct auth_principal grants = {0};
    if (auth_store_grants(req->db, req->arena, u.id, &grants, &e) != 0)
        goto reply;
    enum auth_stage stage = u.mfa_enabled          ? AUTH_STAGE_MFA
                            : auth_grants_need_mfa(&grants) ? AUTH_STAGE_ENROLL
                                                            : AUTH_STAGE_FULL;
    struct audit_who who = audit_who_req(req);
    char object[32];
    snprintf(object, sizeof object, "user:%lld", (long long)u.id);
    who.actor = arena_strdup(req->arena, object);
    who.actor_name = u.display_name;
    if (db_begin(req->db, &e) != 0)
        goto reply;
    if (auth_store_throttle_clear(req->db, acct, &e) != 0 ||
        (need_rehash && auth_store_set_password(req->db, u.id, rehash, u.must_change_password,
                                                &e) != 0) ||
        (out = start_session(req, res, &u, stage, presented_session(req), &e)) == NULL ||
        audit_append(req->db, &who, stage == AUTH_STAGE_FULL ? "login.success" : "login.password_ok",
                     object, 0, NULL, &e) != 0 ||
        db_commit(req->db, &e) != 0) {
        db_rollback(req->db);
        json_decref(out);
        out = NULL;
    }
reply:
    http_reply(res, 200, out, &e);
    json_decref(out);
}

static int load_me(struct http_req *req, struct auth_user *u, struct err *e)
{
    return auth_store_user(req->db, req->arena, req->auth->user_id, u, e);
}

/* Checks a TOTP code (refusing a step already used) or a recovery code. *how says which. */
static int check_second_factor(struct http_req *req, const struct auth_user *u, const json_t *body,
                               int64_t *step, const char **how, struct err *e)
{
    const char *code = json_string_value(json_object_get(body, "code"));
    const char *rcode = json_string_value(json_object_get(body, "recovery_code"));
    *step = 0;
    if (code != NULL && strlen(code) <= 16) {
        unsigned char secret[TOTP_SECRET_BYTES];
        int rc = auth_store_mfa_secret(u, secret, e);
        if (rc == 0)
            rc = totp_verify(secret, sizeof secret, time(NULL), code, TOTP_WINDOW, step, e);
        sodium_memzero(secret, sizeof secret);
        if (rc != 0 && e->code != ERR_INVALID)
            return -1;
        if (rc != 0 || *step <= u->mfa_last_step) {
            err_clear(e);
            return err_field(e, "code", "auth.mfa_wrong_code");
        }
        *how = "totp";
        return 0;
    }
    if (rcode != NULL && strlen(rcode) <= 32) {
        bool ok = false;
        if (auth_store_recovery_use(req->db, u->id, rcode, &ok, e) != 0)
            return -1;
        if (!ok)
            return err_field(e, "recovery_code", "auth.mfa_wrong_code");
        *how = "recovery_code";
        return 0;
    }
    return err_field(e, "code", "field.required");
}

/* POST /api/v1/auth/mfa/verify {"code"} | {"recovery_code"}: the second step of a log-in. */
static void auth_mfa_verify(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    json_t *body = NULL, *out = NULL;
    struct auth_user u;
    char acct[LOGIN_MAX + 8], ip[80];
    int64_t step = 0;
    const char *how = NULL;
    if (req->auth->stage != AUTH_STAGE_MFA) {
        err_set(&e, ERR_CONFLICT, "auth.mfa_not_pending");
        goto reply;
    }
    if (http_body_object(req, &body, &e) != 0 || load_me(req, &u, &e) != 0)
        goto reply;
    throttle_keys(req, u.username, acct, sizeof acct, ip, sizeof ip);
    if (check_throttle(req, res, acct, ip, &e) != 0)
        goto reply;
    if (db_begin(req->db, &e) != 0)
        goto reply;
    if (check_second_factor(req, &u, body, &step, &how, &e) != 0) {
        bool wrong = e.code == ERR_INVALID;
        db_rollback(req->db);
        if (wrong)
            record_failure(req, acct, ip, "login.mfa_failed", u.id, "wrong_code");
        goto reply;
    }
    struct audit_who who = audit_who_req(req);
    char object[32];
    snprintf(object, sizeof object, "user:%lld", (long long)u.id);
    json_t *detail = json_pack("{s:s}", "second_factor", how);
    if ((step > 0 && auth_store_mfa_step(req->db, u.id, step, &e) != 0) ||
        auth_store_throttle_clear(req->db, acct, &e) != 0 ||
        (out = start_session(req, res, &u, AUTH_STAGE_FULL, req->auth->session_id, &e)) == NULL ||
        audit_append(req->db, &who, "login.success", object, 0, detail, &e) != 0 ||
        db_commit(req->db, &e) != 0) {
        db_rollback(req->db);
        json_decref(out);
        out = NULL;
    }
    json_decref(detail);
reply:
    http_reply(res, 200, out, &e);
    json_decref(out);
}

/* POST /api/v1/auth/mfa/enroll: a new secret (pending until confirmed) with its QR code. */
static void auth_mfa_enroll(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    json_t *out = NULL;
    struct auth_user u;
    unsigned char secret[TOTP_SECRET_BYTES];
    char *b32 = NULL, *uri = NULL, *svg = NULL;
    if (req->auth->stage == AUTH_STAGE_MFA) {
        err_set(&e, ERR_UNAUTHORIZED, "auth.mfa_required");
        goto reply;
    }
    if (load_me(req, &u, &e) != 0)
        goto reply;
    if (u.mfa_enabled) {
        err_set(&e, ERR_CONFLICT, "auth.mfa_already_enabled");
        goto reply;
    }
    randombytes_buf(secret, sizeof secret);
    b32 = totp_secret_base32(secret, sizeof secret);
    uri = totp_uri(secret, sizeof secret, "dangjian", u.username);
    svg = uri != NULL ? qrsvg_encode(uri) : NULL;
    if (b32 == NULL || uri == NULL || svg == NULL) {
        err_set(&e, ERR_INTERNAL, "internal");
        goto reply;
    }
    if (auth_store_mfa_set(req->db, u.id, b32, false, &e) != 0)
        goto reply;
    out = json_pack("{s:s, s:s, s:s}", "secret", b32, "otpauth_uri", uri, "qr_svg", svg);
reply:
    sodium_memzero(secret, sizeof secret);
    if (b32 != NULL)
        sodium_memzero(b32, strlen(b32));
    free(b32);
    free(uri);
    free(svg);
    http_reply(res, 200, out, &e);
    json_decref(out);
}

/* POST /api/v1/auth/mfa/confirm {"code"}: turns the pending secret on; answers the recovery
 * codes, shown this once. An enrolling session becomes a full one. */
static void auth_mfa_confirm(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    json_t *body = NULL, *out = NULL, *codes_json = NULL;
    struct auth_user u;
    char codes[RECOVERY_CODES][16];
    int64_t step = 0;
    unsigned char secret[TOTP_SECRET_BYTES];
    if (req->auth->stage == AUTH_STAGE_MFA) {
        err_set(&e, ERR_UNAUTHORIZED, "auth.mfa_required");
        goto reply;
    }
    if (http_body_object(req, &body, &e) != 0 || load_me(req, &u, &e) != 0)
        goto reply;
    if (u.mfa_enabled || u.mfa_secret_enc == NULL) {
        err_set(&e, ERR_CONFLICT, u.mfa_enabled ? "auth.mfa_already_enabled" : "auth.mfa_not_started");
        goto reply;
    }
    const char *code = body_str(body, "code", 16, &e);
    if (code == NULL)
        goto reply;
    int rc = auth_store_mfa_secret(&u, secret, &e);
    if (rc == 0)
        rc = totp_verify(secret, sizeof secret, time(NULL), code, TOTP_WINDOW, &step, &e);
    sodium_memzero(secret, sizeof secret);
    if (rc != 0) {
        if (e.code == ERR_INVALID) {
            err_clear(&e);
            err_field(&e, "code", "auth.mfa_wrong_code");
        }
        goto reply;
    }
    codes_json = json_array();
    for (int i = 0; i < RECOVERY_CODES; i++) {
        auth_recovery_code_new(codes[i]);
        json_array_append_new(codes_json, json_string(codes[i]));
    }
    struct audit_who who = audit_who_req(req);
    char object[32];
    snprintf(object, sizeof object, "user:%lld", (long long)u.id);
    json_t *session = NULL;
    if (db_begin(req->db, &e) != 0)
        goto reply;
    if (auth_store_mfa_enable(req->db, u.id, step, &e) != 0 ||
        auth_store_recovery_set(req->db, u.id, codes, RECOVERY_CODES, &e) != 0 ||
        (req->auth->stage == AUTH_STAGE_ENROLL &&
         (session = start_session(req, res, &u, AUTH_STAGE_FULL, req->auth->session_id, &e)) == NULL) ||
        audit_append(req->db, &who, "mfa.enroll", object, 0, NULL, &e) != 0 ||
        db_commit(req->db, &e) != 0) {
        db_rollback(req->db);
        json_decref(session);
        goto reply;
    }
    out = session != NULL ? session : json_pack("{s:s, s:s}", "stage", "full", "csrf_token",
                                                req->auth->csrf);
    json_object_set(out, "recovery_codes", codes_json);
reply:
    sodium_memzero(codes, sizeof codes);
    json_decref(codes_json);
    http_reply(res, 200, out, &e);
    json_decref(out);
}

/* DELETE /api/v1/auth/mfa {"password"}: turn MFA off (only when no role of mine needs it). */
static void auth_mfa_disable(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    json_t *body = NULL;
    struct auth_user u;
    if (http_body_object(req, &body, &e) != 0 || load_me(req, &u, &e) != 0)
        goto reply;
    const char *pw = body_str(body, "password", PASSWORD_MAX_BYTES, &e);
    if (pw == NULL)
        goto reply;
    if (auth_grants_need_mfa(req->auth)) {
        err_set(&e, ERR_CONFLICT, "auth.mfa_required_by_role");
        goto reply;
    }
    if (!password_verify(u.password_hash, pw)) {
        err_field(&e, "password", "auth.wrong_password");
        goto reply;
    }
    struct audit_who who = audit_who_req(req);
    char object[32];
    snprintf(object, sizeof object, "user:%lld", (long long)u.id);
    if (db_begin(req->db, &e) != 0)
        goto reply;
    if (auth_store_mfa_reset(req->db, u.id, &e) != 0 ||
        audit_append(req->db, &who, "mfa.disable", object, 0, NULL, &e) != 0 ||
        db_commit(req->db, &e) != 0)
        db_rollback(req->db);
reply:
    http_reply(res, 204, NULL, &e);
}

/* POST /api/v1/auth/logout and /logout-all */
static void logout(struct http_req *req, struct http_res *res, bool everywhere)
{
    struct err e = ERR_INIT;
    struct audit_who who = audit_who_req(req);
    char object[32];
    snprintf(object, sizeof object, "user:%lld", (long long)req->auth->user_id);
    if (db_begin(req->db, &e) == 0) {
        if ((everywhere ? auth_store_sessions_revoke_user(req->db, req->auth->user_id, 0, &e)
                        : auth_store_session_revoke(req->db, req->auth->session_id, &e)) != 0 ||
            audit_append(req->db, &who, everywhere ? "logout.everywhere" : "logout", object, 0,
                         NULL, &e) != 0 ||
            db_commit(req->db, &e) != 0)
            db_rollback(req->db);
    }
    if (e.code == ERR_OK)
        auth_clear_session_cookie(res);
    http_reply(res, 204, NULL, &e);
}

static void auth_logout(struct http_req *req, struct http_res *res)
{
    logout(req, res, false);
}

static void auth_logout_all(struct http_req *req, struct http_res *res)
{
    logout(req, res, true);
}

/* GET /api/v1/auth/me: who I am, what I may do, and what the log-in still owes. */
static void auth_me(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct auth_user u;
    json_t *out = NULL;
    if (load_me(req, &u, &e) == 0) {
        const struct auth_principal *p = req->auth;
        json_t *roles = json_array(), *perms = json_array();
        for (int i = 0; i < p->ngrants; i++)
            json_array_append_new(
                roles, json_pack("{s:s, s:o?}", "role", auth_role_name(p->grants[i].role),
                                 "org_id", p->grants[i].org_id > 0
                                               ? json_integer(p->grants[i].org_id) : NULL));
        for (const char *const *n = auth_perm_names(); *n != NULL; n++)
            if (p->stage == AUTH_STAGE_FULL && auth_can(req, *n))
                json_array_append_new(perms, json_string(*n));
        out = json_pack("{s:o, s:s, s:s, s:o, s:o, s:b}", "user", user_json(&u), "stage",
                        STAGE_NAMES[p->stage], "csrf_token", p->csrf, "roles", roles,
                        "permissions", perms, "mfa_required", auth_grants_need_mfa(p));
    }
    http_reply(res, 200, out, &e);
    json_decref(out);
}

/* GET /api/v1/auth/sessions */
static void auth_sessions(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    json_t *arr = auth_store_sessions_json(req->db, req->auth->user_id, req->auth->session_id, &e);
    json_t *out = arr != NULL ? json_pack("{s:o}", "data", arr) : NULL;
    http_reply(res, 200, out, &e);
    json_decref(out);
}

/* DELETE /api/v1/auth/sessions/{id}: end one of my sessions (another device). */
static void auth_session_end(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    int64_t id;
    struct audit_who who = audit_who_req(req);
    char object[32];
    if (http_param_id(req, "id", &id, &e) == 0 && db_begin(req->db, &e) == 0) {
        snprintf(object, sizeof object, "session:%lld", (long long)id);
        if (auth_store_session_revoke_own(req->db, req->auth->user_id, id, &e) != 0 ||
            audit_append(req->db, &who, "session.end", object, 0, NULL, &e) != 0 ||
            db_commit(req->db, &e) != 0)
            db_rollback(req->db);
    }
    if (e.code == ERR_OK && id == req->auth->session_id)
        auth_clear_session_cookie(res);
    http_reply(res, 204, NULL, &e);
}

/* The user's phone in the clear, for the password rule (NULL if none or unreadable). */
static char *user_phone(const struct auth_user *u)
{
    const struct keys *k = keys_get();
    char *plain = NULL;
    struct err e = ERR_INIT;
    if (k == NULL || u->phone_enc == NULL)
        return NULL;
    struct field_keyring kr = keys_field_ring(k);
    return field_decrypt(&kr, "users.phone", u->id, u->phone_enc, &plain, &e) == 0 ? plain : NULL;
}

/* POST /api/v1/auth/password {"current_password","new_password"}: also ends my other
 * sessions. */
static void auth_password(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    json_t *body = NULL;
    struct auth_user u;
    char hash[PASSWORD_HASH_MAX];
    char acct[LOGIN_MAX + 8], ip[80];
    if (req->auth->stage != AUTH_STAGE_FULL) {
        err_set(&e, ERR_UNAUTHORIZED, "auth.mfa_required");
        goto reply;
    }
    if (http_body_object(req, &body, &e) != 0 || load_me(req, &u, &e) != 0)
        goto reply;
    const char *cur = body_str(body, "current_password", PASSWORD_MAX_BYTES, &e);
    const char *pw = body_str(body, "new_password", PASSWORD_MAX_BYTES, &e);
    if (e.code != ERR_OK)
        goto reply;
    throttle_keys(req, u.username, acct, sizeof acct, ip, sizeof ip);
    if (check_throttle(req, res, acct, ip, &e) != 0)
        goto reply;
    if (!password_verify(u.password_hash, cur)) {
        record_failure(req, acct, ip, "password.change_failed", u.id, "bad_password");
        err_field(&e, "current_password", "auth.wrong_password");
        goto reply;
    }
    char *phone = user_phone(&u);
    int bad = password_rules_check(pw, u.username, phone, &e);
    if (bad == 0 && strcmp(pw, cur) == 0)
        bad = err_field(&e, "new_password", "password.same_as_old");
    free(phone);
    if (bad != 0) {
        for (int i = 0; i < e.nfields; i++)
            if (strcmp(e.fields[i].name, "password") == 0)
                snprintf(e.fields[i].name, sizeof e.fields[i].name, "new_password");
        goto reply;
    }
    if (password_hash(pw, auth_password_params(), hash, &e) != 0)
        goto reply;
    struct audit_who who = audit_who_req(req);
    char object[32];
    snprintf(object, sizeof object, "user:%lld", (long long)u.id);
    if (db_begin(req->db, &e) != 0)
        goto reply;
    if (auth_store_set_password(req->db, u.id, hash, false, &e) != 0 ||
        auth_store_sessions_revoke_user(req->db, u.id, req->auth->session_id, &e) != 0 ||
        audit_append(req->db, &who, "password.change", object, 0, NULL, &e) != 0 ||
        db_commit(req->db, &e) != 0)
        db_rollback(req->db);
reply:
    http_reply(res, 204, NULL, &e);
}

static const struct route login_routes[] = {
    {"POST", "/api/v1/auth/login", auth_login, NULL},
    {"POST", "/api/v1/auth/mfa/verify", auth_mfa_verify, AUTH_PERM_SESSION_ANY},
    {"POST", "/api/v1/auth/mfa/enroll", auth_mfa_enroll, AUTH_PERM_SESSION_ANY},
    {"POST", "/api/v1/auth/mfa/confirm", auth_mfa_confirm, AUTH_PERM_SESSION_ANY},
    {"DELETE", "/api/v1/auth/mfa", auth_mfa_disable, AUTH_PERM_SESSION},
    {"POST", "/api/v1/auth/logout", auth_logout, AUTH_PERM_SESSION_ANY},
    {"POST", "/api/v1/auth/logout-all", auth_logout_all, AUTH_PERM_SESSION},
    {"GET", "/api/v1/auth/me", auth_me, AUTH_PERM_SESSION_ANY},
    {"GET", "/api/v1/auth/sessions", auth_sessions, AUTH_PERM_SESSION},
    {"DELETE", "/api/v1/auth/sessions/{id}", auth_session_end, AUTH_PERM_SESSION},
    {"POST", "/api/v1/auth/password", auth_password, AUTH_PERM_SESSION_ANY},
};

static const struct i18n_msg login_msgs[] = {
    {"auth.bad_credentials", "用户名或密码错误", "Wrong user name or password"},
    {"auth.account_disabled", "该账号已停用，请联系管理员", "This account is disabled; contact an administrator"},
    {"auth.throttled", "尝试次数过多，请稍后再试", "Too many attempts; try again later"},
    {"auth.login_required", "请先登录", "Please log in"},
    {"auth.bad_token", "访问令牌无效、已过期或已撤销", "The API token is invalid, expired or revoked"},
    {"auth.session_only", "此操作只能在登录会话中进行", "This needs a logged-in session, not an API token"},
    {"auth.csrf", "请求缺少有效的 CSRF 令牌，请刷新页面后重试", "Missing or wrong CSRF token; reload the page and try again"},
    {"auth.forbidden", "您没有执行此操作的权限", "You do not have permission to do this"},
    {"auth.mfa_required", "请先完成两步验证", "Complete two-step verification first"},
    {"auth.mfa_enroll_required", "您的角色要求启用两步验证，请先完成绑定", "Your role requires two-step verification: set it up first"},
    {"auth.mfa_wrong_code", "验证码错误或已使用", "Wrong or already used code"},
    {"auth.mfa_not_pending", "当前没有待完成的两步验证", "No two-step verification is pending"},
    {"auth.mfa_already_enabled", "两步验证已启用", "Two-step verification is already on"},
    {"auth.mfa_not_started", "请先开始绑定两步验证", "Start the set-up first"},
    {"auth.mfa_required_by_role", "您的角色要求启用两步验证，不能关闭", "Your role requires two-step verification; it cannot be turned off"},
    {"auth.wrong_password", "密码错误", "Wrong password"},
    {"auth.password_change_required", "请先修改初始密码", "Change your initial password first"},
    {"auth.no_session", "会话不存在或已结束", "No such session, or it has ended"},
    {"auth.no_user", "用户不存在", "No such user"},
    {"auth.bad_phone", "手机号应为11位数字，以1开头", "A mobile number has 11 digits starting with 1"},
    {"auth.phone_taken", "该手机号已被其他账号使用", "This phone number belongs to another account"},
    {"auth.username_taken", "该用户名已被使用", "This user name is taken"},
    {"auth.member_has_user", "该党员已有账号", "This member already has an account"},
    {"auth.bad_username", "用户名应为3–32个字母、数字、.、_ 或 -", "User name: 3–32 letters, digits, '.', '_' or '-'"},
    {"password.same_as_old", "新密码不能与当前密码相同", "The new password must differ from the current one"},
    {"keys.not_loaded", "密钥文件未加载", "The key file is not loaded"},
};

void auth_register(void)
{
    auth_login_register();
    auth_users_register();
    auth_tokens_register();
}

void auth_login_register(void)
{
    http_routes_register(login_routes, sizeof login_routes / sizeof login_routes[0]);
    i18n_register(login_msgs, sizeof login_msgs / sizeof login_msgs[0]);
}
