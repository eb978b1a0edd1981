/* db_change.c: the change number and its watcher thread (see db_change.h). */
#include "db/db_change.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "db/db.h"

static atomic_uint_fast64_t g_gen = 1;
static atomic_bool g_cacheable;

uint64_t db_change_gen(void)
{
    return (uint64_t)atomic_load_explicit(&g_gen, memory_order_acquire);
}

void db_change_bump(void)
{
    atomic_fetch_add_explicit(&g_gen, 1, memory_order_acq_rel);
}

bool db_change_cacheable(void)
{
    return atomic_load_explicit(&g_cacheable, memory_order_acquire);
}

/* ---- the watcher ---- */

static const char SQL_SQLITE[] = "PRAGMA data_version";
/* The insert position moves with every WAL record, a commit's included; a read-only query
 * writes none. (Checkpoints and autovacuum move it too: a few needless bumps.) */
static const char SQL_PG[] = "SELECT pg_current_wal_insert_lsn()::text";

struct watcher {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
    char *url;
    int interval_ms;
    struct db *db;
    char last[64];          /* the last value read; "" before the first */
    bool settle;            /* a change was seen: bump once more at the next poll */
};

static struct watcher *g_watch;

/* Reads the engine's change marker into out. 0, or -1 (the connection is then dropped). */
static int poll_once(struct watcher *w, char out[64])
{
    struct err e = ERR_INIT;
    if (w->db == NULL && db_open(&w->db, w->url, &e) != 0)
        return -1;
    struct db_stmt *st = NULL;
    const char *sql = db_kind(w->db) == DB_SQLITE ? SQL_SQLITE : SQL_PG;
    int r = DB_ERROR;
    if (db_prepare(w->db, &st, sql, &e) == 0) {
        r = db_step(st, &e);
        const char *v = r == DB_ROW ? db_col_text(st, 0) : NULL;
        if (v == NULL)
            r = DB_ERROR;
        else
            snprintf(out, 64, "%s", v);
        db_finalize(st);
    }
    if (r == DB_ROW)
        return 0;
    log_warn("db", "change watcher: %s %s", e.message, e.detail);
    db_close(w->db);
    w->db = NULL;
    return -1;
}

static void tick(struct watcher *w)
{
    char now[64];
    if (poll_once(w, now) != 0) {
        /* cannot tell what changed: caches stop serving until a poll works again */
        atomic_store(&g_cacheable, false);
        db_change_bump();
        w->last[0] = '\0';
        return;
    }
    bool changed = w->last[0] != '\0' && strcmp(now, w->last) != 0;   /* the first: a base */
    if (w->settle || changed)
        db_change_bump();
    w->settle = changed;
    memcpy(w->last, now, sizeof w->last);
    atomic_store(&g_cacheable, true);
}

static void *watch_main(void *arg)
{
    struct watcher *w = arg;
    pthread_mutex_lock(&w->lock);
    while (!w->stop) {               /* db_change_watch_start took the first value */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)(w->interval_ms % 1000) * 1000000L;
        until.tv_sec += w->interval_ms / 1000 + until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        while (!w->stop && pthread_cond_timedwait(&w->cond, &w->lock, &until) == 0)
            ;
        if (w->stop)
            break;
        pthread_mutex_unlock(&w->lock);
        tick(w);
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int db_change_watch_start(const char *url, int interval_ms, struct err *e)
{
    if (g_watch != NULL)
        return 0;
    struct watcher *w = xcalloc(1, sizeof *w);
    w->url = xstrdup(url);
    w->interval_ms = interval_ms > 0 ? interval_ms : 1;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    tick(w);               /* the first value, before any request can fill a cache */
    if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
        db_close(w->db);
        pthread_cond_destroy(&w->cond);
        pthread_mutex_destroy(&w->lock);
        free(w->url);
        free(w);
        atomic_store(&g_cacheable, false);
        return err_set(e, ERR_INTERNAL, "internal");
    }
    g_watch = w;
    return 0;
}

void db_change_watch_stop(void)
{
    struct watcher *w = g_watch;
    if (w == NULL)
        return;
    atomic_store(&g_cacheable, false);
    pthread_mutex_lock(&w->lock);
    w->stop = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    db_close(w->db);
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
    free(w->url);
    free(w);
    g_watch = NULL;
}
