/* keys.h: the key file, kept outside the database (issue 4, ARCHITECTURE §8).
 *
 * One JSON file (mode 0600) holds every secret the platform uses:
 *   field keys    XChaCha20-Poly1305 keys for personal data, each with an id; new values use the
 *                 current one, old ids stay so older ciphertexts still open (keys rotate adds one)
 *   blind keys    keyed BLAKE2b for the blind indexes: the current one makes every new index;
 *                 up to KEYS_BLIND_OLD older ones, newest first, are still searched while a
 *                 rotation re-indexes (keys rotate adds one with each field key, see
 *                 keys_rotate.h; an index is on the blind key that was current with its
 *                 value's field key). A key file leaked before a rotation then no longer lets
 *                 anyone test guesses against the indexes of the database after it.
 *   signing keys  Ed25519 pairs with ids: audit checkpoints and backups are signed with the
 *                 current one; verification accepts any listed id
 *   backup key    secretstream key for encrypted backups
 * keys_load_or_create() makes a new file with fresh random keys when none exists. Saving writes
 * a temporary file and renames it over the old one, so a crash never leaves half a key file.
 * Threads: a loaded struct keys is read-only and safe to share; keys_install() publishes one for
 * the whole process (start-up only), keys_get() reads it (atomically: keys_refresh() may publish
 * a newer one from a single thread while requests run). */
#ifndef DJ_KEYS_H
#define DJ_KEYS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/field.h"

struct err;

#define KEYS_MAX 64
#define KEYS_SIGN_PK_BYTES 32
#define KEYS_SIGN_SK_BYTES 64
#define KEYS_BACKUP_BYTES 32
#define KEYS_BLIND_OLD 3          /* older blind keys kept for searching */

struct sign_key {
    uint32_t id;
    unsigned char pk[KEYS_SIGN_PK_BYTES];
    unsigned char sk[KEYS_SIGN_SK_BYTES];
};

struct keys {
    struct field_key field[KEYS_MAX];
    size_t nfield;
    uint32_t field_current;
    unsigned char blind[FIELD_KEY_BYTES];                   /* current */
    unsigned char blind_old[KEYS_BLIND_OLD][FIELD_KEY_BYTES];  /* newest first */
    size_t nblind_old;
    struct sign_key sign[KEYS_MAX];
    size_t nsign;
    uint32_t sign_current;
    unsigned char backup[KEYS_BACKUP_BYTES];
};

/* Reads path. ERR_INVALID "keys.cannot_open" / "keys.malformed" / "keys.too_open" (readable by
 * group or others). *out is the caller's (keys_destroy). */
int keys_load(const char *path, struct keys **out, struct err *e) __attribute__((warn_unused_result));
/* Loads path, or creates it with new keys if it does not exist (*created = true). */
int keys_load_or_create(const char *path, struct keys **out, bool *created, struct err *e)
    __attribute__((warn_unused_result));
int keys_save(const struct keys *k, const char *path, struct err *e) __attribute__((warn_unused_result));
/* Adds a new field key and makes it current (rotation step 1; the caller saves the file). */
int keys_add_field_key(struct keys *k, struct err *e) __attribute__((warn_unused_result));
/* Makes a new current blind key; the old current one is kept first among the older ones
 * (drop_old: forget the older ones first, when no index can be on them any more). ERR_INVALID
 * "keys.too_many" when KEYS_BLIND_OLD older keys are already kept. The caller saves the file. */
int keys_add_blind_key(struct keys *k, bool drop_old, struct err *e)
    __attribute__((warn_unused_result));
/* A key for digests that must not change with rotations (keys verify): derived from the
 * backup key, which never rotates. */
void keys_digest_key(const struct keys *k, unsigned char out[FIELD_KEY_BYTES]);
void keys_destroy(struct keys *k);           /* wipes the memory; NULL is fine */

struct field_keyring keys_field_ring(const struct keys *k);
const struct sign_key *keys_sign_current(const struct keys *k);
const struct sign_key *keys_sign_find(const struct keys *k, uint32_t id);   /* NULL if unknown */

/* The process-wide keys (serve, CLI commands): install once at start-up; keys_get() is NULL
 * before. Ownership passes to the process; keys_uninstall() destroys them at exit. */
void keys_install(struct keys *k);
const struct keys *keys_get(void);
void keys_uninstall(void);
/* serve calls this every few seconds from one thread: when the key file changed since (a
 * `keys rotate` in another process added a key), the new file is loaded and published, so new
 * values are sealed with the new current key and values already rotated still open. The old
 * struct is kept until keys_uninstall (requests may hold it). The first call only notes the
 * file. 1 reloaded, 0 unchanged, -1 (keys kept) when the file does not load or lacks a field
 * key the installed one has ("keys.lost_key": an older copy was put back). */
int keys_refresh(const char *path, struct err *e) __attribute__((warn_unused_result));

#endif
