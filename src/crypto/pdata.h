/* pdata.h: the personal-data columns in one place (issue 4): how each value is normalised
 * before its blind index is taken, and the blind index itself under the key file's blind key.
 * The column name is part of the hashed text ("phone:13812345678"), so equal strings in two
 * columns never share an index value. Normalisation: ID numbers lose spaces and take an upper-case
 * X; phones keep their digits only (a leading +86 or 0086 is dropped); full-width digits become
 * ASCII. Pure apart from the key. Threads: safe. */
#ifndef DJ_PDATA_H
#define DJ_PDATA_H
#include <stddef.h>
#include <stdint.h>

#include "crypto/field.h"

struct keys;

#define PDATA_NORM_MAX 64

/* 0 on success; -1 when nothing usable remains or it does not fit. */
int pdata_normalise_id_number(const char *in, char out[PDATA_NORM_MAX]);
int pdata_normalise_phone(const char *in, char out[PDATA_NORM_MAX]);
/* Blind index of an already-normalised value for a column ("id_number", "phone"), under the
 * current blind key: what a write stores. */
void pdata_blind(const struct keys *k, const char *column, const char *normalised,
                 char out[FIELD_BLIND_HEX]);
/* What a search looks for: the index under the current blind key in out[0], then under each
 * older one still kept (keys.h), the rest of out repeating out[0] (so SQL can always bind
 * PDATA_BLIND_ALL values: `bidx IN (?, ?, ?, ?)`). Returns how many differ (1 + older keys). */
#define PDATA_BLIND_ALL 4
int pdata_blind_all(const struct keys *k, const char *column, const char *normalised,
                    char out[PDATA_BLIND_ALL][FIELD_BLIND_HEX]);

/* The masked form of a sealed value, for lists: decrypts with kr and applies mask(), remembering
 * the result in a per-thread cache keyed by the sealed text itself (its random nonce makes it
 * unique to one value of one row under one key, so an entry can never go stale: a changed value
 * is a different ciphertext). Plaintext never stays in the cache, only the masked form.
 * Returns 0, or -1 when the value does not open (out is then ""). */
int pdata_masked(const struct field_keyring *kr, const char *column, int64_t row_id,
                 const char *sealed, void (*mask)(const char *in, char out[256]), char out[256]);

#endif
