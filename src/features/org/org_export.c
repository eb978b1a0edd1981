/* org_export.c: GET /api/v1/orgs/{id}/export.csv, an org's subtree as a spreadsheet: one row
 * per org in tree order, names indented by level, member counts rolled up, terms and their end.
 * Headers and type names follow the request's language. The rows come from the same
 * org_store_subtree() as the API, so the file always matches what the page shows. */
#include <string.h>
#include <time.h>

#include "auth/audit.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/err.h"
#include "features/org/org.h"
#include "http/http.h"

#define EXPORT_LIMIT ((size_t)256 << 20)

static const char *const head_zh[] = {"层级", "组织名称", "组织编码", "组织类别", "上级组织编码",
    "正式党员", "预备党员", "党员合计", "直属正式党员", "直属预备党员", "下级组织数", "设委员会",
    "委员人数", "成立日期", "本届任期开始", "任期（年）", "任期届满"};
static const char *const head_en[] = {"Level", "Name", "Code", "Type", "Parent code",
    "Full members", "Probationary", "Total members", "Direct full", "Direct probationary",
    "Sub-organizations", "Committee", "Committee size", "Founded", "Term start", "Term (years)",
    "Term end"};
static const char *const type_zh[ORG_TYPE_COUNT] = {"党委", "党总支", "党支部", "党小组"};
static const char *const type_en[ORG_TYPE_COUNT] = {"Committee", "General branch", "Branch",
                                                    "Group"};

static void header(struct buf *b, bool en)
{
    const char *const *h = en ? head_en : head_zh;
    for (size_t i = 0; i < sizeof head_zh / sizeof head_zh[0]; i++)
        csv_cell(b, h[i], i == 0);
    csv_end_row(b);
}

/* Name indented with one ideographic space per level below the exported root. */
static const char *indented(struct arena *a, const char *name, int level)
{
    size_t n = strlen(name);
    char *s = arena_alloc(a, (size_t)level * 3 + n + 1), *w = s;
    for (int i = 0; i < level; i++, w += 3)
        memcpy(w, "\xE3\x80\x80", 3);
    memcpy(w, name, n + 1);
    return s;
}

static void row(struct buf *b, struct arena *a, const struct org *o, const struct org *parent,
                int root_depth, const struct org_rule_config *cfg, bool en)
{
    int level = o->depth - root_depth;
    struct date end;
    char day[11] = "";
    if (org_rules_term_end(o, cfg, &end))
        date_format(end, day);
    csv_cell_i64(b, level + 1, true);
    csv_cell(b, indented(a, o->name, level), false);
    csv_cell(b, o->code, false);
    csv_cell(b, (en ? type_en : type_zh)[o->type], false);
    csv_cell(b, parent != NULL ? parent->code : NULL, false);
    csv_cell_i64(b, o->sub_full, false);
    csv_cell_i64(b, o->sub_prob, false);
    csv_cell_i64(b, o->sub_full + o->sub_prob, false);
    csv_cell_i64(b, o->n_full, false);
    csv_cell_i64(b, o->n_prob, false);
    csv_cell_i64(b, o->child_count, false);
    csv_cell(b, o->has_committee ? (en ? "yes" : "是") : (en ? "no" : "否"), false);
    if (o->committee_size != 0)
        csv_cell_i64(b, o->committee_size, false);
    else
        csv_cell(b, NULL, false);
    csv_cell(b, o->founded_on, false);
    csv_cell(b, o->term_start, false);
    int years = org_rules_term_years(o, cfg);
    if (years != 0)
        csv_cell_i64(b, years, false);
    else
        csv_cell(b, NULL, false);
    csv_cell(b, day, false);
    csv_end_row(b);
}

static int write_csv(struct http_req *req, int64_t id, struct buf *b, const char **code,
                     struct err *e)
{
    struct org *rows;
    int64_t n;
    struct org_rule_config cfg;
    if (org_store_subtree(req->db, req->arena, id, -1, &rows, &n, e) != 0 ||
        org_store_rule_config(req->db, NULL, &cfg, e) != 0)
        return -1;
    bool en = strncmp(req->lang, "en", 2) == 0;
    /* Rows are in pre-order, so an org's parent is the nearest ancestor still on the stack. */
    int64_t *stack = arena_alloc(req->arena, sizeof *stack * (size_t)n);
    int64_t top = 0;
    csv_bom(b);
    header(b, en);
    for (int64_t i = 0; i < n; i++) {
        while (top > 0 && strncmp(rows[i].path, rows[stack[top - 1]].path,
                                  strlen(rows[stack[top - 1]].path)) != 0)
            top--;
        row(b, req->arena, &rows[i], top > 0 ? &rows[stack[top - 1]] : NULL, rows[0].depth,
            &cfg, en);
        stack[top++] = i;
    }
    *code = rows[0].code;
    return 0;
}

void org_export_csv(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct buf out = BUF_INIT(EXPORT_LIMIT);
    int64_t id;
    const char *code = NULL;
    struct org top;
    struct audit_who who = audit_who_req(req);
    if (http_param_id(req, "id", &id, &e) != 0 ||
        org_api_load_scoped(req, "org.export", id, &top, &e) != 0 ||
        write_csv(req, id, &out, &code, &e) != 0 ||
        audit_append(req->db, &who, "org.export", arena_printf(req->arena, "org:%lld", (long long)id),
                     id, NULL, &e) != 0) {
        buf_fini(&out);
        http_reply_error(res, &e);
        return;
    }
    char day[11];
    date_format(date_today_shanghai(time(NULL)), day);
    http_set_header(res, "Content-Disposition",
                    arena_printf(req->arena, "attachment; filename=\"orgs-%s-%s.csv\"", code, day));
    http_reply_text_buf(res, 200, "text/csv; charset=utf-8", &out);
    buf_fini(&out);
}
