/* member_api.c: /api/v1/members: the scoped list and record with personal data masked, and the
 * audited reveal of one full value (issue 4 §6). */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/audit.h"
#include "auth/auth.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/jsonw.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/mask.h"
#include "crypto/field.h"
#include "crypto/keys.h"
#include "crypto/pdata.h"
#include "features/member/member.h"
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

/* Opens one value (caller frees); NULL when there is none or it does not open (logged: a
 * value that does not open is tampering or a lost key). */
static char *open_value(const struct member *m, size_t i)
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

/* Writes one member as JSON text (lists: no jansson tree per row). */
static void member_write(struct buf *b, const struct member *m)
{
    buf_add_lit(b, "{\"id\":");
    jsonw_i64(b, m->id);
    buf_add_lit(b, ",\"org_id\":");
    jsonw_i64(b, m->org_id);
    buf_add_lit(b, ",\"org_name\":");
    jsonw_str(b, m->org_name);
    buf_add_lit(b, ",\"name\":");
    jsonw_str(b, m->name);
    buf_add_lit(b, ",\"gender\":");
    jsonw_i64(b, m->gender);
    buf_add_lit(b, ",\"birth_date\":");
    jsonw_str(b, m->birth_date);
    buf_add_lit(b, ",\"category\":");
    jsonw_str(b, m->category);
    buf_add_lit(b, ",\"joined_on\":");
    jsonw_str(b, m->joined_on);
    buf_add_lit(b, ",\"status\":");
    jsonw_str(b, m->status);
    const struct keys *k = keys_get();
    struct field_keyring kr = k != NULL ? keys_field_ring(k) : (struct field_keyring){0};
    for (size_t i = 0; i < sizeof PDATA / sizeof PDATA[0]; i++) {
        char masked[MASK_MAX];
        const char *s = sealed(m, i);
        bool ok = s != NULL && k != NULL &&
                  pdata_masked(&kr, PDATA[i].column, m->id, s, PDATA[i].mask, masked) == 0;
        if (s != NULL && !ok)
            log_error("member", "member %lld %s does not open", (long long)m->id, PDATA[i].column);
        buf_addc(b, ',');
        jsonw_key(b, PDATA[i].field);
        jsonw_str(b, ok ? masked : NULL);
    }
    buf_addc(b, '}');
}

/* GET /api/v1/members?org_id=&q=&page=&per_page=: members in service of a subtree (default:
 * the caller's). Without a name filter the total is the org's roll-up count (kept by triggers),
 * so a page costs no COUNT over the subtree. */
static void members_list(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct http_page pg;
    struct member_filter f = {0};
    struct member *rows;
    struct org o;
    int64_t n = 0, total = 0, id = 0;
    bool have_org = false;
    f.q = http_query(req, "q");
    if (f.q != NULL && strlen(f.q) > 64)
        err_field(&e, "q", "field.too_long");
    const char *org = http_query(req, "org_id");
    if (e.code == ERR_OK && http_page_parse(req, &pg, &e) == 0) {
        if (org != NULL && org[0] != '\0') {
            char *end;
            errno = 0;
            id = strtoll(org, &end, 10);
            if (id <= 0 || *end != '\0' || errno != 0)
                err_field(&e, "org_id", "field.bad_integer");
        } else if (auth_scope_root(req, "member.read", &id, &f.scope) != 0) {
            err_set(&e, ERR_FORBIDDEN, "auth.forbidden");
        }
        if (e.code == ERR_OK && id > 0 && org_api_load_scoped(req, "member.read", id, &o, &e) == 0) {
            f.scope = o.path;
            have_org = true;
        }
    }
    bool by_rollup = have_org && (f.q == NULL || f.q[0] == '\0');
    if (e.code != ERR_OK ||
        member_store_list(req->db, req->arena, &f, pg.per_page, pg.offset, &rows, &n,
                          by_rollup ? NULL : &total, &e) != 0) {
        http_reply_error(res, &e);
        return;
    }
    if (by_rollup)
        total = o.sub_full + o.sub_prob;
    struct buf b = BUF_INIT(64 << 20);
    buf_add_lit(&b, "{\"data\":[");
    for (int64_t i = 0; i < n; i++) {
        if (i > 0)
            buf_addc(&b, ',');
        member_write(&b, &rows[i]);
    }
    buf_add_lit(&b, "],\"meta\":{\"page\":");
    jsonw_i64(&b, pg.page);
    buf_add_lit(&b, ",\"per_page\":");
    jsonw_i64(&b, pg.per_page);
    buf_add_lit(&b, ",\"total\":");
    jsonw_i64(&b, total);
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

/* POST /api/v1/members/{id}/reveal {"field":"id_number"|"phone"|"address"}: the full value,
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
    if (which == 99) {
        err_field(&e, "field", field == NULL ? "field.required" : "member.bad_reveal_field");
        goto reply;
    }
    char *plain = open_value(&m, which);
    struct audit_who who = audit_who_req(req);
    json_t *detail = json_pack("{s:s}", "field", PDATA[which].field);
    char object[32];
    snprintf(object, sizeof object, "member:%lld", (long long)m.id);
    if (audit_append(req->db, &who, "member.reveal", object, m.org_id, detail, &e) == 0)
        out = json_pack("{s:s, s:o}", "field", PDATA[which].field, "value",
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
    {"POST", "/api/v1/members/{id}/reveal", members_reveal, "member.reveal"},
};

static const struct i18n_msg member_msgs[] = {
    {"member.bad_reveal_field", "只能查看 id_number、phone 或 address", "Reveal id_number, phone or address"},
};

void member_register(void)
{
    http_routes_register(member_routes, sizeof member_routes / sizeof member_routes[0]);
    i18n_register(member_msgs, sizeof member_msgs / sizeof member_msgs[0]);
    member_record_register();
}
