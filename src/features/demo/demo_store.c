/* demo_store.c: writes a demo plan (demo_rules.c) into an empty database through db.h.
 *
 * Batches: one transaction per ~DEMO_BATCH_MEMBERS members that always ends after a whole
 * branch and its 党小组, so every committed state is consistent; the job's progress row is
 * updated inside the same transaction. Rows go out as multi-row INSERTs (256 members, 64 orgs
 * per statement; the remainder row by row): one round trip per 256 members on PostgreSQL, and
 * fewer VDBE runs on SQLite. The statements are prepared once per run, not per batch.
 *
 * Ids: the orgs table is empty, so the store assigns org ids itself (base + plan index + 1) and
 * computes each path ('/1/5/23/') before the INSERT. SQLite starts after the AUTOINCREMENT
 * counter (explicit ids move it on); on PostgreSQL the identity sequence is advanced past the
 * whole range first. Either way no id is ever handed out twice, even after deletions. Member
 * ids are left to the database. n_full/n_prob are the triggers' business, never written here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "db/db.h"
#include "features/demo/demo.h"
#include "jobs/jobs.h"

#define MEMBER_COLS 10
#define MEMBER_ROWS 256
#define ORG_COLS 15
#define ORG_ROWS 64

#define M_1 "(?,?,?,?,?,?,?,?,?,?)"
#define M_4 M_1 "," M_1 "," M_1 "," M_1
#define M_16 M_4 "," M_4 "," M_4 "," M_4
#define M_64 M_16 "," M_16 "," M_16 "," M_16
#define M_256 M_64 "," M_64 "," M_64 "," M_64
#define O_1 "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
#define O_4 O_1 "," O_1 "," O_1 "," O_1
#define O_16 O_4 "," O_4 "," O_4 "," O_4
#define O_64 O_16 "," O_16 "," O_16 "," O_16

#define MEMBER_INSERT                                                                             \
    "INSERT INTO members (org_id, name, gender, birth_date, category, joined_on, full_on, "      \
    "status, created_at, updated_at) VALUES "
#define ORG_INSERT                                                                                \
    "INSERT INTO orgs (id, parent_id, code, name, type, path, depth, has_committee, "            \
    "committee_size, founded_on, term_start, term_years, sort_order, created_at, updated_at) "   \
    "VALUES "

static const char SQL_MEMBER_1[] = MEMBER_INSERT M_1;
static const char SQL_MEMBER_N[] = MEMBER_INSERT M_256;
static const char SQL_ORG_1[] = ORG_INSERT O_1;
static const char SQL_ORG_N[] = ORG_INSERT O_64;
static const char SQL_ANY_ORG[] = "SELECT COUNT(*) FROM (SELECT 1 FROM orgs LIMIT 1) t";
/* SQLite ids are AUTOINCREMENT (never reused): start after sqlite_sequence, not just MAX(id). */
static const char SQL_MAX_ORG_ID[] =
    "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'orgs'), 0), "
    "(SELECT COALESCE(MAX(id), 0) FROM orgs))";
/* SQLite: a page cache big enough for a batch and the hot parts of the indexes, so pages are not
 * spilled into the WAL and read back within a transaction (2.5x faster at 1M members). */
static const char SQL_SQLITE_CACHE_GET[] = "PRAGMA cache_size";
static const char SQL_SQLITE_CACHE_BIG[] = "PRAGMA cache_size = -131072";   /* KiB: 128 MiB */
/* Reserves ? ids from the identity sequence; returns the last one reserved. */
static const char SQL_PG_RESERVE[] =
    "SELECT setval(pg_get_serial_sequence('orgs', 'id'), "
    "nextval(pg_get_serial_sequence('orgs', 'id')) + ? - 1)";

/* ---- buffered multi-row inserts ---- */

enum { V_NULL, V_I64, V_TEXT };

struct val {
    int64_t i;
    uint32_t off;               /* V_TEXT: into rows.text */
    uint8_t type;
};

struct rows {
    int ncols, nmany;
    struct db_stmt *one, *many; /* prepared once for the run */
    struct val *v;              /* nmany * ncols */
    struct buf text;            /* NUL-terminated texts of the buffered rows */
    int n, col;                 /* buffered complete rows; next column */
};

static int rows_init(struct rows *r, struct db *db, const char *sql_one, const char *sql_many,
                     int ncols, int nmany, struct err *e)
{
    memset(r, 0, sizeof *r);
    r->ncols = ncols;
    r->nmany = nmany;
    r->v = xmalloc((size_t)ncols * (size_t)nmany * sizeof *r->v);
    buf_init(&r->text, (size_t)64 << 20);
    if (db_prepare(db, &r->one, sql_one, e) != 0 || db_prepare(db, &r->many, sql_many, e) != 0)
        return -1;
    return 0;
}

static void rows_fini(struct rows *r)
{
    db_finalize(r->one);
    db_finalize(r->many);
    free(r->v);
    buf_fini(&r->text);
    memset(r, 0, sizeof *r);
}

static struct val *slot(struct rows *r)
{
    return &r->v[r->n * r->ncols + r->col++];
}

static void put_i64(struct rows *r, int64_t x)
{
    *slot(r) = (struct val){.type = V_I64, .i = x};
}

static void put_null(struct rows *r)
{
    *slot(r) = (struct val){.type = V_NULL};
}

static void put_text(struct rows *r, const char *s)
{
    *slot(r) = (struct val){.type = V_TEXT, .off = (uint32_t)r->text.len};
    buf_add(&r->text, s, strlen(s) + 1);
}

static void put_date(struct rows *r, struct date d)
{
    char s[11];
    date_format(d, s);
    put_text(r, s);
}

static void bind_row(const struct rows *r, struct db_stmt *st, int row, int first_param)
{
    const struct val *v = &r->v[row * r->ncols];
    for (int c = 0; c < r->ncols; c++) {
        int idx = first_param + c;
        if (v[c].type == V_I64)
            db_bind_i64(st, idx, v[c].i);
        else if (v[c].type == V_TEXT)
            db_bind_text(st, idx, buf_str(&r->text) + v[c].off);
        else
            db_bind_null(st, idx);
    }
}

/* Writes every buffered row: one statement when the buffer is full, else row by row. */
static int rows_flush(struct rows *r, struct err *e)
{
    if (buf_failed(&r->text))
        return err_set(e, ERR_INTERNAL, "demo.row_too_large");
    if (r->n == r->nmany) {
        db_reset(r->many);
        for (int i = 0; i < r->n; i++)
            bind_row(r, r->many, i, 1 + i * r->ncols);
        if (db_step(r->many, e) != DB_DONE)
            return -1;
    } else {
        for (int i = 0; i < r->n; i++) {
            db_reset(r->one);
            bind_row(r, r->one, i, 1);
            if (db_step(r->one, e) != DB_DONE)
                return -1;
        }
    }
    r->n = 0;
    buf_reset(&r->text);
    return 0;
}

/* Completes the current row; flushes when the buffer is full. */
static int rows_end(struct rows *r, struct err *e)
{
    r->col = 0;
    return ++r->n == r->nmany ? rows_flush(r, e) : 0;
}

/* ---- orgs and members ---- */

struct writer {
    struct db *db;
    const struct demo_plan *plan;
    int64_t base;               /* org id = base + plan index + 1 */
    struct rows orgs, members;
};

static int64_t org_id(const struct writer *w, int32_t idx)
{
    return w->base + 1 + idx;
}

static void org_path(const struct writer *w, int32_t idx, char *out, size_t size)
{
    int32_t chain[32];
    int n = 0;
    for (int32_t i = idx; i >= 0 && n < 32; i = w->plan->orgs[i].parent)
        chain[n++] = i;
    size_t len = (size_t)snprintf(out, size, "/");
    while (n > 0 && len < size)
        len += (size_t)snprintf(out + len, size - len, "%lld/", (long long)org_id(w, chain[--n]));
}

static int put_org(struct writer *w, int32_t i, struct err *e)
{
    const struct demo_org *o = &w->plan->orgs[i];
    struct rows *r = &w->orgs;
    char path[256];
    org_path(w, i, path, sizeof path);
    put_i64(r, org_id(w, i));
    if (o->parent < 0)
        put_null(r);
    else
        put_i64(r, org_id(w, o->parent));
    put_text(r, demo_plan_code(w->plan, (size_t)i));
    put_text(r, demo_plan_name(w->plan, (size_t)i));
    put_text(r, demo_type_name((enum demo_type)o->type));
    put_text(r, path);
    put_i64(r, o->depth);
    put_i64(r, o->has_committee);
    if (o->committee_size > 0)
        put_i64(r, o->committee_size);
    else
        put_null(r);
    put_date(r, date_from_days(o->founded));
    if (o->term_years > 0) {
        put_date(r, date_from_days(o->term_start));
        put_i64(r, o->term_years);
    } else {
        put_null(r);
        put_null(r);
    }
    put_i64(r, o->sort_order);
    put_i64(r, w->plan->created_s);
    put_i64(r, w->plan->created_s);
    return rows_end(r, e);
}

static int put_members(struct writer *w, int32_t branch, struct err *e)
{
    struct demo_member_gen g;
    struct demo_member m;
    struct rows *r = &w->members;
    demo_members_begin(&g, w->plan, branch);
    while (demo_members_next(&g, &m)) {
        put_i64(r, org_id(w, m.org));
        put_text(r, m.name);
        put_i64(r, m.gender);
        put_date(r, m.birth);
        put_text(r, m.probationary ? "probationary" : "full");
        put_date(r, m.joined);
        if (m.probationary)
            put_null(r);
        else
            put_date(r, m.full);
        put_text(r, m.lost_contact ? "lost_contact" : "normal");
        put_i64(r, w->plan->created_s);
        put_i64(r, w->plan->created_s);
        if (rows_end(r, e) != 0)
            return -1;
    }
    return 0;
}

/* Orgs [from, to) and their members in one transaction; *done counts members written. */
static int write_batch(struct writer *w, size_t from, size_t to, int64_t job_id, int64_t *done,
                       struct err *e)
{
    int64_t n = 0;
    if (db_begin(w->db, e) != 0)
        return -1;
    for (size_t i = from; i < to; i++)
        if (put_org(w, (int32_t)i, e) != 0)
            goto fail;
    if (rows_flush(&w->orgs, e) != 0)           /* members reference them (FK) */
        goto fail;
    for (size_t i = from; i < to; i++) {
        if (w->plan->orgs[i].type != DEMO_BRANCH)
            continue;
        if (put_members(w, (int32_t)i, e) != 0)
            goto fail;
        n += w->plan->orgs[i].n_total;
    }
    if (rows_flush(&w->members, e) != 0)
        goto fail;
    if (job_id > 0 && jobs_store_progress(w->db, job_id, *done + n, w->plan->members, e) != 0)
        goto fail;
    if (db_commit(w->db, e) != 0)
        goto fail;
    *done += n;
    return 0;
fail:
    db_rollback(w->db);
    return -1;
}

int demo_store_check_empty(struct db *db, struct err *e)
{
    int64_t any = 0;
    if (db_query_i64(db, SQL_ANY_ORG, &any, e) != 0)
        return -1;
    return any > 0 ? err_set(e, ERR_CONFLICT, "demo.db_not_empty") : 0;
}

static int id_base(struct db *db, int64_t norgs, int64_t *base, struct err *e)
{
    if (db_kind(db) == DB_SQLITE)
        return db_query_i64(db, SQL_MAX_ORG_ID, base, e);
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_PG_RESERVE, e) != 0)
        return -1;
    db_bind_i64(st, 1, norgs);
    int rc = db_step(st, e) == DB_ROW ? 0 : -1;
    if (rc == 0)
        *base = db_col_i64(st, 0) - norgs;
    db_finalize(st);
    return rc;
}

/* Enlarges the SQLite page cache for the run; *old gets the value to restore (0: nothing). */
static int cache_grow(struct db *db, int64_t *old, struct err *e)
{
    *old = 0;
    if (db_kind(db) != DB_SQLITE)
        return 0;
    if (db_query_i64(db, SQL_SQLITE_CACHE_GET, old, e) != 0 ||
        db_exec(db, SQL_SQLITE_CACHE_BIG, e) != 0)
        return -1;
    return 0;
}

static void cache_restore(struct db *db, int64_t old)
{
    char sql[64];
    struct err ignored = ERR_INIT;
    if (old == 0)
        return;
    snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", (long long)old);   /* our own value */
    if (db_exec(db, sql, &ignored) != 0)
        return;                           /* a bigger cache than needed is harmless */
}

int demo_store_write(struct db *db, const struct demo_plan *plan, int64_t job_id,
                     demo_progress_fn progress, void *ctx, struct demo_result *out, struct err *e)
{
    struct writer w = {.db = db, .plan = plan};
    int64_t done = 0, old_cache = 0;
    int rc = -1;

    if (id_base(db, (int64_t)plan->norgs, &w.base, e) != 0 || cache_grow(db, &old_cache, e) != 0)
        return -1;
    if (rows_init(&w.orgs, db, SQL_ORG_1, SQL_ORG_N, ORG_COLS, ORG_ROWS, e) != 0 ||
        rows_init(&w.members, db, SQL_MEMBER_1, SQL_MEMBER_N, MEMBER_COLS, MEMBER_ROWS, e) != 0)
        goto done;
    for (size_t from = 0, to; from < plan->norgs; from = to) {
        int64_t n = 0;
        /* A batch ends before a non-group org once it holds enough members. */
        for (to = from; to < plan->norgs; to++) {
            if (n >= DEMO_BATCH_MEMBERS && plan->orgs[to].type != DEMO_GROUP)
                break;
            n += plan->orgs[to].n_direct;
        }
        if (write_batch(&w, from, to, job_id, &done, e) != 0)
            goto done;
        if (progress != NULL)
            progress(ctx, done, plan->members);
    }
    out->orgs = (int64_t)plan->norgs;
    out->members = done;
    out->job_id = job_id;
    rc = 0;
done:
    rows_fini(&w.orgs);
    rows_fini(&w.members);
    cache_restore(db, old_cache);
    return rc;
}
