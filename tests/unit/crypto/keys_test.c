/* keys_test.c: the key file (src/crypto/keys.c): created 0600, reloaded identically, a rotation
 * key added and saved keeps the older keys, a readable-by-others file is refused, and processes
 * racing to create the file all end up with the same keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "crypto/keys.h"

static char path[256];

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/dj_keys_file_test_%d.keys", tmp != NULL && *tmp ? tmp : "/tmp",
             (int)getpid());
    unlink(path);
    return sodium_init() < 0 ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static void a_new_key_file_is_private_and_reloads_the_same(void **state)
{
    (void)state;
    struct keys *a = NULL, *b = NULL;
    struct err e = ERR_INIT;
    bool created = false;
    assert_int_equal(keys_load_or_create(path, &a, &created, &e), 0);
    assert_true(created);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(keys_load_or_create(path, &b, &created, &e), 0);
    assert_false(created);
    assert_int_equal(b->field_current, a->field_current);
    assert_memory_equal(b->field[0].key, a->field[0].key, FIELD_KEY_BYTES);
    assert_memory_equal(b->blind, a->blind, sizeof a->blind);
    keys_destroy(a);
    keys_destroy(b);
}

static void an_added_field_key_becomes_current_and_older_keys_stay(void **state)
{
    (void)state;
    struct keys *a = NULL, *b = NULL;
    struct err e = ERR_INIT;
    assert_int_equal(keys_load_or_create(path, &a, NULL, &e), 0);
    unsigned char first[FIELD_KEY_BYTES];
    memcpy(first, a->field[0].key, sizeof first);
    assert_int_equal(keys_add_field_key(a, &e), 0);
    assert_int_equal(keys_save(a, path, &e), 0);
    assert_int_equal(keys_load(path, &b, &e), 0);
    assert_int_equal(b->nfield, 2);
    assert_int_equal(b->field_current, 2);
    assert_memory_equal(b->field[0].key, first, sizeof first);
    assert_memory_not_equal(b->field[1].key, first, sizeof first);
    keys_destroy(a);
    keys_destroy(b);
}

/* A new blind key becomes current; the old current one is kept first among the older ones
 * (searched until no index can be on it), across save and load; at most KEYS_BLIND_OLD. */
static void an_added_blind_key_becomes_current_and_the_old_one_is_kept(void **state)
{
    (void)state;
    struct keys *a = NULL, *b = NULL;
    struct err e = ERR_INIT;
    assert_int_equal(keys_load_or_create(path, &a, NULL, &e), 0);
    assert_int_equal(a->nblind_old, 0);            /* a file without "blind_old" loads */
    unsigned char first[FIELD_KEY_BYTES], digest1[FIELD_KEY_BYTES], digest2[FIELD_KEY_BYTES];
    memcpy(first, a->blind, sizeof first);
    keys_digest_key(a, digest1);
    assert_int_equal(keys_add_blind_key(a, false, &e), 0);
    assert_int_equal(keys_save(a, path, &e), 0);
    assert_int_equal(keys_load(path, &b, &e), 0);
    assert_int_equal(b->nblind_old, 1);
    assert_memory_equal(b->blind_old[0], first, sizeof first);
    assert_memory_not_equal(b->blind, first, sizeof first);
    keys_digest_key(b, digest2);
    assert_memory_equal(digest1, digest2, sizeof digest1);   /* the verify digest's key stays */
    for (int i = 1; i < KEYS_BLIND_OLD; i++)
        assert_int_equal(keys_add_blind_key(b, false, &e), 0);
    assert_int_equal(keys_add_blind_key(b, false, &e), -1);
    assert_string_equal(e.message, "keys.too_many");
    assert_int_equal(keys_add_blind_key(b, true, &e), 0);   /* forgetting the older ones */
    assert_int_equal(b->nblind_old, 1);
    keys_destroy(a);
    keys_destroy(b);
}

static void a_key_file_readable_by_others_is_refused(void **state)
{
    (void)state;
    struct keys *a = NULL;
    struct err e = ERR_INIT;
    assert_int_equal(keys_load_or_create(path, &a, NULL, &e), 0);
    keys_destroy(a);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(keys_load(path, &a, &e), -1);
    assert_string_equal(e.message, "keys.too_open");
    assert_null(a);
}

static void processes_racing_to_create_the_file_share_one_set_of_keys(void **state)
{
    (void)state;
    enum { N = 6 };
    int fds[N][2];
    for (int i = 0; i < N; i++) {
        assert_int_equal(pipe(fds[i]), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            struct keys *k = NULL;
            struct err e = ERR_INIT;
            unsigned char key[FIELD_KEY_BYTES] = {0};
            if (keys_load_or_create(path, &k, NULL, &e) == 0)
                memcpy(key, k->field[0].key, sizeof key);
            ssize_t w = write(fds[i][1], key, sizeof key);
            _exit(w == (ssize_t)sizeof key ? 0 : 1);
        }
        close(fds[i][1]);
    }
    unsigned char keys[N][FIELD_KEY_BYTES];
    for (int i = 0; i < N; i++) {
        int status = 0;
        assert_int_equal(read(fds[i][0], keys[i], FIELD_KEY_BYTES), FIELD_KEY_BYTES);
        close(fds[i][0]);
        assert_true(wait(&status) > 0);
    }
    struct keys *k = NULL;
    struct err e = ERR_INIT;
    assert_int_equal(keys_load(path, &k, &e), 0);
    for (int i = 0; i < N; i++)
        assert_memory_equal(keys[i], k->field[0].key, FIELD_KEY_BYTES);
    keys_destroy(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_new_key_file_is_private_and_reloads_the_same, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(an_added_field_key_becomes_current_and_older_keys_stay,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(an_added_blind_key_becomes_current_and_the_old_one_is_kept,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_key_file_readable_by_others_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(processes_racing_to_create_the_file_share_one_set_of_keys,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
