/* audit_chain.h: the tamper-evident part of the audit log (issue 4), as pure functions.
 *
 * Each entry's hash is BLAKE2b-256 over a canonical encoding of its fields AND the previous
 * entry's hash, so altering, removing or reordering any entry breaks every hash after it.
 * The encoding is length-prefixed ("<len>:<bytes>\n" per field, NULL written as "-\n"), so no
 * choice of field contents can make two different entries encode alike. Sensitive values must
 * already be masked in `changes` (the chain never sees raw personal data).
 * Checkpoints sign "dj-audit-checkpoint-v1:<seq>:<hash hex>" with Ed25519, so an attacker who
 * can rewrite the table and recompute the whole chain still cannot forge the signed points.
 * The store (SQL), the signing key file and `dangjian audit verify` come with issue 4.
 * Threads: safe. */
#ifndef DJ_AUDIT_CHAIN_H
#define DJ_AUDIT_CHAIN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUDIT_HASH_BYTES 32
#define AUDIT_SIG_BYTES 64
#define AUDIT_PK_BYTES 32
#define AUDIT_SK_BYTES 64

struct audit_entry {
    int64_t seq;                          /* 1, 2, 3, ... with no gaps */
    int64_t at;                           /* unix seconds */
    const char *actor;                    /* "user:12", "system" */
    const char *action;                   /* "org.create", "login.failed" */
    const char *object;                   /* "org:5" or NULL */
    const char *ip;                       /* or NULL */
    const char *changes;                  /* canonical JSON of masked before/after, or NULL */
    unsigned char prev[AUDIT_HASH_BYTES]; /* hash of entry seq-1; zeros for seq 1 */
    unsigned char hash[AUDIT_HASH_BYTES];
};

/* Computes e->hash from the fields and e->prev. */
void audit_chain_seal(struct audit_entry *e);
/* Links e after prev (NULL for the first entry): sets seq, prev and hash. */
void audit_chain_append(struct audit_entry *e, const struct audit_entry *prev);
/* Checks n entries in order, starting after `before` (zeros/NULL at the start of the log).
 * Returns 0, or -1 with *first_bad = the seq (or, for a gap, the position) of the first entry
 * that does not verify. */
int audit_chain_verify(const struct audit_entry *entries, size_t n,
                       const unsigned char before[AUDIT_HASH_BYTES], int64_t *first_bad);

struct audit_checkpoint {
    int64_t seq;
    unsigned char hash[AUDIT_HASH_BYTES];
    unsigned char sig[AUDIT_SIG_BYTES];
};
void audit_checkpoint_sign(struct audit_checkpoint *cp, const unsigned char sk[AUDIT_SK_BYTES]);
bool audit_checkpoint_verify(const struct audit_checkpoint *cp,
                             const unsigned char pk[AUDIT_PK_BYTES]);

/* The checkpoint schedule, shared by the writer (audit.c) and the verifier (audit_verify.c):
 * entry (seq, at) must carry a signed checkpoint when AUDIT_CHECKPOINT_EVERY entries or
 * AUDIT_CHECKPOINT_SECONDS have passed since the last checkpoint (cp_seq, cp_at; 0, 0 before
 * the first, so entry 1 is always signed). Because it depends only on hashed fields, the
 * verifier can tell where checkpoints must be, and a deleted checkpoint is found. */
#define AUDIT_CHECKPOINT_EVERY 1000
#define AUDIT_CHECKPOINT_SECONDS 3600
bool audit_checkpoint_due(int64_t seq, int64_t at, int64_t cp_seq, int64_t cp_at);

#endif
