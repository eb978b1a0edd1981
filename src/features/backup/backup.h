/* backup.h: encrypted, signed backups (issue 4 §8): `dangjian backup FILE` and
 * `dangjian restore FILE`, and the container format both use.
 *
 * A backup file is one stream (all integers big-endian; docs/decisions/0008-backup.md):
 *     "DJBACKUP"  u16 format (1)  u16 flags (0)  u32 signing key id  32-byte signing public key
 *     16-byte backup key check (BLAKE2b keyed with the backup key)   u32 n + n bytes JSON metadata
 *     24-byte secretstream header, then chunks: u32 n + n bytes ciphertext
 *         (XChaCha20-Poly1305 secretstream, <= 64 KiB plaintext each, the header bytes are the
 *          first chunk's associated data, the last chunk carries TAG_FINAL)
 *     64-byte Ed25519ph signature over every byte before it
 * The metadata ({created_at, engine, schema_version, app_version}) is readable without the key
 * but signed. The payload is a SQLite database file or a PostgreSQL custom-format pg_dump.
 *
 * Reading takes two passes over a regular file. backup_verify() checks the header, that the
 * file was made with these keys and the signature over the whole file, touching nothing.
 * backup_decrypt() then streams the plaintext to a sink; it re-checks the signature as it goes
 * and hands over the last chunk only after that check, so a file changed between the passes
 * still never completes a restore.
 * Threads: a writer belongs to one thread; the functions keep no global state. */
#ifndef DJ_BACKUP_H
#define DJ_BACKUP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;
struct keys;

#define BACKUP_FORMAT 1
#define BACKUP_CHUNK_BYTES (64 * 1024)
#define BACKUP_SHA256_BYTES 32

struct backup_meta {
    char engine[16];          /* "sqlite" | "postgresql" */
    int schema_version;       /* migrate_current() of the database saved */
    char created_at[32];      /* "2024-05-01T08:00:00Z" */
    char app_version[32];     /* DJ_VERSION of the binary that wrote it */
    uint32_t key_id;          /* signing key id (set by the writer, read back by verify) */
};

/* ---- writing (backup_format.c) ---- */

struct backup_writer;

/* Starts a backup on fd (borrowed, positioned at its start) signed with k's current signing
 * key; m's key_id is ignored. *out is the caller's (backup_writer_destroy). k is borrowed and
 * must outlive the writer. */
int backup_writer_create(struct backup_writer **out, int fd, const struct keys *k,
                         const struct backup_meta *m, struct err *e)
    __attribute__((warn_unused_result));
int backup_writer_add(struct backup_writer *w, const void *p, size_t n, struct err *e)
    __attribute__((warn_unused_result));
/* Writes the last chunk and the signature. *bytes = file size; sha256 = hash of the file. */
int backup_writer_finish(struct backup_writer *w, uint64_t *bytes,
                         unsigned char sha256[BACKUP_SHA256_BYTES], struct err *e)
    __attribute__((warn_unused_result));
void backup_writer_destroy(struct backup_writer *w);     /* wipes buffers; NULL is fine */

/* ---- reading (backup_format.c) ---- */

/* Receives plaintext in order; returns 0, or -1 with e filled to stop the restore. */
typedef int (*backup_sink_fn)(void *ctx, const void *p, size_t n, struct err *e);

/* Pass 1: header, keys and signature of the regular file open on fd (read with pread).
 * Fills *m. Errors (all ERR_INVALID): "backup.empty", "backup.not_backup",
 * "backup.newer_format", "backup.foreign_keys", "backup.damaged". */
int backup_verify(int fd, const struct keys *k, struct backup_meta *m, struct err *e)
    __attribute__((warn_unused_result));
/* Pass 2: decrypts to sink (NULL: check only). *plain_bytes (may be NULL) gets the payload
 * size. Same errors as backup_verify, plus whatever the sink reports. */
int backup_decrypt(int fd, const struct keys *k, backup_sink_fn sink, void *ctx,
                   uint64_t *plain_bytes, struct err *e) __attribute__((warn_unused_result));

/* Whether the file open on fd starts like a backup (magic only: nothing is verified). */
bool backup_has_magic(int fd);

/* ---- commands (backup_cli.c): argv[0] is "backup" / "restore" ---- */

int backup_cli_backup(int argc, char **argv);
int backup_cli_restore(int argc, char **argv);

#endif
