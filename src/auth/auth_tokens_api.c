/* auth_tokens_api.c: API tokens for integrators (/api/v1/tokens). A token is named, limited to
 * permissions its creator holds and to an org subtree inside the creator's scope, expires, can
 * be revoked, is shown once and stored as a hash. Its rights are re-checked against the
 * creator's current grants on every call, so revoking a role also narrows the creator's
 * tokens. Tokens cannot make tokens (the routes need a session). */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth/audit.h"
#include "auth/auth_internal.h"
#include "auth/auth_users.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"
#include "db/db.h"
#include "http/http.h"

#define MAX_DAYS 366

static const char SQL_INSERT[] =
    "INSERT INTO api_tokens (user_id, name, prefix, token_hash, perms, org_id, expires_at, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_LIST[] =
    "SELECT t.id, t.name, t.prefix, t.perms, t.org_id, o.name, t.expires_at, t.revoked_at, "
    "t.last_used_at, t.created_at FROM api_tokens t LEFT JOIN orgs o ON o.id = t.org_id "
    "WHERE t.user_id = ? ORDER BY t.id DESC LIMIT 500";
static const char SQL_REVOKE[] =
    "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL";

static json_t *list_json(struct db *db, int64_t user_id, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_LIST, e) != 0)
        return NULL;
    db_bind_i64(st, 1, user_id);
    json_t *arr = json_array();
    int r;
    int64_t now = (int64_t)time(NULL);
    while ((r = db_step(st, e)) == DB_ROW) {
        bool revoked = !db_col_is_null(st, 7);
        bool expired = db_col_i64(st, 6) <= now;
        json_array_append_new(
            arr, json_pack("{s:I, s:s, s:s, s:s, s:o, s:s?, s:I, s:s, s:o, s:I}", "id",
                           (json_int_t)db_col_i64(st, 0), "name", db_col_text(st, 1), "prefix",
                           db_col_text(st, 2), "perms", db_col_text(st, 3), "org_id",
                           db_col_is_null(st, 4) ? json_null() : json_integer(db_col_i64(st, 4)),
                           "org_name", db_col_text(st, 5), "expires_at",
                           (json_int_t)db_col_i64(st, 6), "state",
                           revoked ? "revoked" : expired ? "expired" : "active", "last_used_at",
                           db_col_is_null(st, 8) ? json_null() : json_integer(db_col_i64(st, 8)),
                           "created_at", (json_int_t)db_col_i64(st, 9)));
    }
    db_finalize(st);
    if (r == DB_ERROR) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

/* GET /api/v1/tokens: my tokens (never their secrets). */
static void tokens_list(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    json_t *arr = list_json(req->db, req->auth->user_id, &e);
    json_t *out = arr != NULL ? json_pack("{s:o}", "data", arr) : NULL;
    http_reply(res, 200, out, &e);
    json_decref(out);
}

/* Validates the permission list: known names the creator holds; writes "a b c" into out. */
static int parse_perms(struct http_req *req, const json_t *perms, struct buf *out, struct err *e)
{
    if (!json_is_array(perms) || json_array_size(perms) == 0 || json_array_size(perms) > 32)
        return err_field(e, "perms", json_is_array(perms) ? "auth.token_perms_count"
                                                          : "field.required");
    size_t i;
    json_t *v;
    json_array_foreach(perms, i, v) {
        const char *p = json_string_value(v);
        bool known = false;
        for (const char *const *n = auth_perm_names(); p != NULL && *n != NULL; n++)
            known |= strcmp(*n, p) == 0;
        if (!known || strcmp(p, "token.create") == 0)
            return err_field(e, "perms", "auth.token_bad_perm");
        if (!auth_can(req, p))
            return err_field(e, "perms", "auth.token_perm_not_held");
        if (i > 0)
            buf_addc(out, ' ');
        buf_adds(out, p);
    }
    return 0;
}

/* POST /api/v1/tokens {"name","perms":[...],"org_id"?,"expires_in_days"} -> the token, once. */
static void tokens_create(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    json_t *body = NULL, *out = NULL, *changes = NULL;
    struct buf perms = BUF_INIT(1024);
    char token[AUTH_TOKEN_CHARS + 8], hash[AUTH_HASH_HEX], prefix[16];
    int64_t org_id = 0, days = 90, id = 0;
    if (req->auth->kind != AUTH_SESSION) {
        err_set(&e, ERR_FORBIDDEN, "auth.session_only");
        goto reply;
    }
    if (http_body_object(req, &body, &e) != 0)
        goto reply;
    const char *name = json_string_value(json_object_get(body, "name"));
    if (name == NULL || !auth_display_name_valid(name))
        err_field(&e, "name", name == NULL ? "field.required" : "auth.bad_display_name");
    (void)parse_perms(req, json_object_get(body, "perms"), &perms, &e);
    json_t *org = json_object_get(body, "org_id"), *d = json_object_get(body, "expires_in_days");
    if (org != NULL && !json_is_null(org)) {
        if (!json_is_integer(org) || json_integer_value(org) <= 0)
            err_field(&e, "org_id", "field.bad_integer");
        else
            org_id = json_integer_value(org);
    }
    if (d != NULL) {
        if (!json_is_integer(d) || json_integer_value(d) < 1 || json_integer_value(d) > MAX_DAYS)
            err_field(&e, "expires_in_days", "auth.token_days");
        else
            days = json_integer_value(d);
    }
    if (e.code != ERR_OK)
        goto reply;
    if (org_id > 0) {
        const char *path = NULL;
        /* every requested permission must cover the chosen subtree */
        if (auth_users_org_path(req->db, req->arena, org_id, &path, &e) != 0) {
            if (e.code == ERR_NOT_FOUND) {
                err_clear(&e);
                err_field(&e, "org_id", "org.not_found");
            }
            goto reply;
        }
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(body, "perms"), i, v)
            if (!auth_in_scope(req, json_string_value(v), path)) {
                err_field(&e, "org_id", "org.not_found");
                goto reply;
            }
    }
    auth_secret_new("djt_", token, sizeof token);
    auth_secret_hash(token, hash);
    snprintf(prefix, sizeof prefix, "%.10s", token);
    int64_t now = (int64_t)time(NULL);
    struct db_stmt *st = NULL;
    changes = json_pack("{s:s, s:s, s:o, s:I}", "name", name, "perms", buf_str(&perms), "org_id",
                        org_id > 0 ? json_integer(org_id) : json_null(), "expires_in_days",
                        (json_int_t)days);
    if (db_begin(req->db, &e) != 0)
        goto reply;
    if (db_prepare(req->db, &st, SQL_INSERT, &e) == 0) {
        db_bind_i64(st, 1, req->auth->user_id);
        db_bind_text(st, 2, name);
        db_bind_text(st, 3, prefix);
        db_bind_text(st, 4, hash);
        db_bind_text(st, 5, buf_str(&perms));
        if (org_id > 0)
            db_bind_i64(st, 6, org_id);
        else
            db_bind_null(st, 6);
        db_bind_i64(st, 7, now + days * 86400);
        db_bind_i64(st, 8, now);
        if (db_step(st, &e) == DB_ROW)
            id = db_col_i64(st, 0);
        db_finalize(st);
    }
    char object[32];
    snprintf(object, sizeof object, "token:%lld", (long long)id);
    struct audit_who who = audit_who_req(req);
    if (id == 0 || audit_append(req->db, &who, "token.create", object, org_id, changes, &e) != 0 ||
        db_commit(req->db, &e) != 0) {
        db_rollback(req->db);
        goto reply;
    }
    out = json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)id, "name", name, "token",
                    token, "perms", buf_str(&perms), "expires_at",
                    (json_int_t)(now + days * 86400));
reply:
    sodium_memzero(token, sizeof token);
    buf_fini(&perms);
    json_decref(changes);
    http_reply(res, 201, out, &e);
    json_decref(out);
}

/* DELETE /api/v1/tokens/{id}: revoke one of my tokens. */
static void tokens_revoke(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    int64_t id;
    struct db_stmt *st = NULL;
    if (http_param_id(req, "id", &id, &e) != 0 || db_begin(req->db, &e) != 0)
        goto reply;
    if (db_prepare(req->db, &st, SQL_REVOKE, &e) != 0) {
        db_rollback(req->db);
        goto reply;
    }
    db_bind_i64(st, 1, (int64_t)time(NULL));
    db_bind_i64(st, 2, id);
    db_bind_i64(st, 3, req->auth->user_id);
    int r = db_step(st, &e);
    int64_t n = db_changes(st);
    db_finalize(st);
    char object[32];
    snprintf(object, sizeof object, "token:%lld", (long long)id);
    struct audit_who who = audit_who_req(req);
    if (r == DB_ERROR || (n != 1 && err_set(&e, ERR_NOT_FOUND, "auth.no_token")) ||
        audit_append(req->db, &who, "token.revoke", object, 0, NULL, &e) != 0 ||
        db_commit(req->db, &e) != 0)
        db_rollback(req->db);
reply:
    http_reply(res, 204, NULL, &e);
}

static const struct route tokens_routes[] = {
    {"GET", "/api/v1/tokens", tokens_list, AUTH_PERM_SESSION},
    {"POST", "/api/v1/tokens", tokens_create, "token.create"},
    {"DELETE", "/api/v1/tokens/{id}", tokens_revoke, AUTH_PERM_SESSION},
};

static const struct i18n_msg tokens_msgs[] = {
    {"auth.token_perms_count", "请选择1–32项权限", "Choose 1 to 32 permissions"},
    {"auth.token_bad_perm", "未知或不允许的权限", "Unknown or disallowed permission"},
    {"auth.token_perm_not_held", "令牌的权限不能超出您自己的权限", "A token cannot hold a permission you do not have"},
    {"auth.token_days", "有效期应为1–366天", "Validity: 1 to 366 days"},
    {"auth.no_token", "令牌不存在或已撤销", "No such token, or it is already revoked"},
};

void auth_tokens_register(void)
{
    http_routes_register(tokens_routes, sizeof tokens_routes / sizeof tokens_routes[0]);
    i18n_register(tokens_msgs, sizeof tokens_msgs / sizeof tokens_msgs[0]);
}
