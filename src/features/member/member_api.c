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
#include "core/err.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/mask.h"
#include "crypto/field.h"
#include "crypto/keys.h"
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

static json_t *member_json(const struct member *m)
{
    json_t *j = json_pack("{s:I, s:I, s:s, s:s, s:i, s:s?, s:s, s:s?, s:s}", "id",
                          (json_int_t)m->id, "org_id", (json_int_t)m->org_id, "org_name",
                          m->org_name, "name", m->name, "gender", m->gender, "birth_date",
                          m->birth_date, "category", m->category, "joined_on", m->joined_on,
                          "status", m->status);
    for (size_t i = 0; i < sizeof PDATA / sizeof PDATA[0]; i++) {
        char *plain = open_value(m, i);
        char masked[MASK_MAX];
        if (plain != NULL) {
            PDATA[i].mask(plain, masked);
            sodium_memzero(plain, strlen(plain));
            free(plain);
        }
        json_object_set_new(j, PDATA[i].field, plain != NULL ? json_string(masked) : json_null());
    }
    return j;
}

/* GET /api/v1/members?org_id=&q=&page=&per_page= */
static void members_list(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct http_page pg;
    struct member_filter f = {0};
    struct member *rows;
    int64_t n = 0, total = 0, root = 0;
    json_t *out = NULL;
    f.q = http_query(req, "q");
    if (f.q != NULL && strlen(f.q) > 64)
        err_field(&e, "q", "field.too_long");
    const char *org = http_query(req, "org_id");
    if (e.code == ERR_OK && http_page_parse(req, &pg, &e) == 0) {
        if (org != NULL && org[0] != '\0') {
            char *end;
            errno = 0;
            long long id = strtoll(org, &end, 10);
            struct org o;
            if (id <= 0 || *end != '\0' || errno != 0)
                err_field(&e, "org_id", "field.bad_integer");
            else if (org_api_load_scoped(req, "member.read", id, &o, &e) == 0)
                f.scope = o.path;
        } else if (auth_scope_root(req, "member.read", &root, &f.scope) != 0) {
            err_set(&e, ERR_FORBIDDEN, "auth.forbidden");
        }
    }
    if (e.code == ERR_OK &&
        member_store_list(req->db, req->arena, &f, pg.per_page, pg.offset, &rows, &n, &total,
                          &e) == 0) {
        json_t *data = json_array();
        for (int64_t i = 0; i < n; i++)
            json_array_append_new(data, member_json(&rows[i]));
        out = http_list_json(data, &pg, total);
    }
    http_reply(res, 200, out, &e);
    json_decref(out);
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

/* GET /api/v1/members/{id} */
static void members_get(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member m;
    json_t *out = load_scoped(req, "member.read", &m, &e) == 0 ? member_json(&m) : NULL;
    http_reply(res, 200, out, &e);
    json_decref(out);
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
    {"GET", "/api/v1/members/{id}", members_get, "member.read"},
    {"POST", "/api/v1/members/{id}/reveal", members_reveal, "member.reveal"},
};

static const struct i18n_msg member_msgs[] = {
    {"member.bad_reveal_field", "只能查看 id_number、phone 或 address", "Reveal id_number, phone or address"},
};

void member_register(void)
{
    http_routes_register(member_routes, sizeof member_routes / sizeof member_routes[0]);
    i18n_register(member_msgs, sizeof member_msgs / sizeof member_msgs[0]);
}
