/* backup_format_test.c: a backup reads back byte for byte with its own keys only, and every
 * change to the file (a flipped byte anywhere, a cut, appended bytes, reordered blocks, even
 * with a fresh valid signature) is refused before the last block reaches the reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "crypto/keys.h"
#include "features/backup/backup.h"

#define HEADER_FIXED 68          /* magic .. metadata length (backup.h) */
#define SIG 64

static struct keys *mine, *theirs;
static char dir[256];

struct mem {
    unsigned char *p;
    size_t n;
    bool final_seen;             /* the sink got the payload's last byte */
    size_t expect;
};

static int mem_sink(void *ctx, const void *p, size_t n, struct err *e)
{
    (void)e;
    struct mem *m = ctx;
    m->p = realloc(m->p, m->n + n);
    assert_non_null(m->p);
    memcpy(m->p + m->n, p, n);
    m->n += n;
    m->final_seen = m->n == m->expect;
    return 0;
}

static struct keys *new_keys(const char *name)
{
    char path[512];
    struct keys *k = NULL;
    struct err e = ERR_INIT;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(keys_load_or_create(path, &k, NULL, &e), 0);
    unlink(path);
    return k;
}

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/dj-backup-test-XXXXXX", tmp != NULL ? tmp : "/tmp");
    assert_non_null(mkdtemp(dir));
    mine = new_keys("mine.keys");
    theirs = new_keys("theirs.keys");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    keys_destroy(mine);
    keys_destroy(theirs);
    rmdir(dir);
    return 0;
}

static const struct backup_meta META = {.engine = "sqlite", .schema_version = 2,
                                        .created_at = "2024-07-01T08:00:00Z",
                                        .app_version = "test"};

/* A backup of payload[0..n) made with k, as bytes (caller frees). */
static unsigned char *make(const struct keys *k, const unsigned char *payload, size_t n,
                           size_t *len)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    struct backup_writer *w = NULL;
    struct err e = ERR_INIT;
    uint64_t bytes = 0;
    unsigned char sha[BACKUP_SHA256_BYTES], check[BACKUP_SHA256_BYTES];
    assert_int_equal(backup_writer_create(&w, fileno(f), k, &META, &e), 0);
    for (size_t off = 0; off < n; off += 1000)    /* odd pieces: chunking is the writer's job */
        assert_int_equal(backup_writer_add(w, payload + off, n - off < 1000 ? n - off : 1000, &e), 0);
    assert_int_equal(backup_writer_finish(w, &bytes, sha, &e), 0);
    backup_writer_destroy(w);
    unsigned char *out = malloc(bytes);
    assert_non_null(out);
    assert_int_equal(pread(fileno(f), out, bytes, 0), (ssize_t)bytes);
    fclose(f);
    crypto_hash_sha256(check, out, bytes);
    assert_memory_equal(sha, check, sizeof sha);
    *len = bytes;
    return out;
}

/* Reads bytes as a backup file with k: "ok" or the error's message key. The payload goes to
 * *got (may be NULL). Runs both passes, as restore does. */
static const char *read_back(const struct keys *k, const unsigned char *bytes, size_t len,
                             struct mem *got, struct backup_meta *meta)
{
    static struct err e;
    struct backup_meta m;
    FILE *f = tmpfile();
    assert_non_null(f);
    if (len > 0)
        assert_int_equal(pwrite(fileno(f), bytes, len, 0), (ssize_t)len);
    err_clear(&e);
    int rc = backup_verify(fileno(f), k, meta != NULL ? meta : &m, &e);
    if (rc == 0)
        rc = backup_decrypt(fileno(f), k, got != NULL ? mem_sink : NULL, got, NULL, &e);
    fclose(f);
    return rc == 0 ? "ok" : e.message;
}

/* Pass 2 alone, as a reader that skipped pass 1 would see it. */
static const char *decrypt_only(const unsigned char *bytes, size_t len, struct mem *got)
{
    static struct err e;
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(pwrite(fileno(f), bytes, len, 0), (ssize_t)len);
    err_clear(&e);
    int rc = backup_decrypt(fileno(f), mine, mem_sink, got, NULL, &e);
    fclose(f);
    return rc == 0 ? "ok" : e.message;
}

static bool contains(const unsigned char *hay, size_t n, const unsigned char *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return true;
    return false;
}

static unsigned char *random_payload(size_t n)
{
    unsigned char *p = malloc(n > 0 ? n : 1);
    assert_non_null(p);
    randombytes_buf(p, n);
    return p;
}

/* Signs bytes again with mine's current key, as someone holding the key file could. */
static void resign(unsigned char *bytes, size_t len)
{
    crypto_sign_state st;
    crypto_sign_init(&st);
    crypto_sign_update(&st, bytes, len - SIG);
    crypto_sign_final_create(&st, bytes + len - SIG, NULL, keys_sign_current(mine)->sk);
}

static void payloads_of_every_shape_round_trip_byte_for_byte(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 999, BACKUP_CHUNK_BYTES - 1, BACKUP_CHUNK_BYTES,
                                   BACKUP_CHUNK_BYTES + 1, 3 * BACKUP_CHUNK_BYTES + 17};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *payload = random_payload(sizes[i]);
        size_t len = 0;
        unsigned char *b = make(mine, payload, sizes[i], &len);
        struct mem got = {.expect = sizes[i]};
        struct backup_meta m;
        assert_string_equal(read_back(mine, b, len, &got, &m), "ok");
        assert_int_equal(got.n, sizes[i]);
        if (sizes[i] > 0)
            assert_memory_equal(got.p, payload, sizes[i]);
        assert_string_equal(m.engine, "sqlite");
        assert_int_equal(m.schema_version, 2);
        assert_string_equal(m.created_at, "2024-07-01T08:00:00Z");
        assert_int_equal(m.key_id, keys_sign_current(mine)->id);
        if (sizes[i] >= 64)
            assert_false(contains(b, len, payload, 64));                /* encrypted */
        free(got.p);
        free(payload);
        free(b);
    }
}

static void another_installations_keys_are_refused_as_foreign(void **state)
{
    (void)state;
    unsigned char payload[100] = {1, 2, 3};
    size_t len = 0;
    unsigned char *b = make(mine, payload, sizeof payload, &len);
    assert_string_equal(read_back(theirs, b, len, NULL, NULL), "backup.foreign_keys");
    /* the right signing key with another backup key (an edited key file) is foreign too */
    unsigned char saved[KEYS_BACKUP_BYTES];
    memcpy(saved, mine->backup, sizeof saved);
    mine->backup[0] ^= 1;
    assert_string_equal(read_back(mine, b, len, NULL, NULL), "backup.foreign_keys");
    memcpy(mine->backup, saved, sizeof saved);
    assert_string_equal(read_back(mine, b, len, NULL, NULL), "ok");
    free(b);
}

static void a_backup_signed_with_a_retired_key_still_verifies(void **state)
{
    (void)state;
    unsigned char payload[10] = {0};
    size_t len = 0;
    unsigned char *b = make(mine, payload, sizeof payload, &len);
    uint32_t old_current = mine->sign_current;
    struct sign_key *nk = &mine->sign[mine->nsign];
    nk->id = old_current + 1;
    crypto_sign_keypair(nk->pk, nk->sk);
    mine->nsign++;
    mine->sign_current = nk->id;
    assert_string_equal(read_back(mine, b, len, NULL, NULL), "ok");
    mine->nsign--;
    mine->sign_current = old_current;
    free(b);
}

static void every_flipped_byte_is_refused(void **state)
{
    (void)state;
    unsigned char *payload = random_payload(300);
    size_t len = 0;
    unsigned char *b = make(mine, payload, 300, &len);
    for (size_t pos = 0; pos < len; pos++) {
        for (int k = 0; k < 2; k++) {
            unsigned char mask = k == 0 ? 0x01 : (unsigned char)(1 + randombytes_uniform(255));
            b[pos] ^= mask;
            const char *r = read_back(mine, b, len, NULL, NULL);
            if (strcmp(r, "ok") == 0)
                fail_msg("flipping byte %zu with %02x was not noticed", pos, mask);
            b[pos] ^= mask;
        }
    }
    assert_string_equal(read_back(mine, b, len, NULL, NULL), "ok");
    free(payload);
    free(b);
}

static void every_cut_and_any_appended_bytes_are_refused(void **state)
{
    (void)state;
    size_t n = 2 * BACKUP_CHUNK_BYTES + 5;
    unsigned char *payload = random_payload(n);
    size_t len = 0;
    unsigned char *b = make(mine, payload, n, &len);
    for (size_t cut = 0; cut < len; cut += cut < 600 || len - cut < 600 ? 1 : 997)
        assert_string_not_equal(read_back(mine, b, cut, NULL, NULL), "ok");
    assert_string_equal(read_back(mine, b, 0, NULL, NULL), "backup.empty");
    unsigned char *longer = malloc(len + 64);
    assert_non_null(longer);
    memcpy(longer, b, len);
    for (size_t extra = 1; extra <= 64; extra *= 2) {
        memset(longer + len, (int)extra, extra);
        assert_string_equal(read_back(mine, longer, len + extra, NULL, NULL), "backup.damaged");
    }
    free(longer);
    free(payload);
    free(b);
}

static void other_files_are_told_apart_from_damaged_backups(void **state)
{
    (void)state;
    const char text[] = "PRAGMA this is not a backup at all, just some text in a file\n";
    assert_string_equal(read_back(mine, (const unsigned char *)text, sizeof text, NULL, NULL),
                        "backup.not_backup");
    unsigned char payload[10] = {0};
    size_t len = 0;
    unsigned char *b = make(mine, payload, sizeof payload, &len);
    b[9] = 2;                                        /* format 2: from a newer dangjian */
    assert_string_equal(read_back(mine, b, len, NULL, NULL), "backup.newer_format");
    free(b);
}

/* Below the signature, the stream itself: a file re-signed after tampering still fails. */
static void tampering_behind_a_fresh_signature_fails_the_stream(void **state)
{
    (void)state;
    size_t n = 3 * BACKUP_CHUNK_BYTES;              /* three full blocks, the third final */
    unsigned char *payload = random_payload(n);
    size_t len = 0;
    unsigned char *b = make(mine, payload, n, &len);
    uint32_t meta_len = (uint32_t)b[64] << 24 | (uint32_t)b[65] << 16 | b[66] << 8 | b[67];
    size_t first = HEADER_FIXED + meta_len + crypto_secretstream_xchacha20poly1305_HEADERBYTES;
    size_t block = 4 + BACKUP_CHUNK_BYTES + crypto_secretstream_xchacha20poly1305_ABYTES;
    unsigned char *t = malloc(len);
    assert_non_null(t);

    memcpy(t, b, len);                              /* swap blocks 2 and 3 */
    memcpy(t + first + block, b + first + 2 * block, block);
    memcpy(t + first + 2 * block, b + first + block, block);
    resign(t, len);
    assert_string_equal(read_back(mine, t, len, NULL, NULL), "backup.damaged");

    memcpy(t, b, len);               /* metadata still valid JSON, edited: first block's AD */
    unsigned char *year = t + HEADER_FIXED;
    while (memcmp(year, "2024-07-01", 10) != 0)
        year++;
    year[3] = '5';
    resign(t, len);
    assert_string_equal(read_back(mine, t, len, NULL, NULL), "backup.damaged");

    memcpy(t, b, len);                              /* the final block dropped */
    size_t cut = first + 2 * block;
    memmove(t + cut, t + len - SIG, SIG);
    resign(t, cut + SIG);
    assert_string_equal(read_back(mine, t, cut + SIG, NULL, NULL), "backup.damaged");
    free(t);
    free(payload);
    free(b);
}

static void decrypting_without_pass_one_never_delivers_the_last_block_of_a_bad_file(void **state)
{
    (void)state;
    size_t n = 2 * BACKUP_CHUNK_BYTES + 100;
    unsigned char *payload = random_payload(n);
    size_t len = 0;
    unsigned char *b = make(mine, payload, n, &len);
    b[len - 1] ^= 0x80;                             /* the signature only */
    struct mem got = {.expect = n};
    assert_string_equal(decrypt_only(b, len, &got), "backup.damaged");
    assert_int_equal(got.n, 2 * BACKUP_CHUNK_BYTES);
    assert_false(got.final_seen);
    free(got.p);
    free(payload);
    free(b);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(payloads_of_every_shape_round_trip_byte_for_byte),
        cmocka_unit_test(another_installations_keys_are_refused_as_foreign),
        cmocka_unit_test(a_backup_signed_with_a_retired_key_still_verifies),
        cmocka_unit_test(every_flipped_byte_is_refused),
        cmocka_unit_test(every_cut_and_any_appended_bytes_are_refused),
        cmocka_unit_test(other_files_are_told_apart_from_damaged_backups),
        cmocka_unit_test(tampering_behind_a_fresh_signature_fails_the_stream),
        cmocka_unit_test(decrypting_without_pass_one_never_delivers_the_last_block_of_a_bad_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
