/* member_query.h: the member search (issue 5 §3) as one value: which members (subtree, name,
 * ID number or phone, status, category, gender, age band, join years, post, education,
 * ethnicity) and in which order. The list page, the CSV export, the CLI and saved filters all
 * read their parameters through member_query_parse(), so one bad value gets the same 400 with
 * the same field name everywhere. Parsing is pure apart from the blind-index key; the store
 * (member_search.c) turns a query into SQL. Threads: safe. */
#ifndef DJ_MEMBER_QUERY_H
#define DJ_MEMBER_QUERY_H
#include <stdbool.h>
#include <stdint.h>

#include "core/date.h"
#include "crypto/field.h"
#include "crypto/pdata.h"

struct arena;
struct db;
struct err;
struct keys;

enum member_sort { MEMBER_SORT_ORG, MEMBER_SORT_NAME, MEMBER_SORT_BIRTH, MEMBER_SORT_JOINED };

struct member_query {
    int64_t org_id;              /* ?org_id=, 0 when absent (then the caller's scope root) */
    const char *scope;           /* org path of the subtree, set by the caller after the scope check */
    const char *name_like;       /* name contains (NULL: any) */
    const char *name_prefix;     /* name starts with (index range; NULL: any) */
    bool by_id_number, by_phone; /* exact lookups through the blind index */
    /* under the current blind key, then older kept ones (pdata_blind_all) */
    char id_number_bidx[PDATA_BLIND_ALL][FIELD_BLIND_HEX], phone_bidx[PDATA_BLIND_ALL][FIELD_BLIND_HEX];
    const char *status;          /* "normal" | "lost_contact" | NULL (both: in service) */
    const char *category;        /* "full" | "probationary" | NULL */
    int gender;                  /* CODE-01, -1 any */
    char born_after[11];         /* birth_date > (age_max), "" none */
    char born_until[11];         /* birth_date <= (age_min), "" none */
    char joined_from[11];        /* joined_on >= YYYY-01-01, "" none */
    char joined_before[11];      /* joined_on < (YYYY+1)-01-01, "" none */
    const char *post;            /* current party post code (member_posts, ended_on NULL) */
    const char *education;       /* CODE-04: a code; a group code (X0) takes X0..X9 */
    const char *ethnicity;       /* CODE-03 */
    enum member_sort sort;
    bool desc;
};

/* Reads a query's parameters through get(ctx, name) (NULL when absent). today gives the age
 * bands; k the blind-index key (NULL: an ID-number or phone search finds nothing). Every bad
 * value adds a field error named after its parameter; returns 0 or -1 (ERR_INVALID). Strings
 * are borrowed from get() or put in a. */
int member_query_parse(struct member_query *q, const char *(*get)(void *ctx, const char *name),
                       void *ctx, struct arena *a, const struct keys *k, struct date today,
                       struct err *e) __attribute__((warn_unused_result));

/* True when the query narrows nothing but the subtree (the org roll-up is then its total). */
bool member_query_unfiltered(const struct member_query *q);

/* The parameter names member_query_parse reads (NULL-terminated), for saved filters. */
extern const char *const member_query_params[];

#endif
