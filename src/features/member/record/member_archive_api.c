/* member_archive_api.c: the reads around the record: the history archive list (members who
 * left: suspended, expelled, deceased, transferred out; masked, newest first) and the code
 * tables the UI maps codes with. */
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mask.h"
#include "features/member/record/member_record.h"
#include "features/org/org.h"
#include "http/http.h"

/* GET /api/v1/member-archive?q=&status=&org_id=&page=&per_page= */
static void members_archive(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct http_page pg;
    struct member_full *rows;
    int64_t n = 0, total = 0, root = 0;
    const char *scope = NULL, *q = http_query(req, "q"), *status = http_query(req, "status");
    const char *org = http_query(req, "org_id");
    struct org o;
    if (q != NULL && strlen(q) > 64)
        err_field(&e, "q", "field.too_long");
    if (status != NULL && status[0] != '\0' && !member_rules_is_archived(status))
        err_field(&e, "status", "member.rule.rec03_status");
    if (e.code != ERR_OK || http_page_parse(req, &pg, &e) != 0)
        goto fail;
    if (org != NULL && org[0] != '\0') {
        char *end;
        long long id = strtoll(org, &end, 10);
        if (id <= 0 || *end != '\0') {
            err_field(&e, "org_id", "field.bad_integer");
            goto fail;
        }
        if (org_api_load_scoped(req, "member.read", id, &o, &e) != 0)
            goto fail;
        scope = o.path;
    } else if (auth_scope_root(req, "member.read", &root, &scope) != 0) {
        err_set(&e, ERR_FORBIDDEN, "auth.forbidden");
        goto fail;
    }
    if (member_record_archive(req->db, req->arena, scope, q, status, pg.per_page, pg.offset,
                              &rows, &n, &total, &e) != 0)
        goto fail;
    struct buf b = BUF_INIT(64 << 20);
    buf_add_lit(&b, "{\"data\":[");
    for (int64_t i = 0; i < n; i++) {
        char masked[3][MASK_MAX];
        const char *mp[3];
        member_record_mask(&rows[i], masked, mp);
        if (i > 0)
            buf_addc(&b, ',');
        member_record_write(&b, &rows[i], mp, NULL, 0, NULL, 0, NULL, 0);
    }
    buf_addf(&b, "],\"meta\":{\"page\":%lld,\"per_page\":%lld,\"total\":%lld}}",
             (long long)pg.page, (long long)pg.per_page, (long long)total);
    http_reply_json_buf(res, 200, &b);
    buf_fini(&b);
    return;
fail:
    http_reply_error(res, &e);
}

/* GET /api/v1/codes: every code table, grouped by kind (the UI maps codes to labels). */
static void codes_get(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_codes c;
    json_t *out = NULL;
    if (member_codes_load(req->db, req->arena, &c, &e) == 0) {
        json_t *data = json_object();
        for (int64_t i = 0; i < c.n; i++) {
            json_t *arr = json_object_get(data, c.rows[i].kind);
            if (arr == NULL) {
                arr = json_array();
                json_object_set_new(data, c.rows[i].kind, arr);
            }
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:b}", "code", c.rows[i].code,
                                                 "label_zh", c.rows[i].label_zh, "label_en",
                                                 c.rows[i].label_en, "active", c.rows[i].active));
        }
        out = json_pack("{s:o}", "data", data);
    }
    http_reply(res, 200, out, &e);
    json_decref(out);
}

static const struct route archive_routes[] = {
    {"GET", "/api/v1/member-archive", members_archive, "member.read"},
    {"GET", "/api/v1/codes", codes_get, AUTH_PERM_SESSION},
};

void member_archive_register(void)
{
    http_routes_register(archive_routes, sizeof archive_routes / sizeof archive_routes[0]);
}
