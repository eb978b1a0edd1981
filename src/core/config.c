/* config.c: one table of keys drives the file, environment and flag parsers (see config.h). */
#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "http/client_ip.h"

static struct config g_config;
static bool g_installed;

static const char *const keys[] = {"db", "listen", "threads", "body_limit", "timeout",
                                   "shutdown_grace_ms", "dist", "log_level", "jobs",
                                   "keys", "cookie_secure", "session_idle", "session_max",
                                   "password_ms", "password_mem", "throttle_free", "throttle_lock_at",
                                   "throttle_ip_free", "throttle_ip_lock_at", "trusted_proxies",
                                   "import_retention_days", "response_cache_mb",
                                   "change_poll_ms", "yield_every"};

void config_defaults(struct config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->db, sizeof c->db, "%s", "sqlite:dangjian.db");
    snprintf(c->listen_host, sizeof c->listen_host, "%s", "127.0.0.1");
    c->listen_port = 8080;
    c->threads = 0;
    c->body_limit = 1024 * 1024;
    c->timeout_s = 30;
    c->shutdown_grace_ms = 10000;
    snprintf(c->log_level, sizeof c->log_level, "%s", "info");
    c->jobs = true;
    c->session_idle_s = 30 * 60;
    c->session_max_s = 12 * 3600;
    c->password_ms = 100;
    c->password_mem_mib = 64;
    c->throttle_free = 5;
    c->throttle_lock_at = 10;
    c->throttle_ip_free = 5;
    c->throttle_ip_lock_at = 10;
    c->import_retention_days = 7;
    c->response_cache_mb = 16;
    c->change_poll_ms = 20;
    c->yield_every = 32;
}

void config_keys_path(const struct config *c, char *out, size_t cap)
{
    if (c->keys[0] != '\0')
        snprintf(out, cap, "%s", c->keys);
    else if (strncmp(c->db, "sqlite:", 7) == 0 && strcmp(c->db + 7, ":memory:") != 0)
        snprintf(out, cap, "%s.keys", c->db + 7);
    else
        snprintf(out, cap, "%s", "dangjian.keys");
}

bool config_is_key(const char *key)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(keys[i], key) == 0)
            return true;
    return false;
}

static int parse_long(const char *v, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n < min || n > max)
        return -1;
    *out = n;
    return 0;
}

static int bad(struct err *e, const char *key)
{
    err_set(e, ERR_INVALID, "config.bad_value");
    return err_field(e, key, "config.bad_value");
}

static int set_listen(struct config *c, const char *v, struct err *e)
{
    const char *colon = strrchr(v, ':');
    long port;
    if (colon == NULL || colon == v || (size_t)(colon - v) >= sizeof c->listen_host ||
        parse_long(colon + 1, 0, 65535, &port) != 0)
        return bad(e, "listen");
    snprintf(c->listen_host, sizeof c->listen_host, "%.*s", (int)(colon - v), v);
    c->listen_port = (int)port;
    return 0;
}

static int parse_bool(const char *v, bool *out)
{
    if (strcmp(v, "on") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
        *out = true;
    else if (strcmp(v, "off") == 0 || strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        *out = false;
    else
        return -1;
    return 0;
}

static int copy_str(char *dst, size_t cap, const char *v, struct err *e, const char *key)
{
    if (strlen(v) >= cap)
        return bad(e, key);
    snprintf(dst, cap, "%s", v);
    return 0;
}

int config_set(struct config *c, const char *key, const char *v, struct err *e)
{
    long n;
    if (strcmp(key, "db") == 0)
        return v[0] == '\0' ? bad(e, key) : copy_str(c->db, sizeof c->db, v, e, key);
    if (strcmp(key, "listen") == 0)
        return set_listen(c, v, e);
    if (strcmp(key, "threads") == 0) {
        if (parse_long(v, 0, 256, &n) != 0)
            return bad(e, key);
        c->threads = (int)n;
        return 0;
    }
    if (strcmp(key, "body_limit") == 0) {
        if (parse_long(v, 1024, 1L << 30, &n) != 0)
            return bad(e, key);
        c->body_limit = (size_t)n;
        return 0;
    }
    if (strcmp(key, "timeout") == 0) {
        if (parse_long(v, 1, 3600, &n) != 0)
            return bad(e, key);
        c->timeout_s = (int)n;
        return 0;
    }
    if (strcmp(key, "shutdown_grace_ms") == 0) {
        if (parse_long(v, 0, 600000, &n) != 0)
            return bad(e, key);
        c->shutdown_grace_ms = (int)n;
        return 0;
    }
    if (strcmp(key, "dist") == 0)
        return copy_str(c->dist, sizeof c->dist, v, e, key);
    if (strcmp(key, "log_level") == 0) {
        enum log_level lvl;
        if (log_parse_level(v, &lvl) != 0)
            return bad(e, key);
        return copy_str(c->log_level, sizeof c->log_level, v, e, key);
    }
    if (strcmp(key, "jobs") == 0)
        return parse_bool(v, &c->jobs) != 0 ? bad(e, key) : 0;
    if (strcmp(key, "cookie_secure") == 0)
        return parse_bool(v, &c->cookie_secure) != 0 ? bad(e, key) : 0;
    if (strcmp(key, "keys") == 0)
        return v[0] == '\0' ? bad(e, key) : copy_str(c->keys, sizeof c->keys, v, e, key);
    if (strcmp(key, "session_idle") == 0) {
        if (parse_long(v, 60, 7 * 86400, &n) != 0)
            return bad(e, key);
        c->session_idle_s = (int)n;
        return 0;
    }
    if (strcmp(key, "import_retention_days") == 0) {
        if (parse_long(v, 1, 3650, &n) != 0)
            return bad(e, key);
        c->import_retention_days = (int)n;
        return 0;
    }
    if (strcmp(key, "response_cache_mb") == 0) {
        if (parse_long(v, 0, 4096, &n) != 0)
            return bad(e, key);
        c->response_cache_mb = (int)n;
        return 0;
    }
    if (strcmp(key, "change_poll_ms") == 0) {
        if (parse_long(v, 1, 60000, &n) != 0)
            return bad(e, key);
        c->change_poll_ms = (int)n;
        return 0;
    }
    if (strcmp(key, "yield_every") == 0) {
        if (parse_long(v, 0, 1000000, &n) != 0)
            return bad(e, key);
        c->yield_every = (int)n;
        return 0;
    }
    if (strcmp(key, "session_max") == 0) {
        if (parse_long(v, 60, 30 * 86400, &n) != 0)
            return bad(e, key);
        c->session_max_s = (int)n;
        return 0;
    }
    int *tp = strcmp(key, "throttle_free") == 0         ? &c->throttle_free
              : strcmp(key, "throttle_lock_at") == 0    ? &c->throttle_lock_at
              : strcmp(key, "throttle_ip_free") == 0    ? &c->throttle_ip_free
              : strcmp(key, "throttle_ip_lock_at") == 0 ? &c->throttle_ip_lock_at
                                                        : NULL;
    if (tp != NULL) {
        if (parse_long(v, 1, 1000000, &n) != 0)
            return bad(e, key);
        *tp = (int)n;
        return 0;
    }
    if (strcmp(key, "trusted_proxies") == 0) {
        struct client_ip_nets nets;
        if (client_ip_parse_nets(v, &nets) != 0)
            return bad(e, key);
        return copy_str(c->trusted_proxies, sizeof c->trusted_proxies, v, e, key);
    }
    if (strcmp(key, "password_mem") == 0) {
        if (parse_long(v, 1, 4096, &n) != 0)
            return bad(e, key);
        c->password_mem_mib = (int)n;
        return 0;
    }
    if (strcmp(key, "password_ms") == 0) {
        if (parse_long(v, 0, 5000, &n) != 0)
            return bad(e, key);
        c->password_ms = (int)n;
        return 0;
    }
    err_set(e, ERR_INVALID, "config.unknown_key");
    return err_field(e, key, "config.unknown_key");
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        s[--len] = '\0';
    return s;
}

int config_load_file(struct config *c, const char *path, struct err *e)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        err_set(e, ERR_INVALID, "config.cannot_open");
        err_detail(e, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[1024];
    int rc = 0, lineno = 0;
    while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
        lineno++;
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            rc = err_set(e, ERR_INVALID, "config.bad_line");
            err_detail(e, "%s:%d: expected key = value", path, lineno);
            break;
        }
        *eq = '\0';
        rc = config_set(c, trim(s), trim(eq + 1), e);
        if (rc != 0)
            err_detail(e, "%s:%d", path, lineno);
    }
    fclose(f);
    return rc;
}

int config_load_env(struct config *c, struct err *e)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char name[64] = "DJ_";
        size_t k = 3;
        for (const char *p = keys[i]; *p != '\0' && k + 1 < sizeof name; p++)
            name[k++] = (char)toupper((unsigned char)*p);
        name[k] = '\0';
        const char *v = getenv(name);
        if (v != NULL && config_set(c, keys[i], v, e) != 0) {
            err_detail(e, "environment variable %s", name);
            return -1;
        }
    }
    return 0;
}

void config_install(const struct config *c)
{
    g_config = *c;
    g_installed = true;
}

const struct config *config_get(void)
{
    if (!g_installed) {
        config_defaults(&g_config);
        g_installed = true;
    }
    return &g_config;
}
