/* server.c: libmicrohttpd glue. Turns MHD's three-phase callback (headers, body chunks, end)
 * into one call of a route handler with a complete struct http_req, and the handler's
 * struct http_res into an MHD response.
 *
 * Per request: a context (arena + body buffer) is created on the first callback and destroyed in
 * the completion callback, which also writes the access log line. We respond only in the final
 * callback so keep-alive survives (responding in the first makes MHD 0.9.75 close), except to
 * refuse a declared Content-Length over the limit (413; that connection closes anyway).
 * Bodies stream into a struct buf capped at body_limit (an upload route: its own, http_raw_body_register);
 * an undeclared (chunked) body that grows past it closes the connection.
 * Threads: one MHD daemon (one epoll thread) per listening socket, the sockets sharing the
 * address through SO_REUSEPORT (decision 0017); per-thread DB connection in TLS. */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth_internal.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "db/db.h"
#include "db/db_change.h"
#include "http/client_ip.h"
#include "http/http_internal.h"
#include "http/listen.h"
#include "http/pace.h"
#include "http/resp_cache.h"

#define CONN_POOL_BYTES (16 * 1024)      /* per connection: request line, headers, buffers */

struct req_ctx;

/* One per daemon, the callbacks' closure. Each daemon runs one event thread, which is the only
 * one to call on_request and on_completed for it (MHD_stop_daemon joins it first), so nothing
 * here is shared between threads. */
struct http_worker {
    struct http_server *srv;
    struct req_ctx *spare;     /* the last finished request's context, for the next request */
    struct pace pace;          /* when to yield the core (decision 0019) */
};

struct http_server {
    struct MHD_Daemon *daemons[LISTEN_MAX];  /* one event thread each, on its own socket */
    struct http_worker workers[LISTEN_MAX];
    int ndaemons;
    struct listen_set ls;
    const struct config *cfg;
    atomic_int inflight;
    atomic_bool stopping;
    atomic_ullong next_id;
    unsigned int id_prefix;
    int port;
};

/* The trusted proxies, parsed once at start (config checked the text): read-only afterwards. */
static struct client_ip_nets g_proxies;

struct req_ctx {
    struct http_server *srv;
    struct arena *arena;
    struct buf body;
    json_t *json;
    int64_t start_us;
    int status;
    bool responded;
    bool late;              /* arrived after shutdown began: refused with 503 */
    bool raw;               /* an upload route: the body is not JSON (http_raw_body_register) */
    const char *method;     /* arena copies for the access log */
    const char *path;
    char id[24];
};

/* Every connection a pool thread opened, so stop can close them after the threads are gone.
 * The lock protects db_list and db_count. */
static pthread_mutex_t db_lock = PTHREAD_MUTEX_INITIALIZER;
static struct db **db_list;
static size_t db_count;
static _Thread_local struct db *tls_db;
static _Thread_local int64_t tls_db_retry_us;

static struct db *thread_db(void)
{
    if (tls_db != NULL)
        return tls_db;
    int64_t now = now_micros();
    if (now < tls_db_retry_us)
        return NULL;
    struct err e = ERR_INIT;
    if (db_open(&tls_db, config_get()->db, &e) != 0) {
        log_error("http", "cannot open database: %s %s", e.message, e.detail);
        tls_db_retry_us = now + 1000000;    /* retry at most once a second per thread */
        return NULL;
    }
    pthread_mutex_lock(&db_lock);
    db_list = xrealloc(db_list, (db_count + 1) * sizeof *db_list);
    db_list[db_count++] = tls_db;
    pthread_mutex_unlock(&db_lock);
    return tls_db;
}

static void close_all_dbs(void)
{
    pthread_mutex_lock(&db_lock);
    for (size_t i = 0; i < db_count; i++)
        db_close(db_list[i]);
    free(db_list);
    db_list = NULL;
    db_count = 0;
    pthread_mutex_unlock(&db_lock);
}

/* ---- request accessors (need MHD) ---- */

const char *http_query(const struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(const struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_param(const struct http_req *req, const char *name)
{
    for (int i = 0; i < req->nparams; i++)
        if (strcmp(req->params[i].name, name) == 0)
            return req->params[i].value;
    return NULL;
}

static enum MHD_Result check_arg_utf8(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    bool *ok = cls;
    if (!utf8_valid(key, strlen(key)) || (value != NULL && !utf8_valid(value, strlen(value)))) {
        *ok = false;
        return MHD_NO;
    }
    return MHD_YES;
}

/* ?lang= wins (download links cannot set headers), then Accept-Language; zh-CN by default. */
static const char *pick_lang(struct MHD_Connection *c)
{
    const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lang");
    if (q != NULL)
        return strncmp(q, "en", 2) == 0 ? "en" : "zh-CN";
    const char *al = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Language");
    if (al == NULL)
        return "zh-CN";
    while (*al == ' ')
        al++;
    return (al[0] == 'e' || al[0] == 'E') && (al[1] == 'n' || al[1] == 'N') ? "en" : "zh-CN";
}

/* ---- dispatch ---- */

static void fail(struct http_res *res, enum err_code code, const char *key)
{
    struct err e = ERR_INIT;
    err_set(&e, code, key);
    res_error(res, res->lang, &e);
}

static bool parse_body(struct http_req *req, struct req_ctx *ctx, struct http_res *res)
{
    if (req->body_len == 0 || ctx->raw)
        return true;
    const char *ct = http_header(req, "Content-Type");
    if (ct != NULL && strncmp(ct, "application/json", 16) != 0) {
        fail(res, ERR_INVALID, "request.content_type");
        return false;
    }
    json_error_t je;
    ctx->json = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
    if (ctx->json == NULL) {
        struct err e = ERR_INIT;
        err_set(&e, ERR_INVALID, "request.bad_json");
        log_debug("http", "req=%s bad json at %d:%d: %s", req->id, je.line, je.column, je.text);
        res_error(res, res->lang, &e);
        return false;
    }
    req->json = ctx->json;
    return true;
}

static void dispatch_route(struct http_req *req, const struct route *route, struct http_res *res);

static void dispatch_api(struct http_req *req, struct req_ctx *ctx, struct http_res *res)
{
    const struct route *route = NULL;
    const char *allow = NULL;
    switch (router_match(req, &route, &allow)) {
    case ROUTE_NONE:
        fail(res, ERR_NOT_FOUND, "request.not_found");
        return;
    case ROUTE_METHOD:
        fail(res, ERR_INVALID, "request.method_not_allowed");
        res->status = 405;
        http_set_header(res, "Allow", allow);
        return;
    case ROUTE_FOUND:
        break;
    }
    if (!parse_body(req, ctx, res))
        return;
    if (ctx->late) {      /* requests already in flight at SIGTERM still complete */
        fail(res, ERR_UNAVAILABLE, "request.shutting_down");
        http_set_header(res, "Connection", "close");
        return;
    }
    if (strcmp(route->pattern, "/api/v1/health") != 0 &&
        strcmp(route->pattern, "/api/v1/openapi.json") != 0) {
        req->db = thread_db();
        if (req->db == NULL) {
            fail(res, ERR_UNAVAILABLE, "db.unavailable");
            return;
        }
    }
    /* A GET reads: its statements share one snapshot (db.h), which also makes its page and
     * its total agree. */
    bool reads = req->db != NULL &&
                 (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0);
    if (reads)
        db_snapshot_begin(req->db);
    dispatch_route(req, route, res);
    if (reads)
        db_snapshot_end(req->db);
    if (req->db != NULL && db_in_tx(req->db)) {   /* a handler bug must not poison the thread */
        log_error("http", "req=%s handler for %s left a transaction open", req->id, route->pattern);
        db_rollback(req->db);
    }
}

static enum MHD_Result key_arg(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
    (void)kind;
    struct buf *b = cls;
    buf_addf(b, "%zu:%s%zu:%s", strlen(k), k, v != NULL ? strlen(v) : 0, v != NULL ? v : "");
    return MHD_YES;
}

/* The answer cache's key (resp_cache.h): who asks, in which language, on which day (Shanghai),
 * for what; each query argument length-prefixed so that no two requests share a key. NULL
 * when it does not fit. */
static const char *cache_key(struct http_req *req)
{
    const struct auth_principal *p = req->auth;
    struct buf b = BUF_INIT(8192);
    long long day = ((long long)time(NULL) + 8 * 3600) / 86400;
    buf_addf(&b, "%d:%lld:%lld|%s|%lld|%s?", p != NULL ? (int)p->kind : -1,
             p != NULL ? (long long)p->user_id : 0, p != NULL ? (long long)p->token_id : 0,
             req->lang, day, req->path);
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, key_arg, &b);
    const char *key = buf_failed(&b) ? NULL : arena_strdup(req->arena, buf_str(&b));
    buf_fini(&b);
    return key;
}

/* The permission gate, then the answer cache for routes that use it, then the handler. */
static void dispatch_route(struct http_req *req, const struct route *route, struct http_res *res)
{
    uint64_t gen = db_change_gen();      /* before anything is read (db_change.h) */
    if (route->perm != NULL) {
        struct err e = ERR_INIT;
        if (auth_gate(req, route->perm, &e) != 0) {
            if (e.code == ERR_INTERNAL || e.code == ERR_UNAVAILABLE)
                log_error("http", "req=%s auth: %s %s", req->id, e.message, e.detail);
            res_error(res, res->lang, &e);
            return;
        }
    }
    const char *key = NULL;
    if (router_cacheable(route) && strcmp(req->method, "GET") == 0 && resp_cache_enabled()) {
        key = cache_key(req);
        if (key != NULL &&
            resp_cache_get(key, &res->body, &res->body_len, &res->content_type)) {
            res->status = 200;
            res->replied = true;
            http_set_header(res, "X-Cache", "hit");
            return;
        }
    }
    route->handler(req, res);
    if (!res->replied) {
        log_error("http", "req=%s handler for %s gave no reply", req->id, route->pattern);
        fail(res, ERR_INTERNAL, "internal");
    }
    if (key != NULL && res->status == 200 && res->nheaders == 0 && res->fd < 0 &&
        !res->body_static && res->body != NULL)
        resp_cache_put(key, gen, res->body, res->body_len, res->content_type);
}

const char *http_client_ip(const struct http_req *req)
{
    struct MHD_Connection *c = req->conn;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char peer[INET6_ADDRSTRLEN] = "", text[CLIENT_IP_TEXT];
    if (ci != NULL && ci->client_addr != NULL) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, peer,
                      sizeof peer);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                      peer, sizeof peer);
    }
    client_ip_resolve(&g_proxies, peer, http_header(req, "X-Forwarded-For"), text);
    return arena_strdup(req->arena, text);
}

static void handle(struct req_ctx *ctx, struct MHD_Connection *c, const char *url,
                   const char *method, struct http_res *res)
{
    struct http_req req = {0};
    req.method = arena_strdup(ctx->arena, method);
    req.path = arena_strdup(ctx->arena, url);
    req.lang = pick_lang(c);
    req.arena = ctx->arena;
    req.body = buf_str(&ctx->body);
    req.body_len = ctx->body.len;
    req.conn = c;
    memcpy(req.id, ctx->id, sizeof req.id);
    res->lang = req.lang;

    bool args_ok = true;
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, check_arg_utf8, &args_ok);
    if (!args_ok || !utf8_valid(req.path, strlen(req.path))) {
        fail(res, ERR_INVALID, "request.bad_utf8");
        return;
    }
    if (strncmp(req.path, "/api/", 5) == 0 || strcmp(req.path, "/api") == 0)
        dispatch_api(&req, ctx, res);
    else
        static_serve(&req, res, ctx->srv->cfg->dist);
}

static enum MHD_Result send_res(struct req_ctx *ctx, struct MHD_Connection *c,
                                struct http_res *res, bool api)
{
    struct MHD_Response *r;
    if (res->fd >= 0)
        r = MHD_create_response_from_fd(res->fd_size, res->fd);
    else if (res->body_static)
        r = MHD_create_response_from_buffer(res->body_len, res->body, MHD_RESPMEM_PERSISTENT);
    else
        r = MHD_create_response_from_buffer(res->body_len, res->body ? res->body : (char *)"",
                                            res->body ? MHD_RESPMEM_MUST_FREE
                                                      : MHD_RESPMEM_PERSISTENT);
    if (r == NULL) {
        if (!res->body_static)
            free(res->body);
        return MHD_NO;
    }
    if (res->content_type != NULL && res->status != 204)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
    MHD_add_response_header(r, "X-Request-Id", ctx->id);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (api)
        MHD_add_response_header(r, "Cache-Control", "no-store");
    for (int i = 0; i < res->nheaders; i++)
        MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
    ctx->status = res->status;
    enum MHD_Result ret = MHD_queue_response(c, (unsigned int)res->status, r);
    MHD_destroy_response(r);
    return ret;
}

/* "%08x-%08llx" without printf: vfprintf was 3 % of a health answer's user-space time. */
static void format_id(char *out, size_t cap, unsigned int prefix, unsigned long long n)
{
    static const char hex[] = "0123456789abcdef";
    char tmp[8 + 1 + 16 + 1];
    size_t len = 0;
    for (int sh = 28; sh >= 0; sh -= 4)
        tmp[len++] = hex[(prefix >> sh) & 0xf];
    tmp[len++] = '-';
    int digits = 8;
    while (digits < 16 && (n >> (4 * digits)) != 0)
        digits++;
    for (int i = digits - 1; i >= 0; i--)
        tmp[len++] = hex[(n >> (4 * i)) & 0xf];
    if (len >= cap)
        len = cap - 1;                 /* as snprintf: cut, always terminated */
    memcpy(out, tmp, len);
    out[len] = '\0';
}

/* A kept-alive connection's next request reuses the thread's spare context and its arena's
 * first chunk: no malloc for either. */
static struct req_ctx *ctx_new(struct http_worker *w)
{
    struct http_server *srv = w->srv;
    struct req_ctx *ctx = w->spare;
    struct arena *arena;
    if (ctx != NULL) {
        w->spare = NULL;
        arena = ctx->arena;            /* reset when it was put aside */
        memset(ctx, 0, sizeof *ctx);
    } else {
        ctx = xcalloc(1, sizeof *ctx);
        arena = arena_create(0);
    }
    ctx->srv = srv;
    ctx->arena = arena;
    buf_init(&ctx->body, srv->cfg->body_limit);
    ctx->start_us = now_micros();
    ctx->status = 0;
    ctx->late = atomic_load(&srv->stopping);
    unsigned long long n = atomic_fetch_add(&srv->next_id, 1);
    format_id(ctx->id, sizeof ctx->id, srv->id_prefix, n);
    atomic_fetch_add(&srv->inflight, 1);
    return ctx;
}

static void ctx_free(struct req_ctx *ctx)
{
    if (ctx == NULL)
        return;
    arena_destroy(ctx->arena);
    free(ctx);
}

static bool declared_too_large(struct MHD_Connection *c, size_t limit)
{
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (cl == NULL)
        return false;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(cl, &end, 10);
    return errno != 0 || n > limit;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **req_cls)
{
    (void)version;
    struct http_worker *w = cls;
    struct http_server *srv = w->srv;
    struct req_ctx *ctx = *req_cls;
    struct http_res res;
    if (ctx == NULL) {
        *req_cls = ctx = ctx_new(w);
        ctx->method = arena_strdup(ctx->arena, method);
        ctx->path = arena_strdup(ctx->arena, url);
        size_t limit = router_raw_body_limit(ctx->arena, method, url);
        ctx->raw = limit > 0;
        if (ctx->raw) {                 /* an upload route: its own limit */
            buf_fini(&ctx->body);
            buf_init(&ctx->body, limit);
        } else {
            limit = srv->cfg->body_limit;
        }
        if (!declared_too_large(c, limit))
            return MHD_YES;
        res_init(&res, ctx->arena);
        res.lang = pick_lang(c);
        fail(&res, ERR_TOO_LARGE, "request.too_large");
        ctx->responded = true;
        return send_res(ctx, c, &res, true);
    }
    if (*upload_size > 0) {
        if (!ctx->responded)
            buf_add(&ctx->body, upload, *upload_size);
        *upload_size = 0;
        return buf_failed(&ctx->body) ? MHD_NO : MHD_YES;   /* undeclared body over the limit */
    }
    if (ctx->responded)
        return MHD_YES;
    ctx->responded = true;
    res_init(&res, ctx->arena);
    handle(ctx, c, url, method, &res);
    return send_res(ctx, c, &res, strncmp(url, "/api", 4) == 0);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)c;
    struct http_worker *w = cls;
    struct req_ctx *ctx = *req_cls;
    if (ctx == NULL)
        return;
    int64_t end = now_micros();
    int64_t start = ctx->start_us;
    log_request(ctx->id, ctx->method, ctx->path,
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? ctx->status : 0, end - start);
    json_decref(ctx->json);
    ctx->json = NULL;
    buf_fini(&ctx->body);
    if (w->spare == NULL) {
        arena_reset(ctx->arena);
        w->spare = ctx;
    } else {
        ctx_free(ctx);
    }
    *req_cls = NULL;
    atomic_fetch_sub(&w->srv->inflight, 1);
    /* sched_yield cannot fail on Linux; with nothing else runnable it returns at once */
    if (pace_done(&w->pace, start, end) && sched_yield() != 0)
        log_debug("http", "sched_yield failed");
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == '\n')
        msg[--n] = '\0';
    log_info("mhd", "%s", msg);   /* mostly malformed requests from clients */
}

static int resolve_threads(int configured)
{
    if (configured > 0)
        return configured;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 2 ? 2 : (int)n;
}

int http_server_start(struct http_server **out, const struct config *cfg, struct err *e)
{
    *out = NULL;
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    /* TURBO: skip per-connection extras (e.g. shutdown() before close) we do not need. */
    unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                         MHD_USE_TURBO;
    struct sockaddr_in *sa4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *sa6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, cfg->listen_host, &sa4->sin_addr) == 1) {
        sa4->sin_family = AF_INET;
        sa4->sin_port = htons((uint16_t)cfg->listen_port);
    } else if (inet_pton(AF_INET6, cfg->listen_host, &sa6->sin6_addr) == 1) {
        sa6->sin6_family = AF_INET6;
        sa6->sin6_port = htons((uint16_t)cfg->listen_port);
        flags |= MHD_USE_IPv6;
    } else {
        err_set(e, ERR_INVALID, "config.bad_value");
        return err_field(e, "listen", "config.bad_value");
    }
    if (client_ip_parse_nets(cfg->trusted_proxies, &g_proxies) != 0) {
        err_set(e, ERR_INVALID, "config.bad_value");
        return err_field(e, "trusted_proxies", "config.bad_value");
    }
    struct http_server *srv = xcalloc(1, sizeof *srv);
    srv->cfg = cfg;
    srv->id_prefix = (unsigned int)(now_micros() ^ ((int64_t)getpid() << 16));
    socklen_t len = ss.ss_family == AF_INET6 ? sizeof *sa6 : sizeof *sa4;
    int n = resolve_threads(cfg->threads);
    if (n > LISTEN_MAX)
        n = LISTEN_MAX;
    if (listen_open(&srv->ls, (const struct sockaddr *)&ss, len, n, 1024, e) != 0) {
        free(srv);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        srv->workers[i].srv = srv;
        pace_init(&srv->workers[i].pace, cfg->yield_every);
    }
    for (int i = 0; i < n; i++) {
        /* MHD gets a duplicate: whether a daemon that fails to start closes its socket or not,
         * our own descriptor is closed exactly once (by us), never one MHD already closed and
         * the kernel handed out again. */
        int fd = fcntl(srv->ls.fds[i], F_DUPFD_CLOEXEC, 0);
        srv->daemons[i] = fd < 0 ? NULL : MHD_start_daemon(
            flags, 0, NULL, NULL, &on_request, &srv->workers[i],
            MHD_OPTION_EXTERNAL_LOGGER, &mhd_log, NULL,
            MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->timeout_s,
            /* the request line and headers must fit (beyond: 431); libmicrohttpd zeroes the
             * whole pool for every request on a kept-alive connection, which at 64 KiB was a
             * tenth of a health answer's CPU (decision 0019 gives the header limit) */
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_POOL_BYTES,
            MHD_OPTION_NOTIFY_COMPLETED, &on_completed, &srv->workers[i],
            MHD_OPTION_END);
        if (srv->daemons[i] == NULL) {
            for (int j = 0; j < i; j++) {
                MHD_stop_daemon(srv->daemons[j]);      /* closes its duplicate */
                ctx_free(srv->workers[j].spare);
            }
            listen_close_all(&srv->ls);                /* ours, each once */
            free(srv);
            err_set(e, ERR_UNAVAILABLE, "http.cannot_listen");
            err_detail(e, "cannot start the HTTP event threads on %s:%d", cfg->listen_host,
                       cfg->listen_port);
            return -1;
        }
        srv->ndaemons = i + 1;
        close(srv->ls.fds[i]);                         /* the daemon holds the socket now */
        srv->ls.fds[i] = -1;
    }
    srv->port = srv->ls.port;
    *out = srv;
    return 0;
}

int http_server_port(const struct http_server *srv)
{
    return srv->port;
}

void http_server_stop(struct http_server *srv)
{
    if (srv == NULL)
        return;
    atomic_store(&srv->stopping, true);
    for (int i = 0; i < srv->ndaemons; i++) {
        MHD_socket lsock = MHD_quiesce_daemon(srv->daemons[i]);
        if (lsock != MHD_INVALID_SOCKET)
            close(lsock);
    }
    int64_t deadline = now_micros() + (int64_t)srv->cfg->shutdown_grace_ms * 1000;
    while (atomic_load(&srv->inflight) > 0 && now_micros() < deadline) {
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    int left = atomic_load(&srv->inflight);
    if (left > 0)
        log_warn("http", "stopping with %d request(s) still in flight", left);
    for (int i = 0; i < srv->ndaemons; i++) {
        MHD_stop_daemon(srv->daemons[i]);    /* joins its thread: its worker is ours now */
        ctx_free(srv->workers[i].spare);
    }
    listen_release(&srv->ls);
    close_all_dbs();
    free(srv);
}
