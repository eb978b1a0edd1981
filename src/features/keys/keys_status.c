/* keys_status.c: what the encrypted columns hold (`dangjian keys status`: counts per key id per
 * column, from SQL alone) and whether it all opens (`dangjian keys verify`: every value
 * decrypted, a digest of the plaintexts that is comparable across rotations). Neither prints a
 * value: verify names failures by column and row id only. See keys_rotate.h. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "crypto/keys.h"
#include "db/db.h"
#include "features/keys/keys_internal.h"
#include "features/keys/keys_rotate.h"

#define VERIFY_BATCH 1000

/* Runs a one-row statement (patterns bound to every placeholder when pattern != NULL) and adds
 * its columns to out[0..n). */
static int sum_row(struct db *db, const char *sql, const char *pattern, int n, int64_t *out,
                   struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    for (int c = 0; pattern != NULL && c < n; c++)
        db_bind_text(st, c + 1, pattern);
    int r = db_step(st, e);
    for (int c = 0; r == DB_ROW && c < n; c++)
        out[c] += db_col_i64(st, c);              /* SUM over no rows is NULL: 0 */
    db_finalize(st);
    return r == DB_ROW ? 0 : -1;
}

struct totals {
    int64_t values, on_current;
};

/* {"total":N,"by_key":{"<id>":N,..},"unknown":N} for each column of t, into cols. */
static int table_status(struct db *db, const struct keys *k, const struct keys_table *t,
                        json_t *cols, struct totals *sum, struct err *e)
{
    int64_t total[KEYS_MAX_COLS] = {0}, known[KEYS_MAX_COLS] = {0};
    json_t *by_key[KEYS_MAX_COLS];
    int rc = -1;
    for (int c = 0; c < t->ncols; c++)
        by_key[c] = json_object();
    if (sum_row(db, t->sql_count, NULL, t->ncols, total, e) != 0)
        goto done;
    for (size_t i = 0; i < k->nfield; i++) {
        int64_t n[KEYS_MAX_COLS] = {0};
        char pattern[32], id[16];
        keys_like_pattern(k->field[i].id, pattern);
        snprintf(id, sizeof id, "%u", (unsigned)k->field[i].id);
        if (sum_row(db, t->sql_count_like, pattern, t->ncols, n, e) != 0)
            goto done;
        for (int c = 0; c < t->ncols; c++) {
            json_object_set_new(by_key[c], id, json_integer(n[c]));
            known[c] += n[c];
            if (k->field[i].id == k->field_current)
                sum->on_current += n[c];
        }
    }
    for (int c = 0; c < t->ncols; c++) {
        json_object_set_new(cols, t->ad[c],
                            json_pack("{s:I, s:O, s:I}", "total", (json_int_t)total[c], "by_key",
                                      by_key[c], "unknown", (json_int_t)(total[c] - known[c])));
        sum->values += total[c];
    }
    rc = 0;
done:
    for (int c = 0; c < t->ncols; c++)
        json_decref(by_key[c]);
    return rc;
}

int keys_status(struct db *db, const struct keys *k, json_t **out, struct err *e)
{
    json_t *cols = json_object(), *ids = json_array();
    struct totals sum = {0};
    int64_t pending = 0;
    *out = NULL;
    for (size_t t = 0; t < KEYS_NTABLES; t++)
        if (table_status(db, k, &KEYS_TABLES[t], cols, &sum, e) != 0)
            goto fail;
    if (keys_rotate_pending(db, k->field_current, &pending, e) != 0)
        goto fail;
    for (size_t i = 0; i < k->nfield; i++)
        json_array_append_new(ids, json_integer(k->field[i].id));
    /* blind_keys: the current one and the older ones still searched (keys.h) */
    *out = json_pack("{s:I, s:o, s:o, s:I, s:I, s:I, s:I}", "current_key",
                     (json_int_t)k->field_current, "keys", ids, "columns", cols, "values",
                     (json_int_t)sum.values, "on_current", (json_int_t)sum.on_current,
                     "pending_rows", (json_int_t)pending, "blind_keys",
                     (json_int_t)(1 + k->nblind_old));
    return 0;
fail:
    json_decref(cols);
    json_decref(ids);
    return -1;
}

/* ---- verify ---- */

struct verify {
    const struct keys *k;
    struct field_keyring ring;
    crypto_generichash_state hash;
    int64_t values, failed;
    json_t *refs, *per_column;
};

static void absorb(struct verify *v, const char *column, int64_t id, const char *plain)
{
    unsigned char le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)((uint64_t)id >> (8 * i));
    crypto_generichash_update(&v->hash, (const unsigned char *)column, strlen(column) + 1);
    crypto_generichash_update(&v->hash, le, sizeof le);
    crypto_generichash_update(&v->hash, (const unsigned char *)plain, strlen(plain) + 1);
}

static void open_one(struct verify *v, const char *column, int64_t id, const char *stored,
                     int64_t *count)
{
    char *plain = NULL;
    struct err de = ERR_INIT;
    if (field_decrypt(&v->ring, column, id, stored, &plain, &de) != 0) {
        if (v->failed++ < KEYS_FAILED_REFS) {
            char ref[64];
            snprintf(ref, sizeof ref, "%s:%lld", column, (long long)id);
            json_array_append_new(v->refs, json_string(ref));
        }
        return;
    }
    absorb(v, column, id, plain);
    sodium_memzero(plain, strlen(plain));
    free(plain);
    v->values++;
    (*count)++;
}

static int verify_table(struct db *db, const struct keys_table *t, struct verify *v,
                        struct err *e)
{
    int64_t cursor = 0, count[KEYS_MAX_COLS] = {0};
    int n;
    do {
        struct db_stmt *st = NULL;
        int r = DB_DONE;
        n = 0;
        if (db_prepare(db, &st, t->sql_select_all, e) != 0)
            return -1;
        db_bind_i64(st, 1, cursor);
        db_bind_i64(st, 2, VERIFY_BATCH);
        while ((r = db_step(st, e)) == DB_ROW) {
            cursor = db_col_i64(st, 0);
            for (int c = 0; c < t->ncols; c++)
                if (!db_col_is_null(st, c + 1))
                    open_one(v, t->ad[c], cursor, db_col_text(st, c + 1), &count[c]);
            n++;
        }
        db_finalize(st);
        if (r != DB_DONE)
            return -1;
    } while (n == VERIFY_BATCH);
    for (int c = 0; c < t->ncols; c++)
        json_object_set_new(v->per_column, t->ad[c], json_integer(count[c]));
    return 0;
}

int keys_verify(struct db *db, const struct keys *k, json_t **out, struct err *e)
{
    struct verify v = {.k = k, .ring = keys_field_ring(k), .refs = json_array(),
                       .per_column = json_object()};
    unsigned char digest[32];
    char hex[65];
    *out = NULL;
    unsigned char dk[FIELD_KEY_BYTES];
    keys_digest_key(k, dk);          /* not the blind key: the digest must outlive rotations */
    crypto_generichash_init(&v.hash, dk, sizeof dk, sizeof digest);
    sodium_memzero(dk, sizeof dk);
    for (size_t t = 0; t < KEYS_NTABLES; t++) {
        if (verify_table(db, &KEYS_TABLES[t], &v, e) != 0) {
            json_decref(v.refs);
            json_decref(v.per_column);
            return -1;
        }
    }
    crypto_generichash_final(&v.hash, digest, sizeof digest);
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    *out = json_pack("{s:I, s:I, s:o, s:o, s:s}", "values", (json_int_t)v.values, "failed",
                     (json_int_t)v.failed, "failed_refs", v.refs, "columns", v.per_column,
                     "digest", hex);
    return 0;
}
