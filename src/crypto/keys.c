/* keys.c: the key file (see keys.h). Format:
 * {"version":1,
 *  "field":[{"id":1,"key":"<b64>"}], "field_current":1,
 *  "blind":"<b64>", "blind_old":["<b64>", ...] (optional, newest first),
 *  "sign":[{"id":1,"pk":"<b64>","sk":"<b64>"}], "sign_current":1,
 *  "backup":"<b64>"} */
#include "crypto/keys.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/xalloc.h"

#define B64 sodium_base64_VARIANT_ORIGINAL

/* The installed keys; a reload publishes a new struct and retires the old one, which stays
 * allocated (a request may still hold it) until keys_uninstall. One per rotation: a handful. */
static _Atomic(struct keys *) g_keys;
static struct keys **g_retired;
static size_t g_nretired;
static struct stat g_watched;       /* the key file as last loaded by keys_refresh */
static bool g_watching;

static json_t *b64(const unsigned char *bin, size_t n)
{
    char out[sodium_base64_ENCODED_LEN(KEYS_SIGN_SK_BYTES, B64)];
    sodium_bin2base64(out, sizeof out, bin, n, B64);
    json_t *s = json_string(out);
    sodium_memzero(out, sizeof out);
    return s;
}

/* Decodes exactly n bytes from a JSON string. */
static int unb64(const json_t *j, unsigned char *bin, size_t n)
{
    const char *s = json_string_value(j);
    size_t len = 0;
    if (s == NULL || sodium_base642bin(bin, n, s, strlen(s), NULL, &len, NULL, B64) != 0 ||
        len != n)
        return -1;
    return 0;
}

static uint32_t next_id(const uint32_t *ids, size_t n, size_t stride)
{
    uint32_t max = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t id = *(const uint32_t *)((const char *)ids + i * stride);
        if (id > max)
            max = id;
    }
    return max + 1;
}

int keys_add_field_key(struct keys *k, struct err *e)
{
    if (k->nfield >= KEYS_MAX)
        return err_set(e, ERR_INVALID, "keys.too_many");
    struct field_key *f = &k->field[k->nfield];
    f->id = next_id(&k->field[0].id, k->nfield, sizeof k->field[0]);
    crypto_aead_xchacha20poly1305_ietf_keygen(f->key);
    k->nfield++;
    k->field_current = f->id;
    return 0;
}

int keys_add_blind_key(struct keys *k, bool drop_old, struct err *e)
{
    if (drop_old) {
        sodium_memzero(k->blind_old, sizeof k->blind_old);
        k->nblind_old = 0;
    }
    if (k->nblind_old >= KEYS_BLIND_OLD)
        return err_set(e, ERR_INVALID, "keys.too_many");
    memmove(k->blind_old[1], k->blind_old[0], k->nblind_old * sizeof k->blind_old[0]);
    memcpy(k->blind_old[0], k->blind, sizeof k->blind);
    k->nblind_old++;
    randombytes_buf(k->blind, sizeof k->blind);
    return 0;
}

void keys_digest_key(const struct keys *k, unsigned char out[FIELD_KEY_BYTES])
{
    static const char ctx[] = "dangjian keys verify digest v1";
    crypto_generichash(out, FIELD_KEY_BYTES, (const unsigned char *)ctx, sizeof ctx - 1,
                       k->backup, sizeof k->backup);
}

static struct keys *keys_new(void)
{
    struct keys *k = sodium_malloc(sizeof *k);
    if (k == NULL) {
        fprintf(stderr, "dangjian: out of memory for the key store\n");
        abort();
    }
    memset(k, 0, sizeof *k);
    return k;
}

static struct keys *generate(void)
{
    struct keys *k = keys_new();
    struct err e = ERR_INIT;
    if (keys_add_field_key(k, &e) != 0)
        abort();   /* cannot happen: the set is empty */
    randombytes_buf(k->blind, sizeof k->blind);
    k->sign[0].id = 1;
    crypto_sign_keypair(k->sign[0].pk, k->sign[0].sk);
    k->nsign = 1;
    k->sign_current = 1;
    crypto_secretstream_xchacha20poly1305_keygen(k->backup);
    return k;
}

void keys_destroy(struct keys *k)
{
    if (k != NULL)
        sodium_free(k);   /* wipes before freeing */
}

static int parse(json_t *root, struct keys *k)
{
    json_t *field = json_object_get(root, "field"), *sign = json_object_get(root, "sign");
    if (json_integer_value(json_object_get(root, "version")) != 1 || !json_is_array(field) ||
        !json_is_array(sign) || json_array_size(field) == 0 || json_array_size(sign) == 0 ||
        json_array_size(field) > KEYS_MAX || json_array_size(sign) > KEYS_MAX)
        return -1;
    size_t i;
    json_t *v;
    json_array_foreach(field, i, v) {
        json_int_t id = json_integer_value(json_object_get(v, "id"));
        if (id <= 0 || id > UINT32_MAX || unb64(json_object_get(v, "key"), k->field[i].key,
                                                FIELD_KEY_BYTES) != 0)
            return -1;
        k->field[i].id = (uint32_t)id;
    }
    k->nfield = json_array_size(field);
    json_array_foreach(sign, i, v) {
        json_int_t id = json_integer_value(json_object_get(v, "id"));
        unsigned char check[KEYS_SIGN_PK_BYTES];
        if (id <= 0 || id > UINT32_MAX ||
            unb64(json_object_get(v, "pk"), k->sign[i].pk, KEYS_SIGN_PK_BYTES) != 0 ||
            unb64(json_object_get(v, "sk"), k->sign[i].sk, KEYS_SIGN_SK_BYTES) != 0 ||
            crypto_sign_ed25519_sk_to_pk(check, k->sign[i].sk) != 0 ||
            memcmp(check, k->sign[i].pk, sizeof check) != 0)
            return -1;
        k->sign[i].id = (uint32_t)id;
    }
    k->nsign = json_array_size(sign);
    json_int_t fc = json_integer_value(json_object_get(root, "field_current"));
    json_int_t sc = json_integer_value(json_object_get(root, "sign_current"));
    if (fc <= 0 || fc > UINT32_MAX || sc <= 0 || sc > UINT32_MAX)
        return -1;
    k->field_current = (uint32_t)fc;
    k->sign_current = (uint32_t)sc;
    struct field_keyring kr = keys_field_ring(k);
    bool found = false;
    for (i = 0; i < kr.count; i++)
        found |= kr.keys[i].id == kr.current;
    if (!found || keys_sign_current(k) == NULL)
        return -1;
    if (unb64(json_object_get(root, "blind"), k->blind, sizeof k->blind) != 0 ||
        unb64(json_object_get(root, "backup"), k->backup, sizeof k->backup) != 0)
        return -1;
    json_t *old = json_object_get(root, "blind_old");
    if (old != NULL && (!json_is_array(old) || json_array_size(old) > KEYS_BLIND_OLD))
        return -1;
    json_array_foreach(old, i, v) {
        if (unb64(v, k->blind_old[i], FIELD_KEY_BYTES) != 0)
            return -1;
    }
    k->nblind_old = old != NULL ? json_array_size(old) : 0;
    return 0;
}

int keys_load(const char *path, struct keys **out, struct err *e)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        err_set(e, ERR_INVALID, "keys.cannot_open");
        err_detail(e, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if ((st.st_mode & 077) != 0) {
        close(fd);
        err_set(e, ERR_INVALID, "keys.too_open");
        err_detail(e, "%s is readable by others (mode %o); chmod 600 it", path,
                   (unsigned)(st.st_mode & 0777));
        return -1;
    }
    json_error_t je;
    json_t *root = json_loadfd(fd, JSON_REJECT_DUPLICATES, &je);
    close(fd);
    struct keys *k = keys_new();
    if (root == NULL || parse(root, k) != 0) {
        json_decref(root);
        keys_destroy(k);
        err_set(e, ERR_INVALID, "keys.malformed");
        err_detail(e, "%s is not a dangjian key file", path);
        return -1;
    }
    json_decref(root);
    *out = k;
    return 0;
}

/* Writes k to a new "<path>.tmp<pid>" (0600) and fsyncs it; *tmp is the caller's. */
static int write_temp(const struct keys *k, const char *path, char **tmp, struct err *e)
{
    json_t *root = json_object(), *field = json_array(), *sign = json_array();
    for (size_t i = 0; i < k->nfield; i++)
        json_array_append_new(field, json_pack("{s:I, s:o}", "id", (json_int_t)k->field[i].id,
                                               "key", b64(k->field[i].key, FIELD_KEY_BYTES)));
    for (size_t i = 0; i < k->nsign; i++)
        json_array_append_new(sign, json_pack("{s:I, s:o, s:o}", "id", (json_int_t)k->sign[i].id,
                                              "pk", b64(k->sign[i].pk, KEYS_SIGN_PK_BYTES),
                                              "sk", b64(k->sign[i].sk, KEYS_SIGN_SK_BYTES)));
    json_object_set_new(root, "version", json_integer(1));
    json_object_set_new(root, "field", field);
    json_object_set_new(root, "field_current", json_integer(k->field_current));
    json_object_set_new(root, "blind", b64(k->blind, sizeof k->blind));
    if (k->nblind_old > 0) {
        json_t *old = json_array();
        for (size_t i = 0; i < k->nblind_old; i++)
            json_array_append_new(old, b64(k->blind_old[i], FIELD_KEY_BYTES));
        json_object_set_new(root, "blind_old", old);
    }
    json_object_set_new(root, "sign", sign);
    json_object_set_new(root, "sign_current", json_integer(k->sign_current));
    json_object_set_new(root, "backup", b64(k->backup, sizeof k->backup));
    char *text = json_dumps(root, JSON_INDENT(1));
    json_decref(root);

    size_t plen = strlen(path);
    *tmp = xmalloc(plen + 16);
    snprintf(*tmp, plen + 16, "%s.tmp%ld", path, (long)getpid());
    int rc = -1;
    int fd = open(*tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    size_t len = text != NULL ? strlen(text) : 0;
    if (fd < 0 || text == NULL || write(fd, text, len) != (ssize_t)len || fsync(fd) != 0) {
        err_set(e, ERR_INTERNAL, "keys.cannot_write");
        err_detail(e, "%s: %s", *tmp, strerror(errno));
    } else if (close(fd) != 0) {
        fd = -1;
        err_set(e, ERR_INTERNAL, "keys.cannot_write");
        err_detail(e, "%s: %s", *tmp, strerror(errno));
    } else {
        fd = -1;
        rc = 0;
    }
    if (fd >= 0)
        close(fd);
    if (rc != 0) {
        unlink(*tmp);
        free(*tmp);
        *tmp = NULL;
    }
    if (text != NULL) {
        sodium_memzero(text, len);
        free(text);
    }
    return rc;
}

/* Makes a rename or link in path's directory durable: without this a power cut after the
 * rename can bring back the old key file while the database already holds values sealed with
 * the new key. */
static int sync_dir(const char *path, struct err *e)
{
    const char *slash = strrchr(path, '/');
    char dir[1024];
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        err_set(e, ERR_INTERNAL, "keys.cannot_write");
        err_detail(e, "%s: %s", dir, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

int keys_save(const struct keys *k, const char *path, struct err *e)
{
    char *tmp = NULL;
    if (write_temp(k, path, &tmp, e) != 0)
        return -1;
    int rc = 0;
    if (rename(tmp, path) != 0) {
        err_set(e, ERR_INTERNAL, "keys.cannot_write");
        err_detail(e, "%s: %s", path, strerror(errno));
        unlink(tmp);
        rc = -1;
    }
    free(tmp);
    return rc == 0 ? sync_dir(path, e) : -1;
}

int keys_load_or_create(const char *path, struct keys **out, bool *created, struct err *e)
{
    *out = NULL;
    if (created != NULL)
        *created = false;
    if (access(path, F_OK) == 0)
        return keys_load(path, out, e);
    if (errno != ENOENT) {
        err_set(e, ERR_INVALID, "keys.cannot_open");
        err_detail(e, "%s: %s", path, strerror(errno));
        return -1;
    }
    /* link() never replaces: if another process created the file meanwhile, use theirs (keys
     * replaced under a running writer would make its values unreadable). */
    struct keys *k = generate();
    char *tmp = NULL;
    if (write_temp(k, path, &tmp, e) != 0) {
        keys_destroy(k);
        return -1;
    }
    int linked = link(tmp, path), link_errno = errno;
    unlink(tmp);
    free(tmp);
    if (linked != 0) {
        keys_destroy(k);
        if (link_errno == EEXIST)
            return keys_load(path, out, e);
        err_set(e, ERR_INTERNAL, "keys.cannot_write");
        err_detail(e, "%s: %s", path, strerror(link_errno));
        return -1;
    }
    if (sync_dir(path, e) != 0) {
        keys_destroy(k);
        return -1;
    }
    if (created != NULL)
        *created = true;
    *out = k;
    return 0;
}

struct field_keyring keys_field_ring(const struct keys *k)
{
    return (struct field_keyring){k->field, k->nfield, k->field_current};
}

const struct sign_key *keys_sign_find(const struct keys *k, uint32_t id)
{
    for (size_t i = 0; i < k->nsign; i++)
        if (k->sign[i].id == id)
            return &k->sign[i];
    return NULL;
}

const struct sign_key *keys_sign_current(const struct keys *k)
{
    return keys_sign_find(k, k->sign_current);
}

void keys_install(struct keys *k)
{
    keys_destroy(atomic_exchange(&g_keys, k));
    g_watching = false;
}

const struct keys *keys_get(void)
{
    return atomic_load_explicit(&g_keys, memory_order_acquire);
}

void keys_uninstall(void)
{
    keys_destroy(atomic_exchange(&g_keys, NULL));
    for (size_t i = 0; i < g_nretired; i++)
        keys_destroy(g_retired[i]);
    free(g_retired);
    g_retired = NULL;
    g_nretired = 0;
    g_watching = false;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

int keys_refresh(const char *path, struct err *e)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return err_set(e, ERR_INVALID, "keys.cannot_open");
    if (!g_watching) {              /* the first call only notes what was loaded at start-up */
        g_watched = st;
        g_watching = true;
        return 0;
    }
    if (same_file(&st, &g_watched))
        return 0;
    struct keys *k = NULL;
    if (keys_load(path, &k, e) != 0)
        return -1;
    const struct keys *old = keys_get();
    for (size_t i = 0; old != NULL && i < old->nfield; i++) {
        bool kept = false;
        for (size_t j = 0; j < k->nfield && !kept; j++)
            kept = k->field[j].id == old->field[i].id;
        if (!kept) {
            keys_destroy(k);        /* an older copy put back: values sealed since would die */
            return err_set(e, ERR_CONFLICT, "keys.lost_key");
        }
    }
    g_retired = xrealloc(g_retired, (g_nretired + 1) * sizeof *g_retired);
    g_retired[g_nretired++] = atomic_exchange_explicit(&g_keys, k, memory_order_acq_rel);
    g_watched = st;
    return 1;
}
