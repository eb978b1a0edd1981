/* audit_job.c: verification as a job with progress (POST /api/v1/audit/verify queues one; the
 * CLI records its run the same way), and which keys a verification uses. The verdict is the
 * job's result, so GET /api/v1/audit/verification is "the newest finished audit.verify job":
 * no table of its own. A log that fails verification is still a job that is "done": the job
 * worked, the log did not; "failed" means the check could not run (no key file, database). */
#include <stdio.h>
#include <stdlib.h>

#include "auth/audit_verify.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "crypto/keys.h"
#include "crypto/password.h"
#include "db/db.h"
#include "jobs/jobs.h"

int audit_verify_keys(const struct keys **k, struct keys **owned, struct err *e)
{
    *owned = NULL;
    *k = keys_get();
    if (*k != NULL)
        return 0;
    if (crypto_init(e) != 0)          /* idempotent; keys live in sodium_malloc memory */
        return -1;
    char path[600];
    config_keys_path(config_get(), path, sizeof path);
    if (keys_load(path, owned, e) != 0)
        return -1;
    *k = *owned;
    return 0;
}

struct job_ctx {
    struct db *db;
    int64_t id;
};

static int job_progress(void *ctx, int64_t done, int64_t total, struct err *e)
{
    const struct job_ctx *j = ctx;
    return jobs_store_progress(j->db, j->id, done, total, e);
}

static char *result_text(const struct audit_verify_result *r)
{
    json_t *j = audit_verify_result_json(r);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

int audit_verify_job(struct db *db, struct arena *a, const struct job *job,
                     const char **result_json, struct err *e)
{
    const struct keys *k;
    struct keys *owned;
    struct audit_verify_result r;
    struct job_ctx ctx = {db, job->id};
    if (audit_verify_keys(&k, &owned, e) != 0)
        return -1;
    int rc = audit_verify(db, k, job_progress, &ctx, &r, e);
    keys_destroy(owned);
    if (rc != 0)
        return -1;
    char *s = result_text(&r);
    *result_json = arena_strdup(a, s);
    free(s);
    if (!r.ok)
        log_warn("audit", "verification job %lld: %s", (long long)job->id, r.reason);
    return 0;
}

int audit_verify_recorded(struct db *db, const struct keys *k, struct audit_verify_result *out,
                          int64_t *job_id, struct err *e)
{
    struct err je = ERR_INIT;
    struct job_ctx ctx = {db, 0};
    if (jobs_store_create(db, AUDIT_VERIFY_JOB, NULL, 0, 1, &ctx.id, &je) != 0) {
        log_warn("audit", "verification not recorded: %s %s", je.message, je.detail);
        ctx.id = 0;
    }
    *job_id = ctx.id;
    int rc = audit_verify(db, k, ctx.id != 0 ? job_progress : NULL, &ctx, out, e);
    if (ctx.id == 0)
        return rc;
    char *s = rc == 0 ? result_text(out) : NULL;
    if (jobs_store_finish(db, ctx.id, rc == 0 ? "done" : "failed", s, rc == 0 ? NULL : e->message,
                          &je) != 0)
        log_warn("audit", "verification %lld not recorded: %s", (long long)ctx.id, je.message);
    free(s);
    return rc;
}
