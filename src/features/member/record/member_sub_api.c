/* member_sub_api.c: the parts of a member record kept in rows of their own: 党内职务 (posts),
 * rewards and punishments (awards, DISC-04) and the photo. Each change runs in one transaction
 * with its audit entry and moves the member's version on (the record changed). An archived
 * record is read-only here too (409). The photo travels as JSON base64 and is served back as
 * the image itself; its type is sniffed from the magic bytes and must match the declared one. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "db/db.h"
#include "features/member/record/member_record.h"
#include "features/org/org.h"
#include "http/http.h"

#define PHOTO_MAX_BYTES (512 * 1024)

static struct date today(void)
{
    return date_today_shanghai(time(NULL));
}

/* The member {id}, writable by the caller and not archived. */
static int load_writable(struct http_req *req, struct member_full *f, struct err *e)
{
    if (member_record_load_scoped(req, "member.write", f, e) != 0)
        return -1;
    if (member_rules_is_archived(f->m.status))
        return err_set(e, ERR_CONFLICT, "member.archived_read_only");
    return 0;
}

/* Commits a change made since db_begin: version + 1 and the audit entry (takes changes). */
static int finish(struct http_req *req, const struct member_full *f, const char *action,
                  json_t *changes, struct err *e)
{
    if (member_record_touch(req->db, f->m.id, e) != 0 ||
        member_record_audit(req, action, f, changes, e) != 0 || db_commit(req->db, e) != 0) {
        db_rollback(req->db);
        return -1;
    }
    return 0;
}

static const char *str_or(const json_t *body, const char *key, const char *dflt)
{
    json_t *v = json_object_get(body, key);
    return v == NULL ? dflt : json_string_value(v);     /* null or a non-string clears */
}

/* ---- posts ---- */

static int post_check(struct http_req *req, const json_t *body, struct member_post *p,
                      struct err *e)
{
    struct member_codes codes;
    struct member_violation v[4];
    p->post = str_or(body, "post", p->post);
    p->started_on = str_or(body, "started_on", p->started_on);
    p->ended_on = str_or(body, "ended_on", p->ended_on);
    json_t *org = json_object_get(body, "org_id");
    if (org != NULL) {
        struct org o;
        if (!json_is_integer(org) ||
            org_api_load_scoped(req, "member.write", json_integer_value(org), &o, e) != 0) {
            err_clear(e);
            return err_field(e, "org_id", "member.org_not_found");
        }
        p->org_id = o.id;
    }
    if (member_codes_load(req->db, req->arena, &codes, e) != 0)
        return -1;
    int n = member_rules_check_post(p->post, p->started_on, p->ended_on, today(),
                                    member_codes_has, &codes, v);
    return member_record_violations(v, n, e);
}

static void post_reply(struct http_res *res, int status, const struct member_post *p,
                       const struct err *e)
{
    json_t *out = e->code == ERR_OK ? member_post_json(p) : NULL;
    http_reply(res, status, out, e);
    json_decref(out);
}

/* POST /api/v1/members/{id}/posts {"post","started_on","ended_on","org_id"} */
static void posts_create(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_full f;
    struct member_post p = {0};
    json_t *body;
    if (load_writable(req, &f, &e) == 0 && http_body_object(req, &body, &e) == 0) {
        p.member_id = f.m.id;
        p.org_id = f.m.org_id;
        if (post_check(req, body, &p, &e) == 0 && db_begin(req->db, &e) == 0) {
            if (member_post_insert(req->db, &p, &p.id, &e) != 0)
                db_rollback(req->db);
            else
                (void)finish(req, &f, "member.post.create",
                             json_pack("{s:o}", "post", member_post_json(&p)), &e);
        }
    }
    post_reply(res, 201, &p, &e);
}

/* PATCH /api/v1/members/{id}/posts/{post_id} */
static void posts_update(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_full f;
    struct member_post p = {0};
    json_t *body;
    int64_t pid;
    if (load_writable(req, &f, &e) == 0 && http_param_id(req, "post_id", &pid, &e) == 0 &&
        member_post_get(req->db, req->arena, f.m.id, pid, &p, &e) == 0 &&
        http_body_object(req, &body, &e) == 0) {
        json_t *before = member_post_json(&p);
        if (post_check(req, body, &p, &e) == 0 && db_begin(req->db, &e) == 0) {
            if (member_post_update(req->db, &p, &e) != 0)
                db_rollback(req->db);
            else
                (void)finish(req, &f, "member.post.update",
                             json_pack("{s:O, s:o}", "from", before, "to", member_post_json(&p)), &e);
        }
        json_decref(before);
    }
    post_reply(res, 200, &p, &e);
}

/* DELETE /api/v1/members/{id}/posts/{post_id} and .../awards/{award_id} */
static void sub_delete(struct http_req *req, struct http_res *res, bool award)
{
    struct err e = ERR_INIT;
    struct member_full f;
    int64_t sid;
    if (load_writable(req, &f, &e) == 0 &&
        http_param_id(req, award ? "award_id" : "post_id", &sid, &e) == 0 &&
        db_begin(req->db, &e) == 0) {
        if (member_sub_delete(req->db, award, f.m.id, sid, &e) != 0)
            db_rollback(req->db);
        else
            (void)finish(req, &f, award ? "member.award.delete" : "member.post.delete",
                         json_pack("{s:I}", "id", (json_int_t)sid), &e);
    }
    http_reply(res, 204, NULL, &e);
}

static void posts_delete(struct http_req *req, struct http_res *res)
{
    sub_delete(req, res, false);
}

/* ---- awards ---- */

static int award_check(struct http_req *req, const json_t *body, struct member_award *w,
                       struct err *e)
{
    struct member_codes codes;
    struct member_violation v[6];
    w->kind = str_or(body, "kind", w->kind);
    w->code = str_or(body, "code", w->code);
    w->title = str_or(body, "title", w->title);
    w->decided_on = str_or(body, "decided_on", w->decided_on);
    w->decided_by = str_or(body, "decided_by", w->decided_by);
    w->ends_on = str_or(body, "ends_on", w->ends_on);
    w->reason = str_or(body, "reason", w->reason);
    if (!member_rules_text_ok(w->decided_by, 100, false))
        err_field(e, "decided_by", "member.rule.rec02_text");
    if (!member_rules_text_ok(w->reason, 500, false))
        err_field(e, "reason", "member.rule.rec02_text");
    if (member_codes_load(req->db, req->arena, &codes, e) != 0)
        return -1;
    int n = member_rules_check_award(w->kind, w->code, w->title, w->decided_on, w->ends_on,
                                     today(), member_codes_has, &codes, v);
    return member_record_violations(v, n, e) != 0 || e->code != ERR_OK ? -1 : 0;
}

static void award_reply(struct http_res *res, int status, const struct member_award *w,
                        const struct err *e)
{
    json_t *out = e->code == ERR_OK ? member_award_json(w) : NULL;
    http_reply(res, status, out, e);
    json_decref(out);
}

/* POST /api/v1/members/{id}/awards */
static void awards_create(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_full f;
    struct member_award w = {0};
    json_t *body;
    if (load_writable(req, &f, &e) == 0 && http_body_object(req, &body, &e) == 0) {
        w.member_id = f.m.id;
        if (award_check(req, body, &w, &e) == 0 && db_begin(req->db, &e) == 0) {
            if (member_award_insert(req->db, &w, &w.id, &e) != 0)
                db_rollback(req->db);
            else
                (void)finish(req, &f, "member.award.create",
                             json_pack("{s:o}", "award", member_award_json(&w)), &e);
        }
    }
    award_reply(res, 201, &w, &e);
}

/* PATCH /api/v1/members/{id}/awards/{award_id} */
static void awards_update(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_full f;
    struct member_award w = {0};
    json_t *body;
    int64_t aid;
    if (load_writable(req, &f, &e) == 0 && http_param_id(req, "award_id", &aid, &e) == 0 &&
        member_award_get(req->db, req->arena, f.m.id, aid, &w, &e) == 0 &&
        http_body_object(req, &body, &e) == 0) {
        json_t *before = member_award_json(&w);
        if (award_check(req, body, &w, &e) == 0 && db_begin(req->db, &e) == 0) {
            if (member_award_update(req->db, &w, &e) != 0)
                db_rollback(req->db);
            else
                (void)finish(req, &f, "member.award.update",
                             json_pack("{s:O, s:o}", "from", before, "to", member_award_json(&w)), &e);
        }
        json_decref(before);
    }
    award_reply(res, 200, &w, &e);
}

static void awards_delete(struct http_req *req, struct http_res *res)
{
    sub_delete(req, res, true);
}

/* ---- photo ---- */

/* The image type from its first bytes: JPEG, PNG or WebP; NULL for anything else. */
static const char *sniff(const unsigned char *p, size_t n)
{
    if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
        return "image/jpeg";
    if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "image/png";
    if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
        return "image/webp";
    return NULL;
}

/* Decodes base64 (standard alphabet, padding optional) into the arena; -1 when malformed. */
static int decode(struct arena *a, const char *b64, unsigned char **out, size_t *n)
{
    size_t len = strlen(b64);
    *out = arena_alloc(a, len / 4 * 3 + 3);
    return sodium_base642bin(*out, len / 4 * 3 + 3, b64, len, "\r\n ", n, NULL,
                             sodium_base64_VARIANT_ORIGINAL) == 0 ||
                   sodium_base642bin(*out, len / 4 * 3 + 3, b64, len, "\r\n ", n, NULL,
                                     sodium_base64_VARIANT_ORIGINAL_NO_PADDING) == 0
               ? 0 : -1;
}

/* PUT /api/v1/members/{id}/photo {"mime","data"} */
static void photo_put(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_full f;
    json_t *body;
    unsigned char *bytes;
    size_t n;
    if (load_writable(req, &f, &e) != 0 || http_body_object(req, &body, &e) != 0)
        goto reply;
    const char *mime = str_or(body, "mime", NULL), *data = str_or(body, "data", NULL);
    if (mime == NULL || (strcmp(mime, "image/jpeg") != 0 && strcmp(mime, "image/png") != 0 &&
                         strcmp(mime, "image/webp") != 0))
        err_field(&e, "mime", "member.photo_mime");
    if (data == NULL || data[0] == '\0') {
        err_field(&e, "data", "field.required");
    } else if (strlen(data) > (PHOTO_MAX_BYTES / 3 + 1) * 4 + 1024) {
        err_set(&e, ERR_TOO_LARGE, "member.photo_too_large");
    } else if (decode(req->arena, data, &bytes, &n) != 0) {
        err_field(&e, "data", "member.photo_base64");
    } else if (n > PHOTO_MAX_BYTES) {
        err_set(&e, ERR_TOO_LARGE, "member.photo_too_large");
    } else if (e.code == ERR_OK && (sniff(bytes, n) == NULL || strcmp(sniff(bytes, n), mime) != 0)) {
        err_field(&e, "mime", "member.photo_mismatch");
    }
    if (e.code != ERR_OK || db_begin(req->db, &e) != 0)
        goto reply;
    size_t b64len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *canon = arena_alloc(req->arena, b64len);
    sodium_bin2base64(canon, b64len, bytes, n, sodium_base64_VARIANT_ORIGINAL);
    if (member_photo_put(req->db, f.m.id, mime, canon, &e) != 0)
        db_rollback(req->db);
    else
        (void)finish(req, &f, "member.photo.put",
                     json_pack("{s:s, s:I}", "mime", mime, "bytes", (json_int_t)n), &e);
reply:
    http_reply(res, 204, NULL, &e);
}

/* GET /api/v1/members/{id}/photo: the image bytes. */
static void photo_get(struct http_req *req, struct http_res *res)
{
    static const char *const TYPES[] = {"image/jpeg", "image/png", "image/webp"};
    struct err e = ERR_INIT;
    struct member_full f;
    const char *mime, *b64;
    unsigned char *bytes;
    size_t n;
    if (member_record_load_scoped(req, "member.read", &f, &e) != 0 ||
        member_photo_get(req->db, req->arena, f.m.id, &mime, &b64, &e) != 0) {
        http_reply_error(res, &e);
        return;
    }
    const char *type = "application/octet-stream";
    for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++)
        if (strcmp(TYPES[i], mime) == 0)
            type = TYPES[i];                       /* a static string, as the reply needs */
    if (decode(req->arena, b64, &bytes, &n) != 0) {
        err_set(&e, ERR_INTERNAL, "internal");
        http_reply_error(res, &e);
        return;
    }
    struct buf b = BUF_INIT(PHOTO_MAX_BYTES + 1);
    buf_add(&b, bytes, n);
    http_set_header(res, "Cache-Control", "private, no-store");
    http_reply_text_buf(res, 200, type, &b);
    buf_fini(&b);
}

/* DELETE /api/v1/members/{id}/photo */
static void photo_delete(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_full f;
    bool deleted = false;
    if (load_writable(req, &f, &e) == 0 && db_begin(req->db, &e) == 0) {
        if (member_photo_delete(req->db, f.m.id, &deleted, &e) != 0 || !deleted) {
            db_rollback(req->db);
            if (e.code == ERR_OK)
                err_set(&e, ERR_NOT_FOUND, "member.no_photo");
        } else {
            (void)finish(req, &f, "member.photo.delete", NULL, &e);
        }
    }
    http_reply(res, 204, NULL, &e);
}

static const struct route sub_routes[] = {
    {"POST", "/api/v1/members/{id}/posts", posts_create, "member.write"},
    {"PATCH", "/api/v1/members/{id}/posts/{post_id}", posts_update, "member.write"},
    {"DELETE", "/api/v1/members/{id}/posts/{post_id}", posts_delete, "member.write"},
    {"POST", "/api/v1/members/{id}/awards", awards_create, "member.write"},
    {"PATCH", "/api/v1/members/{id}/awards/{award_id}", awards_update, "member.write"},
    {"DELETE", "/api/v1/members/{id}/awards/{award_id}", awards_delete, "member.write"},
    {"PUT", "/api/v1/members/{id}/photo", photo_put, "member.write"},
    {"GET", "/api/v1/members/{id}/photo", photo_get, "member.read"},
    {"DELETE", "/api/v1/members/{id}/photo", photo_delete, "member.write"},
};

void member_sub_register(void)
{
    http_routes_register(sub_routes, sizeof sub_routes / sizeof sub_routes[0]);
}
