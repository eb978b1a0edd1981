/* demo_store.c: writes a demo plan (demo_rules.c) into an empty database through db.h.
 *
 * Batches: one transaction per ~DEMO_BATCH_MEMBERS members that always ends after a whole
 * branch and its 党小组, so every committed state is consistent; the job's progress row is
 * updated inside the same transaction. Rows go out as multi-row INSERTs (256 members, 64 orgs
 * per statement; the remainder row by row): one round trip per 256 members on PostgreSQL, and
 * fewer VDBE runs on SQLite. The statements are prepared once per run, not per batch.
 *
 * Ids: the orgs table is empty, so the store assigns org ids itself (base + plan index + 1) and
 * computes each path ('/1/5/23/') before the INSERT. Member ids are assigned the same way
 * (member base + 1, 2, ... in writing order), because each member's row id is part of the
 * associated data of its encrypted fields. SQLite starts after the AUTOINCREMENT counter
 * (explicit ids move it on); on PostgreSQL the identity sequence is advanced past the whole
 * range first. Either way no id is ever handed out twice, even after deletions.
 * n_full/n_prob are the triggers' business, never written here.
 *
 * Personal data: ID number, phone and address are sealed per field (crypto/field.h, AD
 * "members.<column>:<id>") with the key file's current key, and ID number and phone get their
 * blind indexes (crypto/pdata.h); repeats are made unique first (demo_pdata.c).
 *
 * Two threads: sealing a member's three fields costs about as much CPU as SQLite spends
 * writing the row, so a worker thread generates and seals batch k+1 (pure work and the key file,
 * no database) while this thread writes batch k; the thread is started and joined once per
 * batch, so the uniqueness sets and member ids advance in batch order and the data stays the same
 * for a seed. Without a thread (pthread_create fails) the batch is prepared inline.
 *
 * Blind indexes: inserting a million random 64-hex keys into two B-trees makes every batch
 * rewrite most of their pages (on SQLite that doubled the 1M demo to ~106 s), so the two member
 * blind indexes are dropped before the first batch and rebuilt by one sort after the last (also
 * after a failure). Only a killed demo leaves them missing, on a half-written database that the
 * demo will not touch again (it needs an empty one). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "crypto/field.h"
#include "crypto/keys.h"
#include "crypto/pdata.h"
#include "db/db.h"
#include "features/demo/demo.h"
#include "db/db_rows.h"
#include "jobs/jobs.h"

#define MEMBER_COLS 27
#define POST_COLS 5
#define POST_ROWS 64
#define MEMBER_ROWS 256
#define ORG_COLS 15
#define ORG_ROWS 64

#define M_1 "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
#define M_4 M_1 "," M_1 "," M_1 "," M_1
#define M_16 M_4 "," M_4 "," M_4 "," M_4
#define M_64 M_16 "," M_16 "," M_16 "," M_16
#define M_256 M_64 "," M_64 "," M_64 "," M_64
#define O_1 "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
#define O_4 O_1 "," O_1 "," O_1 "," O_1
#define O_16 O_4 "," O_4 "," O_4 "," O_4
#define O_64 O_16 "," O_16 "," O_16 "," O_16

#define MEMBER_INSERT                                                                             \
    "INSERT INTO members (id, org_id, name, gender, birth_date, category, joined_on, full_on, "  \
    "status, created_at, updated_at, id_number_enc, id_number_bidx, phone_enc, phone_bidx, "     \
    "address_enc, ethnicity, education, applied_on, activist_on, candidate_on, job, title, "     \
    "work_unit, department, status_on, status_reason) VALUES "
#define P_1 "(?,?,?,?,?)"
#define P_4 P_1 "," P_1 "," P_1 "," P_1
#define P_16 P_4 "," P_4 "," P_4 "," P_4
#define P_64 P_16 "," P_16 "," P_16 "," P_16
#define POST_INSERT "INSERT INTO member_posts (member_id, org_id, post, started_on, created_at) VALUES "
#define ORG_INSERT                                                                                \
    "INSERT INTO orgs (id, parent_id, code, name, type, path, depth, has_committee, "            \
    "committee_size, founded_on, term_start, term_years, sort_order, created_at, updated_at) "   \
    "VALUES "

static const char SQL_MEMBER_1[] = MEMBER_INSERT M_1;
static const char SQL_MEMBER_N[] = MEMBER_INSERT M_256;
static const char SQL_POST_1[] = POST_INSERT P_1;
static const char SQL_POST_N[] = POST_INSERT P_64;
static const char SQL_ORG_1[] = ORG_INSERT O_1;
static const char SQL_ORG_N[] = ORG_INSERT O_64;
static const char SQL_ANY_ORG[] = "SELECT COUNT(*) FROM (SELECT 1 FROM orgs LIMIT 1) t";
/* SQLite ids are AUTOINCREMENT (never reused): start after sqlite_sequence, not just MAX(id). */
static const char SQL_MAX_ORG_ID[] =
    "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'orgs'), 0), "
    "(SELECT COALESCE(MAX(id), 0) FROM orgs))";
static const char SQL_MAX_MEMBER_ID[] =
    "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'members'), 0), "
    "(SELECT COALESCE(MAX(id), 0) FROM members))";
/* SQLite: a page cache big enough for a batch and the hot parts of the indexes (128 MiB,
 * db_page_cache_grow), so pages are not spilled into the WAL and read back within a
 * transaction (2.5x faster at 1M members). */
static const char SQL_DROP_BLIND[] =
    "DROP INDEX IF EXISTS members_id_number_bidx; DROP INDEX IF EXISTS members_phone_bidx";
/* As in migration 0002_identity.sql. */
static const char SQL_CREATE_BLIND[] =
    "CREATE INDEX IF NOT EXISTS members_id_number_bidx ON members(id_number_bidx); "
    "CREATE INDEX IF NOT EXISTS members_phone_bidx ON members(phone_bidx)";
/* PostgreSQL: a sort of 1M 64-hex keys fits in 256 MB, not in the default 64 MB (external merge:
 * 6.2 s instead of 4.1 s per index). Session-local, reset afterwards. */
static const char SQL_PG_CREATE_BLIND[] =
    "SET maintenance_work_mem = '256MB'; "
    "CREATE INDEX IF NOT EXISTS members_id_number_bidx ON members(id_number_bidx); "
    "CREATE INDEX IF NOT EXISTS members_phone_bidx ON members(phone_bidx); "
    "RESET maintenance_work_mem";
/* Reserves ? ids from the identity sequence; returns the last one reserved. */
static const char SQL_PG_RESERVE[] =
    "SELECT setval(pg_get_serial_sequence('orgs', 'id'), "
    "nextval(pg_get_serial_sequence('orgs', 'id')) + ? - 1)";
static const char SQL_PG_RESERVE_MEMBERS[] =
    "SELECT setval(pg_get_serial_sequence('members', 'id'), "
    "nextval(pg_get_serial_sequence('members', 'id')) + ? - 1)";

/* ---- orgs ---- */

struct writer {
    struct db *db;
    const struct demo_plan *plan;
    int64_t base;               /* org id = base + plan index + 1 */
    struct db_stmt *org_one, *org_many, *member_one, *member_many, *post_one, *post_many;
    struct db_rows orgs;
};

static int64_t org_id(int64_t base, int32_t idx)
{
    return base + 1 + idx;
}

static void org_path(const struct writer *w, int32_t idx, char *out, size_t size)
{
    int32_t chain[32];
    int n = 0;
    for (int32_t i = idx; i >= 0 && n < 32; i = w->plan->orgs[i].parent)
        chain[n++] = i;
    size_t len = (size_t)snprintf(out, size, "/");
    while (n > 0 && len < size)
        len += (size_t)snprintf(out + len, size - len, "%lld/",
                                (long long)org_id(w->base, chain[--n]));
}

static void put_org(struct writer *w, int32_t i)
{
    const struct demo_org *o = &w->plan->orgs[i];
    struct db_rows *r = &w->orgs;
    char path[256];
    org_path(w, i, path, sizeof path);
    db_rows_i64(r, org_id(w->base, i));
    if (o->parent < 0)
        db_rows_null(r);
    else
        db_rows_i64(r, org_id(w->base, o->parent));
    db_rows_text(r, demo_plan_code(w->plan, (size_t)i));
    db_rows_text(r, demo_plan_name(w->plan, (size_t)i));
    db_rows_text(r, demo_type_name((enum demo_type)o->type));
    db_rows_text(r, path);
    db_rows_i64(r, o->depth);
    db_rows_i64(r, o->has_committee);
    if (o->committee_size > 0)
        db_rows_i64(r, o->committee_size);
    else
        db_rows_null(r);
    db_rows_date(r, date_from_days(o->founded));
    if (o->term_years > 0) {
        db_rows_date(r, date_from_days(o->term_start));
        db_rows_i64(r, o->term_years);
    } else {
        db_rows_null(r);
        db_rows_null(r);
    }
    db_rows_i64(r, o->sort_order);
    db_rows_i64(r, w->plan->created_s);
    db_rows_i64(r, w->plan->created_s);
    db_rows_end(r);
}

/* ---- members: generated and sealed off the database thread ---- */

/* The members of orgs [from, to), made ready for INSERT. Owned by one thread at a time. */
struct prep {
    const struct demo_plan *plan;
    const struct keys *keys;    /* borrowed, read-only */
    struct field_keyring ring;
    int64_t org_base;
    int64_t *next_member;       /* shared cursor; only the thread preparing a batch moves it */
    struct demo_unique *ids, *phones;
    size_t from, to;
    struct db_rows rows;
    struct db_rows posts;     /* member_posts: a secretary per branch, a leader per group */
    int64_t count;
    int rc;
    struct err e;
};

/* One sealed value (AD "<column>:<id>"). */
static int put_sealed(struct prep *p, const char *column, int64_t id, const char *plain)
{
    char *sealed = NULL;
    if (field_encrypt(&p->ring, column, id, plain, &sealed, &p->e) != 0)
        return -1;
    db_rows_text(&p->rows, sealed);
    free(sealed);
    return 0;
}

/* The blind index of a value normalised for its column ("id_number", "phone"). */
static int put_blind(struct prep *p, const char *column, const char *plain)
{
    char norm[PDATA_NORM_MAX], hex[FIELD_BLIND_HEX];
    int bad = strcmp(column, "phone") == 0 ? pdata_normalise_phone(plain, norm)
                                           : pdata_normalise_id_number(plain, norm);
    if (bad != 0)
        return err_set(&p->e, ERR_INTERNAL, "demo.bad_personal_data");
    pdata_blind(p->keys, column, norm, hex);
    db_rows_text(&p->rows, hex);
    return 0;
}

static void put_text_or_null(struct db_rows *r, const char *s)
{
    if (s != NULL)
        db_rows_text(r, s);
    else
        db_rows_null(r);
}

static int put_member(struct prep *p, const struct demo_member *m, int64_t *out_id)
{
    struct db_rows *r = &p->rows;
    int64_t id = (*p->next_member)++;
    *out_id = id;
    db_rows_i64(r, id);
    db_rows_i64(r, org_id(p->org_base, m->org));
    db_rows_text(r, m->name);
    db_rows_i64(r, m->gender);
    db_rows_date(r, m->birth);
    db_rows_text(r, m->probationary ? "probationary" : "full");
    db_rows_date(r, m->joined);
    if (m->probationary)
        db_rows_null(r);
    else
        db_rows_date(r, m->full);
    db_rows_text(r, m->lost_contact ? "lost_contact" : "normal");
    db_rows_i64(r, p->plan->created_s);
    db_rows_i64(r, p->plan->created_s);
    if (put_sealed(p, "members.id_number", id, m->id_number) != 0 ||
        put_blind(p, "id_number", m->id_number) != 0 ||
        put_sealed(p, "members.phone", id, m->phone) != 0 || put_blind(p, "phone", m->phone) != 0 ||
        put_sealed(p, "members.address", id, m->address) != 0)
        return -1;
    db_rows_text(r, m->ethnicity);
    db_rows_text(r, m->education);
    db_rows_date(r, m->applied);
    db_rows_date(r, m->activist);
    db_rows_date(r, m->candidate);
    put_text_or_null(r, m->job);
    put_text_or_null(r, m->title);
    put_text_or_null(r, m->work_unit);
    put_text_or_null(r, m->department);
    if (m->lost_contact) {                  /* status_on stays NULL for normal members */
        db_rows_date(r, m->status_on);
        db_rows_text(r, "多次联系未果");
    } else {
        db_rows_null(r);
        db_rows_null(r);
    }
    db_rows_end(r);
    return 0;
}

/* One member_posts row: post held in org from max(full membership, the branch's term start). */
static void put_post(struct prep *p, int64_t member_id, int32_t org, const char *post,
                     const struct demo_member *m, const struct demo_org *branch)
{
    struct db_rows *r = &p->posts;
    int32_t since = branch->term_years > 0 ? branch->term_start : branch->founded;
    int32_t full = (int32_t)date_to_days(m->full);
    db_rows_i64(r, member_id);
    db_rows_i64(r, org_id(p->org_base, org));
    db_rows_text(r, post);
    db_rows_date(r, date_from_days(full > since ? full : since));
    db_rows_i64(r, p->plan->created_s);
    db_rows_end(r);
}

/* The members of one branch, with its secretary (the first full member placed in the branch
 * itself, else the first full member) and one leader per 党小组 (its first full member). */
static void prepare_branch(struct prep *p, int32_t b)
{
    const struct demo_org *o = &p->plan->orgs[b];
    struct demo_member_gen g;
    struct demo_member m, first;
    bool led[256] = {false}, secretary = false;
    int64_t id, first_id = 0;
    demo_members_begin(&g, p->plan, b);
    while (p->rc == 0 && demo_members_next(&g, &m)) {
        demo_pdata_make_unique(p->ids, p->phones, &m);
        p->rc = put_member(p, &m, &id);
        p->count++;
        if (p->rc != 0 || m.probationary)
            continue;
        if (first_id == 0) {
            first_id = id;
            first = m;
        }
        if (m.org == b && !secretary) {
            put_post(p, id, b, "secretary", &m, o);
            secretary = true;
        } else if (m.org != b && !led[m.org - b - 1]) {
            put_post(p, id, m.org, "group_leader", &m, o);
            led[m.org - b - 1] = true;
        }
    }
    if (p->rc == 0 && !secretary && first_id != 0)
        put_post(p, first_id, b, "secretary", &first, o);
}

static void *prepare(void *arg)
{
    struct prep *p = arg;
    db_rows_reset(&p->rows);
    db_rows_reset(&p->posts);
    p->count = 0;
    p->rc = 0;
    for (size_t i = p->from; i < p->to && p->rc == 0; i++)
        if (p->plan->orgs[i].type == DEMO_BRANCH)
            prepare_branch(p, (int32_t)i);
    return NULL;
}

/* ---- batches ---- */

/* A batch ends before a non-group org once it holds enough members. */
static size_t batch_end(const struct demo_plan *plan, size_t from)
{
    int64_t n = 0;
    size_t to = from;
    for (; to < plan->norgs; to++) {
        if (n >= DEMO_BATCH_MEMBERS && plan->orgs[to].type != DEMO_GROUP)
            break;
        n += plan->orgs[to].n_direct;
    }
    return to;
}

/* Orgs [p->from, p->to) and their prepared members in one transaction. */
static int write_batch(struct writer *w, const struct prep *p, int64_t job_id, int64_t done,
                       struct err *e)
{
    if (db_begin(w->db, e) != 0)
        return -1;
    db_rows_reset(&w->orgs);
    for (size_t i = p->from; i < p->to; i++)
        put_org(w, (int32_t)i);
    if (db_rows_insert(&w->orgs, w->org_one, w->org_many, ORG_ROWS, e) != 0 ||
        db_rows_insert(&p->rows, w->member_one, w->member_many, MEMBER_ROWS, e) != 0 ||
        db_rows_insert(&p->posts, w->post_one, w->post_many, POST_ROWS, e) != 0)
        goto fail;
    if (job_id > 0 && jobs_store_progress(w->db, job_id, done + p->count, w->plan->members, e) != 0)
        goto fail;
    if (db_commit(w->db, e) != 0)
        goto fail;
    return 0;
fail:
    db_rollback(w->db);
    return -1;
}

/* Starts preparing p on a worker thread, or prepares it here when no thread can be made. */
static bool prepare_async(struct prep *p, pthread_t *t)
{
    if (pthread_create(t, NULL, prepare, p) == 0)
        return true;
    prepare(p);
    return false;
}

int demo_store_check_empty(struct db *db, struct err *e)
{
    int64_t any = 0;
    if (db_query_i64(db, SQL_ANY_ORG, &any, e) != 0)
        return -1;
    return any > 0 ? err_set(e, ERR_CONFLICT, "demo.db_not_empty") : 0;
}

/* Reserves n ids of a table: *base + 1 .. *base + n are ours. */
static int id_base(struct db *db, const char *sql_sqlite, const char *sql_pg, int64_t n,
                   int64_t *base, struct err *e)
{
    if (db_kind(db) == DB_SQLITE)
        return db_query_i64(db, sql_sqlite, base, e);
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql_pg, e) != 0)
        return -1;
    db_bind_i64(st, 1, n);
    int rc = db_step(st, e) == DB_ROW ? 0 : -1;
    if (rc == 0)
        *base = db_col_i64(st, 0) - n;
    db_finalize(st);
    return rc;
}

/* Writes every batch; preparation of the next overlaps the writing of this one. */
static int write_all(struct writer *w, struct prep prep[2], int64_t job_id,
                     demo_progress_fn progress, void *ctx, int64_t *done, struct err *e)
{
    size_t from = 0;
    int cur = 0;
    prep[cur].from = 0;
    prep[cur].to = batch_end(w->plan, 0);
    prepare(&prep[cur]);
    while (from < w->plan->norgs) {
        struct prep *p = &prep[cur], *next = &prep[1 - cur];
        pthread_t t;
        bool threaded = false;
        if (p->rc != 0) {
            *e = p->e;
            return -1;
        }
        next->from = p->to;
        next->to = batch_end(w->plan, p->to);
        if (next->from < w->plan->norgs)
            threaded = prepare_async(next, &t);
        int rc = write_batch(w, p, job_id, *done, e);
        if (threaded && pthread_join(t, NULL) != 0 && rc == 0)
            rc = err_set(e, ERR_INTERNAL, "demo.thread");
        if (rc != 0)
            return -1;
        *done += p->count;
        if (progress != NULL)
            progress(ctx, *done, w->plan->members);
        from = p->to;
        cur = 1 - cur;
    }
    return 0;
}

int demo_store_write(struct db *db, const struct demo_plan *plan, const struct keys *keys,
                     int64_t job_id, demo_progress_fn progress, void *ctx,
                     struct demo_result *out, struct err *e)
{
    struct writer w = {.db = db, .plan = plan};
    struct demo_unique ids, phones;
    struct prep prep[2];
    int64_t done = 0, old_cache = 0, member_base = 0, next_member;
    int rc = -1;

    if (id_base(db, SQL_MAX_ORG_ID, SQL_PG_RESERVE, (int64_t)plan->norgs, &w.base, e) != 0 ||
        id_base(db, SQL_MAX_MEMBER_ID, SQL_PG_RESERVE_MEMBERS, plan->members, &member_base,
                e) != 0 ||
        db_page_cache_grow(db, 128, &old_cache, e) != 0)
        return -1;
    next_member = member_base + 1;
    demo_unique_init(&ids, plan->members);
    demo_unique_init(&phones, plan->members);
    db_rows_init(&w.orgs, ORG_COLS);
    for (int i = 0; i < 2; i++) {
        prep[i] = (struct prep){.plan = plan, .keys = keys, .ring = keys_field_ring(keys),
                                .org_base = w.base, .next_member = &next_member, .ids = &ids,
                                .phones = &phones};
        db_rows_init(&prep[i].rows, MEMBER_COLS);
        db_rows_init(&prep[i].posts, POST_COLS);
    }
    if (db_prepare(db, &w.org_one, SQL_ORG_1, e) != 0 ||
        db_prepare(db, &w.org_many, SQL_ORG_N, e) != 0 ||
        db_prepare(db, &w.member_one, SQL_MEMBER_1, e) != 0 ||
        db_prepare(db, &w.member_many, SQL_MEMBER_N, e) != 0 ||
        db_prepare(db, &w.post_one, SQL_POST_1, e) != 0 ||
        db_prepare(db, &w.post_many, SQL_POST_N, e) != 0 ||
        db_exec(db, SQL_DROP_BLIND, e) != 0)
        goto done;
    if (write_all(&w, prep, job_id, progress, ctx, &done, e) != 0)
        goto rebuild;
    out->orgs = (int64_t)plan->norgs;
    out->members = done;
    out->job_id = job_id;
    rc = 0;
rebuild:;
    const char *create = db_kind(db) == DB_POSTGRES ? SQL_PG_CREATE_BLIND : SQL_CREATE_BLIND;
    if (rc == 0) {
        if (db_exec(db, create, e) != 0)
            rc = -1;
    } else {
        struct err ignored = ERR_INIT;           /* keep the first error */
        if (db_exec(db, create, &ignored) != 0)
            rc = -1;
    }
done:
    db_finalize(w.org_one);
    db_finalize(w.org_many);
    db_finalize(w.member_one);
    db_finalize(w.member_many);
    db_finalize(w.post_one);
    db_finalize(w.post_many);
    db_rows_fini(&w.orgs);
    for (int i = 0; i < 2; i++) {
        db_rows_fini(&prep[i].rows);
        db_rows_fini(&prep[i].posts);
    }
    demo_unique_fini(&ids);
    demo_unique_fini(&phones);
    db_page_cache_restore(db, old_cache);
    return rc;
}
