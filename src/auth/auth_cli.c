/* auth_cli.c: `dangjian user ...`, for the first administrators and for scripts. Every change
 * is audited with actor "cli". Passwords come from stdin (--password-stdin), never from argv
 * (which other users of the machine can read); without one, an initial password is generated,
 * printed once, and must be changed at the first log-in. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/audit.h"
#include "auth/auth_internal.h"
#include "auth/auth_users.h"
#include "auth/password_rules.h"
#include "core/arena.h"
#include "core/cli.h"
#include "core/err.h"
#include "core/mask.h"
#include "crypto/totp.h"
#include "db/db.h"

#define MAX_ROLES 8

static const char USAGE[] =
    "usage: dangjian user add NAME --display-name TEXT [--member-id N] [--phone P]\n"
    "                         [--role ROLE[@ORG_CODE]]... [--password-stdin] [--with-mfa]\n"
    "       dangjian user grant NAME ROLE [--org ORG_CODE]\n"
    "       dangjian user reset-password NAME [--password-stdin]\n"
    "       dangjian user mfa-reset NAME\n"
    "       dangjian user list [--q TEXT]\n"
    "       dangjian user demo              demo accounts over the demo data (make run)\n"
    "roles: member branch_secretary committee_admin leader auditor security_admin system_admin\n";

static const struct audit_who CLI_WHO = {"cli", NULL, NULL};

static int read_password(char *out, size_t cap, struct err *e)
{
    if (fgets(out, (int)cap, stdin) == NULL)
        return err_field(e, "password", "field.required");
    out[strcspn(out, "\r\n")] = '\0';
    return out[0] == '\0' ? err_field(e, "password", "field.required") : 0;
}

static int org_by_code(struct db *db, const char *code, int64_t *id, struct err *e)
{
    static const char sql[] = "SELECT id FROM orgs WHERE code = ?";
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_text(st, 1, code);
    int r = db_step(st, e);
    *id = r == DB_ROW ? db_col_i64(st, 0) : 0;
    db_finalize(st);
    if (r != DB_ROW)
        return r == DB_ERROR ? -1 : err_field(e, "org", "org.not_found");
    return 0;
}

/* "role" or "role@ORGCODE" -> role and org id (0 for system-wide). */
static int parse_role(struct db *db, const char *spec, enum auth_role *role, int64_t *org_id,
                      struct err *e)
{
    char name[64];
    const char *at = strchr(spec, '@');
    snprintf(name, sizeof name, "%.*s", at != NULL ? (int)(at - spec) : (int)strlen(spec), spec);
    *org_id = 0;
    if (auth_role_parse(name, role) != 0)
        return err_field(e, "role", "auth.bad_role");
    if (auth_role_system_wide(*role) && at != NULL)
        return err_field(e, "role", "auth.role_system_wide");
    return at != NULL ? org_by_code(db, at + 1, org_id, e) : 0;
}

static int user_id_of(struct db *db, struct arena *a, const char *name, struct auth_user *u,
                      struct err *e)
{
    return auth_store_user_by_login(db, a, name, u, e);
}

static int cmd_add(struct db *db, struct arena *a, int argc, char **argv, struct err *e)
{
    struct auth_new_user nu = {0};
    const char *roles[MAX_ROLES];
    int nroles = 0;
    bool pw_stdin = false, with_mfa = false, missing = false;
    char pw[1100] = "", hash[PASSWORD_HASH_MAX];
    nu.username = argv[2];
    for (int i = 3; i < argc; i++) {
        const char *v;
        if ((v = cli_opt(argc, argv, &i, "display-name", &missing)) != NULL)
            nu.display_name = v;
        else if ((v = cli_opt(argc, argv, &i, "phone", &missing)) != NULL)
            nu.phone = v;
        else if ((v = cli_opt(argc, argv, &i, "member-id", &missing)) != NULL) {
            if (!cli_parse_id(v, &nu.member_id))
                return err_field(e, "member_id", "field.bad_integer");
        } else if ((v = cli_opt(argc, argv, &i, "role", &missing)) != NULL) {
            if (nroles == MAX_ROLES)
                return err_field(e, "role", "field.too_long");
            roles[nroles++] = v;
        } else if (cli_flag(argv, i, "password-stdin"))
            pw_stdin = true;
        else if (cli_flag(argv, i, "with-mfa"))
            with_mfa = true;
        else
            return -2;
        if (missing)
            return -2;
    }
    if (!auth_username_valid(nu.username))
        err_field(e, "username", "auth.bad_username");
    if (nu.display_name == NULL)
        nu.display_name = nu.username;
    if (!auth_display_name_valid(nu.display_name))
        err_field(e, "display_name", "auth.bad_display_name");
    if (e->code != ERR_OK)
        return -1;
    if (pw_stdin) {
        if (read_password(pw, sizeof pw, e) != 0 ||
            password_rules_check(pw, nu.username, nu.phone, e) != 0)
            return -1;
    } else {
        auth_temp_password(pw);
        nu.must_change_password = true;
    }
    if (password_hash(pw, auth_password_params(), hash, e) != 0)
        return -1;
    nu.password_hash = hash;

    enum auth_role role[MAX_ROLES];
    int64_t org[MAX_ROLES];
    for (int i = 0; i < nroles; i++)
        if (parse_role(db, roles[i], &role[i], &org[i], e) != 0)
            return -1;
    unsigned char secret[TOTP_SECRET_BYTES];
    char *b32 = NULL;
    char codes[10][16];
    int64_t id = 0;
    json_t *out = NULL;
    if (with_mfa) {
        randombytes_buf(secret, sizeof secret);
        b32 = totp_secret_base32(secret, sizeof secret);
        if (b32 == NULL)
            return err_set(e, ERR_INTERNAL, "internal");
        for (int i = 0; i < 10; i++)
            auth_recovery_code_new(codes[i]);
    }
    char masked[MASK_MAX] = "";
    if (nu.phone != NULL)
        mask_phone(nu.phone, masked);
    json_t *changes = json_pack("{s:s, s:s, s:s?}", "username", nu.username, "display_name",
                                nu.display_name, "phone", nu.phone != NULL ? masked : NULL);
    int rc = -1;
    if (db_begin(db, e) != 0)
        goto done;
    if (auth_store_user_create(db, &nu, &id, e) != 0 ||
        (nu.member_id > 0 && auth_store_grant(db, id, ROLE_MEMBER, 0, 0, NULL, e) != 0))
        goto fail;
    for (int i = 0; i < nroles; i++)
        if (auth_store_grant(db, id, role[i], org[i], 0, NULL, e) != 0)
            goto fail;
    if (with_mfa && (auth_store_mfa_set(db, id, b32, true, e) != 0 ||
                     auth_store_recovery_set(db, id, codes, 10, e) != 0))
        goto fail;
    char object[32];
    snprintf(object, sizeof object, "user:%lld", (long long)id);
    if (audit_append(db, &CLI_WHO, "user.create", object, 0, changes, e) != 0 ||
        db_commit(db, e) != 0)
        goto fail;
    const char *path;
    if (auth_users_get(db, a, id, &out, &path, e) != 0)
        goto done;
    if (!pw_stdin)
        json_object_set_new(out, "initial_password", json_string(pw));
    if (with_mfa) {
        json_t *arr = json_array();
        for (int i = 0; i < 10; i++)
            json_array_append_new(arr, json_string(codes[i]));
        json_object_set_new(out, "mfa_secret", json_string(b32));
        json_object_set_new(out, "recovery_codes", arr);
    }
    cli_print_json(out);
    rc = 0;
    goto done;
fail:
    db_rollback(db);
done:
    json_decref(out);
    json_decref(changes);
    sodium_memzero(pw, sizeof pw);
    sodium_memzero(secret, sizeof secret);
    if (b32 != NULL)
        sodium_memzero(b32, strlen(b32));
    free(b32);
    return rc;
}

static int cmd_grant(struct db *db, struct arena *a, int argc, char **argv, struct err *e)
{
    struct auth_user u;
    enum auth_role role;
    int64_t org_id = 0;
    bool missing = false;
    char spec[160];
    const char *org_code = NULL;
    if (argc < 4)
        return -2;
    for (int i = 4; i < argc; i++)
        if ((org_code = cli_opt(argc, argv, &i, "org", &missing)) == NULL)
            return -2;
    snprintf(spec, sizeof spec, "%s%s%s", argv[3], org_code != NULL ? "@" : "",
             org_code != NULL ? org_code : "");
    if (user_id_of(db, a, argv[2], &u, e) != 0 || parse_role(db, spec, &role, &org_id, e) != 0)
        return -1;
    json_t *changes = json_pack("{s:s, s:o}", "role", auth_role_name(role), "org_id",
                                org_id > 0 ? json_integer(org_id) : json_null());
    char object[32];
    snprintf(object, sizeof object, "user:%lld", (long long)u.id);
    int rc = -1;
    if (db_begin(db, e) == 0) {
        if (auth_store_grant(db, u.id, role, org_id, 0, NULL, e) != 0 ||
            audit_append(db, &CLI_WHO, "role.grant", object, 0, changes, e) != 0 ||
            db_commit(db, e) != 0)
            db_rollback(db);
        else
            rc = 0;
    }
    json_decref(changes);
    if (rc == 0) {
        json_t *roles = auth_users_roles_json(db, u.id, e);
        json_t *out = json_pack("{s:s, s:o?}", "username", u.username, "roles", roles);
        cli_print_json(out);
        json_decref(out);
    }
    return rc;
}

static int cmd_reset_password(struct db *db, struct arena *a, int argc, char **argv,
                              struct err *e)
{
    struct auth_user u;
    char pw[1100] = "", hash[PASSWORD_HASH_MAX];
    bool pw_stdin = argc == 4 && cli_flag(argv, 3, "password-stdin");
    if (argc > 4 || (argc == 4 && !pw_stdin))
        return -2;
    if (user_id_of(db, a, argv[2], &u, e) != 0)
        return -1;
    if (pw_stdin) {
        if (read_password(pw, sizeof pw, e) != 0 ||
            password_rules_check(pw, u.username, NULL, e) != 0)
            return -1;
    } else {
        auth_temp_password(pw);
    }
    int rc = -1;
    char object[32], key[160];
    snprintf(object, sizeof object, "user:%lld", (long long)u.id);
    snprintf(key, sizeof key, "a:%s", u.username);
    if (password_hash(pw, auth_password_params(), hash, e) == 0 && db_begin(db, e) == 0) {
        if (auth_store_set_password(db, u.id, hash, !pw_stdin, e) != 0 ||
            auth_store_sessions_revoke_user(db, u.id, 0, e) != 0 ||
            auth_store_throttle_clear(db, key, e) != 0 ||
            audit_append(db, &CLI_WHO, "user.password_reset", object, 0, NULL, e) != 0 ||
            db_commit(db, e) != 0)
            db_rollback(db);
        else
            rc = 0;
    }
    if (rc == 0) {
        json_t *out = json_pack("{s:s}", "username", u.username);
        if (!pw_stdin)
            json_object_set_new(out, "initial_password", json_string(pw));
        cli_print_json(out);
        json_decref(out);
    }
    sodium_memzero(pw, sizeof pw);
    return rc;
}

static int cmd_mfa_reset(struct db *db, struct arena *a, char **argv, struct err *e)
{
    struct auth_user u;
    if (user_id_of(db, a, argv[2], &u, e) != 0)
        return -1;
    char object[32];
    snprintf(object, sizeof object, "user:%lld", (long long)u.id);
    if (db_begin(db, e) != 0)
        return -1;
    if (auth_store_mfa_reset(db, u.id, e) != 0 ||
        auth_store_sessions_revoke_user(db, u.id, 0, e) != 0 ||
        audit_append(db, &CLI_WHO, "mfa.reset", object, 0, NULL, e) != 0 || db_commit(db, e) != 0) {
        db_rollback(db);
        return -1;
    }
    json_t *out = json_pack("{s:s, s:b}", "username", u.username, "mfa_enabled", 0);
    cli_print_json(out);
    json_decref(out);
    return 0;
}

static int cmd_list(struct db *db, struct arena *a, int argc, char **argv, struct err *e)
{
    const char *q = "";
    bool missing = false;
    for (int i = 2; i < argc; i++)
        if ((q = cli_opt(argc, argv, &i, "q", &missing)) == NULL)
            return -2;
    json_t *data = NULL;
    int64_t total = 0;
    if (auth_users_list(db, a, "", q, 1000, 0, &data, &total, e) != 0)
        return -1;
    json_t *out = json_pack("{s:o, s:I}", "data", data, "total", (json_int_t)total);
    cli_print_json(out);
    json_decref(out);
    return 0;
}

/* `dangjian user demo`: the demo accounts `make run` prints, over the demo tree: a committee
 * administrator of the root, a secretary of its first branch, a member of that branch, and the
 * three system administrators. All share one demo password; the administrative ones enroll MFA
 * at their first log-in. Refuses when users exist already. */
#define DEMO_PASSWORD "Dangjian@2026"

static int one_i64(struct db *db, const char *sql, int64_t *out, struct err *e)
{
    return db_query_i64(db, sql, out, e);
}

static int cmd_demo(struct db *db, struct arena *a, struct err *e)
{
    static const char sql_users[] = "SELECT COUNT(*) FROM users";
    static const char sql_root[] = "SELECT MIN(id) FROM orgs WHERE parent_id IS NULL";
    static const char sql_branch[] =
        "SELECT MIN(o.id) FROM orgs o WHERE o.type = 'branch' AND EXISTS "
        "(SELECT 1 FROM members m WHERE m.org_id = o.id)";
    int64_t nusers = 0, root = 0, branch = 0, member = 0;
    if (one_i64(db, sql_users, &nusers, e) != 0 || one_i64(db, sql_root, &root, e) != 0 ||
        one_i64(db, sql_branch, &branch, e) != 0)
        return -1;
    if (nusers > 0)
        return err_set(e, ERR_CONFLICT, "auth.demo_users_exist");
    if (root == 0)
        return err_set(e, ERR_NOT_FOUND, "org.not_found");
    if (branch > 0) {
        static const char sql_member[] = "SELECT MIN(id) FROM members WHERE org_id = ?";
        struct db_stmt *st = NULL;
        if (db_prepare(db, &st, sql_member, e) != 0)
            return -1;
        db_bind_i64(st, 1, branch);
        int r = db_step(st, e);
        member = r == DB_ROW ? db_col_i64(st, 0) : 0;
        db_finalize(st);
        if (r == DB_ERROR)
            return -1;
    }
    struct {
        const char *username, *display_name;
        enum auth_role role;
        int64_t org, member;
    } demo[] = {
        {"admin", "党委管理员（演示）", ROLE_COMMITTEE_ADMIN, root, 0},
        {"secretary", "支部书记（演示）", ROLE_BRANCH_SECRETARY, branch, 0},
        {"member", "党员（演示）", ROLE_MEMBER, 0, member},
        {"leader", "党委领导（演示）", ROLE_LEADER, root, 0},
        {"auditor", "审计管理员（演示）", ROLE_AUDITOR, 0, 0},
        {"security", "安全管理员（演示）", ROLE_SECURITY_ADMIN, 0, 0},
        {"sysadmin", "系统管理员（演示）", ROLE_SYSTEM_ADMIN, 0, 0},
    };
    char hash[PASSWORD_HASH_MAX];
    if (password_hash(DEMO_PASSWORD, auth_password_params(), hash, e) != 0)
        return -1;
    json_t *out = json_array();
    if (db_begin(db, e) != 0) {
        json_decref(out);
        return -1;
    }
    for (size_t i = 0; i < sizeof demo / sizeof demo[0]; i++) {
        if ((demo[i].role == ROLE_BRANCH_SECRETARY && demo[i].org == 0) ||
            (demo[i].role == ROLE_MEMBER && demo[i].member == 0))
            continue;
        struct auth_new_user nu = {demo[i].username, demo[i].display_name, demo[i].member, NULL,
                                   hash, false};
        int64_t id = 0;
        if (auth_store_user_create(db, &nu, &id, e) != 0 ||
            (demo[i].role != ROLE_MEMBER &&
             auth_store_grant(db, id, demo[i].role, demo[i].org, 0, NULL, e) != 0) ||
            (demo[i].member > 0 && auth_store_grant(db, id, ROLE_MEMBER, 0, 0, NULL, e) != 0) ||
            audit_append(db, &CLI_WHO, "user.create", arena_printf(a, "user:%lld", (long long)id),
                         0, NULL, e) != 0) {
            db_rollback(db);
            json_decref(out);
            return -1;
        }
        json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:b}", "username", demo[i].username,
                                             "password", DEMO_PASSWORD, "role",
                                             auth_role_name(demo[i].role), "mfa_on_first_login",
                                             auth_role_needs_mfa(demo[i].role)));
    }
    if (db_commit(db, e) != 0) {
        json_decref(out);
        return -1;
    }
    cli_print_json(out);
    json_decref(out);
    return 0;
}

int auth_cli_main(int argc, char **argv, const char *db_url)
{
    if (argc < 2 || (argc < 3 && strcmp(argv[1], "list") != 0 && strcmp(argv[1], "demo") != 0))
        return cli_usage(USAGE);
    struct err e = ERR_INIT;
    struct db *db = NULL;
    struct arena *a = arena_create(0);
    int rc = -2;
    if (db_open(&db, db_url, &e) != 0) {
        rc = -1;
    } else if (strcmp(argv[1], "add") == 0) {
        rc = cmd_add(db, a, argc, argv, &e);
    } else if (strcmp(argv[1], "grant") == 0) {
        rc = cmd_grant(db, a, argc, argv, &e);
    } else if (strcmp(argv[1], "reset-password") == 0) {
        rc = cmd_reset_password(db, a, argc, argv, &e);
    } else if (strcmp(argv[1], "mfa-reset") == 0 && argc == 3) {
        rc = cmd_mfa_reset(db, a, argv, &e);
    } else if (strcmp(argv[1], "list") == 0) {
        rc = cmd_list(db, a, argc, argv, &e);
    } else if (strcmp(argv[1], "demo") == 0 && argc == 2) {
        rc = cmd_demo(db, a, &e);
    }
    db_close(db);
    arena_destroy(a);
    if (rc == -2)
        return cli_usage(USAGE);
    return rc == 0 ? CLI_OK : cli_fail(&e);
}
