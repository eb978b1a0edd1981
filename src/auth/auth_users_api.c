/* auth_users_api.c: user and role administration (/api/v1/users...). Every change is audited
 * in the same transaction. A user is in the caller's scope when the member they are linked to
 * belongs to a subtree the caller administers; users who are not members are in scope only
 * for system-wide grants. Separation of duties: nobody grants or revokes their own roles, and
 * one user holds at most one of the auditor, security and system administrator roles. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/audit.h"
#include "auth/auth_internal.h"
#include "auth/auth_users.h"
#include "auth/password_rules.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/mask.h"
#include "db/db.h"
#include "http/http.h"

/* Loads user {id} if it is in scope for perm (404 otherwise, like a user that does not exist). */
static json_t *scoped_user(struct http_req *req, const char *perm, int64_t *id, struct err *e)
{
    json_t *u = NULL;
    const char *path = "";
    if (http_param_id(req, "id", id, e) != 0 ||
        auth_users_get(req->db, req->arena, *id, &u, &path, e) != 0)
        return NULL;
    if (!auth_in_scope(req, perm, path)) {
        json_decref(u);
        err_set(e, ERR_NOT_FOUND, "auth.no_user");
        return NULL;
    }
    return u;
}

static const char *obj(struct http_req *req, const char *kind, int64_t id)
{
    char b[48];
    snprintf(b, sizeof b, "%s:%lld", kind, (long long)id);
    return arena_strdup(req->arena, b);
}

/* Runs the audit append and commit of a change begun by the caller. */
static int finish(struct http_req *req, const char *action, const char *object,
                  const json_t *changes, struct err *e)
{
    struct audit_who who = audit_who_req(req);
    if (audit_append(req->db, &who, action, object, 0, changes, e) != 0 ||
        db_commit(req->db, e) != 0) {
        db_rollback(req->db);
        return -1;
    }
    return 0;
}

/* GET /api/v1/users?q=&page=&per_page= */
static void users_list(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct http_page pg;
    int64_t root = 0, total = 0;
    const char *scope = "";
    json_t *data = NULL, *out = NULL;
    const char *q = http_query(req, "q");
    if (q == NULL)
        q = "";
    if (strlen(q) > 64)
        err_field(&e, "q", "field.too_long");
    if (e.code == ERR_OK && http_page_parse(req, &pg, &e) == 0 &&
        auth_scope_root(req, "user.read", &root, &scope) == 0 &&
        auth_users_list(req->db, req->arena, scope, q, pg.per_page, pg.offset, &data, &total,
                        &e) == 0)
        out = http_list_json(data, &pg, total);
    http_reply(res, 200, out, &e);
    json_decref(out);
}

/* GET /api/v1/users/{id} */
static void users_get(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    int64_t id;
    json_t *u = scoped_user(req, "user.read", &id, &e);
    http_reply(res, 200, u, &e);
    json_decref(u);
}

static const char *opt_str(const json_t *body, const char *name, struct err *e)
{
    json_t *v = json_object_get(body, name);
    if (v == NULL || json_is_null(v))
        return NULL;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
        err_field(e, name, "field.bad_type");
        return NULL;
    }
    return json_string_value(v);
}

/* POST /api/v1/users {"username","display_name","member_id"?,"phone"?,"password"?} */
static void users_create(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    json_t *body = NULL, *out = NULL, *changes = NULL;
    char temp[24] = "", hash[PASSWORD_HASH_MAX];
    struct auth_new_user nu = {0};
    int64_t id = 0;
    if (http_body_object(req, &body, &e) != 0)
        goto reply;
    nu.username = opt_str(body, "username", &e);
    nu.display_name = opt_str(body, "display_name", &e);
    nu.phone = opt_str(body, "phone", &e);
    const char *pw = opt_str(body, "password", &e);
    json_t *mid = json_object_get(body, "member_id");
    if (mid != NULL && !json_is_null(mid)) {
        if (!json_is_integer(mid) || json_integer_value(mid) <= 0)
            err_field(&e, "member_id", "field.bad_integer");
        else
            nu.member_id = json_integer_value(mid);
    }
    if (nu.username == NULL)
        err_field(&e, "username", "field.required");
    else if (!auth_username_valid(nu.username))
        err_field(&e, "username", "auth.bad_username");
    if (nu.display_name == NULL)
        err_field(&e, "display_name", "field.required");
    else if (!auth_display_name_valid(nu.display_name))
        err_field(&e, "display_name", "auth.bad_display_name");
    if (pw != NULL && nu.username != NULL)
        (void)password_rules_check(pw, nu.username, nu.phone, &e);
    if (e.code != ERR_OK)
        goto reply;
    const char *path = "";
    if (nu.member_id > 0 && auth_users_member_path(req->db, req->arena, nu.member_id, &path, &e) != 0) {
        if (e.code == ERR_NOT_FOUND) {
            err_clear(&e);
            err_field(&e, "member_id", "member.not_found");
        }
        goto reply;
    }
    if (!auth_in_scope(req, "user.write", path)) {
        if (nu.member_id > 0)
            err_field(&e, "member_id", "member.not_found");
        else
            err_set(&e, ERR_FORBIDDEN, "auth.system_user_forbidden");
        goto reply;
    }
    if (pw == NULL) {
        auth_temp_password(temp);
        pw = temp;
        nu.must_change_password = true;
    }
    if (password_hash(pw, auth_password_params(), hash, &e) != 0)
        goto reply;
    nu.password_hash = hash;
    char masked[MASK_MAX] = "";
    if (nu.phone != NULL)
        mask_phone(nu.phone, masked);
    changes = json_pack("{s:s, s:s, s:o, s:s?}", "username", nu.username, "display_name",
                        nu.display_name, "member_id",
                        nu.member_id > 0 ? json_integer(nu.member_id) : json_null(), "phone",
                        nu.phone != NULL ? masked : NULL);
    if (db_begin(req->db, &e) != 0)
        goto reply;
    if (auth_store_user_create(req->db, &nu, &id, &e) != 0 ||
        (nu.member_id > 0 &&
         auth_store_grant(req->db, id, ROLE_MEMBER, 0, req->auth->user_id, NULL, &e) != 0)) {
        db_rollback(req->db);
        goto reply;
    }
    if (finish(req, "user.create", obj(req, "user", id), changes, &e) != 0)
        goto reply;
    const char *p2;
    if (auth_users_get(req->db, req->arena, id, &out, &p2, &e) == 0 && temp[0] != '\0')
        json_object_set_new(out, "initial_password", json_string(temp));
reply:
    sodium_memzero(temp, sizeof temp);
    json_decref(changes);
    http_reply(res, 201, out, &e);
    json_decref(out);
}

/* PATCH /api/v1/users/{id} {"display_name"?,"status"?,"phone"?}: disabling ends the user's
 * sessions. */
static void users_update(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    json_t *body = NULL, *out = NULL, *changes = json_object();
    int64_t id;
    json_t *before = scoped_user(req, "user.write", &id, &e);
    if (before == NULL || http_body_object(req, &body, &e) != 0)
        goto reply;
    const char *name = opt_str(body, "display_name", &e);
    const char *status = opt_str(body, "status", &e);
    json_t *phone_v = json_object_get(body, "phone");
    const char *phone = opt_str(body, "phone", &e);
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
        if (strcmp(key, "display_name") != 0 && strcmp(key, "status") != 0 &&
            strcmp(key, "phone") != 0)
            err_field(&e, key, "field.unknown");
    if (name != NULL && !auth_display_name_valid(name))
        err_field(&e, "display_name", "auth.bad_display_name");
    if (status != NULL && strcmp(status, "active") != 0 && strcmp(status, "disabled") != 0)
        err_field(&e, "status", "auth.bad_status");
    if (status != NULL && id == req->auth->user_id && strcmp(status, "disabled") == 0)
        err_field(&e, "status", "auth.cannot_disable_self");
    if (e.code != ERR_OK)
        goto reply;
    if (name != NULL)
        json_object_set_new(changes, "display_name",
                            json_pack("{s:O, s:s}", "from", json_object_get(before, "display_name"),
                                      "to", name));
    if (status != NULL)
        json_object_set_new(changes, "status",
                            json_pack("{s:O, s:s}", "from", json_object_get(before, "status"),
                                      "to", status));
    if (phone_v != NULL) {
        char masked[MASK_MAX] = "";
        if (phone != NULL)
            mask_phone(phone, masked);
        json_object_set_new(changes, "phone", json_pack("{s:s, s:s?}", "from", "***", "to",
                                                        phone != NULL ? masked : NULL));
    }
    if (db_begin(req->db, &e) != 0)
        goto reply;
    if (auth_users_set(req->db, id, name, status, &e) != 0 ||
        (phone_v != NULL && auth_store_user_phone(req->db, id, phone, &e) != 0) ||
        (status != NULL && strcmp(status, "disabled") == 0 &&
         auth_store_sessions_revoke_user(req->db, id, 0, &e) != 0)) {
        db_rollback(req->db);
        goto reply;
    }
    if (finish(req, "user.update", obj(req, "user", id), changes, &e) != 0)
        goto reply;
    const char *p2;
    if (auth_users_get(req->db, req->arena, id, &out, &p2, &e) != 0)
        log_error("auth", "req=%s user %lld changed but cannot be read back", req->id, (long long)id);
reply:
    json_decref(before);
    json_decref(changes);
    http_reply(res, 200, out, &e);
    json_decref(out);
}

/* POST /api/v1/users/{id}/password-reset: a new initial password, shown once; the user must
 * change it at the next log-in, and every session of theirs ends. */
static void users_password_reset(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    char temp[24], hash[PASSWORD_HASH_MAX];
    int64_t id;
    json_t *out = NULL, *u = scoped_user(req, "user.write", &id, &e);
    auth_temp_password(temp);
    if (u != NULL && password_hash(temp, auth_password_params(), hash, &e) == 0 &&
        db_begin(req->db, &e) == 0) {
        if (auth_store_set_password(req->db, id, hash, true, &e) != 0 ||
            auth_store_sessions_revoke_user(req->db, id, 0, &e) != 0)
            db_rollback(req->db);
        else if (finish(req, "user.password_reset", obj(req, "user", id), NULL, &e) == 0)
            out = json_pack("{s:s}", "initial_password", temp);
    }
    sodium_memzero(temp, sizeof temp);
    json_decref(u);
    http_reply(res, 200, out, &e);
    json_decref(out);
}

/* POST /api/v1/users/{id}/mfa-reset: the user enrolls again at the next log-in. */
static void users_mfa_reset(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    int64_t id;
    json_t *u = scoped_user(req, "mfa.reset", &id, &e);
    if (u != NULL && id == req->auth->user_id)
        err_set(&e, ERR_FORBIDDEN, "auth.not_on_self");
    else if (u != NULL && db_begin(req->db, &e) == 0) {
        if (auth_store_mfa_reset(req->db, id, &e) != 0 ||
            auth_store_sessions_revoke_user(req->db, id, 0, &e) != 0)
            db_rollback(req->db);
        else if (finish(req, "mfa.reset", obj(req, "user", id), NULL, &e) != 0)
            log_error("auth", "req=%s mfa reset not recorded", req->id);
    }
    json_decref(u);
    http_reply(res, 204, NULL, &e);
}

/* DELETE /api/v1/users/{id}/sessions: log the user out everywhere. */
static void users_sessions_end(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    int64_t id;
    json_t *u = scoped_user(req, "session.revoke", &id, &e);
    if (u != NULL && db_begin(req->db, &e) == 0) {
        if (auth_store_sessions_revoke_user(req->db, id, 0, &e) != 0)
            db_rollback(req->db);
        else if (finish(req, "session.revoke_all", obj(req, "user", id), NULL, &e) != 0)
            log_error("auth", "req=%s session revocation not recorded", req->id);
    }
    json_decref(u);
    http_reply(res, 204, NULL, &e);
}

/* POST /api/v1/users/{id}/roles {"role","org_id"} */
static void users_grant(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    json_t *body = NULL, *out = NULL, *changes = NULL;
    int64_t id, org_id = 0, grant_id = 0;
    enum auth_role role = ROLE_MEMBER;
    bool has[ROLE_COUNT];
    json_t *u = scoped_user(req, "role.assign", &id, &e);
    if (u == NULL || http_body_object(req, &body, &e) != 0)
        goto reply;
    const char *rname = opt_str(body, "role", &e);
    json_t *org = json_object_get(body, "org_id");
    if (rname == NULL || auth_role_parse(rname, &role) != 0)
        err_field(&e, "role", rname == NULL ? "field.required" : "auth.bad_role");
    if (org != NULL && !json_is_null(org)) {
        if (!json_is_integer(org) || json_integer_value(org) <= 0)
            err_field(&e, "org_id", "field.bad_integer");
        else
            org_id = json_integer_value(org);
    }
    if (e.code != ERR_OK)
        goto reply;
    if (auth_role_system_wide(role) && org_id != 0)
        err_field(&e, "org_id", "auth.role_system_wide");
    if (id == req->auth->user_id)
        err_set(&e, ERR_FORBIDDEN, "auth.not_on_self");
    if (e.code != ERR_OK)
        goto reply;
    const char *path = "";
    if (org_id != 0 && auth_users_org_path(req->db, req->arena, org_id, &path, &e) != 0) {
        if (e.code == ERR_NOT_FOUND) {
            err_clear(&e);
            err_field(&e, "org_id", "org.not_found");
        }
        goto reply;
    }
    if (!auth_in_scope(req, "role.assign", path)) {
        err_field(&e, "org_id", "org.not_found");
        goto reply;
    }
    if (auth_users_roles_of(req->db, id, has, &e) != 0)
        goto reply;
    if (auth_role_system_wide(role)) {
        for (int r = 0; r < ROLE_COUNT; r++)
            if (has[r] && auth_role_system_wide((enum auth_role)r) && r != (int)role) {
                err_field(&e, "role", "auth.roles_separated");
                goto reply;
            }
    }
    changes = json_pack("{s:s, s:o}", "role", auth_role_name(role), "org_id",
                        org_id > 0 ? json_integer(org_id) : json_null());
    if (db_begin(req->db, &e) != 0)
        goto reply;
    if (auth_store_grant(req->db, id, role, org_id, req->auth->user_id, &grant_id, &e) != 0) {
        db_rollback(req->db);
        goto reply;
    }
    if (finish(req, "role.grant", obj(req, "user", id), changes, &e) == 0)
        out = auth_users_roles_json(req->db, id, &e);
reply:
    json_decref(u);
    json_decref(changes);
    json_t *reply = out != NULL ? json_pack("{s:o}", "data", out) : NULL;
    http_reply(res, 201, reply, &e);
    json_decref(reply);
}

/* DELETE /api/v1/users/{id}/roles/{grant_id} */
static void users_revoke(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    int64_t id, grant_id, org_id = 0;
    char role[32];
    json_t *changes = NULL;
    json_t *u = scoped_user(req, "role.assign", &id, &e);
    if (u == NULL || http_param_id(req, "grant_id", &grant_id, &e) != 0 ||
        auth_users_grant_get(req->db, id, grant_id, role, &org_id, &e) != 0)
        goto reply;
    if (id == req->auth->user_id) {
        err_set(&e, ERR_FORBIDDEN, "auth.not_on_self");
        goto reply;
    }
    changes = json_pack("{s:s, s:o}", "role", role, "org_id",
                        org_id > 0 ? json_integer(org_id) : json_null());
    if (db_begin(req->db, &e) != 0)
        goto reply;
    if (auth_users_grant_delete(req->db, grant_id, &e) != 0) {
        db_rollback(req->db);
        goto reply;
    }
    if (finish(req, "role.revoke", obj(req, "user", id), changes, &e) != 0)
        log_error("auth", "req=%s role revocation not recorded", req->id);
reply:
    json_decref(u);
    json_decref(changes);
    http_reply(res, 204, NULL, &e);
}

static const struct route users_routes[] = {
    {"GET", "/api/v1/users", users_list, "user.read"},
    {"POST", "/api/v1/users", users_create, "user.write"},
    {"GET", "/api/v1/users/{id}", users_get, "user.read"},
    {"PATCH", "/api/v1/users/{id}", users_update, "user.write"},
    {"POST", "/api/v1/users/{id}/password-reset", users_password_reset, "user.write"},
    {"POST", "/api/v1/users/{id}/mfa-reset", users_mfa_reset, "mfa.reset"},
    {"DELETE", "/api/v1/users/{id}/sessions", users_sessions_end, "session.revoke"},
    {"POST", "/api/v1/users/{id}/roles", users_grant, "role.assign"},
    {"DELETE", "/api/v1/users/{id}/roles/{grant_id}", users_revoke, "role.assign"},
};

static const struct i18n_msg users_msgs[] = {
    {"auth.bad_display_name", "姓名应为1–50个字符，且不含控制字符", "Name: 1–50 characters, no control characters"},
    {"auth.bad_status", "状态应为 active 或 disabled", "Status must be active or disabled"},
    {"auth.cannot_disable_self", "不能停用自己的账号", "You cannot disable your own account"},
    {"auth.system_user_forbidden", "只有全系统范围的管理员才能创建非党员账号", "Only a system-wide administrator can create accounts that are not members"},
    {"auth.bad_role", "未知角色", "Unknown role"},
    {"auth.role_system_wide", "该角色作用于全系统，不能指定组织", "This role covers the whole system; do not give an organization"},
    {"auth.not_on_self", "不能对自己的账号执行此操作（职责分离）", "You cannot do this to your own account (separation of duties)"},
    {"auth.roles_separated", "系统管理员、安全管理员、审计管理员不能由同一人兼任", "The system, security and audit administrator roles must be held by different people"},
    {"auth.role_needs_org", "该角色需要指定组织（ROLE@组织编码）", "This role needs an organization (ROLE@ORG_CODE)"},
    {"auth.demo_users_exist", "已有用户账号，未创建演示账号", "Users exist already; no demo accounts were made"},
    {"auth.no_grant", "该角色授权不存在", "No such role grant"},
    {"member.not_found", "党员不存在", "No such member"},
    {"field.unknown", "不支持的字段", "Unknown field"},
};

void auth_users_register(void)
{
    http_routes_register(users_routes, sizeof users_routes / sizeof users_routes[0]);
    i18n_register(users_msgs, sizeof users_msgs / sizeof users_msgs[0]);
}
