/* audit_verify.c: recomputing the audit chain and checking its signed checkpoints (see
 * audit_verify.h for what is checked and why no transaction is used).
 *
 * Two keyset cursors walk the log: entries in batches of BATCH rows (a statement per batch, so
 * SQLite never holds one read snapshot for the whole run and PostgreSQL never ships more than
 * one batch at a time), and checkpoints merged in by seq. Each entry costs one BLAKE2b over a
 * few hundred bytes; each checkpoint one Ed25519 verification (~50 µs, one per 1,000 entries).
 * At 1,000,000 entries the run is bound by reading rows, not by the cryptography. Hashes are
 * compared with memcmp: nothing secret is compared, so constant time buys nothing. */
#include "auth/audit_verify.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/audit_chain.h"
#include "core/err.h"
#include "crypto/keys.h"
#include "db/db.h"

#define BATCH 8192
#define CP_BATCH 1024
#define MAX_ROUNDS 64     /* re-reads of a log that keeps growing while it is verified */

static const char SQL_HEAD_SEQ[] = "SELECT seq FROM audit_head WHERE id = 1";
static const char SQL_ENTRIES[] =
    "SELECT seq, at, actor, action, object, ip, changes, prev_hash, hash FROM audit_log "
    "WHERE seq > ? ORDER BY seq LIMIT ?";
static const char SQL_CHECKPOINTS[] =
    "SELECT seq, hash, key_id, signature FROM audit_checkpoints WHERE seq > ? ORDER BY seq "
    "LIMIT ?";
/* One statement, so head, last entry and first later checkpoint come from one state. */
static const char SQL_END[] =
    "SELECT h.seq, h.hash, (SELECT MAX(l.seq) FROM audit_log l), "
    "(SELECT MIN(c.seq) FROM audit_checkpoints c WHERE c.seq > ?) FROM audit_head h "
    "WHERE h.id = 1";

/* Reason templates: {s} first bad seq, {p} the one before it, {a} the detail argument. */
static const struct {
    const char *name;
    const char *zh;
    const char *en;
} PROBLEMS[AUDIT_PROBLEM_COUNT] = {
    [AUDIT_OK] = {"ok", "审计日志完整", "the audit log is intact"},
    [AUDIT_ENTRY_MISSING] = {"entry_missing", "第 {s} 条记录缺失（已被删除）", "entry {s} missing"},
    [AUDIT_ENTRY_UNLINKED] = {"entry_unlinked",
        "第 {s} 条记录与第 {p} 条不相衔接（有记录被删除或调换了顺序）",
        "entry {s} does not follow entry {p} (entries removed or reordered)"},
    [AUDIT_ENTRY_ALTERED] = {"entry_altered", "第 {s} 条记录已被篡改", "entry {s} altered"},
    [AUDIT_ENTRY_MALFORMED] = {"entry_malformed", "第 {s} 条记录格式损坏", "entry {s} malformed"},
    [AUDIT_CHECKPOINT_MISSING] = {"checkpoint_missing",
        "第 {s} 条记录缺少签名检查点（每 1000 条或每小时应有一个，可能已被删除）",
        "entry {s} has no signed checkpoint (one is due every 1,000 entries or hour; deleted?)"},
    [AUDIT_CHECKPOINT_UNKNOWN_KEY] = {"checkpoint_unknown_key",
        "检查点 {s} 的签名密钥 {a} 不在密钥文件中", "checkpoint {s} signed with unknown key {a}"},
    [AUDIT_CHECKPOINT_BAD_SIGNATURE] = {"checkpoint_bad_signature", "检查点 {s} 签名无效",
        "checkpoint {s} signature invalid"},
    [AUDIT_CHECKPOINT_MISMATCH] = {"checkpoint_mismatch",
        "检查点 {a} 与第 {a} 条记录不符：第 {s}–{a} 条记录已被改写",
        "checkpoint {a} does not match entry {a}: entries {s}..{a} rewritten"},
    [AUDIT_CHECKPOINT_ORPHAN] = {"checkpoint_orphan", "检查点 {a} 没有对应的记录",
        "checkpoint {a} has no entry"},
    [AUDIT_TRUNCATED] = {"log_truncated", "日志在第 {p} 条之后被截断：检查点 {a} 仍然存在",
        "log truncated after {p}: checkpoint {a} exists"},
    [AUDIT_HEAD_TRUNCATED] = {"head_truncated",
        "日志在第 {p} 条之后被截断：日志头记录到第 {a} 条",
        "log truncated after {p}: the head records entry {a}"},
    [AUDIT_HEAD_BEHIND] = {"head_behind", "第 {s} 条记录不在日志头之内（日志头止于第 {a} 条）",
        "entry {s} is not recorded in the head (the head stops at {a})"},
    [AUDIT_HEAD_MISMATCH] = {"head_mismatch", "日志头与第 {s} 条记录不符",
        "the head does not match entry {s}"},
};

const char *audit_problem_name(enum audit_problem p)
{
    return (unsigned)p < AUDIT_PROBLEM_COUNT ? PROBLEMS[p].name : "unknown";
}

static void render(const char *tpl, const struct audit_verify_result *r, char *out, size_t cap)
{
    size_t w = 0;
    if (cap == 0)
        return;
    for (const char *p = tpl; *p != '\0' && w + 1 < cap; p++) {
        int64_t v;
        if (p[0] == '{' && p[1] != '\0' && p[2] == '}' && strchr("spa", p[1]) != NULL) {
            v = p[1] == 's' ? r->first_bad_seq : p[1] == 'p' ? r->first_bad_seq - 1 : r->arg;
            int n = snprintf(out + w, cap - w, "%" PRId64, v);
            w = n > 0 && (size_t)n < cap - w ? w + (size_t)n : cap - 1;
            p += 2;
            continue;
        }
        out[w++] = *p;
    }
    out[w] = '\0';
}

void audit_verify_message(const struct audit_verify_result *r, const char *lang, char *out,
                          size_t cap)
{
    enum audit_problem p = (unsigned)r->problem < AUDIT_PROBLEM_COUNT ? r->problem : AUDIT_OK;
    bool en = lang != NULL && strncmp(lang, "en", 2) == 0;
    render(en ? PROBLEMS[p].en : PROBLEMS[p].zh, r, out, cap);
}

json_t *audit_verify_result_json(const struct audit_verify_result *r)
{
    json_t *j = json_pack("{s:b, s:I, s:I, s:I}", "ok", r->ok, "entries", (json_int_t)r->entries,
                          "checkpoints", (json_int_t)r->checkpoints, "signed_through",
                          (json_int_t)r->signed_through);
    json_object_set_new(j, "first_bad_seq", r->ok ? json_null() : json_integer(r->first_bad_seq));
    json_object_set_new(j, "problem",
                        r->ok ? json_null() : json_string(audit_problem_name(r->problem)));
    json_object_set_new(j, "arg", r->ok ? json_null() : json_integer(r->arg));
    json_object_set_new(j, "reason", r->ok ? json_null() : json_string(r->reason));
    return j;
}

static int64_t int_of(const json_t *j, const char *key)
{
    return json_integer_value(json_object_get(j, key));
}

void audit_verify_result_from_json(const json_t *j, struct audit_verify_result *r)
{
    const char *problem = json_string_value(json_object_get(j, "problem"));
    const char *reason = json_string_value(json_object_get(j, "reason"));
    *r = (struct audit_verify_result){
        .ok = json_is_true(json_object_get(j, "ok")), .entries = int_of(j, "entries"),
        .checkpoints = int_of(j, "checkpoints"), .signed_through = int_of(j, "signed_through"),
        .first_bad_seq = int_of(j, "first_bad_seq"), .arg = int_of(j, "arg")};
    for (int p = 1; problem != NULL && p < AUDIT_PROBLEM_COUNT; p++)
        if (strcmp(PROBLEMS[p].name, problem) == 0)
            r->problem = (enum audit_problem)p;
    snprintf(r->reason, sizeof r->reason, "%s", reason != NULL ? reason : "");
}

/* Records the first problem; returns 1 so callers can `return fail(...)`. */
static int fail(struct audit_verify_result *r, enum audit_problem p, int64_t first_bad, int64_t arg)
{
    r->ok = false;
    r->problem = p;
    r->first_bad_seq = first_bad;
    r->arg = arg;
    render(PROBLEMS[p].en, r, r->reason, sizeof r->reason);
    return 1;
}

/* Hex digit values, 16 for anything else: decoding two hashes per entry was a fifth of the
 * run with a branchy decoder. */
static const unsigned char HEX[256] = {
    ['0'] = 0 + 1, ['1'] = 1 + 1, ['2'] = 2 + 1, ['3'] = 3 + 1, ['4'] = 4 + 1, ['5'] = 5 + 1,
    ['6'] = 6 + 1, ['7'] = 7 + 1, ['8'] = 8 + 1, ['9'] = 9 + 1, ['a'] = 10 + 1, ['b'] = 11 + 1,
    ['c'] = 12 + 1, ['d'] = 13 + 1, ['e'] = 14 + 1, ['f'] = 15 + 1, ['A'] = 10 + 1,
    ['B'] = 11 + 1, ['C'] = 12 + 1, ['D'] = 13 + 1, ['E'] = 14 + 1, ['F'] = 15 + 1,
};

/* Exactly 2*n hex digits -> n bytes; -1 on anything else. (Table entries are value + 1, so
 * 0 marks a non-digit, the string's NUL included.) */
static int unhex(const char *s, unsigned char *out, size_t n)
{
    if (s == NULL)
        return -1;
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        unsigned hi = HEX[p[2 * i]], lo = hi != 0 ? HEX[p[2 * i + 1]] : 0;
        if (lo == 0)
            return -1;
        out[i] = (unsigned char)((hi - 1) << 4 | (lo - 1));
    }
    return p[2 * n] == '\0' ? 0 : -1;
}

/* ---- the checker: entries and checkpoints in seq order ---- */

struct cp_row {
    int64_t seq;
    int64_t key_id;
    bool malformed;
    struct audit_checkpoint cp;
};

struct checker {
    const struct keys *keys;
    struct audit_verify_result *r;
    int64_t last_seq;                        /* last entry that verified; 0 at the start */
    unsigned char last_hash[AUDIT_HASH_BYTES];
    int64_t cp_seq, cp_at;                   /* the last checkpoint, as audit.c schedules */
};

/* A checkpoint at entry e (already verified). 0 = fine, 1 = problem recorded. */
static int check_checkpoint(struct checker *c, const struct cp_row *row,
                            const struct audit_entry *ent)
{
    const struct sign_key *k = c->keys != NULL && row->key_id > 0 && row->key_id <= UINT32_MAX
                                   ? keys_sign_find(c->keys, (uint32_t)row->key_id)
                                   : NULL;
    if (k == NULL)
        return fail(c->r, AUDIT_CHECKPOINT_UNKNOWN_KEY, row->seq, row->key_id);
    if (row->malformed || !audit_checkpoint_verify(&row->cp, k->pk))
        return fail(c->r, AUDIT_CHECKPOINT_BAD_SIGNATURE, row->seq, row->key_id);
    if (memcmp(row->cp.hash, ent->hash, AUDIT_HASH_BYTES) != 0)
        return fail(c->r, AUDIT_CHECKPOINT_MISMATCH, c->r->signed_through + 1, row->seq);
    c->r->checkpoints++;
    c->r->signed_through = ent->seq;
    c->cp_seq = ent->seq;
    c->cp_at = ent->at;
    return 0;
}

/* One entry and its checkpoint (cp: the row at this seq, or NULL). 0 = fine, 1 = problem. */
static int check_entry(struct checker *c, struct audit_entry *ent, const char *prev_hex,
                       const char *hash_hex, const struct cp_row *cp)
{
    static const unsigned char zeros[AUDIT_HASH_BYTES];
    c->r->entries++;
    if (ent->seq < 1)
        return fail(c->r, AUDIT_ENTRY_MALFORMED, ent->seq, 0);
    if (ent->seq != c->last_seq + 1)
        return fail(c->r, AUDIT_ENTRY_MISSING, c->last_seq + 1, ent->seq);
    unsigned char stored[AUDIT_HASH_BYTES];
    if (unhex(prev_hex, ent->prev, AUDIT_HASH_BYTES) != 0 ||
        unhex(hash_hex, stored, AUDIT_HASH_BYTES) != 0)
        return fail(c->r, AUDIT_ENTRY_MALFORMED, ent->seq, 0);
    if (memcmp(ent->prev, c->last_seq == 0 ? zeros : c->last_hash, AUDIT_HASH_BYTES) != 0)
        return fail(c->r, AUDIT_ENTRY_UNLINKED, ent->seq, 0);
    audit_chain_seal(ent);
    if (memcmp(ent->hash, stored, AUDIT_HASH_BYTES) != 0)
        return fail(c->r, AUDIT_ENTRY_ALTERED, ent->seq, 0);
    if (cp != NULL && check_checkpoint(c, cp, ent) != 0)
        return 1;
    if (cp == NULL && audit_checkpoint_due(ent->seq, ent->at, c->cp_seq, c->cp_at))
        return fail(c->r, AUDIT_CHECKPOINT_MISSING, ent->seq, 0);
    c->last_seq = ent->seq;
    memcpy(c->last_hash, ent->hash, AUDIT_HASH_BYTES);
    return 0;
}

/* ---- the checkpoint cursor ---- */

struct cp_cursor {
    struct db *db;
    struct db_stmt *st;       /* the open batch, or NULL */
    int64_t after;            /* keyset: the last seq read */
    int64_t in_batch;
    bool have;                /* row holds the next checkpoint */
    int64_t dry_batch;        /* entry batch in which the cursor last ran dry; 0 = never */
    struct cp_row row;
};

static void read_cp(struct cp_cursor *c)
{
    struct cp_row *r = &c->row;
    r->seq = db_col_i64(c->st, 0);
    r->key_id = db_col_i64(c->st, 2);
    r->cp.seq = r->seq;
    r->malformed = unhex(db_col_text(c->st, 1), r->cp.hash, AUDIT_HASH_BYTES) != 0 ||
                   unhex(db_col_text(c->st, 3), r->cp.sig, AUDIT_SIG_BYTES) != 0;
    c->after = r->seq;
    c->in_batch++;
    c->have = true;
}

/* Moves to the next checkpoint (c->have false when there is none yet). A cursor that ran dry
 * during entry batch k looks again only in a later batch: every checkpoint commits with its
 * entry, so one that belongs to an entry already read was visible when the cursor ran dry. */
static int cp_next(struct cp_cursor *c, int64_t batch, struct err *e)
{
    c->have = false;
    for (;;) {
        if (c->st == NULL) {
            if (c->dry_batch == batch)
                return 0;
            if (db_prepare(c->db, &c->st, SQL_CHECKPOINTS, e) != 0)
                return -1;
            db_bind_i64(c->st, 1, c->after);
            db_bind_i64(c->st, 2, CP_BATCH);
            c->in_batch = 0;
        }
        int r = db_step(c->st, e);
        if (r == DB_ROW) {
            read_cp(c);
            return 0;
        }
        db_finalize(c->st);
        c->st = NULL;
        if (r == DB_ERROR)
            return -1;
        if (c->in_batch < CP_BATCH)
            c->dry_batch = batch;
    }
}

/* ---- the driver ---- */

static void entry_from_row(const struct db_stmt *st, struct audit_entry *ent)
{
    *ent = (struct audit_entry){.seq = db_col_i64(st, 0), .at = db_col_i64(st, 1),
                                .actor = db_col_text(st, 2), .action = db_col_text(st, 3),
                                .object = db_col_text(st, 4), .ip = db_col_text(st, 5),
                                .changes = db_col_text(st, 6)};
}

/* One batch of entries; *n = rows read. Stops early when a problem is recorded. */
static int run_batch(struct checker *c, struct cp_cursor *cp, int64_t batch, int64_t *n,
                     struct err *e)
{
    struct db_stmt *st = NULL;
    *n = 0;
    if (db_prepare(cp->db, &st, SQL_ENTRIES, e) != 0)
        return -1;
    db_bind_i64(st, 1, c->last_seq == 0 && c->r->entries == 0 ? INT64_MIN : c->last_seq);
    db_bind_i64(st, 2, BATCH);
    int r;
    while ((r = db_step(st, e)) == DB_ROW) {
        struct audit_entry ent;
        entry_from_row(st, &ent);
        (*n)++;
        if (!cp->have && cp_next(cp, batch, e) != 0) {
            r = DB_ERROR;
            break;
        }
        if (cp->have && cp->row.seq < ent.seq && ent.seq == c->last_seq + 1) {
            fail(c->r, AUDIT_CHECKPOINT_ORPHAN, cp->row.seq, cp->row.seq);
            break;
        }
        const struct cp_row *mine = cp->have && cp->row.seq == ent.seq ? &cp->row : NULL;
        if (check_entry(c, &ent, db_col_text(st, 7), db_col_text(st, 8), mine) != 0)
            break;
        if (mine != NULL)
            cp->have = false;
    }
    db_finalize(st);
    return r == DB_ERROR ? -1 : 0;
}

/* After the last entry: the head and any later checkpoint. *more = entries arrived meanwhile
 * (verify them first). 0 = verdict reached or more to read, -1 = database error. */
static int check_end(struct checker *c, struct db *db, bool *more, struct err *e)
{
    struct db_stmt *st = NULL;
    *more = false;
    if (db_prepare(db, &st, SQL_END, e) != 0)
        return -1;
    db_bind_i64(st, 1, c->last_seq);
    int r = db_step(st, e);
    if (r != DB_ROW) {
        db_finalize(st);
        return r == DB_ERROR ? -1 : err_set(e, ERR_INTERNAL, "audit.no_head");
    }
    int64_t head = db_col_i64(st, 0), max_log = db_col_i64(st, 2), cp_after = db_col_i64(st, 3);
    unsigned char head_hash[AUDIT_HASH_BYTES];
    bool head_ok = unhex(db_col_text(st, 1), head_hash, AUDIT_HASH_BYTES) == 0;
    db_finalize(st);
    static const unsigned char zeros[AUDIT_HASH_BYTES];
    const unsigned char *last = c->last_seq == 0 ? zeros : c->last_hash;
    int64_t L = c->last_seq;
    if (max_log > L)
        *more = true;
    else if (cp_after > L)
        fail(c->r, AUDIT_TRUNCATED, L + 1, cp_after);
    else if (head > L)
        fail(c->r, AUDIT_HEAD_TRUNCATED, L + 1, head);
    else if (head < L)
        fail(c->r, AUDIT_HEAD_BEHIND, head + 1, head);
    else if (!head_ok || memcmp(head_hash, last, AUDIT_HASH_BYTES) != 0)
        fail(c->r, AUDIT_HEAD_MISMATCH, L, head);
    return 0;
}

static int head_seq(struct db *db, int64_t *out, struct err *e)
{
    return db_query_i64(db, SQL_HEAD_SEQ, out, e);
}

/* Reads batches until the log ends or a problem is found. */
static int run_rounds(struct checker *c, struct cp_cursor *cp, audit_verify_progress progress,
                      void *ctx, int64_t total, struct err *e)
{
    int64_t batch = 0;
    for (int round = 0; round < MAX_ROUNDS; round++) {
        int64_t n = BATCH;
        while (n == BATCH && c->r->problem == AUDIT_OK) {
            if (run_batch(c, cp, ++batch, &n, e) != 0)
                return -1;
            if (total < c->last_seq)
                total = c->last_seq;
            if (progress != NULL && progress(ctx, c->last_seq, total, e) != 0)
                return -1;
        }
        bool more = false;
        if (c->r->problem != AUDIT_OK || check_end(c, cp->db, &more, e) != 0 || !more)
            return c->r->problem != AUDIT_OK || e->code == ERR_OK ? 0 : -1;
    }
    return err_set(e, ERR_UNAVAILABLE, "audit.verify_busy");
}

int audit_verify(struct db *db, const struct keys *keys, audit_verify_progress progress,
                 void *ctx, struct audit_verify_result *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    struct checker c = {.keys = keys, .r = out};
    struct cp_cursor cp = {.db = db, .after = INT64_MIN};
    int64_t total = 0;
    int rc = head_seq(db, &total, e) == 0 ? run_rounds(&c, &cp, progress, ctx, total, e) : -1;
    db_finalize(cp.st);
    out->ok = rc == 0 && out->problem == AUDIT_OK;
    if (out->ok)
        out->first_bad_seq = 0;
    return rc;
}
