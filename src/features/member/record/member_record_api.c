/* member_record_api.c: the member record (issue 5 §1, §2, §6): GET/POST/PATCH /members, the
 * status change and restore of the history archive, the archive list and the code tables.
 *
 * A create or PATCH builds a WHOLE record (the body merged over the current one, personal data
 * opened to compare), checks it with member_rules, then writes it in one transaction with its
 * audit entry (changed fields only; ID number, phone and address masked). Personal data is
 * sealed again only when it changed, under AD "members.<column>:<id>" with blind indexes for
 * the ID number and phone. PATCH carries the version it read: a stale one is 409. Archived
 * records are read-only until restored. Posts, awards and the photo are in member_sub_api.c;
 * the archive list and the code tables in member_archive_api.c. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/audit.h"
#include "auth/auth.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mask.h"
#include "crypto/field.h"
#include "crypto/keys.h"
#include "crypto/pdata.h"
#include "db/db.h"
#include "features/member/change/member_change.h"
#include "features/member/quality/member_quality.h"
#include "features/member/record/member_record.h"
#include "features/org/org.h"
#include "http/http.h"

static struct date today(void)
{
    return date_today_shanghai(time(NULL));
}

/* The personal-data columns: field name, AD column, mask. */
static const struct {
    const char *field, *column;
    void (*mask)(const char *in, char out[MASK_MAX]);
} PDATA[3] = {
    {"id_number", "members.id_number", mask_id_number},
    {"phone", "members.phone", mask_phone},
    {"address", "members.address", mask_address},
};

static const char *sealed_of(const struct member_full *f, int i)
{
    return i == 0 ? f->m.id_number_enc : i == 1 ? f->m.phone_enc : f->m.address_enc;
}

int member_record_unseal(struct arena *a, const char *column, int64_t id, const char *sealed,
                         const char **out, struct err *e)
{
    const struct keys *k = keys_get();
    char *plain = NULL;
    *out = NULL;
    if (sealed == NULL)
        return 0;
    if (k == NULL)
        return err_set(e, ERR_UNAVAILABLE, "keys.not_loaded");
    struct field_keyring kr = keys_field_ring(k);
    if (field_decrypt(&kr, column, id, sealed, &plain, e) != 0) {
        log_error("member", "member %lld %s does not open", (long long)id, column);
        return err_set(e, ERR_INTERNAL, "internal");
    }
    *out = arena_strdup(a, plain);
    sodium_memzero(plain, strlen(plain));
    free(plain);
    return 0;
}

/* The record as text fields, personal data opened (for PATCH: the base the body merges over). */
int member_record_open(struct http_req *req, const struct member_full *f, struct member_record *r,
                       struct err *e)
{
    const struct member *m = &f->m;
    char *g = arena_alloc(req->arena, 4);
    snprintf(g, 4, "%d", m->gender);
    *r = (struct member_record){
        .org_id = m->org_id, .name = m->name, .gender = g, .ethnicity = f->ethnicity,
        .education = f->education, .category = m->category, .status = m->status,
        .birth_date = m->birth_date, .applied_on = f->applied_on, .activist_on = f->activist_on,
        .candidate_on = f->candidate_on, .joined_on = m->joined_on, .full_on = f->full_on,
        .full_exception = f->full_exception, .status_on = f->status_on,
        .status_reason = f->status_reason, .job = f->job, .title = f->title,
        .work_unit = f->work_unit, .department = f->department,
    };
    const char **plain[3] = {&r->id_number, &r->phone, &r->address};
    for (int i = 0; i < 3; i++)
        if (member_record_unseal(req->arena, PDATA[i].column, m->id, sealed_of(f, i), plain[i], e) != 0)
            return -1;
    return 0;
}

/* The row to write for record r: personal data from the current row where unchanged, sealed
 * anew (with blind indexes) where changed. cur NULL: a new row (everything sealed). */
void member_record_row_base(const struct member_record *r, const struct member_check *chk,
                            struct member_row *row)
{
    *row = (struct member_row){
        .org_id = r->org_id, .name = r->name, .gender = chk->gender, .birth_date = r->birth_date,
        .category = r->category, .status = r->status, .ethnicity = r->ethnicity,
        .education = r->education, .applied_on = r->applied_on, .activist_on = r->activist_on,
        .candidate_on = r->candidate_on, .joined_on = r->joined_on, .full_on = r->full_on,
        .full_exception = r->full_exception, .job = r->job, .title = r->title,
        .work_unit = r->work_unit, .department = r->department, .status_on = r->status_on,
        .status_reason = r->status_reason,
    };
}

static int row_of(struct http_req *req, int64_t id, const struct member_record *r,
                  const struct member_check *chk, const struct member_full *cur,
                  const struct member_record *cur_rec, struct member_row *row, struct err *e)
{
    const struct keys *k = keys_get();
    member_record_row_base(r, chk, row);
    if (cur != NULL) {
        row->id_number_enc = cur->m.id_number_enc;
        row->id_number_bidx = cur->id_number_bidx;
        row->id_number_orig_enc = cur->id_number_orig_enc;
        row->phone_enc = cur->m.phone_enc;
        row->phone_bidx = cur->phone_bidx;
        row->address_enc = cur->m.address_enc;
    }
    const char *now[3] = {r->id_number, r->phone, r->address};
    const char *was[3] = {cur_rec ? cur_rec->id_number : NULL, cur_rec ? cur_rec->phone : NULL,
                          cur_rec ? cur_rec->address : NULL};
    const char **enc[3] = {&row->id_number_enc, &row->phone_enc, &row->address_enc};
    const char **bidx[3] = {&row->id_number_bidx, &row->phone_bidx, NULL};
    for (int i = 0; i < 3; i++) {
        bool has = now[i] != NULL && now[i][0] != '\0';
        if (cur_rec != NULL && strcmp(has ? now[i] : "", was[i] != NULL ? was[i] : "") == 0)
            continue;
        *enc[i] = NULL;
        if (bidx[i] != NULL)
            *bidx[i] = NULL;
        if (i == 0)
            row->id_number_orig_enc = NULL;
        if (!has)
            continue;
        if (k == NULL)
            return err_set(e, ERR_UNAVAILABLE, "keys.not_loaded");
        struct field_keyring kr = keys_field_ring(k);
        char *s = NULL;
        if (field_encrypt(&kr, PDATA[i].column, id, now[i], &s, e) != 0)
            return -1;
        *enc[i] = arena_strdup(req->arena, s);
        free(s);
        if (bidx[i] != NULL) {
            char norm[PDATA_NORM_MAX], hex[FIELD_BLIND_HEX];
            int bad = i == 0 ? pdata_normalise_id_number(now[i], norm)
                             : pdata_normalise_phone(now[i], norm);
            if (bad == 0) {
                pdata_blind(k, PDATA[i].field, norm, hex);
                *bidx[i] = arena_strdup(req->arena, hex);
            }
        }
        if (i == 0 && chk->id_orig[0] != '\0') {           /* ID-05: the original, sealed */
            if (field_encrypt(&kr, "members.id_number_orig", id, chk->id_orig, &s, e) != 0)
                return -1;
            row->id_number_orig_enc = arena_strdup(req->arena, s);
            free(s);
        }
    }
    return 0;
}

/* Checks r with the rules (codes and the ID-07 pattern from the database) and normalises it
 * in place: 18-digit ID, derived birth date and gender, stripped phone. */
int member_record_check(struct http_req *req, struct member_record *r, struct member_check *chk,
                        struct err *e)
{
    struct member_codes codes;
    struct member_rule_config cfg;
    const char *pattern;
    if (member_codes_load(req->db, req->arena, &codes, e) != 0 ||
        member_record_phone_pattern(req->db, req->arena, &pattern, e) != 0)
        return -1;
    if (member_rules_config_init(&cfg, pattern) != 0)
        log_warn("member", "req=%s ID-07.phone_pattern does not compile; default used", req->id);
    int n = member_rules_check(r, &cfg, today(), member_codes_has, &codes, chk);
    member_rules_config_fini(&cfg);
    if (member_record_violations(chk->v, n, e) != 0)
        return -1;
    if (chk->id_number[0] != '\0')
        r->id_number = arena_strdup(req->arena, chk->id_number);
    r->birth_date = arena_strdup(req->arena, chk->birth_date);
    char *g = arena_alloc(req->arena, 4);
    snprintf(g, 4, "%d", chk->gender);
    r->gender = g;
    if (chk->phone[0] != '\0')
        r->phone = arena_strdup(req->arena, chk->phone);
    return 0;
}

/* The member's org must be a 党支部 or 党小组 the caller may write (MEMB-03). */
static int org_allowed(struct http_req *req, int64_t org_id, struct err *e)
{
    struct org o;
    if (org_api_load_scoped(req, "member.write", org_id, &o, e) != 0) {
        if (e->code != ERR_NOT_FOUND)
            return -1;
        err_clear(e);
        return err_field(e, "org_id", "member.org_not_found");
    }
    if (o.type != ORG_BRANCH && o.type != ORG_GROUP)
        return err_field(e, "org_id", "member.org_not_branch");
    return 0;
}

int member_record_load_scoped(struct http_req *req, const char *perm, struct member_full *f,
                              struct err *e)
{
    int64_t id;
    if (http_param_id(req, "id", &id, e) != 0 || member_record_get(req->db, req->arena, id, f, e) != 0)
        return -1;
    if (!auth_in_scope(req, perm, f->m.org_path))
        return err_set(e, ERR_NOT_FOUND, "member.not_found");
    return 0;
}

int member_record_audit(struct http_req *req, const char *action, const struct member_full *f,
                        json_t *changes, struct err *e)
{
    struct audit_who who = audit_who_req(req);
    char object[32];
    snprintf(object, sizeof object, "member:%lld", (long long)f->m.id);
    int rc = audit_append(req->db, &who, action, object, f->m.org_id, changes, e);
    json_decref(changes);
    return rc;
}

/* The masked ID number, phone and address of f: out[i] points into masked[i], or is NULL when
 * there is no value (or it does not open: logged, tampering or a lost key). */
void member_record_mask(const struct member_full *f, char masked[3][MASK_MAX], const char *out[3])
{
    const struct keys *k = keys_get();
    struct field_keyring kr = k != NULL ? keys_field_ring(k) : (struct field_keyring){0};
    for (int i = 0; i < 3; i++) {
        const char *s = sealed_of(f, i);
        bool ok = s != NULL && k != NULL &&
                  pdata_masked(&kr, PDATA[i].column, f->m.id, s, PDATA[i].mask, masked[i]) == 0;
        if (s != NULL && !ok)
            log_error("member", "member %lld %s does not open", (long long)f->m.id, PDATA[i].column);
        out[i] = ok ? masked[i] : NULL;
    }
}

/* Replies with the full record {id} (masked), read after the change. */
void member_record_reply(struct http_req *req, struct http_res *res, int status, int64_t id)
{
    struct err e = ERR_INIT;
    struct member_full f;
    struct member_post *posts;
    struct member_award *awards;
    struct member_status_entry *log;
    int64_t np, na, nl;
    if (member_record_get(req->db, req->arena, id, &f, &e) != 0 ||
        member_posts_list(req->db, req->arena, id, &posts, &np, &e) != 0 ||
        member_awards_list(req->db, req->arena, id, &awards, &na, &e) != 0 ||
        member_status_history(req->db, req->arena, id, &log, &nl, &e) != 0) {
        http_reply_error(res, &e);
        return;
    }
    char masked[3][MASK_MAX];
    const char *mp[3];
    member_record_mask(&f, masked, mp);
    struct buf b = BUF_INIT(4 << 20);
    member_record_write(&b, &f, mp, posts, np, awards, na, log, nl);
    http_reply_json_buf(res, status, &b);
    buf_fini(&b);
}

int member_record_apply(struct http_req *req, const struct member_full *cur, int64_t version,
                        const struct member_record *was, const struct member_record *r,
                        const struct member_check *chk, const char *action, struct err *e)
{
    struct member_row row;
    if (row_of(req, cur->m.id, r, chk, cur, was, &row, e) != 0 ||
        member_record_update(req->db, cur->m.id, version, &row, e) != 0 ||
        member_record_check_duplicate(req->db, cur->m.id, r->id_number, e) != 0)
        return -1;
    return member_record_audit(req, action, cur, member_record_diff(was, r), e);
}

/* Writes the whole change: duplicate check, row, audit; one transaction. */
static int write_record(struct http_req *req, struct member_full *cur,
                        const struct member_record *cur_rec, struct member_record *r,
                        const struct member_check *chk, int64_t version, int64_t *id,
                        struct err *e)
{
    struct member_row row;
    struct member_full made = {0};
    if (db_begin(req->db, e) != 0)
        return -1;
    if (cur == NULL) {
        member_record_row_base(r, chk, &row);
        if (member_record_insert(req->db, &row, id, e) != 0 ||
            row_of(req, *id, r, chk, NULL, NULL, &row, e) != 0 ||
            member_record_set_pdata(req->db, *id, &row, e) != 0)
            goto fail;
        made.m.id = *id;
        made.m.org_id = r->org_id;
        cur = &made;
    } else {
        if (member_record_apply(req, cur, version, cur_rec, r, chk, "member.update", e) != 0 ||
            db_commit(req->db, e) != 0)
            goto fail;
        return 0;
    }
    if (member_record_check_duplicate(req->db, cur->m.id, r->id_number, e) != 0 ||
        member_record_audit(req, "member.create", cur, member_record_diff(NULL, r), e) != 0 ||
        db_commit(req->db, e) != 0)
        goto fail;
    return 0;
fail:
    db_rollback(req->db);
    return -1;
}

/* POST /api/v1/members */
static void members_create(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_record r = {.status = "normal"};
    struct member_check chk;
    int64_t version, id = 0;
    int merged = member_record_merge(req->arena, req->json, &r, &version, &e);
    if (merged != 0 && e.nfields == 0)
        goto fail;                                 /* not an object */
    if (member_record_check(req, &r, &chk, &e) != 0 || merged != 0)
        goto fail;
    if (org_allowed(req, r.org_id, &e) != 0 ||
        write_record(req, NULL, NULL, &r, &chk, 0, &id, &e) != 0)
        goto fail;
    member_record_reply(req, res, 201, id);
    return;
fail:
    http_reply_error(res, &e);
}

/* PATCH /api/v1/members/{id} {..., "version": N} */
static void members_update(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_full cur;
    struct member_record was, r;
    struct member_check chk;
    int64_t version, id;
    if (member_record_load_scoped(req, "member.write", &cur, &e) != 0)
        goto fail;
    if (member_rules_is_archived(cur.m.status)) {
        err_set(&e, ERR_CONFLICT, "member.archived_read_only");
        goto fail;
    }
    if (member_record_open(req, &cur, &was, &e) != 0)
        goto fail;
    r = was;
    int merged = member_record_merge(req->arena, req->json, &r, &version, &e);
    if (merged != 0 && e.nfields == 0)
        goto fail;
    if (version == 0)
        err_field(&e, "version", "field.required");
    if (member_record_check(req, &r, &chk, &e) != 0 || e.code != ERR_OK)
        goto fail;
    if (version != cur.version) {
        err_set(&e, ERR_CONFLICT, "member.stale_version");
        goto fail;
    }
    if (r.org_id != cur.m.org_id && org_allowed(req, r.org_id, &e) != 0)
        goto fail;
    json_t *d = member_record_diff(&was, &r);
    bool changed = json_object_size(d) > 0;
    json_decref(d);
    if (changed && write_record(req, &cur, &was, &r, &chk, version, &id, &e) != 0)
        goto fail;
    member_record_reply(req, res, 200, cur.m.id);
    return;
fail:
    http_reply_error(res, &e);
}

/* GET /api/v1/members/{id}: the full record, personal data masked. */
static void members_get(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_full f;
    if (member_record_load_scoped(req, "member.read", &f, &e) != 0)
        http_reply_error(res, &e);
    else
        member_record_reply(req, res, 200, f.m.id);
}

/* Moves cur to status `to` (with date and reason, or none for "normal") in one transaction
 * with its history row and audit entry. */
static int set_status(struct http_req *req, struct member_full *cur, const char *action,
                      const char *to, const char *on_date, const char *reason, struct err *e)
{
    struct member_record was, r;
    struct member_check chk = {.gender = cur->m.gender};
    struct member_row row;
    if (member_record_open(req, cur, &was, e) != 0)
        return -1;
    r = was;
    r.status = to;
    r.status_on = strcmp(to, "normal") == 0 ? NULL : on_date;
    r.status_reason = strcmp(to, "normal") == 0 ? NULL : reason;
    if (db_begin(req->db, e) != 0)
        return -1;
    if (row_of(req, cur->m.id, &r, &chk, cur, &was, &row, e) != 0 ||
        member_record_update(req->db, cur->m.id, cur->version, &row, e) != 0 ||
        member_record_status_log(req->db, cur->m.id, cur->m.status, to, on_date, reason,
                                 req->auth != NULL ? req->auth->user_id : 0, e) != 0 ||
        member_record_audit(req, action, cur, member_record_diff(&was, &r), e) != 0 ||
        db_commit(req->db, e) != 0) {
        db_rollback(req->db);
        return -1;
    }
    return 0;
}

static const char *body_str(const json_t *body, const char *key)
{
    return json_string_value(json_object_get(body, key));
}

/* POST /api/v1/members/{id}/status {"status","on_date","reason"} */
static void members_status(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_full cur;
    struct member_codes codes;
    struct member_violation v[4];
    json_t *body;
    if (member_record_load_scoped(req, "member.write", &cur, &e) != 0 ||
        http_body_object(req, &body, &e) != 0)
        goto fail;
    if (member_rules_is_archived(cur.m.status)) {
        err_set(&e, ERR_CONFLICT, "member.archived_read_only");
        goto fail;
    }
    const char *to = body_str(body, "status"), *on = body_str(body, "on_date"),
               *reason = body_str(body, "reason");
    if (member_codes_load(req->db, req->arena, &codes, &e) != 0)
        goto fail;
    int n = member_rules_check_status(cur.m.status, to, on, reason, today(), member_codes_has,
                                      &codes, v);
    if (member_record_violations(v, n, &e) != 0 ||
        set_status(req, &cur, "member.status", to, on, reason, &e) != 0)
        goto fail;
    member_record_reply(req, res, 200, cur.m.id);
    return;
fail:
    http_reply_error(res, &e);
}

/* POST /api/v1/members/{id}/restore {"reason"}: back from the archive to normal. */
static void members_restore(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct member_full cur;
    json_t *body;
    char on[11];
    if (member_record_load_scoped(req, "member.write", &cur, &e) != 0 ||
        http_body_object(req, &body, &e) != 0)
        goto fail;
    if (!member_rules_is_archived(cur.m.status)) {
        err_set(&e, ERR_CONFLICT, "member.not_archived");
        goto fail;
    }
    const char *reason = body_str(body, "reason");
    if (!member_rules_text_ok(reason, 500, true)) {
        err_field(&e, "reason", reason == NULL || reason[0] == '\0' ? "member.rule.rec01_required"
                                                                     : "member.rule.rec02_text");
        goto fail;
    }
    date_format(today(), on);
    if (set_status(req, &cur, "member.restore", "normal", on, reason, &e) != 0)
        goto fail;
    member_record_reply(req, res, 200, cur.m.id);
    return;
fail:
    http_reply_error(res, &e);
}

static const struct route record_routes[] = {
    {"POST", "/api/v1/members", members_create, "member.write"},
    {"GET", "/api/v1/members/{id}", members_get, "member.read"},
    {"PATCH", "/api/v1/members/{id}", members_update, "member.write"},
    {"POST", "/api/v1/members/{id}/status", members_status, "member.write"},
    {"POST", "/api/v1/members/{id}/restore", members_restore, "member.write"},
};

void member_record_register(void)
{
    http_routes_register(record_routes, sizeof record_routes / sizeof record_routes[0]);
    member_sub_register();
    member_archive_register();
    member_change_register();
    member_quality_register();
    member_record_msgs_register();
}
