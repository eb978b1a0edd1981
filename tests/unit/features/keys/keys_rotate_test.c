/* keys_rotate_test.c: re-encryption under a new field key (src/features/keys/keys_rotate.c,
 * keys_status.c) over a few hundred demo members and some users, on an in-memory SQLite
 * database and, when DJ_TEST_PG is set, on PostgreSQL: every value moves to the new key and
 * keeps its plaintext, a half-done rotation finishes, values that do not open are named and
 * left alone, status and verify report what is there. */
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

#include "../../db/db_fixture.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "crypto/field.h"
#include "crypto/keys.h"
#include "crypto/pdata.h"
#include "db/db.h"
#include "db/migrate.h"
#include "features/demo/demo.h"
#include "features/keys/keys_rotate.h"

#define MEMBERS 300
#define USERS 3

struct t {
    struct fx *fx;                 /* PostgreSQL variant; NULL for in-memory SQLite */
    struct db *db;
    struct keys *k;
    char key_path[256];
    char **plain;                  /* [row * 3 + col] for members, then users */
};

static const char *const MEMBER_AD[] = {"members.id_number", "members.phone", "members.address"};

static void ok(int rc, const struct err *e)
{
    if (rc != 0)
        fail_msg("%s (%s)", e->message, e->detail);
}

static void add_users(struct t *t)
{
    static const char SQL[] =
        "INSERT INTO users (id, username, display_name, phone_enc, phone_bidx, password_hash, "
        "password_changed_at, mfa_secret_enc, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, 'x', 0, ?, 0, 0)";
    struct field_keyring ring = keys_field_ring(t->k);
    for (int i = 1; i <= USERS; i++) {
        struct err e = ERR_INIT;
        struct db_stmt *st = NULL;
        char name[16], phone[16], secret[40], *pe = NULL, *se = NULL;
        snprintf(name, sizeof name, "user%d", i);
        snprintf(phone, sizeof phone, "1390000000%d", i);
        snprintf(secret, sizeof secret, "JBSWY3DPEHPK3PXP%d", i);
        ok(field_encrypt(&ring, "users.phone", i, phone, &pe, &e), &e);
        ok(field_encrypt(&ring, "users.mfa_secret", i, secret, &se, &e), &e);
        ok(db_prepare(t->db, &st, SQL, &e), &e);
        db_bind_i64(st, 1, i);
        db_bind_text(st, 2, name);
        db_bind_text(st, 3, name);
        db_bind_text(st, 4, pe);
        db_bind_text(st, 5, name);                      /* any distinct text will do here */
        if (i == USERS)
            db_bind_null(st, 6);                        /* a user without MFA: NULL stays NULL */
        else
            db_bind_text(st, 6, se);
        assert_int_equal(db_step(st, &e), DB_DONE);
        db_finalize(st);
        free(pe);
        free(se);
    }
}

static int setup_common(struct t *t)
{
    struct err e = ERR_INIT;
    bool created;
    const char *tmp = getenv("TMPDIR");
    snprintf(t->key_path, sizeof t->key_path, "%s/dj_keys_test_%d_%p.keys",
             tmp != NULL && *tmp ? tmp : "/tmp", (int)getpid(), (void *)t);
    unlink(t->key_path);
    ok(migrate_up(t->db, NULL, &e), &e);
    ok(keys_load_or_create(t->key_path, &t->k, &created, &e), &e);
    struct demo_params p = {.members = MEMBERS, .seed = 7, .as_of = {2026, 11, 23}};
    struct demo_plan plan;
    struct demo_result res;
    ok(demo_plan_build(&plan, &p, &e), &e);
    ok(demo_store_write(t->db, &plan, t->k, 0, NULL, NULL, &res, &e), &e);
    demo_plan_fini(&plan);
    add_users(t);
    return 0;
}

static int setup_memory(void **state)
{
    struct t *t = xcalloc(1, sizeof *t);
    struct err e = ERR_INIT;
    *state = t;
    if (sodium_init() < 0)
        return -1;
    ok(db_open(&t->db, "sqlite::memory:", &e), &e);
    return setup_common(t);
}

static int setup_pg(void **state)
{
    struct t *t = xcalloc(1, sizeof *t);
    *state = t;
    if (sodium_init() < 0 || fx_setup_pg((void **)&t->fx) != 0)
        return -1;
    t->db = t->fx->db;
    return t->db != NULL ? setup_common(t) : 0;        /* no server: the test skips */
}

static int teardown(void **state)
{
    struct t *t = *state;
    if (t->plain != NULL)
        for (int i = 0; i < (MEMBERS + USERS) * 3; i++)
            free(t->plain[i]);
    free(t->plain);
    keys_destroy(t->k);
    unlink(t->key_path);
    if (t->fx != NULL)
        fx_teardown((void **)&t->fx);
    else
        db_close(t->db);
    free(t);
    return 0;
}

static struct t *get(void **state)
{
    struct t *t = *state;
    if (t->fx != NULL)
        (void)fx_get((void **)&t->fx);                  /* skips without PostgreSQL */
    return t;
}

/* ---- reading values back ---- */

static const char *const SELECT_MEMBER[] = {
    "SELECT id_number_enc FROM members WHERE id = ?",
    "SELECT phone_enc FROM members WHERE id = ?",
    "SELECT address_enc FROM members WHERE id = ?",
};
static const char *const UPDATE_MEMBER[] = {
    "UPDATE members SET id_number_enc = ? WHERE id = ?",
    "UPDATE members SET phone_enc = ? WHERE id = ?",
    "UPDATE members SET address_enc = ? WHERE id = ?",
};
static const char SELECT_USER_PHONE[] = "SELECT phone_enc FROM users WHERE id = ?";
static const char SELECT_USER_MFA[] = "SELECT mfa_secret_enc FROM users WHERE id = ?";

/* The stored text of one column of one row (caller frees; NULL for SQL NULL). */
static char *read_value(struct t *t, const char *sql, int64_t id)
{
    struct err e = ERR_INIT;
    struct db_stmt *st = NULL;
    ok(db_prepare(t->db, &st, sql, &e), &e);
    db_bind_i64(st, 1, id);
    assert_int_equal(db_step(st, &e), DB_ROW);
    char *v = db_col_is_null(st, 0) ? NULL : xstrdup(db_col_text(st, 0));
    db_finalize(st);
    return v;
}

static void write_value(struct t *t, const char *sql, int64_t id, const char *v)
{
    struct err e = ERR_INIT;
    struct db_stmt *st = NULL;
    ok(db_prepare(t->db, &st, sql, &e), &e);
    db_bind_text(st, 1, v);
    db_bind_i64(st, 2, id);
    assert_int_equal(db_step(st, &e), DB_DONE);
    db_finalize(st);
}

/* Seals member id's column c again with key key_id (the plaintext from the snapshot). */
static void reseal_member(struct t *t, int64_t id, int c, uint32_t key_id)
{
    struct err e = ERR_INIT;
    struct field_keyring ring = {t->k->field, t->k->nfield, key_id};
    char *sealed = NULL;
    ok(field_encrypt(&ring, MEMBER_AD[c], id, t->plain[(id - 1) * 3 + c], &sealed, &e), &e);
    write_value(t, UPDATE_MEMBER[c], id, sealed);
    free(sealed);
}

static char *open_value(const struct field_keyring *ring, const char *ad, int64_t id,
                        const char *stored)
{
    char *plain = NULL;
    struct err e = ERR_INIT;
    ok(field_decrypt(ring, ad, id, stored, &plain, &e), &e);
    return plain;
}

/* Remembers every plaintext (members 1..300, users 1..3). */
static void snapshot(struct t *t)
{
    struct field_keyring ring = keys_field_ring(t->k);
    t->plain = xcalloc((MEMBERS + USERS) * 3, sizeof *t->plain);
    for (int id = 1; id <= MEMBERS; id++)
        for (int c = 0; c < 3; c++) {
            char *v = read_value(t, SELECT_MEMBER[c], id);
            t->plain[(id - 1) * 3 + c] = open_value(&ring, MEMBER_AD[c], id, v);
            free(v);
        }
    for (int id = 1; id <= USERS; id++) {
        char *p = read_value(t, SELECT_USER_PHONE, id), *s = read_value(t, SELECT_USER_MFA, id);
        t->plain[(MEMBERS + id - 1) * 3] = open_value(&ring, "users.phone", id, p);
        t->plain[(MEMBERS + id - 1) * 3 + 1] =
            s != NULL ? open_value(&ring, "users.mfa_secret", id, s) : NULL;
        free(p);
        free(s);
    }
}

/* Every value is on key_id, opens with that key ALONE, and equals its snapshot. */
static void assert_all_on(struct t *t, uint32_t key_id)
{
    const struct field_key *only = NULL;
    for (size_t i = 0; i < t->k->nfield; i++)
        if (t->k->field[i].id == key_id)
            only = &t->k->field[i];
    assert_non_null(only);
    struct field_keyring ring = {only, 1, key_id};
    for (int id = 1; id <= MEMBERS; id++)
        for (int c = 0; c < 3; c++) {
            char *v = read_value(t, SELECT_MEMBER[c], id);
            assert_int_equal(field_key_id(v), key_id);
            char *p = open_value(&ring, MEMBER_AD[c], id, v);
            assert_string_equal(p, t->plain[(id - 1) * 3 + c]);
            free(p);
            free(v);
        }
    for (int id = 1; id <= USERS; id++) {
        char *v = read_value(t, SELECT_USER_PHONE, id);
        char *p = open_value(&ring, "users.phone", id, v);
        assert_string_equal(p, t->plain[(MEMBERS + id - 1) * 3]);
        free(p);
        free(v);
        v = read_value(t, SELECT_USER_MFA, id);
        assert_true((v == NULL) == (id == USERS));
        if (v != NULL) {
            p = open_value(&ring, "users.mfa_secret", id, v);
            assert_string_equal(p, t->plain[(MEMBERS + id - 1) * 3 + 1]);
            free(p);
        }
        free(v);
    }
}

static struct keys_rotate_run rotate(struct t *t, int batch)
{
    struct err e = ERR_INIT;
    struct keys_rotate_run r = {.batch = batch, .k = t->k, .total = 0};
    ok(keys_rotate_values(t->db, &r, &e), &e);
    return r;
}

static int64_t pending(struct t *t)
{
    struct err e = ERR_INIT;
    int64_t n = -1;
    ok(keys_rotate_pending(t->db, t->k->field_current, &n, &e), &e);
    return n;
}

static char *digest(struct t *t)
{
    struct err e = ERR_INIT;
    json_t *v = NULL;
    ok(keys_verify(t->db, t->k, &v, &e), &e);
    assert_int_equal(json_integer_value(json_object_get(v, "failed")), 0);
    assert_int_equal(json_integer_value(json_object_get(v, "values")), MEMBERS * 3 + USERS * 2 - 1);
    char *d = xstrdup(json_string_value(json_object_get(v, "digest")));
    json_decref(v);
    return d;
}

/* ---- tests ---- */

static void rotation_moves_every_value_to_the_new_key_with_the_same_plaintext(void **state)
{
    struct t *t = get(state);
    struct err e = ERR_INIT;
    snapshot(t);
    char *before = digest(t);
    assert_int_equal(pending(t), 0);
    ok(keys_add_field_key(t->k, &e), &e);
    assert_int_equal(t->k->field_current, 2);
    assert_int_equal(pending(t), MEMBERS + USERS);
    struct keys_rotate_run r = rotate(t, 64);
    assert_int_equal(r.done, MEMBERS + USERS);
    assert_int_equal(r.values, MEMBERS * 3 + USERS * 2 - 1);   /* one user has no MFA secret */
    assert_int_equal(r.failed, 0);
    assert_int_equal(r.raced, 0);
    assert_int_equal(pending(t), 0);
    assert_all_on(t, 2);
    char *after = digest(t);
    assert_string_equal(before, after);                         /* plaintexts unchanged */
    struct keys_rotate_run again = rotate(t, 64);               /* nothing left to do */
    assert_int_equal(again.done, 0);
    assert_int_equal(again.values, 0);
    free(before);
    free(after);
}

/* What a kill leaves behind: the rows of the committed batches on the new key, the rest on the
 * old one (a batch is one transaction, so no row is half done). */
static void an_interrupted_rotation_finishes_the_rows_still_on_old_keys(void **state)
{
    struct t *t = get(state);
    struct err e = ERR_INIT;
    snapshot(t);
    ok(keys_add_field_key(t->k, &e), &e);
    for (int id = 1; id <= 120; id++)              /* three committed batches of 40 */
        for (int c = 0; c < 3; c++)
            reseal_member(t, id, c, 2);
    assert_int_equal(pending(t), MEMBERS - 120 + USERS);
    struct keys_rotate_run r = rotate(t, 40);
    assert_int_equal(r.done, MEMBERS - 120 + USERS);             /* only what was left */
    assert_int_equal(r.values, (MEMBERS - 120) * 3 + USERS * 2 - 1);
    assert_int_equal(pending(t), 0);
    assert_all_on(t, 2);
}

/* Values on key 1 and on key 2 (a rotation to 2 that was never finished) all end on key 3. */
static void values_on_any_older_key_move_to_the_newest(void **state)
{
    struct t *t = get(state);
    struct err e = ERR_INIT;
    snapshot(t);
    ok(keys_add_field_key(t->k, &e), &e);
    for (int id = 1; id <= MEMBERS; id += 3)
        reseal_member(t, id, id % 3, 2);
    ok(keys_add_field_key(t->k, &e), &e);
    assert_int_equal(t->k->field_current, 3);
    struct keys_rotate_run r = rotate(t, 7);                    /* odd batch size */
    assert_int_equal(r.done, MEMBERS + USERS);
    assert_int_equal(r.failed, 0);
    assert_all_on(t, 3);
}

static void values_that_do_not_open_are_named_and_left_alone(void **state)
{
    struct t *t = get(state);
    struct err e = ERR_INIT;
    static const char SET_PHONE[] = "UPDATE members SET phone_enc = ? WHERE id = ?";
    static const char SET_ADDRESS[] = "UPDATE members SET address_enc = ? WHERE id = ?";
    char *addr = read_value(t, SELECT_MEMBER[2], 7);
    size_t n = strlen(addr);
    addr[n - 3] = addr[n - 3] == 'A' ? 'B' : 'A';               /* tampered */
    struct db_stmt *st = NULL;
    ok(db_prepare(t->db, &st, SET_PHONE, &e), &e);
    db_bind_text(st, 1, "v1:99:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    db_bind_i64(st, 2, 5);
    assert_int_equal(db_step(st, &e), DB_DONE);
    db_finalize(st);
    ok(db_prepare(t->db, &st, SET_ADDRESS, &e), &e);
    db_bind_text(st, 1, addr);
    db_bind_i64(st, 2, 7);
    assert_int_equal(db_step(st, &e), DB_DONE);
    db_finalize(st);
    free(addr);

    ok(keys_add_field_key(t->k, &e), &e);
    struct keys_rotate_run r = rotate(t, 50);
    assert_int_equal(r.failed, 2);
    assert_string_equal(r.failed_refs[0], "members.phone:5");
    assert_string_equal(r.failed_refs[1], "members.address:7");
    assert_int_equal(r.values, MEMBERS * 3 + USERS * 2 - 1 - 2);
    assert_int_equal(pending(t), 2);                            /* they keep rotate resuming */

    json_t *v = NULL;
    ok(keys_verify(t->db, t->k, &v, &e), &e);
    assert_int_equal(json_integer_value(json_object_get(v, "failed")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(v, "failed_refs"), 0)),
                        "members.phone:5");
    json_decref(v);
}

static void status_counts_values_per_key_and_column(void **state)
{
    struct t *t = get(state);
    struct err e = ERR_INIT;
    json_t *s = NULL;
    ok(keys_add_field_key(t->k, &e), &e);
    ok(keys_status(t->db, t->k, &s, &e), &e);
    assert_int_equal(json_integer_value(json_object_get(s, "current_key")), 2);
    assert_int_equal(json_array_size(json_object_get(s, "keys")), 2);
    json_t *cols = json_object_get(s, "columns");
    assert_int_equal(json_object_size(cols), 6);
    json_t *phone = json_object_get(cols, "members.phone");
    assert_int_equal(json_integer_value(json_object_get(phone, "total")), MEMBERS);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(phone, "by_key"), "1")),
                     MEMBERS);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(phone, "by_key"), "2")), 0);
    json_t *mfa = json_object_get(cols, "users.mfa_secret");
    assert_int_equal(json_integer_value(json_object_get(mfa, "total")), USERS - 1);
    assert_int_equal(json_integer_value(json_object_get(s, "values")), MEMBERS * 3 + USERS * 2 - 1);
    assert_int_equal(json_integer_value(json_object_get(s, "on_current")), 0);
    assert_int_equal(json_integer_value(json_object_get(s, "pending_rows")), MEMBERS + USERS);
    json_decref(s);
    (void)rotate(t, 2000);
    ok(keys_status(t->db, t->k, &s, &e), &e);
    assert_int_equal(json_integer_value(json_object_get(s, "on_current")),
                     MEMBERS * 3 + USERS * 2 - 1);
    assert_int_equal(json_integer_value(json_object_get(s, "pending_rows")), 0);
    phone = json_object_get(json_object_get(s, "columns"), "members.phone");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(phone, "by_key"), "2")),
                     MEMBERS);
    assert_int_equal(json_integer_value(json_object_get(phone, "unknown")), 0);
    json_decref(s);
}

/* The blind index of a stored value, read back: NULL for SQL NULL (caller frees). */
static char *index_of(struct t *t, const char *sql, int64_t id)
{
    return read_value(t, sql, id);
}

static void expect_index(struct t *t, const char *sql, int64_t id, const char *column,
                         const char *plain)
{
    char norm[PDATA_NORM_MAX], want[FIELD_BLIND_HEX];
    assert_int_equal(strcmp(column, "phone") == 0 ? pdata_normalise_phone(plain, norm)
                                                  : pdata_normalise_id_number(plain, norm), 0);
    pdata_blind(t->k, column, norm, want);
    char *got = index_of(t, sql, id);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

/* A rotation with a new blind key makes every ID-number and phone index again under it, in
 * the same row update: none is left on the old blind key, and a search by the new index finds
 * each value. */
static void blind_indexes_follow_their_values_onto_the_new_blind_key(void **state)
{
    struct t *t = get(state);
    struct err e = ERR_INIT;
    snapshot(t);
    char *old_idx = index_of(t, "SELECT id_number_bidx FROM members WHERE id = ?", 1);
    ok(keys_add_field_key(t->k, &e), &e);
    ok(keys_add_blind_key(t->k, false, &e), &e);
    assert_int_equal(t->k->nblind_old, 1);
    struct keys_rotate_run r = rotate(t, 64);
    assert_int_equal(r.failed, 0);
    for (int id = 1; id <= MEMBERS; id++) {
        expect_index(t, "SELECT id_number_bidx FROM members WHERE id = ?", id, "id_number",
                     t->plain[(id - 1) * 3]);
        expect_index(t, "SELECT phone_bidx FROM members WHERE id = ?", id, "phone",
                     t->plain[(id - 1) * 3 + 1]);
    }
    for (int id = 1; id <= USERS; id++)        /* they held a placeholder: now the real one */
        expect_index(t, "SELECT phone_bidx FROM users WHERE id = ?", id, "phone",
                     t->plain[(MEMBERS + id - 1) * 3]);
    char *new_idx = index_of(t, "SELECT id_number_bidx FROM members WHERE id = ?", 1);
    assert_string_not_equal(old_idx, new_idx);
    /* what a search binds: the new index first, the old one after (until the next rotation) */
    char norm[PDATA_NORM_MAX], all[PDATA_BLIND_ALL][FIELD_BLIND_HEX];
    assert_int_equal(pdata_normalise_id_number(t->plain[0], norm), 0);
    assert_int_equal(pdata_blind_all(t->k, "id_number", norm, all), 2);
    assert_string_equal(all[0], new_idx);
    assert_string_equal(all[1], old_idx);
    assert_string_equal(all[2], new_idx);
    free(old_idx);
    free(new_idx);
}

/* ID-05's sealed 15-digit original is one of the encrypted columns: it moves too. */
static void the_original_id_number_is_rotated_too(void **state)
{
    struct t *t = get(state);
    struct err e = ERR_INIT;
    static const char SET[] = "UPDATE members SET id_number_orig_enc = ? WHERE id = ?";
    static const char GET[] = "SELECT id_number_orig_enc FROM members WHERE id = ?";
    struct field_keyring ring = keys_field_ring(t->k);
    char *sealed = NULL;
    ok(field_encrypt(&ring, "members.id_number_orig", 9, "110105850101002", &sealed, &e), &e);
    write_value(t, SET, 9, sealed);
    free(sealed);
    ok(keys_add_field_key(t->k, &e), &e);
    struct keys_rotate_run r = rotate(t, 64);
    assert_int_equal(r.failed, 0);
    assert_int_equal(r.values, MEMBERS * 3 + USERS * 2 - 1 + 1);
    char *v = read_value(t, GET, 9);
    assert_int_equal(field_key_id(v), 2);
    ring = keys_field_ring(t->k);
    char *p = open_value(&ring, "members.id_number_orig", 9, v);
    assert_string_equal(p, "110105850101002");
    free(p);
    free(v);
}

static void a_batch_size_out_of_range_is_refused(void **state)
{
    struct t *t = get(state);
    struct err e = ERR_INIT;
    struct keys_rotate_run r = {.batch = 0, .k = t->k};
    assert_int_equal(keys_rotate_values(t->db, &r, &e), -1);
    assert_string_equal(e.message, "keys.batch_range");
    r.batch = KEYS_ROTATE_MAX_BATCH + 1;
    assert_int_equal(keys_rotate_values(t->db, &r, &e), -1);
}

#define BOTH(fn) {"sqlite (memory): " #fn, fn, setup_memory, teardown, NULL}, \
                 {"postgresql: " #fn, fn, setup_pg, teardown, NULL}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(rotation_moves_every_value_to_the_new_key_with_the_same_plaintext),
        BOTH(an_interrupted_rotation_finishes_the_rows_still_on_old_keys),
        BOTH(values_on_any_older_key_move_to_the_newest),
        BOTH(values_that_do_not_open_are_named_and_left_alone),
        BOTH(status_counts_values_per_key_and_column),
        BOTH(blind_indexes_follow_their_values_onto_the_new_blind_key),
        BOTH(the_original_id_number_is_rotated_too),
        BOTH(a_batch_size_out_of_range_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
