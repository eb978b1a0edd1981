/* resp_cache_test.c: the answer cache (resp_cache.h): a hit gives the same bytes; any change
 * of the database's change number makes every entry stale; nothing is kept without a watcher,
 * when off, over a quarter of the budget, or beyond the budget; keys are compared in full. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "db/db_change.h"
#include "http/resp_cache.h"

static const char *CT = "application/json; charset=utf-8";
static char db_url[128], db_path[96];

static int watch(void **state)
{
    (void)state;
    struct err e = ERR_INIT;
    snprintf(db_path, sizeof db_path, "/tmp/dj-resp-cache-%d.db", (int)getpid());
    snprintf(db_url, sizeof db_url, "sqlite:%s", db_path);
    return db_change_watch_start(db_url, 1000, &e);
}

static int unwatch(void **state)
{
    (void)state;
    db_change_watch_stop();
    resp_cache_clear();
    char p[128];
    unlink(db_path);
    snprintf(p, sizeof p, "%s-wal", db_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db_path);
    unlink(p);
    return 0;
}

static bool get(const char *key, char **body)
{
    size_t len = 0;
    const char *ct = NULL;
    *body = NULL;
    bool hit = resp_cache_get(key, body, &len, &ct);
    if (hit) {
        assert_ptr_equal(ct, CT);
        assert_int_equal(len, strlen(*body));
    }
    return hit;
}

static void a_hit_is_the_same_bytes_until_the_database_changes(void **state)
{
    (void)state;
    char *b;
    resp_cache_configure(1 << 20);
    assert_true(resp_cache_enabled());
    assert_false(get("k1", &b));
    resp_cache_put("k1", db_change_gen(), "{\"a\":1}", 7, CT);
    assert_true(get("k1", &b));
    assert_string_equal(b, "{\"a\":1}");
    free(b);
    assert_false(get("k", &b));                   /* a prefix is another key */
    assert_false(get("k1x", &b));
    db_change_bump();
    assert_false(get("k1", &b));                  /* any change: stale */
    size_t n, bytes;
    resp_cache_stats(&n, &bytes);
    assert_int_equal(n, 0);
    assert_int_equal(bytes, 0);
}

static void an_answer_read_before_a_change_is_not_kept(void **state)
{
    (void)state;
    char *b;
    resp_cache_configure(1 << 20);
    uint64_t gen = db_change_gen();
    db_change_bump();                             /* a write landed while the handler ran */
    resp_cache_put("k2", gen, "old", 3, CT);
    assert_false(get("k2", &b));
}

static void the_budget_holds(void **state)
{
    (void)state;
    char *b, key[32];
    static char big[300000];
    memset(big, 'x', sizeof big - 1);
    resp_cache_configure(1 << 20);
    resp_cache_put("big", db_change_gen(), big, sizeof big - 1, CT);
    assert_false(get("big", &b));                 /* more than a quarter of 1 MiB */
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "key-%d", i);
        resp_cache_put(key, db_change_gen(), big, 100000, CT);
    }
    size_t n, bytes;
    resp_cache_stats(&n, &bytes);
    assert_true(bytes <= (1 << 20));
    assert_true(n >= 1 && n <= 10);
    resp_cache_configure(0);                      /* off: nothing served, nothing kept */
    assert_false(resp_cache_enabled());
    resp_cache_put("k3", db_change_gen(), "x", 1, CT);
    assert_false(get("k3", &b));
}

static void nothing_is_kept_without_a_watcher(void **state)
{
    (void)state;
    char *b;
    resp_cache_configure(1 << 20);
    resp_cache_put("k4", db_change_gen(), "x", 1, CT);
    assert_false(get("k4", &b));
    assert_false(resp_cache_enabled());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_hit_is_the_same_bytes_until_the_database_changes,
                                        watch, unwatch),
        cmocka_unit_test_setup_teardown(an_answer_read_before_a_change_is_not_kept, watch,
                                        unwatch),
        cmocka_unit_test_setup_teardown(the_budget_holds, watch, unwatch),
        cmocka_unit_test(nothing_is_kept_without_a_watcher),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
