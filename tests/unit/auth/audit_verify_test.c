/* audit_verify_test.c: `audit verify` on real SQLite and PostgreSQL logs written by
 * audit_append(): an intact log passes, and every way an attacker with write access to the
 * database could change it (after dropping the append-only triggers, as one would) is found
 * at the right entry with the right reason. */
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

#include "../db/db_fixture.h"
#include "auth/audit.h"
#include "auth/audit_chain.h"
#include "auth/audit_verify.h"
#include "core/err.h"
#include "crypto/keys.h"
#include "db/db.h"
#include "db/migrate.h"

#define ENTRIES 1200      /* checkpoints at 1 and 1001 (all appended within an hour) */

static char keys_path[256];

/* A key file of our own, installed for audit_append (process-wide, like `serve`). */
static int group_setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(keys_path, sizeof keys_path, "%s/dj_audit_keys_%ld", tmp && *tmp ? tmp : "/tmp",
             (long)getpid());
    struct keys *k = NULL;
    struct err e = ERR_INIT;
    bool created = false;
    if (sodium_init() < 0 || keys_load_or_create(keys_path, &k, &created, &e) != 0)
        return -1;
    keys_install(k);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    keys_uninstall();
    unlink(keys_path);
    return 0;
}

/* Migrates and appends n entries in one transaction. */
static struct fx *fill(void **state, int n)
{
    struct fx *f = fx_get(state);
    struct err e = ERR_INIT;
    assert_int_equal(migrate_up(f->db, NULL, &e), 0);
    assert_int_equal(db_begin(f->db, &e), 0);
    struct audit_who who = {"user:7", "审计测试", "127.0.0.1"};
    for (int i = 1; i <= n; i++) {
        char object[32];
        snprintf(object, sizeof object, "member:%d", i);
        json_t *changes = json_pack("{s:{s:s, s:s}}", "phone", "from", "138****0001", "to",
                                    "139****0002");
        if (audit_append(f->db, &who, i % 2 ? "member.update" : "org.create", object, 0,
                         changes, &e) != 0)
            fail_msg("append %d: %s %s", i, e.message, e.detail);
        json_decref(changes);
    }
    assert_int_equal(db_commit(f->db, &e), 0);
    return f;
}

static struct audit_verify_result verify(struct fx *f)
{
    struct audit_verify_result r;
    struct err e = ERR_INIT;
    if (audit_verify(f->db, keys_get(), NULL, NULL, &r, &e) != 0)
        fail_msg("verify: %s %s", e.message, e.detail);
    return r;
}

/* What an attacker does first: the append-only triggers go. */
static void drop_triggers(struct fx *f)
{
    if (f->pg)
        fx_exec(f->db, "DROP TRIGGER audit_log_no_change ON audit_log");
    else
        fx_exec(f->db, "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete");
}

static void expect_broken(struct fx *f, enum audit_problem p, int64_t first_bad, const char *reason)
{
    struct audit_verify_result r = verify(f);
    assert_false(r.ok);
    if (r.problem != p)
        fail_msg("problem %s, expected %s (%s)", audit_problem_name(r.problem),
                 audit_problem_name(p), r.reason);
    assert_int_equal(r.first_bad_seq, first_bad);
    assert_string_equal(r.reason, reason);
}

static void an_intact_log_verifies_with_its_checkpoints(void **state)
{
    struct fx *f = fill(state, ENTRIES);
    struct audit_verify_result r = verify(f);
    assert_true(r.ok);
    assert_int_equal(r.entries, ENTRIES);
    assert_int_equal(r.checkpoints, 2);
    assert_int_equal(r.signed_through, 1001);
    assert_int_equal(r.first_bad_seq, 0);
    json_t *j = audit_verify_result_json(&r);
    assert_true(json_is_true(json_object_get(j, "ok")));
    assert_true(json_is_null(json_object_get(j, "first_bad_seq")));
    json_decref(j);
}

static void an_empty_log_verifies(void **state)
{
    struct fx *f = fill(state, 0);
    struct audit_verify_result r = verify(f);
    assert_true(r.ok);
    assert_int_equal(r.entries, 0);
}

static void an_altered_field_is_found_at_its_entry(void **state)
{
    struct fx *f = fill(state, ENTRIES);
    drop_triggers(f);
    fx_exec(f->db, "UPDATE audit_log SET actor = 'user:8' WHERE seq = 1134");
    expect_broken(f, AUDIT_ENTRY_ALTERED, 1134, "entry 1134 altered");
}

static void a_deleted_middle_entry_is_missing(void **state)
{
    struct fx *f = fill(state, ENTRIES);
    drop_triggers(f);
    fx_exec(f->db, "DELETE FROM audit_log WHERE seq = 57");
    expect_broken(f, AUDIT_ENTRY_MISSING, 57, "entry 57 missing");
}

static void a_deleted_entry_with_the_rest_renumbered_breaks_the_links(void **state)
{
    struct fx *f = fill(state, 100);
    drop_triggers(f);
    fx_exec(f->db, "DELETE FROM audit_log WHERE seq = 57");
    fx_exec(f->db, "UPDATE audit_log SET seq = -seq WHERE seq > 57");
    fx_exec(f->db, "UPDATE audit_log SET seq = -seq - 1 WHERE seq < 0");
    expect_broken(f, AUDIT_ENTRY_UNLINKED, 57,
                  "entry 57 does not follow entry 56 (entries removed or reordered)");
}

static void two_swapped_entries_are_found(void **state)
{
    struct fx *f = fill(state, 100);
    drop_triggers(f);
    fx_exec(f->db, "UPDATE audit_log SET seq = -10 WHERE seq = 10");
    fx_exec(f->db, "UPDATE audit_log SET seq = 10 WHERE seq = 11");
    fx_exec(f->db, "UPDATE audit_log SET seq = 11 WHERE seq = -10");
    expect_broken(f, AUDIT_ENTRY_UNLINKED, 10,
                  "entry 10 does not follow entry 9 (entries removed or reordered)");
}

static void a_hash_that_is_not_64_hex_digits_is_malformed(void **state)
{
    struct fx *f = fill(state, 20);
    drop_triggers(f);
    fx_exec(f->db, "UPDATE audit_log SET hash = substr(hash, 1, 63) || 'g' WHERE seq = 5");
    expect_broken(f, AUDIT_ENTRY_MALFORMED, 5, "entry 5 malformed");
    fx_exec(f->db, "UPDATE audit_log SET hash = substr(hash, 1, 63) WHERE seq = 5");
    expect_broken(f, AUDIT_ENTRY_MALFORMED, 5, "entry 5 malformed");
}

static void a_tail_removed_below_a_checkpoint_is_truncation(void **state)
{
    struct fx *f = fill(state, ENTRIES);
    drop_triggers(f);
    fx_exec(f->db, "DELETE FROM audit_log WHERE seq >= 1001");
    expect_broken(f, AUDIT_TRUNCATED, 1001, "log truncated after 1000: checkpoint 1001 exists");
}

static void a_tail_removed_with_its_checkpoints_still_leaves_the_head(void **state)
{
    struct fx *f = fill(state, ENTRIES);
    drop_triggers(f);
    fx_exec(f->db, "DELETE FROM audit_log WHERE seq > 1100");
    expect_broken(f, AUDIT_HEAD_TRUNCATED, 1101,
                  "log truncated after 1100: the head records entry 1200");
}

/* Re-hashes every entry from `from` on, as an attacker without the signing key would after
 * editing one, and moves the head along. */
static void rehash_from(struct fx *f, int64_t from)
{
    struct err e = ERR_INIT;
    struct db_stmt *sel = NULL, *upd = NULL;
    assert_int_equal(db_prepare(f->db, &sel,
                                "SELECT seq, at, actor, action, object, ip, changes FROM "
                                "audit_log WHERE seq >= ? ORDER BY seq", &e), 0);
    assert_int_equal(db_prepare(f->db, &upd,
                                "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", &e),
                     0);
    struct db_stmt *prev = NULL;
    assert_int_equal(db_prepare(f->db, &prev, "SELECT hash FROM audit_log WHERE seq = ?", &e), 0);
    db_bind_i64(prev, 1, from - 1);
    assert_int_equal(db_step(prev, &e), DB_ROW);
    struct audit_entry last = {.seq = from - 1};
    size_t n = 0;
    assert_int_equal(sodium_hex2bin(last.hash, sizeof last.hash, db_col_text(prev, 0), 64, NULL,
                                    &n, NULL), 0);
    db_finalize(prev);
    db_bind_i64(sel, 1, from);
    char ph[65], hh[65];
    while (db_step(sel, &e) == DB_ROW) {
        struct audit_entry ent = {.at = db_col_i64(sel, 1), .actor = db_col_text(sel, 2),
                                  .action = db_col_text(sel, 3), .object = db_col_text(sel, 4),
                                  .ip = db_col_text(sel, 5), .changes = db_col_text(sel, 6)};
        audit_chain_append(&ent, &last);
        assert_int_equal(ent.seq, db_col_i64(sel, 0));
        sodium_bin2hex(ph, sizeof ph, ent.prev, 32);
        sodium_bin2hex(hh, sizeof hh, ent.hash, 32);
        db_reset(upd);
        db_bind_text(upd, 1, ph);
        db_bind_text(upd, 2, hh);
        db_bind_i64(upd, 3, ent.seq);
        assert_int_equal(db_step(upd, &e), DB_DONE);
        last.seq = ent.seq;
        memcpy(last.hash, ent.hash, 32);
    }
    db_finalize(sel);
    db_finalize(upd);
    assert_int_equal(db_prepare(f->db, &upd, "UPDATE audit_head SET hash = ? WHERE id = 1", &e), 0);
    db_bind_text(upd, 1, hh);
    assert_int_equal(db_step(upd, &e), DB_DONE);
    db_finalize(upd);
}

static void a_rewritten_and_rehashed_stretch_fails_at_the_next_checkpoint(void **state)
{
    struct fx *f = fill(state, ENTRIES);
    drop_triggers(f);
    fx_exec(f->db, "UPDATE audit_log SET action = 'org.read' WHERE seq = 500");
    rehash_from(f, 500);
    expect_broken(f, AUDIT_CHECKPOINT_MISMATCH, 2,
                  "checkpoint 1001 does not match entry 1001: entries 2..1001 rewritten");
}

static void a_rehashed_stretch_with_a_forged_checkpoint_fails_its_signature(void **state)
{
    struct fx *f = fill(state, ENTRIES);
    drop_triggers(f);
    fx_exec(f->db, "UPDATE audit_log SET action = 'org.read' WHERE seq = 500");
    rehash_from(f, 500);
    fx_exec(f->db, "UPDATE audit_checkpoints SET hash = (SELECT hash FROM audit_log WHERE seq = "
                   "1001) WHERE seq = 1001");
    expect_broken(f, AUDIT_CHECKPOINT_BAD_SIGNATURE, 1001, "checkpoint 1001 signature invalid");
}

static void a_deleted_checkpoint_is_missed_where_the_schedule_needs_it(void **state)
{
    struct fx *f = fill(state, ENTRIES);
    fx_exec(f->db, "DELETE FROM audit_checkpoints WHERE seq = 1001");
    expect_broken(f, AUDIT_CHECKPOINT_MISSING, 1001,
                  "entry 1001 has no signed checkpoint (one is due every 1,000 entries or hour; "
                  "deleted?)");
}

static void a_checkpoint_with_an_unknown_key_id_fails(void **state)
{
    struct fx *f = fill(state, ENTRIES);
    fx_exec(f->db, "UPDATE audit_checkpoints SET key_id = 77 WHERE seq = 1001");
    expect_broken(f, AUDIT_CHECKPOINT_UNKNOWN_KEY, 1001,
                  "checkpoint 1001 signed with unknown key 77");
}

static void a_head_that_does_not_match_the_last_entry_fails(void **state)
{
    struct fx *f = fill(state, 10);
    fx_exec(f->db, "UPDATE audit_head SET hash = '00000000000000000000000000000000000000000000"
                   "00000000000000000000' WHERE id = 1");
    expect_broken(f, AUDIT_HEAD_MISMATCH, 10, "the head does not match entry 10");
    fx_exec(f->db, "UPDATE audit_head SET seq = 8 WHERE id = 1");
    expect_broken(f, AUDIT_HEAD_BEHIND, 9,
                  "entry 9 is not recorded in the head (the head stops at 8)");
}

static void an_entry_without_a_client_address_verifies(void **state)
{
    struct fx *f = fill(state, 3);
    struct err e = ERR_INIT;
    struct audit_who who = {"anonymous", NULL, ""};    /* auth_client_ip() when unknown */
    assert_int_equal(audit_append(f->db, &who, "audit.export", NULL, 0, NULL, &e), 0);
    struct audit_verify_result r = verify(f);
    if (!r.ok)
        fail_msg("%s", r.reason);
    assert_int_equal(r.entries, 4);
}

static int count_progress(void *ctx, int64_t done, int64_t total, struct err *e)
{
    (void)e;
    int64_t *last = ctx;
    assert_true(done <= total);
    *last = done;
    return 0;
}

static void progress_reaches_the_last_entry(void **state)
{
    struct fx *f = fill(state, 50);
    struct audit_verify_result r;
    struct err e = ERR_INIT;
    int64_t last = -1;
    assert_int_equal(audit_verify(f->db, keys_get(), count_progress, &last, &r, &e), 0);
    assert_true(r.ok);
    assert_int_equal(last, 50);
}

static void messages_name_the_entry_in_both_languages(void **state)
{
    (void)state;
    struct audit_verify_result r = {.problem = AUDIT_TRUNCATED, .first_bad_seq = 5000,
                                    .arg = 5000};
    char msg[256];
    audit_verify_message(&r, "en", msg, sizeof msg);
    assert_string_equal(msg, "log truncated after 4999: checkpoint 5000 exists");
    audit_verify_message(&r, "zh-CN", msg, sizeof msg);
    assert_string_equal(msg, "日志在第 4999 条之后被截断：检查点 5000 仍然存在");
    audit_verify_message(&r, "en", msg, 12);
    assert_string_equal(msg, "log truncat");
}

static void the_schedule_signs_the_first_entry_then_every_1000_or_hour(void **state)
{
    (void)state;
    assert_true(audit_checkpoint_due(1, 1795449600, 0, 0));
    assert_false(audit_checkpoint_due(1000, 1795449600, 1, 1795449600));
    assert_true(audit_checkpoint_due(1001, 1795449600, 1, 1795449600));
    assert_false(audit_checkpoint_due(2, 1795449600 + 3599, 1, 1795449600));
    assert_true(audit_checkpoint_due(2, 1795449600 + 3600, 1, 1795449600));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(messages_name_the_entry_in_both_languages),
        cmocka_unit_test(the_schedule_signs_the_first_entry_then_every_1000_or_hour),
        FX_BOTH(an_intact_log_verifies_with_its_checkpoints),
        FX_BOTH(an_empty_log_verifies),
        FX_BOTH(an_altered_field_is_found_at_its_entry),
        FX_BOTH(a_deleted_middle_entry_is_missing),
        FX_BOTH(a_deleted_entry_with_the_rest_renumbered_breaks_the_links),
        FX_BOTH(two_swapped_entries_are_found),
        FX_BOTH(a_hash_that_is_not_64_hex_digits_is_malformed),
        FX_BOTH(a_tail_removed_below_a_checkpoint_is_truncation),
        FX_BOTH(a_tail_removed_with_its_checkpoints_still_leaves_the_head),
        FX_BOTH(a_rewritten_and_rehashed_stretch_fails_at_the_next_checkpoint),
        FX_BOTH(a_rehashed_stretch_with_a_forged_checkpoint_fails_its_signature),
        FX_BOTH(a_deleted_checkpoint_is_missed_where_the_schedule_needs_it),
        FX_BOTH(a_checkpoint_with_an_unknown_key_id_fails),
        FX_BOTH(a_head_that_does_not_match_the_last_entry_fails),
        FX_BOTH(progress_reaches_the_last_entry),
        FX_BOTH(an_entry_without_a_client_address_verifies),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
