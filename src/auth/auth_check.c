/* auth_check.c: permission and org-scope checks for handlers (see auth.h). */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/arena.h"
#include "http/http.h"

/* perm appears as a whole word in the space-separated list. */
static bool listed(const char *list, const char *perm)
{
    size_t n = strlen(perm);
    for (const char *p = list; p != NULL && *p != '\0';) {
        const char *end = strchr(p, ' ');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        if (len == n && memcmp(p, perm, n) == 0)
            return true;
        p = end != NULL ? end + 1 : NULL;
    }
    return false;
}

static bool grant_has(const struct auth_principal *a, const struct auth_grant *g, const char *perm)
{
    if (a->kind == AUTH_TOKEN && !listed(a->token_perms, perm))
        return false;
    return auth_role_has(g->role, perm);
}

bool auth_can(const struct http_req *req, const char *perm)
{
    const struct auth_principal *a = req->auth;
    if (a == NULL || a->stage != AUTH_STAGE_FULL)
        return false;
    for (int i = 0; i < a->ngrants; i++)
        if (grant_has(a, &a->grants[i], perm))
            return true;
    return false;
}

bool auth_in_scope(const struct http_req *req, const char *perm, const char *org_path)
{
    const struct auth_principal *a = req->auth;
    if (a == NULL || a->stage != AUTH_STAGE_FULL || org_path == NULL)
        return false;
    for (int i = 0; i < a->ngrants; i++) {
        const struct auth_grant *g = &a->grants[i];
        if (grant_has(a, g, perm) && strncmp(org_path, g->org_path, strlen(g->org_path)) == 0)
            return true;
    }
    return false;
}

int auth_scope_root(const struct http_req *req, const char *perm, int64_t *org_id,
                    const char **path)
{
    const struct auth_principal *a = req->auth;
    const struct auth_grant *best = NULL;
    if (a == NULL || a->stage != AUTH_STAGE_FULL)
        return -1;
    for (int i = 0; i < a->ngrants; i++) {
        const struct auth_grant *g = &a->grants[i];
        if (!grant_has(a, g, perm))
            continue;
        if (best == NULL || strlen(g->org_path) < strlen(best->org_path))
            best = g;
    }
    if (best == NULL)
        return -1;
    *org_id = best->org_id;
    *path = best->org_path;
    return 0;
}

const char *auth_actor(const struct http_req *req)
{
    const struct auth_principal *a = req->auth;
    char buf[48];
    if (a == NULL)
        return "anonymous";
    snprintf(buf, sizeof buf, "%s:%lld", a->kind == AUTH_TOKEN ? "token" : "user",
             (long long)(a->kind == AUTH_TOKEN ? a->token_id : a->user_id));
    return arena_strdup(req->arena, buf);
}

const char *auth_client_ip(const struct http_req *req)
{
    return http_client_ip(req);
}
