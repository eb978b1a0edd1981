/* member_quality_job.c: the "member.quality" job (member_quality.h). Bounded work at a million
 * members: the subtree's orgs are loaded once, duplicates come from two grouped SQL queries,
 * members stream in batches of MEMBER_QUALITY_BATCH by id (keyset paging) with their personal
 * data opened one at a time, and only per-org counters, the findings and the duplicate ids stay
 * in memory. Counts roll up the tree deepest org first; the run is written in one transaction. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/audit_verify.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "crypto/field.h"
#include "crypto/keys.h"
#include "db/db.h"
#include "features/member/quality/member_quality.h"
#include "features/member/record/member_record.h"
#include "jobs/jobs.h"

#define MAX_RULES 48

struct tally {
    int64_t id, parent, depth;
    int64_t members, clean, missing, dup_id, dup_name, rules[MAX_RULES];
};

struct finding {
    int64_t member_id, org_id;
    const char *rule, *field;       /* static strings (member_rules) */
};

struct run_ctx {
    struct tally *orgs;             /* arena, sorted by id */
    int64_t norgs;
    const char *rules[MAX_RULES];
    int nrules;
    struct finding *items;          /* malloc'd */
    size_t nitems, cap;
    int64_t *dup_id, *dup_nb;       /* malloc'd member ids, ascending */
    size_t ndup_id, ndup_nb;
};

#define SCOPE "(? = '' OR (o.path >= ? AND o.path < ?))"
#define IN_SERVICE "m.status IN ('normal', 'lost_contact')"
#define FROM_M " FROM members m JOIN orgs o ON o.id = m.org_id WHERE " SCOPE " AND " IN_SERVICE
static const char SQL_ORGS[] =
    "SELECT o.id, o.parent_id, o.path FROM orgs o WHERE " SCOPE " ORDER BY o.id";
static const char SQL_COUNT[] = "SELECT COUNT(*)" FROM_M;
static const char SQL_DUP_ID[] =
    "SELECT m.id" FROM_M " AND m.id_number_bidx IN (SELECT m.id_number_bidx" FROM_M
    " AND m.id_number_bidx IS NOT NULL GROUP BY m.id_number_bidx HAVING COUNT(*) > 1) "
    "ORDER BY m.id";
static const char SQL_DUP_NB[] =
    "SELECT m.id" FROM_M " AND (m.name, m.birth_date) IN (SELECT m.name, m.birth_date" FROM_M
    " AND m.birth_date IS NOT NULL GROUP BY m.name, m.birth_date "
    "HAVING COUNT(DISTINCT m.org_id) > 1) ORDER BY m.id";
static const char SQL_BATCH[] =
    "SELECT m.id, m.org_id, m.name, m.gender, m.ethnicity, m.education, m.category, m.status, "
    "m.birth_date, m.applied_on, m.activist_on, m.candidate_on, m.joined_on, m.full_on, "
    "m.full_exception, m.status_on, m.status_reason, m.job, m.title, m.work_unit, "
    "m.department, m.id_number_enc, m.phone_enc, m.address_enc" FROM_M
    " AND m.id > ? ORDER BY m.id LIMIT ?";
static const char SQL_ROW[] =
    "INSERT INTO member_quality_orgs (run_id, org_id, members, clean, missing_required, "
    "dup_id_number, dup_name_birth, rules, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_ITEM[] =
    "INSERT INTO member_quality_items (run_id, member_id, org_id, rule, field) "
    "VALUES (?, ?, ?, ?, ?)";
static const char SQL_DONE[] =
    "UPDATE member_quality_runs SET state = ?, finished_at = ? WHERE id = ?";

int64_t member_quality_score(int64_t members, int64_t clean)
{
    return members > 0 ? 100 * clean / members : 100;
}

static int load_orgs(struct db *db, struct arena *a, const char *path, struct run_ctx *c,
                     struct err *e)
{
    struct db_stmt *st = NULL;
    int64_t cap = 256;
    int r;
    c->orgs = arena_alloc(a, sizeof *c->orgs * (size_t)cap);
    if (db_prepare(db, &st, SQL_ORGS, e) != 0)
        return -1;
    member_quality_bind_subtree(st, a, path, 1);
    while ((r = db_step(st, e)) == DB_ROW) {
        if (c->norgs == cap) {
            struct tally *more = arena_alloc(a, sizeof *more * (size_t)cap * 2);
            memcpy(more, c->orgs, sizeof *more * (size_t)cap);
            c->orgs = more;
            cap *= 2;
        }
        struct tally *t = &c->orgs[c->norgs++];
        memset(t, 0, sizeof *t);
        t->id = db_col_i64(st, 0);
        t->parent = db_col_i64(st, 1);
        for (const char *p = db_col_text(st, 2); p != NULL && *p != '\0'; p++)
            t->depth += *p == '/';
    }
    db_finalize(st);
    return r == DB_ERROR ? -1 : 0;
}

static struct tally *org_of(struct run_ctx *c, int64_t id)
{
    int64_t lo = 0, hi = c->norgs - 1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (c->orgs[mid].id == id)
            return &c->orgs[mid];
        if (c->orgs[mid].id < id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

static bool has_id(const int64_t *ids, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ids[mid] == id)
            return true;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static int load_ids(struct db *db, struct arena *a, const char *sql, const char *path,
                    int64_t **out, size_t *n, struct err *e)
{
    struct db_stmt *st = NULL;
    size_t cap = 64;
    int r;
    *n = 0;
    *out = malloc(sizeof **out * cap);
    if (*out == NULL)
        abort();
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    member_quality_bind_subtree(st, a, path, member_quality_bind_subtree(st, a, path, 1));
    while ((r = db_step(st, e)) == DB_ROW) {
        if (*n == cap) {
            cap *= 2;
            int64_t *more = realloc(*out, sizeof **out * cap);
            if (more == NULL)
                abort();
            *out = more;
        }
        (*out)[(*n)++] = db_col_i64(st, 0);
    }
    db_finalize(st);
    return r == DB_ERROR ? -1 : 0;
}

static void add_item(struct run_ctx *c, int64_t member_id, int64_t org_id, const char *rule,
                     const char *field)
{
    if (c->nitems == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        struct finding *more = realloc(c->items, sizeof *more * c->cap);
        if (more == NULL)
            abort();
        c->items = more;
    }
    c->items[c->nitems++] = (struct finding){member_id, org_id, rule, field};
}

static int rule_index(struct run_ctx *c, const char *rule)
{
    for (int i = 0; i < c->nrules; i++)
        if (strcmp(c->rules[i], rule) == 0)
            return i;
    if (c->nrules == MAX_RULES)
        return MAX_RULES - 1;             /* cannot happen: member_rules has fewer ids */
    c->rules[c->nrules] = rule;
    return c->nrules++;
}

/* Opens one sealed value (caller frees); NULL when none or it does not open (logged). */
static char *open_pdata(const struct field_keyring *kr, const char *column, int64_t id,
                        const char *sealed)
{
    char *plain = NULL;
    struct err e = ERR_INIT;
    if (sealed == NULL)
        return NULL;
    if (field_decrypt(kr, column, id, sealed, &plain, &e) != 0) {
        log_error("member", "quality: member %lld %s does not open", (long long)id, column);
        return NULL;
    }
    return plain;
}

static void wipe(char *s)
{
    if (s != NULL) {
        sodium_memzero(s, strlen(s));
        free(s);
    }
}

struct checker {
    struct member_rule_config cfg;
    struct member_codes codes;
    struct field_keyring kr;
    struct date today;
};

/* Checks the member at the statement's current row and tallies it into its org. */
static void check_row(struct run_ctx *c, const struct checker *k, struct db_stmt *st)
{
    int64_t id = db_col_i64(st, 0), org_id = db_col_i64(st, 1);
    struct tally *t = org_of(c, org_id);
    struct member_check chk;
    bool seen[MAX_RULES] = {false}, problem = false;
    if (t == NULL)
        return;
    const char *txt[19];
    for (int i = 0; i < 19; i++)
        txt[i] = db_col_text(st, 2 + i);     /* name .. department */
    char *pdata[3] = {open_pdata(&k->kr, "members.id_number", id, db_col_text(st, 21)),
                      open_pdata(&k->kr, "members.phone", id, db_col_text(st, 22)),
                      open_pdata(&k->kr, "members.address", id, db_col_text(st, 23))};
    struct member_record r = {
        .org_id = org_id, .name = txt[0], .gender = txt[1], .ethnicity = txt[2],
        .education = txt[3], .category = txt[4], .status = txt[5], .birth_date = txt[6],
        .applied_on = txt[7], .activist_on = txt[8], .candidate_on = txt[9], .joined_on = txt[10],
        .full_on = txt[11], .full_exception = txt[12], .status_on = txt[13],
        .status_reason = txt[14], .job = txt[15], .title = txt[16], .work_unit = txt[17],
        .department = txt[18], .id_number = pdata[0], .phone = pdata[1], .address = pdata[2],
    };
    int n = member_rules_check(&r, &k->cfg, k->today, member_codes_has, (void *)&k->codes, &chk);
    for (int i = 0; i < 3; i++)
        wipe(pdata[i]);
    for (int i = 0; i < n; i++) {
        int ri = rule_index(c, chk.v[i].rule);
        add_item(c, id, org_id, chk.v[i].rule, chk.v[i].field);
        if (!seen[ri]) {
            seen[ri] = true;
            t->rules[ri]++;
            t->missing += strcmp(chk.v[i].rule, "REC-01") == 0;
        }
        problem = true;
    }
    if (has_id(c->dup_id, c->ndup_id, id)) {
        t->dup_id++;
        t->rules[rule_index(c, "DUP-01")]++;
        add_item(c, id, org_id, "DUP-01", "id_number");
        problem = true;
    }
    if (has_id(c->dup_nb, c->ndup_nb, id)) {
        t->dup_name++;
        t->rules[rule_index(c, "DUP-02")]++;
        add_item(c, id, org_id, "DUP-02", "name");
        problem = true;
    }
    t->members++;
    t->clean += !problem;
}

static int stream(struct db *db, struct arena *a, const struct job *job, const char *path,
                  struct run_ctx *c, const struct checker *k, struct err *e)
{
    struct db_stmt *st = NULL;
    int64_t last = 0, done = 0, total = 0, got;
    if (db_prepare(db, &st, SQL_COUNT, e) != 0)
        return -1;
    member_quality_bind_subtree(st, a, path, 1);
    int r = db_step(st, e);
    total = r == DB_ROW ? db_col_i64(st, 0) : 0;
    db_finalize(st);
    if (r == DB_ERROR)
        return -1;
    do {
        got = 0;
        if (db_prepare(db, &st, SQL_BATCH, e) != 0)
            return -1;
        int at = member_quality_bind_subtree(st, a, path, 1);
        db_bind_i64(st, at, last);
        db_bind_i64(st, at + 1, MEMBER_QUALITY_BATCH);
        while ((r = db_step(st, e)) == DB_ROW) {
            last = db_col_i64(st, 0);
            check_row(c, k, st);
            got++;
        }
        db_finalize(st);
        if (r == DB_ERROR)
            return -1;
        done += got;
        if (job->id > 0 && jobs_store_progress(db, job->id, done, total, e) != 0)
            return -1;
    } while (got == MEMBER_QUALITY_BATCH);
    return 0;
}

static int cmp_depth_desc(const void *x, const void *y)
{
    const struct tally *a = *(const struct tally *const *)x, *b = *(const struct tally *const *)y;
    return (a->depth < b->depth) - (a->depth > b->depth);
}

/* Adds every org's counts to its parent, deepest first, so each holds its subtree. */
static void roll_up(struct arena *a, struct run_ctx *c)
{
    struct tally **by_depth = arena_alloc(a, sizeof *by_depth * (size_t)(c->norgs + 1));
    for (int64_t i = 0; i < c->norgs; i++)
        by_depth[i] = &c->orgs[i];
    qsort(by_depth, (size_t)c->norgs, sizeof *by_depth, cmp_depth_desc);
    for (int64_t i = 0; i < c->norgs; i++) {
        struct tally *t = by_depth[i], *p = org_of(c, t->parent);
        if (p == NULL)
            continue;
        p->members += t->members;
        p->clean += t->clean;
        p->missing += t->missing;
        p->dup_id += t->dup_id;
        p->dup_name += t->dup_name;
        for (int r = 0; r < MAX_RULES; r++)
            p->rules[r] += t->rules[r];
    }
}

static int write_run(struct db *db, int64_t run_id, const struct run_ctx *c, struct err *e)
{
    struct db_stmt *st = NULL;
    int r = DB_DONE;
    if (db_prepare(db, &st, SQL_ROW, e) != 0)
        return -1;
    for (int64_t i = 0; i < c->norgs && r != DB_ERROR; i++) {
        const struct tally *t = &c->orgs[i];
        json_t *rules = json_object();
        for (int k = 0; k < c->nrules; k++)
            if (t->rules[k] > 0)
                json_object_set_new(rules, c->rules[k], json_integer(t->rules[k]));
        char *text = json_dumps(rules, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(rules);
        const int64_t v[] = {run_id, t->id, t->members, t->clean, t->missing, t->dup_id,
                             t->dup_name};
        db_reset(st);
        for (int k = 0; k < 7; k++)
            db_bind_i64(st, k + 1, v[k]);
        db_bind_text(st, 8, text);
        db_bind_i64(st, 9, member_quality_score(t->members, t->clean));
        r = db_step(st, e);
        free(text);
    }
    db_finalize(st);
    if (r == DB_ERROR || db_prepare(db, &st, SQL_ITEM, e) != 0)
        return -1;
    for (size_t i = 0; i < c->nitems && r != DB_ERROR; i++) {
        db_reset(st);
        db_bind_i64(st, 1, run_id);
        db_bind_i64(st, 2, c->items[i].member_id);
        db_bind_i64(st, 3, c->items[i].org_id);
        db_bind_text(st, 4, c->items[i].rule);
        db_bind_text(st, 5, c->items[i].field);
        r = db_step(st, e);
    }
    db_finalize(st);
    return r == DB_ERROR ? -1 : 0;
}

static int set_state(struct db *db, int64_t run_id, const char *state, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_DONE, e) != 0)
        return -1;
    db_bind_text(st, 1, state);
    db_bind_i64(st, 2, now_unix());
    db_bind_i64(st, 3, run_id);
    int r = db_step(st, e);
    db_finalize(st);
    return r == DB_ERROR ? -1 : 0;
}

static int run(struct db *db, struct arena *a, const struct job *job, int64_t run_id,
               struct run_ctx *c, struct err *e)
{
    struct member_quality_run q;
    struct checker k = {.today = date_today_shanghai(time(NULL))};
    const struct keys *keys;
    struct keys *owned = NULL;       /* `dangjian jobs run`: the configured key file */
    const char *pattern;
    if (audit_verify_keys(&keys, &owned, e) != 0)
        return -1;
    k.kr = keys_field_ring(keys);
    if (member_quality_run_get(db, a, run_id, &q, e) != 0 ||
        member_codes_load(db, a, &k.codes, e) != 0 ||
        member_record_phone_pattern(db, a, &pattern, e) != 0) {
        keys_destroy(owned);
        return -1;
    }
    if (member_rules_config_init(&k.cfg, pattern) != 0)
        log_warn("member", "quality: ID-07.phone_pattern does not compile; default used");
    int rc = -1;
    if (load_orgs(db, a, q.org_path, c, e) == 0 &&
        load_ids(db, a, SQL_DUP_ID, q.org_path, &c->dup_id, &c->ndup_id, e) == 0 &&
        load_ids(db, a, SQL_DUP_NB, q.org_path, &c->dup_nb, &c->ndup_nb, e) == 0 &&
        stream(db, a, job, q.org_path, c, &k, e) == 0) {
        roll_up(a, c);
        if (db_begin(db, e) == 0) {
            if (write_run(db, run_id, c, e) == 0 && set_state(db, run_id, "done", e) == 0 &&
                db_commit(db, e) == 0)
                rc = 0;
            else
                db_rollback(db);
        }
    }
    member_rules_config_fini(&k.cfg);
    keys_destroy(owned);
    return rc;
}

int member_quality_job(struct db *db, struct arena *a, const struct job *job,
                       const char **result_json, struct err *e)
{
    struct run_ctx c = {0};
    json_t *params = job->params != NULL ? json_loads(job->params, 0, NULL) : NULL;
    int64_t run_id = json_integer_value(json_object_get(params, "run_id"));
    json_decref(params);
    int rc = run_id > 0 ? run(db, a, job, run_id, &c, e) : err_set(e, ERR_INVALID, "jobs.bad_params");
    if (rc == 0) {
        int64_t members = 0, clean = 0;
        for (int64_t i = 0; i < c.norgs; i++)
            if (org_of(&c, c.orgs[i].parent) == NULL) {
                members += c.orgs[i].members;
                clean += c.orgs[i].clean;
            }
        json_t *res = json_pack("{s:I, s:I, s:I, s:I}", "run_id", (json_int_t)run_id, "members",
                                (json_int_t)members, "clean", (json_int_t)clean, "findings",
                                (json_int_t)c.nitems);
        char *s = json_dumps(res, JSON_COMPACT);
        *result_json = arena_strdup(a, s);
        free(s);
        json_decref(res);
    } else if (run_id > 0) {
        struct err ignored = ERR_INIT;
        if (set_state(db, run_id, "failed", &ignored) != 0)
            log_error("member", "quality: run %lld not marked failed", (long long)run_id);
    }
    free(c.items);
    free(c.dup_id);
    free(c.dup_nb);
    return rc;
}
