/* pace.h: when an event thread should give its core away (decision 0019).
 *
 * An event thread that always finds work never blocks, so the kernel takes its core away only
 * at a scheduler tick (4 ms at HZ=250), and whatever waits for that core waits a whole tick: the
 * other event thread's connections, a PostgreSQL backend, the job runner, or on a shared machine
 * the client itself. After `every` requests back to back the thread yields: the wait becomes
 * about `every` short requests instead of a tick. A break of PACE_GAP_US between one request's
 * end and the next one's start (the thread slept in epoll_wait, or was switched out) starts a
 * new run. Pure: no clock, no syscall; the caller passes the times and does the yield. */
#ifndef DJ_HTTP_PACE_H
#define DJ_HTTP_PACE_H
#include <stdbool.h>
#include <stdint.h>

#define PACE_GAP_US 100

struct pace {
    int every;             /* requests back to back before a yield; 0 = never */
    int run;               /* requests in the current run */
    int64_t last_end_us;   /* when the previous request ended */
};

void pace_init(struct pace *p, int every);
/* A request that started at start_us ended at end_us (monotonic µs); true: yield now. */
bool pace_done(struct pace *p, int64_t start_us, int64_t end_us);

#endif
