/* member.h: party members (issue 5 builds the full record; issue 4 adds the protected personal
 * data and the scoped, masked list). ID number, phone and address are stored encrypted
 * (crypto/field.h, AD "members.<column>:<id>"); lists show them masked (core/mask.h) and the
 * full value is revealed one at a time to holders of member.reveal, with an audit entry.
 * Threads: per connection, like every store. */
#ifndef DJ_MEMBER_H
#define DJ_MEMBER_H
#include <stdbool.h>
#include <stdint.h>

struct arena;
struct db;
struct err;

struct member {
    int64_t id;
    int64_t org_id;
    const char *org_name;       /* arena strings */
    const char *org_path;
    const char *name;
    int gender;                 /* CODE-01: 1 male, 2 female, 0/9 unknown */
    const char *birth_date;
    const char *category;       /* "full" | "probationary" */
    const char *joined_on;
    const char *status;
    const char *id_number_enc;  /* sealed values or NULL */
    const char *phone_enc;
    const char *address_enc;
    /* issue 5: the record fields lists and exports show */
    const char *full_on;
    const char *ethnicity;      /* CODE-03 code or NULL */
    const char *education;      /* CODE-04 code or NULL */
    const char *post;           /* current party post code (member_posts, not ended) or NULL */
    const char *job;
    const char *title;
    const char *work_unit;
    const char *department;
};

struct member_query;

/* Totals of a search are counted up to this many; beyond, the list says "more than" (a COUNT
 * of 80,000 name matches would cost more than the page). Decision 0014. */
#define MEMBER_TOTAL_CAP 10000

/* Members in service (正常, 失联) matching q (member_query.h; q->scope set), in q's order with
 * the id as the last key. total NULL: not counted (the caller knows it, e.g. from the org's
 * roll-up); else the count, at most MEMBER_TOTAL_CAP + 1. The history archive (left, deceased, ...) is apart. (member_search.c) */
int member_store_search(struct db *db, struct arena *a, const struct member_query *q,
                        int64_t limit, int64_t offset, struct member **out, int64_t *n,
                        int64_t *total, struct err *e) __attribute__((warn_unused_result));
/* Every match, one row at a time, for exports: each(ctx, m) returns 0 to go on, -1 to stop
 * (with e filled). Row strings live until the next row. *rows counts the rows passed. */
int member_store_each(struct db *db, const struct member_query *q,
                      int (*each)(void *ctx, const struct member *m, struct err *e), void *ctx,
                      int64_t *rows, struct err *e) __attribute__((warn_unused_result));
/* An org as a search needs it, by id or (id 0) by code, without the roll-up (cheaper than
 * org_store_get). everything: it is the only root, so its subtree holds every org. */
struct member_org {
    int64_t id;
    const char *path, *code, *name;
    bool everything;
};
int member_store_org_brief(struct db *db, struct arena *a, int64_t id, const char *code,
                           struct member_org *out, struct err *e)
    __attribute__((warn_unused_result));
/* Checks that q's post, education and ethnicity codes exist in code_tables (field errors). */
int member_store_check_codes(struct db *db, const struct member_query *q, struct err *e)
    __attribute__((warn_unused_result));
int member_store_get(struct db *db, struct arena *a, int64_t id, struct member *out,
                     struct err *e) __attribute__((warn_unused_result));

void member_register(void);
/* `dangjian idcard check NUMBER` (member_cli.c); argv[0] is "idcard". Returns the exit code. */
int member_cli_main(int argc, char **argv);
/* The record's routes (member_record_api.c, member_sub_api.c) and message texts
 * (member_record_msgs.c); called by member_register. Startup only. */
void member_record_register(void);
void member_record_msgs_register(void);
/* `dangjian export members ...` (member_export_cli.c); argv[0] is "export". Exit 0 ok, 1 failure, 2 usage. */
int member_cli_export(int argc, char **argv, const char *db_url);

#endif
