/* demo_members.c: the members of one branch, generated on demand (pure, deterministic).
 *
 * Each branch has its own PRNG stream seeded from (seed, branch index), so its members never
 * depend on another branch and the store can stream a million of them without keeping any.
 * Dates follow the rules the real records must pass: joined on or after the 18th birthday
 * (DEV-01), probationary members joined within the last 12 months and full members 12 months
 * before their full_on (DEV-11, MEMB-02); retirees sit in 离退休 branches, never probationary. */
#include <assert.h>
#include <string.h>

#include "features/demo/demo.h"

#define LOST_PERMILLE 4             /* a few lost contact */

void demo_members_begin(struct demo_member_gen *g, const struct demo_plan *plan, int32_t branch)
{
    const struct demo_org *o = &plan->orgs[branch];
    assert(o->type == DEMO_BRANCH);
    memset(g, 0, sizeof *g);
    demo_rng_seed(&g->rng, plan->params.seed ^ ((uint64_t)(branch + 1) * 0xD1B54A32D192ED03ull));
    demo_rng_seed(&g->prng, plan->params.seed ^ ((uint64_t)(branch + 1) * 0x9FB21C651E98DF25ull) ^
                                0x7064617461ull);   /* "pdata" */
    demo_rng_seed(&g->xrng, plan->params.seed ^ ((uint64_t)(branch + 1) * 0xC2B2AE3D27D4EB4Full) ^
                                0x7265636f7264ull); /* "record" */
    demo_record_unit(plan, branch, g->work_unit, sizeof g->work_unit, g->department,
                     sizeof g->department);
    g->plan = plan;
    g->branch = branch;
    g->n = o->n_total;
    g->prob_left = o->n_prob;
}

/* The org of the i-th member: the branch, or its groups in equal consecutive shares. */
static int32_t member_org(const struct demo_member_gen *g)
{
    const struct demo_org *o = &g->plan->orgs[g->branch];
    int32_t start = 0;
    for (int j = 0; j < o->ngroups; j++) {
        start += g->plan->orgs[g->branch + 1 + j].n_direct;
        if (g->i < start)
            return g->branch + 1 + j;
    }
    return g->branch;
}

static int member_age(struct demo_rng *r, bool retired, bool prob, int gender)
{
    if (retired)                            /* retired at 60 (men) / 55 (women) */
        return demo_rng_range(r, gender == 2 ? 55 : 60, 70);
    if (prob)                               /* recent members are mostly young */
        return 23 + (int)demo_rng_below(r, 8) + (int)demo_rng_below(r, 6);
    int age = 23 + (int)demo_rng_below(r, 19) + (int)demo_rng_below(r, 19);   /* peaks at 41 */
    return gender == 2 && age > 54 ? 23 + (int)demo_rng_below(r, 32) : age;
}

bool demo_members_next(struct demo_member_gen *g, struct demo_member *out)
{
    if (g->i >= g->n)
        return false;
    const struct demo_org *o = &g->plan->orgs[g->branch];
    struct demo_rng *r = &g->rng;
    struct date as_of = g->plan->params.as_of;
    bool retired = o->dept == DEPT_RETIRED;

    memset(out, 0, sizeof *out);
    out->org = member_org(g);
    /* Selection sampling: exactly n_prob of the branch's members are probationary. */
    out->probationary = (int32_t)demo_rng_below(r, (uint32_t)(g->n - g->i)) < g->prob_left;
    g->prob_left -= out->probationary;
    out->gender = demo_rng_permille(r, demo_names_female_permille(o->dept)) ? 2 : 1; /* CODE-01 */
    int age = member_age(r, retired, out->probationary, out->gender);
    out->birth = date_add_days(date_add_months(as_of, -12 * age), -(int)demo_rng_below(r, 365));
    demo_names_person(r, out->gender, out->birth.year, out->name, sizeof out->name);

    int64_t eighteen = date_to_days(date_add_months(out->birth, 216));    /* DEV-01 */
    if (out->probationary) {
        /* DEV-11: still within the one-year probation, so joined in the last 12 months. */
        int64_t lo = date_to_days(date_add_months(as_of, -12)) + 1, hi = date_to_days(as_of);
        int64_t d = lo + demo_rng_below(r, (uint32_t)(hi - lo + 1));
        out->joined = date_from_days(d < eighteen ? eighteen : d);
    } else {
        /* Joined between the 18th birthday and 13 months ago, early more often than late. */
        int64_t hi = date_to_days(date_add_months(as_of, -13));
        uint32_t span = (uint32_t)(hi - eighteen + 1), u1 = demo_rng_below(r, span),
                 u2 = demo_rng_below(r, span);
        out->joined = date_from_days(eighteen + (u1 < u2 ? u1 : u2));
        out->full = date_add_months(out->joined, 12);                      /* DEV-11, MEMB-02 */
        out->lost_contact = demo_rng_permille(r, LOST_PERMILLE);
    }
    demo_record_fill(&g->xrng, (enum demo_dept)o->dept, age, as_of, out);
    out->work_unit = g->work_unit;
    out->department = g->department;
    demo_pdata_person(&g->prng, o->place, retired, out);
    g->i++;
    return true;
}
