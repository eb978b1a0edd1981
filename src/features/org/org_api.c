/* org_api.c: HTTP handlers for /api/v1/orgs (parse -> check -> do -> reply). No SQL here.
 * Each reply carries the org as org_json() shapes it; the detail view adds the ancestors
 * (breadcrumb) and the rule findings (ORG-01..06) in the caller's language. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/audit.h"
#include "auth/auth.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/jsonw.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "features/org/org.h"
#include "features/org/org_store_internal.h"
#include "http/http.h"

/* 10,000 orgs take ~5 MB; the limit only guards against a runaway. */
#define SUBTREE_REPLY_LIMIT ((size_t)256 << 20)

static struct date today(void)
{
    return date_today_shanghai(time(NULL));
}

static json_t *org_detail_json(struct http_req *req, const struct org *o, struct err *e)
{
    struct org_rule_config cfg;
    struct org *anc;
    int nanc;
    if (org_store_rule_config(req->db, o, &cfg, e) != 0 ||
        org_store_ancestors(req->db, req->arena, o, &anc, &nanc, e) != 0)
        return NULL;
    json_t *j = org_json(o, &cfg);
    json_t *arr = json_array();
    for (int i = 0; i < nanc; i++)
        json_array_append_new(arr, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)anc[i].id,
                                             "name", anc[i].name, "type",
                                             org_type_name(anc[i].type)));
    json_object_set_new(j, "ancestors", arr);
    struct org_warning w[ORG_MAX_WARNINGS];
    int n = org_rules_findings(o, &cfg, today(), w);
    json_object_set_new(j, "warnings", org_json_findings(w, n, req->lang));
    return j;
}

/* Loads org id if the caller holds perm over it; an org outside every such subtree is "not
 * found", exactly like one that does not exist (ARCHITECTURE §5). */
int org_api_load_scoped(struct http_req *req, const char *perm, int64_t id, struct org *o,
                        struct err *e)
{
    if (org_store_get(req->db, req->arena, id, o, e) != 0)
        return -1;
    if (!auth_in_scope(req, perm, o->path))
        return err_set(e, ERR_NOT_FOUND, "org.not_found");
    return 0;
}

static json_t *load_detail(struct http_req *req, int64_t id, struct err *e)
{
    struct org o;
    if (org_api_load_scoped(req, "org.read", id, &o, e) != 0)
        return NULL;
    return org_detail_json(req, &o, e);
}

static json_t *rows_json(struct http_req *req, const struct org *rows, int64_t n, struct err *e)
{
    struct org_rule_config cfg;
    if (org_store_rule_config(req->db, NULL, &cfg, e) != 0)
        return NULL;
    json_t *arr = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(arr, org_json(&rows[i], &cfg));
    return arr;
}

static int parse_filter(struct http_req *req, struct org_filter *f, struct err *e)
{
    memset(f, 0, sizeof *f);
    f->q = http_query(req, "q");
    if (f->q != NULL && strlen(f->q) > 100)
        err_field(e, "q", "field.too_long");
    const char *type = http_query(req, "type");
    if (type != NULL && type[0] != '\0') {
        f->has_type = org_type_parse(type, &f->type) == 0;
        if (!f->has_type)
            err_field(e, "type", "org.bad_type");
    }
    const char *parent = http_query(req, "parent_id");
    if (parent != NULL && parent[0] != '\0') {
        f->by_parent = true;
        char *end;
        errno = 0;
        if (strcmp(parent, "root") == 0)
            f->parent_id = 0;
        else if ((f->parent_id = strtoll(parent, &end, 10)) <= 0 || *end != '\0' || errno != 0)
            err_field(e, "parent_id", "field.bad_integer");
    }
    f->sort = http_query(req, "sort");
    int64_t root = 0;
    if (auth_scope_root(req, "org.read", &root, &f->scope) != 0)
        return err_set(e, ERR_FORBIDDEN, "auth.forbidden");
    if (f->by_parent && f->parent_id == 0 && f->scope[0] != '\0') {
        f->by_parent = false;          /* "the top level" of a scoped caller: their own root */
        f->scope_top = true;
    }
    return e->code == ERR_OK ? 0 : -1;
}

/* GET /api/v1/orgs?q=&type=&parent_id=&sort=&page=&per_page= */
static void orgs_list(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct org_filter f;
    struct http_page pg;
    struct org *rows;
    int64_t n, total;
    json_t *out = NULL, *data;
    if (parse_filter(req, &f, &e) == 0 && http_page_parse(req, &pg, &e) == 0 &&
        org_store_list(req->db, req->arena, &f, pg.per_page, pg.offset, &rows, &n, &total, &e) == 0 &&
        (data = rows_json(req, rows, n, &e)) != NULL)
        out = http_list_json(data, &pg, total);
    http_reply(res, 200, out, &e);
    json_decref(out);
}

/* GET /api/v1/orgs/{id} */
static void orgs_get(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    int64_t id;
    json_t *out = NULL;
    if (http_param_id(req, "id", &id, &e) == 0)
        out = load_detail(req, id, &e);
    http_reply(res, 200, out, &e);
    json_decref(out);
}

static int parse_depth(struct http_req *req, int *depth, struct err *e)
{
    const char *s = http_query(req, "depth");
    *depth = -1;
    if (s == NULL || s[0] == '\0')
        return 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end != '\0' || v < 0 || v > 64)
        return err_field(e, "depth", "field.out_of_range");
    *depth = (int)v;
    return 0;
}

/* Writes {"data":[...]} (children) or {"data":[...],"meta":{...}} (subtree) as text: a root
 * subtree can hold 10,000+ orgs, where a jansson tree would cost a malloc per value. */
static int subtree_write(struct http_req *req, int64_t id, int depth, bool children,
                         struct buf *out, struct err *e)
{
    struct org *rows;
    int64_t n;
    struct org_rule_config cfg;
    const char *path;
    enum org_type type;
    int root_depth;
    /* the scope check needs the path alone, not the root's roll-up (two sums over the very
     * subtree read next: a quarter of a PostgreSQL root subtree's time) */
    if (org_store_path_of(req->db, req->arena, id, &path, &type, &root_depth, e) != 0)
        return -1;
    if (!auth_in_scope(req, "org.read", path))
        return err_set(e, ERR_NOT_FOUND, "org.not_found");
    if (org_store_subtree(req->db, req->arena, id, depth, &rows, &n, e) != 0 ||
        org_store_rule_config(req->db, NULL, &cfg, e) != 0)
        return -1;
    /* ~520 bytes an org: sized once, so a 10,000-org answer is not copied while it grows */
    if (n > 0 && (size_t)n < out->limit / 600)
        buf_reserve(out, (size_t)n * 600);
    buf_add_lit(out, "{\"data\":[");
    for (int64_t i = children ? 1 : 0; i < n; i++) {
        if (i > (children ? 1 : 0))
            buf_addc(out, ',');
        org_json_write(out, &rows[i], &cfg);
    }
    buf_addc(out, ']');
    if (!children) {
        buf_add_lit(out, ",\"meta\":{\"orgs\":");
        jsonw_i64(out, n);
        buf_add_lit(out, ",\"members\":{\"full\":");
        jsonw_i64(out, rows[0].sub_full);
        buf_add_lit(out, ",\"probationary\":");
        jsonw_i64(out, rows[0].sub_prob);
        buf_add_lit(out, ",\"total\":");
        jsonw_i64(out, rows[0].sub_full + rows[0].sub_prob);
        buf_add_lit(out, "}}");
    }
    buf_addc(out, '}');
    return 0;
}

static void subtree_reply(struct http_req *req, struct http_res *res, bool children)
{
    struct err e = ERR_INIT;
    struct buf out = BUF_INIT(SUBTREE_REPLY_LIMIT);
    int64_t id;
    int depth = 1;
    if (http_param_id(req, "id", &id, &e) == 0 && (children || parse_depth(req, &depth, &e) == 0) &&
        subtree_write(req, id, depth, children, &out, &e) == 0)
        http_reply_json_buf(res, 200, &out);
    else
        http_reply_error(res, &e);
    buf_fini(&out);
}

/* GET /api/v1/orgs/{id}/children: direct children in display order, with roll-ups. */
static void orgs_children(struct http_req *req, struct http_res *res)
{
    subtree_reply(req, res, true);
}

/* GET /api/v1/orgs/{id}/subtree?depth=N */
static void orgs_subtree(struct http_req *req, struct http_res *res)
{
    subtree_reply(req, res, false);
}

/* Parses the body and checks the rules, reporting every bad field at once. */
static int parse_and_check(struct http_req *req, bool creating, struct org_input *in,
                           struct err *e)
{
    int parsed = org_json_parse_input(req->json, creating, in, req->arena, e);
    if (parsed != 0 && e->nfields == 0)
        return -1;                              /* not an object at all */
    int checked = org_rules_check_input(in, creating, today(), e);
    return parsed == 0 && checked == 0 ? 0 : -1;
}

/* A new parent must be an org the caller may write; the top level (0) needs a whole-system
 * grant. */
static int parent_allowed(struct http_req *req, int64_t parent_id, struct err *e)
{
    struct org p;
    if (parent_id == 0)
        return auth_in_scope(req, "org.write", "") ? 0
                                                   : err_field(e, "parent_id", "org.top_level_forbidden");
    if (org_api_load_scoped(req, "org.write", parent_id, &p, e) != 0) {
        if (e->code != ERR_NOT_FOUND)
            return -1;
        err_clear(e);
        return err_field(e, "parent_id", "org.parent_not_found");
    }
    return 0;
}

/* POST /api/v1/orgs */
static void orgs_create(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct org_input in;
    int64_t id;
    json_t *out = NULL;
    struct audit_who who = audit_who_req(req);
    if (parse_and_check(req, true, &in, &e) == 0 && parent_allowed(req, in.parent_id, &e) == 0 &&
        org_store_create(req->db, &in, &id, &who, &e) == 0)
        out = load_detail(req, id, &e);
    http_reply(res, 201, out, &e);
    json_decref(out);
}

/* PATCH /api/v1/orgs/{id} */
static void orgs_update(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct org_input in;
    int64_t id;
    json_t *out = NULL;
    struct org cur;
    struct audit_who who = audit_who_req(req);
    if (http_param_id(req, "id", &id, &e) == 0 &&
        org_api_load_scoped(req, "org.write", id, &cur, &e) == 0 &&
        parse_and_check(req, false, &in, &e) == 0 &&
        org_store_update(req->db, id, &in, &who, &e) == 0)
        out = load_detail(req, id, &e);
    http_reply(res, 200, out, &e);
    json_decref(out);
}

static int parse_move(struct http_req *req, int64_t *parent_id, struct err *e)
{
    json_t *body, *p;
    if (http_body_object(req, &body, e) != 0)
        return -1;
    p = json_object_get(body, "parent_id");
    if (p == NULL)
        return err_field(e, "parent_id", "field.required");
    if (json_object_size(body) != 1)
        return err_field(e, "parent_id", "org.move_only_parent");
    if (json_is_null(p)) {           /* to the top level (allowed for a 党委 only) */
        *parent_id = 0;
        return 0;
    }
    if (!json_is_integer(p) || json_integer_value(p) <= 0)
        return err_field(e, "parent_id", "field.bad_integer");
    *parent_id = json_integer_value(p);
    return 0;
}

/* POST /api/v1/orgs/{id}/move {"parent_id":N|null} */
static void orgs_move(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    int64_t id, parent_id = 0;
    json_t *out = NULL;
    struct org cur;
    struct audit_who who = audit_who_req(req);
    if (http_param_id(req, "id", &id, &e) == 0 &&
        org_api_load_scoped(req, "org.write", id, &cur, &e) == 0 &&
        parse_move(req, &parent_id, &e) == 0 && parent_allowed(req, parent_id, &e) == 0 &&
        org_store_move(req->db, id, parent_id, &who, &e) == 0)
        out = load_detail(req, id, &e);
    http_reply(res, 200, out, &e);
    json_decref(out);
}

/* DELETE /api/v1/orgs/{id}: dissolve an empty org (409 if it has children or members). */
static void orgs_dissolve(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    int64_t id;
    struct org cur;
    struct audit_who who = audit_who_req(req);
    if (http_param_id(req, "id", &id, &e) == 0 &&
        org_api_load_scoped(req, "org.write", id, &cur, &e) == 0 &&
        org_store_dissolve(req->db, id, &who, &e) != 0)
        log_info("org", "req=%s dissolve %lld refused: %s", req->id, (long long)id, e.message);
    http_reply(res, 204, NULL, &e);
}

static const struct route org_routes[] = {
    {"GET", "/api/v1/orgs", orgs_list, "org.read"},
    {"POST", "/api/v1/orgs", orgs_create, "org.write"},
    {"GET", "/api/v1/orgs/{id}", orgs_get, "org.read"},
    {"PATCH", "/api/v1/orgs/{id}", orgs_update, "org.write"},
    {"DELETE", "/api/v1/orgs/{id}", orgs_dissolve, "org.write"},
    {"GET", "/api/v1/orgs/{id}/children", orgs_children, "org.read"},
    {"GET", "/api/v1/orgs/{id}/subtree", orgs_subtree, "org.read"},
    {"POST", "/api/v1/orgs/{id}/move", orgs_move, "org.write"},
    {"GET", "/api/v1/orgs/{id}/export.csv", org_export_csv, "org.export"},
};

static const struct i18n_msg org_msgs[] = {
    {"org.not_found", "组织不存在", "No such organization"},
    {"org.code_taken", "该组织编码已被使用", "This organization code is already in use"},
    {"org.bad_code", "编码只能包含字母、数字、-、_、.，长度1–32", "Code: 1–32 letters, digits, '-', '_' or '.'"},
    {"org.bad_name", "名称应为2–100个字符，且不含控制字符", "Name: 2–100 characters, no control characters"},
    {"org.bad_type", "组织类型应为党委、党总支、党支部或党小组", "Type must be committee, general_branch, branch or group"},
    {"org.date_in_future", "日期不能晚于今天", "The date cannot be in the future"},
    {"org.term_years_range", "每届任期为3至5年（ORG-05）", "A term lasts 3 to 5 years (ORG-05)"},
    {"org.committee_size_range", "支部委员会由3至7人组成（ORG-03）", "A branch committee has 3 to 7 members (ORG-03)"},
    {"org.top_level_forbidden", "只有全系统范围的管理员才能创建或移动最上级组织", "Only a system-wide administrator can create or move a top-level organization"},
    {"org.parent_not_found", "上级组织不存在", "The parent organization does not exist"},
    {"org.type_not_allowed_under_parent", "该类型的组织不能设在所选上级组织之下（党总支设在党委下，党支部设在党委或党总支下，党小组设在党支部下）", "This type cannot sit under the chosen parent (general branch under a committee, branch under a committee or general branch, group under a branch)"},
    {"org.top_level_must_be_committee", "最上级组织必须是党委", "A top-level organization must be a committee"},
    {"org.move_into_own_subtree", "不能移动到自身或其下级组织之下", "Cannot move an organization under itself or its descendants"},
    {"org.move_only_parent", "移动时只需提供 parent_id", "A move takes only parent_id"},
    {"org.not_empty", "该组织下仍有下级组织或党员，不能撤销", "This organization still has sub-organizations or members and cannot be dissolved"},
    {"org.rule.org01_below_3", "正式党员不足3人，应与其他单位成立联合党支部（ORG-01）", "Fewer than 3 full members: form a joint branch (ORG-01)"},
    {"org.rule.org02_over_50", "党支部党员人数一般不超过50人（ORG-02）", "A branch should not exceed 50 members (ORG-02)"},
    {"org.rule.org03_needs_committee", "正式党员7人以上的党支部应当设立支部委员会（ORG-03）", "A branch with 7 or more full members must have a committee (ORG-03)"},
    {"org.rule.org03_committee_below_7", "正式党员不足7人的党支部一般不设委员会，设书记1名（ORG-03）", "A branch with fewer than 7 full members normally has a secretary, not a committee (ORG-03)"},
    {"org.rule.org03_size_6_7", "支部委员会一般由3至5人组成，当前超过5人（ORG-03）", "A branch committee normally has 3 to 5 members; this one has more (ORG-03)"},
    {"org.rule.org04_suggest_committee", "党员100人以上，可考虑成立基层党委（ORG-04）", "100 or more members: consider a base committee (ORG-04)"},
    {"org.rule.org04_suggest_general_branch", "党员50人以上，可考虑成立党总支（ORG-04）", "50 or more members: consider a general branch (ORG-04)"},
    {"org.rule.org04_general_branch_small", "党员不足50人的党总支需经批准（ORG-04）", "A general branch below 50 members needs approval (ORG-04)"},
    {"org.rule.org04_committee_small", "党员不足100人的党委需经批准（ORG-04）", "A committee below 100 members needs approval (ORG-04)"},
    {"org.rule.org05_no_term", "尚未登记本届任期起始日期（ORG-05）", "The start of the current term is not recorded (ORG-05)"},
    {"org.rule.org06_due_soon", "本届任期即将届满，请准备换届（ORG-06）", "The term ends soon: prepare the re-election (ORG-06)"},
    {"org.rule.org06_overdue", "任期已届满，应按期换届（ORG-06）", "The term has ended: hold the re-election (ORG-06)"},
    {"org.rule.org06_overdue_1y", "任期届满已超过1年，延期须经上级批准（ORG-06）", "The term ended over a year ago; postponement needs upper approval (ORG-06)"},
};

void org_register(void)
{
    http_routes_register(org_routes, sizeof org_routes / sizeof org_routes[0]);
    i18n_register(org_msgs, sizeof org_msgs / sizeof org_msgs[0]);
}
