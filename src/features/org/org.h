/* org.h: the organization tree 党委 → 党总支 → 党支部 → 党小组 (ARCHITECTURE.md §4).
 *
 * Each org stores a materialized path of ids ("/1/5/23/"), so "this org and everything under
 * it" is one indexed range scan: path >= P AND path < P' where P' is P with its final '/'
 * replaced by '0' (the next byte). Direct member counts (n_full, n_prob) are kept by triggers;
 * rolled-up counts are summed over that range.
 *
 * Files: org_rules.c (pure rules with IDs ORG-01..06), org_json.c (JSON in/out, shared by API
 * and CLI), org_store.c (SQL), org_api.c (HTTP), org_cli.c (`dangjian org ...`).
 * Threads: functions use the caller's connection and arena. */
#ifndef DJ_ORG_H
#define DJ_ORG_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/date.h"

struct arena;
struct audit_who;
struct buf;
struct db;
struct err;

enum org_type { ORG_COMMITTEE, ORG_GENERAL_BRANCH, ORG_BRANCH, ORG_GROUP, ORG_TYPE_COUNT };

struct org {
    int64_t id;
    int64_t parent_id;          /* 0 = top level */
    const char *code;           /* arena-owned strings */
    const char *name;
    enum org_type type;
    const char *path;
    int depth;
    bool is_joint;              /* 联合党支部 (ORG-01) */
    bool is_village;            /* 村/社区 (ORG-05: 5-year terms) */
    bool has_committee;
    int committee_size;         /* 0 = not recorded */
    const char *founded_on;     /* "YYYY-MM-DD" or NULL */
    const char *term_start;     /* or NULL */
    int term_years;             /* 0 = the CONFIG default for the type (ORG-05) */
    int sort_order;
    int64_t n_full, n_prob;     /* direct members */
    int64_t sub_full, sub_prob; /* rolled up over the subtree, this org included */
    int64_t child_count;
    const char *parent_name;    /* NULL at the top level or where not loaded */
    int64_t created_at, updated_at;
};

/* A create or update request. `has_*` says which fields were given (PATCH semantics). */
struct org_input {
    bool has_parent, has_code, has_name, has_type, has_founded, has_term_start, has_term_years,
        has_committee_flag, has_committee_size, has_joint, has_village, has_sort;
    int64_t parent_id;          /* 0 = top level */
    const char *code, *name;
    enum org_type type;
    const char *founded_on, *term_start;    /* NULL clears */
    int term_years;                         /* 0 clears */
    bool has_committee;
    int committee_size;                     /* 0 clears */
    bool is_joint, is_village;
    int sort_order;
};

/* CONFIG values for the org rules, from rule_settings (domain-rules.md §0). */
struct org_rule_config {
    int term_years[ORG_TYPE_COUNT];   /* ORG-05 defaults per type (group: 0, no term) */
    int term_years_village;           /* ORG-05: 村/社区 5 */
    int remind_months;                /* ORG-06: reminder before term end */
    bool committee_allowed_below_7;   /* ORG-03 */
};

enum org_level { ORG_INFO, ORG_WARNING, ORG_ERROR };

struct org_warning {
    const char *rule;                 /* "ORG-03" */
    enum org_level level;
    const char *key;                  /* message key, translated at the edge */
};

#define ORG_MAX_WARNINGS 8

/* ---- org_rules.c (pure) ---- */
const char *org_type_name(enum org_type t);             /* "committee", ... */
int org_type_parse(const char *s, enum org_type *out);  /* 0 ok, -1 unknown */
const char *org_level_name(enum org_level l);
void org_rules_default_config(struct org_rule_config *cfg);
/* May an org of type `child` sit under `parent` (has_parent false = top level)? */
bool org_rules_parent_allowed(enum org_type child, bool has_parent, enum org_type parent);
/* Field checks on an input (formats, ranges, ORG-03 committee size, ORG-05 term years);
 * `creating` also requires code, name and type. Fills e's fields; returns 0 or -1. */
int org_rules_check_input(const struct org_input *in, bool creating, struct date today,
                          struct err *e);
/* ORG-03: a branch committee has 3 to 7 members (0 = not recorded). */
int org_rules_check_committee(enum org_type type, int committee_size, struct err *e);
/* The term in years this org uses (its own, or the CONFIG default for its type). 0 = none. */
int org_rules_term_years(const struct org *o, const struct org_rule_config *cfg);
/* term_start + term years; false when the org has no term start or no term. */
bool org_rules_term_end(const struct org *o, const struct org_rule_config *cfg, struct date *end);
/* Findings for one org (ORG-01..06) given its rolled-up counts; returns how many. */
int org_rules_findings(const struct org *o, const struct org_rule_config *cfg, struct date today,
                       struct org_warning out[ORG_MAX_WARNINGS]);

/* ---- org_json.c ---- */
/* Parses a create/update body. Unknown fields and wrong types are field errors. */
int org_json_parse_input(json_t *body, bool creating, struct org_input *in, struct arena *a,
                         struct err *e);
json_t *org_json(const struct org *o, const struct org_rule_config *cfg);
/* The same object as org_json(), appended as text (for large lists: no jansson tree). */
void org_json_write(struct buf *out, const struct org *o, const struct org_rule_config *cfg);
json_t *org_json_findings(const struct org_warning *w, int n, const char *lang);

/* ---- org_store.c ---- */
struct org_filter {
    const char *q;              /* substring of name or code; NULL = any */
    bool has_type;
    enum org_type type;
    bool by_parent;             /* restrict to children of parent_id (0 = top level) */
    int64_t parent_id;
    const char *sort;           /* whitelisted: path, name, -name, code, -code, created_at, ... */
    const char *scope;          /* only orgs under this path ("/1/5/"); NULL or "" = all */
    bool scope_top;             /* only the scope's own top org (the caller's "roots") */
};

int org_store_get(struct db *db, struct arena *a, int64_t id, struct org *out, struct err *e)
    __attribute__((warn_unused_result));
int org_store_ancestors(struct db *db, struct arena *a, const struct org *o, struct org **out,
                        int *n, struct err *e) __attribute__((warn_unused_result));
/* Orgs of the subtree of root in tree order, limited to max_rel_depth levels below root
 * (-1 = all); roll-ups always cover the whole subtree. */
int org_store_subtree(struct db *db, struct arena *a, int64_t root_id, int max_rel_depth,
                      struct org **out, int64_t *n, struct err *e)
    __attribute__((warn_unused_result));
int org_store_list(struct db *db, struct arena *a, const struct org_filter *f, int64_t limit,
                   int64_t offset, struct org **out, int64_t *n, int64_t *total, struct err *e)
    __attribute__((warn_unused_result));
int org_store_create(struct db *db, const struct org_input *in, int64_t *id,
                     const struct audit_who *who, struct err *e)
    __attribute__((warn_unused_result));
int org_store_update(struct db *db, int64_t id, const struct org_input *in,
                     const struct audit_who *who, struct err *e) __attribute__((warn_unused_result));
int org_store_move(struct db *db, int64_t id, int64_t new_parent_id, const struct audit_who *who,
                   struct err *e) __attribute__((warn_unused_result));
int org_store_dissolve(struct db *db, int64_t id, const struct audit_who *who, struct err *e)
    __attribute__((warn_unused_result));
int org_store_rule_config(struct db *db, const struct org *o, struct org_rule_config *cfg,
                          struct err *e) __attribute__((warn_unused_result));

/* ---- org_api.c / org_cli.c ---- */
/* org_export.c: GET /api/v1/orgs/{id}/export.csv (the subtree as a spreadsheet). */
struct http_req;
struct http_res;
void org_export_csv(struct http_req *req, struct http_res *res);

/* Registers the org routes and messages with the HTTP layer. Startup only. */
void org_register(void);
/* org_api.c: loads org id when the caller holds perm over it (else ERR_NOT_FOUND). */
struct http_req;
int org_api_load_scoped(struct http_req *req, const char *perm, int64_t id, struct org *o,
                        struct err *e) __attribute__((warn_unused_result));
int org_cli_main(int argc, char **argv, const char *db_url);

#endif
