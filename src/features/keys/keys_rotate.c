/* keys_rotate.c: the table of encrypted columns and the re-encryption of their values (see
 * keys_rotate.h for the protocol and why it survives a kill).
 *
 * A batch is one transaction: SELECT up to N rows after the cursor that hold a value whose key
 * id is not the current one (`col NOT LIKE 'v1:<current>:%'`), open each such value with the
 * keyring and seal it again with the current key under the same associated data, then UPDATE the
 * row only where every encrypted column still holds what was read (COALESCE(col, '') = old).
 * SQLite takes the write lock at BEGIN (db.h), so nothing changes in between there; on
 * PostgreSQL (READ COMMITTED) the compare-and-set is what keeps a concurrent edit: the row is
 * counted as raced and taken again by the next pass. No cursor is stored anywhere: a rerun scans
 * from the first id and skips, in SQL, the rows already done.
 * Rows are written KEYS_UPDATE_ROWS at a time by one UPDATE ... FROM (SELECT .. UNION ALL ..)
 * (SQLite >= 3.33 and PostgreSQL alike), the remainder one by one: on PostgreSQL one round trip
 * per 64 rows instead of per row took 100,000 rows from 37 s to 14 s, and on SQLite 1M rows from
 * 53 s to 34 s (both on a busy 2-core VM).
 * A value sealed again also gets its blind index made again under the current blind key (ID
 * numbers and phones), in the same UPDATE; COALESCE keeps the stored index of a value left as
 * it was.
 * Cost per row: one decrypt and one encrypt per value (~2 us each) and one UPDATE. */
#include "features/keys/keys_rotate.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "crypto/keys.h"
#include "crypto/pdata.h"
#include "db/db.h"
#include "features/keys/keys_internal.h"
#include "jobs/jobs.h"

#define MAX_PASSES 5
#define ROTATE_CACHE_MIB 256      /* SQLite page cache while rotating (db_page_cache_grow) */

/* Multi-row UPDATE sources: 64 rows of (id, new values, old values) as one derived table. */
#define R2(x) x x
#define R4(x) R2(R2(x))
#define R63(x) R4(R4(R2(x))) R4(R4(x)) R4(R2(x)) R4(x) R2(x) x
#define M_FIRST "SELECT CAST(? AS BIGINT) AS id, ? AS n1, ? AS n2, ? AS n3, ? AS n4, ? AS o1, " \
                "? AS o2, ? AS o3, ? AS o4, ? AS b1, ? AS b2"
#define M_NEXT " UNION ALL SELECT CAST(? AS BIGINT), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
#define U_FIRST "SELECT CAST(? AS BIGINT) AS id, ? AS n1, ? AS n2, ? AS o1, ? AS o2, ? AS b1"
#define U_NEXT " UNION ALL SELECT CAST(? AS BIGINT), ?, ?, ?, ?, ?"

/* The encrypted columns: the one list (keys_rotate.h). Each entry's SQL names the same columns
 * in the same order as its `ad`; a blind index is written only where a value was sealed again
 * (NULL keeps the stored one). */
const struct keys_table KEYS_TABLES[] = {
    {
        "members",
        {"members.id_number", "members.phone", "members.address", "members.id_number_orig"},
        4,
        {"id_number", "phone"},
        2,
        "SELECT COUNT(*) FROM members WHERE id_number_enc NOT LIKE ? OR phone_enc NOT LIKE ? "
        "OR address_enc NOT LIKE ? OR id_number_orig_enc NOT LIKE ?",
        "SELECT id, id_number_enc, phone_enc, address_enc, id_number_orig_enc FROM members "
        "WHERE id > ? AND (id_number_enc NOT LIKE ? OR phone_enc NOT LIKE ? OR "
        "address_enc NOT LIKE ? OR id_number_orig_enc NOT LIKE ?) ORDER BY id LIMIT ?",
        "SELECT id, id_number_enc, phone_enc, address_enc, id_number_orig_enc FROM members "
        "WHERE id > ? ORDER BY id LIMIT ?",
        "UPDATE members SET id_number_enc = ?, phone_enc = ?, address_enc = ?, "
        "id_number_orig_enc = ?, id_number_bidx = COALESCE(?, id_number_bidx), "
        "phone_bidx = COALESCE(?, phone_bidx) WHERE id = ? AND "
        "COALESCE(id_number_enc, '') = ? AND COALESCE(phone_enc, '') = ? AND "
        "COALESCE(address_enc, '') = ? AND COALESCE(id_number_orig_enc, '') = ?",
        "UPDATE members SET id_number_enc = v.n1, phone_enc = v.n2, address_enc = v.n3, "
        "id_number_orig_enc = v.n4, id_number_bidx = COALESCE(v.b1, members.id_number_bidx), "
        "phone_bidx = COALESCE(v.b2, members.phone_bidx) FROM (" M_FIRST R63(M_NEXT) ") AS v "
        "WHERE members.id = v.id AND "
        "COALESCE(members.id_number_enc, '') = v.o1 AND COALESCE(members.phone_enc, '') = v.o2 "
        "AND COALESCE(members.address_enc, '') = v.o3 AND "
        "COALESCE(members.id_number_orig_enc, '') = v.o4",
        "SELECT COUNT(id_number_enc), COUNT(phone_enc), COUNT(address_enc), "
        "COUNT(id_number_orig_enc) FROM members",
        "SELECT SUM(CASE WHEN id_number_enc LIKE ? THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN phone_enc LIKE ? THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN address_enc LIKE ? THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN id_number_orig_enc LIKE ? THEN 1 ELSE 0 END) FROM members",
    },
    {
        "users",
        {"users.phone", "users.mfa_secret"},
        2,
        {"phone"},
        1,
        "SELECT COUNT(*) FROM users WHERE phone_enc NOT LIKE ? OR mfa_secret_enc NOT LIKE ?",
        "SELECT id, phone_enc, mfa_secret_enc FROM users WHERE id > ? AND "
        "(phone_enc NOT LIKE ? OR mfa_secret_enc NOT LIKE ?) ORDER BY id LIMIT ?",
        "SELECT id, phone_enc, mfa_secret_enc FROM users WHERE id > ? ORDER BY id LIMIT ?",
        "UPDATE users SET phone_enc = ?, mfa_secret_enc = ?, phone_bidx = COALESCE(?, phone_bidx) "
        "WHERE id = ? AND COALESCE(phone_enc, '') = ? AND COALESCE(mfa_secret_enc, '') = ?",
        "UPDATE users SET phone_enc = v.n1, mfa_secret_enc = v.n2, "
        "phone_bidx = COALESCE(v.b1, users.phone_bidx) FROM (" U_FIRST R63(U_NEXT)
        ") AS v WHERE users.id = v.id AND COALESCE(users.phone_enc, '') = v.o1 AND "
        "COALESCE(users.mfa_secret_enc, '') = v.o2",
        "SELECT COUNT(phone_enc), COUNT(mfa_secret_enc) FROM users",
        "SELECT SUM(CASE WHEN phone_enc LIKE ? THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN mfa_secret_enc LIKE ? THEN 1 ELSE 0 END) FROM users",
    },
};
const size_t KEYS_NTABLES = sizeof KEYS_TABLES / sizeof KEYS_TABLES[0];

void keys_like_pattern(unsigned id, char out[32])
{
    snprintf(out, 32, "v1:%u:%%", id);
}

int keys_rotate_pending(struct db *db, uint32_t key_id, int64_t *rows, struct err *e)
{
    char pattern[32];
    keys_like_pattern(key_id, pattern);
    *rows = 0;
    for (size_t t = 0; t < KEYS_NTABLES; t++) {
        struct db_stmt *st = NULL;
        if (db_prepare(db, &st, KEYS_TABLES[t].sql_pending, e) != 0)
            return -1;
        for (int c = 0; c < KEYS_TABLES[t].ncols; c++)
            db_bind_text(st, c + 1, pattern);
        int r = db_step(st, e);
        if (r == DB_ROW)
            *rows += db_col_i64(st, 0);
        db_finalize(st);
        if (r != DB_ROW)
            return -1;
    }
    return 0;
}

/* ---- one batch ---- */

struct row {
    int64_t id;
    const char *old[KEYS_MAX_COLS];  /* arena copies; NULL = SQL NULL */
    const char *now[KEYS_MAX_COLS];  /* what to store: old, or the value sealed again */
    const char *bidx[KEYS_MAX_COLS]; /* a blind index made again; NULL keeps the stored one */
    bool changed;
};

static void note_failure(struct keys_rotate_run *r, const char *column, int64_t id)
{
    if (r->failed < KEYS_FAILED_REFS)
        snprintf(r->failed_refs[r->failed], sizeof r->failed_refs[0], "%s:%lld", column,
                 (long long)id);
    r->failed++;
}

/* Opens a value with any key of the ring and seals it with the current one (arena copy). A value
 * that does not open is left alone and noted; only an internal error returns -1. */
static int reseal(const struct field_keyring *ring, const struct keys_table *t, struct row *w,
                  int c, struct arena *a, struct keys_rotate_run *r, struct err *e)
{
    const char *column = t->ad[c];
    char *plain = NULL, *sealed = NULL;
    struct err de = ERR_INIT;
    if (field_decrypt(ring, column, w->id, w->old[c], &plain, &de) != 0) {
        note_failure(r, column, w->id);
        return 0;
    }
    if (c < t->nblind) {      /* the index follows its value onto the current blind key */
        char norm[PDATA_NORM_MAX], hex[FIELD_BLIND_HEX];
        int bad = strcmp(t->blind[c], "id_number") == 0 ? pdata_normalise_id_number(plain, norm)
                                                        : pdata_normalise_phone(plain, norm);
        if (bad == 0) {
            pdata_blind(r->k, t->blind[c], norm, hex);
            w->bidx[c] = arena_strdup(a, hex);
        }
        sodium_memzero(norm, sizeof norm);
    }
    int rc = field_encrypt(ring, column, w->id, plain, &sealed, e);
    sodium_memzero(plain, strlen(plain));
    free(plain);
    if (rc != 0)
        return -1;
    w->now[c] = arena_strdup(a, sealed);
    w->changed = true;
    free(sealed);
    r->values++;
    return 0;
}

/* Reads the next batch after *cursor into rows; returns how many (0 = the table is done). */
static int read_batch(struct db *db, const struct keys_table *t, const char *pattern, int batch,
                      int64_t cursor, struct row *rows, struct arena *a, struct err *e)
{
    struct db_stmt *st = NULL;
    int n = 0, r = DB_DONE;
    if (db_prepare(db, &st, t->sql_select_pending, e) != 0)
        return -1;
    db_bind_i64(st, 1, cursor);
    for (int c = 0; c < t->ncols; c++)
        db_bind_text(st, 2 + c, pattern);
    db_bind_i64(st, 2 + t->ncols, batch);
    while (n < batch && (r = db_step(st, e)) == DB_ROW) {
        struct row *w = &rows[n++];
        memset(w, 0, sizeof *w);
        w->id = db_col_i64(st, 0);
        for (int c = 0; c < t->ncols; c++)
            w->old[c] = w->now[c] = db_col_strdup(a, st, c + 1);
    }
    db_finalize(st);
    return r == DB_ERROR ? -1 : n;
}

static int update_row(struct db_stmt *st, const struct keys_table *t, const struct row *w,
                      int64_t *changed, struct err *e)
{
    int p = 1;
    db_reset(st);
    for (int c = 0; c < t->ncols; c++)
        db_bind_text(st, p++, w->now[c]);
    for (int c = 0; c < t->nblind; c++)
        db_bind_text(st, p++, w->bidx[c]);
    db_bind_i64(st, p++, w->id);
    for (int c = 0; c < t->ncols; c++)
        db_bind_text(st, p++, w->old[c] != NULL ? w->old[c] : "");
    if (db_step(st, e) != DB_DONE)
        return -1;
    *changed = db_changes(st);
    return 0;
}

/* KEYS_UPDATE_ROWS rows in one statement: (id, new.., old..) per row. */
static int update_many(struct db_stmt *st, const struct keys_table *t, struct row *const *w,
                       int64_t *changed, struct err *e)
{
    int p = 1;
    db_reset(st);
    for (int i = 0; i < KEYS_UPDATE_ROWS; i++) {
        db_bind_i64(st, p++, w[i]->id);
        for (int c = 0; c < t->ncols; c++)
            db_bind_text(st, p++, w[i]->now[c]);
        for (int c = 0; c < t->ncols; c++)
            db_bind_text(st, p++, w[i]->old[c] != NULL ? w[i]->old[c] : "");
        for (int c = 0; c < t->nblind; c++)
            db_bind_text(st, p++, w[i]->bidx[c]);
    }
    if (db_step(st, e) != DB_DONE)
        return -1;
    *changed = db_changes(st);
    return 0;
}

/* Writes the changed rows: KEYS_UPDATE_ROWS at a time, the rest one by one; counts races. */
static int write_rows(struct db *db, const struct keys_table *t, struct row **w, int n,
                      struct keys_rotate_run *r, struct err *e)
{
    struct db_stmt *one = NULL, *many = NULL;
    int i = 0, rc = -1;
    int64_t changed;
    if (db_prepare(db, &one, t->sql_update, e) != 0 ||
        db_prepare(db, &many, t->sql_update_many, e) != 0)
        goto done;
    for (; i + KEYS_UPDATE_ROWS <= n; i += KEYS_UPDATE_ROWS) {
        if (update_many(many, t, w + i, &changed, e) != 0)
            goto done;
        r->raced += KEYS_UPDATE_ROWS - changed;
    }
    for (; i < n; i++) {
        if (update_row(one, t, w[i], &changed, e) != 0)
            goto done;
        r->raced += changed == 0;
    }
    rc = 0;
done:
    db_finalize(one);
    db_finalize(many);
    return rc;
}

/* One transaction: read, reseal, write, progress. *n gets the rows read (0 = done). */
static int rotate_batch(struct db *db, const struct keys_table *t, const struct field_keyring *ring,
                        struct keys_rotate_run *r, int64_t *cursor, int *n, struct err *e)
{
    char pattern[32];
    struct arena *a = arena_create(256 * 1024);
    struct row *rows = arena_alloc(a, (size_t)r->batch * sizeof *rows);
    struct row **changed = arena_alloc(a, (size_t)r->batch * sizeof *changed);
    int nchanged = 0;
    keys_like_pattern(ring->current, pattern);
    if (db_begin(db, e) != 0) {
        arena_destroy(a);
        return -1;
    }
    if ((*n = read_batch(db, t, pattern, r->batch, *cursor, rows, a, e)) < 0)
        goto fail;
    for (int i = 0; i < *n; i++) {
        struct row *w = &rows[i];
        for (int c = 0; c < t->ncols; c++)
            if (w->old[c] != NULL && field_key_id(w->old[c]) != ring->current &&
                reseal(ring, t, w, c, a, r, e) != 0)
                goto fail;
        if (w->changed)
            changed[nchanged++] = w;
    }
    if (write_rows(db, t, changed, nchanged, r, e) != 0)
        goto fail;
    r->done += *n;
    if (r->done > r->total)
        r->total = r->done;
    if (r->job_id > 0 && jobs_store_progress(db, r->job_id, r->done, r->total, e) != 0)
        goto fail;
    if (db_commit(db, e) != 0)
        goto fail;
    if (*n > 0)
        *cursor = rows[*n - 1].id;
    arena_destroy(a);
    return 0;
fail:
    db_rollback(db);
    arena_destroy(a);
    return -1;
}

static int rotate_table(struct db *db, const struct keys_table *t, const struct field_keyring *ring,
                        struct keys_rotate_run *r, struct err *e)
{
    int64_t cursor = 0;
    int n;
    do {
        if (rotate_batch(db, t, ring, r, &cursor, &n, e) != 0)
            return -1;
        if (n > 0 && r->progress != NULL)
            r->progress(r->ctx, r->done, r->total);
    } while (n == r->batch);
    return 0;
}

int keys_rotate_values(struct db *db, struct keys_rotate_run *r, struct err *e)
{
    if (r->batch < 1 || r->batch > KEYS_ROTATE_MAX_BATCH)
        return err_set(e, ERR_INVALID, "keys.batch_range");
    if (r->k == NULL)
        return err_set(e, ERR_INTERNAL, "internal");
    struct field_keyring ring_of_k = keys_field_ring(r->k);
    const struct field_keyring *ring = &ring_of_k;
    /* SQLite: the blind indexes are rewritten at random places. With the default 2 MiB cache
     * nearly every index page was read again for each batch, and with the default checkpoint
     * every 1,000 WAL pages each batch's ~4,000 dirty index pages were copied back to the file
     * (and fsynced) at once: 1M rows took 185 s, now ~90 s. The WAL grows to ~256 MiB. */
    int64_t old_cache = 0;
    if (db_page_cache_grow(db, ROTATE_CACHE_MIB, &old_cache, e) != 0)
        return -1;
    bool lite = db_kind(db) == DB_SQLITE;
    if (lite && db_exec(db, "PRAGMA wal_autocheckpoint = 65536", e) != 0)
        return -1;
    int rc = 0;
    /* A pass that saw no race leaves only values that do not open: stop there. */
    for (int pass = 0; pass < MAX_PASSES && rc == 0; pass++) {
        int64_t raced = r->raced;
        r->failed = 0;
        for (size_t t = 0; t < KEYS_NTABLES && rc == 0; t++)
            rc = rotate_table(db, &KEYS_TABLES[t], ring, r, e);
        if (r->raced == raced)
            break;
    }
    db_page_cache_restore(db, old_cache);
    struct err ignored = ERR_INIT;
    if (lite && db_exec(db, "PRAGMA wal_autocheckpoint = 1000", &ignored) != 0)
        log_warn("keys", "could not restore wal_autocheckpoint: %s", ignored.detail);
    return rc;
}
