/* auth_gate.c: who is calling (session cookie or API token), and may they call this route?
 * Runs before every non-public handler (see auth.h for the rules). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/auth_internal.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "db/db_change.h"
#include "http/http.h"

#define COOKIE "dj_session"
#define TOUCH_EVERY_S 60            /* last_seen_at is written at most once a minute */
#define TOKEN_PREFIX "djt_"

static const char SQL_SESSION[] =
    "SELECT s.id, s.user_id, s.csrf_token, s.stage, s.last_seen_at, s.expires_at, u.username, "
    "u.display_name, u.member_id, u.status, u.must_change_password FROM sessions s JOIN users u ON u.id = s.user_id "
    "WHERE s.token_hash = ? AND s.revoked_at IS NULL";
static const char SQL_TOUCH[] = "UPDATE sessions SET last_seen_at = ? WHERE id = ?";
static const char SQL_TOKEN[] =
    "SELECT t.id, t.user_id, t.perms, t.org_id, o.path, t.expires_at, t.last_used_at, "
    "u.username, u.display_name, u.member_id, u.status FROM api_tokens t "
    "JOIN users u ON u.id = t.user_id LEFT JOIN orgs o ON o.id = t.org_id "
    "WHERE t.token_hash = ? AND t.revoked_at IS NULL";
static const char SQL_TOKEN_TOUCH[] = "UPDATE api_tokens SET last_used_at = ? WHERE id = ?";

const char *auth_cookie_token(const struct http_req *req)
{
    const char *c = http_header(req, "Cookie");
    size_t n = strlen(COOKIE);
    for (const char *p = c; p != NULL && *p != '\0';) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        if (len > n + 1 && strncmp(p, COOKIE, n) == 0 && p[n] == '=') {
            char *v = arena_alloc(req->arena, len - n);
            memcpy(v, p + n + 1, len - n - 1);
            v[len - n - 1] = '\0';
            return v;
        }
        p = end;
    }
    return NULL;
}

void auth_set_session_cookie(struct http_req *req, struct http_res *res, const char *token)
{
    char v[256];
    snprintf(v, sizeof v, COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", token,
             config_get()->session_max_s, config_get()->cookie_secure ? "; Secure" : "");
    (void)req;
    http_set_header(res, "Set-Cookie", v);
}

void auth_clear_session_cookie(struct http_res *res)
{
    char v[128];
    snprintf(v, sizeof v, COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
             config_get()->cookie_secure ? "; Secure" : "");
    http_set_header(res, "Set-Cookie", v);
}

static int touch(struct db *db, const char *sql, int64_t id, int64_t now, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_i64(st, 1, now);
    db_bind_i64(st, 2, id);
    int rc = db_step(st, e) == DB_DONE ? 0 : -1;
    db_finalize(st);
    return rc;
}

static enum auth_stage parse_stage(const char *s)
{
    if (s != NULL && strcmp(s, "full") == 0)
        return AUTH_STAGE_FULL;
    return s != NULL && strcmp(s, "enroll") == 0 ? AUTH_STAGE_ENROLL : AUTH_STAGE_MFA;
}

/* Finds the row of a secret by its hash: DB_ROW with *st positioned on it (the caller
 * finalizes), DB_DONE when there is none, DB_ERROR. */
static int find_by_hash(struct http_req *req, const char *sql, const char *hash,
                        struct db_stmt **st, struct err *e)
{
    if (db_prepare(req->db, st, sql, e) != 0)
        return DB_ERROR;
    db_bind_text(*st, 1, hash);
    int r = db_step(*st, e);
    if (r != DB_ROW) {
        db_finalize(*st);
        *st = NULL;
    }
    return r;
}

/* 0 with *out (or NULL when the cookie names no live session), -1 on a DB error. */
static int from_session(struct http_req *req, const char *token, struct auth_principal **out,
                        struct err *e)
{
    struct db_stmt *st = NULL;
    char hash[AUTH_HASH_HEX];
    struct auth_cached c;
    int64_t now = (int64_t)time(NULL);
    *out = NULL;
    auth_secret_hash(token, hash);
    if (auth_cache_get(hash, req->arena, &c)) {
        if (now >= c.expires_at || now - c.seen_at >= config_get()->session_idle_s)
            return 0;
        if (now - c.seen_at < TOUCH_EVERY_S) {
            *out = c.principal;
            return 0;
        }                                   /* time to touch: through the database */
    }
    uint64_t gen = db_change_gen();
    int r = find_by_hash(req, SQL_SESSION, hash, &st, e);
    if (r != DB_ROW)
        return r == DB_ERROR ? -1 : 0;
    int64_t last = db_col_i64(st, 4), expires = db_col_i64(st, 5);
    const char *status = db_col_text(st, 9);
    if (now >= expires || now - last >= config_get()->session_idle_s || status == NULL ||
        strcmp(status, "active") != 0) {
        db_finalize(st);
        return 0;
    }
    struct auth_principal *p = arena_alloc(req->arena, sizeof *p);
    memset(p, 0, sizeof *p);
    p->kind = AUTH_SESSION;
    p->session_id = db_col_i64(st, 0);
    p->user_id = db_col_i64(st, 1);
    p->csrf = db_col_strdup(req->arena, st, 2);
    p->stage = parse_stage(db_col_text(st, 3));
    p->username = db_col_strdup(req->arena, st, 6);
    p->display_name = db_col_strdup(req->arena, st, 7);
    p->member_id = db_col_i64(st, 8);
    p->must_change_password = db_col_i64(st, 10) != 0;
    db_finalize(st);
    if (now - last >= TOUCH_EVERY_S && touch(req->db, SQL_TOUCH, p->session_id, now, e) != 0)
        return -1;
    if (auth_store_grants(req->db, req->arena, p->user_id, p, e) != 0)
        return -1;
    auth_cache_put(hash, gen, &(struct auth_cached){p, last, expires});
    *out = p;
    return 0;
}

/* Narrows the creator's grants to the token's subtree: a grant over an ancestor of the token's
 * org becomes a grant over the token's org; grants elsewhere are dropped. */
static void narrow(struct auth_principal *p, int64_t org_id, const char *path)
{
    int k = 0;
    for (int i = 0; i < p->ngrants; i++) {
        struct auth_grant g = p->grants[i];
        if (strncmp(path, g.org_path, strlen(g.org_path)) == 0) {
            g.org_id = org_id;
            g.org_path = path;
        } else if (strncmp(g.org_path, path, strlen(path)) != 0) {
            continue;
        }
        p->grants[k++] = g;
    }
    p->ngrants = k;
}

static int from_token(struct http_req *req, const char *token, struct auth_principal **out,
                      struct err *e)
{
    struct db_stmt *st = NULL;
    char hash[AUTH_HASH_HEX];
    struct auth_cached c;
    int64_t now = (int64_t)time(NULL);
    *out = NULL;
    auth_secret_hash(token, hash);
    if (auth_cache_get(hash, req->arena, &c)) {
        if (now >= c.expires_at)
            return 0;
        if (now - c.seen_at < TOUCH_EVERY_S) {
            *out = c.principal;
            return 0;
        }
    }
    uint64_t gen = db_change_gen();
    int r = find_by_hash(req, SQL_TOKEN, hash, &st, e);
    if (r != DB_ROW)
        return r == DB_ERROR ? -1 : 0;
    int64_t expires = db_col_i64(st, 5);
    const char *status = db_col_text(st, 10);
    if (now >= db_col_i64(st, 5) || status == NULL || strcmp(status, "active") != 0 ||
        (!db_col_is_null(st, 3) && db_col_is_null(st, 4))) {
        db_finalize(st);
        return 0;
    }
    struct auth_principal *p = arena_alloc(req->arena, sizeof *p);
    memset(p, 0, sizeof *p);
    p->kind = AUTH_TOKEN;
    p->stage = AUTH_STAGE_FULL;
    p->token_id = db_col_i64(st, 0);
    p->user_id = db_col_i64(st, 1);
    p->token_perms = db_col_strdup(req->arena, st, 2);
    int64_t org_id = db_col_i64(st, 3);
    const char *path = db_col_strdup(req->arena, st, 4);
    int64_t last_used = db_col_i64(st, 6);
    p->username = db_col_strdup(req->arena, st, 7);
    p->display_name = db_col_strdup(req->arena, st, 8);
    p->member_id = db_col_i64(st, 9);
    db_finalize(st);
    if (now - last_used >= TOUCH_EVERY_S &&
        touch(req->db, SQL_TOKEN_TOUCH, p->token_id, now, e) != 0)
        return -1;
    if (auth_store_grants(req->db, req->arena, p->user_id, p, e) != 0)
        return -1;
    if (org_id > 0)
        narrow(p, org_id, path);
    auth_cache_put(hash, gen, &(struct auth_cached){p, last_used, expires});
    *out = p;
    return 0;
}

static bool changes_state(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

int auth_gate(struct http_req *req, const char *perm, struct err *e)
{
    struct auth_principal *p = NULL;
    const char *authz = http_header(req, "Authorization");
    bool session_only = strcmp(perm, AUTH_PERM_SESSION) == 0 ||
                        strcmp(perm, AUTH_PERM_SESSION_ANY) == 0;
    if (authz != NULL && strncmp(authz, "Bearer ", 7) == 0) {
        const char *t = authz + 7;
        if (strncmp(t, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0 || strlen(t) > 128)
            return err_set(e, ERR_UNAUTHORIZED, "auth.bad_token");
        if (from_token(req, t, &p, e) != 0)
            return -1;
        if (p == NULL)
            return err_set(e, ERR_UNAUTHORIZED, "auth.bad_token");
        if (session_only)
            return err_set(e, ERR_FORBIDDEN, "auth.session_only");
    } else {
        const char *t = auth_cookie_token(req);
        if (t != NULL && strlen(t) < 128 && from_session(req, t, &p, e) != 0)
            return -1;
        if (p == NULL)
            return err_set(e, ERR_UNAUTHORIZED, "auth.login_required");
        if (changes_state(req->method)) {
            const char *csrf = http_header(req, "X-CSRF-Token");
            if (csrf == NULL || !auth_secret_equal(csrf, p->csrf))
                return err_set(e, ERR_FORBIDDEN, "auth.csrf");
        }
    }
    req->auth = p;
    if (strcmp(perm, AUTH_PERM_SESSION_ANY) == 0)
        return 0;
    if (p->stage != AUTH_STAGE_FULL)
        return err_set(e, ERR_UNAUTHORIZED,
                       p->stage == AUTH_STAGE_MFA ? "auth.mfa_required" : "auth.mfa_enroll_required");
    if (p->must_change_password)
        return err_set(e, ERR_FORBIDDEN, "auth.password_change_required");
    if (strcmp(perm, AUTH_PERM_SESSION) == 0 || auth_can(req, perm))
        return 0;
    return err_set(e, ERR_FORBIDDEN, "auth.forbidden");
}
