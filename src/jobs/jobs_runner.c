/* jobs_runner.c: runs queued jobs by kind. Kinds are registered at startup; a claimed job holds
 * a lease in the database (so several servers can share one queue) and is finished as done or
 * failed with the kind function's result or error message. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "db/db.h"
#include "jobs/jobs.h"

#define MAX_KINDS 32

struct kind_entry {
    const char *kind;
    job_fn fn;
};
static struct kind_entry kinds[MAX_KINDS];
static size_t nkinds;

void jobs_register_kind(const char *kind, job_fn fn)
{
    if (nkinds < MAX_KINDS)
        kinds[nkinds++] = (struct kind_entry){kind, fn};
}

static job_fn find_kind(const char *kind)
{
    for (size_t i = 0; i < nkinds; i++)
        if (strcmp(kinds[i].kind, kind) == 0)
            return kinds[i].fn;
    return NULL;
}

static int run_one(struct db *db, struct arena *a, const struct job *job, struct err *e)
{
    job_fn fn = find_kind(job->kind);
    struct err je = ERR_INIT;
    const char *result = NULL;
    int rc = fn != NULL ? fn(db, a, job, &result, &je) : err_set(&je, ERR_INVALID, "jobs.unknown_kind");
    if (rc != 0) {
        if (db_in_tx(db))
            db_rollback(db);
        if (strcmp(je.message, "jobs.cancelled") == 0) {
            log_info("jobs", "job %lld (%s) cancelled at %lld", (long long)job->id, job->kind,
                     (long long)job->done);
            return jobs_store_finish(db, job->id, "cancelled", NULL, je.message, e);
        }
        log_warn("jobs", "job %lld (%s) failed: %s %s", (long long)job->id, job->kind, je.message,
                 je.detail);
        return jobs_store_finish(db, job->id, "failed", NULL, je.message, e);
    }
    return jobs_store_finish(db, job->id, "done", result, NULL, e);
}

int jobs_run_pending(struct db *db, const char *owner, struct err *e)
{
    for (;;) {
        struct arena *a = arena_create(0);
        struct job job;
        int r = jobs_store_claim(db, a, owner, JOBS_LEASE_S, &job, e);
        if (r == 1)
            r = run_one(db, a, &job, e) == 0 ? 1 : -1;
        arena_destroy(a);
        if (r <= 0)
            return r;
    }
}

/* ---- background thread ---- */

struct jobs_thread {
    pthread_t tid;
    pthread_mutex_t lock;      /* protects stop */
    pthread_cond_t wake;
    bool stop;
    char *db_url;
    int poll_ms;
};

static void *thread_main(void *arg)
{
    struct jobs_thread *t = arg;
    struct db *db = NULL;
    char owner[64];
    snprintf(owner, sizeof owner, "serve-%ld", (long)getpid());
    pthread_mutex_lock(&t->lock);
    while (!t->stop) {
        pthread_mutex_unlock(&t->lock);
        struct err e = ERR_INIT;
        if (db == NULL && db_open(&db, t->db_url, &e) != 0)
            log_warn("jobs", "cannot open database: %s", e.detail);
        else if (jobs_run_pending(db, owner, &e) != 0)
            log_warn("jobs", "runner: %s %s", e.message, e.detail);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += t->poll_ms / 1000;
        until.tv_nsec += (long)(t->poll_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&t->lock);
        if (!t->stop)
            pthread_cond_timedwait(&t->wake, &t->lock, &until);
    }
    pthread_mutex_unlock(&t->lock);
    db_close(db);
    return NULL;
}

struct jobs_thread *jobs_thread_start(const char *db_url, int poll_ms)
{
    struct jobs_thread *t = xcalloc(1, sizeof *t);
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->wake, NULL);
    t->db_url = xstrdup(db_url);
    t->poll_ms = poll_ms;
    if (pthread_create(&t->tid, NULL, thread_main, t) != 0) {
        log_error("jobs", "cannot start the job runner thread");
        pthread_cond_destroy(&t->wake);
        pthread_mutex_destroy(&t->lock);
        free(t->db_url);
        free(t);
        return NULL;
    }
    return t;
}

void jobs_thread_stop(struct jobs_thread *t)
{
    if (t == NULL)
        return;
    pthread_mutex_lock(&t->lock);
    t->stop = true;
    pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->tid, NULL);
    pthread_cond_destroy(&t->wake);
    pthread_mutex_destroy(&t->lock);
    free(t->db_url);
    free(t);
}
