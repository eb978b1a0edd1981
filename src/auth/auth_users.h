/* auth_users.h: user administration store (auth_users_store.c), shared by the users API and
 * the `dangjian user` command. Lists and details come back as JSON data (no HTTP here).
 * scope: an org path prefix ("" = every user, including those who are not members). */
#ifndef DJ_AUTH_USERS_H
#define DJ_AUTH_USERS_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/auth.h"

struct arena;
struct db;
struct err;

int auth_users_list(struct db *db, struct arena *a, const char *scope, const char *q,
                    int64_t limit, int64_t offset, json_t **out, int64_t *total, struct err *e)
    __attribute__((warn_unused_result));
/* One user with roles; *path = the member's org path ("" when not a member). */
int auth_users_get(struct db *db, struct arena *a, int64_t id, json_t **out, const char **path,
                   struct err *e) __attribute__((warn_unused_result));
json_t *auth_users_roles_json(struct db *db, int64_t user_id, struct err *e);
/* NULL leaves a value as it is. */
int auth_users_set(struct db *db, int64_t id, const char *display_name, const char *status,
                   struct err *e) __attribute__((warn_unused_result));
int auth_users_grant_get(struct db *db, int64_t user_id, int64_t grant_id, char role[32],
                         int64_t *org_id, struct err *e) __attribute__((warn_unused_result));
int auth_users_grant_delete(struct db *db, int64_t grant_id, struct err *e)
    __attribute__((warn_unused_result));
int auth_users_roles_of(struct db *db, int64_t user_id, bool has[ROLE_COUNT], struct err *e)
    __attribute__((warn_unused_result));
int auth_users_org_path(struct db *db, struct arena *a, int64_t org_id, const char **path,
                        struct err *e) __attribute__((warn_unused_result));
int auth_users_member_path(struct db *db, struct arena *a, int64_t member_id, const char **path,
                           struct err *e) __attribute__((warn_unused_result));

#endif
