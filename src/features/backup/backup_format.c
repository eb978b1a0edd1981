/* backup_format.c: the backup container (layout in backup.h). No knowledge of databases: bytes
 * in, bytes out, through file descriptors.
 *
 * Two independent checks protect a file: the Ed25519ph signature over everything (who made it,
 * and that no byte changed) and the secretstream's per-chunk Poly1305 tags plus TAG_FINAL
 * (nothing changed, reordered or cut off, under the backup key). Reading checks the header
 * first, then which keys made the file (so a foreign key file gets its own message rather than
 * "damaged"), then the signature, and only then parses the metadata JSON.
 * Costs: one pass of BLAKE2b/SHA-512/ChaCha20 over the file per direction, 64 KiB buffers. */
#include "features/backup/backup.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "crypto/keys.h"

#define MAGIC "DJBACKUP"
#define MAGIC_LEN 8
#define CHECK_BYTES 16
#define FIXED_LEN (MAGIC_LEN + 2 + 2 + 4 + KEYS_SIGN_PK_BYTES + CHECK_BYTES + 4)   /* 68 */
#define META_MAX 4096
#define SS_HEADER crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define SS_ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define SIG_BYTES crypto_sign_BYTES
#define CIPHER_MAX (BACKUP_CHUNK_BYTES + SS_ABYTES)
/* The smallest possible file: header with "{}", stream header, one empty final chunk, sig. */
#define MIN_FILE (FIXED_LEN + 2 + SS_HEADER + 4 + SS_ABYTES + SIG_BYTES)

static const char KEY_CHECK_CONTEXT[] = "dangjian backup key check v1";

struct backup_writer {
    int fd;                              /* borrowed */
    const struct sign_key *key;          /* borrowed from the caller's keys */
    crypto_secretstream_xchacha20poly1305_state ss;
    crypto_sign_state sign;
    crypto_hash_sha256_state sha;
    unsigned char *header;               /* first chunk's associated data */
    size_t header_len;
    unsigned char *plain;                /* BACKUP_CHUNK_BYTES, filled up to nplain */
    size_t nplain;
    unsigned char *cipher;               /* 4 + CIPHER_MAX */
    bool first;                          /* the next chunk is the first */
    uint64_t bytes;
};

static void put_u16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint16_t get_u16(const unsigned char *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void key_check(const struct keys *k, unsigned char out[CHECK_BYTES])
{
    crypto_generichash(out, CHECK_BYTES, (const unsigned char *)KEY_CHECK_CONTEXT,
                       sizeof KEY_CHECK_CONTEXT - 1, k->backup, sizeof k->backup);
}

/* ---- writing ---- */

static int write_all(int fd, const unsigned char *p, size_t n, struct err *e)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            err_set(e, ERR_INTERNAL, "backup.cannot_write");
            err_detail(e, "%s", w < 0 ? strerror(errno) : "short write");
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Writes bytes that the signature covers. */
static int emit(struct backup_writer *w, const unsigned char *p, size_t n, struct err *e)
{
    crypto_sign_update(&w->sign, p, n);
    crypto_hash_sha256_update(&w->sha, p, n);
    w->bytes += n;
    return write_all(w->fd, p, n, e);
}

static int push_chunk(struct backup_writer *w, unsigned char tag, struct err *e)
{
    unsigned long long clen = 0;
    crypto_secretstream_xchacha20poly1305_push(&w->ss, w->cipher + 4, &clen, w->plain, w->nplain,
                                               w->first ? w->header : NULL,
                                               w->first ? w->header_len : 0, tag);
    w->first = false;
    sodium_memzero(w->plain, w->nplain);
    w->nplain = 0;
    put_u32(w->cipher, (uint32_t)clen);
    return emit(w, w->cipher, 4 + (size_t)clen, e);
}

static char *meta_json(const struct backup_meta *m)
{
    json_t *j = json_pack("{s:s, s:s, s:i, s:s}", "created_at", m->created_at, "engine",
                          m->engine, "schema_version", m->schema_version, "app_version",
                          m->app_version);
    char *s = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    return s;
}

int backup_writer_create(struct backup_writer **out, int fd, const struct keys *k,
                         const struct backup_meta *m, struct err *e)
{
    *out = NULL;
    const struct sign_key *sk = keys_sign_current(k);
    char *meta = meta_json(m);
    size_t mlen = meta != NULL ? strlen(meta) : 0;
    if (sk == NULL || meta == NULL || mlen > META_MAX) {
        free(meta);
        return err_set(e, ERR_INTERNAL, "backup.bad_metadata");
    }
    struct backup_writer *w = xcalloc(1, sizeof *w);
    w->fd = fd;
    w->key = sk;
    w->first = true;
    w->plain = xmalloc(BACKUP_CHUNK_BYTES);
    w->cipher = xmalloc(4 + CIPHER_MAX);
    w->header_len = FIXED_LEN + mlen;
    w->header = xmalloc(w->header_len);
    unsigned char *h = w->header;
    memcpy(h, MAGIC, MAGIC_LEN);
    put_u16(h + 8, BACKUP_FORMAT);
    put_u16(h + 10, 0);
    put_u32(h + 12, sk->id);
    memcpy(h + 16, sk->pk, KEYS_SIGN_PK_BYTES);
    key_check(k, h + 16 + KEYS_SIGN_PK_BYTES);
    put_u32(h + FIXED_LEN - 4, (uint32_t)mlen);
    memcpy(h + FIXED_LEN, meta, mlen);
    free(meta);

    crypto_sign_init(&w->sign);
    crypto_hash_sha256_init(&w->sha);
    unsigned char ss_header[SS_HEADER];
    crypto_secretstream_xchacha20poly1305_init_push(&w->ss, ss_header, k->backup);
    if (emit(w, w->header, w->header_len, e) != 0 || emit(w, ss_header, sizeof ss_header, e) != 0) {
        backup_writer_destroy(w);
        return -1;
    }
    *out = w;
    return 0;
}

int backup_writer_add(struct backup_writer *w, const void *p, size_t n, struct err *e)
{
    const unsigned char *src = p;
    while (n > 0) {
        if (w->nplain == BACKUP_CHUNK_BYTES &&
            push_chunk(w, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, e) != 0)
            return -1;
        size_t take = BACKUP_CHUNK_BYTES - w->nplain;
        if (take > n)
            take = n;
        memcpy(w->plain + w->nplain, src, take);
        w->nplain += take;
        src += take;
        n -= take;
    }
    return 0;
}

int backup_writer_finish(struct backup_writer *w, uint64_t *bytes,
                         unsigned char sha256[BACKUP_SHA256_BYTES], struct err *e)
{
    if (push_chunk(w, crypto_secretstream_xchacha20poly1305_TAG_FINAL, e) != 0)
        return -1;
    unsigned char sig[SIG_BYTES];
    crypto_sign_final_create(&w->sign, sig, NULL, w->key->sk);
    crypto_hash_sha256_update(&w->sha, sig, sizeof sig);
    w->bytes += sizeof sig;
    if (write_all(w->fd, sig, sizeof sig, e) != 0)
        return -1;
    crypto_hash_sha256_final(&w->sha, sha256);
    *bytes = w->bytes;
    return 0;
}

void backup_writer_destroy(struct backup_writer *w)
{
    if (w == NULL)
        return;
    sodium_memzero(w->plain, BACKUP_CHUNK_BYTES);
    sodium_memzero(&w->ss, sizeof w->ss);
    free(w->plain);
    free(w->cipher);
    free(w->header);
    free(w);
}

/* ---- reading ---- */

struct reader {
    int fd;
    uint64_t size;               /* file size at the start of the pass */
    uint64_t body_end;           /* size - signature */
    unsigned char fixed[FIXED_LEN];
    char meta[META_MAX + 1];
    size_t meta_len;
    const struct sign_key *key;  /* borrowed from the caller's keys */
};

static int damaged(struct err *e, const char *why)
{
    err_set(e, ERR_INVALID, "backup.damaged");
    err_detail(e, "%s", why);
    return -1;
}

/* Reads exactly n bytes at off; a short read means the file is shorter than it says. */
static int read_at(const struct reader *r, void *buf, size_t n, uint64_t off, struct err *e)
{
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t got = pread(r->fd, p, n, (off_t)off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            err_set(e, ERR_INVALID, "backup.cannot_read");
            err_detail(e, "%s", strerror(errno));
            return -1;
        }
        if (got == 0)
            return damaged(e, "the file ends early (was it truncated?)");
        p += got;
        off += (uint64_t)got;
        n -= (size_t)got;
    }
    return 0;
}

/* Size, fixed header, keys and metadata bytes: everything that can be told before reading
 * the body. */
static int read_header(struct reader *r, int fd, const struct keys *k, struct err *e)
{
    struct stat st;
    memset(r, 0, sizeof *r);
    r->fd = fd;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        err_set(e, ERR_INVALID, "backup.not_regular");
        return -1;
    }
    r->size = (uint64_t)st.st_size;
    if (r->size == 0)
        return err_set(e, ERR_INVALID, "backup.empty");
    if (r->size < MAGIC_LEN + 4 || read_at(r, r->fixed, MAGIC_LEN + 4, 0, e) != 0 ||
        memcmp(r->fixed, MAGIC, MAGIC_LEN) != 0) {
        err_clear(e);
        return err_set(e, ERR_INVALID, "backup.not_backup");
    }
    uint16_t version = get_u16(r->fixed + 8), flags = get_u16(r->fixed + 10);
    if (version > BACKUP_FORMAT || flags != 0) {
        err_set(e, ERR_INVALID, "backup.newer_format");
        err_detail(e, "format %u, flags %u; this dangjian reads format %d", version, flags,
                   BACKUP_FORMAT);
        return -1;
    }
    if (version != BACKUP_FORMAT)
        return damaged(e, "unknown format number");
    if (r->size < MIN_FILE || read_at(r, r->fixed, FIXED_LEN, 0, e) != 0)
        return damaged(e, "the file is too short for a backup");
    r->meta_len = get_u32(r->fixed + FIXED_LEN - 4);
    r->body_end = r->size - SIG_BYTES;
    if (r->meta_len < 2 || r->meta_len > META_MAX ||
        FIXED_LEN + r->meta_len + SS_HEADER + 4 + SS_ABYTES > r->body_end)
        return damaged(e, "bad metadata length");
    if (read_at(r, r->meta, r->meta_len, FIXED_LEN, e) != 0)
        return -1;
    r->meta[r->meta_len] = '\0';

    unsigned char check[CHECK_BYTES];
    key_check(k, check);
    r->key = keys_sign_find(k, get_u32(r->fixed + 12));
    if (r->key == NULL || sodium_memcmp(r->key->pk, r->fixed + 16, KEYS_SIGN_PK_BYTES) != 0 ||
        sodium_memcmp(check, r->fixed + 16 + KEYS_SIGN_PK_BYTES, CHECK_BYTES) != 0) {
        err_set(e, ERR_INVALID, "backup.foreign_keys");
        err_detail(e, "signed with key id %u", get_u32(r->fixed + 12));
        return -1;
    }
    return 0;
}

static int check_signature(const struct reader *r, crypto_sign_state *st, struct err *e)
{
    unsigned char sig[SIG_BYTES];
    if (read_at(r, sig, sizeof sig, r->body_end, e) != 0)
        return -1;
    if (crypto_sign_final_verify(st, sig, r->key->pk) != 0)
        return damaged(e, "the signature does not match the contents");
    return 0;
}

static int parse_meta(const struct reader *r, struct backup_meta *m, struct err *e)
{
    json_error_t je;
    const char *created, *engine, *app;
    int version;
    json_t *j = json_loadb(r->meta, r->meta_len, JSON_REJECT_DUPLICATES, &je);
    int rc = -1;
    if (j != NULL && json_unpack(j, "{s:s, s:s, s:i, s:s}", "created_at", &created, "engine",
                                 &engine, "schema_version", &version, "app_version", &app) == 0 &&
        version >= 0 && (strcmp(engine, "sqlite") == 0 || strcmp(engine, "postgresql") == 0)) {
        memset(m, 0, sizeof *m);
        snprintf(m->engine, sizeof m->engine, "%s", engine);
        snprintf(m->created_at, sizeof m->created_at, "%s", created);
        snprintf(m->app_version, sizeof m->app_version, "%s", app);
        m->schema_version = version;
        m->key_id = r->key->id;
        rc = 0;
    } else {
        damaged(e, "bad metadata");
    }
    json_decref(j);
    return rc;
}

int backup_verify(int fd, const struct keys *k, struct backup_meta *m, struct err *e)
{
    struct reader r;
    if (read_header(&r, fd, k, e) != 0)
        return -1;
    crypto_sign_state st;
    crypto_sign_init(&st);
    unsigned char *buf = xmalloc(BACKUP_CHUNK_BYTES);
    int rc = 0;
    for (uint64_t off = 0; off < r.body_end && rc == 0;) {
        size_t n = r.body_end - off < BACKUP_CHUNK_BYTES ? (size_t)(r.body_end - off)
                                                         : BACKUP_CHUNK_BYTES;
        rc = read_at(&r, buf, n, off, e);
        crypto_sign_update(&st, buf, n);
        off += n;
    }
    free(buf);
    if (rc != 0 || check_signature(&r, &st, e) != 0)
        return -1;
    return parse_meta(&r, m, e);
}

/* One chunk at *off: reads, authenticates under the stream (ad: the header, for the first
 * chunk only) and feeds the signature state. *plen and *tag describe the plaintext in plain. */
static int pull_chunk(const struct reader *r, crypto_secretstream_xchacha20poly1305_state *ss,
                      crypto_sign_state *sign, uint64_t *off, const unsigned char *ad,
                      unsigned char *cipher, unsigned char *plain, unsigned long long *plen,
                      unsigned char *tag, struct err *e)
{
    if (*off + 4 > r->body_end)
        return damaged(e, "the data ends without its final block (truncated?)");
    if (read_at(r, cipher, 4, *off, e) != 0)
        return -1;
    uint32_t clen = get_u32(cipher);
    if (clen < SS_ABYTES || clen > CIPHER_MAX || *off + 4 + clen > r->body_end)
        return damaged(e, "bad block length");
    if (read_at(r, cipher + 4, clen, *off + 4, e) != 0)
        return -1;
    crypto_sign_update(sign, cipher, 4 + (size_t)clen);
    *off += 4 + (uint64_t)clen;
    if (crypto_secretstream_xchacha20poly1305_pull(ss, plain, plen, tag, cipher + 4, clen, ad,
                                                   ad != NULL ? FIXED_LEN + r->meta_len : 0) != 0)
        return damaged(e, "a data block fails authentication");
    return 0;
}

/* The first chunk's associated data is the whole header (fixed part + metadata): rebuild it. */
static unsigned char *header_bytes(const struct reader *r)
{
    unsigned char *h = xmalloc(FIXED_LEN + r->meta_len);
    memcpy(h, r->fixed, FIXED_LEN);
    memcpy(h + FIXED_LEN, r->meta, r->meta_len);
    return h;
}

static int decrypt_body(const struct reader *r, const struct keys *k, backup_sink_fn sink,
                        void *ctx, uint64_t *total, struct err *e)
{
    crypto_sign_state sign;
    crypto_secretstream_xchacha20poly1305_state ss;
    unsigned char ssh[SS_HEADER];
    uint64_t off = FIXED_LEN + r->meta_len;
    unsigned char *hdr = header_bytes(r);
    unsigned char *cipher = xmalloc(4 + CIPHER_MAX), *plain = xmalloc(BACKUP_CHUNK_BYTES);
    int rc = -1;
    crypto_sign_init(&sign);
    crypto_sign_update(&sign, hdr, off);
    if (read_at(r, ssh, sizeof ssh, off, e) != 0)
        goto done;
    crypto_sign_update(&sign, ssh, sizeof ssh);
    off += sizeof ssh;
    if (crypto_secretstream_xchacha20poly1305_init_pull(&ss, ssh, k->backup) != 0) {
        damaged(e, "bad stream header");
        goto done;
    }
    for (bool first = true;; first = false) {
        unsigned long long plen = 0;
        unsigned char tag = 0;
        if (pull_chunk(r, &ss, &sign, &off, first ? hdr : NULL, cipher, plain, &plen, &tag,
                          e) != 0)
            goto done;
        bool final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
        if (!final && tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
            damaged(e, "unexpected block tag");
            goto done;
        }
        if (final && off != r->body_end) {
            damaged(e, "data after the final block");
            goto done;
        }
        /* The last block goes to the sink only once the whole file's signature holds. */
        if (final && check_signature(r, &sign, e) != 0)
            goto done;
        if (sink != NULL && plen > 0 && sink(ctx, plain, (size_t)plen, e) != 0)
            goto done;
        *total += plen;
        if (final)
            break;
    }
    rc = 0;
done:
    sodium_memzero(plain, BACKUP_CHUNK_BYTES);
    sodium_memzero(&ss, sizeof ss);
    free(plain);
    free(cipher);
    free(hdr);
    return rc;
}

int backup_decrypt(int fd, const struct keys *k, backup_sink_fn sink, void *ctx,
                   uint64_t *plain_bytes, struct err *e)
{
    struct reader r;
    uint64_t total = 0;
    if (read_header(&r, fd, k, e) != 0 || decrypt_body(&r, k, sink, ctx, &total, e) != 0)
        return -1;
    if (plain_bytes != NULL)
        *plain_bytes = total;
    return 0;
}

bool backup_has_magic(int fd)
{
    char magic[MAGIC_LEN];
    return pread(fd, magic, sizeof magic, 0) == (ssize_t)sizeof magic &&
           memcmp(magic, MAGIC, MAGIC_LEN) == 0;
}
