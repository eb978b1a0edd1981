/* auth_roles.c: what each role may do (see auth.h). Pure: no I/O.
 *
 * The three system roles are separated as 等保 level 3 (GB/T 22239-2019) expects: the system
 * administrator runs accounts and the system but cannot read the audit log or grant roles; the
 * security administrator grants roles, resets MFA and ends sessions but cannot read member data;
 * the auditor reads and exports the audit log and changes nothing. No role may delete or alter
 * audit entries: there is no such operation. */
#include "auth/auth.h"

#include <string.h>

static const char *const NAMES[ROLE_COUNT] = {
    "member", "branch_secretary", "committee_admin", "leader",
    "auditor", "security_admin", "system_admin",
};

static const char *const P_MEMBER[] = {NULL};
static const char *const P_SECRETARY[] = {
    "org.read", "org.export", "member.read", "member.write", "member.export", "member.reveal",
    "user.read", "jobs.read", "token.create", NULL};
static const char *const P_COMMITTEE[] = {
    "org.read", "org.write", "org.export", "member.read", "member.write", "member.export",
    "member.reveal", "user.read", "user.write", "jobs.read", "token.create", NULL};
static const char *const P_LEADER[] = {"org.read", "member.read", "jobs.read", NULL};
static const char *const P_AUDITOR[] = {"audit.read", "audit.export", "jobs.read", NULL};
static const char *const P_SECURITY[] = {
    "user.read", "role.assign", "mfa.reset", "session.revoke", "token.revoke", "org.read", NULL};
static const char *const P_SYSTEM[] = {
    "user.read", "user.write", "org.read", "jobs.read", "token.create", NULL};

static const char *const *const PERMS[ROLE_COUNT] = {
    P_MEMBER, P_SECRETARY, P_COMMITTEE, P_LEADER, P_AUDITOR, P_SECURITY, P_SYSTEM,
};

/* Every permission, for token requests and documentation. */
static const char *const ALL[] = {
    "org.read", "org.write", "org.export", "member.read", "member.write", "member.export",
    "member.reveal", "user.read", "user.write", "role.assign", "mfa.reset", "session.revoke",
    "token.create", "token.revoke", "audit.read", "audit.export", "jobs.read", NULL};

const char *auth_role_name(enum auth_role r)
{
    return (unsigned)r < ROLE_COUNT ? NAMES[r] : "unknown";
}

int auth_role_parse(const char *name, enum auth_role *out)
{
    for (int i = 0; i < ROLE_COUNT; i++)
        if (name != NULL && strcmp(NAMES[i], name) == 0) {
            *out = (enum auth_role)i;
            return 0;
        }
    return -1;
}

bool auth_role_has(enum auth_role r, const char *perm)
{
    if ((unsigned)r >= ROLE_COUNT)
        return false;
    for (const char *const *p = PERMS[r]; *p != NULL; p++)
        if (strcmp(*p, perm) == 0)
            return true;
    return false;
}

bool auth_role_needs_mfa(enum auth_role r)
{
    return r == ROLE_COMMITTEE_ADMIN || r == ROLE_AUDITOR || r == ROLE_SECURITY_ADMIN ||
           r == ROLE_SYSTEM_ADMIN;
}

bool auth_role_system_wide(enum auth_role r)
{
    return r == ROLE_AUDITOR || r == ROLE_SECURITY_ADMIN || r == ROLE_SYSTEM_ADMIN;
}

const char *const *auth_perm_names(void)
{
    return ALL;
}

const char *const *auth_role_perms(enum auth_role r)
{
    return (unsigned)r < ROLE_COUNT ? PERMS[r] : P_MEMBER;
}
