/* member_change_api.c: a member's own change requests (issue 5 §7).
 *
 * The member (a logged-in user linked to a member: principal->member_id) reads their record and
 * asks for changes to the fields they may change themselves (SELF below). Identity, party-life
 * dates and the org need the secretary's evidence and are refused: the secretary edits those on
 * the record. A request is checked with member_rules against the record as it would become (only
 * violations in the requested fields refuse it: an older problem elsewhere in the record is the
 * secretary's to fix), stored pending with its asked and base values sealed (crypto/field.h);
 * the record changes only when a secretary approves, through the record store's versioned
 * update (member_record_apply) with the audit entry in the same transaction. When the record
 * changed since the request in a requested field, approval is 409 and the request stays pending.
 * Scope follows the member's current org: outside the caller's subtree is 404. */
#include <errno.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/mask.h"
#include "crypto/field.h"
#include "crypto/keys.h"
#include "db/db.h"
#include "features/member/change/member_change.h"
#include "features/member/record/member_record.h"
#include "features/org/org.h"
#include "http/http.h"

#define NSELF 7
/* The fields a member may ask to change, and how lists show them. */
static const struct {
    const char *key;
    size_t off;
    void (*mask)(const char *in, char out[MASK_MAX]);
} SELF[NSELF] = {
    {"phone", offsetof(struct member_record, phone), mask_phone},
    {"address", offsetof(struct member_record, address), mask_address},
    {"education", offsetof(struct member_record, education), NULL},
    {"job", offsetof(struct member_record, job), NULL},
    {"title", offsetof(struct member_record, title), NULL},
    {"work_unit", offsetof(struct member_record, work_unit), NULL},
    {"department", offsetof(struct member_record, department), NULL},
};

static const char **slot(struct member_record *r, size_t i)
{
    return (const char **)((char *)r + SELF[i].off);
}

static size_t self_index(const char *key)
{
    size_t i = 0;
    while (i < NSELF && strcmp(SELF[i].key, key) != 0)
        i++;
    return i;
}

static bool same(const char *a, const char *b)
{
    return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

static int64_t user_of(const struct http_req *req)
{
    return req->auth != NULL ? req->auth->user_id : 0;
}

int member_record_scope(struct http_req *req, const char *perm, const char **path, struct err *e)
{
    const char *org = http_query(req, "org_id");
    struct org o;
    int64_t root;
    if (org == NULL || org[0] == '\0') {
        if (auth_scope_root(req, perm, &root, path) != 0)
            return err_set(e, ERR_FORBIDDEN, "auth.forbidden");
        return 0;
    }
    char *end;
    errno = 0;
    long long id = strtoll(org, &end, 10);
    if (id <= 0 || *end != '\0' || errno != 0)
        return err_field(e, "org_id", "field.bad_integer");
    if (org_api_load_scoped(req, perm, id, &o, e) != 0)
        return -1;
    *path = o.path;
    return 0;
}

/* ---- sealed values: {field: value} objects under AD "member_change_requests.<which>:<id>" ---- */

static int seal(struct http_req *req, const char *which, int64_t id, json_t *obj,
                const char **out, struct err *e)
{
    const struct keys *k = keys_get();
    char column[64], *s = NULL;
    if (k == NULL)
        return err_set(e, ERR_UNAVAILABLE, "keys.not_loaded");
    snprintf(column, sizeof column, "member_change_requests.%s", which);
    char *plain = json_dumps(obj, JSON_COMPACT);
    struct field_keyring kr = keys_field_ring(k);
    int rc = field_encrypt(&kr, column, id, plain, &s, e);
    sodium_memzero(plain, strlen(plain));
    free(plain);
    if (rc != 0)
        return -1;
    *out = arena_strdup(req->arena, s);
    free(s);
    return 0;
}

/* The sealed object (new reference; an empty object when there is none). */
static int unseal(const char *which, int64_t id, const char *sealed, json_t **out, struct err *e)
{
    const struct keys *k = keys_get();
    char column[64], *plain = NULL;
    *out = NULL;
    if (sealed == NULL) {
        *out = json_object();
        return 0;
    }
    if (k == NULL)
        return err_set(e, ERR_UNAVAILABLE, "keys.not_loaded");
    snprintf(column, sizeof column, "member_change_requests.%s", which);
    struct field_keyring kr = keys_field_ring(k);
    if (field_decrypt(&kr, column, id, sealed, &plain, e) != 0)
        return err_set(e, ERR_INTERNAL, "internal");
    *out = json_loads(plain, 0, NULL);
    sodium_memzero(plain, strlen(plain));
    free(plain);
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return err_set(e, ERR_INTERNAL, "internal");
    }
    return 0;
}

static json_t *shown(size_t i, const char *v)
{
    char out[MASK_MAX];
    if (v == NULL || v[0] == '\0')
        return json_null();
    if (SELF[i].mask == NULL)
        return json_string(v);
    SELF[i].mask(v, out);
    return json_string(out);
}

/* The request as the API shows it: current vs proposed (masked) and its history. */
static int request_json(struct http_req *req, const struct member_change *c, json_t **out,
                        struct err *e)
{
    struct member_full f;
    struct member_record cur;
    struct member_change_event *ev;
    int64_t nev;
    json_t *proposed = NULL;
    *out = NULL;
    if (member_record_get(req->db, req->arena, c->member_id, &f, e) != 0 ||
        member_record_open(req, &f, &cur, e) != 0 ||
        member_change_events(req->db, req->arena, c->id, &ev, &nev, e) != 0 ||
        unseal("proposed", c->id, c->proposed_enc, &proposed, e) != 0)
        return -1;
    json_t *fields = json_array(), *changes = json_object(), *history = json_array();
    for (size_t i = 0; i < NSELF; i++) {
        json_t *p = json_object_get(proposed, SELF[i].key);
        if (p == NULL)
            continue;
        json_array_append_new(fields, json_string(SELF[i].key));
        json_object_set_new(changes, SELF[i].key,
                            json_pack("{s:o, s:o}", "current", shown(i, *slot(&cur, i)),
                                      "proposed", shown(i, json_string_value(p))));
    }
    json_decref(proposed);
    for (int64_t i = 0; i < nev; i++)
        json_array_append_new(
            history, json_pack("{s:s, s:o, s:o, s:I, s:o}", "action", ev[i].action, "user_id",
                               ev[i].user_id > 0 ? json_integer(ev[i].user_id) : json_null(),
                               "user_name", ev[i].user_name ? json_string(ev[i].user_name) : json_null(),
                               "at", (json_int_t)ev[i].at, "comment",
                               ev[i].comment ? json_string(ev[i].comment) : json_null()));
    *out = json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:o, s:o, s:o, s:I, s:o, s:o}", "id",
                     (json_int_t)c->id, "member_id", (json_int_t)c->member_id, "member_name",
                     c->member_name, "org_id", (json_int_t)c->org_id, "org_name", c->org_name,
                     "state", c->state, "fields", fields, "note",
                     c->note ? json_string(c->note) : json_null(), "changes", changes,
                     "created_at", (json_int_t)c->created_at, "decided_at",
                     c->decided_at ? json_integer(c->decided_at) : json_null(), "history", history);
    return 0;
}

static void reply_request(struct http_req *req, struct http_res *res, int status, int64_t id)
{
    struct err e = ERR_INIT;
    struct member_change c;
    json_t *out = NULL;
    if (member_change_get(req->db, req->arena, id, &c, &e) == 0)
        (void)request_json(req, &c, &out, &e);
    http_reply(res, status, out, &e);
    json_decref(out);
}

/* Checks r (the record as it would become) with the rules; only violations in the requested
 * fields refuse it. The phone is taken in its normalised form (ID-07). */
static int check_requested(struct http_req *req, struct member_record *r, const bool asked[NSELF],
                           struct err *e)
{
    struct member_check chk;
    struct err all = ERR_INIT;
    if (member_record_check(req, r, &chk, &all) == 0)
        return 0;
    if (all.code != ERR_INVALID) {
        *e = all;
        return -1;
    }
    for (int k = 0; k < all.nfields; k++) {
        size_t i = self_index(all.fields[k].name);
        if (i < NSELF && asked[i])
            err_field(e, all.fields[k].name, all.fields[k].message);
    }
    if (e->code != ERR_OK)
        return -1;
    if (asked[0] && chk.phone[0] != '\0')
        r->phone = arena_strdup(req->arena, chk.phone);
    return 0;
}

static int audit_request(struct http_req *req, const char *action, const struct member_change *c,
                         const char *comment, struct err *e)
{
    struct member_full f = {.m = {.id = c->member_id, .org_id = c->org_id}};
    json_t *d = json_pack("{s:I, s:s}", "request", (json_int_t)c->id, "fields", c->fields);
    if (comment != NULL && comment[0] != '\0')
        json_object_set_new(d, "comment", json_string(comment));
    return member_record_audit(req, action, &f, d, e);
}

/* ---- the member's side ---- */

static int me_load(struct http_req *req, struct member_full *f, struct err *e)
{
    int64_t id = req->auth != NULL ? req->auth->member_id : 0;
    if (id <= 0)
        return err_set(e, ERR_NOT_FOUND, "me.no_member");
    if (member_record_get(req->db, req->arena, id, f, e) != 0) {
        if (e->code != ERR_NOT_FOUND)
            return -1;
        err_clear(e);
        return err_set(e, ERR_NOT_FOUND, "me.no_member");
    }
    return 0;
}

/* GET /api/v1/me/member */
static void me_member(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_full f;
    if (me_load(req, &f, &e) != 0)
        http_reply_error(res, &e);
    else
        member_record_reply(req, res, 200, f.m.id);
}

/* Reads {"fields":{...},"note"} into r (over the current record); asked[i] for each field. */
static int read_body(struct http_req *req, struct member_record *r, bool asked[NSELF],
                     const char **note, struct err *e)
{
    json_t *body, *fields = NULL, *v;
    const char *key;
    *note = NULL;
    if (http_body_object(req, &body, e) != 0)
        return -1;
    json_object_foreach(body, key, v) {
        if (strcmp(key, "fields") == 0)
            fields = v;
        else if (strcmp(key, "note") == 0 && (json_is_string(v) || json_is_null(v)))
            *note = json_string_value(v);
        else
            err_field(e, key, strcmp(key, "note") == 0 ? "field.bad_type" : "field.unknown");
    }
    if (!json_is_object(fields) || json_object_size(fields) == 0)
        err_field(e, "fields", "field.required");
    if (*note != NULL && !member_rules_text_ok(*note, 500, false))
        err_field(e, "note", "member.rule.rec02_text");
    json_object_foreach(fields, key, v) {
        size_t i = self_index(key);
        if (i == NSELF)
            err_field(e, key, "change_request.field_not_allowed");
        else if (!json_is_string(v) && !json_is_null(v))
            err_field(e, key, "field.bad_type");
        else {
            *slot(r, i) = json_string_value(v);
            asked[i] = true;
        }
    }
    return e->code == ERR_OK ? 0 : -1;
}

/* POST /api/v1/me/member/change-requests {"fields":{...},"note"} */
static void me_request(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_full f;
    struct member_record was, r;
    bool asked[NSELF] = {false};
    const char *note, *proposed_enc, *base_enc;
    char names[128] = "";
    int64_t id = 0;
    if (me_load(req, &f, &e) != 0)
        goto fail;
    if (member_rules_is_archived(f.m.status)) {
        err_set(&e, ERR_CONFLICT, "member.archived_read_only");
        goto fail;
    }
    if (member_record_open(req, &f, &was, &e) != 0)
        goto fail;
    r = was;
    if (read_body(req, &r, asked, &note, &e) != 0 || check_requested(req, &r, asked, &e) != 0)
        goto fail;
    json_t *proposed = json_object(), *base = json_object();
    for (size_t i = 0; i < NSELF; i++) {
        if (!asked[i] || same(*slot(&was, i), *slot(&r, i)))
            continue;
        const char *p = *slot(&r, i), *b = *slot(&was, i);
        json_object_set_new(proposed, SELF[i].key, json_string(p != NULL ? p : ""));
        json_object_set_new(base, SELF[i].key, json_string(b != NULL ? b : ""));
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                 names[0] != '\0' ? "," : "", SELF[i].key);
    }
    int pending = json_object_size(proposed) == 0 ? 0 : member_change_has_pending(req->db, f.m.id, &e);
    if (json_object_size(proposed) == 0)
        err_set(&e, ERR_INVALID, "change_request.no_change");
    else if (pending == 1)
        err_set(&e, ERR_CONFLICT, "change_request.pending_exists");
    struct member_change c = {.member_id = f.m.id, .org_id = f.m.org_id, .user_id = user_of(req),
                              .fields = names, .note = note, .base_version = f.version};
    if (e.code == ERR_OK && db_begin(req->db, &e) == 0) {
        if (member_change_insert(req->db, &c, &id, &e) != 0 ||
            seal(req, "proposed", id, proposed, &proposed_enc, &e) != 0 ||
            seal(req, "base", id, base, &base_enc, &e) != 0 ||
            member_change_seal(req->db, id, proposed_enc, base_enc, &e) != 0 ||
            member_change_event_add(req->db, id, "created", c.user_id, note, &e) != 0 ||
            (c.id = id, audit_request(req, "member.change_request.create", &c, NULL, &e)) != 0 ||
            db_commit(req->db, &e) != 0)
            db_rollback(req->db);
    }
    json_decref(proposed);
    json_decref(base);
    if (e.code != ERR_OK)
        goto fail;
    reply_request(req, res, 201, id);
    return;
fail:
    http_reply_error(res, &e);
}

static void reply_list(struct http_req *req, struct http_res *res,
                       const struct member_change_filter *f, struct err *e)
{
    struct http_page pg;
    struct member_change *rows;
    int64_t n, total;
    json_t *data = json_array(), *out = NULL;
    if (e->code == ERR_OK && http_page_parse(req, &pg, e) == 0 &&
        member_change_list(req->db, req->arena, f, pg.per_page, pg.offset, &rows, &n, &total,
                           e) == 0) {
        for (int64_t i = 0; i < n; i++) {
            json_t *one;
            if (request_json(req, &rows[i], &one, e) != 0)
                break;
            json_array_append_new(data, one);
        }
        if (e->code == ERR_OK)
            out = http_list_json(json_incref(data), &pg, total);
    }
    json_decref(data);
    http_reply(res, 200, out, e);
    json_decref(out);
}

/* GET /api/v1/me/member/change-requests */
static void me_requests(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_full f;
    struct member_change_filter filter = {.state = ""};
    if (me_load(req, &f, &e) == 0)
        filter.member_id = f.m.id;
    reply_list(req, res, &filter, &e);
}

/* Inside a transaction: pending -> state, its event and audit entry. */
static int decide(struct http_req *req, const struct member_change *c, const char *state,
                  const char *event, const char *comment, struct err *e)
{
    char action[64];
    snprintf(action, sizeof action, "member.change_request.%s", event);
    if (member_change_decide(req->db, c->id, state, user_of(req), e) != 0 ||
        member_change_event_add(req->db, c->id, event, user_of(req), comment, e) != 0 ||
        audit_request(req, action, c, comment, e) != 0)
        return -1;
    return 0;
}

static int decide_tx(struct http_req *req, const struct member_change *c, const char *state,
                     const char *event, const char *comment, struct err *e)
{
    if (db_begin(req->db, e) != 0)
        return -1;
    if (decide(req, c, state, event, comment, e) != 0 || db_commit(req->db, e) != 0) {
        db_rollback(req->db);
        return -1;
    }
    return 0;
}

/* POST /api/v1/me/member/change-requests/{id}/cancel */
static void me_cancel(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_full f;
    struct member_change c;
    int64_t id;
    if (me_load(req, &f, &e) != 0 || http_param_id(req, "id", &id, &e) != 0 ||
        member_change_get(req->db, req->arena, id, &c, &e) != 0)
        goto fail;
    if (c.member_id != f.m.id) {
        err_set(&e, ERR_NOT_FOUND, "change_request.not_found");
        goto fail;
    }
    if (decide_tx(req, &c, "cancelled", "cancelled", NULL, &e) != 0)
        goto fail;
    reply_request(req, res, 200, c.id);
    return;
fail:
    http_reply_error(res, &e);
}

/* ---- the secretary's side ---- */

static int load_scoped(struct http_req *req, const char *perm, struct member_change *c,
                       struct err *e)
{
    int64_t id;
    if (http_param_id(req, "id", &id, e) != 0 ||
        member_change_get(req->db, req->arena, id, c, e) != 0)
        return -1;
    if (!auth_in_scope(req, perm, c->org_path))
        return err_set(e, ERR_NOT_FOUND, "change_request.not_found");
    return 0;
}

/* GET /api/v1/member-change-requests?state=&org_id= */
static void requests_list(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_change_filter f = {.state = http_query(req, "state")};
    if (f.state == NULL || f.state[0] == '\0')
        f.state = "pending";
    if (strcmp(f.state, "all") == 0)
        f.state = "";
    else if (strcmp(f.state, "pending") != 0 && strcmp(f.state, "approved") != 0 &&
             strcmp(f.state, "rejected") != 0 && strcmp(f.state, "cancelled") != 0)
        err_field(&e, "state", "change_request.bad_state");
    if (e.code != ERR_OK || member_record_scope(req, "member.read", &f.scope, &e) != 0) {
        http_reply_error(res, &e);
        return;
    }
    reply_list(req, res, &f, &e);
}

/* GET /api/v1/member-change-requests/{id} */
static void requests_get(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_change c;
    if (load_scoped(req, "member.read", &c, &e) != 0)
        http_reply_error(res, &e);
    else
        reply_request(req, res, 200, c.id);
}

static const char *comment_of(struct http_req *req, bool required, struct err *e)
{
    json_t *body, *v;
    const char *key, *comment = NULL;
    if (http_body_object(req, &body, e) != 0)
        return NULL;
    json_object_foreach(body, key, v) {
        if (strcmp(key, "comment") == 0 && (json_is_string(v) || json_is_null(v)))
            comment = json_string_value(v);
        else
            err_field(e, key, strcmp(key, "comment") == 0 ? "field.bad_type" : "field.unknown");
    }
    if (required && (comment == NULL || comment[0] == '\0'))
        err_field(e, "comment", "change_request.comment_required");
    else if (comment != NULL && !member_rules_text_ok(comment, 500, false))
        err_field(e, "comment", "member.rule.rec02_text");
    return comment;
}

/* The record as the request would make it, or 409 change_request.stale when a requested field
 * changed since the request (the record's version moved and the value differs from base). */
static int proposed_record(struct http_req *req, const struct member_change *c,
                           const struct member_full *cur, const struct member_record *was,
                           struct member_record *r, struct err *e)
{
    json_t *proposed = NULL, *base = NULL;
    bool asked[NSELF] = {false}, stale = false;
    if (unseal("proposed", c->id, c->proposed_enc, &proposed, e) != 0 ||
        unseal("base", c->id, c->base_enc, &base, e) != 0) {
        json_decref(proposed);
        return -1;
    }
    *r = *was;
    for (size_t i = 0; i < NSELF; i++) {
        const char *p = json_string_value(json_object_get(proposed, SELF[i].key));
        if (p == NULL)
            continue;
        const char *b = json_string_value(json_object_get(base, SELF[i].key));
        stale = stale || (cur->version != c->base_version && !same(b, *slot((struct member_record *)was, i)));
        *slot(r, i) = arena_strdup(req->arena, p);
        asked[i] = true;
    }
    json_decref(proposed);
    json_decref(base);
    if (stale)
        return err_set(e, ERR_CONFLICT, "change_request.stale");
    return check_requested(req, r, asked, e);
}

/* POST /api/v1/member-change-requests/{id}/approve {"comment"} */
static void requests_approve(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_change c;
    struct member_full cur;
    struct member_record was, r;
    struct member_check chk = {0};
    if (load_scoped(req, "member.write", &c, &e) != 0)
        goto fail;
    const char *comment = comment_of(req, false, &e);
    if (e.code != ERR_OK)
        goto fail;
    if (strcmp(c.state, "pending") != 0) {
        err_set(&e, ERR_CONFLICT, "change_request.not_pending");
        goto fail;
    }
    if (member_record_get(req->db, req->arena, c.member_id, &cur, &e) != 0)
        goto fail;
    if (member_rules_is_archived(cur.m.status)) {
        err_set(&e, ERR_CONFLICT, "member.archived_read_only");
        goto fail;
    }
    if (member_record_open(req, &cur, &was, &e) != 0 ||
        proposed_record(req, &c, &cur, &was, &r, &e) != 0)
        goto fail;
    chk.gender = cur.m.gender;              /* the record's own: no identity field changes */
    if (db_begin(req->db, &e) != 0)
        goto fail;
    if (member_record_apply(req, &cur, cur.version, &was, &r, &chk,
                            "member.change_request.apply", &e) != 0 ||
        decide(req, &c, "approved", "approved", comment, &e) != 0 || db_commit(req->db, &e) != 0) {
        db_rollback(req->db);
        if (e.code == ERR_CONFLICT && strcmp(e.message, "member.stale_version") == 0) {
            err_clear(&e);
            err_set(&e, ERR_CONFLICT, "change_request.stale");
        }
        goto fail;
    }
    reply_request(req, res, 200, c.id);
    return;
fail:
    http_reply_error(res, &e);
}

/* POST /api/v1/member-change-requests/{id}/reject {"comment"} (required) */
static void requests_reject(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_change c;
    if (load_scoped(req, "member.write", &c, &e) != 0)
        goto fail;
    const char *comment = comment_of(req, true, &e);
    if (e.code != ERR_OK || decide_tx(req, &c, "rejected", "rejected", comment, &e) != 0)
        goto fail;
    reply_request(req, res, 200, c.id);
    return;
fail:
    http_reply_error(res, &e);
}

static const struct route change_routes[] = {
    {"GET", "/api/v1/me/member", me_member, AUTH_PERM_SESSION},
    {"POST", "/api/v1/me/member/change-requests", me_request, AUTH_PERM_SESSION},
    {"GET", "/api/v1/me/member/change-requests", me_requests, AUTH_PERM_SESSION},
    {"POST", "/api/v1/me/member/change-requests/{id}/cancel", me_cancel, AUTH_PERM_SESSION},
    {"GET", "/api/v1/member-change-requests", requests_list, "member.read"},
    {"GET", "/api/v1/member-change-requests/{id}", requests_get, "member.read"},
    {"POST", "/api/v1/member-change-requests/{id}/approve", requests_approve, "member.write"},
    {"POST", "/api/v1/member-change-requests/{id}/reject", requests_reject, "member.write"},
};

static const struct i18n_msg change_msgs[] = {
    {"me.no_member", "当前账号未关联党员档案", "This account is not linked to a member record"},
    {"change_request.not_found", "变更申请不存在", "Change request not found"},
    {"change_request.field_not_allowed", "该项须由党支部凭材料修改，不能自助申请", "This field is changed by the branch with evidence, not by a self-service request"},
    {"change_request.no_change", "申请的内容与档案现有信息相同", "The request changes nothing in the record"},
    {"change_request.pending_exists", "已有一条待审核的变更申请，请等待审核或先撤回", "A change request is already pending: wait for it or cancel it first"},
    {"change_request.not_pending", "该申请已处理，不能再操作", "This request has already been handled"},
    {"change_request.stale", "申请提交后档案中的相关信息已被修改，请核对后重新处理", "The record changed in a requested field since the request: check it and decide again"},
    {"change_request.comment_required", "驳回须填写意见", "A rejection needs a comment"},
    {"change_request.bad_state", "状态只能是 pending、approved、rejected、cancelled 或 all", "State is pending, approved, rejected, cancelled or all"},
};

void member_change_register(void)
{
    http_routes_register(change_routes, sizeof change_routes / sizeof change_routes[0]);
    i18n_register(change_msgs, sizeof change_msgs / sizeof change_msgs[0]);
}
