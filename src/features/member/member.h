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
};

struct member_filter {
    const char *scope;          /* org path prefix: the subtree to list */
    const char *q;              /* part of the name, or "" */
};

/* Members in service (正常, 失联) of the subtree, in tree order (org by org, then id). total NULL: not counted (the caller
 * knows it, e.g. from the org's roll-up). The history archive (left, deceased, ...) is apart. */
int member_store_list(struct db *db, struct arena *a, const struct member_filter *f,
                      int64_t limit, int64_t offset, struct member **out, int64_t *n,
                      int64_t *total, struct err *e) __attribute__((warn_unused_result));
int member_store_get(struct db *db, struct arena *a, int64_t id, struct member *out,
                     struct err *e) __attribute__((warn_unused_result));

void member_register(void);
/* `dangjian idcard check NUMBER` (member_cli.c); argv[0] is "idcard". Returns the exit code. */
int member_cli_main(int argc, char **argv);
/* The record's routes (member_record_api.c, member_sub_api.c) and message texts
 * (member_record_msgs.c); called by member_register. Startup only. */
void member_record_register(void);
void member_record_msgs_register(void);

#endif
