/* jobs.h: long work with progress (ARCHITECTURE.md §5): a row in `jobs` per run, updated as it
 * goes, read by GET /api/v1/jobs/{id}. States: queued -> running -> done | failed | cancelled.
 *
 * Two ways to run a job: the caller runs it inline and reports progress itself (the demo CLI),
 * or it is queued and a runner claims it with a lease in the database (jobs_runner.c), so
 * several server processes never run the same job twice; an expired lease is reclaimed.
 * Progress writes go through the caller's connection: call them between batches, inside or
 * outside the caller's transaction as the caller sees fit.
 * Threads: the store functions use the caller's connection; the runner is one thread. */
#ifndef DJ_JOBS_H
#define DJ_JOBS_H
#include <stdint.h>

#define JOBS_LEASE_S 600   /* a runner's claim; renewed by every progress report */

struct arena;
struct db;
struct err;

struct job {
    int64_t id;
    const char *kind;      /* owned by the arena passed to the getter */
    const char *state;
    const char *params;    /* JSON text or NULL */
    const char *result;    /* JSON text or NULL */
    const char *error;     /* message or NULL */
    int64_t done;
    int64_t total;
    int64_t created_at, updated_at, started_at, finished_at;   /* unix s; 0 = not yet */
};

/* Creates a job; state is "queued", or "running" when run_inline (started_at = now). */
int jobs_store_create(struct db *db, const char *kind, const char *params_json, int64_t total,
                      int run_inline, int64_t *id, struct err *e) __attribute__((warn_unused_result));
/* -1 with ERR_CONFLICT "jobs.cancelled" once the job has been asked to stop (jobs_store_cancel):
 * the job then returns that error, and the runner finishes it as "cancelled". */
int jobs_store_progress(struct db *db, int64_t id, int64_t done, int64_t total, struct err *e)
    __attribute__((warn_unused_result));
/* state: "done" | "failed" | "cancelled"; result_json and error may be NULL. */
int jobs_store_finish(struct db *db, int64_t id, const char *state, const char *result_json,
                      const char *error, struct err *e) __attribute__((warn_unused_result));
/* Stops a job: a queued one is cancelled at once (JOBS_CANCELLED); a running one is asked to
 * stop at its next progress report (JOBS_CANCEL_REQUESTED). ERR_CONFLICT "jobs.finished" when it
 * has ended already, ERR_NOT_FOUND "jobs.not_found" when absent. */
enum jobs_cancel { JOBS_CANCELLED, JOBS_CANCEL_REQUESTED };
int jobs_store_cancel(struct db *db, int64_t id, enum jobs_cancel *out, struct err *e)
    __attribute__((warn_unused_result));
/* ERR_NOT_FOUND "jobs.not_found" when absent. */
int jobs_store_get(struct db *db, struct arena *a, int64_t id, struct job *out, struct err *e)
    __attribute__((warn_unused_result));
/* The newest job of kind that has finished (done or failed), or when finished is 0 that is
 * still queued or running: 1 with *out filled, 0 when there is none, -1 on error. */
int jobs_store_latest(struct db *db, struct arena *a, const char *kind, int finished,
                      struct job *out, struct err *e) __attribute__((warn_unused_result));
/* Claims the oldest queued job (or a running one whose lease expired) for `owner`;
 * returns 1 with *out filled, 0 when there is nothing to do, -1 on error. */
int jobs_store_claim(struct db *db, struct arena *a, const char *owner, int lease_s,
                     struct job *out, struct err *e) __attribute__((warn_unused_result));

/* Job kinds run by the runner: registered by main() at startup. The function reports progress
 * with jobs_store_progress and returns 0 (result_json may be set, arena-owned) or -1 with e. */
typedef int (*job_fn)(struct db *db, struct arena *a, const struct job *job,
                      const char **result_json, struct err *e);
void jobs_register_kind(const char *kind, job_fn fn);                 /* startup only */
/* Runs queued jobs until none is left (once) or until jobs_runner_stop(). */
int jobs_run_pending(struct db *db, const char *owner, struct err *e);

/* A background thread that polls the queue every poll_ms with its own connection. */
struct jobs_thread;
struct jobs_thread *jobs_thread_start(const char *db_url, int poll_ms);
void jobs_thread_stop(struct jobs_thread *t);                          /* NULL is fine */

/* Registers GET /api/v1/jobs/{id} with the HTTP layer. Startup only. */
void jobs_register_routes(void);

#endif
