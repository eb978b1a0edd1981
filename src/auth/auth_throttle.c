/* auth_throttle.c: how long a log-in key waits after failures (issue 4: "after 5 failures an
 * increasing delay, then a 15-minute lock"). Pure. */
#include "auth/auth_internal.h"

int64_t auth_throttle_delay(int failures)
{
    if (failures < THROTTLE_FREE)
        return 0;
    if (failures >= THROTTLE_LOCK_AT)
        return THROTTLE_LOCK_S;
    return (int64_t)1 << (failures - THROTTLE_FREE);   /* 1, 2, 4, 8, 16 s */
}

int auth_throttle_next(int failures, int64_t last_failure_at, int64_t now)
{
    if (now - last_failure_at > THROTTLE_FORGET_S + auth_throttle_delay(failures))
        failures = 0;                    /* quiet for long enough: start again */
    return failures < 1000000 ? failures + 1 : failures;
}
