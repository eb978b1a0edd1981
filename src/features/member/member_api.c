/* member_api.c: /api/v1/members: the scoped list and record with personal data masked, and the
 * audited reveal of one full value (issue 4 §6). */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
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
#include "core/i18n.h"
#include "core/log.h"
#include "core/mask.h"
#include "crypto/field.h"
#include "crypto/keys.h"
#include "crypto/pdata.h"
#include "features/member/member.h"
#include "features/member/member_api_internal.h"
#include "features/member/search/member_query.h"
#include "features/org/org.h"
#include "http/http.h"

/* The personal-data columns a member has, with their masks. */
static const struct {
    const char *field, *column;
    void (*mask)(const char *in, char out[MASK_MAX]);
} PDATA[] = {
    {"id_number", "members.id_number", mask_id_number},
    {"phone", "members.phone", mask_phone},
    {"address", "members.address", mask_address},
};

static const char *sealed(const struct member *m, size_t i)
{
    return i == 0 ? m->id_number_enc : i == 1 ? m->phone_enc : m->address_enc;
}

const char *member_pdata_field(size_t i)
{
    return PDATA[i].field;
}

char *member_pdata_open(const struct member *m, size_t i)
{
    const struct keys *k = keys_get();
    const char *s = sealed(m, i);
    char *plain = NULL;
    struct err e = ERR_INIT;
    if (k == NULL || s == NULL)
        return NULL;
    struct field_keyring kr = keys_field_ring(k);
    if (field_decrypt(&kr, PDATA[i].column, m->id, s, &plain, &e) != 0) {
        log_error("member", "member %lld %s does not open: %s", (long long)m->id,
                  PDATA[i].column, e.message);
        return NULL;
    }
    return plain;
}

bool member_pdata_masked(const struct member *m, size_t i, char out[256])
{
    const struct keys *k = keys_get();
    const char *s = sealed(m, i);
    out[0] = '\0';
    if (s == NULL || k == NULL)
        return false;
    struct field_keyring kr = keys_field_ring(k);
    if (pdata_masked(&kr, PDATA[i].column, m->id, s, PDATA[i].mask, out) == 0)
        return true;
    log_error("member", "member %lld %s does not open", (long long)m->id, PDATA[i].column);
    return false;
}

int member_age(const char *birth_date, struct date today)
{
    struct date b;
    if (birth_date == NULL || date_parse(birth_date, &b) != 0 || date_cmp(b, today) > 0)
        return -1;
    int age = today.year - b.year;
    if (today.month < b.month || (today.month == b.month && today.day < b.day))
        age--;
    return age;
}

/* Writes one member as JSON text (lists: no jansson tree per row). org_id and org_name stay
 * beside org{id,name} for clients of issue 4. */
static void member_write(struct buf *b, const struct member *m, struct date today)
{
    buf_add_lit(b, "{\"id\":");
    jsonw_i64(b, m->id);
    buf_add_lit(b, ",\"org_id\":");
    jsonw_i64(b, m->org_id);
    buf_add_lit(b, ",\"org_name\":");
    jsonw_str(b, m->org_name);
    buf_add_lit(b, ",\"org\":{\"id\":");
    jsonw_i64(b, m->org_id);
    buf_add_lit(b, ",\"name\":");
    jsonw_str(b, m->org_name);
    buf_add_lit(b, "},\"name\":");
    jsonw_str(b, m->name);
    buf_add_lit(b, ",\"gender\":");
    jsonw_i64(b, m->gender);
    buf_add_lit(b, ",\"birth_date\":");
    if (m->birth_date != NULL) {                   /* masked with the ID number (decision 0011) */
        char born[MASK_MAX];
        mask_birth_date(m->birth_date, born);
        jsonw_str(b, born);
    } else {
        buf_add_lit(b, "null");
    }
    buf_add_lit(b, ",\"age\":");
    int age = member_age(m->birth_date, today);
    if (age >= 0)
        jsonw_i64(b, age);
    else
        buf_add_lit(b, "null");
    buf_add_lit(b, ",\"category\":");
    jsonw_str(b, m->category);
    buf_add_lit(b, ",\"joined_on\":");
    jsonw_str(b, m->joined_on);
    buf_add_lit(b, ",\"status\":");
    jsonw_str(b, m->status);
    buf_add_lit(b, ",\"education\":");
    jsonw_str(b, m->education);
    buf_add_lit(b, ",\"ethnicity\":");
    jsonw_str(b, m->ethnicity);
    buf_add_lit(b, ",\"post\":");
    jsonw_str(b, m->post);
    for (size_t i = 0; i < sizeof PDATA / sizeof PDATA[0]; i++) {
        char masked[MASK_MAX];
        bool ok = member_pdata_masked(m, i, masked);
        buf_addc(b, ',');
        jsonw_key(b, PDATA[i].field);
        jsonw_str(b, ok ? masked : NULL);
    }
    buf_addc(b, '}');
}

static const char *query_get(void *ctx, const char *name)
{
    return http_query(ctx, name);
}

int member_api_query(struct http_req *req, const char *perm, struct member_query *q,
                     struct org *o, bool *have_org, struct err *e)
{
    int64_t id = 0;
    const char *path = "";
    *have_org = false;
    if (member_query_parse(q, query_get, req, req->arena, keys_get(),
                           date_today_shanghai(time(NULL)), e) != 0 ||
        member_store_check_codes(req->db, q, e) != 0)
        return -1;
    if (q->org_id > 0)
        id = q->org_id;
    else if (auth_scope_root(req, perm, &id, &path) != 0)
        return err_set(e, ERR_FORBIDDEN, "auth.forbidden");
    q->scope = path;
    if (id <= 0)
        return 0;
    /* Unfiltered lists take their total from the org's roll-up; a search needs only the path
     * (the roll-up of a root sums ~10,000 orgs: 10 ms on PostgreSQL). */
    if (member_query_unfiltered(q)) {
        if (org_api_load_scoped(req, perm, id, o, e) != 0)
            return -1;
    } else {
        struct member_org b;
        if (member_store_org_brief(req->db, req->arena, id, NULL, &b, e) != 0)
            return -1;
        if (!auth_in_scope(req, perm, b.path))
            return err_set(e, ERR_NOT_FOUND, "org.not_found");
        memset(o, 0, sizeof *o);
        o->id = b.id;
        o->path = b.path;
        o->code = b.code;
        o->name = b.name;
        if (b.everything) {       /* the only root: no subtree test at all */
            q->scope = "";
            *have_org = true;
            return 0;
        }
    }
    q->scope = o->path;
    *have_org = true;
    return 0;
}

/* GET /api/v1/members?org_id=&q=&...&sort=&page=&per_page=: members in service of a subtree
 * (default: the caller's), searched and filtered (member_query.h). Unfiltered, the total is the
 * org's roll-up count (kept by triggers), so a page costs no COUNT over the subtree. */
static void members_list(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct http_page pg = {0};
    struct member_query q;
    struct member *rows;
    struct org o;
    int64_t n = 0, total = 0;
    bool have_org = false;
    if (http_page_parse(req, &pg, &e) == 0 && pg.per_page > 100)
        err_field(&e, "per_page", "field.out_of_range");
    if (e.code == ERR_OK && member_api_query(req, "member.read", &q, &o, &have_org, &e) != 0) {
        http_reply_error(res, &e);
        return;
    }
    bool by_rollup = have_org && e.code == ERR_OK && member_query_unfiltered(&q);
    if (e.code != ERR_OK ||
        member_store_search(req->db, req->arena, &q, pg.per_page, pg.offset, &rows, &n,
                            by_rollup ? NULL : &total, &e) != 0) {
        http_reply_error(res, &e);
        return;
    }
    bool capped = !by_rollup && total > MEMBER_TOTAL_CAP;
    if (by_rollup)
        total = o.sub_full + o.sub_prob;
    else if (capped)
        total = MEMBER_TOTAL_CAP;
    struct date today = date_today_shanghai(time(NULL));
    struct buf b = BUF_INIT(64 << 20);
    buf_add_lit(&b, "{\"data\":[");
    for (int64_t i = 0; i < n; i++) {
        if (i > 0)
            buf_addc(&b, ',');
        member_write(&b, &rows[i], today);
    }
    buf_add_lit(&b, "],\"meta\":{\"page\":");
    jsonw_i64(&b, pg.page);
    buf_add_lit(&b, ",\"per_page\":");
    jsonw_i64(&b, pg.per_page);
    buf_add_lit(&b, ",\"total\":");
    jsonw_i64(&b, total);
    if (capped)
        buf_add_lit(&b, ",\"total_capped\":true");
    buf_add_lit(&b, "}}");
    http_reply_json_buf(res, 200, &b);
    buf_fini(&b);
}

static int load_scoped(struct http_req *req, const char *perm, struct member *m, struct err *e)
{
    int64_t id;
    if (http_param_id(req, "id", &id, e) != 0 || member_store_get(req->db, req->arena, id, m, e) != 0)
        return -1;
    if (!auth_in_scope(req, perm, m->org_path))
        return err_set(e, ERR_NOT_FOUND, "member.not_found");
    return 0;
}

/* POST /api/v1/members/{id}/reveal {"field":"id_number"|"phone"|"address"|"birth_date"}: the full value,
 * once, with an audit entry that says who saw which value of whom. */
static void members_reveal(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member m;
    json_t *body = NULL, *out = NULL;
    size_t which = 99;
    if (load_scoped(req, "member.reveal", &m, &e) != 0 || http_body_object(req, &body, &e) != 0)
        goto reply;
    const char *field = json_string_value(json_object_get(body, "field"));
    for (size_t i = 0; field != NULL && i < sizeof PDATA / sizeof PDATA[0]; i++)
        if (strcmp(PDATA[i].field, field) == 0)
            which = i;
    bool born = field != NULL && strcmp(field, "birth_date") == 0;   /* decision 0011 */
    if (which == 99 && !born) {
        err_field(&e, "field", field == NULL ? "field.required" : "member.bad_reveal_field");
        goto reply;
    }
    char *plain = born ? (m.birth_date != NULL ? strdup(m.birth_date) : NULL)
                       : member_pdata_open(&m, which);
    if (born && m.birth_date != NULL && plain == NULL) {
        err_set(&e, ERR_INTERNAL, "internal");
        goto reply;
    }
    field = born ? "birth_date" : PDATA[which].field;
    struct audit_who who = audit_who_req(req);
    json_t *detail = json_pack("{s:s}", "field", field);
    char object[32];
    snprintf(object, sizeof object, "member:%lld", (long long)m.id);
    if (audit_append(req->db, &who, "member.reveal", object, m.org_id, detail, &e) == 0)
        out = json_pack("{s:s, s:o}", "field", field, "value",
                        plain != NULL ? json_string(plain) : json_null());
    json_decref(detail);
    if (plain != NULL) {
        sodium_memzero(plain, strlen(plain));
        free(plain);
    }
reply:
    http_reply(res, 200, out, &e);
    json_decref(out);
}

static const struct route member_routes[] = {
    {"GET", "/api/v1/members", members_list, "member.read"},
    {"GET", "/api/v1/members/export.csv", member_export_csv, "member.export"},
    {"GET", "/api/v1/members/export.xlsx", member_export_xlsx, "member.export"},
    {"GET", "/api/v1/member-filters", member_filters_list, "member.read"},
    {"POST", "/api/v1/member-filters", member_filters_create, "member.read"},
    {"DELETE", "/api/v1/member-filters/{id}", member_filters_delete, "member.read"},
    {"POST", "/api/v1/members/{id}/reveal", members_reveal, "member.reveal"},
};

static const struct i18n_msg member_msgs[] = {
    {"member.bad_reveal_field", "只能查看 id_number、phone、address 或 birth_date", "Reveal id_number, phone, address or birth_date"},
    {"member.bad_match", "match 只能是 contains 或 prefix", "match must be contains or prefix"},
    {"member.bad_id_number", "应为 18 位（或 15 位）公民身份号码", "Expected an 18-character (or 15-digit) ID number"},
    {"member.bad_phone", "应为 11 位手机号码", "Expected an 11-digit mobile number"},
    {"member.bad_status", "只能是 normal 或 lost_contact（历史党员见档案库）", "Must be normal or lost_contact (former members are in the archive)"},
    {"member.bad_category", "只能是 full 或 probationary", "Must be full or probationary"},
    {"member.bad_gender", "只能是 male、female 或代码 0、1、2、9", "Must be male, female or code 0, 1, 2, 9"},
    {"member.bad_range", "上限不能小于下限", "The upper bound is below the lower bound"},
    {"member.unknown_code", "代码表中没有该代码", "No such code in the code table"},
    {"member.bad_format", "只能是 csv 或 xlsx", "Must be csv or xlsx"},
    {"member.xlsx_needs_out", "xlsx 导出需要 --out 文件", "An xlsx export needs --out FILE"},
    {"member.reveal_denied", "没有查看完整个人信息的权限", "Not allowed to reveal full personal data"},
    {"member_filter.not_found", "筛选条件不存在", "No such saved filter"},
    {"member_filter.name_taken", "已有同名的筛选条件", "A saved filter with this name exists"},
};

void member_register(void)
{
    http_routes_register(member_routes, sizeof member_routes / sizeof member_routes[0]);
    http_cache_register("/api/v1/members");        /* a page depends on caller, URL and data */
    i18n_register(member_msgs, sizeof member_msgs / sizeof member_msgs[0]);
    member_record_register();
}
