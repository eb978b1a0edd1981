/* audit_chain_test.c: any altered, removed or reordered audit entry is found, and signed
 * checkpoints cannot be forged or moved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/audit_chain.h"

#define N 100
static struct audit_entry log_[N];
static char objects[N][24];

static void build(void)
{
    for (int i = 0; i < N; i++) {
        snprintf(objects[i], sizeof objects[i], "org:%d", i + 1);
        log_[i] = (struct audit_entry){.at = 1795449600 + i, .actor = "user:7",
                                       .action = i % 2 ? "org.update" : "org.create",
                                       .object = objects[i], .ip = i % 3 ? "127.0.0.1" : NULL,
                                       .changes = "{\"name\":[\"旧\",\"新\"]}"};
        audit_chain_append(&log_[i], i > 0 ? &log_[i - 1] : NULL);
    }
}

static int64_t first_bad(const struct audit_entry *e, size_t n)
{
    int64_t bad = 0;
    return audit_chain_verify(e, n, NULL, &bad) == 0 ? 0 : bad;
}

static void an_untouched_chain_verifies(void **state)
{
    (void)state;
    build();
    assert_int_equal(log_[0].seq, 1);
    assert_int_equal(log_[N - 1].seq, N);
    assert_int_equal(first_bad(log_, N), 0);
}

static void an_altered_field_is_found_at_its_entry(void **state)
{
    (void)state;
    build();
    log_[41].actor = "user:8";
    assert_int_equal(first_bad(log_, N), 42);
    build();
    log_[10].changes = NULL;                  /* NULL and "" encode differently */
    assert_int_equal(first_bad(log_, N), 11);
    build();
    log_[5].at += 1;
    assert_int_equal(first_bad(log_, N), 6);
}

static void a_recomputed_entry_still_breaks_its_successor(void **state)
{
    (void)state;
    build();
    log_[20].action = "org.dissolve";
    audit_chain_seal(&log_[20]);              /* the attacker fixes that entry's own hash */
    assert_int_equal(first_bad(log_, N), 22);
}

static void a_removed_or_swapped_entry_is_found(void **state)
{
    (void)state;
    build();
    struct audit_entry cut[N - 1];
    memcpy(cut, log_, 30 * sizeof *log_);
    memcpy(cut + 30, log_ + 31, (N - 31) * sizeof *log_);
    assert_int_equal(first_bad(cut, N - 1), 32);
    build();
    struct audit_entry t = log_[50];
    log_[50] = log_[51];
    log_[51] = t;
    assert_int_equal(first_bad(log_, N), 52);
}

static void fields_cannot_be_shifted_into_each_other(void **state)
{
    (void)state;
    struct audit_entry a = {.actor = "ab", .action = "c"}, b = {.actor = "a", .action = "bc"};
    audit_chain_append(&a, NULL);
    audit_chain_append(&b, NULL);
    assert_memory_not_equal(a.hash, b.hash, AUDIT_HASH_BYTES);
}

static void checkpoints_verify_only_with_their_key_and_content(void **state)
{
    (void)state;
    build();
    unsigned char pk[AUDIT_PK_BYTES], sk[AUDIT_SK_BYTES], pk2[AUDIT_PK_BYTES], sk2[AUDIT_SK_BYTES];
    crypto_sign_keypair(pk, sk);
    crypto_sign_keypair(pk2, sk2);
    struct audit_checkpoint cp = {.seq = N};
    memcpy(cp.hash, log_[N - 1].hash, AUDIT_HASH_BYTES);
    audit_checkpoint_sign(&cp, sk);
    assert_true(audit_checkpoint_verify(&cp, pk));
    assert_false(audit_checkpoint_verify(&cp, pk2));
    struct audit_checkpoint moved = cp;
    moved.seq = N - 1;
    assert_false(audit_checkpoint_verify(&moved, pk));
    struct audit_checkpoint other = cp;
    other.hash[0] ^= 1;
    assert_false(audit_checkpoint_verify(&other, pk));
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_untouched_chain_verifies),
        cmocka_unit_test(an_altered_field_is_found_at_its_entry),
        cmocka_unit_test(a_recomputed_entry_still_breaks_its_successor),
        cmocka_unit_test(a_removed_or_swapped_entry_is_found),
        cmocka_unit_test(fields_cannot_be_shifted_into_each_other),
        cmocka_unit_test(checkpoints_verify_only_with_their_key_and_content),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
