/* audit_cli.c: `dangjian audit verify` and `dangjian audit list`.
 *
 * verify prints the verdict as JSON on stdout and one human line on stderr naming the first
 * broken entry. Exit codes are for scripts and monitoring: 0 intact, 1 altered, removed or
 * reordered (the only code that means tampering), 2 the check could not run (usage, database,
 * key file). The database is not migrated: verifying must not change what it inspects; the run
 * is only recorded as a job row for the auditor's page, when the database takes it.
 * list prints matching entries, newest first, as a JSON array. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/audit.h"
#include "auth/audit_query.h"
#include "auth/audit_verify.h"
#include "core/arena.h"
#include "core/cli.h"
#include "core/date.h"
#include "core/err.h"
#include "crypto/keys.h"
#include "crypto/password.h"
#include "db/db.h"
#include "db/migrate.h"

#define LIST_MAX 100000
#define AUDIT_SCHEMA_VERSION 2   /* 0002_identity made the audit tables */

static const char USAGE[] =
    "usage: dangjian audit <command> [--db URL] [--keys FILE]\n"
    "  verify    recompute the hash chain and check the signed checkpoints\n"
    "            (JSON on stdout; exit 0 intact, 1 altered/removed/reordered, 2 not checked)\n"
    "  list [--action PREFIX] [--actor A] [--object O] [--q TEXT]\n"
    "       [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--limit N]   newest first (default 50)\n";

/* An error that stopped the check: printed, exit 2. */
static int not_checked(const struct err *e)
{
    cli_fail(e);
    return CLI_USAGE;
}

static int open_log(const char *db_url, struct db **db, struct err *e)
{
    int version = 0;
    if (db_open(db, db_url, e) != 0 || migrate_current(*db, &version, e) != 0)
        return -1;
    if (version < AUDIT_SCHEMA_VERSION)
        return err_set(e, ERR_INVALID, "audit.no_log");
    return 0;
}

static void say_verdict(const struct audit_verify_result *r)
{
    char msg[256];
    bool en = strcmp(cli_lang(), "en") == 0;
    audit_verify_message(r, cli_lang(), msg, sizeof msg);
    if (r->ok)
        fprintf(stderr, en ? "audit log intact: %lld entries, %lld signed checkpoints\n"
                           : "审计日志完整：共 %lld 条记录，%lld 个签名检查点\n",
                (long long)r->entries, (long long)r->checkpoints);
    else
        fprintf(stderr, en ? "audit log BROKEN at entry %lld: %s\n"
                           : "审计日志已被破坏，首个异常记录为第 %lld 条：%s\n",
                (long long)r->first_bad_seq, msg);
}

static int cmd_verify(const char *db_url)
{
    struct err e = ERR_INIT;
    struct db *db = NULL;
    struct keys *owned = NULL;
    const struct keys *k;
    struct audit_verify_result r;
    int64_t job_id = 0, t0 = now_micros();
    int rc;
    if (crypto_init(&e) != 0 || open_log(db_url, &db, &e) != 0 ||
        audit_verify_keys(&k, &owned, &e) != 0 ||
        audit_verify_recorded(db, k, &r, &job_id, &e) != 0) {
        rc = not_checked(&e);
    } else {
        json_t *j = audit_verify_result_json(&r);
        json_object_set_new(j, "ms", json_integer((now_micros() - t0) / 1000));
        json_object_set_new(j, "job_id", job_id > 0 ? json_integer(job_id) : json_null());
        cli_print_json(j);
        json_decref(j);
        say_verdict(&r);
        rc = r.ok ? CLI_OK : CLI_FAIL;
    }
    keys_destroy(owned);
    db_close(db);
    return rc;
}

struct list_opts {
    const char *action, *actor, *object, *q, *from, *to;
    int64_t limit;
};

static int parse_list(int argc, char **argv, struct list_opts *o)
{
    *o = (struct list_opts){.limit = 50};
    for (int i = 2; i < argc; i++) {
        bool missing = false;
        const char *v;
        if ((v = cli_opt(argc, argv, &i, "action", &missing)) != NULL)
            o->action = v;
        else if ((v = cli_opt(argc, argv, &i, "actor", &missing)) != NULL)
            o->actor = v;
        else if ((v = cli_opt(argc, argv, &i, "object", &missing)) != NULL)
            o->object = v;
        else if ((v = cli_opt(argc, argv, &i, "q", &missing)) != NULL)
            o->q = v;
        else if ((v = cli_opt(argc, argv, &i, "from", &missing)) != NULL)
            o->from = v;
        else if ((v = cli_opt(argc, argv, &i, "to", &missing)) != NULL)
            o->to = v;
        else if ((v = cli_opt(argc, argv, &i, "limit", &missing)) != NULL) {
            if (!cli_parse_id(v, &o->limit) || o->limit > LIST_MAX)
                return -1;
        } else
            return -1;
    }
    return 0;
}

static int cmd_list(int argc, char **argv, const char *db_url)
{
    struct list_opts o;
    if (parse_list(argc, argv, &o) != 0)
        return cli_usage(USAGE);
    struct err e = ERR_INIT;
    struct audit_filter f;
    if (audit_query_filter(&f, o.action, o.actor, o.object, o.q, o.from, o.to, &e) != 0) {
        cli_fail(&e);
        return CLI_USAGE;
    }
    struct db *db = NULL;
    struct arena *a = arena_create(0);
    struct audit_row *rows;
    int64_t n, total;
    int rc = CLI_OK;
    if (open_log(db_url, &db, &e) != 0 ||
        audit_query_list(db, a, &f, o.limit, 0, &rows, &n, &total, &e) != 0) {
        rc = cli_fail(&e);
    } else {
        json_t *arr = json_array();
        for (int64_t i = 0; i < n; i++)
            json_array_append_new(arr, audit_row_json(&rows[i]));
        cli_print_json(arr);
        json_decref(arr);
        if (total > n)
            fprintf(stderr, "%lld of %lld entries (--limit)\n", (long long)n, (long long)total);
    }
    arena_destroy(a);
    db_close(db);
    return rc;
}

int audit_cli_main(int argc, char **argv, const char *db_url)
{
    if (argc == 2 && strcmp(argv[1], "verify") == 0)
        return cmd_verify(db_url);
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return cmd_list(argc, argv, db_url);
    return cli_usage(USAGE);
}
