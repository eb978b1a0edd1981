/* config.h: run-time settings from defaults < config file < environment < command-line flags.
 * The file is "key = value" lines ('#' comments); the environment uses DJ_<KEY> in upper case
 * (DJ_DB, DJ_LISTEN, ...); flags are --key VALUE or --key=VALUE. Every source goes through
 * config_set(), so a key means the same thing everywhere.
 * main() fills one struct config and installs it before any thread starts; afterwards it is
 * read-only (config_get). Threads: startup only for writes, safe for reads. */
#ifndef DJ_CONFIG_H
#define DJ_CONFIG_H
#include <stdbool.h>
#include <stddef.h>

struct err;

struct config {
    char db[512];              /* "sqlite:dangjian.db" | postgresql URL/conninfo */
    char listen_host[64];      /* "127.0.0.1" */
    int listen_port;           /* 8080; 0 = ephemeral (tests) */
    int threads;               /* HTTP worker threads; 0 = number of CPUs */
    size_t body_limit;         /* bytes; 1 MiB */
    int timeout_s;             /* idle connection time-out */
    int shutdown_grace_ms;     /* how long SIGTERM waits for in-flight requests */
    char dist[512];            /* serve the SPA from this dir; "" = the embedded copy */
    char log_level[16];        /* debug|info|warn|error|off */
    bool jobs;                 /* run the job runner thread inside serve */
    char keys[512];            /* key file; "" = "<sqlite path>.keys" or "dangjian.keys" */
    bool cookie_secure;        /* mark the session cookie Secure (behind TLS) */
    int session_idle_s;        /* a session unused this long ends (30 min) */
    int session_max_s;         /* a session ends this long after log-in whatever (12 h) */
    int password_ms;           /* Argon2id target time for new hashes; 0 = one pass */
    int password_mem_mib;      /* Argon2id memory per hash (64 MiB) */
    int throttle_free;         /* log-in failures per account before delays (5) */
    int throttle_lock_at;      /* ... that lock the account for 15 minutes (10) */
    int throttle_ip_free;      /* the same per client address (5, 10) */
    int throttle_ip_lock_at;
    char trusted_proxies[512]; /* addresses/CIDRs whose X-Forwarded-For is believed ("" none) */
    int import_retention_days; /* a checked, never run member import keeps its upload (7) */
    int response_cache_mb;     /* memory for kept answers of read routes (16); 0 = none */
    int change_poll_ms;        /* how often serve asks the database for others' writes (20) */
    int yield_every;           /* an event thread yields after this many requests in a row (32);
                                * 0 = never (decision 0019) */
};

void config_defaults(struct config *c);
/* Sets one key from text. Unknown key -> ERR_INVALID "config.unknown_key"; bad value ->
 * ERR_INVALID "config.bad_value" with the key as field. */
int config_set(struct config *c, const char *key, const char *value, struct err *e);
int config_load_file(struct config *c, const char *path, struct err *e);
int config_load_env(struct config *c, struct err *e);
bool config_is_key(const char *key);

/* The key file path: c->keys, else next to a SQLite database, else "dangjian.keys". */
void config_keys_path(const struct config *c, char *out, size_t cap);

void config_install(const struct config *c);   /* copies; call before threads start */
const struct config *config_get(void);

#endif
