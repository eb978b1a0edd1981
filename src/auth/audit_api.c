/* audit_api.c: the auditor's endpoints (issue 4 §7): list and export the audit log, start a
 * verification and read the newest verdict. parse -> check -> do -> reply; no SQL here.
 * Every export is itself audited ("audit.export", with its filters and row count), and so is
 * every verification request ("audit.verify"): the auditor is watched like everyone else. */
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "auth/audit.h"
#include "auth/audit_query.h"
#include "auth/audit_verify.h"
#include "auth/auth.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/err.h"
#include "core/i18n.h"
#include "db/db.h"
#include "http/http.h"
#include "jobs/jobs.h"

#define EXPORT_LIMIT ((size_t)256 << 20)

/* Filters from the query string, limited to the caller's subtree for perm. */
static int parse_filter(struct http_req *req, const char *perm, struct audit_filter *f,
                        struct err *e)
{
    if (audit_query_filter(f, http_query(req, "action"), http_query(req, "actor"),
                           http_query(req, "object"), http_query(req, "q"),
                           http_query(req, "from"), http_query(req, "to"), e) != 0)
        return -1;
    int64_t org_id = 0;
    const char *path = "";
    /* No principal only when the server does not resolve callers (never on a permission route
     * once auth is wired); the route's permission check is the server's. */
    if (req->auth != NULL && auth_scope_root(req, perm, &org_id, &path) != 0)
        return err_set(e, ERR_FORBIDDEN, "audit.out_of_scope");
    f->scope_path = path;
    return 0;
}

/* GET /api/v1/audit?action=&actor=&object=&from=&to=&q=&page=&per_page= */
static void audit_list(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct audit_filter f;
    struct http_page pg;
    struct audit_row *rows;
    int64_t n, total;
    json_t *out = NULL;
    if (parse_filter(req, "audit.read", &f, &e) == 0 && http_page_parse(req, &pg, &e) == 0 &&
        audit_query_list(req->db, req->arena, &f, pg.per_page, pg.offset, &rows, &n, &total,
                         &e) == 0) {
        json_t *data = json_array();
        for (int64_t i = 0; i < n; i++)
            json_array_append_new(data, audit_row_json(&rows[i]));
        out = http_list_json(data, &pg, total);
    }
    http_reply(res, 200, out, &e);
    json_decref(out);
}

static const char *const HEAD_ZH[] = {"序号", "时间", "操作人", "操作人姓名", "操作", "对象",
                                      "组织ID", "IP地址", "变更内容", "哈希"};
static const char *const HEAD_EN[] = {"Seq", "Time", "Actor", "Actor name", "Action", "Object",
                                      "Org ID", "IP address", "Changes", "Hash"};

static int csv_row(void *ctx, const struct audit_row *r, struct err *e)
{
    struct buf *b = ctx;
    char when[20];
    audit_time_text(r->at, when);
    csv_cell_i64(b, r->seq, true);
    csv_cell(b, when, false);
    csv_cell(b, r->actor, false);
    csv_cell(b, r->actor_name, false);
    csv_cell(b, r->action, false);
    csv_cell(b, r->object, false);
    if (r->org_id > 0)
        csv_cell_i64(b, r->org_id, false);
    else
        csv_cell(b, NULL, false);
    csv_cell(b, r->ip, false);
    csv_cell(b, r->changes, false);
    csv_cell(b, r->hash, false);
    csv_end_row(b);
    return buf_failed(b) ? err_set(e, ERR_INVALID, "audit.export_too_many") : 0;
}

/* The filters as the export's audit entry records them (only those given). */
static json_t *filter_json(struct http_req *req, int64_t rows)
{
    static const char *const names[] = {"action", "actor", "object", "q", "from", "to"};
    json_t *filters = json_object();
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = http_query(req, names[i]);
        if (v != NULL && v[0] != '\0')
            json_object_set_new(filters, names[i], json_string(v));
    }
    return json_pack("{s:o, s:I}", "filters", filters, "rows", (json_int_t)rows);
}

static int write_csv(struct http_req *req, const struct audit_filter *f, struct buf *b,
                     struct err *e)
{
    int64_t total;
    if (audit_query_count(req->db, req->arena, f, &total, e) != 0)
        return -1;
    if (total > AUDIT_EXPORT_MAX_ROWS)
        return err_set(e, ERR_INVALID, "audit.export_too_many");
    bool en = strncmp(req->lang, "en", 2) == 0;
    csv_bom(b);
    for (size_t i = 0; i < sizeof HEAD_ZH / sizeof HEAD_ZH[0]; i++)
        csv_cell(b, (en ? HEAD_EN : HEAD_ZH)[i], i == 0);
    csv_end_row(b);
    if (audit_query_each(req->db, req->arena, f, csv_row, b, e) != 0)
        return -1;
    json_t *detail = filter_json(req, total);
    struct audit_who who = audit_who_req(req);
    int rc = audit_append(req->db, &who, "audit.export", NULL, 0, detail, e);
    json_decref(detail);
    return rc;
}

/* GET /api/v1/audit/export.csv?(same filters): UTF-8 with BOM, formula-safe cells. */
static void audit_export(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct audit_filter f;
    struct buf out = BUF_INIT(EXPORT_LIMIT);
    if (parse_filter(req, "audit.export", &f, &e) != 0 || write_csv(req, &f, &out, &e) != 0) {
        buf_fini(&out);
        http_reply_error(res, &e);
        return;
    }
    char day[11];
    date_format(date_today_shanghai(time(NULL)), day);
    http_set_header(res, "Content-Disposition",
                    arena_printf(req->arena, "attachment; filename=\"audit-%s.csv\"", day));
    http_reply_text_buf(res, 200, "text/csv; charset=utf-8", &out);
    buf_fini(&out);
}

/* POST /api/v1/audit/verify: queues a verification (or returns the one already under way). */
static void audit_verify_start(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct job running;
    int64_t id = 0;
    json_t *out = NULL;
    int found = jobs_store_latest(req->db, req->arena, AUDIT_VERIFY_JOB, 0, &running, &e);
    if (found == 1) {
        id = running.id;
    } else if (found == 0) {
        struct audit_who who = audit_who_req(req);
        if (db_begin(req->db, &e) == 0) {
            if (jobs_store_create(req->db, AUDIT_VERIFY_JOB, NULL, 0, 0, &id, &e) != 0 ||
                audit_append(req->db, &who, "audit.verify", NULL, 0, NULL, &e) != 0 ||
                db_commit(req->db, &e) != 0)
                db_rollback(req->db);
        }
    }
    if (e.code == ERR_OK)
        out = json_pack("{s:I}", "job_id", (json_int_t)id);
    http_reply(res, 202, out, &e);
    json_decref(out);
}

/* The newest verdict: a finished verification job's result, with the reason in the caller's
 * language; a job that failed reports ok false, problem "not_verified" and why. */
static json_t *verdict_json(struct http_req *req, const struct job *j)
{
    json_t *v = j->result != NULL ? json_loads(j->result, 0, NULL) : NULL;
    if (v != NULL) {
        struct audit_verify_result r;
        char msg[256];
        audit_verify_result_from_json(v, &r);
        audit_verify_message(&r, req->lang, msg, sizeof msg);
        json_object_set_new(v, "message", json_string(msg));
    } else {
        const char *why = i18n_text(j->error != NULL ? j->error : "internal", req->lang);
        v = json_pack("{s:b, s:n, s:s, s:s, s:s}", "ok", 0, "first_bad_seq", "problem",
                      "not_verified", "reason", why, "message", why);
    }
    json_object_set_new(v, "job_id", json_integer(j->id));
    json_object_set_new(v, "state", json_string(j->state));
    json_object_set_new(v, "checked_at", json_integer(j->finished_at));
    return v;
}

/* GET /api/v1/audit/verification -> {"data": verdict or null, "running": {job} or null} */
static void audit_verification(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct job done, running;
    json_t *out = NULL;
    int have_done = jobs_store_latest(req->db, req->arena, AUDIT_VERIFY_JOB, 1, &done, &e);
    int have_running = have_done < 0 ? -1 :
        jobs_store_latest(req->db, req->arena, AUDIT_VERIFY_JOB, 0, &running, &e);
    if (have_done >= 0 && have_running >= 0) {
        out = json_pack("{s:o, s:o}", "data",
                        have_done ? verdict_json(req, &done) : json_null(), "running",
                        have_running ? json_pack("{s:I, s:s, s:I, s:I}", "job_id",
                                                 (json_int_t)running.id, "state", running.state,
                                                 "done", (json_int_t)running.done, "total",
                                                 (json_int_t)running.total)
                                     : json_null());
    }
    http_reply(res, 200, out, &e);
    json_decref(out);
}

static const struct route audit_routes[] = {
    {"GET", "/api/v1/audit", audit_list, "audit.read"},
    {"GET", "/api/v1/audit/export.csv", audit_export, "audit.export"},
    {"POST", "/api/v1/audit/verify", audit_verify_start, "audit.read"},
    {"GET", "/api/v1/audit/verification", audit_verification, "audit.read"},
};

static const struct i18n_msg audit_msgs[] = {
    {"audit.to_before_from", "结束日期不能早于开始日期", "The end date cannot be before the start date"},
    {"audit.export_too_many", "导出的记录过多（上限 200000 条），请缩小日期范围",
     "Too many entries to export (at most 200,000): narrow the dates"},
    {"audit.verify_busy", "审计日志写入过于频繁，校验未能结束，请稍后重试",
     "The audit log grew faster than it could be verified; try again later"},
    {"audit.no_log", "数据库中没有审计日志（请先执行 dangjian migrate）",
     "The database has no audit log (run dangjian migrate first)"},
    {"audit.out_of_scope", "无权查看审计日志", "Not allowed to read the audit log"},
    {"audit.no_head", "审计日志头缺失", "The audit log head is missing"},
    {"audit.bad_head", "审计日志头损坏", "The audit log head is damaged"},
    {"keys.cannot_open", "无法打开密钥文件", "Cannot open the key file"},
    {"keys.malformed", "密钥文件格式错误", "The key file is malformed"},
    {"keys.too_open", "密钥文件权限过宽（应为 0600）", "The key file is readable by others (use mode 0600)"},
};

void audit_register(void)
{
    http_routes_register(audit_routes, sizeof audit_routes / sizeof audit_routes[0]);
    i18n_register(audit_msgs, sizeof audit_msgs / sizeof audit_msgs[0]);
    jobs_register_kind(AUDIT_VERIFY_JOB, audit_verify_job);
}
