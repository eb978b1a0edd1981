/* org_cli.c: `dangjian org ...`, the organization tree from the command line. Flags are turned
 * into the same JSON body the API takes, so validation is shared with the HTTP handlers.
 * Results are JSON on stdout; errors go to stderr with a non-zero exit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/cli.h"
#include "core/date.h"
#include "core/err.h"
#include "db/db.h"
#include "db/migrate.h"
#include "auth/audit.h"
#include "features/org/org.h"


static const struct audit_who CLI_WHO = {"cli", NULL, NULL};
static const char USAGE[] =
    "usage: dangjian org <command> [--db URL]\n"
    "  list [--q TEXT] [--type T] [--parent ID|root] [--sort S] [--limit N]\n"
    "  show ID\n"
    "  tree ID [--depth N]\n"
    "  create --code C --name NAME --type committee|general_branch|branch|group [--parent ID]\n"
    "         [--founded YYYY-MM-DD] [--term-start YYYY-MM-DD] [--term-years N]\n"
    "         [--committee-size N] [--joint] [--village]\n"
    "  update ID [--code C] [--name NAME] [--founded D] [--term-start D] [--term-years N]\n"
    "         [--committee-size N]\n"
    "  rename ID NAME\n"
    "  move ID --parent ID\n"
    "  dissolve ID\n";

struct flag_map {
    const char *flag;
    const char *field;
    char kind;            /* 's' string, 'i' integer, 'b' boolean switch */
};

static const struct flag_map flags[] = {
    {"code", "code", 's'},       {"name", "name", 's'},
    {"type", "type", 's'},       {"parent", "parent_id", 'i'},
    {"founded", "founded_on", 's'}, {"term-start", "term_start", 's'},
    {"term-years", "term_years", 'i'}, {"committee-size", "committee_size", 'i'},
    {"joint", "is_joint", 'b'},  {"village", "is_village", 'b'},
};

/* Builds the API body from --flags; returns NULL (usage printed) on a bad flag. */
static json_t *body_from_flags(int argc, char **argv, int start)
{
    json_t *body = json_object();
    for (int i = start; i < argc; i++) {
        bool missing = false, matched = false;
        for (size_t f = 0; f < sizeof flags / sizeof flags[0] && !matched; f++) {
            if (flags[f].kind == 'b') {
                if ((matched = cli_flag(argv, i, flags[f].flag)))
                    json_object_set_new(body, flags[f].field, json_true());
                continue;
            }
            const char *v = cli_opt(argc, argv, &i, flags[f].flag, &missing);
            if (v == NULL)
                continue;
            matched = true;
            if (flags[f].kind == 'i') {
                char *end;
                long long n = strtoll(v, &end, 10);
                json_object_set_new(body, flags[f].field,
                                    *end == '\0' && *v != '\0' ? json_integer(n) : json_string(v));
            } else {
                json_object_set_new(body, flags[f].field, json_string(v));
            }
        }
        if (!matched || missing) {
            fprintf(stderr, "dangjian org: unknown or incomplete option '%s'\n", argv[i]);
            json_decref(body);
            return NULL;
        }
    }
    return body;
}

static int print_org(struct db *db, struct arena *a, int64_t id, struct err *e)
{
    struct org o;
    struct org_rule_config cfg;
    if (org_store_get(db, a, id, &o, e) != 0 || org_store_rule_config(db, &o, &cfg, e) != 0)
        return -1;
    json_t *j = org_json(&o, &cfg);
    struct org_warning w[ORG_MAX_WARNINGS];
    int n = org_rules_findings(&o, &cfg, date_today_shanghai(time(NULL)), w);
    json_object_set_new(j, "warnings", org_json_findings(w, n, cli_lang()));
    cli_print_json(j);
    json_decref(j);
    return 0;
}

static int print_rows(struct db *db, const struct org *rows, int64_t n, struct err *e)
{
    struct org_rule_config cfg;
    if (org_store_rule_config(db, NULL, &cfg, e) != 0)
        return -1;
    json_t *arr = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(arr, org_json(&rows[i], &cfg));
    cli_print_json(arr);
    json_decref(arr);
    return 0;
}

static int cmd_write(struct db *db, struct arena *a, int argc, char **argv, bool creating,
                     int64_t id, struct err *e)
{
    json_t *body = body_from_flags(argc, argv, creating ? 2 : 3);
    if (body == NULL)
        return cli_usage(USAGE);
    struct org_input in;
    int rc = org_json_parse_input(body, creating, &in, a, e) == 0 &&
                     org_rules_check_input(&in, creating, date_today_shanghai(time(NULL)), e) == 0 &&
                     (creating ? org_store_create(db, &in, &id, &CLI_WHO, e) : org_store_update(db, id, &in, &CLI_WHO, e)) == 0 &&
                     print_org(db, a, id, e) == 0
                 ? CLI_OK
                 : cli_fail(e);
    json_decref(body);
    return rc;
}

static int cmd_list(struct db *db, struct arena *a, int argc, char **argv, struct err *e)
{
    struct org_filter f = {0};
    int64_t limit = 50, n, total;
    for (int i = 2; i < argc; i++) {
        bool missing = false;
        const char *v;
        if ((v = cli_opt(argc, argv, &i, "q", &missing)) != NULL) {
            f.q = v;
        } else if ((v = cli_opt(argc, argv, &i, "type", &missing)) != NULL) {
            if (org_type_parse(v, &f.type) != 0)
                return cli_usage(USAGE);
            f.has_type = true;
        } else if ((v = cli_opt(argc, argv, &i, "parent", &missing)) != NULL) {
            f.by_parent = true;
            if (strcmp(v, "root") != 0 && !cli_parse_id(v, &f.parent_id))
                return cli_usage(USAGE);
        } else if ((v = cli_opt(argc, argv, &i, "sort", &missing)) != NULL) {
            f.sort = v;
        } else if ((v = cli_opt(argc, argv, &i, "limit", &missing)) != NULL) {
            if (!cli_parse_id(v, &limit) || limit > 100000)
                return cli_usage(USAGE);
        } else {
            return cli_usage(USAGE);
        }
    }
    struct org *rows;
    if (org_store_list(db, a, &f, limit, 0, &rows, &n, &total, e) != 0 ||
        print_rows(db, rows, n, e) != 0)
        return cli_fail(e);
    return CLI_OK;
}

static int cmd_tree(struct db *db, struct arena *a, int argc, char **argv, int64_t id,
                    struct err *e)
{
    int depth = -1;
    for (int i = 3; i < argc; i++) {
        bool missing = false;
        const char *v = cli_opt(argc, argv, &i, "depth", &missing);
        int64_t d;
        if (v == NULL || !cli_parse_id(v, &d) || d > 64)
            return cli_usage(USAGE);
        depth = (int)d;
    }
    struct org *rows;
    int64_t n;
    if (org_store_subtree(db, a, id, depth, &rows, &n, e) != 0 || print_rows(db, rows, n, e) != 0)
        return cli_fail(e);
    return CLI_OK;
}

static int run(struct db *db, struct arena *a, int argc, char **argv, struct err *e)
{
    const char *cmd = argv[1];
    int64_t id = 0, parent = 0;
    if (strcmp(cmd, "list") == 0)
        return cmd_list(db, a, argc, argv, e);
    if (strcmp(cmd, "create") == 0)
        return cmd_write(db, a, argc, argv, true, 0, e);
    if (argc < 3 || !cli_parse_id(argv[2], &id))
        return cli_usage(USAGE);
    if (strcmp(cmd, "show") == 0 && argc == 3)
        return print_org(db, a, id, e) == 0 ? CLI_OK : cli_fail(e);
    if (strcmp(cmd, "tree") == 0)
        return cmd_tree(db, a, argc, argv, id, e);
    if (strcmp(cmd, "update") == 0)
        return cmd_write(db, a, argc, argv, false, id, e);
    if (strcmp(cmd, "rename") == 0 && argc == 4) {
        char *args[] = {argv[0], argv[1], argv[2], (char *)"--name", argv[3]};
        return cmd_write(db, a, 5, args, false, id, e);
    }
    if (strcmp(cmd, "move") == 0 && argc == 5 && strcmp(argv[3], "--parent") == 0 &&
        cli_parse_id(argv[4], &parent))
        return org_store_move(db, id, parent, &CLI_WHO, e) == 0 && print_org(db, a, id, e) == 0
                   ? CLI_OK
                   : cli_fail(e);
    if (strcmp(cmd, "dissolve") == 0 && argc == 3) {
        if (org_store_dissolve(db, id, &CLI_WHO, e) != 0)
            return cli_fail(e);
        fprintf(stderr, "dissolved org %lld\n", (long long)id);
        return CLI_OK;
    }
    return cli_usage(USAGE);
}

int org_cli_main(int argc, char **argv, const char *db_url)
{
    static const char *const CMDS[] = {"list", "show", "tree", "create", "update", "rename",
                                       "move", "dissolve"};
    bool known = false;
    for (size_t i = 0; argc >= 2 && i < sizeof CMDS / sizeof CMDS[0]; i++)
        known = known || strcmp(argv[1], CMDS[i]) == 0;
    if (!known)                                   /* usage before a database file is made */
        return cli_usage(USAGE);
    struct err e = ERR_INIT;
    struct db *db = NULL;
    if (db_open(&db, db_url, &e) != 0 || migrate_up(db, NULL, &e) != 0) {
        db_close(db);
        return cli_fail(&e);
    }
    struct arena *a = arena_create(0);
    int rc = run(db, a, argc, argv, &e);
    arena_destroy(a);
    db_close(db);
    return rc;
}
