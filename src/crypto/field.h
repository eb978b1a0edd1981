/* field.h: encryption of personal data at rest, one value at a time (ARCHITECTURE §4, issue 4).
 *
 * A value is sealed with XChaCha20-Poly1305 (libsodium) under a 32-byte key with an id; the
 * associated data is "<column>:<row id>", so a ciphertext copied to another row or column no
 * longer opens. Stored form: "v1:<key id>:<base64url(nonce | ciphertext+tag)>", so key rotation
 * can re-encrypt row by row and readers pick the key by id from the keyring.
 * A blind index (keyed BLAKE2b-256 of a normalised value, under a separate key) allows exact
 * lookup (ID number, phone) without decrypting every row.
 * Keys come from a key file outside the database (issue 4 will load it); this module never
 * stores or logs them. Threads: safe once the keyring is built (read-only). */
#ifndef DJ_FIELD_H
#define DJ_FIELD_H
#include <stddef.h>
#include <stdint.h>

struct err;

#define FIELD_KEY_BYTES 32
#define FIELD_MAX_PLAIN 4096
#define FIELD_BLIND_HEX 65           /* 64 hex digits + NUL */

struct field_key {
    uint32_t id;
    unsigned char key[FIELD_KEY_BYTES];
};

struct field_keyring {
    const struct field_key *keys;    /* borrowed */
    size_t count;
    uint32_t current;                /* id used for new encryptions */
};

/* Seals plain; *out is malloc'd ("v1:..."), caller frees. */
int field_encrypt(const struct field_keyring *kr, const char *column, int64_t row_id,
                  const char *plain, char **out, struct err *e) __attribute__((warn_unused_result));
/* Opens a stored value; *out is malloc'd, caller frees. ERR_INVALID "field.tampered" when the
 * value, column or row do not match; "field.unknown_key" when its key id is not in kr. */
int field_decrypt(const struct field_keyring *kr, const char *column, int64_t row_id,
                  const char *stored, char **out, struct err *e) __attribute__((warn_unused_result));
/* The key id a stored value was sealed with (0 if malformed), for rotation. */
uint32_t field_key_id(const char *stored);
/* Keyed hash of a normalised value as 64 lowercase hex digits. */
void field_blind_index(const unsigned char key[FIELD_KEY_BYTES], const char *normalised,
                       char out[FIELD_BLIND_HEX]);

#endif
