/* member_quality.h: the data-quality report (issue 5 §8), shared by member_quality_job.c (the
 * "member.quality" job: streams the subtree's members in batches, runs member_rules over each,
 * finds duplicates, rolls counts up the tree, writes one run in one transaction),
 * member_quality_store.c (runs and reads) and member_quality_api.c (routes).
 * Score of an org: floor(100 * clean / members) over its subtree, 100 when it has no members;
 * a member is clean with no rule violation and no duplicate finding (DUP-01 same ID number by
 * blind index anywhere in the subtree, DUP-02 same name + birth date in different orgs).
 * Threads: per connection, like every store. */
#ifndef DJ_MEMBER_QUALITY_H
#define DJ_MEMBER_QUALITY_H
#include <stdint.h>

struct arena;
struct db;
struct db_stmt;
struct err;
struct job;

#define MEMBER_QUALITY_JOB "member.quality"
#define MEMBER_QUALITY_BATCH 2000

struct member_quality_run {
    int64_t id, job_id, org_id, created_at, finished_at;
    const char *org_path, *state;
};

struct member_quality_row {
    int64_t org_id, parent_id, members, clean, missing_required, dup_id_number, dup_name_birth;
    int64_t score;
    const char *org_name, *path, *rules;    /* rules: JSON text */
};

struct member_quality_item {
    int64_t member_id, org_id;
    const char *member_name, *org_name, *rule, *field;
};

/* floor(100 * clean / members); 100 when members is 0. */
int64_t member_quality_score(int64_t members, int64_t clean);

int member_quality_job(struct db *db, struct arena *a, const struct job *job,
                       const char **result_json, struct err *e);

/* A queued run and its job, in one transaction. */
int member_quality_start(struct db *db, int64_t org_id, const char *org_path, int64_t user_id,
                         int64_t *run_id, int64_t *job_id, struct err *e)
    __attribute__((warn_unused_result));
/* The newest finished run covering path (its subtree holds path): 1 found, 0 none, -1 error. */
int member_quality_latest(struct db *db, struct arena *a, const char *path,
                          struct member_quality_run *out, struct err *e)
    __attribute__((warn_unused_result));
/* ERR_NOT_FOUND "quality.no_run" when absent. */
int member_quality_run_get(struct db *db, struct arena *a, int64_t id,
                           struct member_quality_run *out, struct err *e)
    __attribute__((warn_unused_result));
/* The run's rows for the orgs of the subtree path ("" = all), in tree order. */
int member_quality_rows(struct db *db, struct arena *a, int64_t run_id, const char *path,
                        struct member_quality_row **out, int64_t *n, struct err *e)
    __attribute__((warn_unused_result));
int member_quality_items(struct db *db, struct arena *a, int64_t run_id, const char *path,
                         const char *rule, int64_t limit, int64_t offset,
                         struct member_quality_item **out, int64_t *n, int64_t *total,
                         struct err *e) __attribute__((warn_unused_result));

/* Binds "(? = '' OR (o.path >= ? AND o.path < ?))" at at..at+2 for the subtree path ("" = every
 * org); returns the next index. */
int member_quality_bind_subtree(struct db_stmt *st, struct arena *a, const char *path, int at);

void member_quality_register(void);

#endif
