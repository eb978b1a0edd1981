/* member_change.h: a member's own change requests (issue 5 §7), shared by member_change_store.c
 * (SQL) and member_change_api.c (the /me and /member-change-requests routes). Not for other
 * features. A request's org is the member's current org (scope follows the member).
 * Threads: per connection, like every store. */
#ifndef DJ_MEMBER_CHANGE_H
#define DJ_MEMBER_CHANGE_H
#include <stdint.h>

struct arena;
struct db;
struct err;

struct member_change {
    int64_t id, member_id, user_id, base_version, created_at, decided_at, org_id;
    const char *state, *fields, *note, *proposed_enc, *base_enc;   /* arena strings */
    const char *member_name, *org_name, *org_path;
};

struct member_change_event {
    int64_t user_id, at;
    const char *action, *user_name, *comment;
};

struct member_change_filter {
    int64_t member_id;          /* > 0: this member's requests, newest first */
    const char *scope;          /* else: the subtree (org path), oldest first */
    const char *state;          /* "" = any */
};

int member_change_get(struct db *db, struct arena *a, int64_t id, struct member_change *out,
                      struct err *e) __attribute__((warn_unused_result));
int member_change_list(struct db *db, struct arena *a, const struct member_change_filter *f,
                       int64_t limit, int64_t offset, struct member_change **out, int64_t *n,
                       int64_t *total, struct err *e) __attribute__((warn_unused_result));
/* 1 when the member has a pending request, 0 when not, -1 on error. */
int member_change_has_pending(struct db *db, int64_t member_id, struct err *e)
    __attribute__((warn_unused_result));
/* Inside the caller's transaction: the row (state pending, no sealed values yet) and its id. */
int member_change_insert(struct db *db, const struct member_change *c, int64_t *id, struct err *e)
    __attribute__((warn_unused_result));
int member_change_seal(struct db *db, int64_t id, const char *proposed_enc, const char *base_enc,
                       struct err *e) __attribute__((warn_unused_result));
/* pending -> state; ERR_CONFLICT "change_request.not_pending" when no longer pending. */
int member_change_decide(struct db *db, int64_t id, const char *state, int64_t user_id,
                         struct err *e) __attribute__((warn_unused_result));
int member_change_event_add(struct db *db, int64_t id, const char *action, int64_t user_id,
                            const char *comment, struct err *e) __attribute__((warn_unused_result));
int member_change_events(struct db *db, struct arena *a, int64_t id,
                         struct member_change_event **out, int64_t *n, struct err *e)
    __attribute__((warn_unused_result));

void member_change_register(void);

#endif
