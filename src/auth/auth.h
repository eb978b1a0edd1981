/* auth.h: who is calling, and what they may do (issue 4, ARCHITECTURE §5 and §8).
 *
 * The server resolves the caller before the handler runs (auth_resolve, from the session cookie
 * or an API token) and checks the route's permission:
 *   route perm NULL               public (health, log-in)
 *   AUTH_PERM_SESSION_ANY         a session cookie at any stage (MFA challenge, enrollment,
 *                                 log-out, "who am I")
 *   AUTH_PERM_SESSION             a fully logged-in session cookie (my account, my tokens)
 *   any other name ("org.read")   a full session or an API token holding that permission
 * A missing or dead credential is 401; a caller without the permission anywhere is 403.
 * Org scope is the handler's check: each grant is a role over an org subtree (materialized
 * path) or over the whole system, and an object outside every subtree that grants the
 * permission is answered 404, like an object that does not exist (never a leak).
 * Cookie-authenticated calls that change state must carry the session's CSRF token in the
 * X-CSRF-Token header (403 "auth.csrf" otherwise).
 * Threads: a principal belongs to one request (allocated in its arena). */
#ifndef DJ_AUTH_H
#define DJ_AUTH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_req;
struct db;
struct err;

#define AUTH_PERM_SESSION "session"
#define AUTH_PERM_SESSION_ANY "session.any"
#define AUTH_MAX_GRANTS 16

enum auth_role {
    ROLE_MEMBER,             /* 党员: their own record and services */
    ROLE_BRANCH_SECRETARY,   /* 支部书记/党务干事 */
    ROLE_COMMITTEE_ADMIN,    /* 党委管理员 */
    ROLE_LEADER,             /* 领导: read-only */
    ROLE_AUDITOR,            /* 审计管理员 */
    ROLE_SECURITY_ADMIN,     /* 安全管理员 */
    ROLE_SYSTEM_ADMIN,       /* 系统管理员 */
    ROLE_COUNT
};

enum auth_kind { AUTH_SESSION, AUTH_TOKEN };
enum auth_stage { AUTH_STAGE_MFA, AUTH_STAGE_ENROLL, AUTH_STAGE_FULL };

struct auth_grant {
    enum auth_role role;
    int64_t org_id;          /* 0 = the whole system */
    const char *org_path;    /* "/1/5/" or "" for the whole system (arena) */
};

struct auth_principal {
    enum auth_kind kind;
    enum auth_stage stage;
    int64_t user_id;
    int64_t member_id;       /* 0 when the user is not a member */
    int64_t session_id;      /* AUTH_SESSION */
    int64_t token_id;        /* AUTH_TOKEN */
    const char *username;
    const char *display_name;
    const char *csrf;        /* AUTH_SESSION */
    bool must_change_password;   /* only the AUTH_PERM_SESSION_ANY routes until changed */
    const char *token_perms; /* AUTH_TOKEN: space-separated; limits every grant */
    int ngrants;
    struct auth_grant grants[AUTH_MAX_GRANTS];
};

/* ---- roles (auth_roles.c: pure) ---- */
const char *auth_role_name(enum auth_role r);                 /* "branch_secretary" */
int auth_role_parse(const char *name, enum auth_role *out);   /* -1 if unknown */
bool auth_role_has(enum auth_role r, const char *perm);
bool auth_role_needs_mfa(enum auth_role r);                   /* administrative roles */
bool auth_role_system_wide(enum auth_role r);                 /* granted without an org */
/* Every permission name a role can hold, NULL-terminated (for docs, tokens and tests). */
const char *const *auth_perm_names(void);
/* The role's permissions, NULL-terminated. */
const char *const *auth_role_perms(enum auth_role r);

/* ---- checks for handlers ---- */
/* True when the caller holds perm in some grant (token permissions applied). */
bool auth_can(const struct http_req *req, const char *perm);
/* True when org_path ("/1/5/23/") lies in a subtree where the caller holds perm. */
bool auth_in_scope(const struct http_req *req, const char *perm, const char *org_path);
/* The caller's widest subtree for perm, for lists without an explicit root: *org_id = 0 and
 * *path = "" for the whole system. -1 when the caller does not hold perm. When the caller holds
 * perm over several disjoint subtrees, the shortest path wins (lists then take ?org_id= to
 * choose another). */
int auth_scope_root(const struct http_req *req, const char *perm, int64_t *org_id,
                    const char **path);
/* "user:12" / "token:3" / "anonymous" for the audit log (arena string). */
const char *auth_actor(const struct http_req *req);
/* The client address as text (arena string; "" when unknown). */
const char *auth_client_ip(const struct http_req *req);

#endif
