/* member_record.h: the member record's insides, shared by its store, JSON and handlers
 * (member_record_store.c, member_record_sub_store.c, member_record_json.c, member_record_api.c,
 * member_sub_api.c). Not for other features: they use member.h.
 *
 * A record is read as one struct member_full (arena strings, sealed personal data); a change
 * is written as a struct member_row holding every column's new value, so create and update
 * share one shape, and the version check (optimistic concurrency) lives in the UPDATE itself.
 * Threads: per connection, like every store. */
#ifndef DJ_MEMBER_RECORD_H
#define DJ_MEMBER_RECORD_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "features/member/member.h"
#include "features/member/member_rules.h"

struct arena;
struct audit_who;
struct buf;
struct db;
struct err;
struct http_req;
struct http_res;

struct member_full {
    struct member m;                /* id, org, name, gender, birth_date, category, joined_on,
                                     * status, sealed id_number/phone/address */
    const char *ethnicity, *education, *applied_on, *activist_on, *candidate_on, *full_on;
    const char *full_exception, *job, *title, *work_unit, *department, *status_on,
        *status_reason, *id_number_orig_enc, *id_number_bidx, *phone_bidx;
    int64_t version;
    bool has_photo;
};

/* Every column a create or update writes (NULL = SQL NULL). Sealed values and blind indexes
 * are made by the caller with the row's id (member_record_seal). */
struct member_row {
    int64_t org_id;
    const char *name;
    int gender;
    const char *birth_date, *category, *status, *ethnicity, *education, *applied_on,
        *activist_on, *candidate_on, *joined_on, *full_on, *full_exception, *job, *title,
        *work_unit, *department, *status_on, *status_reason;
    const char *id_number_enc, *id_number_bidx, *id_number_orig_enc, *phone_enc, *phone_bidx,
        *address_enc;
};

struct member_post {
    int64_t id, member_id, org_id;
    const char *post, *started_on, *ended_on;
};

struct member_award {
    int64_t id, member_id;
    const char *kind, *code, *title, *decided_on, *decided_by, *ends_on, *reason;
};

struct member_status_entry {
    int64_t id, user_id, at;
    const char *from_status, *to_status, *on_date, *reason;
};

struct member_code {
    const char *kind, *code, *label_zh, *label_en;
    bool active;
};

struct member_codes {
    struct member_code *rows;       /* arena */
    int64_t n;
};

/* ---- member_record_store.c ---- */

int member_record_get(struct db *db, struct arena *a, int64_t id, struct member_full *out,
                      struct err *e) __attribute__((warn_unused_result));
/* Inserts the non-personal columns, returning the new id (inside the caller's transaction). */
int member_record_insert(struct db *db, const struct member_row *r, int64_t *id, struct err *e)
    __attribute__((warn_unused_result));
/* The personal-data columns of a row just inserted (sealed with its id); version unchanged. */
int member_record_set_pdata(struct db *db, int64_t id, const struct member_row *r, struct err *e)
    __attribute__((warn_unused_result));
/* Writes every column of r and version + 1 where the row still has `version`: ERR_CONFLICT
 * "member.stale_version" otherwise. */
int member_record_update(struct db *db, int64_t id, int64_t version, const struct member_row *r,
                         struct err *e) __attribute__((warn_unused_result));
/* Bulk, for the import. find_bidx: calls fn(ctx, i, member) for each member whose ID-number
 * blind index is bidx[i], lowest id first (the blind indexes given must differ), one query per
 * 128; the member's strings live in a. reserve_ids: n new member ids, never handed out again
 * (call inside the writing transaction). insert_rows: rows[i] as member ids[i], version 1, in
 * multi-row INSERTs. */
typedef void (*member_found_fn)(void *ctx, size_t i, const struct member_full *f);
int member_record_find_bidx(struct db *db, struct arena *a, const char *const *bidx, size_t n,
                            member_found_fn fn, void *ctx, struct err *e)
    __attribute__((warn_unused_result));
int member_record_reserve_ids(struct db *db, size_t n, int64_t *ids, struct err *e)
    __attribute__((warn_unused_result));
int member_record_insert_rows(struct db *db, const int64_t *ids, const struct member_row *rows,
                              size_t n, struct err *e) __attribute__((warn_unused_result));
/* PostgreSQL: ANALYZE members when the planner has no statistics for id_number_bidx yet (or
 * the bulk lookups scan the table); *ok false while the table is still empty. SQLite: *ok. */
int member_record_plan_stats(struct db *db, bool *ok, struct err *e)
    __attribute__((warn_unused_result));
/* ERR_CONFLICT with field id_number when another member has this ID number (its blind index
 * under the current or a kept older blind key); nothing to check without one. */
int member_record_check_duplicate(struct db *db, int64_t id, const char *id_number,
                                  struct err *e) __attribute__((warn_unused_result));
/* The ID-07 phone pattern from rule_settings ("ID-07.phone_pattern", platform row), or NULL. */
int member_record_phone_pattern(struct db *db, struct arena *a, const char **out, struct err *e)
    __attribute__((warn_unused_result));
int member_codes_load(struct db *db, struct arena *a, struct member_codes *out, struct err *e)
    __attribute__((warn_unused_result));
/* member_code_fn over a struct member_codes. */
bool member_codes_has(void *codes, const char *kind, const char *code);
/* Archived members of a subtree (scope = path), newest status_on first. */
int member_record_archive(struct db *db, struct arena *a, const char *scope, const char *q,
                          const char *status, int64_t limit, int64_t offset,
                          struct member_full **out, int64_t *n, int64_t *total, struct err *e)
    __attribute__((warn_unused_result));
/* Bumps version (and updated_at) of a member changed through its posts, awards or photo. */
int member_record_touch(struct db *db, int64_t id, struct err *e) __attribute__((warn_unused_result));
int member_record_status_log(struct db *db, int64_t member_id, const char *from, const char *to,
                             const char *on_date, const char *reason, int64_t user_id,
                             struct err *e) __attribute__((warn_unused_result));

/* ---- member_record_sub_store.c: posts, awards, status history, photo ---- */

int member_posts_list(struct db *db, struct arena *a, int64_t member_id, struct member_post **out,
                      int64_t *n, struct err *e) __attribute__((warn_unused_result));
int member_post_get(struct db *db, struct arena *a, int64_t member_id, int64_t id,
                    struct member_post *out, struct err *e) __attribute__((warn_unused_result));
int member_post_insert(struct db *db, const struct member_post *p, int64_t *id, struct err *e)
    __attribute__((warn_unused_result));
int member_post_update(struct db *db, const struct member_post *p, struct err *e)
    __attribute__((warn_unused_result));
int member_awards_list(struct db *db, struct arena *a, int64_t member_id,
                       struct member_award **out, int64_t *n, struct err *e)
    __attribute__((warn_unused_result));
int member_award_get(struct db *db, struct arena *a, int64_t member_id, int64_t id,
                     struct member_award *out, struct err *e) __attribute__((warn_unused_result));
int member_award_insert(struct db *db, const struct member_award *w, int64_t *id, struct err *e)
    __attribute__((warn_unused_result));
int member_award_update(struct db *db, const struct member_award *w, struct err *e)
    __attribute__((warn_unused_result));
/* Deletes a post ("member_posts") or award ("member_awards") row of the member. */
int member_sub_delete(struct db *db, bool award, int64_t member_id, int64_t id, struct err *e)
    __attribute__((warn_unused_result));
int member_status_history(struct db *db, struct arena *a, int64_t member_id,
                          struct member_status_entry **out, int64_t *n, struct err *e)
    __attribute__((warn_unused_result));
/* The photo as stored (base64 text) and its mime; ERR_NOT_FOUND "member.no_photo". */
int member_photo_get(struct db *db, struct arena *a, int64_t member_id, const char **mime,
                     const char **b64, struct err *e) __attribute__((warn_unused_result));
int member_photo_put(struct db *db, int64_t member_id, const char *mime, const char *b64,
                     struct err *e) __attribute__((warn_unused_result));
/* true when a row was deleted. */
int member_photo_delete(struct db *db, int64_t member_id, bool *deleted, struct err *e)
    __attribute__((warn_unused_result));

/* ---- member_record_json.c ---- */

/* The record as the API shows it: personal data masked, plus posts, awards, status history
 * and version (written as text). */
void member_record_write(struct buf *b, const struct member_full *f, const char *masked[3],
                         const struct member_post *posts, int64_t nposts,
                         const struct member_award *awards, int64_t nawards,
                         const struct member_status_entry *log, int64_t nlog);
json_t *member_post_json(const struct member_post *p);
json_t *member_award_json(const struct member_award *w);
/* Merges the JSON body over base (the current record, or zeros when creating): every key
 * present replaces the field (null or "" clears it). Unknown keys and wrong types fail as
 * field errors (ERR_INVALID); strings point into body or the arena. Sets *version (0 when
 * absent). */
int member_record_merge(struct arena *a, const json_t *body, struct member_record *base,
                        int64_t *version, struct err *e) __attribute__((warn_unused_result));
/* The audit changes between two records ({"field":{"from","to"}} for each that differs; from
 * NULL = creation). ID number, phone and address are masked (core/mask.h). */
json_t *member_record_diff(const struct member_record *from, const struct member_record *to);
/* Adds every violation to e (first per field, at most ERR_MAX_FIELDS); returns -1 when any. */
int member_record_violations(const struct member_violation *v, int n, struct err *e);

/* ---- member_record_api.c (shared with member_sub_api.c) ---- */

/* The non-personal columns of record r (checked: chk->gender); personal data left NULL. */
void member_record_row_base(const struct member_record *r, const struct member_check *chk,
                            struct member_row *row);
/* Opens one sealed value into the arena (NULL when none); -1 when it does not open. */
int member_record_unseal(struct arena *a, const char *column, int64_t id, const char *sealed,
                         const char **out, struct err *e) __attribute__((warn_unused_result));

/* Loads member {id} if the caller holds perm over its org (404 otherwise). */
int member_record_load_scoped(struct http_req *req, const char *perm, struct member_full *f,
                              struct err *e) __attribute__((warn_unused_result));
/* Audits action on member m inside the current transaction; takes over changes. */
int member_record_audit(struct http_req *req, const char *action, const struct member_full *f,
                        json_t *changes, struct err *e) __attribute__((warn_unused_result));
/* The masked ID number, phone and address of f: out[i] points into masked[i], or is NULL when
 * there is none (or it does not open: logged). */
void member_record_mask(const struct member_full *f, char masked[3][256], const char *out[3]);
/* The record as text fields with personal data opened (arena): the base a change merges over. */
int member_record_open(struct http_req *req, const struct member_full *f, struct member_record *r,
                       struct err *e) __attribute__((warn_unused_result));
/* Checks r with member_rules (code tables, ID-07 pattern) and normalises it in place; every
 * violation becomes a field error with its rule id. */
int member_record_check(struct http_req *req, struct member_record *r, struct member_check *chk,
                        struct err *e) __attribute__((warn_unused_result));
/* Inside the caller's transaction: writes r over cur where it still has `version` (ERR_CONFLICT
 * "member.stale_version" otherwise), re-sealing changed personal data, checks the ID number's
 * duplicate and audits `action` with the masked diff from was. */
int member_record_apply(struct http_req *req, const struct member_full *cur, int64_t version,
                        const struct member_record *was, const struct member_record *r,
                        const struct member_check *chk, const char *action, struct err *e)
    __attribute__((warn_unused_result));
/* Replies with the full record {id} (masked), as GET /members/{id} shows it. */
void member_record_reply(struct http_req *req, struct http_res *res, int status, int64_t id);
/* The subtree a list covers: ?org_id= (scoped by perm, 404 outside) or the caller's widest. */
int member_record_scope(struct http_req *req, const char *perm, const char **path, struct err *e)
    __attribute__((warn_unused_result));
void member_sub_register(void);
void member_archive_register(void);

#endif
