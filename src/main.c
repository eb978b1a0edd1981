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
    "  --import-retention-days N   a checked member import never run keeps its upload (7)\n"
    "  --trusted-proxies LIST      proxies whose X-Forwarded-For is believed (addresses, CIDRs)\n"
    "  --response-cache-mb N, --change-poll-ms MS   answers kept in memory (16; 0 off), poll (20)\n";

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

/* Every command, once. `startup`: the key file (and for `user` the Argon2id timing) a command
 * needs before it runs. `usage_below`: with fewer arguments than this (the command's own name
 * included) the command only prints its usage (exit 2), so nothing is opened or made first. */
enum startup { STARTUP_NONE, STARTUP_KEYS, STARTUP_KEYS_CALIBRATE };

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);                      /* one of these two */
    int (*run_db)(int argc, char **argv, const char *db);
    enum startup startup;
    int usage_below;
} COMMANDS[] = {
    {"serve", cmd_serve, NULL, STARTUP_NONE, 0},
    {"migrate", cmd_migrate, NULL, STARTUP_NONE, 0},
    {"demo", NULL, demo_cli_main, STARTUP_NONE, 0},
    {"org", NULL, org_cli_main, STARTUP_KEYS, 2},
    {"user", NULL, auth_cli_main, STARTUP_KEYS_CALIBRATE, 2},
    {"export", NULL, member_cli_export, STARTUP_KEYS, 2},
    {"import", NULL, member_import_cli_main, STARTUP_KEYS, 3},
    {"audit", NULL, audit_cli_main, STARTUP_NONE, 0},
    {"jobs", cmd_jobs, NULL, STARTUP_NONE, 0},
    {"idcard", member_cli_main, NULL, STARTUP_NONE, 0},
    {"keys", NULL, keys_cli_main, STARTUP_NONE, 0},
    {"backup", backup_cli_backup, NULL, STARTUP_NONE, 0},
    {"restore", backup_cli_restore, NULL, STARTUP_NONE, 0},
};

static const struct command *command_find(const char *name)
{
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (strcmp(name, COMMANDS[i].name) == 0)
            return &COMMANDS[i];
    return NULL;
}

static int command_call(const struct command *c, int argc, char **argv)
{
    return c->run != NULL ? c->run(argc, argv) : c->run_db(argc, argv, config_get()->db);
}

/* Runs a command with argv[0] its name: its usage alone when asked for or when too short,
 * else after the start-up it needs. */
static int command_run(const struct command *c, int argc, char **argv)
{
    if (argc < c->usage_below || c->startup == STARTUP_NONE)
        return command_call(c, argc, argv);
    struct err ke = ERR_INIT;
    if (auth_startup(true, c->startup == STARTUP_KEYS_CALIBRATE ? AUTH_CALIBRATE_YES
                                                                : AUTH_CALIBRATE_NO, &ke) != 0)
        return cli_fail(&ke);
    int rc = command_call(c, argc, argv);
    keys_uninstall();
    return rc;
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
    const struct command *c = command_find(cmd);
    if (c != NULL && argc > 2 && cli_help_requested(argc - 1, argv + 1)) {
        /* `dangjian CMD ... --help`: CMD's usage on stdout, exit 0, nothing opened or made */
        cli_set_help_mode(true);
        char *help[] = {argv[1], (char *)"--help", NULL};
        return command_call(c, 2, help);
    }
    if (c != NULL)
        return command_run(c, argc - 1, argv + 1);
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
