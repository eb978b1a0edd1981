/* org_store.c: SQL for the organization tree. Statements are static strings with `?`
 * placeholders (the db layer caches them per connection). Every change that touches more than
 * one row runs in one transaction; moving a subtree rewrites every descendant's path with one
 * range UPDATE.
 *
 * Roll-ups: org_store_subtree reads the subtree once in path order (a pre-order walk, since
 * every descendant's path extends its ancestor's) and sums counts bottom-up with a stack, so a
 * 10,000-org subtree costs one index range scan and O(n) arithmetic. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "db/db.h"
#include "db/db_change.h"
#include "features/org/org.h"
#include "features/org/org_store_internal.h"

#define COLS                                                                                 \
    "o.id, o.parent_id, o.code, o.name, o.type, o.path, o.depth, o.is_joint, o.is_village, " \
    "o.has_committee, o.committee_size, o.founded_on, o.term_start, o.term_years, "          \
    "o.sort_order, o.n_full, o.n_prob, o.created_at, o.updated_at"
#define NCOLS 19
#define ROLLUP                                                                               \
    ", (SELECT COALESCE(SUM(d.n_full), 0) FROM orgs d WHERE d.path >= o.path AND d.path < "  \
    "substr(o.path, 1, length(o.path) - 1) || '0'), "                                        \
    "(SELECT COALESCE(SUM(d.n_prob), 0) FROM orgs d WHERE d.path >= o.path AND d.path < "    \
    "substr(o.path, 1, length(o.path) - 1) || '0'), "                                        \
    "(SELECT COUNT(*) FROM orgs c WHERE c.parent_id = o.id), "                               \
    "(SELECT p.name FROM orgs p WHERE p.id = o.parent_id)"

static const char SQL_GET[] = "SELECT " COLS ROLLUP " FROM orgs o WHERE o.id = ?";
/* No ORDER BY: PostgreSQL would sort 10,000+ rows in ~15 ms; sorting them here takes ~2 ms,
 * and SQLite's index range scan already yields path order, which sort_by_path detects. */
static const char SQL_SUBTREE[] =
    "SELECT " COLS " FROM orgs o WHERE o.path >= ? AND o.path < ?";
/* Depth-limited: the database sums each returned org's subtree (index range scans), so a
 * request for the top levels never ships the other ~10,000 rows to us. */
static const char SQL_SUBTREE_DEPTH[] =
    "SELECT " COLS ROLLUP " FROM orgs o WHERE o.path >= ? AND o.path < ? AND o.depth <= ? "
    "ORDER BY o.path";
static const char SQL_PATH_OF[] = "SELECT path, type, depth FROM orgs WHERE id = ?";

#define WHERE_LIST                                                                           \
    " FROM orgs o WHERE (? = '' OR o.name LIKE ? ESCAPE '\\' OR lower(o.code) LIKE lower(?) "  \
    "ESCAPE '\\') AND (? = '' OR o.type = ?) AND (? = 0 OR COALESCE(o.parent_id, 0) = ?) "  \
    "AND o.path >= ? AND o.path < ? AND (? < 0 OR o.depth = ?)"
static const char SQL_COUNT[] = "SELECT COUNT(*)" WHERE_LIST;
#define LIST(order) "SELECT " COLS ROLLUP WHERE_LIST " ORDER BY " order " LIMIT ? OFFSET ?"

struct sort_option {
    const char *name;
    const char *sql;
};
static const char SQL_L_PATH[] = LIST("o.path");
static const char SQL_L_NAME[] = LIST("o.name, o.id");
static const char SQL_L_NAME_D[] = LIST("o.name DESC, o.id");
static const char SQL_L_CODE[] = LIST("o.code");
static const char SQL_L_CODE_D[] = LIST("o.code DESC");
static const char SQL_L_CREATED[] = LIST("o.created_at, o.id");
static const char SQL_L_CREATED_D[] = LIST("o.created_at DESC, o.id DESC");
static const char SQL_L_ORDER[] = LIST("o.sort_order, o.code");
static const struct sort_option sorts[] = {
    {"path", SQL_L_PATH},           {"name", SQL_L_NAME},
    {"-name", SQL_L_NAME_D},        {"code", SQL_L_CODE},
    {"-code", SQL_L_CODE_D},        {"created_at", SQL_L_CREATED},
    {"-created_at", SQL_L_CREATED_D}, {"sort_order", SQL_L_ORDER},
};

static void read_org(struct arena *a, const struct db_stmt *st, struct org *o, bool rollup)
{
    memset(o, 0, sizeof *o);
    o->id = db_col_i64(st, 0);
    o->parent_id = db_col_i64(st, 1);
    o->code = db_col_strdup(a, st, 2);
    o->name = db_col_strdup(a, st, 3);
    if (org_type_parse(db_col_text(st, 4), &o->type) != 0)
        o->type = ORG_BRANCH;             /* CHECK constraint makes this unreachable */
    o->path = db_col_strdup(a, st, 5);
    o->depth = (int)db_col_i64(st, 6);
    o->is_joint = db_col_i64(st, 7) != 0;
    o->is_village = db_col_i64(st, 8) != 0;
    o->has_committee = db_col_i64(st, 9) != 0;
    o->committee_size = (int)db_col_i64(st, 10);
    o->founded_on = db_col_strdup(a, st, 11);
    o->term_start = db_col_strdup(a, st, 12);
    o->term_years = (int)db_col_i64(st, 13);
    o->sort_order = (int)db_col_i64(st, 14);
    o->n_full = db_col_i64(st, 15);
    o->n_prob = db_col_i64(st, 16);
    o->created_at = db_col_i64(st, 17);
    o->updated_at = db_col_i64(st, 18);
    if (rollup) {
        o->sub_full = db_col_i64(st, NCOLS);
        o->sub_prob = db_col_i64(st, NCOLS + 1);
        o->child_count = db_col_i64(st, NCOLS + 2);
        o->parent_name = db_col_strdup(a, st, NCOLS + 3);
    }
}

int org_store_get(struct db *db, struct arena *a, int64_t id, struct org *out, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_GET, e) != 0)
        return -1;
    db_bind_i64(st, 1, id);
    int r = db_step(st, e);
    if (r == DB_ROW)
        read_org(a, st, out, true);
    else if (r == DB_DONE)
        err_set(e, ERR_NOT_FOUND, "org.not_found");
    db_finalize(st);
    return r == DB_ROW ? 0 : -1;
}

int org_store_ancestors(struct db *db, struct arena *a, const struct org *o, struct org **out,
                        int *n, struct err *e)
{
    /* The path lists the ancestors' ids: /1/5/23/ -> 1, 5 (23 is o itself). */
    *out = arena_zalloc(a, sizeof **out * (size_t)(o->depth + 1));
    *n = 0;
    const char *p = o->path;
    for (int i = 0; i < o->depth; i++) {
        int64_t id = strtoll(p + 1, (char **)&p, 10);
        if (org_store_get(db, a, id, &(*out)[*n], e) != 0)
            return -1;
        (*n)++;
    }
    return 0;
}

int org_store_path_of(struct db *db, struct arena *a, int64_t id, const char **path,
                   enum org_type *type, int *depth, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_PATH_OF, e) != 0)
        return -1;
    db_bind_i64(st, 1, id);
    int r = db_step(st, e);
    if (r == DB_ROW) {
        *path = arena_strdup(a, db_col_text(st, 0));
        if (org_type_parse(db_col_text(st, 1), type) != 0)
            *type = ORG_BRANCH;
        *depth = (int)db_col_i64(st, 2);
    } else if (r == DB_DONE) {
        err_set(e, ERR_NOT_FOUND, "org.not_found");
    }
    db_finalize(st);
    return r == DB_ROW ? 0 : -1;
}

/* Sums each row's counts into its ancestors; rows are in path (pre-)order. */
static void roll_up(struct org *rows, int64_t n, struct arena *a)
{
    int64_t *stack = arena_alloc(a, sizeof *stack * (size_t)(n > 0 ? n : 1));
    int64_t top = 0;
    for (int64_t i = 0; i <= n; i++) {
        while (top > 0 && (i == n || strncmp(rows[i].path, rows[stack[top - 1]].path,
                                             strlen(rows[stack[top - 1]].path)) != 0)) {
            struct org *done = &rows[stack[--top]];
            if (top > 0) {
                rows[stack[top - 1]].sub_full += done->sub_full;
                rows[stack[top - 1]].sub_prob += done->sub_prob;
            }
        }
        if (i == n)
            break;
        rows[i].sub_full = rows[i].n_full;
        rows[i].sub_prob = rows[i].n_prob;
        if (top > 0)
            rows[stack[top - 1]].child_count++;
        stack[top++] = i;
    }
}

/* Reads rows into an arena array; `rollup` says whether the statement has the ROLLUP columns. */
static int read_rows(struct db_stmt *st, struct arena *a, bool rollup, struct org **out,
                     int64_t *n, struct err *e)
{
    int64_t cap = 64, count = 0;
    struct org *rows = arena_alloc(a, sizeof *rows * (size_t)cap);
    int r;
    while ((r = db_step(st, e)) == DB_ROW) {
        if (count == cap) {
            struct org *bigger = arena_alloc(a, sizeof *rows * (size_t)cap * 2);
            memcpy(bigger, rows, sizeof *rows * (size_t)cap);
            rows = bigger;
            cap *= 2;
        }
        read_org(a, st, &rows[count++], rollup);
    }
    *out = rows;
    *n = count;
    return r == DB_DONE ? 0 : -1;
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(((const struct org *)a)->path, ((const struct org *)b)->path);
}

/* Bytewise path order, the order of COLLATE "C" and SQLite's BINARY. */
static void sort_by_path(struct org *rows, int64_t n)
{
    for (int64_t i = 1; i < n; i++) {
        if (strcmp(rows[i - 1].path, rows[i].path) > 0) {
            qsort(rows, (size_t)n, sizeof *rows, cmp_path);
            return;
        }
    }
}

int org_store_subtree(struct db *db, struct arena *a, int64_t root_id, int max_rel_depth,
                      struct org **out, int64_t *n, struct err *e)
{
    const char *path;
    enum org_type type;
    int depth;
    struct db_stmt *st = NULL;
    bool limited = max_rel_depth >= 0;
    if (org_store_path_of(db, a, root_id, &path, &type, &depth, e) != 0 ||
        db_prepare(db, &st, limited ? SQL_SUBTREE_DEPTH : SQL_SUBTREE, e) != 0)
        return -1;
    db_bind_text(st, 1, path);
    db_bind_text(st, 2, db_prefix_upper(a, path));
    if (limited)
        db_bind_i64(st, 3, (int64_t)depth + max_rel_depth);
    int rc = read_rows(st, a, limited, out, n, e);
    db_finalize(st);
    if (rc == 0 && !limited) {
        sort_by_path(*out, *n);
        roll_up(*out, *n, a);      /* one pass over the whole subtree, in path order */
    }
    return rc;
}

static void bind_filter(struct db_stmt *st, const struct org_filter *f, struct arena *a)
{
    const char *q = f->q != NULL ? f->q : "";
    const char *pat = q[0] ? db_like_contains(a, q) : "";
    db_bind_text(st, 1, q);
    db_bind_text(st, 2, pat);
    db_bind_text(st, 3, pat);
    db_bind_text(st, 4, f->has_type ? org_type_name(f->type) : "");
    db_bind_text(st, 5, f->has_type ? org_type_name(f->type) : "");
    db_bind_i64(st, 6, f->by_parent ? 1 : 0);
    db_bind_i64(st, 7, f->parent_id);
    const char *scope = f->scope != NULL && f->scope[0] != '\0' ? f->scope : "/";
    db_bind_text(st, 8, scope);
    db_bind_text(st, 9, db_prefix_upper(a, scope));
    int depth = -1;
    if (f->scope_top && strcmp(scope, "/") != 0)
        for (const char *c = scope + 1; *c != '\0'; c++)
            depth += *c == '/';
    db_bind_i64(st, 10, depth);
    db_bind_i64(st, 11, depth);
}

int org_store_list(struct db *db, struct arena *a, const struct org_filter *f, int64_t limit,
                   int64_t offset, struct org **out, int64_t *n, int64_t *total, struct err *e)
{
    const char *sql = NULL;
    const char *sort = f->sort != NULL ? f->sort : "path";
    for (size_t i = 0; i < sizeof sorts / sizeof sorts[0]; i++)
        if (strcmp(sorts[i].name, sort) == 0)
            sql = sorts[i].sql;
    if (sql == NULL)
        return err_field(e, "sort", "field.bad_sort");
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_COUNT, e) != 0)
        return -1;
    bind_filter(st, f, a);
    int r = db_step(st, e);
    *total = r == DB_ROW ? db_col_i64(st, 0) : 0;
    db_finalize(st);
    if (r != DB_ROW || db_prepare(db, &st, sql, e) != 0)
        return -1;
    bind_filter(st, f, a);
    db_bind_i64(st, 12, limit);
    db_bind_i64(st, 13, offset);
    struct org *rows = arena_alloc(a, sizeof *rows * (size_t)(limit > 0 ? limit : 1));
    int64_t count = 0;
    while (count < limit && (r = db_step(st, e)) == DB_ROW)
        read_org(a, st, &rows[count++], true);
    db_finalize(st);
    if (r == DB_ERROR)
        return -1;
    *out = rows;
    *n = count;
    return 0;
}

static const char SQL_RULES[] =
    "SELECT rule_key, org_id, value FROM rule_settings WHERE rule_key LIKE 'ORG-%'";

/* Position of id in the path (its depth), or -1 when id is not an ancestor-or-self. */
static int depth_in_path(const char *path, int64_t id)
{
    int depth = 0;
    for (const char *p = path; *p == '/' && p[1] != '\0'; depth++) {
        char *end;
        long long v = strtoll(p + 1, &end, 10);
        if (v == id)
            return depth;
        p = end;
    }
    return -1;
}

static void apply_rule(struct org_rule_config *cfg, const char *key, int v)
{
    if (strcmp(key, "ORG-05.term_years.committee") == 0)
        cfg->term_years[ORG_COMMITTEE] = v;
    else if (strcmp(key, "ORG-05.term_years.general_branch") == 0)
        cfg->term_years[ORG_GENERAL_BRANCH] = v;
    else if (strcmp(key, "ORG-05.term_years.branch") == 0)
        cfg->term_years[ORG_BRANCH] = v;
    else if (strcmp(key, "ORG-05.term_years.village") == 0)
        cfg->term_years_village = v;
    else if (strcmp(key, "ORG-06.remind_months") == 0)
        cfg->remind_months = v;
    else if (strcmp(key, "ORG-03.committee_allowed_below_7") == 0)
        cfg->committee_allowed_below_7 = v != 0;
}

struct rule_row {
    char key[64];
    int at;                 /* -1 = platform default, else the ancestor's depth */
    int value;
};

static int by_depth(const void *a, const void *b)
{
    return ((const struct rule_row *)a)->at - ((const struct rule_row *)b)->at;
}

/* The platform's settings (o NULL), asked for by every list and subtree answer, kept while
 * the database does not change (db_change.h). */
static pthread_mutex_t platform_lock = PTHREAD_MUTEX_INITIALIZER;
static struct org_rule_config platform_cfg;
static uint64_t platform_gen;          /* 0: nothing kept */

static int rule_config_read(struct db *db, const struct org *o, struct org_rule_config *cfg,
                            struct err *e);

int org_store_rule_config(struct db *db, const struct org *o, struct org_rule_config *cfg,
                          struct err *e)
{
    if (o != NULL || !db_change_cacheable())
        return rule_config_read(db, o, cfg, e);
    uint64_t gen = db_change_gen();
    bool hit = false;
    pthread_mutex_lock(&platform_lock);
    if (platform_gen == gen) {
        *cfg = platform_cfg;
        hit = true;
    }
    pthread_mutex_unlock(&platform_lock);
    if (hit)
        return 0;
    if (rule_config_read(db, NULL, cfg, e) != 0)
        return -1;
    pthread_mutex_lock(&platform_lock);
    if (db_change_gen() == gen) {
        platform_cfg = *cfg;
        platform_gen = gen;
    }
    pthread_mutex_unlock(&platform_lock);
    return 0;
}

static int rule_config_read(struct db *db, const struct org *o, struct org_rule_config *cfg,
                            struct err *e)
{
    /* Platform defaults (org_id 0) first, then overrides from the org's ancestors, nearest
     * last, so the nearest decision wins (domain-rules.md §0, CONFIG). One read of the (small)
     * table; rows that belong to other subtrees are skipped. */
    enum { MAX_RULE_ROWS = 256 };
    struct rule_row rows[MAX_RULE_ROWS];
    size_t n = 0;
    struct db_stmt *st = NULL;
    org_rules_default_config(cfg);
    if (db_prepare(db, &st, SQL_RULES, e) != 0)
        return -1;
    int r;
    while ((r = db_step(st, e)) == DB_ROW && n < MAX_RULE_ROWS) {
        int64_t org_id = db_col_i64(st, 1);
        int at = org_id == 0 ? -1 : (o != NULL ? depth_in_path(o->path, org_id) : -2);
        if (at == -2 || (at < 0 && org_id != 0))
            continue;
        snprintf(rows[n].key, sizeof rows[n].key, "%s", db_col_text(st, 0));
        rows[n].at = at;
        rows[n].value = (int)strtol(db_col_text(st, 2), NULL, 10);
        n++;
    }
    db_finalize(st);
    if (r == DB_ERROR)
        return -1;
    qsort(rows, n, sizeof rows[0], by_depth);
    for (size_t k = 0; k < n; k++)
        apply_rule(cfg, rows[k].key, rows[k].value);
    return 0;
}
