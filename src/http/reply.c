/* reply.c: turning results and errors into responses (ARCHITECTURE.md §5), pagination and
 * request-body helpers. No MHD here: server.c converts the finished struct http_res.
 * Threads: one request per thread. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "http/http_internal.h"

void res_init(struct http_res *res, struct arena *a)
{
    memset(res, 0, sizeof *res);
    res->fd = -1;
    res->arena = a;
}

void res_set_json(struct http_res *res, int status, json_t *body)
{
    res->status = status;
    res->replied = true;
    res->content_type = "application/json; charset=utf-8";
    if (body == NULL) {
        res->body = NULL;
        res->body_len = 0;
        return;
    }
    res->body = json_dumps(body, JSON_COMPACT);
    if (res->body == NULL) {          /* only on OOM inside jansson */
        res->status = 500;
        res->body = strdup("{\"error\":{\"code\":\"internal\",\"message\":\"internal\",\"fields\":{}}}");
    }
    res->body_len = res->body != NULL ? strlen(res->body) : 0;
}

void res_error(struct http_res *res, const char *lang, const struct err *e)
{
    json_t *fields = json_object();
    for (int i = 0; i < e->nfields; i++)
        json_object_set_new(fields, e->fields[i].name,
                            json_string(i18n_text(e->fields[i].message, lang)));
    const char *msg = e->message[0] != '\0' ? e->message : err_code_name(e->code);
    json_t *body = json_pack("{s:{s:s, s:s, s:o}}", "error", "code", err_code_name(e->code),
                             "message", i18n_text(msg, lang), "fields", fields);
    if (body == NULL)                  /* message not valid UTF-8: a bug, but never crash */
        body = json_pack("{s:{s:s, s:s, s:{}}}", "error", "code", err_code_name(e->code),
                         "message", err_code_name(e->code));
    res_set_json(res, err_http_status(e->code), body);
    json_decref(body);
}

void http_reply(struct http_res *res, int status, json_t *body, const struct err *e)
{
    if (e != NULL && e->code != ERR_OK) {
        http_reply_error(res, e);
        return;
    }
    res_set_json(res, status, body);
}

void http_reply_error(struct http_res *res, const struct err *e)
{
    if (e->code == ERR_INTERNAL || e->code == ERR_UNAVAILABLE)
        log_error("http", "%s: %s", e->message, e->detail);
    res_error(res, res->lang, e);
}

void http_reply_json_buf(struct http_res *res, int status, struct buf *body)
{
    http_reply_text_buf(res, status, "application/json; charset=utf-8", body);
}

void http_reply_text_buf(struct http_res *res, int status, const char *content_type,
                         struct buf *body)
{
    if (buf_failed(body)) {
        struct err e = ERR_INIT;
        err_set(&e, ERR_INTERNAL, "internal");
        err_detail(&e, "reply over the buffer limit");
        buf_fini(body);
        http_reply_error(res, &e);
        return;
    }
    res->status = status;
    res->replied = true;
    res->content_type = content_type;
    res->body_len = body->len;
    res->body = buf_take(body);
}

void http_set_header(struct http_res *res, const char *name, const char *value)
{
    if (res->nheaders >= HTTP_MAX_HEADERS)
        return;
    res->headers[res->nheaders].name = arena_strdup(res->arena, name);
    res->headers[res->nheaders].value = arena_strdup(res->arena, value);
    res->nheaders++;
}

static int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (s == NULL || *s == '\0')
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int http_param_id(const struct http_req *req, const char *name, int64_t *out, struct err *e)
{
    if (parse_i64(http_param(req, name), 1, INT64_MAX, out) != 0)
        return err_set(e, ERR_NOT_FOUND, "not_found");
    return 0;
}

int http_page_parse(const struct http_req *req, struct http_page *pg, struct err *e)
{
    const char *p = http_query(req, "page");
    const char *pp = http_query(req, "per_page");
    pg->page = 1;
    pg->per_page = 20;
    if (p != NULL && parse_i64(p, 1, 1000000000, &pg->page) != 0)
        err_field(e, "page", "field.out_of_range");
    if (pp != NULL && parse_i64(pp, 1, 200, &pg->per_page) != 0)
        err_field(e, "per_page", "field.out_of_range");
    if (e->code != ERR_OK)
        return -1;
    pg->offset = (pg->page - 1) * pg->per_page;
    return 0;
}

json_t *http_list_json(json_t *data, const struct http_page *pg, int64_t total)
{
    return json_pack("{s:o, s:{s:I, s:I, s:I}}", "data", data, "meta", "page",
                     (json_int_t)pg->page, "per_page", (json_int_t)pg->per_page, "total",
                     (json_int_t)total);
}

int http_body_object(const struct http_req *req, json_t **out, struct err *e)
{
    if (req->json == NULL || !json_is_object(req->json))
        return err_set(e, ERR_INVALID, "request.body_not_object");
    *out = req->json;
    return 0;
}
