/* pace.c: see pace.h. */
#include "http/pace.h"

void pace_init(struct pace *p, int every)
{
    p->every = every < 0 ? 0 : every;
    p->run = 0;
    p->last_end_us = INT64_MIN / 2;      /* the first request starts a run */
}

bool pace_done(struct pace *p, int64_t start_us, int64_t end_us)
{
    if (start_us - p->last_end_us > PACE_GAP_US)
        p->run = 0;                      /* a break: the core was free for others */
    p->last_end_us = end_us;
    if (p->every == 0 || ++p->run < p->every)
        return false;
    p->run = 0;
    return true;
}
