/* member_filter_api.c: /api/v1/member-filters, the caller's saved member searches (issue 5 §3).
 * A filter is a name and the list's query parameters as a JSON object; it is checked by the
 * list's own parser before it is stored, so a saved filter always runs. Only the owner sees or
 * deletes a filter (another user's id is a 404). Permission: member.read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "core/utf8.h"
#include "crypto/keys.h"
#include "features/member/member.h"
#include "features/member/member_api_internal.h"
#include "features/member/search/member_filter.h"
#include "features/member/search/member_query.h"
#include "http/http.h"

#define NAME_MAX_CHARS 64

static int64_t user_of(const struct http_req *req)
{
    return req->auth != NULL ? req->auth->user_id : 0;
}

static json_t *filter_json(const struct member_filter *f)
{
    json_t *params = json_loads(f->params, 0, NULL);
    return json_pack("{s:I, s:s, s:o, s:I}", "id", (json_int_t)f->id, "name", f->name, "params",
                     params != NULL ? params : json_object(), "created_at",
                     (json_int_t)f->created_at);
}

void member_filters_list(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_filter *rows;
    int64_t n = 0;
    json_t *out = NULL;
    if (member_filter_list(req->db, req->arena, user_of(req), &rows, &n, &e) == 0) {
        json_t *arr = json_array();
        for (int64_t i = 0; i < n; i++)
            json_array_append_new(arr, filter_json(&rows[i]));
        out = json_pack("{s:o}", "data", arr);
    }
    http_reply(res, 200, out, &e);
    json_decref(out);
}

static const char *json_get(void *ctx, const char *name)
{
    return json_string_value(json_object_get(ctx, name));
}

/* params: an object of known parameters with string values; checked as the list checks them,
 * field errors renamed "params.<name>". */
static void check_params(struct http_req *req, json_t *params, struct err *e)
{
    const char *key;
    json_t *v;
    if (!json_is_object(params)) {
        err_field(e, "params", params == NULL ? "field.required" : "field.bad_type");
        return;
    }
    json_object_foreach(params, key, v) {
        bool known = false;
        for (size_t i = 0; member_query_params[i] != NULL && !known; i++)
            known = strcmp(key, member_query_params[i]) == 0;
        if (!known)
            err_field(e, arena_printf(req->arena, "params.%s", key), "field.unknown");
        else if (!json_is_string(v))
            err_field(e, arena_printf(req->arena, "params.%s", key), "field.bad_type");
    }
    if (e->code != ERR_OK)
        return;
    struct member_query q;
    struct err qe = ERR_INIT;
    if (member_query_parse(&q, json_get, params, req->arena, keys_get(),
                           date_today_shanghai(time(NULL)), &qe) == 0 &&
        member_store_check_codes(req->db, &q, &qe) != 0 && qe.code == ERR_OK)
        err_set(&qe, ERR_INTERNAL, "internal");
    if (qe.code == ERR_INVALID) {
        for (int i = 0; i < qe.nfields; i++)
            err_field(e, arena_printf(req->arena, "params.%s", qe.fields[i].name),
                      qe.fields[i].message);
    } else if (qe.code != ERR_OK) {
        *e = qe;
    }
}

void member_filters_create(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    json_t *body, *out = NULL;
    int64_t id = 0;
    if (http_body_object(req, &body, &e) != 0)
        goto reply;
    const char *name = json_string_value(json_object_get(body, "name"));
    char *trimmed = name != NULL ? utf8_trim(arena_strdup(req->arena, name)) : NULL;
    if (trimmed == NULL || trimmed[0] == '\0')
        err_field(&e, "name", "field.required");
    else if (utf8_count(trimmed) > NAME_MAX_CHARS)
        err_field(&e, "name", "field.too_long");
    json_t *params = json_object_get(body, "params");
    check_params(req, params, &e);
    if (e.code != ERR_OK)
        goto reply;
    char *text = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
    if (text == NULL) {
        err_set(&e, ERR_INTERNAL, "internal");
        goto reply;
    }
    if (member_filter_create(req->db, user_of(req), trimmed, text, &id, &e) == 0)
        out = json_pack("{s:I, s:s, s:O}", "id", (json_int_t)id, "name", trimmed, "params",
                        params);
    free(text);
reply:
    http_reply(res, 201, out, &e);
    json_decref(out);
}

void member_filters_delete(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    int64_t id;
    if (http_param_id(req, "id", &id, &e) == 0 &&
        member_filter_delete(req->db, user_of(req), id, &e) != 0 && e.code == ERR_OK)
        err_set(&e, ERR_INTERNAL, "internal");
    http_reply(res, 204, NULL, &e);
}
