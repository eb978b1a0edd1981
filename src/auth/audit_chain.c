/* audit_chain.c: hash chaining and signed checkpoints (see audit_chain.h). */
#include "auth/audit_chain.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static void put(crypto_generichash_state *st, const char *s)
{
    char len[24];
    if (s == NULL) {
        crypto_generichash_update(st, (const unsigned char *)"-\n", 2);
        return;
    }
    size_t n = strlen(s);
    int k = snprintf(len, sizeof len, "%zu:", n);
    crypto_generichash_update(st, (const unsigned char *)len, (unsigned long long)k);
    crypto_generichash_update(st, (const unsigned char *)s, n);
    crypto_generichash_update(st, (const unsigned char *)"\n", 1);
}

static void put_i64(crypto_generichash_state *st, int64_t v)
{
    char num[24];
    snprintf(num, sizeof num, "%" PRId64, v);
    put(st, num);
}

static void compute(const struct audit_entry *e, unsigned char out[AUDIT_HASH_BYTES])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, AUDIT_HASH_BYTES);
    put(&st, "dj-audit-v1");
    put_i64(&st, e->seq);
    put_i64(&st, e->at);
    put(&st, e->actor);
    put(&st, e->action);
    put(&st, e->object);
    put(&st, e->ip);
    put(&st, e->changes);
    crypto_generichash_update(&st, e->prev, AUDIT_HASH_BYTES);
    crypto_generichash_final(&st, out, AUDIT_HASH_BYTES);
}

void audit_chain_seal(struct audit_entry *e)
{
    compute(e, e->hash);
}

void audit_chain_append(struct audit_entry *e, const struct audit_entry *prev)
{
    e->seq = prev != NULL ? prev->seq + 1 : 1;
    if (prev != NULL)
        memcpy(e->prev, prev->hash, AUDIT_HASH_BYTES);
    else
        memset(e->prev, 0, AUDIT_HASH_BYTES);
    audit_chain_seal(e);
}

int audit_chain_verify(const struct audit_entry *entries, size_t n,
                       const unsigned char before[AUDIT_HASH_BYTES], int64_t *first_bad)
{
    static const unsigned char zeros[AUDIT_HASH_BYTES];
    const unsigned char *expect_prev = before != NULL ? before : zeros;
    for (size_t i = 0; i < n; i++) {
        const struct audit_entry *e = &entries[i];
        unsigned char h[AUDIT_HASH_BYTES];
        bool gap = i > 0 && e->seq != entries[i - 1].seq + 1;
        compute(e, h);
        if (gap || sodium_memcmp(e->prev, expect_prev, AUDIT_HASH_BYTES) != 0 ||
            sodium_memcmp(h, e->hash, AUDIT_HASH_BYTES) != 0) {
            *first_bad = e->seq;
            return -1;
        }
        expect_prev = e->hash;
    }
    return 0;
}

static size_t checkpoint_message(const struct audit_checkpoint *cp, char *msg, size_t cap)
{
    char hex[AUDIT_HASH_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, cp->hash, AUDIT_HASH_BYTES);
    int n = snprintf(msg, cap, "dj-audit-checkpoint-v1:%" PRId64 ":%s", cp->seq, hex);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

void audit_checkpoint_sign(struct audit_checkpoint *cp, const unsigned char sk[AUDIT_SK_BYTES])
{
    char msg[128];
    size_t n = checkpoint_message(cp, msg, sizeof msg);
    crypto_sign_detached(cp->sig, NULL, (const unsigned char *)msg, n, sk);
}

bool audit_checkpoint_verify(const struct audit_checkpoint *cp,
                             const unsigned char pk[AUDIT_PK_BYTES])
{
    char msg[128];
    size_t n = checkpoint_message(cp, msg, sizeof msg);
    return n > 0 && crypto_sign_verify_detached(cp->sig, (const unsigned char *)msg, n, pk) == 0;
}

bool audit_checkpoint_due(int64_t seq, int64_t at, int64_t cp_seq, int64_t cp_at)
{
    return seq - cp_seq >= AUDIT_CHECKPOINT_EVERY || at - cp_at >= AUDIT_CHECKPOINT_SECONDS;
}
