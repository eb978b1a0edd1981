/* health.c: GET /api/v1/health, the liveness probe. It reads no table: it reports the database
 * engine this server is configured for and the version, so load balancers can poll it cheaply. */
#include <string.h>

#include "core/config.h"
#include "http/http_internal.h"

#ifndef DJ_VERSION
#define DJ_VERSION "dev"
#endif

static void health_get(struct http_req *req, struct http_res *res)
{
    (void)req;
    const char *db = strncmp(config_get()->db, "sqlite:", 7) == 0 ? "sqlite" : "postgresql";
    json_t *out = json_pack("{s:s, s:s, s:s}", "status", "ok", "db", db, "version", DJ_VERSION);
    http_reply(res, 200, out, NULL);
    json_decref(out);
}

const struct route health_routes[] = {
    {"GET", "/api/v1/health", health_get, NULL},
};
const size_t health_routes_count = sizeof health_routes / sizeof health_routes[0];
