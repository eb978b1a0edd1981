/* audit_verify.h: `dangjian audit verify` and the auditor page's check (issue 4 §7).
 *
 * audit_verify() streams audit_log and audit_checkpoints in seq order, in batches (memory stays
 * bounded at millions of entries), and checks, stopping at the first problem:
 *   - seq runs 1, 2, 3, ... with no gap ("entry 57 missing");
 *   - each entry's prev_hash is the previous entry's hash ("entry 58 does not follow 57");
 *   - each entry's hash recomputes from its fields (audit_chain.h: "entry 1234 altered");
 *   - each checkpoint's key id is in the key file, its Ed25519 signature holds and its hash is
 *     the entry's hash at that seq (a rewritten and re-hashed stretch of the log fails here);
 *   - a checkpoint is present wherever the schedule requires one (audit_checkpoint_due), so
 *     deleting checkpoints to hide a rewrite is found too;
 *   - audit_head names the last entry, and no checkpoint or head points past the end (entries
 *     removed at the tail).
 * What it cannot see: entries removed or rewritten after the last signed checkpoint, if the
 * head and the fake tail are made consistent (at most AUDIT_CHECKPOINT_EVERY - 1 entries or
 * one hour's worth). docs/guide/audit.*.md explains this to operators.
 *
 * It reads without a transaction (SQLite's BEGIN IMMEDIATE would block every writer for the
 * whole run), so appends may go on meanwhile: entries that arrive are verified too, and the
 * final head comparison reads head, last entry and last checkpoint in one statement, which
 * sees one consistent state on both engines.
 * Threads: one connection per call, like the rest of the store. */
#ifndef DJ_AUDIT_VERIFY_H
#define DJ_AUDIT_VERIFY_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct db;
struct err;
struct job;
struct keys;

enum audit_problem {
    AUDIT_OK,
    AUDIT_ENTRY_MISSING,           /* a gap: first_bad_seq is the missing seq */
    AUDIT_ENTRY_UNLINKED,          /* prev_hash is not the previous entry's hash */
    AUDIT_ENTRY_ALTERED,           /* the hash does not recompute */
    AUDIT_ENTRY_MALFORMED,         /* hash text is not 64 hex digits, or seq < 1 */
    AUDIT_CHECKPOINT_MISSING,      /* the schedule requires a checkpoint here; none exists */
    AUDIT_CHECKPOINT_UNKNOWN_KEY,  /* arg = key id */
    AUDIT_CHECKPOINT_BAD_SIGNATURE,
    AUDIT_CHECKPOINT_MISMATCH,     /* arg = checkpoint seq; first_bad = last good one + 1 */
    AUDIT_CHECKPOINT_ORPHAN,       /* a checkpoint inside the log with no entry */
    AUDIT_TRUNCATED,               /* arg = a checkpoint's seq past the last entry */
    AUDIT_HEAD_TRUNCATED,          /* arg = the head's seq, past the last entry */
    AUDIT_HEAD_BEHIND,             /* entries after the head's seq (arg) */
    AUDIT_HEAD_MISMATCH,           /* the head's hash is not the last entry's; arg = head seq */
    AUDIT_PROBLEM_COUNT
};

struct audit_verify_result {
    bool ok;
    int64_t entries;          /* entries checked (all of them when ok) */
    int64_t checkpoints;      /* signatures verified */
    int64_t signed_through;   /* seq of the last checkpoint that verified; 0 = none */
    int64_t first_bad_seq;    /* the first entry that cannot be trusted; 0 when ok */
    enum audit_problem problem;
    int64_t arg;              /* detail for the reason (key id, checkpoint or head seq) */
    char reason[192];         /* English, for logs and scripts: "entry 1234 altered" */
};

/* Called after each batch; a non-zero return stops the run with that error in e. */
typedef int (*audit_verify_progress)(void *ctx, int64_t done, int64_t total, struct err *e);

/* Verifies the whole log against keys (borrowed; the public halves are used). Returns 0 when
 * the check ran to a verdict (out->ok says which), -1 with e when it could not (database). */
int audit_verify(struct db *db, const struct keys *keys, audit_verify_progress progress,
                 void *ctx, struct audit_verify_result *out, struct err *e)
    __attribute__((warn_unused_result));

/* "entry_altered", ...; "ok" for AUDIT_OK. */
const char *audit_problem_name(enum audit_problem p);
/* The reason in lang ("en..." English, else zh-CN), written into out. */
void audit_verify_message(const struct audit_verify_result *r, const char *lang, char *out,
                          size_t cap);
/* {"ok","entries","checkpoints","signed_through","first_bad_seq","problem","arg","reason"}
 * (first_bad_seq, problem, arg and reason null when ok). The caller owns the reference. */
json_t *audit_verify_result_json(const struct audit_verify_result *r);
/* The inverse, for stored results (unknown problem names read as AUDIT_OK with ok false). */
void audit_verify_result_from_json(const json_t *j, struct audit_verify_result *r);

/* ---- running it as a job (audit_job.c) ---- */

#define AUDIT_VERIFY_JOB "audit.verify"

/* The keys to verify with: the process's installed keys (keys_get) when there are any, else
 * the configured key file (config_keys_path), loaded into *owned for the caller to destroy.
 * Fails with the key file's error (ERR_INVALID "keys.cannot_open", ...). */
int audit_verify_keys(const struct keys **k, struct keys **owned, struct err *e)
    __attribute__((warn_unused_result));
/* The job kind AUDIT_VERIFY_JOB (jobs.h): verifies with progress; result_json is
 * audit_verify_result_json() as text in a. */
int audit_verify_job(struct db *db, struct arena *a, const struct job *job,
                     const char **result_json, struct err *e);
/* Runs a verification now and records it as a finished AUDIT_VERIFY_JOB row, so the auditor's
 * page shows runs from the command line too. Recording is best effort: *job_id is 0 when the
 * database would not take the row (a read-only copy). */
int audit_verify_recorded(struct db *db, const struct keys *k, struct audit_verify_result *out,
                          int64_t *job_id, struct err *e) __attribute__((warn_unused_result));

#endif
