/* auth_users_store.c: user administration queries (lists, details, status, grants). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/auth_internal.h"
#include "auth/auth_users.h"
#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static const char SQL_LIST[] =
    "SELECT u.id, u.username, u.display_name, u.member_id, u.status, u.mfa_enabled, "
    "u.last_login_at, u.created_at, o.id, o.name FROM users u "
    "LEFT JOIN members m ON m.id = u.member_id LEFT JOIN orgs o ON o.id = m.org_id "
    "WHERE (? = '' OR (o.path >= ? AND o.path < ?)) "
    "AND (? = '' OR u.username LIKE ? ESCAPE '\\' OR u.display_name LIKE ? ESCAPE '\\') "
    "ORDER BY u.id LIMIT ? OFFSET ?";
static const char SQL_COUNT[] =
    "SELECT COUNT(*) FROM users u "
    "LEFT JOIN members m ON m.id = u.member_id LEFT JOIN orgs o ON o.id = m.org_id "
    "WHERE (? = '' OR (o.path >= ? AND o.path < ?)) "
    "AND (? = '' OR u.username LIKE ? ESCAPE '\\' OR u.display_name LIKE ? ESCAPE '\\')";
static const char SQL_ROLES[] =
    "SELECT r.id, r.role, r.org_id, o.name, r.created_at FROM role_assignments r "
    "LEFT JOIN orgs o ON o.id = r.org_id WHERE r.user_id = ? ORDER BY r.id";
static const char SQL_ONE[] =
    "SELECT u.id, u.username, u.display_name, u.member_id, u.status, u.mfa_enabled, "
    "u.last_login_at, u.created_at, o.id, o.name, o.path FROM users u "
    "LEFT JOIN members m ON m.id = u.member_id LEFT JOIN orgs o ON o.id = m.org_id "
    "WHERE u.id = ?";

static void bind_filter(struct db_stmt *st, struct arena *a, const char *scope, const char *q)
{
    const char *like = db_like_contains(a, q);
    const char *lo = scope[0] != '\0' ? scope : "/";
    db_bind_text(st, 1, scope);
    db_bind_text(st, 2, lo);
    db_bind_text(st, 3, db_prefix_upper(a, lo));
    db_bind_text(st, 4, q);
    db_bind_text(st, 5, like);
    db_bind_text(st, 6, like);
}

json_t *auth_users_roles_json(struct db *db, int64_t user_id, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_ROLES, e) != 0)
        return NULL;
    db_bind_i64(st, 1, user_id);
    json_t *arr = json_array();
    int r;
    while ((r = db_step(st, e)) == DB_ROW)
        json_array_append_new(
            arr, json_pack("{s:I, s:s, s:o, s:s?, s:I}", "id", (json_int_t)db_col_i64(st, 0),
                           "role", db_col_text(st, 1), "org_id",
                           db_col_is_null(st, 2) ? json_null() : json_integer(db_col_i64(st, 2)),
                           "org_name", db_col_text(st, 3), "created_at",
                           (json_int_t)db_col_i64(st, 4)));
    db_finalize(st);
    if (r == DB_ERROR) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

static json_t *row_json(struct db_stmt *st)
{
    return json_pack("{s:I, s:s, s:s, s:o, s:s, s:b, s:o, s:I, s:o, s:s?}", "id",
                     (json_int_t)db_col_i64(st, 0), "username", db_col_text(st, 1),
                     "display_name", db_col_text(st, 2), "member_id",
                     db_col_is_null(st, 3) ? json_null() : json_integer(db_col_i64(st, 3)),
                     "status", db_col_text(st, 4), "mfa_enabled", db_col_i64(st, 5) != 0,
                     "last_login_at",
                     db_col_is_null(st, 6) ? json_null() : json_integer(db_col_i64(st, 6)),
                     "created_at", (json_int_t)db_col_i64(st, 7), "org_id",
                     db_col_is_null(st, 8) ? json_null() : json_integer(db_col_i64(st, 8)),
                     "org_name", db_col_text(st, 9));
}

int auth_users_list(struct db *db, struct arena *a, const char *scope, const char *q,
                    int64_t limit, int64_t offset, json_t **out, int64_t *total, struct err *e)
{
    struct db_stmt *st = NULL;
    *out = NULL;
    if (db_prepare(db, &st, SQL_COUNT, e) != 0)
        return -1;
    bind_filter(st, a, scope, q);
    int r = db_step(st, e);
    *total = r == DB_ROW ? db_col_i64(st, 0) : 0;
    db_finalize(st);
    if (r != DB_ROW || db_prepare(db, &st, SQL_LIST, e) != 0)
        return -1;
    bind_filter(st, a, scope, q);
    db_bind_i64(st, 7, limit);
    db_bind_i64(st, 8, offset);
    json_t *arr = json_array();
    while ((r = db_step(st, e)) == DB_ROW)
        json_array_append_new(arr, row_json(st));
    db_finalize(st);
    if (r == DB_ERROR) {
        json_decref(arr);
        return -1;
    }
    size_t i;
    json_t *u;
    json_array_foreach(arr, i, u) {
        json_t *roles = auth_users_roles_json(db, json_integer_value(json_object_get(u, "id")), e);
        if (roles == NULL) {
            json_decref(arr);
            return -1;
        }
        json_object_set_new(u, "roles", roles);
    }
    *out = arr;
    return 0;
}

int auth_users_get(struct db *db, struct arena *a, int64_t id, json_t **out, const char **path,
                   struct err *e)
{
    struct db_stmt *st = NULL;
    *out = NULL;
    if (db_prepare(db, &st, SQL_ONE, e) != 0)
        return -1;
    db_bind_i64(st, 1, id);
    int r = db_step(st, e);
    if (r == DB_ROW) {
        *out = row_json(st);
        *path = db_col_is_null(st, 10) ? "" : db_col_strdup(a, st, 10);
    }
    db_finalize(st);
    if (r != DB_ROW)
        return r == DB_ERROR ? -1 : err_set(e, ERR_NOT_FOUND, "auth.no_user");
    json_t *roles = auth_users_roles_json(db, id, e);
    if (roles == NULL) {
        json_decref(*out);
        *out = NULL;
        return -1;
    }
    json_object_set_new(*out, "roles", roles);
    return 0;
}

int auth_users_set(struct db *db, int64_t id, const char *display_name, const char *status,
                   struct err *e)
{
    static const char sql[] =
        "UPDATE users SET display_name = COALESCE(?, display_name), status = COALESCE(?, status), "
        "updated_at = ? WHERE id = ?";
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_text(st, 1, display_name);
    db_bind_text(st, 2, status);
    db_bind_i64(st, 3, now_s());
    db_bind_i64(st, 4, id);
    int rc = db_step(st, e) == DB_DONE ? 0 : -1;
    db_finalize(st);
    return rc;
}

int auth_users_grant_get(struct db *db, int64_t user_id, int64_t grant_id, char role[32],
                         int64_t *org_id, struct err *e)
{
    static const char sql[] =
        "SELECT role, org_id FROM role_assignments WHERE id = ? AND user_id = ?";
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_i64(st, 1, grant_id);
    db_bind_i64(st, 2, user_id);
    int r = db_step(st, e);
    if (r == DB_ROW) {
        snprintf(role, 32, "%s", db_col_text(st, 0));
        *org_id = db_col_i64(st, 1);
    }
    db_finalize(st);
    if (r != DB_ROW)
        return r == DB_ERROR ? -1 : err_set(e, ERR_NOT_FOUND, "auth.no_grant");
    return 0;
}

int auth_users_grant_delete(struct db *db, int64_t grant_id, struct err *e)
{
    static const char sql[] = "DELETE FROM role_assignments WHERE id = ?";
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_i64(st, 1, grant_id);
    int rc = db_step(st, e) == DB_DONE ? 0 : -1;
    db_finalize(st);
    return rc;
}

int auth_users_roles_of(struct db *db, int64_t user_id, bool has[ROLE_COUNT], struct err *e)
{
    static const char sql[] = "SELECT role FROM role_assignments WHERE user_id = ?";
    struct db_stmt *st = NULL;
    memset(has, 0, sizeof(bool) * ROLE_COUNT);
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_i64(st, 1, user_id);
    int r;
    while ((r = db_step(st, e)) == DB_ROW) {
        enum auth_role role;
        if (auth_role_parse(db_col_text(st, 0), &role) == 0)
            has[role] = true;
    }
    db_finalize(st);
    return r == DB_ERROR ? -1 : 0;
}

int auth_users_org_path(struct db *db, struct arena *a, int64_t org_id, const char **path,
                        struct err *e)
{
    static const char sql[] = "SELECT path FROM orgs WHERE id = ?";
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_i64(st, 1, org_id);
    int r = db_step(st, e);
    if (r == DB_ROW)
        *path = db_col_strdup(a, st, 0);
    db_finalize(st);
    if (r != DB_ROW)
        return r == DB_ERROR ? -1 : err_set(e, ERR_NOT_FOUND, "org.not_found");
    return 0;
}

int auth_users_member_path(struct db *db, struct arena *a, int64_t member_id, const char **path,
                           struct err *e)
{
    static const char sql[] =
        "SELECT o.path FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.id = ?";
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_i64(st, 1, member_id);
    int r = db_step(st, e);
    if (r == DB_ROW)
        *path = db_col_strdup(a, st, 0);
    db_finalize(st);
    if (r != DB_ROW)
        return r == DB_ERROR ? -1 : err_set(e, ERR_NOT_FOUND, "member.not_found");
    return 0;
}
