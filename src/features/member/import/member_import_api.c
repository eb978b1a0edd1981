/* member_import_api.c: the import's routes (docs/api.md "Member import"):
 *   GET  /api/v1/members/import/template.xlsx|.csv   the template
 *   POST /api/v1/members/imports?filename=NAME       the file as the raw body (up to 50 MiB):
 *                                                     stored + dry run -> counts, problems
 *   GET  /api/v1/members/imports, /imports/{id}       list, one
 *   POST /api/v1/members/imports/{id}/run             queue the real run -> job id
 *   POST /api/v1/members/imports/{id}/undo            undo while nothing changed since
 *   POST /api/v1/members/imports/{id}/cancel
 *   GET  /api/v1/members/imports/{id}/errors.xlsx|.csv
 * Scope: an import carries the org paths where its uploader holds member.write; a caller sees
 * and acts on an import only when it holds member.write over every one of them (else 404). */
#include <stdio.h>
#include <string.h>

#include "auth/audit.h"
#include "auth/auth.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/jsonw.h"
#include "core/utf8.h"
#include "db/db.h"
#include "features/member/import/member_import.h"
#include "http/http.h"
#include "jobs/jobs.h"

/* The paths where the caller may write members, as a JSON array. */
static const char *scope_of(struct http_req *req)
{
    json_t *arr = json_array();
    for (int i = 0; req->auth != NULL && i < req->auth->ngrants; i++) {
        const char *p = req->auth->grants[i].org_path;
        bool dup = false;
        for (size_t k = 0; k < json_array_size(arr); k++)
            dup = dup || strcmp(json_string_value(json_array_get(arr, k)), p) == 0;
        if (!dup && auth_in_scope(req, "member.write", p))
            json_array_append_new(arr, json_string(p));
    }
    char *s = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    const char *out = arena_strdup(req->arena, s);
    free(s);
    return out;
}

static bool visible(struct http_req *req, const struct member_import *im)
{
    json_error_t je;
    json_t *arr = json_loads(im->scope != NULL ? im->scope : "[]", 0, &je);
    bool ok = json_is_array(arr) && json_array_size(arr) > 0;
    for (size_t i = 0; ok && i < json_array_size(arr); i++)
        ok = auth_in_scope(req, "member.write", json_string_value(json_array_get(arr, i)));
    json_decref(arr);
    return ok;
}

static int load_visible(struct http_req *req, struct member_import *im, struct err *e)
{
    int64_t id;
    if (http_param_id(req, "id", &id, e) != 0 || member_import_get(req->db, req->arena, id, im, e) != 0)
        return -1;
    if (!visible(req, im))
        return err_set(e, ERR_NOT_FOUND, "import.not_found");
    return 0;
}

static void write_import(struct buf *b, const struct member_import *im, const char *lang)
{
    buf_adds(b, "{");
    jsonw_key(b, "id");
    jsonw_i64(b, im->id);
    const struct {
        const char *k, *v;
    } S[] = {{"state", im->state}, {"filename", im->filename}, {"format", im->format},
             {"actor", im->actor}, {"actor_name", im->actor_name},
             {"error", im->error != NULL ? i18n_text(im->error, lang) : NULL}};
    for (size_t i = 0; i < sizeof S / sizeof S[0]; i++) {
        buf_adds(b, ",");
        jsonw_key(b, S[i].k);
        jsonw_str(b, S[i].v);
    }
    const struct {
        const char *k;
        int64_t v;
    } N[] = {{"size", im->size}, {"rows", im->rows_total}, {"new", im->n_new},
             {"update", im->n_update}, {"unchanged", im->n_unchanged}, {"bad", im->n_bad},
             {"errors", im->n_errors}};
    for (size_t i = 0; i < sizeof N / sizeof N[0]; i++) {
        buf_adds(b, ",");
        jsonw_key(b, N[i].k);
        jsonw_i64(b, N[i].v);
    }
    const struct {
        const char *k;
        int64_t v;
    } Z[] = {{"user_id", im->user_id}, {"job_id", im->job_id}, {"created_at", im->created_at},
             {"run_at", im->run_at}, {"finished_at", im->finished_at},
             {"undone_at", im->undone_at}};
    for (size_t i = 0; i < sizeof Z / sizeof Z[0]; i++) {
        buf_adds(b, ",");
        jsonw_key(b, Z[i].k);
        jsonw_i64_or_null(b, Z[i].v);
    }
    buf_addf(b, ",\"cancelled\":%s",   /* stopped by its user (POST .../cancel) */
             im->error != NULL && strcmp(im->error, "jobs.cancelled") == 0 ? "true" : "false");
    buf_addf(b, ",\"unknown_columns\":%s",
             im->unknown_columns != NULL ? im->unknown_columns : "[]");
    buf_addf(b, ",\"errors_url\":\"/api/v1/members/imports/%lld/errors.xlsx\"}",
             (long long)im->id);
}

struct problems {
    struct buf *b;
    const char *lang;
    int n;
};

static int add_problem(void *ctx, const struct member_import_problem *p)
{
    struct problems *pr = ctx;
    struct buf *b = pr->b;
    buf_adds(b, pr->n++ > 0 ? ",{" : "{");
    jsonw_key(b, "row");
    jsonw_i64(b, p->row);
    buf_adds(b, ",");
    jsonw_key(b, "column");
    jsonw_str(b, p->column);
    buf_adds(b, ",");
    jsonw_key(b, "rule");
    jsonw_str(b, p->rule);
    buf_adds(b, ",");
    jsonw_key(b, "message");
    jsonw_str(b, i18n_text(p->msg, pr->lang));
    buf_adds(b, ",");
    jsonw_key(b, "value");
    jsonw_str(b, p->value);
    buf_adds(b, "}");
    return 0;
}

/* The import with its first problems: {"import":{...},"problems":[...]}. */
static void reply_import(struct http_req *req, struct http_res *res, int status, int64_t id)
{
    struct err e = ERR_INIT;
    struct member_import im;
    struct buf b = BUF_INIT(4 << 20);
    if (member_import_get(req->db, req->arena, id, &im, &e) != 0) {
        http_reply_error(res, &e);
        return;
    }
    write_import(&b, &im, req->lang);
    b.len--;                                     /* reopen the object */
    buf_adds(&b, ",\"problems\":[");
    struct problems pr = {&b, req->lang, 0};
    if (member_import_errors_each(req->db, id, MEMBER_IMPORT_PROBLEMS, add_problem, &pr, &e) != 0) {
        buf_fini(&b);
        http_reply_error(res, &e);
        return;
    }
    buf_adds(&b, "]}");
    http_reply_json_buf(res, status, &b);
}

/* Replies with the file in b under the download name. */
static void reply_file(struct http_res *res, enum sheet_format f, const char *name, struct buf *b)
{
    http_set_header(res, "Content-Disposition", name);
    http_reply_text_buf(res, 200,
                        f == SHEET_XLSX
                            ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            : "text/csv; charset=utf-8",
                        b);
}

/* GET /api/v1/members/import/template.xlsx|.csv */
static void template_get(struct http_req *req, struct http_res *res, enum sheet_format f)
{
    struct err e = ERR_INIT;
    struct buf b = BUF_INIT(8 << 20);
    if (member_import_template(req->db, req->arena, f, req->lang, &b, &e) != 0) {
        buf_fini(&b);
        http_reply_error(res, &e);
        return;
    }
    reply_file(res, f,
               f == SHEET_XLSX ? "attachment; filename=\"member-import-template.xlsx\""
                               : "attachment; filename=\"member-import-template.csv\"",
               &b);
}

static void template_xlsx(struct http_req *req, struct http_res *res)
{
    template_get(req, res, SHEET_XLSX);
}

static void template_csv(struct http_req *req, struct http_res *res)
{
    template_get(req, res, SHEET_CSV);
}

/* POST /api/v1/members/imports?filename=NAME, body: the file. */
static void imports_create(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    const char *name = http_query(req, "filename");
    if (req->body_len == 0) {
        err_set(&e, ERR_INVALID, "import.empty");
        http_reply_error(res, &e);
        return;
    }
    if (name == NULL || name[0] == '\0' || strlen(name) > 200 || !utf8_valid(name, strlen(name)))
        name = "upload";
    struct member_import im = {
        .filename = name, .size = (int64_t)req->body_len,
        .format = req->body_len >= 2 && memcmp(req->body, "PK", 2) == 0 ? "xlsx" : "csv",
        .scope = scope_of(req), .user_id = req->auth != NULL ? req->auth->user_id : 0,
    };
    struct audit_who who = audit_who_req(req);
    im.actor = who.actor;
    im.actor_name = who.actor_name;
    struct member_import_counts c;
    const char *unknown;
    int64_t id = 0;
    if (db_begin(req->db, &e) != 0)
        goto fail;
    if (member_import_expire_old(req->db, &e) != 0 ||
        member_import_create(req->db, &im, &id, &e) != 0 ||
        member_import_file_put(req->db, id, req->body, req->body_len, &e) != 0)
        goto fail;
    struct member_import_pass p = {.import_id = id, .scope_json = im.scope};
    if (member_import_pass(req->db, req->arena, req->body, req->body_len, &p, &c, &unknown, &e) != 0 ||
        member_import_set_counts(req->db, id, &c, unknown, &e) != 0 || db_commit(req->db, &e) != 0)
        goto fail;
    reply_import(req, res, 201, id);
    return;
fail:
    db_rollback(req->db);
    http_reply_error(res, &e);
}

/* GET /api/v1/members/imports: newest first, those the caller may see. */
static void imports_list(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct http_page pg;
    struct member_import *all;
    int64_t n, total;
    if (http_page_parse(req, &pg, &e) != 0 ||
        member_import_list(req->db, req->arena, 10000, 0, &all, &n, &total, &e) != 0) {
        http_reply_error(res, &e);
        return;
    }
    struct buf b = BUF_INIT(8 << 20);
    int64_t seen = 0, shown = 0;
    buf_adds(&b, "{\"data\":[");
    for (int64_t i = 0; i < n; i++) {
        if (!visible(req, &all[i]))
            continue;
        if (seen++ < pg.offset || shown >= pg.per_page)
            continue;
        if (shown++ > 0)
            buf_adds(&b, ",");
        write_import(&b, &all[i], req->lang);
    }
    buf_addf(&b, "],\"meta\":{\"page\":%lld,\"per_page\":%lld,\"total\":%lld}}",
             (long long)pg.page, (long long)pg.per_page, (long long)seen);
    http_reply_json_buf(res, 200, &b);
}

/* GET /api/v1/members/imports/{id} */
static void imports_get(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_import im;
    if (load_visible(req, &im, &e) != 0)
        http_reply_error(res, &e);
    else
        reply_import(req, res, 200, im.id);
}

/* POST /api/v1/members/imports/{id}/run -> 202 {"job_id","import_id","job_url"} */
static void imports_run(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_import im;
    int64_t job = 0;
    if (load_visible(req, &im, &e) != 0)
        goto fail;
    if (strcmp(im.state, "checked") != 0) {
        err_set(&e, ERR_CONFLICT,
                strcmp(im.state, "expired") == 0 ? "import.expired" : "import.already_run");
        goto fail;
    }
    char params[64];
    snprintf(params, sizeof params, "{\"import_id\":%lld}", (long long)im.id);
    if (db_begin(req->db, &e) != 0)
        goto fail;
    if (jobs_store_create(req->db, MEMBER_IMPORT_JOB, params, im.rows_total, 0, &job, &e) != 0 ||
        member_import_set_state(req->db, im.id, "queued", job, NULL, &e) != 0 ||
        db_commit(req->db, &e) != 0) {
        db_rollback(req->db);
        goto fail;
    }
    json_t *body = json_pack("{s:I, s:I, s:s}", "job_id", (json_int_t)job, "import_id",
                             (json_int_t)im.id, "job_url",
                             arena_printf(req->arena, "/api/v1/jobs/%lld", (long long)job));
    http_reply(res, 202, body, NULL);
    json_decref(body);
    return;
fail:
    http_reply_error(res, &e);
}

/* POST /api/v1/members/imports/{id}/cancel: a queued run goes back to "checked" (it can be run
 * later); a running one stops at the end of its current batch, which is rolled back, and ends
 * "failed" with "jobs.cancelled": the batches written so far stay, and undo takes them back. */
static void imports_cancel(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_import im;
    enum jobs_cancel how;
    if (load_visible(req, &im, &e) != 0)
        goto fail;
    if ((strcmp(im.state, "queued") != 0 && strcmp(im.state, "running") != 0) || im.job_id <= 0) {
        err_set(&e, ERR_CONFLICT, "import.not_running");
        goto fail;
    }
    if (db_begin(req->db, &e) != 0)
        goto fail;
    if (jobs_store_cancel(req->db, im.job_id, &how, &e) != 0 ||
        (how == JOBS_CANCELLED &&
         member_import_set_state(req->db, im.id, "checked", 0, NULL, &e) != 0) ||
        db_commit(req->db, &e) != 0) {
        db_rollback(req->db);
        if (strcmp(e.message, "jobs.finished") == 0)
            err_set(&e, ERR_CONFLICT, "import.not_running");
        goto fail;
    }
    reply_import(req, res, how == JOBS_CANCELLED ? 200 : 202, im.id);
    return;
fail:
    http_reply_error(res, &e);
}

/* POST /api/v1/members/imports/{id}/undo */
static void imports_undo(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_import im;
    int64_t changed = 0, linked = 0;
    if (load_visible(req, &im, &e) != 0 ||
        member_import_undo(req->db, req->arena, im.id, &changed, &linked, &e) != 0) {
        if (changed > 0)
            err_field(&e, "changed_rows", arena_printf(req->arena, "%lld", (long long)changed));
        if (linked > 0)
            err_field(&e, "linked_rows", arena_printf(req->arena, "%lld", (long long)linked));
        http_reply_error(res, &e);
        return;
    }
    reply_import(req, res, 200, im.id);
}

static void errors_get(struct http_req *req, struct http_res *res, enum sheet_format f)
{
    struct err e = ERR_INIT;
    struct member_import im;
    struct buf b = BUF_INIT(64 << 20);
    if (load_visible(req, &im, &e) != 0 ||
        member_import_error_file(req->db, req->arena, im.id, f, req->lang, NULL, &b, &e) != 0) {
        buf_fini(&b);
        http_reply_error(res, &e);
        return;
    }
    reply_file(res, f,
               arena_printf(req->arena, "attachment; filename=\"import-%lld-errors.%s\"",
                            (long long)im.id, f == SHEET_XLSX ? "xlsx" : "csv"),
               &b);
}

static void errors_xlsx(struct http_req *req, struct http_res *res)
{
    errors_get(req, res, SHEET_XLSX);
}

static void errors_csv(struct http_req *req, struct http_res *res)
{
    errors_get(req, res, SHEET_CSV);
}

static const struct route import_routes[] = {
    {"GET", "/api/v1/members/import/template.xlsx", template_xlsx, "member.write"},
    {"GET", "/api/v1/members/import/template.csv", template_csv, "member.write"},
    {"POST", "/api/v1/members/imports", imports_create, "member.write"},
    {"GET", "/api/v1/members/imports", imports_list, "member.write"},
    {"GET", "/api/v1/members/imports/{id}", imports_get, "member.write"},
    {"POST", "/api/v1/members/imports/{id}/run", imports_run, "member.write"},
    {"POST", "/api/v1/members/imports/{id}/cancel", imports_cancel, "member.write"},
    {"POST", "/api/v1/members/imports/{id}/undo", imports_undo, "member.write"},
    {"GET", "/api/v1/members/imports/{id}/errors.xlsx", errors_xlsx, "member.write"},
    {"GET", "/api/v1/members/imports/{id}/errors.csv", errors_csv, "member.write"},
};

/* Before member_register(): GET /members/imports must not be taken for /members/{id}. */
void member_import_register(void)
{
    http_routes_register(import_routes, sizeof import_routes / sizeof import_routes[0]);
    http_raw_body_register("POST", "/api/v1/members/imports", MEMBER_IMPORT_MAX_BYTES);
    jobs_register_kind(MEMBER_IMPORT_JOB, member_import_job);
    member_import_msgs_register();
    sheet_register_messages();
}
