/* demo_rules.c: the shape of the demo organization and its members (pure, deterministic).
 *
 * Shape, from the members up. Branch sizes are drawn until they add up to N: uniform in
 * [15, 50] (ORG-02: a branch should not exceed 50), or in [0.8B, 1.2B] with --branch-size B;
 * a short last branch is merged into the one before it or shares it evenly. Branches then fill
 * the tree top-down: the root 集团党委 keeps its 机关 branches and a 离退休 branch, the rest go
 * to subsidiary 党委 of ~19 branches each (each with 机关, a few direct branches, 党总支 of ~5
 * branches, and a 离退休 branch), and when there are more than 40 of those a level of 二级党委
 * by province sits between. A branch of 21+ members has 2-3 党小组 holding all its members.
 * Examples: 500 members -> ~15 branches, ~40 orgs; 1,000,000 members with B = 350 -> ~2,860
 * branches, ~10,600 orgs (the bench shape); the default shape at 1,000,000 -> ~31,000 branches,
 * ~90,000 orgs.
 *
 * Members are generated per branch from a stream seeded by (seed, branch index), so a branch's
 * members do not depend on any other branch and nothing is stored. No I/O here. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "features/demo/demo.h"

#define PROB_PERMILLE 87            /* ~8% probationary overall, retirees never (CODE-05) */
#define NO_COMMITTEE_PERMILLE 40    /* ORG-03: some branches lack the committee they need */
#define BRANCHES_PER_UNIT 19
#define MAX_UNITS_UNDER_ROOT 40

struct builder {
    struct demo_plan *p;
    struct demo_rng rng;
    int32_t *sizes;                 /* branch sizes, used in order */
    size_t nsizes, next;
    int unit_index;                 /* names of 三级 units, in creation order */
    uint32_t name_offset;
    int32_t as_of;                  /* days */
    char root_code[3];
};

const char *demo_type_name(enum demo_type t)
{
    static const char *const names[] = {"committee", "general_branch", "branch", "group"};
    return names[t];
}

int demo_rules_check_params(const struct demo_params *p, struct err *e)
{
    if (p->members < 1 || p->members > DEMO_MAX_MEMBERS)
        err_field(e, "members", "demo.members_range");
    if (p->branch_size != 0 &&
        (p->branch_size < DEMO_MIN_BRANCH_SIZE || p->branch_size > DEMO_MAX_BRANCH_SIZE))
        err_field(e, "branch_size", "demo.branch_size_range");
    if (!date_is_valid(p->as_of) || p->as_of.year < 2020 || p->as_of.year > 2099)
        err_field(e, "as_of", "demo.as_of_range");
    return e->nfields > 0 ? -1 : 0;
}

/* ---- branch sizes ---- */

static void size_bounds(int branch_size, int32_t *lo, int32_t *hi)
{
    if (branch_size == 0) {
        *lo = 15;                   /* ORG-02: at most 50 */
        *hi = 50;
        return;
    }
    *lo = branch_size * 8 / 10 < 3 ? 3 : branch_size * 8 / 10;
    *hi = branch_size * 12 / 10 < *lo ? *lo : branch_size * 12 / 10;
}

static void draw_sizes(struct builder *b, int64_t n, int branch_size)
{
    int32_t lo, hi;
    size_bounds(branch_size, &lo, &hi);
    b->sizes = xmalloc(((size_t)(n / lo) + 2) * sizeof *b->sizes);
    int64_t sum = 0;
    while (sum < n) {
        int32_t s = demo_rng_range(&b->rng, lo, hi);
        if (sum + s > n)
            s = (int32_t)(n - sum);
        b->sizes[b->nsizes++] = s;
        sum += s;
    }
    size_t k = b->nsizes;
    if (k > 1 && b->sizes[k - 1] < lo) {
        int32_t t = b->sizes[k - 2] + b->sizes[k - 1];
        if (t <= hi) {
            b->sizes[k - 2] = t;
            b->nsizes--;
        } else {
            b->sizes[k - 2] = t - t / 2;
            b->sizes[k - 1] = t / 2;
        }
    }
}

/* Splits total into parts (each >= min_each) of about total/parts, +-40%. */
static void split(struct demo_rng *r, int32_t total, int32_t parts, int32_t min_each,
                  int32_t *out)
{
    int32_t left = total;
    assert(parts > 0 && (int64_t)parts * min_each <= total);
    for (int32_t i = 0; i < parts - 1; i++) {
        int32_t rest = parts - i, avg = left / rest;
        int32_t lo = avg * 6 / 10 > min_each ? avg * 6 / 10 : min_each;
        int32_t hi = left - min_each * (rest - 1);
        if (avg * 14 / 10 < hi)
            hi = avg * 14 / 10;
        out[i] = hi > lo ? demo_rng_range(r, lo, hi) : lo;
        left -= out[i];
    }
    out[parts - 1] = left;
}

/* ---- orgs ---- */

static int digits(int32_t n)
{
    int d = 2;                      /* codes read "JT01", even with one child */
    for (int32_t x = 100; x <= n && d < 9; x *= 10)
        d++;
    return d;
}

static uint32_t pool_add(struct demo_plan *p, const char *s)
{
    uint32_t off = (uint32_t)p->pool.len;
    buf_add(&p->pool, s, strlen(s) + 1);
    return off;
}

static int32_t dates_between(struct demo_rng *r, int32_t lo, int32_t hi)
{
    return hi > lo ? lo + (int32_t)demo_rng_below(r, (uint32_t)(hi - lo) + 1u) : lo;
}

/* ORG-05/06: a realistic mix of terms: most running, some due within 6 months (reminder), some
 * overdue, a few more than a year overdue (error). */
static int32_t term_start(struct builder *b, int years, int32_t founded)
{
    int m = years * 12, x = (int)demo_rng_below(&b->rng, 1000), elapsed;
    if (x < 730)
        elapsed = demo_rng_range(&b->rng, 0, m - 7);
    else if (x < 850)
        elapsed = demo_rng_range(&b->rng, m - 6, m - 1);
    else if (x < 970)
        elapsed = demo_rng_range(&b->rng, m, m + 11);
    else
        elapsed = demo_rng_range(&b->rng, m + 12, m + 23);
    struct date as_of = date_from_days(b->as_of);
    int32_t start = (int32_t)date_to_days(date_add_months(as_of, -elapsed));
    start -= (int32_t)demo_rng_below(&b->rng, 28);
    return start < founded ? founded : start;
}

/* Appends one org under parent as its sort-th child (codes padded to width digits). */
static int32_t add_org(struct builder *b, int32_t parent, enum demo_type t, const char *name,
                       int sort, int width, int term_years)
{
    struct demo_plan *p = b->p;
    char code[64];
    if (p->norgs == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 256;
        p->orgs = xrealloc(p->orgs, p->cap * sizeof *p->orgs);
    }
    int32_t idx = (int32_t)p->norgs++;
    struct demo_org o;
    memset(&o, 0, sizeof o);       /* padding too: plans compare byte for byte */
    o.parent = parent;
    o.type = (uint8_t)t;
    o.sort_order = sort;
    o.term_years = (uint8_t)term_years;
    int32_t lo;
    if (parent < 0) {
        o.place = DEMO_PLACE_HQ;
        lo = (int32_t)date_to_days((struct date){1952, 1, 1});
        o.founded = dates_between(&b->rng, lo, lo + 30 * 365);
    } else {
        const struct demo_org *up = &p->orgs[parent];
        int32_t hi = up->founded + 25 * 365 < b->as_of - 400 ? up->founded + 25 * 365
                                                              : b->as_of - 400;
        o.founded = dates_between(&b->rng, up->founded, hi);
        o.depth = (uint8_t)(up->depth + 1);
        o.dept = up->dept;
        o.place = up->place;
        snprintf(code, sizeof code, "%s%0*d", demo_plan_code(p, (size_t)parent), width, sort);
    }
    if (term_years > 0)
        o.term_start = term_start(b, term_years, o.founded);
    o.name_off = pool_add(p, name);
    o.code_off = pool_add(p, parent < 0 ? b->root_code : code);
    memcpy(&p->orgs[idx], &o, sizeof o);
    return idx;
}

static void add_groups(struct builder *b, int32_t branch, int n)
{
    int32_t size = b->p->orgs[branch].n_total;
    char num[40], name[96];
    for (int j = 0; j < n; j++) {
        demo_names_numeral(j + 1, num, sizeof num);
        snprintf(name, sizeof name, "第%s党小组", num);
        int32_t g = add_org(b, branch, DEMO_GROUP, name, j + 1, 2, 0);
        b->p->orgs[g].n_direct = size / n + (j < size % n);
    }
}

/* One 党支部 with its members' counts, committee (ORG-03) and 党小组. */
static void add_branch(struct builder *b, int32_t parent, enum demo_dept d, int ordinal,
                       bool several, int sort, int width)
{
    char name[128];
    assert(b->next < b->nsizes);
    int32_t size = b->sizes[b->next++], prob = 0;
    demo_names_branch(d, ordinal, several, name, sizeof name);
    int32_t i = add_org(b, parent, DEMO_BRANCH, name, sort, width, 3);   /* ORG-05: 3 years */
    for (int32_t k = 0; d != DEPT_RETIRED && k < size; k++)
        prob += demo_rng_permille(&b->rng, PROB_PERMILLE);
    struct demo_org *o = &b->p->orgs[i];
    o->dept = (uint8_t)d;
    o->n_total = size;
    o->n_prob = prob;
    /* ORG-03: 7+ full members need a committee of 3-5; a few are deliberately missing. */
    if (size - prob >= 7 && !demo_rng_permille(&b->rng, NO_COMMITTEE_PERMILLE)) {
        static const uint8_t committee[] = {3, 5, 5, 3, 4, 5};
        o->has_committee = 1;
        o->committee_size = size - prob >= 30 ? 5 : committee[demo_rng_below(&b->rng, 6)];
    }
    o->ngroups = size >= 21 ? (uint8_t)demo_rng_range(&b->rng, 2, 3) : 0;
    o->n_direct = o->ngroups > 0 ? 0 : size;
    add_groups(b, i, o->ngroups);
}

/* Adds n branches of the given departments, numbering repeats (机关第一/第二党支部). */
static void add_branches(struct builder *b, int32_t parent, const uint8_t *depts, int n,
                         int sort0, int width)
{
    int total[DEPT_COUNT] = {0}, seen[DEPT_COUNT] = {0};
    for (int i = 0; i < n; i++)
        total[depts[i]]++;
    for (int i = 0; i < n; i++) {
        enum demo_dept d = (enum demo_dept)depts[i];
        add_branch(b, parent, d, ++seen[d], total[d] > 1, sort0 + i, width);
    }
}

static int32_t add_committee(struct builder *b, int32_t parent, const char *name, int sort,
                             int width, int lo, int hi)
{
    int32_t i = add_org(b, parent, DEMO_COMMITTEE, name, sort, width, 5);  /* ORG-05: 5 years */
    b->p->orgs[i].has_committee = 1;
    b->p->orgs[i].committee_size = (uint8_t)(lo + 2 * demo_rng_range(&b->rng, 0, (hi - lo) / 2));
    return i;
}

/* A 党总支 of n branches drawn from its theme. */
static void add_general_branch(struct builder *b, int32_t parent, int theme, int ordinal,
                               bool several, int n, int sort, int width)
{
    char name[128];
    uint8_t *depts = xmalloc((size_t)n);
    demo_names_general_branch(theme, ordinal, several, name, sizeof name);
    int32_t g = add_org(b, parent, DEMO_GENERAL_BRANCH, name, sort, width, 3);
    b->p->orgs[g].has_committee = 1;
    b->p->orgs[g].committee_size = (uint8_t)(demo_rng_permille(&b->rng, 600) ? 5 : 7);
    for (int i = 0; i < n; i++)
        depts[i] = (uint8_t)demo_names_theme_dept(&b->rng, theme);
    add_branches(b, g, depts, n, 1, digits(n));
    free(depts);
}

/* ngb 党总支 sharing nb branches; half follow the unit's theme, the rest are mixed. */
static void add_general_branches(struct builder *b, int32_t parent, int theme, int32_t nb,
                                 int32_t ngb, int sort0, int width)
{
    int32_t *per = xmalloc((size_t)ngb * sizeof *per);
    int *pick = xmalloc((size_t)ngb * sizeof *pick);
    int themes[THEME_COUNT] = {0}, seen[THEME_COUNT] = {0};
    split(&b->rng, nb, ngb, 2, per);
    for (int32_t i = 0; i < ngb; i++) {
        bool own = i == 0 || demo_rng_permille(&b->rng, 500);
        pick[i] = own ? theme : (int)demo_rng_below(&b->rng, THEME_COUNT);
        themes[pick[i]]++;
    }
    for (int32_t i = 0; i < ngb; i++)
        add_general_branch(b, parent, pick[i], ++seen[pick[i]], themes[pick[i]] > 1, per[i],
                           sort0 + i, width);
    free(pick);
    free(per);
}

/* A subsidiary 党委 of nb branches: 机关, direct branches, 党总支, 离退休. */
static void add_unit(struct builder *b, int32_t parent, int32_t nb, int sort, int width)
{
    char stem[96], name[128];
    int theme, place;
    demo_names_unit(b->unit_index++, false, b->name_offset, stem, sizeof stem, &theme, &place);
    snprintf(name, sizeof name, "%s党委", stem);
    int32_t u = add_committee(b, parent, name, sort, width, 7, 9);
    b->p->orgs[u].place = (uint8_t)place;          /* inherited by everything added below */

    int32_t office = nb >= 4 ? 1 + (nb >= 20) : 0, retired = nb >= 6, rest = nb - office - retired;
    int32_t direct = rest, ngb = 0;
    if (rest >= 4) {                        /* 党总支 of ~5 branches, at least 2 each */
        direct = demo_rng_range(&b->rng, 0, rest - 3 < 2 ? rest - 3 : 2);
        ngb = (rest - direct + 4) / 5;
    }
    int w = digits(office + direct + ngb + retired), sort0 = 1;
    uint8_t *depts = xmalloc((size_t)(office + direct + retired) + 1);
    for (int32_t i = 0; i < office; i++)
        depts[i] = DEPT_OFFICE;
    add_branches(b, u, depts, office, sort0, w);
    sort0 += office;
    for (int32_t i = 0; i < direct; i++)
        depts[i] = (uint8_t)demo_names_theme_dept(&b->rng, i == 0 ? theme : THEME_SUPPORT);
    add_branches(b, u, depts, direct, sort0, w);
    sort0 += direct;
    if (ngb > 0)
        add_general_branches(b, u, theme, rest - direct, ngb, sort0, w);
    sort0 += ngb;
    depts[0] = DEPT_RETIRED;
    add_branches(b, u, depts, retired, sort0, w);
    free(depts);
}

/* 二级党委 by province over many 三级 units. */
static void add_mid(struct builder *b, int32_t parent, int index, int32_t nunits,
                    const int32_t *unit_branches, int sort, int width)
{
    char stem[96], name[128];
    int theme, place;
    demo_names_unit(index, true, b->name_offset, stem, sizeof stem, &theme, &place);
    snprintf(name, sizeof name, "%s党委", stem);
    int32_t m = add_committee(b, parent, name, sort, width, 7, 9);
    int w = digits(nunits);
    for (int32_t i = 0; i < nunits; i++)
        add_unit(b, m, unit_branches[i], i + 1, w);
}

static int32_t unit_count(int32_t r)
{
    if (r <= 6)
        return 1;
    if (r <= 60)
        return 2 + (r - 7) / 12;
    return (r + BRANCHES_PER_UNIT - 1) / BRANCHES_PER_UNIT;
}

static void add_tree(struct builder *b, int32_t root)
{
    int32_t k = (int32_t)b->nsizes;
    uint8_t depts[8];
    if (k <= 3) {                           /* a tiny organization: branches under the root */
        for (int32_t i = 0; i < k; i++)
            depts[i] = (uint8_t)(i == 0 ? DEPT_OFFICE : DEPT_PRODUCTION);
        add_branches(b, root, depts, k, 1, 2);
        return;
    }
    int32_t office = 1 + (k / 80 < 3 ? k / 80 : 3), retired = k >= 10, r = k - office - retired;
    int32_t units = unit_count(r), mids = 0;
    if (units > MAX_UNITS_UNDER_ROOT) {
        mids = (units + 11) / 12;
        mids = mids < 2 ? 2 : mids > 60 ? 60 : mids;
    }
    int w = digits(office + (mids > 0 ? mids : units) + retired);
    for (int32_t i = 0; i < office; i++)
        depts[i] = DEPT_OFFICE;
    add_branches(b, root, depts, office, 1, w);
    int32_t *per_unit = xmalloc((size_t)units * sizeof *per_unit);
    split(&b->rng, r, units, 1, per_unit);
    if (mids == 0) {
        for (int32_t i = 0; i < units; i++)
            add_unit(b, root, per_unit[i], office + 1 + i, w);
    } else {
        int32_t *per_mid = xmalloc((size_t)mids * sizeof *per_mid), used = 0;
        split(&b->rng, units, mids, 1, per_mid);
        for (int32_t i = 0; i < mids; i++) {
            add_mid(b, root, i, per_mid[i], per_unit + used, office + 1 + i, w);
            used += per_mid[i];
        }
        free(per_mid);
    }
    free(per_unit);
    depts[0] = DEPT_RETIRED;
    add_branches(b, root, depts, retired, office + (mids > 0 ? mids : units) + 1, w);
}

int demo_plan_build(struct demo_plan *plan, const struct demo_params *params, struct err *e)
{
    struct builder b = {.p = plan};
    char stem[96], name[128];

    memset(plan, 0, sizeof *plan);
    buf_init(&plan->pool, (size_t)1 << 30);
    if (demo_rules_check_params(params, e) != 0)
        return -1;
    plan->params = *params;
    plan->created_s = date_to_days(params->as_of) * 86400 - 8 * 3600;
    b.as_of = (int32_t)date_to_days(params->as_of);
    demo_rng_seed(&b.rng, params->seed);
    demo_names_group(&b.rng, stem, sizeof stem, b.root_code);
    b.name_offset = demo_rng_below(&b.rng, 1000);
    draw_sizes(&b, params->members, params->branch_size);

    snprintf(name, sizeof name, "%s党委", stem);
    add_tree(&b, add_committee(&b, -1, name, 1, 2, 9, 11));
    assert(b.next == b.nsizes);
    for (size_t i = 0; i < plan->norgs; i++)
        plan->members += plan->orgs[i].n_direct;
    assert(plan->members == params->members);
    free(b.sizes);
    if (buf_failed(&plan->pool))
        return err_set(e, ERR_INTERNAL, "demo.plan_too_large");
    return 0;
}

void demo_plan_fini(struct demo_plan *plan)
{
    free(plan->orgs);
    buf_fini(&plan->pool);
    memset(plan, 0, sizeof *plan);
}

const char *demo_plan_name(const struct demo_plan *plan, size_t i)
{
    return buf_str(&plan->pool) + plan->orgs[i].name_off;
}

const char *demo_plan_code(const struct demo_plan *plan, size_t i)
{
    return buf_str(&plan->pool) + plan->orgs[i].code_off;
}

