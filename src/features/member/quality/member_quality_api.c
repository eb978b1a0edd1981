/* member_quality_api.c: the data-quality report's routes (issue 5 §8): start a run (a job with
 * progress), the latest summary per org of a subtree, and a run's findings, paged. Scope:
 * member.read over the org asked for (default the caller's widest subtree); outside is 404. */
#include <string.h>

#include "auth/auth.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/jsonw.h"
#include "features/member/quality/member_quality.h"
#include "features/member/record/member_record.h"
#include "features/org/org.h"
#include "http/http.h"
#include "jobs/jobs.h"

/* POST /api/v1/member-quality/runs {"org_id"} */
static void quality_start(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    json_t *body, *v, *out = NULL;
    const char *key, *path = "";
    int64_t org_id = 0, root, run_id, job_id;
    struct org o;
    if (http_body_object(req, &body, &e) != 0)
        goto reply;
    json_object_foreach(body, key, v) {
        if (strcmp(key, "org_id") == 0 && json_is_integer(v) && json_integer_value(v) > 0)
            org_id = json_integer_value(v);
        else if (strcmp(key, "org_id") != 0 || !json_is_null(v))
            err_field(&e, key, strcmp(key, "org_id") == 0 ? "field.bad_integer" : "field.unknown");
    }
    if (e.code != ERR_OK)
        goto reply;
    if (org_id > 0) {
        if (org_api_load_scoped(req, "member.read", org_id, &o, &e) != 0)
            goto reply;
        path = o.path;
    } else if (auth_scope_root(req, "member.read", &root, &path) != 0) {
        err_set(&e, ERR_FORBIDDEN, "auth.forbidden");
        goto reply;
    } else {
        org_id = root;
    }
    if (member_quality_start(req->db, org_id, path, req->auth ? req->auth->user_id : 0, &run_id,
                             &job_id, &e) == 0)
        out = json_pack("{s:I, s:I}", "job_id", (json_int_t)job_id, "run_id", (json_int_t)run_id);
reply:
    http_reply(res, 202, out, &e);
    json_decref(out);
}

static void write_run(struct buf *b, const struct member_quality_run *r)
{
    buf_add_lit(b, "{\"id\":");
    jsonw_i64(b, r->id);
    buf_add_lit(b, ",\"job_id\":");
    jsonw_i64_or_null(b, r->job_id);
    buf_add_lit(b, ",\"org_id\":");
    jsonw_i64_or_null(b, r->org_id);
    buf_add_lit(b, ",\"state\":");
    jsonw_str(b, r->state);
    buf_add_lit(b, ",\"created_at\":");
    jsonw_i64(b, r->created_at);
    buf_add_lit(b, ",\"finished_at\":");
    jsonw_i64_or_null(b, r->finished_at);
    buf_addc(b, '}');
}

static void write_row(struct buf *b, const struct member_quality_row *q)
{
    const struct { const char *key; int64_t v; } nums[] = {
        {"members", q->members}, {"clean", q->clean},
        {"problem_members", q->members - q->clean}, {"missing_required", q->missing_required},
        {"dup_id_number", q->dup_id_number}, {"dup_name_birth", q->dup_name_birth},
        {"score", q->score},
    };
    buf_add_lit(b, "{\"org_id\":");
    jsonw_i64(b, q->org_id);
    buf_add_lit(b, ",\"parent_id\":");
    jsonw_i64_or_null(b, q->parent_id);
    buf_add_lit(b, ",\"org_name\":");
    jsonw_str(b, q->org_name);
    buf_add_lit(b, ",\"path\":");
    jsonw_str(b, q->path);
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        buf_addc(b, ',');
        jsonw_key(b, nums[i].key);
        jsonw_i64(b, nums[i].v);
    }
    buf_add_lit(b, ",\"rules\":");
    buf_add(b, q->rules, strlen(q->rules));          /* JSON written by the job */
    buf_addc(b, '}');
}

/* GET /api/v1/member-quality/latest?org_id= */
static void quality_latest(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_quality_run run;
    struct member_quality_row *rows;
    int64_t n;
    const char *path;
    int found = 0;
    if (member_record_scope(req, "member.read", &path, &e) != 0 ||
        (found = member_quality_latest(req->db, req->arena, path, &run, &e)) < 0)
        goto fail;
    if (found == 0) {
        err_set(&e, ERR_NOT_FOUND, "quality.no_run");
        goto fail;
    }
    if (member_quality_rows(req->db, req->arena, run.id, path, &rows, &n, &e) != 0)
        goto fail;
    struct buf b = BUF_INIT(64 << 20);
    buf_add_lit(&b, "{\"run\":");
    write_run(&b, &run);
    buf_add_lit(&b, ",\"data\":[");
    for (int64_t i = 0; i < n; i++) {
        if (i > 0)
            buf_addc(&b, ',');
        write_row(&b, &rows[i]);
    }
    buf_add_lit(&b, "]}");
    http_reply_json_buf(res, 200, &b);
    buf_fini(&b);
    return;
fail:
    http_reply_error(res, &e);
}

/* GET /api/v1/member-quality/runs/{id}/items?org_id=&rule=&page=&per_page= */
static void quality_items(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_quality_run run;
    struct member_quality_item *items;
    struct http_page pg;
    int64_t id, n, total;
    const char *path, *rule = http_query(req, "rule");
    if (rule != NULL && strlen(rule) > 16)
        err_field(&e, "rule", "field.too_long");
    if (e.code != ERR_OK || http_param_id(req, "id", &id, &e) != 0 ||
        http_page_parse(req, &pg, &e) != 0 ||
        member_record_scope(req, "member.read", &path, &e) != 0 ||
        member_quality_run_get(req->db, req->arena, id, &run, &e) != 0 ||
        member_quality_items(req->db, req->arena, id, path, rule != NULL ? rule : "", pg.per_page,
                             pg.offset, &items, &n, &total, &e) != 0) {
        http_reply_error(res, &e);
        return;
    }
    json_t *data = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(
            data, json_pack("{s:I, s:s, s:I, s:s, s:s, s:s}", "member_id",
                            (json_int_t)items[i].member_id, "member_name", items[i].member_name,
                            "org_id", (json_int_t)items[i].org_id, "org_name", items[i].org_name,
                            "rule", items[i].rule, "field", items[i].field));
    json_t *out = http_list_json(data, &pg, total);
    http_reply(res, 200, out, NULL);
    json_decref(out);
}

static const struct route quality_routes[] = {
    {"POST", "/api/v1/member-quality/runs", quality_start, "member.read"},
    {"GET", "/api/v1/member-quality/latest", quality_latest, "member.read"},
    {"GET", "/api/v1/member-quality/runs/{id}/items", quality_items, "member.read"},
};

static const struct i18n_msg quality_msgs[] = {
    {"quality.no_run", "尚无覆盖该组织的数据质量报告，请先生成", "No data-quality report covers this org yet: run one first"},
};

void member_quality_register(void)
{
    http_routes_register(quality_routes, sizeof quality_routes / sizeof quality_routes[0]);
    i18n_register(quality_msgs, sizeof quality_msgs / sizeof quality_msgs[0]);
    jobs_register_kind(MEMBER_QUALITY_JOB, member_quality_job);
}
