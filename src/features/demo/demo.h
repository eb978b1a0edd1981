/* demo.h: realistic, deterministic demo data: one enterprise party organization
 * (集团党委 → 二级/三级党委 → 党总支 → 党支部 → 党小组) and its members, written into an
 * EMPTY database by `dangjian demo` or by the job runner (kind "demo").
 *
 * The work splits in two. demo_rules.c and demo_names.c are pure: a seeded PRNG
 * (xoshiro256**), the tree shape, org names and codes, and member records. The same
 * (members, seed, branch_size, as_of) always yields the same plan and the same members, byte
 * for byte, on every machine: integer arithmetic only. demo_store.c writes a plan through db.h
 * in transactions of about DEMO_BATCH_MEMBERS members, each holding whole branches, so a
 * committed batch never shows half a branch. Org ids are assigned by the store (the table is
 * empty), which lets paths ('/1/5/23/') be computed before the INSERT.
 *
 * Members carry personal data (demo_pdata.c: ID number, mobile, address, fitting the city of
 * their unit); the store encrypts it per field with the key file's current key and writes the
 * blind indexes (crypto/field.h, crypto/pdata.h), with member ids allocated up front because the
 * row id is part of each ciphertext's associated data.
 *
 * Sizes: a plan keeps ~40 bytes per org plus its names; members are generated on the fly
 * (never held), so 1,000,000 members need ~1 MB of plan for the bench shape, plus ~16 bytes per
 * member for the uniqueness sets of ID numbers and phones while writing.
 * Threads: the functions use the caller's connection, arena and plan; plans are not shared. */
#ifndef DJ_DEMO_H
#define DJ_DEMO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/date.h"

struct arena;
struct db;
struct err;
struct job;
struct keys;

#define DEMO_MAX_MEMBERS 5000000
#define DEMO_DEFAULT_MEMBERS 500
#define DEMO_BATCH_MEMBERS 20000
#define DEMO_MIN_BRANCH_SIZE 3       /* --branch-size range */
#define DEMO_MAX_BRANCH_SIZE 1000

/* ---- public entry points (main.c, job runner) ---- */

/* `dangjian demo [--members N] [--seed S] [--branch-size B] [--as-of YYYY-MM-DD]`; argv[0] is
 * "demo". Returns the process exit code: 0 done, 1 runtime failure (database not empty, DB
 * error), 2 bad usage. */
int demo_cli_main(int argc, char **argv, const char *db_url);
/* Registers the job kind "demo" and the demo's message texts. Startup only. */
void demo_register(void);
/* Job kind "demo": params {"members":N,"seed":S,"branch_size":B,"as_of":"YYYY-MM-DD"} (all but
 * members optional). *result_json (arena-owned) is the summary object. */
int demo_job(struct db *db, struct arena *a, const struct job *job, const char **result_json,
             struct err *e);

/* ---- demo_names.c (pure): PRNG and names ---- */

struct demo_rng {
    uint64_t s[4];
};

void demo_rng_seed(struct demo_rng *r, uint64_t seed);           /* via splitmix64 */
uint64_t demo_rng_next(struct demo_rng *r);
uint32_t demo_rng_below(struct demo_rng *r, uint32_t n);         /* [0, n); n > 0 */
int demo_rng_range(struct demo_rng *r, int lo, int hi);          /* [lo, hi]; lo <= hi */
bool demo_rng_permille(struct demo_rng *r, int permille);        /* true with p = permille/1000 */

/* Chinese numeral for 1..9999 ("一", "十二", "一百零五"); out holds >= 40 bytes. */
void demo_names_numeral(int n, char *out, size_t size);
/* A person's full name (surname weighted by frequency, 1-2 given characters chosen by gender,
 * CODE-01: 1 male, 2 female; older people more often have one). out holds >= 32 bytes. */
void demo_names_person(struct demo_rng *r, int gender, int birth_year, char *out, size_t size);

/* The group's name stem: brand + industry, e.g. "中国恒远能源建设集团有限公司", and the two
 * letters used as the root org code. */
void demo_names_group(struct demo_rng *r, char *name, size_t size, char code[3]);
/* A subsidiary committee name without "党委": index 0, 1, ... gives distinct names for the
 * first few hundred; `mid` selects the 二级 (province) style instead of the 三级 (city + type).
 * *theme gets the department theme of that unit (enum demo_theme), *place the city it is named
 * after (a place of demo_pdata.c) or -1 for the 二级 style. */
void demo_names_unit(int index, bool mid, uint32_t offset, char *out, size_t size, int *theme,
                     int *place);

/* Departments name branches and set their member mix. */
enum demo_dept {
    DEPT_OFFICE, DEPT_RETIRED, DEPT_PRODUCTION, DEPT_MAINTENANCE, DEPT_OPERATIONS,
    DEPT_EQUIPMENT, DEPT_QUALITY, DEPT_SUPPLY, DEPT_RND, DEPT_DESIGN, DEPT_INFO, DEPT_MARKETING,
    DEPT_MARKET_DEV, DEPT_CUSTOMER, DEPT_FINANCE, DEPT_HR, DEPT_PARTY_WORK, DEPT_PROJECT,
    DEPT_LOGISTICS, DEPT_DISPATCH, DEPT_COUNT
};
enum demo_theme { THEME_PRODUCTION, THEME_TECH, THEME_MARKET, THEME_PROJECT, THEME_SUPPORT,
                  THEME_COUNT };

/* A department for the k-th branch of a unit with the given theme (k = 0, 1, ...). */
enum demo_dept demo_names_theme_dept(struct demo_rng *r, int theme);
/* Branch name: "生产一车间党支部", "技术研发中心第二党支部", "第三项目部党支部", "机关党支部".
 * ordinal is 1-based among same-department siblings; `several` says whether there are two or
 * more of them (else the ordinal is left out where the style allows). */
void demo_names_branch(enum demo_dept d, int ordinal, bool several, char *out, size_t size);
/* General branch name: "生产运营党总支", "技术研发第二党总支". */
void demo_names_general_branch(int theme, int ordinal, bool several, char *out, size_t size);
/* Per mille of women in a department (CODE-01; about 30% over a whole group). */
int demo_names_female_permille(enum demo_dept d);

/* ---- demo_rules.c (pure): the plan ---- */

enum demo_type { DEMO_COMMITTEE, DEMO_GENERAL_BRANCH, DEMO_BRANCH, DEMO_GROUP };

struct demo_params {
    int64_t members;            /* 1..DEMO_MAX_MEMBERS */
    uint64_t seed;
    int branch_size;            /* 0 = uniform in [15, 50]; else about B (0.8B..1.2B) */
    struct date as_of;          /* "today" for the data: terms, probation, ages */
};

/* One planned org. The plan lists orgs in pre-order, so a parent always precedes its children
 * and a branch's groups follow it directly. */
struct demo_org {
    int32_t parent;             /* index in plan->orgs; -1 for the root */
    uint32_t name_off;          /* into plan->pool */
    uint32_t code_off;
    int32_t founded;            /* days since 1970-01-01 */
    int32_t term_start;         /* days; meaningful when term_years > 0 */
    int32_t n_direct;           /* members whose org_id is this org */
    int32_t n_total;            /* branches: members of the branch and its groups */
    int32_t n_prob;             /* branches: probationary among n_total */
    int32_t sort_order;         /* 1-based among siblings */
    uint8_t type;               /* enum demo_type */
    uint8_t dept;               /* enum demo_dept (branches and their groups) */
    uint8_t depth;
    uint8_t has_committee;
    uint8_t committee_size;     /* 0 = none recorded */
    uint8_t term_years;         /* 0 = no term (groups) */
    uint8_t ngroups;            /* branches: how many 党小组 follow */
    uint8_t place;              /* city of the unit it belongs to (demo_pdata.c) */
};

struct demo_plan {
    struct demo_params params;
    struct demo_org *orgs;      /* owned */
    size_t norgs, cap;
    struct buf pool;            /* NUL-terminated names and codes */
    int64_t members;            /* == params.members once built */
    int64_t created_s;          /* created_at/updated_at for every row: as_of 00:00 +08:00 */
};

/* Checks params (ranges, as_of within 2020..2099). 0 or -1 with field errors in e. */
int demo_rules_check_params(const struct demo_params *p, struct err *e);
/* Builds the whole plan. 0, or -1 with e (params invalid). demo_plan_fini() releases it. */
int demo_plan_build(struct demo_plan *plan, const struct demo_params *p, struct err *e)
    __attribute__((warn_unused_result));
void demo_plan_fini(struct demo_plan *plan);
const char *demo_plan_name(const struct demo_plan *plan, size_t i);
const char *demo_plan_code(const struct demo_plan *plan, size_t i);
const char *demo_type_name(enum demo_type t);     /* "committee", "general_branch", ... */

struct demo_member {
    int32_t org;                /* plan index: the branch, or one of its groups */
    char name[32];
    int gender;                 /* CODE-01: 1 male, 2 female */
    struct date birth;
    struct date joined;         /* 入党时间 (MEMB-04) */
    struct date full;           /* 转正时间; year 0 for probationary members */
    bool probationary;          /* CODE-05 */
    bool lost_contact;
    char id_number[19];         /* ID-01..ID-04, consistent with birth and gender */
    char phone[12];             /* ID-07: 11-digit mobile */
    char address[160];          /* 省市区 + street, building, room */
    /* the record fields of issue 5 (demo_record.c) */
    char ethnicity[3];          /* CODE-03 */
    char education[3];          /* CODE-04 detail code */
    struct date applied, activist, candidate;   /* DEV-01, DEV-03, DEV-04, DEV-15 */
    struct date status_on;      /* lost contact since (year 0 otherwise) */
    const char *job, *title;    /* static strings; title NULL = none */
    const char *work_unit, *department;         /* borrowed from the generator */
};

/* Generates the members of one branch, in order; independent of every other branch. */
struct demo_member_gen {
    struct demo_rng rng;
    struct demo_rng prng;       /* personal data: its own stream, so other fields do not move */
    struct demo_rng xrng;       /* the issue 5 record fields: their own stream, likewise */
    char work_unit[128], department[96];
    const struct demo_plan *plan;
    int32_t branch;
    int32_t i, n, prob_left;
};

void demo_members_begin(struct demo_member_gen *g, const struct demo_plan *plan, int32_t branch);
/* Fills *out and returns true, or returns false after the branch's last member. */
bool demo_members_next(struct demo_member_gen *g, struct demo_member *out);

/* ---- demo_record.c (pure): the record fields of issue 5 ---- */

/* Ethnicity, education, development dates (may move joined/full later so that DEV-04 fits
 * after DEV-01), job, title and the lost-contact date of m (birth, gender, joined, full,
 * probationary and lost_contact already set). */
void demo_record_fill(struct demo_rng *r, enum demo_dept dept, int age, struct date as_of,
                      struct demo_member *m);
/* The work unit (the nearest committee's name without "党委") and the department (the
 * branch's name without "党支部" and its ordinal) of a branch. */
void demo_record_unit(const struct demo_plan *plan, int32_t branch, char *work_unit,
                      size_t wsize, char *department, size_t dsize);

/* ---- demo_pdata.c (pure): places and personal data ---- */

#define DEMO_UNIT_CITIES 60         /* places 0..59 name the 三级 units */
#define DEMO_PLACE_HQ 60            /* Beijing: the group's headquarters */
#define DEMO_NPLACES 64

const char *demo_place_city(int place);          /* "南京"; place < DEMO_NPLACES */
int demo_place_prefecture(int place);            /* 4-digit GB/T 2260 prefix: 3201 */
/* Fills m->id_number, phone and address for a member (gender and birth already set) working in
 * place; retirees were more often born there. */
void demo_pdata_person(struct demo_rng *r, int place, bool retired, struct demo_member *m);

/* A set of 64-bit keys that grows as needed; the writer keeps one for ID numbers and one for
 * phones. */
struct demo_unique {
    uint64_t *slots;            /* owned; 0 = empty */
    size_t mask;
    size_t count;
};
void demo_unique_init(struct demo_unique *u, int64_t expected);
void demo_unique_fini(struct demo_unique *u);
/* Makes m's ID number and phone differ from every one seen before (changing the sequence code
 * or the subscriber number of a repeat) and records them. */
void demo_pdata_make_unique(struct demo_unique *ids, struct demo_unique *phones,
                            struct demo_member *m);

/* ---- demo_store.c ---- */

struct demo_result {
    int64_t orgs;
    int64_t members;
    int64_t job_id;
};

/* Called after each committed batch (members done so far, total). */
typedef void (*demo_progress_fn)(void *ctx, int64_t done, int64_t total);

/* Fails with ERR_CONFLICT "demo.db_not_empty" when orgs has rows. */
int demo_store_check_empty(struct db *db, struct err *e) __attribute__((warn_unused_result));
/* Writes the plan; job_id > 0 gets jobs_store_progress inside each batch's transaction.
 * Personal data is sealed with keys' current field key (borrowed). */
int demo_store_write(struct db *db, const struct demo_plan *plan, const struct keys *keys,
                     int64_t job_id, demo_progress_fn progress, void *ctx,
                     struct demo_result *out, struct err *e) __attribute__((warn_unused_result));

#endif
