/* member_filter.h: saved member searches (issue 5 §3): a user's named sets of list parameters.
 * Store in member_filter_store.c, handlers in member_filter_api.c. Threads: per connection. */
#ifndef DJ_MEMBER_FILTER_H
#define DJ_MEMBER_FILTER_H
#include <stdint.h>

struct arena;
struct db;
struct err;

#define MEMBER_FILTERS_MAX 200     /* per user */

struct member_filter {
    int64_t id;
    const char *name;
    const char *params;        /* JSON object text */
    int64_t created_at;
};

int member_filter_list(struct db *db, struct arena *a, int64_t user_id,
                       struct member_filter **out, int64_t *n, struct err *e)
    __attribute__((warn_unused_result));
/* ERR_CONFLICT on fields.name when the user has a filter of that name. */
int member_filter_create(struct db *db, int64_t user_id, const char *name, const char *params,
                         int64_t *id, struct err *e) __attribute__((warn_unused_result));
/* ERR_NOT_FOUND unless the filter exists and is the user's. */
int member_filter_delete(struct db *db, int64_t user_id, int64_t id, struct err *e)
    __attribute__((warn_unused_result));

#endif
