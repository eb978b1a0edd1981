/* audit_fill.c: writes a large, valid audit log fast, for the `audit verify` benchmark and for
 * tests that tamper with a log (bench/audit_verify.sh, tests/api/audit.test.mjs).
 *
 *   audit-fill --db URL --keys FILE --entries N
 *
 * Appends N entries after the current head, exactly as audit_append() would have written them
 * (audit_chain.h hashes, the same checkpoint schedule, signed with the key file's current key,
 * created when missing), but with multi-row INSERTs in one transaction: 1,000,000 entries take
 * seconds instead of the minutes that 1,000,000 separate appends would. Timestamps run 50
 * entries a second and end now, so the hourly checkpoint rule is exercised too. Not installed:
 * a tool of the build tree only. Prints {"entries":N,"checkpoints":N,"head":N} on stdout. */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/audit_chain.h"
#include "core/buf.h"
#include "core/err.h"
#include "crypto/keys.h"
#include "db/db.h"
#include "db/migrate.h"

#define ROWS 100                /* entries per INSERT: 1,100 parameters */
#define PER_SECOND 50

static const char SQL_HEAD[] =
    "SELECT seq, hash, checkpoint_seq, checkpoint_at FROM audit_head WHERE id = 1";
static const char SQL_HEAD_SET[] =
    "UPDATE audit_head SET seq = ?, hash = ?, checkpoint_seq = ?, checkpoint_at = ? WHERE id = 1";
static const char SQL_CHECKPOINT[] =
    "INSERT INTO audit_checkpoints (seq, hash, key_id, signature, at) VALUES (?, ?, ?, ?, ?)";
static const char *const ACTIONS[] = {"member.update", "member.create", "org.update",
                                      "login.ok",      "login.failed",  "dues.pay",
                                      "member.reveal", "role.assign"};

struct fill {
    struct db *db;
    const struct sign_key *key;
    struct db_stmt *ins;                 /* the ROWS-row INSERT */
    int pending;                         /* rows bound into ins */
    struct audit_entry last;
    int64_t cp_seq, cp_at, checkpoints;
    char text[ROWS][3][64];              /* actor, object, ip per pending row */
    char changes[ROWS][160];
    char hex[ROWS][2][AUDIT_HASH_BYTES * 2 + 1];
};

static char *insert_sql(void)
{
    struct buf b = BUF_INIT(1 << 20);
    buf_adds(&b, "INSERT INTO audit_log (seq, at, actor, actor_name, action, object, org_id, "
                 "ip, changes, prev_hash, hash) VALUES ");
    for (int i = 0; i < ROWS; i++)
        buf_adds(&b, &", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"[i == 0 ? 2 : 0]);
    return buf_take(&b);
}

static int flush(struct fill *f, struct err *e)
{
    if (f->pending == 0)
        return 0;
    int r = db_step(f->ins, e);
    db_reset(f->ins);
    f->pending = 0;
    return r == DB_DONE ? 0 : -1;
}

static int checkpoint(struct fill *f, const struct audit_entry *ent, const char *hash_hex,
                      struct err *e)
{
    struct audit_checkpoint cp = {.seq = ent->seq};
    char sig[AUDIT_SIG_BYTES * 2 + 1];
    struct db_stmt *st = NULL;
    memcpy(cp.hash, ent->hash, AUDIT_HASH_BYTES);
    audit_checkpoint_sign(&cp, f->key->sk);
    sodium_bin2hex(sig, sizeof sig, cp.sig, AUDIT_SIG_BYTES);
    if (db_prepare(f->db, &st, SQL_CHECKPOINT, e) != 0)
        return -1;
    db_bind_i64(st, 1, ent->seq);
    db_bind_text(st, 2, hash_hex);
    db_bind_i64(st, 3, f->key->id);
    db_bind_text(st, 4, sig);
    db_bind_i64(st, 5, ent->at);
    int rc = db_step(st, e) == DB_DONE ? 0 : -1;
    db_finalize(st);
    f->cp_seq = ent->seq;
    f->cp_at = ent->at;
    f->checkpoints++;
    return rc;
}

static int add(struct fill *f, int64_t at, struct err *e)
{
    int i = f->pending;
    int64_t seq = f->last.seq + 1;
    snprintf(f->text[i][0], sizeof f->text[i][0], "user:%" PRId64, 1 + seq % 97);
    snprintf(f->text[i][1], sizeof f->text[i][1], "member:%" PRId64, 1 + seq * 7919 % 1000003);
    snprintf(f->text[i][2], sizeof f->text[i][2], "10.%d.%d.%d", (int)(seq % 7),
             (int)(seq / 7 % 250), (int)(seq % 250 + 1));
    snprintf(f->changes[i], sizeof f->changes[i],
             "{\"phone\":{\"from\":\"138****%04d\",\"to\":\"139****%04d\"},"
             "\"status\":{\"from\":\"active\",\"to\":\"transferred\"}}",
             (int)(seq % 10000), (int)(seq * 3 % 10000));
    struct audit_entry ent = {.at = at, .actor = f->text[i][0],
                              .action = ACTIONS[seq % (sizeof ACTIONS / sizeof ACTIONS[0])],
                              .object = f->text[i][1], .ip = f->text[i][2],
                              .changes = f->changes[i]};
    audit_chain_append(&ent, f->last.seq > 0 ? &f->last : NULL);
    sodium_bin2hex(f->hex[i][0], sizeof f->hex[i][0], ent.prev, AUDIT_HASH_BYTES);
    sodium_bin2hex(f->hex[i][1], sizeof f->hex[i][1], ent.hash, AUDIT_HASH_BYTES);
    int p = i * 11;
    db_bind_i64(f->ins, p + 1, ent.seq);
    db_bind_i64(f->ins, p + 2, at);
    db_bind_text(f->ins, p + 3, ent.actor);
    db_bind_text(f->ins, p + 4, "测试用户");
    db_bind_text(f->ins, p + 5, ent.action);
    db_bind_text(f->ins, p + 6, ent.object);
    db_bind_null(f->ins, p + 7);
    db_bind_text(f->ins, p + 8, ent.ip);
    db_bind_text(f->ins, p + 9, ent.changes);
    db_bind_text(f->ins, p + 10, f->hex[i][0]);
    db_bind_text(f->ins, p + 11, f->hex[i][1]);
    f->last = ent;
    f->last.actor = f->last.action = f->last.object = f->last.ip = f->last.changes = NULL;
    if (++f->pending == ROWS && flush(f, e) != 0)
        return -1;
    /* Its entry may still be pending in the batch: order does not matter inside one
     * transaction (audit_checkpoints has no foreign key). */
    if (audit_checkpoint_due(ent.seq, at, f->cp_seq, f->cp_at))
        return checkpoint(f, &ent, f->hex[i][1], e);
    return 0;
}

static int read_head(struct fill *f, struct err *e)
{
    struct db_stmt *st = NULL;
    size_t n = 0;
    if (db_prepare(f->db, &st, SQL_HEAD, e) != 0)
        return -1;
    int r = db_step(st, e);
    if (r == DB_ROW) {
        f->last.seq = db_col_i64(st, 0);
        f->cp_seq = db_col_i64(st, 2);
        f->cp_at = db_col_i64(st, 3);
        if (sodium_hex2bin(f->last.hash, AUDIT_HASH_BYTES, db_col_text(st, 1),
                           AUDIT_HASH_BYTES * 2, NULL, &n, NULL) != 0)
            r = err_set(e, ERR_INTERNAL, "audit.bad_head");
    }
    db_finalize(st);
    return r == DB_ROW ? 0 : -1;
}

static int write_head(struct fill *f, struct err *e)
{
    char hex[AUDIT_HASH_BYTES * 2 + 1];
    struct db_stmt *st = NULL;
    sodium_bin2hex(hex, sizeof hex, f->last.hash, AUDIT_HASH_BYTES);
    if (db_prepare(f->db, &st, SQL_HEAD_SET, e) != 0)
        return -1;
    db_bind_i64(st, 1, f->last.seq);
    db_bind_text(st, 2, hex);
    db_bind_i64(st, 3, f->cp_seq);
    db_bind_i64(st, 4, f->cp_at);
    int rc = db_step(st, e) == DB_DONE ? 0 : -1;
    db_finalize(st);
    return rc;
}

/* Appends n entries in one transaction. */
static int fill_log(struct fill *f, int64_t n, struct err *e)
{
    char *sql = insert_sql();
    int rc = -1;
    int64_t start = (int64_t)time(NULL) - n / PER_SECOND;
    if (db_begin(f->db, e) != 0)
        goto done;
    if (read_head(f, e) != 0 || db_prepare(f->db, &f->ins, sql, e) != 0)
        goto done;
    for (int64_t i = 0; i < n; i++)
        if (add(f, start + i / PER_SECOND, e) != 0)
            goto done;
    /* n is a multiple of ROWS, so nothing is left pending here. */
    if (write_head(f, e) != 0)
        goto done;
    rc = db_commit(f->db, e);
done:
    db_finalize(f->ins);
    f->ins = NULL;
    if (rc != 0)
        db_rollback(f->db);
    free(sql);
    return rc;
}

int main(int argc, char **argv)
{
    const char *url = NULL, *keys_path = NULL;
    int64_t n = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--db") == 0)
            url = argv[i + 1];
        else if (strcmp(argv[i], "--keys") == 0)
            keys_path = argv[i + 1];
        else if (strcmp(argv[i], "--entries") == 0)
            n = strtoll(argv[i + 1], NULL, 10);
    }
    if (url == NULL || keys_path == NULL || n < 0 || n % ROWS != 0 || argc != 7) {
        fprintf(stderr, "usage: audit-fill --db URL --keys FILE --entries N (a multiple of %d)\n",
                ROWS);
        return 2;
    }
    struct err e = ERR_INIT;
    struct fill *f = calloc(1, sizeof *f);
    struct keys *k = NULL;
    bool created = false;
    int rc = 1;
    if (f == NULL || sodium_init() < 0)
        return 1;
    if (db_open(&f->db, url, &e) != 0 || migrate_up(f->db, NULL, &e) != 0 ||
        keys_load_or_create(keys_path, &k, &created, &e) != 0)
        goto done;
    f->key = keys_sign_current(k);
    if (fill_log(f, n, &e) != 0)
        goto done;
    printf("{\"entries\":%" PRId64 ",\"checkpoints\":%" PRId64 ",\"head\":%" PRId64 "}\n", n,
           f->checkpoints, f->last.seq);
    rc = 0;
done:
    if (rc != 0)
        fprintf(stderr, "audit-fill: %s %s\n", e.message, e.detail);
    keys_destroy(k);
    db_close(f->db);
    free(f);
    return rc;
}
