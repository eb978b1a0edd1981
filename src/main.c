/* main.c: subcommand dispatch only. Global settings (--db, --listen, --config, --log-level,
 * ...) may appear anywhere on the command line; they are removed from argv, merged with the
 * config file and the environment (config.h), and installed before any thread starts. The rest
 * of argv goes to the subcommand, whose own flags it parses. */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/audit.h"
#include "auth/auth_internal.h"
#include "core/cli.h"
#include "core/config.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/log.h"
#include "db/db.h"
#include "db/db_change.h"
#include "db/migrate.h"
#include "features/backup/backup.h"
#include "features/demo/demo.h"
#include "features/member/member.h"
#include "features/member/import/member_import.h"
#include "features/keys/keys_rotate.h"
#include "features/org/org.h"
#include "features/registry.h"
#include "http/http.h"
#include "crypto/keys.h"
#include "http/resp_cache.h"
#include "http/server.h"
#include "jobs/jobs.h"

#ifndef DJ_VERSION
#define DJ_VERSION "dev"
#endif

static const char USAGE[] =
    "dangjian " DJ_VERSION " — 一体化智慧党建平台 / integrated party-building platform\n"
    "\n"
    "usage: dangjian <command> [options]\n"
    "  serve      [--listen HOST:PORT]       web UI + JSON API (applies pending migrations)\n"
    "  migrate                               apply schema migrations\n"
    "  demo       [--members N] [--seed S]   realistic demo data in an empty database\n"
    "  org        list|show|tree|create|update|rename|move|dissolve ...\n"
    "  user       add|grant|reset-password|mfa-reset|list ...   accounts and roles\n"
    "  jobs       run [--once]               run queued jobs\n"
    "  backup     FILE [--keys FILE]         encrypted, signed backup of the database\n"
    "  restore    FILE [--check]             verify a backup, then replace the database with it\n"
    "  export     members --format csv|xlsx [--org CODE] [--out FILE] [filters]   member list\n"
    "  audit      verify|list ...            check the audit log's hash chain; list entries\n"
    "  import     members FILE [--dry-run] [--org CODE] [--errors FILE]   .xlsx/.csv members\n"
    "  idcard     check NUMBER               公民身份号码: check character, birth date, gender (JSON)\n"
    "  keys       status|verify|rotate       field keys: counts, check, re-encrypt with a new key\n"
    "  version\n"
    "\n"
    "global options (also DJ_<NAME> environment variables, or NAME = VALUE in --config FILE):\n"
    "  --db URL            sqlite:PATH (default sqlite:dangjian.db) or postgresql://...\n"
    "  --config FILE       settings file\n"
    "  --log-level LEVEL   debug|info|warn|error|off\n"
    "  --keys FILE         key file (default: next to the SQLite database, or dangjian.keys)\n"
    "  --listen, --threads, --body-limit, --timeout, --shutdown-grace-ms, --dist, --jobs on|off\n"
    "  --yield-every N     an HTTP thread yields its core after N requests in a row (32; 0 never)\n"
    "  --session-idle S, --session-max S, --cookie-secure on|off, --password-ms MS, --password-mem MIB\n"
    "  --throttle-free N, --throttle-lock-at N, --throttle-ip-free N, --throttle-ip-lock-at N\n"
    "  --import-retention-days N   a checked member import never run keeps its upload (7)\n";

/* Converts "--log-level" to "log_level"; NULL if arg is not a config flag. */
static const char *flag_key(const char *arg, char *key, size_t cap)
{
    if (strncmp(arg, "--", 2) != 0)
        return NULL;
    size_t i = 0;
    for (const char *p = arg + 2; *p != '\0' && *p != '=' && i + 1 < cap; p++)
        key[i++] = *p == '-' ? '_' : *p;
    key[i] = '\0';
    return config_is_key(key) ? key : NULL;
}

/* Pulls config flags out of argv (compacting it); returns -1 with e on a bad value. */
static int take_config(struct config *c, int *argc, char **argv, struct err *e)
{
    const char *file = NULL;
    for (int i = 1; i + 1 < *argc; i++)
        if (strcmp(argv[i], "--config") == 0)
            file = argv[i + 1];
    if (file != NULL && config_load_file(c, file, e) != 0)
        return -1;
    if (config_load_env(c, e) != 0)
        return -1;
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        char key[64];
        const char *eq = strchr(argv[i], '=');
        if (strcmp(argv[i], "--config") == 0 && i + 1 < *argc) {
            i++;
            continue;
        }
        if (flag_key(argv[i], key, sizeof key) == NULL) {
            argv[out++] = argv[i];
            continue;
        }
        const char *value = eq != NULL ? eq + 1 : (i + 1 < *argc ? argv[++i] : NULL);
        if (value == NULL) {
            err_set(e, ERR_INVALID, "config.bad_value");
            return err_field(e, key, "field.required");
        }
        if (config_set(c, key, value, e) != 0)
            return -1;
    }
    *argc = out;
    argv[out] = NULL;
    return 0;
}

static int cmd_migrate(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return cli_usage("usage: dangjian migrate [--db URL]\n");
    struct err e = ERR_INIT;
    struct db *db = NULL;
    int applied = 0, version = 0;
    if (auth_startup(true, AUTH_CALIBRATE_NO, &e) != 0)
        return cli_fail(&e);
    if (db_open(&db, config_get()->db, &e) != 0 || migrate_up(db, &applied, &e) != 0 ||
        migrate_current(db, &version, &e) != 0) {
        db_close(db);
        return cli_fail(&e);
    }
    db_close(db);
    json_t *j = json_pack("{s:i, s:i, s:s}", "applied", applied, "version", version, "db",
                          strncmp(config_get()->db, "sqlite:", 7) == 0 ? "sqlite" : "postgresql");
    cli_print_json(j);
    json_decref(j);
    return CLI_OK;
}

static int cmd_serve(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return cli_usage("usage: dangjian serve [--db URL] [--listen HOST:PORT] [--dist DIR]\n");
    const struct config *cfg = config_get();
    struct err e = ERR_INIT;
    struct db *db = NULL;
    int applied = 0;
    if (auth_startup(true, AUTH_CALIBRATE_BACKGROUND, &e) != 0)
        return cli_fail(&e);
    if (db_open(&db, cfg->db, &e) != 0 || migrate_up(db, &applied, &e) != 0) {
        db_close(db);
        auth_stop();
        return cli_fail(&e);
    }
    db_close(db);
    if (applied > 0)
        log_info("serve", "applied %d migration(s)", applied);

    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);   /* inherited by every thread started below */
    signal(SIGPIPE, SIG_IGN);

    /* in-memory copies of what was read (sessions, answers) need to hear of every write */
    if (db_change_watch_start(cfg->db, cfg->change_poll_ms, &e) != 0) {
        auth_stop();
        return cli_fail(&e);
    }
    resp_cache_configure((size_t)cfg->response_cache_mb << 20);
    struct http_server *srv = NULL;
    if (http_server_start(&srv, cfg, &e) != 0) {
        db_change_watch_stop();
        auth_stop();
        return cli_fail(&e);
    }
    struct jobs_thread *jobs = cfg->jobs ? jobs_thread_start(cfg->db, 1000) : NULL;
    printf("listening on http://%s:%d\n", cfg->listen_host, http_server_port(srv));
    fflush(stdout);
    log_info("serve", "listening on %s:%d, db %s", cfg->listen_host, http_server_port(srv),
             strncmp(cfg->db, "sqlite:", 7) == 0 ? "sqlite" : "postgresql");

    /* Between signals, every 2 s: a key file changed by `keys rotate` is taken up. */
    char keys_path[600];
    config_keys_path(cfg, keys_path, sizeof keys_path);
    int sig = -1;
    while (sig < 0) {
        struct err ke = ERR_INIT;
        int r = keys_refresh(keys_path, &ke);
        if (r > 0)
            log_info("serve", "key file %s changed: reloaded (current field key %u)", keys_path,
                     (unsigned)keys_get()->field_current);
        else if (r < 0)
            log_error("serve", "key file %s changed but was not taken: %s", keys_path, ke.message);
        struct timespec wait = {2, 0};
        sig = sigtimedwait(&sigs, NULL, &wait);
    }
    log_info("serve", "signal %d: finishing requests in flight, then stopping", sig);
    http_server_stop(srv);
    jobs_thread_stop(jobs);
    db_change_watch_stop();
    resp_cache_clear();
    auth_cache_clear();
    log_info("serve", "stopped");
    auth_stop();
    keys_uninstall();
    return CLI_OK;
}

static int cmd_jobs(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "run") != 0 || (argc == 3 && strcmp(argv[2], "--once") != 0) ||
        argc > 3)
        return cli_usage("usage: dangjian jobs run [--once]\n");
    struct err e = ERR_INIT;
    struct db *db = NULL;
    if (auth_startup(true, AUTH_CALIBRATE_NO, &e) != 0)       /* jobs such as member.import seal data */
        return cli_fail(&e);
    if (db_open(&db, config_get()->db, &e) != 0 || migrate_up(db, NULL, &e) != 0) {
        db_close(db);
        keys_uninstall();
        return cli_fail(&e);
    }
    int rc = CLI_OK;
    do {
        if (jobs_run_pending(db, "cli", &e) != 0) {
            rc = cli_fail(&e);
            break;
        }
        if (argc == 2) {
            struct timespec ts = {1, 0};
            nanosleep(&ts, NULL);
        }
    } while (argc == 2);
    db_close(db);
    keys_uninstall();
    return rc;
}

/* A command's usage: each entry point prints it, without a key file or a database, when its
 * arguments are {cmd, "--help"} (help mode: cli_usage() writes to stdout, exit 0) or just {cmd}
 * for the commands that do nothing without a subcommand (exit 2). */
static int dispatch_help(const char *cmd, int argc, char **argv)
{
    const char *db = config_get()->db;
    const struct {
        const char *name;
        int (*run)(int argc, char **argv, const char *db);
    } withdb[] = {
        {"demo", demo_cli_main},         {"org", org_cli_main},
        {"user", auth_cli_main},         {"export", member_cli_export},
        {"import", member_import_cli_main}, {"audit", audit_cli_main},
        {"keys", keys_cli_main},
    };
    for (size_t i = 0; i < sizeof withdb / sizeof withdb[0]; i++)
        if (strcmp(cmd, withdb[i].name) == 0)
            return withdb[i].run(argc, argv, db);
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc, argv);
    if (strcmp(cmd, "migrate") == 0)
        return cmd_migrate(argc, argv);
    if (strcmp(cmd, "jobs") == 0)
        return cmd_jobs(argc, argv);
    if (strcmp(cmd, "idcard") == 0)
        return member_cli_main(argc, argv);
    if (strcmp(cmd, "backup") == 0)
        return backup_cli_backup(argc, argv);
    if (strcmp(cmd, "restore") == 0)
        return backup_cli_restore(argc, argv);
    return cli_usage(USAGE);
}

int main(int argc, char **argv)
{
    /* glibc returns the top of the heap to the kernel once 128 KiB are free there; SQLite frees
     * and re-allocates that much per INSERT into members (its triggers make a statement journal),
     * so a member import spent 80% of its time in brk() and page faults (decision 0015). */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    /* Setting the trim threshold fixes glibc's mmap threshold at 128 KiB: every larger block
     * (a 5.5 MB subtree answer, libpq's result of 10,000 rows) was then mmap'd and unmapped per
     * request, and page faults cost more than the work in this VM. Up to 32 MiB from the heap. */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    struct config cfg;
    struct err e = ERR_INIT;
    config_defaults(&cfg);
    if (take_config(&cfg, &argc, argv, &e) != 0)
        return cli_fail(&e) == CLI_FAIL ? CLI_USAGE : CLI_USAGE;
    if (db_url_check(cfg.db, &e) != 0) {
        err_field(&e, "db", "db.bad_url");
        cli_fail(&e);
        return CLI_USAGE;
    }
    enum log_level lvl;
    if (log_parse_level(cfg.log_level, &lvl) == 0)
        log_set_level(lvl);
    config_install(&cfg);
    features_register_all();

    if (argc < 2)
        return cli_usage(USAGE);
    const char *cmd = argv[1];
    if (argc > 2 && cli_help_requested(argc - 1, argv + 1)) {
        /* `dangjian CMD ... --help`: CMD's usage on stdout, exit 0, nothing opened or made */
        cli_set_help_mode(true);
        char *help[] = {argv[1], (char *)"--help", NULL};
        return dispatch_help(cmd, 2, help);
    }
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "migrate") == 0)
        return cmd_migrate(argc - 1, argv + 1);
    if (strcmp(cmd, "demo") == 0)
        return demo_cli_main(argc - 1, argv + 1, config_get()->db);
    if ((strcmp(cmd, "org") == 0 || strcmp(cmd, "user") == 0 || strcmp(cmd, "export") == 0) &&
        argc < 3)
        return dispatch_help(cmd, argc - 1, argv + 1);   /* usage (exit 2), no key file made */
    if (strcmp(cmd, "org") == 0 || strcmp(cmd, "user") == 0) {
        struct err ke = ERR_INIT;
        if (auth_startup(true, strcmp(cmd, "user") == 0 ? AUTH_CALIBRATE_YES : AUTH_CALIBRATE_NO, &ke) != 0)
            return cli_fail(&ke);
        int rc = strcmp(cmd, "org") == 0 ? org_cli_main(argc - 1, argv + 1, config_get()->db)
                                         : auth_cli_main(argc - 1, argv + 1, config_get()->db);
        keys_uninstall();
        return rc;
    }
    if (strcmp(cmd, "export") == 0) {
        struct err ke = ERR_INIT;
        if (auth_startup(true, AUTH_CALIBRATE_NO, &ke) != 0)
            return cli_fail(&ke);
        int rc = member_cli_export(argc - 1, argv + 1, config_get()->db);
        keys_uninstall();
        return rc;
    }
    if (strcmp(cmd, "import") == 0) {
        struct err ke = ERR_INIT;
        if (argc < 4)                              /* usage: before a key file is made */
            return member_import_cli_main(argc - 1, argv + 1, config_get()->db);
        if (auth_startup(true, AUTH_CALIBRATE_NO, &ke) != 0)
            return cli_fail(&ke);
        int rc = member_import_cli_main(argc - 1, argv + 1, config_get()->db);
        keys_uninstall();
        return rc;
    }
    if (strcmp(cmd, "audit") == 0)
        return audit_cli_main(argc - 1, argv + 1, config_get()->db);
    if (strcmp(cmd, "jobs") == 0)
        return cmd_jobs(argc - 1, argv + 1);
    if (strcmp(cmd, "idcard") == 0)
        return member_cli_main(argc - 1, argv + 1);
    if (strcmp(cmd, "keys") == 0)
        return keys_cli_main(argc - 1, argv + 1, config_get()->db);
    if (strcmp(cmd, "backup") == 0)
        return backup_cli_backup(argc - 1, argv + 1);
    if (strcmp(cmd, "restore") == 0)
        return backup_cli_restore(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("dangjian %s\n", DJ_VERSION);
        return CLI_OK;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        printf("%s", USAGE);
        return CLI_OK;
    }
    fprintf(stderr, "dangjian: unknown command '%s'\n\n", cmd);
    return cli_usage(USAGE);
}
