/* audit_query.h: reading the audit log for people (the auditor's page, its CSV export and
 * `dangjian audit list`): filters, newest first, and one JSON shape per entry.
 *
 * Filters combine with AND: action is a prefix ("org." finds every org action), actor and
 * object match exactly, q is a substring of the actor, actor name, action, object or changes,
 * and from/to are calendar days in Asia/Shanghai (to is inclusive). scope_path limits entries
 * to one org subtree (an API token scoped below the whole system); entries without an org are
 * then left out. Reading never changes the log. Threads: per connection. */
#ifndef DJ_AUDIT_QUERY_H
#define DJ_AUDIT_QUERY_H
#include <jansson.h>
#include <stdint.h>

struct arena;
struct db;
struct err;

#define AUDIT_QUERY_TEXT_MAX 200      /* longest filter value accepted */
#define AUDIT_EXPORT_MAX_ROWS 200000  /* one CSV; narrow the dates for more */

struct audit_filter {
    const char *action;       /* prefix; NULL or "" = any */
    const char *actor;        /* "user:12"; NULL or "" = any */
    const char *object;       /* "org:5"; NULL or "" = any */
    const char *q;            /* substring; NULL or "" = any */
    int64_t from_s;           /* at >= from_s; 0 = open */
    int64_t to_s;             /* at < to_s; 0 = open */
    const char *scope_path;   /* "/1/5/"; NULL or "" = the whole log */
};

struct audit_row {
    int64_t seq;
    int64_t at;               /* unix seconds */
    int64_t org_id;           /* 0 = none */
    const char *actor, *actor_name, *action, *object, *ip, *changes, *hash;
};

/* Fills f's text filters and dates from strings (any may be NULL), checking lengths and
 * "YYYY-MM-DD" dates (from <= to). Field errors name "action", "actor", "object", "q", "from",
 * "to". Pure: the strings are borrowed, not copied. */
int audit_query_filter(struct audit_filter *f, const char *action, const char *actor,
                       const char *object, const char *q, const char *from, const char *to,
                       struct err *e) __attribute__((warn_unused_result));

/* One page, newest first; rows (n of them) and their strings live in a. */
int audit_query_list(struct db *db, struct arena *a, const struct audit_filter *f, int64_t limit,
                     int64_t offset, struct audit_row **rows, int64_t *n, int64_t *total,
                     struct err *e) __attribute__((warn_unused_result));
int audit_query_count(struct db *db, struct arena *a, const struct audit_filter *f,
                      int64_t *total, struct err *e) __attribute__((warn_unused_result));
/* Calls fn for every matching entry, newest first; the row's strings are valid during the call
 * only. A non-zero return from fn stops with -1 (fn fills e). */
typedef int (*audit_row_fn)(void *ctx, const struct audit_row *r, struct err *e);
int audit_query_each(struct db *db, struct arena *a, const struct audit_filter *f,
                     audit_row_fn fn, void *ctx, struct err *e) __attribute__((warn_unused_result));

/* {"seq","at","time","actor","actor_name","action","object","org_id","ip","changes","hash"};
 * time is "YYYY-MM-DD HH:MM:SS" in Asia/Shanghai, changes the parsed JSON. Caller owns it. */
json_t *audit_row_json(const struct audit_row *r);
/* "YYYY-MM-DD HH:MM:SS" in Asia/Shanghai (UTC+8). */
void audit_time_text(int64_t at, char out[20]);

#endif
