/* http_internal.h: what server.c, router.c, reply.c and static.c share; features never include
 * it. struct http_res is the response under construction: the handler fills it through the
 * http_reply* functions and server.c turns it into an MHD response after the handler returns.
 * Threads: one request per thread. */
#ifndef DJ_HTTP_INTERNAL_H
#define DJ_HTTP_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"

#define HTTP_MAX_HEADERS 12

struct http_res {
    int status;
    const char *content_type;       /* static string */
    char *body;                     /* malloc'd (freed by MHD) unless body_static */
    size_t body_len;
    bool body_static;               /* body points at embedded data: never freed */
    int fd;                         /* >= 0: send this file (served from --dist) */
    size_t fd_size;
    bool replied;
    int nheaders;
    struct { const char *name, *value; } headers[HTTP_MAX_HEADERS];   /* arena strings */
    struct arena *arena;            /* the request's arena, for header copies */
    const char *lang;               /* the request's language, for error messages */
};

/* router.c */
enum route_match { ROUTE_NONE, ROUTE_FOUND, ROUTE_METHOD };
/* Finds the route for method+path, filling req->params. ROUTE_METHOD: the path exists with
 * other methods; *allow gets them ("GET, POST"), arena-owned. */
enum route_match router_match(struct http_req *req, const struct route **out, const char **allow);
/* The raw_body_limit of the route for method+path, 0 when none (default limit, JSON body). */
size_t router_raw_body_limit(struct arena *a, const char *method, const char *path);
/* The route is a GET whose answers the answer cache may keep (http_cache_register). */
bool router_cacheable(const struct route *r);

/* reply.c */
void res_init(struct http_res *res, struct arena *a);
void res_set_json(struct http_res *res, int status, json_t *body);
void res_error(struct http_res *res, const char *lang, const struct err *e);

/* static.c: serves the SPA (GET/HEAD). Returns true if it produced a response. */
bool static_serve(struct http_req *req, struct http_res *res, const char *dist_dir);

/* health.c: health_init() builds the constant health answer (after config_install). */
void health_init(void);
extern const struct route health_routes[];
extern const size_t health_routes_count;

#endif
