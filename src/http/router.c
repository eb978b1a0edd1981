/* router.c: route registry and matching.
 * Feature tables are registered at startup and read-only afterwards. Matching walks pattern and
 * path segment by segment; "{name}" matches one non-empty segment and is captured into
 * req->params. A linear scan over ~100 routes costs well under a microsecond, so no trie.
 * Threads: registration at startup only; matching is read-only and safe. */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "http/http_internal.h"

#define MAX_TABLES 64

struct route_table {
    const struct route *routes;
    size_t count;
};
static struct route_table tables[MAX_TABLES];
static size_t ntables;

void http_routes_register(const struct route *routes, size_t count)
{
    if (ntables < MAX_TABLES)
        tables[ntables++] = (struct route_table){routes, count};
}

/* Returns true if path matches pattern; captures params into req (arena copies). */
static bool match(const char *pat, const char *path, struct http_req *req)
{
    int nparams = 0;
    while (*pat != '\0' && *path != '\0') {
        if (*pat == '{') {
            const char *close = strchr(pat, '}');
            const char *seg_end = strchr(path, '/');
            size_t seg_len = seg_end ? (size_t)(seg_end - path) : strlen(path);
            if (close == NULL || seg_len == 0 || nparams >= HTTP_MAX_PARAMS)
                return false;
            req->params[nparams].name = arena_strndup(req->arena, pat + 1, (size_t)(close - pat - 1));
            req->params[nparams].value = arena_strndup(req->arena, path, seg_len);
            nparams++;
            pat = close + 1;
            path += seg_len;
            continue;
        }
        if (*pat != *path)
            return false;
        pat++;
        path++;
    }
    if (*pat != '\0' || *path != '\0')
        return false;
    req->nparams = nparams;
    return true;
}

void http_register(void)
{
    health_init();
    http_routes_register(health_routes, health_routes_count);
}

size_t http_routes_total(void)
{
    size_t n = 0;
    for (size_t t = 0; t < ntables; t++)
        n += tables[t].count;
    return n;
}

const struct route *http_route_at(size_t i)
{
    for (size_t t = 0; t < ntables; t++) {
        if (i < tables[t].count)
            return &tables[t].routes[i];
        i -= tables[t].count;
    }
    return NULL;
}

enum route_match router_match(struct http_req *req, const struct route **out, const char **allow)
{
    struct buf methods = BUF_INIT(256);
    enum route_match result = ROUTE_NONE;
    for (size_t t = 0; t < ntables && result != ROUTE_FOUND; t++) {
        for (size_t i = 0; i < tables[t].count; i++) {
            const struct route *r = &tables[t].routes[i];
            if (!match(r->pattern, req->path, req))
                continue;
            if (strcmp(r->method, req->method) == 0 ||
                (strcmp(req->method, "HEAD") == 0 && strcmp(r->method, "GET") == 0)) {
                *out = r;
                result = ROUTE_FOUND;
                break;
            }
            if (methods.len > 0)
                buf_adds(&methods, ", ");
            buf_adds(&methods, r->method);
            result = ROUTE_METHOD;
        }
    }
    if (result == ROUTE_METHOD)
        *allow = arena_strdup(req->arena, buf_str(&methods));
    else if (result == ROUTE_NONE)
        req->nparams = 0;
    buf_fini(&methods);
    return result;
}

#define MAX_RAW 8

struct raw_route {
    const char *method, *pattern;
    size_t limit;
};
static struct raw_route raw_routes[MAX_RAW];
static size_t nraw;

void http_raw_body_register(const char *method, const char *pattern, size_t limit)
{
    if (nraw < MAX_RAW)
        raw_routes[nraw++] = (struct raw_route){method, pattern, limit};
}

size_t router_raw_body_limit(struct arena *a, const char *method, const char *path)
{
    struct http_req req = {.arena = a};
    for (size_t i = 0; i < nraw; i++)
        if (strcmp(raw_routes[i].method, method) == 0 && match(raw_routes[i].pattern, path, &req))
            return raw_routes[i].limit;
    return 0;
}

#define MAX_CACHED 16

static const char *cached_routes[MAX_CACHED];
static size_t ncached;

void http_cache_register(const char *pattern)
{
    if (ncached < MAX_CACHED)
        cached_routes[ncached++] = pattern;
}

bool router_cacheable(const struct route *r)
{
    if (strcmp(r->method, "GET") != 0)
        return false;
    for (size_t i = 0; i < ncached; i++)
        if (strcmp(cached_routes[i], r->pattern) == 0)
            return true;
    return false;
}
