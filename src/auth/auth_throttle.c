/* auth_throttle.c: how long a log-in key waits after failures (issue 4: "per account and per
 * IP: after 5 failures an increasing delay, then a 15-minute lock"). The numbers per account and
 * per address are settings (throttle_free, throttle_lock_at, throttle_ip_free,
 * throttle_ip_lock_at): many users behind one NAT or proxy share an address, see
 * docs/decisions/0010-identity-and-access.md. Pure apart from reading the configuration. */
#include <string.h>

#include "auth/auth_internal.h"
#include "core/config.h"

struct throttle_policy auth_throttle_policy(const char *key)
{
    const struct config *c = config_get();
    if (strncmp(key, "i:", 2) == 0)
        return (struct throttle_policy){c->throttle_ip_free, c->throttle_ip_lock_at};
    return (struct throttle_policy){c->throttle_free, c->throttle_lock_at};
}

int64_t auth_throttle_delay(const struct throttle_policy *p, int failures)
{
    if (failures < p->free)
        return 0;
    if (failures >= p->lock_at)
        return THROTTLE_LOCK_S;
    int k = failures - p->free;
    return k < 9 ? (int64_t)1 << k : 512;   /* 1, 2, 4, 8, 16 ... s, capped below the lock */
}

int auth_throttle_next(const struct throttle_policy *p, int failures, int64_t last_failure_at,
                       int64_t now)
{
    if (now - last_failure_at > THROTTLE_FORGET_S + auth_throttle_delay(p, failures))
        failures = 0;                    /* quiet for long enough: start again */
    return failures < 1000000 ? failures + 1 : failures;
}
