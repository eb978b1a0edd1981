/* health.c: the routes about the server itself. GET /api/v1/health is the liveness probe: it
 * reads no table, it reports the configured database engine and the version, so load balancers
 * can poll it cheaply. GET /api/v1/openapi.json serves docs/openapi/openapi.json, embedded at
 * build time (tests/unit/http/routes_doc_test.c keeps it in step with the route tables). */
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/embed.h"
#include "core/err.h"
#include "http/http_internal.h"

#ifndef DJ_VERSION
#define DJ_VERSION "dev"
#endif

/* The answer never changes while the process runs, so it is built once (http_register, after
 * main installed the config) and sent from static memory: the probe costs no allocation. */
static char health_body[128];
static size_t health_len;

void health_init(void)
{
    const char *db = strncmp(config_get()->db, "sqlite:", 7) == 0 ? "sqlite" : "postgresql";
    int n = snprintf(health_body, sizeof health_body,
                     "{\"status\":\"ok\",\"db\":\"%s\",\"version\":\"%s\"}", db, DJ_VERSION);
    health_len = n > 0 && (size_t)n < sizeof health_body ? (size_t)n : 0;
}

static void health_get(struct http_req *req, struct http_res *res)
{
    (void)req;
    res->status = 200;
    res->replied = true;
    res->content_type = "application/json; charset=utf-8";
    res->body = health_body;
    res->body_len = health_len;
    res->body_static = true;
}

extern const struct embed_file openapi_files[];
extern const size_t openapi_files_count;

static void openapi_get(struct http_req *req, struct http_res *res)
{
    (void)req;
    const struct embed_file *f = embed_find(openapi_files, openapi_files_count, "openapi.json");
    if (f == NULL) {
        struct err e = ERR_INIT;
        err_set(&e, ERR_NOT_FOUND, "not_found");
        http_reply_error(res, &e);
        return;
    }
    res->status = 200;
    res->replied = true;
    res->content_type = "application/json; charset=utf-8";
    res->body = (char *)f->data;
    res->body_len = f->size;
    res->body_static = true;
}

const struct route health_routes[] = {
    {"GET", "/api/v1/health", health_get, NULL},
    {"GET", "/api/v1/openapi.json", openapi_get, NULL},
};
const size_t health_routes_count = sizeof health_routes / sizeof health_routes[0];
