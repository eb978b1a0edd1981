/* config_test.c: settings parse the same from every source, and bad values say which key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/err.h"

static void defaults_listen_on_loopback_8080_with_a_1_mib_body_limit(void **state)
{
    (void)state;
    struct config c;
    config_defaults(&c);
    assert_string_equal(c.listen_host, "127.0.0.1");
    assert_int_equal(c.listen_port, 8080);
    assert_int_equal(c.body_limit, 1024 * 1024);
    assert_string_equal(c.db, "sqlite:dangjian.db");
}

static void bad_values_and_unknown_keys_name_the_field(void **state)
{
    (void)state;
    struct config c;
    config_defaults(&c);
    struct err e = ERR_INIT;
    assert_int_equal(config_set(&c, "listen", "nohost", &e), -1);
    assert_string_equal(e.fields[0].name, "listen");
    err_clear(&e);
    assert_int_equal(config_set(&c, "threads", "many", &e), -1);
    err_clear(&e);
    assert_int_equal(config_set(&c, "body_limit", "10", &e), -1);   /* below 1 KiB */
    err_clear(&e);
    assert_int_equal(config_set(&c, "colour", "red", &e), -1);
    assert_string_equal(e.message, "config.unknown_key");
    err_clear(&e);
    assert_int_equal(config_set(&c, "listen", "0.0.0.0:0", &e), 0);
    assert_int_equal(c.listen_port, 0);
}

static void a_file_sets_keys_and_reports_the_bad_line(void **state)
{
    (void)state;
    char path[256];
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/dj-config-XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# comment\n  db = sqlite:/tmp/x.db \nlisten=127.0.0.1:9000\n\nthreads = 3\n", f);
    fclose(f);
    struct config c;
    config_defaults(&c);
    struct err e = ERR_INIT;
    assert_int_equal(config_load_file(&c, path, &e), 0);
    assert_string_equal(c.db, "sqlite:/tmp/x.db");
    assert_int_equal(c.listen_port, 9000);
    assert_int_equal(c.threads, 3);
    f = fopen(path, "w");
    fputs("db = sqlite:a.db\nthis line is wrong\n", f);
    fclose(f);
    assert_int_equal(config_load_file(&c, path, &e), -1);
    assert_non_null(strstr(e.detail, ":2"));
    unlink(path);
}

static void the_environment_overrides_with_dj_prefixed_names(void **state)
{
    (void)state;
    struct config c;
    config_defaults(&c);
    struct err e = ERR_INIT;
    setenv("DJ_LOG_LEVEL", "warn", 1);
    setenv("DJ_BODY_LIMIT", "4096", 1);
    assert_int_equal(config_load_env(&c, &e), 0);
    assert_string_equal(c.log_level, "warn");
    assert_int_equal(c.body_limit, 4096);
    setenv("DJ_THREADS", "-4", 1);
    assert_int_equal(config_load_env(&c, &e), -1);
    unsetenv("DJ_LOG_LEVEL");
    unsetenv("DJ_BODY_LIMIT");
    unsetenv("DJ_THREADS");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_listen_on_loopback_8080_with_a_1_mib_body_limit),
        cmocka_unit_test(bad_values_and_unknown_keys_name_the_field),
        cmocka_unit_test(a_file_sets_keys_and_reports_the_bad_line),
        cmocka_unit_test(the_environment_overrides_with_dj_prefixed_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
