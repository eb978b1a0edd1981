/* db_change.h: a number that grows whenever the database changes, so that in-memory copies of
 * what was read (the session cache, the response cache) can tell that they may be stale.
 *
 * The rule for a cache: read db_change_gen() BEFORE reading the database, store the copy with
 * that number, and use the copy only while db_change_gen() still returns it. The number grows
 *   - right after each write transaction of this process commits, whichever connection made it
 *     (the drivers bump it after the commit returns, never before: a reader that took its number
 *     after the bump sees the new rows); a rolled-back write may bump it too (harmless);
 *   - when the watcher thread (db_change_watch_start, run by `serve`) sees that another process
 *     wrote: SQLite's PRAGMA data_version, PostgreSQL's WAL insert position, polled every
 *     `change_poll_ms`. It bumps once on seeing the change and once more on the next poll, so
 *     a copy read in the moment between a commit and its visibility is dropped too.
 * So a write of this process is seen at once and a write by another (the CLI, a second server,
 * psql) within two poll intervals. Without a running watcher db_change_cacheable() is false and
 * caches must not serve anything: other processes' writes would go unseen.
 * Threads: every function is safe from any thread. */
#ifndef DJ_DB_CHANGE_H
#define DJ_DB_CHANGE_H
#include <stdbool.h>
#include <stdint.h>

struct err;

uint64_t db_change_gen(void);
/* For the drivers: a write of this process has committed. */
void db_change_bump(void);
/* Starts the watcher on its own connection to url, polling every interval_ms (>= 1). */
int db_change_watch_start(const char *url, int interval_ms, struct err *e);
void db_change_watch_stop(void);
/* A watcher runs and its last poll succeeded: caches may serve. */
bool db_change_cacheable(void);

#endif
