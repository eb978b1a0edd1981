/* audit.c: appending to the audit log (see audit.h). Verification lives in audit_verify.c. */
#include "auth/audit.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/audit_chain.h"
#include "auth/auth.h"
#include "core/err.h"
#include "core/log.h"
#include "crypto/keys.h"
#include "db/db.h"
#include "http/http.h"

static const char SQL_HEAD_LITE[] =
    "SELECT seq, hash, checkpoint_seq, checkpoint_at FROM audit_head WHERE id = 1";
static const char SQL_HEAD_PG[] =
    "SELECT seq, hash, checkpoint_seq, checkpoint_at FROM audit_head WHERE id = 1 FOR UPDATE";
static const char SQL_INSERT[] =
    "INSERT INTO audit_log (seq, at, actor, actor_name, action, object, org_id, ip, changes, "
    "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_HEAD_SET[] =
    "UPDATE audit_head SET seq = ?, hash = ?, checkpoint_seq = ?, checkpoint_at = ? WHERE id = 1";
static const char SQL_CHECKPOINT[] =
    "INSERT INTO audit_checkpoints (seq, hash, key_id, signature, at) VALUES (?, ?, ?, ?, ?)";

struct audit_who audit_who_req(const struct http_req *req)
{
    const struct auth_principal *p = req->auth;
    return (struct audit_who){auth_actor(req), p != NULL ? p->display_name : NULL,
                              auth_client_ip(req)};
}

static int hex_to_hash(const char *hex, unsigned char out[AUDIT_HASH_BYTES])
{
    size_t n = 0;
    if (hex == NULL || sodium_hex2bin(out, AUDIT_HASH_BYTES, hex, strlen(hex), NULL, &n, NULL) != 0 ||
        n != AUDIT_HASH_BYTES)
        return -1;
    return 0;
}

static int checkpoint(struct db *db, int64_t seq, const char *hash_hex,
                      const unsigned char hash[AUDIT_HASH_BYTES], int64_t now, struct err *e)
{
    const struct keys *k = keys_get();
    const struct sign_key *sk = k != NULL ? keys_sign_current(k) : NULL;
    if (sk == NULL)
        return 0;
    struct audit_checkpoint cp = {.seq = seq};
    memcpy(cp.hash, hash, AUDIT_HASH_BYTES);
    audit_checkpoint_sign(&cp, sk->sk);
    char sig[AUDIT_SIG_BYTES * 2 + 1];
    sodium_bin2hex(sig, sizeof sig, cp.sig, AUDIT_SIG_BYTES);
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_CHECKPOINT, e) != 0)
        return -1;
    db_bind_i64(st, 1, seq);
    db_bind_text(st, 2, hash_hex);
    db_bind_i64(st, 3, sk->id);
    db_bind_text(st, 4, sig);
    db_bind_i64(st, 5, now);
    int rc = db_step(st, e) == DB_DONE ? 0 : -1;
    db_finalize(st);
    return rc;
}

static int append(struct db *db, const struct audit_who *who, const char *action,
                  const char *object, int64_t org_id, const char *changes, struct err *e)
{
    struct db_stmt *st = NULL;
    const char *sql = db_kind(db) == DB_POSTGRES ? SQL_HEAD_PG : SQL_HEAD_LITE;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    if (db_step(st, e) != DB_ROW) {
        db_finalize(st);
        return e->code != ERR_OK ? -1 : err_set(e, ERR_INTERNAL, "audit.no_head");
    }
    struct audit_entry prev = {.seq = db_col_i64(st, 0)};
    int64_t cp_seq = db_col_i64(st, 2), cp_at = db_col_i64(st, 3);
    int bad = hex_to_hash(db_col_text(st, 1), prev.hash);
    db_finalize(st);
    if (bad != 0)
        return err_set(e, ERR_INTERNAL, "audit.bad_head");

    int64_t now = (int64_t)time(NULL);
    /* An unknown address is stored as NULL, so it must be hashed as NULL too ("" and NULL
     * encode differently: hashing "" made every such entry fail verification). */
    const char *ip = who->ip != NULL && who->ip[0] != '\0' ? who->ip : NULL;
    struct audit_entry ent = {.at = now, .actor = who->actor, .action = action,
                              .object = object, .ip = ip, .changes = changes};
    audit_chain_append(&ent, prev.seq > 0 ? &prev : NULL);
    char prev_hex[AUDIT_HASH_BYTES * 2 + 1], hash_hex[AUDIT_HASH_BYTES * 2 + 1];
    sodium_bin2hex(prev_hex, sizeof prev_hex, ent.prev, AUDIT_HASH_BYTES);
    sodium_bin2hex(hash_hex, sizeof hash_hex, ent.hash, AUDIT_HASH_BYTES);

    if (db_prepare(db, &st, SQL_INSERT, e) != 0)
        return -1;
    db_bind_i64(st, 1, ent.seq);
    db_bind_i64(st, 2, now);
    db_bind_text(st, 3, who->actor);
    db_bind_text(st, 4, who->actor_name);
    db_bind_text(st, 5, action);
    db_bind_text(st, 6, object);
    if (org_id > 0)
        db_bind_i64(st, 7, org_id);
    else
        db_bind_null(st, 7);
    db_bind_text(st, 8, ip);
    db_bind_text(st, 9, changes);
    db_bind_text(st, 10, prev_hex);
    db_bind_text(st, 11, hash_hex);
    int rc = db_step(st, e) == DB_DONE ? 0 : -1;
    db_finalize(st);
    if (rc != 0)
        return -1;

    if (audit_checkpoint_due(ent.seq, now, cp_seq, cp_at)) {
        if (checkpoint(db, ent.seq, hash_hex, ent.hash, now, e) != 0)
            return -1;
        if (keys_get() != NULL) {
            cp_seq = ent.seq;
            cp_at = now;
        }
    }
    if (db_prepare(db, &st, SQL_HEAD_SET, e) != 0)
        return -1;
    db_bind_i64(st, 1, ent.seq);
    db_bind_text(st, 2, hash_hex);
    db_bind_i64(st, 3, cp_seq);
    db_bind_i64(st, 4, cp_at);
    rc = db_step(st, e) == DB_DONE ? 0 : -1;
    db_finalize(st);
    return rc;
}

int audit_append(struct db *db, const struct audit_who *who, const char *action,
                 const char *object, int64_t org_id, const json_t *changes, struct err *e)
{
    char *text = changes != NULL ? json_dumps(changes, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
    bool own = !db_in_tx(db);
    int rc = -1;
    if (own && db_begin(db, e) != 0)
        goto done;
    if (append(db, who, action, object, org_id, text, e) != 0) {
        if (own)
            db_rollback(db);
        goto done;
    }
    if (own && db_commit(db, e) != 0)
        goto done;
    rc = 0;
done:
    if (rc != 0)
        log_error("audit", "cannot append %s: %s %s", action, e->message, e->detail);
    free(text);
    return rc;
}
