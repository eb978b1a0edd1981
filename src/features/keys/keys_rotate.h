/* keys_rotate.h: `dangjian keys status|verify|rotate`: the encrypted columns of the database and
 * the re-encryption of their values under a new field key (issue 4 §6; the key file itself is
 * crypto/keys.h, one value's sealing crypto/field.h).
 *
 * Every encrypted column is listed once, in keys_rotate.c's table of encrypted columns
 * (members.id_number, members.phone, members.address, users.phone, users.mfa_secret); status,
 * verify and rotation all walk that table, so a new encrypted column is one line there.
 *
 * Rotation, and why a kill at any moment is harmless (docs/decisions/0012-key-rotation.md):
 *   1. The CLI takes "<key file>.lock" (flock; the kernel drops it when the process dies), so two
 *      rotations never run at once.
 *   2. It adds a field key, makes it current and saves the key file BEFORE touching a value
 *      (atomic rename + fsync of file and directory). Old keys stay: every value opens at every
 *      moment.
 *   3. It re-encrypts, table by table in id order, every row holding a value whose key id is not
 *      the current one: one transaction per batch (default 2,000 rows), each row updated only if
 *      its values are still the ones read (compare-and-set: a concurrent edit is never lost; the
 *      row is simply taken again in the next pass). The job row's progress commits with the batch.
 *   4. Resuming needs no cursor: the values still on older keys ARE the work left. `rotate` adds
 *      a key only when every value is already on the current key and no rotation job was left
 *      running; otherwise it continues with the current key and adopts the unfinished job row
 *      (same job id, so a progress bar carries on). `--resume` never adds a key; `--new-key`
 *      always does (values on any older key then move straight to the newest).
 * Values that cannot be opened (unknown key id, tampered) are counted and named by column and
 * row (never by content), left as they are, and make the run fail; they keep `rotate` in
 * "resume" mode until fixed.
 * Threads: the functions use the caller's connection and keys; the CLI is single-threaded. */
#ifndef DJ_KEYS_ROTATE_H
#define DJ_KEYS_ROTATE_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "crypto/field.h"

struct db;
struct err;
struct keys;

#define KEYS_ROTATE_BATCH 2000          /* rows per transaction */
#define KEYS_ROTATE_MAX_BATCH 100000
#define KEYS_FAILED_REFS 10             /* "members.phone:123" names kept for the report */

typedef void (*keys_progress_fn)(void *ctx, int64_t done, int64_t total);

struct keys_rotate_run {
    int batch;                          /* in: rows per transaction */
    const struct keys *k;               /* in: its current field and blind keys are the targets */
    int64_t job_id;                     /* in: progress row to update, 0 = none */
    keys_progress_fn progress;          /* in: after each batch, or NULL */
    void *ctx;
    int64_t done, total;                /* in: rows done before (adopted job) and expected; out */
    int64_t values;                     /* out: values re-encrypted */
    int64_t raced;                      /* out: rows changed by someone else meanwhile (retaken) */
    int64_t failed;                     /* out: values that could not be opened */
    char failed_refs[KEYS_FAILED_REFS][64];
};

/* Rows (over all encrypted tables) holding a value whose key id is not key_id. */
int keys_rotate_pending(struct db *db, uint32_t key_id, int64_t *rows, struct err *e)
    __attribute__((warn_unused_result));
/* Re-encrypts every such value with r->k's current field key (values open with any of its field
 * keys), making the blind index of each ID number and phone sealed again under its current blind
 * key. Passes over the tables until nothing is left to move or nothing moved. 0 also when values
 * failed (r->failed > 0); -1 with e on a database error (batches committed so far stay). */
int keys_rotate_values(struct db *db, struct keys_rotate_run *r, struct err *e)
    __attribute__((warn_unused_result));

/* {"current_key":N,"keys":[..],"columns":{"members.id_number":{"total":N,"by_key":{"1":N},
 * "unknown":N},...},"values":N,"on_current":N,"pending_rows":N}; *out is the caller's. */
int keys_status(struct db *db, const struct keys *k, json_t **out, struct err *e)
    __attribute__((warn_unused_result));
/* Opens every value: {"values":N,"failed":N,"failed_refs":[..],"columns":{..:N},"digest":hex}.
 * The digest is a BLAKE2b keyed with the blind key over (column, row id, plaintext) in table and
 * id order: equal before and after a rotation exactly when every plaintext is unchanged, and
 * it tells nothing about the values. *out is the caller's. */
int keys_verify(struct db *db, const struct keys *k, json_t **out, struct err *e)
    __attribute__((warn_unused_result));

/* `dangjian keys ...`; argv[0] is "keys". Exit code: 0 ok, 1 failure, 2 usage. */
int keys_cli_main(int argc, char **argv, const char *db_url);

#endif
