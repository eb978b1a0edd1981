/* http.h: what a feature handler sees of an HTTP request, and how it answers.
 *
 * The server (server.c) accepts the connection, reads the body up to the configured limit,
 * parses JSON bodies, creates req->arena, borrows this thread's DB connection, matches a route
 * and calls the handler. A handler follows four steps: parse -> check -> do -> reply, and calls
 * exactly one http_reply*() function. Anything it allocates for the request comes from
 * req->arena, which the server destroys once the response is sent.
 *
 * Errors use ARCHITECTURE.md §5: status + {"error":{"code","message","fields"}}; the message
 * keys of struct err are translated per Accept-Language (zh-CN default, en) by i18n.c.
 * Threads: one request per thread; nothing here is shared. */
#ifndef DJ_HTTP_H
#define DJ_HTTP_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/i18n.h"

struct arena;
struct auth_principal;
struct buf;
struct db;
struct err;

#define HTTP_MAX_PARAMS 8

struct http_req {
    const char *method;        /* "GET", "POST", ... */
    const char *path;          /* URL path without the query, percent-decoded */
    const char *lang;          /* "zh-CN" or "en", from Accept-Language */
    char id[24];               /* request id, also in the log line and X-Request-Id */
    struct arena *arena;       /* owned by the server; dies with the request */
    struct db *db;             /* this thread's connection (borrowed); NULL if none */
    json_t *json;              /* parsed JSON body (borrowed), or NULL when there is none */
    const char *body;          /* raw body (NUL-terminated), "" when empty */
    size_t body_len;
    int nparams;               /* path parameters from {name} segments */
    struct { const char *name, *value; } params[HTTP_MAX_PARAMS];
    const struct auth_principal *auth;   /* the caller (auth/auth.h); NULL on public routes */
    void *conn;                /* struct MHD_Connection *, for server internals */
};

struct http_res;               /* opaque: built by the server */

typedef void (*http_handler)(struct http_req *req, struct http_res *res);

struct route {
    const char *method;        /* "GET" | "POST" | "PUT" | "PATCH" | "DELETE" */
    const char *pattern;       /* "/api/v1/orgs/{id}/children" */
    http_handler handler;
    const char *perm;          /* permission name (checked by auth, issue 4); NULL = public */
};

/* Registers a feature's route table (static const, lives forever). Startup only. The server's
 * own routes (health, openapi.json) are registered by http_register(). */
void http_routes_register(const struct route *routes, size_t count);
void http_register(void);
/* An upload route (method + pattern of a registered route): its body is taken as raw bytes
 * (any Content-Type, req->json NULL) up to `limit` bytes instead of a JSON body under the
 * configured body_limit. Startup only. */
void http_raw_body_register(const char *method, const char *pattern, size_t limit);
/* The GET route with this pattern may have its answers kept between requests (resp_cache.h).
 * Only for handlers whose 200 answer depends on nothing but the caller, the URL, the language,
 * the day and the database. Startup only. */
void http_cache_register(const char *pattern);
/* Every registered route, for documentation checks: count, then the i-th. */
size_t http_routes_total(void);
const struct route *http_route_at(size_t i);

/* Request accessors. Returned strings are borrowed from the request (arena or MHD). */
const char *http_query(const struct http_req *req, const char *name);   /* NULL if absent */
const char *http_param(const struct http_req *req, const char *name);   /* NULL if absent */
const char *http_header(const struct http_req *req, const char *name);  /* NULL if absent */
/* The client's address as text ("" when unknown), in the request's arena; worked out when asked
 * (log-in, audit), not for every request. */
const char *http_client_ip(const struct http_req *req);
/* Path parameter as a positive int64; fails with ERR_NOT_FOUND if it is not one (an id that
 * cannot exist is simply not found). */
int http_param_id(const struct http_req *req, const char *name, int64_t *out, struct err *e);

/* Pagination from ?page=&per_page= (defaults 1 and 20, per_page max 200). Bad values fail
 * with ERR_INVALID on the named field. */
struct http_page {
    int64_t page;
    int64_t per_page;
    int64_t offset;
};
int http_page_parse(const struct http_req *req, struct http_page *pg, struct err *e);
/* {"data":data,"meta":{"page","per_page","total"}}; takes over `data`. */
json_t *http_list_json(json_t *data, const struct http_page *pg, int64_t total);

/* Replies. `body` is borrowed (the server takes its own reference) and may be NULL for 204.
 * If e != NULL and e->code != ERR_OK the error is sent instead (status from the code). */
void http_reply(struct http_res *res, int status, json_t *body, const struct err *e);
void http_reply_error(struct http_res *res, const struct err *e);
/* Sends JSON text already written into `body` (core/jsonw.h), taking its memory; `body` is
 * empty afterwards. A buffer that hit its limit is answered 500 instead. */
void http_reply_json_buf(struct http_res *res, int status, struct buf *body);
/* The same for any text type (CSV exports): content_type must be a static string. */
void http_reply_text_buf(struct http_res *res, int status, const char *content_type,
                         struct buf *body);
void http_set_header(struct http_res *res, const char *name, const char *value);  /* copies */

/* Body helpers for handlers: the JSON body must be an object (else ERR_INVALID
 * "request.body_not_object"). */
int http_body_object(const struct http_req *req, json_t **out, struct err *e);

#endif
